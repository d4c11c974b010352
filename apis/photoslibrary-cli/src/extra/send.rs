//! Sending one file's bytes for `upload`: through the SHA-256 that the state
//! records, and for large files through a resumable session that a rerun
//! continues where the server is (see [`super::sessions`]).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar};
use tokio::io::AsyncReadExt;

use discovery_cli::printable;
use photoslibrary_v1::uploads::{SessionState, UploadSession};
use photoslibrary_v1::{Client, Error};

use super::sessions::{Saved, Sessions};
use super::state::{self, Opened};

/// One file to send.
pub struct Job<'a> {
    pub client: &'a Client,
    pub path: &'a Path,
    /// The file name the item gets.
    pub name: &'a str,
    /// The file's key in the state and the sessions.
    pub key: &'a str,
    pub mime: &'static str,
    /// Bytes per request; files no larger go in one request.
    pub chunk_size: u64,
    pub sessions: &'a Arc<Sessions>,
    /// `--force`: a saved session is not resumed.
    pub fresh: bool,
    pub bars: &'a MultiProgress,
    pub overall: &'a ProgressBar,
}

/// What was sent: the upload token, and the SHA-256 and length of the bytes
/// it stands for.
pub struct Sent {
    pub token: String,
    pub sha256: String,
    pub size: u64,
    /// Whether an earlier run's session was continued.
    pub resumed: bool,
    /// When the token was made, at the latest (seconds since the epoch): a
    /// session an earlier run finished made it no later than it started.
    pub obtained: u64,
}

pub enum Failure {
    /// The file could not be read.
    Read(String),
    /// The file changed while it was sent.
    Changed,
    Api(Error),
}

/// Sends the file: continues its saved session when the file is unchanged
/// and the server still has it, else from the first byte.
pub async fn send(job: &Job<'_>) -> Result<Sent, Failure> {
    if !job.fresh {
        if let Some(saved) = job.sessions.get(job.key) {
            match resume(job, saved).await {
                Ok(sent) => return sent,
                Err(why) => job.bars.suspend(|| {
                    eprintln!(
                        "note: {}: {why}; uploading it from the start",
                        printable(job.name)
                    )
                }),
            }
        }
    }
    job.sessions.forget(job.key);
    let opened = open(job).await?;
    let sent = transfer(job, opened, None).await;
    if let Err(Failure::Api(Error::Expired { .. })) = &sent {
        job.sessions.forget(job.key);
    }
    sent
}

async fn open(job: &Job<'_>) -> Result<Opened, Failure> {
    state::open_hashing(job.path)
        .await
        .map_err(|e| Failure::Read(format!("cannot read {}: {e}", job.path.display())))
}

