//! The resumable upload sessions under way (`<state file>.sessions`, beside
//! the upload state): per file, the session URL and granularity, the file's
//! size and modification time when the session started, and how many bytes
//! the server confirmed with the SHA-256 of those bytes. A rerun checks the
//! file against them, asks the server where it is and sends only the rest.
//!
//! A session URL is a credential to its upload: the file is owner-only and
//! written atomically like the state, and no message shows a URL. The file
//! is small (sessions of files under way) and rewritten at each confirmed
//! chunk, so a killed run loses at most the chunk in flight.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use super::state::{now, Location};

const VERSION: u64 = 1;

/// A session older than this is not resumed (the server keeps them for
/// about a week).
const MAX_AGE_SECS: u64 = 6 * 24 * 60 * 60;

/// The longest session URL kept; a longer one is not resumed.
const MAX_URL: usize = 8 * 1024;

/// One file's session.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// When the session started, in seconds since the Unix epoch.
    pub started: u64,
}

/// The sessions file: loaded once, rewritten as sessions start, advance and
/// end (by any of the uploads running at once).
pub struct Sessions {
    location: Location,
    saved: Mutex<BTreeMap<String, Saved>>,
    /// The first failure to write the file, reported once at the end.
    write_error: Mutex<Option<String>>,
}

impl Sessions {
    /// The sessions beside the state at `state`; those too old to resume
    /// are dropped. A file that is a link, too big or corrupt is refused
    /// like the state.
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
        Ok(Sessions {
            location,
            saved: Mutex::new(saved),
            write_error: Mutex::new(None),
        })
    }

    /// The session of the file under `key`.
    pub fn get(&self, key: &str) -> Option<Saved> {
        self.saved.lock().ok()?.get(key).cloned()
    }

    /// Records a session that just started (before its first byte is sent).
    pub fn start(&self, key: &str, saved: Saved) {
        self.change(|all| {
            all.insert(key.to_owned(), saved);
            true
        });
    }

    /// Records that the server confirmed the first `confirmed` bytes, whose
    /// SHA-256 is `prefix_sha256`.
    pub fn confirm(&self, key: &str, confirmed: u64, prefix_sha256: String) {
        self.change(|all| match all.get_mut(key) {
            Some(saved) if confirmed > saved.confirmed && confirmed <= saved.size => {
                saved.confirmed = confirmed;
                saved.prefix_sha256 = prefix_sha256;
                true
            }
            _ => false,
        });
    }

    /// Drops the session of `key` (the upload finished, or cannot resume).
    pub fn forget(&self, key: &str) {
        self.change(|all| all.remove(key).is_some());
    }

    /// The first error writing the file, if any.
    pub fn write_error(&self) -> Option<String> {
        self.write_error.lock().ok()?.clone()
    }

    /// Applies `change` and, when it changed something, writes the file
    /// (under the lock: concurrent uploads write one after the other).
    fn change(&self, change: impl FnOnce(&mut BTreeMap<String, Saved>) -> bool) {
        let Ok(mut all) = self.saved.lock() else {
            return;
        };
        if !change(&mut all) {
            return;
        }
        let written = serde_json::to_vec_pretty(&to_json(&all))
            .map_err(std::io::Error::other)
            .and_then(|bytes| self.location.write(&bytes));
        if let Err(e) = written {
            if let Ok(mut first) = self.write_error.lock() {
                first.get_or_insert_with(|| {
                    format!(
                        "cannot write the upload sessions file {}: {e}; an interrupted upload will start again",
                        self.location.path().display()
                    )
                });
            }
        }
    }
}

fn parse(bytes: &[u8], now: u64) -> Result<BTreeMap<String, Saved>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let object = value.as_object().ok_or("not a JSON object")?;
    match object.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => return Err(format!("version {v}, this tool reads version {VERSION}")),
        None => return Err("no version".into()),
    }
    let sessions = object
        .get("sessions")
        .and_then(Value::as_object)
        .ok_or("no \"sessions\" object")?;
    let mut out = BTreeMap::new();
    for (key, value) in sessions {
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
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("no prefix_sha256 of 64 hex digits")?
        .to_ascii_lowercase();
    let modified = match object.get("modified") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or("modified is not a number")?),
    };
    let saved = Saved {
        url,
        granularity: number("granularity")?,
        size: number("size")?,
        modified,
        confirmed: number("confirmed")?,
        prefix_sha256,
        started: number("started")?,
    };
    if saved.confirmed > saved.size {
        return Err("more bytes confirmed than the file has".into());
    }
    Ok(saved)
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
        let entry = |fields: &str| format!(r#"{{"version":1,"sessions":{{"x":{{{fields}}}}}}}"#);
        let good = r#""url":"u","granularity":1,"size":2,"confirmed":1,"started":1,"prefix_sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa""#;
        assert_eq!(parse(entry(good).as_bytes(), 1).unwrap().len(), 1);
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
            entry(&good.replace("aaaa", "zzzz")),
        ] {
            assert!(parse(bad.as_bytes(), 1).is_err(), "{bad}");
        }
    }
}
