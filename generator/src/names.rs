//! Identifier sanitizing and per-scope collision pools.
//!
//! Every Rust identifier the generator emits comes out of [`sanitize`], and every
//! scope (a module's type names, a struct's fields, a builder's setters, ...) hands
//! out names through one [`NamePool`], so output is valid Rust for any document.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `snake_case`: fields, methods, modules, accessors.
    Snake,
    /// `UpperCamelCase`: types and enum variants.
    Pascal,
}

/// Strict, reserved and edition-2024 keywords. `self`, `Self`, `super`, `crate`
/// cannot be raw identifiers and get a trailing `_` instead.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Converts any wire name (`@type`, `$ref`, `a-b`, `3d`, `type`) into a valid Rust
/// identifier in the given case. The result is what goes into `format_ident!`; raw
/// identifiers come back with their `r#` prefix.
pub fn sanitize(wire: &str, case: Case) -> String {
    // Keep letters, digits and underscores; everything else separates words, so
    // `a-b` and `a.b` read as `a_b`, and `@type` as `type`.
    let cleaned: String = wire
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut name = match case {
        Case::Snake => cleaned.to_snake_case(),
        Case::Pascal => cleaned.to_upper_camel_case(),
    };
    if name.is_empty() {
        name = match case {
            Case::Snake => "field".into(),
            Case::Pascal => "Value".into(),
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = match case {
            Case::Snake => format!("_{name}"),
            Case::Pascal => format!("V{name}"),
        };
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name = format!("r#{name}");
    }
    name
}

/// The bare identifier text, without a raw prefix (for building derived names).
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Hands out unique names within one scope.
#[derive(Debug, Default, Clone)]
pub struct NamePool {
    taken: BTreeSet<String>,
}

impl NamePool {
    pub fn new() -> Self {
        Self::default()
    }

    /// A pool with names already taken (by hand-written items in the same scope).
    pub fn with_reserved<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: names.into_iter().map(|n| bare(n).to_string()).collect(),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(bare(name))
    }

    /// Takes `name` if it is free; `None` if it is taken.
    pub fn try_claim(&mut self, name: &str) -> Option<String> {
        if self.taken.insert(bare(name).to_string()) {
            Some(name.to_string())
        } else {
            None
        }
    }

    /// Takes `name`, or the first free of `name{suffix}`, `name{suffix}2`, ...
    /// Deterministic for a given claim order.
    pub fn claim(&mut self, name: &str, suffix: &str) -> String {
        if let Some(n) = self.try_claim(name) {
            return n;
        }
        let base = bare(name);
        let snake = base
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let sep = if snake && !suffix.is_empty() { "_" } else { "" };
        let stem = format!("{base}{sep}{suffix}");
        if !suffix.is_empty() && self.taken.insert(stem.clone()) {
            return stem;
        }
        (2..)
            .map(|i| format!("{stem}{i}"))
            .find(|c| self.taken.insert(c.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_keywords_and_symbols() {
        assert_eq!(sanitize("type", Case::Snake), "r#type");
        assert_eq!(sanitize("@type", Case::Snake), "r#type");
        assert_eq!(sanitize("$ref", Case::Snake), "r#ref");
        assert_eq!(sanitize("self", Case::Snake), "self_");
        assert_eq!(sanitize("Self", Case::Pascal), "Self_");
        assert_eq!(sanitize("super", Case::Snake), "super_");
        assert_eq!(sanitize("crate", Case::Snake), "crate_");
        assert_eq!(sanitize("a-b", Case::Snake), "a_b");
        assert_eq!(sanitize("a-b", Case::Pascal), "AB");
        assert_eq!(sanitize("3d", Case::Snake), "_3d");
        assert_eq!(sanitize("3d", Case::Pascal), "V3d");
        assert_eq!(sanitize("", Case::Snake), "field");
        assert_eq!(sanitize("$", Case::Pascal), "Value");
        assert_eq!(sanitize("mediaItems", Case::Snake), "media_items");
        assert_eq!(sanitize("batchGet", Case::Pascal), "BatchGet");
        assert_eq!(sanitize("gen", Case::Snake), "r#gen");
    }

    #[test]
    fn every_sanitized_name_parses_as_an_identifier() {
        for wire in [
            "type", "self", "Self", "$ref", "@type", "a-b", "9", "__", "é", "x.y", "fn", "_",
        ] {
            for case in [Case::Snake, Case::Pascal] {
                let s = sanitize(wire, case);
                assert!(
                    syn::parse_str::<syn::Ident>(&s).is_ok(),
                    "{wire:?} -> {s:?}"
                );
            }
        }
    }

    #[test]
    fn pool_resolves_collisions_deterministically() {
        let mut pool = NamePool::new();
        assert_eq!(pool.claim("HttpHealthCheck", ""), "HttpHealthCheck");
        assert_eq!(pool.claim("HttpHealthCheck", ""), "HttpHealthCheck2");
        assert_eq!(pool.claim("HttpHealthCheck", ""), "HttpHealthCheck3");
        assert_eq!(pool.claim("get", "resource"), "get");
        assert_eq!(pool.claim("get", "resource"), "get_resource");
        assert_eq!(pool.claim("r#type", ""), "r#type");
        assert_eq!(pool.claim("r#type", ""), "type2");
    }
}
