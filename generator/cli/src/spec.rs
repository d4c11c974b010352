//! What a generated tool describes of its API: static data, one entry per
//! resource, method and parameter, so that rustc checks it in time linear in
//! the number of methods and nothing is matched on strings.

use discovery_runtime::{BoxFuture, ClientBuilder, Result};

use crate::action::Action;
use crate::args::Args;

/// One API's tool.
pub struct Tool<C: 'static> {
    /// The binary's name (`photoslibrary`).
    pub name: &'static str,
    pub about: &'static str,
    pub long_about: &'static str,
    pub version: &'static str,
    /// The prefix of the tool's environment variables: `<PREFIX>_TOKEN`,
    /// `<PREFIX>_BASE_URL`, `<PREFIX>_CONFIG_DIR`, `<PREFIX>_CLIENT_SECRET`.
    pub env_prefix: &'static str,
    /// The scopes `auth login` can ask for.
    pub scopes: &'static [Scope],
    /// Methods on the document itself.
    pub methods: &'static [Method<C>],
    pub resources: &'static [Resource<C>],
    /// A builder of the library's client.
    pub builder: fn() -> ClientBuilder<C>,
    /// A call that `auth status` makes to show the credentials work (a GET
    /// that needs no argument), if the API has one.
    pub probe: Option<Probe<C>>,
}

/// A call that shows credentials work.
pub type Probe<C> = fn(&C) -> BoxFuture<Result<()>>;

/// A scope `auth login --scope NAME` asks for.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    /// The short name `--scope` takes (`readonly`).
    pub name: &'static str,
    pub url: &'static str,
    pub about: &'static str,
    /// Asked for when no `--scope` is given.
    pub login: bool,
}

/// One resource of the API: its command, its methods and the resources
/// below it.
pub struct Resource<C: 'static> {
    pub name: &'static str,
    pub about: &'static str,
    pub methods: &'static [Method<C>],
    pub resources: &'static [Resource<C>],
}

/// What runs one method: it reads the arguments and describes the call.
pub type RunFn<C> = fn(&C, &mut Args<'_>) -> std::result::Result<Action, std::process::ExitCode>;

/// One method of the API: its command, help, parameters, body flags,
/// paging and the function that runs it.
pub struct Method<C: 'static> {
    /// The subcommand.
    pub name: &'static str,
    /// The method id (`photoslibrary.albums.get`).
    pub id: &'static str,
    pub about: &'static str,
    pub long_about: &'static str,
    pub params: &'static [Param],
    /// `Some` when the method takes a request body: `--body` and a flag per
    /// scalar top-level field.
    pub body: Option<&'static [BodyField]>,
    pub paging: Paging,
    /// `--upload FILE` (and `--content-type`).
    pub upload: bool,
    /// `--download FILE`.
    pub download: bool,
    pub run: RunFn<C>,
}

/// Where a parameter goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the path: a positional argument.
    Path,
    /// In the query: a flag.
    Query,
}

/// A parameter's argument.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// The flag (without dashes) of a query parameter, the value name of a
    /// path parameter (which is also its argument's id).
    pub name: &'static str,
    pub help: &'static str,
    pub location: Location,
    pub required: bool,
    pub repeated: bool,
}

/// A flag that sets one scalar field of the request body.
#[derive(Clone, Copy, Debug)]
pub struct BodyField {
    pub flag: &'static str,
    /// The field's JSON name.
    pub wire: &'static str,
    /// Sent as a JSON string (strings and 64-bit integers), else parsed as
    /// JSON (numbers, booleans).
    pub quoted: bool,
}

/// How `--all` follows the pages of a paginated method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// Not paginated: no `--all`.
    None,
    /// Prints the items of every page.
    Items,
    /// Prints every page (the response has no single item list).
    Pages,
}
