//! The timeline as a hash chain: each event is sealed with
//! `hash = hex(sha256(canonical bytes))` over the hash of the incident's
//! previous event and the event's own fields, so an event edited, removed
//! or re-sealed in the database shows when the chain is recomputed. The one
//! encoding lives here, taking plain values, so that sealing at insert and
//! checking later cannot drift apart.
//!
//! The canonical bytes, in this order:
//!
//! ```text
//! "gridops-timeline-v1"
//! prev_hash   ("" for the first event, or after events stored unsealed)
//! incident_id
//! seq         (decimal)
//! action
//! actor_id
//! occurred_at (YYYY-MM-DDTHH:MM:SS.ffffff, UTC)
//! from_status?
//! to_status
//! note?
//! detail?     (the stored JSON text, as stored)
//! n           (u32 big-endian: the number of attachments)
//! n × (photo key, sha256 of the original photo)
//! ```
//!
//! A field is `0x01`, its UTF-8 length as a u32 big-endian, then its bytes;
//! an absent optional field (`?`) is the single byte `0x00`. Lengths make the
//! fields unambiguous: "ab" + "c" never encodes as "a" + "bc".
//!
//! Checking ([`verify`]) recomputes each event's hash from the hash of the
//! event before it as stored, the row as it is, and its photos as they are,
//! and names what differs:
//! - `altered`: the row no longer matches its own seal (a field edited; or a
//!   seal removed from an event that follows sealed ones or was stored after
//!   sealing began);
//! - `link_broken`: the row matches its seal, but the seal was made on
//!   another predecessor: the event before it was re-sealed after an edit,
//!   or removed;
//! - `photo_altered`: the row and the link hold, but an attached photo's
//!   recorded sha256 changed (or its row is gone) since it was sealed;
//! - `missing`: a sequence number between 1 and the incident's version has
//!   no event.
//!
//! So an edit shows at its own event (`altered`), and the event after it
//! stays intact, since it links to the seal as stored; an edit re-sealed to
//! hide it shows at the next event (`link_broken`); a removed event shows as
//! `missing`, and the event after it as `link_broken`.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

const DOMAIN: &[u8] = b"gridops-timeline-v1";

/// The fields of one event that its seal covers.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    pub incident_id: &'a str,
    pub seq: i32,
    pub action: &'a str,
    pub actor_id: &'a str,
    pub occurred_at: NaiveDateTime,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub note: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// An attached photo: its key and the sha256 of its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoSeal<'a> {
    pub key: &'a str,
    pub original_sha256: &'a str,
}

/// The canonical bytes of an event after `prev_hash` (see the module docs).
pub fn canonical(prev_hash: &str, event: &EventFields<'_>, photos: &[PhotoSeal<'_>]) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, value: Option<&str>) {
        match value {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(DOMAIN);
    field(&mut out, Some(prev_hash));
    field(&mut out, Some(event.incident_id));
    field(&mut out, Some(&event.seq.to_string()));
    field(&mut out, Some(event.action));
    field(&mut out, Some(event.actor_id));
    let at = event
        .occurred_at
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string();
    field(&mut out, Some(&at));
    field(&mut out, event.from_status);
    field(&mut out, Some(event.to_status));
    field(&mut out, event.note);
    field(&mut out, event.detail);
    let count = u32::try_from(photos.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for photo in photos {
        field(&mut out, Some(photo.key));
        field(&mut out, Some(photo.original_sha256));
    }
    out
}

/// The seal of an event after `prev_hash`: lowercase hex SHA-256 of its
/// canonical bytes.
pub fn seal(prev_hash: &str, event: &EventFields<'_>, photos: &[PhotoSeal<'_>]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(canonical(prev_hash, event, photos))
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// One stored event, as [`verify`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: i32,
    pub action: String,
    pub actor_id: String,
    pub occurred_at: NaiveDateTime,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: Option<String>,
    pub detail: Option<String>,
    /// Photo keys, in order.
    pub attachments: Vec<String>,
    /// The sha256 of each attachment's original as sealed, in the same order.
    pub sealed_photos: Vec<String>,
    /// `None`: stored unsealed.
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl StoredEvent {
    fn fields<'a>(&'a self, incident_id: &'a str) -> EventFields<'a> {
        EventFields {
            incident_id,
            seq: self.seq,
            action: &self.action,
            actor_id: &self.actor_id,
            occurred_at: self.occurred_at,
            from_status: self.from_status.as_deref(),
            to_status: &self.to_status,
            note: self.note.as_deref(),
            detail: self.detail.as_deref(),
        }
    }

    /// The attachments with the given sha256 of each (by position; "" where
    /// there is none).
    fn photos<'a>(&'a self, sha256: &'a [String]) -> Vec<PhotoSeal<'a>> {
        self.attachments
            .iter()
            .enumerate()
            .map(|(i, key)| PhotoSeal {
                key,
                original_sha256: sha256.get(i).map_or("", String::as_str),
            })
            .collect()
    }
}

/// What is wrong at one place of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Altered,
    LinkBroken,
    PhotoAltered,
    Missing,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Altered => "altered",
            ProblemKind::LinkBroken => "link_broken",
            ProblemKind::PhotoAltered => "photo_altered",
            ProblemKind::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub seq: i32,
    /// `None` for a missing event.
    pub action: Option<String>,
    pub kind: ProblemKind,
    /// The event's stored hash (`None`: missing, or its seal removed).
    pub stored_hash: Option<String>,
    /// The hash recomputed from the stored hash of the event before it, the
    /// row as it is and its photos as they are (`None`: missing).
    pub computed_hash: Option<String>,
}

/// The answer of [`verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChainCheck {
    /// Events stored.
    pub events: usize,
    /// Of which sealed.
    pub sealed: usize,
    pub problems: Vec<Problem>,
}

