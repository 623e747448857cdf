//! Numbers a city can trust: counters per day, grid, party and category
//! kept in the same transaction as the steps that move them ([`fact`]), the
//! rates defined once over them ([`rates`]), and the table a dispatcher or
//! a district leader reads ([`table`]): one row per group, ranked.

pub mod counter;
pub mod fact;
pub mod rates;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

pub use counter::{COUNTERS, Counter, Counts};
pub use fact::{Change, Fact, Key, Observed, changes, totals};
pub use rates::{KpiRules, Rate, RateName, Weights, rank, rates, score};

/// The longest period one question may cover.
pub const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// What the rows of the table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The areas one level below the area asked about.
    Area,
    Party,
    Category,
    Day,
    /// ISO weeks, named by their Monday.
    Week,
    Month,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::Area,
        GroupBy::Party,
        GroupBy::Category,
        GroupBy::Day,
        GroupBy::Week,
        GroupBy::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Area => "area",
            GroupBy::Party => "party",
            GroupBy::Category => "category",
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The group a day falls in, for the calendar groupings.
    pub fn period_of(self, day: NaiveDate) -> Option<String> {
        match self {
            GroupBy::Day => Some(day.to_string()),
            GroupBy::Week => {
                let monday =
                    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
                Some(monday.to_string())
            }
            GroupBy::Month => Some(format!("{:04}-{:02}", day.year(), day.month())),
            GroupBy::Area | GroupBy::Party | GroupBy::Category => None,
        }
    }

    /// Whether the groups are ranked: units are, periods are a series.
    pub fn ranks(self) -> bool {
        matches!(self, GroupBy::Area | GroupBy::Party | GroupBy::Category)
    }
}

/// The dates asked about, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadPeriod {
    #[error("`to` is before `from`")]
    Reversed,
    #[error("a period covers at most {MAX_PERIOD_DAYS} days")]
    TooLong,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, BadPeriod> {
        if to < from {
            return Err(BadPeriod::Reversed);
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(BadPeriod::TooLong);
        }
        Ok(Period { from, to })
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: String,
    pub counts: Counts,
    pub rates: Vec<Rate>,
    pub score: Option<f64>,
    pub rank: Option<u32>,
}

/// The table: the groups' counts summed, their rates, scores and ranks
/// (units ranked best first; periods in time order), and the total row.
pub fn table(
    grouped: impl IntoIterator<Item = (String, Counts)>,
    group_by: GroupBy,
    rules: &KpiRules,
) -> (Vec<Group>, Group) {
    let mut sums: BTreeMap<String, Counts> = BTreeMap::new();
    for (key, counts) in grouped {
        sums.entry(key).or_default().merge(&counts);
    }
    let mut total = Counts::default();
    let mut groups: Vec<Group> = sums
        .into_iter()
        .map(|(key, counts)| {
            total.merge(&counts);
            let rates = rates(&counts, rules);
            let score = score(&rates, &rules.weights);
            Group {
                key,
                counts,
                rates,
                score,
                rank: None,
            }
        })
        .collect();
    if group_by.ranks() {
        let ranks = rank(&groups.iter().map(|g| g.score).collect::<Vec<_>>());
        for (group, rank) in groups.iter_mut().zip(ranks) {
            group.rank = rank;
        }
        groups.sort_by(|a, b| {
            (a.rank.is_none(), a.rank, &a.key).cmp(&(b.rank.is_none(), b.rank, &b.key))
        });
    }
    let total_rates = rates(&total, rules);
    let total = Group {
        key: "total".to_owned(),
        counts: total,
        score: score(&total_rates, &rules.weights),
        rates: total_rates,
        rank: None,
    };
    (groups, total)
}

#[cfg(test)]
mod tests;
