//! `pick`: the user picks photos and videos in their own Google Photos (the
//! Picker API), and the tool downloads them into a folder (or only lists
//! them). The link and its QR code, the spinner and the progress go to
//! standard error, so that standard output holds only results.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use futures_util::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use photospicker_v1::models::PickedMediaItem;
use photospicker_v1::picking::{MediaOptions, Picking, MAX_ITEMS};

use super::auth::printable;
use crate::support::{self, Output};

/// The exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells use.
const EXIT_INTERRUPTED: u8 = 130;

pub fn command() -> Command {
    Command::new("pick")
        .about("Lets you pick photos and videos in your own Google Photos (a link and a QR code), then downloads them into a folder")
        .arg(Arg::new("out").long("out").value_name("DIR").required_unless_present("list").help("The folder the picked items are downloaded into"))
        .arg(Arg::new("max").long("max").value_name("N").value_parser(clap::value_parser!(u32).range(1..=i64::from(MAX_ITEMS))).help("The most items you may pick (default and at most 2000)"))
        .arg(Arg::new("list").long("list").action(ArgAction::SetTrue).conflicts_with("out").help("Only list the picked items (with -o json-lines, one per line), download nothing"))
        .arg(Arg::new("no-qr").long("no-qr").action(ArgAction::SetTrue).help("Print the link without its QR code"))
        .arg(Arg::new("picker-url").long("picker-url").env("PHOTOSPICKER_BASE_URL").value_name("URL").help("Send Picker API requests to this URL instead of the API's"))
        .arg(
            Arg::new("jobs")
                .long("jobs")
                .short('j')
                .value_parser(clap::value_parser!(u16).range(1..=16))
                .default_value("4")
                .help("Files transferred at once"),
        )
        .after_help("Needs the Picker scope (`auth login` asks for it by default). The link and its QR code, the spinner and the progress go to standard error; the summary, or with --list the items, to standard output. The session is deleted when the tool is done, also after an error or Ctrl-C. Files already in DIR (from an earlier pick of the same items) are kept and not fetched again.")
}

pub async fn run(
    library: &photoslibrary_v1::Client,
    m: &ArgMatches,
    output: Output,
) -> Result<(), ExitCode> {
    let mut builder = photospicker_v1::Client::builder().sharing(library);
    if let Some(url) = m.get_one::<String>("picker-url") {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| fail(&e))?;
    let max = m.get_one::<u32>("max").copied();
    let mut picking = client.start_picking(max).await.map_err(|e| fail(&e))?;
    show_link(picking.picker_uri(), !m.get_flag("no-qr"));

    // Every way out below goes through `finish`, which deletes the session;
    // Ctrl-C too.
    let work = pick_and_fetch(&mut picking, m, output);
    let result = tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("interrupted");
            Err(ExitCode::from(EXIT_INTERRUPTED))
        }
    };
    finish(picking, result).await
}

/// Waits for the picking, then lists or downloads the items.
async fn pick_and_fetch(
    picking: &mut Picking,
    m: &ArgMatches,
    output: Output,
) -> Result<(), ExitCode> {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message("waiting for you to finish picking in Google Photos");
    spinner.enable_steady_tick(Duration::from_millis(120));
    let mut polls = 0u64;
    let waited = picking
        .wait(|_| {
            polls += 1;
            spinner.set_message(format!(
                "waiting for you to finish picking in Google Photos ({polls} checks)"
            ));
        })
        .await;
    spinner.finish_and_clear();
    waited.map_err(|e| fail(&e))?;

    let items: Vec<PickedMediaItem> = picking.items().try_collect().await.map_err(|e| fail(&e))?;
    eprintln!("{} item(s) picked", items.len());
    if m.get_flag("list") {
        let mut header = None;
        for item in &items {
            support::print(
                output,
                &serde_json::to_value(item).unwrap_or_default(),
                &mut header,
            );
        }
        return Ok(());
    }
    let out = PathBuf::from(m.get_one::<String>("out").cloned().unwrap_or_default());
    let jobs = usize::from(*m.get_one::<u16>("jobs").unwrap_or(&4));
    download(picking, items, &out, jobs).await
}

