//! Reading areas from a GeoJSON FeatureCollection, and writing boundaries back.
//!
//! This is the file format's side of an import: properties present and of the
//! right type, geometries that are (Multi)Polygons with closed rings of valid
//! positions. What the areas mean is checked by
//! [`gridops_domain::area::import::plan_import`].

use geo::MultiPolygon;
use geojson::{Feature, GeoJson, Geometry, JsonObject, JsonValue, Value};
use gridops_domain::area::import::{AreaDraft, ImportProblem};

/// A file that is not a FeatureCollection at all.
#[derive(Debug, thiserror::Error)]
pub enum AreaFileError {
    #[error("not valid GeoJSON: {0}")]
    Syntax(String),
    #[error("expected a GeoJSON FeatureCollection, found a {0}")]
    NotFeatureCollection(&'static str),
}

/// The drafts that could be read, and the problems of the features that could not.
pub fn read_features(text: &str) -> Result<(Vec<AreaDraft>, Vec<ImportProblem>), AreaFileError> {
    let geojson: GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| AreaFileError::Syntax(e.to_string()))?;
    let collection = match geojson {
        GeoJson::FeatureCollection(c) => c,
        GeoJson::Feature(_) => return Err(AreaFileError::NotFeatureCollection("Feature")),
        GeoJson::Geometry(_) => return Err(AreaFileError::NotFeatureCollection("Geometry")),
    };
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    for (index, feature) in collection.features.iter().enumerate() {
        match read_feature(index, feature) {
            Ok(draft) => drafts.push(draft),
            Err(mut found) => problems.append(&mut found),
        }
    }
    Ok((drafts, problems))
}

fn read_feature(index: usize, feature: &Feature) -> Result<AreaDraft, Vec<ImportProblem>> {
    let empty = JsonObject::new();
    let props = feature.properties.as_ref().unwrap_or(&empty);
    let code = props.get("code").and_then(JsonValue::as_str);
    let mut problems = Vec::new();
    let mut problem =
        |field, message: String| problems.push(ImportProblem::new(index, code, field, message));

    let mut text = |key: &'static str, required: bool| -> Option<String> {
        match props.get(key) {
            Some(JsonValue::String(s)) => Some(s.clone()),
            None | Some(JsonValue::Null) if !required => None,
            None | Some(JsonValue::Null) => {
                problem(key, format!("property `{key}` is missing"));
                None
            }
            Some(_) => {
                problem(key, format!("property `{key}` must be a string"));
                None
            }
        }
    };
    let code_text = text("code", true);
    let name = text("name", true);
    let name_en = text("name_en", false);
    let level = text("level", true);
    let parent_code = text("parent_code", false);
    let synthetic = match props.get("synthetic") {
        None | Some(JsonValue::Null) => false,
        Some(JsonValue::Bool(b)) => *b,
        Some(_) => {
            problem(
                "synthetic",
                "property `synthetic` must be true or false".into(),
            );
            false
        }
    };
    let boundary = match &feature.geometry {
        None => None,
        Some(geometry) => match read_boundary(geometry) {
            Ok(b) => Some(b),
            Err(message) => {
                problem("geometry", message);
                None
            }
        },
    };
    match (code_text, name, level) {
        (Some(code), Some(name), Some(level)) if problems.is_empty() => Ok(AreaDraft {
            feature: index,
            code,
            name,
            name_en: name_en.unwrap_or_default(),
            level,
            parent_code,
            boundary,
            synthetic,
        }),
        _ => Err(problems),
    }
}

fn read_boundary(geometry: &Geometry) -> Result<MultiPolygon<f64>, String> {
    let polygons: Vec<&Vec<Vec<Vec<f64>>>> = match &geometry.value {
        Value::Polygon(rings) => vec![rings],
        Value::MultiPolygon(list) => list.iter().collect(),
        other => {
            return Err(format!(
                "geometry must be a Polygon or MultiPolygon, not a {}",
                other.type_name()
            ));
        }
    };
    for (p, rings) in polygons.iter().enumerate() {
        if rings.is_empty() {
            return Err(format!("polygon {p} has no rings"));
        }
        for (r, ring) in rings.iter().enumerate() {
            check_ring(ring).map_err(|e| format!("polygon {p}, ring {r}: {e}"))?;
        }
    }
    let converted = match &geometry.value {
        Value::Polygon(_) => geo::Polygon::<f64>::try_from(geometry.value.clone())
            .map(|p| MultiPolygon::new(vec![p])),
        _ => MultiPolygon::<f64>::try_from(geometry.value.clone()),
    };
    converted.map_err(|e| e.to_string())
}

