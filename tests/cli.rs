//! The generated command-line tool, run as a process against a mock server:
//! commands per resource, paging with --all, bodies from files and standard
//! input, output formats, exit codes, --help snapshots, upload and download,
//! and `auth` (the login round trip with the test as the browser, stored
//! credentials). Every process runs with a deadline, so a hang fails the test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

mod support;
use support::{album_json, media_item_json};
use support::{bounded, params, redirect};

/// The `photoslibrary` binary. `cargo test` builds only the binary's unit-test
/// harness, so the tests build the binary themselves, once, into the same
/// target directory (cheap when it is up to date, and never stale).
fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| support::build_binary("photoslibrary-v1-cli", "photoslibrary"))
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
/// `bounded`, after the binary is built (building it may take longer than a
/// test is allowed to run, and happens once).
async fn bounded_cli<F: std::future::Future>(test: F) -> F::Output {
    binary();
    bounded(test).await
}

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
    bounded_cli(async move {
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
    })
    .await
}

#[tokio::test]
async fn albums_list_all_follows_every_page_as_json_lines() {
    bounded_cli(async move {
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
    })
    .await
}

#[tokio::test]
async fn media_items_search_takes_flags_and_a_body_from_stdin() {
    bounded_cli(async move {
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
        // The same rows as CSV: a header, then quoted where needed; a
        // server's text a spreadsheet would run stays text.
        server.reset().await;
        let mut item = media_item_json("M,2");
        item["description"] = json!("=HYPERLINK(\"https://example.com\")");
        Mock::given(path("/v1/mediaItems:search"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"mediaItems": [item]})))
            .mount(&server)
            .await;
        let out = run(
            Some(&server),
            &["-o", "csv", "media-items", "search", "--album-id", "ALB"],
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let csv = stdout(&out);
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert!(header.contains(&"id") && header.contains(&"description"), "{csv}");
        let row = lines.next().unwrap();
        assert!(row.contains("\"M,2\""), "{csv}");
        assert!(
            row.contains("\"'=HYPERLINK(\"\"https://example.com\"\")\""),
            "{csv}"
        );
    })
    .await
}

#[tokio::test]
async fn shared_albums_join_and_batch_get_with_repeated_flags() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        Mock::given(path("/v1/sharedAlbums:join"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"album": album_json("S")})),
            )
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
    })
    .await
}

#[tokio::test]
async fn exit_codes_tell_usage_auth_api_and_network_errors_apart() {
    bounded_cli(async move {
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
        // An answer that does not decode is the protocol code, not 1.
        Mock::given(path("/v1/albums/garbled"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 5})))
            .mount(&server)
            .await;
        let garbled = run(Some(&server), &["albums", "get", "garbled"], None);
        assert_eq!(garbled.status.code(), Some(6), "{}", stderr(&garbled));
        assert!(stderr(&garbled).contains("could not be decoded"));
    })
    .await
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
    bounded_cli(async move {
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
        assert!(text.contains("failed: c.mp4: unsupported video"), "{text}");
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
    })
    .await
}

/// `mediaItems.batchGet` over `items`: each requested id's item (with its
/// base URL), or a NOT_FOUND status; the download asks it for fresh URLs.
struct BatchGet(Vec<Value>);

impl wiremock::Respond for BatchGet {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let results: Vec<Value> = request
            .url
            .query_pairs()
            .filter(|(k, _)| k == "mediaItemIds")
            .map(
                |(_, id)| match self.0.iter().find(|v| v["id"] == id.as_ref()) {
                    Some(item) => json!({"mediaItem": item}),
                    None => json!({"status": {"code": 5, "message": "not found"}}),
                },
            )
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"mediaItemResults": results}))
    }
}

/// Every file below `dir`, relative, with its contents.
fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn download_of_hostile_names_stays_in_its_folder_and_loses_nothing() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        // Ids and file names a hostile server might send: paths, separators,
        // Windows names, the temporary suffix, ids equal in their last characters
        // or only in case, and one item listed twice.
        let hostile = [
            ("AAAA/../..", "x.jpg"),
            ("id-1", "/etc/passwd"),
            ("id-2", "../../up.jpg"),
            ("id-3", "..\\..\\x.bat"),
            ("id-4", "photo.part"),
            ("xx-same-tail", "same.jpg"),
            ("yy-same-tail", "same.jpg"),
            ("CaseId", "case.jpg"),
            ("caseid", "case.jpg"),
            ("id-5", "CON"),
            ("id-6", ""),
        ];
        let mut listed = Vec::new();
        for (i, (id, name)) in hostile.iter().enumerate() {
            let mut v = media_item_json(id);
            v["filename"] = json!(name);
            v["baseUrl"] = json!(format!("{}/lh3/item{i}", server.uri()));
            Mock::given(path(format!("/lh3/item{i}=d")))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_raw(format!("content {i}").into_bytes(), "image/jpeg"),
                )
                .mount(&server)
                .await;
            listed.push(v);
        }
        Mock::given(path("/v1/mediaItems:batchGet"))
            .respond_with(BatchGet(listed.clone()))
            .mount(&server)
            .await;
        listed.push(listed[0].clone());
        Mock::given(path("/v1/mediaItems:search"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"mediaItems": listed})))
            .mount(&server)
            .await;
        let root = std::env::temp_dir().join(format!("cli-hostile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let out_dir = root.join("a").join("b").join("out");
        std::fs::create_dir_all(&out_dir).unwrap();
        let args = [
            "download",
            "--album",
            "ALB",
            "--out",
            out_dir.to_str().unwrap(),
        ];
        let out = run(Some(&server), &args, None);
        let text = stdout(&out);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.starts_with("downloaded 11, skipped 0"), "{text}");
        // Nothing outside --out, every item in a file of its own with its bytes.
        let all = tree(&root);
        assert!(
            all.iter().all(|(p, _)| p.starts_with("a/b/out/")),
            "{all:?}"
        );
        let files = tree(&out_dir);
        assert_eq!(files.len(), hostile.len(), "{files:?}");
        let mut contents: Vec<String> = files
            .iter()
            .map(|(_, c)| String::from_utf8(c.clone()).unwrap())
            .collect();
        contents.sort();
        let mut expected: Vec<String> =
            (0..hostile.len()).map(|i| format!("content {i}")).collect();
        expected.sort();
        assert_eq!(contents, expected);
        for (name, _) in &files {
            // Temporary files start with a dot: none is left, and none can be
            // mistaken for a final name (the item called photo.part included).
            assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
        }
        let lower: std::collections::BTreeSet<_> =
            files.iter().map(|(n, _)| n.to_lowercase()).collect();
        assert_eq!(lower.len(), files.len(), "names are unique ignoring case");
        // A rerun finds every file again.
        let again = run(Some(&server), &args, None);
        assert!(
            stdout(&again).starts_with("downloaded 0, skipped 11"),
            "{}",
            stdout(&again)
        );
        std::fs::remove_dir_all(&root).unwrap();
    })
    .await
}

/// A base URL answering 429 is the daily media-byte quota: not retried, the
/// run stops with what is done and left (exit 4) and the request count, and
/// a rerun after the reset downloads only the rest.
#[tokio::test]
async fn an_exhausted_media_quota_stops_the_download_cleanly_and_a_rerun_resumes() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let quota_hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let exhausted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let mut listed = Vec::new();
        for i in 0..5 {
            let mut v = media_item_json(&format!("id-{i}"));
            v["filename"] = json!(format!("p{i}.jpg"));
            v["baseUrl"] = json!(format!("{}/lh3/item{i}", server.uri()));
            let (hits, exhausted) = (quota_hits.clone(), exhausted.clone());
            Mock::given(path(format!("/lh3/item{i}=d")))
                .respond_with(move |_: &Request| {
                    use std::sync::atomic::Ordering::SeqCst;
                    if i >= 2 && exhausted.load(SeqCst) {
                        hits.fetch_add(1, SeqCst);
                        return ResponseTemplate::new(429).set_body_string("Quota exceeded");
                    }
                    ResponseTemplate::new(200)
                        .set_body_raw(format!("content {i}").into_bytes(), "image/jpeg")
                })
                .mount(&server)
                .await;
            listed.push(v);
        }
        Mock::given(path("/v1/mediaItems:batchGet"))
            .respond_with(BatchGet(listed.clone()))
            .mount(&server)
            .await;
        Mock::given(path("/v1/mediaItems:search"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"mediaItems": listed})))
            .mount(&server)
            .await;
        let out_dir = temp_folder("media-quota");
        let args = [
            "download",
            "--album",
            "ALB",
            "--jobs",
            "1",
            "--out",
            out_dir.to_str().unwrap(),
        ];
        let out = run(Some(&server), &args, None);
        let (text, err) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(4), "{text}{err}");
        assert!(
            text.starts_with("downloaded 2, skipped 0 (already complete), failed 0, left 3; 3 media request(s) (of 75000 a day)"),
            "{text}"
        );
        assert!(err.contains("media-byte requests"), "{err}");
        assert!(err.contains("rerun the same command"), "{err}");
        assert_eq!(
            quota_hits.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "the 429 is not retried and nothing is tried after it"
        );
        assert_eq!(tree(&out_dir).len(), 2, "{:?}", tree(&out_dir));

        // After the reset, only the rest.
        exhausted.store(false, std::sync::atomic::Ordering::SeqCst);
        let again = run(Some(&server), &args, None);
        let text = stdout(&again);
        assert!(again.status.success(), "{text}{}", stderr(&again));
        assert!(
            text.starts_with("downloaded 3, skipped 2 (already complete), failed 0; 3 media request(s)"),
            "{text}"
        );
        assert_eq!(tree(&out_dir).len(), 5);
        let _ = std::fs::remove_dir_all(&out_dir);
    })
    .await
}

