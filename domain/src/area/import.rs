//! Checking a batch of areas before any of it is stored.
//!
//! An import is all or nothing: every problem in the batch is reported, each
//! with the feature it came from, so that whoever prepared the file can fix it
//! in one pass, and nothing is written while any remains.

use std::collections::{HashMap, HashSet};

use geo::{Area as _, BooleanOps, BoundingRect, Intersects, MultiPolygon, Validation};

use super::{Area, AreaCode, AreaLevel, AreaMap};

/// At most this share of a child's surface may lie outside its parent: real
/// boundaries are digitised by different people at different scales.
pub const CONTAINMENT_TOLERANCE: f64 = 0.01;
/// At most this share of the smaller of two sibling grids may overlap the other.
pub const OVERLAP_TOLERANCE: f64 = 0.001;

/// An area as read from an import file, before any rule was applied.
#[derive(Debug, Clone)]
pub struct AreaDraft {
    /// Position of the feature in the file, from 0, to point at it in reports.
    pub feature: usize,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub boundary: Option<MultiPolygon<f64>>,
    pub synthetic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub feature: usize,
    pub code: Option<String>,
    /// The property at fault (`code`, `level`, `parent_code`, `geometry`, …).
    pub field: &'static str,
    pub message: String,
}

impl ImportProblem {
    pub fn new(
        feature: usize,
        code: Option<&str>,
        field: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ImportProblem {
            feature,
            code: code.map(str::to_owned),
            field,
            message: message.into(),
        }
    }
}

/// Checks `drafts` against each other and against the areas already stored
/// (`existing`) and returns the areas to upsert, parents before children.
pub fn plan_import(
    drafts: Vec<AreaDraft>,
    existing: &AreaMap,
) -> Result<Vec<Area>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut parsed: Vec<(usize, Area)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();

    for draft in drafts {
        if let Some(area) = parse_draft(&draft, existing, &mut problems) {
            if let Some(first) = seen.insert(draft.code.clone(), draft.feature) {
                problems.push(ImportProblem::new(
                    draft.feature,
                    Some(&draft.code),
                    "code",
                    format!("code {} appears twice (also feature {first})", draft.code),
                ));
                continue;
            }
            parsed.push((draft.feature, area));
        }
    }

    let batch: HashMap<&AreaCode, (usize, &Area)> =
        parsed.iter().map(|(f, a)| (&a.code, (*f, a))).collect();
    let lookup = |code: &AreaCode| -> Option<&Area> {
        batch
            .get(code)
            .map(|(_, a)| *a)
            .or_else(|| existing.get(code))
    };

    for (feature, area) in &parsed {
        check_parent(*feature, area, &lookup, &mut problems);
    }
    check_existing_children(&parsed, &batch, existing, &mut problems);
    check_sibling_overlaps(&parsed, &batch, existing, &mut problems);

    if problems.is_empty() {
        let mut areas: Vec<Area> = parsed.into_iter().map(|(_, a)| a).collect();
        areas.sort_by(|a, b| a.level.cmp(&b.level).then_with(|| a.code.cmp(&b.code)));
        Ok(areas)
    } else {
        problems.sort_by_key(|p| p.feature);
        Err(problems)
    }
}

