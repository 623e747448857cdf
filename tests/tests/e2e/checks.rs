//! Answering a grid's checklist (未诉先办): after the snow the Guanlan grid
//! worker goes through the blizzard checklist — sheds cleared on the spot
//! with a photo, eaves fine, a broken branch raised as a case the rules
//! route — and the task is done. Answers are never changed: the same
//! again is a retry, another a conflict; of two at once only one makes an
//! incident. The campaigns are written straight into the database, as the
//! campaign API would start them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;
use gridops_infra::repo::now;
use gridops_infra::schema::{campaigns, check_tasks, checklist_templates, users};
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incident_photos::{TAKEN_AT, phone_jpeg};
use crate::incidents::{
    Cast, GONGYI_GRID, GUANLAN_GRID, GUANLAN_GRID_1, SNOW_ON_SHEDS, User, cast, centre_of,
    new_user, seen, text,
};

const BROKEN_BRANCHES: &str = "public_safety.snow_ice.broken_branches";

/// The items of the test checklist: sheds need a photo of the fix.
fn items() -> Value {
    json!([
        {"id": "sheds", "text_zh": "车棚顶积雪", "text_en": "Snow on bike-shed roofs",
         "category": SNOW_ON_SHEDS, "photo_required": true},
        {"id": "eaves", "text_zh": "屋檐积雪冰挂", "text_en": "Snow and icicles on eaves",
         "category": SNOW_ON_SHEDS, "photo_required": false},
        {"id": "branches", "text_zh": "树枝被雪压断", "text_en": "Branches broken by snow",
         "category": BROKEN_BRANCHES, "photo_required": false},
    ])
}

/// A running campaign of the test checklist over `grids`, due in a day, as
/// the campaign API stores one: its id and the task of each grid.
pub(crate) async fn campaign_over(app: &TestApp, grids: &[&str]) -> (String, Vec<String>) {
    let db = app.open_db();
    let grids: Vec<String> = grids.iter().map(|g| (*g).to_owned()).collect();
    db.write(move |conn| {
        let at = now();
        let template = format!("test-{}", uuid::Uuid::now_v7());
        let campaign = uuid::Uuid::now_v7().to_string();
        let items = items().to_string();
        let admin: String = users::table
            .filter(users::username.eq("admin"))
            .select(users::id)
            .first(conn)?;
        diesel::insert_into(checklist_templates::table)
            .values((
                checklist_templates::id.eq(&template),
                checklist_templates::name_zh.eq("暴雪隐患排查"),
                checklist_templates::name_en.eq("Blizzard hazard check"),
                checklist_templates::items.eq(&items),
                checklist_templates::created_at.eq(at),
                checklist_templates::updated_at.eq(at),
            ))
            .execute(conn)?;
        diesel::insert_into(campaigns::table)
            .values((
                campaigns::id.eq(&campaign),
                campaigns::template_id.eq(&template),
                campaigns::name_zh.eq("暴雪隐患排查"),
                campaigns::name_en.eq("Blizzard hazard check"),
                campaigns::items.eq(&items),
                campaigns::area_code.eq(&grids[0][..12]),
                campaigns::due_at.eq(at + chrono::Duration::days(1)),
                campaigns::status.eq("running"),
                campaigns::created_by.eq(&admin),
                campaigns::created_at.eq(at),
            ))
            .execute(conn)?;
        let mut tasks = Vec::new();
        for grid in &grids {
            let task = uuid::Uuid::now_v7().to_string();
            diesel::insert_into(check_tasks::table)
                .values((
                    check_tasks::id.eq(&task),
                    check_tasks::campaign_id.eq(&campaign),
                    check_tasks::grid_code.eq(grid),
                ))
                .execute(conn)?;
            tasks.push(task);
        }
        Ok((campaign, tasks))
    })
    .await
    .expect("campaign stored")
}

