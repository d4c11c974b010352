#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// docs.rs marks the items each feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod client;
pub mod created;
pub mod error;
pub mod field_mask;
pub mod files;
#[doc(hidden)]
pub mod macros;
pub mod media;
#[doc(hidden)]
pub mod net;
#[doc(hidden)]
pub mod pagination;
#[doc(hidden)]
pub mod path;
#[doc(hidden)]
pub mod resumable;
pub mod retry;
#[doc(hidden)]
pub mod transport;
pub mod types;
#[doc(hidden)]
pub mod wire;

#[cfg(feature = "yup-oauth2")]
#[cfg_attr(docsrs, doc(cfg(feature = "yup-oauth2")))]
pub use auth::YupOAuth2;
pub use auth::{token_fn, StaticToken, TokenFn, TokenFuture, TokenSource};
/// The date and time types of timestamps and dates in the models.
pub use chrono;
#[doc(hidden)]
pub use client::EXAMPLE_API;
pub use client::{Api, Client, ClientBuilder, Endpoint};
/// The one list of characters that hide or reorder text, and printing
/// server text safely.
pub use discovery_text as text;
pub use error::{ApiError, BoxError, Error, GoogleError, RawBody, Result};
pub use field_mask::FieldMask;
pub use net::{HeaderMap, StatusCode, TransportError};
pub use retry::RetryPolicy;
pub use transport::{BoxFuture, RequestPreview, Xgafv};
