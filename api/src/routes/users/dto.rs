use chrono::{DateTime, Utc};
use gridops_domain::access::{Actor, Capability, Place, decide, mask_phone};
use gridops_infra::repo::users::{Account, StoredGrant};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// Roles, as the API spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Resident,
    GridWorker,
    GridChief,
    Dispatcher,
    Handler,
    Admin,
    /// 审计: verifies the timelines' hash chains city-wide; read-only.
    Auditor,
}

impl From<RoleName> for gridops_domain::role::Role {
    fn from(r: RoleName) -> Self {
        use gridops_domain::role::Role;
        match r {
            RoleName::Resident => Role::Resident,
            RoleName::GridWorker => Role::GridWorker,
            RoleName::GridChief => Role::GridChief,
            RoleName::Dispatcher => Role::Dispatcher,
            RoleName::Handler => Role::Handler,
            RoleName::Admin => Role::Admin,
            RoleName::Auditor => Role::Auditor,
        }
    }
}

/// A role held by a user, with its scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    /// Revoke with `DELETE /api/v1/users/{id}/roles/{grant_id}`.
    pub id: String,
    #[schema(example = "grid_worker")]
    pub role: String,
    /// The area the role covers, with everything below it.
    #[schema(example = "410102003001002")]
    pub area: Option<String>,
    /// The party a handler works for.
    pub party: Option<String>,
}

impl From<&StoredGrant> for GrantView {
    fn from(g: &StoredGrant) -> Self {
        GrantView {
            id: g.id.clone(),
            role: g.grant.role.as_str().to_owned(),
            area: g.grant.area.as_ref().map(ToString::to_string),
            party: g.grant.party.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// Masked (`138****5678`) in lists and in answers to changes. Shown whole
    /// by `GET /users/{id}` and `/me` to whoever needs the number for this
    /// user: themselves, an administrator, or a dispatcher of the user's area;
    /// each such read by someone else is logged.
    #[schema(example = "138****5678")]
    pub phone: Option<String>,
    pub phone_masked: bool,
    #[schema(example = "zh-CN")]
    pub locale: String,
    pub disabled: bool,
    pub roles: Vec<GrantView>,
    pub created_at: DateTime<Utc>,
}

/// How a phone number is shown to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneView {
    Masked,
    Unmasked,
}

impl UserView {
    pub fn new(account: &Account, phone: PhoneView) -> Self {
        let user = &account.user;
        let masked = phone == PhoneView::Masked;
        UserView {
            id: user.id.clone(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            phone: user
                .phone
                .as_deref()
                .map(|p| if masked { mask_phone(p) } else { p.to_owned() }),
            phone_masked: masked && user.phone.is_some(),
            locale: user.locale.clone(),
            disabled: user.disabled,
            roles: account.grants.iter().map(GrantView::from).collect(),
            created_at: user.created_at.and_utc(),
        }
    }
}

/// Where an account sits, for the access policy.
pub fn decide_on(
    actor: &Actor,
    capability: Capability,
    account: &Account,
) -> gridops_domain::access::Access {
    let areas = account.areas();
    let parties = account.parties();
    decide(
        actor,
        capability,
        Place {
            areas: &areas,
            parties: &parties,
            owner: Some(&account.user.id),
        },
    )
}

/// The scope of a new role.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct GrantRequest {
    pub role: RoleName,
    /// Area code: a grid for grid workers and chiefs; a community,
    /// subdistrict or district for dispatchers; a community for residents.
    #[validate(length(min = 6, max = 18, message = "an area code has 6 to 18 digits"))]
    #[schema(
        pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$",
        min_length = 6,
        max_length = 18
    )]
    pub area: Option<String>,
    /// Party code, for handlers.
    #[validate(length(min = 1, max = 64, message = "a party code has 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub party: Option<String>,
}

impl GrantRequest {
    pub fn to_grant(&self) -> gridops_infra::repo::users::RoleGrant {
        gridops_infra::repo::users::RoleGrant {
            role: self.role.into(),
            area_code: self.area.clone(),
            party_code: self.party.clone(),
        }
    }
}
