//! What a hostile or broken server can send, and what the client must do:
//! absurd `Retry-After` values, streams that are slow but steady or stalled,
//! bodies larger than any real page, upload sessions that point elsewhere,
//! granularities and offsets that would overflow, downloads that stop early
//! or resume at the wrong place. Nothing may panic, hang or corrupt data.
//! Every test is bounded by `support::bounded`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use photoslibrary_v1::download::BaseUrlOptions;
use photoslibrary_v1::files::Downloaded;
use photoslibrary_v1::models::MediaItem;
use photoslibrary_v1::{Client, Error, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod support;
use support::*;

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

// ------------------------------------------------------------ Retry-After

#[tokio::test]
async fn a_retry_after_of_u64_max_after_a_slow_attempt_fails_cleanly() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(503)
                    .insert_header("Retry-After", "18446744073709551615")
                    .set_delay(Duration::from_millis(1100)),
            )
            .mount(&server)
            .await;
        let err = client(&server.uri())
            .albums()
            .get("A")
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::RetryAfterTooLong { requested, max, .. } => {
                assert_eq!(*requested, Duration::from_secs(u64::MAX));
                assert_eq!(*max, Duration::from_secs(300));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("18446744073709551615 s"), "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    })
    .await
}

#[tokio::test]
async fn a_wait_beyond_max_retry_after_is_refused() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "2"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A")))
            .mount(&server)
            .await;
        let strict = fast_retries().max_retry_after(Duration::from_secs(1));
        let err = client(&server.uri())
            .albums()
            .get("A")
            .retry_policy(strict)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::RetryAfterTooLong { .. }), "{err:?}");
        assert!(!err.is_retryable());
    })
    .await
}

#[tokio::test]
async fn http_dates_with_absurd_years_fall_back_to_backoff() {
    bounded(async {
        for date in [
            "Sun, 06 Nov 99999999999 08:49:37 GMT",
            "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
            "Sun, 06 Nov -9223372036854775808 08:49:37 GMT",
            "Sun, 99 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
        ] {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", date))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A")))
                .mount(&server)
                .await;
            let album = client(&server.uri()).albums().get("A").send().await;
            assert!(album.is_ok(), "{date:?}: {album:?}");
        }
    })
    .await
}

// ------------------------------------------------------------ streams

/// A raw HTTP server that answers one request with `head`, then sends `pieces`
/// pieces of `piece` bytes, `gap` apart, then stops sending (keeping the
/// connection open for `linger`).
async fn trickle_server(
    head: String,
    pieces: usize,
    piece: usize,
    gap: Duration,
    linger: Duration,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let head = head.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(head.as_bytes()).await;
                for _ in 0..pieces {
                    tokio::time::sleep(gap).await;
                    if socket.write_all(&vec![b'x'; piece]).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(linger).await;
            });
        }
    });
    format!("http://{addr}")
}

