use actix_web::{get, web};
use chrono::{DateTime, Utc};
use gridops_infra::repo::routing;
use serde::Serialize;
use utoipa::ToSchema;

use super::names::{DecisionView, LangQuery, Names, language_of};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::routes::incidents::load_visible;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct StoredDecisionView {
    pub id: String,
    pub decided_at: DateTime<Utc>,
    /// `report`, `accept` or `return`: what made the incident be routed.
    pub cause: String,
    #[serde(flatten)]
    pub decision: DecisionView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingHistory {
    /// Oldest first.
    pub decisions: Vec<StoredDecisionView>,
}

/// Every routing decision taken for an incident, with why, in the caller's
/// language; for whoever may see the incident.
#[utoipa::path(
    tag = "routing",
    params(("id" = String, Path, description = "Incident id"), LangQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decisions, oldest first", body = RoutingHistory),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}/routing")]
pub async fn incident_routing(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidQuery(query): ValidQuery<LangQuery>,
) -> Result<web::Json<RoutingHistory>, ApiError> {
    let stored = load_visible(&state, &actor, id.into_inner()).await?;
    let language = language_of(&state, &actor, query.lang).await?;
    let (incident_id, areas) = (stored.incident.id.clone(), state.areas.current());
    let (decisions, names) = state
        .db
        .run(move |conn| {
            let decisions = routing::decisions(conn, &incident_id)?;
            let all: Vec<_> = decisions.iter().map(|d| &d.decision).collect();
            let names = Names::load(conn, areas, &all)?;
            Ok((decisions, names))
        })
        .await?;
    Ok(web::Json(RoutingHistory {
        decisions: decisions
            .iter()
            .map(|d| StoredDecisionView {
                id: d.id.clone(),
                decided_at: d.decided_at.and_utc(),
                cause: d.cause.clone(),
                decision: names.view(&d.decision, language),
            })
            .collect(),
    }))
}
