//! A method's parameters: the accessor's positional arguments and the
//! builder's setters and getters.

use std::collections::BTreeMap;

use generator::ir::{Location, Method, Param};

use super::common::{keyed, rust, split};
use super::{Diff, Level};

impl Diff {
    /// Positional parameters are the accessor's arguments; the others are
    /// builder setters (a required one makes `send` fail while unset). Every
    /// parameter also has a `get_*` returning its type.
    pub(super) fn params(&mut self, id: &str, om: &Method, nm: &Method) {
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

#[cfg(test)]
mod tests {
    use crate::revdiff::fixture::{edited, lines, report};
    use crate::revdiff::Verdict;

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
}
