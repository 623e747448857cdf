//! Connections, the pool and migrations.

mod error;
mod migrate;

pub use error::DbError;
pub use migrate::{migration_names, pending_migrations, run_migrations};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{
    self, CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection,
};
use diesel::sqlite::SqliteConnection;

/// One connection to whichever database the URL names. PostgreSQL comes first:
/// SQLite would accept any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgresql,
    Sqlite,
}

impl Backend {
    /// `postgres://` / `postgresql://` is PostgreSQL; anything else is a SQLite
    /// file, with or without a `sqlite:` / `sqlite://` prefix.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgresql
        } else {
            Backend::Sqlite
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgresql => "postgresql",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The path SQLite is given for a `sqlite:` URL or a bare path.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

#[derive(Debug, Clone)]
pub struct DbSettings {
    pub url: String,
    pub pool_size: u32,
    /// How long a request waits for a free connection before the database
    /// counts as unavailable (503).
    pub connect_timeout: Duration,
    /// How long a SQLite writer waits for another process's write to finish.
    pub sqlite_busy_timeout: Duration,
}

impl DbSettings {
    pub fn new(url: impl Into<String>) -> Self {
        DbSettings {
            url: url.into(),
            pool_size: 10,
            connect_timeout: Duration::from_secs(5),
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    /// Whether the last attempt to open a connection failed.
    refused: Arc<AtomicBool>,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let connected = match self.backend {
            Backend::Postgresql => PgConnection::establish(&self.url).map(DbConnection::Postgresql),
            Backend::Sqlite => {
                SqliteConnection::establish(sqlite_path(&self.url)).map(DbConnection::Sqlite)
            }
        };
        self.refused.store(connected.is_err(), Ordering::Relaxed);
        connected.map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Per-connection settings SQLite does not keep in the file.
#[derive(Debug)]
struct SqlitePragmas {
    busy_timeout_ms: u128,
}

impl CustomizeConnection<DbConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        if let DbConnection::Sqlite(conn) = conn {
            // busy_timeout first: switching a new file to WAL needs the lock
            // that the pool's other new connections are contending for.
            // WAL lets readers run while one writer writes; NORMAL sync is
            // durable across application crashes, and cheap, in WAL mode.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                self.busy_timeout_ms
            ))
            .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The connection pool, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    backend: Backend,
    /// For connections outside the pool (the LISTEN connection of `signals`).
    url: Arc<str>,
    /// SQLite allows one writer per file. Queuing this process's writers here,
    /// rather than in SQLite's busy loop, keeps them in order and leaves the
    /// busy timeout for writers in other processes (the CLI).
    sqlite_writer: Arc<Mutex<()>>,
    /// Set while the database refuses new connections (see [`Db::get`]).
    refused: Arc<AtomicBool>,
    connect_timeout: Duration,
}

/// How often a request waiting for a connection asks whether the database
/// still refuses new ones.
const REFUSAL_CHECK: Duration = Duration::from_millis(250);

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

pub type PooledDbConnection = PooledConnection<ConnectionManager>;

/// Pool occupancy, for metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub max: u32,
}

impl Db {
    /// Opens the pool. Does not migrate; see [`run_migrations`].
    pub fn connect(settings: &DbSettings) -> Result<Db, DbError> {
        let backend = Backend::from_url(&settings.url);
        let refused = Arc::new(AtomicBool::new(false));
        let manager = ConnectionManager {
            url: settings.url.clone(),
            backend,
            refused: refused.clone(),
        };
        let pool = Pool::builder()
            .max_size(settings.pool_size.max(1))
            .connection_timeout(settings.connect_timeout)
            .connection_customizer(Box::new(SqlitePragmas {
                busy_timeout_ms: settings.sqlite_busy_timeout.as_millis(),
            }))
            .build(manager)
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        Ok(Db {
            pool,
            backend,
            url: settings.url.as_str().into(),
            sqlite_writer: Arc::new(Mutex::new(())),
            refused,
            connect_timeout: settings.connect_timeout,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database URL the pool connects to (may hold a password: never log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
    }

    /// A pooled connection, checked with a ping (r2d2 tests each on check-out
    /// and drops broken ones, so the pool heals by itself when the database
    /// is back). Waits up to `connect_timeout` for a free one while the pool
    /// is busy, but only a moment while the database refuses connections:
    /// the client hears 503 at once rather than after the whole timeout.
    pub fn get(&self) -> Result<PooledDbConnection, DbError> {
        let deadline = Instant::now() + self.connect_timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.pool.get_timeout(left.min(REFUSAL_CHECK)) {
                Ok(conn) => return Ok(conn),
                Err(e) if left <= REFUSAL_CHECK || self.refused.load(Ordering::Relaxed) => {
                    return Err(e.into());
                }
                Err(_) => {}
            }
        }
    }

    /// Runs reads on a pooled connection, synchronously.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        f(&mut *self.get()?)
    }

    /// Runs `f` in one write transaction, synchronously: all of it or none.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.get()?;
        match self.backend {
            Backend::Postgresql => (*conn).transaction(f),
            Backend::Sqlite => {
                // A poisoned lock only means another writer panicked; its
                // transaction was rolled back, so the lock is still good.
                let _turn = self.sqlite_writer.lock().unwrap_or_else(|e| e.into_inner());
                sqlite_immediate_transaction(&mut conn, f)
            }
        }
    }

    /// [`Db::read_blocking`] on the blocking thread pool, for async callers.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let db = self.clone();
        spawn_blocking(move || db.read_blocking(f)).await
    }

    /// [`Db::write_blocking`] on the blocking thread pool, for async callers.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let db = self.clone();
        spawn_blocking(move || db.write_blocking(f)).await
    }
}

