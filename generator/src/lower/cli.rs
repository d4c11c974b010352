//! The command-line tool's names, settled here like every other name:
//! a subcommand per resource and method (kebab-case, unique at its level),
//! a flag per setter parameter and per scalar field of the request body
//! (unique per method, clear of the flags every command has).

use std::collections::BTreeSet;

use heck::ToKebabCase;

use crate::ir::*;
use crate::names::bare;

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

/// Names every command and flag of `api`'s tool. `extra_commands` are
/// top-level commands a hand-written tool adds (Photos's `upload`): the
/// document's names keep clear of them.
pub fn name_commands(api: &mut Api, extra_commands: &[String]) {
    let mut taken: BTreeSet<String> = RESERVED_COMMANDS
        .iter()
        .map(|s| s.to_string())
        .chain(extra_commands.iter().cloned())
        .collect();
    let types = &api.types;
    level(types, &mut api.methods, &mut api.resources, &mut taken);
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
    for p in m.params.iter_mut() {
        if p.positional {
            p.flag = p
                .name
                .wire
                .to_kebab_case()
                .to_ascii_uppercase()
                .replace('-', "_");
            if p.flag.is_empty() {
                p.flag = bare(&p.name.rust).to_ascii_uppercase();
            }
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
