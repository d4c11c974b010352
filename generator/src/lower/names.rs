//! Names lowering settles besides those of types, parameters and commands:
//! the names hand-written code reserves, the crate's name and the `stub`
//! trait's method names. (The naming rules themselves are [`crate::names`].)

use crate::discovery::Document;
use crate::ir::*;
use crate::names::{bare, sanitize, Case, NamePool};
use crate::{Error, Options};

/// The field of every model that keeps JSON fields the document does not know.
pub const UNKNOWN_FIELDS: &str = "unknown_fields";

/// Methods of the hand-written `Client`; resource accessors must not take them.
/// (The runtime client's methods that generated builders call through `Deref`
/// are reserved too, so an accessor cannot shadow them.)
pub(super) const CLIENT_RESERVED: &[&str] = &[
    "builder",
    "clone",
    "base_url",
    "uploads",
    "from_stub",
    "stub",
    "api",
    "execute",
    "execute_empty",
    "execute_bytes",
    "send",
    "request",
    "upload",
    "download",
    "deref",
    "as_ref",
    "from",
    "into",
];
/// Fields and methods of every request builder besides its parameters.
pub(super) const BUILDER_RESERVED: &[&str] = &[
    "client",
    "opts",
    "request",
    "send",
    "pages",
    "items",
    "new",
    "fields",
    "quota_user",
    "pretty_print",
    "xgafv",
    "timeout",
    "header",
    "upload",
    "download",
    "into_call",
    "into_upload",
    "retry_policy",
    "request_preview",
    "upload_preview",
    "download_preview",
    "download_to",
];

/// The crate's name: the options' or the document's, checked to be usable.
pub(super) fn crate_name(doc: &Document, options: &Options) -> Result<String, Error> {
    let crate_name = options
        .crate_name
        .clone()
        .unwrap_or_else(|| default_crate_name(&doc.name, &doc.version));
    let valid = crate_name.starts_with(|c: char| c.is_ascii_alphabetic())
        && crate_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::Invalid {
            path: if options.crate_name.is_some() { "(options.crate_name)".into() } else { "$.name".into() },
            message: format!(
                "{crate_name:?} is not a usable crate name (from `name` {:?} and `version` {:?}); it must start with a letter",
                doc.name, doc.version
            ),
        });
    }
    Ok(crate_name)
}

/// `photoslibrary` + `v1` -> `photoslibrary-v1`; `dfareporting` + `v3.4` -> `dfareporting-v3-4`.
pub fn default_crate_name(name: &str, version: &str) -> String {
    let raw = format!("{name}-{version}").to_ascii_lowercase();
    let mut out: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').to_string()
}

/// Names every method in the API's `stub` trait after its id (`albums.get`
/// -> `albums_get`), unique across the API, in document order.
pub(super) fn name_stub_methods(api: &mut Api) {
    fn walk(methods: &mut [Method], resources: &mut [Resource], prefix: &str, pool: &mut NamePool) {
        for m in methods {
            let local =
                m.id.strip_prefix(prefix)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .unwrap_or(&m.id)
                    .replace('.', "_");
            m.stub = pool.claim(&sanitize(&local, Case::Snake), "method");
        }
        for r in resources {
            walk(&mut r.methods, &mut r.resources, prefix, pool);
        }
    }
    // Dispatch is fully qualified, but keep the names a reader would confuse
    // with `Arc`'s own methods free anyway.
    let mut pool =
        NamePool::with_reserved(["fmt", "clone", "clone_from", "to_owned", "into", "as_ref"]);
    let prefix = api.name.clone();
    walk(&mut api.methods, &mut api.resources, &prefix, &mut pool);
}

/// `photoslibrary.albums.list` -> `AlbumsList` (the API name is dropped).
pub(super) fn pascal_id(id: &str) -> String {
    let rest = id.split_once('.').map(|(_, r)| r).unwrap_or(id);
    bare(&sanitize(rest, Case::Pascal)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names() {
        assert_eq!(
            default_crate_name("photoslibrary", "v1"),
            "photoslibrary-v1"
        );
        assert_eq!(
            default_crate_name("dfareporting", "v3.4"),
            "dfareporting-v3-4"
        );
        assert_eq!(
            default_crate_name("admin", "directory_v1"),
            "admin-directory-v1"
        );
    }
}
