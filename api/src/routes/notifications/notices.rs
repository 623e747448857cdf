//! `POST /api/v1/notices`: an announcement to the residents and/or grid
//! staff of an area (a snow warning; keys found at Wanda Plaza gate 1).

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use gridops_domain::access::{Access, Capability, Place, Target, decide};
use gridops_domain::area::AreaCode;
use gridops_domain::notification::NoticeAudience;
use gridops_infra::repo::notifications::{self as repo, NoticeRow};
use gridops_infra::repo::now;
use gridops_infra::signals::OUTBOX;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::access::require_on;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{ValidJson, ValidQuery, parse_time_cursor};
use crate::idempotency::{self, Begun};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AudienceParam {
    Residents,
    Workers,
}

impl From<AudienceParam> for NoticeAudience {
    fn from(a: AudienceParam) -> Self {
        match a {
            AudienceParam::Residents => NoticeAudience::Residents,
            AudienceParam::Workers => NoticeAudience::Workers,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostNotice {
    /// The area code; everyone registered in it or below it is reached.
    #[schema(pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$")]
    pub area: String,
    #[validate(length(min = 1, max = 2, message = "residents, workers or both"))]
    #[schema(min_items = 1, max_items = 2)]
    pub audience: Vec<AudienceParam>,
    #[validate(length(min = 1, max = 60, message = "1 to 60 characters"))]
    #[schema(min_length = 1, max_length = 60)]
    pub title: String,
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: String,
    pub area: String,
    pub audience: Vec<String>,
    pub title: String,
    pub body: String,
    pub author_id: String,
    /// How many people it reached (the author excepted).
    pub recipients: i32,
    pub created_at: DateTime<Utc>,
    /// What became of it, for its author and administrators
    /// (`GET /notices/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryView>,
}

/// How a notice reached its people: read in the inbox, and its pushes (one
/// per person with a phone registered, to all their phones).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub read: i64,
    pub pushes_pending: i64,
    pub pushes_sent: i64,
    /// Given up after their retries.
    pub pushes_failed: i64,
}

impl From<repo::NoticeDelivery> for DeliveryView {
    fn from(d: repo::NoticeDelivery) -> Self {
        DeliveryView {
            read: d.read,
            pushes_pending: d.pushes_pending,
            pushes_sent: d.pushes_sent,
            pushes_failed: d.pushes_failed,
        }
    }
}

impl From<NoticeRow> for NoticeView {
    fn from(n: NoticeRow) -> Self {
        NoticeView {
            id: n.id,
            area: n.area_code,
            audience: n.audience.split(',').map(str::to_owned).collect(),
            title: n.title,
            body: n.body,
            author_id: n.author_id,
            recipients: n.recipients,
            created_at: n.created_at.and_utc(),
            delivery: None,
        }
    }
}

/// Posts a notice to the residents and/or grid workers of an area: it lands
/// in their inbox and on their phones. Dispatchers post to their area,
/// grid chiefs to their grid. Requires an `Idempotency-Key`, so a resend
/// never notifies a street twice.
#[utoipa::path(
    tag = "notifications",
    params(("Idempotency-Key" = String, Header, description = "A unique key per notice, 1–255 characters, kept across retries")),
    request_body = PostNotice,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Posted", body = NoticeView),
        (status = 400, description = "No Idempotency-Key, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher or chief of that area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The first request with this key is still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown area, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notices")]
pub async fn post_notice(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    ValidJson(body): ValidJson<PostNotice>,
) -> Result<HttpResponse, ApiError> {
    let area = AreaCode::parse(&body.area)
        .ok()
        .filter(|code| state.areas.current().get(code).is_some())
        .ok_or_else(|| ApiError::invalid_field("area", format!("no area {}", body.area)))?;
    let place = Place {
        areas: std::slice::from_ref(&area),
        ..Place::default()
    };
    require_on(
        &actor,
        Capability::PostNotice,
        place,
        "notices go to the area you dispatch, or the grid you lead",
    )?;
    let claimed =
        match idempotency::begin(&state, &actor.user_id, &req, &body, "/api/v1/notices").await? {
            Begun::Fresh(claimed) => claimed,
            Begun::Replay(answer) => return Ok(answer),
        };
    let mut audience: Vec<NoticeAudience> = body.audience.iter().map(|&a| a.into()).collect();
    audience.sort_by_key(|a| a.as_str());
    audience.dedup();
    let notice = NoticeRow {
        id: Uuid::now_v7().to_string(),
        area_code: area.to_string(),
        audience: audience
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(","),
        title: body.title.clone(),
        body: body.body.clone(),
        author_id: actor.user_id.clone(),
        recipients: 0,
        created_at: now(),
    };
    let done = {
        let claimed = claimed.clone();
        state
            .db
            .write(move |conn| {
                let stored = repo::post_notice(conn, &notice, &audience)?;
                let view = NoticeView::from(stored);
                claimed.finish_in(conn, &view)?;
                Ok(view)
            })
            .await
    };
    let view = match done {
        Ok(view) => view,
        Err(e) => {
            let error = ApiError::from(e);
            claimed.settle_failure(&state, &error).await?;
            return Err(error);
        }
    };
    state.signals.raise_local(OUTBOX);
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/api/v1/notices/{}", view.id)))
        .json(view))
}

