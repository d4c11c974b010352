//! The resumable upload sessions under way (`<state file>.sessions`, beside
//! the upload state): per file, the session URL and granularity, the file's
//! size and modification time when the session started, the bytes the
//! server confirmed with the SHA-256 of those bytes, and the hashes of the
//! prefixes read beyond them (the server may have kept a chunk it never
//! acknowledged). A rerun asks the server where it is, checks the file's
//! bytes up to there against the hash recorded for that offset, and sends
//! only the rest; an offset without a recorded hash starts a new session.
//!
//! A session URL is a credential to its upload: the file is owner-only and
//! written atomically like the state, is refused when another user owns or
//! may write it, and no message shows a URL. It is rewritten at each
//! confirmed chunk by a thread of its own, so the uploads never wait on the
//! disk; a write that a kill loses costs a resume, never a wrong one.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};

use serde_json::{json, Map, Value};

use super::state::{is_hash, now, versioned, Location, MAX_AHEAD};

const VERSION: u64 = 1;

/// A session older than this is not resumed (the server keeps them for
/// about a week).
const MAX_AGE_SECS: u64 = 6 * 24 * 60 * 60;

/// The longest session URL kept; a longer one is not recorded.
const MAX_URL: usize = 8 * 1024;

/// The largest granularity a session may have (the largest chunk the
/// upload engine holds).
const MAX_GRANULARITY: u64 = 256 << 20;

/// One file's session.
#[derive(Clone, PartialEq, Eq)]
pub struct Saved {
    pub url: String,
    pub granularity: u64,
    /// The file's length and modification time (ns since the epoch) when the
    /// session started.
    pub size: u64,
    pub modified: Option<u64>,
    /// Bytes the server confirmed, and the SHA-256 (hex) of the file's first
    /// `confirmed` bytes.
    pub confirmed: u64,
    pub prefix_sha256: String,
    /// The SHA-256 of longer prefixes, read to be sent (offset, hex).
    pub ahead: Vec<(u64, String)>,
    /// When the session started, in seconds since the Unix epoch.
    pub started: u64,
}

impl Saved {
    /// The recorded SHA-256 of the file's first `offset` bytes, if any.
    pub fn hash_at(&self, offset: u64) -> Option<&str> {
        if offset == self.confirmed {
            return Some(&self.prefix_sha256);
        }
        self.ahead
            .iter()
            .find(|(at, _)| *at == offset)
            .map(|(_, hash)| hash.as_str())
    }
}

/// The URL is a credential: never shown.
impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saved")
            .field("url", &"<redacted>")
            .field("size", &self.size)
            .field("confirmed", &self.confirmed)
            .finish_non_exhaustive()
    }
}

/// The sessions file: loaded once, changed as sessions start, advance and
/// end (by any of the uploads running at once), written by its own thread.
pub struct Sessions {
    shared: Arc<Shared>,
    writer: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    location: Location,
    state: Mutex<Book>,
    changed: Condvar,
}

/// The sessions, and how far the file on disk is behind them.
struct Book {
    saved: BTreeMap<String, Saved>,
    version: u64,
    written: u64,
    closed: bool,
    /// The writer ended (it only does once closed, but a flush must not
    /// wait for one that is gone).
    gone: bool,
    /// The failure of the last write, if it failed, reported at the end.
    write_error: Option<String>,
}

