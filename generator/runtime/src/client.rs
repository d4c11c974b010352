//! The client and its builder.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{StaticToken, TokenSource};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// The per-attempt timeout when the builder sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The connect timeout when the builder sets none.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The idle timeout of media transfers when the builder sets none.
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest JSON body buffered when the builder sets none (64 MiB: far
/// above any real page).
const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// What a generated crate tells the runtime about its API.
#[derive(Debug)]
pub struct Api {
    /// The generated crate's name and version, for `User-Agent`.
    pub crate_name: &'static str,
    pub crate_version: &'static str,
    /// The document's `rootUrl` + `servicePath`: the default base URL.
    pub default_base_url: &'static str,
    /// The document's `servicePath`: media paths are resolved without it.
    pub service_path: &'static str,
    /// Whether bodies are wrapped in `{"data": ...}` (`dataWrapper`).
    pub data_wrapper: bool,
    /// The document's `endpoints`: root URLs by location, for
    /// [`ClientBuilder::location`].
    pub endpoints: &'static [Endpoint],
}

/// One of an API's alternative endpoints (the discovery document's root
/// `endpoints` list), mostly regional ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The location it serves, e.g. `europe-west3`.
    pub location: &'static str,
    /// Its root URL; the API's service path is appended to it.
    pub root_url: &'static str,
    /// What the document says about it.
    pub description: &'static str,
}

/// The base URL of `api`'s endpoint for `location`.
fn endpoint_url(api: &Api, location: &str) -> Result<String> {
    if let Some(e) = api.endpoints.iter().find(|e| e.location == location) {
        let mut url = e.root_url.to_owned();
        if !url.ends_with('/') {
            url.push('/');
        }
        url.push_str(api.service_path);
        return Ok(url);
    }
    let shown: String = location.chars().take(64).collect();
    let message = if api.endpoints.is_empty() {
        format!("{shown:?} is unknown: this API lists no endpoints by location")
    } else {
        let known: Vec<&str> = api.endpoints.iter().map(|e| e.location).collect();
        format!(
            "{shown:?} is not one of this API's locations: {}",
            known.join(", ")
        )
    };
    Err(Error::invalid_argument("location", message))
}

/// An API for the runtime's own examples and tests.
#[doc(hidden)]
pub static EXAMPLE_API: Api = Api {
    crate_name: "example-v1",
    crate_version: "0.1.0",
    default_base_url: "https://example.googleapis.com/v1/",
    service_path: "v1/",
    data_wrapper: false,
    endpoints: &[Endpoint {
        location: "europe-west3",
        root_url: "https://example.europe-west3.rep.googleapis.com/",
        description: "Regional endpoint",
    }],
};

/// The connection to one API: its base URL, token source, timeouts and retry
/// policy over a connection pool. Cheap to clone (an `Arc` inside), safe to
/// share between tasks. Each generated crate wraps it in its own `Client`
/// (which dereferences to this one) and builds it with
/// `Client::builder()`.
///
/// ```no_run
/// # async fn run() -> Result<(), discovery_runtime::Error> {
/// # use discovery_runtime::{Client, ClientBuilder, EXAMPLE_API as API};
/// let client: Client = ClientBuilder::new(&API)
///     .bearer_token(std::env::var("ACCESS_TOKEN").unwrap_or_default())
///     .timeout(std::time::Duration::from_secs(30))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    #[doc(hidden)]
    pub inner: Arc<Inner>,
}

#[doc(hidden)]
pub struct Inner {
    pub api: &'static Api,
    /// `User-Agent` of every request: `<crate>/<version>`.
    pub user_agent: http::HeaderValue,
    pub http: crate::net::HttpClient,
    pub base_url: String,
    /// The base URL without the API's service path: media uploads and
    /// downloads are resolved against it.
    pub root_url: String,
    pub tokens: Option<Arc<dyn TokenSource>>,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// The proxy the connection pool was built with: a client sharing the
    /// pool ([`ClientBuilder::sharing`]) checks its base URL against it.
    pub proxy: crate::net::ProxySetting,
    /// Requests sent without a token ([`Client::unauthenticated_requests`]).
    pub unauthenticated: std::sync::atomic::AtomicU64,
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
    /// The requests this client (and its clones) sent to pre-authorized URLs,
    /// without a token, every attempt counted: Photos base URLs count
    /// against a daily quota of media-byte requests of their own.
    pub fn unauthenticated_requests(&self) -> u64 {
        self.inner
            .unauthenticated
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The API this client calls.
    pub fn api(&self) -> &'static Api {
        self.inner.api
    }

