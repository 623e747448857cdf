//! Patrols, their raw track points, the lattice cells they covered and the
//! incidents found on them. Rows only: what an upload sets off is
//! `crate::workflow::patrol`'s, the rules `gridops_domain::patrol`'s.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use gridops_domain::area::AreaCode;
use gridops_domain::geo::Coordinates;
use gridops_domain::patrol::track::{Kept, PointSource, TrackPoint, Window};
use gridops_domain::patrol::{Patrol, PatrolScope, PatrolStatus};

use super::Page;
use crate::db::{DbConnection, DbError, MultiBackend};
use crate::schema::{covered_cells, patrol_findings, patrol_grids, patrols, track_points};

type Condition = Box<dyn BoxableExpression<patrols::table, MultiBackend, SqlType = Bool>>;

/// Rows per INSERT: well under SQLite's limit of bound parameters.
const CHUNK: usize = 400;

/// A multi-row INSERT that skips rows already there: diesel builds those
/// per backend, not for the multi-connection. The count of rows inserted.
macro_rules! insert_new_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Postgresql(c) => diesel::insert_into($table)
                .values($rows)
                .on_conflict_do_nothing()
                .execute(c),
            DbConnection::Sqlite(c) => diesel::insert_or_ignore_into($table)
                .values($rows)
                .execute(c),
        }
    };
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = patrols)]
struct PatrolRow {
    id: String,
    walker_id: String,
    status: String,
    planned_route: Option<String>,
    started_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
    points: i32,
    track_deleted_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// A patrol as stored, with what the store counts beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPatrol {
    pub patrol: Patrol,
    /// Points kept (they outlive the raw points as this count).
    pub points: i32,
    /// When the retention job deleted the raw points.
    pub track_deleted_at: Option<NaiveDateTime>,
}

fn route_text(route: &Option<Vec<(f64, f64)>>) -> Option<String> {
    route.as_ref().map(|r| {
        let positions: Vec<[f64; 2]> = r.iter().map(|&(lng, lat)| [lng, lat]).collect();
        serde_json::to_string(&positions).unwrap_or_default()
    })
}

