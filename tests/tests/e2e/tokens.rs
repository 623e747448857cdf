//! Access tokens the server must refuse: expired, early, foreign, for
//! another audience or issuer, with another algorithm, tampered, malformed,
//! or no bearer token at all. Each is a 401 problem with a `Bearer`
//! challenge, never the user's data.
//!
//! The forged tokens are signed with the server's own key, read from its
//! database, so each is refused for its one defect and not for its
//! signature; the control test shows that the same forging with nothing
//! wrong is accepted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gridops_api::auth::{AccessClaims, ClaimGrant, TokenKeys};
use gridops_infra::DbError;
use gridops_infra::repo::secrets;
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use serde_json::Value;

const WORKER: &str = "worker.guanlan";
const WORKER_GRID: &str = "410102003001002";
/// The clock drift the server tolerates, in seconds.
const LEEWAY: i64 = 60;

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).expect("a timestamp in range")
}

/// What forging needs: the server's signing key and the worker's id.
struct Forge {
    key: Vec<u8>,
    worker_id: String,
}

impl Forge {
    async fn new(app: &TestApp) -> Forge {
        let worker_id = me(app, Some(&bearer(&app.login(WORKER).await.access_token)))
            .await
            .1["id"]
            .as_str()
            .expect("the worker's id")
            .to_owned();
        let key = tokio::task::block_in_place(|| {
            app.open_db().read_blocking(|conn| {
                // Generated at the server's first start and kept here.
                secrets::get_or_create(conn, "jwt_hs256", || Err(DbError::NotFound))
            })
        })
        .expect("the server's signing key");
        Forge {
            key: key.into_bytes(),
            worker_id,
        }
    }

    /// The claims of a token the server would issue to the worker now.
    fn claims(&self) -> AccessClaims {
        let now = now();
        AccessClaims {
            sub: self.worker_id.clone(),
            iss: "gridops".into(),
            aud: "gridops-api".into(),
            exp: now + 900,
            iat: now,
            nbf: now,
            jti: uuid::Uuid::now_v7().to_string(),
            roles: vec![ClaimGrant {
                role: "grid_worker".into(),
                area: Some(WORKER_GRID.into()),
                party: None,
            }],
        }
    }

    /// `claims` as an HS256 token signed with the server's key.
    fn sign(&self, claims: &AccessClaims) -> String {
        TokenKeys::new(&self.key, std::time::Duration::from_secs(900))
            .expect("the server's key is long enough")
            .sign(claims)
            .expect("signed")
    }

    /// `claims` under `header`, signed with the server's key using `algorithm`
    /// whatever the header says.
    fn sign_as(&self, header: &Value, claims: &AccessClaims, algorithm: Algorithm) -> String {
        let message = format!("{}.{}", part(header), claims_part(claims));
        let signature = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(&self.key),
            algorithm,
        )
        .expect("signed");
        format!("{message}.{signature}")
    }
}

/// One base64url segment of a JWT.
fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn claims_part(claims: &AccessClaims) -> String {
    part(&serde_json::to_value(claims).expect("claims as JSON"))
}

fn bearer(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {token}")).expect("a header value")
}

async fn me(app: &TestApp, authorization: Option<&HeaderValue>) -> (StatusCode, Value) {
    json_of(send_me(app, authorization).await).await
}

async fn send_me(app: &TestApp, authorization: Option<&HeaderValue>) -> reqwest::Response {
    let mut request = app.anonymous.get(app.url("/api/v1/me"));
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value.clone());
    }
    request.send().await.expect("GET /me sent")
}

/// `GET /api/v1/me` with `authorization` is a 401 problem with a `Bearer`
/// challenge; `error="invalid_token"` (RFC 6750) when a bearer token was sent.
async fn assert_refused(app: &TestApp, case: &str, authorization: Option<&HeaderValue>) {
    let response = send_me(app, authorization).await;
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
    assert!(
        challenge.starts_with("Bearer"),
        "{case}: WWW-Authenticate {challenge:?}"
    );
    let sent_a_bearer_token = authorization
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > "Bearer ".len());
    if sent_a_bearer_token {
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{case}: {challenge:?}"
        );
    }
    // No header, or another scheme: a bare challenge (RFC 6750 §3.1).
    let other_scheme = authorization
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.to_ascii_lowercase().starts_with("bearer"));
    if authorization.is_none() || other_scheme {
        assert!(
            !challenge.contains("error="),
            "{case}: no token, no error code: {challenge:?}"
        );
    }
    let problem = expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert!(problem.get("username").is_none(), "{case}: {problem}");
}

