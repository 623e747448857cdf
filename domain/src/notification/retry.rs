//! When a failed push is tried again. Backoff doubles from `base` up to
//! `cap`, with half of it random so that a thousand messages failed by the
//! same outage do not all come back in the same second; a `Retry-After` from
//! the provider is a floor. After `max_attempts` the message is dead-lettered
//! for an administrator to look at.

use chrono::{NaiveDateTime, TimeDelta};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: TimeDelta,
    pub cap: TimeDelta,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base: TimeDelta::seconds(2),
            cap: TimeDelta::minutes(15),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    RetryAt(NaiveDateTime),
    DeadLetter,
}

/// After the `attempts`-th failed try (1 for the first), at `now`. `jitter`
/// is a random number in [0, 1).
pub fn after_failure(
    policy: &RetryPolicy,
    attempts: u32,
    retry_after: Option<TimeDelta>,
    jitter: f64,
    now: NaiveDateTime,
) -> Next {
    if attempts >= policy.max_attempts {
        return Next::DeadLetter;
    }
    let doubling = 2_i32.saturating_pow(attempts.saturating_sub(1).min(30));
    let backoff = policy
        .base
        .checked_mul(doubling)
        .unwrap_or(policy.cap)
        .min(policy.cap);
    let millis = backoff.num_milliseconds();
    let jitter = jitter.clamp(0.0, 1.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let delay = TimeDelta::milliseconds(millis / 2 + ((millis / 2) as f64 * jitter) as i64);
    let delay = retry_after.map_or(delay, |floor| delay.max(floor));
    Next::RetryAt(now + delay)
}
