//! Each document in both formats against the shapes of the spec's examples
//! (GeoReport v2, Service Discovery, mySociety's updates), read back with
//! quick-xml's reader and serde_json.

use actix_web::body::MessageBody;
use chrono::TimeZone;
use quick_xml::events::Event;
use serde_json::{Value, json};

use super::*;

// ------------------------------------------------------------ reading back

/// An element read back: its name, its text, its children.
#[derive(Debug, Clone, PartialEq)]
struct El {
    name: String,
    text: String,
    children: Vec<El>,
}

impl El {
    fn child(&self, name: &str) -> &El {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>: {self:#?}", self.name))
    }

    fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }

    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parses a whole document: declaration, then one root element. Panics on
/// anything a strict reader would refuse.
fn read_xml(bytes: &[u8]) -> El {
    let xml = std::str::from_utf8(bytes).expect("XML is UTF-8");
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<El> = Vec::new();
    let mut root = None;
    let mut saw_decl = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(decl) => {
                assert!(root.is_none() && stack.is_empty(), "declaration first");
                assert_eq!(&*decl.version().expect("version"), "1.0");
                let encoding = decl.encoding().expect("encoding").expect("encoding");
                assert_eq!(&*encoding, "utf-8");
                saw_decl = true;
            }
            Event::Start(start) => {
                assert!(root.is_none(), "one root element");
                let name = start.name().as_ref().to_owned();
                stack.push(El {
                    name,
                    text: String::new(),
                    children: Vec::new(),
                });
            }
            Event::Empty(start) => {
                let name = start.name().as_ref().to_owned();
                let el = El {
                    name,
                    text: String::new(),
                    children: Vec::new(),
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&content),
                    None => assert!(content.trim().is_empty(), "text outside the root"),
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => {
                        quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                            .expect("a predefined entity")
                            .to_owned()
                    }
                };
                stack
                    .last_mut()
                    .expect("inside an element")
                    .text
                    .push_str(&resolved);
            }
            Event::End(_) => {
                let mut el = stack.pop().expect("balanced");
                if !el.children.is_empty() {
                    assert!(el.text.trim().is_empty(), "no mixed content");
                    el.text.clear();
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Eof => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_decl, "an XML declaration");
    root.expect("a root element")
}

fn xml_of<T: Document + ?Sized>(doc: &T) -> El {
    let (bytes, content_type) = render_bytes(Format::Xml, doc);
    assert_eq!(content_type, "text/xml; charset=utf-8");
    read_xml(&bytes)
}

fn json_of<T: Document + ?Sized>(doc: &T) -> Value {
    let (bytes, content_type) = render_bytes(Format::Json, doc);
    assert_eq!(content_type, "application/json; charset=utf-8");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, h, m, 0)
        .single()
        .expect("a date")
}

// ------------------------------------------------------------- the format

#[test]
fn the_format_is_the_extension_of_the_last_segment() {
    assert_eq!(
        split_format("services.json"),
        Ok(("services", Format::Json))
    );
    assert_eq!(split_format("services.xml"), Ok(("services", Format::Xml)));
    assert_eq!(
        split_format("requests/abc.xml"),
        Ok(("requests/abc", Format::Xml))
    );
    assert_eq!(
        split_format("services/road.pothole.XML"),
        Ok(("services/road.pothole", Format::Xml))
    );
    assert_eq!(
        split_format("tokens/7f3a.Json"),
        Ok(("tokens/7f3a", Format::Json))
    );
    assert_eq!(split_format("services"), Err(FormatError::Missing));
    assert_eq!(split_format("v2.1/services"), Err(FormatError::Missing));
    assert_eq!(split_format("services."), Err(FormatError::Missing));
    assert_eq!(split_format(".xml"), Err(FormatError::Missing));
    assert_eq!(split_format("requests/.json"), Err(FormatError::Missing));
    assert_eq!(split_format(""), Err(FormatError::Missing));
    assert_eq!(
        split_format("services.html"),
        Err(FormatError::Unknown("html".into()))
    );
    assert_eq!(
        FormatError::Unknown("html".into()).to_string(),
        "unknown format \"html\": use .xml or .json"
    );
    assert_eq!(Format::default(), Format::Xml);
    assert_eq!(Format::Xml.mime(), "text/xml");
    assert_eq!(Format::Json.mime(), "application/json");
    assert_eq!(Format::Json.extension(), "json");
}

