//! The answers every operation can give besides its own, stated once: the
//! extractors, the authentication, the idempotency and `If-Match` checks and
//! the database are shared by the handlers, so what they refuse is added here
//! to each operation that goes through them rather than repeated on each
//! handler. The headers they parse get the schema of what they accept.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// What `routes::incidents::if_match` and the routing rules read: `*`, or a
/// version as an entity tag (weak or strong).
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,18}")$"#;

/// What `idempotency::begin` keeps: 1 to 255 visible ASCII characters (a
/// header value that is not ASCII cannot be read, and blanks are trimmed).
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]+$";

pub fn apply(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        // Open311 answers errors in its own shape, stated on its operations;
        // the probes state theirs.
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add_shared_answers(op);
        }
    }
}

fn add_shared_answers(op: &mut Operation) {
    let mut add: Vec<(&str, &str)> = Vec::new();
    let secured = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| !is_anonymous(r)));
    if secured {
        add.push((
            "401",
            "No valid access token (`unauthenticated`); `WWW-Authenticate` says why",
        ));
        add.push(("403", "The caller's roles do not allow this (`forbidden`), or the account is disabled (`account_disabled`)"));
    }
    add.push(("429", "Over a quota (`too_many_requests`, `too_many_attempts`); `Retry-After` says when to try again"));
    add.push((
        "503",
        "The database cannot be reached or gives no connection in time (`database_unavailable`); `Retry-After` says when to try again",
    ));

    if op.request_body.is_some() {
        add.push(("400", "The body cannot be parsed: JSON syntax, with line and column, or an unreadable body (`malformed_request`)"));
        add.push((
            "413",
            "The body is larger than this operation accepts (`payload_too_large`)",
        ));
        add.push((
            "415",
            "The body is not in a media type this operation reads (`unsupported_media_type`)",
        ));
        add.push(("422", "Well-formed input with unusable values, each field named in `errors` (`validation_failed`)"));
    }
    for param in op.parameters.iter_mut().flatten() {
        let RefOr::T(param) = param else { continue };
        match (&param.parameter_in, param.name.as_str()) {
            (ParameterIn::Header, "If-Match") => {
                param.schema = Some(string_schema(1, 64, IF_MATCH_PATTERN));
                add.push((
                    "400",
                    "`If-Match` is not an entity tag of this API (`malformed_request`)",
                ));
                add.push(("412", "The object changed since the `If-Match` version (`stale_version`); `ETag` is the current one"));
            }
            (ParameterIn::Header, "Idempotency-Key") => {
                param.schema = Some(string_schema(1, 255, IDEMPOTENCY_KEY_PATTERN));
                add.push(("400", "No usable `Idempotency-Key` (`malformed_request`)"));
                add.push(("409", "A request with this `Idempotency-Key` is still being handled (`request_in_progress`)"));
                add.push(("422", "This `Idempotency-Key` came with another body (`idempotency_key_reused`), or the values are unusable (`validation_failed`)"));
            }
            (ParameterIn::Header, _) => {
                add.push(("400", "A header cannot be read (`malformed_request`)"));
            }
            (ParameterIn::Query | ParameterIn::QueryString, _) => {
                add.push(("422", "A query parameter with an unusable value, named in `errors` (`validation_failed`)"));
            }
            (ParameterIn::Path, _) => {
                add.push((
                    "404",
                    "No such object, or one the caller may not see (`not_found`)",
                ));
            }
            _ => {}
        }
    }
    for (status, description) in add {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem(status, description)));
    }
}

/// `{}` in a security list: the operation also answers without a token.
fn is_anonymous(requirement: &utoipa::openapi::security::SecurityRequirement) -> bool {
    serde_json::to_value(requirement).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

fn string_schema(min: usize, max: usize, pattern: &str) -> RefOr<utoipa::openapi::schema::Schema> {
    RefOr::T(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(min))
            .max_length(Some(max))
            .pattern(Some(pattern))
            .into(),
    )
}

/// A problem+json answer with the shared `Problem` schema.
fn problem(status: &str, description: &str) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    if status == "429" || status == "503" {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new().schema_type(Type::Integer).build(),
                ))
                .description(Some("Seconds to wait"))
                .build(),
        );
    }
    response.build()
}
