//! Chinese map coordinate systems (WGS-84, GCJ-02, BD-09) and validated coordinates.
//!
//! Storage and geometry are always WGS-84; clients speaking GCJ-02 (AMap, Tencent)
//! or BD-09 (Baidu) are converted at the boundary.

use std::f64::consts::PI;

/// Coordinate reference system a client uses on the wire.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum CoordSys {
    #[default]
    Wgs84,
    Gcj02,
    Bd09,
}

impl CoordSys {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wgs84 => "wgs84",
            Self::Gcj02 => "gcj02",
            Self::Bd09 => "bd09",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown coordinate system `{0}`; expected one of: wgs84, gcj02, bd09")]
pub struct UnknownCoordSys(pub String);

impl std::str::FromStr for CoordSys {
    type Err = UnknownCoordSys;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Exactly the serde wire names, so query strings and JSON bodies agree.
        match s {
            "wgs84" => Ok(Self::Wgs84),
            "gcj02" => Ok(Self::Gcj02),
            "bd09" => Ok(Self::Bd09),
            other => Err(UnknownCoordSys(other.to_owned())),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum InvalidCoordinates {
    #[error("latitude must be between -90 and 90, got {0}")]
    Lat(f64),
    #[error("longitude must be between -180 and 180, got {0}")]
    Lng(f64),
}

impl InvalidCoordinates {
    /// Request field to blame in validation errors.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Lat(_) => "lat",
            Self::Lng(_) => "lng",
        }
    }
}

/// A finite latitude/longitude pair in degrees; fields are private so the range
/// invariant cannot be bypassed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    lat: f64,
    lng: f64,
}

impl Coordinates {
    pub fn new(lat: f64, lng: f64) -> Result<Self, InvalidCoordinates> {
        // `contains` is false for NaN and infinities, so one check covers both.
        if !(-90.0..=90.0).contains(&lat) {
            return Err(InvalidCoordinates::Lat(lat));
        }
        if !(-180.0..=180.0).contains(&lng) {
            return Err(InvalidCoordinates::Lng(lng));
        }
        Ok(Self { lat, lng })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lng(self) -> f64 {
        self.lng
    }

    /// Interprets `self` as expressed in `from` and returns the WGS-84 equivalent.
    pub fn to_wgs84(self, from: CoordSys) -> Coordinates {
        let p = (self.lng, self.lat);
        Self::normalized(match from {
            CoordSys::Wgs84 => return self,
            CoordSys::Gcj02 => gcj02_to_wgs84(p),
            CoordSys::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(p)),
        })
    }

    /// Interprets `self` as WGS-84 and returns it expressed in `to`.
    pub fn from_wgs84(self, to: CoordSys) -> Coordinates {
        let p = (self.lng, self.lat);
        Self::normalized(match to {
            CoordSys::Wgs84 => return self,
            CoordSys::Gcj02 => wgs84_to_gcj02(p),
            CoordSys::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(p)),
        })
    }

    /// The BD-09 offset is applied worldwide (as Baidu does), so a point on the
    /// antimeridian or a pole can be pushed a few metres out of range; wrap/clamp
    /// instead of failing because conversions of valid input must stay infallible.
    fn normalized((lng, lat): LngLat) -> Self {
        let lng = if lng.abs() > 180.0 {
            lng - 360.0 * lng.signum()
        } else {
            lng
        };
        let lat = lat.clamp(-90.0, 90.0);
        Self { lat, lng }
    }
}

// Krasovsky 1940 ellipsoid, as used by the GCJ-02 obfuscation. The published
// eccentricity 0.00669342162296594323 has more digits than f64 holds.
const KRASOVSKY_A: f64 = 6378245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;

/// Longitude first, matching the argument order of the published formulas.
type LngLat = (f64, f64);

