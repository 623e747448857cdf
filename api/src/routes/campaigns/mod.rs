//! Campaigns (`/api/v1/campaigns`, 未诉先办): a checklist template started
//! over an area subtree with a due time, one task per grid, pushed to each
//! grid's workers and chief; the progress of every grid; calling one off.
//!
//! Who may: `Capability::RunCampaign` over the campaign's area — its
//! dispatchers (an area they dispatch holds it) and administrators. To a
//! dispatcher of another area such a campaign (or area) does not exist:
//! 404. Roles that never run a campaign — no administrator, and granted it
//! over none of the areas of their own grants (grid workers and chiefs,
//! handlers, residents) — get 403 before anything is looked up.

pub mod cancel;
pub mod create;
pub mod dto;
pub mod get;
pub mod list;

use gridops_domain::access::{Actor, Capability, Place, decide};
use gridops_domain::area::AreaCode;

use crate::error::ApiError;

pub const NO_SUCH_CAMPAIGN: &str = "no such campaign";
/// The 403 of roles that never run campaigns.
pub const REFUSED: &str = "campaigns are run by dispatchers over their area and by administrators";

/// Whether `actor` may run a campaign over `area` (else it is hidden).
pub fn oversees(actor: &Actor, area: &AreaCode) -> bool {
    let place = Place {
        areas: std::slice::from_ref(area),
        ..Place::default()
    };
    decide(actor, Capability::RunCampaign, place).is_granted()
}

/// 403 unless the actor runs campaigns somewhere: an administrator, or
/// granted `RunCampaign` over the area of one of their own grants.
pub fn require_runner(actor: &Actor) -> Result<(), ApiError> {
    let runs = actor.is_admin()
        || actor
            .grants
            .iter()
            .filter_map(|g| g.area.as_ref())
            .any(|area| oversees(actor, area));
    if runs {
        Ok(())
    } else {
        Err(ApiError::forbidden(REFUSED))
    }
}
