//! One engine for resumable uploads, shared by the discovery format's media
//! upload (`PUT` with `Content-Range`, `308` with `Range`) and Google's
//! `X-Goog-Upload-*` protocol (Photos uploads). Whatever the server answers,
//! the engine never sends a byte under a wrong offset, never loops without
//! progress for longer than the retry policy allows, and never buffers more
//! than two chunks (the one being sent and, up to [`READ_AHEAD_MAX`], the
//! next one, read meanwhile).

use std::pin::Pin;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::{check_status, Call};

/// The largest chunk held in memory (and so the largest chunk size a caller or
/// a server's granularity can ask for).
pub const MAX_CHUNK: u64 = 256 << 20;

/// Chunks up to this size are read ahead: the next one is read from the
/// source while the current one is sent, so the file and the network work at
/// once (two chunks in memory). Reading each 8 MiB chunk only after the one
/// before was acknowledged left the socket idle for the read: a 1 GiB library
/// upload took 1.5-1.7x curl's wall time on a quiet machine (BENCHMARKS.md).
pub const READ_AHEAD_MAX: usize = 16 << 20;

/// The bytes of an upload, read one chunk at a time.
pub enum Source {
    Bytes { data: Bytes, pos: usize },
    Reader(Pin<Box<dyn AsyncRead + Send>>),
}

impl Source {
    pub fn from_bytes(data: Bytes) -> Self {
        Source::Bytes { data, pos: 0 }
    }

    /// The next `size` bytes, fewer only at the end.
    pub async fn next_chunk(&mut self, size: usize) -> Result<Bytes> {
        self.next_chunk_in(size, None).await
    }

    /// [`next_chunk`](Self::next_chunk), read from a reader into `spare`
    /// (the previous chunk's buffer, when no one else holds it) if it is
    /// large enough. A fresh 8 MiB buffer per chunk is 2,048 page faults of
    /// zeroed memory, and the previous chunk may still be freed when the
    /// next is allocated: a 100 MiB upload took 11,000 page faults and
    /// 33 MiB peak RSS that way, 2,800 and 16.8 MiB with the reuse.
    pub async fn next_chunk_in(&mut self, size: usize, spare: Option<BytesMut>) -> Result<Bytes> {
        match self {
            Source::Bytes { data, pos } => {
                let start = (*pos).min(data.len());
                let end = start.saturating_add(size).min(data.len());
                *pos = end;
                Ok(data.slice(start..end))
            }
            Source::Reader(reader) => {
                // One allocation of exactly `size`, filled in place: pages
                // never written (a short last chunk, a large granularity)
                // are not resident. Growing the buffer as bytes arrived
                // (`read_to_end` doubles a full 8 MiB buffer to 16 MiB to
                // look for the end) left freed buffers of every size in
                // the heap: 24-28 MiB peak RSS for a 1 GiB upload against
                // 16 MiB now, for 100 MiB and 1 GiB alike (BENCHMARKS.md).
                let mut buf = match spare {
                    Some(mut spare) if spare.capacity() >= size => {
                        spare.clear();
                        spare
                    }
                    _ => BytesMut::with_capacity(size),
                };
                let mut limited = reader.as_mut().take(size as u64);
                while buf.len() < size {
                    let n = limited
                        .read_buf(&mut buf)
                        .await
                        .map_err(|e| Error::io("reading the media", e))?;
                    if n == 0 {
                        break;
                    }
                }
                Ok(buf.freeze())
            }
        }
    }

    /// Reads and drops the next `n` bytes: the source then starts where a
    /// resumed session goes on. Fails if the source ends first.
    pub async fn skip(&mut self, n: u64) -> Result<()> {
        match self {
            Source::Bytes { data, pos } => {
                let rest = (data.len() - (*pos).min(data.len())) as u64;
                if n > rest {
                    return Err(short_source(n, rest));
                }
                // `n <= rest`, which fits in `usize`.
                *pos += usize::try_from(n).unwrap_or(usize::MAX);
                Ok(())
            }
            Source::Reader(reader) => {
                let skipped = tokio::io::copy(&mut reader.as_mut().take(n), &mut tokio::io::sink())
                    .await
                    .map_err(|e| Error::io("reading the media", e))?;
                if skipped < n {
                    return Err(short_source(n, skipped));
                }
                Ok(())
            }
        }
    }

