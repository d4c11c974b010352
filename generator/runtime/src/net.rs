//! A small HTTP client over hyper: a pooled HTTP/1.1 connection per host, TLS
//! with rustls and the webpki roots, and timeouts that fit both JSON calls and
//! long transfers. It replaces a general-purpose client (redirects, cookies,
//! proxies, decompression) that Google's APIs do not need and that cost CPU and
//! build time on every call.
//!
//! Timeouts: a connect timeout; for a JSON call one deadline for the attempt
//! (response headers and the buffered body); for a media transfer a deadline
//! for the response headers after the last byte was sent, and an idle timeout
//! between pieces of the body in either direction, so a slow but steady stream
//! is never cut while a stalled one fails.

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::time::Instant;

use crate::error::{Error, Result};

pub use http::{HeaderMap, Method, StatusCode};

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

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

/// The connection pool and the limits every request shares; cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    inner: hyper_util::client::legacy::Client<Connector, RequestBody>,
    /// The largest response body [`Response::bytes`] buffers.
    max_body: u64,
    /// The longest pause between pieces of a streamed body.
    idle: Duration,
}

impl HttpClient {
    pub fn new(connect_timeout: Duration, idle: Duration, max_body: u64) -> Result<Self> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        // An explicit provider: no process-wide default needs to be installed.
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(Arc::new(rustls::crypto::ring::default_provider()))
            .map_err(|e| Error::Transport(TransportError::new("setting up TLS", e)))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let inner =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .build(connector);
        Ok(HttpClient {
            inner,
            max_body,
            idle,
        })
    }

    pub fn request(&self, method: Method, uri: http::Uri) -> RequestBuilder {
        RequestBuilder {
            client: self.clone(),
            request: http::Request::builder().method(method).uri(uri),
            body: Bytes::new(),
            streamed: false,
            timeout: None,
        }
    }
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

/// Appends `value` in `application/x-www-form-urlencoded` form.
pub fn form_encode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
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

/// Parses an absolute URL given by the server (an upload session).
pub fn parse_uri(what: &str, url: &str) -> Result<http::Uri> {
    url.parse::<http::Uri>()
        .map_err(|e| Error::invalid_argument(what.to_owned(), format!("{url:?} is not a URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_the_url_standard() {
        let mut out = String::new();
        form_encode("a b&c=d/é*~", &mut out);
        assert_eq!(out, "a+b%26c%3Dd%2F%C3%A9*%7E");
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
}
