//! Devices, the in-app inbox, notices and the push outbox.
//!
//! A notification is written as one inbox entry per recipient plus, for
//! recipients with a registered phone, one outbox row per channel, all in
//! the transaction of the change it announces: a change that rolls back
//! leaves nothing to send.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamp};
use gridops_domain::area::AreaCode;
use gridops_domain::category::Category;
use gridops_domain::incident::Incident;
use gridops_domain::notification::audience::{
    Reach, notice_reach, notice_recipients, once_each, recipients,
};
use gridops_domain::notification::template::{Facts, Language, incident_text};
use gridops_domain::notification::{Audience, NoticeAudience, Settlement, Tell, Topic};
use gridops_domain::role::Role;
use uuid::Uuid;

use super::Page;
use crate::db::{DbConnection, DbError, insert_unless_exists};
use crate::schema::{devices, notices, notifications, outbox, role_assignments, users};
use crate::signals::{OUTBOX, notify_on_commit};

/// The one channel so far; SMS would be another.
pub const PUSH: &str = "push";

/// Rows per INSERT: well under SQLite's limit of bound parameters.
const CHUNK: usize = 500;

/// A multi-row INSERT: diesel builds those per backend, not for the
/// multi-connection, so it goes to the inner connection.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = devices)]
pub struct DeviceRow {
    pub id: String,
    pub user_id: String,
    pub token: String,
    pub platform: String,
    pub locale: String,
    pub app_version: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a phone says about itself when it registers.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub token: String,
    pub platform: String,
    pub locale: String,
    pub app_version: Option<String>,
}

