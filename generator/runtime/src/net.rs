//! A small HTTP client over hyper: pooled connections per host, TLS with
//! rustls and the webpki roots (plus any the builder adds), HTTP/2 when the
//! server offers it by ALPN (HTTP/1.1 otherwise, and always over plain http),
//! plain-http proxies from the environment or the builder, and timeouts that
//! fit both JSON calls and long transfers. It replaces a general-purpose client
//! (redirects, cookies, decompression) that Google's APIs do not need and that
//! cost CPU and build time on every call.
//!
//! Proxies: `https` destinations are reached through a `CONNECT` tunnel (the
//! proxy sees the host and port, never a request header: the token stays inside
//! TLS); plain `http` ones are sent to the proxy in absolute form. Credentials
//! in the proxy URL become `Proxy-Authorization: Basic`, marked sensitive.
//!
//! Timeouts: a connect timeout; for a JSON call one deadline for the attempt
//! (response headers and the buffered body); for a media transfer a deadline
//! for the response headers after the last byte was sent, and an idle timeout
//! between pieces of the body in either direction, so a slow but steady stream
//! is never cut while a stalled one fails.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::Uri;
use http_body_util::BodyExt;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use tokio::time::Instant;
use tower_service::Service;

use crate::error::{Error, Result};

pub use http::{HeaderMap, Method, StatusCode};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A TCP connection as hyper-util's connector makes it.
type Tcp = <HttpConnector as Service<Uri>>::Response;

/// Error bodies are read up to this size (what is beyond is dropped: the
/// excerpt and Google's error object are at the start).
const MAX_ERROR_BODY: u64 = 1 << 20;

/// Pieces a streamed request body is handed to hyper in: each one taken
/// counts as progress for the idle timeout.
const STREAM_PIECE: usize = 64 * 1024;

/// Why a request could not be sent or its response not read.
#[derive(Debug)]
pub struct TransportError {
    what: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    pub fn new(
        what: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            what,
            source: source.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.source)?;
        // hyper's errors keep the useful part (connection reset, refused, ...) in their sources.
        let mut cause = self.source.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Which proxy requests go through, as the builder says.
#[derive(Clone, Default)]
pub enum ProxySetting {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (or their lower
    /// case forms), read when the client is built.
    #[default]
    Env,
    /// Every request through this proxy, whatever the environment says.
    Url(String),
    /// No proxy at all.
    Off,
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::Env => f.write_str("Env"),
            ProxySetting::Url(url) => f.debug_tuple("Url").field(&redact_userinfo(url)).finish(),
            ProxySetting::Off => f.write_str("Off"),
        }
    }
}

/// `url` with any `user:password@` replaced by `***@`, for messages.
pub fn redact_userinfo(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// Checks that `value` (named `what` in the error) is a proxy this client can
/// use: `http://host[:port]`, or `host[:port]` (which means http, as for curl).
fn check_proxy_url(what: &str, value: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::invalid_argument(
            what.to_owned(),
            format!(
                "{:?} {why}: only plain-http proxies (http://host:port) are supported \
                 (use ClientBuilder::proxy or ClientBuilder::no_proxy to override the environment)",
                redact_userinfo(value)
            ),
        ))
    };
    match value.trim().parse::<Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.host()) {
            (Some("http") | None, Some(host)) if !host.is_empty() => Ok(()),
            (Some("http") | None, _) => bad("has no host"),
            (Some(scheme), _) => bad(&format!("is a {scheme}:// proxy")),
        },
        Err(_) => bad("is not a URL"),
    }
}

/// The proxies of a client, decided once when it is built.
struct Proxies {
    matcher: Matcher,
    /// Proxies from the environment never see this machine's own addresses
    /// (a proxy could not reach them); an explicit one gets everything.
    from_env: bool,
}

