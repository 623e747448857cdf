//! The OpenAPI 3.1 document, generated from the handlers' annotations. The
//! committed `openapi.yaml` is this document; a test fails when they differ.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
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
        (name = "parties", description = "Responsible parties 责任主体 and the areas they serve"),
        (name = "operations", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

/// The document as served at `/api/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
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
