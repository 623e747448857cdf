//! [`FcmSender`]: Firebase Cloud Messaging over the HTTP v1 API.
//!
//! * Credentials: a Google service-account JSON file. Access tokens come from
//!   its `token_uri` by the OAuth 2.0 JWT-bearer grant (RFC 7523): an RS256
//!   JWT signed with the account's key, `iss` = `client_email`, `aud` =
//!   `token_uri`, `scope` = firebase.messaging, valid one hour.
//! * The access token is cached until shortly before it expires; concurrent
//!   sends share one refresh (the cache sits behind an async mutex that the
//!   refreshing task holds). A 401 from FCM drops it.
//! * Each message is one `POST {endpoint}/v1/projects/{project_id}/messages:send`,
//!   at most `max_in_flight` at a time, each bounded by a timeout.
//! * Answers are classified as Google documents them
//!   (<https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode>):
//!   see [`classify`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::{Mutex, Semaphore};

use super::{PushMessage, PushOutcome, redact_token};

/// Google's FCM base URL.
pub const DEFAULT_ENDPOINT: &str = "https://fcm.googleapis.com";
/// The OAuth scope FCM's send API needs.
pub const MESSAGING_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
/// The OAuth 2.0 grant type of RFC 7523 §2.1.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// How long each HTTP request (token or send) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Google accepts assertions valid for at most one hour.
const ASSERTION_LIFETIME_SECS: u64 = 3600;
/// Used when the token endpoint does not say (Google always does).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// A cached access token is replaced this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// A `Retry-After` longer than this is taken as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
const FCM_ERROR_TYPE: &str = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
/// APNs refuses a longer `apns-collapse-id`.
const APNS_COLLAPSE_ID_MAX_BYTES: usize = 64;
/// RFC 8030 §5.4: a web push `Topic` is at most 32 URL-safe base64 characters.
const WEBPUSH_TOPIC_MAX_CHARS: usize = 32;

/// Why an [`FcmSender`] could not be built. Each names the file and field.
#[derive(Debug, thiserror::Error)]
pub enum PushSetupError {
    #[error("cannot read the FCM service-account file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the FCM service-account file {} is not a JSON object: {source}", path.display())]
    NotJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("the FCM service-account file {} has no `{field}`", path.display())]
    MissingField { path: PathBuf, field: &'static str },
    #[error("the FCM service-account file {} has an unusable `{field}`: {reason}", path.display())]
    InvalidField {
        path: PathBuf,
        field: &'static str,
        reason: String,
    },
    #[error("the FCM endpoint {endpoint:?} is not an http(s) URL: {reason}")]
    InvalidEndpoint { endpoint: String, reason: String },
    #[error("max_in_flight must be at least 1")]
    NoConcurrency,
    #[error("cannot build the HTTP client for FCM: {0}")]
    Client(#[source] reqwest::Error),
}

/// The parts of a service-account file the sender uses.
struct ServiceAccount {
    project_id: String,
    client_email: String,
    token_uri: String,
    /// Carries `kid` = `private_key_id` when the file has one, as Google's
    /// own libraries send it.
    header: Header,
    key: EncodingKey,
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

impl ServiceAccount {
    fn parse(text: &str, path: &Path) -> Result<ServiceAccount, PushSetupError> {
        let fields: Map<String, Value> =
            serde_json::from_str(text).map_err(|source| PushSetupError::NotJson {
                path: path.to_owned(),
                source,
            })?;
        let field = |name: &'static str| required(&fields, name, path);
        let invalid = |field: &'static str, reason: String| PushSetupError::InvalidField {
            path: path.to_owned(),
            field,
            reason,
        };

        let kind = field("type")?;
        if kind != "service_account" {
            return Err(invalid(
                "type",
                format!("it is {kind:?}; FCM needs a \"service_account\" key"),
            ));
        }
        let project_id = field("project_id")?;
        if !project_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_'))
        {
            return Err(invalid(
                "project_id",
                "not a Google Cloud project id".into(),
            ));
        }
        let client_email = field("client_email")?;
        let token_uri = field("token_uri")?;
        check_http_url(&token_uri).map_err(|reason| invalid("token_uri", reason))?;
        let private_key = field("private_key")?;
        let key = EncodingKey::from_rsa_pem(private_key.as_bytes()).map_err(|e| {
            invalid(
                "private_key",
                format!("not an RSA private key in PEM ({e})"),
            )
        })?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = match fields.get("private_key_id") {
            Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
            _ => None,
        };
        // The PEM decoder accepts some keys the signer refuses: sign once
        // now, so a bad key fails at start-up rather than at the first push.
        let probe = AssertionClaims {
            iss: &client_email,
            scope: MESSAGING_SCOPE,
            aud: &token_uri,
            iat: 0,
            exp: 0,
        };
        jsonwebtoken::encode(&header, &probe, &key)
            .map_err(|e| invalid("private_key", format!("cannot sign with it ({e})")))?;
        Ok(ServiceAccount {
            project_id,
            client_email,
            token_uri,
            header,
            key,
        })
    }
}

fn required(
    fields: &Map<String, Value>,
    name: &'static str,
    path: &Path,
) -> Result<String, PushSetupError> {
    match fields.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        None | Some(Value::Null) | Some(Value::String(_)) => Err(PushSetupError::MissingField {
            path: path.to_owned(),
            field: name,
        }),
        Some(_) => Err(PushSetupError::InvalidField {
            path: path.to_owned(),
            field: name,
            reason: "not a string".into(),
        }),
    }
}

