//! `PUT /api/v1/rosters/{area}/exceptions`: a day someone is on or off duty.

use actix_web::{put, web};
use chrono::NaiveDate;
use gridops_domain::access::Capability;
use gridops_domain::duty::Exception;
use gridops_infra::repo::{now, rosters, routing};

use super::dto::{ExceptionRequest, ExceptionView};
use super::{check_user, roster_area};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Sets whether a grid worker or chief of the area is on duty there on a
/// local date, whatever the roster says (off on a date: the night starting
/// that evening too); the same user and date again replaces it. For the
/// dispatchers over the area and administrators.
#[utoipa::path(
    tag = "rosters",
    params(("area" = String, Path, description = "Grid (15 digits) or community (12 digits) code", pattern = "^([0-9]{12}|[0-9]{15})$")),
    request_body = ExceptionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Set, replacing what was set for that user and day", body = ExceptionView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Works the area but does not oversee it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area, or its roster is not the caller's to know", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: the area neither a grid nor a community, `user` no grid worker or chief of it, `date` not YYYY-MM-DD", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/rosters/{area}/exceptions")]
pub async fn put_exception(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    area: web::Path<String>,
    ValidJson(body): ValidJson<ExceptionRequest>,
) -> Result<web::Json<ExceptionView>, ApiError> {
    let (_, area, _) = roster_area(&state, &actor, &area, Capability::EditRoster)?;
    let date = NaiveDate::parse_from_str(&body.date, "%Y-%m-%d")
        .ok()
        .filter(|_| body.date.len() == 10)
        .ok_or_else(|| ApiError::invalid_field("date", "a local date, YYYY-MM-DD"))?;
    let exception = Exception {
        user: body.user,
        date,
        on_duty: body.on_duty,
    };
    let stored = state
        .db
        .write(move |conn| {
            if let Err(why) = check_user(conn, &area, &exception.user)? {
                return Ok(Err(why));
            }
            let stored = rosters::put_exception(conn, area.as_str(), &exception, now())?;
            let names = routing::user_names(conn, std::slice::from_ref(&exception.user))?;
            Ok(Ok(ExceptionView::of(&stored, &names)))
        })
        .await?
        .map_err(|why| ApiError::invalid_field("user", why))?;
    Ok(web::Json(stored))
}
