//! Repositories: rows in, domain values out. One module per table family.

pub mod areas;
pub mod assists;
pub mod audit;
pub mod calendar;
pub mod campaigns;
pub mod categories;
pub mod chain;
pub mod check_answers;
pub mod clock_requests;
pub mod deadlines;
pub mod evidence;
pub mod feed;
pub mod hotspots;
pub mod idempotency;
pub mod incidents;
pub mod ledger;
pub mod links;
pub mod merged;
pub mod notifications;
pub mod open311;
pub mod parties;
pub mod patrols;
pub mod rosters;
pub mod routing;
pub mod secrets;
pub mod sessions;
pub mod stats;
pub mod throttle;
pub mod time_limits;
pub mod users;

use chrono::{NaiveDateTime, SubsecRound, Utc};

/// Now, at the precision both backends keep (PostgreSQL stores microseconds).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// One page of a keyset-paginated list: `next` is the cursor for the page
/// after, absent on the last page.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says
    /// that there is more.
    pub fn from_overfetch(
        mut rows: Vec<T>,
        limit: usize,
        cursor_of: impl Fn(&T) -> String,
    ) -> Self {
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(cursor_of)
        } else {
            None
        };
        Page { items: rows, next }
    }
}
