//! What the statistics know of one case (its [`Fact`]), and what it adds to
//! the daily counters ([`Fact::contributions`]).
//!
//! A fact is derived whole from the case as it stands ([`Fact::derive`]):
//! never built up step by step, so deriving it again after any change, or
//! for every case at once, gives the same answer. The counters are the sum
//! of every case's contributions; a change moves them by the difference
//! between the case's old and new contributions ([`changes`]), so a case is
//! counted once however often it is derived.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::counter::{Counter, Counts};
use crate::incident::{Rating, Status};

/// Where a case's numbers are kept: its grid, the party holding it ("" for
/// none) and its category. Every contribution of a case shares its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub grid: String,
    pub party: String,
    pub category: String,
}

/// One case as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub key: Key,
    /// Local date of the report.
    pub reported_on: NaiveDate,
    /// Local date of the first dispatch: the response and extension cohort.
    pub dispatched_on: Option<NaiveDate>,
    /// Acknowledged 签收 by the acknowledge deadline of its latest dispatch.
    pub acknowledged_in_time: bool,
    /// An extension 延期 was approved.
    pub extended: bool,
    /// A suspension 缓办 was approved.
    pub suspended: bool,
    /// In the problem ledger 挂账 now.
    pub in_ledger: bool,
    /// Local date of the resolve deadline: the closure cohort. None for a
    /// report rejected as not a case.
    pub due_on: Option<NaiveDate>,
    pub closed: bool,
    /// Closed, and its last resolve was on or before the resolve deadline.
    pub closed_in_time: bool,
    /// Local date of the verification that closed it: the rework cohort.
    pub verified_on: Option<NaiveDate>,
    /// Reopened at least once before it was closed 返工.
    pub reworked: bool,
    /// Closed without complete evidence (photos after dispatch, near the
    /// place, before and after).
    pub without_evidence: bool,
    /// Local date of the reporter's rating: the satisfaction cohort.
    pub rated_on: Option<NaiveDate>,
    pub rating: Option<Rating>,
    /// The reporter's answer to "was it solved?", when given.
    pub solved: Option<bool>,
}

/// The case as stored, in the terms a fact is derived from.
#[derive(Debug, Clone)]
pub struct Observed<'a> {
    pub grid: &'a str,
    pub party: Option<&'a str>,
    pub category: &'a str,
    pub status: Status,
    pub rework_count: u32,
    pub rating: Option<Rating>,
    pub solved: Option<bool>,
    pub reported_at: NaiveDateTime,
    pub first_dispatch_at: Option<NaiveDateTime>,
    /// The latest resolve (or resolve on the spot).
    pub last_resolve_at: Option<NaiveDateTime>,
    /// The latest verification.
    pub last_verify_at: Option<NaiveDateTime>,
    pub rated_at: Option<NaiveDateTime>,
    /// The latest acknowledge clock: its due and when it was met.
    pub acknowledge: Option<(NaiveDateTime, Option<NaiveDateTime>)>,
    /// The resolve deadline in force: the latest resolve clock's due, else
    /// the provisional one a report gets.
    pub resolve_due: Option<NaiveDateTime>,
    pub extended: bool,
    pub suspended: bool,
    pub in_ledger: bool,
    /// Whether the latest resolve or verification had complete evidence.
    pub evidence_complete: Option<bool>,
}

impl Fact {
    /// The fact of a case as it stands; `local` turns an instant into the
    /// city's calendar date.
    pub fn derive(o: &Observed<'_>, local: impl Fn(NaiveDateTime) -> NaiveDate) -> Fact {
        let closed = o.status == Status::Closed;
        let in_time = |done: Option<NaiveDateTime>, due: Option<NaiveDateTime>| matches!((done, due), (Some(done), Some(due)) if done <= due);
        Fact {
            key: Key {
                grid: o.grid.to_owned(),
                party: o.party.unwrap_or_default().to_owned(),
                category: o.category.to_owned(),
            },
            reported_on: local(o.reported_at),
            dispatched_on: o.first_dispatch_at.map(&local),
            acknowledged_in_time: o.first_dispatch_at.is_some()
                && o.acknowledge
                    .is_some_and(|(due, met)| in_time(met, Some(due))),
            extended: o.extended,
            suspended: o.suspended,
            in_ledger: o.in_ledger,
            due_on: (o.status != Status::Rejected)
                .then_some(o.resolve_due)
                .flatten()
                .map(&local),
            closed,
            closed_in_time: closed && in_time(o.last_resolve_at, o.resolve_due),
            verified_on: if closed {
                o.last_verify_at.map(&local)
            } else {
                None
            },
            reworked: closed && o.rework_count > 0,
            without_evidence: closed && o.evidence_complete != Some(true),
            rated_on: o.rating.and(o.rated_at).map(&local),
            rating: o.rating,
            solved: o.rating.and(o.solved),
        }
    }