async fn download(
    picking: &Picking,
    items: Vec<PickedMediaItem>,
    out: &std::path::Path,
    jobs: usize,
) -> Result<(), ExitCode> {
    tokio::fs::create_dir_all(out)
        .await
        .map_err(|e| support::usage(&format!("cannot create {}: {e}", out.display())))?;
    // Each id once; two ids whose names clash (even ignoring case) are
    // refused rather than written over each other.
    let mut seen = HashSet::new();
    let mut names = HashMap::new();
    let mut failed: Vec<(String, String, bool)> = Vec::new();
    let mut todo = Vec::new();
    for item in items {
        let Some(id) = item.id.clone() else {
            failed.push(("(no id)".into(), "the item has no id".into(), false));
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(name) = item.local_file_name() else {
            failed.push((id, "the item has no id".into(), false));
            continue;
        };
        if names.insert(name.to_lowercase(), id.clone()).is_some() {
            failed.push((name, "another item has the same file name".into(), false));
            continue;
        }
        todo.push((name, item));
    }

    let bar = ProgressBar::with_draw_target(Some(todo.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{wide_bar} {pos}/{len} items {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let fetch_all = |todo: Vec<(String, PickedMediaItem)>| {
        let bar = &bar;
        futures_util::stream::iter(todo.into_iter().map(move |(name, item)| async move {
            let result = picking
                .download_to(&item, &MediaOptions::original(&item), out)
                .await;
            (name, item, result)
        }))
        .buffer_unordered(jobs.max(1))
        .inspect(move |(_, _, result)| {
            // An expired URL is tried again below: not done yet.
            if !matches!(result, Err(photospicker_v1::Error::Expired { .. })) {
                bar.inc(1);
            }
        })
        .collect::<Vec<_>>()
    };
    let mut results = fetch_all(todo).await;
    // Base URLs last 60 minutes: the items whose URL was refused are listed
    // again for fresh ones and tried once more.
    let expired: Vec<String> = results
        .iter()
        .filter(|(_, _, r)| matches!(r, Err(photospicker_v1::Error::Expired { .. })))
        .filter_map(|(_, item, _)| item.id.clone())
        .collect();
    if !expired.is_empty() {
        let fresh: Vec<PickedMediaItem> =
            picking.items().try_collect().await.map_err(|e| fail(&e))?;
        let mut fresh: HashMap<String, PickedMediaItem> = fresh
            .into_iter()
            .filter_map(|item| item.id.clone().map(|id| (id, item)))
            .collect();
        let mut again = Vec::new();
        results.retain_mut(|(name, item, _)| {
            let id = item.id.clone().unwrap_or_default();
            match expired.contains(&id).then(|| fresh.remove(&id)).flatten() {
                Some(item) => {
                    again.push((std::mem::take(name), item));
                    false
                }
                None => true,
            }
        });
        let retried = fetch_all(again).await;
        results.extend(retried);
    }
    bar.finish_and_clear();
    let mut downloaded = 0;
    let mut skipped = 0;
    for (name, _, result) in results {
        match result {
            Ok(photoslibrary_v1::files::Downloaded::AlreadyThere { .. }) => skipped += 1,
            Ok(_) => downloaded += 1,
            Err(e) => {
                let auth = matches!(e, photospicker_v1::Error::Auth(_))
                    || e.status().is_some_and(|s| s.as_u16() == 401);
                failed.push((name, e.to_string(), auth));
            }
        }
    }
    println!(
        "downloaded {downloaded}, skipped {skipped} (already there), failed {} into {}",
        failed.len(),
        printable(&out.display().to_string())
    );
    for (name, reason, _) in &failed {
        println!("failed: {}: {}", printable(name), printable(reason));
    }
    match (failed.is_empty(), failed.iter().any(|(_, _, auth)| *auth)) {
        (true, _) => Ok(()),
        (false, true) => Err(ExitCode::from(support::EXIT_AUTH)),
        (false, false) => Err(ExitCode::from(support::EXIT_API)),
    }
}

/// Deletes the session whatever happened; a failed delete is reported but
/// does not hide the run's own result.
async fn finish(picking: Picking, result: Result<(), ExitCode>) -> Result<(), ExitCode> {
    let id = picking.id().to_owned();
    match picking.delete().await {
        Ok(()) => eprintln!("picking session deleted"),
        Err(e) => {
            eprintln!(
                "warning: could not delete the picking session {}: {}",
                printable(&id),
                printable(&e.to_string())
            );
            if result.is_ok() {
                return Err(fail(&e));
            }
        }
    }
    result
}

/// Prints the link, and its QR code for a phone, on standard error.
fn show_link(uri: &str, qr: bool) {
    eprintln!("Open this link to pick photos and videos (on a phone: scan the code):");
    eprintln!("  {uri}");
    if qr {
        match qr_code(uri) {
            Some(code) => eprintln!("{code}"),
            None => eprintln!("(the link is too long for a QR code)"),
        }
    }
}

/// `text` as a QR code in Unicode half blocks (two rows per line) with the
/// standard quiet zone, drawn for the usual light-on-dark terminal: dark
/// modules are left blank, light ones are blocks (phone cameras also read
/// the inverted code a dark-on-light terminal shows).
pub(crate) fn qr_code(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

fn fail(error: &photospicker_v1::Error) -> ExitCode {
    // The two libraries share the runtime, so their errors are the same type.
    support::fail(error)
}
