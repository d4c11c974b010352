//! Media upload (multipart and resumable) and download for methods whose
//! discovery entry has `mediaUpload` or `supportsMediaDownload`.

use std::fmt;
use std::pin::Pin;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::{check_status, Call};

/// Resumable chunks are multiples of this (the protocol's granularity).
pub const CHUNK_GRANULARITY: usize = 256 * 1024;

/// The bytes to upload and their content type.
///
/// ```
/// # use __crate__::media::Media;
/// let small = Media::from_bytes(b"hello".to_vec(), "text/plain");
/// // Any `AsyncRead`: a `tokio::fs::File`, a network stream, ...
/// let data = std::io::Cursor::new(vec![0u8; 10 << 20]);
/// let large = Media::from_reader(data, Some(10 << 20), "video/mp4").chunk_size(4 << 20);
/// # let _ = (small, large);
/// ```
pub struct Media {
    source: Source,
    content_type: String,
    /// Uploads of at most this many bytes go in one multipart request.
    multipart_threshold: u64,
    /// The size of each resumable chunk (rounded up to 256 KiB).
    chunk_size: usize,
}

enum Source {
    Bytes(Bytes),
    Reader {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        len: Option<u64>,
    },
}

impl fmt::Debug for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Media")
            .field("content_type", &self.content_type)
            .field("len", &self.len())
            .field("multipart_threshold", &self.multipart_threshold)
            .field("chunk_size", &self.chunk_size)
            .finish()
    }
}

impl Media {
    /// Media held in memory.
    pub fn from_bytes(data: impl Into<Bytes>, content_type: impl Into<String>) -> Self {
        Media::new(Source::Bytes(data.into()), content_type.into())
    }

    /// Media read from `reader`; `len` is its length when known (it decides
    /// between multipart and resumable, and is announced to the server).
    pub fn from_reader(
        reader: impl AsyncRead + Send + 'static,
        len: Option<u64>,
        content_type: impl Into<String>,
    ) -> Self {
        Media::new(
            Source::Reader {
                reader: Box::pin(reader),
                len,
            },
            content_type.into(),
        )
    }

    fn new(source: Source, content_type: String) -> Self {
        Media {
            source,
            content_type,
            multipart_threshold: 5 * 1024 * 1024,
            chunk_size: 8 * 1024 * 1024,
        }
    }

    /// Uploads larger than this (default 5 MiB), or of unknown length, use the
    /// resumable protocol.
    pub fn multipart_threshold(mut self, bytes: u64) -> Self {
        self.multipart_threshold = bytes;
        self
    }

    /// The resumable chunk size (default 8 MiB), rounded up to a multiple of 256 KiB.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1).div_ceil(CHUNK_GRANULARITY) * CHUNK_GRANULARITY;
        self
    }

    /// The length, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Reader { len, .. } => *len,
        }
    }

    /// Whether the media is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

/// What the generator knows about a method's `mediaUpload`.
pub(crate) struct UploadSpec {
    /// Accepted MIME ranges (`image/*`, `*/*`).
    pub(crate) accept: &'static [&'static str],
    /// The maximum size in bytes, if the document gives one.
    pub(crate) max_size: Option<u64>,
    /// Path of the multipart protocol (from the root URL), if supported.
    pub(crate) multipart_path: Option<String>,
    /// Path of the resumable protocol (from the root URL), if supported.
    pub(crate) resumable_path: Option<String>,
}

fn accepts(accept: &[&str], content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    accept.is_empty()
        || accept.iter().any(|range| {
            let range = range.to_ascii_lowercase();
            range == "*/*"
                || range == essence
                || range
                    .strip_suffix("/*")
                    .is_some_and(|t| essence.split('/').next() == Some(t))
        })
}

/// A multipart/related boundary that does not occur in `data`.
fn boundary(data: &[u8]) -> String {
    let mut n = 0u32;
    loop {
        let candidate = format!("gdcl_boundary_{n:08x}");
        if !data
            .windows(candidate.len())
            .any(|w| w == candidate.as_bytes())
        {
            return candidate;
        }
        n += 1;
    }
}

impl Client {
    /// Uploads `media` for the method described by `call` (its JSON body, if
    /// any, is the metadata) and returns the final response body.
    pub(crate) async fn upload(
        &self,
        mut call: Call,
        spec: UploadSpec,
        media: Media,
    ) -> Result<Bytes> {
        if !accepts(spec.accept, &media.content_type) {
            return Err(Error::invalid_argument(
                "media",
                format!(
                    "content type {:?} is not accepted (accepted: {})",
                    media.content_type,
                    spec.accept.join(", ")
                ),
            ));
        }
        if let (Some(max), Some(len)) = (spec.max_size, media.len()) {
            if len > max {
                return Err(Error::invalid_argument(
                    "media",
                    format!("{len} bytes exceed the maximum of {max} bytes"),
                ));
            }
        }
        let small = media
            .len()
            .is_some_and(|len| len <= media.multipart_threshold);
        match (spec.multipart_path, spec.resumable_path) {
            (Some(path), resumable) if small || resumable.is_none() => {
                let data = read_all(media.source, spec.max_size).await?;
                call.path = path;
                self.upload_multipart(call, data, media.content_type).await
            }
            (_, Some(path)) => {
                call.path = path;
                self.upload_resumable(call, media, spec.max_size).await
            }
            _ => Err(Error::invalid_argument(
                "media",
                "the method has no upload protocol",
            )),
        }
    }

