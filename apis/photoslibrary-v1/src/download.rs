//! Fetching the bytes of a media item through its `baseUrl`, with the size
//! and download options the URL accepts.
//!
//! ```no_run
//! # async fn run(client: photoslibrary_v1::Client, item: photoslibrary_v1::models::MediaItem) -> Result<(), photoslibrary_v1::Error> {
//! use photoslibrary_v1::download::BaseUrlOptions;
//!
//! let thumbnail = item.media_url(&BaseUrlOptions::new().width(512).height(512).crop());
//! let mut file = Vec::new();
//! client.download_media_item(&item, &BaseUrlOptions::original(&item), &mut file).await?;
//! # let _ = thumbnail; Ok(()) }
//! ```

use std::path::Path;

use futures_util::StreamExt;
use tokio::io::AsyncWrite;

use crate::files::Downloaded;
use crate::models::MediaItem;
use crate::Client;
use crate::{Error, Result};

/// What to ask a `baseUrl` for: `=w{width}-h{height}`, `-c` (crop), `-d`
/// (download the image with its metadata), `dv` (the bytes of a video).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaseUrlOptions {
    width: Option<u32>,
    height: Option<u32>,
    crop: bool,
    download: bool,
    video: bool,
}

impl BaseUrlOptions {
    /// No options: the server's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// The original bytes: `=d` for photos (with metadata), `=dv` for videos.
    pub fn original(item: &MediaItem) -> Self {
        let is_video = item
            .mime_type
            .as_deref()
            .is_some_and(|m| m.starts_with("video/"))
            || item
                .media_metadata
                .as_ref()
                .is_some_and(|m| m.video.is_some());
        if is_video {
            Self::new().video()
        } else {
            Self::new().download()
        }
    }

    /// The maximum width in pixels (`w`).
    pub fn width(mut self, pixels: u32) -> Self {
        self.width = Some(pixels);
        self
    }

    /// The maximum height in pixels (`h`).
    pub fn height(mut self, pixels: u32) -> Self {
        self.height = Some(pixels);
        self
    }

    /// Crops to exactly the width and height (`c`).
    pub fn crop(mut self) -> Self {
        self.crop = true;
        self
    }

    /// The image with its metadata, except location (`d`).
    pub fn download(mut self) -> Self {
        self.download = true;
        self
    }

    /// The bytes of a video (`dv`).
    pub fn video(mut self) -> Self {
        self.video = true;
        self
    }

    /// The suffix to append to a base URL, e.g. `=w512-h512-c`.
    pub fn suffix(&self) -> String {
        let mut parts = Vec::new();
        if let Some(w) = self.width {
            parts.push(format!("w{w}"));
        }
        if let Some(h) = self.height {
            parts.push(format!("h{h}"));
        }
        if self.crop {
            parts.push("c".into());
        }
        if self.video {
            parts.push("dv".into());
        } else if self.download {
            parts.push("d".into());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("={}", parts.join("-"))
        }
    }
}

impl MediaItem {
    /// The item's `baseUrl` with `options`; `None` without a base URL. Base URLs
    /// are valid for 60 minutes after the item was fetched.
    pub fn media_url(&self, options: &BaseUrlOptions) -> Option<String> {
        self.base_url
            .as_ref()
            .map(|base| format!("{base}{}", options.suffix()))
    }
}

/// The URL of `item`'s bytes as `options` ask, checked.
fn media_uri(item: &MediaItem, options: &BaseUrlOptions) -> Result<http::Uri> {
    let url = item.media_url(options).ok_or_else(|| {
        Error::invalid_argument(
            "baseUrl",
            "the media item has no baseUrl; fetch it with get or search",
        )
    })?;
    crate::net::parse_uri("baseUrl", &url)
}

impl MediaItem {
    /// The name this item's file gets in a folder: its `filename` made safe,
    /// with a hash of its id (see [`crate::files::unique_file_name`]). `None`
    /// without an id.
    pub fn local_file_name(&self) -> Option<String> {
        let id = self.id.as_deref().filter(|id| !id.is_empty())?;
        let name = self
            .filename
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or("item");
        Some(crate::files::unique_file_name(name, id))
    }
}

/// Why the items left were not tried: the error's text, and whether it was
/// an exhausted quota (the items are then left for a later run).
type Stop = (String, bool);

