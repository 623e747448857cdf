//! Routing rules as the API writes them, and what the API answers about them.

use chrono::{DateTime, Utc};
use gridops_domain::area::AreaCode;
use gridops_domain::party::PartyKind;
use gridops_domain::routing::{
    DispatchLevel, Mode, RoutingRule, Target, TimeWindow, format_time, parse_time,
};
use gridops_infra::repo::routing::StoredRule;
use gridops_infra::repo::{categories, parties};
use gridops_infra::{DbConnection, DbError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::{ApiError, FieldError};
use crate::routes::incidents::dto::PriorityParam;
use crate::routes::parties::Kind;
use crate::state::AppState;

/// The levels that have dispatchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispatchLevelParam {
    Community,
    Subdistrict,
    District,
}

/// Whom a rule sends a case to. Only `party`, `mediator` and
/// `party_of_kind` may assist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetDto {
    /// This party.
    Party {
        #[schema(example = "zy-heating")]
        party: String,
    },
    /// The chief of the case's grid 网格长.
    GridChief,
    /// The workers of the case's grid 网格员.
    GridWorkers,
    /// The dispatchers of the case's community, subdistrict or district.
    Dispatcher { level: DispatchLevelParam },
    /// The mediation committee serving the case's community.
    Mediator,
    /// The party of this kind serving the case's place, the nearest first.
    PartyOfKind { party_kind: Kind },
    /// Whoever is on duty in the case's grid at the routing time (its duty
    /// roster, day exceptions, a patrol walking it: `/api/v1/rosters`); when
    /// nobody is, the grid's chief; without one, the community's dispatchers.
    OnDuty,
}

impl TargetDto {
    pub fn to_target(&self) -> Target {
        match self {
            TargetDto::Party { party } => Target::Party(party.clone()),
            TargetDto::GridChief => Target::GridChief,
            TargetDto::GridWorkers => Target::GridWorkers,
            TargetDto::Dispatcher { level } => Target::Dispatcher {
                level: match level {
                    DispatchLevelParam::Community => DispatchLevel::Community,
                    DispatchLevelParam::Subdistrict => DispatchLevel::Subdistrict,
                    DispatchLevelParam::District => DispatchLevel::District,
                },
            },
            TargetDto::Mediator => Target::Mediator,
            TargetDto::PartyOfKind { party_kind } => Target::PartyOfKind((*party_kind).into()),
            TargetDto::OnDuty => Target::OnDuty,
        }
    }

    pub fn of(target: &Target) -> TargetDto {
        match target {
            Target::Party(party) => TargetDto::Party {
                party: party.clone(),
            },
            Target::GridChief => TargetDto::GridChief,
            Target::GridWorkers => TargetDto::GridWorkers,
            Target::Dispatcher { level } => TargetDto::Dispatcher {
                level: match level {
                    DispatchLevel::Community => DispatchLevelParam::Community,
                    DispatchLevel::Subdistrict => DispatchLevelParam::Subdistrict,
                    DispatchLevel::District => DispatchLevelParam::District,
                },
            },
            Target::Mediator => TargetDto::Mediator,
            Target::PartyOfKind(kind) => TargetDto::PartyOfKind {
                party_kind: kind_param(*kind),
            },
            Target::OnDuty => TargetDto::OnDuty,
        }
    }
}

fn kind_param(kind: PartyKind) -> Kind {
    match kind {
        PartyKind::CommunityCommittee => Kind::CommunityCommittee,
        PartyKind::SubdistrictOffice => Kind::SubdistrictOffice,
        PartyKind::GovernmentDepartment => Kind::GovernmentDepartment,
        PartyKind::UrbanManagement => Kind::UrbanManagement,
        PartyKind::RescueStation => Kind::RescueStation,
        PartyKind::HeatingCompany => Kind::HeatingCompany,
        PartyKind::PropertyCompany => Kind::PropertyCompany,
        PartyKind::PoliceStation => Kind::PoliceStation,
        PartyKind::MediationCommittee => Kind::MediationCommittee,
        PartyKind::Utility => Kind::Utility,
    }
}

/// Local time of day (Beijing time), start included, end excluded; a window
/// whose end comes first runs across midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WindowDto {
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00")]
    pub from: String,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "07:00")]
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeParam {
    /// Dispatched to the target at once.
    AutoDispatch,
    /// Waits for a dispatcher, the target suggested.
    Triage,
}

