//! The ambient flow: how a photo frame, a TV or a kiosk shows what a user
//! chooses. The app registers a device in the user's account
//! ([`Client::create_device`]), sends the user to its `settingsUri` (a link,
//! or a QR code for a phone) where they choose albums in Google Photos,
//! waits until they have ([`Client::wait_for_media_sources`]), lists the
//! chosen media items ([`Client::list_device_media`]) and downloads them
//! with base URLs younger than an hour ([`Client::download_item_to`]). The
//! device stays: keep its id, and a restart lists its media again.
//!
//! ```no_run
//! # async fn run() -> photosambient_v1::Result<()> {
//! use photosambient_v1::frames::MediaOptions;
//!
//! let client = photosambient_v1::Client::builder()
//!     .bearer_token(std::env::var("ACCESS_TOKEN").unwrap_or_default())
//!     .build()?;
//! let device = client.create_device("Living room frame").await?;
//! let id = device.id.clone().unwrap_or_default();
//! println!("Choose albums at {}", device.settings_uri.as_deref().unwrap_or(""));
//! client.wait_for_media_sources(&id, None, |_| {}).await?;
//! let listing = client.list_device_media(&id).await?;
//! for item in &listing.items {
//!     client.download_item_to(item, &MediaOptions::sized(1920, 1080), "frame").await?;
//! }
//! # Ok(()) }
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::AsyncWrite;

use crate::files::Downloaded;
use crate::models::{AmbientDevice, AmbientMediaItem};
use crate::{Client, Error, Result};

/// The most devices an app may create for one user.
pub const MAX_DEVICES: usize = 100;

/// Items per `mediaItems.list` page.
pub const PAGE_SIZE: i32 = 100;

/// `mediaItems.list` requests each device may make per day.
pub const LIST_REQUESTS_PER_DAY: u32 = 240;

/// The most items [`Client::list_device_media`] takes from a device, and the
/// most pages it follows: a server may send short pages, not endless ones.
pub const MAX_ITEMS: usize = 100_000;
pub const MAX_PAGES: usize = 2_000;

/// How long a listing's base URLs are used: they last 60 minutes, and a
/// download that starts late must still finish in time.
pub const BASE_URL_MAX_AGE: Duration = Duration::from_secs(45 * 60);

/// How long [`Client::wait_for_media_sources`] waits for the user by
/// default.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60 * 60);

/// The poll interval when the server suggests none, and the bounds on the
/// one it suggests: a zero interval would poll in a tight loop (and spend
/// the project's quota), a huge one would sleep past any deadline.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// The longest display name the API takes (in characters).
const MAX_NAME_CHARS: usize = 100;

/// What an item's base URL is asked for (appended to `baseUrl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaOptions {
    suffix: String,
}

impl MediaOptions {
    /// The original bytes: `=dv` for a video MIME type (`=d` would be its
    /// thumbnail), `=d` (with its metadata, but location) for anything else.
    pub fn original(item: &AmbientMediaItem) -> Self {
        let video = item
            .media_file
            .as_ref()
            .and_then(|f| f.mime_type.as_deref())
            .is_some_and(|m| m.to_ascii_lowercase().starts_with("video/"));
        MediaOptions {
            suffix: if video { "=dv" } else { "=d" }.into(),
        }
    }

    /// An image at most `width` x `height` pixels, aspect ratio kept (what a
    /// frame of that size shows): `=w{width}-h{height}`.
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

    /// The suffix appended to the base URL, e.g. `=w1920-h1080`.
    pub fn suffix(&self) -> &str {
        &self.suffix
    }
}

impl AmbientMediaItem {
    /// The URL of this item's bytes as `options` ask, if it has a base URL.
    pub fn media_url(&self, options: &MediaOptions) -> Option<String> {
        let base = self.media_file.as_ref()?.base_url.as_deref()?;
        Some(format!("{base}{}", options.suffix))
    }

