//! IR -> the command-line tool: a description of the API for the CLI
//! runtime (`discovery-cli`): static data, one entry per resource, method and
//! parameter, and per method a short straight-line function that reads its
//! arguments and calls the typed library. Nothing is dispatched by matching
//! strings; rustc checks it in time linear in the number of methods. Every
//! name comes from lowering (`lower/cli.rs`).

use super::*;
use crate::names::bare;

const CARGO_TEMPLATE: &str = include_str!("../../templates/cli.Cargo.toml.j2");

/// The files of a whole tool crate: `Cargo.toml`, `src/main.rs` and
/// `src/commands.rs`; `library_path` is the library crate's path from the
/// tool's.
pub fn tool_crate(api: &Api, options: &Options, library_path: &str) -> Result<Vec<File>, Error> {
    let crate_name = format!("{}-cli", api.crate_name);
    let bin = &api.tool.binary;
    let cargo = render(
        "Cargo.toml",
        CARGO_TEMPLATE,
        minijinja::context! {
            header => header("#", options).trim_end().to_string(),
            crate_name => crate_name,
            bin => bin,
            lib_crate => api.crate_name,
            library_path => library_path,
            cli_path => options.cli_runtime_path,
            title => markdown::one_line(&api.title),
            crate_version => options.version,
            library_version => options.library_version.as_deref().unwrap_or(&options.version),
            runtime_version => crate::RUNTIME_VERSION,
            publish => options.publish,
        },
    )?;
    crate::manifest::check(
        "Cargo.toml",
        &cargo,
        &crate::manifest::Expected {
            tables: &["package", "bin", "dependencies"],
            package_keys: &super::templates::package_keys(
                &[
                    "name",
                    "version",
                    "edition",
                    "rust-version",
                    "description",
                    "license",
                ],
                options,
            ),
            package_name: &crate_name,
            lib_name: None,
            bin: Some((bin, "src/main.rs")),
            path_dependencies: &[
                (api.crate_name.as_str(), library_path),
                ("discovery-cli", options.cli_runtime_path.as_str()),
            ],
        },
    )?;
    let main = format!(
        "{}//! The command-line tool of the API: the commands of `commands.rs`, run by\n\
         //! the CLI runtime.\n\n\
         #[rustfmt::skip]\n\
         mod commands;\n\n\
         fn main() -> std::process::ExitCode {{\n    \
         discovery_cli::App::new(&commands::TOOL).main()\n\
         }}\n",
        header("//", options)
    );
    let mut files = super::license_files();
    files.extend([
        File {
            path: "Cargo.toml".into(),
            contents: cargo,
        },
        File {
            path: "src/main.rs".into(),
            contents: main,
        },
        crate::format::rust_file("src/commands.rs", tool_rs(api), options)?,
    ]);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The module a hand-written tool mounts (`src/<module>/mod.rs`), whose
/// `TOOL` its `main` runs with its own commands.
pub fn tool_module(api: &Api, options: &Options, module: &str) -> Result<Vec<File>, Error> {
    super::check_module(module)?;
    Ok(vec![crate::format::rust_file(
        &format!("src/{module}/mod.rs"),
        tool_rs(api),
        options,
    )?])
}

/// The tool's module: `TOOL`, the statics it points to and the run functions.
pub(crate) fn tool_rs(api: &Api) -> TokenStream {
    let lib = ident(&api.lib_name);
    let mut out = Statics::default();
    let (methods, resources) = level(api, &lib, &api.methods, &api.resources, &[], &mut out);
    let name = &api.tool.binary;
    let prefix = &api.tool.env_prefix;
    let about = short_help(Some(&api.title));
    let long_about = help_text(api.description.as_deref());
    let scopes = api.scopes.iter().map(|s| {
        let name = &s.name;
        let constant = ident(&s.const_name);
        let about = short_help(s.description.as_deref());
        let login = s.deprecated.is_none();
        quote!(::discovery_cli::Scope { name: #name, url: ::#lib::scopes::#constant, about: #about, login: #login })
    });
    let probe = match api.tool.probe.as_ref().and_then(|id| find_method(api, id)) {
        Some((accessors, m)) => {
            let accessors = accessors.iter().map(|a| ident(a));
            let method = ident(&m.name.rust);
            quote! {
                ::std::option::Option::Some(|client| {
                    let call = client #(.#accessors())* .#method();
                    ::std::boxed::Box::pin(async move { call.send().await.map(drop) })
                })
            }
        }
        None => quote!(::std::option::Option::None),
    };
    let statics = out.items;
    quote! {
        //! The tool's commands, described for the CLI runtime, and what runs each.
        // Deprecated methods and parameters stay callable; `--help` marks them.
        #![allow(deprecated)]


        /// The tool.
        pub static TOOL: ::discovery_cli::Tool<::#lib::Client> = ::discovery_cli::Tool {
            name: #name,
            about: #about,
            long_about: #long_about,
            version: env!("CARGO_PKG_VERSION"),
            env_prefix: #prefix,
            scopes: &[#(#scopes),*],
            methods: #methods,
            resources: #resources,
            builder: ::#lib::Client::builder,
            probe: #probe,
        };

        #(#statics)*
    }
}

/// The method `id` and the accessors that lead to it.
fn find_method<'a>(api: &'a Api, id: &str) -> Option<(Vec<&'a str>, &'a Method)> {
    fn walk<'a>(
        methods: &'a [Method],
        resources: &'a [Resource],
        path: &mut Vec<&'a str>,
        id: &str,
    ) -> Option<(Vec<&'a str>, &'a Method)> {
        if let Some(m) = methods.iter().find(|m| m.id == id) {
            return Some((path.clone(), m));
        }
        for r in resources {
            path.push(&r.name.rust);
            if let Some(found) = walk(&r.methods, &r.resources, path, id) {
                return Some(found);
            }
            path.pop();
        }
        None
    }
    walk(&api.methods, &api.resources, &mut Vec::new(), id)
}

/// The statics and functions of the module, in order.
#[derive(Default)]
struct Statics {
    items: Vec<TokenStream>,
    /// Statics so far (they are numbered).
    count: usize,
}

/// One level's methods and resources as statics of their own (each slice
/// its own item: no literal nests deeper than two levels); returns the
/// expressions that name them.
fn level(
    api: &Api,
    lib: &Ident,
    methods: &[Method],
    resources: &[Resource],
    accessors: &[&str],
    out: &mut Statics,
) -> (TokenStream, TokenStream) {
    let method_entries: Vec<TokenStream> = methods
        .iter()
        .map(|m| method_entry(api, lib, m, accessors, out))
        .collect();
    let resource_entries: Vec<TokenStream> = resources
        .iter()
        .map(|r| {
            let mut inner = accessors.to_vec();
            inner.push(&r.name.rust);
            let (methods, resources) = level(api, lib, &r.methods, &r.resources, &inner, out);
            let name = &r.command;
            let about = format!(
                "{}The {} resource",
                if r.deprecated.is_some() { "[deprecated] " } else { "" },
                discovery_text::printable(&markdown::one_line(&r.name.wire))
            );
            quote!(::discovery_cli::Resource { name: #name, about: #about, methods: #methods, resources: #resources })
        })
        .collect();
    let methods = slice(
        out,
        "METHODS",
        quote!(::discovery_cli::Method<::#lib::Client>),
        method_entries,
    );
    let resources = slice(
        out,
        "RESOURCES",
        quote!(::discovery_cli::Resource<::#lib::Client>),
        resource_entries,
    );
    (methods, resources)
}

/// `&[]`, or a numbered static holding `entries`.
fn slice(out: &mut Statics, kind: &str, ty: TokenStream, entries: Vec<TokenStream>) -> TokenStream {
    if entries.is_empty() {
        return quote!(&[]);
    }
    out.count += 1;
    let name = format_ident!("{kind}_{}", out.count);
    out.items.push(quote! {
        static #name: &[#ty] = &[#(#entries),*];
    });
    quote!(#name)
}

/// A method's entry, and its run function among the module's items.
fn method_entry(
    api: &Api,
    lib: &Ident,
    m: &Method,
    accessors: &[&str],
    out: &mut Statics,
) -> TokenStream {
    let name = &m.command;
    let id = &m.id;
    let mut about = short_help(m.description.as_deref());
    let mut long_about = help_text(m.description.as_deref());
    if let Some(note) = &m.deprecated {
        if !about.to_ascii_lowercase().starts_with("deprecated") {
            about = format!("[deprecated] {about}");
        }
        long_about = format!(
            "Deprecated: {}\n\n{long_about}",
            discovery_text::printable(&markdown::one_line(note))
        );
    }
    let params = m.params.iter().map(|p| {
        let name = &p.flag;
        let mut help = short_help(p.description.as_deref());
        if p.deprecated.is_some() && !help.to_ascii_lowercase().starts_with("deprecated") {
            help = format!("[deprecated] {help}");
        }
        if let Some(values) = enum_values(api, &p.ty) {
            help = format!("{help} [values: {values}]");
        }
        let location = match p.location {
            crate::ir::Location::Path => quote!(::discovery_cli::Location::Path),
            crate::ir::Location::Query => quote!(::discovery_cli::Location::Query),
        };
        let required = p.required;
        let repeated = p.repeated;
        quote!(::discovery_cli::Param { name: #name, help: #help, location: #location, required: #required, repeated: #repeated })
    });
    let body = match &m.request {
        Some(_) => {
            let fields = m.body_flags.iter().map(|f| {
                let flag = &f.flag;
                let wire = &f.field.wire;
                let quoted = matches!(f.ty, TypeRef::String | TypeRef::I64 | TypeRef::U64);
                quote!(::discovery_cli::BodyField { flag: #flag, wire: #wire, quoted: #quoted })
            });
            quote!(::std::option::Option::Some(&[#(#fields),*]))
        }
        None => quote!(::std::option::Option::None),
    };
    let paging = match &m.pagination {
        Some(p) if p.items.is_some() => quote!(::discovery_cli::Paging::Items),
        Some(_) => quote!(::discovery_cli::Paging::Pages),
        None => quote!(::discovery_cli::Paging::None),
    };
    let upload = m.media_upload.is_some();
    let download = m.downloads_to_file();
    let run = format_ident!("run_{}", bare(&m.stub));
    out.items.push(run_fn(lib, m, accessors, &run));
    quote! {
        ::discovery_cli::Method {
            name: #name,
            id: #id,
            about: #about,
            long_about: #long_about,
            params: &[#(#params),*],
            body: #body,
            paging: #paging,
            upload: #upload,
            download: #download,
            run: #run,
        }
    }
}

/// What runs one method: its arguments read in order, the typed builder,
/// then what to preview and send. Straight-line code: no `mut`, no match on
/// strings.
fn run_fn(lib: &Ident, m: &Method, accessors: &[&str], run: &Ident) -> TokenStream {
    let root = quote!(::#lib);
    let mut args = Vec::new();
    for p in m.positional() {
        let id = &p.flag;
        args.push(if p.repeated {
            quote!(a.texts(#id))
        } else if p.ty == TypeRef::String {
            quote!(a.text(#id))
        } else {
            let t = scalar_type(&p.ty, &root);
            quote!(a.parsed::<#t>(#id)?)
        });
    }
    if let Some(body) = &m.request {
        let t = type_in(&body.ty, &root);
        args.push(quote!(a.body::<#t>()?));
    }
    let accessors = accessors.iter().map(|a| ident(a));
    let method = ident(&m.name.rust);
    let setters = m.params.iter().filter_map(|p| match p.location {
        crate::ir::Location::Path => None,
        crate::ir::Location::Query => {
            let flag = &p.flag;
            let setter = ident(&p.name.rust);
            let t = scalar_type(&p.ty, &root);
            let read = if p.repeated {
                quote!(a.values::<#t>(#flag)?)
            } else {
                quote!(a.value::<#t>(#flag)?)
            };
            Some(quote! {
                let call = match #read {
                    ::std::option::Option::Some(v) => call.#setter(v),
                    ::std::option::Option::None => call,
                };
            })
        }
    });
    let upload = m.media_upload.is_some().then(|| {
        quote! {
            if let ::std::option::Option::Some(media) = a.take_media() {
                return ::std::result::Result::Ok(::discovery_cli::Action::send(call.clone().upload_preview(&media), call.upload(media)));
            }
        }
    });
    let download = m.downloads_to_file().then(|| {
        quote! {
            if let ::std::option::Option::Some(path) = a.download_path() {
                return ::std::result::Result::Ok(::discovery_cli::Action::download(
                    call.clone().download_preview(),
                    async move { call.download_to(&path).await },
                ));
            }
        }
    });
    let send = match &m.pagination {
        Some(p) => {
            let stream = if p.items.is_some() {
                quote!(call.clone().items())
            } else {
                quote!(call.clone().pages())
            };
            quote! {
                ::discovery_cli::Action::paged(call.clone().request_preview(), call.clone().send(), ::discovery_cli::items(#stream))
            }
        }
        None => quote!(::discovery_cli::Action::send(
            call.clone().request_preview(),
            call.send()
        )),
    };
    quote! {
        #[allow(unused_variables)]
        fn #run(client: &::#lib::Client, a: &mut ::discovery_cli::Args<'_>) -> ::std::result::Result<::discovery_cli::Action, ::std::process::ExitCode> {
            let call = client #(.#accessors())* .#method(#(#args),*);
            #(#setters)*
            #upload
            #download
            ::std::result::Result::Ok(#send)
        }
    }
}

/// The Rust type a parameter's text is parsed into (the library's own
/// mapping); what has no scalar form is text.
fn scalar_type(ty: &TypeRef, root: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String | TypeRef::Any | TypeRef::Object | TypeRef::Array(_) | TypeRef::Map(_) => {
            quote!(::std::string::String)
        }
        _ => type_in(ty, root),
    }
}

/// The wire values of an enum type, for a flag's help.
fn enum_values(api: &Api, ty: &TypeRef) -> Option<String> {
    let TypeRef::Named { name, .. } = ty else {
        return None;
    };
    let t = api.types.iter().find(|t| &t.name == name)?;
    let TypeKind::Enum(variants) = &t.kind else {
        return None;
    };
    let values: Vec<String> = variants
        .iter()
        .map(|v| discovery_text::printable(&markdown::one_line(&v.name.wire)))
        .collect();
    let text = values.join(", ");
    Some(if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text
    })
}

/// A description for `--help`: clean lines, nothing that hides or reorders
/// text.
fn help_text(text: Option<&str>) -> String {
    let lines = clean_doc(text.unwrap_or("").trim());
    let joined = lines
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join("\n");
    discovery_text::printable_lines(joined.trim())
}

/// The first sentence, on one line, for the short `-h` help.
fn short_help(text: Option<&str>) -> String {
    let full = markdown::one_line(text.unwrap_or(""));
    let first = full
        .split(". ")
        .next()
        .unwrap_or(&full)
        .trim_end_matches('.');
    discovery_text::printable(first).chars().take(100).collect()
}
