//! Who may call what: every role, and no one, against every endpoint, in
//! and out of their scope, as one table of expected statuses.
//!
//! To extend: add one line per case to `ROWS` (actor, method, path, body,
//! status), one for each `Who`; `every_operation_has_a_row_for_every_actor`
//! fails until a new endpoint has them. Paths and bodies may use the
//! placeholders of `Run::value`. Rows that change data act on a `{tmp_*}`
//! user created for that row alone, and incident steps on an incident made
//! for the row (`{reported_hh}`, `{closed_gy}`, …), so they never disturb
//! later rows; rows that would change the actor's own account (`{self}`)
//! come last.

use std::collections::{BTreeSet, HashMap};

use actix_web::dev::ResourceDef;
use gridops_infra::demo::areas::demo_point_in_grid;
use gridops_tests::{DEMO_PASSWORD, TestApp, json, json_of, multipart, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incident_photos::{jpeg, uploaded};
use crate::incidents::{
    HEATING, User, centre_of, new_user, report_in, report_of, sign_in, step, text,
};

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
/// A patrol of the Guanlan grid.
const PATROL: &str = r#"{"grids":["410102003001002"]}"#;
/// worker.guanlan on the Guanlan grid's roster, Monday mornings.
const SHIFT: &str = r#"{"user":"{worker}","weekdays":[1],"starts":"09:00","ends":"10:00"}"#;
/// worker.guanlan off duty in the Guanlan grid on a day of its own.
const DUTY_DAY: &str = r#"{"user":"{worker}","date":"{future_day}","on_duty":false}"#;
/// A report in the Guanlan grid.
const REPORT: &str = "{report_hh}";
/// A checklist template of one item.
const TEMPLATE: &str = r#"{"name_zh":"矩阵","name_en":"matrix","items":[{"id":"pipes","text_zh":"矩阵","text_en":"matrix","category":"utilities.heating","photo_required":false}]}"#;
/// The blizzard checklist over the Guanlan grid, due tomorrow.
const CAMPAIGN_HH: &str =
    r#"{"template":"demo-blizzard","area":"410102003001002","due_at":"{tomorrow}"}"#;
/// An answer to a checklist item: fine.
const CHECK_OK: &str = r#"{"answer":"ok"}"#;
const REJECT: &str = r#"{"reason":"invalid"}"#;
const DISPATCH_HH: &str = r#"{"party":"zy-heating"}"#;
const DISPATCH_GY: &str = r#"{"party":"gy-heating"}"#;
const RETURN: &str = r#"{"reason":"matrix: not ours"}"#;
const RESOLVE: &str = r#"{"result":"matrix: done"}"#;
const REOPEN: &str = r#"{"reason":"matrix: not done"}"#;
const RATE: &str = r#"{"rating":"satisfied"}"#;
const COMMENT: &str = r#"{"text":"matrix"}"#;
const ASSISTS_HH: &str = r#"{"parties":["zy-urban-management"]}"#;
const ASSISTS_GY: &str = r#"{"parties":["gy-urban-management"]}"#;
const ASSIST_REPORT: &str = r#"{"result":"matrix: our part is done"}"#;
/// Not JSON: a multipart form with a photo in its `photo` part.
const PHOTO: &str = "{photo_form}";
/// An Open311 request without an `api_key`, sent as a form.
const OPEN311_FORM: &str = "{open311_form}";
const PLACE_WAITING: &str =
    r#"{"location":{"type":"Point","coordinates":[113.6068306,34.7185788]}}"#;
const DISMISS_WAITING: &str = r#"{"reason":"matrix"}"#;
const DEVICE: &str =
    r#"{"token":"matrix-device-token-{n}-of-a-phone","platform":"android","locale":"zh-CN"}"#;
const NOTICE_HH: &str =
    r#"{"area":"410102003001","audience":["residents"],"title":"matrix","body":"matrix"}"#;
const NOTICE_GRID: &str =
    r#"{"area":"410102003001002","audience":["workers"],"title":"matrix","body":"matrix"}"#;
const WEEK: &str =
    r#"{"periods":["08:30-12:00","14:00-17:30"],"weekdays":[1,2,3,4,5],"utc_offset_minutes":480}"#;
const HOLIDAY: &str = r#"{"kind":"holiday","name":"matrix"}"#;
const TIME_LIMITS: &str = r#"{"items":[]}"#;
const SUSPEND: &str = r#"{"reason":"matrix: waiting"}"#;
const EXTEND: &str = r#"{"reason":"matrix: more","amount":1,"unit":"working_days"}"#;
/// Into the problem ledger 挂账, reviewed in a date of the row's own.
const LEDGER: &str = r#"{"kind":"ledger","reason":"matrix: stuck","review_on":"{future_day}"}"#;
const LEDGER_REVIEW: &str = r#"{"note":"matrix: still stuck","next_review_on":"{future_day}"}"#;

/// An Open311 client key to issue.
const CLIENT_KEY: &str = r#"{"name":"matrix client {n}","per_minute":10}"#;
/// What a category's reports are already: public.
const PUBLICITY: &str = r#"{"public":true}"#;

/// A hotspot rule for a category.
const HOTSPOT_RULE: &str = r#"{"radius_m":100,"min_reports":3,"within_days":30}"#;
/// Links an incident made for the row to the row's root (Guanlan's or Gongyi's).
const LINK_HH: &str = r#"{"incidents":["{reported_hh}"]}"#;
const LINK_GY: &str = r#"{"incidents":["{reported_gy}"]}"#;

/// A routing rule no other rule ties with (an administrator saves it once).
const RULE: &str = r#"{"name":"matrix","category":"property.no_management","area":"410102003001002","target":{"kind":"mediator"},"mode":"triage"}"#;

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

    // Reference data: anyone, without a token down to communities (a
    // community's grids and the boundaries need sign-in).
    (Anon,     "GET",    "/api/v1/areas", None, 200),
    (Admin,    "GET",    "/api/v1/areas", None, 200),
    (DispHh,   "GET",    "/api/v1/areas", None, 200),
    (DispGy,   "GET",    "/api/v1/areas", None, 200),
    (Chief,    "GET",    "/api/v1/areas", None, 200),
    (Worker,   "GET",    "/api/v1/areas", None, 200),
    (Handler,  "GET",    "/api/v1/areas", None, 200),
    (Resident, "GET",    "/api/v1/areas", None, 200),
    (Anon,     "GET",    "/api/v1/areas/410102003001", None, 200),
    (Admin,    "GET",    "/api/v1/areas/410102003001", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/410102003001", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/410102003001", None, 200),
    (Chief,    "GET",    "/api/v1/areas/410102003001", None, 200),
    (Worker,   "GET",    "/api/v1/areas/410102003001", None, 200),
    (Handler,  "GET",    "/api/v1/areas/410102003001", None, 200),
    (Resident, "GET",    "/api/v1/areas/410102003001", None, 200),
    (Anon,     "GET",    "/api/v1/areas/410102003001002", None, 404),
    (Admin,    "GET",    "/api/v1/areas/410102003001002", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/410102003001002", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/410102003001002", None, 200),
    (Chief,    "GET",    "/api/v1/areas/410102003001002", None, 200),
    (Worker,   "GET",    "/api/v1/areas/410102003001002", None, 200),
    (Handler,  "GET",    "/api/v1/areas/410102003001002", None, 200),
    (Resident, "GET",    "/api/v1/areas/410102003001002", None, 200),
    (Anon,     "GET",    "/api/v1/areas/410102003001002/geometry", None, 401),
    (Admin,    "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Chief,    "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Worker,   "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Handler,  "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Resident, "GET",    "/api/v1/areas/410102003001002/geometry", None, 200),
    (Anon,     "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Admin,    "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (DispHh,   "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (DispGy,   "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Chief,    "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Worker,   "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Handler,  "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Resident, "GET",    "/api/v1/areas/locate?{point}", None, 200),
    (Anon,     "GET",    "/api/v1/categories", None, 200),
    (Admin,    "GET",    "/api/v1/categories", None, 200),
    (DispHh,   "GET",    "/api/v1/categories", None, 200),
    (DispGy,   "GET",    "/api/v1/categories", None, 200),
    (Chief,    "GET",    "/api/v1/categories", None, 200),
    (Worker,   "GET",    "/api/v1/categories", None, 200),
    (Handler,  "GET",    "/api/v1/categories", None, 200),
    (Resident, "GET",    "/api/v1/categories", None, 200),

    // The signed-in user and what only users may read: everyone signed in.
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
    (Anon,     "GET",    "/api/v1/me/feed", None, 401),
    (Admin,    "GET",    "/api/v1/me/feed", None, 200),
    (DispHh,   "GET",    "/api/v1/me/feed", None, 200),
    (DispGy,   "GET",    "/api/v1/me/feed", None, 200),
    (Chief,    "GET",    "/api/v1/me/feed", None, 200),
    (Worker,   "GET",    "/api/v1/me/feed", None, 200),
    (Handler,  "GET",    "/api/v1/me/feed", None, 200),
    (Resident, "GET",    "/api/v1/me/feed", None, 200),

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

    // Incidents. Listing: everyone signed in, each their own share (the
    // shares are checked in `incidents.rs`).
    (Anon,     "GET",    "/api/v1/incidents", None, 401),
    (Admin,    "GET",    "/api/v1/incidents", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents", None, 200),
    (Chief,    "GET",    "/api/v1/incidents", None, 200),
    (Worker,   "GET",    "/api/v1/incidents", None, 200),
    (Handler,  "GET",    "/api/v1/incidents", None, 200),
    (Resident, "GET",    "/api/v1/incidents", None, 200),

    // Reporting: everyone but handlers and administrators, who act on cases.
    (Anon,     "POST",   "/api/v1/incidents", Some(REPORT), 401),
    (Admin,    "POST",   "/api/v1/incidents", Some(REPORT), 403),
    (DispHh,   "POST",   "/api/v1/incidents", Some(REPORT), 201),
    (DispGy,   "POST",   "/api/v1/incidents", Some(REPORT), 201),
    (Chief,    "POST",   "/api/v1/incidents", Some(REPORT), 201),
    (Worker,   "POST",   "/api/v1/incidents", Some(REPORT), 201),
    (Handler,  "POST",   "/api/v1/incidents", Some(REPORT), 403),
    (Resident, "POST",   "/api/v1/incidents", Some(REPORT), 201),

    // Reading one: `{inc_hh}` is resident.guanlan's report in the Guanlan grid,
    // dispatched to handler.heating's party; `{inc_gy}` a Gongyi grid worker's.
    // Whoever does not see an incident is told it does not exist.
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}", None, 404),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}", None, 200),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_gy}", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_gy}", None, 404),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_gy}", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/{inc_gy}", None, 404),
    (Worker,   "GET",    "/api/v1/incidents/{inc_gy}", None, 404),
    (Handler,  "GET",    "/api/v1/incidents/{inc_gy}", None, 404),
    (Resident, "GET",    "/api/v1/incidents/{inc_gy}", None, 404),
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 404),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 200),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}/photos/{photo_hh}", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 404),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 404),
    (Worker,   "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 404),
    (Handler,  "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 404),
    (Resident, "GET",    "/api/v1/incidents/{inc_gy}/photos/{photo_gy}", None, 404),
    (Admin,    "GET",    "/api/v1/incidents/{missing}", None, 404),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/photos/{missing}", None, 404),

    // Steps, each on an incident made for the row in the state the step
    // needs (`{reported_hh}`, `{accepted_gy}`, …): 200 for those the policy lets
    // take it, 403 for those who see it but may not, 404 for those who do not
    // see it. Guanlan's are reported by resident.guanlan and go to zy-heating,
    // Gongyi's by a Gongyi grid worker and go to gy-heating.
    (Anon,     "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 200),
    (Worker,   "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_hh}/accept", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 404),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 200),
    (Chief,    "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 404),
    (Worker,   "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 404),
    (Handler,  "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_gy}/accept", None, 404),
    (Anon,     "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 404),
    (Chief,    "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 200),
    (Worker,   "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 403),
    (Handler,  "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_hh}/reject", Some(REJECT), 403),
    (Anon,     "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 200),
    (Chief,    "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 404),
    (Worker,   "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 404),
    (Handler,  "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_gy}/reject", Some(REJECT), 404),
    (Anon,     "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 401),
    (Admin,    "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 404),
    (Chief,    "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 403),
    (Worker,   "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 403),
    (Handler,  "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 404),
    (Resident, "POST",   "/api/v1/incidents/{accepted_hh}/dispatch", Some(DISPATCH_HH), 403),
    (Anon,     "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 401),
    (Admin,    "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 200),
    (Chief,    "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 404),
    (Worker,   "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 404),
    (Handler,  "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 404),
    (Resident, "POST",   "/api/v1/incidents/{accepted_gy}/dispatch", Some(DISPATCH_GY), 404),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 403),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 200),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/acknowledge", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 404),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 403),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 404),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 404),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 404),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_gy}/acknowledge", None, 404),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 403),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 403),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 200),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/return", Some(RETURN), 403),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 403),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 404),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 404),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 404),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_gy}/return", Some(RETURN), 404),
    (Anon,     "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 401),
    (Admin,    "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 404),
    (Chief,    "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 403),
    (Worker,   "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 403),
    (Handler,  "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 200),
    (Resident, "POST",   "/api/v1/incidents/{in_progress_hh}/resolve", Some(RESOLVE), 403),
    (Anon,     "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 401),
    (Admin,    "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 403),
    (Chief,    "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 404),
    (Worker,   "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 404),
    (Handler,  "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 404),
    (Resident, "POST",   "/api/v1/incidents/{in_progress_gy}/resolve", Some(RESOLVE), 404),
    (Anon,     "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 404),
    (Chief,    "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 200),
    (Worker,   "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 200),
    (Handler,  "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_hh}/resolve_on_spot", Some(RESOLVE), 403),
    (Anon,     "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 403),
    (Chief,    "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 404),
    (Worker,   "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 404),
    (Handler,  "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_gy}/resolve_on_spot", Some(RESOLVE), 404),
    (Anon,     "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 200),
    (Worker,   "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 403),
    (Resident, "POST",   "/api/v1/incidents/{resolved_hh}/verify", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 404),
    (DispGy,   "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 200),
    (Chief,    "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 404),
    (Worker,   "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 404),
    (Handler,  "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 404),
    (Resident, "POST",   "/api/v1/incidents/{resolved_gy}/verify", None, 404),
    (Anon,     "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 401),
    (Admin,    "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 404),
    (Chief,    "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 200),
    (Worker,   "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 403),
    (Handler,  "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 403),
    (Resident, "POST",   "/api/v1/incidents/{resolved_hh}/reopen", Some(REOPEN), 403),
    (Anon,     "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 401),
    (Admin,    "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 200),
    (Chief,    "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 404),
    (Worker,   "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 404),
    (Handler,  "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 404),
    (Resident, "POST",   "/api/v1/incidents/{resolved_gy}/reopen", Some(REOPEN), 404),
    (Anon,     "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 401),
    (Admin,    "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 404),
    (Chief,    "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 403),
    (Worker,   "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 403),
    (Handler,  "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 403),
    (Resident, "POST",   "/api/v1/incidents/{closed_hh}/rate", Some(RATE), 200),
    (Anon,     "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 401),
    (Admin,    "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 403),
    (Chief,    "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 404),
    (Worker,   "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 404),
    (Handler,  "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 404),
    (Resident, "POST",   "/api/v1/incidents/{closed_gy}/rate", Some(RATE), 404),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 200),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 200),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 200),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 200),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/comment", Some(COMMENT), 200),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 200),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 200),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 404),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 404),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 404),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_gy}/comment", Some(COMMENT), 404),

    // Lead and assist: dispatchers call parties; a handler of an assisting
    // party (handler.heating, on `{assisted_hh}` led by another party)
    // acknowledges and reports its part; whoever else sees the case, 403.
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 403),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 403),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 403),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/assists", Some(ASSISTS_HH), 403),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 200),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 404),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 404),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 404),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_gy}/assists", Some(ASSISTS_GY), 404),
    (Anon,     "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 403),
    (DispGy,   "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 200),
    (Resident, "POST",   "/api/v1/incidents/{assisted_hh}/assists/zy-heating/acknowledge", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 401),
    (Admin,    "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 404),
    (Chief,    "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 403),
    (Worker,   "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 403),
    (Handler,  "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 200),
    (Resident, "POST",   "/api/v1/incidents/{assist_acknowledged_hh}/assists/zy-heating/report", Some(ASSIST_REPORT), 403),

    // Photos: whoever sees the incident may add one (the endpoint's rule, not
    // a step of the policy); each row on an incident of its own.
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 201),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 201),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 201),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 201),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 201),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/photos?kind=before", Some(PHOTO), 201),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 201),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 404),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 201),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 404),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 404),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 404),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_gy}/photos?kind=before", Some(PHOTO), 404),

    // Notifications: everyone signed in has phones and an inbox; notices by
    // dispatchers (their area) and chiefs (their grid); the outbox is for
    // administrators.
    (Anon,     "POST",   "/api/v1/devices", Some(DEVICE), 401),
    (Admin,    "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (DispHh,   "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (DispGy,   "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (Chief,    "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (Worker,   "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (Handler,  "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (Resident, "POST",   "/api/v1/devices", Some(DEVICE), 201),
    (Anon,     "DELETE", "/api/v1/devices/{own_device}", None, 401),
    (Admin,    "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (DispHh,   "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (DispGy,   "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (Chief,    "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (Worker,   "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (Handler,  "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (Resident, "DELETE", "/api/v1/devices/{own_device}", None, 204),
    (Anon,     "DELETE", "/api/v1/devices/{missing}", None, 401),
    (Admin,    "DELETE", "/api/v1/devices/{missing}", None, 404),
    (DispHh,   "DELETE", "/api/v1/devices/{missing}", None, 404),
    (DispGy,   "DELETE", "/api/v1/devices/{missing}", None, 404),
    (Chief,    "DELETE", "/api/v1/devices/{missing}", None, 404),
    (Worker,   "DELETE", "/api/v1/devices/{missing}", None, 404),
    (Handler,  "DELETE", "/api/v1/devices/{missing}", None, 404),
    (Resident, "DELETE", "/api/v1/devices/{missing}", None, 404),
    (Anon,     "GET",    "/api/v1/notifications", None, 401),
    (Admin,    "GET",    "/api/v1/notifications", None, 200),
    (DispHh,   "GET",    "/api/v1/notifications", None, 200),
    (DispGy,   "GET",    "/api/v1/notifications", None, 200),
    (Chief,    "GET",    "/api/v1/notifications", None, 200),
    (Worker,   "GET",    "/api/v1/notifications", None, 200),
    (Handler,  "GET",    "/api/v1/notifications", None, 200),
    (Resident, "GET",    "/api/v1/notifications", None, 200),
    (Anon,     "GET",    "/api/v1/notifications/unread-count", None, 401),
    (Admin,    "GET",    "/api/v1/notifications/unread-count", None, 200),
    (DispHh,   "GET",    "/api/v1/notifications/unread-count", None, 200),
    (DispGy,   "GET",    "/api/v1/notifications/unread-count", None, 200),
    (Chief,    "GET",    "/api/v1/notifications/unread-count", None, 200),
    (Worker,   "GET",    "/api/v1/notifications/unread-count", None, 200),
    (Handler,  "GET",    "/api/v1/notifications/unread-count", None, 200),
    (Resident, "GET",    "/api/v1/notifications/unread-count", None, 200),
    (Anon,     "POST",   "/api/v1/notifications/read-all", None, 401),
    (Admin,    "POST",   "/api/v1/notifications/read-all", None, 200),
    (DispHh,   "POST",   "/api/v1/notifications/read-all", None, 200),
    (DispGy,   "POST",   "/api/v1/notifications/read-all", None, 200),
    (Chief,    "POST",   "/api/v1/notifications/read-all", None, 200),
    (Worker,   "POST",   "/api/v1/notifications/read-all", None, 200),
    (Handler,  "POST",   "/api/v1/notifications/read-all", None, 200),
    (Resident, "POST",   "/api/v1/notifications/read-all", None, 200),
    (Anon,     "POST",   "/api/v1/notifications/{missing}/read", None, 401),
    (Admin,    "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (DispHh,   "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (DispGy,   "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (Chief,    "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (Worker,   "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (Handler,  "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (Resident, "POST",   "/api/v1/notifications/{missing}/read", None, 404),
    (Anon,     "POST",   "/api/v1/notices", Some(NOTICE_HH), 401),
    (Admin,    "POST",   "/api/v1/notices", Some(NOTICE_HH), 201),
    (DispHh,   "POST",   "/api/v1/notices", Some(NOTICE_HH), 201),
    (DispGy,   "POST",   "/api/v1/notices", Some(NOTICE_HH), 403),
    (Chief,    "POST",   "/api/v1/notices", Some(NOTICE_HH), 403),
    (Worker,   "POST",   "/api/v1/notices", Some(NOTICE_HH), 403),
    (Handler,  "POST",   "/api/v1/notices", Some(NOTICE_HH), 403),
    (Resident, "POST",   "/api/v1/notices", Some(NOTICE_HH), 403),
    (Anon,     "POST",   "/api/v1/notices", Some(NOTICE_GRID), 401),
    (Admin,    "POST",   "/api/v1/notices", Some(NOTICE_GRID), 201),
    (DispHh,   "POST",   "/api/v1/notices", Some(NOTICE_GRID), 201),
    (DispGy,   "POST",   "/api/v1/notices", Some(NOTICE_GRID), 403),
    (Chief,    "POST",   "/api/v1/notices", Some(NOTICE_GRID), 201),
    (Worker,   "POST",   "/api/v1/notices", Some(NOTICE_GRID), 403),
    (Handler,  "POST",   "/api/v1/notices", Some(NOTICE_GRID), 403),
    (Resident, "POST",   "/api/v1/notices", Some(NOTICE_GRID), 403),
    (Anon,     "GET",    "/api/v1/notices/{notice_hh}", None, 401),
    (Admin,    "GET",    "/api/v1/notices/{notice_hh}", None, 200),
    (DispHh,   "GET",    "/api/v1/notices/{notice_hh}", None, 200),
    (DispGy,   "GET",    "/api/v1/notices/{notice_hh}", None, 404),
    (Chief,    "GET",    "/api/v1/notices/{notice_hh}", None, 404),
    (Worker,   "GET",    "/api/v1/notices/{notice_hh}", None, 404),
    (Handler,  "GET",    "/api/v1/notices/{notice_hh}", None, 404),
    (Resident, "GET",    "/api/v1/notices/{notice_hh}", None, 200),
    (Anon,     "GET",    "/api/v1/admin/outbox", None, 401),
    (Admin,    "GET",    "/api/v1/admin/outbox", None, 200),
    (DispHh,   "GET",    "/api/v1/admin/outbox", None, 403),
    (DispGy,   "GET",    "/api/v1/admin/outbox", None, 403),
    (Chief,    "GET",    "/api/v1/admin/outbox", None, 403),
    (Worker,   "GET",    "/api/v1/admin/outbox", None, 403),
    (Handler,  "GET",    "/api/v1/admin/outbox", None, 403),
    (Resident, "GET",    "/api/v1/admin/outbox", None, 403),
    (Anon,     "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 401),
    (Admin,    "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 404),
    (DispHh,   "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 403),
    (DispGy,   "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 403),
    (Chief,    "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 403),
    (Worker,   "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 403),
    (Handler,  "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 403),
    (Resident, "POST",   "/api/v1/admin/outbox/{missing}/retry", None, 403),
    // The live stream: every signed-in console may listen (it filters what each sees).
    (Anon,     "GET",    "/api/v1/events", None, 401),
    (Admin,    "GET",    "/api/v1/events", None, 200),
    (DispHh,   "GET",    "/api/v1/events", None, 200),
    (DispGy,   "GET",    "/api/v1/events", None, 200),
    (Chief,    "GET",    "/api/v1/events", None, 200),
    (Worker,   "GET",    "/api/v1/events", None, 200),
    (Handler,  "GET",    "/api/v1/events", None, 200),
    (Resident, "GET",    "/api/v1/events", None, 200),

    // Routing: administrators keep the rules; dispatchers read them and
    // preview; whoever sees an incident reads how it was routed.
    (Anon,     "GET",    "/api/v1/routing-rules", None, 401),
    (Admin,    "GET",    "/api/v1/routing-rules", None, 200),
    (DispHh,   "GET",    "/api/v1/routing-rules", None, 200),
    (DispGy,   "GET",    "/api/v1/routing-rules", None, 200),
    (Chief,    "GET",    "/api/v1/routing-rules", None, 403),
    (Worker,   "GET",    "/api/v1/routing-rules", None, 403),
    (Handler,  "GET",    "/api/v1/routing-rules", None, 403),
    (Resident, "GET",    "/api/v1/routing-rules", None, 403),
    (Anon,     "POST",   "/api/v1/routing-rules", Some(RULE), 401),
    (Admin,    "POST",   "/api/v1/routing-rules", Some(RULE), 201),
    (DispHh,   "POST",   "/api/v1/routing-rules", Some(RULE), 403),
    (DispGy,   "POST",   "/api/v1/routing-rules", Some(RULE), 403),
    (Chief,    "POST",   "/api/v1/routing-rules", Some(RULE), 403),
    (Worker,   "POST",   "/api/v1/routing-rules", Some(RULE), 403),
    (Handler,  "POST",   "/api/v1/routing-rules", Some(RULE), 403),
    (Resident, "POST",   "/api/v1/routing-rules", Some(RULE), 403),
    (Anon,     "GET",    "/api/v1/routing-rules/{rule}", None, 401),
    (Admin,    "GET",    "/api/v1/routing-rules/{rule}", None, 200),
    (DispHh,   "GET",    "/api/v1/routing-rules/{rule}", None, 200),
    (DispGy,   "GET",    "/api/v1/routing-rules/{rule}", None, 200),
    (Chief,    "GET",    "/api/v1/routing-rules/{rule}", None, 403),
    (Worker,   "GET",    "/api/v1/routing-rules/{rule}", None, 403),
    (Handler,  "GET",    "/api/v1/routing-rules/{rule}", None, 403),
    (Resident, "GET",    "/api/v1/routing-rules/{rule}", None, 403),
    (Anon,     "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 401),
    (Admin,    "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 404),
    (DispHh,   "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 403),
    (DispGy,   "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 403),
    (Chief,    "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 403),
    (Worker,   "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 403),
    (Handler,  "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 403),
    (Resident, "PUT",    "/api/v1/routing-rules/{missing}", Some(RULE), 403),
    (Anon,     "DELETE", "/api/v1/routing-rules/{missing}", None, 401),
    (Admin,    "DELETE", "/api/v1/routing-rules/{missing}", None, 404),
    (DispHh,   "DELETE", "/api/v1/routing-rules/{missing}", None, 403),
    (DispGy,   "DELETE", "/api/v1/routing-rules/{missing}", None, 403),
    (Chief,    "DELETE", "/api/v1/routing-rules/{missing}", None, 403),
    (Worker,   "DELETE", "/api/v1/routing-rules/{missing}", None, 403),
    (Handler,  "DELETE", "/api/v1/routing-rules/{missing}", None, 403),
    (Resident, "DELETE", "/api/v1/routing-rules/{missing}", None, 403),
    // A report's body is a preview's: where would this heating fault go?
    (Anon,     "POST",   "/api/v1/routing/preview", Some(REPORT), 401),
    (Admin,    "POST",   "/api/v1/routing/preview", Some(REPORT), 200),
    (DispHh,   "POST",   "/api/v1/routing/preview", Some(REPORT), 200),
    (DispGy,   "POST",   "/api/v1/routing/preview", Some(REPORT), 200),
    (Chief,    "POST",   "/api/v1/routing/preview", Some(REPORT), 403),
    (Worker,   "POST",   "/api/v1/routing/preview", Some(REPORT), 403),
    (Handler,  "POST",   "/api/v1/routing/preview", Some(REPORT), 403),
    (Resident, "POST",   "/api/v1/routing/preview", Some(REPORT), 403),
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 404),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 200),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}/routing", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 404),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 404),
    (Worker,   "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 404),
    (Handler,  "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 404),
    (Resident, "GET",    "/api/v1/incidents/{inc_gy}/routing", None, 404),

    // The notices each sender sent (administrators: all); empty for others.
    (Anon,     "GET",    "/api/v1/notices", None, 401),
    (Admin,    "GET",    "/api/v1/notices", None, 200),
    (DispHh,   "GET",    "/api/v1/notices", None, 200),
    (DispGy,   "GET",    "/api/v1/notices", None, 200),
    (Chief,    "GET",    "/api/v1/notices", None, 200),
    (Worker,   "GET",    "/api/v1/notices", None, 200),
    (Handler,  "GET",    "/api/v1/notices", None, 200),
    (Resident, "GET",    "/api/v1/notices", None, 200),

    // The console: the queue's counts (each caller's own scope), the
    // reporter of a case (the reporter, the area's dispatchers and admins
    // only: handlers and grid staff who see the case hear 403), and
    // possible duplicates (of what the caller sees).
    (Anon,     "GET",    "/api/v1/incidents/queue-counts", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (Resident, "GET",    "/api/v1/incidents/queue-counts", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 404),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 403),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 403),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 403),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}/reporter", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 404),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 404),
    (Worker,   "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 404),
    (Handler,  "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 404),
    (Resident, "GET",    "/api/v1/incidents/{inc_gy}/reporter", None, 404),
    (Anon,     "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 200),
    (DispHh,   "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 403),
    (Resident, "POST",   "/api/v1/incidents/{inc_hh}/reporter/reveal", None, 200),
    (Anon,     "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 200),
    (DispHh,   "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 404),
    (DispGy,   "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 200),
    (Chief,    "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 404),
    (Worker,   "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 404),
    (Handler,  "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 404),
    (Resident, "POST",   "/api/v1/incidents/{inc_gy}/reporter/reveal", None, 404),
    // The chain check is the records' audit: administrators (and auditors,
    // see `chain.rs`) anywhere; everyone else 403, even on what they see.
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 403),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 403),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 403),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 403),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 403),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}/verify-chain", None, 403),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}/verify-chain", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 404),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 200),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}/possible-duplicates", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 404),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 404),
    (Worker,   "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 404),
    (Handler,  "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 404),
    (Resident, "GET",    "/api/v1/incidents/{inc_gy}/possible-duplicates", None, 404),
    (Anon,     "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),
    (Resident, "GET",    "/api/v1/incidents/possible-duplicates?category=utilities.heating&lng=113.64&lat=34.75", None, 200),

    // Deadlines: the working calendar (staff read it, administrators keep
    // it), time limits per priority (read like the categories), an
    // incident's clocks (whoever sees it), and more time: asked by the
    // handler in charge, decided by a dispatcher covering the case, a
    // suspension ended by either.
    (Anon,     "GET",    "/api/v1/calendar", None, 401),
    (Admin,    "GET",    "/api/v1/calendar", None, 200),
    (DispHh,   "GET",    "/api/v1/calendar", None, 200),
    (DispGy,   "GET",    "/api/v1/calendar", None, 200),
    (Chief,    "GET",    "/api/v1/calendar", None, 200),
    (Worker,   "GET",    "/api/v1/calendar", None, 200),
    (Handler,  "GET",    "/api/v1/calendar", None, 200),
    (Resident, "GET",    "/api/v1/calendar", None, 403),
    (Anon,     "PUT",    "/api/v1/calendar/week", Some(WEEK), 401),
    (Admin,    "PUT",    "/api/v1/calendar/week", Some(WEEK), 200),
    (DispHh,   "PUT",    "/api/v1/calendar/week", Some(WEEK), 403),
    (DispGy,   "PUT",    "/api/v1/calendar/week", Some(WEEK), 403),
    (Chief,    "PUT",    "/api/v1/calendar/week", Some(WEEK), 403),
    (Worker,   "PUT",    "/api/v1/calendar/week", Some(WEEK), 403),
    (Handler,  "PUT",    "/api/v1/calendar/week", Some(WEEK), 403),
    (Resident, "PUT",    "/api/v1/calendar/week", Some(WEEK), 403),
    (Anon,     "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 401),
    (Admin,    "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 200),
    (DispHh,   "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 403),
    (DispGy,   "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 403),
    (Chief,    "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 403),
    (Worker,   "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 403),
    (Handler,  "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 403),
    (Resident, "PUT",    "/api/v1/calendar/days/2031-01-02", Some(HOLIDAY), 403),
    (Anon,     "DELETE", "/api/v1/calendar/days/2026-01-01", None, 401),
    (Admin,    "DELETE", "/api/v1/calendar/days/2026-01-01", None, 204),
    (DispHh,   "DELETE", "/api/v1/calendar/days/2026-01-01", None, 403),
    (DispGy,   "DELETE", "/api/v1/calendar/days/2026-01-01", None, 403),
    (Chief,    "DELETE", "/api/v1/calendar/days/2026-01-01", None, 403),
    (Worker,   "DELETE", "/api/v1/calendar/days/2026-01-01", None, 403),
    (Handler,  "DELETE", "/api/v1/calendar/days/2026-01-01", None, 403),
    (Resident, "DELETE", "/api/v1/calendar/days/2026-01-01", None, 403),
    (Anon,     "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 401),
    (Admin,    "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (DispHh,   "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (DispGy,   "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (Chief,    "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (Worker,   "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (Handler,  "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (Resident, "GET",    "/api/v1/categories/utilities.heating/time-limits", None, 200),
    (Anon,     "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 401),
    (Admin,    "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 200),
    (DispHh,   "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 403),
    (DispGy,   "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 403),
    (Chief,    "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 403),
    (Worker,   "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 403),
    (Handler,  "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 403),
    (Resident, "PUT",    "/api/v1/categories/utilities.heating/time-limits", Some(TIME_LIMITS), 403),
    (Anon,     "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 401),
    (Admin,    "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 200),
    (DispHh,   "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 403),
    (DispGy,   "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 403),
    (Chief,    "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 403),
    (Worker,   "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 403),
    (Handler,  "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 403),
    (Resident, "PUT",    "/api/v1/categories/utilities.heating/public-reports", Some(PUBLICITY), 403),
    (Anon,     "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 200),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 404),
    (Chief,    "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 200),
    (Worker,   "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 200),
    (Handler,  "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 200),
    (Resident, "GET",    "/api/v1/incidents/{inc_hh}/deadlines", None, 200),
    (Anon,     "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 401),
    (Admin,    "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 200),
    (DispHh,   "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 404),
    (DispGy,   "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 200),
    (Chief,    "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 404),
    (Worker,   "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 404),
    (Handler,  "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 404),
    (Resident, "GET",    "/api/v1/incidents/{inc_gy}/deadlines", None, 404),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 403),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 403),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 201),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/suspensions", Some(SUSPEND), 403),
    (Anon,     "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 401),
    (Admin,    "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 404),
    (Chief,    "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 403),
    (Worker,   "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 403),
    (Handler,  "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 201),
    (Resident, "POST",   "/api/v1/incidents/{dispatched_hh}/extensions", Some(EXTEND), 403),
    (Anon,     "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 403),
    (Resident, "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/approve", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 403),
    (Resident, "POST",   "/api/v1/incidents/{asked_hh}/clock-requests/{asked}/refuse", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 200),
    (Resident, "POST",   "/api/v1/incidents/{suspended_hh}/suspensions/{suspension}/end", None, 403),
    // The problem ledger 挂账: asked by the handler in charge of a case
    // already extended, reviewed by a dispatcher covering it, ended by
    // either; read by dispatchers, handlers and administrators.
    (Anon,     "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 401),
    (Admin,    "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 404),
    (Chief,    "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 403),
    (Worker,   "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 403),
    (Handler,  "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 201),
    (Resident, "POST",   "/api/v1/incidents/{extended_hh}/clock-requests", Some(LEDGER), 403),
    (Anon,     "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 401),
    (Admin,    "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 403),
    (DispHh,   "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 404),
    (Chief,    "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 403),
    (Worker,   "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 403),
    (Handler,  "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 403),
    (Resident, "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/reviews", Some(LEDGER_REVIEW), 403),
    (Anon,     "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 401),
    (Admin,    "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 403),
    (DispHh,   "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 200),
    (DispGy,   "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 404),
    (Chief,    "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 403),
    (Worker,   "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 403),
    (Handler,  "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 200),
    (Resident, "POST",   "/api/v1/incidents/{ledgered_hh}/clock-requests/{ledger}/end", None, 403),
    (Anon,     "GET",    "/api/v1/ledger", None, 401),
    (Admin,    "GET",    "/api/v1/ledger", None, 200),
    (DispHh,   "GET",    "/api/v1/ledger", None, 200),
    (DispGy,   "GET",    "/api/v1/ledger", None, 200),
    (Chief,    "GET",    "/api/v1/ledger", None, 403),
    (Worker,   "GET",    "/api/v1/ledger", None, 403),
    (Handler,  "GET",    "/api/v1/ledger", None, 200),
    (Resident, "GET",    "/api/v1/ledger", None, 403),
    // Checklists: a task is the workers' and the chief's of its grid (the
    // chief answers for a worker who is off); dispatchers over the grid and
    // administrators read it; to anyone else it does not exist.
    (Anon,     "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 401),
    (Admin,    "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 404),
    (DispHh,   "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 404),
    (DispGy,   "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 404),
    (Chief,    "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 201),
    (Worker,   "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 201),
    (Handler,  "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 404),
    (Resident, "POST",   "/api/v1/checks/{check_hh}/items/eaves", Some(CHECK_OK), 404),
    (Anon,     "GET",    "/api/v1/checks/{check_hh}", None, 401),
    (Admin,    "GET",    "/api/v1/checks/{check_hh}", None, 200),
    (DispHh,   "GET",    "/api/v1/checks/{check_hh}", None, 200),
    (DispGy,   "GET",    "/api/v1/checks/{check_hh}", None, 404),
    (Chief,    "GET",    "/api/v1/checks/{check_hh}", None, 200),
    (Worker,   "GET",    "/api/v1/checks/{check_hh}", None, 200),
    (Handler,  "GET",    "/api/v1/checks/{check_hh}", None, 404),
    (Resident, "GET",    "/api/v1/checks/{check_hh}", None, 404),
    (Anon,     "GET",    "/api/v1/me/checks", None, 401),
    (Admin,    "GET",    "/api/v1/me/checks", None, 403),
    (DispHh,   "GET",    "/api/v1/me/checks", None, 403),
    (DispGy,   "GET",    "/api/v1/me/checks", None, 403),
    (Chief,    "GET",    "/api/v1/me/checks", None, 200),
    (Worker,   "GET",    "/api/v1/me/checks", None, 200),
    (Handler,  "GET",    "/api/v1/me/checks", None, 403),
    (Resident, "GET",    "/api/v1/me/checks", None, 403),
    // Checklist templates: administrators keep them, staff read them.
    // Campaigns: run by the dispatchers over their area and administrators;
    // a campaign elsewhere does not exist for a dispatcher (404); roles that
    // never run campaigns are refused outright (403).
    (Anon,     "GET",    "/api/v1/checklist-templates", None, 401),
    (Admin,    "GET",    "/api/v1/checklist-templates", None, 200),
    (DispHh,   "GET",    "/api/v1/checklist-templates", None, 200),
    (DispGy,   "GET",    "/api/v1/checklist-templates", None, 200),
    (Chief,    "GET",    "/api/v1/checklist-templates", None, 200),
    (Worker,   "GET",    "/api/v1/checklist-templates", None, 200),
    (Handler,  "GET",    "/api/v1/checklist-templates", None, 200),
    (Resident, "GET",    "/api/v1/checklist-templates", None, 403),
    (Anon,     "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 401),
    (Admin,    "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 201),
    (DispHh,   "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 403),
    (DispGy,   "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 403),
    (Chief,    "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 403),
    (Worker,   "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 403),
    (Handler,  "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 403),
    (Resident, "POST",   "/api/v1/checklist-templates", Some(TEMPLATE), 403),
    (Anon,     "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 401),
    (Admin,    "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 200),
    (DispHh,   "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 200),
    (DispGy,   "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 200),
    (Chief,    "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 200),
    (Worker,   "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 200),
    (Handler,  "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 200),
    (Resident, "GET",    "/api/v1/checklist-templates/demo-blizzard", None, 403),
    (Anon,     "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 401),
    (Admin,    "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 200),
    (DispHh,   "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 403),
    (DispGy,   "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 403),
    (Chief,    "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 403),
    (Worker,   "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 403),
    (Handler,  "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 403),
    (Resident, "PUT",    "/api/v1/checklist-templates/{template_tmp}", Some(TEMPLATE), 403),
    (Anon,     "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 401),
    (Admin,    "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 204),
    (DispHh,   "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 403),
    (DispGy,   "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 403),
    (Chief,    "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 403),
    (Worker,   "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 403),
    (Handler,  "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 403),
    (Resident, "DELETE", "/api/v1/checklist-templates/{template_tmp}", None, 403),
    (Anon,     "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 401),
    (Admin,    "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 201),
    (DispHh,   "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 201),
    (DispGy,   "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 404),
    (Chief,    "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 403),
    (Worker,   "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 403),
    (Handler,  "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 403),
    (Resident, "POST",   "/api/v1/campaigns", Some(CAMPAIGN_HH), 403),
    (Anon,     "GET",    "/api/v1/campaigns", None, 401),
    (Admin,    "GET",    "/api/v1/campaigns", None, 200),
    (DispHh,   "GET",    "/api/v1/campaigns", None, 200),
    (DispGy,   "GET",    "/api/v1/campaigns", None, 200),
    (Chief,    "GET",    "/api/v1/campaigns", None, 403),
    (Worker,   "GET",    "/api/v1/campaigns", None, 403),
    (Handler,  "GET",    "/api/v1/campaigns", None, 403),
    (Resident, "GET",    "/api/v1/campaigns", None, 403),
    (Anon,     "GET",    "/api/v1/campaigns/{campaign_hh}", None, 401),
    (Admin,    "GET",    "/api/v1/campaigns/{campaign_hh}", None, 200),
    (DispHh,   "GET",    "/api/v1/campaigns/{campaign_hh}", None, 200),
    (DispGy,   "GET",    "/api/v1/campaigns/{campaign_hh}", None, 404),
    (Chief,    "GET",    "/api/v1/campaigns/{campaign_hh}", None, 403),
    (Worker,   "GET",    "/api/v1/campaigns/{campaign_hh}", None, 403),
    (Handler,  "GET",    "/api/v1/campaigns/{campaign_hh}", None, 403),
    (Resident, "GET",    "/api/v1/campaigns/{campaign_hh}", None, 403),
    (Anon,     "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 401),
    (Admin,    "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 200),
    (DispHh,   "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 200),
    (DispGy,   "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 404),
    (Chief,    "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 403),
    (Worker,   "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 403),
    (Handler,  "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 403),
    (Resident, "POST",   "/api/v1/campaigns/{campaign_hh}/cancel", None, 403),
    // Patrols: grid workers and chiefs walk the grids they hold; a track is
    // its walker's to write, and read only by the walker, the chiefs of its
    // grids and the dispatchers over them (not administrators: it is
    // personal data). Coverage counts cells, not people.
    (Anon,    "GET",    "/api/v1/patrols", None, 401),
    (Admin,   "GET",    "/api/v1/patrols", None, 403),
    (DispHh,  "GET",    "/api/v1/patrols", None, 200),
    (DispGy,  "GET",    "/api/v1/patrols", None, 200),
    (Chief,   "GET",    "/api/v1/patrols", None, 200),
    (Worker,  "GET",    "/api/v1/patrols", None, 200),
    (Handler, "GET",    "/api/v1/patrols", None, 403),
    (Resident,"GET",    "/api/v1/patrols", None, 403),
    (Anon,    "POST",   "/api/v1/patrols", Some(PATROL), 401),
    (Admin,   "POST",   "/api/v1/patrols", Some(PATROL), 403),
    (DispHh,  "POST",   "/api/v1/patrols", Some(PATROL), 403),
    (DispGy,  "POST",   "/api/v1/patrols", Some(PATROL), 403),
    (Chief,   "POST",   "/api/v1/patrols", Some(PATROL), 201),
    (Worker,  "POST",   "/api/v1/patrols", Some(PATROL), 201),
    (Handler, "POST",   "/api/v1/patrols", Some(PATROL), 403),
    (Resident,"POST",   "/api/v1/patrols", Some(PATROL), 403),
    (Anon,    "GET",    "/api/v1/patrols/{patrol_w}", None, 401),
    (Admin,   "GET",    "/api/v1/patrols/{patrol_w}", None, 404),
    (DispHh,  "GET",    "/api/v1/patrols/{patrol_w}", None, 200),
    (DispGy,  "GET",    "/api/v1/patrols/{patrol_w}", None, 404),
    (Chief,   "GET",    "/api/v1/patrols/{patrol_w}", None, 200),
    (Worker,  "GET",    "/api/v1/patrols/{patrol_w}", None, 200),
    (Handler, "GET",    "/api/v1/patrols/{patrol_w}", None, 404),
    (Resident,"GET",    "/api/v1/patrols/{patrol_w}", None, 404),
    (Anon,    "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 401),
    (Admin,   "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 404),
    (DispHh,  "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 403),
    (DispGy,  "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 404),
    (Chief,   "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 403),
    (Worker,  "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 200),
    (Handler, "POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 404),
    (Resident,"POST",   "/api/v1/patrols/{patrol_w}/track", Some("{track}"), 404),
    (Anon,    "GET",    "/api/v1/patrols/{patrol_w}/track", None, 401),
    (Admin,   "GET",    "/api/v1/patrols/{patrol_w}/track", None, 404),
    (DispHh,  "GET",    "/api/v1/patrols/{patrol_w}/track", None, 200),
    (DispGy,  "GET",    "/api/v1/patrols/{patrol_w}/track", None, 404),
    (Chief,   "GET",    "/api/v1/patrols/{patrol_w}/track", None, 200),
    (Worker,  "GET",    "/api/v1/patrols/{patrol_w}/track", None, 200),
    (Handler, "GET",    "/api/v1/patrols/{patrol_w}/track", None, 404),
    (Resident,"GET",    "/api/v1/patrols/{patrol_w}/track", None, 404),
    (Anon,    "GET",    "/api/v1/grids/410102003001002/coverage", None, 401),
    (Admin,   "GET",    "/api/v1/grids/410102003001002/coverage", None, 200),
    (DispHh,  "GET",    "/api/v1/grids/410102003001002/coverage", None, 200),
    (DispGy,  "GET",    "/api/v1/grids/410102003001002/coverage", None, 403),
    (Chief,   "GET",    "/api/v1/grids/410102003001002/coverage", None, 200),
    (Worker,  "GET",    "/api/v1/grids/410102003001002/coverage", None, 200),
    (Handler, "GET",    "/api/v1/grids/410102003001002/coverage", None, 403),
    (Resident,"GET",    "/api/v1/grids/410102003001002/coverage", None, 403),
    (Anon,    "GET",    "/api/v1/rosters/410102003001002", None, 401),
    (Admin,   "GET",    "/api/v1/rosters/410102003001002", None, 200),
    (DispHh,  "GET",    "/api/v1/rosters/410102003001002", None, 200),
    (DispGy,  "GET",    "/api/v1/rosters/410102003001002", None, 404),
    (Chief,   "GET",    "/api/v1/rosters/410102003001002", None, 200),
    (Worker,  "GET",    "/api/v1/rosters/410102003001002", None, 200),
    (Handler, "GET",    "/api/v1/rosters/410102003001002", None, 404),
    (Resident,"GET",    "/api/v1/rosters/410102003001002", None, 404),
    (Anon,    "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 401),
    (Admin,   "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 201),
    (DispHh,  "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 201),
    (DispGy,  "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 404),
    (Chief,   "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 403),
    (Worker,  "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 403),
    (Handler, "POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 404),
    (Resident,"POST",   "/api/v1/rosters/410102003001002/shifts", Some(SHIFT), 404),
    (Anon,    "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 401),
    (Admin,   "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 204),
    (DispHh,  "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 204),
    (DispGy,  "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 404),
    (Chief,   "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 403),
    (Worker,  "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 403),
    (Handler, "DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 404),
    (Resident,"DELETE", "/api/v1/rosters/410102003001002/shifts/{shift_hh}", None, 404),
    (Anon,    "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 401),
    (Admin,   "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 200),
    (DispHh,  "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 200),
    (DispGy,  "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 404),
    (Chief,   "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 403),
    (Worker,  "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 403),
    (Handler, "PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 404),
    (Resident,"PUT",    "/api/v1/rosters/410102003001002/exceptions", Some(DUTY_DAY), 404),
    (Anon,    "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 401),
    (Admin,   "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 204),
    (DispHh,  "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 204),
    (DispGy,  "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 404),
    (Chief,   "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 403),
    (Worker,  "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 403),
    (Handler, "DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 404),
    (Resident,"DELETE", "/api/v1/rosters/410102003001002/exceptions/{duty_day_hh}", None, 404),
    (Anon,    "POST",   "/api/v1/patrols/{patrol_w}/end", None, 401),
    (Admin,   "POST",   "/api/v1/patrols/{patrol_w}/end", None, 404),
    (DispHh,  "POST",   "/api/v1/patrols/{patrol_w}/end", None, 403),
    (DispGy,  "POST",   "/api/v1/patrols/{patrol_w}/end", None, 404),
    (Chief,   "POST",   "/api/v1/patrols/{patrol_w}/end", None, 403),
    (Worker,  "POST",   "/api/v1/patrols/{patrol_w}/end", None, 200),
    (Handler, "POST",   "/api/v1/patrols/{patrol_w}/end", None, 404),
    (Resident,"POST",   "/api/v1/patrols/{patrol_w}/end", None, 404),
    // KPIs: a dispatcher reads their own areas, a handler their own party,
    // administrators the city; the same for the CSV.
    (Anon,     "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 401),
    (Admin,    "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 200),
    (DispHh,   "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 200),
    (DispGy,   "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Chief,    "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Worker,   "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Handler,  "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Resident, "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Anon,     "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 401),
    (Admin,    "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 200),
    (DispHh,   "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 200),
    (DispGy,   "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Chief,    "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Worker,   "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Handler,  "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Resident, "GET",    "/api/v1/stats/kpis.csv?from=2026-01-01&to=2026-12-31&area=410102003", None, 403),
    (Handler,  "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&party=zy-heating", None, 200),
    (DispHh,   "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&party=zy-heating", None, 200),
    (DispGy,   "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&party=zy-heating", None, 200),
    (Chief,    "GET",    "/api/v1/stats/kpis?from=2026-01-01&to=2026-12-31&party=zy-heating", None, 403),
    // Open311 client keys: administrators only (a key for one row alone
    // is `{client_key}`).
    (Anon,     "GET",    "/api/v1/open311/keys", None, 401),
    (Admin,    "GET",    "/api/v1/open311/keys", None, 200),
    (DispHh,   "GET",    "/api/v1/open311/keys", None, 403),
    (DispGy,   "GET",    "/api/v1/open311/keys", None, 403),
    (Chief,    "GET",    "/api/v1/open311/keys", None, 403),
    (Worker,   "GET",    "/api/v1/open311/keys", None, 403),
    (Handler,  "GET",    "/api/v1/open311/keys", None, 403),
    (Resident, "GET",    "/api/v1/open311/keys", None, 403),
    (Anon,     "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 401),
    (Admin,    "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 201),
    (DispHh,   "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 403),
    (DispGy,   "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 403),
    (Chief,    "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 403),
    (Worker,   "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 403),
    (Handler,  "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 403),
    (Resident, "POST",   "/api/v1/open311/keys", Some(CLIENT_KEY), 403),
    (Anon,     "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 401),
    (Admin,    "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 200),
    (DispHh,   "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 403),
    (DispGy,   "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 403),
    (Chief,    "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 403),
    (Worker,   "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 403),
    (Handler,  "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 403),
    (Resident, "POST",   "/api/v1/open311/keys/{client_key}/revoke", None, 403),
    (Admin,    "POST",   "/api/v1/open311/keys/{missing}/revoke", None, 404),
    (DispHh,   "POST",   "/api/v1/open311/keys/{missing}/revoke", None, 403),
    // Open311 GeoReport v2: reads are public, a bearer token adds nothing;
    // posting takes an API key, which no signed-in user has by being one.
    // Its errors are the spec's documents, not problem+json.
    (Anon,     "GET",    "/open311/v2/discovery.json", None, 200),
    (Admin,    "GET",    "/open311/v2/discovery.json", None, 200),
    (DispHh,   "GET",    "/open311/v2/discovery.json", None, 200),
    (DispGy,   "GET",    "/open311/v2/discovery.json", None, 200),
    (Chief,    "GET",    "/open311/v2/discovery.json", None, 200),
    (Worker,   "GET",    "/open311/v2/discovery.json", None, 200),
    (Handler,  "GET",    "/open311/v2/discovery.json", None, 200),
    (Resident, "GET",    "/open311/v2/discovery.json", None, 200),
    (Anon,     "GET",    "/open311/v2/services.xml", None, 200),
    (Admin,    "GET",    "/open311/v2/services.xml", None, 200),
    (DispHh,   "GET",    "/open311/v2/services.xml", None, 200),
    (DispGy,   "GET",    "/open311/v2/services.xml", None, 200),
    (Chief,    "GET",    "/open311/v2/services.xml", None, 200),
    (Worker,   "GET",    "/open311/v2/services.xml", None, 200),
    (Handler,  "GET",    "/open311/v2/services.xml", None, 200),
    (Resident, "GET",    "/open311/v2/services.xml", None, 200),
    (Anon,     "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (Admin,    "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (DispHh,   "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (DispGy,   "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (Chief,    "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (Worker,   "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (Handler,  "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (Resident, "GET",    "/open311/v2/services/neighbourhood.dog_noise.json", None, 200),
    (Anon,     "GET",    "/open311/v2/requests.json", None, 200),
    (Admin,    "GET",    "/open311/v2/requests.json", None, 200),
    (DispHh,   "GET",    "/open311/v2/requests.json", None, 200),
    (DispGy,   "GET",    "/open311/v2/requests.json", None, 200),
    (Chief,    "GET",    "/open311/v2/requests.json", None, 200),
    (Worker,   "GET",    "/open311/v2/requests.json", None, 200),
    (Handler,  "GET",    "/open311/v2/requests.json", None, 200),
    (Resident, "GET",    "/open311/v2/requests.json", None, 200),
    (Anon,     "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (Admin,    "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (DispHh,   "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (DispGy,   "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (Chief,    "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (Worker,   "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (Handler,  "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (Resident, "GET",    "/open311/v2/requests/{missing}.xml", None, 404),
    (Anon,     "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (Admin,    "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (DispHh,   "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (DispGy,   "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (Chief,    "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (Worker,   "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (Handler,  "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (Resident, "GET",    "/open311/v2/tokens/{missing}.json", None, 404),
    (Anon,     "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (Admin,    "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (DispHh,   "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (DispGy,   "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (Chief,    "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (Worker,   "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (Handler,  "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (Resident, "GET",    "/open311/v2/servicerequestupdates.json", None, 200),
    (Anon,     "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (Admin,    "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (DispHh,   "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (DispGy,   "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (Chief,    "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (Worker,   "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (Handler,  "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    (Resident, "POST",   "/open311/v2/requests.json", Some(OPEN311_FORM), 403),
    // Recurring hotspots: staff read the rules, administrators set them;
    // dispatchers (their area: another area is 403), handlers (their
    // party's cases) and administrators read the hotspots; a dispatcher over
    // the root and every linked incident, or an administrator, links them.
    (Anon,     "GET",    "/api/v1/hotspot-rules", None, 401),
    (Admin,    "GET",    "/api/v1/hotspot-rules", None, 200),
    (DispHh,   "GET",    "/api/v1/hotspot-rules", None, 200),
    (DispGy,   "GET",    "/api/v1/hotspot-rules", None, 200),
    (Chief,    "GET",    "/api/v1/hotspot-rules", None, 200),
    (Worker,   "GET",    "/api/v1/hotspot-rules", None, 200),
    (Handler,  "GET",    "/api/v1/hotspot-rules", None, 200),
    (Resident, "GET",    "/api/v1/hotspot-rules", None, 403),
    (Anon,     "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 401),
    (Admin,    "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 200),
    (DispHh,   "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 403),
    (DispGy,   "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 403),
    (Chief,    "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 403),
    (Worker,   "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 403),
    (Handler,  "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 403),
    (Resident, "PUT",    "/api/v1/hotspot-rules/neighbourhood.dog_noise", Some(HOTSPOT_RULE), 403),
    (Admin,    "PUT",    "/api/v1/hotspot-rules/no.such.category", Some(HOTSPOT_RULE), 404),
    (Anon,     "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 401),
    (Admin,    "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 204),
    (DispHh,   "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 403),
    (DispGy,   "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 403),
    (Chief,    "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 403),
    (Worker,   "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 403),
    (Handler,  "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 403),
    (Resident, "DELETE", "/api/v1/hotspot-rules/neighbourhood.dog_noise", None, 403),
    (Admin,    "DELETE", "/api/v1/hotspot-rules/no.such.category", None, 404),
    (Anon,     "GET",    "/api/v1/stats/hotspots", None, 401),
    (Admin,    "GET",    "/api/v1/stats/hotspots", None, 200),
    (DispHh,   "GET",    "/api/v1/stats/hotspots", None, 200),
    (DispGy,   "GET",    "/api/v1/stats/hotspots", None, 200),
    (Chief,    "GET",    "/api/v1/stats/hotspots", None, 403),
    (Worker,   "GET",    "/api/v1/stats/hotspots", None, 403),
    (Handler,  "GET",    "/api/v1/stats/hotspots", None, 200),
    (Resident, "GET",    "/api/v1/stats/hotspots", None, 403),
    (Anon,     "GET",    "/api/v1/stats/hotspots?area=410102003", None, 401),
    (Admin,    "GET",    "/api/v1/stats/hotspots?area=410102003", None, 200),
    (DispHh,   "GET",    "/api/v1/stats/hotspots?area=410102003", None, 200),
    (DispGy,   "GET",    "/api/v1/stats/hotspots?area=410102003", None, 403),
    (Chief,    "GET",    "/api/v1/stats/hotspots?area=410102003", None, 403),
    (Worker,   "GET",    "/api/v1/stats/hotspots?area=410102003", None, 403),
    (Handler,  "GET",    "/api/v1/stats/hotspots?area=410102003", None, 200),
    (Resident, "GET",    "/api/v1/stats/hotspots?area=410102003", None, 403),
    (Anon,     "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 401),
    (Admin,    "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 200),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 200),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 404),
    (Chief,    "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 403),
    (Worker,   "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 403),
    (Handler,  "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 404),
    (Resident, "POST",   "/api/v1/incidents/{reported_hh}/linked-incidents", Some(LINK_HH), 403),
    (DispGy,   "POST",   "/api/v1/incidents/{reported_gy}/linked-incidents", Some(LINK_GY), 200),
    (DispHh,   "POST",   "/api/v1/incidents/{reported_gy}/linked-incidents", Some(LINK_GY), 404),
    (Anon,     "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 401),
    (Admin,    "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 200),
    (DispHh,   "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 200),
    (DispGy,   "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 404),
    (Chief,    "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 403),
    (Worker,   "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 403),
    (Handler,  "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 404),
    (Resident, "DELETE", "/api/v1/incidents/{linked_root_hh}/linked-incidents/{linked}", None, 403),
    // Requests with an address only wait for any dispatcher to place them.
    (Anon,     "GET",    "/api/v1/open311/waiting", None, 401),
    (Admin,    "GET",    "/api/v1/open311/waiting", None, 200),
    (DispHh,   "GET",    "/api/v1/open311/waiting", None, 200),
    (DispGy,   "GET",    "/api/v1/open311/waiting", None, 200),
    (Chief,    "GET",    "/api/v1/open311/waiting", None, 403),
    (Worker,   "GET",    "/api/v1/open311/waiting", None, 403),
    (Handler,  "GET",    "/api/v1/open311/waiting", None, 403),
    (Resident, "GET",    "/api/v1/open311/waiting", None, 403),
    (Anon,     "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 401),
    (Admin,    "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 404),
    (DispHh,   "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 404),
    (DispGy,   "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 404),
    (Chief,    "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 403),
    (Worker,   "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 403),
    (Handler,  "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 403),
    (Resident, "POST",   "/api/v1/open311/waiting/{missing}/place", Some(PLACE_WAITING), 403),
    (Anon,     "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 401),
    (Admin,    "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 404),
    (DispHh,   "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 404),
    (DispGy,   "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 404),
    (Chief,    "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 403),
    (Worker,   "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 403),
    (Handler,  "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 403),
    (Resident, "POST",   "/api/v1/open311/waiting/{missing}/dismiss", Some(DISMISS_WAITING), 403),
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
    cases: Cases,
    /// A routing rule the administrator saved for the run.
    rule: Option<String>,
}

/// The states an incident of a row may be made in, in the order of the loop.
const STATES: [&str; 6] = [
    "reported",
    "accepted",
    "dispatched",
    "in_progress",
    "resolved",
    "closed",
];

/// Who reports an incident in one scope and takes it through the loop.
struct Chain {
    grid: &'static str,
    reporter: User,
    dispatcher: User,
    party: &'static str,
    handler: User,
}

impl Chain {
    /// A new incident of this scope, taken as far as `state`.
    async fn incident(&self, app: &TestApp, state: &str) -> String {
        let depth = STATES
            .iter()
            .position(|s| *s == state)
            .unwrap_or_else(|| panic!("no state {state}"));
        let id = report_in(app, &self.reporter, self.grid, HEATING, "矩阵测试").await;
        for next in &STATES[1..=depth] {
            let (who, action, body) = match *next {
                "accepted" => (&self.dispatcher, "accept", None),
                "dispatched" => (
                    &self.dispatcher,
                    "dispatch",
                    Some(json!({"party": self.party})),
                ),
                "in_progress" => (&self.handler, "acknowledge", None),
                "resolved" => (&self.handler, "resolve", Some(json!({"result": "matrix"}))),
                _ => (&self.dispatcher, "verify", None),
            };
            step(app, who, &id, action, body).await;
        }
        id
    }
}

/// The incidents of the rows: one in each scope to read, with a photo, and
/// the chains that make one for a row.
struct Cases {
    /// resident.guanlan reports in `GUANLAN_GRID`; dispatcher.hanghaixilu,
    /// zy-heating and handler.heating take it on.
    hh: Chain,
    /// A grid worker of `GONGYI_GRID` reports; dispatcher.gongyi, gy-heating
    /// and a handler of it take it on.
    gy: Chain,
    inc_hh: String,
    photo_hh: String,
    inc_gy: String,
    photo_gy: String,
}

impl Cases {
    async fn prepare(app: &TestApp, signed: &HashMap<Who, Signed>) -> Cases {
        let user = |who: Who| {
            let s = &signed[&who];
            User {
                name: format!("{who:?}"),
                id: s.id.clone(),
                client: s.client.clone(),
            }
        };
        let hh = Chain {
            grid: GUANLAN_GRID,
            reporter: user(Resident),
            dispatcher: user(DispHh),
            party: "zy-heating",
            handler: user(Handler),
        };
        let gy = Chain {
            grid: GONGYI_GRID,
            reporter: sign_in(app, "matrix.gongyi").await,
            dispatcher: user(DispGy),
            party: "gy-heating",
            handler: new_user(
                app,
                "matrix.gy-heating",
                "handler",
                None,
                Some("gy-heating"),
            )
            .await,
        };
        let inc_hh = hh.incident(app, "dispatched").await;
        let photo_hh = uploaded(app, &hh.reporter, &inc_hh, "before", &jpeg(1, &[])).await;
        let inc_gy = gy.incident(app, "dispatched").await;
        let photo_gy = uploaded(app, &gy.reporter, &inc_gy, "before", &jpeg(2, &[])).await;
        Cases {
            hh,
            gy,
            inc_hh,
            photo_hh: text(&photo_hh["key"]),
            inc_gy,
            photo_gy: text(&photo_gy["key"]),
        }
    }
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
        let cases = Cases::prepare(app, &signed).await;
        Run {
            app,
            signed,
            gongyi,
            missing: uuid::Uuid::now_v7().to_string(),
            rule: None,
            point: format!("lat={lat}&lng={lng}"),
            area_file: area_file(app).await.to_string(),
            serial: 0,
            cases,
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
            // A routing rule saved once for the run by the administrator.
            "rule" => {
                if self.rule.is_none() {
                    let response = self
                        .signed(Admin)
                        .client
                        .post(self.app.url("/api/v1/routing-rules"))
                        .json(&json!({"name": "matrix: lost and found", "category": "public_service.lost_and_found", "target": {"kind": "mediator"}, "mode": "triage"}))
                        .send()
                        .await
                        .expect("rule saved");
                    let rule: Value = response.json().await.expect("a rule");
                    self.rule = Some(text(&rule["id"]));
                }
                self.rule.clone().unwrap_or_default()
            }
            // An Open311 client key the administrator issued for this row alone.
            "client_key" => {
                let response = self
                    .signed(Admin)
                    .client
                    .post(self.app.url("/api/v1/open311/keys"))
                    .json(&json!({"name": format!("matrix row {serial}")}))
                    .send()
                    .await
                    .expect("key issued");
                let key: Value = response.json().await.expect("a key");
                text(&key["id"])
            }
            // A phone the actor has just registered.
            "own_device" => match who {
                Anon => self.missing.clone(),
                _ => {
                    let response = self
                        .signed(who)
                        .client
                        .post(self.app.url("/api/v1/devices"))
                        .json(&json!({"token": format!("matrix-own-device-{serial}-token"), "platform": "ios", "locale": "en"}))
                        .send()
                        .await
                        .expect("device registered");
                    let device: Value = response.json().await.expect("a device");
                    text(&device["id"])
                }
            },
            // A notice of dispatcher.hanghaixilu to the residents of Guanlan.
            "notice_hh" => {
                let response = self
                    .signed(DispHh)
                    .client
                    .post(self.app.url("/api/v1/notices"))
                    .header("Idempotency-Key", format!("matrix-{serial}"))
                    .json(&json!({"area": "410102003001", "audience": ["residents"], "title": "matrix", "body": "matrix"}))
                    .send()
                    .await
                    .expect("notice posted");
                let notice: Value = response.json().await.expect("a notice");
                text(&notice["id"])
            }
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
            // worker.guanlan's running patrol, started if none runs.
            "patrol_w" => {
                let worker = self.signed(Worker);
                let (_, page) = json_of(
                    worker
                        .client
                        .get(self.app.url("/api/v1/patrols?status=running"))
                        .send()
                        .await
                        .expect("patrols listed"),
                )
                .await;
                match page["items"][0]["id"].as_str() {
                    Some(id) => id.to_owned(),
                    None => {
                        let (status, patrol) = json_of(
                            worker
                                .client
                                .post(self.app.url("/api/v1/patrols"))
                                .header("Idempotency-Key", format!("matrix-{serial}"))
                                .json(&serde_json::from_str::<Value>(PATROL).expect("JSON"))
                                .send()
                                .await
                                .expect("patrol started"),
                        )
                        .await;
                        assert_eq!(status, StatusCode::CREATED, "{patrol}");
                        text(&patrol["id"])
                    }
                }
            }
            // A track body: one fix in GUANLAN_GRID, taken now.
            "track" => {
                let (lng, lat) = demo_point_in_grid(GUANLAN_GRID).expect("a demo grid");
                serde_json::json!({"points": [{"id": format!("m{serial}"), "at": chrono::Utc::now(), "lat": lat, "lng": lng, "accuracy_m": 5.0}]}).to_string()
            }
            // A line of GUANLAN_GRID's duty roster, or a day exception of
            // it, the administrator added for this row alone.
            "shift_hh" | "duty_day_hh" => {
                let (method, path, body) = if name == "shift_hh" {
                    (
                        reqwest::Method::POST,
                        "shifts",
                        json!({"user": self.signed(Worker).id, "weekdays": [2], "starts": "10:00", "ends": "11:00"}),
                    )
                } else {
                    (
                        reqwest::Method::PUT,
                        "exceptions",
                        json!({"user": self.signed(Worker).id, "date": future_day(serial), "on_duty": true}),
                    )
                };
                let response = self
                    .signed(Admin)
                    .client
                    .request(
                        method,
                        self.app
                            .url(&format!("/api/v1/rosters/{GUANLAN_GRID}/{path}")),
                    )
                    .json(&body)
                    .send()
                    .await
                    .expect("roster changed");
                let line: Value = response.json().await.expect("a roster line");
                text(&line["id"])
            }
            // A checklist template the administrator saved for this row alone.
            "template_tmp" => {
                let response = self
                    .signed(Admin)
                    .client
                    .post(self.app.url("/api/v1/checklist-templates"))
                    .json(&serde_json::from_str::<Value>(TEMPLATE).expect("JSON"))
                    .send()
                    .await
                    .expect("template saved");
                let template: Value = response.json().await.expect("a template");
                text(&template["id"])
            }
            // A day from now, RFC 3339.
            "tomorrow" => (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(),
            // The blizzard checklist over GUANLAN_GRID, started by
            // dispatcher.hanghaixilu for this row alone.
            "campaign_hh" => {
                let due = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
                let response = self
                    .signed(DispHh)
                    .client
                    .post(self.app.url("/api/v1/campaigns"))
                    .header("Idempotency-Key", format!("matrix-campaign-{serial}"))
                    .json(
                        &json!({"template": "demo-blizzard", "area": GUANLAN_GRID, "due_at": due}),
                    )
                    .send()
                    .await
                    .expect("campaign started");
                let campaign: Value = response.json().await.expect("a campaign");
                text(&campaign["id"])
            }
            // A date of its own for this row.
            "future_day" => future_day(serial),
            // A checklist task of GUANLAN_GRID, of a campaign started for
            // this row alone.
            "check_hh" => crate::checks::campaign_over(self.app, &[GUANLAN_GRID])
                .await
                .1
                .remove(0),
            // A refresh token just issued to resident.guanlan.
            "fresh_refresh" => self.app.login("resident.guanlan").await.refresh_token,
            // `lat=…&lng=…` inside GUANLAN_GRID.
            "point" => self.point.clone(),
            // An area file that checks out: one micro-grid inside GUANLAN_GRID.
            "area_file" => self.area_file.clone(),
            // A report (JSON body) of a heating fault in GUANLAN_GRID.
            "report_hh" => report_of(HEATING, centre_of(GUANLAN_GRID), "矩阵测试").to_string(),
            // The incidents to read (see `Cases`) and the key of their photo.
            "inc_hh" => self.cases.inc_hh.clone(),
            "inc_gy" => self.cases.inc_gy.clone(),
            "photo_hh" => self.cases.photo_hh.clone(),
            "photo_gy" => self.cases.photo_gy.clone(),
            // An incident made for this row alone, led by zy-urban-management,
            // with handler.heating's zy-heating called to assist (and that
            // assist acknowledged): see `assists::heating_assists`.
            "assisted_hh" | "assist_acknowledged_hh" => {
                let hh = &self.cases.hh;
                crate::assists::heating_assists(
                    self.app,
                    &hh.reporter,
                    &hh.dispatcher,
                    &hh.handler,
                    name == "assist_acknowledged_hh",
                )
                .await
            }
            // A dispatched incident of GUANLAN_GRID whose handler asked to
            // suspend it (`{asked_hh}`), or whose suspension a dispatcher
            // approved (`{suspended_hh}`); `{asked}` / `{suspension}` after
            // it in the row is that request.
            // A reported incident of GUANLAN_GRID with another linked to it
            // by the administrator, for this row alone; `{linked}` after it
            // in the row is the linked one.
            "linked_root_hh" => {
                let hh = &self.cases.hh;
                let root = hh.incident(self.app, "reported").await;
                let linked = hh.incident(self.app, "reported").await;
                let response = self
                    .signed(Admin)
                    .client
                    .post(
                        self.app
                            .url(&format!("/api/v1/incidents/{root}/linked-incidents")),
                    )
                    .json(&json!({"incidents": [&linked]}))
                    .send()
                    .await
                    .expect("linked");
                assert_eq!(response.status(), StatusCode::OK, "linked for the row");
                *tmp = Some((root.clone(), linked));
                root
            }
            "linked" => match tmp {
                Some((_, linked)) => linked.clone(),
                None => panic!("{{linked}} comes after {{linked_root_hh}}"),
            },
            "asked_hh" | "suspended_hh" => {
                let hh = &self.cases.hh;
                let id = hh.incident(self.app, "dispatched").await;
                let approve = name == "suspended_hh";
                let request = crate::deadlines::suspension_in(
                    self.app,
                    &hh.handler,
                    &hh.dispatcher,
                    &id,
                    approve,
                )
                .await;
                *tmp = Some((id.clone(), request));
                id
            }
            "asked" | "suspension" => match tmp {
                Some((_, request)) => request.clone(),
                None => panic!("{{{name}}} comes after {{asked_hh}} or {{suspended_hh}}"),
            },
            // A dispatched incident of GUANLAN_GRID whose extension was
            // granted (`{extended_hh}`: it may go to the ledger), or which
            // is in the ledger (`{ledgered_hh}`, its request `{ledger}`).
            "extended_hh" | "ledgered_hh" => {
                let hh = &self.cases.hh;
                let id = hh.incident(self.app, "dispatched").await;
                if name == "extended_hh" {
                    crate::ledger::extended_in(self.app, &hh.handler, &hh.dispatcher, &id).await;
                } else {
                    let request =
                        crate::ledger::ledgered_in(self.app, &hh.handler, &hh.dispatcher, &id)
                            .await;
                    *tmp = Some((id.clone(), request));
                }
                id
            }
            "ledger" => match tmp {
                Some((_, request)) => request.clone(),
                None => panic!("{{ledger}} comes after {{ledgered_hh}}"),
            },
            // An incident made for this row alone, in the named state, in
            // GUANLAN_GRID or GONGYI_GRID: `{reported_hh}` … `{closed_gy}`.
            other => match other.rsplit_once('_') {
                Some((state, "hh")) if STATES.contains(&state) => {
                    self.cases.hh.incident(self.app, state).await
                }
                Some((state, "gy")) if STATES.contains(&state) => {
                    self.cases.gy.incident(self.app, state).await
                }
                _ => panic!("unknown placeholder {{{other}}}"),
            },
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
        // (content type, bytes)
        let body = match body {
            Some(PHOTO) => Some(multipart(
                "photo",
                "matrix.jpg",
                "image/jpeg",
                &jpeg(0, &[]),
            )),
            Some(OPEN311_FORM) => Some((
                "application/x-www-form-urlencoded".to_owned(),
                b"service_code=utilities.heating&lat=34.7185788&long=113.6068306&description=matrix"
                    .to_vec(),
            )),
            Some(template) => Some((
                "application/json".to_owned(),
                self.fill(who, template, &mut tmp).await.into_bytes(),
            )),
            None => None,
        };
        // Reports must carry an Idempotency-Key; every row its own.
        let idempotency_key = (method == "POST"
            && (path == "/api/v1/incidents"
                || path == "/api/v1/notices"
                || path == "/api/v1/patrols"
                || path == "/api/v1/campaigns"))
            .then(|| uuid::Uuid::now_v7().to_string());
        let client = match who {
            Anon => &self.app.anonymous,
            _ => &self.signed(who).client,
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut request = client.request(method, self.app.url(&path));
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type).body(body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
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
        // The live stream never ends: its status is the answer.
        let text = if status == 200 && path.starts_with("/api/v1/events") {
            String::new()
        } else {
            response.text().await.expect("a body")
        };
        let mut wrong = Vec::new();
        if status != expected {
            wrong.push(format!("answered {status}"));
        } else if expected >= 400 && path.starts_with("/open311/") {
            // The spec's error document, in the format the path names.
            let code = if path.contains(".json") {
                serde_json::from_str::<Value>(&text).unwrap_or_default()[0]["code"].as_u64()
            } else {
                text.split("<code>")
                    .nth(1)
                    .and_then(|t| t.split("</code>").next())
                    .and_then(|c| c.parse().ok())
            };
            if code != Some(u64::from(expected)) {
                wrong.push("not the Open311 error document".into());
            }
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

/// A date no other row uses: `serial` days after 2030-01-01.
fn future_day(serial: usize) -> String {
    (chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("a date")
        + chrono::Duration::days(i64::try_from(serial).unwrap_or(0)))
    .format("%Y-%m-%d")
    .to_string()
}