impl Sessions {
    /// The sessions beside the state at `state`; those too old to resume
    /// are dropped. A file that is a link, too big, someone else's or
    /// corrupt is refused like the state.
    pub fn load(state: &Location) -> Result<Sessions, String> {
        let location = state.sessions();
        let saved = match location.read("upload sessions")? {
            None => BTreeMap::new(),
            Some(bytes) => parse(&bytes, now()).map_err(|e| {
                format!(
                    "the upload sessions file {} is corrupt ({e}); delete it (uploads under way then start again)",
                    location.path().display()
                )
            })?,
        };
        let shared = Arc::new(Shared {
            location,
            state: Mutex::new(Book {
                saved,
                version: 0,
                written: 0,
                closed: false,
                gone: false,
                write_error: None,
            }),
            changed: Condvar::new(),
        });
        let writing = shared.clone();
        let writer = std::thread::Builder::new()
            .name("upload-sessions".into())
            .spawn(move || {
                // However the loop ends, waiters learn it.
                struct Gone<'a>(&'a Shared);
                impl Drop for Gone<'_> {
                    fn drop(&mut self) {
                        let mut book = lock(&self.0.state);
                        book.gone = true;
                        self.0.changed.notify_all();
                    }
                }
                let _gone = Gone(&writing);
                writing.write_loop();
            })
            .map_err(|e| format!("cannot start the sessions writer: {e}"))?;
        Ok(Sessions {
            shared,
            writer: Some(writer),
        })
    }

    /// The session of the file under `key`.
    pub fn get(&self, key: &str) -> Option<Saved> {
        self.shared.state.lock().ok()?.saved.get(key).cloned()
    }

    /// Records a session that just started (before its first byte is sent);
    /// one whose URL is too long to keep is not recorded (and not resumed).
    pub fn start(&self, key: &str, saved: Saved) {
        if saved.url.len() > MAX_URL {
            return;
        }
        self.change(|all| {
            all.insert(key.to_owned(), saved);
            true
        });
    }

    /// Records that the server confirmed the first `confirmed` bytes, whose
    /// SHA-256 is `prefix_sha256`, and the hashes of the prefixes read
    /// beyond them.
    pub fn confirm(
        &self,
        key: &str,
        confirmed: u64,
        prefix_sha256: String,
        mut ahead: Vec<(u64, String)>,
    ) {
        self.change(|all| match all.get_mut(key) {
            Some(saved) if confirmed >= saved.confirmed && confirmed <= saved.size => {
                ahead.retain(|(at, _)| *at > confirmed && *at <= saved.size);
                ahead.truncate(MAX_AHEAD);
                let changed = confirmed != saved.confirmed || ahead != saved.ahead;
                saved.confirmed = confirmed;
                saved.prefix_sha256 = prefix_sha256;
                saved.ahead = ahead;
                changed
            }
            _ => false,
        });
    }

    /// Drops the session of `key` (the upload finished, or cannot resume).
    pub fn forget(&self, key: &str) {
        self.change(|all| all.remove(key).is_some());
    }

    /// Waits until the file holds every change made so far; returns the
    /// first error writing it, if any.
    pub fn flush(&self) -> Option<String> {
        let mut book = lock(&self.shared.state);
        while book.written < book.version && !book.gone {
            book = self
                .shared
                .changed
                .wait(book)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if book.written < book.version {
            return Some("the upload sessions file was not written to the end".into());
        }
        book.write_error.clone()
    }

    /// Applies `change` and, when it changed something, wakes the writer.
    fn change(&self, change: impl FnOnce(&mut BTreeMap<String, Saved>) -> bool) {
        let Ok(mut book) = self.shared.state.lock() else {
            return;
        };
        if change(&mut book.saved) {
            book.version += 1;
            self.shared.changed.notify_all();
        }
    }
}

impl Shared {
    /// Writes the latest sessions whenever they changed (several changes
    /// made meanwhile are one write), until closed with nothing left.
    fn write_loop(&self) {
        loop {
            let (bytes, version) = {
                let Ok(mut book) = self.state.lock() else {
                    return;
                };
                while book.written == book.version && !book.closed {
                    match self.changed.wait(book) {
                        Ok(b) => book = b,
                        Err(_) => return,
                    }
                }
                if book.written == book.version {
                    return;
                }
                (
                    serde_json::to_vec_pretty(&to_json(&book.saved)),
                    book.version,
                )
            };
            let written = bytes
                .map_err(std::io::Error::other)
                .and_then(|bytes| self.location.write(&bytes));
            let Ok(mut book) = self.state.lock() else {
                return;
            };
            book.written = version;
            book.write_error = written.err().map(|e| {
                format!(
                    "cannot write the upload sessions file {}: {e}; an interrupted upload will start again",
                    self.location.path().display()
                )
            });
            self.changed.notify_all();
        }
    }
}