fn parse_draft(
    draft: &AreaDraft,
    existing: &AreaMap,
    problems: &mut Vec<ImportProblem>,
) -> Option<Area> {
    let start = problems.len();
    let feature = draft.feature;
    let raw_code = Some(draft.code.as_str());
    let problem = |field, message: String| ImportProblem::new(feature, raw_code, field, message);

    let code = AreaCode::parse(&draft.code)
        .map_err(|e| problems.push(problem("code", format!("code `{}`: {e}", draft.code))))
        .ok();
    let level = draft
        .level
        .parse::<AreaLevel>()
        .map_err(|e| problems.push(problem("level", e.to_string())))
        .ok();
    let parent_code = match &draft.parent_code {
        None => None,
        Some(raw) => AreaCode::parse(raw)
            .map_err(|e| problems.push(problem("parent_code", format!("parent_code `{raw}`: {e}"))))
            .ok(),
    };
    if draft.name.trim().is_empty() {
        problems.push(problem("name", "name must not be empty".into()));
    }
    if let (Some(code), Some(level)) = (&code, level) {
        if !code.fits_level(level) {
            problems.push(problem(
                "code",
                format!(
                    "a {level} code has {} digits, `{code}` has {}",
                    level.code_len(),
                    code.as_str().len()
                ),
            ));
        }
        if let Some(stored) = existing.get(code).filter(|a| a.level != level) {
            problems.push(problem(
                "level",
                format!(
                    "{code} is stored as a {}; an area cannot change level",
                    stored.level
                ),
            ));
        }
        if level.is_grid() && draft.boundary.is_none() {
            problems.push(problem("geometry", format!("a {level} needs a polygon")));
        }
    }
    if let Some(boundary) = &draft.boundary {
        for error in boundary.validation_errors() {
            problems.push(problem("geometry", format!("invalid polygon: {error}")));
        }
    }
    if problems.len() > start {
        return None;
    }
    Some(Area {
        code: code?,
        name: draft.name.trim().to_owned(),
        name_en: draft.name_en.trim().to_owned(),
        level: level?,
        parent_code,
        boundary: draft.boundary.clone(),
        synthetic: draft.synthetic,
    })
}

fn check_parent<'a>(
    feature: usize,
    area: &Area,
    lookup: &impl Fn(&AreaCode) -> Option<&'a Area>,
    problems: &mut Vec<ImportProblem>,
) {
    let code = Some(area.code.as_str());
    let expected = area.level.parent();
    let parent = match (&area.parent_code, expected) {
        (None, None) => return,
        (Some(_), None) => {
            problems.push(ImportProblem::new(
                feature,
                code,
                "parent_code",
                "a city is the root and has no parent",
            ));
            return;
        }
        (None, Some(level)) => {
            problems.push(ImportProblem::new(
                feature,
                code,
                "parent_code",
                format!("a {} needs a parent {level}", area.level),
            ));
            return;
        }
        (Some(parent_code), Some(_)) => match lookup(parent_code) {
            Some(parent) => parent,
            None => {
                problems.push(ImportProblem::new(
                    feature,
                    code,
                    "parent_code",
                    format!("parent {parent_code} is neither in the file nor stored"),
                ));
                return;
            }
        },
    };
    if Some(parent.level) != expected {
        problems.push(ImportProblem::new(
            feature,
            code,
            "parent_code",
            format!(
                "a {} must hang under a {}, {} is a {}",
                area.level,
                expected.map_or("", |l| l.as_str()),
                parent.code,
                parent.level
            ),
        ));
        return;
    }
    if !area.code.extends(&parent.code, parent.level) {
        problems.push(ImportProblem::new(
            feature,
            code,
            "code",
            format!(
                "code {} does not extend its parent's code {}",
                area.code, parent.code
            ),
        ));
    }
    if let (Some(child), Some(outer)) = (&area.boundary, &parent.boundary)
        && let Some(share) = share_outside(child, outer)
    {
        problems.push(ImportProblem::new(
            feature,
            code,
            "geometry",
            format!(
                "{:.1}% of {} lies outside its parent {}",
                share * 100.0,
                area.code,
                parent.code
            ),
        ));
    }
}

/// A re-imported parent must still hold the children already stored under it.
fn check_existing_children(
    parsed: &[(usize, Area)],
    batch: &HashMap<&AreaCode, (usize, &Area)>,
    existing: &AreaMap,
    problems: &mut Vec<ImportProblem>,
) {
    for (feature, parent) in parsed {
        let Some(outer) = &parent.boundary else {
            continue;
        };
        for child in existing
            .children(&parent.code)
            .filter(|c| !batch.contains_key(&c.code))
        {
            let Some(inner) = &child.boundary else {
                continue;
            };
            if let Some(share) = share_outside(inner, outer) {
                problems.push(ImportProblem::new(
                    *feature,
                    Some(parent.code.as_str()),
                    "geometry",
                    format!(
                        "stored child {} would lie {:.1}% outside the new boundary",
                        child.code,
                        share * 100.0
                    ),
                ));
            }
        }
    }
}