#[test]
fn dates_are_w3c_utc_with_whole_seconds() {
    let with_nanos = at(1, 10) + chrono::Duration::nanoseconds(123_456_789);
    assert_eq!(w3c_datetime(with_nanos), "2026-12-04T01:10:00Z");

    let expected = Some(at(1, 10));
    for text in [
        "2026-12-04T01:10:00Z",
        "2026-12-04T09:10:00+08:00",
        "2026-12-04T09:10:00.000+08:00",
        "2026-12-04T09:10:00 08:00",
        "2026-12-03T20:10:00-05:00",
        "2026-12-04T09:10+08:00",
        "2026-12-04T01:10Z",
        " 2026-12-04T01:10:00Z ",
    ] {
        assert_eq!(parse_w3c_datetime(text), expected, "{text}");
    }
    for text in [
        "2026-12-04T01:10:00",
        "2026-12-04",
        "yesterday",
        "",
        "2026-13-04T01:10:00Z",
        "2026-12-04T01:10:00+8",
    ] {
        assert_eq!(parse_w3c_datetime(text), None, "{text}");
    }
}

// --------------------------------------------------------------- discovery

fn discovery() -> Discovery {
    Discovery {
        changeset: "2026-12-01T00:00:00Z".into(),
        contact: "城市运行管理中心 12345".into(),
        key_service: "Ask the city's data office for a key".into(),
        endpoints: vec![Endpoint {
            specification: "http://wiki.open311.org/GeoReport_v2".into(),
            url: "https://gridops.example.cn/open311/v2".into(),
            changeset: "2026-12-01T00:00:00Z".into(),
            type_: "production".into(),
            formats: vec![Format::Xml.mime().into(), Format::Json.mime().into()],
        }],
    }
}

#[test]
fn discovery_has_the_spec_shape() {
    let root = xml_of(&discovery());
    assert_eq!(root.name, "discovery");
    assert_eq!(
        root.names(),
        ["changeset", "contact", "key_service", "endpoints"]
    );
    assert_eq!(root.text_of("contact"), "城市运行管理中心 12345");
    let endpoints = root.child("endpoints");
    assert_eq!(endpoints.names(), ["endpoint"]);
    let endpoint = endpoints.child("endpoint");
    assert_eq!(
        endpoint.names(),
        ["specification", "url", "changeset", "type", "formats"]
    );
    assert_eq!(endpoint.text_of("type"), "production");
    let formats: Vec<&str> = endpoint
        .child("formats")
        .children
        .iter()
        .map(|f| {
            assert_eq!(f.name, "format");
            f.text.as_str()
        })
        .collect();
    assert_eq!(formats, ["text/xml", "application/json"]);

    assert_eq!(
        json_of(&discovery()),
        json!({
            "changeset": "2026-12-01T00:00:00Z",
            "contact": "城市运行管理中心 12345",
            "key_service": "Ask the city's data office for a key",
            "endpoints": [{
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "https://gridops.example.cn/open311/v2",
                "changeset": "2026-12-01T00:00:00Z",
                "type": "production",
                "formats": ["text/xml", "application/json"]
            }]
        })
    );
}

// ---------------------------------------------------------------- services

fn services() -> ServiceList {
    ServiceList(vec![
        Service {
            service_code: "road.pothole".into(),
            service_name: "道路坑洼".into(),
            description: Some("A hole in the road surface".into()),
            metadata: true,
            type_: "realtime".into(),
            keywords: "pothole,road,坑".into(),
            group: Some("市政设施".into()),
        },
        Service {
            service_code: "sanitation.litter".into(),
            service_name: "Litter".into(),
            description: None,
            metadata: false,
            type_: "batch".into(),
            keywords: String::new(),
            group: None,
        },
    ])
}

