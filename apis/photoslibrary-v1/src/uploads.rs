//! Uploading photo and video bytes, the step before
//! [`media_items().batch_create`](crate::api::media_items::MediaItems::batch_create)
//! that the discovery document does not describe.
//!
//! ```no_run
//! # async fn run(client: photoslibrary_v1::Client) -> Result<(), photoslibrary_v1::Error> {
//! let token = client
//!     .uploads()
//!     .file("holiday/IMG_0001.jpg", "image/jpeg")
//!     .await?
//!     .progress(|sent, total| eprintln!("{sent}/{total} bytes"))
//!     .send()
//!     .await?;
//! # let _ = token; Ok(()) }
//! ```

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::AsyncRead;

use crate::resumable::{Plan, Protocol, Session, Source};
use crate::transport::{Call, CallOptions};
use crate::Client;
use crate::{Error, Result};

/// The media type of a photo or video the Library API takes, from its
/// file name's extension (any case); `None` for anything else. The one
/// table of the tool and the examples.
pub fn mime_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "mkv" => "video/x-matroska",
        _ => return None,
    })
}

/// Photos larger than this are refused by the API (200 MB).
pub const MAX_PHOTO_BYTES: u64 = 200 * 1024 * 1024;
/// Videos larger than this are refused by the API (20 GB).
pub const MAX_VIDEO_BYTES: u64 = 20 * 1024 * 1024 * 1024;

/// The scope that allows uploading (the only one since 31 March 2025).
const UPLOAD_SCOPES: &[&str] = &[crate::scopes::PHOTOSLIBRARY_APPENDONLY];

/// The largest upload the API accepts for a MIME type.
pub fn max_bytes(mime_type: &str) -> u64 {
    if mime_type.trim().to_ascii_lowercase().starts_with("image/") {
        MAX_PHOTO_BYTES
    } else {
        MAX_VIDEO_BYTES
    }
}

impl Client {
    /// Uploads of photo and video bytes; each yields an upload token for
    /// `media_items().batch_create` (or [`batch_create_all`](crate::api::media_items::MediaItems::batch_create_all)).
    pub fn uploads(&self) -> Uploads {
        Uploads {
            client: self.clone(),
        }
    }
}

/// Starts uploads; returned by [`Client::uploads`].
#[derive(Clone, Debug)]
pub struct Uploads {
    client: Client,
}

impl Uploads {
    /// Uploads bytes held in memory.
    pub fn bytes(
        &self,
        data: impl Into<Bytes>,
        mime_type: impl Into<String>,
        file_name: impl Into<String>,
    ) -> Upload {
        let data = data.into();
        let len = data.len() as u64;
        self.upload(
            Source::from_bytes(data),
            len,
            mime_type.into(),
            file_name.into(),
        )
    }

    /// Uploads `len` bytes read from `reader`.
    pub fn reader(
        &self,
        reader: impl AsyncRead + Send + 'static,
        len: u64,
        mime_type: impl Into<String>,
        file_name: impl Into<String>,
    ) -> Upload {
        self.upload(
            Source::Reader(Box::pin(reader)),
            len,
            mime_type.into(),
            file_name.into(),
        )
    }

    /// Uploads a file; its name becomes the upload's file name.
    pub async fn file(
        &self,
        path: impl AsRef<Path>,
        mime_type: impl Into<String>,
    ) -> Result<Upload> {
        let path = path.as_ref();
        let context = || format!("reading {}", path.display());
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| Error::io(context(), e))?;
        let len = file
            .metadata()
            .await
            .map_err(|e| Error::io(context(), e))?
            .len();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(self.reader(file, len, mime_type, name))
    }

    fn upload(&self, source: Source, len: u64, mime_type: String, file_name: String) -> Upload {
        Upload {
            client: self.client.clone(),
            source,
            len,
            mime_type,
            file_name,
            resumable_threshold: 8 * 1024 * 1024,
            chunk_size: 8 * 1024 * 1024,
            progress: None,
            opts: CallOptions::default(),
        }
    }
}

type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// One upload: configure it, then [`send`](Upload::send) it.
#[must_use = "an upload does nothing until `send` is awaited"]
pub struct Upload {
    client: Client,
    source: Source,
    len: u64,
    mime_type: String,
    file_name: String,
    resumable_threshold: u64,
    chunk_size: u64,
    progress: Option<Progress>,
    opts: CallOptions,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("len", &self.len)
            .field("mime_type", &self.mime_type)
            .field("file_name", &self.file_name)
            .field("resumable_threshold", &self.resumable_threshold)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// Called after each piece is sent with the bytes sent so far and the total.
    pub fn progress(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Uploads larger than this (default 8 MiB) use the resumable protocol.
    pub fn resumable_threshold(mut self, bytes: u64) -> Self {
        self.resumable_threshold = bytes;
        self
    }

    /// The preferred resumable chunk size (default 8 MiB); rounded to a multiple
    /// of the granularity the server asks for, at most 256 MiB (the chunk
    /// being sent is held in memory, and for chunks up to 16 MiB the next
    /// one, read meanwhile).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// The timeout of each request of the upload.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.opts.timeout = Some(timeout);
        self
    }

