//! Before anyone calls (未诉先办): after a weather warning or before a season,
//! every grid of an area goes through a checklist — sheds and eaves under
//! snow, branches broken by it, e-bikes charged from wires out of windows —
//! and what a worker cannot fix on the spot becomes a case.
//!
//! A [`Template`] is the checklist; a campaign starts it over an area
//! subtree with a due time, one task per grid; each item of a task gets one
//! answer ([`answer`]); [`progress`] says where each grid stands.

pub mod answer;
pub mod progress;
pub mod template;

pub use answer::{Answer, AnswerKind, Judged, Sent, judge_answer};
pub use progress::{GridProgress, TaskState, progress_of};
pub use template::{Item, Template, TemplateDraft, Trigger, WarningLevel};
