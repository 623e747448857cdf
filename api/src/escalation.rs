//! The escalation worker, for `serve` and for `gridops worker`: sweeps the
//! deadline clocks every interval with the real clock, then reminds the
//! dispatchers of the problem ledger's review dates come. Any number of
//! processes may run it at once; the sweep acts on each clock once, and a
//! review date is reminded of once.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use gridops_infra::Db;
use gridops_infra::escalation::{EscalationStats, run_once};
use gridops_infra::ledger_reminders;
use gridops_infra::repo::now;
use gridops_infra::signals::{INCIDENT_EVENTS, OUTBOX, Signals};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::settings::EscalationSettings;

/// The running worker.
#[derive(Debug)]
pub struct Escalation {
    pub stats: Arc<EscalationStats>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Escalation {
    /// Starts sweeping now and every `settings.interval`; a zero interval
    /// runs no worker in this process (another one sweeps).
    pub fn start(db: &Db, signals: &Signals, settings: &EscalationSettings) -> Escalation {
        let stats = Arc::new(EscalationStats::default());
        let (stop, stopped) = watch::channel(false);
        let task = (!settings.interval.is_zero()).then(|| {
            tracing::info!(
                interval_s = settings.interval.as_secs_f64(),
                "escalation worker started"
            );
            tokio::spawn(sweep_until_stopped(
                db.clone(),
                signals.clone(),
                settings.clone(),
                stats.clone(),
                stopped,
            ))
        });
        Escalation { stats, stop, task }
    }

    /// Lets a sweep in progress finish, then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task {
            let _ = task.await;
        }
    }
}

async fn sweep_until_stopped(
    db: Db,
    signals: Signals,
    settings: EscalationSettings,
    stats: Arc<EscalationStats>,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(settings.interval);
    // After a long stall (a suspended VM) one sweep catches up on everything.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // A dropped stop switch can never be thrown: stop now.
            changed = stop.changed() => if changed.is_err() || *stop.borrow() { return },
            _ = ticks.tick() => {}
        }
        let (pool, batch) = (db.clone(), settings.batch);
        let swept = tokio::task::spawn_blocking(move || run_once(&pool, now(), batch)).await;
        match swept {
            Ok(Ok(sweep)) if !sweep.is_empty() => {
                signals.raise_local(OUTBOX);
                signals.raise_local(INCIDENT_EVENTS);
                stats
                    .warned
                    .fetch_add(sweep.warned as u64, Ordering::Relaxed);
                stats
                    .escalated
                    .fetch_add(sweep.escalated as u64, Ordering::Relaxed);
                tracing::info!(
                    warned = sweep.warned,
                    escalated = sweep.escalated,
                    "deadlines swept"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                stats.failed_sweeps.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "escalation sweep failed; retrying next interval");
            }
            Err(e) => {
                stats.failed_sweeps.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, "escalation sweep panicked");
            }
        }
        remind_of_ledger_reviews(&db, &signals, settings.batch).await;
    }
}

/// The problem ledger's review dates come by the real clock: one reminder
/// per date to the dispatchers covering each case.
async fn remind_of_ledger_reviews(db: &Db, signals: &Signals, batch: usize) {
    let db = db.clone();
    let reminded =
        tokio::task::spawn_blocking(move || ledger_reminders::run_once(&db, now(), batch)).await;
    match reminded {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => {
            signals.raise_local(OUTBOX);
            signals.raise_local(INCIDENT_EVENTS);
            tracing::info!(reminded = n, "ledger reviews reminded");
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "ledger reminders failed; retrying next interval"),
        Err(e) => tracing::error!(error = %e, "ledger reminders panicked"),
    }
}