impl Proxies {
    fn new(setting: &ProxySetting) -> Result<Option<Self>> {
        match setting {
            ProxySetting::Off => Ok(None),
            ProxySetting::Url(url) => {
                check_proxy_url("proxy", url)?;
                let matcher = Matcher::builder().all(url.trim()).build();
                if matcher
                    .intercept(&Uri::from_static("https://example.com/"))
                    .is_none()
                {
                    return Err(Error::invalid_argument(
                        "proxy",
                        format!("{:?} is not a proxy URL", redact_userinfo(url)),
                    ));
                }
                Ok(Some(Proxies {
                    matcher,
                    from_env: false,
                }))
            }
            ProxySetting::Env => Self::from_vars(|name| std::env::var(name).ok()),
        }
    }

    /// The proxies that the variables `var` gives name: the upper case name
    /// first, then the lower case one, as hyper-util (and curl) read them.
    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>> {
        // Under CGI `HTTP_PROXY` can come from a request header ("httpoxy"):
        // hyper-util ignores every proxy variable then, and so do we.
        if var("REQUEST_METHOD").is_some() {
            return Ok(None);
        }
        let first = |names: [&'static str; 2]| {
            names
                .into_iter()
                .find_map(|name| var(name).map(|value| (name, value)))
        };
        let all = first(["ALL_PROXY", "all_proxy"]);
        let http = first(["HTTP_PROXY", "http_proxy"]);
        let https = first(["HTTPS_PROXY", "https_proxy"]);
        let no = first(["NO_PROXY", "no_proxy"]);
        let set = |v: &Option<(&'static str, String)>| {
            v.as_ref()
                .filter(|(_, value)| !value.trim().is_empty())
                .is_some()
        };
        // `ALL_PROXY` only matters for a scheme without its own variable: an
        // unused one (a SOCKS proxy for other tools, say) is not checked.
        let all_used = !(set(&http) && set(&https));
        let mut any = false;
        for (name, value) in [(&all, all_used), (&http, true), (&https, true)]
            .into_iter()
            .filter_map(|(v, used)| v.as_ref().filter(|_| used))
        {
            if !value.trim().is_empty() {
                check_proxy_url(name, value)?;
                any = true;
            }
        }
        if !any {
            return Ok(None);
        }
        let value =
            |v: &Option<(&str, String)>| v.as_ref().map_or("", |(_, v)| v.trim()).to_owned();
        let matcher = Matcher::builder()
            .all(if all_used { value(&all) } else { String::new() })
            .http(value(&http))
            .https(value(&https))
            .no(value(&no))
            .build();
        Ok(Some(Proxies {
            matcher,
            from_env: true,
        }))
    }

    /// The proxy for `dst`, if any.
    fn intercept(&self, dst: &Uri) -> Option<Intercept> {
        if self.from_env && is_loopback(dst) {
            return None;
        }
        self.matcher.intercept(dst)
    }
}

/// Opens connections: directly, through a `CONNECT` tunnel (https through a
/// proxy) or to the proxy itself (plain http through a proxy, marked so that
/// hyper sends the request in absolute form).
#[derive(Clone)]
struct Connector {
    tcp: HttpConnector,
    tls: Arc<rustls::ClientConfig>,
    proxies: Option<Arc<Proxies>>,
}

/// Calls `service` once it is ready.
async fn call<S: Service<Uri>>(
    mut service: S,
    dst: Uri,
) -> std::result::Result<S::Response, S::Error> {
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(dst).await
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::result::Result<(), BoxError>> {
        // The connectors below are made (and polled) per connection.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let proxy = self.proxies.as_ref().and_then(|p| p.intercept(&dst));
        let tcp = self.tcp.clone();
        let tls = self.tls.clone();
        Box::pin(async move {
            let Some(proxy) = proxy else {
                let io = call(HttpsConnector::from((tcp, tls)), dst).await?;
                return Ok(Conn { io, proxied: false });
            };
            if proxy.uri().scheme_str() != Some("http") {
                // Checked when the client was built; never go around a proxy.
                return Err("only plain-http proxies are supported".into());
            }
            if dst.scheme_str() == Some("https") {
                // The CONNECT request carries only the host, the port and the
                // proxy's own credentials.
                let mut tunnel = Tunnel::new(proxy.uri().clone(), tcp);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = call(HttpsConnector::from((tunnel, tls)), dst).await?;
                Ok(Conn { io, proxied: false })
            } else {
                let io = call(tcp, proxy.uri().clone()).await?;
                Ok(Conn {
                    io: MaybeHttpsStream::Http(io),
                    proxied: true,
                })
            }
        })
    }
}

