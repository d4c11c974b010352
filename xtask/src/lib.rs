//! The file-system side of regeneration, shared by the `xtask` binary and the
//! freshness tests: which document makes which crate (each crate's
//! `codegen.toml`), and how a generated tree differs from what is on disk;
//! and [`revdiff`], what changed between two revisions of an API.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use generator::{File, Options};

pub mod revdiff;
pub mod update;

/// Where the crates `cargo xtask regenerate` writes live: each folder here
/// with a `codegen.toml` is one.
pub const CRATE_FOLDERS: &[&str] = &["apis", "generated"];

/// The configuration file beside (inside) every crate `regenerate` writes.
pub const CONFIG_FILE: &str = "codegen.toml";

/// What a crate's `codegen.toml` says: which document feeds it and how.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The discovery document, from the workspace root.
    pub document: String,
    /// A library or a command-line tool.
    pub kind: Kind,
    /// The module a hand-written crate mounts the generated code as (its
    /// `lib.rs` or `main.rs` declares it); absent: the whole crate is
    /// generated.
    #[serde(default)]
    pub module: Option<String>,
    /// The API's lifecycle data (`generator::Lifecycle`), from this folder.
    #[serde(default)]
    pub lifecycle: Option<String>,
    /// A whole tool: its library crate's folder, from this folder.
    #[serde(default)]
    pub library: Option<String>,
    /// A tool: the top-level commands its hand-written code adds, which the
    /// generated commands keep clear of.
    #[serde(default)]
    pub commands: Vec<String>,
    /// The tool's binary name (default: the document's name).
    #[serde(default)]
    pub binary: Option<String>,
    /// A whole crate's version (its manifest is generated; a hand-written
    /// crate's is in its own `Cargo.toml`). `cargo xtask update` bumps it.
    #[serde(default)]
    pub version: Option<String>,
    /// Whether a whole crate may be published (default: yes).
    #[serde(default)]
    pub publish: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Library,
    Tool,
}

/// One crate that `cargo xtask regenerate` writes.
#[derive(Debug, Clone)]
pub struct Target {
    /// The crate's folder, relative to the workspace root (`apis/photoslibrary-v1`).
    pub dir: String,
    pub config: Config,
}

impl Target {
    /// The folder whose files `regenerate` owns, relative to the workspace
    /// root: the mounted module's, or the whole crate's.
    pub fn owned_dir(&self) -> String {
        match &self.config.module {
            Some(module) => format!("{}/src/{module}", self.dir),
            None => self.dir.clone(),
        }
    }
}

/// Every crate `cargo xtask regenerate` writes: the folders of
/// [`CRATE_FOLDERS`] that hold a [`CONFIG_FILE`], sorted.
pub fn targets(root: &Path) -> Result<Vec<Target>, String> {
    let mut targets = Vec::new();
    for folder in CRATE_FOLDERS {
        let entries = match fs::read_dir(root.join(folder)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot read {folder}: {e}")),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {folder}: {e}"))?;
            let path = entry.path().join(CONFIG_FILE);
            let text = match fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            };
            let config: Config =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            targets.push(Target {
                dir: format!("{folder}/{name}"),
                config,
            });
        }
    }
    targets.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(targets)
}

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

/// Generates the files of `target` from its document, with paths relative
/// to the crate's folder.
pub fn generate(root: &Path, target: &Target) -> Result<Vec<File>, String> {
    let doc_path = root.join(&target.config.document);
    let text = fs::read_to_string(&doc_path)
        .map_err(|e| format!("cannot read {}: {e}", doc_path.display()))?;
    generate_from(root, target, &text)
}

