//! The Photos extensions (overlays): uploads (raw and resumable, resumed after
//! an interruption, with progress and size limits), batch helpers chunked to
//! 50, base-URL downloads, and the examples, against a local mock server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use photoslibrary_v1::batch::AlbumTarget;
use photoslibrary_v1::download::BaseUrlOptions;
use photoslibrary_v1::models::*;
use photoslibrary_v1::{Client, Error, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod support;
use support::bounded;
use support::{album_json, media_item_json, TOKEN};

#[allow(dead_code)]
#[path = "../apis/photoslibrary-v1/examples/list_albums.rs"]
mod list_albums;
#[allow(dead_code)]
#[path = "../apis/photoslibrary-v1/examples/rename_album.rs"]
mod rename_album;
#[allow(dead_code)]
#[path = "../apis/photoslibrary-v1/examples/search.rs"]
mod search;
#[allow(dead_code)]
#[path = "../apis/photoslibrary-v1/examples/upload_folder.rs"]
mod upload_folder;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

// ------------------------------------------------------------------ uploads

#[tokio::test]
async fn a_small_upload_uses_the_raw_protocol() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/uploads"))
            .and(header("x-goog-upload-protocol", "raw"))
            .respond_with(ResponseTemplate::new(200).set_body_string("CAIS-upload-token-1"))
            .expect(1)
            .mount(&server)
            .await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let token = client(&server)
            .uploads()
            .bytes(
                b"\xff\xd8 jpeg bytes".to_vec(),
                "image/jpeg",
                "IMG_0001.jpg",
            )
            .progress(move |sent, total| record.lock().unwrap().push((sent, total)))
            .send()
            .await
            .unwrap();
        assert_eq!(token, "CAIS-upload-token-1");
        assert_eq!(*seen.lock().unwrap(), [(13, 13)]);
        let r = &server.received_requests().await.unwrap()[0];
        let h = |name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            h("content-type").as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(
            h("x-goog-upload-content-type").as_deref(),
            Some("image/jpeg")
        );
        assert_eq!(
            h("x-goog-upload-file-name").as_deref(),
            Some("IMG_0001.jpg")
        );
        assert_eq!(h("authorization"), Some(format!("Bearer {TOKEN}")));
        assert_eq!(r.body, b"\xff\xd8 jpeg bytes");
    })
    .await
}

/// The resumable protocol: start, then upload/finalize by offset, and query.
#[derive(Clone, Default)]
struct Resumable(Arc<Mutex<UploadState>>);

#[derive(Default)]
struct UploadState {
    data: Vec<u8>,
    commands: Vec<String>,
    /// The connection breaks after this many bytes of the next upload command
    /// (they are stored, the client gets an error).
    partial: Option<usize>,
    resent: bool,
    /// The server forgot the session: every command answers this status.
    gone: Option<u16>,
    /// The upload was finalized: a query answers `final` and the token.
    finished: bool,
}

impl Respond for Resumable {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let header = |name: &str| {
            r.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let command = header("x-goog-upload-command");
        let offset: usize = header("x-goog-upload-offset").parse().unwrap_or(0);
        s.commands
            .push(format!("{command} @{offset} +{}", r.body.len()));
        if let Some(status) = s.gone {
            return ResponseTemplate::new(status);
        }
        if command == "query" && s.finished {
            return ResponseTemplate::new(200)
                .insert_header("X-Goog-Upload-Status", "final")
                .set_body_string("CAIS-resumable-token");
        }
        if command == "query" {
            return ResponseTemplate::new(200)
                .insert_header("X-Goog-Upload-Status", "active")
                .insert_header("X-Goog-Upload-Size-Received", s.data.len().to_string());
        }
        if offset < s.data.len() {
            s.resent = true;
        }
        assert_eq!(offset, s.data.len().min(offset), "no gaps");
        s.data.truncate(offset);
        if let Some(keep) = s.partial.take() {
            let keep = keep.min(r.body.len());
            s.data.extend_from_slice(&r.body[..keep]);
            return ResponseTemplate::new(503);
        }
        s.data.extend_from_slice(&r.body);
        if command.contains("finalize") {
            ResponseTemplate::new(200).set_body_string("CAIS-resumable-token")
        } else {
            ResponseTemplate::new(200).insert_header("X-Goog-Upload-Status", "active")
        }
    }
}

