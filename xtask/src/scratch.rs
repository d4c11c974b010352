//! A throwaway workspace of generated crates under `target/`: the library
//! and the command-line tool of each document, built with the project's lock
//! file and target directory (so dependencies are built once). `corpus` checks
//! them, `oracle` builds and runs them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use generator::ir::Api;
use generator::Options;
use xtask::{apply, diff, workspace_root};

/// One document's crates in the workspace.
pub struct Crates {
    pub document: PathBuf,
    /// The document's file stem (`drive.v3`).
    pub stem: String,
    /// The library's package name; the tool's is `<lib>-cli`.
    pub lib: String,
    /// The tool's binary name.
    pub bin: String,
    pub api: Api,
    /// How long generating both crates took.
    pub generate_ms: f64,
}

/// A scratch workspace: its folder, the crates that generated, and the
/// documents that did not (`(stem, error)`).
pub struct Workspace {
    pub work: PathBuf,
    pub crates: Vec<Crates>,
    pub failed: Vec<(String, String)>,
}

impl Crates {
    pub fn cli(&self) -> String {
        format!("{}-cli", self.lib)
    }
}

/// Generates the crates of every document into `target/<name>/<folder>`,
/// named `<prefix>-<folder>-<document>`
/// (one workspace per folder of documents, so that two folders do not
/// rebuild each other); documents that fail to generate come back as
/// `(stem, error)`.
pub fn generate(
    name: &str,
    prefix: &str,
    folder: &str,
    documents: &[PathBuf],
    command: &str,
) -> Result<Workspace, String> {
    let root = workspace_root();
    let work = root.join("target").join(name).join(folder);
    let crates_dir = work.join("crates");
    let mut made = Vec::new();
    let mut failed = Vec::new();
    let mut members = Vec::new();
    for doc in documents {
        let stem = doc
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("document")
            .to_string();
        // Unique across workspaces: they share one target directory, where
        // cargo tells path crates apart by their path inside their workspace
        // (the same for two folders' `crates/x`) and binaries by name.
        let lib = format!(
            "{}-{}",
            generator::lower::default_crate_name(&format!("{prefix}-{folder}"), ""),
            generator::lower::default_crate_name(&stem, "")
        );
        let options = Options {
            crate_name: Some(lib.clone()),
            cli_binary: Some(format!("{lib}-cli")),
            source: doc.display().to_string(),
            command: command.into(),
            runtime_path: root.join("generator/runtime").display().to_string(),
            cli_runtime_path: root.join("generator/cli").display().to_string(),
            ..Options::default()
        };
        let start = Instant::now();
        let generated = fs::read_to_string(doc)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|text| {
                let api = generator::to_ir(&text, &options).map_err(|e| e.to_string())?;
                let files = generator::generate(&text, &options).map_err(|e| e.to_string())?;
                let cli = generator::generate_cli(&text, &options, &format!("../{lib}"))
                    .map_err(|e| format!("the CLI: {e}"))?;
                Ok((api, files, cli))
            });
        let generate_ms = start.elapsed().as_secs_f64() * 1000.0;
        let (api, files, cli) = match generated {
            Ok(generated) => generated,
            Err(e) => {
                failed.push((stem, e));
                continue;
            }
        };
        let cli_name = format!("{lib}-cli");
        for (name, files) in [(&lib, &files), (&cli_name, &cli)] {
            let out = crates_dir.join(name);
            diff(&out, files)
                .and_then(|changes| apply(&out, files, &changes))
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            members.push(name.clone());
        }
        let bin = options.cli_binary.clone().unwrap_or_default();
        made.push(Crates {
            document: doc.clone(),
            stem,
            lib,
            bin,
            api,
            generate_ms,
        });
    }
    write_workspace(&root, &work, &crates_dir, &members)
        .map_err(|e| format!("cannot set up {}: {e}", work.display()))?;
    Ok(Workspace {
        work,
        crates: made,
        failed,
    })
}

/// The workspace manifest, with the project's lock file as a starting point
/// (same dependency versions) and its dev profile.
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
        "# Written by `cargo xtask`.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n\n[profile.dev]\ndebug = 0\n",
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

/// The caller's `CARGO_TARGET_DIR` if set (so the scratch crates share its
/// build of the dependencies), else the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// `cargo <subcommand> -p <package>...` in `work` (with short messages but
/// for `clean`).
pub fn cargo(work: &Path, subcommand: &str, packages: &[String]) -> std::io::Result<Output> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.arg(subcommand);
    if subcommand != "clean" {
        command.arg("--message-format=short");
    }
    command.arg("--manifest-path").arg(work.join("Cargo.toml"));
    for p in packages {
        command.arg("-p").arg(p);
    }
    command.env("CARGO_TARGET_DIR", target_dir()).output()
}

/// The errors and warnings of a cargo run (generated code must compile
/// without warnings), or `None` when it succeeded cleanly.
pub fn problems(out: &Output) -> Option<String> {
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
