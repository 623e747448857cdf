//! Bringing a database to life: migrations, the default categories, demo data.

use diesel::RunQueryDsl;
use gridops_domain::party::{Party, PartyKind};

use crate::area_import::AreaFile;
use crate::categories_seed::{default_attributes, default_categories};
use crate::db::{Db, DbConnection, DbError, run_migrations};
use crate::demo;
use crate::repo::{areas, categories, parties};

/// Any fixed number: identifies gridops's migration lock among PostgreSQL
/// advisory locks.
const MIGRATION_LOCK: i64 = 0x6772_6964_6f70; // "gridop"

/// Applies pending migrations and seeds the default categories into an empty
/// table. Safe to run from several nodes at once: on PostgreSQL they take
/// turns on an advisory lock; on SQLite the write lock does the same.
pub fn migrate(db: &Db) -> Result<Vec<String>, DbError> {
    let mut conn = db.get()?;
    let conn: &mut DbConnection = &mut conn;
    let applied = match conn {
        DbConnection::Postgresql(_) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .execute(conn)?;
            let result = run_migrations(conn);
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                .execute(conn)?;
            result?
        }
        DbConnection::Sqlite(_) => run_migrations(conn)?,
    };
    let seeded =
        db.write_blocking(|conn| categories::seed_if_empty(conn, &default_categories()))?;
    // The categories' questions come with the categories, or with the
    // migration that made room for them; an edited set is left alone.
    if seeded > 0 || applied.iter().any(|m| m.starts_with(OPEN311_MIGRATION)) {
        db.write_blocking(|conn| {
            crate::repo::open311::seed_attributes_if_empty(conn, &default_attributes())
        })?;
    }
    db.write_blocking(|conn| crate::repo::calendar::seed_if_empty(conn, crate::repo::now()))?;
    Ok(applied)
}

/// The version of the migration that added the categories' questions.
const OPEN311_MIGRATION: &str = "2026-12-04-000010";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLoaded {
    pub areas: usize,
    pub parties: usize,
}

/// Loads the demo areas and parties (and, with `routing_rules`, the demo
/// routing table) when the database has no areas yet; returns `None` when it
/// already had some (the demo never overwrites). The demo checklist
/// templates are stored whenever the templates table is empty.
pub fn load_demo(db: &Db, routing_rules: bool) -> Result<Option<DemoLoaded>, DbError> {
    db.write_blocking(|conn| {
        // The demo checklists, also into a demo database of an older version.
        crate::repo::campaigns::seed_templates_if_empty(
            conn,
            &demo::checklists::demo_templates(),
            crate::repo::now(),
        )?;
        if areas::count(conn)? > 0 {
            return Ok(None);
        }
        // Through the import path, so the demo obeys the rules real data does.
        let file = AreaFile::read(&demo::areas::demo_areas().to_string())
            .map_err(|e| DbError::Other(format!("demo areas: {e}")))?;
        let areas_loaded = file
            .store(conn)?
            .map_err(|problems| DbError::Other(format!("demo areas are invalid: {problems:?}")))?
            .areas;
        for seed in demo::parties::DEMO_PARTIES {
            let party = Party {
                code: seed.code.to_owned(),
                name: seed.name.to_owned(),
                name_en: seed.name_en.to_owned(),
                kind: PartyKind::parse(seed.kind).ok_or_else(|| {
                    DbError::Other(format!("demo party {}: kind {}", seed.code, seed.kind))
                })?,
                contact_phone: seed.contact_phone.map(str::to_owned),
                areas: seed.areas.iter().map(|a| (*a).to_owned()).collect(),
            };
            parties::insert(conn, &party)?;
        }
        if routing_rules {
            demo::routing::seed_if_empty(conn, crate::repo::now())?;
        }
        Ok(Some(DemoLoaded {
            areas: areas_loaded,
            parties: demo::parties::DEMO_PARTIES.len(),
        }))
    })
}
