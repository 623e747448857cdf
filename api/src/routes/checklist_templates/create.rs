use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, post, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{campaigns, now};

use super::dto::{TemplateRequest, TemplateView};
use super::{MANAGE_REFUSED, checked};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Saves a new checklist template (administrators). Each item names a leaf
/// category: a failed check is fixed on the spot or reported as it.
#[utoipa::path(
    tag = "campaigns",
    request_body = TemplateRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved", body = TemplateView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named (`items[2].category`: not a leaf category)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/checklist-templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(body): ValidJson<TemplateRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ManageChecklistTemplates, MANAGE_REFUSED)?;
    let template = checked(&state, uuid::Uuid::now_v7().to_string(), body).await?;
    let stored = state
        .db
        .write(move |conn| campaigns::insert_template(conn, &template, now()))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!("/api/v1/checklist-templates/{}", stored.template.id),
        ))
        .json(TemplateView::from(&stored)))
}
