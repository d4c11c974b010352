//! The Ambient API flow against a mock server: the library's device
//! registration (request ids, `ALREADY_EXISTS`, the 100-device limit), the
//! wait for the user's choice, listings and downloads; and the tool's
//! `frame`, which keeps a folder equal to the chosen items across runs and
//! cleans up after Ctrl-C.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use photosambient_v1::frames::MediaOptions;
use photosambient_v1::{Client, Error};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod support;
use support::{bounded, fast_retries, Reaped};

fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| support::build_binary("photoslibrary-v1-cli", "photoslibrary"))
        .clone()
}

/// How the next `devices.create` is answered.
enum Create {
    /// The device is made, but the answer is lost (503).
    Lost,
    /// This status and body, nothing made.
    Fail(u16, Value),
}

/// A mock Ambient API and its base URLs.
#[derive(Default)]
struct State {
    base: String,
    devices: HashMap<String, Value>,
    by_request: HashMap<String, String>,
    /// Devices made so far (their ids count up).
    made: usize,
    /// The `requestId` of every create, in order.
    creates: Vec<String>,
    /// The id (or request id) of every delete, in order.
    deletes: Vec<String>,
    script: Vec<Create>,
    /// `devices.get` answers until the sources are set (`usize::MAX`: never).
    polls_until_set: usize,
    polls: Vec<Instant>,
    /// Devices `devices.list` shows besides the mock's own.
    other_devices: usize,
    items: Vec<Value>,
    listings: usize,
    list_requests: usize,
    /// A status every `mediaItems.list` is answered with instead.
    list_status: Option<u16>,
    /// Items whose first download is refused as expired.
    expire_once: HashSet<String>,
    /// (path, Authorization header) of every download.
    fetched: Vec<(String, Option<String>)>,
}

#[derive(Clone, Default)]
struct Ambient(Arc<Mutex<State>>);

const PAGE: usize = 2;

fn item(id: &str) -> Value {
    json!({"id": id, "createTime": "2024-05-01T10:00:00Z",
        "mediaFile": {"mimeType": "image/jpeg", "mediaFileMetadata": {"width": 4000, "height": 3000}}})
}

fn status(code: u16, status: &str) -> ResponseTemplate {
    ResponseTemplate::new(code)
        .set_body_json(json!({"error": {"code": code, "message": status, "status": status}}))
}