    /// The base URL every method path is resolved against.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Fails with [`Error::ScopeNotGranted`] when the token source knows
    /// the scopes its credentials were granted
    /// ([`TokenSource::granted_scopes`]) and none of `accepted` is among them:
    /// a long operation can check once before it starts. Every call checks
    /// its own method's scopes this way before anything is sent; without a
    /// token source, with one that does not know, or for a method that lists
    /// no scopes, nothing is checked.
    pub fn check_scopes(&self, method: &str, accepted: &[&str]) -> Result<()> {
        let Some(granted) = self.inner.tokens.as_ref().and_then(|t| t.granted_scopes()) else {
            return Ok(());
        };
        if accepted.is_empty() || accepted.iter().any(|a| granted.iter().any(|g| g == a)) {
            return Ok(());
        }
        Err(Error::ScopeNotGranted {
            method: method.to_owned(),
            accepted: accepted.iter().map(|s| s.to_string()).collect(),
            granted,
        })
    }

    /// Whether `uri` is on the base URL's origin (scheme, host and port, the
    /// default ports made explicit): where a URL the server handed out may
    /// take the token even over plain http (a local test server).
    #[doc(hidden)]
    pub fn is_own_origin(&self, uri: &http::Uri) -> bool {
        let base = crate::net::parse_uri("base_url", &self.inner.base_url).ok();
        crate::net::origin(uri)
            .is_some_and(|o| base.as_ref().and_then(crate::net::origin) == Some(o))
    }

    /// Checks that a URL the server handed out (an upload session) may receive
    /// this client's token: `https`, or the base URL's own origin.
    ///
    /// A session URL is a credential to its upload (whoever has it may send
    /// the bytes): errors name its scheme and host, never its path or query.
    #[doc(hidden)]
    pub fn check_session_url(&self, what: &str, url: &str) -> Result<http::Uri> {
        let uri = crate::net::parse_uri(what, url)
            .map_err(|_| Error::protocol(format!("the {what} URL is not a valid URL")))?;
        if uri.scheme_str() == Some("https") || self.is_own_origin(&uri) {
            Ok(uri)
        } else {
            Err(Error::protocol(format!(
                "the {what} URL (on {}://{}) is neither https nor on the base URL's origin; the \
                 token is not sent there",
                crate::error::excerpt(uri.scheme_str().unwrap_or("").as_bytes()),
                crate::error::excerpt(uri.host().unwrap_or("").as_bytes()),
            )))
        }
    }
}

/// Configures a [`Client`] (or a generated crate's `Client`, `C`, which is
/// made from one).
#[must_use]
pub struct ClientBuilder<C = Client> {
    api: &'static Api,
    base_url: Option<String>,
    location: Option<String>,
    tokens: Option<Arc<dyn TokenSource>>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    max_response_bytes: Option<u64>,
    insecure_http: bool,
    retry: Option<RetryPolicy>,
    client: PhantomData<fn() -> C>,
    proxy: crate::net::ProxySetting,
    root_certificates: Vec<Vec<u8>>,
    offline: bool,
    shared: Option<Client>,
    /// [`no_auth`](ClientBuilder::no_auth) was asked: no token, not even a shared one.
    no_auth: bool,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api", &self.api.crate_name)
            .field("base_url", &self.base_url)
            .field("location", &self.location)
            .field("authenticated", &self.tokens.is_some())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("insecure_http", &self.insecure_http)
            // Redacted: a proxy URL's password is not shown.
            .field("proxy", &self.proxy)
            .field("root_certificates", &self.root_certificates.len())
            .field("sharing", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder for a client of `api` with its defaults.
    pub fn new(api: &'static Api) -> Self {
        ClientBuilder {
            api,
            base_url: None,
            location: None,
            tokens: None,
            timeout: None,
            connect_timeout: None,
            idle_timeout: None,
            max_response_bytes: None,
            insecure_http: false,
            retry: None,
            proxy: crate::net::ProxySetting::default(),
            root_certificates: Vec::new(),
            offline: false,
            client: PhantomData,
            shared: None,
            no_auth: false,
        }
    }

    /// Builds a client of this builder's API over `other`'s connections (a
    /// client of any generated API, which dereferences to a [`Client`]): its
    /// connection pool, proxy and certificates, and, unless this builder sets
    /// its own, its token source, timeouts (per attempt and idle), response
    /// size limit and retry policy. So the clients of two APIs of one program
    /// (Photos Library and Picker) share connections and credentials. The
    /// base URL is this API's (or this builder's, checked as always;
    /// [`allow_insecure_http`](Self::allow_insecure_http) is not inherited).
    /// [`build`](Self::build) fails if this builder also sets a setting of the
    /// pool itself (proxy, root certificate, connect timeout): those belong to
    /// `other`.
    pub fn sharing(mut self, other: &Client) -> Self {
        self.shared = Some(other.clone());
        self
    }

    /// Sends requests to `url` instead of the API's own root URL (a proxy, an
    /// emulator, a mock server). A missing trailing `/` is added. Plain `http`
    /// is accepted only for this machine (`localhost`, `127.0.0.1`, `[::1]`)
    /// unless [`allow_insecure_http`](Self::allow_insecure_http) says otherwise,
    /// so a token never crosses a network unencrypted by mistake.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends requests to the API's endpoint for `location` (one of the
    /// document's `endpoints`, such as a regional endpoint), with the API's
    /// service path. [`build`](Self::build) fails for a location the API does
    /// not list, naming those it does; it cannot be combined with
    /// [`base_url`](Self::base_url).
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Authenticates every call with a fixed access token.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.token_source(StaticToken::new(token))
    }

