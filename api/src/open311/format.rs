//! The documents of Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>)
//! and mySociety's `servicerequestupdates` extension, rendered as XML (the
//! spec's required format) or JSON. Pure: the handlers fill the structs and
//! call [`respond`] (or [`render_bytes`], to apply a conditional GET first).
//!
//! # Conventions
//!
//! - **Format** comes from the path's extension: `services.xml`,
//!   `requests/42.json` ([`split_format`]). Without a usable one, answer the
//!   error in XML ([`Format::default`]).
//! - **Dates** are W3C date-times (the spec's "w3 format") in UTC with a `Z`
//!   and whole seconds: `2026-12-04T01:10:00Z` ([`w3c_datetime`]). That is
//!   what FixMyStreet's `DateTime::Format::W3CDTF` writes for UTC and reads.
//! - **Absent values**: a field of the spec that has no value is an empty
//!   element in XML (`<agency_responsible></agency_responsible>`) and `null`
//!   in JSON, as in the spec's examples. A few fields are left out of both
//!   instead, where the spec or mySociety's server leaves them out: the
//!   `service_request_id` / `token` not returned by a POST, an attribute's
//!   empty `values`, an update's `external_status_code` and
//!   `customer_reference`, a created update's `account_id`.
//! - **Extended statuses** (mySociety's extension, read by FixMyStreet with
//!   `map_state`): where a request or an update has an `extended_status`, its
//!   `<status>` carries it, lowercased (`in_progress`, `not_councils_responsibility`),
//!   instead of the spec's `open` / `closed`; leave it `None` for a client
//!   that wants the spec's two values only.
//! - **Text** is UTF-8 in both formats (Chinese as it is); XML drops the
//!   characters XML 1.0 forbids, JSON keeps them escaped (see [`super::xml`]).

use std::borrow::Cow;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

use super::xml::{Node, Tree};

pub const XML_CONTENT_TYPE: &str = "text/xml; charset=utf-8";
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// A response format, named by the resource's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `.xml`, `text/xml`: the spec's required format, and the one for an
    /// error when the client's format is unknown.
    #[default]
    Xml,
    /// `.json`, `application/json`.
    Json,
}

impl Format {
    /// `xml` or `json`, ASCII case ignored.
    pub fn from_extension(extension: &str) -> Option<Format> {
        if extension.eq_ignore_ascii_case("xml") {
            Some(Format::Xml)
        } else if extension.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
        }
    }

    /// The MIME type a discovery document lists in `formats`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Xml => "text/xml",
            Format::Json => "application/json",
        }
    }

    /// The `Content-Type` of a response, with its charset.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => XML_CONTENT_TYPE,
            Format::Json => JSON_CONTENT_TYPE,
        }
    }
}

/// A resource path whose format cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("the resource needs a format: add .xml or .json to its path")]
    Missing,
    #[error("unknown format \"{0}\": use .xml or .json")]
    Unknown(String),
}

/// Splits a path tail into the resource and its format:
/// `services.json` → (`services`, Json), `requests/abc.xml` →
/// (`requests/abc`, Xml), `services/a.b.xml` → (`services/a.b`, Xml).
/// Only the last path segment's last dot counts; an empty resource
/// (`.xml`) or extension (`services.`) is [`FormatError::Missing`].
pub fn split_format(path: &str) -> Result<(&str, Format), FormatError> {
    let (resource, extension) = match path.rsplit_once('.') {
        Some((resource, extension)) if !extension.contains('/') => (resource, extension),
        _ => return Err(FormatError::Missing),
    };
    if resource.is_empty() || resource.ends_with('/') || extension.is_empty() {
        return Err(FormatError::Missing);
    }
    Format::from_extension(extension)
        .map(|format| (resource, format))
        .ok_or_else(|| FormatError::Unknown(extension.to_owned()))
}

/// A date-time as the spec writes it: `2026-12-04T01:10:00Z` (UTC, whole
/// seconds).
pub fn w3c_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A client's `start_date` / `end_date`: a W3C date-time with its zone
/// (`2026-12-04T01:10:00Z`, `2026-12-04T09:10:00+08:00`, fractions of a
/// second allowed, seconds optional). A `+` that reached the query string
/// unencoded arrives as a space (`…T09:10:00 08:00`) and is read as `+`.
/// `None` for anything else, a date-time without zone included.
pub fn parse_w3c_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = restore_plus(text.trim());
    let at = DateTime::parse_from_rfc3339(&text).ok().or_else(|| {
        // hh:mm without seconds, which the W3C note allows.
        let (local, zone) = split_zone(&text)?;
        let local = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").ok()?;
        DateTime::parse_from_rfc3339(&format!("{}{zone}", local.format("%Y-%m-%dT%H:%M:%S"))).ok()
    })?;
    Some(at.with_timezone(&Utc))
}

