//! `GET /api/v1/incidents/{id}/verify-chain`: recomputes the incident's
//! timeline hash chain (`gridops_domain::incident::chain`) and says whether
//! the stored timeline is the one that was written. For auditors and
//! administrators, city-wide; every check is written to the audit log.

use actix_web::{HttpRequest, get, web};
use gridops_domain::access::Capability;
use gridops_domain::incident::chain::{ChainCheck, ProblemKind};
use gridops_infra::repo::audit::{self, AuditEvent};
use gridops_infra::repo::chain;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::client_addr;
use crate::state::AppState;

/// The 403 of `Capability::VerifyChain` (who may: `domain::access`).
const REFUSED: &str = "only auditors and administrators verify a timeline's chain";

/// What is wrong at one place of the chain.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainProblemKind {
    /// The event no longer matches its own seal: a field was edited, or
    /// its seal removed.
    Altered,
    /// The event matches its seal, but was sealed after another event than
    /// the one stored before it: that one was removed, or edited and sealed
    /// again.
    LinkBroken,
    /// An attached photo's recorded sha256 changed, or its record is gone.
    PhotoAltered,
    /// No event has this sequence number, up to the incident's version.
    Missing,
}

impl From<ProblemKind> for ChainProblemKind {
    fn from(kind: ProblemKind) -> Self {
        match kind {
            ProblemKind::Altered => ChainProblemKind::Altered,
            ProblemKind::LinkBroken => ChainProblemKind::LinkBroken,
            ProblemKind::PhotoAltered => ChainProblemKind::PhotoAltered,
            ProblemKind::Missing => ChainProblemKind::Missing,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainProblem {
    pub seq: i32,
    /// The event's action; `null` for a missing event.
    pub action: Option<String>,
    pub problem: ChainProblemKind,
    /// The event's stored hash; `null` when missing or unsealed.
    pub stored_hash: Option<String>,
    /// The hash recomputed from the stored hash of the event before it, the
    /// event as stored and its photos as recorded now; `null` when missing.
    pub computed_hash: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainView {
    pub incident_id: String,
    /// Events stored.
    pub events: usize,
    /// Of which sealed: events stored before sealing began are not.
    pub sealed: usize,
    /// No problem anywhere.
    pub intact: bool,
    /// In timeline order.
    pub problems: Vec<ChainProblem>,
}

impl ChainView {
    fn of(incident_id: String, check: ChainCheck) -> Self {
        ChainView {
            incident_id,
            events: check.events,
            sealed: check.sealed,
            intact: check.intact(),
            problems: check
                .problems
                .into_iter()
                .map(|p| ChainProblem {
                    seq: p.seq,
                    action: p.action,
                    problem: p.kind.into(),
                    stored_hash: p.stored_hash,
                    computed_hash: p.computed_hash,
                })
                .collect(),
        }
    }
}

/// The audit log's line: the verdict, and where the chain fails.
fn verdict(check: &ChainCheck) -> String {
    if check.intact() {
        return format!("intact: {} events, {} sealed", check.events, check.sealed);
    }
    let places: Vec<String> = check
        .problems
        .iter()
        .map(|p| format!("{} {}", p.seq, p.kind.as_str()))
        .collect();
    format!("not intact: {}", places.join(", "))
}

/// Recomputes the incident's timeline hash chain: every event sealed since
/// sealing began must match its seal and link to the event before it, with
/// its photos as they were. Auditors and administrators, any incident.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The chain as recomputed", body = ChainView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an auditor or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}/verify-chain")]
pub async fn verify_chain(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<web::Json<ChainView>, ApiError> {
    // Before the incident is looked up: whether it exists is not for others.
    require(&actor, Capability::VerifyChain, REFUSED)?;
    let id = id.into_inner();
    let check = {
        let id = id.clone();
        state
            .db
            .run(move |conn| chain::verify(conn, &id))
            .await
            .map_err(missing("no such incident"))?
    };
    let (actor_id, subject, addr, detail) = (
        actor.user_id.clone(),
        id.clone(),
        client_addr(&req),
        verdict(&check),
    );
    state
        .db
        .write(move |conn| {
            audit::record(
                conn,
                &AuditEvent {
                    action: "chain_verified",
                    actor_id: Some(&actor_id),
                    subject: Some(&subject),
                    client_addr: Some(&addr),
                    detail: &detail,
                },
            )
        })
        .await?;
    Ok(web::Json(ChainView::of(id, check)))
}
