//! `/api/v1/checks`: a grid's checklist of a campaign (未诉先办) — the
//! phone's view of it, its answers (fine, fixed on the spot, raised as a
//! case), and `/api/v1/me/checks`, the caller's open checklists.
//!
//! A task is the workers' and the chief's of its grid; to anyone else it
//! does not exist, except the dispatchers over the grid and the
//! administrators, who read it.

pub mod answer;
pub mod dto;
pub mod get;
pub mod mine;

use gridops_domain::access::{Actor, Capability, Place, decide};
use gridops_domain::campaign::Answer;
use gridops_infra::repo::check_answers::{self, CheckTask};
use gridops_infra::repo::incidents;
use gridops_infra::{DbConnection, DbError};

use self::dto::{CheckAnswerView, CheckIncidentRef};
use crate::error::{ApiError, missing};
use crate::state::AppState;

const NO_SUCH_TASK: &str = "no such checklist task";

/// Whether `actor` may do `capability` on the task's grid.
fn may(actor: &Actor, capability: Capability, task: &CheckTask) -> bool {
    let grids = [task.grid.clone()];
    let place = Place {
        areas: &grids,
        ..Place::default()
    };
    decide(actor, capability, place).is_granted()
}

/// The task if `actor` may answer it, or (`read`) read it; else 404.
pub async fn task_for(
    state: &AppState,
    actor: &Actor,
    id: &str,
    read: bool,
) -> Result<CheckTask, ApiError> {
    let id = id.to_owned();
    let task = state
        .db
        .run(move |conn| check_answers::find_task(conn, &id))
        .await
        .map_err(missing(NO_SUCH_TASK))?;
    let allowed = may(actor, Capability::AnswerCheck, &task)
        || (read && may(actor, Capability::RunCampaign, &task));
    if allowed {
        Ok(task)
    } else {
        Err(ApiError::not_found(NO_SUCH_TASK))
    }
}

/// The incident an answer made, as it stands now.
fn incident_of(
    conn: &mut DbConnection,
    answer: &Answer,
) -> Result<Option<CheckIncidentRef>, DbError> {
    let Some(id) = &answer.incident_id else {
        return Ok(None);
    };
    let stored = incidents::find(conn, id)?;
    Ok(Some(CheckIncidentRef {
        id: stored.incident.id,
        reference: stored.incident.reference,
        status: stored.incident.status.as_str().to_owned(),
    }))
}

/// An answer as stored, with its incident and its task's state now.
fn stored_view(
    conn: &mut DbConnection,
    task_id: &str,
    answer: &Answer,
) -> Result<CheckAnswerView, DbError> {
    let incident = incident_of(conn, answer)?;
    let done = check_answers::find_task(conn, task_id)?.done_at.is_some();
    Ok(CheckAnswerView::new(task_id, answer, incident, done))
}
