use chrono::{DateTime, NaiveDateTime, Utc};
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::campaign::{
    Answer, GridProgress, TaskState, Trigger, WarningLevel, progress_of,
};
use gridops_infra::repo::campaigns::{CampaignDetail, CampaignRow, TaskCounts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::routes::checklist_templates::dto::ItemView;

/// The colour of a weather warning signal (预警信号), weakest first.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelParam {
    Blue,
    Yellow,
    Orange,
    Red,
}

/// What set a campaign off.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TriggerBody {
    /// A weather warning signal: its type (`blizzard` 暴雪, `cold_wave`
    /// 寒潮, `rainstorm` 暴雨, `gale` 大风, …) and colour.
    WeatherWarning {
        #[schema(example = "blizzard")]
        signal: String,
        level: LevelParam,
    },
    /// A season's routine check (`heating` 供暖季, `flood` 防汛期, …).
    Season {
        #[schema(example = "heating")]
        season: String,
    },
}

impl From<TriggerBody> for Trigger {
    fn from(t: TriggerBody) -> Self {
        match t {
            TriggerBody::WeatherWarning { signal, level } => Trigger::WeatherWarning {
                signal,
                level: match level {
                    LevelParam::Blue => WarningLevel::Blue,
                    LevelParam::Yellow => WarningLevel::Yellow,
                    LevelParam::Orange => WarningLevel::Orange,
                    LevelParam::Red => WarningLevel::Red,
                },
            },
            TriggerBody::Season { season } => Trigger::Season { season },
        }
    }
}

impl From<&Trigger> for TriggerBody {
    fn from(t: &Trigger) -> Self {
        match t {
            Trigger::WeatherWarning { signal, level } => TriggerBody::WeatherWarning {
                signal: signal.clone(),
                level: match level {
                    WarningLevel::Blue => LevelParam::Blue,
                    WarningLevel::Yellow => LevelParam::Yellow,
                    WarningLevel::Orange => LevelParam::Orange,
                    WarningLevel::Red => LevelParam::Red,
                },
            },
            Trigger::Season { season } => TriggerBody::Season {
                season: season.clone(),
            },
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    /// The checklist template's id.
    #[schema(example = "demo-blizzard")]
    pub template: String,
    /// The area code: every grid (and micro-grid) in it gets a task.
    #[schema(
        pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$",
        example = "410102003"
    )]
    pub area: String,
    /// When every grid should be done; in the future, within a year.
    pub due_at: DateTime<Utc>,
    /// What set it off; absent when started by hand.
    pub trigger: Option<TriggerBody>,
}

/// How far a campaign's grids have got.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct Totals {
    pub grids: i64,
    pub not_started: i64,
    pub in_progress: i64,
    pub done: i64,
    /// Past the due time and not done (none once cancelled).
    pub overdue: i64,
    /// Items answered fine, fixed on the spot, raised as cases.
    pub ok: i64,
    pub fixed: i64,
    pub raised: i64,
}

/// A campaign and its totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: String,
    /// The template it started from.
    pub template: String,
    pub name_zh: String,
    pub name_en: String,
    pub trigger: Option<TriggerBody>,
    /// The area code.
    pub area: String,
    pub area_name: Option<String>,
    pub due_at: DateTime<Utc>,
    /// `running` or `cancelled` (a cancelled campaign takes no answers).
    #[schema(example = "running")]
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub totals: Totals,
}

impl CampaignView {
    pub fn new(c: &CampaignRow, map: &AreaMap, totals: Totals) -> Self {
        CampaignView {
            id: c.id.clone(),
            template: c.template_id.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            trigger: c.trigger.as_ref().map(TriggerBody::from),
            area: c.area_code.clone(),
            area_name: area_name(map, &c.area_code),
            due_at: c.due_at.and_utc(),
            status: c.status.clone(),
            created_by: c.created_by.clone(),
            created_at: c.created_at.and_utc(),
            cancelled_by: c.cancelled_by.clone(),
            cancelled_at: c.cancelled_at.map(|t| t.and_utc()),
            totals,
        }
    }

