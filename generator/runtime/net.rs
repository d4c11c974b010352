//! A small HTTP client over hyper: a pooled HTTP/1.1 connection per host, TLS
//! with rustls and the webpki roots, whole-exchange timeouts. It replaces a
//! general-purpose client (redirects, cookies, proxies, decompression) that
//! Google's APIs do not need and that cost CPU and build time on every call.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::time::Instant;

use crate::error::{Error, Result};

pub use http::{HeaderMap, Method, StatusCode};

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// Why a request could not be sent or its response not read.
#[derive(Debug)]
pub struct TransportError {
    what: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    pub(crate) fn new(
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

/// The connection pool; cheap to clone.
#[derive(Clone)]
pub(crate) struct HttpClient {
    inner: hyper_util::client::legacy::Client<Connector, Full<Bytes>>,
}

impl HttpClient {
    pub(crate) fn new() -> Result<Self> {
        // An explicit provider: no process-wide default needs to be installed.
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .map_err(|e| Error::Transport(TransportError::new("setting up TLS", e)))?
            .https_or_http()
            .enable_http1()
            .build();
        let inner =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .build(connector);
        Ok(HttpClient { inner })
    }

    pub(crate) fn request(&self, method: Method, uri: http::Uri) -> RequestBuilder {
        RequestBuilder {
            client: self.clone(),
            request: http::Request::builder().method(method).uri(uri),
            body: Bytes::new(),
            timeout: None,
        }
    }
}

/// A request being built.
pub(crate) struct RequestBuilder {
    client: HttpClient,
    request: http::request::Builder,
    body: Bytes,
    timeout: Option<Duration>,
}

impl RequestBuilder {
    pub(crate) fn header<K, V>(mut self, name: K, value: V) -> Self
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
    pub(crate) fn bearer_auth(mut self, token: &str) -> Self {
        if let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}")) {
            value.set_sensitive(true);
            self.request = self.request.header(http::header::AUTHORIZATION, value);
        }
        self
    }

    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub(crate) fn body(mut self, body: Bytes) -> Self {
        self.body = body;
        self
    }

    /// Sends the request; the timeout covers the whole exchange, reading the
    /// body included.
    pub(crate) async fn send(self) -> Result<Response> {
        let request = self
            .request
            .body(Full::new(self.body))
            .map_err(|e| Error::invalid_argument("request", format!("cannot be built: {e}")))?;
        let deadline = self.timeout.map(|t| Instant::now() + t);
        let response = within(deadline, self.client.inner.request(request))
            .await?
            .map_err(|e| Error::Transport(TransportError::new("sending the request", e)))?;
        let (parts, body) = response.into_parts();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
            deadline,
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

/// A response whose body has not been read yet.
pub(crate) struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: hyper::body::Incoming,
    deadline: Option<Instant>,
}

impl Response {
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The whole body.
    pub(crate) async fn bytes(self) -> Result<Bytes> {
        let collected = within(self.deadline, self.body.collect())
            .await?
            .map_err(|e| Error::Transport(TransportError::new("reading the response", e)))?;
        Ok(collected.to_bytes())
    }

    /// Streams the body into `writer`; returns the number of bytes written.
    pub(crate) async fn copy_to<W>(mut self, writer: &mut W) -> Result<u64>
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
            written += chunk.len() as u64;
        }
        writer
            .flush()
            .await
            .map_err(|e| Error::io("writing the download", e))?;
        Ok(written)
    }

    /// The next piece of the body; `None` at the end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>> {
        loop {
            let frame = within(self.deadline, self.body.frame()).await?;
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
pub(crate) fn form_encode(value: &str, out: &mut String) {
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
pub(crate) fn check_base_url(url: &str) -> bool {
    match url.parse::<http::Uri>() {
        Ok(uri) => {
            matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.authority().is_some()
                && uri.query().is_none()
        }
        Err(_) => false,
    }
}

/// Parses an absolute URL given by the server (an upload session).
pub(crate) fn parse_uri(what: &str, url: &str) -> Result<http::Uri> {
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
}
