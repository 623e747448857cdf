//! Reporting: who may open an incident, from which source, and what it
//! starts as; and a finding handled at once (小事不出网格), reported and
//! resolved on the spot in one go.

use chrono::NaiveDateTime;

use super::{
    Command, Incident, IncidentError, MAX_TEXT_CHARS, Source, Status, TimelineEvent, apply,
};
use crate::access::Actor;
use crate::area::AreaCode;
use crate::category::{Category, Priority};
use crate::role::Role;

/// What a reporter sends, already located to its grid.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub id: String,
    pub reference: String,
    pub category: &'a Category,
    pub description: String,
    pub grid: AreaCode,
    /// Only a dispatcher sets the priority; others get the category's.
    pub priority: Option<Priority>,
    /// How it came in: a dispatcher entering a 12345 call says so, an Open311
    /// client's request is one; other reports' source follows the role.
    pub channel: Channel,
}

/// How a report reached gridops, when not by its reporter's own hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    /// Reported by the actor in person (app, console): the source follows the role.
    #[default]
    Direct,
    /// A 12345 call a dispatcher enters.
    Hotline,
    /// A request of an Open311 client (its key's account is the actor): the
    /// key, checked before, is the authority, not a role.
    Open311,
}

/// The source a report by `actor` comes from, or `None` when their roles do
/// not report (handlers and administrators act on cases, they do not open them).
pub fn source_of(actor: &Actor, channel: Channel) -> Option<Source> {
    let from_hotline = channel == Channel::Hotline;
    if channel == Channel::Open311 {
        Some(Source::Open311)
    } else if actor.has_role(Role::Dispatcher) {
        Some(if from_hotline {
            Source::Hotline
        } else {
            Source::Console
        })
    } else if actor.has_role(Role::GridWorker) || actor.has_role(Role::GridChief) {
        Some(Source::Patrol)
    } else if actor.has_role(Role::Resident) {
        Some(Source::Resident)
    } else {
        None
    }
}

