//! Incidents, their timeline and their photos.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::area::AreaCode;
use gridops_domain::category::Priority;
use gridops_domain::incident::chain::EventFields;
use gridops_domain::incident::queue::QueueTab;
use gridops_domain::incident::{Incident, Rating, Source, Status, TimelineEvent};
use uuid::Uuid;

use super::{Page, chain};
use diesel::sql_types::Bool;

use crate::db::{DbConnection, DbError, MultiBackend, insert_unless_exists};

type Condition = Box<dyn BoxableExpression<incidents::table, MultiBackend, SqlType = Bool>>;
use crate::schema::{
    categories, deadlines, incident_counters, incident_events, incident_followers, incident_photos,
    incidents,
};

/// An incident with what is kept beside its lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredIncident {
    pub incident: Incident,
    /// WGS-84.
    pub lat: f64,
    pub lng: f64,
    pub address: Option<String>,
    pub occurred_at: NaiveDateTime,
    pub acknowledge_due: Option<NaiveDateTime>,
    pub resolve_due: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = incidents, treat_none_as_null = true)]
pub struct IncidentRow {
    pub id: String,
    pub reference: String,
    pub category_code: String,
    pub description: String,
    pub lat: f64,
    pub lng: f64,
    pub address: Option<String>,
    pub grid_code: String,
    pub source: String,
    pub reporter_id: String,
    pub priority: String,
    pub status: String,
    pub party_code: Option<String>,
    pub assignee_id: Option<String>,
    pub returned_by: String,
    pub duplicate_of: Option<String>,
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub rework_count: i32,
    pub result: Option<String>,
    pub version: i64,
    pub occurred_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub acknowledge_due: Option<NaiveDateTime>,
    pub resolve_due: Option<NaiveDateTime>,
}

impl From<&StoredIncident> for IncidentRow {
    fn from(s: &StoredIncident) -> Self {
        let i = &s.incident;
        IncidentRow {
            id: i.id.clone(),
            reference: i.reference.clone(),
            category_code: i.category.clone(),
            description: i.description.clone(),
            lat: s.lat,
            lng: s.lng,
            address: s.address.clone(),
            grid_code: i.grid.to_string(),
            source: i.source.as_str().to_owned(),
            reporter_id: i.reporter_id.clone(),
            priority: i.priority.as_str().to_owned(),
            status: i.status.as_str().to_owned(),
            party_code: i.party.clone(),
            assignee_id: i.assignee.clone(),
            returned_by: i.returned_by.join(","),
            duplicate_of: i.duplicate_of.clone(),
            rating: i.rating.as_ref().map(|(r, _)| r.as_str().to_owned()),
            rating_comment: i.rating.as_ref().and_then(|(_, c)| c.clone()),
            rework_count: i32::try_from(i.rework_count).unwrap_or(i32::MAX),
            result: i.result.clone(),
            version: i.version,
            occurred_at: s.occurred_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
            acknowledge_due: s.acknowledge_due,
            resolve_due: s.resolve_due,
        }
    }
}

impl TryFrom<IncidentRow> for StoredIncident {
    type Error = DbError;
    fn try_from(row: IncidentRow) -> Result<Self, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("incident {}: {what}", row.id));
        let rating = match &row.rating {
            None => None,
            Some(r) => Some((
                Rating::parse(r).ok_or_else(|| corrupt("rating"))?,
                row.rating_comment.clone(),
            )),
        };
        let incident = Incident {
            grid: AreaCode::parse(&row.grid_code).map_err(|_| corrupt("grid"))?,
            source: Source::parse(&row.source).ok_or_else(|| corrupt("source"))?,
            priority: Priority::parse(&row.priority).ok_or_else(|| corrupt("priority"))?,
            status: Status::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            returned_by: row
                .returned_by
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            rating,
            rework_count: u32::try_from(row.rework_count).unwrap_or(0),
            followers: Vec::new(),
            assists: Vec::new(),
            id: row.id,
            reference: row.reference,
            category: row.category_code,
            description: row.description,
            reporter_id: row.reporter_id,
            party: row.party_code,
            assignee: row.assignee_id,
            duplicate_of: row.duplicate_of,
            result: row.result,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        };
        Ok(StoredIncident {
            incident,
            lat: row.lat,
            lng: row.lng,
            address: row.address,
            occurred_at: row.occurred_at,
            acknowledge_due: row.acknowledge_due,
            resolve_due: row.resolve_due,
        })
    }
}

