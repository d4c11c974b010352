//! The picking flow: how an app reads photos a user already has. The app
//! creates a session ([`Client::start_picking`]), sends the user to its
//! [`picker_uri`](Picking::picker_uri) (a link, or a QR code for a phone),
//! [`wait`](Picking::wait)s while the user picks in Google Photos, lists the
//! picked [`items`](Picking::items), downloads them with the bearer token
//! ([`download`](Picking::download), [`download_to`](Picking::download_to)),
//! and [`delete`](Picking::delete)s the session. A [`Picking`] dropped before
//! `delete` (an error, a cancelled task) deletes its session in the background
//! when a Tokio runtime is there to run it.
//!
//! ```no_run
//! # async fn run() -> photospicker_v1::Result<()> {
//! use futures_util::TryStreamExt;
//! use photospicker_v1::picking::MediaOptions;
//!
//! let client = photospicker_v1::Client::builder()
//!     .bearer_token(std::env::var("ACCESS_TOKEN").unwrap_or_default())
//!     .build()?;
//! let mut picking = client.start_picking(Some(10)).await?;
//! println!("Pick your photos at {}", picking.picker_uri());
//! picking.wait(|_| {}).await?;
//! let items: Vec<_> = picking.items().try_collect().await?;
//! for item in &items {
//!     picking.download_to(item, &MediaOptions::original(item), "picked").await?;
//! }
//! picking.delete().await?;
//! # Ok(()) }
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use futures_core::Stream;
use tokio::io::AsyncWrite;

use crate::files::Downloaded;
use crate::models::{PickedMediaItem, PickedMediaItemType, PickingConfig, PickingSession};
use crate::{Client, Error, Result};

/// The most items one session lets the user pick: the API's maximum, and
/// its default when no maximum is given.
pub const MAX_ITEMS: u32 = 2000;

/// Items per `mediaItems.list` page: the API's maximum.
pub const PAGE_SIZE: i32 = 100;

/// The most `mediaItems.list` pages [`Picking::items`] follows: a server
/// may send short pages, but not endless ones.
pub const MAX_PAGES: usize = 100;

/// How long [`Picking::wait`] waits for the user at most, whatever the
/// server's `timeoutIn` says (see [`Picking::max_wait`]).
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60 * 60);

/// The poll interval when the server suggests none.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// Bounds on the server's `pollInterval`: a zero interval would poll in a
/// tight loop (and spend the project's quota), a huge one would sleep past
/// any deadline.
const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What a picked item's base URL is asked for (appended to `baseUrl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaOptions {
    suffix: String,
}

impl MediaOptions {
    /// The original bytes: `=dv` for a video (its `type`, or a `video/` MIME
    /// type when the type is missing or unknown: `=d` would be only its
    /// thumbnail), `=d` (with its metadata, but location) for anything else.
    pub fn original(item: &PickedMediaItem) -> Self {
        let video_mime = item
            .media_file
            .as_ref()
            .and_then(|f| f.mime_type.as_deref())
            .is_some_and(|m| m.to_ascii_lowercase().starts_with("video/"));
        let suffix = match &item.r#type {
            Some(PickedMediaItemType::Video) => "=dv",
            Some(PickedMediaItemType::Photo) => "=d",
            _ if video_mime => "=dv",
            _ => "=d",
        };
        MediaOptions {
            suffix: suffix.into(),
        }
    }

    /// An image at most `width` x `height` pixels, aspect ratio kept (a
    /// video's is its thumbnail): `=w{width}-h{height}`.
    pub fn sized(width: u32, height: u32) -> Self {
        MediaOptions {
            suffix: format!("=w{width}-h{height}"),
        }
    }

    /// A [`sized`](Self::sized) image cropped to exactly that size (`-c`).
    pub fn crop(mut self) -> Self {
        if self.suffix.starts_with("=w") && !self.suffix.ends_with("-c") {
            self.suffix.push_str("-c");
        }
        self
    }

    /// The suffix appended to the base URL, e.g. `=w640-h480-c`.
    pub fn suffix(&self) -> &str {
        &self.suffix
    }
}

impl PickedMediaItem {
    /// The URL of this item's bytes as `options` ask, if it has a base URL.
    pub fn media_url(&self, options: &MediaOptions) -> Option<String> {
        let base = self.media_file.as_ref()?.base_url.as_deref()?;
        Some(format!("{base}{}", options.suffix))
    }

