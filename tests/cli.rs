//! The generated command-line tool, run as a process against a mock server:
//! commands per resource, paging with --all, bodies from files and standard
//! input, output formats, exit codes, --help snapshots, upload and download,
//! and `auth`. The processes run through `cli()` have a deadline, so a hang
//! fails the test.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

mod support;
use support::{album_json, media_item_json};

/// The `photoslibrary` binary. `cargo test` builds only the binary's unit-test
/// harness, so the tests build the binary themselves, once, into the same
/// target directory (cheap when it is up to date, and never stale).
fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
            let target_dir = profile_dir.parent().unwrap();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut args = vec!["build", "--quiet", "--package", "photoslibrary-v1-cli"];
            if profile_dir.ends_with("release") {
                args.push("--release");
            }
            let status = Command::new(cargo)
                .args(&args)
                .env("CARGO_TARGET_DIR", target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building the photoslibrary binary failed");
            profile_dir.join(format!("photoslibrary{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// How long any CLI process may run before it is killed (and its test fails).
const DEADLINE: Duration = Duration::from_secs(30);

/// A configuration folder that does not exist: no stored credentials.
fn no_config() -> PathBuf {
    std::env::temp_dir().join(format!("cli-no-config-{}", std::process::id()))
}

/// The binary, killed after `DEADLINE`, with no token, base URL, client secret
/// or stored credentials from the environment.
fn cli() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(binary());
    cmd.timeout(DEADLINE)
        .env_remove("PHOTOSLIBRARY_TOKEN")
        .env_remove("PHOTOSLIBRARY_BASE_URL")
        .env_remove("PHOTOSLIBRARY_CLIENT_SECRET")
        .env("PHOTOSLIBRARY_CONFIG_DIR", no_config());
    cmd
}

fn run(server: Option<&MockServer>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = cli();
    cmd.args(args);
    if let Some(server) = server {
        cmd.env("PHOTOSLIBRARY_TOKEN", "cli-token")
            .env("PHOTOSLIBRARY_BASE_URL", server.uri());
    }
    cmd.write_stdin(stdin.unwrap_or_default());
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary().display()))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn albums_get_prints_pretty_json_and_sends_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/albums/A1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(album_json("A1")))
        .mount(&server)
        .await;
    let out = run(Some(&server), &["albums", "get", "A1"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(printed["id"], "A1");
    assert!(stdout(&out).contains("\n  \"id\""), "pretty printed");
    let r = &server.received_requests().await.unwrap()[0];
    assert_eq!(r.headers.get("authorization").unwrap(), "Bearer cli-token");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("cli-token"));
}

#[tokio::test]
async fn albums_list_all_follows_every_page_as_json_lines() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/albums"))
        .and(|r: &Request| !r.url.query().unwrap_or("").contains("pageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"albums": [album_json("A1"), album_json("A2")], "nextPageToken": "P2"}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1/albums"))
        .and(query_param("pageToken", "P2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"albums": [album_json("A3")]})),
        )
        .mount(&server)
        .await;
    let out = run(
        Some(&server),
        &[
            "-o",
            "json-lines",
            "albums",
            "list",
            "--all",
            "--page-size",
            "2",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["A1", "A2", "A3"]);
    assert!(server.received_requests().await.unwrap().iter().all(|r| r
        .url
        .query()
        .unwrap()
        .contains("pageSize=2")));
}

#[tokio::test]
async fn media_items_search_takes_flags_and_a_body_from_stdin() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/mediaItems:search"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"mediaItems": [media_item_json("M1")]})),
        )
        .mount(&server)
        .await;
    let body = r#"{"filters": {"mediaTypeFilter": {"mediaTypes": ["PHOTO"]}}}"#;
    let out = run(
        Some(&server),
        &[
            "-o",
            "table",
            "media-items",
            "search",
            "--body",
            "-",
            "--album-id",
            "ALB",
            "--page-size",
            "25",
        ],
        Some(body),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent,
        json!({"albumId": "ALB", "pageSize": 25, "filters": {"mediaTypeFilter": {"mediaTypes": ["PHOTO"]}}})
    );
    let table = stdout(&out);
    assert!(
        table.lines().next().unwrap().contains("filename"),
        "{table}"
    );
    assert!(table.contains("M1"), "{table}");
}

