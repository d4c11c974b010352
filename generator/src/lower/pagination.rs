//! Pagination: which methods page, where their page token goes and which
//! response field holds the items.

use std::collections::BTreeMap;

use crate::ir::*;

/// Sets `pagination` on every method; `types` are the final struct shapes.
pub(super) fn detect_pagination_all(api: &mut Api, types: &BTreeMap<String, TypeKind>) {
    fn walk(
        methods: &mut [Method],
        resources: &mut [Resource],
        types: &BTreeMap<String, TypeKind>,
    ) {
        for m in methods {
            m.pagination = detect_pagination(m, types);
        }
        for r in resources {
            walk(&mut r.methods, &mut r.resources, types);
        }
    }
    walk(&mut api.methods, &mut api.resources, types);
}

fn struct_fields<'t>(ty: &TypeRef, types: &'t BTreeMap<String, TypeKind>) -> Option<&'t [Field]> {
    match ty {
        TypeRef::Named { name, .. } => match types.get(name)? {
            TypeKind::Struct(fields) => Some(fields),
            _ => None,
        },
        _ => None,
    }
}

/// A method pages when its response has a string `nextPageToken` and its request
/// carries a string `pageToken`, as a query parameter or as a body field.
pub fn detect_pagination(m: &Method, types: &BTreeMap<String, TypeKind>) -> Option<Pagination> {
    let response = struct_fields(m.response.as_ref()?, types)?;
    let next_token = response
        .iter()
        .find(|f| f.name.wire == "nextPageToken" && f.ty == TypeRef::String)?
        .name
        .rust
        .clone();
    let token_in = if let Some(p) = m.params.iter().find(|p| {
        p.name.wire == "pageToken"
            && p.location == Location::Query
            && !p.repeated
            && p.ty == TypeRef::String
    }) {
        TokenLocation::Query(p.name.rust.clone())
    } else {
        let body = struct_fields(&m.request.as_ref()?.ty, types)?;
        let f = body
            .iter()
            .find(|f| f.name.wire == "pageToken" && f.ty == TypeRef::String)?;
        TokenLocation::Body(f.name.rust.clone())
    };
    let arrays: Vec<&Field> = response
        .iter()
        .filter(|f| matches!(f.ty, TypeRef::Array(_)))
        .collect();
    let pick = match arrays.as_slice() {
        [one] => Some(*one),
        many => many.iter().copied().find(|f| f.name.wire == "items"),
    };
    let items = pick.map(|f| ItemsField {
        field: f.name.clone(),
        item: match &f.ty {
            TypeRef::Array(inner) => (**inner).clone(),
            other => other.clone(),
        },
    });
    Some(Pagination {
        token_in,
        next_token,
        items,
    })
}
