//! Prometheus metrics: HTTP requests by route and status with a latency
//! histogram (actix-web-prom), plus the database pool's occupancy (read at
//! scrape time, from memory), the outbox's depth (read by a background task
//! every [`DEPTH_EVERY`] and served from memory, so a scrape never waits on
//! the database), the pushes sent by result and the deadline warnings and
//! escalations this process made.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use gridops_infra::Db;
use gridops_infra::delivery::DeliveryStats;
use gridops_infra::escalation::EscalationStats;
use gridops_infra::repo::notifications::OutboxDepth;
use gridops_infra::repo::{notifications, now};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{Gauge, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

/// How often the outbox's depth is read. Scrapes in between see the last
/// reading, and `gridops_outbox_depth_age_seconds` says how old it is.
pub const DEPTH_EVERY: Duration = Duration::from_secs(2);
/// A reading that takes longer is given up (PostgreSQL: a lock on the
/// outbox), so it never holds a pooled connection for long.
const DEPTH_READ_LIMIT: Duration = Duration::from_secs(5);

/// Reads the pool state when scraped, so the figures are never stale.
struct PoolCollector {
    db: Db,
    gauge: IntGaugeVec,
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.gauge.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let state = self.db.pool_state();
        let in_use = state.connections.saturating_sub(state.idle);
        self.gauge
            .with_label_values(&["in_use"])
            .set(i64::from(in_use));
        self.gauge
            .with_label_values(&["idle"])
            .set(i64::from(state.idle));
        self.gauge
            .with_label_values(&["max"])
            .set(i64::from(state.max));
        self.gauge.collect()
    }
}

/// The outbox's depth as last read.
#[derive(Debug)]
struct DepthReading {
    depth: OutboxDepth,
    /// When it was read; until the first reading, when the reader started.
    at: Instant,
}

/// The outbox as the database last showed it, and this process's sends.
struct OutboxCollector {
    reading: Arc<Mutex<DepthReading>>,
    stats: Arc<DeliveryStats>,
    pending: IntGauge,
    dead: IntGauge,
    oldest_pending_age: Gauge,
    reading_age: Gauge,
    sends: IntCounterVec,
}

impl Collector for OutboxCollector {
    fn desc(&self) -> Vec<&Desc> {
        let mut all = self.pending.desc();
        all.extend(self.dead.desc());
        all.extend(self.oldest_pending_age.desc());
        all.extend(self.reading_age.desc());
        all.extend(self.sends.desc());
        all
    }

    fn collect(&self) -> Vec<MetricFamily> {
        {
            let reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
            let age = reading.at.elapsed().as_secs_f64();
            self.pending.set(reading.depth.pending);
            self.dead.set(reading.depth.dead);
            // The oldest push has aged since it was read, if it is still there.
            self.oldest_pending_age.set(if reading.depth.pending > 0 {
                reading.depth.oldest_pending_age_s + age
            } else {
                0.0
            });
            self.reading_age.set(age);
        }
        for (result, count) in [
            ("sent", &self.stats.sent),
            ("retried", &self.stats.retried),
            ("dead_lettered", &self.stats.dead_lettered),
            ("token_pruned", &self.stats.tokens_pruned),
        ] {
            let counter = self.sends.with_label_values(&[result]);
            counter.inc_by(count.load(Ordering::Relaxed).saturating_sub(counter.get()));
        }
        let mut all = self.pending.collect();
        all.extend(self.dead.collect());
        all.extend(self.oldest_pending_age.collect());
        all.extend(self.reading_age.collect());
        all.extend(self.sends.collect());
        all
    }
}

