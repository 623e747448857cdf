//! The routing table (routing_rules), who fills which role around a place
//! ([`StoreDirectory`]), and every routing decision with its explanation
//! (routing_decisions).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::area::{AreaCode, AreaLevel};
use gridops_domain::category::Priority;
use gridops_domain::duty::OnDuty;
use gridops_domain::party::PartyKind;
use gridops_domain::role::Role;
use gridops_domain::routing::{
    Decision, Directory, Explanation, Mode, Recipient, RoutingRule, RuleRefused, Serving, Target,
    TimeWindow, check_rule, format_time, parse_time,
};
use serde::{Deserialize, Serialize};

use crate::db::{DbConnection, DbError};
use crate::schema::{
    parties, party_areas, role_assignments, routing_decisions, routing_rules, users,
};

/// A rule as stored: the rule, its version (the ETag) and who changed it last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub rule: RoutingRule,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The id of the user who saved it last (or `system` for seeded rules).
    pub updated_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = routing_rules)]
struct RuleRow {
    id: String,
    name: String,
    category_code: Option<String>,
    area_code: Option<String>,
    window_start: Option<String>,
    window_end: Option<String>,
    priority: Option<String>,
    target: String,
    assists: String,
    mode: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    updated_by: String,
}

impl RuleRow {
    fn new(rule: &RoutingRule, version: i64, created_at: NaiveDateTime, by: &str) -> Self {
        RuleRow {
            id: rule.id.clone(),
            name: rule.name.clone(),
            category_code: rule.category.clone(),
            area_code: rule.area.as_ref().map(ToString::to_string),
            window_start: rule.window.map(|w| format_time(w.start())),
            window_end: rule.window.map(|w| format_time(w.end())),
            priority: rule.priority.map(|p| p.as_str().to_owned()),
            target: rule.target.code(),
            assists: rule
                .assists
                .iter()
                .map(Target::code)
                .collect::<Vec<_>>()
                .join(","),
            mode: rule.mode.as_str().to_owned(),
            version,
            created_at,
            updated_at: created_at,
            updated_by: by.to_owned(),
        }
    }
}

impl TryFrom<RuleRow> for StoredRule {
    type Error = DbError;

    fn try_from(row: RuleRow) -> Result<Self, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("routing rule {}: {what}", row.id));
        let area = row
            .area_code
            .as_deref()
            .map(AreaCode::parse)
            .transpose()
            .map_err(|e| corrupt(&e.to_string()))?;
        let window = match (&row.window_start, &row.window_end) {
            (None, None) => None,
            (Some(start), Some(end)) => {
                let (Some(start), Some(end)) = (parse_time(start), parse_time(end)) else {
                    return Err(corrupt("window is not HH:MM"));
                };
                Some(TimeWindow::new(start, end).map_err(|e| corrupt(&e.to_string()))?)
            }
            _ => return Err(corrupt("a window has a start and an end")),
        };
        let priority = match &row.priority {
            None => None,
            Some(p) => Some(Priority::parse(p).ok_or_else(|| corrupt("unknown priority"))?),
        };
        let target = Target::parse_code(&row.target).ok_or_else(|| corrupt("unknown target"))?;
        let assists = row
            .assists
            .split(',')
            .filter(|a| !a.is_empty())
            .map(|a| Target::parse_code(a).ok_or_else(|| corrupt("unknown assist")))
            .collect::<Result<Vec<_>, _>>()?;
        let mode = Mode::parse(&row.mode).ok_or_else(|| corrupt("unknown mode"))?;
        Ok(StoredRule {
            rule: RoutingRule {
                id: row.id,
                name: row.name,
                category: row.category_code,
                area,
                window,
                priority,
                target,
                assists,
                mode,
            },
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
        })
    }
}

/// Every rule, oldest first.
pub fn list_rules(conn: &mut DbConnection) -> Result<Vec<StoredRule>, DbError> {
    routing_rules::table
        .select(RuleRow::as_select())
        .order((routing_rules::created_at.asc(), routing_rules::id.asc()))
        .load(conn)?
        .into_iter()
        .map(StoredRule::try_from)
        .collect()
}

/// The rules alone, as [`gridops_domain::routing::route`] takes them.
pub fn rules(conn: &mut DbConnection) -> Result<Vec<RoutingRule>, DbError> {
    Ok(list_rules(conn)?.into_iter().map(|s| s.rule).collect())
}