#[test]
fn services_are_a_list_of_service() {
    let root = xml_of(&services());
    assert_eq!(root.name, "services");
    assert_eq!(root.names(), ["service", "service"]);
    let first = &root.children[0];
    assert_eq!(
        first.names(),
        [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group"
        ]
    );
    assert_eq!(first.text_of("service_name"), "道路坑洼");
    assert_eq!(first.text_of("metadata"), "true");
    assert_eq!(first.text_of("type"), "realtime");
    assert_eq!(first.text_of("keywords"), "pothole,road,坑");
    let second = &root.children[1];
    assert_eq!(second.text_of("metadata"), "false");
    assert_eq!(
        second.text_of("description"),
        "",
        "an absent value is empty"
    );
    assert_eq!(second.text_of("group"), "");

    assert_eq!(
        json_of(&services()),
        json!([
            {
                "service_code": "road.pothole",
                "service_name": "道路坑洼",
                "description": "A hole in the road surface",
                "metadata": true,
                "type": "realtime",
                "keywords": "pothole,road,坑",
                "group": "市政设施"
            },
            {
                "service_code": "sanitation.litter",
                "service_name": "Litter",
                "description": null,
                "metadata": false,
                "type": "batch",
                "keywords": "",
                "group": null
            }
        ])
    );
    assert_eq!(json_of(&ServiceList::default()), json!([]));
    assert_eq!(xml_of(&ServiceList::default()).children, vec![]);
}

fn definition() -> ServiceDefinition {
    ServiceDefinition {
        service_code: "road.pothole".into(),
        attributes: vec![
            Attribute {
                variable: true,
                code: "size".into(),
                datatype: "singlevaluelist".into(),
                required: true,
                datatype_description: None,
                order: 1,
                description: "How big is it?".into(),
                values: vec![
                    AttributeValue {
                        key: "small".into(),
                        name: "小于一个井盖".into(),
                    },
                    AttributeValue {
                        key: "large".into(),
                        name: "Larger than a manhole cover".into(),
                    },
                ],
            },
            Attribute {
                variable: false,
                code: "notice".into(),
                datatype: "text".into(),
                required: false,
                datatype_description: Some("Read only".into()),
                order: 2,
                description: "Dangerous holes are fenced within 2 hours.".into(),
                values: vec![],
            },
        ],
    }
}

#[test]
fn a_service_definition_has_the_spec_shape() {
    let root = xml_of(&definition());
    assert_eq!(root.name, "service_definition");
    assert_eq!(root.names(), ["service_code", "attributes"]);
    let attributes = root.child("attributes");
    assert_eq!(attributes.names(), ["attribute", "attribute"]);
    let first = &attributes.children[0];
    assert_eq!(
        first.names(),
        [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values"
        ]
    );
    assert_eq!(first.text_of("variable"), "true");
    assert_eq!(first.text_of("required"), "true");
    assert_eq!(first.text_of("order"), "1");
    assert_eq!(first.text_of("datatype_description"), "");
    let values = first.child("values");
    assert_eq!(values.names(), ["value", "value"]);
    assert_eq!(values.children[0].names(), ["key", "name"]);
    assert_eq!(values.children[0].text_of("key"), "small");
    assert_eq!(values.children[0].text_of("name"), "小于一个井盖");
    assert!(
        !attributes.children[1].names().contains(&"values"),
        "no values element without values"
    );

    assert_eq!(
        json_of(&definition()),
        json!({
            "service_code": "road.pothole",
            "attributes": [
                {
                    "variable": true,
                    "code": "size",
                    "datatype": "singlevaluelist",
                    "required": true,
                    "datatype_description": null,
                    "order": 1,
                    "description": "How big is it?",
                    "values": [
                        {"key": "small", "name": "小于一个井盖"},
                        {"key": "large", "name": "Larger than a manhole cover"}
                    ]
                },
                {
                    "variable": false,
                    "code": "notice",
                    "datatype": "text",
                    "required": false,
                    "datatype_description": "Read only",
                    "order": 2,
                    "description": "Dangerous holes are fenced within 2 hours."
                }
            ]
        })
    );
}

// ---------------------------------------------------------------- requests

