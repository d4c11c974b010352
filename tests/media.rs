//! Media upload (multipart and resumable, with resumption after an
//! interruption) and streaming download, on the crate generated from
//! drive.v3 (the Photos document describes neither).

use std::io::Cursor;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drive_v3::media::Media;
use drive_v3::models::File;
use drive_v3::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod support;
use support::bounded;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(format!("{}/drive/v3/", server.uri()))
        .bearer_token("token")
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap()
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn metadata() -> File {
    File {
        name: Some("holiday.jpg".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn small_media_goes_in_one_multipart_request() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/upload/drive/v3/files"))
            .and(query_param("uploadType", "multipart"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": "F1", "name": "holiday.jpg", "size": "5"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let file = client(&server)
            .files()
            .create(metadata())
            .upload(Media::from_bytes(b"hello".to_vec(), "image/jpeg"))
            .await
            .unwrap();
        assert_eq!(file.id.as_deref(), Some("F1"));

        let request = &server.received_requests().await.unwrap()[0];
        let content_type = request
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let boundary = content_type
            .strip_prefix("multipart/related; boundary=")
            .expect("multipart/related");
        let body = String::from_utf8(request.body.clone()).unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"holiday.jpg\"}}\r\n--{boundary}\r\nContent-Type: image/jpeg\r\n\r\nhello\r\n--{boundary}--"
        );
        assert_eq!(body, expected);
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            "Bearer token"
        );
    })
    .await
}

/// A resumable-upload server: keeps what it receives, answers 308 with the
/// range it has, and can fail or half-accept chunks on demand.
#[derive(Clone, Default)]
struct Resumable(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    data: Vec<u8>,
    /// Content-Range headers of every PUT, in order.
    ranges: Vec<String>,
    /// Fail this many upcoming data PUTs with 503, storing nothing.
    fail: usize,
    /// Store only this many bytes of the next data PUT.
    accept_partial: Option<usize>,
    /// Fail the data PUT with this index (0-based) with 503, storing nothing.
    fail_put: Option<usize>,
    /// Data PUTs seen so far.
    puts: usize,
    /// Answer every data PUT with this `Range` header value instead of the
    /// truth, storing nothing (a server that never advances or lies).
    range_override: Option<String>,
    /// A PUT that started before what the server already had.
    resent: bool,
    /// At the data PUT with this index, lose all but this many bytes and
    /// say so (a server that lost part of what it had acknowledged).
    forget_at: Option<(usize, usize)>,
    /// Answer the data PUTs with these `Range` values in turn, storing nothing.
    range_cycle: Vec<String>,
}

impl Respond for Resumable {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        let range = request
            .headers
            .get("content-range")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        state.ranges.push(range.clone());
        let (span, total) = range
            .strip_prefix("bytes ")
            .unwrap()
            .split_once('/')
            .unwrap();
        let total: Option<usize> = total.parse().ok();
        if span != "*" {
            let n = state.puts;
            state.puts += 1;
            if let Some(range) = state.range_override.clone() {
                return ResponseTemplate::new(308).insert_header("Range", range.as_str());
            }
            if !state.range_cycle.is_empty() {
                let range = state.range_cycle[n % state.range_cycle.len()].clone();
                return ResponseTemplate::new(308).insert_header("Range", range.as_str());
            }
            if let Some((at, keep)) = state.forget_at {
                if at == n {
                    state.data.truncate(keep);
                    return ResponseTemplate::new(308)
                        .insert_header("Range", format!("bytes=0-{}", keep - 1));
                }
            }
            if state.fail_put == Some(n) {
                return ResponseTemplate::new(503);
            }
            if state.fail > 0 {
                state.fail -= 1;
                return ResponseTemplate::new(503);
            }
            let start: usize = span.split('-').next().unwrap().parse().unwrap();
            if start < state.data.len() {
                state.resent = true;
            }
            assert!(start <= state.data.len(), "a gap in the upload");
            let keep = state
                .accept_partial
                .take()
                .unwrap_or(request.body.len())
                .min(request.body.len());
            state.data.truncate(start);
            state.data.extend_from_slice(&request.body[..keep]);
        }
        if total == Some(state.data.len()) {
            return ResponseTemplate::new(200)
                .set_body_json(json!({"id": "BIG", "size": state.data.len().to_string()}));
        }
        let response = ResponseTemplate::new(308);
        if state.data.is_empty() {
            response
        } else {
            response.insert_header("Range", format!("bytes=0-{}", state.data.len() - 1))
        }
    }
}