    /// Each counter this case adds one to, on the day of its cohort.
    pub fn contributions(&self) -> Vec<(NaiveDate, Counter)> {
        let mut out = vec![(self.reported_on, Counter::Reported)];
        if let Some(day) = self.dispatched_on {
            out.push((day, Counter::Dispatched));
            if self.acknowledged_in_time {
                out.push((day, Counter::AcknowledgedInTime));
            }
            if self.extended {
                out.push((day, Counter::Extended));
            }
        }
        if let Some(day) = self.due_on {
            if self.in_ledger {
                // 挂账: out of the cases due (and so of overdue), into the ledger.
                out.push((day, Counter::Ledgered));
            } else {
                out.push((day, Counter::Due));
                if self.closed {
                    out.push((day, Counter::Closed));
                }
                if self.closed_in_time {
                    out.push((day, Counter::ClosedInTime));
                }
                if self.suspended {
                    out.push((day, Counter::DueSuspended));
                    if self.closed {
                        out.push((day, Counter::ClosedSuspended));
                    }
                    if self.closed_in_time {
                        out.push((day, Counter::ClosedInTimeSuspended));
                    }
                }
            }
        }
        if let Some(day) = self.verified_on {
            out.push((day, Counter::Verified));
            if self.reworked {
                out.push((day, Counter::Reworked));
            }
            if self.without_evidence {
                out.push((day, Counter::WithoutEvidence));
            }
        }
        if let (Some(day), Some(rating)) = (self.rated_on, self.rating) {
            out.push((day, Counter::Rated));
            out.push((
                day,
                match rating {
                    Rating::Satisfied => Counter::Satisfied,
                    Rating::BasicallySatisfied => Counter::BasicallySatisfied,
                    Rating::Dissatisfied => Counter::Dissatisfied,
                },
            ));
            if let Some(solved) = self.solved {
                out.push((day, Counter::SolvedAnswered));
                if solved {
                    out.push((day, Counter::Solved));
                }
            }
        }
        out
    }
}

/// How one day's counters of one key move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub day: NaiveDate,
    pub key: Key,
    pub by: Counts,
}

/// What moving a case from `before` (None: not counted yet) to `after`
/// (None: no longer counted) does to the counters, in (day, key) order so
/// concurrent writers take row locks in the same order. Empty when nothing
/// the statistics count changed.
pub fn changes(before: Option<&Fact>, after: Option<&Fact>) -> Vec<Change> {
    let mut moves: BTreeMap<(NaiveDate, Key), Counts> = BTreeMap::new();
    let mut add = |fact: &Fact, sign: i64| {
        for (day, counter) in fact.contributions() {
            moves
                .entry((day, fact.key.clone()))
                .or_default()
                .add(counter, sign);
        }
    };
    if let Some(before) = before {
        add(before, -1);
    }
    if let Some(after) = after {
        add(after, 1);
    }
    moves
        .into_iter()
        .filter(|(_, by)| !by.is_zero())
        .map(|((day, key), by)| Change { day, key, by })
        .collect()
}

/// The counters of many cases at once (a rebuild): the sum of their
/// contributions per (day, key).
pub fn totals<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> BTreeMap<(NaiveDate, Key), Counts> {
    let mut sums: BTreeMap<(NaiveDate, Key), Counts> = BTreeMap::new();
    for fact in facts {
        for (day, counter) in fact.contributions() {
            sums.entry((day, fact.key.clone()))
                .or_default()
                .add(counter, 1);
        }
    }
    sums
}
