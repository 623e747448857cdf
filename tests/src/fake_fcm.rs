//! A fake Firebase Cloud Messaging on a loopback port that speaks the real
//! protocol, for testing the FCM sender over HTTP:
//!
//! * `POST /token`: Google's OAuth token endpoint for the JWT-bearer grant
//!   (RFC 7523). It verifies the assertion's RS256 signature with the public
//!   half of the service-account key, and its `iss`, `aud`, `scope`, `iat`
//!   and `exp`, then issues a random access token.
//! * `POST /v1/projects/{project}/messages:send`: FCM HTTP v1. It checks the
//!   bearer token, the project and the message's shape, then accepts the
//!   message or answers with Google's error JSON.
//!
//! The service-account key is an RSA-2048 pair generated at run time (once
//! per test process); no key is committed. [`FakeFcm::write_service_account`]
//! writes the JSON file a sender reads, with `token_uri` pointing here.
//!
//! Tests script the documented failures: per-token fates
//! ([`FakeFcm::unregister`], [`FakeFcm::set_token_fate`]), canned answers for
//! the next sends ([`FakeFcm::fail_next`], [`FakeFcm::throttle_next`]), and
//! an outage ([`FakeFcm::go_down`]: the port refuses connections until
//! [`FakeFcm::come_back`] binds it again).
//!
//! Checks in order for each send: bearer token (401), project (403),
//! scripted answer, message shape (400), token fate, accept.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};

/// The project of the written service account.
pub const PROJECT_ID: &str = "gridops-test";
/// The service account's `client_email`: the assertion's required `iss`.
pub const CLIENT_EMAIL: &str = "fcm-sender@gridops-test.iam.gserviceaccount.com";
/// The scope the assertion must ask for.
pub const MESSAGING_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const FCM_ERROR_TYPE: &str = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
const BAD_REQUEST_TYPE: &str = "type.googleapis.com/google.rpc.BadRequest";
/// What Google's token endpoint says.
const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 3599;

/// How the fake answers every send to one registration token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFate {
    /// 404 `NOT_FOUND` with `FcmError` `UNREGISTERED` (app uninstalled).
    Unregistered,
    /// 400 `INVALID_ARGUMENT` with `FcmError` `INVALID_ARGUMENT`.
    Invalid,
    /// 403 `PERMISSION_DENIED` with `FcmError` `SENDER_ID_MISMATCH`.
    SenderIdMismatch,
    /// 401 `UNAUTHENTICATED` with `FcmError` `THIRD_PARTY_AUTH_ERROR`
    /// (the project's APNs or web push credential is bad).
    ThirdPartyAuthError,
}

/// A canned answer to the next send, whatever it carries (after the bearer
/// token check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scripted {
    /// Google's error JSON for this HTTP status: 500 `INTERNAL`, 503
    /// `UNAVAILABLE`, 429 `QUOTA_EXCEEDED`, …
    Error { status: u16 },
    /// 429 `RESOURCE_EXHAUSTED` / `QUOTA_EXCEEDED` with `Retry-After`.
    Throttle { retry_after_secs: u64 },
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The request's `message` object, as sent.
    pub message: Value,
    /// The access token it carried.
    pub bearer: String,
    /// The `name` the fake answered with.
    pub name: String,
    pub at: Instant,
}

/// The fake's service-account key, generated once per test process.
struct TestKey {
    private_pem: String,
    public: DecodingKey,
}

fn test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("an RSA-2048 key pair");
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).expect("PKCS#8 DER");
        let public = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        TestKey {
            private_pem: pem("PRIVATE KEY", pkcs8.as_ref()),
            public: DecodingKey::from_rsa_raw_components(&public.n, &public.e),
        }
    })
}

/// PEM as Google writes it: base64 in lines of 64 characters.
fn pem(label: &str, der: &[u8]) -> String {
    let base64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in base64.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf).expect("random bytes");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the handlers share with the test.
struct Shared {
    token_uri: String,
    state: Mutex<State>,
}

