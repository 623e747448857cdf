//! Clocks: one per step someone owes on an incident. A lifecycle step starts,
//! meets or cancels them ([`clocks_after_step`]); a suspension pauses them and
//! its end moves their due by the working time they were held ([`resumed`]);
//! an extension moves the resolve clock's due ([`extended`]).

use std::fmt;

use chrono::{Duration, NaiveDateTime};

use super::Limits;
use super::calendar::WorkingCalendar;
use crate::area::AreaCode;
use crate::category::{TimeLimit, TimeUnit};
use crate::incident::{Incident, Status, assist};

/// The step a clock waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockStep {
    /// The party acknowledges 签收 the dispatched case.
    Acknowledge,
    /// The party resolves it.
    Resolve,
    /// An assisting party reports back (吹哨报到).
    Report,
    /// A grid worker checks a public report on site (核实).
    VerifyOnSite,
    /// The dispatchers accept, dispatch or reject a case waiting for them.
    Triage,
}

impl ClockStep {
    pub const ALL: [ClockStep; 5] = [
        ClockStep::Acknowledge,
        ClockStep::Resolve,
        ClockStep::Report,
        ClockStep::VerifyOnSite,
        ClockStep::Triage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClockStep::Acknowledge => "acknowledge",
            ClockStep::Resolve => "resolve",
            ClockStep::Report => "report",
            ClockStep::VerifyOnSite => "verify_on_site",
            ClockStep::Triage => "triage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ClockStep::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How the step's time is counted: by the limit it was started with.
    /// Steps other developers start (report, on-site check) count like
    /// the acknowledge limit, the one for a first reaction.
    pub fn unit(self, limits: &Limits) -> TimeUnit {
        match self {
            ClockStep::Resolve | ClockStep::Report => limits.resolve.unit,
            ClockStep::Acknowledge | ClockStep::Triage | ClockStep::VerifyOnSite => {
                limits.acknowledge.unit
            }
        }
    }
}

impl fmt::Display for ClockStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockState {
    Running,
    /// Held by an approved suspension 挂起.
    Paused,
    Met,
    Cancelled,
}

impl ClockState {
    pub const ALL: [ClockState; 4] = [
        ClockState::Running,
        ClockState::Paused,
        ClockState::Met,
        ClockState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ClockState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Running or paused: the step is still owed.
    pub fn is_open(self) -> bool {
        matches!(self, ClockState::Running | ClockState::Paused)
    }
}

/// A clock as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub id: String,
    pub incident_id: String,
    pub step: ClockStep,
    pub party: Option<String>,
    /// The area whose people owe the step; escalation goes one level above.
    pub area: String,
    pub started_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub warn_at: NaiveDateTime,
    pub state: ClockState,
    pub ended_at: Option<NaiveDateTime>,
    pub paused_at: Option<NaiveDateTime>,
    pub warned_at: Option<NaiveDateTime>,
    pub overdue_at: Option<NaiveDateTime>,
    pub escalated_to: Option<String>,
    pub extensions: u32,
    pub suspensions: u32,
}

/// How a running clock looks at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    Green,
    /// Past its warning time 黄灯.
    Yellow,
    /// Past its due 红灯.
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

impl Clock {
    /// Only running clocks change colour; a paused one keeps its time, an
    /// ended one is history.
    pub fn light(&self, now: NaiveDateTime) -> Light {
        if self.state != ClockState::Running {
            Light::Green
        } else if now >= self.due_at {
            Light::Red
        } else if now >= self.warn_at {
            Light::Yellow
        } else {
            Light::Green
        }
    }
}

/// A clock to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClock {
    pub step: ClockStep,
    pub party: Option<String>,
    pub area: AreaCode,
    pub started_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub warn_at: NaiveDateTime,
}

/// What a step does to the clocks of its incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockChange {
    Start(NewClock),
    /// The open clocks of this step and party (none: the dispatchers') are met.
    Meet {
        step: ClockStep,
        party: Option<String>,
    },
    /// The open clocks of this party are cancelled (it returned the case).
    CancelParty(String),
    /// Every open clock is cancelled (rejected, closed).
    CancelAll,
}

/// Warn at this share of a clock's time, unless configured otherwise.
pub const DEFAULT_WARN_FRACTION: f64 = 0.8;