/// Grids of one community (and micro-grids of one grid) must not overlap:
/// otherwise a point would belong to two and its incident to two workers.
fn check_sibling_overlaps(
    parsed: &[(usize, Area)],
    batch: &HashMap<&AreaCode, (usize, &Area)>,
    existing: &AreaMap,
    problems: &mut Vec<ImportProblem>,
) {
    let mut parents: Vec<&AreaCode> = parsed
        .iter()
        .filter(|(_, a)| a.level.is_grid())
        .filter_map(|(_, a)| a.parent_code.as_ref())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    parents.sort();
    for parent in parents {
        // (feature if from the file, area) of every sibling after the import
        let mut siblings: Vec<(Option<usize>, &Area)> = parsed
            .iter()
            .filter(|(_, a)| a.parent_code.as_ref() == Some(parent))
            .map(|(f, a)| (Some(*f), a))
            .collect();
        siblings.extend(
            existing
                .children(parent)
                .filter(|c| !batch.contains_key(&c.code))
                .map(|c| (None, c)),
        );
        for (i, (feature_a, a)) in siblings.iter().enumerate() {
            for (feature_b, b) in &siblings[i + 1..] {
                let feature = match (feature_a, feature_b) {
                    (Some(f), _) | (None, Some(f)) => *f,
                    (None, None) => continue,
                };
                let (Some(pa), Some(pb)) = (&a.boundary, &b.boundary) else {
                    continue;
                };
                if let Some(share) = share_overlapping(pa, pb) {
                    problems.push(ImportProblem::new(
                        feature,
                        Some(a.code.as_str()),
                        "geometry",
                        format!(
                            "{} and {} overlap ({:.2}% of the smaller)",
                            a.code,
                            b.code,
                            share * 100.0
                        ),
                    ));
                }
            }
        }
    }
}

/// The share of `inner` outside `outer`, when above the tolerance.
fn share_outside(inner: &MultiPolygon<f64>, outer: &MultiPolygon<f64>) -> Option<f64> {
    let total = inner.unsigned_area();
    if total == 0.0 {
        return None;
    }
    let share = inner.difference(outer).unsigned_area() / total;
    (share > CONTAINMENT_TOLERANCE).then_some(share)
}

