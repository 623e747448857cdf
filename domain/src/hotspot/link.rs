//! Linking a hotspot's incidents to one root-cause case: the repeats stay
//! cases of their own (each reporter keeps theirs), and the root is where
//! the problem is solved once.
//!
//! Links are one level deep: an incident links to at most one root, a root
//! is not itself linked to another, and an incident others are linked to
//! cannot be linked. So there are no chains and no cycles.

/// Most incidents linked in one request.
pub const MAX_PER_REQUEST: usize = 200;

/// Timeline actions: on a linked incident, and on its root.
pub const LINKED: &str = "linked";
pub const INCIDENTS_LINKED: &str = "incidents_linked";
pub const UNLINKED: &str = "unlinked";
pub const INCIDENT_UNLINKED: &str = "incident_unlinked";

/// An incident as far as links go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linkable {
    pub id: String,
    /// The root it is linked to.
    pub root_id: Option<String>,
    /// How many incidents are linked to it.
    pub linked_count: u32,
}

/// Why a link was refused. `index` is the position in the request's list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("name at least one incident to link")]
    Empty,
    #[error("at most {MAX_PER_REQUEST} incidents at once")]
    TooMany,
    #[error("listed twice")]
    Repeated { index: usize },
    #[error("an incident cannot be linked to itself")]
    ToItself { index: usize },
    #[error("no such incident")]
    Unknown { index: usize },
    #[error("this incident is itself linked to {root_id}: link to that root instead")]
    RootIsLinked { root_id: String },
    #[error("incident {id} is already linked to {root_id}: unlink it there first")]
    LinkedElsewhere {
        index: usize,
        id: String,
        root_id: String,
    },
    #[error("incident {id} is the root of {linked} linked incidents: a root cannot be linked")]
    IsARoot {
        index: usize,
        id: String,
        linked: u32,
    },
}

impl LinkError {
    /// The request field the refusal is about.
    pub fn field(&self) -> String {
        match self {
            LinkError::Empty | LinkError::TooMany => "incidents".into(),
            LinkError::RootIsLinked { .. } => "root".into(),
            LinkError::Repeated { index }
            | LinkError::ToItself { index }
            | LinkError::Unknown { index }
            | LinkError::LinkedElsewhere { index, .. }
            | LinkError::IsARoot { index, .. } => format!("incidents[{index}]"),
        }
    }

    /// A conflict with what is stored (409), not bad input (422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            LinkError::RootIsLinked { .. }
                | LinkError::LinkedElsewhere { .. }
                | LinkError::IsARoot { .. }
        )
    }
}

/// The request's list, before anything is read: not empty, not too long,
/// nobody twice, not the root itself.
pub fn check_list(root: &str, wanted: &[String]) -> Result<(), LinkError> {
    if wanted.is_empty() {
        return Err(LinkError::Empty);
    }
    if wanted.len() > MAX_PER_REQUEST {
        return Err(LinkError::TooMany);
    }
    for (index, id) in wanted.iter().enumerate() {
        if id == root {
            return Err(LinkError::ToItself { index });
        }
        if wanted[..index].contains(id) {
            return Err(LinkError::Repeated { index });
        }
    }
    Ok(())
}

/// Which of `wanted` (in the request's order, as stored) to link to `root`
/// now: those already linked to it are left as they are.
pub fn plan<'a>(root: &Linkable, wanted: &'a [Linkable]) -> Result<Vec<&'a Linkable>, LinkError> {
    if let Some(root_id) = &root.root_id {
        return Err(LinkError::RootIsLinked {
            root_id: root_id.clone(),
        });
    }
    let mut new = Vec::new();
    for (index, incident) in wanted.iter().enumerate() {
        match &incident.root_id {
            Some(r) if *r == root.id => continue,
            Some(r) => {
                return Err(LinkError::LinkedElsewhere {
                    index,
                    id: incident.id.clone(),
                    root_id: r.clone(),
                });
            }
            None => {}
        }
        if incident.linked_count > 0 {
            return Err(LinkError::IsARoot {
                index,
                id: incident.id.clone(),
                linked: incident.linked_count,
            });
        }
        new.push(incident);
    }
    Ok(new)
}

/// The note on a linked incident's timeline.
pub fn linked_note(root_reference: &str) -> String {
    format!("linked to root-cause case {root_reference}")
}

