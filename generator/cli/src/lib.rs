//! The runtime of every command-line tool generated from a Google discovery
//! document. A tool is data: the generator describes the API's resources,
//! methods and parameters as a static [`Tool`] (with, per method, a small
//! function that calls the typed library), and [`App`] turns it into the
//! command: clap's argument parsing, the output formats, `--all` paging,
//! `--dry-run`, bodies from files and standard input, `--upload` and
//! `--download`, `auth login|status|logout`, shell completions and exit
//! codes. Hand-written commands plug in as an [`Extension`].
//!
//! ```no_run
//! # use discovery_cli::{App, Tool};
//! # fn run<C: From<discovery_runtime::Client> + std::ops::Deref<Target = discovery_runtime::Client> + 'static>(tool: &'static Tool<C>) {
//! let code = App::new(tool).main();
//! # let _ = code; }
//! ```
#![forbid(unsafe_code)]

mod action;
mod app;
mod args;
pub mod auth;
mod command;
pub mod exit;
pub mod files;
pub mod output;
pub mod progress;
mod spec;

pub use action::{items, Action};
pub use app::{interrupted, App, Extension, Run};
pub use args::{read_body, Args};
pub use exit::{
    exit_code, fail, usage, EXIT_API, EXIT_AUTH, EXIT_INTERRUPTED, EXIT_LOCAL, EXIT_NETWORK,
    EXIT_PROTOCOL, EXIT_USAGE,
};
pub use output::Output;
pub use spec::{BodyField, Location, Method, Paging, Param, Probe, Resource, RunFn, Scope, Tool};

/// Text from a server or a file, safe to print on one terminal line.
pub use discovery_runtime::text::printable;
