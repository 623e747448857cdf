//! Demo responsible parties (责任主体) for `gridops serve --demo`.
//!
//! Every organisation here is one the field reports in `shared/seeds/` name or clearly imply;
//! where a report names no organisation (e.g. "热力公司", "救助站"), the name is the plain
//! description. Phone numbers are fake. Area codes refer to `super::areas::demo_areas`.
//!
//! Every community gets a residents' committee and a mediation committee so that routing rules
//! like "the mediator of its community" resolve anywhere in the demo, not only where a report
//! happened to mention one.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoParty {
    pub code: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub kind: &'static str,
    pub contact_phone: Option<&'static str>,
    pub areas: &'static [&'static str],
}

const fn party(
    code: &'static str,
    name: &'static str,
    name_en: &'static str,
    kind: &'static str,
    contact_phone: Option<&'static str>,
    areas: &'static [&'static str],
) -> DemoParty {
    DemoParty {
        code,
        name,
        name_en,
        kind,
        contact_phone,
        areas,
    }
}

pub const DEMO_PARTIES: &[DemoParty] = &[
    // ── 中原区: district-wide handlers ──────────────────────────────────────────────────
    // Seeds 003/004 only say 热力公司 / 暖气公司 / 供暖公司; it connects old compounds
    // (百花路46号院, 工人路19号院) and checks the result before heat is switched on.
    party(
        "zy-heating",
        "郑州热力公司（中原区）",
        "Zhengzhou Heating Company (Zhongyuan)",
        "heating_company",
        Some("0371-6000-0001"),
        &["410102"],
    ),
    party(
        "zy-urban-management",
        "中原区城市管理局",
        "Zhongyuan District Urban Management Bureau",
        "urban_management",
        Some("0371-6000-0002"),
        &["410102"],
    ),
    // Seed 004: 城开社区 drove a homeless man to the 救助站; 平安街 patrols for 流浪乞讨人员.
    party(
        "zy-rescue-station",
        "中原区救助站",
        "Zhongyuan District Relief Station",
        "rescue_station",
        Some("0371-6000-0003"),
        &["410102"],
    ),
    // ── 中原区: subdistrict-level handlers ───────────────────────────────────────────────
    // Seed 003: 棉纺路's 综合执法办公室 clears piled goods and street vending (路长制).
    party(
        "zy-mianfanglu-enforcement",
        "棉纺路街道综合执法办公室",
        "Mianfanglu Subdistrict Comprehensive Enforcement Office",
        "urban_management",
        Some("0371-6000-0004"),
        &["410102007"],
    ),
    // Seed 003: 中原西路's "城管+N" brings 城管 together with the 执法队 and other departments.
    party(
        "zy-zhongyuanxilu-enforcement",
        "中原西路街道城管执法队",
        "Zhongyuan Xilu Subdistrict Urban Management Team",
        "urban_management",
        Some("0371-6000-0005"),
        &["410102004"],
    ),
    // Seed 004: police officers (民警) are stationed in 绿都社区's grids; the station's name
    // is assumed to follow the subdistrict's.
    party(
        "zy-zhongyuanxilu-police",
        "中原西路派出所",
        "Zhongyuan Xilu Police Station",
        "police_station",
        Some("0371-6000-0006"),
        &["410102004"],
    ),
    // ── 中原区: property companies of the compounds named ────────────────────────────────
    // Seed 003: moved into 董寨路2号院翡翠公寓 (189 households) after the old one left;
    // the compound is placed in grid 1 of 煤仓街.
    party(
        "zy-zhongbo-property",
        "河南众博物业",
        "Henan Zhongbo Property Services",
        "property_company",
        Some("0371-6000-0007"),
        &["410102002001001"],
    ),
    // Seed 003: 百花路46号院 "有物业管理的有主楼院" but the company is not named.
    party(
        "zy-baihua46-property",
        "百花路46号院物业",
        "Baihualu No. 46 Compound Property Management",
        "property_company",
        Some("0371-6000-0008"),
        &["410102001001001"],
    ),
    // Seed 004: the lost keys were announced through the mall's property management.
    party(
        "zy-wanda-plaza-property",
        "万达广场商场物业",
        "Wanda Plaza Mall Property Management",
        "property_company",
        Some("0371-6000-0009"),
        &["410102004002001"],
    ),
    // ── 中原区: subdistrict offices ────────────────────────────────────────────────────
    party(
        "zy-linshanzhai-office",
        "林山寨街道办事处",
        "Linshanzhai Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0101"),
        &["410102001"],
    ),
    party(
        "zy-tongbailu-office",
        "桐柏路街道办事处",
        "Tongbailu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0102"),
        &["410102002"],
    ),
    party(
        "zy-hanghaixilu-office",
        "航海西路街道办事处",
        "Hanghai Xilu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0103"),
        &["410102003"],
    ),
    party(
        "zy-zhongyuanxilu-office",
        "中原西路街道办事处",
        "Zhongyuan Xilu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0104"),
        &["410102004"],
    ),
    party(
        "zy-qinlinglu-office",
        "秦岭路街道办事处",
        "Qinlinglu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0105"),
        &["410102005"],
    ),
    party(
        "zy-sanguanmiao-office",
        "三官庙街道办事处",
        "Sanguanmiao Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0106"),
        &["410102006"],
    ),
    party(
        "zy-mianfanglu-office",
        "棉纺路街道办事处",
        "Mianfanglu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0107"),
        &["410102007"],
    ),
    party(
        "zy-jianshelu-office",
        "建设路街道办事处",
        "Jianshelu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6000-0108"),
        &["410102008"],
    ),
    // ── 中原区: community residents' committees (社区居委会) ───────────────────────────────
    party(
        "zy-baihua-committee",
        "百花社区居民委员会",
        "Baihua Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0201"),
        &["410102001001"],
    ),
    party(
        "zy-nongyeyinhang-committee",
        "农业银行社区居民委员会",
        "Nongye Yinhang Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0202"),
        &["410102001002"],
    ),
    party(
        "zy-yizhong-committee",
        "一中社区居民委员会",
        "Yizhong Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0203"),
        &["410102001003"],
    ),
    party(
        "zy-meicangjie-committee",
        "煤仓街社区居民委员会",
        "Meicangjie Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0204"),
        &["410102002001"],
    ),
    party(
        "zy-chengkai-committee",
        "城开社区居民委员会",
        "Chengkai Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0205"),
        &["410102002002"],
    ),
    party(
        "zy-kaiyuan-committee",
        "开元社区居民委员会",
        "Kaiyuan Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0206"),
        &["410102002003"],
    ),
    party(
        "zy-dianchangnanlu-committee",
        "电厂南路社区居民委员会",
        "Dianchang Nanlu Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0207"),
        &["410102002004"],
    ),
    party(
        "zy-pinganjie-committee",
        "平安街社区居民委员会",
        "Ping'anjie Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0208"),
        &["410102002005"],
    ),
    party(
        "zy-guanlan-committee",
        "观澜社区居民委员会",
        "Guanlan Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0209"),
        &["410102003001"],
    ),
    party(
        "zy-lvdu-committee",
        "绿都社区居民委员会",
        "Lüdu Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0210"),
        &["410102004001"],
    ),
    party(
        "zy-wanda-committee",
        "万达社区居民委员会",
        "Wanda Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0211"),
        &["410102004002"],
    ),
    party(
        "zy-qinjiang-committee",
        "秦江社区居民委员会",
        "Qinjiang Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0212"),
        &["410102005001"],
    ),
    party(
        "zy-henanfangji-committee",
        "河南纺机社区居民委员会",
        "Henan Fangji Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0213"),
        &["410102006001"],
    ),
    party(
        "zy-zhongyuanzhonglu1-committee",
        "中原中路一社区居民委员会",
        "Zhongyuan Zhonglu Yi Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0214"),
        &["410102006002"],
    ),
    party(
        "zy-guomiansanchang-committee",
        "国棉三厂社区居民委员会",
        "Guomian Sanchang Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0215"),
        &["410102007001"],
    ),
    party(
        "zy-jihualu-committee",
        "计划路社区居民委员会",
        "Jihualu Community Residents' Committee",
        "community_committee",
        Some("0371-6000-0216"),
        &["410102008001"],
    ),
    // ── 中原区: community mediation committees (人民调解委员会) ────────────────────────────
    party(
        "zy-baihua-mediation",
        "百花社区人民调解委员会",
        "Baihua Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0301"),
        &["410102001001"],
    ),
    party(
        "zy-nongyeyinhang-mediation",
        "农业银行社区人民调解委员会",
        "Nongye Yinhang Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0302"),
        &["410102001002"],
    ),
    party(
        "zy-yizhong-mediation",
        "一中社区人民调解委员会",
        "Yizhong Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0303"),
        &["410102001003"],
    ),
    party(
        "zy-meicangjie-mediation",
        "煤仓街社区人民调解委员会",
        "Meicangjie Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0304"),
        &["410102002001"],
    ),
    party(
        "zy-chengkai-mediation",
        "城开社区人民调解委员会",
        "Chengkai Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0305"),
        &["410102002002"],
    ),
    party(
        "zy-kaiyuan-mediation",
        "开元社区人民调解委员会",
        "Kaiyuan Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0306"),
        &["410102002003"],
    ),
    party(
        "zy-dianchangnanlu-mediation",
        "电厂南路社区人民调解委员会",
        "Dianchang Nanlu Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0307"),
        &["410102002004"],
    ),
    party(
        "zy-pinganjie-mediation",
        "平安街社区人民调解委员会",
        "Ping'anjie Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0308"),
        &["410102002005"],
    ),
    // Seed 004: 观澜's mediator settled the barking-dog complaint of 7号院2号楼.
    party(
        "zy-guanlan-mediation",
        "观澜社区人民调解委员会",
        "Guanlan Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0309"),
        &["410102003001"],
    ),
    party(
        "zy-lvdu-mediation",
        "绿都社区人民调解委员会",
        "Lüdu Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0310"),
        &["410102004001"],
    ),
    party(
        "zy-wanda-mediation",
        "万达社区人民调解委员会",
        "Wanda Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0311"),
        &["410102004002"],
    ),
    party(
        "zy-qinjiang-mediation",
        "秦江社区人民调解委员会",
        "Qinjiang Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0312"),
        &["410102005001"],
    ),
    party(
        "zy-henanfangji-mediation",
        "河南纺机社区人民调解委员会",
        "Henan Fangji Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0313"),
        &["410102006001"],
    ),
    party(
        "zy-zhongyuanzhonglu1-mediation",
        "中原中路一社区人民调解委员会",
        "Zhongyuan Zhonglu Yi Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0314"),
        &["410102006002"],
    ),
    party(
        "zy-guomiansanchang-mediation",
        "国棉三厂社区人民调解委员会",
        "Guomian Sanchang Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0315"),
        &["410102007001"],
    ),
    party(
        "zy-jihualu-mediation",
        "计划路社区人民调解委员会",
        "Jihualu Community Mediation Committee",
        "mediation_committee",
        Some("0371-6000-0316"),
        &["410102008001"],
    ),
    // ── 巩义市: city-wide handlers ───────────────────────────────────────────────────────
    // Seed 000: 钢苑小区's residents went to the 热力公司 about connecting the compound.
    party(
        "gy-heating",
        "巩义市热力公司",
        "Gongyi Heating Company",
        "heating_company",
        Some("0371-6100-0001"),
        &["410181"],
    ),
    // Seed 001: 杜甫路社区 works with 巩义市城市管理局 against street vending and goods
    // outside shops.
    party(
        "gy-urban-management",
        "巩义市城市管理局",
        "Gongyi Urban Management Bureau",
        "urban_management",
        Some("0371-6100-0002"),
        &["410181"],
    ),
    // Seed 001: its mine rescue team (矿山救护队) ran first-aid drills in 化肥厂楼院.
    party(
        "gy-emergency-management",
        "巩义市应急管理局",
        "Gongyi Emergency Management Bureau",
        "government_department",
        Some("0371-6100-0003"),
        &["410181"],
    ),
    // Seed 001: reviewed the lift retrofit of 宇华苑 with 杜甫路社区.
    party(
        "gy-housing-centre",
        "巩义市房管中心",
        "Gongyi Housing Management Centre",
        "government_department",
        Some("0371-6100-0004"),
        &["410181"],
    ),
    // Seed 001: connected 南苑小区's two blocks to natural gas.
    party(
        "gy-gas",
        "巩义市燃气公司",
        "Gongyi Gas Company",
        "utility",
        Some("0371-6100-0005"),
        &["410181"],
    ),
    // ── 巩义市: property management of the compounds named ─────────────────────────────
    // Seed 000: 钢苑小区's 简易物业 (residents' own basic property service); the compound is
    // placed in grid 1 of 新兴路社区, 锦豪园 in grid 2.
    party(
        "gy-gangyuan-property",
        "钢苑小区简易物业",
        "Gangyuan Compound Basic Property Service",
        "property_company",
        Some("0371-6100-0006"),
        &["410181001001001"],
    ),
    party(
        "gy-jinhaoyuan-property",
        "锦豪园物业",
        "Jinhaoyuan Property Management",
        "property_company",
        Some("0371-6100-0007"),
        &["410181001001002"],
    ),
    // Seed 001: 化肥厂楼院 runs a 简易物业 under its residents' council; placed in grid 1 of
    // 杜甫路社区.
    party(
        "gy-huafeichang-property",
        "化肥厂楼院简易物业",
        "Huafeichang Compound Basic Property Service",
        "property_company",
        None,
        &["410181002001001"],
    ),
    // ── 巩义市: subdistrict offices ───────────────────────────────────────────────────
    party(
        "gy-xinhualu-office",
        "新华路街道办事处",
        "Xinhualu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6100-0101"),
        &["410181001"],
    ),
    party(
        "gy-dufulu-office",
        "杜甫路街道办事处",
        "Dufulu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6100-0102"),
        &["410181002"],
    ),
    party(
        "gy-zijinglu-office",
        "紫荆路街道办事处",
        "Zijinglu Subdistrict Office",
        "subdistrict_office",
        Some("0371-6100-0103"),
        &["410181003"],
    ),
    // ── 巩义市: community committees and mediation committees ──────────────────────────
    party(
        "gy-xinxinglu-committee",
        "新兴路社区居民委员会",
        "Xinxinglu Community Residents' Committee",
        "community_committee",
        Some("0371-6100-0201"),
        &["410181001001"],
    ),
    party(
        "gy-dufulu-committee",
        "杜甫路社区居民委员会",
        "Dufulu Community Residents' Committee",
        "community_committee",
        Some("0371-6100-0202"),
        &["410181002001"],
    ),
    party(
        "gy-yongxinlu-committee",
        "永新路社区居民委员会",
        "Yongxinlu Community Residents' Committee",
        "community_committee",
        Some("0371-6100-0203"),
        &["410181003001"],
    ),
    party(
        "gy-xinxinglu-mediation",
        "新兴路社区人民调解委员会",
        "Xinxinglu Community Mediation Committee",
        "mediation_committee",
        Some("0371-6100-0301"),
        &["410181001001"],
    ),
    party(
        "gy-dufulu-mediation",
        "杜甫路社区人民调解委员会",
        "Dufulu Community Mediation Committee",
        "mediation_committee",
        Some("0371-6100-0302"),
        &["410181002001"],
    ),
    party(
        "gy-yongxinlu-mediation",
        "永新路社区人民调解委员会",
        "Yongxinlu Community Mediation Committee",
        "mediation_committee",
        Some("0371-6100-0303"),
        &["410181003001"],
    ),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::demo::areas::demo_areas;

    const KINDS: &[&str] = &[
        "community_committee",
        "subdistrict_office",
        "government_department",
        "urban_management",
        "rescue_station",
        "heating_company",
        "property_company",
        "police_station",
        "mediation_committee",
        "utility",
    ];

    fn area_levels() -> HashMap<String, String> {
        demo_areas()
            .features
            .iter()
            .map(|f| {
                let p = f.properties.as_ref().unwrap();
                (
                    p["code"].as_str().unwrap().to_owned(),
                    p["level"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn every_party_area_exists() {
        let areas = area_levels();
        for p in DEMO_PARTIES {
            assert!(!p.areas.is_empty(), "{} serves nothing", p.code);
            for a in p.areas {
                assert!(areas.contains_key(*a), "{}: unknown area {a}", p.code);
            }
        }
    }

    #[test]
    fn codes_are_unique_slugs_and_kinds_known() {
        let mut seen = HashSet::new();
        for p in DEMO_PARTIES {
            assert!(seen.insert(p.code), "duplicate {}", p.code);
            assert!(
                !p.code.is_empty()
                    && !p.code.starts_with('-')
                    && !p.code.ends_with('-')
                    && p.code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "bad slug {}",
                p.code
            );
            assert!(KINDS.contains(&p.kind), "{}: bad kind {}", p.code, p.kind);
            assert!(!p.name.is_empty() && !p.name_en.is_empty());
        }
    }

    #[test]
    fn every_community_has_a_committee_and_a_mediator_and_every_subdistrict_an_office() {
        let areas = area_levels();
        let serving = |kind: &str, code: &str| {
            DEMO_PARTIES
                .iter()
                .filter(|p| p.kind == kind && p.areas.contains(&code))
                .count()
        };
        for (code, level) in &areas {
            match level.as_str() {
                "community" => {
                    assert_eq!(serving("community_committee", code), 1, "{code}");
                    assert_eq!(serving("mediation_committee", code), 1, "{code}");
                }
                "subdistrict" => assert_eq!(serving("subdistrict_office", code), 1, "{code}"),
                "district" => {
                    assert_eq!(serving("heating_company", code), 1, "{code}");
                    assert_eq!(serving("urban_management", code), 1, "{code}");
                }
                _ => {}
            }
        }
        assert_eq!(serving("rescue_station", "410102"), 1);
    }
}
