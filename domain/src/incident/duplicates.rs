//! Repeated reports (重复上报): which open incidents near a new report may be
//! the same problem.

use chrono::NaiveDateTime;

use crate::geo::{Coordinates, distance_m};

/// An open incident of the same category, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub at: Coordinates,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PossibleDuplicate {
    pub candidate: Candidate,
    /// Metres, to the decimetre.
    pub distance_m: f64,
}

/// The latitude/longitude box that holds every point within `radius_m` of
/// `point`: (min_lat, min_lng, max_lat, max_lng). A degree of latitude is
/// ~111 km everywhere, a degree of longitude shrinks towards the poles.
pub fn search_box(point: Coordinates, radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = radius_m / 111_000.0;
    let dlng = radius_m / (111_000.0 * point.lat().to_radians().cos().max(0.01));
    (
        point.lat() - dlat,
        point.lng() - dlng,
        point.lat() + dlat,
        point.lng() + dlng,
    )
}

/// The candidates truly within `radius_m` of `point`, nearest first,
/// leaving out the new report itself.
pub fn within(
    point: Coordinates,
    radius_m: f64,
    new_id: &str,
    candidates: impl IntoIterator<Item = Candidate>,
) -> Vec<PossibleDuplicate> {
    let mut found: Vec<PossibleDuplicate> = candidates
        .into_iter()
        .filter(|c| c.id != new_id)
        .filter_map(|candidate| {
            let distance = distance_m(point, candidate.at);
            (distance <= radius_m).then(|| PossibleDuplicate {
                candidate,
                distance_m: (distance * 10.0).round() / 10.0,
            })
        })
        .collect();
    found.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).unwrap_or_else(|e| panic!("{e}"))
    }

    fn candidate(id: &str, point: Coordinates) -> Candidate {
        Candidate {
            id: id.into(),
            reference: format!("ref-{id}"),
            status: "reported".into(),
            at: point,
            created_at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn only_those_within_the_radius_nearest_first() {
        let here = at(34.7187, 113.6070);
        // ~0.0009° of latitude is ~100 m; ~0.0027° ~300 m.
        let found = within(
            here,
            250.0,
            "new",
            [
                candidate("far", at(34.7214, 113.6070)),
                candidate("near", at(34.7196, 113.6070)),
                candidate("new", here),
                candidate("nearest", at(34.7188, 113.6070)),
            ],
        );
        let ids: Vec<&str> = found.iter().map(|d| d.candidate.id.as_str()).collect();
        assert_eq!(ids, vec!["nearest", "near"]);
        assert!(
            (found[1].distance_m - 100.0).abs() < 2.0,
            "{}",
            found[1].distance_m
        );
    }

    #[test]
    fn the_search_box_holds_the_circle() {
        let here = at(34.7187, 113.6070);
        let (min_lat, min_lng, max_lat, max_lng) = search_box(here, 250.0);
        for (lat, lng) in [
            (max_lat, here.lng()),
            (here.lat(), max_lng),
            (min_lat, here.lng()),
            (here.lat(), min_lng),
        ] {
            let edge = distance_m(here, at(lat, lng));
            assert!(edge >= 249.0, "{edge}");
        }
    }
}
