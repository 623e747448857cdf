//! Signing in, refreshing and signing out: throttling, password checks,
//! token issue and rotation, and the audit trail of all of it.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::http::header::RETRY_AFTER;
use chrono::TimeDelta;
use gridops_domain::access::Actor;
use gridops_domain::session::{RefreshDecision, ThrottlePolicy, on_refresh};
use gridops_infra::password::{self, PasswordPolicy};
use gridops_infra::repo::users::{self, Account};
use gridops_infra::repo::{audit, now, sessions, throttle};
use gridops_infra::{Db, DbConnection, DbError};

use crate::auth::tokens::TokenKeys;
use crate::error::{ApiError, ErrorCode};

#[derive(Debug)]
pub struct AuthConfig {
    pub keys: TokenKeys,
    pub refresh_ttl: Duration,
    pub passwords: PasswordPolicy,
}

/// What a successful sign-in or refresh hands the client.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
}

fn lifetime(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::days(30))
}

pub fn actor_of(account: &Account) -> Actor {
    Actor {
        user_id: account.user.id.clone(),
        grants: account.domain_grants(),
    }
}

/// A hash to check against when the account does not exist, so that an
/// unknown username takes as long to refuse as a wrong password.
fn decoy_hash(policy: &PasswordPolicy) -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| policy.hash("decoy password never used").unwrap_or_default())
}

fn throttled(wait: TimeDelta) -> ApiError {
    let seconds = wait.num_seconds().max(1);
    ApiError::new(
        ErrorCode::TooManyAttempts,
        format!("too many failed sign-ins for this account or from this address; try again in {seconds} s"),
    )
    .with_header(RETRY_AFTER, seconds.to_string())
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthenticated("the username or password is wrong", false)
        .with_code(ErrorCode::InvalidCredentials)
}

/// Signs a user in with a username (or phone number) and password.
pub async fn sign_in(
    db: &Db,
    auth: &Arc<AuthConfig>,
    login: String,
    password: String,
    client_addr: String,
) -> Result<IssuedTokens, ApiError> {
    let account_key = format!("account:{}", login.to_ascii_lowercase());
    let address_key = format!("address:{client_addr}");
    let (keys, lookup) = (account_key.clone(), login.clone());
    let address = address_key.clone();
    let (account_record, address_record, account) = db
        .run(move |conn| {
            Ok((
                throttle::get(conn, &keys)?,
                throttle::get(conn, &address)?,
                users::find_for_login(conn, &lookup)?,
            ))
        })
        .await?;
    let at = now();
    let locked = ThrottlePolicy::ACCOUNT
        .check(account_record.as_ref(), at)
        .and(ThrottlePolicy::ADDRESS.check(address_record.as_ref(), at));
    let subject = account.as_ref().map(|a| a.user.id.clone());
    if let Err(wait) = locked {
        let (subject, addr) = (subject.clone(), client_addr.clone());
        db.write(move |conn| {
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "login_throttled",
                    subject: subject.as_deref(),
                    client_addr: Some(&addr),
                    ..Default::default()
                },
            )
        })
        .await?;
        return Err(throttled(wait));
    }

    let policy = auth.passwords;
    let stored = account.as_ref().map(|a| a.user.password_hash.clone());
    let matches = actix_web::web::block(move || match stored {
        Some(hash) => password::verify(&password, &hash),
        None => {
            password::verify(&password, decoy_hash(&policy));
            false
        }
    })
    .await
    .map_err(ApiError::internal)?;

    let Some(account) = account.filter(|_| matches) else {
        db.write(move |conn| {
            let at = now();
            let record =
                ThrottlePolicy::ACCOUNT.after_failure(throttle::get(conn, &account_key)?, at);
            throttle::put(conn, &account_key, &record)?;
            let record =
                ThrottlePolicy::ADDRESS.after_failure(throttle::get(conn, &address_key)?, at);
            throttle::put(conn, &address_key, &record)?;
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "login_failed",
                    subject: subject.as_deref(),
                    client_addr: Some(&client_addr),
                    detail: if subject.is_some() {
                        "wrong password"
                    } else {
                        "unknown account"
                    },
                    ..Default::default()
                },
            )
        })
        .await?;
        return Err(invalid_credentials());
    };
    if account.user.disabled {
        return Err(ApiError::new(
            ErrorCode::AccountDisabled,
            "this account is disabled; ask an administrator",
        ));
    }
    let ttl = lifetime(auth.refresh_ttl);
    let user_id = account.user.id.clone();
    let refresh_token = db
        .write(move |conn| {
            throttle::clear(conn, &account_key)?;
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "login_succeeded",
                    actor_id: Some(&user_id),
                    subject: Some(&user_id),
                    client_addr: Some(&client_addr),
                    ..Default::default()
                },
            )?;
            sessions::issue(conn, &user_id, None, ttl)
        })
        .await?;
    tokens_for(auth, &account, refresh_token)
}

