//! The category tree every new database starts with: the kinds of incident
//! the field reports describe (see DESIGN.md), with time limits in the units
//! city handbooks use. Administrators edit them afterwards.

use gridops_domain::category::{Category, Priority, TimeLimit};
use gridops_domain::open311::{Attribute, Choice, Datatype};

struct Seed {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    priority: Priority,
    acknowledge: TimeLimit,
    resolve: TimeLimit,
}

const fn seed(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    priority: Priority,
    acknowledge: TimeLimit,
    resolve: TimeLimit,
) -> Seed {
    Seed {
        code,
        zh,
        en,
        priority,
        acknowledge,
        resolve,
    }
}

use Priority::{High, Low, Normal, Urgent};
const fn wh(n: u32) -> TimeLimit {
    TimeLimit::working_hours(n)
}
const fn wd(n: u32) -> TimeLimit {
    TimeLimit::working_days(n)
}
const fn ch(n: u32) -> TimeLimit {
    TimeLimit::calendar_hours(n)
}

/// Parents come before their children; a child's code extends its parent's.
const SEEDS: &[Seed] = &[
    seed(
        "social_aid",
        "社会救助与关爱",
        "Social aid and care",
        Normal,
        wh(2),
        wd(2),
    ),
    // A person sleeping rough in the cold cannot wait for office hours.
    seed(
        "social_aid.homeless",
        "流浪乞讨人员救助",
        "Homeless person needing aid",
        Urgent,
        ch(1),
        ch(6),
    ),
    seed(
        "social_aid.elderly_visit",
        "独居老人走访",
        "Care visit to an elderly person living alone",
        Normal,
        wd(1),
        wd(5),
    ),
    seed(
        "social_aid.errands",
        "帮办代办",
        "Errands for those who cannot",
        Normal,
        wh(4),
        wd(3),
    ),
    seed(
        "social_aid.on_the_spot_help",
        "现场求助",
        "Resident needing help on the spot",
        High,
        ch(1),
        ch(4),
    ),
    seed(
        "neighbourhood",
        "邻里纠纷",
        "Neighbourhood disputes",
        Normal,
        wh(4),
        wd(5),
    ),
    seed(
        "neighbourhood.dog_noise",
        "犬只扰民",
        "Noise from dogs",
        Normal,
        wh(4),
        wd(5),
    ),
    seed(
        "public_safety",
        "安全隐患",
        "Safety hazards",
        High,
        wh(2),
        wd(1),
    ),
    seed(
        "public_safety.snow_ice",
        "雨雪冰冻隐患",
        "Snow and ice hazards",
        High,
        ch(2),
        ch(12),
    ),
    seed(
        "public_safety.snow_ice.snow_on_sheds",
        "车棚屋檐积雪",
        "Snow on sheds and eaves",
        High,
        ch(2),
        ch(12),
    ),
    seed(
        "public_safety.snow_ice.broken_branches",
        "积雪压断树枝",
        "Branches broken by snow",
        High,
        ch(2),
        ch(8),
    ),
    seed(
        "public_safety.flying_wire_charging",
        "飞线充电",
        "Flying-wire e-bike charging",
        High,
        wh(2),
        wd(1),
    ),
    seed(
        "utilities",
        "市政公用设施",
        "Utilities",
        Normal,
        wh(2),
        wd(2),
    ),
    // Heating faults are handled round the clock in the heating season.
    seed(
        "utilities.heating",
        "供暖故障",
        "Heating not working",
        High,
        ch(2),
        ch(24),
    ),
    seed(
        "utilities.sewer_blockage",
        "下水道堵塞",
        "Sewer blockage",
        High,
        wh(2),
        wd(1),
    ),
    seed(
        "city_appearance",
        "市容环境",
        "City appearance",
        Normal,
        wh(4),
        wd(2),
    ),
    seed(
        "city_appearance.street_vending",
        "占道经营",
        "Street vending",
        Normal,
        wh(2),
        wh(4),
    ),
    seed(
        "city_appearance.items_outside_shops",
        "店外堆物",
        "Items piled outside shops",
        Low,
        wh(4),
        wd(1),
    ),
    seed(
        "city_appearance.bikes_blocking",
        "非机动车乱停放",
        "Bikes parked in the way",
        Low,
        wh(4),
        wd(1),
    ),
    seed(
        "property",
        "物业管理",
        "Property management",
        Normal,
        wd(1),
        wd(10),
    ),
    seed(
        "property.no_management",
        "无物业小区",
        "Compound without property management",
        Normal,
        wd(1),
        wd(15),
    ),
    seed(
        "public_service",
        "公共服务",
        "Public service",
        Low,
        wd(1),
        wd(5),
    ),
    seed(
        "public_service.lost_and_found",
        "失物招领",
        "Lost and found",
        Low,
        wd(1),
        wd(5),
    ),
];

