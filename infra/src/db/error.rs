use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What went wrong with the database, in the terms callers act on. Every
/// diesel and pool error is mapped here and nowhere else.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the change.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached (pool timeout, connection lost).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value no longer satisfies the rules (hand-edited row, bug).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation => {
                    DbError::Conflict(info.message().to_owned())
                }
                DatabaseErrorKind::ClosedConnection => {
                    DbError::Unavailable(info.message().to_owned())
                }
                _ if is_busy(info.message()) => DbError::Unavailable(info.message().to_owned()),
                _ => DbError::Other(info.message().to_owned()),
            },
            DieselError::BrokenTransactionManager => DbError::Unavailable(e.to_string()),
            other => DbError::Other(other.to_string()),
        }
    }
}

/// SQLite reports a lock held past busy_timeout only in its message.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

impl From<diesel::ConnectionError> for DbError {
    fn from(e: diesel::ConnectionError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}
