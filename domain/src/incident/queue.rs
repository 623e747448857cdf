//! The dispatcher's queue: the tabs of cases waiting for someone's action,
//! as a 12345 platform's staff know them. A tab is a question about one
//! incident — [`QueueTab::holds`] — and the list and its counts ask it of
//! every incident the caller sees (the repository asks it in SQL).

use chrono::NaiveDateTime;

use super::{Incident, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueTab {
    /// New reports waiting for triage (受理): not a resident's report still
    /// waiting for its on-site check.
    New,
    /// Residents' reports waiting for the grid worker's check on site (核实).
    OnSiteCheck,
    /// Registered (立案), waiting to be dispatched for the first time.
    Triage,
    /// Returned (退回) by a party, waiting to be dispatched again.
    Returned,
    /// Handled and reported back, waiting to be verified (核查).
    Verify,
    /// Open past the resolve deadline.
    Overdue,
    /// A deadline of it was escalated (督办) to a higher level and still runs.
    Escalated,
}

/// What [`QueueTab::holds`] needs beyond the incident.
#[derive(Debug, Clone, Copy)]
pub struct QueueFacts {
    /// [`needs_on_site_check`](super::needs_on_site_check).
    pub waits_for_on_site_check: bool,
    /// A running deadline clock of it was escalated.
    pub escalated: bool,
    /// When it must be resolved by, while a party has it.
    pub resolve_due: Option<NaiveDateTime>,
    pub now: NaiveDateTime,
}

impl QueueTab {
    pub const ALL: [QueueTab; 7] = [
        QueueTab::New,
        QueueTab::OnSiteCheck,
        QueueTab::Triage,
        QueueTab::Returned,
        QueueTab::Verify,
        QueueTab::Overdue,
        QueueTab::Escalated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueTab::New => "new",
            QueueTab::OnSiteCheck => "on_site_check",
            QueueTab::Triage => "triage",
            QueueTab::Returned => "returned",
            QueueTab::Verify => "verify",
            QueueTab::Overdue => "overdue",
            QueueTab::Escalated => "escalated",
        }
    }

    pub fn parse(text: &str) -> Option<QueueTab> {
        QueueTab::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// Whether `incident` is in this tab.
    pub fn holds(self, incident: &Incident, facts: QueueFacts) -> bool {
        let open = !Status::SETTLED.contains(&incident.status);
        match self {
            QueueTab::New => incident.status == Status::Reported && !facts.waits_for_on_site_check,
            QueueTab::OnSiteCheck => {
                incident.status == Status::Reported && facts.waits_for_on_site_check
            }
            QueueTab::Triage => {
                incident.status == Status::Accepted && incident.returned_by.is_empty()
            }
            QueueTab::Returned => {
                incident.status == Status::Accepted && !incident.returned_by.is_empty()
            }
            QueueTab::Verify => incident.status == Status::Resolved,
            QueueTab::Overdue => open && facts.resolve_due.is_some_and(|due| due < facts.now),
            QueueTab::Escalated => open && facts.escalated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::fixtures;

    fn facts(check: bool, escalated: bool) -> QueueFacts {
        QueueFacts {
            waits_for_on_site_check: check,
            escalated,
            resolve_due: Some(fixtures::at(11)),
            now: fixtures::at(12),
        }
    }

    #[test]
    fn a_report_is_new_unless_it_waits_for_its_on_site_check() {
        let report = fixtures::incident(Status::Reported);
        assert!(QueueTab::New.holds(&report, facts(false, false)));
        assert!(!QueueTab::OnSiteCheck.holds(&report, facts(false, false)));
        assert!(QueueTab::OnSiteCheck.holds(&report, facts(true, false)));
        assert!(!QueueTab::New.holds(&report, facts(true, false)));
    }

    #[test]
    fn a_registered_case_is_triage_until_a_party_returns_it() {
        let mut case = fixtures::incident(Status::Reported);
        case.status = Status::Accepted;
        assert!(QueueTab::Triage.holds(&case, facts(false, false)));
        case.returned_by.push("party.water".into());
        assert!(QueueTab::Returned.holds(&case, facts(false, false)));
        assert!(!QueueTab::Triage.holds(&case, facts(false, false)));
    }

    #[test]
    fn overdue_and_escalated_are_for_open_cases_only() {
        let mut case = fixtures::incident(Status::Reported);
        case.status = Status::InProgress;
        assert!(QueueTab::Overdue.holds(&case, facts(false, true)));
        assert!(QueueTab::Escalated.holds(&case, facts(false, true)));
        case.status = Status::Closed;
        assert!(!QueueTab::Overdue.holds(&case, facts(false, true)));
        assert!(!QueueTab::Escalated.holds(&case, facts(false, true)));
        case.status = Status::Resolved;
        assert!(QueueTab::Verify.holds(&case, facts(false, false)));
    }
}
