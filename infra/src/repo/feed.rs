//! The catch-up feed (`GET /api/v1/me/feed`): what changed for one user
//! since a cursor they kept, in one read, for a phone back in signal.
//!
//! # Two streams, one cursor
//!
//! - **Incidents**: the timeline in stream order ([`event_stream`]), read
//!   `limit` events at a time whoever they concern, then narrowed to the
//!   incidents the user may see (the domain's
//!   [`Visibility`](gridops_domain::incident::Visibility)), each once per
//!   page, as it is now. A page is bounded by the rows read, not by the rows
//!   returned: a grid worker's page of a busy city may hold nothing of theirs
//!   and still move the cursor on.
//! - **Inbox**: the user's `notifications`, in the same kind of order
//!   (migration `2026-12-04-000009_feed_order`).
//!
//! The cursor holds a position in each ([`FeedCursor`]); the next page
//! starts after both, so a change is handed out once and never skipped
//! (rows behind a PostgreSQL transaction still running wait for a later
//! page, see [`event_stream`]).
//!
//! # The first call
//!
//! A phone without a cursor does not replay the city's history. It gets:
//!
//! - its **open incidents** (not closed or rejected) that it may see, newest
//!   first, over as many pages as they take (the cursor's `snapshot` part,
//!   keyed on the immutable `created_at`), while the timeline waits at the
//!   position it had when the first page was read; then the changes after
//!   that position. An incident unchanged since stays where the snapshot
//!   keys it and comes exactly once; one that changed comes in the changes
//!   too (which may show it once more, never lose it);
//! - the newest `limit` entries of its **inbox**, then everything after the
//!   newest of them (older ones are in `GET /api/v1/notifications`).
//!
//! # An incident the user no longer sees
//!
//! Visibility is as `GET /api/v1/incidents/{id}` decides it now. Handlers
//! see a case while their party holds it, so some steps take it away from
//! them: the party's return, a grid worker's resolve on the spot of a case
//! already dispatched (the party stands down). When a page's changes touch
//! an incident the user no longer sees, and one of the user's parties held
//! it once (it had that party's clocks, which every dispatch starts, or the
//! party returned it), the user gets the incident with no state and no
//! actions, so that their phone takes it off its list. That comes again
//! with each later change of the incident (nothing says which change took
//! it away); the feed says nothing else about incidents a user does not see.

use std::collections::{HashMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use gridops_domain::incident::{ListScope, Status};

use super::incidents::{Cursor, IncidentFilter, Sort, StoredIncident};
use super::notifications::{NoticeRow, NotificationRow};
use crate::db::{DbConnection, DbError};
use crate::event_stream::{self, Position};
use crate::schema::{areas, deadlines, notices};

/// Where a reader of the feed stands: after these positions of the
/// timeline and of the inbox, and, while the first catch-up lists the open
/// incidents, after this key of that list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedCursor {
    pub events: Position,
    pub inbox: Position,
    pub snapshot: Option<SnapshotKey>,
}

/// The last open incident a snapshot page listed (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotKey {
    pub created_at: NaiveDateTime,
    pub id: String,
}

impl FeedCursor {
    /// The text of the cursor, opaque to clients: base64url of
    /// `e<tx>-<seq>.n<tx>-<seq>`, with `.s<micros>_<id>` while the snapshot
    /// runs.
    pub fn to_token(&self) -> String {
        let mut text = format!("e{}.n{}", self.events, self.inbox);
        if let Some(key) = &self.snapshot {
            text.push_str(&format!(
                ".s{}_{}",
                key.created_at.and_utc().timestamp_micros(),
                key.id
            ));
        }
        URL_SAFE_NO_PAD.encode(text)
    }

    /// `None` when `token` is not a cursor of this feed.
    pub fn parse(token: &str) -> Option<FeedCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(3, '.');
        let events = Position::parse(parts.next()?.strip_prefix('e')?)?;
        let inbox = Position::parse(parts.next()?.strip_prefix('n')?)?;
        let snapshot = match parts.next() {
            None => None,
            Some(part) => {
                let (micros, id) = part.strip_prefix('s')?.split_once('_')?;
                if id.is_empty() || !micros.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    return None;
                }
                let created_at = DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
                Some(SnapshotKey {
                    created_at,
                    id: id.to_owned(),
                })
            }
        };
        Some(FeedCursor {
            events,
            inbox,
            snapshot,
        })
    }
}

/// One incident of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedIncident {
    pub id: String,
    /// The timeline position of its latest change this page covers.
    pub position: Position,
    /// As it is now, followers (the user, if they follow it) and assists
    /// loaded; `None` when the user may no longer see it (their party
    /// returned it).
    pub incident: Option<StoredIncident>,
}