/// Opens an incident in `reported`, version 1.
pub fn report(
    report: Report<'_>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Incident, IncidentError> {
    let source = source_of(actor, report.channel).ok_or(IncidentError::NotAReporter)?;
    if report.channel == Channel::Hotline && source != Source::Hotline {
        return Err(IncidentError::Invalid {
            field: "source",
            message: "only dispatchers enter hotline calls".into(),
        });
    }
    let description = report.description.trim();
    if description.is_empty() {
        return Err(IncidentError::Invalid {
            field: "description",
            message: "describe what you found".into(),
        });
    }
    if description.chars().count() > MAX_TEXT_CHARS {
        return Err(IncidentError::Invalid {
            field: "description",
            message: format!("at most {MAX_TEXT_CHARS} characters"),
        });
    }
    if report.priority.is_some() && !actor.has_role(Role::Dispatcher) {
        return Err(IncidentError::Invalid {
            field: "priority",
            message: "only a dispatcher sets the priority; it follows the category".into(),
        });
    }
    Ok(Incident {
        id: report.id,
        reference: report.reference,
        category: report.category.code.clone(),
        description: description.to_owned(),
        grid: report.grid,
        reporter_id: actor.user_id.clone(),
        source,
        priority: report.priority.unwrap_or(report.category.default_priority),
        status: Status::Reported,
        party: None,
        assignee: None,
        returned_by: Vec::new(),
        duplicate_of: None,
        rating: None,
        rework_count: 0,
        followers: Vec::new(),
        assists: Vec::new(),
        result: None,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// The field of a report that asks for it to be resolved on the spot.
pub const HANDLED_ON_SPOT: &str = "handled_on_spot";

/// A finding handled at once (小事不出网格): the incident as reported, and the
/// step that resolves it on the spot with `result`, by the same actor at the
/// same time, to be stored together. The rules are those of the two steps:
/// [`report`], then [`apply`] of [`Command::ResolveOnSpot`] on the report
/// (a grid worker or chief of its grid). Refused with the field
/// [`HANDLED_ON_SPOT`] named when the reporter may not resolve it on the
/// spot; before-and-after photos follow on the incident.
pub fn report_handled_on_spot(
    draft: Report<'_>,
    result: String,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(Incident, (Incident, TimelineEvent)), IncidentError> {
    let reported = report(draft, actor, now)?;
    let command = Command::ResolveOnSpot {
        result,
        photos: Vec::new(),
    };
    let resolved = apply(&reported, command, actor, now).map_err(|e| match e {
        IncidentError::Forbidden { .. } => IncidentError::Invalid {
            field: HANDLED_ON_SPOT,
            message: format!(
                "only a grid worker or grid chief of its grid handles a finding on the spot; \
                 report it without `{HANDLED_ON_SPOT}`"
            ),
        },
        IncidentError::Invalid {
            field: "result",
            message,
        } => IncidentError::Invalid {
            field: "handled_on_spot.result",
            message,
        },
        other => other,
    })?;
    Ok((reported, resolved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;
    use crate::category::TimeLimit;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: "u1".into(),
            grants: vec![Grant {
                role,
                area: None,
                party: None,
            }],
        }
    }

    fn category() -> Category {
        Category {
            code: "neighbourhood.dog_noise".into(),
            parent_code: Some("neighbourhood".into()),
            label_zh: "犬只扰民".into(),
            label_en: "Noise from dogs".into(),
            default_priority: Priority::Normal,
            acknowledge_within: TimeLimit::working_hours(4),
            resolve_within: TimeLimit::working_days(5),
            duplicate_radius_m: 250,
            verify_on_site: false,
            public_reports: true,
        }
    }

    fn draft(category: &Category) -> Report<'_> {
        Report {
            id: "i1".into(),
            reference: "410102-20261124-000001".into(),
            category,
            description: " 狗叫了一夜 ".into(),
            grid: AreaCode::parse("410102003001002").unwrap_or_else(|e| panic!("{e}")),
            priority: None,
            channel: Channel::Direct,
        }
    }

    #[test]
    fn the_source_follows_the_role() {
        let c = category();
        let at = NaiveDateTime::default();
        let by = |role| report(draft(&c), &actor(role), at).map(|i| i.source);
        assert_eq!(by(Role::Resident), Ok(Source::Resident));
        assert_eq!(by(Role::GridWorker), Ok(Source::Patrol));
        assert_eq!(by(Role::Dispatcher), Ok(Source::Console));
        assert!(matches!(
            by(Role::Handler),
            Err(IncidentError::NotAReporter)
        ));
        assert!(matches!(by(Role::Admin), Err(IncidentError::NotAReporter)));
        let hotline = report(
            Report {
                channel: Channel::Hotline,
                ..draft(&c)
            },
            &actor(Role::Dispatcher),
            at,
        );
        assert_eq!(hotline.map(|i| i.source), Ok(Source::Hotline));
    }

    #[test]
    fn an_open311_request_is_reported_by_its_key_account_without_a_role() {
        let c = category();
        let client = Actor {
            user_id: "open311-key".into(),
            grants: vec![],
        };
        let draft = || Report {
            channel: Channel::Open311,
            ..draft(&c)
        };
        let reported = report(draft(), &client, NaiveDateTime::default());
        assert_eq!(reported.map(|i| i.source), Ok(Source::Open311));
        // Only a worker of the grid fixes a thing on the spot.
        let on_spot =
            report_handled_on_spot(draft(), "done".into(), &client, NaiveDateTime::default());
        assert!(on_spot.is_err());
    }

    fn in_grid(id: &str, role: Role, area: &str) -> Actor {
        Actor {
            user_id: id.into(),
            grants: vec![Grant {
                role,
                area: Some(AreaCode::parse(area).unwrap_or_else(|e| panic!("{e}"))),
                party: None,
            }],
        }
    }

    #[test]
    fn a_finding_handled_at_once_is_reported_and_resolved_by_its_finder() {
        let c = category();
        let at = NaiveDateTime::default();
        let worker = in_grid("worker", Role::GridWorker, "410102003001002");
        let (reported, (resolved, event)) =
            report_handled_on_spot(draft(&c), " 已劝导犬主牵回 ".into(), &worker, at)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((reported.status, reported.version), (Status::Reported, 1));
        assert_eq!(reported.source, Source::Patrol);
        assert_eq!((resolved.status, resolved.version), (Status::Resolved, 2));
        assert_eq!(resolved.result.as_deref(), Some("已劝导犬主牵回"));
        assert_eq!((resolved.party, resolved.updated_at), (None, at));
        assert_eq!(
            (event.action, event.from, event.to),
            (
                super::super::ActionKind::ResolveOnSpot,
                Status::Reported,
                Status::Resolved
            )
        );
        assert_eq!((event.actor_id.as_str(), event.at), ("worker", at));
        assert_eq!(event.note.as_deref(), Some("已劝导犬主牵回"));
        let chief = in_grid("chief", Role::GridChief, "410102003001002");
        assert!(report_handled_on_spot(draft(&c), "done".into(), &chief, at).is_ok());
    }

    #[test]
    fn only_grid_staff_of_the_grid_handle_a_finding_on_the_spot() {
        let c = category();
        let at = NaiveDateTime::default();
        let refused = |who: &Actor| match report_handled_on_spot(draft(&c), "done".into(), who, at)
        {
            Err(IncidentError::Invalid { field, .. }) => field,
            other => panic!("{}: {other:?}", who.user_id),
        };
        for who in [
            in_grid("resident", Role::Resident, "410102003001"),
            in_grid("elsewhere", Role::GridWorker, "410102003001001"),
            in_grid("dispatcher", Role::Dispatcher, "410102003"),
        ] {
            assert_eq!(refused(&who), HANDLED_ON_SPOT, "{}", who.user_id);
        }
        assert!(matches!(
            report_handled_on_spot(draft(&c), "done".into(), &actor(Role::Handler), at),
            Err(IncidentError::NotAReporter)
        ));
        let worker = in_grid("worker", Role::GridWorker, "410102003001002");
        assert_eq!(
            report_handled_on_spot(draft(&c), " \n".into(), &worker, at).map(|_| ()),
            Err(IncidentError::Invalid {
                field: "handled_on_spot.result",
                message: "must not be blank".into()
            })
        );
    }

    #[test]
    fn a_report_starts_reported_with_the_category_priority() {
        let c = category();
        let incident = report(draft(&c), &actor(Role::Resident), NaiveDateTime::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (incident.status, incident.version, incident.priority),
            (Status::Reported, 1, Priority::Normal)
        );
        assert_eq!(incident.description, "狗叫了一夜");
        let urgent = Report {
            priority: Some(Priority::Urgent),
            ..draft(&c)
        };
        assert!(matches!(
            report(
                urgent.clone(),
                &actor(Role::Resident),
                NaiveDateTime::default()
            ),
            Err(IncidentError::Invalid {
                field: "priority",
                ..
            })
        ));
        let by_dispatcher = report(urgent, &actor(Role::Dispatcher), NaiveDateTime::default());
        assert_eq!(by_dispatcher.map(|i| i.priority), Ok(Priority::Urgent));
        let blank = Report {
            description: "  ".into(),
            ..draft(&c)
        };
        assert!(matches!(
            report(blank, &actor(Role::Resident), NaiveDateTime::default()),
            Err(IncidentError::Invalid {
                field: "description",
                ..
            })
        ));
    }
}
