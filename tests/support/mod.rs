//! Helpers shared by the mock-server tests.
#![allow(dead_code)]

use photoslibrary_v1::Client;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TOKEN: &str = "ya29.test-token";

/// How long any one async test may run: a hang fails the test in seconds
/// instead of holding up the whole run.
pub const TEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// Retries with waits short enough for tests.
pub fn fast_retries() -> photoslibrary_v1::RetryPolicy {
    photoslibrary_v1::RetryPolicy::default()
        .initial_backoff(std::time::Duration::from_millis(5))
        .max_backoff(std::time::Duration::from_millis(20))
}

/// Runs `test`, failing it if it takes longer than [`TEST_DEADLINE`].
pub async fn bounded<F: std::future::Future>(test: F) -> F::Output {
    tokio::time::timeout(TEST_DEADLINE, test)
        .await
        .expect("the test did not finish within its deadline")
}

/// A child process that is killed and reaped when dropped, so that a failed
/// assertion or a deadline never leaves a tool running after its test.
pub struct Reaped(Option<std::process::Child>);

impl Reaped {
    pub fn spawn(command: &mut std::process::Command) -> Reaped {
        Reaped(Some(command.spawn().expect("the tool starts")))
    }

    pub fn child(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("not yet waited for")
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        self.child().try_wait().expect("its status").is_none()
    }

    /// Waits (polling, so a test's deadline still applies) at most
    /// `deadline` for it to end, then collects its output; killed on
    /// timeout (the panic drops it).
    pub async fn output_within(mut self, deadline: Duration) -> std::process::Output {
        let until = std::time::Instant::now() + deadline;
        while self.running() {
            assert!(
                std::time::Instant::now() < until,
                "the tool did not end within {deadline:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let child = self.0.take().expect("not yet waited for");
        child.wait_with_output().expect("its output")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A mock server answering every request with `status` and `body`, and a client
/// pointed at it.
pub async fn serve(status: u16, body: Value) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

/// Asserts that exactly one request arrived and that it is `method path?query`
/// with the bearer token and the given JSON body (or none).
pub async fn assert_request(
    server: &MockServer,
    method: &str,
    path: &str,
    query: &str,
    body: Option<Value>,
) {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected one request, got {requests:?}");
    let r = &requests[0];
    assert_eq!(r.method.as_str(), method);
    assert_eq!(r.url.path(), path);
    assert_eq!(r.url.query().unwrap_or(""), query);
    let auth = r
        .headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    match body {
        Some(expected) => {
            let content_type = r
                .headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            assert_eq!(content_type.as_deref(), Some("application/json"));
            let actual: Value = serde_json::from_slice(&r.body).expect("the request body is JSON");
            assert_eq!(actual, expected);
        }
        None => assert!(
            r.body.is_empty(),
            "unexpected body {:?}",
            String::from_utf8_lossy(&r.body)
        ),
    }
}

pub fn album_json(id: &str) -> Value {
    json!({
        "id": id,
        "title": "Trip to Lisbon",
        "productUrl": format!("https://photos.google.com/lr/album/{id}"),
        "mediaItemsCount": "42",
        "coverPhotoBaseUrl": "https://lh3.googleusercontent.com/lr/AFBm1_cover",
        "coverPhotoMediaItemId": "AKFi6m0cover",
        "isWriteable": true
    })
}

pub fn media_item_json(id: &str) -> Value {
    json!({
        "id": id,
        "description": "Sunset over the Tagus",
        "productUrl": format!("https://photos.google.com/lr/photo/{id}"),
        "baseUrl": "https://lh3.googleusercontent.com/lr/AFBm1_base",
        "mimeType": "image/jpeg",
        "filename": "IMG_0001.jpg",
        "mediaMetadata": {
            "creationTime": "2024-06-01T18:42:07.123456789Z",
            "width": "4032",
            "height": "3024",
            "photo": {
                "cameraMake": "Google",
                "cameraModel": "Pixel 8",
                "focalLength": 6.9,
                "apertureFNumber": 1.68,
                "isoEquivalent": 50,
                "exposureTime": "0.008s"
            }
        },
        "contributorInfo": {
            "profilePictureBaseUrl": "https://lh3.googleusercontent.com/a/profile",
            "displayName": "Ana"
        }
    })
}

pub fn share_info_json() -> Value {
    json!({
        "sharedAlbumOptions": {"isCollaborative": true, "isCommentable": false},
        "shareableUrl": "https://photos.app.goo.gl/abc123",
        "shareToken": "AOVP1kR_share",
        "isJoined": true,
        "isOwned": true,
        "isJoinable": true
    })
}

/// A client for `server` with retries off unless a test asks for them.
pub fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(photoslibrary_v1::RetryPolicy::none())
        .build()
        .unwrap()
}

/// Builds the binary `bin` of `package` into the test's own target
/// directory (`cargo test` builds only a binary's test harness) and returns
/// its path; callers keep it in a `OnceLock` so it is built once per run.
pub fn build_binary(package: &str, bin: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let target_dir = profile_dir.parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut args = vec!["build", "--quiet", "--package", package];
    if profile_dir.ends_with("release") {
        args.push("--release");
    }
    let status = std::process::Command::new(cargo)
        .args(&args)
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building {package} failed");
    profile_dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
}

/// `text` with `%XX` and `+` decoded (a URL query or a form body).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// The parameters of a query string or form body.
pub fn params(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Plays the browser coming back from the consent page: a GET of the
/// redirect URI with `query`; returns the answer's status line.
pub fn redirect(port: u16, query: &str) -> String {
    let mut browser = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    browser
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        browser,
        "GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = browser.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}
