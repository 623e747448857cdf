//! The outbox delivery worker: claims due pushes, sends them to every phone
//! of their recipient, and records how each ended. At least once: a push is
//! marked sent only after the provider accepted it, so a crash in between
//! sends it again, with the same message id for the phone to drop.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::TimeDelta;
use gridops_domain::notification::retry::{Next, RetryPolicy, after_failure};
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::db::{Db, DbError};
use crate::push::{Platform, PushMessage, PushOutcome, PushSender};
use crate::repo::notifications::{self as repo, Claimed, Outcome};
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

    /// Claims one batch and settles every push in it. Returns how many were claimed.
    pub async fn deliver_batch(&self) -> Result<usize, DbError> {
        let (owner, lease, batch) = (self.owner.clone(), self.settings.lease, self.settings.batch);
        let claimed = self
            .db
            .write(move |conn| repo::claim(conn, &owner, now(), lease, batch))
            .await?;
        let count = claimed.len();
        let mut sends = JoinSet::new();
        for push in claimed {
            let worker = self.clone();
            sends.spawn(async move { worker.deliver(push).await });
        }
        while let Some(done) = sends.join_next().await {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "could not settle a push"),
                Err(e) => tracing::error!(error = %e, "a push task panicked"),
            }
        }
        Ok(count)
    }

    async fn deliver(&self, push: Claimed) -> Result<(), DbError> {
        let user = push.user_id.clone();
        let devices = self
            .db
            .run(move |conn| repo::devices_of(conn, &user))
            .await?;
        let mut data = BTreeMap::from([("topic".to_owned(), push.topic.clone())]);
        if let Some(id) = &push.incident_id {
            data.insert("incident_id".into(), id.clone());
        }
        if let Some(id) = &push.notice_id {
            data.insert("notice_id".into(), id.clone());
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
        while let Some(done) = sends.join_next().await {
            match done {
                Ok(pair) => outcomes.push(pair),
                Err(e) => outcomes.push((
                    String::new(),
                    PushOutcome::Retry {
                        after: None,
                        reason: format!("send task failed: {e}"),
                    },
                )),
            }
        }
        for (token, outcome) in &outcomes {
            if *outcome == PushOutcome::TokenGone {
                let token = token.clone();
                self.db
                    .write(move |conn| repo::forget_token(conn, &token))
                    .await?;
                self.stats.tokens_pruned.fetch_add(1, Ordering::Relaxed);
            }
        }
        let outcome = self.settle_on(&push, outcomes.into_iter().map(|(_, o)| o).collect());
        match &outcome {
            Outcome::Sent => &self.stats.sent,
            Outcome::RetryAt(..) => &self.stats.retried,
            Outcome::Dead(reason) => {
                tracing::warn!(message_id = %push.id, %reason, "push dead-lettered");
                &self.stats.dead_lettered
            }
        }
        .fetch_add(1, Ordering::Relaxed);
        let (id, owner) = (push.id.clone(), self.owner.clone());
        let settled = self
            .db
            .write(move |conn| repo::settle(conn, &id, &owner, &outcome, now()))
            .await?;
        if !settled {
            tracing::info!(message_id = %push.id, "lease lapsed before the push was settled; another worker has it");
        }
        Ok(())
    }

    /// One push to several phones: sent when a phone got it (or none is left
    /// to reach), retried when any failed for a passing reason, dead when
    /// every phone refused it for good.
    fn settle_on(&self, push: &Claimed, outcomes: Vec<PushOutcome>) -> Outcome {
        let attempts = u32::try_from(push.attempts).unwrap_or(0) + 1;
        let mut retry: Option<(Option<Duration>, String)> = None;
        let (mut delivered, mut rejected) = (false, None);
        for outcome in outcomes {
            match outcome {
                PushOutcome::Delivered { .. } => delivered = true,
                PushOutcome::TokenGone => {}
                PushOutcome::Rejected { reason } => rejected = Some(reason),
                PushOutcome::Retry { after, reason } => {
                    let longest = match &retry {
                        Some((Some(before), _)) => after.max(Some(*before)),
                        _ => after,
                    };
                    retry = Some((longest, reason));
                }
            }
        }
        if let Some((after, reason)) = retry {
            let after = after.and_then(|d| TimeDelta::from_std(d).ok());
            return match after_failure(&self.settings.retry, attempts, after, jitter(), now()) {
                Next::RetryAt(at) => Outcome::RetryAt(at, reason),
                Next::DeadLetter => {
                    Outcome::Dead(format!("gave up after {attempts} attempts: {reason}"))
                }
            };
        }
        match (delivered, rejected) {
            (false, Some(reason)) => Outcome::Dead(reason),
            _ => Outcome::Sent,
        }
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
