//! `DELETE /api/v1/rosters/{area}/shifts/{id}`: a line taken off a roster.

use actix_web::{HttpResponse, delete, web};
use gridops_infra::repo::rosters;

use super::remove_from_roster;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Takes a line off the area's roster. For the dispatchers over the area
/// and administrators.
#[utoipa::path(
    tag = "rosters",
    params(
        ("area" = String, Path, description = "Grid (15 digits) or community (12 digits) code", pattern = "^([0-9]{12}|[0-9]{15})$"),
        ("id" = String, Path, description = "The roster line's id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Taken off the roster"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Works the area but does not oversee it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area or line in its roster, or the roster is not the caller's to know", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The area is neither a grid nor a community", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/rosters/{area}/shifts/{id}")]
pub async fn delete_shift(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (area, id) = path.into_inner();
    remove_from_roster(
        &state,
        &actor,
        &area,
        id,
        rosters::delete_shift,
        "no such line in this roster",
    )
    .await
}