    /// Everything, but fails beyond `max` bytes (without reading much further).
    pub async fn read_all(mut self, max: u64) -> Result<Bytes> {
        let too_large =
            || Error::invalid_argument("media", format!("the upload exceeds {max} bytes"));
        match &mut self {
            Source::Bytes { data, pos } => {
                let rest = data.slice((*pos).min(data.len())..);
                if rest.len() as u64 > max {
                    return Err(too_large());
                }
                Ok(rest)
            }
            Source::Reader(reader) => {
                let mut data = Vec::new();
                reader
                    .as_mut()
                    .take(max.saturating_add(1))
                    .read_to_end(&mut data)
                    .await
                    .map_err(|e| Error::io("reading the media", e))?;
                if data.len() as u64 > max {
                    return Err(too_large());
                }
                Ok(Bytes::from(data))
            }
        }
    }
}

fn short_source(wanted: u64, had: u64) -> Error {
    Error::io(
        format!("reading the media: it ended after {had} of the {wanted} bytes the session has"),
        std::io::ErrorKind::UnexpectedEof.into(),
    )
}

/// A chunk size near `wanted` that is a multiple of `granularity` and at most
/// [`MAX_CHUNK`]; an error when the server's granularity is zero or larger than
/// what may be buffered.
pub fn chunk_size(wanted: u64, granularity: u64) -> Result<usize> {
    if granularity == 0 || granularity > MAX_CHUNK {
        return Err(Error::protocol(format!(
            "the server asks for upload chunks in multiples of {granularity} bytes \
             (at most {MAX_CHUNK} are buffered)"
        )));
    }
    let chunks = wanted.clamp(1, MAX_CHUNK).div_ceil(granularity).max(1);
    let size = chunks
        .saturating_mul(granularity)
        .min(MAX_CHUNK / granularity * granularity);
    usize::try_from(size).map_err(|_| Error::protocol("the chunk size does not fit in memory"))
}

/// How a session's bytes are sent and its progress asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// The discovery format's resumable media upload: `PUT` with
    /// `Content-Range`; `308 Resume Incomplete` with `Range: bytes=0-N`.
    ContentRange,
    /// `POST` with `X-Goog-Upload-Command` and `X-Goog-Upload-Offset`; the
    /// `query` command answers `X-Goog-Upload-Status` and
    /// `X-Goog-Upload-Size-Received`.
    XGoogUpload,
}

/// A started upload session.
pub struct Session<'a> {
    /// The session URL, checked by [`Client::check_session_url`].
    pub url: http::Uri,
    pub protocol: Protocol,
    /// The call the session belongs to: its scopes, timeout and retry policy.
    pub call: &'a Call,
}

/// What the server says after a piece or a query.
pub enum Step {
    /// The upload is complete: the final response body.
    Done(Bytes),
    /// The server has this many bytes.
    Have(u64),
}

/// The media's shape, as the engine needs it.
#[derive(Default)]
pub struct Plan<'a> {
    /// The bytes the server already has (a resumed session, see
    /// [`Client::query_upload`]); the source begins after them.
    pub start: u64,
    /// The length, when known before the upload.
    pub total: Option<u64>,
    pub chunk_size: usize,
    /// The largest upload the method accepts.
    pub max_size: Option<u64>,
    /// Called with the number of bytes the server has acknowledged.
    pub progress: Option<&'a (dyn Fn(u64) + Send + Sync)>,
}