/// What is not yet written is written before the program goes on.
impl Drop for Sessions {
    fn drop(&mut self) {
        {
            let mut book = lock(&self.shared.state);
            book.closed = true;
            self.shared.changed.notify_all();
        }
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The book, also after a panic elsewhere held its lock (its data stays
/// consistent: every change is one assignment).
fn lock(state: &Mutex<Book>) -> std::sync::MutexGuard<'_, Book> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn parse(bytes: &[u8], now: u64) -> Result<BTreeMap<String, Saved>, String> {
    let sessions = versioned(bytes, VERSION, "sessions")?;
    let mut out = BTreeMap::new();
    for (key, value) in &sessions {
        let saved = parse_saved(value).map_err(|e| format!("{key}: {e}"))?;
        // Too old, or from the future (a clock set back): not resumed.
        if now
            .checked_sub(saved.started)
            .is_some_and(|age| age <= MAX_AGE_SECS)
        {
            out.insert(key.clone(), saved);
        }
    }
    Ok(out)
}

fn parse_saved(value: &Value) -> Result<Saved, String> {
    let object = value.as_object().ok_or("not an object")?;
    let number = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("no {name}"))
    };
    let url = object
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty() && u.len() <= MAX_URL)
        .ok_or("no url")?
        .to_owned();
    let prefix_sha256 = object
        .get("prefix_sha256")
        .and_then(Value::as_str)
        .filter(|s| is_hash(s))
        .ok_or("no prefix_sha256 of 64 hex digits")?
        .to_ascii_lowercase();
    let modified = match object.get("modified") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or("modified is not a number")?),
    };
    let size = number("size")?;
    let confirmed = number("confirmed")?;
    let mut ahead = Vec::new();
    for entry in object
        .get("ahead")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let at = entry.get(0).and_then(Value::as_u64);
        let hash = entry.get(1).and_then(Value::as_str).filter(|h| is_hash(h));
        match (at, hash) {
            (Some(at), Some(hash)) if at > confirmed && at <= size => {
                ahead.push((at, hash.to_ascii_lowercase()))
            }
            _ => return Err("an entry of ahead is not an offset and a hash".into()),
        }
    }
    if ahead.len() > MAX_AHEAD {
        return Err("too many entries in ahead".into());
    }
    let granularity = number("granularity")?;
    if granularity == 0 || granularity > MAX_GRANULARITY {
        return Err("the granularity is not one an upload can have".into());
    }
    if confirmed > size {
        return Err("more bytes confirmed than the file has".into());
    }
    Ok(Saved {
        url,
        granularity,
        size,
        modified,
        confirmed,
        prefix_sha256,
        ahead,
        started: number("started")?,
    })
}

