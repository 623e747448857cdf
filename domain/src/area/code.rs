use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The levels of the area tree, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    City,
    /// A district 区 or a county-level city 县级市.
    District,
    /// A subdistrict 街道 or town 镇.
    Subdistrict,
    /// A community 社区 or village 村.
    Community,
    Grid,
    MicroGrid,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown level `{0}`; expected one of city, district, subdistrict, community, grid, micro_grid"
)]
pub struct UnknownAreaLevel(pub String);

impl AreaLevel {
    pub const ALL: [AreaLevel; 6] = [
        AreaLevel::City,
        AreaLevel::District,
        AreaLevel::Subdistrict,
        AreaLevel::Community,
        AreaLevel::Grid,
        AreaLevel::MicroGrid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::City => "city",
            AreaLevel::District => "district",
            AreaLevel::Subdistrict => "subdistrict",
            AreaLevel::Community => "community",
            AreaLevel::Grid => "grid",
            AreaLevel::MicroGrid => "micro_grid",
        }
    }

    /// 0 for the city, 5 for a micro-grid.
    pub fn depth(self) -> u8 {
        self as u8
    }

    /// The level an area of this level must hang under; `None` for the root.
    pub fn parent(self) -> Option<AreaLevel> {
        match self {
            AreaLevel::City => None,
            AreaLevel::District => Some(AreaLevel::City),
            AreaLevel::Subdistrict => Some(AreaLevel::District),
            AreaLevel::Community => Some(AreaLevel::Subdistrict),
            AreaLevel::Grid => Some(AreaLevel::Community),
            AreaLevel::MicroGrid => Some(AreaLevel::Grid),
        }
    }

    /// Digits in a code of this level: GB/T 2260 gives six to cities and
    /// districts, and each level below appends a three-digit sequence
    /// (street, community, grid, micro-grid), so a grid code has 15 digits.
    pub fn code_len(self) -> usize {
        match self {
            AreaLevel::City | AreaLevel::District => 6,
            AreaLevel::Subdistrict => 9,
            AreaLevel::Community => 12,
            AreaLevel::Grid => 15,
            AreaLevel::MicroGrid => 18,
        }
    }

    /// Grids and micro-grids are what a point is located to; they must have a boundary.
    pub fn is_grid(self) -> bool {
        matches!(self, AreaLevel::Grid | AreaLevel::MicroGrid)
    }
}

impl fmt::Display for AreaLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AreaLevel {
    type Err = UnknownAreaLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == s)
            .ok_or_else(|| UnknownAreaLevel(s.to_owned()))
    }
}

/// A unit code such as `410102001001001`: digits only, of a length some level uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AreaCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAreaCode {
    #[error("an area code has only digits")]
    NotDigits,
    #[error("an area code has 6, 9, 12, 15 or 18 digits, not {0}")]
    Length(usize),
}

impl AreaCode {
    pub fn parse(s: &str) -> Result<Self, InvalidAreaCode> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidAreaCode::NotDigits);
        }
        if !AreaLevel::ALL.iter().any(|l| l.code_len() == s.len()) {
            return Err(InvalidAreaCode::Length(s.len()));
        }
        Ok(AreaCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn fits_level(&self, level: AreaLevel) -> bool {
        self.0.len() == level.code_len()
    }

    /// Whether this code can name a child of `parent` (of level `parent_level`).
    /// Below the district a child's code extends its parent's; a district shares
    /// the first four digits (province + prefecture) with its city.
    pub fn extends(&self, parent: &AreaCode, parent_level: AreaLevel) -> bool {
        match parent_level {
            AreaLevel::City => {
                self.0.len() == 6 && self.0[..4] == parent.0[..4] && self.0 != parent.0
            }
            _ => self.0.len() == parent.0.len() + 3 && self.0.starts_with(&parent.0),
        }
    }
}