// The interface for generated code and overlays, not API.
#[doc(hidden)]
impl Client {
    /// Sends `source` through `session`, one chunk at a time, and returns the
    /// final response body. After an interruption it asks the server what it
    /// has and sends only the rest; attempts that make no progress are bounded
    /// by the retry policy (its attempts and time budget, counted from the last
    /// progress).
    pub async fn upload_session(
        &self,
        session: &Session<'_>,
        source: &mut Source,
        plan: Plan<'_>,
    ) -> Result<Bytes> {
        // An empty chunk would never move the upload on (`Plan::default()`
        // has none): refused rather than sent forever.
        if plan.chunk_size == 0 {
            return Err(Error::invalid_argument(
                "chunk_size",
                "a resumable upload needs chunks of at least one byte (see chunk_size())",
            ));
        }
        let policy = self.retry_policy(Some(&session.call.opts));
        let report = |n: u64| {
            if let Some(progress) = plan.progress {
                progress(n);
            }
        };
        let mut offset = plan.start;
        let mut spare: Option<BytesMut> = None;
        // The chunk read while the one before it was sent.
        let mut next: Option<Bytes> = None;
        loop {
            // A session resumed mid-chunk first sends up to the next
            // multiple of the chunk size, as an interrupted chunk does.
            let want = match usize::try_from(offset % plan.chunk_size as u64) {
                Ok(into) if into > 0 => plan.chunk_size - into,
                _ => plan.chunk_size,
            };
            let chunk = match next.take() {
                Some(chunk) => chunk,
                None => source.next_chunk_in(want, spare.take()).await?,
            };
            let chunk_start = offset;
            let chunk_end = chunk_start
                .checked_add(chunk.len() as u64)
                .ok_or_else(|| Error::invalid_argument("media", "is too long"))?;
            if let Some(max) = plan.max_size.filter(|max| chunk_end > *max) {
                return Err(Error::invalid_argument(
                    "media",
                    format!("the upload exceeds the maximum of {max} bytes"),
                ));
            }
            let last = chunk.len() < want || plan.total == Some(chunk_end);
            match plan.total {
                Some(total) if chunk_end > total => {
                    return Err(Error::invalid_argument(
                        "media",
                        format!("is longer than its announced length of {total} bytes"),
                    ))
                }
                Some(total) if last && chunk_end < total => {
                    return Err(Error::io(
                        format!(
                            "reading the media: it ended after {chunk_end} of its {total} bytes"
                        ),
                        std::io::ErrorKind::UnexpectedEof.into(),
                    ))
                }
                _ => {}
            }
            let total_now = if last { Some(chunk_end) } else { plan.total };

            let mut sent_from = chunk_start;
            let mut stalled = 0u32;
            let mut since_progress = Instant::now();
            // The most the server has acknowledged of this chunk: progress is
            // only ever beyond it, so a server that forgets and re-acknowledges
            // bytes cannot keep the upload going for ever.
            let mut acked = chunk_start;
            loop {
                // `sent_from` stays within the chunk (checked below).
                let part = chunk.slice(usize::try_from(sent_from - chunk_start).unwrap_or(0)..);
                let sending = self.put_piece(session, sent_from, part, last, total_now);
                let sent = if !last && next.is_none() && plan.chunk_size <= READ_AHEAD_MAX {
                    let reading = source.next_chunk_in(plan.chunk_size, spare.take());
                    futures_util::pin_mut!(sending, reading);
                    let (sent, read) = match futures_util::future::select(sending, reading).await {
                        // A send that failed for good ends the upload now,
                        // without waiting for a read that may never finish
                        // (a stalled stream) and under its own error.
                        futures_util::future::Either::Left((Err(error), _))
                            if !error.is_retryable() =>
                        {
                            return Err(error)
                        }
                        futures_util::future::Either::Left((sent, reading)) => {
                            (sent, reading.await)
                        }
                        futures_util::future::Either::Right((read, sending)) => {
                            (sending.await, read)
                        }
                    };
                    match (sent, read) {
                        (Err(error), _) if !error.is_retryable() => return Err(error),
                        (sent, read) => {
                            next = Some(read?);
                            // The time spent reading the source is not the
                            // server's: the retry budget counts from here.
                            if sent.is_err() {
                                since_progress = Instant::now();
                            }
                            sent
                        }
                    }
                } else {
                    sending.await
                };
                let step = match sent {
                    Ok(step) => step,
                    Err(error) => {
                        stalled = stalled.saturating_add(1);
                        let (wait, error) =
                            policy.next_attempt(error, stalled, since_progress.elapsed())?;
                        tracing::debug!(attempt = stalled, error = %error, "upload interrupted; querying the offset");
                        tokio::time::sleep(wait).await;
                        match self.query_session(session, total_now).await {
                            Ok(step) => step,
                            Err(e) if e.is_retryable() => continue,
                            Err(e) => return Err(e),
                        }
                    }
                };
                let have = match step {
                    Step::Done(body) if last => {
                        report(chunk_end);
                        return Ok(body);
                    }
                    Step::Done(_) => {
                        return Err(Error::protocol(format!(
                            "the server finished the upload after {chunk_end} bytes, before the \
                             rest was sent"
                        )))
                    }
                    Step::Have(have) => have,
                };
                if have < chunk_start {
                    return Err(Error::protocol(format!(
                        "the server reports {have} bytes received after acknowledging {chunk_start}"
                    )));
                }
                if have > chunk_end {
                    return Err(Error::protocol(format!(
                        "the server reports {have} bytes received, but only {chunk_end} were sent"
                    )));
                }
                if have == chunk_end && !last {
                    report(have);
                    offset = have;
                    // The next chunk reuses this one's memory once hyper has
                    // let go of it (else a new buffer is allocated).
                    spare = chunk.try_into_mut().ok();
                    break;
                }
                // A server that lost bytes of this chunk gets them again from
                // where it is (the chunk is still in memory).
                sent_from = have;
                if have > acked {
                    report(have);
                    acked = have;
                    stalled = 0;
                    since_progress = Instant::now();
                } else {
                    stalled = stalled.saturating_add(1);
                    if stalled >= policy.max_attempts {
                        return Err(Error::protocol(format!(
                            "the upload made no progress in {stalled} attempts (the server has {have} bytes)"
                        )));
                    }
                    tokio::time::sleep(policy.backoff(stalled)).await;
                }
            }
        }
    }

