//! The client runtime under faults: retries, Retry-After, timeouts, connection
//! failures, truncated and non-JSON bodies, pagination streams, path
//! injection, auth failures and tracing. Every test is bounded to a few seconds.
// Deprecated Photos items are used on purpose: tests name scopes Google has since removed.
#![allow(deprecated)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use photoslibrary_v1::models::*;
use photoslibrary_v1::{token_fn, BoxError, Client, Error, RetryPolicy, StaticToken};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

mod support;
use support::*;

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

// ------------------------------------------------------------------ retries

#[tokio::test]
async fn retries_429_honouring_retry_after_seconds() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A")))
            .mount(&server)
            .await;
        let client = client_for(&server);
        let start = Instant::now();
        let album = client
            .albums()
            .get("A")
            .retry_policy(fast_retries())
            .send()
            .await
            .unwrap();
        assert_eq!(album.id.as_deref(), Some("A"));
        assert_eq!(requests(&server).await, 2);
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "waited {:?}, not the Retry-After",
            start.elapsed()
        );
    })
    .await
}

#[tokio::test]
async fn retries_429_honouring_retry_after_http_date() {
    bounded(async move {
        let server = MockServer::start().await;
        // A date in the past: retry at once.
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A")))
            .mount(&server)
            .await;
        let policy = RetryPolicy::default().initial_backoff(Duration::from_secs(30));
        let start = Instant::now();
        client_for(&server)
            .albums()
            .get("A")
            .retry_policy(policy)
            .send()
            .await
            .unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the header replaces the backoff"
        );
    })
    .await
}

#[tokio::test]
async fn a_burst_of_503_exhausts_the_attempts() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": {"code": 503, "message": "Backend unavailable", "status": "UNAVAILABLE"}}))).mount(&server).await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .retry_policy(fast_retries().max_attempts(4))
            .build()
            .unwrap();
        let err = client.albums().list().send().await.unwrap_err();
        assert_eq!(requests(&server).await, 4);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert!(err.is_retryable());
        assert_eq!(err.google_error().unwrap().status, "UNAVAILABLE");
    })
    .await
}

#[tokio::test]
async fn the_time_budget_stops_retrying() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        let policy = RetryPolicy::default()
            .max_attempts(100)
            .initial_backoff(Duration::from_millis(100))
            .multiplier(1.0)
            .time_budget(Duration::from_millis(300));
        let start = Instant::now();
        let err = client_for(&server)
            .albums()
            .get("A")
            .retry_policy(policy)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
        assert!(start.elapsed() < Duration::from_secs(2));
        assert!(requests(&server).await < 100);
    })
    .await
}

#[tokio::test]
async fn a_post_is_retried_only_when_the_caller_opts_in() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("NEW")))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .retry_policy(fast_retries())
            .build()
            .unwrap();

        let err = client
            .albums()
            .create(CreateAlbumRequest::default())
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(
            requests(&server).await,
            1,
            "a POST is not retried by default"
        );

        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("NEW")))
            .mount(&server)
            .await;
        let album = client
            .albums()
            .create(CreateAlbumRequest::default())
            .retry_policy(fast_retries().retry_non_idempotent(true))
            .send()
            .await
            .unwrap();
        assert_eq!(album.id.as_deref(), Some("NEW"));
        assert_eq!(requests(&server).await, 2);
    })
    .await
}

