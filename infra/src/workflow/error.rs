//! Why the workflow wrote nothing. Each kind is a domain refusal or a
//! storage fact; the API renders them (`api/src/error.rs`), nothing here
//! knows HTTP.

use gridops_domain::deadline::request::RequestError;
use gridops_domain::incident::IncidentError;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The domain refused the step (hidden, forbidden, invalid transition,
    /// invalid input, assists pending, an assist out of turn).
    #[error(transparent)]
    Refused(#[from] IncidentError),
    /// The rules of suspensions and extensions refused the request.
    #[error(transparent)]
    ClockRequest(#[from] RequestError),
    /// The caller read another version (`If-Match`) than the one stored now.
    #[error("the incident is now at version {current}")]
    Stale { current: i64 },
    /// Lost the race for the incident several times running.
    #[error("the incident is changing fast; try again")]
    Busy,
    /// A client-chosen id is taken.
    #[error("{0}")]
    Taken(&'static str),
    /// No such incident, or no such request on it.
    #[error("{0}")]
    Missing(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}
