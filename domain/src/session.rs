//! Sign-in sessions: refresh-token rotation and the throttling of failed
//! sign-ins. Time comes in as an argument.

use chrono::{NaiveDateTime, TimeDelta};

/// What is stored about a refresh token when it is presented again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshTokenState {
    /// Already exchanged for a new one.
    pub used: bool,
    /// Its family was revoked (logout, reuse detected, account disabled).
    pub revoked: bool,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Mark this token used and issue the next one of the family.
    Rotate,
    /// A used token came back: someone holds a copy. RFC 9700 §4.14.2:
    /// revoke the whole family, so that neither copy works any more.
    RevokeFamily,
    /// Refuse, change nothing.
    Refuse,
}

pub fn on_refresh(token: RefreshTokenState, now: NaiveDateTime) -> RefreshDecision {
    if token.revoked {
        RefreshDecision::Refuse
    } else if token.used {
        RefreshDecision::RevokeFamily
    } else if token.expires_at <= now {
        RefreshDecision::Refuse
    } else {
        RefreshDecision::Rotate
    }
}

/// Failed sign-ins counted per key (an account, a client address) in a
/// fixed window; too many lock the key for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window: TimeDelta,
    pub lockout: TimeDelta,
}

impl ThrottlePolicy {
    /// Per account: five tries in fifteen minutes, then fifteen minutes' rest.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        max_failures: 5,
        window: TimeDelta::minutes(15),
        lockout: TimeDelta::minutes(15),
    };
    /// Per client address: more, since a site office shares one address.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        max_failures: 30,
        window: TimeDelta::minutes(15),
        lockout: TimeDelta::minutes(15),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRecord {
    pub failures: u32,
    pub window_start: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

impl ThrottlePolicy {
    /// `Err(wait)` while the key is locked.
    pub fn check(
        &self,
        record: Option<&FailureRecord>,
        now: NaiveDateTime,
    ) -> Result<(), TimeDelta> {
        match record.and_then(|r| r.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// The record after one more failure at `now`.
    pub fn after_failure(
        &self,
        record: Option<FailureRecord>,
        now: NaiveDateTime,
    ) -> FailureRecord {
        let mut record = match record {
            Some(r)
                if now - r.window_start < self.window && r.locked_until.is_none_or(|u| u > now) =>
            {
                r
            }
            _ => FailureRecord {
                failures: 0,
                window_start: now,
                locked_until: None,
            },
        };
        record.failures += 1;
        if record.failures >= self.max_failures {
            record.locked_until = Some(now + self.lockout);
        }
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn at(minutes: i64) -> NaiveDateTime {
        DateTime::from_timestamp(1_800_000_000 + minutes * 60, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn a_used_token_revokes_its_family_and_a_fresh_one_rotates() {
        let fresh = RefreshTokenState {
            used: false,
            revoked: false,
            expires_at: at(60),
        };
        assert_eq!(on_refresh(fresh, at(0)), RefreshDecision::Rotate);
        assert_eq!(
            on_refresh(
                RefreshTokenState {
                    used: true,
                    ..fresh
                },
                at(0)
            ),
            RefreshDecision::RevokeFamily
        );
        assert_eq!(
            on_refresh(
                RefreshTokenState {
                    revoked: true,
                    ..fresh
                },
                at(0)
            ),
            RefreshDecision::Refuse
        );
        assert_eq!(
            on_refresh(fresh, at(60)),
            RefreshDecision::Refuse,
            "expired"
        );
    }

    #[test]
    fn the_fifth_failure_locks_for_the_lockout() {
        let policy = ThrottlePolicy::ACCOUNT;
        let mut record = None;
        for minute in 0..4 {
            record = Some(policy.after_failure(record, at(minute)));
            assert_eq!(policy.check(record.as_ref(), at(minute)), Ok(()));
        }
        record = Some(policy.after_failure(record, at(4)));
        assert_eq!(
            policy.check(record.as_ref(), at(5)),
            Err(TimeDelta::minutes(14))
        );
        assert_eq!(
            policy.check(record.as_ref(), at(19)),
            Ok(()),
            "the lock ends"
        );
        let after = policy.after_failure(record, at(20));
        assert_eq!(
            after.failures, 1,
            "a failure after the lock starts a new count"
        );
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let policy = ThrottlePolicy::ACCOUNT;
        let mut record = None;
        for i in 0..10 {
            record = Some(policy.after_failure(record, at(i * 4)));
        }
        assert_eq!(policy.check(record.as_ref(), at(40)), Ok(()));
    }
}
