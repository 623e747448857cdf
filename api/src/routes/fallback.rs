//! Answers for requests no route took: 405 with `Allow` when the path exists
//! under other methods, 404 otherwise. The route table is read from the
//! OpenAPI document, the one list of what the API serves.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::HttpMethod;

use crate::error::ApiError;

#[derive(Debug)]
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (HttpMethod::Get, Method::GET, item.get.is_some()),
                    (HttpMethod::Post, Method::POST, item.post.is_some()),
                    (HttpMethod::Put, Method::PUT, item.put.is_some()),
                    (HttpMethod::Patch, Method::PATCH, item.patch.is_some()),
                    (HttpMethod::Delete, Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, _, present)| *present)
                .map(|(_, method, _)| method)
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods of the most literal routes matching `path`: a fixed
    /// segment wins over a `{parameter}`, so `/areas/validate` is the POST
    /// it is and not also the GET of an area named `validate`.
    fn allowed(&self, path: &str) -> Option<Vec<&Method>> {
        let matching: Vec<_> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .collect();
        let fewest = matching.iter().map(|(def, _)| parameters_in(def)).min()?;
        let mut allowed: Vec<&Method> = matching
            .into_iter()
            .filter(|(def, _)| parameters_in(def) == fewest)
            .flat_map(|(_, methods)| methods)
            .collect();
        if allowed.is_empty() {
            return None;
        }
        allowed.sort_by_key(|m| m.as_str());
        allowed.dedup();
        Some(allowed)
    }
}

fn parameters_in(def: &ResourceDef) -> usize {
    def.pattern().map_or(0, |p| p.matches('{').count())
}

pub async fn no_route(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(methods) if !methods.contains(&req.method()) => {
            let allow = methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::method_not_allowed(allow)
        }
        _ => ApiError::not_found(format!("no route for {} {}", req.method(), req.path())),
    })
}
