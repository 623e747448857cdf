//! The routing decision itself.

use std::cmp::Reverse;

use crate::area::{AreaCode, AreaLevel};
use crate::duty::OnDuty;
use crate::party::PartyKind;
use crate::role::Role;

use super::{
    Case, Considered, Decision, Directory, DispatchLevel, Explanation, Mode, Recipient,
    RoutingRule, Serving, Target, Verdict,
};

/// Routes a case: the most specific rule that matches it and whose target can
/// take it, or, when none can, the dispatchers of its subdistrict, who triage
/// it. Every rule given appears in the explanation, in the order given.
///
/// A matching rule is passed over, and the next one tried, when its target is
/// a party that returned the case or when nobody fills its role here (a grid
/// without a chief, an area no heating company serves): a case must reach
/// someone who can act.
pub fn route(rules: &[RoutingRule], case: &Case<'_>, directory: &dyn Directory) -> Decision {
    let mut verdicts: Vec<(usize, Verdict)> = Vec::with_capacity(rules.len());
    let mut matching: Vec<usize> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        match rule.mismatch(case) {
            Some(verdict) => verdicts.push((i, verdict)),
            None => matching.push(i),
        }
    }
    // Most specific first. Saving refuses ties, but rules saved before that
    // check (or imported around it) may still tie: the id settles them so the
    // outcome never depends on the order the store returned the rules in.
    matching.sort_by(|&a, &b| {
        let (a, b) = (&rules[a], &rules[b]);
        b.specificity()
            .cmp(&a.specificity())
            .then_with(|| a.id.cmp(&b.id))
    });

    let mut chosen: Option<(&RoutingRule, Resolved)> = None;
    for i in matching {
        let rule = &rules[i];
        let verdict = match &chosen {
            Some((winner, _)) => match winner.specificity().decided_by(rule.specificity()) {
                Some(by) => Verdict::LessSpecific {
                    than: winner.id.clone(),
                    by,
                },
                None => Verdict::Tied {
                    with: winner.id.clone(),
                },
            },
            None => match resolve(&rule.target, case, directory) {
                Ok(resolved) => {
                    chosen = Some((rule, resolved));
                    Verdict::Chosen
                }
                Err(lost) => lost,
            },
        };
        verdicts.push((i, verdict));
    }
    verdicts.sort_by_key(|(i, _)| *i);
    let considered = verdicts
        .into_iter()
        .map(|(i, verdict)| Considered {
            rule: rules[i].id.clone(),
            verdict,
        })
        .collect();

    match chosen {
        Some((rule, Resolved { recipient, duty })) => Decision {
            rule: Some(rule.id.clone()),
            target: rule.target.clone(),
            assists: assists(rule, &recipient, case, directory),
            recipient,
            mode: rule.mode,
            explanation: Explanation {
                considered,
                on_duty: duty,
            },
        },
        None => Decision {
            rule: None,
            target: Target::Dispatcher {
                level: DispatchLevel::Subdistrict,
            },
            // Every grid lies in a subdistrict; a case placed higher up (no
            // grid known yet) waits in the queue of the area it is in.
            recipient: Recipient::DispatchQueue(
                ancestor_at(case.grid, AreaLevel::Subdistrict).unwrap_or_else(|| case.grid.clone()),
            ),
            mode: Mode::Triage,
            assists: Vec::new(),
            explanation: Explanation {
                considered,
                on_duty: None,
            },
        },
    }
}

/// The parties the rule calls to assist, resolved for this case. An assist
/// that returned the case or that nobody fills here is left out rather than
/// holding the case up: the lead can act without it.
fn assists(
    rule: &RoutingRule,
    lead: &Recipient,
    case: &Case<'_>,
    directory: &dyn Directory,
) -> Vec<String> {
    let mut parties: Vec<String> = Vec::new();
    for assist in &rule.assists {
        let Ok(Resolved {
            recipient: Recipient::Party(party),
            ..
        }) = resolve(assist, case, directory)
        else {
            continue;
        };
        if *lead != Recipient::Party(party.clone()) && !parties.contains(&party) {
            parties.push(party);
        }
    }
    parties
}

/// A target resolved for a case: whom, and for [`Target::OnDuty`] who was
/// on duty (empty when nobody was and the case fell to the chief or the
/// community's dispatchers).
struct Resolved {
    recipient: Recipient,
    duty: Option<Vec<OnDuty>>,
}

impl From<Recipient> for Resolved {
    fn from(recipient: Recipient) -> Self {
        Resolved {
            recipient,
            duty: None,
        }
    }
}