    /// Sends the bytes of `part`, which start at `from`.
    async fn put_piece(
        &self,
        session: &Session<'_>,
        from: u64,
        part: Bytes,
        last: bool,
        total: Option<u64>,
    ) -> Result<Step> {
        let len = part.len() as u64;
        match session.protocol {
            Protocol::ContentRange => {
                let total_text = total.map_or_else(|| "*".to_owned(), |t| t.to_string());
                let range = match from.checked_add(len).and_then(|end| end.checked_sub(1)) {
                    Some(end) if len > 0 => format!("bytes {from}-{end}/{total_text}"),
                    _ => format!("bytes */{total_text}"),
                };
                let response = self
                    .request(crate::net::Method::PUT, session.url.clone(), session.call)
                    .await?
                    .header(http::header::CONTENT_RANGE, range)
                    .streamed_body(part)
                    .send()
                    .await?;
                content_range_step(response).await
            }
            Protocol::XGoogUpload => {
                let command = if last { "upload, finalize" } else { "upload" };
                let response = self
                    .request(crate::net::Method::POST, session.url.clone(), session.call)
                    .await?
                    .header("X-Goog-Upload-Command", command)
                    .header("X-Goog-Upload-Offset", from.to_string())
                    .streamed_body(part)
                    .send()
                    .await?;
                let body = check_status(response).await?.bytes().await?;
                if last {
                    Ok(Step::Done(body))
                } else {
                    Ok(Step::Have(from.saturating_add(len)))
                }
            }
        }
    }

