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
use tokio::task::{JoinError, JoinSet};
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
    /// How long a claim holds before another worker may take the push. A
    /// worker renews it every third of this while a batch is still sending.
    pub lease: TimeDelta,
    /// How often to look for due pushes when nothing wakes the worker (a
    /// retry coming due, another process on SQLite).
    pub poll: Duration,
    pub retry: RetryPolicy,
    /// Batches a worker has out at once: the next is claimed and sending
    /// while the last one's outcomes are being recorded.
    pub batches_in_flight: usize,
    /// The longest a worker stops claiming after batches of which nothing
    /// got through (the provider down or refusing everything). The pause
    /// starts at the retry policy's base and doubles up to this.
    pub outage_pause_cap: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            batch: 200,
            lease: TimeDelta::seconds(60),
            poll: Duration::from_secs(1),
            retry: RetryPolicy::default(),
            batches_in_flight: 3,
            outage_pause_cap: Duration::from_secs(10),
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

/// How one batch ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
}

impl BatchReport {
    /// Nothing got through and nothing was refused for good: every push is
    /// to be tried again, which is what an unreachable provider looks like.
    fn nothing_got_through(&self) -> bool {
        self.claimed > 0 && self.retried == self.claimed
    }
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

    /// Delivers until `stop` turns true, then lets the batches in hand
    /// finish. Claims batch after batch while there is work (up to
    /// `batches_in_flight` at once), then waits for a signal (a commit that
    /// wrote pushes), a batch ending, or the poll. After a batch of which
    /// nothing got through it pauses, doubling the pause while that goes on,
    /// so an outage of the provider costs a batch of attempts per pause
    /// rather than a busy loop through the whole backlog.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut wake = self.signals.subscribe(OUTBOX);
        let mut batches: JoinSet<Result<BatchReport, DbError>> = JoinSet::new();
        // Pausing longer than a failed push waits for its own retry would only
        // delay the recovery.
        let cap = (self.settings.retry.cap.to_std().unwrap_or_default())
            .min(self.settings.outage_pause_cap);
        let mut outage = Outage::new(self.settings.retry.base.to_std().unwrap_or_default(), cap);
        let in_flight = self.settings.batches_in_flight.max(1);
        loop {
            while let Some(done) = batches.try_join_next() {
                outage.after(done);
            }
            if *stop.borrow() {
                break;
            }
            let paused = outage.paused();
            if !paused && batches.len() < in_flight {
                match self.claim().await {
                    Ok(claimed) if !claimed.is_empty() => {
                        batches.spawn(self.clone().send_and_settle(claimed));
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "claiming pushes failed; retrying"),
                }
            }
            let until = outage
                .resume_at()
                .unwrap_or_else(|| tokio::time::Instant::now() + self.settings.poll);
            tokio::select! {
                // A dropped stop switch can never be thrown: stop now, or
                // `changed()` would return at once forever and spin.
                changed = stop.changed() => if changed.is_err() { break },
                _ = wake.changed(), if !paused => {}
                Some(done) = batches.join_next(), if !batches.is_empty() => outage.after(done),
                () = tokio::time::sleep_until(until) => {}
            }
        }
        while let Some(done) = batches.join_next().await {
            outage.after(done);
        }
    }

    /// Claims one batch, sends every push in it, and settles them all in one
    /// transaction. Returns how many were claimed.
    pub async fn deliver_batch(&self) -> Result<usize, DbError> {
        let claimed = self.claim().await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        Ok(self.clone().send_and_settle(claimed).await?.claimed)
    }

    async fn claim(&self) -> Result<Vec<Claimed>, DbError> {
        let (owner, lease, batch) = (self.owner.clone(), self.settings.lease, self.settings.batch);
        self.db
            .write(move |conn| repo::claim(conn, &owner, now(), lease, batch))
            .await
    }

    /// Sends a claimed batch, renewing its lease while sending outlasts a
    /// third of it, and records every outcome in one transaction.
    async fn send_and_settle(self, claimed: Vec<Claimed>) -> Result<BatchReport, DbError> {
        let count = claimed.len();
        let ids: Vec<String> = claimed.iter().map(|p| p.id.clone()).collect();
        let renewing = tokio::spawn(self.clone().keep_leased(ids));
        let sent = self.send_all(claimed).await;
        renewing.abort();
        let (settled, gone) = sent?;
        let mut report = BatchReport {
            claimed: count,
            ..BatchReport::default()
        };
        for (_, outcome) in &settled {
            let (counter, stat) = match outcome {
                Settlement::Sent => (&mut report.sent, &self.stats.sent),
                Settlement::RetryAt(..) => (&mut report.retried, &self.stats.retried),
                Settlement::Dead(_) => (&mut report.dead, &self.stats.dead_lettered),
            };
            *counter += 1;
            stat.fetch_add(1, Ordering::Relaxed);
        }
        self.stats
            .tokens_pruned
            .fetch_add(gone.len() as u64, Ordering::Relaxed);
        let owner = self.owner.clone();
        let outcomes = settled.len();
        let recorded = self
            .db
            .write(move |conn| {
                repo::forget_tokens(conn, &gone)?;
                repo::settle_batch(conn, &owner, &settled, now())
            })
            .await?;
        if recorded < outcomes {
            tracing::info!(
                lapsed = outcomes - recorded,
                "leases lapsed before the pushes were settled; other workers have them"
            );
        }
        Ok(report)
    }

    /// Renews the lease on `ids` every third of it, until aborted when the
    /// batch is settled. A renewal that comes too late (the worker stalled)
    /// finds the rows gone to another worker and says so.
    async fn keep_leased(self, ids: Vec<String>) {
        let lease = self.settings.lease;
        let every = (lease / 3).to_std().unwrap_or(Duration::from_secs(1));
        let every = every.max(Duration::from_millis(10));
        let ids = Arc::new(ids);
        loop {
            tokio::time::sleep(every).await;
            let (owner, held) = (self.owner.clone(), ids.clone());
            match self
                .db
                .write(move |conn| repo::renew_lease(conn, &owner, &held, now() + lease))
                .await
            {
                Ok(renewed) if renewed < ids.len() => tracing::warn!(
                    lost = ids.len() - renewed,
                    "some leases lapsed while their batch was sending"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "renewing the lease of a batch failed"),
            }
        }
    }

    /// Sends every push of a batch to its recipient's phones: each push's
    /// outcome, and the tokens the provider no longer knows.
    async fn send_all(
        &self,
        claimed: Vec<Claimed>,
    ) -> Result<(Vec<(String, Settlement)>, Vec<String>), DbError> {
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
        let mut settled = Vec::with_capacity(sends.len());
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
        Ok((settled, gone))
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

/// A worker's pause after batches of which nothing got through.
#[derive(Debug)]
struct Outage {
    base: Duration,
    cap: Duration,
    /// Such batches in a row.
    streak: u32,
    resume_at: Option<tokio::time::Instant>,
}

impl Outage {
    fn new(base: Duration, cap: Duration) -> Outage {
        Outage {
            base: base.max(Duration::from_millis(10)),
            cap,
            streak: 0,
            resume_at: None,
        }
    }

    /// Takes in how a batch ended.
    fn after(&mut self, done: Result<Result<BatchReport, DbError>, JoinError>) {
        match done {
            Ok(Ok(report)) if report.nothing_got_through() => {
                self.streak = self.streak.saturating_add(1);
                let pause = self
                    .base
                    .saturating_mul(2_u32.saturating_pow(self.streak.min(20) - 1))
                    .min(self.cap);
                if self.streak == 1 {
                    tracing::warn!(?pause, "no push of a batch got through; pausing delivery");
                }
                self.resume_at = Some(tokio::time::Instant::now() + pause);
            }
            Ok(Ok(report)) if report.claimed > 0 => {
                if self.streak > 0 {
                    tracing::info!(
                        failed_batches = self.streak,
                        "pushes get through again; delivery resumes"
                    );
                }
                self.streak = 0;
                self.resume_at = None;
            }
            Ok(Ok(_)) => {}
            // Its pushes stay claimed until their leases lapse, then go again.
            Ok(Err(e)) => tracing::warn!(error = %e, "recording a batch of pushes failed"),
            Err(e) => tracing::error!(error = %e, "a batch of pushes panicked"),
        }
    }

    fn paused(&self) -> bool {
        self.resume_at().is_some()
    }

    fn resume_at(&self) -> Option<tokio::time::Instant> {
        self.resume_at
            .filter(|at| tokio::time::Instant::now() < *at)
    }
}
