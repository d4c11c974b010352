//! Schemas -> types: named schemas, inline objects and enums hoisted into
//! named types, enum variants, and the type of every property or item.

use std::collections::{BTreeMap, BTreeSet};

use crate::discovery::{Document, Schema};
use crate::ir::*;
use crate::names::{bare, sanitize, Case, NamePool};
use crate::Error;

use super::lifecycle::deprecation;
use super::names::UNKNOWN_FIELDS;
use super::{child, Lower};

impl Lower {
    /// Lowers the document's named schemas. They take their names first, in
    /// id order, so hoisted types can never steal a schema's name and the
    /// choice is stable.
    pub(super) fn schemas(&mut self, doc: &Document) -> Result<(), Error> {
        for id in doc.schemas.keys() {
            let rust = self.type_pool.claim(&sanitize(id, Case::Pascal), "");
            self.schema_names.insert(id.clone(), rust);
        }
        for (id, schema) in &doc.schemas {
            let name = self.schema_names[id].clone();
            let path = child("$.schemas", id);
            let kind = self.type_kind(schema, &name, &path)?;
            self.types.push(TypeDef {
                name,
                origin: id.clone(),
                description: schema.description.clone(),
                kind,
                deprecated: deprecation(schema.deprecated, schema.description.as_deref()),
            });
        }
        Ok(())
    }

    /// A schema's kind: an enum, a struct, or an alias of another type.
    fn type_kind(&mut self, schema: &Schema, name: &str, path: &str) -> Result<TypeKind, Error> {
        if let Some(values) = &schema.enum_values {
            if schema.reference.is_none() && schema.type_.as_deref().unwrap_or("string") == "string"
            {
                return Ok(TypeKind::Enum(variants(
                    values,
                    schema.enum_descriptions.as_deref(),
                    schema.enum_deprecated.as_deref(),
                )));
            }
        }
        let is_object = schema.type_.as_deref() == Some("object")
            || (schema.type_.is_none() && !schema.properties.is_empty());
        if is_object && (!schema.properties.is_empty() || schema.additional_properties.is_none()) {
            return Ok(TypeKind::Struct(self.fields(schema, name, path)?));
        }
        Ok(TypeKind::Alias(
            self.type_ref_inner(schema, name, name, path)?,
        ))
    }

    /// The fields of the struct `name`, hoisting inline property types.
    fn fields(&mut self, schema: &Schema, name: &str, path: &str) -> Result<Vec<Field>, Error> {
        // Properties whose wire name is already the Rust name (`type`, `title`)
        // claim first, so a colliding `@type` or `Title` yields to them.
        let mut pool = NamePool::with_reserved([UNKNOWN_FIELDS]);
        let mut rust_names = BTreeMap::new();
        for natural in [true, false] {
            for wire in schema.properties.keys() {
                let wanted = sanitize(wire, Case::Snake);
                if (bare(&wanted) == wire) == natural {
                    rust_names.insert(wire, pool.claim(&wanted, ""));
                }
            }
        }
        let mut fields = Vec::new();
        for (wire, prop) in &schema.properties {
            let ppath = child(&format!("{path}.properties"), wire);
            let hint = format!("{name}{}", bare(&sanitize(wire, Case::Pascal)));
            let ty = self.type_ref(prop, &hint, &format!("{name}.{wire}"), &ppath)?;
            let rust = rust_names[wire].clone();
            fields.push(Field {
                name: Name {
                    wire: wire.clone(),
                    rust,
                },
                ty,
                description: prop.description.clone(),
                read_only: prop.read_only,
                deprecated: deprecation(prop.deprecated, prop.description.as_deref()),
            });
        }
        Ok(fields)
    }

