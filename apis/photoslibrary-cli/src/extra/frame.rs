//! `frame`: a folder kept equal to what the user chose to show on an
//! ambient device (the Photos Ambient API), for a photo frame, a TV or a
//! kiosk that shows a folder. The device is registered once (its id kept in
//! the folder's `.photoslibrary-frame.json`, with the names of the files the
//! tool wrote), the user chooses albums in Google Photos through its
//! settings link, and each round lists the chosen items, downloads the new
//! ones with fresh base URLs and deletes the files of items no longer
//! chosen (only files it wrote itself). `--once` is one round, for cron.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures_util::StreamExt;
use photosambient_v1::frames::{Listing, MediaOptions, LIST_REQUESTS_PER_DAY};
use photosambient_v1::models::{AmbientDevice, AmbientMediaItem};
use photosambient_v1::Error;
use serde_json::{json, Value};

use discovery_cli::progress::{qr_code, spinner};
use discovery_cli::{
    fail, interrupted, printable, usage, Run, EXIT_API, EXIT_AUTH, EXIT_INTERRUPTED, EXIT_LOCAL,
};

use super::state::Location;

/// The frame's state, in its folder.
const STATE_FILE: &str = ".photoslibrary-frame.json";
const VERSION: u64 = 1;

/// A listing page of 100 items is far below this.
const MAX_PAGE_BYTES: u64 = 4 << 20;

/// The shortest schedule: every round lists the device's items, and a
/// device may list 240 pages a day.
const MIN_EVERY: Duration = Duration::from_secs(5 * 60);

/// How long deleting a device this run created may take after Ctrl-C.
const DELETE_WAIT: Duration = Duration::from_secs(10);

pub fn command() -> Command {
    Command::new("frame")
        .about("Keeps a folder equal to the photos you choose for it in Google Photos (the Ambient API, for photo frames and TVs)")
        .arg(Arg::new("out").long("out").value_name("DIR").required(true).help("The folder to keep: new items are downloaded into it, and the files of items no longer chosen deleted (only files this command wrote)"))
        .arg(Arg::new("name").long("name").value_name("NAME").default_value("photoslibrary frame").help("The device's name in Google Photos (when it is registered)"))
        .arg(Arg::new("every").long("every").value_name("DURATION").value_parser(parse_every).default_value("1h").conflicts_with("once").help("How often to sync (s, m, h or d, e.g. 30m; at least 5m)"))
        .arg(Arg::new("once").long("once").action(ArgAction::SetTrue).help("Sync once and exit (for cron)"))
        .arg(Arg::new("size").long("size").value_name("WxH").value_parser(parse_size).help("Download images at most this size (e.g. 1920x1080) instead of the originals; another size than the last run's downloads the files again"))
        .arg(Arg::new("max-wait").long("max-wait").value_name("DURATION").value_parser(parse_duration).default_value("1h").help("How long to wait for you to choose albums"))
        .arg(Arg::new("forget").long("forget").action(ArgAction::SetTrue).conflicts_with_all(["once", "size"]).help("Deletes the device from your account and forgets it; the files stay"))
        .arg(Arg::new("no-qr").long("no-qr").action(ArgAction::SetTrue).help("Print the settings link without its QR code"))
        .arg(Arg::new("ambient-url").long("ambient-url").env("PHOTOSAMBIENT_BASE_URL").value_name("URL").help("Send Ambient API requests to this URL instead of the API's"))
        .arg(
            Arg::new("jobs")
                .long("jobs")
                .short('j')
                .value_parser(clap::value_parser!(u16).range(1..=16))
                .default_value("4")
                .help("Files transferred at once"),
        )
        .after_help("Needs the Ambient scope: `auth login --scope ambient` (on a machine without a browser: `auth login --device --scope ambient`). The first run registers the device and shows its settings link (and a QR code): choose there which albums it shows. Each round prints a summary; a device may list 240 pages of 100 items a day, so a large selection needs a longer --every. Ctrl-C stops cleanly: what was downloaded stays, and a device registered by this run before albums were chosen is deleted.")
}

