//! Recurring hotspots (重复上报): the same category reported again and again
//! around one place. A barking dog heard every night by the same courtyard
//! is one problem, not twenty cases; a dispatcher who sees the twenty as one
//! hotspot links them to a root-cause case ([`link`]) and solves it once.
//!
//! A hotspot is a centre — the point of one of the reports — with at least
//! `min_reports` reports of one category within `radius_m` of it whose times
//! all fit in `within_days` days (last − first ≤ that many days). [`find`]
//! is greedy and deterministic: the densest centre first, its members leave
//! the pool, repeat until no centre gathers enough.

pub mod link;

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::geo::{Coordinates, distance_m};

/// What an administrator may set a category's rule to.
pub const RADIUS_M: RangeInclusive<u32> = 10..=5000;
pub const MIN_REPORTS: RangeInclusive<u32> = 2..=100;
pub const WITHIN_DAYS: RangeInclusive<u32> = 1..=365;

/// When reports of a category make a hotspot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotspotRule {
    radius_m: u32,
    min_reports: u32,
    within_days: u32,
}

/// A value of a rule out of its range, named as the API names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidRule {
    pub field: &'static str,
    pub message: String,
}

impl HotspotRule {
    /// The server's default for categories without a rule of their own
    /// (`--hotspot-radius-m`, `--hotspot-min-reports`, `--hotspot-within-days`).
    pub const DEFAULT: HotspotRule = HotspotRule {
        radius_m: 100,
        min_reports: 3,
        within_days: 30,
    };

    /// A rule with every value in its range; otherwise every value that is
    /// not, each with its field. Takes any integer so that a negative one is
    /// a range problem of its field, not a type error.
    pub fn new(
        radius_m: i64,
        min_reports: i64,
        within_days: i64,
    ) -> Result<Self, Vec<InvalidRule>> {
        fn checked(
            field: &'static str,
            value: i64,
            range: RangeInclusive<u32>,
            unit: &str,
            problems: &mut Vec<InvalidRule>,
        ) -> u32 {
            match u32::try_from(value) {
                Ok(v) if range.contains(&v) => v,
                _ => {
                    problems.push(InvalidRule {
                        field,
                        message: format!("between {} and {} {unit}", range.start(), range.end()),
                    });
                    0
                }
            }
        }
        let mut problems = Vec::new();
        let rule = HotspotRule {
            radius_m: checked("radius_m", radius_m, RADIUS_M, "metres", &mut problems),
            min_reports: checked(
                "min_reports",
                min_reports,
                MIN_REPORTS,
                "reports",
                &mut problems,
            ),
            within_days: checked(
                "within_days",
                within_days,
                WITHIN_DAYS,
                "days",
                &mut problems,
            ),
        };
        if problems.is_empty() {
            Ok(rule)
        } else {
            Err(problems)
        }
    }

    pub fn radius_m(self) -> u32 {
        self.radius_m
    }

    pub fn min_reports(self) -> u32 {
        self.min_reports
    }

    pub fn within_days(self) -> u32 {
        self.within_days
    }

    fn window(self) -> Duration {
        Duration::days(i64::from(self.within_days))
    }
}

impl Default for HotspotRule {
    fn default() -> Self {
        HotspotRule::DEFAULT
    }
}

/// The first day a search reads when the caller names none: far enough
/// back for the longest window of `rules`, counted from `today`.
pub fn default_since(today: NaiveDate, rules: impl IntoIterator<Item = HotspotRule>) -> NaiveDate {
    let longest = rules
        .into_iter()
        .map(|r| r.within_days)
        .max()
        .unwrap_or(HotspotRule::DEFAULT.within_days);
    today - Duration::days(i64::from(longest))
}

/// A report as the search needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: String,
    pub category: String,
    /// WGS-84.
    pub at: Coordinates,
    pub created_at: NaiveDateTime,
}

