//! `GET /api/v1/stats/kpis` and `GET /api/v1/stats/kpis.csv`: the counts
//! and rates of a period, grouped and ranked, for the caller's own areas or
//! party (administrators and auditors: the whole city).

use std::collections::HashMap;

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use gridops_domain::access::{Actor, Capability, Place, decide};
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::role::Role;
use gridops_domain::stats::{Counter, GroupBy, KpiRules, Period, Rate, RateName, table};
use gridops_infra::repo::stats::{GroupColumn, KpiQuery};
use gridops_infra::repo::{categories, parties, stats};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupByParam {
    /// The areas one level below the area asked about (without one: the
    /// districts).
    Area,
    Party,
    Category,
    Day,
    /// ISO weeks, named by their Monday.
    Week,
    Month,
}

impl From<GroupByParam> for GroupBy {
    fn from(g: GroupByParam) -> Self {
        match g {
            GroupByParam::Area => GroupBy::Area,
            GroupByParam::Party => GroupBy::Party,
            GroupByParam::Category => GroupBy::Category,
            GroupByParam::Day => GroupBy::Day,
            GroupByParam::Week => GroupBy::Week,
            GroupByParam::Month => GroupBy::Month,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// First local date of the period, `YYYY-MM-DD`.
    #[param(value_type = String, format = Date, example = "2026-10-01")]
    pub from: NaiveDate,
    /// Last local date of the period (included), `YYYY-MM-DD`.
    #[param(value_type = String, format = Date, example = "2026-12-31")]
    pub to: NaiveDate,
    /// An area code: only its grids. Dispatchers: one of their areas or
    /// below (default: all of theirs).
    #[validate(length(min = 1, max = 32, message = "1 to 32 characters"))]
    #[param(
        pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$",
        min_length = 1,
        max_length = 32
    )]
    pub area: Option<String>,
    /// A party code. Handlers: their own (the default).
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[param(min_length = 1, max_length = 64)]
    pub party: Option<String>,
    /// A category code: it and the categories below it.
    #[validate(length(min = 1, max = 128, message = "1 to 128 characters"))]
    #[param(min_length = 1, max_length = 128)]
    pub category: Option<String>,
    /// What the rows are (default `area`).
    pub group_by: Option<GroupByParam>,
}

/// Each counter of a group (see the README for what each counts).
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiCounts {
    /// Reports made in the period.
    pub reported: i64,
    /// Cases first dispatched in the period.
    pub dispatched: i64,
    /// Of those, acknowledged by the deadline.
    pub acknowledged_in_time: i64,
    /// Of those, given an extension.
    pub extended: i64,
    /// Cases whose resolve deadline fell in the period 应结案数 (not in the ledger).
    pub due: i64,
    /// Of those, closed 结案数.
    pub closed: i64,
    /// Of those, resolved by the deadline and closed 按期结案数.
    pub closed_in_time: i64,
    /// Of the due, those suspended 缓办 at some time.
    pub due_suspended: i64,
    pub closed_suspended: i64,
    pub closed_in_time_suspended: i64,
    /// Cases due in the period that are in the problem ledger 挂账.
    pub ledgered: i64,
    /// Cases closed by a verification in the period.
    pub verified: i64,
    /// Of those, reopened before 返工.
    pub reworked: i64,
    /// Of those, closed without complete evidence (photos after the
    /// dispatch, near the place, before and after).
    pub closures_without_evidence: i64,
    /// Ratings given in the period.
    pub rated: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub dissatisfied: i64,
    /// Ratings that answered "was it solved?".
    pub solved_answered: i64,
    pub solved: i64,
}

/// A rate: numerator over denominator, and the percentage (two decimals;
/// absent without a denominator).
#[derive(Debug, Serialize, ToSchema)]
pub struct RateView {
    pub numerator: i64,
    pub denominator: i64,
    pub percent: Option<f64>,
}

/// The rates, each defined once (README: "Statistics").
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiRates {
    /// 结案率: closed / due.
    pub closure: RateView,
    /// 按期结案率: resolved by the deadline and closed / due.
    pub on_time_closure: RateView,
    /// 返工率: reworked / verified.
    pub rework: RateView,
    /// 延期率: extended / dispatched.
    pub extension: RateView,
    /// 响应率: acknowledged by the deadline / dispatched.
    pub response: RateView,
    /// 解决率: solved / answered.
    pub solved: RateView,
    /// 满意率: satisfied (+ basically satisfied, by the rules) / rated.
    pub satisfied: RateView,
}