    /// A safe file name for this item (items have no file name): the time
    /// it was taken (or `item`) and an extension from its MIME type, with a
    /// hash of its id, so that two items never share a name and a restart
    /// finds its files again ([`crate::files::unique_file_name`]). `None`
    /// without an id.
    pub fn local_file_name(&self, options: &MediaOptions) -> Option<String> {
        let id = self.id.as_deref().filter(|id| !id.is_empty())?;
        let stem = self
            .create_time
            .map(|t| t.format("%Y-%m-%d_%H-%M-%S").to_string())
            .unwrap_or_else(|| "item".to_owned());
        let mime = self
            .media_file
            .as_ref()
            .and_then(|f| f.mime_type.as_deref())
            .unwrap_or("")
            .to_ascii_lowercase();
        // A sized copy of anything is an image; its exact type is the
        // server's choice, and JPEG is what it serves for photos.
        let extension = match (options.suffix.starts_with("=w"), mime.as_str()) {
            (true, "image/png") => "png",
            (true, "image/gif") => "gif",
            (true, "image/webp") => "webp",
            (true, _) => "jpg",
            (false, m) => extension_of(m),
        };
        Some(crate::files::unique_file_name(
            &format!("{stem}.{extension}"),
            id,
        ))
    }
}

/// A file extension for an original of MIME type `mime`.
fn extension_of(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/heic" | "image/heif" => "heic",
        "image/tiff" => "tif",
        "image/bmp" => "bmp",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        m if m.starts_with("video/") => "mp4",
        _ => "bin",
    }
}

/// A device's media items, as [`Client::list_device_media`] found them.
#[derive(Clone, Debug)]
pub struct Listing {
    /// Each item once (the server may repeat one on a later page), in the
    /// order listed.
    pub items: Vec<AmbientMediaItem>,
    /// The `mediaItems.list` requests made (of [`LIST_REQUESTS_PER_DAY`]).
    pub requests: u32,
    /// When the listing began: its base URLs are good until
    /// [`BASE_URL_MAX_AGE`] after it.
    pub listed_at: Instant,
}

impl Listing {
    /// Whether the base URLs are too old to start a download with.
    pub fn is_stale(&self) -> bool {
        self.listed_at.elapsed() >= BASE_URL_MAX_AGE
    }
}

impl Client {
    /// Registers a device named `display_name` (1 to 100 characters) in the
    /// user's account, under a fresh version 4 UUID `requestId`: a create
    /// whose answer was lost is sent again with the same id (the client's
    /// retry policy), and one the server says `ALREADY_EXISTS` is deleted by
    /// that id and created once more, as the reference prescribes. The
    /// device is created to the end even if this future is dropped; one
    /// nobody takes is deleted. The limit of [`MAX_DEVICES`] per user is
    /// [`Error::QuotaExhausted`].
    pub async fn create_device(&self, display_name: impl Into<String>) -> Result<AmbientDevice> {
        self.create_device_as(display_name, &new_request_id()).await
    }

