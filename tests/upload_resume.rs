//! Large uploads that survive a restart: the tool is killed mid-upload (its
//! next chunk left unanswered by the mock), and the rerun continues the
//! session where the server is, sending each byte beyond what the server
//! acknowledged once; a file that changed, or a session the server forgot,
//! starts again from the first byte.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod support;
use support::{bounded, media_item_json, Reaped};

fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| support::build_binary("photoslibrary-v1-cli", "photoslibrary"))
        .clone()
}

/// How long one run of the tool may take (within the test's deadline).
const PROCESS_DEADLINE: Duration = Duration::from_secs(12);

const MIB: usize = 1 << 20;
/// The server's granularity; the tool sends 1 MiB chunks (`--chunk-size 1`).
const GRANULARITY: usize = 256 * 1024;

/// A Photos upload server speaking the resumable protocol. Sessions are
/// numbered; each upload command's bytes are kept at its offset, except for
/// commands at or beyond `hang_from`, which are never answered (nor kept);
/// a query answers what the session kept; a `forget` session answers 404.
#[derive(Clone)]
struct Server(Arc<Mutex<Sessions>>);

#[derive(Default)]
struct Sessions {
    base: String,
    data: Vec<Vec<u8>>,
    /// (session, command, offset, length) of every command, in order.
    commands: Vec<(usize, String, usize, usize)>,
    hang_from: Option<usize>,
    /// The hung command's bytes are kept (the server stored the chunk, its
    /// answer never came).
    keep_hung: bool,
    /// Of the hung command's bytes, only this many are kept (as a server
    /// keeps part of a chunk, in units of its granularity).
    keep_only: Option<usize>,
    hung: usize,
    /// A session whose query answers `final` and its token.
    finished: Option<usize>,
    /// A session the server no longer knows.
    forget: Option<usize>,
    /// The status every query is answered with instead (as when the
    /// credentials are refused).
    refuse_queries: Option<u16>,
    resent: bool,
}

impl Server {
    fn commands(&self) -> Vec<(usize, String, usize, usize)> {
        std::mem::take(&mut self.0.lock().unwrap().commands)
    }
}

impl Respond for Server {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap();
        let header = |name: &str| {
            r.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let command = header("x-goog-upload-command");
        if command == "start" {
            s.data.push(Vec::new());
            let url = format!("{}/upload-session/{}", s.base, s.data.len() - 1);
            return ResponseTemplate::new(200)
                .insert_header("X-Goog-Upload-URL", url)
                .insert_header("X-Goog-Upload-Chunk-Granularity", GRANULARITY.to_string());
        }
        let session: usize = r.url.path().rsplit('/').next().unwrap().parse().unwrap();
        let offset: usize = header("x-goog-upload-offset").parse().unwrap_or(0);
        s.commands
            .push((session, command.clone(), offset, r.body.len()));
        if s.forget == Some(session) {
            return ResponseTemplate::new(404);
        }
        if let (Some(code), "query") = (s.refuse_queries, command.as_str()) {
            return ResponseTemplate::new(code).set_body_json(
                json!({"error": {"code": code, "message": "refused", "status": "UNAUTHENTICATED"}}),
            );
        }
        if command == "query" && s.finished == Some(session) {
            return ResponseTemplate::new(200)
                .insert_header("X-Goog-Upload-Status", "final")
                .set_body_string(format!("token-{session}"));
        }
        if command == "query" {
            let have = s.data[session].len();
            return ResponseTemplate::new(200)
                .insert_header("X-Goog-Upload-Status", "active")
                .insert_header("X-Goog-Upload-Size-Received", have.to_string());
        }
        if s.hang_from.is_some_and(|from| offset >= from) {
            s.hung += 1;
            if s.keep_hung {
                let keep = s.keep_only.unwrap_or(r.body.len()).min(r.body.len());
                let data = &mut s.data[session];
                data.truncate(offset);
                data.extend_from_slice(&r.body[..keep]);
            }
            return ResponseTemplate::new(200).set_delay(Duration::from_secs(600));
        }
        let data = &mut s.data[session];
        assert!(offset <= data.len(), "a gap before offset {offset}");
        let resent = offset < data.len();
        data.truncate(offset);
        data.extend_from_slice(&r.body);
        s.resent |= resent;
        if command.contains("finalize") {
            ResponseTemplate::new(200).set_body_string(format!("token-{session}"))
        } else {
            ResponseTemplate::new(200).insert_header("X-Goog-Upload-Status", "active")
        }
    }
}

