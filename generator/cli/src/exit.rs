//! Exit codes, as every tool's README lists them, and how errors are
//! reported: one line on standard error, server text made printable, a
//! hint where there is something to do.

use std::process::ExitCode;

use discovery_runtime::Error;

use crate::printable;

/// A local file or folder could not be read or written (or a local port had).
pub const EXIT_LOCAL: u8 = 1;
/// A bad argument, flag value or body.
pub const EXIT_USAGE: u8 = 2;
/// No token, a refused one (401, 403) or a scope not granted.
pub const EXIT_AUTH: u8 = 3;
/// The API answered with an error (or a quota, session or URL ran out).
pub const EXIT_API: u8 = 4;
/// The server could not be reached or did not answer in time.
pub const EXIT_NETWORK: u8 = 5;
/// The server's answer broke the protocol or did not decode.
pub const EXIT_PROTOCOL: u8 = 6;
/// Stopped by Ctrl-C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit code for `error`.
pub fn exit_code(error: &Error) -> ExitCode {
    ExitCode::from(code(error))
}

/// Whether `error` is about the credentials (no token, a refused one, a
/// scope not granted): what `auth login` mends, and what makes a long
/// command stop rather than fail item after item.
pub fn is_auth(error: &Error) -> bool {
    code(error) == EXIT_AUTH
}

fn code(error: &Error) -> u8 {
    match error {
        Error::Auth(_) | Error::ScopeNotGranted { .. } => EXIT_AUTH,
        Error::Api(api) if matches!(api.status.as_u16(), 401 | 403) => EXIT_AUTH,
        Error::Api(_)
        | Error::Expired { .. }
        | Error::RetryAfterTooLong { .. }
        | Error::QuotaExhausted { .. } => EXIT_API,
        Error::Transport(_) | Error::Timeout => EXIT_NETWORK,
        Error::InvalidArgument { .. } => EXIT_USAGE,
        Error::Io { .. } => EXIT_LOCAL,
        Error::Decode { .. }
        | Error::Protocol { .. }
        | Error::RepeatedPageToken { .. }
        | Error::ResponseTooLarge { .. } => EXIT_PROTOCOL,
        // A stub's unimplemented method, and variants added later: the
        // client could not complete the call as the API describes it.
        _ => EXIT_PROTOCOL,
    }
}

/// Prints `error` (never a token: errors carry none; the server's text made
/// printable) and, for a missing scope, how to get it; returns its exit code.
pub fn fail(error: &Error) -> ExitCode {
    eprintln!("error: {}", printable(&error.to_string()));
    let accepted = error.accepted_scopes();
    if !accepted.is_empty() {
        let tool = crate::app::tool_name();
        let names = crate::auth::scope_names(&accepted);
        let scopes = if names.is_empty() {
            format!("one of {}", accepted.join(", "))
        } else {
            names
                .iter()
                .map(|n| format!("--scope {n}"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        eprintln!(
            "hint: sign in again asking for it: `{tool} auth login {}`",
            printable(&scopes)
        );
    }
    exit_code(error)
}

/// A usage error (a bad flag value or body): printed, exit code 2.
pub fn usage(message: &str) -> ExitCode {
    eprintln!("error: {}", printable(message));
    ExitCode::from(EXIT_USAGE)
}
