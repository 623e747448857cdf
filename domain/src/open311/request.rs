//! A GeoReport v2 `POST requests`, checked before it becomes a report: where
//! (a point, or an address a dispatcher will place), what (a leaf category
//! and its attributes), who to tell (contact fields kept private).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::geo::Coordinates;
use crate::incident::MAX_TEXT_CHARS;

/// A field the client got wrong: the spec's parameter name and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The spec's attribute datatypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    pub fn as_str(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Datatype::String,
            Datatype::Number,
            Datatype::Datetime,
            Datatype::Text,
            Datatype::SingleValueList,
            Datatype::MultiValueList,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// One answer of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Choice {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// An extra question a category asks (Open311's service definition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub code: String,
    pub datatype: Datatype,
    pub required: bool,
    pub description_zh: String,
    pub description_en: String,
    pub choices: Vec<Choice>,
}

/// An attribute as answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    One(String),
    Many(Vec<String>),
}

/// The longest contact field or address kept.
pub const MAX_FIELD_CHARS: usize = 200;

/// A request as the client sent it, its point already in WGS-84.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub description: String,
    pub point: Option<Coordinates>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub media_url: Option<String>,
    /// `attribute[code]` → its values in the order sent (`attribute[code][]`
    /// repeats for a multivaluelist).
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl RequestDraft {
    /// Checks the request against the spec and the category's `attributes`:
    /// the answers to keep, by code. Every refusal names the parameter.
    pub fn check(
        &self,
        attributes: &[Attribute],
    ) -> Result<BTreeMap<String, AttributeValue>, Invalid> {
        let description = self.description.trim();
        if description.is_empty() {
            return Err(invalid("description", "describe the problem"));
        }
        if description.chars().count() > MAX_TEXT_CHARS {
            return Err(invalid(
                "description",
                format!("at most {MAX_TEXT_CHARS} characters"),
            ));
        }
        let address = self.address.as_deref().map(str::trim).unwrap_or("");
        if self.point.is_none() && address.is_empty() {
            return Err(invalid(
                "lat",
                "give lat and long, or an address_string a dispatcher can place",
            ));
        }
        for (field, value) in [
            ("address_string", &self.address),
            ("email", &self.email),
            ("phone", &self.phone),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("device_id", &self.device_id),
            ("account_id", &self.account_id),
            ("media_url", &self.media_url),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS)
            {
                return Err(invalid(
                    field,
                    format!("at most {MAX_FIELD_CHARS} characters"),
                ));
            }
        }
        if let Some(email) = self.email.as_deref().filter(|e| !e.is_empty())
            && !looks_like_email(email)
        {
            return Err(invalid("email", "not an email address"));
        }
        check_attributes(attributes, &self.attributes)
    }
}

fn looks_like_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !s.contains(' '))
}