fn check_http_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    match parsed.scheme() {
        "http" | "https" if parsed.has_host() => Ok(()),
        "http" | "https" => Err("no host".into()),
        other => Err(format!("scheme {other:?} is not http or https")),
    }
}

/// An access token and when to stop using it.
struct CachedToken {
    value: String,
    /// Refresh from here on.
    refresh_at: Instant,
    /// Still usable until here if a refresh fails.
    expires_at: Instant,
}

/// How long an access token that `expires_in` is used before it is
/// refreshed: five minutes less, or half its life when that is shorter
/// (so a short-lived token is still used at all).
pub fn token_use_period(expires_in: Duration) -> Duration {
    expires_in.saturating_sub(REFRESH_MARGIN.min(expires_in / 2))
}

/// Sends through FCM's HTTP v1 API. Cheap to clone; clones share the HTTP
/// client, the access token and the in-flight limit.
#[derive(Clone)]
pub struct FcmSender {
    inner: Arc<Inner>,
    request_timeout: Duration,
}

struct Inner {
    client: reqwest::Client,
    account: ServiceAccount,
    send_url: String,
    in_flight: Semaphore,
    max_in_flight: usize,
    token: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for FcmSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FcmSender")
            .field("project_id", &self.inner.account.project_id)
            .field("client_email", &self.inner.account.client_email)
            .field("send_url", &self.inner.send_url)
            .field("max_in_flight", &self.inner.max_in_flight)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl FcmSender {
    /// Reads a Google service-account JSON file (`type`, `project_id`,
    /// `private_key`, `client_email`, `token_uri`). `endpoint` is the FCM
    /// base URL, [`DEFAULT_ENDPOINT`] when `None`; at most `max_in_flight`
    /// requests run at once.
    pub fn from_service_account_file(
        path: &Path,
        endpoint: Option<&str>,
        max_in_flight: usize,
    ) -> Result<FcmSender, PushSetupError> {
        let text = std::fs::read_to_string(path).map_err(|source| PushSetupError::Read {
            path: path.to_owned(),
            source,
        })?;
        let account = ServiceAccount::parse(&text, path)?;
        if max_in_flight == 0 {
            return Err(PushSetupError::NoConcurrency);
        }
        let endpoint = endpoint.unwrap_or(DEFAULT_ENDPOINT).trim_end_matches('/');
        check_http_url(endpoint).map_err(|reason| PushSetupError::InvalidEndpoint {
            endpoint: endpoint.to_owned(),
            reason,
        })?;
        let send_url = format!(
            "{endpoint}/v1/projects/{}/messages:send",
            account.project_id
        );
        let client = reqwest::Client::builder()
            .user_agent(concat!("gridops/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(PushSetupError::Client)?;
        let max_in_flight = max_in_flight.min(Semaphore::MAX_PERMITS);
        Ok(FcmSender {
            inner: Arc::new(Inner {
                client,
                account,
                send_url,
                in_flight: Semaphore::new(max_in_flight),
                max_in_flight,
                token: Mutex::new(None),
            }),
            request_timeout: REQUEST_TIMEOUT,
        })
    }

    /// The same sender with another per-request timeout (default
    /// [`REQUEST_TIMEOUT`]).
    pub fn with_request_timeout(mut self, timeout: Duration) -> FcmSender {
        self.request_timeout = timeout;
        self
    }

    pub fn project_id(&self) -> &str {
        &self.inner.account.project_id
    }

    /// Sends one message; every failure is an outcome, never a panic.
    pub async fn send(&self, msg: &PushMessage) -> PushOutcome {
        let outcome = scrub(self.try_send(msg).await, &msg.token);
        let token = redact_token(&msg.token);
        match &outcome {
            PushOutcome::Delivered { provider_id } => {
                tracing::debug!(message_id = %msg.message_id, platform = %msg.platform, ?provider_id, "push delivered to FCM");
            }
            PushOutcome::TokenGone => {
                tracing::info!(message_id = %msg.message_id, platform = %msg.platform, %token, "FCM: device token no longer registered");
            }
            PushOutcome::Rejected { reason } => {
                tracing::warn!(message_id = %msg.message_id, platform = %msg.platform, %token, %reason, "FCM rejected a push");
            }
            PushOutcome::Retry { after, reason } => {
                tracing::warn!(message_id = %msg.message_id, platform = %msg.platform, ?after, %reason, "push to FCM to be retried");
            }
        }
        outcome
    }

    async fn try_send(&self, msg: &PushMessage) -> PushOutcome {
        let Ok(_permit) = self.inner.in_flight.acquire().await else {
            return retry("the push sender is closed".into());
        };
        let access_token = match self.access_token().await {
            Ok(token) => token,
            Err(reason) => return retry(reason),
        };
        let response = self
            .inner
            .client
            .post(&self.inner.send_url)
            .bearer_auth(&access_token)
            .json(&SendRequest::new(msg))
            .timeout(self.request_timeout)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return retry(transport_error("FCM", &e, self.request_timeout)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        // A body lost after a 2xx status line is still a delivery.
        let body = response.text().await.unwrap_or_default();
        let outcome = classify(status, &body, retry_after);
        if status == 401 && matches!(outcome, PushOutcome::Retry { .. }) {
            self.drop_access_token(&access_token).await;
        }
        outcome
    }

    /// The cached access token, or a fresh one. Callers queue on the mutex
    /// while one of them refreshes, then all use its result.
    async fn access_token(&self) -> Result<String, String> {
        let mut cached = self.inner.token.lock().await;
        let now = Instant::now();
        if let Some(token) = cached.as_ref().filter(|t| now < t.refresh_at) {
            return Ok(token.value.clone());
        }
        match self.fetch_access_token().await {
            Ok((value, expires_in)) => {
                *cached = Some(CachedToken {
                    value: value.clone(),
                    refresh_at: now + token_use_period(expires_in),
                    expires_at: now + expires_in,
                });
                Ok(value)
            }
            Err(reason) => match cached.as_ref().filter(|t| Instant::now() < t.expires_at) {
                Some(old) => {
                    tracing::warn!(%reason, "OAuth token refresh failed; the current token is still valid");
                    Ok(old.value.clone())
                }
                None => Err(reason),
            },
        }
    }

    /// Forgets `rejected` unless another task has already replaced it.
    async fn drop_access_token(&self, rejected: &str) {
        let mut cached = self.inner.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.value == rejected) {
            *cached = None;
        }
    }

    /// The JWT-bearer grant against the account's `token_uri`.
    async fn fetch_access_token(&self) -> Result<(String, Duration), String> {
        let account = &self.inner.account;
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = AssertionClaims {
            iss: &account.client_email,
            scope: MESSAGING_SCOPE,
            aud: &account.token_uri,
            iat,
            exp: iat + ASSERTION_LIFETIME_SECS,
        };
        let assertion = jsonwebtoken::encode(&account.header, &claims, &account.key)
            .map_err(|e| format!("cannot sign the OAuth assertion: {e}"))?;
        let response = self
            .inner
            .client
            .post(&account.token_uri)
            .form(&[
                ("grant_type", JWT_BEARER_GRANT),
                ("assertion", assertion.as_str()),
            ])
            .timeout(self.request_timeout)
            .send()
            .await
            .map_err(|e| transport_error("the OAuth token endpoint", &e, self.request_timeout))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| transport_error("the OAuth token endpoint", &e, self.request_timeout))?;
        if !status.is_success() {
            let detail = serde_json::from_str::<OAuthError>(&body)
                .map(|e| match e.error_description {
                    Some(description) => format!("{}: {}", e.error, shorten(&description)),
                    None => e.error,
                })
                .unwrap_or_else(|_| "no OAuth error body".into());
            return Err(format!(
                "the OAuth token endpoint answered {status} ({detail})"
            ));
        }
        let token: TokenResponse = serde_json::from_str(&body)
            .map_err(|e| format!("the OAuth token endpoint sent an unreadable answer: {e}"))?;
        if token.access_token.is_empty() {
            return Err("the OAuth token endpoint sent an empty access token".into());
        }
        let expires_in = token
            .expires_in
            .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
        Ok((token.access_token, expires_in))
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    error_description: Option<String>,
}

fn retry(reason: String) -> PushOutcome {
    PushOutcome::Retry {
        after: None,
        reason,
    }
}

/// Replaces any echo of the device token in a reason with its redaction.
fn scrub(outcome: PushOutcome, token: &str) -> PushOutcome {
    if token.is_empty() {
        return outcome;
    }
    let clean = |reason: String| reason.replace(token, &redact_token(token));
    match outcome {
        PushOutcome::Rejected { reason } => PushOutcome::Rejected {
            reason: clean(reason),
        },
        PushOutcome::Retry { after, reason } => PushOutcome::Retry {
            after,
            reason: clean(reason),
        },
        other => other,
    }
}

/// A transport failure with its causes (the top-level reqwest message alone
/// says only "error sending request").
fn transport_error(peer: &str, error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("{peer} did not answer within {timeout:?}");
    }
    let mut text = if error.is_connect() {
        format!("cannot connect to {peer}: {error}")
    } else {
        format!("request to {peer} failed: {error}")
    };
    let mut cause = std::error::Error::source(error);
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

fn shorten(text: &str) -> String {
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

// ---------------------------------------------------------------------------
// The request body: https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages

#[derive(Serialize)]
struct SendRequest<'a> {
    message: Message<'a>,
}

#[derive(Serialize)]
struct Message<'a> {
    token: &'a str,
    notification: Notification<'a>,
    data: BTreeMap<&'a str, &'a str>,
    android: AndroidConfig<'a>,
    apns: Headers<'a>,
    webpush: Headers<'a>,
}

#[derive(Serialize)]
struct Notification<'a> {
    title: &'a str,
    body: &'a str,
}

/// No `collapse_key`: Android keeps at most four collapse keys per device
/// while it is offline, so a key per message would drop all but the last
/// four pushes to a phone out of signal. Repeats are told apart by
/// `data.message_id` and replace each other on screen by `tag`.
#[derive(Serialize)]
struct AndroidConfig<'a> {
    priority: &'static str,
    notification: AndroidNotification<'a>,
}

