//! How a handler asks `gridops_domain::access`: one call that answers with
//! the refusal the API gives (403 with the reason the handler names).

use gridops_domain::access::{Actor, Capability, Place, Target, decide};

use crate::error::ApiError;

/// `Ok` when the domain grants `actor` a `capability` that concerns no
/// object in particular (edit the calendar, read the routing rules); else a
/// 403 saying `why`.
pub fn require(actor: &Actor, capability: Capability, why: &str) -> Result<(), ApiError> {
    require_on(actor, capability, Place::default(), why)
}

/// `Ok` when the domain grants `capability` on `target` to `actor`; else a
/// 403 saying `why`.
pub fn require_on<'a>(
    actor: &Actor,
    capability: Capability,
    target: impl Into<Target<'a>>,
    why: &str,
) -> Result<(), ApiError> {
    if decide(actor, capability, target).is_granted() {
        Ok(())
    } else {
        Err(ApiError::forbidden(why))
    }
}