async fn resumable_server(state: &Resumable) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/resumable/upload/drive/v3/files"))
        .and(query_param("uploadType", "resumable"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Location", format!("{}/session/abc", server.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/session/abc"))
        .respond_with(state.clone())
        .mount(&server)
        .await;
    server
}

const KIB: usize = 1024;

#[tokio::test]
async fn large_media_is_sent_resumably_in_256_kib_multiples() {
    bounded(async move {
        let state = Resumable::default();
        let server = resumable_server(&state).await;
        let input = data(600 * KIB);
        let media = Media::from_bytes(input.clone(), "video/mp4")
            .multipart_threshold(100 * KIB as u64)
            .chunk_size(256 * KIB);
        let file = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap();
        assert_eq!(file.id.as_deref(), Some("BIG"));
        {
            let state = state.0.lock().unwrap();
            assert_eq!(state.data, input);
            assert_eq!(
                state.ranges,
                [
                    "bytes 0-262143/614400",
                    "bytes 262144-524287/614400",
                    "bytes 524288-614399/614400"
                ]
            );
        }

        let start = &server.received_requests().await.unwrap()[0];
        assert_eq!(
            start.headers.get("x-upload-content-type").unwrap(),
            "video/mp4"
        );
        assert_eq!(
            start.headers.get("x-upload-content-length").unwrap(),
            "614400"
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&start.body).unwrap(),
            json!({"name": "holiday.jpg"})
        );
    })
    .await
}

#[tokio::test]
async fn an_interrupted_upload_resumes_without_resending_what_the_server_has() {
    bounded(async move {
        let state = Resumable::default();
        {
            let mut s = state.0.lock().unwrap();
            s.accept_partial = Some(100 * KIB); // the first chunk only partly lands
            s.fail_put = Some(1); // and the next PUT fails: the client must ask for the offset
        }
        let server = resumable_server(&state).await;
        let input = data(700 * KIB);
        let reader = Cursor::new(input.clone());
        let media =
            Media::from_reader(reader, Some(input.len() as u64), "application/octet-stream")
                .multipart_threshold(0)
                .chunk_size(256 * KIB);

        let file = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await;
        assert_eq!(file.unwrap().id.as_deref(), Some("BIG"));
        let state = state.0.lock().unwrap();
        assert_eq!(state.data, input);
        assert!(
            !state.resent,
            "bytes the server had were sent again: {:?}",
            state.ranges
        );
        assert!(
            state.ranges.iter().any(|r| r == "bytes */716800"),
            "the client queried the offset: {:?}",
            state.ranges
        );
        assert_eq!(state.ranges[0], "bytes 0-262143/716800");
        assert_eq!(
            state.ranges[1], "bytes 102400-262143/716800",
            "the rest of the first chunk"
        );
    })
    .await
}

/// Uploads 600 KiB in 256 KiB chunks to a server that answers every chunk with
/// `range`, and returns the error and the number of data PUTs.
async fn upload_against_a_lying_server(range: &str) -> (Error, usize) {
    let state = Resumable::default();
    state.0.lock().unwrap().range_override = Some(range.to_owned());
    let server = resumable_server(&state).await;
    let media = Media::from_bytes(data(600 * KIB), "video/mp4")
        .multipart_threshold(0)
        .chunk_size(256 * KIB);
    let err = client(&server)
        .files()
        .create(metadata())
        .upload(media)
        .await
        .unwrap_err();
    let puts = state.0.lock().unwrap().puts;
    (err, puts)
}

#[tokio::test]
async fn a_server_that_never_advances_the_offset_fails_the_upload_in_bounded_attempts() {
    bounded(async move {
        // "bytes=0-0": one byte, for ever.
        let (err, puts) = upload_against_a_lying_server("bytes=0-0").await;
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        assert!(err.to_string().contains("no progress"), "{err}");
        assert!(
            puts <= 4,
            "bounded by the retry policy's attempts: {puts} PUTs"
        );
    })
    .await
}

#[tokio::test]
async fn an_offset_beyond_what_was_sent_is_rejected_before_more_bytes_go_out() {
    bounded(async move {
        let (err, puts) = upload_against_a_lying_server("bytes=0-999999").await;
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        assert!(err.to_string().contains("only 262144 were sent"), "{err}");
        assert_eq!(puts, 1, "nothing is sent under a wrong offset");
    })
    .await
}

