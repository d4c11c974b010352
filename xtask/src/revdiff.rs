//! `cargo xtask diff OLD.json NEW.json`: what changed between two revisions of
//! one API as the generated crate sees it, each change classified for semver.
//!
//! The comparison is of the two IRs, not the JSON: a change the generator does
//! not turn into code (a description, `readOnly`, a parameter's `default`, the
//! revision) is no change. Each rule below says which generated item it is
//! about (see `generator/src/emit/`).
//!
//! Three levels:
//! - **breaking**: code that compiled against the old crate may not compile,
//!   or a call that worked now fails before it is sent;
//! - **minor**: something new (or newly deprecated: adding `#[deprecated]` is
//!   a minor change in Rust's semver rules);
//! - **patch**: the public items are the same but what goes on the wire is not
//!   (a verb, a path, a base URL, scopes, a pattern check).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use generator::ir::{
    Api, Location, Method, Param, Resource, Scope, TypeDef, TypeKind, TypeRef, Variant,
};
use generator::Options;

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

/// Compares two revisions of one API.
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

/// Keys present only in `old`, only in `new`, and in both, each in key order.
type Split<'m, K, V> = (
    Vec<(&'m K, &'m V)>,
    Vec<(&'m K, &'m V)>,
    Vec<(&'m K, &'m V, &'m V)>,
);

fn split<'m, K: Ord, V>(old: &'m BTreeMap<K, V>, new: &'m BTreeMap<K, V>) -> Split<'m, K, V> {
    let removed = old.iter().filter(|(k, _)| !new.contains_key(*k)).collect();
    let added = new.iter().filter(|(k, _)| !old.contains_key(*k)).collect();
    let both = old
        .iter()
        .filter_map(|(k, o)| new.get(k).map(|n| (k, o, n)))
        .collect();
    (removed, added, both)
}

