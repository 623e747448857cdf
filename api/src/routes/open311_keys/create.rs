use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use gridops_domain::access::Capability;
use gridops_infra::repo::now;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{By, DEFAULT_PER_MINUTE, KeyView, REFUSED, check_name, issue};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ValidJson, client_addr};
use crate::state::AppState;

/// A key to issue.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// The client application the key is for: 1 to 100 characters, not blank.
    #[validate(custom(function = "super::validate_name"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "郑州12345市民热线App"
    )]
    pub name: String,
    /// Requests a minute the key may send, 1 to 6000; default 60.
    #[validate(range(min = 1, max = 6000, message = "between 1 and 6000"))]
    #[schema(example = 60, minimum = 1, maximum = 6000)]
    pub per_minute: Option<u32>,
}

/// A key just issued: the only answer that holds the key itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    pub id: String,
    #[schema(example = "郑州12345市民热线App")]
    pub name: String,
    #[schema(example = "o311_Xb3k9Q")]
    pub key_prefix: String,
    #[schema(example = 60)]
    pub per_minute: u32,
    pub created_at: DateTime<Utc>,
    /// Always null: the key is new.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key, for the client's `api_key`. Shown this once: only its hash
    /// is stored, so a lost key is revoked and a new one issued.
    #[schema(example = "o311_Xb3k9Q…")]
    pub key: String,
}

/// Issues an Open311 key to a client application (administrators). The
/// plain key appears ONLY in this response (`Cache-Control: no-store`):
/// gridops keeps its hash, and nothing can show it again.
#[utoipa::path(
    tag = "open311",
    request_body = KeyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued; `key` is shown this once (`Cache-Control: no-store`)", body = IssuedKey),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A blank or too long `name`, or `per_minute` outside 1 to 6000", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/open311/keys")]
pub async fn create_key(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    ValidJson(body): ValidJson<KeyRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ManageOpen311Keys, REFUSED)?;
    let name = check_name(&body.name)
        .map_err(|message| ApiError::invalid_field("name", message))?
        .to_owned();
    let per_minute = body.per_minute.unwrap_or(DEFAULT_PER_MINUTE);
    let (actor_id, addr) = (actor.user_id.clone(), client_addr(&req));
    let (row, key) = state
        .db
        .write(move |conn| {
            let by = By {
                actor_id: Some(&actor_id),
                client_addr: &addr,
            };
            issue(conn, &name, per_minute, by, now())
        })
        .await?;
    let view = KeyView::from(&row);
    Ok(HttpResponse::Created()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(IssuedKey {
            id: view.id,
            name: view.name,
            key_prefix: view.key_prefix,
            per_minute: view.per_minute,
            created_at: view.created_at,
            revoked_at: view.revoked_at,
            key,
        }))
}
