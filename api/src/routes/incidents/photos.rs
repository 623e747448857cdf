//! Photos of an incident: before/after evidence. Uploads are sniffed,
//! checked and stripped of metadata (kept aside as evidence) before being
//! stored under their content address.

use actix_multipart::Multipart;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;
use gridops_domain::access::{Access, Capability, decide};
use gridops_domain::photo::{PhotoKind, PhotoLimits};
use gridops_infra::photos::{InspectedPhoto, PhotoError, inspect};
use gridops_infra::repo::incidents::{self, PhotoRow};
use gridops_infra::repo::now;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::PhotoView;
use super::load_visible;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;

// Named apart from the clock requests' `KindParam`: two schemas of one name
// collapse into one in the document.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PhotoKind)]
pub enum KindParam {
    /// The problem as found.
    Before,
    /// The result, from the same spot.
    After,
}

#[derive(Debug, Deserialize, validator::Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// `before` (default) or `after`.
    pub kind: Option<KindParam>,
}

/// The multipart form: one part named `photo` holding the image.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// JPEG, PNG, HEIC or WebP; recognised by content, not by name.
    #[schema(value_type = String, format = Binary)]
    pub photo: Vec<u8>,
}

/// Reads the `photo` part, refusing it as soon as it passes the size limit.
async fn read_photo(mut form: Multipart, max: usize) -> Result<Vec<u8>, ApiError> {
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::malformed(format!("not a multipart form: {e}")))?;
        if field.name() != Some("photo") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::malformed(format!("upload interrupted: {e}")))?;
            if bytes.len() + chunk.len() > max {
                return Err(PhotoError::TooLarge { max }.into());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(ApiError::invalid_field(
        "photo",
        "send the image in a form part named `photo`",
    ))
}

/// Sniffs, checks and strips a photo (its EXIF read as evidence) and stores
/// the file under its content address; the caller writes its row. File
/// first, row second: a crash or a rollback in between leaves an
/// unreferenced file (harmless, content-addressed), never a row without its
/// file. Every way a photo comes in goes through here: an upload, a
/// checklist fix, an Open311 `media`.
pub async fn keep_photo(state: &AppState, bytes: Vec<u8>) -> Result<InspectedPhoto, ApiError> {
    let limits = PhotoLimits::default();
    let inspected = web::block(move || inspect(&bytes, &limits))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)?;
    let (store, key, stripped) = (
        state.photos.clone(),
        inspected.key.clone(),
        inspected.stripped.clone(),
    );
    web::block(move || store.put(&key, &stripped))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(inspected)
}

/// Adds a photo (`multipart/form-data`, part `photo`) to an incident the
/// caller may see. EXIF time and GPS are kept as evidence and removed from
/// the stored file.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id"), UploadQuery),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = PhotoView),
        (status = 200, description = "This incident already has this photo", body = PhotoView),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The incident is closed or rejected", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 10 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG, HEIC or WebP image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or corrupt image, no `photo` part, or the incident has its 9 photos", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/photos")]
pub async fn upload_photo(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidQuery(query): ValidQuery<UploadQuery>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let kind = match query.kind.unwrap_or(KindParam::Before) {
        KindParam::Before => PhotoKind::Before,
        KindParam::After => PhotoKind::After,
    };
    let stored = load_visible(&state, &actor, id.into_inner()).await?;
    match decide(&actor, Capability::AddPhoto(kind), &stored.incident) {
        Access::Granted => {}
        Access::Forbidden => {
            return Err(ApiError::forbidden(format!(
                "your role may not add {} photos to this incident",
                kind.as_str()
            )));
        }
        Access::Hidden => return Err(ApiError::not_found("no such incident")),
    }
    if stored.incident.status.is_final() {
        return Err(ApiError::new(
            ErrorCode::IncidentClosed,
            format!("the incident is {}", stored.incident.status),
        ));
    }
    let limits = PhotoLimits::default();
    let bytes = read_photo(form, limits.max_bytes).await?;
    let inspected = keep_photo(&state, bytes).await?;
    let row = PhotoRow {
        incident_id: stored.incident.id.clone(),
        photo_key: inspected.key.clone(),
        kind: kind.as_str().to_owned(),
        media_type: inspected.media_type.mime().to_owned(),
        size_bytes: i64::try_from(inspected.stripped.len()).unwrap_or(i64::MAX),
        uploaded_by: actor.user_id.clone(),
        uploaded_at: now(),
        taken_at: inspected.evidence.taken_at,
        taken_lat: inspected.evidence.lat,
        taken_lng: inspected.evidence.lng,
        original_sha256: inspected.original_sha256.clone(),
    };
    let added = {
        let row = row.clone();
        state
            .db
            .write(move |conn| {
                let existing = incidents::photos(conn, &row.incident_id)?;
                if existing.iter().any(|p| p.photo_key == row.photo_key) {
                    return Ok(Ok(false));
                }
                if let Err(e) = limits.check_count(existing.len()) {
                    return Ok(Err(ApiError::invalid_field(
                        "photo",
                        format!("an incident holds at most {} photos", e.max),
                    )));
                }
                Ok(Ok(incidents::add_photo(conn, &row)?))
            })
            .await??
    };
    let mut response = if added {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(PhotoView::from(row)))
}

/// The stored image (no metadata), for those who may see the incident.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id"), ("key" = String, Path, description = "Photo key")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 404, description = "No such incident or photo, or not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}/photos/{key}")]
pub async fn get_photo(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, key) = path.into_inner();
    let stored = load_visible(&state, &actor, id).await?;
    let incident_id = stored.incident.id.clone();
    let photos = state
        .db
        .run(move |conn| incidents::photos(conn, &incident_id))
        .await?;
    let photo = photos
        .into_iter()
        .find(|p| p.photo_key == key)
        .ok_or_else(|| ApiError::not_found("this incident has no such photo"))?;
    let store = state.photos.clone();
    let bytes = web::block(move || store.get(&key))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?
        .ok_or_else(|| {
            ApiError::internal(format!(
                "photo {} is recorded but not stored",
                photo.photo_key
            ))
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, photo.media_type))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        // Content-addressed: the bytes behind a key never change.
        .insert_header((CACHE_CONTROL, "private, max-age=31536000, immutable"))
        .insert_header((ETAG, format!("\"{}\"", photo.photo_key)))
        .body(bytes))
}
