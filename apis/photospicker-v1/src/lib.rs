#![doc = include_str!("generated/README.md")]
//! ## The picking flow
//!
//! [`picking`], written by hand: from [`Client::start_picking`] to
//! [`picking::Picking::delete`], polling, listing and downloading as the
//! API's guide prescribes.
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

pub mod picking;