async fn resumable_server(state: &Resumable, granularity: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/uploads"))
        .and(header("x-goog-upload-command", "start"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "X-Goog-Upload-URL",
                    format!("{}/upload-session/7", server.uri()),
                )
                .insert_header("X-Goog-Upload-Chunk-Granularity", granularity.to_string()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload-session/7"))
        .respond_with(state.clone())
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_large_upload_is_resumable_in_multiples_of_the_granularity() {
    bounded(async move {
        let state = Resumable::default();
        let server = resumable_server(&state, 1000).await;
        let input = data(5500);
        let progress = Arc::new(Mutex::new(Vec::new()));
        let record = progress.clone();
        let token = client(&server)
            .uploads()
            .bytes(input.clone(), "video/mp4", "clip.mp4")
            .resumable_threshold(1000)
            .chunk_size(1500) // rounded up to 2000, a multiple of the granularity
            .progress(move |sent, total| record.lock().unwrap().push((sent, total)))
            .send()
            .await
            .unwrap();
        assert_eq!(token, "CAIS-resumable-token");
        {
            let s = state.0.lock().unwrap();
            assert_eq!(s.data, input);
            assert_eq!(
                s.commands,
                [
                    "upload @0 +2000",
                    "upload @2000 +2000",
                    "upload, finalize @4000 +1500"
                ]
            );
        }
        assert_eq!(
            *progress.lock().unwrap(),
            [(2000, 5500), (4000, 5500), (5500, 5500)]
        );
        let start = &server.received_requests().await.unwrap()[0];
        assert_eq!(
            start.headers.get("x-goog-upload-protocol").unwrap(),
            "resumable"
        );
        assert_eq!(start.headers.get("x-goog-upload-raw-size").unwrap(), "5500");
    })
    .await
}

#[tokio::test]
async fn an_interrupted_upload_resumes_from_the_offset_the_server_reports() {
    bounded(async move {
        let state = Resumable::default();
        state.0.lock().unwrap().partial = Some(700); // the first chunk breaks off after 700 bytes
        let server = resumable_server(&state, 500).await;
        let input = data(2600);
        let token = client(&server)
            .uploads()
            .reader(
                std::io::Cursor::new(input.clone()),
                2600,
                "video/mp4",
                "clip.mp4",
            )
            .resumable_threshold(0)
            .chunk_size(1000)
            .send()
            .await
            .unwrap();
        assert_eq!(token, "CAIS-resumable-token");
        let s = state.0.lock().unwrap();
        assert_eq!(s.data, input);
        assert!(
            !s.resent,
            "bytes the server had were sent again: {:?}",
            s.commands
        );
        assert_eq!(
            s.commands,
            [
                "upload @0 +1000",
                "query @0 +0",
                "upload @700 +300",
                "upload @1000 +1000",
                "upload, finalize @2000 +600"
            ]
        );
    })
    .await
}

/// A session another process started: its URL (on the mock) and granularity.
fn saved_session(
    server: &MockServer,
    granularity: u64,
) -> photoslibrary_v1::uploads::UploadSession {
    photoslibrary_v1::uploads::UploadSession::new(
        format!("{}/upload-session/7", server.uri()),
        granularity,
    )
}

/// A mock whose session already holds `have` bytes of `input`; no session
/// may be started.
async fn server_holding(state: &Resumable, input: &[u8], have: usize) -> MockServer {
    state.0.lock().unwrap().data = input[..have].to_vec();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/upload-session/7"))
        .respond_with(state.clone())
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_session_started_elsewhere_is_reported_then_resumed_from_the_servers_offset() {
    bounded(async move {
        // The first process: the session is reported before any byte is sent.
        let state = Resumable::default();
        state.0.lock().unwrap().partial = Some(700); // the first chunk breaks off
        let server = resumable_server(&state, 500).await;
        let input = data(3200);
        let reported = Arc::new(Mutex::new(Vec::new()));
        let record = reported.clone();
        let policy = RetryPolicy::default().max_attempts(1);
        let sent_before = state.clone();
        let err = client(&server)
            .uploads()
            .bytes(input.clone(), "video/mp4", "clip.mp4")
            .resumable_threshold(0)
            .chunk_size(1000)
            .retry_policy(policy)
            .on_session(move |session| {
                assert!(sent_before.0.lock().unwrap().data.is_empty());
                record.lock().unwrap().push(session.clone())
            })
            .send()
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
        let session = reported
            .lock()
            .unwrap()
            .pop()
            .expect("the session was reported");
        assert!(reported.lock().unwrap().is_empty(), "reported once");
        assert_eq!(session, saved_session(&server, 500));
        assert!(
            !format!("{session:?}").contains("upload-session"),
            "Debug shows no session URL: {session:?}"
        );
        assert_eq!(state.0.lock().unwrap().data.len(), 700);

        // The second process read the first 500 bytes itself (to check
        // them): its source starts there, the server has 700.
        state.0.lock().unwrap().commands.clear();
        let progress = Arc::new(Mutex::new(Vec::new()));
        let record = progress.clone();
        let token = client(&server)
            .uploads()
            .reader(
                std::io::Cursor::new(input[500..].to_vec()),
                3200,
                "video/mp4",
                "clip.mp4",
            )
            .chunk_size(1000)
            .resume(session, 500)
            .progress(move |sent, total| record.lock().unwrap().push((sent, total)))
            .send()
            .await
            .unwrap();
        assert_eq!(token, "CAIS-resumable-token");
        let s = state.0.lock().unwrap();
        assert_eq!(s.data, input, "every byte arrived, in place");
        assert!(
            !s.resent,
            "bytes the server had were sent again: {:?}",
            s.commands
        );
        assert_eq!(
            s.commands,
            [
                "query @0 +0",
                "upload @700 +300",
                "upload @1000 +1000",
                "upload @2000 +1000",
                "upload, finalize @3000 +200"
            ],
            "the rest from where the server is, back in step with the chunk size"
        );
        assert_eq!(
            *progress.lock().unwrap(),
            [
                (700, 3200),
                (1000, 3200),
                (2000, 3200),
                (3000, 3200),
                (3200, 3200)
            ]
        );
    })
    .await
}

#[tokio::test]
async fn a_resumed_session_that_finished_answers_its_token_without_sending() {
    bounded(async move {
        let state = Resumable::default();
        let input = data(2000);
        let server = server_holding(&state, &input, 2000).await;
        state.0.lock().unwrap().finished = true;
        let token = client(&server)
            .uploads()
            .bytes(input, "video/mp4", "clip.mp4")
            .resume(saved_session(&server, 500), 0)
            .send()
            .await
            .unwrap();
        assert_eq!(token, "CAIS-resumable-token");
        assert_eq!(state.0.lock().unwrap().commands, ["query @0 +0"]);
    })
    .await
}

#[tokio::test]
async fn a_forgotten_or_short_session_is_expired_and_gets_no_bytes() {
    bounded(async move {
        for gone in [404, 410] {
            let state = Resumable::default();
            let input = data(2000);
            let server = server_holding(&state, &input, 1000).await;
            state.0.lock().unwrap().gone = Some(gone);
            let err = client(&server)
                .uploads()
                .bytes(input, "video/mp4", "clip.mp4")
                .resume(saved_session(&server, 500), 0)
                .send()
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Expired { .. }), "{gone}: {err:?}");
            assert_eq!(state.0.lock().unwrap().commands, ["query @0 +0"]);
        }
        // The caller read 1500 bytes, the server has 1000: the 500 between
        // are gone from the source, so nothing may be sent.
        let state = Resumable::default();
        let input = data(2000);
        let server = server_holding(&state, &input, 1000).await;
        let err = client(&server)
            .uploads()
            .reader(
                std::io::Cursor::new(input[1500..].to_vec()),
                2000,
                "video/mp4",
                "clip.mp4",
            )
            .resume(saved_session(&server, 500), 1500)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Expired { .. }), "{err:?}");
        assert_eq!(state.0.lock().unwrap().commands, ["query @0 +0"]);
        // A server claiming more than the upload's length is refused.
        let state = Resumable::default();
        let server = server_holding(&state, &data(3000), 3000).await;
        let err = client(&server)
            .uploads()
            .bytes(data(2000), "video/mp4", "clip.mp4")
            .resume(saved_session(&server, 500), 0)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        // A session URL elsewhere over plain http gets nothing, and the error
        // does not show the URL's path (a credential).
        let state = Resumable::default();
        let server = server_holding(&state, &data(10), 0).await;
        let err = client(&server)
            .uploads()
            .bytes(data(10), "video/mp4", "clip.mp4")
            .resume(
                photoslibrary_v1::uploads::UploadSession::new(
                    "http://elsewhere.invalid/upload-session/SECRET",
                    500,
                ),
                0,
            )
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        assert!(!err.to_string().contains("SECRET"), "{err}");
        assert!(state.0.lock().unwrap().commands.is_empty());
    })
    .await
}

