//! The Picker API client and its picking flow against a mock server: the four
//! methods on the wire, polling at `pollInterval` until `mediaItemsSet` and
//! giving up at `timeoutIn`, `FAILED_PRECONDITION` before the user is done,
//! downloads with the token (and never to a foreign host), and the session
//! deleted when done, after an error and when the flow is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use photospicker_v1::picking::{MediaOptions, Picking};
use photospicker_v1::{Client, Error};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

mod support;
use support::{bounded, fast_retries, TOKEN};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

fn session(set: bool, interval: &str, timeout: &str) -> Value {
    let mut s = json!({
        "id": "S1",
        "pickerUri": "https://photos.google.com/picker/S1",
        "expireTime": "2030-01-01T00:00:00Z",
        "mediaItemsSet": set,
    });
    if !set {
        s["pollingConfig"] = json!({"pollInterval": interval, "timeoutIn": timeout});
    }
    s
}

async fn mount_create(server: &MockServer, body: Value) {
    Mock::given(method("POST"))
        .and(path("/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn mount_delete(server: &MockServer) {
    Mock::given(method("DELETE"))
        .and(path("/v1/sessions/S1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
}

/// Answers `sessions.get` with "not yet" `pending` times, then "picked",
/// recording when each poll arrived.
struct Polls {
    pending: usize,
    interval: &'static str,
    timeout: &'static str,
    seen: Arc<Mutex<Vec<Instant>>>,
}

impl wiremock::Respond for Polls {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().unwrap();
        seen.push(Instant::now());
        let set = seen.len() > self.pending;
        ResponseTemplate::new(200).set_body_json(session(set, self.interval, self.timeout))
    }
}

async fn mount_polls(
    server: &MockServer,
    pending: usize,
    interval: &'static str,
    timeout: &'static str,
) -> Arc<Mutex<Vec<Instant>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/v1/sessions/S1"))
        .respond_with(Polls {
            pending,
            interval,
            timeout,
            seen: seen.clone(),
        })
        .mount(server)
        .await;
    seen
}

async fn requests(server: &MockServer, verb: &str, at: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == at)
        .collect()
}

/// Waits (on the server's state, not a fixed sleep) until the session was
/// deleted; the test's deadline bounds it.
async fn deleted(server: &MockServer) {
    while requests(server, "DELETE", "/v1/sessions/S1")
        .await
        .is_empty()
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn bearer(r: &Request) -> Option<String> {
    r.headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_four_methods_on_the_wire() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        mount_polls(&server, 0, "1s", "60s").await;
        Mock::given(method("GET"))
            .and(path("/v1/mediaItems"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "mediaItems": [{"id": "P1", "type": "PHOTO", "createTime": "2025-05-01T10:00:00Z",
                    "mediaFile": {"baseUrl": "https://lh3.googleusercontent.com/p1", "mimeType": "image/jpeg",
                        "filename": "a.jpg", "mediaFileMetadata": {"width": 4000, "height": 3000,
                        "photoMetadata": {"focalLength": 4.2, "isoEquivalent": 100, "exposureTime": "0.008s"}}}}]
            })))
            .mount(&server)
            .await;
        let client = client(&server);
        let created = client
            .sessions()
            .create(photospicker_v1::models::PickingSession {
                picking_config: Some(photospicker_v1::models::PickingConfig {
                    max_item_count: Some(25),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(created.picker_uri.as_deref(), Some("https://photos.google.com/picker/S1"));
        let polling = created.polling_config.unwrap();
        assert_eq!(polling.poll_interval.unwrap().to_std(), Some(Duration::from_secs(1)));
        let got = client.sessions().get("S1").send().await.unwrap();
        assert_eq!(got.media_items_set, Some(true));
        let page = client
            .media_items()
            .list()
            .session_id("S1")
            .page_size(100)
            .send()
            .await
            .unwrap();
        let item = &page.media_items.unwrap()[0];
        assert_eq!(item.r#type, Some(photospicker_v1::models::PickedMediaItemType::Photo));
        let metadata = item.media_file.as_ref().unwrap().media_file_metadata.as_ref().unwrap();
        assert_eq!(metadata.width, Some(4000));
        assert_eq!(metadata.photo_metadata.as_ref().unwrap().iso_equivalent, Some(100));
        client.sessions().delete("S1").send().await.unwrap();

        let create = &requests(&server, "POST", "/v1/sessions").await[0];
        let body: Value = serde_json::from_slice(&create.body).unwrap();
        // int64 travels as a string.
        assert_eq!(body, json!({"pickingConfig": {"maxItemCount": "25"}}));
        let list = &requests(&server, "GET", "/v1/mediaItems").await[0];
        let query: Vec<(String, String)> = list.url.query_pairs().into_owned().collect();
        assert!(query.contains(&("sessionId".into(), "S1".into())), "{query:?}");
        assert!(query.contains(&("pageSize".into(), "100".into())), "{query:?}");
        for r in server.received_requests().await.unwrap() {
            assert_eq!(bearer(&r).as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        }
        assert_eq!(requests(&server, "DELETE", "/v1/sessions/S1").await.len(), 1);
    })
    .await
}

#[tokio::test]
async fn wait_polls_at_the_servers_interval_until_picked() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1.1s", "30s")).await;
        mount_delete(&server).await;
        let seen = mount_polls(&server, 2, "1.1s", "30s").await;
        let client = client(&server);
        let mut picking = client.start_picking(Some(5)).await.unwrap();
        assert_eq!(picking.picker_uri(), "https://photos.google.com/picker/S1");
        let started = Instant::now();
        let mut answers = 0;
        picking.wait(|_| answers += 1).await.unwrap();
        assert!(picking.is_picked());
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3, "two 'not yet' answers, then 'picked'");
        assert_eq!(answers, 3);
        // Never sooner than the interval the server asked for (a sleep never
        // ends early, so this cannot fail by luck).
        assert!(seen[0] - started >= Duration::from_millis(1090));
        for pair in seen.windows(2) {
            assert!(
                pair[1] - pair[0] >= Duration::from_millis(1090),
                "{:?}",
                pair[1] - pair[0]
            );
        }
        picking.delete().await.unwrap();
        assert_eq!(
            requests(&server, "DELETE", "/v1/sessions/S1").await.len(),
            1
        );
    })
    .await
}

