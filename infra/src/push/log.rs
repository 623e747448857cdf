//! [`LogSender`]: the push adapter of an installation without FCM
//! credentials. It delivers nothing; it logs each message (never the token)
//! and keeps the most recent ones in memory so a demo can show them.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use super::{Platform, PushMessage, PushOutcome};

/// How many messages [`LogSender::default`] keeps.
pub const DEFAULT_CAPACITY: usize = 1000;

/// A message the [`LogSender`] "delivered". Holds no device token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedPush {
    pub message_id: String,
    pub platform: Platform,
    pub title: String,
    pub body: String,
    pub data: BTreeMap<String, String>,
    pub at: DateTime<Utc>,
}

/// Logs pushes instead of sending them; clones share the same record.
#[derive(Clone)]
pub struct LogSender {
    recent: Arc<Mutex<VecDeque<LoggedPush>>>,
    capacity: usize,
}

impl fmt::Debug for LogSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept = self
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("LogSender")
            .field("capacity", &self.capacity)
            .field("kept", &kept)
            .finish()
    }
}

impl Default for LogSender {
    fn default() -> Self {
        LogSender::new(DEFAULT_CAPACITY)
    }
}

impl LogSender {
    /// Keeps the last `capacity` messages (at least one).
    pub fn new(capacity: usize) -> LogSender {
        let capacity = capacity.max(1);
        LogSender {
            recent: Arc::new(Mutex::new(VecDeque::with_capacity(capacity.min(64)))),
            capacity,
        }
    }

    /// Records the message and reports it delivered.
    pub fn send(&self, msg: &PushMessage) -> PushOutcome {
        tracing::info!(
            message_id = %msg.message_id,
            platform = %msg.platform,
            title = %msg.title,
            "push (log sender, not sent to any device)"
        );
        let entry = LoggedPush {
            message_id: msg.message_id.clone(),
            platform: msg.platform,
            title: msg.title.clone(),
            body: msg.body.clone(),
            data: msg.data.clone(),
            at: Utc::now(),
        };
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.len() == self.capacity {
            recent.pop_front();
        }
        recent.push_back(entry);
        PushOutcome::Delivered { provider_id: None }
    }

    /// The kept messages, oldest first.
    pub fn recent(&self) -> Vec<LoggedPush> {
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: usize) -> PushMessage {
        PushMessage {
            message_id: format!("m{n}"),
            token: format!("device-token-number-{n:04}"),
            platform: Platform::Ios,
            title: format!("title {n}"),
            body: "body".into(),
            data: BTreeMap::from([("incident".to_owned(), "42".to_owned())]),
        }
    }

    #[test]
    fn push_log_sender_keeps_the_last_n_without_tokens() {
        let sender = LogSender::new(3);
        for n in 0..5 {
            assert_eq!(
                sender.send(&message(n)),
                PushOutcome::Delivered { provider_id: None }
            );
        }
        let recent = sender.recent();
        let ids: Vec<_> = recent.iter().map(|p| p.message_id.as_str()).collect();
        assert_eq!(ids, ["m2", "m3", "m4"]);
        assert_eq!(recent[0].data["incident"], "42");
        assert!(!format!("{recent:?}").contains("device-token"));
    }

    #[test]
    fn push_log_sender_clones_share_the_record() {
        let sender = LogSender::default();
        sender.clone().send(&message(1));
        assert_eq!(sender.recent().len(), 1);
    }
}