#[tokio::test]
async fn files_over_the_limit_are_rejected_before_any_request() {
    bounded(async move {
        let server = MockServer::start().await;
        let photo = client(&server).uploads().reader(
            tokio::io::empty(),
            201 * 1024 * 1024,
            "image/png",
            "huge.png",
        );
        let err = photo.send().await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "media"),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("huge.png") && err.to_string().contains("photos"),
            "{err}"
        );
        let video = client(&server).uploads().reader(
            tokio::io::empty(),
            21 * 1024 * 1024 * 1024,
            "video/mp4",
            "long.mp4",
        );
        assert!(video
            .send()
            .await
            .unwrap_err()
            .to_string()
            .contains("videos"));
        assert!(server.received_requests().await.unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn uploading_a_file_takes_its_name_and_length() {
    bounded(async move {
        let dir = std::env::temp_dir().join(format!("photos-upload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("beach.jpg");
        std::fs::write(&file, b"jpeg!").unwrap();
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_string("T"))
            .mount(&server)
            .await;
        client(&server)
            .uploads()
            .file(&file, "image/jpeg")
            .await
            .unwrap()
            .send()
            .await
            .unwrap();
        let r = &server.received_requests().await.unwrap()[0];
        assert_eq!(
            r.headers.get("x-goog-upload-file-name").unwrap(),
            "beach.jpg"
        );
        assert_eq!(r.body, b"jpeg!");
        let missing = client(&server)
            .uploads()
            .file(dir.join("nope.jpg"), "image/jpeg")
            .await
            .unwrap_err();
        assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

// ------------------------------------------------------------------ batches

/// batchCreate: creates every item except those whose token ends in "-bad".
struct BatchCreate(Arc<Mutex<Vec<Value>>>);

impl Respond for BatchCreate {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        self.0.lock().unwrap().push(body.clone());
        let results: Vec<Value> = body["newMediaItems"]
            .as_array()
            .unwrap()
            .iter()
            .rev() // the server does not promise order: results are matched by token
            .map(|item| {
                let token = item["simpleMediaItem"]["uploadToken"].as_str().unwrap();
                if token.ends_with("-bad") {
                    json!({"uploadToken": token, "status": {"code": 3, "message": "Failed: invalid upload token"}})
                } else {
                    json!({"uploadToken": token, "status": {"message": "Success"}, "mediaItem": media_item_json(&format!("M-{token}"))})
                }
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"newMediaItemResults": results}))
    }
}

#[tokio::test]
async fn batch_create_all_splits_120_items_50_50_20_and_reports_each_result_in_order() {
    bounded(async move {
        let server = MockServer::start().await;
        let bodies = Arc::new(Mutex::new(Vec::new()));
        Mock::given(path("/v1/mediaItems:batchCreate"))
            .respond_with(BatchCreate(bodies.clone()))
            .mount(&server)
            .await;
        let items: Vec<NewMediaItem> = (0..120)
            .map(|i| {
                let token = if i == 77 {
                    format!("t{i}-bad")
                } else {
                    format!("t{i}")
                };
                NewMediaItem::from_upload_token(token, format!("IMG_{i:04}.jpg"))
                    .with_description(format!("photo {i}"))
            })
            .collect();
        let position = AlbumPosition {
            position: Some(AlbumPositionPosition::FirstInAlbum),
            ..Default::default()
        };
        let results = client(&server)
            .media_items()
            .batch_create_all(items, Some(AlbumTarget::new("ALB").at(position)))
            .await
            .unwrap();

        assert_eq!(results.len(), 120);
        for (i, r) in results.iter().enumerate() {
            let expected = if i == 77 {
                format!("t{i}-bad")
            } else {
                format!("t{i}")
            };
            assert_eq!(
                r.upload_token.as_deref(),
                Some(expected.as_str()),
                "result {i} is in input order"
            );
        }
        let failed: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status.as_ref().unwrap().code.unwrap_or(0) != 0)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(failed, [77]);

        let bodies = bodies.lock().unwrap();
        let sizes: Vec<usize> = bodies
            .iter()
            .map(|b| b["newMediaItems"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [50, 50, 20]);
        assert!(bodies.iter().all(|b| b["albumId"] == "ALB"));
        assert_eq!(
            bodies[0]["albumPosition"],
            json!({"position": "FIRST_IN_ALBUM"})
        );
        // Later requests go after the last item created, so the album keeps input order.
        assert_eq!(
            bodies[1]["albumPosition"],
            json!({"position": "AFTER_MEDIA_ITEM", "relativeMediaItemId": "M-t49"})
        );
        assert_eq!(
            bodies[2]["albumPosition"],
            json!({"position": "AFTER_MEDIA_ITEM", "relativeMediaItemId": "M-t99"})
        );
    })
    .await
}

#[tokio::test]
async fn a_failed_batch_request_reports_a_failure_for_each_of_its_items() {
    bounded(async move {
        let server = MockServer::start().await;
        let bodies = Arc::new(Mutex::new(Vec::new()));
        // The second request fails as a whole.
        Mock::given(path("/v1/mediaItems:batchCreate"))
            .and(|r: &Request| String::from_utf8_lossy(&r.body).contains("\"t50\""))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"code": 400, "message": "Request contains an invalid media item id.", "status": "INVALID_ARGUMENT"}})))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/v1/mediaItems:batchCreate"))
            .respond_with(BatchCreate(bodies))
            .mount(&server)
            .await;
        let items = (0..60).map(|i| NewMediaItem::from_upload_token(format!("t{i}"), ""));
        let results = client(&server)
            .media_items()
            .batch_create_all(items, None)
            .await
            .unwrap();
        assert_eq!(results.len(), 60);
        assert!(results[..50].iter().all(|r| r.media_item.is_some()));
        for r in &results[50..] {
            let status = r.status.as_ref().unwrap();
            assert_eq!(status.code, Some(400));
            assert!(status
                .message
                .as_deref()
                .unwrap()
                .contains("invalid media item id"));
        }
    })
    .await
}

