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

    /// The scopes the tokens of this source carry, when the source knows them
    /// (a stored credential records what the user granted; a source that
    /// asks for fixed scopes gets those). A call whose method accepts none
    /// of them then fails before anything is sent, with
    /// [`Error::ScopeNotGranted`](crate::Error::ScopeNotGranted). `None`
    /// (the default): unknown, nothing is checked.
    fn granted_scopes(&self) -> Option<Vec<String>> {
        None
    }
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

/// A shared source: one `Arc` can serve the clients of several APIs.
impl<T: TokenSource + ?Sized> TokenSource for std::sync::Arc<T> {
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        (**self).token(scopes)
    }

    fn granted_scopes(&self) -> Option<Vec<String>> {
        (**self).granted_scopes()
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
/// # use discovery_runtime as api;
/// let tokens = api::token_fn(|_scopes: Vec<String>| async {
///     Ok::<_, api::BoxError>(std::env::var("PHOTOS_TOKEN")?)
/// });
/// let client: Result<api::Client, _> = api::ClientBuilder::new(&api::EXAMPLE_API)
///     .token_source(tokens)
///     .build();
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

/// [`TokenSource`] for a yup-oauth2 authenticator (feature `yup-oauth2`).
///
/// The installed-app flow is the normal way to act for a person against their
/// own library: the first call opens a consent page, and the refresh token is
/// persisted to disk so later runs need no browser.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use discovery_runtime::{Client, ClientBuilder, YupOAuth2, EXAMPLE_API};
/// use yup_oauth2::{read_application_secret, InstalledFlowAuthenticator, InstalledFlowReturnMethod};
///
/// let secret = read_application_secret("client_secret.json").await?;
/// let auth = InstalledFlowAuthenticator::builder(secret, InstalledFlowReturnMethod::HTTPRedirect)
///     .persist_tokens_to_disk("tokens.json")
///     .build()
///     .await?;
/// let scope = "https://www.googleapis.com/auth/photoslibrary.readonly";
/// let client: Client = ClientBuilder::new(&EXAMPLE_API)
///     .token_source(YupOAuth2::with_scopes(auth, [scope]))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[cfg(feature = "yup-oauth2")]
#[cfg_attr(docsrs, doc(cfg(feature = "yup-oauth2")))]
pub struct YupOAuth2 {
    auth: yup_oauth2::authenticator::Authenticator<YupConnector>,
    scopes: Option<Vec<String>>,
}

#[cfg(feature = "yup-oauth2")]
type YupConnector =
    <yup_oauth2::DefaultHyperClientBuilder as yup_oauth2::HyperClientBuilder>::Connector;

#[cfg(feature = "yup-oauth2")]
impl YupOAuth2 {
    /// Asks for a token with the first scope each method accepts (the broadest
    /// one, in Google's documents).
    pub fn new(auth: yup_oauth2::authenticator::Authenticator<YupConnector>) -> Self {
        YupOAuth2 { auth, scopes: None }
    }

    /// Asks for a token with exactly these scopes for every call, so the user
    /// consents once to what the application needs.
    pub fn with_scopes<S: Into<String>>(
        auth: yup_oauth2::authenticator::Authenticator<YupConnector>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        YupOAuth2 {
            auth,
            scopes: Some(scopes.into_iter().map(Into::into).collect()),
        }
    }
}

#[cfg(feature = "yup-oauth2")]
impl fmt::Debug for YupOAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YupOAuth2")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "yup-oauth2")]
impl TokenSource for YupOAuth2 {
    fn token<'a>(&'a self, scopes: &'a [&'a str]) -> TokenFuture<'a> {
        Box::pin(async move {
            let token = match &self.scopes {
                Some(fixed) => self.auth.token(fixed).await?,
                None => self.auth.token(&scopes[..scopes.len().min(1)]).await?,
            };
            token
                .token()
                .map(str::to_owned)
                .ok_or_else(|| "yup-oauth2 returned no access token".into())
        })
    }

    /// The fixed scopes of [`YupOAuth2::with_scopes`], the only ones its
    /// tokens carry.
    fn granted_scopes(&self) -> Option<Vec<String>> {
        self.scopes.clone()
    }
}
