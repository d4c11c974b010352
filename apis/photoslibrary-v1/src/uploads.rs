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

use crate::resumable::{Plan, Protocol, Session, Source, Step};
use crate::transport::{Call, CallOptions};
use crate::Client;
use crate::{Error, Result};

/// The media type of a photo or video the Library API takes, from its
/// file name's extension (any case); `None` for anything else. The one
/// table of the tool and the examples: the file types Google's upload guide
/// lists (photos: AVIF, BMP, GIF, HEIC, ICO, JPG, PNG, TIFF, WEBP, and of
/// "some RAW files" DNG; videos: 3GP, 3G2, ASF, AVI, DIVX, M2T, M2TS, M4V,
/// MKV, MMV, MOD, MOV, MP4, MPG, MTS, TOD, WMV).
pub fn mime_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "ico" => "image/vnd.microsoft.icon",
        "dng" => "image/x-adobe-dng",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" | "divx" => "video/x-msvideo",
        "mkv" => "video/x-matroska",
        "3gp" => "video/3gpp",
        "3g2" => "video/3gpp2",
        "asf" => "video/x-ms-asf",
        "wmv" => "video/x-ms-wmv",
        "mpg" | "mpeg" | "mod" => "video/mpeg",
        "m2t" | "m2ts" | "mts" | "tod" => "video/mp2t",
        "mmv" => "video/x-mmv",
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

    /// Asks where a session started earlier (perhaps by another process)
    /// stands, sending nothing: the bytes the server has of the `len`-byte
    /// upload, or the upload token when it finished. A session the server no
    /// longer knows is [`Error::Expired`]; one whose
    /// URL is not on the client's base URL's origin is refused unsent (a
    /// URL read from a file is not trusted with the token further).
    pub async fn query(&self, session: &UploadSession, len: u64) -> Result<SessionState> {
        let url = resumable_url(&self.client, session)?;
        let mut call = Call::new(
            crate::net::Method::POST,
            "photoslibrary.uploads",
            String::new(),
            Vec::new(),
            None,
            UPLOAD_SCOPES,
            CallOptions::default(),
        );
        call.from_root = true;
        call.idempotent = true;
        let query = Session {
            url,
            protocol: Protocol::XGoogUpload,
            call: &call,
        };
        match self.client.query_upload(&query, Some(len)).await? {
            Step::Done(body) => upload_token(&body).map(SessionState::Finished),
            Step::Have(have) if have <= len => Ok(SessionState::Received(have)),
            Step::Have(have) => Err(Error::protocol(format!(
                "the upload session reports {have} bytes received of a {len}-byte upload"
            ))),
        }
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
            on_session: None,
            resume: None,
            opts: CallOptions::default(),
        }
    }
}

type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;
type OnSession = Arc<dyn Fn(&UploadSession) + Send + Sync>;

/// A resumable upload session: where the rest of an interrupted upload
/// goes, in this process or a later one ([`Upload::on_session`],
/// [`Upload::resume`]).
///
/// Its URL is a credential to the upload (whoever holds it may send the
/// bytes, for about a week): keep it like a token. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadSession {
    url: String,
    granularity: u64,
}

impl UploadSession {
    /// A session as an earlier [`Upload::on_session`] reported it.
    pub fn new(url: impl Into<String>, granularity: u64) -> Self {
        UploadSession {
            url: url.into(),
            granularity,
        }
    }

    /// The session URL (a credential: do not log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's chunk granularity: every chunk but the last is a
    /// multiple of it.
    pub fn granularity(&self) -> u64 {
        self.granularity
    }
}

/// Where a session stands ([`Uploads::query`]).
#[derive(Clone, PartialEq, Eq)]
pub enum SessionState {
    /// The server has the first this many bytes.
    Received(u64),
    /// The upload finished: its upload token.
    Finished(String),
}

impl fmt::Debug for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionState::Received(n) => f.debug_tuple("Received").field(n).finish(),
            // A token lets whoever holds it create the item.
            SessionState::Finished(_) => f.write_str("Finished(<token>)"),
        }
    }
}

/// The URL of a session to continue: on the client's base URL's origin
/// only (Google's sessions are on the API's own host), so that a URL read
/// from a file cannot take the token elsewhere.
fn resumable_url(client: &Client, session: &UploadSession) -> Result<http::Uri> {
    let url = client.check_session_url("upload session", &session.url)?;
    if client.is_own_origin(&url) {
        Ok(url)
    } else {
        Err(Error::protocol(format!(
            "the upload session to continue is on {}, not on the API's host; it is not resumed",
            discovery_runtime::error::excerpt(url.host().unwrap_or("").as_bytes())
        )))
    }
}