impl ChainCheck {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Recomputes the chain of `incident_id`: its `events` in any order, its
/// current `version` (its last event's sequence number), the sha256 its
/// photos' rows hold now by key, and when sealing began (events stored
/// unsealed before then are old, not tampered with).
pub fn verify(
    incident_id: &str,
    version: i64,
    events: &[StoredEvent],
    photo_now: impl Fn(&str) -> Option<String>,
    sealing_began: Option<NaiveDateTime>,
) -> ChainCheck {
    let mut events: Vec<&StoredEvent> = events.iter().collect();
    events.sort_by_key(|e| e.seq);
    let mut problems = Vec::new();
    let missing = |seq: i32| Problem {
        seq,
        action: None,
        kind: ProblemKind::Missing,
        stored_hash: None,
        computed_hash: None,
    };
    let mut next_seq = 1;
    // The stored hash of the event before: what the next seal must link to.
    let mut link = String::new();
    let mut seen_sealed = false;
    let mut sealed = 0;
    for event in &events {
        problems.extend((next_seq..event.seq).map(missing));
        next_seq = event.seq.saturating_add(1);
        let fields = event.fields(incident_id);
        let photos_now: Vec<String> = event
            .attachments
            .iter()
            .map(|key| photo_now(key).unwrap_or_default())
            .collect();
        let computed = seal(&link, &fields, &event.photos(&photos_now));
        let problem = |kind: ProblemKind| Problem {
            seq: event.seq,
            action: Some(event.action.clone()),
            kind,
            stored_hash: event.hash.clone(),
            computed_hash: Some(computed.clone()),
        };
        match &event.hash {
            None => {
                if seen_sealed || sealing_began.is_some_and(|began| event.occurred_at >= began) {
                    problems.push(problem(ProblemKind::Altered));
                }
                link = String::new();
            }
            Some(stored) => {
                sealed += 1;
                seen_sealed = true;
                if *stored != computed {
                    let stored_prev = event.prev_hash.as_deref().unwrap_or_default();
                    let as_sealed = seal(stored_prev, &fields, &event.photos(&event.sealed_photos));
                    problems.push(problem(if *stored != as_sealed {
                        ProblemKind::Altered
                    } else if stored_prev != link {
                        ProblemKind::LinkBroken
                    } else {
                        ProblemKind::PhotoAltered
                    }));
                }
                link = stored.clone();
            }
        }
    }
    let last = i32::try_from(version).unwrap_or(i32::MAX);
    problems.extend((next_seq..=last).map(missing));
    problems.sort_by_key(|p| p.seq);
    ChainCheck {
        events: events.len(),
        sealed,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const ID: &str = "inc-1";

    fn at(minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 5)
            .and_then(|d| d.and_hms_micro_opt(9, minute, 0, 123_456))
            .expect("a time")
    }

    fn event(seq: i32, action: &str, note: Option<&str>) -> StoredEvent {
        StoredEvent {
            seq,
            action: action.into(),
            actor_id: "user-1".into(),
            occurred_at: at(u32::try_from(seq).unwrap_or(0)),
            from_status: (seq > 1).then(|| "reported".into()),
            to_status: "accepted".into(),
            note: note.map(Into::into),
            detail: None,
            attachments: Vec::new(),
            sealed_photos: Vec::new(),
            prev_hash: None,
            hash: None,
        }
    }

    /// Seals `events` in order as the store does at insert.
    fn sealed(mut events: Vec<StoredEvent>) -> Vec<StoredEvent> {
        let mut prev = String::new();
        for e in &mut events {
            let hash = seal(&prev, &e.fields(ID), &e.photos(&e.sealed_photos));
            e.prev_hash = Some(prev.clone());
            e.hash = Some(hash.clone());
            prev = hash;
        }
        events
    }

    fn timeline() -> Vec<StoredEvent> {
        let mut resolve = event(3, "resolve", Some("fixed"));
        resolve.attachments = vec!["key-a".into(), "key-b".into()];
        resolve.sealed_photos = vec!["sha-a".into(), "sha-b".into()];
        sealed(vec![
            event(1, "report", None),
            event(2, "accept", Some("ok")),
            resolve,
            event(4, "verify", None),
        ])
    }

    fn photos(key: &str) -> Option<String> {
        match key {
            "key-a" => Some("sha-a".into()),
            "key-b" => Some("sha-b".into()),
            _ => None,
        }
    }

    fn kinds(check: &ChainCheck) -> Vec<(i32, &'static str)> {
        check
            .problems
            .iter()
            .map(|p| (p.seq, p.kind.as_str()))
            .collect()
    }

    #[test]
    fn lengths_keep_fields_apart() {
        let a = EventFields {
            incident_id: "ab",
            seq: 1,
            action: "c",
            actor_id: "x",
            occurred_at: at(0),
            from_status: None,
            to_status: "reported",
            note: None,
            detail: None,
        };
        let b = EventFields {
            incident_id: "a",
            action: "bc",
            ..a
        };
        assert_ne!(seal("", &a, &[]), seal("", &b, &[]));
        let empty_note = EventFields {
            note: Some(""),
            ..a
        };
        assert_ne!(
            seal("", &a, &[]),
            seal("", &empty_note, &[]),
            "no note is not an empty note"
        );
    }

    #[test]
    fn a_seal_is_hex_sha256_and_stable() {
        let events = timeline();
        let fields = events[0].fields(ID);
        let hash = seal("", &fields, &[]);
        assert_eq!(hash.len(), 64);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(hash, seal("", &fields, &[]));
        assert!(canonical("", &fields, &[]).starts_with(b"gridops-timeline-v1\x01\0\0\0\0"));
        assert!(
            String::from_utf8_lossy(&canonical("", &fields, &[]))
                .contains("2026-12-05T09:01:00.123456"),
            "microseconds, fixed width"
        );
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let check = verify(ID, 4, &timeline(), photos, Some(at(0)));
        assert!(check.intact(), "{check:?}");
        assert_eq!((check.events, check.sealed), (4, 4));
    }

    #[test]
    fn an_edited_note_shows_at_its_event_only() {
        let mut events = timeline();
        events[1].note = Some("edited".into());
        let check = verify(ID, 4, &events, photos, None);
        assert_eq!(kinds(&check), vec![(2, "altered")]);
        let problem = &check.problems[0];
        assert_eq!(problem.stored_hash, timeline()[1].hash);
        assert_ne!(problem.computed_hash, problem.stored_hash);
    }

    #[test]
    fn an_edit_sealed_again_breaks_the_next_link() {
        let mut events = timeline();
        events[1].note = Some("edited".into());
        let prev = events[1].prev_hash.clone().unwrap_or_default();
        events[1].hash = Some(seal(&prev, &events[1].fields(ID), &[]));
        let check = verify(ID, 4, &events, photos, None);
        assert_eq!(kinds(&check), vec![(3, "link_broken")]);
    }

    #[test]
    fn a_removed_event_is_missing_and_breaks_the_next_link() {
        let mut events = timeline();
        events.remove(1);
        assert_eq!(
            kinds(&verify(ID, 4, &events, photos, None)),
            vec![(2, "missing"), (3, "link_broken")]
        );
        let mut events = timeline();
        events.pop();
        assert_eq!(
            kinds(&verify(ID, 4, &events, photos, None)),
            vec![(4, "missing")],
            "the version says how many there were"
        );
    }

    #[test]
    fn a_photo_changed_after_sealing_is_named() {
        let changed = |key: &str| {
            if key == "key-b" {
                Some("forged".to_owned())
            } else {
                photos(key)
            }
        };
        assert_eq!(
            kinds(&verify(ID, 4, &timeline(), changed, None)),
            vec![(3, "photo_altered")]
        );
        let gone = |key: &str| if key == "key-a" { None } else { photos(key) };
        assert_eq!(
            kinds(&verify(ID, 4, &timeline(), gone, None)),
            vec![(3, "photo_altered")]
        );
        let mut swapped = timeline();
        swapped[2].attachments.reverse();
        assert_eq!(
            kinds(&verify(ID, 4, &swapped, photos, None)),
            vec![(3, "altered")],
            "the keys are sealed too"
        );
    }

    #[test]
    fn events_stored_before_sealing_are_old_not_tampered_with() {
        let mut events = timeline();
        for e in &mut events[..2] {
            e.hash = None;
            e.prev_hash = None;
        }
        // Sealing began between event 2 and 3: event 3 links to nothing.
        let tail = sealed(events[2..].to_vec());
        events.truncate(2);
        events.extend(tail);
        let check = verify(ID, 4, &events, photos, Some(at(3)));
        assert!(check.intact(), "{check:?}");
        assert_eq!((check.events, check.sealed), (4, 2));
    }

    #[test]
    fn a_seal_removed_later_shows() {
        let mut events = timeline();
        events[3].hash = None;
        assert_eq!(
            kinds(&verify(ID, 4, &events, photos, None)),
            vec![(4, "altered")],
            "unsealed after sealed events"
        );
        let mut all = timeline();
        for e in &mut all {
            e.hash = None;
        }
        let check = verify(ID, 4, &all, photos, Some(at(0)));
        assert_eq!(
            check.problems.len(),
            4,
            "stored after sealing began: {check:?}"
        );
    }
}
