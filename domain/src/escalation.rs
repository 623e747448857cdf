//! Escalation 督办: what a running deadline clock calls for at a given
//! moment (a yellow warning when its time is nearly up, a red escalation once
//! it is overdue), where an overdue step goes, and whom a warning wakes.
//!
//! A clock is warned at most once and escalated at most once; the store
//! keeps that promise with conditional updates, this module only decides.

use chrono::NaiveDateTime;

use crate::area::{AreaCode, AreaLevel};
use crate::deadline::{ClockState, ClockStep};
use crate::incident::Incident;
use crate::notification::{Audience, Tell, Topic, Why, on_deadline_warning};

/// What escalation reads of a [`crate::deadline::Clock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTimes {
    pub state: ClockState,
    pub warn_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    /// When the warning went out, if it did.
    pub warned_at: Option<NaiveDateTime>,
    /// When it was found overdue and escalated, if it was.
    pub overdue_at: Option<NaiveDateTime>,
}

/// What a clock calls for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Nothing,
    /// Yellow: the warning time has come and nobody was warned yet.
    Warning,
    /// Red: the deadline has passed and the step was not escalated yet.
    Overdue,
}

/// What `clock` calls for at `now`. Only a running clock calls for anything;
/// an overdue step is escalated even if its warning never went out (a
/// worker that was down over the warning time), and is then not warned.
pub fn what_is_due(clock: &ClockTimes, now: NaiveDateTime) -> Due {
    if clock.state != ClockState::Running || clock.overdue_at.is_some() {
        return Due::Nothing;
    }
    if now >= clock.due_at {
        Due::Overdue
    } else if now >= clock.warn_at && clock.warned_at.is_none() {
        Due::Warning
    } else {
        Due::Nothing
    }
}

/// The levels escalation moves between, lowest first. Cities are left out:
/// nobody above the district works in this system.
const LADDER: [AreaLevel; 4] = [
    AreaLevel::Grid,
    AreaLevel::Community,
    AreaLevel::Subdistrict,
    AreaLevel::District,
];

/// The rung of `code` on [`LADDER`]: a micro-grid counts as its grid, a
/// six-digit code (district or city) as the top.
fn rung(code: &AreaCode) -> usize {
    LADDER
        .iter()
        .position(|&level| code.fits_level(level))
        .unwrap_or(if code.fits_level(AreaLevel::MicroGrid) {
            0
        } else {
            LADDER.len() - 1
        })
}

/// Where an overdue step goes: one level above the area that owes it, or,
/// when the incident was escalated before (`earlier`, the areas it went
/// to), one level above the highest of those; never above the district.
/// The area returned is always one that covers `owing`.
pub fn escalation_target(owing: &AreaCode, earlier: &[AreaCode]) -> AreaCode {
    let highest = earlier.iter().map(rung).fold(rung(owing), usize::max);
    let target = LADDER[(highest + 1).min(LADDER.len() - 1)];
    owing
        .lineage()
        .into_iter()
        .find(|code| code.fits_level(target))
        .unwrap_or_else(|| owing.clone())
}

/// The timeline note of an escalation: which step was overdue, owed by whom,
/// and where it went. Codes only, so every reader's language can render it.
pub fn escalation_note(step: &str, party: Option<&str>, owing: &AreaCode, to: &AreaCode) -> String {
    let by = match party {
        Some(party) => format!("party {party} in area {owing}"),
        None => format!("area {owing}"),
    };
    format!("{step} overdue (owed by {by}); escalated to area {to}")
}

/// Whom a warning wakes: whoever holds the step. A party's step tells that
/// party (an assisting party is not the incident's lead); an on-site check
/// tells the grid's staff; triage the area's dispatchers.
pub fn whom_to_warn(
    step: Option<ClockStep>,
    party: Option<&str>,
    area: &AreaCode,
    incident: &Incident,
) -> Tell {
    let tell = |audience, why| Tell {
        topic: Topic::DeadlineWarning,
        audience,
        why,
    };
    match (step, party) {
        (Some(ClockStep::VerifyOnSite), _) => {
            tell(Audience::GridStaffOf(area.clone()), Why::GridStaff)
        }
        (Some(ClockStep::Triage), _) => {
            tell(Audience::DispatchersOf(area.clone()), Why::Dispatcher)
        }
        (_, Some(party)) if incident.party.as_deref() != Some(party) => {
            tell(Audience::PartyHandlers(party.to_owned()), Why::Handler)
        }
        _ => on_deadline_warning(incident),
    }
}

/// The share of a step's time after which its holder is warned
/// (`GRIDOPS_DEADLINE_WARN_FRACTION`): strictly between 0 and 1. The clock
/// code passes [`WarnFraction::get`] to [`crate::deadline::warn_at`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarnFraction(f64);

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("the warning fraction must lie strictly between 0 and 1, not {0}")]
pub struct InvalidWarnFraction(pub f64);

impl WarnFraction {
    pub const DEFAULT: WarnFraction = WarnFraction(crate::deadline::DEFAULT_WARN_FRACTION);