    /// [`create_device`](Self::create_device) under a request id the caller
    /// chose ([`new_request_id`]) and kept first: after a crash between the
    /// server making the device and the caller saving its id, the device is
    /// deleted by that request id (`devices().delete(request_id)`), as the
    /// reference prescribes, instead of staying in the user's account.
    pub async fn create_device_as(
        &self,
        display_name: impl Into<String>,
        request_id: &str,
    ) -> Result<AmbientDevice> {
        let display_name = display_name.into();
        let request_id = request_id.to_owned();
        let chars = display_name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(Error::invalid_argument(
                "displayName",
                format!("has {chars} characters; a device's name has 1 to {MAX_NAME_CHARS}"),
            ));
        }
        let client = self.clone();
        let create = async move {
            let device = match client.create_once(&display_name, &request_id).await {
                Err(error) if already_exists(&error) => {
                    // An orphan of this very request (an answer lost on the
                    // way): removed by its request id, then made again.
                    match client.devices().delete(request_id.clone()).send().await {
                        Ok(_) => {}
                        Err(e) if e.status() == Some(crate::net::StatusCode::NOT_FOUND) => {}
                        Err(e) => return Err(e),
                    }
                    client.create_once(&display_name, &request_id).await?
                }
                other => other?,
            };
            if device.id.as_deref().is_none_or(str::is_empty) {
                return Err(Error::protocol("the device the server created has no id"));
            }
            Ok(device)
        };
        let client = self.clone();
        let undo = move |device: AmbientDevice| -> crate::BoxFuture<()> {
            Box::pin(async move {
                if let Some(id) = device.id.filter(|id| !id.is_empty()) {
                    let _ = client.devices().delete(id).send().await;
                }
            })
        };
        ::discovery_runtime::created::create_then(create, undo).await
    }

    /// One `devices.create` under `request_id`, sent again under the retry
    /// policy while it fails in a way that may pass (the id makes that
    /// safe). A `429` with [`MAX_DEVICES`] devices already there is the
    /// limit, not a moment's rate limit: no retry.
    async fn create_once(&self, display_name: &str, request_id: &str) -> Result<AmbientDevice> {
        let policy = self.inner.retry.clone();
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let device = AmbientDevice {
                display_name: Some(display_name.to_owned()),
                ..Default::default()
            };
            let error = match self
                .devices()
                .create(device)
                .request_id(request_id)
                .send()
                .await
            {
                Ok(device) => return Ok(device),
                Err(error) => error,
            };
            if error.status() == Some(crate::net::StatusCode::TOO_MANY_REQUESTS)
                && self.device_count().await.is_some_and(|n| n >= MAX_DEVICES)
            {
                return Err(Error::QuotaExhausted {
                    message: format!(
                        "the account already has {MAX_DEVICES} ambient devices of this app, the most \
                         the Ambient API allows: delete one (devices.delete) to register another"
                    ),
                    last: Some(Box::new(error)),
                });
            }
            attempt = attempt.saturating_add(1);
            let (wait, _) = policy.next_attempt(error, attempt, started.elapsed())?;
            tokio::time::sleep(wait).await;
        }
    }

    /// How many devices the user has (`None` when they cannot be listed).
    async fn device_count(&self) -> Option<usize> {
        use futures_util::TryStreamExt;
        let mut devices = std::pin::pin!(self.devices().list().page_size(100).items());
        let mut count = 0usize;
        while devices.try_next().await.ok()?.is_some() {
            count += 1;
            if count >= MAX_DEVICES {
                break;
            }
        }
        Some(count)
    }

    /// Polls `devices.get` until the user has chosen what the device shows
    /// (`mediaSourcesSet`), at the device's `pollInterval` (5 s when it gives
    /// none; kept between 1 s and 5 min), calling `on_poll` with each answer,
    /// and returns the device. Gives up with [`Error::Expired`] after
    /// `max_wait` (default [`DEFAULT_MAX_WAIT`]), after one last poll at that
    /// moment; a device the server no longer knows (404) is
    /// [`Error::Expired`] too.
    pub async fn wait_for_media_sources(
        &self,
        device_id: &str,
        max_wait: Option<Duration>,
        mut on_poll: impl FnMut(&AmbientDevice),
    ) -> Result<AmbientDevice> {
        let start = Instant::now();
        let max_wait = max_wait.unwrap_or(DEFAULT_MAX_WAIT);
        let deadline = start.checked_add(max_wait);
        let mut device = self.get_device(device_id).await?;
        on_poll(&device);
        let mut last_poll = false;
        loop {
            if device.media_sources_set == Some(true) {
                return Ok(device);
            }
            if last_poll {
                return Err(Error::Expired {
                    message: format!(
                        "no albums were chosen for the device within {} s; open its settings link again",
                        max_wait.as_secs()
                    ),
                });
            }
            let interval = poll_interval(&device);
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            // When the deadline comes before the next interval, one last
            // poll at the deadline: a user who chose meanwhile is not
            // turned away.
            match left.filter(|l| *l <= interval) {
                Some(left) => {
                    tokio::time::sleep(left).await;
                    last_poll = true;
                }
                None => tokio::time::sleep(interval).await,
            }
            device = self.get_device(device_id).await?;
            on_poll(&device);
        }
    }

    /// `devices.get`, with a device the server no longer knows as
    /// [`Error::Expired`] (deleted from the Google Photos app, say).
    pub async fn get_device(&self, device_id: &str) -> Result<AmbientDevice> {
        self.devices()
            .get(device_id.to_owned())
            .send()
            .await
            .map_err(|error| {
                if error.status() == Some(crate::net::StatusCode::NOT_FOUND) {
                    Error::Expired {
                        message: "the ambient device no longer exists (it was removed in Google \
                                  Photos?); register a new one"
                            .into(),
                    }
                } else {
                    error
                }
            })
    }

    /// Every media item the device shows, page by page ([`PAGE_SIZE`] at a
    /// time), each once. Before the user has chosen, the server answers
    /// `FAILED_PRECONDITION` (an [`Error::Api`] with status 400). More than
    /// [`MAX_ITEMS`] items or [`MAX_PAGES`] pages is [`Error::Protocol`].
    /// Each page counts against the device's [`LIST_REQUESTS_PER_DAY`].
    pub async fn list_device_media(&self, device_id: &str) -> Result<Listing> {
        use futures_util::StreamExt;
        let listed_at = Instant::now();
        let mut pages = std::pin::pin!(self
            .media_items()
            .list()
            .device_id(device_id.to_owned())
            .page_size(PAGE_SIZE)
            .pages());
        let mut seen = std::collections::HashSet::new();
        let mut items = Vec::new();
        let mut requests = 0u32;
        while let Some(page) = pages.next().await {
            requests = requests.saturating_add(1);
            let page = page?;
            if requests as usize > MAX_PAGES {
                return Err(Error::protocol(format!(
                    "the device's media items ran over {MAX_PAGES} pages"
                )));
            }
            for item in page.media_items.unwrap_or_default() {
                let Some(id) = item.id.clone().filter(|id| !id.is_empty()) else {
                    continue;
                };
                if seen.insert(id) {
                    items.push(item);
                }
            }
            if items.len() > MAX_ITEMS {
                return Err(Error::protocol(format!(
                    "the device lists more than {MAX_ITEMS} media items"
                )));
            }
        }
        Ok(Listing {
            items,
            requests,
            listed_at,
        })
    }

    /// Streams the bytes of `item` (as `options` ask) into `writer`, with the
    /// bearer token; returns the number of bytes written. The base URL must
    /// be `https` on a Google user-content host (or the client's own origin,
    /// for a local test server): the token is sent nowhere else. A refused
    /// base URL (403; they last 60 minutes) is [`Error::Expired`]: list the
    /// device's items again.
    pub async fn download_item<W>(
        &self,
        item: &AmbientMediaItem,
        options: &MediaOptions,
        writer: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let uri = self.media_uri(item, options)?;
        let response = self
            .request(crate::net::Method::GET, uri, &download_call())
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
    /// [`AmbientMediaItem::local_file_name`], with the bearer token: through
    /// a `.part` file a later call resumes, checked against the announced
    /// length, synced, then renamed; a file already there is not fetched
    /// again. The base URL is checked as for
    /// [`download_item`](Self::download_item).
    pub async fn download_item_to(
        &self,
        item: &AmbientMediaItem,
        options: &MediaOptions,
        dir: impl AsRef<Path>,
    ) -> Result<Downloaded> {
        let name = item.local_file_name(options).ok_or_else(|| {
            Error::invalid_argument("id", "the media item has no id to name its file after")
        })?;
        let path = crate::files::path_in(dir.as_ref(), &name)?;
        let uri = self.media_uri(item, options)?;
        match self
            .download_to_file(&uri, Some(&download_call()), &path)
            .await
        {
            Err(e) if e.status() == Some(crate::net::StatusCode::FORBIDDEN) => Err(expired()),
            other => other,
        }
    }

    /// The checked URL of `item`'s bytes.
    fn media_uri(&self, item: &AmbientMediaItem, options: &MediaOptions) -> Result<http::Uri> {
        let url = item.media_url(options).ok_or_else(|| {
            Error::invalid_argument(
                "baseUrl",
                "the media item has no mediaFile.baseUrl; list the device's items again",
            )
        })?;
        let uri = crate::net::parse_uri("baseUrl", &url)?;
        let google = uri.scheme_str() == Some("https")
            && uri.port().is_none()
            && uri.host().is_some_and(is_user_content_host);
        if google || self.is_own_origin(&uri) {
            Ok(uri)
        } else {
            Err(Error::protocol(format!(
                "the media item's baseUrl (on {}) is not a Google user-content host over https; \
                 the token is not sent there",
                ::discovery_runtime::error::excerpt(uri.host().unwrap_or("").as_bytes())
            )))
        }
    }
}