/// A barking dog is heard by the whole block, a vendor's stall is one spot:
/// most categories look 250 m around a new report, a few wider or narrower.
fn duplicate_radius_m(code: &str) -> u32 {
    match code {
        "neighbourhood.dog_noise" | "utilities.heating" => 400,
        "city_appearance.street_vending" | "city_appearance.bikes_blocking" => 100,
        _ => 250,
    }
}

/// Residents' reports a grid worker checks on site before they are
/// registered (核实): things that are often misjudged from a window or
/// already gone (a stall, a wire, a dog), not emergencies (a person in the
/// cold, a fallen branch) nor what only a utility can see (no heating).
fn verify_on_site(code: &str) -> bool {
    matches!(
        code,
        "neighbourhood.dog_noise"
            | "public_safety.flying_wire_charging"
            | "city_appearance.street_vending"
            | "city_appearance.items_outside_shops"
            | "city_appearance.bikes_blocking"
            | "property.no_management"
    )
}

pub fn default_categories() -> Vec<Category> {
    SEEDS
        .iter()
        .map(|s| Category {
            code: s.code.to_owned(),
            parent_code: s.code.rsplit_once('.').map(|(parent, _)| parent.to_owned()),
            label_zh: s.zh.to_owned(),
            label_en: s.en.to_owned(),
            default_priority: s.priority,
            acknowledge_within: s.acknowledge,
            resolve_within: s.resolve,
            duplicate_radius_m: duplicate_radius_m(s.code),
            verify_on_site: verify_on_site(s.code),
            public_reports: gridops_domain::open311::public_by_default(s.code),
        })
        .collect()
}

fn choice(key: &str, zh: &str, en: &str) -> Choice {
    Choice {
        key: key.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
    }
}

fn question(code: &str, datatype: Datatype, zh: &str, en: &str, choices: Vec<Choice>) -> Attribute {
    Attribute {
        code: code.to_owned(),
        datatype,
        required: false,
        description_zh: zh.to_owned(),
        description_en: en.to_owned(),
        choices,
    }
}

/// The extra questions some categories ask a reporter (Open311 service
/// definitions): what helps the party before anyone goes out. None is
/// required, so a client that knows nothing of them still reports.
pub fn default_attributes() -> Vec<(&'static str, Vec<Attribute>)> {
    use Datatype::{Number, SingleValueList};
    vec![
        (
            "neighbourhood.dog_noise",
            vec![
                question(
                    "when",
                    SingleValueList,
                    "通常什么时候叫",
                    "When it usually barks",
                    vec![
                        choice("night", "夜间（22:00–6:00）", "At night (22:00–06:00)"),
                        choice("early_morning", "清晨", "Early morning"),
                        choice("day", "白天", "By day"),
                    ],
                ),
                question(
                    "how_long",
                    SingleValueList,
                    "持续多久了",
                    "How long it has gone on",
                    vec![
                        choice("days", "几天", "Days"),
                        choice("weeks", "几周", "Weeks"),
                        choice("months", "几个月", "Months"),
                    ],
                ),
            ],
        ),
        (
            "public_safety.snow_ice.snow_on_sheds",
            vec![question(
                "where",
                SingleValueList,
                "积雪结冰的位置",
                "Where the snow or ice is",
                vec![
                    choice("bike_shed_roof", "车棚顶", "Bike-shed roof"),
                    choice("eaves", "屋檐", "Eaves"),
                    choice("other_roof", "其他屋顶或雨棚", "Another roof or awning"),
                ],
            )],
        ),
        (
            "utilities.heating",
            vec![question(
                "indoor_temperature",
                Number,
                "室内温度（摄氏度）",
                "Indoor temperature (°C)",
                vec![],
            )],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_parent_is_seeded_before_its_children() {
        let mut seen = HashSet::new();
        for category in default_categories() {
            if let Some(parent) = &category.parent_code {
                assert!(seen.contains(parent), "{} before its parent", category.code);
            }
            assert!(
                seen.insert(category.code.clone()),
                "{} twice",
                category.code
            );
        }
    }
}