    /// Asks the server how much of a session it has, to resume it (perhaps
    /// in another process): [`Step::Have`] the bytes received, or
    /// [`Step::Done`] with the final answer when the upload completed. A
    /// session the server no longer knows (`404`, `410`, or a status other
    /// than active or final) is [`Error::Expired`]: start a new one.
    ///
    /// Failures that may pass are retried under the call's retry policy.
    pub async fn query_upload(&self, session: &Session<'_>, total: Option<u64>) -> Result<Step> {
        let policy = self.retry_policy(Some(&session.call.opts));
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let error = match self.query_session(session, total).await {
                Ok(step) => return Ok(step),
                Err(error) => match error.status().map(|s| s.as_u16()) {
                    Some(404 | 410) => {
                        return Err(Error::Expired {
                            message: "the upload session is no longer known to the server; \
                                      start the upload again"
                                .into(),
                        })
                    }
                    _ => error,
                },
            };
            attempt = attempt.saturating_add(1);
            let (wait, _) = policy.next_attempt(error, attempt, started.elapsed())?;
            tokio::time::sleep(wait).await;
        }
    }

    /// Asks the server how much of the upload it has.
    async fn query_session(&self, session: &Session<'_>, total: Option<u64>) -> Result<Step> {
        match session.protocol {
            Protocol::ContentRange => {
                let total_text = total.map_or_else(|| "*".to_owned(), |t| t.to_string());
                let response = self
                    .request(crate::net::Method::PUT, session.url.clone(), session.call)
                    .await?
                    .header(http::header::CONTENT_RANGE, format!("bytes */{total_text}"))
                    .send()
                    .await?;
                content_range_step(response).await
            }
            Protocol::XGoogUpload => {
                let response = self
                    .request(crate::net::Method::POST, session.url.clone(), session.call)
                    .await?
                    .header("X-Goog-Upload-Command", "query")
                    .send()
                    .await?;
                let response = check_status(response).await?;
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(|v| v.trim().to_owned())
                };
                let status = header("x-goog-upload-status").unwrap_or_default();
                match status.as_str() {
                    "final" => Ok(Step::Done(response.bytes().await?)),
                    "active" => {
                        let received = header("x-goog-upload-size-received")
                            .and_then(|n| parse_decimal(&n))
                            .ok_or_else(|| {
                                Error::protocol("the upload query answered no valid size received")
                            })?;
                        Ok(Step::Have(received))
                    }
                    _ => Err(Error::Expired {
                        message: format!(
                            "the upload session is no longer active (status {:?}); start the upload again",
                            crate::error::excerpt(status.as_bytes())
                        ),
                    }),
                }
            }
        }
    }
}

/// A `Content-Range` session's answer: `308` with the bytes it has, or the
/// final response.
async fn content_range_step(response: crate::net::Response) -> Result<Step> {
    if response.status().as_u16() == 308 {
        // `Range: bytes=0-N`: the server has N + 1 bytes; no header: none.
        let Some(range) = response.headers().get(http::header::RANGE) else {
            return Ok(Step::Have(0));
        };
        let have = range
            .to_str()
            .ok()
            .and_then(|r| r.trim().strip_prefix("bytes=0-"))
            .and_then(parse_decimal)
            .and_then(|last| last.checked_add(1))
            .ok_or_else(|| {
                Error::protocol(format!(
                    "the upload session answered an invalid Range {:?}",
                    crate::error::excerpt(range.as_bytes())
                ))
            })?;
        return Ok(Step::Have(have));
    }
    let response = check_status(response).await?;
    Ok(Step::Done(response.bytes().await?))
}

