//! Public reads of cases: `requests` (filtered, newest first, a page at a
//! time), `requests/{id}` (an array of one, as the spec's examples),
//! `tokens/{token}` (the case a posted request became), and mySociety's
//! `servicerequestupdates` (the public steps in a time range).

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use gridops_domain::open311::ServiceStatus;
use gridops_infra::DbError;
use gridops_infra::repo::{incidents, now, open311};
use serde::Deserialize;
use utoipa::IntoParams;

use super::client::check_jurisdiction;
use super::format::{ServiceRequestUpdates, ServiceRequests, TokenAnswer, parse_w3c_datetime};
use super::public_cases::{self, PartyNames, Reading};
use super::services::{ReadQuery, cached};
use super::{answer, format_of};
use crate::error::ApiError;
use crate::state::AppState;

/// Without dates, a list covers the last 90 days (the spec's default).
const DEFAULT_DAYS: i64 = 90;
/// Requests per page unless `page_size` says otherwise, and at most.
const DEFAULT_PAGE: i64 = 100;
const MAX_PAGE: i64 = 1000;
/// The most ids one `service_request_id` list may name.
const MAX_IDS: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Comma-separated references; the other filters are then ignored, as
    /// the spec says.
    pub service_request_id: Option<String>,
    /// A service code (a category and everything below it).
    pub service_code: Option<String>,
    /// Requested at or after (W3C date-time with zone). Default: 90 days before `end_date`.
    pub start_date: Option<String>,
    /// Requested at or before. Default: now.
    pub end_date: Option<String>,
    /// `open`, `closed`, or both comma-separated.
    pub status: Option<String>,
    /// gridops extension: page number from 1 (default 1).
    pub page: Option<String>,
    /// gridops extension: requests per page, 1–1000 (default 100).
    pub page_size: Option<String>,
    /// gridops extension: `true` puts mySociety's extended status
    /// (`in_progress`, `fixed`, `duplicate`, `not_councils_responsibility`…)
    /// in `status`.
    pub extensions: Option<String>,
    pub jurisdiction_id: Option<String>,
    /// gridops extension: `en` for English names and notes.
    pub locale: Option<String>,
}

fn english(locale: Option<&str>) -> bool {
    locale.is_some_and(|l| l.to_ascii_lowercase().starts_with("en"))
}

fn flag(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("true" | "1" | "yes"))
}

fn date(field: &str, value: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    parse_w3c_datetime(value)
        .map(|at: DateTime<Utc>| Some(at.naive_utc()))
        // Years no database stores are refused like any other bad date.
        .filter(|at| at.is_some_and(|a| (1970..=9999).contains(&chrono::Datelike::year(&a))))
        .ok_or_else(|| {
            ApiError::invalid_field(
                field,
                "a W3C date-time with its zone, e.g. 2026-12-04T09:10:00+08:00",
            )
        })
}

fn number(field: &str, value: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field(field, format!("a whole number from 1 to {max}"))
            }),
    }
}

