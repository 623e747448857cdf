//! What the lifecycle steps (`POST /api/v1/incidents/{id}/{action}`, one
//! file each beside this one) share: the request a step handler is given,
//! the answers its OpenAPI operation lists, and the checks several run in
//! the step's transaction. The domain decides (`gridops_domain::incident::
//! apply`) and the workflow commits (`super::step`); a handler only turns
//! its body into a `Command`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use gridops_domain::access::Actor;
use gridops_domain::incident::IncidentError;
use gridops_infra::DbConnection;
use gridops_infra::repo::incidents::{self, StoredIncident};
use gridops_infra::workflow::StepError;
use serde::de::DeserializeOwned;
use utoipa::IntoResponses;
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

/// A step's request: the app, who asks, the request itself (for
/// `If-Match`), the incident's id from the path and the validated body.
/// Extracted in that order, so a caller without a token hears 401 before
/// anything is said about the body.
#[derive(Debug)]
pub struct StepRequest<B> {
    pub state: web::Data<AppState>,
    pub actor: Actor,
    pub req: HttpRequest,
    pub id: String,
    pub body: B,
}

impl<B: DeserializeOwned + Validate + 'static> FromRequest for StepRequest<B> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = web::Data::<AppState>::extract(req);
        let user = AuthUser::from_request(req, payload);
        let id = web::Path::<String>::extract(req);
        let body = ValidJson::<B>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let state = state.await.map_err(ApiError::internal)?;
            let AuthUser(actor) = user.await?;
            let id = id
                .await
                .map_err(|e| ApiError::malformed(e.to_string()))?
                .into_inner();
            let ValidJson(body) = body.await?;
            Ok(StepRequest {
                state,
                actor,
                req,
                id,
                body,
            })
        })
    }
}

/// The answers every step may give beside its 200.
#[derive(IntoResponses)]
pub enum StepResponses {
    #[response(
        status = 404,
        description = "No such incident, or not visible",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 412,
        description = "The incident changed since the ETag given in If-Match",
        content_type = "application/problem+json"
    )]
    Stale(Problem),
}

/// The refusals of a step the domain may refuse: the caller's role, the
/// incident's state. A step lists its own 403 or 409 after these when it can
/// say more.
#[derive(IntoResponses)]
pub enum StepRefusals {
    #[response(
        status = 403,
        description = "The caller's role may not take this step",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 409,
        description = "Not possible in the current state; the problem lists `allowed_actions`",
        content_type = "application/problem+json"
    )]
    InvalidTransition(Problem),
}

/// For steps whose every check is the domain's.
pub fn nothing_to_check(_: &mut DbConnection, _: &StoredIncident) -> Result<(), StepError> {
    Ok(())
}

/// The photos named by a resolve must be this incident's.
pub fn photos_exist(
    photos: Vec<String>,
) -> impl Fn(&mut DbConnection, &StoredIncident) -> Result<(), StepError> + Send + Sync + Clone + 'static
{
    move |conn, incident| {
        if photos.is_empty() {
            return Ok(());
        }
        let stored = incidents::photos(conn, &incident.incident.id)?;
        match photos
            .iter()
            .find(|key| !stored.iter().any(|p| &p.photo_key == *key))
        {
            Some(key) => Err(IncidentError::Invalid {
                field: "photos",
                message: format!("{key} is not a photo of this incident; upload it first"),
            }
            .into()),
            None => Ok(()),
        }
    }
}