/// Continues `saved` after checking the file is what the session was
/// given: the same length and modification time, and its bytes up to where
/// the server is hash as recorded for that offset (the confirmed bytes, or
/// a chunk read ahead that the server kept without saying so). `Err` says
/// why a new session is needed.
async fn resume(job: &Job<'_>, saved: Saved) -> Result<Result<Sent, Failure>, &'static str> {
    let changed = "changed since an earlier run began uploading it";
    let opened = match open(job).await {
        Ok(opened) => opened,
        Err(failure) => return Ok(Err(failure)),
    };
    if opened.len != saved.size || opened.modified != saved.modified {
        return Err(changed);
    }
    let session = UploadSession::new(saved.url.clone(), saved.granularity);
    let state = match job.client.uploads().query(&session, opened.len).await {
        Ok(state) => state,
        // Kept for the next run: the error is the network's, the quota's or
        // the credentials' (a login mends it), not the session's.
        Err(e)
            if e.is_retryable()
                || e.is_quota_exhausted()
                || discovery_cli::exit::is_auth(&e)
                || matches!(e, Error::RetryAfterTooLong { .. }) =>
        {
            return Ok(Err(Failure::Api(e)))
        }
        Err(Error::Expired { .. }) => {
            return Err("the server no longer has the upload session an earlier run began")
        }
        Err(_) => return Err("the server refused the upload session an earlier run began"),
    };
    let have = match &state {
        SessionState::Received(have) => *have,
        SessionState::Finished(_) => opened.len,
    };
    let Some(expected) = saved.hash_at(have).map(str::to_owned) else {
        return Err("the server has bytes of it this tool cannot check");
    };
    // The bytes the server has are read (and hashed) here; the upload
    // reads on from there.
    let Opened {
        len,
        modified,
        mut reader,
        hashing,
        checkpoints,
    } = opened;
    let read = tokio::io::copy(&mut (&mut reader).take(have), &mut tokio::io::sink()).await;
    if read.ok() != Some(have) {
        return Err(changed);
    }
    match checkpoints.take_until(have) {
        Some((at, sha256)) if at == have && sha256 == expected => {}
        _ => return Err(changed),
    }
    if let SessionState::Finished(token) = state {
        // Finished by an earlier run: the whole file was just hashed. Its
        // token is as old as the session at most (they last a day).
        drop(reader);
        if state::now().saturating_sub(saved.started) >= state::TOKEN_REUSE_SECS {
            return Err("its upload finished too long ago for its token to be used");
        }
        job.sessions.forget(job.key);
        return Ok(match hashing.await {
            Ok(Ok((sha256, size))) if size == len => Ok(Sent {
                token,
                sha256,
                size,
                resumed: true,
                obtained: saved.started,
            }),
            Ok(_) => Err(Failure::Changed),
            Err(e) => Err(Failure::Read(e.to_string())),
        });
    }
    // What this run sends from `have` on is the file as it is now: the
    // earlier run's hashes beyond it no longer vouch for anything.
    job.sessions.confirm(job.key, have, expected, Vec::new());
    let opened = Opened {
        len,
        modified,
        reader,
        hashing,
        checkpoints,
    };
    match transfer(job, opened, Some((session, have))).await {
        Err(Failure::Api(Error::Expired { .. })) => {
            Err("the server no longer has the upload session an earlier run began")
        }
        sent => Ok(sent),
    }
}

/// Uploads an opened file (from `resume`'s session and offset, else
/// anew), recording a new session and each confirmed chunk.
async fn transfer(
    job: &Job<'_>,
    opened: Opened,
    resume: Option<(UploadSession, u64)>,
) -> Result<Sent, Failure> {
    let Opened {
        len,
        modified,
        reader,
        hashing,
        checkpoints,
    } = opened;
    let bar = job.bars.add(ProgressBar::new(len));
    bar.set_style(discovery_cli::progress::style(
        "{prefix:>10} {wide_bar} {bytes}/{total_bytes}",
    ));
    bar.set_prefix(job.name.chars().take(10).collect::<String>());
    let (file_bar, all) = (bar.clone(), job.overall.clone());
    let last = AtomicU64::new(0);
    let (sessions, key) = (job.sessions.clone(), job.key.to_owned());
    let marks = checkpoints.clone();
    let mut upload = job
        .client
        .uploads()
        .reader(reader, len, job.mime, job.name)
        .chunk_size(job.chunk_size)
        .resumable_threshold(job.chunk_size)
        .progress(move |sent, _| {
            file_bar.set_position(sent);
            let before = last.swap(sent, Ordering::Relaxed);
            all.inc(sent.saturating_sub(before));
            // The server has the first `sent` bytes: the longest hashed
            // prefix within them, and those read beyond (which the server
            // may keep without saying so), are what a rerun checks.
            if let Some((at, sha256)) = checkpoints.take_until(sent) {
                sessions.confirm(&key, at, sha256, checkpoints.ahead());
            }
        });
    let resumed = resume.is_some();
    upload = match resume {
        Some((session, start)) => upload.resume_at(session, start),
        None => {
            let (sessions, key) = (job.sessions.clone(), job.key.to_owned());
            let marks = marks.clone();
            upload.on_session(move |session| {
                sessions.start(
                    &key,
                    Saved {
                        url: session.url().to_owned(),
                        granularity: session.granularity(),
                        size: len,
                        modified,
                        confirmed: 0,
                        prefix_sha256: state::EMPTY_SHA256.to_owned(),
                        ahead: marks
                            .ahead()
                            .into_iter()
                            .filter(|(at, _)| *at > 0)
                            .collect(),
                        started: state::now(),
                    },
                )
            })
        }
    };
    let (result, joined) = futures_util::future::join(upload.send(), hashing).await;
    bar.finish_and_clear();
    // The upload's own failure comes first; a success counts only with the
    // hash of what it sent, the whole file as it was opened.
    let token = result.map_err(Failure::Api)?;
    job.sessions.forget(job.key);
    match joined {
        Ok(Ok((sha256, size))) if size == len => Ok(Sent {
            token,
            sha256,
            size,
            resumed,
            obtained: state::now(),
        }),
        // Another length, or a hash that could not read to the end after
        // the upload read the whole file as opened: the file grew.
        Ok(_) => Err(Failure::Changed),
        Err(e) => Err(Failure::Read(e.to_string())),
    }
}
