//! `/api/v1/devices`: a phone registers its push token after sign-in and
//! removes it at sign-out.

use actix_web::{HttpResponse, delete, post, web};
use chrono::{DateTime, Utc};
use gridops_infra::repo::notifications::{self as repo, DeviceRow, NewDevice};
use gridops_infra::repo::now;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::check_locale;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformParam {
    Android,
    Ios,
    Web,
}

impl PlatformParam {
    fn as_str(self) -> &'static str {
        match self {
            PlatformParam::Android => "android",
            PlatformParam::Ios => "ios",
            PlatformParam::Web => "web",
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterDevice {
    /// The FCM registration token of the app on this phone.
    #[validate(length(min = 1, max = 4096, message = "1 to 4096 characters"))]
    #[schema(min_length = 1, max_length = 4096)]
    pub token: String,
    pub platform: PlatformParam,
    /// The language of its notifications: `zh-CN` or `en`.
    #[validate(custom(function = "check_locale"))]
    #[schema(pattern = "^(zh-CN|en)$")]
    pub locale: String,
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub app_version: Option<String>,
}

/// A registered phone. The token is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceView {
    pub id: String,
    pub platform: String,
    pub locale: String,
    pub app_version: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DeviceRow> for DeviceView {
    fn from(d: DeviceRow) -> Self {
        DeviceView {
            id: d.id,
            platform: d.platform,
            locale: d.locale,
            app_version: d.app_version,
            created_at: d.created_at.and_utc(),
            updated_at: d.updated_at.and_utc(),
        }
    }
}

/// Registers this phone's push token for the signed-in user. A token known
/// already moves to them (a shared phone changes hands) and answers 200.
#[utoipa::path(
    tag = "notifications",
    request_body = RegisterDevice,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = DeviceView),
        (status = 200, description = "Known token, now this user's, details updated", body = DeviceView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/devices")]
pub async fn register_device(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(body): ValidJson<RegisterDevice>,
) -> Result<HttpResponse, ApiError> {
    let device = NewDevice {
        token: body.token,
        platform: body.platform.as_str().to_owned(),
        locale: body.locale,
        app_version: body.app_version,
    };
    let user = actor.user_id.clone();
    let (row, created) = state
        .db
        .write(move |conn| repo::register_device(conn, &user, &device, now()))
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(DeviceView::from(row)))
}

/// Removes one of the signed-in user's phones: it receives no more pushes.
#[utoipa::path(
    tag = "notifications",
    params(("id" = String, Path, description = "Device id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/devices/{id}")]
pub async fn delete_device(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (actor.user_id.clone(), id.into_inner());
    let deleted = state
        .db
        .write(move |conn| repo::delete_device(conn, &user, &id))
        .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("no such device"))
    }
}
