//! `models.rs`: the named types, their fields and their enum values.

use std::collections::BTreeMap;

use generator::ir::{Field, TypeDef, TypeKind, Variant};

use super::common::{dep_note, keyed, rust, split};
use super::{Diff, Level};

impl Diff {
    /// `models.rs`: a struct, an open enum or a type alias per named type.
    pub(super) fn types(&mut self, old: &[TypeDef], new: &[TypeDef]) {
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

    fn fields(&mut self, ty: &str, old: &[Field], new: &[Field]) {
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

fn kind(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Alias(_) => "alias",
    }
}

#[cfg(test)]
mod tests {
    use crate::revdiff::fixture::{edited, lines, report};
    use crate::revdiff::Verdict;

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
}
