//! Media upload (multipart and resumable) and download for methods whose
//! discovery entry has `mediaUpload` or `supportsMediaDownload`.

use std::fmt;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::resumable::{Plan, Protocol, Session, Source};
use crate::transport::Call;

/// Resumable chunks are multiples of this (the protocol's granularity).
pub const CHUNK_GRANULARITY: usize = 256 * 1024;

/// The bytes to upload and their content type.
///
/// ```
/// # use discovery_runtime::media::Media;
/// let small = Media::from_bytes(b"hello".to_vec(), "text/plain");
/// // Any `AsyncRead`: a `tokio::fs::File`, a network stream, ...
/// let data = std::io::Cursor::new(vec![0u8; 10 << 20]);
/// let large = Media::from_reader(data, Some(10 << 20), "video/mp4").chunk_size(4 << 20);
/// # let _ = (small, large);
/// ```
pub struct Media {
    source: Source,
    len: Option<u64>,
    content_type: String,
    /// Uploads of at most this many bytes go in one multipart request.
    multipart_threshold: u64,
    /// The size of each resumable chunk (a multiple of 256 KiB).
    chunk_size: usize,
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
        let data = data.into();
        let len = Some(data.len() as u64);
        Media::new(Source::from_bytes(data), len, content_type.into())
    }

    /// Media read from `reader`; `len` is its length when known (it decides
    /// between multipart and resumable, and is announced to the server).
    pub fn from_reader(
        reader: impl AsyncRead + Send + 'static,
        len: Option<u64>,
        content_type: impl Into<String>,
    ) -> Self {
        Media::new(Source::Reader(Box::pin(reader)), len, content_type.into())
    }

    fn new(source: Source, len: Option<u64>, content_type: String) -> Self {
        Media {
            source,
            len,
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

    /// The resumable chunk size (default 8 MiB), rounded up to a multiple of
    /// 256 KiB and at most 256 MiB (the chunk being sent is held in memory,
    /// and for chunks up to 16 MiB the next one, read meanwhile).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = crate::resumable::chunk_size(bytes as u64, CHUNK_GRANULARITY as u64)
            .unwrap_or(CHUNK_GRANULARITY);
        self
    }

    /// The length, when known.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// Whether the media is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

/// What the generator knows about a method's `mediaUpload`.
pub struct UploadSpec {
    /// Accepted MIME ranges (`image/*`, `*/*`).
    pub accept: &'static [&'static str],
    /// The maximum size in bytes, if the document gives one.
    pub max_size: Option<u64>,
    /// Path of the multipart protocol (from the root URL), if supported.
    pub multipart_path: Option<String>,
    /// Path of the resumable protocol (from the root URL), if supported.
    pub resumable_path: Option<String>,
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

/// What `upload` checks before sending anything (its preview too): the
/// content type is accepted and the length within the method's maximum.
fn check_media(spec: &UploadSpec, media: &Media) -> Result<()> {
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
    Ok(())
}

/// Makes `call` the request that starts a resumable session for `media`:
/// `uploadType=resumable`, the media's type and length announced, the
/// metadata (or `{}`) as the body.
fn session_start(call: &mut Call, media: &Media) {
    call.query.push(("uploadType", "resumable".into()));
    call.headers
        .push(("X-Upload-Content-Type", media.content_type.clone()));
    if let Some(len) = media.len {
        call.headers
            .push(("X-Upload-Content-Length", len.to_string()));
    }
    if call.body.is_none() {
        call.body = Some(Bytes::from_static(b"{}"));
    }
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

// The interface for generated code and overlays, not API.
#[doc(hidden)]
impl Client {
    /// Uploads `media` for the method described by `call` (its JSON body, if
    /// any, is the metadata) and returns the final response body.
    pub async fn upload(&self, mut call: Call, spec: UploadSpec, media: Media) -> Result<Bytes> {
        check_media(&spec, &media)?;
        let small = media
            .len()
            .is_some_and(|len| len <= media.multipart_threshold);
        match (spec.multipart_path, spec.resumable_path) {
            (Some(path), resumable) if small || resumable.is_none() => {
                // Held in memory: at most the threshold (or the method's maximum).
                let limit = spec
                    .max_size
                    .unwrap_or(u64::MAX)
                    .min(media.multipart_threshold.max(media.len.unwrap_or(0)));
                let data = media.source.read_all(limit).await?;
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
        call.streamed = true;
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
        session_start(&mut call, &media);
        // Starting a session twice is harmless: an unused one expires.
        let mut start = call.clone();
        start.idempotent = true;
        let location = self
            .send(start, |response| async move {
                let location = response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok());
                location.map(str::to_owned).ok_or_else(|| {
                    Error::protocol("the server started no upload session (no Location header)")
                })
            })
            .await?;
        let session = Session {
            url: self.check_session_url("upload session", &location)?,
            protocol: Protocol::ContentRange,
            call: &call,
        };
        let mut source = media.source;
        let plan = Plan {
            total: media.len,
            chunk_size: media.chunk_size,
            max_size,
            ..Plan::default()
        };
        self.upload_session(&session, &mut source, plan).await
    }

    /// What [`upload`](Self::upload) would send first: the multipart request
    /// (its `body` the metadata; the media part is not shown) or the request
    /// that starts a resumable session.
    pub fn preview_upload(
        &self,
        mut call: Call,
        spec: UploadSpec,
        media: &Media,
    ) -> Result<crate::transport::RequestPreview> {
        check_media(&spec, media)?;
        let small = media
            .len()
            .is_some_and(|len| len <= media.multipart_threshold);
        call.from_root = true;
        match (spec.multipart_path, spec.resumable_path) {
            (Some(path), resumable) if small || resumable.is_none() => {
                call.path = path;
                let kind = if call.body.is_some() {
                    "multipart"
                } else {
                    "media"
                };
                call.query.push(("uploadType", kind.into()));
                let mut preview = self.preview(&call)?;
                let content_type = if call.body.is_some() {
                    "multipart/related".to_owned()
                } else {
                    media.content_type.clone()
                };
                preview.headers.insert("content-type".into(), content_type);
                Ok(preview)
            }
            (_, Some(path)) => {
                call.path = path;
                session_start(&mut call, media);
                self.preview(&call)
            }
            _ => Err(Error::invalid_argument(
                "media",
                "the method has no upload protocol",
            )),
        }
    }

    /// What [`download`](Self::download) would send first.
    pub fn preview_download(&self, mut call: Call) -> Result<crate::transport::RequestPreview> {
        call.query.push(("alt", "media".into()));
        self.preview(&call)
    }

    /// Sends a download call (`alt=media`) and streams the body into `writer`;
    /// returns the number of bytes written. Retries happen only before the
    /// first byte is written.
    pub async fn download<W: AsyncWrite + Unpin + ?Sized>(
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
    pub fn use_download_service(&mut self, service_path: &str) {
        self.from_root = true;
        self.path = format!("download/{service_path}{}", self.path);
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
        let huge = Media::from_bytes(Vec::new(), "a/b").chunk_size(usize::MAX);
        assert_eq!(huge.chunk_size as u64, crate::resumable::MAX_CHUNK);
    }
}