/// A token source that knows its scopes: calls of methods that accept none
/// of them fail before anything is sent; the others go out.
#[tokio::test]
async fn calls_needing_a_scope_the_token_lacks_are_not_sent() {
    struct Granted(Vec<String>);
    impl photoslibrary_v1::TokenSource for Granted {
        fn token<'a>(&'a self, _: &'a [&'a str]) -> photoslibrary_v1::TokenFuture<'a> {
            Box::pin(async { Ok("t".to_owned()) })
        }
        fn granted_scopes(&self) -> Option<Vec<String>> {
            Some(self.0.clone())
        }
    }
    bounded(async move {
        let (server, _) = serve(200, album_json("A")).await;
        let client = |scopes: &[&str]| {
            Client::builder()
                .base_url(server.uri())
                .token_source(Granted(scopes.iter().map(|s| s.to_string()).collect()))
                .build()
                .unwrap()
        };
        let appendonly = photoslibrary_v1::scopes::PHOTOSLIBRARY_APPENDONLY;
        let err = client(&[appendonly])
            .albums()
            .get("A")
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::ScopeNotGranted {
                method,
                accepted,
                granted,
            } => {
                assert_eq!(method, "photoslibrary.albums.get");
                assert!(accepted
                    .iter()
                    .any(|s| s.ends_with("photoslibrary.readonly.appcreateddata")));
                assert_eq!(granted, &[appendonly.to_owned()]);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.is_insufficient_scopes() && !err.is_retryable());
        assert_eq!(requests(&server).await, 0, "nothing was sent");
        let readonly = photoslibrary_v1::scopes::PHOTOSLIBRARY_READONLY_APPCREATEDDATA;
        client(&[appendonly, readonly])
            .albums()
            .get("A")
            .send()
            .await
            .unwrap();
        assert_eq!(requests(&server).await, 1);
        // The check a long operation makes once before it starts.
        assert!(client(&[readonly])
            .check_scopes("x.y", &[appendonly])
            .is_err());
        assert!(client(&[readonly]).check_scopes("x.y", &[]).is_ok());
    })
    .await
}

/// RFC 9110's idempotent methods are retried by default (a clean-up
/// `DELETE` survives one 503); `PATCH` is not; a call can opt out.
#[tokio::test]
async fn idempotent_methods_are_retried_by_default_and_others_are_not() {
    bounded(async move {
        let server = MockServer::start().await;
        let drive = drive_v3::Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .retry_policy(fast_retries())
            .build()
            .unwrap();
        let once_503 = || async {
            server.reset().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(503))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "F"})))
                .mount(&server)
                .await;
        };

        once_503().await;
        drive.files().delete("F").send().await.unwrap();
        assert_eq!(requests(&server).await, 2, "a DELETE is retried");

        once_503().await;
        let err = drive
            .files()
            .delete("F")
            .retry_policy(RetryPolicy::none())
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(requests(&server).await, 1, "a call's policy overrides");

        once_503().await;
        let err = drive
            .files()
            .update("F", Default::default())
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(requests(&server).await, 1, "a PATCH is not retried");
    })
    .await
}

#[tokio::test]
async fn an_html_502_page_is_an_api_error_with_the_body_excerpt() {
    bounded(async move {
        let server = MockServer::start().await;
        let html = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
        Mock::given(any())
            .respond_with(ResponseTemplate::new(502).set_body_raw(html, "text/html"))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .retry_policy(fast_retries())
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert_eq!(
            requests(&server).await,
            3,
            "502 is retried with the default 3 attempts"
        );
        match &err {
            Error::Api(api) => {
                assert_eq!(api.status.as_u16(), 502);
                assert!(api.error.is_none());
                assert_eq!(api.body_excerpt, html);
            }
            other => panic!("expected an API error, got {other:?}"),
        }
        assert!(err.to_string().contains("502"), "{err}");
    })
    .await
}

// ------------------------------------------------------------------ broken connections

/// A raw HTTP server on loopback: each connection reads a request, then gets
/// the next scripted reply (`None`: the connection is closed without one).
async fn raw_server(replies: Vec<Option<&'static str>>) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        for reply in replies {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *seen.lock().unwrap() += 1;
            let mut buf = vec![0u8; 8192];
            let _ = socket.read(&mut buf).await;
            if let Some(reply) = reply {
                let _ = socket.write_all(reply.as_bytes()).await;
            }
            drop(socket);
        }
    });
    (url, count)
}

