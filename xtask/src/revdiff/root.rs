//! The crate-level items: what `lib.rs` and `scopes.rs` of the generated
//! crate hold, outside any resource or model.

use generator::ir::{Api, Scope};

use super::common::{keyed, split};
use super::{Diff, Level};

impl Diff {
    /// The crate root (`lib.rs`): names, `DEFAULT_BASE_URL`, `SERVICE_PATH`,
    /// `ENDPOINTS`, `MTLS_ROOT_URL`, `DATA_WRAPPER`.
    pub(super) fn api(&mut self, old: &Api, new: &Api) {
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
    pub(super) fn scopes(&mut self, old: &[Scope], new: &[Scope]) {
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
}

#[cfg(test)]
mod tests {
    use crate::revdiff::fixture::{edited, lines, report};

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
}
