//! Batch calls for any number of items, split into requests of at most
//! [`BATCH_LIMIT`] (the API's documented maximum).
//!
//! ```no_run
//! # async fn run(client: photoslibrary_v1::Client, tokens: Vec<String>) -> Result<(), photoslibrary_v1::Error> {
//! use photoslibrary_v1::batch::AlbumTarget;
//! use photoslibrary_v1::models::NewMediaItem;
//!
//! let items = tokens.into_iter().map(|t| NewMediaItem::from_upload_token(t, "IMG.jpg"));
//! let results = client
//!     .media_items()
//!     .batch_create_all(items, Some(AlbumTarget::new("ALBUM_ID")))
//!     .await?;
//! for r in &results {
//!     if let Some(status) = r.status.as_ref().filter(|s| s.code.unwrap_or(0) != 0) {
//!         eprintln!("{:?} failed: {:?}", r.upload_token, status.message);
//!     }
//! }
//! # Ok(()) }
//! ```

use std::collections::HashMap;

use crate::api::albums::Albums;
use crate::api::media_items::MediaItems;
use crate::models::{
    AlbumPosition, AlbumPositionPosition, BatchAddMediaItemsToAlbumRequest,
    BatchCreateMediaItemsRequest, BatchRemoveMediaItemsFromAlbumRequest, MediaItemResult,
    NewMediaItem, NewMediaItemResult, SimpleMediaItem, Status,
};
use crate::{Error, Result};

/// The most items one batch request may carry.
pub const BATCH_LIMIT: usize = 50;

/// Where created media items go.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlbumTarget {
    /// The album to add the items to.
    pub album_id: String,
    /// Where in the album; the end when `None`.
    pub position: Option<AlbumPosition>,
}

impl AlbumTarget {
    /// The end of `album_id`.
    pub fn new(album_id: impl Into<String>) -> Self {
        AlbumTarget {
            album_id: album_id.into(),
            position: None,
        }
    }

    /// At `position` in the album.
    pub fn at(mut self, position: AlbumPosition) -> Self {
        self.position = Some(position);
        self
    }
}

