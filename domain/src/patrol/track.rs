//! The points a grid worker's phone records while patrolling, and which of them
//! are kept.
//!
//! Two levels of refusal: a batch that is malformed as a whole (a client bug)
//! is refused entirely, so the client learns and fixes it; a single point that
//! is merely implausible (a bad fix, a late point, a GPS jump) is refused on its
//! own, so one bad fix does not cost the worker the rest of the walk.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};

use crate::geo::{Coordinates, distance_m};

/// Where a phone got its fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointSource {
    Gps,
    Network,
    Cell,
}

impl PointSource {
    pub const ALL: [PointSource; 3] = [PointSource::Gps, PointSource::Network, PointSource::Cell];

    pub fn as_str(self) -> &'static str {
        match self {
            PointSource::Gps => "gps",
            PointSource::Network => "network",
            PointSource::Cell => "cell",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        PointSource::ALL.into_iter().find(|src| src.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackPoint {
    /// Chosen by the phone, so a retried upload is recognised instead of
    /// doubling the track.
    pub id: String,
    /// UTC.
    pub at: NaiveDateTime,
    /// WGS-84.
    pub at_place: Coordinates,
    pub accuracy_m: f64,
    pub source: PointSource,
}

impl TrackPoint {
    /// What the points before and after it in time are compared with.
    pub fn kept(&self) -> Kept {
        Kept {
            at: self.at,
            place: self.at_place,
            accuracy_m: self.accuracy_m,
        }
    }
}

/// Limits a deployment configures.
#[derive(Debug, Clone, Copy)]
pub struct TrackRules {
    pub max_accuracy_m: f64,
    pub max_speed_mps: f64,
    /// Longer than this without a point is a dead zone, not a straight walk.
    pub gap: Duration,
    /// Phones queue points offline (a basement, a flat battery) and send them
    /// when they can; after this the patrol's record is considered settled.
    pub late_upload: Duration,
    pub max_batch: usize,
}

impl Default for TrackRules {
    fn default() -> Self {
        TrackRules {
            max_accuracy_m: 100.0,
            // An e-bike is ~7 m/s and a car in town under 20: leave margin so
            // a worker riding with a colleague is not refused.
            max_speed_mps: 30.0,
            gap: Duration::minutes(5),
            late_upload: Duration::days(7),
            max_batch: 1000,
        }
    }
}

/// Longest point id: the phone's UUID fits with room to spare, and storage
/// can use a bounded column.
pub const MAX_ID_CHARS: usize = 64;

/// Phones' clocks drift; a point a little ahead of the server is not forged.
pub const MAX_FUTURE: Duration = Duration::minutes(5);

/// Start and end are stamped by the server while points carry the phone's
/// clock, so the two disagree by a few seconds at either end.
pub const CLOCK_SKEW: Duration = Duration::minutes(1);

/// Why one point of a batch is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    OutsidePatrolTime,
    Inaccurate,
    ImpossibleSpeed,
}

impl Refusal {
    pub const ALL: [Refusal; 3] = [
        Refusal::OutsidePatrolTime,
        Refusal::Inaccurate,
        Refusal::ImpossibleSpeed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::OutsidePatrolTime => "outside_patrol_time",
            Refusal::Inaccurate => "inaccurate",
            Refusal::ImpossibleSpeed => "impossible_speed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Refusal::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The time a patrol ran: from start to end (None while running).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
}

/// A point already kept for the patrol (for the speed check).
#[derive(Debug, Clone, Copy)]
pub struct Kept {
    pub at: NaiveDateTime,
    pub place: Coordinates,
    pub accuracy_m: f64,
}

/// A batch problem that refuses the whole upload (a 422 naming the field, e.g. "points[3].at").
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct BatchError {
    pub field: String,
    pub message: String,
}

impl BatchError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        BatchError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Refuses the whole batch for problems only a broken client produces, so the
/// per-point verdicts of [`judge`] are left for what happens in the field.
pub fn check_batch(
    points: &[TrackPoint],
    rules: &TrackRules,
    now: NaiveDateTime,
) -> Result<(), BatchError> {
    if points.is_empty() {
        return Err(BatchError::new("points", "must hold at least one point"));
    }
    if points.len() > rules.max_batch {
        return Err(BatchError::new(
            "points",
            format!(
                "at most {} points per upload, got {}; send the rest in another upload",
                rules.max_batch,
                points.len()
            ),
        ));
    }
    let latest = plus(now, MAX_FUTURE);
    let mut seen: HashMap<&str, &TrackPoint> = HashMap::with_capacity(points.len());
    for (i, point) in points.iter().enumerate() {
        let id_chars = point.id.chars().count();
        if id_chars == 0 || id_chars > MAX_ID_CHARS {
            return Err(BatchError::new(
                format!("points[{i}].id"),
                format!("must be 1 to {MAX_ID_CHARS} characters"),
            ));
        }
        if point.at > latest {
            return Err(BatchError::new(
                format!("points[{i}].at"),
                "is in the future; check the phone's clock",
            ));
        }
        if !point.accuracy_m.is_finite() || point.accuracy_m < 0.0 {
            return Err(BatchError::new(
                format!("points[{i}].accuracy_m"),
                "must be a finite number of metres, not negative",
            ));
        }
        // A retry may repeat a point verbatim; the same id meaning two
        // different fixes is a client bug that would make the kept one arbitrary.
        if let Some(first) = seen.insert(point.id.as_str(), point)
            && first != point
        {
            return Err(BatchError::new(
                format!("points[{i}].id"),
                "is used by an earlier point of this upload with different contents",
            ));
        }
    }
    Ok(())
}

/// The batch without verbatim repeats (the first of each id kept), so each
/// point is judged and stored once; run after [`check_batch`].
pub fn distinct(points: Vec<TrackPoint>) -> Vec<TrackPoint> {
    let mut seen = std::collections::HashSet::with_capacity(points.len());
    points
        .into_iter()
        .filter(|p| seen.insert(p.id.clone()))
        .collect()
}

/// Closing the upload window eventually lets a finished patrol's track and
/// coverage be reported as final; until then a phone coming back online can
/// still deliver what it queued.
pub fn accepts_uploads(window: Window, rules: &TrackRules, now: NaiveDateTime) -> bool {
    match window.end {
        None => true,
        Some(end) => now <= plus(end, rules.late_upload),
    }
}

/// Decides each new point (points the store already holds are filtered out by
/// the caller; `kept` are the stored points around the batch's time, on both
/// sides of it, in any order). Points are judged in time order, not upload
/// order, because phones flush their queues out of order; the verdicts do not
/// depend on the order of `candidates` and come back in it.
///
/// First each point on its own: inside the patrol's time, accurate enough.
/// Then the speed check, as an isolated-spike filter over the timeline of the
/// stored points and the remaining new ones: a new point is refused as
/// [`Refusal::ImpossibleSpeed`] only when it is impossible from its previous
/// neighbour *and* to its next one (just the one when it is at an end of the
/// timeline). Comparing with the point before alone is not enough: a phone's
/// first fix is often kilometres off, it has nothing before it, and every
/// good point after it would then be refused — the whole walk lost for one
/// bad fix. A real jump (the fix settles somewhere else and stays there) has
/// a consistent neighbour on each side and is kept.
///
/// Refusing a point makes its neighbours each other's, so spikes are refused
/// one at a time until none is left: first those impossible on both sides,
/// most impossible first, and only then an end of the timeline (between two
/// points impossible to each other and nothing else, the later one). Stored
/// points are never refused but serve as neighbours, so a stored spike does
/// not cost the points uploaded around it.
pub fn judge(
    window: Window,
    rules: &TrackRules,
    kept: &[Kept],
    candidates: Vec<TrackPoint>,
) -> Vec<(TrackPoint, Result<(), Refusal>)> {
    let mut verdicts: Vec<Result<(), Refusal>> = candidates
        .iter()
        .map(|point| plausible(window, rules, point))
        .collect();
    let mut timeline: Vec<Fix<'_>> = kept
        .iter()
        .map(|&fix| Fix { fix, new: None })
        .chain(
            candidates
                .iter()
                .enumerate()
                .filter(|&(i, _)| verdicts[i].is_ok())
                .map(|(i, point)| Fix {
                    fix: point.kept(),
                    new: Some((i, point.id.as_str())),
                }),
        )
        .collect();
    timeline.sort_by(Fix::cmp);
    for i in spikes(&timeline, rules.max_speed_mps) {
        verdicts[i] = Err(Refusal::ImpossibleSpeed);
    }
    candidates.into_iter().zip(verdicts).collect()
}

/// What refuses a point whatever the points around it.
fn plausible(window: Window, rules: &TrackRules, point: &TrackPoint) -> Result<(), Refusal> {
    let too_early = point.at < minus(window.start, CLOCK_SKEW);
    let too_late = window
        .end
        .is_some_and(|end| point.at > plus(end, CLOCK_SKEW));
    if too_early || too_late {
        return Err(Refusal::OutsidePatrolTime);
    }
    if point.accuracy_m.is_nan() || point.accuracy_m > rules.max_accuracy_m {
        return Err(Refusal::Inaccurate);
    }
    Ok(())
}

/// A point of the timeline the speed check walks: stored, or new (its index
/// among the candidates and its id).
#[derive(Debug, Clone, Copy)]
struct Fix<'a> {
    fix: Kept,
    new: Option<(usize, &'a str)>,
}

impl Fix<'_> {
    /// By time; at the same instant stored points first, stored ones by
    /// place and new ones by id, so the order never depends on the input's.
    fn cmp(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.fix.at.cmp(&b.fix.at).then_with(|| match (a.new, b.new) {
            (None, None) => (a.fix.place.lat().total_cmp(&b.fix.place.lat()))
                .then(a.fix.place.lng().total_cmp(&b.fix.place.lng()))
                .then(a.fix.accuracy_m.total_cmp(&b.fix.accuracy_m)),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some((_, a)), Some((_, b))) => a.cmp(b),
        })
    }
}

/// How sure the speed check is that a new point is a spike: impossible on
/// both sides beats impossible at an end of the timeline, then the faster.
#[derive(Debug, Clone, Copy)]
struct Spike {
    both_sides: bool,
    /// The lesser of the impossible speeds.
    speed_mps: f64,
}

impl Spike {
    fn at_least(self, other: Spike) -> bool {
        (self.both_sides, other.both_sides) == (true, false)
            || (self.both_sides == other.both_sides && self.speed_mps >= other.speed_mps)
    }
}

/// The candidates' indices of the new points of `timeline` (sorted) that are
/// spikes: refused one at a time, the surest first (ties: the later one), and
/// the rest judged again with the refused one gone. At most one round per new
/// point, each linear in the timeline.
fn spikes(timeline: &[Fix<'_>], max_speed_mps: f64) -> Vec<usize> {
    let n = timeline.len();
    // The standing points as a doubly linked list over `timeline`.
    let mut before: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let mut after: Vec<Option<usize>> = (0..n).map(|i| Some(i + 1).filter(|&j| j < n)).collect();
    let mut standing = vec![true; n];
    let mut refused = Vec::new();
    loop {
        let mut surest: Option<(Spike, usize)> = None;
        for (i, point) in timeline.iter().enumerate() {
            if !standing[i] || point.new.is_none() {
                continue;
            }
            let speed = |j: Option<usize>| j.map(|j| speed_mps(timeline[j].fix, point.fix));
            let spike = match (speed(before[i]), speed(after[i])) {
                (Some(b), Some(a)) if b > max_speed_mps && a > max_speed_mps => Spike {
                    both_sides: true,
                    speed_mps: b.min(a),
                },
                (Some(one), None) | (None, Some(one)) if one > max_speed_mps => Spike {
                    both_sides: false,
                    speed_mps: one,
                },
                _ => continue,
            };
            if surest.is_none_or(|(s, _)| spike.at_least(s)) {
                surest = Some((spike, i));
            }
        }
        let Some((_, i)) = surest else {
            return refused;
        };
        standing[i] = false;
        if let Some(b) = before[i] {
            after[b] = after[i];
        }
        if let Some(a) = after[i] {
            before[a] = before[i];
        }
        refused.extend(timeline[i].new.map(|(index, _)| index));
    }
}

/// The least speed the two fixes allow: each may be off by its accuracy, so a
/// phone lying still with jittering fixes is at rest, and two fixes in the
/// same second are not infinitely fast.
fn speed_mps(a: Kept, b: Kept) -> f64 {
    let moved = (distance_m(a.place, b.place) - a.accuracy_m - b.accuracy_m).max(0.0);
    let seconds = ((b.at - a.at).num_milliseconds().abs() as f64 / 1000.0).max(1.0);
    moved / seconds
}

/// Saturating, because the window bounds come from configuration and stored
/// rows: an absurd value must not panic the request.
fn plus(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        NaiveDateTime::MIN
    } else {
        NaiveDateTime::MAX
    })
}

