//! OpenAPI `links`: which operation an answer leads to, and with what. They
//! tell a client (and schemathesis's stateful phase) that the `id` of a
//! report is the `{id}` of its steps, photos and clocks, and that the `ETag`
//! of a step is the `If-Match` of the next. utoipa's derive has no links, so
//! they are listed here by operation id.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::{OpenApi, RefOr};

/// `$response.body#/id` of an answer that is the object itself.
const ID: &str = "$response.body#/id";
const ETAG: &str = "$response.header.ETag";
const SAME_ID: &str = "$request.path.id";

/// (from operation, its status, to operation, parameters)
type Edge = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// An incident answer (`IncidentView` with its `ETag`) → a step on it.
const STEP: &[(&str, &str)] = &[("path.id", ID), ("header.If-Match", ETAG)];
const ON_INCIDENT: &[(&str, &str)] = &[("path.id", ID)];

const EDGES: &[Edge] = &[
    // A report, and everything that can follow it.
    ("create_incident", "201", "get_incident", ON_INCIDENT),
    ("create_incident", "201", "accept", STEP),
    ("create_incident", "201", "reject", STEP),
    ("create_incident", "201", "resolve_on_spot", STEP),
    ("create_incident", "201", "comment_on", STEP),
    ("create_incident", "201", "upload_photo", ON_INCIDENT),
    ("create_incident", "201", "incident_deadlines", ON_INCIDENT),
    ("create_incident", "201", "incident_routing", ON_INCIDENT),
    ("create_incident", "201", "verify_chain", ON_INCIDENT),
    ("create_incident", "201", "get_reporter", ON_INCIDENT),
    ("create_incident", "201", "reveal_reporter", ON_INCIDENT),
    (
        "create_incident",
        "201",
        "duplicates_of_incident",
        ON_INCIDENT,
    ),
    (
        "create_incident",
        "201",
        "link_incidents",
        &[("path.root", ID)],
    ),
    ("accept", "200", "dispatch", STEP),
    ("accept", "200", "resolve_on_spot", STEP),
    ("dispatch", "200", "acknowledge", STEP),
    ("dispatch", "200", "return_case", STEP),
    ("dispatch", "200", "call_assists", STEP),
    ("dispatch", "200", "ask_suspension", ON_INCIDENT),
    ("dispatch", "200", "ask_extension", ON_INCIDENT),
    ("dispatch", "200", "ask_clock_request", ON_INCIDENT),
    ("acknowledge", "200", "resolve", STEP),
    ("acknowledge", "200", "return_case", STEP),
    ("acknowledge", "200", "call_assists", STEP),
    ("acknowledge", "200", "ask_clock_request", ON_INCIDENT),
    ("return_case", "200", "dispatch", STEP),
    ("call_assists", "200", "get_incident", ON_INCIDENT),
    ("resolve", "200", "verify", STEP),
    ("resolve", "200", "reopen", STEP),
    ("resolve_on_spot", "200", "verify", STEP),
    ("resolve_on_spot", "200", "reopen", STEP),
    ("verify", "200", "rate", STEP),
    ("verify", "200", "verify_chain", ON_INCIDENT),
    ("reopen", "200", "resolve", STEP),
    (
        "upload_photo",
        "201",
        "get_photo",
        &[("path.id", SAME_ID), ("path.key", "$response.body#/key")],
    ),
    // Clocks: a request, then its decision or end.
    ("ask_clock_request", "201", "approve_clock_request", CLOCK),
    ("ask_clock_request", "201", "refuse_clock_request", CLOCK),
    ("ask_clock_request", "201", "end_clock_request", CLOCK),
    ("ask_clock_request", "201", "review_ledger_entry", CLOCK),
    ("ask_suspension", "201", "approve_clock_request", CLOCK),
    ("ask_suspension", "201", "refuse_clock_request", CLOCK),
    ("ask_suspension", "201", "end_suspension", CLOCK),
    ("ask_extension", "201", "approve_clock_request", CLOCK),
    ("ask_extension", "201", "refuse_clock_request", CLOCK),
    ("approve_clock_request", "200", "end_suspension", CLOCK),
    ("approve_clock_request", "200", "end_clock_request", CLOCK),
    // Accounts and their roles.
    ("create_user", "201", "get_user", ON_ID),
    ("create_user", "201", "grant_role", ON_ID),
    ("create_user", "201", "disable_user", ON_ID),
    ("register", "201", "get_user", ON_ID),
    ("register", "201", "grant_role", ON_ID),
    (
        "grant_role",
        "201",
        "revoke_role",
        &[("path.id", SAME_ID), ("path.grant_id", ID)],
    ),
    // Phones, notices, the inbox.
    ("register_device", "201", "delete_device", ON_ID),
    ("register_device", "200", "delete_device", ON_ID),
    ("post_notice", "201", "get_notice", ON_ID),
    // Routing rules and the reference data administrators keep.
    ("create_rule", "201", "get_rule", ON_ID),
    (
        "create_rule",
        "201",
        "update_rule",
        &[("path.id", ID), ("header.If-Match", ETAG)],
    ),
    ("create_rule", "201", "delete_rule", ON_ID),
    ("update_rule", "200", "delete_rule", ON_ID),
    (
        "put_hotspot_rule",
        "200",
        "delete_hotspot_rule",
        &[("path.category", "$response.body#/category")],
    ),
    (
        "put_day",
        "200",
        "delete_day",
        &[("path.date", "$response.body#/date")],
    ),
    ("create_key", "201", "revoke_key", ON_ID),
    // Checklists and campaigns.
    ("create_template", "201", "get_template", ON_ID),
    ("create_template", "201", "update_template", ON_ID),
    ("create_template", "201", "delete_template", ON_ID),
    ("start_campaign", "201", "get_campaign", ON_ID),
    ("start_campaign", "201", "cancel_campaign", ON_ID),
    // Patrols and rosters.
    ("start_patrol", "201", "get_patrol", ON_ID),
    ("start_patrol", "201", "upload_track", ON_ID),
    ("start_patrol", "201", "get_track", ON_ID),
    ("start_patrol", "201", "end_patrol", ON_ID),
    ("start_patrol", "200", "get_patrol", ON_ID),
    ("upload_track", "200", "get_track", &[("path.id", SAME_ID)]),
    ("create_shift", "201", "delete_shift", IN_AREA),
    ("put_exception", "200", "delete_exception", IN_AREA),
];