impl Client {
    /// The device's `settingsUri`, where the user chooses what it shows, if
    /// it is something a user can safely be shown and sent to: printable
    /// ASCII, `https` (or the API's own origin, a local test server) and no
    /// user name before the host, which could make
    /// `https://photos.google.com@elsewhere/` read as Google's.
    pub fn settings_uri<'a>(&self, device: &'a AmbientDevice) -> Result<&'a str> {
        let uri = device.settings_uri.as_deref().unwrap_or("");
        let printable =
            !uri.is_empty() && uri.len() <= 4096 && uri.chars().all(|c| c.is_ascii_graphic());
        let parsed = printable
            .then(|| crate::net::parse_uri("settingsUri", uri).ok())
            .flatten();
        let ok = parsed.is_some_and(|p| {
            let userinfo = p.authority().is_some_and(|a| a.as_str().contains('@'));
            p.host().is_some()
                && !userinfo
                && (p.scheme_str() == Some("https") || self.is_own_origin(&p))
        });
        if ok {
            Ok(uri)
        } else {
            Err(Error::protocol(format!(
                "the device's settingsUri {:?} is not an https link to a host",
                uri.chars().take(200).collect::<String>()
            )))
        }
    }
}

/// A fresh `requestId` for `devices.create`: a version 4 UUID, as the API
/// requires.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `error` is `devices.create`'s `ALREADY_EXISTS` (409).
fn already_exists(error: &Error) -> bool {
    error.status() == Some(crate::net::StatusCode::CONFLICT)
        || error
            .google_error()
            .is_some_and(|g| g.status == "ALREADY_EXISTS")
}