impl Respond for Ambient {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let query: HashMap<String, String> = r.url.query_pairs().into_owned().collect();
        let path = r.url.path().to_owned();
        let method = r.method.as_str();
        match (method, path.as_str()) {
            ("POST", "/v1/devices") => {
                let request_id = query.get("requestId").cloned().unwrap_or_default();
                s.creates.push(request_id.clone());
                let made = |s: &mut State| {
                    if s.by_request.contains_key(&request_id) {
                        return None;
                    }
                    s.made += 1;
                    let id = format!("DEV{}", s.made);
                    let body: Value = serde_json::from_slice(&r.body).unwrap();
                    let device = json!({"id": id, "displayName": body["displayName"],
                        "settingsUri": format!("{}/settings/{id}", s.base),
                        "pollingConfig": {"pollInterval": "1s"}, "mediaSourcesSet": false});
                    s.devices.insert(id.clone(), device.clone());
                    s.by_request.insert(request_id.clone(), id);
                    Some(device)
                };
                if !s.script.is_empty() {
                    match s.script.remove(0) {
                        Create::Lost => {
                            made(&mut s);
                            return status(503, "UNAVAILABLE");
                        }
                        Create::Fail(code, body) => {
                            return ResponseTemplate::new(code).set_body_json(body)
                        }
                    }
                }
                match made(&mut s) {
                    Some(device) => ResponseTemplate::new(200).set_body_json(device),
                    None => status(409, "ALREADY_EXISTS"),
                }
            }
            ("GET", "/v1/devices") => {
                let mut all: Vec<Value> = s.devices.values().cloned().collect();
                all.extend((0..s.other_devices).map(|i| json!({"id": format!("OTHER{i}")})));
                ResponseTemplate::new(200).set_body_json(json!({"devices": all}))
            }
            ("GET", p) if p.starts_with("/v1/devices/") => {
                let id = p.trim_start_matches("/v1/devices/").to_owned();
                s.polls.push(Instant::now());
                let set = s.polls.len() > s.polls_until_set;
                match s.devices.get_mut(&id) {
                    Some(device) => {
                        if set {
                            device["mediaSourcesSet"] = json!(true);
                        }
                        ResponseTemplate::new(200).set_body_json(device.clone())
                    }
                    None => status(404, "NOT_FOUND"),
                }
            }
            ("DELETE", p) if p.starts_with("/v1/devices/") => {
                let id = p.trim_start_matches("/v1/devices/").to_owned();
                s.deletes.push(id.clone());
                let id = s.by_request.remove(&id).unwrap_or(id);
                s.by_request.retain(|_, d| *d != id);
                match s.devices.remove(&id) {
                    Some(_) => ResponseTemplate::new(200).set_body_json(json!({})),
                    None => status(404, "NOT_FOUND"),
                }
            }
            ("GET", "/v1/mediaItems") => {
                let device = query.get("deviceId").cloned().unwrap_or_default();
                if !s.devices.contains_key(&device) {
                    return status(404, "NOT_FOUND");
                }
                if let Some(code) = s.list_status {
                    s.list_requests += 1;
                    return status(code, "UNAUTHENTICATED");
                }
                let start: usize = query
                    .get("pageToken")
                    .map(|t| t.parse().unwrap())
                    .unwrap_or(0);
                if start == 0 {
                    s.listings += 1;
                }
                s.list_requests += 1;
                let listing = s.listings;
                let base = s.base.clone();
                let page: Vec<Value> = s
                    .items
                    .iter()
                    .skip(start)
                    .take(PAGE)
                    .map(|i| {
                        let mut i = i.clone();
                        let id = i["id"].as_str().unwrap().to_owned();
                        i["mediaFile"]["baseUrl"] = json!(format!("{base}/lh/{listing}/{id}"));
                        i
                    })
                    .collect();
                let mut body = json!({ "mediaItems": page });
                if start + PAGE < s.items.len() {
                    body["nextPageToken"] = json!((start + PAGE).to_string());
                }
                ResponseTemplate::new(200).set_body_json(body)
            }
            ("GET", p) if p.starts_with("/lh/") => {
                let auth = r
                    .headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                s.fetched.push((p.to_owned(), auth));
                let id = p
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .split('=')
                    .next()
                    .unwrap()
                    .to_owned();
                if s.expire_once.remove(&id) {
                    return ResponseTemplate::new(403);
                }
                ResponseTemplate::new(200).set_body_raw(format!("bytes of {id}"), "image/jpeg")
            }
            _ => ResponseTemplate::new(404),
        }
    }
}

async fn mock() -> (MockServer, Ambient) {
    let server = MockServer::start().await;
    let ambient = Ambient::default();
    ambient.0.lock().unwrap().base = server.uri();
    Mock::given(any())
        .respond_with(ambient.clone())
        .mount(&server)
        .await;
    (server, ambient)
}

fn ambient_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("ambient-token")
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

fn is_v4_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

// ------------------------------------------------------------------ library

#[tokio::test]
async fn a_lost_create_is_resent_with_its_request_id_and_an_orphan_removed_by_it() {
    bounded(async move {
        let (server, ambient) = mock().await;
        // The first answer is lost (the device was made); the retry hears
        // ALREADY_EXISTS; the orphan is deleted by request id and made again.
        ambient.0.lock().unwrap().script.push(Create::Lost);
        let device = ambient_client(&server)
            .create_device("Kitchen")
            .await
            .unwrap();
        {
            let s = ambient.0.lock().unwrap();
            assert_eq!(s.creates.len(), 3, "{:?}", s.creates);
            assert!(is_v4_uuid(&s.creates[0]), "{}", s.creates[0]);
            assert!(
                s.creates.iter().all(|r| *r == s.creates[0]),
                "one request id"
            );
            assert_eq!(
                s.deletes,
                [s.creates[0].clone()],
                "deleted by its request id"
            );
            assert_eq!(s.devices.len(), 1, "no orphan left");
            assert_eq!(device.id.as_deref(), Some("DEV2"));
            assert_eq!(device.display_name.as_deref(), Some("Kitchen"));
        }
        // A second device gets its own request id.
        ambient_client(&server).create_device("Hall").await.unwrap();
        let s = ambient.0.lock().unwrap();
        assert_ne!(s.creates[3], s.creates[0]);
        assert!(is_v4_uuid(&s.creates[3]));
    })
    .await
}

