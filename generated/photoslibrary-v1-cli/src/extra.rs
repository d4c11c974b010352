// Hand-written: copied from generator/overlays/photoslibrary-cli/src/extra.rs by `cargo xtask regenerate`. Edit the source, not this copy.
//! Commands the discovery document cannot describe: `auth` (installed-app
//! OAuth login, stored credentials), `upload` (files and folders into the
//! library, optionally into an album) and `download` (originals of an album
//! or a search, resumable by rerunning).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures_util::{StreamExt, TryStreamExt};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use futures_util::future::LocalBoxFuture;
use photoslibrary_v1::batch::AlbumTarget;
use photoslibrary_v1::files::Downloaded;
use photoslibrary_v1::models::{
    Album, CreateAlbumRequest, MediaItem, NewMediaItem, SearchMediaItemsRequest,
};
use photoslibrary_v1::Client;

use crate::support::{self, Extension, Output};

mod auth;

/// The Photos tool's hand-written commands (the target's `cli_extension`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Photos;

impl Extension for Photos {
    fn commands(&self) -> Vec<Command> {
        commands()
    }

    /// Commands that need no client: `auth ...`.
    fn run_without_client<'a>(
        &'a self,
        matches: &'a ArgMatches,
    ) -> LocalBoxFuture<'a, Option<ExitCode>> {
        Box::pin(async move {
            match matches.subcommand() {
                Some(("auth", m)) => Some(auth::run(matches, m).await),
                _ => None,
            }
        })
    }

    /// A client builder with the stored credentials, if there are any.
    fn stored_credentials(&self) -> LocalBoxFuture<'_, Option<photoslibrary_v1::ClientBuilder>> {
        Box::pin(auth::stored_credentials())
    }

    fn run<'a>(
        &'a self,
        client: &'a Client,
        path: &'a [&'a str],
        m: &'a ArgMatches,
        _output: Output,
    ) -> LocalBoxFuture<'a, Option<Result<(), ExitCode>>> {
        Box::pin(async move {
            match path {
                ["upload"] => Some(upload(client, m).await),
                ["download"] => Some(download(client, m).await),
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
        auth::command(),
        Command::new("upload")
            .about("Uploads photos and videos (files or folders) into the library, optionally into an album")
            .arg(Arg::new("paths").value_name("PATHS").required(true).num_args(1..).action(ArgAction::Append))
            .arg(Arg::new("album").long("album").value_name("TITLE|ID").help("An album to add the items to: an existing album's id or title, or the title of a new album"))
            .arg(Arg::new("description").long("description").help("The description of every uploaded item"))
            .arg(jobs()),
        Command::new("download")
            .about("Downloads the originals of an album or a search into a folder; rerun to resume")
            .arg(Arg::new("album").long("album").value_name("ID").conflicts_with("search").required_unless_present("search"))
            .arg(Arg::new("search").long("search").value_name("JSON").help("A SearchMediaItemsRequest, as JSON text or a file"))
            .arg(Arg::new("out").long("out").value_name("DIR").required(true))
            .arg(jobs()),
    ]
}

/// The MIME type of a photo or video, from its extension.
fn mime_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "mkv" => "video/x-matroska",
        _ => return None,
    })
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

fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// An album whose id or title is `wanted`, or a new one with that title.
async fn find_or_create_album(client: &Client, wanted: &str) -> Result<String, ExitCode> {
    let albums: Vec<Album> = client
        .albums()
        .list()
        .page_size(50)
        .items()
        .try_collect()
        .await
        .map_err(|e| support::fail(&e))?;
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
    let album = client
        .albums()
        .create(request)
        .send()
        .await
        .map_err(|e| support::fail(&e))?;
    Ok(album.id.unwrap_or_default())
}

