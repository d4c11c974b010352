//! Sending a call: URL, query, headers, auth, timeout, retries, tracing and
//! decoding.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{excerpt, Error, Result};
use crate::retry::RetryPolicy;

/// The future of a call's `send`. Boxed on purpose: the whole request path is
/// then compiled once, in this crate, instead of again in every crate that
/// awaits a call (which made incremental builds of applications slow).
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// `x-goog-api-client` of every request: the generated-client marker and the
/// runtime's version.
pub const API_CLIENT: &str = concat!("gl-rust/unknown gdcl/", env!("CARGO_PKG_VERSION"));

/// The error format the server uses (`$.xgafv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Xgafv {
    /// v1 error format.
    V1,
    /// v2 error format.
    V2,
}

impl Xgafv {
    fn as_str(self) -> &'static str {
        match self {
            Xgafv::V1 => "1",
            Xgafv::V2 => "2",
        }
    }
}

/// Standard parameters and per-call settings every request builder carries.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    pub fields: Option<String>,
    pub quota_user: Option<String>,
    pub pretty_print: bool,
    pub xgafv: Option<Xgafv>,
    pub timeout: Option<Duration>,
    pub retry: Option<RetryPolicy>,
}

/// One call, as a generated builder describes it.
#[derive(Clone)]
pub struct Call {
    pub method: crate::net::Method,
    /// The method id, e.g. `photoslibrary.albums.get`.
    pub id: &'static str,
    /// The expanded path, relative to the base URL (or to the root URL when
    /// `from_root`: media upload and download paths).
    pub path: String,
    pub from_root: bool,
    /// Extra request headers.
    pub headers: Vec<(&'static str, String)>,
    pub query: Vec<(&'static str, String)>,
    /// The request body and its content type (`None`: JSON).
    pub body: Option<Bytes>,
    pub content_type: Option<String>,
    /// The scopes the method accepts.
    pub scopes: &'static [&'static str],
    pub opts: CallOptions,
    /// Repeating the request cannot do harm although its method is not
    /// idempotent ([`is_idempotent`]: starting an upload session, uploading
    /// bytes that nothing refers to yet): the retry policy treats it like a
    /// `GET`.
    pub idempotent: bool,
    /// The body is media: sent in pieces under the idle timeout, not one
    /// deadline (see `net`).
    pub streamed: bool,
    /// The method's deprecation note, for its error messages.
    pub note: Option<&'static str>,
}

impl Call {
    /// A JSON call relative to the base URL, as generated builders describe it.
    pub fn new(
        method: crate::net::Method,
        id: &'static str,
        path: String,
        query: Vec<(&'static str, String)>,
        body: Option<Bytes>,
        scopes: &'static [&'static str],
        opts: CallOptions,
    ) -> Self {
        Call {
            method,
            id,
            path,
            from_root: false,
            headers: Vec::new(),
            query,
            body,
            content_type: None,
            scopes,
            opts,
            idempotent: false,
            streamed: false,
            note: None,
        }
    }

    /// The call of a deprecated (or withdrawn) method: its errors say so.
    pub fn deprecated(mut self, note: &'static str) -> Self {
        self.note = Some(note);
        self
    }
}

/// Whether repeating a request of this method has the effect of sending it
/// once (RFC 9110 §9.2.2), so a failed attempt may be retried by default.
pub fn is_idempotent(method: &crate::net::Method) -> bool {
    use crate::net::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .contains(method)
}

/// Serializes a request body (inside `{"data": ...}` when `wrapped`: APIs
/// with the `dataWrapper` feature).
pub fn json_body<T: serde::Serialize>(value: &T, wrapped: bool) -> Result<Bytes> {
    json_body_with(value, wrapped)
}

fn json_body_with<T: serde::Serialize>(value: &T, wrapped: bool) -> Result<Bytes> {
    #[derive(serde::Serialize)]
    struct Wrapped<'a, T> {
        data: &'a T,
    }
    let encoded = if wrapped {
        serde_json::to_vec(&Wrapped { data: value })
    } else {
        serde_json::to_vec(value)
    };
    encoded
        .map(Bytes::from)
        .map_err(|e| Error::invalid_argument("request", format!("cannot be serialized: {e}")))
}