#[tokio::test]
async fn batch_get_and_album_batches_are_chunked_to_50() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(path("/v1/mediaItems:batchGet"))
            .respond_with(|r: &Request| {
                let ids: Vec<String> = r
                    .url
                    .query_pairs()
                    .filter(|(k, _)| k == "mediaItemIds")
                    .map(|(_, v)| v.into_owned())
                    .collect();
                let results: Vec<Value> = ids
                    .iter()
                    .map(|id| json!({"mediaItem": media_item_json(id)}))
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({"mediaItemResults": results}))
            })
            .expect(3)
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums/ALB:batchAddMediaItems"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .expect(3)
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums/ALB:batchRemoveMediaItems"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .expect(2)
            .mount(&server)
            .await;
        let ids: Vec<String> = (0..120).map(|i| format!("id{i}")).collect();
        let client = client(&server);
        let results = client
            .media_items()
            .batch_get_all(ids.clone())
            .await
            .unwrap();
        let got: Vec<String> = results
            .iter()
            .map(|r| r.media_item.as_ref().unwrap().id.clone().unwrap())
            .collect();
        assert_eq!(got, ids);
        client
            .albums()
            .batch_add_media_items_all("ALB", ids.clone())
            .await
            .unwrap();
        client
            .albums()
            .batch_remove_media_items_all("ALB", ids[..51].to_vec())
            .await
            .unwrap();
        let sizes: Vec<usize> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path().ends_with(":batchAddMediaItems"))
            .map(|r| {
                serde_json::from_slice::<Value>(&r.body).unwrap()["mediaItemIds"]
                    .as_array()
                    .unwrap()
                    .len()
            })
            .collect();
        assert_eq!(sizes, [50, 50, 20]);
    })
    .await
}

