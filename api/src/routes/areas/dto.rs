use gridops_domain::area::{Area, AreaLevel};
use gridops_infra::repo::areas::AreaSummary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Levels of the area tree, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    City,
    District,
    Subdistrict,
    Community,
    Grid,
    MicroGrid,
}

impl From<Level> for AreaLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::City => AreaLevel::City,
            Level::District => AreaLevel::District,
            Level::Subdistrict => AreaLevel::Subdistrict,
            Level::Community => AreaLevel::Community,
            Level::Grid => AreaLevel::Grid,
            Level::MicroGrid => AreaLevel::MicroGrid,
        }
    }
}

/// An area without its boundary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaItem {
    /// Unit code: 6 digits for a city or district, then 3 more per level
    /// (a grid has 15).
    #[schema(example = "410102001001001")]
    pub code: String,
    #[schema(example = "百花社区第1网格")]
    pub name: String,
    #[schema(example = "Baihua Community Grid 1")]
    pub name_en: String,
    /// `city`, `district`, `subdistrict`, `community`, `grid` or `micro_grid`.
    #[schema(example = "grid")]
    pub level: String,
    #[schema(example = "410102001001")]
    pub parent_code: Option<String>,
    /// The boundary is invented (demo data), not surveyed.
    pub synthetic: bool,
}

impl From<AreaSummary> for AreaItem {
    fn from(a: AreaSummary) -> Self {
        AreaItem {
            code: a.code,
            name: a.name,
            name_en: a.name_en,
            level: a.level,
            parent_code: a.parent_code,
            synthetic: a.synthetic,
        }
    }
}

impl From<&Area> for AreaItem {
    fn from(a: &Area) -> Self {
        AreaItem {
            code: a.code.to_string(),
            name: a.name.clone(),
            name_en: a.name_en.clone(),
            level: a.level.as_str().to_owned(),
            parent_code: a.parent_code.as_ref().map(ToString::to_string),
            synthetic: a.synthetic,
        }
    }
}
