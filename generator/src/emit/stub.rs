//! `stub.rs`: the API as a trait, for mocking.

use super::*;

/// The name of the API's stub trait: its name in UpperCamelCase (`Photoslibrary`).
pub(crate) fn stub_trait_name(api: &Api) -> String {
    bare(&sanitize(&api.name, Case::Pascal)).to_string()
}

/// `stub.rs`: a trait with one method per API method, each taking the method's
/// request builder; the default bodies fail with `Error::Unimplemented`.
pub(crate) fn stub_rs(api: &Api) -> TokenStream {
    fn walk(
        methods: &[Method],
        resources: &[Resource],
        module: TokenStream,
        out: &mut Vec<TokenStream>,
    ) {
        for m in methods {
            let name = ident(&m.stub);
            let builder = ident(&m.builder);
            let ret = match &m.response {
                Some(ty) => rust_type(ty),
                None => quote!(()),
            };
            let id = &m.id;
            let doc = format!(" `{}`: answers `send()` of [`{}`].", markdown::code(id), {
                let path = module.to_string().replace(' ', "");
                format!("{path}::{}", m.builder)
            });
            out.push(quote! {
                #[doc = #doc]
                fn #name(&self, request: #module::#builder) -> crate::BoxFuture<crate::Result<#ret>> {
                    let _ = request;
                    ::std::boxed::Box::pin(::std::future::ready(::std::result::Result::Err(
                        crate::Error::unimplemented(#id),
                    )))
                }
            });
        }
        for r in resources {
            let m = ident(&r.module);
            walk(&r.methods, &r.resources, quote!(#module::#m), out);
        }
    }
    let mut methods = Vec::new();
    walk(
        &api.methods,
        &api.resources,
        quote!(crate::api),
        &mut methods,
    );
    let name = ident(&stub_trait_name(api));
    let lib = &api.lib_name;
    let doc = format!(
        " The {} as a trait: one method per API method, each receiving the request \
         builder that `send()` was called on (its `get_*` methods show what it would send).\n\
         \n Implement the methods a test needs and pass the stub to \
         [`Client::from_stub`](crate::Client::from_stub); the others fail with \
         [`Error::Unimplemented`](crate::Error::Unimplemented). See `{lib}::Client::from_stub`.",
        markdown::one_line(&api.title)
    );
    let doc: Vec<String> = doc.lines().map(str::to_string).collect();
    quote! {
        //! Mocking: the API as a trait that a test implements instead of running
        //! a server.

        #(#[doc = #doc])*
        pub trait #name: ::std::marker::Send + ::std::marker::Sync + 'static {
            #(#methods)*
        }
    }
}
