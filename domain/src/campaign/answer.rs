//! One answer per item of a grid's checklist: fine as it is, fixed on the
//! spot (a case resolved at once), or raised (a case routed by the rules).
//! An answer is never changed: the same answer sent again is a retry and
//! gets the first reply; a different one is a conflict.

use chrono::NaiveDateTime;

use super::template::Item;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    Ok,
    Fixed,
    Raised,
}

impl AnswerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerKind::Ok => "ok",
            AnswerKind::Fixed => "fixed",
            AnswerKind::Raised => "raised",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ok" => Some(AnswerKind::Ok),
            "fixed" => Some(AnswerKind::Fixed),
            "raised" | "raise" => Some(AnswerKind::Raised),
            _ => None,
        }
    }
}

/// An answer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub item_id: String,
    pub kind: AnswerKind,
    pub result: Option<String>,
    pub incident_id: Option<String>,
    pub answered_by: String,
    pub answered_at: NaiveDateTime,
    /// The hash of the answer as sent.
    pub sent_hash: String,
}

/// An answer as sent: its kind, whether it carries a photo, and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub kind: AnswerKind,
    pub has_photo: bool,
    pub hash: String,
}

/// What to do with a sent answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// Store it.
    New,
    /// The same was stored before: answer with that.
    Again(Answer),
    /// Another answer was stored: 409 naming it.
    Conflict(Answer),
    /// A fix of an item that needs a photo came without one (the field).
    PhotoRequired,
}

/// Judges `sent` for `item`, given what is stored for it already.
pub fn judge_answer(item: &Item, stored: Option<&Answer>, sent: &Sent) -> Judged {
    if let Some(stored) = stored {
        return if stored.sent_hash == sent.hash {
            Judged::Again(stored.clone())
        } else {
            Judged::Conflict(stored.clone())
        };
    }
    if sent.kind == AnswerKind::Fixed && item.photo_required && !sent.has_photo {
        return Judged::PhotoRequired;
    }
    Judged::New
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(photo_required: bool) -> Item {
        Item {
            id: "sheds".into(),
            text_zh: "车棚".into(),
            text_en: "Sheds".into(),
            category: "public_safety.snow_ice.snow_on_sheds".into(),
            photo_required,
        }
    }

    fn sent(kind: AnswerKind, has_photo: bool, hash: &str) -> Sent {
        Sent {
            kind,
            has_photo,
            hash: hash.into(),
        }
    }

    fn stored(kind: AnswerKind, hash: &str) -> Answer {
        Answer {
            item_id: "sheds".into(),
            kind,
            result: None,
            incident_id: None,
            answered_by: "w".into(),
            answered_at: NaiveDateTime::default(),
            sent_hash: hash.into(),
        }
    }

    #[test]
    fn a_fix_that_needs_a_photo_needs_one() {
        assert_eq!(
            judge_answer(&item(true), None, &sent(AnswerKind::Fixed, false, "a")),
            Judged::PhotoRequired
        );
        assert_eq!(
            judge_answer(&item(true), None, &sent(AnswerKind::Fixed, true, "a")),
            Judged::New
        );
        assert_eq!(
            judge_answer(&item(true), None, &sent(AnswerKind::Ok, false, "a")),
            Judged::New
        );
    }

    #[test]
    fn the_same_answer_again_is_a_retry_and_another_a_conflict() {
        let first = stored(AnswerKind::Ok, "a");
        assert_eq!(
            judge_answer(
                &item(false),
                Some(&first),
                &sent(AnswerKind::Ok, false, "a")
            ),
            Judged::Again(first.clone())
        );
        assert_eq!(
            judge_answer(
                &item(false),
                Some(&first),
                &sent(AnswerKind::Raised, false, "b")
            ),
            Judged::Conflict(first)
        );
    }
}