/// A notice an inbox entry announces, with the name of its area.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedNotice {
    pub notice: NoticeRow,
    pub area_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedInboxEntry {
    pub position: Position,
    pub notification: NotificationRow,
    pub notice: Option<FeedNotice>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    /// Each incident once: on a first catch-up the open ones newest first,
    /// then those that changed, in the order of their latest change.
    pub incidents: Vec<FeedIncident>,
    /// New inbox entries, oldest first.
    pub inbox: Vec<FeedInboxEntry>,
    /// Unread entries in the whole inbox.
    pub unread: i64,
    /// Where the next page starts.
    pub next: FeedCursor,
    /// Read again at once: a snapshot page or a batch was full.
    pub more: bool,
    /// Committed rows waited behind a PostgreSQL transaction still running:
    /// they come on a later page.
    pub held_back: bool,
}

/// One page of `scope.visibility.user`'s feed after `since` (`None`: the
/// first call), reading at most `limit` rows of each of the open-incident
/// list (per relation of the scope), the timeline and the inbox.
pub fn page(
    conn: &mut DbConnection,
    scope: &ListScope,
    since: Option<&FeedCursor>,
    limit: usize,
) -> Result<FeedPage, DbError> {
    let limit = limit.max(1);
    let user = scope.visibility.user.clone();
    // One horizon for both streams, read before any of their rows.
    let horizon = event_stream::horizon(conn)?;
    let mut page = Collected::default();

    let (mut events_after, snapshot_after, inbox) = match since {
        None => {
            let head = event_stream::head_at(conn, horizon)?;
            let (entries, after) = event_stream::inbox_latest(conn, horizon, &user, limit)?;
            (head.after, Some(None), (entries, after, false, false))
        }
        Some(cursor) => {
            let batch = event_stream::inbox_after(conn, horizon, &user, cursor.inbox, limit)?;
            let after = batch.entries.last().map_or(cursor.inbox, |e| e.position);
            (
                cursor.events,
                cursor.snapshot.clone().map(Some),
                (batch.entries, after, batch.more, batch.held_back),
            )
        }
    };
    let (inbox_entries, inbox_after, inbox_more, inbox_held_back) = inbox;

    // The open incidents, while the first catch-up lists them.
    let mut snapshot_next = None;
    if let Some(after) = snapshot_after {
        let (listed, next) = open_incidents(conn, scope, after.as_ref(), limit)?;
        let ids: Vec<String> = listed.iter().map(|s| s.incident.id.clone()).collect();
        let positions = event_stream::latest_positions(conn, &ids)?;
        for stored in listed {
            let position = positions
                .get(&stored.incident.id)
                .copied()
                .unwrap_or(Position::START);
            page.add(position, stored, false);
        }
        snapshot_next = next;
    }

    // The changes, once no snapshot is left to list.
    let mut events_more = false;
    let mut events_held_back = false;
    if snapshot_next.is_none() {
        let batch = event_stream::changes_after(conn, horizon, events_after, limit)?;
        events_more = batch.more;
        events_held_back = batch.held_back;
        for change in batch.changes {
            // Passed, whether or not the user sees it.
            events_after = change.position;
            page.add(change.position, change.incident, true);
        }
    }

    let incidents = page.finish(conn, scope)?;
    let inbox = with_notices(conn, inbox_entries)?;
    let unread = super::notifications::unread_count(conn, &user)?;
    Ok(FeedPage {
        incidents,
        inbox,
        unread,
        next: FeedCursor {
            events: events_after,
            inbox: inbox_after,
            snapshot: snapshot_next.clone(),
        },
        more: snapshot_next.is_some() || events_more || inbox_more,
        held_back: events_held_back || inbox_held_back,
    })
}

/// A page of the open incidents `scope` sees, newest first, after `after`;
/// the key to continue from when there are more.
fn open_incidents(
    conn: &mut DbConnection,
    scope: &ListScope,
    after: Option<&SnapshotKey>,
    limit: usize,
) -> Result<(Vec<StoredIncident>, Option<SnapshotKey>), DbError> {
    let filter = IncidentFilter {
        statuses: Status::ALL
            .into_iter()
            .filter(|s| !s.is_final())
            .map(|s| s.as_str().to_owned())
            .collect(),
        ..IncidentFilter::default()
    };
    let cursor = after.map(|key| Cursor {
        at: key.created_at,
        id: key.id.clone(),
    });
    let listed = super::incidents::list(
        conn,
        scope,
        &filter,
        Sort::NewestFirst,
        cursor.as_ref(),
        limit,
    )?;
    // `created_at` never changes: the key of the last row is where the
    // next page starts.
    let next = listed
        .next
        .is_some()
        .then(|| listed.items.last())
        .flatten()
        .map(|last| SnapshotKey {
            created_at: last.incident.created_at,
            id: last.incident.id.clone(),
        });
    Ok((listed.items, next))
}

/// The incidents of a page, each once, in the order it lists them.
#[derive(Default)]
struct Collected {
    order: Vec<String>,
    by_id: HashMap<String, Candidate>,
}

struct Candidate {
    position: Position,
    stored: StoredIncident,
    /// It is in this page's changes (not only in the open-incident list).
    changed: bool,
}

impl Collected {
    /// Adds what a row says of an incident; an incident seen before moves to
    /// this later place, keeping the newest position.
    fn add(&mut self, position: Position, stored: StoredIncident, changed: bool) {
        let id = stored.incident.id.clone();
        if self.by_id.contains_key(&id) {
            self.order.retain(|other| *other != id);
        }
        self.order.push(id.clone());
        self.by_id.insert(
            id,
            Candidate {
                position,
                stored,
                changed,
            },
        );
    }

