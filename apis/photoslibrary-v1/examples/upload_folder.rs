//! Uploads every photo and video of a folder into a new album, with a
//! progress bar.
//!
//! `PHOTOS_TOKEN=ya29... cargo run -p photoslibrary-v1 --example upload_folder -- ./holiday "Holiday 2024"`

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use photoslibrary_v1::batch::AlbumTarget;
use photoslibrary_v1::models::{Album, CreateAlbumRequest, NewMediaItem};
use photoslibrary_v1::{Client, Error};

/// What happened to the folder.
#[derive(Debug, Default)]
pub struct Report {
    pub album_id: String,
    pub created: Vec<String>,
    pub failed: Vec<(String, String)>,
    pub skipped: Vec<PathBuf>,
}

/// Uploads the photos and videos of `folder` (sorted by name) into a new album
/// called `title`.
pub async fn run(
    client: &Client,
    folder: &Path,
    title: &str,
    progress: &ProgressBar,
) -> Result<Report, Error> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| Error::Io {
            context: format!("reading {}", folder.display()),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut report = Report::default();
    let total: u64 = files
        .iter()
        .filter(|p| photoslibrary_v1::uploads::mime_type(p).is_some())
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();
    progress.set_length(total);

    let mut items = Vec::new();
    for path in files {
        let Some(mime) = photoslibrary_v1::uploads::mime_type(&path) else {
            report.skipped.push(path);
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        progress.set_message(name.clone());
        let done = progress.position();
        let bar = progress.clone();
        let upload = client
            .uploads()
            .file(&path, mime)
            .await?
            .progress(move |sent, _| bar.set_position(done + sent));
        match upload.send().await {
            Ok(token) => items.push(NewMediaItem::from_upload_token(token, name)),
            Err(e) => report.failed.push((name, e.to_string())),
        }
    }

    let album = client
        .albums()
        .create(CreateAlbumRequest {
            album: Some(Album {
                title: Some(title.into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .send()
        .await?;
    report.album_id = album.id.unwrap_or_default();
    let results = client
        .media_items()
        .batch_create_all(items, Some(AlbumTarget::new(report.album_id.clone())))
        .await?;
    for r in results {
        let name = r
            .media_item
            .as_ref()
            .and_then(|m| m.filename.clone())
            .or(r.upload_token.clone())
            .unwrap_or_default();
        match r.status.as_ref().filter(|s| s.code.unwrap_or(0) != 0) {
            Some(status) => report
                .failed
                .push((name, status.message.clone().unwrap_or_default())),
            None => report.created.push(name),
        }
    }
    progress.finish_with_message("done");
    Ok(report)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [folder, title] = args.as_slice() else {
        eprintln!("usage: upload_folder FOLDER ALBUM_TITLE");
        std::process::exit(2);
    };
    let mut builder =
        Client::builder().bearer_token(std::env::var("PHOTOS_TOKEN").unwrap_or_default());
    if let Ok(url) = std::env::var("PHOTOS_BASE_URL") {
        builder = builder.base_url(url);
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:30} {wide_bar} {bytes}/{total_bytes} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = run(&builder.build()?, Path::new(folder), title, &bar).await?;
    println!(
        "album {}: {} created, {} failed, {} skipped",
        report.album_id,
        report.created.len(),
        report.failed.len(),
        report.skipped.len()
    );
    for (name, reason) in &report.failed {
        println!("failed: {name}: {reason}");
    }
    Ok(())
}
