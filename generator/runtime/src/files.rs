//! Local files named after server data, and downloads into them that survive
//! interruptions.
//!
//! Names that come from a server (a media item's file name, an id) are
//! hostile until made safe: [`safe_component`] turns any text into one path
//! component, [`unique_file_name`] adds a hash of the item's id so two items
//! never share a name (not even on a case-insensitive file system), and
//! [`path_in`] refuses anything that would leave the target folder.
//!
//! ```
//! use discovery_runtime::files::{path_in, unique_file_name};
//!
//! let name = unique_file_name("../../etc/passwd", "AF1Qip-item-id");
//! assert!(!name.contains('/') && !name.starts_with('.'));
//! let path = path_in(std::path::Path::new("photos"), &name).unwrap();
//! assert_eq!(path.parent(), Some(std::path::Path::new("photos")));
//! ```

use std::path::{Component, Path, PathBuf};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::{check_status, Call};

/// The longest name these functions produce, in bytes: below the 255 of
/// common file systems, with room for the temporary name's prefix and suffix.
pub const MAX_NAME_BYTES: usize = 200;

/// Whether Windows reserves `stem` (a name before its first dot) for a
/// device, whatever the extension: `CON`, `PRN`, `AUX`, `NUL`, `CONIN$`,
/// `CONOUT$`, and `COM` or `LPT` followed by a digit or by a superscript
/// one, two or three (`COM¹`, `LPT²`), in any case.
fn is_device_name(stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    if ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(&upper.as_str()) {
        return true;
    }
    let Some(rest) = upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
    else {
        return false;
    };
    let mut chars = rest.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('0'..='9' | '\u{b9}' | '\u{b2}' | '\u{b3}'), None)
    )
}

/// Turns `name` into a single, portable path component: separators, NUL,
/// the characters that hide or reorder text (`discovery_text::is_hidden`)
/// and the characters Windows forbids become `_`; leading dots and spaces (`.`, `..`, hidden files) and
/// trailing dots and spaces are removed; Windows device names get a `_`
/// prefix; the result is at most [`MAX_NAME_BYTES`] bytes, cut on a character
/// boundary, and never empty.
pub fn safe_component(name: &str) -> String {
    let mut out = sanitize(name);
    truncate(&mut out, MAX_NAME_BYTES);
    // Cutting may expose a trailing dot or space again.
    let kept = out.trim_end_matches(['.', ' ']).len();
    out.truncate(kept);
    out
}

/// [`safe_component`] without the length cap.
fn sanitize(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            // Controls, and characters that make a name display as something
            // else (bidirectional controls, invisible ones).
            c if discovery_text::is_hidden(c) => '_',
            c => c,
        })
        .collect();
    let trimmed = mapped
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let mut out = if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    };
    let stem = out.split('.').next().unwrap_or("").trim_end();
    if is_device_name(stem) {
        out.insert(0, '_');
    }
    out
}

fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// A file name for the item `key` (its full id) that wanted to be called
/// `name`: the safe form of `name` with `-` and 16 hex digits of the id's
/// SHA-256 before the extension (`IMG_0001-3f9c0e51a2b7d4e8.jpg`). Two
/// different keys give names that differ even ignoring case, and the same key
/// always gives the same name, so a rerun finds its files again.
pub fn unique_file_name(name: &str, key: &str) -> String {
    let hash = name_hash(key);
    let safe = sanitize(name);
    let (stem, ext) = match safe.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=10).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            (stem.to_owned(), format!(".{ext}"))
        }
        _ => (safe.clone(), String::new()),
    };
    let mut stem = stem;
    truncate(&mut stem, MAX_NAME_BYTES - 1 - hash.len() - ext.len());
    let stem = stem.trim_end_matches(['.', ' ']);
    format!("{stem}-{hash}{ext}")
}

/// The 16 hex digits [`unique_file_name`] puts in the names of `key`.
fn name_hash(key: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `name` is one [`unique_file_name`] could have given the item
/// `key`: it carries the key's hash just before its extension. What a
/// manifest says a program wrote is checked with it before the program
/// deletes the file.
pub fn is_name_for(name: &str, key: &str) -> bool {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=10).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    };
    stem.strip_suffix(&name_hash(key))
        .is_some_and(|rest| rest.ends_with('-'))
}

