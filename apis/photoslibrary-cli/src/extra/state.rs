//! The upload state file (`uploads.json` in the configuration folder, or
//! `--state FILE`): per file, its content hash and size, the upload token with
//! the time it was obtained, and the media item created from it, so a rerun
//! creates nothing twice and uploads no bytes it still has a token for.
//!
//! The file is read as hostile input (bounded, every field checked) and
//! written like the credentials: atomically, owner-only, never through a link.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The default file name in the configuration folder.
pub const FILE_NAME: &str = "uploads.json";

/// A bigger file is refused: about 200,000 entries, far more than one library
/// upload needs, and reading it must not exhaust memory.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

const VERSION: u64 = 1;

/// Upload tokens last a day; an hour less leaves time for the batchCreate.
pub const TOKEN_REUSE_SECS: u64 = 23 * 60 * 60;

/// What is known about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    pub size: u64,
    pub upload_token: Option<String>,
    /// Seconds since the Unix epoch when the token was obtained.
    pub token_time: Option<u64>,
    /// Set once batchCreate created the item.
    pub media_item_id: Option<String>,
}

impl Entry {
    /// The token, when it is young enough to create an item from.
    pub fn reusable_token(&self, now: u64) -> Option<&str> {
        let age = now.checked_sub(self.token_time?)?;
        (age < TOKEN_REUSE_SECS)
            .then_some(self.upload_token.as_deref())
            .flatten()
    }
}

/// The state file's contents, keyed by the file's canonical path.
#[derive(Debug, Default)]
pub struct State {
    pub files: BTreeMap<String, Entry>,
}

/// Now, in seconds since the Unix epoch (0 on a clock before it: no token is
/// then young enough).
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The key of `path` in the state: its canonical path, so the same file named
/// from another folder is the same entry.
pub fn key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// The SHA-256 (hex) and length of a file's content.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut len: u64 = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len = len.saturating_add(n as u64);
    }
    Ok((hex(&hasher.finalize()), len))
}

/// The SHA-256 of no bytes: the prefix a new session has confirmed.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Pieces read ahead of the upload: at most this many of [`PIECE`] bytes wait
/// in memory per file.
const PIECES_AHEAD: usize = 8;
/// Every piece but the last is this long: the hashes of the file's prefixes
/// are taken at its multiples ([`Checkpoints`]). Google's upload
/// granularity, so that any offset a server keeps has its hash.
pub const PIECE: usize = 256 * 1024;

/// The most prefix hashes beyond the confirmed bytes a session records
/// (enough for a 256 MiB chunk read before it is sent).
pub const MAX_AHEAD: usize = 1100;

/// A file for the upload, read once on a blocking thread and hashed as it is
/// read: the upload reads exactly the bytes the hash describes (an edit or a
/// swapped link during the upload cannot make the state record content that
/// was not sent), and the file is read once, beside the network's work.
pub struct HashingReader {
    pieces: tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>,
    current: bytes::Bytes,
}

/// The SHA-256 and length of what a [`HashingReader`] handed out, once the
/// file is read to its end; an error if the reader was dropped first (the
/// upload stopped reading) or the file could not be read.
pub type Hashing = tokio::task::JoinHandle<std::io::Result<(String, u64)>>;

/// The SHA-256 of each prefix of the file that ends at a multiple of
/// [`PIECE`] or at the file's end (and of the empty prefix), from where the
/// upload stands to where the reader is: what an upload session's state
/// records with the bytes the server confirmed (and those read ahead, which
/// the server may have kept without saying so), so that a rerun can check
/// the bytes the server has are the file's. Bounded by the read-ahead: each
/// is taken once the server confirmed it.
#[derive(Clone, Default)]
pub struct Checkpoints(std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<(u64, String)>>>);

impl Checkpoints {
    fn push(&self, offset: u64, sha256: String) {
        if let Ok(mut list) = self.0.lock() {
            list.push_back((offset, sha256));
        }
    }

