//! The track retention job: movement tracks are sensitive personal data
//! (PIPL art. 28), so the raw points of a patrol are deleted once it ended
//! longer ago than `--track-retention-days`. Its counts and covered cells
//! stay. Any number of processes may run it: a patrol is purged once.

use gridops_infra::Db;
use gridops_infra::workflow::patrol::delete_old_tracks;
use tokio::task::JoinHandle;

use crate::settings::PatrolSettings;

/// Patrols purged per write transaction: short turns for other writers.
const BATCH: usize = 50;

/// The running job.
#[derive(Debug)]
pub struct TrackRetention {
    task: JoinHandle<()>,
}

impl TrackRetention {
    /// Purges now and every `settings.purge_interval`.
    pub fn start(db: &Db, settings: &PatrolSettings) -> TrackRetention {
        let (db, retention, interval) = (db.clone(), settings.retention, settings.purge_interval);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                loop {
                    let purged = db
                        .write(move |conn| delete_old_tracks(conn, retention, BATCH))
                        .await;
                    match purged {
                        Ok(n) if n > 0 => tracing::info!(patrols = n, "old tracks deleted"),
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "track retention failed; next round retries");
                            break;
                        }
                    }
                }
            }
        });
        TrackRetention { task }
    }

    /// Stops between purges; a purge is one transaction, so stopping in
    /// the middle of one rolls nothing half-way.
    pub fn stop(self) {
        self.task.abort();
    }
}
