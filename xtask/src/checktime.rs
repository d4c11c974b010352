//! `cargo xtask bench-check [DOC...]`: how long rustc takes over what the
//! generator emits, for the largest documents (default: Compute from
//! `discovery/corpus`, Healthcare, Apigee, DFA Reporting and Dataplex from
//! `discovery/current`). Per document: the lines of the library and of the
//! tool, `cargo check` of both from clean (their dependencies already
//! built), and of the tool alone after its `main.rs` is touched. A
//! benchmark, not a test: the figures go to BENCHMARKS.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use xtask::workspace_root;

use crate::scratch;

const LARGEST: &[&str] = &[
    "discovery/corpus/compute.v1.json",
    "discovery/current/healthcare.v1.json",
    "discovery/current/apigee.v1.json",
    "discovery/current/dfareporting.v4.json",
    "discovery/current/dataplex.v1.json",
];

pub fn run(args: &[&str]) -> ExitCode {
    let documents: Vec<PathBuf> = if args.is_empty() {
        LARGEST.iter().map(|d| workspace_root().join(d)).collect()
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let scratch::Workspace {
        work,
        crates,
        failed,
    } = match scratch::generate(
        "xtask-bench-check",
        "bench",
        "largest",
        &documents,
        "cargo xtask bench-check",
    ) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (stem, e) in &failed {
        eprintln!("error: {stem}: {e}");
    }
    if !failed.is_empty() {
        return ExitCode::FAILURE;
    }
    // Dependencies first, so that only the generated crates are timed.
    let all: Vec<String> = crates
        .iter()
        .flat_map(|c| [c.lib.clone(), c.cli()])
        .collect();
    eprintln!("checking once to build the dependencies ...");
    if let Err(e) = scratch::cargo(&work, "check", &all) {
        eprintln!("error: cannot run cargo: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "| document | methods | library lines | tool lines | check, library + tool, clean | check, tool alone, clean | check, tool after touching main.rs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for c in &crates {
        let both = [c.lib.clone(), c.cli()];
        let tool = [c.cli()];
        let clean_check = |packages: &[String]| -> Result<f64, String> {
            clean(&work, packages)?;
            let start = Instant::now();
            let out = scratch::cargo(&work, "check", packages).map_err(|e| e.to_string())?;
            let secs = start.elapsed().as_secs_f64();
            match scratch::problems(&out) {
                Some(problem) => Err(format!("{} does not check cleanly\n{problem}", c.stem)),
                None => Ok(secs),
            }
        };
        let timed = clean_check(&both).and_then(|both| Ok((both, clean_check(&tool)?)));
        let (both_secs, tool_secs) = match timed {
            Ok(times) => times,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let main = work.join("crates").join(c.cli()).join("src/main.rs");
        let touched = std::fs::File::options()
            .append(true)
            .open(&main)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        if let Err(e) = touched {
            eprintln!("error: cannot touch {}: {e}", main.display());
            return ExitCode::FAILURE;
        }
        let start = Instant::now();
        let _ = scratch::cargo(&work, "check", &tool);
        let touch = start.elapsed().as_secs_f64();
        let lines = |name: &str| count_lines(&work.join("crates").join(name));
        println!(
            "| {} | {} | {} | {} | {both_secs:.1} s | {tool_secs:.1} s | {touch:.1} s |",
            c.stem,
            c.api.all_methods().len(),
            lines(&c.lib),
            lines(&c.cli()),
        );
    }
    ExitCode::SUCCESS
}

/// `cargo clean -p` of `packages`, and their incremental caches, which
/// `cargo clean -p` keeps (a library's crate has the package's name, a
/// tool's binary here the tool package's).
fn clean(work: &std::path::Path, packages: &[String]) -> Result<(), String> {
    let out = scratch::cargo(work, "clean", packages).map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "cargo clean: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let prefixes: Vec<String> = packages
        .iter()
        .map(|p| format!("{}-", p.replace('-', "_")))
        .collect();
    let incremental = scratch::target_dir().join("debug/incremental");
    for entry in std::fs::read_dir(&incremental)
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| name.starts_with(p)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

/// Lines of the `.rs` files under `dir`.
fn count_lines(dir: &std::path::Path) -> usize {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                total += std::fs::read_to_string(&path).map_or(0, |t| t.lines().count());
            }
        }
    }
    total
}
