//! The one error type of the API and its RFC 9457 problem+json rendering.
//! Every failure a client sees goes through here: the stable `code` is an
//! [`ErrorCode`], whose table (`error/codes.rs`) fixes its status and title;
//! the errors of the domain and of the stores become [`ApiError`]s in
//! `error/mapping.rs`. The cause is logged and never sent.

mod codes;
mod mapping;

pub use codes::ErrorCode;
pub use mapping::{missing, rule_conflict};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use gridops_domain::area::import::ImportProblem;
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
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    headers: Vec<(HeaderName, String)>,
    extensions: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status().as_u16(),
            self.code,
            self.detail
        )
    }
}

impl ApiError {
    /// A problem of kind `code`, answered with the code's status.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            extensions: serde_json::Map::new(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, detail)
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::MalformedRequest, detail)
    }

    /// 422 with one entry per offending field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid value for {}", fields.join(", "));
        ApiError {
            errors,
            ..ApiError::new(ErrorCode::ValidationFailed, detail)
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

    /// The same error under a more specific code (of the same status).
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        debug_assert_eq!(code.status(), self.code.status());
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
            ErrorCode::MethodNotAllowed,
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
        ApiError::new(ErrorCode::Unauthenticated, detail)
            .with_header(header::WWW_AUTHENTICATE, challenge)
    }

    /// 403: the caller may see the object but not do this to it.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Forbidden, detail)
    }

    /// 412: `subject` (`incident`, `rule`) is at version `current` now, not
    /// at the one the client sent in `If-Match`; `ETag` names the current one.
    pub fn stale_version(subject: &str, current: i64) -> Self {
        ApiError::new(
            ErrorCode::StaleVersion,
            format!(
                "the {subject} changed since you read it; it is now version {current}: read it again"
            ),
        )
        .with_header(header::ETAG, format!("\"{current}\""))
    }

    /// A body that could not be read: too large (413) or cut off (400).
    pub fn unreadable_body(e: &actix_web::Error) -> Self {
        if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                "the body is larger than this endpoint accepts",
            )
        } else {
            ApiError::malformed(format!("could not read the body: {e}"))
        }
    }

    /// A failure the client cannot fix: logged in full here, reported as a bare 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            ErrorCode::Internal,
            "the server failed to answer; the cause is logged",
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: problem_type(self.code.code()),
            title: self.code.title().to_owned(),
            status: self.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code.code().to_owned(),
            errors: self.errors.clone(),
            extensions: self.extensions.clone(),
        }
    }
}

fn problem_type(code: &str) -> String {
    format!("urn:gridops:problem:{code}")
}

/// The problem document of an error answer the framework made itself
/// (`startup`'s rewrite): the status is the framework's, the title its
/// reason phrase.
pub fn problem(status: StatusCode, code: &str, detail: &str, errors: Vec<FieldError>) -> Problem {
    Problem {
        problem_type: problem_type(code),
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
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status());
        response.content_type(PROBLEM_JSON);
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.insert_header((name.clone(), value));
            }
        }
        response.json(self.problem())
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
