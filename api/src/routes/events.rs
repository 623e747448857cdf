//! `GET /api/v1/events`: incident changes as Server-Sent Events, for the
//! dispatchers' consoles.
//!
//! The timeline (`incident_events`) is the truth; this only reads it in
//! stream order (see `gridops_infra::event_stream` for why that order never
//! skips a late commit) whenever a signal says something changed — a commit
//! in this process, or a NOTIFY from any node on PostgreSQL — and every two
//! seconds in case a signal was missed.

use std::collections::HashSet;
use std::convert::Infallible;
use std::fmt::Write;
use std::time::Duration;

use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream;
use gridops_domain::access::{Access, Actor};
use gridops_domain::incident::can_see;
use gridops_infra::Db;
use gridops_infra::event_stream::{self, Position, StreamEvent};
use gridops_infra::signals::{INCIDENT_EVENTS, SHUTDOWN};
use serde::Serialize;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A comment line every so often, so that proxies keep the stream open.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A read without any signal: a NOTIFY lost with a dropped connection, a
/// commit by a process without signals (the CLI).
const FALLBACK_POLL: Duration = Duration::from_secs(2);
/// How soon to read again when committed events waited behind a
/// transaction still running (PostgreSQL).
const HELD_BACK_RETRY: Duration = Duration::from_millis(250);
/// The reconnection delay suggested to the client (`retry:`).
const RETRY_MS: u64 = 3000;
/// Events read at once.
const BATCH: usize = 200;

/// One change of an incident, the `data:` of an `incident` event. No
/// description, notes or names: consoles fetch the incident for those.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentStreamEvent {
    pub incident_id: String,
    /// The human reference, `410102-20261124-000123`.
    pub reference: String,
    /// The step: `report`, `accept`, `dispatch`, `comment`, …
    pub action: String,
    /// The status before; `null` for the report.
    pub from: Option<String>,
    pub to: String,
    pub actor_id: String,
    pub at: DateTime<Utc>,
    /// The incident's version after the step (its `ETag`).
    pub version: i64,
}

impl From<&StreamEvent> for IncidentStreamEvent {
    fn from(e: &StreamEvent) -> Self {
        IncidentStreamEvent {
            incident_id: e.incident.id.clone(),
            reference: e.incident.reference.clone(),
            action: e.action.clone(),
            from: e.from_status.clone(),
            to: e.to_status.clone(),
            actor_id: e.actor_id.clone(),
            at: e.occurred_at.and_utc(),
            version: e.version,
        }
    }
}

