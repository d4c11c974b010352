//! `models.rs`: one type per schema.

use super::*;

pub(crate) fn models_rs(api: &Api) -> TokenStream {
    let items = api.types.iter().map(|t| {
        let name = ident(&t.name);
        let doc = docs(t.description.as_deref());
        let deprecated = deprecated_attr(&t.deprecated);
        let doc = quote!(#doc #deprecated);
        match &t.kind {
            TypeKind::Struct(fields) => {
                let decls = fields.iter().map(field);
                let serde = fields.iter().map(|f| {
                    let name = ident(&f.name.rust);
                    let wire = &f.name.wire;
                    let kind = if needs_repr(&f.ty) {
                        format_ident!("repr")
                    } else {
                        format_ident!("plain")
                    };
                    quote!(#name: #wire #kind,)
                });
                let unknown = ident(lower::UNKNOWN_FIELDS);
                quote! {
                    #doc
                    #[derive(Clone, Debug, Default, PartialEq)]
                    pub struct #name {
                        #(#decls)*
                        /// Fields this version of the crate does not know (see [`UnknownFields`](crate::types::UnknownFields)).
                        pub #unknown: crate::types::UnknownFields,
                    }
                    crate::macros::model!(#name { #(#serde)* });
                }
            }
            TypeKind::Enum(variants) => {
                let defs = variants.iter().map(|v| {
                    let vname = ident(&v.name.rust);
                    let vdoc = match v.description.as_deref() {
                        Some(d) => docs(Some(d)),
                        None => docs(Some(&format!("`{}`", v.name.wire))),
                    };
                    let vdep = deprecated_attr(&v.deprecated);
                    quote! { #vdoc #vdep #vname, }
                });
                let pairs = variants.iter().map(|v| {
                    let vname = ident(&v.name.rust);
                    let wire = &v.name.wire;
                    quote! { #vname = #wire, }
                });
                quote! {
                    #doc
                    #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
                    #[non_exhaustive]
                    pub enum #name {
                        #(#defs)*
                        /// A value this version of the crate does not know, kept verbatim.
                        UnknownValue(::std::string::String),
                    }
                    crate::macros::open_enum!(#name { #(#pairs)* });
                }
            }
            TypeKind::Alias(ty) => {
                let ty = rust_type(ty);
                quote! {
                    #doc
                    pub type #name = #ty;
                }
            }
        }
    });
    quote! {
        //! The API's data types, one per schema of the discovery document, plus
        //! the inline objects and enums hoisted out of them.
        #(#items)*
    }
}

pub(crate) fn field(f: &Field) -> TokenStream {
    let mut doc_text = f.description.clone().unwrap_or_default();
    if f.read_only {
        doc_text = format!("[Output only] {doc_text}");
    }
    let doc = docs(Some(&doc_text));
    let name = ident(&f.name.rust);
    let ty = rust_type(&f.ty);
    let deprecated = deprecated_attr(&f.deprecated);
    quote! {
        #doc
        #deprecated
        pub #name: ::std::option::Option<#ty>,
    }
}