fn item_with_base_url(id: &str, base_url: String) -> MediaItem {
    MediaItem {
        id: Some(id.into()),
        filename: Some("clip.jpg".into()),
        base_url: Some(base_url),
        mime_type: Some("image/jpeg".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_slow_but_steady_download_outlasts_the_timeout() {
    bounded(async {
        // 12 pieces 150 ms apart: 1.8 s in all, with a 600 ms timeout.
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 12000\r\n\r\n".to_string();
        let base = trickle_server(head, 12, 1000, Duration::from_millis(150), Duration::ZERO).await;
        let client = Client::builder()
            .base_url(base.clone())
            .bearer_token(TOKEN)
            .timeout(Duration::from_millis(600))
            .idle_timeout(Duration::from_millis(600))
            .build()
            .unwrap();
        let item = item_with_base_url("M1", format!("{base}/lh3/M1"));
        let mut out = Vec::new();
        let written = client
            .download_media_item(&item, &BaseUrlOptions::new(), &mut out)
            .await
            .unwrap();
        assert_eq!(written, 12000);
    })
    .await
}

#[tokio::test]
async fn a_slow_but_steady_upload_outlasts_the_timeout() {
    bounded(async {
        // A server with a small receive buffer that reads at most 128 KiB a
        // millisecond. 64 MiB then take seconds, far longer than the 700 ms
        // timeout, while what the client's socket buffer (at most 4 MiB here)
        // holds after the last piece drains well within it, even on a busy
        // machine.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(64 * 1024).unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(8).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let total = 64 << 20;
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (mut head, mut head_end, mut received) = (Vec::new(), None, 0);
            let mut buf = vec![0u8; 128 * 1024];
            loop {
                let n = socket.read(&mut buf).await.unwrap();
                if head_end.is_none() {
                    head.extend_from_slice(&buf[..n]);
                    head_end = head.windows(4).position(|w| w == b"\r\n\r\n");
                    received = head_end.map_or(0, |end| head.len() - end - 4);
                } else {
                    received += n;
                }
                if received >= total || n == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // The answer's body comes a moment after its headers: it is read
            // under a deadline that starts with the answer, not the upload.
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
                .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let _ = socket.write_all(b"TOKEN").await;
        });
        let client = Client::builder()
            .base_url(base)
            .bearer_token(TOKEN)
            .timeout(Duration::from_millis(700))
            .idle_timeout(Duration::from_millis(700))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let token = client
            .uploads()
            .bytes(vec![7u8; total], "image/jpeg", "big.jpg")
            .resumable_threshold(u64::MAX)
            .send()
            .await
            .unwrap();
        assert_eq!(token, "TOKEN");
    })
    .await
}

#[tokio::test]
async fn a_stalled_download_times_out_and_keeps_its_part_file() {
    bounded(async {
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 10000\r\n\r\n".to_string();
        let base = trickle_server(
            head,
            2,
            1000,
            Duration::from_millis(10),
            Duration::from_secs(30),
        )
        .await;
        let client = Client::builder()
            .base_url(base.clone())
            .bearer_token(TOKEN)
            .idle_timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let dir = tempdir("stalled");
        let item = item_with_base_url("M1", format!("{base}/lh3/M1"));
        let err = client
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Timeout), "{err:?}");
        let part = dir.join(format!(".{}.part", item.local_file_name().unwrap()));
        assert_eq!(
            std::fs::metadata(&part).unwrap().len(),
            2000,
            "kept for a rerun"
        );
        assert!(!dir.join(item.local_file_name().unwrap()).exists());
    })
    .await
}

#[tokio::test]
async fn a_download_shorter_than_its_content_length_is_an_error() {
    bounded(async {
        // Announces 10 000 bytes, sends 3 000 and closes.
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 10000\r\n\r\n".to_string();
        let base = trickle_server(head, 3, 1000, Duration::from_millis(1), Duration::ZERO).await;
        let client = Client::builder()
            .base_url(base.clone())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let dir = tempdir("short");
        let item = item_with_base_url("M1", format!("{base}/lh3/M1"));
        let result = client
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await;
        assert!(result.is_err(), "{result:?}");
        assert!(!dir.join(item.local_file_name().unwrap()).exists());
    })
    .await
}

/// Serves `content` with `Range` and `If-Range` support (version `etag`),
/// recording each request's `Range`.
#[derive(Clone)]
struct Ranged {
    content: Vec<u8>,
    ranges: Arc<Mutex<Vec<Option<String>>>>,
    /// Answer ranges at this offset instead of the one asked for.
    wrong_start: Option<usize>,
    etag: &'static str,
}