/// The rules that can concern a case of `category`: its own, those of the
/// categories above it, and those for any category. A city's table holds
/// thousands of rules, nearly all about other categories; routing a report
/// reads only these, and its explanation lists only these.
pub fn rules_for_category(
    conn: &mut DbConnection,
    category: &str,
) -> Result<Vec<RoutingRule>, DbError> {
    let lineage = gridops_domain::routing::category_lineage(category);
    routing_rules::table
        .filter(
            routing_rules::category_code
                .is_null()
                .or(routing_rules::category_code.eq_any(lineage)),
        )
        .select(RuleRow::as_select())
        .order((routing_rules::created_at.asc(), routing_rules::id.asc()))
        .load(conn)?
        .into_iter()
        .map(|row| StoredRule::try_from(row).map(|s| s.rule))
        .collect()
}

/// One rule; [`DbError::NotFound`] when there is none with this id.
pub fn find_rule(conn: &mut DbConnection, id: &str) -> Result<StoredRule, DbError> {
    routing_rules::table
        .find(id)
        .select(RuleRow::as_select())
        .first(conn)?
        .try_into()
}

/// Whether the table has no rule at all (demo rules are seeded only then).
pub fn no_rules(conn: &mut DbConnection) -> Result<bool, DbError> {
    let any: i64 = routing_rules::table.count().get_result(conn)?;
    Ok(any == 0)
}

/// Saving rules one at a time: two administrators saving rules that tie
/// must not both pass the check, each blind to the other's insert. SQLite's
/// write transactions already take turns (BEGIN IMMEDIATE); PostgreSQL's
/// would not, so they queue on a table lock that plain reads ignore.
fn take_turn(conn: &mut DbConnection) -> Result<(), DbError> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("LOCK TABLE routing_rules IN SHARE ROW EXCLUSIVE MODE").execute(pg)?;
    }
    Ok(())
}

/// Stores a new rule (version 1) unless it is invalid or ties with a saved
/// one. Call inside a write transaction: the check and the insert are one.
pub fn insert_rule(
    conn: &mut DbConnection,
    rule: &RoutingRule,
    by: &str,
    at: NaiveDateTime,
) -> Result<Result<(), RuleRefused>, DbError> {
    take_turn(conn)?;
    if let Err(refused) = check_rule(&rules(conn)?, rule) {
        return Ok(Err(refused));
    }
    diesel::insert_into(routing_rules::table)
        .values(RuleRow::new(rule, 1, at, by))
        .execute(conn)?;
    Ok(Ok(()))
}

/// Replaces a rule if it is still at `expected_version`: `Ok(Ok(false))`
/// when it changed meanwhile or is gone. Call inside a write transaction.
pub fn update_rule(
    conn: &mut DbConnection,
    rule: &RoutingRule,
    expected_version: i64,
    by: &str,
    at: NaiveDateTime,
) -> Result<Result<bool, RuleRefused>, DbError> {
    take_turn(conn)?;
    let current = match find_rule(conn, &rule.id) {
        Ok(current) => current,
        Err(DbError::NotFound) => return Ok(Ok(false)),
        Err(e) => return Err(e),
    };
    if current.version != expected_version {
        return Ok(Ok(false));
    }
    if let Err(refused) = check_rule(&rules(conn)?, rule) {
        return Ok(Err(refused));
    }
    let row = RuleRow::new(rule, expected_version + 1, current.created_at, by);
    let updated = diesel::update(
        routing_rules::table
            .filter(routing_rules::id.eq(&rule.id))
            .filter(routing_rules::version.eq(expected_version)),
    )
    .set((
        routing_rules::name.eq(&row.name),
        routing_rules::category_code.eq(&row.category_code),
        routing_rules::area_code.eq(&row.area_code),
        routing_rules::window_start.eq(&row.window_start),
        routing_rules::window_end.eq(&row.window_end),
        routing_rules::priority.eq(&row.priority),
        routing_rules::target.eq(&row.target),
        routing_rules::assists.eq(&row.assists),
        routing_rules::mode.eq(&row.mode),
        routing_rules::version.eq(row.version),
        routing_rules::updated_at.eq(at),
        routing_rules::updated_by.eq(by),
    ))
    .execute(conn)?;
    Ok(Ok(updated == 1))
}