fn stored(row: PatrolRow, grids: Vec<String>) -> Result<StoredPatrol, DbError> {
    let corrupt = |what: String| DbError::Corrupt(format!("patrol {}: {what}", row.id));
    let status = PatrolStatus::parse(&row.status).ok_or_else(|| corrupt(row.status.clone()))?;
    let grids = grids
        .iter()
        .map(|g| AreaCode::parse(g).map_err(|e| corrupt(format!("grid {g}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let planned_route = match &row.planned_route {
        None => None,
        Some(text) => Some(
            serde_json::from_str::<Vec<[f64; 2]>>(text)
                .map_err(|e| corrupt(format!("planned route: {e}")))?
                .into_iter()
                .map(|[lng, lat]| (lng, lat))
                .collect(),
        ),
    };
    Ok(StoredPatrol {
        patrol: Patrol {
            id: row.id,
            walker_id: row.walker_id,
            grids,
            planned_route,
            status,
            started_at: row.started_at,
            ended_at: row.ended_at,
        },
        points: row.points,
        track_deleted_at: row.track_deleted_at,
    })
}

/// Stores a new patrol with its grids. A second running patrol of the same
/// walker, or a taken id, is [`DbError::Conflict`].
pub fn insert(conn: &mut DbConnection, patrol: &Patrol, at: NaiveDateTime) -> Result<(), DbError> {
    diesel::insert_into(patrols::table)
        .values(PatrolRow {
            id: patrol.id.clone(),
            walker_id: patrol.walker_id.clone(),
            status: patrol.status.as_str().to_owned(),
            planned_route: route_text(&patrol.planned_route),
            started_at: patrol.started_at,
            ended_at: patrol.ended_at,
            points: 0,
            track_deleted_at: None,
            created_at: at,
        })
        .execute(conn)?;
    for grid in &patrol.grids {
        diesel::insert_into(patrol_grids::table)
            .values((
                patrol_grids::patrol_id.eq(&patrol.id),
                patrol_grids::grid_code.eq(grid.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn with_grids(conn: &mut DbConnection, rows: Vec<PatrolRow>) -> Result<Vec<StoredPatrol>, DbError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut grids: HashMap<String, Vec<String>> = HashMap::new();
    for (patrol, grid) in patrol_grids::table
        .filter(patrol_grids::patrol_id.eq_any(&ids))
        .order((patrol_grids::patrol_id, patrol_grids::grid_code))
        .select((patrol_grids::patrol_id, patrol_grids::grid_code))
        .load::<(String, String)>(conn)?
    {
        grids.entry(patrol).or_default().push(grid);
    }
    rows.into_iter()
        .map(|row| {
            let g = grids.remove(&row.id).unwrap_or_default();
            stored(row, g)
        })
        .collect()
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<StoredPatrol, DbError> {
    let row = patrols::table
        .find(id)
        .select(PatrolRow::as_select())
        .first(conn)?;
    with_grids(conn, vec![row])?.pop().ok_or(DbError::NotFound)
}

/// When the patrol ran (to now, while it runs): one row, no grids.
pub fn window(conn: &mut DbConnection, id: &str) -> Result<Window, DbError> {
    let (start, end) = patrols::table
        .find(id)
        .select((patrols::started_at, patrols::ended_at))
        .first(conn)?;
    Ok(Window { start, end })
}

/// The walker's running patrol, if any.
pub fn running_of(conn: &mut DbConnection, walker: &str) -> Result<Option<StoredPatrol>, DbError> {
    let rows = patrols::table
        .filter(patrols::walker_id.eq(walker))
        .filter(patrols::status.eq(PatrolStatus::Running.as_str()))
        .select(PatrolRow::as_select())
        .load(conn)?;
    Ok(with_grids(conn, rows)?.pop())
}

/// Keeps the end of a patrol that was running; `false` if it no longer was.
pub fn save_end(conn: &mut DbConnection, patrol: &Patrol) -> Result<bool, DbError> {
    let changed = diesel::update(
        patrols::table
            .filter(patrols::id.eq(&patrol.id))
            .filter(patrols::status.eq(PatrolStatus::Running.as_str())),
    )
    .set((
        patrols::status.eq(patrol.status.as_str()),
        patrols::ended_at.eq(patrol.ended_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// What a list of patrols keeps.
#[derive(Debug, Clone, Default)]
pub struct PatrolFilter {
    pub walker: Option<String>,
    /// Patrols with a grid in this area (or this grid).
    pub area: Option<AreaCode>,
    /// Started at or after.
    pub from: Option<NaiveDateTime>,
    /// Started before.
    pub to: Option<NaiveDateTime>,
    pub status: Option<PatrolStatus>,
}

fn in_area(area: &AreaCode) -> Condition {
    Box::new(
        patrols::id.eq_any(
            patrol_grids::table
                .filter(patrol_grids::grid_code.like(format!("{}%", area.subtree_prefix())))
                .select(patrol_grids::patrol_id),
        ),
    )
}

/// The page of patrols `scope` lets the caller read that `filter` keeps,
/// latest start first; `after` is the (start, id) of the last row read.
pub fn list(
    conn: &mut DbConnection,
    scope: &PatrolScope,
    filter: &PatrolFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: usize,
) -> Result<Page<StoredPatrol>, DbError> {
    let mut visible: Condition = Box::new(patrols::walker_id.eq(scope.walker.clone()));
    for area in &scope.areas {
        visible = Box::new(visible.or(in_area(area)));
    }
    let mut query = patrols::table
        .select(PatrolRow::as_select())
        .filter(visible)
        .into_boxed();
    if let Some(walker) = &filter.walker {
        query = query.filter(patrols::walker_id.eq(walker.clone()));
    }
    if let Some(area) = &filter.area {
        query = query.filter(in_area(area));
    }
    if let Some(from) = filter.from {
        query = query.filter(patrols::started_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(patrols::started_at.lt(to));
    }
    if let Some(status) = filter.status {
        query = query.filter(patrols::status.eq(status.as_str()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            patrols::started_at
                .lt(at)
                .or(patrols::started_at.eq(at).and(patrols::id.lt(id))),
        );
    }
    let rows = query
        .order((patrols::started_at.desc(), patrols::id.desc()))
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    let patrols = with_grids(conn, rows)?;
    Ok(Page::from_overfetch(patrols, limit, |p| {
        format!(
            "{}|{}",
            p.patrol.started_at.format("%Y-%m-%dT%H:%M:%S%.f"),
            p.patrol.id
        )
    }))
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = track_points)]
pub struct PointRow {
    pub patrol_id: String,
    pub point_id: String,
    pub at: NaiveDateTime,
    pub lat: f64,
    pub lng: f64,
    pub accuracy_m: f64,
    pub source: String,
    pub received_at: NaiveDateTime,
}

impl PointRow {
    pub fn new(patrol_id: &str, point: &TrackPoint, received_at: NaiveDateTime) -> Self {
        PointRow {
            patrol_id: patrol_id.to_owned(),
            point_id: point.id.clone(),
            at: point.at,
            lat: point.at_place.lat(),
            lng: point.at_place.lng(),
            accuracy_m: point.accuracy_m,
            source: point.source.as_str().to_owned(),
            received_at,
        }
    }

    pub fn place(&self) -> Result<Coordinates, DbError> {
        Coordinates::new(self.lat, self.lng)
            .map_err(|e| DbError::Corrupt(format!("track point {}: {e}", self.point_id)))
    }

    pub fn kept(&self) -> Result<Kept, DbError> {
        Ok(Kept {
            at: self.at,
            place: self.place()?,
            accuracy_m: self.accuracy_m,
        })
    }

    pub fn source(&self) -> Option<PointSource> {
        PointSource::parse(&self.source)
    }
}

/// The patrol's points taken between `from` and `to` (inclusive), by time:
/// the neighbours a new batch is judged against, and the ids it may repeat.
pub fn points_between(
    conn: &mut DbConnection,
    patrol_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<PointRow>, DbError> {
    Ok(track_points::table
        .filter(track_points::patrol_id.eq(patrol_id))
        .filter(track_points::at.between(from, to))
        .order(track_points::at.asc())
        .select(PointRow::as_select())
        .load(conn)?)
}

/// Every point of the patrol, by time.
pub fn points(conn: &mut DbConnection, patrol_id: &str) -> Result<Vec<PointRow>, DbError> {
    Ok(track_points::table
        .filter(track_points::patrol_id.eq(patrol_id))
        .order(track_points::at.asc())
        .select(PointRow::as_select())
        .load(conn)?)
}

/// Inserts the points not stored yet (a resend racing this one may have
/// stored some); the number inserted.
pub fn insert_points(conn: &mut DbConnection, rows: &[PointRow]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(CHUNK) {
        inserted += insert_new_rows!(conn, track_points::table, chunk)?;
    }
    Ok(inserted)
}

/// Counts points kept for the patrol.
pub fn add_points(conn: &mut DbConnection, patrol_id: &str, added: usize) -> Result<(), DbError> {
    if added == 0 {
        return Ok(());
    }
    let added = i32::try_from(added).unwrap_or(i32::MAX);
    diesel::update(patrols::table.find(patrol_id))
        .set(patrols::points.eq(patrols::points + added))
        .execute(conn)?;
    Ok(())
}

/// One cell a patrol covered in a grid on a local day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Queryable, Selectable, Insertable)]
#[diesel(table_name = covered_cells)]
pub struct CoveredRow {
    pub grid_code: String,
    pub day: NaiveDate,
    pub cell: i64,
    pub patrol_id: String,
}

pub fn insert_cells(conn: &mut DbConnection, rows: &[CoveredRow]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(CHUNK) {
        inserted += insert_new_rows!(conn, covered_cells::table, chunk)?;
    }
    Ok(inserted)
}

/// The cells of `grid` any patrol covered on the local days `from..=to`.
pub fn covered_in(
    conn: &mut DbConnection,
    grid: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashSet<i64>, DbError> {
    Ok(covered_cells::table
        .filter(covered_cells::grid_code.eq(grid))
        .filter(covered_cells::day.between(from, to))
        .select(covered_cells::cell)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// The cells the patrol covered, by grid.
pub fn covered_by(
    conn: &mut DbConnection,
    patrol_id: &str,
) -> Result<HashMap<String, HashSet<i64>>, DbError> {
    let mut by_grid: HashMap<String, HashSet<i64>> = HashMap::new();
    for (grid, cell) in covered_cells::table
        .filter(covered_cells::patrol_id.eq(patrol_id))
        .select((covered_cells::grid_code, covered_cells::cell))
        .load::<(String, i64)>(conn)?
    {
        by_grid.entry(grid).or_default().insert(cell);
    }
    Ok(by_grid)
}

/// Marks an incident as found on the patrol.
pub fn link_finding(
    conn: &mut DbConnection,
    patrol_id: &str,
    incident_id: &str,
) -> Result<(), DbError> {
    diesel::insert_into(patrol_findings::table)
        .values((
            patrol_findings::incident_id.eq(incident_id),
            patrol_findings::patrol_id.eq(patrol_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The ids of the incidents found on the patrol.
pub fn findings(conn: &mut DbConnection, patrol_id: &str) -> Result<Vec<String>, DbError> {
    Ok(patrol_findings::table
        .filter(patrol_findings::patrol_id.eq(patrol_id))
        .order(patrol_findings::incident_id)
        .select(patrol_findings::incident_id)
        .load(conn)?)
}

/// The patrol an incident was found on, if any.
pub fn found_on(conn: &mut DbConnection, incident_id: &str) -> Result<Option<String>, DbError> {
    Ok(patrol_findings::table
        .find(incident_id)
        .select(patrol_findings::patrol_id)
        .first(conn)
        .optional()?)
}

/// Deletes the raw points of up to `batch` patrols that ended before
/// `ended_before`, keeping their counts and covered cells; the number of
/// patrols purged.
pub fn delete_old_tracks(
    conn: &mut DbConnection,
    ended_before: NaiveDateTime,
    now: NaiveDateTime,
    batch: usize,
) -> Result<usize, DbError> {
    let due: Vec<String> = patrols::table
        .filter(patrols::ended_at.lt(ended_before))
        .filter(patrols::track_deleted_at.is_null())
        .order(patrols::ended_at.asc())
        .limit(i64::try_from(batch).unwrap_or(i64::MAX))
        .select(patrols::id)
        .load(conn)?;
    for id in &due {
        diesel::delete(track_points::table.filter(track_points::patrol_id.eq(id))).execute(conn)?;
        diesel::update(patrols::table.find(id))
            .set(patrols::track_deleted_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(due.len())
}

/// Raw points stored for the patrol (what the retention job deletes).
pub fn point_count(conn: &mut DbConnection, patrol_id: &str) -> Result<i64, DbError> {
    Ok(track_points::table
        .filter(track_points::patrol_id.eq(patrol_id))
        .select(count_star())
        .first(conn)?)
}
