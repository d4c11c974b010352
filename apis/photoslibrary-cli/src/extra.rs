//! Commands the discovery document cannot describe: `upload` (files and
//! folders into the library, optionally into an album), `download`
//! (originals of an album or a search, resumable by rerunning), `pick`
//! (photos the user picks in their own library, through the Picker API) and
//! `frame` (a folder kept equal to the albums the user chose for it,
//! through the Ambient API).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures_util::{StreamExt, TryStreamExt};
use indicatif::{MultiProgress, ProgressBar};

use discovery_cli::{fail, printable, usage, Extension, Run, EXIT_API, EXIT_AUTH};
use futures_util::future::LocalBoxFuture;
use photoslibrary_v1::batch::{AlbumTarget, BATCH_LIMIT};
use photoslibrary_v1::files::Downloaded;
use photoslibrary_v1::models::{
    Album, CreateAlbumRequest, MediaItem, NewMediaItem, SearchMediaItemsRequest,
};
use photoslibrary_v1::Client;

mod frame;
mod pick;
mod send;
mod sessions;
mod state;

/// The Photos tool's hand-written commands.
#[derive(Clone, Copy, Debug, Default)]
pub struct Photos;

impl Extension<Client> for Photos {
    fn commands(&self) -> Vec<Command> {
        commands()
    }

    fn run<'a>(
        &'a self,
        run: &'a Run<'a, Client>,
        path: &'a [&'a str],
        m: &'a ArgMatches,
    ) -> LocalBoxFuture<'a, Option<Result<(), ExitCode>>> {
        Box::pin(async move {
            match path {
                ["upload"] => Some(upload(run, m).await),
                ["download"] => Some(download(run, m).await),
                ["pick"] => Some(pick::run(run, m).await),
                ["frame"] => Some(frame::run(run, m).await),
                _ => None,
            }
        })
    }
}

fn commands() -> Vec<Command> {
    let jobs = || {
        Arg::new("jobs")
            .long("jobs")
            .short('j')
            .value_parser(clap::value_parser!(u16).range(1..=16))
            .default_value("4")
            .help("Files transferred at once")
    };
    vec![
        Command::new("upload")
            .about("Uploads photos and videos (files or folders) into the library, optionally into an album")
            .arg(Arg::new("paths").value_name("PATHS").required(true).num_args(1..).action(ArgAction::Append))
            .arg(Arg::new("album").long("album").value_name("TITLE|ID").help("An album to add the items to: an existing album's id or title, or the title of a new album"))
            .arg(Arg::new("description").long("description").help("The description of every uploaded item"))
            .arg(Arg::new("state").long("state").value_name("FILE").help("The upload state file (default: uploads.json in the configuration folder)"))
            .arg(Arg::new("force").long("force").action(ArgAction::SetTrue).help("Uploads and creates every file again, whatever the state file says"))
            .arg(Arg::new("chunk-size").long("chunk-size").value_name("MIB").value_parser(clap::value_parser!(u16).range(1..=256)).default_value("8").help("The bytes sent per request, in MiB (rounded to the server's granularity); larger files are uploaded in a session a rerun can continue"))
            .arg(jobs())
            .after_help("Reruns continue: the state file records each file's SHA-256 and size, its upload token and the item created from it. A rerun skips files already created, creates items from upload tokens younger than a day without sending the bytes again, continues large uploads an interrupted run left (the server is asked what it has; the file must be unchanged), and uploads the rest; a changed file is a new file. An exhausted daily quota stops the upload (exit 4) with what was done and what is left; rerun after midnight Pacific time."),
        Command::new("download")
            .about("Downloads the originals of an album or a search into a folder; rerun to resume")
            .arg(Arg::new("album").long("album").value_name("ID").conflicts_with("search").required_unless_present("search"))
            .arg(Arg::new("search").long("search").value_name("JSON").help("A SearchMediaItemsRequest, as JSON text or a file"))
            .arg(Arg::new("out").long("out").value_name("DIR").required(true))
            .arg(jobs()),
        pick::command(),
        frame::command(),
    ]
}

