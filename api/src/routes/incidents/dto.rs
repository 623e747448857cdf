use chrono::{DateTime, Utc};
use gridops_domain::incident::{ActionKind, Assist};
use gridops_infra::repo::incidents::{EventRow, PhotoRow, StoredIncident};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::routes::areas::locate::CoordSysParam;

/// A GeoJSON Point (RFC 7946): `coordinates` is `[longitude, latitude]`.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct GeoPoint {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: String,
    #[schema(min_items = 2, max_items = 2, example = json!([113.6070, 34.7187]))]
    #[validate(length(equal = 2, message = "[longitude, latitude]"))]
    pub coordinates: Vec<f64>,
}

/// The priority a dispatcher may set.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PriorityParam {
    Low,
    Normal,
    High,
    Urgent,
}

impl From<PriorityParam> for gridops_domain::category::Priority {
    fn from(p: PriorityParam) -> Self {
        use gridops_domain::category::Priority;
        match p {
            PriorityParam::Low => Priority::Low,
            PriorityParam::Normal => Priority::Normal,
            PriorityParam::High => Priority::High,
            PriorityParam::Urgent => Priority::Urgent,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct CreateIncidentRequest {
    /// Category code, e.g. `neighbourhood.dog_noise`.
    #[validate(length(min = 1, max = 128, message = "1 to 128 characters"))]
    #[schema(min_length = 1, max_length = 128, example = "neighbourhood.dog_noise")]
    pub category: String,
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "楼下的狗每天夜里叫到凌晨"
    )]
    pub description: String,
    #[validate(nested)]
    pub location: GeoPoint,
    /// Coordinate system of `location` (default `wgs84`); stored as WGS-84.
    pub coord_sys: Option<CoordSysParam>,
    #[validate(length(max = 300, message = "at most 300 characters"))]
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// Chosen by the phone for reports written offline, so that a resend is
    /// recognised; a UUID.
    pub id: Option<uuid::Uuid>,
    /// When it was seen, if not now (reports written offline).
    pub occurred_at: Option<DateTime<Utc>>,
    /// Dispatchers only; others get the category's.
    pub priority: Option<PriorityParam>,
    /// Dispatchers: this is a 12345 hotline call.
    #[serde(default)]
    pub hotline: bool,
    /// Grid workers and chiefs of its grid: found and handled at once
    /// (小事不出网格). The incident is stored resolved on the spot, waiting
    /// for the grid chief to verify it; it is neither routed nor dispatched.
    /// Add the before and after photos with `POST /incidents/{id}/photos`.
    #[validate(nested)]
    pub handled_on_spot: Option<HandledOnSpot>,
    /// The caller's patrol it was found on (running, or ended no longer
    /// ago than late uploads are taken): the patrol lists it.
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub patrol_id: Option<String>,
}

/// What the reporter did about a finding they handled at once.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct HandledOnSpot {
    /// What was done, as `resolve_on_spot` takes it.
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "已劝导车主收回飞线，电动车改到小区充电桩充电"
    )]
    pub result: String,
}

/// A step that takes nothing but an optional note.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct NoteBody {
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A step that must say why (return, reopen).
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReasonBody {
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A result with its after-photos (resolve, resolve on the spot).
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ResolveBody {
    /// What was done.
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub result: String,
    /// Keys of after-photos already uploaded to this incident.
    #[serde(default)]
    #[validate(length(max = 9, message = "at most 9 photos"))]
    #[schema(max_items = 9)]
    pub photos: Vec<String>,
}

/// One party called to assist, as the incident view shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssistView {
    /// The assisting party's code.
    pub party: String,
    /// `called`, `acknowledged`, `reported`, or `stood_down` (the case was
    /// handled on the spot before it acknowledged).
    pub state: String,
    /// Who called it: a dispatcher's id, or `system` for automatic routing.
    pub called_by: String,
    pub called_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    /// What it reported it did.
    pub report: Option<String>,
}

