//! Open311 GeoReport v2 under `/open311/v2/`: existing civic-tech clients
//! (FixMyStreet, SeeClickFix, city apps and kiosks) read the services and
//! the cases and post requests, which become residents' reports routed like
//! any other. Every resource answers in XML (the spec's required format) or
//! JSON by its extension; errors take the spec's `errors` shape.
//!
//! A request needs an API key an administrator issued (`open311 key
//! create`); reads are public, with what the privacy rules allow
//! (`gridops_domain::open311::privacy`).

pub mod format;
pub mod intake;
pub mod public_cases;
pub mod requests;
pub mod services;
pub mod submit;
pub mod xml;

mod client;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::http::header::RETRY_AFTER;
use actix_web::{HttpResponse, ResponseError};

pub use client::Client;
use format::{Format, error_response};

use crate::error::ApiError;
use crate::throttle::KeyedThrottle;

/// What the Open311 surface is configured with, shared by its handlers.
#[derive(Debug, Default)]
pub struct Open311Config {
    /// The `jurisdiction_id` clients may name; `None` accepts any city-level
    /// area code of the map (and no `jurisdiction_id` is always fine).
    pub jurisdiction: Option<String>,
    /// One throttle per quota a key was issued with, each counting per key.
    throttles: Mutex<HashMap<u32, Arc<KeyedThrottle>>>,
}

impl Open311Config {
    pub fn new(jurisdiction: Option<String>) -> Open311Config {
        Open311Config {
            jurisdiction,
            throttles: Mutex::default(),
        }
    }

    /// The throttle of the keys issued with `per_minute`.
    fn throttle(&self, per_minute: u32) -> Arc<KeyedThrottle> {
        let mut throttles = self
            .throttles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        throttles
            .entry(per_minute)
            .or_insert_with(|| Arc::new(KeyedThrottle::per_minute(per_minute)))
            .clone()
    }
}

/// The answer of an Open311 handler: its document, or the failure in the
/// spec's error shape in the format asked for. A field the client got wrong
/// is a 400 naming it (the spec's status for a bad request, where the REST
/// API says 422); a missing, unknown or revoked key 403.
pub fn answer(format: Format, result: Result<HttpResponse, ApiError>) -> HttpResponse {
    let error = match result {
        Ok(response) => return response,
        Err(error) => error,
    };
    let status = match error.status() {
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
        other => other,
    };
    let problem = error.problem();
    let description = if problem.errors.is_empty() {
        problem.detail
    } else {
        problem
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut response = error_response(format, status, description);
    if let Some(retry) = error.error_response().headers().get(RETRY_AFTER) {
        response.headers_mut().insert(RETRY_AFTER, retry.clone());
    }
    response
}

/// The format of a path's `{format}` segment; an unknown one is answered in
/// XML (the format every client reads).
pub fn format_of(extension: &str) -> Result<Format, Box<HttpResponse>> {
    Format::from_extension(extension).ok_or_else(|| {
        Box::new(error_response(
            Format::Xml,
            StatusCode::NOT_FOUND,
            format!("no format {extension}: use .xml or .json"),
        ))
    })
}
