//! IR -> the files of the client: Rust built with `quote`, `Cargo.toml` and
//! `README.md` from minijinja templates. A whole crate, or (with
//! [`Options::module`]) the module a hand-written crate mounts: the code is
//! emitted as from the crate root (`crate::models::Album`) and re-rooted
//! under the module (`crate::generated::models::Album`), so every emitter
//! names paths one way. The runtime is a crate of its own
//! (`generator/runtime`) that every generated crate depends on.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::format::header;
use crate::ir::*;
use crate::lower;
use crate::markdown;
use crate::names::{bare, sanitize, Case};
use crate::{Error, File, Options};

mod builders;
pub mod cli;
mod client;
mod crate_root;
mod docs;
mod models;
mod stub;
pub(crate) mod templates;
mod types;

use builders::*;
use client::*;
use crate_root::*;
pub use docs::clean_doc;
use docs::*;
use models::*;
use stub::*;
pub(crate) use templates::render;
use templates::*;
pub(crate) use types::type_in;
use types::*;

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
    /// The file's path in the crate: under `src/`, or under `src/<module>/`
    /// (the root module in `mod.rs`) when the code is mounted.
    fn path(&self, options: &Options) -> String {
        let src = match &options.module {
            Some(module) => format!("src/{module}"),
            None => "src".into(),
        };
        match self {
            Job::Text(path, _) => path.clone(),
            Job::Lib if options.module.is_some() => format!("{src}/mod.rs"),
            Job::Lib => format!("{src}/lib.rs"),
            Job::Models => format!("{src}/models.rs"),
            Job::Scopes => format!("{src}/scopes.rs"),
            Job::Stub => format!("{src}/stub.rs"),
            Job::ClientMod => format!("{src}/client.rs"),
            Job::ApiMod => format!("{src}/api/mod.rs"),
            Job::Resource(r) => format!("{src}/api/{}.rs", bare(&r.module)),
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
        let content = match (content, &options.module) {
            (Content::Rust(tokens), Some(module)) => Content::Rust(mounted(tokens, &ident(module))),
            (content, _) => content,
        };
        Source {
            path: self.path(options),
            content,
        }
    }
}

/// The two licenses the manifests name, which a whole crate carries (the
/// repository's own files, so there is one text of each).
pub fn license_files() -> Vec<File> {
    vec![
        File {
            path: "LICENSE-APACHE".into(),
            contents: include_str!("../../../LICENSE-APACHE").into(),
        },
        File {
            path: "LICENSE-MIT".into(),
            contents: include_str!("../../../LICENSE-MIT").into(),
        },
    ]
}

fn jobs<'a>(api: &'a Api, options: &Options) -> Result<Vec<Job<'a>>, Error> {
    let mut jobs = Vec::new();
    match &options.module {
        Some(module) => {
            check_module(module)?;
            jobs.push(Job::Text(
                format!("src/{module}/README.md"),
                template(README_TEMPLATE, api, options, "<!--")?,
            ));
        }
        None => {
            jobs.extend(
                license_files()
                    .into_iter()
                    .map(|file| Job::Text(file.path, file.contents)),
            );
            jobs.push(Job::Text(
                "Cargo.toml".into(),
                template(CARGO_TEMPLATE, api, options, "#")?,
            ));
            jobs.push(Job::Text(
                "README.md".into(),
                template(README_TEMPLATE, api, options, "<!--")?,
            ));
        }
    }
    jobs.extend([
        Job::Lib,
        Job::Models,
        Job::Scopes,
        Job::Stub,
        Job::ClientMod,
        Job::ApiMod,
    ]);
    jobs.extend(api.resources.iter().map(Job::Resource));
    Ok(jobs)
}

/// A module name the generated code can be mounted as: a plain identifier
/// that is not a keyword.
pub(crate) fn check_module(module: &str) -> Result<(), Error> {
    if sanitize(module, Case::Snake) == module && !module.starts_with("r#") {
        Ok(())
    } else {
        Err(Error::Option {
            name: "module".into(),
            message: format!("{module:?} is not a usable module name"),
        })
    }
}

/// `tokens` with every path from the crate root (`crate::x`) re-rooted
/// under `crate::<module>` (`pub(crate)` and doc text are left alone).
fn mounted(tokens: TokenStream, module: &Ident) -> TokenStream {
    use proc_macro2::{Group, Spacing, TokenTree};
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), mounted(g.stream(), module));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            TokenTree::Ident(id) if id == "crate" => {
                out.push(tokens[i].clone());
                let path = matches!(
                    (tokens.get(i + 1), tokens.get(i + 2)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                        if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
                );
                if path {
                    out.extend(quote!(:: #module));
                }
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
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

/// An identifier from a sanitized name (`r#type` becomes a raw identifier).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The modules of every generated client, with their attributes.
fn crate_modules() -> Vec<(String, TokenStream)> {
    // `rustfmt::skip`: prettyplease output; `lib.rs` itself is rustfmt-clean.
    let skip = quote!(#[rustfmt::skip] pub);
    ["api", "client", "models", "scopes", "stub"]
        .into_iter()
        .map(|name| (name.to_string(), skip.clone()))
        .collect()
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
