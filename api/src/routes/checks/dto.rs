//! What the checklist endpoints take and give.

use chrono::{DateTime, Utc};
use gridops_domain::campaign::{Answer, Item};
use gridops_infra::repo::check_answers::{CampaignInfo, CheckTask};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::routes::areas::locate::CoordSysParam;
use crate::routes::incidents::dto::GeoPoint;

/// The answer a worker gives an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckAnswerParam {
    /// Nothing wrong.
    Ok,
    /// Something was wrong and was fixed on the spot: becomes an incident
    /// resolved on the spot.
    Fixed,
    /// Something is wrong that the worker cannot fix: becomes an incident
    /// routed by the rules.
    #[serde(alias = "raised")]
    Raise,
}

/// An answer to one item: `{"answer": "ok"}`; `{"answer": "fixed",
/// "result", "photo"?, "location"?, "description"?}`; or `{"answer":
/// "raise", "description", "location", "coord_sys"?}`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct CheckAnswerRequest {
    pub answer: CheckAnswerParam,
    /// `fixed`: what was done (required).
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000, example = "已清扫车棚顶积雪")]
    pub result: Option<String>,
    /// `fixed`: the after photo, base64 (JPEG, PNG, HEIC or WebP, at most
    /// 10 MiB); required when the item requires a photo. Its EXIF time and
    /// place are kept as evidence and stripped from the stored file.
    pub photo: Option<String>,
    /// `raise`: where (required); `fixed`: where (default: inside the grid).
    /// Must lie in the task's grid.
    #[validate(nested)]
    pub location: Option<GeoPoint>,
    /// Coordinate system of `location` (default `wgs84`).
    pub coord_sys: Option<CoordSysParam>,
    /// `raise`: what is wrong (required); `fixed`: default the item's text.
    /// The campaign's name is added to the incident's description.
    #[validate(length(min = 1, max = 1800, message = "1 to 1800 characters"))]
    #[schema(
        min_length = 1,
        max_length = 1800,
        example = "5号楼前树枝被雪压断，悬在人行道上方"
    )]
    pub description: Option<String>,
}

/// An incident an answer made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckIncidentRef {
    pub id: String,
    /// The reference residents and staff quote.
    pub reference: String,
    /// Its status now (`resolved` for a fix).
    pub status: String,
}

/// An item's answer as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckAnswerView {
    /// The task id.
    pub task: String,
    /// The item id.
    pub item: String,
    /// `ok`, `fixed` or `raised`.
    pub answer: String,
    /// What was done (`fixed`).
    pub result: Option<String>,
    /// The incident reported (`raised`) or resolved on the spot (`fixed`).
    pub incident: Option<CheckIncidentRef>,
    /// The user id of who answered.
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
    /// `in_progress` or `done` (every item answered).
    pub task_state: String,
}

impl CheckAnswerView {
    pub fn new(
        task: &str,
        answer: &Answer,
        incident: Option<CheckIncidentRef>,
        done: bool,
    ) -> Self {
        CheckAnswerView {
            task: task.to_owned(),
            item: answer.item_id.clone(),
            answer: answer.kind.as_str().to_owned(),
            result: answer.result.clone(),
            incident,
            answered_by: answer.answered_by.clone(),
            answered_at: answer.answered_at.and_utc(),
            task_state: task_state(done, true).to_owned(),
        }
    }
}

/// `not_started`, `in_progress` or `done`.
pub fn task_state(done: bool, started: bool) -> &'static str {
    match (done, started) {
        (true, _) => "done",
        (false, true) => "in_progress",
        (false, false) => "not_started",
    }
}

/// The campaign a task belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckCampaignRef {
    pub id: String,
    #[schema(example = "暴雪隐患排查")]
    pub name_zh: String,
    #[schema(example = "Blizzard hazard check")]
    pub name_en: String,
    /// The area the campaign covers.
    pub area: String,
    pub due_at: DateTime<Utc>,
    /// `running` or `cancelled`.
    pub status: String,
}

impl From<&CampaignInfo> for CheckCampaignRef {
    fn from(c: &CampaignInfo) -> Self {
        CheckCampaignRef {
            id: c.id.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            area: c.area.clone(),
            due_at: c.due_at.and_utc(),
            status: if c.running { "running" } else { "cancelled" }.to_owned(),
        }
    }
}

/// An item of a checklist with its answer, if any.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckItemView {
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
    /// The incident category a fixed or raised item becomes.
    pub category: String,
    /// A fix needs an after photo.
    pub photo_required: bool,
    pub answer: Option<CheckAnswerView>,
}

impl CheckItemView {
    pub fn new(item: &Item, answer: Option<CheckAnswerView>) -> Self {
        CheckItemView {
            id: item.id.clone(),
            text_zh: item.text_zh.clone(),
            text_en: item.text_en.clone(),
            category: item.category.clone(),
            photo_required: item.photo_required,
            answer,
        }
    }
}

/// A grid's checklist: the phone's view of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckTaskView {
    pub id: String,
    pub grid: String,
    pub campaign: CheckCampaignRef,
    /// `not_started`, `in_progress` or `done`.
    pub state: String,
    /// Items answered so far.
    pub answered: i32,
    /// How many items the checklist has.
    pub item_count: usize,
    pub done_at: Option<DateTime<Utc>>,
    /// Past the campaign's due time and not done.
    pub overdue: bool,
    /// Every item with its answer; left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<CheckItemView>>,
}

impl CheckTaskView {
    pub fn new(task: &CheckTask, now: chrono::NaiveDateTime) -> Self {
        let done = task.done_at.is_some();
        CheckTaskView {
            id: task.id.clone(),
            grid: task.grid.to_string(),
            campaign: CheckCampaignRef::from(&task.campaign),
            state: task_state(done, task.answered > 0).to_owned(),
            answered: task.answered,
            item_count: task.campaign.items.len(),
            done_at: task.done_at.map(|t| t.and_utc()),
            overdue: task.campaign.running && !done && now > task.campaign.due_at,
            items: None,
        }
    }
}

/// The caller's open checklists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyChecksView {
    /// Tasks of the grids the caller holds, of running campaigns, not done;
    /// newest campaign first.
    pub items: Vec<CheckTaskView>,
}
