use std::collections::HashMap;

use super::{Area, AreaCode};
use crate::geo::{Coordinates, GridIndex};

/// An in-memory snapshot of the whole area tree with its grid index: what
/// `locate` and the import validator consult. Built once per change of the
/// areas and shared read-only.
#[derive(Debug)]
pub struct AreaMap {
    areas: HashMap<AreaCode, Area>,
    children: HashMap<AreaCode, Vec<AreaCode>>,
    grids: GridIndex<AreaCode>,
}

impl AreaMap {
    pub fn new(areas: impl IntoIterator<Item = Area>) -> Self {
        let areas: HashMap<AreaCode, Area> =
            areas.into_iter().map(|a| (a.code.clone(), a)).collect();
        let mut children: HashMap<AreaCode, Vec<AreaCode>> = HashMap::new();
        for area in areas.values() {
            if let Some(parent) = &area.parent_code {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(area.code.clone());
            }
        }
        for list in children.values_mut() {
            list.sort();
        }
        let grids = GridIndex::build(areas.values().filter(|a| a.level.is_grid()).filter_map(
            |a| {
                a.boundary
                    .clone()
                    .map(|b| (a.code.clone(), a.level.depth(), b))
            },
        ));
        AreaMap {
            areas,
            children,
            grids,
        }
    }

    pub fn empty() -> Self {
        AreaMap::new([])
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    pub fn grid_count(&self) -> usize {
        self.grids.len()
    }

    pub fn get(&self, code: &AreaCode) -> Option<&Area> {
        self.areas.get(code)
    }

    /// The district whose daily counter numbers a report in `grid`: its
    /// district-level ancestor, else the first six digits of its code (the
    /// county-level part of a national code).
    pub fn district_of(&self, grid: &AreaCode) -> String {
        self.ancestors(grid)
            .into_iter()
            .find(|a| a.level == super::AreaLevel::District)
            .map_or_else(|| grid.as_str()[..6].to_owned(), |a| a.code.to_string())
    }

    pub fn children(&self, code: &AreaCode) -> impl Iterator<Item = &Area> {
        self.children
            .get(code)
            .into_iter()
            .flatten()
            .filter_map(|c| self.areas.get(c))
    }

    /// The parent, grandparent, … up to the root, nearest first.
    pub fn ancestors(&self, code: &AreaCode) -> Vec<&Area> {
        let mut out = Vec::new();
        let mut next = self.areas.get(code).and_then(|a| a.parent_code.as_ref());
        while let Some(parent) = next.and_then(|c| self.areas.get(c)) {
            // A cycle cannot be stored (parents are validated on import), but a
            // bound keeps a corrupted database from hanging a request.
            if out.len() > 8 {
                break;
            }
            out.push(parent);
            next = parent.parent_code.as_ref();
        }
        out
    }

    /// The grids (and micro-grids) of an area, itself included when it is one,
    /// sorted. Walks the area's subtree, not the whole map: lists ask this on
    /// every request.
    pub fn grids_under(&self, code: &AreaCode) -> Vec<&AreaCode> {
        let mut grids = Vec::new();
        let mut pending: Vec<&AreaCode> =
            self.areas.get(code).map(|a| &a.code).into_iter().collect();
        // Import refuses cycles; the bound keeps a corrupted tree from looping.
        let mut visited = 0;
        while let Some(next) = pending.pop() {
            visited += 1;
            if visited > self.areas.len() {
                break;
            }
            if self.areas.get(next).is_some_and(|a| a.level.is_grid()) {
                grids.push(next);
            }
            pending.extend(self.children.get(next).into_iter().flatten());
        }
        grids.sort();
        grids
    }

    /// The grids a WGS-84 box `(min_lng, min_lat, max_lng, max_lat)` shares a point with.
    pub fn grids_touching(&self, bbox: (f64, f64, f64, f64)) -> Vec<&AreaCode> {
        self.grids.touching(bbox)
    }

    /// The grid (or micro-grid) a WGS-84 point falls in.
    pub fn locate(&self, point: Coordinates) -> Option<&Area> {
        self.grids
            .locate(point.lng(), point.lat())
            .and_then(|code| self.areas.get(code))
    }
}
