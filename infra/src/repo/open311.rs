//! Open311: client keys, the requests they sent, the questions a category
//! asks, and the public reads of cases (`open311_*`, `category_attributes`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::open311::{Attribute, Choice, Datatype};
use uuid::Uuid;

use crate::db::{DbConnection, DbError};
use crate::schema::{
    categories, category_attributes, incident_events, incidents, open311_keys, open311_requests,
    parties, users,
};
use crate::token::{hash_token, new_opaque_token};

// ---------------------------------------------------------------- keys

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = open311_keys)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub key_prefix: String,
    pub user_id: String,
    pub per_minute: i32,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// What keys start with: tells a gridops Open311 key from other secrets in a
/// client's configuration, and from a bearer token in a log.
pub const KEY_PREFIX: &str = "o311_";

/// Issues a key for the client application `name`: a new account its
/// requests are reported as (no password anyone knows, no role), and the
/// key, returned once in plain text; only its hash is kept.
pub fn create_key(
    conn: &mut DbConnection,
    name: &str,
    per_minute: u32,
    created_by: Option<&str>,
    at: NaiveDateTime,
) -> Result<(KeyRow, String), DbError> {
    let secret = new_opaque_token().map_err(|e| DbError::Other(e.to_string()))?;
    let key = format!("{KEY_PREFIX}{secret}");
    let id = Uuid::now_v7().to_string();
    let user_id = Uuid::now_v7().to_string();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user_id),
            users::username.eq(format!("open311:{id}")),
            users::display_name.eq(name),
            users::locale.eq("zh-CN"),
            // Not a PHC string: no password ever matches it.
            users::password_hash.eq("!open311-client"),
            users::disabled.eq(true),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .execute(conn)?;
    let row = KeyRow {
        id,
        name: name.to_owned(),
        key_prefix: key.chars().take(KEY_PREFIX.len() + 6).collect(),
        user_id,
        per_minute: i32::try_from(per_minute).unwrap_or(i32::MAX),
        created_by: created_by.map(str::to_owned),
        created_at: at,
        revoked_at: None,
    };
    diesel::insert_into(open311_keys::table)
        .values((
            open311_keys::id.eq(&row.id),
            open311_keys::name.eq(&row.name),
            open311_keys::key_hash.eq(hash_token(&key)),
            open311_keys::key_prefix.eq(&row.key_prefix),
            open311_keys::user_id.eq(&row.user_id),
            open311_keys::per_minute.eq(row.per_minute),
            open311_keys::created_by.eq(&row.created_by),
            open311_keys::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok((row, key))
}

/// The key whose plain text is `key`, revoked or not.
pub fn find_key(conn: &mut DbConnection, key: &str) -> Result<Option<KeyRow>, DbError> {
    Ok(open311_keys::table
        .filter(open311_keys::key_hash.eq(hash_token(key)))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn key_by_id(conn: &mut DbConnection, id: &str) -> Result<KeyRow, DbError> {
    Ok(open311_keys::table
        .find(id)
        .select(KeyRow::as_select())
        .first(conn)?)
}

/// Every key, newest first.
pub fn list_keys(conn: &mut DbConnection) -> Result<Vec<KeyRow>, DbError> {
    Ok(open311_keys::table
        .order((open311_keys::created_at.desc(), open311_keys::id.desc()))
        .select(KeyRow::as_select())
        .load(conn)?)
}

/// Revokes a key (once: a second revoke keeps the first time).
pub fn revoke_key(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<KeyRow, DbError> {
    diesel::update(
        open311_keys::table
            .find(id)
            .filter(open311_keys::revoked_at.is_null()),
    )
    .set(open311_keys::revoked_at.eq(at))
    .execute(conn)?;
    key_by_id(conn, id)
}

// ---------------------------------------------------------- attributes

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = category_attributes)]
struct AttributeRow {
    category_code: String,
    code: String,
    datatype: String,
    required: bool,
    description_zh: String,
    description_en: String,
    choices: String,
}

fn attribute(row: AttributeRow) -> Result<(String, Attribute), DbError> {
    let corrupt = |what: &str| {
        DbError::Corrupt(format!(
            "attribute {}/{}: {what}",
            row.category_code, row.code
        ))
    };
    let datatype = Datatype::parse(&row.datatype).ok_or_else(|| corrupt("datatype"))?;
    let choices: Vec<Choice> =
        serde_json::from_str(&row.choices).map_err(|_| corrupt("choices"))?;
    Ok((
        row.category_code,
        Attribute {
            code: row.code,
            datatype,
            required: row.required,
            description_zh: row.description_zh,
            description_en: row.description_en,
            choices,
        },
    ))
}

/// The questions of one category, in their order.
pub fn attributes_of(conn: &mut DbConnection, category: &str) -> Result<Vec<Attribute>, DbError> {
    category_attributes::table
        .filter(category_attributes::category_code.eq(category))
        .order(category_attributes::position.asc())
        .select(AttributeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| attribute(row).map(|(_, a)| a))
        .collect()
}

/// The codes of the categories that ask questions.
pub fn categories_with_attributes(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    Ok(category_attributes::table
        .select(category_attributes::category_code)
        .distinct()
        .load(conn)?)
}

/// Stores `defaults` (category code → its questions) when no category asks
/// any yet and the categories exist; leaves an edited set alone.
pub fn seed_attributes_if_empty(
    conn: &mut DbConnection,
    defaults: &[(&str, Vec<Attribute>)],
) -> Result<usize, DbError> {
    let existing: i64 = category_attributes::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let mut stored = 0;
    for (category, attributes) in defaults {
        let known: i64 = categories::table
            .filter(categories::code.eq(*category))
            .count()
            .get_result(conn)?;
        if known == 0 {
            continue;
        }
        for (position, a) in attributes.iter().enumerate() {
            let choices =
                serde_json::to_string(&a.choices).map_err(|e| DbError::Other(e.to_string()))?;
            diesel::insert_into(category_attributes::table)
                .values((
                    category_attributes::category_code.eq(*category),
                    category_attributes::code.eq(&a.code),
                    category_attributes::datatype.eq(a.datatype.as_str()),
                    category_attributes::required.eq(a.required),
                    category_attributes::description_zh.eq(&a.description_zh),
                    category_attributes::description_en.eq(&a.description_en),
                    category_attributes::choices.eq(choices),
                    category_attributes::position.eq(i32::try_from(position).unwrap_or(0)),
                ))
                .execute(conn)?;
            stored += 1;
        }
    }
    Ok(stored)
}

/// Whether the public reads a category's descriptions and exact points.
pub fn set_public_reports(
    conn: &mut DbConnection,
    category: &str,
    public: bool,
) -> Result<(), DbError> {
    let changed = diesel::update(categories::table.find(category))
        .set(categories::public_reports.eq(public))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

// ------------------------------------------------------------ requests

/// `placed`: an incident; `waiting`: an address for a dispatcher to place;
/// `dismissed`: a dispatcher found nothing to place.
pub const PLACED: &str = "placed";
pub const WAITING: &str = "waiting";
pub const DISMISSED: &str = "dismissed";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = open311_requests)]
pub struct RequestRow {
    pub token: String,
    pub key_id: String,
    pub fingerprint: String,
    pub retry_window: i64,
    pub incident_id: Option<String>,
    pub service_code: String,
    pub description: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub media_url: Option<String>,
    pub attributes: String,
    pub media: Option<String>,
    pub created_at: NaiveDateTime,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
}

/// The first request with this fingerprint from this key in one of the
/// retry windows given (the current and the one before).
pub fn find_retry(
    conn: &mut DbConnection,
    key_id: &str,
    fingerprint: &str,
    windows: &[i64],
) -> Result<Option<RequestRow>, DbError> {
    Ok(open311_requests::table
        .filter(open311_requests::key_id.eq(key_id))
        .filter(open311_requests::fingerprint.eq(fingerprint))
        .filter(open311_requests::retry_window.eq_any(windows))
        .order(open311_requests::created_at.asc())
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a request; a concurrent twin in the same window is a
/// [`DbError::Conflict`] (the caller answers the twin's result).
pub fn insert_request(conn: &mut DbConnection, row: &RequestRow) -> Result<(), DbError> {
    diesel::insert_into(open311_requests::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find_request(conn: &mut DbConnection, token: &str) -> Result<RequestRow, DbError> {
    Ok(open311_requests::table
        .find(token)
        .select(RequestRow::as_select())
        .first(conn)?)
}

/// Requests waiting for a dispatcher to place them, oldest first, after the
/// token `after` (a keyset cursor on (created_at, token)).
pub fn waiting(
    conn: &mut DbConnection,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<RequestRow>, DbError> {
    let mut query = open311_requests::table
        .filter(open311_requests::state.eq(WAITING))
        .into_boxed();
    if let Some((at, token)) = after {
        query = query.filter(
            open311_requests::created_at
                .gt(at)
                .or(open311_requests::created_at
                    .eq(at)
                    .and(open311_requests::token.gt(token))),
        );
    }
    Ok(query
        .order((
            open311_requests::created_at.asc(),
            open311_requests::token.asc(),
        ))
        .limit(limit)
        .select(RequestRow::as_select())
        .load(conn)?)
}

/// Records a dispatcher's decision on a waiting request: `PLACED` as an
/// incident, or `DISMISSED` with the reason as `note`. `Ok(false)` when it
/// was no longer waiting (another dispatcher was faster).
pub fn decide(
    conn: &mut DbConnection,
    token: &str,
    state: &str,
    incident_id: Option<&str>,
    note: Option<&str>,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        open311_requests::table
            .find(token)
            .filter(open311_requests::state.eq(WAITING)),
    )
    .set((
        open311_requests::state.eq(state),
        open311_requests::incident_id.eq(incident_id),
        open311_requests::decided_by.eq(by),
        open311_requests::decided_at.eq(at),
        open311_requests::decision_note.eq(note),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

// --------------------------------------------------------- public reads

/// A case as the public reads it: the columns Open311 shows, with the
/// category's names and publicity and the party's name.
#[derive(Debug, Clone, Queryable)]
pub struct PublicCase {
    pub id: String,
    pub reference: String,
    pub category_code: String,
    pub label_zh: String,
    pub label_en: String,
    pub public_reports: bool,
    pub description: String,
    pub lat: f64,
    pub lng: f64,
    pub address: Option<String>,
    pub grid_code: String,
    pub status: String,
    pub duplicate_of: Option<String>,
    pub party_name: Option<String>,
    pub party_name_en: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub resolve_due: Option<NaiveDateTime>,
}

/// Which cases a public list wants.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// References (`service_request_id`s); empty for any.
    pub references: Vec<String>,
    /// A category and everything below it.
    pub category: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// gridops states; empty for any.
    pub statuses: Vec<String>,
}

macro_rules! public_columns {
    () => {
        (
            incidents::id,
            incidents::reference,
            incidents::category_code,
            categories::label_zh,
            categories::label_en,
            categories::public_reports,
            incidents::description,
            incidents::lat,
            incidents::lng,
            incidents::address,
            incidents::grid_code,
            incidents::status,
            incidents::duplicate_of,
            parties::name.nullable(),
            parties::name_en.nullable(),
            incidents::created_at,
            incidents::updated_at,
            incidents::resolve_due,
        )
    };
}

/// Cases newest first, `offset` into the filtered list.
pub fn public_cases(
    conn: &mut DbConnection,
    filter: &PublicFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<PublicCase>, DbError> {
    let mut query = incidents::table
        .inner_join(categories::table)
        .left_join(parties::table)
        .into_boxed();
    if !filter.references.is_empty() {
        query = query.filter(incidents::reference.eq_any(&filter.references));
    }
    if let Some(category) = &filter.category {
        query = query.filter(
            incidents::category_code
                .eq(category.clone())
                .or(incidents::category_code.like(format!("{category}.%"))),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(incidents::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(incidents::created_at.le(to));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(incidents::status.eq_any(&filter.statuses));
    }
    Ok(query
        .order((incidents::created_at.desc(), incidents::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(public_columns!())
        .load(conn)?)
}

/// One case by its reference.
pub fn public_case(conn: &mut DbConnection, reference: &str) -> Result<PublicCase, DbError> {
    Ok(incidents::table
        .inner_join(categories::table)
        .left_join(parties::table)
        .filter(incidents::reference.eq(reference))
        .select(public_columns!())
        .first(conn)?)
}

/// A step of a case, for the public notes and updates.
#[derive(Debug, Clone, Queryable)]
pub struct PublicEvent {
    pub id: String,
    pub incident_id: String,
    pub action: String,
    pub occurred_at: NaiveDateTime,
    pub to_status: String,
    pub note: Option<String>,
    pub detail: Option<String>,
}

/// The timelines of these cases, oldest step first.
pub fn events_of(
    conn: &mut DbConnection,
    incident_ids: &[String],
) -> Result<Vec<PublicEvent>, DbError> {
    if incident_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(incident_events::table
        .filter(incident_events::incident_id.eq_any(incident_ids))
        .order((incident_events::incident_id, incident_events::seq.asc()))
        .select((
            incident_events::id,
            incident_events::incident_id,
            incident_events::action,
            incident_events::occurred_at,
            incident_events::to_status,
            incident_events::note,
            incident_events::detail,
        ))
        .load(conn)?)
}

/// Steps of the actions `actions` taken in [from, to], oldest first, at
/// most `limit`; with their case.
pub fn steps_between(
    conn: &mut DbConnection,
    actions: &[&str],
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(PublicEvent, PublicCase)>, DbError> {
    Ok(incident_events::table
        .inner_join(
            incidents::table
                .inner_join(categories::table)
                .left_join(parties::table),
        )
        .filter(incident_events::action.eq_any(actions))
        .filter(incident_events::occurred_at.ge(from))
        .filter(incident_events::occurred_at.le(to))
        .order((
            incident_events::occurred_at.asc(),
            incident_events::id.asc(),
        ))
        .limit(limit)
        .select((
            (
                incident_events::id,
                incident_events::incident_id,
                incident_events::action,
                incident_events::occurred_at,
                incident_events::to_status,
                incident_events::note,
                incident_events::detail,
            ),
            public_columns!(),
        ))
        .load::<(PublicEvent, PublicCase)>(conn)?)
}

/// The names of parties, by code (for the steps that name one).
pub fn party_names(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<Vec<(String, String, String)>, DbError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(parties::table
        .filter(parties::code.eq_any(codes))
        .select((parties::code, parties::name, parties::name_en))
        .load(conn)?)
}
