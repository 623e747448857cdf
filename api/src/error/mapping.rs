//! How the errors of the domain and of the stores become problems: the one
//! place that decides which [`ErrorCode`] each kind of refusal or failure is,
//! and which extension members it carries.

use actix_web::http::header::RETRY_AFTER;
use gridops_domain::deadline::request::RequestError;
use gridops_domain::incident::{AssistError, IncidentError};
use gridops_domain::patrol::PatrolError;
use gridops_infra::DbError;
use gridops_infra::photos::PhotoError;
use gridops_infra::workflow::StepError;
use gridops_infra::workflow::links::LinkFailure;
use gridops_infra::workflow::patrol::PatrolFailure;

use super::{ApiError, ErrorCode, FieldError};

const NO_SUCH_INCIDENT: &str = "no such incident";

/// When a client should try again after the database was unreachable: the
/// pool retries its connections at least this often.
const DATABASE_RETRY_AFTER_SECS: u32 = 2;

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ApiError::not_found("no such object"),
            DbError::Conflict(cause) => {
                tracing::info!(%cause, "conflict");
                ApiError::new(
                    ErrorCode::Conflict,
                    "the change conflicts with what is stored",
                )
            }
            DbError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::new(
                    ErrorCode::DatabaseUnavailable,
                    "the database cannot be reached; try again shortly",
                )
                .with_header(RETRY_AFTER, DATABASE_RETRY_AFTER_SECS.to_string())
            }
            other => ApiError::internal(other),
        }
    }
}

/// Maps a database error, saying what was not found in the user's words.
pub fn missing(detail: impl Into<String>) -> impl FnOnce(DbError) -> ApiError {
    let detail = detail.into();
    move |e| match e {
        DbError::NotFound => ApiError::not_found(detail),
        other => other.into(),
    }
}

impl From<IncidentError> for ApiError {
    fn from(e: IncidentError) -> Self {
        match e {
            IncidentError::Hidden => ApiError::not_found(NO_SUCH_INCIDENT),
            IncidentError::Forbidden { action } => {
                ApiError::forbidden(format!("your role may not {action} this incident"))
            }
            e @ IncidentError::NotAReporter => ApiError::forbidden(e.to_string()),
            IncidentError::InvalidTransition { current, allowed } => {
                let allowed: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                ApiError::new(
                    ErrorCode::InvalidTransition,
                    format!(
                        "not possible while the incident is {current}; you may now: {}",
                        if allowed.is_empty() {
                            "nothing".to_owned()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                )
                .with_extension("current_status", current.as_str().into())
                .with_extension("allowed_actions", allowed.into())
            }
            IncidentError::Invalid { field, message } => ApiError::validation(vec![FieldError {
                field: field.to_owned(),
                message,
            }]),
            IncidentError::AssistsPending { parties } => ApiError::new(
                ErrorCode::AssistsPending,
                format!(
                    "the assisting parties have not all reported; still to report: {}",
                    parties.join(", ")
                ),
            )
            .with_extension("pending_parties", parties.into()),
            IncidentError::Assist(e) => e.into(),
        }
    }
}

/// An assist step refused by the rules.
impl From<AssistError> for ApiError {
    fn from(e: AssistError) -> Self {
        match e {
            AssistError::Forbidden { step } => {
                ApiError::forbidden(format!("your role may not {step} this incident"))
            }
            e @ AssistError::NotAssisting { .. } => ApiError::not_found(e.to_string()),
            AssistError::OutOfTurn { message, .. } => {
                ApiError::new(ErrorCode::AssistOutOfTurn, message)
            }
        }
    }
}

/// Suspensions and extensions refused by their rules.
impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Hidden => ApiError::not_found(NO_SUCH_INCIDENT),
            RequestError::Forbidden(why) => ApiError::forbidden(why),
            RequestError::Conflict(why) => ApiError::new(ErrorCode::ClockRequestConflict, why),
            RequestError::Invalid { field, message } => ApiError::invalid_field(field, message),
        }
    }
}

/// Why the workflow wrote nothing.
impl From<StepError> for ApiError {
    fn from(e: StepError) -> Self {
        match e {
            StepError::Refused(e) => e.into(),
            StepError::ClockRequest(e) => e.into(),
            StepError::Stale { current } => ApiError::stale_version("incident", current),
            StepError::Busy => {
                ApiError::new(ErrorCode::Busy, "the incident is changing fast; try again")
            }
            StepError::Taken(what) => ApiError::new(ErrorCode::Conflict, what),
            StepError::Missing(what) => ApiError::not_found(what),
            StepError::Db(e) => e.into(),
        }
    }
}

