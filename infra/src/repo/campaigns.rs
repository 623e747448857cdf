//! Checklist templates and the campaigns that start them over an area
//! (未诉先办): one task per grid of the area, told to that grid's workers
//! and chief (inbox and push) in the transaction that starts the campaign.
//!
//! A campaign copies the template's names and items as they were when it
//! started, so a later edit (or deletion) of the template changes no running
//! campaign. Starting one over 10,000 grids writes its tasks, inbox entries
//! and pushes with multi-row INSERTs, [`CHUNK`] rows at a time.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use gridops_domain::area::AreaCode;
use gridops_domain::campaign::{Answer, AnswerKind, Item, Template, Trigger};
use gridops_domain::notification::template::{Language, check_task_text};
use gridops_domain::role::Role;
use uuid::Uuid;

use super::Page;
use super::check_answers::{AnswerRow, answer_of_row};
use super::notifications::{TaskEntry, Told, tell_about_tasks};
use crate::db::{DbConnection, DbError, MultiBackend};
use crate::schema::{
    campaigns, check_answers, check_tasks, checklist_templates, role_assignments, users,
};

/// Rows per INSERT (and codes per `IN (…)`): well under SQLite's limit of
/// bound parameters.
const CHUNK: usize = 1000;

/// A multi-row INSERT: diesel builds those per backend, not for the
/// multi-connection, so it goes to the inner connection.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

type Condition =
    Box<dyn BoxableExpression<campaigns::table, MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// A campaign that still takes answers.
pub const RUNNING: &str = "running";
/// A campaign the dispatcher called off: it takes no more answers.
pub const CANCELLED: &str = "cancelled";

// ── Templates ─────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = checklist_templates, treat_none_as_default_value = false)]
struct TemplateRow {
    id: String,
    name_zh: String,
    name_en: String,
    items: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    deleted_at: Option<NaiveDateTime>,
}

/// A template as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTemplate {
    pub template: Template,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn items_json(items: &[Item]) -> Result<String, DbError> {
    serde_json::to_string(items).map_err(|e| DbError::Other(format!("checklist items: {e}")))
}

fn parse_items(owner: &str, json: &str) -> Result<Vec<Item>, DbError> {
    serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("items of {owner}: {e}")))
}