/// Deletes a rule; `false` when there was none. Decisions it made keep its
/// id: they explain what happened then.
pub fn delete_rule(conn: &mut DbConnection, id: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(routing_rules::table.find(id)).execute(conn)? == 1)
}

/// The people and parties around one place, read once so that routing asks
/// memory, not the database, for each rule it tries.
#[derive(Debug, Clone, Default)]
pub struct StoreDirectory {
    /// (role, area of the grant, user id) of enabled users, for the areas of
    /// the place's lineage.
    grants: Vec<(Role, AreaCode, String)>,
    /// (kind, area served, party code), for the areas of the lineage.
    serving: Vec<(PartyKind, AreaCode, String)>,
    /// The place's grid and who is on duty there at the routing time.
    on_duty: Option<(AreaCode, Vec<OnDuty>)>,
}

impl StoreDirectory {
    /// Everything routing may ask about `grid` (a grid or micro-grid, or any
    /// area): the role grants and the parties of it and every area above it,
    /// and who is on duty in its grid at local time `local_at` (the time of
    /// the routing on the working calendar's clock).
    pub fn load(
        conn: &mut DbConnection,
        grid: &AreaCode,
        local_at: NaiveDateTime,
        rules: &[RoutingRule],
    ) -> Result<StoreDirectory, DbError> {
        // Who is on duty costs a few reads: only when a rule may ask.
        let asks_duty = rules.iter().any(|r| r.target == Target::OnDuty);
        let on_duty = match grid
            .lineage()
            .into_iter()
            .find(|a| a.fits_level(AreaLevel::Grid))
            .filter(|_| asks_duty)
        {
            Some(grid) => {
                let on = super::rosters::on_duty_in_grid(conn, &grid, local_at)?;
                Some((grid, on))
            }
            None => None,
        };
        let lineage: Vec<String> = grid.lineage().iter().map(ToString::to_string).collect();
        let grants: Vec<(String, Option<String>, String)> = role_assignments::table
            .inner_join(users::table)
            .filter(users::disabled.eq(false))
            .filter(role_assignments::area_code.eq_any(&lineage))
            .select((
                role_assignments::role,
                role_assignments::area_code,
                role_assignments::user_id,
            ))
            .order(role_assignments::user_id.asc())
            .load(conn)?;
        let serving: Vec<(String, String, String)> = party_areas::table
            .inner_join(parties::table)
            .filter(party_areas::area_code.eq_any(&lineage))
            .select((
                parties::kind,
                party_areas::area_code,
                party_areas::party_code,
            ))
            .order(party_areas::party_code.asc())
            .load(conn)?;
        Ok(StoreDirectory {
            // Rows that no longer parse (a role or kind removed since) can
            // hold nobody responsible: they are skipped, not fatal.
            grants: grants
                .into_iter()
                .filter_map(|(role, area, user)| {
                    Some((Role::parse(&role)?, AreaCode::parse(&area?).ok()?, user))
                })
                .collect(),
            serving: serving
                .into_iter()
                .filter_map(|(kind, area, party)| {
                    Some((
                        PartyKind::parse(&kind)?,
                        AreaCode::parse(&area).ok()?,
                        party,
                    ))
                })
                .collect(),
            on_duty,
        })
    }
}

impl Directory for StoreDirectory {
    fn on_duty(&self, grid: &AreaCode) -> Vec<OnDuty> {
        match &self.on_duty {
            Some((loaded, on)) if loaded == grid => on.clone(),
            _ => Vec::new(),
        }
    }

    fn users_with_role(&self, role: Role, area: &AreaCode) -> Vec<String> {
        let mut users: Vec<String> = self
            .grants
            .iter()
            .filter(|(r, a, _)| *r == role && a == area)
            .map(|(_, _, user)| user.clone())
            .collect();
        users.dedup();
        users
    }

    fn parties_of_kind_serving(&self, kind: PartyKind, area: &AreaCode) -> Vec<Serving> {
        let mut deepest: HashMap<&str, &AreaCode> = HashMap::new();
        for (k, served, party) in &self.serving {
            if *k != kind || !served.covers(area) {
                continue;
            }
            let entry = deepest.entry(party.as_str()).or_insert(served);
            if served.as_str().len() > entry.as_str().len() {
                *entry = served;
            }
        }
        let mut serving: Vec<Serving> = deepest
            .into_iter()
            .map(|(party, area)| Serving {
                party: party.to_owned(),
                area: area.clone(),
            })
            .collect();
        serving.sort_by(|a, b| a.party.cmp(&b.party));
        serving
    }
}

