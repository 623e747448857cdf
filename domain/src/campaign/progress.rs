//! Where each grid of a campaign stands.

use chrono::NaiveDateTime;

use super::answer::{Answer, AnswerKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    NotStarted,
    InProgress,
    Done,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::NotStarted => "not_started",
            TaskState::InProgress => "in_progress",
            TaskState::Done => "done",
        }
    }
}

/// A grid's task in numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridProgress {
    pub state: TaskState,
    pub ok: usize,
    pub fixed: usize,
    pub raised: usize,
    /// Past the due time and not done (shown red).
    pub overdue: bool,
}

/// The progress of a task of `items` items with `answers`, at `now`, for a
/// campaign due at `due_at`. A cancelled campaign is overdue nowhere.
pub fn progress_of(
    items: usize,
    answers: &[Answer],
    due_at: NaiveDateTime,
    now: NaiveDateTime,
    cancelled: bool,
) -> GridProgress {
    let count = |k: AnswerKind| answers.iter().filter(|a| a.kind == k).count();
    let state = if answers.is_empty() {
        TaskState::NotStarted
    } else if answers.len() >= items {
        TaskState::Done
    } else {
        TaskState::InProgress
    };
    GridProgress {
        state,
        ok: count(AnswerKind::Ok),
        fixed: count(AnswerKind::Fixed),
        raised: count(AnswerKind::Raised),
        overdue: !cancelled && state != TaskState::Done && now > due_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(kind: AnswerKind) -> Answer {
        Answer {
            item_id: "x".into(),
            kind,
            result: None,
            incident_id: None,
            answered_by: "w".into(),
            answered_at: NaiveDateTime::default(),
            sent_hash: String::new(),
        }
    }

    #[test]
    fn a_task_is_done_when_every_item_is_answered_and_late_only_until_then() {
        let due = NaiveDateTime::default();
        let later = due + chrono::Duration::hours(1);
        let none = progress_of(3, &[], due, later, false);
        assert_eq!((none.state, none.overdue), (TaskState::NotStarted, true));
        let some = progress_of(3, &[answer(AnswerKind::Ok)], due, due, false);
        assert_eq!((some.state, some.overdue), (TaskState::InProgress, false));
        let all = [
            answer(AnswerKind::Ok),
            answer(AnswerKind::Fixed),
            answer(AnswerKind::Raised),
        ];
        let done = progress_of(3, &all, due, later, false);
        assert_eq!(
            (done.state, done.overdue, done.ok, done.fixed, done.raised),
            (TaskState::Done, false, 1, 1, 1)
        );
        assert!(!progress_of(3, &[], due, later, true).overdue);
    }
}
