//! `Cargo.toml` and `README.md` from the minijinja templates in
//! `generator/templates/`, with the manifest checked by `manifest.rs`.

use super::*;

pub(crate) const CARGO_TEMPLATE: &str = include_str!("../../templates/Cargo.toml.j2");

pub(crate) const README_TEMPLATE: &str = include_str!("../../templates/README.md.j2");

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

pub(crate) fn template(
    source: &str,
    api: &Api,
    options: &Options,
    comment: &str,
) -> Result<String, Error> {
    let resources: Vec<String> = api
        .resources
        .iter()
        .map(|r| format!("{}()", bare(&r.name.rust)))
        .collect();
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
        example => example_call(api, false),
        example_items => example_call(api, true),
        source => options.source,
        command => options.command,
        runtime_path => options.runtime_path,
        // The module a hand-written crate mounts the generated code as.
        module => options.module,
        crate_version => options.version,
        runtime_version => crate::RUNTIME_VERSION,
        publish => options.publish,
    };
    if comment == "#" {
        let text = render("Cargo.toml", source, ctx)?;
        let tables = [
            "package",
            "lib",
            "dependencies",
            "dev-dependencies",
            "features",
        ];
        crate::manifest::check(
            "Cargo.toml",
            &text,
            &crate::manifest::Expected {
                tables: &tables,
                package_keys: &package_keys(
                    &[
                        "name",
                        "version",
                        "edition",
                        "rust-version",
                        "description",
                        "license",
                        "readme",
                        "keywords",
                        "categories",
                        "metadata",
                    ],
                    options,
                ),
                package_name: &api.crate_name,
                lib_name: Some(&api.lib_name),
                bin: None,
                path_dependencies: &[("discovery-runtime", &options.runtime_path)],
            },
        )?;
        Ok(text)
    } else {
        render("README.md", source, ctx)
    }
}

/// The `[package]` keys of a whole crate's manifest: `always`, and
/// `publish` for one that may not be published.
pub(crate) fn package_keys<'a>(always: &[&'a str], options: &Options) -> Vec<&'a str> {
    let mut keys = always.to_vec();
    if !options.publish {
        keys.push("publish");
    }
    keys
}

/// Checks that `version` is a plain `MAJOR.MINOR.PATCH` version.
pub(crate) fn check_version(version: &str) -> Result<(), Error> {
    let parts: Vec<&str> = version.split('.').collect();
    let plain = parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 9
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        });
    if plain {
        Ok(())
    } else {
        Err(Error::Option {
            name: "version".into(),
            message: format!("{version:?} is not a version MAJOR.MINOR.PATCH"),
        })
    }
}

/// A call for the README examples: the first GET with no arguments to give
/// (with `items`, the first such method that pages over items).
pub(crate) fn example_call(api: &Api, items: bool) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_plain_semver_numbers() {
        for good in ["0.1.0", "1.0.0", "10.20.30"] {
            assert!(check_version(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1",
            "1.0",
            "01.0.0",
            "1.0.0-rc1",
            "1.0.0\n[x]",
            "a.b.c",
            "1..0",
        ] {
            assert!(check_version(bad).is_err(), "{bad:?}");
        }
    }
}
