//! `/api/v1/admin/outbox`: what is waiting to be pushed, what was given up
//! on, and a second chance for dead letters.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use gridops_domain::access::Capability;
use gridops_infra::repo::notifications::{self as repo, OutboxRow};
use gridops_infra::repo::now;
use gridops_infra::signals::OUTBOX;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::ValidQuery;
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Sent,
    /// Given up on: refused by the provider, or out of attempts.
    #[default]
    Dead,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Dead => "dead",
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Default `dead`.
    pub state: Option<OutboxState>,
    /// `next_cursor` of the previous page.
    #[validate(length(max = 64, message = "not a cursor of this list"))]
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// One push: to whom (a user id, never a device token), its tries and its
/// last error.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: String,
    pub notification_id: String,
    pub user_id: String,
    pub channel: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<OutboxRow> for OutboxItem {
    fn from(r: OutboxRow) -> Self {
        OutboxItem {
            id: r.id,
            notification_id: r.notification_id,
            user_id: r.user_id,
            channel: r.channel,
            state: r.state,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.and_utc(),
            last_error: r.last_error,
            created_at: r.created_at.and_utc(),
            sent_at: r.sent_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxItem>,
    pub next_cursor: Option<String>,
}

/// The 403 of `Capability::AdministerOutbox` (who may: `domain::access`).
const REFUSED: &str = "the outbox is for administrators";

/// Pushes in a state, oldest first (administrators).
#[utoipa::path(
    tag = "notifications",
    params(OutboxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the outbox", body = OutboxPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/admin/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<OutboxQuery>,
) -> Result<web::Json<OutboxPage>, ApiError> {
    require(&actor, Capability::AdministerOutbox, REFUSED)?;
    let wanted = query.state.unwrap_or_default().as_str();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let after = query.cursor;
    let page = state
        .db
        .run(move |conn| repo::outbox_rows(conn, wanted, after.as_deref(), limit))
        .await?;
    Ok(web::Json(OutboxPage {
        items: page.items.into_iter().map(OutboxItem::from).collect(),
        next_cursor: page.next,
    }))
}

/// Puts a dead letter back in line, with its attempts counted afresh
/// (administrators; after fixing what made it fail).
#[utoipa::path(
    tag = "notifications",
    params(("id" = String, Path, description = "Outbox id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pending again", body = OutboxItem),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dead letter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/outbox/{id}/retry")]
pub async fn retry_dead_letter(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<OutboxItem>, ApiError> {
    require(&actor, Capability::AdministerOutbox, REFUSED)?;
    let id = id.into_inner();
    let row = state
        .db
        .write(move |conn| repo::revive(conn, &id, now()))
        .await
        .map_err(missing("no such dead letter"))?;
    state.signals.raise_local(OUTBOX);
    Ok(web::Json(row.into()))
}