/// One row of the table.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiGroup {
    /// The area, party or category code, the date (day, week's Monday) or
    /// the month `YYYY-MM`; `total` for the total row.
    pub key: String,
    /// Its name, for areas, parties and categories.
    pub name: Option<String>,
    pub name_en: Option<String>,
    /// 1 = best composite score; equal scores share a rank; absent for
    /// periods and for groups without any weighted rate.
    pub rank: Option<u32>,
    /// The composite score 0–100 (weighted rates; rework and extension as
    /// 100 − rate).
    pub score: Option<f64>,
    pub counts: KpiCounts,
    pub rates: KpiRates,
}

/// The city's rules the rates were computed by (settings).
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiRulesView {
    pub basically_satisfied_counts: bool,
    pub suspended_leave_denominators: bool,
    /// Rate name → weight in the composite score.
    pub weights: HashMap<String, u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiTable {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub group_by: GroupByParam,
    /// The areas the numbers cover (empty: the whole city).
    pub areas: Vec<String>,
    /// The parties they cover (empty: all).
    pub parties: Vec<String>,
    pub category: Option<String>,
    pub rules: KpiRulesView,
    /// Ranked best first for areas, parties and categories; in time order
    /// for days, weeks and months.
    pub groups: Vec<KpiGroup>,
    pub total: KpiGroup,
}

/// The counts and rates of a period by area, party, category, day, week or
/// month, ranked by the composite score. Dispatchers read their own areas,
/// handlers their own party, administrators and auditors the city.
#[utoipa::path(
    tag = "stats",
    params(KpiParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The table", body = KpiTable),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's area or party", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter (the field is named)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/kpis")]
pub async fn kpis(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(params): ValidQuery<KpiParams>,
) -> Result<web::Json<KpiTable>, ApiError> {
    Ok(web::Json(answer(&state, &actor, params).await?))
}

/// The same table as CSV (UTF-8 with a byte-order mark, so Excel shows the
/// Chinese names; one row per group and the total last).
#[utoipa::path(
    tag = "stats",
    params(KpiParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The table as CSV", body = String, content_type = "text/csv"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's area or party", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter (the field is named)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/kpis.csv")]
pub async fn kpis_csv(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(params): ValidQuery<KpiParams>,
) -> Result<HttpResponse, ApiError> {
    let table = answer(&state, &actor, params).await?;
    let body = csv_of(&table).map_err(ApiError::internal)?;
    let name = format!(
        "kpis-{}-{}-by-{}.csv",
        table.from,
        table.to,
        GroupBy::from(table.group_by).as_str()
    );
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body))
}

/// Whose numbers: the areas and parties the question covers, after the
/// caller's defaults; refused unless `domain::access` grants them.
fn scope_of(
    actor: &Actor,
    map: &AreaMap,
    area: Option<&str>,
    party: Option<&str>,
) -> Result<(Vec<AreaCode>, Vec<String>), ApiError> {
    let area = match area {
        None => None,
        Some(code) => {
            let code: AreaCode = code
                .parse()
                .map_err(|_| ApiError::invalid_field("area", "not an area code"))?;
            if map.get(&code).is_none() {
                return Err(ApiError::invalid_field("area", "no such area"));
            }
            Some(code)
        }
    };
    let citywide = actor.is_admin() || actor.has_role(Role::Auditor);
    let areas: Vec<AreaCode> = match area {
        Some(area) => vec![area],
        None if citywide => Vec::new(),
        None => actor.dispatch_areas().cloned().collect(),
    };
    let parties: Vec<String> = match party {
        Some(party) => vec![party.to_owned()],
        None if citywide || !areas.is_empty() => Vec::new(),
        None => actor
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler)
            .filter_map(|g| g.party.clone())
            .collect(),
    };
    let place = Place {
        areas: &areas,
        parties: &parties,
        owner: None,
    };
    if !decide(actor, Capability::ReadStats, place).is_granted() {
        return Err(ApiError::forbidden(
            "the numbers of your own areas (dispatchers) or your own party (handlers) only",
        ));
    }
    Ok((areas, parties))
}