struct State {
    token_lifetime_secs: u64,
    /// Access tokens issued and not revoked.
    issued: HashSet<String>,
    token_requests: usize,
    fates: HashMap<String, TokenFate>,
    script: VecDeque<Scripted>,
    latency: Duration,
    deliveries: Vec<Delivery>,
    /// Arrival of every `messages:send` request, accepted or not.
    send_arrivals: Vec<Instant>,
    in_flight: usize,
    max_in_flight: usize,
    next_message: u64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Running {
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The fake; stops its server when dropped.
pub struct FakeFcm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    running: Mutex<Option<Running>>,
}

impl FakeFcm {
    /// Starts the fake on 127.0.0.1 and a free port.
    pub async fn start() -> FakeFcm {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let fake = FakeFcm {
            addr,
            shared: Arc::new(Shared {
                token_uri: format!("http://{addr}/token"),
                state: Mutex::new(State {
                    token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
                    issued: HashSet::new(),
                    token_requests: 0,
                    fates: HashMap::new(),
                    script: VecDeque::new(),
                    latency: Duration::ZERO,
                    deliveries: Vec::new(),
                    send_arrivals: Vec::new(),
                    in_flight: 0,
                    max_in_flight: 0,
                    next_message: 1,
                }),
            }),
            running: Mutex::new(None),
        };
        fake.serve(listener);
        fake
    }

    fn serve(&self, listener: TcpListener) {
        let shared = web::Data::from(Arc::clone(&self.shared));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/token", web::post().to(token))
                .route("/v1/projects/{project}/messages:send", web::post().to(send))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .expect("the fake listens")
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        *self.running_slot() = Some(Running { handle, task });
    }

    fn running_slot(&self) -> MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The FCM base URL to give the sender.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The OAuth token endpoint, as written into the service account.
    pub fn token_uri(&self) -> &str {
        &self.shared.token_uri
    }

    /// A service-account JSON that gets tokens from this fake.
    pub fn service_account_json(&self) -> Value {
        json!({
            "type": "service_account",
            "project_id": PROJECT_ID,
            "private_key_id": random_hex(20),
            "private_key": test_key().private_pem,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri(),
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "universe_domain": "googleapis.com",
        })
    }

    /// Writes [`FakeFcm::service_account_json`] to `dir` and returns its path.
    pub fn write_service_account(&self, dir: &Path) -> PathBuf {
        let path = dir.join("fcm-service-account.json");
        let text = serde_json::to_string_pretty(&self.service_account_json()).expect("JSON");
        std::fs::write(&path, text).expect("the service-account file is written");
        path
    }

    // ----- scripting -------------------------------------------------------

    /// The `expires_in` of access tokens issued from now on (default 3599 s).
    pub fn set_token_lifetime(&self, secs: u64) {
        self.shared.state().token_lifetime_secs = secs;
    }

    /// Forgets every issued access token: sends carrying one get 401.
    pub fn revoke_access_tokens(&self) {
        self.shared.state().issued.clear();
    }

    /// Holds every send this long before answering.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.state().latency = latency;
    }

    /// Every send to `token` from now on meets `fate`.
    pub fn set_token_fate(&self, token: &str, fate: TokenFate) {
        self.shared.state().fates.insert(token.to_owned(), fate);
    }

    /// Sends to `token` get 404 `UNREGISTERED`.
    pub fn unregister(&self, token: &str) {
        self.set_token_fate(token, TokenFate::Unregistered);
    }

    /// The next `n` sends get `answer`, after the queued ones.
    pub fn script_next(&self, n: usize, answer: Scripted) {
        let mut state = self.shared.state();
        state.script.extend(std::iter::repeat_n(answer, n));
    }

    /// The next `n` sends get Google's error for HTTP `status`.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.script_next(n, Scripted::Error { status });
    }

    /// The next `n` sends get 429 `QUOTA_EXCEEDED` with `Retry-After`.
    pub fn throttle_next(&self, n: usize, retry_after_secs: u64) {
        self.script_next(n, Scripted::Throttle { retry_after_secs });
    }

    /// Stops the server: the port refuses connections until
    /// [`FakeFcm::come_back`]. What was recorded is kept.
    pub async fn go_down(&self) {
        let running = self.running_slot().take();
        if let Some(Running { handle, task }) = running {
            handle.stop(false).await;
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    pub async fn come_back(&self) {
        if self.running_slot().is_some() {
            return;
        }
        // The port was just closed; another process could take it meanwhile,
        // which loopback tests accept as a (loud) failure.
        let mut attempt = 0;
        let listener = loop {
            match TcpListener::bind(self.addr) {
                Ok(listener) => break listener,
                Err(_) if attempt < 50 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("the fake cannot bind {} again: {e}", self.addr),
            }
        };
        self.serve(listener);
    }

    // ----- what happened ---------------------------------------------------

    /// The accepted messages (each request's `message` object), in order.
    pub fn delivered(&self) -> Vec<Value> {
        self.deliveries().into_iter().map(|d| d.message).collect()
    }

    /// The accepted messages with their bearer token, name and arrival.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.state().deliveries.clone()
    }

    /// When each `messages:send` request arrived, accepted or not.
    pub fn requests_at(&self) -> Vec<Instant> {
        self.shared.state().send_arrivals.clone()
    }

    /// How many requests reached `/token`, valid or not.
    pub fn token_requests(&self) -> usize {
        self.shared.state().token_requests
    }

    /// The access tokens issued and not revoked.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.state().issued.iter().cloned().collect()
    }

    /// The most sends the fake was handling at the same time.
    pub fn max_concurrent_sends(&self) -> usize {
        self.shared.state().max_in_flight
    }
}

