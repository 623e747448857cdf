//! `/api/v1/users`: accounts and their roles, for administrators (and, to
//! read, the dispatchers of an area).

pub mod create;
pub mod disable;
pub mod dto;
pub mod get;
pub mod grant;
pub mod list;
pub mod revoke;

use gridops_domain::access::{Access, Actor, Capability};
use gridops_infra::repo::users::{self, Account};

use crate::error::{ApiError, missing};
use crate::state::AppState;
use dto::decide_on;

/// Loads an account the actor may see, or answers 404 as if it did not
/// exist; then, for `capability`, 403 when the actor may see but not act.
pub async fn load_for(
    state: &AppState,
    actor: &Actor,
    id: String,
    capability: Capability,
) -> Result<Account, ApiError> {
    const NO_SUCH_USER: &str = "no such user";
    let hidden = || ApiError::not_found(NO_SUCH_USER);
    let account = state
        .db
        .run(move |conn| users::find(conn, &id))
        .await
        .map_err(missing(NO_SUCH_USER))?;
    match decide_on(actor, Capability::ReadUser, &account) {
        Access::Granted => {}
        _ => return Err(hidden()),
    }
    match decide_on(actor, capability, &account) {
        Access::Granted => Ok(account),
        Access::Forbidden => Err(ApiError::forbidden(
            "your role does not allow this on this user",
        )),
        Access::Hidden => Err(hidden()),
    }
}
