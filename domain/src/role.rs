//! Roles and the scope each one is held in.

use serde::{Deserialize, Serialize};

use crate::area::AreaLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    GridWorker,
    GridChief,
    Dispatcher,
    Handler,
    Admin,
    /// 审计: reads what the city keeps to check it was not tampered with
    /// (the timelines' hash chains), city-wide; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Resident,
        Role::GridWorker,
        Role::GridChief,
        Role::Dispatcher,
        Role::Handler,
        Role::Admin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::GridWorker => "grid_worker",
            Role::GridChief => "grid_chief",
            Role::Dispatcher => "dispatcher",
            Role::Handler => "handler",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The area levels this role can be scoped to; empty when it takes no area.
    pub fn area_levels(self) -> &'static [AreaLevel] {
        match self {
            Role::Resident => &[AreaLevel::Community],
            Role::GridWorker | Role::GridChief => &[AreaLevel::Grid],
            Role::Dispatcher => &[
                AreaLevel::District,
                AreaLevel::Subdistrict,
                AreaLevel::Community,
            ],
            Role::Handler | Role::Admin | Role::Auditor => &[],
        }
    }

    pub fn needs_party(self) -> bool {
        self == Role::Handler
    }
}

/// Why a role assignment's scope does not fit the role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("a {role} is assigned to an area of level {expected}")]
    AreaRequired {
        role: &'static str,
        expected: String,
    },
    #[error("a {role} is not assigned to an area")]
    AreaNotAllowed { role: &'static str },
    #[error("a {role} is assigned to an area of level {expected}, not a {actual}")]
    WrongAreaLevel {
        role: &'static str,
        expected: String,
        actual: AreaLevel,
    },
    #[error("a handler belongs to a party")]
    PartyRequired,
    #[error("only a handler belongs to a party")]
    PartyNotAllowed,
}

/// Checks that the scope given with a role is the one the role needs: a grid
/// worker is scoped to a grid, a dispatcher to a community, subdistrict or
/// district, a handler to a party. `area_level` is the level of the area given.
pub fn check_scope(
    role: Role,
    area_level: Option<AreaLevel>,
    has_party: bool,
) -> Result<(), ScopeError> {
    let levels = role.area_levels();
    let expected = || {
        levels
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match (area_level, levels.is_empty()) {
        (None, false) => {
            return Err(ScopeError::AreaRequired {
                role: role.as_str(),
                expected: expected(),
            });
        }
        (Some(_), true) => {
            return Err(ScopeError::AreaNotAllowed {
                role: role.as_str(),
            });
        }
        (Some(level), false) if !levels.contains(&level) => {
            return Err(ScopeError::WrongAreaLevel {
                role: role.as_str(),
                expected: expected(),
                actual: level,
            });
        }
        _ => {}
    }
    match (role.needs_party(), has_party) {
        (true, false) => Err(ScopeError::PartyRequired),
        (false, true) => Err(ScopeError::PartyNotAllowed),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_takes_its_own_scope() {
        assert_eq!(
            check_scope(Role::GridWorker, Some(AreaLevel::Grid), false),
            Ok(())
        );
        assert_eq!(
            check_scope(Role::Dispatcher, Some(AreaLevel::Subdistrict), false),
            Ok(())
        );
        assert_eq!(check_scope(Role::Handler, None, true), Ok(()));
        assert_eq!(check_scope(Role::Admin, None, false), Ok(()));
        assert_eq!(check_scope(Role::Auditor, None, false), Ok(()));
        assert!(matches!(
            check_scope(Role::GridWorker, None, false),
            Err(ScopeError::AreaRequired { .. })
        ));
        assert!(matches!(
            check_scope(Role::GridWorker, Some(AreaLevel::Community), false),
            Err(ScopeError::WrongAreaLevel { .. })
        ));
        assert_eq!(
            check_scope(Role::Handler, None, false),
            Err(ScopeError::PartyRequired)
        );
        assert_eq!(
            check_scope(Role::Resident, Some(AreaLevel::Community), true),
            Err(ScopeError::PartyNotAllowed)
        );
        assert!(matches!(
            check_scope(Role::Admin, Some(AreaLevel::City), false),
            Err(ScopeError::AreaNotAllowed { .. })
        ));
    }
}
