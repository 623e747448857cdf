//! The answers to a grid's checklist, and the little of its task and
//! campaign an answer needs: which items there are, whether the campaign
//! still runs, and how far the task has got. Rows only: what an answer
//! sets off (an incident reported or resolved on the spot) is the
//! workflow's, what counts as a retry `gridops_domain::campaign`'s.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use gridops_domain::area::AreaCode;
use gridops_domain::campaign::{Answer, AnswerKind, Item};

use crate::db::{DbConnection, DbError, insert_unless_exists};
use crate::schema::{campaigns, check_answers, check_tasks};

/// The most open tasks one list returns: a worker holds a handful of grids.
const MAX_OPEN: i64 = 200;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = check_tasks)]
struct TaskRow {
    id: String,
    campaign_id: String,
    grid_code: String,
    answered: i32,
    done_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
struct CampaignRow {
    id: String,
    name_zh: String,
    name_en: String,
    items: String,
    area_code: String,
    due_at: NaiveDateTime,
    status: String,
    created_at: NaiveDateTime,
}

/// An answer as stored; also read by `campaigns::campaign_detail`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = check_answers)]
pub(crate) struct AnswerRow {
    pub(crate) task_id: String,
    pub(crate) item_id: String,
    pub(crate) answer: String,
    pub(crate) result: Option<String>,
    pub(crate) incident_id: Option<String>,
    pub(crate) answered_by: String,
    pub(crate) answered_at: NaiveDateTime,
    pub(crate) sent_hash: String,
}

/// What an answer needs to know of its campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignInfo {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub area: String,
    pub due_at: NaiveDateTime,
    /// Still taking answers (not cancelled).
    pub running: bool,
    pub created_at: NaiveDateTime,
    /// The items as the campaign started with them.
    pub items: Vec<Item>,
}

/// A grid's checklist task with its campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckTask {
    pub id: String,
    pub grid: AreaCode,
    /// Items answered so far.
    pub answered: i32,
    pub done_at: Option<NaiveDateTime>,
    pub campaign: CampaignInfo,
}

fn task_of(task: TaskRow, campaign: CampaignRow) -> Result<CheckTask, DbError> {
    let corrupt = |what: String| DbError::Corrupt(format!("check task {}: {what}", task.id));
    let grid = AreaCode::parse(&task.grid_code)
        .map_err(|e| corrupt(format!("grid {}: {e}", task.grid_code)))?;
    let items: Vec<Item> = serde_json::from_str(&campaign.items)
        .map_err(|e| corrupt(format!("items of campaign {}: {e}", campaign.id)))?;
    debug_assert_eq!(task.campaign_id, campaign.id);
    Ok(CheckTask {
        id: task.id,
        grid,
        answered: task.answered,
        done_at: task.done_at,
        campaign: CampaignInfo {
            id: campaign.id,
            name_zh: campaign.name_zh,
            name_en: campaign.name_en,
            area: campaign.area_code,
            due_at: campaign.due_at,
            running: campaign.status == "running",
            created_at: campaign.created_at,
            items,
        },
    })
}

pub(crate) fn answer_of_row(row: AnswerRow) -> Result<Answer, DbError> {
    let kind = AnswerKind::parse(&row.answer).ok_or_else(|| {
        DbError::Corrupt(format!(
            "answer to {} of task {}: {}",
            row.item_id, row.task_id, row.answer
        ))
    })?;
    Ok(Answer {
        item_id: row.item_id,
        kind,
        result: row.result,
        incident_id: row.incident_id,
        answered_by: row.answered_by,
        answered_at: row.answered_at,
        sent_hash: row.sent_hash,
    })
}

/// The task with its campaign; [`DbError::NotFound`] when there is none.
pub fn find_task(conn: &mut DbConnection, id: &str) -> Result<CheckTask, DbError> {
    let (task, campaign) = check_tasks::table
        .inner_join(campaigns::table)
        .filter(check_tasks::id.eq(id))
        .select((TaskRow::as_select(), CampaignRow::as_select()))
        .first::<(TaskRow, CampaignRow)>(conn)?;
    task_of(task, campaign)
}

/// Whether the campaign still takes answers.
pub fn campaign_running(conn: &mut DbConnection, campaign_id: &str) -> Result<bool, DbError> {
    let status = campaigns::table
        .find(campaign_id)
        .select(campaigns::status)
        .first::<String>(conn)?;
    Ok(status == "running")
}

