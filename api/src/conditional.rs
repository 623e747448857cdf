//! Cacheable GET answers: a strong `ETag` that is a hash of the body,
//! `Cache-Control` and `Vary`, and 304 Not Modified when the client's
//! `If-None-Match` names the current tag (RFC 9110 §8.8.3, §13.1.2; RFC 9111 §5.2).
//!
//! A handler renders its body and hands it over with [`respond`]; the tag
//! changes exactly when the bytes do, so there is no version to keep.

use actix_web::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Who may keep a copy, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// `public` (shared caches too) or `private` (only the client's own).
    pub shared: bool,
    pub max_age_secs: u32,
    /// The request header the answer depends on (`Authorization`), if any.
    pub vary: Option<&'static str>,
}

impl CachePolicy {
    /// What anyone gets without a token: the same for everyone, so proxies
    /// and CDNs may share it, for five minutes.
    pub const ANONYMOUS: CachePolicy = CachePolicy {
        shared: true,
        max_age_secs: 300,
        vary: Some("Authorization"),
    };

    /// What a signed-in user gets: their client alone keeps it, for a minute.
    pub const SIGNED_IN: CachePolicy = CachePolicy {
        shared: false,
        max_age_secs: 60,
        vary: Some("Authorization"),
    };

    /// The `Cache-Control` value: `public, max-age=300`.
    pub fn cache_control(&self) -> String {
        let scope = if self.shared { "public" } else { "private" };
        format!("{scope}, max-age={}", self.max_age_secs)
    }
}

/// The strong entity tag of `body`: the URL-safe base64 of its SHA-256, quoted.
pub fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(Sha256::digest(body)))
}

/// 200 with `body` as `content_type`, its `ETag`, `Cache-Control` and
/// `Vary`; or, on GET and HEAD when `If-None-Match` names that tag (weakly
/// compared, `W/"…"` matches too) or is `*`, 304 with the same headers and
/// no body. Other methods get the 200: this is for reads.
pub fn respond(
    req: &HttpRequest,
    body: impl Into<Bytes>,
    content_type: &str,
    policy: CachePolicy,
) -> HttpResponse {
    let body = body.into();
    let etag = etag_of(&body);
    let not_modified = matches!(*req.method(), Method::GET | Method::HEAD)
        && req
            .headers()
            .get_all(IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .any(|value| none_match_names(value, &etag));
    let mut response = HttpResponse::build(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    response
        .insert_header((ETAG, etag))
        .insert_header((CACHE_CONTROL, policy.cache_control()));
    if let Some(vary) = policy.vary {
        response.insert_header((VARY, vary));
    }
    if not_modified {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}

/// Whether one `If-None-Match` field value (`*`, or a comma-separated list
/// of `"tag"` / `W/"tag"`) matches `etag` by the weak comparison. A value
/// that does not parse matches nothing.
fn none_match_names(value: &str, etag: &str) -> bool {
    let value = value.trim();
    if value == "*" {
        return true;
    }
    let opaque = |tag: &str| tag.strip_prefix("W/").unwrap_or(tag).to_owned();
    let ours = opaque(etag);
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let weak = rest.starts_with("W/");
        let tag_start = if weak { &rest[2..] } else { rest };
        let Some(after_quote) = tag_start.strip_prefix('"') else {
            return false;
        };
        // An entity tag cannot hold a quote, but may hold a comma.
        let Some(end) = after_quote.find('"') else {
            return false;
        };
        let tag = &tag_start[..end + 2];
        if tag == ours {
            return true;
        }
        rest = &after_quote[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;
    use actix_web::test::TestRequest;

    use super::*;

    const BODY: &[u8] = br#"{"items":[]}"#;

    fn header<'a>(response: &'a HttpResponse, name: &str) -> &'a str {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[test]
    fn the_tag_is_a_quoted_hash_of_the_body() {
        let tag = etag_of(BODY);
        assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
        assert_eq!(tag.len(), 45, "43 characters of base64 for 32 bytes");
        assert_eq!(tag, etag_of(BODY));
        assert_ne!(tag, etag_of(br#"{"items":[1]}"#));
    }

    #[test]
    fn if_none_match_lists_stars_and_weak_tags() {
        let tag = "\"abc\"";
        for value in [
            "\"abc\"",
            "*",
            " * ",
            "W/\"abc\"",
            "\"x\", \"abc\"",
            "\"x\",W/\"abc\"",
            "\"a,b\", \"abc\"",
            // Malformed after the tag, but the tag came first.
            "\"abc\"x",
        ] {
            assert!(none_match_names(value, tag), "{value} matches");
        }
        for value in [
            "",
            "\"abcd\"",
            "abc",
            "\"x\", abc",
            "\"x\"y, \"abc\"",
            "\"ab",
            "W/abc",
            "\"a,b\"",
        ] {
            assert!(!none_match_names(value, tag), "{value} does not match");
        }
    }

    #[tokio::test]
    async fn a_fresh_request_gets_the_body_and_the_headers() {
        let req = TestRequest::get().to_http_request();
        let response = respond(&req, BODY, "application/json", CachePolicy::ANONYMOUS);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "etag"), etag_of(BODY));
        assert_eq!(header(&response, "cache-control"), "public, max-age=300");
        assert_eq!(header(&response, "vary"), "Authorization");
        assert_eq!(header(&response, "content-type"), "application/json");
        let body = to_bytes(response.into_body()).await.expect("a body");
        assert_eq!(&body[..], BODY);
    }

    #[tokio::test]
    async fn a_matching_tag_gets_304_without_a_body() {
        for sent in [etag_of(BODY), format!("W/{}", etag_of(BODY)), "*".into()] {
            let req = TestRequest::get()
                .insert_header(("If-None-Match", sent.as_str()))
                .to_http_request();
            let response = respond(&req, BODY, "application/json", CachePolicy::SIGNED_IN);
            assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{sent}");
            assert_eq!(header(&response, "etag"), etag_of(BODY));
            assert_eq!(header(&response, "cache-control"), "private, max-age=60");
            assert_eq!(header(&response, "vary"), "Authorization");
            let body = to_bytes(response.into_body()).await.expect("a body");
            assert!(body.is_empty());
        }
    }

    #[tokio::test]
    async fn another_tag_or_another_method_gets_the_body() {
        let req = TestRequest::get()
            .insert_header(("If-None-Match", "\"stale\""))
            .to_http_request();
        let response = respond(&req, BODY, "application/json", CachePolicy::ANONYMOUS);
        assert_eq!(response.status(), StatusCode::OK);

        let req = TestRequest::post()
            .insert_header(("If-None-Match", "*"))
            .to_http_request();
        let response = respond(&req, BODY, "application/json", CachePolicy::ANONYMOUS);
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[test]
    fn without_vary_no_vary_header() {
        let req = TestRequest::get().to_http_request();
        let policy = CachePolicy {
            vary: None,
            ..CachePolicy::ANONYMOUS
        };
        let response = respond(&req, BODY, "application/json", policy);
        assert!(response.headers().get("vary").is_none());
    }
}
