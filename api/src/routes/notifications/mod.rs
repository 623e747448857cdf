//! Notifications: the phones that receive pushes, the in-app inbox, notices
//! to the people of an area, and the outbox for administrators.

pub mod devices;
pub mod inbox;
pub mod notices;
pub mod outbox;

use chrono::DateTime;

use crate::error::ApiError;

/// `{micros}_{id}`, the cursor of lists sorted by a time and an id.
pub(crate) fn parse_time_cursor(text: &str) -> Result<(chrono::NaiveDateTime, String), ApiError> {
    text.split_once('_')
        .and_then(|(micros, id)| {
            let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
            Some((at, id.to_owned()))
        })
        .ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor of this list"))
}