/// The note on the root's timeline: the references linked by one request.
pub fn root_note(references: &[&str]) -> String {
    format!("{} linked: {}", references.len(), references.join(", "))
}

/// The note on an incident unlinked from its root.
pub fn unlinked_note(root_reference: &str) -> String {
    format!("unlinked from root-cause case {root_reference}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(id: &str) -> Linkable {
        Linkable {
            id: id.into(),
            root_id: None,
            linked_count: 0,
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_list_is_checked_before_anything_is_read() {
        assert_eq!(check_list("r", &[]), Err(LinkError::Empty));
        assert_eq!(
            check_list("r", &ids(&["a", "r"])),
            Err(LinkError::ToItself { index: 1 })
        );
        assert_eq!(
            check_list("r", &ids(&["a", "b", "a"])),
            Err(LinkError::Repeated { index: 2 })
        );
        let many: Vec<String> = (0..=MAX_PER_REQUEST).map(|i| i.to_string()).collect();
        assert_eq!(check_list("r", &many), Err(LinkError::TooMany));
        assert_eq!(check_list("r", &ids(&["a", "b"])), Ok(()));
        assert_eq!(LinkError::ToItself { index: 1 }.field(), "incidents[1]");
        assert_eq!(LinkError::Empty.field(), "incidents");
    }

    /// Who links: a dispatcher over the root's grid and every linked
    /// one's, or an administrator; nobody else.
    #[test]
    fn who_may_link_and_read_hotspots() {
        use crate::access::{Actor, Capability, Grant, Place, decide};
        use crate::area::AreaCode;
        use crate::role::Role;
        let code = |s: &str| AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        let actor = |role: Role, area: Option<&str>, party: Option<&str>| Actor {
            user_id: "someone".into(),
            grants: vec![Grant {
                role,
                area: area.map(code),
                party: party.map(Into::into),
            }],
        };
        let here = [code("410102003001002")];
        let both = [code("410102003001002"), code("410181001001001")];
        let (here, both) = (
            Place {
                areas: &here,
                ..Place::default()
            },
            Place {
                areas: &both,
                ..Place::default()
            },
        );
        let hh = actor(Role::Dispatcher, Some("410102003"), None);
        let admin = actor(Role::Admin, None, None);
        let handler = actor(Role::Handler, None, Some("zy-heating"));
        let chief = actor(Role::GridChief, Some("410102003001002"), None);
        let resident = actor(Role::Resident, Some("410102003001"), None);
        let link =
            |a: &Actor, place: Place| decide(a, Capability::LinkIncidents, place).is_granted();
        assert!(link(&hh, here));
        assert!(!link(&hh, both), "one of them lies outside the area");
        assert!(link(&admin, both));
        for other in [&handler, &chief, &resident] {
            assert!(!link(other, here));
        }
        let read =
            |a: &Actor, place: Place| decide(a, Capability::ReadHotspots, place).is_granted();
        for reader in [&hh, &admin, &handler] {
            assert!(read(reader, Place::default()));
        }
        assert!(read(&hh, here));
        assert!(!read(&hh, both), "another district");
        assert!(!read(&chief, Place::default()));
        assert!(!read(&resident, Place::default()));
    }

    #[test]
    fn links_are_one_level_deep() {
        let root = free("r");
        let mut linked_here = free("a");
        linked_here.root_id = Some("r".into());
        let wanted = [linked_here, free("b")];
        let new: Vec<&str> = plan(&root, &wanted)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|l| l.id.as_str())
            .collect();
        assert_eq!(new, ["b"], "already linked here: left as it is");

        let mut elsewhere = free("c");
        elsewhere.root_id = Some("other".into());
        let wanted = [free("b"), elsewhere];
        let refused = plan(&root, &wanted);
        assert!(
            matches!(&refused, Err(e @ LinkError::LinkedElsewhere { index: 1, .. }) if e.is_conflict()),
            "{refused:?}"
        );

        let mut a_root = free("d");
        a_root.linked_count = 2;
        assert!(matches!(
            plan(&root, &[a_root]),
            Err(LinkError::IsARoot {
                index: 0,
                linked: 2,
                ..
            })
        ));

        let mut linked_root = free("r");
        linked_root.root_id = Some("s".into());
        assert_eq!(
            plan(&linked_root, &[free("b")]),
            Err(LinkError::RootIsLinked {
                root_id: "s".into()
            })
        );
    }
}
