use chrono::{DateTime, Utc};
use gridops_domain::campaign::Item;
use gridops_infra::repo::campaigns::StoredTemplate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// One thing to check.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// Stable within the template (answers name it): 1–40 of a–z, 0–9, `_`.
    #[schema(pattern = "^[a-z0-9_]{1,40}$", example = "sheds")]
    pub id: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "车棚顶积雪"
    )]
    pub text_zh: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "Snow on bike-shed roofs"
    )]
    pub text_en: String,
    /// The category (a leaf of the tree) a failed check is fixed or
    /// reported as.
    #[schema(example = "public_safety.snow_ice.snow_on_sheds")]
    pub category: String,
    /// A fix on the spot counts only with a photo.
    #[serde(default)]
    pub photo_required: bool,
}

impl From<ItemBody> for Item {
    fn from(b: ItemBody) -> Self {
        Item {
            id: b.id,
            text_zh: b.text_zh,
            text_en: b.text_en,
            category: b.category,
            photo_required: b.photo_required,
        }
    }
}

/// A template as an administrator writes it.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "暴雪隐患排查"
    )]
    pub name_zh: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "Blizzard hazard check"
    )]
    pub name_en: String,
    /// 1 to 30 items.
    #[schema(min_items = 1, max_items = 30)]
    pub items: Vec<ItemBody>,
}

/// One item of a checklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
    pub category: String,
    pub photo_required: bool,
}

impl From<&Item> for ItemView {
    fn from(i: &Item) -> Self {
        ItemView {
            id: i.id.clone(),
            text_zh: i.text_zh.clone(),
            text_en: i.text_en.clone(),
            category: i.category.clone(),
            photo_required: i.photo_required,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub items: Vec<ItemView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&StoredTemplate> for TemplateView {
    fn from(s: &StoredTemplate) -> Self {
        TemplateView {
            id: s.template.id.clone(),
            name_zh: s.template.name_zh.clone(),
            name_en: s.template.name_en.clone(),
            items: s.template.items.iter().map(ItemView::from).collect(),
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    /// Oldest first.
    pub items: Vec<TemplateView>,
}