    async fn upload_multipart(
        &self,
        mut call: Call,
        data: Bytes,
        content_type: String,
    ) -> Result<Bytes> {
        call.from_root = true;
        match call.body.take() {
            Some(metadata) => {
                call.query.push(("uploadType", "multipart".into()));
                let boundary = boundary(&data);
                let mut body = Vec::with_capacity(data.len() + metadata.len() + 256);
                body.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(&metadata);
                body.extend_from_slice(
                    format!("\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(&data);
                body.extend_from_slice(format!("\r\n--{boundary}--").as_bytes());
                call.content_type = Some(format!("multipart/related; boundary={boundary}"));
                call.body = Some(Bytes::from(body));
            }
            None => {
                call.query.push(("uploadType", "media".into()));
                call.content_type = Some(content_type);
                call.body = Some(data);
            }
        }
        self.execute_bytes(call).await
    }

    async fn upload_resumable(
        &self,
        mut call: Call,
        media: Media,
        max_size: Option<u64>,
    ) -> Result<Bytes> {
        call.from_root = true;
        call.query.push(("uploadType", "resumable".into()));
        call.headers
            .push(("X-Upload-Content-Type", media.content_type.clone()));
        if let Some(len) = media.len() {
            call.headers
                .push(("X-Upload-Content-Length", len.to_string()));
        }
        if call.body.is_none() {
            call.body = Some(Bytes::from_static(b"{}"));
        }
        let session = self
            .send(call.clone(), |response| async move {
                let location = response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok());
                location.map(str::to_owned).ok_or_else(|| {
                    Error::invalid_argument("media", "the server started no upload session")
                })
            })
            .await?;
        let session = crate::net::parse_uri("media", &session)?;

        let total = media.len();
        let chunk_size = media.chunk_size;
        let mut source = media.source;
        let mut offset: u64 = 0; // bytes the server has
        let policy = call
            .opts
            .retry
            .clone()
            .unwrap_or_else(|| self.inner.retry.clone());
        loop {
            let chunk = read_chunk(&mut source, offset, chunk_size).await?;
            let chunk_start = offset;
            let last = chunk.len() < chunk_size || total == Some(chunk_start + chunk.len() as u64);
            let total_now = if last {
                Some(chunk_start + chunk.len() as u64)
            } else {
                total
            };
            if let Some(max) = max_size {
                if chunk_start + chunk.len() as u64 > max {
                    return Err(Error::invalid_argument(
                        "media",
                        format!("the upload exceeds the maximum of {max} bytes"),
                    ));
                }
            }
            // Send the chunk; after a failure, ask the server what it has and
            // send only the rest.
            let mut sent_from = chunk_start;
            let mut failures = 0;
            loop {
                let part = chunk.slice((sent_from - chunk_start) as usize..);
                let result = self
                    .put_chunk(&session, &call, part, sent_from, total_now)
                    .await;
                let error = match result {
                    Ok(Progress::Done(body)) => return Ok(body),
                    Ok(Progress::Have(have)) => {
                        offset = have;
                        if have >= chunk_start + chunk.len() as u64 {
                            break;
                        }
                        if have < chunk_start {
                            return Err(Error::invalid_argument(
                                "media",
                                "the server lost bytes it had acknowledged",
                            ));
                        }
                        sent_from = have;
                        continue;
                    }
                    Err(error) => error,
                };
                failures += 1;
                if !error.is_retryable() || failures >= policy.max_attempts {
                    return Err(error);
                }
                tracing::debug!(attempt = failures, error = %error, "upload interrupted; querying the offset");
                tokio::time::sleep(policy.backoff(failures)).await;
                match self.query_offset(&session, &call, total_now).await {
                    Ok(Progress::Done(body)) => return Ok(body),
                    Ok(Progress::Have(have)) if have >= chunk_start => {
                        offset = have;
                        if have >= chunk_start + chunk.len() as u64 {
                            break;
                        }
                        sent_from = have;
                    }
                    Ok(Progress::Have(_)) => {
                        return Err(Error::invalid_argument(
                            "media",
                            "the server lost bytes it had acknowledged",
                        ))
                    }
                    Err(e) if e.is_retryable() => {}
                    Err(e) => return Err(e),
                }
            }
            if last && offset >= chunk_start + chunk.len() as u64 {
                // The final chunk was acknowledged without a final response.
                return Err(Error::invalid_argument(
                    "media",
                    "the server did not finish the upload",
                ));
            }
        }
    }

    async fn put_chunk(
        &self,
        session: &http::Uri,
        call: &Call,
        part: Bytes,
        from: u64,
        total: Option<u64>,
    ) -> Result<Progress> {
        let total_text = total.map(|t| t.to_string()).unwrap_or_else(|| "*".into());
        let range = if part.is_empty() {
            format!("bytes */{total_text}")
        } else {
            format!("bytes {from}-{}/{total_text}", from + part.len() as u64 - 1)
        };
        let request = self
            .request(crate::net::Method::PUT, session.clone(), call)
            .await?;
        let response = request
            .header(http::header::CONTENT_RANGE, range)
            .body(part)
            .send()
            .await?;
        progress(response).await
    }

    async fn query_offset(
        &self,
        session: &http::Uri,
        call: &Call,
        total: Option<u64>,
    ) -> Result<Progress> {
        let total_text = total.map(|t| t.to_string()).unwrap_or_else(|| "*".into());
        let request = self
            .request(crate::net::Method::PUT, session.clone(), call)
            .await?;
        let response = request
            .header(http::header::CONTENT_RANGE, format!("bytes */{total_text}"))
            .body(Bytes::new())
            .send()
            .await?;
        progress(response).await
    }

    /// Sends a download call (`alt=media`) and streams the body into `writer`;
    /// returns the number of bytes written. Retries happen only before the
    /// first byte is written.
    pub(crate) async fn download<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        mut call: Call,
        writer: &mut W,
    ) -> Result<u64> {
        call.query.push(("alt", "media".into()));
        let response = self
            .send(call, |response| async move { Ok(response) })
            .await?;
        response.copy_to(writer).await
    }
}

