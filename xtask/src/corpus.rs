//! `cargo xtask corpus [DIR]`: every discovery document in DIR must generate a
//! crate and a command-line tool that compile without warnings. Prints how
//! long each took to check (library and tool together, as cargo ran them;
//! dependencies already built), and the slowest.

use std::process::ExitCode;
use std::time::Instant;

use xtask::documents_in;

use crate::scratch;

pub fn run(dir: Option<&str>) -> ExitCode {
    let (dir, documents) = match documents_in(dir) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if documents.is_empty() {
        eprintln!("error: no .json documents in {}", dir.display());
        return ExitCode::FAILURE;
    }
    let folder = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "documents".into());
    let scratch::Workspace {
        work,
        crates,
        failed,
    } = match scratch::generate(
        "xtask-corpus",
        "corpus",
        &folder,
        &documents,
        "cargo xtask corpus",
    ) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "checking {} generated crates in {} ...",
        crates.len() * 2,
        work.display()
    );
    let mut failures = 0;
    for (stem, e) in &failed {
        failures += 1;
        println!("generate error {stem:<28} {e}");
    }
    let mut times = Vec::new();
    for c in &crates {
        let start = Instant::now();
        let outcome = scratch::cargo(&work, "check", &[c.lib.clone(), c.cli()]);
        let secs = start.elapsed().as_secs_f64();
        let problem = match outcome {
            Err(e) => Some(format!("    cannot run cargo: {e}")),
            Ok(out) => scratch::problems(&out),
        };
        match problem {
            None => {
                println!(
                    "ok             {:<28} generated in {:>7.1} ms, checked in {secs:>6.1} s",
                    c.stem, c.generate_ms
                );
                times.push((secs, c.stem.clone()));
            }
            Some(e) => {
                failures += 1;
                println!(
                    "compile error  {:<28} checked in {secs:>6.1} s\n{e}",
                    c.stem
                );
            }
        }
    }
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    if !times.is_empty() {
        println!("\nslowest checks (library and tool; only what changed since the last run is checked again):");
        for (secs, stem) in times.iter().take(5) {
            println!("  {secs:>6.1} s  {stem}");
        }
    }
    let total = crates.len() + failed.len();
    println!(
        "\n{} of {total} documents ok, {failures} failed",
        total - failures
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
