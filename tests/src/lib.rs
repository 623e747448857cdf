//! The harness of the end-to-end tests: the real gridops server on a loopback
//! port, on a fresh SQLite file or a fresh PostgreSQL database per test.
//!
//! PostgreSQL comes from `GRIDOPS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test creates its own
//! database there and drops it afterwards. Without a reachable server the
//! PostgreSQL cases are skipped with a message, unless `CI` is set: then
//! they fail, so CI can never pass without having run them.

pub mod bench;
pub mod fake_fcm;

use std::time::Duration;

use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use gridops_api::{Application, Settings};
use gridops_infra::{Db, DbSettings};
use reqwest::StatusCode;
use serde_json::Value;

pub use reqwest;
pub use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> String {
    std::env::var("GRIDOPS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
}

/// A database that exists for one test.
enum TestDatabase {
    // Held so the directory (and the SQLite file) outlive the server.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self {
            // FORCE: a test that failed may still hold connections.
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

impl TestDatabase {
    /// `None` when PostgreSQL is wanted but unreachable outside CI.
    fn create(backend: Backend) -> Option<(TestDatabase, String)> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = dir.path().join("gridops.db").display().to_string();
                Some((TestDatabase::Sqlite(dir), url))
            }
            Backend::Postgres => {
                let admin = admin_url();
                let mut conn = match PgConnection::establish(&admin) {
                    Ok(conn) => conn,
                    Err(e) if std::env::var_os("CI").is_some() => {
                        panic!("CI is set but PostgreSQL at {admin} is unreachable: {e}")
                    }
                    Err(e) => {
                        eprintln!(
                            "skipped on PostgreSQL: {admin} is unreachable ({e}); set GRIDOPS_TEST_POSTGRES_URL"
                        );
                        return None;
                    }
                };
                let name = format!("gridops_test_{}", uuid::Uuid::now_v7().simple());
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("CREATE DATABASE");
                let (base, _) = admin
                    .rsplit_once('/')
                    .expect("a database URL ends in /dbname");
                let url = format!("{base}/{name}");
                Some((
                    TestDatabase::Postgres {
                        admin_url: admin,
                        name,
                    },
                    url,
                ))
            }
        }
    }
}

/// The demo administrator, whose token `TestApp::client` carries.
pub const ADMIN: &str = "admin";
pub const DEMO_PASSWORD: &str = "gridops-demo";

#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

fn client_with(bearer: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = bearer {
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .expect("a header value");
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

/// A running gridops server with its own database.
pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub database_url: String,
    /// Signed in as the demo administrator.
    pub client: reqwest::Client,
    /// Not signed in.
    pub anonymous: reqwest::Client,
    server: actix_web::dev::ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
    database: Option<TestDatabase>,
    _photos: tempfile::TempDir,
}

impl TestApp {
    /// A server with the demo data loaded.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// A server whose settings `adjust` may change before it starts.
    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        let (database, url) = tokio::task::spawn_blocking(move || TestDatabase::create(backend))
            .await
            .expect("database set-up")?;
        let mut settings = Settings::new(url.clone());
        settings.bind = "127.0.0.1:0".into();
        settings.demo = true;
        // Most scenarios walk the lifecycle by hand; routing scenarios turn
        // the demo routing table on.
        settings.demo_routing_rules = false;
        settings.workers = Some(1);
        settings.database.pool_size = 3;
        settings.area_reload_interval = Duration::from_millis(200);
        settings.shutdown_timeout = Duration::from_secs(1);
        let photos = tempfile::tempdir().expect("a photo directory");
        settings.photo_dir = photos.path().to_path_buf();
        adjust(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("the server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        let running = tokio::spawn(app.run_until_stopped());
        let anonymous = client_with(None);
        let mut test_app = TestApp {
            base,
            backend,
            database_url: url,
            client: anonymous.clone(),
            anonymous,
            server,
            running,
            database: Some(database),
            _photos: photos,
        };
        let admin = test_app.login(ADMIN).await;
        test_app.client = client_with(Some(&admin.access_token));
        Some(test_app)
    }

    /// Signs a demo user in (password `gridops-demo`).
    pub async fn login(&self, username: &str) -> Tokens {
        let response = self
            .anonymous
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await
            .expect("login sent");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{username} signs in: {body}");
        Tokens {
            access_token: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh_token: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }

    /// A client that sends `token` as its bearer.
    pub fn client_for(&self, token: &str) -> reqwest::Client {
        client_with(Some(token))
    }

    /// Stops the server and removes its database.
    pub async fn stop(mut self) {
        self.server.stop(true).await;
        let _ = (&mut self.running).await;
        if let Some(database) = self.database.take() {
            let _ = tokio::task::spawn_blocking(move || drop(database)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A second connection pool on the test database, as another process
    /// (the CLI) would open.
    pub fn open_db(&self) -> Db {
        Db::connect(&DbSettings {
            pool_size: 2,
            ..DbSettings::new(self.database_url.clone())
        })
        .expect("a second pool")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET sent")
    }

    /// GET returning the status and the parsed JSON body.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        json_of(self.get(path).await).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        json_of(
            self.client
                .post(self.url(path))
                .json(body)
                .send()
                .await
                .expect("POST sent"),
        )
        .await
    }
}

pub async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("a body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// Asserts a problem+json answer with the given status and code; returns it.
pub async fn expect_problem(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "problems are application/problem+json"
    );
    let (actual, body) = json_of(response).await;
    assert_eq!(actual, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["type"].as_str().is_some_and(|t| t.ends_with(code)),
        "{body}"
    );
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// The fields named by a validation problem.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Declares each test once and runs it on SQLite and on PostgreSQL:
/// `mod name { fn sqlite(); fn postgres(); }`, so the output names the backend.
/// `on_both_backends!(settings => |s| ...; async fn ...)` adjusts the
/// server's settings first (e.g. to load the demo routing table).
#[macro_export]
macro_rules! on_both_backends {
    (settings => $adjust:expr; $(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: &$crate::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::TestApp::spawn_with($crate::Backend::Sqlite, $adjust).await
                {
                    run(&app).await;
                    app.stop().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::TestApp::spawn_with($crate::Backend::Postgres, $adjust).await
                {
                    run(&app).await;
                    app.stop().await;
                }
            }
        }
    )*};
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $crate::on_both_backends!(settings => |_| {}; $(async fn $name($app) $body)*);
    };
}

/// The settings of a server that routes by the demo routing table.
pub fn with_demo_routing(settings: &mut Settings) {
    settings.demo_routing_rules = true;
}

/// A `multipart/form-data` body with one file part named `part`: the
/// `Content-Type` to send (with its boundary) and the body.
pub fn multipart(part: &str, filename: &str, media_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = format!("gridops-test-{}", uuid::Uuid::now_v7().simple());
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{filename}\"\r\nContent-Type: {media_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