/// `30s`, `15m`, `1h`, `2d`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or("give a unit: s, m, h or d (e.g. 30m)")?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a number and a unit"))?;
    let seconds = match unit {
        "s" => Some(number),
        "m" => number.checked_mul(60),
        "h" => number.checked_mul(3600),
        "d" => number.checked_mul(86_400),
        _ => return Err(format!("unknown unit {unit:?}: use s, m, h or d")),
    };
    seconds
        .filter(|s| *s <= 365 * 86_400)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text} is longer than a year"))
}

fn parse_every(text: &str) -> Result<Duration, String> {
    let every = parse_duration(text)?;
    if every < MIN_EVERY {
        return Err(format!(
            "at least {} minutes: each round lists the device's items, {LIST_REQUESTS_PER_DAY} pages a day at most",
            MIN_EVERY.as_secs() / 60
        ));
    }
    Ok(every)
}

/// `1920x1080`.
fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or("give WIDTHxHEIGHT, e.g. 1920x1080")?;
    let side = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=16_384).contains(n))
            .ok_or_else(|| format!("{s:?} is not a size in pixels (1 to 16384)"))
    };
    Ok((side(w)?, side(h)?))
}

/// The folder's state: the device, the request id of a device being
/// registered (kept first, so that a crash before its id is saved is undone
/// on the next run), and the files this command wrote (file name to item id).
#[derive(Debug, Default, PartialEq)]
struct Frame {
    device_id: Option<String>,
    pending_request: Option<String>,
    files: BTreeMap<String, String>,
    /// The `--size` the files were downloaded at (`None`: originals); a
    /// run with another downloads them again.
    size: Option<(u32, u32)>,
}

/// The longest id kept (ids are far shorter; a longer one is refused at
/// intake, so that the state never holds what its reader refuses).
const MAX_ID: usize = 1024;

fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID
}

impl Frame {
    fn location(dir: &Path) -> Location {
        Location {
            dir: dir.to_path_buf(),
            name: STATE_FILE.to_owned(),
            create_dir: false,
        }
    }

    /// The state in `dir` (empty when there is none), read as hostile input:
    /// a name that is not one plain file name in the folder is refused.
    fn load(dir: &Path) -> Result<Frame, String> {
        let location = Frame::location(dir);
        let Some(bytes) = location.read("frame state")? else {
            return Ok(Frame::default());
        };
        parse(&bytes).map_err(|e| {
            format!(
                "the frame state file {} is corrupt ({e}); delete it (the device is then registered again)",
                location.path().display()
            )
        })
    }

    fn save(&self, dir: &Path) -> std::io::Result<()> {
        let value = json!({"version": VERSION, "device_id": self.device_id,
            "pending_request": self.pending_request, "files": self.files, "size": self.size});
        let bytes = serde_json::to_vec_pretty(&value).map_err(std::io::Error::other)?;
        Frame::location(dir).write(&bytes)
    }
}

fn parse(bytes: &[u8]) -> Result<Frame, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if value.get("version").and_then(Value::as_u64) != Some(VERSION) {
        return Err(format!("not version {VERSION}"));
    }
    let id = |name: &str| match value.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) if is_id(id) => Ok(Some(id.clone())),
        Some(_) => Err(format!("{name} is not an id")),
    };
    let device_id = id("device_id")?;
    let pending_request = id("pending_request")?;
    let size = match value.get("size") {
        None | Some(Value::Null) => None,
        Some(size) => Some(
            serde_json::from_value::<(u32, u32)>(size.clone())
                .map_err(|_| "size is not [width, height]".to_owned())?,
        ),
    };
    // Only names this command could have written for their item (one plain
    // name in the folder, carrying a hash of the item's id) are kept: any
    // other entry is not a file of the frame, and is never deleted.
    let files = value
        .get("files")
        .and_then(Value::as_object)
        .ok_or("no \"files\" object")?
        .iter()
        .filter_map(|(name, id)| Some((name, id.as_str().filter(|id| is_id(id))?)))
        .filter(|(name, id)| {
            photoslibrary_v1::files::path_in(Path::new("."), name).is_ok()
                && !name.starts_with('.')
                && photoslibrary_v1::files::is_name_for(name, id)
        })
        .map(|(name, id)| (name.clone(), id.to_owned()))
        .collect();
    Ok(Frame {
        device_id,
        pending_request,
        files,
        size,
    })
}