fn tokens_for(
    auth: &AuthConfig,
    account: &Account,
    refresh_token: String,
) -> Result<IssuedTokens, ApiError> {
    Ok(IssuedTokens {
        access_token: auth
            .keys
            .issue(&actor_of(account))
            .map_err(ApiError::internal)?,
        refresh_token,
        expires_in: auth.keys.access_ttl.as_secs(),
    })
}

fn invalid_grant() -> ApiError {
    ApiError::unauthenticated(
        "the refresh token is invalid, expired or revoked; sign in again",
        true,
    )
    .with_code(ErrorCode::InvalidRefreshToken)
}

enum Refreshed {
    Rotated(Box<Account>, String),
    Refused,
}

/// Exchanges a refresh token for a new pair. A token presented a second
/// time revokes its whole family: the thief's copy and the owner's both die.
pub async fn refresh(
    db: &Db,
    auth: &Arc<AuthConfig>,
    presented: String,
    client_addr: String,
) -> Result<IssuedTokens, ApiError> {
    let ttl = lifetime(auth.refresh_ttl);
    let outcome = db
        .write(move |conn| {
            let Some(row) = sessions::find(conn, &presented)? else {
                return Ok(Refreshed::Refused);
            };
            match on_refresh(row.state(), now()) {
                RefreshDecision::Refuse => Ok(Refreshed::Refused),
                RefreshDecision::RevokeFamily => {
                    reuse_detected(conn, &row.family_id, &row.user_id, &client_addr)
                }
                RefreshDecision::Rotate => {
                    // Two refreshes racing with one token: the loser is a reuse.
                    if !sessions::mark_used(conn, &row.token_hash)? {
                        return reuse_detected(conn, &row.family_id, &row.user_id, &client_addr);
                    }
                    let account = users::find(conn, &row.user_id)?;
                    if account.user.disabled {
                        sessions::revoke_family(conn, &row.family_id)?;
                        return Ok(Refreshed::Refused);
                    }
                    let next = sessions::issue(conn, &row.user_id, Some(&row.family_id), ttl)?;
                    Ok(Refreshed::Rotated(Box::new(account), next))
                }
            }
        })
        .await?;
    match outcome {
        Refreshed::Rotated(account, next) => tokens_for(auth, &account, next),
        Refreshed::Refused => Err(invalid_grant()),
    }
}

fn reuse_detected(
    conn: &mut DbConnection,
    family: &str,
    user_id: &str,
    client_addr: &str,
) -> Result<Refreshed, DbError> {
    let revoked = sessions::revoke_family(conn, family)?;
    tracing::warn!(revoked, "refresh token reused; its family is revoked");
    audit::record(
        conn,
        &audit::AuditEvent {
            action: "token_reuse",
            subject: Some(user_id),
            client_addr: Some(client_addr),
            detail: "refresh token presented twice; session revoked",
            ..Default::default()
        },
    )?;
    Ok(Refreshed::Refused)
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored:
/// signing out twice is not an error.
pub async fn sign_out(db: &Db, presented: String, client_addr: String) -> Result<(), ApiError> {
    db.write(move |conn| {
        if let Some(row) = sessions::find(conn, &presented)? {
            sessions::revoke_family(conn, &row.family_id)?;
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "logout",
                    actor_id: Some(&row.user_id),
                    subject: Some(&row.user_id),
                    client_addr: Some(&client_addr),
                    ..Default::default()
                },
            )?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}
