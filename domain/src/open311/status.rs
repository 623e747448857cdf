//! gridops' states as an Open311 client reads them: the spec's `open` or
//! `closed`, and the extended statuses of mySociety's extension (the ones
//! FixMyStreet understands), so a resident's app tells "fixed" from "not
//! ours" from "a duplicate".

use crate::incident::{ActionKind, RejectReason, Status};

/// The spec's two states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceStatus {
    Open,
    Closed,
}

impl ServiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Open => "open",
            ServiceStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(ServiceStatus::Open),
            "closed" => Some(ServiceStatus::Closed),
            _ => None,
        }
    }

    /// The gridops states a filter on this spec state means.
    pub fn states(self) -> &'static [Status] {
        match self {
            ServiceStatus::Open => &[
                Status::Reported,
                Status::Accepted,
                Status::Dispatched,
                Status::InProgress,
                Status::Resolved,
            ],
            ServiceStatus::Closed => &[Status::Closed, Status::Rejected],
        }
    }
}

/// mySociety's extended statuses (FixMyStreet's Open311 updates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendedStatus {
    Open,
    ActionScheduled,
    InProgress,
    Fixed,
    Duplicate,
    NotCouncilsResponsibility,
    NoFurtherAction,
}

impl ExtendedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExtendedStatus::Open => "OPEN",
            ExtendedStatus::ActionScheduled => "ACTION_SCHEDULED",
            ExtendedStatus::InProgress => "IN_PROGRESS",
            ExtendedStatus::Fixed => "FIXED",
            ExtendedStatus::Duplicate => "DUPLICATE",
            ExtendedStatus::NotCouncilsResponsibility => "NOT_COUNCILS_RESPONSIBILITY",
            ExtendedStatus::NoFurtherAction => "NO_FURTHER_ACTION",
        }
    }

    /// The spec state this extended status belongs to.
    pub fn service_status(self) -> ServiceStatus {
        match self {
            ExtendedStatus::Open | ExtendedStatus::ActionScheduled | ExtendedStatus::InProgress => {
                ServiceStatus::Open
            }
            ExtendedStatus::Fixed
            | ExtendedStatus::Duplicate
            | ExtendedStatus::NotCouncilsResponsibility
            | ExtendedStatus::NoFurtherAction => ServiceStatus::Closed,
        }
    }
}

/// How a case in `status` reads from outside; `rejected` is why it was
/// rejected, when it was. A case handled and waiting to be verified is still
/// `open` (a verifier may send it back): only a verified close is `FIXED`.
pub fn status_of(status: Status, rejected: Option<&RejectReason>) -> ExtendedStatus {
    match status {
        Status::Reported => ExtendedStatus::Open,
        Status::Accepted | Status::Dispatched => ExtendedStatus::ActionScheduled,
        Status::InProgress | Status::Resolved => ExtendedStatus::InProgress,
        Status::Closed => ExtendedStatus::Fixed,
        Status::Rejected => match rejected {
            Some(RejectReason::Duplicate { .. }) => ExtendedStatus::Duplicate,
            Some(RejectReason::OutOfScope) => ExtendedStatus::NotCouncilsResponsibility,
            Some(RejectReason::Invalid) | None => ExtendedStatus::NoFurtherAction,
        },
    }
}

/// A step the public may read about: what the city did, never who wrote
/// what inside it (comments, returns between parties, ratings stay inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicStep {
    /// Registered as a case (立案).
    Accepted,
    /// Sent to a party (its code; the caller names it).
    Dispatched { party: Option<String> },
    /// The party has taken it (签收).
    Acknowledged,
    /// Handled; `result` is what the party or the grid worker reported doing.
    Resolved { result: Option<String> },
    /// Verified and closed (结案).
    Closed,
    /// The result fell short and the work goes on (返工).
    Reopened,
    /// Not a case, and why.
    Rejected { reason: Option<RejectReason> },
}

/// The public step an event of `action` makes, or `None` for the steps that
/// stay inside. `note` is what the actor wrote; only a result is public.
pub fn public_step(
    action: ActionKind,
    note: Option<&str>,
    dispatched_to: Option<&str>,
    rejected: Option<&RejectReason>,
) -> Option<PublicStep> {
    match action {
        ActionKind::Accept => Some(PublicStep::Accepted),
        ActionKind::Dispatch => Some(PublicStep::Dispatched {
            party: dispatched_to.map(str::to_owned),
        }),
        ActionKind::Acknowledge => Some(PublicStep::Acknowledged),
        ActionKind::Resolve | ActionKind::ResolveOnSpot => Some(PublicStep::Resolved {
            result: note.map(str::to_owned),
        }),
        ActionKind::Verify => Some(PublicStep::Closed),
        ActionKind::Reopen => Some(PublicStep::Reopened),
        ActionKind::Reject => Some(PublicStep::Rejected {
            reason: rejected.cloned(),
        }),
        ActionKind::Return | ActionKind::Rate | ActionKind::Comment => None,
    }
}