fn check_attributes(
    defined: &[Attribute],
    given: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, AttributeValue>, Invalid> {
    let field = |code: &str| format!("attribute[{code}]");
    if let Some(unknown) = given
        .keys()
        .find(|k| !defined.iter().any(|a| &a.code == *k))
    {
        return Err(invalid(
            field(unknown),
            "this service asks no such attribute (see its service definition)",
        ));
    }
    let mut kept = BTreeMap::new();
    for attribute in defined {
        let values: Vec<&str> = given
            .get(&attribute.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if values.is_empty() {
            if attribute.required {
                return Err(invalid(field(&attribute.code), "required by this service"));
            }
            continue;
        }
        let is_choice = |v: &str| attribute.choices.iter().any(|c| c.key == v);
        let value = match attribute.datatype {
            Datatype::MultiValueList => {
                if let Some(bad) = values.iter().find(|v| !is_choice(v)) {
                    return Err(invalid(
                        field(&attribute.code),
                        format!("{bad} is not one of its values"),
                    ));
                }
                AttributeValue::Many(values.iter().map(|v| (*v).to_owned()).collect())
            }
            _ if values.len() > 1 => {
                return Err(invalid(field(&attribute.code), "takes one value"));
            }
            Datatype::SingleValueList if !is_choice(values[0]) => {
                return Err(invalid(
                    field(&attribute.code),
                    format!("{} is not one of its values", values[0]),
                ));
            }
            Datatype::Number if values[0].parse::<f64>().map_or(true, |n| !n.is_finite()) => {
                return Err(invalid(field(&attribute.code), "not a number"));
            }
            Datatype::Datetime
                if chrono::DateTime::parse_from_rfc3339(values[0]).is_err()
                    && NaiveDateTime::parse_from_str(values[0], "%Y-%m-%dT%H:%M:%S").is_err() =>
            {
                return Err(invalid(
                    field(&attribute.code),
                    "not a date and time (ISO 8601)",
                ));
            }
            _ if values[0].chars().count() > MAX_TEXT_CHARS => {
                return Err(invalid(
                    field(&attribute.code),
                    format!("at most {MAX_TEXT_CHARS} characters"),
                ));
            }
            _ => AttributeValue::One(values[0].to_owned()),
        };
        kept.insert(attribute.code.clone(), value);
    }
    Ok(kept)
}

/// How long a client's retry of the same request gets the first answer:
/// clients without `Idempotency-Key` resend on a timeout, and a resident
/// rarely sends the very same words from the same place twice in minutes.
pub const RETRY_WINDOW_MINUTES: i64 = 10;

/// The windows a request at `now` is compared in: its own and the one before
/// (so a retry a second after a window turns still finds the first).
pub fn retry_buckets(now: NaiveDateTime) -> [i64; 2] {
    let bucket = now
        .and_utc()
        .timestamp()
        .div_euclid(RETRY_WINDOW_MINUTES * 60);
    [bucket, bucket - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> RequestDraft {
        RequestDraft {
            description: "自行车棚顶积雪很厚".into(),
            point: Coordinates::new(34.75, 113.61).ok(),
            ..RequestDraft::default()
        }
    }

    fn list(code: &str, datatype: Datatype, required: bool) -> Attribute {
        Attribute {
            code: code.into(),
            datatype,
            required,
            description_zh: "何时".into(),
            description_en: "When".into(),
            choices: vec![
                Choice {
                    key: "night".into(),
                    name_zh: "夜间".into(),
                    name_en: "At night".into(),
                },
                Choice {
                    key: "day".into(),
                    name_zh: "白天".into(),
                    name_en: "By day".into(),
                },
            ],
        }
    }

    fn field_of(r: Result<BTreeMap<String, AttributeValue>, Invalid>) -> String {
        r.err().map(|e| e.field).unwrap_or_default()
    }

    #[test]
    fn a_place_is_a_point_or_an_address() {
        let mut d = draft();
        d.point = None;
        assert_eq!(field_of(d.check(&[])), "lat");
        d.address = Some("  ".into());
        assert_eq!(field_of(d.check(&[])), "lat");
        d.address = Some("中原区工人路19号院".into());
        assert!(d.check(&[]).is_ok());
    }

    #[test]
    fn a_blank_description_or_a_bad_email_is_named() {
        let mut d = draft();
        d.description = " ".into();
        assert_eq!(field_of(d.check(&[])), "description");
        let mut d = draft();
        d.email = Some("not-an-email".into());
        assert_eq!(field_of(d.check(&[])), "email");
    }

    #[test]
    fn attributes_are_checked_against_the_definition() {
        let defs = [list("when", Datatype::SingleValueList, true)];
        assert_eq!(field_of(draft().check(&defs)), "attribute[when]");
        let mut d = draft();
        d.attributes.insert("when".into(), vec!["noon".into()]);
        assert_eq!(field_of(d.check(&defs)), "attribute[when]");
        d.attributes.insert("when".into(), vec!["night".into()]);
        assert_eq!(
            d.check(&defs).ok().and_then(|a| a.get("when").cloned()),
            Some(AttributeValue::One("night".into()))
        );
        d.attributes.insert("colour".into(), vec!["red".into()]);
        assert_eq!(field_of(d.check(&defs)), "attribute[colour]");
    }

    #[test]
    fn a_multivaluelist_keeps_every_value_and_a_number_must_be_one() {
        let defs = [
            list("when", Datatype::MultiValueList, false),
            Attribute {
                datatype: Datatype::Number,
                code: "dogs".into(),
                choices: vec![],
                ..list("dogs", Datatype::Number, false)
            },
        ];
        let mut d = draft();
        d.attributes
            .insert("when".into(), vec!["night".into(), "day".into()]);
        d.attributes.insert("dogs".into(), vec!["two".into()]);
        assert_eq!(field_of(d.check(&defs)), "attribute[dogs]");
        d.attributes.insert("dogs".into(), vec!["2".into()]);
        let kept = d.check(&defs).unwrap_or_default();
        assert_eq!(
            kept.get("when"),
            Some(&AttributeValue::Many(vec!["night".into(), "day".into()]))
        );
    }

    #[test]
    fn a_retry_just_after_a_window_turns_still_meets_the_first() {
        let first = chrono::DateTime::from_timestamp(RETRY_WINDOW_MINUTES * 60 * 1000 - 1, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let retry = first + chrono::Duration::seconds(2);
        assert_eq!(retry_buckets(retry)[1], retry_buckets(first)[0]);
    }
}
