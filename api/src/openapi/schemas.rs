//! Schemas of fields whose rule is on their items, which the derive's field
//! attributes cannot state (`schema_with` takes these).

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};

/// ISO weekdays, 1 Monday … 7 Sunday, at least one, each once.
pub fn weekdays() -> Schema {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(7)),
        )
        .min_items(Some(1))
        .max_items(Some(7))
        .unique_items(true)
        .description(Some("ISO weekdays, 1 Monday … 7 Sunday, each once"))
        .examples([serde_json::json!([1, 2, 3, 4, 5])])
        .into()
}

/// Working periods of a day, `HH:MM-HH:MM`, 1 to 8.
pub fn periods() -> Schema {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String).pattern(Some(
            "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
        )))
        .min_items(Some(1))
        .max_items(Some(8))
        .description(Some(
            "Working periods of a working day, in order, `HH:MM-HH:MM`",
        ))
        .examples([serde_json::json!(["08:30-12:00", "14:00-17:30"])])
        .into()
}

/// ISO weekdays of the working week, 1 Monday … 7 Sunday (a repeat counts once).
pub fn working_weekdays() -> Schema {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(7)),
        )
        .min_items(Some(1))
        .description(Some("ISO weekdays worked: 1 Monday … 7 Sunday"))
        .examples([serde_json::json!([1, 2, 3, 4, 5])])
        .into()
}

/// The features of an area file as the GeoJSON reader takes them: each a
/// `Feature` with `properties` and a Polygon or MultiPolygon geometry. What
/// the properties must hold is checked per feature and answered 422.
pub fn area_features() -> Schema {
    let position = ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Number))
        .min_items(Some(2))
        .max_items(Some(3));
    let ring = ArrayBuilder::new()
        .items(position)
        .min_items(Some(4))
        .build();
    let polygon = ArrayBuilder::new()
        .items(RefOr::T(Schema::Array(ring)))
        .min_items(Some(1))
        .build();
    let multi = ArrayBuilder::new()
        .items(RefOr::T(Schema::Array(polygon.clone())))
        .min_items(Some(1))
        .build();
    let geometry = |kind: &str, coordinates: utoipa::openapi::schema::Array| {
        ObjectBuilder::new()
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([kind])),
            )
            .property("coordinates", coordinates)
            .required("type")
            .required("coordinates")
    };
    let feature = ObjectBuilder::new()
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["Feature"])),
        )
        .property("properties", ObjectBuilder::new())
        .property(
            "geometry",
            utoipa::openapi::schema::OneOfBuilder::new()
                .item(geometry("Polygon", polygon))
                .item(geometry("MultiPolygon", multi)),
        )
        .required("type")
        .required("properties")
        .required("geometry");
    ArrayBuilder::new()
        .items(feature)
        .description(Some("GeoJSON Features, one per area"))
        .into()
}