#[tokio::test]
async fn the_hundred_device_limit_is_a_clear_error_and_not_retried() {
    bounded(async move {
        let (server, ambient) = mock().await;
        {
            let mut s = ambient.0.lock().unwrap();
            s.other_devices = 100;
            s.script.push(Create::Fail(
                429,
                json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota"}}),
            ));
        }
        let err = ambient_client(&server)
            .create_device("One more")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::QuotaExhausted { .. }), "{err:?}");
        assert!(err.to_string().contains("100 ambient devices"), "{err}");
        assert_eq!(ambient.0.lock().unwrap().creates.len(), 1, "not retried");
        // Names the API refuses are refused before any request.
        let long = "x".repeat(101);
        for name in ["", long.as_str()] {
            let err = ambient_client(&server)
                .create_device(name)
                .await
                .unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        }
        assert_eq!(ambient.0.lock().unwrap().creates.len(), 1);
    })
    .await
}

#[tokio::test]
async fn the_wait_polls_at_the_interval_until_sources_are_set_and_is_bounded() {
    bounded(async move {
        let (server, ambient) = mock().await;
        let client = ambient_client(&server);
        let device = client.create_device("Frame").await.unwrap();
        let id = device.id.unwrap();
        ambient.0.lock().unwrap().polls_until_set = 2;
        let mut seen = 0;
        let device = client
            .wait_for_media_sources(&id, None, |_| seen += 1)
            .await
            .unwrap();
        assert_eq!(device.media_sources_set, Some(true));
        assert_eq!(seen, 3);
        let polls = ambient.0.lock().unwrap().polls.clone();
        for pair in polls.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_secs(1), "{polls:?}");
        }
        // Never chosen: the wait ends at its maximum, after a last poll.
        let (server, ambient) = mock().await;
        let client = ambient_client(&server);
        let id = client.create_device("Frame").await.unwrap().id.unwrap();
        ambient.0.lock().unwrap().polls_until_set = usize::MAX;
        let started = Instant::now();
        let err = client
            .wait_for_media_sources(&id, Some(Duration::from_millis(1500)), |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Expired { .. }), "{err:?}");
        // The first poll, perhaps one a second later, and a last one at the
        // deadline (how many fit depends on how long each took).
        let polls = ambient.0.lock().unwrap().polls.clone();
        assert!((2..=3).contains(&polls.len()), "{polls:?}");
        assert!(
            *polls.last().unwrap() >= started + Duration::from_millis(1500),
            "the last poll at the deadline: {polls:?}"
        );
        // A device removed meanwhile.
        let err = client
            .wait_for_media_sources("GONE", None, |_| {})
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no longer exists"), "{err}");
    })
    .await
}