/// A connection, and whether it goes to a proxy that forwards plain-http
/// requests.
struct Conn {
    io: MaybeHttpsStream<Tcp>,
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// What the builder decides about connections.
pub struct NetOptions<'a> {
    pub connect_timeout: Duration,
    /// The longest pause between pieces of a streamed body.
    pub idle: Duration,
    /// The largest response body [`Response::bytes`] buffers.
    pub max_body: u64,
    pub proxy: &'a ProxySetting,
    /// DER certificates trusted besides the webpki roots.
    pub extra_roots: &'a [Vec<u8>],
    /// Refuse every request (the client of a stub must never reach a network).
    pub offline: bool,
}

/// The connection pool and the limits every request shares; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: hyper_util::client::legacy::Client<Connector, RequestBody>,
    proxies: Option<Arc<Proxies>>,
    /// The largest response body [`Response::bytes`] buffers.
    max_body: u64,
    /// The longest pause between pieces of a streamed body.
    idle: Duration,
    offline: bool,
}

impl HttpClient {
    /// The same pool with another response size limit or idle timeout, where
    /// given (a client sharing this one's connections).
    pub fn with_limits(mut self, max_body: Option<u64>, idle: Option<Duration>) -> Self {
        self.max_body = max_body.unwrap_or(self.max_body);
        self.idle = idle.unwrap_or(self.idle);
        self
    }

    /// The largest response body [`Response::bytes`] buffers.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    pub fn new(options: NetOptions<'_>) -> Result<Self> {
        let tls_error = |e| Error::Transport(TransportError::new("setting up TLS", e));
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(options.connect_timeout));
        tcp.set_nodelay(true);
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in options.extra_roots {
            roots
                .add(rustls::pki_types::CertificateDer::from(der.clone()))
                .map_err(|e| {
                    Error::invalid_argument("root certificate", format!("is not usable: {e}"))
                })?;
        }
        // An explicit provider: no process-wide default needs to be installed.
        let mut tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(Box::new(e)))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        tls.alpn_protocols = alpn_protocols();
        let proxies = Proxies::new(options.proxy)?.map(Arc::new);
        let connector = Connector {
            tcp,
            tls: Arc::new(tls),
            proxies: proxies.clone(),
        };
        let inner =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .build(connector);
        Ok(HttpClient {
            inner,
            proxies,
            max_body: options.max_body,
            idle: options.idle,
            offline: options.offline,
        })
    }

    pub fn request(&self, method: Method, uri: http::Uri) -> RequestBuilder {
        let mut request = http::Request::builder().method(method);
        // A plain-http request through a proxy carries the proxy's credentials
        // (a tunnelled one has them in its CONNECT request instead).
        if uri.scheme_str() == Some("http") {
            let proxy = self.proxies.as_ref().and_then(|p| p.intercept(&uri));
            if let Some(auth) = proxy.as_ref().and_then(|p| p.basic_auth()) {
                request = request.header(http::header::PROXY_AUTHORIZATION, auth.clone());
            }
        }
        RequestBuilder {
            client: self.clone(),
            request: request.uri(uri),
            body: Bytes::new(),
            streamed: false,
            timeout: None,
        }
    }
}