/// RFC 7946 §3.1.6: a linear ring has four or more positions and the first
/// and last are identical. geo would close an open ring silently; a file
/// with open rings was cut or mis-exported and should be looked at.
fn check_ring(ring: &[Vec<f64>]) -> Result<(), String> {
    if ring.len() < 4 {
        return Err(format!(
            "a ring needs at least 4 positions, has {}",
            ring.len()
        ));
    }
    for (i, position) in ring.iter().enumerate() {
        let [lng, lat, ..] = position.as_slice() else {
            return Err(format!("position {i} needs longitude and latitude"));
        };
        if !lng.is_finite() || !(-180.0..=180.0).contains(lng) {
            return Err(format!(
                "position {i}: longitude {lng} is outside -180..180"
            ));
        }
        if !lat.is_finite() || !(-90.0..=90.0).contains(lat) {
            return Err(format!("position {i}: latitude {lat} is outside -90..90"));
        }
    }
    if ring.first() != ring.last() {
        return Err("the ring is not closed (first and last positions differ)".into());
    }
    Ok(())
}

/// A boundary as GeoJSON geometry text, for storage: a Polygon when there is
/// one part, else a MultiPolygon.
pub fn boundary_to_geojson(boundary: &MultiPolygon<f64>) -> String {
    geometry_value(boundary).to_string()
}

pub fn geometry_value(boundary: &MultiPolygon<f64>) -> Geometry {
    match boundary.0.as_slice() {
        [single] => Geometry::new(Value::from(single)),
        _ => Geometry::new(Value::from(boundary)),
    }
}

/// A stored boundary back into geometry.
pub fn boundary_from_geojson(text: &str) -> Result<MultiPolygon<f64>, String> {
    let geometry: Geometry = text
        .parse::<GeoJson>()
        .map_err(|e| e.to_string())
        .and_then(|g| match g {
            GeoJson::Geometry(g) => Ok(g),
            _ => Err("stored boundary is not a geometry".to_owned()),
        })?;
    read_boundary(&geometry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    const GRID: &str = r#"{"type":"Feature","properties":{"code":"410102001001001","name":"第1网格","level":"grid","parent_code":"410102001001"},
        "geometry":{"type":"Polygon","coordinates":[[[113.6,34.7],[113.61,34.7],[113.61,34.71],[113.6,34.71],[113.6,34.7]]]}}"#;

    #[test]
    fn a_well_formed_feature_becomes_a_draft() {
        let (drafts, problems) = read_features(&collection(GRID))
            .map_err(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(problems, vec![]);
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].code, "410102001001001");
        assert_eq!(drafts[0].parent_code.as_deref(), Some("410102001001"));
        assert!(drafts[0].boundary.is_some());
    }

    #[test]
    fn an_open_ring_and_a_missing_name_are_reported_per_feature() {
        let open = GRID.replace("[113.6,34.71],[113.6,34.7]]", "[113.6,34.71]]");
        let nameless = GRID.replace(r#""name":"第1网格","#, "");
        let text = collection(&format!("{GRID},{open},{nameless}"));
        let (drafts, problems) = read_features(&text)
            .map_err(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(drafts.len(), 1);
        let found: Vec<(usize, &str)> = problems.iter().map(|p| (p.feature, p.field)).collect();
        assert_eq!(found, vec![(1, "geometry"), (2, "name")]);
        assert!(
            problems[0].message.contains("not closed"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn not_a_feature_collection_is_refused_whole() {
        assert!(matches!(
            read_features(GRID),
            Err(AreaFileError::NotFeatureCollection("Feature"))
        ));
        assert!(matches!(
            read_features("{nope"),
            Err(AreaFileError::Syntax(_))
        ));
    }

    #[test]
    fn boundaries_round_trip_through_storage() -> Result<(), String> {
        let (drafts, _) = read_features(&collection(GRID)).map_err(|e| e.to_string())?;
        let boundary = drafts[0].boundary.clone().ok_or("no boundary")?;
        let stored = boundary_to_geojson(&boundary);
        assert!(stored.contains(r#""type":"Polygon""#), "{stored}");
        assert_eq!(boundary_from_geojson(&stored)?, boundary);
        Ok(())
    }
}
