//! What the public may read of a case through Open311. Requests are public
//! in the spec (anyone may GET them); residents' reports are not always:
//! who needs care, whose dog barks and whose neighbour quarrels are private
//! (PIPL art. 28 counts a person's whereabouts and health as sensitive).

use crate::geo::Coordinates;

/// Whether the reports of a new category are shown to the public with their
/// description and exact point: all but care (社会救助与关爱) and neighbour
/// disputes (邻里纠纷), which name or locate a person. An administrator
/// changes it per category.
pub fn public_by_default(category_code: &str) -> bool {
    let top = category_code.split('.').next().unwrap_or(category_code);
    !matches!(top, "social_aid" | "neighbourhood")
}

/// What a public read shows of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicView {
    /// `None` for a private category.
    pub description: Option<String>,
    /// The exact point for a public category; for a private one its grid's
    /// centre (a grid is a few hundred households: enough to see where the
    /// city works, not which door).
    pub point: Option<Coordinates>,
}

/// The public view of a case of a category that is `public` or not.
pub fn public_view(
    public: bool,
    description: &str,
    point: Option<Coordinates>,
    grid_centre: Option<Coordinates>,
) -> PublicView {
    if public {
        PublicView {
            description: Some(description.to_owned()),
            point,
        }
    } else {
        PublicView {
            description: None,
            point: point.and(grid_centre),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn care_and_neighbour_disputes_are_private_by_default() {
        assert!(!public_by_default("social_aid.homeless"));
        assert!(!public_by_default("neighbourhood.dog_noise"));
        assert!(!public_by_default("social_aid"));
        assert!(public_by_default("public_safety.snow_ice"));
        assert!(public_by_default("city_appearance.bikes_blocking"));
    }

    #[test]
    fn a_private_case_shows_its_grid_not_its_door() {
        let door = at(34.751_23, 113.612_34);
        let centre = at(34.75, 113.61);
        let view = public_view(false, "独居老人无人照料", Some(door), Some(centre));
        assert_eq!(view.description, None);
        assert_eq!(view.point, Some(centre));
        let public = public_view(true, "棚顶积雪", Some(door), Some(centre));
        assert_eq!(public.point, Some(door));
        assert_eq!(public.description.as_deref(), Some("棚顶积雪"));
    }

    #[test]
    fn a_case_without_a_place_stays_without_one() {
        let view = public_view(false, "x", None, Some(at(34.0, 113.0)));
        assert_eq!(view.point, None);
    }
}