/// Registers a push token for `user_id`; a token already known moves to
/// them (the phone changed hands). `true` when the token was new.
pub fn register_device(
    conn: &mut DbConnection,
    user_id: &str,
    device: &NewDevice,
    now: NaiveDateTime,
) -> Result<(DeviceRow, bool), DbError> {
    let row = DeviceRow {
        id: Uuid::now_v7().to_string(),
        user_id: user_id.to_owned(),
        token: device.token.clone(),
        platform: device.platform.clone(),
        locale: device.locale.clone(),
        app_version: device.app_version.clone(),
        created_at: now,
        updated_at: now,
    };
    let created = insert_unless_exists(conn, |conn| {
        diesel::insert_into(devices::table)
            .values(&row)
            .execute(conn)
    })?;
    if !created {
        diesel::update(devices::table.filter(devices::token.eq(&device.token)))
            .set((
                devices::user_id.eq(user_id),
                devices::platform.eq(&device.platform),
                devices::locale.eq(&device.locale),
                devices::app_version.eq(&device.app_version),
                devices::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let stored = devices::table
        .filter(devices::token.eq(&device.token))
        .select(DeviceRow::as_select())
        .first(conn)?;
    Ok((stored, created))
}

/// Removes one of `user_id`'s devices; `false` when they have no such device.
pub fn delete_device(conn: &mut DbConnection, user_id: &str, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        devices::table
            .filter(devices::id.eq(id))
            .filter(devices::user_id.eq(user_id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// Forgets a token the push provider no longer knows (the app was removed).
pub fn forget_token(conn: &mut DbConnection, token: &str) -> Result<(), DbError> {
    diesel::delete(devices::table.filter(devices::token.eq(token))).execute(conn)?;
    Ok(())
}

/// [`forget_token`] for the tokens a batch of pushes found gone.
pub fn forget_tokens(conn: &mut DbConnection, tokens: &[String]) -> Result<(), DbError> {
    for chunk in tokens.chunks(CHUNK) {
        diesel::delete(devices::table.filter(devices::token.eq_any(chunk))).execute(conn)?;
    }
    Ok(())
}

pub fn devices_of(conn: &mut DbConnection, user_id: &str) -> Result<Vec<DeviceRow>, DbError> {
    Ok(devices::table
        .filter(devices::user_id.eq(user_id))
        .order(devices::created_at.asc())
        .select(DeviceRow::as_select())
        .load(conn)?)
}

/// The phones of several users, for a batch of pushes.
pub fn devices_of_users(
    conn: &mut DbConnection,
    user_ids: &[String],
) -> Result<Vec<DeviceRow>, DbError> {
    let mut all = Vec::new();
    for chunk in user_ids.chunks(CHUNK) {
        all.extend(
            devices::table
                .filter(devices::user_id.eq_any(chunk))
                .order(devices::created_at.asc())
                .select(DeviceRow::as_select())
                .load(conn)?,
        );
    }
    Ok(all)
}

pub use gridops_domain::notification::audience::Member;

/// Runs one query the domain named: the enabled users it finds, as found.
fn find(conn: &mut DbConnection, reach: &Reach) -> Result<Vec<Member>, DbError> {
    let names =
        |roles: &[Role]| -> Vec<&'static str> { roles.iter().map(|r| r.as_str()).collect() };
    let enabled = users::disabled.eq(false);
    let member = (users::id, users::locale);
    let found: Vec<(String, String)> = match reach {
        Reach::Users(ids) => users::table
            .filter(users::id.eq_any(ids))
            .filter(enabled)
            .select(member)
            .load(conn)?,
        Reach::PartyHandlers(party) => role_assignments::table
            .inner_join(users::table)
            .filter(role_assignments::role.eq(Role::Handler.as_str()))
            .filter(role_assignments::party_code.assume_not_null().eq(party))
            .filter(enabled)
            .select(member)
            .load(conn)?,
        Reach::RolesAt { roles, areas } => {
            let areas: Vec<&str> = areas.iter().map(AreaCode::as_str).collect();
            role_assignments::table
                .inner_join(users::table)
                .filter(role_assignments::role.eq_any(names(roles)))
                .filter(role_assignments::area_code.assume_not_null().eq_any(areas))
                .filter(enabled)
                .select(member)
                .load(conn)?
        }
        Reach::RolesUnder { roles, area } => {
            // The codes of the subtree: `:` sorts after every digit.
            let prefix = area.subtree_prefix();
            let (from, to) = (prefix.to_owned(), format!("{prefix}:"));
            role_assignments::table
                .inner_join(users::table)
                .filter(role_assignments::role.eq_any(names(roles)))
                .filter(role_assignments::area_code.assume_not_null().ge(from))
                .filter(role_assignments::area_code.assume_not_null().lt(to))
                .filter(enabled)
                .select(member)
                .load(conn)?
        }
    };
    Ok(found
        .into_iter()
        .map(|(user_id, locale)| Member { user_id, locale })
        .collect())
}

/// The people an audience names, each once, disabled accounts left out.
pub fn members(conn: &mut DbConnection, audience: &Audience) -> Result<Vec<Member>, DbError> {
    Ok(once_each(find(conn, &audience.reach())?))
}

/// One inbox entry about to be written.
#[derive(Debug, Clone, Insertable)]
// Multi-row inserts on SQLite need every column written, NULLs included.
#[diesel(table_name = notifications, treat_none_as_default_value = false)]
struct NewNotification {
    id: String,
    user_id: String,
    topic: String,
    incident_id: Option<String>,
    notice_id: Option<String>,
    check_task_id: Option<String>,
    title: String,
    body: String,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
struct NewOutboxRow {
    id: String,
    notification_id: String,
    user_id: String,
    channel: &'static str,
    state: &'static str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// What telling wrote: inbox entries (one a person) and pushes (one a
/// person with a phone; the delivery workers need waking only for these).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Told {
    pub people: usize,
    pub pushes: usize,
}

/// Writes the inbox entries and, for those with a phone, the pushes.
fn write(conn: &mut DbConnection, entries: Vec<NewNotification>) -> Result<Told, DbError> {
    let people = entries.len();
    let mut pushes = Vec::new();
    for chunk in entries.chunks(CHUNK) {
        insert_rows!(conn, notifications::table, chunk)?;
        let user_ids: Vec<&str> = chunk.iter().map(|e| e.user_id.as_str()).collect();
        let with_phone: std::collections::HashSet<String> = devices::table
            .filter(devices::user_id.eq_any(user_ids))
            .select(devices::user_id)
            .distinct()
            .load::<String>(conn)?
            .into_iter()
            .collect();
        pushes.extend(
            chunk
                .iter()
                .filter(|e| with_phone.contains(&e.user_id))
                .map(|e| NewOutboxRow {
                    id: Uuid::now_v7().to_string(),
                    notification_id: e.id.clone(),
                    user_id: e.user_id.clone(),
                    channel: PUSH,
                    state: "pending",
                    attempts: 0,
                    next_attempt_at: e.created_at,
                    created_at: e.created_at,
                }),
        );
    }
    for chunk in pushes.chunks(CHUNK) {
        insert_rows!(conn, outbox::table, chunk)?;
    }
    if !pushes.is_empty() {
        notify_on_commit(conn, OUTBOX, "")?;
    }
    Ok(Told {
        people,
        pushes: pushes.len(),
    })
}

/// Tells the people a lifecycle step concerns, in their own language. The
/// actor is never told of their own step, and nobody twice.
pub fn tell_about_incident(
    conn: &mut DbConnection,
    incident: &Incident,
    tells: &[Tell],
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<Told, DbError> {
    if tells.is_empty() {
        return Ok(Told::default());
    }
    let category = super::categories::find(conn, &incident.category)?;
    tell_of_category(conn, incident, &category, tells, actor_id, now)
}

/// [`tell_about_incident`] with the incident's category already read.
pub fn tell_of_category(
    conn: &mut DbConnection,
    incident: &Incident,
    category: &Category,
    tells: &[Tell],
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<Told, DbError> {
    if tells.is_empty() {
        return Ok(Told::default());
    }
    let facts = Facts {
        reference: &incident.reference,
        category_zh: &category.label_zh,
        category_en: &category.label_en,
    };
    let entries = recipients(tells, actor_id, |audience| members(conn, audience))?
        .into_iter()
        .map(|(tell, member)| {
            let (title, body) = incident_text(
                tell.topic,
                tell.why,
                Language::of_locale(&member.locale),
                facts,
            );
            NewNotification {
                id: Uuid::now_v7().to_string(),
                user_id: member.user_id,
                topic: tell.topic.as_str().to_owned(),
                incident_id: Some(incident.id.clone()),
                notice_id: None,
                check_task_id: None,
                title,
                body,
                created_at: now,
            }
        })
        .collect();
    write(conn, entries)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = notices)]
pub struct NoticeRow {
    pub id: String,
    pub area_code: String,
    /// Comma-separated: `residents`, `workers`.
    pub audience: String,
    pub title: String,
    pub body: String,
    pub author_id: String,
    pub recipients: i32,
    pub created_at: NaiveDateTime,
}

/// The people a notice by `author_id` to `area` reaches (see
/// [`notice_reach`]), each once, in the order of their ids.
pub fn notice_members(
    conn: &mut DbConnection,
    area: &AreaCode,
    audience: &[NoticeAudience],
    author_id: &str,
) -> Result<Vec<String>, DbError> {
    let mut found = Vec::new();
    for reach in notice_reach(area, audience) {
        found.extend(find(conn, &reach)?.into_iter().map(|m| m.user_id));
    }
    Ok(notice_recipients(found, author_id))
}

/// Stores a notice and puts it in the inbox (and on the phones) of everyone
/// it reaches but its author.
pub fn post_notice(
    conn: &mut DbConnection,
    notice: &NoticeRow,
    audience: &[NoticeAudience],
) -> Result<NoticeRow, DbError> {
    let area = AreaCode::parse(&notice.area_code)
        .map_err(|e| DbError::Other(format!("notice area {}: {e}", notice.area_code)))?;
    let members = notice_members(conn, &area, audience, &notice.author_id)?;
    let stored = NoticeRow {
        recipients: i32::try_from(members.len()).unwrap_or(i32::MAX),
        ..notice.clone()
    };
    diesel::insert_into(notices::table)
        .values(&stored)
        .execute(conn)?;
    let entries = members
        .into_iter()
        .map(|user_id| NewNotification {
            id: Uuid::now_v7().to_string(),
            user_id,
            topic: Topic::Notice.as_str().to_owned(),
            incident_id: None,
            notice_id: Some(stored.id.clone()),
            check_task_id: None,
            title: stored.title.clone(),
            body: stored.body.clone(),
            created_at: stored.created_at,
        })
        .collect();
    write(conn, entries)?;
    Ok(stored)
}

/// An inbox entry about a grid's checklist task (a campaign started).
#[derive(Debug, Clone)]
pub struct TaskEntry {
    pub user_id: String,
    pub task_id: String,
    pub title: String,
    pub body: String,
}

/// Tells each grid's workers and chief of their checklist task: inbox
/// entries with `check_task_id`, and pushes for those with a phone, in the
/// caller's transaction.
pub fn tell_about_tasks(
    conn: &mut DbConnection,
    entries: Vec<TaskEntry>,
    now: NaiveDateTime,
) -> Result<Told, DbError> {
    let entries = entries
        .into_iter()
        .map(|e| NewNotification {
            id: Uuid::now_v7().to_string(),
            user_id: e.user_id,
            topic: Topic::CheckTask.as_str().to_owned(),
            incident_id: None,
            notice_id: None,
            check_task_id: Some(e.task_id),
            title: e.title,
            body: e.body,
            created_at: now,
        })
        .collect();
    write(conn, entries)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub topic: String,
    pub incident_id: Option<String>,
    pub notice_id: Option<String>,
    /// The checklist task the entry is about (a campaign started).
    pub check_task_id: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// A position in an inbox, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxCursor {
    pub at: NaiveDateTime,
    pub id: String,
}

pub fn inbox(
    conn: &mut DbConnection,
    user_id: &str,
    unread_only: bool,
    after: Option<&InboxCursor>,
    limit: usize,
) -> Result<Page<NotificationRow>, DbError> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .select(NotificationRow::as_select())
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some(c) = after {
        query = query.filter(
            notifications::created_at
                .lt(c.at)
                .or(notifications::created_at
                    .eq(c.at)
                    .and(notifications::id.lt(c.id.clone()))),
        );
    }
    let rows = query
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    Ok(Page::from_overfetch(rows, limit, |n| {
        format!("{}_{}", n.created_at.and_utc().timestamp_micros(), n.id)
    }))
}

pub fn unread_count(conn: &mut DbConnection, user_id: &str) -> Result<i64, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of `user_id`'s notifications read (again: no change). Another
/// user's notification is `NotFound`, as if it did not exist.
pub fn mark_read(
    conn: &mut DbConnection,
    user_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<NotificationRow, DbError> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?;
    Ok(notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id))
        .select(NotificationRow::as_select())
        .first(conn)?)
}

/// Marks everything in `user_id`'s inbox read; returns how many were unread.
pub fn mark_all_read(
    conn: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?)
}

// ── The outbox ──────────────────────────────────────────────────────────────────

/// A push a worker has claimed, with what it says.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub user_id: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub topic: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub incident_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub notice_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub check_task_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
}

/// Claims up to `batch` pushes that are due and not claimed by a live
/// worker, for `lease`. On PostgreSQL one statement picks the rows `FOR
/// UPDATE SKIP LOCKED`, leases them and returns them with their text, so
/// workers on several nodes claim disjoint batches without waiting on each
/// other; SQLite has one writer at a time anyway. The lease outlives the
/// transaction: a worker that dies mid-send leaves rows that another claims
/// once the lease lapses, and sends again with the same id.
pub fn claim(
    conn: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    lease: TimeDelta,
    batch: i64,
) -> Result<Vec<Claimed>, DbError> {
    if let DbConnection::Postgresql(pg) = conn {
        // The CTE runs once (a data-modifying or locking CTE is always
        // materialized), so the batch can never grow past its LIMIT.
        return Ok(diesel::sql_query(
            "WITH due AS ( \
                 SELECT id FROM outbox \
                 WHERE state = 'pending' AND next_attempt_at <= $1 \
                   AND (lease_until IS NULL OR lease_until <= $1) \
                 ORDER BY next_attempt_at \
                 LIMIT $4 \
                 FOR UPDATE SKIP LOCKED \
             ), leased AS ( \
                 UPDATE outbox AS o SET lease_owner = $2, lease_until = $3 \
                 FROM due WHERE o.id = due.id \
                 RETURNING o.id, o.user_id, o.attempts, o.notification_id, \
                           o.next_attempt_at, o.created_at \
             ) \
             SELECT l.id, l.user_id, l.attempts, n.topic, n.incident_id, n.notice_id, \
                    n.check_task_id, n.title, n.body, l.created_at \
             FROM leased AS l JOIN notifications AS n ON n.id = l.notification_id \
             ORDER BY l.next_attempt_at, l.id",
        )
        .bind::<Timestamp, _>(now)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(now + lease)
        .bind::<BigInt, _>(batch)
        .load(pg)?);
    }
    let ids: Vec<String> = outbox::table
        .filter(outbox::state.eq("pending"))
        .filter(outbox::next_attempt_at.le(now))
        .filter(
            outbox::lease_until
                .is_null()
                .or(outbox::lease_until.le(now)),
        )
        .order(outbox::next_attempt_at.asc())
        .limit(batch)
        .select(outbox::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::lease_owner.eq(owner),
            outbox::lease_until.eq(now + lease),
        ))
        .execute(conn)?;
    Ok(outbox::table
        .inner_join(notifications::table)
        .filter(outbox::id.eq_any(&ids))
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .select((
            outbox::id,
            outbox::user_id,
            outbox::attempts,
            notifications::topic,
            notifications::incident_id,
            notifications::notice_id,
            notifications::check_task_id,
            notifications::title,
            notifications::body,
            outbox::created_at,
        ))
        .load(conn)?)
}

/// Extends `owner`'s lease on those of `ids` it still holds until `until`,
/// for a batch whose sending outlasts the lease; how many it still held.
pub fn renew_lease(
    conn: &mut DbConnection,
    owner: &str,
    ids: &[String],
    until: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut renewed = 0;
    for chunk in ids.chunks(CHUNK) {
        renewed += diesel::update(
            outbox::table
                .filter(outbox::id.eq_any(chunk))
                .filter(outbox::lease_owner.eq(owner))
                .filter(outbox::state.eq("pending")),
        )
        .set(outbox::lease_until.eq(until))
        .execute(conn)?;
    }
    Ok(renewed)
}

/// Records how each push of a batch ended, for those whose lease `owner`
/// still holds; how many that was (the others lapsed and another worker has
/// them now). On PostgreSQL one statement settles the whole batch, whatever
/// each push's outcome; SQLite, in-process and quick per row, records the
/// sent ones in one statement and each retry or dead letter by itself.
pub fn settle_batch(
    conn: &mut DbConnection,
    owner: &str,
    outcomes: &[(String, Settlement)],
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Postgresql(pg) => settle_on_postgres(pg, owner, outcomes, now),
        DbConnection::Sqlite(_) => {
            // Every settlement counts the attempt and gives the lease back.
            macro_rules! settle_rows {
                ($rows:expr, $($set:expr),+) => {
                    diesel::update(
                        $rows
                            .filter(outbox::lease_owner.eq(owner))
                            .filter(outbox::state.eq("pending")),
                    )
                    .set((
                        outbox::attempts.eq(outbox::attempts + 1),
                        outbox::lease_owner.eq(None::<String>),
                        outbox::lease_until.eq(None::<NaiveDateTime>),
                        $($set),+
                    ))
                    .execute(conn)?
                };
            }
            let sent: Vec<&str> = outcomes
                .iter()
                .filter(|(_, outcome)| matches!(outcome, Settlement::Sent))
                .map(|(id, _)| id.as_str())
                .collect();
            let mut settled = 0;
            for chunk in sent.chunks(CHUNK) {
                settled += settle_rows!(
                    outbox::table.filter(outbox::id.eq_any(chunk)),
                    outbox::state.eq("sent"),
                    outbox::sent_at.eq(Some(now))
                );
            }
            for (id, outcome) in outcomes {
                let row = outbox::table.filter(outbox::id.eq(id));
                settled += match outcome {
                    Settlement::Sent => 0,
                    Settlement::RetryAt(at, error) => settle_rows!(
                        row,
                        outbox::next_attempt_at.eq(at),
                        outbox::last_error.eq(Some(error))
                    ),
                    Settlement::Dead(error) => settle_rows!(
                        row,
                        outbox::state.eq("dead"),
                        outbox::last_error.eq(Some(error))
                    ),
                };
            }
            Ok(settled)
        }
    }
}

/// The batch as parallel arrays joined back to the rows by id: a sent push
/// keeps its `next_attempt_at` and its last error (what went wrong on the
/// way stays readable); a retry moves `next_attempt_at`; a dead letter
/// changes state; each records its error.
fn settle_on_postgres(
    pg: &mut diesel::PgConnection,
    owner: &str,
    outcomes: &[(String, Settlement)],
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut ids = Vec::with_capacity(outcomes.len());
    let mut states = Vec::with_capacity(outcomes.len());
    let mut next_attempts = Vec::with_capacity(outcomes.len());
    let mut errors = Vec::with_capacity(outcomes.len());
    for (id, outcome) in outcomes {
        let (state, next, error) = match outcome {
            Settlement::Sent => ("sent", None, None),
            Settlement::RetryAt(at, error) => ("pending", Some(*at), Some(error.as_str())),
            Settlement::Dead(error) => ("dead", None, Some(error.as_str())),
        };
        ids.push(id.as_str());
        states.push(state);
        next_attempts.push(next);
        errors.push(error);
    }
    Ok(diesel::sql_query(
        "UPDATE outbox AS o SET \
             attempts = o.attempts + 1, \
             lease_owner = NULL, \
             lease_until = NULL, \
             state = v.state, \
             sent_at = CASE WHEN v.state = 'sent' THEN $5 ELSE o.sent_at END, \
             next_attempt_at = COALESCE(v.next_attempt_at, o.next_attempt_at), \
             last_error = COALESCE(v.error, o.last_error) \
         FROM unnest($1::text[], $2::text[], $3::timestamp[], $4::text[]) \
              AS v(id, state, next_attempt_at, error) \
         WHERE o.id = v.id AND o.lease_owner = $6 AND o.state = 'pending'",
    )
    .bind::<Array<Text>, _>(ids)
    .bind::<Array<Text>, _>(states)
    .bind::<Array<Nullable<Timestamp>>, _>(next_attempts)
    .bind::<Array<Nullable<Text>>, _>(errors)
    .bind::<Timestamp, _>(now)
    .bind::<Text, _>(owner)
    .execute(pg)?)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub notification_id: String,
    pub user_id: String,
    pub channel: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Outbox rows in `state`, oldest first, for an administrator.
pub fn outbox_rows(
    conn: &mut DbConnection,
    state: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<OutboxRow>, DbError> {
    let mut query = outbox::table
        .filter(outbox::state.eq(state))
        .select(OutboxRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        // Ids are UUID v7: their order is the order rows were written.
        query = query.filter(outbox::id.gt(after.to_owned()));
    }
    let rows = query
        .order(outbox::id.asc())
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    Ok(Page::from_overfetch(rows, limit, |r| r.id.clone()))
}

/// Puts a dead letter back in line with a fresh count of attempts.
/// `NotFound` when there is no such dead letter.
pub fn revive(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> Result<OutboxRow, DbError> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::state.eq("dead")),
    )
    .set((
        outbox::state.eq("pending"),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    notify_on_commit(conn, OUTBOX, "")?;
    Ok(outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)?)
}

/// What `/metrics` shows of the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OutboxDepth {
    pub pending: i64,
    pub dead: i64,
    /// Seconds since the oldest pending row was written.
    pub oldest_pending_age_s: f64,
}

pub fn depth(conn: &mut DbConnection, now: NaiveDateTime) -> Result<OutboxDepth, DbError> {
    let pending: i64 = outbox::table
        .filter(outbox::state.eq("pending"))
        .count()
        .get_result(conn)?;
    let dead: i64 = outbox::table
        .filter(outbox::state.eq("dead"))
        .count()
        .get_result(conn)?;
    let oldest: Option<NaiveDateTime> = outbox::table
        .filter(outbox::state.eq("pending"))
        .select(diesel::dsl::min(outbox::created_at))
        .first(conn)?;
    #[allow(clippy::cast_precision_loss)]
    let oldest_pending_age_s =
        oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
    Ok(OutboxDepth {
        pending,
        dead,
        oldest_pending_age_s,
    })
}

/// [`depth`], given up after `limit` on PostgreSQL (a lock held on the
/// outbox), so a reader in the background never holds a connection long.
pub fn depth_within(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: std::time::Duration,
) -> Result<OutboxDepth, DbError> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        return depth(conn, now);
    }
    conn.transaction(|conn| {
        diesel::sql_query(format!(
            "SET LOCAL statement_timeout = {}",
            limit.as_millis().max(1)
        ))
        .execute(conn)?;
        depth(conn, now)
    })
}