/// The request a call would send, without sending it (the CLI's `--dry-run`,
/// tests): the method, the full URL with its query, the headers (the
/// `Authorization` value replaced by `REDACTED`) and the JSON body.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RequestPreview {
    pub method: String,
    pub url: String,
    pub headers: std::collections::BTreeMap<String, String>,
    /// The JSON body (`null` for none; a body that is not JSON, such as media,
    /// is shown as `null` too).
    pub body: serde_json::Value,
}

/// The error for a required query parameter that was not set.
pub fn missing(name: &'static str) -> Error {
    Error::invalid_argument(name, "is required")
}

// The interface for generated code and overlays, not API.
#[doc(hidden)]
impl Client {
    /// The call's own retry policy, else the client's.
    pub(crate) fn retry_policy<'a>(&'a self, opts: Option<&'a CallOptions>) -> &'a RetryPolicy {
        opts.and_then(|o| o.retry.as_ref())
            .unwrap_or(&self.inner.retry)
    }

    /// Sends `call` and decodes the JSON response into `T`.
    pub async fn execute<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let body = self.execute_bytes(call).await?;
        decode_with(&body, self.inner.api.data_wrapper)
    }

    /// Sends `call` and ignores the (empty) response body.
    pub async fn execute_empty(&self, call: Call) -> Result<()> {
        self.execute_bytes(call).await.map(drop)
    }

    /// Sends `call`, retrying as the policy allows; a success status yields the
    /// body, any other an [`Error::Api`].
    ///
    /// Boxed so that the future's type, and with it its drop glue over hyper's
    /// and h2's futures, stays in this crate: a generated crate awaiting it
    /// instantiates only the decode (release builds do not share generic
    /// instances between crates).
    pub fn execute_bytes(
        &self,
        call: Call,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Bytes>> + Send + '_>> {
        Box::pin(self.send(call, |response| response.bytes()))
    }

    /// Sends `call` with retries and hands the successful response to `read`,
    /// which runs inside the retry loop (a failed read is retried like a failed
    /// request). One `tracing` span per call records the method id, the attempt
    /// and the last status.
    pub async fn send<T, F, Fut>(&self, call: Call, read: F) -> Result<T>
    where
        F: Fn(crate::net::Response) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let span = tracing::debug_span!(
            "call",
            method = call.id,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        self.run(call, &span, read).instrument(span.clone()).await
    }

    async fn run<T, F, Fut>(&self, call: Call, span: &tracing::Span, read: F) -> Result<T>
    where
        F: Fn(crate::net::Response) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let uri = self.uri(&call)?;
        let policy = self.retry_policy(Some(&call.opts));
        let may_retry = is_idempotent(&call.method) || call.idempotent || policy.non_idempotent;
        let start = Instant::now();
        let mut attempt = 1;
        loop {
            span.record("attempt", attempt);
            let result = match self.attempt(&call, uri.clone(), span).await {
                Ok(response) => read(response).await,
                Err(error) => Err(error),
            };
            let error = match result {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !may_retry {
                return Err(error);
            }
            let (wait, error) = policy.next_attempt(error, attempt, start.elapsed())?;
            tracing::debug!(attempt, wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), error = %error, "retrying");
            tokio::time::sleep(wait).await;
            attempt = attempt.saturating_add(1);
        }
    }

    /// What sending `call` would send (see [`RequestPreview`]); asks no token
    /// source for a token.
    pub fn preview(&self, call: &Call) -> Result<RequestPreview> {
        let inner = &self.inner;
        let mut headers = std::collections::BTreeMap::new();
        headers.insert(
            "user-agent".to_owned(),
            inner.user_agent.to_str().unwrap_or_default().to_owned(),
        );
        headers.insert("x-goog-api-client".to_owned(), API_CLIENT.to_owned());
        if inner.tokens.is_some() {
            headers.insert("authorization".to_owned(), "REDACTED".to_owned());
        }
        let body = match &call.body {
            Some(bytes) => {
                let content_type = call.content_type.as_deref().unwrap_or("application/json");
                headers.insert("content-type".to_owned(), content_type.to_owned());
                if content_type == "application/json" {
                    serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null)
                } else {
                    serde_json::Value::Null
                }
            }
            None => serde_json::Value::Null,
        };
        for (name, value) in &call.headers {
            headers.insert(name.to_ascii_lowercase(), value.clone());
        }
        Ok(RequestPreview {
            method: call.method.as_str().to_owned(),
            url: self.uri(call)?.to_string(),
            headers,
            body,
        })
    }

    /// The request URI: base (or root) URL, path, then the query.
    pub fn uri(&self, call: &Call) -> Result<http::Uri> {
        let base = if call.from_root {
            &self.inner.root_url
        } else {
            &self.inner.base_url
        };
        let mut url = String::with_capacity(base.len() + call.path.len() + 64);
        url.push_str(base);
        url.push_str(&call.path);
        let mut first = true;
        let mut pair = |name: &str, value: &str| {
            url.push(if first { '?' } else { '&' });
            first = false;
            crate::net::form_encode(name, &mut url);
            url.push('=');
            crate::net::form_encode(value, &mut url);
        };
        for (name, value) in &call.query {
            pair(name, value);
        }
        if let Some(fields) = &call.opts.fields {
            pair("fields", fields);
        }
        if let Some(user) = &call.opts.quota_user {
            pair("quotaUser", user);
        }
        if !call.opts.pretty_print {
            pair("prettyPrint", "false");
        }
        if let Some(x) = call.opts.xgafv {
            pair("$.xgafv", x.as_str());
        }
        crate::net::parse_uri("path", &url)
    }

    /// A request to `uri` without a token (a pre-authorized URL), with the
    /// client's `User-Agent` and timeout.
    pub fn unauthenticated_request(
        &self,
        method: crate::net::Method,
        uri: http::Uri,
    ) -> crate::net::RequestBuilder {
        // Counted when made: every caller sends what it makes.
        self.inner
            .unauthenticated
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner
            .http
            .request(method, uri)
            .header(http::header::USER_AGENT, self.inner.user_agent.clone())
            .timeout(self.inner.timeout)
    }

    /// Sends a request that belongs to no API method (an OAuth token or
    /// device-authorization endpoint): without a token, through this
    /// client's pool, proxy and certificates, within its attempt timeout,
    /// reading at most `max_body` bytes of the answer. Not retried.
    pub async fn exchange(
        &self,
        request: http::Request<Bytes>,
        max_body: u64,
    ) -> Result<http::Response<Bytes>> {
        let inner = &self.inner;
        let (parts, body) = request.into_parts();
        let mut builder = inner
            .http
            .clone()
            .with_limits(Some(max_body), None)
            .request(parts.method, parts.uri)
            .header(http::header::USER_AGENT, inner.user_agent.clone())
            .timeout(inner.timeout)
            .body(body);
        for (name, value) in &parts.headers {
            builder = builder.header(name.clone(), value.clone());
        }
        let response = builder.send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        let mut answer = http::Response::new(body);
        *answer.status_mut() = status;
        *answer.headers_mut() = headers;
        Ok(answer)
    }

    /// A request to `uri` with the client's headers, a fresh token and the
    /// call's timeout.
    pub async fn request(
        &self,
        method: crate::net::Method,
        uri: http::Uri,
        call: &Call,
    ) -> Result<crate::net::RequestBuilder> {
        let inner = &self.inner;
        let mut request = inner
            .http
            .request(method, uri)
            .header(http::header::USER_AGENT, inner.user_agent.clone())
            .header("x-goog-api-client", API_CLIENT);
        if let Some(tokens) = &inner.tokens {
            self.check_scopes(call.id, call.scopes)?;
            let token = tokens.token(call.scopes).await.map_err(Error::Auth)?;
            request = request.bearer_auth(&token);
        }
        request = request.timeout(call.opts.timeout.unwrap_or(inner.timeout));
        for (name, value) in &call.headers {
            request = request.header(*name, value.as_str());
        }
        Ok(request)
    }

    async fn attempt(
        &self,
        call: &Call,
        uri: http::Uri,
        span: &tracing::Span,
    ) -> Result<crate::net::Response> {
        let mut request = self.request(call.method.clone(), uri, call).await?;
        if let Some(body) = &call.body {
            let content_type = call.content_type.as_deref().unwrap_or("application/json");
            request = request.header(http::header::CONTENT_TYPE, content_type);
            request = if call.streamed {
                request.streamed_body(body.clone())
            } else {
                request.body(body.clone())
            };
        }
        let response = request.send().await?;
        span.record("status", response.status().as_u16());
        check_status(response)
            .await
            .map_err(|e| e.for_method(call.scopes, call.note))
    }
}

