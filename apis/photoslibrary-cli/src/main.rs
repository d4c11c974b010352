//! `photoslibrary`: every method of the Photos Library API as a command
//! (generated into `generated/`), plus `upload`, `download`, `pick` and
//! `frame` (`extra`), run by the CLI runtime.

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

/// The Ambient API's scope, for `frame`: asked for only when named
/// (`auth login --scope ambient`).
const AMBIENT: Scope = Scope {
    name: "ambient",
    url: photosambient_v1::scopes::PHOTOSAMBIENT_MEDIAITEMS,
    about: "show the albums you choose in a folder with `frame`",
    login: false,
};

fn main() -> std::process::ExitCode {
    App::new(&generated::TOOL)
        .scopes(&[PICKER, AMBIENT])
        .extension(extra::Photos)
        .main()
}