/// The search's base URLs are never used (they may be an hour old): fresh
/// ones come from batchGet just before the download, and one refused there
/// too (it expired mid-run) is fetched again with `mediaItems.get`.
#[tokio::test]
async fn download_uses_fresh_base_urls_and_refreshes_an_expired_one() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let with_url = |url: &str| {
            let mut v = media_item_json("M1");
            v["filename"] = json!("one.jpg");
            v["baseUrl"] = json!(format!("{}{url}", server.uri()));
            v
        };
        Mock::given(path("/v1/mediaItems:search"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"mediaItems": [with_url("/stale")]})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/v1/mediaItems:batchGet"))
            .respond_with(BatchGet(vec![with_url("/expiring")]))
            .mount(&server)
            .await;
        Mock::given(path("/v1/mediaItems/M1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(with_url("/fresh")))
            .mount(&server)
            .await;
        Mock::given(path("/expiring=d"))
            .respond_with(ResponseTemplate::new(403))
            .mount(&server)
            .await;
        Mock::given(path("/fresh=d"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(b"fresh".to_vec(), "image/jpeg"))
            .mount(&server)
            .await;
        let dir = std::env::temp_dir().join(format!("cli-fresh-{}", std::process::id()));
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
        let files = tree(&dir);
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].1, b"fresh");
        let paths: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| r.url.path().to_string())
            .collect();
        assert!(!paths.iter().any(|p| p.starts_with("/stale")), "{paths:?}");
        assert!(
            paths.contains(&"/v1/mediaItems/M1".to_string()),
            "{paths:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn download_an_album_then_resume_without_fetching_again() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let item = |id: &str, name: &str| {
            let mut v = media_item_json(id);
            v["filename"] = json!(name);
            v["baseUrl"] = json!(format!("{}/lh3/{id}", server.uri()));
            v
        };
        let listed = vec![item("M1", "one.jpg"), item("M2", "two.jpg")];
        Mock::given(path("/v1/mediaItems:batchGet"))
            .respond_with(BatchGet(listed.clone()))
            .mount(&server)
            .await;
        let items = json!({"mediaItems": listed});
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
            files[0].0.starts_with("one-")
                && files[0].0.ends_with(".jpg")
                && files[0].1 == b"first",
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
    })
    .await
}

#[test]
fn auth_status_logout_and_login_errors() {
    let dir = std::env::temp_dir().join(format!("cli-auth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let auth = |args: &[&str]| {
        cli()
            .arg("auth")
            .args(args)
            .env("PHOTOSLIBRARY_CONFIG_DIR", &dir)
            .output()
            .unwrap()
    };
    let status = auth(&["status"]);
    assert_eq!(status.status.code(), Some(3));
    assert!(stderr(&status).contains("not logged in"));
    assert!(auth(&["logout"]).status.success());
    let missing = auth(&[
        "login",
        "--client-secret",
        "/nonexistent/client_secret.json",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("client secret"));
    assert_eq!(
        auth(&["login"]).status.code(),
        Some(2),
        "the client secret is required"
    );
    // Without a token or stored credentials, API commands are an auth error.
    let list = cli()
        .args(["albums", "list"])
        .env("PHOTOSLIBRARY_CONFIG_DIR", &dir)
        .output()
        .unwrap();
    assert_eq!(list.status.code(), Some(3));
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A client_secret.json whose endpoints are the mock's.
fn client_secret_json(server: &MockServer) -> String {
    json!({"installed": {
        "client_id": "cid.apps.example", "client_secret": "shh",
        "auth_uri": format!("{}/auth", server.uri()), "token_uri": format!("{}/token", server.uri()),
        "redirect_uris": ["http://127.0.0.1"]
    }})
    .to_string()
}

/// The token endpoint: every grant gets the same tokens.
async fn mock_token_endpoint(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.stored", "refresh_token": "1//refresh", "expires_in": 3600, "token_type": "Bearer"
        })))
        .mount(server)
        .await;
}

/// The form bodies of the requests to the mock's token endpoint.
async fn token_requests(server: &MockServer) -> Vec<HashMap<String, String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/token")
        .map(|r| params(&String::from_utf8_lossy(&r.body)))
        .collect()
}

/// A running tool (`auth login`, `pick`): its standard error is read line by
/// line, so the test can play the browser or interrupt it; killed on drop.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
    stdout: Option<std::thread::JoinHandle<String>>,
}

/// A test that fails half-way leaves no login waiting.
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The consent URL's parameters, and the loopback port of its redirect URI.
struct Consent {
    params: HashMap<String, String>,
    port: u16,
}

impl Running {
    /// `auth login` with `args` and the configuration folder `config`.
    fn start(config: &Path, args: &[&str]) -> Running {
        let mut cmd = Command::new(binary());
        cmd.args(["auth", "login"])
            .args(args)
            .env("PHOTOSLIBRARY_CONFIG_DIR", config)
            .env_remove("PHOTOSLIBRARY_TOKEN")
            .env_remove("PHOTOSLIBRARY_CLIENT_SECRET");
        Running::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (send, lines) = mpsc::channel();
        let err = BufReader::new(child.stderr.take().unwrap());
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in err.lines().map_while(Result::ok) {
                all.push_str(&line);
                all.push('\n');
                let _ = send.send(line);
            }
            all
        });
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut all = String::new();
            let _ = out.read_to_string(&mut all);
            all
        });
        Running {
            child,
            lines,
            stderr: Some(stderr),
            stdout: Some(stdout),
        }
    }

    /// Waits for the consent URL on standard error.
    fn consent(&self) -> Consent {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no consent URL on standard error: {e}"));
            let Some(url) = line.trim().strip_prefix("http") else {
                continue;
            };
            let params = params(url.split_once('?').map(|(_, q)| q).unwrap_or(""));
            let port = params
                .get("redirect_uri")
                .and_then(|r| r.strip_prefix("http://127.0.0.1:"))
                .and_then(|r| r.trim_end_matches('/').parse().ok())
                .unwrap_or_else(|| panic!("no loopback redirect URI in {line:?}"));
            return Consent { params, port };
        }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the end (killing it after `DEADLINE`): status, stdout, stderr.
    fn finish(mut self) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                panic!("the tool did not finish"); // killed by drop
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (status, stdout, stderr)
    }
}