fn request() -> ServiceRequest {
    ServiceRequest {
        service_request_id: "GR-2026-000123".into(),
        status: "open".into(),
        extended_status: None,
        status_notes: Some("已派遣至市政养护".into()),
        service_name: "道路坑洼".into(),
        service_code: "road.pothole".into(),
        description: Some("Hole by the bus stop".into()),
        agency_responsible: Some("市政养护中心".into()),
        service_notice: None,
        requested_datetime: at(1, 10),
        updated_datetime: at(2, 30),
        expected_datetime: None,
        address: Some("人民路 12 号".into()),
        address_id: None,
        zipcode: Some("310000".into()),
        lat: Some(30.274084),
        long: Some(120.15507),
        media_url: Some("https://gridops.example.cn/media/123.jpg".into()),
    }
}

const REQUEST_ELEMENTS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

#[test]
fn requests_are_written_exactly_so() {
    let (bytes, _) = render_bytes(Format::Xml, &ServiceRequests(vec![request()]));
    let expected = r#"<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>GR-2026-000123</service_request_id>
    <status>open</status>
    <status_notes>已派遣至市政养护</status_notes>
    <service_name>道路坑洼</service_name>
    <service_code>road.pothole</service_code>
    <description>Hole by the bus stop</description>
    <agency_responsible>市政养护中心</agency_responsible>
    <service_notice></service_notice>
    <requested_datetime>2026-12-04T01:10:00Z</requested_datetime>
    <updated_datetime>2026-12-04T02:30:00Z</updated_datetime>
    <expected_datetime></expected_datetime>
    <address>人民路 12 号</address>
    <address_id></address_id>
    <zipcode>310000</zipcode>
    <lat>30.274084</lat>
    <long>120.15507</long>
    <media_url>https://gridops.example.cn/media/123.jpg</media_url>
  </request>
</service_requests>
"#;
    assert_eq!(String::from_utf8(bytes).expect("utf-8"), expected);
}

#[test]
fn requests_have_the_spec_shape_in_both_formats() {
    let mut closed = request();
    closed.service_request_id = "GR-2026-000124".into();
    closed.status = "closed".into();
    closed.status_notes = None;
    closed.description = None;
    closed.lat = None;
    closed.long = None;
    closed.expected_datetime = Some(at(9, 0));
    let doc = ServiceRequests(vec![request(), closed]);

    let root = xml_of(&doc);
    assert_eq!(root.name, "service_requests");
    assert_eq!(root.names(), ["request", "request"]);
    for request in &root.children {
        assert_eq!(request.names(), REQUEST_ELEMENTS);
    }
    let second = &root.children[1];
    assert_eq!(second.text_of("status"), "closed");
    assert_eq!(second.text_of("lat"), "");
    assert_eq!(second.text_of("expected_datetime"), "2026-12-04T09:00:00Z");

    let json = json_of(&doc);
    let entries = json.as_array().expect("an array");
    assert_eq!(entries.len(), 2);
    for entry in entries {
        let keys: Vec<&str> = entry
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = REQUEST_ELEMENTS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }
    assert_eq!(entries[0]["lat"], json!(30.274084));
    assert_eq!(entries[0]["long"], json!(120.15507));
    assert_eq!(entries[0]["service_notice"], Value::Null);
    assert_eq!(entries[0]["requested_datetime"], "2026-12-04T01:10:00Z");
    assert_eq!(entries[1]["lat"], Value::Null);
    assert_eq!(entries[1]["description"], Value::Null);
    assert_eq!(entries[1]["status"], "closed");
}

#[test]
fn an_extended_status_takes_the_place_of_status_lowercased() {
    let mut r = request();
    r.extended_status = Some("NOT_COUNCILS_RESPONSIBILITY".into());
    r.status = "closed".into();
    let doc = ServiceRequests(vec![r]);
    assert_eq!(
        xml_of(&doc).children[0].text_of("status"),
        "not_councils_responsibility"
    );
    assert_eq!(json_of(&doc)[0]["status"], "not_councils_responsibility");
}

