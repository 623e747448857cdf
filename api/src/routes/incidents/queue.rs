use actix_web::{get, web};
use gridops_domain::incident::queue::QueueTab;
use gridops_domain::incident::{ListScope, Status, Visibility};
use gridops_infra::repo::incidents;
use gridops_infra::repo::now;
use serde::Serialize;
use utoipa::ToSchema;

use super::list::{ListIncidentsQuery, filter_of};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;

/// How many incidents each tab of the queue holds, and how many are open
/// in all (not yet closed or rejected).
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueCounts {
    pub open: usize,
    pub new: usize,
    pub on_site_check: usize,
    pub triage: usize,
    pub returned: usize,
    pub verify: usize,
    pub overdue: usize,
    pub escalated: usize,
}

/// The counts of the queue's tabs among the incidents the caller sees,
/// under the same filters as the list (`queue`, `sort`, `cursor` and
/// `limit` are ignored): what the console shows on its tabs.
#[utoipa::path(
    tag = "incidents",
    params(ListIncidentsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Counts per tab", body = QueueCounts),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/queue-counts")]
pub async fn queue_counts(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<ListIncidentsQuery>,
) -> Result<web::Json<QueueCounts>, ApiError> {
    let map = state.areas.current();
    let scope = ListScope::new(Visibility::of(&actor), &map);
    let mut filter = filter_of(query, &actor, &map)?;
    if filter.grids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(web::Json(QueueCounts::from(|_| 0)));
    }
    let at = now();
    let (open, counts) = state
        .db
        .run(move |conn| {
            let counts = QueueTab::ALL
                .into_iter()
                .map(|tab| {
                    filter.queue = Some((tab, at));
                    Ok((tab, incidents::count(conn, &scope, &filter)?))
                })
                .collect::<Result<Vec<_>, gridops_infra::DbError>>()?;
            filter.queue = None;
            filter.statuses = Status::ALL
                .into_iter()
                .filter(|s| !s.is_final())
                .map(|s| s.as_str().to_owned())
                .collect();
            Ok((incidents::count(conn, &scope, &filter)?, counts))
        })
        .await?;
    let mut answer = QueueCounts::from(|tab| {
        counts
            .iter()
            .find(|(t, _)| *t == tab)
            .map_or(0, |(_, n)| *n)
    });
    answer.open = open;
    Ok(web::Json(answer))
}

impl QueueCounts {
    fn from(count: impl Fn(QueueTab) -> usize) -> Self {
        QueueCounts {
            open: 0,
            new: count(QueueTab::New),
            on_site_check: count(QueueTab::OnSiteCheck),
            triage: count(QueueTab::Triage),
            returned: count(QueueTab::Returned),
            verify: count(QueueTab::Verify),
            overdue: count(QueueTab::Overdue),
            escalated: count(QueueTab::Escalated),
        }
    }
}
