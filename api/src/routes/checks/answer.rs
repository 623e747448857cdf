//! `POST /api/v1/checks/{task}/items/{item}`: a worker answers one item of
//! their grid's checklist. `ok` is stored; `fixed` makes one incident of the
//! item's category resolved on the spot (with its after photo) and `raise`
//! one routed by the rules, each in the transaction that stores the answer.
//! An answer is never changed: the same again gets the first reply, another
//! a 409; of two identical answers at once, the primary key of the answer
//! lets one commit and the other roll back, then answer like a retry.

use actix_web::{HttpResponse, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gridops_domain::access::Actor;
use gridops_domain::campaign::{Answer, AnswerKind, Item, Judged, Sent, judge_answer};
use gridops_domain::geo::Coordinates;
use gridops_domain::incident::Channel;
use gridops_domain::photo::{PhotoKind, PhotoLimits};
use gridops_infra::photos::PhotoError;
use gridops_infra::repo::check_answers::{self, CheckTask};
use gridops_infra::repo::incidents::{self, PhotoRow};
use gridops_infra::repo::{categories, now, patrols};
use gridops_infra::workflow::{NewReport, StepError};
use gridops_infra::{DbConnection, DbError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::dto::{CheckAnswerParam, CheckAnswerRequest, CheckAnswerView, CheckIncidentRef};
use super::{stored_view, task_for};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::extract::ValidJson;
use crate::routes::incidents::dto::GeoPoint;
use crate::routes::incidents::location::locate_point;
use crate::state::AppState;

const CANCELLED: &str = "the campaign was cancelled: its checklists take no more answers";

/// Answers an item of a grid's checklist, as a grid worker of the task's
/// grid or its chief (for a worker who is off). `fixed` reports an incident
/// of the item's category resolved on the spot by the caller, with the
/// after photo; `raise` reports one routed by the rules; the answer names
/// it. The same answer again is a retry (200, the first answer, no second
/// incident); another answer is 409. The task is done when every item is
/// answered.
#[utoipa::path(
    tag = "checks",
    params(
        ("task" = String, Path, description = "Checklist task id"),
        ("item" = String, Path, description = "Item id, as the campaign's items name it"),
    ),
    request_body = CheckAnswerRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Answered (and the incident reported or resolved on the spot)", body = CheckAnswerView),
        (status = 200, description = "The same answer was given before: the first answer, nothing new written", body = CheckAnswerView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task, a task of a grid the caller does not hold, or no such item in it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item was answered otherwise (`conflict`, naming the stored answer), or the campaign was cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The photo is larger than 10 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The photo is not a JPEG, PNG, HEIC or WebP image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: `result` of a fix, `description` and `location` of a raise, `photo` missing for an item that requires one or not base64, `location` outside the task's grid", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/checks/{task}/items/{item}")]
pub async fn answer_item(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<CheckAnswerRequest>,
) -> Result<HttpResponse, ApiError> {
    let (task_id, item_id) = path.into_inner();
    let task = task_for(&state, &actor, &task_id, false).await?;
    let item = task
        .campaign
        .items
        .iter()
        .find(|i| i.id == item_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("this checklist has no item {item_id}")))?;
    let kind = check_shape(&body)?;
    let photo = match body.photo.as_deref() {
        Some(encoded) => Some(decode_photo(encoded)?),
        None => None,
    };
    let sent = Sent {
        kind,
        has_photo: photo.is_some(),
        hash: sent_hash(&body, kind, photo.as_deref()),
    };
    let (id, item_key) = (task.id.clone(), item.id.clone());
    let stored = state
        .db
        .run(move |conn| check_answers::answer_of(conn, &id, &item_key))
        .await?;
    if let Some(reply) = judged(&state, &task, &item, stored.as_ref(), &sent).await? {
        return Ok(reply);
    }
    if !task.campaign.running {
        return Err(ApiError::new(ErrorCode::Conflict, CANCELLED));
    }
    let answer = Answer {
        item_id: item.id.clone(),
        kind,
        result: body.result.clone().filter(|_| kind == AnswerKind::Fixed),
        incident_id: None,
        answered_by: actor.user_id.clone(),
        answered_at: now(),
        sent_hash: sent.hash.clone(),
    };
    let outcome = match kind {
        AnswerKind::Ok => store_ok(&state, &task, answer).await,
        AnswerKind::Fixed | AnswerKind::Raised => {
            store_with_incident(&state, &actor, &task, &item, body, photo, answer).await
        }
    };
    match outcome {
        Ok(view) => Ok(HttpResponse::Created().json(view)),
        // Answered (or cancelled) while this one was on its way: decide
        // again on what is stored now.
        Err(Lost(cause)) => {
            let (id, item_key) = (task.id.clone(), item.id.clone());
            let stored = state
                .db
                .run(move |conn| check_answers::answer_of(conn, &id, &item_key))
                .await?;
            if let Some(reply) = judged(&state, &task, &item, stored.as_ref(), &sent).await? {
                return Ok(reply);
            }
            let campaign = task.campaign.id.clone();
            let running = state
                .db
                .run(move |conn| check_answers::campaign_running(conn, &campaign))
                .await?;
            if running {
                Err(cause)
            } else {
                Err(ApiError::new(ErrorCode::Conflict, CANCELLED))
            }
        }
    }
}

/// The answer's kind, once the fields its kind needs are there.
fn check_shape(body: &CheckAnswerRequest) -> Result<AnswerKind, ApiError> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    match body.answer {
        CheckAnswerParam::Ok => {
            if body.photo.is_some() {
                return Err(ApiError::invalid_field(
                    "photo",
                    "only a fix carries a photo",
                ));
            }
            Ok(AnswerKind::Ok)
        }
        CheckAnswerParam::Fixed => {
            if blank(&body.result) {
                return Err(ApiError::invalid_field("result", "say what was done"));
            }
            Ok(AnswerKind::Fixed)
        }
        CheckAnswerParam::Raise => {
            if blank(&body.description) {
                return Err(ApiError::invalid_field("description", "say what is wrong"));
            }
            if body.location.is_none() {
                return Err(ApiError::invalid_field(
                    "location",
                    "say where: a GeoJSON Point",
                ));
            }
            if body.photo.is_some() {
                return Err(ApiError::invalid_field(
                    "photo",
                    "only a fix carries a photo; add photos to the incident",
                ));
            }
            Ok(AnswerKind::Raised)
        }
    }
}

/// The photo's bytes; 413 past the photo limit, 422 when not base64.
fn decode_photo(encoded: &str) -> Result<Vec<u8>, ApiError> {
    let max = PhotoLimits::default().max_bytes;
    // Base64 takes 4 characters for 3 bytes: refuse before decoding.
    if encoded.len() / 4 * 3 > max + 3 {
        return Err(PhotoError::TooLarge { max }.into());
    }
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|e| ApiError::invalid_field("photo", format!("not base64: {e}")))?;
    if bytes.len() > max {
        return Err(PhotoError::TooLarge { max }.into());
    }
    Ok(bytes)
}