pub fn find_notice(conn: &mut DbConnection, id: &str) -> Result<NoticeRow, DbError> {
    Ok(notices::table
        .find(id)
        .select(NoticeRow::as_select())
        .first(conn)?)
}

/// Whether `user_id` was among the people a notice reached.
pub fn received_notice(
    conn: &mut DbConnection,
    user_id: &str,
    notice_id: &str,
) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::notice_id.eq(notice_id)),
    ))
    .get_result(conn)?)
}

/// What became of a notice: how many read it in their inbox, and how its
/// pushes to their phones stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoticeDelivery {
    pub read: i64,
    pub pushes_pending: i64,
    pub pushes_sent: i64,
    /// Given up after their retries (an unregistered phone, a refusal).
    pub pushes_failed: i64,
}

pub fn notice_delivery(
    conn: &mut DbConnection,
    notice_id: &str,
) -> Result<NoticeDelivery, DbError> {
    let read: i64 = notifications::table
        .filter(notifications::notice_id.eq(notice_id))
        .filter(notifications::read_at.is_not_null())
        .count()
        .get_result(conn)?;
    let pushes: Vec<(String, i64)> = outbox::table
        .inner_join(notifications::table.on(notifications::id.eq(outbox::notification_id)))
        .filter(notifications::notice_id.eq(notice_id))
        .group_by(outbox::state)
        .select((outbox::state, diesel::dsl::count_star()))
        .load(conn)?;
    let of = |state: &str| {
        pushes
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    };
    Ok(NoticeDelivery {
        read,
        pushes_pending: of("pending"),
        pushes_sent: of("sent"),
        pushes_failed: of("dead"),
    })
}

/// Notices newest first — of `author` only, unless `None` (all) — after
/// the `(created_at, id)` of the last one of the previous page.
pub fn notices(
    conn: &mut DbConnection,
    author: Option<&str>,
    after: Option<&(NaiveDateTime, String)>,
    limit: usize,
) -> Result<Page<NoticeRow>, DbError> {
    let mut query = notices::table.select(NoticeRow::as_select()).into_boxed();
    if let Some(author) = author {
        query = query.filter(notices::author_id.eq(author.to_owned()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            notices::created_at
                .lt(*at)
                .or(notices::created_at.eq(*at).and(notices::id.lt(id.clone()))),
        );
    }
    let rows = query
        .order((notices::created_at.desc(), notices::id.desc()))
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    Ok(Page::from_overfetch(rows, limit, |n| {
        format!("{}_{}", n.created_at.and_utc().timestamp_micros(), n.id)
    }))
}
