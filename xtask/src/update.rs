//! `cargo xtask update DOCUMENT NEW.json`: a new revision of a pinned
//! document, with the versions it calls for. The revision diff
//! ([`crate::revdiff`]) between the pinned document and the new one gives
//! the semver verdict; every crate the document feeds gets the version that
//! verdict calls for and a `CHANGELOG.md` entry listing the changes in
//! words; the new document replaces the pinned one (regenerating follows).
//! A reviewer then sees the code diff and, in the changelog, the API diff.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::revdiff::{self, Report, Verdict};
use crate::{targets, Target};

/// One crate's new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bump {
    /// The crate's folder, from the workspace root.
    pub dir: String,
    pub from: String,
    pub to: String,
}

/// The version after `version` that `verdict` calls for, as cargo reads
/// semver: before 1.0 a breaking change bumps the minor number and anything
/// else the patch number; from 1.0 on, major, minor and patch as named.
pub fn next_version(version: &str, verdict: Verdict) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{version:?} is not MAJOR.MINOR.PATCH"))?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!("{version:?} is not MAJOR.MINOR.PATCH"));
    };
    let bumped = match (major, verdict) {
        (0, Verdict::Major) => (0, minor + 1, 0),
        (0, _) => (0, minor, patch + 1),
        (_, Verdict::Major) => (major + 1, 0, 0),
        (_, Verdict::Minor) => (major, minor + 1, 0),
        (_, Verdict::Patch) => (major, minor, patch + 1),
    };
    Ok(format!("{}.{}.{}", bumped.0, bumped.1, bumped.2))
}

/// Replaces the pinned `document` (from the workspace root `root`) with the
/// file `new`, bumps the version of every crate it feeds as the revision
/// diff says, and adds an entry to each one's `CHANGELOG.md`. Every new
/// text is made and checked before any is written: a document that cannot
/// be read, is another API's or the same text, does not generate every
/// crate it feeds (with each one's own options and lifecycle), no crate that
/// uses it, or a manifest whose version cannot be set leaves the tree as it
/// was.
pub fn update(root: &Path, document: &str, new: &Path) -> Result<(Report, Vec<Bump>), String> {
    let fed: Vec<Target> = targets(root)?
        .into_iter()
        .filter(|t| t.config.document == document)
        .collect();
    if fed.is_empty() {
        return Err(format!("no crate's codegen.toml names {document}"));
    }
    let old_text = read(root, document)?;
    let new_text =
        fs::read_to_string(new).map_err(|e| format!("cannot read {}: {e}", new.display()))?;
    if new_text == old_text {
        return Err(format!(
            "{} is the pinned {document}: nothing to update",
            new.display()
        ));
    }
    let (old_api, new_api) = (api_of(&old_text)?, api_of(&new_text)?);
    if old_api != new_api {
        return Err(format!(
            "{} describes {} {}, not {} {}",
            new.display(),
            new_api.0,
            new_api.1,
            old_api.0,
            old_api.1
        ));
    }
    for target in &fed {
        crate::generate_from(root, target, &new_text)
            .map_err(|e| format!("{}: the new revision does not generate: {e}", target.dir))?;
    }
    let report = revdiff::diff_documents(&root.join(document), new)?;
    let mut bumps = Vec::new();
    // Path -> its new text; the root manifest is edited once per crate.
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for target in &fed {
        let from = current_version(root, target)?;
        let to = next_version(&from, report.verdict())?;
        let (path, text) = with_version(root, target, &to)?;
        texts.insert(path, text);
        let manifest = match texts.get("Cargo.toml") {
            Some(text) => text.clone(),
            None => read(root, "Cargo.toml")?,
        };
        texts.insert(
            "Cargo.toml".into(),
            with_dependency_version(&manifest, &target.dir, &to)?,
        );
        let bump = Bump {
            dir: target.dir.clone(),
            from,
            to,
        };
        let changelog = format!("{}/CHANGELOG.md", target.dir);
        texts.insert(
            changelog.clone(),
            with_changelog_entry(root, &changelog, &bump, &report)?,
        );
        bumps.push(bump);
    }
    for (path, text) in &texts {
        write(root, path, text)?;
    }
    fs::write(root.join(document), new_text)
        .map_err(|e| format!("cannot write {document}: {e}"))?;
    Ok((report, bumps))
}

/// A document's `name` and `version`.
fn api_of(text: &str) -> Result<(String, String), String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a discovery document: {e}"))?;
    let field = |key: &str| {
        doc.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("the document has no {key:?}"))
    };
    Ok((field("name")?, field("version")?))
}