/// A link or unlink refused; nothing was stored.
impl From<LinkFailure> for ApiError {
    fn from(e: LinkFailure) -> Self {
        match e {
            LinkFailure::Missing(what) => ApiError::not_found(what),
            LinkFailure::Forbidden(why) => ApiError::forbidden(why),
            LinkFailure::Stale { current } => ApiError::stale_version("incident", current),
            LinkFailure::Refused(e) if e.is_conflict() => {
                ApiError::new(ErrorCode::LinkConflict, e.to_string())
            }
            LinkFailure::Refused(e) => ApiError::invalid_field(e.field(), e.to_string()),
            LinkFailure::Db(e) => e.into(),
        }
    }
}

/// An upload refused by the photo inspection; nothing was stored.
impl From<PhotoError> for ApiError {
    fn from(e: PhotoError) -> Self {
        let code = match e {
            PhotoError::TooLarge { .. } => ErrorCode::PhotoTooLarge,
            PhotoError::Empty => ErrorCode::PhotoEmpty,
            PhotoError::UnsupportedType { .. } => ErrorCode::PhotoUnsupportedType,
            PhotoError::Corrupt(_) => ErrorCode::PhotoCorrupt,
        };
        ApiError::new(code, e.to_string())
    }
}

/// 409 of a routing rule as specific as a stored one for the same case,
/// naming both.
pub fn rule_conflict(new: &str, new_name: &str, existing: &str, existing_name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RuleConflict,
        format!(
            "rule 「{new_name}」 ({new}) is as specific as rule 「{existing_name}」 \
             ({existing}) and both can match the same case; narrow one of them \
             (category, area, time window or priority)"
        ),
    )
    .with_extension(
        "existing_rule",
        serde_json::json!({"id": existing, "name": existing_name}),
    )
    .with_extension("new_rule", serde_json::json!({"id": new, "name": new_name}))
}

impl From<PatrolError> for ApiError {
    fn from(e: PatrolError) -> Self {
        match e {
            PatrolError::Invalid { field, message } => ApiError::invalid_field(field, message),
            e @ PatrolError::AlreadyEnded => ApiError::new(ErrorCode::PatrolEnded, e.to_string()),
        }
    }
}

impl From<PatrolFailure> for ApiError {
    fn from(e: PatrolFailure) -> Self {
        match e {
            PatrolFailure::Refused(e) => e.into(),
            PatrolFailure::Batch(e) => ApiError::invalid_field(e.field, e.message),
            PatrolFailure::AlreadyRunning(id) => ApiError::new(
                ErrorCode::PatrolRunning,
                format!("patrol {id} is still running: end it first"),
            )
            .with_extension("running_patrol", id.into()),
            e @ PatrolFailure::Taken => ApiError::new(ErrorCode::Taken, e.to_string()),
            e @ PatrolFailure::NoLongerAccepting => {
                ApiError::new(ErrorCode::PatrolEnded, e.to_string())
            }
            PatrolFailure::Db(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;

    use super::*;

    #[test]
    fn photo_refusals_keep_their_codes_and_statuses() {
        let cases = [
            (PhotoError::TooLarge { max: 1 }, 413, "photo_too_large"),
            (PhotoError::Empty, 422, "photo_empty"),
            (
                PhotoError::UnsupportedType { detected: None },
                415,
                "photo_unsupported_type",
            ),
            (PhotoError::Corrupt("x".into()), 422, "photo_corrupt"),
        ];
        for (e, status, code) in cases {
            let e = ApiError::from(e);
            assert_eq!((e.status().as_u16(), e.code().code()), (status, code));
        }
    }

    #[test]
    fn a_stale_version_names_the_current_one() {
        let e = ApiError::from(StepError::Stale { current: 7 });
        assert_eq!(e.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(e.code(), ErrorCode::StaleVersion);
        assert_eq!(
            e.headers,
            vec![(actix_web::http::header::ETAG, "\"7\"".to_owned())]
        );
        assert_eq!(
            e.problem().detail,
            "the incident changed since you read it; it is now version 7: read it again"
        );
    }

    #[test]
    fn assists_pending_lists_the_parties() {
        let e = ApiError::from(IncidentError::AssistsPending {
            parties: vec!["a".into(), "b".into()],
        });
        assert_eq!(e.code(), ErrorCode::AssistsPending);
        assert_eq!(
            e.problem().extensions["pending_parties"],
            serde_json::json!(["a", "b"])
        );
    }
}