// ------------------------------------------------------------------ downloads

#[test]
fn base_url_options_build_the_documented_suffixes() {
    assert_eq!(
        BaseUrlOptions::new().width(2048).height(1024).suffix(),
        "=w2048-h1024"
    );
    assert_eq!(
        BaseUrlOptions::new().width(256).height(256).crop().suffix(),
        "=w256-h256-c"
    );
    assert_eq!(BaseUrlOptions::new().download().suffix(), "=d");
    assert_eq!(BaseUrlOptions::new().video().suffix(), "=dv");
    assert_eq!(BaseUrlOptions::new().suffix(), "");
    let item = MediaItem {
        base_url: Some("https://lh3.example/abc".into()),
        mime_type: Some("video/mp4".into()),
        ..Default::default()
    };
    assert_eq!(
        item.media_url(&BaseUrlOptions::original(&item)).unwrap(),
        "https://lh3.example/abc=dv"
    );
    let photo = MediaItem {
        base_url: Some("https://lh3.example/p".into()),
        mime_type: Some("image/heic".into()),
        ..Default::default()
    };
    assert_eq!(
        photo.media_url(&BaseUrlOptions::original(&photo)).unwrap(),
        "https://lh3.example/p=d"
    );
    assert_eq!(MediaItem::default().media_url(&BaseUrlOptions::new()), None);
}