#[tokio::test]
async fn wait_gives_up_at_timeout_in_and_the_drop_deletes_the_session() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "1.5s")).await;
        mount_delete(&server).await;
        let seen = mount_polls(&server, usize::MAX, "1s", "1.5s").await;
        let client = client(&server);
        let mut picking = client.start_picking(None).await.unwrap();
        let started = Instant::now();
        let error = picking.wait(|_| {}).await.unwrap_err();
        assert!(matches!(error, Error::Expired { .. }), "{error:?}");
        // The message names the deadline that applied, not max_wait.
        assert!(
            error
                .to_string()
                .contains("did not finish picking within 1.5 s (the session's timeoutIn)"),
            "{error}"
        );
        assert!(started.elapsed() >= Duration::from_millis(1490));
        // Every answer says 1.5 s are left, yet the deadline never moves
        // later than the first one: a poll after 1 s, a last one at 1.5 s.
        assert_eq!(seen.lock().unwrap().len(), 2);
        drop(picking);
        deleted(&server).await;
    })
    .await
}

#[tokio::test]
async fn a_server_that_extends_its_timeout_forever_is_cut_at_max_wait() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "0s", "99999999s")).await;
        mount_delete(&server).await;
        let seen = mount_polls(&server, usize::MAX, "0s", "99999999s").await;
        let client = client(&server);
        let mut picking = client
            .start_picking(None)
            .await
            .unwrap()
            .max_wait(Duration::from_millis(2500));
        let started = Instant::now();
        let error = picking.wait(|_| {}).await.unwrap_err();
        assert!(matches!(error, Error::Expired { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("within 2.5 s (the wait's max_wait)"),
            "{error}"
        );
        // "0s" is not a tight loop: polls are at least 1 s apart (after 1 s,
        // 2 s, and a last one at max_wait).
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3);
        assert!(seen[0] - started >= Duration::from_millis(990));
        assert!(seen[1] - seen[0] >= Duration::from_millis(990));
        picking.delete().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_user_who_finishes_just_before_the_deadline_is_not_turned_away() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "1.4s")).await;
        mount_delete(&server).await;
        // "Not yet" after 1 s; "picked" at the last poll, at the deadline.
        let seen = mount_polls(&server, 1, "1s", "1.4s").await;
        let mut picking = client(&server).start_picking(None).await.unwrap();
        picking.wait(|_| {}).await.unwrap();
        assert!(picking.is_picked());
        assert_eq!(seen.lock().unwrap().len(), 2);
        picking.delete().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn an_expired_session_says_to_start_again() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        Mock::given(method("GET"))
            .and(path("/v1/sessions/S1"))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
                "code": 403, "status": "PERMISSION_DENIED", "message": "Session expired."}})))
            .mount(&server)
            .await;
        let mut picking = client(&server).start_picking(None).await.unwrap();
        let error = picking.wait(|_| {}).await.unwrap_err();
        assert!(matches!(error, Error::Expired { .. }), "{error:?}");
        assert!(error.to_string().contains("start a new one"), "{error}");
        picking.delete().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_zero_timeout_stops_at_once() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "0s")).await;
        mount_delete(&server).await;
        let seen = mount_polls(&server, usize::MAX, "1s", "0s").await;
        let mut picking = client(&server).start_picking(None).await.unwrap();
        let error = picking.wait(|_| {}).await.unwrap_err();
        assert!(matches!(error, Error::Expired { .. }), "{error:?}");
        assert!(seen.lock().unwrap().is_empty());
        picking.delete().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn listing_before_the_user_is_done_is_a_failed_precondition() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        Mock::given(method("GET"))
            .and(path("/v1/mediaItems"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
                "code": 400, "status": "FAILED_PRECONDITION",
                "message": "Media items have not been set for this session yet."}})))
            .mount(&server)
            .await;
        let picking = client(&server).start_picking(None).await.unwrap();
        let error = picking.items().try_collect::<Vec<_>>().await.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(api.status.as_u16(), 400);
        assert_eq!(api.error.as_ref().unwrap().status, "FAILED_PRECONDITION");
        // An error is no reason to keep the session: dropping it deletes it.
        drop(picking);
        deleted(&server).await;
    })
    .await
}