/// Files below `paths` (folders recursively), each file once, sorted.
///
/// Links to folders below a given folder are not followed, so link loops
/// end; a link to a file counts as that file. A file reached twice (named
/// twice, through a link or a hard link) is listed once, under the first
/// path found.
fn collect(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for root in paths {
        let walk = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    eprintln!("warning: {e}");
                    continue;
                }
            };
            // Follows a link: to a file, it is that file.
            match std::fs::metadata(entry.path()) {
                Ok(meta) if meta.is_dir() => {
                    if entry.path_is_symlink() && entry.depth() > 0 {
                        eprintln!(
                            "note: not following {}: a link to a folder",
                            entry.path().display()
                        );
                    }
                }
                Ok(meta) => {
                    if seen.insert(file_key(entry.path(), &meta)) {
                        out.push(entry.into_path());
                    }
                }
                // E.g. a dangling link: kept, so the summary names it.
                Err(_) => {
                    if seen.insert(FileKey::Path(entry.path().to_path_buf())) {
                        out.push(entry.into_path());
                    }
                }
            }
        }
    }
    out.sort();
    out
}

/// What makes a file the same file: its device and inode on unix, else its
/// canonical path.
#[derive(PartialEq, Eq, Hash)]
enum FileKey {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_key(path: &Path, meta: &std::fs::Metadata) -> FileKey {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        FileKey::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileKey::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// An album whose id or title is `wanted`, or a new one with that title.
///
/// A failed call is its error, so an exhausted quota can stop the upload
/// cleanly.
async fn find_or_create_album(
    client: &Client,
    wanted: &str,
) -> Result<String, photoslibrary_v1::Error> {
    let albums: Vec<Album> = client
        .albums()
        .list()
        .page_size(50)
        .items()
        .try_collect()
        .await?;
    if let Some(album) = albums
        .iter()
        .find(|a| a.id.as_deref() == Some(wanted) || a.title.as_deref() == Some(wanted))
    {
        return Ok(album.id.clone().unwrap_or_default());
    }
    let request = CreateAlbumRequest {
        album: Some(Album {
            title: Some(wanted.to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let album = client.albums().create(request).send().await?;
    Ok(album.id.unwrap_or_default())
}

/// What became of one file in `upload`.
enum Outcome {
    /// Created by an earlier run (the state file says so).
    AlreadyCreated,
    /// An upload token to create the item from, under the file's state key
    /// (computed once: the path may not canonicalize the same way twice);
    /// `reused` when an earlier run uploaded the bytes.
    Token {
        key: String,
        token: String,
        reused: bool,
    },
    Failed {
        reason: String,
        auth: bool,
    },
    /// Not tried: the daily quota ran out.
    Left,
}

/// Stops the run on an exhausted daily quota: every later call would fail
/// until the quota resets, and a rerun continues from the state file.
fn quota_stop(
    counts: (usize, usize, usize, usize),
    location: &state::Location,
    error: &dyn std::fmt::Display,
) -> ExitCode {
    let (created, skipped, failed, left) = counts;
    eprintln!("error: {}", printable(&error.to_string()));
    eprintln!(
        "the daily quota of the Photos Library API is exhausted; it resets at midnight Pacific time"
    );
    eprintln!(
        "done: created {created}, skipped {skipped} (already created), failed {failed}; left: {left} file(s)"
    );
    eprintln!(
        "rerun the same command after the reset to continue (progress is kept in {})",
        location.path().display()
    );
    ExitCode::from(EXIT_API)
}

async fn upload(run: &Run<'_, Client>, m: &ArgMatches) -> Result<(), ExitCode> {
    let client = run.client;
    // Uploading and creating items both need the append-only scope: known
    // missing, nothing starts.
    let appendonly = [photoslibrary_v1::scopes::PHOTOSLIBRARY_APPENDONLY];
    client
        .check_scopes("photoslibrary.mediaItems.batchCreate", &appendonly)
        .map_err(|e| fail(&e))?;
    let paths: Vec<PathBuf> = m
        .get_many::<String>("paths")
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .collect();
    let jobs = usize::from(*m.get_one::<u16>("jobs").unwrap_or(&4));
    let description = m.get_one::<String>("description").cloned();
    let force = m.get_flag("force");
    let location = state::Location::new(
        m.get_one::<String>("state").map(String::as_str),
        run.config_dir(),
    )
    .map_err(|e| usage(&e))?;
    // One upload per state at a time: two would overwrite each other's
    // progress (held until the command ends).
    let _lock = location.lock().map_err(|e| usage(&e))?;
    let loaded = location.load().map_err(|e| usage(&e))?;
    // Written once before any upload, so a state that cannot be kept is
    // found before anything is created that a rerun would create again.
    location.save(&loaded).map_err(|e| {
        usage(&format!(
            "cannot write the upload state file {}: {e}",
            location.path().display()
        ))
    })?;
    let state = std::cell::RefCell::new(loaded);
    let sessions = std::sync::Arc::new(sessions::Sessions::load(&location).map_err(|e| usage(&e))?);
    let chunk_size = u64::from(*m.get_one::<u16>("chunk-size").unwrap_or(&8)) << 20;
    let save = || {
        if let Err(e) = location.save(&state.borrow()) {
            eprintln!(
                "warning: cannot write the upload state file {}: {e}",
                location.path().display()
            );
        }
    };
    let (media, skipped): (Vec<PathBuf>, Vec<PathBuf>) = collect(&paths)
        .into_iter()
        .partition(|p| photoslibrary_v1::uploads::mime_type(p).is_some());
    let total: u64 = media
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .fold(0, u64::saturating_add);

    let bars = MultiProgress::new();
    let overall = bars.add(ProgressBar::new(total));
    overall.set_style(discovery_cli::progress::style(
        "{prefix:>10} {wide_bar} {bytes}/{total_bytes} {eta}",
    ));
    overall.set_prefix("all files");
    // Set by the first call that finds the daily quota exhausted: no upload
    // starts after it.
    let quota_error: std::cell::RefCell<Option<photoslibrary_v1::Error>> = Default::default();
    let (state_ref, quota_ref) = (&state, &quota_error);
    // Tokens are saved as they arrive (at most every few seconds), so a run
    // killed hours in keeps what it uploaded.
    let last_save = std::cell::Cell::new(std::time::Instant::now());
    let (save_ref, last_save_ref) = (&save, &last_save);
    // Uploads that continued an earlier run's session.
    let resumed = std::cell::Cell::new(0usize);
    let (resumed_ref, sessions_ref) = (&resumed, &sessions);
    let uploads = futures_util::stream::iter(media.iter().cloned())
        .map(|path| {
            let (client, bars, overall) = (client.clone(), bars.clone(), overall.clone());
            async move {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let key = state::key(&path);
                // What became of a hash: an error ends this file.
                let shown = path.display().to_string();
                let hashed =
                    |joined: Result<std::io::Result<(String, u64)>, tokio::task::JoinError>| {
                        match joined {
                            Ok(Ok(hashed)) => Ok(hashed),
                            Ok(Err(e)) => Err(format!("cannot read {shown}: {e}")),
                            Err(e) => Err(e.to_string()),
                        }
                    };
                let failed = |reason: String| Outcome::Failed {
                    reason,
                    auth: false,
                };
                // A file an earlier run may have done is hashed first, to
                // skip it or reuse its token; any other is hashed as it is
                // sent (below).
                if !force && state_ref.borrow().files.contains_key(&key) {
                    let hashing = {
                        let path = path.clone();
                        tokio::task::spawn_blocking(move || state::hash_file(&path))
                    };
                    let (sha256, size) = match hashed(hashing.await) {
                        Ok(hashed) => hashed,
                        Err(reason) => return (path, name, failed(reason)),
                    };
                    // A changed file (another hash or size) is a new file.
                    let known = state_ref
                        .borrow()
                        .files
                        .get(&key)
                        .filter(|e| e.sha256 == sha256 && e.size == size)
                        .cloned();
                    if let Some(entry) = known {
                        if entry.media_item_id.is_some() {
                            overall.inc(size);
                            return (path, name, Outcome::AlreadyCreated);
                        }
                        if let Some(token) = entry.reusable_token(state::now()) {
                            overall.inc(size);
                            let token = token.to_owned();
                            return (
                                path,
                                name,
                                Outcome::Token {
                                    key,
                                    token,
                                    reused: true,
                                },
                            );
                        }
                    }
                }
                if quota_ref.borrow().is_some() {
                    return (path, name, Outcome::Left);
                }
                // The upload reads the file through the hash (one read, on a
                // blocking thread, beside the network's work), so the state
                // records the SHA-256 of exactly the bytes that were sent.
                let mime = photoslibrary_v1::uploads::mime_type(&path)
                    .unwrap_or("application/octet-stream");
                let job = send::Job {
                    client: &client,
                    path: &path,
                    name: &name,
                    key: &key,
                    mime,
                    chunk_size,
                    sessions: sessions_ref,
                    fresh: force,
                    bars: &bars,
                    overall: &overall,
                };
                let outcome = match send::send(&job).await {
                    Ok(sent) => {
                        state_ref.borrow_mut().files.insert(
                            key.clone(),
                            state::Entry {
                                sha256: sent.sha256,
                                size: sent.size,
                                upload_token: Some(sent.token.clone()),
                                token_time: Some(sent.obtained),
                                media_item_id: None,
                            },
                        );
                        if last_save_ref.get().elapsed() >= std::time::Duration::from_secs(5) {
                            save_ref();
                            last_save_ref.set(std::time::Instant::now());
                        }
                        resumed_ref.set(resumed_ref.get() + usize::from(sent.resumed));
                        Outcome::Token {
                            key,
                            token: sent.token,
                            reused: false,
                        }
                    }
                    Err(send::Failure::Read(reason)) => failed(reason),
                    Err(send::Failure::Changed) => failed(format!(
                        "{shown} changed while it was uploaded; rerun to upload it again"
                    )),
                    Err(send::Failure::Api(e)) if e.is_quota_exhausted() => {
                        quota_ref.borrow_mut().get_or_insert(e);
                        Outcome::Left
                    }
                    Err(send::Failure::Api(e)) => Outcome::Failed {
                        reason: e.to_string(),
                        auth: discovery_cli::exit::is_auth(&e),
                    },
                };
                (path, name, outcome)
            }
        })
        .buffered(jobs) // keeps input order, so the album keeps the files' order
        .collect::<Vec<_>>()
        .await;
    overall.finish_and_clear();
    save();

    let mut failed: Vec<(String, String)> = Vec::new();
    // A token that stopped refreshing mid-run is an auth failure (exit 3).
    let mut auth_failed = false;
    let mut already: Vec<PathBuf> = Vec::new();
    let mut left = 0usize;
    // (key, name, token) of the items to create, in the files' order.
    let mut pending: Vec<(String, String, String)> = Vec::new();
    let mut reused = 0usize;
    for (path, name, outcome) in uploads {
        match outcome {
            Outcome::AlreadyCreated => already.push(path),
            Outcome::Token {
                key,
                token,
                reused: r,
            } => {
                reused += usize::from(r);
                pending.push((key, name, token));
            }
            Outcome::Failed { reason, auth } => {
                auth_failed |= auth;
                failed.push((name, reason));
            }
            Outcome::Left => left += 1,
        }
    }
    if reused > 0 {
        eprintln!(
            "note: {reused} file(s) uploaded by an earlier run, created from their upload tokens"
        );
    }
    if resumed.get() > 0 {
        eprintln!(
            "note: {} upload(s) continued where an earlier run left them (only the bytes the server lacked were sent)",
            resumed.get()
        );
    }
    if let Some(error) = sessions.flush() {
        eprintln!("warning: {error}");
    }
    let skipped_count = already.len() + skipped.len();
    if let Some(error) = quota_error.borrow_mut().take() {
        let left = left + pending.len();
        return Err(quota_stop(
            (0, skipped_count, failed.len(), left),
            &location,
            &error,
        ));
    }
    let album = match m.get_one::<String>("album") {
        Some(wanted) if !pending.is_empty() => match find_or_create_album(client, wanted).await {
            Ok(id) => Some(AlbumTarget::new(id)),
            Err(e) if e.is_quota_exhausted() => {
                let counts = (0, skipped_count, failed.len(), pending.len());
                return Err(quota_stop(counts, &location, &e));
            }
            Err(e) => return Err(fail(&e)),
        },
        _ => None,
    };
    let mut created = 0usize;
    // One request at a time, in order: batchCreate calls must not overlap.
    let mut chunks = pending.chunks(BATCH_LIMIT);
    while let Some(chunk) = chunks.next() {
        let items: Vec<NewMediaItem> = chunk
            .iter()
            .map(|(_, name, token)| {
                let item = NewMediaItem::from_upload_token(token.clone(), name.clone());
                match &description {
                    Some(d) => item.with_description(d.clone()),
                    None => item,
                }
            })
            .collect();
        match client
            .media_items()
            .batch_create_request(&items, album.as_ref())
            .await
        {
            Ok(results) => {
                let mut state = state.borrow_mut();
                for ((key, name, _), r) in chunk.iter().zip(results) {
                    let entry = state.files.get_mut(key);
                    match r.status.as_ref().filter(|s| s.code.unwrap_or(0) != 0) {
                        Some(status) => {
                            // The token may be what was refused: a rerun uploads again.
                            if let Some(entry) = entry {
                                entry.upload_token = None;
                                entry.token_time = None;
                            }
                            failed.push((name.clone(), status.message.clone().unwrap_or_default()))
                        }
                        // A success that names no created item is not
                        // recorded as created: the token is kept for a rerun.
                        None => match r.media_item.and_then(|i| i.id).filter(|id| !id.is_empty()) {
                            Some(id) => {
                                if let Some(entry) = entry {
                                    entry.media_item_id = Some(id);
                                    entry.upload_token = None;
                                    entry.token_time = None;
                                }
                                created += 1;
                            }
                            None => failed.push((
                                name.clone(),
                                "the server reported success but named no media item".into(),
                            )),
                        },
                    }
                }
            }
            Err(e) if e.is_quota_exhausted() => {
                save();
                let left = left + chunk.len() + chunks.map(<[_]>::len).sum::<usize>();
                let counts = (created, skipped_count, failed.len(), left);
                return Err(quota_stop(counts, &location, &e));
            }
            // The tokens are kept: a rerun tries these items again.
            Err(e) => {
                auth_failed |= discovery_cli::exit::is_auth(&e);
                let reason = e.to_string();
                failed.extend(
                    chunk
                        .iter()
                        .map(|(_, name, _)| (name.clone(), reason.clone())),
                );
            }
        }
        save();
    }
    println!(
        "created {created}, failed {}, skipped {}",
        failed.len(),
        skipped_count
    );
    for (name, reason) in &failed {
        // Server text: control characters (terminal escapes) are blanked.
        println!("failed: {}: {}", printable(name), printable(reason));
    }
    for path in &already {
        println!("skipped: {} (already created)", path.display());
    }
    for path in &skipped {
        println!("skipped: {} (not a photo or video)", path.display());
    }
    exit_for(failed.is_empty(), auth_failed)
}

async fn download(run: &Run<'_, Client>, m: &ArgMatches) -> Result<(), ExitCode> {
    let client = run.client;
    let readonly = [photoslibrary_v1::scopes::PHOTOSLIBRARY_READONLY_APPCREATEDDATA];
    client
        .check_scopes("photoslibrary.mediaItems.search", &readonly)
        .map_err(|e| fail(&e))?;
    let out = PathBuf::from(m.get_one::<String>("out").cloned().unwrap_or_default());
    let jobs = usize::from(*m.get_one::<u16>("jobs").unwrap_or(&4));
    let request = match (m.get_one::<String>("album"), m.get_one::<String>("search")) {
        (Some(album), _) => SearchMediaItemsRequest {
            album_id: Some(album.clone()),
            page_size: Some(100),
            ..Default::default()
        },
        (None, Some(search)) => {
            let text = if search.trim_start().starts_with('{') {
                search.clone()
            } else {
                discovery_cli::read_body(search).map_err(|e| usage(&e))?
            };
            serde_json::from_str(&text).map_err(|e| usage(&format!("--search: {e}")))?
        }
        (None, None) => return Err(usage("give --album or --search")),
    };
    discovery_cli::files::writable_folder(&out, run.tool)?;
    let items: Vec<MediaItem> = client
        .media_items()
        .search(request)
        .items()
        .try_collect()
        .await
        .map_err(|e| fail(&e))?;

    let (named, refused) = distinct_names(items, |i| i.id.clone(), MediaItem::local_file_name);
    let items: Vec<MediaItem> = named.into_iter().map(|(_, item)| item).collect();
    let clashes: Vec<(PathBuf, String)> = refused
        .into_iter()
        .map(|(name, why)| {
            (
                name.map_or_else(|| out.clone(), |n| out.join(n)),
                why.to_owned(),
            )
        })
        .collect();

    let bar = ProgressBar::new(items.len() as u64);
    bar.set_style(discovery_cli::progress::style(
        "{wide_bar} {pos}/{len} items {msg}",
    ));
    // The search's base URLs expire after about an hour: the library fetches
    // fresh ones in batches just before each batch is downloaded.
    let ids: Vec<String> = items.iter().filter_map(|item| item.id.clone()).collect();
    let on_done = |_: &str, _: &photoslibrary_v1::Result<Downloaded>| bar.inc(1);
    let media_before = client.media_requests();
    // Items left by an exhausted quota: the first such error, and how many.
    let mut quota: (Option<photoslibrary_v1::Error>, usize) = (None, 0);
    let results: Vec<Result<bool, (PathBuf, String, bool)>> = client
        .download_media_items_to(&ids, &out, jobs, &on_done)
        .await
        .into_iter()
        .filter_map(|(id, result)| match result {
            Err(e) if e.is_quota_exhausted() => {
                quota.1 += 1;
                quota.0.get_or_insert(e);
                None
            }
            other => Some((id, other)),
        })
        .map(|(id, result)| match result {
            Ok(Downloaded::AlreadyThere { .. }) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) => {
                let name = items
                    .iter()
                    .find(|item| item.id.as_deref() == Some(id.as_str()))
                    .and_then(MediaItem::local_file_name)
                    .unwrap_or_default();
                let auth = discovery_cli::exit::is_auth(&e);
                Err((out.join(name), e.to_string(), auth))
            }
        })
        .collect();
    bar.finish_and_clear();
    let downloaded = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let skipped = results.iter().filter(|r| matches!(r, Ok(false))).count();
    let mut failed: Vec<_> = results.into_iter().filter_map(Result::err).collect();
    failed.extend(
        clashes
            .into_iter()
            .map(|(path, reason)| (path, reason, false)),
    );
    // A token that stopped refreshing mid-run is an auth failure (exit 3).
    let auth_failed = failed.iter().any(|(_, _, auth)| *auth);
    let media_requests = client.media_requests().saturating_sub(media_before);
    let (quota_error, left) = quota;
    println!(
        "downloaded {downloaded}, skipped {skipped} (already complete), failed {}{}; {media_requests} media request(s) (of {} a day)",
        failed.len(),
        if left > 0 { format!(", left {left}") } else { String::new() },
        photoslibrary_v1::download::MEDIA_REQUESTS_PER_DAY,
    );
    for (path, reason, _) in &failed {
        println!("failed: {}: {}", path.display(), printable(reason));
    }
    if let Some(error) = quota_error {
        // Like the upload's quota stop: what is done stays, a rerun after
        // the reset resumes the rest (partial files included).
        eprintln!("error: {}", printable(&error.to_string()));
        eprintln!(
            "a daily quota is used up; {left} item(s) left: rerun the same command after midnight Pacific time to continue"
        );
        return Err(ExitCode::from(EXIT_API));
    }
    exit_for(failed.is_empty(), auth_failed)
}

/// An item refused by [`distinct_names`]: its name (or id), and why.
pub(crate) type Refused = (Option<String>, &'static str);

/// Items to download into one folder: each id once (a server may list one
/// twice), under names that differ even ignoring case (they carry a hash of
/// the id; two that still clash are refused rather than written over each
/// other). Returns the items with their names, and the refused ones as their
/// name (or id) and why.
pub(crate) fn distinct_names<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> Option<String>,
    name: impl Fn(&T) -> Option<String>,
) -> (Vec<(String, T)>, Vec<Refused>) {
    let mut seen = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    let (mut named, mut refused) = (Vec::new(), Vec::new());
    for item in items {
        let Some(id) = id(&item) else {
            refused.push((None, "the item has no id"));
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(name) = name(&item) else {
            refused.push((Some(id), "the item has no id"));
            continue;
        };
        if !names.insert(name.to_lowercase()) {
            refused.push((Some(name), "another item has the same file name"));
            continue;
        }
        named.push((name, item));
    }
    (named, refused)
}

/// The exit of a run that reported its failures: auth when a token failed.
pub(crate) fn exit_for(all_ok: bool, auth_failed: bool) -> Result<(), ExitCode> {
    match (all_ok, auth_failed) {
        (true, _) => Ok(()),
        (false, true) => Err(ExitCode::from(EXIT_AUTH)),
        (false, false) => Err(ExitCode::from(EXIT_API)),
    }
}

#[cfg(test)]
mod tests {
    /// The generated commands keep clear of these names because
    /// `codegen.toml` lists them: the list must be this one.
    #[test]
    fn codegen_toml_lists_the_hand_written_commands() {
        let config = include_str!("../codegen.toml");
        let line = config
            .lines()
            .find(|l| l.starts_with("commands"))
            .expect("codegen.toml lists the commands");
        let names: Vec<String> = super::commands()
            .iter()
            .map(|c| format!("{:?}", c.get_name()))
            .collect();
        assert_eq!(line, format!("commands = [{}]", names.join(", ")));
    }
}
