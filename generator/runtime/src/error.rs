//! The error type of every call.

use std::fmt;

/// Any error a source of tokens (or another pluggable part) may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The whole body of an answer that did not decode (at most the client's
/// `max_response_bytes`); its `Debug` shows only its length.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawBody(pub bytes::Bytes);

impl RawBody {
    /// The body's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({} bytes)", self.0.len())
    }
}

/// Everything that can go wrong with a call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or the response not read (DNS, connect,
    /// TLS, connection reset, ...).
    Transport(crate::net::TransportError),
    /// The call did not complete within its timeout.
    Timeout,
    /// The token source failed to produce an access token.
    Auth(BoxError),
    /// The server answered with an error status.
    Api(Box<ApiError>),
    /// The server answered with a success status but a body that does not
    /// decode into the expected type.
    Decode {
        /// What the JSON decoder reported.
        source: serde_json::Error,
        /// The first 1 KiB of the body, for diagnosis.
        body_excerpt: String,
        /// The whole body: an answer to a create call that does not decode
        /// still names what the server made ([`Error::undecoded_json`]).
        body: RawBody,
    },
    /// Reading the media to upload, or writing a download, failed.
    Io {
        /// What was being read or written.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A URL or upload session is no longer valid (the message says why and
    /// what to do).
    Expired {
        /// What expired and how to get a fresh one.
        message: String,
    },
    /// A quota or limit ran out that the answer itself does not name (the
    /// caller knows which: a `429` from a Photos base URL is the daily
    /// media-byte quota, one from the Ambient API's `devices.create` with
    /// 100 devices there is its limit): what it counts fails until it
    /// resets or is freed. Not retried.
    QuotaExhausted {
        /// Which quota, and when it resets.
        message: String,
        /// The answer that said so (`None` for a call not made because an
        /// earlier one found the quota used up).
        last: Option<Box<Error>>,
    },
    /// A paginated call's server handed out a page token it had already given,
    /// which would page forever.
    RepeatedPageToken {
        /// The repeated token.
        token: String,
    },
    /// The server asked to wait longer before a retry than the retry policy
    /// allows ([`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)).
    RetryAfterTooLong {
        /// How long the server asked to wait (`Retry-After`).
        requested: std::time::Duration,
        /// The policy's limit.
        max: std::time::Duration,
        /// The error that came with the request to wait.
        last: Box<Error>,
    },
    /// A response body was larger than the client buffers
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The server's answer breaks the protocol in a way that makes going on
    /// unsafe (an upload offset beyond what was sent, a download of the wrong
    /// length, a URL that would take the token elsewhere, ...).
    Protocol {
        /// What the server did.
        message: String,
    },
    /// A stubbed client's stub does not implement the method (see each
    /// generated crate's `Client::from_stub`), or a media transfer was asked of
    /// a stubbed client.
    Unimplemented {
        /// The method id, e.g. `photoslibrary.albums.get`.
        method: String,
    },
    /// The credentials are known not to hold any scope the method accepts
    /// (their token source reports what was granted, see
    /// [`TokenSource::granted_scopes`](crate::TokenSource::granted_scopes)):
    /// found before anything was sent.
    ScopeNotGranted {
        /// The method id, e.g. `photoslibrary.albums.list`.
        method: String,
        /// The scopes the method accepts (any one suffices).
        accepted: Vec<String>,
        /// The scopes the credentials hold.
        granted: Vec<String>,
    },
    /// An argument was rejected before any request was made.
    InvalidArgument {
        /// The parameter's wire name (e.g. `albumId`), or the setting's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
}

/// An error status from the server, with Google's parsed error body when there
/// is one.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: crate::net::StatusCode,
    /// The response headers.
    pub headers: crate::net::HeaderMap,
    /// The parsed `{"error": {...}}` body, if the body had that shape.
    pub error: Option<GoogleError>,
    /// The first 1 KiB of the body when it was not a Google error body.
    pub body_excerpt: String,
    /// The scopes the called method accepts (any one of them suffices): named
    /// in the message when the token's scopes were insufficient.
    pub method_scopes: &'static [&'static str],
    /// The method's deprecation note, when it is deprecated or withdrawn:
    /// named in the message of a 403 or 404.
    pub method_note: Option<&'static str>,
}

