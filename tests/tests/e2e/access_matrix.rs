//! Who may call what: every role, and no one, against every endpoint, in
//! and out of their scope, as one table of expected statuses.
//!
//! To extend: add one line per case to `ROWS` (actor, method, path, body,
//! status), one for each `Who`; `every_operation_has_a_row_for_every_actor`
//! fails until a new endpoint has them. Paths and bodies may use the
//! placeholders of `Run::value`. Rows that change data act on a `{tmp_*}`
//! user created for that row alone, so they never disturb later rows; rows
//! that would change the actor's own account (`{self}`) come last.

use std::collections::{BTreeSet, HashMap};

use actix_web::dev::ResourceDef;
use gridops_infra::demo::areas::demo_point_in_grid;
use gridops_tests::{DEMO_PASSWORD, TestApp, json, json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

/// The grid of `chief.guanlan` and `worker.guanlan`, in the subdistrict of
/// `dispatcher.hanghaixilu` (410102003).
const GUANLAN_GRID: &str = "410102003001002";
/// A grid in the district of `dispatcher.gongyi` (410181).
const GONGYI_GRID: &str = "410181001001001";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Anon,
    Admin,
    /// `dispatcher.hanghaixilu`, dispatcher of subdistrict 410102003.
    DispHh,
    /// `dispatcher.gongyi`, dispatcher of district 410181.
    DispGy,
    Chief,
    Worker,
    Handler,
    Resident,
}

use Who::*;

impl Who {
    const ALL: [Who; 8] = [
        Anon, Admin, DispHh, DispGy, Chief, Worker, Handler, Resident,
    ];

    fn username(self) -> Option<&'static str> {
        match self {
            Anon => None,
            Admin => Some("admin"),
            DispHh => Some("dispatcher.hanghaixilu"),
            DispGy => Some("dispatcher.gongyi"),
            Chief => Some("chief.guanlan"),
            Worker => Some("worker.guanlan"),
            Handler => Some("handler.heating"),
            Resident => Some("resident.guanlan"),
        }
    }
}