/// A success status passes; any other becomes an [`Error::Api`] with the body.
pub async fn check_status(response: crate::net::Response) -> Result<crate::net::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let body = response.bytes_truncated().await?;
    Err(Error::api(status, headers, &body))
}

/// Decodes a response body exactly as the client does: an empty body as `{}`
/// (Google's empty message), the value inside `"data"` when `wrapped` (APIs
/// with the `dataWrapper` feature), and a [`Error::Decode`] with an excerpt on
/// failure. Each generated crate offers it as `from_json`.
pub fn decode_with<T: DeserializeOwned>(body: &[u8], wrapped: bool) -> Result<T> {
    #[derive(serde::Deserialize)]
    struct Wrapped<T> {
        data: Option<T>,
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let error = |source| Error::Decode {
        source,
        body_excerpt: excerpt(body),
        body: crate::error::RawBody(Bytes::copy_from_slice(body)),
    };
    // Validating UTF-8 once for the whole body is cheaper than per string.
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(_) => return serde_json::from_slice(body).map_err(error),
    };
    if wrapped {
        match serde_json::from_str::<Wrapped<T>>(text)
            .map_err(error)?
            .data
        {
            Some(value) => Ok(value),
            None => serde_json::from_str("{}").map_err(error),
        }
    } else {
        serde_json::from_str(text).map_err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq, Default)]
    #[serde(default)]
    struct Page {
        items: Vec<String>,
    }

    #[test]
    fn wraps_request_bodies_when_asked() {
        assert_eq!(
            &json_body_with(&serde_json::json!({"q": 1}), true).unwrap()[..],
            br#"{"data":{"q":1}}"#
        );
        assert_eq!(
            &json_body_with(&serde_json::json!({"q": 1}), false).unwrap()[..],
            br#"{"q":1}"#
        );
    }

    #[test]
    fn decodes_plain_wrapped_and_empty_bodies() {
        let page: Page = decode_with(br#"{"items": ["a"]}"#, false).unwrap();
        assert_eq!(page.items, ["a"]);
        let page: Page = decode_with(br#"{"data": {"items": ["b"]}}"#, true).unwrap();
        assert_eq!(page.items, ["b"]);
        let page: Page = decode_with(b"  ", true).unwrap();
        assert_eq!(page, Page::default());
        let page: Page = decode_with(b"", false).unwrap();
        assert_eq!(page, Page::default());
        match decode_with::<Page>(b"{\"items\": [1", false) {
            Err(Error::Decode { body_excerpt, .. }) => assert_eq!(body_excerpt, "{\"items\": [1"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode_with::<Page>(b"\xff\xfe", false),
            Err(Error::Decode { .. })
        ));
    }
}
