//! The command-line tool's names, settled here like every other name:
//! a subcommand per resource and method (kebab-case, unique at its level),
//! a flag per setter parameter and per scalar field of the request body
//! (unique per method, clear of the flags every command has).

use std::collections::BTreeSet;

use heck::ToKebabCase;

use crate::ir::*;
use crate::names::bare;
use crate::{Error, Options};

/// Flags every method command has, or that clap takes: a parameter of that
/// name becomes `--param-<name>`, a body field `--body-<name>`.
pub const RESERVED_FLAGS: &[&str] = &[
    "token",
    "base-url",
    "output",
    "timeout",
    "body",
    "all",
    "help",
    "version",
    "dry-run",
    "upload",
    "download",
    "content-type",
];

/// Top-level commands every tool has: `auth` (login, status, logout),
/// `completions`, and clap's `help`.
pub const RESERVED_COMMANDS: &[&str] = &["auth", "completions", "help"];

/// Names `api`'s tool: its binary and environment variables, its scopes,
/// every command and flag, and the call `auth status` makes. The options'
/// `cli_commands` are top-level commands a hand-written tool adds (Photos's
/// `upload`): the document's names keep clear of them.
pub fn name_tool(api: &mut Api, options: &Options) -> Result<(), Error> {
    api.tool.binary = binary(api, options.cli_binary.as_deref())?;
    api.tool.env_prefix = api.tool.binary.to_ascii_uppercase().replace('-', "_");
    name_scopes(api);
    let mut taken: BTreeSet<String> = RESERVED_COMMANDS
        .iter()
        .map(|s| s.to_string())
        .chain(options.cli_commands.iter().cloned())
        .collect();
    let types = &api.types;
    level(types, &mut api.methods, &mut api.resources, &mut taken);
    api.tool.probe = api
        .all_methods()
        .into_iter()
        .filter(|m| {
            m.http_method == HttpMethod::Get
                && m.deprecated.is_none()
                && m.request.is_none()
                && !m.params.iter().any(|p| p.positional || p.required)
        })
        .map(|m| m.id.clone())
        .min();
    Ok(())
}

/// The binary's name: the option's, checked, else the document's `name` if
/// cargo takes it as a target name, else the crate's.
fn binary(api: &Api, chosen: Option<&str>) -> Result<String, Error> {
    let usable = |name: &str| {
        name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match chosen {
        Some(name) if usable(name) => Ok(name.to_owned()),
        Some(name) => Err(Error::Invalid {
            path: "(options.cli_binary)".into(),
            message: format!("{name:?} is not a usable binary name"),
        }),
        None if usable(&api.name) && api.name.len() <= 20 => Ok(api.name.to_ascii_lowercase()),
        None => Ok(api.crate_name.clone()),
    }
}

/// Each scope's `--scope` name: its URL after `/auth/`, without the API's
/// own name in front (`.../auth/drive.readonly` of Drive is `readonly`),
/// unique among the API's scopes.
fn name_scopes(api: &mut Api) {
    let mut taken = BTreeSet::new();
    let prefix = format!("{}.", api.name);
    for scope in &mut api.scopes {
        let tail = scope
            .url
            .split_once("/auth/")
            .map_or(scope.url.as_str(), |(_, tail)| tail);
        let short = tail.strip_prefix(&prefix).unwrap_or(tail);
        let name: String = short
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let name = name.trim_matches('-').to_ascii_lowercase();
        scope.name = claim(&mut taken, &name, "scope");
    }
}

/// The commands of one level: its resources claim first (their names are
/// the API's structure), then its methods.
fn level(
    types: &[TypeDef],
    methods: &mut [Method],
    resources: &mut [Resource],
    taken: &mut BTreeSet<String>,
) {
    for r in resources.iter_mut() {
        r.command = claim(taken, &r.name.wire.to_kebab_case(), "resource");
    }
    for m in methods.iter_mut() {
        m.command = claim(taken, &m.name.wire.to_kebab_case(), "method");
        name_flags(types, m);
    }
    for r in resources.iter_mut() {
        // clap adds `help` to every command with subcommands.
        let mut sub: BTreeSet<String> = ["help".to_string()].into();
        level(types, &mut r.methods, &mut r.resources, &mut sub);
    }
}

/// A method's flags: one per setter parameter (the kebab-case wire name, or
/// `param-<name>` when that is taken), a value name per positional one, then
/// one per scalar top-level field of the request body.
fn name_flags(types: &[TypeDef], m: &mut Method) {
    let mut taken: BTreeSet<String> = RESERVED_FLAGS.iter().map(|s| s.to_string()).collect();
    // Value names are also the positional arguments' ids: unique too.
    let mut values = BTreeSet::new();
    for p in m.params.iter_mut() {
        if p.positional {
            let name = p
                .name
                .wire
                .to_kebab_case()
                .to_ascii_uppercase()
                .replace('-', "_");
            let name = if name.is_empty() {
                bare(&p.name.rust).to_ascii_uppercase()
            } else {
                name
            };
            p.flag = claim(&mut values, &name, "ARG");
            continue;
        }
        let flag = p.name.wire.to_kebab_case();
        p.flag = if !flag.is_empty() && taken.insert(flag.clone()) {
            flag
        } else {
            let fallback = format!("param-{}", bare(&p.name.rust).to_kebab_case());
            claim(&mut taken, &fallback, "param")
        };
    }
    m.body_flags = body_fields(types, m)
        .into_iter()
        .map(|f| {
            let flag = f.name.wire.to_kebab_case();
            let flag = if !flag.is_empty() && taken.insert(flag.clone()) {
                flag
            } else {
                claim(&mut taken, &format!("body-{flag}"), "field")
            };
            BodyFlag {
                flag,
                field: f.name.clone(),
                ty: f.ty.clone(),
            }
        })
        .collect();
}

/// The scalar top-level fields of `m`'s request body, if it is a struct.
fn body_fields<'t>(types: &'t [TypeDef], m: &Method) -> Vec<&'t Field> {
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
    }) = types.iter().find(|t| &t.name == name)
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
        .collect()
}