fn minus(t: NaiveDateTime, d: Duration) -> NaiveDateTime {
    t.checked_sub_signed(d).unwrap_or(if d < Duration::zero() {
        NaiveDateTime::MAX
    } else {
        NaiveDateTime::MIN
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::strategy::{Just, Strategy};

    fn place(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).unwrap_or_else(|e| panic!("{e}"))
    }

    /// 2026-11-24 10:00 plus `seconds`.
    fn t(seconds: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_else(|| panic!("bad test date"))
            + Duration::seconds(seconds)
    }

    const ORIGIN: (f64, f64) = (34.7200, 113.6000);

    /// `north_m` metres north of the origin.
    fn point(id: &str, seconds: i64, north_m: f64, accuracy_m: f64) -> TrackPoint {
        TrackPoint {
            id: id.into(),
            at: t(seconds),
            at_place: place(ORIGIN.0 + north_m / 111_320.0, ORIGIN.1),
            accuracy_m,
            source: PointSource::Gps,
        }
    }

    fn running() -> Window {
        Window {
            start: t(0),
            end: None,
        }
    }

    fn verdicts(judged: &[(TrackPoint, Result<(), Refusal>)]) -> Vec<(&str, Result<(), Refusal>)> {
        judged.iter().map(|(p, v)| (p.id.as_str(), *v)).collect()
    }

    #[test]
    fn names_round_trip() {
        for source in PointSource::ALL {
            assert_eq!(PointSource::parse(source.as_str()), Some(source));
            let json = serde_json::to_string(&source).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json, format!("\"{}\"", source.as_str()));
        }
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::parse(refusal.as_str()), Some(refusal));
        }
        assert_eq!(PointSource::parse("GPS"), None);
    }

    #[test]
    fn a_batch_of_1001_points_is_refused_naming_points() {
        let points: Vec<TrackPoint> = (0..1001)
            .map(|i| point(&format!("p{i}"), i, 0.0, 10.0))
            .collect();
        let err = check_batch(&points, &TrackRules::default(), t(2000))
            .err()
            .unwrap_or_else(|| panic!("1001 points accepted"));
        assert_eq!(err.field, "points");
        assert!(check_batch(&points[..1000], &TrackRules::default(), t(2000)).is_ok());
    }

    #[test]
    fn an_empty_batch_is_refused() {
        let err = check_batch(&[], &TrackRules::default(), t(0)).err();
        assert_eq!(err.map(|e| e.field), Some("points".to_owned()));
    }

    #[test]
    fn a_point_from_the_future_is_named() {
        let now = t(0);
        let points = [
            point("a", -60, 0.0, 10.0),
            // Four minutes ahead: a drifting phone clock, accepted.
            point("b", 4 * 60, 0.0, 10.0),
            point("c", 6 * 60, 0.0, 10.0),
        ];
        let err = check_batch(&points, &TrackRules::default(), now).err();
        assert_eq!(err.map(|e| e.field), Some("points[2].at".to_owned()));
    }

    #[test]
    fn bad_ids_and_accuracies_are_named() {
        let rules = TrackRules::default();
        let now = t(600);
        let long = "x".repeat(65);
        for (bad, field) in [
            (point("", 0, 0.0, 10.0), "points[1].id"),
            (point(&long, 0, 0.0, 10.0), "points[1].id"),
            (point("b", 0, 0.0, -1.0), "points[1].accuracy_m"),
            (point("b", 0, 0.0, f64::NAN), "points[1].accuracy_m"),
            (point("b", 0, 0.0, f64::INFINITY), "points[1].accuracy_m"),
        ] {
            let err = check_batch(&[point("a", 0, 0.0, 10.0), bad], &rules, now).err();
            assert_eq!(err.map(|e| e.field), Some(field.to_owned()));
        }
        let exactly_64 = "y".repeat(64);
        assert!(check_batch(&[point(&exactly_64, 0, 0.0, 10.0)], &rules, now).is_ok());
    }

    #[test]
    fn a_repeated_point_is_fine_but_a_reused_id_is_not() {
        let rules = TrackRules::default();
        let now = t(600);
        let a = point("a", 0, 0.0, 10.0);
        assert!(check_batch(&[a.clone(), a.clone()], &rules, now).is_ok());
        assert_eq!(distinct(vec![a.clone(), a.clone()]), vec![a.clone()]);

        let moved = point("a", 0, 50.0, 10.0);
        let err = check_batch(&[a, point("b", 1, 0.0, 10.0), moved], &rules, now).err();
        assert_eq!(err.map(|e| e.field), Some("points[2].id".to_owned()));
    }

    #[test]
    fn uploads_are_accepted_while_running_and_for_a_week_after() {
        let rules = TrackRules::default();
        assert!(accepts_uploads(running(), &rules, t(1_000_000)));
        let ended = Window {
            start: t(0),
            end: Some(t(3600)),
        };
        assert!(accepts_uploads(ended, &rules, t(3600 + 6 * 86_400)));
        assert!(accepts_uploads(ended, &rules, t(3600 + 7 * 86_400)));
        assert!(!accepts_uploads(ended, &rules, t(3600 + 8 * 86_400)));
    }

    #[test]
    fn points_before_start_or_after_end_are_refused_with_a_minute_of_skew() {
        let window = Window {
            start: t(0),
            end: Some(t(3600)),
        };
        let judged = judge(
            window,
            &TrackRules::default(),
            &[],
            vec![
                point("long-before", -600, 0.0, 10.0),
                point("just-before", -30, 0.0, 10.0),
                point("just-after", 3630, 0.0, 10.0),
                point("long-after", 3700, 0.0, 10.0),
            ],
        );
        assert_eq!(
            verdicts(&judged),
            vec![
                ("long-before", Err(Refusal::OutsidePatrolTime)),
                ("just-before", Ok(())),
                ("just-after", Ok(())),
                ("long-after", Err(Refusal::OutsidePatrolTime)),
            ]
        );
    }

    #[test]
    fn a_vague_fix_is_refused() {
        let judged = judge(
            running(),
            &TrackRules::default(),
            &[],
            vec![
                point("cell-tower", 10, 0.0, 800.0),
                point("gps", 20, 0.0, 8.0),
            ],
        );
        assert_eq!(
            verdicts(&judged),
            vec![("cell-tower", Err(Refusal::Inaccurate)), ("gps", Ok(()))]
        );
    }

    #[test]
    fn jitter_at_rest_is_not_speed() {
        // Standing still: fixes wander 25 m within a second, each ±15 m.
        let kept = [point("0", 100, 0.0, 15.0).kept()];
        let judged = judge(
            running(),
            &TrackRules::default(),
            &kept,
            vec![
                point("1", 100, 25.0, 15.0),
                point("2", 101, -5.0, 15.0),
                point("3", 102, 20.0, 12.0),
            ],
        );
        assert!(judged.iter().all(|(_, v)| v.is_ok()), "{judged:?}");
    }

    #[test]
    fn a_teleport_is_impossible_speed_and_the_walk_after_it_is_kept() {
        let kept = [point("0", 100, 0.0, 10.0).kept()];
        let judged = judge(
            running(),
            &TrackRules::default(),
            &kept,
            vec![
                // 5 km in ten seconds.
                point("jump", 110, 5000.0, 10.0),
                // Walking on from where the worker really is: 1.4 m/s.
                point("walk", 130, 42.0, 10.0),
            ],
        );
        assert_eq!(
            verdicts(&judged),
            vec![("jump", Err(Refusal::ImpossibleSpeed)), ("walk", Ok(()))]
        );
    }

    #[test]
    fn points_are_judged_in_time_order_but_answered_in_upload_order() {
        // The phone flushed its queue newest first.
        let judged = judge(
            running(),
            &TrackRules::default(),
            &[],
            vec![
                point("10:02", 120, 1000.0, 10.0),
                point("10:00:10", 10, 5000.0, 10.0),
                point("10:00", 0, 0.0, 10.0),
            ],
        );
        // 10:00 is the first; 5 km ten seconds later is a jump; 1 km in two
        // minutes (8 m/s, a bicycle) is fine, measured from 10:00, not the jump.
        assert_eq!(
            verdicts(&judged),
            vec![
                ("10:02", Ok(())),
                ("10:00:10", Err(Refusal::ImpossibleSpeed)),
                ("10:00", Ok(())),
            ]
        );
    }

    #[test]
    fn the_neighbours_are_the_nearest_kept_points_even_when_kept_is_unsorted() {
        let kept = [
            point("next", 330, 1530.0, 10.0).kept(),
            point("early", 0, 0.0, 10.0).kept(),
            point("mid", 300, 1500.0, 10.0).kept(),
        ];
        let judged = judge(
            running(),
            &TrackRules::default(),
            &kept,
            vec![
                // Ten seconds after "mid" and near it: fine.
                point("near-mid", 310, 1510.0, 10.0),
                // Fine from "early" (10 m in 320 s), but its neighbours are
                // "near-mid" before and "next" after: 1.5 km in ten seconds
                // from both.
                point("near-early", 320, 10.0, 10.0),
            ],
        );
        assert_eq!(
            verdicts(&judged),
            vec![
                ("near-mid", Ok(())),
                ("near-early", Err(Refusal::ImpossibleSpeed))
            ]
        );
    }

    #[test]
    fn two_far_apart_fixes_in_the_same_instant_are_impossible() {
        let judged = judge(
            running(),
            &TrackRules::default(),
            &[point("a", 50, 0.0, 5.0).kept()],
            vec![point("b", 50, 500.0, 5.0)],
        );
        assert_eq!(
            verdicts(&judged),
            vec![("b", Err(Refusal::ImpossibleSpeed))]
        );
    }

    /// `n` fixes of a walk north at 1.4 m/s, one every 30 s, the first
    /// `from_s` seconds after 10:00 and `from_m` metres north.
    fn walk(prefix: &str, from_s: i64, from_m: f64, n: usize) -> Vec<TrackPoint> {
        (0..n)
            .map(|i| {
                point(
                    &format!("{prefix}{i:02}"),
                    from_s + 30 * i as i64,
                    from_m + 42.0 * i as f64,
                    10.0,
                )
            })
            .collect()
    }

    fn refused(judged: &[(TrackPoint, Result<(), Refusal>)]) -> Vec<(&str, Refusal)> {
        judged
            .iter()
            .filter_map(|(p, v)| v.err().map(|why| (p.id.as_str(), why)))
            .collect()
    }

    #[test]
    fn a_spike_as_the_first_fix_is_refused_and_the_walk_after_it_kept() {
        // A phone starting up: its first fix 3 km off, then a normal walk.
        let mut points = vec![point("cold-start", 0, 3000.0, 10.0)];
        points.extend(walk("w", 30, 0.0, 20));
        let judged = judge(running(), &TrackRules::default(), &[], points);
        assert_eq!(
            refused(&judged),
            vec![("cold-start", Refusal::ImpossibleSpeed)]
        );
        assert_eq!(judged.iter().filter(|(_, v)| v.is_ok()).count(), 20);
    }

    #[test]
    fn a_spike_in_the_middle_is_refused() {
        let mut points = walk("a", 0, 0.0, 10);
        points.push(point("spike", 285, 3000.0, 10.0));
        points.extend(walk("b", 300, 420.0, 10));
        let judged = judge(running(), &TrackRules::default(), &[], points);
        assert_eq!(refused(&judged), vec![("spike", Refusal::ImpossibleSpeed)]);
    }

    #[test]
    fn a_spike_as_the_last_fix_is_refused() {
        let mut points = walk("w", 0, 0.0, 20);
        points.push(point("spike", 20 * 30, 3000.0, 10.0));
        let judged = judge(running(), &TrackRules::default(), &[], points);
        assert_eq!(refused(&judged), vec![("spike", Refusal::ImpossibleSpeed)]);
    }

    #[test]
    fn a_real_jump_keeps_both_sides() {
        // The fix settles 2 km away (network to GPS, say) and stays there:
        // each side has a consistent neighbour, so neither is a spike.
        let mut points = walk("a", 0, 0.0, 5);
        points.extend(walk("b", 130, 2000.0, 5));
        let judged = judge(running(), &TrackRules::default(), &[], points);
        assert_eq!(refused(&judged), vec![]);
    }

    #[test]
    fn a_stored_spike_does_not_refuse_the_points_around_it() {
        // The spike was kept by an upload that had nothing else; a late
        // batch arrives around it.
        let kept = [point("stored-spike", 0, 3000.0, 10.0).kept()];
        let judged = judge(
            running(),
            &TrackRules::default(),
            &kept,
            walk("w", 30, 0.0, 20),
        );
        assert_eq!(refused(&judged), vec![]);
        // Stored points on both sides, a good new point squeezed between the
        // stored spike and a new one: the new spike, impossible on both sides
        // by more, goes first; then the stored point after vouches for the
        // good one.
        let kept = [
            point("before", 0, 0.0, 10.0).kept(),
            point("stored-spike", 30, 3000.0, 10.0).kept(),
            point("after", 120, 168.0, 10.0).kept(),
        ];
        let judged = judge(
            running(),
            &TrackRules::default(),
            &kept,
            vec![
                point("good", 60, 84.0, 10.0),
                point("new-spike", 90, -3000.0, 10.0),
            ],
        );
        assert_eq!(
            refused(&judged),
            vec![("new-spike", Refusal::ImpossibleSpeed)]
        );
    }

    #[test]
    fn of_two_fixes_impossible_to_each_other_the_later_is_refused() {
        let judged = judge(
            running(),
            &TrackRules::default(),
            &[],
            vec![
                point("later", 10, 3000.0, 10.0),
                point("earlier", 0, 0.0, 10.0),
            ],
        );
        assert_eq!(refused(&judged), vec![("later", Refusal::ImpossibleSpeed)]);
    }

    /// Everything at once: a cold-start spike, a point before the start, a
    /// vague fix, a spike in the middle, a real jump, three fixes in the same
    /// second, and a spike at the end.
    fn a_messy_upload() -> Vec<TrackPoint> {
        let mut points = vec![
            point("cold-start", 5, 3000.0, 10.0),
            point("too-early", -600, 0.0, 10.0),
            point("vague", 100, 0.0, 900.0),
            point("mid-spike", 200, -4000.0, 10.0),
            // Taken with "b02" (410 s, 2584 m), one of them 5.6 km off.
            point("same-second-good", 410, 2590.0, 10.0),
            point("same-second-spike", 410, -3000.0, 5.0),
            point("end-spike", 1000, 0.0, 10.0),
        ];
        points.extend(walk("a", 30, 0.0, 10));
        points.extend(walk("b", 350, 2500.0, 20));
        points
    }

    #[test]
    fn a_messy_upload_is_judged_point_by_point() {
        let judged = judge(running(), &TrackRules::default(), &[], a_messy_upload());
        let mut refusals = refused(&judged);
        refusals.sort_by_key(|&(id, _)| id);
        assert_eq!(
            refusals,
            vec![
                ("cold-start", Refusal::ImpossibleSpeed),
                ("end-spike", Refusal::ImpossibleSpeed),
                ("mid-spike", Refusal::ImpossibleSpeed),
                ("same-second-spike", Refusal::ImpossibleSpeed),
                ("too-early", Refusal::OutsidePatrolTime),
                ("vague", Refusal::Inaccurate),
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn verdicts_do_not_depend_on_upload_order(
            shuffled in Just(a_messy_upload()).prop_shuffle()
        ) {
            let rules = TrackRules::default();
            let by_id = |judged: Vec<(TrackPoint, Result<(), Refusal>)>| {
                judged
                    .into_iter()
                    .map(|(p, v)| (p.id, v))
                    .collect::<std::collections::BTreeMap<_, _>>()
            };
            let expected = by_id(judge(running(), &rules, &[], a_messy_upload()));
            let judged = judge(running(), &rules, &[], shuffled.clone());
            // Answered in upload order.
            proptest::prop_assert!(judged.iter().map(|(p, _)| &p.id).eq(shuffled.iter().map(|p| &p.id)));
            proptest::prop_assert_eq!(by_id(judged), expected);
        }
    }
}