on_both_backends! {
    async fn an_issued_token_works_and_a_minute_of_clock_drift_is_tolerated(app) {
        let tokens = app.login(WORKER).await;
        let (status, user) = me(app, Some(&bearer(&tokens.access_token))).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["username"], WORKER);
        let roles = user["roles"].as_array().expect("roles");
        assert_eq!(roles.len(), 1, "{user}");
        assert_eq!(roles[0]["role"], "grid_worker");
        assert_eq!(roles[0]["area"], WORKER_GRID);

        // The forging of the tests below, with nothing wrong: accepted.
        let forge = Forge::new(app).await;
        let (status, user) = me(app, Some(&bearer(&forge.sign(&forge.claims())))).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["username"], WORKER);

        // A phone whose clock is a little off still gets in.
        let mut late = forge.claims();
        late.exp = now() - LEEWAY / 3;
        let mut early = forge.claims();
        early.nbf = now() + LEEWAY / 3;
        for (case, claims) in [("expired moments ago", late), ("valid in a moment", early)] {
            let (status, user) = me(app, Some(&bearer(&forge.sign(&claims)))).await;
            assert_eq!(status, StatusCode::OK, "{case}: {user}");
        }
    }

    async fn expired_and_not_yet_valid_tokens_are_refused(app) {
        let forge = Forge::new(app).await;
        let mut expired = forge.claims();
        expired.iat = now() - 1000;
        expired.nbf = expired.iat;
        expired.exp = now() - LEEWAY - 60;
        let mut early = forge.claims();
        early.nbf = now() + LEEWAY + 60;
        for (case, claims) in [("expired", expired), ("not yet valid", early)] {
            assert_refused(app, case, Some(&bearer(&forge.sign(&claims)))).await;
        }
    }

    async fn tokens_for_another_key_audience_or_issuer_are_refused(app) {
        let forge = Forge::new(app).await;
        let other_key = TokenKeys::new(b"another-deployment-key-of-40-bytes-long!", std::time::Duration::from_secs(900))
            .expect("a long enough key");
        assert_refused(app, "signed with another key", Some(&bearer(&other_key.sign(&forge.claims()).expect("signed")))).await;

        let mut audience = forge.claims();
        audience.aud = "gridops-admin".into();
        assert_refused(app, "another audience", Some(&bearer(&forge.sign(&audience)))).await;
        let mut issuer = forge.claims();
        issuer.iss = "someone-else".into();
        assert_refused(app, "another issuer", Some(&bearer(&forge.sign(&issuer)))).await;

        // A worker's token edited to say admin, the signature kept.
        let genuine = forge.sign(&forge.claims());
        let mut segments = genuine.split('.');
        let (header, _, signature) = (segments.next(), segments.next(), segments.next());
        let mut promoted = forge.claims();
        promoted.roles = vec![ClaimGrant { role: "admin".into(), area: None, party: None }];
        let tampered = format!("{}.{}.{}", header.expect("a header"), claims_part(&promoted), signature.expect("a signature"));
        assert_refused(app, "claims edited after signing", Some(&bearer(&tampered))).await;
    }

    async fn only_hs256_is_accepted_whatever_the_header_says(app) {
        let forge = Forge::new(app).await;
        let claims = forge.claims();
        let none = format!("{}.{}.", part(&json!({"alg": "none", "typ": "JWT"})), claims_part(&claims));
        assert_refused(app, "alg none", Some(&bearer(&none))).await;
        let rs256 = forge.sign_as(&json!({"alg": "RS256", "typ": "JWT"}), &claims, Algorithm::HS256);
        assert_refused(app, "RS256 header, HMAC signature", Some(&bearer(&rs256))).await;
        let hs512 = jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &EncodingKey::from_secret(&forge.key))
            .expect("signed");
        assert_refused(app, "HS512", Some(&bearer(&hs512))).await;
        // The same bytes under an honest HS256 header are fine: only the
        // algorithm was wrong above.
        let hs256 = forge.sign_as(&json!({"alg": "HS256", "typ": "JWT"}), &claims, Algorithm::HS256);
        assert_eq!(me(app, Some(&bearer(&hs256))).await.0, StatusCode::OK);
    }

    async fn malformed_or_missing_credentials_are_refused(app) {
        let garbage = HeaderValue::from_bytes(b"Bearer \xff\xfe\x80garbage").expect("obs-text is a valid header value");
        let basic = HeaderValue::from_str(&format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{WORKER}:{}", gridops_tests::DEMO_PASSWORD))))
            .expect("a header value");
        let cases: Vec<(&str, Option<HeaderValue>)> = vec![
            ("two segments", Some(bearer("abc.def"))),
            ("three segments of nothing", Some(bearer("a.b.c"))),
            ("random text", Some(bearer("q8Zk1!x~*W0-not-a-jwt"))),
            ("random bytes", Some(garbage)),
            ("empty bearer", Some(HeaderValue::from_static("Bearer "))),
            ("no Authorization header", None),
            ("Basic credentials", Some(basic)),
        ];
        for (case, authorization) in &cases {
            assert_refused(app, case, authorization.as_ref()).await;
        }
    }
}