/// GCJ-02 is only applied inside mainland China; everyone uses this rough box,
/// so matching it keeps us consistent with what clients send.
fn out_of_china(lng: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn transform_lng(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

fn wgs84_to_gcj02((lng, lat): LngLat) -> LngLat {
    if out_of_china(lng, lat) {
        return (lng, lat);
    }
    let dlat = transform_lat(lng - 105.0, lat - 35.0);
    let dlng = transform_lng(lng - 105.0, lat - 35.0);
    let radlat = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * radlat.sin() * radlat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlng = (dlng * 180.0) / (KRASOVSKY_A / sqrt_magic * radlat.cos() * PI);
    (lng + dlng, lat + dlat)
}

/// The forward offset has no closed-form inverse; the common one-step
/// approximation is off by metres, which matters for grid-cell lookups, so
/// refine by fixed-point iteration (the offset varies slowly, converging fast).
fn gcj02_to_wgs84((lng, lat): LngLat) -> LngLat {
    const TOLERANCE_DEG: f64 = 1e-9;
    const MAX_ITERATIONS: usize = 30;
    let (mut wlng, mut wlat) = (lng, lat);
    for _ in 0..MAX_ITERATIONS {
        let (glng, glat) = wgs84_to_gcj02((wlng, wlat));
        let (elng, elat) = (glng - lng, glat - lat);
        (wlng, wlat) = (wlng - elng, wlat - elat);
        if elng.abs().max(elat.abs()) < TOLERANCE_DEG {
            break;
        }
    }
    (wlng, wlat)
}

fn gcj02_to_bd09((lng, lat): LngLat) -> LngLat {
    let z = (lng * lng + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lng) + 0.000003 * (lng * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

fn bd09_to_gcj02((lng, lat): LngLat) -> LngLat {
    let (x, y) = (lng - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    (z * theta.cos(), z * theta.sin())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const EPS: f64 = 1e-6;

    fn c(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).unwrap()
    }

    #[track_caller]
    fn assert_close(got: Coordinates, lat: f64, lng: f64, eps: f64) {
        let ok = (got.lat() - lat).abs() < eps && (got.lng() - lng).abs() < eps;
        assert!(ok, "got {got:?}, expected ({lat}, {lng}) within {eps}");
    }

    // googollee/eviltransform go/transform_test.go (same in javascript/test.js):
    // (wgsLat, wgsLng, gcjLat, gcjLng) for Shanghai, Shenzhen, Beijing.
    const EVIL: [(f64, f64, f64, f64); 3] = [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ];

    #[test]
    fn wgs84_gcj02_match_published_pairs_both_ways() {
        for (wlat, wlng, glat, glng) in EVIL {
            assert_close(c(wlat, wlng).from_wgs84(CoordSys::Gcj02), glat, glng, EPS);
            assert_close(c(glat, glng).to_wgs84(CoordSys::Gcj02), wlat, wlng, EPS);
        }
        // wandergis/coordtransform test/app.js: wgs84togcj02(116.404, 39.915).
        let got = c(39.915, 116.404).from_wgs84(CoordSys::Gcj02);
        assert_close(got, 39.91640428150164, 116.41024449916938, EPS);
    }

    #[test]
    fn gcj02_bd09_match_published_pairs() {
        // wandergis/coordtransform test/app.js: gcj02tobd09 / bd09togcj02 of (116.404, 39.915).
        let (lng, lat) = gcj02_to_bd09((116.404, 39.915));
        assert_close(c(lat, lng), 39.92133699351021, 116.41036949371029, EPS);
        let (lng, lat) = bd09_to_gcj02((116.404, 39.915));
        assert_close(c(lat, lng), 39.90865673957631, 116.39762729119315, EPS);
        // The standard BD-09 formulas are not exact inverses of each other
        // (~1e-6 degrees, about 0.1 m), so this only holds to 1e-5.
        let back = c(39.915, 116.404)
            .from_wgs84(CoordSys::Bd09)
            .to_wgs84(CoordSys::Bd09);
        assert_close(back, 39.915, 116.404, 1e-5);
    }

    #[test]
    fn zhengzhou_round_trip() {
        let gcj = c(34.75, 113.62).from_wgs84(CoordSys::Gcj02);
        assert!(
            (gcj.lng() - 113.62).abs() > 1e-3,
            "offset not applied: {gcj:?}"
        );
        assert_close(gcj.to_wgs84(CoordSys::Gcj02), 34.75, 113.62, EPS);
    }

    #[test]
    fn outside_china_is_unchanged_and_stays_in_range() {
        let paris = c(48.8584, 2.2945);
        assert_eq!(paris.from_wgs84(CoordSys::Gcj02), paris);
        assert_eq!(paris.to_wgs84(CoordSys::Gcj02), paris);
        let p = c(90.0, 180.0).from_wgs84(CoordSys::Bd09);
        assert!(Coordinates::new(p.lat(), p.lng()).is_ok(), "{p:?}");
    }

    #[test]
    fn new_rejects_bad_values_naming_the_field() {
        for lat in [90.0001, -91.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Coordinates::new(lat, 0.0).unwrap_err().field(), "lat");
        }
        for lng in [180.5, -181.0, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(Coordinates::new(0.0, lng).unwrap_err().field(), "lng");
        }
        let msg = Coordinates::new(100.0, 0.0).unwrap_err().to_string();
        assert_eq!(msg, "latitude must be between -90 and 90, got 100");
        assert!(Coordinates::new(-90.0, 180.0).is_ok());
    }

    #[test]
    fn coord_sys_parses_wire_names_only() {
        for sys in [CoordSys::Wgs84, CoordSys::Gcj02, CoordSys::Bd09] {
            assert_eq!(sys.as_str().parse::<CoordSys>().unwrap(), sys);
        }
        assert_eq!(CoordSys::default(), CoordSys::Wgs84);
        let err = "WGS84".parse::<CoordSys>().unwrap_err();
        assert_eq!(err, UnknownCoordSys("WGS84".into()));
        assert!(err.to_string().contains("wgs84, gcj02, bd09"));
    }
}
