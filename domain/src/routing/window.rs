//! Times of day a rule applies in, e.g. nights (22:00–07:00) for a noise rule.

use std::fmt;

use chrono::NaiveTime;

/// A local time-of-day range, start included, end excluded. When the end
/// comes before the start the window runs across midnight: 22:00–07:00
/// holds 23:30 and 06:59 but not 07:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    start: NaiveTime,
    end: NaiveTime,
}

/// A window whose start equals its end would be either empty or the whole
/// day; a rule that applies all day simply has no window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a time window starts and ends at different times; leave it out to apply all day")]
pub struct EmptyWindow;

impl TimeWindow {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, EmptyWindow> {
        if start == end {
            return Err(EmptyWindow);
        }
        Ok(TimeWindow { start, end })
    }

    pub fn start(self) -> NaiveTime {
        self.start
    }

    pub fn end(self) -> NaiveTime {
        self.end
    }

    pub fn crosses_midnight(self) -> bool {
        self.end < self.start
    }

    pub fn contains(self, at: NaiveTime) -> bool {
        if self.crosses_midnight() {
            at >= self.start || at < self.end
        } else {
            self.start <= at && at < self.end
        }
    }

    /// Whether some time of day lies in both. Two arcs of a circle share a
    /// point exactly when one of them holds the other's start (walk back from
    /// a shared point: the first start met lies inside the other arc), which
    /// needs no special case for midnight.
    pub fn overlaps(self, other: TimeWindow) -> bool {
        self.contains(other.start) || other.contains(self.start)
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}
