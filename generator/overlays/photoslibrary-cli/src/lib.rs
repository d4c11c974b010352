//! The Photos command-line overlay (`generator/overlays/photoslibrary-cli`)
//! compiled where it is written: its modules, the shared
//! `generator/cli/support.rs` (which holds the [`support::Extension`] trait
//! they implement) and the library under the name the tool gives it
//! (`library`), as the generated tool's `main.rs` declares them. The library
//! is the library overlay's crate, so a change there is seen here too,
//! before any `cargo xtask regenerate`.
//!
//! This file and `Cargo.toml` are not copied.

/// The library the tool drives, under the name `support.rs` uses.
use photoslibrary_v1 as library;

#[path = "../../../cli/support.rs"]
pub mod support;

// The overlay's modules: one `pub mod` per `src/<name>.rs`.
pub mod extra;

/// The target's `cli_extension` is an [`Extension`](support::Extension) with a `Default`.
const _: fn() = || {
    fn extension<E: support::Extension + Default>() {}
    extension::<extra::Photos>();
};