/// Keys items by `key`; a key seen twice (two methods with one `id`, which
/// the lowering does not reject) gets `#2`, `#3`, ... so no item is dropped.
fn keyed<T>(items: impl IntoIterator<Item = T>, key: impl Fn(&T) -> String) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    for item in items {
        let base = key(&item);
        let mut k = base.clone();
        let mut n = 1;
        while out.contains_key(&k) {
            n += 1;
            k = format!("{base}#{n}");
        }
        out.insert(k, item);
    }
    out
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

    /// The crate root (`lib.rs`): names, `DEFAULT_BASE_URL`, `SERVICE_PATH`,
    /// `ENDPOINTS`, `MTLS_ROOT_URL`, `DATA_WRAPPER`.
    fn api(&mut self, old: &Api, new: &Api) {
        if old.crate_name != new.crate_name || old.lib_name != new.lib_name {
            self.push(
                Level::Breaking,
                "crate renamed",
                format!(
                    "{} ({}) -> {} ({})",
                    old.crate_name, old.lib_name, new.crate_name, new.lib_name
                ),
            );
        }
        // The constants keep their names and types; requests go elsewhere.
        if old.base_url != new.base_url {
            self.push(
                Level::Patch,
                "base URL changed",
                format!("{} -> {}", old.base_url, new.base_url),
            );
        }
        if old.service_path != new.service_path {
            self.push(
                Level::Patch,
                "service path changed",
                format!("{:?} -> {:?}", old.service_path, new.service_path),
            );
        }
        if old.data_wrapper != new.data_wrapper {
            self.push(
                Level::Patch,
                "dataWrapper changed",
                format!("{} -> {}", old.data_wrapper, new.data_wrapper),
            );
        }
        if old.fully_encode_reserved_expansion != new.fully_encode_reserved_expansion {
            self.push(
                Level::Patch,
                "fullyEncodeReservedExpansion changed",
                format!(
                    "{} -> {}",
                    old.fully_encode_reserved_expansion, new.fully_encode_reserved_expansion
                ),
            );
        }
        // `MTLS_ROOT_URL` is a constant only when the document has the URL.
        match (&old.mtls_root_url, &new.mtls_root_url) {
            (None, Some(url)) => self.push(Level::Minor, "mTLS root URL added", url.clone()),
            (Some(url), None) => self.push(Level::Breaking, "mTLS root URL removed", url.clone()),
            (Some(a), Some(b)) if a != b => {
                self.push(Level::Patch, "mTLS root URL changed", format!("{a} -> {b}"))
            }
            _ => {}
        }
        // `ClientBuilder::location(l)` looks `l` up in `ENDPOINTS` when the
        // client is built: a removed location fails where it used to work.
        let old_e = keyed(&old.endpoints, |e| e.location.clone());
        let new_e = keyed(&new.endpoints, |e| e.location.clone());
        let (removed, added, both) = split(&old_e, &new_e);
        for (loc, e) in removed {
            self.push(
                Level::Breaking,
                "endpoint removed",
                format!("{loc} ({})", e.url),
            );
        }
        for (loc, e) in added {
            self.push(Level::Minor, "endpoint added", format!("{loc} ({})", e.url));
        }
        for (loc, o, n) in both {
            if o.url != n.url {
                self.push(
                    Level::Patch,
                    "endpoint URL changed",
                    format!("{loc} ({} -> {})", o.url, n.url),
                );
            }
        }
    }

    /// `scopes.rs`: one `pub const` per scope, named by `const_name`.
    fn scopes(&mut self, old: &[Scope], new: &[Scope]) {
        let old = keyed(old, |s| s.url.clone());
        let new = keyed(new, |s| s.url.clone());
        let (removed, added, both) = split(&old, &new);
        for (url, s) in removed {
            self.push(
                Level::Breaking,
                "scope removed",
                format!("{} ({url})", s.const_name),
            );
        }
        for (url, s) in added {
            self.push(
                Level::Minor,
                "scope added",
                format!("{} ({url})", s.const_name),
            );
        }
        for (url, o, n) in both {
            if o.const_name != n.const_name {
                self.push(
                    Level::Breaking,
                    "scope constant renamed",
                    format!("{url} ({} -> {})", o.const_name, n.const_name),
                );
            }
        }
    }

    /// Resources: an accessor on the parent, a module and a handle type.
    fn resources(&mut self, old: &BTreeMap<String, &Resource>, new: &BTreeMap<String, &Resource>) {
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
    fn methods(&mut self, old: &BTreeMap<String, Located>, new: &BTreeMap<String, Located>) {
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
        if om.path.template != nm.path.template {
            self.push(
                Level::Patch,
                "path changed",
                format!("{id} ({} -> {})", om.path.template, nm.path.template),
            );
        }
        self.params(id, om, nm);

        // The body is the accessor's last argument; the response is `send`'s
        // (and the stub method's) output.
        match (&om.request, &nm.request) {
            (None, Some(b)) => self.push(
                Level::Breaking,
                "request body added",
                format!("{id} ({})", rust(&b.ty)),
            ),
            (Some(b), None) => self.push(
                Level::Breaking,
                "request body removed",
                format!("{id} ({})", rust(&b.ty)),
            ),
            (Some(a), Some(b)) if a.ty != b.ty => self.push(
                Level::Breaking,
                "request type changed",
                format!("{id} ({} -> {})", rust(&a.ty), rust(&b.ty)),
            ),
            _ => {}
        }
        let response = |r: &Option<TypeRef>| r.as_ref().map(rust).unwrap_or_else(|| "()".into());
        if om.response != nm.response {
            self.push(
                Level::Breaking,
                "response type changed",
                format!(
                    "{id} ({} -> {})",
                    response(&om.response),
                    response(&nm.response)
                ),
            );
        }

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

        match (&om.pagination, &nm.pagination) {
            (None, Some(p)) => {
                let items = p
                    .items
                    .as_ref()
                    .map(|i| format!(" (pages, items: {})", rust(&i.item)))
                    .unwrap_or_else(|| " (pages)".into());
                self.push(Level::Minor, "pagination added", format!("{id}{items}"));
            }
            (Some(_), None) => self.push(Level::Breaking, "pagination removed", id),
            (Some(a), Some(b)) => {
                match (&a.items, &b.items) {
                    (None, Some(i)) => self.push(
                        Level::Minor,
                        "pagination items added",
                        format!("{id} ({})", rust(&i.item)),
                    ),
                    (Some(_), None) => self.push(Level::Breaking, "pagination items removed", id),
                    (Some(x), Some(y)) if x.item != y.item => self.push(
                        Level::Breaking,
                        "pagination item type changed",
                        format!("{id} ({} -> {})", rust(&x.item), rust(&y.item)),
                    ),
                    // Another field of the same type: `items()` is the same
                    // function reading elsewhere.
                    (Some(x), Some(y)) if x.field != y.field => self.push(
                        Level::Patch,
                        "pagination items field changed",
                        format!("{id} ({} -> {})", x.field.wire, y.field.wire),
                    ),
                    _ => {}
                }
                if a.token_in != b.token_in || a.next_token != b.next_token {
                    self.push(Level::Patch, "pagination token changed", id);
                }
            }
            (None, None) => {}
        }

        match (&om.media_upload, &nm.media_upload) {
            (None, Some(_)) => self.push(Level::Minor, "media upload added", id),
            (Some(_), None) => self.push(Level::Breaking, "media upload removed", id),
            (Some(a), Some(b)) => {
                // `upload()` stays; what it accepts or where it goes changes.
                let mut what = Vec::new();
                if a.accept != b.accept {
                    what.push("accept");
                }
                if a.max_size != b.max_size {
                    what.push("max size");
                }
                if a.multipart != b.multipart {
                    what.push("multipart path");
                }
                if a.resumable != b.resumable {
                    what.push("resumable path");
                }
                if !what.is_empty() {
                    self.push(
                        Level::Patch,
                        "media upload changed",
                        format!("{id} ({})", what.join(", ")),
                    );
                }
            }
            (None, None) => {}
        }
        match (om.supports_media_download, nm.supports_media_download) {
            (false, true) => self.push(Level::Minor, "media download added", id),
            (true, false) => self.push(Level::Breaking, "media download removed", id),
            (true, true) if om.use_media_download_service != nm.use_media_download_service => {
                self.push(Level::Patch, "media download service changed", id)
            }
            _ => {}
        }
        self.deprecation("method", id, &om.deprecated, &nm.deprecated);
    }

    /// Positional parameters are the accessor's arguments; the others are
    /// builder setters (a required one makes `send` fail while unset). Every
    /// parameter also has a `get_*` returning its type.
    fn params(&mut self, id: &str, om: &Method, nm: &Method) {
        let old = keyed(&om.params, |p| p.name.wire.clone());
        let new = keyed(&nm.params, |p| p.name.wire.clone());
        let (removed, added, both) = split(&old, &new);
        for (wire, p) in removed {
            self.push(
                Level::Breaking,
                "parameter removed",
                format!("{id}.{wire} ({})", param_note(p)),
            );
        }
        for (wire, p) in added {
            // A new required setter leaves the code compiling, but `send`
            // now fails until it is set: breaking all the same.
            let level = if p.positional || p.required {
                Level::Breaking
            } else {
                Level::Minor
            };
            self.push(
                level,
                "parameter added",
                format!("{id}.{wire} ({})", param_note(p)),
            );
        }
        for (wire, o, n) in both {
            let subject = format!("{id}.{wire}");
            if o.name.rust != n.name.rust {
                self.push(
                    Level::Breaking,
                    "parameter renamed",
                    format!("{subject} ({} -> {})", o.name.rust, n.name.rust),
                );
            }
            if param_type(o) != param_type(n) {
                self.push(
                    Level::Breaking,
                    "parameter type changed",
                    format!("{subject} ({} -> {})", param_type(o), param_type(n)),
                );
            }
            match (o.positional, n.positional) {
                (false, true) => {
                    self.push(Level::Breaking, "parameter became positional", &*subject)
                }
                (true, false) => {
                    self.push(Level::Breaking, "parameter no longer positional", &*subject)
                }
                // `required` only matters for setters: a positional argument
                // is always given.
                (false, false) => match (o.required, n.required) {
                    (false, true) => {
                        self.push(Level::Breaking, "parameter became required", &*subject)
                    }
                    (true, false) => {
                        self.push(Level::Patch, "parameter became optional", &*subject)
                    }
                    _ => {}
                },
                (true, true) => {}
            }
            if o.location != n.location {
                self.push(
                    Level::Patch,
                    "parameter location changed",
                    format!(
                        "{subject} ({} -> {})",
                        location(o.location),
                        location(n.location)
                    ),
                );
            }
            // Path parameters are checked against their pattern before sending.
            if o.pattern != n.pattern {
                let pat = |p: &Option<String>| p.clone().unwrap_or_else(|| "none".into());
                self.push(
                    Level::Patch,
                    "parameter pattern changed",
                    format!("{subject} ({} -> {})", pat(&o.pattern), pat(&n.pattern)),
                );
            }
            self.deprecation("parameter", &subject, &o.deprecated, &n.deprecated);
        }
        // The accessor's arguments are positional: the same ones in another
        // order is another signature.
        let order = |ps: &[Param], other: &BTreeMap<String, &Param>| -> Vec<String> {
            ps.iter()
                .filter(|p| p.positional && other.get(&p.name.wire).is_some_and(|q| q.positional))
                .map(|p| p.name.wire.clone())
                .collect()
        };
        let (o_order, n_order) = (order(&om.params, &new), order(&nm.params, &old));
        if o_order != n_order {
            self.push(
                Level::Breaking,
                "positional parameters reordered",
                format!("{id} ({} -> {})", o_order.join(", "), n_order.join(", ")),
            );
        }
    }

    /// `models.rs`: a struct, an open enum or a type alias per named type.
    fn types(&mut self, old: &[TypeDef], new: &[TypeDef]) {
        let old = keyed(old, |t| t.name.clone());
        let new = keyed(new, |t| t.name.clone());
        let (removed, added, both) = split(&old, &new);
        for (name, t) in removed {
            self.push(
                Level::Breaking,
                "type removed",
                format!("{name} ({})", kind(&t.kind)),
            );
        }
        for (name, t) in added {
            self.push(
                Level::Minor,
                "type added",
                format!(
                    "{name} ({}{})",
                    kind(&t.kind),
                    if t.deprecated.is_some() {
                        ", deprecated"
                    } else {
                        ""
                    }
                ),
            );
        }
        for (name, o, n) in both {
            match (&o.kind, &n.kind) {
                (TypeKind::Struct(a), TypeKind::Struct(b)) => self.fields(name, a, b),
                (TypeKind::Enum(a), TypeKind::Enum(b)) => self.variants(name, a, b),
                (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                    if a != b {
                        self.push(
                            Level::Breaking,
                            "alias target changed",
                            format!("{name} ({} -> {})", rust(a), rust(b)),
                        );
                    }
                }
                (a, b) => self.push(
                    Level::Breaking,
                    "type kind changed",
                    format!("{name} ({} -> {})", kind(a), kind(b)),
                ),
            }
            self.deprecation("type", name, &o.deprecated, &n.deprecated);
        }
    }

    fn fields(&mut self, ty: &str, old: &[generator::ir::Field], new: &[generator::ir::Field]) {
        let old = keyed(old, |f| f.name.wire.clone());
        let new = keyed(new, |f| f.name.wire.clone());
        let (removed, added, both) = split(&old, &new);
        for (wire, f) in removed {
            self.push(
                Level::Breaking,
                "field removed",
                format!("{ty}.{wire} ({})", rust(&f.ty)),
            );
        }
        // Models are plain structs of `pub` fields (so that literals with
        // `..Default::default()` work). An exhaustive literal or pattern would
        // break on a new field, but every revision of a Google API adds
        // fields: the crate documents that models grow and are built with
        // `..Default::default()`, and treats a new field as minor (as
        // `#[non_exhaustive]` would make it, at the cost of the literals).
        for (wire, f) in added {
            self.push(
                Level::Minor,
                "field added",
                format!(
                    "{ty}.{wire} ({}{})",
                    rust(&f.ty),
                    if f.deprecated.is_some() {
                        ", deprecated"
                    } else {
                        ""
                    }
                ),
            );
        }
        for (wire, o, n) in both {
            let subject = format!("{ty}.{wire}");
            if o.name.rust != n.name.rust {
                self.push(
                    Level::Breaking,
                    "field renamed",
                    format!("{subject} ({} -> {})", o.name.rust, n.name.rust),
                );
            }
            // Includes a new or dropped `Box` (a cycle gained or lost).
            if o.ty != n.ty {
                self.push(
                    Level::Breaking,
                    "field type changed",
                    format!("{subject} ({} -> {})", rust(&o.ty), rust(&n.ty)),
                );
            }
            self.deprecation("field", &subject, &o.deprecated, &n.deprecated);
        }
    }

    /// Enums are `#[non_exhaustive]` with an `UnknownValue(String)` fallback:
    /// users already match with a wildcard and new wire values already
    /// decode, so a new variant is minor; a removed one breaks code naming it.
    fn variants(&mut self, ty: &str, old: &[Variant], new: &[Variant]) {
        let old_k = keyed(old, |v| v.name.wire.clone());
        let new_k = keyed(new, |v| v.name.wire.clone());
        let (removed, added, both) = split(&old_k, &new_k);
        for (wire, _) in removed {
            self.push(
                Level::Breaking,
                "enum value removed",
                format!("{ty}.{wire}"),
            );
        }
        for (wire, v) in added {
            self.push(
                Level::Minor,
                "enum value added",
                format!("{ty}.{wire}{}", dep_note(&v.deprecated)),
            );
        }
        for (wire, o, n) in both {
            let subject = format!("{ty}.{wire}");
            if o.name.rust != n.name.rust {
                self.push(
                    Level::Breaking,
                    "enum variant renamed",
                    format!("{subject} ({} -> {})", o.name.rust, n.name.rust),
                );
            }
            self.deprecation("enum value", &subject, &o.deprecated, &n.deprecated);
        }
        // The derived `Ord` follows declaration order.
        let common = |vs: &[Variant], other: &BTreeMap<String, &Variant>| -> Vec<String> {
            vs.iter()
                .filter(|v| other.contains_key(&v.name.wire))
                .map(|v| v.name.wire.clone())
                .collect()
        };
        if common(old, &new_k) != common(new, &old_k) {
            self.push(Level::Patch, "enum values reordered", ty);
        }
    }
}

