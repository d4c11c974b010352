//! `lib.rs` (modules, re-exports of the runtime, the `API` static) and
//! `scopes.rs`.

use super::*;

/// Runtime modules the generated code and hand-written code name as `crate::<module>`
/// (the runtime's interface for generated code, hidden from the docs), and
/// those users name (`types`, `files`, `media`).
pub(crate) const RUNTIME_MODULES: &[&str] = &[
    "macros",
    "net",
    "pagination",
    "path",
    "resumable",
    "transport",
    "wire",
];

/// The root of the generated code: `lib.rs` of a whole crate, or `mod.rs` of
/// the mounted module (whose crate's own `lib.rs` holds the crate's docs
/// and attributes).
pub(crate) fn lib_rs(api: &Api, options: &Options) -> TokenStream {
    let base_url = &api.base_url;
    let service_path = &api.service_path;
    let data_wrapper = api.data_wrapper;
    let mut modules = crate_modules();
    // One sorted list, as rustfmt would order it.
    modules.sort_by(|a, b| a.0.cmp(&b.0));
    let modules = modules.iter().map(|(name, attrs)| {
        let name = ident(name);
        quote!(#attrs mod #name;)
    });
    let internal = RUNTIME_MODULES.iter().map(|m| ident(m));
    let endpoints = api.endpoints.iter().map(|e| {
        let location = &e.location;
        let url = &e.url;
        let description = markdown::one_line(e.description.as_deref().unwrap_or(""));
        quote! {
            ::discovery_runtime::Endpoint {
                location: #location,
                root_url: #url,
                description: #description,
            }
        }
    });
    let endpoints_doc = if api.endpoints.is_empty() {
        quote!(#[doc = " The API's endpoints by location, for [`ClientBuilder::location`]: this API lists none."])
    } else {
        let mut lines = vec![
            " The API's endpoints by location, for [`ClientBuilder::location`]:".to_string(),
            String::new(),
        ];
        for e in &api.endpoints {
            lines.push(format!(
                " - {}: {}",
                markdown::code(&e.location),
                markdown::code(&e.url)
            ));
        }
        quote!(#(#[doc = #lines])*)
    };
    let mtls = api.mtls_root_url.as_ref().map(|url| {
        quote! {
            /// The root URL for mutual TLS (the document's `mtlsRootUrl`). This crate
            /// presents no client certificate itself: where something in front of it does
            /// (a sidecar or proxy holding the certificate), pass
            /// `format!("{MTLS_ROOT_URL}{SERVICE_PATH}")` to [`ClientBuilder::base_url`].
            pub const MTLS_ROOT_URL: &str = #url;
        }
    });
    let media = api.has_media().then(|| {
        quote!(
            pub use ::discovery_runtime::media;
        )
    });
    // The crate's own uses of what it marks deprecated (derives, serde, the
    // builders); users still get the warnings.
    let allow_deprecated = api
        .has_deprecations()
        .then(|| quote!(#![allow(deprecated)]));
    let crate_attributes = options.module.is_none().then(|| {
        quote! {
            #![doc = include_str!("../README.md")]
            #![forbid(unsafe_code)]
            // docs.rs marks the items each feature adds.
            #![cfg_attr(docsrs, feature(doc_cfg))]
        }
    });
    quote! {
        #crate_attributes
        #allow_deprecated

        #(#modules)*

        // In rustfmt's order: `lib.rs` is rustfmt-clean as emitted.
        pub use ::discovery_runtime::chrono;
        #media
        pub use ::discovery_runtime::FieldMask;
        pub use ::discovery_runtime::RetryPolicy;
        #[cfg(feature = "yup-oauth2")]
        #[cfg_attr(docsrs, doc(cfg(feature = "yup-oauth2")))]
        pub use ::discovery_runtime::YupOAuth2;
        pub use ::discovery_runtime::{files, types};
        // The runtime's modules that generated code names as `crate::...`.
        #[allow(unused_imports)]
        use ::discovery_runtime::{#(#internal),*};
        pub use ::discovery_runtime::{token_fn, StaticToken, TokenFn, TokenFuture, TokenSource};
        pub use ::discovery_runtime::{ApiError, BoxError, Error, GoogleError, RawBody, Result};
        pub use ::discovery_runtime::{BoxFuture, Endpoint, RequestPreview, Xgafv};
        pub use ::discovery_runtime::{HeaderMap, StatusCode, TransportError};

        pub use client::{Client, ClientBuilder};

        /// Decodes a response body exactly as the client does: an empty body as
        /// `{}`, the value inside `"data"` for APIs with the `dataWrapper`
        /// feature, and an [`Error::Decode`] with an excerpt on failure. Useful
        /// for stored responses and push notifications.
        pub fn from_json<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
            ::discovery_runtime::transport::decode_with(body, DATA_WRAPPER)
        }

        /// The API's base URL, used unless [`ClientBuilder::base_url`] says otherwise.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// The API's path below the root URL (`DEFAULT_BASE_URL` ends with it).
        pub const SERVICE_PATH: &str = #service_path;

        #endpoints_doc
        pub const ENDPOINTS: &[Endpoint] = &[#(#endpoints),*];

        #mtls

        /// Whether request and response bodies are wrapped in `{"data": ...}` (the
        /// document's `dataWrapper` feature).
        const DATA_WRAPPER: bool = #data_wrapper;

        /// What the runtime needs to know about this API.
        static API: ::discovery_runtime::Api = ::discovery_runtime::Api {
            crate_name: env!("CARGO_PKG_NAME"),
            crate_version: env!("CARGO_PKG_VERSION"),
            default_base_url: DEFAULT_BASE_URL,
            service_path: SERVICE_PATH,
            data_wrapper: DATA_WRAPPER,
            endpoints: ENDPOINTS,
        };
    }
}

pub(crate) fn scopes_rs(api: &Api) -> TokenStream {
    let consts = api.scopes.iter().map(|s| {
        let name = ident(&s.const_name);
        let url = &s.url;
        let doc = docs(s.description.as_deref());
        let deprecated = deprecated_attr(&s.deprecated);
        quote! {
            #doc
            #deprecated
            pub const #name: &str = #url;
        }
    });
    quote! {
        //! OAuth 2.0 scopes of the API. A method accepts a token with any one of
        //! the scopes it lists.
        #(#consts)*
    }
}

pub(crate) fn scope_refs(api: &Api, scopes: &[String]) -> TokenStream {
    let refs = scopes
        .iter()
        .map(|url| match api.scopes.iter().find(|s| &s.url == url) {
            Some(s) => {
                let name = ident(&s.const_name);
                quote!(crate::scopes::#name)
            }
            None => quote!(#url),
        });
    quote!(&[#(#refs),*])
}