/// The answer as sent, in one canonical form (the photo by its hash).
#[derive(Serialize)]
struct Canonical<'a> {
    answer: &'a str,
    result: Option<&'a str>,
    description: Option<&'a str>,
    location: Option<&'a GeoPoint>,
    coord_sys: Option<crate::routes::areas::locate::CoordSysParam>,
    photo: Option<String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sent_hash(body: &CheckAnswerRequest, kind: AnswerKind, photo: Option<&[u8]>) -> String {
    let canonical = Canonical {
        answer: kind.as_str(),
        result: body.result.as_deref(),
        description: body.description.as_deref(),
        location: body.location.as_ref(),
        coord_sys: body.coord_sys,
        photo: photo.map(sha256_hex),
    };
    // Serialising a struct of strings, numbers and options cannot fail.
    sha256_hex(
        serde_json::to_string(&canonical)
            .unwrap_or_default()
            .as_bytes(),
    )
}

/// What the domain makes of the answer given what is stored: `None` to
/// store it, else the reply (the first answer again) or the refusal.
async fn judged(
    state: &AppState,
    task: &CheckTask,
    item: &Item,
    stored: Option<&Answer>,
    sent: &Sent,
) -> Result<Option<HttpResponse>, ApiError> {
    match judge_answer(item, stored, sent) {
        Judged::New => Ok(None),
        Judged::PhotoRequired => Err(ApiError::invalid_field(
            "photo",
            "this item needs an after photo of the fix",
        )),
        Judged::Again(first) => {
            let id = task.id.clone();
            let view = state
                .db
                .run(move |conn| stored_view(conn, &id, &first))
                .await?;
            Ok(Some(HttpResponse::Ok().json(view)))
        }
        Judged::Conflict(first) => {
            let id = task.id.clone();
            let detail = format!(
                "item {} was answered `{}` already; an answer is never changed",
                first.item_id,
                first.kind.as_str()
            );
            let view = state
                .db
                .run(move |conn| stored_view(conn, &id, &first))
                .await?;
            let stored = serde_json::to_value(&view).map_err(ApiError::internal)?;
            Err(ApiError::new(ErrorCode::Conflict, detail).with_extension("answer", stored))
        }
    }
}

/// A write that lost to another answer of the item (or to a cancel): the
/// caller decides again on what is stored.
struct Lost(ApiError);

impl From<ApiError> for Lost {
    fn from(e: ApiError) -> Self {
        Lost(e)
    }
}

/// A refused insert of the answer, made to roll the transaction back.
fn lost_race() -> DbError {
    DbError::Conflict("the item was answered meanwhile".to_owned())
}

/// Stores the answer and the task's progress, if the item is unanswered
/// and the campaign running; the view of the answer.
fn keep(
    conn: &mut DbConnection,
    task: &CheckTask,
    answer: &Answer,
    incident: Option<CheckIncidentRef>,
) -> Result<CheckAnswerView, DbError> {
    if !check_answers::campaign_running(conn, &task.campaign.id)? {
        return Err(DbError::Conflict(CANCELLED.to_owned()));
    }
    if !check_answers::insert_answer(conn, &task.id, answer)? {
        return Err(lost_race());
    }
    let (_, done_at) = check_answers::record_progress(
        conn,
        &task.id,
        task.campaign.items.len(),
        answer.answered_at,
    )?;
    Ok(CheckAnswerView::new(
        &task.id,
        answer,
        incident,
        done_at.is_some(),
    ))
}

