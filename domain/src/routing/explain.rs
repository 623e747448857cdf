//! Why a case went where it went, in words a dispatcher reads at the console:
//! the outcome first, then every rule with what it said about this case.

use chrono::{Datelike, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::category::Priority;
use crate::duty::{OnDuty, Why};
use crate::notification::template::Language;
use crate::party::PartyKind;
use crate::role::Role;

use super::codes::serde_codes;
use super::{Decision, Dimension, DispatchLevel, Mode, Recipient, Target, TimeWindow};

/// Every rule routing looked at, in the order it was given. Stored as JSON
/// of codes (no words), so a decision reads in whichever language its reader
/// asks for, years later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub considered: Vec<Considered>,
    /// For a case sent to [`Target::OnDuty`]: who was on duty and why;
    /// empty when nobody was and it fell to the grid's chief or the
    /// community's dispatchers. Absent for every other target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_duty: Option<Vec<OnDuty>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Considered {
    /// The rule's id.
    pub rule: String,
    pub verdict: Verdict,
}

/// What one rule said about the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// It routed the case.
    Chosen,
    /// The case's category is not this one or below it.
    OtherCategory { category: String },
    /// The case lies outside this area.
    OutsideArea {
        #[serde(with = "serde_codes::area")]
        area: AreaCode,
    },
    /// The case was routed at `at`, outside the rule's hours.
    OutsideWindow {
        #[serde(with = "serde_codes::window")]
        window: TimeWindow,
        #[serde(with = "serde_codes::time")]
        at: NaiveTime,
    },
    /// The rule is for cases of another priority.
    OtherPriority { priority: Priority },
    /// It matched, but the chosen rule `than` ranks higher, on `by`.
    LessSpecific { than: String, by: Dimension },
    /// It matched and is exactly as specific as the chosen rule `with`: a
    /// conflict saved before [`check_new_rule`](super::check_new_rule) ran;
    /// the lower id was taken.
    Tied { with: String },
    /// It matched, but its party (or every party of its kind serving the
    /// case) returned the case.
    Returned { party: String },
    /// It matched, but nobody fills its role here (a grid without a chief,
    /// an area no heating company serves).
    NobodyFills {
        #[serde(with = "serde_codes::target")]
        target: Target,
    },
}

/// Names to show instead of codes. Each method answers `None` to show the code.
pub trait Labels {
    fn category(&self, _code: &str, _language: Language) -> Option<String> {
        None
    }
    fn area(&self, _code: &AreaCode, _language: Language) -> Option<String> {
        None
    }
    fn party(&self, _code: &str, _language: Language) -> Option<String> {
        None
    }
    /// A rule's name, by its id.
    fn rule(&self, _id: &str, _language: Language) -> Option<String> {
        None
    }
    /// A user's display name, by their id.
    fn user(&self, _id: &str, _language: Language) -> Option<String> {
        None
    }
}

/// Labels that show every code as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Codes;

impl Labels for Codes {}

impl Decision {
    /// The decision in words, codes shown as they are: the outcome, then one
    /// line per rule considered.
    pub fn explain(&self, language: Language) -> Vec<String> {
        self.explain_with(language, &Codes)
    }

    /// The decision in words, with names for categories, areas and parties.
    pub fn explain_with(&self, language: Language, labels: &dyn Labels) -> Vec<String> {
        let words = Words { language, labels };
        let mut lines = vec![words.outcome(self)];
        lines.extend(
            self.explanation
                .considered
                .iter()
                .map(|c| words.considered(c)),
        );
        lines
    }
}

struct Words<'a> {
    language: Language,
    labels: &'a dyn Labels,
}

