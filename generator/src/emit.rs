//! IR -> the files of the client crate: Rust built with `quote`, `Cargo.toml`
//! and `README.md` from minijinja templates, and the API's overlay copied in.
//! The runtime is a crate of its own (`generator/runtime`) that every
//! generated crate depends on.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::format::header;
use crate::ir::*;
use crate::lower;
use crate::markdown;
use crate::names::{bare, sanitize, Case};
use crate::{Error, File, Options};

const CARGO_TEMPLATE: &str = include_str!("../templates/Cargo.toml.j2");
const README_TEMPLATE: &str = include_str!("../templates/README.md.j2");

/// One file of the crate before formatting.
pub struct Source {
    pub path: String,
    pub content: Content,
}

pub enum Content {
    /// Rust code, formatted by [`crate::format`].
    Rust(TokenStream),
    /// Finished text (templates and the runtime, header included).
    Text(String),
}

/// A file to produce: finished text, or Rust code still to emit.
enum Job<'a> {
    Text(String, String),
    Lib,
    Models,
    Scopes,
    Stub,
    ClientMod,
    ApiMod,
    Resource(&'a Resource),
}

impl Job<'_> {
    fn path(&self) -> String {
        match self {
            Job::Text(path, _) => path.clone(),
            Job::Lib => "src/lib.rs".into(),
            Job::Models => "src/models.rs".into(),
            Job::Scopes => "src/scopes.rs".into(),
            Job::Stub => "src/stub.rs".into(),
            Job::ClientMod => "src/client.rs".into(),
            Job::ApiMod => "src/api/mod.rs".into(),
            Job::Resource(r) => format!("src/api/{}.rs", bare(&r.module)),
        }
    }

    fn source(&self, api: &Api, options: &Options) -> Source {
        let content = match self {
            Job::Text(_, text) => Content::Text(text.clone()),
            Job::Lib => Content::Rust(lib_rs(api, options)),
            Job::Models => Content::Rust(models_rs(api)),
            Job::Scopes => Content::Rust(scopes_rs(api)),
            Job::Stub => Content::Rust(stub_rs(api)),
            Job::ClientMod => Content::Rust(client_rs(api)),
            Job::ApiMod => Content::Rust(api_mod_rs(api)),
            Job::Resource(r) => Content::Rust(resource_file(api, r)),
        };
        Source {
            path: self.path(),
            content,
        }
    }
}

fn jobs<'a>(api: &'a Api, options: &Options) -> Result<Vec<Job<'a>>, Error> {
    let mut jobs = vec![
        Job::Text(
            "Cargo.toml".into(),
            template(CARGO_TEMPLATE, api, options, "#")?,
        ),
        Job::Text(
            "README.md".into(),
            template(README_TEMPLATE, api, options, "<!--")?,
        ),
        Job::Lib,
        Job::Models,
        Job::Scopes,
        Job::Stub,
        Job::ClientMod,
        Job::ApiMod,
    ];
    jobs.extend(api.resources.iter().map(Job::Resource));
    // Hand-written per-API extensions, copied in with a header naming their source.
    let taken: Vec<String> = crate_modules(api)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for overlay in &options.overlays {
        if let Some(name) = overlay_module(&overlay.path) {
            if taken.iter().any(|t| t == name) || sanitize(name, Case::Snake) != name {
                return Err(Error::Overlay {
                    path: overlay.path.clone(),
                    message: format!("`{name}` is not a free module name in the generated crate"),
                });
            }
        }
        if jobs.iter().any(|j| j.path() == overlay.path) {
            return Err(Error::Overlay {
                path: overlay.path.clone(),
                message: "would replace a generated file".into(),
            });
        }
        let contents = match overlay.path.rsplit('.').next() {
            Some("rs") => format!(
                "{}{}",
                crate::format::overlay_header(&overlay.path, options),
                overlay.contents
            ),
            _ => overlay.contents.clone(),
        };
        jobs.push(Job::Text(overlay.path.clone(), contents));
    }
    Ok(jobs)
}

/// Every file of the crate, unformatted.
pub fn crate_sources(api: &Api, options: &Options) -> Result<Vec<Source>, Error> {
    Ok(jobs(api, options)?
        .iter()
        .map(|job| job.source(api, options))
        .collect())
}

