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
use photospicker_v1::models::PickedMediaItem;
use photospicker_v1::picking::{MediaOptions, Picking, MAX_ITEMS};

// The two libraries share the runtime, so their errors are the same type.
use discovery_cli::progress::{bar, qr_code, spinner};
use discovery_cli::{fail, interrupted, printable, usage, Output, Run, EXIT_INTERRUPTED};

/// The largest listing page read (a page of 100 items is some 100 KiB).
const MAX_PAGE_BYTES: u64 = 4 << 20;

/// How long the session's deletion may take at the end.
const DELETE_WAIT: Duration = Duration::from_secs(10);

/// How many times items whose base URL expired are listed again and retried.
const REFRESH_ROUNDS: usize = 5;

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

pub async fn run(run: &Run<'_, photoslibrary_v1::Client>, m: &ArgMatches) -> Result<(), ExitCode> {
    let (library, output) = (run.client, run.output);
    // A listing page of 100 items is far below this: a hostile server cannot
    // fill memory with a few huge pages.
    let mut builder = photospicker_v1::Client::builder()
        .sharing(library)
        .max_response_bytes(MAX_PAGE_BYTES);
    if let Some(url) = m.get_one::<String>("picker-url") {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| fail(&e))?;
    // Known missing, the user is not sent to pick for nothing.
    client
        .check_scopes(
            "photospicker.sessions.create",
            &[photospicker_v1::scopes::PHOTOSPICKER_MEDIAITEMS_READONLY],
        )
        .map_err(|e| fail(&e))?;
    // The folder is checked before the user spends time picking.
    let out = m.get_one::<String>("out").map(PathBuf::from);
    if let Some(out) = &out {
        discovery_cli::files::writable_folder(out, run.tool)?;
    }
    let max = m.get_one::<u32>("max").copied();

    // Interrupts are caught from here on: a session being created is waited
    // for (the server may make it all the same) and deleted, one that exists
    // goes through `finish`, which deletes it.
    let interrupt = interrupted();
    tokio::pin!(interrupt);
    let create = client.start_picking(max);
    tokio::pin!(create);
    let mut picking = tokio::select! {
        created = &mut create => created.map_err(|e| fail(&e))?,
        _ = &mut interrupt => {
            eprintln!("interrupted");
            let created = tokio::select! {
                created = tokio::time::timeout(DELETE_WAIT, create) => created,
                _ = interrupted() => return Err(ExitCode::from(EXIT_INTERRUPTED)),
            };
            if let Ok(Ok(picking)) = created {
                return finish(picking, Err(ExitCode::from(EXIT_INTERRUPTED))).await;
            }
            return Err(ExitCode::from(EXIT_INTERRUPTED));
        }
    };
    show_link(picking.picker_uri(), !m.get_flag("no-qr"));
    let work = pick_and_fetch(&mut picking, out.as_deref(), m, output);
    let result = tokio::select! {
        result = work => result,
        _ = &mut interrupt => {
            eprintln!("interrupted");
            Err(ExitCode::from(EXIT_INTERRUPTED))
        }
    };
    finish(picking, result).await
}

/// Waits for the picking, then lists or downloads the items.
async fn pick_and_fetch(
    picking: &mut Picking,
    out: Option<&std::path::Path>,
    m: &ArgMatches,
    output: Output,
) -> Result<(), ExitCode> {
    let spinner = spinner("waiting for you to finish picking in Google Photos");
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
        let mut printer = discovery_cli::output::Printer::new(output);
        for item in &items {
            printer.print(&serde_json::to_value(item).unwrap_or_default());
        }
        return Ok(());
    }
    let Some(out) = out else {
        return Err(usage("give --out DIR or --list"));
    };
    let jobs = usize::from(*m.get_one::<u16>("jobs").unwrap_or(&4));
    download(picking, items, out, jobs).await
}

async fn download(
    picking: &Picking,
    items: Vec<PickedMediaItem>,
    out: &std::path::Path,
    jobs: usize,
) -> Result<(), ExitCode> {
    let (todo, refused) = super::distinct_names(
        items,
        |item| item.id.clone(),
        PickedMediaItem::local_file_name,
    );
    let mut failed: Vec<(String, String, bool)> = refused
        .into_iter()
        .map(|(name, why)| {
            (
                name.unwrap_or_else(|| "(no id)".into()),
                why.to_owned(),
                false,
            )
        })
        .collect();

    let bar = bar(todo.len() as u64, "{wide_bar} {pos}/{len} items {msg}");
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
    // again for fresh ones and retried, while that makes progress.
    let is_expired =
        |r: &photospicker_v1::Result<_>| matches!(r, Err(photospicker_v1::Error::Expired { .. }));
    for _ in 0..REFRESH_ROUNDS {
        let expired: HashSet<String> = results
            .iter()
            .filter(|(_, _, r)| is_expired(r))
            .filter_map(|(_, item, _)| item.id.clone())
            .collect();
        if expired.is_empty() {
            break;
        }
        let mut fresh: HashMap<String, PickedMediaItem> =
            match picking.items().try_collect::<Vec<_>>().await {
                Ok(items) => items
                    .into_iter()
                    .filter_map(|item| item.id.clone().map(|id| (id, item)))
                    .filter(|(id, _)| expired.contains(id))
                    .collect(),
                Err(e) => {
                    eprintln!(
                        "warning: cannot list the items again: {}",
                        printable(&e.to_string())
                    );
                    break;
                }
            };
        let mut again = Vec::new();
        results.retain_mut(|(name, item, result)| {
            let id = item.id.clone().unwrap_or_default();
            match is_expired(result).then(|| fresh.remove(&id)).flatten() {
                Some(item) => {
                    again.push((std::mem::take(name), item));
                    false
                }
                None => true,
            }
        });
        if again.is_empty() {
            break;
        }
        let retried = fetch_all(again).await;
        let progress = retried.iter().any(|(_, _, r)| !is_expired(r));
        results.extend(retried);
        if !progress {
            break;
        }
    }
    bar.finish_and_clear();
    let mut downloaded = 0;
    let mut skipped = 0;
    for (name, _, result) in results {
        match result {
            Ok(photoslibrary_v1::files::Downloaded::AlreadyThere { .. }) => skipped += 1,
            Ok(_) => downloaded += 1,
            Err(e) => {
                let auth = discovery_cli::exit::is_auth(&e);
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
    super::exit_for(failed.is_empty(), failed.iter().any(|(_, _, auth)| *auth))
}

/// Deletes the session whatever happened, within [`DELETE_WAIT`] and unless
/// interrupted again. A failed delete is a warning: the session expires on
/// the server anyway, and the run's own result stands.
async fn finish(picking: Picking, result: Result<(), ExitCode>) -> Result<(), ExitCode> {
    let id = printable(picking.id());
    let delete = tokio::time::timeout(DELETE_WAIT, picking.delete());
    let outcome = tokio::select! {
        outcome = delete => outcome,
        _ = interrupted() => {
            eprintln!("warning: the picking session {id} was not deleted (interrupted); it expires on its own");
            return result;
        }
    };
    match outcome {
        Ok(Ok(())) => eprintln!("picking session deleted"),
        Ok(Err(e)) => eprintln!(
            "warning: could not delete the picking session {id} ({}); it expires on its own",
            printable(&e.to_string())
        ),
        Err(_) => eprintln!(
            "warning: deleting the picking session {id} took longer than {} s; it expires on its own",
            DELETE_WAIT.as_secs()
        ),
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
