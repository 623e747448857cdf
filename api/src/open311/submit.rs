//! `POST requests`: a client application reports a problem. The body is a
//! form (`application/x-www-form-urlencoded`, or `multipart/form-data` with a
//! `media` photo), the spec's parameters with `attribute[code]` for the
//! service's questions; `api_key` in the body or the query.

use std::collections::BTreeMap;

use crate::routes::incidents::photos::keep_photo;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use gridops_domain::category::{Category, leaves};
use gridops_domain::geo::{CoordSys, Coordinates};
use gridops_domain::open311::RequestDraft;
use gridops_domain::photo::PhotoLimits;
use gridops_infra::repo::{categories, open311};
use gridops_infra::token::hash_token;
use serde::Serialize;
use utoipa::ToSchema;

use super::client::{Client, check_jurisdiction};
use super::format::{RequestCreated, respond};
use super::intake::{self, Checked, Media};
use super::{answer, format_of};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The most bytes of form fields a request may carry (its photo aside).
const MAX_FIELDS_BYTES: usize = 64 * 1024;

/// The parameters of a request, as form fields.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct RequestForm {
    /// The key this city issued to the client application (or in the query).
    api_key: String,
    /// The service (a leaf category, see `services`).
    service_code: String,
    /// What is wrong, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    description: String,
    /// Latitude (WGS-84 unless `coord_sys`); with `long`, or give `address_string`.
    lat: Option<f64>,
    long: Option<f64>,
    /// gridops extension: `wgs84` (default), `gcj02` (AMap, Tencent) or `bd09` (Baidu).
    coord_sys: Option<String>,
    /// Where, in words: without `lat`/`long` a dispatcher places it first.
    #[schema(max_length = 200)]
    address_string: Option<String>,
    #[schema(max_length = 200)]
    email: Option<String>,
    #[schema(max_length = 200)]
    phone: Option<String>,
    #[schema(max_length = 200)]
    first_name: Option<String>,
    #[schema(max_length = 200)]
    last_name: Option<String>,
    #[schema(max_length = 200)]
    device_id: Option<String>,
    #[schema(max_length = 200)]
    account_id: Option<String>,
    #[schema(max_length = 200)]
    media_url: Option<String>,
    jurisdiction_id: Option<String>,
    /// gridops extension: `en` for an English `service_notice`.
    locale: Option<String>,
    /// The answers to the service's questions: `attribute[<code>]` (repeat
    /// `attribute[<code>][]` for a multivaluelist).
    #[serde(rename = "attribute[code]")]
    attribute: Option<String>,
}

/// The same, with a photo.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct RequestMultipart {
    #[schema(inline)]
    fields: RequestForm,
    /// JPEG, PNG, HEIC or WebP, up to 10 MiB; EXIF time and place kept as
    /// evidence and stripped from the stored file.
    #[schema(value_type = Option<String>, format = Binary)]
    media: Option<Vec<u8>>,
}

/// What a form carried.
#[derive(Debug, Default)]
struct Sent {
    fields: Vec<(String, String)>,
    media: Option<Vec<u8>>,
}