    /// A list row: totals from the counts the store keeps.
    pub fn listed(c: &CampaignRow, map: &AreaMap, counts: TaskCounts, now: NaiveDateTime) -> Self {
        let overdue = if c.is_running() && now > c.due_at {
            counts.grids - counts.done
        } else {
            0
        };
        let totals = Totals {
            grids: counts.grids,
            not_started: counts.grids - counts.started,
            in_progress: counts.started - counts.done,
            done: counts.done,
            overdue,
            ok: counts.ok,
            fixed: counts.fixed,
            raised: counts.raised,
        };
        CampaignView::new(c, map, totals)
    }
}

fn area_name(map: &AreaMap, code: &str) -> Option<String> {
    let code = AreaCode::parse(code).ok()?;
    map.get(&code).map(|a| a.name.clone())
}

/// A given answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerView {
    /// `ok`, `fixed` (on the spot) or `raised` (a case).
    pub answer: String,
    /// What was done, for `fixed`.
    pub result: Option<String>,
    /// The incident it made (`fixed`: resolved on the spot; `raised`: routed).
    pub incident: Option<String>,
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
}

/// An item of a grid's task, with its answer once given.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskItemView {
    #[serde(flatten)]
    pub item: ItemView,
    pub answer: Option<AnswerView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    /// Answer its items at `POST /api/v1/checks/{id}/items/{item}`.
    pub id: String,
    pub items: Vec<TaskItemView>,
}

/// Where a grid stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct GridView {
    pub grid: String,
    pub grid_name: Option<String>,
    pub task: TaskView,
    /// `not_started`, `in_progress` or `done`.
    #[schema(example = "not_started")]
    pub state: String,
    pub ok: usize,
    pub fixed: usize,
    pub raised: usize,
    /// Past the due time and not done: shown red.
    pub overdue: bool,
}

/// A campaign with every grid's task and progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDetailView {
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// In grid code order (overdue ones are flagged, not moved).
    pub grids: Vec<GridView>,
}

fn answer_view(a: &Answer) -> AnswerView {
    AnswerView {
        answer: a.kind.as_str().to_owned(),
        result: a.result.clone(),
        incident: a.incident_id.clone(),
        answered_by: a.answered_by.clone(),
        answered_at: a.answered_at.and_utc(),
    }
}

impl CampaignDetailView {
    pub fn new(detail: &CampaignDetail, map: &AreaMap, now: NaiveDateTime) -> Self {
        let c = &detail.campaign;
        let cancelled = !c.is_running();
        let mut totals = Totals::default();
        let grids = detail
            .tasks
            .iter()
            .map(|(task, answers)| {
                let GridProgress {
                    state,
                    ok,
                    fixed,
                    raised,
                    overdue,
                } = progress_of(c.items.len(), answers, c.due_at, now, cancelled);
                totals.grids += 1;
                match state {
                    TaskState::NotStarted => totals.not_started += 1,
                    TaskState::InProgress => totals.in_progress += 1,
                    TaskState::Done => totals.done += 1,
                }
                totals.overdue += i64::from(overdue);
                totals.ok += ok as i64;
                totals.fixed += fixed as i64;
                totals.raised += raised as i64;
                let items = c
                    .items
                    .iter()
                    .map(|item| TaskItemView {
                        item: ItemView::from(item),
                        answer: answers
                            .iter()
                            .find(|a| a.item_id == item.id)
                            .map(answer_view),
                    })
                    .collect();
                GridView {
                    grid: task.grid_code.clone(),
                    grid_name: area_name(map, &task.grid_code),
                    task: TaskView {
                        id: task.id.clone(),
                        items,
                    },
                    state: state.as_str().to_owned(),
                    ok,
                    fixed,
                    raised,
                    overdue,
                }
            })
            .collect();
        CampaignDetailView {
            campaign: CampaignView::new(c, map, totals),
            grids,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignPage {
    /// Newest first.
    pub items: Vec<CampaignView>,
    /// Cursor of the next page; absent on the last.
    pub next: Option<String>,
}