#[tokio::test]
async fn listings_take_every_page_once_and_downloads_go_with_the_token_only_to_safe_hosts() {
    bounded(async move {
        let (server, ambient) = mock().await;
        let client = ambient_client(&server);
        let id = client.create_device("Frame").await.unwrap().id.unwrap();
        {
            let mut s = ambient.0.lock().unwrap();
            // Five items, one repeated on a later page.
            s.items = ["a", "b", "c", "a", "d"].iter().map(|i| item(i)).collect();
        }
        let listing = client.list_device_media(&id).await.unwrap();
        let ids: Vec<&str> = listing
            .items
            .iter()
            .map(|i| i.id.as_deref().unwrap())
            .collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(listing.requests, 3);
        assert!(!listing.is_stale());
        let dir = std::env::temp_dir().join(format!("ambient-lib-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let first = &listing.items[0];
        client
            .download_item_to(first, &MediaOptions::sized(800, 600), &dir)
            .await
            .unwrap();
        let name = first
            .local_file_name(&MediaOptions::sized(800, 600))
            .unwrap();
        assert_eq!(std::fs::read(dir.join(&name)).unwrap(), b"bytes of a");
        let fetched = ambient.0.lock().unwrap().fetched.clone();
        assert_eq!(fetched[0].0, "/lh/1/a=w800-h600");
        assert_eq!(fetched[0].1.as_deref(), Some("Bearer ambient-token"));
        // A base URL elsewhere over plain http gets nothing.
        let mut elsewhere = first.clone();
        elsewhere.media_file.as_mut().unwrap().base_url =
            Some("http://example.invalid/lh/x".into());
        let err = client
            .download_item_to(&elsewhere, &MediaOptions::original(&elsewhere), &dir)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

// --------------------------------------------------------------------- tool

fn frame_command(server: &MockServer, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(["frame", "--no-qr", "--ambient-url", &server.uri(), "--out"])
        .arg(dir)
        .args(args)
        .env("PHOTOSLIBRARY_TOKEN", "cli-token")
        .env("PHOTOSLIBRARY_BASE_URL", server.uri())
        .env("PHOTOSLIBRARY_CONFIG_DIR", dir.join("no-config"))
        .env_remove("PHOTOSAMBIENT_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs the tool to its end (killed after 20 s).
fn finish(mut cmd: Command) -> Output {
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the tool did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn state(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(".photoslibrary-frame.json")).unwrap()).unwrap()
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ambient-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names of the files in `dir` but the frame's state.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".photoslibrary-frame.json"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn frame_registers_once_keeps_the_folder_equal_to_the_choice_and_forgets() {
    binary();
    bounded(async move {
        let (server, ambient) = mock().await;
        {
            let mut s = ambient.0.lock().unwrap();
            s.polls_until_set = 1;
            s.items = ["a", "b", "c"].iter().map(|i| item(i)).collect();
        }
        let dir = folder("sync");
        std::fs::write(dir.join("mine.jpg"), b"the user's own").unwrap();
        let out = finish(frame_command(&server, &dir, &["--once", "--name", "Den"]));
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stderr.contains(&format!("{}/settings/DEV1", server.uri())), "{stderr}");
        assert!(
            stdout.starts_with("round 1: downloaded 3, deleted 0, kept 0, failed 0; 2 list request(s) (of 240 a day)"),
            "{stdout}"
        );
        let first = state(&dir);
        assert_eq!(first["device_id"], "DEV1");
        assert_eq!(first["files"].as_object().unwrap().len(), 3);
        assert_eq!(files(&dir).len(), 4, "{:?}", files(&dir));

        // The user changes the choice: b goes, d comes (its first URL is
        // refused as expired, so the items are listed again).
        {
            let mut s = ambient.0.lock().unwrap();
            s.items = ["a", "c", "d"].iter().map(|i| item(i)).collect();
            s.expire_once.insert("d".into());
        }
        let b_name = first["files"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, id)| *id == "b")
            .map(|(name, _)| name.clone())
            .unwrap();
        // What an interrupted download of b left goes with it; a file the
        // state names without being this tool's (as if planted) stays.
        std::fs::write(dir.join(format!(".{b_name}.part")), b"half").unwrap();
        std::fs::write(dir.join("notes.txt"), b"keep me").unwrap();
        let mut planted = state(&dir);
        planted["files"]["notes.txt"] = json!("b");
        std::fs::write(
            dir.join(".photoslibrary-frame.json"),
            serde_json::to_vec(&planted).unwrap(),
        )
        .unwrap();
        let out = finish(frame_command(&server, &dir, &["--once"]));
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.starts_with("round 1: downloaded 1, deleted 1, kept 2, failed 0; 4 list request(s)"),
            "{stdout}"
        );
        assert!(!dir.join(&b_name).exists(), "the unchosen item's file is gone");
        assert!(!dir.join(format!(".{b_name}.part")).exists(), "and its partial download");
        assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), b"keep me");
        assert_eq!(
            std::fs::read(dir.join("mine.jpg")).unwrap(),
            b"the user's own",
            "a file the tool did not write is kept"
        );
        assert_eq!(files(&dir).len(), 5, "{:?}", files(&dir));
        {
            let s = ambient.0.lock().unwrap();
            assert_eq!(s.creates.len(), 1, "the device is reused");
            assert!(s
                .fetched
                .iter()
                .all(|(_, auth)| auth.as_deref() == Some("Bearer cli-token")));
        }

        // A device removed in Google Photos is registered again.
        {
            let mut s = ambient.0.lock().unwrap();
            s.devices.clear();
            s.polls_until_set = 0;
        }
        let out = finish(frame_command(&server, &dir, &["--once"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("no longer exists"), "{}", text(&out.stderr));
        assert_eq!(state(&dir)["device_id"], "DEV2");

        // --forget deletes the device; the files stay.
        let out = finish(frame_command(&server, &dir, &["--forget"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(ambient.0.lock().unwrap().deletes, ["DEV2"]);
        assert_eq!(state(&dir)["device_id"], Value::Null);
        assert_eq!(files(&dir).len(), 5);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// Sends the tool SIGINT (as Ctrl-C does) and waits for it to end (15 s at
/// most).
#[cfg(unix)]
async fn interrupt(mut child: Reaped) -> Output {
    let killed = Command::new("kill")
        .args(["-INT", &child.child().id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.output_within(Duration::from_secs(15)).await
}

#[cfg(unix)]
#[tokio::test]
async fn frame_interrupted_before_albums_are_chosen_deletes_the_device_it_registered() {
    binary();
    bounded(async move {
        let (server, ambient) = mock().await;
        ambient.0.lock().unwrap().polls_until_set = usize::MAX;
        let dir = folder("interrupt");
        let mut child = Reaped::spawn(&mut frame_command(&server, &dir, &["--once"]));
        // Interrupt once the tool waits (it registered the device and polled).
        let deadline = Instant::now() + Duration::from_secs(15);
        while ambient.0.lock().unwrap().polls.len() < 2 {
            assert!(Instant::now() < deadline, "the tool never waited");
            assert!(child.running(), "the tool ended early");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let out = interrupt(child).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{stderr}");
        assert!(
            stderr.contains("registered by this run was deleted"),
            "{stderr}"
        );
        let s = ambient.0.lock().unwrap();
        assert_eq!(s.deletes, ["DEV1"]);
        assert!(s.devices.is_empty());
        assert_eq!(state(&dir)["device_id"], Value::Null);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// A run killed after the server made its device but before the tool saved
/// the device's id: the next run deletes that device by the request id it
/// saved first, then registers one it keeps.
#[tokio::test]
async fn a_registration_a_crash_interrupted_is_undone_by_its_request_id() {
    binary();
    bounded(async move {
        let (server, ambient) = mock().await;
        ambient.0.lock().unwrap().polls_until_set = 0;
        let request = photosambient_v1::frames::new_request_id();
        ambient_client(&server)
            .create_device_as("Den", &request)
            .await
            .unwrap();
        let dir = folder("crash");
        std::fs::write(
            dir.join(".photoslibrary-frame.json"),
            json!({"version": 1, "pending_request": request, "files": {}}).to_string(),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let state = dir.join(".photoslibrary-frame.json");
            std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let out = finish(frame_command(&server, &dir, &["--once"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s = ambient.0.lock().unwrap();
        assert_eq!(
            s.deletes,
            std::slice::from_ref(&request),
            "deleted by its request id"
        );
        assert_eq!(s.devices.keys().collect::<Vec<_>>(), ["DEV2"]);
        drop(s);
        let kept = state(&dir);
        assert_eq!(kept["device_id"], "DEV2");
        assert_eq!(kept["pending_request"], Value::Null);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// Spawns the tool with its standard output read line by line on a thread,
/// so a test can wait for a line without blocking on the pipe.
fn spawn_reading(mut cmd: Command) -> (Reaped, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = Reaped::spawn(&mut cmd);
    let stdout = child.child().stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

/// On a schedule the tool syncs a round, reports it, and waits for the next
/// one without listing again; Ctrl-C then stops it cleanly, keeping the
/// device (its albums were chosen) and the files.
#[cfg(unix)]
#[tokio::test]
async fn frame_on_a_schedule_syncs_a_round_then_waits_and_stops_on_ctrl_c() {
    binary();
    bounded(async move {
        let (server, ambient) = mock().await;
        ambient.0.lock().unwrap().items = ["a", "b"].iter().map(|i| item(i)).collect();
        let dir = folder("schedule");
        let (mut child, lines) = spawn_reading(frame_command(&server, &dir, &["--every", "5m"]));
        let deadline = Instant::now() + Duration::from_secs(15);
        let first = loop {
            match lines.try_recv() {
                Ok(line) if line.starts_with("round ") => break line,
                Ok(_) | Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(e) => panic!("the tool's output ended: {e}"),
            }
            assert!(Instant::now() < deadline, "no round reported");
            assert!(child.running(), "the tool ended early");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(
            first.starts_with("round 1: downloaded 2, deleted 0, kept 0, failed 0"),
            "{first}"
        );
        // Waiting for the next round, not ended (as --once would be).
        assert!(child.running(), "a scheduled run ended after one round");
        let out = interrupt(child).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("interrupted"), "{stderr}");
        let rest: Vec<String> = lines.try_iter().collect();
        assert!(rest.iter().all(|l| !l.starts_with("round ")), "{rest:?}");
        {
            let s = ambient.0.lock().unwrap();
            assert_eq!(s.listings, 1, "one round only");
            assert!(s.deletes.is_empty(), "a chosen device is kept");
        }
        assert_eq!(state(&dir)["device_id"], "DEV1");
        assert_eq!(files(&dir).len(), 2, "{:?}", files(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// A token the API refuses ends a scheduled run at once (exit 3) instead of
/// failing again every round; the device stays.
#[tokio::test]
async fn frame_on_a_schedule_stops_when_the_token_is_refused() {
    binary();
    bounded(async move {
        let (server, ambient) = mock().await;
        ambient.0.lock().unwrap().list_status = Some(401);
        let dir = folder("schedule-auth");
        let out = finish(frame_command(&server, &dir, &["--every", "5m"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("round 1: error"), "{stderr}");
        {
            let s = ambient.0.lock().unwrap();
            assert_eq!(s.list_requests, 1, "a 401 is not retried");
            assert!(s.deletes.is_empty());
        }
        assert_eq!(state(&dir)["device_id"], "DEV1");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// Another --size than the files were downloaded at: every file goes and
/// comes again at the new size (a sized copy and the original share a
/// name, so nothing else would tell them apart).
#[tokio::test]
async fn frame_downloads_again_when_the_size_changes() {
    binary();
    bounded(async move {
        let (server, ambient) = mock().await;
        {
            let mut s = ambient.0.lock().unwrap();
            s.polls_until_set = 0;
            s.items = ["a", "b"].iter().map(|i| item(i)).collect();
        }
        let dir = folder("resize");
        let out = finish(frame_command(&server, &dir, &["--once"]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = finish(frame_command(
            &server,
            &dir,
            &["--once", "--size", "640x480"],
        ));
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            stdout.starts_with("round 1: downloaded 2, deleted 2, kept 0, failed 0"),
            "{stdout}"
        );
        assert_eq!(state(&dir)["size"], json!([640, 480]));
        let sized = ambient
            .0
            .lock()
            .unwrap()
            .fetched
            .iter()
            .filter(|(path, _)| path.contains("=w640-h480"))
            .count();
        assert_eq!(sized, 2);
        // The same size again: nothing to do.
        let out = finish(frame_command(
            &server,
            &dir,
            &["--once", "--size", "640x480"],
        ));
        let stdout = text(&out.stdout);
        assert!(
            stdout.starts_with("round 1: downloaded 0, deleted 0, kept 2, failed 0"),
            "{stdout}"
        );
        assert_eq!(files(&dir).len(), 2, "{:?}", files(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}
