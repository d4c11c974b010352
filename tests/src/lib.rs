//! Integration tests live beside this crate (`snapshots.rs`, `freshness.rs`,
//! `photos_client.rs`). This library only compiles the repository README's
//! usage example as a doctest, so the example can never go stale.

#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