    /// The type of a property or item; inline objects and enums are hoisted into
    /// named types called `hint` (made unique).
    pub(super) fn type_ref(
        &mut self,
        schema: &Schema,
        hint: &str,
        origin: &str,
        path: &str,
    ) -> Result<TypeRef, Error> {
        let hoist_enum = schema.enum_values.is_some()
            && schema.reference.is_none()
            && schema.type_.as_deref().unwrap_or("string") == "string";
        let hoist_struct = schema.reference.is_none()
            && (schema.type_.as_deref() == Some("object") || schema.type_.is_none())
            && !schema.properties.is_empty();
        if hoist_enum || hoist_struct {
            let name = self.type_pool.claim(hint, "");
            let kind = self.type_kind(schema, &name, path)?;
            self.types.push(TypeDef {
                name: name.clone(),
                origin: origin.to_string(),
                description: schema.description.clone(),
                kind,
                // The field or parameter that holds it carries the deprecation.
                deprecated: None,
            });
            return Ok(TypeRef::Named { name, boxed: false });
        }
        self.type_ref_inner(schema, hint, origin, path)
    }

    /// The type of `schema` without hoisting it: a reference, a scalar, or a
    /// list or map whose items may be hoisted.
    fn type_ref_inner(
        &mut self,
        schema: &Schema,
        hint: &str,
        origin: &str,
        path: &str,
    ) -> Result<TypeRef, Error> {
        if let Some(reference) = &schema.reference {
            return match self.schema_names.get(reference) {
                Some(name) => Ok(TypeRef::Named {
                    name: name.clone(),
                    boxed: false,
                }),
                None => Err(Error::Invalid {
                    path: format!("{path}.$ref"),
                    message: format!(
                        "`$ref` names the schema {reference:?}, which the document does not define"
                    ),
                }),
            };
        }
        let format = schema.format.as_deref();
        Ok(match schema.type_.as_deref() {
            None | Some("any") => TypeRef::Any,
            Some("string") => match format {
                Some("int64") => TypeRef::I64,
                Some("uint64") => TypeRef::U64,
                Some("google-fieldmask") => TypeRef::FieldMask,
                Some("google-datetime" | "date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                Some("google-duration") => TypeRef::Duration,
                Some("byte") => TypeRef::Bytes,
                _ => TypeRef::String,
            },
            Some("integer") => match format {
                Some("uint32") => TypeRef::U32,
                Some("int64") => TypeRef::I64,
                Some("uint64") => TypeRef::U64,
                _ => TypeRef::I32,
            },
            Some("number") => match format {
                Some("float") => TypeRef::F32,
                _ => TypeRef::F64,
            },
            Some("boolean") => TypeRef::Bool,
            Some("array") => {
                let items = schema.items.as_deref().ok_or_else(|| Error::Invalid {
                    path: path.to_string(),
                    message: "an `array` schema has no `items`".into(),
                })?;
                TypeRef::Array(Box::new(self.type_ref(items, hint, &format!("{origin}[]"), &format!("{path}.items"))?))
            }
            Some("object") => match &schema.additional_properties {
                Some(values) => {
                    let value_hint = format!("{hint}Value");
                    TypeRef::Map(Box::new(self.type_ref(values, &value_hint, &format!("{origin}{{}}"), &format!("{path}.additionalProperties"))?))
                }
                None => TypeRef::Object,
            },
            Some("null") => TypeRef::Any,
            Some(other) => {
                return Err(Error::Invalid {
                    path: format!("{path}.type"),
                    message: format!(
                        "unknown type {other:?} (expected one of any, array, boolean, integer, number, object, string)"
                    ),
                })
            }
        })
    }
}

/// An enum's variants, one per distinct value, in document order.
fn variants(
    values: &[String],
    descriptions: Option<&[String]>,
    deprecated: Option<&[bool]>,
) -> Vec<Variant> {
    // `UnknownValue` is the fallback variant every enum carries.
    let mut pool = NamePool::with_reserved(["UnknownValue"]);
    let mut seen = BTreeSet::new();
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| seen.insert(v.as_str()))
        .map(|(i, v)| Variant {
            name: Name {
                wire: v.clone(),
                rust: pool.claim(&sanitize(v, Case::Pascal), ""),
            },
            description: descriptions
                .and_then(|d| d.get(i))
                .filter(|d| !d.is_empty())
                .cloned(),
            deprecated: deprecation(
                deprecated.and_then(|d| d.get(i)).copied().unwrap_or(false),
                descriptions.and_then(|d| d.get(i)).map(String::as_str),
            ),
        })
        .collect()
}
