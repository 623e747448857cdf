//! Prometheus metrics: HTTP requests by route and status with a latency
//! histogram (actix-web-prom), plus, read at scrape time, the database
//! pool's occupancy, the outbox's depth, the pushes sent by result and the
//! deadline warnings and escalations this process made.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use gridops_infra::Db;
use gridops_infra::delivery::DeliveryStats;
use gridops_infra::escalation::EscalationStats;
use gridops_infra::repo::{notifications, now};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{Gauge, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

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

/// The outbox as the database holds it, and this process's sends.
struct OutboxCollector {
    db: Db,
    stats: Arc<DeliveryStats>,
    pending: IntGauge,
    dead: IntGauge,
    oldest_pending_age: Gauge,
    sends: IntCounterVec,
}

impl Collector for OutboxCollector {
    fn desc(&self) -> Vec<&Desc> {
        let mut all = self.pending.desc();
        all.extend(self.dead.desc());
        all.extend(self.oldest_pending_age.desc());
        all.extend(self.sends.desc());
        all
    }

    fn collect(&self) -> Vec<MetricFamily> {
        match self
            .db
            .read_blocking(|conn| notifications::depth(conn, now()))
        {
            Ok(depth) => {
                self.pending.set(depth.pending);
                self.dead.set(depth.dead);
                self.oldest_pending_age.set(depth.oldest_pending_age_s);
            }
            Err(e) => tracing::warn!(error = %e, "outbox depth unavailable for /metrics"),
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
        all.extend(self.sends.collect());
        all
    }
}

fn outbox_collector(
    db: &Db,
    stats: Arc<DeliveryStats>,
) -> Result<OutboxCollector, prometheus::Error> {
    let opts = |name: &str, help: &str| Opts::new(name, help).namespace("gridops");
    Ok(OutboxCollector {
        db: db.clone(),
        stats,
        pending: IntGauge::with_opts(opts("outbox_pending", "pushes waiting to be sent"))?,
        dead: IntGauge::with_opts(opts("outbox_dead_letters", "pushes given up on"))?,
        oldest_pending_age: Gauge::with_opts(opts(
            "outbox_oldest_pending_age_seconds",
            "age of the oldest push waiting to be sent",
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