/// Streams changes of the incidents the caller may see, as
/// `text/event-stream`: each change is an event named `incident` whose
/// `data` is an `IncidentStreamEvent` and whose `id` resumes the stream.
/// Reconnect with that id in `Last-Event-ID` to get exactly the changes
/// after it; without one the stream starts now. A `: keep-alive` comment
/// comes every 15 seconds. The stream ends when the server shuts down and
/// after one access-token lifetime: reconnect with a fresh token.
#[utoipa::path(
    tag = "events",
    params(("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received: the stream resumes after it")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event stream (`text/event-stream`); each event's `data` is an `IncidentStreamEvent`", body = String, content_type = "text/event-stream"),
        (status = 400, description = "`Last-Event-ID` is not an id this stream sent", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events")]
pub async fn incident_events(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let resume = last_event_id(&req)?;
    // Subscribed before the first read: a commit in between wakes us.
    let wake = state.signals.subscribe(INCIDENT_EVENTS);
    let shutdown = state.signals.subscribe(SHUTDOWN);
    let now = Instant::now();
    let (after, seen, first_read) = match resume {
        Some(position) => (position, HashSet::new(), now),
        None => {
            let head = state.db.run(event_stream::head).await?;
            // Read soon: the events behind `seen` may be passed quickly.
            (
                head.after,
                head.seen.into_iter().collect(),
                now + HELD_BACK_RETRY,
            )
        }
    };
    let feed = Feed {
        db: state.db.clone(),
        actor,
        wake,
        shutdown,
        after,
        seen,
        next_read: first_read,
        next_heartbeat: now + HEARTBEAT,
        ends_at: now + state.auth.keys.access_ttl,
    };
    let hello = Bytes::from(format!("retry: {RETRY_MS}\n\n"));
    let body = stream::once(async move { Ok::<_, Infallible>(hello) }).chain(stream::unfold(
        feed,
        |mut feed| async move {
            let chunk = feed.next_chunk().await?;
            Some((Ok(chunk), feed))
        },
    ));
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((CACHE_CONTROL, "no-cache"))
        // nginx would otherwise buffer the stream.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}

/// The position `Last-Event-ID` names, if the header is there.
fn last_event_id(req: &HttpRequest) -> Result<Option<Position>, ApiError> {
    let Some(value) = req.headers().get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(Position::parse)
        .map(Some)
        .ok_or_else(|| {
            ApiError::malformed(
                "Last-Event-ID must be the id of an event of this stream, such as 0-42",
            )
        })
}

/// One client's stream: where it is, and what wakes it.
struct Feed {
    db: Db,
    actor: Actor,
    wake: watch::Receiver<u64>,
    shutdown: watch::Receiver<u64>,
    /// The last event read (sent, or skipped as not visible).
    after: Position,
    /// Events after `after` that were already visible when the stream
    /// started "now": skipped once.
    seen: HashSet<String>,
    next_read: Instant,
    next_heartbeat: Instant,
    ends_at: Instant,
}

impl Feed {
    /// The next bytes to send; `None` ends the stream.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            tokio::select! {
                biased;
                _ = self.shutdown.changed() => return None,
                () = sleep_until(self.ends_at) => return None,
                woken = self.wake.changed() => {
                    if woken.is_err() {
                        return None;
                    }
                }
                () = sleep_until(self.next_read) => {}
                () = sleep_until(self.next_heartbeat) => {
                    self.next_heartbeat = Instant::now() + HEARTBEAT;
                    return Some(Bytes::from_static(b": keep-alive\n\n"));
                }
            }
            if let Some(frames) = self.read().await {
                return Some(frames);
            }
        }
    }

    /// Reads the events after `after`; the frames of those the actor may see.
    async fn read(&mut self) -> Option<Bytes> {
        let (after, user_id) = (self.after, self.actor.user_id.clone());
        let read = self
            .db
            .run(move |conn| {
                let batch = event_stream::read_after(conn, after, BATCH)?;
                let ids: Vec<String> = batch
                    .events
                    .iter()
                    .map(|e| e.incident.id.clone())
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                let followed = event_stream::followed_by(conn, &user_id, &ids)?;
                Ok((batch, followed))
            })
            .await;
        let (batch, followed) = match read {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, "event stream: cannot read the timeline; retrying");
                self.next_read = Instant::now() + FALLBACK_POLL;
                return None;
            }
        };
        self.next_read = Instant::now()
            + if batch.more {
                Duration::ZERO
            } else if batch.held_back {
                HELD_BACK_RETRY
            } else {
                FALLBACK_POLL
            };
        let mut frames = String::new();
        for mut event in batch.events {
            self.after = event.position;
            if self.seen.remove(&event.event_id) {
                continue;
            }
            // Who may see it, as `GET /incidents/{id}` would decide now.
            if followed.contains(&event.incident.id) {
                event.incident.followers.push(self.actor.user_id.clone());
            }
            if can_see(&event.incident, &self.actor) != Access::Granted {
                continue;
            }
            let data = match serde_json::to_string(&IncidentStreamEvent::from(&event)) {
                Ok(data) => data,
                Err(e) => {
                    tracing::error!(error = %e, "event stream: cannot serialise an event");
                    continue;
                }
            };
            let _ = write!(
                frames,
                "id: {}\nevent: incident\ndata: {data}\n\n",
                event.position
            );
        }
        (!frames.is_empty()).then(|| Bytes::from(frames))
    }
}
