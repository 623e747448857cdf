//! Authentication: access tokens (JWT) and the `AuthUser` extractor a
//! handler names to get the signed-in user (`MaybeAuthUser` where anyone
//! may read). What that user may do is decided by `gridops_domain::access`.

mod extract;
pub mod tokens;

pub use extract::{AuthUser, MaybeAuthUser};
pub use tokens::{AccessClaims, ClaimGrant, TokenError, TokenKeys};
