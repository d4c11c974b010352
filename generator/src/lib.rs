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
    /// Where the generated code goes. `None`: a whole crate (`Cargo.toml`,
    /// `README.md`, `src/lib.rs` or `src/main.rs`, ...). `Some(name)`: only
    /// the module `crate::<name>`, in `src/<name>/` (`mod.rs`, the modules
    /// below it, and its `README.md`), for a hand-written crate that mounts
    /// it (`mod generated; pub use generated::*;`) and owns its manifest.
    pub module: Option<String>,
    /// The tool's binary name; default the document's `name` (or the crate's
    /// name when that is not a usable one).
    pub cli_binary: Option<String>,
    /// Top-level commands a hand-written tool adds (Photos's `upload`): the
    /// generated commands keep clear of these names.
    pub cli_commands: Vec<String>,
    /// The path of the runtime crate (`generator/runtime`) as the generated
    /// crate's manifest names it: relative to the crate's folder, or absolute.
    pub runtime_path: String,
    /// The path of the CLI runtime crate (`generator/cli`) as a generated
    /// tool's manifest names it.
    pub cli_runtime_path: String,
    /// What is known about the API beyond its document (a method the
    /// service withdrew without saying so, scopes it no longer grants): see
    /// [`Lifecycle`]. A method id or scope the document does not have is an
    /// error.
    pub lifecycle: Lifecycle,
    /// The version a whole crate's manifest gives the crate (and a whole
    /// tool its library); `cargo xtask update` bumps it as the revision diff
    /// says.
    pub version: String,
    /// Whether a whole crate may be published (`false` writes
    /// `publish = false`).
    pub publish: bool,
    /// A whole tool's library crate's version, which its manifest requires
    /// (default: the tool's own `version`).
    pub library_version: Option<String>,
}

/// The version of `discovery-runtime` and `discovery-cli` that generated
/// manifests require (the freshness tests keep it theirs).
pub const RUNTIME_VERSION: &str = "0.1.0";

/// An API's `lifecycle.json`: per method id, a deprecation note, a
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

/// What the lifecycle data says about one method.
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
        serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Lifecycle {
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
            module: None,
            cli_binary: None,
            cli_commands: Vec::new(),
            runtime_path: "../../generator/runtime".into(),
            cli_runtime_path: "../../generator/cli".into(),
            lifecycle: Lifecycle::default(),
            version: "0.1.0".into(),
            publish: true,
            library_version: None,
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
    /// The lifecycle data names what the document does not have, or does not
    /// parse; `path` is where (a method id, a scope, a JSON path).
    Lifecycle { path: String, message: String },
    /// An option cannot be used (a module name that is no identifier).
    Option { name: String, message: String },
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
            Error::Lifecycle { path, message } => write!(f, "lifecycle {path}: {message}"),
            Error::Option { name, message } => write!(f, "option {name}: {message}"),
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
    emit::templates::check_version(&options.version)?;
    let doc = discovery::Document::parse(document)?;
    let api = lower::lower(&doc, options)?;
    emit::crate_files(&api, options)
}

/// Generates the command-line tool of `document`: a whole crate, whose
/// library is at `library_path` (relative to the tool's crate), or with
/// [`Options::module`] only the module a hand-written tool mounts.
pub fn generate_cli(
    document: &str,
    options: &Options,
    library_path: &str,
) -> Result<Vec<File>, Error> {
    emit::templates::check_version(&options.version)?;
    if let Some(version) = &options.library_version {
        emit::templates::check_version(version)?;
    }
    let doc = discovery::Document::parse(document)?;
    let api = lower::lower(&doc, options)?;
    match &options.module {
        Some(module) => emit::cli::tool_module(&api, options, module),
        None => emit::cli::tool_crate(&api, options, library_path),
    }
}

/// Parses and lowers `document` without emitting (for IR snapshots and tools).
pub fn to_ir(document: &str, options: &Options) -> Result<ir::Api, Error> {
    let doc = discovery::Document::parse(document)?;
    lower::lower(&doc, options)
}