#[tokio::test]
async fn shared_albums_join_and_batch_get_with_repeated_flags() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/sharedAlbums:join"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"album": album_json("S")})))
        .mount(&server)
        .await;
    Mock::given(path("/v1/mediaItems:batchGet"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"mediaItemResults": []})))
        .mount(&server)
        .await;
    assert!(run(
        Some(&server),
        &["shared-albums", "join", "--share-token", "TOK"],
        None
    )
    .status
    .success());
    assert!(run(
        Some(&server),
        &[
            "media-items",
            "batch-get",
            "--media-item-ids",
            "a",
            "--media-item-ids",
            "b"
        ],
        None
    )
    .status
    .success());
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&received[0].body).unwrap(),
        json!({"shareToken": "TOK"})
    );
    assert_eq!(
        received[1].url.query(),
        Some("mediaItemIds=a&mediaItemIds=b&prettyPrint=false")
    );
}

#[tokio::test]
async fn exit_codes_tell_usage_auth_api_and_network_errors_apart() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/albums/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"error": {"code": 404, "message": "Not found.", "status": "NOT_FOUND"}}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1/albums/secret"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401, "message": "Invalid credentials", "status": "UNAUTHENTICATED"}})))
        .mount(&server)
        .await;
    let api = run(Some(&server), &["albums", "get", "missing"], None);
    assert_eq!(api.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&api.stderr).contains("NOT_FOUND"));
    assert_eq!(
        run(Some(&server), &["albums", "get", "secret"], None)
            .status
            .code(),
        Some(3)
    );
    assert_eq!(
        run(None, &["albums", "get", "x"], None).status.code(),
        Some(3),
        "no token"
    );
    assert_eq!(
        run(Some(&server), &["albums", "get"], None).status.code(),
        Some(2),
        "missing argument"
    );
    assert_eq!(
        run(
            Some(&server),
            &["albums", "list", "--page-size", "many"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(Some(&server), &["albums", "get", "a/b"], None)
            .status
            .code(),
        Some(2),
        "invalid id"
    );
    let network = cli()
        .args([
            "--token",
            "t",
            "--base-url",
            "http://127.0.0.1:1/",
            "albums",
            "get",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(network.status.code(), Some(5));
}

#[test]
fn help_texts() {
    for (name, args) in [
        ("cli_help_root", vec!["--help"]),
        ("cli_help_albums", vec!["albums", "--help"]),
        ("cli_help_search", vec!["media-items", "search", "--help"]),
    ] {
        let out = run(None, &args, None);
        assert!(out.status.success());
        insta::assert_snapshot!(name, stdout(&out));
    }
}

#[test]
fn completions_for_bash() {
    let out = run(None, &["completions", "bash"], None);
    assert!(out.status.success());
    assert!(stdout(&out).contains("photoslibrary"));
}

/// A folder with two photos, a video and a text file.
fn media_folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.jpg"), b"aaaa").unwrap();
    std::fs::write(dir.join("sub/b.png"), b"bbbbbb").unwrap();
    std::fs::write(dir.join("c.mp4"), b"cccccccc").unwrap();
    std::fs::write(dir.join("notes.txt"), b"not media").unwrap();
    dir
}

#[tokio::test]
async fn upload_a_folder_into_a_new_album_with_a_summary() {
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
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/albums"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"albums": [album_json("OTHER")]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/albums"))
        .respond_with(ResponseTemplate::new(200).set_body_json(album_json("NEW")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/mediaItems:batchCreate"))
        .respond_with(|r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            let results: Vec<Value> = body["newMediaItems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let token = i["simpleMediaItem"]["uploadToken"].as_str().unwrap();
                    if token.ends_with("c.mp4") {
                        json!({"uploadToken": token, "status": {"code": 3, "message": "unsupported video"}})
                    } else {
                        json!({"uploadToken": token, "status": {"message": "Success"}, "mediaItem": media_item_json(token)})
                    }
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"newMediaItemResults": results}))
        })
        .mount(&server)
        .await;
    let dir = media_folder("upload");
    let out = run(
        Some(&server),
        &[
            "upload",
            dir.to_str().unwrap(),
            "--album",
            "Holiday",
            "--description",
            "2024",
            "--jobs",
            "2",
        ],
        None,
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "one item failed: {text}");
    assert!(text.starts_with("created 2, failed 1, skipped 1"), "{text}");
    assert!(
        text.contains("failed: token-c.mp4: unsupported video"),
        "{text}"
    );
    assert!(text.contains("notes.txt"), "{text}");
    let create: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with(":batchCreate"))
        .collect();
    let body: Value = serde_json::from_slice(&create[0].body).unwrap();
    assert_eq!(body["albumId"], "NEW");
    assert_eq!(body["newMediaItems"][0]["description"], "2024");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn download_an_album_then_resume_without_fetching_again() {
    let server = MockServer::start().await;
    let item = |id: &str, name: &str| {
        let mut v = media_item_json(id);
        v["filename"] = json!(name);
        v["baseUrl"] = json!(format!("{}/lh3/{id}", server.uri()));
        v
    };
    let items = json!({"mediaItems": [item("M1", "one.jpg"), item("M2", "two.jpg")]});
    Mock::given(path("/v1/mediaItems:search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(items))
        .mount(&server)
        .await;
    Mock::given(path("/lh3/M1=d"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"first".to_vec(), "image/jpeg"))
        .mount(&server)
        .await;
    Mock::given(path("/lh3/M2=d"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"second".to_vec(), "image/jpeg"))
        .mount(&server)
        .await;
    let dir = std::env::temp_dir().join(format!("cli-download-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = run(
        Some(&server),
        &["download", "--album", "ALB", "--out", dir.to_str().unwrap()],
        None,
    );
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).starts_with("downloaded 2, skipped 0"),
        "{}",
        stdout(&out)
    );
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    assert!(
        files[0].0.ends_with("one.jpg") && files[0].1 == b"first",
        "{files:?}"
    );
    let before = server.received_requests().await.unwrap().len();
    let again = run(
        Some(&server),
        &["download", "--album", "ALB", "--out", dir.to_str().unwrap()],
        None,
    );
    assert!(
        stdout(&again).starts_with("downloaded 0, skipped 2"),
        "{}",
        stdout(&again)
    );
    let media_fetches = server.received_requests().await.unwrap()[before..]
        .iter()
        .filter(|r| r.url.path().starts_with("/lh3/"))
        .count();
    assert_eq!(media_fetches, 0, "complete files are not fetched again");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn auth_status_logout_and_login_errors() {
    let dir = std::env::temp_dir().join(format!("cli-auth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let auth = |args: &[&str]| {
        Command::new(binary())
            .arg("auth")
            .args(args)
            .env("PHOTOSLIBRARY_CONFIG_DIR", &dir)
            .env_remove("PHOTOSLIBRARY_CLIENT_SECRET")
            .output()
            .unwrap()
    };
    let status = auth(&["status"]);
    assert_eq!(status.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&status.stderr).contains("not logged in"));
    assert!(auth(&["logout"]).status.success());
    let missing = auth(&[
        "login",
        "--client-secret",
        "/nonexistent/client_secret.json",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("client secret"));
    assert_eq!(
        auth(&["login"]).status.code(),
        Some(2),
        "the client secret is required"
    );
    // Without a token or stored credentials, API commands are an auth error.
    let list = Command::new(binary())
        .args(["albums", "list"])
        .env("PHOTOSLIBRARY_CONFIG_DIR", &dir)
        .env_remove("PHOTOSLIBRARY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(list.status.code(), Some(3));
}

#[tokio::test]
async fn auth_login_stores_owner_only_credentials_that_later_calls_use() {
    use std::io::{BufRead, BufReader, Read};
    use std::time::{Duration, Instant};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.stored", "refresh_token": "1//refresh", "expires_in": 3600, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    Mock::given(path("/v1/albums"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"albums": []})))
        .mount(&server)
        .await;
    let dir = std::env::temp_dir().join(format!("cli-login-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("client_secret.json");
    let secret_json = json!({"installed": {
        "client_id": "cid.apps.example", "client_secret": "shh",
        "auth_uri": format!("{}/auth", server.uri()), "token_uri": format!("{}/token", server.uri()),
        "redirect_uris": ["http://127.0.0.1"]
    }});
    std::fs::write(&secret, secret_json.to_string()).unwrap();
    let config = dir.join("config");

    let mut login = Command::new(binary())
        .args(["auth", "login", "--client-secret", secret.to_str().unwrap()])
        .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
        .env_remove("PHOTOSLIBRARY_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Play the browser: read the consent URL and call its redirect URI with a code.
    let mut reader = BufReader::new(login.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let port: u16 = line
        .split("redirect_uri=http://localhost:")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no redirect URI in {line:?}"));
    let mut browser = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    browser
        .write_all(b"GET /?code=the-code HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    browser
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = browser.read(&mut [0u8; 1024]);
    drop(browser);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = login.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = login.kill();
            panic!("auth login did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut rest = String::new();
    let _ = reader.read_to_string(&mut rest);
    assert!(status.success(), "{rest}");
    assert!(
        !rest.contains("ya29.stored") && !rest.contains("1//refresh"),
        "a secret was printed: {rest}"
    );
    let requests = server.received_requests().await.unwrap();
    let exchange = requests.iter().find(|r| r.url.path() == "/token").unwrap();
    assert!(String::from_utf8_lossy(&exchange.body).contains("code=the-code"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(config.clone()), 0o700);
        assert_eq!(mode(config.join("tokens.json")), 0o600);
        assert_eq!(mode(config.join("client_secret.json")), 0o600);
    }

    // Later commands without --token use the stored credentials.
    let list = Command::new(binary())
        .args(["albums", "list"])
        .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
        .env("PHOTOSLIBRARY_BASE_URL", server.uri())
        .env_remove("PHOTOSLIBRARY_TOKEN")
        .output()
        .unwrap();
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let requests = server.received_requests().await.unwrap();
    let call = requests
        .iter()
        .find(|r| r.url.path() == "/v1/albums")
        .unwrap();
    assert_eq!(
        call.headers.get("authorization").unwrap(),
        "Bearer ya29.stored"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(unix)]
#[tokio::test]
async fn upload_does_not_follow_folder_links_and_sends_each_file_once() {
    use std::os::unix::fs::symlink;
    let server = MockServer::start().await;
    Mock::given(path("/v1/uploads"))
        .respond_with(|r: &Request| {
            let name = r.headers.get("x-goog-upload-file-name").unwrap();
            ResponseTemplate::new(200).set_body_string(format!("token-{}", name.to_str().unwrap()))
        })
        .mount(&server)
        .await;
    Mock::given(path("/v1/mediaItems:batchCreate"))
        .respond_with(|r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            let results: Vec<Value> = body["newMediaItems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let token = i["simpleMediaItem"]["uploadToken"].as_str().unwrap();
                    json!({"uploadToken": token, "status": {"message": "Success"}, "mediaItem": media_item_json(token)})
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"newMediaItemResults": results}))
        })
        .mount(&server)
        .await;
    let dir = temp_folder("upload-links");
    std::fs::write(dir.join("a.jpg"), b"aaaa").unwrap();
    std::fs::write(dir.join("b.png"), b"bbbbbb").unwrap();
    symlink(".", dir.join("loop")).unwrap();
    symlink("..", dir.join("up")).unwrap();
    // The same files again: through a link to a file and a hard link.
    symlink("a.jpg", dir.join("c-link.jpg")).unwrap();
    std::fs::hard_link(dir.join("b.png"), dir.join("d-hard.png")).unwrap();
    let photo = dir.join("a.jpg");
    let out = run(
        Some(&server),
        &["upload", dir.to_str().unwrap(), photo.to_str().unwrap()],
        None,
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.starts_with("created 2, failed 0, skipped 0"), "{text}");
    let uploads: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v1/uploads")
        .map(|r| {
            let name = r.headers.get("x-goog-upload-file-name").unwrap();
            name.to_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    assert!(uploads.contains(&"a.jpg".to_string()), "{uploads:?}");
    assert!(uploads.contains(&"b.png".to_string()), "{uploads:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