impl Call {
    /// Sends the call through the media download service:
    /// `{root}download/{service path}{path}`.
    pub(crate) fn use_download_service(&mut self) {
        self.from_root = true;
        self.path = format!("download/{}{}", crate::SERVICE_PATH, self.path);
    }
}

enum Progress {
    /// The upload is complete: the final response body.
    Done(Bytes),
    /// The server has this many bytes.
    Have(u64),
}

async fn progress(response: crate::net::Response) -> Result<Progress> {
    if response.status().as_u16() == 308 {
        // `Range: bytes=0-N`: the server has N + 1 bytes; no header: none.
        let have = response
            .headers()
            .get(http::header::RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('-').next())
            .and_then(|n| n.trim().parse::<u64>().ok())
            .map_or(0, |last| last + 1);
        return Ok(Progress::Have(have));
    }
    let response = check_status(response).await?;
    Ok(Progress::Done(response.bytes().await?))
}

async fn read_all(source: Source, max: Option<u64>) -> Result<Bytes> {
    match source {
        Source::Bytes(b) => Ok(b),
        Source::Reader { mut reader, .. } => {
            let mut data = Vec::new();
            let limit = max.unwrap_or(u64::MAX).saturating_add(1);
            (&mut reader)
                .take(limit)
                .read_to_end(&mut data)
                .await
                .map_err(|e| Error::io("reading the media", e))?;
            if max.is_some_and(|m| data.len() as u64 > m) {
                return Err(Error::invalid_argument(
                    "media",
                    "the upload exceeds the maximum size",
                ));
            }
            Ok(Bytes::from(data))
        }
    }
}

/// The next chunk of at most `size` bytes starting at `offset` of the media.
async fn read_chunk(source: &mut Source, offset: u64, size: usize) -> Result<Bytes> {
    match source {
        Source::Bytes(b) => {
            let start = (offset as usize).min(b.len());
            Ok(b.slice(start..(start + size).min(b.len())))
        }
        Source::Reader { reader, .. } => {
            let mut buf = Vec::with_capacity(size);
            reader
                .as_mut()
                .take(size as u64)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| Error::io("reading the media", e))?;
            Ok(Bytes::from(buf))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_ranges() {
        assert!(accepts(&["*/*"], "video/mp4"));
        assert!(accepts(&["image/*"], "image/jpeg; q=1"));
        assert!(!accepts(&["image/*"], "video/mp4"));
        assert!(accepts(&["application/pdf"], "Application/PDF"));
        assert!(accepts(&[], "anything/at-all"));
    }

    #[test]
    fn boundaries_avoid_the_data() {
        let b = boundary(b"gdcl_boundary_00000000 inside");
        assert_eq!(b, "gdcl_boundary_00000001");
    }

    #[test]
    fn chunk_sizes_are_multiples_of_256_kib() {
        let m = Media::from_bytes(Vec::new(), "a/b").chunk_size(300 * 1024);
        assert_eq!(m.chunk_size, 512 * 1024);
        assert_eq!(
            Media::from_bytes(Vec::new(), "a/b")
                .chunk_size(0)
                .chunk_size,
            CHUNK_GRANULARITY
        );
    }
}
