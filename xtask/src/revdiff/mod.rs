//! `cargo xtask diff OLD.json NEW.json`: what changed between two revisions of
//! one API as the generated crate sees it, each change classified for semver.
//!
//! The comparison is of the two IRs, not the JSON: a change the generator does
//! not turn into code (a description, `readOnly`, a parameter's `default`, the
//! revision) is no change. Each rule says which generated item it is about
//! (see `generator/src/emit/`).
//!
//! Three levels:
//! - **breaking**: code that compiled against the old crate may not compile,
//!   or a call that worked now fails before it is sent;
//! - **minor**: something new (or newly deprecated: adding `#[deprecated]` is
//!   a minor change in Rust's semver rules);
//! - **patch**: the public items are the same but what goes on the wire is not
//!   (a verb, a path, a base URL, scopes, a pattern check).

mod bodies;
mod common;
#[cfg(test)]
pub(crate) mod fixture;
mod methods;
mod params;
mod root;
mod types;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use generator::ir::Api;
use generator::Options;

use methods::{methods_of, resources_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Breaking,
    Minor,
    Patch,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Breaking => "breaking",
            Level::Minor => "minor",
            Level::Patch => "patch",
        }
    }
}

/// One change: `what` (e.g. `field added`) and the thing it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub level: Level,
    pub what: String,
    pub subject: String,
}

/// The semver bump a set of changes calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Major,
    Minor,
    Patch,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Major => "major",
            Verdict::Minor => "minor",
            Verdict::Patch => "patch",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    /// `calendar v3`, or `old -> new` when the name or version differ.
    pub api: String,
    pub old_revision: Option<String>,
    pub new_revision: Option<String>,
    /// Sorted by level, then kind of change, then subject.
    pub changes: Vec<Change>,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level == level).count()
    }

    pub fn verdict(&self) -> Verdict {
        if self.count(Level::Breaking) > 0 {
            Verdict::Major
        } else if self.count(Level::Minor) > 0 {
            Verdict::Minor
        } else {
            Verdict::Patch
        }
    }

    /// The header, one line per change, and the verdict.
    pub fn render(&self) -> String {
        let rev = |r: &Option<String>| r.clone().unwrap_or_else(|| "(none)".into());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: revision {} -> {}",
            self.api,
            rev(&self.old_revision),
            rev(&self.new_revision)
        );
        for c in &self.changes {
            let _ = writeln!(out, "{:<10}{}: {}", c.level.as_str(), c.what, c.subject);
        }
        if self.changes.is_empty() {
            let _ = writeln!(out, "verdict: patch (no change to the public API)");
        } else {
            let _ = writeln!(
                out,
                "verdict: {} ({} breaking, {} minor, {} patch)",
                self.verdict().as_str(),
                self.count(Level::Breaking),
                self.count(Level::Minor),
                self.count(Level::Patch)
            );
        }
        out
    }
}

/// Compares two revisions of one API, one concern after another: the crate
/// root and its scopes (`root`), the resources and then the methods with
/// their parameters and bodies (`methods`, `params`, `bodies`), then the
/// models (`types`). That order is only the order of discovery: the changes
/// are sorted on all they hold, so the report does not depend on it.
pub fn diff_apis(old: &Api, new: &Api) -> Report {
    let consts = |api: &Api| {
        api.scopes
            .iter()
            .map(|s| (s.url.clone(), s.const_name.clone()))
            .collect()
    };
    let mut d = Diff {
        changes: Vec::new(),
        old_scopes: consts(old),
        new_scopes: consts(new),
    };
    d.api(old, new);
    d.scopes(&old.scopes, &new.scopes);
    d.resources(&resources_of(old), &resources_of(new));
    d.methods(&methods_of(old), &methods_of(new));
    d.types(&old.types, &new.types);
    let mut changes = d.changes;
    changes.sort();
    let who = |a: &Api| format!("{} {}", a.name, a.version);
    let api = if who(old) == who(new) {
        who(new)
    } else {
        format!("{} -> {}", who(old), who(new))
    };
    Report {
        api,
        old_revision: old.revision.clone(),
        new_revision: new.revision.clone(),
        changes,
    }
}

struct Diff {
    changes: Vec<Change>,
    /// Scope URL -> constant name, of each revision.
    old_scopes: BTreeMap<String, String>,
    new_scopes: BTreeMap<String, String>,
}

impl Diff {
    fn push(&mut self, level: Level, what: &str, subject: impl Into<String>) {
        self.changes.push(Change {
            level,
            what: what.to_string(),
            subject: subject.into(),
        });
    }

    /// `#[deprecated]` on an item present in both revisions. A changed note
    /// only changes the warning's text, so it is not reported.
    fn deprecation(
        &mut self,
        kind: &str,
        subject: &str,
        old: &Option<String>,
        new: &Option<String>,
    ) {
        match (old.is_some(), new.is_some()) {
            (false, true) => self.push(Level::Minor, &format!("{kind} deprecated"), subject),
            // Removing the attribute breaks no code: existing uses lose a warning.
            (true, false) => self.push(
                Level::Minor,
                &format!("{kind} no longer deprecated"),
                subject,
            ),
            _ => {}
        }
    }
}

/// Reads and lowers both documents (default `Options`) and compares them.
/// The error names the file that cannot be read or lowered.
pub fn diff_documents(old: &Path, new: &Path) -> Result<Report, String> {
    let lower = |path: &Path| -> Result<Api, String> {
        let text =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        generator::to_ir(&text, &Options::default()).map_err(|e| format!("{}: {e}", path.display()))
    };
    Ok(diff_apis(&lower(old)?, &lower(new)?))
}

#[cfg(test)]
mod tests {
    use super::fixture::{edited, report, BASE};
    use super::*;

    #[test]
    fn descriptions_and_revision_only_is_patch() {
        let r = report(&edited(&[
            (r#""revision": "20240101""#, r#""revision": "20250101""#),
            ("A demo API.", "The demo API."),
            ("An item.", "One item."),
            ("Its name.", "The item's name."),
            ("Gets an item.", "Returns one item."),
            (
                r#""enumDescriptions": ["On.", "Off."]"#,
                r#""enumDescriptions": ["Lit.", "Dark."]"#,
            ),
        ]));
        assert!(r.changes.is_empty(), "{}", r.render());
        assert_eq!(r.verdict(), Verdict::Patch);
        assert_eq!(
            r.render(),
            "demo v1: revision 20240101 -> 20250101\nverdict: patch (no change to the public API)\n"
        );
    }

    #[test]
    fn unreadable_or_invalid_documents_are_errors() {
        let dir = std::env::temp_dir().join(format!("xtask-revdiff-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        let bad = dir.join("bad.json");
        fs::write(&good, BASE).unwrap();
        fs::write(&bad, r#"{"kind": "discovery#restDescription", "name": 3}"#).unwrap();
        assert!(diff_documents(&good, &good).is_ok());
        let e = diff_documents(&good, &bad).unwrap_err();
        assert!(e.starts_with(&format!("{}: ", bad.display())), "{e}");
        let e = diff_documents(&dir.join("missing.json"), &good).unwrap_err();
        assert!(e.starts_with("cannot read "), "{e}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