#[tokio::test]
async fn malformed_and_overflowing_ranges_are_errors_not_panics() {
    bounded(async move {
        for range in [
            "bytes=0-18446744073709551615",
            "bytes=0-abc",
            "bytes=5-10",
            "bytes=0--1",
            "",
        ] {
            let (err, _) = upload_against_a_lying_server(range).await;
            assert!(matches!(err, Error::Protocol { .. }), "{range:?}: {err:?}");
        }
    })
    .await
}

#[tokio::test]
async fn the_token_goes_only_to_https_or_same_origin_upload_sessions() {
    bounded(async move {
        let server = MockServer::start().await;
        // A plain-http session URL on another host (port 9 of 127.0.0.2: nothing
        // listens there, and nothing must be sent).
        Mock::given(method("POST"))
            .and(path("/resumable/upload/drive/v3/files"))
            .respond_with(
                ResponseTemplate::new(200).insert_header("Location", "http://127.0.0.2:9/steal"),
            )
            .mount(&server)
            .await;
        let media = Media::from_bytes(data(10), "video/mp4").multipart_threshold(0);
        let err = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        assert!(err.to_string().contains("token is not sent"), "{err}");
    })
    .await
}

#[tokio::test]
async fn a_failed_session_start_is_retried_although_it_is_a_post() {
    bounded(async move {
        let state = Resumable::default();
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/resumable/upload/drive/v3/files"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/resumable/upload/drive/v3/files"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("Location", format!("{}/session/abc", server.uri())),
            )
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path("/session/abc"))
            .respond_with(state.clone())
            .mount(&server)
            .await;
        let input = data(300 * KIB);
        let media = Media::from_bytes(input.clone(), "video/mp4").multipart_threshold(0);
        let file = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap();
        assert_eq!(file.id.as_deref(), Some("BIG"));
        assert_eq!(state.0.lock().unwrap().data, input);
    })
    .await
}

#[tokio::test]
async fn media_of_unknown_length_is_streamed_with_an_open_total() {
    bounded(async move {
        let state = Resumable::default();
        let server = resumable_server(&state).await;
        let input = data(300 * KIB);
        let media = Media::from_reader(Cursor::new(input.clone()), None, "application/zip")
            .chunk_size(256 * KIB);
        client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap();
        let state = state.0.lock().unwrap();
        assert_eq!(state.data, input);
        assert_eq!(
            state.ranges,
            ["bytes 0-262143/*", "bytes 262144-307199/307200"]
        );
    })
    .await
}

#[tokio::test]
async fn the_documented_maximum_size_is_checked_before_any_byte_is_sent() {
    bounded(async move {
        let server = MockServer::start().await;
        let too_big = 5121 * 1024 * 1024 * 1024u64; // drive.v3's maxSize is 5120GB
        let media = Media::from_reader(tokio::io::empty(), Some(too_big), "video/mp4");
        let err = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "media"),
            "{err:?}"
        );
        assert!(err.to_string().contains("maximum"), "{err}");
        assert!(server.received_requests().await.unwrap().is_empty());
    })
    .await
}

#[tokio::test]
async fn download_streams_the_media_into_a_writer() {
    bounded(async move {
        let server = MockServer::start().await;
        let content = data(1024 * KIB);
        Mock::given(method("GET"))
            .and(path("/download/drive/v3/files/F1"))
            .and(query_param("alt", "media"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(content.clone(), "image/jpeg"))
            .expect(1)
            .mount(&server)
            .await;
        let mut out = Vec::new();
        let written = client(&server)
            .files()
            .get("F1")
            .download(&mut out)
            .await
            .unwrap();
        assert_eq!(written, content.len() as u64);
        assert_eq!(out, content);
    })
    .await
}

#[tokio::test]
async fn a_failed_download_writes_nothing_and_reports_the_status() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {"code": 403, "message": "The user does not have sufficient permissions", "status": "PERMISSION_DENIED"}})))
            .mount(&server)
            .await;
        let mut out = Vec::new();
        let err = client(&server)
            .files()
            .get("F1")
            .download(&mut out)
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
        assert!(out.is_empty());
    })
    .await
}