impl Respond for Ranged {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let range = r
            .headers
            .get("range")
            .map(|v| v.to_str().unwrap().to_string());
        self.ranges.lock().unwrap().push(range.clone());
        let whole = ResponseTemplate::new(200)
            .insert_header("ETag", self.etag)
            .set_body_raw(self.content.clone(), "image/jpeg");
        let Some(range) = range else {
            return whole;
        };
        // A range of another version than the client has: the whole file.
        if r.headers.get("if-range").is_some_and(|v| v != self.etag) {
            return whole;
        }
        let start: usize = range
            .strip_prefix("bytes=")
            .and_then(|r| r.strip_suffix('-'))
            .unwrap()
            .parse()
            .unwrap();
        if start >= self.content.len() {
            return ResponseTemplate::new(416);
        }
        let start = self.wrong_start.unwrap_or(start);
        let len = self.content.len();
        ResponseTemplate::new(206)
            .insert_header("Content-Range", format!("bytes {start}-{}/{len}", len - 1))
            .set_body_raw(self.content[start..].to_vec(), "image/jpeg")
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The partial download an earlier, interrupted run of this client left:
/// the `.part` file (mode 0600) and the version file beside it.
fn earlier_run(dir: &std::path::Path, name: &str, bytes: &[u8], etag: &str) {
    let part = dir.join(format!(".{name}.part"));
    std::fs::write(&part, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(dir.join(format!(".{name}.part.version")), etag).unwrap();
}

async fn ranged_server(ranged: &Ranged) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/lh3/M1"))
        .respond_with(ranged.clone())
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_interrupted_download_resumes_with_a_range_request() {
    bounded(async {
        let content: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let ranged = Ranged {
            content: content.clone(),
            ranges: Default::default(),
            wrong_start: None,
            etag: "\"v1\"",
        };
        let server = ranged_server(&ranged).await;
        let dir = tempdir("resume");
        let item = item_with_base_url("M1", format!("{}/lh3/M1", server.uri()));
        let name = item.local_file_name().unwrap();
        // An earlier run got 20 000 bytes.
        earlier_run(&dir, &name, &content[..20_000], "\"v1\"");
        let done = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap();
        assert_eq!(
            done,
            Downloaded::Complete {
                path: dir.join(&name),
                bytes: 50_000,
                resumed_from: 20_000
            }
        );
        assert_eq!(std::fs::read(dir.join(&name)).unwrap(), content);
        assert_eq!(
            *ranged.ranges.lock().unwrap(),
            [Some("bytes=20000-".to_string())]
        );
        assert!(!dir.join(format!(".{name}.part")).exists());
        // A rerun fetches nothing.
        let again = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap();
        assert!(matches!(again, Downloaded::AlreadyThere { .. }));
        assert_eq!(ranged.ranges.lock().unwrap().len(), 1);
    })
    .await
}

/// Two downloads of one file at once (overlapping runs): the second finds
/// the partial file held and stops, neither appending to it nor finishing
/// it; once the first is done, the file downloads whole.
#[tokio::test]
async fn a_partial_file_another_download_holds_is_left_to_it() {
    bounded(async {
        let content: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let ranged = Ranged {
            content: content.clone(),
            ranges: Default::default(),
            wrong_start: None,
            etag: "\"v1\"",
        };
        let server = ranged_server(&ranged).await;
        let dir = tempdir("held");
        let item = item_with_base_url("M1", format!("{}/lh3/M1", server.uri()));
        let name = item.local_file_name().unwrap();
        earlier_run(&dir, &name, &content[..20_000], "\"v1\"");
        let part = dir.join(format!(".{name}.part"));
        let holder = std::fs::File::open(&part).unwrap();
        holder.lock().unwrap();
        let error = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("another download of this file is under way"),
            "{error}"
        );
        assert_eq!(
            std::fs::read(&part).unwrap(),
            &content[..20_000],
            "untouched"
        );
        assert!(!dir.join(&name).exists(), "not finished by the second");
        drop(holder);
        let done = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap();
        assert!(matches!(done, Downloaded::Complete { .. }), "{done:?}");
        assert_eq!(std::fs::read(dir.join(&name)).unwrap(), content);
    })
    .await
}

#[tokio::test]
async fn a_file_that_changed_between_runs_is_fetched_whole_not_spliced() {
    bounded(async {
        let new: Vec<u8> = vec![2u8; 30_000];
        let dir = tempdir("changed");
        // The first run sees version v1 and stops after 10 000 bytes.
        let head = "HTTP/1.1 200 OK\r\netag: \"v1\"\r\ncontent-length: 30000\r\n\r\n".to_string();
        let base = trickle_server(head, 10, 1000, Duration::from_millis(1), Duration::ZERO).await;
        let first = Client::builder()
            .base_url(base.clone())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let item = item_with_base_url("M1", format!("{base}/lh3/M1"));
        assert!(first
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .is_err());
        // The second run finds version v2 behind the same URL.
        let v2 = Ranged {
            content: new.clone(),
            ranges: Default::default(),
            wrong_start: None,
            etag: "\"v2\"",
        };
        let server = ranged_server(&v2).await;
        let item = item_with_base_url("M1", format!("{}/lh3/M1", server.uri()));
        let done = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap();
        assert!(
            matches!(
                done,
                Downloaded::Complete {
                    resumed_from: 0,
                    ..
                }
            ),
            "{done:?}"
        );
        let name = item.local_file_name().unwrap();
        assert_eq!(
            std::fs::read(dir.join(&name)).unwrap(),
            new,
            "no v1 bytes spliced in"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    })
    .await
}

#[tokio::test]
async fn a_resume_at_the_wrong_offset_is_refused_and_an_unsatisfiable_one_restarts() {
    bounded(async {
        let content: Vec<u8> = (0..10_000u32).map(|i| (i % 13) as u8).collect();
        let wrong = Ranged {
            content: content.clone(),
            ranges: Default::default(),
            wrong_start: Some(0),
            etag: "\"v1\"",
        };
        let server = ranged_server(&wrong).await;
        let dir = tempdir("wrong-offset");
        let item = item_with_base_url("M1", format!("{}/lh3/M1", server.uri()));
        let name = item.local_file_name().unwrap();
        earlier_run(&dir, &name, &content[..4000], "\"v1\"");
        let err = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        assert!(!dir.join(&name).exists());

        // A part file longer than the content: 416, so start over.
        let fine = Ranged {
            content: content.clone(),
            ranges: Default::default(),
            wrong_start: None,
            etag: "\"v1\"",
        };
        let server = ranged_server(&fine).await;
        let item = item_with_base_url("M1", format!("{}/lh3/M1", server.uri()));
        earlier_run(&dir, &name, &[9u8; 20_000], "\"v1\"");
        client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap();
        assert_eq!(std::fs::read(dir.join(&name)).unwrap(), content);
    })
    .await
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_planted_at_the_file_names_are_not_followed() {
    bounded(async {
        let ranged = Ranged {
            content: b"bytes".to_vec(),
            ranges: Default::default(),
            wrong_start: None,
            etag: "\"v1\"",
        };
        let server = ranged_server(&ranged).await;
        let dir = tempdir("planted");
        let outside = tempdir("planted-outside").join("victim");
        std::fs::write(&outside, b"precious").unwrap();
        let item = item_with_base_url("M1", format!("{}/lh3/M1", server.uri()));
        let name = item.local_file_name().unwrap();
        std::os::unix::fs::symlink(&outside, dir.join(format!(".{name}.part"))).unwrap();
        let err = client(&server.uri())
            .download_media_item_to(&item, &BaseUrlOptions::new(), &dir)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
    })
    .await
}

// ------------------------------------------------------------ bounds

#[tokio::test]
async fn a_body_larger_than_the_limit_is_refused() {
    bounded(async {
        let server = MockServer::start().await;
        let huge = json!({"id": "A", "title": "x".repeat(200_000)});
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(huge))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .max_response_bytes(64 * 1024)
            .build()
            .unwrap();
        let err = client.albums().get("A").send().await.unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { limit: 65536 }),
            "{err:?}"
        );
    })
    .await
}

