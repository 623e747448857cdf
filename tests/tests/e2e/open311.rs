//! Open311 GeoReport v2 (`/open311/v2/`) as a client application meets it:
//! the services and their questions, requests posted as forms (with a photo
//! or only an address), the cases read back in XML and JSON as they go
//! round the loop, what the public may not read, the spec's errors, retries,
//! quotas and conditional GETs.
//!
//! XML is read with a real parser (quick-xml), as a client would; every
//! public read here is anonymous, as a client's is.

use std::io::Cursor;

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use gridops_tests::{TestApp, json, json_of, on_both_backends};
use quick_xml::events::Event;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::incident_photos::{TAKEN_AT, download, jpeg, phone_jpeg};
use crate::incidents::{
    DOG_NOISE, GUANLAN_GRID, HEATING, SNOW_ON_SHEDS, STREET_VENDING, centre_of, metres_between,
    moved, new_user, report_in, seen, sign_in, step, text,
};

const V2: &str = "/open311/v2";
const XML: &str = "text/xml; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";
/// The demo city, the only jurisdiction served.
const CITY: &str = "410100";
const HEATING_COMPANY: &str = "郑州热力公司（中原区）";
const HEATING_COMPANY_EN: &str = "Zhengzhou Heating Company (Zhongyuan)";
const MEDIATION: &str = "zy-guanlan-mediation";
const MEDIATION_NAME: &str = "观澜社区人民调解委员会";
/// Called by the demo heating rule to assist the heating company.
const COMMITTEE: &str = "zy-guanlan-committee";

/// The fields of a request in a GET, in the spec's order.
const REQUEST_FIELDS: [&str; 17] = [
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
const SERVICE_FIELDS: [&str; 7] = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];
const ATTRIBUTE_FIELDS: [&str; 8] = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
];
const UPDATE_FIELDS: [&str; 6] = [
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
];

// ------------------------------------------------------------------ XML

/// An element of an XML document: its name, its text (empty when it holds
/// elements) and its elements in order. Attributes are not used by Open311.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    /// The one child element named `name`.
    fn child(&self, name: &str) -> &Element {
        let found: Vec<&Element> = self.children.iter().filter(|c| c.name == name).collect();
        assert_eq!(
            found.len(),
            1,
            "one <{name}> in <{}>: {:?}",
            self.name,
            self.names()
        );
        found[0]
    }

    fn has(&self, name: &str) -> bool {
        self.children.iter().any(|c| c.name == name)
    }

    /// The text of the one child named `name`.
    fn text_of(&self, name: &str) -> &str {
        let child = self.child(name);
        assert!(
            child.children.is_empty(),
            "<{name}> holds text, not {:?}",
            child.names()
        );
        &child.text
    }

    /// The children of a list element, each of which must be named `item`.
    fn items(&self, item: &str) -> Vec<&Element> {
        assert!(
            self.children.iter().all(|c| c.name == item),
            "<{}> lists only <{item}>: {:?}",
            self.name,
            self.names()
        );
        self.children.iter().collect()
    }
}

fn attach(open: &mut [Element], root: &mut Option<Element>, element: Element) {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None => {
            assert!(root.is_none(), "one root element");
            *root = Some(element);
        }
    }
}

/// Parses an Open311 XML document: the declaration, then one root.
fn parse_xml(body: &str) -> Element {
    assert!(
        body.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#),
        "an XML declaration first: {body}"
    );
    let mut reader = quick_xml::Reader::from_str(body);
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed XML ({e}): {body}"));
        match event {
            Event::Decl(_) => {}
            Event::Start(tag) => open.push(Element {
                name: tag.name().0.to_owned(),
                ..Element::default()
            }),
            Event::Empty(tag) => {
                let element = Element {
                    name: tag.name().0.to_owned(),
                    ..Element::default()
                };
                attach(&mut open, &mut root, element);
            }
            Event::Text(t) => match open.last_mut() {
                Some(top) => top.text.push_str(&t.xml10_content()),
                None => assert!(t.trim().is_empty(), "text outside the root: {body}"),
            },
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or_else(|| panic!("an unknown entity &{};", &*r))
                        .to_owned(),
                };
                open.last_mut()
                    .expect("a reference inside an element")
                    .text
                    .push_str(&resolved);
            }
            Event::End(_) => {
                let mut element = open.pop().expect("an open element");
                if !element.children.is_empty() {
                    assert!(
                        element.text.trim().is_empty(),
                        "<{}> mixes text and elements: {body}",
                        element.name
                    );
                    element.text.clear();
                }
                attach(&mut open, &mut root, element);
            }
            Event::Eof => break,
            other => panic!("unexpected {other:?} in an Open311 document: {body}"),
        }
    }
    assert!(open.is_empty(), "every element closed: {body}");
    root.unwrap_or_else(|| panic!("a root element: {body}"))
}

/// Asserts that an XML element and a JSON value say the same thing (the
/// Spark convention the spec uses): a JSON object's fields are the element's
/// children (the order is checked elsewhere, a JSON object keeps none here),
/// an array's entries its children, `null` an empty element.
fn same_document(xml: &Element, json: &Value, at: &str) {
    let at = format!("{at}/{}", xml.name);
    match json {
        Value::Object(fields) => {
            let mut names: Vec<&str> = xml.names();
            names.sort_unstable();
            let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(names, keys, "{at}: the same fields");
            for (name, value) in fields {
                same_document(xml.child(name), value, &at);
            }
        }
        Value::Array(entries) => {
            assert_eq!(xml.children.len(), entries.len(), "{at}: the same entries");
            for (child, entry) in xml.children.iter().zip(entries) {
                same_document(child, entry, &at);
            }
        }
        Value::Null => assert!(
            xml.text.is_empty() && xml.children.is_empty(),
            "{at}: empty for null, not {xml:?}"
        ),
        Value::String(s) => assert_eq!(&xml.text, s, "{at}"),
        Value::Bool(b) => assert_eq!(xml.text, b.to_string(), "{at}"),
        Value::Number(n) => {
            let xml_number: f64 = xml
                .text
                .parse()
                .unwrap_or_else(|_| panic!("{at}: a number, not {:?}", xml.text));
            // serde_json (without `float_roundtrip`) may read the last digit
            // one unit off: compare to a billionth of a degree.
            let json_number = n.as_f64().unwrap_or(f64::NAN);
            assert!(
                (xml_number - json_number).abs() < 1e-9,
                "{at}: {xml_number} vs {json_number}"
            );
        }
    }
}

// ---------------------------------------------------------------- HTTP

/// An answer: status, headers and body text.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Answer {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        assert_eq!(self.header("content-type"), Some(JSON), "{}", self.body);
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn xml(&self) -> Element {
        assert_eq!(self.header("content-type"), Some(XML), "{}", self.body);
        parse_xml(&self.body)
    }
}

/// An anonymous GET of `/open311/v2/{path}` (path and query as given).
async fn get(app: &TestApp, path: &str) -> Answer {
    Answer::of(
        app.anonymous
            .get(app.url(&format!("{V2}/{path}")))
            .send()
            .await
            .expect("GET sent"),
    )
    .await
}

/// GET expecting 200 and JSON.
async fn get_json(app: &TestApp, path: &str) -> Value {
    let answer = get(app, path).await;
    assert_eq!(answer.status, StatusCode::OK, "GET {path}: {}", answer.body);
    answer.json()
}

/// GET expecting 200 and XML: the root element.
async fn get_xml(app: &TestApp, path: &str) -> Element {
    let answer = get(app, path).await;
    assert_eq!(answer.status, StatusCode::OK, "GET {path}: {}", answer.body);
    answer.xml()
}

/// `requests/{reference}.json?{query}`: the one request of the array.
async fn request_json(app: &TestApp, reference: &str, query: &str) -> Value {
    let list = get_json(app, &format!("requests/{reference}.json?{query}")).await;
    let entries = list
        .as_array()
        .unwrap_or_else(|| panic!("an array: {list}"));
    assert_eq!(entries.len(), 1, "an array of one: {list}");
    let request = entries[0].clone();
    assert_eq!(request["service_request_id"], reference, "{request}");
    request
}

/// `requests/{reference}.xml?{query}`: the one `<request>`.
async fn request_xml(app: &TestApp, reference: &str, query: &str) -> Element {
    let root = get_xml(app, &format!("requests/{reference}.xml?{query}")).await;
    assert_eq!(root.name, "service_requests");
    let items = root.items("request");
    assert_eq!(items.len(), 1, "a list of one: {root:?}");
    let request = items[0].clone();
    assert_eq!(
        request.names(),
        REQUEST_FIELDS,
        "the spec's fields, in its order"
    );
    assert_eq!(request.text_of("service_request_id"), reference);
    request
}