/// The campaign cancelled, as a dispatcher would.
async fn cancel(app: &TestApp, campaign: &str) {
    let db = app.open_db();
    let campaign = campaign.to_owned();
    db.write(move |conn| {
        diesel::update(campaigns::table.find(&campaign))
            .set((
                campaigns::status.eq("cancelled"),
                campaigns::cancelled_at.eq(Some(now())),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await
    .expect("campaign cancelled");
}

/// `POST /api/v1/checks/{task}/items/{item}` as `who`.
async fn send_answer(
    app: &TestApp,
    who: &User,
    task: &str,
    item: &str,
    body: &Value,
) -> reqwest::Response {
    who.client
        .post(app.url(&format!("/api/v1/checks/{task}/items/{item}")))
        .json(body)
        .send()
        .await
        .expect("answer sent")
}

/// Answers expecting `status`; the answer as replied.
async fn answer(
    app: &TestApp,
    who: &User,
    task: &str,
    item: &str,
    body: &Value,
    status: StatusCode,
) -> Value {
    let (actual, reply) = json_of(send_answer(app, who, task, item, body).await).await;
    assert_eq!(actual, status, "{} answers {item}: {reply}", who.name);
    reply
}

async fn read_check(app: &TestApp, who: &User, task: &str) -> (StatusCode, Value) {
    json_of(
        who.client
            .get(app.url(&format!("/api/v1/checks/{task}")))
            .send()
            .await
            .expect("check read"),
    )
    .await
}

async fn my_checks(app: &TestApp, who: &User) -> Vec<String> {
    let (status, page) = json_of(
        who.client
            .get(app.url("/api/v1/me/checks"))
            .send()
            .await
            .expect("my checks read"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| text(&t["id"]))
        .collect()
}

fn point(at: [f64; 2]) -> Value {
    json!({"type": "Point", "coordinates": at})
}

fn fixed_with_photo(photo: &[u8]) -> Value {
    json!({"answer": "fixed", "result": "已清扫车棚顶积雪", "photo": STANDARD.encode(photo)})
}

fn raise_branch() -> Value {
    json!({"answer": "raise", "description": "5号楼前树枝被雪压断，悬在人行道上方",
           "location": point(centre_of(GUANLAN_GRID))})
}

/// How many incidents `who` sees in the Guanlan grid.
async fn incidents_in_grid(app: &TestApp, who: &User) -> usize {
    let (status, page) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/incidents?area={GUANLAN_GRID}&limit=100")))
            .send()
            .await
            .expect("incidents listed"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().expect("items").len()
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    // The Guanlan worker's blizzard checklist, item by item.
    async fn a_worker_goes_through_the_checklist(app) {
        let Cast { worker, chief, dispatcher, gongyi, .. } = cast(app).await;
        let (_, tasks) = campaign_over(app, &[GUANLAN_GRID, GUANLAN_GRID_1]).await;
        let task = &tasks[0];
        assert_eq!(my_checks(app, &worker).await, [task.as_str()]);
        assert_eq!(my_checks(app, &chief).await, [task.as_str()]);

        // Eaves: fine.
        let ok = answer(app, &worker, task, "eaves", &json!({"answer": "ok"}),
            StatusCode::CREATED).await;
        assert_eq!(ok["answer"], "ok");
        assert_eq!(ok["task"], task.as_str());
        assert_eq!(ok["item"], "eaves");
        assert_eq!(ok["answered_by"], worker.id.as_str());
        assert!(ok["incident"].is_null(), "{ok}");
        assert_eq!(ok["task_state"], "in_progress");

        // Sheds: cleared on the spot, with the after photo the item needs.
        let photo = phone_jpeg(7, centre_of(GUANLAN_GRID));
        let fixed = answer(app, &worker, task, "sheds", &fixed_with_photo(&photo),
            StatusCode::CREATED).await;
        assert_eq!(fixed["answer"], "fixed");
        assert_eq!(fixed["result"], "已清扫车棚顶积雪");
        assert_eq!(fixed["incident"]["status"], "resolved", "{fixed}");
        let fixed_id = text(&fixed["incident"]["id"]);
        let incident = seen(app, &worker, &fixed_id).await;
        assert_eq!(incident["status"], "resolved");
        assert_eq!(incident["category"], SNOW_ON_SHEDS);
        assert_eq!(incident["grid"], GUANLAN_GRID);
        assert_eq!(incident["reference"], fixed["incident"]["reference"]);
        assert!(text(&incident["description"]).contains("暴雪隐患排查"), "{incident}");
        let photos = incident["photos"].as_array().expect("photos");
        assert_eq!(photos.len(), 1, "{incident}");
        assert_eq!(photos[0]["kind"], "after");
        assert_eq!(photos[0]["taken_at"], TAKEN_AT, "EXIF kept as evidence");

        // The same fix again (the phone lost the answer): the first reply.
        let again = answer(app, &worker, task, "sheds", &fixed_with_photo(&photo),
            StatusCode::OK).await;
        assert_eq!(again["incident"]["id"], fixed_id.as_str());
        assert_eq!(again["answered_at"], fixed["answered_at"]);
        // Another answer to it: refused, naming the stored one.
        let changed = expect_problem(
            send_answer(app, &worker, task, "sheds", &json!({"answer": "ok"})).await,
            StatusCode::CONFLICT, "conflict").await;
        assert_eq!(changed["answer"]["answer"], "fixed", "{changed}");

        // Branches: one hangs over the path; raised, the rules route it.
        let before = incidents_in_grid(app, &dispatcher).await;
        let raised = answer(app, &worker, task, "branches", &raise_branch(),
            StatusCode::CREATED).await;
        assert_eq!(raised["answer"], "raised");
        let raised_id = text(&raised["incident"]["id"]);
        let routed = seen(app, &dispatcher, &raised_id).await;
        assert_eq!(routed["category"], BROKEN_BRANCHES);
        assert_ne!(routed["status"], "resolved");
        let (status, routing) = json_of(dispatcher.client
            .get(app.url(&format!("/api/v1/incidents/{raised_id}/routing?lang=en")))
            .send().await.expect("routing read")).await;
        assert_eq!(status, StatusCode::OK, "{routing}");
        assert!(routing.to_string().contains("demo-snow"), "routed by the snow rule: {routing}");
        assert_eq!(raised["task_state"], "done", "every item answered: {raised}");
        let again = answer(app, &worker, task, "branches", &raise_branch(), StatusCode::OK).await;
        assert_eq!(again["incident"]["id"], raised_id.as_str());
        assert_eq!(incidents_in_grid(app, &dispatcher).await, before + 1, "no second incident");

        // The checklist as the phone and the dispatcher see it.
        let (status, check) = read_check(app, &worker, task).await;
        assert_eq!(status, StatusCode::OK, "{check}");
        assert_eq!(check["state"], "done");
        assert_eq!(check["answered"], 3);
        assert_eq!(check["campaign"]["name_zh"], "暴雪隐患排查");
        assert!(check["done_at"].is_string(), "{check}");
        let answers: Vec<(String, String)> = check["items"].as_array().expect("items").iter()
            .map(|i| (text(&i["id"]), text(&i["answer"]["answer"]))).collect();
        assert_eq!(answers, [
            ("sheds".to_owned(), "fixed".to_owned()),
            ("eaves".to_owned(), "ok".to_owned()),
            ("branches".to_owned(), "raised".to_owned()),
        ]);
        assert_eq!(read_check(app, &dispatcher, task).await.0, StatusCode::OK);
        assert_eq!(read_check(app, &gongyi, task).await.0, StatusCode::NOT_FOUND);
        // Done: no longer waiting for anyone; the other grid's still is.
        assert!(my_checks(app, &worker).await.is_empty());
        let (status, other) = read_check(app, &dispatcher, &tasks[1]).await;
        assert_eq!((status, other["state"].clone()), (StatusCode::OK, json!("not_started")));
    }

    // Of two identical fixes sent at once, one makes the incident and the
    // other hears it as a retry.
    async fn two_identical_answers_at_once_make_one_incident(app) {
        let Cast { worker, dispatcher, .. } = cast(app).await;
        let (_, tasks) = campaign_over(app, &[GUANLAN_GRID]).await;
        let before = incidents_in_grid(app, &dispatcher).await;
        let photo = phone_jpeg(8, centre_of(GUANLAN_GRID));
        let body = fixed_with_photo(&photo);
        let (a, b) = tokio::join!(
            send_answer(app, &worker, &tasks[0], "sheds", &body),
            send_answer(app, &worker, &tasks[0], "sheds", &body),
        );
        let (a, b) = (json_of(a).await, json_of(b).await);
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED], "{} / {}", a.1, b.1);
        assert_eq!(a.1["incident"]["id"], b.1["incident"]["id"]);
        assert_eq!(incidents_in_grid(app, &dispatcher).await, before + 1);
    }

    // What is refused, and who may answer.
    async fn answers_are_refused_naming_what_is_wrong(app) {
        let Cast { worker, chief, .. } = cast(app).await;
        let (campaign, tasks) = campaign_over(app, &[GUANLAN_GRID]).await;
        let task = &tasks[0];

        // A fix of sheds needs its photo.
        let problem = expect_problem(send_answer(app, &worker, task, "sheds",
            &json!({"answer": "fixed", "result": "已清扫"})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["photo"]);
        let problem = expect_problem(send_answer(app, &worker, task, "eaves",
            &json!({"answer": "fixed"})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["result"]);
        let problem = expect_problem(send_answer(app, &worker, task, "branches",
            &json!({"answer": "raise", "description": "断枝"})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["location"]);
        let problem = expect_problem(send_answer(app, &worker, task, "branches",
            &json!({"answer": "raise", "description": "断枝",
                    "location": point(centre_of(GUANLAN_GRID_1))})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["location"], "another grid's point");
        let problem = expect_problem(send_answer(app, &worker, task, "eaves",
            &json!({"answer": "maybe"})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["answer"]);
        let problem = expect_problem(send_answer(app, &worker, task, "sheds",
            &json!({"answer": "fixed", "result": "已清扫", "photo": "not base64!"})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["photo"]);
        // No such item, no such task, a task of another grid.
        let problem = expect_problem(send_answer(app, &worker, task, "roofs",
            &json!({"answer": "ok"})).await, StatusCode::NOT_FOUND, "not_found").await;
        assert!(text(&problem["detail"]).contains("roofs"), "{problem}");
        expect_problem(send_answer(app, &worker, "no-such-task", "eaves",
            &json!({"answer": "ok"})).await, StatusCode::NOT_FOUND, "not_found").await;
        let stranger = new_user(app, "checks.gongyi", "grid_worker", Some(GONGYI_GRID), None).await;
        expect_problem(send_answer(app, &stranger, task, "eaves",
            &json!({"answer": "ok"})).await, StatusCode::NOT_FOUND, "not_found").await;
        assert_eq!(read_check(app, &stranger, task).await.0, StatusCode::NOT_FOUND);
        assert!(my_checks(app, &stranger).await.is_empty());

        // The chief answers for a worker who is off.
        let by_chief = answer(app, &chief, task, "eaves", &json!({"answer": "ok"}),
            StatusCode::CREATED).await;
        assert_eq!(by_chief["answered_by"], chief.id.as_str());
        let fixed = answer(app, &chief, task, "branches",
            &json!({"answer": "fixed", "result": "已清理断枝"}), StatusCode::CREATED).await;
        assert_eq!(fixed["incident"]["status"], "resolved", "{fixed}");

        // Once cancelled, a campaign takes no more answers; an answer given
        // before is still the same answer.
        cancel(app, &campaign).await;
        expect_problem(send_answer(app, &worker, task, "sheds",
            &fixed_with_photo(&phone_jpeg(9, centre_of(GUANLAN_GRID)))).await,
            StatusCode::CONFLICT, "conflict").await;
        answer(app, &worker, task, "eaves", &json!({"answer": "ok"}), StatusCode::OK).await;
        assert!(my_checks(app, &worker).await.is_empty());
    }
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    async fn a_case_raised_on_a_walk_of_the_grid_is_one_of_its_findings(app) {
        let c = cast(app).await;
        let (_, tasks) = campaign_over(app, &[GUANLAN_GRID]).await;
        let patrol = crate::patrols::started(app, &c.worker, GUANLAN_GRID, chrono::Duration::minutes(5)).await;
        let raised = answer(app, &c.worker, &tasks[0], "branches", &json!({
            "answer": "raise", "description": "树枝被雪压断，挡住了路",
            "location": {"type": "Point", "coordinates": centre_of(GUANLAN_GRID)},
        }), StatusCode::CREATED).await;
        let incident = text(&raised["incident"]["id"]);
        let (status, walk) = json_of(
            c.worker.client.get(app.url(&format!("/api/v1/patrols/{patrol}"))).send().await.expect("patrol read"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{walk}");
        assert!(walk["findings"].to_string().contains(&incident), "{walk}");
        // Without a walk, an answer is no finding of anyone's.
        let ok = answer(app, &c.chief, &tasks[0], "eaves", &json!({"answer": "ok"}), StatusCode::CREATED).await;
        assert_eq!(ok["incident"], Value::Null);
    }
}