#[tokio::test]
async fn an_announced_huge_body_fails_before_it_is_read() {
    bounded(async {
        // Claims 1 TB and then sends a little, slowly: the client must not wait.
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 1000000000000\r\n\r\n".to_string();
        let base = trickle_server(
            head,
            1,
            10,
            Duration::from_millis(1),
            Duration::from_secs(30),
        )
        .await;
        let err = client(&base).albums().get("A").send().await.unwrap_err();
        assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    })
    .await
}

#[tokio::test]
async fn a_huge_error_body_is_cut_not_buffered() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(400).set_body_string("e".repeat(8 << 20)))
            .mount(&server)
            .await;
        let err = client(&server.uri())
            .albums()
            .get("A")
            .send()
            .await
            .unwrap_err();
        match err {
            Error::Api(api) => {
                assert_eq!(api.status.as_u16(), 400);
                assert_eq!(api.body_excerpt.len(), 1024);
            }
            other => panic!("{other:?}"),
        }
    })
    .await
}

// ------------------------------------------------------------ tokens

#[test]
fn plain_http_is_only_for_this_machine_unless_opted_in() {
    for local in [
        "http://127.0.0.1:1/",
        "http://localhost:8080/",
        "http://[::1]/",
    ] {
        assert!(Client::builder().base_url(local).build().is_ok(), "{local}");
    }
    for remote in [
        "http://photoslibrary.googleapis.com/",
        "http://10.1.2.3/",
        "http://localhost.evil/",
    ] {
        let err = Client::builder().base_url(remote).build().unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{remote}: {err}");
        assert!(Client::builder()
            .base_url(remote)
            .allow_insecure_http(true)
            .build()
            .is_ok());
    }
    assert!(Client::builder()
        .base_url("https://photoslibrary.googleapis.com/")
        .build()
        .is_ok());
    // A proxy elsewhere would carry a plain-http request, token included,
    // across the network.
    let through = || {
        Client::builder()
            .base_url("http://127.0.0.1:1/")
            .proxy("http://10.1.2.3:3128")
    };
    let err = through().build().unwrap_err();
    assert!(err.to_string().contains("unencrypted"), "{err}");
    assert!(through().allow_insecure_http(true).build().is_ok());
}