/// `start + fraction × (due − start)`; the fraction is kept within 0..=1.
pub fn warn_at(start: NaiveDateTime, due: NaiveDateTime, fraction: f64) -> NaiveDateTime {
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        DEFAULT_WARN_FRACTION
    };
    // The span to the microsecond, the offset rounded to whole seconds: a
    // warning a fraction of a second off helps nobody, and truncating the
    // span first put it up to 1.3 s early.
    let span = (due - start).num_microseconds().unwrap_or(i64::MAX).max(0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let seconds = (span as f64 * fraction / 1e6).round() as i64;
    start + Duration::seconds(seconds)
}

/// The clocks a lifecycle step starts, meets or cancels, from the incident
/// before the step (`None` for a new report) and after it.
///
/// | step | clocks |
/// |---|---|
/// | report (waiting in reported or accepted) | starts `triage` for the dispatchers (acknowledge limit) |
/// | accept, dispatch, reject, resolve on the spot | meet `triage` |
/// | dispatch | starts `acknowledge` and `resolve` for the party |
/// | acknowledge | meets `acknowledge` |
/// | resolve, resolve on the spot | meet `resolve` |
/// | resolve on the spot of a dispatched case (the party stood down) | cancels the party's clocks and those of each assisting party stood down |
/// | return | cancels the party's clocks; a fresh `triage` while it waits again |
/// | reopen | a fresh `resolve` for the party (or `triage` when it has none) |
/// | reject, verify (final states) | cancel whatever is still open |
pub fn clocks_after_step(
    before: Option<&Incident>,
    after: &Incident,
    limits: Limits,
    calendar: &WorkingCalendar,
    now: NaiveDateTime,
    warn_fraction: f64,
) -> Vec<ClockChange> {
    let start = |step: ClockStep, party: Option<String>, limit: TimeLimit| {
        let due = calendar.deadline(now, limit);
        ClockChange::Start(NewClock {
            step,
            party,
            area: after.grid.clone(),
            started_at: now,
            due_at: due,
            warn_at: warn_at(now, due, warn_fraction),
        })
    };
    let waits_for_dispatchers = |s: Status| matches!(s, Status::Reported | Status::Accepted);
    let mut changes = Vec::new();
    let Some(before) = before else {
        if waits_for_dispatchers(after.status) {
            changes.push(start(ClockStep::Triage, None, limits.acknowledge));
        }
        return changes;
    };
    if before.status == after.status {
        return changes;
    }
    let meet = |step, party: &Option<String>| ClockChange::Meet {
        step,
        party: party.clone(),
    };
    if waits_for_dispatchers(before.status) && after.status != Status::Reported {
        changes.push(meet(ClockStep::Triage, &None));
    }
    match (before.status, after.status) {
        (_, Status::Dispatched) => {
            if let Some(party) = &after.party {
                changes.push(start(
                    ClockStep::Acknowledge,
                    Some(party.clone()),
                    limits.acknowledge,
                ));
                changes.push(start(
                    ClockStep::Resolve,
                    Some(party.clone()),
                    limits.resolve,
                ));
            }
        }
        (Status::Dispatched, Status::InProgress) => {
            changes.push(meet(ClockStep::Acknowledge, &before.party));
        }
        // Handled on the spot by the grid worker: the party never took it.
        (_, Status::Resolved) if before.party.is_some() && after.party.is_none() => {
            if let Some(party) = &before.party {
                changes.push(ClockChange::CancelParty(party.clone()));
            }
        }
        (_, Status::Resolved) => changes.push(meet(ClockStep::Resolve, &before.party)),
        (Status::Dispatched | Status::InProgress, Status::Accepted) => {
            if let Some(party) = &before.party {
                changes.push(ClockChange::CancelParty(party.clone()));
            }
            changes.push(start(ClockStep::Triage, None, limits.acknowledge));
        }
        (Status::Resolved, Status::InProgress) => {
            if let Some(party) = &after.party {
                changes.push(start(
                    ClockStep::Resolve,
                    Some(party.clone()),
                    limits.resolve,
                ));
            }
        }
        (Status::Resolved, Status::Accepted) => {
            changes.push(start(ClockStep::Triage, None, limits.acknowledge));
        }
        _ => {}
    }
    changes.extend(
        assist::stood_down(before, after)
            .into_iter()
            .map(ClockChange::CancelParty),
    );
    if after.status.is_final() {
        changes.push(ClockChange::CancelAll);
    }
    changes
}

