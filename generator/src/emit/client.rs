//! `client.rs`: the crate's `Client`, a newtype over the runtime's client
//! that can also hold a stub.

use super::*;

/// The doc lines of the crate's `Client`.
pub(crate) fn client_doc(api: &Api) -> Vec<String> {
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
pub(crate) fn from_stub_doc(api: &Api) -> Vec<String> {
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
pub(crate) fn client_rs(api: &Api) -> TokenStream {
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
                // Refuses every request (hand-written helpers included): only the stub
                // answers. A loopback URL without a proxy always builds.
                let inner = ::discovery_runtime::ClientBuilder::new(&crate::API)
                    .base_url("http://127.0.0.1/")
                    .no_auth()
                    .no_proxy()
                    .offline()
                    .build()
                    .expect("a client without proxy or extra certificates always builds");
                Client {
                    inner,
                    stub: ::std::option::Option::Some(::std::sync::Arc::new(stub)),
                }
            }

            /// The stub requests go to instead of the network, if any.
            #[allow(dead_code)] // an API without methods has no requests
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
