//! `/api/v1/open311/waiting`: Open311 requests that came with an address and
//! no point. A dispatcher reads the address, places the request in a grid of
//! their area (it is then reported as the client's, routed like any other,
//! and its token answers the new case), or dismisses it.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use gridops_domain::access::{Capability, Place, mask_phone};
use gridops_domain::category::Category;
use gridops_infra::DbError;
use gridops_infra::repo::open311::{self, RequestRow, WAITING};
use gridops_infra::repo::{categories, now};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::areas::locate::CoordSysParam;
use super::incidents::dto::GeoPoint;
use crate::access::{require, require_on};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::open311::intake;
use crate::state::AppState;

const REFUSED: &str = "dispatchers and administrators handle waiting Open311 requests";

/// A waiting request as a dispatcher sees it: enough to find the place and
/// to call back (the phone masked, as everywhere).
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingRequest {
    pub token: String,
    /// The client application that sent it.
    pub client: String,
    pub service_code: String,
    pub description: String,
    pub address: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// Masked: `138****5678`.
    pub phone: Option<String>,
    /// Answers to the service's questions, by attribute code.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub has_photo: bool,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingPage {
    pub items: Vec<WaitingRequest>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitingQuery {
    /// `next_cursor` of the previous page.
    #[validate(length(max = 100, message = "not a cursor of this list"))]
    #[param(max_length = 100)]
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[validate(range(min = 1, max = 200, message = "limit must be between 1 and 200"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

fn cursor_of(row: &RequestRow) -> String {
    format!(
        "{}|{}",
        row.created_at.and_utc().timestamp_micros(),
        row.token
    )
}

fn parse_cursor(cursor: &str) -> Result<(NaiveDateTime, String), ApiError> {
    let bad = || ApiError::invalid_field("cursor", "not a cursor of this list");
    let (micros, token) = cursor.split_once('|').ok_or_else(bad)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok((at.naive_utc(), token.to_owned()))
}

/// Requests waiting for a place, oldest first.
#[utoipa::path(
    tag = "open311",
    params(WaitingQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of waiting requests", body = WaitingPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher or administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/open311/waiting")]
pub async fn list_waiting(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<WaitingQuery>,
) -> Result<web::Json<WaitingPage>, ApiError> {
    require(&actor, Capability::ReadWaitingRequests, REFUSED)?;
    let after = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let limit = i64::from(query.limit.unwrap_or(50));
    let (rows, keys) = state
        .db
        .run(move |conn| {
            let rows = open311::waiting(conn, after, limit + 1)?;
            Ok((rows, open311::list_keys(conn)?))
        })
        .await?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<RequestRow> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| WaitingRequest {
            client: keys
                .iter()
                .find(|k| k.id == r.key_id)
                .map_or_else(String::new, |k| k.name.clone()),
            attributes: serde_json::from_str(&r.attributes).unwrap_or_default(),
            has_photo: r.media.is_some(),
            received_at: r.created_at.and_utc(),
            phone: r.phone.as_deref().map(mask_phone),
            token: r.token,
            service_code: r.service_code,
            description: r.description,
            address: r.address,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
        })
        .collect();
    Ok(web::Json(WaitingPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PlaceRequest {
    /// Where the address is.
    #[validate(nested)]
    pub location: GeoPoint,
    /// Coordinate system of `location` (default `wgs84`).
    pub coord_sys: Option<CoordSysParam>,
    /// Another service (leaf category) when the client chose wrongly.
    #[validate(length(min = 1, max = 100, message = "a category code"))]
    #[schema(min_length = 1, max_length = 100)]
    pub category: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Placed {
    /// The new case's reference: the request's `service_request_id`.
    pub reference: String,
}

async fn waiting_request(state: &AppState, token: String) -> Result<RequestRow, ApiError> {
    let row = state
        .db
        .run(move |conn| match open311::find_request(conn, &token) {
            Ok(row) => Ok(Some(row)),
            Err(DbError::NotFound) => Ok(None),
            Err(e) => Err(e),
        })
        .await?
        .ok_or_else(|| ApiError::not_found("no such Open311 request"))?;
    if row.state != WAITING {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("the request is {} already", row.state),
        ));
    }
    Ok(row)
}

/// Places a waiting request in a grid of the dispatcher's area: it becomes
/// a case reported by the client application, routed like any other.
#[utoipa::path(
    tag = "open311",
    params(("token" = String, Path, description = "The request's token")),
    request_body = PlaceRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Placed: the case's reference", body = Placed),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher, or the point is outside the dispatcher's area", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Placed or dismissed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A point outside every grid, or an unknown category, named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/open311/waiting/{token}/place")]
pub async fn place_waiting(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    token: web::Path<String>,
    ValidJson(body): ValidJson<PlaceRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ReadWaitingRequests, REFUSED)?;
    let request = waiting_request(&state, token.into_inner()).await?;
    let map = state.areas.current();
    let (point, grid) =
        super::incidents::location::locate_point(&map, &body.location, body.coord_sys)?;
    let grid = grid.code.clone();
    require_on(
        &actor,
        Capability::PlaceWaitingRequest,
        Place {
            areas: std::slice::from_ref(&grid),
            ..Place::default()
        },
        "you place requests only in grids of your own area",
    )?;
    let code = body
        .category
        .unwrap_or_else(|| request.service_code.clone());
    let wanted = code.clone();
    let category: Category = state
        .db
        .run(move |conn| match categories::find(conn, &wanted) {
            Ok(c) => Ok(Some(c)),
            Err(DbError::NotFound) => Ok(None),
            Err(e) => Err(e),
        })
        .await?
        .ok_or_else(|| ApiError::invalid_field("category", format!("no category {code}")))?;
    let reference = intake::place(&state, &actor, request, category, point, grid).await?;
    Ok(HttpResponse::Created().json(Placed { reference }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct DismissRequest {
    /// Why nothing could be placed (kept on the request).
    #[validate(length(min = 1, max = 500, message = "1 to 500 characters"))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Dismisses a waiting request no place can be found for (spam, an address
/// outside the city): it never becomes a case; its token says so.
#[utoipa::path(
    tag = "open311",
    params(("token" = String, Path, description = "The request's token")),
    request_body = DismissRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Dismissed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher or administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Placed or dismissed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/open311/waiting/{token}/dismiss")]
pub async fn dismiss_waiting(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    token: web::Path<String>,
    ValidJson(body): ValidJson<DismissRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::PlaceWaitingRequest, REFUSED)?;
    let request = waiting_request(&state, token.into_inner()).await?;
    let by = actor.user_id.clone();
    let reason = body.reason.trim().to_owned();
    let dismissed = state
        .db
        .write(move |conn| {
            open311::decide(
                conn,
                &request.token,
                open311::DISMISSED,
                None,
                Some(&reason),
                &by,
                now(),
            )
        })
        .await?;
    if !dismissed {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the request was placed or dismissed by someone else",
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}
