//! Every problem `code` the API answers with, its HTTP status and its title,
//! in one table. Clients branch on the code, so a code never changes once
//! published; the README's "Problem codes" table lists them all (a test
//! below checks it). This is the only place in the API that chooses an
//! error status.

use actix_web::http::StatusCode;

/// Declares [`ErrorCode`] from one table, so that `ALL`, `code`, `status`
/// and `title` cannot disagree or miss a variant.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $status:ident, $title:literal;)+) => {
        /// A stable, machine-readable kind of problem (RFC 9457 `code`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The `code` member of the problem document.
            pub const fn code(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            /// The HTTP status the API answers with.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }

            /// The `title` member: short, the same for every problem of the code.
            pub const fn title(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $title,)+
                }
            }
        }
    };
}

error_codes! {
    // The request itself.
    /// The request cannot be parsed: bad JSON syntax, a missing header, an
    /// unreadable body or form.
    MalformedRequest => "malformed_request", BAD_REQUEST, "Bad Request";
    /// Well-formed input with unusable values; `errors` names each field.
    ValidationFailed => "validation_failed", UNPROCESSABLE_ENTITY, "Unprocessable Entity";
    /// The body is not `application/json`.
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type";
    /// The body is larger than the endpoint accepts.
    PayloadTooLarge => "payload_too_large", PAYLOAD_TOO_LARGE, "Payload Too Large";
    /// No route for this path.
    NotFound => "not_found", NOT_FOUND, "Not Found";
    /// The route exists for other methods, named in `Allow`.
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED, "Method Not Allowed";
    /// Another client error raised by the HTTP framework itself; the status
    /// says which (only `startup`'s rewrite of non-problem answers uses it).
    ClientError => "client_error", BAD_REQUEST, "Client Error";

    // Who is asking.
    /// No valid credentials; `WWW-Authenticate` says why.
    Unauthenticated => "unauthenticated", UNAUTHORIZED, "Unauthorized";
    /// Sign-in with a wrong username or password.
    InvalidCredentials => "invalid_credentials", UNAUTHORIZED, "Unauthorized";
    /// A refresh token that is invalid, expired or revoked.
    InvalidRefreshToken => "invalid_refresh_token", UNAUTHORIZED, "Unauthorized";
    /// Too many failed sign-ins; `Retry-After` says when to try again.
    TooManyAttempts => "too_many_attempts", TOO_MANY_REQUESTS, "Too Many Requests";
    /// More requests than the caller's quota (anonymous reads per address);
    /// `Retry-After` says when to try again.
    TooManyRequests => "too_many_requests", TOO_MANY_REQUESTS, "Too Many Requests";
    /// The caller may see the object but not do this to it.
    Forbidden => "forbidden", FORBIDDEN, "Forbidden";
    /// The account is disabled.
    AccountDisabled => "account_disabled", FORBIDDEN, "Forbidden";

    // What is stored.
    /// The change conflicts with what is stored (a unique key, a reference).
    Conflict => "conflict", CONFLICT, "Conflict";
    /// A username or phone number belongs to another account.
    Taken => "taken", CONFLICT, "Conflict";
    /// The object changed since the `If-Match` version; `ETag` is the current one.
    StaleVersion => "stale_version", PRECONDITION_FAILED, "Precondition Failed";
    /// The same `Idempotency-Key` with a different body.
    IdempotencyKeyReused => "idempotency_key_reused", UNPROCESSABLE_ENTITY, "Unprocessable Entity";
    /// A request with this `Idempotency-Key` ran at the same time and answered
    /// first; a retry gets its answer.
    RequestInProgress => "request_in_progress", CONFLICT, "Conflict";
    /// No grid contains the point.
    OutsideAllGrids => "outside_all_grids", NOT_FOUND, "Not Found";

    // Incidents.
    /// The step is not possible in the incident's state; `current_status` and
    /// `allowed_actions` say what is.
    InvalidTransition => "invalid_transition", CONFLICT, "Conflict";
    /// Lost the race for the incident several times running.
    Busy => "busy", CONFLICT, "Conflict";
    /// The lead resolves before every assisting party reported; `pending_parties`.
    AssistsPending => "assists_pending", CONFLICT, "Conflict";
    /// An assist step before its turn (report before acknowledge, …).
    AssistOutOfTurn => "assist_out_of_turn", CONFLICT, "Conflict";
    /// A suspension or extension not possible now.
    ClockRequestConflict => "clock_request_conflict", CONFLICT, "Conflict";
    /// The incident is closed or rejected and takes no more photos.
    IncidentClosed => "incident_closed", CONFLICT, "Conflict";
    /// A link to a root-cause case that the links as they stand forbid: the
    /// incident is linked to another root, is itself a root, or the root is
    /// linked elsewhere.
    LinkConflict => "link_conflict", CONFLICT, "Conflict";
    /// A photo over the size limit.
    PhotoTooLarge => "photo_too_large", PAYLOAD_TOO_LARGE, "Payload Too Large";
    /// An empty photo.
    PhotoEmpty => "photo_empty", UNPROCESSABLE_ENTITY, "Unprocessable Entity";
    /// Not a JPEG, PNG, HEIC or WebP image, or one whose metadata cannot be removed.
    PhotoUnsupportedType => "photo_unsupported_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type";
    /// An image whose structure cannot be read.
    PhotoCorrupt => "photo_corrupt", UNPROCESSABLE_ENTITY, "Unprocessable Entity";

    // Patrols.
    /// The walker already has a running patrol; `running_patrol` names it.
    PatrolRunning => "patrol_running", CONFLICT, "Conflict";
    /// The patrol has ended (ending it again), or ended too long ago to take more points.
    PatrolEnded => "patrol_ended", CONFLICT, "Conflict";

    // Routing.
    /// A rule as specific as another for the same case; `existing_rule` and `new_rule`.
    RuleConflict => "rule_conflict", CONFLICT, "Conflict";

    // The server.
    /// A failure of ours; the cause is logged, never sent.
    Internal => "internal", INTERNAL_SERVER_ERROR, "Internal Server Error";
    /// The database cannot be reached; `Retry-After` says when to try again.
    DatabaseUnavailable => "database_unavailable", SERVICE_UNAVAILABLE, "Service Unavailable";
    /// The database lacks migrations this build expects (`/readyz`).
    NotMigrated => "not_migrated", SERVICE_UNAVAILABLE, "Service Unavailable";
}