    pub fn new(fraction: f64) -> Result<WarnFraction, InvalidWarnFraction> {
        if fraction > 0.0 && fraction < 1.0 {
            Ok(WarnFraction(fraction))
        } else {
            Err(InvalidWarnFraction(fraction))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for WarnFraction {
    fn default() -> Self {
        WarnFraction::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::Status;
    use crate::incident::fixtures::{GRID, PARTY, at, incident};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn clock(state: ClockState, warned: Option<i64>, overdue: Option<i64>) -> ClockTimes {
        ClockTimes {
            state,
            warn_at: at(80),
            due_at: at(100),
            warned_at: warned.map(at),
            overdue_at: overdue.map(at),
        }
    }

    #[test]
    fn a_running_clock_warns_then_turns_red_once() {
        use ClockState::{Cancelled, Met, Paused, Running};
        // (state, warned at, overdue at, now in minutes, what is due)
        let cases = [
            (Running, None, None, 79, Due::Nothing),
            (Running, None, None, 80, Due::Warning),
            (Running, None, None, 99, Due::Warning),
            (Running, Some(80), None, 90, Due::Nothing),
            (Running, Some(80), None, 100, Due::Overdue),
            // A worker that was down over the warning time escalates at once.
            (Running, None, None, 150, Due::Overdue),
            (Running, Some(80), Some(100), 150, Due::Nothing),
            (Running, None, Some(100), 150, Due::Nothing),
            (Paused, None, None, 90, Due::Nothing),
            (Paused, None, None, 150, Due::Nothing),
            (Met, None, None, 150, Due::Nothing),
            (Cancelled, None, None, 150, Due::Nothing),
        ];
        for (state, warned, overdue, now, expected) in cases {
            assert_eq!(
                what_is_due(&clock(state, warned, overdue), at(now)),
                expected,
                "{state:?}, warned {warned:?}, overdue {overdue:?}, at minute {now}"
            );
        }
    }

    #[test]
    fn escalation_climbs_one_level_above_the_highest_so_far() {
        let grid = "410102003001002";
        let community = "410102003001";
        let subdistrict = "410102003";
        let district = "410102";
        // (owing, earlier escalations, target)
        let cases: [(&str, &[&str], &str); 11] = [
            (grid, &[], community),
            ("410102003001002007", &[], community),
            (community, &[], subdistrict),
            (subdistrict, &[], district),
            (district, &[], district),
            (grid, &[community], subdistrict),
            (grid, &[community, subdistrict], district),
            (grid, &[subdistrict, community], district),
            (grid, &[district], district),
            (subdistrict, &[community], district),
            // An earlier escalation in another branch still counts by level.
            (grid, &["410181001001"], subdistrict),
        ];
        for (owing, earlier, expected) in cases {
            let earlier: Vec<AreaCode> = earlier.iter().map(|c| code(c)).collect();
            assert_eq!(
                escalation_target(&code(owing), &earlier),
                code(expected),
                "{owing} after {earlier:?}"
            );
        }
    }

    #[test]
    fn the_note_names_step_party_and_both_areas() {
        assert_eq!(
            escalation_note(
                "acknowledge",
                Some(PARTY),
                &code(GRID),
                &code("410102003001")
            ),
            "acknowledge overdue (owed by party zy-heating in area 410102003001002); escalated to area 410102003001"
        );
        assert_eq!(
            escalation_note("triage", None, &code("410102003"), &code("410102")),
            "triage overdue (owed by area 410102003); escalated to area 410102"
        );
    }

    #[test]
    fn a_warning_wakes_whoever_holds_the_step() {
        let grid = code(GRID);
        let dispatched = incident(Status::Dispatched);
        let mut assigned = dispatched.clone();
        assigned.assignee = Some("handler.li".into());
        let reported = incident(Status::Reported);
        let party = |p: &str| Audience::PartyHandlers(p.into());
        // (step, party of the clock, incident, audience, why)
        let cases = [
            (
                Some(ClockStep::Acknowledge),
                Some(PARTY),
                &dispatched,
                party(PARTY),
                Why::Handler,
            ),
            (
                Some(ClockStep::Resolve),
                Some(PARTY),
                &assigned,
                Audience::Users(vec!["handler.li".into()]),
                Why::Handler,
            ),
            (
                Some(ClockStep::Report),
                Some("zy-cg"),
                &dispatched,
                party("zy-cg"),
                Why::Handler,
            ),
            (
                Some(ClockStep::VerifyOnSite),
                None,
                &reported,
                Audience::GridStaffOf(grid.clone()),
                Why::GridStaff,
            ),
            (
                Some(ClockStep::Triage),
                None,
                &reported,
                Audience::DispatchersOf(grid.clone()),
                Why::Dispatcher,
            ),
            // A step this version does not know: the incident's holder.
            (None, None, &dispatched, party(PARTY), Why::Handler),
        ];
        for (step, clock_party, incident, audience, why) in cases {
            let tell = whom_to_warn(step, clock_party, &grid, incident);
            assert_eq!(tell.topic, Topic::DeadlineWarning);
            assert_eq!((tell.audience, tell.why), (audience, why), "{step:?}");
        }
    }

    #[test]
    fn a_warning_fraction_lies_strictly_between_nothing_and_all() {
        assert_eq!(WarnFraction::new(0.5).map(WarnFraction::get), Ok(0.5));
        for bad in [0.0, 1.0, -0.2, 1.5, f64::NAN] {
            assert!(WarnFraction::new(bad).is_err(), "{bad}");
        }
        assert_eq!(WarnFraction::default().get(), 0.8);
    }
}