const ALBUM_OK: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{\"id\": \"A\"}\n";

#[tokio::test]
async fn a_reset_connection_is_retried() {
    bounded(async move {
        let (url, count) = raw_server(vec![None, Some(ALBUM_OK)]).await;
        let client = Client::builder()
            .base_url(url)
            .bearer_token(TOKEN)
            .retry_policy(fast_retries())
            .build()
            .unwrap();
        let album = client.albums().get("A").send().await.unwrap();
        assert_eq!(album.id.as_deref(), Some("A"));
        assert_eq!(*count.lock().unwrap(), 2);
    })
    .await
}

#[tokio::test]
async fn a_reset_connection_without_retries_is_a_transport_error() {
    bounded(async move {
        let (url, _) = raw_server(vec![None]).await;
        let client = Client::builder()
            .base_url(url)
            .bearer_token(TOKEN)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert!(err.is_retryable());
    })
    .await
}

#[tokio::test]
async fn a_truncated_body_is_an_error_not_a_partial_value() {
    bounded(async move {
        let truncated = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"id\": \"A\", \"ti";
        let (url, _) = raw_server(vec![Some(truncated)]).await;
        let client = Client::builder()
            .base_url(url)
            .bearer_token(TOKEN)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");

        // A complete response whose JSON stops short is a decode error with the excerpt.
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"A\", \"ti"))
            .mount(&server)
            .await;
        match client_for(&server)
            .albums()
            .get("A")
            .send()
            .await
            .unwrap_err()
        {
            Error::Decode { body_excerpt, .. } => assert_eq!(body_excerpt, "{\"id\": \"A\", \"ti"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    })
    .await
}

// ------------------------------------------------------------------ timeouts

#[tokio::test]
async fn a_slow_server_times_out_within_the_client_default() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(album_json("A"))
                    .set_delay(Duration::from_secs(10)),
            )
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .timeout(Duration::from_millis(200))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let start = Instant::now();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Timeout), "{err:?}");
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
        assert!(err.to_string().contains("timed out"));
    })
    .await
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_client_default() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(album_json("A"))
                    .set_delay(Duration::from_millis(400)),
            )
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let album = client
            .albums()
            .get("A")
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(album.id.as_deref(), Some("A"));
        let start = Instant::now();
        let err = client
            .albums()
            .get("A")
            .retry_policy(RetryPolicy::none())
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Timeout), "{err:?}");
        assert!(start.elapsed() < Duration::from_secs(2));
    })
    .await
}

// ------------------------------------------------------------------ pagination

#[tokio::test]
async fn albums_list_items_follow_three_pages() {
    bounded(async move {
        let server = MockServer::start().await;
        let no_token = |r: &Request| !r.url.query_pairs().any(|(k, _)| k == "pageToken");
        Mock::given(method("GET"))
            .and(path("/v1/albums"))
            .and(no_token)
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"albums": [album_json("A1"), album_json("A2")], "nextPageToken": "T2"}),
            ))
            .mount(&server)
            .await;
        Mock::given(query_param("pageToken", "T2"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"albums": [album_json("A3")], "nextPageToken": "T3"})),
            )
            .mount(&server)
            .await;
        Mock::given(query_param("pageToken", "T3"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"albums": [album_json("A4")], "nextPageToken": ""})),
            )
            .mount(&server)
            .await;
        let albums: Vec<Album> = client_for(&server)
            .albums()
            .list()
            .page_size(2)
            .items()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<_> = albums.iter().map(|a| a.id.clone().unwrap()).collect();
        assert_eq!(ids, ["A1", "A2", "A3", "A4"]);
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 3);
        assert!(
            received
                .iter()
                .all(|r| r.url.query().unwrap().contains("pageSize=2")),
            "every page keeps the setters"
        );
    })
    .await
}

#[tokio::test]
async fn media_items_search_items_carry_the_token_in_the_body() {
    bounded(async move {
        let server = MockServer::start().await;
        let token_is = |t: Option<&'static str>| {
            move |r: &Request| {
                let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                body.get("pageToken").and_then(|v| v.as_str()) == t && body["albumId"] == "ALB"
            }
        };
        let page = |ids: &[&str], next: Option<&str>| {
            let items: Vec<_> = ids.iter().map(|id| media_item_json(id)).collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({"mediaItems": items, "nextPageToken": next}))
        };
        Mock::given(token_is(None))
            .respond_with(page(&["M1", "M2"], Some("P2")))
            .mount(&server)
            .await;
        Mock::given(token_is(Some("P2")))
            .respond_with(page(&["M3"], Some("P3")))
            .mount(&server)
            .await;
        Mock::given(token_is(Some("P3")))
            .respond_with(page(&["M4", "M5"], None))
            .mount(&server)
            .await;
        let request = SearchMediaItemsRequest {
            album_id: Some("ALB".into()),
            page_size: Some(2),
            ..Default::default()
        };
        let items: Vec<MediaItem> = client_for(&server)
            .media_items()
            .search(request)
            .items()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<_> = items.iter().map(|m| m.id.clone().unwrap()).collect();
        assert_eq!(ids, ["M1", "M2", "M3", "M4", "M5"]);
        assert_eq!(requests(&server).await, 3);
    })
    .await
}

