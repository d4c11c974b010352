//! Uploading photo and video bytes, the step before
//! [`media_items().batch_create`](crate::api::media_items::MediaItems::batch_create)
//! that the discovery document does not describe.
//!
//! ```no_run
//! # async fn run(client: __crate__::Client) -> Result<(), __crate__::Error> {
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
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::error::{Error, Result};
use crate::transport::{check_status, Call, CallOptions};
use crate::Client;

/// Photos larger than this are refused by the API (200 MB).
pub const MAX_PHOTO_BYTES: u64 = 200 * 1024 * 1024;
/// Videos larger than this are refused by the API (20 GB).
pub const MAX_VIDEO_BYTES: u64 = 20 * 1024 * 1024 * 1024;

/// The scopes that allow uploading.
const UPLOAD_SCOPES: &[&str] = &[
    crate::scopes::PHOTOSLIBRARY,
    crate::scopes::PHOTOSLIBRARY_APPENDONLY,
    crate::scopes::PHOTOSLIBRARY_SHARING,
];

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
        self.upload(Source::Bytes(data), len, mime_type.into(), file_name.into())
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

enum Source {
    Bytes(Bytes),
    Reader(Pin<Box<dyn AsyncRead + Send>>),
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
    /// of the granularity the server asks for.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// The timeout of each request of the upload.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.opts.timeout = Some(timeout);
        self
    }

    /// The retry policy for the requests of the upload (uploads are retried
    /// only through the resumable protocol's offset query).
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
        let data = match std::mem::replace(&mut self.source, Source::Bytes(Bytes::new())) {
            Source::Bytes(b) => b,
            Source::Reader(reader) => read_exact(reader, self.len).await?,
        };
        let mut headers = self.common_headers();
        headers.push(("X-Goog-Upload-Protocol", "raw".into()));
        let len = data.len() as u64;
        let call = self.call("v1/uploads".into(), Some(data), headers);
        let body = self.client.execute_bytes(call).await?;
        if let Some(progress) = &self.progress {
            progress(len, len);
        }
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
        let (session, granularity) = self
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
                    Error::invalid_argument("media", "the server started no upload session")
                })?;
                let granularity = header("x-goog-upload-chunk-granularity")
                    .and_then(|g| g.parse::<u64>().ok())
                    .filter(|g| *g > 0);
                Ok((url, granularity.unwrap_or(256 * 1024)))
            })
            .await?;
        let session = crate::net::parse_uri("media", &session)?;
        let chunk_size = self.chunk_size.div_ceil(granularity).max(1) * granularity;
        let policy = self
            .opts
            .retry
            .clone()
            .unwrap_or_else(|| self.client.inner.retry.clone());

        let mut source = std::mem::replace(&mut self.source, Source::Bytes(Bytes::new()));
        let mut offset = 0u64;
        loop {
            let chunk = next_chunk(&mut source, offset, chunk_size.min(self.len - offset)).await?;
            let chunk_start = offset;
            let last = chunk_start + chunk.len() as u64 >= self.len;
            let mut sent_from = chunk_start;
            let mut failures = 0;
            loop {
                let part = chunk.slice((sent_from - chunk_start) as usize..);
                let command = if last { "upload, finalize" } else { "upload" };
                match self.post_chunk(&session, command, sent_from, part).await {
                    Ok(Some(body)) => {
                        self.report(self.len);
                        return upload_token(&body);
                    }
                    Ok(None) => {
                        offset = chunk_start + chunk.len() as u64;
                        self.report(offset);
                        break;
                    }
                    Err(error) => {
                        failures += 1;
                        if !error.is_retryable() || failures >= policy.max_attempts {
                            return Err(error);
                        }
                        tracing::debug!(attempt = failures, error = %error, "upload interrupted; querying the offset");
                        tokio::time::sleep(policy.backoff(failures)).await;
                        match self.query(&session).await? {
                            Status::Final(body) => return upload_token(&body),
                            Status::Active(received)
                                if received < chunk_start
                                    || received > chunk_start + chunk.len() as u64 =>
                            {
                                return Err(Error::invalid_argument(
                                    "media",
                                    format!("the server reports {received} bytes received, outside the chunk being sent"),
                                ));
                            }
                            Status::Active(received) => {
                                sent_from = received;
                                self.report(received);
                                if received == chunk_start + chunk.len() as u64 && !last {
                                    offset = received;
                                    break;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn report(&self, sent: u64) {
        if let Some(progress) = &self.progress {
            progress(sent, self.len);
        }
    }

    /// Sends one piece; `Some(body)` when the upload is finished.
    async fn post_chunk(
        &self,
        session: &http::Uri,
        command: &str,
        offset: u64,
        part: Bytes,
    ) -> Result<Option<Bytes>> {
        let call = self.call(String::new(), None, Vec::new());
        let response = self
            .client
            .request(crate::net::Method::POST, session.clone(), &call)
            .await?
            .header("X-Goog-Upload-Command", command)
            .header("X-Goog-Upload-Offset", offset.to_string())
            .body(part)
            .send()
            .await?;
        let response = check_status(response).await?;
        let finished = command.contains("finalize");
        let body = response.bytes().await?;
        Ok(finished.then_some(body))
    }

    async fn query(&self, session: &http::Uri) -> Result<Status> {
        let call = self.call(String::new(), None, Vec::new());
        let response = self
            .client
            .request(crate::net::Method::POST, session.clone(), &call)
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
                .map(str::to_owned)
        };
        let status = header("x-goog-upload-status").unwrap_or_default();
        let received = header("x-goog-upload-size-received")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if status == "final" {
            let body = response.bytes().await?;
            return Ok(Status::Final(body));
        }
        if status != "active" {
            return Err(Error::Expired {
                message: format!("the upload session is no longer active (status {status:?}); start the upload again"),
            });
        }
        Ok(Status::Active(received))
    }
}

enum Status {
    Active(u64),
    Final(Bytes),
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

async fn read_exact(reader: Pin<Box<dyn AsyncRead + Send>>, len: u64) -> Result<Bytes> {
    next_chunk(&mut Source::Reader(reader), 0, len).await
}

async fn next_chunk(source: &mut Source, offset: u64, size: u64) -> Result<Bytes> {
    match source {
        Source::Bytes(b) => {
            let start = (offset as usize).min(b.len());
            Ok(b.slice(start..(start + size as usize).min(b.len())))
        }
        Source::Reader(reader) => {
            let mut buf = Vec::with_capacity(size as usize);
            reader
                .as_mut()
                .take(size)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| Error::io("reading the media", e))?;
            if (buf.len() as u64) < size {
                return Err(Error::io(
                    "reading the media",
                    std::io::ErrorKind::UnexpectedEof.into(),
                ));
            }
            Ok(Bytes::from(buf))
        }
    }
}
