//! Patrols: a worker walks their grid with one bar of signal; the track
//! arrives late, out of order and twice, and is kept once; coverage shows
//! which lanes nobody walked; tracks are personal data.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use gridops_infra::repo::audit;
use gridops_tests::{TestApp, expect_problem, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::incident_photos::{jpeg, uploaded};
use crate::incidents::{
    GONGYI_GRID, GUANLAN_GRID, User, cast, centre_of, moved, report, report_of, send_report, step,
    text,
};

/// Starts a patrol of `grids` as `who`, started `ago` before now; the answer.
pub(crate) async fn start_patrol(
    app: &TestApp,
    who: &User,
    grids: &[&str],
    ago: Duration,
) -> (StatusCode, Value) {
    json_of(
        who.client
            .post(app.url("/api/v1/patrols"))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&json!({"grids": grids, "started_at": Utc::now() - ago}))
            .send()
            .await
            .expect("start sent"),
    )
    .await
}

pub(crate) async fn started(app: &TestApp, who: &User, grid: &str, ago: Duration) -> String {
    let (status, patrol) = start_patrol(app, who, &[grid], ago).await;
    assert_eq!(status, StatusCode::CREATED, "{}: {patrol}", who.name);
    assert_eq!(patrol["status"], "running");
    text(&patrol["id"])
}

pub(crate) async fn send_track(
    app: &TestApp,
    who: &User,
    patrol: &str,
    points: &[Value],
) -> reqwest::Response {
    who.client
        .post(app.url(&format!("/api/v1/patrols/{patrol}/track")))
        .json(&json!({ "points": points }))
        .send()
        .await
        .expect("track sent")
}

pub(crate) async fn upload(app: &TestApp, who: &User, patrol: &str, points: &[Value]) -> Value {
    let (status, receipt) = json_of(send_track(app, who, patrol, points).await).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    receipt
}

/// A fix `at`, at `[lng, lat]`, 8 m accurate.
pub(crate) fn fix(id: &str, at: DateTime<Utc>, place: [f64; 2]) -> Value {
    json!({"id": id, "at": at, "lng": place[0], "lat": place[1], "accuracy_m": 8.0, "source": "gps"})
}

/// A walk north through the middle of the grid and back, one fix every
/// 30 s at about 1.2 m/s, starting `start`: `(id, fix)` in time order.
fn walk(grid: &str, start: DateTime<Utc>, fixes: usize, prefix: &str) -> Vec<Value> {
    let centre = centre_of(grid);
    (0..fixes)
        .map(|i| {
            // Up 120 m and back down, 36 m per fix.
            let leg = (i as f64 * 36.0) % 480.0;
            let north = if leg <= 240.0 {
                leg - 120.0
            } else {
                360.0 - leg
            };
            fix(
                &format!("{prefix}-{i:03}"),
                start + Duration::seconds(30 * i as i64),
                moved(centre, 0.0, north),
            )
        })
        .collect()
}

async fn get(app: &TestApp, who: &User, path: &str) -> (StatusCode, Value) {
    json_of(
        who.client
            .get(app.url(path))
            .send()
            .await
            .expect("GET sent"),
    )
    .await
}

/// The local (UTC+8) dates of yesterday and today, for coverage periods
/// that do not depend on when the test runs.
fn local_days() -> (String, String) {
    let local = Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8"));
    let today = local.date_naive();
    ((today - Duration::days(1)).to_string(), today.to_string())
}

