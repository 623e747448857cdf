//! `GET /api/v1/me/checks`: the checklists waiting for the caller.

use actix_web::{get, web};
use gridops_domain::role::Role;
use gridops_infra::repo::check_answers;
use gridops_infra::repo::now;

use super::dto::{CheckTaskView, MyChecksView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The open checklist tasks of the grids the caller holds as a grid worker
/// or chief: campaigns running, tasks not done, newest campaign first.
#[utoipa::path(
    tag = "checks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's open checklists", body = MyChecksView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller holds no grid: only grid workers and chiefs have checklists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/checks")]
pub async fn my_checks(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<MyChecksView>, ApiError> {
    let areas: Vec<_> = actor
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::GridWorker | Role::GridChief))
        .filter_map(|g| g.area.clone())
        .collect();
    if areas.is_empty() {
        return Err(ApiError::forbidden(
            "only grid workers and grid chiefs have checklists",
        ));
    }
    let tasks = state
        .db
        .run(move |conn| check_answers::open_tasks_under(conn, &areas))
        .await?;
    let at = now();
    Ok(web::Json(MyChecksView {
        items: tasks.iter().map(|t| CheckTaskView::new(t, at)).collect(),
    }))
}
