//! Every Photos Library method against a local mock server: the request (HTTP
//! method, path, exact query string, `Authorization`, JSON body) is what the
//! discovery document prescribes, and a realistic response decodes into the
//! typed model.
// Deprecated Photos items are used on purpose: the withdrawn methods keep their wire format.
#![allow(deprecated)]

use photoslibrary_v1::models::*;
use photoslibrary_v1::{Client, Error, FieldMask};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

mod support;
use support::*;

// ------------------------------------------------------------------ albums

#[tokio::test]
async fn albums_add_enrichment() {
    bounded(async move {
        let (server, client) = serve(200, json!({"enrichmentItem": {"id": "ENR_1"}})).await;
        let request = AddEnrichmentToAlbumRequest {
            new_enrichment_item: Some(NewEnrichmentItem {
                text_enrichment: Some(TextEnrichment {
                    text: Some("Day one".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            album_position: Some(AlbumPosition {
                position: Some(AlbumPositionPosition::FirstInAlbum),
                ..Default::default()
            }),
            ..Default::default()
        };
        let response = client
            .albums()
            .add_enrichment("ALBUM_1", request)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.enrichment_item.unwrap().id.as_deref(),
            Some("ENR_1")
        );
        assert_request(
            &server,
            "POST",
            "/v1/albums/ALBUM_1:addEnrichment",
            "prettyPrint=false",
            Some(json!({"newEnrichmentItem": {"textEnrichment": {"text": "Day one"}}, "albumPosition": {"position": "FIRST_IN_ALBUM"}})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_batch_add_media_items() {
    bounded(async move {
        let (server, client) = serve(200, json!({})).await;
        let request = BatchAddMediaItemsToAlbumRequest {
            media_item_ids: Some(vec!["M1".into(), "M2".into()]),
            ..Default::default()
        };
        let response = client
            .albums()
            .batch_add_media_items("ALBUM_1", request)
            .send()
            .await
            .unwrap();
        assert_eq!(response, BatchAddMediaItemsToAlbumResponse::default());
        assert_request(
            &server,
            "POST",
            "/v1/albums/ALBUM_1:batchAddMediaItems",
            "prettyPrint=false",
            Some(json!({"mediaItemIds": ["M1", "M2"]})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_batch_remove_media_items() {
    bounded(async move {
        let (server, client) = serve(200, json!({})).await;
        let request = BatchRemoveMediaItemsFromAlbumRequest {
            media_item_ids: Some(vec!["M3".into()]),
            ..Default::default()
        };
        client
            .albums()
            .batch_remove_media_items("ALBUM_1", request)
            .send()
            .await
            .unwrap();
        assert_request(
            &server,
            "POST",
            "/v1/albums/ALBUM_1:batchRemoveMediaItems",
            "prettyPrint=false",
            Some(json!({"mediaItemIds": ["M3"]})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_create() {
    bounded(async move {
        let (server, client) = serve(200, album_json("ALBUM_NEW")).await;
        let request = CreateAlbumRequest {
            album: Some(Album {
                title: Some("Trip to Lisbon".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let album = client.albums().create(request).send().await.unwrap();
        assert_eq!(album.id.as_deref(), Some("ALBUM_NEW"));
        assert_eq!(album.media_items_count, Some(42));
        assert_eq!(album.is_writeable, Some(true));
        assert_request(
            &server,
            "POST",
            "/v1/albums",
            "prettyPrint=false",
            Some(json!({"album": {"title": "Trip to Lisbon"}})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_get() {
    bounded(async move {
        let (server, client) = serve(200, album_json("ALBUM_1")).await;
        let album = client.albums().get("ALBUM_1").send().await.unwrap();
        assert_eq!(album.title.as_deref(), Some("Trip to Lisbon"));
        assert_eq!(
            album.cover_photo_media_item_id.as_deref(),
            Some("AKFi6m0cover")
        );
        assert_eq!(album.media_items_count, Some(42));
        assert_request(
            &server,
            "GET",
            "/v1/albums/ALBUM_1",
            "prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_list() {
    bounded(async move {
        let body =
            json!({"albums": [album_json("A1"), album_json("A2")], "nextPageToken": "CkMKQXR5cGUu"});
        let (server, client) = serve(200, body).await;
        let page = client
            .albums()
            .list()
            .page_size(50)
            .page_token("CkMKQXR5cGUu0")
            .exclude_non_app_created_data(true)
            .send()
            .await
            .unwrap();
        let ids: Vec<_> = page
            .albums
            .unwrap()
            .into_iter()
            .map(|a| a.id.unwrap())
            .collect();
        assert_eq!(ids, ["A1", "A2"]);
        assert_eq!(page.next_page_token.as_deref(), Some("CkMKQXR5cGUu"));
        assert_request(
            &server,
            "GET",
            "/v1/albums",
            "excludeNonAppCreatedData=true&pageSize=50&pageToken=CkMKQXR5cGUu0&prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_patch() {
    bounded(async move {
        let (server, client) = serve(200, album_json("ALBUM_1")).await;
        let album = Album {
            id: Some("ALBUM_1".into()),
            title: Some("Renamed".into()),
            ..Default::default()
        };
        let updated = client
            .albums()
            .patch("ALBUM_1", album)
            .update_mask(FieldMask::new(["title"]))
            .send()
            .await
            .unwrap();
        assert_eq!(updated.id.as_deref(), Some("ALBUM_1"));
        assert_request(
            &server,
            "PATCH",
            "/v1/albums/ALBUM_1",
            "updateMask=title&prettyPrint=false",
            Some(json!({"id": "ALBUM_1", "title": "Renamed"})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_patch_requires_update_mask() {
    bounded(async move {
        let (server, client) = serve(200, album_json("ALBUM_1")).await;
        let err = client
            .albums()
            .patch("ALBUM_1", Album::default())
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "updateMask"),
            "{err:?}"
        );
        assert!(server.received_requests().await.unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn albums_share() {
    bounded(async move {
        let (server, client) = serve(200, json!({"shareInfo": share_info_json()})).await;
        let request = ShareAlbumRequest {
            shared_album_options: Some(SharedAlbumOptions {
                is_collaborative: Some(true),
                is_commentable: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        };
        let response = client
            .albums()
            .share("ALBUM_1", request)
            .send()
            .await
            .unwrap();
        let info = response.share_info.unwrap();
        assert_eq!(info.share_token.as_deref(), Some("AOVP1kR_share"));
        assert_eq!(
            info.shared_album_options.unwrap().is_collaborative,
            Some(true)
        );
        assert_request(
            &server,
            "POST",
            "/v1/albums/ALBUM_1:share",
            "prettyPrint=false",
            Some(json!({"sharedAlbumOptions": {"isCollaborative": true, "isCommentable": false}})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn albums_unshare() {
    bounded(async move {
        let (server, client) = serve(200, json!({})).await;
        client
            .albums()
            .unshare("ALBUM_1", UnshareAlbumRequest::default())
            .send()
            .await
            .unwrap();
        assert_request(
            &server,
            "POST",
            "/v1/albums/ALBUM_1:unshare",
            "prettyPrint=false",
            Some(json!({})),
        )
        .await;
    })
    .await
}

// ------------------------------------------------------------------ mediaItems

#[tokio::test]
async fn media_items_batch_create() {
    bounded(async move {
        let body = json!({"newMediaItemResults": [
            {"uploadToken": "UT1", "status": {"message": "Success"}, "mediaItem": media_item_json("M1")},
            {"uploadToken": "UT2", "status": {"code": 3, "message": "Invalid upload token"}}
        ]});
        let (server, client) = serve(200, body).await;
        let request = BatchCreateMediaItemsRequest {
            album_id: Some("ALBUM_1".into()),
            new_media_items: Some(vec![
                NewMediaItem {
                    description: Some("First".into()),
                    simple_media_item: Some(SimpleMediaItem {
                        upload_token: Some("UT1".into()),
                        file_name: Some("a.jpg".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                NewMediaItem {
                    description: None,
                    simple_media_item: Some(SimpleMediaItem {
                        upload_token: Some("UT2".into()),
                        file_name: None,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ]),
            album_position: None,
            ..Default::default()
        };
        let response = client
            .media_items()
            .batch_create(request)
            .send()
            .await
            .unwrap();
        let results = response.new_media_item_results.unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(
            results[0].media_item.as_ref().unwrap().filename.as_deref(),
            Some("IMG_0001.jpg")
        );
        assert_eq!(results[1].status.as_ref().unwrap().code, Some(3));
        assert_request(
            &server,
            "POST",
            "/v1/mediaItems:batchCreate",
            "prettyPrint=false",
            Some(json!({"albumId": "ALBUM_1", "newMediaItems": [
                {"description": "First", "simpleMediaItem": {"uploadToken": "UT1", "fileName": "a.jpg"}},
                {"simpleMediaItem": {"uploadToken": "UT2"}}
            ]})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn media_items_batch_get() {
    bounded(async move {
        let body = json!({"mediaItemResults": [
            {"mediaItem": media_item_json("M1")},
            {"status": {"code": 5, "message": "Not found"}}
        ]});
        let (server, client) = serve(200, body).await;
        let response = client
            .media_items()
            .batch_get()
            .media_item_ids(["M1", "M 2"])
            .send()
            .await
            .unwrap();
        let results = response.media_item_results.unwrap();
        assert_eq!(
            results[0].media_item.as_ref().unwrap().id.as_deref(),
            Some("M1")
        );
        assert_eq!(
            results[1].status.as_ref().unwrap().message.as_deref(),
            Some("Not found")
        );
        assert_request(
            &server,
            "GET",
            "/v1/mediaItems:batchGet",
            "mediaItemIds=M1&mediaItemIds=M+2&prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn media_items_batch_get_requires_ids() {
    bounded(async move {
        let (server, client) = serve(200, json!({})).await;
        let err = client.media_items().batch_get().send().await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "mediaItemIds"),
            "{err:?}"
        );
        assert!(err.to_string().contains("mediaItemIds"));
        assert!(server.received_requests().await.unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn media_items_get() {
    bounded(async move {
        let (server, client) = serve(200, media_item_json("M1")).await;
        let item = client.media_items().get("M1").send().await.unwrap();
        let metadata = item.media_metadata.unwrap();
        assert_eq!(metadata.width, Some(4032));
        assert_eq!(metadata.height, Some(3024));
        let photo = metadata.photo.unwrap();
        assert_eq!(photo.camera_model.as_deref(), Some("Pixel 8"));
        assert_eq!(photo.iso_equivalent, Some(50));
        assert_eq!(
            item.contributor_info.unwrap().display_name.as_deref(),
            Some("Ana")
        );
        assert_request(
            &server,
            "GET",
            "/v1/mediaItems/M1",
            "prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn media_items_list() {
    bounded(async move {
        let body = json!({"mediaItems": [media_item_json("M1")], "nextPageToken": "NEXT"});
        let (server, client) = serve(200, body).await;
        let page = client
            .media_items()
            .list()
            .page_size(100)
            .send()
            .await
            .unwrap();
        assert_eq!(page.media_items.unwrap().len(), 1);
        assert_eq!(page.next_page_token.as_deref(), Some("NEXT"));
        assert_request(
            &server,
            "GET",
            "/v1/mediaItems",
            "pageSize=100&prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn media_items_patch() {
    bounded(async move {
        let (server, client) = serve(200, media_item_json("M1")).await;
        let item = MediaItem {
            id: Some("M1".into()),
            description: Some("New caption".into()),
            ..Default::default()
        };
        let updated = client
            .media_items()
            .patch("M1", item)
            .update_mask(FieldMask::new(["description"]))
            .send()
            .await
            .unwrap();
        assert_eq!(updated.mime_type.as_deref(), Some("image/jpeg"));
        assert_request(
            &server,
            "PATCH",
            "/v1/mediaItems/M1",
            "updateMask=description&prettyPrint=false",
            Some(json!({"id": "M1", "description": "New caption"})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn media_items_search() {
    bounded(async move {
        let body = json!({"mediaItems": [media_item_json("M1"), media_item_json("M2")], "nextPageToken": "P2"});
        let (server, client) = serve(200, body).await;
        let request = SearchMediaItemsRequest {
            page_size: Some(25),
            filters: Some(Filters {
                date_filter: Some(DateFilter {
                    ranges: Some(vec![DateRange {
                        start_date: Some(Date {
                            year: Some(2024),
                            month: Some(6),
                            day: Some(1),
                            ..Default::default()
                        }),
                        end_date: Some(Date {
                            year: Some(2024),
                            month: Some(6),
                            day: Some(30),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }]),
                    dates: None,
                    ..Default::default()
                }),
                content_filter: Some(ContentFilter {
                    included_content_categories: Some(vec![
                        ContentFilterIncludedContentCategories::Landscapes,
                    ]),
                    excluded_content_categories: None,
                    ..Default::default()
                }),
                media_type_filter: Some(MediaTypeFilter {
                    media_types: Some(vec![MediaTypeFilterMediaTypes::Photo]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let page = client.media_items().search(request).send().await.unwrap();
        assert_eq!(page.media_items.unwrap().len(), 2);
        assert_eq!(page.next_page_token.as_deref(), Some("P2"));
        assert_request(
            &server,
            "POST",
            "/v1/mediaItems:search",
            "prettyPrint=false",
            Some(json!({
                "pageSize": 25,
                "filters": {
                    "dateFilter": {"ranges": [{"startDate": {"year": 2024, "month": 6, "day": 1}, "endDate": {"year": 2024, "month": 6, "day": 30}}]},
                    "contentFilter": {"includedContentCategories": ["LANDSCAPES"]},
                    "mediaTypeFilter": {"mediaTypes": ["PHOTO"]}
                }
            })),
        )
        .await;
    })
    .await
}

// ------------------------------------------------------------------ sharedAlbums

#[tokio::test]
async fn shared_albums_get() {
    bounded(async move {
        let mut album = album_json("ALBUM_S");
        album["shareInfo"] = share_info_json();
        let (server, client) = serve(200, album).await;
        let album = client
            .shared_albums()
            .get("AOVP1kR_share")
            .send()
            .await
            .unwrap();
        assert_eq!(album.share_info.unwrap().is_joined, Some(true));
        assert_request(
            &server,
            "GET",
            "/v1/sharedAlbums/AOVP1kR_share",
            "prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn shared_albums_join() {
    bounded(async move {
        let (server, client) = serve(200, json!({"album": album_json("ALBUM_S")})).await;
        let request = JoinSharedAlbumRequest {
            share_token: Some("AOVP1kR_share".into()),
            ..Default::default()
        };
        let response = client.shared_albums().join(request).send().await.unwrap();
        assert_eq!(response.album.unwrap().id.as_deref(), Some("ALBUM_S"));
        assert_request(
            &server,
            "POST",
            "/v1/sharedAlbums:join",
            "prettyPrint=false",
            Some(json!({"shareToken": "AOVP1kR_share"})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn shared_albums_leave() {
    bounded(async move {
        let (server, client) = serve(200, json!({})).await;
        let request = LeaveSharedAlbumRequest {
            share_token: Some("AOVP1kR_share".into()),
            ..Default::default()
        };
        client.shared_albums().leave(request).send().await.unwrap();
        assert_request(
            &server,
            "POST",
            "/v1/sharedAlbums:leave",
            "prettyPrint=false",
            Some(json!({"shareToken": "AOVP1kR_share"})),
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn shared_albums_list() {
    bounded(async move {
        let (server, client) = serve(
            200,
            json!({"sharedAlbums": [album_json("S1")], "nextPageToken": "N"}),
        )
        .await;
        let page = client
            .shared_albums()
            .list()
            .page_size(20)
            .exclude_non_app_created_data(false)
            .send()
            .await
            .unwrap();
        assert_eq!(page.shared_albums.unwrap()[0].id.as_deref(), Some("S1"));
        assert_request(
            &server,
            "GET",
            "/v1/sharedAlbums",
            "excludeNonAppCreatedData=false&pageSize=20&prettyPrint=false",
            None,
        )
        .await;
    })
    .await
}

// ------------------------------------------------------------------ errors and paths

#[tokio::test]
async fn api_errors_carry_status_and_google_error_body() {
    bounded(async move {
        let body = json!({"error": {
            "code": 404,
            "message": "Requested entity was not found.",
            "status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "NOT_FOUND"}]
        }});
        let (_server, client) = serve(404, body).await;
        let err = client.albums().get("missing").send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
        let google = err.google_error().expect("parsed error body");
        assert_eq!(google.code, 404);
        assert_eq!(google.status, "NOT_FOUND");
        assert_eq!(google.message, "Requested entity was not found.");
        assert_eq!(google.details.len(), 1);
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("NOT_FOUND"), "{err}");
    })
    .await
}

#[tokio::test]
async fn undecodable_success_body_is_a_decode_error_with_an_excerpt() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": 12"))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        match err {
            Error::Decode { body_excerpt, .. } => assert_eq!(body_excerpt, "{\"id\": 12"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    })
    .await
}

#[tokio::test]
async fn standard_parameters_are_sent() {
    bounded(async move {
        let (server, client) = serve(200, album_json("A")).await;
        client
            .albums()
            .get("A")
            .fields("id,title")
            .quota_user("user-7")
            .pretty_print(true)
            .send()
            .await
            .unwrap();
        assert_request(
            &server,
            "GET",
            "/v1/albums/A",
            "fields=id%2Ctitle&quotaUser=user-7",
            None,
        )
        .await;
    })
    .await
}

#[tokio::test]
async fn get_then_patch_sends_back_fields_this_revision_does_not_know() {
    bounded(async move {
        let mut from_server = album_json("ALBUM_1");
        from_server["addedAfterThisRevision"] = json!({"kind": "memories", "score": 0.93});
        let (server, client) = serve(200, from_server.clone()).await;
        let mut album = client.albums().get("ALBUM_1").send().await.unwrap();
        album.title = Some("Renamed".into());
        client
            .albums()
            .patch("ALBUM_1", album)
            .update_mask(FieldMask::new(["title"]))
            .send()
            .await
            .unwrap();
        let requests = server.received_requests().await.unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
        let mut expected = from_server;
        expected["title"] = json!("Renamed");
        assert_eq!(sent, expected);
    })
    .await
}