async fn coverage(app: &TestApp, who: &User, grid: &str) -> Value {
    let (from, to) = local_days();
    let (status, view) = get(
        app,
        who,
        &format!("/api/v1/grids/{grid}/coverage?from={from}&to={to}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

on_both_backends! {
    // The seed's dead zone: a worker walks for 100 minutes, 40 of them out
    // of signal. The phone sends what it had, the worker ends the patrol,
    // and the points of the dead zone arrive after the end, newest first,
    // and then again. Every point is stored once and counted once.
    async fn a_dead_zone_uploads_late_out_of_order_and_twice(app) {
        let c = cast(app).await;
        let begun = Utc::now() - Duration::minutes(110);
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(110)).await;
        let all = walk(GUANLAN_GRID, begun + Duration::minutes(1), 200, "p");
        // 0–40 min in signal; 40–80 min a dead zone; 80–100 min in signal.
        let (before, rest) = all.split_at(80);
        let (dead_zone, after) = rest.split_at(80);
        let first = upload(app, &c.worker, &patrol, before).await;
        assert_eq!((first["new"].as_u64(), first["duplicate"].as_u64(), first["refused"].as_u64()), (Some(80), Some(0), Some(0)), "{first}");
        let second = upload(app, &c.worker, &patrol, after).await;
        assert_eq!(second["new"], 40, "{second}");
        let walked_before = coverage(app, &c.chief, GUANLAN_GRID).await;

        let (status, ended) = json_of(c.worker.client.post(app.url(&format!("/api/v1/patrols/{patrol}/end"))).send().await.expect("end sent")).await;
        assert_eq!(status, StatusCode::OK, "{ended}");
        assert_eq!(ended["status"], "ended");

        // Back in signal: the dead zone, newest first, then the whole
        // dead zone again (the phone never heard the first answer).
        let mut late: Vec<Value> = dead_zone.to_vec();
        late.reverse();
        let third = upload(app, &c.worker, &patrol, &late).await;
        assert_eq!((third["new"].as_u64(), third["duplicate"].as_u64()), (Some(80), Some(0)), "{third}");
        let fourth = upload(app, &c.worker, &patrol, &late).await;
        assert_eq!((fourth["new"].as_u64(), fourth["duplicate"].as_u64()), (Some(0), Some(80)), "{fourth}");
        // A batch mixing old and new points counts each for what it is.
        let mixed = vec![before[3].clone(), after[5].clone()];
        let fifth = upload(app, &c.worker, &patrol, &mixed).await;
        assert_eq!(fifth["duplicate"], 2, "{fifth}");

        let (status, view) = get(app, &c.worker, &format!("/api/v1/patrols/{patrol}")).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["points"], 200, "each point once: {view}");
        let grid = &view["coverage"][0];
        assert_eq!(grid["grid"], GUANLAN_GRID);
        let share = grid["coverage"].as_f64().expect("a share");
        assert!(share > 0.0 && share < 1.0, "a walk up one lane covers part of the grid: {grid}");
        // The walk goes up and down the same lane: the late points cover
        // nothing the early ones did not, and a resend counts nothing twice.
        let walked_after = coverage(app, &c.chief, GUANLAN_GRID).await;
        assert_eq!(walked_after["covered"], walked_before["covered"], "{walked_before} → {walked_after}");
        assert_eq!(walked_after["covered"], grid["covered"], "{walked_after} vs the patrol's {grid}");
        let uncovered = walked_after["uncovered"]["coordinates"].as_array().expect("cells").len() as u64;
        assert_eq!(Some(uncovered), walked_after["cells"].as_u64().zip(walked_after["covered"].as_u64()).map(|(c, v)| c - v));

        // The track is one line: the dead zone is filled by the late points.
        let (status, track) = get(app, &c.worker, &format!("/api/v1/patrols/{patrol}/track?tolerance_m=0")).await;
        assert_eq!(status, StatusCode::OK, "{track}");
        assert_eq!(track["type"], "Feature");
        assert_eq!(track["geometry"]["type"], "MultiLineString");
        assert_eq!(track["properties"]["points"], 200);
        assert_eq!(track["geometry"]["coordinates"].as_array().map(Vec::len), Some(1), "{track}");
    }

    // Without the late points, the dead zone is a gap between two lines,
    // not a straight walk across it.
    async fn a_dead_zone_never_filled_splits_the_track(app) {
        let c = cast(app).await;
        let begun = Utc::now() - Duration::minutes(110);
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(110)).await;
        let all = walk(GUANLAN_GRID, begun + Duration::minutes(1), 200, "q");
        upload(app, &c.worker, &patrol, &all[..80]).await;
        upload(app, &c.worker, &patrol, &all[160..]).await;
        let (_, track) = get(app, &c.chief, &format!("/api/v1/patrols/{patrol}/track")).await;
        assert_eq!(track["geometry"]["coordinates"].as_array().map(Vec::len), Some(2), "{track}");
        // Simplified: a straight lane needs few vertices.
        let vertices: usize = track["geometry"]["coordinates"].as_array().expect("lines").iter().map(|l| l.as_array().map_or(0, Vec::len)).sum();
        assert!(vertices < 120, "{vertices} vertices for 120 points");
    }

    async fn bad_points_are_refused_one_by_one_and_bad_batches_whole(app) {
        let c = cast(app).await;
        let begun = Utc::now() - Duration::minutes(30);
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(30)).await;
        let here = centre_of(GUANLAN_GRID);
        let at = begun + Duration::minutes(5);
        let far = moved(here, 5_000.0, 0.0);
        let points = vec![
            fix("ok-1", at, here),
            // 5 km in 10 s.
            fix("teleport", at + Duration::seconds(10), far),
            // Before the patrol started.
            fix("early", begun - Duration::hours(2), here),
            json!({"id": "blurry", "at": at + Duration::seconds(40), "lng": here[0], "lat": here[1], "accuracy_m": 900.0}),
            fix("ok-2", at + Duration::seconds(60), moved(here, 0.0, 40.0)),
        ];
        let receipt = upload(app, &c.worker, &patrol, &points).await;
        assert_eq!((receipt["new"].as_u64(), receipt["refused"].as_u64()), (Some(2), Some(3)), "{receipt}");
        let mut reasons: Vec<(String, String)> = receipt["refusals"].as_array().expect("refusals").iter().map(|r| (text(&r["id"]), text(&r["reason"]))).collect();
        reasons.sort();
        assert_eq!(reasons, vec![
            ("blurry".to_owned(), "inaccurate".to_owned()),
            ("early".to_owned(), "outside_patrol_time".to_owned()),
            ("teleport".to_owned(), "impossible_speed".to_owned()),
        ]);

        // A point dated at the edge of the calendar is a refusal, not a crash.
        let ancient = vec![fix("ancient", DateTime::<Utc>::MIN_UTC, here)];
        let receipt = upload(app, &c.worker, &patrol, &ancient).await;
        assert_eq!(receipt["refusals"][0]["reason"], "outside_patrol_time", "{receipt}");

        // Whole batches refused, naming the field; nothing of them stored.
        let future = vec![fix("f-1", Utc::now(), here), fix("f-2", Utc::now() + Duration::hours(1), here)];
        let problem = expect_problem(send_track(app, &c.worker, &patrol, &future).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec!["points[1].at"], "{problem}");
        let off_planet = vec![json!({"id": "x", "at": at, "lng": here[0], "lat": 91.0, "accuracy_m": 5.0})];
        let problem = expect_problem(send_track(app, &c.worker, &patrol, &off_planet).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(problem_fields(&problem).iter().any(|f| f.starts_with("points[0].lat")), "{problem}");
        let too_many: Vec<Value> = (0..1001).map(|i| fix(&format!("m-{i}"), at, here)).collect();
        let problem = expect_problem(send_track(app, &c.worker, &patrol, &too_many).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec!["points"], "{problem}");
        let (_, view) = get(app, &c.worker, &format!("/api/v1/patrols/{patrol}")).await;
        assert_eq!(view["points"], 2, "only the two good points: {view}");

        // Another's patrol: the chief of the grid sees it but may not
        // write to it; a dispatcher elsewhere does not know it exists.
        let problem = expect_problem(send_track(app, &c.chief, &patrol, &points[..1]).await, StatusCode::FORBIDDEN, "forbidden").await;
        assert!(problem["detail"].is_string());
        expect_problem(send_track(app, &c.gongyi, &patrol, &points[..1]).await, StatusCode::NOT_FOUND, "not_found").await;

        // One running patrol per walker.
        let (status, second) = start_patrol(app, &c.worker, &[GUANLAN_GRID], Duration::zero()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{second}");
        assert_eq!((second["code"].as_str(), second["running_patrol"].as_str()), (Some("patrol_running"), Some(patrol.as_str())));
        // Not in a grid the worker does not hold, nor in an unknown one.
        let (status, other) = start_patrol(app, &c.chief, &[GONGYI_GRID], Duration::zero()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
        let (status, unknown) = start_patrol(app, &c.chief, &[GUANLAN_GRID, "410102003001999"], Duration::zero()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{unknown}");
        assert_eq!(problem_fields(&unknown), vec!["grids[1]"]);

        // Ending twice.
        let end = |who: &User| who.client.post(app.url(&format!("/api/v1/patrols/{patrol}/end"))).send();
        let (status, _) = json_of(end(&c.chief).await.expect("sent")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only the walker ends it");
        let (status, _) = json_of(end(&c.worker).await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK);
        expect_problem(end(&c.worker).await.expect("sent"), StatusCode::CONFLICT, "patrol_ended").await;
        // Points of the patrol's time still arrive after its end; points
        // taken after it are refused.
        let late = vec![fix("late-ok", at + Duration::minutes(3), moved(here, 0.0, 60.0)), fix("after-end", Utc::now() + Duration::minutes(3), here)];
        let receipt = upload(app, &c.worker, &patrol, &late).await;
        assert_eq!((receipt["new"].as_u64(), receipt["refusals"][0]["reason"].as_str()), (Some(1), Some("outside_patrol_time")), "{receipt}");
        // Now a new patrol may start.
        let (status, _) = start_patrol(app, &c.worker, &[GUANLAN_GRID], Duration::zero()).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    // A phone starting up: its first fix is 3 km off, then it settles and
    // the worker walks. The spike is refused, not the walk after it.
    async fn a_cold_start_spike_costs_one_point_not_the_walk(app) {
        let c = cast(app).await;
        let begun = Utc::now() - Duration::minutes(30);
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(30)).await;
        let at = begun + Duration::minutes(1);
        let mut points = vec![fix("cold-start", at, moved(centre_of(GUANLAN_GRID), 3_000.0, 0.0))];
        points.extend(walk(GUANLAN_GRID, at + Duration::seconds(30), 20, "w"));
        let receipt = upload(app, &c.worker, &patrol, &points).await;
        assert_eq!((receipt["new"].as_u64(), receipt["refused"].as_u64()), (Some(20), Some(1)), "{receipt}");
        assert_eq!((receipt["refusals"][0]["id"].as_str(), receipt["refusals"][0]["reason"].as_str()), (Some("cold-start"), Some("impossible_speed")), "{receipt}");
        let (_, view) = get(app, &c.worker, &format!("/api/v1/patrols/{patrol}")).await;
        assert_eq!(view["points"], 20, "{view}");
    }

    // A phone that started a patrol offline resends the start: the same
    // patrol, once.
    async fn an_offline_start_resent_is_one_patrol(app) {
        let c = cast(app).await;
        let id = uuid::Uuid::now_v7().to_string();
        let body = json!({"grids": [GUANLAN_GRID], "id": id, "started_at": Utc::now() - Duration::minutes(20),
            "planned_route": {"type": "LineString", "coordinates": [centre_of(GUANLAN_GRID), moved(centre_of(GUANLAN_GRID), 0.0, 100.0)]}});
        let send = |key: String| c.worker.client.post(app.url("/api/v1/patrols")).header("Idempotency-Key", key).json(&body).send();
        let (status, first) = json_of(send("k1".into()).await.expect("sent")).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["id"], id.as_str());
        assert_eq!(first["planned_route"]["type"], "LineString");
        // Same key: the first answer again. Another key (the app was
        // reinstalled): the same patrol, not a second one.
        let (status, again) = json_of(send("k1".into()).await.expect("sent")).await;
        assert_eq!((status, &again["id"]), (StatusCode::CREATED, &first["id"]));
        let (status, resent) = json_of(send("k2".into()).await.expect("sent")).await;
        assert_eq!((status, &resent["id"]), (StatusCode::OK, &first["id"]));
        let (_, page) = get(app, &c.worker, "/api/v1/patrols?status=running").await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
        // A phone back in signal finds its running patrol in its feed.
        let (_, feed) = get(app, &c.worker, "/api/v1/me/feed").await;
        assert_eq!((feed["patrol"]["id"].as_str(), feed["patrol"]["points"].as_i64()), (Some(id.as_str()), Some(0)), "{feed}");
        let (_, feed) = get(app, &c.chief, "/api/v1/me/feed").await;
        assert!(feed["patrol"].is_null(), "{feed}");
        // Someone else's client id is not theirs to take.
        let (status, taken) = json_of(c.chief.client.post(app.url("/api/v1/patrols")).header("Idempotency-Key", "k3").json(&body).send().await.expect("sent")).await;
        assert_eq!((status, taken["code"].as_str()), (StatusCode::CONFLICT, Some("taken")), "{taken}");

        // The walker ended it out of signal ten minutes after the start; the
        // phone says so when it syncs. Not before the start, not tomorrow.
        let started_at: DateTime<Utc> = first["started_at"].as_str().expect("a time").parse().expect("RFC 3339");
        let end = |ended_at: DateTime<Utc>| c.worker.client.post(app.url(&format!("/api/v1/patrols/{id}/end"))).json(&json!({"ended_at": ended_at})).send();
        for wrong in [started_at - Duration::minutes(1), Utc::now() + Duration::hours(1)] {
            let problem = expect_problem(end(wrong).await.expect("sent"), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), vec!["ended_at"], "{problem}");
        }
        let (status, ended) = json_of(end(started_at + Duration::minutes(10)).await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{ended}");
        let ended_at: DateTime<Utc> = ended["ended_at"].as_str().expect("a time").parse().expect("RFC 3339");
        assert_eq!(ended_at, started_at + Duration::minutes(10));
        // What the phone recorded after the walk ended is not part of it.
        let receipt = upload(app, &c.worker, &id, &[fix("in", started_at + Duration::minutes(5), centre_of(GUANLAN_GRID)), fix("after", started_at + Duration::minutes(15), centre_of(GUANLAN_GRID))]).await;
        assert_eq!((receipt["new"].as_u64(), receipt["refusals"][0]["reason"].as_str()), (Some(1), Some("outside_patrol_time")), "{receipt}");
    }

    // Tracks are personal data: the walker, the grid's chief and the
    // dispatchers over it read them, and every read by another is logged.
    async fn a_track_is_read_by_few_and_every_read_is_logged(app) {
        let c = cast(app).await;
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(10)).await;
        upload(app, &c.worker, &patrol, &walk(GUANLAN_GRID, Utc::now() - Duration::minutes(9), 10, "r")).await;
        for who in [&c.worker, &c.chief, &c.dispatcher] {
            let (status, track) = get(app, who, &format!("/api/v1/patrols/{patrol}/track")).await;
            assert_eq!(status, StatusCode::OK, "{}: {track}", who.name);
        }
        for who in [&c.gongyi, &c.admin, &c.resident, &c.handler] {
            let (status, _) = get(app, who, &format!("/api/v1/patrols/{patrol}/track")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}", who.name);
            let (status, _) = get(app, who, &format!("/api/v1/patrols/{patrol}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}", who.name);
        }
        let (status, _) = get(app, &c.chief, &format!("/api/v1/patrols/{patrol}")).await;
        assert_eq!(status, StatusCode::OK);
        let db = app.open_db();
        let walker = c.worker.id.clone();
        let reads = tokio::task::spawn_blocking(move || db.read_blocking(|conn| audit::personal_data_reads(conn, &walker)))
            .await
            .expect("read")
            .expect("reads");
        let mut readers: Vec<(String, String)> = reads.into_iter().map(|(reader, field, _)| (reader, field)).collect();
        readers.sort();
        let mut expected = vec![
            (c.chief.id.clone(), "track".to_owned()),
            (c.dispatcher.id.clone(), "track".to_owned()),
            (c.chief.id.clone(), "patrol".to_owned()),
        ];
        expected.sort();
        assert_eq!(readers, expected, "the walker's own reads and refused reads are not logged");

        // Lists: the walker's own; the chief's grid; nothing for others.
        for (who, count) in [(&c.worker, 1), (&c.chief, 1), (&c.dispatcher, 1), (&c.gongyi, 0)] {
            let (status, page) = get(app, who, &format!("/api/v1/patrols?area={GUANLAN_GRID}")).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(page["items"].as_array().map(Vec::len), Some(count), "{}: {page}", who.name);
        }
        let (status, _) = get(app, &c.resident, "/api/v1/patrols").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, problem) = get(app, &c.chief, "/api/v1/patrols?from=0001-01-01T00:00:00Z").await;
        assert_eq!((status, problem_fields(&problem)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["from".to_owned()]), "{problem}");
    }
}

on_both_backends! {
    settings => |s| {
        s.patrols.retention = chrono::Duration::zero();
        s.patrols.purge_interval = std::time::Duration::from_millis(200);
    };
    // After the retention period the raw points go; the count and the
    // coverage stay.
    async fn old_tracks_are_deleted_and_coverage_stays(app) {
        let c = cast(app).await;
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(20)).await;
        upload(app, &c.worker, &patrol, &walk(GUANLAN_GRID, Utc::now() - Duration::minutes(19), 20, "t")).await;
        let before = coverage(app, &c.chief, GUANLAN_GRID).await;
        assert!(before["covered"].as_u64() > Some(0), "{before}");
        // A JSON `null` is no body, as the document's `EndPatrol | null` says.
        let (status, _) = json_of(c.worker.client.post(app.url(&format!("/api/v1/patrols/{patrol}/end")))
            .header("content-type", "application/json").body("null").send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK);
        let mut view = Value::Null;
        for _ in 0..50 {
            (_, view) = get(app, &c.worker, &format!("/api/v1/patrols/{patrol}")).await;
            if view["track_deleted"] == true {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(view["track_deleted"], true, "{view}");
        assert_eq!(view["points"], 20, "the count stays: {view}");
        let (_, track) = get(app, &c.worker, &format!("/api/v1/patrols/{patrol}/track")).await;
        assert_eq!(track["properties"]["points"], 0, "{track}");
        let after = coverage(app, &c.chief, GUANLAN_GRID).await;
        assert_eq!(after["covered"], before["covered"]);
    }
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    // Seed 004: on a cold night the patrol of 观澜 finds a man asleep on a
    // bench. The worker reports him on the patrol: the rules give him to
    // the community committee, with the rescue station called to help. On
    // the same walk, e-bikes charged from a wire out of a window: handled at
    // once, photographed before and after, in one report; the chief
    // verifies it. The patrol lists both.
    async fn a_night_patrol_reports_what_it_finds(app) {
        let c = cast(app).await;
        let begun = Utc::now() - Duration::minutes(40);
        let patrol = started(app, &c.worker, GUANLAN_GRID, Duration::minutes(40)).await;
        upload(app, &c.worker, &patrol, &walk(GUANLAN_GRID, begun + Duration::minutes(1), 60, "n")).await;

        let bench = moved(centre_of(GUANLAN_GRID), 10.0, 30.0);
        let mut body = report_of("social_aid.homeless", bench, "路口长椅上有一名男子躺着过夜，衣着单薄");
        body["patrol_id"] = json!(patrol);
        let man = report(app, &c.worker, &body).await;
        assert_eq!(man["patrol_id"], patrol.as_str(), "{man}");
        assert_eq!(man["status"], "dispatched", "{man}");
        assert_eq!(man["party"], "zy-guanlan-committee", "{man}");
        let helpers: Vec<String> = man["assists"].as_array().expect("assists").iter().map(|a| text(&a["party"])).collect();
        assert_eq!(helpers, ["zy-rescue-station"], "{man}");

        let wire = moved(centre_of(GUANLAN_GRID), -15.0, -20.0);
        let mut body = report_of("public_safety.flying_wire_charging", wire, "3号楼二楼窗口垂下电线给电动车充电");
        body["patrol_id"] = json!(patrol);
        body["handled_on_spot"] = json!({"result": "住户已收回电线，电动车推到充电棚"});
        let bikes = report(app, &c.worker, &body).await;
        let bikes_id = text(&bikes["id"]);
        assert_eq!((bikes["status"].as_str(), bikes["patrol_id"].as_str()), (Some("resolved"), Some(patrol.as_str())), "{bikes}");
        uploaded(app, &c.worker, &bikes_id, "before", &jpeg(1, &[])).await;
        uploaded(app, &c.worker, &bikes_id, "after", &jpeg(2, &[])).await;
        let closed = step(app, &c.chief, &bikes_id, "verify", None).await;
        assert_eq!(closed["status"], "closed");

        let (_, view) = get(app, &c.chief, &format!("/api/v1/patrols/{patrol}")).await;
        let mut found: Vec<(String, String)> = view["findings"].as_array().expect("findings").iter()
            .map(|f| (text(&f["category"]), text(&f["status"]))).collect();
        found.sort();
        assert_eq!(found, [
            ("public_safety.flying_wire_charging".to_owned(), "closed".to_owned()),
            ("social_aid.homeless".to_owned(), "dispatched".to_owned()),
        ], "{view}");
        let (_, read_back) = get(app, &c.dispatcher, &format!("/api/v1/incidents/{}", text(&man["id"]))).await;
        assert_eq!(read_back["patrol_id"], patrol.as_str());

        // Findings belong to their walker's patrol only.
        let mut theirs = report_of("social_aid.homeless", bench, "另一名男子");
        theirs["patrol_id"] = json!(patrol);
        let response = send_report(app, &c.chief, Some("chief-1"), &theirs).await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["patrol_id"]);
    }
}
