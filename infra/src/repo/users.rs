//! User accounts and their role grants.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::access::Grant;
use gridops_domain::area::AreaCode;
use gridops_domain::role::Role;
use uuid::Uuid;

use super::{Page, now};
use crate::db::{DbConnection, DbError};
use crate::schema::{role_assignments, users};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub locale: String,
    pub password_hash: String,
}

/// A role to grant: the scope as given, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub role: Role,
    pub area_code: Option<String>,
    pub party_code: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: String,
    username: &'a str,
    display_name: &'a str,
    phone: Option<&'a str>,
    locale: &'a str,
    password_hash: &'a str,
    disabled: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub locale: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A stored grant with the id it is revoked by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGrant {
    pub id: String,
    pub grant: Grant,
}

/// A user with their grants.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: UserRow,
    pub grants: Vec<StoredGrant>,
}

impl Account {
    pub fn domain_grants(&self) -> Vec<Grant> {
        self.grants.iter().map(|g| g.grant.clone()).collect()
    }

    pub fn areas(&self) -> Vec<AreaCode> {
        self.grants
            .iter()
            .filter_map(|g| g.grant.area.clone())
            .collect()
    }

    pub fn parties(&self) -> Vec<String> {
        self.grants
            .iter()
            .filter_map(|g| g.grant.party.clone())
            .collect()
    }
}

/// Stores a user and their first role; returns the new user's id. A taken
/// username is a [`DbError::Conflict`]. Call inside a write transaction.
pub fn insert(conn: &mut DbConnection, user: &NewUser, grant: &RoleGrant) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    let created_at = now();
    diesel::insert_into(users::table)
        .values(NewUserRow {
            id: id.to_string(),
            username: &user.username,
            display_name: &user.display_name,
            phone: user.phone.as_deref(),
            locale: &user.locale,
            password_hash: &user.password_hash,
            disabled: false,
            created_at,
            updated_at: created_at,
        })
        .execute(conn)?;
    add_grant(conn, &id.to_string(), grant)?;
    Ok(id)
}

/// Adds a role to a user; returns the grant's id.
pub fn add_grant(
    conn: &mut DbConnection,
    user_id: &str,
    grant: &RoleGrant,
) -> Result<String, DbError> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(role_assignments::table)
        .values((
            role_assignments::id.eq(&id),
            role_assignments::user_id.eq(user_id),
            role_assignments::role.eq(grant.role.as_str()),
            role_assignments::area_code.eq(grant.area_code.as_deref()),
            role_assignments::party_code.eq(grant.party_code.as_deref()),
            role_assignments::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Removes a grant of `user_id`; `NotFound` when it has no such grant.
pub fn remove_grant(conn: &mut DbConnection, user_id: &str, grant_id: &str) -> Result<(), DbError> {
    let removed = diesel::delete(
        role_assignments::table
            .filter(role_assignments::id.eq(grant_id))
            .filter(role_assignments::user_id.eq(user_id)),
    )
    .execute(conn)?;
    if removed == 0 {
        Err(DbError::NotFound)
    } else {
        Ok(())
    }
}

pub fn set_disabled(conn: &mut DbConnection, user_id: &str, disabled: bool) -> Result<(), DbError> {
    let changed = diesel::update(users::table.find(user_id))
        .set((users::disabled.eq(disabled), users::updated_at.eq(now())))
        .execute(conn)?;
    if changed == 0 {
        Err(DbError::NotFound)
    } else {
        Ok(())
    }
}

pub fn username_taken(conn: &mut DbConnection, username: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)?)
}

/// Whether the phone number belongs to another account already.
pub fn phone_taken(conn: &mut DbConnection, phone: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::phone.eq(phone)),
    ))
    .get_result(conn)?)
}

/// The account signing in with `login`: a username, or a phone number.
pub fn find_for_login(conn: &mut DbConnection, login: &str) -> Result<Option<Account>, DbError> {
    let row = users::table
        .filter(
            users::username
                .eq(login.to_ascii_lowercase())
                .or(users::phone.eq(login)),
        )
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|user| with_grants(conn, user)).transpose()
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Account, DbError> {
    let user = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)?;
    with_grants(conn, user)
}

fn with_grants(conn: &mut DbConnection, user: UserRow) -> Result<Account, DbError> {
    let mut grants = grants_of(conn, &[user.id.as_str()])?;
    Ok(Account {
        grants: grants.remove(&user.id).unwrap_or_default(),
        user,
    })
}

type GrantRow = (String, String, String, Option<String>, Option<String>);

fn grants_of(
    conn: &mut DbConnection,
    user_ids: &[&str],
) -> Result<HashMap<String, Vec<StoredGrant>>, DbError> {
    let rows: Vec<GrantRow> = role_assignments::table
        .filter(role_assignments::user_id.eq_any(user_ids))
        .order((
            role_assignments::created_at.asc(),
            role_assignments::id.asc(),
        ))
        .select((
            role_assignments::id,
            role_assignments::user_id,
            role_assignments::role,
            role_assignments::area_code,
            role_assignments::party_code,
        ))
        .load(conn)?;
    let mut out: HashMap<String, Vec<StoredGrant>> = HashMap::new();
    for (id, user_id, role, area, party) in rows {
        let grant = Grant {
            role: Role::parse(&role)
                .ok_or_else(|| DbError::Corrupt(format!("grant {id}: role {role}")))?,
            area: area
                .as_deref()
                .map(AreaCode::parse)
                .transpose()
                .map_err(|e| DbError::Corrupt(format!("grant {id}: {e}")))?,
            party,
        };
        out.entry(user_id)
            .or_default()
            .push(StoredGrant { id, grant });
    }
    Ok(out)
}

/// Role grants of a user by username, oldest first.
pub fn roles_of(conn: &mut DbConnection, username: &str) -> Result<Vec<RoleGrant>, DbError> {
    let Some(account) = find_for_login(conn, username)? else {
        return Ok(Vec::new());
    };
    Ok(account
        .grants
        .into_iter()
        .map(|g| RoleGrant {
            role: g.grant.role,
            area_code: g.grant.area.map(|a| a.to_string()),
            party_code: g.grant.party,
        })
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only users holding a role in one of these areas or below them;
    /// `None` for every user.
    pub within_areas: Option<Vec<AreaCode>>,
    pub after: Option<String>,
}

/// Accounts in username order, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    filter: &UserFilter,
    limit: usize,
) -> Result<Page<Account>, DbError> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(areas) = &filter.within_areas {
        // Codes nest, so "in this area or below" is a prefix match.
        let Some((first, rest)) = areas.split_first() else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let mut scoped = role_assignments::table
            .select(role_assignments::user_id)
            .distinct()
            .filter(role_assignments::area_code.like(format!("{first}%")))
            .into_boxed();
        for area in rest {
            scoped = scoped.or_filter(role_assignments::area_code.like(format!("{area}%")));
        }
        // Two steps: a boxed subquery does not compile on the multi-connection.
        let ids: Vec<String> = scoped.load(conn)?;
        query = query.filter(users::id.eq_any(ids));
    }
    if let Some(after) = &filter.after {
        query = query.filter(users::username.gt(after));
    }
    let rows: Vec<UserRow> = query
        .order(users::username.asc())
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|u| u.id.as_str()).collect();
    let mut grants = grants_of(conn, &ids)?;
    let accounts = rows
        .into_iter()
        .map(|user| Account {
            grants: grants.remove(&user.id).unwrap_or_default(),
            user,
        })
        .collect();
    Ok(Page::from_overfetch(accounts, limit, |a| {
        a.user.username.clone()
    }))
}
