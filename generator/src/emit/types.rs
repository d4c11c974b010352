//! The one mapping from IR types to Rust types, shared by the library's and
//! the CLI's emitters.

use super::*;

/// The Rust type of a value (models and parameters alike), as the library
/// itself names it.
pub(crate) fn rust_type(ty: &TypeRef) -> TokenStream {
    type_in(ty, &quote!(crate))
}

/// The Rust type of a value, naming the library's items from `root`: `crate`
/// inside the library, the library's name in the command-line tool. The one
/// type mapping of both emitters.
pub(crate) fn type_in(ty: &TypeRef, root: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::U32 => quote!(u32),
        TypeRef::I64 => quote!(i64),
        TypeRef::U64 => quote!(u64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::FieldMask => quote!(#root::FieldMask),
        TypeRef::DateTime => quote!(#root::chrono::DateTime<#root::chrono::Utc>),
        TypeRef::Date => quote!(#root::chrono::NaiveDate),
        TypeRef::Duration => quote!(#root::types::Duration),
        TypeRef::Bytes => quote!(#root::types::Bytes),
        TypeRef::Any => quote!(::serde_json::Value),
        TypeRef::Object => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        TypeRef::Array(inner) => {
            let inner = type_in(inner, root);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_in(inner, root);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        TypeRef::Named { name, boxed } => {
            let name = ident(name);
            if *boxed {
                quote!(::std::boxed::Box<#root::models::#name>)
            } else {
                quote!(#root::models::#name)
            }
        }
    }
}

/// Whether values of this type go through `crate::wire::repr` (their JSON form
/// is not serde's default).
pub(crate) fn needs_repr(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::I64
        | TypeRef::U64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::DateTime
        | TypeRef::Date => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) => needs_repr(inner),
        _ => false,
    }
}

/// The Rust type a parameter is stored as in its builder.
pub(crate) fn param_type(p: &Param) -> TokenStream {
    let ty = rust_type(&p.ty);
    if p.repeated {
        quote!(::std::vec::Vec<#ty>)
    } else if p.positional {
        ty
    } else {
        quote!(::std::option::Option<#ty>)
    }
}

/// An argument type that accepts anything convertible (for strings and named
/// types) and the conversion applied to it.
pub(crate) fn param_arg(ty: &TypeRef) -> (TokenStream, TokenStream) {
    let rust = rust_type(ty);
    match ty {
        TypeRef::String | TypeRef::FieldMask | TypeRef::Bytes | TypeRef::Named { .. } => {
            (quote!(impl ::std::convert::Into<#rust>), quote!(.into()))
        }
        _ => (rust, TokenStream::new()),
    }
}
