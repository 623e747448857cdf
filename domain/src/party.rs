//! Responsible parties 责任主体: the organisations incidents are routed to.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 社区居委会 / 村委会
    CommunityCommittee,
    /// 街道办事处
    SubdistrictOffice,
    GovernmentDepartment,
    /// 城管
    UrbanManagement,
    /// 救助站
    RescueStation,
    /// 热力公司
    HeatingCompany,
    /// 物业公司
    PropertyCompany,
    /// 派出所
    PoliceStation,
    /// 人民调解委员会
    MediationCommittee,
    /// Water, power, gas.
    Utility,
}

impl PartyKind {
    pub const ALL: [PartyKind; 10] = [
        PartyKind::CommunityCommittee,
        PartyKind::SubdistrictOffice,
        PartyKind::GovernmentDepartment,
        PartyKind::UrbanManagement,
        PartyKind::RescueStation,
        PartyKind::HeatingCompany,
        PartyKind::PropertyCompany,
        PartyKind::PoliceStation,
        PartyKind::MediationCommittee,
        PartyKind::Utility,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::CommunityCommittee => "community_committee",
            PartyKind::SubdistrictOffice => "subdistrict_office",
            PartyKind::GovernmentDepartment => "government_department",
            PartyKind::UrbanManagement => "urban_management",
            PartyKind::RescueStation => "rescue_station",
            PartyKind::HeatingCompany => "heating_company",
            PartyKind::PropertyCompany => "property_company",
            PartyKind::PoliceStation => "police_station",
            PartyKind::MediationCommittee => "mediation_committee",
            PartyKind::Utility => "utility",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        PartyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// A short stable slug, e.g. `zy-heating`.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: PartyKind,
    pub contact_phone: Option<String>,
    /// Codes of the areas it serves (each with everything below it).
    pub areas: Vec<String>,
}
