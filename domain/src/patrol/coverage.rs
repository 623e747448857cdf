//! How much of a grid its workers have walked.
//!
//! A grid is cut into square cells; a cell is covered when an accepted point
//! lies near enough. Cells, not the track's length, because walking the same
//! street ten times is not patrolling the grid.

use std::collections::HashSet;

use geo::{BoundingRect, Distance, Haversine, InteriorPoint, Intersects, MultiPolygon, Point};

use crate::geo::Coordinates;

/// Small enough that a covered cell means the worker saw it from the street,
/// large enough that a grid has hundreds of cells, not tens of thousands.
pub const CELL_SIZE_M: f64 = 30.0;

/// Phone GPS in a city is good to ~10–20 m; a worker sees a little further.
pub const COVER_RADIUS_M: f64 = 20.0;

/// Metres per degree of latitude (and of longitude at the equator).
const M_PER_DEG: f64 = 111_320.0;

/// Keeps column widths finite at the poles, where no grid is drawn anyway.
const MIN_COS: f64 = 1e-9;

/// One square of the city-wide lattice.
///
/// The lattice is global and fixed (not per grid), so a grid's cells are the
/// same every time its polygon is read, and a redrawn boundary keeps the cells
/// it still contains — stored coverage stays meaningful across edits. Rows are
/// bands of `size_m` metres of latitude counted from the equator
/// (`row = floor(lat / dlat)`, `dlat = size_m / 111_320`); each row's columns
/// are `size_m` wide at the row's centre latitude
/// (`dlng = size_m / (111_320 * cos(centre lat))`), counted from longitude 0.
/// Columns of neighbouring rows do not line up; nothing relies on them doing so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellId {
    pub row: i32,
    pub col: i32,
}

impl CellId {
    /// One integer for storage and indexes: row in the high 32 bits, column
    /// (as `u32`) in the low; the layout is part of the stored format.
    pub fn key(self) -> i64 {
        (i64::from(self.row) << 32) | i64::from(self.col as u32)
    }

    pub fn from_key(key: i64) -> CellId {
        CellId {
            row: (key >> 32) as i32,
            col: key as u32 as i32,
        }
    }
}

/// The cells of one size. Every deployment uses a single size, because cells
/// of different sizes are different lattices and do not compare.
#[derive(Debug, Clone, Copy)]
pub struct Lattice {
    pub size_m: f64,
}

impl Default for Lattice {
    fn default() -> Self {
        Lattice::new(CELL_SIZE_M)
    }
}

impl Lattice {
    /// Callers validate the size (5..=500 m); an absurd one is bounded here
    /// instead of panicking, so that a grid never turns into billions of cells.
    pub fn new(size_m: f64) -> Lattice {
        Lattice {
            size_m: sane_size(size_m),
        }
    }

    pub fn cell_of(&self, at: Coordinates) -> CellId {
        self.cell_at(at.lng(), at.lat())
    }

    /// `(lng, lat)` of the cell's centre.
    pub fn centre(&self, cell: CellId) -> (f64, f64) {
        let lat = (f64::from(cell.row) + 0.5) * self.dlat();
        let lng = (f64::from(cell.col) + 0.5) * self.dlng(cell.row);
        (lng, lat)
    }

    /// The cell's square as a closed ring of `(lng, lat)`, 5 positions,
    /// counter-clockwise as GeoJSON wants an exterior ring.
    pub fn ring(&self, cell: CellId) -> Vec<(f64, f64)> {
        let (dlat, dlng) = (self.dlat(), self.dlng(cell.row));
        let south = f64::from(cell.row) * dlat;
        let north = south + dlat;
        let west = f64::from(cell.col) * dlng;
        let east = west + dlng;
        vec![
            (west, south),
            (east, south),
            (east, north),
            (west, north),
            (west, south),
        ]
    }