/// (actor, method, path template, body template, expected status)
type Row = (Who, &'static str, &'static str, Option<&'static str>, u16);

const LOGIN: &str = r#"{"username":"resident.guanlan","password":"gridops-demo"}"#;
const REFRESH: &str = r#"{"refresh_token":"{fresh_refresh}"}"#;
const REGISTER: &str =
    r#"{"username":"matrix.reg{n}","password":"matrix-password","community":"410102003001"}"#;
const CREATE: &str = r#"{"username":"matrix.new{n}","password":"matrix-password","role":"grid_worker","area":"410102003001002"}"#;
const GRANT_HH: &str = r#"{"role":"grid_chief","area":"410102003001002"}"#;
const GRANT_GY: &str = r#"{"role":"grid_chief","area":"410181001001001"}"#;
/// What a non-administrator would most like to grant themselves.
const GRANT_ADMIN: &str = r#"{"role":"admin"}"#;
const AREA_FILE: &str = "{area_file}";

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Public: the same answer with or without a token.
    (Anon,     "GET",    "/healthz", None, 200),
    (Admin,    "GET",    "/healthz", None, 200),
    (DispHh,   "GET",    "/healthz", None, 200),
    (DispGy,   "GET",    "/healthz", None, 200),
    (Chief,    "GET",    "/healthz", None, 200),
    (Worker,   "GET",    "/healthz", None, 200),
    (Handler,  "GET",    "/healthz", None, 200),
    (Resident, "GET",    "/healthz", None, 200),
    (Anon,     "GET",    "/readyz", None, 200),
    (Admin,    "GET",    "/readyz", None, 200),
    (DispHh,   "GET",    "/readyz", None, 200),
    (DispGy,   "GET",    "/readyz", None, 200),
    (Chief,    "GET",    "/readyz", None, 200),
    (Worker,   "GET",    "/readyz", None, 200),
    (Handler,  "GET",    "/readyz", None, 200),
    (Resident, "GET",    "/readyz", None, 200),
    (Anon,     "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (Admin,    "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (DispHh,   "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (DispGy,   "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (Chief,    "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (Worker,   "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (Handler,  "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (Resident, "POST",   "/api/v1/auth/login", Some(LOGIN), 200),
    (Anon,     "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (Admin,    "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (DispHh,   "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (DispGy,   "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (Chief,    "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (Worker,   "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (Handler,  "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (Resident, "POST",   "/api/v1/auth/refresh", Some(REFRESH), 200),
    (Anon,     "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (Admin,    "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (DispHh,   "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (DispGy,   "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (Chief,    "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (Worker,   "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (Handler,  "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (Resident, "POST",   "/api/v1/auth/logout", Some(REFRESH), 204),
    (Anon,     "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (Admin,    "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (DispHh,   "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (DispGy,   "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (Chief,    "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (Worker,   "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (Handler,  "POST",   "/api/v1/auth/register", Some(REGISTER), 201),
    (Resident, "POST",   "/api/v1/auth/register", Some(REGISTER), 201),

    // Reference data and the signed-in user: everyone signed in.
    (Anon,     "GET",    "/api/v1/areas", None, 401),
    (Admin,    "GET",    "/api/v1/areas", None, 200),
    (DispHh,   "GET",    "/api/v1/areas", None, 200),
    (DispGy,   "GET",    "/api/v1/areas", None, 200),
    (Chief,    "GET",    "/api/v1/areas", None, 200),
    (Worker,   "GET",    "/api/v1/areas", None, 200),
    (Handler,  "GET",    "/api/v1/areas", None, 200),
    (Resident, "GET",    "/api/v1/areas", None, 200),
    (Anon,     "GET",    "/api/v1/areas/410102003001", None, 401),
    (Admin,    "GET",    "/api/v1/areas/410102003001", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/410102003001", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/410102003001", None, 200),
    (Chief,    "GET",    "/api/v1/areas/410102003001", None, 200),
    (Worker,   "GET",    "/api/v1/areas/410102003001", None, 200),
    (Handler,  "GET",    "/api/v1/areas/410102003001", None, 200),
    (Resident, "GET",    "/api/v1/areas/410102003001", None, 200),
    (Anon,     "GET",    "/api/v1/areas/410102003001002/geometry", None, 401),
    (Admin,    "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Chief,    "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Worker,   "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Handler,  "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Resident, "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Anon,     "GET",    "/api/v1/areas/locate?{point}", None, 401),
    (Admin,    "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Chief,    "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Worker,   "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Handler,  "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Resident, "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Anon,     "GET",    "/api/v1/categories", None, 401),
    (Admin,    "GET",    "/api/v1/categories", None, 200),
    (DispHh,   "GET",    "/api/v1/categories", None, 200),
    (DispGy,   "GET",    "/api/v1/categories", None, 200),
    (Chief,    "GET",    "/api/v1/categories", None, 200),
    (Worker,   "GET",    "/api/v1/categories", None, 200),
    (Handler,  "GET",    "/api/v1/categories", None, 200),
    (Resident, "GET",    "/api/v1/categories", None, 200),
    (Anon,     "GET",    "/api/v1/parties", None, 401),
    (Admin,    "GET",    "/api/v1/parties", None, 200),
    (DispHh,   "GET",    "/api/v1/parties", None, 200),
    (DispGy,   "GET",    "/api/v1/parties", None, 200),
    (Chief,    "GET",    "/api/v1/parties", None, 200),
    (Worker,   "GET",    "/api/v1/parties", None, 200),
    (Handler,  "GET",    "/api/v1/parties", None, 200),
    (Resident, "GET",    "/api/v1/parties", None, 200),
    (Anon,     "GET",    "/api/v1/me", None, 401),
    (Admin,    "GET",    "/api/v1/me", None, 200),
    (DispHh,   "GET",    "/api/v1/me", None, 200),
    (DispGy,   "GET",    "/api/v1/me", None, 200),
    (Chief,    "GET",    "/api/v1/me", None, 200),
    (Worker,   "GET",    "/api/v1/me", None, 200),
    (Handler,  "GET",    "/api/v1/me", None, 200),
    (Resident, "GET",    "/api/v1/me", None, 200),

    // Checking an area file: administrators only.
    (Anon,     "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 401),
    (Admin,    "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 200),
    (DispHh,   "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 403),
    (DispGy,   "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 403),
    (Chief,    "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 403),
    (Worker,   "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 403),
    (Handler,  "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 403),
    (Resident, "POST",   "/api/v1/areas/validate", Some(AREA_FILE), 403),

    // Listing accounts: administrators and dispatchers.
    (Anon,     "GET",    "/api/v1/users", None, 401),
    (Admin,    "GET",    "/api/v1/users", None, 200),
    (DispHh,   "GET",    "/api/v1/users", None, 200),
    (DispGy,   "GET",    "/api/v1/users", None, 200),
    (Chief,    "GET",    "/api/v1/users", None, 403),
    (Worker,   "GET",    "/api/v1/users", None, 403),
    (Handler,  "GET",    "/api/v1/users", None, 403),
    (Resident, "GET",    "/api/v1/users", None, 403),

    // One account: oneself, an administrator, a dispatcher of the user's
    // area; to everyone else it does not exist.
    (Admin,    "GET",    "/api/v1/users/{self}", None, 200),
    (DispHh,   "GET",    "/api/v1/users/{self}", None, 200),
    (DispGy,   "GET",    "/api/v1/users/{self}", None, 200),
    (Chief,    "GET",    "/api/v1/users/{self}", None, 200),
    (Worker,   "GET",    "/api/v1/users/{self}", None, 200),
    (Handler,  "GET",    "/api/v1/users/{self}", None, 200),
    (Resident, "GET",    "/api/v1/users/{self}", None, 200),
    (Anon,     "GET",    "/api/v1/users/{worker}", None, 401),
    (Admin,    "GET",    "/api/v1/users/{worker}", None, 200),
    (DispHh,   "GET",    "/api/v1/users/{worker}", None, 200),
    (DispGy,   "GET",    "/api/v1/users/{worker}", None, 404),
    (Chief,    "GET",    "/api/v1/users/{worker}", None, 404),
    (Worker,   "GET",    "/api/v1/users/{worker}", None, 200),
    (Handler,  "GET",    "/api/v1/users/{worker}", None, 404),
    (Resident, "GET",    "/api/v1/users/{worker}", None, 404),
    (Anon,     "GET",    "/api/v1/users/{gongyi}", None, 401),
    (Admin,    "GET",    "/api/v1/users/{gongyi}", None, 200),
    (DispHh,   "GET",    "/api/v1/users/{gongyi}", None, 404),
    (DispGy,   "GET",    "/api/v1/users/{gongyi}", None, 200),
    (Chief,    "GET",    "/api/v1/users/{gongyi}", None, 404),
    (Worker,   "GET",    "/api/v1/users/{gongyi}", None, 404),
    (Handler,  "GET",    "/api/v1/users/{gongyi}", None, 404),
    (Resident, "GET",    "/api/v1/users/{gongyi}", None, 404),
    (Anon,     "GET",    "/api/v1/users/{admin}", None, 401),
    (Admin,    "GET",    "/api/v1/users/{admin}", None, 200),
    (DispHh,   "GET",    "/api/v1/users/{admin}", None, 404),
    (DispGy,   "GET",    "/api/v1/users/{admin}", None, 404),
    (Chief,    "GET",    "/api/v1/users/{admin}", None, 404),
    (Worker,   "GET",    "/api/v1/users/{admin}", None, 404),
    (Handler,  "GET",    "/api/v1/users/{admin}", None, 404),
    (Resident, "GET",    "/api/v1/users/{admin}", None, 404),
    (Anon,     "GET",    "/api/v1/users/{missing}", None, 401),
    (Admin,    "GET",    "/api/v1/users/{missing}", None, 404),
    (DispHh,   "GET",    "/api/v1/users/{missing}", None, 404),
    (DispGy,   "GET",    "/api/v1/users/{missing}", None, 404),
    (Chief,    "GET",    "/api/v1/users/{missing}", None, 404),
    (Worker,   "GET",    "/api/v1/users/{missing}", None, 404),
    (Handler,  "GET",    "/api/v1/users/{missing}", None, 404),
    (Resident, "GET",    "/api/v1/users/{missing}", None, 404),

    // Changes: administrators only; a dispatcher who can see the user is
    // refused (403), anyone who cannot is told it does not exist (404).
    // Every row acts on a user of its own.
    (Anon,     "POST",   "/api/v1/users", Some(CREATE), 401),
    (Admin,    "POST",   "/api/v1/users", Some(CREATE), 201),
    (DispHh,   "POST",   "/api/v1/users", Some(CREATE), 403),
    (DispGy,   "POST",   "/api/v1/users", Some(CREATE), 403),
    (Chief,    "POST",   "/api/v1/users", Some(CREATE), 403),
    (Worker,   "POST",   "/api/v1/users", Some(CREATE), 403),
    (Handler,  "POST",   "/api/v1/users", Some(CREATE), 403),
    (Resident, "POST",   "/api/v1/users", Some(CREATE), 403),
    (Anon,     "POST",   "/api/v1/users/{tmp_hh}/disable", None, 401),
    (Admin,    "POST",   "/api/v1/users/{tmp_hh}/disable", None, 200),
    (DispHh,   "POST",   "/api/v1/users/{tmp_hh}/disable", None, 403),
    (DispGy,   "POST",   "/api/v1/users/{tmp_hh}/disable", None, 404),
    (Chief,    "POST",   "/api/v1/users/{tmp_hh}/disable", None, 404),
    (Worker,   "POST",   "/api/v1/users/{tmp_hh}/disable", None, 404),
    (Handler,  "POST",   "/api/v1/users/{tmp_hh}/disable", None, 404),
    (Resident, "POST",   "/api/v1/users/{tmp_hh}/disable", None, 404),
    (Anon,     "POST",   "/api/v1/users/{tmp_gy}/disable", None, 401),
    (Admin,    "POST",   "/api/v1/users/{tmp_gy}/disable", None, 200),
    (DispHh,   "POST",   "/api/v1/users/{tmp_gy}/disable", None, 404),
    (DispGy,   "POST",   "/api/v1/users/{tmp_gy}/disable", None, 403),
    (Chief,    "POST",   "/api/v1/users/{tmp_gy}/disable", None, 404),
    (Worker,   "POST",   "/api/v1/users/{tmp_gy}/disable", None, 404),
    (Handler,  "POST",   "/api/v1/users/{tmp_gy}/disable", None, 404),
    (Resident, "POST",   "/api/v1/users/{tmp_gy}/disable", None, 404),
    (Anon,     "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 401),
    (Admin,    "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 201),
    (DispHh,   "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 403),
    (DispGy,   "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 404),
    (Chief,    "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 404),
    (Worker,   "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 404),
    (Handler,  "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 404),
    (Resident, "POST",   "/api/v1/users/{tmp_hh}/roles", Some(GRANT_HH), 404),
    (Anon,     "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 401),
    (Admin,    "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 201),
    (DispHh,   "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 404),
    (DispGy,   "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 403),
    (Chief,    "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 404),
    (Worker,   "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 404),
    (Handler,  "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 404),
    (Resident, "POST",   "/api/v1/users/{tmp_gy}/roles", Some(GRANT_GY), 404),
    (Anon,     "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 401),
    (Admin,    "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 204),
    (DispHh,   "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 403),
    (DispGy,   "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 404),
    (Chief,    "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 404),
    (Worker,   "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 404),
    (Handler,  "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 404),
    (Resident, "DELETE", "/api/v1/users/{tmp_hh}/roles/{tmp_grant}", None, 404),
    (Anon,     "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 401),
    (Admin,    "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 204),
    (DispHh,   "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 404),
    (DispGy,   "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 403),
    (Chief,    "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 404),
    (Worker,   "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 404),
    (Handler,  "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 404),
    (Resident, "DELETE", "/api/v1/users/{tmp_gy}/roles/{tmp_grant}", None, 404),
    (Admin,    "POST",   "/api/v1/users/{missing}/disable", None, 404),
    (Admin,    "POST",   "/api/v1/users/{missing}/roles", Some(GRANT_HH), 404),
    (Admin,    "DELETE", "/api/v1/users/{missing}/roles/{missing}", None, 404),
    (Admin,    "DELETE", "/api/v1/users/{tmp_hh}/roles/{missing}", None, 404),

    // Last: nobody but an administrator changes their own account.
    (DispHh,   "POST",   "/api/v1/users/{self}/roles", Some(GRANT_ADMIN), 403),
    (DispGy,   "POST",   "/api/v1/users/{self}/roles", Some(GRANT_ADMIN), 403),
    (Chief,    "POST",   "/api/v1/users/{self}/roles", Some(GRANT_ADMIN), 403),
    (Worker,   "POST",   "/api/v1/users/{self}/roles", Some(GRANT_ADMIN), 403),
    (Handler,  "POST",   "/api/v1/users/{self}/roles", Some(GRANT_ADMIN), 403),
    (Resident, "POST",   "/api/v1/users/{self}/roles", Some(GRANT_ADMIN), 403),
    (DispHh,   "DELETE", "/api/v1/users/{self}/roles/{self_grant}", None, 403),
    (DispGy,   "DELETE", "/api/v1/users/{self}/roles/{self_grant}", None, 403),
    (Chief,    "DELETE", "/api/v1/users/{self}/roles/{self_grant}", None, 403),
    (Worker,   "DELETE", "/api/v1/users/{self}/roles/{self_grant}", None, 403),
    (Handler,  "DELETE", "/api/v1/users/{self}/roles/{self_grant}", None, 403),
    (Resident, "DELETE", "/api/v1/users/{self}/roles/{self_grant}", None, 403),
    (DispHh,   "POST",   "/api/v1/users/{self}/disable", None, 403),
    (DispGy,   "POST",   "/api/v1/users/{self}/disable", None, 403),
    (Chief,    "POST",   "/api/v1/users/{self}/disable", None, 403),
    (Worker,   "POST",   "/api/v1/users/{self}/disable", None, 403),
    (Handler,  "POST",   "/api/v1/users/{self}/disable", None, 403),
    (Resident, "POST",   "/api/v1/users/{self}/disable", None, 403),
];

/// A signed-in demo user: their client, id and first grant.
struct Signed {
    client: reqwest::Client,
    id: String,
    grant: String,
}

/// The state of one pass over the table.
struct Run<'a> {
    app: &'a TestApp,
    signed: HashMap<Who, Signed>,
    /// A grid worker of `GONGYI_GRID`, created for the run.
    gongyi: String,
    missing: String,
    point: String,
    area_file: String,
    serial: usize,
}

impl<'a> Run<'a> {
    async fn start(app: &'a TestApp) -> Run<'a> {
        let mut signed = HashMap::new();
        for who in Who::ALL {
            let Some(username) = who.username() else {
                continue;
            };
            let client = app.client_for(&app.login(username).await.access_token);
            let (status, me) = json_of(
                client
                    .get(app.url("/api/v1/me"))
                    .send()
                    .await
                    .expect("GET /me sent"),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{username}: {me}");
            let text = |v: &Value| v.as_str().expect("a string").to_owned();
            signed.insert(
                who,
                Signed {
                    client,
                    id: text(&me["id"]),
                    grant: text(&me["roles"][0]["id"]),
                },
            );
        }
        let (gongyi, _) = create_worker(app, "matrix.gongyi", GONGYI_GRID).await;
        let (lng, lat) = demo_point_in_grid(GUANLAN_GRID).expect("a demo grid");
        Run {
            app,
            signed,
            gongyi,
            missing: uuid::Uuid::now_v7().to_string(),
            point: format!("lat={lat}&lng={lng}"),
            area_file: area_file(app).await.to_string(),
            serial: 0,
        }
    }

    fn signed(&self, who: Who) -> &Signed {
        self.signed
            .get(&who)
            .unwrap_or_else(|| panic!("{who:?} is not signed in: no {{self}} for them"))
    }

    /// The placeholders a row may use, and what each stands for.
    async fn value(&mut self, who: Who, name: &str, tmp: &mut Option<(String, String)>) -> String {
        self.serial += 1;
        let serial = self.serial;
        match name {
            // The actor's own id, and the id of their first role grant.
            "self" => self.signed(who).id.clone(),
            "self_grant" => self.signed(who).grant.clone(),
            // worker.guanlan: inside the area of dispatcher.hanghaixilu.
            "worker" => self.signed(Worker).id.clone(),
            // A grid worker of Gongyi: inside the area of dispatcher.gongyi.
            "gongyi" => self.gongyi.clone(),
            // The administrator: no area, seen by no dispatcher.
            "admin" => self.signed(Admin).id.clone(),
            // An id no account has.
            "missing" => self.missing.clone(),
            // A grid worker created for this row alone, in the area of
            // dispatcher.hanghaixilu or of dispatcher.gongyi.
            "tmp_hh" | "tmp_gy" => {
                let grid = if name == "tmp_hh" {
                    GUANLAN_GRID
                } else {
                    GONGYI_GRID
                };
                let created =
                    create_worker(self.app, &format!("matrix.{name}.{serial}"), grid).await;
                let id = created.0.clone();
                *tmp = Some(created);
                id
            }
            // The role grant of that user (named after `{tmp_*}` in a row).
            "tmp_grant" => match tmp {
                Some((_, grant)) => grant.clone(),
                None => panic!("{{tmp_grant}} comes after {{tmp_hh}} or {{tmp_gy}}"),
            },
            // A number no other placeholder of this run has.
            "n" => serial.to_string(),
            // A refresh token just issued to resident.guanlan.
            "fresh_refresh" => self.app.login("resident.guanlan").await.refresh_token,
            // `lat=…&lng=…` inside GUANLAN_GRID.
            "point" => self.point.clone(),
            // An area file that checks out: one micro-grid inside GUANLAN_GRID.
            "area_file" => self.area_file.clone(),
            other => panic!("unknown placeholder {{{other}}}"),
        }
    }

    /// `template` with its placeholders filled in, in order.
    async fn fill(
        &mut self,
        who: Who,
        template: &str,
        tmp: &mut Option<(String, String)>,
    ) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some((name, before, after)) = next_placeholder(rest) {
            out.push_str(before);
            out.push_str(&self.value(who, name, tmp).await);
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// Sends one row; `None` when the answer is as expected, else what differs.
    async fn check(&mut self, row: &Row) -> Option<String> {
        let (who, method, path, body, expected) = *row;
        let mut tmp = None;
        let path = self.fill(who, path, &mut tmp).await;
        let body = match body {
            Some(template) => Some(self.fill(who, template, &mut tmp).await),
            None => None,
        };
        let client = match who {
            Anon => &self.app.anonymous,
            _ => &self.signed(who).client,
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut request = client.request(method, self.app.url(&path));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, challenge) = (header("content-type"), header("www-authenticate"));
        let text = response.text().await.expect("a body");
        let mut wrong = Vec::new();
        if status != expected {
            wrong.push(format!("answered {status}"));
        } else if expected >= 400 {
            let problem: Value = serde_json::from_str(&text).unwrap_or_default();
            if content_type != "application/problem+json" {
                wrong.push(format!("content-type {content_type:?}"));
            }
            if problem["status"] != expected {
                wrong.push("problem status differs".into());
            }
            if expected == 401
                && (!challenge.starts_with("Bearer") || problem["code"] != "unauthenticated")
            {
                wrong.push(format!(
                    "WWW-Authenticate {challenge:?}, code {}",
                    problem["code"]
                ));
            }
        }
        (!wrong.is_empty()).then(|| {
            let text: String = text.chars().take(300).collect();
            format!("{} (sent to {path}): {text}", wrong.join("; "))
        })
    }
}

/// The first `{name}` in `text` (lower-case letters and `_`) as
/// (name, text before, text after); JSON braces are not placeholders.
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| i + from) {
        let tail = &text[open + 1..];
        let len = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(tail.len());
        if len > 0 && tail[len..].starts_with('}') {
            return Some((&tail[..len], &text[..open], &tail[len + 1..]));
        }
        from = open + 1;
    }
    None
}

/// Creates a grid worker of `grid` as the administrator: (user id, grant id).
async fn create_worker(app: &TestApp, username: &str, grid: &str) -> (String, String) {
    let (status, user) = app
        .post_json(
            "/api/v1/users",
            &json!({"username": username, "password": DEMO_PASSWORD, "role": "grid_worker", "area": grid}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{username} created: {user}");
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    (text(&user["id"]), text(&user["roles"][0]["id"]))
}

/// A FeatureCollection with one micro-grid in the middle of `GUANLAN_GRID`.
async fn area_file(app: &TestApp) -> Value {
    let (status, feature) = app
        .get_json(&format!("/api/v1/areas/{GUANLAN_GRID}/geometry"))
        .await;
    assert_eq!(status, StatusCode::OK, "{feature}");
    let ring = feature["geometry"]["coordinates"][0]
        .as_array()
        .expect("a polygon ring");
    let span = |i: usize| {
        let values = ring.iter().filter_map(|p| p[i].as_f64());
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        (lo + (hi - lo) / 4.0, hi - (hi - lo) / 4.0)
    };
    let ((west, east), (south, north)) = (span(0), span(1));
    let code = format!("{GUANLAN_GRID}001");
    json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {
                "code": code,
                "name": "矩阵测试微网格",
                "name_en": "Matrix test micro-grid",
                "level": "micro_grid",
                "parent_code": GUANLAN_GRID,
            },
            "geometry": {"type": "Polygon", "coordinates": [[
                [west, south], [east, south], [east, north], [west, north], [west, south]
            ]]},
        }],
    })
}

on_both_backends! {
    async fn every_actor_gets_the_status_the_access_rules_give(app) {
        let mut run = Run::start(app).await;
        let mut failures = Vec::new();
        for (i, row) in ROWS.iter().enumerate() {
            if let Some(wrong) = run.check(row).await {
                failures.push(format!("row {i} {row:?}: {wrong}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} rows disagree:\n{}",
            failures.len(),
            ROWS.len(),
            failures.join("\n")
        );
    }
}

/// The table keeps up with the API: each operation of the OpenAPI document
/// has a row for every actor.
#[test]
fn every_operation_has_a_row_for_every_actor() {
    let doc = gridops_api::openapi::document();
    let mut missing = Vec::new();
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        let def = ResourceDef::new(path.as_str());
        for (method, _) in operations.into_iter().filter(|(_, present)| *present) {
            let covered: BTreeSet<Who> = ROWS
                .iter()
                .filter(|(_, m, p, _, _)| *m == method && def.is_match(&concrete(p)))
                .map(|row| row.0)
                .collect();
            for who in Who::ALL.into_iter().filter(|w| !covered.contains(w)) {
                missing.push(format!("{who:?} {method} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "rows missing:\n{}", missing.join("\n"));
}

/// A path template as a path: placeholders filled with a dummy, no query.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template.split('?').next().unwrap_or_default();
    while let Some((_, before, after)) = next_placeholder(rest) {
        out.push_str(before);
        out.push('x');
        rest = after;
    }
    out.push_str(rest);
    out
}
