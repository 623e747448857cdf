use actix_web::{HttpRequest, get, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::audit;

use super::dto::{PhoneView, UserView, decide_on};
use super::load_for;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Shows an account as its reader may see it: the phone number unmasked for
/// the user themselves, administrators and the dispatchers of the user's
/// area, and every such read by someone else written to the access log.
pub async fn user_view(
    state: &AppState,
    actor_id: &str,
    account: &gridops_infra::repo::users::Account,
    phone: PhoneView,
    purpose: &str,
) -> Result<UserView, ApiError> {
    if phone == PhoneView::Unmasked && account.user.phone.is_some() && actor_id != account.user.id {
        let (reader, subject, purpose) = (
            actor_id.to_owned(),
            account.user.id.clone(),
            purpose.to_owned(),
        );
        state
            .db
            .write(move |conn| {
                audit::record_personal_data_read(conn, &reader, &subject, "phone", &purpose)
            })
            .await?;
    }
    Ok(UserView::new(account, phone))
}

/// One account.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<web::Json<UserView>, ApiError> {
    let account = load_for(&state, &actor, id.into_inner(), Capability::ReadUser).await?;
    let phone = if decide_on(&actor, Capability::SeePhone, &account).is_granted() {
        PhoneView::Unmasked
    } else {
        PhoneView::Masked
    };
    let purpose = format!("GET {}", req.path());
    Ok(web::Json(
        user_view(&state, &actor.user_id, &account, phone, &purpose).await?,
    ))
}
