#![doc = include_str!("generated/README.md")]
//! ## The ambient flow
//!
//! [`frames`], written by hand: a device (a photo frame, a TV) registered
//! in the user's account, the user's choice of what it shows awaited, and
//! the chosen media items listed and downloaded with fresh base URLs, as
//! the API's guide prescribes.
#![forbid(unsafe_code)]
// docs.rs marks the items each feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The code generated from the discovery document (`cargo xtask regenerate`).
#[rustfmt::skip]
mod generated;
pub use generated::*;

// The runtime's modules, as the generated code names them.
#[allow(unused_imports)]
use discovery_runtime::{net, transport};

pub mod frames;
