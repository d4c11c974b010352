//! `cargo xtask bench [DIR]`: generation time of the Photos document and of
//! every document in DIR (default discovery/corpus), split into the four
//! stages. Run it in release for real figures:
//! `cargo run --release -p xtask -- bench`.

use std::fs;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use generator::{discovery, emit, format, lower, Options};
use xtask::{documents_in, workspace_root};

pub fn run(dir: Option<&str>) -> ExitCode {
    let root = workspace_root();
    let mut documents = vec![root.join("discovery/photoslibrary.v1.json")];
    match documents_in(dir) {
        Ok((_, rest)) => documents.extend(rest),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    if cfg!(debug_assertions) {
        println!(
            "note: a debug build; for real figures run `cargo run --release -p xtask -- bench`\n"
        );
    }
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "document (median, ms)", "parse", "lower", "emit", "format", "total", "generate", "runs"
    );
    println!("{:<28} {:>49} {:>9}", "", "(one core, by stage)", "(all)");
    let mut sums = [Duration::ZERO; 6];
    for doc in &documents {
        let name = doc
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let text = match fs::read_to_string(doc) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", doc.display());
                return ExitCode::FAILURE;
            }
        };
        match measure(&text) {
            Ok((stages, whole, runs)) => {
                let total: Duration = stages.iter().sum();
                for (sum, d) in sums.iter_mut().zip(stages.iter().chain([&total, &whole])) {
                    *sum += *d;
                }
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                println!(
                    "{name:<28} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {runs:>6}",
                    ms(stages[0]),
                    ms(stages[1]),
                    ms(stages[2]),
                    ms(stages[3]),
                    ms(total),
                    ms(whole)
                );
            }
            Err(e) => println!("{name:<28} error: {e}"),
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<28} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
        "sum",
        ms(sums[0]),
        ms(sums[1]),
        ms(sums[2]),
        ms(sums[3]),
        ms(sums[4]),
        ms(sums[5])
    );
    whole_folder(&root)
}

/// Every document under `discovery/` (Photos, corpus, current), each
/// generated as a library and a command-line tool, on every core: the wall
/// time of the whole folder, median of three runs.
fn whole_folder(root: &std::path::Path) -> ExitCode {
    let mut paths = Vec::new();
    let mut dirs = vec![root.join("discovery")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => dirs.push(path),
                Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "json") => {
                    paths.push(path)
                }
                _ => {}
            }
        }
    }
    paths.sort();
    let mut texts = Vec::new();
    for path in &paths {
        match fs::read_to_string(path) {
            Ok(text) => texts.push(text),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    for with_cli in [false, true] {
        match folder_time(&texts, threads, with_cli) {
            Some((wall, files)) => println!(
                "every document under discovery/, {}: {} documents, {files} files, {:.0} ms wall on {threads} threads (median of 3)",
                if with_cli { "library and CLI" } else { "library" },
                paths.len(),
                wall.as_secs_f64() * 1000.0
            ),
            None => {
                eprintln!("error: a document under discovery/ failed to generate");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// The median wall time of generating every text (and its CLI when
/// `with_cli`) on `threads` threads, and the number of files; `None` if one
/// fails.
fn folder_time(texts: &[String], threads: usize, with_cli: bool) -> Option<(Duration, usize)> {
    let options = Options::default();
    let mut times = Vec::new();
    let mut files = 0usize;
    for _ in 0..3 {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let count = std::sync::atomic::AtomicUsize::new(0);
        let failed = std::sync::atomic::AtomicUsize::new(0);
        let t = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(text) = texts.get(i) else { break };
                    let lib = generator::generate(text, &options);
                    let cli = if with_cli {
                        generator::generate_cli(text, &options, "../lib")
                    } else {
                        Ok(Vec::new())
                    };
                    match (lib, cli) {
                        (Ok(a), Ok(b)) => {
                            count
                                .fetch_add(a.len() + b.len(), std::sync::atomic::Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        times.push(t.elapsed());
        files = count.into_inner();
        if failed.into_inner() > 0 {
            return None;
        }
    }
    times.sort();
    Some((times[1], files))
}

/// Median time of each stage over repeated runs (at least 3, up to 30 or
/// about a second), and of the whole `generate` (which emits and formats on
/// all cores).
fn measure(text: &str) -> Result<([Duration; 4], Duration, usize), generator::Error> {
    let options = Options::default();
    let mut samples: [Vec<Duration>; 5] = Default::default();
    let started = Instant::now();
    while samples[0].len() < 3
        || (samples[0].len() < 30 && started.elapsed() < Duration::from_secs(1))
    {
        let t = Instant::now();
        let doc = discovery::Document::parse(text)?;
        samples[0].push(t.elapsed());
        let t = Instant::now();
        let api = lower::lower(&doc, &options)?;
        samples[1].push(t.elapsed());
        let t = Instant::now();
        let sources = emit::crate_sources(&api, &options)?;
        samples[2].push(t.elapsed());
        let t = Instant::now();
        let files = format::files(sources, &options)?;
        samples[3].push(t.elapsed());
        std::hint::black_box(files);
        let t = Instant::now();
        std::hint::black_box(generator::generate(text, &options)?);
        samples[4].push(t.elapsed());
    }
    let runs = samples[0].len();
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let stages = [
        median(&mut samples[0]),
        median(&mut samples[1]),
        median(&mut samples[2]),
        median(&mut samples[3]),
    ];
    Ok((stages, median(&mut samples[4]), runs))
}