#[derive(Serialize)]
struct AndroidNotification<'a> {
    /// A shown notification with the same tag is replaced, not duplicated.
    tag: &'a str,
}

#[derive(Serialize)]
struct Headers<'a> {
    headers: BTreeMap<&'static str, &'a str>,
}

impl<'a> SendRequest<'a> {
    fn new(msg: &'a PushMessage) -> SendRequest<'a> {
        let id = msg.message_id.as_str();
        let mut data: BTreeMap<&str, &str> = msg
            .data
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        data.insert("message_id", id);

        let mut apns = BTreeMap::from([("apns-priority", "10")]);
        if id.len() <= APNS_COLLAPSE_ID_MAX_BYTES {
            apns.insert("apns-collapse-id", id);
        }
        let mut webpush = BTreeMap::from([("Urgency", "high")]);
        if is_webpush_topic(id) {
            webpush.insert("Topic", id);
        }
        SendRequest {
            message: Message {
                token: &msg.token,
                notification: Notification {
                    title: &msg.title,
                    body: &msg.body,
                },
                data,
                android: AndroidConfig {
                    priority: "high",
                    notification: AndroidNotification { tag: id },
                },
                apns: Headers { headers: apns },
                webpush: Headers { headers: webpush },
            },
        }
    }
}

fn is_webpush_topic(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= WEBPUSH_TOPIC_MAX_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

// ---------------------------------------------------------------------------
// Classifying answers

#[derive(Deserialize)]
struct SendResponse {
    name: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: GoogleError,
}

/// Google's error body: `{"error": {"code", "message", "status", "details"}}`.
#[derive(Deserialize)]
struct GoogleError {
    message: Option<String>,
    status: Option<String>,
    #[serde(default)]
    details: Vec<Value>,
}

impl GoogleError {
    fn parse(body: &str) -> Option<GoogleError> {
        serde_json::from_str::<ErrorEnvelope>(body)
            .ok()
            .map(|e| e.error)
    }

    /// The `errorCode` of the `FcmError` detail, if any.
    fn fcm_error_code(&self) -> Option<&str> {
        self.details
            .iter()
            .find(|d| d.get("@type").and_then(Value::as_str) == Some(FCM_ERROR_TYPE))
            .and_then(|d| d.get("errorCode"))
            .and_then(Value::as_str)
    }

    fn describe(&self, http_status: u16) -> String {
        let mut text = format!("FCM answered {http_status}");
        if let Some(status) = &self.status {
            text.push(' ');
            text.push_str(status);
        }
        if let Some(code) = self.fcm_error_code() {
            text.push_str(&format!(" ({code})"));
        }
        if let Some(message) = &self.message {
            text.push_str(": ");
            text.push_str(&shorten(message));
        }
        text
    }
}

/// What an answer of FCM means for the message, from its HTTP status, body
/// and `Retry-After`:
///
/// * 2xx: delivered; `name` is the provider id.
/// * `FcmError` `UNREGISTERED`, or a Google 404 `NOT_FOUND`: the token is gone.
/// * `INVALID_ARGUMENT`, `SENDER_ID_MISMATCH`, `THIRD_PARTY_AUTH_ERROR`
///   (formerly `APNS_AUTH_ERROR`), and any other 4xx: rejected for good.
/// * `QUOTA_EXCEEDED`, `UNAVAILABLE`, `INTERNAL`, 408, 429, any 5xx: retry,
///   after `Retry-After` when given.
/// * 401 without `THIRD_PARTY_AUTH_ERROR`: our access token was refused;
///   retry (the sender drops the token).
///
/// The `FcmError` code decides before the HTTP status: a 401 can be our
/// token (retry) or the project's APNs credential (reject). A 404 without a
/// Google error body (a proxy, a wrong endpoint) is rejected, not taken as a
/// dead token, so a misconfiguration cannot delete every device.
pub fn classify(status: u16, body: &str, retry_after: Option<Duration>) -> PushOutcome {
    if (200..300).contains(&status) {
        let provider_id = serde_json::from_str::<SendResponse>(body)
            .ok()
            .and_then(|r| r.name);
        return PushOutcome::Delivered { provider_id };
    }
    let error = GoogleError::parse(body);
    let reason = match &error {
        Some(error) => error.describe(status),
        None => format!("FCM answered {status} without a Google error body"),
    };
    let again = |reason: String| PushOutcome::Retry {
        after: retry_after,
        reason,
    };
    match error.as_ref().and_then(GoogleError::fcm_error_code) {
        Some("UNREGISTERED") => return PushOutcome::TokenGone,
        Some(
            "INVALID_ARGUMENT"
            | "SENDER_ID_MISMATCH"
            | "THIRD_PARTY_AUTH_ERROR"
            | "APNS_AUTH_ERROR",
        ) => return PushOutcome::Rejected { reason },
        Some("QUOTA_EXCEEDED" | "UNAVAILABLE" | "INTERNAL") => return again(reason),
        _ => {}
    }
    match status {
        404 if error
            .as_ref()
            .is_some_and(|e| e.status.as_deref().is_none_or(|s| s == "NOT_FOUND")) =>
        {
            PushOutcome::TokenGone
        }
        401 => again(format!(
            "{reason} (the access token was refused; a new one will be fetched)"
        )),
        408 | 429 | 500..=599 => again(reason),
        400..=499 => PushOutcome::Rejected { reason },
        // 1xx/3xx: not an answer FCM gives; nothing says the message is bad.
        _ => again(reason),
    }
}

/// A `Retry-After` value (RFC 9110 §10.2.3): delta-seconds or an HTTP date,
/// relative to `now`. A date in the past means "now"; anything beyond a day
/// is capped at a day.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits yet unparsable: more seconds than u64 holds.
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::Platform;

    fn fcm_error(code: u16, status: &str, error_code: &str) -> String {
        serde_json::json!({"error": {
            "code": code,
            "message": "from the test",
            "status": status,
            "details": [{"@type": FCM_ERROR_TYPE, "errorCode": error_code}],
        }})
        .to_string()
    }

    fn is_retry(outcome: &PushOutcome, expected_after: Option<Duration>) -> bool {
        matches!(outcome, PushOutcome::Retry { after, .. } if *after == expected_after)
    }

    fn is_rejected(outcome: &PushOutcome) -> bool {
        matches!(outcome, PushOutcome::Rejected { .. })
    }

    #[test]
    fn push_classify_success_reads_the_name() {
        let body = r#"{"name": "projects/gridops/messages/0:1500415314455276%31bd1c9631bd1c96"}"#;
        assert_eq!(
            classify(200, body, None),
            PushOutcome::Delivered {
                provider_id: Some(
                    "projects/gridops/messages/0:1500415314455276%31bd1c9631bd1c96".into()
                )
            }
        );
        assert_eq!(
            classify(200, "not json", None),
            PushOutcome::Delivered { provider_id: None }
        );
    }

    #[test]
    fn push_classify_dead_tokens() {
        let unregistered = fcm_error(404, "NOT_FOUND", "UNREGISTERED");
        assert_eq!(classify(404, &unregistered, None), PushOutcome::TokenGone);
        // UNREGISTERED decides even with another status.
        let odd = fcm_error(400, "INVALID_ARGUMENT", "UNREGISTERED");
        assert_eq!(classify(400, &odd, None), PushOutcome::TokenGone);
        // A Google NOT_FOUND without an FcmError detail.
        let not_found = r#"{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}"#;
        assert_eq!(classify(404, not_found, None), PushOutcome::TokenGone);
        // A bare 404 (wrong endpoint, a proxy): not a reason to delete tokens.
        assert!(is_rejected(&classify(404, "<html>Not Found</html>", None)));
    }

    #[test]
    fn push_classify_rejections() {
        for (code, status, error_code) in [
            (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
            (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"),
            (401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"),
            (401, "UNAUTHENTICATED", "APNS_AUTH_ERROR"),
        ] {
            let outcome = classify(code, &fcm_error(code, status, error_code), None);
            match &outcome {
                PushOutcome::Rejected { reason } => {
                    assert!(reason.contains(error_code), "{reason}");
                    assert!(reason.contains(&code.to_string()), "{reason}");
                }
                other => panic!("{error_code}: {other:?}"),
            }
        }
        // google.rpc.BadRequest only, as for a non-string data value.
        let bad_request = r#"{"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value"}]}]}}"#;
        assert!(is_rejected(&classify(400, bad_request, None)));
        assert!(is_rejected(&classify(413, "", None)));
    }

    #[test]
    fn push_classify_retries_keep_retry_after() {
        let seven = Some(Duration::from_secs(7));
        let quota = fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED");
        assert!(is_retry(&classify(429, &quota, seven), seven));
        assert!(is_retry(&classify(429, "", None), None));
        let unavailable = fcm_error(503, "UNAVAILABLE", "UNAVAILABLE");
        assert!(is_retry(&classify(503, &unavailable, seven), seven));
        let internal = fcm_error(500, "INTERNAL", "INTERNAL");
        assert!(is_retry(&classify(500, &internal, None), None));
        assert!(is_retry(&classify(502, "Bad Gateway", None), None));
        assert!(is_retry(&classify(504, "", None), None));
        assert!(is_retry(&classify(408, "", None), None));
        // QUOTA_EXCEEDED decides even with an odd status.
        let odd = fcm_error(400, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED");
        assert!(is_retry(&classify(400, &odd, None), None));
    }

    #[test]
    fn push_classify_refused_access_token_is_a_retry() {
        let body = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#;
        match classify(401, body, None) {
            PushOutcome::Retry {
                after: None,
                reason,
            } => {
                assert!(reason.contains("UNAUTHENTICATED"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn push_retry_after_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        // A date in the past: retry now.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        // Capped at a day, even beyond u64.
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(MAX_RETRY_AFTER)
        );
        for bad in ["", "-5", "1.5", "soon", "7 seconds"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn push_token_is_refreshed_five_minutes_early() {
        let hour = Duration::from_secs(3600);
        assert_eq!(token_use_period(hour), Duration::from_secs(3300));
        assert_eq!(
            token_use_period(Duration::from_secs(3599)),
            Duration::from_secs(3299)
        );
        // Short-lived tokens are used for half their life.
        assert_eq!(
            token_use_period(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
        assert_eq!(
            token_use_period(Duration::from_secs(600)),
            Duration::from_secs(300)
        );
        assert_eq!(token_use_period(Duration::ZERO), Duration::ZERO);
    }

    fn message(id: &str) -> PushMessage {
        PushMessage {
            message_id: id.into(),
            token: "device-token-0123456789".into(),
            platform: Platform::Web,
            title: "Outage".into(),
            body: "Feeder 12".into(),
            data: BTreeMap::from([
                ("incident".to_owned(), "42".to_owned()),
                ("message_id".to_owned(), "spoofed".to_owned()),
            ]),
        }
    }

    #[test]
    fn push_request_body_carries_the_message_id_everywhere() {
        let id = "0190c3f2a1b27c3d9e8f001122334455";
        let msg = message(id);
        let body = serde_json::to_value(SendRequest::new(&msg)).expect("serialisable");
        let m = &body["message"];
        assert_eq!(m["token"], "device-token-0123456789");
        assert_eq!(m["notification"]["title"], "Outage");
        assert_eq!(m["data"]["message_id"], id);
        assert_eq!(m["data"]["incident"], "42");
        assert!(m["android"].get("collapse_key").is_none(), "{m}");
        assert_eq!(m["android"]["priority"], "high");
        assert_eq!(m["android"]["notification"]["tag"], id);
        assert_eq!(m["apns"]["headers"]["apns-collapse-id"], id);
        assert_eq!(m["webpush"]["headers"]["Topic"], id);
        assert!(m.get("topic").is_none() && m.get("condition").is_none());
    }

    #[test]
    fn push_request_body_omits_headers_that_would_be_refused() {
        // 36 characters with hyphens fits APNs but not a web push Topic.
        let uuid = "0190c3f2-a1b2-7c3d-9e8f-001122334455";
        let msg = message(uuid);
        let body = serde_json::to_value(SendRequest::new(&msg)).expect("serialisable");
        assert_eq!(body["message"]["apns"]["headers"]["apns-collapse-id"], uuid);
        assert!(body["message"]["webpush"]["headers"].get("Topic").is_none());
        let long = "x".repeat(65);
        let msg = message(&long);
        let body = serde_json::to_value(SendRequest::new(&msg)).expect("serialisable");
        assert!(
            body["message"]["apns"]["headers"]
                .get("apns-collapse-id")
                .is_none()
        );
    }

    #[test]
    fn push_reasons_never_echo_the_token() {
        let token = "fKz0:APA91bEchoedInAnErrorMessage";
        let outcome = scrub(
            PushOutcome::Rejected {
                reason: format!("FCM answered 400: bad token {token}"),
            },
            token,
        );
        let PushOutcome::Rejected { reason } = outcome else {
            panic!("still rejected")
        };
        assert!(!reason.contains(token), "{reason}");
        assert!(reason.ends_with("…sage"), "{reason}");
    }

    fn account_file(json: &Value) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("service-account.json");
        std::fs::write(&path, json.to_string()).expect("written");
        (dir, path)
    }

    fn setup_error(json: &Value) -> String {
        let (_dir, path) = account_file(json);
        match FcmSender::from_service_account_file(&path, None, 4) {
            Ok(_) => panic!("accepted {json}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn push_service_account_errors_name_the_field() {
        let complete = serde_json::json!({
            "type": "service_account",
            "project_id": "gridops-test",
            "private_key": "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
            "client_email": "fcm@gridops-test.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        });
        for field in [
            "type",
            "project_id",
            "private_key",
            "client_email",
            "token_uri",
        ] {
            let mut json = complete.clone();
            json.as_object_mut().expect("an object").remove(field);
            let error = setup_error(&json);
            assert!(error.contains(&format!("has no `{field}`")), "{error}");
        }
        let mut json = complete.clone();
        json["type"] = "authorized_user".into();
        assert!(setup_error(&json).contains("`type`"));
        let mut json = complete.clone();
        json["token_uri"] = "ftp://example.com/token".into();
        assert!(setup_error(&json).contains("`token_uri`"));
        let mut json = complete.clone();
        json["project_id"] = 12.into();
        assert!(setup_error(&json).contains("`project_id`: not a string"));
        // All fields present; the key is not one.
        let error = setup_error(&complete);
        assert!(error.contains("`private_key`"), "{error}");
        assert!(error.contains("service-account.json"), "{error}");
    }

    #[test]
    fn push_service_account_file_must_exist_and_be_json() {
        let error =
            FcmSender::from_service_account_file(Path::new("/nonexistent/sa.json"), None, 1)
                .expect_err("no file");
        assert!(matches!(error, PushSetupError::Read { .. }), "{error}");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("sa.json");
        std::fs::write(&path, "[1, 2]").expect("written");
        let error =
            FcmSender::from_service_account_file(&path, None, 1).expect_err("not an object");
        assert!(matches!(error, PushSetupError::NotJson { .. }), "{error}");
    }
}
