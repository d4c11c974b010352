//! `api/`: resource handles, accessors and one request builder per method.

use super::*;

pub(crate) fn api_mod_rs(api: &Api) -> TokenStream {
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

pub(crate) fn resource_accessor(r: &Resource, client: TokenStream) -> TokenStream {
    let accessor = ident(&r.name.rust);
    let module = ident(&r.module);
    let ty = ident(&r.type_name);
    let doc = docs(Some(&format!("The `{}` resource.", r.name.wire)));
    let deprecated = deprecated_attr(&r.deprecated);
    quote! {
        #doc
        #deprecated
        pub fn #accessor(&self) -> #module::#ty {
            #module::#ty { client: #client }
        }
    }
}

pub(crate) fn resource_file(api: &Api, r: &Resource) -> TokenStream {
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
pub(crate) fn resource_items(api: &Api, r: &Resource, parents: &[&str]) -> TokenStream {
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
    let deprecated = deprecated_attr(&r.deprecated);
    quote! {
        #doc
        #deprecated
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

pub(crate) fn method_accessor(
    api: &Api,
    m: &Method,
    client: TokenStream,
    chain: &[&str],
) -> TokenStream {
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
    let deprecated = deprecated_attr(&m.deprecated);
    quote! {
        #( #[doc = #lines] )*
        #deprecated
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder::new(#client, #(#values),*)
        }
    }
}

/// `handle`: the type of the resource handle whose method makes the builder
/// (`None` for the document's own methods, made by `Client`).
pub(crate) fn builder(api: &Api, m: &Method, handle: Option<&str>) -> TokenStream {
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
    let deprecated = deprecated_attr(&m.deprecated);
    let doc = quote! { #( #[doc = #lines] )* #deprecated };
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
        let pdep = deprecated_attr(&p.deprecated);
        let pdoc = quote!(#pdoc #pdep);
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

    // Read access for stubs and tests: what the request would send. A getter
    // whose name a setter (or another getter) has is left out.
    let mut names: std::collections::BTreeSet<String> = m
        .optional()
        .map(|p| bare(&p.name.rust).to_string())
        .collect();
    let getters: Vec<TokenStream> = m
        .params
        .iter()
        .filter_map(|p| {
            let name = format!("get_{}", bare(&p.name.rust));
            if !names.insert(name.clone()) || name == "get_request" {
                return None;
            }
            let pname = ident(&p.name.rust);
            let getter = ident(&name);
            let ty = param_type(p);
            let gdoc = format!(" The `{}` parameter as set.", markdown::code(&p.name.wire));
            Some(quote! {
                #[doc = #gdoc]
                pub fn #getter(&self) -> &#ty {
                    &self.#pname
                }
            })
        })
        .collect();
    let body_getter = m
        .request
        .as_ref()
        .filter(|_| names.insert("get_request".into()))
        .map(|b| {
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

pub(crate) fn pagination_fns(m: &Method, p: &Pagination) -> TokenStream {
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

/// How a path variable's value is expanded (`crate::path::Expansion`).
fn expansion(api: &Api, v: &PathVar) -> TokenStream {
    match (v.reserved, api.fully_encode_reserved_expansion) {
        (false, _) => quote!(crate::path::Expansion::Simple),
        (true, false) => quote!(crate::path::Expansion::Reserved),
        (true, true) => quote!(crate::path::Expansion::SlashesOnly),
    }
}

/// Code that builds `path` from a template and the builder's path parameters.
pub(crate) fn path_code(api: &Api, m: &Method, template: &PathTemplate) -> TokenStream {
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
                    let expansion = expansion(api, v);
                    quote!(crate::path::push_joined(&mut path, #wire, #values, #expansion)?;)
                }
            } else {
                let value = if p.ty == TypeRef::String {
                    quote!(&self.#pname)
                } else {
                    quote!(&crate::wire::QueryValue::to_query(&self.#pname))
                };
                let expansion = expansion(api, v);
                let check = p.pattern.as_ref().map(|pattern| {
                    quote!(crate::path::check_pattern(#wire, #value, #pattern)?;)
                });
                quote! {
                    #check
                    crate::path::push_var(&mut path, #wire, #value, #expansion)?;
                }
            }
        }
    });
    quote! {
        let mut path = ::std::string::String::new();
        #(#steps)*
    }
}

pub(crate) fn send_fn(api: &Api, m: &Method) -> TokenStream {
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
    // Each parameter goes where its location says: path parameters through
    // the template above, query parameters here.
    let query_params: Vec<TokenStream> = m
        .params
        .iter()
        .filter_map(|p| match p.location {
            Location::Path => None,
            Location::Query => {
                let pname = ident(&p.name.rust);
                let wire = &p.name.wire;
                Some(quote!(crate::wire::QueryParam::push_to(&self.#pname, #wire, &mut query);))
            }
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
    let stub_trait = ident(&stub_trait_name(api));
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
    // Error messages of a deprecated method's calls say so.
    let note = m.deprecated.as_ref().map(|note| {
        let note = markdown::one_line(note);
        quote!(.deprecated(#note))
    });
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
                let (client, call, spec) = self.into_upload()?;
                let body = client.upload(call, spec, media).await?;
                #decode
            }

            /// What [`upload`](Self::upload) would send first, without sending it: the
            /// multipart request or the one that starts a resumable session.
            pub fn upload_preview(self, media: &crate::media::Media) -> crate::Result<crate::RequestPreview> {
                let (client, call, spec) = self.into_upload()?;
                client.preview_upload(call, spec, media)
            }

            fn into_upload(self) -> crate::Result<(crate::Client, crate::transport::Call, crate::media::UploadSpec)> {
                let spec = crate::media::UploadSpec {
                    accept: &[#(#accept),*],
                    max_size: #max,
                    multipart_path: #multipart,
                    resumable_path: #resumable,
                };
                let (client, call) = self.into_call()?;
                ::std::result::Result::Ok((client, call, spec))
            }
        }
    });
    // A resumable file download repeats the request with a `Range` header:
    // only for a `GET` without a body.
    let download_to = m.downloads_to_file().then(|| {
        let reroute = m
            .use_media_download_service
            .then(|| quote!(call.use_download_service(crate::SERVICE_PATH);));
        quote! {
            /// Downloads the media into the file `path`, safely and resumably: the
            /// bytes go to `.<name>.part` beside it (continued with a `Range` request
            /// after an interruption), are checked against the announced length and
            /// synced, then renamed to `path`. An existing `path` is never
            /// overwritten ([`Downloaded::AlreadyThere`](crate::files::Downloaded)).
            pub async fn download_to(self, path: &::std::path::Path) -> crate::Result<crate::files::Downloaded> {
                if self.client.stub().is_some() {
                    return ::std::result::Result::Err(crate::Error::unimplemented(#id));
                }
                let (client, mut call) = self.into_call()?;
                #reroute
                call.query.push(("alt", "media".into()));
                let uri = client.uri(&call)?;
                client.download_to_file(&uri, ::std::option::Option::Some(&call), path).await
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

            #download_to

            /// What [`download`](Self::download) would send, without sending it.
            pub fn download_preview(self) -> crate::Result<crate::RequestPreview> {
                let (client, #binding) = self.into_call()?;
                #reroute
                client.preview_download(call)
            }
        }
    });
    let new_call = quote!(crate::transport::Call::new(crate::net::Method::#http, #id, path, query, #body, #scopes, self.opts) #note);
    let call = if m.from_root {
        quote! {
            let mut call = #new_call;
            call.from_root = true;
        }
    } else {
        quote!(let call = #new_call;)
    };
    quote! {
        /// Checks the arguments and describes the request.
        fn into_call(self) -> crate::Result<(crate::Client, crate::transport::Call)> {
            #(#required)*
            #path
            #query_decl
            #(#query_params)*
            #call
            ::std::result::Result::Ok((self.client, call))
        }

        /// Sends the request and decodes the response (or, on a client made with
        /// `Client::from_stub`, hands it to the stub).
        pub fn send(self) -> crate::BoxFuture<crate::Result<#ret>> {
            if let ::std::option::Option::Some(stub) = self.client.stub() {
                return crate::stub::#stub_trait::#stub_name(&*stub, self);
            }
            ::std::boxed::Box::pin(async move {
                let (client, call) = self.into_call()?;
                client.#exec(call).await
            })
        }

        /// What [`send`](Self::send) would send, without sending it: the method, the
        /// full URL, the headers (the `Authorization` value redacted) and the JSON
        /// body. No token is asked for.
        pub fn request_preview(self) -> crate::Result<crate::RequestPreview> {
            let (client, call) = self.into_call()?;
            client.preview(&call)
        }

        #upload
        #download
    }
}
