//! The evidence of a closure as `GET /api/v1/incidents/{id}` shows it to
//! staff: the latest judgement of a resolve or verify
//! (`gridops_domain::evidence`, stored by the step's transaction).

use chrono::{DateTime, Utc};
use gridops_infra::repo::evidence::EvidenceRow;
use serde::Serialize;
use utoipa::ToSchema;

/// One check of the evidence: whether it holds, and why not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceCheck {
    pub holds: bool,
    /// Why it fails: `no EXIF time`, `taken 2034 m from the incident (at
    /// most 200 m)`, `no before photo`, …
    pub reason: Option<String>,
}

/// Whether the photos of the case prove the fix, as judged at its latest
/// resolve or verify on the photos it had then. A closure without it is a
/// possible fake closure (虚假结案).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceView {
    /// The step judged: `resolve`, `resolve_on_spot` or `verify`.
    #[schema(example = "verify")]
    pub action: String,
    /// Its event in the timeline.
    pub seq: i32,
    /// An after-photo was taken (EXIF time) after the dispatch, or after
    /// the report for a case never dispatched.
    pub taken_after: EvidenceCheck,
    /// An after-photo was taken (EXIF GPS) within `radius_m` of the incident.
    pub taken_near: EvidenceCheck,
    /// The case has at least one before and one after photo.
    pub before_and_after: EvidenceCheck,
    /// One after-photo taken after and near, and a before/after pair.
    pub complete: bool,
    pub radius_m: f64,
    pub recorded_at: DateTime<Utc>,
}

impl From<EvidenceRow> for EvidenceView {
    fn from(row: EvidenceRow) -> Self {
        let check = |holds: bool, reason: Option<String>| EvidenceCheck { holds, reason };
        EvidenceView {
            action: row.action,
            seq: row.event_seq,
            taken_after: check(row.taken_after, row.taken_after_reason),
            taken_near: check(row.taken_near, row.taken_near_reason),
            before_and_after: check(row.before_and_after, row.before_and_after_reason),
            complete: row.complete,
            radius_m: row.radius_m,
            recorded_at: row.recorded_at.and_utc(),
        }
    }
}
