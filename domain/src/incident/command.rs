//! What an actor asks to do to an incident, and the checks on what they send.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ActionKind, IncidentError};

/// The longest note, reason, result or comment, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest party code, user id or photo id, in characters.
pub const MAX_ID_CHARS: usize = 128;

/// One step asked for. Texts are trimmed; a blank optional text counts as none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Accept {
        note: Option<String>,
    },
    Reject {
        reason: RejectReason,
        note: Option<String>,
    },
    /// To a party (its code), and within it to one handler when known. That
    /// the party exists and the assignee is one of its handlers is the
    /// caller's to check: the domain sees no tables. A party in
    /// `returned_by` may be chosen again by hand (a return found
    /// unjustified); automatic routing is what leaves those parties out.
    Dispatch {
        party: String,
        assignee: Option<String>,
        note: Option<String>,
    },
    Acknowledge {
        note: Option<String>,
    },
    Return {
        reason: String,
    },
    Resolve {
        result: String,
        photos: Vec<String>,
    },
    ResolveOnSpot {
        result: String,
        photos: Vec<String>,
    },
    Verify {
        note: Option<String>,
    },
    Reopen {
        reason: String,
    },
    Rate {
        rating: Rating,
        comment: Option<String>,
        /// "Was it solved?" — asked beside the rating by cities that
        /// publish a 解决率.
        solved: Option<bool>,
    },
    Comment {
        text: String,
    },
}

impl Command {
    pub fn kind(&self) -> ActionKind {
        match self {
            Command::Accept { .. } => ActionKind::Accept,
            Command::Reject { .. } => ActionKind::Reject,
            Command::Dispatch { .. } => ActionKind::Dispatch,
            Command::Acknowledge { .. } => ActionKind::Acknowledge,
            Command::Return { .. } => ActionKind::Return,
            Command::Resolve { .. } => ActionKind::Resolve,
            Command::ResolveOnSpot { .. } => ActionKind::ResolveOnSpot,
            Command::Verify { .. } => ActionKind::Verify,
            Command::Reopen { .. } => ActionKind::Reopen,
            Command::Rate { .. } => ActionKind::Rate,
            Command::Comment { .. } => ActionKind::Comment,
        }
    }
}

/// Why a report is not registered as a case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RejectReason {
    /// 重复上报: the same thing is already a case, the incident with id `of`.
    Duplicate { of: String },
    /// Not something the city's grids handle.
    OutOfScope,
    /// Not true, or not enough to act on.
    Invalid,
}

impl RejectReason {
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::Duplicate { .. } => "duplicate",
            RejectReason::OutOfScope => "out_of_scope",
            RejectReason::Invalid => "invalid",
        }
    }
}

/// The reporter's verdict on a closed case (满意率 counts the first two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

impl Rating {
    pub const ALL: [Rating; 3] = [
        Rating::Satisfied,
        Rating::BasicallySatisfied,
        Rating::Dissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::BasicallySatisfied => "basically_satisfied",
            Rating::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> IncidentError {
    IncidentError::Invalid {
        field,
        message: message.into(),
    }
}

/// A text the step cannot do without (a reason, a result): trimmed, not blank.
pub(super) fn required_text(field: &'static str, text: String) -> Result<String, IncidentError> {
    match optional_text(field, Some(text))? {
        Some(text) => Ok(text),
        None => Err(invalid(field, "must not be blank")),
    }
}

/// A text the step may carry: trimmed; blank is none.
pub(super) fn optional_text(
    field: &'static str,
    text: Option<String>,
) -> Result<Option<String>, IncidentError> {
    let Some(text) = text else { return Ok(None) };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Ok(None)
    } else if trimmed.chars().count() > MAX_TEXT_CHARS {
        Err(invalid(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ))
    } else if trimmed.len() == text.len() {
        Ok(Some(text))
    } else {
        Ok(Some(trimmed.to_owned()))
    }
}

/// A party code, a user id or a photo id: trimmed, not blank, no longer than
/// [`MAX_ID_CHARS`].
pub(super) fn identifier(field: &'static str, id: String) -> Result<String, IncidentError> {
    let trimmed = id.trim();
    if trimmed.is_empty() {
        Err(invalid(field, "must not be blank"))
    } else if trimmed.chars().count() > MAX_ID_CHARS {
        Err(invalid(
            field,
            format!("must be at most {MAX_ID_CHARS} characters"),
        ))
    } else {
        Ok(trimmed.to_owned())
    }
}

pub(super) fn photo_ids(photos: Vec<String>) -> Result<Vec<String>, IncidentError> {
    photos
        .into_iter()
        .map(|p| identifier("photos", p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_blank_optional_ones_dropped() {
        assert_eq!(
            required_text("reason", "  wrong party \n".into()),
            Ok("wrong party".into())
        );
        assert_eq!(
            required_text("reason", " \t ".into()),
            Err(invalid("reason", "must not be blank"))
        );
        assert_eq!(optional_text("note", Some("  ".into())), Ok(None));
        assert_eq!(optional_text("note", None), Ok(None));
        let long = "雪".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            optional_text("note", Some(long)),
            Err(IncidentError::Invalid { field: "note", .. })
        ));
        assert_eq!(
            optional_text("note", Some("雪".repeat(MAX_TEXT_CHARS))).map(|t| t.is_some()),
            Ok(true),
            "the limit counts characters, not bytes"
        );
        assert!(matches!(
            photo_ids(vec!["p1".into(), " ".into()]),
            Err(IncidentError::Invalid {
                field: "photos",
                ..
            })
        ));
    }

    #[test]
    fn ratings_and_reasons_have_stable_names() {
        for rating in Rating::ALL {
            assert_eq!(Rating::parse(rating.as_str()), Some(rating));
        }
        assert_eq!(Rating::BasicallySatisfied.as_str(), "basically_satisfied");
        assert_eq!(RejectReason::OutOfScope.code(), "out_of_scope");
        assert_eq!(
            RejectReason::Duplicate { of: "x".into() }.code(),
            "duplicate"
        );
    }
}
