//! Point → grid lookup on an R-tree of grid boundaries.
//!
//! The tree holds only bounding boxes; the exact point-in-polygon test runs on
//! the few candidates whose box contains the point, so a lookup stays in the
//! microseconds even with a province's worth of grids.

use geo::{BoundingRect, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// One indexed boundary: a key chosen by the caller and its depth in the area
/// tree; when boundaries nest (a micro-grid inside a grid) the deepest wins.
#[derive(Debug)]
struct Indexed<K> {
    key: K,
    depth: u8,
    boundary: MultiPolygon<f64>,
}

#[derive(Debug)]
pub struct GridIndex<K> {
    tree: RTree<Entry>,
    items: Vec<Indexed<K>>,
}

impl<K: Ord> GridIndex<K> {
    /// Builds the index in one bulk load (much faster and better balanced than
    /// inserting one by one). Boundaries without a bounding box (empty) are skipped.
    pub fn build(boundaries: impl IntoIterator<Item = (K, u8, MultiPolygon<f64>)>) -> Self {
        let mut items = Vec::new();
        let mut entries = Vec::new();
        for (key, depth, boundary) in boundaries {
            let Some(rect) = boundary.bounding_rect() else {
                continue;
            };
            let envelope =
                Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
            entries.push(GeomWithData::new(envelope, items.len()));
            items.push(Indexed {
                key,
                depth,
                boundary,
            });
        }
        GridIndex {
            tree: RTree::bulk_load(entries),
            items,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The key of the deepest boundary containing `(lng, lat)`. A point on the
    /// edge two grids share belongs to both; the smaller key wins so that the
    /// answer is the same on every node and every run.
    pub fn locate(&self, lng: f64, lat: f64) -> Option<&K> {
        let point = Point::new(lng, lat);
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point([lng, lat]))
            .map(|entry| &self.items[entry.data])
            .filter(|item| item.boundary.intersects(&point))
            .max_by(|a, b| a.depth.cmp(&b.depth).then_with(|| b.key.cmp(&a.key)))
            .map(|item| &item.key)
    }

    /// The keys of the boundaries that share a point with the box
    /// `(min_lng, min_lat, max_lng, max_lat)`: what a map view can show.
    pub fn touching(&self, (min_lng, min_lat, max_lng, max_lat): (f64, f64, f64, f64)) -> Vec<&K> {
        let rect = geo::Rect::new(
            geo::coord! { x: min_lng, y: min_lat },
            geo::coord! { x: max_lng, y: max_lat },
        );
        let mut keys: Vec<&K> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners(
                [min_lng, min_lat],
                [max_lng, max_lat],
            ))
            .map(|entry| &self.items[entry.data])
            .filter(|item| item.boundary.intersects(&rect))
            .map(|item| &item.key)
            .collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Rect, coord};

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![
            Rect::new(coord! { x: x, y: y }, coord! { x: x + size, y: y + size }).to_polygon(),
        ])
    }

    #[test]
    fn finds_the_grid_containing_the_point() {
        let index =
            GridIndex::build([(1, 4, square(0.0, 0.0, 1.0)), (2, 4, square(1.0, 0.0, 1.0))]);
        assert_eq!(index.locate(0.5, 0.5), Some(&1));
        assert_eq!(index.locate(1.5, 0.5), Some(&2));
        assert_eq!(index.locate(2.5, 0.5), None);
    }

    #[test]
    fn a_shared_edge_goes_to_the_smaller_key() {
        let index =
            GridIndex::build([(2, 4, square(1.0, 0.0, 1.0)), (1, 4, square(0.0, 0.0, 1.0))]);
        assert_eq!(index.locate(1.0, 0.5), Some(&1));
    }

    #[test]
    fn the_deepest_boundary_wins() {
        let index =
            GridIndex::build([(1, 4, square(0.0, 0.0, 4.0)), (9, 5, square(1.0, 1.0, 1.0))]);
        assert_eq!(index.locate(1.5, 1.5), Some(&9));
        assert_eq!(index.locate(3.5, 3.5), Some(&1));
    }

    #[test]
    fn a_point_in_the_bounding_box_but_outside_the_polygon_is_not_located() {
        let triangle = MultiPolygon::new(vec![geo::Polygon::new(
            vec![(0.0, 0.0), (2.0, 0.0), (0.0, 2.0)].into(),
            vec![],
        )]);
        let index = GridIndex::build([(1, 4, triangle)]);
        assert_eq!(index.locate(0.5, 0.5), Some(&1));
        assert_eq!(index.locate(1.8, 1.8), None);
    }

    #[test]
    fn a_box_touches_the_grids_it_overlaps_and_not_those_whose_corner_is_cut_away() {
        let triangle = MultiPolygon::new(vec![geo::Polygon::new(
            vec![(4.0, 0.0), (6.0, 0.0), (4.0, 2.0)].into(),
            vec![],
        )]);
        let index = GridIndex::build([
            (1, 4, square(0.0, 0.0, 1.0)),
            (2, 4, square(1.0, 0.0, 1.0)),
            (3, 4, square(2.0, 0.0, 1.0)),
            (4, 4, triangle),
        ]);
        assert_eq!(index.touching((0.5, 0.2, 1.5, 0.8)), vec![&1, &2]);
        // Inside the triangle's bounding box, beyond its hypotenuse.
        assert_eq!(index.touching((5.5, 1.5, 5.9, 1.9)), Vec::<&i32>::new());
        assert_eq!(index.touching((9.0, 9.0, 9.5, 9.5)), Vec::<&i32>::new());
    }
}