impl Sent {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn owned(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// Reports a problem. The answer names the case (`service_request_id`, the
/// gridops reference) when the request had a place, or a `token` to ask
/// later when it had only an address. The same request sent again by the
/// same key within ten minutes gets the first answer.
#[utoipa::path(
    tag = "open311",
    params(
        ("format" = String, Path, description = "`xml` or `json`"),
        ("api_key" = Option<String>, Query, description = "The client's key, if not in the body"),
    ),
    request_body(content(
        (RequestForm = "application/x-www-form-urlencoded"),
        (RequestMultipart = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Taken: `service_request_id` (or `token`) and `service_notice`", content_type = "text/xml"),
        (status = 400, description = "A missing or bad parameter, named; an unknown service (spec error document)", content_type = "text/xml"),
        (status = 403, description = "No api_key, an unknown one, or a revoked one (spec error document)", content_type = "text/xml"),
        (status = 404, description = "Unknown format or jurisdiction (spec error document)", content_type = "text/xml"),
        (status = 413, description = "The photo is larger than 10 MiB, or the fields than 64 KiB", content_type = "text/xml"),
        (status = 415, description = "Not a form, or the photo is not a JPEG, PNG, HEIC or WebP image", content_type = "text/xml"),
        (status = 429, description = "The key's quota of requests a minute is used up; see Retry-After", content_type = "text/xml"),
    )
)]
#[post("/requests.{format}")]
pub async fn post_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let format = match format_of(&path) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = submit(&state, &req, payload).await.map(|(taken, english)| {
        let notice = match (&taken.reference, english) {
            (Some(reference), false) => format!("已受理，案件编号 {reference}，将按规定时限办理。"),
            (Some(reference), true) => {
                format!("Received as case {reference}; it will be handled within the city's time limits.")
            }
            (None, false) => "已收到。地址待调度员定位后立案，可凭 token 查询案件编号。".to_owned(),
            (None, true) => {
                "Received. A dispatcher will place the address and open the case; ask with the token for its id."
                    .to_owned()
            }
        };
        let doc = RequestCreated {
            token: taken.reference.is_none().then(|| taken.token.clone()),
            service_request_id: taken.reference,
            service_notice: Some(notice),
            account_id: None,
        };
        respond(format, StatusCode::CREATED, &doc)
    });
    answer(format, result)
}

async fn submit(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(intake::Taken, bool), ApiError> {
    let sent = read_form(req, payload).await?;
    let query: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let from_query = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let api_key = sent.owned("api_key").or_else(|| from_query("api_key"));
    let client = Client::authenticate(state, api_key.as_deref()).await?;
    let jurisdiction = sent
        .owned("jurisdiction_id")
        .or_else(|| from_query("jurisdiction_id"));
    check_jurisdiction(state, jurisdiction.as_deref())?;
    let english = sent
        .get("locale")
        .is_some_and(|l| l.to_ascii_lowercase().starts_with("en"));
    let code = sent
        .owned("service_code")
        .ok_or_else(|| ApiError::invalid_field("service_code", "required: see services"))?;
    let wanted = code.clone();
    let (category, questions) = state
        .db
        .run(move |conn| {
            let all = categories::list(conn)?;
            let Some(category) = leaves(&all).find(|c| c.code == wanted).cloned() else {
                return Ok(None);
            };
            let questions = open311::attributes_of(conn, &wanted)?;
            Ok(Some((category, questions)))
        })
        .await?
        .ok_or_else(|| ApiError::invalid_field("service_code", format!("no service {code}")))?;
    let draft = draft(&sent)?;
    let attributes = draft
        .check(&questions)
        .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
    let media = match sent.media.as_deref() {
        Some(bytes) if !bytes.is_empty() => Some(store_photo(state, bytes.to_vec()).await?),
        _ => None,
    };
    let fingerprint = fingerprint(&client, &sent, media.as_ref());
    let checked = Checked {
        client,
        category: Category::clone(&category),
        draft,
        attributes,
        fingerprint,
        media,
    };
    Ok((intake::take(state, checked).await?, english))
}

/// The request's fields in the domain's terms; a bad number names its field.
fn draft(sent: &Sent) -> Result<RequestDraft, ApiError> {
    let number = |field: &'static str| -> Result<Option<f64>, ApiError> {
        sent.owned(field)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| ApiError::invalid_field(field, "a decimal number"))
            })
            .transpose()
    };
    let point = match (number("lat")?, number("long")?) {
        (Some(lat), Some(lng)) => {
            let coord_sys = match sent.owned("coord_sys") {
                None => CoordSys::Wgs84,
                Some(s) => s
                    .parse::<CoordSys>()
                    .map_err(|e| ApiError::invalid_field("coord_sys", e.to_string()))?,
            };
            let point = Coordinates::new(lat, lng).map_err(|e| {
                let field = if e.field() == "lat" { "lat" } else { "long" };
                ApiError::invalid_field(field, e.to_string())
            })?;
            Some(point.to_wgs84(coord_sys))
        }
        (Some(_), None) => return Err(ApiError::invalid_field("long", "send long with lat")),
        (None, Some(_)) => return Err(ApiError::invalid_field("lat", "send lat with long")),
        (None, None) => None,
    };
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in &sent.fields {
        let Some(inner) = name.strip_prefix("attribute[") else {
            continue;
        };
        let code = inner
            .strip_suffix("][]")
            .or_else(|| inner.strip_suffix(']'))
            .filter(|c| !c.is_empty() && !c.contains(['[', ']']))
            .ok_or_else(|| {
                ApiError::invalid_field(name.clone(), "attribute[<code>] or attribute[<code>][]")
            })?;
        attributes
            .entry(code.to_owned())
            .or_default()
            .push(value.clone());
    }
    Ok(RequestDraft {
        description: sent.get("description").unwrap_or("").to_owned(),
        point,
        address: sent.owned("address_string"),
        email: sent.owned("email"),
        phone: sent.owned("phone"),
        first_name: sent.owned("first_name"),
        last_name: sent.owned("last_name"),
        device_id: sent.owned("device_id"),
        account_id: sent.owned("account_id"),
        media_url: sent.owned("media_url"),
        attributes,
    })
}