/// What TLS offers by ALPN: HTTP/2 first when built with it, then HTTP/1.1
/// (plain http stays HTTP/1.1).
fn alpn_protocols() -> Vec<Vec<u8>> {
    let mut protocols = Vec::new();
    if cfg!(feature = "http2") {
        protocols.push(b"h2".to_vec());
    }
    protocols.push(b"http/1.1".to_vec());
    protocols
}

/// A request being built.
pub struct RequestBuilder {
    client: HttpClient,
    request: http::request::Builder,
    body: Bytes,
    streamed: bool,
    timeout: Option<Duration>,
}

impl RequestBuilder {
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.request = self.request.header(name, value);
        self
    }

    /// `Authorization: Bearer …`, marked sensitive so it is never logged.
    pub fn bearer_auth(mut self, token: &str) -> Self {
        if let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}")) {
            value.set_sensitive(true);
            self.request = self.request.header(http::header::AUTHORIZATION, value);
        }
        self
    }

    /// For a JSON call, the deadline of the whole attempt (headers and the
    /// buffered body); for a streamed one, the wait for the response headers
    /// after the body was sent.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn body(mut self, body: Bytes) -> Self {
        self.body = body;
        self
    }

    /// A media body: sent in pieces, with the idle timeout between them instead
    /// of one deadline for the whole upload.
    pub fn streamed_body(mut self, body: Bytes) -> Self {
        self.body = body;
        self.streamed = true;
        self
    }

    /// Sends the request and waits for the response headers.
    pub async fn send(self) -> Result<Response> {
        // Every request of every path (calls, uploads, downloads, overlay
        // helpers) comes here: a stub's client stops them all.
        if self.client.offline {
            return Err(Error::unimplemented(
                "network access (this client was made with from_stub: only its stub answers)",
            ));
        }
        let activity = Arc::new(Activity::new());
        let body = RequestBody {
            data: self.body,
            piece: if self.streamed {
                STREAM_PIECE
            } else {
                usize::MAX
            },
            activity: self.streamed.then(|| activity.clone()),
        };
        let request = self
            .request
            .body(body)
            .map_err(|e| Error::invalid_argument("request", format!("cannot be built: {e}")))?;
        let timeout = self.timeout;
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let sending = self.client.inner.request(request);
        let response = if self.streamed {
            watch(sending, &activity, self.client.idle, timeout).await?
        } else {
            within(deadline, sending).await?
        }
        .map_err(|e| Error::Transport(TransportError::new("sending the request", e)))?;
        // After a streamed upload the answer's body gets its own deadline:
        // the upload itself may have taken far longer than `timeout`.
        let deadline = if self.streamed {
            timeout.and_then(|t| Instant::now().checked_add(t))
        } else {
            deadline
        };
        let (parts, body) = response.into_parts();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
            deadline,
            idle: self.client.idle,
            max_body: self.client.max_body,
        })
    }
}

/// `future`, or a timeout error at `deadline`.
async fn within<F: std::future::Future>(deadline: Option<Instant>, future: F) -> Result<F::Output> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future)
            .await
            .map_err(|_| Error::Timeout),
        None => Ok(future.await),
    }
}

/// When a streamed request body last made progress, and whether it is all sent.
struct Activity {
    start: Instant,
    /// Milliseconds after `start` of the last piece taken.
    last_ms: AtomicU64,
    sent: AtomicBool,
}

impl Activity {
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            sent: AtomicBool::new(false),
        }
    }

    fn touch(&self, finished: bool) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
        if finished {
            self.sent.store(true, Ordering::Relaxed);
        }
    }

    /// The instant by which something must happen again.
    fn deadline(&self, idle: Duration, headers: Option<Duration>) -> Instant {
        let last = self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        let allowed = if self.sent.load(Ordering::Relaxed) {
            headers.unwrap_or(idle).max(idle)
        } else {
            idle
        };
        // A huge timeout means none: a year is as good as for ever.
        last.checked_add(allowed)
            .unwrap_or_else(|| last + Duration::from_secs(365 * 86_400))
    }
}

