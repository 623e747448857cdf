use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{Backend, DbConnection, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// The migration names embedded in this binary for `backend`; a test keeps
/// the two backends' lists equal.
pub fn migration_names(backend: Backend) -> Vec<String> {
    fn names<DB: diesel::backend::Backend>(source: &EmbeddedMigrations) -> Vec<String>
    where
        EmbeddedMigrations: MigrationSource<DB>,
    {
        source
            .migrations()
            .unwrap_or_default()
            .iter()
            .map(|m| m.name().to_string())
            .collect()
    }
    match backend {
        Backend::Sqlite => names::<Sqlite>(&SQLITE),
        Backend::Postgresql => names::<Pg>(&POSTGRES),
    }
}

/// Applies every pending migration; returns the names applied.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES)
            .map(|v| v.iter().map(ToString::to_string).collect()),
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|v| v.iter().map(ToString::to_string).collect()),
    };
    applied.map_err(|e| DbError::Other(format!("migration failed: {e}")))
}

/// Names of the migrations this binary has that the database has not applied.
pub fn pending_migrations(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let pending = match conn {
        DbConnection::Postgresql(c) => c
            .pending_migrations(POSTGRES)
            .map(|v| v.iter().map(|m| m.name().to_string()).collect()),
        DbConnection::Sqlite(c) => c
            .pending_migrations(SQLITE)
            .map(|v| v.iter().map(|m| m.name().to_string()).collect()),
    };
    pending.map_err(|e| DbError::Unavailable(format!("cannot read migrations: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each backend has its own SQL, but the same steps in the same order:
    /// a migration added for one and forgotten for the other fails here.
    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = migration_names(Backend::Sqlite);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, migration_names(Backend::Postgresql));
    }
}