/// The settings of a run.
struct Sync<'a> {
    client: &'a photosambient_v1::Client,
    out: &'a Path,
    options: Option<(u32, u32)>,
    jobs: usize,
}

pub async fn run(run: &Run<'_, photoslibrary_v1::Client>, m: &ArgMatches) -> Result<(), ExitCode> {
    let mut builder = photosambient_v1::Client::builder()
        .sharing(run.client)
        .max_response_bytes(MAX_PAGE_BYTES);
    if let Some(url) = m.get_one::<String>("ambient-url") {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| fail(&e))?;
    // Known missing, nothing is registered for nothing.
    client
        .check_scopes(
            "photosambient.devices.create",
            &[photosambient_v1::scopes::PHOTOSAMBIENT_MEDIAITEMS],
        )
        .map_err(|e| fail(&e))?;
    let out = PathBuf::from(m.get_one::<String>("out").cloned().unwrap_or_default());
    discovery_cli::files::writable_folder(&out, run.tool)?;
    // One run per folder: two would each register a device.
    let _lock = Frame::location(&out).lock().map_err(|e| usage(&e))?;
    let mut frame = Frame::load(&out).map_err(|e| usage(&e))?;
    if m.get_flag("forget") {
        return forget(&client, &out, frame).await;
    }
    let sync = Sync {
        client: &client,
        out: &out,
        options: m.get_one::<(u32, u32)>("size").copied(),
        jobs: usize::from(*m.get_one::<u16>("jobs").unwrap_or(&4)),
    };
    let max_wait = *m
        .get_one::<Duration>("max-wait")
        .unwrap_or(&Duration::from_secs(3600));
    let name = m.get_one::<String>("name").cloned().unwrap_or_default();
    let every = (!m.get_flag("once")).then(|| {
        *m.get_one::<Duration>("every")
            .unwrap_or(&Duration::from_secs(3600))
    });

    let interrupt = interrupted();
    tokio::pin!(interrupt);
    // The device: the folder's, else a new one (deleted again when this run
    // is stopped before albums were chosen for it).
    let (device, registered) = {
        let mut getting = Box::pin(device(&client, &out, &mut frame, &name));
        tokio::select! {
            device = &mut getting => device?,
            _ = &mut interrupt => {
                // A device being created is waited for (the server may make
                // it all the same) and deleted.
                eprintln!("interrupted");
                let got = tokio::select! {
                    got = tokio::time::timeout(DELETE_WAIT, getting) => got,
                    _ = interrupted() => return Err(ExitCode::from(EXIT_INTERRUPTED)),
                };
                if let Ok(Ok((device, true))) = got {
                    let id = device.id.unwrap_or_default();
                    unregister(&client, &out, &mut frame, &id).await;
                }
                return Err(ExitCode::from(EXIT_INTERRUPTED));
            }
        }
    };
    let id = device.id.clone().unwrap_or_default();
    if device.media_sources_set != Some(true) {
        let waited = tokio::select! {
            waited = choose(&client, &device, max_wait, !m.get_flag("no-qr")) => waited,
            _ = &mut interrupt => {
                eprintln!("interrupted");
                Err(ExitCode::from(EXIT_INTERRUPTED))
            }
        };
        if let Err(code) = waited {
            if registered {
                // A device nobody chose albums for is of no use: removed,
                // so that the user's account does not collect them.
                unregister(&client, &out, &mut frame, &id).await;
            }
            return Err(code);
        }
    }
    let mut round = 0u64;
    let mut warned = false;
    loop {
        round += 1;
        let result = tokio::select! {
            result = sync_round(&sync, &id, &mut frame) => result,
            _ = &mut interrupt => {
                save(&frame, &out);
                eprintln!("interrupted; what was downloaded stays (a partial file is resumed next time)");
                return Err(ExitCode::from(EXIT_INTERRUPTED));
            }
        };
        save(&frame, &out);
        let outcome = match result {
            Ok(summary) => {
                println!("round {round}: {summary}");
                if let (Some(every), false) = (every, warned) {
                    warned = warn_quota(summary.requests, every);
                }
                if !summary.failures.is_empty() {
                    Err(ExitCode::from(if summary.auth {
                        EXIT_AUTH
                    } else {
                        EXIT_API
                    }))
                } else {
                    Ok(())
                }
            }
            Err(e) => {
                eprintln!("round {round}: error: {}", printable(&e.to_string()));
                Err(discovery_cli::exit::exit_code(&e))
            }
        };
        let Some(every) = every else {
            return outcome;
        };
        // A token that no longer works will not work next round either.
        if outcome == Err(ExitCode::from(EXIT_AUTH)) {
            return outcome;
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = &mut interrupt => {
                eprintln!("interrupted");
                return Err(ExitCode::from(EXIT_INTERRUPTED));
            }
        }
    }
}

