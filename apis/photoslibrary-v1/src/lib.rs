#![doc = include_str!("generated/README.md")]
//! ## The Library API since March 2025
//!
//! Since 31 March 2025 the Library API serves apps the media items and
//! albums they created themselves: the scopes that read a whole library are
//! gone, the methods Google withdrew are `#[deprecated]` here with the date
//! and what to use instead, and each method's docs say which scopes still
//! work. To read the photos a user already has, use `photospicker-v1` (the
//! user picks them) or `photosambient-v1` (the user chooses albums for a
//! photo frame or a TV); both share this crate's runtime, token source and
//! connections.
//!
//! ## Photos extras
//!
//! What the discovery document does not describe, written by hand:
//!
//! - [`uploads`]: raw and resumable byte uploads for
//!   `mediaItems.batchCreate`, in chunks the server's granularity allows,
//!   resumed from the server's offset after an interruption, and across
//!   processes ([`uploads::Upload::on_session`], [`uploads::Upload::resume`]);
//! - [`batch`]: batch calls of any size, in requests of 50, results in
//!   input order;
//! - [`download`]: base-URL options, streaming and resumable file
//!   downloads with fresh base URLs, the daily quota of media-byte requests
//!   ([`Client::media_requests`]).
//!
//! ```no_run
//! # async fn run(client: photoslibrary_v1::Client) -> photoslibrary_v1::Result<()> {
//! use photoslibrary_v1::models::NewMediaItem;
//!
//! let token = client
//!     .uploads()
//!     .file("holiday/IMG_0001.jpg", "image/jpeg")
//!     .await?
//!     .send()
//!     .await?;
//! let created = client
//!     .media_items()
//!     .batch_create_all([NewMediaItem::from_upload_token(token, "IMG_0001.jpg")], None)
//!     .await?;
//! # let _ = created; Ok(()) }
//! ```
#![forbid(unsafe_code)]
// docs.rs marks the items each feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]
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