fn temp_folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn auth_login_stores_owner_only_credentials_that_later_calls_use() {
    bounded_cli(async move {
        use base64::Engine;
        use sha2::Digest;
        let server = MockServer::start().await;
        mock_token_endpoint(&server).await;
        Mock::given(path("/v1/albums"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"albums": []})))
            .mount(&server)
            .await;
        let dir = temp_folder("login");
        let secret = dir.join("client_secret.json");
        std::fs::write(&secret, client_secret_json(&server)).unwrap();
        let config = dir.join("config");

        let login = Running::start(&config, &["--client-secret", secret.to_str().unwrap()]);
        let consent = login.consent();
        let p = &consent.params;
        assert_eq!(p["client_id"], "cid.apps.example");
        assert_eq!(p["response_type"], "code");
        assert_eq!(p["code_challenge_method"], "S256");
        assert_eq!(p["access_type"], "offline");
        assert_eq!(p["prompt"], "consent");
        // The three Library scopes Google still grants (none of the removed
        // ones, in the document's order) and the Picker's, for `pick`.
        let asked: Vec<&str> = p["scope"].split(' ').collect();
        assert_eq!(
            asked,
            [
                "https://www.googleapis.com/auth/photoslibrary.appendonly",
                "https://www.googleapis.com/auth/photoslibrary.edit.appcreateddata",
                "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata",
                "https://www.googleapis.com/auth/photospicker.mediaitems.readonly",
            ],
            "{p:?}"
        );
        let state = &p["state"];
        assert!(state.len() >= 16, "a random state: {state:?}");
        assert_eq!(
            redirect(
                consent.port,
                &format!("state={state}&code=the-code&scope=x")
            ),
            "HTTP/1.1 200 OK"
        );
        let (status, out, err) = login.finish();
        assert!(status.success(), "{out}{err}");
        assert!(out.contains("logged in"), "{out}");
        assert!(
            !out.contains("http"),
            "the consent URL is not on stdout: {out}"
        );
        for text in [&out, &err] {
            assert!(
                !text.contains("ya29.stored") && !text.contains("1//refresh"),
                "a secret was printed: {text}"
            );
        }
        let exchange = &token_requests(&server).await[0];
        assert_eq!(exchange["grant_type"], "authorization_code");
        assert_eq!(exchange["code"], "the-code");
        assert_eq!(exchange["redirect_uri"], p["redirect_uri"]);
        let verifier = &exchange["code_verifier"];
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
        assert_eq!(challenge, p["code_challenge"], "PKCE S256");

        let credentials: Value =
            serde_json::from_slice(&std::fs::read(config.join("credentials.json")).unwrap())
                .unwrap();
        assert_eq!(credentials["type"], "authorized_user");
        assert_eq!(credentials["refresh_token"], "1//refresh");
        assert_eq!(credentials["client_id"], "cid.apps.example");
        // The exchange's answer names no `scope`: what was asked was granted.
        assert_eq!(credentials["scopes"].as_array().map(Vec::len), Some(4));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(config.clone()), 0o700);
            assert_eq!(mode(config.join("credentials.json")), 0o600);
            assert_eq!(mode(config.join("client_secret.json")), 0o600);
        }

        // Later commands without --token refresh the stored credentials.
        let list = cli()
            .args(["albums", "list"])
            .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
            .env("PHOTOSLIBRARY_BASE_URL", server.uri())
            .output()
            .unwrap();
        assert!(list.status.success(), "{}", stderr(&list));
        let refresh = &token_requests(&server).await[1];
        assert_eq!(refresh["grant_type"], "refresh_token");
        assert_eq!(refresh["refresh_token"], "1//refresh");
        let requests = server.received_requests().await.unwrap();
        let call = requests
            .iter()
            .find(|r| r.url.path() == "/v1/albums")
            .unwrap();
        assert_eq!(
            call.headers.get("authorization").unwrap(),
            "Bearer ya29.stored"
        );

        let status = cli()
            .args(["auth", "status"])
            .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
            .env("PHOTOSLIBRARY_BASE_URL", server.uri())
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", stderr(&status));
        assert!(
            stdout(&status).contains("stored credentials")
                && stdout(&status).contains("cid.apps.example")
                && stdout(&status).contains(
                    "granted scopes: https://www.googleapis.com/auth/photoslibrary.appendonly"
                ),
            "{}",
            stdout(&status)
        );
        let logout = cli()
            .args(["auth", "logout"])
            .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
            .output()
            .unwrap();
        assert!(logout.status.success());
        let left: Vec<_> = std::fs::read_dir(&config).unwrap().collect();
        assert!(left.is_empty(), "logout leaves {left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn auth_login_ignores_redirects_without_its_state() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mock_token_endpoint(&server).await;
        let dir = temp_folder("login-state");
        let secret = dir.join("client_secret.json");
        std::fs::write(&secret, client_secret_json(&server)).unwrap();
        let config = dir.join("config");

        let mut login = Running::start(&config, &["--client-secret", secret.to_str().unwrap()]);
        let consent = login.consent();
        let state = consent.params["state"].clone();
        // Another local process delivers its own code.
        for forged in [
            "code=evil".to_string(),
            "code=evil&state=guess".to_string(),
            format!("code=evil&state={}x", state),
            format!("error=access_denied&state={}", &state[1..]),
        ] {
            assert_eq!(
                redirect(consent.port, &forged),
                "HTTP/1.1 400 Bad Request",
                "{forged}"
            );
        }
        std::thread::sleep(Duration::from_millis(300));
        assert!(login.running(), "a forged redirect ended the login");
        assert!(
            token_requests(&server).await.is_empty(),
            "a forged code was exchanged"
        );
        assert!(!config.join("credentials.json").exists());
        // The real browser still gets through.
        assert_eq!(
            redirect(consent.port, &format!("code=good&state={state}")),
            "HTTP/1.1 200 OK"
        );
        let (status, out, err) = login.finish();
        assert!(status.success(), "{out}{err}");
        let exchanges = token_requests(&server).await;
        assert_eq!(exchanges.len(), 1);
        assert_eq!(exchanges[0]["code"], "good");
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

// ---------------------------------------------------------------------------
// Device login (RFC 8628): the four answers of the token endpoint.

/// A token endpoint answering the device grant from a script of (status,
/// body), recording when each poll came; success once the script is done.
#[derive(Clone, Default)]
struct DeviceToken(std::sync::Arc<std::sync::Mutex<(Script, Vec<Instant>)>>);

/// Answers to give, in order: (status, body).
type Script = Vec<(u16, Value)>;

impl wiremock::Respond for DeviceToken {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        state.1.push(Instant::now());
        if state.0.is_empty() {
            return ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "ya29.device", "refresh_token": "1//device-refresh",
                "expires_in": 3600, "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata"
            }));
        }
        let (status, body) = state.0.remove(0);
        ResponseTemplate::new(status).set_body_json(body)
    }
}

/// A mock device authorization endpoint (the code's poll `interval`) and
/// token endpoint (answering `script`), and a client secret naming them.
async fn device_server(
    interval: u64,
    script: Vec<(u16, Value)>,
) -> (MockServer, DeviceToken, PathBuf) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/device/code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": "DEVICE-CODE", "user_code": "ABCD-EFGH",
            "verification_url": "https://www.google.com/device",
            "expires_in": 1800, "interval": interval
        })))
        .mount(&server)
        .await;
    let token = DeviceToken::default();
    token.0.lock().unwrap().0 = script;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token.clone())
        .mount(&server)
        .await;
    let dir = temp_folder(&format!("device-{}", server.address().port()));
    let secret = dir.join("client_secret.json");
    std::fs::write(
        &secret,
        json!({"installed": {
            "client_id": "tv.apps.example", "client_secret": "shh",
            "token_uri": format!("{}/token", server.uri()),
            "device_authorization_uri": format!("{}/device/code", server.uri())
        }})
        .to_string(),
    )
    .unwrap();
    (server, token, secret)
}

fn device_login(secret: &Path) -> (Output, PathBuf) {
    let config = secret.parent().unwrap().join("config");
    let mut cmd = cli();
    cmd.args(["auth", "login", "--device", "--client-secret"])
        .arg(secret)
        .env("PHOTOSLIBRARY_CONFIG_DIR", &config);
    (cmd.output().unwrap(), config)
}

fn device_error(error: &str) -> (u16, Value) {
    let status = match error {
        "authorization_pending" => 428,
        "expired_token" => 400,
        _ => 403,
    };
    (
        status,
        json!({"error": error, "error_description": "as the test says"}),
    )
}