#[test]
fn a_created_request_gives_its_id_or_its_token() {
    let realtime = RequestCreated {
        service_request_id: Some("GR-2026-000125".into()),
        token: None,
        service_notice: Some("坑洼将在 48 小时内修复".into()),
        account_id: None,
    };
    let root = xml_of(&realtime);
    assert_eq!(root.name, "service_requests");
    assert_eq!(root.names(), ["request"]);
    let request = &root.children[0];
    assert_eq!(
        request.names(),
        ["service_request_id", "service_notice", "account_id"]
    );
    assert_eq!(request.text_of("service_request_id"), "GR-2026-000125");
    assert_eq!(request.text_of("account_id"), "");
    assert_eq!(
        json_of(&realtime),
        json!([{
            "service_request_id": "GR-2026-000125",
            "service_notice": "坑洼将在 48 小时内修复",
            "account_id": null
        }])
    );

    let batch = RequestCreated {
        token: Some("7f3a9c".into()),
        ..RequestCreated::default()
    };
    assert_eq!(
        xml_of(&batch).children[0].names(),
        ["token", "service_notice", "account_id"]
    );
    assert_eq!(
        json_of(&batch),
        json!([{"token": "7f3a9c", "service_notice": null, "account_id": null}])
    );
}

#[test]
fn a_token_answers_with_its_request() {
    let pending = TokenAnswer {
        service_request_id: None,
        token: "7f3a9c".into(),
    };
    let root = xml_of(&pending);
    assert_eq!(root.name, "service_requests");
    let request = root.child("request");
    assert_eq!(request.names(), ["service_request_id", "token"]);
    assert_eq!(request.text_of("service_request_id"), "");
    assert_eq!(
        json_of(&pending),
        json!([{"service_request_id": null, "token": "7f3a9c"}])
    );

    let done = TokenAnswer {
        service_request_id: Some("GR-2026-000126".into()),
        token: "7f3a9c".into(),
    };
    assert_eq!(
        xml_of(&done).child("request").text_of("service_request_id"),
        "GR-2026-000126"
    );
}

// ----------------------------------------------------------------- updates

fn update() -> ServiceRequestUpdate {
    ServiceRequestUpdate {
        update_id: "GR-2026-000123-7".into(),
        service_request_id: "GR-2026-000123".into(),
        status: "open".into(),
        extended_status: Some("IN_PROGRESS".into()),
        updated_datetime: at(2, 30),
        description: Some("养护班组已到场".into()),
        media_url: None,
        external_status_code: None,
        customer_reference: None,
    }
}

#[test]
fn updates_have_my_societys_shape() {
    let mut with_codes = update();
    with_codes.update_id = "GR-2026-000123-8".into();
    with_codes.extended_status = None;
    with_codes.status = "closed".into();
    with_codes.external_status_code = Some("resolved".into());
    with_codes.customer_reference = Some("12345-0042".into());
    let doc = ServiceRequestUpdates(vec![update(), with_codes]);

    let root = xml_of(&doc);
    assert_eq!(root.name, "service_request_updates");
    assert_eq!(root.names(), ["request_update", "request_update"]);
    let first = &root.children[0];
    assert_eq!(
        first.names(),
        [
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url"
        ]
    );
    assert_eq!(first.text_of("status"), "in_progress");
    assert_eq!(first.text_of("updated_datetime"), "2026-12-04T02:30:00Z");
    assert_eq!(first.text_of("media_url"), "");
    let second = &root.children[1];
    assert_eq!(second.text_of("status"), "closed");
    assert_eq!(second.text_of("external_status_code"), "resolved");
    assert_eq!(second.text_of("customer_reference"), "12345-0042");

    assert_eq!(
        json_of(&doc),
        json!([
            {
                "update_id": "GR-2026-000123-7",
                "service_request_id": "GR-2026-000123",
                "status": "in_progress",
                "updated_datetime": "2026-12-04T02:30:00Z",
                "description": "养护班组已到场",
                "media_url": null
            },
            {
                "update_id": "GR-2026-000123-8",
                "service_request_id": "GR-2026-000123",
                "status": "closed",
                "updated_datetime": "2026-12-04T02:30:00Z",
                "description": "养护班组已到场",
                "media_url": null,
                "external_status_code": "resolved",
                "customer_reference": "12345-0042"
            }
        ])
    );
}

#[test]
fn a_created_update_gives_its_id() {
    let created = UpdateCreated {
        update_id: "GR-2026-000123-9".into(),
        account_id: None,
    };
    let root = xml_of(&created);
    assert_eq!(root.name, "service_request_updates");
    assert_eq!(root.child("request_update").names(), ["update_id"]);
    assert_eq!(
        json_of(&created),
        json!([{"update_id": "GR-2026-000123-9"}])
    );
}

