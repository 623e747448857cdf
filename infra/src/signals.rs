//! Wake-ups: "something changed in channel X", within this process and,
//! on PostgreSQL, across every node on the database (LISTEN/NOTIFY).
//!
//! A signal carries no data and may come more than once: receivers wake up
//! and read what changed from the tables, which stay the truth. A writer
//! calls [`notify_on_commit`] inside its transaction (PostgreSQL delivers it
//! to every listener if, and only if, the transaction commits) and
//! [`Signals::raise_local`] after the commit (this process's receivers, and
//! the only wake-up SQLite has).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel::pg::PgConnection;
use diesel::sql_types::Text;
use diesel::{Connection, RunQueryDsl};
use tokio::sync::watch;

use crate::db::{Backend, Db, DbConnection, DbError};

/// New or changed incident timeline events (`incident_events`); the payload
/// is the incident id.
pub const INCIDENT_EVENTS: &str = "gridops_incident_events";
/// New rows in the notification outbox.
pub const OUTBOX: &str = "gridops_outbox";
/// This process is shutting down: long-lived responses (event streams)
/// should finish. Local only, raised once on SIGTERM/SIGINT.
pub const SHUTDOWN: &str = "gridops_shutdown";

/// How often the listener looks for notifications that have arrived.
const POLL: Duration = Duration::from_millis(50);
/// How often the listener checks its connection with a query, for a peer
/// that vanished without closing the socket.
const PING: Duration = Duration::from_secs(30);
/// Reconnection backoff after the listening connection is lost.
const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// What the listening connection calls itself in `pg_stat_activity`.
const APPLICATION_NAME: &str = "gridops-listener";

/// Cheap to clone: every clone raises and subscribes to the same channels.
///
/// PostgreSQL: one dedicated connection (not from the pool) on its own
/// thread runs `LISTEN` on each channel and looks for notifications every
/// 50 ms; when the connection drops it reconnects with backoff and then
/// raises every channel once, since notifications may have been missed.
/// SQLite: no thread, only local raises.
#[derive(Clone)]
pub struct Signals {
    shared: Arc<Shared>,
}