/// Serves bytes at `/media/<id>=<suffix>`, counting requests.
struct Media(Arc<AtomicUsize>);

impl wiremock::Respond for Media {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.fetch_add(1, Ordering::SeqCst);
        let body = format!("bytes of {}", request.url.path());
        ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/octet-stream")
    }
}

#[tokio::test]
async fn downloads_send_the_token_and_pages_are_followed() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        let base = server.uri();
        let item = |id: &str, kind: &str, name: &str| {
            json!({"id": id, "type": kind, "mediaFile": {"baseUrl": format!("{base}/media/{id}"),
                "mimeType": "image/jpeg", "filename": name}})
        };
        Mock::given(method("GET"))
            .and(path("/v1/mediaItems"))
            .and(wiremock::matchers::query_param("pageToken", "two"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"mediaItems": [item("V1", "VIDEO", "clip.mp4")]})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/mediaItems"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "mediaItems": [item("P1", "PHOTO", "../../escape.jpg")], "nextPageToken": "two"})))
            .mount(&server)
            .await;
        let count = Arc::new(AtomicUsize::new(0));
        Mock::given(method("GET"))
            .and(wiremock::matchers::path_regex("^/media/"))
            .respond_with(Media(count.clone()))
            .mount(&server)
            .await;
        let picking = client(&server).start_picking(None).await.unwrap();
        let items: Vec<_> = picking.items().try_collect().await.unwrap();
        assert_eq!(items.len(), 2);

        let mut bytes = Vec::new();
        let n = picking
            .download(&items[0], &MediaOptions::sized(64, 48).crop(), &mut bytes)
            .await
            .unwrap();
        assert_eq!(bytes, b"bytes of /media/P1=w64-h48-c");
        assert_eq!(n, bytes.len() as u64);

        let dir = std::env::temp_dir().join(format!("picker-dl-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for item in &items {
            picking
                .download_to(item, &MediaOptions::original(item), &dir)
                .await
                .unwrap();
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(
            names
                .iter()
                .all(|n| !n.contains('/') && !n.starts_with('.')),
            "{names:?}"
        );
        let video = names.iter().find(|n| n.starts_with("clip-")).unwrap();
        assert_eq!(
            std::fs::read(dir.join(video)).unwrap(),
            b"bytes of /media/V1=dv"
        );
        let photo = names.iter().find(|n| n.contains("escape-")).unwrap();
        assert_eq!(
            std::fs::read(dir.join(photo)).unwrap(),
            b"bytes of /media/P1=d"
        );
        // Already there: not fetched again.
        let before = count.load(Ordering::SeqCst);
        picking
            .download_to(&items[1], &MediaOptions::original(&items[1]), &dir)
            .await
            .unwrap();
        assert_eq!(count.load(Ordering::SeqCst), before);
        std::fs::remove_dir_all(&dir).unwrap();

        for r in requests_under(&server, "/media/").await {
            assert_eq!(
                bearer(&r).as_deref(),
                Some(format!("Bearer {TOKEN}").as_str())
            );
        }
        picking.delete().await.unwrap();
    })
    .await
}