fn outbox_collector(
    db: &Db,
    stats: Arc<DeliveryStats>,
) -> Result<OutboxCollector, prometheus::Error> {
    let opts = |name: &str, help: &str| Opts::new(name, help).namespace("gridops");
    let reading = Arc::new(Mutex::new(DepthReading {
        depth: OutboxDepth::default(),
        at: Instant::now(),
    }));
    tokio::spawn(read_depth(db.clone(), Arc::downgrade(&reading)));
    Ok(OutboxCollector {
        reading,
        stats,
        pending: IntGauge::with_opts(opts("outbox_pending", "pushes waiting to be sent"))?,
        dead: IntGauge::with_opts(opts("outbox_dead_letters", "pushes given up on"))?,
        oldest_pending_age: Gauge::with_opts(opts(
            "outbox_oldest_pending_age_seconds",
            "age of the oldest push waiting to be sent",
        ))?,
        reading_age: Gauge::with_opts(opts(
            "outbox_depth_age_seconds",
            "time since the outbox figures were read from the database",
        ))?,
        sends: IntCounterVec::new(
            opts(
                "push_sends_total",
                "pushes settled by this process, by result",
            ),
            &["result"],
        )?,
    })
}

/// Reads the outbox's depth every [`DEPTH_EVERY`], one reading at a time,
/// until the collector is gone. A failed reading keeps the last one (its
/// age grows on `/metrics`).
async fn read_depth(db: Db, reading: Weak<Mutex<DepthReading>>) {
    let mut every = tokio::time::interval(DEPTH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if reading.strong_count() == 0 {
            return;
        }
        let depth = db
            .run(|conn| notifications::depth_within(conn, now(), DEPTH_READ_LIMIT))
            .await;
        let Some(reading) = reading.upgrade() else {
            return;
        };
        match depth {
            Ok(depth) => {
                *reading.lock().unwrap_or_else(PoisonError::into_inner) = DepthReading {
                    depth,
                    at: Instant::now(),
                };
            }
            Err(e) => tracing::warn!(error = %e, "outbox depth unavailable for /metrics"),
        }
    }
}

/// This process's escalation sweeps, by what they did.
struct EscalationCollector {
    stats: Arc<EscalationStats>,
    outcomes: IntCounterVec,
}

impl Collector for EscalationCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.outcomes.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        for (outcome, count) in [
            ("warned", &self.stats.warned),
            ("escalated", &self.stats.escalated),
            ("sweep_failed", &self.stats.failed_sweeps),
        ] {
            let counter = self.outcomes.with_label_values(&[outcome]);
            counter.inc_by(count.load(Ordering::Relaxed).saturating_sub(counter.get()));
        }
        self.outcomes.collect()
    }
}

pub fn build(
    db: &Db,
    stats: Arc<DeliveryStats>,
    escalation: Arc<EscalationStats>,
) -> Result<PrometheusMetrics, String> {
    let registry = Registry::new();
    let gauge = IntGaugeVec::new(
        Opts::new("db_pool_connections", "database pool connections by state").namespace("gridops"),
        &["state"],
    )
    .map_err(|e| e.to_string())?;
    registry
        .register(Box::new(PoolCollector {
            db: db.clone(),
            gauge,
        }))
        .map_err(|e| e.to_string())?;
    registry
        .register(Box::new(
            outbox_collector(db, stats).map_err(|e| e.to_string())?,
        ))
        .map_err(|e| e.to_string())?;
    let outcomes = IntCounterVec::new(
        Opts::new(
            "deadline_escalations_total",
            "deadline warnings and escalations by this process, and failed sweeps",
        )
        .namespace("gridops"),
        &["outcome"],
    )
    .map_err(|e| e.to_string())?;
    registry
        .register(Box::new(EscalationCollector {
            stats: escalation,
            outcomes,
        }))
        .map_err(|e| e.to_string())?;
    PrometheusMetricsBuilder::new("gridops")
        .registry(registry)
        .endpoint("/metrics")
        // Unknown paths share one label, so scanners cannot blow up the series count.
        .mask_unmatched_patterns("unmatched")
        .build()
        .map_err(|e| e.to_string())
}