/// [`generate`] from the document `text` (a revision not yet pinned).
pub fn generate_from(root: &Path, target: &Target, text: &str) -> Result<Vec<File>, String> {
    let config = &target.config;
    let lifecycle = match &config.lifecycle {
        Some(path) => {
            let path = format!("{}/{path}", target.dir);
            let text = fs::read_to_string(root.join(&path))
                .map_err(|e| format!("cannot read {path}: {e}"))?;
            generator::Lifecycle::parse(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => generator::Lifecycle::default(),
    };
    let options = Options {
        source: config.document.clone(),
        command: COMMAND.to_string(),
        module: config.module.clone(),
        cli_binary: config.binary.clone(),
        cli_commands: config.commands.clone(),
        lifecycle,
        version: config
            .version
            .clone()
            .unwrap_or_else(|| Options::default().version),
        publish: config.publish.unwrap_or(true),
        library_version: library_version(root, target)?,
        ..Options::default()
    };
    match config.kind {
        Kind::Tool => {
            let library = config.library.as_deref().unwrap_or("");
            if config.module.is_none() && library.is_empty() {
                return Err(format!(
                    "{}/{CONFIG_FILE}: a whole tool names its `library`",
                    target.dir
                ));
            }
            generator::generate_cli(text, &options, library)
        }
        Kind::Library => generator::generate(text, &options),
    }
    .map_err(|e| format!("{}: {e}", config.document))
}

/// Hand-written crates that are published besides the targets that mount
/// generated code: each carries the licenses too.
pub const RUNTIME_CRATES: &[&str] = &["generator/text", "generator/runtime", "generator/cli"];

/// A crate's folder, the license files it must hold, and how it differs.
pub type LicenseChanges = (PathBuf, Vec<File>, Vec<Change>);

/// How the license files of the crates whose manifests the generator does
/// not write (the runtimes, and the hand-written crates under `apis/`)
/// differ from the repository's: `regenerate` writes them, `--check` and the
/// freshness test compare. A whole generated crate gets them from the
/// generator.
pub fn license_changes(root: &Path, targets: &[Target]) -> io::Result<Vec<LicenseChanges>> {
    let files = generator::emit::license_files();
    let dirs = targets
        .iter()
        .filter(|t| t.config.module.is_some())
        .map(|t| t.dir.as_str())
        .chain(RUNTIME_CRATES.iter().copied());
    let mut out = Vec::new();
    for dir in dirs {
        let dir = root.join(dir);
        let changes: Vec<Change> = diff(&dir, &files)?
            .into_iter()
            .filter(|c| !matches!(c, Change::Extra(_)))
            .collect();
        if !changes.is_empty() {
            out.push((dir, files.clone(), changes));
        }
    }
    Ok(out)
}

/// A whole tool's library's version: its `codegen.toml`'s when the library
/// is generated whole, else its `Cargo.toml`'s.
fn library_version(root: &Path, target: &Target) -> Result<Option<String>, String> {
    let Some(library) = target
        .config
        .library
        .as_deref()
        .filter(|_| target.config.module.is_none())
    else {
        return Ok(None);
    };
    let dir = root.join(&target.dir).join(library);
    if let Ok(text) = fs::read_to_string(dir.join(CONFIG_FILE)) {
        let config: Config =
            toml::from_str(&text).map_err(|e| format!("{library}/{CONFIG_FILE}: {e}"))?;
        if config.module.is_none() {
            return Ok(Some(
                config.version.unwrap_or_else(|| Options::default().version),
            ));
        }
    }
    let text = fs::read_to_string(dir.join("Cargo.toml"))
        .map_err(|e| format!("cannot read {library}/Cargo.toml: {e}"))?;
    let manifest: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{library}/Cargo.toml: {e}"))?;
    Ok(manifest
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned))
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

/// Compares `files` (paths relative to `dir`) with the tree at `dir`; files
/// on disk count only inside `owned` (the whole of `dir`, or the mounted
/// module's folder), and never the crate's [`CONFIG_FILE`].
pub fn diff_owned(dir: &Path, owned: &Path, files: &[File]) -> io::Result<Vec<Change>> {
    let mut changes = diff(dir, files)?;
    changes.retain(|c| match c {
        Change::Extra(path) => path.starts_with(owned) && *path != dir.join(CONFIG_FILE),
        _ => true,
    });
    Ok(changes)
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
