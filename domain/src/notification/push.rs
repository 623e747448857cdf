//! What became of a push: each phone's answer from the provider, and the
//! rule that combines a user's phones into how the push is settled.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use super::retry::{Next, RetryPolicy, after_failure};

/// What became of one send to one phone, and so what the caller does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Accepted by the provider. `provider_id` is FCM's message `name`.
    Delivered { provider_id: Option<String> },
    /// The token no longer reaches a device (FCM `UNREGISTERED` /
    /// `NOT_FOUND`): the caller deletes the device token.
    TokenGone,
    /// The provider refused this message for good (`INVALID_ARGUMENT`,
    /// `SENDER_ID_MISMATCH`, `THIRD_PARTY_AUTH_ERROR`, …): dead-letter it,
    /// never retry.
    Rejected { reason: String },
    /// Try again later: 429 / `QUOTA_EXCEEDED`, `UNAVAILABLE`, `INTERNAL`,
    /// any 5xx, a rejected access token, connection errors and timeouts.
    /// `after` is the provider's `Retry-After`, when it sent one.
    Retry {
        after: Option<Duration>,
        reason: String,
    },
}

/// How a push to a user ends, whatever number of phones they have.
#[derive(Debug, Clone, PartialEq)]
pub enum Settlement {
    Sent,
    /// Try again at this time; the reason is the last passing failure.
    RetryAt(NaiveDateTime, String),
    /// Dead-lettered for an administrator, with why.
    Dead(String),
}

/// One push to several phones, on its `attempts`-th try (1 for the first):
/// sent when a phone got it (or none is left to reach); retried when any
/// failed for a passing reason, no sooner than the longest `Retry-After`,
/// and dead once the policy gives up; dead when every phone still there
/// refused it for good. `jitter` is a random number in [0, 1).
pub fn settle(
    outcomes: impl IntoIterator<Item = PushOutcome>,
    attempts: u32,
    policy: &RetryPolicy,
    jitter: f64,
    now: NaiveDateTime,
) -> Settlement {
    let mut retry: Option<(Option<Duration>, String)> = None;
    let (mut delivered, mut rejected) = (false, None);
    for outcome in outcomes {
        match outcome {
            PushOutcome::Delivered { .. } => delivered = true,
            PushOutcome::TokenGone => {}
            PushOutcome::Rejected { reason } => rejected = Some(reason),
            PushOutcome::Retry { after, reason } => {
                let longest = match &retry {
                    Some((Some(before), _)) => after.max(Some(*before)),
                    _ => after,
                };
                retry = Some((longest, reason));
            }
        }
    }
    if let Some((after, reason)) = retry {
        let after = after.and_then(|d| TimeDelta::from_std(d).ok());
        return match after_failure(policy, attempts, after, jitter, now) {
            Next::RetryAt(at) => Settlement::RetryAt(at, reason),
            Next::DeadLetter => {
                Settlement::Dead(format!("gave up after {attempts} attempts: {reason}"))
            }
        };
    }
    match (delivered, rejected) {
        (false, Some(reason)) => Settlement::Dead(reason),
        _ => Settlement::Sent,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .unwrap_or_else(|| panic!("a valid time"))
    }

    fn delivered() -> PushOutcome {
        PushOutcome::Delivered {
            provider_id: Some("projects/p/messages/1".into()),
        }
    }

    fn rejected(reason: &str) -> PushOutcome {
        PushOutcome::Rejected {
            reason: reason.into(),
        }
    }

    fn retry(after_s: Option<u64>, reason: &str) -> PushOutcome {
        PushOutcome::Retry {
            after: after_s.map(Duration::from_secs),
            reason: reason.into(),
        }
    }

    fn settle_now(outcomes: Vec<PushOutcome>, attempts: u32) -> Settlement {
        settle(outcomes, attempts, &RetryPolicy::default(), 0.0, now())
    }

    #[test]
    fn one_phone_delivered_and_one_gone_is_sent() {
        assert_eq!(
            settle_now(vec![delivered(), PushOutcome::TokenGone], 1),
            Settlement::Sent
        );
    }

    #[test]
    fn a_delivery_outweighs_a_refusal_on_another_phone() {
        assert_eq!(
            settle_now(vec![rejected("INVALID_ARGUMENT"), delivered()], 1),
            Settlement::Sent
        );
    }

    #[test]
    fn refused_by_every_phone_is_dead_with_the_reason() {
        assert_eq!(
            settle_now(
                vec![rejected("INVALID_ARGUMENT"), rejected("SENDER_ID_MISMATCH")],
                1
            ),
            Settlement::Dead("SENDER_ID_MISMATCH".into())
        );
        assert_eq!(
            settle_now(
                vec![PushOutcome::TokenGone, rejected("INVALID_ARGUMENT")],
                1
            ),
            Settlement::Dead("INVALID_ARGUMENT".into())
        );
    }

    #[test]
    fn any_retry_waits_for_the_longest_retry_after() {
        // Backoff on the first try is 1 to 2 s: every floor here is longer.
        let outcomes = vec![
            delivered(),
            retry(Some(30), "QUOTA_EXCEEDED"),
            retry(None, "UNAVAILABLE"),
            retry(Some(120), "QUOTA_EXCEEDED"),
            retry(Some(60), "INTERNAL"),
        ];
        assert_eq!(
            settle_now(outcomes, 1),
            Settlement::RetryAt(now() + TimeDelta::seconds(120), "INTERNAL".into())
        );
        assert_eq!(
            settle_now(vec![retry(None, "UNAVAILABLE")], 1),
            Settlement::RetryAt(now() + TimeDelta::seconds(1), "UNAVAILABLE".into())
        );
    }

    #[test]
    fn a_retry_after_the_last_attempt_gives_up() {
        let policy = RetryPolicy::default();
        let last = policy.max_attempts;
        assert_eq!(
            settle(
                vec![retry(Some(5), "UNAVAILABLE")],
                last,
                &policy,
                0.5,
                now()
            ),
            Settlement::Dead(format!("gave up after {last} attempts: UNAVAILABLE"))
        );
    }

    #[test]
    fn no_phone_left_to_reach_is_sent() {
        assert_eq!(
            settle_now(vec![PushOutcome::TokenGone, PushOutcome::TokenGone], 3),
            Settlement::Sent
        );
        assert_eq!(settle_now(Vec::new(), 1), Settlement::Sent);
    }
}