/// The next human reference of `district` on `day`: `410102-20261124-000123`.
/// Unique and increasing per district and day, and it may skip: the number
/// is taken in one statement that holds the day's counter row only while it
/// runs, so on PostgreSQL it is taken before (outside) the report's
/// transaction and no report of the district waits for another's commit; a
/// report that then fails leaves its number unused.
pub fn next_reference(
    conn: &mut DbConnection,
    district: &str,
    day: chrono::NaiveDate,
) -> Result<String, DbError> {
    let scope = format!("{district}-{}", day.format("%Y%m%d"));
    let bump = diesel::insert_into(incident_counters::table)
        .values((
            incident_counters::scope.eq(&scope),
            incident_counters::last.eq(1_i64),
        ))
        .on_conflict(incident_counters::scope)
        .do_update()
        .set(incident_counters::last.eq(incident_counters::last + 1))
        .returning(incident_counters::last);
    let last: i64 = match conn {
        DbConnection::Postgresql(c) => bump.get_result(c)?,
        DbConnection::Sqlite(c) => bump.get_result(c)?,
    };
    Ok(format!("{scope}-{last:06}"))
}

/// Stores a new incident with its first timeline event (the report). The
/// event's hash, which the incident's next event links to.
pub fn insert(
    conn: &mut DbConnection,
    stored: &StoredIncident,
    note: Option<&str>,
) -> Result<String, DbError> {
    diesel::insert_into(incidents::table)
        .values(IncidentRow::from(stored))
        .execute(conn)?;
    let i = &stored.incident;
    // The first event: it links to nothing, so sealing it reads nothing.
    let seal = chain::seal(
        conn,
        String::new(),
        &EventFields {
            incident_id: &i.id,
            seq: 1,
            action: "report",
            actor_id: &i.reporter_id,
            occurred_at: i.created_at,
            from_status: None,
            to_status: i.status.as_str(),
            note,
            detail: None,
        },
        &[],
    )?;
    diesel::insert_into(incident_events::table)
        .values((
            incident_events::id.eq(Uuid::now_v7().to_string()),
            incident_events::incident_id.eq(&i.id),
            incident_events::seq.eq(1),
            incident_events::action.eq("report"),
            incident_events::actor_id.eq(&i.reporter_id),
            incident_events::occurred_at.eq(i.created_at),
            incident_events::from_status.eq(None::<String>),
            incident_events::to_status.eq(i.status.as_str()),
            incident_events::note.eq(note),
            incident_events::attachments.eq(""),
            incident_events::prev_hash.eq(seal.prev_hash),
            incident_events::hash.eq(&seal.hash),
        ))
        .execute(conn)?;
    crate::signals::notify_on_commit(conn, crate::signals::INCIDENT_EVENTS, &i.id)?;
    Ok(seal.hash)
}

/// An incident with its followers and assists.
/// The incidents of `ids` that exist, with their followers and assists, in
/// three statements whatever their number.
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<StoredIncident>, DbError> {
    let mut found = incidents::table
        .filter(incidents::id.eq_any(ids))
        .select(IncidentRow::as_select())
        .load::<IncidentRow>(conn)?
        .into_iter()
        .map(StoredIncident::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let mut followers: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (incident, user) in incident_followers::table
        .filter(incident_followers::incident_id.eq_any(ids))
        .order(incident_followers::since.asc())
        .select((incident_followers::incident_id, incident_followers::user_id))
        .load::<(String, String)>(conn)?
    {
        followers.entry(incident).or_default().push(user);
    }
    let mut assists = super::assists::of_incidents(conn, ids)?;
    for stored in &mut found {
        let id = &stored.incident.id;
        stored.incident.followers = followers.remove(id).unwrap_or_default();
        stored.incident.assists = assists.remove(id).unwrap_or_default();
    }
    Ok(found)
}

/// One incident. Not `find_many` of one: every read and step goes through
/// here, and PostgreSQL answers `id = $1` faster than `id = ANY($1)` (get by
/// id: 2,289 against 1,980 req/s in bench-incidents at 100k).
pub fn find(conn: &mut DbConnection, id: &str) -> Result<StoredIncident, DbError> {
    let mut stored: StoredIncident = incidents::table
        .find(id)
        .select(IncidentRow::as_select())
        .first(conn)?
        .try_into()?;
    stored.incident.followers = incident_followers::table
        .filter(incident_followers::incident_id.eq(id))
        .order(incident_followers::since.asc())
        .select(incident_followers::user_id)
        .load(conn)?;
    stored.incident.assists = super::assists::of_incidents(conn, &[id.to_owned()])?
        .remove(id)
        .unwrap_or_default();
    Ok(stored)
}

/// What the single read of an incident shows beside its row: asked in the
/// statement that reads the row, each an index probe by the incident's id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Beside {
    /// The patrol the incident was found on.
    pub patrol_id: Option<String>,
    /// The root-cause case it is linked to.
    pub root_id: Option<String>,
    /// How many are linked to it as their root.
    pub linked_count: u32,
    /// Whether it has photos (most have none: their read is skipped).
    pub has_photos: bool,
    /// Whether a step of it was judged on its closure evidence.
    pub judged: bool,
}