/// The references of a `requests.json?{query}` list, in order.
async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let list = get_json(app, &format!("requests.json?{query}")).await;
    list.as_array()
        .unwrap_or_else(|| panic!("an array: {list}"))
        .iter()
        .map(|r| text(&r["service_request_id"]))
        .collect()
}

/// POST `requests.{format}` as a form (`application/x-www-form-urlencoded`).
async fn post_form(app: &TestApp, format: &str, fields: &[(&str, &str)]) -> Answer {
    Answer::of(
        app.anonymous
            .post(app.url(&format!("{V2}/requests.{format}")))
            .form(fields)
            .send()
            .await
            .expect("POST sent"),
    )
    .await
}

/// A `multipart/form-data` body of text fields and, if any, a `media` JPEG.
fn multipart_form(fields: &[(&str, &str)], media: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = format!("open311-test-{}", uuid::Uuid::now_v7().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(bytes) = media {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"IMG_0001.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &TestApp,
    format: &str,
    fields: &[(&str, &str)],
    media: Option<&[u8]>,
) -> Answer {
    let (content_type, body) = multipart_form(fields, media);
    Answer::of(
        app.anonymous
            .post(app.url(&format!("{V2}/requests.{format}")))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST sent"),
    )
    .await
}

/// Posts `fields` as a JSON request expecting 201 with a
/// `service_request_id`; the reference.
async fn posted(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let answer = post_form(app, "json", fields).await;
    assert_eq!(
        answer.status,
        StatusCode::CREATED,
        "{fields:?}: {}",
        answer.body
    );
    let body = answer.json();
    let reference = text(&body[0]["service_request_id"]);
    assert!(
        body[0].get("token").is_none(),
        "a placed request has no token: {body}"
    );
    reference
}

/// Asserts the spec's error document: one error whose `code` is the status,
/// whose description starts with `starts`; in `format` (`xml` or `json`).
fn expect_error(answer: &Answer, status: StatusCode, format: &str, starts: &str) -> String {
    assert_eq!(answer.status, status, "{}", answer.body);
    let (code, description) = if format == "xml" {
        let root = answer.xml();
        assert_eq!(root.name, "errors", "{}", answer.body);
        let errors = root.items("error");
        assert_eq!(errors.len(), 1, "{}", answer.body);
        assert_eq!(
            errors[0].names(),
            ["code", "description"],
            "{}",
            answer.body
        );
        (
            errors[0].text_of("code").to_owned(),
            errors[0].text_of("description").to_owned(),
        )
    } else {
        let body = answer.json();
        let errors = body
            .as_array()
            .unwrap_or_else(|| panic!("an array: {body}"));
        assert_eq!(errors.len(), 1, "{body}");
        let mut keys: Vec<&String> = errors[0]
            .as_object()
            .unwrap_or_else(|| panic!("an object: {body}"))
            .keys()
            .collect();
        keys.sort();
        assert_eq!(keys, ["code", "description"], "{body}");
        (
            errors[0]["code"].to_string(),
            text(&errors[0]["description"]),
        )
    };
    assert_eq!(code, status.as_u16().to_string(), "{}", answer.body);
    assert!(
        description.starts_with(starts),
        "the description starts with {starts:?}: {description:?}"
    );
    description
}

/// An API key from `POST /api/v1/open311/keys` as the administrator: (id, key).
async fn issue_key(app: &TestApp, name: &str, per_minute: Option<u32>) -> (String, String) {
    let mut body = json!({"name": name});
    if let Some(n) = per_minute {
        body["per_minute"] = json!(n);
    }
    let (status, issued) = app.post_json("/api/v1/open311/keys", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let key = text(&issued["key"]);
    assert!(key.starts_with("o311_"), "{key}");
    (text(&issued["id"]), key)
}

/// `[lng, lat]` as the form's `lat` and `long` strings.
fn lat_long(point: [f64; 2]) -> (String, String) {
    (point[1].to_string(), point[0].to_string())
}

/// A W3C date-time `seconds` from now, UTC with `Z`.
fn w3c_in(seconds: i64) -> String {
    (Utc::now() + Duration::seconds(seconds)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&text(value))
        .unwrap_or_else(|e| panic!("a date-time ({e}): {value}"))
        .with_timezone(&Utc)
}

fn assert_w3c(value: &Value) {
    let s = text(value);
    assert!(
        s.len() == 20 && s.ends_with('Z'),
        "a W3C date-time in UTC, whole seconds: {s}"
    );
    instant(value);
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-7, "{what}: {a} vs {b}");
}

/// The incident of `reference` as the administrator reads it through REST.
async fn incident_of(app: &TestApp, reference: &str) -> Value {
    let (status, page) = app.get_json("/api/v1/incidents?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let id = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["reference"] == reference)
        .map(|i| text(&i["id"]))
        .unwrap_or_else(|| panic!("no incident {reference} in {page}"));
    let (status, view) = app.get_json(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

/// How many incidents of `category` the administrator sees.
async fn incidents_of(app: &TestApp, category: &str) -> usize {
    let (status, page) = app
        .get_json(&format!("/api/v1/incidents?category={category}&limit=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().map_or(0, Vec::len)
}

/// The routing decisions taken on an incident.
async fn decisions_of(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, history) = app
        .get_json(&format!("/api/v1/incidents/{id}/routing?lang=en"))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    history["decisions"].as_array().cloned().unwrap_or_default()
}

/// The grid (code) a point lies in, by `GET /api/v1/areas/locate`.
async fn grid_at(app: &TestApp, lat: f64, lng: f64) -> Option<String> {
    let (status, located) = app
        .get_json(&format!("/api/v1/areas/locate?lat={lat}&lng={lng}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{located}");
    located["grid"]["code"].as_str().map(str::to_owned)
}

/// The EXIF tags left in `bytes`, if any.
fn exif_tags(bytes: &[u8]) -> Vec<exif::Tag> {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .map(|exif| exif.fields().map(|f| f.tag).collect())
        .unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The codes of the leaf categories, from the REST catalogue.
async fn leaf_codes(app: &TestApp) -> Vec<String> {
    let (status, body) = app.get_json("/api/v1/categories").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<String> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| text(&c["code"]))
        .collect();
    let mut leaves: Vec<String> = codes
        .iter()
        .filter(|c| !codes.iter().any(|o| o.starts_with(&format!("{c}."))))
        .cloned()
        .collect();
    leaves.sort();
    leaves
}

on_both_backends! {
    async fn services_and_their_definitions_read_the_same_in_json_and_xml(app) {
        // discovery: where the endpoint is and what it speaks.
        let discovery = get_json(app, "discovery.json").await;
        let endpoint = &discovery["endpoints"][0];
        assert_eq!(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2", "{discovery}");
        assert_eq!(endpoint["url"], app.url(V2), "{discovery}");
        assert_eq!(endpoint["formats"], json!(["text/xml", "application/json"]));
        let xml = get_xml(app, "discovery.xml").await;
        assert_eq!(xml.name, "discovery");
        assert_eq!(xml.names(), ["changeset", "contact", "key_service", "endpoints"]);
        let endpoints = xml.child("endpoints").items("endpoint");
        assert_eq!(endpoints.len(), 1);
        assert_eq!(endpoints[0].names(), ["specification", "url", "changeset", "type", "formats"]);
        let formats: Vec<&str> = endpoints[0].child("formats").items("format").iter().map(|f| f.text.as_str()).collect();
        assert_eq!(formats, ["text/xml", "application/json"]);
        same_document(&xml, &discovery, "");

        // services: one per leaf category, the ones that ask questions say so.
        let services = get_json(app, "services.json").await;
        let list = services.as_array().unwrap_or_else(|| panic!("an array: {services}"));
        let mut codes: Vec<String> = list.iter().map(|s| text(&s["service_code"])).collect();
        codes.sort();
        assert_eq!(codes, leaf_codes(app).await, "one service per leaf category");
        for service in list {
            let mut keys: Vec<&String> = service.as_object().expect("an object").keys().collect();
            keys.sort();
            let mut expected = SERVICE_FIELDS.to_vec();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{service}");
            let code = text(&service["service_code"]);
            let asks = [DOG_NOISE, SNOW_ON_SHEDS, HEATING].contains(&code.as_str());
            assert_eq!(service["metadata"], asks, "{service}");
            assert_eq!(service["type"], "realtime", "{service}");
        }
        let dog = list.iter().find(|s| s["service_code"] == DOG_NOISE).expect("dog noise");
        assert_eq!(dog, &json!({
            "service_code": DOG_NOISE, "service_name": "犬只扰民", "description": "Noise from dogs",
            "metadata": true, "type": "realtime", "keywords": "neighbourhood,dog_noise", "group": "邻里纠纷",
        }));
        let english = get_json(app, "services.json?locale=en").await;
        let dog_en = english.as_array().expect("an array").iter().find(|s| s["service_code"] == DOG_NOISE).cloned().expect("dog noise");
        assert_eq!((dog_en["service_name"].clone(), dog_en["group"].clone()), (json!("Noise from dogs"), json!("Neighbourhood disputes")));

        let xml = get_xml(app, "services.xml").await;
        assert_eq!(xml.name, "services");
        for service in xml.items("service") {
            assert_eq!(service.names(), SERVICE_FIELDS, "the spec's order");
        }
        same_document(&xml, &services, "");

        // A service definition: its attributes and their values.
        let snow = get_json(app, &format!("services/{SNOW_ON_SHEDS}.json")).await;
        assert_eq!(snow, json!({
            "service_code": SNOW_ON_SHEDS,
            "attributes": [{
                "variable": true, "code": "where", "datatype": "singlevaluelist", "required": false,
                "datatype_description": null, "order": 1, "description": "积雪结冰的位置",
                "values": [
                    {"key": "bike_shed_roof", "name": "车棚顶"},
                    {"key": "eaves", "name": "屋檐"},
                    {"key": "other_roof", "name": "其他屋顶或雨棚"},
                ],
            }],
        }));
        let xml = get_xml(app, &format!("services/{SNOW_ON_SHEDS}.xml")).await;
        assert_eq!(xml.name, "service_definition");
        assert_eq!(xml.names(), ["service_code", "attributes"]);
        let attributes = xml.child("attributes").items("attribute");
        assert_eq!(attributes.len(), 1);
        assert_eq!(attributes[0].names(), ATTRIBUTE_FIELDS, "the spec's order");
        let values = attributes[0].child("values").items("value");
        assert_eq!(values.len(), 3);
        assert_eq!(values[0].names(), ["key", "name"]);
        assert_eq!((values[1].text_of("key"), values[1].text_of("name")), ("eaves", "屋檐"));
        same_document(&xml, &snow, "");

        // Two questions in their order, in English on request.
        let dog = get_json(app, &format!("services/{DOG_NOISE}.json?locale=en")).await;
        let questions = dog["attributes"].as_array().expect("attributes");
        let summary: Vec<(String, i64, String)> = questions.iter()
            .map(|q| (text(&q["code"]), q["order"].as_i64().unwrap_or_default(), text(&q["description"])))
            .collect();
        assert_eq!(summary, [
            ("when".to_owned(), 1, "When it usually barks".to_owned()),
            ("how_long".to_owned(), 2, "How long it has gone on".to_owned()),
        ]);
        assert_eq!(questions[0]["values"][0], json!({"key": "night", "name": "At night (22:00–06:00)"}));

        // A number has no values, in either format.
        let heating = get_json(app, &format!("services/{HEATING}.json")).await;
        assert_eq!(heating["attributes"][0]["datatype"], "number", "{heating}");
        assert!(heating["attributes"][0].get("values").is_none(), "{heating}");
        let xml = get_xml(app, &format!("services/{HEATING}.xml")).await;
        let attribute = xml.child("attributes").child("attribute");
        assert!(!attribute.has("values"), "{attribute:?}");
        same_document(&xml, &heating, "");

        // A service that asks nothing has an empty list.
        let vending = get_json(app, &format!("services/{STREET_VENDING}.json")).await;
        assert_eq!(vending, json!({"service_code": STREET_VENDING, "attributes": []}));
        let xml = get_xml(app, &format!("services/{STREET_VENDING}.xml")).await;
        assert!(xml.child("attributes").children.is_empty(), "{xml:?}");

        // A group is not a service; nor is what does not exist.
        for code in ["neighbourhood", "nope"] {
            expect_error(&get(app, &format!("services/{code}.json")).await, StatusCode::NOT_FOUND, "json", "service_code:");
            expect_error(&get(app, &format!("services/{code}.xml")).await, StatusCode::NOT_FOUND, "xml", "service_code:");
        }
    }

    async fn a_request_posted_as_a_form_becomes_an_open311_incident(app) {
        let (_, key) = issue_key(app, "市民随手拍", None).await;
        let spot = moved(centre_of(GUANLAN_GRID), 30.0, 20.0);
        let (lat, long) = lat_long(spot);
        let before = Utc::now() - Duration::seconds(1);
        let fields = [
            ("api_key", key.as_str()), ("service_code", SNOW_ON_SHEDS),
            ("description", "3号楼车棚顶积雪约二十厘米"), ("lat", &lat), ("long", &long),
            ("address_string", "工人路19号院3号楼"), ("attribute[where]", "bike_shed_roof"),
            ("email", "wang.wu@example.com"), ("phone", "13912345678"),
            ("first_name", "五"), ("last_name", "王"),
        ];
        let answer = post_form(app, "json", &fields).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let created = answer.json();
        let entry = &created.as_array().unwrap_or_else(|| panic!("an array: {created}"))[0];
        let mut keys: Vec<&String> = entry.as_object().expect("an object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["account_id", "service_notice", "service_request_id"], "no token: {created}");
        let reference = text(&entry["service_request_id"]);
        assert!(reference.starts_with("410102-") && reference.len() == 22, "{reference}");
        assert!(text(&entry["service_notice"]).contains(&reference), "{created}");

        // The same in XML, as the spec's own format.
        let answer = post_form(app, "xml", &[
            ("api_key", key.as_str()), ("service_code", SNOW_ON_SHEDS),
            ("description", "5号楼屋檐挂着冰凌"), ("lat", &lat), ("long", &long),
            ("attribute[where]", "eaves"), ("locale", "en"),
        ]).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let xml = answer.xml();
        assert_eq!(xml.name, "service_requests");
        let items = xml.items("request");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].names(), ["service_request_id", "service_notice", "account_id"]);
        let second = items[0].text_of("service_request_id").to_owned();
        assert_ne!(second, reference);
        assert!(items[0].text_of("service_notice").starts_with("Received as case"), "{xml:?}");

        // Read back: an array of one, open, with the spec's fields.
        let request = request_json(app, &reference, "").await;
        let mut keys: Vec<&String> = request.as_object().expect("an object").keys().collect();
        keys.sort();
        let mut expected = REQUEST_FIELDS.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{request}");
        assert_eq!(request["status"], "open");
        assert_eq!(request["service_code"], SNOW_ON_SHEDS);
        assert_eq!(request["service_name"], "车棚屋檐积雪");
        assert_eq!(request["description"], "3号楼车棚顶积雪约二十厘米", "a public category");
        assert_eq!(request["address"], "工人路19号院3号楼");
        assert_close(request["lat"].as_f64().expect("lat"), spot[1], "lat");
        assert_close(request["long"].as_f64().expect("long"), spot[0], "long");
        assert_w3c(&request["requested_datetime"]);
        assert_w3c(&request["updated_datetime"]);
        let requested = instant(&request["requested_datetime"]);
        assert!(requested >= before - Duration::seconds(1) && requested <= Utc::now(), "{request}");
        assert!(instant(&request["updated_datetime"]) >= requested, "{request}");
        let body = get(app, &format!("requests/{reference}.json")).await.body;
        for secret in ["wang.wu@example.com", "13912345678", "王"] {
            assert!(!body.contains(secret), "no contact in a public read: {body}");
        }
        let xml = request_xml(app, &reference, "").await;
        same_document(&xml, &request, "");

        // Through REST it is an incident from Open311, reported by the key's account.
        let incident = incident_of(app, &reference).await;
        assert_eq!(incident["source"], "open311", "{incident}");
        assert_eq!(incident["category"], SNOW_ON_SHEDS);
        assert_eq!(incident["description"], "3号楼车棚顶积雪约二十厘米");
        assert_eq!(incident["grid"], GUANLAN_GRID);
        assert_eq!(incident["status"], "reported", "no routing table: waits for a dispatcher");
        assert_close(incident["location"]["coordinates"][0].as_f64().expect("lng"), spot[0], "lng");
        assert_close(incident["location"]["coordinates"][1].as_f64().expect("lat"), spot[1], "lat");
        let admin = sign_in(app, "admin").await;
        assert_ne!(incident["reporter_id"], admin.id.as_str());
        let rest_created = instant(&incident["created_at"]);
        assert!((rest_created - requested).num_milliseconds().abs() < 1000, "{incident}");
        assert_eq!(incident_of(app, &second).await["source"], "open311");
        assert_eq!(incidents_of(app, SNOW_ON_SHEDS).await, 2);
    }

    async fn a_request_with_a_photo_keeps_its_evidence_and_stores_it_without_exif(app) {
        let (_, key) = issue_key(app, "街道随手拍", None).await;
        let spot = moved(centre_of(GUANLAN_GRID), -25.0, 15.0);
        let (lat, long) = lat_long(spot);
        let photo = phone_jpeg(0, spot);
        assert!(exif_tags(&photo).contains(&exif::Tag::GPSLatitude), "the sample carries GPS");
        let fields = [
            ("api_key", key.as_str()), ("service_code", SNOW_ON_SHEDS),
            ("description", "车棚顶积雪，见照片"), ("lat", &lat), ("long", &long),
            ("attribute[where]", "bike_shed_roof"),
        ];
        let answer = post_multipart(app, "json", &fields, Some(&photo)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let reference = text(&answer.json()[0]["service_request_id"]);

        let incident = incident_of(app, &reference).await;
        assert_eq!(incident["source"], "open311");
        let photos = incident["photos"].as_array().unwrap_or_else(|| panic!("photos: {incident}"));
        assert_eq!(photos.len(), 1, "{incident}");
        let kept = &photos[0];
        assert_eq!(kept["kind"], "before", "{kept}");
        assert_eq!(kept["media_type"], "image/jpeg");
        assert_eq!(kept["uploaded_by"], incident["reporter_id"], "{kept}");
        assert_eq!(kept["taken_at"], TAKEN_AT, "the EXIF time is kept as evidence");
        for (i, expected) in spot.into_iter().enumerate() {
            let got = kept["taken_location"]["coordinates"][i].as_f64().expect("a coordinate");
            assert!((got - expected).abs() < 1e-6, "coordinate {i}: {got} vs {expected}");
        }
        let admin = sign_in(app, "admin").await;
        let (status, content_type, served) = download(app, &admin, &text(&kept["url"])).await;
        assert_eq!((status, content_type.as_deref()), (StatusCode::OK, Some("image/jpeg")));
        assert_eq!(exif_tags(&served), Vec::<exif::Tag>::new(), "no EXIF stored");
        assert!(!contains(&served, b"SECRET"), "no maker, no comment");
        assert_eq!(served, jpeg(0, &[]), "exactly the picture");

        // The same form and photo again is a retry; another photo is another request.
        let again = post_multipart(app, "json", &fields, Some(&photo)).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        assert_eq!(again.json()[0]["service_request_id"], reference.as_str());
        let other = post_multipart(app, "json", &fields, Some(&phone_jpeg(1, spot))).await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
        assert_ne!(other.json()[0]["service_request_id"], reference.as_str());

        // A multipart form without a photo is fine; what is not a photo is refused.
        let plain = post_multipart(app, "xml", &[
            ("api_key", key.as_str()), ("service_code", SNOW_ON_SHEDS),
            ("description", "屋檐积雪"), ("lat", &lat), ("long", &long),
        ], None).await;
        assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);
        let plain_reference = plain.xml().child("request").text_of("service_request_id").to_owned();
        assert_eq!(incident_of(app, &plain_reference).await["photos"], json!([]));
        let not_a_photo = post_multipart(app, "xml", &fields, Some("这不是照片".as_bytes())).await;
        expect_error(&not_a_photo, StatusCode::UNSUPPORTED_MEDIA_TYPE, "xml", "media:");
        assert_eq!(incidents_of(app, SNOW_ON_SHEDS).await, 3, "nothing refused was kept");
    }

    async fn a_client_that_gets_it_wrong_is_told_in_the_specs_error_shape(app) {
        let (key_id, key) = issue_key(app, "错误示范", None).await;
        let (lat, long) = lat_long(centre_of(GUANLAN_GRID));
        let good = |extra: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
            let mut fields: Vec<(String, String)> = vec![
                ("api_key".into(), key.clone()), ("service_code".into(), HEATING.into()),
                ("description".into(), "暖气不热".into()), ("lat".into(), lat.clone()), ("long".into(), long.clone()),
            ];
            for (name, value) in extra {
                fields.retain(|(n, _)| n != name);
                if !value.is_empty() {
                    fields.push(((*name).into(), (*value).into()));
                }
            }
            fields
        };
        let send = |format: &'static str, fields: Vec<(String, String)>| async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            post_form(app, format, &borrowed).await
        };

        // Keys: missing, unknown, revoked → 403.
        expect_error(&send("xml", good(&[("api_key", "")])).await, StatusCode::FORBIDDEN, "xml", "api_key:");
        expect_error(&send("json", good(&[("api_key", "")])).await, StatusCode::FORBIDDEN, "json", "api_key:");
        expect_error(&send("xml", good(&[("api_key", "o311_not-a-key-of-this-city")])).await, StatusCode::FORBIDDEN, "xml", "api_key:");
        let (_, revoked_key) = issue_key(app, "已吊销", None).await;
        let (_, keys) = app.get_json("/api/v1/open311/keys").await;
        let revoked_id = keys["items"].as_array().expect("items").iter()
            .find(|k| k["id"] != key_id.as_str()).map(|k| text(&k["id"])).expect("the other key");
        let (status, body) = json_of(app.client.post(app.url(&format!("/api/v1/open311/keys/{revoked_id}/revoke"))).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut with_revoked = good(&[]);
        with_revoked[0].1 = revoked_key;
        expect_error(&send("xml", with_revoked).await, StatusCode::FORBIDDEN, "xml", "api_key:");
        // The key may come in the query instead of the body.
        let in_query = app.anonymous
            .post(app.url(&format!("{V2}/requests.json?api_key={key}")))
            .form(&[("service_code", HEATING), ("description", "暖气不热，key在查询串"), ("lat", lat.as_str()), ("long", long.as_str())])
            .send().await.expect("sent");
        assert_eq!(in_query.status(), StatusCode::CREATED);

        // Fields: each 400 names its parameter.
        let bad: [(&[(&'static str, &'static str)], &str); 13] = [
            // Beijing: outside every grid of this city.
            (&[("lat", "39.9087"), ("long", "116.3975")], "lat:"),
            (&[("service_code", SNOW_ON_SHEDS), ("attribute[where][]", "eaves"), ("attribute[where]", "other_roof")], "attribute[where]:"),
            (&[("service_code", "no.such_service")], "service_code:"),
            (&[("service_code", "")], "service_code:"),
            (&[("service_code", "neighbourhood")], "service_code:"),
            (&[("lat", "north")], "lat:"),
            (&[("lat", "95")], "lat:"),
            (&[("long", "")], "long:"),
            (&[("lat", ""), ("long", "")], "lat:"),
            (&[("description", "")], "description:"),
            (&[("email", "not-an-email")], "email:"),
            (&[("service_code", SNOW_ON_SHEDS), ("attribute[where]", "moon")], "attribute[where]:"),
            (&[("attribute[colour]", "red")], "attribute[colour]:"),
        ];
        for (extra, field) in bad {
            expect_error(&send("json", good(extra)).await, StatusCode::BAD_REQUEST, "json", field);
            expect_error(&send("xml", good(extra)).await, StatusCode::BAD_REQUEST, "xml", field);
        }
        expect_error(&send("json", good(&[("attribute[indoor_temperature]", "cold")])).await,
            StatusCode::BAD_REQUEST, "json", "attribute[indoor_temperature]:");
        let long_text = "暖".repeat(2001);
        let mut too_long = good(&[]);
        too_long[2].1 = long_text;
        expect_error(&send("json", too_long).await, StatusCode::BAD_REQUEST, "json", "description:");

        // Not a form.
        let as_json = Answer::of(app.anonymous.post(app.url(&format!("{V2}/requests.json")))
            .json(&json!({"api_key": key, "service_code": HEATING})).send().await.expect("sent")).await;
        expect_error(&as_json, StatusCode::UNSUPPORTED_MEDIA_TYPE, "json", "");

        // Formats: an unknown one is a 404, answered in XML.
        expect_error(&get(app, "services.csv").await, StatusCode::NOT_FOUND, "xml", "");
        expect_error(&get(app, "requests.csv").await, StatusCode::NOT_FOUND, "xml", "");
        expect_error(&send("csv", good(&[])).await, StatusCode::NOT_FOUND, "xml", "");
        expect_error(&get(app, "requests/410102-20261204-999999.json").await, StatusCode::NOT_FOUND, "json", "service_request_id:");
        expect_error(&get(app, "tokens/no-such-token.xml").await, StatusCode::NOT_FOUND, "xml", "token:");

        // Jurisdictions: the city's code is fine, any other is a 404.
        for path in ["services.json", "discovery.json", "requests.json", "servicerequestupdates.json"] {
            let answer = get(app, &format!("{path}?jurisdiction_id={CITY}")).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
            for other in ["999999", "410102"] {
                expect_error(&get(app, &format!("{path}?jurisdiction_id={other}")).await, StatusCode::NOT_FOUND, "json", "jurisdiction_id:");
            }
        }
        expect_error(&get(app, &format!("services/{HEATING}.xml?jurisdiction_id=999999")).await, StatusCode::NOT_FOUND, "xml", "jurisdiction_id:");
        expect_error(&send("json", good(&[("jurisdiction_id", "999999")])).await, StatusCode::NOT_FOUND, "json", "jurisdiction_id:");
        let answer = send("json", good(&[("jurisdiction_id", CITY), ("description", "暖气不热，带城市代码")])).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);

        // Only the two good requests were kept.
        assert_eq!(incidents_of(app, HEATING).await, 2);
    }

    async fn the_same_form_sent_again_is_answered_with_the_first_request(app) {
        let (_, key) = issue_key(app, "重试的App", None).await;
        let (_, other_key) = issue_key(app, "另一个App", None).await;
        let (lat, long) = lat_long(moved(centre_of(GUANLAN_GRID), 10.0, 10.0));
        let form = |key: &str, description: &str| -> Vec<(String, String)> {
            [("api_key", key), ("service_code", SNOW_ON_SHEDS), ("description", description),
             ("lat", lat.as_str()), ("long", long.as_str()), ("attribute[where]", "eaves")]
                .iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
        };
        let send = |format: &'static str, fields: Vec<(String, String)>| async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            post_form(app, format, &borrowed).await
        };
        let count = || async { listed(app, &format!("service_code={SNOW_ON_SHEDS}")).await.len() };

        let first = send("json", form(&key, "屋檐冰凌")).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let reference = text(&first.json()[0]["service_request_id"]);
        let again = send("json", form(&key, "屋檐冰凌")).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        assert_eq!(again.json()[0]["service_request_id"], reference.as_str(), "the first answer");
        // The retry in the other format answers the same request.
        let in_xml = send("xml", form(&key, "屋檐冰凌")).await;
        assert_eq!(in_xml.status, StatusCode::CREATED, "{}", in_xml.body);
        assert_eq!(in_xml.xml().child("request").text_of("service_request_id"), reference);
        assert_eq!(count().await, 1, "one request");
        assert_eq!(incidents_of(app, SNOW_ON_SHEDS).await, 1, "one incident");

        // Other words, or another application, make another request.
        let changed = posted(app, &[("api_key", &key), ("service_code", SNOW_ON_SHEDS), ("description", "屋檐冰凌很长"),
            ("lat", &lat), ("long", &long), ("attribute[where]", "eaves")]).await;
        assert_ne!(changed, reference);
        let elsewhere = send("json", form(&other_key, "屋檐冰凌")).await;
        assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.body);
        assert_ne!(elsewhere.json()[0]["service_request_id"], reference.as_str());
        assert_eq!(count().await, 3);
        assert_eq!(incidents_of(app, SNOW_ON_SHEDS).await, 3);
    }

    async fn conditional_gets_answer_304_until_the_document_changes(app) {
        let first = get(app, "services.json").await;
        assert_eq!(first.status, StatusCode::OK);
        let etag = first.header("etag").expect("an ETag").to_owned();
        assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
        let again = Answer::of(app.anonymous.get(app.url(&format!("{V2}/services.json")))
            .header("if-none-match", &etag).send().await.expect("sent")).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert_eq!(again.body, "", "304 has no body");
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let xml = get(app, "services.xml").await;
        assert_ne!(xml.header("etag"), Some(etag.as_str()), "another representation, another tag");
        let stale = Answer::of(app.anonymous.get(app.url(&format!("{V2}/services.json")))
            .header("if-none-match", "\"not-the-tag\"").send().await.expect("sent")).await;
        assert_eq!(stale.status, StatusCode::OK);
        assert_eq!(stale.body, first.body);

        // A case: 304 while unchanged, 200 with a new tag after a step.
        let (_, key) = issue_key(app, "缓存", None).await;
        let (lat, long) = lat_long(centre_of(GUANLAN_GRID));
        let reference = posted(app, &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热"), ("lat", &lat), ("long", &long)]).await;
        let path = format!("{V2}/requests/{reference}.json");
        let read = Answer::of(app.anonymous.get(app.url(&path)).send().await.expect("sent")).await;
        let tag = read.header("etag").expect("an ETag").to_owned();
        let unchanged = Answer::of(app.anonymous.get(app.url(&path)).header("if-none-match", &tag).send().await.expect("sent")).await;
        assert_eq!((unchanged.status, unchanged.body.as_str()), (StatusCode::NOT_MODIFIED, ""));
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let id = text(&incident_of(app, &reference).await["id"]);
        step(app, &dispatcher, &id, "accept", None).await;
        let changed = Answer::of(app.anonymous.get(app.url(&path)).header("if-none-match", &tag).send().await.expect("sent")).await;
        assert_eq!(changed.status, StatusCode::OK, "the case moved on");
        assert_ne!(changed.header("etag"), Some(tag.as_str()));
        assert_eq!(changed.json()[0]["status_notes"], "已受理，等待派遣。");
    }

    async fn a_key_over_its_quota_is_answered_429_with_retry_after(app) {
        let (_, key) = issue_key(app, "小配额", Some(2)).await;
        let (_, roomy) = issue_key(app, "大配额", None).await;
        let (lat, long) = lat_long(centre_of(GUANLAN_GRID));
        for n in 1..=2 {
            let description = format!("暖气不热 {n}");
            posted(app, &[("api_key", &key), ("service_code", HEATING), ("description", &description), ("lat", &lat), ("long", &long)]).await;
        }
        let third = post_form(app, "json", &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热 3"), ("lat", &lat), ("long", &long)]).await;
        expect_error(&third, StatusCode::TOO_MANY_REQUESTS, "json", "");
        let retry: u64 = third.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("Retry-After in whole seconds: {:?}", third.headers));
        assert!((1..=60).contains(&retry), "{retry}");
        let fourth = post_form(app, "xml", &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热 4"), ("lat", &lat), ("long", &long)]).await;
        expect_error(&fourth, StatusCode::TOO_MANY_REQUESTS, "xml", "");
        assert!(fourth.header("retry-after").is_some());
        // Another key has its own quota; reads take no key and no quota.
        posted(app, &[("api_key", &roomy), ("service_code", HEATING), ("description", "暖气不热 5"), ("lat", &lat), ("long", &long)]).await;
        for _ in 0..5 {
            assert_eq!(get(app, "services.json").await.status, StatusCode::OK);
        }
        assert_eq!(incidents_of(app, HEATING).await, 3, "the refused requests were not kept");
    }

    async fn lists_filter_by_status_service_and_dates_a_page_at_a_time(app) {
        let (_, key) = issue_key(app, "列表", None).await;
        let (lat, long) = lat_long(moved(centre_of(GUANLAN_GRID), -20.0, -20.0));
        let before = Utc::now() - Duration::seconds(2);
        let mut references = Vec::new();
        for description in ["A 车棚积雪", "B 车棚积雪（同一处）", "C 屋檐积雪"] {
            references.push(posted(app, &[("api_key", &key), ("service_code", SNOW_ON_SHEDS), ("description", description), ("lat", &lat), ("long", &long)]).await);
        }
        let heating = posted(app, &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热"), ("lat", &lat), ("long", &long)]).await;
        let (a, b, c) = (references[0].clone(), references[1].clone(), references[2].clone());
        // B is rejected as a duplicate of A.
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let a_id = text(&incident_of(app, &a).await["id"]);
        let b_id = text(&incident_of(app, &b).await["id"]);
        step(app, &dispatcher, &b_id, "reject", Some(json!({"reason": "duplicate", "duplicate_of": a_id}))).await;

        let snow = format!("service_code={SNOW_ON_SHEDS}");
        assert_eq!(listed(app, &snow).await, [c.clone(), b.clone(), a.clone()], "newest first");
        assert_eq!(listed(app, "").await, [heating.clone(), c.clone(), b.clone(), a.clone()]);
        assert_eq!(listed(app, "service_code=public_safety.snow_ice").await, [c.clone(), b.clone(), a.clone()], "a group and what lies below");
        assert_eq!(listed(app, &format!("{snow}&status=closed")).await, [b.as_str()]);
        assert_eq!(listed(app, &format!("{snow}&status=open")).await, [c.clone(), a.clone()]);
        assert_eq!(listed(app, &format!("{snow}&status=open,closed")).await, [c.clone(), b.clone(), a.clone()]);
        let duplicate = request_json(app, &b, "").await;
        assert_eq!((duplicate["status"].clone(), duplicate["status_notes"].clone()), (json!("closed"), json!("与已有案件重复，并入该案件办理。")));
        assert_eq!(request_json(app, &b, "extensions=true").await["status"], "duplicate");
        assert_eq!(request_json(app, &a, "extensions=true").await["status"], "open");
        let closed = get_json(app, &format!("requests.json?{snow}&status=closed&extensions=true")).await;
        assert_eq!(closed[0]["status"], "duplicate", "{closed}");

        // Pages.
        assert_eq!(listed(app, &format!("{snow}&page_size=1")).await, [c.as_str()]);
        assert_eq!(listed(app, &format!("{snow}&page_size=1&page=2")).await, [b.as_str()]);
        assert_eq!(listed(app, &format!("{snow}&page_size=2&page=2")).await, [a.as_str()]);
        assert_eq!(listed(app, &format!("{snow}&page_size=1&page=4")).await, Vec::<String>::new());

        // Ids: the other filters are then ignored.
        let mut by_id = listed(app, &format!("service_request_id={a},{heating}&status=closed&service_code={STREET_VENDING}")).await;
        by_id.sort();
        let mut expected = vec![a.clone(), heating.clone()];
        expected.sort();
        assert_eq!(by_id, expected);

        // Dates, W3C with a zone; a '+' sent unencoded arrives as a space and is still read.
        let since = before.to_rfc3339_opts(SecondsFormat::Secs, true);
        assert_eq!(listed(app, &format!("{snow}&start_date={since}")).await.len(), 3);
        let east8 = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
        let local = before.with_timezone(&east8).to_rfc3339_opts(SecondsFormat::Secs, false);
        assert!(local.ends_with("+08:00"), "{local}");
        assert_eq!(listed(app, &format!("{snow}&start_date={local}")).await.len(), 3, "raw +");
        assert_eq!(listed(app, &format!("{snow}&start_date={}", local.replace('+', "%2B"))).await.len(), 3);
        let earlier = (before - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let just_before = (before - Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
        assert_eq!(listed(app, &format!("{snow}&start_date={earlier}&end_date={just_before}")).await, Vec::<String>::new());
        assert_eq!(listed(app, &format!("{snow}&start_date={}", w3c_in(60))).await, Vec::<String>::new());
        assert_eq!(listed(app, &format!("{snow}&end_date={}", w3c_in(60))).await.len(), 3);

        let reversed = format!("start_date={}&end_date={since}", w3c_in(60));
        let bad = [
            ("start_date=yesterday", "start_date:"),
            ("start_date=2026-12-04T09:10:00", "start_date:"),
            ("end_date=2026-13-40T00:00:00Z", "end_date:"),
            (reversed.as_str(), "start_date:"),
            ("status=pending", "status:"),
            ("page_size=0", "page_size:"),
            ("page_size=1001", "page_size:"),
            ("page=abc", "page:"),
        ];
        for (query, field) in bad {
            expect_error(&get(app, &format!("requests.json?{query}")).await, StatusCode::BAD_REQUEST, "json", field);
            expect_error(&get(app, &format!("requests.xml?{query}")).await, StatusCode::BAD_REQUEST, "xml", field);
        }
        expect_error(&get(app, "servicerequestupdates.json?start_date=yesterday").await, StatusCode::BAD_REQUEST, "json", "start_date:");
        expect_error(&get(app, "servicerequestupdates.xml?end_date=2026-12-04").await, StatusCode::BAD_REQUEST, "xml", "end_date:");

        // The XML list is the JSON list.
        let json_list = get_json(app, &format!("requests.json?{snow}")).await;
        let xml_list = get_xml(app, &format!("requests.xml?{snow}")).await;
        assert_eq!(xml_list.name, "service_requests");
        for request in xml_list.items("request") {
            assert_eq!(request.names(), REQUEST_FIELDS);
        }
        same_document(&xml_list, &json_list, "");
    }

    async fn a_private_category_shows_neither_words_nor_door_until_it_is_made_public(app) {
        let (_, key) = issue_key(app, "邻里App", None).await;
        let centre = centre_of(GUANLAN_GRID);
        let spot = moved(centre, 35.0, -25.0);
        let (lat, long) = lat_long(spot);
        let secrets = ["ouyang.nana@example.com", "13700001111", "欧阳", "娜娜", "工人路19号院3号楼2单元", "楼下的狗每晚叫到两点"];
        let reference = posted(app, &[
            ("api_key", &key), ("service_code", DOG_NOISE), ("description", secrets[5]),
            ("lat", &lat), ("long", &long), ("address_string", secrets[4]),
            ("email", secrets[0]), ("phone", secrets[1]), ("last_name", secrets[2]), ("first_name", secrets[3]),
            ("attribute[when]", "night"), ("attribute[how_long]", "weeks"),
        ]).await;

        let request = request_json(app, &reference, "").await;
        assert_eq!(request["service_code"], DOG_NOISE);
        assert_eq!(request["status"], "open");
        assert_eq!(request["description"], json!(null), "{request}");
        assert_eq!(request["address"], json!(null), "{request}");
        let shown = [request["long"].as_f64().expect("long"), request["lat"].as_f64().expect("lat")];
        assert!(metres_between(shown, spot) > 20.0, "not the reported door: {shown:?} vs {spot:?}");
        assert!(metres_between(shown, centre) < 5.0, "the grid's inner point: {shown:?} vs {centre:?}");
        assert_eq!(grid_at(app, shown[1], shown[0]).await.as_deref(), Some(GUANLAN_GRID));
        let xml = request_xml(app, &reference, "").await;
        assert_eq!((xml.text_of("description"), xml.text_of("address")), ("", ""));
        same_document(&xml, &request, "");

        // The case goes round the loop; what the mediators write stays inside.
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let chief = sign_in(app, "chief.guanlan").await;
        let mediator = new_user(app, "handler.mediation", "handler", None, Some(MEDIATION)).await;
        let id = text(&incident_of(app, &reference).await["id"]);
        step(app, &dispatcher, &id, "accept", None).await;
        step(app, &dispatcher, &id, "dispatch", Some(json!({"party": MEDIATION, "note": "欧阳女士反映，请调解"}))).await;
        step(app, &mediator, &id, "acknowledge", None).await;
        step(app, &mediator, &id, "resolve", Some(json!({"result": "已与狗主人张三调解，夜间关窗"}))).await;
        let request = request_json(app, &reference, "").await;
        assert_eq!(request["status_notes"], "已处置，等待核查。", "no result for a private category: {request}");
        assert_eq!(request["agency_responsible"], MEDIATION_NAME);

        let since = (Utc::now() - Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let paths = [
            format!("requests/{reference}.json"), format!("requests/{reference}.xml"),
            format!("requests.json?service_code={DOG_NOISE}"), format!("requests.xml?service_code={DOG_NOISE}"),
            format!("requests.json?service_request_id={reference}&extensions=true"),
            format!("servicerequestupdates.json?start_date={since}"), format!("servicerequestupdates.xml?start_date={since}"),
        ];
        for path in &paths {
            let body = get(app, path).await.body;
            for secret in secrets.iter().chain(&["张三", "欧阳女士反映"]) {
                assert!(!body.contains(secret), "{path} shows {secret}: {body}");
            }
        }
        let updates = get_json(app, &format!("servicerequestupdates.json?start_date={since}")).await;
        let words: Vec<String> = updates.as_array().expect("an array").iter().map(|u| text(&u["description"])).collect();
        assert_eq!(words, [
            "已受理，等待派遣。".to_owned(), format!("已派遣至{MEDIATION_NAME}。"),
            words[2].clone(), "已处置，等待核查。".to_owned(),
        ]);
        assert!(words[2].contains("已签收"), "{words:?}");

        // Made public: the words, the door and the address, never the contact.
        let (status, body) = json_of(app.client.put(app.url(&format!("/api/v1/categories/{DOG_NOISE}/public-reports")))
            .json(&json!({"public": true})).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let request = request_json(app, &reference, "").await;
        assert_eq!(request["description"], secrets[5]);
        assert_eq!(request["address"], secrets[4]);
        assert_close(request["lat"].as_f64().expect("lat"), spot[1], "lat");
        assert_close(request["long"].as_f64().expect("long"), spot[0], "long");
        assert_eq!(request["status_notes"], "已处置：已与狗主人张三调解，夜间关窗");
        for path in &paths {
            let body = get(app, path).await.body;
            for secret in &secrets[..4] {
                assert!(!body.contains(secret), "{path} shows {secret}: {body}");
            }
        }
        step(app, &chief, &id, "verify", None).await;
        assert_eq!(request_json(app, &reference, "").await["status"], "closed");
    }

    async fn an_address_without_a_place_waits_for_a_dispatcher_behind_a_token(app) {
        let (_, key) = issue_key(app, "只有地址", None).await;
        let fields = [
            ("api_key", key.as_str()), ("service_code", HEATING),
            ("description", "整栋楼暖气不热"), ("address_string", "郑州市中原区工人路19号院"),
            ("email", "zhao.liu@example.com"),
        ];
        let answer = post_form(app, "json", &fields).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let created = answer.json();
        let mut keys: Vec<&String> = created[0].as_object().unwrap_or_else(|| panic!("{created}")).keys().collect();
        keys.sort();
        assert_eq!(keys, ["account_id", "service_notice", "token"], "a token, no id yet: {created}");
        let token = text(&created[0]["token"]);
        assert!(!token.is_empty());
        // A retry gets the same token.
        let again = post_form(app, "json", &fields).await;
        assert_eq!(again.json()[0]["token"], token.as_str());
        // In XML, the token element and no id element.
        let answer = post_form(app, "xml", &[
            ("api_key", key.as_str()), ("service_code", HEATING),
            ("description", "三楼暖气漏水"), ("address_string", "郑州市中原区工人路21号院"),
        ]).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let xml = answer.xml();
        let request = xml.child("request");
        assert_eq!(request.names(), ["token", "service_notice", "account_id"]);
        let other_token = request.text_of("token").to_owned();

        // The token has no request yet.
        assert_eq!(get_json(app, &format!("tokens/{token}.json")).await, json!([{"service_request_id": null, "token": token}]));
        let xml = get_xml(app, &format!("tokens/{token}.xml")).await;
        assert_eq!(xml.name, "service_requests");
        let entry = xml.child("request");
        assert_eq!(entry.names(), ["service_request_id", "token"]);
        assert_eq!((entry.text_of("service_request_id"), entry.text_of("token")), ("", token.as_str()));
        assert_eq!(listed(app, "").await, Vec::<String>::new(), "no case yet");
        assert_eq!(incidents_of(app, HEATING).await, 0);

        // A dispatcher sees it waiting, and places it.
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let waiting = Answer::of(dispatcher.client.get(app.url("/api/v1/open311/waiting")).send().await.expect("sent")).await;
        assert_eq!(waiting.status, StatusCode::OK, "GET /api/v1/open311/waiting: {}", waiting.body);
        assert!(waiting.body.contains(&token) && waiting.body.contains(&other_token), "{}", waiting.body);
        assert!(waiting.body.contains("郑州市中原区工人路19号院"), "the address to place: {}", waiting.body);
        let resident = sign_in(app, "resident.guanlan").await;
        let refused = resident.client.get(app.url("/api/v1/open311/waiting")).send().await.expect("sent");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "residents place nothing");

        let point = moved(centre_of(GUANLAN_GRID), 5.0, 5.0);
        let place = |token: String| {
            let client = dispatcher.client.clone();
            let url = app.url(&format!("/api/v1/open311/waiting/{token}/place"));
            async move {
                Answer::of(client.post(url).json(&json!({"location": {"type": "Point", "coordinates": point}})).send().await.expect("sent")).await
            }
        };
        // Only in a grid of the dispatcher's own area.
        let gongyi = sign_in(app, "dispatcher.gongyi").await;
        let elsewhere = gongyi.client.post(app.url(&format!("/api/v1/open311/waiting/{token}/place")))
            .json(&json!({"location": {"type": "Point", "coordinates": point}})).send().await.expect("sent");
        assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN);
        let placed = place(token.clone()).await;
        assert_eq!(placed.status, StatusCode::CREATED, "placed: {}", placed.body);
        let reference = text(&serde_json::from_str::<Value>(&placed.body).expect("JSON")["reference"]);
        let answer = get_json(app, &format!("tokens/{token}.json")).await;
        assert_eq!(answer, json!([{"service_request_id": reference, "token": token}]));
        assert!(reference.starts_with("410102-"), "{answer}");
        let request = request_json(app, &reference, "").await;
        assert_eq!(request["service_code"], HEATING);
        assert_eq!(request["address"], "郑州市中原区工人路19号院");
        assert_close(request["lat"].as_f64().expect("lat"), point[1], "lat");
        let incident = incident_of(app, &reference).await;
        assert_eq!(incident["source"], "open311", "{incident}");
        assert_eq!(incident["grid"], GUANLAN_GRID);
        // Once only.
        assert_eq!(place(token.clone()).await.status, StatusCode::CONFLICT);

        // The other is dismissed: it never gets an id, and waits no more.
        let dismissed = Answer::of(dispatcher.client.post(app.url(&format!("/api/v1/open311/waiting/{other_token}/dismiss")))
            .json(&json!({"reason": "地址不在本市"})).send().await.expect("sent")).await;
        assert_eq!(dismissed.status, StatusCode::NO_CONTENT, "dismissed: {}", dismissed.body);
        assert_eq!(get_json(app, &format!("tokens/{other_token}.json")).await[0]["service_request_id"], json!(null));
        let waiting = Answer::of(dispatcher.client.get(app.url("/api/v1/open311/waiting")).send().await.expect("sent")).await;
        assert!(!waiting.body.contains(&token) && !waiting.body.contains(&other_token), "{}", waiting.body);
        assert_eq!(place(other_token).await.status, StatusCode::CONFLICT);
        assert_eq!(incidents_of(app, HEATING).await, 1);
    }
}

on_both_backends! {
    async fn expected_datetime_is_the_resolve_deadline_only_while_the_case_is_handled(app) {
        let (_, key) = issue_key(app, "期限", None).await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let handler = sign_in(app, "handler.heating").await;
        let (lat, long) = lat_long(centre_of(GUANLAN_GRID));
        let reference = posted(app, &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热"), ("lat", &lat), ("long", &long)]).await;
        let incident = incident_of(app, &reference).await;
        let id = text(&incident["id"]);
        assert_eq!(incident["status"], "reported");
        assert_eq!(request_json(app, &reference, "").await["expected_datetime"], json!(null),
            "nobody has taken the case on yet: no date is expected");
        step(app, &dispatcher, &id, "accept", None).await;
        step(app, &dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        for taken in [false, true] {
            if taken {
                step(app, &handler, &id, "acknowledge", None).await;
            }
            let due = instant(&incident_of(app, &reference).await["resolve_due"]);
            let expected = instant(&request_json(app, &reference, "").await["expected_datetime"]);
            assert!((due - expected).num_milliseconds().abs() < 1000, "the resolve deadline: {due} vs {expected}");
        }

        // A case rejected (here: a duplicate) is expected never.
        let twin = posted(app, &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热（邻居也报了）"), ("lat", &lat), ("long", &long)]).await;
        let twin_id = text(&incident_of(app, &twin).await["id"]);
        step(app, &dispatcher, &twin_id, "reject", Some(json!({"reason": "duplicate", "duplicate_of": id}))).await;
        let rejected = request_json(app, &twin, "extensions=true").await;
        assert_eq!(rejected["status"], "duplicate");
        assert_eq!(rejected["expected_datetime"], json!(null), "{rejected}");
    }

    async fn the_party_that_takes_a_case_on_is_named_in_the_notes(app) {
        let (_, key) = issue_key(app, "签收", None).await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let handler = sign_in(app, "handler.heating").await;
        let since = w3c_in(-2);
        let (lat, long) = lat_long(centre_of(GUANLAN_GRID));
        let reference = posted(app, &[("api_key", &key), ("service_code", HEATING), ("description", "暖气不热"), ("lat", &lat), ("long", &long)]).await;
        let id = text(&incident_of(app, &reference).await["id"]);
        step(app, &dispatcher, &id, "accept", None).await;
        step(app, &dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        step(app, &handler, &id, "acknowledge", None).await;
        let zh = request_json(app, &reference, "").await;
        let en = request_json(app, &reference, "locale=en").await;
        let updates = get_json(app, &format!("servicerequestupdates.json?start_date={since}&locale=en")).await;
        let last = updates.as_array().and_then(|u| u.last()).cloned().unwrap_or_default();
        assert_eq!(
            (zh["status_notes"].clone(), en["status_notes"].clone(), last["description"].clone()),
            (
                json!(format!("{HEATING_COMPANY}已签收，正在处理。")),
                json!(format!("{HEATING_COMPANY_EN} has taken it on.")),
                json!(format!("{HEATING_COMPANY_EN} has taken it on.")),
            ),
            "the party is known (agency_responsible: {}); the notes name it, and no English sentence starts in lower case",
            zh["agency_responsible"]
        );
    }
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    async fn a_request_is_routed_and_goes_round_the_loop_as_the_public_reads_it(app) {
        let (_, key) = issue_key(app, "12345市民App", None).await;
        let handler = sign_in(app, "handler.heating").await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let chief = sign_in(app, "chief.guanlan").await;
        let since = w3c_in(-2);
        let (lat, long) = lat_long(moved(centre_of(GUANLAN_GRID), 15.0, -10.0));
        let reference = posted(app, &[
            ("api_key", &key), ("service_code", HEATING), ("description", "暖气片冰凉，室温十四度"),
            ("lat", &lat), ("long", &long), ("attribute[indoor_temperature]", "14"),
            ("phone", "13655556666"),
        ]).await;

        // Routed by the demo heating rule, as any report: dispatched at once.
        let incident = incident_of(app, &reference).await;
        assert_eq!((incident["status"].clone(), incident["party"].clone()), (json!("dispatched"), json!("zy-heating")), "{incident}");
        let id = text(&incident["id"]);
        let request = request_json(app, &reference, "").await;
        assert_eq!(request["status"], "open");
        assert_eq!(request["status_notes"], format!("已派遣至{HEATING_COMPANY}。"));
        assert_eq!(request["agency_responsible"], HEATING_COMPANY);
        let due = instant(&incident["resolve_due"]);
        let expected = instant(&request["expected_datetime"]);
        assert!((due - expected).num_milliseconds().abs() < 1000, "the resolve deadline: {due} vs {expected}");
        assert_eq!(request_json(app, &reference, "extensions=true").await["status"], "action_scheduled");
        let english = request_json(app, &reference, "locale=en").await;
        assert_eq!(english["status_notes"], format!("Dispatched to {HEATING_COMPANY_EN}."));
        assert_eq!(english["agency_responsible"], HEATING_COMPANY_EN);
        assert_eq!(english["service_name"], "Heating not working");

        step(app, &handler, &id, "acknowledge", None).await;
        let request = request_json(app, &reference, "extensions=true").await;
        assert_eq!(request["status"], "in_progress");
        assert!(text(&request["status_notes"]).contains("已签收"), "{request}");
        // A comment stays inside, and so does the assisting committee's work
        // (the rule called it; the case is resolved once it has reported).
        step(app, &dispatcher, &id, "comment", Some(json!({"text": "内部意见：该户曾多次投诉"}))).await;
        let committee = new_user(app, "handler.committee", "handler", None, Some(COMMITTEE)).await;
        step(app, &committee, &id, &format!("assists/{COMMITTEE}/acknowledge"), Some(json!({"note": "网格员已上门"}))).await;
        step(app, &committee, &id, &format!("assists/{COMMITTEE}/report"), Some(json!({"result": "已通知楼内住户"}))).await;
        assert!(text(&request_json(app, &reference, "").await["status_notes"]).contains("已签收"));
        step(app, &handler, &id, "resolve", Some(json!({"result": "更换了堵塞的阀门，室温二十度"}))).await;
        let request = request_json(app, &reference, "").await;
        assert_eq!((request["status"].clone(), request["status_notes"].clone()), (json!("open"), json!("已处置：更换了堵塞的阀门，室温二十度")));
        step(app, &chief, &id, "verify", Some(json!({"note": "上门核查，暖气已热"}))).await;

        // Closed: fixed, verified, by the heating company.
        let xml = request_xml(app, &reference, "").await;
        assert_eq!(xml.text_of("status"), "closed");
        assert_eq!(xml.text_of("status_notes"), "经核查已结案。");
        assert_eq!(xml.text_of("agency_responsible"), HEATING_COMPANY);
        assert_eq!(xml.text_of("service_code"), HEATING);
        let extended = request_xml(app, &reference, "extensions=true").await;
        assert_eq!(extended.text_of("status"), "fixed");
        let english = request_json(app, &reference, "locale=en").await;
        assert_eq!(english["status_notes"], "Verified and closed.");
        assert_eq!(listed(app, "status=closed").await, [reference.as_str()]);
        assert_eq!(listed(app, "status=open").await, Vec::<String>::new());

        // The public steps, oldest first; no comment, no verifier's note.
        let until = w3c_in(60);
        let answer = get(app, &format!("servicerequestupdates.json?start_date={since}&end_date={until}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        for inside in ["内部意见", "上门核查", "网格员已上门", "已通知楼内住户", "13655556666"] {
            assert!(!answer.body.contains(inside), "{inside}: {}", answer.body);
        }
        let updates = answer.json();
        let updates = updates.as_array().unwrap_or_else(|| panic!("an array: {updates}")).clone();
        for update in &updates {
            assert_eq!(update["service_request_id"], reference.as_str(), "{update}");
            let mut keys: Vec<&String> = update.as_object().expect("an object").keys().collect();
            keys.sort();
            let mut expected = UPDATE_FIELDS.to_vec();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{update}");
            assert_w3c(&update["updated_datetime"]);
        }
        let steps: Vec<(String, String)> = updates.iter().map(|u| (text(&u["status"]), text(&u["description"]))).collect();
        assert_eq!(steps.len(), 4, "{steps:?}");
        assert_eq!(steps[0], ("action_scheduled".to_owned(), format!("已派遣至{HEATING_COMPANY}。")));
        assert_eq!(steps[1].0, "in_progress");
        assert!(steps[1].1.contains("已签收"), "{steps:?}");
        assert_eq!(steps[2], ("in_progress".to_owned(), "已处置：更换了堵塞的阀门，室温二十度".to_owned()));
        assert_eq!(steps[3], ("fixed".to_owned(), "经核查已结案。".to_owned()));
        let times: Vec<DateTime<Utc>> = updates.iter().map(|u| instant(&u["updated_datetime"])).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
        let mut ids: Vec<String> = updates.iter().map(|u| text(&u["update_id"])).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4, "one id per update");
        let xml = get_xml(app, &format!("servicerequestupdates.xml?start_date={since}&end_date={until}")).await;
        assert_eq!(xml.name, "service_request_updates");
        for update in xml.items("request_update") {
            assert_eq!(update.names(), UPDATE_FIELDS, "the order of mySociety's extension");
        }
        same_document(&xml, &json!(updates), "");
        // A range that ended before the case has nothing.
        let (earlier, just_before) = (w3c_in(-3600), w3c_in(-1800));
        assert_eq!(get_json(app, &format!("servicerequestupdates.json?start_date={earlier}&end_date={just_before}")).await, json!([]));
    }

    async fn a_dog_noise_request_is_checked_on_site_first_like_a_residents_report(app) {
        let (_, key) = issue_key(app, "邻里App", None).await;
        let resident = sign_in(app, "resident.guanlan").await;
        let by_hand = report_in(app, &resident, GUANLAN_GRID, DOG_NOISE, "楼下的狗每晚叫").await;
        let resident_view = seen(app, &resident, &by_hand).await;
        assert_eq!(resident_view["status"], "reported");
        assert!(decisions_of(app, &by_hand).await.is_empty(), "a resident's report waits for its check");

        let (lat, long) = lat_long(centre_of(GUANLAN_GRID));
        let reference = posted(app, &[("api_key", &key), ("service_code", DOG_NOISE), ("description", "楼上的狗在阳台叫"), ("lat", &lat), ("long", &long)]).await;
        let incident = incident_of(app, &reference).await;
        let id = text(&incident["id"]);
        assert_eq!(incident["source"], "open311");
        let decisions = decisions_of(app, &id).await;
        assert_eq!(
            (incident["status"].clone(), incident["party"].clone(), decisions.len()),
            (json!("reported"), json!(null), 0),
            "a resident's report by other means waits for the grid worker's on-site check too: {incident} {decisions:?}"
        );
        assert_eq!(request_json(app, &reference, "extensions=true").await["status"], "open");
    }
}