    /// The cells whose centre lies inside the boundary (or on it), sorted.
    /// A grid smaller than one cell still gets the cell holding its interior
    /// point, so no grid has zero cells and a share is always defined.
    pub fn cells_in(&self, boundary: &MultiPolygon<f64>) -> Vec<CellId> {
        let Some(rect) = boundary.bounding_rect() else {
            return Vec::new();
        };
        let (min, max) = (rect.min(), rect.max());
        let mut cells = Vec::new();
        for row in self.row_at(min.y)..=self.row_at(max.y) {
            for col in self.col_at(row, min.x)..=self.col_at(row, max.x) {
                let cell = CellId { row, col };
                let (lng, lat) = self.centre(cell);
                if boundary.intersects(&Point::new(lng, lat)) {
                    cells.push(cell);
                }
            }
        }
        if cells.is_empty()
            && let Some(inside) = boundary.interior_point()
        {
            cells.push(self.cell_at(inside.x(), inside.y()));
        }
        cells
    }

    /// What one point covers: the cell it lies in, and every cell whose centre
    /// is within `radius_m`. The own cell counts even when its centre is
    /// further (a point near a corner of a 30 m cell is 21 m from every centre),
    /// so every accepted point covers something.
    pub fn cells_near(&self, at: Coordinates, radius_m: f64) -> Vec<CellId> {
        let radius = if radius_m.is_finite() {
            radius_m.max(0.0)
        } else {
            0.0
        };
        let here = Point::new(at.lng(), at.lat());
        let reach_lat = radius / M_PER_DEG;
        let (south, north) = (at.lat() - reach_lat, at.lat() + reach_lat);
        // Degrees of longitude are narrowest on the poleward edge of the band;
        // measuring there keeps every candidate column in the search.
        let widest = south.abs().max(north.abs()).min(90.0);
        let reach_lng = (radius / (M_PER_DEG * cos_at(widest))).min(180.0);

        let mut cells = vec![self.cell_of(at)];
        for row in self.row_at(south)..=self.row_at(north) {
            for col in
                self.col_at(row, at.lng() - reach_lng)..=self.col_at(row, at.lng() + reach_lng)
            {
                let cell = CellId { row, col };
                let (lng, lat) = self.centre(cell);
                if Haversine.distance(here, Point::new(lng, lat)) <= radius {
                    cells.push(cell);
                }
            }
        }
        cells.sort_unstable();
        cells.dedup();
        cells
    }

    /// Every cell the points cover: the set [`coverage`] takes.
    pub fn covered_by(
        &self,
        points: impl IntoIterator<Item = Coordinates>,
        radius_m: f64,
    ) -> HashSet<CellId> {
        points
            .into_iter()
            .flat_map(|at| self.cells_near(at, radius_m))
            .collect()
    }

    fn cell_at(&self, lng: f64, lat: f64) -> CellId {
        let row = self.row_at(lat);
        CellId {
            row,
            col: self.col_at(row, lng),
        }
    }

    fn row_at(&self, lat: f64) -> i32 {
        (lat / self.dlat()).floor() as i32
    }

    fn col_at(&self, row: i32, lng: f64) -> i32 {
        (lng / self.dlng(row)).floor() as i32
    }

    fn dlat(&self) -> f64 {
        sane_size(self.size_m) / M_PER_DEG
    }

    fn dlng(&self, row: i32) -> f64 {
        let centre = (f64::from(row) + 0.5) * self.dlat();
        sane_size(self.size_m) / (M_PER_DEG * cos_at(centre))
    }
}

/// The field is public, so a hand-built lattice is bounded here as well.
fn sane_size(size_m: f64) -> f64 {
    if size_m.is_finite() {
        size_m.clamp(1.0, 100_000.0)
    } else {
        CELL_SIZE_M
    }
}

fn cos_at(lat: f64) -> f64 {
    lat.to_radians().cos().abs().max(MIN_COS)
}

/// The share of a grid walked.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub cells: usize,
    pub covered: usize,
    /// Sorted, so a map can show where to walk next.
    pub uncovered: Vec<CellId>,
}

impl Coverage {
    /// `covered / cells`, in `[0, 1]`; 0 for a grid without cells.
    pub fn share(&self) -> f64 {
        if self.cells == 0 {
            return 0.0;
        }
        (self.covered as f64 / self.cells as f64).clamp(0.0, 1.0)
    }
}

