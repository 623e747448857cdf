use actix_web::{get, web};
use chrono::{DateTime, Utc};
use gridops_domain::access::Actor;
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::incident::queue::QueueTab;
use gridops_domain::incident::{ListScope, Source, Status, Visibility, allowed_actions};
use gridops_infra::repo::incidents::{self, Cursor, IncidentFilter, Sort};
use gridops_infra::repo::now;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::IncidentView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::extract::{ValidQuery, parse_time_cursor};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    /// Newest report first (default).
    #[default]
    CreatedDesc,
    CreatedAsc,
    /// Most recently changed first.
    UpdatedDesc,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListIncidentsQuery {
    /// Comma-separated statuses, e.g. `dispatched,in_progress`.
    #[param(
        pattern = "^(reported|accepted|dispatched|in_progress|resolved|closed|rejected)( *, *(reported|accepted|dispatched|in_progress|resolved|closed|rejected))*$"
    )]
    pub status: Option<String>,
    /// A category code; its subcategories are included.
    pub category: Option<String>,
    /// An area code; everything below it is included.
    #[param(pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})?$")]
    pub area: Option<String>,
    pub party: Option<String>,
    /// A user id, or `me`.
    pub assignee: Option<String>,
    /// `me`: only what the caller reported.
    pub reporter: Option<String>,
    /// `true`: past the resolve deadline and not resolved.
    pub overdue: Option<bool>,
    /// `patrol`, `resident`, `hotline`, `console` or `open311`.
    pub source: Option<String>,
    /// A tab of the dispatcher's queue: `new` (reports waiting for triage),
    /// `on_site_check` (residents' reports waiting for the grid worker's
    /// check), `triage` (registered, not yet dispatched), `returned`
    /// (returned by a party, to dispatch again), `verify` (resolved, to
    /// verify), `overdue` (open past the resolve deadline), `escalated` (a
    /// running deadline escalated to a higher level).
    pub queue: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_to: Option<DateTime<Utc>>,
    /// `min_lng,min_lat,max_lng,max_lat` (WGS-84).
    pub bbox: Option<String>,
    /// Text in the description, or part of the reference.
    #[validate(length(min = 1, max = 100, message = "1 to 100 characters"))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    pub sort: Option<SortParam>,
    /// `next_cursor` of the previous page (same sort and filters).
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPage {
    pub items: Vec<IncidentView>,
    pub next_cursor: Option<String>,
}

/// Incidents the caller may see — a resident their own reports (and those
/// they follow), a grid worker or chief their grids, a dispatcher their
/// area, a handler their party's cases, an administrator all — filtered,
/// sorted and a page at a time.
#[utoipa::path(
    tag = "incidents",
    params(ListIncidentsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of incidents", body = IncidentPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents")]
pub async fn list_incidents(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<ListIncidentsQuery>,
) -> Result<web::Json<IncidentPage>, ApiError> {
    let map = state.areas.current();
    let scope = ListScope::new(Visibility::of(&actor), &map);
    let sort = match query.sort.unwrap_or_default() {
        SortParam::CreatedDesc => Sort::NewestFirst,
        SortParam::CreatedAsc => Sort::OldestFirst,
        SortParam::UpdatedDesc => Sort::RecentlyUpdated,
    };
    let cursor = query
        .cursor
        .as_deref()
        .map(parse_time_cursor)
        .transpose()?
        .map(|(at, id)| Cursor { at, id });
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let filter = filter_of(query, &actor, &map)?;
    if filter.grids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(web::Json(IncidentPage {
            items: Vec::new(),
            next_cursor: None,
        }));
    }
    let page = state
        .db
        .run(move |conn| incidents::list(conn, &scope, &filter, sort, cursor.as_ref(), limit))
        .await?;
    Ok(web::Json(IncidentPage {
        items: page
            .items
            .iter()
            .map(|s| IncidentView::new(s, &allowed_actions(&s.incident, &actor)))
            .collect(),
        next_cursor: page.next,
    }))
}

/// The filters of a list (or of the queue's counts), checked.
pub fn filter_of(
    query: ListIncidentsQuery,
    actor: &Actor,
    map: &AreaMap,
) -> Result<IncidentFilter, ApiError> {
    let me = |v: Option<String>| v.map(|v| if v == "me" { actor.user_id.clone() } else { v });
    let statuses = match &query.status {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| {
                Status::parse(s.trim())
                    .map(|s| s.as_str().to_owned())
                    .ok_or_else(|| ApiError::invalid_field("status", format!("unknown status {s}")))
            })
            .collect::<Result<_, _>>()?,
    };
    let bbox = match &query.bbox {
        None => None,
        Some(text) => {
            let parts: Vec<f64> = text
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect();
            match parts.as_slice() {
                [a, b, c, d] if a <= c && b <= d => Some((*a, *b, *c, *d)),
                _ => {
                    return Err(ApiError::invalid_field(
                        "bbox",
                        "min_lng,min_lat,max_lng,max_lat",
                    ));
                }
            }
        }
    };
    Ok(IncidentFilter {
        statuses,
        category: query.category,
        area: query.area.clone(),
        party: query.party,
        assignee: me(query.assignee),
        reporter: me(query.reporter),
        overdue_at: query.overdue.filter(|o| *o).map(|_| now()),
        created_from: query.created_from.map(|t| t.naive_utc()),
        created_to: query.created_to.map(|t| t.naive_utc()),
        updated_from: query.updated_from.map(|t| t.naive_utc()),
        updated_to: query.updated_to.map(|t| t.naive_utc()),
        bbox,
        grids: grids_allowed(map, query.area.as_deref(), bbox),
        text: query.q,
        source: query
            .source
            .map(|text| {
                Source::parse(&text)
                    .map(|s| s.as_str().to_owned())
                    .ok_or_else(|| {
                        ApiError::invalid_field("source", format!("unknown source {text}"))
                    })
            })
            .transpose()?,
        queue: query
            .queue
            .map(|text| {
                QueueTab::parse(&text)
                    .map(|tab| (tab, now()))
                    .ok_or_else(|| ApiError::invalid_field("queue", format!("unknown tab {text}")))
            })
            .transpose()?,
    })
}

/// The grids an area filter and a map view leave (every incident lies in a
/// grid): `None` when neither is asked for.
fn grids_allowed(
    map: &AreaMap,
    area: Option<&str>,
    bbox: Option<(f64, f64, f64, f64)>,
) -> Option<Vec<String>> {
    let in_area: Option<Vec<String>> = area.map(|area| grids_under(map, area));
    let in_view: Option<Vec<String>> = bbox.map(|bbox| {
        map.grids_touching(bbox)
            .into_iter()
            .map(ToString::to_string)
            .collect()
    });
    match (in_area, in_view) {
        (Some(a), Some(v)) => Some(a.into_iter().filter(|g| v.contains(g)).collect()),
        (a, v) => a.or(v),
    }
}

/// The grids of an area (none for a code that is not one).
fn grids_under(map: &AreaMap, area: &str) -> Vec<String> {
    AreaCode::parse(area).map_or_else(
        |_| Vec::new(),
        |code| {
            map.grids_under(&code)
                .into_iter()
                .map(ToString::to_string)
                .collect()
        },
    )
}
