//! Whether the evidence of a closure holds. Closing cases that were never
//! fixed (虚假结案) is the known way to game closure rates; the after-photo is
//! what should make it hard, so each resolve and each verify is judged on
//! the photos the case has at that moment:
//!
//! 1. an after-photo was taken (EXIF time) after the dispatch — for a case
//!    never dispatched, after the report;
//! 2. an after-photo was taken (EXIF GPS) within the configured distance of
//!    the incident;
//! 3. the case has a before/after pair (at least one of each).
//!
//! `complete` needs one after-photo passing 1 and 2 together, and 3: a fresh
//! photo taken far away and an old one taken on the spot prove nothing
//! between them. A missing EXIF field fails its check, with the reason.

use chrono::{NaiveDateTime, SubsecRound};

use crate::geo::{Coordinates, distance_m};
use crate::incident::ActionKind;
use crate::photo::PhotoKind;

/// `--evidence-radius-m` when not given.
pub const DEFAULT_RADIUS_M: f64 = 200.0;

/// The steps whose evidence is judged: the result reported, and the case closed.
pub fn is_judged(action: ActionKind) -> bool {
    matches!(
        action,
        ActionKind::Resolve | ActionKind::ResolveOnSpot | ActionKind::Verify
    )
}

/// How far from the incident an after-photo may be taken: positive and
/// finite, at most 10 km (a GPS fix is never that bad; a larger radius
/// would check nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Radius(f64);

impl Radius {
    pub const MAX_M: f64 = 10_000.0;
    pub const DEFAULT: Radius = Radius(DEFAULT_RADIUS_M);

    pub fn new(metres: f64) -> Option<Self> {
        (metres > 0.0 && metres <= Self::MAX_M).then_some(Radius(metres))
    }

    pub fn metres(self) -> f64 {
        self.0
    }
}

/// What a photo's EXIF said, as kept beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoFacts {
    pub kind: PhotoKind,
    pub taken_at: Option<NaiveDateTime>,
    pub taken_where: Option<Coordinates>,
}

/// What the after-photos must come after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// The latest dispatch: the party cannot have fixed it before it was theirs.
    Dispatch(NaiveDateTime),
    /// A case never dispatched: when it was reported seen.
    Report(NaiveDateTime),
}

impl Since {
    /// The latest dispatch if there was one, else the report.
    pub fn of(dispatched_at: Option<NaiveDateTime>, reported_at: NaiveDateTime) -> Self {
        dispatched_at.map_or(Since::Report(reported_at), Since::Dispatch)
    }

    pub fn at(self) -> NaiveDateTime {
        match self {
            Since::Dispatch(at) | Since::Report(at) => at,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Since::Dispatch(_) => "dispatch",
            Since::Report(_) => "report",
        }
    }
}

/// The case a closure is judged on.
#[derive(Debug, Clone)]
pub struct Closure<'a> {
    /// The photos the case has at the moment of the step.
    pub photos: &'a [PhotoFacts],
    pub since: Since,
    /// Where the incident is (WGS-84, as EXIF GPS is).
    pub incident_at: Coordinates,
    pub radius: Radius,
}

/// Why a check fails. Displayed as the stored reason (`no EXIF time`).
#[derive(Debug, Clone, PartialEq)]
pub enum Shortfall {
    NoAfterPhoto,
    NoBeforePhoto,
    NoPhotos,
    /// No after-photo says when it was taken.
    NoExifTime,
    /// The latest time an after-photo says, before `since`.
    TakenBefore {
        taken_at: NaiveDateTime,
        since: Since,
    },
    /// No after-photo says where it was taken.
    NoExifPosition,
    /// The nearest an after-photo was taken, farther than the radius.
    TooFar {
        distance_m: f64,
        radius_m: f64,
    },
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shortfall::NoAfterPhoto => f.write_str("no after photo"),
            Shortfall::NoBeforePhoto => f.write_str("no before photo"),
            Shortfall::NoPhotos => f.write_str("no before and no after photo"),
            Shortfall::NoExifTime => f.write_str("no EXIF time"),
            Shortfall::TakenBefore { taken_at, since } => write!(
                f,
                "taken {} UTC, before the {} at {} UTC",
                taken_at.format("%Y-%m-%d %H:%M:%S"),
                since.what(),
                since.at().format("%Y-%m-%d %H:%M:%S"),
            ),
            Shortfall::NoExifPosition => f.write_str("no EXIF position"),
            Shortfall::TooFar {
                distance_m,
                radius_m,
            } => write!(
                f,
                "taken {distance_m:.0} m from the incident (at most {radius_m:.0} m)"
            ),
        }
    }
}

