//! Notifications: the phones that receive pushes, the in-app inbox, notices
//! to the people of an area, and the outbox for administrators.

pub mod devices;
pub mod inbox;
pub mod notices;
pub mod outbox;
