//! Who reported an incident, for the dispatcher who calls them back: the
//! phone masked unless revealed, and every reveal in the access log.

use actix_web::{get, post, web};
use gridops_domain::access::{Actor, Capability, Place, mask_phone};
use gridops_infra::repo::{audit, users};
use serde::Serialize;
use utoipa::ToSchema;

use super::load_visible;
use crate::access::require_on;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReporterView {
    pub user_id: String,
    pub display_name: String,
    /// `138****5678` until revealed; `null` when the account has none.
    #[schema(example = "138****5678")]
    pub phone: Option<String>,
    pub phone_masked: bool,
}

const REFUSED: &str = "only the dispatchers of the incident's area see who reported it";

/// Who reported the incident, phone masked. For the reporter themselves,
/// the dispatchers of the incident's area and administrators.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The reporter", body = ReporterView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller sees the incident but not who reported it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}/reporter")]
pub async fn get_reporter(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<ReporterView>, ApiError> {
    let (_, user) = reporter(&state, &actor, id.into_inner()).await?;
    Ok(web::Json(ReporterView::of(user, Phone::Masked)))
}

/// The reporter with the whole phone number, to call them back; the read is
/// written to the access log with the incident's reference.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The reporter, phone unmasked", body = ReporterView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller sees the incident but not who reported it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/reporter/reveal")]
pub async fn reveal_reporter(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<ReporterView>, ApiError> {
    let (reference, user) = reporter(&state, &actor, id.into_inner()).await?;
    if user.phone.is_some() && user.id != actor.user_id {
        let (reader, subject) = (actor.user_id.clone(), user.id.clone());
        let purpose = format!("calling back the reporter of incident {reference}");
        state
            .db
            .write(move |conn| {
                audit::record_personal_data_read(conn, &reader, &subject, "phone", &purpose)
            })
            .await?;
    }
    Ok(web::Json(ReporterView::of(user, Phone::Whole)))
}

#[derive(Clone, Copy)]
enum Phone {
    Masked,
    Whole,
}

impl ReporterView {
    fn of(user: users::UserRow, phone: Phone) -> Self {
        let masked = matches!(phone, Phone::Masked);
        ReporterView {
            user_id: user.id,
            display_name: user.display_name,
            phone_masked: masked && user.phone.is_some(),
            phone: user
                .phone
                .map(|p: String| if masked { mask_phone(&p) } else { p }),
        }
    }
}

/// The incident's reference and its reporter's account, once the caller may
/// read them.
async fn reporter(
    state: &AppState,
    actor: &Actor,
    id: String,
) -> Result<(String, users::UserRow), ApiError> {
    let stored = load_visible(state, actor, id).await?;
    let incident = stored.incident;
    require_on(
        actor,
        Capability::ContactReporter,
        Place {
            areas: std::slice::from_ref(&incident.grid),
            owner: Some(&incident.reporter_id),
            ..Place::default()
        },
        REFUSED,
    )?;
    let reporter_id = incident.reporter_id.clone();
    let account = state
        .db
        .run(move |conn| users::find(conn, &reporter_id))
        .await?;
    Ok((incident.reference, account.user))
}