#[tokio::test]
async fn download_streams_the_bytes_without_sending_the_token() {
    bounded(async move {
        let server = MockServer::start().await;
        let content = data(300_000);
        Mock::given(method("GET"))
            .and(path("/lr/base=w800-h600"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(content.clone(), "image/jpeg"))
            .expect(1)
            .mount(&server)
            .await;
        let item = MediaItem {
            base_url: Some(format!("{}/lr/base", server.uri())),
            ..Default::default()
        };
        let mut out = Vec::new();
        let n = client(&server)
            .download_media_item(
                &item,
                &BaseUrlOptions::new().width(800).height(600),
                &mut out,
            )
            .await
            .unwrap();
        assert_eq!(n, 300_000);
        assert_eq!(out, content);
        assert!(server.received_requests().await.unwrap()[0]
            .headers
            .get("authorization")
            .is_none());
    })
    .await
}

#[tokio::test]
async fn a_429_from_a_base_url_is_the_media_quota_and_is_not_retried() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).set_body_string("Too Many Requests"))
            .mount(&server)
            .await;
        let item = MediaItem {
            id: Some("ID1".into()),
            base_url: Some(format!("{}/lr/base", server.uri())),
            ..Default::default()
        };
        let client = client(&server);
        let err = client
            .download_media_item(&item, &BaseUrlOptions::new(), &mut Vec::new())
            .await
            .unwrap_err();
        let dir = std::env::temp_dir().join(format!("media-quota-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let to_file = client
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap_err();
        for err in [&err, &to_file] {
            assert!(matches!(err, Error::QuotaExhausted { .. }), "{err:?}");
            assert!(err.is_quota_exhausted() && !err.is_retryable(), "{err:?}");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
            assert!(err.to_string().contains("media-byte"), "{err}");
        }
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            2,
            "no retry"
        );
        assert_eq!(client.media_requests(), 2);
        // A short Retry-After is a moment's rate limit: waited for, retried.
        let server = MockServer::start().await;
        let answers = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = answers.clone();
        Mock::given(method("GET"))
            .respond_with(move |_: &wiremock::Request| {
                match count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                    0 => ResponseTemplate::new(429).insert_header("Retry-After", "0"),
                    _ => ResponseTemplate::new(200).set_body_raw(b"jpeg".to_vec(), "image/jpeg"),
                }
            })
            .mount(&server)
            .await;
        let item = MediaItem {
            id: Some("ID2".into()),
            base_url: Some(format!("{}/lr/base", server.uri())),
            ..Default::default()
        };
        client
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap();
        assert_eq!(answers.load(std::sync::atomic::Ordering::SeqCst), 2);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