async fn upload(client: &Client, m: &ArgMatches) -> Result<(), ExitCode> {
    let paths: Vec<PathBuf> = m
        .get_many::<String>("paths")
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .collect();
    let jobs = usize::from(*m.get_one::<u16>("jobs").unwrap_or(&4));
    let description = m.get_one::<String>("description").cloned();
    let (media, skipped): (Vec<PathBuf>, Vec<PathBuf>) = collect(&paths)
        .into_iter()
        .partition(|p| mime_type(p).is_some());
    let total: u64 = media
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();

    let bars = MultiProgress::new();
    let overall = bars.add(ProgressBar::new(total));
    overall.set_style(bar_style(
        "{prefix:>10} {wide_bar} {bytes}/{total_bytes} {eta}",
    ));
    overall.set_prefix("all files");
    let uploads = futures_util::stream::iter(media.iter().cloned())
        .map(|path| {
            let (client, bars, overall) = (client.clone(), bars.clone(), overall.clone());
            async move {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let mime = mime_type(&path).unwrap_or("application/octet-stream");
                let bar = bars.add(ProgressBar::new(
                    path.metadata().map(|m| m.len()).unwrap_or(0),
                ));
                bar.set_style(bar_style("{prefix:>10} {wide_bar} {bytes}/{total_bytes}"));
                bar.set_prefix(name.chars().take(10).collect::<String>());
                let (file_bar, all) = (bar.clone(), overall.clone());
                let last = std::sync::atomic::AtomicU64::new(0);
                let result = match client.uploads().file(&path, mime).await {
                    Ok(upload) => {
                        upload
                            .progress(move |sent, _| {
                                file_bar.set_position(sent);
                                let before = last.swap(sent, std::sync::atomic::Ordering::Relaxed);
                                all.inc(sent.saturating_sub(before));
                            })
                            .send()
                            .await
                    }
                    Err(e) => Err(e),
                };
                bar.finish_and_clear();
                (name, result)
            }
        })
        .buffered(jobs) // keeps input order, so the album keeps the files' order
        .collect::<Vec<_>>()
        .await;
    overall.finish_and_clear();

    let mut failed: Vec<(String, String)> = Vec::new();
    // A token that stopped refreshing mid-run is an auth failure (exit 3).
    let mut auth_failed = false;
    let mut items = Vec::new();
    // batchCreate answers per upload token; failures are reported by file name.
    let mut names_by_token = std::collections::HashMap::new();
    for (name, result) in uploads {
        match result {
            Ok(token) => {
                names_by_token.insert(token.clone(), name.clone());
                let item = NewMediaItem::from_upload_token(token, name);
                items.push(match &description {
                    Some(d) => item.with_description(d.clone()),
                    None => item,
                });
            }
            Err(e) => {
                auth_failed |= matches!(e, photoslibrary_v1::Error::Auth(_));
                failed.push((name, e.to_string()))
            }
        }
    }
    let album = match m.get_one::<String>("album") {
        Some(wanted) => Some(AlbumTarget::new(
            find_or_create_album(client, wanted).await?,
        )),
        None => None,
    };
    let mut created = 0;
    if !items.is_empty() {
        let results = client
            .media_items()
            .batch_create_all(items, album)
            .await
            .map_err(|e| support::fail(&e))?;
        for r in results {
            match r.status.as_ref().filter(|s| s.code.unwrap_or(0) != 0) {
                Some(status) => {
                    let token = r.upload_token.unwrap_or_default();
                    let name = names_by_token.get(&token).cloned().unwrap_or(token);
                    failed.push((name, status.message.clone().unwrap_or_default()))
                }
                None => created += 1,
            }
        }
    }
    println!(
        "created {created}, failed {}, skipped {}",
        failed.len(),
        skipped.len()
    );
    for (name, reason) in &failed {
        // Server text: control characters (terminal escapes) are blanked.
        println!(
            "failed: {}: {}",
            auth::printable(name),
            auth::printable(reason)
        );
    }
    for path in &skipped {
        println!("skipped: {} (not a photo or video)", path.display());
    }
    exit_for(failed.is_empty(), auth_failed)
}

async fn download(client: &Client, m: &ArgMatches) -> Result<(), ExitCode> {
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
                support::read_body(search).map_err(|e| support::usage(&e))?
            };
            serde_json::from_str(&text).map_err(|e| support::usage(&format!("--search: {e}")))?
        }
        (None, None) => return Err(support::usage("give --album or --search")),
    };
    tokio::fs::create_dir_all(&out)
        .await
        .map_err(|e| support::usage(&format!("cannot create {}: {e}", out.display())))?;
    let items: Vec<MediaItem> = client
        .media_items()
        .search(request)
        .items()
        .try_collect()
        .await
        .map_err(|e| support::fail(&e))?;

    // The server may list an item twice; each is fetched once. Names carry a
    // hash of the id, and two ids whose names still clash (even ignoring case)
    // are refused rather than written over each other.
    let mut seen_ids = std::collections::HashSet::new();
    let mut names = std::collections::HashMap::new();
    let mut clashes = Vec::new();
    let items: Vec<MediaItem> = items
        .into_iter()
        .filter(|item| seen_ids.insert(item.id.clone()))
        .filter(|item| {
            let Some(name) = item.local_file_name() else {
                clashes.push((out.clone(), "the item has no id".to_owned()));
                return false;
            };
            match names.insert(name.to_lowercase(), item.id.clone()) {
                None => true,
                Some(_) => {
                    clashes.push((
                        out.join(&name),
                        "another item has the same file name".into(),
                    ));
                    false
                }
            }
        })
        .collect();

    let bar = ProgressBar::new(items.len() as u64);
    bar.set_style(bar_style("{wide_bar} {pos}/{len} items {msg}"));
    // The search's base URLs expire after about an hour: the library fetches
    // fresh ones in batches just before each batch is downloaded.
    let ids: Vec<String> = items.iter().filter_map(|item| item.id.clone()).collect();
    let on_done = |_: &str, _: &photoslibrary_v1::Result<Downloaded>| bar.inc(1);
    let results: Vec<Result<bool, (PathBuf, String, bool)>> = client
        .download_media_items_to(&ids, &out, jobs, &on_done)
        .await
        .into_iter()
        .map(|(id, result)| match result {
            Ok(Downloaded::AlreadyThere { .. }) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) => {
                let name = items
                    .iter()
                    .find(|item| item.id.as_deref() == Some(id.as_str()))
                    .and_then(MediaItem::local_file_name)
                    .unwrap_or_default();
                let auth = matches!(e, photoslibrary_v1::Error::Auth(_));
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
    println!(
        "downloaded {downloaded}, skipped {skipped} (already complete), failed {}",
        failed.len()
    );
    for (path, reason, _) in &failed {
        println!("failed: {}: {}", path.display(), auth::printable(reason));
    }
    exit_for(failed.is_empty(), auth_failed)
}

/// The exit of a run that reported its failures: auth when a token failed.
fn exit_for(all_ok: bool, auth_failed: bool) -> Result<(), ExitCode> {
    match (all_ok, auth_failed) {
        (true, _) => Ok(()),
        (false, true) => Err(ExitCode::from(support::EXIT_AUTH)),
        (false, false) => Err(ExitCode::from(support::EXIT_API)),
    }
}
