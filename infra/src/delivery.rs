//! The outbox delivery worker: claims due pushes, sends them to every phone
//! of their recipient, and records how each ended. At least once: a push is
//! marked sent only after the provider accepted it, so a crash in between
//! sends it again, with the same message id for the phone to drop.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::TimeDelta;
use gridops_domain::notification::push::settle;
use gridops_domain::notification::retry::RetryPolicy;
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::db::{Db, DbError};
use crate::push::{Platform, PushMessage, PushOutcome, PushSender, Settlement};
use crate::repo::notifications::{self as repo, Claimed, DeviceRow};
use crate::repo::now;
use crate::signals::{OUTBOX, Signals};

#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Pushes claimed at once.
    pub batch: i64,
    /// How long a claim holds before another worker may take the push.
    pub lease: TimeDelta,
    /// How often to look for due pushes when nothing wakes the worker (a
    /// retry coming due, another process on SQLite).
    pub poll: Duration,
    pub retry: RetryPolicy,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            batch: 200,
            lease: TimeDelta::seconds(60),
            poll: Duration::from_secs(1),
            retry: RetryPolicy::default(),
        }
    }
}

/// Sends by result since start, for `/metrics`.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    pub sent: AtomicU64,
    pub retried: AtomicU64,
    pub dead_lettered: AtomicU64,
    /// Device tokens dropped because the provider no longer knows them.
    pub tokens_pruned: AtomicU64,
}

#[derive(Debug, Clone)]
pub struct DeliveryWorker {
    db: Db,
    sender: Arc<PushSender>,
    signals: Signals,
    settings: DeliverySettings,
    stats: Arc<DeliveryStats>,
    /// This worker's name on its leases.
    owner: String,
}

impl DeliveryWorker {
    pub fn new(
        db: Db,
        sender: Arc<PushSender>,
        signals: Signals,
        settings: DeliverySettings,
        stats: Arc<DeliveryStats>,
    ) -> Self {
        DeliveryWorker {
            db,
            sender,
            signals,
            settings,
            stats,
            owner: Uuid::now_v7().to_string(),
        }
    }

    /// Delivers until `stop` turns true: a batch at a time while there is
    /// work, then waits for a signal (a commit that wrote pushes) or the poll.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut wake = self.signals.subscribe(OUTBOX);
        loop {
            if *stop.borrow() {
                return;
            }
            match self.deliver_batch().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox delivery failed; retrying"),
            }
            tokio::select! {
                // A dropped stop switch can never be thrown: stop now, or
                // `changed()` would return at once forever and spin.
                changed = stop.changed() => if changed.is_err() { return },
                _ = wake.changed() => {}
                () = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    /// Claims one batch, sends every push in it, and settles them all in one
    /// transaction. Returns how many were claimed.
    pub async fn deliver_batch(&self) -> Result<usize, DbError> {
        let (owner, lease, batch) = (self.owner.clone(), self.settings.lease, self.settings.batch);
        let claimed = self
            .db
            .write(move |conn| repo::claim(conn, &owner, now(), lease, batch))
            .await?;
        let count = claimed.len();
        if count == 0 {
            return Ok(0);
        }
        // One read for the phones of the whole batch, not one per push.
        let users: Vec<String> = claimed.iter().map(|p| p.user_id.clone()).collect();
        let mut phones: HashMap<String, Vec<DeviceRow>> = HashMap::new();
        for device in self
            .db
            .run(move |conn| repo::devices_of_users(conn, &users))
            .await?
        {
            phones
                .entry(device.user_id.clone())
                .or_default()
                .push(device);
        }
        let mut sends = JoinSet::new();
        for push in claimed {
            let worker = self.clone();
            let devices = phones.get(&push.user_id).cloned().unwrap_or_default();
            sends.spawn(async move { worker.deliver(push, devices).await });
        }
        let mut settled = Vec::with_capacity(count);
        let mut gone = Vec::new();
        while let Some(done) = sends.join_next().await {
            match done {
                Ok((id, outcome, tokens_gone)) => {
                    settled.push((id, outcome));
                    gone.extend(tokens_gone);
                }
                // The push stays claimed; its lease lapses and it is sent again.
                Err(e) => tracing::error!(error = %e, "a push task panicked"),
            }
        }
        for (_, outcome) in &settled {
            match outcome {
                Settlement::Sent => &self.stats.sent,
                Settlement::RetryAt(..) => &self.stats.retried,
                Settlement::Dead(_) => &self.stats.dead_lettered,
            }
            .fetch_add(1, Ordering::Relaxed);
        }
        self.stats
            .tokens_pruned
            .fetch_add(gone.len() as u64, Ordering::Relaxed);
        let owner = self.owner.clone();
        let lapsed = self
            .db
            .write(move |conn| {
                for token in &gone {
                    repo::forget_token(conn, token)?;
                }
                let at = now();
                let mut lapsed = 0;
                for (id, outcome) in &settled {
                    if !repo::settle(conn, id, &owner, outcome, at)? {
                        lapsed += 1;
                    }
                }
                Ok(lapsed)
            })
            .await?;
        if lapsed > 0 {
            tracing::info!(
                lapsed,
                "leases lapsed before the pushes were settled; other workers have them"
            );
        }
        Ok(count)
    }

    /// Sends one push to every phone of its recipient: the push's id, how it
    /// ended, and the tokens the provider no longer knows.
    async fn deliver(
        &self,
        push: Claimed,
        devices: Vec<DeviceRow>,
    ) -> (String, Settlement, Vec<String>) {
        let mut data = BTreeMap::from([("topic".to_owned(), push.topic.clone())]);
        if let Some(id) = &push.incident_id {
            data.insert("incident_id".into(), id.clone());
        }
        if let Some(id) = &push.notice_id {
            data.insert("notice_id".into(), id.clone());
        }
        if let Some(id) = &push.check_task_id {
            data.insert("check_task_id".into(), id.clone());
        }
        let mut sends = JoinSet::new();
        for device in devices {
            let message = PushMessage {
                message_id: push.id.clone(),
                token: device.token,
                platform: Platform::parse(&device.platform).unwrap_or(Platform::Android),
                title: push.title.clone(),
                body: push.body.clone(),
                data: data.clone(),
            };
            let sender = self.sender.clone();
            sends.spawn(async move {
                let outcome = sender.send(&message).await;
                (message.token, outcome)
            });
        }
        let mut outcomes = Vec::new();
        let mut gone = Vec::new();
        while let Some(done) = sends.join_next().await {
            match done {
                Ok((token, PushOutcome::TokenGone)) => {
                    gone.push(token);
                    outcomes.push(PushOutcome::TokenGone);
                }
                Ok((_, outcome)) => outcomes.push(outcome),
                Err(e) => outcomes.push(PushOutcome::Retry {
                    after: None,
                    reason: format!("send task failed: {e}"),
                }),
            }
        }
        let outcome = self.settle_on(&push, outcomes);
        if let Settlement::Dead(reason) = &outcome {
            tracing::warn!(message_id = %push.id, %reason, "push dead-lettered");
        }
        (push.id, outcome, gone)
    }

    /// How a push to its recipient's phones ends: the domain's rule, on this
    /// try, now, with a fresh jitter.
    fn settle_on(&self, push: &Claimed, outcomes: Vec<PushOutcome>) -> Settlement {
        let attempts = u32::try_from(push.attempts).unwrap_or(0) + 1;
        settle(outcomes, attempts, &self.settings.retry, jitter(), now())
    }
}

/// A random number in [0, 1) for the backoff.
fn jitter() -> f64 {
    let mut bytes = [0_u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}