struct Shared {
    channels: Mutex<HashMap<String, watch::Sender<u64>>>,
    /// Read by the listener thread, which holds no other reference.
    stopped: Arc<AtomicBool>,
    listener: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Signals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signals")
            .field("stopped", &self.shared.stopped.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Signals {
    /// Signals on `channels`, listening on PostgreSQL when `db` is one.
    /// Never fails: a database that cannot be reached now is retried in the
    /// background, and local raises work meanwhile.
    pub fn start(db: &Db, channels: &[&'static str]) -> Signals {
        let signals = Signals {
            shared: Arc::new(Shared {
                channels: Mutex::new(
                    channels
                        .iter()
                        .map(|&c| (c.to_owned(), watch::channel(0).0))
                        .collect(),
                ),
                stopped: Arc::new(AtomicBool::new(false)),
                listener: Mutex::new(None),
            }),
        };
        if db.backend() == Backend::Postgresql {
            let listener = Listener {
                url: with_application_name(db.url()),
                channels: channels.to_vec(),
                signals: Arc::downgrade(&signals.shared),
                stopped: signals.shared.stopped.clone(),
            };
            let spawned = std::thread::Builder::new()
                .name("gridops-listen".into())
                .spawn(move || listener.run());
            match spawned {
                Ok(handle) => *lock(&signals.shared.listener) = Some(handle),
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the LISTEN thread; only local signals")
                }
            }
        }
        signals
    }

    /// A receiver whose value moves on at every signal of `channel`: await
    /// `changed()` to wake up. A channel not given to [`Signals::start`] is
    /// raised only locally.
    pub fn subscribe(&self, channel: &str) -> watch::Receiver<u64> {
        lock(&self.shared.channels)
            .entry(channel.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Wakes this process's receivers of `channel`: call it after a commit.
    /// Harmless on PostgreSQL, where the commit's NOTIFY wakes them too.
    pub fn raise_local(&self, channel: &str) {
        self.shared.raise(channel);
    }

    /// Ends the listener thread (within about 50 ms, without waiting for it).
    /// Receivers stay valid and local raises still wake them; only other
    /// nodes' signals stop coming. For shutdown and tests.
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::Release);
    }

    /// Whether a LISTEN thread is still running (it may be reconnecting).
    pub fn is_listening(&self) -> bool {
        lock(&self.shared.listener)
            .as_ref()
            .is_some_and(|handle| !handle.is_finished())
    }
}

impl Shared {
    fn raise(&self, channel: &str) {
        if let Some(sender) = lock(&self.channels).get(channel) {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    fn raise_all(&self) {
        for sender in lock(&self.channels).values() {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }
}

/// A poisoned lock only means a raiser panicked; the map is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Inside a write transaction: on PostgreSQL `pg_notify(channel, payload)`,
/// delivered to every listener when, and only if, the transaction commits;
/// nothing on SQLite (one process, woken by [`Signals::raise_local`]).
pub fn notify_on_commit(
    conn: &mut DbConnection,
    channel: &str,
    payload: &str,
) -> Result<(), DbError> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(channel)
            .bind::<Text, _>(payload)
            .execute(pg)?;
    }
    Ok(())
}

/// The listening connection shows up under its own name in
/// `pg_stat_activity`, apart from the pool's.
fn with_application_name(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}application_name={APPLICATION_NAME}")
}

/// The LISTEN thread's state.
struct Listener {
    url: String,
    channels: Vec<&'static str>,
    signals: Weak<Shared>,
    stopped: Arc<AtomicBool>,
}

/// Why a listening session ended.
enum Ended {
    Stopped,
    Lost(String),
}

impl Listener {
    fn run(self) {
        let mut retry = FIRST_RETRY;
        let mut failures = 0_u32;
        while !self.stopped() {
            match self.connect() {
                Ok(mut conn) => {
                    tracing::info!(channels = ?self.channels, "listening for signals");
                    retry = FIRST_RETRY;
                    failures = 0;
                    // Whatever was notified while nobody listened (before the
                    // first connection, or during a reconnection) is lost:
                    // wake everyone once so they read for themselves.
                    match self.signals.upgrade() {
                        Some(shared) => shared.raise_all(),
                        None => return,
                    }
                    match self.pump(&mut conn) {
                        Ended::Stopped => return,
                        Ended::Lost(e) => {
                            tracing::warn!(error = %e, "lost the LISTEN connection; reconnecting");
                        }
                    }
                }
                Err(e) => {
                    failures += 1;
                    // Every attempt while it stays down would flood the log.
                    if failures == 1 || failures.is_multiple_of(20) {
                        tracing::warn!(error = %e, failures, "cannot LISTEN; retrying");
                    }
                }
            }
            self.sleep(retry);
            retry = (retry * 2).min(LAST_RETRY);
        }
    }

    fn stopped(&self) -> bool {
        // Nobody left to signal counts as stopped too.
        self.stopped.load(Ordering::Acquire) || self.signals.strong_count() == 0
    }

    fn connect(&self) -> Result<PgConnection, String> {
        let mut conn = PgConnection::establish(&self.url).map_err(|e| e.to_string())?;
        for channel in &self.channels {
            let quoted = format!("\"{}\"", channel.replace('"', "\"\""));
            diesel::sql_query(format!("LISTEN {quoted}"))
                .execute(&mut conn)
                .map_err(|e| e.to_string())?;
        }
        Ok(conn)
    }

    /// Raises each notification's channel until stopped or disconnected.
    fn pump(&self, conn: &mut PgConnection) -> Ended {
        let mut last_ping = Instant::now();
        loop {
            if self.stopped() {
                return Ended::Stopped;
            }
            // Reads what the socket has (no query); `None` once drained.
            for notification in conn.notifications_iter() {
                let channel = match notification {
                    Ok(n) => n.channel,
                    Err(e) => return Ended::Lost(e.to_string()),
                };
                match self.signals.upgrade() {
                    Some(shared) => shared.raise(&channel),
                    None => return Ended::Stopped,
                }
            }
            if last_ping.elapsed() >= PING {
                if let Err(e) = diesel::sql_query("SELECT 1").execute(conn) {
                    return Ended::Lost(e.to_string());
                }
                last_ping = Instant::now();
            }
            std::thread::sleep(POLL);
        }
    }

    /// Sleeps up to `total`, waking early when stopped.
    fn sleep(&self, total: Duration) {
        let until = Instant::now() + total;
        while !self.stopped() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(POLL));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_db(dir: &tempfile::TempDir) -> Db {
        let url = dir.path().join("signals.db").display().to_string();
        Db::connect(&crate::DbSettings::new(url)).expect("a SQLite pool")
    }

    #[tokio::test]
    async fn local_raises_wake_subscribers_of_that_channel_only() {
        let dir = tempfile::tempdir().expect("a directory");
        let signals = Signals::start(&sqlite_db(&dir), &[INCIDENT_EVENTS, OUTBOX]);
        assert!(!signals.is_listening(), "no thread on SQLite");
        let mut incidents = signals.subscribe(INCIDENT_EVENTS);
        let mut outbox = signals.clone().subscribe(OUTBOX);
        signals.raise_local(INCIDENT_EVENTS);
        signals.raise_local(INCIDENT_EVENTS);
        incidents.changed().await.expect("woken");
        assert!(!incidents.has_changed().expect("open"), "raises coalesce");
        assert!(!outbox.has_changed().expect("open"));
        signals.raise_local(OUTBOX);
        outbox.changed().await.expect("woken");
    }

    #[tokio::test]
    async fn local_raises_still_wake_after_stop() {
        let dir = tempfile::tempdir().expect("a directory");
        let signals = Signals::start(&sqlite_db(&dir), &[INCIDENT_EVENTS]);
        let mut before = signals.subscribe(INCIDENT_EVENTS);
        let mut shutdown = signals.subscribe(SHUTDOWN);
        signals.stop();
        signals.raise_local(INCIDENT_EVENTS);
        before.changed().await.expect("still open");
        signals.raise_local(SHUTDOWN);
        shutdown.changed().await.expect("a local-only channel");
    }

    #[test]
    fn the_listener_names_itself() {
        assert_eq!(
            with_application_name("postgres://u@h/db"),
            "postgres://u@h/db?application_name=gridops-listener"
        );
        assert_eq!(
            with_application_name("postgres://u@h/db?sslmode=require"),
            "postgres://u@h/db?sslmode=require&application_name=gridops-listener"
        );
    }
}
