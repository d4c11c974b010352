//! `cargo xtask corpus [DIR]`: every discovery document in DIR must generate a
//! crate and a command-line tool that compile without warnings.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use generator::Options;
use xtask::{apply, diff, documents_in, workspace_root};

enum Outcome {
    Ok,
    GenerateError(String),
    CompileError(String),
}

pub fn run(dir: Option<&str>) -> ExitCode {
    let root = workspace_root();
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

    // One workspace per folder, so checking two folders does not rebuild both.
    let folder = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    let work = root
        .join("target/xtask-corpus")
        .join(folder.unwrap_or_else(|| "documents".into()));
    let crates_dir = work.join("crates");
    let mut members = Vec::new();
    let mut results: Vec<(String, Outcome, f64, String)> = Vec::new();
    for doc in &documents {
        let stem = doc
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("document")
            .to_string();
        let crate_name = format!("corpus-{}", generator::lower::default_crate_name(&stem, ""));
        let options = Options {
            crate_name: Some(crate_name.clone()),
            source: doc.display().to_string(),
            command: "cargo xtask corpus".into(),
            runtime_path: workspace_root()
                .join("generator/runtime")
                .display()
                .to_string(),
            ..Options::default()
        };
        let start = Instant::now();
        // The library, and the command-line tool beside it.
        let cli_name = format!("{crate_name}-cli");
        let generated = fs::read_to_string(doc)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|text| {
                let lib = generator::generate(&text, &options).map_err(|e| e.to_string())?;
                let cli = generator::generate_cli(&text, &options, &format!("../{crate_name}"))
                    .map_err(|e| format!("the CLI: {e}"))?;
                Ok((lib, cli))
            });
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        match generated {
            Err(e) => results.push((stem, Outcome::GenerateError(e), ms, crate_name)),
            Ok((lib, cli)) => {
                for (name, files) in [(&crate_name, &lib), (&cli_name, &cli)] {
                    let out = crates_dir.join(name);
                    if let Err(e) =
                        diff(&out, files).and_then(|changes| apply(&out, files, &changes))
                    {
                        eprintln!("error: cannot write {}: {e}", out.display());
                        return ExitCode::FAILURE;
                    }
                    members.push(name.clone());
                }
                results.push((stem, Outcome::Ok, ms, crate_name));
            }
        }
    }
    if let Err(e) = write_workspace(&root, &work, &crates_dir, &members) {
        eprintln!("error: cannot set up {}: {e}", work.display());
        return ExitCode::FAILURE;
    }

    println!(
        "checking {} generated crates in {} ...",
        members.len(),
        work.display()
    );
    for (_, outcome, _, crate_name) in results.iter_mut() {
        if matches!(outcome, Outcome::Ok) {
            if let Some(error) = cargo_check(&root, &work, crate_name) {
                *outcome = Outcome::CompileError(error);
            }
        }
    }

    let mut failures = 0;
    for (stem, outcome, ms, _) in &results {
        match outcome {
            Outcome::Ok => println!("ok             {stem:<28} generated in {ms:>7.1} ms"),
            Outcome::GenerateError(e) => {
                failures += 1;
                println!("generate error {stem:<28} {e}");
            }
            Outcome::CompileError(e) => {
                failures += 1;
                println!("compile error  {stem:<28} generated in {ms:>7.1} ms\n{e}");
            }
        }
    }
    println!(
        "\n{} of {} documents ok, {failures} failed",
        results.len() - failures,
        results.len()
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A throwaway workspace of the generated crates, with the project's lock file
/// as a starting point (same dependency versions) and its dev profile.
fn write_workspace(
    root: &Path,
    work: &Path,
    crates_dir: &Path,
    members: &[String],
) -> std::io::Result<()> {
    fs::create_dir_all(crates_dir)?;
    // Drop crates of documents no longer in the folder.
    for entry in fs::read_dir(crates_dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !members.contains(&name) {
            fs::remove_dir_all(entry.path())?;
        }
    }
    let list: Vec<String> = members
        .iter()
        .map(|m| format!("    \"crates/{m}\","))
        .collect();
    let manifest = format!(
        "# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n\n[profile.dev]\ndebug = 0\n",
        list.join("\n")
    );
    fs::write(work.join("Cargo.toml"), manifest)?;
    let lock = work.join("Cargo.lock");
    if !lock.exists() {
        if let Ok(text) = fs::read_to_string(root.join("Cargo.lock")) {
            fs::write(lock, text)?;
        }
    }
    Ok(())
}

/// The caller's `CARGO_TARGET_DIR` if set (so the corpus shares its build of
/// the dependencies), else the workspace's `target/`.
fn target_dir(root: &Path) -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// `cargo check` of one library and its tool; the first errors when it fails.
fn cargo_check(root: &Path, work: &Path, crate_name: &str) -> Option<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .arg("check")
        .arg("--message-format=short")
        .arg("--manifest-path")
        .arg(work.join("Cargo.toml"))
        .arg("-p")
        .arg(crate_name)
        .arg("-p")
        .arg(format!("{crate_name}-cli"))
        .env("CARGO_TARGET_DIR", target_dir(root))
        .output();
    let out = match output {
        Err(e) => return Some(format!("    cannot run cargo: {e}")),
        Ok(out) => out,
    };
    // Generated code must compile without warnings too.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let problems: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains(": error") || l.contains(": warning") || l.starts_with("error"))
        .take(8)
        .map(|l| format!("    {l}"))
        .collect();
    match (out.status.success(), problems.is_empty()) {
        (true, true) => None,
        (false, true) => Some(format!("    {}", stderr.trim())),
        _ => Some(problems.join("\n")),
    }
}
