//! IR -> a command-line tool crate: one subcommand per resource and method,
//! built with clap's builder API (no derive: faster builds), dispatching to
//! the library's typed request builders.

use std::collections::BTreeSet;

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{clean_doc, ident};
use crate::format::{header, rust_file};
use crate::ir::*;
use crate::{Error, File, Options};

const SUPPORT: &str = include_str!("../cli/support.rs");
const CARGO_TEMPLATE: &str = include_str!("../templates/cli.Cargo.toml.j2");

/// Where `src/support.rs` comes from (`generator/cli/support.rs`), as its header says.
const SUPPORT_DIR: &str = "generator/cli";

/// Modules of every tool (and `main.rs`'s alias of the library): an overlay
/// module may not take these names.
const TAKEN_MODULES: &[&str] = &["commands", "library", "main", "support"];

/// Flags every method command has or that clap takes.
const RESERVED: &[&str] = &[
    "token", "base-url", "output", "timeout", "body", "all", "help", "version",
];

/// The files of the CLI crate for `api`; `library_path` is the library crate's
/// path relative to the CLI crate.
pub fn cli_files(api: &Api, options: &Options, library_path: &str) -> Result<Vec<File>, Error> {
    // The overlay's top-level files become modules of the tool; the one
    // extension type (if any) lives in one of them.
    let mut overlay_modules = Vec::new();
    for overlay in &options.overlays {
        if let Some(name) = overlay_module(&overlay.path) {
            if TAKEN_MODULES.contains(&name)
                || crate::names::sanitize(name, crate::names::Case::Snake) != name
            {
                return Err(Error::Overlay {
                    path: overlay.path.clone(),
                    message: format!("`{name}` is not a free module name in the tool"),
                });
            }
            overlay_modules.push(name.to_string());
        } else if !overlay.path.starts_with("src/") || !overlay.path.ends_with(".rs") {
            return Err(Error::Overlay {
                path: overlay.path.clone(),
                message: "a tool's overlay holds only `src/**/*.rs` files".into(),
            });
        }
    }
    let extension = match &options.cli_extension {
        Some(path) => {
            let segments: Vec<&str> = path.split("::").collect();
            let valid = segments.len() >= 2
                && segments.iter().all(|s| {
                    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
                && overlay_modules.iter().any(|m| m == segments[0]);
            if !valid {
                return Err(Error::Overlay {
                    path: path.clone(),
                    message: "the CLI extension must be a type path in one of the overlay's modules (`extra::Photos` for `src/extra.rs`)".into(),
                });
            }
            Some(path.as_str())
        }
        None => None,
    };
    let has_extra = extension.is_some();
    // The binary is named after the API; a name cargo would not take as a
    // target name falls back to the crate's (already checked) name.
    let bin = if crate::manifest::keyword(&api.name).as_deref() == Some(api.name.as_str()) {
        api.name.clone()
    } else {
        api.crate_name.clone()
    };
    let env_prefix = bin.to_ascii_uppercase().replace('-', "_");
    let crate_name = format!("{}-cli", api.crate_name);
    let cargo = crate::emit::render(
        "Cargo.toml",
        CARGO_TEMPLATE,
        minijinja::context! {
            header => header("#", options).trim_end().to_string(),
            crate_name => crate_name,
            bin => bin,
            lib_crate => api.crate_name,
            library_path => library_path,
            title => crate::markdown::one_line(&api.title),
            has_extra => has_extra,
        },
    )?;
    crate::manifest::check(
        "Cargo.toml",
        &cargo,
        &crate::manifest::Expected {
            tables: &["package", "bin", "dependencies"],
            package_keys: &[
                "name",
                "version",
                "edition",
                "rust-version",
                "description",
                "license",
                "publish",
            ],
            package_name: &crate_name,
            lib_name: None,
            bin: Some((&bin, "src/main.rs")),
            path_dependency: Some((&api.crate_name, library_path)),
        },
    )?;
    let support = format!(
        "{}{SUPPORT}",
        hand_written_header(SUPPORT_DIR, "support.rs", options)
    );
    let mut files = vec![
        File {
            path: "Cargo.toml".into(),
            contents: cargo,
        },
        // prettyplease output lives in `commands`, skipped by rustfmt; main.rs
        // itself is rustfmt-clean.
        File {
            path: "src/main.rs".into(),
            contents: format!(
                "{}{}",
                header("//", options),
                main_rs_text(api, &overlay_modules, extension)
            ),
        },
        rust_file("src/commands.rs", main_rs(api, &bin, &env_prefix), options)?,
        File {
            path: "src/support.rs".into(),
            contents: support,
        },
    ];
    // Hand-written commands for this API, copied with a header naming their source.
    for overlay in &options.overlays {
        let contents = format!(
            "{}{}",
            crate::format::overlay_header(&overlay.path, options),
            overlay.contents
        );
        files.push(File {
            path: overlay.path.clone(),
            contents,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The header of a hand-written file of the generator's own (not an overlay's):
/// `dir/path`, relative to the generator's workspace.
fn hand_written_header(dir: &str, path: &str, options: &Options) -> String {
    let options = Options {
        overlay_source: Some(dir.to_string()),
        ..options.clone()
    };
    crate::format::overlay_header(path, &options)
}

/// The module an overlay file `src/<name>.rs` becomes.
fn overlay_module(path: &str) -> Option<&str> {
    path.strip_prefix("src/")?
        .strip_suffix(".rs")
        .filter(|m| !m.contains('/'))
}

/// `src/main.rs` (rustfmt-clean): the modules, the library's alias that
/// `support.rs` names, and the extension the commands are run with.
fn main_rs_text(api: &Api, overlay_modules: &[String], extension: Option<&str>) -> String {
    let mut modules: Vec<String> = ["commands", "support"]
        .iter()
        .map(|m| m.to_string())
        .chain(overlay_modules.iter().cloned())
        .collect();
    modules.sort();
    let modules: String = modules
        .iter()
        .map(|m| match m.as_str() {
            // prettyplease output; main.rs itself is rustfmt-clean.
            "commands" => "#[rustfmt::skip]\nmod commands;\n".to_string(),
            _ => format!("mod {m};\n"),
        })
        .collect();
    let (extension_doc, extension) = match extension {
        Some(path) => (
            "The hand-written commands (the target's `cli_extension`).",
            path.to_string(),
        ),
        None => ("No hand-written commands.", "()".to_string()),
    };
    format!(
        "//! The command-line tool of the API: one subcommand per resource and method.

{modules}
/// The library the tool drives, under the name `support.rs` uses.
use {lib} as library;

fn main() -> std::process::ExitCode {{
    // {extension_doc}
    commands::main::<{extension}>()
}}
",
        lib = api.lib_name,
    )
}

fn help_text(text: Option<&str>) -> String {
    let lines = clean_doc(text.unwrap_or("").trim());
    lines
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The first sentence, for the short `-h` help (on one line: no control
/// characters reach the terminal).
fn short_help(text: Option<&str>) -> String {
    let full = crate::markdown::one_line(text.unwrap_or(""));
    let full = full.as_str();
    let first = full
        .split(". ")
        .next()
        .unwrap_or(full)
        .trim_end_matches('.');
    first.chars().take(100).collect()
}

fn main_rs(api: &Api, bin: &str, env_prefix: &str) -> TokenStream {
    let token_env = format!("{env_prefix}_TOKEN");
    let no_token = format!("error: no access token: pass --token or set {token_env}");
    let no_token_arm = quote! {
        match extension.stored_credentials().await {
            Some(builder) => builder,
            None => {
                eprintln!(#no_token);
                return ExitCode::from(support::EXIT_AUTH);
            }
        }
    };
    let lib = ident(&api.lib_name);
    let about = short_help(Some(&api.title));
    let long_about = help_text(api.description.as_deref());
    let base_env = format!("{env_prefix}_BASE_URL");
    let mut commands = Vec::new();
    let mut arms = Vec::new();
    for r in &api.resources {
        resource(api, r, &[], &mut commands, &mut arms);
    }
    let version = quote!(env!("CARGO_PKG_VERSION"));
    quote! {
        //! The commands, generated from the discovery document.

        use std::process::ExitCode;

        use crate::support;

        use clap::{Arg, ArgAction, ArgMatches, Command};
        use futures_util::TryStreamExt;
        use #lib::Client;
        use support::{Extension, Output};

        fn cli(extension: &impl Extension) -> Command {
            Command::new(#bin)
                .about(#about)
                .long_about(#long_about)
                .version(#version)
                .subcommand_required(true)
                .arg_required_else_help(true)
                .arg(Arg::new("token").long("token").env(#token_env).hide_env_values(true).global(true)
                    .help("OAuth 2.0 access token (never printed)"))
                .arg(Arg::new("base-url").long("base-url").env(#base_env).global(true)
                    .help("Send requests to this URL instead of the API's"))
                .arg(Arg::new("output").long("output").short('o').global(true)
                    .value_parser(["json", "json-lines", "table"]).default_value("json")
                    .help("Output format"))
                .arg(Arg::new("timeout").long("timeout").global(true).value_name("SECONDS")
                    .value_parser(clap::value_parser!(u64).range(1..=86_400))
                    .help("Give up on a request when the server has not answered, or a transfer has not moved, for this long (default 60)"))
                #(.subcommand(#commands))*
                .subcommands(extension.commands())
                .subcommand(Command::new("completions").about("Prints a shell completion script")
                    .arg(Arg::new("shell").required(true).value_parser(clap::value_parser!(clap_complete::Shell))))
        }

        /// Runs the tool, with the hand-written commands of `E`, on a
        /// current-thread runtime.
        pub fn main<E: Extension + Default>() -> ExitCode {
            let extension = E::default();
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime.block_on(tool(&extension)),
                Err(e) => {
                    eprintln!("error: cannot start the runtime: {e}");
                    ExitCode::FAILURE
                }
            }
        }

        async fn tool(extension: &impl Extension) -> ExitCode {
            let matches = cli(extension).get_matches();
            if let Some(("completions", m)) = matches.subcommand() {
                if let Some(shell) = m.get_one::<clap_complete::Shell>("shell") {
                    clap_complete::generate(*shell, &mut cli(extension), #bin, &mut std::io::stdout());
                }
                return ExitCode::SUCCESS;
            }
            let output = Output::parse(matches.get_one::<String>("output").map(String::as_str).unwrap_or("json"));
            // Commands that need no client (`auth login`) come first.
            if let Some(code) = extension.run_without_client(&matches).await {
                return code;
            }
            let mut builder = match matches.get_one::<String>("token") {
                Some(token) => Client::builder().bearer_token(token.clone()),
                None => #no_token_arm,
            };
            if let Some(url) = matches.get_one::<String>("base-url") {
                builder = builder.base_url(url.clone());
            }
            if let Some(seconds) = matches.get_one::<u64>("timeout") {
                let timeout = std::time::Duration::from_secs(*seconds);
                builder = builder.timeout(timeout).idle_timeout(timeout);
            }
            let client = match builder.build() {
                Ok(client) => client,
                Err(e) => return support::fail(&e),
            };
            match run(&client, &matches, output, extension).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }

        /// A flag's value parsed with its type's `FromStr`.
        fn parsed<T: std::str::FromStr>(m: &ArgMatches, id: &str) -> Result<Option<T>, ExitCode>
        where
            T::Err: std::fmt::Display,
        {
            match m.get_one::<String>(id) {
                None => Ok(None),
                Some(text) => text.parse().map(Some).map_err(|e| support::usage(&format!("--{id}: {e}"))),
            }
        }

        /// The request body: `--body` JSON (a file or `-`), with the body flags
        /// set on top.
        fn body<T: serde::de::DeserializeOwned>(m: &ArgMatches, fields: &[(&str, &str, bool)]) -> Result<T, ExitCode> {
            let mut value: serde_json::Value = match m.get_one::<String>("body") {
                Some(path) => {
                    let text = support::read_body(path).map_err(|e| support::usage(&e))?;
                    serde_json::from_str(&text).map_err(|e| support::usage(&format!("--body is not JSON: {e}")))?
                }
                None => serde_json::json!({}),
            };
            for (id, wire, quoted) in fields {
                if let Some(text) = m.get_one::<String>(id) {
                    let field = if *quoted {
                        serde_json::Value::String(text.clone())
                    } else {
                        serde_json::from_str(text).map_err(|e| support::usage(&format!("--{id}: {e}")))?
                    };
                    if let Some(object) = value.as_object_mut() {
                        object.insert((*wire).to_owned(), field);
                    }
                }
            }
            serde_json::from_value(value).map_err(|e| support::usage(&format!("the request body: {e}")))
        }

        fn show<T: serde::Serialize>(output: Output, value: &T, header: &mut Option<Vec<String>>) {
            support::print(output, &serde_json::to_value(value).unwrap_or_default(), header);
        }

        async fn run(client: &Client, matches: &ArgMatches, output: Output, extension: &impl Extension) -> Result<(), ExitCode> {
            let mut path = Vec::new();
            let mut m = matches;
            while let Some((name, sub)) = m.subcommand() {
                path.push(name);
                m = sub;
            }
            // The extension's commands, before the generated ones.
            if let Some(result) = extension.run(client, &path, m, output).await {
                return result;
            }
            let mut header = None;
            match path.as_slice() {
                #(#arms)*
                _ => return Err(support::usage("unknown command")),
            }
            Ok(())
        }
    }
}

fn resource(
    api: &Api,
    r: &Resource,
    parents: &[&Resource],
    commands: &mut Vec<TokenStream>,
    arms: &mut Vec<TokenStream>,
) {
    let name = r.name.wire.to_kebab_case();
    let about = format!("The {} resource", r.name.wire);
    let mut chain: Vec<&Resource> = parents.to_vec();
    chain.push(r);
    let mut subs = Vec::new();
    for m in &r.methods {
        // The flags are named once; the command and its dispatch both use them.
        let flags = method_flags(api, m);
        subs.push(method_command(m, &flags));
        arms.push(method_arm(api, &chain, m, &flags));
    }
    for sub in &r.resources {
        let mut nested = Vec::new();
        resource(api, sub, &chain, &mut nested, arms);
        subs.extend(nested);
    }
    commands.push(quote! {
        Command::new(#name).about(#about).subcommand_required(true) #(.subcommand(#subs))*
    });
}

/// A flag for each scalar top-level field of the request body.
fn body_flags<'a>(
    api: &'a Api,
    m: &Method,
    taken: &mut BTreeSet<String>,
) -> Vec<(String, &'a Field)> {
    let Some(Body {
        ty: TypeRef::Named { name, .. },
        ..
    }) = &m.request
    else {
        return Vec::new();
    };
    let Some(TypeDef {
        kind: TypeKind::Struct(fields),
        ..
    }) = api.types.iter().find(|t| &t.name == name)
    else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|f| {
            matches!(
                f.ty,
                TypeRef::String
                    | TypeRef::Bool
                    | TypeRef::I32
                    | TypeRef::U32
                    | TypeRef::I64
                    | TypeRef::U64
                    | TypeRef::F32
                    | TypeRef::F64
            )
        })
        .map(|f| {
            let mut flag = f.name.wire.to_kebab_case();
            if !taken.insert(flag.clone()) {
                flag = format!("body-{flag}");
                taken.insert(flag.clone());
            }
            (flag, f)
        })
        .collect()
}

/// A method's flags: one per query parameter, then one per scalar body field,
/// each with its unique kebab-case name.
struct MethodFlags<'a> {
    query: Vec<(String, &'a Param)>,
    body: Vec<(String, &'a Field)>,
}

fn method_flags<'a>(api: &'a Api, m: &'a Method) -> MethodFlags<'a> {
    let (mut taken, query) = query_flags(m);
    let body = if m.request.is_some() {
        body_flags(api, m, &mut taken)
    } else {
        Vec::new()
    };
    MethodFlags { query, body }
}

fn query_flags(m: &Method) -> (BTreeSet<String>, Vec<(String, &Param)>) {
    let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let flags = m
        .optional()
        .map(|p| {
            let mut flag = p.name.wire.to_kebab_case();
            if flag.is_empty() || !taken.insert(flag.clone()) {
                flag = format!("param-{}", crate::names::bare(&p.name.rust).to_kebab_case());
                taken.insert(flag.clone());
            }
            (flag, p)
        })
        .collect();
    (taken, flags)
}

fn method_command(m: &Method, flags: &MethodFlags<'_>) -> TokenStream {
    let name = m.name.wire.to_kebab_case();
    let about = short_help(m.description.as_deref());
    let long_about = help_text(m.description.as_deref());
    let mut args = Vec::new();
    for p in m.positional() {
        // Positional ids cannot collide with flag names (a body field `id`).
        let id = format!("arg:{}", crate::names::bare(&p.name.rust));
        let value_name = p
            .name
            .wire
            .to_kebab_case()
            .to_ascii_uppercase()
            .replace('-', "_");
        let help = short_help(p.description.as_deref());
        let many = p
            .repeated
            .then(|| quote!(.num_args(1..).action(ArgAction::Append)));
        args.push(quote!(Arg::new(#id).value_name(#value_name).required(true).help(#help) #many));
    }
    for (flag, p) in &flags.query {
        let help = short_help(p.description.as_deref());
        let action = if p.repeated {
            quote!(.action(ArgAction::Append))
        } else {
            quote!()
        };
        let required = p.required.then(|| quote!(.required(true)));
        args.push(quote!(Arg::new(#flag).long(#flag).help(#help) #action #required));
    }
    if m.request.is_some() {
        args.push(quote!(Arg::new("body")
            .long("body")
            .value_name("FILE")
            .help("The JSON request body: a file, or - for standard input")));
        for (flag, f) in &flags.body {
            let help = format!("Sets `{}` of the request body", f.name.wire);
            args.push(quote!(Arg::new(#flag).long(#flag).help(#help)));
        }
    }
    if m.pagination.as_ref().is_some_and(|p| p.items.is_some()) {
        args.push(quote!(Arg::new("all")
            .long("all")
            .action(ArgAction::SetTrue)
            .help("Follow every page and print the items as they arrive")));
    }
    quote! {
        Command::new(#name).about(#about).long_about(#long_about) #(.arg(#args))*
    }
}

/// The Rust type of a scalar parameter, named from outside the library (the
/// library's own mapping, `emit::type_in`); what has no scalar form is text.
fn scalar_type(ty: &TypeRef, lib: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeRef::String | TypeRef::Any | TypeRef::Object | TypeRef::Array(_) | TypeRef::Map(_) => {
            quote!(String)
        }
        _ => crate::emit::type_in(ty, &quote!(#lib)),
    }
}

/// How a flag's text becomes the setter's argument.
fn value(ty: &TypeRef, id: &str, lib: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeRef::String => quote!(m.get_one::<String>(#id).cloned()),
        _ => {
            let t = scalar_type(ty, lib);
            quote!(parsed::<#t>(m, #id)?)
        }
    }
}

fn method_arm(api: &Api, chain: &[&Resource], m: &Method, flags: &MethodFlags<'_>) -> TokenStream {
    let lib = ident(&api.lib_name);
    let names: Vec<String> = chain
        .iter()
        .map(|r| r.name.wire.to_kebab_case())
        .chain([m.name.wire.to_kebab_case()])
        .collect();
    let accessors = chain.iter().map(|r| ident(&r.name.rust));
    let method = ident(&m.name.rust);
    let mut args = Vec::new();
    let mut lets = Vec::new();
    for p in m.positional() {
        let bare = crate::names::bare(&p.name.rust);
        let id = format!("arg:{bare}");
        let var = ident(&format!("arg_{bare}"));
        if p.repeated {
            lets.push(quote!(let #var: Vec<String> = m.get_many::<String>(#id).map(|v| v.cloned().collect()).unwrap_or_default();));
        } else if p.ty == TypeRef::String {
            lets.push(quote!(let #var = m.get_one::<String>(#id).cloned().unwrap_or_default();));
        } else {
            let t = scalar_type(&p.ty, &lib);
            lets.push(quote!(let Some(#var) = parsed::<#t>(m, #id)? else { return Err(support::usage(concat!("missing ", #id))); };));
        }
        args.push(quote!(#var));
    }
    if m.request.is_some() {
        let fields: Vec<TokenStream> = flags
            .body
            .iter()
            .map(|(flag, f)| {
                let wire = &f.name.wire;
                let quoted = matches!(f.ty, TypeRef::String | TypeRef::I64 | TypeRef::U64);
                quote!((#flag, #wire, #quoted))
            })
            .collect();
        lets.push(quote!(let request = body(m, &[#(#fields),*])?;));
        args.push(quote!(request));
    }
    let setters = flags.query.iter().map(|(flag, p)| {
        let setter = ident(&p.name.rust);
        if p.repeated {
            let item = value_many(&p.ty, flag, &lib);
            quote!(if let Some(values) = #item { call = call.#setter(values); })
        } else {
            let v = value(&p.ty, flag, &lib);
            quote!(if let Some(v) = #v { call = call.#setter(v); })
        }
    });
    let send = if m.pagination.as_ref().is_some_and(|p| p.items.is_some()) {
        quote! {
            if m.get_flag("all") {
                let mut items = std::pin::pin!(call.items());
                while let Some(item) = items.try_next().await.map_err(|e| support::fail(&e))? {
                    show(output, &item, &mut header);
                }
            } else {
                let response = call.send().await.map_err(|e| support::fail(&e))?;
                show(output, &response, &mut header);
            }
        }
    } else if m.response.is_some() {
        quote! {
            let response = call.send().await.map_err(|e| support::fail(&e))?;
            show(output, &response, &mut header);
        }
    } else {
        quote!(call.send().await.map_err(|e| support::fail(&e))?;)
    };
    quote! {
        [#(#names),*] => {
            #(#lets)*
            #[allow(unused_mut)]
            let mut call = client #(.#accessors())* .#method(#(#args),*);
            #(#setters)*
            #send
        }
    }
}

/// Repeated flag values, each parsed with its type's `FromStr`.
fn value_many(ty: &TypeRef, id: &str, lib: &proc_macro2::Ident) -> TokenStream {
    match ty {
        TypeRef::String => {
            quote!(m.get_many::<String>(#id).map(|v| v.cloned().collect::<Vec<String>>()))
        }
        _ => {
            let t = scalar_type(ty, lib);
            quote! {
                match m.get_many::<String>(#id) {
                    None => None,
                    Some(values) => Some(values.map(|t| t.parse::<#t>()).collect::<Result<Vec<_>, _>>()
                        .map_err(|e| support::usage(&format!("--{}: {e}", #id)))?),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = include_str!("../../tests/fixtures/documents/nested_resources.json");

    fn tool(overlays: &[&str], extension: Option<&str>) -> Result<Vec<File>, Error> {
        let options = Options {
            overlays: overlays
                .iter()
                .map(|path| File {
                    path: path.to_string(),
                    contents: "//! Hand-written.\n".into(),
                })
                .collect(),
            overlay_source: Some("generator/overlays/x-cli".into()),
            cli_extension: extension.map(str::to_string),
            ..Options::default()
        };
        crate::generate_cli(DOCUMENT, &options, "../lib")
    }

    fn main_rs(files: &[File]) -> &str {
        &files
            .iter()
            .find(|f| f.path == "src/main.rs")
            .unwrap()
            .contents
    }

    #[test]
    fn without_an_extension_the_tool_runs_with_unit() {
        let files = tool(&[], None).unwrap();
        assert!(main_rs(&files).contains("commands::main::<()>()"));
        assert!(!main_rs(&files).contains("mod extra;"));
    }

    #[test]
    fn the_extension_is_named_by_the_target_and_its_modules_declared() {
        let files = tool(&["src/extra.rs", "src/extra/auth.rs"], Some("extra::Tool")).unwrap();
        let main = main_rs(&files);
        assert!(main.contains("mod extra;\nmod support;"), "{main}");
        assert!(main.contains("commands::main::<extra::Tool>()"), "{main}");
        let auth = files
            .iter()
            .find(|f| f.path == "src/extra/auth.rs")
            .unwrap();
        assert!(auth.contents.starts_with(
            "// Hand-written: copied from generator/overlays/x-cli/src/extra/auth.rs"
        ));
        let support = files.iter().find(|f| f.path == "src/support.rs").unwrap();
        assert!(support
            .contents
            .starts_with("// Hand-written: copied from generator/cli/support.rs"));
    }

    #[test]
    fn a_bad_extension_or_overlay_is_refused() {
        for (overlays, extension) in [
            (&["src/extra.rs"][..], Some("other::Tool")),
            (&["src/extra.rs"][..], Some("Tool")),
            (&["src/extra.rs"][..], Some("extra::Tool()")),
            (&["src/support.rs"][..], None),
            (&["src/commands.rs"][..], None),
            (&["Cargo.toml"][..], None),
        ] {
            let result = tool(overlays, extension);
            assert!(
                matches!(result, Err(Error::Overlay { .. })),
                "{overlays:?} {extension:?}: {result:?}"
            );
        }
    }
}
