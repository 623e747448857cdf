use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Duration;
use gridops_domain::area::AreaCode;
use gridops_domain::campaign::Trigger;
use gridops_infra::DbError;
use gridops_infra::repo::campaigns::{self, NewCampaign};
use gridops_infra::repo::now;
use gridops_infra::signals::OUTBOX;

use super::dto::{CampaignView, CreateCampaignRequest, Totals};
use super::{oversees, require_runner};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::idempotency::{self, Begun};
use crate::state::AppState;

/// Starts a campaign: the template's checklist for every grid (and
/// micro-grid) of the area, due at `due_at`. Each grid gets one task; its
/// grid workers and chief find it in their inbox and feed (`check_task_id`)
/// and on their phones, in their language — all written in the one
/// transaction that starts the campaign. Dispatchers start campaigns over
/// their area, administrators anywhere. Requires an `Idempotency-Key`: a
/// resend never tells a district twice. The answer is the campaign with its
/// totals; `GET /api/v1/campaigns/{id}` has every grid's task.
#[utoipa::path(
    tag = "campaigns",
    params(("Idempotency-Key" = String, Header, description = "A unique key per campaign, 1–255 characters, kept across retries")),
    request_body = CreateCampaignRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Started: one task per grid, every grid not started", body = CampaignView),
        (status = 400, description = "No Idempotency-Key, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's roles never run campaigns (neither an administrator nor a dispatcher)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area, or an area the dispatcher does not dispatch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The first request with this key is still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named: `due_at` not in the future (or more than a year ahead), `template` unknown or deleted, `trigger.*`, an `area` without grids; or the key was used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns")]
pub async fn start_campaign(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    ValidJson(body): ValidJson<CreateCampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    require_runner(&actor)?;
    let map = state.areas.current();
    let no_area = || ApiError::not_found(format!("no area {} of yours", body.area));
    let area = AreaCode::parse(&body.area)
        .ok()
        .filter(|code| map.get(code).is_some())
        .ok_or_else(no_area)?;
    if !oversees(&actor, &area) {
        return Err(no_area());
    }
    let claimed =
        match idempotency::begin(&state, &actor.user_id, &req, &body, "/api/v1/campaigns").await? {
            Begun::Fresh(claimed) => claimed,
            Begun::Replay(answer) => return Ok(answer),
        };
    let outcome = start(&state, &actor.user_id, area, body, &claimed).await;
    let (view, pushes) = match outcome {
        Ok(done) => done,
        Err(e) => {
            claimed.settle_failure(&state, &e).await?;
            return Err(e);
        }
    };
    if pushes > 0 {
        state.signals.raise_local(OUTBOX);
    }
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/api/v1/campaigns/{}", view.id)))
        .json(view))
}

/// Checks the fields and starts it: the view, and how many pushes wait.
async fn start(
    state: &AppState,
    by: &str,
    area: AreaCode,
    body: CreateCampaignRequest,
    claimed: &idempotency::Claimed,
) -> Result<(CampaignView, usize), ApiError> {
    let now = now();
    let due_at = body.due_at.naive_utc();
    if due_at <= now {
        return Err(ApiError::invalid_field("due_at", "must be in the future"));
    }
    if due_at > now + Duration::days(366) {
        return Err(ApiError::invalid_field("due_at", "at most a year ahead"));
    }
    let trigger = body.trigger.map(Trigger::from);
    if let Some(t) = &trigger {
        t.check()
            .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
    }
    let map = state.areas.current();
    let grids: Vec<AreaCode> = map.grids_under(&area).into_iter().cloned().collect();
    if grids.is_empty() {
        return Err(ApiError::invalid_field("area", "no grid lies in this area"));
    }
    let (template_id, by, claimed) = (body.template, by.to_owned(), claimed.clone());
    let started = state
        .db
        .write(move |conn| {
            let template = match campaigns::find_template(conn, &template_id) {
                Ok(t) => t.template,
                Err(DbError::NotFound) => return Ok(Err(template_id)),
                Err(e) => return Err(e),
            };
            let new = NewCampaign {
                id: uuid::Uuid::now_v7().to_string(),
                template,
                area,
                due_at,
                trigger,
                created_by: by,
                created_at: now,
            };
            let refs: Vec<&AreaCode> = grids.iter().collect();
            let started = campaigns::start_campaign(conn, &new, &refs)?;
            let grids = i64::try_from(started.tasks.len()).unwrap_or(i64::MAX);
            let totals = Totals {
                grids,
                not_started: grids,
                ..Totals::default()
            };
            let view = CampaignView::new(&started.campaign, &map, totals);
            claimed.finish_in(conn, &view)?;
            Ok(Ok((view, started.told.pushes)))
        })
        .await?;
    started.map_err(|id| ApiError::invalid_field("template", format!("no checklist template {id}")))
}