#[tokio::test]
async fn an_expired_base_url_says_so() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(403))
            .mount(&server)
            .await;
        let item = MediaItem {
            base_url: Some(format!("{}/lr/old", server.uri())),
            ..Default::default()
        };
        let err = client(&server)
            .download_media_item(&item, &BaseUrlOptions::new(), &mut Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Expired { .. }), "{err:?}");
        assert!(err.to_string().contains("60 minutes"), "{err}");
    })
    .await
}

// ------------------------------------------------------------------ examples

#[tokio::test]
async fn example_list_albums() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(path("/v1/albums"))
            .and(|r: &Request| !r.url.query().unwrap_or("").contains("pageToken"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"albums": [album_json("A1")], "nextPageToken": "P2"})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums"))
            .and(wiremock::matchers::query_param("pageToken", "P2"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"albums": [album_json("A2")]})),
            )
            .mount(&server)
            .await;
        let albums = list_albums::run(&client(&server)).await.unwrap();
        assert_eq!(
            albums,
            [
                ("Trip to Lisbon".to_string(), 42),
                ("Trip to Lisbon".to_string(), 42)
            ]
        );
    })
    .await
}

#[tokio::test]
async fn example_search() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(path("/v1/mediaItems:search"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"mediaItems": [media_item_json("M1")]})),
            )
            .mount(&server)
            .await;
        let items = search::run(&client(&server), "2024-06-01", "2024-06-30", "LANDSCAPES")
            .await
            .unwrap();
        assert_eq!(items.len(), 1);
        let body: Value =
            serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
        assert_eq!(
            body["filters"]["dateFilter"]["ranges"][0]["startDate"],
            json!({"year": 2024, "month": 6, "day": 1})
        );
        assert_eq!(
            body["filters"]["contentFilter"]["includedContentCategories"],
            json!(["LANDSCAPES"])
        );
    })
    .await
}