#[tokio::test]
async fn device_login_waits_while_pending_slows_down_when_asked_and_stores_the_credential() {
    bounded_cli(async move {
        let script = vec![
            device_error("authorization_pending"),
            device_error("slow_down"),
        ];
        let (server, token, secret) = device_server(1, script).await;
        let (out, config) = device_login(&secret);
        let err = stderr(&out);
        assert!(out.status.success(), "{}{err}", stdout(&out));
        assert!(
            err.contains("https://www.google.com/device") && err.contains("ABCD-EFGH"),
            "{err}"
        );
        let stored: Value =
            serde_json::from_slice(&std::fs::read(config.join("credentials.json")).unwrap())
                .unwrap();
        assert_eq!(stored["refresh_token"], "1//device-refresh");
        assert_eq!(stored["token_uri"], format!("{}/token", server.uri()));
        assert_eq!(
            stored["scopes"],
            json!(["https://www.googleapis.com/auth/photoslibrary.readonly.appcreateddata"])
        );
        let polls = token_requests(&server).await;
        assert_eq!(polls.len(), 3, "{polls:?}");
        for poll in &polls {
            assert_eq!(
                poll["grant_type"],
                "urn:ietf:params:oauth:grant-type:device_code"
            );
            assert_eq!(poll["device_code"], "DEVICE-CODE");
            assert_eq!(poll["client_id"], "tv.apps.example");
        }
        // Never sooner than asked: the interval, then 5 s more after slow_down.
        let times = token.0.lock().unwrap().1.clone();
        assert!(times[1] - times[0] >= Duration::from_secs(1), "{times:?}");
        assert!(times[2] - times[1] >= Duration::from_secs(6), "{times:?}");
        let _ = std::fs::remove_dir_all(secret.parent().unwrap());
    })
    .await
}

#[tokio::test]
async fn device_login_stops_on_access_denied_and_on_an_expired_code() {
    bounded_cli(async move {
        // An interval of 0 is still polled at most once a second.
        for (error, says) in [("access_denied", "denied"), ("expired_token", "expired")] {
            let script = vec![device_error("authorization_pending"), device_error(error)];
            let (server, token, secret) = device_server(0, script).await;
            let (out, config) = device_login(&secret);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(3), "{error}: {err}");
            assert!(err.contains(says), "{error}: {err}");
            assert!(!config.join("credentials.json").exists(), "nothing stored");
            assert_eq!(token_requests(&server).await.len(), 2);
            let times = token.0.lock().unwrap().1.clone();
            assert!(times[1] - times[0] >= Duration::from_secs(1), "{times:?}");
            let _ = std::fs::remove_dir_all(secret.parent().unwrap());
        }
        // A code to poll once a day is refused before any poll.
        let (server, _, secret) = device_server(86_400, Vec::new()).await;
        let (out, _) = device_login(&secret);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("poll every 86400 s"),
            "{}",
            stderr(&out)
        );
        assert!(token_requests(&server).await.is_empty());
        let _ = std::fs::remove_dir_all(secret.parent().unwrap());
    })
    .await
}

#[tokio::test]
async fn auth_login_stops_when_the_consent_page_reports_an_error() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mock_token_endpoint(&server).await;
        let dir = temp_folder("login-denied");
        let secret = dir.join("client_secret.json");
        std::fs::write(&secret, client_secret_json(&server)).unwrap();
        let config = dir.join("config");
        let login = Running::start(&config, &["--client-secret", secret.to_str().unwrap()]);
        let consent = login.consent();
        let state = &consent.params["state"];
        redirect(consent.port, &format!("error=access_denied&state={state}"));
        let (status, out, err) = login.finish();
        assert_eq!(status.code(), Some(3), "{out}{err}");
        assert!(err.contains("access_denied"), "{err}");
        assert!(!out.contains("logged in"), "{out}");
        assert!(token_requests(&server).await.is_empty());
        assert!(!config.join("credentials.json").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn auth_login_gives_up_after_its_timeout() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let dir = temp_folder("login-timeout");
        let secret = dir.join("client_secret.json");
        std::fs::write(&secret, client_secret_json(&server)).unwrap();
        let started = Instant::now();
        let out = cli()
            .args(["auth", "login", "--timeout", "1", "--client-secret"])
            .arg(&secret)
            .env("PHOTOSLIBRARY_CONFIG_DIR", dir.join("config"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn auth_login_with_the_stored_client_secret_keeps_it() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mock_token_endpoint(&server).await;
        let config = temp_folder("login-same-secret");
        let stored = config.join("client_secret.json");
        let bytes = client_secret_json(&server).into_bytes();
        std::fs::write(&stored, &bytes).unwrap();

        let login = Running::start(&config, &["--client-secret", stored.to_str().unwrap()]);
        let consent = login.consent();
        redirect(
            consent.port,
            &format!("code=c&state={}", consent.params["state"]),
        );
        let (status, out, err) = login.finish();
        assert!(status.success(), "{out}{err}");
        assert_eq!(
            std::fs::read(&stored).unwrap(),
            bytes,
            "the stored copy is intact"
        );
        // Without --client-secret, a login uses the stored copy.
        let again = Running::start(&config, &["--timeout", "5"]);
        let consent = again.consent();
        assert_eq!(consent.params["client_id"], "cid.apps.example");
        redirect(
            consent.port,
            &format!("code=c2&state={}", consent.params["state"]),
        );
        let (status, out, err) = again.finish();
        assert!(status.success(), "{out}{err}");
        assert_eq!(std::fs::read(&stored).unwrap(), bytes);
        std::fs::remove_dir_all(&config).unwrap();
    })
    .await
}

#[tokio::test]
async fn a_token_that_stops_refreshing_mid_run_exits_with_the_auth_code() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        // The first refresh works, with a token that is stale at once; every
        // later one is refused.
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "short-lived", "token_type": "Bearer", "expires_in": 1
            })))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})),
            )
            .mount(&server)
            .await;
        let config = temp_folder("mid-run");
        std::fs::write(
            config.join("client_secret.json"),
            client_secret_json(&server),
        )
        .unwrap();
        std::fs::write(
            config.join("credentials.json"),
            json!({
                "type": "authorized_user", "client_id": "cid.apps.example", "client_secret": "shh",
                "refresh_token": "1//soon-revoked", "token_uri": format!("{}/token", server.uri())
            })
            .to_string(),
        )
        .unwrap();
        let photo = config.join("a.jpg");
        std::fs::write(&photo, b"aaaa").unwrap();
        let out = cli()
            .args(["upload", photo.to_str().unwrap()])
            .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
            .env("PHOTOSLIBRARY_BASE_URL", server.uri())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stdout(&out).contains("failed: a.jpg"), "{}", stdout(&out));
        assert_eq!(token_requests(&server).await.len(), 2);
    })
    .await
}

/// A token endpoint that rotates the refresh token at every use and revokes
/// the one it replaced: each refresh of a run sends the newest, and the
/// newest is stored.
#[tokio::test]
async fn a_rotated_refresh_token_is_used_from_then_on_and_stored() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let issued = Arc::new(Mutex::new(0usize));
        let counter = issued.clone();
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(move |r: &Request| {
                let sent = params(&String::from_utf8_lossy(&r.body));
                let mut n = counter.lock().unwrap();
                let current = if *n == 0 {
                    "1//start".to_string()
                } else {
                    format!("1//r{n}")
                };
                if sent.get("refresh_token") != Some(&current) {
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"error": "invalid_grant"}));
                }
                *n += 1;
                // Expires at once: every call of the run refreshes.
                ResponseTemplate::new(200).set_body_json(json!({
                    "access_token": format!("ya29.{n}"), "expires_in": 0, "token_type": "Bearer",
                    "refresh_token": format!("1//r{n}")
                }))
            })
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums"))
            .and(query_param("pageToken", "p2"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"albums": [{"id": "B"}]})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"albums": [{"id": "A"}], "nextPageToken": "p2"})),
            )
            .mount(&server)
            .await;
        let config = temp_folder("rotated");
        std::fs::write(
            config.join("client_secret.json"),
            client_secret_json(&server),
        )
        .unwrap();
        std::fs::write(
            config.join("credentials.json"),
            json!({
                "type": "authorized_user", "client_id": "cid.apps.example", "client_secret": "shh",
                "refresh_token": "1//start", "token_uri": format!("{}/token", server.uri())
            })
            .to_string(),
        )
        .unwrap();
        let out = cli()
            .args(["-o", "json-lines", "albums", "list", "--all"])
            .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
            .env("PHOTOSLIBRARY_BASE_URL", server.uri())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
        let sent: Vec<String> = token_requests(&server)
            .await
            .iter()
            .map(|r| r["refresh_token"].clone())
            .collect();
        // One refresh per call at least (two pages), each with the token
        // the one before it was given.
        assert!(sent.len() >= 2, "{sent:?}");
        let chain: Vec<String> = (0..sent.len())
            .map(|i| {
                if i == 0 {
                    "1//start".into()
                } else {
                    format!("1//r{i}")
                }
            })
            .collect();
        assert_eq!(sent, chain);
        let stored: Value =
            serde_json::from_slice(&std::fs::read(config.join("credentials.json")).unwrap())
                .unwrap();
        assert_eq!(stored["refresh_token"], format!("1//r{}", sent.len()));
        std::fs::remove_dir_all(&config).unwrap();
    })
    .await
}