impl ApiError {
    /// Whether the token lacked the scopes the method needs (403 with
    /// "insufficient authentication scopes", or `ErrorInfo` reason
    /// `ACCESS_TOKEN_SCOPE_INSUFFICIENT`).
    pub fn is_insufficient_scopes(&self) -> bool {
        self.status.as_u16() == 403
            && self.error.as_ref().is_some_and(|g| {
                g.message
                    .to_ascii_lowercase()
                    .contains("insufficient authentication scopes")
                    || g.reasons().any(|r| r == "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
            })
    }

    /// Whether a quota that resets only daily is used up (429 whose
    /// `QuotaFailure` or `ErrorInfo` details, or message, name a per-day
    /// limit): retrying before the reset is futile. Other 429s (per-minute
    /// limits, concurrent writes) pass with backoff.
    pub fn is_quota_exhausted(&self) -> bool {
        if self.status.as_u16() != 429 {
            return false;
        }
        let Some(g) = &self.error else {
            return false;
        };
        // Only the fields that describe the limit: `subject` and the
        // ErrorInfo's `consumer` or `service` name projects, which a user may
        // well call "daily-backup".
        let daily = |text: &str| {
            let text = text.to_ascii_lowercase();
            text.contains("per day")
                || text.contains("perday")
                || text.contains("daily")
                || text.contains("/d/")
        };
        daily(&g.message)
            || g.details.iter().any(|d| {
                let kind = d.get("@type").and_then(|t| t.as_str()).unwrap_or("");
                if kind.ends_with("google.rpc.QuotaFailure") {
                    d.get("violations")
                        .and_then(|v| v.as_array())
                        .is_some_and(|vs| {
                            vs.iter().any(|v| {
                                ["description", "quotaId", "quotaMetric"]
                                    .iter()
                                    .filter_map(|k| v.get(*k).and_then(|s| s.as_str()))
                                    .any(daily)
                            })
                        })
                } else if kind.ends_with("google.rpc.ErrorInfo") {
                    d.get("metadata").is_some_and(|m| {
                        ["quota_limit", "quota_unit", "quota_metric"]
                            .iter()
                            .filter_map(|k| m.get(*k).and_then(|v| v.as_str()))
                            .any(daily)
                    })
                } else {
                    false
                }
            })
    }
}

impl GoogleError {
    /// The `reason` of each `google.rpc.ErrorInfo` detail.
    pub fn reasons(&self) -> impl Iterator<Item = &str> {
        self.details.iter().filter_map(|d| {
            let kind = d.get("@type").and_then(|t| t.as_str()).unwrap_or("");
            kind.ends_with("google.rpc.ErrorInfo")
                .then(|| d.get("reason").and_then(|r| r.as_str()))
                .flatten()
        })
    }
}

/// Google's JSON error body: `{"error": {"code", "message", "status", "details"}}`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GoogleError {
    /// The HTTP status code, e.g. `404`.
    pub code: i32,
    /// A developer-facing message.
    pub message: String,
    /// The canonical status name, e.g. `NOT_FOUND`.
    pub status: String,
    /// Typed details (`@type` URLs with their payloads), kept as JSON.
    pub details: Vec<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct Envelope {
    error: GoogleError,
}

/// How much of a body errors keep.
const EXCERPT: usize = 1024;

pub fn excerpt(body: &[u8]) -> String {
    let mut end = body.len().min(EXCERPT);
    // Cut at a character boundary.
    while end > 0 && end < body.len() && (body[end] & 0b1100_0000) == 0b1000_0000 {
        end -= 1;
    }
    String::from_utf8_lossy(&body[..end]).into_owned()
}

impl Error {
    // Used by the media runtime and overlays, which not every crate has.
    #[allow(dead_code)]
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn invalid_argument(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            message: message.into(),
        }
    }

    pub fn api(
        status: crate::net::StatusCode,
        headers: crate::net::HeaderMap,
        body: &[u8],
    ) -> Self {
        let error = serde_json::from_slice::<Envelope>(body)
            .ok()
            .map(|e| e.error);
        let body_excerpt = if error.is_some() {
            String::new()
        } else {
            excerpt(body)
        };
        Error::Api(Box::new(ApiError {
            status,
            headers,
            error,
            body_excerpt,
            method_scopes: &[],
            method_note: None,
        }))
    }