/// A whole generated crate's version is its `codegen.toml`'s (its manifest
/// is generated from it); a hand-written crate's is its `Cargo.toml`'s.
fn current_version(root: &Path, target: &Target) -> Result<String, String> {
    if target.config.module.is_none() {
        return Ok(target
            .config
            .version
            .clone()
            .unwrap_or_else(|| generator::Options::default().version));
    }
    let path = format!("{}/Cargo.toml", target.dir);
    package_version(&read(root, &path)?).map_err(|e| format!("{path}: {e}"))
}

/// `[package] version` of a manifest, a literal string.
fn package_version(text: &str) -> Result<String, String> {
    let manifest: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    manifest
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "no literal package.version".into())
}

/// The file that holds the crate's version, with `version` in it; checked
/// by parsing it back.
fn with_version(root: &Path, target: &Target, version: &str) -> Result<(String, String), String> {
    let line = format!("version = \"{version}\"");
    if target.config.module.is_none() {
        let path = format!("{}/{}", target.dir, crate::CONFIG_FILE);
        let text = read(root, &path)?;
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let key = |l: &str| l.split('=').next().is_some_and(|k| k.trim() == "version");
        match lines.iter_mut().find(|l| key(l)) {
            Some(old) => *old = line,
            // Before any table, where a top-level key belongs.
            None => lines.insert(0, line),
        }
        let text = lines.join("\n") + "\n";
        let config: crate::Config = toml::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        if config.version.as_deref() != Some(version) {
            return Err(format!("{path}: the version could not be set"));
        }
        return Ok((path, text));
    }
    // The `version` key of the manifest's [package] table.
    let path = format!("{}/Cargo.toml", target.dir);
    let text = read(root, &path)?;
    let mut table = String::new();
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let trimmed = l.trim();
            if trimmed.starts_with('[') {
                table = trimmed.split(']').next().unwrap_or("").to_owned();
            }
            let is_version = trimmed
                .split('=')
                .next()
                .is_some_and(|k| k.trim() == "version");
            if table == "[package" && !done && is_version {
                done = true;
                return line.clone();
            }
            l.to_owned()
        })
        .collect();
    let text = lines.join("\n") + "\n";
    match package_version(&text) {
        Ok(set) if done && set == version => Ok((path, text)),
        _ => Err(format!("{path}: its [package] version could not be set")),
    }
}

/// The root manifest with the workspace's dependency on the crate at `dir`
/// (`[workspace.dependencies]`, if it has one) asking for `version`.
fn with_dependency_version(text: &str, dir: &str, version: &str) -> Result<String, String> {
    let path = format!("path = \"{dir}\"");
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let Some(at) = l.find("version = \"").filter(|_| l.contains(&path)) else {
                return l.to_owned();
            };
            let start = at + "version = \"".len();
            let Some(len) = l[start..].find('"') else {
                return l.to_owned();
            };
            format!("{}{version}{}", &l[..start], &l[start + len..])
        })
        .collect();
    let text = lines.join("\n") + "\n";
    let manifest = toml::from_str::<toml::Table>(&text).map_err(|e| format!("Cargo.toml: {e}"))?;
    // Checked by reading it back: a dependency on the crate written in
    // another form than the one line edited above would keep its old version.
    let deps = manifest
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table);
    for (name, spec) in deps.into_iter().flatten() {
        let at_dir = spec.get("path").and_then(toml::Value::as_str) == Some(dir);
        let pinned = spec.get("version").and_then(toml::Value::as_str);
        if at_dir && pinned.is_some_and(|v| v != version) {
            return Err(format!(
                "Cargo.toml: the workspace dependency {name} on {dir} is not on one line \
                 with its path and version; set its version to {version} by hand"
            ));
        }
    }
    Ok(text)
}

/// The crate's `CHANGELOG.md` (made if needed) with the entry on top.
fn with_changelog_entry(
    root: &Path,
    path: &str,
    bump: &Bump,
    report: &Report,
) -> Result<String, String> {
    const TITLE: &str = "# Changelog\n";
    let old = match fs::read_to_string(root.join(path)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TITLE.to_owned(),
        Err(e) => return Err(format!("cannot read {path}: {e}")),
    };
    let rest = old.strip_prefix(TITLE).unwrap_or(&old).trim_start();
    Ok(format!("{TITLE}\n{}\n{rest}", entry(bump, report)))
}

