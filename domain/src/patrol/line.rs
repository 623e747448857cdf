//! The walked track drawn as lines for a map.

use chrono::{Duration, NaiveDateTime};
use geo::{LineString, SimplifyIdx};

use crate::geo::Coordinates;

/// Metres per degree of latitude (and of longitude at the equator).
const M_PER_DEG: f64 = 111_320.0;

/// The walked track as lines, each a `Vec<(lng, lat)>` in time order.
///
/// Split where two consecutive points are more than `gap` apart, because a
/// straight line across a dead zone would claim streets nobody walked. Each
/// part is simplified (Douglas–Peucker, `tolerance_m` in metres) so a day of
/// one-second fixes stays light on a phone's map; the kept vertices are the
/// original coordinates, never rounded ones. A part of one point is dropped:
/// a line needs two positions.
pub fn track_lines(
    points: &[(NaiveDateTime, Coordinates)],
    gap: Duration,
    tolerance_m: f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut sorted = points.to_vec();
    sorted.sort_by_key(|(at, _)| *at);

    let mut parts: Vec<Vec<Coordinates>> = Vec::new();
    let mut previous: Option<NaiveDateTime> = None;
    for (at, place) in sorted {
        match (previous, parts.last_mut()) {
            (Some(before), Some(part)) if at - before <= gap => part.push(place),
            _ => parts.push(vec![place]),
        }
        previous = Some(at);
    }

    parts
        .into_iter()
        .filter(|part| part.len() >= 2)
        .map(|part| simplify(&part, tolerance_m))
        .collect()
}

/// Douglas–Peucker needs a plane where the tolerance means metres: degrees of
/// longitude shrink with latitude, so project around the part's first point
/// (a city-sized part is flat enough for that).
fn simplify(part: &[Coordinates], tolerance_m: f64) -> Vec<(f64, f64)> {
    let lng_lat = |c: &Coordinates| (c.lng(), c.lat());
    // A NaN tolerance keeps every point instead of guessing.
    if tolerance_m.is_nan() || tolerance_m <= 0.0 {
        return part.iter().map(lng_lat).collect();
    }
    let Some(first) = part.first() else {
        return Vec::new();
    };
    let m_per_deg_lng = M_PER_DEG * first.lat().to_radians().cos();
    let local: LineString<f64> = part
        .iter()
        .map(|c| {
            (
                (c.lng() - first.lng()) * m_per_deg_lng,
                (c.lat() - first.lat()) * M_PER_DEG,
            )
        })
        .collect();
    local
        .simplify_idx(tolerance_m)
        .into_iter()
        .filter_map(|i| part.get(i))
        .map(lng_lat)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn place(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).unwrap_or_else(|e| panic!("{e}"))
    }

    fn t(minutes: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap_or_else(|| panic!("bad test date"))
            + Duration::minutes(minutes)
    }

    /// A walk north, one point a minute, ~100 m apart, zig-zagging 30 m east
    /// and back so simplification at 5 m keeps every point.
    fn zigzag(from_minute: i64, count: usize) -> Vec<(NaiveDateTime, Coordinates)> {
        (0..count)
            .map(|i| {
                let east = if i % 2 == 0 { 0.0 } else { 0.0003 };
                (
                    t(from_minute + i as i64),
                    place(34.72 + i as f64 * 0.0009, 113.6 + east),
                )
            })
            .collect()
    }

    #[test]
    fn a_40_minute_dead_zone_splits_the_line() {
        let mut points = zigzag(0, 4);
        points.extend(zigzag(43, 3));
        let lines = track_lines(&points, Duration::minutes(5), 5.0);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].len(), 4);
        assert_eq!(lines[1].len(), 3);
    }

    #[test]
    fn out_of_order_points_are_drawn_in_time_order() {
        let walk = zigzag(0, 5);
        let mut shuffled = walk.clone();
        shuffled.swap(0, 3);
        shuffled.swap(1, 4);
        let lines = track_lines(&shuffled, Duration::minutes(5), 5.0);
        let expected: Vec<(f64, f64)> = walk.iter().map(|(_, c)| (c.lng(), c.lat())).collect();
        assert_eq!(lines, vec![expected]);
    }

    #[test]
    fn a_lone_point_between_gaps_is_dropped() {
        let mut points = zigzag(0, 3);
        points.extend(zigzag(30, 1));
        points.extend(zigzag(60, 2));
        let lines = track_lines(&points, Duration::minutes(5), 5.0);
        let lengths: Vec<usize> = lines.iter().map(Vec::len).collect();
        assert_eq!(lengths, vec![3, 2]);
        assert!(track_lines(&[], Duration::minutes(5), 5.0).is_empty());
    }

    #[test]
    fn a_straight_walk_of_50_points_simplifies_to_its_two_ends() {
        // North-east along a straight line, one point every 10 s.
        let points: Vec<(NaiveDateTime, Coordinates)> = (0..50)
            .map(|i| {
                let step = f64::from(i);
                (
                    t(0) + Duration::seconds(10 * i64::from(i)),
                    place(34.72 + step * 0.0001, 113.6 + step * 0.0001),
                )
            })
            .collect();
        let lines = track_lines(&points, Duration::minutes(5), 5.0);
        assert_eq!(lines.len(), 1);
        let ends = (points[0].1, points[49].1);
        assert_eq!(
            lines[0],
            vec![(ends.0.lng(), ends.0.lat()), (ends.1.lng(), ends.1.lat())]
        );
    }

    #[test]
    fn no_tolerance_keeps_every_point() {
        let points: Vec<(NaiveDateTime, Coordinates)> = (0..10)
            .map(|i| (t(i), place(34.72 + i as f64 * 0.0001, 113.6)))
            .collect();
        let lines = track_lines(&points, Duration::minutes(5), 0.0);
        assert_eq!(lines.first().map(Vec::len), Some(10));
    }
}