    /// A safe file name for this item: its `filename` (or `item`) made a
    /// single portable path component, with a hash of its id before the
    /// extension, so that two items never share a name and a rerun finds its
    /// files again ([`crate::files::unique_file_name`]). `None` without an id.
    pub fn local_file_name(&self) -> Option<String> {
        let id = self.id.as_deref().filter(|id| !id.is_empty())?;
        let name = self
            .media_file
            .as_ref()
            .and_then(|f| f.filename.as_deref())
            .filter(|n| !n.is_empty())
            .unwrap_or("item");
        Some(crate::files::unique_file_name(name, id))
    }
}

impl Client {
    /// Creates a picking session in which the user may pick up to
    /// `max_items` items (at most and by default [`MAX_ITEMS`]).
    pub async fn start_picking(&self, max_items: Option<u32>) -> Result<Picking> {
        if let Some(n) = max_items {
            if n == 0 || n > MAX_ITEMS {
                return Err(Error::invalid_argument(
                    "maxItemCount",
                    format!("{n} is not between 1 and {MAX_ITEMS}"),
                ));
            }
        }
        let request = PickingSession {
            picking_config: max_items.map(|n| PickingConfig {
                max_item_count: Some(i64::from(n)),
                ..Default::default()
            }),
            ..Default::default()
        };
        // The session is created to the end even if this future is dropped
        // meanwhile; one nobody takes is deleted.
        let client = self.clone();
        let create = async move {
            let answer = client.sessions().create(request).send().await;
            match answer.or_else(lenient_session) {
                Ok(session) => Ok(session),
                Err(error) => {
                    // An answer that does not decode may still name the
                    // session the server made: it is deleted, not lost.
                    let id = error
                        .undecoded_json()
                        .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
                        .filter(|id| !id.is_empty());
                    if let Some(id) = id {
                        let _ = client.sessions().delete(id).send().await;
                    }
                    Err(error)
                }
            }
        };
        let client = self.clone();
        let undo = move |session: PickingSession| -> crate::BoxFuture<()> {
            Box::pin(async move {
                if let Some(id) = session.id.filter(|id| !id.is_empty()) {
                    let _ = client.sessions().delete(id).send().await;
                }
            })
        };
        let session = ::discovery_runtime::created::create_then(create, undo).await?;
        let id = session.id.clone().filter(|id| !id.is_empty());
        match Picking::new(self.clone(), session) {
            Ok(picking) => Ok(picking),
            Err(error) => {
                // A session we will not use is deleted before the error is
                // returned (a background delete might never run).
                if let Some(id) = id {
                    let _ = self.sessions().delete(id).send().await;
                }
                Err(error)
            }
        }
    }
}

/// One picking session, from creation to deletion (see the [module](self)).
#[derive(Debug)]
pub struct Picking {
    client: Client,
    session: PickingSession,
    id: String,
    picker_uri: String,
    max_wait: Duration,
    deleted: bool,
}