/// A routing rule as an administrator writes it. Every condition is
/// optional; the most specific rule that matches a case routes it.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    #[validate(length(min = 1, max = 100, message = "1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100, example = "夜间犬只扰民：派出所")]
    pub name: String,
    /// A category code: the rule matches it and every category below it.
    #[schema(example = "neighbourhood.dog_noise")]
    pub category: Option<String>,
    /// An area code: the rule matches it and every area below it.
    #[schema(example = "410102003")]
    pub area: Option<String>,
    pub window: Option<WindowDto>,
    /// Only cases of this priority.
    pub priority: Option<PriorityParam>,
    pub target: TargetDto,
    /// Parties called to assist the target (吹哨报到).
    #[serde(default)]
    pub assists: Vec<TargetDto>,
    pub mode: ModeParam,
}

impl RuleRequest {
    /// The rule, with every field checked against the store and the area
    /// map; 422 naming each field that is wrong.
    pub async fn to_rule(&self, state: &AppState, id: String) -> Result<RoutingRule, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut wrong = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let area = match &self.area {
            None => None,
            Some(raw) => match AreaCode::parse(raw) {
                Ok(code) if state.areas.current().get(&code).is_some() => Some(code),
                Ok(code) => {
                    wrong("area", format!("no area {code}"));
                    None
                }
                Err(e) => {
                    wrong("area", e.to_string());
                    None
                }
            },
        };
        let window = match &self.window {
            None => None,
            Some(w) => match (parse_time(&w.from), parse_time(&w.to)) {
                (Some(from), Some(to)) => match TimeWindow::new(from, to) {
                    Ok(window) => Some(window),
                    Err(e) => {
                        wrong("window", e.to_string());
                        None
                    }
                },
                (None, _) => {
                    wrong("window.from", "a time of day, HH:MM".to_owned());
                    None
                }
                (_, None) => {
                    wrong("window.to", "a time of day, HH:MM".to_owned());
                    None
                }
            },
        };
        // The store's part: the category and every named party exist.
        let category = self.category.clone();
        let named: Vec<(String, String)> = std::iter::once(("target".to_owned(), &self.target))
            .chain(
                self.assists
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("assists[{i}]"), a)),
            )
            .filter_map(|(field, target)| match target {
                TargetDto::Party { party } => Some((format!("{field}.party"), party.clone())),
                _ => None,
            })
            .collect();
        let missing = state
            .db
            .run(move |conn| missing_references(conn, category.as_deref(), &named))
            .await?;
        for (field, message) in missing {
            wrong(&field, message);
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let rule = RoutingRule {
            id,
            name: self.name.trim().to_owned(),
            category: self.category.clone(),
            area,
            window,
            priority: self.priority.map(Into::into),
            target: self.target.to_target(),
            assists: self.assists.iter().map(TargetDto::to_target).collect(),
            mode: match self.mode {
                ModeParam::AutoDispatch => Mode::AutoDispatch,
                ModeParam::Triage => Mode::Triage,
            },
        };
        rule.check()
            .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
        Ok(rule)
    }
}

/// (field, message) for each reference that names nothing stored.
fn missing_references(
    conn: &mut DbConnection,
    category: Option<&str>,
    parties_named: &[(String, String)],
) -> Result<Vec<(String, String)>, DbError> {
    let mut missing = Vec::new();
    if let Some(code) = category {
        match categories::find(conn, code) {
            Ok(_) => {}
            Err(DbError::NotFound) => {
                missing.push(("category".to_owned(), format!("no category {code}")))
            }
            Err(e) => return Err(e),
        }
    }
    for (field, party) in parties_named {
        if !parties::exists(conn, party)? {
            missing.push((field.clone(), format!("no party {party}")));
        }
    }
    Ok(missing)
}

/// A routing rule as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub area: Option<String>,
    pub window: Option<WindowDto>,
    /// `low`, `normal`, `high` or `urgent`; absent for any.
    pub priority: Option<String>,
    pub target: TargetDto,
    pub assists: Vec<TargetDto>,
    /// `auto_dispatch` or `triage`.
    pub mode: String,
    /// Send it back in `If-Match` to change the rule (also the `ETag`).
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The id of the user who saved it last; `system` for demo rules.
    pub updated_by: String,
}

impl From<&StoredRule> for RuleView {
    fn from(stored: &StoredRule) -> Self {
        let rule = &stored.rule;
        RuleView {
            id: rule.id.clone(),
            name: rule.name.clone(),
            category: rule.category.clone(),
            area: rule.area.as_ref().map(ToString::to_string),
            window: rule.window.map(|w| WindowDto {
                from: format_time(w.start()),
                to: format_time(w.end()),
            }),
            priority: rule.priority.map(|p| p.as_str().to_owned()),
            target: TargetDto::of(&rule.target),
            assists: rule.assists.iter().map(TargetDto::of).collect(),
            mode: rule.mode.as_str().to_owned(),
            version: stored.version,
            created_at: stored.created_at.and_utc(),
            updated_at: stored.updated_at.and_utc(),
            updated_by: stored.updated_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    /// Oldest first.
    pub items: Vec<RuleView>,
}