impl NewMediaItem {
    /// A new media item from an upload token and the file name to show.
    pub fn from_upload_token(
        upload_token: impl Into<String>,
        file_name: impl Into<String>,
    ) -> Self {
        let file_name = file_name.into();
        NewMediaItem {
            simple_media_item: Some(SimpleMediaItem {
                upload_token: Some(upload_token.into()),
                file_name: (!file_name.is_empty()).then_some(file_name),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// With a description (shown in the item's info; at most 1,000 characters).
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A per-item status for every item of a batch that failed as a whole.
fn failed_status(error: &Error) -> Status {
    let code = error
        .google_error()
        .map(|g| g.code)
        .filter(|c| *c != 0)
        .or_else(|| error.status().map(|s| i32::from(s.as_u16())));
    Status {
        code: Some(code.unwrap_or(2)),
        message: Some(error.to_string()),
        ..Default::default()
    }
}

/// The upload token a new item names.
fn upload_token(item: &NewMediaItem) -> Option<String> {
    item.simple_media_item
        .as_ref()
        .and_then(|s| s.upload_token.clone())
}

impl MediaItems {
    /// Creates media items from any number of uploads, in requests of at most
    /// 50, optionally into an album. Returns one result per item, in input
    /// order: a failed request yields a failed status for each of its items
    /// instead of stopping, so no failure is lost. Items keep their input order
    /// in the album: later requests are placed after the last item created.
    /// The requests are sent one after another, never at once.
    pub async fn batch_create_all(
        &self,
        items: impl IntoIterator<Item = NewMediaItem>,
        album: Option<AlbumTarget>,
    ) -> Result<Vec<NewMediaItemResult>> {
        let items: Vec<NewMediaItem> = items.into_iter().collect();
        let mut results = Vec::with_capacity(items.len());
        let mut target = album;
        for chunk in items.chunks(BATCH_LIMIT) {
            match self.batch_create_request(chunk, target.as_ref()).await {
                Ok(created) => {
                    // Keep input order for positioned inserts: continue after the last
                    // item this request created.
                    let last_created = created
                        .iter()
                        .rev()
                        .find_map(|r| r.media_item.as_ref()?.id.clone());
                    results.extend(created);
                    if let (Some(id), Some(t)) = (last_created, target.as_mut()) {
                        if let Some(p) = &t.position {
                            if p.position != Some(AlbumPositionPosition::LastInAlbum) {
                                t.position = Some(AlbumPosition {
                                    position: Some(AlbumPositionPosition::AfterMediaItem),
                                    relative_media_item_id: Some(id),
                                    ..Default::default()
                                });
                            }
                        }
                    }
                }
                Err(error) => {
                    let status = failed_status(&error);
                    results.extend(chunk.iter().map(|item| NewMediaItemResult {
                        upload_token: upload_token(item),
                        status: Some(status.clone()),
                        ..Default::default()
                    }));
                }
            }
        }
        Ok(results)
    }

    /// One batchCreate request for at most [`BATCH_LIMIT`] items (the server
    /// refuses more). Returns one result per item, in input order; a failed
    /// request is the error, so a caller can tell, say, an exhausted daily
    /// quota ([`Error::is_quota_exhausted`]) from a refused item.
    pub async fn batch_create_request(
        &self,
        items: &[NewMediaItem],
        album: Option<&AlbumTarget>,
    ) -> Result<Vec<NewMediaItemResult>> {
        let request = BatchCreateMediaItemsRequest {
            album_id: album.map(|a| a.album_id.clone()),
            new_media_items: Some(items.to_vec()),
            album_position: album.and_then(|a| a.position.clone()),
            ..Default::default()
        };
        let response = self.batch_create(request).send().await?;
        let results = response.new_media_item_results.unwrap_or_default();
        // Results are matched by upload token; only when none carries one and
        // there is exactly one per item are they taken in order (anything
        // else could credit one file's success to another).
        let positional =
            results.len() == items.len() && results.iter().all(|r| r.upload_token.is_none());
        let mut by_token: HashMap<String, NewMediaItemResult> = HashMap::new();
        let mut untokened = Vec::new();
        for r in results {
            match r.upload_token.clone() {
                Some(t) => {
                    by_token.insert(t, r);
                }
                None if positional => untokened.push(r),
                None => {}
            }
        }
        let mut untokened = untokened.into_iter();
        Ok(items
            .iter()
            .map(|item| {
                let token = upload_token(item);
                let result = token
                    .as_ref()
                    .and_then(|t| by_token.remove(t))
                    .or_else(|| untokened.next());
                result.unwrap_or_else(|| NewMediaItemResult {
                    upload_token: token,
                    status: Some(Status {
                        code: Some(2),
                        message: Some("the server returned no result for this item".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
            })
            .collect())
    }

    /// Gets any number of media items, in requests of at most 50. Results are
    /// in input order; a failed request yields a failed status for each of its
    /// items.
    pub async fn batch_get_all<I, S>(&self, ids: I) -> Result<Vec<MediaItemResult>>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids: Vec<String> = ids.into_iter().map(Into::into).collect();
        let mut results = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_LIMIT) {
            match self
                .batch_get()
                .media_item_ids(chunk.iter().cloned())
                .send()
                .await
            {
                Ok(response) => {
                    let got = response.media_item_results.unwrap_or_default();
                    results.extend(in_request_order(chunk, got));
                }
                Err(error) => {
                    let status = failed_status(&error);
                    results.extend(chunk.iter().map(|_| MediaItemResult {
                        status: Some(status.clone()),
                        ..Default::default()
                    }));
                }
            }
        }
        Ok(results)
    }
}

/// `got`, the results of a `batchGet` of `ids`, in the order of `ids`. The
/// API answers in request order; an answer with another number of results,
/// or out of order, is matched by the items' ids instead (a result without
/// an item cannot be placed then), so that no item is given another's
/// result.
fn in_request_order(ids: &[String], got: Vec<MediaItemResult>) -> Vec<MediaItemResult> {
    let missing = || MediaItemResult {
        status: Some(Status {
            code: Some(2),
            message: Some("the server returned no result for this item".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let in_place = got.len() == ids.len()
        && got.iter().zip(ids).all(|(result, id)| {
            result
                .media_item
                .as_ref()
                .and_then(|m| m.id.as_deref())
                .is_none_or(|got| got == id)
        });
    if in_place {
        return got;
    }
    let mut by_id: HashMap<String, MediaItemResult> = got
        .into_iter()
        .filter_map(|r| Some((r.media_item.as_ref()?.id.clone()?, r)))
        .collect();
    ids.iter()
        .map(|id| by_id.remove(id).unwrap_or_else(missing))
        .collect()
}

impl Albums {
    /// Adds any number of media items to an album, in requests of at most 50,
    /// in order. Stops at the first failed request; the items of the requests
    /// before it (50 each) stay added.
    pub async fn batch_add_media_items_all<I, S>(
        &self,
        album_id: impl Into<String>,
        media_item_ids: I,
    ) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let album_id = album_id.into();
        let ids: Vec<String> = media_item_ids.into_iter().map(Into::into).collect();
        for chunk in ids.chunks(BATCH_LIMIT) {
            let request = BatchAddMediaItemsToAlbumRequest {
                media_item_ids: Some(chunk.to_vec()),
                ..Default::default()
            };
            self.batch_add_media_items(album_id.clone(), request)
                .send()
                .await?;
        }
        Ok(())
    }

    /// Removes any number of media items from an album, in requests of at most
    /// 50, in order. Stops at the first failed request; the items of the
    /// requests before it (50 each) stay removed.
    pub async fn batch_remove_media_items_all<I, S>(
        &self,
        album_id: impl Into<String>,
        media_item_ids: I,
    ) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let album_id = album_id.into();
        let ids: Vec<String> = media_item_ids.into_iter().map(Into::into).collect();
        for chunk in ids.chunks(BATCH_LIMIT) {
            let request = BatchRemoveMediaItemsFromAlbumRequest {
                media_item_ids: Some(chunk.to_vec()),
                ..Default::default()
            };
            self.batch_remove_media_items(album_id.clone(), request)
                .send()
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::MediaItem;

    fn found(id: &str) -> MediaItemResult {
        MediaItemResult {
            media_item: Some(MediaItem {
                id: Some(id.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn failed() -> MediaItemResult {
        MediaItemResult {
            status: Some(Status {
                code: Some(5),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn placed(results: &[MediaItemResult]) -> Vec<Option<String>> {
        results
            .iter()
            .map(|r| r.media_item.as_ref().and_then(|m| m.id.clone()))
            .collect()
    }

    #[test]
    fn results_go_to_their_own_item_even_when_one_is_dropped_or_reordered() {
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        // In order, with a failure in place: as answered.
        let answer = vec![found("a"), failed(), found("c")];
        let got = in_request_order(&ids, answer);
        assert_eq!(placed(&got), [Some("a".into()), None, Some("c".into())]);
        assert_eq!(got[1].status.as_ref().unwrap().code, Some(5));
        // One dropped: the rest by id, the gap a missing result.
        let got = in_request_order(&ids, vec![found("a"), found("c")]);
        assert_eq!(placed(&got), [Some("a".into()), None, Some("c".into())]);
        assert_eq!(got[1].status.as_ref().unwrap().code, Some(2));
        // Reordered: by id.
        let got = in_request_order(&ids, vec![found("c"), found("a"), found("b")]);
        assert_eq!(
            placed(&got),
            [Some("a".into()), Some("b".into()), Some("c".into())]
        );
    }
}