    /// Authenticates every call with tokens from `source`. One source can
    /// serve clients of several APIs: pass an `Arc` of it to each builder.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.tokens = Some(Arc::new(source));
        self.no_auth = false;
        self
    }

    /// Authenticates every call with tokens from a shared source.
    pub fn shared_token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.tokens = Some(source);
        self.no_auth = false;
        self
    }

    /// Sends calls without an `Authorization` header (for public methods or a
    /// local emulator).
    pub fn no_auth(mut self) -> Self {
        self.tokens = None;
        self.no_auth = true;
        self
    }

    /// The time one attempt of a call may take (default 60 seconds): for a JSON
    /// call until its body is read; for a media upload or download until the
    /// response headers arrive (the bytes themselves are bounded by
    /// [`idle_timeout`](Self::idle_timeout) instead, so a long transfer on a
    /// slow link is not cut). Each call can override it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time a TCP connection may take to open (default 10 seconds).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The longest pause in the bytes of a media upload or download, either way
    /// (default 60 seconds): a transfer fails when nothing moved for this long.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// The largest JSON response body the client reads into memory (default
    /// 64 MiB); a larger one fails with [`Error::ResponseTooLarge`]. Media
    /// downloads stream and are not limited.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Allows a plain `http` base URL on a host other than this machine. Tokens
    /// then travel unencrypted: only for networks you trust.
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.insecure_http = yes;
        self
    }

    /// Sends every request through the HTTP proxy at `url`
    /// (`http://host:port`, credentials as `http://user:password@host:port`,
    /// sent as `Proxy-Authorization: Basic`), whatever the environment says:
    /// `NO_PROXY` does not apply, and this machine's own addresses go through
    /// it too. `https` requests are tunnelled with `CONNECT`, so the proxy sees
    /// only the host and port; plain-`http` ones (to this machine, or with
    /// [`allow_insecure_http`](Self::allow_insecure_http)) are forwarded by the
    /// proxy, token included. Only plain-http proxies are supported:
    /// [`build`](Self::build) rejects any other scheme (`https://`, `socks5://`).
    ///
    /// Without this or [`no_proxy`](Self::no_proxy), the proxy comes from the
    /// environment, read once by `build`: `HTTPS_PROXY` for https requests,
    /// `HTTP_PROXY` for plain http, `ALL_PROXY` for either when the other is
    /// unset, `NO_PROXY` (comma-separated hosts, domains with their subdomains,
    /// IP addresses or networks, `*`) for the hosts that go direct; each in
    /// upper or lower case (upper first). Requests to this machine
    /// (`localhost`, loopback addresses) never use a proxy from the environment.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = crate::net::ProxySetting::Url(url.into());
        self
    }

    /// Connects directly, ignoring any proxy in the environment.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = crate::net::ProxySetting::Off;
        self
    }

    /// Trusts `der` (an X.509 certificate in DER form) as a root for https
    /// servers, besides the built-in Mozilla roots: a corporate CA that signs
    /// a TLS-inspecting proxy or an internal endpoint. Each call adds one;
    /// [`build`](Self::build) fails on a certificate that cannot be used.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(der.into());
        self
    }

    /// A client that refuses every request with [`Error::Unimplemented`]: the
    /// inner client of a generated crate's `Client::from_stub`.
    #[doc(hidden)]
    pub fn offline(mut self) -> Self {
        self.offline = true;
        self
    }

    /// How failed calls are retried; each call can override it. Default:
    /// [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Builds the client. Fails when the base URL is not an absolute http(s) URL
    /// (or plain `http` to another machine without
    /// [`allow_insecure_http`](Self::allow_insecure_http)), the proxy (given or
    /// from the environment) is not a plain-http proxy URL, a root certificate
    /// cannot be used, or the HTTP client cannot be set up.
    pub fn build(mut self) -> Result<C> {
        let api = self.api;
        let mut base_url = match (self.base_url, &self.location) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "location",
                    "cannot be combined with base_url (which already says where requests go)",
                ))
            }
            (Some(url), None) => url,
            (None, Some(location)) => endpoint_url(api, location)?,
            (None, None) => api.default_base_url.to_owned(),
        };
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        if !crate::net::check_base_url(&base_url) {
            return Err(Error::invalid_argument(
                "base_url",
                format!("{base_url:?} is not an absolute http(s) URL without a query"),
            ));
        }
        let uri = crate::net::parse_uri("base_url", &base_url)?;
        if let Some(shared) = &self.shared {
            let own_network = self.connect_timeout.is_some()
                || !self.root_certificates.is_empty()
                || self.offline
                || !matches!(self.proxy, crate::net::ProxySetting::Env);
            if own_network {
                return Err(Error::invalid_argument(
                    "sharing",
                    "the proxy, certificates and connect timeout are those of the shared \
                     client's connections: set them on that client",
                ));
            }
            self.proxy = shared.inner.proxy.clone();
        }
        if uri.scheme_str() == Some("http") && !crate::net::is_loopback(&uri) && !self.insecure_http
        {
            return Err(Error::invalid_argument(
                "base_url",
                format!(
                    "{base_url:?} is plain http to another machine: tokens would travel unencrypted \
                     (use https, or ClientBuilder::allow_insecure_http(true) on a trusted network)"
                ),
            ));
        }
        // Through a proxy elsewhere, plain http would carry the token across
        // the network too.
        if let crate::net::ProxySetting::Url(proxy) = &self.proxy {
            let remote = crate::net::parse_uri("proxy", proxy)
                .map(|p| !crate::net::is_loopback(&p))
                .unwrap_or(true);
            if uri.scheme_str() == Some("http") && remote && !self.insecure_http {
                return Err(Error::invalid_argument(
                    "proxy",
                    format!(
                        "{} is another machine and {base_url:?} is plain http: tokens would travel \
                         unencrypted (use https, or ClientBuilder::allow_insecure_http(true))",
                        crate::net::redact_userinfo(proxy)
                    ),
                ));
            }
        }
        let http = match &self.shared {
            Some(shared) => shared
                .inner
                .http
                .clone()
                .with_limits(self.max_response_bytes, self.idle_timeout),
            None => crate::net::HttpClient::new(crate::net::NetOptions {
                connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                idle: self.idle_timeout.unwrap_or(DEFAULT_IDLE_TIMEOUT),
                max_body: self
                    .max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                proxy: &self.proxy,
                extra_roots: &self.root_certificates,
                offline: self.offline,
            })?,
        };
        let shared = self.shared.as_ref().map(|c| &c.inner);
        let user_agent =
            http::HeaderValue::from_str(&format!("{}/{}", api.crate_name, api.crate_version))
                .map_err(|e| Error::invalid_argument("api", format!("bad crate name: {e}")))?;
        Ok(C::from(Client {
            inner: Arc::new(Inner {
                unauthenticated: std::sync::atomic::AtomicU64::new(0),
                api,
                user_agent,
                http,
                root_url: base_url
                    .strip_suffix(api.service_path)
                    .unwrap_or(&base_url)
                    .to_owned(),
                base_url,
                tokens: match self.no_auth {
                    true => None,
                    false => self
                        .tokens
                        .or_else(|| shared.and_then(|s| s.tokens.clone())),
                },
                timeout: self
                    .timeout
                    .or(shared.map(|s| s.timeout))
                    .unwrap_or(DEFAULT_TIMEOUT),
                retry: self
                    .retry
                    .or_else(|| shared.map(|s| s.retry.clone()))
                    .unwrap_or_default(),
                proxy: self.proxy,
            }),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> ClientBuilder<Client> {
        ClientBuilder::new(&EXAMPLE_API).no_proxy()
    }

    #[test]
    fn a_location_picks_its_endpoint_with_the_service_path() {
        let client = builder().location("europe-west3").build().unwrap();
        assert_eq!(
            client.base_url(),
            "https://example.europe-west3.rep.googleapis.com/v1/"
        );
        let default = builder().build().unwrap();
        assert_eq!(default.base_url(), EXAMPLE_API.default_base_url);
    }

    #[test]
    fn an_unknown_location_names_the_known_ones() {
        let error = builder().location("mars-north1").build().unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
        assert!(
            text.contains("mars-north1") && text.contains("europe-west3"),
            "{text}"
        );
        let error = builder()
            .location("europe-west3")
            .base_url("https://other.example.com/")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("base_url"), "{error}");
    }

    #[test]
    fn an_api_without_endpoints_says_so() {
        static NONE: Api = Api {
            endpoints: &[],
            ..EXAMPLE_API_FIELDS
        };
        const EXAMPLE_API_FIELDS: Api = Api {
            crate_name: "none-v1",
            crate_version: "0.1.0",
            default_base_url: "https://none.googleapis.com/",
            service_path: "",
            data_wrapper: false,
            endpoints: &[],
        };
        let error = ClientBuilder::<Client>::new(&NONE)
            .no_proxy()
            .location("us-east4")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("no endpoints"), "{error}");
    }

    static OTHER_API: Api = Api {
        crate_name: "other-v1",
        crate_version: "0.2.0",
        default_base_url: "https://other.googleapis.com/",
        service_path: "",
        data_wrapper: false,
        endpoints: &[],
    };

    #[tokio::test]
    async fn a_sharing_client_has_its_own_api_and_the_others_credentials() {
        let first = builder()
            .bearer_token("secret")
            .timeout(Duration::from_secs(7))
            .build()
            .unwrap();
        let second: Client = ClientBuilder::new(&OTHER_API)
            .sharing(&first)
            .build()
            .unwrap();
        assert_eq!(second.api().crate_name, "other-v1");
        assert_eq!(second.base_url(), "https://other.googleapis.com/");
        assert_eq!(second.inner.timeout, Duration::from_secs(7));
        assert_eq!(second.inner.user_agent, "other-v1/0.2.0");
        let token = second
            .inner
            .tokens
            .as_ref()
            .unwrap()
            .token(&[])
            .await
            .unwrap();
        assert_eq!(token, "secret");
        // Its own settings win; no_auth means no token at all.
        let own: Client = ClientBuilder::new(&OTHER_API)
            .sharing(&first)
            .timeout(Duration::from_secs(3))
            .no_auth()
            .build()
            .unwrap();
        assert_eq!(own.inner.timeout, Duration::from_secs(3));
        assert!(own.inner.tokens.is_none());
        // Limits of its own over the same pool.
        let limited: Client = ClientBuilder::new(&OTHER_API)
            .sharing(&first)
            .max_response_bytes(1024)
            .idle_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        assert_eq!(limited.inner.http.max_body(), 1024);
        assert_eq!(first.inner.http.max_body(), DEFAULT_MAX_RESPONSE_BYTES);
    }

    #[test]
    fn a_sharing_client_cannot_set_connection_settings_or_unsafe_urls() {
        let first = builder().build().unwrap();
        let refused = [
            ClientBuilder::<Client>::new(&OTHER_API)
                .sharing(&first)
                .no_proxy(),
            ClientBuilder::new(&OTHER_API)
                .sharing(&first)
                .proxy("http://127.0.0.1:1"),
            ClientBuilder::new(&OTHER_API)
                .sharing(&first)
                .connect_timeout(Duration::from_secs(1)),
            ClientBuilder::new(&OTHER_API)
                .sharing(&first)
                .add_root_certificate(vec![0u8]),
        ];
        for builder in refused {
            let error = builder.build().unwrap_err();
            assert!(error.to_string().contains("shared client"), "{error}");
        }
        // The base URL is checked as always: plain http elsewhere is refused
        // (the first client's allow_insecure_http is not inherited).
        let insecure = ClientBuilder::<Client>::new(&EXAMPLE_API)
            .no_proxy()
            .allow_insecure_http(true)
            .build()
            .unwrap();
        let error = ClientBuilder::<Client>::new(&OTHER_API)
            .sharing(&insecure)
            .base_url("http://example.com/")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("plain http"), "{error}");
        // Plain http to a remote proxy of the shared pool is refused too.
        let proxied = ClientBuilder::<Client>::new(&EXAMPLE_API)
            .proxy("http://192.0.2.1:3128")
            .build()
            .unwrap();
        let error = ClientBuilder::<Client>::new(&OTHER_API)
            .sharing(&proxied)
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("proxy"), "{error}");
    }
}
