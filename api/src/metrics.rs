//! Prometheus metrics: HTTP requests by route and status with a latency
//! histogram (actix-web-prom), plus the database pool's occupancy read at
//! scrape time.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use gridops_infra::Db;
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntGaugeVec, Opts, Registry};

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

pub fn build(db: &Db) -> Result<PrometheusMetrics, String> {
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
    PrometheusMetricsBuilder::new("gridops")
        .registry(registry)
        .endpoint("/metrics")
        // Unknown paths share one label, so scanners cannot blow up the series count.
        .mask_unmatched_patterns("unmatched")
        .build()
        .map_err(|e| e.to_string())
}