/// Cases of this city, newest first, as the spec's `service_requests`.
#[utoipa::path(
    tag = "open311",
    params(("format" = String, Path, description = "`xml` or `json`"), ListQuery),
    responses(
        (status = 200, description = "The requests (XML `service_requests/request`, or a JSON array)", content_type = "text/xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 400, description = "A bad filter, named (spec error document)", content_type = "text/xml"),
        (status = 404, description = "Unknown format or jurisdiction (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/requests.{format}")]
pub async fn list_requests(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> HttpResponse {
    let format = match format_of(&path) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = list(&state, query.into_inner())
        .await
        .map(|doc| cached(&req, format, &doc));
    answer(format, result)
}

async fn list(state: &AppState, query: ListQuery) -> Result<ServiceRequests, ApiError> {
    check_jurisdiction(state, query.jurisdiction_id.as_deref())?;
    let reading = Reading {
        english: english(query.locale.as_deref()),
        extended: flag(query.extensions.as_deref()),
    };
    let mut filter = open311::PublicFilter::default();
    let references: Vec<String> = query
        .service_request_id
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if references.len() > MAX_IDS {
        return Err(ApiError::invalid_field(
            "service_request_id",
            format!("at most {MAX_IDS} ids at once"),
        ));
    }
    let page = number("page", query.page.as_deref(), 1, 100_000)?;
    let page_size = number(
        "page_size",
        query.page_size.as_deref(),
        DEFAULT_PAGE,
        MAX_PAGE,
    )?;
    if references.is_empty() {
        let to = date("end_date", query.end_date.as_deref())?;
        let from = date("start_date", query.start_date.as_deref())?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ApiError::invalid_field("start_date", "after end_date"));
        }
        filter.to = to;
        filter.from =
            Some(from.unwrap_or_else(|| to.unwrap_or_else(now) - Duration::days(DEFAULT_DAYS)));
        filter.category = query
            .service_code
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        if let Some(status) = query.status.as_deref().filter(|s| !s.trim().is_empty()) {
            for part in status.split(',').map(str::trim) {
                let wanted = ServiceStatus::parse(part).ok_or_else(|| {
                    ApiError::invalid_field("status", "open, closed, or both comma-separated")
                })?;
                filter
                    .statuses
                    .extend(wanted.states().iter().map(|s| s.as_str().to_owned()));
            }
        }
    } else {
        filter.references = references;
    }
    let offset = (page - 1) * page_size;
    let (cases, events, names) = state
        .db
        .run(move |conn| {
            let cases = open311::public_cases(conn, &filter, offset, page_size)?;
            let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
            let events = open311::events_of(conn, &ids)?;
            let names = party_names(conn, &events)?;
            Ok((cases, events, names))
        })
        .await?;
    let map = state.areas.current();
    Ok(ServiceRequests(
        cases
            .iter()
            .map(|c| public_cases::service_request(c, &events, &names, &map, reading))
            .collect(),
    ))
}