/// A report of a hotspot.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    pub created_at: NaiveDateTime,
    /// From the centre, to the decimetre.
    pub distance_m: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub category: String,
    /// The point of the report the hotspot gathers around.
    pub centre: Coordinates,
    pub radius_m: u32,
    /// Oldest first (by time, then id); at least the rule's `min_reports`.
    pub members: Vec<Member>,
    pub first_reported_at: NaiveDateTime,
    pub last_reported_at: NaiveDateTime,
}

/// The hotspots among `reports`, each category by `rule_of` it, largest
/// first (then the most recent, then by category and first member). Every
/// report belongs to at most one hotspot. The same reports in any order give
/// the same hotspots.
pub fn find(reports: &[Report], rule_of: impl Fn(&str) -> HotspotRule) -> Vec<Hotspot> {
    let mut by_category: BTreeMap<&str, Vec<&Report>> = BTreeMap::new();
    for report in reports {
        by_category
            .entry(report.category.as_str())
            .or_default()
            .push(report);
    }
    let mut found: Vec<Hotspot> = Vec::new();
    for (category, mut pool) in by_category {
        pool.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        found.extend(in_category(category, &pool, rule_of(category)));
    }
    found.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(b.last_reported_at.cmp(&a.last_reported_at))
            .then(a.category.cmp(&b.category))
            .then(a.members[0].id.cmp(&b.members[0].id))
    });
    found
}

/// The best set a centre gathers now: its members (indices into the pool,
/// oldest first) and the sum of their distances, for ties.
#[derive(Debug, Clone)]
struct Gathering {
    members: Vec<usize>,
    spread_m: f64,
}

/// Greedy over one category's reports, sorted by (time, id).
fn in_category(category: &str, pool: &[&Report], rule: HotspotRule) -> Vec<Hotspot> {
    let radius = f64::from(rule.radius_m);
    let needed = rule.min_reports as usize;
    if pool.len() < needed {
        return Vec::new();
    }
    let near = neighbours(pool, radius);
    let mut taken = vec![false; pool.len()];
    // What each centre gathers, recomputed only when one of its neighbours
    // was taken.
    let mut gathered: Vec<Option<Gathering>> = (0..pool.len())
        .map(|c| best_window(&near[c], &taken, pool, rule))
        .collect();
    let mut hotspots = Vec::new();
    loop {
        let mut best: Option<usize> = None;
        for (centre, gathering) in gathered.iter().enumerate() {
            let Some(g) = gathering else { continue };
            if taken[centre] || g.members.len() < needed {
                continue;
            }
            // More reports first; then the tighter; then the older centre
            // (lower index), which keeps the choice deterministic.
            let better = match best.and_then(|b| gathered[b].as_ref()) {
                None => true,
                Some(b) => {
                    g.members.len() > b.members.len()
                        || (g.members.len() == b.members.len() && g.spread_m < b.spread_m)
                }
            };
            if better {
                best = Some(centre);
            }
        }
        let Some(centre) = best else { break };
        let Some(g) = gathered[centre].take() else {
            break;
        };
        for &m in &g.members {
            taken[m] = true;
        }
        let members: Vec<Member> = g
            .members
            .iter()
            .map(|&m| Member {
                id: pool[m].id.clone(),
                created_at: pool[m].created_at,
                distance_m: rounded(distance_m(pool[centre].at, pool[m].at)),
            })
            .collect();
        hotspots.push(Hotspot {
            category: category.to_owned(),
            centre: pool[centre].at,
            radius_m: rule.radius_m,
            first_reported_at: members[0].created_at,
            last_reported_at: members[members.len() - 1].created_at,
            members,
        });
        // Only centres that had one of the taken reports nearby change.
        for &m in &g.members {
            for &(other, _) in &near[m] {
                if !taken[other] {
                    gathered[other] = best_window(&near[other], &taken, pool, rule);
                }
            }
        }
    }
    hotspots
}