/// A changelog entry: the version, the revisions and the verdict, then each
/// change to the public API in words.
pub fn entry(bump: &Bump, report: &Report) -> String {
    let rev = |r: &Option<String>| r.clone().unwrap_or_else(|| "(none)".into());
    let mut out = format!(
        "## {}\n\nThe discovery document went from revision {} to {}: a {} change \
         (`cargo xtask diff`).\n",
        bump.to,
        rev(&report.old_revision),
        rev(&report.new_revision),
        report.verdict().as_str(),
    );
    if report.changes.is_empty() {
        out.push_str("\nNo change to the public API.\n");
    } else {
        out.push('\n');
        for change in &report.changes {
            out.push_str(&format!(
                "- {}: {} `{}`\n",
                match change.level {
                    revdiff::Level::Breaking => "breaking",
                    revdiff::Level::Minor => "added",
                    revdiff::Level::Patch => "changed",
                },
                change.what,
                change.subject
            ));
        }
    }
    out
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    fs::read_to_string(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
}

fn write(root: &Path, path: &str, text: &str) -> Result<(), String> {
    fs::write(root.join(path), text).map_err(|e| format!("cannot write {path}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revdiff::fixture::{edited, BASE};

    #[test]
    fn versions_follow_cargos_semver() {
        let next = |v: &str, verdict| next_version(v, verdict).unwrap();
        assert_eq!(next("0.1.0", Verdict::Major), "0.2.0");
        assert_eq!(next("0.1.3", Verdict::Minor), "0.1.4");
        assert_eq!(next("0.1.3", Verdict::Patch), "0.1.4");
        assert_eq!(next("1.2.3", Verdict::Major), "2.0.0");
        assert_eq!(next("1.2.3", Verdict::Minor), "1.3.0");
        assert_eq!(next("1.2.3", Verdict::Patch), "1.2.4");
        for bad in ["", "1.2", "1.2.3.4", "a.b.c", "1.2.x"] {
            assert!(next_version(bad, Verdict::Patch).is_err(), "{bad}");
        }
    }

    /// A workspace with the document feeding a hand-written crate (its own
    /// manifest, a workspace dependency on it) and a whole generated one.
    fn workspace(name: &str) -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-update-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in ["discovery", "apis/demo-v1", "generated/demo-v1-cli"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        fs::write(root.join("discovery/demo.v1.json"), BASE).unwrap();
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = []\n\n[workspace.dependencies]\ndemo-v1 = { path = \"apis/demo-v1\", version = \"0.3.1\" }\nother = { path = \"apis/other\", version = \"9.9.9\" }\n",
        )
        .unwrap();
        fs::write(
            root.join("apis/demo-v1/Cargo.toml"),
            "[package]\nname = \"demo-v1\"\nversion = \"0.3.1\"\n\n[dependencies]\nx = { version = \"1\" }\n",
        )
        .unwrap();
        fs::write(
            root.join("apis/demo-v1/codegen.toml"),
            "document = \"discovery/demo.v1.json\"\nkind = \"library\"\nmodule = \"generated\"\n",
        )
        .unwrap();
        fs::write(
            root.join("generated/demo-v1-cli/codegen.toml"),
            "document = \"discovery/demo.v1.json\"\nkind = \"tool\"\nlibrary = \"../../apis/demo-v1\"\nversion = \"0.3.1\"\n",
        )
        .unwrap();
        root
    }

    #[test]
    fn a_breaking_revision_bumps_each_crate_and_says_why_in_its_changelog() {
        let root = workspace("breaking");
        // `items.delete` goes: breaking.
        let new_doc = root.join("new.json");
        let newer = edited(&[
            (r#""revision": "20240101""#, r#""revision": "20250101""#),
            (r#""delete": {"#, r#""remove": {"#),
        ]);
        fs::write(&new_doc, &newer).unwrap();
        let (report, bumps) = update(&root, "discovery/demo.v1.json", &new_doc).unwrap();
        assert_eq!(report.verdict(), Verdict::Major, "{}", report.render());
        assert_eq!(
            bumps,
            [
                Bump {
                    dir: "apis/demo-v1".into(),
                    from: "0.3.1".into(),
                    to: "0.4.0".into()
                },
                Bump {
                    dir: "generated/demo-v1-cli".into(),
                    from: "0.3.1".into(),
                    to: "0.4.0".into()
                },
            ]
        );
        let text = |path: &str| fs::read_to_string(root.join(path)).unwrap();
        assert!(text("apis/demo-v1/Cargo.toml").contains("version = \"0.4.0\"\n"));
        assert!(text("apis/demo-v1/Cargo.toml").contains("x = { version = \"1\" }"));
        assert!(text("generated/demo-v1-cli/codegen.toml").contains("version = \"0.4.0\"\n"));
        let root_manifest = text("Cargo.toml");
        assert!(
            root_manifest.contains("demo-v1 = { path = \"apis/demo-v1\", version = \"0.4.0\" }")
        );
        assert!(root_manifest.contains("other = { path = \"apis/other\", version = \"9.9.9\" }"));
        assert_eq!(text("discovery/demo.v1.json"), newer);
        let changelog = text("apis/demo-v1/CHANGELOG.md");
        assert!(
            changelog.starts_with("# Changelog\n\n## 0.4.0\n"),
            "{changelog}"
        );
        assert!(changelog.contains("from revision 20240101 to 20250101: a major change"));
        assert!(changelog.contains("- breaking: "), "{changelog}");
        assert!(changelog.contains("items.delete"), "{changelog}");

        // A second, description-only revision: a patch, above the first.
        let newest = newer.replace(r#""revision": "20250101""#, r#""revision": "20250202""#);
        fs::write(&new_doc, &newest).unwrap();
        let (report, bumps) = update(&root, "discovery/demo.v1.json", &new_doc).unwrap();
        assert_eq!(report.verdict(), Verdict::Patch);
        assert_eq!(bumps[0].to, "0.4.1");
        let changelog = text("apis/demo-v1/CHANGELOG.md");
        assert!(
            changelog.starts_with("# Changelog\n\n## 0.4.1\n"),
            "{changelog}"
        );
        assert!(changelog.contains("No change to the public API."));
        assert!(changelog.find("## 0.4.1").unwrap() < changelog.find("## 0.4.0").unwrap());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_manifest_whose_version_cannot_be_set_leaves_the_tree_as_it_was() {
        let root = workspace("unsettable");
        // The version comes from the workspace: nothing literal to bump.
        fs::write(
            root.join("apis/demo-v1/Cargo.toml"),
            "[package]\nname = \"demo-v1\"\nversion.workspace = true\n",
        )
        .unwrap();
        let new_doc = root.join("new.json");
        fs::write(&new_doc, edited(&[(r#""delete": {"#, r#""remove": {"#)])).unwrap();
        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(update(&root, "discovery/demo.v1.json", &new_doc).is_err());
        assert_eq!(
            fs::read_to_string(root.join("Cargo.toml")).unwrap(),
            manifest
        );
        assert_eq!(
            fs::read_to_string(root.join("discovery/demo.v1.json")).unwrap(),
            BASE
        );
        assert!(
            !fs::read_to_string(root.join("generated/demo-v1-cli/codegen.toml"))
                .unwrap()
                .contains("0.4.0")
        );
        assert!(!root.join("generated/demo-v1-cli/CHANGELOG.md").exists());
        let _ = fs::remove_dir_all(&root);
    }

    /// The same text, another API's document, or one that does not generate
    /// a crate it feeds (its lifecycle names a method the revision drops):
    /// refused, and nothing is written.
    #[test]
    fn a_revision_that_is_not_one_is_refused_before_anything_is_written() {
        let root = workspace("refused");
        fs::write(
            root.join("apis/demo-v1/codegen.toml"),
            "document = \"discovery/demo.v1.json\"\nkind = \"library\"\nmodule = \"generated\"\nlifecycle = \"lifecycle.json\"\n",
        )
        .unwrap();
        fs::write(
            root.join("apis/demo-v1/lifecycle.json"),
            r#"{"methods": {"demo.items.delete": {"deprecated": "Going."}}}"#,
        )
        .unwrap();
        let new_doc = root.join("new.json");
        let untouched = |root: &Path| {
            assert_eq!(
                fs::read_to_string(root.join("discovery/demo.v1.json")).unwrap(),
                BASE
            );
            assert!(fs::read_to_string(root.join("Cargo.toml"))
                .unwrap()
                .contains("version = \"0.3.1\""));
            assert!(!root.join("apis/demo-v1/CHANGELOG.md").exists());
        };
        let cases = [
            (BASE.to_string(), "nothing to update"),
            (
                edited(&[(r#""name": "demo""#, r#""name": "other""#)]),
                "describes other v1, not demo v1",
            ),
            (
                edited(&[(
                    r#""id": "demo.items.delete""#,
                    r#""id": "demo.items.erase""#,
                )]),
                "does not generate",
            ),
        ];
        for (text, why) in cases {
            fs::write(&new_doc, &text).unwrap();
            let error = update(&root, "discovery/demo.v1.json", &new_doc).unwrap_err();
            assert!(error.contains(why), "{why}: {error}");
            untouched(&root);
        }
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn nothing_is_written_when_the_new_document_does_not_lower() {
        let root = workspace("bad");
        let new_doc = root.join("new.json");
        fs::write(&new_doc, "{ not json").unwrap();
        assert!(update(&root, "discovery/demo.v1.json", &new_doc).is_err());
        assert!(update(&root, "discovery/other.json", &new_doc).is_err());
        assert_eq!(
            fs::read_to_string(root.join("discovery/demo.v1.json")).unwrap(),
            BASE
        );
        assert!(!root.join("apis/demo-v1/CHANGELOG.md").exists());
        let _ = fs::remove_dir_all(&root);
    }
}
