//! The client and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{StaticToken, TokenSource};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// The per-attempt timeout when the builder sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The entry point: one per application, cheap to clone (an `Arc` inside), safe
/// to share between tasks.
///
/// ```no_run
/// # async fn run() -> Result<(), __crate__::Error> {
/// let client = __crate__::Client::builder()
///     .bearer_token(std::env::var("ACCESS_TOKEN").unwrap_or_default())
///     .timeout(std::time::Duration::from_secs(30))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: crate::net::HttpClient,
    pub(crate) base_url: String,
    /// The base URL without the API's service path: media uploads and
    /// downloads are resolved against it.
    pub(crate) root_url: String,
    pub(crate) tokens: Option<Arc<dyn TokenSource>>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("authenticated", &self.inner.tokens.is_some())
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL every method path is resolved against.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

/// Configures a [`Client`].
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    tokens: Option<Arc<dyn TokenSource>>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("authenticated", &self.tokens.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sends requests to `url` instead of the API's own root URL (a proxy, an
    /// emulator, a mock server). A missing trailing `/` is added.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticates every call with a fixed access token.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.token_source(StaticToken::new(token))
    }

    /// Authenticates every call with tokens from `source`.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.tokens = Some(Arc::new(source));
        self
    }

    /// Sends calls without an `Authorization` header (for public methods or a
    /// local emulator).
    pub fn no_auth(mut self) -> Self {
        self.tokens = None;
        self
    }

    /// The time one attempt of a call may take (default 60 seconds); each call
    /// can override it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How failed calls are retried; each call can override it. Default:
    /// [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Builds the client. Fails when the base URL is not an absolute http(s) URL
    /// or the HTTP client cannot be set up.
    pub fn build(self) -> Result<Client> {
        let mut base_url = self
            .base_url
            .unwrap_or_else(|| crate::DEFAULT_BASE_URL.to_owned());
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        if !crate::net::check_base_url(&base_url) {
            return Err(Error::invalid_argument(
                "base_url",
                format!("{base_url:?} is not an absolute http(s) URL without a query"),
            ));
        }
        let http = crate::net::HttpClient::new()?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                root_url: base_url
                    .strip_suffix(crate::SERVICE_PATH)
                    .unwrap_or(&base_url)
                    .to_owned(),
                base_url,
                tokens: self.tokens,
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                retry: self.retry.unwrap_or_default(),
            }),
        })
    }
}