/// One incident as its page shows it, in one statement whatever it holds
/// (followers and assists are read only where the statement found some):
/// the row, what [`Beside`] says, and whether followers or assists exist.
/// Get by id went from eight statements to two (this and the timeline).
pub fn find_for_view(
    conn: &mut DbConnection,
    id: &str,
) -> Result<(StoredIncident, Beside), DbError> {
    use crate::schema::{closure_evidence, incident_assists, incident_links, patrol_findings};
    use diesel::dsl::exists;
    let followed =
        exists(incident_followers::table.filter(incident_followers::incident_id.eq(incidents::id)));
    let assisted =
        exists(incident_assists::table.filter(incident_assists::incident_id.eq(incidents::id)));
    let photographed =
        exists(incident_photos::table.filter(incident_photos::incident_id.eq(incidents::id)));
    let judged =
        exists(closure_evidence::table.filter(closure_evidence::incident_id.eq(incidents::id)));
    let patrol = patrol_findings::table
        .filter(patrol_findings::incident_id.eq(incidents::id))
        .select(patrol_findings::patrol_id)
        .single_value();
    let root = incident_links::table
        .filter(incident_links::incident_id.eq(incidents::id))
        .select(incident_links::root_id)
        .single_value();
    let linked = incident_links::table
        .filter(incident_links::root_id.eq(incidents::id))
        .count()
        .single_value();
    #[allow(clippy::type_complexity)]
    let (row, followed, assisted, has_photos, judged, patrol_id, root_id, linked): (
        IncidentRow,
        bool,
        bool,
        bool,
        bool,
        Option<String>,
        Option<String>,
        Option<i64>,
    ) = incidents::table
        .find(id)
        .select((
            IncidentRow::as_select(),
            followed,
            assisted,
            photographed,
            judged,
            patrol,
            root,
            linked,
        ))
        .first(conn)?;
    let mut stored = StoredIncident::try_from(row)?;
    if followed {
        stored.incident.followers = incident_followers::table
            .filter(incident_followers::incident_id.eq(id))
            .order(incident_followers::since.asc())
            .select(incident_followers::user_id)
            .load(conn)?;
    }
    if assisted {
        stored.incident.assists = super::assists::of_incidents(conn, &[id.to_owned()])?
            .remove(id)
            .unwrap_or_default();
    }
    let beside = Beside {
        patrol_id,
        root_id,
        linked_count: u32::try_from(linked.unwrap_or(0)).unwrap_or(u32::MAX),
        has_photos,
        judged,
    };
    Ok((stored, beside))
}

/// Locks the incident's row until the transaction ends and reads it with its
/// followers and assists: the incident a step decides on is then the one it
/// writes to (two dispatchers calling parties at once take turns).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<StoredIncident, DbError> {
    // A write that changes nothing: portable where `SELECT … FOR UPDATE` is
    // not (SQLite), and on SQLite the write transaction already serialises.
    let locked = diesel::update(incidents::table.find(id))
        .set(incidents::version.eq(incidents::version))
        .execute(conn)?;
    if locked == 0 {
        return Err(DbError::NotFound);
    }
    find(conn, id)
}