/// The concrete recipient of a target for this case, or why there is none.
fn resolve(
    target: &Target,
    case: &Case<'_>,
    directory: &dyn Directory,
) -> Result<Resolved, Verdict> {
    let nobody = || Verdict::NobodyFills {
        target: target.clone(),
    };
    if *target == Target::OnDuty {
        let grid = ancestor_at(case.grid, AreaLevel::Grid).ok_or_else(nobody)?;
        return on_duty(grid, directory).ok_or_else(nobody);
    }
    resolve_recipient(target, case, directory).map(Resolved::from)
}

/// Whoever is on duty in the grid, else its chief, else the dispatchers of
/// its community; `None` for a grid in no community.
fn on_duty(grid: AreaCode, directory: &dyn Directory) -> Option<Resolved> {
    let on = directory.on_duty(&grid);
    if !on.is_empty() {
        return Some(Resolved {
            recipient: Recipient::Users {
                role: Role::GridWorker,
                area: grid,
                users: on.iter().map(|d| d.user.clone()).collect(),
            },
            duty: Some(on),
        });
    }
    let chiefs = directory.users_with_role(Role::GridChief, &grid);
    let recipient = if chiefs.is_empty() {
        Recipient::DispatchQueue(ancestor_at(&grid, AreaLevel::Community)?)
    } else {
        Recipient::Users {
            role: Role::GridChief,
            area: grid,
            users: chiefs,
        }
    };
    Some(Resolved {
        recipient,
        duty: Some(Vec::new()),
    })
}

fn resolve_recipient(
    target: &Target,
    case: &Case<'_>,
    directory: &dyn Directory,
) -> Result<Recipient, Verdict> {
    let nobody = || Verdict::NobodyFills {
        target: target.clone(),
    };
    match target {
        Target::Party(party) if case.returned_by.contains(party) => Err(Verdict::Returned {
            party: party.clone(),
        }),
        Target::Party(party) => Ok(Recipient::Party(party.clone())),
        Target::GridChief | Target::GridWorkers => {
            let role = if *target == Target::GridChief {
                Role::GridChief
            } else {
                Role::GridWorker
            };
            // Grid staff are scoped to grids, never to micro-grids.
            let grid = ancestor_at(case.grid, AreaLevel::Grid).ok_or_else(nobody)?;
            let users = directory.users_with_role(role, &grid);
            if users.is_empty() {
                return Err(nobody());
            }
            Ok(Recipient::Users {
                role,
                area: grid,
                users,
            })
        }
        Target::Dispatcher { level } => ancestor_at(case.grid, level.area_level())
            .map(Recipient::DispatchQueue)
            .ok_or_else(nobody),
        Target::Mediator => {
            let community = ancestor_at(case.grid, AreaLevel::Community).ok_or_else(nobody)?;
            let serving =
                directory.parties_of_kind_serving(PartyKind::MediationCommittee, &community);
            nearest_party(serving, case.returned_by).ok_or_else(nobody)?
        }
        Target::PartyOfKind(kind) => {
            let serving = directory.parties_of_kind_serving(*kind, case.grid);
            nearest_party(serving, case.returned_by).ok_or_else(nobody)?
        }
        // Resolved by `resolve`, which knows why someone is on duty.
        Target::OnDuty => Err(nobody()),
    }
}

/// Of the parties serving a place, the one with the narrowest remit (the
/// compound's heating company before the district's), leaving out those that
/// returned the case; the code breaks ties so the choice is repeatable.
/// `None` when no party serves it at all.
fn nearest_party(
    mut serving: Vec<Serving>,
    returned_by: &[String],
) -> Option<Result<Recipient, Verdict>> {
    serving.sort_by(|a, b| {
        Reverse(a.area.lineage().len())
            .cmp(&Reverse(b.area.lineage().len()))
            .then_with(|| a.party.cmp(&b.party))
    });
    let first = serving.first()?;
    Some(
        match serving.iter().find(|s| !returned_by.contains(&s.party)) {
            Some(s) => Ok(Recipient::Party(s.party.clone())),
            None => Err(Verdict::Returned {
                party: first.party.clone(),
            }),
        },
    )
}

/// The area of `level` that holds `area` (or `area` itself, at that level).
/// The lineage runs deepest first, so a district comes before its city
/// although both codes have six digits.
fn ancestor_at(area: &AreaCode, level: AreaLevel) -> Option<AreaCode> {
    area.lineage().into_iter().find(|a| a.fits_level(level))
}
