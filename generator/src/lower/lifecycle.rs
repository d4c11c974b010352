//! Deprecation and lifecycle notes: those the document gives (a deprecated
//! flag, with the description's sentences that say why), and those an
//! overlay's lifecycle data adds or replaces.

use crate::ir::*;
use crate::Error;

/// What the API's lifecycle data says: deprecations (its note replaces
/// the document's), doc notes and current scopes of methods; removed scopes.
pub(super) fn apply_lifecycle(api: &mut Api, lifecycle: &crate::Lifecycle) -> Result<(), Error> {
    fn walk(
        methods: &mut [Method],
        resources: &mut [Resource],
        id: &str,
        data: &crate::MethodLifecycle,
    ) -> bool {
        let mut found = false;
        for m in methods.iter_mut().filter(|m| m.id == id) {
            if let Some(note) = &data.deprecated {
                m.deprecated = Some(note.clone());
            }
            if let Some(note) = &data.note {
                m.note = Some(note.clone());
            }
            if let Some(scopes) = &data.scopes {
                m.scopes = scopes.clone();
            }
            found = true;
        }
        for r in resources {
            found |= walk(&mut r.methods, &mut r.resources, id, data);
        }
        found
    }
    for (id, data) in &lifecycle.methods {
        if !walk(&mut api.methods, &mut api.resources, id, data) {
            return Err(Error::Lifecycle {
                path: id.clone(),
                message: "the lifecycle data names a method the document does not have".into(),
            });
        }
        for scope in data.scopes.iter().flatten() {
            if !api.scopes.iter().any(|s| &s.url == scope) {
                return Err(Error::Lifecycle {
                    path: format!("{id}.scopes"),
                    message: format!("{scope:?} is not a scope of the document"),
                });
            }
        }
    }
    for (url, note) in &lifecycle.scopes {
        match api.scopes.iter_mut().find(|s| &s.url == url) {
            Some(scope) => scope.deprecated = Some(note.clone()),
            None => {
                return Err(Error::Lifecycle {
                    path: url.clone(),
                    message: "the lifecycle data names a scope the document does not have".into(),
                })
            }
        }
    }
    Ok(())
}

/// `Some(note)` for a deprecated item: the sentences of its description that
/// say why or what to use instead, else a plain note.
pub fn deprecation(deprecated: bool, description: Option<&str>) -> Option<String> {
    deprecated.then(|| deprecation_note(description.unwrap_or("")))
}

/// The longest note taken from a description, in characters.
const MAX_NOTE: usize = 300;

pub fn deprecation_note(description: &str) -> String {
    const HINTS: [&str; 8] = [
        "deprecat",
        "instead",
        "use ",
        "replaced",
        "no longer",
        "removed",
        "obsolete",
        "migrate",
    ];
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut note = String::new();
    for sentence in text.split_inclusive(". ") {
        let lower = sentence.to_lowercase();
        if HINTS.iter().any(|h| lower.contains(h)) {
            note.push_str(sentence);
        }
    }
    let mut note = note.trim();
    // rustdoc and the CLI already say "Deprecated".
    for prefix in ["deprecated:", "deprecated.", "deprecated -", "deprecated,"] {
        if note.len() >= prefix.len()
            && note.is_char_boundary(prefix.len())
            && note[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            note = note[prefix.len()..].trim_start();
            break;
        }
    }
    if note.is_empty() {
        return "Deprecated by the API.".into();
    }
    match note.char_indices().nth(MAX_NOTE) {
        Some((end, _)) => format!("{}...", &note[..end]),
        None => note.to_string(),
    }
}