/// A method and the dotted wire path of the resource holding it
/// (`(client)` for the document's own methods).
struct Located<'a> {
    method: &'a Method,
    resource: String,
}

fn methods_of(api: &Api) -> BTreeMap<String, Located<'_>> {
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
fn resources_of(api: &Api) -> BTreeMap<String, &Resource> {
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

fn dep_note(deprecated: &Option<String>) -> &'static str {
    if deprecated.is_some() {
        " (deprecated)"
    } else {
        ""
    }
}

fn kind(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Alias(_) => "alias",
    }
}

fn location(l: Location) -> &'static str {
    match l {
        Location::Path => "path",
        Location::Query => "query",
    }
}

/// The builder's field type for a parameter (`Vec<T>` when repeated).
fn param_type(p: &Param) -> String {
    if p.repeated {
        format!("Vec<{}>", rust(&p.ty))
    } else {
        rust(&p.ty)
    }
}

fn param_note(p: &Param) -> String {
    let mut note = param_type(p);
    if p.positional {
        note.push_str(", positional");
    } else if p.required {
        note.push_str(", required");
    }
    if p.deprecated.is_some() {
        note.push_str(", deprecated");
    }
    note
}

/// The Rust type a `TypeRef` becomes, in short (as `emit::types` maps it;
/// model fields wrap it in `Option`).
fn rust(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::U32 => "u32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::U64 => "u64".into(),
        TypeRef::F32 => "f32".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::FieldMask => "FieldMask".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::Duration => "Duration".into(),
        TypeRef::Bytes => "Bytes".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Object => "Map<String, Value>".into(),
        TypeRef::Array(t) => format!("Vec<{}>", rust(t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", rust(t)),
        TypeRef::Named { name, boxed: true } => format!("Box<{name}>"),
        TypeRef::Named { name, boxed: false } => name.clone(),
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
    use super::*;

    /// A small API: `items.get` (a path parameter), `items.list` (paginated)
    /// and `items.delete`, an `Item` with an enum field.
    const BASE: &str = r#"{
      "kind": "discovery#restDescription",
      "name": "demo",
      "version": "v1",
      "revision": "20240101",
      "rootUrl": "https://demo.example.com/",
      "servicePath": "",
      "description": "A demo API.",
      "auth": {"oauth2": {"scopes": {"https://example.com/auth/demo": {"description": "All."}}}},
      "schemas": {
        "Item": {
          "id": "Item",
          "type": "object",
          "description": "An item.",
          "properties": {
            "name": {"type": "string", "description": "Its name."},
            "size": {"type": "integer", "format": "int32"},
            "state": {"type": "string", "enum": ["ON", "OFF"], "enumDescriptions": ["On.", "Off."]}
          }
        },
        "ItemList": {
          "id": "ItemList",
          "type": "object",
          "properties": {
            "items": {"type": "array", "items": {"$ref": "Item"}},
            "nextPageToken": {"type": "string"}
          }
        }
      },
      "resources": {
        "items": {
          "methods": {
            "get": {
              "id": "demo.items.get",
              "httpMethod": "GET",
              "path": "v1/items/{name}",
              "description": "Gets an item.",
              "parameters": {"name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["name"],
              "response": {"$ref": "Item"},
              "scopes": ["https://example.com/auth/demo"]
            },
            "list": {
              "id": "demo.items.list",
              "httpMethod": "GET",
              "path": "v1/items",
              "parameters": {"pageToken": {"type": "string", "location": "query"}},
              "response": {"$ref": "ItemList"}
            },
            "delete": {
              "id": "demo.items.delete",
              "httpMethod": "DELETE",
              "path": "v1/items/{name}",
              "parameters": {"name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["name"]
            }
          }
        }
      }
    }"#;

    /// `BASE` with each `(from, to)` replaced; each `from` must occur.
    fn edited(edits: &[(&str, &str)]) -> String {
        let mut doc = BASE.to_string();
        for (from, to) in edits {
            assert!(doc.contains(from), "{from:?} is not in the document");
            doc = doc.replacen(from, to, 1);
        }
        doc
    }

    fn report(new: &str) -> Report {
        let lower = |text: &str| generator::to_ir(text, &Options::default()).unwrap();
        diff_apis(&lower(BASE), &lower(new))
    }

    fn lines(r: &Report) -> Vec<String> {
        let text = r.render();
        let all: Vec<&str> = text.lines().collect();
        all[1..all.len() - 1]
            .iter()
            .map(|l| l.to_string())
            .collect()
    }

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
    fn added_optional_parameter_is_minor() {
        let r = report(&edited(&[(
            r#""parameters": {"pageToken""#,
            r#""parameters": {"filter": {"type": "string", "location": "query"}, "pageToken""#,
        )]));
        assert_eq!(
            lines(&r),
            ["minor     parameter added: demo.items.list.filter (String)"]
        );
        assert_eq!(r.verdict(), Verdict::Minor);
        assert!(r
            .render()
            .ends_with("verdict: minor (0 breaking, 1 minor, 0 patch)\n"));
    }

    #[test]
    fn added_required_parameter_is_major() {
        // A setter, but `send` fails until it is set.
        let r = report(&edited(&[(
            r#""parameters": {"pageToken""#,
            r#""parameters": {"parent": {"type": "string", "location": "query", "required": true}, "pageToken""#,
        )]));
        assert_eq!(
            lines(&r),
            ["breaking  parameter added: demo.items.list.parent (String, required)"]
        );
        assert_eq!(r.verdict(), Verdict::Major);
    }

    #[test]
    fn added_positional_parameter_is_major() {
        let r = report(&edited(&[
            (
                r#""path": "v1/items/{name}",
              "description""#,
                r#""path": "v1/{shelf}/items/{name}",
              "description""#,
            ),
            (
                r#""parameters": {"name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["name"],
              "response": {"$ref": "Item"}"#,
                r#""parameters": {"shelf": {"type": "string", "location": "path", "required": true}, "name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["shelf", "name"],
              "response": {"$ref": "Item"}"#,
            ),
        ]));
        assert_eq!(
            lines(&r),
            [
                "breaking  parameter added: demo.items.get.shelf (String, positional)",
                "patch     path changed: demo.items.get (v1/items/{name} -> v1/{shelf}/items/{name})",
            ]
        );
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

    #[test]
    fn removed_enum_value_is_major_and_added_one_minor() {
        let r = report(&edited(&[(
            r#""enum": ["ON", "OFF"], "enumDescriptions": ["On.", "Off."]"#,
            r#""enum": ["ON"], "enumDescriptions": ["On."]"#,
        )]));
        assert_eq!(lines(&r), ["breaking  enum value removed: ItemState.OFF"]);
        assert_eq!(r.verdict(), Verdict::Major);

        let r = report(&edited(&[(
            r#""enum": ["ON", "OFF"], "enumDescriptions": ["On.", "Off."]"#,
            r#""enum": ["ON", "OFF", "DIM"], "enumDescriptions": ["On.", "Off.", "Dim."]"#,
        )]));
        assert_eq!(lines(&r), ["minor     enum value added: ItemState.DIM"]);
        assert_eq!(r.verdict(), Verdict::Minor);
    }

    #[test]
    fn changed_field_type_is_major() {
        let r = report(&edited(&[(
            r#""size": {"type": "integer", "format": "int32"}"#,
            r#""size": {"type": "string", "format": "int64"}"#,
        )]));
        assert_eq!(
            lines(&r),
            ["breaking  field type changed: Item.size (i32 -> i64)"]
        );
        assert_eq!(r.verdict(), Verdict::Major);
    }

    #[test]
    fn added_field_is_minor() {
        // Models grow with every revision (see `fields`).
        let r = report(&edited(&[(
            r#""name": {"type": "string", "description": "Its name."},"#,
            r#""name": {"type": "string", "description": "Its name."}, "color": {"type": "string"},"#,
        )]));
        assert_eq!(lines(&r), ["minor     field added: Item.color (String)"]);
        assert_eq!(r.verdict(), Verdict::Minor);
    }

    #[test]
    fn pagination_removed_is_major() {
        let r = report(&edited(&[(
            r#""nextPageToken": {"type": "string"}"#,
            r#""next": {"type": "string"}"#,
        )]));
        assert_eq!(
            lines(&r),
            [
                "breaking  field removed: ItemList.nextPageToken (String)",
                "breaking  pagination removed: demo.items.list",
                "minor     field added: ItemList.next (String)",
            ]
        );
    }

    #[test]
    fn scopes_and_base_url() {
        let r = report(&edited(&[
            ("https://demo.example.com/", "https://demo.googleapis.com/"),
            (
                r#""https://example.com/auth/demo": {"description": "All."}"#,
                r#""https://example.com/auth/demo.readonly": {"description": "Read."}"#,
            ),
            (
                r#""scopes": ["https://example.com/auth/demo"]"#,
                r#""scopes": ["https://example.com/auth/demo.readonly"]"#,
            ),
        ]));
        assert_eq!(
            lines(&r),
            [
                "breaking  scope removed: DEMO (https://example.com/auth/demo)",
                "minor     scope added: DEMO_READONLY (https://example.com/auth/demo.readonly)",
                "patch     base URL changed: https://demo.example.com/ -> https://demo.googleapis.com/",
                "patch     method scopes changed: demo.items.get (-DEMO, +DEMO_READONLY)",
            ]
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