// ------------------------------------------------------------------ errors

#[test]
fn errors_have_the_spec_shape() {
    let doc = Errors(vec![
        Open311Error {
            code: 400,
            description: "service_code was not provided".into(),
        },
        Open311Error {
            code: 404,
            description: "未找到该服务".into(),
        },
    ]);
    let root = xml_of(&doc);
    assert_eq!(root.name, "errors");
    assert_eq!(root.names(), ["error", "error"]);
    assert_eq!(root.children[0].names(), ["code", "description"]);
    assert_eq!(root.children[0].text_of("code"), "400");
    assert_eq!(root.children[1].text_of("description"), "未找到该服务");
    assert_eq!(
        json_of(&doc),
        json!([
            {"code": 400, "description": "service_code was not provided"},
            {"code": 404, "description": "未找到该服务"}
        ])
    );
}

#[test]
fn error_response_answers_with_the_status_as_code() {
    let response = error_response(Format::Xml, StatusCode::FORBIDDEN, "Invalid api_key");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers().get("content-type").expect("a type"),
        "text/xml; charset=utf-8"
    );
    let body = response.into_body().try_into_bytes().expect("a body");
    let root = read_xml(&body);
    assert_eq!(root.name, "errors");
    assert_eq!(root.child("error").text_of("code"), "403");
    assert_eq!(
        root.child("error").text_of("description"),
        "Invalid api_key"
    );

    let response = error_response(Format::Json, StatusCode::NOT_FOUND, "no such request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers().get("content-type").expect("a type"),
        "application/json; charset=utf-8"
    );
    let body = response.into_body().try_into_bytes().expect("a body");
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("JSON"),
        json!([{"code": 404, "description": "no such request"}])
    );
}

#[test]
fn respond_uses_the_status_and_the_bytes_of_render_bytes() {
    let response = respond(Format::Json, StatusCode::CREATED, &services());
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = response.into_body().try_into_bytes().expect("a body");
    assert_eq!(body.as_ref(), render_bytes(Format::Json, &services()).0);
}

// ---------------------------------------------------------------- the text

#[test]
fn markup_characters_and_chinese_survive_both_formats() {
    let tricky = "a < b && c > d \"quoted\" 'single' ]]> 中文：坑洼，深约 5cm\r\nline 2";
    let mut r = request();
    r.description = Some(tricky.into());
    let doc = ServiceRequests(vec![r]);

    let (bytes, _) = render_bytes(Format::Xml, &doc);
    let xml = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(
        xml.contains("中文：坑洼"),
        "Chinese is written as UTF-8, not as references"
    );
    assert!(!xml.contains("a < b"), "< is escaped");
    assert_eq!(read_xml(&bytes).children[0].text_of("description"), tricky);

    assert_eq!(json_of(&doc)[0]["description"], tricky);
    let (json, _) = render_bytes(Format::Json, &doc);
    assert!(
        String::from_utf8(json)
            .expect("utf-8")
            .contains("中文：坑洼"),
        "Chinese is not \\u-escaped in JSON"
    );
}

#[test]
fn control_characters_xml_forbids_are_dropped() {
    let mut r = request();
    r.description = Some("bell\u{7} null\u{0} esc\u{1b} ok\ttab\u{fffe}".into());
    r.status_notes = Some("\u{1}\u{2}\u{3}".into());
    let doc = ServiceRequests(vec![r]);

    let (bytes, _) = render_bytes(Format::Xml, &doc);
    let xml = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(
        !xml.chars().any(|c| !super::super::xml::is_xml_char(c)),
        "no forbidden character in the document"
    );
    let root = read_xml(&bytes);
    assert_eq!(
        root.children[0].text_of("description"),
        "bell null esc ok\ttab"
    );
    assert_eq!(root.children[0].text_of("status_notes"), "");

    // JSON can carry them, escaped.
    assert_eq!(
        json_of(&doc)[0]["description"],
        "bell\u{7} null\u{0} esc\u{1b} ok\ttab\u{fffe}"
    );
}