/// Waits for `future` while the body keeps moving: fails once no piece was
/// taken for `idle`, or no response came `headers` after the last piece.
async fn watch<F: std::future::Future>(
    future: F,
    activity: &Activity,
    idle: Duration,
    headers: Option<Duration>,
) -> Result<F::Output> {
    let mut future = std::pin::pin!(future);
    loop {
        let deadline = activity.deadline(idle, headers);
        match tokio::time::timeout_at(deadline, future.as_mut()).await {
            Ok(output) => return Ok(output),
            // Progress since the deadline was computed moves it; otherwise give up.
            Err(_) if activity.deadline(idle, headers) > deadline => continue,
            Err(_) => return Err(Error::Timeout),
        }
    }
}

/// A request body: one frame for JSON, pieces for media (each noted as
/// progress).
pub struct RequestBody {
    data: Bytes,
    piece: usize,
    activity: Option<Arc<Activity>>,
}

impl hyper::body::Body for RequestBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.data.is_empty() {
            if let Some(activity) = &this.activity {
                activity.touch(true);
            }
            return Poll::Ready(None);
        }
        let piece = this.data.split_to(this.piece.min(this.data.len()));
        if let Some(activity) = &this.activity {
            activity.touch(this.data.is_empty());
        }
        Poll::Ready(Some(Ok(hyper::body::Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.data.len() as u64)
    }
}