/// Of the grid's cells, which the covered set (cells_near of every accepted
/// point, any patrol) touches. Cells outside the grid in `covered` are
/// ignored, so the set of a whole district can be passed for each grid.
pub fn coverage(grid_cells: &[CellId], covered: &HashSet<CellId>) -> Coverage {
    let mut cells = grid_cells.to_vec();
    cells.sort_unstable();
    cells.dedup();
    let uncovered: Vec<CellId> = cells
        .iter()
        .copied()
        .filter(|cell| !covered.contains(cell))
        .collect();
    Coverage {
        cells: cells.len(),
        covered: cells.len() - uncovered.len(),
        uncovered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn place(lat: f64, lng: f64) -> Coordinates {
        Coordinates::new(lat, lng).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Zhengzhou, near the city centre.
    const ZZ: (f64, f64) = (34.72, 113.6);

    /// Offsets in metres east and north of `origin`, as a place.
    fn offset(origin: (f64, f64), east_m: f64, north_m: f64) -> Coordinates {
        let (lat, lng) = origin;
        place(
            lat + north_m / M_PER_DEG,
            lng + east_m / (M_PER_DEG * lat.to_radians().cos()),
        )
    }

    /// A square `side_m` wide with its south-west corner `east_m`/`north_m`
    /// from `origin`.
    fn square(origin: (f64, f64), east_m: f64, north_m: f64, side_m: f64) -> MultiPolygon<f64> {
        let corners = [
            (east_m, north_m),
            (east_m + side_m, north_m),
            (east_m + side_m, north_m + side_m),
            (east_m, north_m + side_m),
            (east_m, north_m),
        ];
        let ring: LineString<f64> = corners
            .iter()
            .map(|&(e, n)| {
                let c = offset(origin, e, n);
                (c.lng(), c.lat())
            })
            .collect();
        MultiPolygon::new(vec![Polygon::new(ring, Vec::new())])
    }

    #[test]
    fn keys_round_trip_for_every_quadrant() {
        for cell in [
            CellId { row: 0, col: 0 },
            CellId {
                row: 12_867,
                col: -3,
            },
            CellId { row: -1, col: 1 },
            CellId {
                row: -98_765,
                col: -123_456,
            },
            CellId {
                row: i32::MAX,
                col: i32::MIN,
            },
            CellId {
                row: i32::MIN,
                col: i32::MAX,
            },
        ] {
            assert_eq!(CellId::from_key(cell.key()), cell);
        }
        // Rows sort the same as keys, so a key range scan is a row range.
        let low = CellId { row: 5, col: 900 };
        let high = CellId { row: 6, col: -900 };
        assert!(low.key() < high.key());
    }

    #[test]
    fn a_cells_centre_lies_in_that_cell() {
        let lattice = Lattice::new(CELL_SIZE_M);
        for (lat, lng) in [
            ZZ,
            (-33.87, 151.21),
            (51.5, -0.12),
            (-22.9, -43.2),
            (0.0, 0.0),
        ] {
            let cell = lattice.cell_of(place(lat, lng));
            let (c_lng, c_lat) = lattice.centre(cell);
            assert_eq!(lattice.cell_of(place(c_lat, c_lng)), cell, "at {lat},{lng}");
            let ring = lattice.ring(cell);
            assert_eq!(ring.len(), 5);
            assert_eq!(ring.first(), ring.last());
            let square = Polygon::new(LineString::from(ring), Vec::new());
            assert!(square.intersects(&Point::new(lng, lat)));
            assert!(square.intersects(&Point::new(c_lng, c_lat)));
        }
    }

    #[test]
    fn cells_are_about_the_configured_size() {
        let lattice = Lattice::new(CELL_SIZE_M);
        let cell = lattice.cell_of(place(ZZ.0, ZZ.1));
        let ring = lattice.ring(cell);
        let (sw, se, nw) = (ring[0], ring[1], ring[3]);
        let width = Haversine.distance(Point::from(sw), Point::from(se));
        let height = Haversine.distance(Point::from(sw), Point::from(nw));
        assert!((width - 30.0).abs() < 0.5, "{width}");
        assert!((height - 30.0).abs() < 0.5, "{height}");
    }

    #[test]
    fn a_300_m_square_has_about_100_cells_and_the_same_ones_every_time() {
        let lattice = Lattice::new(CELL_SIZE_M);
        let grid = square(ZZ, 0.0, 0.0, 300.0);
        let cells = lattice.cells_in(&grid);
        assert!((85..=115).contains(&cells.len()), "{}", cells.len());
        assert!(cells.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
        assert_eq!(lattice.cells_in(&grid.clone()), cells);
    }

    #[test]
    fn a_redrawn_boundary_keeps_the_cells_it_still_contains() {
        let lattice = Lattice::new(CELL_SIZE_M);
        let before: HashSet<CellId> = lattice
            .cells_in(&square(ZZ, 0.0, 0.0, 300.0))
            .into_iter()
            .collect();
        let shrunk = lattice.cells_in(&square(ZZ, 50.0, 50.0, 200.0));
        assert!(!shrunk.is_empty());
        assert!(shrunk.iter().all(|cell| before.contains(cell)));
    }

    #[test]
    fn a_tiny_grid_gets_one_cell() {
        let lattice = Lattice::new(CELL_SIZE_M);
        for east in [0.0, 7.0, 13.0, 21.0] {
            let tiny = square(ZZ, east, east, 4.0);
            let cells = lattice.cells_in(&tiny);
            assert_eq!(cells.len(), 1, "{cells:?}");
        }
        assert!(lattice.cells_in(&MultiPolygon::new(Vec::new())).is_empty());
    }

    #[test]
    fn one_point_covers_one_to_four_cells() {
        let lattice = Lattice::new(30.0);
        // Everywhere across a cell and a little beyond, every metre and a half.
        for i in 0..=30 {
            for j in 0..=30 {
                let at = offset(ZZ, f64::from(i) * 1.5, f64::from(j) * 1.5);
                let near = lattice.cells_near(at, 20.0);
                assert!((1..=4).contains(&near.len()), "{at:?}: {near:?}");
                assert!(near.contains(&lattice.cell_of(at)));
            }
        }
        let cell = lattice.cell_of(place(ZZ.0, ZZ.1));
        let (lng, lat) = lattice.centre(cell);
        assert_eq!(lattice.cells_near(place(lat, lng), 20.0), vec![cell]);
        // A wider radius reaches the neighbours.
        assert!(lattice.cells_near(place(lat, lng), 31.0).len() >= 5);
    }

    #[test]
    fn walking_one_edge_covers_little_and_a_sweep_covers_all() {
        let lattice = Lattice::new(CELL_SIZE_M);
        let cells = lattice.cells_in(&square(ZZ, 0.0, 0.0, 300.0));

        let edge = (0..=60).map(|i| offset(ZZ, f64::from(i) * 5.0, 0.0));
        let walked = coverage(&cells, &lattice.covered_by(edge, COVER_RADIUS_M));
        assert_eq!(walked.covered + walked.uncovered.len(), walked.cells);
        assert!(walked.share() > 0.0 && walked.share() < 0.3, "{walked:?}");

        // Up and down lanes 25 m apart, a point every 5 m.
        let sweep = (0..=12).flat_map(|lane| {
            (0..=60).map(move |i| offset(ZZ, f64::from(lane) * 25.0, f64::from(i) * 5.0))
        });
        let swept = coverage(&cells, &lattice.covered_by(sweep, COVER_RADIUS_M));
        assert!(swept.share() >= 0.95, "{swept:?}");
        assert!(swept.share() <= 1.0);
    }

    #[test]
    fn cells_outside_the_grid_do_not_count() {
        let grid = [CellId { row: 1, col: 1 }, CellId { row: 1, col: 2 }];
        let covered: HashSet<CellId> = [CellId { row: 1, col: 2 }, CellId { row: 9, col: 9 }]
            .into_iter()
            .collect();
        let c = coverage(&grid, &covered);
        assert_eq!(
            c,
            Coverage {
                cells: 2,
                covered: 1,
                uncovered: vec![CellId { row: 1, col: 1 }],
            }
        );
        assert!((c.share() - 0.5).abs() < 1e-12);
        assert_eq!(coverage(&[], &covered).share(), 0.0);
    }

    #[test]
    fn an_absurd_size_does_not_blow_up() {
        for size in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            let lattice = Lattice::new(size);
            assert!(lattice.size_m >= 1.0);
            assert!(!lattice.cells_in(&square(ZZ, 0.0, 0.0, 50.0)).is_empty());
        }
        let at_pole = place(90.0, 180.0);
        assert!(!Lattice::default().cells_near(at_pole, 50.0).is_empty());
    }
}