/// What makes two sendings the same request: the key, every field but the
/// key itself in the order sent, and the photo's bytes.
fn fingerprint(client: &Client, sent: &Sent, media: Option<&Media>) -> String {
    let mut canonical = client.key.id.clone();
    for (name, value) in sent.fields.iter().filter(|(n, _)| n != "api_key") {
        canonical.push('\n');
        canonical.push_str(name);
        canonical.push('=');
        canonical.push_str(value);
    }
    if let Some(media) = media {
        canonical.push_str("\nmedia=");
        canonical.push_str(&media.original_sha256);
    }
    hash_token(&canonical)
}

/// The request's photo, kept as any photo is (`keep_photo`); a refusal
/// names the `media` parameter.
async fn store_photo(state: &AppState, bytes: Vec<u8>) -> Result<Media, ApiError> {
    let inspected = keep_photo(state, bytes)
        .await
        .map_err(|e| ApiError::new(e.code(), format!("media: {}", e.problem().detail)))?;
    Ok(Media {
        photo_key: inspected.key,
        media_type: inspected.media_type.mime().to_owned(),
        size_bytes: i64::try_from(inspected.stripped.len()).unwrap_or(i64::MAX),
        taken_at: inspected.evidence.taken_at,
        taken_lat: inspected.evidence.lat,
        taken_lng: inspected.evidence.lng,
        original_sha256: inspected.original_sha256,
    })
}

/// The form's fields (and photo), whichever of the two encodings it came in.
async fn read_form(req: &HttpRequest, mut payload: web::Payload) -> Result<Sent, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::malformed(format!("body interrupted: {e}")))?;
            if body.len() + chunk.len() > MAX_FIELDS_BYTES {
                return Err(too_large("the form"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Sent {
            fields: form_urlencoded::parse(&body).into_owned().collect(),
            media: None,
        })
    } else if content_type.starts_with("multipart/form-data") {
        read_multipart(Multipart::new(req.headers(), payload)).await
    } else {
        Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the request as application/x-www-form-urlencoded or multipart/form-data",
        ))
    }
}

fn too_large(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("{what} is larger than this service takes"),
    )
}

async fn read_multipart(mut form: Multipart) -> Result<Sent, ApiError> {
    let max_photo = PhotoLimits::default().max_bytes;
    let mut sent = Sent::default();
    let mut field_bytes = 0;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::malformed(format!("not a multipart form: {e}")))?;
        let name = field.name().unwrap_or("").to_owned();
        let is_media = name == "media";
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::malformed(format!("upload interrupted: {e}")))?;
            if is_media {
                if bytes.len() + chunk.len() > max_photo {
                    return Err(too_large("media: the photo"));
                }
            } else {
                field_bytes += chunk.len();
                if field_bytes > MAX_FIELDS_BYTES {
                    return Err(too_large("the form"));
                }
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_media {
            sent.media = Some(bytes);
        } else {
            let value = String::from_utf8(bytes)
                .map_err(|_| ApiError::invalid_field(name.clone(), "not UTF-8 text"))?;
            sent.fields.push((name, value));
        }
    }
    Ok(sent)
}