/// `…T09:10:00 08:00` → `…T09:10:00+08:00`.
fn restore_plus(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n > 6 && bytes[n - 6] == b' ' && bytes[n - 3] == b':' {
        Cow::Owned(format!("{}+{}", &text[..n - 6], &text[n - 5..]))
    } else {
        Cow::Borrowed(text)
    }
}

/// `("2026-12-04T09:10", "+08:00")` or `(…, "Z")`.
fn split_zone(text: &str) -> Option<(&str, &str)> {
    if let Some(local) = text.strip_suffix(['Z', 'z']) {
        return Some((local, "Z"));
    }
    let at = text.len().checked_sub(6)?;
    let zone = text.get(at..)?;
    zone.starts_with(['+', '-']).then(|| (&text[..at], zone))
}

/// Something the Open311 endpoint answers with.
pub trait Document {
    /// The document as the tree both formats are written from.
    fn tree(&self) -> Tree;
}

/// The body and `Content-Type` of `doc` in `format`: for a caller that
/// computes an ETag over the bytes before answering.
pub fn render_bytes<T: Document + ?Sized>(format: Format, doc: &T) -> (Vec<u8>, &'static str) {
    let tree = doc.tree();
    let body = match format {
        Format::Xml => tree.to_xml(),
        Format::Json => tree.to_json(),
    };
    (body, format.content_type())
}

/// `doc` in `format`, answered with `status`.
pub fn respond<T: Document + ?Sized>(format: Format, status: StatusCode, doc: &T) -> HttpResponse {
    let (body, content_type) = render_bytes(format, doc);
    HttpResponse::build(status)
        .content_type(content_type)
        .body(body)
}

/// The spec's error document with one error whose `code` is `status`.
pub fn error_response(
    format: Format,
    status: StatusCode,
    description: impl Into<String>,
) -> HttpResponse {
    respond(
        format,
        status,
        &Errors(vec![Open311Error {
            code: status.as_u16(),
            description: description.into(),
        }]),
    )
}

// ---------------------------------------------------------------- discovery

/// `discovery.xml`: where the endpoints are and what they speak.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// Sortable; when this document last changed (e.g. [`w3c_datetime`]).
    pub changeset: String,
    /// How to reach the people behind the endpoint.
    pub contact: String,
    /// How to get an API key.
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

/// One endpoint of a discovery document.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// `http://wiki.open311.org/GeoReport_v2`.
    pub specification: String,
    pub url: String,
    pub changeset: String,
    /// `production` or `test`.
    pub type_: String,
    /// MIME types: [`Format::mime`].
    pub formats: Vec<String>,
}

impl Document for Discovery {
    fn tree(&self) -> Tree {
        let endpoints = self
            .endpoints
            .iter()
            .map(|e| {
                Node::Record(vec![
                    ("specification", Node::text(&e.specification)),
                    ("url", Node::text(&e.url)),
                    ("changeset", Node::text(&e.changeset)),
                    ("type", Node::text(&e.type_)),
                    (
                        "formats",
                        Node::List {
                            item: "format",
                            entries: e.formats.iter().map(Node::text).collect(),
                        },
                    ),
                ])
            })
            .collect();
        Tree {
            root: "discovery",
            body: Node::Record(vec![
                ("changeset", Node::text(&self.changeset)),
                ("contact", Node::text(&self.contact)),
                ("key_service", Node::text(&self.key_service)),
                (
                    "endpoints",
                    Node::List {
                        item: "endpoint",
                        entries: endpoints,
                    },
                ),
            ]),
        }
    }
}

// ----------------------------------------------------------------- services

/// One service (a request type) of `services.xml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: Option<String>,
    /// Whether a service definition (attributes) must be fetched.
    pub metadata: bool,
    /// `realtime`, `batch` or `blackbox`.
    pub type_: String,
    /// Comma-separated keywords, `""` for none.
    pub keywords: String,
    pub group: Option<String>,
}

/// `services.xml`: `<services><service>…</service></services>`, a JSON array.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceList(pub Vec<Service>);

impl Document for ServiceList {
    fn tree(&self) -> Tree {
        let entries = self
            .0
            .iter()
            .map(|s| {
                Node::Record(vec![
                    ("service_code", Node::text(&s.service_code)),
                    ("service_name", Node::text(&s.service_name)),
                    ("description", Node::opt_text(s.description.as_deref())),
                    ("metadata", Node::Bool(s.metadata)),
                    ("type", Node::text(&s.type_)),
                    ("keywords", Node::text(&s.keywords)),
                    ("group", Node::opt_text(s.group.as_deref())),
                ])
            })
            .collect();
        Tree {
            root: "services",
            body: Node::List {
                item: "service",
                entries,
            },
        }
    }
}

