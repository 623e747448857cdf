use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::users::{self, UserFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::{PhoneView, UserView};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// `next_cursor` of the previous page.
    #[validate(length(max = 64, message = "not a cursor of this list"))]
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// Phone numbers are always masked in lists.
    pub items: Vec<UserView>,
    pub next_cursor: Option<String>,
}

/// Accounts in username order: all of them for an administrator, those
/// holding a role in their area for a dispatcher.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = UserPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither administrator nor dispatcher", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<ListUsersQuery>,
) -> Result<web::Json<UserPage>, ApiError> {
    require(
        &actor,
        Capability::ListUsers,
        "only administrators and dispatchers list accounts",
    )?;
    let filter = UserFilter {
        within_areas: (!actor.is_admin()).then(|| actor.dispatch_areas().cloned().collect()),
        after: query.cursor,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let page = state
        .db
        .run(move |conn| users::list(conn, &filter, limit))
        .await?;
    Ok(web::Json(UserPage {
        items: page
            .items
            .iter()
            .map(|a| UserView::new(a, PhoneView::Masked))
            .collect(),
        next_cursor: page.next,
    }))
}
