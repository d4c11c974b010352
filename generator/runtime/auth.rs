//! Access tokens.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::error::BoxError;

/// The future a [`TokenSource`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send + 'a>>;

/// Supplies OAuth 2.0 access tokens for calls.
///
/// It receives the scopes the method accepts (any one of them suffices), so a
/// source can request a narrow token. It is called before every attempt:
/// cache tokens inside the source. Object safe: the client holds it as
/// `Arc<dyn TokenSource>`.
pub trait TokenSource: Send + Sync {
    /// Returns an access token (without the `Bearer ` prefix).
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a>;
}

/// A fixed access token. Its `Debug` output never shows the token.
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    /// Wraps `token` (without the `Bearer ` prefix).
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn token<'a>(&'a self, _scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

/// A token source made from a closure returning a future; see [`token_fn`].
pub struct TokenFn<F>(F);

/// Makes a [`TokenSource`] from a closure that receives the method's scopes.
///
/// ```
/// # use __crate__ as api;
/// let tokens = api::token_fn(|_scopes: Vec<String>| async {
///     Ok::<_, api::BoxError>(std::env::var("PHOTOS_TOKEN")?)
/// });
/// let client = api::Client::builder().token_source(tokens).build();
/// ```
pub fn token_fn<F, Fut>(f: F) -> TokenFn<F>
where
    F: Fn(Vec<String>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
{
    TokenFn(f)
}

impl<F> fmt::Debug for TokenFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenFn")
    }
}

impl<F, Fut> TokenSource for TokenFn<F>
where
    F: Fn(Vec<String>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
{
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin((self.0)(scopes.iter().map(|s| s.to_string()).collect()))
    }
}
