//! Checklist templates, and what set a campaign off.

use serde::{Deserialize, Serialize};

/// A thing to check, what a failed check becomes, and whether the fix needs
/// a photo to count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable within its template: answers name it.
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
    /// The incident category a failed item is reported or fixed as.
    pub category: String,
    pub photo_required: bool,
}

/// A named checklist, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub items: Vec<Item>,
}

/// A template as an administrator writes it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct TemplateDraft {
    pub name_zh: String,
    pub name_en: String,
    pub items: Vec<Item>,
}

/// The most items a checklist may hold: a walk of a grid, not an audit.
pub const MAX_ITEMS: usize = 30;
/// The longest name or item text.
pub const MAX_TEXT: usize = 200;

/// What is wrong with a draft: the field (`items[2].category`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn text(field: String, value: &str) -> Result<(), Invalid> {
    let n = value.trim().chars().count();
    if n == 0 {
        return Err(invalid(field, "must not be blank"));
    }
    if n > MAX_TEXT {
        return Err(invalid(field, format!("at most {MAX_TEXT} characters")));
    }
    Ok(())
}

impl TemplateDraft {
    /// Checks the draft; `is_leaf_category` says whether a code names a
    /// category a report may carry (the caller knows the tree).
    pub fn check(&self, is_leaf_category: impl Fn(&str) -> bool) -> Result<(), Invalid> {
        text("name_zh".into(), &self.name_zh)?;
        text("name_en".into(), &self.name_en)?;
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(invalid("items", format!("1 to {MAX_ITEMS} items")));
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = |f: &str| format!("items[{i}].{f}");
            let id_ok = !item.id.is_empty()
                && item.id.len() <= 40
                && item
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !id_ok {
                return Err(invalid(at("id"), "1–40 characters: a–z, 0–9, _"));
            }
            if self.items[..i].iter().any(|other| other.id == item.id) {
                return Err(invalid(at("id"), "another item has this id"));
            }
            text(at("text_zh"), &item.text_zh)?;
            text(at("text_en"), &item.text_en)?;
            if !is_leaf_category(&item.category) {
                return Err(invalid(
                    at("category"),
                    format!("{} is not a category a report may carry", item.category),
                ));
            }
        }
        Ok(())
    }
}

/// The colours of China's weather warning signals (预警信号), weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Blue,
    Yellow,
    Orange,
    Red,
}

/// What set a campaign off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// A weather warning signal: its type (`blizzard` 暴雪, `cold_wave` 寒潮,
    /// `rainstorm` 暴雨, `gale` 大风, `high_temperature` 高温, …) and colour.
    WeatherWarning { signal: String, level: WarningLevel },
    /// A season's routine check (`heating` 供暖季, `flood` 防汛期, …).
    Season { season: String },
}

impl Trigger {
    pub fn check(&self) -> Result<(), Invalid> {
        let name = match self {
            Trigger::WeatherWarning { signal, .. } => ("trigger.signal", signal),
            Trigger::Season { season } => ("trigger.season", season),
        };
        let ok = !name.1.is_empty()
            && name.1.len() <= 40
            && name.1.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        if ok {
            Ok(())
        } else {
            Err(invalid(
                name.0,
                "1–40 characters: a–z and _ (e.g. blizzard)",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> Item {
        Item {
            id: id.into(),
            text_zh: "车棚顶积雪".into(),
            text_en: "Snow on bike-shed roofs".into(),
            category: "public_safety.snow_ice.snow_on_sheds".into(),
            photo_required: true,
        }
    }

    fn draft(items: Vec<Item>) -> TemplateDraft {
        TemplateDraft {
            name_zh: "暴雪隐患排查".into(),
            name_en: "Blizzard hazard check".into(),
            items,
        }
    }

    fn field(r: Result<(), Invalid>) -> String {
        r.err().map(|e| e.field).unwrap_or_default()
    }

    #[test]
    fn a_template_names_each_bad_field() {
        let leaf = |c: &str| c.starts_with("public_safety.");
        assert!(draft(vec![item("sheds")]).check(leaf).is_ok());
        assert_eq!(field(draft(vec![]).check(leaf)), "items");
        assert_eq!(
            field(draft(vec![item("sheds"), item("sheds")]).check(leaf)),
            "items[1].id"
        );
        let mut other = item("eaves");
        other.category = "nope".into();
        assert_eq!(
            field(draft(vec![item("sheds"), other]).check(leaf)),
            "items[1].category"
        );
        let mut blank = draft(vec![item("Sheds!")]);
        assert_eq!(field(blank.clone().check(leaf)), "items[0].id");
        blank.name_zh = " ".into();
        assert_eq!(field(blank.check(leaf)), "name_zh");
    }

    #[test]
    fn a_trigger_names_a_signal_in_plain_words() {
        let t = Trigger::WeatherWarning {
            signal: "blizzard".into(),
            level: WarningLevel::Red,
        };
        assert!(t.check().is_ok());
        let bad = Trigger::Season {
            season: "Heating Season".into(),
        };
        assert_eq!(field(bad.check()), "trigger.season");
    }
}