/// The error of an item not tried because an earlier call failed.
fn not_tried((reason, quota): &Stop) -> Error {
    let message = format!("not downloaded: an earlier call failed: {reason}");
    if *quota {
        Error::QuotaExhausted {
            message,
            last: None,
        }
    } else {
        Error::invalid_argument("mediaItemIds", message)
    }
}

fn stop(error: &Error) -> Stop {
    (error.to_string(), error.is_quota_exhausted())
}

/// The error for a base URL the server refused.
fn expired() -> Error {
    Error::Expired {
        message: "the media item's baseUrl was refused (403 Forbidden): base URLs expire 60 minutes after \
                  the item is fetched; get or search the item again for a fresh one"
            .into(),
    }
}

/// The daily quota of requests to base URLs (media-byte requests), apart
/// from the quota of API calls.
pub const MEDIA_REQUESTS_PER_DAY: u64 = 75_000;

/// A `Retry-After` at most this long on a base URL's `429` is a moment's
/// rate limit, retried; none, or a longer one, is the day's quota.
const SHORT_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether a base URL's answer says the media-byte quota ran out: a `429`
/// from a base URL is the day's quota (retrying only spends what is left),
/// unless it asks for a short wait.
fn is_media_quota(error: &Error) -> bool {
    error.status() == Some(crate::net::StatusCode::TOO_MANY_REQUESTS)
        && discovery_runtime::retry::server_delay(error).is_none_or(|wait| wait > SHORT_RETRY_AFTER)
}

/// A base URL's `429` as the exhausted quota it is (one that asked for a
/// short wait stays a rate limit, retryable later, when the retries are
/// spent).
fn media_quota(error: Error) -> Error {
    if !is_media_quota(&error) || error.is_quota_exhausted() {
        return error;
    }
    Error::QuotaExhausted {
        message: format!(
            "the daily quota of media-byte requests (downloads through base URLs, \
             {MEDIA_REQUESTS_PER_DAY} a day) is used up; it resets at midnight Pacific time"
        ),
        last: Some(Box::new(error)),
    }
}

/// How many items [`Client::download_media_items_to`] asks fresh base URLs
/// for at once (`mediaItems.batchGet` takes at most 50).
const FRESH_URLS_PER_BATCH: usize = 50;

impl Client {
    /// The requests this client (and its clones) made to base URLs, every
    /// attempt counted: each counts against the daily quota of
    /// [`MEDIA_REQUESTS_PER_DAY`] media-byte requests.
    pub fn media_requests(&self) -> u64 {
        self.unauthenticated_requests()
    }

