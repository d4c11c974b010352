//! `photoslibrary`: every method of the Photos Library API as a command
//! (generated into `generated/`), plus `upload`, `download` and `pick`
//! (`extra`), run by the CLI runtime.

#![forbid(unsafe_code)]

mod extra;
/// The API's commands (`cargo xtask regenerate`).
#[rustfmt::skip]
mod generated;

use discovery_cli::{App, Scope};

/// The Picker API's scope, for `pick`: `auth login` asks for it too.
const PICKER: Scope = Scope {
    name: "picker",
    url: photospicker_v1::scopes::PHOTOSPICKER_MEDIAITEMS_READONLY,
    about: "read the photos you pick with `pick`",
    login: true,
};

fn main() -> std::process::ExitCode {
    App::new(&generated::TOOL)
        .scopes(&[PICKER])
        .extension(extra::Photos)
        .main()
}
