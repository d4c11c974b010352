//! Code that uses a client, tested without a server: `Client::from_stub`
//! with a stub that implements a few methods; and one token source shared by
//! the clients of two APIs, which return the same error type.
// Deprecated Photos items are used on purpose: stubs of withdrawn methods still work.
#![allow(deprecated)]

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use photoslibrary_v1::api::albums::Get;
use photoslibrary_v1::api::media_items::Search;
use photoslibrary_v1::models::{
    Album, MediaItem, SearchMediaItemsRequest, SearchMediaItemsResponse,
};
use photoslibrary_v1::stub::Photoslibrary;
use photoslibrary_v1::{BoxFuture, Client, Error, Result};

mod support;
use support::bounded;

/// Answers `albums.get` for one album, fails another, and serves three pages
/// of search results keyed by the body's page token.
#[derive(Default)]
struct Library {
    searched_tokens: Mutex<Vec<Option<String>>>,
}

impl Photoslibrary for Library {
    fn albums_get(&self, request: Get) -> BoxFuture<Result<Album>> {
        let id = request.get_album_id().clone();
        Box::pin(async move {
            match id.as_str() {
                "A1" => Ok(Album {
                    id: Some(id),
                    title: Some("Lisbon".into()),
                    ..Default::default()
                }),
                _ => Err(Error::InvalidArgument {
                    name: "albumId".into(),
                    message: format!("{id} is not an album of the test"),
                }),
            }
        })
    }

    fn media_items_search(&self, request: Search) -> BoxFuture<Result<SearchMediaItemsResponse>> {
        let token = request.get_request().page_token.clone();
        self.searched_tokens.lock().unwrap().push(token.clone());
        let (items, next) = match token.as_deref() {
            None => (vec!["m1", "m2"], Some("p2")),
            Some("p2") => (vec!["m3"], Some("p3")),
            Some("p3") => (vec!["m4", "m5"], None),
            Some(other) => panic!("unexpected page token {other}"),
        };
        Box::pin(async move {
            Ok(SearchMediaItemsResponse {
                media_items: Some(
                    items
                        .into_iter()
                        .map(|id| MediaItem {
                            id: Some(id.into()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                next_page_token: next.map(str::to_owned),
                ..Default::default()
            })
        })
    }
}

#[tokio::test]
async fn a_stubbed_get_answers_without_a_server() {
    bounded(async {
        let client = Client::from_stub(Library::default());
        let album = client.albums().get("A1").send().await.unwrap();
        assert_eq!(album.title.as_deref(), Some("Lisbon"));
    })
    .await
}

#[tokio::test]
async fn a_stub_can_fail_a_call() {
    bounded(async {
        let client = Client::from_stub(Library::default());
        let err = client.albums().get("NOPE").send().await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "albumId"),
            "{err:?}"
        );
    })
    .await
}

#[tokio::test]
async fn items_page_through_a_stub_like_through_the_server() {
    bounded(async {
        let stub = Arc::new(Library::default());
        struct Shared(Arc<Library>);
        impl Photoslibrary for Shared {
            fn media_items_search(
                &self,
                request: Search,
            ) -> BoxFuture<Result<SearchMediaItemsResponse>> {
                self.0.media_items_search(request)
            }
        }
        let client = Client::from_stub(Shared(stub.clone()));
        let ids: Vec<String> = client
            .media_items()
            .search(SearchMediaItemsRequest {
                album_id: Some("A1".into()),
                ..Default::default()
            })
            .items()
            .map_ok(|item| item.id.unwrap_or_default())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, ["m1", "m2", "m3", "m4", "m5"]);
        assert_eq!(
            *stub.searched_tokens.lock().unwrap(),
            [None, Some("p2".to_string()), Some("p3".to_string())]
        );
    })
    .await
}

#[tokio::test]
async fn methods_the_stub_does_not_implement_say_so() {
    bounded(async {
        let client = Client::from_stub(Library::default());
        let err = client.shared_albums().list().send().await.unwrap_err();
        assert!(
            matches!(&err, Error::Unimplemented { method } if method == "photoslibrary.sharedAlbums.list"),
            "{err:?}"
        );
        assert!(!err.is_retryable());
    })
    .await
}

#[tokio::test]
async fn a_stubbed_client_never_reaches_a_network() {
    bounded(async {
        let client = Client::from_stub(Library::default());
        // Overlay helpers call the runtime directly, not through a builder.
        let upload = client
            .uploads()
            .bytes(vec![1u8; 10], "image/jpeg", "a.jpg")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(upload, Error::Unimplemented { .. }), "{upload:?}");
        let item = MediaItem {
            id: Some("M1".into()),
            base_url: Some("https://lh3.example/x".into()),
            ..Default::default()
        };
        let dir = std::env::temp_dir().join(format!("stub-offline-{}", std::process::id()));
        let download = client
            .download_media_item_to(&item, &Default::default(), &dir)
            .await
            .unwrap_err();
        assert!(
            matches!(download, Error::Unimplemented { .. }),
            "{download:?}"
        );
        assert!(!dir.exists(), "nothing written");
    })
    .await
}

#[test]
fn one_token_source_serves_clients_of_two_apis_with_one_error_type() {
    let tokens: Arc<dyn photoslibrary_v1::TokenSource> =
        Arc::new(photoslibrary_v1::StaticToken::new("ya29.shared"));
    let photos = photoslibrary_v1::Client::builder()
        .shared_token_source(tokens.clone())
        .build()
        .unwrap();
    // The same trait: drive_v3 accepts the very same Arc.
    let drive = drive_v3::Client::builder()
        .token_source(tokens.clone())
        .build()
        .unwrap();
    assert_eq!(Arc::strong_count(&tokens), 3);
    // The same error type: one handler for both.
    fn handle(result: std::result::Result<(), photoslibrary_v1::Error>) -> bool {
        result.is_err()
    }
    let drive_error: std::result::Result<(), drive_v3::Error> =
        Err(drive_v3::Error::unimplemented("drive.files.get"));
    assert!(handle(drive_error));
    let _ = (photos, drive);
}