impl PublicStep {
    /// The words of the step, with the party's name where one was sent for.
    pub fn text(&self, party_name: Option<&str>, english: bool) -> String {
        let party = party_name.unwrap_or(if english {
            "the responsible party"
        } else {
            "责任单位"
        });
        match (self, english) {
            (PublicStep::Accepted, false) => "已受理，等待派遣。".into(),
            (PublicStep::Accepted, true) => "Registered; waiting to be dispatched.".into(),
            (PublicStep::Dispatched { .. }, false) => format!("已派遣至{party}。"),
            (PublicStep::Dispatched { .. }, true) => format!("Dispatched to {party}."),
            (PublicStep::Acknowledged, false) => format!("{party}已签收，正在处理。"),
            (PublicStep::Acknowledged, true) => format!(
                "{} has taken it on.",
                party_name.unwrap_or("The responsible party")
            ),
            (PublicStep::Resolved { result: Some(r) }, false) => format!("已处置：{r}"),
            (PublicStep::Resolved { result: Some(r) }, true) => format!("Handled: {r}"),
            (PublicStep::Resolved { result: None }, false) => "已处置，等待核查。".into(),
            (PublicStep::Resolved { result: None }, true) => {
                "Handled; waiting to be verified.".into()
            }
            (PublicStep::Closed, false) => "经核查已结案。".into(),
            (PublicStep::Closed, true) => "Verified and closed.".into(),
            (PublicStep::Reopened, false) => "核查未通过，重新处置。".into(),
            (PublicStep::Reopened, true) => "Not yet up to standard; being handled again.".into(),
            (PublicStep::Rejected { reason }, false) => match reason {
                Some(RejectReason::Duplicate { .. }) => "与已有案件重复，并入该案件办理。".into(),
                Some(RejectReason::OutOfScope) => "不属于网格管理受理范围。".into(),
                _ => "经核实，无需处置。".into(),
            },
            (PublicStep::Rejected { reason }, true) => match reason {
                Some(RejectReason::Duplicate { .. }) => {
                    "A duplicate of an existing case, handled there.".into()
                }
                Some(RejectReason::OutOfScope) => "Not something the city's grids handle.".into(),
                _ => "Checked; no action needed.".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_maps_to_the_spec_state_of_its_extended_status() {
        let reasons = [
            None,
            Some(RejectReason::Duplicate { of: "x".into() }),
            Some(RejectReason::OutOfScope),
            Some(RejectReason::Invalid),
        ];
        for status in Status::ALL {
            for reason in &reasons {
                let extended = status_of(status, reason.as_ref());
                let spec = extended.service_status();
                assert!(spec.states().contains(&status), "{status:?} → {extended:?}");
            }
        }
    }

    #[test]
    fn a_verified_close_is_fixed_and_a_handled_case_is_still_open() {
        assert_eq!(status_of(Status::Closed, None), ExtendedStatus::Fixed);
        assert_eq!(
            status_of(Status::Resolved, None).service_status(),
            ServiceStatus::Open
        );
    }

    #[test]
    fn rejections_say_why() {
        let dup = RejectReason::Duplicate { of: "a".into() };
        assert_eq!(
            status_of(Status::Rejected, Some(&dup)),
            ExtendedStatus::Duplicate
        );
        assert_eq!(
            status_of(Status::Rejected, Some(&RejectReason::OutOfScope)).as_str(),
            "NOT_COUNCILS_RESPONSIBILITY"
        );
    }

    #[test]
    fn comments_and_returns_stay_inside() {
        for action in [ActionKind::Comment, ActionKind::Return, ActionKind::Rate] {
            assert_eq!(public_step(action, Some("内部意见"), None, None), None);
        }
        let resolved = public_step(ActionKind::Resolve, Some("已清理积雪"), None, None);
        assert_eq!(
            resolved.map(|s| s.text(None, false)),
            Some("已处置：已清理积雪".to_owned())
        );
    }

    #[test]
    fn a_dispatch_names_the_party() {
        let step = public_step(ActionKind::Dispatch, Some("note"), Some("zy-city"), None);
        assert_eq!(
            step.map(|s| s.text(Some("中原区城管局"), false)),
            Some("已派遣至中原区城管局。".to_owned())
        );
    }
}
