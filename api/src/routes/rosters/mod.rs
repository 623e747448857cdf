//! `/api/v1/rosters/{area}`: who is on duty in a grid, or in every grid of a
//! community, by weekday and local time window (nights across midnight
//! belong to the weekday they start on), the days someone is on or off
//! whatever the roster says, and who is on duty now and why — a running
//! patrol of the grid counts. Routing's `on_duty` target reads the same.
//!
//! Those who work the area read it; the dispatchers over it and
//! administrators change it. Another area's roster does not exist for the
//! rest.

pub mod create_shift;
pub mod delete_exception;
pub mod delete_shift;
pub mod dto;
pub mod get;
pub mod put_exception;

use std::sync::Arc;

use gridops_domain::access::{Access, Actor, Capability, Place, decide};
use gridops_domain::area::{AreaCode, AreaLevel, AreaMap};
use gridops_domain::role::Role;
use gridops_infra::repo::users;
use gridops_infra::{DbConnection, DbError};

use crate::error::ApiError;
use crate::state::AppState;

const NO_SUCH_ROSTER: &str = "no such roster";

/// The area of a roster — a grid or a community — if the domain lets
/// `actor` do `capability` to its roster: 404 when they may not know of it,
/// 403 when they may read it but not change it, 422 for an area of another
/// level.
pub fn roster_area(
    state: &AppState,
    actor: &Actor,
    code: &str,
    capability: Capability,
) -> Result<(Arc<AreaMap>, AreaCode, AreaLevel), ApiError> {
    let map = state.areas.current();
    let area = AreaCode::parse(code)
        .ok()
        .and_then(|c| map.get(&c))
        .map(|a| (a.code.clone(), a.level))
        .ok_or_else(|| ApiError::not_found(format!("no area {code}")))?;
    let (area, level) = area;
    if !matches!(level, AreaLevel::Grid | AreaLevel::Community) {
        return Err(ApiError::invalid_field(
            "area",
            format!("{code} is a {level}; rosters are kept for grids and communities"),
        ));
    }
    let place = Place {
        areas: std::slice::from_ref(&area),
        ..Place::default()
    };
    match decide(actor, capability, place) {
        Access::Granted => Ok((map, area, level)),
        Access::Forbidden => Err(ApiError::forbidden(
            "the dispatchers over the area and administrators change its roster",
        )),
        Access::Hidden => Err(ApiError::not_found(NO_SUCH_ROSTER)),
    }
}

/// `Ok(Err(why))` unless `user` is an enabled grid worker or chief of the
/// area (a grid), or of a grid of it (a community).
pub fn check_user(
    conn: &mut DbConnection,
    area: &AreaCode,
    user: &str,
) -> Result<Result<(), String>, DbError> {
    let not_staff = || format!("{user} is no grid worker or chief of {area}");
    let account = match users::find(conn, user) {
        Ok(account) => account,
        Err(DbError::NotFound) => return Ok(Err(format!("no user {user}"))),
        Err(e) => return Err(e),
    };
    if account.user.disabled {
        return Ok(Err(format!("{user} is disabled")));
    }
    let works_here = account.grants.iter().any(|g| {
        matches!(g.grant.role, Role::GridWorker | Role::GridChief)
            && g.grant.area.as_ref().is_some_and(|a| area.covers(a))
    });
    Ok(if works_here { Ok(()) } else { Err(not_staff()) })
}

/// Removes a line or a day exception of the area's roster for whoever may
/// edit it: 204, or 404 saying `missing` when the area has no such entry.
pub async fn remove_from_roster(
    state: &AppState,
    actor: &Actor,
    area: &str,
    id: String,
    remove: fn(&mut DbConnection, &str, &str) -> Result<bool, DbError>,
    missing: &'static str,
) -> Result<actix_web::HttpResponse, ApiError> {
    let (_, area, _) = roster_area(state, actor, area, Capability::EditRoster)?;
    let removed = state
        .db
        .write(move |conn| remove(conn, area.as_str(), &id))
        .await?;
    if !removed {
        return Err(ApiError::not_found(missing));
    }
    Ok(actix_web::HttpResponse::NoContent().finish())
}