/// A response whose body has not been read yet.
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: hyper::body::Incoming,
    deadline: Option<Instant>,
    idle: Duration,
    max_body: u64,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Content-Length` the server announced, if it is a valid number.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The whole body, within the attempt's deadline; fails with
    /// [`Error::ResponseTooLarge`] beyond the client's limit.
    pub async fn bytes(self) -> Result<Bytes> {
        let limit = self.max_body;
        if self.content_length().is_some_and(|n| n > limit) {
            return Err(Error::ResponseTooLarge { limit });
        }
        let deadline = self.deadline;
        within(deadline, self.read_up_to(limit, true)).await?
    }

    /// At most `limit` bytes of the body (an error body: the rest is dropped).
    pub async fn bytes_truncated(self) -> Result<Bytes> {
        let deadline = self.deadline;
        within(deadline, self.read_up_to(MAX_ERROR_BODY, false)).await?
    }

    async fn read_up_to(mut self, limit: u64, fail: bool) -> Result<Bytes> {
        let mut data = bytes::BytesMut::new();
        while let Some(frame) = self.body.frame().await {
            let frame = frame
                .map_err(|e| Error::Transport(TransportError::new("reading the response", e)))?;
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            let room = limit.saturating_sub(data.len() as u64);
            if chunk.len() as u64 > room {
                if fail {
                    return Err(Error::ResponseTooLarge { limit });
                }
                data.extend_from_slice(&chunk[..usize::try_from(room).unwrap_or(0)]);
                break;
            }
            data.extend_from_slice(&chunk);
        }
        Ok(data.freeze())
    }

    /// Streams the body into `writer`; returns the number of bytes written.
    pub async fn copy_to<W>(mut self, writer: &mut W) -> Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await? {
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| Error::io("writing the download", e))?;
            written = written.saturating_add(chunk.len() as u64);
        }
        writer
            .flush()
            .await
            .map_err(|e| Error::io("writing the download", e))?;
        Ok(written)
    }

    /// The next piece of the body; `None` at the end. Each piece must arrive
    /// within the idle timeout of the one before.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        loop {
            let frame = tokio::time::timeout(self.idle, self.body.frame())
                .await
                .map_err(|_| Error::Timeout)?;
            match frame {
                None => return Ok(None),
                Some(Err(e)) => {
                    return Err(Error::Transport(TransportError::new(
                        "reading the response",
                        e,
                    )))
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Ok(Some(data));
                        }
                    }
                }
            }
        }
    }
}

/// Appends `value` as a query name or value: RFC 3986's unreserved
/// characters as they are, a space as `+`, every other byte percent-encoded.
/// The same bytes as Google's clients send (Python's `quote_plus`, Go's
/// `url.QueryEscape`); unlike the URL standard's form encoding, `~` stays
/// (RFC 3986 §2.3: it should not be encoded) and `*` is encoded.
pub fn form_encode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// Checks that `url` is an absolute http(s) URL without a query.
pub fn check_base_url(url: &str) -> bool {
    match url.parse::<http::Uri>() {
        Ok(uri) => {
            matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.authority().is_some()
                && uri.query().is_none()
        }
        Err(_) => false,
    }
}

/// Whether `uri` names this machine (`localhost`, 127.0.0.0/8, `::1`): the
/// only hosts plain `http` may carry a token to without an explicit opt-in.
pub fn is_loopback(uri: &http::Uri) -> bool {
    let Some(host) = uri.host() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Scheme, host and port of `uri` (the port made explicit), for comparing origins.
pub fn origin(uri: &http::Uri) -> Option<(String, String, u16)> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().or(match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    Some((scheme, host, port))
}

/// Parses an absolute URL (a server's: an upload session, a base URL; or a
/// setting). The error does not repeat the URL: a server's may be a
/// credential (base URLs are pre-authorized).
pub fn parse_uri(what: &str, url: &str) -> Result<http::Uri> {
    url.parse::<http::Uri>()
        .map_err(|e| Error::invalid_argument(what.to_owned(), format!("not a URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding_keeps_only_unreserved_characters() {
        let mut out = String::new();
        // Python's `urllib.parse.quote_plus("a b&c=d/é*~+%")`.
        form_encode("a b&c=d/é*~+%", &mut out);
        assert_eq!(out, "a+b%26c%3Dd%2F%C3%A9%2A~%2B%25");
    }

    #[test]
    fn alpn_offers_http2_only_with_its_feature() {
        let offered = alpn_protocols();
        assert_eq!(offered.last().map(Vec::as_slice), Some(&b"http/1.1"[..]));
        assert_eq!(
            offered.iter().any(|p| p == b"h2"),
            cfg!(feature = "http2"),
            "{offered:?}"
        );
    }

    #[test]
    fn base_urls() {
        assert!(check_base_url("https://photoslibrary.googleapis.com/"));
        assert!(check_base_url("http://127.0.0.1:8080/prefix/"));
        for bad in [
            "not a url",
            "ftp://example.com/",
            "http://example.com/?q=1",
            "/relative/",
        ] {
            assert!(!check_base_url(bad), "{bad}");
        }
    }

    #[test]
    fn loopback_hosts_and_origins() {
        for local in [
            "http://127.0.0.1:8080/",
            "http://127.9.9.9/",
            "http://localhost/",
            "http://LOCALHOST:1/",
            "http://[::1]:80/",
        ] {
            assert!(is_loopback(&local.parse().unwrap()), "{local}");
        }
        for remote in [
            "http://example.com/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://127.0.0.1.example.com/",
            "http://[::2]/",
        ] {
            assert!(!is_loopback(&remote.parse().unwrap()), "{remote}");
        }
        let o = |u: &str| origin(&u.parse().unwrap());
        assert_eq!(o("https://A.example/x"), o("https://a.example:443/y"));
        assert_ne!(o("https://a.example/"), o("http://a.example/"));
        assert_ne!(o("https://a.example/"), o("https://a.example:8443/"));
    }

    fn proxies(vars: &[(&str, &str)]) -> Result<Option<Proxies>> {
        Proxies::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    fn via(p: &Option<Proxies>, url: &str) -> Option<String> {
        let intercept = p.as_ref()?.intercept(&url.parse().unwrap())?;
        Some(intercept.uri().to_string())
    }

    #[test]
    fn proxies_from_the_environment() {
        assert!(proxies(&[]).unwrap().is_none());
        assert!(proxies(&[("NO_PROXY", "*"), ("HTTPS_PROXY", "")])
            .unwrap()
            .is_none());
        let p = proxies(&[
            ("HTTPS_PROXY", "http://secure:3128"),
            ("https_proxy", "http://ignored:1"),
            ("http_proxy", "plain:8080"),
            ("no_proxy", "internal.example, 10.0.0.0/8"),
        ])
        .unwrap();
        let g = "https://photoslibrary.googleapis.com/v1/albums";
        assert_eq!(via(&p, g).as_deref(), Some("http://secure:3128/"));
        assert_eq!(
            via(&p, "http://example.com/").as_deref(),
            Some("http://plain:8080/")
        );
        assert_eq!(via(&p, "https://a.internal.example/"), None);
        assert_eq!(via(&p, "https://10.1.2.3/"), None);
        // This machine never goes through a proxy from the environment.
        assert_eq!(via(&p, "http://127.0.0.1:8080/"), None);
        assert_eq!(via(&p, "https://localhost/"), None);
        // ALL_PROXY for the scheme without its own variable.
        let p = proxies(&[
            ("all_proxy", "http://every:3128"),
            ("HTTP_PROXY", "http://plain:80"),
        ])
        .unwrap();
        assert_eq!(via(&p, g).as_deref(), Some("http://every:3128/"));
        assert_eq!(
            via(&p, "http://example.com/").as_deref(),
            Some("http://plain:80/")
        );
        // Credentials become a sensitive Proxy-Authorization value.
        let p = proxies(&[("HTTPS_PROXY", "http://user:p%40ss@secure:3128")]).unwrap();
        let intercept = p.unwrap().intercept(&g.parse().unwrap()).unwrap();
        let auth = intercept.basic_auth().unwrap();
        assert_eq!(auth, "Basic dXNlcjpwQHNz");
        assert!(auth.is_sensitive());
        assert_eq!(intercept.uri().to_string(), "http://secure:3128/");
        // Under CGI, HTTP_PROXY may come from a request: no proxy at all.
        let p = proxies(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil:1")]).unwrap();
        assert!(p.is_none());
    }

    #[test]
    fn only_plain_http_proxies() {
        for bad in [
            "https://secure:3128",
            "socks5://user:secret@socks:1080",
            "http://",
            "not a url",
        ] {
            let err = proxies(&[("HTTPS_PROXY", bad)]).err().unwrap().to_string();
            assert!(err.contains("HTTPS_PROXY"), "{err}");
            assert!(err.contains("only plain-http proxies"), "{err}");
            assert!(!err.contains("secret"), "{err}");
            let err = Proxies::new(&ProxySetting::Url(bad.to_owned()))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("proxy"), "{err}");
            assert!(!err.contains("secret"), "{err}");
        }
        for good in ["http://proxy:3128", "proxy:3128", "http://u:p@10.0.0.1"] {
            assert!(Proxies::new(&ProxySetting::Url(good.to_owned()))
                .unwrap()
                .is_some());
        }
        // An explicit proxy takes this machine's requests too.
        let p = Proxies::new(&ProxySetting::Url("http://proxy:3128".into())).unwrap();
        assert_eq!(
            via(&p, "http://127.0.0.1:1/").as_deref(),
            Some("http://proxy:3128/")
        );
        assert!(Proxies::new(&ProxySetting::Off).unwrap().is_none());
    }

    #[test]
    fn proxy_credentials_are_redacted() {
        assert_eq!(
            redact_userinfo("http://user:secret@proxy:3128/x@y"),
            "http://***@proxy:3128/x@y"
        );
        assert_eq!(redact_userinfo("u:p@proxy:1"), "***@proxy:1");
        assert_eq!(redact_userinfo("http://proxy:1"), "http://proxy:1");
        let setting = ProxySetting::Url("http://user:secret@proxy:3128".into());
        assert!(!format!("{setting:?}").contains("secret"));
    }
}
