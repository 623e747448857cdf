//! Routing, table by table: specificity, time windows, the fallback, conflicts
//! refused at save, re-routing after a return, and the words of the explanation.

use chrono::NaiveTime;

use super::*;
use crate::category::Priority;
use crate::duty::{OnDuty, Why};
use crate::incident::Status;
use crate::incident::fixtures::incident;
use crate::notification::template::Language;
use crate::party::PartyKind;
use crate::role::Role;

/// A grid of 中原区, Zhengzhou, and the areas above it.
const GRID: &str = "410102003001002";
const COMMUNITY: &str = "410102003001";
const SUBDISTRICT: &str = "410102003";
const DISTRICT: &str = "410102";
/// A grid of another community in the same subdistrict.
const NEIGHBOUR_GRID: &str = "410102003002001";

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_else(|| panic!("{h}:{m} is no time"))
}

fn window(from: (u32, u32), to: (u32, u32)) -> TimeWindow {
    TimeWindow::new(t(from.0, from.1), t(to.0, to.1)).unwrap_or_else(|e| panic!("{e}"))
}

/// A rule that matches everything and sends it to the party named like the rule.
fn rule(id: &str) -> RoutingRule {
    RoutingRule {
        id: id.into(),
        name: format!("rule {id}"),
        category: None,
        area: None,
        window: None,
        priority: None,
        target: Target::Party(format!("party-{id}")),
        assists: Vec::new(),
        mode: Mode::AutoDispatch,
    }
}

/// Narrowing a rule, one condition at a time.
trait Narrow {
    fn category(self, code: &str) -> Self;
    fn area(self, code: &str) -> Self;
    fn hours(self, from: (u32, u32), to: (u32, u32)) -> Self;
    fn priority(self, priority: Priority) -> Self;
    fn to(self, target: Target) -> Self;
    fn triage(self) -> Self;
    fn assisted_by(self, assists: Vec<Target>) -> Self;
}

impl Narrow for RoutingRule {
    fn category(self, code: &str) -> Self {
        RoutingRule {
            category: Some(code.into()),
            ..self
        }
    }
    fn area(self, area: &str) -> Self {
        RoutingRule {
            area: Some(code(area)),
            ..self
        }
    }
    fn hours(self, from: (u32, u32), to: (u32, u32)) -> Self {
        RoutingRule {
            window: Some(window(from, to)),
            ..self
        }
    }
    fn priority(self, priority: Priority) -> Self {
        RoutingRule {
            priority: Some(priority),
            ..self
        }
    }
    fn to(self, target: Target) -> Self {
        RoutingRule { target, ..self }
    }
    fn triage(self) -> Self {
        RoutingRule {
            mode: Mode::Triage,
            ..self
        }
    }
    fn assisted_by(self, assists: Vec<Target>) -> Self {
        RoutingRule { assists, ..self }
    }
}

/// Who is who, in memory.
#[derive(Default)]
struct Dir {
    users: Vec<(Role, &'static str, &'static str)>,
    parties: Vec<(PartyKind, &'static str, &'static str)>,
    /// (grid, who is on duty there and why) at the routing time.
    on_duty: Vec<(&'static str, OnDuty)>,
}

impl Directory for Dir {
    fn users_with_role(&self, role: Role, area: &AreaCode) -> Vec<String> {
        self.users
            .iter()
            .filter(|(r, a, _)| *r == role && *a == area.as_str())
            .map(|(_, _, user)| (*user).to_owned())
            .collect()
    }

    fn parties_of_kind_serving(&self, kind: PartyKind, area: &AreaCode) -> Vec<Serving> {
        self.parties
            .iter()
            .filter(|(k, served, _)| *k == kind && code(served).covers(area))
            .map(|(_, served, party)| Serving {
                party: (*party).to_owned(),
                area: code(served),
            })
            .collect()
    }