impl Picking {
    /// Takes over `session` as `sessions.create` returned it: fails without an
    /// id or a usable `pickerUri` (and then leaves the deleting to the caller).
    fn new(client: Client, session: PickingSession) -> Result<Self> {
        let id = session
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::protocol("the picking session has no id"))?;
        let picker_uri = session.picker_uri.clone().unwrap_or_default();
        let mut picking = Picking {
            client,
            session,
            id,
            picker_uri: String::new(),
            max_wait: DEFAULT_MAX_WAIT,
            deleted: false,
        };
        match check_picker_uri(&picker_uri, &picking.client) {
            Ok(uri) => picking.picker_uri = uri,
            Err(error) => {
                picking.deleted = true;
                return Err(error);
            }
        }
        Ok(picking)
    }

    /// The session's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The link the user opens to pick (an `http(s)` URL without spaces or
    /// control characters: safe to print and to encode as a QR code).
    pub fn picker_uri(&self) -> &str {
        &self.picker_uri
    }

    /// The session as the server last described it.
    pub fn session(&self) -> &PickingSession {
        &self.session
    }

    /// Whether the user has finished picking (`mediaItemsSet`).
    pub fn is_picked(&self) -> bool {
        self.session.media_items_set == Some(true)
    }

    /// The longest [`wait`](Self::wait) for the user (default
    /// [`DEFAULT_MAX_WAIT`]), even if the server's `timeoutIn` is longer.
    pub fn max_wait(mut self, limit: Duration) -> Self {
        self.max_wait = limit;
        self
    }

    /// Polls `sessions.get` until the user has finished picking, at the
    /// server's `pollInterval` (5 s when it gives none; kept between 1 s and
    /// 5 min), calling `on_poll` with each answer. Gives up with
    /// [`Error::Expired`] when the server's `timeoutIn` (the earliest end any
    /// answer gave) or [`max_wait`](Self::max_wait) has passed, after one last
    /// poll at that moment; a session the server says is no longer
    /// accessible (403 other than missing scopes) is [`Error::Expired`] too;
    /// another failed poll is returned as it is (after the client's retries).
    pub async fn wait(&mut self, mut on_poll: impl FnMut(&PickingSession)) -> Result<()> {
        let start = Instant::now();
        let cap = start.checked_add(self.max_wait);
        // The deadline, and whether it is the server's (`timeoutIn`) or ours.
        let at_most = |deadline: Option<Instant>| match (deadline, cap) {
            (Some(d), Some(c)) if d < c => Some((d, Limit::Server)),
            (_, Some(c)) => Some((c, Limit::MaxWait)),
            (Some(d), None) => Some((d, Limit::Server)),
            (None, None) => None,
        };
        let mut deadline = at_most(timeout_in(&self.session).and_then(|t| start.checked_add(t)));
        let mut interval = poll_interval(&self.session);
        let mut last_poll = false;
        loop {
            if self.is_picked() {
                return Ok(());
            }
            let now = Instant::now();
            let left = deadline.map(|(d, _)| d.saturating_duration_since(now));
            if let Some((at, limit)) =
                deadline.filter(|_| last_poll || left == Some(Duration::ZERO))
            {
                let waited = seconds(at.saturating_duration_since(start));
                let why = match limit {
                    Limit::Server => "the session's timeoutIn",
                    Limit::MaxWait => "the wait's max_wait",
                };
                return Err(Error::Expired {
                    message: format!(
                        "the user did not finish picking within {waited} ({why}); start a new session"
                    ),
                });
            }
            // When the deadline comes before the next interval, one last poll
            // at the deadline: a user who finished in the meantime is not
            // turned away.
            match left.filter(|l| *l < interval) {
                Some(left) => {
                    tokio::time::sleep(left).await;
                    last_poll = true;
                }
                None => tokio::time::sleep(interval).await,
            }
            self.session = self
                .client
                .sessions()
                .get(self.id.clone())
                .send()
                .await
                .or_else(lenient_session)
                .map_err(session_gone)?;
            on_poll(&self.session);
            let now = Instant::now();
            // The earliest deadline any answer gave: a server's clock runs
            // down, and one that keeps extending it cannot keep us forever.
            if let Some(answer) = timeout_in(&self.session).and_then(|t| now.checked_add(t)) {
                if deadline.is_none_or(|(d, _)| answer < d) {
                    deadline = at_most(Some(answer));
                }
            }
            if self.session.polling_config.is_some() {
                interval = poll_interval(&self.session);
            }
        }
    }

    /// The picked items, page by page ([`PAGE_SIZE`] at a time). Before the
    /// user has finished the server answers `FAILED_PRECONDITION` (an
    /// [`Error::Api`] with status 400). A session holds at most
    /// [`MAX_ITEMS`]: a server that lists more, or pages on for more than
    /// [`MAX_PAGES`] pages, ends the stream with [`Error::Protocol`].
    pub fn items(&self) -> impl Stream<Item = Result<PickedMediaItem>> + Send + 'static {
        use futures_util::StreamExt;
        let pages = self
            .client
            .media_items()
            .list()
            .session_id(self.id.clone())
            .page_size(PAGE_SIZE)
            .pages();
        // Unfolded by hand so that nothing more is fetched after an error.
        let state = (Box::pin(pages), 0usize, 0usize, false);
        futures_util::stream::unfold(
            state,
            |(mut pages, seen_pages, seen_items, done)| async move {
                if done {
                    return None;
                }
                let (out, seen_pages, seen_items, done) = match pages.next().await? {
                    Ok(page) => {
                        let batch = page.media_items.unwrap_or_default();
                        let seen_pages = seen_pages + 1;
                        let seen_items = seen_items.saturating_add(batch.len());
                        if seen_items > MAX_ITEMS as usize || seen_pages > MAX_PAGES {
                            let error = Error::protocol(format!(
                            "the server listed more than a session holds ({MAX_ITEMS} items in at \
                             most {MAX_PAGES} pages)"
                        ));
                            (vec![Err(error)], seen_pages, seen_items, true)
                        } else {
                            (
                                batch.into_iter().map(Ok).collect(),
                                seen_pages,
                                seen_items,
                                false,
                            )
                        }
                    }
                    Err(error) => (vec![Err(session_gone(error))], seen_pages, seen_items, true),
                };
                Some((
                    futures_util::stream::iter(out),
                    (pages, seen_pages, seen_items, done),
                ))
            },
        )
        .flatten()
    }

    /// Streams the bytes of `item` (as `options` ask) into `writer`, with the
    /// bearer token; returns the number of bytes written. The base URL must be
    /// `https` on a Google user-content host (or the client's own origin, for
    /// a local test server): the token is sent nowhere else. A refused base URL
    /// (403; they last 60 minutes) is [`Error::Expired`].
    pub async fn download<W>(
        &self,
        item: &PickedMediaItem,
        options: &MediaOptions,
        writer: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let uri = self.media_uri(item, options)?;
        let call = download_call();
        let response = self
            .client
            .request(crate::net::Method::GET, uri, &call)
            .await?
            .send()
            .await?;
        if response.status() == crate::net::StatusCode::FORBIDDEN {
            return Err(expired());
        }
        crate::transport::check_status(response)
            .await?
            .copy_to(writer)
            .await
    }

    /// Downloads `item` (as `options` ask) into `dir` under
    /// [`PickedMediaItem::local_file_name`], with the bearer token: through a
    /// `.part` file a rerun resumes, checked against the announced length,
    /// synced, then renamed; a file already there is not fetched again. The
    /// base URL is checked as for [`download`](Self::download).
    pub async fn download_to(
        &self,
        item: &PickedMediaItem,
        options: &MediaOptions,
        dir: impl AsRef<Path>,
    ) -> Result<Downloaded> {
        let name = item.local_file_name().ok_or_else(|| {
            Error::invalid_argument("id", "the picked item has no id to name its file after")
        })?;
        let path = crate::files::path_in(dir.as_ref(), &name)?;
        let uri = self.media_uri(item, options)?;
        match self
            .client
            .download_to_file(&uri, Some(&download_call()), &path)
            .await
        {
            Err(e) if e.status() == Some(crate::net::StatusCode::FORBIDDEN) => Err(expired()),
            other => other,
        }
    }

    /// Deletes the session (the server forgets the picked items); consumes
    /// the session, which a drop would otherwise delete in the background.
    pub async fn delete(mut self) -> Result<()> {
        self.deleted = true;
        self.client
            .sessions()
            .delete(self.id.clone())
            .send()
            .await
            .map(drop)
    }

    /// The checked URL of `item`'s bytes.
    fn media_uri(&self, item: &PickedMediaItem, options: &MediaOptions) -> Result<http::Uri> {
        let url = item.media_url(options).ok_or_else(|| {
            Error::invalid_argument(
                "baseUrl",
                "the picked item has no mediaFile.baseUrl; list the session's items again",
            )
        })?;
        let uri = crate::net::parse_uri("baseUrl", &url)?;
        let same_origin = self.client.is_own_origin(&uri);
        let google = uri.scheme_str() == Some("https")
            && uri.port().is_none()
            && uri.host().is_some_and(is_user_content_host);
        if google || same_origin {
            Ok(uri)
        } else {
            Err(Error::protocol(format!(
                "the picked item's baseUrl {:?} is not on a Google user-content host over https; \
                 the token is not sent there",
                url.chars().take(200).collect::<String>()
            )))
        }
    }
}