/// Writes the state, warning when it cannot be written.
fn save(frame: &Frame, out: &Path) {
    if let Err(e) = frame.save(out) {
        eprintln!(
            "warning: cannot write {}: {e}",
            Frame::location(out).path().display()
        );
    }
}

/// Writes the state; a failure ends the command.
fn save_or_stop(frame: &Frame, out: &Path) -> Result<(), ExitCode> {
    frame.save(out).map_err(|e| {
        eprintln!(
            "error: cannot write {}: {e}",
            Frame::location(out).path().display()
        );
        ExitCode::from(EXIT_LOCAL)
    })
}

/// The folder's device if the server still knows it, else a new one (its
/// id saved before anything else is done); `true` when registered now.
async fn device(
    client: &photosambient_v1::Client,
    out: &Path,
    frame: &mut Frame,
    name: &str,
) -> Result<(AmbientDevice, bool), ExitCode> {
    // A registration a crash interrupted: its device, if the server made
    // it, is deleted by its request id.
    if let Some(request) = frame.pending_request.clone() {
        match client.devices().delete(request).send().await {
            Ok(_) => eprintln!("note: removed the device an interrupted run had begun to register"),
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {}
            Err(e) => return Err(fail(&e)),
        }
        frame.pending_request = None;
        save(frame, out);
    }
    if let Some(id) = frame.device_id.clone() {
        match client.get_device(&id).await {
            Ok(device) => return Ok((device, false)),
            Err(Error::Expired { message }) => {
                eprintln!("note: {}", printable(&message));
                frame.device_id = None;
            }
            Err(e) => return Err(fail(&e)),
        }
    }
    let request = photosambient_v1::frames::new_request_id();
    frame.pending_request = Some(request.clone());
    save_or_stop(frame, out)?;
    let device = client
        .create_device_as(name, &request)
        .await
        .map_err(|e| fail(&e))?;
    let id = device.id.clone().filter(|id| is_id(id));
    if id.is_none() {
        let _ = client.devices().delete(request).send().await;
        frame.pending_request = None;
        save(frame, out);
        eprintln!("error: the server gave the new device an id this tool cannot keep");
        return Err(ExitCode::from(EXIT_API));
    }
    frame.device_id = id;
    frame.pending_request = None;
    if let Err(code) = save_or_stop(frame, out) {
        // A device whose id cannot be kept would be registered again on
        // every run: removed now instead.
        let _ = client
            .devices()
            .delete(device.id.clone().unwrap_or_default())
            .send()
            .await;
        return Err(code);
    }
    eprintln!(
        "registered the device {:?} in your Google Photos account",
        printable(device.display_name.as_deref().unwrap_or(name))
    );
    Ok((device, true))
}

/// Shows the settings link and waits until albums are chosen.
async fn choose(
    client: &photosambient_v1::Client,
    device: &AmbientDevice,
    max_wait: Duration,
    qr: bool,
) -> Result<(), ExitCode> {
    let link = client.settings_uri(device).map_err(|e| fail(&e))?;
    eprintln!("Open this link to choose the albums the frame shows (on a phone: scan the code):");
    eprintln!("  {link}");
    if qr {
        match qr_code(link) {
            Some(code) => eprintln!("{code}"),
            None => eprintln!("(the link is too long for a QR code)"),
        }
    }
    let spinner = spinner("waiting for you to choose albums in Google Photos");
    let mut polls = 0u64;
    let id = device.id.clone().unwrap_or_default();
    let waited = client
        .wait_for_media_sources(&id, Some(max_wait), |_| {
            polls += 1;
            spinner.set_message(format!(
                "waiting for you to choose albums in Google Photos ({polls} checks)"
            ));
        })
        .await;
    spinner.finish_and_clear();
    waited.map(drop).map_err(|e| fail(&e))
}