/// Removes what an interrupted download into `path` left: its `.part` file
/// and the version file beside it (regular files only; a link or folder of
/// that name is left alone).
pub fn remove_partial(path: &Path) -> std::io::Result<()> {
    let part = partial_path(path);
    for file in [validator_path(&part), part] {
        match std::fs::symlink_metadata(&file) {
            Ok(meta) if meta.is_file() => std::fs::remove_file(&file)?,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `dir` joined with `name`, which must be exactly one normal component (no
/// separator, `.`, `..`, root or prefix): a name that would leave `dir` is an
/// error, not a path.
pub fn path_in(dir: &Path, name: &str) -> Result<PathBuf> {
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(part)), None)
            if part == std::ffi::OsStr::new(name) && !name.contains(['/', '\\']) =>
        {
            Ok(dir.join(name))
        }
        _ => Err(Error::invalid_argument(
            "file name",
            format!(
                "{name:?} is not a single file name inside {}",
                dir.display()
            ),
        )),
    }
}

/// The temporary name of a download into `path`: `.<name>.part` beside it.
/// Final names from [`unique_file_name`] never start with a dot, so the two
/// can never be equal.
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.part"))
}

/// What a download into a file did (see `download_media_item_to` in the
/// Photos client, or the CLI's `download`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Downloaded {
    /// The file was written; `resumed_from` bytes came from an earlier,
    /// interrupted run.
    Complete {
        /// The final file.
        path: PathBuf,
        /// Its length.
        bytes: u64,
        /// Bytes kept from the earlier `.part` file.
        resumed_from: u64,
    },
    /// A finished file of that name was already there: nothing was fetched.
    AlreadyThere {
        /// The existing file.
        path: PathBuf,
    },
}

/// The kind of thing at `path`, without following a symlink.
async fn existing(path: &Path) -> Result<Option<std::fs::Metadata>> {
    match tokio::fs::symlink_metadata(path).await {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("checking {}", path.display()), e)),
    }
}

fn not_a_file(path: &Path) -> Error {
    Error::io(
        format!("{} exists and is not a regular file", path.display()),
        std::io::ErrorKind::AlreadyExists.into(),
    )
}

/// Whether an existing `.part` file may be resumed: this client writes them
/// with mode 0600 and a validator file beside them; anything else (a file
/// others can write, or one planted without a validator) is not built on.
async fn trusted_part(meta: &std::fs::Metadata, part: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return false;
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    existing(&validator_path(part))
        .await
        .ok()
        .flatten()
        .is_some_and(|m| m.is_file())
}

/// How many bytes a download writes between the data syncs it starts as it
/// goes. Without them the kernel holds the whole file as dirty pages (its
/// background writeback starts only at a share of the RAM) and the final
/// `sync_all` writes it all after the last byte arrived: 1.2 s of a 1.9 s
/// 1 GiB download on the benchmark machine (BENCHMARKS.md).
const WRITEBACK_EVERY: u64 = 32 << 20;

/// Why [`copy_with_writeback`] stopped.
enum CopyError {
    /// A data sync failed: what was written may not be on disk, and the
    /// kernel reports such an error once, so the final sync would not see it.
    Sync(std::io::Error),
    /// Reading the body or writing the file failed.
    Other(Error),
}

