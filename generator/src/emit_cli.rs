//! IR -> a command-line tool crate: one subcommand per resource and method,
//! built with clap's builder API (no derive: faster builds), dispatching to
//! the library's typed request builders.

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

/// `[deprecated] ` for the help of a deprecated command or flag.
fn deprecated_mark(deprecated: &Option<String>) -> &'static str {
    if deprecated.is_some() {
        "[deprecated] "
    } else {
        ""
    }
}

/// `help` marked for a deprecated command or flag, unless it says so itself.
fn marked(deprecated: &Option<String>, help: String) -> String {
    if help.to_ascii_lowercase().starts_with("deprecated") {
        help
    } else {
        format!("{}{help}", deprecated_mark(deprecated))
    }
}

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
    let bin = match &options.cli_binary {
        Some(name)
            if name.len() <= 64
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            name.clone()
        }
        Some(name) => {
            return Err(Error::Overlay {
                path: "cli_binary".into(),
                message: format!("{name:?} is not a usable binary name"),
            })
        }
        None if crate::manifest::keyword(&api.name).as_deref() == Some(api.name.as_str()) => {
            api.name.clone()
        }
        None => api.crate_name.clone(),
    };
    let env_prefix = bin.to_ascii_uppercase().replace('-', "_");
    let crate_name = format!("{}-cli", api.crate_name);
    if let Some((name, _)) = options.cli_libraries.iter().find(|(name, _)| {
        name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    }) {
        return Err(Error::Overlay {
            path: "cli_libraries".into(),
            message: format!("the tool's extra library {name:?} is not a crate name"),
        });
    }
    let extra_libraries: Vec<(&str, &str)> = options
        .cli_libraries
        .iter()
        .map(|(name, path)| (name.as_str(), path.as_str()))
        .collect();
    let mut path_dependencies = vec![(api.crate_name.as_str(), library_path)];
    path_dependencies.extend(extra_libraries.iter().copied());
    let cargo = crate::emit::render(
        "Cargo.toml",
        CARGO_TEMPLATE,
        minijinja::context! {
            header => header("#", options).trim_end().to_string(),
            crate_name => crate_name,
            bin => bin,
            lib_crate => api.crate_name,
            library_path => library_path,
            extra_libraries => extra_libraries,
            title => crate::markdown::one_line(&api.title),
            has_extra => has_extra,
            has_upload => api.all_methods().iter().any(|m| m.media_upload.is_some()),
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
            path_dependencies: &path_dependencies,
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

/// Text for the terminal: no control characters (escape sequences) and no
/// bidirectional overrides (text that displays other than it reads); line
/// breaks are kept.
fn terminal(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            (c == '\n' || !c.is_control())
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn help_text(text: Option<&str>) -> String {
    let lines = clean_doc(text.unwrap_or("").trim());
    terminal(
        lines
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join("\n")
            .trim(),
    )
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
    terminal(first).chars().take(100).collect()
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
    // One function per command and per method's dispatch: rustc checks many
    // small functions far faster than one with thousands of arms.
    let mut out = Items {
        commands: Vec::new(),
        arms: Vec::new(),
        fns: Vec::new(),
        resources: 0,
    };
    level_in(api, &api.methods, &api.resources, &[], &[], &mut out);
    commands.append(&mut out.commands);
    arms.append(&mut out.arms);
    let fns = out.fns;
    let version = quote!(env!("CARGO_PKG_VERSION"));
    let methods = api.all_methods();
    let upload_fns = methods
        .iter()
        .any(|m| m.media_upload.is_some())
        .then(|| upload_fns(&lib));
    let download_fns = methods
        .iter()
        .any(|m| m.downloads_to_file())
        .then(|| download_fns(&lib));
    let run = run_fn(&arms);
    let paging_import = methods.iter().any(|m| m.pagination.is_some()).then(|| {
        quote!(
            use futures_util::TryStreamExt;
        )
    });
    quote! {
        //! The commands, generated from the discovery document.
        // Deprecated methods and parameters stay callable; `--help` marks them.
        #![allow(deprecated)]

        use std::process::ExitCode;

        use crate::support;

        use clap::{Arg, ArgAction, ArgMatches, Command};
        #paging_import
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
                .arg(Arg::new("dry-run").long("dry-run").global(true).action(ArgAction::SetTrue)
                    .help("Print the request that would be sent as one JSON object (the token redacted) and send nothing; needs no token"))
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
            let dry_run = matches.get_flag("dry-run");
            if dry_run {
                // Hand-written commands cannot preview what they would send.
                let top = matches.subcommand_name().unwrap_or_default();
                if extension.commands().iter().any(|c| c.get_name() == top) {
                    return support::usage(&format!("--dry-run is not available for `{top}`"));
                }
            }
            // Commands that need no client (`auth login`) come first.
            if let Some(code) = extension.run_without_client(&matches).await {
                return code;
            }
            let mut builder = match matches.get_one::<String>("token") {
                Some(token) => Client::builder().bearer_token(token.clone()),
                // Never sent: the preview shows the header as `REDACTED`.
                None if dry_run => Client::builder().bearer_token("dry-run"),
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
            match run(&client, &matches, output, dry_run, extension).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }

        /// A flag's value parsed with its type's `FromStr`.
        #[allow(dead_code)] // an API whose parameters are all strings has no use for it
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
        #[allow(dead_code)] // an API without request bodies has no use for it
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

        #[allow(dead_code)] // a tool whose methods all answer with nothing prints nothing
        fn show<T: serde::Serialize>(output: Output, value: &T, header: &mut Option<Vec<String>>) {
            support::print(output, &serde_json::to_value(value).unwrap_or_default(), header);
        }

        #run

        #(#fns)*

        /// `--dry-run`: the request as one JSON object on one line.
        #[allow(dead_code)] // a tool of an API without methods sends nothing
        fn preview(preview: #lib::Result<#lib::RequestPreview>) -> Result<(), ExitCode> {
            let preview = preview.map_err(|e| support::fail(&e))?;
            println!("{}", serde_json::to_string(&preview).unwrap_or_default());
            Ok(())
        }

        #upload_fns
        #download_fns
    }
}

/// `media()` for `--upload`, in tools of APIs that upload.
fn upload_fns(lib: &proc_macro2::Ident) -> TokenStream {
    quote! {
        /// `--upload FILE`: the file as media (`--content-type`, default
        /// `application/octet-stream`).
        async fn media(m: &ArgMatches, path: &str) -> Result<#lib::media::Media, ExitCode> {
            // Checked before opening: opening a FIFO would block.
            let meta = tokio::fs::metadata(path).await
                .map_err(|e| support::usage(&format!("--upload: cannot read {path}: {e}")))?;
            if !meta.is_file() {
                return Err(support::usage(&format!("--upload: {path} is not a regular file")));
            }
            let file = tokio::fs::File::open(path).await
                .map_err(|e| support::usage(&format!("--upload: cannot open {path}: {e}")))?;
            let meta = file.metadata().await
                .map_err(|e| support::usage(&format!("--upload: cannot read {path}: {e}")))?;
            if !meta.is_file() {
                return Err(support::usage(&format!("--upload: {path} is not a regular file")));
            }
            let content_type = m.get_one::<String>("content-type").cloned()
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            Ok(#lib::media::Media::from_reader(file, Some(meta.len()), content_type))
        }
    }
}

/// `downloaded()` for `--download`, in tools of APIs that download.
fn download_fns(lib: &proc_macro2::Ident) -> TokenStream {
    quote! {
        /// `--download FILE`: what the safe download did, as JSON.
        fn downloaded(output: Output, done: #lib::files::Downloaded, header: &mut Option<Vec<String>>) {
            let value = match done {
                #lib::files::Downloaded::Complete { path, bytes, resumed_from } => serde_json::json!({
                    "path": path.display().to_string(), "bytes": bytes, "resumed_from": resumed_from,
                }),
                #lib::files::Downloaded::AlreadyThere { path } => serde_json::json!({
                    "path": path.display().to_string(), "already_there": true,
                }),
                _ => serde_json::Value::Null,
            };
            show(output, &value, header);
        }
    }
}