impl Words<'_> {
    fn zh(&self) -> bool {
        self.language == Language::Chinese
    }

    fn outcome(&self, decision: &Decision) -> String {
        let to = match &decision.explanation.on_duty {
            Some(duty) => self.on_duty(duty, &decision.recipient),
            None => self.recipient(&decision.recipient),
        };
        let mode = self.mode(decision.mode);
        let outcome = match (decision.rule.as_deref().map(|id| self.rule(id)), self.zh()) {
            (Some(rule), true) => format!("分拨给{to}（规则「{rule}」，{mode}）"),
            (Some(rule), false) => format!("Routed to {to} by rule {rule}: {mode}."),
            // The fallback always goes to a dispatch queue; its words say why.
            (None, true) => format!("没有能接手本案的规则：按属地兜底，交{to}分拨"),
            (None, false) => format!(
                "No rule can take this case: it falls to the territorial authority, {to}, to triage."
            ),
        };
        if decision.assists.is_empty() {
            return outcome;
        }
        if self.zh() {
            let parties: Vec<String> = decision
                .assists
                .iter()
                .map(|p| format!("「{}」", self.party(p)))
                .collect();
            format!("{outcome}，协办：{}", parties.join("、"))
        } else {
            let parties: Vec<String> = decision.assists.iter().map(|p| self.party(p)).collect();
            format!("{outcome} Assisting: {}.", parties.join(", "))
        }
    }

    fn considered(&self, considered: &Considered) -> String {
        let why = self.verdict(&considered.verdict);
        let rule = self.rule(&considered.rule);
        if self.zh() {
            format!("规则「{rule}」：{why}")
        } else {
            format!("Rule {rule}: {why}.")
        }
    }

    fn verdict(&self, verdict: &Verdict) -> String {
        let zh = self.zh();
        match verdict {
            Verdict::Chosen if zh => "选中，能接手本案的规则中最具体的一条".to_owned(),
            Verdict::Chosen => {
                "chosen, the most specific rule that applies and can take the case".to_owned()
            }
            Verdict::OtherCategory { category } => {
                let category = self.category(category);
                if zh {
                    format!("不适用，本案类别不属于「{category}」")
                } else {
                    format!("does not apply, the case's category is not under {category}")
                }
            }
            Verdict::OutsideArea { area } => {
                let area = self.area(area);
                if zh {
                    format!("不适用，本案不在「{area}」范围内")
                } else {
                    format!("does not apply, the case lies outside {area}")
                }
            }
            Verdict::OutsideWindow { window, at } => {
                let at = at.format("%H:%M");
                if zh {
                    format!("不适用，{at} 不在其时段 {window} 内")
                } else {
                    format!("does not apply, {at} is outside its hours {window}")
                }
            }
            Verdict::OtherPriority { priority } => {
                let priority = priority_words(*priority, self.language);
                if zh {
                    format!("不适用，只管优先级为「{priority}」的案件")
                } else {
                    format!("does not apply, it is for {priority}-priority cases only")
                }
            }
            Verdict::LessSpecific { than, by } => {
                let than = self.rule(than);
                let by = dimension_words(*by, self.language);
                if zh {
                    format!("适用，但规则「{than}」更具体（{by}）")
                } else {
                    format!("applies, but rule {than} is more specific ({by})")
                }
            }
            Verdict::Tied { with } if zh => {
                let with = self.rule(with);
                format!(
                    "适用，但与规则「{with}」同样具体，属配置冲突，暂按编号取「{with}」，请修改其中一条"
                )
            }
            Verdict::Tied { with } => {
                let with = self.rule(with);
                format!(
                    "applies, but is exactly as specific as rule {with}: a configuration conflict, \
                     {with} was taken by its id; change one of them"
                )
            }
            Verdict::Returned { party } => {
                let party = self.party(party);
                if zh {
                    format!("适用，但其处置单位「{party}」已回退本案，不再派回")
                } else {
                    format!(
                        "applies, but its party {party} returned this case, so it is not sent back"
                    )
                }
            }
            Verdict::NobodyFills { target } => {
                let nobody = self.nobody(target);
                if zh {
                    format!("适用，但{nobody}")
                } else {
                    format!("applies, but {nobody}")
                }
            }
        }
    }

    fn recipient(&self, recipient: &Recipient) -> String {
        let zh = self.zh();
        match recipient {
            Recipient::Party(party) => {
                let party = self.party(party);
                if zh { format!("「{party}」") } else { party }
            }
            Recipient::Users { role, area, .. } => {
                let area = self.area(area);
                let role = role_words(*role, self.language);
                if zh {
                    format!("「{area}」的{role}")
                } else {
                    format!("the {role} of {area}")
                }
            }
            Recipient::DispatchQueue(area) => {
                let area = self.area(area);
                if zh {
                    format!("「{area}」的调度员")
                } else {
                    format!("the dispatchers of {area}")
                }
            }
        }
    }

    /// Whom an on-duty target reached and why: those on duty, or, when
    /// nobody was, the chief or the community's dispatchers it fell to.
    fn on_duty(&self, duty: &[OnDuty], recipient: &Recipient) -> String {
        let zh = self.zh();
        if duty.is_empty() {
            let to = self.recipient(recipient);
            return match (recipient, zh) {
                (Recipient::DispatchQueue(_), true) => format!("无人值班且本网格没有网格长：{to}"),
                (Recipient::DispatchQueue(_), false) => {
                    format!("no one on duty and no grid chief: {to}")
                }
                (_, true) => format!("无人值班：{to}"),
                (_, false) => format!("no one on duty: {to}"),
            };
        }
        let people: Vec<String> = duty
            .iter()
            .map(|d| {
                let name = self.user(&d.user);
                let why = self.why(&d.why);
                if zh {
                    format!("{name}（{why}）")
                } else {
                    format!("{name} ({why})")
                }
            })
            .collect();
        if zh {
            format!("值班网格员 {}", people.join("、"))
        } else {
            format!("on duty: {}", people.join(", "))
        }
    }

    fn why(&self, why: &Why) -> String {
        let zh = self.zh();
        match why {
            Why::Shift { window, weekday } => {
                let day = weekday_words(*weekday, self.language);
                if zh {
                    format!("{day} {window} 排班")
                } else {
                    format!("roster {day} {window}")
                }
            }
            Why::OnThatDay { date } if zh => {
                format!("{}月{}日临时值班", date.month(), date.day())
            }
            Why::OnThatDay { date } => format!("on duty on {}", date.format("%Y-%m-%d")),
            Why::Patrolling if zh => "正在巡查".to_owned(),
            Why::Patrolling => "on patrol".to_owned(),
        }
    }

    /// Why nobody answers for a relative target in the case's place.
    fn nobody(&self, target: &Target) -> String {
        let zh = self.zh();
        match target {
            // A named party is never missing; it can only have returned the case.
            Target::Party(party) if zh => format!("「{}」无法接手", self.party(party)),
            Target::Party(party) => format!("{} cannot take it", self.party(party)),
            Target::GridChief if zh => "本案所在网格没有网格长".to_owned(),
            Target::GridChief => "the case's grid has no grid chief".to_owned(),
            Target::GridWorkers if zh => "本案所在网格没有网格员".to_owned(),
            Target::GridWorkers => "the case's grid has no grid workers".to_owned(),
            Target::Dispatcher { level } => {
                let level = match (level, zh) {
                    (DispatchLevel::Community, true) => "社区",
                    (DispatchLevel::Subdistrict, true) => "街道",
                    (DispatchLevel::District, true) => "区",
                    (level, false) => level.as_str(),
                };
                if zh {
                    format!("本案不在任何{level}内")
                } else {
                    format!("the case lies in no {level}")
                }
            }
            Target::OnDuty if zh => "本案不在任何社区的网格内".to_owned(),
            Target::OnDuty => "the case lies in no grid of a community".to_owned(),
            Target::Mediator if zh => "没有人民调解委员会服务本案所在社区".to_owned(),
            Target::Mediator => "no mediation committee serves the case's community".to_owned(),
            Target::PartyOfKind(kind) => {
                let kind = party_kind_words(*kind, self.language);
                if zh {
                    format!("没有{kind}服务本案所在区域")
                } else {
                    format!("no {kind} serves the case's area")
                }
            }
        }
    }

    fn category(&self, code: &str) -> String {
        self.labels
            .category(code, self.language)
            .unwrap_or_else(|| code.to_owned())
    }

    fn area(&self, code: &AreaCode) -> String {
        self.labels
            .area(code, self.language)
            .unwrap_or_else(|| code.to_string())
    }

    fn party(&self, code: &str) -> String {
        self.labels
            .party(code, self.language)
            .unwrap_or_else(|| code.to_owned())
    }

    fn rule(&self, id: &str) -> String {
        self.labels
            .rule(id, self.language)
            .unwrap_or_else(|| id.to_owned())
    }

    fn user(&self, id: &str) -> String {
        self.labels
            .user(id, self.language)
            .unwrap_or_else(|| id.to_owned())
    }

    fn mode(&self, mode: Mode) -> &'static str {
        match (mode, self.zh()) {
            (Mode::AutoDispatch, true) => "自动派遣",
            (Mode::AutoDispatch, false) => "dispatched automatically",
            (Mode::Triage, true) => "待调度员分拨",
            (Mode::Triage, false) => "waiting for a dispatcher to triage",
        }
    }
}