async fn store_ok(
    state: &AppState,
    task: &CheckTask,
    answer: Answer,
) -> Result<CheckAnswerView, Lost> {
    let task = task.clone();
    match state
        .db
        .write(move |conn| keep(conn, &task, &answer, None))
        .await
    {
        Ok(view) => Ok(view),
        Err(e @ DbError::Conflict(_)) => Err(Lost(e.into())),
        Err(e) => Err(ApiError::from(e).into()),
    }
}

/// Where the incident is: the point sent, in the task's grid, or a point
/// inside the grid.
fn place(
    state: &AppState,
    task: &CheckTask,
    body: &CheckAnswerRequest,
) -> Result<(Coordinates, String), ApiError> {
    let map = state.areas.current();
    let point = match &body.location {
        Some(location) => {
            let (point, grid) = locate_point(&map, location, body.coord_sys)?;
            if !task.grid.covers(&grid.code) {
                return Err(ApiError::invalid_field(
                    "location",
                    format!(
                        "the point is in grid {}, not in this checklist's grid {}",
                        grid.code, task.grid
                    ),
                ));
            }
            point
        }
        None => map
            .get(&task.grid)
            .and_then(|a| a.inner_point())
            .ok_or_else(|| {
                ApiError::invalid_field("location", "the grid has no boundary: say where")
            })?,
    };
    let district = map.district_of(&task.grid);
    Ok((point, district))
}

/// Reports the incident of a fixed or raised item and stores the answer
/// naming it, in the report's transaction.
async fn store_with_incident(
    state: &AppState,
    actor: &Actor,
    task: &CheckTask,
    item: &Item,
    body: CheckAnswerRequest,
    photo: Option<Vec<u8>>,
    answer: Answer,
) -> Result<CheckAnswerView, Lost> {
    let (point, district) = place(state, task, &body)?;
    let code = item.category.clone();
    let category = state
        .db
        .run(move |conn| match categories::find(conn, &code) {
            Ok(c) => Ok(Some(c)),
            Err(DbError::NotFound) => Ok(None),
            Err(e) => Err(e),
        })
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Conflict,
                format!("the item's category {} no longer exists", item.category),
            )
        })?;
    let photo = match photo {
        Some(bytes) => Some(crate::routes::incidents::photos::keep_photo(state, bytes).await?),
        None => None,
    };
    let what = body
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&item.text_zh);
    // The incident says which campaign's check found it.
    let description = format!("【{}】{what}", task.campaign.name_zh);
    let new = NewReport {
        id: uuid::Uuid::now_v7().to_string(),
        district,
        category,
        description,
        grid: task.grid.clone(),
        priority: None,
        channel: Channel::Direct,
        lat: point.lat(),
        lng: point.lng(),
        address: None,
        occurred_at: answer.answered_at,
        handled_on_spot: answer
            .result
            .clone()
            .filter(|_| answer.kind == AnswerKind::Fixed),
    };
    let (task, uploader) = (task.clone(), actor.user_id.clone());
    let reported = state
        .workflow
        .report(actor, new, move |conn, stored| {
            let incident = &stored.incident;
            let answer = Answer {
                incident_id: Some(incident.id.clone()),
                ..answer
            };
            let named = CheckIncidentRef {
                id: incident.id.clone(),
                reference: incident.reference.clone(),
                status: incident.status.as_str().to_owned(),
            };
            let view = keep(conn, &task, &answer, Some(named))?;
            // Checked on a walk of the grid: the case is one of its findings.
            if let Some(walk) = patrols::running_of(conn, &uploader)?
                && walk.patrol.grids.contains(&task.grid)
            {
                patrols::link_finding(conn, &walk.patrol.id, &incident.id)?;
            }
            if let Some(photo) = photo {
                incidents::add_photo(
                    conn,
                    &PhotoRow {
                        incident_id: incident.id.clone(),
                        photo_key: photo.key,
                        kind: PhotoKind::After.as_str().to_owned(),
                        media_type: photo.media_type.mime().to_owned(),
                        size_bytes: i64::try_from(photo.stripped.len()).unwrap_or(i64::MAX),
                        uploaded_by: uploader,
                        uploaded_at: answer.answered_at,
                        taken_at: photo.evidence.taken_at,
                        taken_lat: photo.evidence.lat,
                        taken_lng: photo.evidence.lng,
                        original_sha256: photo.original_sha256,
                    },
                )?;
            }
            Ok(view)
        })
        .await;
    match reported {
        Ok(view) => Ok(view),
        Err(StepError::Db(e @ DbError::Conflict(_))) => Err(Lost(e.into())),
        Err(e) => Err(ApiError::from(e).into()),
    }
}