/// A decimal `u64` with nothing else around it (no sign, no spaces inside).
pub fn parse_decimal(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Plan::default()` has no chunk size: the upload is refused before
    /// anything is sent, not looped on with empty chunks.
    #[tokio::test]
    async fn a_plan_without_a_chunk_size_is_refused() {
        let client: Client = crate::client::ClientBuilder::new(&crate::client::EXAMPLE_API)
            .no_proxy()
            .build()
            .unwrap();
        let call = Call::new(
            crate::net::Method::POST,
            "example.upload",
            String::new(),
            Vec::new(),
            None,
            &[],
            crate::transport::CallOptions::default(),
        );
        let session = Session {
            // Nothing listens here; the refusal comes first.
            url: "http://127.0.0.1:9/upload".parse().unwrap(),
            protocol: Protocol::ContentRange,
            call: &call,
        };
        let mut source = Source::from_bytes(Bytes::from_static(b"abc"));
        let error = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            client.upload_session(&session, &mut source, Plan::default()),
        )
        .await
        .expect("refused at once")
        .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidArgument { .. }) && error.to_string().contains("chunk"),
            "{error}"
        );
    }

    #[test]
    fn chunk_sizes_are_multiples_of_the_granularity_and_bounded() {
        let g = 256 * 1024;
        assert_eq!(chunk_size(300 * 1024, g).unwrap(), 512 * 1024);
        assert_eq!(chunk_size(0, g).unwrap(), g as usize);
        assert_eq!(chunk_size(u64::MAX, g).unwrap() as u64, MAX_CHUNK);
        assert_eq!(chunk_size(u64::MAX, 3).unwrap() as u64 % 3, 0);
        assert!(chunk_size(u64::MAX, 3).unwrap() as u64 <= MAX_CHUNK);
        assert_eq!(chunk_size(1, MAX_CHUNK).unwrap() as u64, MAX_CHUNK);
        assert!(chunk_size(1, 0).is_err());
        assert!(chunk_size(1, MAX_CHUNK + 1).is_err());
        assert!(chunk_size(1, u64::MAX).is_err());
    }

    #[test]
    fn decimals_are_strict() {
        assert_eq!(parse_decimal("42"), Some(42));
        assert_eq!(parse_decimal(" 7 "), Some(7));
        assert_eq!(parse_decimal("18446744073709551615"), Some(u64::MAX));
        for bad in ["", "-1", "+1", "1 2", "18446744073709551616", "0x10", "1e3"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    /// Runs a future that completes without waiting (in-memory sources).
    fn ready<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("an in-memory read waited"),
        }
    }

    #[test]
    fn sources_read_in_chunks_and_bound_whole_reads() {
        let mut bytes = Source::from_bytes(Bytes::from_static(b"abcdefg"));
        assert_eq!(&ready(bytes.next_chunk(3)).unwrap()[..], b"abc");
        assert_eq!(&ready(bytes.next_chunk(3)).unwrap()[..], b"def");
        assert_eq!(&ready(bytes.next_chunk(3)).unwrap()[..], b"g");
        assert!(ready(bytes.next_chunk(3)).unwrap().is_empty());
        let cursor = |n: usize| Source::Reader(Box::pin(std::io::Cursor::new(vec![7u8; n])));
        let mut reader = cursor(7);
        assert_eq!(ready(reader.next_chunk(5)).unwrap().len(), 5);
        assert_eq!(ready(reader.next_chunk(5)).unwrap().len(), 2);
        assert!(ready(cursor(100).read_all(99)).is_err());
        assert_eq!(ready(cursor(100).read_all(100)).unwrap().len(), 100);
        assert!(ready(Source::from_bytes(Bytes::from(vec![0u8; 10])).read_all(9)).is_err());
        // A chunk's buffer is reused for the next one once it is unique.
        let mut reader = Source::Reader(Box::pin(std::io::Cursor::new(
            (0u8..10).collect::<Vec<_>>(),
        )));
        let first = ready(reader.next_chunk_in(4, None)).unwrap();
        let spare = first.try_into_mut().expect("unique");
        let address = spare.as_ptr();
        let second = ready(reader.next_chunk_in(4, Some(spare))).unwrap();
        assert_eq!(
            (&second[..], second.as_ptr()),
            (&[4u8, 5, 6, 7][..], address)
        );
        let too_small = bytes::BytesMut::with_capacity(1);
        assert_eq!(
            &ready(reader.next_chunk_in(4, Some(too_small))).unwrap()[..],
            &[8, 9]
        );
    }
}