impl From<&Assist> for AssistView {
    fn from(a: &Assist) -> Self {
        AssistView {
            party: a.party.clone(),
            state: a.state.as_str().to_owned(),
            called_by: a.called_by.clone(),
            called_at: a.called_at.and_utc(),
            acknowledged_at: a.acknowledged_at.map(|t| t.and_utc()),
            reported_at: a.reported_at.map(|t| t.and_utc()),
            report: a.report.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// 1 for the report, then one per step.
    pub seq: i32,
    #[schema(example = "dispatch")]
    pub action: String,
    pub actor_id: String,
    /// The name of a staff actor (`航海西路街道调度员`); `null` for residents,
    /// client applications and the system.
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
    /// Absent for the report.
    pub from: Option<String>,
    pub to: String,
    pub note: Option<String>,
    /// Photo keys.
    pub attachments: Vec<String>,
}

impl From<EventRow> for EventView {
    fn from(e: EventRow) -> Self {
        EventView {
            seq: e.seq,
            action: e.action,
            actor_id: e.actor_id,
            actor_name: None,
            at: e.occurred_at.and_utc(),
            from: e.from_status,
            to: e.to_status,
            note: e.note,
            attachments: e
                .attachments
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoView {
    /// Content address; the photo is at `url`.
    pub key: String,
    /// `before` or `after`.
    pub kind: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    /// When the camera says it was taken (EXIF), kept as evidence.
    pub taken_at: Option<DateTime<Utc>>,
    /// Where the camera says it was taken (EXIF GPS), kept as evidence; the
    /// served file carries no metadata.
    pub taken_location: Option<GeoPoint>,
    pub url: String,
}

impl From<PhotoRow> for PhotoView {
    fn from(p: PhotoRow) -> Self {
        PhotoView {
            url: format!("/api/v1/incidents/{}/photos/{}", p.incident_id, p.photo_key),
            taken_location: p.taken_lat.zip(p.taken_lng).map(|(lat, lng)| GeoPoint {
                kind: "Point".into(),
                coordinates: vec![lng, lat],
            }),
            key: p.photo_key,
            kind: p.kind,
            media_type: p.media_type,
            size_bytes: p.size_bytes,
            uploaded_by: p.uploaded_by,
            uploaded_at: p.uploaded_at.and_utc(),
            taken_at: p.taken_at.map(|t| t.and_utc()),
        }
    }
}

/// An open incident of the same category close to a new report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PossibleDuplicate {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub distance_m: f64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rated {
    /// `satisfied`, `basically_satisfied` or `dissatisfied`.
    pub rating: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentView {
    pub id: String,
    /// `410102-20261124-000123`: district, day, sequence.
    pub reference: String,
    pub category: String,
    pub description: String,
    /// WGS-84.
    pub location: GeoPoint,
    pub address: Option<String>,
    /// The grid it lies in.
    pub grid: String,
    /// `patrol`, `resident`, `hotline`, `console` or `open311`.
    pub source: String,
    pub reporter_id: String,
    pub priority: String,
    /// `reported`, `accepted`, `dispatched`, `in_progress`, `resolved`, `closed`, `rejected`.
    pub status: String,
    /// The responsible party while dispatched and after; none once resolved
    /// on the spot (the timeline keeps where it had been dispatched).
    pub party: Option<String>,
    pub assignee: Option<String>,
    /// Parties that returned it.
    pub returned_by: Vec<String>,
    pub duplicate_of: Option<String>,
    pub rating: Option<Rated>,
    /// Times reopened (返工).
    pub rework_count: u32,
    pub result: Option<String>,
    /// Also the `ETag`; send it back as `If-Match`.
    pub version: i64,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In working time where the category says so.
    pub acknowledge_due: Option<DateTime<Utc>>,
    pub resolve_due: Option<DateTime<Utc>>,
    /// What the caller may do now: `POST /api/v1/incidents/{id}/{action}`.
    pub allowed_actions: Vec<String>,
    /// Parties called to assist beside the lead (吹哨报到), in the order
    /// called (parties called at once by their code); the lead resolves once
    /// every one has reported.
    pub assists: Vec<AssistView>,
    /// Every change, oldest first (`GET /incidents/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<EventView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<Vec<PhotoView>>,
    /// On creation only: open incidents of the same category nearby.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub possible_duplicates: Option<Vec<PossibleDuplicate>>,
    /// The patrol it was found on (on creation and `GET /incidents/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patrol_id: Option<String>,
    /// Whether the evidence of its latest resolve or verify holds
    /// (`GET /incidents/{id}`, staff only; absent before any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<super::evidence::EvidenceView>,
    /// The root-cause case this repeat is linked to (重复上报;
    /// `GET /incidents/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_id: Option<String>,
    /// On a root-cause case: how many incidents are linked to it
    /// (`GET /incidents/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_count: Option<u32>,
}

impl IncidentView {
    pub fn new(stored: &StoredIncident, allowed: &[ActionKind]) -> Self {
        let i = &stored.incident;
        IncidentView {
            id: i.id.clone(),
            reference: i.reference.clone(),
            category: i.category.clone(),
            description: i.description.clone(),
            location: GeoPoint {
                kind: "Point".into(),
                coordinates: vec![stored.lng, stored.lat],
            },
            address: stored.address.clone(),
            grid: i.grid.to_string(),
            source: i.source.as_str().into(),
            reporter_id: i.reporter_id.clone(),
            priority: i.priority.as_str().into(),
            status: i.status.as_str().into(),
            party: i.party.clone(),
            assignee: i.assignee.clone(),
            returned_by: i.returned_by.clone(),
            duplicate_of: i.duplicate_of.clone(),
            rating: i.rating.as_ref().map(|(r, c)| Rated {
                rating: r.as_str().into(),
                comment: c.clone(),
            }),
            rework_count: i.rework_count,
            result: i.result.clone(),
            version: i.version,
            occurred_at: stored.occurred_at.and_utc(),
            created_at: i.created_at.and_utc(),
            updated_at: i.updated_at.and_utc(),
            acknowledge_due: stored.acknowledge_due.map(|t| t.and_utc()),
            resolve_due: stored.resolve_due.map(|t| t.and_utc()),
            allowed_actions: allowed.iter().map(|a| a.as_str().to_owned()).collect(),
            assists: i.assists.iter().map(Into::into).collect(),
            timeline: None,
            photos: None,
            possible_duplicates: None,
            patrol_id: None,
            evidence: None,
            root_id: None,
            linked_count: None,
        }
    }
}