/// Hosts that serve media items' bytes: `googleusercontent.com` and its
/// subdomains.
fn is_user_content_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "googleusercontent.com" || host.ends_with(".googleusercontent.com")
}

/// The device's suggested poll interval, bounded.
fn poll_interval(device: &AmbientDevice) -> Duration {
    device
        .polling_config
        .as_ref()
        .and_then(|p| p.poll_interval)
        .and_then(|d| d.to_std())
        .unwrap_or(DEFAULT_POLL_INTERVAL)
        .clamp(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL)
}

/// The call whose token and retries a download uses.
fn download_call() -> crate::transport::Call {
    crate::transport::Call::new(
        crate::net::Method::GET,
        "photosambient.mediaItems.download",
        String::new(),
        Vec::new(),
        None,
        &[crate::scopes::PHOTOSAMBIENT_MEDIAITEMS],
        crate::transport::CallOptions::default(),
    )
}

fn expired() -> Error {
    Error::Expired {
        message:
            "the media item's baseUrl was refused (403 Forbidden): base URLs last 60 minutes; \
                  list the device's items again for fresh ones"
                .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{MediaFile, PollingConfig};

    fn item(id: &str, mime: &str) -> AmbientMediaItem {
        AmbientMediaItem {
            id: Some(id.into()),
            media_file: Some(MediaFile {
                base_url: Some("https://lh3.googleusercontent.com/x".into()),
                mime_type: Some(mime.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn options_and_names() {
        let photo = item("p", "image/png");
        assert_eq!(MediaOptions::original(&photo).suffix(), "=d");
        assert_eq!(
            MediaOptions::original(&item("v", "Video/MP4")).suffix(),
            "=dv"
        );
        assert_eq!(
            MediaOptions::sized(640, 480).crop().suffix(),
            "=w640-h480-c"
        );
        assert_eq!(MediaOptions::original(&photo).crop().suffix(), "=d");
        assert_eq!(
            photo.media_url(&MediaOptions::sized(1, 2)).as_deref(),
            Some("https://lh3.googleusercontent.com/x=w1-h2")
        );
        let original = photo
            .local_file_name(&MediaOptions::original(&photo))
            .unwrap();
        assert!(
            original.starts_with("item-") && original.ends_with(".png"),
            "{original}"
        );
        let sized = item("q", "image/heic")
            .local_file_name(&MediaOptions::sized(1, 1))
            .unwrap();
        assert!(sized.ends_with(".jpg"), "{sized}");
        let mut dated = item("d", "image/jpeg");
        dated.create_time = Some("2024-05-01T15:01:23Z".parse().unwrap());
        let name = dated
            .local_file_name(&MediaOptions::original(&dated))
            .unwrap();
        assert!(name.starts_with("2024-05-01_15-01-23-"), "{name}");
        assert_ne!(
            item("a", "image/jpeg").local_file_name(&MediaOptions::sized(1, 1)),
            item("b", "image/jpeg").local_file_name(&MediaOptions::sized(1, 1))
        );
        assert_eq!(
            item("", "image/jpeg").local_file_name(&MediaOptions::sized(1, 1)),
            None
        );
    }

    #[test]
    fn poll_intervals_are_bounded() {
        let device = |interval: &str| AmbientDevice {
            polling_config: Some(PollingConfig {
                poll_interval: Some(interval.parse().unwrap()),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(poll_interval(&device("0s")), MIN_POLL_INTERVAL);
        assert_eq!(poll_interval(&device("99999999999s")), MAX_POLL_INTERVAL);
        assert_eq!(poll_interval(&device("3.5s")), Duration::from_millis(3500));
        assert_eq!(
            poll_interval(&AmbientDevice::default()),
            DEFAULT_POLL_INTERVAL
        );
    }

    #[test]
    fn settings_links_must_be_printable_https_links() {
        let client = |url: &str| Client::builder().base_url(url).no_proxy().build().unwrap();
        let device = |uri: &str| AmbientDevice {
            settings_uri: Some(uri.into()),
            ..Default::default()
        };
        let base = &client("https://photosambient.googleapis.com/");
        let good = device("https://photos.google.com/ambient/settings/abc");
        assert_eq!(
            base.settings_uri(&good).unwrap(),
            "https://photos.google.com/ambient/settings/abc"
        );
        for bad in [
            "",
            "javascript:alert(1)",
            "https://a b",
            "https://a/\u{1b}[2J",
            "http://photos.google.com/x",
            "https://photos.google.com@evil.example/x",
        ] {
            assert!(base.settings_uri(&device(bad)).is_err(), "{bad:?}");
        }
        assert!(base.settings_uri(&AmbientDevice::default()).is_err());
        let local = &client("http://127.0.0.1:8080/");
        assert!(local
            .settings_uri(&device("http://127.0.0.1:8080/s/1"))
            .is_ok());
    }

    #[test]
    fn only_google_content_hosts_get_the_token() {
        assert!(is_user_content_host("lh3.googleusercontent.com"));
        assert!(is_user_content_host("A.GoogleUserContent.com."));
        assert!(!is_user_content_host("googleusercontent.com.evil.example"));
        assert!(!is_user_content_host("evilgoogleusercontent.com"));
    }
}