/// `name`, or (when it is taken at this level) `name-<suffix>`, then numbered.
fn claim(taken: &mut BTreeSet<String>, name: &str, suffix: &str) -> String {
    let name = if name.is_empty() { suffix } else { name };
    if taken.insert(name.to_string()) {
        return name.to_string();
    }
    (1..)
        .map(|n| {
            if n == 1 {
                format!("{name}-{suffix}")
            } else {
                format!("{name}-{suffix}-{n}")
            }
        })
        .find(|candidate| taken.insert(candidate.clone()))
        .expect("an unbounded range finds a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap panics (in debug builds) on a duplicated argument id or
    /// subcommand name: every level's command names are unique and clear of
    /// the tool's own, every method's flags are unique and clear of the
    /// flags every command has, and value names are unique.
    #[test]
    fn every_name_of_a_colliding_document_is_unique() {
        let text = include_str!("../../../tests/fixtures/documents/cli_names.json");
        let options = Options {
            cli_commands: vec!["upload".into()],
            ..Options::default()
        };
        let api = crate::to_ir(text, &options).unwrap();
        fn level(methods: &[Method], resources: &[Resource], taken: &[&str]) -> usize {
            let mut names: BTreeSet<&str> = taken.iter().copied().collect();
            let mut checked = 0;
            for name in methods
                .iter()
                .map(|m| m.command.as_str())
                .chain(resources.iter().map(|r| r.command.as_str()))
            {
                assert!(!name.is_empty() && names.insert(name), "{name} twice");
            }
            for m in methods {
                let mut flags: BTreeSet<&str> = RESERVED_FLAGS.iter().copied().collect();
                let mut values = BTreeSet::new();
                for p in &m.params {
                    let set = if p.positional {
                        &mut values
                    } else {
                        &mut flags
                    };
                    assert!(set.insert(p.flag.as_str()), "{}: {} twice", m.id, p.flag);
                }
                for f in &m.body_flags {
                    assert!(flags.insert(f.flag.as_str()), "{}: {} twice", m.id, f.flag);
                }
                checked += 1;
            }
            checked
                + resources
                    .iter()
                    .map(|r| level(&r.methods, &r.resources, &["help"]))
                    .sum::<usize>()
        }
        let top: Vec<&str> = RESERVED_COMMANDS
            .iter()
            .copied()
            .chain(["upload"])
            .collect();
        assert!(level(&api.methods, &api.resources, &top) > 5);
    }

    #[test]
    fn taken_names_get_suffixes() {
        let mut taken: BTreeSet<String> = ["help".to_string()].into();
        assert_eq!(claim(&mut taken, "get", "method"), "get");
        assert_eq!(claim(&mut taken, "get", "method"), "get-method");
        assert_eq!(claim(&mut taken, "get", "method"), "get-method-2");
        assert_eq!(claim(&mut taken, "help", "method"), "help-method");
        assert_eq!(claim(&mut taken, "", "param"), "param");
    }
}
