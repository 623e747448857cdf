//! Who may do what: the one place that answers "may this actor do this to
//! this object", from the actor's role grants and the object's place (its
//! areas, its parties, its owner). Handlers ask; they never decide.

use crate::area::AreaCode;
use crate::role::Role;

/// One role held by a user, with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub area: Option<AreaCode>,
    pub party: Option<String>,
}

/// The authenticated user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Areas in which this actor dispatches (each with everything below it).
    pub fn dispatch_areas(&self) -> impl Iterator<Item = &AreaCode> {
        self.grants
            .iter()
            .filter(|g| g.role == Role::Dispatcher)
            .filter_map(|g| g.area.as_ref())
    }

    fn dispatches_any_of(&self, areas: &[AreaCode]) -> bool {
        self.dispatch_areas()
            .any(|d| areas.iter().any(|a| d.covers(a)))
    }
}

/// Where an object sits, as far as access is concerned.
#[derive(Debug, Clone, Copy, Default)]
pub struct Place<'a> {
    /// The areas the object belongs to (an incident's grid, a user's scopes).
    pub areas: &'a [AreaCode],
    /// The parties it belongs to.
    pub parties: &'a [String],
    /// The user it is about or was created by, when there is one.
    pub owner: Option<&'a str>,
}

/// What an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Areas, categories, parties: reference data every signed-in user needs.
    ReadReference,
    /// Check an area file before an import.
    CheckAreaFile,
    /// List user accounts (filtered to those the actor may read).
    ListUsers,
    /// Read one user account.
    ReadUser,
    /// Create accounts, grant and revoke roles, disable accounts.
    ManageUsers,
    /// Read a user's phone number unmasked.
    SeePhone,
}

/// The answer. `Hidden` is for objects the actor may not even know exist
/// (answered 404); `Forbidden` for actions on objects the actor can see, or
/// actions on no object at all (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Granted,
    Forbidden,
    Hidden,
}

impl Access {
    pub fn is_granted(self) -> bool {
        self == Access::Granted
    }
}

pub fn decide(actor: &Actor, capability: Capability, place: Place<'_>) -> Access {
    let own = place.owner == Some(actor.user_id.as_str());
    let oversees = actor.is_admin() || actor.dispatches_any_of(place.areas);
    match capability {
        Capability::ReadReference => Access::Granted,
        Capability::CheckAreaFile => grant_if(actor.is_admin()),
        Capability::ListUsers => grant_if(actor.is_admin() || actor.has_role(Role::Dispatcher)),
        Capability::ReadUser => {
            if own || oversees {
                Access::Granted
            } else {
                Access::Hidden
            }
        }
        Capability::ManageUsers => {
            if actor.is_admin() {
                Access::Granted
            } else if place.owner.is_none() || own || oversees {
                // Nothing to hide: the actor already knows this object.
                Access::Forbidden
            } else {
                Access::Hidden
            }
        }
        // A dispatcher calls the workers of their area; an admin fixes
        // accounts; everyone else sees a masked number.
        Capability::SeePhone => grant_if(own || oversees),
    }
}

fn grant_if(condition: bool) -> Access {
    if condition {
        Access::Granted
    } else {
        Access::Forbidden
    }
}

/// `13812345678` → `138****5678`: enough to tell numbers apart on screen,
/// not enough to call. Short or odd values are masked whole.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn actor(id: &str, role: Role, area: Option<&str>, party: Option<&str>) -> Actor {
        Actor {
            user_id: id.into(),
            grants: vec![Grant {
                role,
                area: area.map(code),
                party: party.map(Into::into),
            }],
        }
    }

    const GRID: &str = "410102003001002";
    const OTHER_GRID: &str = "410181001001001";

    fn every_actor() -> Vec<Actor> {
        vec![
            actor("resident", Role::Resident, Some("410102003001"), None),
            actor("worker", Role::GridWorker, Some(GRID), None),
            actor("chief", Role::GridChief, Some(GRID), None),
            actor("dispatcher", Role::Dispatcher, Some("410102003"), None),
            actor("handler", Role::Handler, None, Some("zy-heating")),
            actor("admin", Role::Admin, None, None),
        ]
    }

    /// The whole table for a user account in the grid, owned by someone else:
    /// only the admin and the dispatcher of the area see it, only the admin manages it.
    #[test]
    fn user_accounts_by_role() {
        let areas = [code(GRID)];
        let place = Place {
            areas: &areas,
            parties: &[],
            owner: Some("someone"),
        };
        let expected = [
            // (read, manage, phone)
            (
                "resident",
                Access::Hidden,
                Access::Hidden,
                Access::Forbidden,
            ),
            ("worker", Access::Hidden, Access::Hidden, Access::Forbidden),
            ("chief", Access::Hidden, Access::Hidden, Access::Forbidden),
            (
                "dispatcher",
                Access::Granted,
                Access::Forbidden,
                Access::Granted,
            ),
            ("handler", Access::Hidden, Access::Hidden, Access::Forbidden),
            ("admin", Access::Granted, Access::Granted, Access::Granted),
        ];
        for (a, (id, read, manage, phone)) in every_actor().iter().zip(expected) {
            assert_eq!(a.user_id, id);
            assert_eq!(decide(a, Capability::ReadUser, place), read, "{id} read");
            assert_eq!(
                decide(a, Capability::ManageUsers, place),
                manage,
                "{id} manage"
            );
            assert_eq!(decide(a, Capability::SeePhone, place), phone, "{id} phone");
        }
    }

    #[test]
    fn a_dispatcher_sees_nothing_outside_their_area() {
        let dispatcher = &every_actor()[3];
        let areas = [code(OTHER_GRID)];
        let place = Place {
            areas: &areas,
            parties: &[],
            owner: Some("someone"),
        };
        assert_eq!(
            decide(dispatcher, Capability::ReadUser, place),
            Access::Hidden
        );
        assert_eq!(
            decide(dispatcher, Capability::ManageUsers, place),
            Access::Hidden
        );
        assert_eq!(
            decide(dispatcher, Capability::SeePhone, place),
            Access::Forbidden
        );
    }

    #[test]
    fn everyone_reads_their_own_account_and_phone_but_only_admins_manage() {
        for a in every_actor() {
            let place = Place {
                areas: &[],
                parties: &[],
                owner: Some(a.user_id.as_str()),
            };
            assert_eq!(decide(&a, Capability::ReadUser, place), Access::Granted);
            assert_eq!(decide(&a, Capability::SeePhone, place), Access::Granted);
            let manage = if a.is_admin() {
                Access::Granted
            } else {
                Access::Forbidden
            };
            assert_eq!(
                decide(&a, Capability::ManageUsers, place),
                manage,
                "{}",
                a.user_id
            );
        }
    }

    #[test]
    fn reference_data_is_for_everyone_and_area_files_for_admins() {
        for a in every_actor() {
            assert!(decide(&a, Capability::ReadReference, Place::default()).is_granted());
            let check = if a.is_admin() {
                Access::Granted
            } else {
                Access::Forbidden
            };
            assert_eq!(
                decide(&a, Capability::CheckAreaFile, Place::default()),
                check
            );
            let list = if a.is_admin() || a.has_role(Role::Dispatcher) {
                Access::Granted
            } else {
                Access::Forbidden
            };
            assert_eq!(decide(&a, Capability::ListUsers, Place::default()), list);
        }
    }

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86*******5678");
        assert_eq!(mask_phone("12345"), "*****");
    }
}