const ON_ID: &[(&str, &str)] = &[("path.id", ID)];
const CLOCK: &[(&str, &str)] = &[("path.id", "$response.body#/incident_id"), ("path.rid", ID)];
const IN_AREA: &[(&str, &str)] = &[("path.area", "$request.path.area"), ("path.id", ID)];

pub fn apply(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
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
            let Some(from) = op.operation_id.clone() else {
                continue;
            };
            for (_, status, to, parameters) in EDGES.iter().filter(|(f, ..)| *f == from) {
                let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) else {
                    continue;
                };
                let link = parameters
                    .iter()
                    .fold(
                        LinkBuilder::new().operation_id(*to),
                        |link, (name, value)| link.parameter(*name, *value),
                    )
                    .build();
                response.links.insert((*to).to_owned(), RefOr::T(link));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link to an operation, status or parameter that is not there is
    /// silently useless to clients: every edge must land.
    #[test]
    fn every_link_joins_two_operations_of_the_document() {
        let doc = crate::openapi::document();
        let mut operations = std::collections::HashMap::new();
        for item in doc.paths.paths.values() {
            for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                if let Some(id) = &op.operation_id {
                    operations.insert(id.clone(), op);
                }
            }
        }
        for (from, status, to, parameters) in EDGES {
            let source = operations.get(*from).unwrap_or_else(|| panic!("no {from}"));
            assert!(
                source.responses.responses.contains_key(*status),
                "{from} has no {status}"
            );
            let target = operations.get(*to).unwrap_or_else(|| panic!("no {to}"));
            for (name, _) in *parameters {
                let (place, name) = name.split_once('.').unwrap_or(("path", name));
                let found = target.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => {
                        p.name == name
                            && serde_json::to_value(&p.parameter_in).ok()
                                == Some(serde_json::Value::from(place))
                    }
                    RefOr::Ref(_) => false,
                });
                assert!(found, "{to} has no {place} parameter {name}");
            }
        }
    }
}