/// A routing decision as recorded for an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDecision {
    pub id: String,
    pub incident_id: String,
    pub decided_at: NaiveDateTime,
    /// `report`, `accept` or `return`: what made the incident be routed.
    pub cause: String,
    pub decision: Decision,
}

/// The explanation column: the verdicts, and the assists (which have no
/// column of their own), all as codes.
#[derive(Serialize, Deserialize)]
struct ExplanationColumn {
    #[serde(flatten)]
    explanation: Explanation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    assists: Vec<String>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = routing_decisions)]
struct DecisionRow {
    id: String,
    incident_id: String,
    decided_at: NaiveDateTime,
    cause: String,
    rule_id: Option<String>,
    target: String,
    recipient: String,
    mode: String,
    explanation: String,
}

/// Records why an incident went where it went. Call in the transaction that
/// routes it, so a step that rolls back leaves no decision behind.
pub fn record_decision(
    conn: &mut DbConnection,
    incident_id: &str,
    cause: &str,
    decision: &Decision,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let explanation = serde_json::to_string(&ExplanationColumn {
        explanation: decision.explanation.clone(),
        assists: decision.assists.clone(),
    })
    .map_err(|e| DbError::Other(format!("routing explanation: {e}")))?;
    diesel::insert_into(routing_decisions::table)
        .values(DecisionRow {
            id: uuid::Uuid::now_v7().to_string(),
            incident_id: incident_id.to_owned(),
            decided_at: at,
            cause: cause.to_owned(),
            rule_id: decision.rule.clone(),
            target: decision.target.code(),
            recipient: decision.recipient.code(),
            mode: decision.mode.as_str().to_owned(),
            explanation,
        })
        .execute(conn)?;
    Ok(())
}

/// Whether the incident has been routed before (a later routing is a
/// re-routing: after a return, or after its on-site check).
pub fn was_routed(conn: &mut DbConnection, incident_id: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        routing_decisions::table.filter(routing_decisions::incident_id.eq(incident_id)),
    ))
    .get_result(conn)?)
}

/// The decisions taken for an incident, oldest first.
pub fn decisions(
    conn: &mut DbConnection,
    incident_id: &str,
) -> Result<Vec<StoredDecision>, DbError> {
    routing_decisions::table
        .filter(routing_decisions::incident_id.eq(incident_id))
        .select(DecisionRow::as_select())
        .order((
            routing_decisions::decided_at.asc(),
            routing_decisions::id.asc(),
        ))
        .load(conn)?
        .into_iter()
        .map(decision_from_row)
        .collect()
}

fn decision_from_row(row: DecisionRow) -> Result<StoredDecision, DbError> {
    let corrupt = |what: String| DbError::Corrupt(format!("routing decision {}: {what}", row.id));
    let column: ExplanationColumn =
        serde_json::from_str(&row.explanation).map_err(|e| corrupt(e.to_string()))?;
    let decision = Decision {
        rule: row.rule_id.clone(),
        target: Target::parse_code(&row.target)
            .ok_or_else(|| corrupt(format!("unknown target {}", row.target)))?,
        recipient: Recipient::parse_code(&row.recipient)
            .ok_or_else(|| corrupt(format!("unknown recipient {}", row.recipient)))?,
        mode: Mode::parse(&row.mode)
            .ok_or_else(|| corrupt(format!("unknown mode {}", row.mode)))?,
        assists: column.assists,
        explanation: column.explanation,
    };
    Ok(StoredDecision {
        id: row.id,
        incident_id: row.incident_id,
        decided_at: row.decided_at,
        cause: row.cause,
        decision,
    })
}

/// Names of parties, by code, in Chinese and English: what an explanation
/// shows instead of codes. Codes with no party are left out.
pub fn party_names(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<HashMap<String, (String, String)>, DbError> {
    Ok(parties::table
        .filter(parties::code.eq_any(codes))
        .select((parties::code, parties::name, parties::name_en))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(code, zh, en)| (code, (zh, en)))
        .collect())
}

/// Display names of users, by id, for the people a case was routed to.
pub fn user_names(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, String>, DbError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
