//! Photos of incidents: evidence kept from the EXIF, served without it;
//! what is not a photo refused; after-photos named by a resolve.
//!
//! Every image is built here, byte by byte, like the samples of
//! `infra/src/photos/inspect.rs`.

use std::io::Cursor;

use exif::{Field, In, Rational, Tag, Value as ExifValue};
use gridops_tests::{
    TestApp, expect_problem, json, json_of, multipart, on_both_backends, problem_fields,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    GONGYI_GRID, GUANLAN_GRID, HEATING, SNOW_ON_SHEDS, User, cast, centre_of, fetch, header, moved,
    report_in, seen, step, text,
};

/// What a camera writes and must not leak: its maker's name is this.
const SECRET: &[u8] = b"SECRET";

/// When the test camera says its photos were taken (EXIF, no zone).
pub(crate) const TAKEN_AT_EXIF: &str = "2026:03:14 09:26:53";
/// The camera wrote local time without an offset: China Standard Time.
pub(crate) const TAKEN_AT: &str = "2026-03-14T01:26:53Z";

fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(
        &u16::try_from(contents.len() + 2)
            .expect("a short segment")
            .to_be_bytes(),
    );
    out.extend_from_slice(contents);
    out
}

/// A valid 8×8 grey baseline JPEG with `extra` segments after its JFIF
/// header: one quantisation table (all `variant + 1`, so that each variant
/// is another photo), a frame header, one-code Huffman tables and a scan
/// whose only MCU is DC 0 + end-of-block, then EOI.
pub(crate) fn jpeg(variant: u8, extra: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    for s in extra {
        out.extend_from_slice(s);
    }
    out.extend(segment(
        0xDB,
        &[[0u8].as_slice(), &[variant.saturating_add(1); 64]].concat(),
    ));
    out.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
    let one_code = |class: u8| {
        let mut table = vec![class, 1];
        table.extend([0u8; 15]);
        table.push(0);
        table
    };
    out.extend(segment(0xC4, &one_code(0x00)));
    out.extend(segment(0xC4, &one_code(0x10)));
    out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    out.extend([0x3F, 0xFF, 0xD9]);
    out
}

fn field(tag: Tag, value: ExifValue) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value,
    }
}

fn ascii(s: &str) -> ExifValue {
    ExifValue::Ascii(vec![s.as_bytes().to_vec()])
}

/// Unsigned decimal degrees as degrees, minutes and seconds.
fn dms(v: f64) -> ExifValue {
    let v = v.abs();
    let (deg, min) = (v.trunc(), ((v - v.trunc()) * 60.0).trunc());
    let sec = ((v - deg) * 60.0 - min) * 60.0;
    let whole = |x: f64| Rational {
        num: x as u32,
        denom: 1,
    };
    ExifValue::Rational(vec![
        whole(deg),
        whole(min),
        Rational {
            num: (sec * 1e6).round() as u32,
            denom: 1_000_000,
        },
    ])
}

/// A phone photo taken at `at` (`[lng, lat]`): EXIF with the maker, the
/// time taken and the GPS position, and a comment, all to be removed.
pub(crate) fn phone_jpeg(variant: u8, at: [f64; 2]) -> Vec<u8> {
    let fields = [
        field(Tag::Make, ascii("SECRET phone")),
        field(Tag::DateTimeOriginal, ascii(TAKEN_AT_EXIF)),
        field(Tag::GPSLatitudeRef, ascii("N")),
        field(Tag::GPSLatitude, dms(at[1])),
        field(Tag::GPSLongitudeRef, ascii("E")),
        field(Tag::GPSLongitude, dms(at[0])),
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).expect("EXIF written");
    let app1 = [b"Exif\0\0".as_slice(), tiff.get_ref()].concat();
    jpeg(
        variant,
        &[segment(0xE1, &app1), segment(0xFE, b"SECRET comment")],
    )
}

/// `POST /api/v1/incidents/{id}/photos?kind={kind}` with `bytes` as the `photo` part.
pub(crate) async fn upload(
    app: &TestApp,
    who: &User,
    id: &str,
    kind: &str,
    bytes: &[u8],
) -> reqwest::Response {
    upload_part(app, who, id, kind, "photo", bytes).await
}