/// Every answer of the task, in the order they came.
pub fn answers_of(conn: &mut DbConnection, task_id: &str) -> Result<Vec<Answer>, DbError> {
    check_answers::table
        .filter(check_answers::task_id.eq(task_id))
        .order((
            check_answers::answered_at.asc(),
            check_answers::item_id.asc(),
        ))
        .select(AnswerRow::as_select())
        .load(conn)?
        .into_iter()
        .map(answer_of_row)
        .collect()
}

/// The answer stored for one item, if any.
pub fn answer_of(
    conn: &mut DbConnection,
    task_id: &str,
    item_id: &str,
) -> Result<Option<Answer>, DbError> {
    check_answers::table
        .find((task_id, item_id))
        .select(AnswerRow::as_select())
        .first(conn)
        .optional()?
        .map(answer_of_row)
        .transpose()
}

/// Stores an answer; `Ok(false)` when the item was answered already (the
/// surrounding transaction is not poisoned by the refused insert).
pub fn insert_answer(
    conn: &mut DbConnection,
    task_id: &str,
    answer: &Answer,
) -> Result<bool, DbError> {
    let row = AnswerRow {
        task_id: task_id.to_owned(),
        item_id: answer.item_id.clone(),
        answer: answer.kind.as_str().to_owned(),
        result: answer.result.clone(),
        incident_id: answer.incident_id.clone(),
        answered_by: answer.answered_by.clone(),
        answered_at: answer.answered_at,
        sent_hash: answer.sent_hash.clone(),
    };
    insert_unless_exists(conn, |conn| {
        diesel::insert_into(check_answers::table)
            .values(&row)
            .execute(conn)
    })
}

/// Counts the task's answers into it, and marks it done at `at` once every
/// one of its `items` is answered. The count and when it was done.
pub fn record_progress(
    conn: &mut DbConnection,
    task_id: &str,
    items: usize,
    at: NaiveDateTime,
) -> Result<(i32, Option<NaiveDateTime>), DbError> {
    let answered = check_answers::table
        .filter(check_answers::task_id.eq(task_id))
        .select(count_star())
        .first::<i64>(conn)?;
    let answered = i32::try_from(answered).unwrap_or(i32::MAX);
    let done = usize::try_from(answered).is_ok_and(|n| n >= items);
    let done_at = check_tasks::table
        .find(task_id)
        .select(check_tasks::done_at)
        .first::<Option<NaiveDateTime>>(conn)?
        .or(done.then_some(at));
    diesel::update(check_tasks::table.find(task_id))
        .set((
            check_tasks::answered.eq(answered),
            check_tasks::done_at.eq(done_at),
        ))
        .execute(conn)?;
    Ok((answered, done_at))
}

/// The open tasks (campaign running, task not done) of the grids under any
/// of `areas`, newest campaign first.
pub fn open_tasks_under(
    conn: &mut DbConnection,
    areas: &[AreaCode],
) -> Result<Vec<CheckTask>, DbError> {
    // A worker holds a grid or two: one query per area, merged.
    let mut found: Vec<(TaskRow, CampaignRow)> = Vec::new();
    for area in areas {
        let rows = check_tasks::table
            .inner_join(campaigns::table)
            .filter(campaigns::status.eq("running"))
            .filter(check_tasks::done_at.is_null())
            .filter(check_tasks::grid_code.like(format!("{}%", area.subtree_prefix())))
            .order((campaigns::created_at.desc(), check_tasks::id.asc()))
            .limit(MAX_OPEN)
            .select((TaskRow::as_select(), CampaignRow::as_select()))
            .load::<(TaskRow, CampaignRow)>(conn)?;
        for row in rows {
            if !found.iter().any(|(t, _)| t.id == row.0.id) {
                found.push(row);
            }
        }
    }
    found.sort_by(|(a, ca), (b, cb)| {
        cb.created_at
            .cmp(&ca.created_at)
            .then_with(|| a.grid_code.cmp(&b.grid_code))
            .then_with(|| a.id.cmp(&b.id))
    });
    found.truncate(usize::try_from(MAX_OPEN).unwrap_or(usize::MAX));
    found
        .into_iter()
        .map(|(task, campaign)| task_of(task, campaign))
        .collect()
}
