//! Generates a self-contained async Rust client crate from a Google discovery document.
//!
//! The pipeline is four pure stages, each testable on its own:
//! [`discovery::Document::parse`] (text -> serde model), [`lower::lower`]
//! (model -> [`ir::Api`]), [`emit`] (IR -> token streams and templates) and
//! [`format`](mod@format) (token streams -> formatted source with the `@generated` header).
//! [`generate`] runs them all and returns the crate's files; it never touches the
//! file system.

pub mod discovery;
pub mod emit;
pub mod emit_cli;
pub mod format;
pub mod ir;
pub mod lower;
pub mod manifest;
pub mod markdown;
pub mod names;
pub mod wrap;

use std::fmt;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cargo package name; default `{name}-{version}` of the document.
    pub crate_name: Option<String>,
    /// Where the document lives, as shown in every file's header
    /// (e.g. `discovery/photoslibrary.v1.json`).
    pub source: String,
    /// The command that regenerates the crate, as shown in every file's header.
    pub command: String,
    /// Hand-written files for this API (`src/uploads.rs`, `examples/x.rs`),
    /// copied into the crate; each `src/<name>.rs` becomes `pub mod <name>`.
    pub overlays: Vec<File>,
    /// Where the overlay files come from (e.g. `generator/overlays/photoslibrary`),
    /// as shown in their header.
    pub overlay_source: Option<String>,
    /// The command-line tool's hand-written commands: the path, from the tool's
    /// crate root, of a type in its overlay that implements the tool's
    /// `support::Extension` trait and `Default` (e.g. `extra::Photos`, defined
    /// in the overlay's `src/extra.rs`). `None`: only the generated commands.
    pub cli_extension: Option<String>,
    /// The tool's binary name; default the document's `name` (or the crate's
    /// name when that is not a usable one).
    pub cli_binary: Option<String>,
    /// Top-level commands a hand-written tool adds (Photos's `upload`): the
    /// generated commands keep clear of these names.
    pub cli_commands: Vec<String>,
    /// Other generated libraries the tool's extension uses (the Photos tool's
    /// `pick` drives the Picker API's crate): each crate's package name and
    /// path from the tool's crate, added to its dependencies.
    pub cli_libraries: Vec<(String, String)>,
    /// The path of the runtime crate (`generator/runtime`) as the generated
    /// crate's manifest names it: relative to the crate's folder, or absolute.
    pub runtime_path: String,
    /// What an overlay knows about the API beyond its document (a method the
    /// service withdrew without saying so, scopes it no longer grants): see
    /// [`Lifecycle`]. A method id or scope the document does not have is an
    /// error.
    pub lifecycle: Lifecycle,
}

/// An overlay's `lifecycle.json`: per method id, a deprecation note, a
/// paragraph for its docs and the scopes that still work; per scope URL, a
/// deprecation note.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    #[serde(default)]
    pub methods: std::collections::BTreeMap<String, MethodLifecycle>,
    #[serde(default)]
    pub scopes: std::collections::BTreeMap<String, String>,
}

/// What an overlay says about one method.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodLifecycle {
    /// Marks the method deprecated with this note (the document's own note
    /// is replaced).
    pub deprecated: Option<String>,
    /// A paragraph added to the method's docs.
    pub note: Option<String>,
    /// The scopes the method accepts now, replacing the document's list
    /// (token sources are asked for these).
    pub scopes: Option<Vec<String>>,
}

impl Lifecycle {
    /// Parses a `lifecycle.json`; errors name the JSON path.
    pub fn parse(text: &str) -> Result<Lifecycle, Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Overlay {
            path: format!("lifecycle.json: $.{}", e.path()),
            message: e.into_inner().to_string(),
        })
    }

    /// Marks `id` deprecated with `note` (for tests and tools).
    pub fn deprecate(mut self, id: &str, note: &str) -> Self {
        self.methods.entry(id.to_string()).or_default().deprecated = Some(note.to_string());
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            crate_name: None,
            source: "the discovery document".into(),
            command: "cargo xtask regenerate".into(),
            overlays: Vec::new(),
            overlay_source: None,
            cli_extension: None,
            cli_binary: None,
            cli_commands: Vec::new(),
            cli_libraries: Vec::new(),
            runtime_path: "../../generator/runtime".into(),
            lifecycle: Lifecycle::default(),
        }
    }
}

/// One generated file: a path relative to the crate root, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub contents: String,
}

/// Why a document could not be turned into a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is not JSON at all.
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// The JSON is not a valid discovery document; `path` is a JSON path such as
    /// `$.schemas.Album.properties.id.type`.
    Invalid { path: String, message: String },
    /// An overlay file cannot be added (its name is taken).
    Overlay { path: String, message: String },
    /// Emitted code did not parse, or a manifest does not have exactly the
    /// expected keys: a bug in the generator, reported, not panicked.
    Internal { file: String, message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotJson {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "the document is not valid JSON (line {line}, column {column}): {message}"
                )
            }
            Error::Invalid { path, message } => write!(f, "{path}: {message}"),
            Error::Overlay { path, message } => write!(f, "overlay {path}: {message}"),
            Error::Internal { file, message } => {
                write!(f, "internal error: generated {file}: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Parses `document`, lowers it and emits every file of the client crate,
/// sorted by path.
pub fn generate(document: &str, options: &Options) -> Result<Vec<File>, Error> {
    let doc = discovery::Document::parse(document)?;
    let api = lower::lower(&doc, options)?;
    emit::crate_files(&api, options)
}

/// Generates the command-line tool crate of `document`; `library_path` is the
/// library crate's path relative to the tool's crate.
pub fn generate_cli(
    document: &str,
    options: &Options,
    library_path: &str,
) -> Result<Vec<File>, Error> {
    let doc = discovery::Document::parse(document)?;
    let api = lower::lower(&doc, options)?;
    emit_cli::cli_files(&api, options, library_path)
}

/// Parses and lowers `document` without emitting (for IR snapshots and tools).
pub fn to_ir(document: &str, options: &Options) -> Result<ir::Api, Error> {
    let doc = discovery::Document::parse(document)?;
    lower::lower(&doc, options)
}