async fn upload_part(
    app: &TestApp,
    who: &User,
    id: &str,
    kind: &str,
    part: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let (content_type, body) = multipart(part, "IMG_0001.jpg", "image/jpeg", bytes);
    who.client
        .post(app.url(&format!("/api/v1/incidents/{id}/photos?kind={kind}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload sent")
}

/// Uploads expecting 201; the photo as answered.
pub(crate) async fn uploaded(
    app: &TestApp,
    who: &User,
    id: &str,
    kind: &str,
    bytes: &[u8],
) -> Value {
    let (status, photo) = json_of(upload(app, who, id, kind, bytes).await).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{} uploads to {id}: {photo}",
        who.name
    );
    photo
}

/// `GET` a photo's url: status, content type and bytes.
pub(crate) async fn download(
    app: &TestApp,
    who: &User,
    url: &str,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let response = who
        .client
        .get(app.url(url))
        .send()
        .await
        .expect("download sent");
    let content_type = header(&response, "content-type");
    (
        response.status(),
        content_type,
        response.bytes().await.expect("the bytes").to_vec(),
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The EXIF tags left in `bytes`, if any.
fn exif_tags(bytes: &[u8]) -> Vec<Tag> {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .map(|exif| exif.fields().map(|f| f.tag).collect())
        .unwrap_or_default()
}

on_both_backends! {
    async fn a_photo_keeps_its_evidence_and_is_served_without_it(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚顶积雪").await;
        let spot = moved(centre_of(GUANLAN_GRID), 12.0, 8.0);
        let original = phone_jpeg(0, spot);
        assert!(exif_tags(&original).contains(&Tag::GPSLatitude), "the sample carries GPS");

        let response = upload(app, &c.worker, &id, "before", &original).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let (_, photo) = json_of(response).await;
        let key = text(&photo["key"]);
        assert_eq!(key.len(), 64, "{photo}");
        assert!(key.chars().all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()), "{key}");
        assert_eq!(photo["kind"], "before");
        assert_eq!(photo["media_type"], "image/jpeg");
        assert_eq!(photo["uploaded_by"], c.worker.id.as_str());
        assert_eq!(photo["url"], format!("/api/v1/incidents/{id}/photos/{key}"));
        assert_eq!(photo["taken_at"], TAKEN_AT);
        let location = &photo["taken_location"];
        assert_eq!(location["type"], "Point");
        for (i, expected) in spot.into_iter().enumerate() {
            let got = location["coordinates"][i].as_f64().expect("a coordinate");
            assert!((got - expected).abs() < 1e-6, "coordinate {i}: {got} vs {expected}");
        }
        let size = photo["size_bytes"].as_u64().expect("size_bytes");
        assert!(size < original.len() as u64, "metadata removed: {size} of {}", original.len());

        // The incident lists it, for everyone who sees the incident.
        for who in [&c.worker, &c.chief, &c.dispatcher] {
            assert_eq!(seen(app, who, &id).await["photos"], json!([photo.clone()]), "{}", who.name);
        }

        // The bytes served carry no metadata.
        let url = text(&photo["url"]);
        let response = c.dispatcher.client.get(app.url(&url)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "etag"), Some(format!("\"{key}\"")));
        assert_eq!(header(&response, "x-content-type-options").as_deref(), Some("nosniff"));
        let (status, content_type, served) = download(app, &c.dispatcher, &url).await;
        assert_eq!((status, content_type.as_deref()), (StatusCode::OK, Some("image/jpeg")));
        assert_eq!(served.len() as u64, size);
        assert!(served.starts_with(&[0xFF, 0xD8]) && served.ends_with(&[0xFF, 0xD9]), "still a JPEG");
        assert!(!contains(&served, SECRET), "no maker, no comment");
        assert_eq!(exif_tags(&served), Vec::<Tag>::new(), "no EXIF at all");
        assert_eq!(served, jpeg(0, &[]), "exactly the picture, byte for byte");

        // The same photo again is not a second photo.
        let (status, again) = json_of(upload(app, &c.chief, &id, "before", &original).await).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["key"], key.as_str());
        assert_eq!(seen(app, &c.worker, &id).await["photos"].as_array().expect("photos").len(), 1);

        // A photo without EXIF has no evidence to keep.
        let plain = uploaded(app, &c.worker, &id, "after", &jpeg(1, &[])).await;
        assert_eq!(plain["kind"], "after");
        assert_eq!(plain["taken_at"], Value::Null);
        assert_eq!(plain["taken_location"], Value::Null);
        assert_eq!(seen(app, &c.worker, &id).await["photos"].as_array().expect("photos").len(), 2);

        // Those who do not see the incident do not see its photos.
        for who in [&c.gongyi, &c.resident, &c.handler] {
            let (status, _, _) = download(app, who, &url).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{} downloads", who.name);
            expect_problem(upload(app, who, &id, "before", &jpeg(2, &[])).await, StatusCode::NOT_FOUND, "not_found").await;
        }
        let (status, _, _) = download(app, &c.dispatcher, &format!("/api/v1/incidents/{id}/photos/{}", "0".repeat(64))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no such photo");
        let other = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "另一个车棚").await;
        let (status, _, _) = download(app, &c.dispatcher, &format!("/api/v1/incidents/{other}/photos/{key}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a photo only under its own incident");
        let (status, _, _) = download(app, &c.worker, &url.replace(&id, &uuid::Uuid::now_v7().to_string())).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no such incident");
    }

    async fn what_is_not_a_photo_is_refused(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚顶积雪").await;

        let text_file = upload(app, &c.worker, &id, "before", "这不是照片，是一段文字。\n".as_bytes()).await;
        expect_problem(text_file, StatusCode::UNSUPPORTED_MEDIA_TYPE, "photo_unsupported_type").await;

        let mut huge = jpeg(0, &[]);
        huge.resize(10 * 1024 * 1024 + 1, 0);
        expect_problem(upload(app, &c.worker, &id, "before", &huge).await, StatusCode::PAYLOAD_TOO_LARGE, "photo_too_large").await;

        let whole = jpeg(0, &[]);
        let truncated = &whole[..whole.len() - 3];
        expect_problem(upload(app, &c.worker, &id, "before", truncated).await, StatusCode::UNPROCESSABLE_ENTITY, "photo_corrupt").await;

        expect_problem(upload(app, &c.worker, &id, "before", &[]).await, StatusCode::UNPROCESSABLE_ENTITY, "photo_empty").await;

        let unnamed = upload_part(app, &c.worker, &id, "before", "file", &whole).await;
        let problem = expect_problem(unnamed, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["photo"]);
        assert_eq!(seen(app, &c.worker, &id).await["photos"], json!([]), "nothing refused was kept");

        // Nine photos, and no tenth.
        for variant in 1..=9 {
            uploaded(app, &c.worker, &id, "before", &jpeg(variant, &[])).await;
        }
        let tenth = upload(app, &c.worker, &id, "after", &jpeg(10, &[])).await;
        let problem = expect_problem(tenth, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["photo"]);
        assert_eq!(seen(app, &c.worker, &id).await["photos"].as_array().expect("photos").len(), 9);
    }

    async fn a_handler_resolves_with_an_after_photo(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        step(app, &c.dispatcher, &id, "accept", None).await;
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        step(app, &c.handler, &id, "acknowledge", None).await;
        let after = uploaded(app, &c.handler, &id, "after", &phone_jpeg(3, centre_of(GUANLAN_GRID))).await;
        let key = text(&after["key"]);
        assert_eq!(after["kind"], "after");
        assert_eq!(after["uploaded_by"], c.handler.id.as_str());

        // Only this incident's photos may be named.
        let elsewhere = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚积雪").await;
        let foreign = uploaded(app, &c.worker, &elsewhere, "before", &jpeg(4, &[])).await;
        for wrong in ["0".repeat(64), text(&foreign["key"])] {
            let refused = c.handler.client.post(app.url(&format!("/api/v1/incidents/{id}/resolve")))
                .json(&json!({"result": "阀门已换", "photos": [wrong]})).send().await.expect("sent");
            let problem = expect_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), ["photos"]);
        }
        assert_eq!(seen(app, &c.handler, &id).await["status"], "in_progress");

        let resolved = step(app, &c.handler, &id, "resolve", Some(json!({"result": "阀门已换", "photos": [key]}))).await;
        assert_eq!(resolved["status"], "resolved");
        let view = seen(app, &c.resident, &id).await;
        let last = view["timeline"].as_array().and_then(|t| t.last()).expect("a last event");
        assert_eq!(last["action"], "resolve");
        assert_eq!(last["attachments"], json!([key]));
        assert_eq!(view["photos"], json!([after]));
        // The reporter sees the result.
        let (status, content_type, _) = download(app, &c.resident, &text(&after["url"])).await;
        assert_eq!((status, content_type.as_deref()), (StatusCode::OK, Some("image/jpeg")));
    }

    async fn a_closed_or_rejected_incident_takes_no_more_photos(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚顶积雪").await;
        let before = uploaded(app, &c.worker, &id, "before", &jpeg(0, &[])).await;
        step(app, &c.worker, &id, "resolve_on_spot", Some(json!({"result": "已清扫"}))).await;
        step(app, &c.chief, &id, "verify", None).await;
        let late = upload(app, &c.worker, &id, "after", &jpeg(1, &[])).await;
        expect_problem(late, StatusCode::CONFLICT, "incident_closed").await;
        // What it had stays readable.
        let (status, _, _) = download(app, &c.chief, &text(&before["url"])).await;
        assert_eq!(status, StatusCode::OK);

        let rejected = report_in(app, &c.resident, GONGYI_GRID, HEATING, "巩义的暖气").await;
        let gongyi = &c.gongyi;
        step(app, gongyi, &rejected, "reject", Some(json!({"reason": "invalid"}))).await;
        let late = upload(app, &c.resident, &rejected, "before", &jpeg(2, &[])).await;
        expect_problem(late, StatusCode::CONFLICT, "incident_closed").await;
        let (status, view, _) = fetch(app, &c.resident, &rejected).await;
        assert_eq!((status, view["photos"].clone()), (StatusCode::OK, json!([])));
    }
}
