//! The Photos overlay (`generator/overlays/photoslibrary`) compiled where it
//! is written, against the generated code as it is now: the generated crate's
//! root and modules come from `generated/photoslibrary-v1/src` (see
//! `build.rs`), the hand-written modules from here. So `cargo check` and
//! rust-analyzer see an edit to an overlay module before any
//! `cargo xtask regenerate`; the regenerate copies the modules into the
//! generated crate, which declares them as this file does.
//!
//! This file, `build.rs` and `Cargo.toml` are not copied.
#![forbid(unsafe_code)]
// As in the generated root (whose inner attributes `build.rs` drops): the
// crate's own uses of its deprecated items.
#![allow(deprecated)]

include!(concat!(env!("OUT_DIR"), "/generated_lib.rs"));

// The overlay's modules: one `pub mod` per `src/<name>.rs`.
pub mod batch;
pub mod download;
pub mod uploads;
