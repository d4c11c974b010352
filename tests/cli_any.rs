//! The command-line tool of an API with no hand-written commands (Drive v3,
//! `generated/drive-v3-cli`), as every API's tool is: media upload and
//! download through `--upload` and `--download`, and `--dry-run`. Every
//! process runs with a deadline.

use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod support;
use support::bounded;

/// The `drive` binary, built once into the test's target directory.
fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| support::build_binary("drive-v3-cli", "drive"))
        .clone()
}

async fn bounded_cli<F: std::future::Future>(test: F) -> F::Output {
    binary();
    bounded(test).await
}

/// Runs the tool against `server` (its base URL is the Drive service path
/// there) with a token, killed after 30 s.
fn run(server: &MockServer, args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::new(binary());
    cmd.timeout(Duration::from_secs(30))
        .env("DRIVE_TOKEN", "drive-token")
        .env("DRIVE_BASE_URL", format!("{}/drive/v3/", server.uri()))
        .args(args);
    cmd.output().unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-any-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn upload_sends_the_file_with_its_metadata() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/upload/drive/v3/files"))
            .and(query_param("uploadType", "multipart"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "F1", "name": "n"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let dir = temp_dir("upload");
        let file = dir.join("notes.txt");
        std::fs::write(&file, b"the file's bytes").unwrap();
        let out = run(
            &server,
            &[
                "files",
                "create",
                "--name",
                "n",
                "--upload",
                file.to_str().unwrap(),
                "--content-type",
                "text/plain",
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["id"], "F1");
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        let body = String::from_utf8_lossy(&requests[0].body);
        assert!(body.contains(r#"{"name":"n"}"#), "{body}");
        assert!(body.contains("Content-Type: text/plain"), "{body}");
        assert!(body.contains("the file's bytes"), "{body}");
        assert_eq!(
            requests[0].headers.get("authorization").unwrap(),
            "Bearer drive-token"
        );

        // A folder is not a file to upload: a usage error, nothing sent.
        let out = run(
            &server,
            &["files", "create", "--upload", dir.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

#[tokio::test]
async fn download_writes_a_new_file_and_never_overwrites() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/download/drive/v3/files/F1"))
            .and(query_param("alt", "media"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(b"media bytes".to_vec()))
            .mount(&server)
            .await;
        let dir = temp_dir("download");
        let target = dir.join("out.bin");
        let out = run(
            &server,
            &["files", "get", "F1", "--download", target.to_str().unwrap()],
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(std::fs::read(&target).unwrap(), b"media bytes");
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["bytes"], 11);

        // A partial file someone else could write (or planted without this
        // client's validator beside it) is not built on: removed, and the
        // download starts over into a file only the owner may touch.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let planted = dir.join("planted.bin");
            let part = dir.join(".planted.bin.part");
            std::fs::write(&part, b"#!/bin/sh\nevil ").unwrap();
            std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o666)).unwrap();
            let out = run(
                &server,
                &[
                    "files",
                    "get",
                    "F1",
                    "--download",
                    planted.to_str().unwrap(),
                ],
            );
            assert!(out.status.success(), "{out:?}");
            assert_eq!(std::fs::read(&planted).unwrap(), b"media bytes");
            let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(printed["resumed_from"], 0);
            let mode = std::fs::metadata(&planted).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }

        // An existing file is kept as it is, and nothing is fetched for it.
        let mine = dir.join("mine.bin");
        std::fs::write(&mine, b"precious").unwrap();
        let before = server.received_requests().await.unwrap().len();
        let out = run(
            &server,
            &["files", "get", "F1", "--download", mine.to_str().unwrap()],
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(std::fs::read(&mine).unwrap(), b"precious");
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["already_there"], true);
        assert_eq!(server.received_requests().await.unwrap().len(), before);
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

#[tokio::test]
async fn dry_run_previews_uploads_downloads_and_calls_without_sending() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let dir = temp_dir("dry-run");
        let file = dir.join("a.txt");
        std::fs::write(&file, b"abc").unwrap();
        let base = format!("{}/", server.uri());

        let out = run(
            &server,
            &[
                "--dry-run",
                "files",
                "create",
                "--name",
                "n",
                "--upload",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let preview: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(preview["method"], "POST");
        assert_eq!(
            preview["url"],
            format!("{base}upload/drive/v3/files?uploadType=multipart&prettyPrint=false")
        );
        assert_eq!(preview["body"], json!({"name": "n"}));
        assert_eq!(preview["headers"]["authorization"], "REDACTED");

        let target = dir.join("never.bin");
        let out = run(
            &server,
            &[
                "--dry-run",
                "files",
                "get",
                "F1",
                "--download",
                target.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let preview: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            preview["url"],
            format!("{base}download/drive/v3/files/F1?alt=media&prettyPrint=false")
        );
        assert!(!target.exists());

        let out = run(
            &server,
            &[
                "--dry-run",
                "files",
                "list",
                "--all",
                "--q",
                "name = 'x'",
                "--spaces",
                "drive",
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains("drive-token"), "{text}");
        let preview: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(
            preview["url"],
            format!("{base}drive/v3/files?q=name+%3D+%27x%27&spaces=drive&prettyPrint=false")
        );

        assert!(server.received_requests().await.unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await;
}

/// Every tool can log in, not only Photos: `drive auth login` asks for the
/// scope chosen by its short name, takes the code back on its loopback
/// redirect, stores owner-only credentials, and later commands use them;
/// `auth status` refreshes them and `auth logout` removes them.
#[tokio::test]
async fn drive_logs_in_and_later_commands_use_the_stored_credentials() {
    use std::io::BufRead;
    bounded_cli(async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "ya29.drive", "refresh_token": "1//drive", "expires_in": 3600,
                "token_type": "Bearer"
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/drive/v3/files"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"files": []})))
            .mount(&server)
            .await;
        // What `auth status` calls to show the credentials work.
        Mock::given(method("GET"))
            .and(path("/drive/v3/about"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"kind": "drive#about"})))
            .mount(&server)
            .await;
        let dir = temp_dir("login");
        let config = dir.join("config");
        let secret = dir.join("client_secret.json");
        std::fs::write(
            &secret,
            json!({"installed": {
                "client_id": "cid.drive", "client_secret": "shh",
                "auth_uri": format!("{}/auth", server.uri()),
                "token_uri": format!("{}/token", server.uri()),
            }})
            .to_string(),
        )
        .unwrap();
        let mut login = support::Reaped::spawn(
            std::process::Command::new(binary())
                .args(["auth", "login", "--scope", "readonly", "--client-secret"])
                .arg(&secret)
                .env("DRIVE_CONFIG_DIR", &config)
                .env_remove("DRIVE_TOKEN")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped()),
        );
        let (lines, stderr) = std::sync::mpsc::channel();
        let err = std::io::BufReader::new(login.child().stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let consent = loop {
            let line = stderr
                .recv_timeout(Duration::from_secs(20))
                .expect("the consent URL on standard error");
            if let Some(url) = line.trim().strip_prefix("http") {
                break support::params(url.split_once('?').map_or("", |(_, q)| q));
            }
        };
        assert_eq!(consent["client_id"], "cid.drive");
        assert_eq!(
            consent["scope"],
            "https://www.googleapis.com/auth/drive.readonly"
        );
        let port: u16 = consent["redirect_uri"]
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let state = &consent["state"];
        assert_eq!(
            support::redirect(port, &format!("state={state}&code=drive-code")),
            "HTTP/1.1 200 OK"
        );
        let out = login.output_within(Duration::from_secs(20)).await;
        assert!(out.status.success());
        let exchange = server.received_requests().await.unwrap();
        let exchange = String::from_utf8_lossy(&exchange[0].body).into_owned();
        assert!(exchange.contains("code=drive-code"), "{exchange}");
        let stored: Value =
            serde_json::from_slice(&std::fs::read(config.join("credentials.json")).unwrap())
                .unwrap();
        assert_eq!(stored["refresh_token"], "1//drive");
        assert_eq!(
            stored["scopes"],
            json!(["https://www.googleapis.com/auth/drive.readonly"])
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.join("credentials.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let command = |args: &[&str]| {
            let mut cmd = assert_cmd::Command::new(binary());
            cmd.timeout(Duration::from_secs(30))
                .env("DRIVE_CONFIG_DIR", &config)
                .env("DRIVE_BASE_URL", format!("{}/drive/v3/", server.uri()))
                .env_remove("DRIVE_TOKEN")
                .args(args);
            cmd.output().unwrap()
        };
        let list = command(&["files", "list"]);
        assert!(list.status.success(), "{list:?}");
        let requests = server.received_requests().await.unwrap();
        let call = requests
            .iter()
            .find(|r| r.url.path() == "/drive/v3/files")
            .unwrap();
        assert_eq!(
            call.headers.get("authorization").unwrap(),
            "Bearer ya29.drive"
        );
        let status = command(&["auth", "status"]);
        assert!(status.status.success(), "{status:?}");
        assert!(String::from_utf8_lossy(&status.stdout).contains("granted scopes"));
        assert!(command(&["auth", "logout"]).status.success());
        assert!(!config.join("credentials.json").exists());
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}
