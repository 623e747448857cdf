//! Patrols: starting one, ending it, and keeping the track its phone sends
//! with the lattice cells each kept point covers — each in one transaction.
//! The domain decides (`gridops_domain::patrol`); this keeps the decision.
//!
//! A track upload:
//! 1. whole-batch checks (`track::check_batch`) and whether the patrol still
//!    takes uploads (`track::accepts_uploads`), before any write;
//! 2. in one transaction, the points already stored around the batch's
//!    time (its repeats, and the neighbours the speed check needs), the
//!    domain's verdict on each new point (`track::judge`), the kept points
//!    (insert-or-skip: a resend racing this one is a duplicate, not an
//!    error), and the cells they cover, per grid and local day
//!    (`coverage::Lattice::cells_near`, insert-or-skip).
//!
//! Cells are written as points arrive rather than computed from the points
//! on read, so coverage outlives the raw points the retention job deletes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::deadline::WorkingWeek;
use gridops_domain::geo::Coordinates;
use gridops_domain::patrol::coverage::{CellId, Lattice};
use gridops_domain::patrol::track::{self, BatchError, Refusal, TrackPoint, TrackRules};
use gridops_domain::patrol::{self, Patrol, PatrolError};

use super::Workflow;
use crate::db::{DbConnection, DbError};
use crate::repo::patrols::{self, CoveredRow, PointRow, StoredPatrol};
use crate::repo::{calendar, now};

/// How far before a batch's first point and after its last one the stored
/// points are read as neighbours for the speed check: a point is refused
/// only when it is impossible from the point before it and to the one after
/// it, and a late batch fits between stored points on both sides.
const NEIGHBOURS: Duration = Duration::minutes(10);

/// What a deployment configures about tracks.
#[derive(Debug, Clone, Copy)]
pub struct TrackSettings {
    pub rules: TrackRules,
    pub lattice: Lattice,
    /// A cell is covered when a kept point lies within this distance of its centre.
    pub cover_radius_m: f64,
}

/// Why a patrol change was not made.
#[derive(Debug, thiserror::Error)]
pub enum PatrolFailure {
    #[error(transparent)]
    Refused(#[from] PatrolError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// The walker already has a running patrol.
    #[error("patrol {0} is still running: end it first")]
    AlreadyRunning(String),
    /// The client-chosen id belongs to another patrol.
    #[error("a patrol with this id exists")]
    Taken,
    /// The patrol ended longer ago than late uploads are accepted.
    #[error("this patrol ended too long ago to take more points")]
    NoLongerAccepting,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What became of an uploaded batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    pub new: usize,
    pub duplicate: usize,
    /// Point ids with the reason each was not kept.
    pub refused: Vec<(String, Refusal)>,
}

impl Workflow {
    /// Stores a patrol the domain started. `finish` runs last in the same
    /// transaction (the idempotency record).
    pub async fn start_patrol<T: Send + 'static>(
        &self,
        patrol: Patrol,
        finish: impl FnOnce(&mut DbConnection, &StoredPatrol) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, PatrolFailure> {
        self.db
            .write(move |conn| -> Result<Result<T, PatrolFailure>, DbError> {
                if let Some(running) = patrols::running_of(conn, &patrol.walker_id)? {
                    return Ok(Err(PatrolFailure::AlreadyRunning(running.patrol.id)));
                }
                match patrols::insert(conn, &patrol, now()) {
                    Ok(()) => {}
                    Err(DbError::Conflict(_)) => return Ok(Err(PatrolFailure::Taken)),
                    Err(e) => return Err(e),
                }
                let stored = patrols::find(conn, &patrol.id)?;
                Ok(Ok(finish(conn, &stored)?))
            })
            .await?
    }

    /// Ends the patrol (its walker's call, checked by the caller) at `at`
    /// (a phone that ended it out of signal says when), else now.
    pub async fn end_patrol(
        &self,
        id: &str,
        at: Option<NaiveDateTime>,
    ) -> Result<StoredPatrol, PatrolFailure> {
        let id = id.to_owned();
        self.db
            .write(
                move |conn| -> Result<Result<StoredPatrol, PatrolFailure>, DbError> {
                    let stored = patrols::find(conn, &id)?;
                    let ended = match patrol::end(&stored.patrol, at.unwrap_or_else(now)) {
                        Ok(ended) => ended,
                        Err(e) => return Ok(Err(e.into())),
                    };
                    if !patrols::save_end(conn, &ended)? {
                        return Ok(Err(PatrolError::AlreadyEnded.into()));
                    }
                    Ok(Ok(patrols::find(conn, &id)?))
                },
            )
            .await?
    }