impl Drop for Picking {
    fn drop(&mut self) {
        if self.deleted {
            return;
        }
        // Best effort: without a runtime (or once it shuts down) the session
        // simply expires on the server.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let delete = self.client.sessions().delete(self.id.clone()).send();
            handle.spawn(async move {
                let _ = delete.await;
            });
        }
    }
}

/// Hosts that serve picked items' bytes: `googleusercontent.com` and its
/// subdomains (`lh3.googleusercontent.com`, `video-downloads...`).
fn is_user_content_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "googleusercontent.com" || host.ends_with(".googleusercontent.com")
}

/// The server's `pickerUri`, if it is something a user can safely be shown
/// and sent to: printable ASCII, `https` (or the API's own origin, a local
/// test server) and no user name before the host, which could make
/// `https://photos.google.com@elsewhere/` read as Google's.
fn check_picker_uri(uri: &str, client: &Client) -> Result<String> {
    let printable =
        !uri.is_empty() && uri.len() <= 4096 && uri.chars().all(|c| c.is_ascii_graphic());
    let parsed = printable
        .then(|| crate::net::parse_uri("pickerUri", uri).ok())
        .flatten();
    let ok = parsed.is_some_and(|p| {
        let same_origin = client.is_own_origin(&p);
        let userinfo = p.authority().is_some_and(|a| a.as_str().contains('@'));
        p.host().is_some() && !userinfo && (p.scheme_str() == Some("https") || same_origin)
    });
    if ok {
        Ok(uri.to_owned())
    } else {
        Err(Error::protocol(format!(
            "the session's pickerUri {:?} is not an https link to a host",
            uri.chars().take(200).collect::<String>()
        )))
    }
}