#[tokio::test]
async fn stored_credentials_that_no_longer_refresh_fail_fast_without_a_prompt() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "error": "invalid_grant", "error_description": "Token has been expired or revoked."
            })))
            .mount(&server)
            .await;
        Mock::given(path("/v1/albums"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"albums": []})))
            .mount(&server)
            .await;
        let config = temp_folder("revoked");
        std::fs::write(
            config.join("client_secret.json"),
            client_secret_json(&server),
        )
        .unwrap();
        std::fs::write(
            config.join("credentials.json"),
            json!({
                "type": "authorized_user", "client_id": "cid.apps.example", "client_secret": "shh",
                "refresh_token": "1//revoked", "token_uri": format!("{}/token", server.uri())
            })
            .to_string(),
        )
        .unwrap();
        let photo = config.join("a.jpg");
        std::fs::write(&photo, b"aaaa").unwrap();
        for args in [
            &["-o", "json", "albums", "list"][..],
            &["auth", "status"],
            &["upload", photo.to_str().unwrap()],
        ] {
            let started = Instant::now();
            let out = cli()
                .args(args)
                .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
                .env("PHOTOSLIBRARY_BASE_URL", server.uri())
                .output()
                .unwrap();
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{args:?}: {:?}",
                started.elapsed()
            );
            assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
            assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
            let err = stderr(&out);
            assert!(err.contains("photoslibrary auth login"), "{args:?}: {err}");
            assert!(err.contains("invalid_grant"), "{args:?}: {err}");
        }
        let refreshes = token_requests(&server).await;
        assert_eq!(refreshes.len(), 3, "one refresh per run");
        assert_eq!(refreshes[0]["refresh_token"], "1//revoked");
        let calls = server.received_requests().await.unwrap();
        assert!(
            calls.iter().all(|r| r.url.path() == "/token"),
            "no API call"
        );
        std::fs::remove_dir_all(&config).unwrap();
    })
    .await
}

#[cfg(unix)]
#[tokio::test]
async fn upload_does_not_follow_folder_links_and_sends_each_file_once() {
    bounded_cli(async move {
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
    })
    .await
}

/// `--dry-run` prints the request as one JSON object and sends nothing: a
/// server that answers every request with 500 and counts them sees none, and
/// no token is needed (nor printed when given).
#[tokio::test]
async fn dry_run_prints_the_request_and_sends_nothing() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;

        // No token at all.
        let out = run(None, &["--dry-run", "albums", "get", "A 1:b"], None);
        assert!(out.status.success(), "{out:?}");
        let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
        assert_eq!(lines.len(), 1, "one JSON object on one line: {lines:?}");
        let preview: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(preview["method"], "GET");
        assert_eq!(
            preview["url"],
            "https://photoslibrary.googleapis.com/v1/albums/A%201%3Ab?prettyPrint=false"
        );
        assert_eq!(preview["headers"]["authorization"], "REDACTED");
        assert_eq!(preview["body"], Value::Null);

        // A token and a base URL: the URL has the query, the token is redacted.
        let out = run(
            Some(&server),
            &[
                "--dry-run",
                "media-items",
                "search",
                "--page-size",
                "5",
                "--album-id",
                "X",
            ],
            None,
        );
        assert!(out.status.success(), "{out:?}");
        let text = stdout(&out);
        assert!(!text.contains("cli-token"), "{text}");
        let preview: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(preview["method"], "POST");
        assert_eq!(
            preview["url"],
            format!("{}/v1/mediaItems:search?prettyPrint=false", server.uri())
        );
        assert_eq!(preview["headers"]["authorization"], "REDACTED");
        assert_eq!(preview["headers"]["content-type"], "application/json");
        assert_eq!(preview["body"], json!({"albumId": "X", "pageSize": 5}));

        let out = run(
            Some(&server),
            &["--dry-run", "albums", "list", "--page-size", "2", "--all"],
            None,
        );
        assert!(out.status.success(), "{out:?}");
        let preview: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(
            preview["url"],
            format!("{}/v1/albums?pageSize=2&prettyPrint=false", server.uri())
        );

        // Hand-written commands cannot preview: refused, not run.
        let dir = std::env::temp_dir().join(format!("dry-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.jpg");
        std::fs::write(&file, b"jpeg").unwrap();
        let out = run(
            Some(&server),
            &["--dry-run", "upload", file.to_str().unwrap()],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(server.received_requests().await.unwrap().len(), 0);
    })
    .await;
}

// ---------------------------------------------------------------------------
// Uploads that survive reruns: the state file, the daily quota, one
// batchCreate at a time.

/// A mock Photos library that counts what it is asked: byte uploads (a new
/// token each), batchCreate requests and the items they create, with an
/// optional daily quota (every call after `quota` calls is a 429
/// RESOURCE_EXHAUSTED) and file names whose items fail once.
#[derive(Default)]
struct Library {
    calls: std::sync::atomic::AtomicUsize,
    /// Calls answered before the quota runs out; 0 is no quota.
    quota: std::sync::atomic::AtomicUsize,
    uploads: std::sync::Mutex<Vec<String>>,
    /// The file name of every item created, across runs.
    created: std::sync::Mutex<Vec<String>>,
    fail_once: std::sync::Mutex<Vec<String>>,
    /// batchCreate requests still unanswered (arrived less than
    /// `BATCH_DELAY` ago: none can have been answered sooner), and the most
    /// ever at once.
    arrivals: std::sync::Mutex<Vec<Instant>>,
    max_in_flight: std::sync::atomic::AtomicUsize,
    batch_delay: std::sync::Mutex<Option<Duration>>,
    /// The SHA-256 of each uploaded body, by file name.
    received: std::sync::Mutex<HashMap<String, String>>,
}

impl Library {
    fn over_quota(&self) -> Option<ResponseTemplate> {
        use std::sync::atomic::Ordering::SeqCst;
        let n = self.calls.fetch_add(1, SeqCst) + 1;
        let quota = self.quota.load(SeqCst);
        (quota != 0 && n > quota).then(|| {
            ResponseTemplate::new(429).set_body_json(json!({"error": {
                "code": 429,
                "message": "Quota exceeded for quota metric 'All requests' and limit 'All requests per day' of service 'photoslibrary.googleapis.com'",
                "status": "RESOURCE_EXHAUSTED"
            }}))
        })
    }

    fn upload(&self, r: &Request) -> ResponseTemplate {
        if let Some(refused) = self.over_quota() {
            return refused;
        }
        let name = r
            .headers
            .get("x-goog-upload-file-name")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        {
            use sha2::Digest;
            let digest: String = sha2::Sha256::digest(&r.body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            self.received.lock().unwrap().insert(name.clone(), digest);
        }
        let mut uploads = self.uploads.lock().unwrap();
        uploads.push(name.clone());
        // The name first: batchCreate names the file by its token.
        ResponseTemplate::new(200).set_body_string(format!("{name}/token-{}", uploads.len()))
    }

    fn batch_create(&self, r: &Request) -> ResponseTemplate {
        use std::sync::atomic::Ordering::SeqCst;
        let delay = *self.batch_delay.lock().unwrap();
        if let Some(delay) = delay {
            let now = Instant::now();
            let mut arrivals = self.arrivals.lock().unwrap();
            arrivals.retain(|t| now.duration_since(*t) < delay);
            arrivals.push(now);
            self.max_in_flight.fetch_max(arrivals.len(), SeqCst);
        }
        if let Some(refused) = self.over_quota() {
            return refused;
        }
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        let mut fail_once = self.fail_once.lock().unwrap();
        let results: Vec<Value> = body["newMediaItems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let token = i["simpleMediaItem"]["uploadToken"].as_str().unwrap();
                let name = token.split('/').next().unwrap().to_string();
                if let Some(at) = fail_once.iter().position(|n| *n == name) {
                    fail_once.remove(at);
                    return json!({"uploadToken": token, "status": {"code": 13, "message": "internal error"}});
                }
                self.created.lock().unwrap().push(name);
                json!({"uploadToken": token, "status": {"message": "Success"}, "mediaItem": media_item_json(token)})
            })
            .collect();
        let response =
            ResponseTemplate::new(200).set_body_json(json!({"newMediaItemResults": results}));
        match delay {
            Some(delay) => response.set_delay(delay),
            None => response,
        }
    }