impl Drop for FakeFcm {
    fn drop(&mut self) {
        if let Some(running) = self.running_slot().take() {
            // The command is sent at once; nothing to wait for.
            drop(running.handle.stop(false));
        }
    }
}

// ----- POST /token -----------------------------------------------------------

async fn token(
    shared: web::Data<Shared>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    shared.state().token_requests += 1;
    let oauth_error = |error: &str, description: &str| {
        HttpResponse::BadRequest().json(json!({"error": error, "error_description": description}))
    };
    match form.get("grant_type").map(String::as_str) {
        Some(JWT_BEARER_GRANT) => {}
        Some(other) => {
            return oauth_error(
                "unsupported_grant_type",
                &format!("Invalid grant_type: {other}"),
            );
        }
        None => return oauth_error("invalid_request", "Missing required parameter: grant_type"),
    }
    let Some(assertion) = form.get("assertion") else {
        return oauth_error("invalid_request", "Missing required parameter: assertion");
    };
    if let Err((error, description)) = verify_assertion(assertion, &shared.token_uri) {
        return oauth_error(error, &description);
    }
    let access_token = format!("ya29.fake-{}", random_hex(24));
    let expires_in = {
        let mut state = shared.state();
        state.issued.insert(access_token.clone());
        state.token_lifetime_secs
    };
    HttpResponse::Ok().json(json!({
        "access_token": access_token,
        "expires_in": expires_in,
        "token_type": "Bearer",
    }))
}

/// Checks the assertion as Google does; the error is an OAuth error code
/// and its description.
fn verify_assertion(assertion: &str, token_uri: &str) -> Result<(), (&'static str, String)> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[token_uri]);
    validation.set_issuer(&[CLIENT_EMAIL]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let claims =
        jsonwebtoken::decode::<Map<String, Value>>(assertion, &test_key().public, &validation)
            .map_err(|e| ("invalid_grant", format!("Invalid JWT: {e}")))?
            .claims;
    if claims.get("scope").and_then(Value::as_str) != Some(MESSAGING_SCOPE) {
        return Err((
            "invalid_scope",
            "Invalid OAuth scope or ID token audience provided.".into(),
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let iat = claims.get("iat").and_then(Value::as_u64);
    let exp = claims.get("exp").and_then(Value::as_u64);
    match (iat, exp) {
        (Some(iat), Some(exp)) if iat < exp && exp - iat <= 3600 && iat <= now + 60 => Ok(()),
        _ => Err((
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.".into(),
        )),
    }
}

// ----- POST /v1/projects/{project}/messages:send -------------------------------

/// Counts a send in flight while it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> InFlight<'a> {
        let mut state = shared.state();
        state.in_flight += 1;
        state.max_in_flight = state.max_in_flight.max(state.in_flight);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.state().in_flight -= 1;
    }
}

async fn send(
    shared: web::Data<Shared>,
    request: HttpRequest,
    project: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let arrived = Instant::now();
    let _in_flight = InFlight::enter(&shared);
    let latency = {
        let mut state = shared.state();
        state.send_arrivals.push(arrived);
        state.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let bearer = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|token| shared.state().issued.contains(*token));
    let Some(bearer) = bearer.map(str::to_owned) else {
        return google_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            vec![],
        );
    };
    if project.as_str() != PROJECT_ID {
        return google_error(
            403,
            "PERMISSION_DENIED",
            &format!(
                "Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/{project}' (or it may not exist)."
            ),
            vec![],
        );
    }
    let scripted = shared.state().script.pop_front();
    if let Some(answer) = scripted {
        return scripted_answer(&answer);
    }
    let request_body: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &format!("Invalid JSON payload received. {e}"),
                vec![],
            );
        }
    };
    let message = match check_request(&request_body) {
        Ok(message) => message,
        Err(Problem::Field { field, description }) => {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &description,
                vec![json!({
                    "@type": BAD_REQUEST_TYPE,
                    "fieldViolations": [{"field": field, "description": description}],
                })],
            );
        }
        Err(Problem::Token) => return token_answer(TokenFate::Invalid),
    };
    let token = message
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut state = shared.state();
    if let Some(fate) = state.fates.get(token) {
        return token_answer(*fate);
    }
    let name = format!(
        "projects/{PROJECT_ID}/messages/0:{}%fake",
        state.next_message
    );
    state.next_message += 1;
    state.deliveries.push(Delivery {
        message: Value::Object(message.clone()),
        bearer,
        name: name.clone(),
        at: arrived,
    });
    HttpResponse::Ok().json(json!({ "name": name }))
}