/// Which limit ended a [`Picking::wait`].
#[derive(Clone, Copy)]
enum Limit {
    /// The earliest `timeoutIn` the server gave.
    Server,
    /// [`Picking::max_wait`].
    MaxWait,
}

/// `d` for a message: `4 s`, `0.5 s`, `3600 s`.
fn seconds(d: Duration) -> String {
    let whole = d.as_secs();
    let tenths = d.subsec_millis() / 100;
    if whole >= 10 || tenths == 0 {
        format!("{whole} s")
    } else {
        format!("{whole}.{tenths} s")
    }
}

/// A session answer that failed to decode only because of its polling
/// configuration (`pollInterval` or `timeoutIn` that is not a duration) is
/// taken without the unreadable values: the wait then falls back to its
/// default interval and to `max_wait`, rather than failing a pick the user
/// may already have made. Any other error is returned as it is.
fn lenient_session(error: Error) -> Result<PickingSession> {
    let Some(mut value) = error.undecoded_json() else {
        return Err(error);
    };
    let mut dropped = false;
    if let Some(config) = value
        .get_mut("pollingConfig")
        .and_then(serde_json::Value::as_object_mut)
    {
        for key in ["pollInterval", "timeoutIn"] {
            let readable = config.get(key).is_none_or(|v| {
                v.is_null()
                    || v.as_str()
                        .is_some_and(|s| s.parse::<crate::types::Duration>().is_ok())
            });
            if !readable {
                config.remove(key);
                dropped = true;
            }
        }
    }
    if !dropped {
        return Err(error);
    }
    serde_json::from_value(value).map_err(|_| error)
}

/// The session's suggested poll interval, bounded.
fn poll_interval(session: &PickingSession) -> Duration {
    session
        .polling_config
        .as_ref()
        .and_then(|p| p.poll_interval)
        .and_then(|d| d.to_std())
        .unwrap_or(DEFAULT_POLL_INTERVAL)
        .clamp(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL)
}

/// How much longer the server says polling may go on (`timeoutIn`; a negative
/// one is zero), if it says.
fn timeout_in(session: &PickingSession) -> Option<Duration> {
    let t = session.polling_config.as_ref()?.timeout_in?;
    Some(t.to_std().unwrap_or(Duration::ZERO))
}

/// A 403 from `sessions.get` or `mediaItems.list` that is not about scopes
/// means access to the session expired (PERMISSION_DENIED): say what to do.
fn session_gone(error: Error) -> Error {
    let gone = error.status() == Some(crate::net::StatusCode::FORBIDDEN)
        && !error.is_insufficient_scopes();
    if !gone {
        return error;
    }
    Error::Expired {
        message: format!("the picking session is no longer accessible ({error}); start a new one"),
    }
}

/// The call whose token and retries a download uses.
fn download_call() -> crate::transport::Call {
    crate::transport::Call::new(
        crate::net::Method::GET,
        "photospicker.mediaItems.download",
        String::new(),
        Vec::new(),
        None,
        &[crate::scopes::PHOTOSPICKER_MEDIAITEMS_READONLY],
        crate::transport::CallOptions::default(),
    )
}