    fn uploads(&self) -> Vec<String> {
        std::mem::take(&mut *self.uploads.lock().unwrap())
    }

    fn created(&self) -> Vec<String> {
        let mut created = self.created.lock().unwrap().clone();
        created.sort();
        created
    }
}

async fn mock_library(server: &MockServer) -> std::sync::Arc<Library> {
    let library = std::sync::Arc::new(Library::default());
    let l = library.clone();
    Mock::given(path("/v1/uploads"))
        .respond_with(move |r: &Request| l.upload(r))
        .mount(server)
        .await;
    let l = library.clone();
    Mock::given(path("/v1/mediaItems:batchCreate"))
        .respond_with(move |r: &Request| l.batch_create(r))
        .mount(server)
        .await;
    library
}

/// A folder with a folder `photos` of `n` photos, `p000.jpg`..., each with
/// its own content (and room beside it for state files).
fn photo_folder(name: &str, n: usize) -> PathBuf {
    let dir = temp_folder(name);
    std::fs::create_dir(dir.join("photos")).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("photos/p{i:03}.jpg")),
            format!("photo {i}"),
        )
        .unwrap();
    }
    dir
}

/// `upload` with its own state file.
fn upload_with_state(server: &MockServer, state: &Path, args: &[&str]) -> Output {
    let mut all = vec!["upload", "--state", state.to_str().unwrap()];
    all.extend_from_slice(args);
    run(Some(server), &all, None)
}