/// Streams the body into `file`, starting a data sync (on a blocking thread)
/// each [`WRITEBACK_EVERY`] bytes, at most one at a time, so the disk writes
/// while the network reads and the final sync finds little left. Every sync
/// started is waited for before this returns, whatever happened, and its
/// failure wins over any other outcome.
async fn copy_with_writeback(
    mut response: crate::net::Response,
    file: &mut tokio::fs::File,
) -> std::result::Result<u64, CopyError> {
    use tokio::io::AsyncWriteExt;
    let io = |e| CopyError::Other(Error::io("writing the download", e));
    let mut syncing: Option<tokio::task::JoinHandle<std::io::Result<()>>> = None;
    let copied = async {
        let mut written = 0u64;
        let mut since_sync = 0u64;
        while let Some(chunk) = response.chunk().await.map_err(CopyError::Other)? {
            file.write_all(&chunk).await.map_err(io)?;
            written = written.saturating_add(chunk.len() as u64);
            since_sync = since_sync.saturating_add(chunk.len() as u64);
            if since_sync >= WRITEBACK_EVERY && syncing.as_ref().is_none_or(|s| s.is_finished()) {
                if let Some(done) = syncing.take() {
                    settle(done).await.map_err(CopyError::Sync)?;
                }
                // Hands tokio's buffered write to the kernel first.
                file.flush().await.map_err(io)?;
                let std_file = file.try_clone().await.map_err(io)?.into_std().await;
                syncing = Some(tokio::task::spawn_blocking(move || sync_data(&std_file)));
                since_sync = 0;
            }
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
    .await;
    let synced = match syncing {
        Some(sync) => settle(sync).await,
        None => Ok(()),
    };
    match synced {
        Err(e) => Err(CopyError::Sync(e)),
        Ok(()) => copied,
    }
}

/// Syncs a download's data to disk (tests make it fail). On failure the
/// partial file is emptied through the same descriptor, before anyone can
/// resume onto bytes that may not be on disk: the kernel reports the error
/// once, and whoever awaits this sync (or nobody, if the download was
/// cancelled) is the only one to see it; an empty `.part` starts over.
fn sync_data(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(test)]
    let synced = if tests::FAIL_SYNCS.load(std::sync::atomic::Ordering::SeqCst) {
        Err(std::io::Error::other("injected sync failure"))
    } else {
        file.sync_data()
    };
    #[cfg(not(test))]
    let synced = file.sync_data();
    if synced.is_err() {
        let _ = file.set_len(0);
    }
    synced
}

/// The result of a background sync, its task's failure included.
async fn settle(sync: tokio::task::JoinHandle<std::io::Result<()>>) -> std::io::Result<()> {
    sync.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// A partial file whose bytes may not have reached the disk (a failed sync)
/// is removed with its version file, so that no rerun resumes onto it.
async fn discard_part(part: &Path, error: std::io::Error) -> Error {
    let _ = tokio::fs::remove_file(part).await;
    let _ = tokio::fs::remove_file(validator_path(part)).await;
    Error::io(
        format!(
            "syncing {} to disk (the partial file was removed: it may not be on disk)",
            part.display()
        ),
        error,
    )
}

/// Parses `Content-Range: bytes START-END/TOTAL` (`TOTAL` may be `*`).
fn content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let start = crate::resumable::parse_decimal(start)?;
    let end = crate::resumable::parse_decimal(end)?;
    let total = match total.trim() {
        "*" => None,
        t => Some(crate::resumable::parse_decimal(t)?),
    };
    (start <= end && total.is_none_or(|t| end < t)).then_some((start, end, total))
}

// The interface for generated code and overlays, not API.
#[doc(hidden)]
impl Client {
    /// Downloads `uri` into the file `path`, safely and resumably: the bytes go
    /// to `.<name>.part` beside it (continued with an HTTP `Range` request when
    /// an earlier run left one), are checked against the length the server
    /// announced, synced to disk, and only then renamed to `path`. An existing
    /// `path` is never overwritten: it counts as already downloaded. Transient
    /// failures are retried by the client's retry policy, each time from what
    /// is already on disk. `call` supplies the token and scopes when the URL
    /// needs them (`None`: no `Authorization` header).
    pub async fn download_to_file(
        &self,
        uri: &http::Uri,
        call: Option<&Call>,
        path: &Path,
    ) -> Result<Downloaded> {
        self.download_to_file_unless(uri, call, path, &|_| false)
            .await
    }

    /// [`download_to_file`](Self::download_to_file), retrying no error that
    /// `final_error` says ends the download (a quota the URL's owner knows
    /// not to retry).
    pub async fn download_to_file_unless(
        &self,
        uri: &http::Uri,
        call: Option<&Call>,
        path: &Path,
        final_error: &(dyn Fn(&Error) -> bool + Sync),
    ) -> Result<Downloaded> {
        let policy = self.retry_policy(call.map(|c| &c.opts));
        let start = std::time::Instant::now();
        let mut attempt = 1u32;
        loop {
            let error = match self.download_attempt(uri, call, path).await {
                Ok(done) => return Ok(done),
                Err(error) => error,
            };
            if final_error(&error) {
                return Err(error);
            }
            let (wait, error) = policy.next_attempt(error, attempt, start.elapsed())?;
            tracing::debug!(attempt, error = %error, "download interrupted; resuming");
            tokio::time::sleep(wait).await;
            attempt = attempt.saturating_add(1);
        }
    }

    async fn download_attempt(
        &self,
        uri: &http::Uri,
        call: Option<&Call>,
        path: &Path,
    ) -> Result<Downloaded> {
        use tokio::io::AsyncWriteExt;

        match existing(path).await? {
            Some(meta) if meta.is_file() => {
                return Ok(Downloaded::AlreadyThere {
                    path: path.to_owned(),
                })
            }
            Some(_) => return Err(not_a_file(path)),
            None => {}
        }
        let part = partial_path(path);
        let mut have = match existing(&part).await? {
            Some(meta) if meta.is_file() && trusted_part(&meta, &part).await => meta.len(),
            Some(meta) if meta.is_file() => {
                // Not one this client left (others may write to it, or no
                // validator of ours is beside it): never build on its bytes.
                tokio::fs::remove_file(&part).await.map_err(|e| {
                    Error::io(
                        format!("removing the untrusted partial file {}", part.display()),
                        e,
                    )
                })?;
                0
            }
            Some(_) => return Err(not_a_file(&part)),
            None => 0,
        };
        let response = loop {
            let mut request = match call {
                Some(call) => {
                    self.request(crate::net::Method::GET, uri.clone(), call)
                        .await?
                }
                None => self.unauthenticated_request(crate::net::Method::GET, uri.clone()),
            };
            if have > 0 {
                request = request.header(http::header::RANGE, format!("bytes={have}-"));
                // Only bytes of the same version may be appended: with the
                // version the first run saw, a changed file comes back whole.
                if let Some(validator) = read_validator(&validator_path(&part)).await {
                    request = request.header(http::header::IF_RANGE, validator);
                }
            }
            let response = request.send().await?;
            if response.status() == http::StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
                // The partial file does not fit what the server has now: start over.
                tokio::fs::remove_file(&part)
                    .await
                    .map_err(|e| Error::io(format!("removing {}", part.display()), e))?;
                have = 0;
                continue;
            }
            break response;
        };
        let response = check_status(response).await?;
        let expected = if response.status() == http::StatusCode::PARTIAL_CONTENT && have > 0 {
            let range = response
                .headers()
                .get(http::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(content_range);
            match range {
                Some((start, end, total)) if start == have => {
                    let rest = end - start + 1;
                    if response.content_length().is_some_and(|n| n != rest) {
                        return Err(Error::protocol(
                            "the download's Content-Length contradicts its Content-Range",
                        ));
                    }
                    match total.or(end.checked_add(1)) {
                        Some(total) => Some(total),
                        None => {
                            return Err(Error::protocol("the download's Content-Range overflows"))
                        }
                    }
                }
                _ => {
                    return Err(Error::protocol(format!(
                        "the server resumed the download at another offset than {have}"
                    )))
                }
            }
        } else {
            have = 0;
            write_validator(&validator_path(&part), response.headers()).await?;
            response.content_length()
        };
        let context = || format!("writing {}", part.display());
        // Opened without truncating, then checked to be the regular file the
        // name still refers to: a symlink swapped in since the check above
        // is refused before a byte of its target is touched.
        let mut options = tokio::fs::OpenOptions::new();
        options.create(true).write(true).append(true);
        // Only the owner may touch a partial file (and so the final one);
        // a link at its name is not followed, not even to create its target,
        // and a FIFO put there does not hang the open.
        #[cfg(unix)]
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        let file = match options.open(&part).await {
            Ok(file) => file,
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(not_a_file(&part)),
            Err(e) => return Err(Error::io(context(), e)),
        };
        let opened = file.metadata().await.map_err(|e| Error::io(context(), e))?;
        match existing(&part).await? {
            Some(named) if named.is_file() && same_file(&opened, &named) => {}
            _ => return Err(not_a_file(&part)),
        }
        // One writer per partial file, held until it has its final name: a
        // second download of the same file (another process, an overlapping
        // run) would append its bytes to ours, or to the finished file.
        let file = file.into_std().await;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::io(
                    context(),
                    std::io::Error::new(
                        std::io::ErrorKind::WouldBlock,
                        "another download of this file is under way",
                    ),
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(context(), e)),
        }
        let lock = file.try_clone().map_err(|e| Error::io(context(), e))?;
        let mut file = tokio::fs::File::from_std(file);
        if have == 0 {
            file.set_len(0).await.map_err(|e| Error::io(context(), e))?;
        }
        let copied = match copy_with_writeback(response, &mut file).await {
            Ok(n) => Ok(n),
            Err(CopyError::Other(e)) => Err(e),
            Err(CopyError::Sync(e)) => {
                drop(file);
                return Err(discard_part(&part, e).await);
            }
        };
        // What arrived stays for a rerun, whatever went wrong: synced, so
        // that a rerun never resumes onto a tail the disk lost (a failed
        // sync discards the part instead).
        file.flush().await.map_err(|e| Error::io(context(), e))?;
        let (total, unfinished) = match copied {
            Err(e) => (have, Some(e)),
            Ok(n) => {
                let total = have.saturating_add(n);
                let short = expected.filter(|e| *e != total).map(|expected| {
                    Error::protocol(format!(
                        "the download of {} ended after {total} of {expected} bytes (rerun to resume)",
                        path.display()
                    ))
                });
                (total, short)
            }
        };
        if let Some(error) = unfinished {
            if let Err(e) = file.sync_data().await {
                drop(file);
                return Err(discard_part(&part, e).await);
            }
            return Err(error);
        }
        if let Err(e) = file.sync_all().await {
            drop(file);
            return Err(discard_part(&part, e).await);
        }
        // The file holds exactly what this download counted, or something
        // else wrote to it (before the lock, or with the `have` of another
        // moment): never given the final name.
        let written = file
            .metadata()
            .await
            .map_err(|e| Error::io(context(), e))?
            .len();
        if written != total {
            drop(file);
            let _ = tokio::fs::remove_file(&part).await;
            return Err(Error::protocol(format!(
                "{} holds {written} bytes where this download wrote up to {total}: \
                 it changed meanwhile and was removed (rerun to download it again)",
                part.display()
            )));
        }
        drop(file);
        // A hard link cannot replace a file that appeared at the final name in
        // the meantime; where links are not supported, check and rename.
        match tokio::fs::hard_link(&part, path).await {
            Ok(()) => {
                tokio::fs::remove_file(&part)
                    .await
                    .map_err(|e| Error::io(format!("removing {}", part.display()), e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(not_a_file(path))
            }
            Err(_) => {
                if existing(path).await?.is_some() {
                    return Err(not_a_file(path));
                }
                tokio::fs::rename(&part, path)
                    .await
                    .map_err(|e| Error::io(format!("renaming {}", part.display()), e))?;
            }
        }
        drop(lock);
        let _ = tokio::fs::remove_file(validator_path(&part)).await;
        sync_dir(path).await;
        Ok(Downloaded::Complete {
            path: path.to_owned(),
            bytes: total,
            resumed_from: have,
        })
    }
}

/// Where the version (`ETag` or `Last-Modified`) of a partial download is
/// kept between runs.
fn validator_path(part: &Path) -> PathBuf {
    let mut name = part.as_os_str().to_owned();
    name.push(".version");
    PathBuf::from(name)
}

/// The stored version of a partial download, if there is a valid one (a
/// symlink planted there is not read).
async fn read_validator(path: &Path) -> Option<http::HeaderValue> {
    let meta = tokio::fs::symlink_metadata(path).await.ok()?;
    if !meta.is_file() || meta.len() > 1024 {
        return None;
    }
    let text = tokio::fs::read_to_string(path).await.ok()?;
    let text = text.trim();
    // Empty: the first run saw no validator (the file still marks the
    // partial download as this client's).
    (!text.is_empty())
        .then(|| http::HeaderValue::from_str(text).ok())
        .flatten()
}

/// Keeps the version a fresh download was served with: a strong `ETag`, else
/// `Last-Modified`; removes any older one.
async fn write_validator(path: &Path, headers: &http::HeaderMap) -> Result<()> {
    // `remove_file` removes a planted symlink itself, never its target.
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(format!("removing {}", path.display()), e)),
    }
    let strong_etag = headers
        .get(http::header::ETAG)
        .filter(|v| !v.as_bytes().starts_with(b"W/"));
    let text = strong_etag
        .or_else(|| headers.get(http::header::LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .await
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    file.write_all(text.as_bytes())
        .await
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// Whether two metadata describe the same file (device and inode on unix).
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        a.is_file() && b.is_file() && a.len() == b.len()
    }
}

/// Makes a rename durable (best effort: not every platform can sync a folder).
async fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = tokio::fs::File::open(dir).await {
            let _ = dir.sync_all().await;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_recognised_by_their_keys_hash() {
        for (name, key) in [
            ("IMG_1.jpg", "id-1"),
            ("no extension", "k"),
            ("../x.tar.gz", "k2"),
            ("", "k3"),
        ] {
            let unique = unique_file_name(name, key);
            assert!(is_name_for(&unique, key), "{unique}");
            assert!(!is_name_for(&unique, "another key"), "{unique}");
        }
        assert!(!is_name_for("notes.txt", "id-1"));
        assert!(
            !is_name_for(&name_hash("k"), "k"),
            "the hash alone is not a name"
        );
    }

    /// Makes every background data sync of a download fail.
    pub(super) static FAIL_SYNCS: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    #[cfg(unix)]
    #[tokio::test]
    async fn a_link_swapped_in_at_the_partial_name_is_neither_followed_nor_created() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let dir = std::env::temp_dir().join(format!("runtime-swap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("out")).unwrap();
        let path = dir.join("out/photo.jpg");
        let part = partial_path(&path);
        let target = dir.join("elsewhere");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (link, to) = (part.clone(), target.clone());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 8192];
            let _ = socket.read(&mut request).await;
            // After the client's checks, before it opens the partial file.
            std::os::unix::fs::symlink(&to, &link).unwrap();
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                .await;
        });
        let client: Client = crate::ClientBuilder::new(&crate::client::EXAMPLE_API)
            .base_url(format!("http://127.0.0.1:{port}/"))
            .no_proxy()
            .build()
            .unwrap();
        let uri: http::Uri = format!("http://127.0.0.1:{port}/photo").parse().unwrap();
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            client.download_to_file(&uri, None, &path),
        )
        .await
        .expect("the download finished");
        assert!(result.is_err(), "{result:?}");
        assert!(!target.exists(), "the link's target was created");
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_failed_sync_fails_the_download_and_removes_the_partial_file() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        // Enough for background syncs to start (one every WRITEBACK_EVERY).
        let len = usize::try_from(WRITEBACK_EVERY).unwrap() * 2 + 1000;
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 8192];
            let _ = socket.read(&mut request).await;
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n");
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&vec![7u8; len]).await;
        });
        let dir = std::env::temp_dir().join(format!("runtime-sync-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.bin");
        let client: Client = crate::ClientBuilder::new(&crate::client::EXAMPLE_API)
            .base_url(format!("http://127.0.0.1:{port}/"))
            .no_proxy()
            .build()
            .unwrap();
        let uri: http::Uri = format!("http://127.0.0.1:{port}/big").parse().unwrap();
        /// Fails the syncs while it lives (also if the test panics).
        struct Failing;
        impl Drop for Failing {
            fn drop(&mut self) {
                FAIL_SYNCS.store(false, std::sync::atomic::Ordering::SeqCst);
            }
        }
        FAIL_SYNCS.store(true, std::sync::atomic::Ordering::SeqCst);
        let failing = Failing;
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            client.download_to_file(&uri, None, &path),
        )
        .await
        .expect("the download finished");
        drop(failing);
        let error = result.unwrap_err();
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(error.to_string().contains("may not be on disk"), "{error}");
        let part = partial_path(&path);
        assert!(!path.exists() && !part.exists() && !validator_path(&part).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hostile_names_become_one_safe_component() {
        for (input, expected) in [
            ("/etc/passwd", "_etc_passwd"),
            ("../../up.jpg", "_.._up.jpg"),
            ("..\\..\\x.bat", "_.._x.bat"),
            ("..", "file"),
            (".", "file"),
            ("", "file"),
            ("...hidden", "hidden"),
            ("name. . .", "name"),
            ("a\0b\nc\u{7f}", "a_b_c_"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("LPT9.tar.gz", "_LPT9.tar.gz"),
            ("COM\u{b9}.jpg", "_COM\u{b9}.jpg"),
            ("lpt\u{b2}", "_lpt\u{b2}"),
            ("COM\u{b3} .png", "_COM\u{b3} .png"),
            ("COM0", "_COM0"),
            ("conout$.txt", "_conout$.txt"),
            ("COM\u{2074}", "COM\u{2074}"),
            ("COM10", "COM10"),
            ("CONSOLE.txt", "CONSOLE.txt"),
            ("ab\u{202E}gpj.exe", "ab_gpj.exe"),
            ("C:drive", "C_drive"),
            ("photo.jpg", "photo.jpg"),
            ("Фото 1.jpg", "Фото 1.jpg"),
        ] {
            assert_eq!(safe_component(input), expected, "{input:?}");
        }
        let long = "é".repeat(300);
        let cut = safe_component(&long);
        assert!(cut.len() <= MAX_NAME_BYTES && cut.chars().all(|c| c == 'é'));
    }

    #[test]
    fn unique_names_keep_the_extension_and_differ_by_id() {
        let a = unique_file_name("IMG_0001.JPG", "id-a");
        let b = unique_file_name("IMG_0001.JPG", "id-A");
        assert!(a.starts_with("IMG_0001-") && a.ends_with(".JPG"), "{a}");
        assert_ne!(a.to_lowercase(), b.to_lowercase());
        assert_eq!(a, unique_file_name("IMG_0001.JPG", "id-a"));
        assert_eq!(
            unique_file_name("photo.part", "x").matches(".part").count(),
            1
        );
        assert!(!unique_file_name("..", "x").starts_with('.'));
        let long = unique_file_name(&format!("{}.jpeg", "x".repeat(400)), "k");
        assert!(
            long.len() <= MAX_NAME_BYTES && long.ends_with(".jpeg"),
            "{long}"
        );
        assert!(!unique_file_name("noext", "k").contains('.'));
    }

    #[test]
    fn only_single_components_stay_inside_the_folder() {
        let dir = Path::new("out");
        assert_eq!(path_in(dir, "a.jpg").unwrap(), dir.join("a.jpg"));
        for bad in ["", ".", "..", "a/b", "../a", "/abs", "a\\b", "./a"] {
            assert!(path_in(dir, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn partial_names_never_equal_final_names() {
        let final_path = Path::new("out").join(unique_file_name("photo.part", "id"));
        let part = partial_path(&final_path);
        assert_ne!(part, final_path);
        assert!(part.file_name().unwrap().to_string_lossy().starts_with('.'));
        assert_eq!(part.parent(), final_path.parent());
    }

    /// Pseudo-random `Content-Range` values: no panic, and whatever parses is
    /// a consistent range.
    #[test]
    fn any_content_range_parses_without_panic() {
        const PIECES: &[&str] = &[
            "bytes ",
            "bytes",
            "0",
            "1",
            "18446744073709551615",
            "18446744073709551616",
            "-",
            "/",
            "*",
            " ",
            "+",
            "x",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = next() % 9;
            let value: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            if let Some((start, end, total)) = content_range(&value) {
                assert!(start <= end, "{value:?}");
                assert!(total.is_none_or(|t| end < t), "{value:?}");
            }
        }
    }

    #[test]
    fn content_ranges_are_checked() {
        assert_eq!(content_range("bytes 10-19/20"), Some((10, 19, Some(20))));
        assert_eq!(content_range("bytes 10-19/*"), Some((10, 19, None)));
        for bad in [
            "bytes 19-10/20",
            "bytes 10-20/20",
            "bytes -1-5/9",
            "bytes 0-18446744073709551616/1",
            "items 0-1/2",
            "bytes 0-1",
        ] {
            assert_eq!(content_range(bad), None, "{bad}");
        }
    }
}
