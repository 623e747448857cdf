//! The one error type of the API and its RFC 9457 problem+json rendering.
//! Every failure a client sees goes through here: the status and the stable
//! `code` are decided in this file, the cause is logged and never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use gridops_domain::area::import::ImportProblem;
use gridops_infra::DbError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong with one input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as a path into the request: `lat`, `location.coordinates[0]`,
    /// or for an area file `features[3].geometry`.
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:gridops:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable; clients branch on this, not on `title`.
    pub code: String,
    /// Per-field problems, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Members particular to the problem (`current_status` and
    /// `allowed_actions` of an `invalid_transition`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    headers: Vec<(HeaderName, String)>,
    extensions: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            extensions: serde_json::Map::new(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", detail)
    }

    /// 422 with one entry per offending field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid value for {}", fields.join(", "));
        ApiError {
            errors,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                detail,
            )
        }
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// An RFC 9457 extension member, e.g. the allowed actions of a 409.
    pub fn with_extension(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(name.to_owned(), value);
        self
    }

    /// The same error under a more specific stable code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// Adds a response header (`Allow`, `Retry-After`, `WWW-Authenticate`).
    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn method_not_allowed(allow: String) -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("this resource supports {allow}"),
        )
        .with_header(header::ALLOW, allow)
    }

    /// 401: no valid credentials. `error` is RFC 6750's `invalid_token`
    /// when a token was sent but is not acceptable.
    pub fn unauthenticated(detail: impl Into<String>, invalid_token: bool) -> Self {
        let challenge = if invalid_token {
            r#"Bearer realm="gridops", error="invalid_token""#
        } else {
            r#"Bearer realm="gridops""#
        };
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
            .with_header(header::WWW_AUTHENTICATE, challenge)
    }

    /// 403: the caller may see the object but not do this to it.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// A failure the client cannot fix: logged in full here, reported as a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the cause is logged",
        )
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn problem(&self) -> Problem {
        Problem {
            extensions: self.extensions.clone(),
            ..problem(self.status, self.code, &self.detail, self.errors.clone())
        }
    }
}

pub fn problem(status: StatusCode, code: &str, detail: &str, errors: Vec<FieldError>) -> Problem {
    Problem {
        problem_type: format!("urn:gridops:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        code: code.to_owned(),
        errors,
        extensions: serde_json::Map::new(),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.content_type(PROBLEM_JSON);
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.insert_header((name.clone(), value));
            }
        }
        response.json(self.problem())
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ApiError::not_found("no such object"),
            DbError::Conflict(cause) => {
                tracing::info!(%cause, "conflict");
                ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "the change conflicts with what is stored",
                )
            }
            DbError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database cannot be reached; try again shortly",
                )
            }
            other => ApiError::internal(other),
        }
    }
}

/// Maps a database error, saying what was not found in the user's words.
pub fn missing(detail: impl Into<String>) -> impl FnOnce(DbError) -> ApiError {
    let detail = detail.into();
    move |e| match e {
        DbError::NotFound => ApiError::not_found(detail),
        other => other.into(),
    }
}

/// Problems of an area file as field errors: `features[3].geometry`.
pub fn import_problems(problems: &[ImportProblem]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: format!("features[{}].{}", p.feature, p.field),
            message: match &p.code {
                Some(code) => format!("{code}: {}", p.message),
                None => p.message.clone(),
            },
        })
        .collect()
}