/// `services/{code}.xml`: the attributes a request of a service takes.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// One attribute of a service definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// `false`: shown to the user only, no input.
    pub variable: bool,
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist`,
    /// `multivaluelist`.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: Option<String>,
    /// 1 is shown first.
    pub order: u32,
    pub description: String,
    /// The choices of a list datatype; left out of the document when empty.
    pub values: Vec<AttributeValue>,
}

/// One choice of a list attribute: `key` is sent back, `name` is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

impl Document for ServiceDefinition {
    fn tree(&self) -> Tree {
        let attributes = self
            .attributes
            .iter()
            .map(|a| {
                let mut fields = vec![
                    ("variable", Node::Bool(a.variable)),
                    ("code", Node::text(&a.code)),
                    ("datatype", Node::text(&a.datatype)),
                    ("required", Node::Bool(a.required)),
                    (
                        "datatype_description",
                        Node::opt_text(a.datatype_description.as_deref()),
                    ),
                    ("order", Node::Integer(i64::from(a.order))),
                    ("description", Node::text(&a.description)),
                ];
                if !a.values.is_empty() {
                    let values = a
                        .values
                        .iter()
                        .map(|v| {
                            Node::Record(vec![
                                ("key", Node::text(&v.key)),
                                ("name", Node::text(&v.name)),
                            ])
                        })
                        .collect();
                    fields.push((
                        "values",
                        Node::List {
                            item: "value",
                            entries: values,
                        },
                    ));
                }
                Node::Record(fields)
            })
            .collect();
        Tree {
            root: "service_definition",
            body: Node::Record(vec![
                ("service_code", Node::text(&self.service_code)),
                (
                    "attributes",
                    Node::List {
                        item: "attribute",
                        entries: attributes,
                    },
                ),
            ]),
        }
    }
}

// ----------------------------------------------------------------- requests

/// One request of `requests.xml` / `requests/{id}.xml`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// The spec's `open` or `closed`.
    pub status: String,
    /// mySociety's extended status (`IN_PROGRESS`, `fixed`…); when present
    /// it is written, lowercased, in place of `status`.
    pub extended_status: Option<String>,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: DateTime<Utc>,
    pub updated_datetime: DateTime<Utc>,
    pub expected_datetime: Option<DateTime<Utc>>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// `<status>`: the extended status, lowercased, when there is one.
fn status_node(status: &str, extended: Option<&str>) -> Node {
    match extended {
        Some(extended) => Node::text(extended.to_ascii_lowercase()),
        None => Node::text(status),
    }
}

fn datetime_node(at: Option<DateTime<Utc>>) -> Node {
    Node::Text(at.map(w3c_datetime))
}

/// `requests.xml`: `<service_requests><request>…</request></service_requests>`,
/// a JSON array; a single request is a list of one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceRequests(pub Vec<ServiceRequest>);

impl Document for ServiceRequests {
    fn tree(&self) -> Tree {
        let entries = self
            .0
            .iter()
            .map(|r| {
                Node::Record(vec![
                    ("service_request_id", Node::text(&r.service_request_id)),
                    (
                        "status",
                        status_node(&r.status, r.extended_status.as_deref()),
                    ),
                    ("status_notes", Node::opt_text(r.status_notes.as_deref())),
                    ("service_name", Node::text(&r.service_name)),
                    ("service_code", Node::text(&r.service_code)),
                    ("description", Node::opt_text(r.description.as_deref())),
                    (
                        "agency_responsible",
                        Node::opt_text(r.agency_responsible.as_deref()),
                    ),
                    (
                        "service_notice",
                        Node::opt_text(r.service_notice.as_deref()),
                    ),
                    (
                        "requested_datetime",
                        datetime_node(Some(r.requested_datetime)),
                    ),
                    ("updated_datetime", datetime_node(Some(r.updated_datetime))),
                    ("expected_datetime", datetime_node(r.expected_datetime)),
                    ("address", Node::opt_text(r.address.as_deref())),
                    ("address_id", Node::opt_text(r.address_id.as_deref())),
                    ("zipcode", Node::opt_text(r.zipcode.as_deref())),
                    ("lat", Node::Number(r.lat)),
                    ("long", Node::Number(r.long)),
                    ("media_url", Node::opt_text(r.media_url.as_deref())),
                ])
            })
            .collect();
        Tree {
            root: "service_requests",
            body: Node::List {
                item: "request",
                entries,
            },
        }
    }
}

/// The answer to `POST requests`: the new request's id (a `realtime`
/// service) or a token (a `batch` one); whichever is `None` is left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestCreated {
    pub service_request_id: Option<String>,
    pub token: Option<String>,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

impl Document for RequestCreated {
    fn tree(&self) -> Tree {
        let mut fields = Vec::with_capacity(4);
        if let Some(id) = &self.service_request_id {
            fields.push(("service_request_id", Node::text(id)));
        }
        if let Some(token) = &self.token {
            fields.push(("token", Node::text(token)));
        }
        fields.push((
            "service_notice",
            Node::opt_text(self.service_notice.as_deref()),
        ));
        fields.push(("account_id", Node::opt_text(self.account_id.as_deref())));
        one_request(fields)
    }
}

/// `tokens/{token}.xml`: the request a token became, `None` while it has
/// not become one yet.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenAnswer {
    pub service_request_id: Option<String>,
    pub token: String,
}

impl Document for TokenAnswer {
    fn tree(&self) -> Tree {
        one_request(vec![
            (
                "service_request_id",
                Node::opt_text(self.service_request_id.as_deref()),
            ),
            ("token", Node::text(&self.token)),
        ])
    }
}

fn one_request(fields: Vec<(&'static str, Node)>) -> Tree {
    Tree {
        root: "service_requests",
        body: Node::List {
            item: "request",
            entries: vec![Node::Record(fields)],
        },
    }
}

// ------------------------------------------------------------------ updates

/// One update of mySociety's `servicerequestupdates.xml`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRequestUpdate {
    pub update_id: String,
    pub service_request_id: String,
    /// The spec's `open` or `closed`.
    pub status: String,
    /// mySociety's extended status; when present it is written, lowercased,
    /// in place of `status`.
    pub extended_status: Option<String>,
    pub updated_datetime: DateTime<Utc>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// A finer status of the back office; FixMyStreet picks response
    /// templates by it. Left out when `None`.
    pub external_status_code: Option<String>,
    /// The reference shown to the resident, when it is not the request id.
    /// Left out when `None`.
    pub customer_reference: Option<String>,
}

/// `servicerequestupdates.xml`:
/// `<service_request_updates><request_update>…</request_update></service_request_updates>`,
/// a JSON array.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceRequestUpdates(pub Vec<ServiceRequestUpdate>);

impl Document for ServiceRequestUpdates {
    fn tree(&self) -> Tree {
        let entries = self
            .0
            .iter()
            .map(|u| {
                let mut fields = vec![
                    ("update_id", Node::text(&u.update_id)),
                    ("service_request_id", Node::text(&u.service_request_id)),
                    (
                        "status",
                        status_node(&u.status, u.extended_status.as_deref()),
                    ),
                    ("updated_datetime", datetime_node(Some(u.updated_datetime))),
                    ("description", Node::opt_text(u.description.as_deref())),
                    ("media_url", Node::opt_text(u.media_url.as_deref())),
                ];
                if let Some(code) = &u.external_status_code {
                    fields.push(("external_status_code", Node::text(code)));
                }
                if let Some(reference) = &u.customer_reference {
                    fields.push(("customer_reference", Node::text(reference)));
                }
                Node::Record(fields)
            })
            .collect();
        Tree {
            root: "service_request_updates",
            body: Node::List {
                item: "request_update",
                entries,
            },
        }
    }
}

/// The answer to mySociety's `POST servicerequestupdates`: the id the
/// update got here.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateCreated {
    pub update_id: String,
    /// Left out when `None`.
    pub account_id: Option<String>,
}

impl Document for UpdateCreated {
    fn tree(&self) -> Tree {
        let mut fields = vec![("update_id", Node::text(&self.update_id))];
        if let Some(account) = &self.account_id {
            fields.push(("account_id", Node::text(account)));
        }
        Tree {
            root: "service_request_updates",
            body: Node::List {
                item: "request_update",
                entries: vec![Node::Record(fields)],
            },
        }
    }
}

// ------------------------------------------------------------------- errors

/// One error: `code` is usually the HTTP status, `description` is for the
/// user to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub code: u16,
    pub description: String,
}

/// `<errors><error><code>404</code><description>…</description></error></errors>`,
/// JSON `[{"code":404,"description":"…"}]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Errors(pub Vec<Open311Error>);

impl Document for Errors {
    fn tree(&self) -> Tree {
        let entries = self
            .0
            .iter()
            .map(|e| {
                Node::Record(vec![
                    ("code", Node::Integer(i64::from(e.code))),
                    ("description", Node::text(&e.description)),
                ])
            })
            .collect();
        Tree {
            root: "errors",
            body: Node::List {
                item: "error",
                entries,
            },
        }
    }
}

#[cfg(test)]
mod tests;