/// A Photos upload server whose start answer is `start`.
async fn photos_upload_server(start: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/uploads"))
        .and(header("x-goog-upload-command", "start"))
        .respond_with(start)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_photos_upload_session_elsewhere_over_http_gets_no_token() {
    bounded(async {
        let start = ResponseTemplate::new(200)
            .insert_header("X-Goog-Upload-URL", "http://127.0.0.2:9/steal")
            .insert_header("X-Goog-Upload-Chunk-Granularity", "262144");
        let server = photos_upload_server(start).await;
        let err = client(&server.uri())
            .uploads()
            .bytes(vec![1u8; 100], "video/mp4", "clip.mp4")
            .resumable_threshold(0)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    })
    .await
}

#[tokio::test]
async fn granularities_that_would_overflow_or_exhaust_memory_are_refused() {
    bounded(async {
        for granularity in ["18446744073709551615", "0", "-5", "lots", "1073741824"] {
            let server = MockServer::start().await;
            let start = ResponseTemplate::new(200)
                .insert_header("X-Goog-Upload-URL", format!("{}/s", server.uri()))
                .insert_header("X-Goog-Upload-Chunk-Granularity", granularity);
            Mock::given(method("POST"))
                .and(path("/v1/uploads"))
                .respond_with(start)
                .mount(&server)
                .await;
            let err = client(&server.uri())
                .uploads()
                .bytes(vec![1u8; 100], "video/mp4", "clip.mp4")
                .resumable_threshold(0)
                .chunk_size(u64::MAX)
                .send()
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::Protocol { .. }),
                "{granularity}: {err:?}"
            );
        }
    })
    .await
}

// ------------------------------------------------------------ Photos retries