async fn spawn_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, DbError> + Send + 'static,
) -> Result<T, DbError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(DbError::Unavailable(e.to_string())),
    }
}

/// Runs an insert that may hit a unique constraint inside a savepoint, so a
/// conflict does not poison the surrounding transaction (PostgreSQL refuses
/// every later statement of a transaction after an error). `Ok(false)` when
/// the row already existed.
pub fn insert_unless_exists(
    conn: &mut DbConnection,
    insert: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<usize>,
) -> Result<bool, DbError> {
    use diesel::result::{DatabaseErrorKind, Error};
    match conn.transaction(insert) {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A SQLite write transaction that takes the write lock at BEGIN. A deferred
/// transaction that reads first and writes later fails at once with
/// SQLITE_BUSY when another process wrote in between; IMMEDIATE waits its turn
/// (busy_timeout) before reading anything.
fn sqlite_immediate_transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    // The multi-connection's transaction manager delegates to the inner
    // connection's, so opening the transaction on the inner one keeps diesel's
    // bookkeeping right: nested `transaction` calls in `f` become savepoints.
    fn inner(conn: &mut DbConnection) -> &mut SqliteConnection {
        match conn {
            DbConnection::Sqlite(c) => c,
            DbConnection::Postgresql(_) => unreachable!("only called for SQLite"),
        }
    }
    AnsiTransactionManager::begin_transaction_sql(inner(conn), "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(inner(conn))?;
            Ok(value)
        }
        Err(e) => {
            // The error that made us roll back matters more than a failed rollback.
            let _ = AnsiTransactionManager::rollback_transaction(inner(conn));
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_follows_the_url() {
        assert_eq!(Backend::from_url("postgres://u@h/db"), Backend::Postgresql);
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Backend::Postgresql
        );
        assert_eq!(Backend::from_url("gridops.db"), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite://data/g.db"), Backend::Sqlite);
        assert_eq!(sqlite_path("sqlite://data/g.db"), "data/g.db");
        assert_eq!(sqlite_path("sqlite:g.db"), "g.db");
        assert_eq!(sqlite_path("/var/lib/g.db"), "/var/lib/g.db");
    }
}
