//! Importing areas from a GeoJSON file: read, check against what is stored,
//! store all or nothing.

use gridops_domain::area::import::{AreaDraft, ImportProblem, plan_import};
use gridops_domain::area::{Area, AreaMap};

use crate::area_file::{AreaFileError, read_features};
use crate::db::{Db, DbConnection, DbError};
use crate::repo::areas;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] AreaFileError),
    #[error("{} problem(s) in the file; nothing was imported", .0.len())]
    Invalid(Vec<ImportProblem>),
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub areas: usize,
    /// The area revision after the import; servers rebuild their grid index on a new one.
    pub revision: i64,
}

/// A file read into drafts, with the problems of the features that could not be read.
#[derive(Debug)]
pub struct AreaFile {
    drafts: Vec<AreaDraft>,
    problems: Vec<ImportProblem>,
}

impl AreaFile {
    pub fn read(text: &str) -> Result<AreaFile, AreaFileError> {
        let (drafts, problems) = read_features(text)?;
        Ok(AreaFile { drafts, problems })
    }

    /// The areas to store, or every problem of the file (format and rules
    /// together, in feature order) as checked against `existing`.
    pub fn plan(self, existing: &AreaMap) -> Result<Vec<Area>, Vec<ImportProblem>> {
        let mut problems = self.problems;
        match plan_import(self.drafts, existing) {
            Ok(planned) if problems.is_empty() => Ok(planned),
            Ok(_) => Err(problems),
            Err(mut more) => {
                problems.append(&mut more);
                problems.sort_by_key(|p| p.feature);
                Err(problems)
            }
        }
    }

    /// Stores the file's areas: inserts new codes, replaces stored ones,
    /// leaves the rest. Call inside a write transaction: the stored areas are
    /// read in it, so two imports cannot both pass on a stale view.
    pub fn store(
        self,
        conn: &mut DbConnection,
    ) -> Result<Result<ImportReport, Vec<ImportProblem>>, DbError> {
        areas::lock_for_change(conn)?;
        let existing = AreaMap::new(areas::load_all(conn)?);
        Ok(match self.plan(&existing) {
            Ok(planned) => Ok(ImportReport {
                revision: areas::upsert_all(conn, &planned)?,
                areas: planned.len(),
            }),
            Err(problems) => Err(problems),
        })
    }
}

/// Reads and imports a FeatureCollection in one transaction.
pub fn import(db: &Db, text: &str) -> Result<ImportReport, ImportError> {
    let file = AreaFile::read(text)?;
    db.write_blocking(|conn| file.store(conn))?
        .map_err(ImportError::Invalid)
}
