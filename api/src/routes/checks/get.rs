//! `GET /api/v1/checks/{task}`: a grid's checklist with its answers — the
//! phone's view of it.

use actix_web::{get, web};
use gridops_infra::repo::check_answers;
use gridops_infra::repo::now;

use super::dto::{CheckAnswerView, CheckItemView, CheckTaskView};
use super::{incident_of, task_for};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A checklist task with its campaign, every item and its answer, for the
/// workers and the chief of its grid, the dispatchers over the grid and the
/// administrators.
#[utoipa::path(
    tag = "checks",
    params(("task" = String, Path, description = "Checklist task id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The task, its items and their answers", body = CheckTaskView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task, or not of a grid the caller works or oversees", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/checks/{task}")]
pub async fn get_check(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    task: web::Path<String>,
) -> Result<web::Json<CheckTaskView>, ApiError> {
    let task = task_for(&state, &actor, &task, true).await?;
    let id = task.id.clone();
    let answers = state
        .db
        .run(move |conn| {
            check_answers::answers_of(conn, &id)?
                .into_iter()
                .map(|a| {
                    let incident = incident_of(conn, &a)?;
                    Ok((a, incident))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let done = task.done_at.is_some();
    let mut view = CheckTaskView::new(&task, now());
    view.items = Some(
        task.campaign
            .items
            .iter()
            .map(|item| {
                let answer = answers
                    .iter()
                    .find(|(a, _)| a.item_id == item.id)
                    .map(|(a, incident)| CheckAnswerView::new(&task.id, a, incident.clone(), done));
                CheckItemView::new(item, answer)
            })
            .collect(),
    );
    Ok(web::Json(view))
}
