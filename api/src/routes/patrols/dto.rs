//! What the patrol routes read and answer.

use chrono::{DateTime, Utc};
use gridops_domain::patrol::track::PointSource;
use gridops_infra::repo::patrols::StoredPatrol;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::routes::areas::locate::CoordSysParam;

/// A GeoJSON LineString (RFC 7946): positions are `[longitude, latitude]`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct LineString {
    /// Always `LineString`.
    #[serde(rename = "type")]
    #[schema(example = "LineString")]
    pub kind: String,
    #[validate(length(min = 2, max = 2000, message = "2 to 2000 positions"))]
    #[schema(min_items = 2, max_items = 2000, example = json!([[113.6070, 34.7187], [113.6081, 34.7190]]))]
    pub coordinates: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartPatrolRequest {
    /// Codes of the grids to walk: grids the caller works in.
    #[validate(length(min = 1, max = 20, message = "1 to 20 grids"))]
    #[schema(min_items = 1, max_items = 20, example = json!(["410102003001002"]))]
    pub grids: Vec<String>,
    #[validate(nested)]
    pub planned_route: Option<LineString>,
    /// Chosen by the phone when it starts a patrol offline, so that a
    /// resend is recognised; a UUID.
    pub id: Option<uuid::Uuid>,
    /// When the phone started it, for a patrol started offline (at most 7
    /// days ago); default now.
    pub started_at: Option<DateTime<Utc>>,
}

/// An incident found on a patrol.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingView {
    pub id: String,
    pub reference: String,
    pub category: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// How much of one grid a patrol (or the patrols of a period) walked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridCoverageView {
    pub grid: String,
    /// Cells of the grid.
    pub cells: usize,
    /// Cells a kept point came near.
    pub covered: usize,
    /// `covered / cells`, between 0 and 1.
    #[schema(example = 0.42)]
    pub coverage: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolView {
    pub id: String,
    /// The grid worker or chief walking it.
    pub walker_id: String,
    /// `running` or `ended`.
    #[schema(example = "running")]
    pub status: String,
    pub grids: Vec<String>,
    pub planned_route: Option<LineString>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Track points kept.
    pub points: i32,
    /// The raw points were deleted after the retention period (the count
    /// and the coverage stay).
    pub track_deleted: bool,
    /// Walked distance along the kept points, metres (absent once the
    /// track is deleted, and in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// Incidents reported on it (one patrol's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<FindingView>>,
    /// Coverage of each of its grids by this patrol (one patrol's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Vec<GridCoverageView>>,
}

impl From<&StoredPatrol> for PatrolView {
    fn from(s: &StoredPatrol) -> Self {
        let p = &s.patrol;
        PatrolView {
            id: p.id.clone(),
            walker_id: p.walker_id.clone(),
            status: p.status.as_str().to_owned(),
            grids: p.grids.iter().map(|g| g.as_str().to_owned()).collect(),
            planned_route: p.planned_route.as_ref().map(|r| LineString {
                kind: "LineString".into(),
                coordinates: r.iter().map(|&(lng, lat)| vec![lng, lat]).collect(),
            }),
            started_at: p.started_at.and_utc(),
            ended_at: p.ended_at.map(|t| t.and_utc()),
            points: s.points,
            track_deleted: s.track_deleted_at.is_some(),
            distance_m: None,
            findings: None,
            coverage: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SourceParam {
    Gps,
    Network,
    Cell,
}

impl From<SourceParam> for PointSource {
    fn from(s: SourceParam) -> Self {
        match s {
            SourceParam::Gps => PointSource::Gps,
            SourceParam::Network => PointSource::Network,
            SourceParam::Cell => PointSource::Cell,
        }
    }
}

/// One position the phone recorded.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackPointIn {
    /// The phone's id for the point, unique within the patrol: a resent
    /// point is stored once.
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64, example = "0193a1b2-0001")]
    pub id: String,
    /// When it was taken; not in the future.
    pub at: DateTime<Utc>,
    #[validate(range(min = -90.0, max = 90.0, message = "latitude must be between -90 and 90"))]
    #[schema(minimum = -90.0, maximum = 90.0, example = 34.7187)]
    pub lat: f64,
    #[validate(range(min = -180.0, max = 180.0, message = "longitude must be between -180 and 180"))]
    #[schema(minimum = -180.0, maximum = 180.0, example = 113.607)]
    pub lng: f64,
    /// The fix's accuracy radius, metres.
    #[validate(range(min = 0.0, max = 100000.0, message = "0 to 100000 metres"))]
    #[schema(minimum = 0.0, maximum = 100000.0, example = 8.0)]
    pub accuracy_m: f64,
    /// Coordinate system of `lat`/`lng` (default `wgs84`); stored as WGS-84.
    pub coord_sys: Option<CoordSysParam>,
    /// Where the fix came from (default `gps`).
    pub source: Option<SourceParam>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackUpload {
    /// Up to 1,000 points, in any order; points already sent are recognised.
    #[validate(length(min = 1, max = 1000, message = "1 to 1000 points"), nested)]
    #[schema(min_items = 1, max_items = 1000)]
    pub points: Vec<TrackPointIn>,
}

/// A point that was not kept, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusedPoint {
    pub id: String,
    /// `outside_patrol_time`, `inaccurate` or `impossible_speed`.
    #[schema(example = "inaccurate")]
    pub reason: String,
}

/// What became of an upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackReceipt {
    /// Points stored now.
    pub new: usize,
    /// Points stored before (a resend), counted once.
    pub duplicate: usize,
    /// Points not kept.
    pub refused: usize,
    pub refusals: Vec<RefusedPoint>,
}

/// A GeoJSON MultiLineString: one line per stretch walked without a gap.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MultiLineString {
    /// Always `MultiLineString`.
    #[serde(rename = "type")]
    #[schema(example = "MultiLineString")]
    pub kind: String,
    pub coordinates: Vec<Vec<Vec<f64>>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackProperties {
    pub patrol: String,
    /// Points kept (before simplification).
    pub points: usize,
    /// The simplification tolerance used, metres.
    pub tolerance_m: f64,
}

/// The walked track as a GeoJSON Feature (RFC 7946).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: String,
    pub geometry: MultiLineString,
    pub properties: TrackProperties,
}

/// A GeoJSON MultiPolygon: one square per cell.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MultiPolygon {
    /// Always `MultiPolygon`.
    #[serde(rename = "type")]
    #[schema(example = "MultiPolygon")]
    pub kind: String,
    pub coordinates: Vec<Vec<Vec<Vec<f64>>>>,
}

/// How much of a grid the patrols of a period walked, and where nobody did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageView {
    pub grid: String,
    /// First local day counted.
    pub from: chrono::NaiveDate,
    /// Last local day counted.
    pub to: chrono::NaiveDate,
    /// Side of a cell, metres.
    pub cell_size_m: f64,
    pub cells: usize,
    pub covered: usize,
    /// `covered / cells`, between 0 and 1.
    #[schema(example = 0.42)]
    pub coverage: f64,
    /// The cells nobody came near.
    pub uncovered: MultiPolygon,
}
