//! `discovery`, `services` and `services/{code}`: what a client needs to
//! show a reporting form. A service is a leaf category; its questions are
//! the category's attributes. Public and cacheable.

use actix_web::{HttpRequest, HttpResponse, get, web};
use gridops_domain::category::{Category, leaves};
use gridops_domain::open311::Attribute as Question;
use gridops_infra::DbError;
use gridops_infra::repo::{categories, open311};
use serde::Deserialize;
use utoipa::IntoParams;

use super::client::check_jurisdiction;
use super::format::{
    Attribute, AttributeValue, Discovery, Document, Endpoint, Format, Service, ServiceDefinition,
    ServiceList, render_bytes,
};
use super::{answer, format_of};
use crate::conditional::{self, CachePolicy};
use crate::error::ApiError;
use crate::state::AppState;

/// The query every public Open311 read takes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// The city, if the client names one: a city-level area code (or the
    /// configured `--open311-jurisdiction`). Another is a 404.
    pub jurisdiction_id: Option<String>,
    /// gridops extension: `en` for English names and notes (default Chinese).
    pub locale: Option<String>,
}

impl ReadQuery {
    pub fn english(&self) -> bool {
        self.locale
            .as_deref()
            .is_some_and(|l| l.to_ascii_lowercase().starts_with("en"))
    }
}

/// The date of the last change of this surface, as `changeset` says.
const CHANGESET: &str = "2026-12-04T00:00:00Z";

/// Public reads may be kept by caches for a minute: a new category is rare,
/// a case's status is news within minutes, not seconds.
const PUBLIC: CachePolicy = CachePolicy {
    shared: true,
    max_age_secs: 60,
    vary: None,
};

/// `doc` in `format` with an ETag (304 on a matching `If-None-Match`).
pub fn cached<T: Document + ?Sized>(req: &HttpRequest, format: Format, doc: &T) -> HttpResponse {
    let (body, content_type) = render_bytes(format, doc);
    conditional::respond(req, body, content_type, PUBLIC)
}

