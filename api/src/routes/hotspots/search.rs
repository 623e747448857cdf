//! `GET /api/v1/stats/hotspots`: the recurring hotspots among the reports
//! the caller oversees — a dispatcher's area, a handler's party's cases,
//! everything for an administrator.

use std::collections::{HashMap, HashSet};

use actix_web::{get, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use gridops_domain::access::{Actor, Capability, Place};
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::geo::Coordinates;
use gridops_domain::hotspot::{self, Hotspot, HotspotRule, Report};
use gridops_domain::role::Role;
use gridops_infra::DbError;
use gridops_infra::repo::hotspots::{self as store, Reach, ReportedAt, Within};
use gridops_infra::repo::{calendar, links, now};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::access::{require, require_on};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;

/// Most reports one search weighs: beyond, the caller narrows it.
const MAX_REPORTS: usize = 50_000;

const REFUSED: &str = "hotspots are for dispatchers, handlers and administrators";
const OUTSIDE: &str = "this area is outside the areas you dispatch in";

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotspotQuery {
    /// An area code; everything below it is included. Dispatchers name one
    /// of their own areas or one inside them.
    #[param(pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$")]
    pub area: Option<String>,
    /// A category code; its subcategories are included (each is a
    /// category of its own for hotspots).
    #[validate(length(min = 1, max = 100, message = "1 to 100 characters"))]
    #[param(min_length = 1, max_length = 100)]
    pub category: Option<String>,
    /// First day of reports read, in the city's time zone (default: as far
    /// back as the longest `within_days` of the rules).
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LatLng {
    /// WGS-84.
    pub lat: f64,
    pub lng: f64,
}

/// A report of a hotspot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotspotIncident {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// From the centre, to the decimetre.
    pub distance_m: f64,
    /// The root-cause case it is linked to.
    pub root_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotspotView {
    #[schema(example = "neighbourhood.dog_noise")]
    pub category: String,
    /// The point of the report the others gather around.
    pub centre: LatLng,
    /// The category's rule's radius.
    pub radius_m: u32,
    pub count: usize,
    pub first_reported_at: DateTime<Utc>,
    pub last_reported_at: DateTime<Utc>,
    /// The root-cause case, when every incident of the hotspot is it or is
    /// linked to it: the hotspot is being solved once.
    pub root_id: Option<String>,
    /// Oldest first.
    pub incidents: Vec<HotspotIncident>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotspotReport {
    /// The first day read (the query's, or the default).
    pub since: NaiveDate,
    /// Largest first, then the most recent.
    pub items: Vec<HotspotView>,
}

/// Areas of more grids are read by the prefix of their code, not grid by
/// grid.
const MAX_GRIDS: usize = 500;

/// Where the reports of `area` lie, as the store reads them best.
fn within(map: &AreaMap, area: &AreaCode) -> Within {
    let grids = map.grids_under(area);
    if grids.len() > MAX_GRIDS {
        Within::Area(area.clone())
    } else {
        Within::Grids(grids.into_iter().map(ToString::to_string).collect())
    }
}

/// Whose reports the caller's search reads besides its area: everything for
/// an administrator or for a dispatcher naming an area they cover; else the
/// areas they dispatch in and their parties' cases (handlers).
fn reach_of(actor: &Actor, map: &AreaMap, area: Option<&AreaCode>) -> Reach {
    let mut dispatched: Vec<&AreaCode> = actor.dispatch_areas().collect();
    dispatched.sort();
    dispatched.dedup();
    if actor.is_admin() || area.is_some_and(|a| dispatched.iter().any(|d| d.covers(a))) {
        return Reach::All;
    }
    let outer = dispatched
        .iter()
        .filter(|a| !dispatched.iter().any(|o| o != *a && o.covers(a)));
    let mut parties: Vec<String> = actor
        .grants
        .iter()
        .filter(|g| g.role == Role::Handler)
        .filter_map(|g| g.party.clone())
        .collect();
    parties.sort();
    parties.dedup();
    Reach::Some {
        places: outer.map(|a| within(map, a)).collect(),
        parties,
    }
}

/// Recurring hotspots (重复上报): places where one category was reported at
/// least a rule's `min_reports` times within its `radius_m` in
/// `within_days` days, each report in one hotspot at most, largest first.
/// Reports rejected as invalid or out of scope do not count; those rejected
/// as duplicates do.
#[utoipa::path(
    tag = "hotspots",
    params(HotspotQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The hotspots, largest first", body = HotspotReport),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher, handler or administrator, or an area outside the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad area, category or date, or too many reports: narrow the search", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/hotspots")]
pub async fn hotspots(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<HotspotQuery>,
) -> Result<web::Json<HotspotReport>, ApiError> {
    require(&actor, Capability::ReadHotspots, REFUSED)?;
    let area = query
        .area
        .as_deref()
        .map(|a| {
            AreaCode::parse(a).map_err(|_| ApiError::invalid_field("area", "not an area code"))
        })
        .transpose()?;
    if let Some(area) = &area {
        require_on(
            &actor,
            Capability::ReadHotspots,
            Place {
                areas: std::slice::from_ref(area),
                ..Place::default()
            },
            OUTSIDE,
        )?;
    }
    let map = state.areas.current();
    let reach = reach_of(&actor, &map, area.as_ref());
    let within = area.as_ref().map(|a| within(&map, a));
    let default = state.hotspots;
    let category = query.category;
    let searched = state
        .db
        .run(move |conn| {
            let categories = match &category {
                None => None,
                Some(code) => match store::category_and_below(conn, code)? {
                    codes if codes.is_empty() => {
                        return Ok(Err(("category", "no such category")));
                    }
                    codes => Some(codes),
                },
            };
            let rules: HashMap<String, HotspotRule> = store::rules(conn)?
                .into_iter()
                .map(|row| Ok((row.category_code.clone(), row.rule()?)))
                .collect::<Result<_, DbError>>()?;
            let week = calendar::week(conn)?;
            let since = query.since.unwrap_or_else(|| {
                hotspot::default_since(
                    week.local_date(now()),
                    rules.values().copied().chain([default]),
                )
            });
            // Midnight in the city, in UTC as stored.
            let from = since.and_time(chrono::NaiveTime::MIN)
                - Duration::minutes(i64::from(week.utc_offset_minutes()));
            let reported = store::reported_since(
                conn,
                &reach,
                categories.as_deref(),
                within.as_ref(),
                from,
                MAX_REPORTS + 1,
            )?;
            if reported.len() > MAX_REPORTS {
                return Ok(Err((
                    "since",
                    "more than 50000 reports to weigh: name an area, a category or a later day",
                )));
            }
            let found = hotspot::find(&reports_of(&reported), |code| {
                rules.get(code).copied().unwrap_or(default)
            });
            let members: Vec<String> = found
                .iter()
                .flat_map(|h| h.members.iter().map(|m| m.id.clone()))
                .collect();
            let roots = links::roots_of(conn, &members)?;
            Ok(Ok((since, found, reported, roots)))
        })
        .await?;
    let (since, found, reported, roots) =
        searched.map_err(|(field, message)| ApiError::invalid_field(field, message))?;
    let by_id: HashMap<&str, &ReportedAt> = reported.iter().map(|r| (r.id.as_str(), r)).collect();
    Ok(web::Json(HotspotReport {
        since,
        items: found.iter().map(|h| view_of(h, &by_id, &roots)).collect(),
    }))
}

/// The domain's reports (a stored point out of range is left out).
fn reports_of(reported: &[ReportedAt]) -> Vec<Report> {
    reported
        .iter()
        .filter_map(|r| {
            Some(Report {
                id: r.id.clone(),
                category: r.category_code.clone(),
                at: Coordinates::new(r.lat, r.lng).ok()?,
                created_at: r.created_at,
            })
        })
        .collect()
}

fn view_of(
    hotspot: &Hotspot,
    reported: &HashMap<&str, &ReportedAt>,
    roots: &HashMap<String, String>,
) -> HotspotView {
    let incidents: Vec<HotspotIncident> = hotspot
        .members
        .iter()
        .map(|m| {
            let stored = reported.get(m.id.as_str());
            HotspotIncident {
                id: m.id.clone(),
                reference: stored.map(|r| r.reference.clone()).unwrap_or_default(),
                status: stored.map(|r| r.status.clone()).unwrap_or_default(),
                created_at: m.created_at.and_utc(),
                distance_m: m.distance_m,
                root_id: roots.get(&m.id).cloned(),
            }
        })
        .collect();
    HotspotView {
        category: hotspot.category.clone(),
        centre: LatLng {
            lat: hotspot.centre.lat(),
            lng: hotspot.centre.lng(),
        },
        radius_m: hotspot.radius_m,
        count: incidents.len(),
        first_reported_at: hotspot.first_reported_at.and_utc(),
        last_reported_at: hotspot.last_reported_at.and_utc(),
        root_id: common_root(&incidents),
        incidents,
    }
}

/// The root every incident is linked to (the root itself may be one of
/// them, unlinked).
fn common_root(incidents: &[HotspotIncident]) -> Option<String> {
    let roots: HashSet<&str> = incidents
        .iter()
        .filter_map(|i| i.root_id.as_deref())
        .collect();
    let [root] = roots.into_iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    incidents
        .iter()
        .all(|i| i.root_id.as_deref() == Some(root) || i.id == root)
        .then(|| root.to_owned())
}