fn run_fn(arms: &[TokenStream]) -> TokenStream {
    quote! {
        async fn run(client: &Client, matches: &ArgMatches, output: Output, dry_run: bool, extension: &impl Extension) -> Result<(), ExitCode> {
            let mut path = Vec::new();
            let mut m = matches;
            while let Some((name, sub)) = m.subcommand() {
                path.push(name);
                m = sub;
            }
            // The extension's commands, before the generated ones (never in a
            // dry run: hand-written commands cannot preview what they send).
            if !dry_run {
                if let Some(result) = extension.run(client, &path, m, output).await {
                    return result;
                }
            }
            let mut header = None;
            // A table, not a `match` on slices: rustc's pattern checking of
            // such matches grows far faster than the number of arms.
            match METHODS.iter().find(|(names, _)| *names == path.as_slice()) {
                Some((_, run)) => run(client, m, output, dry_run, &mut header).await,
                None => Err(support::usage("unknown command")),
            }
        }

        /// What runs one method's command.
        type RunFn = for<'a> fn(&'a Client, &'a ArgMatches, Output, bool, &'a mut Option<Vec<String>>) -> futures_util::future::LocalBoxFuture<'a, Result<(), ExitCode>>;

        /// Every method's command path and what runs it.
        static METHODS: &[(&[&str], RunFn)] = &[#(#arms)*];
    }
}

