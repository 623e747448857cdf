//! `/api/v1/patrols/{id}/track`: the walker's phone sends what it recorded
//! (late, out of order, twice: each point is kept once); the walker, the
//! chiefs and dispatchers read it back as lines on a map.

use actix_web::{get, post, web};
use chrono::SubsecRound;
use gridops_domain::access::Capability;
use gridops_domain::geo::Coordinates;
use gridops_domain::patrol::line::track_lines;
use gridops_domain::patrol::track::{PointSource, TrackPoint};
use gridops_infra::repo::patrols;
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::{
    MultiLineString, RefusedPoint, TrackFeature, TrackPointIn, TrackProperties, TrackReceipt,
    TrackUpload,
};
use super::{log_read_by_other, patrol_for};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::state::AppState;

/// Default simplification of a track read back: below GPS accuracy, so
/// nothing a person walked disappears, but a day of fixes stays light.
const DEFAULT_TOLERANCE_M: f64 = 5.0;

fn track_point(i: usize, p: TrackPointIn) -> Result<TrackPoint, ApiError> {
    let place = Coordinates::new(p.lat, p.lng)
        .map_err(|e| ApiError::invalid_field(format!("points[{i}].{}", e.field()), e.to_string()))?
        .to_wgs84(p.coord_sys.unwrap_or_default().into());
    Ok(TrackPoint {
        id: p.id,
        // At the precision both databases keep, so a point reads back as sent.
        at: p.at.naive_utc().trunc_subsecs(6),
        at_place: place,
        accuracy_m: p.accuracy_m,
        source: p.source.map_or(PointSource::Gps, Into::into),
    })
}

/// Sends track points of a patrol: the walker's phone, while the patrol
/// runs or up to 7 days after its end (points recorded out of signal). A
/// point already stored is counted as a duplicate; points outside the
/// patrol's time, less accurate than the configured limit, or implying an
/// impossible speed are refused one by one, with the reason.
#[utoipa::path(
    tag = "patrols",
    params(("id" = String, Path, description = "Patrol id")),
    request_body = TrackUpload,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What became of each point", body = TrackReceipt),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's patrol (a chief or dispatcher of its grids)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patrol, or not for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The patrol ended longer ago than late uploads are taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad batch: over 1,000 points, a point in the future, coordinates out of range (`points[i].…` names it)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/patrols/{id}/track")]
pub async fn upload_track(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidJson(body): ValidJson<TrackUpload>,
) -> Result<web::Json<TrackReceipt>, ApiError> {
    let patrol = patrol_for(&state, &actor, &id, Capability::WalkPatrol).await?;
    let points = body
        .points
        .into_iter()
        .enumerate()
        .map(|(i, p)| track_point(i, p))
        .collect::<Result<Vec<_>, _>>()?;
    let recorded = {
        let _turn = state
            .track_writers
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        state
            .workflow
            .record_track(&patrol, points, state.tracks, state.areas.current())
            .await?
    };
    Ok(web::Json(TrackReceipt {
        new: recorded.new,
        duplicate: recorded.duplicate,
        refused: recorded.refused.len(),
        refusals: recorded
            .refused
            .into_iter()
            .map(|(id, why)| RefusedPoint {
                id,
                reason: why.as_str().to_owned(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// Simplification tolerance in metres, 0–100 (default 5; 0 keeps every point).
    #[validate(range(min = 0.0, max = 100.0, message = "0 to 100 metres"))]
    #[param(minimum = 0.0, maximum = 100.0)]
    pub tolerance_m: Option<f64>,
}

/// The walked track as a GeoJSON Feature: a MultiLineString split where
/// the phone recorded nothing for longer than the gap (a dead zone is not
/// a straight walk), simplified. For the walker, the chiefs of its grids
/// and the dispatchers over them; reads by others are logged as
/// personal-data access. Empty once the retention period deleted it.
#[utoipa::path(
    tag = "patrols",
    params(("id" = String, Path, description = "Patrol id"), TrackQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The track", body = TrackFeature, content_type = "application/geo+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patrol, or not for you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid tolerance", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/patrols/{id}/track")]
pub async fn get_track(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidQuery(query): ValidQuery<TrackQuery>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let patrol = patrol_for(&state, &actor, &id, Capability::ReadPatrol).await?;
    log_read_by_other(&state, &actor, &patrol, "track").await?;
    let patrol_id = patrol.patrol.id.clone();
    let rows = state
        .db
        .run(move |conn| patrols::points(conn, &patrol_id))
        .await?;
    let points = rows
        .iter()
        .map(|r| Ok((r.at, r.place()?)))
        .collect::<Result<Vec<_>, gridops_infra::DbError>>()?;
    let tolerance_m = query.tolerance_m.unwrap_or(DEFAULT_TOLERANCE_M);
    let lines = track_lines(&points, state.tracks.rules.gap, tolerance_m);
    let feature = TrackFeature {
        kind: "Feature".into(),
        geometry: MultiLineString {
            kind: "MultiLineString".into(),
            coordinates: lines
                .into_iter()
                .map(|line| line.into_iter().map(|(lng, lat)| vec![lng, lat]).collect())
                .collect(),
        },
        properties: TrackProperties {
            patrol: patrol.patrol.id.clone(),
            points: points.len(),
            tolerance_m,
        },
    };
    Ok(actix_web::HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(feature))
}