fn party_names(
    conn: &mut gridops_infra::DbConnection,
    events: &[open311::PublicEvent],
) -> Result<PartyNames, DbError> {
    let codes = public_cases::parties_named(events);
    Ok(open311::party_names(conn, &codes)?
        .into_iter()
        .map(|(code, zh, en)| (code, (zh, en)))
        .collect::<HashMap<_, _>>())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OneQuery {
    /// gridops extension: `true` for mySociety's extended status.
    pub extensions: Option<String>,
    pub jurisdiction_id: Option<String>,
    /// gridops extension: `en` for English names and notes.
    pub locale: Option<String>,
}

/// One case by its reference: an array of one, as in the spec's examples.
#[utoipa::path(
    tag = "open311",
    params(
        ("id" = String, Path, description = "The service_request_id (the gridops reference, e.g. 410102-20261204-000007)"),
        ("format" = String, Path, description = "`xml` or `json`"),
        OneQuery,
    ),
    responses(
        (status = 200, description = "The request, as a list of one", content_type = "text/xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 404, description = "No such request, format or jurisdiction (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/requests/{id}.{format}")]
pub async fn get_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<OneQuery>,
) -> HttpResponse {
    let (id, extension) = path.into_inner();
    let format = match format_of(&extension) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = one(&state, id, &query)
        .await
        .map(|doc| cached(&req, format, &doc));
    answer(format, result)
}

async fn one(
    state: &AppState,
    reference: String,
    query: &OneQuery,
) -> Result<ServiceRequests, ApiError> {
    check_jurisdiction(state, query.jurisdiction_id.as_deref())?;
    let reading = Reading {
        english: english(query.locale.as_deref()),
        extended: flag(query.extensions.as_deref()),
    };
    let wanted = reference.clone();
    let found = state
        .db
        .run(move |conn| {
            let case = match open311::public_case(conn, &wanted) {
                Ok(case) => case,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let events = open311::events_of(conn, std::slice::from_ref(&case.id))?;
            let names = party_names(conn, &events)?;
            Ok(Some((case, events, names)))
        })
        .await?;
    let Some((case, events, names)) = found else {
        return Err(ApiError::not_found(format!(
            "service_request_id: no request {reference}"
        )));
    };
    let map = state.areas.current();
    Ok(ServiceRequests(vec![public_cases::service_request(
        &case, &events, &names, &map, reading,
    )]))
}

/// The case a posted request became: its `service_request_id` once there
/// is one (a request with only an address waits for a dispatcher to place
/// it; a dismissed one never gets one).
#[utoipa::path(
    tag = "open311",
    params(
        ("token" = String, Path, description = "The token a POST answered"),
        ("format" = String, Path, description = "`xml` or `json`"),
        ReadQuery,
    ),
    responses(
        (status = 200, description = "The token and its service_request_id (empty while waiting)", content_type = "text/xml"),
        (status = 404, description = "No such token, format or jurisdiction (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/tokens/{token}.{format}")]
pub async fn get_token(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ReadQuery>,
) -> HttpResponse {
    let (token, extension) = path.into_inner();
    let format = match format_of(&extension) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = token_answer(&state, token, &query)
        .await
        .map(|doc| super::format::respond(format, actix_web::http::StatusCode::OK, &doc));
    answer(format, result)
}

async fn token_answer(
    state: &AppState,
    token: String,
    query: &ReadQuery,
) -> Result<TokenAnswer, ApiError> {
    check_jurisdiction(state, query.jurisdiction_id.as_deref())?;
    let wanted = token.clone();
    let found = state
        .db
        .run(move |conn| {
            let request = match open311::find_request(conn, &wanted) {
                Ok(r) => r,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let reference = match &request.incident_id {
                Some(id) => Some(incidents::find(conn, id)?.incident.reference),
                None => None,
            };
            Ok(Some(reference))
        })
        .await?;
    match found {
        Some(service_request_id) => Ok(TokenAnswer {
            service_request_id,
            token,
        }),
        None => Err(ApiError::not_found(format!("token: no request {token}"))),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpdatesQuery {
    /// Steps at or after (W3C date-time with zone). Default: a day before `end_date`.
    pub start_date: Option<String>,
    /// Steps at or before. Default: now.
    pub end_date: Option<String>,
    /// Accepted and ignored: the updates are public.
    pub api_key: Option<String>,
    pub jurisdiction_id: Option<String>,
    /// gridops extension: `en` for English notes.
    pub locale: Option<String>,
}

/// The steps a case took that the public may read, oldest first, at most
/// 1000 (narrow the range for more): mySociety's `servicerequestupdates`.
#[utoipa::path(
    tag = "open311",
    params(("format" = String, Path, description = "`xml` or `json`"), UpdatesQuery),
    responses(
        (status = 200, description = "The updates (XML `service_request_updates/request_update`, or a JSON array)", content_type = "text/xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 400, description = "A bad date, named (spec error document)", content_type = "text/xml"),
        (status = 404, description = "Unknown format or jurisdiction (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/servicerequestupdates.{format}")]
pub async fn list_updates(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<UpdatesQuery>,
) -> HttpResponse {
    let format = match format_of(&path) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = updates(&state, &query)
        .await
        .map(|doc| cached(&req, format, &doc));
    answer(format, result)
}

/// The steps the public reads about (see `open311::status::public_step`).
const PUBLIC_ACTIONS: [&str; 8] = [
    "accept",
    "reject",
    "dispatch",
    "acknowledge",
    "resolve",
    "resolve_on_spot",
    "verify",
    "reopen",
];

async fn updates(
    state: &AppState,
    query: &UpdatesQuery,
) -> Result<ServiceRequestUpdates, ApiError> {
    check_jurisdiction(state, query.jurisdiction_id.as_deref())?;
    let to = date("end_date", query.end_date.as_deref())?.unwrap_or_else(now);
    let from = date("start_date", query.start_date.as_deref())?.unwrap_or(to - Duration::days(1));
    if from > to {
        return Err(ApiError::invalid_field("start_date", "after end_date"));
    }
    let reading = Reading {
        english: english(query.locale.as_deref()),
        extended: true,
    };
    let (steps, names) = state
        .db
        .run(move |conn| {
            let steps = open311::steps_between(conn, &PUBLIC_ACTIONS, from, to, MAX_PAGE)?;
            let events: Vec<open311::PublicEvent> = steps.iter().map(|(e, _)| e.clone()).collect();
            let names = party_names(conn, &events)?;
            Ok((steps, names))
        })
        .await?;
    Ok(ServiceRequestUpdates(
        steps
            .iter()
            .filter_map(|(event, case)| public_cases::update(event, case, &names, reading))
            .collect(),
    ))
}