/// What the levels add to `commands.rs`.
struct Items {
    /// The top level's command expressions.
    commands: Vec<TokenStream>,
    /// The dispatch arms, one per method.
    arms: Vec<TokenStream>,
    /// One function per resource command, method command and method run.
    fns: Vec<TokenStream>,
    /// Resource functions so far (they are numbered).
    resources: usize,
}

/// The commands of one level: its methods, then its resources (each a
/// command holding its own level), names unique within the level; the
/// level's command expressions go to `out.commands`.
fn level_in(
    api: &Api,
    methods: &[Method],
    resources: &[Resource],
    path: &[String],
    accessors: &[&str],
    out: &mut Items,
) {
    for m in methods {
        let name = m.command.clone();
        let mut names = path.to_vec();
        names.push(name.clone());
        // The flags are named once; the command and its dispatch both use them.
        let flags = method_flags(m);
        let stub = crate::names::bare(&m.stub);
        let command_fn = quote::format_ident!("command_{stub}");
        let run_fn = quote::format_ident!("run_{stub}");
        let command = method_command(api, m, &name, &flags);
        out.fns.push(quote! {
            fn #command_fn() -> Command {
                #command
            }
        });
        out.commands.push(quote!(#command_fn()));
        let body = method_arm(api, accessors, m, &flags);
        out.fns.push(quote! {
            #[allow(unused_variables)]
            fn #run_fn<'a>(client: &'a Client, m: &'a ArgMatches, output: Output, dry_run: bool, header: &'a mut Option<Vec<String>>) -> futures_util::future::LocalBoxFuture<'a, Result<(), ExitCode>> {
                Box::pin(async move {
                    #body
                    Ok(())
                })
            }
        });
        out.arms.push(quote! {
            (&[#(#names),*], #run_fn),
        });
    }
    for r in resources {
        let name = r.command.clone();
        let about = format!(
            "{}The {} resource",
            deprecated_mark(&r.deprecated),
            terminal(&crate::markdown::one_line(&r.name.wire))
        );
        let mut sub_path = path.to_vec();
        sub_path.push(name.clone());
        let mut sub_accessors = accessors.to_vec();
        sub_accessors.push(&r.name.rust);
        let mut level_commands = std::mem::take(&mut out.commands);
        level_in(
            api,
            &r.methods,
            &r.resources,
            &sub_path,
            &sub_accessors,
            out,
        );
        let subs = std::mem::take(&mut out.commands);
        out.resources += 1;
        let resource_fn = quote::format_ident!("resource_{}", out.resources);
        out.fns.push(quote! {
            fn #resource_fn() -> Command {
                Command::new(#name).about(#about).subcommand_required(true) #(.subcommand(#subs))*
            }
        });
        level_commands.push(quote!(#resource_fn()));
        out.commands = level_commands;
    }
}

/// A method's flags (named in lowering): one per query parameter, then one
/// per scalar body field.
struct MethodFlags<'a> {
    query: Vec<(String, &'a Param)>,
    body: Vec<&'a BodyFlag>,
}

fn method_flags(m: &Method) -> MethodFlags<'_> {
    MethodFlags {
        query: m.optional().map(|p| (p.flag.clone(), p)).collect(),
        body: m.body_flags.iter().collect(),
    }
}

fn method_command(api: &Api, m: &Method, name: &str, flags: &MethodFlags<'_>) -> TokenStream {
    let about = marked(&m.deprecated, short_help(m.description.as_deref()));
    let mut long_about = help_text(m.description.as_deref());
    if let Some(note) = &m.deprecated {
        long_about = format!(
            "Deprecated: {}\n\n{long_about}",
            terminal(&crate::markdown::one_line(note))
        );
    }
    let mut args = Vec::new();
    for p in m.positional() {
        // Positional ids cannot collide with flag names (a body field `id`).
        let id = format!("arg:{}", crate::names::bare(&p.name.rust));
        let value_name = &p.flag;
        let help = short_help(p.description.as_deref());
        let many = p
            .repeated
            .then(|| quote!(.num_args(1..).action(ArgAction::Append)));
        args.push(quote!(Arg::new(#id).value_name(#value_name).required(true).help(#help) #many));
    }
    for (flag, p) in &flags.query {
        let mut help = marked(&p.deprecated, short_help(p.description.as_deref()));
        if let Some(values) = enum_values(api, &p.ty) {
            help = format!("{help} [values: {values}]");
        }
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
        for f in &flags.body {
            let flag = &f.flag;
            let help = format!(
                "Sets `{}` of the request body",
                terminal(&crate::markdown::one_line(&f.field.wire))
            );
            args.push(quote!(Arg::new(#flag).long(#flag).help(#help)));
        }
    }
    match &m.pagination {
        Some(p) if p.items.is_some() => args.push(quote!(Arg::new("all")
            .long("all")
            .action(ArgAction::SetTrue)
            .help("Follow every page and print the items as they arrive"))),
        Some(_) => args.push(quote!(Arg::new("all")
            .long("all")
            .action(ArgAction::SetTrue)
            .help("Follow every page and print each page as it arrives"))),
        None => {}
    }
    if m.media_upload.is_some() {
        args.push(quote!(Arg::new("upload")
            .long("upload")
            .value_name("FILE")
            .help(
                "Upload FILE as the media (with the request as its metadata)"
            )));
        args.push(quote!(Arg::new("content-type")
            .long("content-type")
            .value_name("TYPE")
            .requires("upload")
            .help(
                "The media type of --upload (default application/octet-stream)"
            )));
    }
    if m.downloads_to_file() {
        args.push(quote!(Arg::new("download")
            .long("download")
            .value_name("FILE")
            .help(
                "Download the media into FILE (never overwritten; resumed after an interruption)"
            )));
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
        .map(|v| terminal(&crate::markdown::one_line(&v.name.wire)))
        .collect();
    let text = values.join(", ");
    Some(if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text
    })
}

/// The body of a method's run function.
fn method_arm(api: &Api, accessors: &[&str], m: &Method, flags: &MethodFlags<'_>) -> TokenStream {
    let lib = ident(&api.lib_name);
    let accessors = accessors.iter().map(|a| ident(a));
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
            .map(|f| {
                let flag = &f.flag;
                let wire = &f.field.wire;
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
    // Awaits a call and prints its response (an empty one prints nothing).
    let finish = |call: TokenStream| {
        if m.response.is_some() {
            quote! {
                let response = #call.await.map_err(|e| support::fail(&e))?;
                show(output, &response, header);
            }
        } else {
            quote!(#call.await.map_err(|e| support::fail(&e))?;)
        }
    };
    let send_call = finish(quote!(call.send()));
    let upload_call = finish(quote!(call.upload(media)));
    let send = match &m.pagination {
        Some(p) => {
            let stream = if p.items.is_some() {
                quote!(call.items())
            } else {
                quote!(call.pages())
            };
            quote! {
                if m.get_flag("all") {
                    let mut items = std::pin::pin!(#stream);
                    while let Some(item) = items.try_next().await.map_err(|e| support::fail(&e))? {
                        show(output, &item, header);
                    }
                } else {
                    #send_call
                }
            }
        }
        None => send_call,
    };
    let upload = m.media_upload.as_ref().map(|_| {
        quote! {
            if let Some(file) = m.get_one::<String>("upload") {
                let media = media(m, file).await?;
                if dry_run {
                    return preview(call.upload_preview(&media));
                }
                #upload_call
                return Ok(());
            }
        }
    });
    let download = m.downloads_to_file().then(|| {
        quote! {
            if let Some(file) = m.get_one::<String>("download") {
                if std::path::Path::new(file).file_name().is_none() {
                    return Err(support::usage(&format!("--download: {file:?} names no file")));
                }
                if dry_run {
                    return preview(call.download_preview());
                }
                let done = call.download_to(std::path::Path::new(file)).await.map_err(|e| support::fail(&e))?;
                downloaded(output, done, header);
                return Ok(());
            }
        }
    });
    quote! {
        #(#lets)*
        #[allow(unused_mut)]
        let mut call = client #(.#accessors())* .#method(#(#args),*);
        #(#setters)*
        #upload
        #download
        if dry_run {
            return preview(call.request_preview());
        }
        #send
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
    use std::collections::BTreeSet;

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

    /// clap panics (in debug builds) on a duplicated argument id or
    /// subcommand name: every command function's ids are unique, and no level
    /// takes `help` from clap.
    #[test]
    fn names_are_unique_in_every_command() {
        let document = include_str!("../../tests/fixtures/documents/cli_names.json");
        let files = crate::generate_cli(document, &Options::default(), "../lib").unwrap();
        let commands = &files
            .iter()
            .find(|f| f.path == "src/commands.rs")
            .unwrap()
            .contents;
        let mut functions = 0;
        for function in commands.split("\nfn ").skip(1) {
            let body = function.split("\n}\n").next().unwrap();
            let mut ids = BTreeSet::new();
            for id in body.split("Arg::new(\"").skip(1) {
                let id = id.split('"').next().unwrap();
                assert!(
                    ids.insert(id),
                    "`{id}` twice in fn {}",
                    &function[..40.min(function.len())]
                );
            }
            functions += 1;
        }
        assert!(functions > 5, "{commands}");
        assert!(!commands.contains("Command::new(\"help\")"), "{commands}");
        assert!(
            commands.contains("Command::new(\"help-method\")"),
            "{commands}"
        );
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
