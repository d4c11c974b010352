#![doc = include_str!("generated/README.md")]
//! ## Photos extras
//!
//! What the discovery document does not describe, written by hand:
//! [`uploads`] (raw and resumable byte uploads, for `mediaItems.batchCreate`),
//! [`batch`] (batch calls of any size, in requests of 50) and [`download`]
//! (base-URL options, streaming and resumable file downloads).
#![forbid(unsafe_code)]
// The crate's own uses of what it marks deprecated.
#![allow(deprecated)]

/// The code generated from the discovery document (`cargo xtask regenerate`).
#[rustfmt::skip]
mod generated;
pub use generated::*;

// The runtime's modules, as the generated code names them.
#[allow(unused_imports)]
use discovery_runtime::{net, resumable, transport};

pub mod batch;
pub mod download;
pub mod uploads;
