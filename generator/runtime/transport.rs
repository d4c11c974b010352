//! Sending a call: URL, query, headers, auth, timeout, and decoding.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{excerpt, Error, Result};

/// `User-Agent` of every request: `<crate>/<version>`.
pub(crate) const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

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
pub(crate) struct CallOptions {
    pub(crate) fields: Option<String>,
    pub(crate) quota_user: Option<String>,
    pub(crate) pretty_print: bool,
    pub(crate) xgafv: Option<Xgafv>,
    pub(crate) timeout: Option<Duration>,
}

/// One call, as a generated builder describes it.
pub(crate) struct Call {
    pub(crate) method: reqwest::Method,
    /// The method id, e.g. `photoslibrary.albums.get`.
    pub(crate) id: &'static str,
    /// The expanded path, relative to the base URL.
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    /// The JSON request body.
    pub(crate) body: Option<Vec<u8>>,
    /// The scopes the method accepts.
    pub(crate) scopes: &'static [&'static str],
    pub(crate) opts: CallOptions,
}

/// Serializes a request body.
pub(crate) fn json_body<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value)
        .map_err(|e| Error::invalid_argument("request", format!("cannot be serialized: {e}")))
}

/// The error for a required query parameter that was not set.
pub(crate) fn missing(name: &'static str) -> Error {
    Error::invalid_argument(name, "is required")
}

impl Client {
    /// Sends `call` and decodes the JSON response into `T`.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let body = self.execute_bytes(call).await?;
        decode(&body)
    }

    /// Sends `call` and ignores the (empty) response body.
    pub(crate) async fn execute_empty(&self, call: Call) -> Result<()> {
        self.execute_bytes(call).await.map(drop)
    }

    /// Sends `call`; a success status yields the body, any other an [`Error::Api`].
    pub(crate) async fn execute_bytes(&self, call: Call) -> Result<bytes::Bytes> {
        let inner = &self.inner;
        let mut url =
            reqwest::Url::parse(&format!("{}{}", inner.base_url, call.path)).map_err(|e| {
                Error::invalid_argument("path", format!("{:?} does not form a URL: {e}", call.path))
            })?;
        {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
            if let Some(fields) = &call.opts.fields {
                pairs.append_pair("fields", fields);
            }
            if let Some(user) = &call.opts.quota_user {
                pairs.append_pair("quotaUser", user);
            }
            if !call.opts.pretty_print {
                pairs.append_pair("prettyPrint", "false");
            }
            if let Some(x) = call.opts.xgafv {
                pairs.append_pair("$.xgafv", x.as_str());
            }
        }
        let mut request = inner.http.request(call.method.clone(), url);
        if let Some(tokens) = &inner.tokens {
            let token = tokens.token(call.scopes).await.map_err(Error::Auth)?;
            request = request.bearer_auth(token);
        }
        if let Some(timeout) = call.opts.timeout.or(inner.timeout) {
            request = request.timeout(timeout);
        }
        if let Some(body) = call.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(Error::from_reqwest)?;
        let status = response.status();
        if status.is_success() {
            return response.bytes().await.map_err(Error::from_reqwest);
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::from_reqwest)?;
        Err(Error::api(status, headers, &body))
    }
}

/// Decodes a JSON body; an empty body decodes as `{}` (Google's empty message).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|source| Error::Decode {
        source,
        body_excerpt: excerpt(body),
    })
}
