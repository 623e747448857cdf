//! Push notifications: the port the delivery worker uses ([`PushSender`]) and
//! its two adapters, [`FcmSender`] (Firebase Cloud Messaging, HTTP v1 API)
//! and [`LogSender`] (the embedded default without FCM credentials).
//!
//! Delivery is at least once: a message may reach FCM twice when an answer
//! is lost. Its `message_id` (the outbox row id) therefore travels as
//! `data["message_id"]`, the Android notification `tag`, the APNs collapse
//! id and the web push `Topic` where it fits, so phones can drop the
//! duplicate. (Not as the Android collapse key: Android keeps only four of
//! those per offline device, which would lose pushes to a phone out of signal.)
//!
//! Device tokens are secrets of a kind (whoever has one can push to that
//! phone): they are never logged, and `Debug` shows only their last four
//! characters.

pub mod fcm;
pub mod log;

use std::collections::BTreeMap;
use std::fmt;

pub use fcm::{FcmSender, PushSetupError};
/// What became of a send (one phone) and of a push (all of a user's phones):
/// domain types, re-exported for the adapters' callers.
pub use gridops_domain::notification::{PushOutcome, Settlement};
pub use log::{LogSender, LoggedPush};

/// Which kind of device a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Android,
    Ios,
    Web,
}

impl Platform {
    /// The stored spelling ([`Platform::as_str`]), any case.
    pub fn parse(text: &str) -> Option<Platform> {
        [Platform::Android, Platform::Ios, Platform::Web]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Web => "web",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One notification to one device.
#[derive(Clone, PartialEq, Eq)]
pub struct PushMessage {
    /// The outbox row id. Also `data["message_id"]`, the Android `tag` and
    /// `apns-collapse-id`, so phones drop duplicates of an at-least-once send.
    pub message_id: String,
    /// The device's registration token. Never logged.
    pub token: String,
    pub platform: Platform,
    pub title: String,
    pub body: String,
    /// Extra key/value pairs for the app; `message_id` is added on sending.
    pub data: BTreeMap<String, String>,
}

impl fmt::Debug for PushMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushMessage")
            .field("message_id", &self.message_id)
            .field("token", &redact_token(&self.token))
            .field("platform", &self.platform)
            .field("title", &self.title)
            .field("body", &self.body)
            .field("data", &self.data)
            .finish()
    }
}

/// A token as it may appear in logs and `Debug` output: its last four
/// characters, or nothing at all when it is too short to hide the rest.
pub fn redact_token(token: &str) -> String {
    let count = token.chars().count();
    if count < 16 {
        return "…".to_owned();
    }
    let tail: String = token.chars().skip(count - 4).collect();
    format!("…{tail}")
}

/// The push port: one of the adapters, chosen at start-up.
#[derive(Debug, Clone)]
pub enum PushSender {
    Fcm(FcmSender),
    Log(LogSender),
}

impl PushSender {
    /// Sends one message and says what became of it. Never panics and never
    /// returns early on an error: every failure is an outcome.
    pub async fn send(&self, msg: &PushMessage) -> PushOutcome {
        match self {
            PushSender::Fcm(sender) => sender.send(msg).await,
            PushSender::Log(sender) => sender.send(msg),
        }
    }

    /// The adapter's name, for logs and the health page.
    pub fn name(&self) -> &'static str {
        match self {
            PushSender::Fcm(_) => "fcm",
            PushSender::Log(_) => "log",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(token: &str) -> PushMessage {
        PushMessage {
            message_id: "0190c3f2a1b27c3d9e8f001122334455".into(),
            token: token.into(),
            platform: Platform::Android,
            title: "Outage".into(),
            body: "Feeder 12 is down".into(),
            data: BTreeMap::new(),
        }
    }

    #[test]
    fn push_debug_shows_only_the_last_four_characters_of_the_token() {
        let token = "dXk3s9:APA91bHsecretsecretsecretsecretWXYZ";
        let shown = format!("{:?}", message(token));
        assert!(!shown.contains("APA91b"), "{shown}");
        assert!(!shown.contains(token), "{shown}");
        assert!(shown.contains("…WXYZ"), "{shown}");
        assert!(
            shown.contains("0190c3f2a1b27c3d9e8f001122334455"),
            "{shown}"
        );
    }

    #[test]
    fn push_debug_hides_short_tokens_entirely() {
        let shown = format!("{:?}", message("abcdefgh"));
        assert!(!shown.contains("efgh"), "{shown}");
        assert_eq!(redact_token(""), "…");
    }

    #[test]
    fn push_platform_parses_its_own_spelling() {
        for platform in [Platform::Android, Platform::Ios, Platform::Web] {
            assert_eq!(Platform::parse(platform.as_str()), Some(platform));
        }
        assert_eq!(Platform::parse("iOS"), Some(Platform::Ios));
        assert_eq!(Platform::parse("windows"), None);
    }

    #[tokio::test]
    async fn push_sender_names_its_adapter() {
        let sender = PushSender::Log(LogSender::new(10));
        assert_eq!(sender.name(), "log");
        let outcome = sender.send(&message("a-token-of-some-length")).await;
        assert_eq!(outcome, PushOutcome::Delivered { provider_id: None });
    }
}
