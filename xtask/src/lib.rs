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
    /// The API's lifecycle data (`generator::Lifecycle`, a JSON file kept
    /// beside its overlay): what changed since the pinned document.
    pub lifecycle: Option<&'static str>,
    /// Other generated libraries a tool's extension uses: package name and
    /// path from the tool's crate (`Options::cli_libraries`).
    pub cli_libraries: &'static [(&'static str, &'static str)],
    /// Top-level commands the tool's extension adds (`Options::cli_commands`).
    pub cli_commands: &'static [&'static str],
}

/// The Photos Library API since 31 March 2025: withdrawn methods, removed
/// scopes, what each method sees and accepts now.
pub const PHOTOS_LIFECYCLE: &str = "generator/overlays/photoslibrary/lifecycle.json";

/// Everything `cargo xtask regenerate` produces.
pub const TARGETS: &[Target] = &[
    Target {
        document: "discovery/photoslibrary.v1.json",
        out_dir: "generated/photoslibrary-v1",
        overlay: Some("generator/overlays/photoslibrary"),
        cli_of: None,
        cli_extension: None,
        lifecycle: Some(PHOTOS_LIFECYCLE),
        cli_libraries: &[],
        cli_commands: &[],
    },
    // The Photos tool's `pick` drives the Picker API's crate.
    Target {
        document: "discovery/photoslibrary.v1.json",
        out_dir: "generated/photoslibrary-v1-cli",
        overlay: Some("generator/overlays/photoslibrary-cli"),
        cli_of: Some("../photoslibrary-v1"),
        cli_extension: Some("extra::Photos"),
        lifecycle: Some(PHOTOS_LIFECYCLE),
        cli_libraries: &[("photospicker-v1", "../photospicker-v1")],
        cli_commands: &["upload", "download", "pick"],
    },
    // The Picker API: how an app reads the photos a user picks in their own
    // library (the Library API sees only what the app created).
    Target {
        document: "discovery/photospicker.v1.json",
        out_dir: "generated/photospicker-v1",
        overlay: Some("generator/overlays/photospicker"),
        cli_of: None,
        cli_extension: None,
        lifecycle: None,
        cli_libraries: &[],
        cli_commands: &[],
    },
    // Exercises media upload and download in the test suite (Photos has neither in its document).
    Target {
        document: "discovery/corpus/drive.v3.json",
        out_dir: "generated/drive-v3",
        overlay: None,
        cli_of: None,
        cli_extension: None,
        lifecycle: None,
        cli_libraries: &[],
        cli_commands: &[],
    },
    // A tool with no hand-written commands: what every API's tool is
    // (`--upload`, `--download` and `--dry-run` are tested on it).
    Target {
        document: "discovery/corpus/drive.v3.json",
        out_dir: "generated/drive-v3-cli",
        overlay: None,
        cli_of: Some("../drive-v3"),
        cli_extension: None,
        lifecycle: None,
        cli_libraries: &[],
        cli_commands: &[],
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

/// Whether `dir` holds a crate the generator wrote (its manifest starts with
/// the `@generated` header), so that writing over it loses nothing.
pub fn is_generated_crate(dir: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return false;
    };
    meta.is_dir()
        && fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|text| text.starts_with("# @generated by "))
}

/// Writes `files` under `dir` (created if needed) and nothing else: no file
/// is removed, and a symlink in the way (the folder, a folder inside it, or
/// the file) is an error or, for the file itself, replaced rather than
/// written through.
pub fn write_files(dir: &Path, files: &[File]) -> io::Result<()> {
    let refuse = |path: &Path| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a symlink; not writing through it", path.display()),
        )
    };
    let is_link = |path: &Path| {
        fs::symlink_metadata(path)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
    };
    if is_link(dir) {
        return Err(refuse(dir));
    }
    fs::create_dir_all(dir)?;
    for file in files {
        let path = dir.join(&file.path);
        let mut folder = dir.to_path_buf();
        if let Some(parent) = Path::new(&file.path).parent() {
            for part in parent.components() {
                folder.push(part);
                if is_link(&folder) {
                    return Err(refuse(&folder));
                }
                if !folder.exists() {
                    fs::create_dir(&folder)?;
                }
            }
        }
        if is_link(&path) {
            fs::remove_file(&path)?;
        }
        fs::write(&path, &file.contents)?;
    }
    Ok(())
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
    let lifecycle = match target.lifecycle {
        Some(path) => {
            let text = fs::read_to_string(root.join(path))
                .map_err(|e| format!("cannot read {path}: {e}"))?;
            generator::Lifecycle::parse(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => generator::Lifecycle::default(),
    };
    let options = Options {
        crate_name: None,
        source: target.document.to_string(),
        command: COMMAND.to_string(),
        overlays,
        overlay_source: target.overlay.map(str::to_string),
        cli_extension: target.cli_extension.map(str::to_string),
        cli_libraries: target
            .cli_libraries
            .iter()
            .map(|(name, path)| (name.to_string(), path.to_string()))
            .collect(),
        cli_commands: target.cli_commands.iter().map(|c| c.to_string()).collect(),
        lifecycle,
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

#[cfg(test)]
mod generated_crate_tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn writing_files_touches_nothing_else_and_no_symlink() {
        let dir = std::env::temp_dir().join(format!("xtask-write-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("target/debug")).unwrap();
        fs::write(dir.join("Cargo.lock"), "lock").unwrap();
        fs::write(dir.join("target/debug/thing"), "built").unwrap();
        let outside = dir.with_extension("outside");
        fs::write(&outside, "precious").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("README.md")).unwrap();
        let files = [
            File {
                path: "README.md".into(),
                contents: "readme".into(),
            },
            File {
                path: "src/lib.rs".into(),
                contents: "// lib".into(),
            },
        ];
        write_files(&dir, &files).unwrap();
        assert_eq!(fs::read_to_string(dir.join("Cargo.lock")).unwrap(), "lock");
        assert_eq!(
            fs::read_to_string(dir.join("target/debug/thing")).unwrap(),
            "built"
        );
        assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
        assert_eq!(fs::read_to_string(dir.join("README.md")).unwrap(), "readme");
        assert_eq!(
            fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
            "// lib"
        );
        // A symlinked folder inside is refused, not written through.
        fs::remove_dir_all(dir.join("src")).unwrap();
        std::os::unix::fs::symlink(std::env::temp_dir(), dir.join("src")).unwrap();
        assert!(write_files(&dir, &files).is_err());
        fs::remove_dir_all(&dir).unwrap();
        fs::remove_file(&outside).unwrap();
    }

    #[test]
    fn only_a_generated_manifest_marks_a_folder_as_replaceable() {
        let dir = std::env::temp_dir().join(format!("xtask-generated-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        assert!(!is_generated_crate(&dir), "a missing folder");
        fs::create_dir_all(&dir).unwrap();
        assert!(!is_generated_crate(&dir), "no manifest");
        fs::write(dir.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
        assert!(!is_generated_crate(&dir), "a hand-written manifest");
        fs::write(
            dir.join("Cargo.toml"),
            "# @generated by `cargo xtask generate` from x.json. Do not edit by hand.\n",
        )
        .unwrap();
        assert!(is_generated_crate(&dir));
        fs::remove_dir_all(&dir).unwrap();
    }
}