#[tokio::test]
async fn a_repeated_page_token_ends_the_stream_with_an_error() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"albums": [album_json("A")], "nextPageToken": "SAME"})),
            )
            .mount(&server)
            .await;
        let pages: Vec<_> =
            futures_util::StreamExt::collect::<Vec<_>>(client_for(&server).albums().list().pages())
                .await;
        assert_eq!(pages.len(), 3, "two pages, then the error");
        assert!(pages[0].is_ok() && pages[1].is_ok());
        assert!(
            matches!(&pages[2], Err(Error::RepeatedPageToken { token }) if token == "SAME"),
            "{:?}",
            pages[2]
        );
        assert_eq!(requests(&server).await, 2);
    })
    .await
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(query_param("pageToken", "T2"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"albums": [album_json("A")], "nextPageToken": "T2"})),
            )
            .mount(&server)
            .await;
        let result: Result<Vec<Album>, Error> = client_for(&server)
            .albums()
            .list()
            .items()
            .try_collect()
            .await;
        assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(500));
    })
    .await
}

// ------------------------------------------------------------------ paths

#[tokio::test]
async fn injected_ids_never_leave_their_path_segment() {
    bounded(async move {
        let (server, client) = serve(200, album_json("x")).await;
        for (id, expected_path) in [
            ("a?b#c", "/v1/albums/a%3Fb%23c"),
            ("%2F", "/v1/albums/%252F"),
            ("a b&c=d", "/v1/albums/a%20b%26c%3Dd"),
        ] {
            server.reset().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_json(album_json("x")))
                .mount(&server)
                .await;
            client.albums().get(id).send().await.unwrap();
            let received = server.received_requests().await.unwrap();
            assert_eq!(received[0].url.path(), expected_path, "{id:?}");
            assert_eq!(received[0].url.query(), Some("prettyPrint=false"), "{id:?}");
        }
        server.reset().await;
        for bad in ["../mediaItems", "a/b", "", ".", ".."] {
            let err = client.albums().get(bad).send().await.unwrap_err();
            assert!(
                matches!(&err, Error::InvalidArgument { name, .. } if name == "albumId"),
                "{bad:?}: {err:?}"
            );
        }
        assert_eq!(requests(&server).await, 0, "rejected before any request");
    })
    .await
}

// ------------------------------------------------------------------ auth

#[tokio::test]
async fn a_failing_token_source_is_an_auth_error_and_sends_nothing() {
    bounded(async move {
        let server = MockServer::start().await;
        let tokens = token_fn(|_scopes: Vec<String>| async {
            Err::<String, BoxError>("refresh token revoked".into())
        });
        let client = Client::builder()
            .base_url(server.uri())
            .token_source(tokens)
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert!(err.to_string().contains("refresh token revoked"));
        assert!(!err.is_retryable());
        assert_eq!(requests(&server).await, 0);
    })
    .await
}

#[tokio::test]
async fn token_sources_receive_the_method_scopes() {
    bounded(async move {
        let (server, _) = serve(200, album_json("A")).await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let tokens = token_fn(move |scopes: Vec<String>| {
            record.lock().unwrap().push(scopes);
            async { Ok::<_, BoxError>("tok".to_string()) }
        });
        let client = Client::builder()
            .base_url(server.uri())
            .token_source(tokens)
            .build()
            .unwrap();
        client.albums().get("A").send().await.unwrap();
        let seen = seen.lock().unwrap().clone();
        // The scopes albums.get accepts since March 2025 (the lifecycle data
        // replaces the document's list).
        assert_eq!(
            seen[0],
            [photoslibrary_v1::scopes::PHOTOSLIBRARY_READONLY_APPCREATEDDATA.to_string()],
            "{seen:?}"
        );
        let auth = server.received_requests().await.unwrap()[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(auth, "Bearer tok");
    })
    .await
}

#[test]
fn tokens_never_appear_in_debug_output() {
    let token = "ya29.secret-value";
    assert!(!format!("{:?}", StaticToken::new(token)).contains("secret"));
    let builder = Client::builder().bearer_token(token);
    assert!(!format!("{builder:?}").contains("secret"));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("secret"));
}

