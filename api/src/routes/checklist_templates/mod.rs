//! Checklist templates (`/api/v1/checklist-templates`): what grid workers
//! go through after a warning or before a season, each item naming the
//! incident category a failed check becomes. Administrators keep them;
//! staff read them (who may: `domain::access`, `ReadChecklistTemplates`
//! and `ManageChecklistTemplates`).

pub mod create;
pub mod delete;
pub mod dto;
pub mod get;
pub mod list;
pub mod update;

use gridops_domain::campaign::{Template, TemplateDraft};
use gridops_domain::category;
use gridops_infra::repo::categories;

use crate::error::ApiError;
use crate::state::AppState;
use dto::TemplateRequest;

pub const NO_SUCH_TEMPLATE: &str = "no such checklist template";
/// The 403 of `Capability::ReadChecklistTemplates`.
pub const READ_REFUSED: &str = "checklist templates are for staff";
/// The 403 of `Capability::ManageChecklistTemplates`.
pub const MANAGE_REFUSED: &str = "only administrators change checklist templates";

/// The body as a template with id `id`, checked against the category tree:
/// 422 naming the first bad field (`items[2].category`).
pub async fn checked(
    state: &AppState,
    id: String,
    body: TemplateRequest,
) -> Result<Template, ApiError> {
    let tree = state.db.run(categories::list).await?;
    let is_leaf = |code: &str| category::is_leaf(&tree, code);
    let draft = TemplateDraft {
        name_zh: body.name_zh,
        name_en: body.name_en,
        items: body.items.into_iter().map(Into::into).collect(),
    };
    draft
        .check(is_leaf)
        .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
    Ok(Template {
        id,
        name_zh: draft.name_zh.trim().to_owned(),
        name_en: draft.name_en.trim().to_owned(),
        items: draft.items,
    })
}