#[tokio::test]
async fn example_upload_folder() {
    bounded(async move {
        let dir = std::env::temp_dir().join(format!("photos-folder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.jpg"), b"aaaa").unwrap();
        std::fs::write(dir.join("b.mp4"), b"bbbbbbbb").unwrap();
        std::fs::write(dir.join("notes.txt"), b"not media").unwrap();
        let server = MockServer::start().await;
        Mock::given(path("/v1/uploads"))
            .respond_with(|r: &Request| {
                let name = r
                    .headers
                    .get("x-goog-upload-file-name")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                ResponseTemplate::new(200).set_body_string(format!("token-{name}"))
            })
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums"))
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("NEW")))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path("/v1/mediaItems:batchCreate"))
            .respond_with(BatchCreate(Arc::new(Mutex::new(Vec::new()))))
            .expect(1)
            .mount(&server)
            .await;
        let bar = indicatif::ProgressBar::hidden();
        let report = upload_folder::run(&client(&server), &dir, "Holiday", &bar)
            .await
            .unwrap();
        assert_eq!(report.album_id, "NEW");
        assert_eq!(report.created.len(), 2);
        assert!(report.failed.is_empty());
        assert_eq!(report.skipped, [dir.join("notes.txt")]);
        assert_eq!(bar.position(), 12, "progress counts every byte");
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn example_rename_album() {
    bounded(async move {
        let server = MockServer::start().await;
        let mut album = album_json("A1");
        album["newServerField"] = json!("kept");
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(album.clone()))
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .respond_with(|r: &Request| {
                ResponseTemplate::new(200).set_body_raw(r.body.clone(), "application/json")
            })
            .mount(&server)
            .await;
        let renamed = rename_album::run(&client(&server), "A1", "Lisbon")
            .await
            .unwrap();
        assert_eq!(renamed.title.as_deref(), Some("Lisbon"));
        let patch = &server.received_requests().await.unwrap()[1];
        assert_eq!(
            patch.url.query(),
            Some("updateMask=title&prettyPrint=false")
        );
        let sent: Value = serde_json::from_slice(&patch.body).unwrap();
        assert_eq!(sent["newServerField"], "kept");
    })
    .await
}

/// `download_media_items_to` matches batchGet's answer by id: a server that
/// answers out of order and repeats an item gets each file written under its
/// own id once, and the id it left out fails instead of taking another's bytes.
#[tokio::test]
async fn bulk_downloads_match_fresh_urls_by_id_not_position() {
    bounded(async {
        let server = MockServer::start().await;
        let item = |id: &str| {
            let mut v = media_item_json(id);
            v["baseUrl"] = json!(format!("{}/lh3/{id}", server.uri()));
            v
        };
        // Asked for A and B: answers B twice, never A.
        Mock::given(path("/v1/mediaItems:batchGet"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "mediaItemResults": [{"mediaItem": item("B")}, {"mediaItem": item("B")}]
            })))
            .mount(&server)
            .await;
        for id in ["A", "B"] {
            Mock::given(path(format!("/lh3/{id}=d")))
                .respond_with(
                    ResponseTemplate::new(200).set_body_raw(id.as_bytes().to_vec(), "image/jpeg"),
                )
                .mount(&server)
                .await;
        }
        let dir = std::env::temp_dir().join(format!("bulk-by-id-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let ids = ["A".to_string(), "B".to_string(), "B".to_string()];
        let results = client(&server)
            .download_media_items_to(&ids, &dir, 4, &|_, _| {})
            .await;
        assert_eq!(results.len(), 2, "each id once");
        assert_eq!(results[0].0, "A");
        assert!(results[0].1.is_err(), "{:?}", results[0].1);
        assert_eq!(results[1].0, "B");
        assert!(results[1].1.is_ok(), "{:?}", results[1].1);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(std::fs::read(&files[0]).unwrap(), b"B");
        let fetched_a = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .any(|r| r.url.path() == "/lh3/A=d");
        assert!(!fetched_a);
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}
