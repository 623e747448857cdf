use super::{ActionKind, AssistError, Status};

/// Why a step was refused. The incident is unchanged whichever it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// The actor may not know this incident exists (404).
    #[error("no such incident")]
    Hidden,
    /// The actor sees the incident, but their role and relation to it never
    /// let them take this step (403).
    #[error("you may not {action} this incident")]
    Forbidden { action: ActionKind },
    /// The actor's roles do not report incidents (handlers, administrators) (403).
    #[error("your role does not report incidents")]
    NotAReporter,
    /// The actor may take this step, but not while the incident is in
    /// `current`; `allowed` is what this actor may do now (409).
    #[error("not possible while the incident is {current}")]
    InvalidTransition {
        current: Status,
        allowed: Vec<ActionKind>,
    },
    /// The lead may not resolve while these assisting parties have not
    /// reported (409).
    #[error("waiting for the assisting parties to report: {}", parties.join(", "))]
    AssistsPending { parties: Vec<String> },
    /// An assist step was refused ([`AssistError`] says how).
    #[error(transparent)]
    Assist(AssistError),
    /// The step's input is unusable: a blank reason, a second rating (422).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}
