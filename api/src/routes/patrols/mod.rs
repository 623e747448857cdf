//! `/api/v1/patrols`: a grid worker's patrol of their grids — start, end,
//! the track their phone sends (late, out of order, twice), the incidents
//! found on it — and `/api/v1/grids/{code}/coverage`: which lanes nobody
//! walked.
//!
//! Tracks are sensitive personal data (PIPL art. 28): only the walker, the
//! chiefs of its grids and the dispatchers over them read one, and every
//! read by someone other than the walker is written to
//! `personal_data_access`. No coordinates of workers are logged.

pub mod coverage;
pub mod create;
pub mod dto;
pub mod end;
pub mod get;
pub mod list;
pub mod track;

use gridops_domain::access::{Access, Actor, Capability, Target, decide};
use gridops_infra::repo::audit;
use gridops_infra::repo::patrols::{self, StoredPatrol};

use crate::error::{ApiError, missing};
use crate::state::AppState;

const NO_SUCH_PATROL: &str = "no such patrol";

/// The patrol if the domain lets `actor` do `capability` to it: 404 when
/// they may not know it exists, 403 when they may see it but not do this.
pub async fn patrol_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    capability: Capability,
) -> Result<StoredPatrol, ApiError> {
    let id = id.to_owned();
    let stored = state
        .db
        .run(move |conn| patrols::find(conn, &id))
        .await
        .map_err(missing(NO_SUCH_PATROL))?;
    let target = Target::Patrol {
        walker: &stored.patrol.walker_id,
        grids: &stored.patrol.grids,
    };
    match decide(actor, capability, target) {
        Access::Granted => Ok(stored),
        Access::Forbidden => Err(ApiError::forbidden(
            "only its walker changes a patrol, its track and its findings",
        )),
        Access::Hidden => Err(ApiError::not_found(NO_SUCH_PATROL)),
    }
}

/// Writes a read of someone's movements by another person to the
/// personal-data access log (PIPL); the walker's own reads are not logged.
pub async fn log_read_by_other(
    state: &AppState,
    actor: &Actor,
    patrol: &StoredPatrol,
    field: &'static str,
) -> Result<(), ApiError> {
    if actor.user_id == patrol.patrol.walker_id {
        return Ok(());
    }
    let (reader, subject) = (actor.user_id.clone(), patrol.patrol.walker_id.clone());
    let purpose = format!("patrol {}", patrol.patrol.id);
    state
        .db
        .write(move |conn| {
            audit::record_personal_data_read(conn, &reader, &subject, field, &purpose)
        })
        .await?;
    Ok(())
}
