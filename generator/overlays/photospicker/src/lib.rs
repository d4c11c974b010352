//! The Picker overlay (`generator/overlays/photospicker`) compiled where it
//! is written, against the generated code as it is now: the generated crate's
//! root and modules come from `generated/photospicker-v1/src` (see
//! `../build.rs`), the hand-written modules from here. The regenerate copies
//! the modules into the generated crate, which declares them as this file does.
//!
//! This file and `Cargo.toml` are not copied.
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/generated_lib.rs"));

// The overlay's modules: one `pub mod` per `src/<name>.rs`.
pub mod picking;
