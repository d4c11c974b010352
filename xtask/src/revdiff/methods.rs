//! Resources and their methods: the accessors, handles, builders and stub
//! methods, and what a method sends where (verb, path, scopes). Parameters
//! and bodies have modules of their own.

use std::collections::{BTreeMap, BTreeSet};

use generator::ir::{Api, Method, Resource};

use super::common::{dep_note, keyed, split};
use super::{Diff, Level};

impl Diff {
    /// Resources: an accessor on the parent, a module and a handle type.
    pub(super) fn resources(
        &mut self,
        old: &BTreeMap<String, &Resource>,
        new: &BTreeMap<String, &Resource>,
    ) {
        let (removed, added, both) = split(old, new);
        for (path, _) in removed {
            self.push(Level::Breaking, "resource removed", path.clone());
        }
        for (path, r) in added {
            self.push(
                Level::Minor,
                "resource added",
                format!("{path}{}", dep_note(&r.deprecated)),
            );
        }
        for (path, o, n) in both {
            let names = |r: &Resource| format!("{}() {}::{}", r.name.rust, r.module, r.type_name);
            if names(o) != names(n) {
                self.push(
                    Level::Breaking,
                    "resource renamed",
                    format!("{path} ({} -> {})", names(o), names(n)),
                );
            }
            self.deprecation("resource", path, &o.deprecated, &n.deprecated);
        }
    }

    /// Methods by id: an accessor on the resource handle (positional
    /// parameters, then the body), a builder (setters, `get_*`, `send`,
    /// `pages`/`items`, `upload`, `download`) and a stub trait method.
    pub(super) fn methods(
        &mut self,
        old: &BTreeMap<String, Located>,
        new: &BTreeMap<String, Located>,
    ) {
        let (removed, added, both) = split(old, new);
        for (id, _) in removed {
            self.push(Level::Breaking, "method removed", id.clone());
        }
        // The stub trait gains a method with a default body: implementors
        // still compile.
        for (id, m) in added {
            self.push(
                Level::Minor,
                "method added",
                format!("{id}{}", dep_note(&m.method.deprecated)),
            );
        }
        for (id, o, n) in both {
            self.method(id, o, n);
        }
    }

    fn method(&mut self, id: &str, o: &Located, n: &Located) {
        let (om, nm) = (o.method, n.method);
        if o.resource != n.resource {
            self.push(
                Level::Breaking,
                "method moved",
                format!("{id} ({} -> {})", o.resource, n.resource),
            );
        }
        let renamed = |what: &str, a: &str, b: &str, d: &mut Diff| {
            if a != b {
                d.push(Level::Breaking, what, format!("{id} ({a} -> {b})"));
            }
        };
        renamed(
            "method accessor renamed",
            &om.name.rust,
            &nm.name.rust,
            self,
        );
        renamed("method builder renamed", &om.builder, &nm.builder, self);
        renamed("stub method renamed", &om.stub, &nm.stub, self);
        if om.http_method != nm.http_method {
            self.push(
                Level::Patch,
                "HTTP method changed",
                format!(
                    "{id} ({} -> {})",
                    om.http_method.as_str(),
                    nm.http_method.as_str()
                ),
            );
        }
        // A path from the root URL is another URL than the same path from
        // the service's base.
        let shown = |m: &generator::ir::Method| {
            format!("{}{}", if m.from_root { "/" } else { "" }, m.path.template)
        };
        if shown(om) != shown(nm) {
            self.push(
                Level::Patch,
                "path changed",
                format!("{id} ({} -> {})", shown(om), shown(nm)),
            );
        }
        self.params(id, om, nm);
        self.bodies(id, om, nm);

        // Scopes are handed to the token source: a token that sufficed may
        // not any more (or one more may do), but no code changes. Named by
        // their constants in `scopes` where the API lists them.
        let old_s: BTreeSet<&String> = om.scopes.iter().collect();
        let new_s: BTreeSet<&String> = nm.scopes.iter().collect();
        let name = |url: &String, consts: &BTreeMap<String, String>| {
            consts.get(url).cloned().unwrap_or_else(|| url.clone())
        };
        let mut scopes: Vec<String> = old_s
            .difference(&new_s)
            .map(|url| format!("-{}", name(url, &self.old_scopes)))
            .collect();
        scopes.extend(
            new_s
                .difference(&old_s)
                .map(|url| format!("+{}", name(url, &self.new_scopes))),
        );
        if !scopes.is_empty() {
            self.push(
                Level::Patch,
                "method scopes changed",
                format!("{id} ({})", scopes.join(", ")),
            );
        }
        self.deprecation("method", id, &om.deprecated, &nm.deprecated);
    }
}

/// A method and the dotted wire path of the resource holding it
/// (`(client)` for the document's own methods).
pub(super) struct Located<'a> {
    method: &'a Method,
    resource: String,
}

pub(super) fn methods_of(api: &Api) -> BTreeMap<String, Located<'_>> {
    fn walk<'a>(prefix: &str, resources: &'a [Resource], out: &mut Vec<Located<'a>>) {
        for r in resources {
            let path = format!("{prefix}.{}", r.name.wire);
            out.extend(r.methods.iter().map(|m| Located {
                method: m,
                resource: path.clone(),
            }));
            walk(&path, &r.resources, out);
        }
    }
    let mut all: Vec<Located> = api
        .methods
        .iter()
        .map(|m| Located {
            method: m,
            resource: "(client)".into(),
        })
        .collect();
    walk(&api.name, &api.resources, &mut all);
    keyed(all, |l| l.method.id.clone())
}

/// Every resource by its dotted wire path from the API (`drive.files`).
pub(super) fn resources_of(api: &Api) -> BTreeMap<String, &Resource> {
    fn walk<'a>(prefix: &str, resources: &'a [Resource], out: &mut Vec<(String, &'a Resource)>) {
        for r in resources {
            let path = format!("{prefix}.{}", r.name.wire);
            out.push((path.clone(), r));
            walk(&path, &r.resources, out);
        }
    }
    let mut all = Vec::new();
    walk(&api.name, &api.resources, &mut all);
    keyed(all, |(path, _)| path.clone())
        .into_iter()
        .map(|(k, (_, r))| (k, r))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::revdiff::fixture::{edited, lines, report};
    use crate::revdiff::Verdict;

    #[test]
    fn removed_method_is_major() {
        let r = report(&edited(&[(
            r#",
            "delete": {
              "id": "demo.items.delete",
              "httpMethod": "DELETE",
              "path": "v1/items/{name}",
              "parameters": {"name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["name"]
            }"#,
            "",
        )]));
        assert_eq!(lines(&r), ["breaking  method removed: demo.items.delete"]);
        assert_eq!(r.verdict(), Verdict::Major);
        assert!(r
            .render()
            .ends_with("verdict: major (1 breaking, 0 minor, 0 patch)\n"));
    }

    #[test]
    fn added_deprecation_is_minor() {
        let r = report(&edited(&[(
            r#""description": "Gets an item.","#,
            r#""description": "Gets an item.", "deprecated": true,"#,
        )]));
        assert_eq!(lines(&r), ["minor     method deprecated: demo.items.get"]);
        assert_eq!(r.verdict(), Verdict::Minor);
    }
}
