//! The rates a city ranks its units by, each defined once here as a
//! numerator over a denominator of [`Counter`]s (the README lists them):
//!
//! | rate | numerator | denominator |
//! |---|---|---|
//! | 结案率 closure | closed | due to close in the period |
//! | 按期结案率 on-time closure | resolved by the deadline and closed | due to close |
//! | 返工率 rework | closed after a reopen | closed (verified) in the period |
//! | 延期率 extension | given an extension | dispatched in the period |
//! | 响应率 response | acknowledged by the deadline | dispatched in the period |
//! | 解决率 solved | rated "solved" | ratings that answered it |
//! | 满意率 satisfied | satisfied (+ basically satisfied, a setting) | rated |
//!
//! With [`KpiRules::suspended_leave_denominators`] (Jinhua's rule), cases
//! suspended 缓办 leave both sides of closure and on-time closure. Cases in
//! the ledger 挂账 are never due: they are counted as `ledgered` instead.

use std::fmt;

use super::counter::{Counter, Counts};

/// A rate's name, as in the answer and the CSV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateName {
    Closure,
    OnTimeClosure,
    Rework,
    Extension,
    Response,
    Solved,
    Satisfied,
}

impl RateName {
    pub const ALL: [RateName; 7] = [
        RateName::Closure,
        RateName::OnTimeClosure,
        RateName::Rework,
        RateName::Extension,
        RateName::Response,
        RateName::Solved,
        RateName::Satisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RateName::Closure => "closure",
            RateName::OnTimeClosure => "on_time_closure",
            RateName::Rework => "rework",
            RateName::Extension => "extension",
            RateName::Response => "response",
            RateName::Solved => "solved",
            RateName::Satisfied => "satisfied",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RateName::Closure => "结案率",
            RateName::OnTimeClosure => "按期结案率",
            RateName::Rework => "返工率",
            RateName::Extension => "延期率",
            RateName::Response => "响应率",
            RateName::Solved => "解决率",
            RateName::Satisfied => "满意率",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        RateName::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether a higher rate is better: rework and extension count against
    /// a unit in the composite score.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, RateName::Rework | RateName::Extension)
    }

    /// The rate's numerator and denominator under `rules`.
    pub fn parts(self, c: &Counts, rules: &KpiRules) -> (i64, i64) {
        let without_suspended = |all: Counter, suspended: Counter| {
            if rules.suspended_leave_denominators {
                c.get(all) - c.get(suspended)
            } else {
                c.get(all)
            }
        };
        match self {
            RateName::Closure => (
                without_suspended(Counter::Closed, Counter::ClosedSuspended),
                without_suspended(Counter::Due, Counter::DueSuspended),
            ),
            RateName::OnTimeClosure => (
                without_suspended(Counter::ClosedInTime, Counter::ClosedInTimeSuspended),
                without_suspended(Counter::Due, Counter::DueSuspended),
            ),
            RateName::Rework => (c.get(Counter::Reworked), c.get(Counter::Verified)),
            RateName::Extension => (c.get(Counter::Extended), c.get(Counter::Dispatched)),
            RateName::Response => (
                c.get(Counter::AcknowledgedInTime),
                c.get(Counter::Dispatched),
            ),
            RateName::Solved => (c.get(Counter::Solved), c.get(Counter::SolvedAnswered)),
            RateName::Satisfied => {
                let basically = if rules.basically_satisfied_counts {
                    c.get(Counter::BasicallySatisfied)
                } else {
                    0
                };
                (c.get(Counter::Satisfied) + basically, c.get(Counter::Rated))
            }
        }
    }
}

impl fmt::Display for RateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much each rate weighs in the composite score (only rates with a
/// weight count). Beijing's 三率: response 30, solved 35, satisfied 35.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights(pub Vec<(RateName, u32)>);

impl Default for Weights {
    fn default() -> Self {
        Weights(vec![
            (RateName::Response, 30),
            (RateName::Solved, 35),
            (RateName::Satisfied, 35),
        ])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadWeights(pub String);

impl Weights {
    /// `response=30,solved=35,satisfied=35`.
    pub fn parse(text: &str) -> Result<Weights, BadWeights> {
        let mut weights = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| BadWeights(format!("`{part}`: expected rate=weight")))?;
            let rate = RateName::parse(name.trim()).ok_or_else(|| {
                let names: Vec<_> = RateName::ALL.iter().map(|r| r.as_str()).collect();
                BadWeights(format!(
                    "unknown rate `{}`; expected one of {}",
                    name.trim(),
                    names.join(", ")
                ))
            })?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| BadWeights(format!("`{part}`: the weight is not a whole number")))?;
            if weights.iter().any(|(r, _)| *r == rate) {
                return Err(BadWeights(format!("`{name}` is weighted twice")));
            }
            weights.push((rate, weight));
        }
        if weights.iter().all(|(_, w)| *w == 0) {
            return Err(BadWeights(
                "at least one rate needs a weight above 0".into(),
            ));
        }
        Ok(Weights(weights))
    }
}

/// The city's rules for its rates (settings: cities differ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiRules {
    /// 基本满意 counts as satisfied.
    pub basically_satisfied_counts: bool,
    /// Suspended cases leave closure's denominators (Jinhua's rule).
    pub suspended_leave_denominators: bool,
    pub weights: Weights,
}

impl Default for KpiRules {
    fn default() -> Self {
        KpiRules {
            basically_satisfied_counts: true,
            suspended_leave_denominators: true,
            weights: Weights::default(),
        }
    }
}

/// A rate as answered: its parts, and the percentage (two decimals) when
/// there is a denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub name: RateName,
    pub numerator: i64,
    pub denominator: i64,
    pub percent: Option<f64>,
}