/// Deletes the device this run registered, and forgets it; one that could
/// not be deleted stays in the state (the next run uses it, `--forget`
/// deletes it), so that it is not left behind in the account unknown.
async fn unregister(client: &photosambient_v1::Client, out: &Path, frame: &mut Frame, id: &str) {
    let deleted =
        tokio::time::timeout(DELETE_WAIT, client.devices().delete(id.to_owned()).send()).await;
    match deleted {
        Ok(Ok(_)) => eprintln!("the device registered by this run was deleted"),
        Ok(Err(e)) if e.status().is_some_and(|s| s.as_u16() == 404) => {}
        _ => {
            eprintln!(
                "warning: could not delete the device registered by this run; it stays in {} (the next run uses it, --forget deletes it)",
                Frame::location(out).path().display()
            );
            return;
        }
    }
    frame.device_id = None;
    save(frame, out);
}

/// `--forget`: deletes the device, forgets it, keeps the files.
async fn forget(
    client: &photosambient_v1::Client,
    out: &Path,
    mut frame: Frame,
) -> Result<(), ExitCode> {
    // The device, and one a crash left half-registered (by its request id).
    let known: Vec<String> = frame
        .device_id
        .iter()
        .chain(frame.pending_request.iter())
        .cloned()
        .collect();
    if known.is_empty() {
        println!(
            "no device to forget in {}",
            printable(&out.display().to_string())
        );
        return Ok(());
    }
    for id in known {
        match client.devices().delete(id).send().await {
            Ok(_) => {}
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {}
            Err(e) => return Err(fail(&e)),
        }
    }
    frame.device_id = None;
    frame.pending_request = None;
    save_or_stop(&frame, out)?;
    println!("device deleted and forgotten; the files stay");
    Ok(())
}

/// Warns once when the schedule would list more pages a day than a device
/// may; says whether it warned.
fn warn_quota(requests: u32, every: Duration) -> bool {
    let rounds = 86_400 / every.as_secs().max(1);
    let daily = u64::from(requests).saturating_mul(rounds);
    if daily > u64::from(LIST_REQUESTS_PER_DAY) {
        eprintln!(
            "warning: {requests} list request(s) a round, {rounds} rounds a day: {daily} requests, more than the {LIST_REQUESTS_PER_DAY} a device may make; use a longer --every"
        );
        return true;
    }
    false
}

/// What one round did.
struct Summary {
    downloaded: usize,
    deleted: usize,
    kept: usize,
    auth: bool,
    requests: u32,
    failures: Vec<(String, String)>,
}

impl Summary {
    /// An item of this round that failed, and why.
    fn fail(&mut self, name: String, why: impl Into<String>) {
        self.failures.push((name, why.into()));
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "downloaded {}, deleted {}, kept {}, failed {}; {} list request(s) (of {LIST_REQUESTS_PER_DAY} a day)",
            self.downloaded,
            self.deleted,
            self.kept,
            self.failures.len(),
            self.requests
        )?;
        for (name, reason) in &self.failures {
            write!(f, "\nfailed: {}: {}", printable(name), printable(reason))?;
        }
        Ok(())
    }
}

