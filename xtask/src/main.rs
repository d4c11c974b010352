//! `cargo xtask <command>`: project automation.

use std::process::ExitCode;

mod bench;
mod checktime;
mod corpus;
mod oracle;
mod scratch;

use xtask::{apply, diff_owned, generate, revdiff, targets, workspace_root, Change, COMMAND};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  regenerate           write the generated code of every crate with a codegen.toml
                       (apis/*, generated/*) from its discovery document
  regenerate --check   write nothing; fail listing each stale, missing or extra file
  generate DOC DIR     generate the client crate of any discovery document DOC into
                       DIR/<name>-<version> and its command-line tool into
                       DIR/<name>-<version>-cli (`cargo run` there runs the tool);
                       an existing folder is replaced only if it was generated
  corpus [DIR]         generate a crate for every discovery document in DIR
                       (default discovery/corpus) into target/corpus and
                       `cargo check` each; fails if any does not generate or compile
  oracle [DOC|DIR]...  for every method of every document (default: all of discovery/),
                       compare the request the generated tool builds with the one
                       Google's Python client builds (ORACLE_PYTHON must import
                       googleapiclient); fails on any undocumented difference
  bench [DIR]          time parse, lower, emit and format for the Photos document and
                       every document in DIR (for real figures:
                       `cargo run --release -p xtask -- bench`)
  bench-check [DOC...] lines generated and `cargo check` time (clean, and after touching
                       the tool's main.rs) of the library and tool of each document
                       (default: the five largest under discovery/)
  update DOC NEW.json   replace the pinned document DOC (e.g. discovery/photoslibrary.v1.json)
                       with a new revision: the revision diff's verdict bumps the version of
                       every crate DOC feeds and adds a CHANGELOG.md entry with the changes,
                       then the code is regenerated
  diff OLD.json NEW.json
                       what changed between two revisions of one API in the
                       generated crate's public API, each change marked breaking,
                       minor or patch, and the semver verdict (exit 1 if a document
                       cannot be read or lowered)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["regenerate"] => regenerate(false),
        ["regenerate", "--check"] => regenerate(true),
        ["corpus"] => corpus::run(None),
        ["generate", doc, dir] if !doc.starts_with('-') && !dir.starts_with('-') => {
            generate_any(doc, dir)
        }
        ["bench"] => bench::run(None),
        ["bench-check", rest @ ..] if rest.iter().all(|a| !a.starts_with('-')) => {
            checktime::run(rest)
        }
        ["bench", dir] if !dir.starts_with('-') => bench::run(Some(dir)),
        ["corpus", dir] if !dir.starts_with('-') => corpus::run(Some(dir)),
        ["oracle", rest @ ..] if rest.iter().all(|a| !a.starts_with('-')) => oracle::run(rest),
        ["diff", old, new] if !old.starts_with('-') && !new.starts_with('-') => {
            revision_diff(old, new)
        }
        ["update", doc, new] if !doc.starts_with('-') && !new.starts_with('-') => update(doc, new),
        [] => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
        other => {
            eprintln!("unknown arguments: {}\n", other.join(" "));
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn revision_diff(old: &str, new: &str) -> ExitCode {
    match revdiff::diff_documents(old.as_ref(), new.as_ref()) {
        Ok(report) => {
            print!("{}", report.render());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask update DOC NEW.json`: the new revision, the versions and
/// changelog entries it calls for, then the regenerated code.
fn update(doc: &str, new: &str) -> ExitCode {
    let root = workspace_root();
    match xtask::update::update(&root, doc, new.as_ref()) {
        Ok((report, bumps)) => {
            print!("{}", report.render());
            for bump in &bumps {
                println!("{}: {} -> {} (CHANGELOG.md)", bump.dir, bump.from, bump.to);
            }
            regenerate(false)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask generate DOC DIR`: the library and CLI crates of any
/// document, depending on this checkout's runtime by absolute path.
fn generate_any(doc: &str, dir: &str) -> ExitCode {
    let text = match std::fs::read_to_string(doc) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {doc}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = generator::Options {
        source: doc.to_string(),
        command: format!("cargo xtask generate {doc} {dir}"),
        runtime_path: workspace_root()
            .join("generator/runtime")
            .display()
            .to_string(),
        cli_runtime_path: workspace_root().join("generator/cli").display().to_string(),
        ..generator::Options::default()
    };
    let api = match generator::to_ir(&text, &options) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("error: {doc}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lib_name = api.crate_name.clone();
    let cli_name = format!("{lib_name}-cli");
    let crates = [
        (lib_name.clone(), generator::generate(&text, &options)),
        (
            cli_name,
            generator::generate_cli(&text, &options, &format!("../{lib_name}")),
        ),
    ];
    // Both folders are checked before either is written: never replace a
    // folder this command did not write.
    let mut outputs = Vec::new();
    for (name, files) in crates {
        let files = match files {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: {doc}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let out = std::path::Path::new(dir).join(&name);
        let present = std::fs::symlink_metadata(&out).is_ok();
        if present && !xtask::is_generated_crate(&out) {
            eprintln!(
                "error: {} exists and is not a generated crate; not touching it",
                out.display()
            );
            return ExitCode::FAILURE;
        }
        outputs.push((out, files));
    }
    for (out, files) in outputs {
        // Only the generated files are written (through no symlink); nothing
        // else in the folder (`Cargo.lock`, `target/`, the user's files) is
        // touched, so a file an older revision generated may stay behind.
        if let Err(e) = xtask::write_files(&out, &files) {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {} ({} files)", out.display(), files.len());
    }
    ExitCode::SUCCESS
}

fn regenerate(check: bool) -> ExitCode {
    let root = workspace_root();
    let targets = match targets(&root) {
        Ok(targets) => targets,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for target in &targets {
        let files = match generate(&root, target) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: {}: {e}", target.dir);
                return ExitCode::FAILURE;
            }
        };
        let dir = root.join(&target.dir);
        let changes = match diff_owned(&dir, &root.join(target.owned_dir()), &files) {
            Ok(changes) => changes,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        };
        for change in &changes {
            let rel = change
                .path()
                .strip_prefix(&root)
                .unwrap_or(change.path())
                .display()
                .to_string();
            let what = match change {
                Change::Missing(_) => "missing",
                Change::Stale(_) => "stale",
                Change::Extra(_) => "extra",
            };
            if check {
                eprintln!("{what}: {rel}");
            } else {
                eprintln!(
                    "{}: {rel}",
                    if what == "extra" { "removed" } else { "wrote" }
                );
            }
        }
        stale += changes.len();
        if !check {
            if let Err(e) = apply(&dir, &files, &changes) {
                eprintln!("error: cannot write {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
            eprintln!(
                "{}: {} files, {} changed",
                target.dir,
                files.len(),
                changes.len()
            );
        }
    }
    // The licenses of the crates whose manifests are hand-written.
    match xtask::license_changes(&root, &targets) {
        Ok(licenses) => {
            for (dir, files, changes) in licenses {
                for change in &changes {
                    let rel = change.path().strip_prefix(&root).unwrap_or(change.path());
                    match check {
                        true => eprintln!("stale: {}", rel.display()),
                        false => eprintln!("wrote: {}", rel.display()),
                    }
                }
                stale += changes.len();
                if !check {
                    if let Err(e) = apply(&dir, &files, &changes) {
                        eprintln!("error: cannot write {}: {e}", dir.display());
                        return ExitCode::FAILURE;
                    }
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    if check && stale > 0 {
        eprintln!("\n{stale} generated file(s) out of date: run `{COMMAND}`");
        return ExitCode::FAILURE;
    }
    if check {
        eprintln!("generated code is up to date");
    }
    ExitCode::SUCCESS
}