/// Where a paused clock's due and warning move when its suspension ends at
/// `at`: later by the working time it was held, or by the wall-clock time
/// for a clock counted in calendar hours (urgent cases run on the clock).
pub fn resumed(
    clock: &Clock,
    at: NaiveDateTime,
    unit: TimeUnit,
    calendar: &WorkingCalendar,
) -> (NaiveDateTime, NaiveDateTime) {
    let Some(paused_at) = clock.paused_at else {
        return (clock.due_at, clock.warn_at);
    };
    match unit {
        TimeUnit::CalendarHours => {
            let held = (at - paused_at).max(Duration::zero());
            (clock.due_at + held, clock.warn_at + held)
        }
        TimeUnit::WorkingHours | TimeUnit::WorkingDays => {
            let held = calendar.working_time_between(paused_at, at);
            (
                calendar.after_working_time(clock.due_at, held),
                calendar.after_working_time(clock.warn_at, held),
            )
        }
    }
}

/// An assisting party's `report` clock, called onto the case at `at`: due
/// when the lead's running resolve clock is (`lead`: its due and warning),
/// else within the category's resolve limit from now on the calendar.
pub fn report_clock(
    lead: Option<(NaiveDateTime, NaiveDateTime)>,
    resolve_within: TimeLimit,
    calendar: &WorkingCalendar,
    at: NaiveDateTime,
    warn_fraction: f64,
) -> (NaiveDateTime, NaiveDateTime) {
    lead.unwrap_or_else(|| {
        let due = calendar.deadline(at, resolve_within);
        (due, warn_at(at, due, warn_fraction))
    })
}