/// `request_preview` and `download_preview` describe the request without
/// sending it or asking for a token; the token never appears.
#[test]
fn previews_describe_requests_without_sending() {
    let client = Client::builder()
        .bearer_token("secret-token")
        .build()
        .unwrap();
    let preview = client
        .files()
        .get("F 1")
        .supports_all_drives(true)
        .request_preview()
        .unwrap();
    assert_eq!(preview.method, "GET");
    assert_eq!(
        preview.url,
        "https://www.googleapis.com/drive/v3/files/F%201?supportsAllDrives=true&prettyPrint=false"
    );
    assert_eq!(preview.headers["authorization"], "REDACTED");
    assert_eq!(preview.body, serde_json::Value::Null);
    let download = client.files().get("F").download_preview().unwrap();
    assert!(
        download
            .url
            .ends_with("files/F?alt=media&prettyPrint=false"),
        "{}",
        download.url
    );
    let text = serde_json::to_string(&download).unwrap() + &format!("{preview:?}");
    assert!(!text.contains("secret-token"), "{text}");

    let media = Media::from_bytes(&b"hello"[..], "text/plain");
    let upload = client
        .files()
        .create(File {
            name: Some("n".into()),
            ..Default::default()
        })
        .upload_preview(&media)
        .unwrap();
    assert_eq!(upload.method, "POST");
    assert!(
        upload
            .url
            .starts_with("https://www.googleapis.com/upload/drive/v3/files?"),
        "{}",
        upload.url
    );
    assert!(
        upload.url.contains("uploadType=multipart"),
        "{}",
        upload.url
    );
    assert_eq!(upload.body, serde_json::json!({"name": "n"}));
}

#[tokio::test]
async fn a_refused_chunk_ends_the_upload_while_the_next_read_is_stalled() {
    bounded(async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("Location", format!("{}/session/gone", server.uri())),
            )
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {
                "code": 404, "message": "Upload session not found."}})))
            .mount(&server)
            .await;
        // The source yields the first chunk, then nothing more for ever (the
        // writer stays open): the read-ahead of the second never finishes.
        let (mut writer, reader) = tokio::io::duplex(1024 * KIB);
        tokio::io::AsyncWriteExt::write_all(&mut writer, &data(256 * KIB))
            .await
            .unwrap();
        let media = Media::from_reader(reader, Some(1024 * KIB as u64), "video/mp4")
            .multipart_threshold(0)
            .chunk_size(256 * KIB);
        let error = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap_err();
        // The server's own error, not a hang and not an I/O error.
        assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error:?}");
        drop(writer);
    })
    .await
}

#[tokio::test]
async fn a_server_that_lost_bytes_of_a_chunk_gets_them_again_from_where_it_is() {
    bounded(async move {
        let state = Resumable::default();
        {
            let mut s = state.0.lock().unwrap();
            s.accept_partial = Some(100 * KIB); // 100 KiB of the first chunk land,
            s.forget_at = Some((1, 50 * KIB)); // then the server is back at 50 KiB
        }
        let server = resumable_server(&state).await;
        let input = data(600 * KIB);
        let media = Media::from_reader(
            Cursor::new(input.clone()),
            Some(input.len() as u64),
            "application/octet-stream",
        )
        .multipart_threshold(0)
        .chunk_size(256 * KIB);
        let file = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await;
        assert_eq!(file.unwrap().id.as_deref(), Some("BIG"));
        let state = state.0.lock().unwrap();
        assert_eq!(state.data, input, "{:?}", state.ranges);
        assert_eq!(state.ranges[1], "bytes 102400-262143/614400");
        assert_eq!(
            state.ranges[2], "bytes 51200-262143/614400",
            "resent from what the server still has"
        );
    })
    .await
}

#[tokio::test]
async fn a_server_that_forgets_and_reacknowledges_bytes_cannot_keep_the_upload_going() {
    bounded(async move {
        let state = Resumable::default();
        state.0.lock().unwrap().range_cycle = vec!["bytes=0-99999".into(), "bytes=0-49999".into()];
        let server = resumable_server(&state).await;
        let media = Media::from_bytes(data(600 * KIB), "video/mp4")
            .multipart_threshold(0)
            .chunk_size(256 * KIB);
        let error = client(&server)
            .files()
            .create(metadata())
            .upload(media)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
        let puts = state.0.lock().unwrap().puts;
        assert!(puts <= 12, "{puts} PUTs");
    })
    .await
}