fn priority_words(priority: Priority, language: Language) -> &'static str {
    match (priority, language) {
        (Priority::Low, Language::Chinese) => "低",
        (Priority::Normal, Language::Chinese) => "一般",
        (Priority::High, Language::Chinese) => "高",
        (Priority::Urgent, Language::Chinese) => "紧急",
        (priority, Language::English) => priority.as_str(),
    }
}

fn weekday_words(weekday: u32, language: Language) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let days = match language {
        Language::Chinese => ZH,
        Language::English => EN,
    };
    usize::try_from(weekday)
        .ok()
        .and_then(|d| days.get(d.checked_sub(1)?))
        .copied()
        .unwrap_or("?")
}

fn dimension_words(by: Dimension, language: Language) -> &'static str {
    match (by, language) {
        (Dimension::Category, Language::Chinese) => "类别更细",
        (Dimension::Area, Language::Chinese) => "区域更小",
        (Dimension::Window, Language::Chinese) => "限定了时段",
        (Dimension::Priority, Language::Chinese) => "限定了优先级",
        (Dimension::Category, Language::English) => "a narrower category",
        (Dimension::Area, Language::English) => "a smaller area",
        (Dimension::Window, Language::English) => "it has hours",
        (Dimension::Priority, Language::English) => "it is for one priority",
    }
}