/// The resolve clock's due and warning after an extension 延期 of `by`,
/// counted from the current due.
pub fn extended(
    clock: &Clock,
    by: TimeLimit,
    calendar: &WorkingCalendar,
    warn_fraction: f64,
) -> (NaiveDateTime, NaiveDateTime) {
    let due = calendar.deadline(clock.due_at, by);
    (due, warn_at(clock.started_at, due, warn_fraction))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::fixtures::incident;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        // Beijing local time in November 2026, as UTC.
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|day| day.and_hms_opt(h, m, 0))
            .unwrap_or_default()
            - Duration::hours(8)
    }

    fn limits() -> Limits {
        Limits {
            acknowledge: TimeLimit::working_hours(2),
            resolve: TimeLimit::working_days(1),
        }
    }

    /// One incident in `status`, with `party` holding it.
    fn case(status: Status, party: Option<&str>) -> Incident {
        Incident {
            party: party.map(str::to_owned),
            ..incident(status)
        }
    }

    /// A step's clocks, written short: `+triage`, `=acknowledge@p`,
    /// `-@p` (the party's cancelled), `-*` (all cancelled).
    fn summary(changes: &[ClockChange]) -> Vec<String> {
        let party = |p: &Option<String>| p.as_ref().map(|p| format!("@{p}")).unwrap_or_default();
        changes
            .iter()
            .map(|c| match c {
                ClockChange::Start(n) => format!("+{}{}", n.step, party(&n.party)),
                ClockChange::Meet { step, party: p } => format!("={step}{}", party(p)),
                ClockChange::CancelParty(p) => format!("-@{p}"),
                ClockChange::CancelAll => "-*".to_owned(),
            })
            .collect()
    }

    #[test]
    fn each_step_starts_meets_or_cancels_its_clocks() {
        use Status::*;
        let p = Some("p");
        /// A status and the party holding the case.
        type Held = (Status, Option<&'static str>);
        // (before, after, clocks)
        let table: [(Option<Held>, Held, &[&str]); 14] = [
            (None, (Reported, None), &["+triage"]),
            (Some((Reported, None)), (Accepted, None), &["=triage"]),
            (Some((Reported, None)), (Rejected, None), &["=triage", "-*"]),
            (
                Some((Reported, None)),
                (Resolved, None),
                &["=triage", "=resolve"],
            ),
            (
                Some((Accepted, None)),
                (Dispatched, p),
                &["=triage", "+acknowledge@p", "+resolve@p"],
            ),
            (Some((Dispatched, p)), (InProgress, p), &["=acknowledge@p"]),
            (Some((InProgress, p)), (Resolved, p), &["=resolve@p"]),
            (Some((Dispatched, p)), (Accepted, None), &["-@p", "+triage"]),
            (Some((InProgress, p)), (Accepted, None), &["-@p", "+triage"]),
            (Some((Resolved, p)), (InProgress, p), &["+resolve@p"]),
            (Some((Resolved, p)), (Closed, p), &["-*"]),
            (Some((InProgress, p)), (InProgress, p), &[]),
            // The reporter's own finding, dispatched by a rule, handled on the spot.
            (Some((Dispatched, p)), (Resolved, None), &["-@p"]),
            (
                Some((Accepted, None)),
                (Resolved, None),
                &["=triage", "=resolve"],
            ),
        ];
        let calendar = WorkingCalendar::china_office();
        for (before, after, expected) in table {
            let before = before.map(|(s, p)| case(s, p));
            let after = case(after.0, after.1);
            let changes = clocks_after_step(
                before.as_ref(),
                &after,
                limits(),
                &calendar,
                at(24, 9, 0),
                DEFAULT_WARN_FRACTION,
            );
            assert_eq!(
                summary(&changes),
                expected,
                "{:?} → {}",
                before.map(|b| b.status),
                after.status
            );
        }
    }

    #[test]
    fn parties_stood_down_on_the_spot_have_their_clocks_cancelled() {
        use crate::incident::{Assist, AssistState};
        let called = |party: &str, state| Assist {
            party: party.into(),
            state,
            called_by: "system".into(),
            called_at: at(24, 9, 0),
            acknowledged_at: None,
            reported_at: None,
            report: None,
        };
        let mut before = case(Status::Dispatched, Some("p"));
        before.assists = vec![called("a", AssistState::Called)];
        let mut after = case(Status::Resolved, None);
        after.assists = vec![called("a", AssistState::StoodDown)];
        let changes = clocks_after_step(
            Some(&before),
            &after,
            limits(),
            &WorkingCalendar::china_office(),
            at(24, 10, 0),
            DEFAULT_WARN_FRACTION,
        );
        assert_eq!(summary(&changes), ["-@p", "-@a"]);
    }

    #[test]
    fn a_dispatch_sets_due_and_warning_by_the_limits_and_the_calendar() {
        let calendar = WorkingCalendar::china_office();
        let before = case(Status::Accepted, None);
        let after = case(Status::Dispatched, Some("zy-heating"));
        // Tuesday 16:30: two working hours end on Wednesday at 09:30; one
        // working day at Wednesday's close.
        let changes = clocks_after_step(
            Some(&before),
            &after,
            limits(),
            &calendar,
            at(24, 16, 30),
            0.5,
        );
        let started: Vec<&NewClock> = changes
            .iter()
            .filter_map(|c| match c {
                ClockChange::Start(n) => Some(n),
                _ => None,
            })
            .collect();
        assert_eq!(started.len(), 2);
        assert_eq!(started[0].step, ClockStep::Acknowledge);
        assert_eq!(started[0].due_at, at(25, 9, 30));
        assert_eq!(started[0].area, after.grid);
        // Half of the wall-clock span: the warning is a wall-clock alarm.
        assert_eq!(started[0].warn_at, at(25, 1, 0));
        assert_eq!(started[1].step, ClockStep::Resolve);
        assert_eq!(started[1].due_at, at(25, 17, 30));
    }

    #[test]
    fn an_assists_report_clock_follows_the_lead_else_the_stored_calendar() {
        let lead = (at(26, 17, 30), at(26, 12, 0));
        let office = WorkingCalendar::china_office();
        let limit = TimeLimit::working_days(1);
        // A running resolve clock: the assist is due when the case is.
        assert_eq!(
            report_clock(Some(lead), limit, &office, at(24, 10, 0), 0.5),
            lead
        );
        // None: one working day from Tuesday 10:00 on the office calendar
        // ends at Wednesday's close, warned half-way…
        let (due, warn) = report_clock(None, limit, &office, at(24, 10, 0), 0.5);
        assert_eq!(due, at(25, 17, 30));
        assert_eq!(warn, at(25, 1, 45));
        // …and on a calendar that makes Wednesday a holiday, at Thursday's.
        let holiday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let edited = WorkingCalendar::china_office().with_days_off([holiday], []);
        let (due, _) = report_clock(None, limit, &edited, at(24, 10, 0), 0.5);
        assert_eq!(due, at(26, 17, 30));
    }

    #[test]
    fn the_warning_comes_at_the_configured_share() {
        let (start, due) = (at(24, 9, 0), at(24, 19, 0));
        assert_eq!(warn_at(start, due, DEFAULT_WARN_FRACTION), at(24, 17, 0));
        assert_eq!(warn_at(start, due, 0.0), start);
        assert_eq!(warn_at(start, due, 7.0), due, "kept within the span");
        assert_eq!(warn_at(start, due, f64::NAN), at(24, 17, 0));
    }

    fn paused_clock(paused_at: NaiveDateTime) -> Clock {
        Clock {
            id: "c".into(),
            incident_id: "i".into(),
            step: ClockStep::Resolve,
            party: Some("p".into()),
            area: "410102003001002".into(),
            started_at: at(26, 9, 0),
            due_at: at(27, 17, 0),
            warn_at: at(27, 11, 0),
            state: ClockState::Paused,
            ended_at: None,
            paused_at: Some(paused_at),
            warned_at: None,
            overdue_at: None,
            escalated_to: None,
            extensions: 0,
            suspensions: 1,
        }
    }

    #[test]
    fn a_suspension_over_a_weekend_pauses_exactly_the_working_hours() {
        let calendar = WorkingCalendar::china_office();
        // Suspended Friday 27th at 16:00, resumed Monday 30th at 10:00: held
        // 90 min on Friday and 90 min on Monday, three working hours; the
        // weekend between does not count.
        let clock = paused_clock(at(27, 16, 0));
        let (due, warn) = resumed(&clock, at(30, 10, 0), TimeUnit::WorkingDays, &calendar);
        // Friday 17:00 + 3 working hours: 30 min, then Monday 08:30–11:00.
        assert_eq!(due, at(30, 11, 0));
        // Friday 11:00 + 3 working hours: one before lunch, two after.
        assert_eq!(warn, at(27, 16, 0));
        // A clock in calendar hours is held by the wall clock: 66 hours.
        let (due, _) = resumed(&clock, at(30, 10, 0), TimeUnit::CalendarHours, &calendar);
        assert_eq!(due, at(27, 17, 0) + Duration::hours(66));
    }

    #[test]
    fn a_suspension_over_a_holiday_and_a_make_up_saturday() {
        let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap_or_default();
        let calendar = WorkingCalendar::china_office()
            .with_days_off((1..=8).map(|d| date(10, d)), [date(9, 28), date(10, 11)]);
        let local = |m, d, h, min| {
            date(m, d).and_hms_opt(h, min, 0).unwrap_or_default() - Duration::hours(8)
        };
        let clock = Clock {
            due_at: local(10, 9, 12, 0),
            warn_at: local(10, 9, 10, 0),
            ..paused_clock(local(9, 30, 17, 0))
        };
        // Held from Tuesday 30 September 17:00 to Saturday 11 October 09:30
        // (the make-up day): 30 min + 9 October 7 h + 10 October 7 h + 1 h.
        let (due, _) = resumed(
            &clock,
            local(10, 11, 9, 30),
            TimeUnit::WorkingHours,
            &calendar,
        );
        assert_eq!(
            calendar.working_time_between(local(9, 30, 17, 0), local(10, 11, 9, 30)),
            Duration::minutes(30 + 7 * 60 * 2 + 60)
        );
        // 9 October 12:00 + 15.5 working hours: 3.5 h that afternoon, 7 h on
        // the 10th, 5 h on the make-up Saturday: 11 October 15:30.
        assert_eq!(due, local(10, 11, 15, 30));
    }

    #[test]
    fn an_extension_counts_from_the_current_due() {
        let calendar = WorkingCalendar::china_office();
        let clock = Clock {
            state: ClockState::Running,
            paused_at: None,
            ..paused_clock(at(27, 16, 0))
        };
        // Friday 27th 17:00 + 2 working days: Monday and Tuesday, at close.
        let (due, warn) = extended(&clock, TimeLimit::working_days(2), &calendar, 0.8);
        assert_eq!(due, at(30, 17, 30) + Duration::days(1));
        assert_eq!(warn, warn_at(clock.started_at, due, 0.8));
        let (due, _) = extended(&clock, TimeLimit::calendar_hours(3), &calendar, 0.8);
        assert_eq!(due, at(27, 20, 0));
    }

    #[test]
    fn only_a_running_clock_turns_yellow_then_red() {
        let clock = Clock {
            state: ClockState::Running,
            ..paused_clock(at(27, 16, 0))
        };
        assert_eq!(clock.light(at(27, 10, 0)), Light::Green);
        assert_eq!(clock.light(at(27, 11, 0)), Light::Yellow);
        assert_eq!(clock.light(at(27, 17, 0)), Light::Red);
        let paused = paused_clock(at(27, 16, 0));
        assert_eq!(paused.light(at(28, 0, 0)), Light::Green);
    }
}