fn percent(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| (numerator as f64 * 10_000.0 / denominator as f64).round() / 100.0)
}

/// Every rate of `counts` under `rules`, in [`RateName::ALL`] order.
pub fn rates(counts: &Counts, rules: &KpiRules) -> Vec<Rate> {
    RateName::ALL
        .into_iter()
        .map(|name| {
            let (numerator, denominator) = name.parts(counts, rules);
            Rate {
                name,
                numerator,
                denominator,
                percent: percent(numerator, denominator),
            }
        })
        .collect()
}

/// The composite score 0–100: the weighted mean of the weighted rates
/// (rework and extension as 100 − rate), over the rates this group has a
/// denominator for. None when it has none of them.
pub fn score(rates: &[Rate], weights: &Weights) -> Option<f64> {
    let mut sum = 0.0;
    let mut total = 0u32;
    for (name, weight) in &weights.0 {
        let Some(value) = rates
            .iter()
            .find(|r| r.name == *name)
            .and_then(|r| r.percent)
        else {
            continue;
        };
        let good = if name.higher_is_better() {
            value
        } else {
            100.0 - value
        };
        sum += good * f64::from(*weight);
        total += weight;
    }
    (total > 0).then(|| (sum / f64::from(total) * 100.0).round() / 100.0)
}

/// Ranks by score, best first (1-based; equal scores share a rank, groups
/// without a score come last, unranked).
pub fn rank(scores: &[Option<f64>]) -> Vec<Option<u32>> {
    scores
        .iter()
        .map(|mine| {
            mine.map(|mine| {
                1 + scores
                    .iter()
                    .filter(|other| other.is_some_and(|o| o > mine))
                    .count() as u32
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(Counter, i64)]) -> Counts {
        let mut c = Counts::default();
        for (counter, n) in pairs {
            c.add(*counter, *n);
        }
        c
    }

    #[test]
    fn lianyungang_published_figures() {
        // 12345 monthly report: 23,974 of 24,932 due closed, 22,345 on time.
        let c = counts(&[
            (Counter::Due, 24_932),
            (Counter::Closed, 23_974),
            (Counter::ClosedInTime, 22_345),
        ]);
        let r = rates(&c, &KpiRules::default());
        assert_eq!(r[0].percent, Some(96.16));
        assert_eq!(r[1].percent, Some(89.62));
        assert_eq!(r[2].percent, None, "nothing verified: no rework rate");
    }

    #[test]
    fn suspended_cases_leave_the_denominators_only_by_the_rule() {
        let c = counts(&[
            (Counter::Due, 10),
            (Counter::Closed, 8),
            (Counter::ClosedInTime, 6),
            (Counter::DueSuspended, 2),
            (Counter::ClosedSuspended, 1),
            (Counter::ClosedInTimeSuspended, 0),
        ]);
        let jinhua = KpiRules::default();
        assert_eq!(RateName::Closure.parts(&c, &jinhua), (7, 8));
        assert_eq!(RateName::OnTimeClosure.parts(&c, &jinhua), (6, 8));
        let counting = KpiRules {
            suspended_leave_denominators: false,
            ..KpiRules::default()
        };
        assert_eq!(RateName::Closure.parts(&c, &counting), (8, 10));
    }

    #[test]
    fn basically_satisfied_counts_only_by_the_rule() {
        let c = counts(&[
            (Counter::Rated, 4),
            (Counter::Satisfied, 1),
            (Counter::BasicallySatisfied, 2),
            (Counter::Dissatisfied, 1),
        ]);
        assert_eq!(RateName::Satisfied.parts(&c, &KpiRules::default()), (3, 4));
        let strict = KpiRules {
            basically_satisfied_counts: false,
            ..KpiRules::default()
        };
        assert_eq!(RateName::Satisfied.parts(&c, &strict), (1, 4));
    }

    #[test]
    fn beijing_three_rates_score() {
        let rate = |name, percent| Rate {
            name,
            numerator: 0,
            denominator: 1,
            percent: Some(percent),
        };
        let r = [
            rate(RateName::Response, 100.0),
            rate(RateName::Solved, 80.0),
            rate(RateName::Satisfied, 90.0),
        ];
        // 0.30 × 100 + 0.35 × 80 + 0.35 × 90 = 89.5
        assert_eq!(score(&r, &Weights::default()), Some(89.5));
        // A rate without a denominator drops out and the rest are reweighed.
        let partial = [rate(RateName::Response, 100.0)];
        assert_eq!(score(&partial, &Weights::default()), Some(100.0));
        assert_eq!(score(&[], &Weights::default()), None);
        // Rework counts against.
        let w = Weights::parse("rework=1").expect("valid");
        assert_eq!(score(&[rate(RateName::Rework, 5.0)], &w), Some(95.0));
    }

    #[test]
    fn ranks_share_ties_and_leave_the_unscored_last() {
        assert_eq!(
            rank(&[Some(80.0), None, Some(95.0), Some(80.0)]),
            vec![Some(2), None, Some(1), Some(2)]
        );
    }

    #[test]
    fn weights_parse_and_name_what_is_wrong() {
        assert_eq!(
            Weights::parse("response=30, solved=35,satisfied=35").expect("valid"),
            Weights::default()
        );
        assert!(
            Weights::parse("speed=3")
                .expect_err("refused")
                .0
                .contains("unknown rate `speed`")
        );
        assert!(Weights::parse("response=x").is_err());
        assert!(Weights::parse("response=1,response=2").is_err());
        assert!(Weights::parse("response=0").is_err());
    }
}