fn expired() -> Error {
    Error::Expired {
        message:
            "the picked item's baseUrl was refused (403 Forbidden): base URLs last 60 minutes; \
                  list the session's items again for fresh ones"
                .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{MediaFile, PollingConfig};

    fn item(id: &str, name: &str, base: &str) -> PickedMediaItem {
        PickedMediaItem {
            id: Some(id.into()),
            media_file: Some(MediaFile {
                base_url: Some(base.into()),
                filename: Some(name.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn options_build_the_documented_suffixes() {
        let mut video = item("v", "a.mp4", "https://lh3.googleusercontent.com/x");
        video.r#type = Some(PickedMediaItemType::Video);
        assert_eq!(MediaOptions::original(&video).suffix(), "=dv");
        let photo = item("p", "a.jpg", "https://lh3.googleusercontent.com/x");
        assert_eq!(MediaOptions::original(&photo).suffix(), "=d");
        assert_eq!(
            MediaOptions::sized(640, 480).crop().suffix(),
            "=w640-h480-c"
        );
        assert_eq!(MediaOptions::original(&photo).crop().suffix(), "=d");
        // A video whose type is missing or unknown is still a video.
        let mut untyped = item("u", "c.mov", "https://x");
        untyped.media_file.as_mut().unwrap().mime_type = Some("Video/QuickTime".into());
        assert_eq!(MediaOptions::original(&untyped).suffix(), "=dv");
        untyped.r#type = Some(PickedMediaItemType::UnknownValue("HOLOGRAM".into()));
        assert_eq!(MediaOptions::original(&untyped).suffix(), "=dv");
        assert_eq!(
            photo.media_url(&MediaOptions::sized(1, 2)).as_deref(),
            Some("https://lh3.googleusercontent.com/x=w1-h2")
        );
    }

    #[test]
    fn file_names_are_single_safe_components() {
        let hostile = item("id1", "../../etc/passwd", "https://x");
        let name = hostile.local_file_name().unwrap();
        assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
        let other = item("id2", "../../etc/passwd", "https://x");
        assert_ne!(name, other.local_file_name().unwrap());
        assert_eq!(item("", "a.jpg", "https://x").local_file_name(), None);
    }

    #[test]
    fn only_google_content_hosts_are_trusted_for_the_token() {
        for host in [
            "lh3.googleusercontent.com",
            "googleusercontent.com",
            "A.GoogleUserContent.com.",
        ] {
            assert!(is_user_content_host(host), "{host}");
        }
        for host in [
            "googleusercontent.com.evil.example",
            "evilgoogleusercontent.com",
            "example.com",
        ] {
            assert!(!is_user_content_host(host), "{host}");
        }
    }

    #[test]
    fn picker_uris_must_be_printable_https_links() {
        let client = |url: &str| Client::builder().base_url(url).no_proxy().build().unwrap();
        let base = &client("https://photospicker.googleapis.com/");
        assert!(check_picker_uri("https://photos.google.com/picker/abc", base).is_ok());
        for bad in [
            "",
            "javascript:alert(1)",
            "https://a b",
            "https://a/\u{1b}[2J",
            "file:///etc",
            "/relative",
            "http://photos.google.com/picker/abc",
            "https://photos.google.com@evil.example/picker",
            "https://user:pw@photos.google.com/picker",
        ] {
            assert!(check_picker_uri(bad, base).is_err(), "{bad:?}");
        }
        // Plain http only on the API's own (test server's) origin.
        let local = &client("http://127.0.0.1:8080/");
        assert!(check_picker_uri("http://127.0.0.1:8080/picker/1", local).is_ok());
        assert!(check_picker_uri("http://127.0.0.1:9999/picker/1", local).is_err());
    }

    #[test]
    fn poll_settings_are_bounded() {
        let session = |interval: &str, timeout: &str| PickingSession {
            polling_config: Some(PollingConfig {
                poll_interval: Some(interval.parse().unwrap()),
                timeout_in: Some(timeout.parse().unwrap()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(poll_interval(&session("0s", "1s")), MIN_POLL_INTERVAL);
        assert_eq!(
            poll_interval(&session("99999999999s", "1s")),
            MAX_POLL_INTERVAL
        );
        assert_eq!(
            poll_interval(&session("-3s", "1s")),
            DEFAULT_POLL_INTERVAL.clamp(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL)
        );
        assert_eq!(
            poll_interval(&session("2.5s", "1s")),
            Duration::from_millis(2500)
        );
        assert_eq!(
            poll_interval(&PickingSession::default()),
            DEFAULT_POLL_INTERVAL
        );
        assert_eq!(timeout_in(&session("1s", "-5s")), Some(Duration::ZERO));
        assert_eq!(
            timeout_in(&session("1s", "300s")),
            Some(Duration::from_secs(300))
        );
        assert_eq!(timeout_in(&PickingSession::default()), None);
    }
}
