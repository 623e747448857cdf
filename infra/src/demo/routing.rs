//! Demo routing rules: who handles each kind of case in the field reports of
//! `shared/seeds/`, as the handbooks of those places route them. Targets are
//! relative ("the heating company serving the place"), so one rule serves
//! every compound of the demo; a place nobody serves falls to its
//! subdistrict, as any case no rule can take.

use chrono::NaiveDateTime;
use gridops_domain::party::PartyKind;
use gridops_domain::routing::{Mode, RoutingRule, Target, TimeWindow, parse_time};

use crate::db::{DbConnection, DbError};
use crate::repo::incidents::SYSTEM_ACTOR;
use crate::repo::routing;

fn rule(id: &str, name: &str, category: &str, target: Target, assists: Vec<Target>) -> RoutingRule {
    RoutingRule {
        id: id.to_owned(),
        name: name.to_owned(),
        category: Some(category.to_owned()),
        area: None,
        window: None,
        priority: None,
        target,
        assists,
        mode: Mode::AutoDispatch,
    }
}

/// 22:00–07:00, the quiet hours of the noise rules.
fn night() -> Option<TimeWindow> {
    let (Some(from), Some(to)) = (parse_time("22:00"), parse_time("07:00")) else {
        return None;
    };
    TimeWindow::new(from, to).ok()
}

/// The demo table. Ids are stable so that the docs and tests can name them.
pub fn demo_rules() -> Vec<RoutingRule> {
    use PartyKind::*;
    vec![
        // Seed 004: 城开社区 found a homeless man a place and drove him to the
        // 救助站; the community leads, the rescue station comes to help.
        rule(
            "demo-homeless",
            "流浪乞讨人员：社区居委会接手，救助站协助",
            "social_aid.homeless",
            Target::PartyOfKind(CommunityCommittee),
            vec![Target::PartyOfKind(RescueStation)],
        ),
        // Seed 002: dogs barking is a neighbours' quarrel for the community's
        // mediators; the grid worker checks it on site first (the category is
        // verify_on_site), so grid workers need no rule of their own here.
        rule(
            "demo-dog-noise",
            "犬只扰民：社区人民调解委员会",
            "neighbourhood.dog_noise",
            Target::Mediator,
            Vec::new(),
        ),
        // At night (22:00–07:00) the grid worker on duty that night takes it
        // (值班: the grid's roster, a patrol walking it), at once: an office
        // opening at 8:30 helps nobody kept awake at 1 a.m. With nobody on
        // duty, the grid chief; without one, the community's dispatchers.
        RoutingRule {
            window: night(),
            ..rule(
                "demo-dog-noise-night",
                "夜间犬只扰民（22:00–07:00）：本网格值班网格员",
                "neighbourhood.dog_noise",
                Target::OnDuty,
                Vec::new(),
            )
        },
        // Seeds 003/004: the heating company serving the compound repairs,
        // the community committee follows it up with the residents.
        rule(
            "demo-heating",
            "供暖故障：所在小区的热力公司，社区居委会协助",
            "utilities.heating",
            Target::PartyOfKind(HeatingCompany),
            vec![Target::PartyOfKind(CommunityCommittee)],
        ),
        // Seed 003: 路长制, the nearest 城管 or comprehensive enforcement office.
        rule(
            "demo-street-vending",
            "占道经营：最近的城管（综合执法）",
            "city_appearance.street_vending",
            Target::PartyOfKind(UrbanManagement),
            Vec::new(),
        ),
        rule(
            "demo-items-outside-shops",
            "店外堆物：最近的城管（综合执法）",
            "city_appearance.items_outside_shops",
            Target::PartyOfKind(UrbanManagement),
            Vec::new(),
        ),
        // Seed 001: after the snow the grid workers cleared sheds and branches
        // of their own grid.
        rule(
            "demo-snow",
            "冰雪隐患：本网格网格员",
            "public_safety.snow_ice",
            Target::GridWorkers,
            Vec::new(),
        ),
        // Seed 003: charging cables hung from windows; the property company
        // of the compound removes them once the grid worker has checked.
        rule(
            "demo-flying-wire",
            "飞线充电：所在小区的物业公司",
            "public_safety.flying_wire_charging",
            Target::PartyOfKind(PropertyCompany),
            vec![Target::PartyOfKind(CommunityCommittee)],
        ),
    ]
}

/// Stores the demo rules when the routing table is empty; returns how many.
/// Through the same check as an administrator's rules. Call inside the write
/// transaction of the demo data.
pub fn seed_if_empty(conn: &mut DbConnection, at: NaiveDateTime) -> Result<usize, DbError> {
    if !routing::no_rules(conn)? {
        return Ok(0);
    }
    let rules = demo_rules();
    for rule in &rules {
        routing::insert_rule(conn, rule, SYSTEM_ACTOR, at)?
            .map_err(|refused| DbError::Other(format!("demo rule {}: {refused}", rule.id)))?;
    }
    Ok(rules.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categories_seed::default_categories;
    use gridops_domain::routing::check_rule;

    #[test]
    fn demo_rules_are_valid_and_name_known_categories() {
        let categories = default_categories();
        let rules = demo_rules();
        for (i, rule) in rules.iter().enumerate() {
            assert_eq!(check_rule(&rules[..i], rule), Ok(()), "{}", rule.id);
            let category = rule.category.as_deref().unwrap_or_default();
            assert!(
                categories.iter().any(|c| c.code == category),
                "{}: no category {category}",
                rule.id
            );
        }
        assert!(rules.iter().any(|r| r.window.is_some()));
    }
}
