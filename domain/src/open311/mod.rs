//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>): what an
//! existing civic-tech client may send, what a case looks like from outside,
//! and what the public may read of it. A request is a resident's report by
//! other means; the incident rules apply to it unchanged.

pub mod privacy;
pub mod request;
pub mod status;

pub use privacy::{PublicView, public_by_default, public_view};
pub use request::{
    Attribute, AttributeValue, Choice, Datatype, Invalid, RETRY_WINDOW_MINUTES, RequestDraft,
    retry_buckets,
};
pub use status::{ExtendedStatus, PublicStep, ServiceStatus, public_step, status_of};