    fn on_duty(&self, grid: &AreaCode) -> Vec<OnDuty> {
        self.on_duty
            .iter()
            .filter(|(g, _)| *g == grid.as_str())
            .map(|(_, d)| d.clone())
            .collect()
    }
}

/// The people and parties around [`GRID`]: a chief, two workers, a mediation
/// committee for its community, a heating company for its community and
/// another for the whole district.
fn directory() -> Dir {
    Dir {
        users: vec![
            (Role::GridChief, GRID, "chief.wang"),
            (Role::GridWorker, GRID, "worker.li"),
            (Role::GridWorker, GRID, "worker.zhao"),
        ],
        parties: vec![
            (PartyKind::HeatingCompany, DISTRICT, "zy-heating"),
            (PartyKind::HeatingCompany, COMMUNITY, "compound-heating"),
            (PartyKind::MediationCommittee, COMMUNITY, "mediation-1"),
            (PartyKind::CommunityCommittee, COMMUNITY, "committee-1"),
            (PartyKind::RescueStation, DISTRICT, "rescue-1"),
        ],
        on_duty: Vec::new(),
    }
}

/// An urgent heating case in [`GRID`] at 10:00, returned by nobody.
struct CaseOf {
    category: &'static str,
    grid: AreaCode,
    priority: Priority,
    at: NaiveTime,
    returned_by: Vec<String>,
}

fn case() -> CaseOf {
    CaseOf {
        category: "heating.no_heat",
        grid: code(GRID),
        priority: Priority::Urgent,
        at: t(10, 0),
        returned_by: Vec::new(),
    }
}

impl CaseOf {
    fn at(self, h: u32, m: u32) -> Self {
        CaseOf {
            at: t(h, m),
            ..self
        }
    }
    fn category(self, category: &'static str) -> Self {
        CaseOf { category, ..self }
    }
    fn priority(self, priority: Priority) -> Self {
        CaseOf { priority, ..self }
    }
    fn grid(self, grid: &str) -> Self {
        CaseOf {
            grid: code(grid),
            ..self
        }
    }
    fn returned_by(self, parties: &[&str]) -> Self {
        CaseOf {
            returned_by: parties.iter().map(|p| (*p).to_owned()).collect(),
            ..self
        }
    }
    fn route(&self, rules: &[RoutingRule]) -> Decision {
        self.route_in(rules, &directory())
    }
    fn route_in(&self, rules: &[RoutingRule], directory: &Dir) -> Decision {
        let case = Case {
            category: self.category,
            grid: &self.grid,
            priority: self.priority,
            at_local: self.at,
            returned_by: &self.returned_by,
        };
        route(rules, &case, directory)
    }
}

/// The verdict on each rule, by id, in the order the rules were given.
fn verdicts(decision: &Decision) -> Vec<(&str, &Verdict)> {
    decision
        .explanation
        .considered
        .iter()
        .map(|c| (c.rule.as_str(), &c.verdict))
        .collect()
}

#[test]
fn the_most_specific_matching_rule_wins() {
    let rows: Vec<(&str, Vec<RoutingRule>, CaseOf, &str)> = vec![
        (
            "category depth beats area depth",
            vec![
                rule("grid").category("heating").area(GRID),
                rule("subcategory").category("heating.no_heat"),
            ],
            case(),
            "subcategory",
        ),
        (
            "area depth beats a time window",
            vec![
                rule("district-hours")
                    .category("heating")
                    .area(DISTRICT)
                    .hours((0, 0), (23, 59)),
                rule("community").category("heating").area(COMMUNITY),
            ],
            case(),
            "community",
        ),
        (
            "a time window beats none",
            vec![
                rule("all-day").category("heating").area(COMMUNITY),
                rule("office")
                    .category("heating")
                    .area(COMMUNITY)
                    .hours((8, 30), (17, 30)),
            ],
            case(),
            "office",
        ),
        (
            "a time window beats a priority",
            vec![
                rule("urgent")
                    .category("heating")
                    .priority(Priority::Urgent),
                rule("office").category("heating").hours((8, 30), (17, 30)),
            ],
            case(),
            "office",
        ),
        (
            "one priority beats any priority",
            vec![
                rule("any").category("heating"),
                rule("urgent")
                    .category("heating")
                    .priority(Priority::Urgent),
            ],
            case(),
            "urgent",
        ),
        (
            "a rule for another priority does not apply",
            vec![
                rule("any").category("heating"),
                rule("urgent")
                    .category("heating")
                    .priority(Priority::Urgent),
            ],
            case().priority(Priority::Normal),
            "any",
        ),
        (
            "a rule with no condition loses to any condition",
            vec![rule("catch-all"), rule("city").area("410100")],
            case(),
            "city",
        ),
        (
            "a category is a dotted path, not a string prefix",
            vec![
                rule("pipe").category("heating_pipe"),
                rule("heating").category("heating"),
            ],
            case().category("heating_pipe.leak"),
            "pipe",
        ),
        (
            "an area holds the micro-grids of its grids",
            vec![rule("grid").area(GRID), rule("district").area(DISTRICT)],
            case().grid("410102003001002001"),
            "grid",
        ),
    ];
    for (name, rules, case, winner) in rows {
        let decision = case.route(&rules);
        assert_eq!(decision.rule.as_deref(), Some(winner), "{name}");
        // The order rules come in never matters.
        let reversed: Vec<RoutingRule> = rules.into_iter().rev().collect();
        assert_eq!(
            case.route(&reversed).rule.as_deref(),
            Some(winner),
            "{name}, rules reversed"
        );
    }
}

#[test]
fn specificity_is_one_key_in_the_documented_order() {
    let key = |r: RoutingRule| r.specificity();
    assert_eq!(
        key(rule("r")
            .category("heating.no_heat")
            .area(GRID)
            .hours((8, 0), (9, 0))),
        Specificity {
            category_depth: 2,
            area_depth: 5,
            has_window: true,
            has_priority: false,
        }
    );
    assert_eq!(key(rule("r").area("410100")).area_depth, 1);
    assert_eq!(key(rule("r").area(DISTRICT)).area_depth, 2);
    assert_eq!(key(rule("r").area(SUBDISTRICT)).area_depth, 3);
    assert_eq!(key(rule("r").area("410102003001002001")).area_depth, 6);
    // Ordered by category, then area, then window, then priority.
    assert!(key(rule("a").category("a.b")) > key(rule("b").category("a").area(GRID)));
    assert!(
        key(rule("a").category("a").area(COMMUNITY))
            > key(rule("b").category("a").area(DISTRICT).hours((0, 0), (1, 0)))
    );
    assert!(key(rule("a").hours((0, 0), (1, 0))) > key(rule("b").priority(Priority::High)));
}

#[test]
fn time_windows_match_local_time_of_day() {
    let night = window((22, 0), (7, 0));
    let office = window((8, 30), (17, 30));
    let rows = [
        (night, t(23, 30), true),
        (night, t(6, 59), true),
        (night, t(7, 0), false),
        (night, t(22, 0), true),
        (night, t(21, 59), false),
        (night, t(0, 0), true),
        (night, t(12, 0), false),
        (office, t(8, 30), true),
        (office, t(17, 29), true),
        (office, t(17, 30), false),
        (office, t(3, 0), false),
    ];
    for (window, at, expected) in rows {
        assert_eq!(window.contains(at), expected, "{window} at {at}");
    }
    assert!(night.crosses_midnight() && !office.crosses_midnight());
    assert_eq!(
        TimeWindow::new(t(7, 0), t(7, 0)),
        Err(EmptyWindow),
        "a window of no length is refused"
    );
}

#[test]
fn a_night_rule_routes_only_at_night() {
    // Dogs barking at night go to the mediators; by day to the grid chief.
    let rules = [
        rule("day").category("noise.dog").to(Target::GridChief),
        rule("night")
            .category("noise.dog")
            .hours((22, 0), (7, 0))
            .to(Target::Mediator),
    ];
    let rows = [
        ((23, 30), "night"),
        ((6, 59), "night"),
        ((7, 0), "day"),
        ((21, 59), "day"),
    ];
    for ((h, m), expected) in rows {
        let decision = case().category("noise.dog").at(h, m).route(&rules);
        assert_eq!(decision.rule.as_deref(), Some(expected), "at {h}:{m}");
    }
}

#[test]
fn window_overlap_handles_midnight() {
    let rows = [
        (((22, 0), (7, 0)), ((6, 0), (8, 0)), true),
        (((22, 0), (7, 0)), ((7, 0), (22, 0)), false),
        (((22, 0), (7, 0)), ((23, 0), (1, 0)), true),
        (((22, 0), (7, 0)), ((0, 30), (1, 0)), true),
        (((22, 0), (7, 0)), ((8, 0), (12, 0)), false),
        (((20, 0), (2, 0)), ((23, 0), (21, 0)), true),
        (((8, 0), (12, 0)), ((12, 0), (14, 0)), false),
        (((8, 0), (12, 0)), ((11, 0), (13, 0)), true),
        (((8, 0), (18, 0)), ((9, 0), (10, 0)), true),
    ];
    for ((a_from, a_to), (b_from, b_to), expected) in rows {
        let (a, b) = (window(a_from, a_to), window(b_from, b_to));
        assert_eq!(a.overlaps(b), expected, "{a} and {b}");
        assert_eq!(b.overlaps(a), expected, "{b} and {a}");
    }
}

#[test]
fn nothing_matching_falls_to_the_subdistrict_dispatchers() {
    let fallback = |decision: &Decision| {
        assert_eq!(decision.rule, None);
        assert_eq!(
            decision.target,
            Target::Dispatcher {
                level: DispatchLevel::Subdistrict
            }
        );
        assert_eq!(
            decision.recipient,
            Recipient::DispatchQueue(code(SUBDISTRICT))
        );
        assert_eq!(decision.mode, Mode::Triage);
    };
    let none = case().route(&[]);
    fallback(&none);
    assert!(none.explanation.considered.is_empty());

    let rules = [
        rule("noise").category("noise"),
        rule("neighbour").area(NEIGHBOUR_GRID),
        rule("night").hours((22, 0), (7, 0)),
        rule("low").priority(Priority::Low),
    ];
    let decision = case().route(&rules);
    fallback(&decision);
    assert_eq!(
        verdicts(&decision),
        [
            (
                "noise",
                &Verdict::OtherCategory {
                    category: "noise".into()
                }
            ),
            (
                "neighbour",
                &Verdict::OutsideArea {
                    area: code(NEIGHBOUR_GRID)
                }
            ),
            (
                "night",
                &Verdict::OutsideWindow {
                    window: window((22, 0), (7, 0)),
                    at: t(10, 0)
                }
            ),
            (
                "low",
                &Verdict::OtherPriority {
                    priority: Priority::Low
                }
            ),
        ]
    );
}

#[test]
fn equally_specific_rules_that_can_match_one_case_are_refused_at_save() {
    let heating = || rule("old").category("heating").area(COMMUNITY);
    let rows: Vec<(&str, RoutingRule, RoutingRule, bool)> = vec![
        (
            "same category and area, all day",
            heating(),
            rule("new").category("heating").area(COMMUNITY),
            false,
        ),
        (
            "overlapping windows, one across midnight",
            heating().hours((22, 0), (7, 0)),
            rule("new")
                .category("heating")
                .area(COMMUNITY)
                .hours((6, 0), (9, 0)),
            false,
        ),
        (
            "windows that meet at 07:00 do not overlap",
            heating().hours((22, 0), (7, 0)),
            rule("new")
                .category("heating")
                .area(COMMUNITY)
                .hours((7, 0), (22, 0)),
            true,
        ),
        (
            "the same priority",
            heating().priority(Priority::High),
            rule("new")
                .category("heating")
                .area(COMMUNITY)
                .priority(Priority::High),
            false,
        ),
        (
            "different priorities",
            heating().priority(Priority::High),
            rule("new")
                .category("heating")
                .area(COMMUNITY)
                .priority(Priority::Urgent),
            true,
        ),
        (
            "one with hours, one without: not equally specific",
            heating(),
            rule("new")
                .category("heating")
                .area(COMMUNITY)
                .hours((8, 0), (9, 0)),
            true,
        ),
        (
            "another community of the same depth",
            heating(),
            rule("new").category("heating").area("410102003002"),
            true,
        ),
        (
            "a sibling category",
            heating(),
            rule("new").category("noise").area(COMMUNITY),
            true,
        ),
        (
            "editing the rule itself",
            heating(),
            rule("old")
                .category("heating")
                .area(COMMUNITY)
                .to(Target::GridChief),
            true,
        ),
    ];
    for (name, old, new, accepted) in rows {
        let result = check_new_rule(&[rule("unrelated").category("noise"), old], &new);
        if accepted {
            assert_eq!(result, Ok(()), "{name}");
        } else {
            assert_eq!(
                result,
                Err(Conflict {
                    existing: "old".into(),
                    new: "new".into()
                }),
                "{name}"
            );
        }
    }
}

#[test]
fn a_conflict_names_both_rules() {
    let conflict = Conflict {
        existing: "heating-day".into(),
        new: "heating-night".into(),
    };
    let message = conflict.to_string();
    assert!(
        message.contains("`heating-day`") && message.contains("`heating-night`"),
        "{message}"
    );
}

#[test]
fn a_returned_case_goes_to_the_next_rule_never_back() {
    let rules = [
        rule("compound")
            .category("heating.no_heat")
            .area(COMMUNITY)
            .to(Target::Party("compound-heating".into())),
        rule("district")
            .category("heating")
            .to(Target::Party("zy-heating".into()))
            .triage(),
    ];
    let first = case().route(&rules);
    assert_eq!(first.recipient, Recipient::Party("compound-heating".into()));

    let again = case().returned_by(&["compound-heating"]).route(&rules);
    assert_eq!(again.rule.as_deref(), Some("district"));
    assert_eq!(again.recipient, Recipient::Party("zy-heating".into()));
    assert_eq!(again.mode, Mode::Triage);
    assert_eq!(
        verdicts(&again),
        [
            (
                "compound",
                &Verdict::Returned {
                    party: "compound-heating".into()
                }
            ),
            ("district", &Verdict::Chosen),
        ]
    );

    // Both returned it: nobody is left but the subdistrict.
    let last = case()
        .returned_by(&["compound-heating", "zy-heating"])
        .route(&rules);
    assert_eq!(last.rule, None);
    assert_eq!(last.recipient, Recipient::DispatchQueue(code(SUBDISTRICT)));
}

#[test]
fn relative_targets_resolve_through_the_directory() {
    let one = |target: Target, case: CaseOf| case.route(&[rule("r").to(target)]);
    let rows: Vec<(&str, Decision, Option<Recipient>)> = vec![
        (
            "the grid chief",
            one(Target::GridChief, case()),
            Some(Recipient::Users {
                role: Role::GridChief,
                area: code(GRID),
                users: vec!["chief.wang".into()],
            }),
        ),
        (
            "the grid workers, from a micro-grid of the grid",
            one(Target::GridWorkers, case().grid("410102003001002001")),
            Some(Recipient::Users {
                role: Role::GridWorker,
                area: code(GRID),
                users: vec!["worker.li".into(), "worker.zhao".into()],
            }),
        ),
        (
            "a grid with no chief",
            one(Target::GridChief, case().grid(NEIGHBOUR_GRID)),
            None,
        ),
        (
            "the community dispatchers",
            one(
                Target::Dispatcher {
                    level: DispatchLevel::Community,
                },
                case(),
            ),
            Some(Recipient::DispatchQueue(code(COMMUNITY))),
        ),
        (
            "the district dispatchers",
            one(
                Target::Dispatcher {
                    level: DispatchLevel::District,
                },
                case(),
            ),
            Some(Recipient::DispatchQueue(code(DISTRICT))),
        ),
        (
            "the mediators of the community",
            one(Target::Mediator, case()),
            Some(Recipient::Party("mediation-1".into())),
        ),
        (
            "a community without mediators",
            one(Target::Mediator, case().grid(NEIGHBOUR_GRID)),
            None,
        ),
        (
            "the nearest heating company",
            one(Target::PartyOfKind(PartyKind::HeatingCompany), case()),
            Some(Recipient::Party("compound-heating".into())),
        ),
        (
            "the next heating company when the nearest returned it",
            one(
                Target::PartyOfKind(PartyKind::HeatingCompany),
                case().returned_by(&["compound-heating"]),
            ),
            Some(Recipient::Party("zy-heating".into())),
        ),
        (
            "the district's heating company elsewhere in it",
            one(
                Target::PartyOfKind(PartyKind::HeatingCompany),
                case().grid(NEIGHBOUR_GRID),
            ),
            Some(Recipient::Party("zy-heating".into())),
        ),
        (
            "no property company serves it",
            one(Target::PartyOfKind(PartyKind::PropertyCompany), case()),
            None,
        ),
    ];
    for (name, decision, expected) in rows {
        match expected {
            Some(recipient) => {
                assert_eq!(decision.rule.as_deref(), Some("r"), "{name}");
                assert_eq!(decision.recipient, recipient, "{name}");
            }
            None => {
                // Passed over, and the case still reaches someone.
                assert_eq!(decision.rule, None, "{name}");
                assert!(
                    matches!(
                        decision.explanation.considered[0].verdict,
                        Verdict::NobodyFills { .. }
                    ),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn every_heating_company_returned_it() {
    let decision = case()
        .returned_by(&["compound-heating", "zy-heating"])
        .route(&[rule("kind").to(Target::PartyOfKind(PartyKind::HeatingCompany))]);
    assert_eq!(decision.rule, None);
    assert_eq!(
        verdicts(&decision),
        [(
            "kind",
            &Verdict::Returned {
                party: "compound-heating".into()
            }
        )]
    );
}

#[test]
fn ties_saved_before_the_check_are_settled_by_id() {
    let rules = [rule("b").category("heating"), rule("a").category("heating")];
    let decision = case().route(&rules);
    assert_eq!(decision.rule.as_deref(), Some("a"));
    assert_eq!(
        verdicts(&decision),
        [
            ("b", &Verdict::Tied { with: "a".into() }),
            ("a", &Verdict::Chosen)
        ]
    );
}

#[test]
fn a_case_is_built_from_its_incident() {
    let mut incident = incident(Status::Accepted);
    incident.returned_by = vec!["zy-cg".into()];
    let case = Case::of(&incident, t(23, 0));
    assert_eq!(case.category, incident.category);
    assert_eq!(case.grid, &incident.grid);
    assert_eq!(case.priority, incident.priority);
    assert_eq!(case.at_local, t(23, 0));
    assert_eq!(case.returned_by, ["zy-cg".to_owned()]);
}

#[test]
fn modes_and_levels_round_trip_through_their_names() {
    for mode in Mode::ALL {
        assert_eq!(Mode::parse(mode.as_str()), Some(mode));
    }
    for level in DispatchLevel::ALL {
        assert_eq!(DispatchLevel::parse(level.as_str()), Some(level));
    }
    assert_eq!(DispatchLevel::parse("grid"), None);
}

/// One case, a rule of every fate: the explanation a dispatcher reads.
fn returned_heating_case() -> Decision {
    let rules = [
        rule("noise").category("noise").to(Target::Mediator),
        rule("compound")
            .category("heating.no_heat")
            .area(COMMUNITY)
            .to(Target::Party("compound-heating".into())),
        rule("neighbour").category("heating").area(NEIGHBOUR_GRID),
        rule("night").category("heating").hours((22, 0), (7, 0)),
        rule("low").category("heating").priority(Priority::Low),
        rule("chief")
            .category("heating.no_heat")
            .area(SUBDISTRICT)
            .to(Target::GridChief),
        rule("district")
            .category("heating.no_heat")
            .to(Target::PartyOfKind(PartyKind::HeatingCompany)),
        rule("any-heating")
            .category("heating")
            .to(Target::GridWorkers),
    ];
    case()
        .returned_by(&["compound-heating"])
        .grid("410102003001003") // a grid of the community with no chief
        .route(&rules)
}

#[test]
fn the_explanation_reads_in_chinese() {
    assert_eq!(
        returned_heating_case().explain(Language::Chinese),
        [
            "分拨给「zy-heating」（规则「district」，自动派遣）",
            "规则「noise」：不适用，本案类别不属于「noise」",
            "规则「compound」：适用，但其处置单位「compound-heating」已回退本案，不再派回",
            "规则「neighbour」：不适用，本案不在「410102003002001」范围内",
            "规则「night」：不适用，10:00 不在其时段 22:00–07:00 内",
            "规则「low」：不适用，只管优先级为「低」的案件",
            "规则「chief」：适用，但本案所在网格没有网格长",
            "规则「district」：选中，能接手本案的规则中最具体的一条",
            "规则「any-heating」：适用，但规则「district」更具体（类别更细）",
        ]
    );
}

#[test]
fn the_explanation_reads_in_english() {
    assert_eq!(
        returned_heating_case().explain(Language::English),
        [
            "Routed to zy-heating by rule district: dispatched automatically.",
            "Rule noise: does not apply, the case's category is not under noise.",
            "Rule compound: applies, but its party compound-heating returned this case, so it is not sent back.",
            "Rule neighbour: does not apply, the case lies outside 410102003002001.",
            "Rule night: does not apply, 10:00 is outside its hours 22:00–07:00.",
            "Rule low: does not apply, it is for low-priority cases only.",
            "Rule chief: applies, but the case's grid has no grid chief.",
            "Rule district: chosen, the most specific rule that applies and can take the case.",
            "Rule any-heating: applies, but rule district is more specific (a narrower category).",
        ]
    );
}

/// Names as the console would show them.
struct Names;

impl Labels for Names {
    fn category(&self, code: &str, language: Language) -> Option<String> {
        match (code, language) {
            ("noise.dog", Language::Chinese) => Some("犬只扰民".into()),
            ("noise.dog", Language::English) => Some("dogs barking".into()),
            _ => None,
        }
    }
    fn area(&self, code: &AreaCode, language: Language) -> Option<String> {
        match (code.as_str(), language) {
            (SUBDISTRICT, Language::Chinese) => Some("建设路街道".into()),
            (SUBDISTRICT, Language::English) => Some("Jianshelu Subdistrict".into()),
            (GRID, Language::Chinese) => Some("第二网格".into()),
            (GRID, Language::English) => Some("Grid 2".into()),
            _ => None,
        }
    }
}

#[test]
fn the_fallback_and_roles_read_with_names() {
    let rules = [
        rule("dogs").category("noise.dog").to(Target::GridChief),
        rule("night")
            .category("noise.dog")
            .hours((22, 0), (7, 0))
            .to(Target::Mediator)
            .triage(),
    ];
    let day = case().category("noise.dog").at(9, 15).route(&rules);
    assert_eq!(
        day.explain_with(Language::Chinese, &Names),
        [
            "分拨给「第二网格」的网格长（规则「dogs」，自动派遣）",
            "规则「dogs」：选中，能接手本案的规则中最具体的一条",
            "规则「night」：不适用，09:15 不在其时段 22:00–07:00 内",
        ]
    );
    assert_eq!(
        day.explain_with(Language::English, &Names)[0],
        "Routed to the grid chief of Grid 2 by rule dogs: dispatched automatically."
    );

    let elsewhere = case().category("pets.lost").route(&rules);
    assert_eq!(
        elsewhere.explain_with(Language::Chinese, &Names),
        [
            "没有能接手本案的规则：按属地兜底，交「建设路街道」的调度员分拨",
            "规则「dogs」：不适用，本案类别不属于「犬只扰民」",
            "规则「night」：不适用，本案类别不属于「犬只扰民」",
        ]
    );
    assert_eq!(
        elsewhere.explain_with(Language::English, &Names),
        [
            "No rule can take this case: it falls to the territorial authority, the dispatchers of Jianshelu Subdistrict, to triage.",
            "Rule dogs: does not apply, the case's category is not under dogs barking.",
            "Rule night: does not apply, the case's category is not under dogs barking.",
        ]
    );
}

#[test]
fn assists_resolve_for_the_case_without_the_lead() {
    let homeless = |assists: Vec<Target>| {
        rule("homeless")
            .category("heating")
            .to(Target::PartyOfKind(PartyKind::CommunityCommittee))
            .assisted_by(assists)
    };
    let rows: Vec<(&str, Vec<Target>, CaseOf, Vec<&str>)> = vec![
        (
            "a kind resolves to the party serving the place",
            vec![Target::PartyOfKind(PartyKind::RescueStation)],
            case(),
            vec!["rescue-1"],
        ),
        (
            "a named party and the mediator, in the rule's order",
            vec![Target::Party("zy-police".into()), Target::Mediator],
            case(),
            vec!["zy-police", "mediation-1"],
        ),
        (
            "the nearest heating company, the same one only once",
            vec![
                Target::PartyOfKind(PartyKind::HeatingCompany),
                Target::Party("compound-heating".into()),
            ],
            case(),
            vec!["compound-heating"],
        ),
        (
            "the lead itself is not its own assist",
            vec![Target::Party("committee-1".into())],
            case(),
            vec![],
        ),
        (
            "a party that returned the case is not called back",
            vec![Target::Party("zy-police".into()), Target::Mediator],
            case().returned_by(&["zy-police"]),
            vec!["mediation-1"],
        ),
        (
            "an assist nobody fills here is left out",
            vec![
                Target::PartyOfKind(PartyKind::PropertyCompany),
                Target::Mediator,
            ],
            case().grid(NEIGHBOUR_GRID),
            vec![],
        ),
    ];
    for (name, assists, case, expected) in rows {
        let decision = case.route(&[homeless(assists)]);
        if name.starts_with("an assist nobody") {
            // The committee serves only COMMUNITY: the fallback has no assists.
            assert_eq!(decision.rule, None, "{name}");
        }
        assert_eq!(decision.assists, expected, "{name}");
    }
}

#[test]
fn only_parties_can_assist() {
    let base = || rule("r").category("social_aid.homeless");
    let rows: Vec<(Vec<Target>, Option<&str>)> = vec![
        (vec![], None),
        (
            vec![
                Target::Party("zy-rescue-station".into()),
                Target::Mediator,
                Target::PartyOfKind(PartyKind::RescueStation),
            ],
            None,
        ),
        (vec![Target::GridChief], Some("grid_chief")),
        (vec![Target::GridWorkers], Some("grid_workers")),
        (
            vec![Target::Dispatcher {
                level: DispatchLevel::Community,
            }],
            Some("dispatcher:community"),
        ),
    ];
    for (assists, refused) in rows {
        let result = check_rule(&[], &base().assisted_by(assists.clone()));
        match refused {
            None => assert_eq!(result, Ok(()), "{assists:?}"),
            Some(code) => match result {
                Err(RuleRefused::Invalid(InvalidRule { field, message })) => {
                    assert_eq!(field, "assists");
                    assert!(message.contains(code), "{message}");
                }
                other => panic!("{assists:?}: {other:?}"),
            },
        }
    }
    let unnamed = RoutingRule {
        name: " ".into(),
        ..base()
    };
    assert!(matches!(
        check_rule(&[], &unnamed),
        Err(RuleRefused::Invalid(InvalidRule { field: "name", .. }))
    ));
    // A valid rule that ties is refused as a conflict naming both.
    let tie = check_rule(
        &[base()],
        &RoutingRule {
            id: "s".into(),
            ..base()
        },
    );
    assert_eq!(
        tie,
        Err(RuleRefused::Conflict(Conflict {
            existing: "r".into(),
            new: "s".into()
        }))
    );
}

#[test]
fn targets_and_recipients_round_trip_through_their_codes() {
    let targets = [
        (Target::Party("zy-heating".into()), "party:zy-heating"),
        (Target::GridChief, "grid_chief"),
        (Target::GridWorkers, "grid_workers"),
        (
            Target::Dispatcher {
                level: DispatchLevel::Community,
            },
            "dispatcher:community",
        ),
        (
            Target::Dispatcher {
                level: DispatchLevel::District,
            },
            "dispatcher:district",
        ),
        (Target::Mediator, "mediator"),
        (
            Target::PartyOfKind(PartyKind::HeatingCompany),
            "party_of_kind:heating_company",
        ),
    ];
    for (target, code) in targets {
        assert_eq!(target.code(), code);
        assert_eq!(Target::parse_code(code), Some(target));
    }
    for bad in [
        "",
        "party:",
        "party:a,b",
        "dispatcher:grid",
        "party_of_kind:bakery",
        "chief",
    ] {
        assert_eq!(Target::parse_code(bad), None, "{bad:?}");
    }

    let recipients = [
        (Recipient::Party("zy-heating".into()), "party:zy-heating"),
        (
            Recipient::DispatchQueue(code(SUBDISTRICT)),
            "queue:410102003",
        ),
        (
            Recipient::Users {
                role: Role::GridWorker,
                area: code(GRID),
                users: vec!["u1".into(), "u2".into()],
            },
            "users:grid_worker:410102003001002:u1,u2",
        ),
    ];
    for (recipient, text) in recipients {
        assert_eq!(recipient.code(), text);
        assert_eq!(Recipient::parse_code(text), Some(recipient));
    }
    for bad in ["queue:41", "users:pilot:410102003001002:u1", "nobody"] {
        assert_eq!(Recipient::parse_code(bad), None, "{bad:?}");
    }
}

#[test]
fn an_explanation_is_stored_as_codes_and_read_back_in_either_language() {
    let decision = returned_heating_case();
    let json = serde_json::to_value(&decision.explanation).unwrap_or_else(|e| panic!("{e}"));
    // Codes and times, no words: the same JSON whoever reads it later.
    assert_eq!(
        json["considered"][3],
        serde_json::json!({
            "rule": "night",
            "verdict": {
                "kind": "outside_window",
                "window": {"from": "22:00", "to": "07:00"},
                "at": "10:00"
            }
        })
    );
    assert_eq!(
        json["considered"][5]["verdict"],
        serde_json::json!({"kind": "nobody_fills", "target": "grid_chief"})
    );
    assert_eq!(
        json["considered"][7]["verdict"],
        serde_json::json!({"kind": "less_specific", "than": "district", "by": "category"})
    );
    let back: Explanation = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, decision.explanation);
    let stored = Decision {
        explanation: back,
        ..decision.clone()
    };
    assert_eq!(
        stored.explain(Language::English),
        decision.explain(Language::English)
    );
    assert_eq!(
        stored.explain(Language::Chinese),
        decision.explain(Language::Chinese)
    );
}

/// Rule names, as the admin console shows them.
struct RuleNames;

impl Labels for RuleNames {
    fn rule(&self, id: &str, language: Language) -> Option<String> {
        match (id, language) {
            ("homeless", Language::Chinese) => Some("流浪人员找社区".into()),
            ("homeless", Language::English) => Some("Homeless people to the community".into()),
            _ => None,
        }
    }
    fn party(&self, code: &str, language: Language) -> Option<String> {
        match (code, language) {
            ("committee-1", Language::Chinese) => Some("观澜社区居委会".into()),
            ("rescue-1", Language::Chinese) => Some("中原区救助站".into()),
            _ => None,
        }
    }
}

#[test]
fn the_outcome_names_the_rule_and_the_assisting_parties() {
    let decision = case()
        .category("social_aid.homeless")
        .route(&[rule("homeless")
            .category("social_aid.homeless")
            .to(Target::PartyOfKind(PartyKind::CommunityCommittee))
            .assisted_by(vec![Target::PartyOfKind(PartyKind::RescueStation)])]);
    assert_eq!(
        decision.explain_with(Language::Chinese, &RuleNames),
        [
            "分拨给「观澜社区居委会」（规则「流浪人员找社区」，自动派遣），协办：「中原区救助站」",
            "规则「流浪人员找社区」：选中，能接手本案的规则中最具体的一条",
        ]
    );
    assert_eq!(
        decision.explain_with(Language::English, &RuleNames)[0],
        "Routed to committee-1 by rule Homeless people to the community: dispatched automatically. Assisting: rescue-1."
    );
}

/// A night rule for dogs barking, to whoever is on duty in the grid.
fn night_dogs() -> RoutingRule {
    rule("dogs-night")
        .category("noise.dog")
        .hours((22, 0), (7, 0))
        .to(Target::OnDuty)
}

fn on_duty(user: &str, why: Why) -> (&'static str, OnDuty) {
    (
        GRID,
        OnDuty {
            user: user.into(),
            why,
        },
    )
}

/// Named users, for the words about who is on duty.
struct People;

impl Labels for People {
    fn user(&self, id: &str, _language: Language) -> Option<String> {
        match id {
            "worker.li" => Some("李四".into()),
            "worker.zhao" => Some("赵六".into()),
            _ => None,
        }
    }
    fn area(&self, code: &AreaCode, language: Language) -> Option<String> {
        Names.area(code, language)
    }
}

#[test]
fn on_duty_reaches_whoever_is_on_duty_in_the_grid_and_says_why() {
    let mut dir = directory();
    dir.on_duty = vec![
        on_duty("worker.zhao", Why::Patrolling),
        on_duty(
            "worker.li",
            Why::Shift {
                window: window((22, 0), (8, 0)),
                weekday: 5,
            },
        ),
    ];
    let decision = case()
        .category("noise.dog")
        .at(1, 10)
        .route_in(&[night_dogs()], &dir);
    assert_eq!(decision.rule.as_deref(), Some("dogs-night"));
    assert_eq!(decision.target, Target::OnDuty);
    assert_eq!(
        decision.recipient,
        Recipient::Users {
            role: Role::GridWorker,
            area: code(GRID),
            users: vec!["worker.zhao".into(), "worker.li".into()],
        }
    );
    assert_eq!(
        decision.explain_with(Language::Chinese, &People)[0],
        "分拨给值班网格员 赵六（正在巡查）、李四（周五 22:00–08:00 排班）（规则「dogs-night」，自动派遣）"
    );
    assert_eq!(
        decision.explain_with(Language::English, &People)[0],
        "Routed to on duty: 赵六 (on patrol), 李四 (roster Fri 22:00–08:00) by rule dogs-night: dispatched automatically."
    );
    // Who was on duty and why is kept with the decision, as codes.
    let stored = serde_json::to_value(&decision.explanation).unwrap_or_default();
    assert_eq!(stored["on_duty"][1]["why"]["kind"], "shift", "{stored}");
    assert_eq!(
        stored["on_duty"][1]["why"]["window"]["from"], "22:00",
        "{stored}"
    );
    let back: Explanation = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, decision.explanation);
}

#[test]
fn with_nobody_on_duty_the_grid_chief_takes_it_and_without_a_chief_the_community() {
    let dogs = case().category("noise.dog").at(1, 10);
    let decision = dogs.route(&[night_dogs()]);
    assert_eq!(
        decision.recipient,
        Recipient::Users {
            role: Role::GridChief,
            area: code(GRID),
            users: vec!["chief.wang".into()],
        }
    );
    assert_eq!(decision.explanation.on_duty, Some(Vec::new()));
    assert_eq!(
        decision.explain_with(Language::English, &People)[0],
        "Routed to no one on duty: the grid chief of Grid 2 by rule dogs-night: dispatched automatically."
    );
    assert_eq!(
        decision.explain_with(Language::Chinese, &People)[0],
        "分拨给无人值班：「第二网格」的网格长（规则「dogs-night」，自动派遣）"
    );

    let mut no_chief = directory();
    no_chief
        .users
        .retain(|(role, _, _)| *role != Role::GridChief);
    let decision = dogs.route_in(&[night_dogs()], &no_chief);
    assert_eq!(decision.rule.as_deref(), Some("dogs-night"));
    assert_eq!(
        decision.recipient,
        Recipient::DispatchQueue(code(COMMUNITY))
    );
    assert!(
        decision.explain(Language::English)[0]
            .contains("no one on duty and no grid chief: the dispatchers of 410102003001"),
        "{:?}",
        decision.explain(Language::English)
    );

    // Someone on duty in another grid is not on duty here.
    let mut elsewhere = directory();
    elsewhere.on_duty = vec![(
        NEIGHBOUR_GRID,
        OnDuty {
            user: "worker.li".into(),
            why: Why::Patrolling,
        },
    )];
    assert_eq!(
        dogs.route_in(&[night_dogs()], &elsewhere).recipient,
        decision_chief()
    );
}

fn decision_chief() -> Recipient {
    Recipient::Users {
        role: Role::GridChief,
        area: code(GRID),
        users: vec!["chief.wang".into()],
    }
}

#[test]
fn on_duty_is_a_target_by_day_too_and_never_assists() {
    // Outside the night the day rule takes the case.
    let rules = [
        night_dogs(),
        rule("dogs").category("noise.dog").to(Target::Mediator),
    ];
    let decision = case().category("noise.dog").at(10, 0).route(&rules);
    assert_eq!(decision.rule.as_deref(), Some("dogs"));
    assert_eq!(decision.explanation.on_duty, None);
    assert_eq!(Target::parse_code("on_duty"), Some(Target::OnDuty));
    assert_eq!(Target::OnDuty.code(), "on_duty");
    assert!(!Target::OnDuty.is_party_like());
}