/// One round: list, delete what is no longer chosen, download what is new.
async fn sync_round(
    sync: &Sync<'_>,
    id: &str,
    frame: &mut Frame,
) -> photosambient_v1::Result<Summary> {
    let mut listing = sync.client.list_device_media(id).await?;
    let mut requests = listing.requests;
    let options = |item: &AmbientMediaItem| match sync.options {
        Some((w, h)) => MediaOptions::sized(w, h),
        None => MediaOptions::original(item),
    };
    let (wanted, refused) = super::distinct_names(
        listing.items.clone(),
        // An id too long to keep is an item without an id.
        |item| item.id.clone().filter(|id| is_id(id)),
        |item| item.local_file_name(&options(item)),
    );
    let mut summary = Summary {
        downloaded: 0,
        deleted: 0,
        kept: 0,
        auth: false,
        requests: 0,
        failures: refused
            .into_iter()
            .map(|(name, why)| (name.unwrap_or_else(|| "(no id)".into()), why.to_owned()))
            .collect(),
    };
    // Files of items no longer chosen: only those this command wrote, and
    // only regular files (a link or a folder put there is left alone).
    // Compared ignoring case: on a file system that ignores it, a recorded
    // `A.JPG` is the wanted `a.jpg`.
    // After a change of --size every file goes: a sized copy and the
    // original (or two sizes) share a name.
    let resized = frame.size != sync.options;
    let names: HashSet<String> = wanted.iter().map(|(name, _)| name.to_lowercase()).collect();
    let gone: Vec<String> = frame
        .files
        .keys()
        .filter(|name| resized || !names.contains(&name.to_lowercase()))
        .cloned()
        .collect();
    for name in gone {
        let Ok(path) = photoslibrary_v1::files::path_in(sync.out, &name) else {
            continue;
        };
        // What an interrupted download of it left goes too.
        if let Err(e) = photoslibrary_v1::files::remove_partial(&path) {
            summary.fail(name, format!("cannot delete its partial download: {e}"));
            continue;
        }
        let removed = match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => std::fs::remove_file(&path).map(|()| true),
            Ok(_) => Ok(false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        };
        match removed {
            Ok(deleted) => {
                summary.deleted += usize::from(deleted);
                frame.files.remove(&name);
            }
            Err(e) => summary.fail(name, format!("cannot delete: {e}")),
        }
    }
    if resized
        && summary
            .failures
            .iter()
            .all(|(name, _)| !frame.files.contains_key(name))
    {
        frame.size = sync.options;
    }
    // New items, a batch at a time: base URLs last an hour, so a listing
    // older than that is renewed before the next batch, and items whose URL
    // was refused anyway are retried once with a renewed listing.
    let batch = sync.jobs.saturating_mul(8).max(1);
    let mut pending: Vec<(String, AmbientMediaItem)> = wanted;
    let mut retried: HashSet<String> = HashSet::new();
    // Each listing costs pages of the device's daily 240: a round lists
    // again at most twice (once for age, once for refused URLs).
    let mut relists = 0u32;
    while !pending.is_empty() {
        if listing.is_stale() {
            match relist(sync, id, &mut relists, &mut requests).await? {
                Some(fresh) => {
                    listing = fresh;
                    refresh(&mut pending, &listing);
                }
                None => {
                    for (name, _) in std::mem::take(&mut pending) {
                        summary.fail(name, LISTED_ENOUGH);
                    }
                    break;
                }
            }
        }
        let rest = pending.split_off(batch.min(pending.len()));
        let now: Vec<(String, AmbientMediaItem)> = std::mem::replace(&mut pending, rest);
        for (name, item) in &now {
            // Recorded before the download: a file of this name is this
            // command's (its name carries a hash of the item's id).
            frame
                .files
                .insert(name.clone(), item.id.clone().unwrap_or_default());
        }
        let results: Vec<_> =
            futures_util::stream::iter(now.into_iter().map(|(name, item)| async move {
                let result = sync
                    .client
                    .download_item_to(&item, &options(&item), sync.out)
                    .await;
                (name, item, result)
            }))
            .buffer_unordered(sync.jobs.max(1))
            .collect()
            .await;
        let mut expired = Vec::new();
        for (name, item, result) in results {
            match result {
                Ok(photoslibrary_v1::files::Downloaded::AlreadyThere { .. }) => summary.kept += 1,
                Ok(_) => summary.downloaded += 1,
                Err(Error::Expired { .. }) if retried.insert(name.clone()) => {
                    expired.push((name, item))
                }
                Err(e) => {
                    summary.auth |= discovery_cli::exit::is_auth(&e);
                    summary.fail(name, e.to_string());
                }
            }
        }
        if !expired.is_empty() {
            match relist(sync, id, &mut relists, &mut requests).await? {
                Some(fresh) => {
                    listing = fresh;
                    refresh(&mut expired, &listing);
                    pending.extend(expired);
                }
                None => {
                    for (name, _) in expired {
                        summary.fail(name, LISTED_ENOUGH);
                    }
                }
            }
        }
    }
    summary.requests = requests;
    Ok(summary)
}

