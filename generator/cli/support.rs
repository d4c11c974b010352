//! Output, exit codes and argument helpers shared by every generated CLI,
//! and [`Extension`], the contract of a tool's hand-written commands.
//!
//! The crate root names the library it drives `library`
//! (`use photoslibrary_v1 as library;`), so this file is the same for every API.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{ArgMatches, Command};
use futures_util::future::LocalBoxFuture;
use serde_json::Value;

use crate::library::{self, Client, ClientBuilder};

/// Hand-written commands of one API's tool (its CLI overlay). The target's
/// `cli_extension` names the type that implements it (it must also be
/// `Default`); a tool without one uses `()`. Every method has a
/// default that does nothing, so an extension implements only what it needs.
///
/// The futures borrow their arguments and need not be `Send`: the tool runs
/// on a current-thread runtime.
pub trait Extension {
    /// Commands added to the top level of the tool, next to the generated
    /// resources.
    fn commands(&self) -> Vec<Command> {
        Vec::new()
    }

    /// Runs a command that needs no client (such as `auth login`): `Some`
    /// with the exit code when `matches` is one, before any token is looked for.
    fn run_without_client<'a>(
        &'a self,
        matches: &'a ArgMatches,
    ) -> LocalBoxFuture<'a, Option<ExitCode>> {
        let _ = matches;
        Box::pin(async { None })
    }

    /// A client builder with stored credentials, asked when neither `--token`
    /// nor the token variable is given.
    fn stored_credentials(&self) -> LocalBoxFuture<'_, Option<ClientBuilder>> {
        Box::pin(async { None })
    }

    /// Runs one of [`commands`](Extension::commands): `Some` with the result
    /// when `path` (the subcommand names) is one, tried before the generated
    /// commands; `m` holds the innermost subcommand's arguments.
    fn run<'a>(
        &'a self,
        client: &'a Client,
        path: &'a [&'a str],
        m: &'a ArgMatches,
        output: Output,
    ) -> LocalBoxFuture<'a, Option<Result<(), ExitCode>>> {
        let _ = (client, path, m, output);
        Box::pin(async { None })
    }
}

/// The extension of a tool that has none: only the generated commands.
impl Extension for () {}

/// Exit codes, as the README lists them: a local file or folder could not
/// be read or written (or a local port had).
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
#[allow(dead_code)] // only tools with long-running commands catch signals
pub const EXIT_INTERRUPTED: u8 = 130;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Json,
    JsonLines,
    Table,
}

impl Output {
    pub fn parse(s: &str) -> Output {
        match s {
            "json-lines" => Output::JsonLines,
            "table" => Output::Table,
            _ => Output::Json,
        }
    }
}

/// Prints one result (a response, or one item with `--all`).
pub fn print(output: Output, value: &Value, header: &mut Option<Vec<String>>) {
    let mut out = std::io::stdout().lock();
    let _ = match output {
        Output::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        ),
        Output::JsonLines => writeln!(out, "{value}"),
        Output::Table => {
            let rows: Vec<&Value> = match value {
                Value::Object(map) => match map.values().find(|v| v.is_array()) {
                    Some(Value::Array(items)) => items.iter().collect(),
                    _ => vec![value],
                },
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for row in rows {
                let columns = header.get_or_insert_with(|| {
                    let cols: Vec<String> = match row {
                        Value::Object(m) => m
                            .iter()
                            .filter(|(_, v)| !v.is_object() && !v.is_array())
                            .map(|(k, _)| k.clone())
                            .collect(),
                        _ => vec!["value".into()],
                    };
                    let shown: Vec<String> = cols.iter().map(|c| printable(c)).collect();
                    let _ = writeln!(out, "{}", shown.join("\t"));
                    cols
                });
                let cells: Vec<String> = columns
                    .iter()
                    .map(|c| match row.get(c).unwrap_or(row) {
                        // Tabs and line breaks would break the table too.
                        Value::String(s) => printable(s),
                        Value::Null => String::new(),
                        v if row.get(c).is_some() => v.to_string(),
                        _ => String::new(),
                    })
                    .collect();
                let _ = writeln!(out, "{}", cells.join("\t"));
            }
            Ok(())
        }
    };
}

/// Reads a JSON request body from a file, or from standard input for `-`.
#[allow(dead_code)] // a tool of an API without request bodies has no use for it
pub fn read_body(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the body from standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the body from {path}: {e}"))
    }
}

/// Prints `error` (never a token: errors carry none; the server's text made
/// [`printable`]) and picks the exit code.
pub fn fail(error: &library::Error) -> ExitCode {
    eprintln!("error: {}", printable(&error.to_string()));
    let accepted = error.accepted_scopes();
    if !accepted.is_empty() {
        eprintln!(
            "hint: sign in again with `auth login`, asking for one of: {}",
            printable(&accepted.join(", "))
        );
    }
    exit_code(error)
}

/// The exit code for `error`, as documented in the crate README.
pub fn exit_code(error: &library::Error) -> ExitCode {
    use library::Error;
    let code = match error {
        Error::Auth(_) | Error::ScopeNotGranted { .. } => EXIT_AUTH,
        Error::Api(api) if matches!(api.status.as_u16(), 401 | 403) => EXIT_AUTH,
        Error::Api(_) | Error::Expired { .. } | Error::RetryAfterTooLong { .. } => EXIT_API,
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
    };
    ExitCode::from(code)
}

/// `text` (from a server or a file) safe to print on one terminal line:
/// control characters (escape sequences, line breaks, tabs) and
/// bidirectional overrides become spaces.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' => ' ',
            c => c,
        })
        .collect()
}

/// A usage error (bad flag value or body).
pub fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}
