//! `POST /api/v1/rosters/{area}/shifts`: a line added to a roster.

use actix_web::{HttpResponse, post, web};
use gridops_domain::access::Capability;
use gridops_domain::duty::Shift;
use gridops_domain::routing::{TimeWindow, parse_time};
use gridops_infra::repo::{now, rosters, routing};

use super::dto::{ShiftRequest, ShiftView};
use super::{check_user, roster_area};
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Puts a grid worker or chief of the area on its roster: on these ISO
/// weekdays from `starts` to `ends`, local time (a night runs past midnight
/// and belongs to the weekday it starts on). For the dispatchers over the
/// area and administrators.
#[utoipa::path(
    tag = "rosters",
    params(("area" = String, Path, description = "Grid (15 digits) or community (12 digits) code", pattern = "^([0-9]{12}|[0-9]{15})$")),
    request_body = ShiftRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added to the roster", body = ShiftView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Works the area but does not oversee it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area, or its roster is not the caller's to know", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: the area neither a grid nor a community, `user` no grid worker or chief of it, `weekdays` not 1–7 each once, `starts`/`ends` not HH:MM or equal", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rosters/{area}/shifts")]
pub async fn create_shift(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    area: web::Path<String>,
    ValidJson(body): ValidJson<ShiftRequest>,
) -> Result<HttpResponse, ApiError> {
    let (_, area, _) = roster_area(&state, &actor, &area, Capability::EditRoster)?;
    let shift = parse(&body)?;
    let stored = state
        .db
        .write(move |conn| {
            if let Err(why) = check_user(conn, &area, &shift.user)? {
                return Ok(Err(why));
            }
            let stored = rosters::insert_shift(conn, area.as_str(), &shift, now())?;
            let names = routing::user_names(conn, std::slice::from_ref(&shift.user))?;
            Ok(Ok(ShiftView::of(&stored, &names)))
        })
        .await?
        .map_err(|why| ApiError::invalid_field("user", why))?;
    Ok(HttpResponse::Created().json(stored))
}

/// The shift asked for, or every field that is wrong.
fn parse(body: &ShiftRequest) -> Result<Shift, ApiError> {
    let mut errors = Vec::new();
    let mut weekdays = Vec::new();
    for &day in &body.weekdays {
        if !(1..=7).contains(&day) || weekdays.contains(&day) {
            weekdays.clear();
            break;
        }
        weekdays.push(day);
    }
    if weekdays.is_empty() {
        errors.push(field(
            "weekdays",
            "ISO weekdays 1 (Monday) to 7 (Sunday), at least one, each once",
        ));
    }
    let starts = parse_time(&body.starts);
    if starts.is_none() {
        errors.push(field("starts", "a local time, HH:MM"));
    }
    let ends = parse_time(&body.ends);
    if ends.is_none() {
        errors.push(field("ends", "a local time, HH:MM"));
    }
    let window = match (starts, ends) {
        (Some(starts), Some(ends)) => match TimeWindow::new(starts, ends) {
            Ok(window) => Some(window),
            Err(e) => {
                errors.push(field("ends", &e.to_string()));
                None
            }
        },
        _ => None,
    };
    match window {
        Some(window) if errors.is_empty() => {
            weekdays.sort_unstable();
            Ok(Shift {
                user: body.user.clone(),
                weekdays,
                window,
            })
        }
        _ => Err(ApiError::validation(errors)),
    }
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}
