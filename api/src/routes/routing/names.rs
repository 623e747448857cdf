//! A routing decision as a reader sees it: names instead of codes, the
//! explanation in their language, and each rule's verdict.

use std::collections::HashMap;
use std::sync::Arc;

use gridops_domain::access::Actor;
use gridops_domain::area::{AreaCode, AreaMap};
use gridops_domain::notification::template::Language;
use gridops_domain::routing::{Decision, Labels, Recipient, Target, Verdict};
use gridops_infra::repo::{categories, routing, users};
use gridops_infra::{DbConnection, DbError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::TargetDto;
use crate::error::ApiError;
use crate::routes::rosters::dto::OnDutyView;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `zh-CN` or `en`; the caller's account locale when absent.
    #[validate(custom(function = "crate::extract::check_locale"))]
    #[param(pattern = "^(zh-CN|en)$")]
    pub lang: Option<String>,
}

/// The language the caller asked for, else their account's.
pub async fn language_of(
    state: &AppState,
    actor: &Actor,
    asked: Option<String>,
) -> Result<Language, ApiError> {
    if let Some(locale) = asked {
        return Ok(Language::of_locale(&locale));
    }
    let id = actor.user_id.clone();
    let account = state.db.run(move |conn| users::find(conn, &id)).await?;
    Ok(Language::of_locale(&account.user.locale))
}

/// The names an explanation shows.
#[derive(Debug, Clone)]
pub struct Names {
    areas: Arc<AreaMap>,
    categories: HashMap<String, (String, String)>,
    parties: HashMap<String, (String, String)>,
    rules: HashMap<String, String>,
    users: HashMap<String, String>,
}

impl Names {
    /// The names of everything these decisions mention.
    pub fn load(
        conn: &mut DbConnection,
        areas: Arc<AreaMap>,
        decisions: &[&Decision],
    ) -> Result<Names, DbError> {
        let mut party_codes: Vec<String> = Vec::new();
        let mut user_ids: Vec<String> = Vec::new();
        for decision in decisions {
            party_codes.extend(decision.assists.iter().cloned());
            match &decision.recipient {
                Recipient::Party(party) => party_codes.push(party.clone()),
                Recipient::Users { users, .. } => user_ids.extend(users.iter().cloned()),
                Recipient::DispatchQueue(_) => {}
            }
            if let Target::Party(party) = &decision.target {
                party_codes.push(party.clone());
            }
            if let Some(on_duty) = &decision.explanation.on_duty {
                user_ids.extend(on_duty.iter().map(|d| d.user.clone()));
            }
            for considered in &decision.explanation.considered {
                match &considered.verdict {
                    Verdict::Returned { party } => party_codes.push(party.clone()),
                    Verdict::NobodyFills {
                        target: Target::Party(party),
                    } => party_codes.push(party.clone()),
                    _ => {}
                }
            }
        }
        party_codes.sort();
        party_codes.dedup();
        Ok(Names {
            areas,
            categories: categories::list(conn)?
                .into_iter()
                .map(|c| (c.code, (c.label_zh, c.label_en)))
                .collect(),
            parties: routing::party_names(conn, &party_codes)?,
            rules: routing::list_rules(conn)?
                .into_iter()
                .map(|s| (s.rule.id, s.rule.name))
                .collect(),
            users: routing::user_names(conn, &user_ids)?,
        })
    }

    fn pick(pair: &(String, String), language: Language) -> String {
        match language {
            Language::Chinese => pair.0.clone(),
            Language::English => pair.1.clone(),
        }
    }

    pub fn area_name(&self, code: &AreaCode, language: Language) -> String {
        self.area(code, language)
            .unwrap_or_else(|| code.to_string())
    }

    pub fn party_name(&self, code: &str, language: Language) -> String {
        self.party(code, language)
            .unwrap_or_else(|| code.to_owned())
    }

    pub fn category_name(&self, code: &str, language: Language) -> String {
        self.category(code, language)
            .unwrap_or_else(|| code.to_owned())
    }

    fn rule_ref(&self, id: &str) -> RuleRef {
        RuleRef {
            id: id.to_owned(),
            // A deleted rule is known by its id alone.
            name: self.rules.get(id).cloned(),
        }
    }

