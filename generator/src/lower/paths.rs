//! Path templates: `v1/{+name}:cancel` parsed into literals and placeholders,
//! each placeholder checked against the method's path parameters.

use crate::discovery;
use crate::ir::*;
use crate::Error;

use super::params::is_path;

/// A method's path template, and whether it is relative to the root URL.
pub(super) fn method_path(
    m: &discovery::Method,
    path: &str,
) -> Result<(PathTemplate, bool), Error> {
    // A path that starts with `/` is relative to the root URL, not to the
    // service's base (RFC 3986 §5.2: an absolute path replaces the base's).
    let from_root = m.path.starts_with('/');
    let template = parse_path(m.path.trim_start_matches('/'), &format!("{path}.path"))?;
    check_placeholders(&template, m, &format!("{path}.path"))?;
    Ok((template, from_root))
}

/// Parses `v1/{+name}:cancel`, `{/x*}` and friends.
pub fn parse_path(template: &str, path: &str) -> Result<PathTemplate, Error> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(PathPart::Literal(rest[..open].to_string()));
        }
        let close = rest[open..].find('}').ok_or_else(|| Error::Invalid {
            path: path.to_string(),
            message: format!("unclosed `{{` in the path template {template:?}"),
        })? + open;
        let mut expr = &rest[open + 1..close];
        let mut reserved = false;
        let mut slash = false;
        if let Some(e) = expr.strip_prefix('+') {
            reserved = true;
            expr = e;
        } else if let Some(e) = expr.strip_prefix('/') {
            slash = true;
            expr = e;
        }
        let explode = expr.ends_with('*');
        let name = expr.trim_end_matches('*');
        if name.is_empty() || name.contains(|c: char| "{}+/#?&;.=,!@|*".contains(c)) {
            return Err(Error::Invalid {
                path: path.to_string(),
                message: format!(
                    "unsupported expression {{{}}} in the path template {template:?}",
                    &rest[open + 1..close]
                ),
            });
        }
        parts.push(PathPart::Var(PathVar {
            name: name.to_string(),
            reserved,
            slash_explode: slash && explode,
        }));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        if rest.contains('}') {
            return Err(Error::Invalid {
                path: path.to_string(),
                message: format!("unmatched `}}` in the path template {template:?}"),
            });
        }
        parts.push(PathPart::Literal(rest.to_string()));
    }
    Ok(PathTemplate {
        template: template.to_string(),
        parts,
    })
}

/// Every placeholder of `template` must name a path parameter of `m`.
pub(super) fn check_placeholders(
    template: &PathTemplate,
    m: &discovery::Method,
    path: &str,
) -> Result<(), Error> {
    for part in &template.parts {
        if let PathPart::Var(v) = part {
            match m.parameters.get(&v.name) {
                Some(p) if is_path(p) => {}
                _ => {
                    return Err(Error::Invalid {
                        path: path.to_string(),
                        message: format!(
                            "the path placeholder {{{}}} has no path parameter of that name",
                            v.name
                        ),
                    })
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_path_templates() {
        let t = parse_path("v1/{+name}:cancel", "$").unwrap();
        assert_eq!(
            t.parts,
            vec![
                PathPart::Literal("v1/".into()),
                PathPart::Var(PathVar {
                    name: "name".into(),
                    reserved: true,
                    slash_explode: false
                }),
                PathPart::Literal(":cancel".into()),
            ]
        );
        let t = parse_path("b/{bucket}/o{/object*}", "$").unwrap();
        assert_eq!(
            t.parts[3],
            PathPart::Var(PathVar {
                name: "object".into(),
                reserved: false,
                slash_explode: true
            })
        );
        assert!(parse_path("a/{b", "$.p")
            .unwrap_err()
            .to_string()
            .contains("$.p"));
        assert!(parse_path("a/{}", "$").is_err());
        assert!(parse_path("a}", "$").is_err());
    }
}
