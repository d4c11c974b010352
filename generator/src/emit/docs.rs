//! Doc comments: document text through `markdown.rs`, and the method docs
//! (call, scopes, example) built from the IR.

use super::*;

/// `#[doc = ...]` attributes for a description, cleaned for rustdoc.
pub(crate) fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return TokenStream::new();
    };
    let lines = clean_doc(text);
    quote! { #( #[doc = #lines] )* }
}

/// `#[deprecated(note = ...)]` for a deprecated item (the note as inline
/// Markdown, which is how rustdoc shows it), or nothing.
pub(crate) fn deprecated_attr(deprecated: &Option<String>) -> TokenStream {
    match deprecated {
        Some(note) => {
            // The block sanitizer keeps well-formed code spans and links.
            let lines = markdown::block(note);
            let note = lines
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            quote!(#[deprecated(note = #note)])
        }
        None => TokenStream::new(),
    }
}

/// `#[doc = ...]` attributes for paragraphs cleaned one by one, so that a
/// fence the document leaves open is closed before the text we add.
pub(crate) fn docs_parts(parts: &[&str]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(clean_doc(part));
    }
    quote! { #( #[doc = #lines] )* }
}

/// `#![doc = ...]` attributes (a module's own docs), cleaned like [`docs`].
pub(crate) fn inner_docs(text: &str) -> TokenStream {
    let lines = clean_doc(text.trim());
    quote! { #( #![doc = #lines] )* }
}

/// A description as doc-comment lines (see [`crate::markdown::block`]), each
/// after the space that `///` is followed by.
pub fn clean_doc(text: &str) -> Vec<String> {
    markdown::block(text)
        .into_iter()
        .map(|l| if l.is_empty() { l } else { format!(" {l}") })
        .collect()
}

/// The doc lines both a method's accessor and its builder start with: the
/// description, the HTTP call and the method id, and the scopes.
pub(crate) fn method_doc(api: &Api, m: &Method) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(text) = m
        .description
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        lines.extend(clean_doc(text));
        lines.push(String::new());
    }
    if let Some(note) = m.note.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        lines.extend(clean_doc(note));
        lines.push(String::new());
    }
    let call = format!(
        "`{} {}` · `{}`",
        m.http_method.as_str(),
        m.path.template,
        m.id
    );
    lines.extend(clean_doc(&call));
    lines.extend(scopes_doc(api, &m.scopes));
    lines
}

/// "Scopes: any one of ..." with links to the `scopes` constants (our names,
/// so the links are ours; reference-style, so that the paragraph wraps), or
/// nothing for a method without scopes. A scope the document does not declare
/// is shown as escaped text.
pub(crate) fn scopes_doc(api: &Api, scopes: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    let mut targets = Vec::new();
    for url in scopes {
        match api.scopes.iter().find(|s| &s.url == url) {
            Some(s) => {
                names.push(format!("[`{}`]", s.const_name));
                let target = format!(" [`{0}`]: crate::scopes::{0}", s.const_name);
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
            None => names.push(markdown::inline(url)),
        }
    }
    let line = match names.as_slice() {
        [] => return Vec::new(),
        [one] => format!(" Scope: {one}."),
        all => format!(" Scopes: any one of {}.", all.join(", ")),
    };
    let mut lines = vec![String::new(), line];
    if !targets.is_empty() {
        lines.push(String::new());
        lines.extend(targets);
    }
    lines
}

/// An `# Example` section calling `m` through the resource accessors in
/// `chain`: a `no_run` doctest built from the IR's types and sanitized names
/// only (no document text), formatted by prettyplease.
pub(crate) fn method_example(api: &Api, m: &Method, chain: &[&str]) -> Vec<String> {
    let lib = ident(&api.lib_name);
    let mut target = quote!(client);
    for accessor in chain {
        let accessor = ident(accessor);
        target = quote!(#target.#accessor());
    }
    let name = ident(&m.name.rust);
    let mut args: Vec<TokenStream> = m.positional().map(|p| example_arg(api, p, &lib)).collect();
    if let Some(body) = &m.request {
        args.push(if is_stringish(api, &body.ty) {
            quote!("VALUE".into())
        } else {
            quote!(Default::default())
        });
    }
    let call = quote!(#target.#name(#(#args),*).send().await?);
    let call = match m.response {
        Some(_) => quote!(let response = #call;),
        None => quote!(#call;),
    };
    let body = quote! {
        async fn run() {
            let client = #lib::Client::builder().bearer_token("...").build()?;
            #call
        }
    };
    let mut lines = vec![
        " # Example".to_string(),
        String::new(),
        " ```no_run".to_string(),
        format!(
            " # async fn run() -> Result<(), {}::Error> {{",
            api.lib_name
        ),
    ];
    // The tokens are ours and always parse (were they not, the example
    // would only lose its body and still compile).
    if let Ok(file) = syn::parse2::<syn::File>(body) {
        let text = prettyplease::unparse(&file);
        let code: Vec<&str> = text.lines().collect();
        for line in code.iter().take(code.len().saturating_sub(1)).skip(1) {
            let line = line.strip_prefix("    ").unwrap_or(line);
            lines.push(format!(" {line}"));
        }
    }
    lines.push(" # Ok(())".to_string());
    lines.push(" # }".to_string());
    lines.push(" ```".to_string());
    lines
}

/// A placeholder value for a positional parameter in an example: its name in
/// capitals for strings (and enums, which convert from `&str`), else the
/// type's default.
pub(crate) fn example_arg(api: &Api, p: &Param, lib: &Ident) -> TokenStream {
    let placeholder = bare(&p.name.rust).trim_matches('_').to_uppercase();
    let placeholder = if placeholder.is_empty() {
        "VALUE".to_string()
    } else {
        placeholder
    };
    let typed_default = || {
        let ty = in_crate(rust_type(&p.ty), lib);
        quote!(<#ty>::default())
    };
    if p.repeated {
        if is_stringish(api, &p.ty) {
            quote!([#placeholder])
        } else {
            let value = typed_default();
            quote!([#value])
        }
    } else if is_stringish(api, &p.ty) {
        quote!(#placeholder)
    } else if matches!(
        p.ty,
        TypeRef::FieldMask | TypeRef::Bytes | TypeRef::Named { .. }
    ) {
        // Taken as `impl Into<T>`: the type must be named.
        typed_default()
    } else {
        quote!(Default::default())
    }
}

/// Whether a value of `ty` can be written as a string literal (`impl
/// Into<T>` from `&str`): strings, and enums or aliases of them.
pub(crate) fn is_stringish(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String => true,
        TypeRef::Named { name, boxed: false } => {
            match api.types.iter().find(|t| &t.name == name).map(|t| &t.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Alias(inner)) => *inner == TypeRef::String,
                _ => false,
            }
        }
        _ => false,
    }
}

/// `tokens` with the `crate` of paths replaced by the library's name (for code
/// outside the crate, as doctests are).
pub(crate) fn in_crate(tokens: TokenStream, lib: &Ident) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(i) if i == "crate" => TokenTree::Ident(lib.clone()),
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), in_crate(g.stream(), lib));
                group.set_span(g.span());
                TokenTree::Group(group)
            }
            other => other,
        })
        .collect()
}
