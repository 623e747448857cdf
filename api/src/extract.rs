//! Extractors that turn bad input into problem+json naming the field: JSON
//! bodies (400 with line and column for syntax, 415 for another media type,
//! 413 over the size limit, 422 for values) and query strings (422).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, ErrorCode, FieldError};

/// A JSON body, deserialised and validated.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|essence| {
                let essence = essence.trim().to_ascii_lowercase();
                essence == "application/json"
                    || (essence.starts_with("application/") && essence.ends_with("+json"))
            })
            .unwrap_or(false);
        let has_content_type = req.headers().contains_key(CONTENT_TYPE);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| ApiError::unreadable_body(&e))?;
            // No body at all (`POST /incidents/{id}/accept`): an empty object,
            // so optional fields default and required ones are named.
            if bytes.is_empty() && !has_content_type {
                let value = parse_json::<T>(b"{}")?;
                validate(&value)?;
                return Ok(ValidJson(value));
            }
            if !is_json {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            let value = parse_json::<T>(&bytes)?;
            validate(&value)?;
            Ok(ValidJson(value))
        })
    }
}

/// Syntax errors are 400 with the position; well-formed JSON of the wrong
/// shape is 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                ApiError::invalid_field(field_of(&path, &message), message)
            }
            _ => ApiError::malformed(format!(
                "malformed JSON at line {} column {}: {}",
                inner.line(),
                inner.column(),
                strip_position(&inner.to_string())
            )),
        }
    })?;
    de.end().map_err(|e| {
        ApiError::malformed(format!(
            "malformed JSON at line {} column {}: trailing characters",
            e.line(),
            e.column()
        ))
    })?;
    Ok(value)
}

/// The field a deserialisation error is about. serde names a missing field
/// only in its message, with the path pointing at the enclosing object.
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (_, Some(name)) => format!("{path}.{name}"),
        (_, None) => path.to_owned(),
    }
}

/// serde_json appends " at line L column C", which we report separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string, deserialised and validated.
#[derive(Debug)]
pub struct ValidQuery<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(ValidQuery))
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        ApiError::invalid_field(field_of(&path, &message), message)
    })?;
    validate(&value)?;
    Ok(value)
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

pub fn validate<T: Validate>(value: &T) -> Result<(), ApiError> {
    value.validate().map_err(|errors| {
        let mut fields = Vec::new();
        flatten(&errors, "", &mut fields);
        ApiError::validation(fields)
    })
}

fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => out.extend(list.iter().map(|e| {
                FieldError {
                    field: path.clone(),
                    message: e
                        .message
                        .as_ref()
                        .map_or_else(|| e.code.to_string(), ToString::to_string),
                }
            })),
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
    out.sort_by(|a, b| a.field.cmp(&b.field));
}

/// Page sizes: lists default to 50 and never return more than 500 at once.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// The client's address as this server sees it (the peer; behind a proxy,
/// the proxy). Used for throttling and the audit trail.
pub fn client_addr(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// Locales with message templates.
pub fn check_locale(locale: &str) -> Result<(), validator::ValidationError> {
    if matches!(locale, "zh-CN" | "en") {
        Ok(())
    } else {
        Err(validator::ValidationError::new("locale").with_message("locale is zh-CN or en".into()))
    }
}

/// `{micros}_{id}`, the cursor of lists sorted by a time and an id; 422
/// naming `cursor` otherwise.
pub(crate) fn parse_time_cursor(text: &str) -> Result<(chrono::NaiveDateTime, String), ApiError> {
    text.split_once('_')
        .and_then(|(micros, id)| {
            let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
            Some((at, id.to_owned()))
        })
        .ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor of this list"))
}