    /// The prefixes hashed beyond those taken (the read-ahead), at most
    /// [`MAX_AHEAD`] of them.
    pub fn ahead(&self) -> Vec<(u64, String)> {
        self.0
            .lock()
            .map(|list| list.iter().take(MAX_AHEAD).cloned().collect())
            .unwrap_or_default()
    }

    /// The longest prefix of at most `bytes` bytes and its SHA-256; the
    /// shorter ones are dropped.
    pub fn take_until(&self, bytes: u64) -> Option<(u64, String)> {
        let mut list = self.0.lock().ok()?;
        let mut found = None;
        while list.front().is_some_and(|(offset, _)| *offset <= bytes) {
            found = list.pop_front();
        }
        found
    }
}

/// A file opened for an upload ([`open_hashing`]).
pub struct Opened {
    /// The length when opened.
    pub len: u64,
    /// The modification time when opened, in nanoseconds since the Unix
    /// epoch, when the system tells it.
    pub modified: Option<u64>,
    pub reader: HashingReader,
    pub hashing: Hashing,
    pub checkpoints: Checkpoints,
}

/// The modification time of `meta` in nanoseconds since the Unix epoch.
fn modified_ns(meta: &std::fs::Metadata) -> Option<u64> {
    let since = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_nanos()).ok()
}

/// Opens `path` for an upload (on a blocking thread: a slow disk or mount
/// stalls only this file): its length and modification time when opened,
/// the reader, the hash of what the reader yields and its prefixes'.
/// Anything but a regular file is refused before it is opened (a FIFO
/// would block the open).
pub async fn open_hashing(path: &Path) -> std::io::Result<Opened> {
    let path = path.to_owned();
    let opened = tokio::task::spawn_blocking(move || {
        let regular = |meta: &std::fs::Metadata| {
            if meta.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a regular file"))
            }
        };
        regular(&std::fs::metadata(&path)?)?;
        let file = std::fs::File::open(&path)?;
        let meta = file.metadata()?;
        regular(&meta)?;
        Ok::<_, std::io::Error>((file, meta))
    })
    .await
    .map_err(std::io::Error::other)??;
    let (mut file, meta) = opened;
    let (send, pieces) = tokio::sync::mpsc::channel(PIECES_AHEAD);
    let checkpoints = Checkpoints::default();
    // Known before anything is read: a session with nothing confirmed is
    // checked without waiting for the reading thread.
    checkpoints.push(0, EMPTY_SHA256.to_owned());
    let marks = checkpoints.clone();
    let hashing = tokio::task::spawn_blocking(move || {
        let mut hasher = Sha256::new();
        let mut read: u64 = 0;
        loop {
            // A whole piece (short only at the end), so prefixes are hashed
            // at multiples of PIECE.
            let mut buf = bytes::BytesMut::zeroed(PIECE);
            let mut filled = 0;
            while filled < PIECE {
                match file.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        let _ =
                            send.blocking_send(Err(std::io::Error::new(e.kind(), e.to_string())));
                        return Err(e);
                    }
                }
            }
            if filled == 0 {
                return Ok((hex(&hasher.finalize()), read));
            }
            buf.truncate(filled);
            hasher.update(&buf);
            read = read.saturating_add(filled as u64);
            // Every piece's end (a short one is the file's end).
            marks.push(read, hex(&hasher.clone().finalize()));
            if send.blocking_send(Ok(buf.freeze())).is_err() {
                return Err(std::io::Error::other("the upload stopped reading the file"));
            }
        }
    });
    Ok(Opened {
        len: meta.len(),
        modified: modified_ns(&meta),
        reader: HashingReader {
            pieces,
            current: bytes::Bytes::new(),
        },
        hashing,
        checkpoints,
    })
}