/// Every file of the crate, formatted and sorted by path. Files are emitted
/// and formatted on all cores (token streams cannot cross threads, so each
/// thread emits its own); each file depends only on the IR, so the output is
/// the same whatever the schedule.
pub fn crate_files(api: &Api, options: &Options) -> Result<Vec<File>, Error> {
    let jobs = jobs(api, options)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let results: Vec<Result<Vec<File>, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let jobs = &jobs;
                scope.spawn(move || {
                    let mine = jobs
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|job| job.source(api, options))
                        .collect();
                    crate::format::files(mine, options)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::Internal {
                        file: "(emit)".into(),
                        message: "a code generation thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    let mut files = Vec::new();
    for result in results {
        files.extend(result?);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

// ---------------------------------------------------------------- templates

/// Renders a minijinja template (keeping its trailing newline). Templates
/// insert document text only through the filters `toml` (a TOML string
/// literal, see [`crate::manifest`]) and `md` (single-line inline Markdown,
/// see [`markdown::inline`]), or as text already cleaned by [`markdown`].
pub(crate) fn render(file: &str, source: &str, ctx: minijinja::Value) -> Result<String, Error> {
    let mut env = minijinja::Environment::new();
    env.set_keep_trailing_newline(true);
    env.add_filter("toml", |value: &str| crate::manifest::toml_string(value));
    env.add_filter("md", |value: &str| markdown::inline(value));
    let internal = |e: minijinja::Error| Error::Internal {
        file: file.into(),
        message: e.to_string(),
    };
    env.add_template("t", source).map_err(internal)?;
    env.get_template("t")
        .and_then(|t| t.render(ctx))
        .map_err(internal)
}

fn template(source: &str, api: &Api, options: &Options, comment: &str) -> Result<String, Error> {
    let resources: Vec<String> = api
        .resources
        .iter()
        .map(|r| format!("{}()", bare(&r.name.rust)))
        .collect();
    let has_examples = options
        .overlays
        .iter()
        .any(|o| o.path.starts_with("examples/"));
    // One paragraph's worth of description goes after the first sentence;
    // anything longer is a block of its own.
    let description = api
        .description
        .as_deref()
        .map(|d| markdown::block(d.trim()).join("\n"))
        .filter(|d| !d.is_empty());
    let ctx = minijinja::context! {
        header => header(comment, options).trim_end().to_string() + if comment == "<!--" { " -->" } else { "" },
        crate_name => api.crate_name,
        lib_name => api.lib_name,
        name => api.name,
        keyword => crate::manifest::keyword(&api.name).filter(|k| !["google", "api", "client"].contains(&k.as_str())),
        version => api.version,
        title => api.title,
        summary => {
            let revision = api.revision.as_deref().map(|r| format!(" (revision {r})")).unwrap_or_default();
            markdown::one_line(&format!("Async client for the {} {}{revision}", api.title, api.version))
        },
        description_inline => description.as_ref().filter(|d| !d.contains('\n')),
        description_block => description.as_ref().filter(|d| d.contains('\n')),
        revision => api.revision,
        documentation_link => api.documentation_link.as_deref().and_then(markdown::link),
        resources => resources,
        has_examples => has_examples,
        example => example_call(api, false),
        example_items => example_call(api, true),
        source => options.source,
        command => options.command,
        runtime_path => options.runtime_path,
        // Hand-written modules, which the README names with their source.
        overlay_modules => options.overlays.iter().filter_map(|o| overlay_module(&o.path)).collect::<Vec<_>>(),
        overlay_source => options.overlay_source,
    };
    if comment == "#" {
        let text = render("Cargo.toml", source, ctx)?;
        let mut tables = vec!["package", "lib", "dependencies", "features"];
        if has_examples {
            tables.push("dev-dependencies");
        }
        crate::manifest::check(
            "Cargo.toml",
            &text,
            &crate::manifest::Expected {
                tables: &tables,
                package_keys: &[
                    "name",
                    "version",
                    "edition",
                    "rust-version",
                    "description",
                    "license",
                    "readme",
                    "keywords",
                    "categories",
                ],
                package_name: &api.crate_name,
                lib_name: Some(&api.lib_name),
                bin: None,
                path_dependency: Some(("discovery-runtime", &options.runtime_path)),
            },
        )?;
        Ok(text)
    } else {
        render("README.md", source, ctx)
    }
}

/// A call for the README examples: the first GET with no arguments to give
/// (with `items`, the first such method that pages over items).
fn example_call(api: &Api, items: bool) -> Option<String> {
    fn find(
        prefix: &str,
        methods: &[Method],
        resources: &[Resource],
        items: bool,
    ) -> Option<String> {
        for m in methods {
            let simple = m.http_method == HttpMethod::Get
                && m.request.is_none()
                && m.response.is_some()
                && m.params.iter().all(|p| !p.required && !p.positional)
                && (!items || m.pagination.as_ref().is_some_and(|p| p.items.is_some()));
            if simple {
                return Some(format!("{prefix}{}()", m.name.rust));
            }
        }
        resources.iter().find_map(|r| {
            find(
                &format!("{prefix}{}().", r.name.rust),
                &r.methods,
                &r.resources,
                items,
            )
        })
    }
    find("", &api.methods, &api.resources, items)
}

// ---------------------------------------------------------------- helpers

/// An identifier from a sanitized name (`r#type` becomes a raw identifier).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc = ...]` attributes for a description, cleaned for rustdoc.
fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return TokenStream::new();
    };
    let lines = clean_doc(text);
    quote! { #( #[doc = #lines] )* }
}

/// `#[doc = ...]` attributes for paragraphs cleaned one by one, so that a
/// fence the document leaves open is closed before the text we add.
fn docs_parts(parts: &[&str]) -> TokenStream {
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
fn inner_docs(text: &str) -> TokenStream {
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

/// The Rust type of a value (models and parameters alike).
fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::U32 => quote!(u32),
        TypeRef::I64 => quote!(i64),
        TypeRef::U64 => quote!(u64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::FieldMask => quote!(crate::FieldMask),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Duration => quote!(crate::types::Duration),
        TypeRef::Bytes => quote!(crate::types::Bytes),
        TypeRef::Any => quote!(::serde_json::Value),
        TypeRef::Object => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        TypeRef::Array(inner) => {
            let inner = rust_type(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        TypeRef::Named { name, boxed } => {
            let name = ident(name);
            if *boxed {
                quote!(::std::boxed::Box<crate::models::#name>)
            } else {
                quote!(crate::models::#name)
            }
        }
    }
}

/// Whether values of this type go through `crate::wire::repr` (their JSON form
/// is not serde's default).
fn needs_repr(ty: &TypeRef) -> bool {
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

// ---------------------------------------------------------------- lib.rs, scopes.rs

/// Modules of every generated crate (besides overlays), with their attributes.
fn crate_modules(_api: &Api) -> Vec<(String, TokenStream)> {
    // `rustfmt::skip`: prettyplease output; `lib.rs` itself is rustfmt-clean.
    let skip = quote!(#[rustfmt::skip] pub);
    ["api", "client", "models", "scopes", "stub"]
        .into_iter()
        .map(|name| (name.to_string(), skip.clone()))
        .collect()
}

/// Runtime modules the generated code and overlays name as `crate::<module>`
/// (the runtime's interface for generated code, hidden from the docs), and
/// those users name (`types`, `files`, `media`).
const RUNTIME_MODULES: &[&str] = &[
    "macros",
    "net",
    "pagination",
    "path",
    "resumable",
    "transport",
    "wire",
];

/// The module an overlay file `src/<name>.rs` becomes.
fn overlay_module(path: &str) -> Option<&str> {
    path.strip_prefix("src/")?
        .strip_suffix(".rs")
        .filter(|m| !m.contains('/'))
}

fn lib_rs(api: &Api, options: &Options) -> TokenStream {
    let base_url = &api.base_url;
    let service_path = &api.service_path;
    let data_wrapper = api.data_wrapper;
    let mut modules = crate_modules(api);
    for overlay in &options.overlays {
        if let Some(name) = overlay_module(&overlay.path) {
            modules.push((name.to_string(), quote!(pub)));
        }
    }
    // One sorted list, as rustfmt would order it.
    modules.sort_by(|a, b| a.0.cmp(&b.0));
    let modules = modules.iter().map(|(name, attrs)| {
        let name = ident(name);
        quote!(#attrs mod #name;)
    });
    let internal = RUNTIME_MODULES.iter().map(|m| ident(m));
    let media = api.has_media().then(|| {
        quote!(
            pub use ::discovery_runtime::media;
        )
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![forbid(unsafe_code)]

        #(#modules)*

        // In rustfmt's order: `lib.rs` is rustfmt-clean as emitted.
        pub use ::discovery_runtime::chrono;
        #media
        pub use ::discovery_runtime::FieldMask;
        pub use ::discovery_runtime::RetryPolicy;
        #[cfg(feature = "yup-oauth2")]
        pub use ::discovery_runtime::YupOAuth2;
        pub use ::discovery_runtime::{files, types};
        // The runtime's modules that generated code and overlays name as `crate::...`.
        #[allow(unused_imports)]
        use ::discovery_runtime::{#(#internal),*};
        pub use ::discovery_runtime::{token_fn, StaticToken, TokenFn, TokenFuture, TokenSource};
        pub use ::discovery_runtime::{ApiError, BoxError, Error, GoogleError, Result};
        pub use ::discovery_runtime::{BoxFuture, Xgafv};
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
        const SERVICE_PATH: &str = #service_path;

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
        };
    }
}

/// The doc lines of the crate's `Client`.
fn client_doc(api: &Api) -> Vec<String> {
    let client_doc = format!(
        "The entry point of the {title}: cheap to clone (an `Arc` inside), safe to share between tasks.\n\n\
         It dereferences to the runtime's [`discovery_runtime::Client`], whose token sources, errors and \
         retry policies the clients of every generated API share.\n\n\
         ```no_run\n\
         # async fn run() -> Result<(), {lib}::Error> {{\n\
         let client = {lib}::Client::builder()\n    \
         .bearer_token(std::env::var(\"ACCESS_TOKEN\").unwrap_or_default())\n    \
         .timeout(std::time::Duration::from_secs(30))\n    \
         .build()?;\n\
         # let _ = client; Ok(()) }}\n\
         ```",
        title = markdown::one_line(&api.title),
        lib = api.lib_name,
    );
    // One `#[doc]` per line: prettyplease prints those as `///` comments.
    client_doc.lines().map(|l| format!(" {l}")).collect()
}

/// The doc lines of `Client::from_stub`.
fn from_stub_doc(api: &Api) -> Vec<String> {
    let from_stub_doc = format!(
        "A client whose every call goes to `stub` instead of the network: for testing code that \
         uses this API without a server. The request builders work unchanged, `pages()` and \
         `items()` included; methods the stub does not implement fail with \
         `Error::Unimplemented`.\n\n\
         ```\n\
         use {lib}::stub::{trait_name};\n\n\
         #[derive(Debug)]\n\
         struct Offline;\n\
         impl {trait_name} for Offline {{}}\n\n\
         let client = {lib}::Client::from_stub(Offline);\n\
         # let _ = client;\n\
         ```",
        lib = api.lib_name,
        trait_name = stub_trait_name(api),
    );
    from_stub_doc.lines().map(|l| format!(" {l}")).collect()
}

/// `client.rs`: the crate's `Client`, a newtype over the runtime's client that
/// can also hold a stub.
fn client_rs(api: &Api) -> TokenStream {
    let client_doc = client_doc(api);
    let stub_trait = ident(&stub_trait_name(api));
    let from_stub_doc = from_stub_doc(api);
    quote! {
        //! The entry point of the API.

        use crate::stub;

        #(#[doc = #client_doc])*
        #[derive(Clone)]
        pub struct Client {
            inner: ::discovery_runtime::Client,
            stub: ::std::option::Option<::std::sync::Arc<dyn stub::#stub_trait>>,
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match &self.stub {
                    ::std::option::Option::Some(_) => f.write_str("Client(stub)"),
                    ::std::option::Option::None => ::std::fmt::Debug::fmt(&self.inner, f),
                }
            }
        }

        /// Configures a [`Client`]; see [`discovery_runtime::ClientBuilder`].
        pub type ClientBuilder = ::discovery_runtime::ClientBuilder<Client>;

        impl Client {
            /// Starts configuring a client.
            pub fn builder() -> ClientBuilder {
                ::discovery_runtime::ClientBuilder::new(&crate::API)
            }

            #(#[doc = #from_stub_doc])*
            pub fn from_stub(stub: impl stub::#stub_trait) -> Self {
                // Never used for requests: the stub answers them all.
                let inner = ::discovery_runtime::ClientBuilder::new(&crate::API)
                    .no_auth()
                    .no_proxy()
                    .build()
                    .expect("a client without proxy or extra certificates always builds");
                Client {
                    inner,
                    stub: ::std::option::Option::Some(::std::sync::Arc::new(stub)),
                }
            }

            /// The stub requests go to instead of the network, if any.
            pub(crate) fn stub(&self) -> ::std::option::Option<::std::sync::Arc<dyn stub::#stub_trait>> {
                self.stub.clone()
            }
        }

        impl ::std::convert::From<::discovery_runtime::Client> for Client {
            fn from(inner: ::discovery_runtime::Client) -> Self {
                Client { inner, stub: ::std::option::Option::None }
            }
        }

        impl ::std::ops::Deref for Client {
            type Target = ::discovery_runtime::Client;
            fn deref(&self) -> &Self::Target {
                &self.inner
            }
        }

        impl ::std::convert::AsRef<::discovery_runtime::Client> for Client {
            fn as_ref(&self) -> &::discovery_runtime::Client {
                &self.inner
            }
        }

    }
}

/// The name of the API's stub trait: its name in UpperCamelCase (`Photoslibrary`).
fn stub_trait_name(api: &Api) -> String {
    bare(&sanitize(&api.name, Case::Pascal)).to_string()
}

/// `stub.rs`: a trait with one method per API method, each taking the method's
/// request builder; the default bodies fail with `Error::Unimplemented`.
fn stub_rs(api: &Api) -> TokenStream {
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
            let doc = format!(" `{id}`: answers `send()` of [`{}`].", {
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

fn scopes_rs(api: &Api) -> TokenStream {
    let consts = api.scopes.iter().map(|s| {
        let name = ident(&s.const_name);
        let url = &s.url;
        let doc = docs(s.description.as_deref());
        quote! {
            #doc
            pub const #name: &str = #url;
        }
    });
    quote! {
        //! OAuth 2.0 scopes of the API. A method accepts a token with any one of
        //! the scopes it lists.
        #(#consts)*
    }
}

fn scope_refs(api: &Api, scopes: &[String]) -> TokenStream {
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

// ---------------------------------------------------------------- models

fn models_rs(api: &Api) -> TokenStream {
    let items = api.types.iter().map(|t| {
        let name = ident(&t.name);
        let doc = docs(t.description.as_deref());
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
                    quote! { #vdoc #vname, }
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

fn field(f: &Field) -> TokenStream {
    let mut doc_text = f.description.clone().unwrap_or_default();
    if f.read_only {
        doc_text = format!("[Output only] {doc_text}");
    }
    let doc = docs(Some(&doc_text));
    let name = ident(&f.name.rust);
    let ty = rust_type(&f.ty);
    quote! {
        #doc
        pub #name: ::std::option::Option<#ty>,
    }
}

// ---------------------------------------------------------------- resources and builders

fn api_mod_rs(api: &Api) -> TokenStream {
    let modules = api.resources.iter().map(|r| {
        let m = ident(&r.module);
        quote!(pub mod #m;)
    });
    let accessors = api
        .resources
        .iter()
        .map(|r| resource_accessor(r, quote!(self.clone())));
    let method_accessors = api
        .methods
        .iter()
        .map(|m| method_accessor(api, m, quote!(self.clone()), &[]));
    let builders = api.methods.iter().map(|m| builder(api, m, None));
    let names: Vec<Ident> = api.methods.iter().map(|m| ident(&m.builder)).collect();
    let call_options =
        (!names.is_empty()).then(|| quote!(crate::macros::call_options!(#(#names),*);));
    quote! {
        //! Resources and methods: a handle per resource, a request builder per method.

        impl crate::Client {
            #(#accessors)*
            #(#method_accessors)*
        }

        #(#modules)*
        #(#builders)*
        #call_options
    }
}

fn resource_accessor(r: &Resource, client: TokenStream) -> TokenStream {
    let accessor = ident(&r.name.rust);
    let module = ident(&r.module);
    let ty = ident(&r.type_name);
    let doc = docs(Some(&format!("The `{}` resource.", r.name.wire)));
    quote! {
        #doc
        pub fn #accessor(&self) -> #module::#ty {
            #module::#ty { client: #client }
        }
    }
}

fn resource_file(api: &Api, r: &Resource) -> TokenStream {
    let body = resource_items(api, r, &[]);
    let doc = inner_docs(&format!(
        "The `{}` resource and its request builders.",
        r.name.wire
    ));
    quote! {
        #doc
        #body
    }
}

/// `parents`: the accessors of the resources that hold `r` (for the examples).
fn resource_items(api: &Api, r: &Resource, parents: &[&str]) -> TokenStream {
    let ty = ident(&r.type_name);
    let mut chain = parents.to_vec();
    chain.push(&r.name.rust);
    let doc = docs(Some(&format!(
        "Handle for the `{}` resource: one method per API method.",
        r.name.wire
    )));
    let accessors = r
        .resources
        .iter()
        .map(|sub| resource_accessor(sub, quote!(self.client.clone())));
    let method_accessors = r
        .methods
        .iter()
        .map(|m| method_accessor(api, m, quote!(self.client.clone()), &chain));
    let builders = r
        .methods
        .iter()
        .map(|m| builder(api, m, Some(&r.type_name)));
    let names: Vec<Ident> = r.methods.iter().map(|m| ident(&m.builder)).collect();
    let call_options =
        (!names.is_empty()).then(|| quote!(crate::macros::call_options!(#(#names),*);));
    let subs = r.resources.iter().map(|sub| {
        let m = ident(&sub.module);
        let items = resource_items(api, sub, &chain);
        let mdoc = docs(Some(&format!(
            "The `{}` resource and its request builders.",
            sub.name.wire
        )));
        quote! {
            #mdoc
            pub mod #m {
                #items
            }
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug)]
        pub struct #ty {
            pub(crate) client: crate::Client,
        }

        impl #ty {
            #(#accessors)*
            #(#method_accessors)*
        }

        #(#builders)*
        #call_options
        #(#subs)*
    }
}

/// The Rust type a parameter is stored as in its builder.
fn param_type(p: &Param) -> TokenStream {
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
fn param_arg(ty: &TypeRef) -> (TokenStream, TokenStream) {
    let rust = rust_type(ty);
    match ty {
        TypeRef::String | TypeRef::FieldMask | TypeRef::Bytes | TypeRef::Named { .. } => {
            (quote!(impl ::std::convert::Into<#rust>), quote!(.into()))
        }
        _ => (rust, TokenStream::new()),
    }
}

fn method_accessor(api: &Api, m: &Method, client: TokenStream, chain: &[&str]) -> TokenStream {
    let name = ident(&m.name.rust);
    let builder = ident(&m.builder);
    let mut args = Vec::new();
    let mut values = Vec::new();
    for p in m.positional() {
        let pname = ident(&p.name.rust);
        if p.repeated {
            let item = rust_type(&p.ty);
            args.push(quote!(#pname: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>));
            values.push(quote!(#pname.into_iter().map(::std::convert::Into::into).collect()));
        } else {
            let (ty, conv) = param_arg(&p.ty);
            args.push(quote!(#pname: #ty));
            values.push(quote!(#pname #conv));
        }
    }
    if let Some(body) = &m.request {
        let arg = ident(&body.arg);
        let ty = rust_type(&body.ty);
        args.push(quote!(#arg: #ty));
        values.push(quote!(#arg));
    }
    let mut lines = method_doc(api, m);
    lines.push(String::new());
    lines.extend(method_example(api, m, chain));
    quote! {
        #( #[doc = #lines] )*
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder::new(#client, #(#values),*)
        }
    }
}

/// The doc lines both a method's accessor and its builder start with: the
/// description, the HTTP call and the method id, and the scopes.
fn method_doc(api: &Api, m: &Method) -> Vec<String> {
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
fn scopes_doc(api: &Api, scopes: &[String]) -> Vec<String> {
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
fn method_example(api: &Api, m: &Method, chain: &[&str]) -> Vec<String> {
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
fn example_arg(api: &Api, p: &Param, lib: &Ident) -> TokenStream {
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
fn is_stringish(api: &Api, ty: &TypeRef) -> bool {
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
fn in_crate(tokens: TokenStream, lib: &Ident) -> TokenStream {
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

/// `handle`: the type of the resource handle whose method makes the builder
/// (`None` for the document's own methods, made by `Client`).
fn builder(api: &Api, m: &Method, handle: Option<&str>) -> TokenStream {
    let name = ident(&m.builder);
    let mut lines = method_doc(api, m);
    // The accessor holds the example, so each method compiles one doctest.
    // A link target cannot hold `r#` (`#` starts a fragment): the bare name.
    let (shown, target) = (&m.name.rust, bare(&m.name.rust));
    let made_by = match handle {
        Some(handle) => format!("[`{handle}::{shown}`]({handle}::{target})"),
        None => format!("[`Client::{shown}`](crate::Client::{target})"),
    };
    let what = if m.optional().next().is_some() {
        "set parameters with the setters, then call `send`"
    } else {
        "call `send`"
    };
    lines.push(String::new());
    lines.push(format!(
        " The request builder made by {made_by} (which shows an example): {what}."
    ));
    let doc = quote! { #( #[doc = #lines] )* };
    let mut fields = Vec::new();
    let mut new_args = Vec::new();
    let mut new_inits = Vec::new();
    for p in &m.params {
        let pname = ident(&p.name.rust);
        let ty = param_type(p);
        fields.push(quote!(#pname: #ty,));
        if p.positional {
            new_args.push(quote!(#pname: #ty));
            new_inits.push(quote!(#pname,));
        } else {
            new_inits.push(quote!(#pname: ::std::default::Default::default(),));
        }
    }
    if let Some(body) = &m.request {
        let ty = rust_type(&body.ty);
        fields.push(quote!(request: #ty,));
        new_args.push(quote!(request: #ty));
        new_inits.push(quote!(request,));
    }

    let setters = m.optional().map(|p| {
        let pname = ident(&p.name.rust);
        let mut sets = format!("Sets the `{}` query parameter.", p.name.wire);
        if p.required {
            sets.push_str(" Required: `send` fails without it.");
        }
        let pdoc = docs_parts(&[p.description.as_deref().unwrap_or_default(), &sets]);
        if p.repeated {
            let item = rust_type(&p.ty);
            quote! {
                #pdoc
                pub fn #pname(mut self, values: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>) -> Self {
                    self.#pname = values.into_iter().map(::std::convert::Into::into).collect();
                    self
                }
            }
        } else {
            let (ty, conv) = param_arg(&p.ty);
            quote! {
                #pdoc
                pub fn #pname(mut self, value: #ty) -> Self {
                    self.#pname = ::std::option::Option::Some(value #conv);
                    self
                }
            }
        }
    });

    // Read access for stubs and tests: what the request would send.
    let getters = m.params.iter().map(|p| {
        let pname = ident(&p.name.rust);
        let getter = format_ident!("get_{}", bare(&p.name.rust));
        let ty = param_type(p);
        let gdoc = format!(" The `{}` parameter as set.", p.name.wire);
        quote! {
            #[doc = #gdoc]
            pub fn #getter(&self) -> &#ty {
                &self.#pname
            }
        }
    });
    let body_getter = m.request.as_ref().map(|b| {
        let ty = rust_type(&b.ty);
        quote! {
            /// The request body.
            pub fn get_request(&self) -> &#ty {
                &self.request
            }
        }
    });
    let send = send_fn(api, m);
    let paging = m.pagination.as_ref().map(|p| pagination_fns(m, p));
    quote! {
        #doc
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until `send` is awaited"]
        pub struct #name {
            client: crate::Client,
            opts: crate::transport::CallOptions,
            #(#fields)*
        }

        impl #name {
            pub(crate) fn new(client: crate::Client, #(#new_args),*) -> Self {
                Self {
                    client,
                    opts: ::std::default::Default::default(),
                    #(#new_inits)*
                }
            }

            #(#setters)*

            #(#getters)*

            #body_getter

            #send

            #paging
        }
    }
}

fn pagination_fns(m: &Method, p: &Pagination) -> TokenStream {
    let Some(response) = &m.response else {
        return TokenStream::new();
    };
    let response_ty = rust_type(response);
    let next = ident(&p.next_token);
    let (first, set) = match &p.token_in {
        TokenLocation::Query(field) => {
            let f = ident(field);
            (quote!(self.#f.clone()), quote!(|b: &mut Self, t| b.#f = t))
        }
        TokenLocation::Body(field) => {
            let f = ident(field);
            (
                quote!(self.request.#f.clone()),
                quote!(|b: &mut Self, t| b.request.#f = t),
            )
        }
    };
    let pages = quote! {
        /// Every page, as a stream: starts at the page token set on this builder (if
        /// any) and follows `nextPageToken` until a response has none. A server that
        /// repeats a token ends the stream with [`crate::Error::RepeatedPageToken`].
        pub fn pages(self) -> impl ::futures_core::Stream<Item = crate::Result<#response_ty>> + ::std::marker::Send + 'static {
            let first = #first;
            crate::pagination::pages(self, first, #set, Self::send, |r: &#response_ty| r.#next.as_deref())
        }
    };
    let items = p.items.as_ref().map(|items| {
        let field = ident(&items.field.rust);
        let item_ty = rust_type(&items.item);
        // The link is ours, the field name the document's: only the name is cleaned.
        let doc = format!(
            " Every item of {} across all pages, as a stream (see [`Self::pages`]).",
            clean_doc(&format!("`{}`", items.field.wire)).concat().trim()
        );
        quote! {
            #[doc = #doc]
            pub fn items(self) -> impl ::futures_core::Stream<Item = crate::Result<#item_ty>> + ::std::marker::Send + 'static {
                crate::pagination::items(self.pages(), |r: #response_ty| r.#field.unwrap_or_default())
            }
        }
    });
    quote! { #pages #items }
}

/// Code that builds `path` from a template and the builder's path parameters.
fn path_code(api: &Api, m: &Method, template: &PathTemplate) -> TokenStream {
    let steps = template.parts.iter().map(|part| match part {
        PathPart::Literal(text) => quote!(path.push_str(#text);),
        PathPart::Var(v) => {
            let Some(p) = m.params.iter().find(|p| p.name.wire == v.name) else {
                return TokenStream::new();
            };
            let pname = ident(&p.name.rust);
            let wire = &p.name.wire;
            if v.slash_explode || p.repeated {
                let values = if p.ty == TypeRef::String {
                    quote!(&self.#pname)
                } else {
                    quote!(&self.#pname.iter().map(crate::wire::QueryValue::to_query).collect::<::std::vec::Vec<_>>())
                };
                if v.slash_explode {
                    quote!(crate::path::push_list(&mut path, #wire, #values)?;)
                } else {
                    quote!(crate::path::push_var(&mut path, #wire, &#values.join(","), false)?;)
                }
            } else {
                let value = if p.ty == TypeRef::String {
                    quote!(&self.#pname)
                } else {
                    quote!(&crate::wire::QueryValue::to_query(&self.#pname))
                };
                let reserved = v.reserved && !api.fully_encode_reserved_expansion;
                let check = p.pattern.as_ref().map(|pattern| {
                    quote!(crate::path::check_pattern(#wire, #value, #pattern)?;)
                });
                quote! {
                    #check
                    crate::path::push_var(&mut path, #wire, #value, #reserved)?;
                }
            }
        }
    });
    quote! {
        let mut path = ::std::string::String::new();
        #(#steps)*
    }
}

fn send_fn(api: &Api, m: &Method) -> TokenStream {
    let required = m.optional().filter(|p| p.required).map(|p| {
        let pname = ident(&p.name.rust);
        let wire = &p.name.wire;
        let unset = if p.repeated {
            quote!(self.#pname.is_empty())
        } else {
            quote!(self.#pname.is_none())
        };
        quote! {
            if #unset {
                return ::std::result::Result::Err(crate::transport::missing(#wire));
            }
        }
    });
    let path = path_code(api, m, &m.path);
    let query_params: Vec<TokenStream> = m
        .optional()
        .map(|p| {
            let pname = ident(&p.name.rust);
            let wire = &p.name.wire;
            quote!(crate::wire::QueryParam::push_to(&self.#pname, #wire, &mut query);)
        })
        .collect();
    let query_decl = if query_params.is_empty() {
        quote!(let query = ::std::vec::Vec::new();)
    } else {
        quote!(let mut query = ::std::vec::Vec::new();)
    };
    let body = if m.request.is_some() {
        quote!(::std::option::Option::Some(crate::transport::json_body(
            &self.request,
            crate::DATA_WRAPPER,
        )?))
    } else {
        quote!(::std::option::Option::None)
    };
    let http = format_ident!("{}", m.http_method.as_str());
    let id = &m.id;
    let stub_name = ident(&m.stub);
    let scopes = scope_refs(api, &m.scopes);
    let (ret, exec) = match &m.response {
        Some(ty) => (rust_type(ty), quote!(execute)),
        None => (quote!(()), quote!(execute_empty)),
    };
    let decode = match &m.response {
        Some(_) => quote!(crate::from_json(&body)),
        None => quote!({
            let _ = body;
            ::std::result::Result::Ok(())
        }),
    };
    let upload = m.media_upload.as_ref().map(|u| {
        let accept = &u.accept;
        let max = match u.max_size {
            Some(n) => quote!(::std::option::Option::Some(#n)),
            None => quote!(::std::option::Option::None),
        };
        let media_path = |t: &Option<PathTemplate>| match t {
            Some(t) => {
                let code = path_code(api, m, t);
                quote!(::std::option::Option::Some({ #code path }))
            }
            None => quote!(::std::option::Option::None),
        };
        let multipart = media_path(&u.multipart);
        let resumable = media_path(&u.resumable);
        quote! {
            /// Uploads `media` with this request as its metadata: in one multipart
            /// request when it is small, else with the resumable protocol (in chunks
            /// of a multiple of 256 KiB, resuming after an interruption).
            pub async fn upload(self, media: crate::media::Media) -> crate::Result<#ret> {
                if self.client.stub().is_some() {
                    return ::std::result::Result::Err(crate::Error::unimplemented(#id));
                }
                let spec = crate::media::UploadSpec {
                    accept: &[#(#accept),*],
                    max_size: #max,
                    multipart_path: #multipart,
                    resumable_path: #resumable,
                };
                let (client, call) = self.into_call()?;
                let body = client.upload(call, spec, media).await?;
                #decode
            }
        }
    });
    let download = m.supports_media_download.then(|| {
        let reroute = m
            .use_media_download_service
            .then(|| quote!(call.use_download_service(crate::SERVICE_PATH);));
        let binding = if reroute.is_some() {
            quote!(mut call)
        } else {
            quote!(call)
        };
        quote! {
            /// Downloads the media (`alt=media`) into `writer`, streaming; returns
            /// the number of bytes written.
            pub async fn download<W>(self, writer: &mut W) -> crate::Result<u64>
            where
                W: ::tokio::io::AsyncWrite + ::std::marker::Unpin + ?::std::marker::Sized,
            {
                if self.client.stub().is_some() {
                    return ::std::result::Result::Err(crate::Error::unimplemented(#id));
                }
                let (client, #binding) = self.into_call()?;
                #reroute
                client.download(call, writer).await
            }
        }
    });
    quote! {
        /// Checks the arguments and describes the request.
        fn into_call(self) -> crate::Result<(crate::Client, crate::transport::Call)> {
            #(#required)*
            #path
            #query_decl
            #(#query_params)*
            let call = crate::transport::Call::new(crate::net::Method::#http, #id, path, query, #body, #scopes, self.opts);
            ::std::result::Result::Ok((self.client, call))
        }

        /// Sends the request and decodes the response (or, on a client made with
        /// `Client::from_stub`, hands it to the stub).
        pub fn send(self) -> crate::BoxFuture<crate::Result<#ret>> {
            if let ::std::option::Option::Some(stub) = self.client.stub() {
                return stub.#stub_name(self);
            }
            ::std::boxed::Box::pin(async move {
                let (client, call) = self.into_call()?;
                client.#exec(call).await
            })
        }

        #upload
        #download
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doc text is emitted as `#[doc = "..."]` string literals, which
    /// prettyplease prints as `///` lines: `*/`, `/*` or a quote in the text
    /// cannot end the comment, and the printed file parses back to exactly
    /// the item with exactly the cleaned lines.
    #[test]
    fn doc_text_cannot_end_its_comment() {
        let text = "*/ fn evil() {} /*\n/* unclosed\n\"#]\n*/\r/// x\n//! y";
        let doc = docs(Some(text));
        let tokens = quote! { #doc pub struct S; };
        let file = crate::format::rust_file("x.rs", tokens, &Options::default()).unwrap();
        let body: Vec<&str> = file.contents.lines().skip(2).collect();
        assert!(
            body.iter()
                .take(body.len() - 1)
                .all(|l| l.starts_with("///")),
            "{}",
            file.contents
        );
        let parsed = syn::parse_file(&file.contents).unwrap();
        assert_eq!(parsed.items.len(), 1, "{}", file.contents);
        let syn::Item::Struct(item) = &parsed.items[0] else {
            panic!("{}", file.contents)
        };
        let lines: Vec<String> = item
            .attrs
            .iter()
            .map(|a| match &a.meta {
                syn::Meta::NameValue(nv) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => s.value(),
                    _ => panic!("not a string"),
                },
                _ => panic!("not name = value"),
            })
            .collect();
        assert_eq!(lines, clean_doc(text));
        assert_eq!(lines.len(), 6);
    }
}