/// One check: holds, or fails with a reason.
pub type Check = Result<(), Shortfall>;

/// The judgement of one resolve or verify.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub taken_after: Check,
    pub taken_near: Check,
    pub before_and_after: Check,
    /// One after-photo taken after and near, and a before/after pair.
    pub complete: bool,
}

/// Judges the photos of `closure`.
pub fn judge(closure: &Closure<'_>) -> Evidence {
    let afters: Vec<&PhotoFacts> = closure
        .photos
        .iter()
        .filter(|p| p.kind == PhotoKind::After)
        .collect();
    let has_before = closure.photos.iter().any(|p| p.kind == PhotoKind::Before);
    // EXIF keeps whole seconds: a photo taken in the second of the dispatch counts.
    let since = closure.since.at().trunc_subsecs(0);
    let after_since = |p: &PhotoFacts| p.taken_at.is_some_and(|t| t >= since);
    let distance = |p: &PhotoFacts| p.taken_where.map(|w| distance_m(w, closure.incident_at));
    let radius_m = closure.radius.metres();
    let near = |p: &PhotoFacts| distance(p).is_some_and(|d| d <= radius_m);

    let taken_after = if afters.is_empty() {
        Err(Shortfall::NoAfterPhoto)
    } else if afters.iter().any(|p| after_since(p)) {
        Ok(())
    } else {
        match afters.iter().filter_map(|p| p.taken_at).max() {
            Some(taken_at) => Err(Shortfall::TakenBefore {
                taken_at,
                since: closure.since,
            }),
            None => Err(Shortfall::NoExifTime),
        }
    };
    let taken_near = if afters.is_empty() {
        Err(Shortfall::NoAfterPhoto)
    } else if afters.iter().any(|p| near(p)) {
        Ok(())
    } else {
        match afters.iter().filter_map(|p| distance(p)).reduce(f64::min) {
            Some(distance_m) => Err(Shortfall::TooFar {
                distance_m,
                radius_m,
            }),
            None => Err(Shortfall::NoExifPosition),
        }
    };
    let before_and_after = match (has_before, afters.is_empty()) {
        (true, false) => Ok(()),
        (true, true) => Err(Shortfall::NoAfterPhoto),
        (false, false) => Err(Shortfall::NoBeforePhoto),
        (false, true) => Err(Shortfall::NoPhotos),
    };
    let complete = before_and_after.is_ok() && afters.iter().any(|p| after_since(p) && near(p));
    Evidence {
        taken_after,
        taken_near,
        before_and_after,
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 5)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("a time")
    }

    fn place(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).expect("a point")
    }

    const INCIDENT: (f64, f64) = (34.7187, 113.6070);
    /// About 1 km north of the incident (a degree of latitude is ~111 km).
    const FAR: (f64, f64) = (34.7277, 113.6070);
    /// About 50 m north.
    const NEAR: (f64, f64) = (34.71915, 113.6070);

    fn photo(
        kind: PhotoKind,
        taken_at: Option<NaiveDateTime>,
        at: Option<(f64, f64)>,
    ) -> PhotoFacts {
        PhotoFacts {
            kind,
            taken_at,
            taken_where: at.map(|(lat, lng)| place(lat, lng)),
        }
    }

    fn judged(photos: &[PhotoFacts], since: Since) -> Evidence {
        judge(&Closure {
            photos,
            since,
            incident_at: place(INCIDENT.0, INCIDENT.1),
            radius: Radius::DEFAULT,
        })
    }

    fn reason(check: &Check) -> String {
        check
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    #[test]
    fn a_pair_with_a_fresh_after_photo_on_the_spot_is_complete() {
        let photos = [
            photo(PhotoKind::Before, Some(at(8, 0)), Some(INCIDENT)),
            photo(PhotoKind::After, Some(at(10, 0)), Some(NEAR)),
        ];
        let e = judged(&photos, Since::Dispatch(at(9, 0)));
        assert_eq!(
            e,
            Evidence {
                taken_after: Ok(()),
                taken_near: Ok(()),
                before_and_after: Ok(()),
                complete: true,
            }
        );
    }

    #[test]
    fn an_after_photo_from_far_away_is_not_evidence() {
        let photos = [
            photo(PhotoKind::Before, Some(at(8, 0)), Some(INCIDENT)),
            photo(PhotoKind::After, Some(at(10, 0)), Some(FAR)),
        ];
        let e = judged(&photos, Since::Dispatch(at(9, 0)));
        assert!(e.taken_after.is_ok() && e.before_and_after.is_ok());
        assert!(!e.complete);
        assert_eq!(
            reason(&e.taken_near),
            "taken 1001 m from the incident (at most 200 m)"
        );
    }

    #[test]
    fn an_after_photo_taken_before_the_dispatch_is_not_evidence() {
        let photos = [
            photo(PhotoKind::Before, None, None),
            photo(PhotoKind::After, Some(at(8, 30)), Some(INCIDENT)),
        ];
        let e = judged(&photos, Since::Dispatch(at(9, 0)));
        assert!(!e.complete);
        assert_eq!(
            reason(&e.taken_after),
            "taken 2026-12-05 08:30:00 UTC, before the dispatch at 2026-12-05 09:00:00 UTC"
        );
        let never_dispatched = judged(&photos, Since::Report(at(9, 0)));
        assert!(
            reason(&never_dispatched.taken_after)
                .ends_with("before the report at 2026-12-05 09:00:00 UTC")
        );
    }

    #[test]
    fn a_photo_taken_in_the_second_of_the_dispatch_counts() {
        let dispatched = at(9, 0) + chrono::Duration::microseconds(400_000);
        let photos = [
            photo(PhotoKind::Before, None, None),
            photo(PhotoKind::After, Some(at(9, 0)), Some(INCIDENT)),
        ];
        assert!(judged(&photos, Since::Dispatch(dispatched)).complete);
    }

    #[test]
    fn missing_exif_fails_its_check_with_the_reason() {
        let photos = [
            photo(PhotoKind::Before, None, None),
            photo(PhotoKind::After, None, None),
        ];
        let e = judged(&photos, Since::Report(at(9, 0)));
        assert_eq!(reason(&e.taken_after), "no EXIF time");
        assert_eq!(reason(&e.taken_near), "no EXIF position");
        assert!(e.before_and_after.is_ok());
        assert!(!e.complete);
    }

    #[test]
    fn no_photos_fail_every_check() {
        let e = judged(&[], Since::Report(at(9, 0)));
        assert_eq!(reason(&e.taken_after), "no after photo");
        assert_eq!(reason(&e.taken_near), "no after photo");
        assert_eq!(reason(&e.before_and_after), "no before and no after photo");
        assert!(!e.complete);
    }

    #[test]
    fn an_after_photo_alone_is_no_pair() {
        let photos = [photo(PhotoKind::After, Some(at(10, 0)), Some(INCIDENT))];
        let e = judged(&photos, Since::Dispatch(at(9, 0)));
        assert!(e.taken_after.is_ok() && e.taken_near.is_ok());
        assert_eq!(reason(&e.before_and_after), "no before photo");
        assert!(!e.complete);
        let before_only = [photo(PhotoKind::Before, Some(at(10, 0)), Some(INCIDENT))];
        let e = judged(&before_only, Since::Dispatch(at(9, 0)));
        assert_eq!(reason(&e.before_and_after), "no after photo");
    }

    /// One fresh photo far away and one old photo on the spot: each check
    /// holds for some photo, but no photo proves the fix.
    #[test]
    fn the_time_and_the_place_must_hold_for_the_same_after_photo() {
        let photos = [
            photo(PhotoKind::Before, None, None),
            photo(PhotoKind::After, Some(at(10, 0)), Some(FAR)),
            photo(PhotoKind::After, Some(at(8, 0)), Some(INCIDENT)),
        ];
        let e = judged(&photos, Since::Dispatch(at(9, 0)));
        assert!(e.taken_after.is_ok() && e.taken_near.is_ok() && e.before_and_after.is_ok());
        assert!(!e.complete);
    }

    #[test]
    fn only_resolves_and_verifies_are_judged() {
        let judged: Vec<ActionKind> = ActionKind::ALL
            .into_iter()
            .filter(|a| is_judged(*a))
            .collect();
        assert_eq!(
            judged,
            vec![
                ActionKind::Resolve,
                ActionKind::ResolveOnSpot,
                ActionKind::Verify
            ]
        );
    }

    #[test]
    fn a_radius_is_positive_and_at_most_ten_km() {
        assert_eq!(Radius::new(200.0), Some(Radius::DEFAULT));
        for bad in [0.0, -1.0, 10_001.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Radius::new(bad), None, "{bad}");
        }
    }
}
