//! A method's parameters: their order, Rust names, location, type (checked
//! to have a text form in a URL) and whether they are required.
//!
//! This is the one place that reads a parameter's `location` and sets
//! [`Location`].

use std::collections::BTreeSet;

use crate::discovery;
use crate::ir::*;
use crate::names::{bare, sanitize, Case, NamePool};
use crate::Error;

use super::lifecycle::deprecation;
use super::names::{pascal_id, BUILDER_RESERVED};
use super::{child, Lower};

/// Whether the document puts the parameter in the path.
pub(super) fn is_path(p: &discovery::Parameter) -> bool {
    p.location.as_deref() == Some("path")
}

/// The parameter's location; the document's default is the query.
fn location(p: &discovery::Parameter, ppath: &str) -> Result<Location, Error> {
    match p.location.as_deref() {
        Some("path") => Ok(Location::Path),
        Some("query") | None => Ok(Location::Query),
        Some(other) => Err(Error::Invalid {
            path: format!("{ppath}.location"),
            message: format!("unsupported parameter location {other:?} (expected path or query)"),
        }),
    }
}

/// Every name in `parameterOrder` must be a parameter of the method.
fn check_order(m: &discovery::Method, path: &str) -> Result<(), Error> {
    for (i, name) in m.parameter_order.iter().enumerate() {
        if !m.parameters.contains_key(name) {
            return Err(Error::Invalid {
                path: format!("{path}.parameterOrder[{i}]"),
                message: format!("names the parameter {name:?}, which the method does not define"),
            });
        }
    }
    Ok(())
}

/// Path parameters in `parameterOrder`, other path parameters, then required
/// query parameters in `parameterOrder`, then the rest by name.
fn order(m: &discovery::Method) -> Vec<&String> {
    let mut order: Vec<&String> = Vec::new();
    let in_path = |n: &str| is_path(&m.parameters[n]);
    order.extend(m.parameter_order.iter().filter(|n| in_path(n)));
    order.extend(
        m.parameters
            .keys()
            .filter(|n| in_path(n) && !m.parameter_order.contains(n)),
    );
    order.extend(m.parameter_order.iter().filter(|n| !in_path(n)));
    let rest: Vec<&String> = m.parameters.keys().filter(|n| !order.contains(n)).collect();
    order.extend(rest);
    order
}

/// `required: true`, or a description that begins with "Required."
fn required(schema: &discovery::Schema) -> bool {
    schema.required
        || schema
            .description
            .as_deref()
            .is_some_and(|d| d.trim_start().starts_with("Required."))
}

impl Lower {
    /// The parameters of the method `id` at `path`, in the order the
    /// accessor takes them, named clear of the builder's own items.
    pub(super) fn params(
        &mut self,
        m: &discovery::Method,
        id: &str,
        path: &str,
    ) -> Result<Vec<Param>, Error> {
        check_order(m, path)?;
        let mut pool = NamePool::with_reserved(BUILDER_RESERVED.iter().copied());
        let mut params = Vec::new();
        for wire_name in order(m) {
            params.push(self.param(&m.parameters[wire_name], wire_name, id, path, &mut pool)?);
        }
        Ok(params)
    }

    fn param(
        &mut self,
        p: &discovery::Parameter,
        wire_name: &str,
        id: &str,
        path: &str,
        pool: &mut NamePool,
    ) -> Result<Param, Error> {
        let ppath = child(&format!("{path}.parameters"), wire_name);
        let location = location(p, &ppath)?;
        let schema = &p.schema;
        let ty = self.param_type(schema, wire_name, id, &ppath)?;
        if let Some(what) = self.not_a_parameter_value(&ty) {
            let place = match location {
                Location::Path => "path",
                Location::Query => "query",
            };
            return Err(Error::Invalid {
                path: ppath,
                message: format!(
                    "a {place} parameter of type {what} has no text form in a URL (only strings, \
                     numbers, booleans, enums and formatted strings, or lists of them)"
                ),
            });
        }
        let description = schema.description.clone();
        Ok(Param {
            name: Name {
                wire: wire_name.to_string(),
                rust: pool.claim(&sanitize(wire_name, Case::Snake), "param"),
            },
            location,
            ty,
            required: required(schema),
            repeated: schema.repeated || schema.type_.as_deref() == Some("array"),
            positional: location == Location::Path,
            pattern: schema.pattern.clone(),
            default: schema.default.as_ref().map(|d| match d {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            deprecated: deprecation(schema.deprecated, description.as_deref()),
            description,
            flag: String::new(),
        })
    }

    /// The type of one value of the parameter; inline enums are hoisted as
    /// `<Method><Param>`.
    fn param_type(
        &mut self,
        schema: &discovery::Schema,
        wire_name: &str,
        id: &str,
        ppath: &str,
    ) -> Result<TypeRef, Error> {
        let hint = format!(
            "{}{}",
            pascal_id(id),
            bare(&sanitize(wire_name, Case::Pascal))
        );
        let origin = format!("{id}.{wire_name}");
        if schema.type_.as_deref() == Some("array") {
            // Some documents spell a repeated parameter as an array schema.
            let items = schema.items.as_deref().cloned().unwrap_or_default();
            self.type_ref(&items, &hint, &origin, &format!("{ppath}.items"))
        } else {
            self.type_ref(schema, &hint, &origin, ppath)
        }
    }

    /// What makes `ty` unusable as a parameter value (objects, maps, free
    /// JSON, nested lists), or `None` when it has a text form.
    fn not_a_parameter_value(&self, ty: &TypeRef) -> Option<String> {
        let mut seen = BTreeSet::new();
        let mut ty = ty;
        loop {
            return match ty {
                TypeRef::Any => Some("any (free JSON)".into()),
                TypeRef::Object => Some("object".into()),
                TypeRef::Map(_) => Some("map".into()),
                TypeRef::Array(_) => Some("list of lists".into()),
                TypeRef::Named { name, .. } => {
                    let t = self.types.iter().find(|t| &t.name == name)?;
                    match &t.kind {
                        TypeKind::Enum(_) => None,
                        TypeKind::Struct(_) => Some(format!("object ({name})")),
                        TypeKind::Alias(inner) if seen.insert(name.clone()) => {
                            ty = inner;
                            continue;
                        }
                        TypeKind::Alias(_) => Some(format!("a cyclic alias ({name})")),
                    }
                }
                _ => None,
            };
        }
    }
}
