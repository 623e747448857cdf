//! `GET /api/v1/parties`: responsible parties 责任主体.

use actix_web::{get, web};
use gridops_domain::area::AreaCode;
use gridops_domain::party::{Party, PartyKind};
use gridops_infra::repo::parties::{self, PartyFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CommunityCommittee,
    SubdistrictOffice,
    GovernmentDepartment,
    UrbanManagement,
    RescueStation,
    HeatingCompany,
    PropertyCompany,
    PoliceStation,
    MediationCommittee,
    Utility,
}

impl From<Kind> for PartyKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::CommunityCommittee => PartyKind::CommunityCommittee,
            Kind::SubdistrictOffice => PartyKind::SubdistrictOffice,
            Kind::GovernmentDepartment => PartyKind::GovernmentDepartment,
            Kind::UrbanManagement => PartyKind::UrbanManagement,
            Kind::RescueStation => PartyKind::RescueStation,
            Kind::HeatingCompany => PartyKind::HeatingCompany,
            Kind::PropertyCompany => PartyKind::PropertyCompany,
            Kind::PoliceStation => PartyKind::PoliceStation,
            Kind::MediationCommittee => PartyKind::MediationCommittee,
            Kind::Utility => PartyKind::Utility,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPartiesQuery {
    /// Only parties of this kind.
    pub kind: Option<Kind>,
    /// Only parties serving this area: serving it directly or one of the
    /// areas above it (a district's heating company serves its grids).
    #[validate(length(min = 6, max = 18, message = "an area code has 6 to 18 digits"))]
    #[param(
        pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$",
        min_length = 6,
        max_length = 18
    )]
    pub area: Option<String>,
    /// `next_cursor` of the previous page.
    #[validate(length(max = 64, message = "not a cursor of this list"))]
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyItem {
    #[schema(example = "zy-heating")]
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// `community_committee`, `subdistrict_office`, `government_department`,
    /// `urban_management`, `rescue_station`, `heating_company`,
    /// `property_company`, `police_station`, `mediation_committee` or `utility`.
    pub kind: String,
    /// The organisation's duty phone (not a person's).
    pub contact_phone: Option<String>,
    /// Codes of the areas it serves, each with everything below it.
    pub areas: Vec<String>,
}

impl From<Party> for PartyItem {
    fn from(p: Party) -> Self {
        PartyItem {
            kind: p.kind.as_str().to_owned(),
            code: p.code,
            name: p.name,
            name_en: p.name_en,
            contact_phone: p.contact_phone,
            areas: p.areas,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyPage {
    pub items: Vec<PartyItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Responsible parties, filtered by kind and by the area they serve.
#[utoipa::path(
    tag = "parties",
    security(("bearer" = [])),
    params(ListPartiesQuery),
    responses(
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "A page of parties", body = PartyPage),
        (status = 404, description = "The `area` filter names no area", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/parties")]
pub async fn list_parties(
    state: web::Data<AppState>,
    _user: AuthUser,
    ValidQuery(query): ValidQuery<ListPartiesQuery>,
) -> Result<web::Json<PartyPage>, ApiError> {
    let serving_any_of = match &query.area {
        None => None,
        Some(raw) => {
            let code =
                AreaCode::parse(raw).map_err(|e| ApiError::invalid_field("area", e.to_string()))?;
            let map = state.areas.current();
            let area = map
                .get(&code)
                .ok_or_else(|| ApiError::not_found(format!("no area with code {code}")))?;
            let mut codes = vec![area.code.to_string()];
            codes.extend(map.ancestors(&area.code).iter().map(|a| a.code.to_string()));
            Some(codes)
        }
    };
    let filter = PartyFilter {
        kind: query.kind.map(Into::into),
        serving_any_of,
        after: query.cursor,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let page = state
        .db
        .run(move |conn| parties::list(conn, &filter, limit))
        .await?;
    Ok(web::Json(PartyPage {
        items: page.items.into_iter().map(PartyItem::from).collect(),
        next_cursor: page.next,
    }))
}