impl TryFrom<TemplateRow> for StoredTemplate {
    type Error = DbError;
    fn try_from(row: TemplateRow) -> Result<Self, DbError> {
        let items = parse_items(&format!("template {}", row.id), &row.items)?;
        Ok(StoredTemplate {
            template: Template {
                id: row.id,
                name_zh: row.name_zh,
                name_en: row.name_en,
                items,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The templates not deleted, oldest first.
pub fn list_templates(conn: &mut DbConnection) -> Result<Vec<StoredTemplate>, DbError> {
    checklist_templates::table
        .filter(checklist_templates::deleted_at.is_null())
        .order((
            checklist_templates::created_at.asc(),
            checklist_templates::id.asc(),
        ))
        .select(TemplateRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredTemplate::try_from)
        .collect()
}

/// A template not deleted; [`DbError::NotFound`] otherwise.
pub fn find_template(conn: &mut DbConnection, id: &str) -> Result<StoredTemplate, DbError> {
    checklist_templates::table
        .filter(checklist_templates::id.eq(id))
        .filter(checklist_templates::deleted_at.is_null())
        .select(TemplateRow::as_select())
        .first(conn)?
        .try_into()
}

pub fn insert_template(
    conn: &mut DbConnection,
    template: &Template,
    now: NaiveDateTime,
) -> Result<StoredTemplate, DbError> {
    diesel::insert_into(checklist_templates::table)
        .values(TemplateRow {
            id: template.id.clone(),
            name_zh: template.name_zh.clone(),
            name_en: template.name_en.clone(),
            items: items_json(&template.items)?,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        })
        .execute(conn)?;
    find_template(conn, &template.id)
}

/// Replaces a template's names and items; [`DbError::NotFound`] when there
/// is no such template (or it was deleted). Running campaigns keep theirs.
pub fn update_template(
    conn: &mut DbConnection,
    template: &Template,
    now: NaiveDateTime,
) -> Result<StoredTemplate, DbError> {
    let changed = diesel::update(
        checklist_templates::table
            .filter(checklist_templates::id.eq(&template.id))
            .filter(checklist_templates::deleted_at.is_null()),
    )
    .set((
        checklist_templates::name_zh.eq(&template.name_zh),
        checklist_templates::name_en.eq(&template.name_en),
        checklist_templates::items.eq(items_json(&template.items)?),
        checklist_templates::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    find_template(conn, &template.id)
}

/// Deletes a template (softly: campaigns that used it keep their copy);
/// `false` when there was no such template.
pub fn delete_template(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        checklist_templates::table
            .filter(checklist_templates::id.eq(id))
            .filter(checklist_templates::deleted_at.is_null()),
    )
    .set(checklist_templates::deleted_at.eq(Some(now)))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Stores `templates` when the table has none at all (deleted ones count:
/// the demo never comes back over an administrator's choices).
pub fn seed_templates_if_empty(
    conn: &mut DbConnection,
    templates: &[Template],
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let existing: i64 = checklist_templates::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    for template in templates {
        insert_template(conn, template, now)?;
    }
    Ok(templates.len())
}

// ── Campaigns ─────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = campaigns, treat_none_as_default_value = false)]
struct CampaignRecord {
    id: String,
    template_id: String,
    name_zh: String,
    name_en: String,
    items: String,
    area_code: String,
    due_at: NaiveDateTime,
    trigger_info: Option<String>,
    status: String,
    created_by: String,
    created_at: NaiveDateTime,
    cancelled_by: Option<String>,
    cancelled_at: Option<NaiveDateTime>,
}

/// A campaign, its items and trigger parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRow {
    pub id: String,
    pub template_id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The items as the campaign started with them.
    pub items: Vec<Item>,
    pub area_code: String,
    pub due_at: NaiveDateTime,
    pub trigger: Option<Trigger>,
    /// [`RUNNING`] or [`CANCELLED`].
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<NaiveDateTime>,
}

impl CampaignRow {
    /// Still taking answers.
    pub fn is_running(&self) -> bool {
        self.status == RUNNING
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

impl TryFrom<CampaignRecord> for CampaignRow {
    type Error = DbError;
    fn try_from(r: CampaignRecord) -> Result<Self, DbError> {
        let owner = format!("campaign {}", r.id);
        let items = parse_items(&owner, &r.items)?;
        let trigger = r
            .trigger_info
            .as_deref()
            .map(serde_json::from_str::<Trigger>)
            .transpose()
            .map_err(|e| DbError::Corrupt(format!("trigger of {owner}: {e}")))?;
        Ok(CampaignRow {
            id: r.id,
            template_id: r.template_id,
            name_zh: r.name_zh,
            name_en: r.name_en,
            items,
            area_code: r.area_code,
            due_at: r.due_at,
            trigger,
            status: r.status,
            created_by: r.created_by,
            created_at: r.created_at,
            cancelled_by: r.cancelled_by,
            cancelled_at: r.cancelled_at,
        })
    }
}

/// One grid's checklist task.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = check_tasks, treat_none_as_default_value = false)]
pub struct TaskRow {
    pub id: String,
    pub campaign_id: String,
    pub grid_code: String,
    /// Items answered so far.
    pub answered: i32,
    pub done_at: Option<NaiveDateTime>,
}

/// A campaign about to start.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub id: String,
    /// The template, as read in the starting transaction.
    pub template: Template,
    pub area: AreaCode,
    pub due_at: NaiveDateTime,
    pub trigger: Option<Trigger>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// What starting a campaign wrote.
#[derive(Debug, Clone)]
pub struct Started {
    pub campaign: CampaignRow,
    /// One per grid, in grid code order.
    pub tasks: Vec<TaskRow>,
    /// Inbox entries and pushes written.
    pub told: Told,
}

/// Starts a campaign: the campaign, one task per grid of `grids` (the
/// caller's area map knows them: `AreaMap::grids_under`), and for each task
/// an inbox entry and a push to each enabled grid worker and chief of that
/// grid, in their language, with the due time in the working calendar's
/// local time. Call it inside a write transaction; wake the push workers
/// after the commit when `told.pushes > 0`.
pub fn start_campaign(
    conn: &mut DbConnection,
    new: &NewCampaign,
    grids: &[&AreaCode],
) -> Result<Started, DbError> {
    let record = CampaignRecord {
        id: new.id.clone(),
        template_id: new.template.id.clone(),
        name_zh: new.template.name_zh.clone(),
        name_en: new.template.name_en.clone(),
        items: items_json(&new.template.items)?,
        area_code: new.area.to_string(),
        due_at: new.due_at,
        trigger_info: new
            .trigger
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| DbError::Other(format!("trigger: {e}")))?,
        status: RUNNING.to_owned(),
        created_by: new.created_by.clone(),
        created_at: new.created_at,
        cancelled_by: None,
        cancelled_at: None,
    };
    diesel::insert_into(campaigns::table)
        .values(&record)
        .execute(conn)?;
    let campaign = CampaignRow::try_from(record)?;

    let tasks: Vec<TaskRow> = grids
        .iter()
        .map(|grid| TaskRow {
            id: Uuid::now_v7().to_string(),
            campaign_id: campaign.id.clone(),
            grid_code: grid.to_string(),
            answered: 0,
            done_at: None,
        })
        .collect();
    for chunk in tasks.chunks(CHUNK) {
        insert_rows!(conn, check_tasks::table, chunk)?;
    }

    // The words, once per language.
    let offset = super::calendar::week(conn)?.utc_offset_minutes();
    let due_local = new.due_at + Duration::minutes(i64::from(offset));
    let text =
        |language| check_task_text(language, &campaign.name_zh, &campaign.name_en, due_local);
    let (zh, en) = (text(Language::Chinese), text(Language::English));

    let task_of: HashMap<&str, &str> = tasks
        .iter()
        .map(|t| (t.grid_code.as_str(), t.id.as_str()))
        .collect();
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for (grid, user_id, locale) in grid_staff(conn, &tasks)? {
        let Some(task_id) = task_of.get(grid.as_str()) else {
            continue;
        };
        // A worker who is also the chief of the grid hears once.
        if !seen.insert((grid.clone(), user_id.clone())) {
            continue;
        }
        let (title, body) = match Language::of_locale(&locale) {
            Language::Chinese => zh.clone(),
            Language::English => en.clone(),
        };
        entries.push(TaskEntry {
            user_id,
            task_id: (*task_id).to_owned(),
            title,
            body,
        });
    }
    let told = tell_about_tasks(conn, entries, new.created_at)?;
    Ok(Started {
        campaign,
        tasks,
        told,
    })
}

/// The enabled grid workers and chiefs of the tasks' grids: (grid, user,
/// locale), by grid code.
fn grid_staff(
    conn: &mut DbConnection,
    tasks: &[TaskRow],
) -> Result<Vec<(String, String, String)>, DbError> {
    let roles = [Role::GridWorker.as_str(), Role::GridChief.as_str()];
    let mut found = Vec::new();
    for chunk in tasks.chunks(CHUNK) {
        let codes: Vec<&str> = chunk.iter().map(|t| t.grid_code.as_str()).collect();
        found.extend(
            role_assignments::table
                .inner_join(users::table)
                .filter(role_assignments::role.eq_any(roles))
                .filter(role_assignments::area_code.assume_not_null().eq_any(codes))
                .filter(users::disabled.eq(false))
                .order((role_assignments::area_code.asc(), users::id.asc()))
                .select((
                    role_assignments::area_code.assume_not_null(),
                    users::id,
                    users::locale,
                ))
                .load::<(String, String, String)>(conn)?,
        );
    }
    Ok(found)
}

pub fn find_campaign(conn: &mut DbConnection, id: &str) -> Result<CampaignRow, DbError> {
    campaigns::table
        .find(id)
        .select(CampaignRecord::as_select())
        .first(conn)?
        .try_into()
}

/// A task with its campaign (items parsed), for answering it;
/// [`DbError::NotFound`] when there is no such task.
pub fn task_with_campaign(
    conn: &mut DbConnection,
    task_id: &str,
) -> Result<(TaskRow, CampaignRow), DbError> {
    let (task, campaign) = check_tasks::table
        .inner_join(campaigns::table)
        .filter(check_tasks::id.eq(task_id))
        .select((TaskRow::as_select(), CampaignRecord::as_select()))
        .first::<(TaskRow, CampaignRecord)>(conn)?;
    Ok((task, campaign.try_into()?))
}

/// A campaign with each grid's task and its answers.
#[derive(Debug, Clone)]
pub struct CampaignDetail {
    pub campaign: CampaignRow,
    /// By grid code; each task's answers in the order of the items.
    pub tasks: Vec<(TaskRow, Vec<Answer>)>,
}

/// The campaign, its tasks and every answer given.
pub fn campaign_detail(conn: &mut DbConnection, id: &str) -> Result<CampaignDetail, DbError> {
    let campaign = find_campaign(conn, id)?;
    let tasks: Vec<TaskRow> = check_tasks::table
        .filter(check_tasks::campaign_id.eq(id))
        .order(check_tasks::grid_code.asc())
        .select(TaskRow::as_select())
        .load(conn)?;
    let rows: Vec<AnswerRow> = check_answers::table
        .inner_join(check_tasks::table)
        .filter(check_tasks::campaign_id.eq(id))
        .select(AnswerRow::as_select())
        .load(conn)?;
    let mut by_task: HashMap<String, Vec<Answer>> = HashMap::new();
    for row in rows {
        let task = row.task_id.clone();
        by_task.entry(task).or_default().push(answer_of_row(row)?);
    }
    let position: HashMap<&str, usize> = campaign
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let tasks = tasks
        .into_iter()
        .map(|task| {
            let mut answers = by_task.remove(&task.id).unwrap_or_default();
            answers.sort_by_key(|a| position.get(a.item_id.as_str()).copied());
            (task, answers)
        })
        .collect();
    Ok(CampaignDetail { campaign, tasks })
}

/// Calls a campaign off: it takes no more answers. Again: no change.
/// [`DbError::NotFound`] when there is no such campaign.
pub fn cancel_campaign(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    now: NaiveDateTime,
) -> Result<CampaignRow, DbError> {
    diesel::update(
        campaigns::table
            .filter(campaigns::id.eq(id))
            .filter(campaigns::status.eq(RUNNING)),
    )
    .set((
        campaigns::status.eq(CANCELLED),
        campaigns::cancelled_by.eq(Some(by)),
        campaigns::cancelled_at.eq(Some(now)),
    ))
    .execute(conn)?;
    find_campaign(conn, id)
}

/// How far a campaign's grids have got, counted in the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    pub grids: i64,
    /// Tasks with at least one answer.
    pub started: i64,
    pub done: i64,
    /// Answers by kind.
    pub ok: i64,
    pub fixed: i64,
    pub raised: i64,
}

/// The counts of each campaign of `ids`.
pub fn task_counts(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, TaskCounts>, DbError> {
    use diesel::dsl::count_star;
    let mut out: HashMap<String, TaskCounts> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let count = |conn: &mut DbConnection,
                 started: bool,
                 done: bool|
     -> Result<Vec<(String, i64)>, DbError> {
        let mut query = check_tasks::table
            .filter(check_tasks::campaign_id.eq_any(ids))
            .group_by(check_tasks::campaign_id)
            .select((check_tasks::campaign_id, count_star()))
            .into_boxed();
        if started {
            query = query.filter(check_tasks::answered.gt(0));
        }
        if done {
            query = query.filter(check_tasks::done_at.is_not_null());
        }
        Ok(query.load(conn)?)
    };
    for (id, n) in count(conn, false, false)? {
        out.entry(id).or_default().grids = n;
    }
    for (id, n) in count(conn, true, false)? {
        out.entry(id).or_default().started = n;
    }
    for (id, n) in count(conn, false, true)? {
        out.entry(id).or_default().done = n;
    }
    for id in ids {
        let tasks = check_tasks::table
            .filter(check_tasks::campaign_id.eq(id))
            .select(check_tasks::id);
        let answers: Vec<(String, i64)> = check_answers::table
            .filter(check_answers::task_id.eq_any(tasks))
            .group_by(check_answers::answer)
            .select((check_answers::answer, count_star()))
            .load(conn)?;
        let counts = out.entry(id.clone()).or_default();
        for (answer, n) in answers {
            match AnswerKind::parse(&answer) {
                Some(AnswerKind::Ok) => counts.ok = n,
                Some(AnswerKind::Fixed) => counts.fixed = n,
                Some(AnswerKind::Raised) => counts.raised = n,
                None => {}
            }
        }
    }
    Ok(out)
}

/// Campaigns over `areas` (each with its subtree; `None`: every area),
/// newest first, after the campaign `after` (ids are UUID v7: their order
/// is the order campaigns started).
pub fn list_campaigns(
    conn: &mut DbConnection,
    areas: Option<&[AreaCode]>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<CampaignRow>, DbError> {
    let mut query = campaigns::table
        .select(CampaignRecord::as_select())
        .into_boxed();
    if let Some(areas) = areas {
        if areas.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        // The codes of a subtree: `:` sorts after every digit.
        let within = |area: &AreaCode| -> Condition {
            let prefix = area.subtree_prefix();
            let (from, to) = (prefix.to_owned(), format!("{prefix}:"));
            Box::new(
                campaigns::area_code
                    .ge(from)
                    .and(campaigns::area_code.lt(to)),
            )
        };
        let mut under = within(&areas[0]);
        for area in &areas[1..] {
            under = Box::new(under.or(within(area)));
        }
        query = query.filter(under);
    }
    if let Some(after) = after {
        query = query.filter(campaigns::id.lt(after.to_owned()));
    }
    let rows = query
        .order(campaigns::id.desc())
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?
        .into_iter()
        .map(CampaignRow::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, limit, |c| c.id.clone()))
}