impl fmt::Debug for UploadSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadSession")
            .field("url", &"<redacted>")
            .field("granularity", &self.granularity)
            .finish()
    }
}

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
    on_session: Option<OnSession>,
    /// A session to continue, the byte of the media the source starts at,
    /// and whether the server must have exactly that many bytes.
    resume: Option<(UploadSession, u64, bool)>,
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
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// Called after each piece is sent with the bytes sent so far and the total.
    pub fn progress(mut self, f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Called when a resumable session starts, before its first byte is sent,
    /// with what a later process needs to [`resume`](Self::resume) it; the
    /// [`progress`](Self::progress) callback then reports the bytes the
    /// server has confirmed. Uploads that a restart should not lose record
    /// both (the session URL where a token would be kept).
    pub fn on_session(mut self, f: impl Fn(&UploadSession) + Send + Sync + 'static) -> Self {
        self.on_session = Some(Arc::new(f));
        self
    }

    /// Continues `session`, started by an earlier upload of the same media
    /// (perhaps by another process), instead of starting one. The source
    /// given to [`Uploads::reader`] (with the media's whole length) begins at
    /// byte `start` of the media: the caller read the bytes before it, e.g.
    /// to check they are unchanged (0 when the source is the whole media).
    ///
    /// The server is asked what it has and only the rest is sent; a session
    /// it finished answers its upload token. A session it no longer knows,
    /// or one with fewer bytes than `start`, fails with
    /// [`Error::Expired`]: upload from the beginning
    /// then, without `resume`. The session's URL must be on the client's
    /// base URL's origin (see [`Uploads::query`]).
    pub fn resume(mut self, session: UploadSession, start: u64) -> Self {
        self.resume = Some((session, start, false));
        self
    }

    /// [`resume`](Self::resume) where the caller knows the server has
    /// exactly `offset` bytes ([`Uploads::query`]) and checked the media up
    /// to there: if the server now says otherwise (more bytes, or a
    /// finished upload), nothing unchecked is trusted and the upload fails
    /// with [`Error::Expired`].
    pub fn resume_at(mut self, session: UploadSession, offset: u64) -> Self {
        self.resume = Some((session, offset, true));
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
        if self.resume.is_some() {
            self.send_resumed().await
        } else if self.len <= self.resumable_threshold {
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

    async fn send_resumable(self) -> Result<String> {
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
        let session = UploadSession { url, granularity };
        let url = self
            .client
            .check_session_url("upload session", &session.url)?;
        // A session that cannot be used is not reported as one to resume.
        crate::resumable::chunk_size(self.chunk_size, granularity)?;
        if let Some(on_session) = &self.on_session {
            on_session(&session);
        }
        self.continue_session(url, granularity, 0).await
    }

    async fn send_resumed(mut self) -> Result<String> {
        let Some((session, start, exactly)) = self.resume.take() else {
            return Err(Error::invalid_argument("resume", "no session to resume"));
        };
        let moved = || Error::Expired {
            message: format!(
                "the upload session no longer has the {start} bytes checked before resuming it; \
                 start the upload again"
            ),
        };
        let url = resumable_url(&self.client, &session)?;
        let call = self.call(String::new(), None, Vec::new());
        let query = Session {
            url: url.clone(),
            protocol: Protocol::XGoogUpload,
            call: &call,
        };
        let have = match self.client.query_upload(&query, Some(self.len)).await? {
            Step::Done(_) if exactly && start < self.len => return Err(moved()),
            Step::Have(have) if exactly && have != start => return Err(moved()),
            Step::Done(body) => {
                // The rest of the source is read all the same: a reader
                // that hashes what it yields sees the whole media.
                let _ = self.source.skip(self.len.saturating_sub(start)).await;
                self.report(self.len);
                return upload_token(&body);
            }
            Step::Have(have) => have,
        };
        if have < start {
            return Err(Error::Expired {
                message: format!(
                    "the upload session has {have} bytes, fewer than the {start} read before \
                     resuming it; start the upload again"
                ),
            });
        }
        if have > self.len {
            return Err(Error::protocol(format!(
                "the upload session reports {have} bytes received of a {}-byte upload",
                self.len
            )));
        }
        self.source.skip(have - start).await?;
        self.report(have);
        self.continue_session(url, session.granularity, have).await
    }

    /// Sends the media from byte `start` (where the source is) through the
    /// session at `url`.
    async fn continue_session(
        mut self,
        url: http::Uri,
        granularity: u64,
        start: u64,
    ) -> Result<String> {
        let chunk_size = crate::resumable::chunk_size(self.chunk_size, granularity)?;
        let call = self.call(String::new(), None, Vec::new());
        let session = Session {
            url,
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
            start,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_type_of_the_upload_guide_has_a_media_type_within_its_limit() {
        let photos = [
            "avif", "BMP", "gif", "heic", "ico", "JPG", "jpeg", "png", "tif", "tiff", "webp", "dng",
        ];
        let videos = [
            "3gp", "3g2", "asf", "avi", "divx", "m2t", "m2ts", "m4v", "mkv", "mmv", "mod", "MOV",
            "mp4", "mpg", "mts", "tod", "wmv",
        ];
        for ext in photos {
            let mime = mime_type(Path::new(&format!("a.{ext}"))).unwrap_or_else(|| panic!("{ext}"));
            assert!(mime.starts_with("image/"), "{ext}: {mime}");
            assert_eq!(max_bytes(mime), MAX_PHOTO_BYTES, "{ext}");
        }
        for ext in videos {
            let mime = mime_type(Path::new(&format!("a.{ext}"))).unwrap_or_else(|| panic!("{ext}"));
            assert!(mime.starts_with("video/"), "{ext}: {mime}");
            assert_eq!(max_bytes(mime), MAX_VIDEO_BYTES, "{ext}");
        }
        for other in ["a.txt", "a", "a.jpg.part", ".jpg"] {
            assert_eq!(mime_type(Path::new(other)), None, "{other}");
        }
    }
}