/// Why an item was not downloaded after its round listed twice again.
const LISTED_ENOUGH: &str =
    "not downloaded: its base URL expired, and the round listed the items as often as it may (the next round goes on)";

/// The device's items listed again for fresh base URLs, at most twice a
/// round (`None` past that); a listing that took longer than base URLs
/// last fails the round.
async fn relist(
    sync: &Sync<'_>,
    id: &str,
    relists: &mut u32,
    requests: &mut u32,
) -> photosambient_v1::Result<Option<Listing>> {
    *relists += 1;
    if *relists > 2 {
        return Ok(None);
    }
    let fresh = sync.client.list_device_media(id).await?;
    *requests = requests.saturating_add(fresh.requests);
    if fresh.is_stale() {
        return Err(Error::Expired {
            message:
                "listing the device's items took longer than their base URLs last; try again later"
                    .into(),
        });
    }
    Ok(Some(fresh))
}

/// The items of `pending` with the base URLs of `listing` (matched by id);
/// an item no longer listed is dropped (it was unchosen meanwhile).
fn refresh(pending: &mut Vec<(String, AmbientMediaItem)>, listing: &Listing) {
    let fresh: HashMap<&str, &AmbientMediaItem> = listing
        .items
        .iter()
        .filter_map(|item| Some((item.id.as_deref()?, item)))
        .collect();
    pending.retain_mut(
        |(_, item)| match item.id.as_deref().and_then(|id| fresh.get(id)) {
            Some(new) => {
                *item = (*new).clone();
                true
            }
            None => false,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_parse_strictly() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        for bad in [
            "",
            "5",
            "h",
            "-1h",
            "1 h",
            "1w",
            "99999999999999999999d",
            "400d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_every("4m").is_err());
        assert_eq!(parse_every("5m"), Ok(MIN_EVERY));
        assert_eq!(parse_size("1920x1080"), Ok((1920, 1080)));
        for bad in ["1920", "0x10", "10x", "x10", "99999x1", "ax b"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_state_round_trips_and_keeps_only_names_of_its_items() {
        let mut frame = Frame {
            device_id: Some("DEV".into()),
            ..Default::default()
        };
        let name = photoslibrary_v1::files::unique_file_name("a.jpg", "ID1");
        frame.files.insert(name, "ID1".into());
        let bytes =
            serde_json::to_vec(&json!({"version": 1, "device_id": "DEV", "files": frame.files}))
                .unwrap();
        assert_eq!(parse(&bytes).unwrap(), frame);
        // Names that are not this command's for their item are dropped
        // (never deleted), whatever else the file says.
        for planted in [
            r#"{"version":1,"files":{"../x.jpg":"ID"}}"#,
            r#"{"version":1,"files":{"/etc/passwd":"ID"}}"#,
            r#"{"version":1,"files":{"a/b.jpg":"ID"}}"#,
            r#"{"version":1,"files":{".photoslibrary-frame.json":"ID"}}"#,
            r#"{"version":1,"files":{"..":"ID"}}"#,
            r#"{"version":1,"files":{"a.jpg":""}}"#,
            r#"{"version":1,"files":{"notes.txt":"ID1"}}"#,
            r#"{"version":1,"files":{"a-0011223344556677.jpg":"another id"}}"#,
        ] {
            assert!(
                parse(planted.as_bytes()).unwrap().files.is_empty(),
                "{planted}"
            );
        }
        frame.size = Some((1920, 1080));
        let mut sized = serde_json::from_slice::<Value>(&bytes).unwrap();
        sized["size"] = json!([1920, 1080]);
        assert_eq!(parse(&serde_json::to_vec(&sized).unwrap()).unwrap(), frame);
        for bad in [
            r#"{"version":1,"files":{},"size":"big"}"#,
            r#"{"version":1,"files":{},"size":[1,2,3]}"#,
            r#"{"version":1,"files":{},"size":[-1,5]}"#,
            r#"{"version":1,"device_id":7,"files":{}}"#,
            r#"{"version":2,"files":{}}"#,
            r#"{"version":1}"#,
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
