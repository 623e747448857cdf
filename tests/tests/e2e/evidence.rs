//! The evidence of a closure (虚假结案 is the way to game closure rates):
//! each resolve and verify is judged on the photos the case has then —
//! an after-photo taken after the dispatch, near the incident, and a
//! before/after pair — and staff read the latest judgement on the incident.
//!
//! Photos carry EXIF written here (a time and a place of our choosing); the
//! camera's local time is China Standard Time, as `inspect` reads it.

use std::io::Cursor;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use exif::{Field, In, Rational, Tag, Value as ExifValue};
use gridops_domain::evidence::Radius;
use gridops_infra::repo::evidence;
use gridops_tests::{TestApp, json, on_both_backends};
use serde_json::Value;

use crate::incident_photos::{jpeg, uploaded};
use crate::incidents::{
    GUANLAN_GRID, HEATING, SNOW_ON_SHEDS, User, cast, centre_of, epoch_micros, moved, report,
    report_in, report_of, seen, step, text,
};

fn app1(tiff: &[u8]) -> Vec<u8> {
    let contents = [b"Exif\0\0".as_slice(), tiff].concat();
    let len = u16::try_from(contents.len() + 2).expect("a short segment");
    [[0xFF, 0xE1].as_slice(), &len.to_be_bytes(), &contents].concat()
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

fn dms(v: f64) -> ExifValue {
    let v = v.abs();
    let deg = v.trunc();
    let min = ((v - deg) * 60.0).trunc();
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

/// A phone photo (JPEG `variant`) whose EXIF says it was taken `taken`
/// (written in Beijing time, as phones there do) at `at` (`[lng, lat]`);
/// either may be left out.
fn photo(variant: u8, taken: Option<DateTime<Utc>>, at: Option<[f64; 2]>) -> Vec<u8> {
    let mut fields = Vec::new();
    if let Some(taken) = taken {
        let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
        let local = taken.with_timezone(&beijing).format("%Y:%m:%d %H:%M:%S");
        fields.push(field(Tag::DateTimeOriginal, ascii(&local.to_string())));
    }
    if let Some([lng, lat]) = at {
        fields.extend([
            field(Tag::GPSLatitudeRef, ascii("N")),
            field(Tag::GPSLatitude, dms(lat)),
            field(Tag::GPSLongitudeRef, ascii("E")),
            field(Tag::GPSLongitude, dms(lng)),
        ]);
    }
    if fields.is_empty() {
        return jpeg(variant, &[]);
    }
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).expect("EXIF written");
    jpeg(variant, &[app1(tiff.get_ref())])
}

/// When the incident's latest `action` event happened.
fn time_of(view: &Value, action: &str) -> DateTime<Utc> {
    let event = view["timeline"]
        .as_array()
        .and_then(|t| t.iter().rev().find(|e| e["action"] == action))
        .unwrap_or_else(|| panic!("a {action} in {view}"));
    DateTime::from_timestamp_micros(epoch_micros(&event["at"])).expect("a time")
}

/// A heating fault reported by the resident, dispatched to zy-heating and
/// acknowledged by its handler: (id, when it was dispatched).
async fn acknowledged_case(app: &TestApp, c: &crate::incidents::Cast) -> (String, DateTime<Utc>) {
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    step(app, &c.dispatcher, &id, "accept", None).await;
    step(
        app,
        &c.dispatcher,
        &id,
        "dispatch",
        Some(json!({"party": "zy-heating"})),
    )
    .await;
    step(app, &c.handler, &id, "acknowledge", None).await;
    let dispatched = time_of(&seen(app, &c.dispatcher, &id).await, "dispatch");
    (id, dispatched)
}

/// The handler resolves naming `photos`.
async fn resolve(app: &TestApp, who: &User, id: &str, photos: &[&Value]) {
    let keys: Vec<String> = photos.iter().map(|p| text(&p["key"])).collect();
    step(
        app,
        who,
        id,
        "resolve",
        Some(json!({"result": "阀门已换", "photos": keys})),
    )
    .await;
}

/// What `GET /incidents/{id}` shows `who` of the evidence.
async fn evidence_seen(app: &TestApp, who: &User, id: &str) -> Value {
    seen(app, who, id).await["evidence"].clone()
}

/// `closure_complete` as the KPIs read it.
async fn closure_complete(app: &TestApp, id: &str) -> Option<bool> {
    let (db, id) = (app.open_db(), id.to_owned());
    db.run(move |conn| evidence::closure_complete(conn, &id))
        .await
        .expect("read")
}

fn holds(check: &Value) -> bool {
    check["holds"]
        .as_bool()
        .unwrap_or_else(|| panic!("a check: {check}"))
}

fn reason(check: &Value) -> String {
    check["reason"].as_str().unwrap_or_default().to_owned()
}

on_both_backends! {
    async fn a_fresh_after_photo_on_the_spot_with_a_before_photo_is_complete(app) {
        let c = cast(app).await;
        let (id, dispatched) = acknowledged_case(app, &c).await;
        assert_eq!(closure_complete(app, &id).await, None, "nothing judged yet");
        assert_eq!(evidence_seen(app, &c.dispatcher, &id).await, Value::Null);

        let spot = centre_of(GUANLAN_GRID);
        uploaded(app, &c.handler, &id, "before", &photo(1, Some(dispatched), Some(spot))).await;
        let after = uploaded(app, &c.handler, &id, "after",
            &photo(2, Some(dispatched + Duration::minutes(40)), Some(moved(spot, 30.0, -20.0)))).await;
        resolve(app, &c.handler, &id, &[&after]).await;

        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!(judged["action"], "resolve", "{judged}");
        assert_eq!(judged["complete"], true, "{judged}");
        for check in ["taken_after", "taken_near", "before_and_after"] {
            assert_eq!(judged[check], json!({"holds": true, "reason": null}), "{check}");
        }
        assert_eq!(judged["radius_m"], 200.0);
        assert_eq!(closure_complete(app, &id).await, Some(true));

        // The verify is judged again, on the photos it finds.
        let closed = step(app, &c.dispatcher, &id, "verify", None).await;
        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!((judged["action"].clone(), judged["seq"].clone()), (json!("verify"), closed["version"].clone()));
        assert_eq!(judged["complete"], true);
        assert_eq!(closure_complete(app, &id).await, Some(true));

        // Staff read it; the resident who reported does not.
        for who in [&c.handler, &c.chief, &c.admin] {
            assert_eq!(evidence_seen(app, who, &id).await["complete"], true, "{}", who.name);
        }
        let for_resident = seen(app, &c.resident, &id).await;
        assert!(for_resident.get("evidence").is_none(), "{for_resident}");
    }

    async fn an_after_photo_taken_two_km_away_is_not_evidence(app) {
        let c = cast(app).await;
        let (id, dispatched) = acknowledged_case(app, &c).await;
        let spot = centre_of(GUANLAN_GRID);
        uploaded(app, &c.handler, &id, "before", &photo(1, Some(dispatched), Some(spot))).await;
        let far = uploaded(app, &c.handler, &id, "after",
            &photo(2, Some(dispatched + Duration::minutes(40)), Some(moved(spot, 0.0, 2000.0)))).await;
        resolve(app, &c.handler, &id, &[&far]).await;

        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!(judged["complete"], false, "{judged}");
        assert!(holds(&judged["taken_after"]) && holds(&judged["before_and_after"]), "{judged}");
        assert!(!holds(&judged["taken_near"]));
        let why = reason(&judged["taken_near"]);
        let metres: f64 = why
            .strip_prefix("taken ")
            .and_then(|rest| rest.strip_suffix(" m from the incident (at most 200 m)"))
            .and_then(|m| m.parse().ok())
            .unwrap_or_else(|| panic!("a distance: {why}"));
        assert!((metres - 2000.0).abs() < 20.0, "{why}");
        assert_eq!(closure_complete(app, &id).await, Some(false));
    }

    async fn a_resolve_without_photos_is_not_complete_and_says_why(app) {
        let c = cast(app).await;
        let (id, _) = acknowledged_case(app, &c).await;
        resolve(app, &c.handler, &id, &[]).await;
        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!(judged["complete"], false, "{judged}");
        assert_eq!(reason(&judged["taken_after"]), "no after photo");
        assert_eq!(reason(&judged["taken_near"]), "no after photo");
        assert_eq!(reason(&judged["before_and_after"]), "no before and no after photo");
        assert_eq!(closure_complete(app, &id).await, Some(false));
    }

    async fn missing_exif_and_an_old_photo_fail_with_their_reasons(app) {
        let c = cast(app).await;
        let (id, dispatched) = acknowledged_case(app, &c).await;
        let spot = centre_of(GUANLAN_GRID);
        uploaded(app, &c.handler, &id, "before", &photo(1, None, None)).await;
        // Taken on the spot, but the day before the case was dispatched.
        let old = uploaded(app, &c.handler, &id, "after", &photo(2, Some(dispatched - Duration::days(1)), Some(spot))).await;
        let bare = uploaded(app, &c.handler, &id, "after", &photo(3, None, None)).await;
        resolve(app, &c.handler, &id, &[&old, &bare]).await;
        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!(judged["complete"], false, "{judged}");
        let why = reason(&judged["taken_after"]);
        assert!(why.starts_with("taken ") && why.contains(", before the dispatch at "), "{why}");
        assert!(holds(&judged["taken_near"]) && holds(&judged["before_and_after"]), "{judged}");

        let plain = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气漏水").await;
        step(app, &c.dispatcher, &plain, "accept", None).await;
        step(app, &c.dispatcher, &plain, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        step(app, &c.handler, &plain, "acknowledge", None).await;
        uploaded(app, &c.handler, &plain, "before", &photo(4, None, None)).await;
        let no_exif = uploaded(app, &c.handler, &plain, "after", &photo(5, None, None)).await;
        resolve(app, &c.handler, &plain, &[&no_exif]).await;
        let judged = evidence_seen(app, &c.dispatcher, &plain).await;
        assert_eq!(reason(&judged["taken_after"]), "no EXIF time");
        assert_eq!(reason(&judged["taken_near"]), "no EXIF position");
        assert_eq!(judged["complete"], false);
    }

    // The pair counts whenever it is complete: an after-photo alone does
    // not make a complete resolve, and the before-photo added later makes
    // a complete verify.
    async fn a_before_and_after_pair_counts(app) {
        let c = cast(app).await;
        let (id, dispatched) = acknowledged_case(app, &c).await;
        let spot = centre_of(GUANLAN_GRID);
        let after = uploaded(app, &c.handler, &id, "after", &photo(2, Some(dispatched + Duration::minutes(5)), Some(spot))).await;
        resolve(app, &c.handler, &id, &[&after]).await;
        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!(reason(&judged["before_and_after"]), "no before photo", "{judged}");
        assert_eq!(judged["complete"], false);

        uploaded(app, &c.dispatcher, &id, "before", &photo(1, Some(dispatched), Some(spot))).await;
        step(app, &c.dispatcher, &id, "verify", None).await;
        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!((judged["action"].clone(), judged["complete"].clone()), (json!("verify"), json!(true)), "{judged}");
        assert_eq!(closure_complete(app, &id).await, Some(true));
    }

    // A finding handled on the spot is resolved in the request that reports
    // it, before its photos can follow: that resolve has no evidence, and
    // the chief's verify, once the photos are in, does.
    async fn a_finding_handled_on_the_spot_is_judged_at_its_verify(app) {
        let c = cast(app).await;
        let spot = centre_of(GUANLAN_GRID);
        let mut body = report_of(SNOW_ON_SHEDS, spot, "车棚顶积雪");
        body["handled_on_spot"] = json!({"result": "已清扫"});
        let view = report(app, &c.worker, &body).await;
        let id = text(&view["id"]);
        let judged = evidence_seen(app, &c.chief, &id).await;
        assert_eq!(judged["action"], "resolve_on_spot", "{judged}");
        assert_eq!(reason(&judged["before_and_after"]), "no before and no after photo");

        let reported = time_of(&seen(app, &c.chief, &id).await, "report");
        uploaded(app, &c.worker, &id, "before", &photo(1, Some(reported), Some(spot))).await;
        uploaded(app, &c.worker, &id, "after", &photo(2, Some(reported + Duration::minutes(10)), Some(moved(spot, 5.0, 5.0)))).await;
        step(app, &c.chief, &id, "verify", None).await;
        let judged = evidence_seen(app, &c.chief, &id).await;
        assert_eq!((judged["action"].clone(), judged["complete"].clone()), (json!("verify"), json!(true)), "{judged}");
    }

    // On the spot of a worker's own untouched report: never dispatched, so
    // the after-photo must come after the report.
    async fn a_resolve_on_the_spot_is_judged_against_the_report(app) {
        let c = cast(app).await;
        let spot = centre_of(GUANLAN_GRID);
        let id = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚顶积雪").await;
        let reported = time_of(&seen(app, &c.worker, &id).await, "report");
        uploaded(app, &c.worker, &id, "before", &photo(1, Some(reported), Some(spot))).await;
        let early = uploaded(app, &c.worker, &id, "after", &photo(2, Some(reported - Duration::hours(2)), Some(spot))).await;
        step(app, &c.worker, &id, "resolve_on_spot", Some(json!({"result": "已清扫", "photos": [text(&early["key"])]}))).await;
        let judged = evidence_seen(app, &c.chief, &id).await;
        assert_eq!(judged["action"], "resolve_on_spot");
        let why = reason(&judged["taken_after"]);
        assert!(why.contains(", before the report at "), "{why}");
        assert_eq!(judged["complete"], false);
    }
}

on_both_backends! {
    settings => |s| s.evidence_radius = Radius::new(5000.0).expect("a radius");

    async fn the_radius_is_a_setting(app) {
        let c = cast(app).await;
        let (id, dispatched) = acknowledged_case(app, &c).await;
        let spot = centre_of(GUANLAN_GRID);
        uploaded(app, &c.handler, &id, "before", &photo(1, Some(dispatched), Some(spot))).await;
        let far = uploaded(app, &c.handler, &id, "after",
            &photo(2, Some(dispatched + Duration::minutes(40)), Some(moved(spot, 0.0, 2000.0)))).await;
        resolve(app, &c.handler, &id, &[&far]).await;
        let judged = evidence_seen(app, &c.dispatcher, &id).await;
        assert_eq!((judged["complete"].clone(), judged["radius_m"].clone()), (json!(true), json!(5000.0)), "{judged}");
    }
}