/// The overlap of `a` and `b` as a share of the smaller, when above the tolerance.
fn share_overlapping(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Option<f64> {
    let (Some(ra), Some(rb)) = (a.bounding_rect(), b.bounding_rect()) else {
        return None;
    };
    if !ra.intersects(&rb) {
        return None;
    }
    let smaller = a.unsigned_area().min(b.unsigned_area());
    if smaller == 0.0 {
        return None;
    }
    let share = a.intersection(b).unsigned_area() / smaller;
    (share > OVERLAP_TOLERANCE).then_some(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Rect, coord};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<MultiPolygon<f64>> {
        Some(MultiPolygon::new(vec![
            Rect::new(coord! { x: x0, y: y0 }, coord! { x: x1, y: y1 }).to_polygon(),
        ]))
    }

    fn draft(
        feature: usize,
        code: &str,
        level: &str,
        parent: Option<&str>,
        boundary: Option<MultiPolygon<f64>>,
    ) -> AreaDraft {
        AreaDraft {
            feature,
            code: code.into(),
            name: format!("area {code}"),
            name_en: String::new(),
            level: level.into(),
            parent_code: parent.map(Into::into),
            boundary,
            synthetic: true,
        }
    }

    fn valid_tree() -> Vec<AreaDraft> {
        vec![
            draft(0, "410100", "city", None, rect(0.0, 0.0, 10.0, 10.0)),
            draft(
                1,
                "410102",
                "district",
                Some("410100"),
                rect(0.0, 0.0, 5.0, 5.0),
            ),
            draft(
                2,
                "410102001",
                "subdistrict",
                Some("410102"),
                rect(0.0, 0.0, 4.0, 4.0),
            ),
            draft(
                3,
                "410102001001",
                "community",
                Some("410102001"),
                rect(0.0, 0.0, 2.0, 2.0),
            ),
            draft(
                4,
                "410102001001001",
                "grid",
                Some("410102001001"),
                rect(0.0, 0.0, 1.0, 2.0),
            ),
            draft(
                5,
                "410102001001002",
                "grid",
                Some("410102001001"),
                rect(1.0, 0.0, 2.0, 2.0),
            ),
        ]
    }

    fn problems(drafts: Vec<AreaDraft>, existing: &AreaMap) -> Vec<(usize, &'static str)> {
        match plan_import(drafts, existing) {
            Ok(_) => vec![],
            Err(list) => list.into_iter().map(|p| (p.feature, p.field)).collect(),
        }
    }

    #[test]
    fn a_valid_tree_is_planned_parents_first() {
        let mut drafts = valid_tree();
        drafts.reverse();
        let planned = plan_import(drafts, &AreaMap::empty()).map_err(|p| format!("{p:?}"));
        let levels: Vec<AreaLevel> = planned.iter().flatten().map(|a| a.level).collect();
        assert_eq!(levels.len(), 6);
        assert!(levels.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn every_problem_is_reported_with_its_feature() {
        let mut drafts = valid_tree();
        drafts[1].level = "county".into();
        drafts[3].code = "41010200100".into();
        drafts[5].boundary = rect(0.5, 0.0, 1.5, 2.0);
        let found = problems(drafts, &AreaMap::empty());
        assert!(found.contains(&(1, "level")), "{found:?}");
        assert!(found.contains(&(3, "code")), "{found:?}");
        assert!(
            found
                .iter()
                .any(|p| p.1 == "geometry" && (p.0 == 4 || p.0 == 5)),
            "{found:?}"
        );
    }

    #[test]
    fn a_child_outside_its_parent_is_refused() {
        let mut drafts = valid_tree();
        drafts[4].boundary = rect(-1.0, 0.0, 1.0, 2.0);
        assert!(problems(drafts, &AreaMap::empty()).contains(&(4, "geometry")));
    }

    #[test]
    fn a_child_slightly_outside_within_tolerance_is_accepted() {
        let mut drafts = valid_tree();
        drafts[4].boundary = rect(-0.005, 0.0, 1.0, 2.0);
        assert_eq!(problems(drafts, &AreaMap::empty()), vec![]);
    }

    #[test]
    fn a_missing_parent_and_a_wrong_parent_level_are_refused() {
        let mut drafts = valid_tree();
        drafts[4].parent_code = Some("410102001009".into());
        drafts[5].parent_code = Some("410102001".into());
        let found = problems(drafts, &AreaMap::empty());
        assert!(found.contains(&(4, "parent_code")), "{found:?}");
        assert!(found.contains(&(5, "parent_code")), "{found:?}");
    }

    #[test]
    fn a_duplicate_code_and_a_grid_without_polygon_are_refused() {
        let mut drafts = valid_tree();
        drafts.push(draft(
            6,
            "410102001001001",
            "grid",
            Some("410102001001"),
            rect(0.0, 0.0, 1.0, 1.0),
        ));
        drafts.push(draft(
            7,
            "410102001001003",
            "grid",
            Some("410102001001"),
            None,
        ));
        let found = problems(drafts, &AreaMap::empty());
        assert!(found.contains(&(6, "code")), "{found:?}");
        assert!(found.contains(&(7, "geometry")), "{found:?}");
    }

    #[test]
    fn a_self_intersecting_polygon_is_refused() {
        let mut drafts = valid_tree();
        drafts[5].boundary = Some(MultiPolygon::new(vec![geo::Polygon::new(
            vec![(1.0, 0.0), (2.0, 2.0), (2.0, 0.0), (1.0, 2.0)].into(),
            vec![],
        )]));
        assert!(problems(drafts, &AreaMap::empty()).contains(&(5, "geometry")));
    }

    #[test]
    fn new_grids_are_checked_against_stored_siblings() {
        let stored = plan_import(valid_tree(), &AreaMap::empty()).unwrap_or_default();
        let existing = AreaMap::new(stored);
        let overlapping = vec![draft(
            0,
            "410102001001003",
            "grid",
            Some("410102001001"),
            rect(0.2, 0.2, 0.8, 0.8),
        )];
        assert_eq!(problems(overlapping, &existing), vec![(0, "geometry")]);
        let shrunk_parent = vec![draft(
            0,
            "410102001001",
            "community",
            Some("410102001"),
            rect(0.0, 0.0, 1.0, 2.0),
        )];
        assert_eq!(problems(shrunk_parent, &existing), vec![(0, "geometry")]);
    }
}