async fn answer(state: &AppState, actor: &Actor, params: KpiParams) -> Result<KpiTable, ApiError> {
    let period = Period::new(params.from, params.to)
        .map_err(|e| ApiError::invalid_field("to", e.to_string()))?;
    let group_by = params.group_by.unwrap_or(GroupByParam::Area);
    let grouping = GroupBy::from(group_by);
    let map = state.areas.current();
    let (areas, parties) = scope_of(actor, &map, params.area.as_deref(), params.party.as_deref())?;
    let category = params.category.clone();
    let query = KpiQuery {
        from: period.from,
        to: period.to,
        area_prefixes: areas
            .iter()
            .map(|a| a.subtree_prefix().to_owned())
            .collect(),
        parties: parties.clone(),
        category: category.clone(),
        group: match grouping {
            GroupBy::Area => GroupColumn::Grid,
            GroupBy::Party => GroupColumn::Party,
            GroupBy::Category => GroupColumn::Category,
            GroupBy::Day | GroupBy::Week | GroupBy::Month => GroupColumn::Day,
        },
    };
    // Names and the filters' existence come from the primary (reference
    // data); the counters from the stats database, a replica if configured.
    let (party_names, category_names, unknown) = {
        let (party, category) = (params.party.clone(), category.clone());
        state
            .db
            .run(move |conn| {
                let unknown = if let Some(p) = &party
                    && !parties::exists(conn, p)?
                {
                    Some(("party", "no such party"))
                } else if let Some(c) = &category
                    && !categories::list(conn)?.iter().any(|k| &k.code == c)
                {
                    Some(("category", "no such category"))
                } else {
                    None
                };
                Ok((parties::names(conn)?, categories::list(conn)?, unknown))
            })
            .await?
    };
    if let Some((field, message)) = unknown {
        return Err(ApiError::invalid_field(field, message));
    }
    let rows = state
        .stats_db
        .run(move |conn| stats::kpis(conn, &query))
        .await?;
    let grouped = rows.into_iter().filter_map(|(key, counts)| {
        let key = match grouping {
            GroupBy::Area => area_group(&map, &areas, &key),
            GroupBy::Party | GroupBy::Category => key,
            GroupBy::Day | GroupBy::Week | GroupBy::Month => {
                // SQLite keeps dates as text, PostgreSQL prints them so.
                let day: NaiveDate = key.get(..10)?.parse().ok()?;
                grouping.period_of(day)?
            }
        };
        Some((key, counts))
    });
    let rules: &KpiRules = &state.kpi_rules;
    let (groups, total) = table(grouped, grouping, rules);
    let name = |key: &str| -> (Option<String>, Option<String>) {
        match grouping {
            GroupBy::Area => key
                .parse::<AreaCode>()
                .ok()
                .and_then(|code| map.get(&code))
                .map_or((None, None), |a| {
                    (Some(a.name.clone()), Some(a.name_en.clone()))
                }),
            GroupBy::Party if key.is_empty() => {
                (Some("未派遣".to_owned()), Some("not dispatched".to_owned()))
            }
            GroupBy::Party => party_names.get(key).map_or((None, None), |(zh, en)| {
                (Some(zh.clone()), Some(en.clone()))
            }),
            GroupBy::Category => category_names
                .iter()
                .find(|c| c.code == key)
                .map_or((None, None), |c| {
                    (Some(c.label_zh.clone()), Some(c.label_en.clone()))
                }),
            GroupBy::Day | GroupBy::Week | GroupBy::Month => (None, None),
        }
    };
    let groups: Vec<KpiGroup> = groups
        .into_iter()
        .map(|g| {
            let (zh, en) = name(&g.key);
            group_view(g, zh, en)
        })
        .collect();
    let total = group_view(total, Some("合计".to_owned()), Some("total".to_owned()));
    Ok(KpiTable {
        from: period.from,
        to: period.to,
        group_by,
        areas: areas.iter().map(|a| a.to_string()).collect(),
        parties,
        category,
        rules: KpiRulesView {
            basically_satisfied_counts: rules.basically_satisfied_counts,
            suspended_leave_denominators: rules.suspended_leave_denominators,
            weights: rules
                .weights
                .0
                .iter()
                .map(|(r, w)| (r.as_str().to_owned(), *w))
                .collect(),
        },
        groups,
        total,
    })
}

