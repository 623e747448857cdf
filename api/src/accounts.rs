//! Creating accounts and granting roles: the checks shared by the admin
//! API, self-registration and `gridops user create`.

use gridops_domain::account::{Username, check_password, normalise_phone};
use gridops_domain::role::check_scope;
use gridops_infra::password::PasswordPolicy;
use gridops_infra::repo::users::{self, NewUser, RoleGrant};
use gridops_infra::repo::{areas, audit, parties};
use gridops_infra::{Db, DbConnection, DbError};

use crate::error::{ApiError, ErrorCode, FieldError};

#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub username: String,
    pub password: String,
    pub display_name: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub grant: RoleGrant,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Input that breaks a rule, per field.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The username or phone number belongs to another account.
    #[error("{0} is taken")]
    Taken(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(errors) => ApiError::validation(errors),
            AccountError::Taken(field) => ApiError::new(
                ErrorCode::Taken,
                format!("this {field} belongs to another account"),
            ),
            AccountError::Db(e) => e.into(),
        }
    }
}

fn invalid(field: &str, message: impl std::fmt::Display) -> AccountError {
    AccountError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.to_string(),
    }])
}

/// Checks that a grant's scope exists and fits its role.
pub fn check_grant(conn: &mut DbConnection, grant: &RoleGrant) -> Result<(), AccountError> {
    let area_level = match &grant.area_code {
        None => None,
        Some(code) => match areas::find(conn, code) {
            Ok(area) => Some(area.level),
            Err(DbError::NotFound) => {
                return Err(invalid("area", format!("no area with code {code}")));
            }
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(party) = &grant.party_code
        && !parties::exists(conn, party)?
    {
        return Err(invalid("party", format!("no party with code {party}")));
    }
    let field = if grant.role.needs_party() {
        "party"
    } else {
        "area"
    };
    check_scope(grant.role, area_level, grant.party_code.is_some()).map_err(|e| invalid(field, e))
}

/// Creates an account with one role; returns its id. `actor_id` is who did
/// it (for the audit trail), `None` for the command line or self-registration.
pub fn create_account(
    db: &Db,
    policy: &PasswordPolicy,
    request: &AccountRequest,
    actor_id: Option<&str>,
    client_addr: Option<&str>,
) -> Result<String, AccountError> {
    let mut problems = Vec::new();
    let username = Username::parse(&request.username)
        .map_err(|e| {
            problems.push(FieldError {
                field: "username".into(),
                message: e.to_string(),
            })
        })
        .ok();
    if let Err(e) = check_password(&request.password) {
        problems.push(FieldError {
            field: "password".into(),
            message: e.to_string(),
        });
    }
    let phone = match request.phone.as_deref().map(normalise_phone).transpose() {
        Ok(phone) => phone,
        Err(e) => {
            problems.push(FieldError {
                field: "phone".into(),
                message: e.to_string(),
            });
            None
        }
    };
    let Some(username) = username.filter(|_| problems.is_empty()) else {
        return Err(AccountError::Invalid(problems));
    };
    db.read_blocking(|conn| Ok(check_grant(conn, &request.grant)))??;
    // Hash before the write transaction: argon2 is slow on purpose, and a
    // SQLite write lock held meanwhile would stall every other writer.
    let password_hash = policy
        .hash(&request.password)
        .map_err(|e| invalid("password", e))?;
    let user = NewUser {
        display_name: request
            .display_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| username.to_string()),
        username: username.to_string(),
        phone,
        locale: request.locale.clone(),
        password_hash,
    };
    db.write_blocking(|conn| {
        if users::username_taken(conn, &user.username)? {
            return Ok(Err(AccountError::Taken("username")));
        }
        if let Some(phone) = &user.phone
            && users::phone_taken(conn, phone)?
        {
            return Ok(Err(AccountError::Taken("phone")));
        }
        let id = users::insert(conn, &user, &request.grant)?.to_string();
        audit::record(
            conn,
            &audit::AuditEvent {
                action: "user_created",
                actor_id,
                subject: Some(&id),
                client_addr,
                detail: request.grant.role.as_str(),
            },
        )?;
        Ok(Ok(id))
    })?
}