/// A notice, for its author, the people it reached and administrators.
#[utoipa::path(
    tag = "notifications",
    params(("id" = String, Path, description = "Notice id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The notice", body = NoticeView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice, or not for you", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notices/{id}")]
pub async fn get_notice(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<NoticeView>, ApiError> {
    const NO_SUCH_NOTICE: &str = "no such notice";
    let id = id.into_inner();
    let reader = actor.clone();
    let (notice, access, delivery) = state
        .db
        .run(move |conn| {
            let notice = repo::find_notice(conn, &id)?;
            let reached = repo::received_notice(conn, &reader.user_id, &id)?;
            let access = decide(
                &reader,
                Capability::ReadNotice,
                Target::Notice {
                    author: &notice.author_id,
                    reached,
                },
            );
            // Who read it is the sender's business, not the other readers'
            // (and a notice to 50,000 is read by many).
            let sender = Target::Notice {
                author: &notice.author_id,
                reached: false,
            };
            let delivery = if decide(&reader, Capability::ReadNotice, sender).is_granted() {
                Some(repo::notice_delivery(conn, &id)?)
            } else {
                None
            };
            Ok((notice, access, delivery))
        })
        .await
        .map_err(missing(NO_SUCH_NOTICE))?;
    match access {
        Access::Granted => {}
        Access::Forbidden => return Err(ApiError::forbidden("you may not read this notice")),
        Access::Hidden => return Err(ApiError::not_found(NO_SUCH_NOTICE)),
    }
    let mut view = NoticeView::from(notice);
    view.delivery = delivery.map(DeliveryView::from);
    Ok(web::Json(view))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListNoticesQuery {
    /// `next_cursor` of the previous page.
    #[validate(length(min = 1, max = 100, message = "1 to 100 characters"))]
    #[param(min_length = 1, max_length = 100)]
    pub cursor: Option<String>,
    /// Page size, 1–100 (default 50).
    #[validate(range(min = 1, max = 100, message = "limit must be between 1 and 100"))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticePage {
    pub items: Vec<NoticeView>,
    pub next_cursor: Option<String>,
}

/// The notices the caller sent, newest first (administrators: every
/// notice).
#[utoipa::path(
    tag = "notifications",
    params(ListNoticesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of notices", body = NoticePage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notices")]
pub async fn list_notices(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<ListNoticesQuery>,
) -> Result<web::Json<NoticePage>, ApiError> {
    let after = query.cursor.as_deref().map(parse_time_cursor).transpose()?;
    let author = (!actor.is_admin()).then(|| actor.user_id.clone());
    let limit = query.limit.unwrap_or(50) as usize;
    let page = state
        .db
        .run(move |conn| repo::notices(conn, author.as_deref(), after.as_ref(), limit))
        .await?;
    Ok(web::Json(NoticePage {
        items: page.items.into_iter().map(NoticeView::from).collect(),
        next_cursor: page.next,
    }))
}