    /// The decision as the API shows it, in `language`.
    pub fn view(&self, decision: &Decision, language: Language) -> DecisionView {
        let lines = decision.explain_with(language, self);
        let named = |code: &str| Named {
            code: code.to_owned(),
            name: self.party_name(code, language),
        };
        let recipient = match &decision.recipient {
            Recipient::Party(party) => RecipientView {
                kind: "party".into(),
                code: decision.recipient.code(),
                party: Some(named(party)),
                area: None,
                role: None,
                users: Vec::new(),
            },
            Recipient::Users { role, area, users } => RecipientView {
                kind: "users".into(),
                code: decision.recipient.code(),
                party: None,
                area: Some(Named {
                    code: area.to_string(),
                    name: self.area_name(area, language),
                }),
                role: Some(role.as_str().to_owned()),
                users: users
                    .iter()
                    .map(|id| Named {
                        code: id.clone(),
                        name: self.users.get(id).cloned().unwrap_or_else(|| id.clone()),
                    })
                    .collect(),
            },
            Recipient::DispatchQueue(area) => RecipientView {
                kind: "queue".into(),
                code: decision.recipient.code(),
                party: None,
                area: Some(Named {
                    code: area.to_string(),
                    name: self.area_name(area, language),
                }),
                role: Some("dispatcher".into()),
                users: Vec::new(),
            },
        };
        let grid = match &decision.recipient {
            Recipient::Users { area, .. } => area.to_string(),
            _ => String::new(),
        };
        DecisionView {
            on_duty: decision.explanation.on_duty.as_ref().map(|on| {
                on.iter()
                    .map(|d| OnDutyView::of(&grid, d, &self.users))
                    .collect()
            }),
            rule: decision.rule.as_deref().map(|id| self.rule_ref(id)),
            target: TargetDto::of(&decision.target),
            recipient,
            mode: decision.mode.as_str().to_owned(),
            assists: decision.assists.iter().map(|p| named(p)).collect(),
            considered: decision
                .explanation
                .considered
                .iter()
                .zip(lines.iter().skip(1))
                .map(|(c, line)| ConsideredView {
                    rule: self.rule_ref(&c.rule),
                    verdict: serde_json::to_value(&c.verdict).unwrap_or_default(),
                    text: line.clone(),
                })
                .collect(),
            explanation: lines,
        }
    }
}

impl Labels for Names {
    fn category(&self, code: &str, language: Language) -> Option<String> {
        self.categories.get(code).map(|p| Names::pick(p, language))
    }

    fn area(&self, code: &AreaCode, language: Language) -> Option<String> {
        self.areas.get(code).map(|a| match language {
            Language::Chinese => a.name.clone(),
            Language::English => a.name_en.clone(),
        })
    }

    fn party(&self, code: &str, language: Language) -> Option<String> {
        self.parties.get(code).map(|p| Names::pick(p, language))
    }

    fn rule(&self, id: &str, _language: Language) -> Option<String> {
        self.rules.get(id).cloned()
    }

    fn user(&self, id: &str, _language: Language) -> Option<String> {
        self.users.get(id).cloned()
    }
}

/// A code with the name shown for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleRef {
    pub id: String,
    /// Absent when the rule has been deleted since.
    pub name: Option<String>,
}

/// Who the case goes to, concretely.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientView {
    /// `party`, `users` (the grid's chief or workers) or `queue` (an area's
    /// dispatchers).
    pub kind: String,
    /// As stored: `party:<code>`, `users:<role>:<area>:<ids>`, `queue:<area>`.
    pub code: String,
    pub party: Option<Named>,
    pub area: Option<Named>,
    pub role: Option<String>,
    /// The users by id, with their display names.
    pub users: Vec<Named>,
}

/// What one rule said about the case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsideredView {
    pub rule: RuleRef,
    /// `{"kind": "chosen"}`, `{"kind": "outside_window", "window": {...}, "at": "12:00"}`,
    /// `{"kind": "less_specific", "than": "<rule id>", "by": "category"}`, …
    #[schema(value_type = Object)]
    pub verdict: serde_json::Value,
    /// The same in words, in the language asked for.
    pub text: String,
}

/// A routing decision in the reader's words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    /// The rule chosen; absent when none could take the case and it fell to
    /// the subdistrict's dispatchers (属地兜底).
    pub rule: Option<RuleRef>,
    pub target: TargetDto,
    pub recipient: RecipientView,
    /// `auto_dispatch` or `triage`.
    pub mode: String,
    /// Parties called to assist (吹哨报到).
    pub assists: Vec<Named>,
    /// For the `on_duty` target: who was on duty in the grid and why; empty
    /// when nobody was and the case fell to the chief or the community's
    /// dispatchers. Absent for other targets.
    pub on_duty: Option<Vec<OnDutyView>>,
    /// The outcome, then one line per rule considered.
    pub explanation: Vec<String>,
    /// Every rule considered, in the table's order.
    pub considered: Vec<ConsideredView>,
}