fn role_words(role: Role, language: Language) -> &'static str {
    match (role, language) {
        (Role::GridChief, Language::Chinese) => "网格长",
        (Role::GridChief, Language::English) => "grid chief",
        (Role::GridWorker, Language::Chinese) => "网格员",
        (Role::GridWorker, Language::English) => "grid workers",
        (Role::Dispatcher, Language::Chinese) => "调度员",
        (Role::Dispatcher, Language::English) => "dispatchers",
        (Role::Handler, Language::Chinese) => "处置人员",
        (Role::Handler, Language::English) => "handlers",
        (Role::Resident, Language::Chinese) => "居民",
        (Role::Resident, Language::English) => "residents",
        (Role::Admin, Language::Chinese) => "管理员",
        (Role::Admin, Language::English) => "administrators",
        (Role::Auditor, Language::Chinese) => "审计员",
        (Role::Auditor, Language::English) => "auditors",
    }
}

fn party_kind_words(kind: PartyKind, language: Language) -> &'static str {
    let (zh, en) = match kind {
        PartyKind::CommunityCommittee => ("社区居委会", "community committee"),
        PartyKind::SubdistrictOffice => ("街道办事处", "subdistrict office"),
        PartyKind::GovernmentDepartment => ("政府部门", "government department"),
        PartyKind::UrbanManagement => ("城管", "urban management"),
        PartyKind::RescueStation => ("救助站", "rescue station"),
        PartyKind::HeatingCompany => ("热力公司", "heating company"),
        PartyKind::PropertyCompany => ("物业公司", "property company"),
        PartyKind::PoliceStation => ("派出所", "police station"),
        PartyKind::MediationCommittee => ("人民调解委员会", "mediation committee"),
        PartyKind::Utility => ("水电气公司", "utility"),
    };
    match language {
        Language::Chinese => zh,
        Language::English => en,
    }
}