#[tokio::test]
async fn a_rerun_after_failed_items_creates_only_the_rest_and_no_duplicate() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        library
            .fail_once
            .lock()
            .unwrap()
            .extend(["p001.jpg".to_string(), "p003.jpg".to_string()]);
        let dir = photo_folder("upload-rerun", 5);
        let state = dir.join("state.json");
        let photos = dir.join("photos");
        let folder = photos.to_str().unwrap();

        let out = upload_with_state(&server, &state, &[folder, "--jobs", "3"]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(4), "{text}{}", stderr(&out));
        assert!(text.starts_with("created 3, failed 2, skipped 0"), "{text}");
        assert_eq!(library.uploads().len(), 5);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&state).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the state file is owner-only");
        }

        let out = upload_with_state(&server, &state, &[folder, "--jobs", "3"]);
        let text = stdout(&out);
        assert!(out.status.success(), "{text}{}", stderr(&out));
        assert!(text.starts_with("created 2, failed 0, skipped 3"), "{text}");
        assert!(text.contains("p000.jpg (already created)"), "{text}");
        let mut again = library.uploads();
        again.sort();
        assert_eq!(
            again,
            ["p001.jpg", "p003.jpg"],
            "only the failed files again"
        );
        let expected: Vec<String> = (0..5).map(|i| format!("p{i:03}.jpg")).collect();
        assert_eq!(library.created(), expected, "each file created once");

        // A third run has nothing left to do.
        let out = upload_with_state(&server, &state, &[folder]);
        assert!(
            stdout(&out).starts_with("created 0, failed 0, skipped 5"),
            "{}",
            stdout(&out)
        );
        assert!(library.uploads().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn an_exhausted_daily_quota_stops_cleanly_and_a_rerun_finishes() {
    bounded_cli(async move {
        use std::sync::atomic::Ordering::SeqCst;
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        // 4 uploads succeed, then every call is refused.
        library.quota.store(4, SeqCst);
        let dir = photo_folder("upload-quota", 6);
        let state = dir.join("state.json");
        let photos = dir.join("photos");
        let folder = photos.to_str().unwrap();

        let out = upload_with_state(&server, &state, &[folder, "--jobs", "2"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(4), "the API exit code: {err}");
        assert!(err.contains("midnight Pacific time"), "{err}");
        assert!(err.contains("left: 6 file(s)"), "{err}");
        assert!(err.contains(state.to_str().unwrap()), "{err}");
        assert_eq!(library.uploads().len(), 4);
        assert!(library.created().is_empty());

        // The quota resets: the four tokens are used, two files uploaded.
        library.quota.store(0, SeqCst);
        let out = upload_with_state(&server, &state, &[folder, "--jobs", "2"]);
        let text = stdout(&out);
        assert!(out.status.success(), "{text}{}", stderr(&out));
        assert!(text.starts_with("created 6, failed 0, skipped 0"), "{text}");
        assert_eq!(library.uploads().len(), 2, "no bytes sent twice");
        assert_eq!(library.created().len(), 6);

        // The quota runs out in the middle of the batchCreate requests (120
        // files: 50, 50, 20): the first request's items are kept.
        let many = photo_folder("upload-quota-many", 120);
        let many_state = many.join("state.json");
        let calls = library.calls.load(SeqCst);
        library.quota.store(calls + 121, SeqCst);
        let out = upload_with_state(
            &server,
            &many_state,
            &[many.join("photos").to_str().unwrap(), "--jobs", "4"],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(4), "{err}");
        assert!(
            err.contains("created 50") && err.contains("left: 70 file(s)"),
            "{err}"
        );
        library.quota.store(0, SeqCst);
        let out = upload_with_state(
            &server,
            &many_state,
            &[many.join("photos").to_str().unwrap()],
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}{}", stderr(&out));
        assert!(
            text.starts_with("created 70, failed 0, skipped 50"),
            "{text}"
        );
        assert_eq!(library.uploads().len(), 120, "the 70 tokens were reused");
        assert_eq!(library.created().len(), 6 + 120, "no duplicates");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_dir_all(&many).unwrap();
    })
    .await
}

/// batchCreate requests never overlap, even with many files and jobs: each
/// answer is delayed, so a request that arrives while another is unanswered
/// is seen (a request is counted only while it surely is unanswered, so a
/// sequential client can never be miscounted).
#[tokio::test]
async fn batch_create_requests_never_overlap() {
    bounded_cli(async move {
        use std::sync::atomic::Ordering::SeqCst;
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        *library.batch_delay.lock().unwrap() = Some(Duration::from_millis(300));
        let dir = photo_folder("upload-serial", 130);
        let state = dir.join("state.json");
        let out = upload_with_state(
            &server,
            &state,
            &[dir.join("photos").to_str().unwrap(), "--jobs", "8"],
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}{}", stderr(&out));
        assert!(text.starts_with("created 130, failed 0"), "{text}");
        assert_eq!(
            library.max_in_flight.load(SeqCst),
            1,
            "one batchCreate at a time"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn a_changed_file_is_uploaded_again_and_force_uploads_everything() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        let dir = photo_folder("upload-changed", 3);
        let state = dir.join("state.json");
        let photos = dir.join("photos");
        let folder = photos.to_str().unwrap();
        let out = upload_with_state(&server, &state, &[folder]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(library.uploads().len(), 3);

        std::fs::write(photos.join("p001.jpg"), b"edited").unwrap();
        let out = upload_with_state(&server, &state, &[folder]);
        let text = stdout(&out);
        assert!(text.starts_with("created 1, failed 0, skipped 2"), "{text}");
        assert_eq!(library.uploads(), ["p001.jpg"]);

        let out = upload_with_state(&server, &state, &[folder, "--force"]);
        let text = stdout(&out);
        assert!(text.starts_with("created 3, failed 0, skipped 0"), "{text}");
        assert_eq!(library.uploads().len(), 3);
        assert_eq!(library.created().len(), 3 + 1 + 3);
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn a_corrupt_or_linked_state_file_is_refused_not_replaced() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        let dir = photo_folder("upload-corrupt", 1);
        let photos = dir.join("photos");
        let folder = photos.to_str().unwrap();
        for bad in [
            "{not json",
            "[]",
            r#"{"version":1,"files":{"x":{"size":1}}}"#,
        ] {
            let state = dir.join("corrupt.json");
            std::fs::write(&state, bad).unwrap();
            let out = upload_with_state(&server, &state, &[folder]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
            assert!(err.contains("corrupt") && err.contains("--state"), "{err}");
            assert_eq!(
                std::fs::read_to_string(&state).unwrap(),
                bad,
                "kept as it was"
            );
        }
        #[cfg(unix)]
        {
            let target = dir.join("target.txt");
            std::fs::write(&target, "mine").unwrap();
            let link = dir.join("link.json");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let out = upload_with_state(&server, &link, &[folder]);
            assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
            assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");
        }
        assert!(library.uploads().is_empty(), "nothing sent");
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

/// A Picker API on `server`: a session whose `sessions.get` says "picked"
/// from the second poll, `items` to list, and each item's bytes at
/// `/picked/<id>=<suffix>` (answered with the token they came with).
async fn mount_picker(server: &MockServer, items: Vec<Value>, list_status: u16) {
    let session = json!({"id": "S9", "pickerUri": "https://photos.google.com/picker/S9",
        "pollingConfig": {"pollInterval": "0.1s", "timeoutIn": "20s"}, "mediaItemsSet": false});
    Mock::given(method("POST"))
        .and(path("/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session.clone()))
        .mount(server)
        .await;
    let polls = std::sync::atomic::AtomicUsize::new(0);
    Mock::given(method("GET"))
        .and(path("/v1/sessions/S9"))
        .respond_with(move |_: &Request| {
            let mut s = session.clone();
            if polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1 {
                s["mediaItemsSet"] = json!(true);
                s.as_object_mut().unwrap().remove("pollingConfig");
            }
            ResponseTemplate::new(200).set_body_json(s)
        })
        .mount(server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v1/sessions/S9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
    let list = match list_status {
        200 => ResponseTemplate::new(200).set_body_json(json!({"mediaItems": items})),
        status => ResponseTemplate::new(status).set_body_json(json!({"error": {"code": status,
            "status": "PERMISSION_DENIED", "message": "The session \u{1b}[2J\u{1b}]52;c;eA==\u{7}has expired."}})),
    };
    Mock::given(method("GET"))
        .and(path("/v1/mediaItems"))
        .and(query_param("sessionId", "S9"))
        .respond_with(list)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/picked/"))
        .respond_with(|r: &Request| {
            let token = r
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned());
            let body = format!("{} with {}", r.url.path(), token.unwrap_or_default());
            ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/octet-stream")
        })
        .mount(server)
        .await;
}

fn picked(server: &MockServer, id: &str, kind: &str, name: &str) -> Value {
    json!({"id": id, "type": kind, "createTime": "2025-06-01T12:00:00Z",
        "mediaFile": {"baseUrl": format!("{}/picked/{id}", server.uri()), "mimeType": "image/jpeg", "filename": name}})
}

fn pick(server: &MockServer, args: &[&str]) -> Output {
    let mut all = vec!["pick", "--picker-url"];
    let uri = server.uri();
    all.push(&uri);
    all.extend_from_slice(args);
    run(Some(server), &all, None)
}

async fn deletes(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE" && r.url.path() == "/v1/sessions/S9")
        .count()
}

#[tokio::test]
async fn pick_shows_the_link_and_its_qr_code_then_downloads_with_the_token() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let items = vec![
            picked(&server, "P1", "PHOTO", "../../.ssh/authorized_keys"),
            picked(&server, "V1", "VIDEO", "clip.mp4"),
            picked(&server, "P1", "PHOTO", "../../.ssh/authorized_keys"),
        ];
        mount_picker(&server, items, 200).await;
        let dir = std::env::temp_dir().join(format!("cli-pick-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = pick(&server, &["--out", dir.to_str().unwrap(), "--max", "7"]);
        let err = stderr(&out);
        assert!(out.status.success(), "{}{err}", stdout(&out));
        assert!(err.contains("https://photos.google.com/picker/S9"), "{err}");
        // The QR code of exactly that link, as a phone would scan it.
        let code = qrcode::QrCode::new(b"https://photos.google.com/picker/S9").unwrap();
        let drawn = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build();
        assert!(err.contains(&drawn), "{err}");
        assert!(
            stdout(&out).starts_with("downloaded 2, skipped 0"),
            "{}",
            stdout(&out)
        );

        let files = tree(&dir);
        assert_eq!(files.len(), 2, "{files:?}");
        for (name, bytes) in &files {
            assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
            let text = String::from_utf8_lossy(bytes);
            assert!(text.ends_with("with Bearer cli-token"), "{name}: {text}");
        }
        let video = files.iter().find(|(n, _)| n.starts_with("clip-")).unwrap();
        assert!(String::from_utf8_lossy(&video.1).starts_with("/picked/V1=dv "));
        let create = server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.method.as_str() == "POST")
            .unwrap();
        let body: Value = serde_json::from_slice(&create.body).unwrap();
        assert_eq!(body, json!({"pickingConfig": {"maxItemCount": "7"}}));
        assert_eq!(deletes(&server).await, 1);

        // Picked again into the same folder: what is there is kept, not fetched.
        let before = server.received_requests().await.unwrap().len();
        let again = pick(&server, &["--out", dir.to_str().unwrap(), "--no-qr"]);
        assert!(
            stdout(&again).starts_with("downloaded 0, skipped 2"),
            "{}",
            stdout(&again)
        );
        assert!(!stderr(&again).contains(&drawn));
        let fetched = server.received_requests().await.unwrap()[before..]
            .iter()
            .filter(|r| r.url.path().starts_with("/picked/"))
            .count();
        assert_eq!(fetched, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn pick_list_prints_json_lines_and_downloads_nothing() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let items = vec![
            picked(&server, "P1", "PHOTO", "a.jpg"),
            picked(&server, "P2", "PHOTO", "b.jpg"),
        ];
        mount_picker(&server, items, 200).await;
        let out = pick(&server, &["--list", "-o", "json-lines"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let lines: Vec<Value> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["id"], "P2");
        assert_eq!(lines[0]["mediaFile"]["filename"], "a.jpg");
        let requests = server.received_requests().await.unwrap();
        assert!(!requests
            .iter()
            .any(|r| r.url.path().starts_with("/picked/")));
        assert_eq!(deletes(&server).await, 1);
        // A dry run is refused for hand-written commands: nothing is created.
        let dry = pick(&server, &["--list", "--dry-run"]);
        assert_eq!(dry.status.code(), Some(2), "{}", stderr(&dry));
    })
    .await
}

#[tokio::test]
async fn pick_deletes_the_session_after_an_error() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mount_picker(&server, Vec::new(), 403).await;
        let dir = std::env::temp_dir().join(format!("cli-pick-err-{}", std::process::id()));
        let out = pick(&server, &["--out", dir.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(4),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("no longer accessible") && stderr(&out).contains("has expired"),
            "{}",
            stderr(&out)
        );
        // The server's message had an escape sequence: none reaches the terminal.
        assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
        assert!(
            stderr(&out).contains("picking session deleted"),
            "{}",
            stderr(&out)
        );
        assert_eq!(deletes(&server).await, 1);
        // A hostile pickerUri (terminal escapes) is never printed.
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/sessions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "S9",
                "pickerUri": "https://x.example/\u{1b}]52;c;cGF5bG9hZA==\u{7}"})))
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/v1/sessions/S9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        let out = pick(&server, &["--list"]);
        assert_ne!(out.status.code(), Some(0));
        assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
        // ... and the session it named is deleted before the tool exits.
        assert_eq!(deletes(&server).await, 1);
    })
    .await
}

#[cfg(unix)]
#[tokio::test]
async fn pick_interrupted_with_ctrl_c_deletes_the_session() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        // The user never finishes: only the interrupt ends the wait.
        let session = json!({"id": "S9", "pickerUri": "https://photos.google.com/picker/S9",
            "pollingConfig": {"pollInterval": "0.1s", "timeoutIn": "25s"}, "mediaItemsSet": false});
        Mock::given(path("/v1/sessions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(session.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/sessions/S9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(session))
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/v1/sessions/S9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        let mut cmd = Command::new(binary());
        cmd.args(["pick", "--list", "--no-qr", "--picker-url", &server.uri()])
            .env("PHOTOSLIBRARY_TOKEN", "cli-token")
            .env("PHOTOSLIBRARY_BASE_URL", server.uri())
            .env("PHOTOSLIBRARY_CONFIG_DIR", no_config())
            .env_remove("PHOTOSPICKER_BASE_URL");
        let running = Running::spawn(cmd);
        // Interrupt once the tool is waiting (it printed the link and polled).
        let deadline = Instant::now() + DEADLINE;
        while !running
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the link on standard error")
            .contains("picker/S9")
        {}
        while !server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .any(|r| r.method.as_str() == "GET" && r.url.path() == "/v1/sessions/S9")
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let killed = Command::new("kill")
            .args(["-INT", &running.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let (status, _, rest) = running.finish();
        assert_eq!(status.code(), Some(130), "{rest}");
        assert!(rest.contains("picking session deleted"), "{rest}");
        assert_eq!(deletes(&server).await, 1);
    })
    .await
}

#[tokio::test]
async fn pick_lists_again_for_a_base_url_that_expired() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mount_picker(&server, Vec::new(), 200).await;
        // The first listing hands out a URL that is refused; the second a good one.
        let listings = std::sync::atomic::AtomicUsize::new(0);
        let uri = server.uri();
        Mock::given(method("GET"))
            .and(path("/v1/mediaItems"))
            .respond_with(move |_: &Request| {
                let first = listings.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                let base = if first { "stale" } else { "picked" };
                ResponseTemplate::new(200).set_body_json(json!({"mediaItems": [{"id": "P1",
                    "type": "PHOTO", "mediaFile": {"baseUrl": format!("{uri}/{base}/P1"), "filename": "a.jpg"}}]}))
            })
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::path_regex("^/stale/"))
            .respond_with(ResponseTemplate::new(403))
            .mount(&server)
            .await;
        let dir = std::env::temp_dir().join(format!("cli-pick-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = pick(&server, &["--out", dir.to_str().unwrap(), "--no-qr"]);
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).starts_with("downloaded 1, skipped 0 (already there), failed 0"), "{}", stdout(&out));
        let files = tree(&dir);
        assert_eq!(files.len(), 1);
        assert!(String::from_utf8_lossy(&files[0].1).starts_with("/picked/P1=d "));
        std::fs::remove_dir_all(&dir).unwrap();
    })
    .await
}

#[tokio::test]
async fn pick_checks_its_folder_before_anyone_picks() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mount_picker(&server, Vec::new(), 200).await;
        let file = std::env::temp_dir().join(format!("cli-pick-file-{}", std::process::id()));
        std::fs::write(&file, b"keep me").unwrap();
        let out = pick(&server, &["--out", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("cannot create"), "{}", stderr(&out));
        assert!(server.received_requests().await.unwrap().is_empty());
        assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
        std::fs::remove_file(&file).unwrap();
        // A folder that exists but this user cannot write into (even root
        // cannot create files in /proc/self) is found before any session too.
        if cfg!(target_os = "linux") {
            let out = pick(&server, &["--out", "/proc/self"]);
            assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
            assert!(
                stderr(&out).contains("cannot write into"),
                "{}",
                stderr(&out)
            );
            assert!(server.received_requests().await.unwrap().is_empty());
        }
    })
    .await
}

