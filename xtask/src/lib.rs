//! The file-system side of regeneration, shared by the `xtask` binary and the
//! freshness tests: which document makes which crate, and how a generated tree
//! differs from what is on disk; and [`revdiff`], what changed between two
//! revisions of an API.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use generator::{File, Options};

pub mod revdiff;

/// One crate that `cargo xtask regenerate` writes.
pub struct Target {
    /// The discovery document, relative to the workspace root.
    pub document: &'static str,
    /// The crate directory, relative to the workspace root.
    pub out_dir: &'static str,
    /// The overlay: a workspace crate of hand-written code for this API (see
    /// ARCHITECTURE.md), relative to the workspace root. Its `src/**/*.rs`
    /// (but its `src/lib.rs`, the overlay crate's own root) and `examples/`
    /// are copied into the generated crate.
    pub overlay: Option<&'static str>,
    /// Generate the command-line tool instead of the library; the library
    /// crate's path relative to this one.
    pub cli_of: Option<&'static str>,
    /// For a command-line tool: the type in its overlay that implements
    /// `support::Extension` (`Options::cli_extension`).
    pub cli_extension: Option<&'static str>,
}

/// Everything `cargo xtask regenerate` produces.
pub const TARGETS: &[Target] = &[
    Target {
        document: "discovery/photoslibrary.v1.json",
        out_dir: "generated/photoslibrary-v1",
        overlay: Some("generator/overlays/photoslibrary"),
        cli_of: None,
        cli_extension: None,
    },
    Target {
        document: "discovery/photoslibrary.v1.json",
        out_dir: "generated/photoslibrary-v1-cli",
        overlay: Some("generator/overlays/photoslibrary-cli"),
        cli_of: Some("../photoslibrary-v1"),
        cli_extension: Some("extra::Photos"),
    },
    // Exercises media upload and download in the test suite (Photos has neither in its document).
    Target {
        document: "discovery/corpus/drive.v3.json",
        out_dir: "generated/drive-v3",
        overlay: None,
        cli_of: None,
        cli_extension: None,
    },
];

pub const COMMAND: &str = "cargo xtask regenerate";

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// The `.json` documents directly in `dir`, sorted; the default folder is
/// `discovery/corpus`.
pub fn documents_in(dir: Option<&str>) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let dir = dir
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("discovery/corpus"));
    let entries = fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut documents: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    documents.sort();
    Ok((dir, documents))
}

/// Generates the files of `target` from its document.
pub fn generate(root: &Path, target: &Target) -> Result<Vec<File>, String> {
    let doc_path = root.join(target.document);
    let text = fs::read_to_string(&doc_path)
        .map_err(|e| format!("cannot read {}: {e}", doc_path.display()))?;
    let overlays = match target.overlay {
        Some(dir) => read_overlay(&root.join(dir))
            .map_err(|e| format!("cannot read the overlay {dir}: {e}"))?,
        None => Vec::new(),
    };
    let options = Options {
        crate_name: None,
        source: target.document.to_string(),
        command: COMMAND.to_string(),
        overlays,
        overlay_source: target.overlay.map(str::to_string),
        cli_extension: target.cli_extension.map(str::to_string),
        ..Options::default()
    };
    match target.cli_of {
        Some(library) => generator::generate_cli(&text, &options, library),
        None => generator::generate(&text, &options),
    }
    .map_err(|e| format!("{}: {e}", target.document))
}

/// The files of the overlay crate at `dir` that are copied into the generated
/// crate, with their paths relative to `dir` (`/`-separated): `src/**/*.rs`
/// but `src/lib.rs` (the overlay crate's root), and `examples/**`. The rest
/// (`Cargo.toml`, `build.rs`, ...) only builds the overlay crate.
fn read_overlay(dir: &Path) -> io::Result<Vec<File>> {
    let mut files = Vec::new();
    for path in list_files(dir)? {
        let rel = path.strip_prefix(dir).expect("listed below dir");
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        let copied = (rel.starts_with("src/") && rel.ends_with(".rs") && rel != "src/lib.rs")
            || rel.starts_with("examples/");
        if copied {
            files.push(File {
                path: rel,
                contents: fs::read_to_string(&path)?,
            });
        }
    }
    Ok(files)
}

/// How a file on disk differs from what the generator writes now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Generated, but not on disk.
    Missing(PathBuf),
    /// On disk with other contents.
    Stale(PathBuf),
    /// On disk, but no longer generated.
    Extra(PathBuf),
}

impl Change {
    pub fn path(&self) -> &Path {
        match self {
            Change::Missing(p) | Change::Stale(p) | Change::Extra(p) => p,
        }
    }
}

/// Compares `files` with the tree at `dir`.
pub fn diff(dir: &Path, files: &[File]) -> io::Result<Vec<Change>> {
    let mut changes = Vec::new();
    let mut wanted = BTreeSet::new();
    for file in files {
        let path = dir.join(&file.path);
        wanted.insert(path.clone());
        match fs::read(&path) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => changes.push(Change::Stale(path)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => changes.push(Change::Missing(path)),
            Err(e) => return Err(e),
        }
    }
    for path in list_files(dir)? {
        if !wanted.contains(&path) {
            changes.push(Change::Extra(path));
        }
    }
    Ok(changes)
}

/// Brings the tree at `dir` in line with `files`: writes what differs, removes
/// what is no longer generated (and directories left empty).
pub fn apply(dir: &Path, files: &[File], changes: &[Change]) -> io::Result<()> {
    for change in changes {
        match change {
            Change::Missing(path) | Change::Stale(path) => {
                let rel = path.strip_prefix(dir).expect("changes are inside dir");
                let file = files
                    .iter()
                    .find(|f| Path::new(&f.path) == rel)
                    .expect("a change names a generated file");
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(path, &file.contents)?;
            }
            Change::Extra(path) => {
                fs::remove_file(path)?;
                let mut parent = path.parent();
                while let Some(p) = parent.filter(|p| *p != dir) {
                    if fs::remove_dir(p).is_err() {
                        break;
                    }
                    parent = p.parent();
                }
            }
        }
    }
    Ok(())
}

/// Every file below `dir`, sorted; none when `dir` does not exist.
fn list_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> File {
        File {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn diff_finds_missing_stale_and_extra_files_and_apply_fixes_them() {
        let dir = std::env::temp_dir().join(format!("xtask-diff-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let files = vec![file("a.rs", "a"), file("src/b.rs", "b")];
        assert_eq!(
            diff(&dir, &files).unwrap(),
            vec![
                Change::Missing(dir.join("a.rs")),
                Change::Missing(dir.join("src/b.rs"))
            ]
        );
        apply(&dir, &files, &diff(&dir, &files).unwrap()).unwrap();
        assert!(diff(&dir, &files).unwrap().is_empty());

        fs::write(dir.join("a.rs"), "edited by hand").unwrap();
        fs::create_dir_all(dir.join("old")).unwrap();
        fs::write(dir.join("old/c.rs"), "no longer generated").unwrap();
        let changes = diff(&dir, &files).unwrap();
        assert_eq!(
            changes,
            vec![
                Change::Stale(dir.join("a.rs")),
                Change::Extra(dir.join("old/c.rs"))
            ]
        );
        apply(&dir, &files, &changes).unwrap();
        assert!(diff(&dir, &files).unwrap().is_empty());
        assert!(!dir.join("old").exists(), "emptied directories are removed");
        fs::remove_dir_all(&dir).unwrap();
    }
}
