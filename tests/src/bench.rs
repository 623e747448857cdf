//! What the benchmark binaries share: latency quantiles as they print them,
//! and the rows they preload straight into the database (accounts and their
//! roles), so that a bench measures what it names and not sign-up.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_infra::schema::{devices, role_assignments, users};

use crate::fake_fcm::{Delivery, FakeFcm};

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

/// A phone row as a bench preloads it.
#[derive(Debug, Insertable)]
#[diesel(table_name = devices, treat_none_as_default_value = false)]
pub struct NewDevice {
    pub id: String,
    pub user_id: String,
    pub token: String,
    pub platform: &'static str,
    pub locale: &'static str,
    pub app_version: Option<&'static str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Waits until the fake has accepted `n` pushes (the cheap count of its
/// requests first), printing progress every tenth; an error after
/// `timeout` from `committed`.
pub async fn await_deliveries(
    fcm: &FakeFcm,
    n: usize,
    committed: Instant,
    timeout: Duration,
) -> Result<Vec<Delivery>, String> {
    let deadline = committed + timeout;
    let mut reported = 0;
    loop {
        let requests = fcm.requests_at().len();
        if requests >= n {
            let deliveries = fcm.deliveries();
            if deliveries.len() >= n {
                return Ok(deliveries);
            }
        }
        if Instant::now() > deadline {
            return Err(format!(
                "after {} s the fake has seen {requests} requests, {} accepted",
                timeout.as_secs(),
                fcm.deliveries().len()
            ));
        }
        if requests >= reported + n / 10 {
            reported = requests;
            println!(
                "  {requests} requests at {:.1} s",
                committed.elapsed().as_secs_f64()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the accepted pushes say: how many distinct message ids, and each
/// one's time from `committed`, sorted.
pub fn delivered(deliveries: &[Delivery], committed: Instant) -> (usize, Vec<Duration>) {
    let ids: HashSet<&str> = deliveries
        .iter()
        .filter_map(|d| d.message["data"]["message_id"].as_str())
        .collect();
    let mut latencies: Vec<Duration> = deliveries
        .iter()
        .map(|d| d.at.saturating_duration_since(committed))
        .collect();
    latencies.sort_unstable();
    (ids.len(), latencies)
}