async fn requests_under(server: &MockServer, prefix: &str) -> Vec<Request> {
    let all = server.received_requests().await.unwrap();
    let found: Vec<Request> = all
        .into_iter()
        .filter(|r| r.url.path().starts_with(prefix))
        .collect();
    assert!(!found.is_empty(), "no request under {prefix}");
    found
}

#[tokio::test]
async fn the_token_never_goes_to_a_foreign_base_url() {
    bounded(async {
        let server = MockServer::start().await;
        let elsewhere = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(b"stolen".to_vec(), "image/jpeg"))
            .mount(&elsewhere)
            .await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        let picking = client(&server).start_picking(None).await.unwrap();
        for url in [
            format!("{}/x", elsewhere.uri()),
            "http://lh3.googleusercontent.com/x".to_owned(),
            "https://lh3.googleusercontent.com.evil.example/x".to_owned(),
            "https://lh3.googleusercontent.com:8443/x".to_owned(),
        ] {
            let item: photospicker_v1::models::PickedMediaItem = serde_json::from_value(
                json!({"id": "P1", "mediaFile": {"baseUrl": url, "filename": "a.jpg"}}),
            )
            .unwrap();
            let mut sink = Vec::new();
            let error = picking
                .download(&item, &MediaOptions::original(&item), &mut sink)
                .await
                .unwrap_err();
            assert!(matches!(error, Error::Protocol { .. }), "{url}: {error:?}");
        }
        assert!(elsewhere.received_requests().await.unwrap().is_empty());
        picking.delete().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_hostile_session_is_refused_and_still_deleted() {
    bounded(async {
        let server = MockServer::start().await;
        let mut hostile = session(false, "1s", "60s");
        hostile["pickerUri"] =
            json!("https://photos.google.com/\u{1b}]8;;https://evil.example\u{7}");
        mount_create(&server, hostile).await;
        mount_delete(&server).await;
        let error = client(&server).start_picking(None).await.unwrap_err();
        assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
        deleted(&server).await;
        // A session without an id cannot be used (nor deleted).
        let server = MockServer::start().await;
        mount_create(&server, json!({"pickerUri": "https://photos.google.com/p"})).await;
        let error = client(&server).start_picking(None).await.unwrap_err();
        assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
        // Out-of-range maxima are refused before any request.
        for n in [0, 2001] {
            let error = client(&server).start_picking(Some(n)).await.unwrap_err();
            assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
        }
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    })
    .await
}

#[tokio::test]
async fn a_picker_client_shares_the_library_clients_token() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        let library = photoslibrary_v1::Client::builder()
            .base_url(server.uri())
            .bearer_token("shared-token")
            .build()
            .unwrap();
        let picker = Client::builder()
            .sharing(&library)
            .base_url(server.uri())
            .build()
            .unwrap();
        let picking: Picking = picker.start_picking(None).await.unwrap();
        picking.delete().await.unwrap();
        for r in server.received_requests().await.unwrap() {
            assert_eq!(bearer(&r).as_deref(), Some("Bearer shared-token"));
            let agent = r.headers.get("user-agent").unwrap().to_str().unwrap();
            assert!(agent.starts_with("photospicker-v1/"), "{agent}");
        }
    })
    .await
}

/// Pages on forever: a new token and one item each time.
struct Endless(AtomicUsize);

