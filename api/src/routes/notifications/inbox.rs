//! `/api/v1/notifications`: the in-app inbox. Everything pushed is here too,
//! for the phone without a token and the console without a phone.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use gridops_infra::DbError;
use gridops_infra::repo::notifications::{self as repo, InboxCursor, NotificationRow};
use gridops_infra::repo::now;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::extract::parse_time_cursor;
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// `dispatched`, `resolved`, `closed`, `notice`, …
    pub topic: String,
    pub incident_id: Option<String>,
    pub notice_id: Option<String>,
    /// The grid's checklist task the entry is about (topic `check_task`).
    pub check_task_id: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for NotificationView {
    fn from(n: NotificationRow) -> Self {
        NotificationView {
            id: n.id,
            topic: n.topic,
            incident_id: n.incident_id,
            notice_id: n.notice_id,
            check_task_id: n.check_task_id,
            title: n.title,
            body: n.body,
            created_at: n.created_at.and_utc(),
            read_at: n.read_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `true`: only what is not read yet.
    pub unread: Option<bool>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxPage {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// Unread notifications in the whole inbox, for the badge.
    pub unread: i64,
}

/// The signed-in user's notifications, newest first.
#[utoipa::path(
    tag = "notifications",
    params(InboxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the inbox", body = InboxPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<InboxQuery>,
) -> Result<web::Json<InboxPage>, ApiError> {
    let after = match &query.cursor {
        None => None,
        Some(text) => {
            let (at, id) = parse_time_cursor(text)?;
            Some(InboxCursor { at, id })
        }
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let unread_only = query.unread.unwrap_or(false);
    let user = actor.user_id.clone();
    let (page, unread) = state
        .db
        .run(move |conn| {
            let page = repo::inbox(conn, &user, unread_only, after.as_ref(), limit)?;
            Ok((page, repo::unread_count(conn, &user)?))
        })
        .await?;
    Ok(web::Json(InboxPage {
        items: page.items.into_iter().map(NotificationView::from).collect(),
        next_cursor: page.next,
        unread,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

/// How many notifications the signed-in user has not read: the app's badge.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unread count", body = UnreadCount),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications/unread-count")]
pub async fn unread_count(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<UnreadCount>, ApiError> {
    let user = actor.user_id.clone();
    let unread = state
        .db
        .run(move |conn| repo::unread_count(conn, &user))
        .await?;
    Ok(web::Json(UnreadCount { unread }))
}

/// Marks one notification read; reading it again changes nothing.
#[utoipa::path(
    tag = "notifications",
    params(("id" = String, Path, description = "Notification id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Read", body = NotificationView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<NotificationView>, ApiError> {
    let (user, id) = (actor.user_id.clone(), id.into_inner());
    let row = state
        .db
        .write(move |conn| repo::mark_read(conn, &user, &id, now()))
        .await
        .map_err(|e| match e {
            DbError::NotFound => ApiError::not_found("no such notification"),
            other => other.into(),
        })?;
    Ok(web::Json(row.into()))
}

/// Marks the whole inbox read.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything read; `unread` is 0", body = UnreadCount),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notifications/read-all")]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<UnreadCount>, ApiError> {
    let user = actor.user_id.clone();
    state
        .db
        .write(move |conn| repo::mark_all_read(conn, &user, now()))
        .await?;
    Ok(web::Json(UnreadCount { unread: 0 }))
}