/// Google's error body.
fn google_error(code: u16, status: &str, message: &str, details: Vec<Value>) -> HttpResponse {
    let mut error = json!({"code": code, "message": message, "status": status});
    if !details.is_empty() {
        error["details"] = Value::Array(details);
    }
    HttpResponse::build(StatusCode::from_u16(code).expect("an HTTP status"))
        .json(json!({ "error": error }))
}

/// Google's error body with an `FcmError` detail.
fn fcm_error(code: u16, status: &str, message: &str, error_code: &str) -> HttpResponse {
    google_error(
        code,
        status,
        message,
        vec![json!({"@type": FCM_ERROR_TYPE, "errorCode": error_code})],
    )
}

fn token_answer(fate: TokenFate) -> HttpResponse {
    match fate {
        TokenFate::Unregistered => fcm_error(
            404,
            "NOT_FOUND",
            "Requested entity was not found.",
            "UNREGISTERED",
        ),
        TokenFate::Invalid => fcm_error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
        ),
        TokenFate::SenderIdMismatch => fcm_error(
            403,
            "PERMISSION_DENIED",
            "SenderId mismatch",
            "SENDER_ID_MISMATCH",
        ),
        TokenFate::ThirdPartyAuthError => fcm_error(
            401,
            "UNAUTHENTICATED",
            "Auth error from APNS or Web Push Service",
            "THIRD_PARTY_AUTH_ERROR",
        ),
    }
}

fn scripted_answer(answer: &Scripted) -> HttpResponse {
    match *answer {
        Scripted::Throttle { retry_after_secs } => {
            let mut response = fcm_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com'.",
                "QUOTA_EXCEEDED",
            );
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(retry_after_secs),
            );
            response
        }
        Scripted::Error { status: 429 } => fcm_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded.",
            "QUOTA_EXCEEDED",
        ),
        Scripted::Error { status: 500 } => {
            fcm_error(500, "INTERNAL", "Internal error encountered.", "INTERNAL")
        }
        Scripted::Error { status: 503 } => fcm_error(
            503,
            "UNAVAILABLE",
            "The service is currently unavailable.",
            "UNAVAILABLE",
        ),
        Scripted::Error { status: 400 } => token_answer(TokenFate::Invalid),
        Scripted::Error { status: 401 } => google_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
            vec![],
        ),
        Scripted::Error { status: 403 } => token_answer(TokenFate::SenderIdMismatch),
        Scripted::Error { status: 404 } => token_answer(TokenFate::Unregistered),
        Scripted::Error { status } => google_error(status, "UNKNOWN", "Scripted failure.", vec![]),
    }
}

// ----- the message's shape -------------------------------------------------------

/// Why a request is refused with 400.
enum Problem {
    /// A `google.rpc.BadRequest` field violation.
    Field { field: String, description: String },
    /// The registration token is not one (`FcmError` `INVALID_ARGUMENT`).
    Token,
}

fn violation(field: impl Into<String>, description: impl Into<String>) -> Problem {
    Problem::Field {
        field: field.into(),
        description: description.into(),
    }
}

const REQUEST_FIELDS: &[&str] = &["message", "validate_only"];
const MESSAGE_FIELDS: &[&str] = &[
    "name",
    "data",
    "notification",
    "android",
    "webpush",
    "apns",
    "fcm_options",
    "token",
    "topic",
    "condition",
];
const NOTIFICATION_FIELDS: &[&str] = &["title", "body", "image"];
const ANDROID_FIELDS: &[&str] = &[
    "collapse_key",
    "priority",
    "ttl",
    "restricted_package_name",
    "data",
    "notification",
    "fcm_options",
    "direct_boot_ok",
];
const APNS_FIELDS: &[&str] = &["headers", "payload", "fcm_options", "live_activity_token"];
const WEBPUSH_FIELDS: &[&str] = &["headers", "data", "notification", "fcm_options"];