#[tokio::test]
async fn raw_uploads_and_session_starts_are_retried() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/uploads"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/uploads"))
            .and(header("x-goog-upload-protocol", "raw"))
            .respond_with(ResponseTemplate::new(200).set_body_string("TOKEN-RAW"))
            .mount(&server)
            .await;
        let token = client(&server.uri())
            .uploads()
            .bytes(vec![1u8; 100], "image/jpeg", "a.jpg")
            .send()
            .await
            .unwrap();
        assert_eq!(token, "TOKEN-RAW");
        assert_eq!(server.received_requests().await.unwrap().len(), 2);

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/uploads"))
            .respond_with(ResponseTemplate::new(429))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/uploads"))
            .and(header("x-goog-upload-command", "start"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Goog-Upload-URL", format!("{}/s", server.uri())),
            )
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/s"))
            .respond_with(ResponseTemplate::new(200).set_body_string("TOKEN-RESUMABLE"))
            .mount(&server)
            .await;
        let token = client(&server.uri())
            .uploads()
            .bytes(vec![1u8; 100], "video/mp4", "a.mp4")
            .resumable_threshold(0)
            .send()
            .await
            .unwrap();
        assert_eq!(token, "TOKEN-RESUMABLE");
    })
    .await
}

#[tokio::test]
async fn a_failing_offset_query_is_retried_not_fatal() {
    bounded(async {
        #[derive(Clone, Default)]
        struct Flaky(Arc<Mutex<(Vec<u8>, Vec<String>)>>);
        impl Respond for Flaky {
            fn respond(&self, r: &Request) -> ResponseTemplate {
                let mut s = self.0.lock().unwrap();
                let command = r.headers["x-goog-upload-command"]
                    .to_str()
                    .unwrap()
                    .to_string();
                s.1.push(command.clone());
                let queries = s.1.iter().filter(|c| *c == "query").count();
                match command.as_str() {
                    // The first query fails; the second tells the truth.
                    "query" if queries == 1 => ResponseTemplate::new(503),
                    "query" => ResponseTemplate::new(200)
                        .insert_header("X-Goog-Upload-Status", "active")
                        .insert_header("X-Goog-Upload-Size-Received", s.0.len().to_string()),
                    // The first data command fails without storing anything.
                    _ if s.1.len() == 1 => ResponseTemplate::new(503),
                    c => {
                        s.0.extend_from_slice(&r.body);
                        if c.contains("finalize") {
                            ResponseTemplate::new(200).set_body_string("TOKEN")
                        } else {
                            ResponseTemplate::new(200)
                        }
                    }
                }
            }
        }
        let flaky = Flaky::default();
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/uploads"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Goog-Upload-URL", format!("{}/s", server.uri()))
                    .insert_header("X-Goog-Upload-Chunk-Granularity", "1000"),
            )
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/s"))
            .respond_with(flaky.clone())
            .mount(&server)
            .await;
        let input: Vec<u8> = (0..2500u32).map(|i| i as u8).collect();
        let token = client(&server.uri())
            .uploads()
            .bytes(input.clone(), "video/mp4", "a.mp4")
            .resumable_threshold(0)
            .chunk_size(1000)
            .retry_policy(fast_retries().max_attempts(4))
            .send()
            .await
            .unwrap();
        assert_eq!(token, "TOKEN");
        assert_eq!(flaky.0.lock().unwrap().0, input);
    })
    .await
}

// ------------------------------------------------------------ pagination

#[tokio::test]
async fn endless_empty_pages_with_new_tokens_end_the_items_stream() {
    bounded(async {
        struct Endless(std::sync::atomic::AtomicUsize);
        impl Respond for Endless {
            fn respond(&self, _: &Request) -> ResponseTemplate {
                let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ResponseTemplate::new(200).set_body_json(json!({"nextPageToken": format!("t{n}")}))
            }
        }
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(Endless(Default::default()))
            .mount(&server)
            .await;
        let items: Vec<_> = futures_util::StreamExt::collect::<Vec<_>>(
            client(&server.uri()).albums().list().items(),
        )
        .await;
        assert_eq!(items.len(), 1, "one error, then the end");
        assert!(
            matches!(&items[0], Err(Error::Protocol { .. })),
            "{:?}",
            items[0]
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1000);
    })
    .await
}