    /// Keeps what it may of a batch of track points of `patrol` (its
    /// walker's, checked by the caller). `map` locates the grid of each
    /// covered cell.
    pub async fn record_track(
        &self,
        patrol: &StoredPatrol,
        points: Vec<TrackPoint>,
        settings: TrackSettings,
        map: Arc<AreaMap>,
    ) -> Result<Recorded, PatrolFailure> {
        let at = now();
        track::check_batch(&points, &settings.rules, at)?;
        if !track::accepts_uploads(patrol.patrol.window(), &settings.rules, at) {
            return Err(PatrolFailure::NoLongerAccepting);
        }
        let id = patrol.patrol.id.clone();
        Ok(self
            .db
            .write(move |conn| record(conn, &id, points, &settings, &map, at))
            .await?)
    }
}

fn record(
    conn: &mut DbConnection,
    patrol_id: &str,
    points: Vec<TrackPoint>,
    settings: &TrackSettings,
    map: &AreaMap,
    at: NaiveDateTime,
) -> Result<Recorded, DbError> {
    // Read again inside the transaction: an end may have come meanwhile.
    let window = patrols::window(conn, patrol_id)?;
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.at).min(),
        points.iter().map(|p| p.at).max(),
    ) else {
        return Ok(Recorded::default());
    };
    // Only the patrol's time holds stored points (and a point outside it is
    // refused whatever its neighbours), so the read stays inside it: a
    // point dated in year 1 must not reach the database as a bound.
    let end = window.end.unwrap_or(at);
    let around = patrols::points_between(
        conn,
        patrol_id,
        first.clamp(window.start, end.max(window.start)) - NEIGHBOURS,
        last.clamp(window.start, end.max(window.start)) + NEIGHBOURS,
    )?;
    let mut seen: HashSet<String> = around.iter().map(|p| p.point_id.clone()).collect();
    let mut recorded = Recorded::default();
    let mut fresh = Vec::with_capacity(points.len());
    for point in points {
        // A resend, or the same point twice in one batch.
        if seen.insert(point.id.clone()) {
            fresh.push(point);
        } else {
            recorded.duplicate += 1;
        }
    }
    let kept = around
        .iter()
        .map(PointRow::kept)
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::with_capacity(fresh.len());
    for (point, verdict) in track::judge(window, &settings.rules, &kept, fresh) {
        match verdict {
            Ok(()) => rows.push(PointRow::new(patrol_id, &point, at)),
            Err(why) => recorded.refused.push((point.id, why)),
        }
    }
    let inserted = patrols::insert_points(conn, &rows)?;
    recorded.new = inserted;
    recorded.duplicate += rows.len() - inserted;
    patrols::add_points(conn, patrol_id, inserted)?;
    let week = calendar::week(conn)?;
    let cells = covered(&rows, settings, map, &week, patrol_id)?;
    patrols::insert_cells(conn, &cells)?;
    Ok(recorded)
}

/// The cells the kept points cover, each with the grid holding its centre
/// (any grid: a walk through the neighbours' lanes covers them too) and
/// the local day the point was taken.
fn covered(
    rows: &[PointRow],
    settings: &TrackSettings,
    map: &AreaMap,
    week: &WorkingWeek,
    patrol_id: &str,
) -> Result<Vec<CoveredRow>, DbError> {
    let mut grid_of: HashMap<CellId, Option<AreaCode>> = HashMap::new();
    let mut cells: HashSet<CoveredRow> = HashSet::new();
    for row in rows {
        let day = week.local_date(row.at);
        for cell in settings
            .lattice
            .cells_near(row.place()?, settings.cover_radius_m)
        {
            let grid = grid_of.entry(cell).or_insert_with(|| {
                let (lng, lat) = settings.lattice.centre(cell);
                Coordinates::new(lat, lng)
                    .ok()
                    .and_then(|c| map.locate(c))
                    .map(|area| area.code.clone())
            });
            if let Some(grid) = grid {
                cells.insert(CoveredRow {
                    grid_code: grid.as_str().to_owned(),
                    day,
                    cell: cell.key(),
                    patrol_id: patrol_id.to_owned(),
                });
            }
        }
    }
    let mut cells: Vec<CoveredRow> = cells.into_iter().collect();
    cells.sort_by(|a, b| (&a.grid_code, a.day, a.cell).cmp(&(&b.grid_code, b.day, b.cell)));
    Ok(cells)
}

/// Deletes raw track points of patrols that ended more than `retention`
/// ago, a batch at a time; the number of patrols purged.
pub fn delete_old_tracks(
    conn: &mut DbConnection,
    retention: Duration,
    batch: usize,
) -> Result<usize, DbError> {
    let at = now();
    patrols::delete_old_tracks(conn, at - retention, at, batch)
}