/// The largest set of untaken neighbours whose times fit in the rule's
/// window; of equal ones the most recent (a dispatcher cares about what
/// still happens).
fn best_window(
    near: &[(usize, f64)],
    taken: &[bool],
    pool: &[&Report],
    rule: HotspotRule,
) -> Option<Gathering> {
    let free: Vec<(usize, f64)> = near.iter().copied().filter(|(i, _)| !taken[*i]).collect();
    let window = rule.window();
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for end in 0..free.len() {
        while pool[free[end].0].created_at - pool[free[start].0].created_at > window {
            start += 1;
        }
        let count = end - start + 1;
        // Equal counts too: of equal windows the later wins.
        if best.is_none_or(|(s, e)| count > e - s) {
            best = Some((start, end));
        }
    }
    let (start, end) = best?;
    let chosen = &free[start..=end];
    Some(Gathering {
        members: chosen.iter().map(|(i, _)| *i).collect(),
        spread_m: chosen.iter().map(|(_, d)| d).sum(),
    })
}

/// For each report, the reports within `radius` of it (itself included), in
/// pool order, with their distances. Reports are bucketed in cells larger
/// than the radius, so only the 3 × 3 cells around one are measured.
fn neighbours(pool: &[&Report], radius: f64) -> Vec<Vec<(usize, f64)>> {
    // A degree of latitude is at least 110.5 km, a degree of longitude at
    // least that times the cosine of the latitude: cells of 100 km per
    // degree are wider than the radius everywhere in the pool.
    let widest_lat = pool
        .iter()
        .map(|r| r.at.lat().abs())
        .fold(0.0_f64, f64::max);
    let cell_lat = radius / 100_000.0;
    let cell_lng = radius / (100_000.0 * widest_lat.to_radians().cos().max(0.01));
    let cell_of = |at: Coordinates| -> (i64, i64) {
        // Saturating casts: degrees over a cell stay far inside i64.
        (
            (at.lat() / cell_lat).floor() as i64,
            (at.lng() / cell_lng).floor() as i64,
        )
    };
    let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, report) in pool.iter().enumerate() {
        cells.entry(cell_of(report.at)).or_default().push(i);
    }
    pool.iter()
        .map(|report| {
            let (row, col) = cell_of(report.at);
            let mut found: Vec<(usize, f64)> = Vec::new();
            for dr in -1..=1 {
                for dc in -1..=1 {
                    for &other in cells.get(&(row + dr, col + dc)).into_iter().flatten() {
                        let d = distance_m(report.at, pool[other].at);
                        if d <= radius {
                            found.push((other, d));
                        }
                    }
                }
            }
            found.sort_by_key(|(i, _)| *i);
            found
        })
        .collect()
}

