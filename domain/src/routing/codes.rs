//! Targets and recipients as the short codes the store keeps
//! (`party:zy-heating`, `dispatcher:community`, `queue:410102003`), and the
//! serde forms an explanation is stored in: codes and `HH:MM` times, the same
//! in every language.

use chrono::NaiveTime;

use crate::area::AreaCode;
use crate::party::PartyKind;
use crate::role::Role;

use super::{DispatchLevel, Recipient, Target, TimeWindow};

impl Target {
    /// `party:<code>`, `grid_chief`, `grid_workers`, `on_duty`,
    /// `dispatcher:<community|subdistrict|district>`, `mediator` or
    /// `party_of_kind:<kind>`.
    pub fn code(&self) -> String {
        match self {
            Target::OnDuty => "on_duty".to_owned(),
            Target::Party(party) => format!("party:{party}"),
            Target::GridChief => "grid_chief".to_owned(),
            Target::GridWorkers => "grid_workers".to_owned(),
            Target::Dispatcher { level } => format!("dispatcher:{}", level.as_str()),
            Target::Mediator => "mediator".to_owned(),
            Target::PartyOfKind(kind) => format!("party_of_kind:{}", kind.as_str()),
        }
    }

    pub fn parse_code(code: &str) -> Option<Target> {
        match code.split_once(':') {
            None => match code {
                "grid_chief" => Some(Target::GridChief),
                "grid_workers" => Some(Target::GridWorkers),
                "mediator" => Some(Target::Mediator),
                "on_duty" => Some(Target::OnDuty),
                _ => None,
            },
            Some(("party", party)) if is_party_code(party) => Some(Target::Party(party.to_owned())),
            Some(("dispatcher", level)) => {
                DispatchLevel::parse(level).map(|level| Target::Dispatcher { level })
            }
            Some(("party_of_kind", kind)) => PartyKind::parse(kind).map(Target::PartyOfKind),
            Some(_) => None,
        }
    }

    /// Whether the target is a party (named, or found from the place): only
    /// a party can be called to assist, since assisting means reporting back
    /// on the case as an organisation (吹哨报到).
    pub fn is_party_like(&self) -> bool {
        matches!(
            self,
            Target::Party(_) | Target::Mediator | Target::PartyOfKind(_)
        )
    }
}

/// Party codes are slugs; a code with `:` or `,` could not be stored in a
/// target or in the comma-separated assists.
fn is_party_code(code: &str) -> bool {
    !code.is_empty() && !code.contains([':', ',']) && !code.contains(char::is_whitespace)
}

impl Recipient {
    /// `party:<code>`, `queue:<area>` or `users:<role>:<area>:<id,id>`.
    pub fn code(&self) -> String {
        match self {
            Recipient::Party(party) => format!("party:{party}"),
            Recipient::DispatchQueue(area) => format!("queue:{area}"),
            Recipient::Users { role, area, users } => {
                format!("users:{}:{area}:{}", role.as_str(), users.join(","))
            }
        }
    }

    pub fn parse_code(code: &str) -> Option<Recipient> {
        let (kind, rest) = code.split_once(':')?;
        match kind {
            "party" if is_party_code(rest) => Some(Recipient::Party(rest.to_owned())),
            "queue" => AreaCode::parse(rest).ok().map(Recipient::DispatchQueue),
            "users" => {
                let mut parts = rest.splitn(3, ':');
                let role = Role::parse(parts.next()?)?;
                let area = AreaCode::parse(parts.next()?).ok()?;
                let users = parts
                    .next()?
                    .split(',')
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect();
                Some(Recipient::Users { role, area, users })
            }
            _ => None,
        }
    }
}

/// `"HH:MM"`.
pub fn format_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// A time of day written `HH:MM` (seconds are not part of a rule).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    if s.len() != 5 {
        return None;
    }
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

/// A window as an explanation keeps it: `{"from": "22:00", "to": "08:00"}`.
impl serde::Serialize for TimeWindow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_codes::window::serialize(self, s)
    }
}

impl<'de> serde::Deserialize<'de> for TimeWindow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_codes::window::deserialize(d)
    }
}

/// serde forms of the values an explanation mentions.
pub(super) mod serde_codes {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{AreaCode, NaiveTime, Target, TimeWindow, format_time, parse_time};

    pub mod area {
        use super::*;

        pub fn serialize<S: Serializer>(area: &AreaCode, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(area.as_str())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AreaCode, D::Error> {
            let raw = String::deserialize(d)?;
            AreaCode::parse(&raw).map_err(D::Error::custom)
        }
    }

    pub mod target {
        use super::*;

        pub fn serialize<S: Serializer>(target: &Target, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&target.code())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
            let raw = String::deserialize(d)?;
            Target::parse_code(&raw).ok_or_else(|| D::Error::custom(format!("no target {raw}")))
        }
    }

    pub mod time {
        use super::*;

        pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&format_time(*t))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
            let raw = String::deserialize(d)?;
            parse_time(&raw).ok_or_else(|| D::Error::custom(format!("not HH:MM: {raw}")))
        }
    }

    #[derive(Serialize, Deserialize)]
    struct Window {
        from: String,
        to: String,
    }

    pub mod window {
        use super::*;

        pub fn serialize<S: Serializer>(w: &TimeWindow, s: S) -> Result<S::Ok, S::Error> {
            Window {
                from: format_time(w.start()),
                to: format_time(w.end()),
            }
            .serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeWindow, D::Error> {
            let w = Window::deserialize(d)?;
            let (Some(from), Some(to)) = (parse_time(&w.from), parse_time(&w.to)) else {
                return Err(D::Error::custom(
                    "a window is {\"from\":\"HH:MM\",\"to\":\"HH:MM\"}",
                ));
            };
            TimeWindow::new(from, to).map_err(D::Error::custom)
        }
    }
}
