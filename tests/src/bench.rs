//! What the benchmark binaries share: latency quantiles as they print them,
//! and the rows they preload straight into the database (accounts and their
//! roles), so that a bench measures what it names and not sign-up.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_infra::schema::{role_assignments, users};

/// The `q` quantile of latencies sorted ascending (nearest rank); zero
/// for none.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// `12.3 ms`.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// An account row as a bench preloads it.
#[derive(Debug, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub locale: &'static str,
    pub password_hash: &'static str,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A role grant row as a bench preloads it.
#[derive(Debug, Insertable)]
#[diesel(table_name = role_assignments, treat_none_as_default_value = false)]
pub struct NewGrant {
    pub id: String,
    pub user_id: String,
    pub role: &'static str,
    pub area_code: Option<String>,
    pub party_code: Option<&'static str>,
    pub created_at: NaiveDateTime,
}