fn rounded(metres: f64) -> f64 {
    (metres * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The courtyard of 观澜社区7号院.
    const COURTYARD: (f64, f64) = (34.7187, 113.6070);
    /// Metres per degree of latitude on the sphere `distance_m` measures on.
    const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

    fn north_of_courtyard(metres: f64) -> Coordinates {
        Coordinates::new(COURTYARD.0 + metres / METRES_PER_DEGREE, COURTYARD.1)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn day(d: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|date| date.and_hms_opt(hour, 0, 0))
            .unwrap_or_else(|| panic!("a day of November: {d}"))
    }

    fn report(id: &str, category: &str, at: Coordinates, created_at: NaiveDateTime) -> Report {
        Report {
            id: id.into(),
            category: category.into(),
            at,
            created_at,
        }
    }

    fn noise(id: &str, north_m: f64, created_at: NaiveDateTime) -> Report {
        report(
            id,
            "neighbourhood.dog_noise",
            north_of_courtyard(north_m),
            created_at,
        )
    }

    fn rule(radius_m: i64, min_reports: i64, within_days: i64) -> HotspotRule {
        HotspotRule::new(radius_m, min_reports, within_days).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn ids(hotspot: &Hotspot) -> Vec<&str> {
        hotspot.members.iter().map(|m| m.id.as_str()).collect()
    }

    /// The seeds' barking dog: four nights of reports around one courtyard
    /// over two weeks, one 500 m away, one of another category at the spot.
    #[test]
    fn the_barking_dog_is_one_hotspot_of_four_sorted_by_time() {
        let reports = vec![
            noise("night-3", 35.0, day(9, 22)),
            noise("night-1", 0.0, day(1, 23)),
            noise("far", 500.0, day(5, 22)),
            noise("night-4", -30.0, day(14, 23)),
            noise("night-2", 20.0, day(4, 22)),
            report(
                "heating",
                "utilities.heating",
                north_of_courtyard(0.0),
                day(6, 8),
            ),
        ];
        let found = find(&reports, |_| HotspotRule::DEFAULT);
        assert_eq!(found.len(), 1, "{found:?}");
        let hotspot = &found[0];
        assert_eq!(hotspot.category, "neighbourhood.dog_noise");
        assert_eq!(ids(hotspot), ["night-1", "night-2", "night-3", "night-4"]);
        assert_eq!(hotspot.first_reported_at, day(1, 23));
        assert_eq!(hotspot.last_reported_at, day(14, 23));
        assert_eq!(hotspot.radius_m, 100);
        assert!(hotspot.members.iter().all(|m| m.distance_m <= 100.0));
        // Five reports are needed now: none.
        assert!(find(&reports, |_| rule(100, 5, 30)).is_empty());
    }

    #[test]
    fn exactly_the_minimum_is_a_hotspot_one_fewer_is_not() {
        let three = vec![
            noise("a", 0.0, day(1, 22)),
            noise("b", 10.0, day(2, 22)),
            noise("c", 20.0, day(3, 22)),
        ];
        assert_eq!(find(&three, |_| rule(100, 3, 30)).len(), 1);
        assert!(find(&three[..2], |_| rule(100, 3, 30)).is_empty());
    }

    #[test]
    fn a_report_just_outside_the_radius_is_left_out() {
        // Centred on "a": "b" is 99 m away, "c" 101 m.
        let reports = vec![
            noise("a", 0.0, day(1, 22)),
            noise("b", 99.0, day(2, 22)),
            noise("c", -101.0, day(3, 22)),
        ];
        assert!(find(&reports, |_| rule(100, 3, 30)).is_empty());
        let found = find(&reports, |_| rule(100, 2, 30));
        assert_eq!(found.len(), 1);
        assert_eq!(ids(&found[0]), ["a", "b"]);
        assert!(
            (found[0].members[1].distance_m - 99.0).abs() < 0.2,
            "{found:?}"
        );
        // A point exactly on the circle is inside.
        let on_the_circle = vec![noise("a", 0.0, day(1, 22)), noise("b", 100.0, day(2, 22))];
        assert_eq!(find(&on_the_circle, |_| rule(100, 2, 30)).len(), 1);
    }

    #[test]
    fn reports_spread_over_more_than_the_window_are_not_a_hotspot() {
        let spread = vec![
            noise("a", 0.0, day(1, 22)),
            noise("b", 0.0, day(12, 22)),
            noise("c", 0.0, day(23, 22)),
        ];
        // 22 days from the first to the last.
        assert!(find(&spread, |_| rule(100, 3, 21)).is_empty());
        assert_eq!(find(&spread, |_| rule(100, 3, 22)).len(), 1);
        // Any two of them fit in 11 days: the most recent pair is chosen.
        let pairs = find(&spread, |_| rule(100, 2, 11));
        assert_eq!(pairs.len(), 1);
        assert_eq!(ids(&pairs[0]), ["b", "c"]);
    }

    #[test]
    fn the_densest_centre_goes_first_and_its_members_leave_the_pool() {
        // A tight cluster of four at the courtyard, one 80 m north of it,
        // and 110 m further two more, which n1 could also gather.
        let reports = vec![
            noise("c1", 0.0, day(1, 22)),
            noise("c2", 5.0, day(2, 22)),
            noise("c3", -5.0, day(3, 22)),
            noise("c4", 10.0, day(4, 22)),
            noise("n1", 80.0, day(5, 22)),
            noise("n2", 190.0, day(6, 22)),
            noise("n3", 200.0, day(7, 22)),
        ];
        let found = find(&reports, |_| rule(100, 3, 30));
        let all: Vec<Vec<&str>> = found.iter().map(ids).collect();
        // Five centres gather the same five; c2 is the tightest of them.
        // Then n2 and n3 are two: not enough on their own.
        assert_eq!(all, vec![vec!["c1", "c2", "c3", "c4", "n1"]]);
        assert_eq!(found[0].centre, north_of_courtyard(5.0));
        let with_two = find(&reports, |_| rule(100, 2, 30));
        let all: Vec<Vec<&str>> = with_two.iter().map(ids).collect();
        assert_eq!(
            all,
            vec![vec!["c1", "c2", "c3", "c4", "n1"], vec!["n2", "n3"]]
        );
    }

    #[test]
    fn each_category_has_its_own_rule() {
        let mut reports = vec![
            noise("a", 0.0, day(1, 22)),
            noise("b", 0.0, day(2, 22)),
            report(
                "h1",
                "utilities.heating",
                north_of_courtyard(300.0),
                day(1, 8),
            ),
            report(
                "h2",
                "utilities.heating",
                north_of_courtyard(600.0),
                day(2, 8),
            ),
        ];
        let rules = |category: &str| match category {
            "utilities.heating" => rule(400, 2, 30),
            _ => rule(100, 3, 30),
        };
        let found = find(&reports, rules);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].category, "utilities.heating");
        assert_eq!(found[0].radius_m, 400);
        reports.push(noise("c", 0.0, day(3, 22)));
        let found = find(&reports, rules);
        // Three of one against two of the other: the larger first.
        assert_eq!(
            found.iter().map(|h| h.members.len()).collect::<Vec<_>>(),
            [3, 2]
        );
    }

    #[test]
    fn the_order_of_the_input_does_not_matter() {
        let mut reports: Vec<Report> = (0..40)
            .map(|i| {
                let north = f64::from((i * 37) % 400);
                noise(&format!("r{i:02}"), north, day(1 + (i % 28), 22))
            })
            .collect();
        let once = find(&reports, |_| rule(60, 3, 10));
        assert!(!once.is_empty());
        reports.reverse();
        assert_eq!(find(&reports, |_| rule(60, 3, 10)), once);
        reports.rotate_left(13);
        assert_eq!(find(&reports, |_| rule(60, 3, 10)), once);
        // No report is in two hotspots.
        let mut members: Vec<&str> = once.iter().flat_map(ids).collect();
        let total = members.len();
        members.sort_unstable();
        members.dedup();
        assert_eq!(members.len(), total);
    }

    #[test]
    fn a_search_reaches_back_the_longest_window() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let since = default_since(today, [HotspotRule::DEFAULT, rule(100, 3, 90)]);
        assert_eq!(
            since,
            NaiveDate::from_ymd_opt(2026, 9, 6).unwrap_or_default()
        );
        assert_eq!(default_since(today, []), today - Duration::days(30));
    }

    #[test]
    fn rules_out_of_range_name_each_field() {
        assert_eq!(HotspotRule::new(100, 3, 30), Ok(HotspotRule::DEFAULT));
        assert!(HotspotRule::new(10, 2, 1).is_ok());
        assert!(HotspotRule::new(5000, 100, 365).is_ok());
        let fields = |r: Result<HotspotRule, Vec<InvalidRule>>| -> Vec<&'static str> {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.field)
                .collect()
        };
        assert_eq!(fields(HotspotRule::new(9, 3, 30)), ["radius_m"]);
        assert_eq!(
            fields(HotspotRule::new(5001, 1, 30)),
            ["radius_m", "min_reports"]
        );
        assert_eq!(
            fields(HotspotRule::new(100, 101, 0)),
            ["min_reports", "within_days"]
        );
        assert_eq!(
            fields(HotspotRule::new(-1, 3, 366)),
            ["radius_m", "within_days"]
        );
        assert_eq!(fields(HotspotRule::new(i64::MAX, 3, 30)), ["radius_m"]);
    }
}
