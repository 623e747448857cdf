//! The OpenAPI 3.1 document, generated from the handlers' annotations. The
//! committed `openapi.yaml` is this document; a test fails when they differ.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

mod contract;
mod links;
pub mod schemas;

#[derive(OpenApi)]
#[openapi(
    modifiers(&BearerScheme),
    // Enums used only in query parameters: utoipa refers to them but does
    // not collect them from `IntoParams`.
    components(schemas(
        crate::routes::areas::dto::Level,
        crate::routes::parties::Kind,
        crate::routes::incidents::list::SortParam,
        crate::routes::incidents::photos::KindParam,
        crate::routes::notifications::outbox::OutboxState,
        crate::routes::patrols::list::PatrolStatusParam,
        // The `data` of the event stream, which has no JSON body to hang it on.
        crate::routes::events::IncidentStreamEvent,
    )),
    info(
        title = "gridops",
        description = "Urban grid management (网格化管理): areas and grids, incident categories, \
                       responsible parties. Errors are RFC 9457 `application/problem+json` with a \
                       stable `code`; lists use cursor pagination; locations are GeoJSON in WGS-84.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "areas", description = "The area tree (city → district → subdistrict → community → grid) and point → grid lookup"),
        (name = "categories", description = "Incident categories and their time limits"),
        (name = "calendar", description = "The working calendar deadlines are counted on: the week, public holidays, make-up working days"),
        (name = "parties", description = "Responsible parties 责任主体 and the areas they serve"),
        (name = "routing", description = "Routing 分拨: the rules administrators keep, a preview of where a case would go, and why an incident went where it did"),
        (name = "incidents", description = "Reports and their lifecycle: accept, dispatch, acknowledge, resolve, verify, rate; timeline and photos"),
        (name = "ledger", description = "The problem ledger 挂账: cases that cannot be solved in their time even after an extension, out of the overdue counts with a written reason and a review date, until back into work"),
        (name = "hotspots", description = "Recurring hotspots 重复上报: the same category reported around one place again and again; the rule per category, the hotspots of what the caller oversees, and the links of their incidents to one root-cause case"),
        (name = "stats", description = "Numbers a city can trust: counts and rates (结案率, 按期结案率, 返工率, 延期率, 响应率, 解决率, 满意率) by area, party, category or period, ranked by a weighted score, as JSON or CSV; kept in the same transaction as the steps"),
        (name = "notifications", description = "Phones for push, the in-app inbox, notices to an area, the push outbox"),
        (name = "campaigns", description = "未诉先办: checklist templates, and campaigns that start one over an area after a weather warning or before a season — one task per grid, pushed to its workers and chief — with every grid's progress"),
        (name = "patrols", description = "Patrols: a grid worker's walk of their grids, its track (sent late, out of order, twice: kept once), the incidents found on it, and how much of each grid patrols covered"),
        (name = "rosters", description = "Duty rosters 值班: who is on duty in a grid or community by weekday and local time window (nights across midnight), days on or off, a running patrol counting as on duty; routing's `on_duty` target reads them"),
        (name = "checks", description = "Checklists 未诉先办: a grid's task of a campaign, each item answered ok, fixed on the spot (an incident resolved at once, with its after photo) or raised (an incident routed by the rules); the caller's open checklists"),
        (name = "events", description = "Incident changes as Server-Sent Events, for consoles"),
        (name = "feed", description = "The phone's catch-up after time without signal: what changed for the signed-in user since a cursor, in one call"),
        (name = "auth", description = "Sign in, refresh, sign out, register; the signed-in user"),
        (name = "users", description = "Accounts and their roles"),
        (name = "open311", description = "Open311 GeoReport v2: what client applications call (`/open311/v2`, with a key) and its administration (client keys, shown once and stored as a hash; requests waiting for a dispatcher)"),
        (name = "operations", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

/// The `bearer` scheme the protected operations name: a JWT access token
/// from `POST /api/v1/auth/login`.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
    }
}

/// The document as served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    let mut doc = doc;
    contract::apply(&mut doc);
    links::apply(&mut doc);
    doc
}

/// The document as committed in `openapi.yaml`.
pub fn yaml() -> Result<String, String> {
    document().to_yaml().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_openapi_yaml_is_what_the_code_generates() -> Result<(), String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
        let committed = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let generated = yaml()?;
        assert!(
            committed == generated,
            "openapi.yaml is out of date: run `cargo run -p gridops-api -- openapi > openapi.yaml` and commit it"
        );
        Ok(())
    }

    /// Only these (and Open311 GeoReport v2, whose reads are public and
    /// whose posts carry an `api_key` parameter) take no bearer token;
    /// everything else must name the bearer scheme (and its handler
    /// `AuthUser`, or `Reader` where the token is optional).
    const PUBLIC: [&str; 6] = [
        "/healthz",
        "/readyz",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/register",
    ];

    #[test]
    fn every_protected_operation_shows_the_bearer_scheme() {
        let doc = document();
        let schemes = doc
            .components
            .as_ref()
            .map(|c| c.security_schemes.len())
            .unwrap_or(0);
        assert_eq!(schemes, 1);
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let public = PUBLIC.contains(&path.as_str()) || path.starts_with("/open311/");
                assert_eq!(secured, !public, "{path}");
            }
        }
    }

    /// A `$ref` to a schema the document does not define makes the whole
    /// document invalid for generators and validators.
    #[test]
    fn every_schema_reference_resolves() -> Result<(), String> {
        let doc = serde_json::to_value(document()).map_err(|e| e.to_string())?;
        let defined = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let text = doc.to_string();
        let prefix = "#/components/schemas/";
        let mut missing: Vec<&str> = text
            .match_indices(prefix)
            .filter_map(|(i, _)| text[i + prefix.len()..].split('"').next())
            .filter(|name| !defined.contains_key(*name))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        assert!(missing.is_empty(), "undefined schemas: {missing:?}");
        Ok(())
    }

    #[test]
    fn every_operation_documents_each_response() {
        let doc = document();
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                assert!(
                    !op.responses.responses.is_empty(),
                    "{path} has no responses"
                );
                for (status, response) in &op.responses.responses {
                    if let utoipa::openapi::RefOr::T(r) = response {
                        assert!(
                            !r.description.is_empty(),
                            "{path} {status} lacks a description"
                        );
                    }
                }
            }
        }
    }
}