fn to_json(all: &BTreeMap<String, Saved>) -> Value {
    let sessions: Map<String, Value> = all
        .iter()
        .map(|(key, s)| {
            let value = json!({
                "url": s.url,
                "granularity": s.granularity,
                "size": s.size,
                "modified": s.modified,
                "confirmed": s.confirmed,
                "prefix_sha256": s.prefix_sha256,
                "ahead": s.ahead.iter().map(|(at, hash)| json!([at, hash])).collect::<Vec<_>>(),
                "started": s.started,
            });
            (key.clone(), value)
        })
        .collect();
    json!({"version": VERSION, "sessions": sessions})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(started: u64) -> Saved {
        Saved {
            url: "https://upload.example/s?id=1".into(),
            granularity: 262_144,
            size: 10,
            modified: Some(5),
            confirmed: 4,
            prefix_sha256: "b".repeat(64),
            ahead: vec![(8, "c".repeat(64)), (10, "d".repeat(64))],
            started,
        }
    }

    #[test]
    fn round_trips_drops_old_sessions_and_refuses_bad_ones() {
        let mut all = BTreeMap::new();
        all.insert("/fresh.mp4".to_owned(), saved(1_000_000));
        all.insert("/old.mp4".to_owned(), saved(1_000_000 - MAX_AGE_SECS - 1));
        all.insert("/future.mp4".to_owned(), saved(1_000_001));
        let bytes = serde_json::to_vec(&to_json(&all)).unwrap();
        let back = parse(&bytes, 1_000_000).unwrap();
        assert_eq!(back.keys().collect::<Vec<_>>(), ["/fresh.mp4"]);
        assert_eq!(back["/fresh.mp4"], saved(1_000_000));
        assert_eq!(back["/fresh.mp4"].hash_at(4), Some("b".repeat(64).as_str()));
        assert_eq!(
            back["/fresh.mp4"].hash_at(10),
            Some("d".repeat(64).as_str())
        );
        assert_eq!(back["/fresh.mp4"].hash_at(6), None, "no hash, no resume");
        assert!(!format!("{:?}", saved(1)).contains("upload.example"));
        let entry = |fields: &str| format!(r#"{{"version":1,"sessions":{{"x":{{{fields}}}}}}}"#);
        let good = r#""url":"u","granularity":1,"size":2,"confirmed":1,"started":1,"prefix_sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa""#;
        assert_eq!(parse(entry(good).as_bytes(), 1).unwrap().len(), 1);
        let hash = "a".repeat(64);
        for bad in [
            "[]".to_owned(),
            r#"{"version":2,"sessions":{}}"#.to_owned(),
            entry(&good.replace(r#""size":2"#, r#""size":0"#)),
            entry(&good.replace(r#""url":"u""#, r#""url":"""#)),
            entry(&good.replace(
                r#""url":"u""#,
                &format!(r#""url":"{}""#, "u".repeat(MAX_URL + 1)),
            )),
            entry(&good.replace(r#""granularity":1"#, r#""granularity":-1"#)),
            entry(&good.replace(r#""granularity":1"#, r#""granularity":0"#)),
            entry(&good.replace("aaaa", "zzzz")),
            entry(&format!(r#"{good},"ahead":[[3,"{hash}"]]"#)),
            entry(&format!(r#"{good},"ahead":[[1,"{hash}"]]"#)),
            entry(&format!(r#"{good},"ahead":[[2,"x"]]"#)),
        ] {
            assert!(parse(bad.as_bytes(), 1).is_err(), "{bad}");
        }
    }

    #[test]
    fn changes_are_written_by_the_thread_and_flushed() {
        let dir = std::env::temp_dir().join(format!("sessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let state = Location {
            dir: dir.clone(),
            name: "state.json".into(),
            create_dir: false,
        };
        let sessions = Sessions::load(&state).unwrap();
        let mut one = saved(now());
        one.confirmed = 0;
        sessions.start("/a", one.clone());
        sessions.confirm("/a", 8, "e".repeat(64), vec![(10, "f".repeat(64))]);
        assert_eq!(sessions.flush(), None);
        let on_disk = parse(&std::fs::read(state.sessions().path()).unwrap(), now()).unwrap();
        assert_eq!(on_disk["/a"].confirmed, 8);
        assert_eq!(on_disk["/a"].ahead, [(10, "f".repeat(64))]);
        // Going back is not recorded; forgetting is, also at drop.
        sessions.confirm("/a", 4, "e".repeat(64), Vec::new());
        sessions.forget("/a");
        drop(sessions);
        let on_disk = parse(&std::fs::read(state.sessions().path()).unwrap(), now()).unwrap();
        assert!(on_disk.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