impl tokio::io::AsyncRead for HashingReader {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use bytes::Buf;
        use std::task::Poll;
        loop {
            if !self.current.is_empty() {
                let n = self.current.len().min(buf.remaining());
                buf.put_slice(&self.current[..n]);
                self.current.advance(n);
                return Poll::Ready(Ok(()));
            }
            match self.pieces.poll_recv(cx) {
                Poll::Ready(Some(Ok(piece))) => self.current = piece,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                // The end of the file.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Why a state file must not be trusted, if it must not: on unix, one
/// that is not owned by whoever owns the files this process makes in that
/// folder (planted in a shared folder, it could point the tool at someone
/// else's upload session or files). Judged against a file made there, so
/// that a file system that gives every file one owner (a FAT card, a
/// network share) still holds the tool's own state.
#[cfg(unix)]
fn not_ours(meta: &std::fs::Metadata, dir: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    match owner_of_new_files(dir) {
        Ok(uid) if uid == meta.uid() => None,
        Ok(_) => Some("belongs to another user".into()),
        Err(e) => Some(format!(
            "cannot be checked: no file can be made beside it ({e})"
        )),
    }
}

#[cfg(not(unix))]
fn not_ours(_: &std::fs::Metadata, _: &Path) -> Option<String> {
    None
}

/// The owner a file this process makes in `dir` gets: a probe file is made
/// there (never over anything) and removed.
#[cfg(unix)]
fn owner_of_new_files(dir: &Path) -> std::io::Result<u32> {
    use std::os::unix::fs::MetadataExt;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let probe = dir.join(format!(
        ".photoslibrary-owner-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    let uid = file.metadata().map(|m| m.uid());
    drop(file);
    let _ = std::fs::remove_file(&probe);
    uid
}

/// Where the state lives: its folder and file name.
#[derive(Clone, Debug)]
pub struct Location {
    pub dir: PathBuf,
    pub name: String,
    /// The configuration folder is created (owner-only) when missing; a
    /// `--state` file's folder must exist.
    pub create_dir: bool,
}

impl Location {
    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    /// `--state FILE`, else `uploads.json` in the configuration folder.
    pub fn new(state: Option<&str>, config_dir: Option<PathBuf>) -> Result<Location, String> {
        match state {
            Some(file) => {
                let path = Path::new(file);
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| format!("--state {file}: not a file name"))?;
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                Ok(Location {
                    dir,
                    name: name.to_owned(),
                    create_dir: false,
                })
            }
            None => config_dir
                .map(|dir| Location {
                    dir,
                    name: FILE_NAME.to_owned(),
                    create_dir: true,
                })
                .ok_or_else(|| {
                    "no configuration folder for the upload state: set PHOTOSLIBRARY_CONFIG_DIR or give --state FILE".to_owned()
                }),
        }
    }

    /// The state, empty when there is no file yet. A link, a file too big or
    /// one that does not parse is refused, not replaced: it may be someone
    /// else's file, and replacing it would forget what was uploaded.
    pub fn load(&self) -> Result<State, String> {
        match self.read("upload state")? {
            None => Ok(State::default()),
            Some(bytes) => parse(&bytes)
                .map_err(|e| self.refusal("upload state", &format!("is corrupt ({e})"))),
        }
    }

    /// The file's bytes, `None` when there is none; refused (with the
    /// reasons of [`load`](Self::load)) when it is a link, not a regular
    /// file, or bigger than [`MAX_BYTES`].
    pub fn read(&self, what: &str) -> Result<Option<Vec<u8>>, String> {
        let path = self.path();
        let refuse = |why: String| self.refusal(what, &why);
        // Opened without following a link, and judged by what was opened
        // (a file swapped for a link after a check is not read).
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Non-blocking: a FIFO planted at the name does not hang the
            // open (it is then refused as not a regular file).
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        let file = match options.open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(_)
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                return Err(refuse("is a symbolic link (not followed)".into()))
            }
            Err(e) => return Err(refuse(format!("cannot be read: {e}"))),
        };
        let meta = file
            .metadata()
            .map_err(|e| refuse(format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(refuse("is not a regular file".into()));
        }
        if let Some(why) = not_ours(&meta, &self.dir) {
            return Err(refuse(why));
        }
        if meta.len() > MAX_BYTES {
            return Err(refuse(format!("is bigger than {MAX_BYTES} bytes")));
        }
        let mut bytes = Vec::new();
        file.take(MAX_BYTES.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| refuse(format!("cannot be read: {e}")))?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(refuse(format!("is bigger than {MAX_BYTES} bytes")));
        }
        Ok(Some(bytes))
    }

    fn refusal(&self, what: &str, why: &str) -> String {
        format!(
            "the {what} file {} {why}; delete it, or give --state FILE for another one",
            self.path().display()
        )
    }

    /// Takes the lock beside the file (`<name>.lock`, an advisory lock the
    /// system drops with the process), or says another run holds it.
    pub fn lock(&self) -> Result<std::fs::File, String> {
        if self.create_dir {
            discovery_cli::files::owner_only_folder(&self.dir)
                .map_err(|e| format!("cannot create the folder {}: {e}", self.dir.display()))?;
        }
        let path = self.dir.join(format!("{}.lock", self.name));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        let file = options
            .open(&path)
            .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(format!(
                "the lock file {} is not a regular file; delete it",
                path.display()
            ));
        }
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(format!(
                "another run is using {} (its lock {} is held); wait for it to finish",
                self.path().display(),
                path.display()
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
    }

    /// The file beside this one that keeps the upload sessions under way.
    pub fn sessions(&self) -> Location {
        Location {
            dir: self.dir.clone(),
            name: format!("{}.sessions", self.name),
            create_dir: self.create_dir,
        }
    }

    /// Writes `bytes` atomically (owner-only; a link at its name is
    /// replaced, never followed).
    pub fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        if self.create_dir {
            discovery_cli::files::owner_only_folder(&self.dir)?;
        }
        discovery_cli::files::write_atomically(&self.dir, &self.name, bytes)
    }

    /// Writes the state atomically (owner-only; a link at its name is
    /// replaced, never followed).
    pub fn save(&self, state: &State) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(&to_json(state)).map_err(std::io::Error::other)?;
        self.write(&bytes)
    }
}

/// The object under `key` of a file `{"version": version, key: {...}}`.
pub(super) fn versioned(
    bytes: &[u8],
    version: u64,
    key: &str,
) -> Result<Map<String, Value>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let Value::Object(mut object) = value else {
        return Err("not a JSON object".into());
    };
    match object.get("version").and_then(Value::as_u64) {
        Some(v) if v == version => {}
        Some(v) => return Err(format!("version {v}, this tool reads version {version}")),
        None => return Err("no version".into()),
    }
    match object.remove(key) {
        Some(Value::Object(inner)) => Ok(inner),
        _ => Err(format!("no {key:?} object")),
    }
}