async fn mock_server() -> (MockServer, Server) {
    let mock = MockServer::start().await;
    let server = Server(Arc::new(Mutex::new(Sessions {
        base: mock.uri(),
        ..Default::default()
    })));
    Mock::given(method("POST"))
        .and(path("/v1/uploads"))
        .and(header("x-goog-upload-command", "start"))
        .respond_with(server.clone())
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/upload-session/\d+$"))
        .respond_with(server.clone())
        .mount(&mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/mediaItems:batchCreate"))
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
        .mount(&mock)
        .await;
    (mock, server)
}

/// A folder with `clip.mp4`: 5 MiB and a bit, no two MiBs alike.
fn folder(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("upload-resume-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clip = dir.join("clip.mp4");
    let content: Vec<u8> = (0..5 * MIB + 1234)
        .map(|i| (i * 31 / 7 % 251) as u8 ^ (i / MIB) as u8)
        .collect();
    std::fs::write(&clip, content).unwrap();
    (dir, clip)
}

fn command(mock: &MockServer, dir: &Path, clip: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(["upload", "--chunk-size", "1", "--state"])
        .arg(dir.join("state.json"))
        .arg(clip)
        .env("PHOTOSLIBRARY_TOKEN", "cli-token")
        .env("PHOTOSLIBRARY_BASE_URL", mock.uri())
        .env("PHOTOSLIBRARY_CONFIG_DIR", dir.join("no-config"))
        .env_remove("PHOTOSLIBRARY_CLIENT_SECRET")
        .stdin(Stdio::null());
    cmd
}

/// Runs the tool to its end (killed after `PROCESS_DEADLINE`).
fn finish(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PROCESS_DEADLINE;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the tool did not finish within {PROCESS_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The saved sessions (the file beside the state), if any.
fn saved_sessions(dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join("state.json.sessions")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Starts an upload that the server stops answering at 2 MiB, waits until
/// the chunk there arrived (the two before were acknowledged and recorded),
/// and kills the tool (no chance to clean up).
async fn interrupted_upload(mock: &MockServer, server: &Server, dir: &Path, clip: &Path) {
    interrupted_upload_at(mock, server, dir, clip, 2 * MIB).await
}

/// [`interrupted_upload`], stopped at the chunk that starts at `at`.
async fn interrupted_upload_at(
    mock: &MockServer,
    server: &Server,
    dir: &Path,
    clip: &Path,
    at: usize,
) {
    server.0.lock().unwrap().hang_from = Some(at);
    let mut child = Reaped::spawn(
        command(mock, dir, clip)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let deadline = Instant::now() + PROCESS_DEADLINE;
    loop {
        let hung = server.0.lock().unwrap().hung > 0;
        let recorded = saved_sessions(dir).is_some_and(|s| {
            s["sessions"]
                .as_object()
                .is_some_and(|all| all.values().any(|v| v["confirmed"] == at))
        });
        if hung && recorded {
            break;
        }
        if Instant::now() > deadline || !child.running() {
            panic!("the upload did not reach its third chunk (hung: {hung}, recorded: {recorded})");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(child);
    let mut s = server.0.lock().unwrap();
    s.hang_from = None;
    assert_eq!(s.data.len(), 1);
    let len = std::fs::metadata(clip).unwrap().len() as usize;
    let kept = match (s.keep_hung, s.keep_only) {
        (true, Some(part)) => (at + part).min(len),
        (true, None) => (at + MIB).min(len),
        (false, _) => at,
    };
    assert_eq!(s.data[0].len(), kept, "the server kept {kept} bytes");
    s.commands.clear();
}

/// The commands that carried bytes (not the queries).
fn sent(commands: &[(usize, String, usize, usize)]) -> Vec<(usize, String, usize, usize)> {
    commands
        .iter()
        .filter(|c| c.1 != "query")
        .cloned()
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_killed_upload_continues_where_the_server_is_and_sends_each_byte_once() {
    binary();
    bounded(async move {
        let (mock, server) = mock_server().await;
        let (dir, clip) = folder("kill");
        interrupted_upload(&mock, &server, &dir, &clip).await;
        let sessions = saved_sessions(&dir).unwrap();
        assert!(
            !sessions.to_string().contains("cli-token"),
            "no token in the sessions file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("state.json.sessions"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the session URL is a credential");
        }

        let out = finish(command(&mock, &dir, &clip));
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stdout.starts_with("created 1, failed 0"), "{stdout}");
        assert!(stderr.contains("1 upload(s) continued"), "{stderr}");
        assert!(
            !stderr.contains("upload-session"),
            "no session URL shown: {stderr}"
        );

        let commands = server.commands();
        let s = server.0.lock().unwrap();
        assert_eq!(s.data.len(), 1, "no second session: {commands:?}");
        assert_eq!(
            s.data[0],
            std::fs::read(&clip).unwrap(),
            "the whole file arrived"
        );
        assert!(
            !s.resent,
            "bytes the server had were sent again: {commands:?}"
        );
        assert_eq!(commands[0].1, "query", "the rerun asks first: {commands:?}");
        // From the server's 2 MiB on, each byte once, in order.
        let mut next = 2 * MIB;
        for (session, command, offset, len) in sent(&commands) {
            assert_eq!((session, offset), (0, next), "{command}: {commands:?}");
            next += len;
        }
        assert_eq!(next, 5 * MIB + 1234);
        assert_eq!(
            saved_sessions(&dir).unwrap()["sessions"],
            json!({}),
            "a finished upload's session is forgotten"
        );
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

#[tokio::test]
async fn a_changed_file_or_a_forgotten_session_starts_a_new_session() {
    binary();
    bounded(async move {
        // Changed within the confirmed bytes, with the same length and
        // modification time: only the hash of what was sent tells.
        let (mock, server) = mock_server().await;
        let (dir, clip) = folder("changed");
        interrupted_upload(&mock, &server, &dir, &clip).await;
        let modified = std::fs::metadata(&clip).unwrap().modified().unwrap();
        let mut content = std::fs::read(&clip).unwrap();
        content[MIB + 10] ^= 0xff;
        std::fs::write(&clip, &content).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&clip)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let out = finish(command(&mock, &dir, &clip));
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{}{stderr}", text(&out.stdout));
        assert!(stderr.contains("changed since an earlier run"), "{stderr}");
        let commands = server.commands();
        {
            let s = server.0.lock().unwrap();
            assert_eq!(s.data.len(), 2, "a new session: {commands:?}");
            assert_eq!(s.data[1], content, "the new content, whole");
        }
        assert!(
            sent(&commands).iter().all(|c| c.0 == 1),
            "no byte more went to the old session: {commands:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);

        // The server forgot the session: a new one gets every byte.
        let (mock, server) = mock_server().await;
        let (dir, clip) = folder("forgotten");
        interrupted_upload(&mock, &server, &dir, &clip).await;
        server.0.lock().unwrap().forget = Some(0);
        let out = finish(command(&mock, &dir, &clip));
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{}{stderr}", text(&out.stdout));
        assert!(
            stderr.contains("no longer has the upload session"),
            "{stderr}"
        );
        let s = server.0.lock().unwrap();
        assert_eq!(s.data.len(), 2);
        assert_eq!(s.data[1], std::fs::read(&clip).unwrap());
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// Kills the tool after the server stored its third chunk without answering:
/// the server has 3 MiB, the tool confirmed 2. The bytes between are checked
/// against the hash recorded when they were read: an unchanged file goes on
/// from 3 MiB, one changed there (same length and time) starts again.
#[tokio::test]
async fn bytes_the_server_kept_unacknowledged_are_checked_before_going_on() {
    binary();
    bounded(async move {
        for change in [false, true] {
            let (mock, server) = mock_server().await;
            server.0.lock().unwrap().keep_hung = true;
            let (dir, clip) = folder(&format!("unacked-{change}"));
            interrupted_upload(&mock, &server, &dir, &clip).await;
            let mut content = std::fs::read(&clip).unwrap();
            if change {
                let modified = std::fs::metadata(&clip).unwrap().modified().unwrap();
                content[2 * MIB + 10] ^= 0xff;
                std::fs::write(&clip, &content).unwrap();
                std::fs::File::options()
                    .write(true)
                    .open(&clip)
                    .unwrap()
                    .set_modified(modified)
                    .unwrap();
            }
            let out = finish(command(&mock, &dir, &clip));
            let stderr = text(&out.stderr);
            assert!(out.status.success(), "{}{stderr}", text(&out.stdout));
            let commands = server.commands();
            let s = server.0.lock().unwrap();
            if change {
                assert!(stderr.contains("changed since an earlier run"), "{stderr}");
                assert_eq!(s.data.len(), 2, "a new session: {commands:?}");
                assert_eq!(s.data[1], content);
            } else {
                assert_eq!(s.data.len(), 1, "the same session: {commands:?}");
                assert_eq!(s.data[0], content);
                assert_eq!(
                    sent(&commands)[0].2,
                    3 * MIB,
                    "from the server's 3 MiB: {commands:?}"
                );
            }
            drop(s);
            let _ = std::fs::remove_dir_all(&dir);
        }
    })
    .await
}

/// A session an earlier run finished (the kill came before its answer)
/// gives its token: nothing is sent again. A session file that points at
/// another host is never used: the token does not go there.
#[tokio::test]
async fn a_finished_session_gives_its_token_and_a_planted_one_is_not_followed() {
    binary();
    bounded(async move {
        let (mock, server) = mock_server().await;
        let (dir, clip) = folder("finished");
        // The last chunk arrived whole; its answer never came.
        server.0.lock().unwrap().keep_hung = true;
        interrupted_upload_at(&mock, &server, &dir, &clip, 5 * MIB).await;
        server.0.lock().unwrap().finished = Some(0);
        let out = finish(command(&mock, &dir, &clip));
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stdout.starts_with("created 1, failed 0"), "{stdout}");
        let commands = server.commands();
        assert_eq!(commands.len(), 1, "only the query: {commands:?}");
        assert_eq!(server.0.lock().unwrap().data.len(), 1, "no new session");
        let _ = std::fs::remove_dir_all(&dir);

        // A sessions file naming another host over https (as if planted):
        // no connection is even opened to it.
        let (mock, server) = mock_server().await;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let (dir, clip) = folder("planted");
        interrupted_upload(&mock, &server, &dir, &clip).await;
        let path = dir.join("state.json.sessions");
        let planted = std::fs::read_to_string(&path)
            .unwrap()
            .replace(&mock.uri(), &format!("https://127.0.0.1:{port}"));
        std::fs::write(&path, planted).unwrap();
        let out = finish(command(&mock, &dir, &clip));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            listener.accept().is_err(),
            "a connection went to the planted host"
        );
        assert_eq!(server.0.lock().unwrap().data.len(), 2, "a new session");
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// Two uploads on one state file at once: the second is refused before it
/// sends anything (their progress would overwrite each other's).
#[tokio::test]
async fn a_second_upload_on_the_same_state_waits_for_none_and_is_refused() {
    binary();
    bounded(async move {
        let (mock, server) = mock_server().await;
        let (dir, clip) = folder("locked");
        server.0.lock().unwrap().hang_from = Some(2 * MIB);
        let first = Reaped::spawn(
            command(&mock, &dir, &clip)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let deadline = Instant::now() + PROCESS_DEADLINE;
        while server.0.lock().unwrap().hung == 0 {
            assert!(
                Instant::now() < deadline,
                "the first upload never got going"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let before = server.0.lock().unwrap().commands.len();
        let out = finish(command(&mock, &dir, &clip));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("another run is using"), "{stderr}");
        assert_eq!(
            server.0.lock().unwrap().commands.len(),
            before,
            "nothing sent"
        );
        drop(first);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// A server that kept part of the chunk it never acknowledged, in units of
/// its 256 KiB granularity: the rerun checks and goes on from there.
#[tokio::test]
async fn part_of_a_chunk_the_server_kept_is_checked_and_not_sent_again() {
    binary();
    bounded(async move {
        let (mock, server) = mock_server().await;
        {
            let mut s = server.0.lock().unwrap();
            s.keep_hung = true;
            s.keep_only = Some(3 * GRANULARITY);
        }
        let (dir, clip) = folder("part");
        interrupted_upload(&mock, &server, &dir, &clip).await;
        let out = finish(command(&mock, &dir, &clip));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let commands = server.commands();
        let s = server.0.lock().unwrap();
        assert_eq!(s.data.len(), 1, "the same session: {commands:?}");
        assert_eq!(s.data[0], std::fs::read(&clip).unwrap());
        assert_eq!(
            sent(&commands)[0].2,
            2 * MIB + 3 * GRANULARITY,
            "from where the server is: {commands:?}"
        );
        assert!(!s.resent, "{commands:?}");
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// A rerun whose credentials are refused when it asks about the session
/// fails without starting again and keeps the session: after a new login the
/// upload goes on where the server is, no byte sent twice.
#[tokio::test]
async fn a_refused_login_keeps_the_session_for_the_next_run() {
    binary();
    bounded(async move {
        let (mock, server) = mock_server().await;
        let (dir, clip) = folder("refused-login");
        interrupted_upload(&mock, &server, &dir, &clip).await;
        server.0.lock().unwrap().refuse_queries = Some(401);
        let out = finish(command(&mock, &dir, &clip));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{}{stderr}", text(&out.stdout));
        {
            let s = server.0.lock().unwrap();
            assert_eq!(s.data.len(), 1, "no new session");
        }
        let saved = saved_sessions(&dir).unwrap();
        assert_eq!(
            saved["sessions"].as_object().map(|all| all.len()),
            Some(1),
            "the session is kept: {saved}"
        );
        assert!(sent(&server.commands()).is_empty(), "no bytes sent");

        server.0.lock().unwrap().refuse_queries = None;
        let out = finish(command(&mock, &dir, &clip));
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stderr.contains("1 upload(s) continued"), "{stderr}");
        let s = server.0.lock().unwrap();
        assert_eq!(s.data.len(), 1, "still no second session");
        assert_eq!(s.data[0], std::fs::read(&clip).unwrap());
        assert!(!s.resent);
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
}

/// A FIFO planted where the state or its lock goes is refused at once, not
/// waited on.
#[cfg(unix)]
#[tokio::test]
async fn a_fifo_at_the_state_or_its_lock_is_refused_without_hanging() {
    binary();
    bounded(async move {
        let (mock, _server) = mock_server().await;
        for planted in ["state.json.lock", "state.json"] {
            let (dir, clip) = folder(&format!("fifo-{planted}"));
            let made = Command::new("mkfifo")
                .arg(dir.join(planted))
                .status()
                .unwrap();
            assert!(made.success());
            let out = finish(command(&mock, &dir, &clip));
            let stderr = text(&out.stderr);
            assert!(!out.status.success(), "{planted}: {stderr}");
            // Refused as such, or (a lock's write-only open of a FIFO with no
            // reader) not opened at all.
            assert!(
                stderr.contains("not a regular file")
                    || stderr.contains("cannot open the lock file"),
                "{planted}: {stderr}"
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    })
    .await
}