    /// What the user may see of them now: followers and assists loaded, as
    /// visibility and allowed actions need them.
    fn finish(
        mut self,
        conn: &mut DbConnection,
        scope: &ListScope,
    ) -> Result<Vec<FeedIncident>, DbError> {
        let visibility = &scope.visibility;
        let followed = event_stream::followed_by(conn, &visibility.user, &self.order)?;
        let mut assists = super::assists::of_incidents(conn, &self.order)?;
        let mut visible = HashMap::with_capacity(self.order.len());
        for id in &self.order {
            if let Some(candidate) = self.by_id.get_mut(id) {
                let incident = &mut candidate.stored.incident;
                incident.assists = assists.remove(id).unwrap_or_default();
                if followed.contains(id) && !incident.followers.contains(&visibility.user) {
                    incident.followers.push(visibility.user.clone());
                }
                visible.insert(id.clone(), visibility.contains(incident));
            }
        }
        let changed_out_of_sight: Vec<String> = self
            .order
            .iter()
            .filter(|id| visible.get(*id) == Some(&false))
            .filter(|id| self.by_id.get(*id).is_some_and(|c| c.changed))
            .cloned()
            .collect();
        let held = held_by(conn, &changed_out_of_sight, &visibility.parties)?;
        let mut out = Vec::with_capacity(self.order.len());
        for id in self.order {
            let Some(candidate) = self.by_id.remove(&id) else {
                continue;
            };
            let entry = if visible.get(&id) == Some(&true) {
                Some(candidate.stored)
            } else if held.contains(&id)
                || candidate
                    .stored
                    .incident
                    .returned_by
                    .iter()
                    .any(|party| visibility.parties.contains(party))
            {
                // Off their list: nothing of its state.
                None
            } else {
                continue;
            };
            out.push(FeedIncident {
                id,
                position: candidate.position,
                incident: entry,
            });
        }
        Ok(out)
    }
}

/// Which of `incident_ids` one of `parties` held once: every dispatch starts
/// the party's clocks, kept after they end (met, cancelled).
fn held_by(
    conn: &mut DbConnection,
    incident_ids: &[String],
    parties: &[String],
) -> Result<HashSet<String>, DbError> {
    if incident_ids.is_empty() || parties.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(deadlines::table
        .filter(deadlines::incident_id.eq_any(incident_ids))
        .filter(deadlines::party_code.assume_not_null().eq_any(parties))
        .select(deadlines::incident_id)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// The notices the entries announce, with their areas' names.
fn with_notices(
    conn: &mut DbConnection,
    entries: Vec<event_stream::InboxEntry>,
) -> Result<Vec<FeedInboxEntry>, DbError> {
    let ids: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.notification.notice_id.as_deref())
        .collect();
    let mut found: HashMap<String, NoticeRow> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    if !ids.is_empty() {
        found = notices::table
            .filter(notices::id.eq_any(&ids))
            .select(NoticeRow::as_select())
            .load::<NoticeRow>(conn)?
            .into_iter()
            .map(|n| (n.id.clone(), n))
            .collect();
        let codes: Vec<&str> = found.values().map(|n| n.area_code.as_str()).collect();
        names = areas::table
            .filter(areas::code.eq_any(&codes))
            .select((areas::code, areas::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
    }
    Ok(entries
        .into_iter()
        .map(|entry| {
            let notice = entry
                .notification
                .notice_id
                .as_ref()
                .and_then(|id| found.get(id))
                .map(|notice| FeedNotice {
                    area_name: names.get(&notice.area_code).cloned(),
                    notice: notice.clone(),
                });
            FeedInboxEntry {
                position: entry.position,
                notification: entry.notification,
                notice,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_its_token() {
        let stream = FeedCursor {
            events: Position { tx: 812, seq: 41 },
            inbox: Position { tx: 0, seq: 7 },
            snapshot: None,
        };
        assert_eq!(FeedCursor::parse(&stream.to_token()), Some(stream.clone()));
        let at = DateTime::from_timestamp_micros(1_796_000_000_123_456)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let listing = FeedCursor {
            snapshot: Some(SnapshotKey {
                created_at: at,
                id: "01938f2e-0000-7000-8000-000000000001".into(),
            }),
            ..stream.clone()
        };
        assert_eq!(FeedCursor::parse(&listing.to_token()), Some(listing));
        let raw = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for bad in [
            String::new(),
            "yesterday".into(),
            "e1-2.n3-4".into(), // not base64 of a cursor: the text itself
            raw("e1-2"),
            raw("n1-2.e3-4"),
            raw("e1-2.n3-4.s"),
            raw("e1-2.n3-4.s12_"),
            raw("e1-2.n3-4.sx_id"),
            raw("e1-2.nx-4"),
        ] {
            assert_eq!(FeedCursor::parse(&bad), None, "{bad}");
        }
    }
}