/// Stores the incident after a step, if nobody changed it since
/// `expected_version`; appends the step's event, linked to `prev_hash` when
/// the caller's transaction wrote the event before it (else the hash is
/// read). The new event's hash; `Ok(None)` means somebody was faster:
/// nothing was written.
pub fn save_step(
    conn: &mut DbConnection,
    next: &StoredIncident,
    expected_version: i64,
    event: &TimelineEvent,
    prev_hash: Option<String>,
) -> Result<Option<String>, DbError> {
    let row = IncidentRow::from(next);
    let changed = diesel::update(
        incidents::table
            .find(&row.id)
            .filter(incidents::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    // One event per version: the event's sequence is the version it made.
    let seq = i32::try_from(row.version).unwrap_or(i32::MAX);
    let detail = event
        .detail
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok());
    // The row written above is this transaction's until it commits: no
    // other event of the incident can come between this read and the insert.
    let prev_hash = match prev_hash {
        Some(known) => known,
        None => chain::hash_before(conn, &row.id, seq)?,
    };
    let seal = chain::seal(
        conn,
        prev_hash,
        &EventFields {
            incident_id: &row.id,
            seq,
            action: event.action.as_str(),
            actor_id: &event.actor_id,
            occurred_at: event.at,
            from_status: Some(event.from.as_str()),
            to_status: event.to.as_str(),
            note: event.note.as_deref(),
            detail: detail.as_deref(),
        },
        &event.attachments,
    )?;
    diesel::insert_into(incident_events::table)
        .values((
            incident_events::id.eq(Uuid::now_v7().to_string()),
            incident_events::incident_id.eq(&row.id),
            incident_events::seq.eq(seq),
            incident_events::action.eq(event.action.as_str()),
            incident_events::actor_id.eq(&event.actor_id),
            incident_events::occurred_at.eq(event.at),
            incident_events::from_status.eq(Some(event.from.as_str())),
            incident_events::to_status.eq(event.to.as_str()),
            incident_events::note.eq(event.note.as_deref()),
            incident_events::attachments.eq(event.attachments.join(",")),
            incident_events::detail.eq(detail.as_deref()),
            incident_events::prev_hash.eq(seal.prev_hash),
            incident_events::hash.eq(&seal.hash),
            incident_events::photo_sha256.eq(seal.photo_sha256),
        ))
        .execute(conn)?;
    crate::signals::notify_on_commit(conn, crate::signals::INCIDENT_EVENTS, &row.id)?;
    Ok(Some(seal.hash))
}

/// The actor id of steps nobody took by hand: routing by the rules,
/// escalation of an overdue step.
pub use gridops_domain::incident::SYSTEM_ACTOR;

/// Appends to the timeline an event that leaves the status as it is (an
/// escalation, a lead calling an assisting party, a clock paused), by
/// `actor_id`. The incident's version is bumped so events keep one sequence
/// number per version and clients holding the old ETag hear that it changed.
/// Returns the new version.
pub fn append_event(
    conn: &mut DbConnection,
    incident_id: &str,
    action: &str,
    actor_id: &str,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<i64, DbError> {
    let changed = diesel::update(incidents::table.find(incident_id))
        .set((
            incidents::version.eq(incidents::version + 1),
            incidents::updated_at.eq(at),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    // The hash to link to comes with the version, in the same read, after
    // the bump that holds the incident's row until the commit.
    let last_hash = incident_events::table
        .filter(incident_events::incident_id.eq(incident_id))
        .order(incident_events::seq.desc())
        .select(incident_events::hash)
        .limit(1)
        .single_value();
    let (version, status, prev_hash): (i64, String, Option<String>) = incidents::table
        .find(incident_id)
        .select((incidents::version, incidents::status, last_hash))
        .first(conn)?;
    let seq = i32::try_from(version).unwrap_or(i32::MAX);
    let seal = chain::seal(
        conn,
        prev_hash.unwrap_or_default(),
        &EventFields {
            incident_id,
            seq,
            action,
            actor_id,
            occurred_at: at,
            from_status: Some(status.as_str()),
            to_status: status.as_str(),
            note,
            detail: None,
        },
        &[],
    )?;
    diesel::insert_into(incident_events::table)
        .values((
            incident_events::id.eq(Uuid::now_v7().to_string()),
            incident_events::incident_id.eq(incident_id),
            incident_events::seq.eq(seq),
            incident_events::action.eq(action),
            incident_events::actor_id.eq(actor_id),
            incident_events::occurred_at.eq(at),
            incident_events::from_status.eq(Some(status.as_str())),
            incident_events::to_status.eq(status.as_str()),
            incident_events::note.eq(note),
            incident_events::attachments.eq(""),
            incident_events::prev_hash.eq(seal.prev_hash),
            incident_events::hash.eq(seal.hash),
        ))
        .execute(conn)?;
    crate::signals::notify_on_commit(conn, crate::signals::INCIDENT_EVENTS, incident_id)?;
    Ok(version)
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = incident_events)]
pub struct EventRow {
    pub seq: i32,
    pub action: String,
    pub actor_id: String,
    pub occurred_at: NaiveDateTime,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: Option<String>,
    pub attachments: String,
    /// The step's `EventDetail` as JSON (steps since 2026-12-04).
    pub detail: Option<String>,
}

/// The timeline, oldest first, with the name of each step's actor where the actor is staff
/// (holds any role but resident), in the one statement that reads the
/// timeline: residents stay unnamed (保护举报人).
pub fn events_with_staff_names(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Vec<(EventRow, Option<String>)>, DbError> {
    use crate::schema::{role_assignments, users};
    let staff = diesel::dsl::exists(
        role_assignments::table
            .filter(role_assignments::user_id.eq(incident_events::actor_id))
            .filter(role_assignments::role.ne(gridops_domain::role::Role::Resident.as_str())),
    );
    let rows: Vec<(EventRow, Option<String>, bool)> = incident_events::table
        .left_join(users::table.on(users::id.eq(incident_events::actor_id)))
        .filter(incident_events::incident_id.eq(id))
        .order(incident_events::seq.asc())
        .select((EventRow::as_select(), users::display_name.nullable(), staff))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(event, name, staff)| (event, name.filter(|_| staff)))
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, PartialEq)]
#[diesel(table_name = incident_photos)]
pub struct PhotoRow {
    pub incident_id: String,
    pub photo_key: String,
    pub kind: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
    pub taken_at: Option<NaiveDateTime>,
    pub taken_lat: Option<f64>,
    pub taken_lng: Option<f64>,
    pub original_sha256: String,
}

pub fn photos(conn: &mut DbConnection, id: &str) -> Result<Vec<PhotoRow>, DbError> {
    Ok(incident_photos::table
        .filter(incident_photos::incident_id.eq(id))
        .order((
            incident_photos::uploaded_at.asc(),
            incident_photos::photo_key.asc(),
        ))
        .select(PhotoRow::as_select())
        .load(conn)?)
}

/// Adds a photo; `Ok(false)` when this incident already has the same photo.
pub fn add_photo(conn: &mut DbConnection, photo: &PhotoRow) -> Result<bool, DbError> {
    insert_unless_exists(conn, |conn| {
        diesel::insert_into(incident_photos::table)
            .values(photo)
            .execute(conn)
    })
}

/// `user_id` follows `incident_id` (the reporter of a duplicate).
pub fn follow(conn: &mut DbConnection, incident_id: &str, user_id: &str) -> Result<(), DbError> {
    insert_unless_exists(conn, |conn| {
        diesel::insert_into(incident_followers::table)
            .values((
                incident_followers::incident_id.eq(incident_id),
                incident_followers::user_id.eq(user_id),
                incident_followers::since.eq(super::now()),
            ))
            .execute(conn)
    })?;
    Ok(())
}

/// An open incident near a new report.
#[derive(Debug, Clone, Queryable, PartialEq)]
pub struct Nearby {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub lat: f64,
    pub lng: f64,
    pub created_at: NaiveDateTime,
}

/// Open (not [final](Status::FINAL)) incidents of `category` created since
/// `since` inside the box around a point; the caller measures the real distance.
pub fn open_nearby(
    conn: &mut DbConnection,
    category: &str,
    (min_lat, min_lng, max_lat, max_lng): (f64, f64, f64, f64),
    since: NaiveDateTime,
) -> Result<Vec<Nearby>, DbError> {
    Ok(incidents::table
        .filter(incidents::category_code.eq(category))
        .filter(incidents::created_at.ge(since))
        .filter(incidents::status.ne_all(Status::FINAL.map(Status::as_str)))
        .filter(incidents::lat.between(min_lat, max_lat))
        .filter(incidents::lng.between(min_lng, max_lng))
        .order(incidents::created_at.asc())
        .limit(50)
        .select((
            incidents::id,
            incidents::reference,
            incidents::status,
            incidents::lat,
            incidents::lng,
            incidents::created_at,
        ))
        .load(conn)?)
}

diesel::define_sql_function! {
    /// `substr(text, start, length)`, 1-based, the same on both backends.
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// "In this area or below": codes nest, so a prefix of the grid code; a
/// prefecture-level city (`XXYY00`) covers every code starting `XXYY`.
/// Written as `substr(grid_code, 1, n) = prefix` on purpose: no index can
/// serve it, so the planner walks the sort order and filters, which is fast
/// for an area holding many incidents. Small areas are not filtered this way
/// at all but read grid by grid (see [`Scope::Grid`]).
fn in_area(area: &str) -> Condition {
    let prefix = AreaCode::parse(area)
        .map_or_else(|_| area.to_owned(), |code| code.subtree_prefix().to_owned());
    let length = i32::try_from(prefix.len()).unwrap_or(i32::MAX);
    Box::new(substr(incidents::grid_code, 1, length).eq(prefix))
}

/// Areas of at most this many grids are read one grid at a time: each grid
/// is one ordered range of the (grid_code, created_at) index, so a page
/// costs a page, however many incidents the area has.
const SPLIT_GRIDS: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub statuses: Vec<String>,
    /// A category and its subtree.
    pub category: Option<String>,
    /// An area and everything below it.
    pub area: Option<String>,
    pub party: Option<String>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    /// Past the resolve deadline and not yet [settled](Status::SETTLED), at this time.
    pub overdue_at: Option<NaiveDateTime>,
    pub created_from: Option<NaiveDateTime>,
    pub created_to: Option<NaiveDateTime>,
    pub updated_from: Option<NaiveDateTime>,
    pub updated_to: Option<NaiveDateTime>,
    /// (min_lng, min_lat, max_lng, max_lat)
    pub bbox: Option<(f64, f64, f64, f64)>,
    /// The grids the area and the bounding box leave, when either is given:
    /// what lets a list be read grid by grid.
    pub grids: Option<Vec<String>>,
    pub text: Option<String>,
    /// `patrol`, `resident`, …
    pub source: Option<String>,
    /// A tab of the dispatcher's queue, as of this time.
    pub queue: Option<(QueueTab, NaiveDateTime)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    NewestFirst,
    OldestFirst,
    RecentlyUpdated,
}

/// A position in a sorted list: the sort key and the id of the last row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub id: String,
}

/// One relation through which a caller sees incidents. A list is read as
/// one query per relation, each a plain conjunction the planner can answer
/// from one index in sort order, merged here: an OR of relations in one
/// query made both planners scan far more than a page at a million rows.
#[derive(Debug, Clone, PartialEq)]
enum Scope {
    Everything,
    Reporter(String),
    /// An area too large to read grid by grid.
    Area(String),
    Grid(String),
    Party(String),
    Ids(Vec<String>),
}

impl Scope {
    fn condition(&self) -> Option<Condition> {
        Some(match self {
            Scope::Everything => return None,
            Scope::Reporter(me) => Box::new(incidents::reporter_id.eq(me.clone())),
            Scope::Area(area) => in_area(area),
            Scope::Grid(grid) => Box::new(incidents::grid_code.eq(grid.clone())),
            Scope::Party(party) => {
                Box::new(incidents::party_code.assume_not_null().eq(party.clone()))
            }
            Scope::Ids(ids) => Box::new(incidents::id.eq_any(ids.clone())),
        })
    }
}

/// The relations of the caller's scope (computed by the domain) worth
/// querying for this filter: none beyond the filter itself when the filter
/// already stays inside what the caller may see; small areas one grid at a
/// time.
fn scopes(
    conn: &mut DbConnection,
    scope: &gridops_domain::incident::ListScope,
    filter: &IncidentFilter,
) -> Result<Vec<Scope>, DbError> {
    let visibility = &scope.visibility;
    // The grids of `grids` the filter leaves (all when it says nothing of grids).
    let narrowed = |grids: &[AreaCode]| -> Vec<String> {
        grids
            .iter()
            .map(AreaCode::as_str)
            .filter(|g| {
                filter
                    .grids
                    .as_ref()
                    .is_none_or(|wanted| wanted.iter().any(|w| w == g))
            })
            .map(str::to_owned)
            .collect()
    };
    let filter_area = filter.area.as_deref().and_then(|a| AreaCode::parse(a).ok());
    if visibility.includes_all_of(
        filter_area.as_ref(),
        filter.party.as_deref(),
        filter.reporter.as_deref(),
    ) {
        return Ok(match &filter.grids {
            Some(grids) if grids.len() <= SPLIT_GRIDS => {
                grids.iter().cloned().map(Scope::Grid).collect()
            }
            _ => vec![Scope::Everything],
        });
    }
    let me = &visibility.user;
    let mut scopes = vec![Scope::Reporter(me.clone())];
    let followed: Vec<String> = incident_followers::table
        .filter(incident_followers::user_id.eq(me))
        .select(incident_followers::incident_id)
        .load(conn)?;
    if !followed.is_empty() {
        scopes.push(Scope::Ids(followed));
    }
    // The domain leaves out areas inside others of the caller's.
    for area in &scope.areas {
        let grids = narrowed(&area.grids);
        if grids.len() <= SPLIT_GRIDS {
            scopes.extend(grids.into_iter().map(Scope::Grid));
        } else {
            scopes.push(Scope::Area(area.area.to_string()));
        }
    }
    for party in &visibility.parties {
        scopes.push(Scope::Party(party.clone()));
    }
    // Handlers also see the cases their party was called to assist on.
    let assisted = super::assists::assisted_by(conn, &visibility.parties)?;
    if !assisted.is_empty() {
        scopes.push(Scope::Ids(assisted));
    }
    scopes.dedup();
    Ok(scopes)
}

/// The filter, the cursor position and nothing else, as conditions.
fn conditions(filter: &IncidentFilter, sort: Sort, after: Option<&Cursor>) -> Vec<Condition> {
    let mut all: Vec<Condition> = Vec::new();
    if !filter.statuses.is_empty() {
        all.push(Box::new(incidents::status.eq_any(filter.statuses.clone())));
    }
    if let Some(category) = &filter.category {
        all.push(Box::new(
            incidents::category_code
                .eq(category.clone())
                .or(incidents::category_code.like(format!("{category}.%"))),
        ));
    }
    if let Some(area) = &filter.area {
        all.push(in_area(area));
    }
    if let Some(party) = &filter.party {
        all.push(Box::new(
            incidents::party_code.assume_not_null().eq(party.clone()),
        ));
    }
    if let Some(assignee) = &filter.assignee {
        all.push(Box::new(
            incidents::assignee_id
                .assume_not_null()
                .eq(assignee.clone()),
        ));
    }
    if let Some(reporter) = &filter.reporter {
        all.push(Box::new(incidents::reporter_id.eq(reporter.clone())));
    }
    if let Some(now) = filter.overdue_at {
        all.push(Box::new(incidents::resolve_due.assume_not_null().lt(now)));
        all.push(Box::new(
            incidents::status.ne_all(Status::SETTLED.map(Status::as_str)),
        ));
    }
    if let Some(from) = filter.created_from {
        all.push(Box::new(incidents::created_at.ge(from)));
    }
    if let Some(to) = filter.created_to {
        all.push(Box::new(incidents::created_at.lt(to)));
    }
    if let Some(from) = filter.updated_from {
        all.push(Box::new(incidents::updated_at.ge(from)));
    }
    if let Some(to) = filter.updated_to {
        all.push(Box::new(incidents::updated_at.lt(to)));
    }
    if let Some((min_lng, min_lat, max_lng, max_lat)) = filter.bbox {
        all.push(Box::new(incidents::lat.between(min_lat, max_lat)));
        all.push(Box::new(incidents::lng.between(min_lng, max_lng)));
    }
    if let Some(text) = &filter.text {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        // A description's words, or a reference read out on the phone.
        all.push(Box::new(
            incidents::description
                .like(format!("%{escaped}%"))
                .escape('\\')
                .or(incidents::reference
                    .like(format!("%{escaped}%"))
                    .escape('\\')),
        ));
    }
    if let Some(source) = &filter.source {
        all.push(Box::new(incidents::source.eq(source.clone())));
    }
    if let Some((tab, now)) = filter.queue {
        all.extend(in_queue(tab, now));
    }
    if let Some(c) = after {
        all.push(match sort {
            Sort::NewestFirst => Box::new(
                incidents::created_at.lt(c.at).or(incidents::created_at
                    .eq(c.at)
                    .and(incidents::id.lt(c.id.clone()))),
            ),
            Sort::OldestFirst => Box::new(
                incidents::created_at.gt(c.at).or(incidents::created_at
                    .eq(c.at)
                    .and(incidents::id.gt(c.id.clone()))),
            ),
            Sort::RecentlyUpdated => Box::new(
                incidents::updated_at.lt(c.at).or(incidents::updated_at
                    .eq(c.at)
                    .and(incidents::id.lt(c.id.clone()))),
            ),
        });
    }
    all
}

/// [`QueueTab::holds`] in SQL.
fn in_queue(tab: QueueTab, now: NaiveDateTime) -> Vec<Condition> {
    let reported = || Box::new(incidents::status.eq(Status::Reported.as_str()));
    let accepted = || Box::new(incidents::status.eq(Status::Accepted.as_str()));
    let open =
        || Box::new(incidents::status.ne_all(Status::SETTLED.map(Status::as_str))) as Condition;
    // needs_on_site_check: a resident's or an Open311 client's report of a
    // category checked on site.
    let checked_sources = [Source::Resident.as_str(), Source::Open311.as_str()];
    let checked_categories = || {
        categories::table
            .filter(categories::verify_on_site.eq(true))
            .select(categories::code)
    };
    match tab {
        QueueTab::New => vec![
            reported(),
            Box::new(
                incidents::source
                    .ne_all(checked_sources)
                    .or(incidents::category_code.ne_all(checked_categories())),
            ),
        ],
        QueueTab::OnSiteCheck => vec![
            reported(),
            Box::new(incidents::source.eq_any(checked_sources)),
            Box::new(incidents::category_code.eq_any(checked_categories())),
        ],
        QueueTab::Triage => vec![accepted(), Box::new(incidents::returned_by.eq(""))],
        QueueTab::Returned => vec![accepted(), Box::new(incidents::returned_by.ne(""))],
        QueueTab::Verify => vec![Box::new(incidents::status.eq(Status::Resolved.as_str()))],
        QueueTab::Overdue => vec![
            open(),
            Box::new(incidents::resolve_due.assume_not_null().lt(now)),
        ],
        QueueTab::Escalated => vec![
            open(),
            Box::new(
                incidents::id.eq_any(
                    deadlines::table
                        .filter(deadlines::escalated_to.is_not_null())
                        // Still runs (`QueueFacts::escalated`): a clock
                        // paused by a suspension or the problem ledger is
                        // off the escalated tab as it is off the overdue one.
                        .filter(
                            deadlines::state
                                .eq(gridops_domain::deadline::ClockState::Running.as_str()),
                        )
                        .select(deadlines::incident_id),
                ),
            ),
        ],
    }
}

/// How many incidents `scope` lets the caller see that `filter` leaves,
/// each counted once however many relations show it.
pub fn count(
    conn: &mut DbConnection,
    scope: &gridops_domain::incident::ListScope,
    filter: &IncidentFilter,
) -> Result<usize, DbError> {
    let relations = scopes(conn, scope, filter)?;
    let query = |relation: &Scope| {
        let mut query = incidents::table.into_boxed();
        if let Some(condition) = relation.condition() {
            query = query.filter(condition);
        }
        for condition in conditions(filter, Sort::NewestFirst, None) {
            query = query.filter(condition);
        }
        query
    };
    if let [only] = relations.as_slice() {
        let n: i64 = query(only).count().get_result(conn)?;
        return Ok(usize::try_from(n).unwrap_or(0));
    }
    let mut seen = std::collections::HashSet::new();
    for relation in &relations {
        seen.extend(query(relation).select(incidents::id).load::<String>(conn)?);
    }
    Ok(seen.len())
}

/// The page of incidents `scope` lets the caller see that `filter` leaves.
pub fn list(
    conn: &mut DbConnection,
    scope: &gridops_domain::incident::ListScope,
    filter: &IncidentFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: usize,
) -> Result<Page<StoredIncident>, DbError> {
    let wanted = limit + 1;
    let cut = i64::try_from(wanted).unwrap_or(i64::MAX);
    // First the sort keys of the page, each relation an ordered range of
    // its index cut at `wanted`, merged in one statement; then only the
    // rows that make the page: a caller with five relations reads 51
    // incidents, not 255, in two statements, not six.
    // The same statement for either sort column (two column types, one shape).
    macro_rules! keys_by {
        ($column:expr, $column_name:literal) => {{
            let mut parts = Vec::new();
            for relation in scopes(conn, scope, filter)? {
                let mut query = incidents::table
                    .select(($column, incidents::id))
                    .into_boxed();
                if let Some(condition) = relation.condition() {
                    query = query.filter(condition);
                }
                for condition in conditions(filter, sort, after) {
                    query = query.filter(condition);
                }
                query = if sort == Sort::OldestFirst {
                    query.order(($column.asc(), incidents::id.asc()))
                } else {
                    query.order(($column.desc(), incidents::id.desc()))
                };
                parts.push(query.limit(cut));
            }
            let order = if sort == Sort::OldestFirst {
                concat!($column_name, " ASC, id ASC")
            } else {
                concat!($column_name, " DESC, id DESC")
            };
            if parts.is_empty() {
                Vec::new()
            } else {
                super::merged::Merged {
                    parts,
                    order,
                    limit: cut,
                }
                .load::<(NaiveDateTime, String)>(conn)?
            }
        }};
    }
    let keys = match sort {
        Sort::RecentlyUpdated => keys_by!(incidents::updated_at, "updated_at"),
        Sort::NewestFirst | Sort::OldestFirst => keys_by!(incidents::created_at, "created_at"),
    };
    let ids: Vec<&String> = keys.iter().map(|(_, id)| id).collect();
    // Whether a row has assists, in the statement that reads it: most have
    // none, and then they cost no statement.
    let assisted = diesel::dsl::exists(
        crate::schema::incident_assists::table
            .filter(crate::schema::incident_assists::incident_id.eq(incidents::id)),
    );
    let mut rows: std::collections::HashMap<String, (IncidentRow, bool)> = incidents::table
        .filter(incidents::id.eq_any(ids))
        .select((IncidentRow::as_select(), assisted))
        .load::<(IncidentRow, bool)>(conn)?
        .into_iter()
        .map(|(row, assisted)| (row.id.clone(), (row, assisted)))
        .collect();
    let mut with_assists = Vec::new();
    let mut page = Vec::with_capacity(keys.len());
    for (_, id) in &keys {
        if let Some((row, assisted)) = rows.remove(id) {
            if assisted {
                with_assists.push(row.id.clone());
            }
            page.push(StoredIncident::try_from(row)?);
        }
    }
    if !with_assists.is_empty() {
        let mut assists = super::assists::of_incidents(conn, &with_assists)?;
        for stored in &mut page {
            stored.incident.assists = assists.remove(&stored.incident.id).unwrap_or_default();
        }
    }
    // The cursor is the sort key as read with the keys, so that a row
    // changing meanwhile cannot make the next page skip or repeat.
    let cursor_of: std::collections::HashMap<&str, NaiveDateTime> =
        keys.iter().map(|(at, id)| (id.as_str(), *at)).collect();
    Ok(Page::from_overfetch(page, limit, |s| {
        let at = cursor_of
            .get(s.incident.id.as_str())
            .copied()
            .unwrap_or(s.incident.created_at);
        format!("{}_{}", at.and_utc().timestamp_micros(), s.incident.id)
    }))
}