impl ErrorCode {
    /// The code named `code`, if there is one.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.code() == code)
    }

    /// The code of an error answer the HTTP framework made itself (a 404 of
    /// an unknown route, its own 413), for rewriting it as a problem.
    pub fn of_framework_status(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::BAD_REQUEST => ErrorCode::MalformedRequest,
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            s if s.is_server_error() => ErrorCode::Internal,
            _ => ErrorCode::ClientError,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_errors() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.code()), "{} twice", code.code());
            assert!(
                code.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{} is not snake_case",
                code.code()
            );
            assert!(
                code.status().is_client_error() || code.status().is_server_error(),
                "{} is not an error status",
                code.code()
            );
            assert!(!code.title().is_empty());
            assert_eq!(ErrorCode::parse(code.code()), Some(*code));
        }
    }

    /// The README's "Problem codes" table has a row `| `code` | status | … |`
    /// for every code, with its status, and no row for a code that is gone.
    #[test]
    fn the_readme_lists_every_code_with_its_status() {
        let readme = include_str!("../../../README.md");
        let table: Vec<(&str, &str)> = readme
            .split("### Problem codes")
            .nth(1)
            .expect("README.md has a \"### Problem codes\" section")
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| {
                let mut cells = l.split('|').map(str::trim).skip(1);
                let code = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
                Some((code, cells.next()?))
            })
            .collect();
        for code in ErrorCode::ALL {
            let status = match code {
                ErrorCode::ClientError => "4xx".to_owned(),
                _ => code.status().as_u16().to_string(),
            };
            assert!(
                table.contains(&(code.code(), status.as_str())),
                "README.md lacks the row `{}` | {status}",
                code.code()
            );
        }
        for (code, _) in &table {
            assert!(
                ErrorCode::parse(code).is_some(),
                "README.md lists `{code}`, which the API does not use"
            );
        }
    }

    /// Titles are the statuses' reason phrases, as before the codes had titles.
    #[test]
    fn titles_are_the_reason_phrases_of_their_statuses() {
        for code in ErrorCode::ALL
            .iter()
            .filter(|c| **c != ErrorCode::ClientError)
        {
            assert_eq!(code.status().canonical_reason(), Some(code.title()));
        }
    }

    #[test]
    fn framework_statuses_keep_their_codes() {
        assert_eq!(
            ErrorCode::of_framework_status(StatusCode::PAYLOAD_TOO_LARGE),
            ErrorCode::PayloadTooLarge
        );
        assert_eq!(
            ErrorCode::of_framework_status(StatusCode::BAD_GATEWAY),
            ErrorCode::Internal
        );
        assert_eq!(
            ErrorCode::of_framework_status(StatusCode::REQUEST_TIMEOUT),
            ErrorCode::ClientError
        );
    }
}