impl AreaCode {
    /// This code and every code that covers it, deepest first: a grid, its
    /// community, subdistrict, district and prefecture-level city.
    pub fn lineage(&self) -> Vec<AreaCode> {
        let mut out: Vec<AreaCode> = AreaLevel::ALL
            .iter()
            .map(|level| level.code_len())
            .filter(|&len| len <= self.0.len())
            .map(|len| AreaCode(self.0[..len].to_owned()))
            .collect();
        out.push(AreaCode(format!("{}00", &self.0[..4])));
        out.sort_by_key(|c| std::cmp::Reverse(c.0.len()));
        out.dedup();
        out.retain(|c| c.covers(self));
        out
    }

    /// Whether `other` is this area or lies below it. Codes nest (import
    /// refuses a child whose code does not extend its parent's), so this is a
    /// prefix test; a prefecture-level city (`XXYY00`) covers every code that
    /// starts with its first four digits.
    pub fn covers(&self, other: &AreaCode) -> bool {
        other.0.starts_with(self.subtree_prefix())
    }

    /// What every code of this area and below starts with: the code itself,
    /// or the first four digits of a prefecture-level city (`XXYY00`). The
    /// store filters a subtree by it.
    pub fn subtree_prefix(&self) -> &str {
        if self.0.len() == 6 && self.0.ends_with("00") {
            &self.0[..4]
        } else {
            &self.0
        }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AreaCode {
    type Err = InvalidAreaCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_lineage_runs_from_itself_to_its_city() {
        let grid = AreaCode::parse("410102003001002").unwrap_or_else(|e| panic!("{e}"));
        let lineage: Vec<String> = grid.lineage().iter().map(ToString::to_string).collect();
        assert_eq!(
            lineage,
            [
                "410102003001002",
                "410102003001",
                "410102003",
                "410102",
                "410100"
            ]
        );
        let city = AreaCode::parse("410100").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(city.lineage(), vec![city.clone()]);
    }

    #[test]
    fn codes_are_digits_of_a_known_length() {
        assert!(AreaCode::parse("410102001001001").is_ok());
        assert_eq!(
            AreaCode::parse("41010200100100"),
            Err(InvalidAreaCode::Length(14))
        );
        assert_eq!(AreaCode::parse("41010a"), Err(InvalidAreaCode::NotDigits));
        assert_eq!(AreaCode::parse(""), Err(InvalidAreaCode::NotDigits));
    }

    #[test]
    fn child_codes_extend_their_parent() -> Result<(), InvalidAreaCode> {
        let city = AreaCode::parse("410100")?;
        let district = AreaCode::parse("410102")?;
        let street = AreaCode::parse("410102001")?;
        assert!(district.extends(&city, AreaLevel::City));
        assert!(!city.extends(&city, AreaLevel::City));
        assert!(!AreaCode::parse("420102")?.extends(&city, AreaLevel::City));
        assert!(street.extends(&district, AreaLevel::District));
        assert!(!AreaCode::parse("410103001")?.extends(&district, AreaLevel::District));
        Ok(())
    }

    #[test]
    fn an_area_covers_itself_and_what_lies_below() -> Result<(), InvalidAreaCode> {
        let city = AreaCode::parse("410100")?;
        let district = AreaCode::parse("410102")?;
        let grid = AreaCode::parse("410102003001002")?;
        assert!(city.covers(&district) && city.covers(&grid) && district.covers(&grid));
        assert!(grid.covers(&grid));
        assert!(!grid.covers(&district));
        assert!(!district.covers(&AreaCode::parse("410181001")?));
        assert!(!city.covers(&AreaCode::parse("420102")?));
        assert_eq!(city.subtree_prefix(), "4101");
        assert_eq!(district.subtree_prefix(), "410102");
        assert_eq!(grid.subtree_prefix(), "410102003001002");
        Ok(())
    }

    #[test]
    fn levels_round_trip_through_their_names() {
        for level in AreaLevel::ALL {
            assert_eq!(level.as_str().parse::<AreaLevel>(), Ok(level));
        }
        assert!("street".parse::<AreaLevel>().is_err());
    }
}