    /// The retry policy for the requests of the upload. Every request of an
    /// upload is retried, POSTs included: bytes that no `batchCreate` refers to
    /// yet are harmless to send twice.
    pub fn retry_policy(mut self, policy: crate::RetryPolicy) -> Self {
        self.opts.retry = Some(policy);
        self
    }

    /// Uploads the bytes and returns the upload token. The size limits of the
    /// API (photos 200 MB, videos 20 GB) are checked before any byte is sent.
    pub async fn send(self) -> Result<String> {
        let max = max_bytes(&self.mime_type);
        if self.len > max {
            return Err(Error::invalid_argument(
                "media",
                format!(
                    "{} is {} bytes; Google Photos accepts {} up to {max} bytes",
                    self.display_name(),
                    self.len,
                    if max == MAX_PHOTO_BYTES {
                        "photos"
                    } else {
                        "videos"
                    }
                ),
            ));
        }
        if self.len <= self.resumable_threshold {
            self.send_raw().await
        } else {
            self.send_resumable().await
        }
    }

    fn display_name(&self) -> String {
        if self.file_name.is_empty() {
            "the media".into()
        } else {
            format!("{:?}", self.file_name)
        }
    }

    fn call(
        &self,
        path: String,
        body: Option<Bytes>,
        headers: Vec<(&'static str, String)>,
    ) -> Call {
        let mut call = Call::new(
            crate::net::Method::POST,
            "photoslibrary.uploads",
            path,
            Vec::new(),
            body,
            UPLOAD_SCOPES,
            self.opts.clone(),
        );
        call.from_root = true;
        call.content_type = Some("application/octet-stream".into());
        call.headers = headers;
        // An upload token that no `batchCreate` uses is harmless.
        call.idempotent = true;
        call.streamed = true;
        call
    }

    fn common_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![("X-Goog-Upload-Content-Type", self.mime_type.clone())];
        if !self.file_name.is_empty() {
            headers.push(("X-Goog-Upload-File-Name", self.file_name.clone()));
        }
        headers
    }

    async fn send_raw(mut self) -> Result<String> {
        let source = std::mem::replace(&mut self.source, Source::from_bytes(Bytes::new()));
        let data = source.read_all(self.len).await?;
        if (data.len() as u64) < self.len {
            return Err(Error::io(
                format!(
                    "reading {}: it ended after {} of its {} bytes",
                    self.display_name(),
                    data.len(),
                    self.len
                ),
                std::io::ErrorKind::UnexpectedEof.into(),
            ));
        }
        let mut headers = self.common_headers();
        headers.push(("X-Goog-Upload-Protocol", "raw".into()));
        let len = data.len() as u64;
        let call = self.call("v1/uploads".into(), Some(data), headers);
        let body = self.client.execute_bytes(call).await?;
        self.report(len);
        upload_token(&body)
    }

    async fn send_resumable(mut self) -> Result<String> {
        // Start a session.
        let mut headers = self.common_headers();
        headers.extend([
            ("X-Goog-Upload-Protocol", "resumable".into()),
            ("X-Goog-Upload-Command", "start".into()),
            ("X-Goog-Upload-Raw-Size", self.len.to_string()),
        ]);
        let start = self.call("v1/uploads".into(), Some(Bytes::new()), headers);
        let (url, granularity) = self
            .client
            .send(start, |response| async move {
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                let url = header("x-goog-upload-url").ok_or_else(|| {
                    Error::protocol("the server started no upload session (no X-Goog-Upload-URL)")
                })?;
                let granularity = match header("x-goog-upload-chunk-granularity") {
                    None => 256 * 1024,
                    Some(g) => crate::resumable::parse_decimal(&g).ok_or_else(|| {
                        Error::protocol(format!("invalid upload chunk granularity {g:?}"))
                    })?,
                };
                Ok((url, granularity))
            })
            .await?;
        let chunk_size = crate::resumable::chunk_size(self.chunk_size, granularity)?;
        let call = self.call(String::new(), None, Vec::new());
        let session = Session {
            url: self.client.check_session_url("upload session", &url)?,
            protocol: Protocol::XGoogUpload,
            call: &call,
        };
        let mut source = std::mem::replace(&mut self.source, Source::from_bytes(Bytes::new()));
        let (progress, len) = (self.progress.clone(), self.len);
        let report = move |sent: u64| {
            if let Some(progress) = &progress {
                progress(sent, len);
            }
        };
        let plan = Plan {
            total: Some(self.len),
            chunk_size,
            max_size: Some(max_bytes(&self.mime_type)),
            progress: Some(&report),
        };
        let body = self
            .client
            .upload_session(&session, &mut source, plan)
            .await?;
        upload_token(&body)
    }

    fn report(&self, sent: u64) {
        if let Some(progress) = &self.progress {
            progress(sent, self.len);
        }
    }
}

fn upload_token(body: &[u8]) -> Result<String> {
    let token = String::from_utf8_lossy(body).trim().to_owned();
    if token.is_empty() {
        return Err(Error::invalid_argument(
            "media",
            "the server returned an empty upload token",
        ));
    }
    Ok(token)
}