/// The request's `message` if it has the documented shape.
fn check_request(body: &Value) -> Result<&Map<String, Value>, Problem> {
    let request = object(body, "")?;
    known_fields(request, REQUEST_FIELDS, "")?;
    let message = object(
        request
            .get("message")
            .ok_or_else(|| violation("message", "Missing message"))?,
        "message",
    )?;
    known_fields(message, MESSAGE_FIELDS, "message")?;

    let targets = ["token", "topic", "condition"]
        .iter()
        .filter(|t| message.contains_key(**t))
        .count();
    if targets != 1 {
        return Err(violation(
            "message",
            "Exactly one of message.token, message.topic or message.condition must be set.",
        ));
    }
    if let Some(token) = message.get("token")
        && token.as_str().is_none_or(|t| t.trim().is_empty())
    {
        return Err(Problem::Token);
    }
    if let Some(data) = message.get("data") {
        string_map(data, "message.data")?;
    }
    if let Some(notification) = message.get("notification") {
        known_fields(
            object(notification, "message.notification")?,
            NOTIFICATION_FIELDS,
            "message.notification",
        )?;
        string_map(notification, "message.notification")?;
    }
    if let Some(android) = message.get("android") {
        let android = object(android, "message.android")?;
        known_fields(android, ANDROID_FIELDS, "message.android")?;
        if let Some(key) = android.get("collapse_key") {
            string(key, "message.android.collapse_key")?;
        }
        if let Some(priority) = android.get("priority") {
            let priority = string(priority, "message.android.priority")?;
            if !matches!(priority, "normal" | "high" | "NORMAL" | "HIGH") {
                return Err(violation(
                    "message.android.priority",
                    format!(
                        "Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), \"{priority}\""
                    ),
                ));
            }
        }
        if let Some(notification) = android.get("notification") {
            let notification = object(notification, "message.android.notification")?;
            if let Some(tag) = notification.get("tag") {
                string(tag, "message.android.notification.tag")?;
            }
        }
    }
    if let Some(apns) = message.get("apns") {
        let apns = object(apns, "message.apns")?;
        known_fields(apns, APNS_FIELDS, "message.apns")?;
        if let Some(headers) = apns.get("headers") {
            let headers = string_map(headers, "message.apns.headers")?;
            if headers
                .get("apns-collapse-id")
                .is_some_and(|id| id.len() > 64)
            {
                return Err(violation(
                    "message.apns.headers",
                    "apns-collapse-id must not exceed 64 bytes",
                ));
            }
        }
    }
    if let Some(webpush) = message.get("webpush") {
        let webpush = object(webpush, "message.webpush")?;
        known_fields(webpush, WEBPUSH_FIELDS, "message.webpush")?;
        if let Some(headers) = webpush.get("headers") {
            string_map(headers, "message.webpush.headers")?;
        }
    }
    Ok(message)
}

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, Problem> {
    value.as_object().ok_or_else(|| {
        violation(
            at,
            format!("Invalid value at '{at}': expected an object, got {value}"),
        )
    })
}

fn string<'a>(value: &'a Value, at: &str) -> Result<&'a str, Problem> {
    value.as_str().ok_or_else(|| {
        violation(
            at,
            format!("Invalid value at '{at}' (TYPE_STRING), {value}"),
        )
    })
}

/// Google's wording for unknown fields.
fn known_fields(object: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), Problem> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => {
            let place = if at.is_empty() {
                String::new()
            } else {
                format!(" at '{at}'")
            };
            Err(violation(
                at,
                format!(
                    "Invalid JSON payload received. Unknown name \"{unknown}\"{place}: Cannot find field."
                ),
            ))
        }
        None => Ok(()),
    }
}

/// A map whose values must all be strings, as `data` and headers are.
fn string_map<'a>(value: &'a Value, at: &str) -> Result<HashMap<&'a str, &'a str>, Problem> {
    let map = object(value, at)?;
    map.iter()
        .enumerate()
        .map(|(i, (key, value))| match value.as_str() {
            Some(text) => Ok((key.as_str(), text)),
            None => Err(violation(
                format!("{at}[{i}].value"),
                format!("Invalid value at '{at}[{i}].value' (TYPE_STRING), {value}"),
            )),
        })
        .collect()
}
