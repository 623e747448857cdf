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
    /// What later points of the same patrol are compared with.
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
/// the caller). Points are judged in time order, not upload order, because
/// phones flush their queues out of order; a point accepted earlier in time in
/// this batch is the reference for the next one just as a stored one is.
/// Refused points never become a reference, so one GPS jump does not make the
/// walk after it look like a jump back.
pub fn judge(
    window: Window,
    rules: &TrackRules,
    kept: &[Kept],
    candidates: Vec<TrackPoint>,
) -> Vec<(TrackPoint, Result<(), Refusal>)> {
    let mut kept = kept.to_vec();
    kept.sort_by_key(|k| k.at);

    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| candidates[i].at);

    let mut verdicts = vec![Ok(()); candidates.len()];
    let mut last_accepted: Option<Kept> = None;
    for i in order {
        let point = &candidates[i];
        let verdict = verdict(
            window,
            rules,
            point,
            previous(&kept, last_accepted, point.at),
        );
        if verdict.is_ok() {
            last_accepted = Some(point.kept());
        }
        verdicts[i] = verdict;
    }
    candidates.into_iter().zip(verdicts).collect()
}

fn verdict(
    window: Window,
    rules: &TrackRules,
    point: &TrackPoint,
    previous: Option<Kept>,
) -> Result<(), Refusal> {
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
    if let Some(previous) = previous
        && speed_mps(previous, point.kept()) > rules.max_speed_mps
    {
        return Err(Refusal::ImpossibleSpeed);
    }
    Ok(())
}

/// The latest reference at or before `at`: from the store or from this batch.
fn previous(kept: &[Kept], last_accepted: Option<Kept>, at: NaiveDateTime) -> Option<Kept> {
    let stored = kept
        .partition_point(|k| k.at <= at)
        .checked_sub(1)
        .map(|j| kept[j]);
    match (stored, last_accepted) {
        (Some(s), Some(a)) => Some(if s.at > a.at { s } else { a }),
        (s, a) => s.or(a),
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
    fn the_reference_is_the_nearest_kept_point_before_even_when_kept_is_unsorted() {
        let kept = [
            point("late", 600, 3000.0, 10.0).kept(),
            point("early", 0, 0.0, 10.0).kept(),
            point("mid", 300, 1500.0, 10.0).kept(),
        ];
        let judged = judge(
            running(),
            &TrackRules::default(),
            &kept,
            vec![
                // Ten seconds after "mid" and near it: fine; near "early"
                // instead it would be 1.5 km in ten seconds.
                point("near-mid", 310, 1510.0, 10.0),
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
}