/// The area of the table a grid's numbers belong to: the child of an area
/// asked about that holds it (the grid itself when it was asked about);
/// without areas asked, its district.
fn area_group(map: &AreaMap, areas: &[AreaCode], grid: &str) -> String {
    let Ok(grid) = grid.parse::<AreaCode>() else {
        return grid.to_owned();
    };
    if areas.is_empty() {
        return map.district_of(&grid);
    }
    for area in areas {
        if *area == grid {
            return grid.to_string();
        }
        if let Some(child) = map.children(area).find(|c| c.code.covers(&grid)) {
            return child.code.to_string();
        }
    }
    grid.to_string()
}

fn rate_view(rates: &[Rate], name: RateName) -> RateView {
    rates.iter().find(|r| r.name == name).map_or(
        RateView {
            numerator: 0,
            denominator: 0,
            percent: None,
        },
        |r| RateView {
            numerator: r.numerator,
            denominator: r.denominator,
            percent: r.percent,
        },
    )
}

fn group_view(
    g: gridops_domain::stats::Group,
    name: Option<String>,
    name_en: Option<String>,
) -> KpiGroup {
    let c = |counter: Counter| g.counts.get(counter);
    KpiGroup {
        counts: KpiCounts {
            reported: c(Counter::Reported),
            dispatched: c(Counter::Dispatched),
            acknowledged_in_time: c(Counter::AcknowledgedInTime),
            extended: c(Counter::Extended),
            due: c(Counter::Due),
            closed: c(Counter::Closed),
            closed_in_time: c(Counter::ClosedInTime),
            due_suspended: c(Counter::DueSuspended),
            closed_suspended: c(Counter::ClosedSuspended),
            closed_in_time_suspended: c(Counter::ClosedInTimeSuspended),
            ledgered: c(Counter::Ledgered),
            verified: c(Counter::Verified),
            reworked: c(Counter::Reworked),
            closures_without_evidence: c(Counter::WithoutEvidence),
            rated: c(Counter::Rated),
            satisfied: c(Counter::Satisfied),
            basically_satisfied: c(Counter::BasicallySatisfied),
            dissatisfied: c(Counter::Dissatisfied),
            solved_answered: c(Counter::SolvedAnswered),
            solved: c(Counter::Solved),
        },
        rates: KpiRates {
            closure: rate_view(&g.rates, RateName::Closure),
            on_time_closure: rate_view(&g.rates, RateName::OnTimeClosure),
            rework: rate_view(&g.rates, RateName::Rework),
            extension: rate_view(&g.rates, RateName::Extension),
            response: rate_view(&g.rates, RateName::Response),
            solved: rate_view(&g.rates, RateName::Solved),
            satisfied: rate_view(&g.rates, RateName::Satisfied),
        },
        key: g.key,
        name,
        name_en,
        rank: g.rank,
        score: g.score,
    }
}

/// The table as CSV: the counters and each rate's percentage under
/// headings in Chinese and English, with a byte-order mark for Excel.
fn csv_of(table: &KpiTable) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let mut heading: Vec<String> = ["编码 key", "名称 name", "排名 rank", "综合得分 score"]
        .map(str::to_owned)
        .to_vec();
    heading.extend(
        Counter::ALL
            .iter()
            .map(|c| format!("{} {}", c.label_zh(), c.as_str())),
    );
    heading.extend(
        RateName::ALL
            .iter()
            .map(|r| format!("{}% {}", r.label_zh(), r.as_str())),
    );
    out.write_record(&heading)?;
    for g in table.groups.iter().chain(std::iter::once(&table.total)) {
        let mut record = vec![
            g.key.clone(),
            g.name.clone().unwrap_or_default(),
            g.rank.map(|r| r.to_string()).unwrap_or_default(),
            g.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
        ];
        let counts = serde_json::to_value(&g.counts).unwrap_or_default();
        record.extend(
            Counter::ALL
                .iter()
                .map(|c| counts[c.as_str()].as_i64().unwrap_or(0).to_string()),
        );
        let rates = serde_json::to_value(&g.rates).unwrap_or_default();
        record.extend(RateName::ALL.iter().map(|r| {
            rates[r.as_str()]["percent"]
                .as_f64()
                .map(|p| format!("{p:.2}"))
                .unwrap_or_default()
        }));
        out.write_record(&record)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}
