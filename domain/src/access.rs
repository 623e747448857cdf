//! Who may do what: the one place that answers "may this actor do this to
//! this object", from the actor's role grants and the object's place (its
//! areas, its parties, its owner) or, for an incident, the actor's
//! [`Visibility`]. Handlers ask; they never decide.

use crate::area::AreaCode;
use crate::incident::{Incident, Visibility};
use crate::notification::may_post_notice;
use crate::patrol::PatrolScope;
use crate::photo::PhotoKind;
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

    /// A grid worker or chief of this grid.
    pub fn holds_grid(&self, grid: &AreaCode) -> bool {
        self.grants.iter().any(|g| {
            matches!(g.role, Role::GridWorker | Role::GridChief)
                && g.area.as_ref().is_some_and(|a| a.covers(grid))
        })
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

/// What an action is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// An object described by where it sits: an account, an area, or
    /// nothing (`Place::default()`, for actions on no object).
    Place(Place<'a>),
    /// An incident: seen by those its [`Visibility`] names.
    Incident(&'a Incident),
    /// A notice: its author, and whether it reached the actor.
    Notice { author: &'a str, reached: bool },
    /// A patrol: its walker and its grids.
    Patrol {
        walker: &'a str,
        grids: &'a [AreaCode],
    },
}

impl<'a> From<Place<'a>> for Target<'a> {
    fn from(place: Place<'a>) -> Self {
        Target::Place(place)
    }
}

impl<'a> From<&'a Incident> for Target<'a> {
    fn from(incident: &'a Incident) -> Self {
        Target::Incident(incident)
    }
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
    /// Read who reported an incident of the place's grid, and reveal their
    /// phone number to call them back (the reporter themselves, the
    /// dispatchers of the area, administrators; each reveal is logged).
    ContactReporter,
    /// Read the routing table and preview where a case would go: it is the
    /// city's, not an area's, so every dispatcher reads all of it.
    ReadRoutingRules,
    /// Create, change and delete routing rules.
    ChangeRoutingRules,
    /// Read the working calendar: staff, not residents.
    ReadCalendar,
    /// Change the working week and the special days.
    EditCalendar,
    /// Set a category's time limits per priority.
    EditTimeLimits,
    /// Read the push outbox and put dead letters back in line.
    AdministerOutbox,
    /// Issue, list and revoke the keys of Open311 client applications.
    ManageOpen311Keys,
    /// Change a category's settings: whether the public reads its reports.
    EditCategories,
    /// Read the Open311 requests waiting for a place (an address only).
    ReadWaitingRequests,
    /// Read the checklist templates: staff, not residents.
    ReadChecklistTemplates,
    /// Create, change and delete checklist templates.
    ManageChecklistTemplates,
    /// Start a campaign over the place's area, or cancel one, or read one
    /// (a campaign of an area the actor does not oversee does not exist for
    /// them).
    RunCampaign,
    /// Answer an item of the checklist of the place's grid.
    AnswerCheck,
    /// Read the duty roster of the place's area.
    ReadRoster,
    /// Change the duty roster of the place's area.
    EditRoster,
    /// Place a waiting Open311 request in the place's grid, or dismiss it
    /// (no place: dismiss).
    PlaceWaitingRequest,
    /// Post a notice to an area (the place's areas).
    PostNotice,
    /// Read a notice (a [`Target::Notice`]).
    ReadNotice,
    /// Add a photo of this kind to an incident (a [`Target::Incident`]).
    AddPhoto(PhotoKind),
    /// Start a patrol of the place's grids.
    StartPatrol,
    /// End a patrol, send its track, report findings on it (a
    /// [`Target::Patrol`]).
    WalkPatrol,
    /// Read a patrol, its track and its findings (a [`Target::Patrol`]).
    ReadPatrol,
    /// List patrols (filtered to those the actor may read).
    ListPatrols,
    /// Read how much of the place's grid patrols covered.
    ReadCoverage,
    /// Read whether the evidence of an incident's closure holds (EXIF time
    /// and place of the after-photos): staff, not residents.
    ReadClosureEvidence,
    /// Recompute an incident's timeline hash chain, anywhere in the city
    /// (auditors and administrators: a check of the records, not of the
    /// case, so it needs no relation to the incident).
    VerifyChain,
    /// Read the problem ledger 挂账 (each reads the cases of their own area
    /// or party: `deadline::ledger::LedgerScope`).
    ReadLedger,
    /// Read the hotspot rules per category: staff, not residents.
    ReadHotspotRules,
    /// Set or remove a category's hotspot rule.
    EditHotspotRules,
    /// Read recurring hotspots (重复上报) of the place's areas (no place:
    /// of whatever the actor oversees).
    ReadHotspots,
    /// Link incidents of the place's grids (the root's and every linked
    /// one's) to a root-cause case, or unlink them.
    LinkIncidents,
    /// Read the KPIs of the place: its areas (each within an area the actor
    /// dispatches) or its party (the actor's own); administrators and
    /// auditors read the whole city (no place).
    ReadStats,
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

/// The one answer to "may this actor do this to this object". Capabilities
/// on no object (`Place::default()`) answer `Granted` or `Forbidden`.
/// [`Capability::ReadNotice`] and [`Capability::AddPhoto`] asked of another
/// kind of target are `Forbidden`; the others read an incident or a notice
/// target as no place at all.
pub fn decide<'a>(actor: &Actor, capability: Capability, target: impl Into<Target<'a>>) -> Access {
    let target = target.into();
    let place = match target {
        Target::Place(place) => place,
        Target::Incident(_) | Target::Notice { .. } | Target::Patrol { .. } => Place::default(),
    };
    let own = place.owner == Some(actor.user_id.as_str());
    let oversees = actor.is_admin() || actor.dispatches_any_of(place.areas);
    match capability {
        Capability::ReadReference => Access::Granted,
        Capability::CheckAreaFile => grant_if(actor.is_admin()),
        Capability::ListUsers => grant_if(actor.is_admin() || actor.has_role(Role::Dispatcher)),
        Capability::ReadUser => show_if(own || oversees),
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
        // Handlers fix the problem, not the relation with the resident:
        // whoever reported stays known to the dispatchers only (保护举报人).
        Capability::ContactReporter => grant_if(own || oversees),
        Capability::ReadRoutingRules => {
            grant_if(actor.is_admin() || actor.has_role(Role::Dispatcher))
        }
        Capability::ChangeRoutingRules
        | Capability::EditCalendar
        | Capability::EditTimeLimits
        | Capability::AdministerOutbox => grant_if(actor.is_admin()),
        // A key lets a whole application report and read as the city's
        // partner, and publicity decides what strangers read of residents'
        // reports: both are the city's to decide, not an area's.
        Capability::ManageOpen311Keys | Capability::EditCategories => grant_if(actor.is_admin()),
        // A request with only an address belongs to no area until someone
        // reads the address: every dispatcher sees the queue, and places a
        // request only in a grid of their own area.
        Capability::ReadChecklistTemplates => {
            grant_if(actor.grants.iter().any(|g| g.role != Role::Resident))
        }
        Capability::ManageChecklistTemplates => grant_if(actor.is_admin()),
        // A dispatcher runs checks in their own area; others' campaigns do
        // not exist for them.
        Capability::RunCampaign => show_if(!place.areas.is_empty() && oversees),
        // The workers and the chief of the grid (the chief answers for a
        // worker who is off); to anyone else another grid's task is unknown.
        Capability::AnswerCheck => show_if(
            !place.areas.is_empty() && place.areas.iter().all(|grid| actor.holds_grid(grid)),
        ),
        // Those who work the grid read who is on duty; dispatchers over it
        // and administrators set it.
        Capability::ReadRoster => show_if(
            !place.areas.is_empty()
                && (oversees || place.areas.iter().all(|a| actor.holds_grid(a))),
        ),
        Capability::EditRoster => {
            if !place.areas.is_empty() && oversees {
                Access::Granted
            } else if !place.areas.is_empty() && place.areas.iter().all(|a| actor.holds_grid(a)) {
                Access::Forbidden
            } else {
                Access::Hidden
            }
        }
        Capability::ReadWaitingRequests => {
            grant_if(actor.is_admin() || actor.has_role(Role::Dispatcher))
        }
        Capability::PlaceWaitingRequest => grant_if(if place.areas.is_empty() {
            actor.is_admin() || actor.has_role(Role::Dispatcher)
        } else {
            oversees
        }),
        Capability::ReadCalendar => grant_if(actor.grants.iter().any(|g| g.role != Role::Resident)),
        // Dispatchers and grid chiefs to the area they serve or a part of
        // it, administrators anywhere (`notification::may_post_notice`).
        Capability::PostNotice => grant_if(
            !place.areas.is_empty() && place.areas.iter().all(|a| may_post_notice(actor, a)),
        ),
        // Its author, the people it reached and administrators; to anyone
        // else it does not exist.
        Capability::ReadNotice => match target {
            Target::Notice { author, reached } => {
                show_if(actor.is_admin() || author == actor.user_id || reached)
            }
            Target::Place(_) | Target::Incident(_) | Target::Patrol { .. } => Access::Forbidden,
        },
        // Whoever sees the incident adds photos of either kind: the problem
        // as found, the result from the same spot.
        Capability::AddPhoto(PhotoKind::Before | PhotoKind::After) => match target {
            Target::Incident(incident) => show_if(Visibility::of(actor).contains(incident)),
            Target::Place(_) | Target::Notice { .. } | Target::Patrol { .. } => Access::Forbidden,
        },
        // Only for grids the walker holds: a patrol is work in one's own grids.
        Capability::StartPatrol => grant_if(
            !place.areas.is_empty() && place.areas.iter().all(|grid| actor.holds_grid(grid)),
        ),
        // A track is the walker's alone to write; those who may read it
        // know it exists.
        Capability::WalkPatrol => match target {
            Target::Patrol { walker, grids } => {
                if walker == actor.user_id {
                    Access::Granted
                } else if PatrolScope::of(actor).contains(walker, grids) {
                    Access::Forbidden
                } else {
                    Access::Hidden
                }
            }
            Target::Place(_) | Target::Incident(_) | Target::Notice { .. } => Access::Forbidden,
        },
        // Movement is sensitive personal data (PIPL art. 28): the walker,
        // the chiefs of its grids and the dispatchers over them; not even
        // administrators.
        Capability::ReadPatrol => match target {
            Target::Patrol { walker, grids } => {
                show_if(PatrolScope::of(actor).contains(walker, grids))
            }
            Target::Place(_) | Target::Incident(_) | Target::Notice { .. } => Access::Forbidden,
        },
        Capability::ListPatrols => grant_if(actor.grants.iter().any(|g| {
            matches!(
                g.role,
                Role::GridWorker | Role::GridChief | Role::Dispatcher
            )
        })),
        Capability::ReadHotspotRules => {
            grant_if(actor.grants.iter().any(|g| g.role != Role::Resident))
        }
        Capability::EditHotspotRules => grant_if(actor.is_admin()),
        // Hotspots are for those who dispatch the cases or handle them:
        // dispatchers over their areas, handlers over their party's cases.
        // Grid staff see their grids case by case.
        Capability::ReadHotspots => grant_if(if place.areas.is_empty() {
            actor.is_admin() || actor.has_role(Role::Dispatcher) || actor.has_role(Role::Handler)
        } else {
            place.areas.iter().all(|area| {
                actor.is_admin()
                    || actor.dispatches_any_of(std::slice::from_ref(area))
                    || actor.has_role(Role::Handler)
            })
        }),
        // A link ties cases together for good: whoever links must oversee
        // every one of them.
        Capability::LinkIncidents => grant_if(
            !place.areas.is_empty()
                && place.areas.iter().all(|grid| {
                    actor.is_admin() || actor.dispatches_any_of(std::slice::from_ref(grid))
                }),
        ),
        // The ledger is the books of stuck cases: those who dispatch them
        // and those who must solve them, not residents or grid staff.
        Capability::ReadLedger => grant_if(
            actor.is_admin() || actor.has_role(Role::Dispatcher) || actor.has_role(Role::Handler),
        ),
        // Staff judge closures; a reporter is asked for a rating instead.
        Capability::ReadClosureEvidence => {
            grant_if(actor.grants.iter().any(|g| g.role != Role::Resident))
        }
        Capability::VerifyChain => grant_if(actor.is_admin() || actor.has_role(Role::Auditor)),
        // District leaders rank units by these numbers: a dispatcher reads
        // their own areas, a handler their own party, never a neighbour's.
        Capability::ReadStats => grant_if(
            actor.is_admin()
                || actor.has_role(Role::Auditor)
                || (!place.areas.is_empty()
                    && place
                        .areas
                        .iter()
                        .all(|a| actor.dispatch_areas().any(|d| d.covers(a))))
                || (!place.parties.is_empty()
                    && place.parties.iter().all(|p| {
                        actor.grants.iter().any(|g| {
                            g.role == Role::Handler && g.party.as_deref() == Some(p.as_str())
                        })
                    })),
        ),
        // Coverage counts cells, not people: whoever works or oversees the grid.
        Capability::ReadCoverage => grant_if(
            !place.areas.is_empty()
                && place.areas.iter().all(|grid| {
                    actor.is_admin()
                        || actor.dispatches_any_of(std::slice::from_ref(grid))
                        || actor.holds_grid(grid)
                }),
        ),
    }
}

fn grant_if(condition: bool) -> Access {
    if condition {
        Access::Granted
    } else {
        Access::Forbidden
    }
}

fn show_if(condition: bool) -> Access {
    if condition {
        Access::Granted
    } else {
        Access::Hidden
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

    /// A patrol of `worker` in GRID: its walker writes it; the grid's chief
    /// and the dispatcher over it read it; nobody else knows it exists, not
    /// even an administrator (a movement track is personal data).
    #[test]
    fn patrols_by_role() {
        let grids = [code(GRID)];
        let patrol = Target::Patrol {
            walker: "worker",
            grids: &grids,
        };
        let expected = [
            // (walk, read)
            ("resident", Access::Hidden, Access::Hidden),
            ("worker", Access::Granted, Access::Granted),
            ("chief", Access::Forbidden, Access::Granted),
            ("dispatcher", Access::Forbidden, Access::Granted),
            ("handler", Access::Hidden, Access::Hidden),
            ("admin", Access::Hidden, Access::Hidden),
        ];
        for (a, (id, walk, read)) in every_actor().iter().zip(expected) {
            assert_eq!(a.user_id, id);
            assert_eq!(decide(a, Capability::WalkPatrol, patrol), walk, "{id} walk");
            assert_eq!(decide(a, Capability::ReadPatrol, patrol), read, "{id} read");
        }
        let place = Place {
            areas: &grids,
            ..Place::default()
        };
        let starters: Vec<String> = every_actor()
            .into_iter()
            .filter(|a| decide(a, Capability::StartPatrol, place).is_granted())
            .map(|a| a.user_id)
            .collect();
        assert_eq!(starters, vec!["worker", "chief"]);
        let elsewhere = [code(OTHER_GRID)];
        let far = Place {
            areas: &elsewhere,
            ..Place::default()
        };
        for a in every_actor() {
            assert!(
                !decide(&a, Capability::StartPatrol, far).is_granted(),
                "{}",
                a.user_id
            );
        }
        let coverage_readers: Vec<String> = every_actor()
            .into_iter()
            .filter(|a| decide(a, Capability::ReadCoverage, place).is_granted())
            .map(|a| a.user_id)
            .collect();
        assert_eq!(
            coverage_readers,
            vec!["worker", "chief", "dispatcher", "admin"]
        );
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

    /// Capabilities on no object, every role: G granted, F forbidden.
    const WITHOUT_AN_OBJECT: &str = "
                          resident  worker  chief  dispatcher  handler  admin
    read_routing_rules    F         F       F      G           F        G
    change_routing_rules  F         F       F      F           F        G
    read_calendar         F         G       G      G           G        G
    edit_calendar         F         F       F      F           F        G
    edit_time_limits      F         F       F      F           F        G
    administer_outbox     F         F       F      F           F        G
    check_area_file       F         F       F      F           F        G
    list_users            F         F       F      G           F        G
    manage_open311_keys   F         F       F      F           F        G
    edit_categories       F         F       F      F           F        G
    read_waiting_requests F         F       F      G           F        G
    dismiss_waiting       F         F       F      G           F        G
    ";

    fn letter(access: Access) -> &'static str {
        match access {
            Access::Granted => "G",
            Access::Forbidden => "F",
            Access::Hidden => "H",
        }
    }

    /// Checks `table` (one column per member of [`every_actor`], one row per
    /// name `capability` knows) against `answer`.
    fn check_table(
        table: &str,
        capability: impl Fn(&str) -> Option<Capability>,
        answer: impl Fn(&Actor, Capability) -> Access,
    ) {
        let mut lines = table.lines().map(str::trim).filter(|l| !l.is_empty());
        let header: Vec<&str> = lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let actors = every_actor();
        let ids: Vec<&str> = actors.iter().map(|a| a.user_id.as_str()).collect();
        assert_eq!(header, ids, "one column per role");
        for line in lines {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let wanted = capability(cells[0]).unwrap_or_else(|| panic!("row {line}"));
            assert_eq!(cells.len() - 1, actors.len(), "row {line}");
            for (a, &expected) in actors.iter().zip(&cells[1..]) {
                assert_eq!(
                    letter(answer(a, wanted)),
                    expected,
                    "{} {}",
                    a.user_id,
                    cells[0]
                );
            }
        }
    }

    /// A waiting Open311 request is placed only in a grid of the
    /// dispatcher's own area (the dispatcher of 410102003 here).
    #[test]
    fn a_waiting_request_is_placed_in_the_dispatchers_own_area() {
        let place = |grid: &str| {
            let areas = [code(grid)];
            every_actor()
                .iter()
                .map(|a| {
                    decide(
                        a,
                        Capability::PlaceWaitingRequest,
                        Place {
                            areas: &areas,
                            ..Place::default()
                        },
                    )
                })
                .map(letter)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(place(GRID), "F F F G F G");
        assert_eq!(place(OTHER_GRID), "F F F F F G");
    }

    #[test]
    fn rules_calendar_time_limits_and_outbox_by_role() {
        let by_name = |name: &str| {
            Some(match name {
                "read_routing_rules" => Capability::ReadRoutingRules,
                "change_routing_rules" => Capability::ChangeRoutingRules,
                "read_calendar" => Capability::ReadCalendar,
                "edit_calendar" => Capability::EditCalendar,
                "edit_time_limits" => Capability::EditTimeLimits,
                "administer_outbox" => Capability::AdministerOutbox,
                "check_area_file" => Capability::CheckAreaFile,
                "list_users" => Capability::ListUsers,
                "manage_open311_keys" => Capability::ManageOpen311Keys,
                "edit_categories" => Capability::EditCategories,
                "read_waiting_requests" => Capability::ReadWaitingRequests,
                "dismiss_waiting" => Capability::PlaceWaitingRequest,
                _ => return None,
            })
        };
        check_table(WITHOUT_AN_OBJECT, by_name, |a, c| {
            decide(a, c, Place::default())
        });
    }

    #[test]
    fn routing_rules_are_the_citys_whatever_the_dispatchers_area() {
        let far = actor("far", Role::Dispatcher, Some(OTHER_GRID), None);
        assert!(decide(&far, Capability::ReadRoutingRules, Place::default()).is_granted());
        assert_eq!(
            decide(&far, Capability::ChangeRoutingRules, Place::default()),
            Access::Forbidden
        );
        let nobody = Actor {
            user_id: "nobody".into(),
            grants: Vec::new(),
        };
        assert_eq!(
            decide(&nobody, Capability::ReadCalendar, Place::default()),
            Access::Forbidden,
            "the calendar is for staff: someone with no role is not"
        );
    }

    /// Posting a notice to an area: the dispatcher to their subdistrict or
    /// anything in it, the chief to their grid only, the admin anywhere.
    const NOTICES: &str = "
                        resident  worker  chief  dispatcher  handler  admin
    post_to_grid        F         F       G      G           F        G
    post_to_community   F         F       F      G           F        G
    post_to_subdistrict F         F       F      G           F        G
    post_to_district    F         F       F      F           F        G
    post_to_other_grid  F         F       F      F           F        G
    ";

    #[test]
    fn notices_are_posted_to_the_area_one_serves() {
        let areas = [
            ("post_to_grid", GRID),
            ("post_to_community", "410102003001"),
            ("post_to_subdistrict", "410102003"),
            ("post_to_district", "410102"),
            ("post_to_other_grid", OTHER_GRID),
        ];
        for (row, area) in areas {
            let line = NOTICES
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{row} ")))
                .unwrap_or_else(|| panic!("no row {row}"));
            let header = NOTICES
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default();
            let table = format!("{header}\n{line}");
            let area = [code(area)];
            let place = Place {
                areas: &area,
                ..Place::default()
            };
            check_table(
                &table,
                |name| (name == row).then_some(Capability::PostNotice),
                |a, c| decide(a, c, place),
            );
        }
        for a in every_actor() {
            assert_eq!(
                decide(&a, Capability::PostNotice, Place::default()),
                Access::Forbidden,
                "a notice goes to an area"
            );
        }
    }

    #[test]
    fn a_notice_is_for_its_author_those_it_reached_and_admins() {
        for a in every_actor() {
            let stranger = Target::Notice {
                author: "someone",
                reached: false,
            };
            let expected = if a.is_admin() {
                Access::Granted
            } else {
                Access::Hidden
            };
            assert_eq!(
                decide(&a, Capability::ReadNotice, stranger),
                expected,
                "{}",
                a.user_id
            );
            let reached = Target::Notice {
                author: "someone",
                reached: true,
            };
            assert!(decide(&a, Capability::ReadNotice, reached).is_granted());
            let own = Target::Notice {
                author: a.user_id.as_str(),
                reached: false,
            };
            assert!(decide(&a, Capability::ReadNotice, own).is_granted());
            assert_eq!(
                decide(&a, Capability::ReadNotice, Place::default()),
                Access::Forbidden,
                "a notice is asked of a notice"
            );
        }
    }

    /// Photos, either kind, on a dispatched incident of the grid held by
    /// `zy-heating` and one of another grid: whoever sees the incident.
    const PHOTOS: &str = "
                         resident  worker  chief  dispatcher  handler  admin
    before_in_grid       H         G       G      G           G        G
    after_in_grid        H         G       G      G           G        G
    before_other_grid    H         H       H      H           G        G
    after_other_grid     H         H       H      H           G        G
    ";

    #[test]
    fn whoever_sees_an_incident_adds_photos_of_either_kind() {
        use crate::incident::Status;
        use crate::incident::fixtures::incident;
        let in_grid = incident(Status::Dispatched);
        let mut other_grid = in_grid.clone();
        other_grid.grid = code(OTHER_GRID);
        for (prefix, subject) in [("in_grid", &in_grid), ("other_grid", &other_grid)] {
            let kind = |name: &str| {
                let (kind, rest) = name.split_once('_')?;
                (rest == prefix).then_some(Capability::AddPhoto(PhotoKind::parse(kind)?))
            };
            let rows: Vec<&str> = PHOTOS
                .lines()
                .filter(|l| !l.trim().is_empty())
                .filter(|l| {
                    let first = l.split_whitespace().next().unwrap_or_default();
                    first == "resident" || kind(first).is_some()
                })
                .collect();
            assert_eq!(rows.len(), 1 + PhotoKind::ALL.len(), "{prefix}");
            check_table(&rows.join("\n"), kind, |a, c| decide(a, c, subject));
        }
        let mut reported = incident(Status::Reported);
        reported.reporter_id = "resident".into();
        let resident = &every_actor()[0];
        for kind in PhotoKind::ALL {
            assert!(
                decide(resident, Capability::AddPhoto(kind), &reported).is_granted(),
                "the reporter adds photos to their report"
            );
            assert_eq!(
                decide(resident, Capability::AddPhoto(kind), Place::default()),
                Access::Forbidden,
                "a photo is added to an incident"
            );
        }
    }

    /// The chain check is the records' audit, city-wide: auditors and
    /// administrators, whatever their area; everyone else 403.
    #[test]
    fn auditors_and_admins_verify_chains() {
        let auditor = actor("auditor", Role::Auditor, None, None);
        assert!(decide(&auditor, Capability::VerifyChain, Place::default()).is_granted());
        let verifiers: Vec<String> = every_actor()
            .into_iter()
            .filter(|a| decide(a, Capability::VerifyChain, Place::default()).is_granted())
            .map(|a| a.user_id)
            .collect();
        assert_eq!(verifiers, vec!["admin"]);
        for a in every_actor() {
            assert_ne!(
                decide(&a, Capability::VerifyChain, Place::default()),
                Access::Hidden,
                "{}: a 403, never a 404",
                a.user_id
            );
        }
    }

    #[test]
    fn staff_read_the_evidence_of_a_closure_residents_do_not() {
        let readers: Vec<String> = every_actor()
            .into_iter()
            .filter(|a| decide(a, Capability::ReadClosureEvidence, Place::default()).is_granted())
            .map(|a| a.user_id)
            .collect();
        assert_eq!(
            readers,
            vec!["worker", "chief", "dispatcher", "handler", "admin"]
        );
    }

    /// An auditor reads the records, not the cases: no incident is theirs
    /// to see or act on.
    #[test]
    fn an_auditor_sees_no_incident() {
        use crate::incident::Status;
        use crate::incident::fixtures::incident;
        let auditor = actor("auditor", Role::Auditor, None, None);
        let case = incident(Status::Dispatched);
        assert!(!Visibility::of(&auditor).contains(&case));
        assert_eq!(
            decide(&auditor, Capability::AddPhoto(PhotoKind::After), &case),
            Access::Hidden
        );
        for capability in [
            Capability::ManageUsers,
            Capability::ChangeRoutingRules,
            Capability::EditCalendar,
            Capability::ContactReporter,
        ] {
            assert_eq!(
                decide(&auditor, capability, Place::default()),
                Access::Forbidden,
                "{capability:?}"
            );
        }
    }

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86*******5678");
        assert_eq!(mask_phone("12345"), "*****");
    }
}