/// A SHA-256 digest as lowercase or uppercase hex.
pub(super) fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse(bytes: &[u8]) -> Result<State, String> {
    let files = versioned(bytes, VERSION, "files")?;
    let mut state = State::default();
    for (path, entry) in &files {
        let entry = parse_entry(entry).map_err(|e| format!("{path}: {e}"))?;
        state.files.insert(path.clone(), entry);
    }
    Ok(state)
}

fn parse_entry(value: &Value) -> Result<Entry, String> {
    let object = value.as_object().ok_or("not an object")?;
    let sha256 = object
        .get("sha256")
        .and_then(Value::as_str)
        .filter(|s| is_hash(s))
        .ok_or("no sha256 of 64 hex digits")?
        .to_ascii_lowercase();
    let size = object
        .get("size")
        .and_then(Value::as_u64)
        .ok_or("no size")?;
    let string = |name: &str| -> Result<Option<String>, String> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{name} is not a string")),
        }
    };
    let token_time = match object.get("token_time") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or("token_time is not a number of seconds")?),
    };
    Ok(Entry {
        sha256,
        size,
        upload_token: string("upload_token")?,
        token_time,
        media_item_id: string("media_item_id")?,
    })
}

fn to_json(state: &State) -> Value {
    let files: Map<String, Value> = state
        .files
        .iter()
        .map(|(path, e)| {
            let mut entry = Map::new();
            entry.insert("sha256".into(), json!(e.sha256));
            entry.insert("size".into(), json!(e.size));
            if let Some(t) = &e.upload_token {
                entry.insert("upload_token".into(), json!(t));
            }
            if let Some(t) = e.token_time {
                entry.insert("token_time".into(), json!(t));
            }
            if let Some(id) = &e.media_item_id {
                entry.insert("media_item_id".into(), json!(id));
            }
            (path.clone(), Value::Object(entry))
        })
        .collect();
    json!({"version": VERSION, "files": files})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bad_entries() {
        let mut state = State::default();
        state.files.insert(
            "/a.jpg".into(),
            Entry {
                sha256: "a".repeat(64),
                size: 4,
                upload_token: Some("t".into()),
                token_time: Some(10),
                media_item_id: None,
            },
        );
        let bytes = serde_json::to_vec(&to_json(&state)).unwrap();
        assert_eq!(parse(&bytes).unwrap().files, state.files);
        for bad in [
            "[]",
            "{}",
            r#"{"version":2,"files":{}}"#,
            r#"{"version":1,"files":{"x":{"sha256":"zz","size":1}}}"#,
            r#"{"version":1,"files":{"x":{"sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":-1}}}"#,
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn prefixes_are_hashed_at_every_whole_piece_as_they_are_read() {
        use tokio::io::AsyncReadExt;
        let path = std::env::temp_dir().join(format!("hashing-{}.bin", std::process::id()));
        let content: Vec<u8> = (0..PIECE * 5 / 2).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let sha = |bytes: &[u8]| hex(&Sha256::digest(bytes));
        assert_eq!(sha(&[]), EMPTY_SHA256);
        let mut opened = open_hashing(&path).await.unwrap();
        assert_eq!(opened.len, content.len() as u64);
        assert!(opened.modified.is_some());
        assert_eq!(
            opened.checkpoints.take_until(0),
            Some((0, EMPTY_SHA256.to_owned()))
        );
        let mut read = Vec::new();
        opened.reader.read_to_end(&mut read).await.unwrap();
        assert_eq!(read, content);
        let whole = opened.hashing.await.unwrap().unwrap();
        assert_eq!(whole, (sha(&content), content.len() as u64));
        // The longest whole-piece prefix within what was confirmed.
        let two = 2 * PIECE as u64;
        assert_eq!(
            opened.checkpoints.take_until(two + 5),
            Some((two, sha(&content[..2 * PIECE])))
        );
        // The file's end is a prefix too; each is taken once.
        assert_eq!(
            opened.checkpoints.take_until(u64::MAX),
            Some((content.len() as u64, sha(&content)))
        );
        assert_eq!(opened.checkpoints.take_until(u64::MAX), None, "taken once");
        let _ = std::fs::remove_file(&path);
    }

    #[cfg(unix)]
    #[test]
    fn a_state_file_of_another_user_or_through_a_link_is_refused() {
        let dir = std::env::temp_dir().join(format!("state-owner-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let location = Location {
            dir: dir.clone(),
            name: "uploads.json".into(),
            create_dir: false,
        };
        location.save(&State::default()).unwrap();
        assert!(location.load().is_ok());
        // Any mode the file system gives is the tool's own file's.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(location.path(), std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(location.load().is_ok());
        // Another owner (only root can make one: elsewhere this part
        // cannot be set up).
        if std::os::unix::fs::chown(location.path(), Some(65534), None).is_ok() {
            let refused = location.load().unwrap_err();
            assert!(refused.contains("another user"), "{refused}");
        }
        std::fs::remove_file(location.path()).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", location.path()).unwrap();
        let refused = location.load().unwrap_err();
        assert!(refused.contains("symbolic link"), "{refused}");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".photoslibrary-owner")
            })
            .collect();
        assert!(leftovers.is_empty(), "the probes are removed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tokens_from_the_future_or_a_day_ago_are_not_reused() {
        let entry = Entry {
            upload_token: Some("t".into()),
            token_time: Some(1000),
            ..Default::default()
        };
        assert_eq!(entry.reusable_token(1000), Some("t"));
        assert_eq!(entry.reusable_token(999), None);
        assert_eq!(entry.reusable_token(1000 + 24 * 3600), None);
    }
}
