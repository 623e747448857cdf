//! Demo checklist templates: what the field reports of `shared/seeds/` have
//! grid workers check after a blizzard warning, before the heating season
//! and before the flood season. Ids are stable so that docs and tests can
//! name them; every category is a leaf of `categories_seed`.

use gridops_domain::campaign::{Item, Template};

/// The blizzard template's id.
pub const BLIZZARD: &str = "demo-blizzard";
/// The heating-season template's id.
pub const HEATING_SEASON: &str = "demo-heating-season";
/// The flood-season template's id.
pub const FLOOD_SEASON: &str = "demo-flood-season";

fn item(id: &str, text_zh: &str, text_en: &str, category: &str, photo_required: bool) -> Item {
    Item {
        id: id.to_owned(),
        text_zh: text_zh.to_owned(),
        text_en: text_en.to_owned(),
        category: category.to_owned(),
        photo_required,
    }
}

pub fn demo_templates() -> Vec<Template> {
    const SNOW_ON_SHEDS: &str = "public_safety.snow_ice.snow_on_sheds";
    vec![
        // The seeds' blizzard: sheds and eaves cleared of snow, branches the
        // snow broke, e-bikes charged from wires out of windows.
        Template {
            id: BLIZZARD.to_owned(),
            name_zh: "暴雪隐患排查".to_owned(),
            name_en: "Blizzard hazard check".to_owned(),
            items: vec![
                item(
                    "sheds",
                    "车棚顶积雪",
                    "Snow on bike-shed roofs",
                    SNOW_ON_SHEDS,
                    true,
                ),
                item(
                    "eaves",
                    "屋檐积雪冰挂",
                    "Snow and icicles on eaves",
                    SNOW_ON_SHEDS,
                    true,
                ),
                item(
                    "branches",
                    "树枝被雪压断",
                    "Branches broken by snow",
                    "public_safety.snow_ice.broken_branches",
                    false,
                ),
                item(
                    "flying_wires",
                    "飞线充电",
                    "E-bikes charged from wires out of windows",
                    "public_safety.flying_wire_charging",
                    true,
                ),
                // The tree has no leaf for ice on the ground: the snow and
                // ice leaf a worker fixes on the spot serves.
                item("icy_steps", "台阶结冰", "Icy steps", SNOW_ON_SHEDS, false),
            ],
        },
        // Old buildings before residents freeze (工人路19号院, 百花路46号院).
        Template {
            id: HEATING_SEASON.to_owned(),
            name_zh: "供暖季入户巡查".to_owned(),
            name_en: "Heating season check of old buildings".to_owned(),
            items: vec![
                item(
                    "radiators",
                    "暖气片不热",
                    "Radiators cold",
                    "utilities.heating",
                    false,
                ),
                item(
                    "elderly_alone",
                    "独居老人家中无暖",
                    "Elderly people living alone without heat",
                    "social_aid.elderly_visit",
                    false,
                ),
                item(
                    "pipes",
                    "楼道暖气管道漏水",
                    "Heating pipes leaking in the stairwell",
                    "utilities.heating",
                    true,
                ),
                item(
                    "no_management",
                    "无物业小区供暖无人对接",
                    "Compound without property management: nobody speaks to the heating company",
                    "property.no_management",
                    false,
                ),
            ],
        },
        // Before the rains: drains and sewers open.
        Template {
            id: FLOOD_SEASON.to_owned(),
            name_zh: "防汛隐患排查".to_owned(),
            name_en: "Flood season check".to_owned(),
            items: vec![
                item(
                    "drains",
                    "雨水篦子堵塞",
                    "Storm drains blocked",
                    "utilities.sewer_blockage",
                    true,
                ),
                item(
                    "sewers",
                    "下水道返水",
                    "Sewers backing up",
                    "utilities.sewer_blockage",
                    false,
                ),
                item(
                    "basement_wires",
                    "地下车库飞线充电",
                    "E-bikes charged from wires in basements",
                    "public_safety.flying_wire_charging",
                    true,
                ),
                item(
                    "elderly_low_floor",
                    "低洼处独居老人",
                    "Elderly people living alone on low ground",
                    "social_aid.elderly_visit",
                    false,
                ),
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridops_domain::campaign::TemplateDraft;

    #[test]
    fn the_demo_templates_check_out_against_the_seeded_categories() {
        let categories = crate::categories_seed::default_categories();
        let is_leaf = |code: &str| gridops_domain::category::is_leaf(&categories, code);
        for template in demo_templates() {
            let draft = TemplateDraft {
                name_zh: template.name_zh.clone(),
                name_en: template.name_en.clone(),
                items: template.items.clone(),
            };
            assert_eq!(draft.check(is_leaf), Ok(()), "{}", template.id);
        }
    }
}