#[tokio::test]
async fn requests_carry_user_agent_and_api_client_headers() {
    bounded(async move {
        let (server, client) = serve(200, album_json("A")).await;
        client.albums().get("A").send().await.unwrap();
        let request = &server.received_requests().await.unwrap()[0];
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(
            header("user-agent").as_deref(),
            Some("photoslibrary-v1/0.1.0")
        );
        assert!(header("x-goog-api-client").unwrap().contains("gdcl/0.1.0"));
    })
    .await
}

#[test]
fn client_builder_rejects_a_bad_base_url() {
    for bad in ["not a url", "ftp://example.com/", "http://example.com/?q=1"] {
        let err = Client::builder().base_url(bad).build().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "base_url"),
            "{bad}: {err:?}"
        );
    }
}

// ------------------------------------------------------------------ tracing

/// Records every span, field update and event as a line of text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line<'a>(&'a mut String);

impl tracing::field::Visit for Line<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Line(&mut line));
        let mut lines = self.0.lock().unwrap();
        lines.push(line);
        tracing::span::Id::from_u64(lines.len() as u64)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = "record".to_string();
        values.record(&mut Line(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("event {}", event.metadata().level());
        event.record(&mut Line(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_call_has_a_span_with_method_attempt_and_status_and_no_secrets() {
    bounded(async move {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A")))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .retry_policy(fast_retries())
            .build()
            .unwrap();
        client.albums().get("A").send().await.unwrap();

        let lines = capture.0.lock().unwrap().clone();
        let text = lines.join("\n");
        assert!(
            lines
                .iter()
                .any(|l| l == "span call method=\"photoslibrary.albums.get\""),
            "{text}"
        );
        assert!(text.contains("record attempt=1"), "{text}");
        assert!(text.contains("record status=503"), "{text}");
        assert!(text.contains("record attempt=2"), "{text}");
        assert!(text.contains("record status=200"), "{text}");
        assert!(
            lines.iter().any(|l| l.starts_with("event DEBUG")
                && l.contains("retrying")
                && l.contains("attempt=1")),
            "{text}"
        );
        assert!(
            !text.contains(TOKEN) && !text.contains("Bearer"),
            "a secret was logged: {text}"
        );
    })
    .await
}

// ---------------------------------------------- the API since March 2025

/// A per-day quota is not retried (retrying before the reset is futile) and
/// is recognisable; a per-minute 429 is retried.
#[tokio::test]
async fn an_exhausted_daily_quota_is_not_retried_and_says_so() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": {
                "code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service 'photoslibrary.googleapis.com' for consumer 'project_number:1'."
            }})))
            .mount(&server)
            .await;
        let err = client_for(&server)
            .albums()
            .list()
            .retry_policy(fast_retries())
            .send()
            .await
            .unwrap_err();
        assert!(err.is_quota_exhausted(), "{err:?}");
        assert!(err.to_string().contains("daily quota"), "{err}");
        assert_eq!(requests(&server).await, 1, "not retried");

        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(429).set_body_json(json!({"error": {
                "code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user'."
            }})))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        client_for(&server)
            .albums()
            .list()
            .retry_policy(fast_retries())
            .send()
            .await
            .unwrap();
        assert_eq!(requests(&server).await, 2, "a per-minute 429 is retried");
    })
    .await
}

/// "Insufficient authentication scopes" names the scopes the method accepts;
/// a withdrawn method's 403 says it was withdrawn and when.
#[tokio::test]
async fn scope_and_withdrawal_errors_say_what_to_do() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(path("/v1/albums"))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
                "code": 403, "status": "PERMISSION_DENIED",
                "message": "Request had insufficient authentication scopes."
            }})))
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums/A:share"))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
                "code": 403, "status": "PERMISSION_DENIED",
                "message": "The caller does not have permission"
            }})))
            .mount(&server)
            .await;
        let client = client_for(&server);
        let err = client.albums().list().send().await.unwrap_err();
        assert!(err.is_insufficient_scopes(), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(photoslibrary_v1::scopes::PHOTOSLIBRARY_READONLY_APPCREATEDDATA),
            "{text}"
        );
        let err = client
            .albums()
            .share("A", Default::default())
            .send()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(!err.is_insufficient_scopes());
        assert!(text.contains("Withdrawn on 31 March 2025"), "{text}");
    })
    .await
}