    /// Downloads the originals of many media items into `dir` (see
    /// [`download_media_item_to`](Self::download_media_item_to)), `jobs` at a
    /// time, so that no download dies of an old base URL: base URLs live about
    /// an hour, so they are fetched with `mediaItems.batchGet`, 50 items at a
    /// time, just before those items are downloaded, and an item whose URL is
    /// refused anyway (403) is fetched again once and retried. Each id is
    /// downloaded once, matched to the server's answer by id (never by
    /// position). A failed `batchGet` stops the run: its error is the first
    /// result, the ids not tried fail with a note. `done` is called as each
    /// item finishes; the results are in the order of `ids`.
    ///
    /// An exhausted quota (of API calls for `batchGet`, of media-byte
    /// requests for the downloads) stops the run: the items not finished
    /// fail with [`Error::QuotaExhausted`] (or the quota's own error), their
    /// partial files kept for a later run to resume. How many base-URL
    /// requests were made: [`Client::media_requests`].
    pub async fn download_media_items_to(
        &self,
        ids: &[String],
        dir: impl AsRef<Path>,
        jobs: usize,
        done: &(dyn Fn(&str, &Result<Downloaded>) + Sync),
    ) -> Vec<(String, Result<Downloaded>)> {
        let dir = dir.as_ref();
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<&String> = ids.iter().filter(|id| seen.insert(id.as_str())).collect();
        let mut out = Vec::with_capacity(ids.len());
        let mut failed: Option<Stop> = None;
        // Set by the first download that finds the media-byte quota used
        // up: no download starts after it.
        let quota: std::sync::Mutex<Option<Stop>> = Default::default();
        for chunk in ids.chunks(FRESH_URLS_PER_BATCH) {
            if failed.is_none() {
                failed = quota.lock().ok().and_then(|q| q.clone());
            }
            if let Some(reason) = &failed {
                for id in chunk {
                    let result = Err(not_tried(reason));
                    done(id, &result);
                    out.push(((*id).clone(), result));
                }
                continue;
            }
            let response = self
                .media_items()
                .batch_get()
                .media_item_ids(chunk.iter().map(|id| (*id).clone()))
                .send()
                .await;
            let mut fetched: std::collections::HashMap<String, MediaItem> = match response {
                Ok(response) => response
                    .media_item_results
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|r| r.media_item)
                    .filter_map(|item| item.id.clone().map(|id| (id, item)))
                    .collect(),
                Err(error) => {
                    let reason = stop(&error);
                    let mut first = Some(error);
                    for id in chunk {
                        let result = Err(first.take().unwrap_or_else(|| not_tried(&reason)));
                        done(id, &result);
                        out.push(((*id).clone(), result));
                    }
                    failed = Some(reason);
                    continue;
                }
            };
            let quota = &quota;
            let work = chunk.iter().map(|id| {
                let item = fetched.remove(id.as_str());
                async move {
                    let stopped = quota.lock().ok().and_then(|q| q.clone());
                    let result = match (item, stopped) {
                        (_, Some(reason)) => Err(not_tried(&reason)),
                        (Some(item), None) => self.download_fresh(item, dir).await,
                        (None, None) => Err(Error::invalid_argument(
                            "mediaItemIds",
                            format!("the server did not return {id}"),
                        )),
                    };
                    if let Err(e) = &result {
                        if e.is_quota_exhausted() {
                            if let Ok(mut q) = quota.lock() {
                                q.get_or_insert_with(|| stop(e));
                            }
                        }
                    }
                    done(id, &result);
                    ((*id).clone(), result)
                }
            });
            let mut finished: Vec<(usize, (String, Result<Downloaded>))> =
                futures_util::stream::iter(
                    work.enumerate().map(|(i, f)| async move { (i, f.await) }),
                )
                .buffer_unordered(jobs.max(1))
                .collect()
                .await;
            finished.sort_by_key(|(i, _)| *i);
            out.extend(finished.into_iter().map(|(_, r)| r));
        }
        out
    }

    /// Downloads `item`'s original; when its base URL is refused, gets the
    /// item again for a fresh one and tries once more.
    async fn download_fresh(&self, item: MediaItem, dir: &Path) -> Result<Downloaded> {
        match self
            .download_media_item_to(&item, &BaseUrlOptions::original(&item), dir)
            .await
        {
            Err(Error::Expired { .. }) => {
                let id = item.id.clone().unwrap_or_default();
                let fresh = self.media_items().get(id).send().await?;
                self.download_media_item_to(&fresh, &BaseUrlOptions::original(&fresh), dir)
                    .await
            }
            other => other,
        }
    }

    /// Downloads `item` (as `options` ask) into `dir`, under
    /// [`MediaItem::local_file_name`]: through a `.part` file that a rerun
    /// resumes with a `Range` request, checked against the announced length,
    /// synced, then renamed. A file already there is not fetched again. A 403
    /// from an old base URL is reported as [`Error::Expired`].
    pub async fn download_media_item_to(
        &self,
        item: &MediaItem,
        options: &BaseUrlOptions,
        dir: impl AsRef<Path>,
    ) -> Result<Downloaded> {
        let name = item.local_file_name().ok_or_else(|| {
            Error::invalid_argument("id", "the media item has no id to name its file after")
        })?;
        let path = crate::files::path_in(dir.as_ref(), &name)?;
        let uri = media_uri(item, options)?;
        // Base URLs are pre-authorized: no token is sent with them.
        match self
            .download_to_file_unless(&uri, None, &path, &is_media_quota)
            .await
        {
            Err(e) if e.status() == Some(crate::net::StatusCode::FORBIDDEN) => Err(expired()),
            Err(e) => Err(media_quota(e)),
            ok => ok,
        }
    }

    /// Streams the bytes of `item` (as `options` ask) into `writer`; returns the
    /// number of bytes written. A 403 from an old base URL is reported as
    /// [`Error::Expired`]: get the item again for a fresh URL.
    pub async fn download_media_item<W>(
        &self,
        item: &MediaItem,
        options: &BaseUrlOptions,
        writer: &mut W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let uri = media_uri(item, options)?;
        // Base URLs are pre-authorized: no token is sent with them.
        let response = self
            .unauthenticated_request(crate::net::Method::GET, uri)
            .send()
            .await?;
        if response.status() == crate::net::StatusCode::FORBIDDEN {
            return Err(expired());
        }
        crate::transport::check_status(response)
            .await
            .map_err(media_quota)?
            .copy_to(writer)
            .await
    }
}
