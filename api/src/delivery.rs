//! Starting and stopping the push delivery workers, for `serve` and for
//! `gridops worker`.

use std::sync::Arc;

use gridops_infra::Db;
use gridops_infra::delivery::{DeliveryStats, DeliveryWorker};
use gridops_infra::push::{FcmSender, LogSender, PushSender};
use gridops_infra::signals::Signals;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::settings::PushSettings;

/// Pushes the log sender keeps for a look at the demo.
const LOGGED_PUSHES: usize = 1000;

/// The adapter the settings ask for: FCM with a service account, else the log.
pub fn sender(settings: &PushSettings) -> Result<PushSender, String> {
    match &settings.fcm_service_account {
        Some(path) => FcmSender::from_service_account_file(
            path,
            settings.fcm_endpoint.as_deref(),
            settings.max_in_flight,
        )
        .map(PushSender::Fcm)
        .map_err(|e| format!("FCM service account: {e}")),
        None => Ok(PushSender::Log(LogSender::new(LOGGED_PUSHES))),
    }
}

/// Running delivery workers.
#[derive(Debug)]
pub struct Delivery {
    pub stats: Arc<DeliveryStats>,
    pub sender: Arc<PushSender>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Delivery {
    /// Starts `settings.workers` workers (none is fine: another process delivers).
    pub fn start(db: &Db, signals: &Signals, settings: &PushSettings) -> Result<Delivery, String> {
        let sender = Arc::new(sender(settings)?);
        let stats = Arc::new(DeliveryStats::default());
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..settings.workers)
            .map(|_| {
                let worker = DeliveryWorker::new(
                    db.clone(),
                    sender.clone(),
                    signals.clone(),
                    settings.delivery.clone(),
                    stats.clone(),
                );
                tokio::spawn(worker.run(stopped.clone()))
            })
            .collect();
        if settings.workers > 0 {
            tracing::info!(
                workers = settings.workers,
                sender = sender.name(),
                "push delivery started"
            );
        }
        Ok(Delivery {
            stats,
            sender,
            stop,
            tasks,
        })
    }

    /// Lets each worker finish the batch in hand, then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