impl wiremock::Respond for Endless {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(json!({
            "mediaItems": [{"id": format!("P{n}")}], "nextPageToken": format!("t{n}")}))
    }
}

#[tokio::test]
async fn a_server_that_lists_endlessly_is_stopped() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        mount_delete(&server).await;
        Mock::given(method("GET"))
            .and(path("/v1/mediaItems"))
            .respond_with(Endless(AtomicUsize::new(0)))
            .mount(&server)
            .await;
        let picking = client(&server).start_picking(None).await.unwrap();
        let all: Vec<_> = futures_util::StreamExt::collect(picking.items()).await;
        let (last, items) = all.split_last().unwrap();
        assert!(items.iter().all(Result::is_ok));
        assert_eq!(items.len(), photospicker_v1::picking::MAX_PAGES);
        assert!(matches!(last, Err(Error::Protocol { .. })), "{last:?}");
        let pages = requests(&server, "GET", "/v1/mediaItems").await.len();
        assert_eq!(pages, photospicker_v1::picking::MAX_PAGES + 1);
        picking.delete().await.unwrap();
    })
    .await
}

/// A clean-up call survives a transient error: `DELETE` is idempotent, so
/// one 503 is retried rather than leaving the session behind.
#[tokio::test]
async fn a_delete_that_meets_a_503_is_retried() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "1s", "60s")).await;
        Mock::given(method("DELETE"))
            .and(path("/v1/sessions/S1"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        mount_delete(&server).await;
        let picking = client(&server).start_picking(None).await.unwrap();
        picking.delete().await.unwrap();
        assert_eq!(
            requests(&server, "DELETE", "/v1/sessions/S1").await.len(),
            2
        );
    })
    .await
}

/// Poll settings that are not durations (`"abc"`, `"1e9s"`) do not fail a
/// pick: the session is taken without them, and the wait falls back to its
/// default interval and to max_wait.
#[tokio::test]
async fn unreadable_poll_settings_fall_back_to_safe_defaults() {
    bounded(async {
        let server = MockServer::start().await;
        mount_create(&server, session(false, "abc", "1e9s")).await;
        mount_delete(&server).await;
        let seen = mount_polls(&server, usize::MAX, "1s", "soon").await;
        let picking = client(&server).start_picking(None).await.unwrap();
        let config = picking.session().polling_config.clone().unwrap();
        assert_eq!((config.poll_interval, config.timeout_in), (None, None));
        // The first answer's interval is the default (5 s), so max_wait ends
        // the wait before any poll but the last one at the deadline; that
        // answer's unreadable timeoutIn is dropped too.
        let mut picking = picking.max_wait(Duration::from_millis(1500));
        let error = picking.wait(|_| {}).await.unwrap_err();
        assert!(
            error
                .to_string()
                .contains("within 1.5 s (the wait's max_wait)"),
            "{error}"
        );
        assert_eq!(seen.lock().unwrap().len(), 1);
        picking.delete().await.unwrap();
    })
    .await
}

/// An answer to `sessions.create` that does not decode still names the
/// session the server made: it is deleted before the error is returned.
#[tokio::test]
async fn a_create_answer_that_does_not_decode_still_deletes_its_session() {
    bounded(async {
        let server = MockServer::start().await;
        let mut answer = session(false, "1s", "60s");
        answer["mediaItemsSet"] = json!("maybe");
        mount_create(&server, answer).await;
        mount_delete(&server).await;
        let error = client(&server).start_picking(None).await.unwrap_err();
        assert!(matches!(error, Error::Decode { .. }), "{error:?}");
        assert_eq!(
            requests(&server, "DELETE", "/v1/sessions/S1").await.len(),
            1
        );
    })
    .await
}

/// A caller that stops waiting while `sessions.create` is in flight (a
/// time-out, Ctrl-C) does not leave the session the server then makes.
#[tokio::test]
async fn a_session_created_after_its_caller_gave_up_is_deleted() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/sessions"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(session(false, "1s", "60s"))
                    .set_delay(Duration::from_millis(800)),
            )
            .mount(&server)
            .await;
        mount_delete(&server).await;
        let client = client(&server);
        let gave_up =
            tokio::time::timeout(Duration::from_millis(50), client.start_picking(None)).await;
        assert!(gave_up.is_err());
        deleted(&server).await;
    })
    .await
}
