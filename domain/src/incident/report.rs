//! Reporting: who may open an incident, from which source, and what it
//! starts as.

use chrono::NaiveDateTime;

use super::{Incident, IncidentError, MAX_TEXT_CHARS, Source, Status};
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
    /// A dispatcher entering a 12345 call says so; other sources follow the role.
    pub from_hotline: bool,
}

/// The source a report by `actor` comes from, or `None` when their roles do
/// not report (handlers and administrators act on cases, they do not open them).
pub fn source_of(actor: &Actor, from_hotline: bool) -> Option<Source> {
    if actor.has_role(Role::Dispatcher) {
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
    let source = source_of(actor, report.from_hotline).ok_or(IncidentError::NotAReporter)?;
    if report.from_hotline && source != Source::Hotline {
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
            from_hotline: false,
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
                from_hotline: true,
                ..draft(&c)
            },
            &actor(Role::Dispatcher),
            at,
        );
        assert_eq!(hotline.map(|i| i.source), Ok(Source::Hotline));
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
