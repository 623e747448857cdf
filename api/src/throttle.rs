//! Request quotas per key: a client address for anonymous reads of the
//! public reference data, an API key for whatever names one. One
//! [`KeyedThrottle`] holds one quota (so many requests a minute, all of them
//! at once as a burst) and a GCRA state per key (`governor`); a key over its
//! quota is answered 429 `too_many_requests` with `Retry-After`.
//!
//! The state lives in this process: behind a load balancer each node counts
//! on its own, which is what a throttle against scraping needs.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::HttpRequest;
use actix_web::http::header::RETRY_AFTER;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{ApiError, ErrorCode};

/// Checks between two sweeps of the keys that are back to a full quota, so
/// that addresses seen once do not stay in memory for ever.
const SWEEP_EVERY: u64 = 4096;

/// So many requests a minute per key.
pub struct KeyedThrottle {
    /// `None`: no quota (configured as 0).
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    per_minute: u32,
    checks: AtomicU64,
}

impl std::fmt::Debug for KeyedThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedThrottle")
            .field("per_minute", &self.per_minute)
            .finish_non_exhaustive()
    }
}

impl KeyedThrottle {
    /// `per_minute` requests a minute per key, of which all may come at once;
    /// after that one more every `60 / per_minute` seconds. 0: no limit.
    pub fn per_minute(per_minute: u32) -> KeyedThrottle {
        KeyedThrottle {
            limiter: NonZeroU32::new(per_minute)
                .map(|n| RateLimiter::dashmap(Quota::per_minute(n))),
            per_minute,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one request of `key`: `Ok` within the quota, else 429
    /// `too_many_requests` with `Retry-After` (whole seconds, at least 1).
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let seconds = seconds.max(1);
            ApiError::new(
                ErrorCode::TooManyRequests,
                format!(
                    "more than {} requests a minute; try again in {seconds} s, or sign in",
                    self.per_minute
                ),
            )
            .with_header(RETRY_AFTER, seconds.to_string())
        })
    }
}

/// The client's address, as the key of its quota: the peer, or with
/// `trust_proxy` the first address of `Forwarded` / `X-Forwarded-For` (set
/// it only behind a proxy that overwrites those headers, or anyone can pick
/// their own key).
pub fn client_address(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy && let Some(addr) = req.connection_info().realip_remote_addr() {
        return strip_port(addr);
    }
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// `203.0.113.7:4711` and `[2001:db8::1]:4711` without the port; anything
/// else (a bare address, an obfuscated `Forwarded` identifier) as it is.
fn strip_port(addr: &str) -> String {
    match addr.parse::<std::net::SocketAddr>() {
        Ok(socket) => socket.ip().to_string(),
        Err(_) => addr.trim_matches(['[', ']']).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn a_key_gets_its_quota_then_429_with_retry_after() {
        let throttle = KeyedThrottle::per_minute(3);
        for _ in 0..3 {
            assert!(throttle.check("198.51.100.1").is_ok());
        }
        let refused = throttle.check("198.51.100.1").expect_err("over the quota");
        assert_eq!(refused.code(), ErrorCode::TooManyRequests);
        assert_eq!(refused.status().as_u16(), 429);
        let response = actix_web::ResponseError::error_response(&refused);
        let retry: u64 = response
            .headers()
            .get(RETRY_AFTER)
            .expect("Retry-After")
            .to_str()
            .expect("ASCII")
            .parse()
            .expect("seconds");
        // One request every 20 s comes back.
        assert!((1..=20).contains(&retry), "Retry-After {retry}");
    }

    #[test]
    fn keys_are_counted_apart() {
        let throttle = KeyedThrottle::per_minute(1);
        assert!(throttle.check("a").is_ok());
        assert!(throttle.check("a").is_err());
        assert!(throttle.check("b").is_ok());
    }

    #[test]
    fn zero_is_no_limit() {
        let throttle = KeyedThrottle::per_minute(0);
        for _ in 0..1000 {
            assert!(throttle.check("a").is_ok());
        }
    }

    #[test]
    fn sweeping_forgets_no_key_still_limited() {
        let throttle = KeyedThrottle::per_minute(1);
        assert!(throttle.check("held").is_ok());
        for i in 0..SWEEP_EVERY {
            let _ = throttle.check(&format!("other-{i}"));
        }
        assert!(throttle.check("held").is_err());
    }

    #[test]
    fn the_address_is_the_peer_unless_proxies_are_trusted() {
        let req = TestRequest::default()
            .peer_addr("192.0.2.9:5000".parse().expect("an address"))
            .insert_header(("X-Forwarded-For", "203.0.113.7, 10.0.0.1"))
            .to_http_request();
        assert_eq!(client_address(&req, false), "192.0.2.9");
        assert_eq!(client_address(&req, true), "203.0.113.7");

        let req = TestRequest::default()
            .peer_addr("192.0.2.9:5000".parse().expect("an address"))
            .insert_header(("Forwarded", r#"for="[2001:db8::1]:4711""#))
            .to_http_request();
        assert_eq!(client_address(&req, true), "2001:db8::1");

        let req = TestRequest::default()
            .peer_addr("192.0.2.9:5000".parse().expect("an address"))
            .to_http_request();
        assert_eq!(client_address(&req, true), "192.0.2.9");
    }
}
