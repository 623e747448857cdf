//! `GET /api/v1/me/feed`: what changed for the signed-in user since their
//! last call, in one answer, for a phone back in signal. How pages are cut
//! and why nothing is skipped or repeated: `gridops_infra::repo::feed`.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use gridops_domain::incident::{ListScope, Visibility, allowed_actions};
use gridops_infra::repo::feed::{self as repo, FeedCursor};
use gridops_infra::repo::patrols;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{MAX_PAGE, ValidQuery};
use crate::routes::incidents::dto::IncidentView;
use crate::routes::notifications::inbox::NotificationView;
use crate::state::AppState;

/// Rows read from each source when the client does not say.
const DEFAULT_LIMIT: u32 = 100;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `next_cursor` of the previous answer, as it came; absent on the
    /// first call (or to start over).
    pub since: Option<String>,
    /// Rows read from each source (open incidents, the timeline, the inbox),
    /// 1–500 (default 100). A page may return fewer, even none, and still
    /// say `more`.
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// What changed for the caller, and where to resume.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    /// Each incident at most once, as it is now. On a first catch-up, the
    /// open incidents the caller may see, newest first; then those that
    /// changed, in the order of their latest change.
    pub incidents: Vec<FeedIncident>,
    /// New inbox entries, oldest first (on the first call, the newest
    /// `limit`; older ones are in `GET /api/v1/notifications`).
    pub inbox: Vec<FeedInboxItem>,
    /// Unread entries in the whole inbox, for the badge.
    pub unread: i64,
    /// The caller's running patrol, if they are on one.
    pub patrol: Option<FeedPatrol>,
    /// Send it back as `since` on the next call. Opaque.
    pub next_cursor: String,
    /// `true`: there is more already; call again at once with
    /// `next_cursor`. `false`: caught up; call again when the phone next
    /// syncs.
    pub more: bool,
    /// `true`: changes already committed wait behind a transaction still
    /// running (PostgreSQL hands out only what can no longer be joined by
    /// an earlier change); call again in a second or two.
    pub pending: bool,
}

/// An incident that changed (or, on a first catch-up, is open).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedIncident {
    pub id: String,
    /// Where its latest change stands in the timeline stream (the `id` of
    /// `GET /api/v1/events`); `version` orders the states of one incident.
    #[schema(example = "48213-1207")]
    pub position: String,
    /// What the caller may do now, as `GET /api/v1/incidents/{id}` says.
    /// Empty: the caller no longer sees it (their party returned it, or
    /// stood down when the grid handled it on the spot); take it off their
    /// list. Such an entry may come again with later changes of the case.
    pub allowed_actions: Vec<String>,
    /// The incident as it is now (no timeline or photos); `null` when the
    /// caller no longer sees it.
    pub incident: Option<IncidentView>,
}

/// An inbox entry, with the notice it announces.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedInboxItem {
    #[serde(flatten)]
    pub entry: NotificationView,
    /// The notice, when the entry announces one (`notice_id`).
    pub notice: Option<FeedNotice>,
}

/// A notice to the people of an area.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedNotice {
    pub id: String,
    /// The area's code.
    pub area: String,
    pub area_name: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A patrol the caller is walking now.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPatrol {
    pub id: String,
    pub started_at: DateTime<Utc>,
    /// The grids it covers.
    pub grids: Vec<String>,
    /// Track points the server has kept: a phone back in signal sends
    /// what it recorded since (resends are harmless).
    pub points: i32,
}

/// What changed for the signed-in user since `since`: incidents they may
/// see that changed (each with the actions they may take now), their new
/// inbox entries with the notices they announce, and their running patrol.
/// Without `since`, their open incidents and newest inbox entries instead.
/// Resuming from `next_cursor` never skips a change nor gives one twice;
/// each call reads a bounded number of rows, so follow `more`.
#[utoipa::path(
    tag = "feed",
    params(FeedQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the feed", body = FeedPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`since` is not a cursor of this feed, or `limit` is out of range", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/feed")]
pub async fn my_feed(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<FeedQuery>,
) -> Result<web::Json<FeedPage>, ApiError> {
    let since = match query.since.as_deref() {
        None => None,
        Some(token) => Some(FeedCursor::parse(token).ok_or_else(|| {
            ApiError::invalid_field(
                "since",
                "not a cursor of this feed: send `next_cursor` as it came, or nothing to start over",
            )
        })?),
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_PAGE) as usize;
    let scope = ListScope::new(Visibility::of(&actor), &state.areas.current());
    let walker = actor.user_id.clone();
    let (page, running) = state
        .db
        .run(move |conn| {
            Ok((
                repo::page(conn, &scope, since.as_ref(), limit)?,
                patrols::running_of(conn, &walker)?,
            ))
        })
        .await?;
    let incidents = page
        .incidents
        .into_iter()
        .map(|entry| {
            let (allowed, incident) = match &entry.incident {
                Some(stored) => {
                    let allowed = allowed_actions(&stored.incident, &actor);
                    (allowed.clone(), Some(IncidentView::new(stored, &allowed)))
                }
                None => (Vec::new(), None),
            };
            FeedIncident {
                id: entry.id,
                position: entry.position.to_string(),
                allowed_actions: allowed.iter().map(|a| a.as_str().to_owned()).collect(),
                incident,
            }
        })
        .collect();
    let inbox = page
        .inbox
        .into_iter()
        .map(|item| FeedInboxItem {
            notice: item.notice.map(|n| FeedNotice {
                id: n.notice.id,
                area: n.notice.area_code,
                area_name: n.area_name,
                title: n.notice.title,
                body: n.notice.body,
                created_at: n.notice.created_at.and_utc(),
            }),
            entry: item.notification.into(),
        })
        .collect();
    let patrol = running.map(|p| FeedPatrol {
        id: p.patrol.id,
        started_at: p.patrol.started_at.and_utc(),
        grids: p
            .patrol
            .grids
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        points: p.points,
    });
    Ok(web::Json(FeedPage {
        incidents,
        inbox,
        unread: page.unread,
        patrol,
        next_cursor: page.next.to_token(),
        more: page.more,
        pending: page.held_back,
    }))
}
