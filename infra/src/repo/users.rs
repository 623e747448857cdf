use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::role::Role;
use uuid::Uuid;

use super::now;
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
    diesel::insert_into(role_assignments::table)
        .values((
            role_assignments::id.eq(Uuid::now_v7().to_string()),
            role_assignments::user_id.eq(id.to_string()),
            role_assignments::role.eq(grant.role.as_str()),
            role_assignments::area_code.eq(grant.area_code.as_deref()),
            role_assignments::party_code.eq(grant.party_code.as_deref()),
            role_assignments::created_at.eq(created_at),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn username_taken(conn: &mut DbConnection, username: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::username.eq(username)),
    ))
    .get_result(conn)?)
}

/// Role grants of a user, oldest first.
pub fn roles_of(conn: &mut DbConnection, username: &str) -> Result<Vec<RoleGrant>, DbError> {
    let rows: Vec<(String, Option<String>, Option<String>)> = role_assignments::table
        .inner_join(users::table)
        .filter(users::username.eq(username))
        .order(role_assignments::created_at.asc())
        .select((
            role_assignments::role,
            role_assignments::area_code,
            role_assignments::party_code,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(role, area_code, party_code)| {
            Ok(RoleGrant {
                role: Role::parse(&role)
                    .ok_or_else(|| DbError::Corrupt(format!("unknown role {role}")))?,
                area_code,
                party_code,
            })
        })
        .collect()
}