    /// The error with what the call knows about its method (accepted scopes,
    /// deprecation note), for a message that says what to do.
    #[doc(hidden)]
    pub fn for_method(
        mut self,
        scopes: &'static [&'static str],
        note: Option<&'static str>,
    ) -> Self {
        if let Error::Api(e) = &mut self {
            e.method_scopes = scopes;
            e.method_note = note;
        }
        self
    }

    /// Whether a daily quota is used up (see [`ApiError::is_quota_exhausted`]).
    pub fn is_quota_exhausted(&self) -> bool {
        match self {
            Error::Api(e) => e.is_quota_exhausted(),
            Error::RetryAfterTooLong { last, .. } => last.is_quota_exhausted(),
            Error::QuotaExhausted { .. } => true,
            _ => false,
        }
    }

    /// Whether the token lacked the method's scopes (see
    /// [`ApiError::is_insufficient_scopes`]).
    pub fn is_insufficient_scopes(&self) -> bool {
        match self {
            Error::Api(e) => e.is_insufficient_scopes(),
            Error::ScopeNotGranted { .. } => true,
            _ => false,
        }
    }

    /// The scopes the method accepts, when the error is about scopes (a
    /// [`Error::ScopeNotGranted`], or a 403 "insufficient scopes"): what to
    /// sign in again with.
    pub fn accepted_scopes(&self) -> Vec<String> {
        match self {
            Error::ScopeNotGranted { accepted, .. } => accepted.clone(),
            Error::Api(e) if e.is_insufficient_scopes() => {
                e.method_scopes.iter().map(|s| s.to_string()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The error of a stub method that is not implemented.
    pub fn unimplemented(method: impl Into<String>) -> Self {
        Error::Unimplemented {
            method: method.into(),
        }
    }

    #[doc(hidden)]
    pub fn protocol(message: impl Into<String>) -> Self {
        Error::Protocol {
            message: message.into(),
        }
    }

    /// The body of a success answer that did not decode, as JSON if it is
    /// JSON: what identifies a resource the server created is still there
    /// (`value["id"]`), so it can be used or cleaned up.
    pub fn undecoded_json(&self) -> Option<serde_json::Value> {
        match self {
            Error::Decode { body, .. } => serde_json::from_slice(body.as_bytes()).ok(),
            _ => None,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<crate::net::StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::RetryAfterTooLong { last, .. } => last.status(),
            Error::QuotaExhausted { last, .. } => last.as_ref().and_then(|e| e.status()),
            _ => None,
        }
    }

    /// The parsed Google error body of an API error.
    pub fn google_error(&self) -> Option<&GoogleError> {
        match self {
            Error::Api(e) => e.error.as_ref(),
            Error::RetryAfterTooLong { last, .. } => last.google_error(),
            Error::QuotaExhausted { last, .. } => last.as_ref().and_then(|e| e.google_error()),
            _ => None,
        }
    }

    /// Whether trying the same call again may succeed: timeouts, connection
    /// failures, 429 (but not an exhausted daily quota) and 5xx statuses
    /// (500, 502, 503, 504).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout | Error::Transport(_) => true,
            Error::Api(e) if e.is_quota_exhausted() => false,
            Error::Api(e) => matches!(e.status.as_u16(), 429 | 500 | 502 | 503 | 504),
            Error::Auth(_)
            | Error::Decode { .. }
            | Error::InvalidArgument { .. }
            | Error::RepeatedPageToken { .. }
            | Error::Io { .. }
            | Error::Expired { .. }
            | Error::RetryAfterTooLong { .. }
            | Error::QuotaExhausted { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Unimplemented { .. }
            | Error::ScopeNotGranted { .. }
            | Error::Protocol { .. } => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(e) => write!(f, "could not reach the server: {e}"),
            Error::Timeout => f.write_str("the call timed out"),
            Error::Auth(e) => write!(f, "could not get an access token: {e}"),
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Decode {
                source,
                body_excerpt,
                ..
            } => {
                write!(f, "the response could not be decoded: {source}; body starts with: {body_excerpt:?}")
            }
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Expired { message } => f.write_str(message),
            Error::QuotaExhausted {
                message,
                last: Some(last),
            } => write!(f, "{message} ({last})"),
            Error::QuotaExhausted {
                message,
                last: None,
            } => f.write_str(message),
            Error::RepeatedPageToken { token } => {
                write!(
                    f,
                    "the server returned the page token {token:?} a second time; stopped paging"
                )
            }
            Error::RetryAfterTooLong {
                requested,
                max,
                last,
            } => write!(
                f,
                "the server asked to wait {} s before retrying, more than the retry policy's \
                 maximum of {} s: {last}",
                requested.as_secs(),
                max.as_secs()
            ),
            Error::ResponseTooLarge { limit } => write!(
                f,
                "the response body is larger than the client's limit of {limit} bytes \
                 (ClientBuilder::max_response_bytes)"
            ),
            Error::Protocol { message } => write!(f, "the server broke the protocol: {message}"),
            Error::Unimplemented { method } => {
                write!(f, "{method} is not implemented by this client's stub")
            }
            Error::InvalidArgument { name, message } => {
                write!(f, "invalid argument `{name}`: {message}")
            }
            Error::ScopeNotGranted {
                method,
                accepted,
                granted,
            } => write!(
                f,
                "{method} needs one of the scopes {}, and the credentials hold none of them \
                 (granted: {}); nothing was sent: sign in again asking for one of them",
                accepted.join(", "),
                if granted.is_empty() {
                    "none".to_owned()
                } else {
                    granted.join(", ")
                }
            ),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(g) if !g.status.is_empty() => write!(
                f,
                "the server answered {} ({}): {}",
                self.status, g.status, g.message
            )?,
            Some(g) => write!(f, "the server answered {}: {}", self.status, g.message)?,
            None => write!(
                f,
                "the server answered {}: {:?}",
                self.status, self.body_excerpt
            )?,
        }
        if self.is_insufficient_scopes() && !self.method_scopes.is_empty() {
            write!(
                f,
                "; the token needs one of the scopes this method accepts: {}",
                self.method_scopes.join(", ")
            )?;
        }
        if let Some(note) = self.method_note {
            if matches!(self.status.as_u16(), 403 | 404) {
                write!(f, "; this method is deprecated: {note}")?;
            }
        }
        if self.is_quota_exhausted() {
            f.write_str("; a daily quota is used up: retrying before it resets (midnight Pacific time for most Google APIs) will fail")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Auth(e) => Some(e.as_ref()),
            Error::Decode { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            Error::RetryAfterTooLong { last, .. } => Some(last.as_ref()),
            Error::QuotaExhausted { last, .. } => last.as_deref().map(|e| e as _),
            Error::Api(_)
            | Error::ResponseTooLarge { .. }
            | Error::Unimplemented { .. }
            | Error::Protocol { .. }
            | Error::Timeout
            | Error::InvalidArgument { .. }
            | Error::RepeatedPageToken { .. }
            | Error::ScopeNotGranted { .. }
            | Error::Expired { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(status: u16, body: serde_json::Value) -> Error {
        Error::api(
            crate::net::StatusCode::from_u16(status).unwrap(),
            crate::net::HeaderMap::new(),
            body.to_string().as_bytes(),
        )
    }

    #[test]
    fn a_daily_quota_is_recognised_and_not_retried() {
        let by_message = api_error(
            429,
            serde_json::json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service 'photoslibrary.googleapis.com'"}}),
        );
        assert!(by_message.is_quota_exhausted());
        assert!(!by_message.is_retryable());
        assert!(
            by_message.to_string().contains("daily quota"),
            "{by_message}"
        );
        let by_details = api_error(
            429,
            serde_json::json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded.",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
                    "metadata": {"quota_limit": "ApiCallsPerProjectPerDay"}}]}}),
        );
        assert!(by_details.is_quota_exhausted());
        let per_minute = api_error(
            429,
            serde_json::json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'"}}),
        );
        assert!(!per_minute.is_quota_exhausted());
        assert!(per_minute.is_retryable());
        let not_429 = api_error(
            403,
            serde_json::json!({"error": {"code": 403, "message": "limit per day"}}),
        );
        assert!(!not_429.is_quota_exhausted());
        // A project named like a daily job does not make a per-minute 429 daily.
        let project = api_error(
            429,
            serde_json::json!({"error": {"code": 429, "message": "Quota exceeded.",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                     "violations": [{"subject": "project:daily-backup", "description": "Write requests per minute"}]},
                    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
                     "metadata": {"consumer": "projects/daily-backup", "quota_limit": "WritesPerMinutePerUser"}}]}}),
        );
        assert!(!project.is_quota_exhausted());
        let by_unit = api_error(
            429,
            serde_json::json!({"error": {"code": 429, "message": "Quota exceeded.",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
                    "metadata": {"quota_unit": "1/d/{project}"}}]}}),
        );
        assert!(by_unit.is_quota_exhausted());
    }

    #[test]
    fn insufficient_scopes_name_the_methods_scopes() {
        const SCOPES: &[&str] = &["https://example/a", "https://example/b"];
        let error = api_error(
            403,
            serde_json::json!({"error": {"code": 403, "status": "PERMISSION_DENIED",
                "message": "Request had insufficient authentication scopes."}}),
        )
        .for_method(SCOPES, None);
        assert!(error.is_insufficient_scopes());
        let text = error.to_string();
        assert!(
            text.contains(
                "needs one of the scopes this method accepts: https://example/a, https://example/b"
            ),
            "{text}"
        );
        // Another 403 does not claim a scope problem.
        let other = api_error(
            403,
            serde_json::json!({"error": {"code": 403, "message": "The caller does not have permission"}}),
        )
        .for_method(SCOPES, Some("withdrawn on 31 March 2025"));
        assert!(!other.is_insufficient_scopes());
        let text = other.to_string();
        assert!(!text.contains("scopes"), "{text}");
        assert!(
            text.contains("this method is deprecated: withdrawn on 31 March 2025"),
            "{text}"
        );
    }
}