/// Where this city's GeoReport v2 endpoint is and what it speaks.
#[utoipa::path(
    tag = "open311",
    params(("format" = String, Path, description = "`xml` or `json`"), ReadQuery),
    responses(
        (status = 200, description = "The discovery document (XML or JSON)", content_type = "text/xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 404, description = "Unknown format or jurisdiction (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/discovery.{format}")]
pub async fn discovery(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ReadQuery>,
) -> HttpResponse {
    let format = match format_of(&path) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = check_jurisdiction(&state, query.jurisdiction_id.as_deref()).map(|()| {
        let info = req.connection_info();
        let url = format!("{}://{}/open311/v2", info.scheme(), info.host());
        let doc = Discovery {
            changeset: CHANGESET.to_owned(),
            contact: "The city's gridops administrators".to_owned(),
            key_service: "Ask an administrator for a key: gridops open311 key create --name <app>"
                .to_owned(),
            endpoints: vec![Endpoint {
                specification: "http://wiki.open311.org/GeoReport_v2".to_owned(),
                url,
                changeset: CHANGESET.to_owned(),
                type_: "production".to_owned(),
                formats: vec!["text/xml".to_owned(), "application/json".to_owned()],
            }],
        };
        cached(&req, format, &doc)
    });
    answer(format, result)
}

/// Every service: one per leaf category, with its group (the parent) and
/// whether it asks extra questions (`metadata`).
#[utoipa::path(
    tag = "open311",
    params(("format" = String, Path, description = "`xml` or `json`"), ReadQuery),
    responses(
        (status = 200, description = "The services (XML `services/service`, or a JSON array)", content_type = "text/xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 404, description = "Unknown format or jurisdiction (spec error document)", content_type = "text/xml"),
        (status = 503, description = "Database unavailable (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/services.{format}")]
pub async fn list_services(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ReadQuery>,
) -> HttpResponse {
    let format = match format_of(&path) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = services(&state, &query)
        .await
        .map(|doc| cached(&req, format, &doc));
    answer(format, result)
}

async fn services(state: &AppState, query: &ReadQuery) -> Result<ServiceList, ApiError> {
    check_jurisdiction(state, query.jurisdiction_id.as_deref())?;
    let (all, asking) = state
        .db
        .run(|conn| {
            Ok((
                categories::list(conn)?,
                open311::categories_with_attributes(conn)?,
            ))
        })
        .await?;
    let english = query.english();
    let services = leaves(&all)
        .map(|c| {
            let parent = c
                .parent_code
                .as_deref()
                .and_then(|p| all.iter().find(|a| a.code == p));
            service(c, parent, asking.contains(&c.code), english)
        })
        .collect();
    Ok(ServiceList(services))
}

fn service(category: &Category, parent: Option<&Category>, asks: bool, english: bool) -> Service {
    let (name, other) = if english {
        (&category.label_en, &category.label_zh)
    } else {
        (&category.label_zh, &category.label_en)
    };
    let group = parent.map(|p| {
        if english {
            p.label_en.clone()
        } else {
            p.label_zh.clone()
        }
    });
    Service {
        service_code: category.code.clone(),
        service_name: name.clone(),
        description: Some(other.clone()),
        metadata: asks,
        type_: "realtime".to_owned(),
        keywords: category.code.replace('.', ","),
        group,
    }
}

/// The questions a service asks (an empty list for one that asks none).
#[utoipa::path(
    tag = "open311",
    params(
        ("code" = String, Path, description = "The service code (a leaf category's code)"),
        ("format" = String, Path, description = "`xml` or `json`"),
        ReadQuery,
    ),
    responses(
        (status = 200, description = "The service definition", content_type = "text/xml"),
        (status = 304, description = "Unchanged since the ETag given in If-None-Match"),
        (status = 404, description = "No such service, format or jurisdiction (spec error document)", content_type = "text/xml"),
    )
)]
#[get("/services/{code}.{format}")]
pub async fn service_definition(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<ReadQuery>,
) -> HttpResponse {
    let (code, extension) = path.into_inner();
    let format = match format_of(&extension) {
        Ok(f) => f,
        Err(response) => return *response,
    };
    let result = definition(&state, code, &query)
        .await
        .map(|doc| cached(&req, format, &doc));
    answer(format, result)
}

async fn definition(
    state: &AppState,
    code: String,
    query: &ReadQuery,
) -> Result<ServiceDefinition, ApiError> {
    check_jurisdiction(state, query.jurisdiction_id.as_deref())?;
    let asked = code.clone();
    let found = state
        .db
        .run(move |conn| {
            let all = categories::list(conn)?;
            if !leaves(&all).any(|c| c.code == asked) {
                return Ok(None);
            }
            match open311::attributes_of(conn, &asked) {
                Ok(questions) => Ok(Some(questions)),
                Err(DbError::NotFound) => Ok(Some(Vec::new())),
                Err(e) => Err(e),
            }
        })
        .await?;
    let Some(questions) = found else {
        return Err(ApiError::not_found(format!(
            "service_code: no service {code}"
        )));
    };
    let english = query.english();
    Ok(ServiceDefinition {
        service_code: code,
        attributes: questions
            .iter()
            .enumerate()
            .map(|(i, q)| attribute(q, i, english))
            .collect(),
    })
}

fn attribute(question: &Question, index: usize, english: bool) -> Attribute {
    let pick = |zh: &String, en: &String| if english { en.clone() } else { zh.clone() };
    Attribute {
        variable: true,
        code: question.code.clone(),
        datatype: question.datatype.as_str().to_owned(),
        required: question.required,
        datatype_description: None,
        order: u32::try_from(index + 1).unwrap_or(u32::MAX),
        description: pick(&question.description_zh, &question.description_en),
        values: question
            .choices
            .iter()
            .map(|c| AttributeValue {
                key: c.key.clone(),
                name: pick(&c.name_zh, &c.name_en),
            })
            .collect(),
    }
}
