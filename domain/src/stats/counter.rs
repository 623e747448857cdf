//! The daily counters: one column each in the store, one field each in the
//! answer. A rate is two of them (see [`super::rates`]).

/// A number the statistics keep per day, grid, party and category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    /// Reports made that day.
    Reported,
    /// Cases first dispatched that day.
    Dispatched,
    /// Of those, acknowledged by their acknowledge deadline.
    AcknowledgedInTime,
    /// Of those, given an extension.
    Extended,
    /// Cases whose resolve deadline falls that day 应结案数 (not in the ledger).
    Due,
    /// Of those, closed 结案数.
    Closed,
    /// Of those, resolved by the deadline and closed 按期结案数.
    ClosedInTime,
    /// Of the due, those that were suspended 缓办 at some time.
    DueSuspended,
    ClosedSuspended,
    ClosedInTimeSuspended,
    /// Cases due that day that are in the problem ledger 挂账.
    Ledgered,
    /// Cases closed by a verification that day.
    Verified,
    /// Of those, reopened at least once before 返工.
    Reworked,
    /// Of those, closed without complete evidence.
    WithoutEvidence,
    /// Ratings given that day.
    Rated,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    /// Ratings that answered "was it solved?".
    SolvedAnswered,
    Solved,
}

pub const COUNTERS: usize = 20;

impl Counter {
    pub const ALL: [Counter; COUNTERS] = [
        Counter::Reported,
        Counter::Dispatched,
        Counter::AcknowledgedInTime,
        Counter::Extended,
        Counter::Due,
        Counter::Closed,
        Counter::ClosedInTime,
        Counter::DueSuspended,
        Counter::ClosedSuspended,
        Counter::ClosedInTimeSuspended,
        Counter::Ledgered,
        Counter::Verified,
        Counter::Reworked,
        Counter::WithoutEvidence,
        Counter::Rated,
        Counter::Satisfied,
        Counter::BasicallySatisfied,
        Counter::Dissatisfied,
        Counter::SolvedAnswered,
        Counter::Solved,
    ];

    /// The column in the store and the field in answers and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Counter::Reported => "reported",
            Counter::Dispatched => "dispatched",
            Counter::AcknowledgedInTime => "acknowledged_in_time",
            Counter::Extended => "extended",
            Counter::Due => "due",
            Counter::Closed => "closed",
            Counter::ClosedInTime => "closed_in_time",
            Counter::DueSuspended => "due_suspended",
            Counter::ClosedSuspended => "closed_suspended",
            Counter::ClosedInTimeSuspended => "closed_in_time_suspended",
            Counter::Ledgered => "ledgered",
            Counter::Verified => "verified",
            Counter::Reworked => "reworked",
            Counter::WithoutEvidence => "closures_without_evidence",
            Counter::Rated => "rated",
            Counter::Satisfied => "satisfied",
            Counter::BasicallySatisfied => "basically_satisfied",
            Counter::Dissatisfied => "dissatisfied",
            Counter::SolvedAnswered => "solved_answered",
            Counter::Solved => "solved",
        }
    }

    /// The column's heading in an export read by people.
    pub fn label_zh(self) -> &'static str {
        match self {
            Counter::Reported => "上报数",
            Counter::Dispatched => "派遣数",
            Counter::AcknowledgedInTime => "按时签收数",
            Counter::Extended => "延期数",
            Counter::Due => "应结案数",
            Counter::Closed => "结案数",
            Counter::ClosedInTime => "按期结案数",
            Counter::DueSuspended => "应结案中缓办数",
            Counter::ClosedSuspended => "结案中缓办数",
            Counter::ClosedInTimeSuspended => "按期结案中缓办数",
            Counter::Ledgered => "挂账数",
            Counter::Verified => "核查结案数",
            Counter::Reworked => "返工数",
            Counter::WithoutEvidence => "无有效佐证结案数",
            Counter::Rated => "评价数",
            Counter::Satisfied => "满意数",
            Counter::BasicallySatisfied => "基本满意数",
            Counter::Dissatisfied => "不满意数",
            Counter::SolvedAnswered => "回答是否解决数",
            Counter::Solved => "已解决数",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One value per [`Counter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts(pub [i64; COUNTERS]);

impl Counts {
    pub fn get(&self, counter: Counter) -> i64 {
        self.0[counter.index()]
    }

    pub fn add(&mut self, counter: Counter, by: i64) {
        self.0[counter.index()] += by;
    }

    pub fn merge(&mut self, other: &Counts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }

    /// Each counter with its name, in [`Counter::ALL`] order.
    pub fn named(&self) -> impl Iterator<Item = (Counter, i64)> + '_ {
        Counter::ALL.into_iter().map(|c| (c, self.get(c)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_has_its_own_slot() {
        for (i, counter) in Counter::ALL.into_iter().enumerate() {
            assert_eq!(counter.index(), i, "{counter:?}");
        }
        let names: std::collections::HashSet<_> = Counter::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), COUNTERS);
    }
}