/// Ctrl-C while `sessions.create` is in flight: the tool waits for the
/// session the server makes and deletes it.
#[cfg(unix)]
#[tokio::test]
async fn pick_interrupted_while_the_session_is_created_deletes_it() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let session = json!({"id": "S9", "pickerUri": "https://photos.google.com/picker/S9",
            "pollingConfig": {"pollInterval": "1s", "timeoutIn": "25s"}, "mediaItemsSet": false});
        Mock::given(method("POST"))
            .and(path("/v1/sessions"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(session)
                    .set_delay(Duration::from_secs(2)),
            )
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/v1/sessions/S9"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        let mut cmd = Command::new(binary());
        cmd.args(["pick", "--list", "--no-qr", "--picker-url", &server.uri()])
            .env("PHOTOSLIBRARY_TOKEN", "cli-token")
            .env("PHOTOSLIBRARY_BASE_URL", server.uri())
            .env("PHOTOSLIBRARY_CONFIG_DIR", no_config())
            .env_remove("PHOTOSPICKER_BASE_URL");
        let running = Running::spawn(cmd);
        // Interrupt once the create call has reached the server.
        while !server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .any(|r| r.method.as_str() == "POST")
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let killed = Command::new("kill")
            .args(["-INT", &running.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let (status, _, rest) = running.finish();
        assert_eq!(status.code(), Some(130), "{rest}");
        assert!(rest.contains("picking session deleted"), "{rest}");
        assert_eq!(deletes(&server).await, 1);
    })
    .await
}

#[tokio::test]
async fn the_state_records_the_hash_and_size_of_the_bytes_sent() {
    bounded_cli(async move {
        use sha2::Digest;
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        let dir = photo_folder("upload-hashes", 3);
        // One large enough for several read-ahead pieces.
        let big: Vec<u8> = (0..3_500_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.join("photos/big.jpg"), &big).unwrap();
        let state = dir.join("state.json");
        let out = upload_with_state(&server, &state, &[dir.join("photos").to_str().unwrap()]);
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert_eq!(library.uploads().len(), 4);
        let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
        let files = saved["files"].as_object().unwrap();
        assert_eq!(files.len(), 4, "{saved}");
        let received = library.received.lock().unwrap().clone();
        for (key, entry) in files {
            let bytes = std::fs::read(key).unwrap();
            let digest: String = sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            // What the server received, what the file holds and what the
            // state says are the same bytes.
            let name = Path::new(key).file_name().unwrap().to_str().unwrap();
            assert_eq!(received[name], digest, "{key}");
            assert_eq!(entry["sha256"], digest.as_str(), "{key}");
            assert_eq!(entry["size"], bytes.len() as u64, "{key}");
        }
    })
    .await
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_among_the_photos_fails_alone_and_blocks_nothing() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        let library = mock_library(&server).await;
        let dir = photo_folder("upload-fifo", 2);
        let fifo = dir.join("photos/pipe.jpg");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let state = dir.join("state.json");
        let out = upload_with_state(&server, &state, &[dir.join("photos").to_str().unwrap()]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(4), "{text}{}", stderr(&out));
        assert!(text.starts_with("created 2, failed 1"), "{text}");
        assert!(text.contains("not a regular file"), "{text}");
        assert_eq!(library.uploads().len(), 2);
    })
    .await
}

/// Stored credentials record the scopes the user granted: a command whose
/// methods need another fails before anything is sent, naming the scope and
/// how to get it; the long commands check once before they start.
#[tokio::test]
async fn a_scope_the_user_did_not_grant_fails_before_anything_is_sent() {
    bounded_cli(async move {
        let server = MockServer::start().await;
        mock_token_endpoint(&server).await;
        Mock::given(path("/v1/albums"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"albums": []})))
            .mount(&server)
            .await;
        let config = temp_folder("scopes");
        std::fs::write(
            config.join("credentials.json"),
            json!({
                "type": "authorized_user", "client_id": "cid.apps.example", "client_secret": "shh",
                "refresh_token": "1//r", "token_uri": format!("{}/token", server.uri()),
                "scopes": ["https://www.googleapis.com/auth/photospicker.mediaitems.readonly"]
            })
            .to_string(),
        )
        .unwrap();
        let photo = config.join("a.jpg");
        std::fs::write(&photo, b"aaaa").unwrap();
        let out_dir = config.join("out");
        let frame_dir = config.join("frame");
        for (args, scope, name) in [
            (
                &["albums", "list"][..],
                "photoslibrary.readonly.appcreateddata",
                "readonly.appcreateddata",
            ),
            (
                &["upload", photo.to_str().unwrap()],
                "photoslibrary.appendonly",
                "appendonly",
            ),
            (
                &[
                    "download",
                    "--album",
                    "A",
                    "--out",
                    out_dir.to_str().unwrap(),
                ],
                "photoslibrary.readonly.appcreateddata",
                "readonly.appcreateddata",
            ),
            (
                &[
                    "frame",
                    "--once",
                    "--ambient-url",
                    &server.uri(),
                    "--out",
                    frame_dir.to_str().unwrap(),
                ],
                "photosambient.mediaitems",
                "ambient",
            ),
        ] {
            let out = cli()
                .args(args)
                .env("PHOTOSLIBRARY_CONFIG_DIR", &config)
                .env("PHOTOSLIBRARY_BASE_URL", server.uri())
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains("nothing was sent") && err.contains(scope),
                "{args:?}: {err}"
            );
            let hint = format!(
                "hint: sign in again asking for it: `photoslibrary auth login --scope {name}`"
            );
            assert!(err.contains(&hint), "{args:?}: {err}");
        }
        let calls = server.received_requests().await.unwrap();
        assert!(
            calls.iter().all(|r| r.url.path() == "/token"),
            "no API call: {:?}",
            calls
                .iter()
                .map(|r| r.url.path().to_owned())
                .collect::<Vec<_>>()
        );
        assert!(
            !out_dir.exists() && !frame_dir.exists(),
            "download and frame checked their scope before their folder"
        );
        std::fs::remove_dir_all(&config).unwrap();
    })
    .await
}
