//! Request and response bodies: a `$ref` to a schema, or an inline object
//! hoisted as `<Builder>Request` / `<Builder>Response`, and the name of the
//! request's constructor argument.

use std::collections::BTreeSet;

use crate::discovery::{self, Schema};
use crate::ir::*;
use crate::names::{sanitize, Case, NamePool};
use crate::Error;

use super::Lower;

impl Lower {
    /// The method's request body, its argument named clear of the positional
    /// parameters it sits beside.
    pub(super) fn request(
        &mut self,
        m: &discovery::Method,
        builder: &str,
        params: &[Param],
        path: &str,
    ) -> Result<Option<Body>, Error> {
        let Some(body) = &m.request else {
            return Ok(None);
        };
        let ty = self.body_type(
            body,
            &format!("{builder}Request"),
            &format!("{path}.request"),
        )?;
        let wanted = body
            .parameter_name
            .as_deref()
            .map(|n| sanitize(n, Case::Snake))
            .unwrap_or_else(|| "request".into());
        let mut arg_pool = NamePool::with_reserved(
            params
                .iter()
                .filter(|p| p.positional)
                .map(|p| p.name.rust.as_str()),
        );
        Ok(Some(Body {
            ty,
            arg: arg_pool.claim(&wanted, "body"),
        }))
    }

    /// The method's response body.
    pub(super) fn response(
        &mut self,
        m: &discovery::Method,
        builder: &str,
        path: &str,
    ) -> Result<Option<TypeRef>, Error> {
        match &m.response {
            Some(body) => Ok(Some(self.body_type(
                body,
                &format!("{builder}Response"),
                &format!("{path}.response"),
            )?)),
            None => Ok(None),
        }
    }

    /// What makes `ty` unusable as a whole body: a timestamp, date or 64-bit
    /// integer outside a model (through aliases, lists and maps).
    fn not_a_body(&self, ty: &TypeRef) -> Option<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![ty];
        while let Some(ty) = stack.pop() {
            match ty {
                TypeRef::DateTime => return Some("timestamp".into()),
                TypeRef::Date => return Some("date".into()),
                TypeRef::I64 | TypeRef::U64 => return Some("64-bit integer".into()),
                TypeRef::Array(inner) | TypeRef::Map(inner) => stack.push(inner),
                TypeRef::Named { name, .. } if seen.insert(name.clone()) => {
                    if let Some(TypeDef {
                        kind: TypeKind::Alias(inner),
                        ..
                    }) = self.types.iter().find(|t| &t.name == name)
                    {
                        stack.push(inner);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A request or response body: its `$ref`, else an inline schema (hoisted
    /// as `hint`), else (`{}`, or only a `parameterName`) free JSON.
    fn body_type(
        &mut self,
        body: &discovery::BodyRef,
        hint: &str,
        path: &str,
    ) -> Result<TypeRef, Error> {
        let Some(reference) = body.reference.as_ref() else {
            let value = serde_json::Value::Object(body.extra.clone().into_iter().collect());
            let schema: Schema = serde_json::from_value(value).map_err(|e| Error::Invalid {
                path: path.to_string(),
                message: format!("not a schema: {e}"),
            })?;
            // An inline body is an object or free JSON; a bare scalar body
            // would need the wire forms only model fields get.
            let object = matches!(schema.type_.as_deref(), None | Some("object" | "any"));
            if !object || schema.items.is_some() {
                return Err(Error::Invalid {
                    path: path.to_string(),
                    message: "an inline request or response schema must be an object (or `{}`)"
                        .into(),
                });
            }
            return self.type_ref(&schema, hint, hint, path);
        };
        match self.schema_names.get(reference) {
            Some(name) => {
                let ty = TypeRef::Named {
                    name: name.clone(),
                    boxed: false,
                };
                if let Some(what) = self.not_a_body(&ty) {
                    return Err(Error::Invalid {
                        path: format!("{path}.$ref"),
                        message: format!(
                            "a request or response of type {what} is not supported (its JSON \
                             form differs from serde's; only model fields carry it)"
                        ),
                    });
                }
                Ok(ty)
            }
            None => Err(Error::Invalid {
                path: format!("{path}.$ref"),
                message: format!(
                    "`$ref` names the schema {reference:?}, which the document does not define"
                ),
            }),
        }
    }
}
