//! Cargo manifests from document text: every value is rendered as a TOML
//! string literal (the `toml` template filter), and the rendered manifest is
//! parsed back and must have exactly the keys the template writes, so no
//! document text can add a table, a build script or a path dependency.

use std::collections::BTreeSet;

use crate::Error;

/// A TOML basic string, quotes included: `"`, `\` and every control
/// character escaped (controls as `\uXXXX`).
pub fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A keyword cargo accepts (ASCII letters, digits, `-`, `_`; at most 20
/// characters; starting with a letter) made from `word`, if anything is left.
pub fn keyword(word: &str) -> Option<String> {
    let kept: String = word
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .skip_while(|c| !c.is_ascii_alphabetic())
        .take(20)
        .collect::<String>()
        .to_ascii_lowercase();
    (!kept.is_empty()).then_some(kept)
}

/// What a rendered manifest must contain.
pub struct Expected<'a> {
    /// Top-level keys (tables), exactly.
    pub tables: &'a [&'a str],
    /// Keys of `[package]`, exactly.
    pub package_keys: &'a [&'a str],
    pub package_name: &'a str,
    /// `[lib] name`, when there is a `[lib]`.
    pub lib_name: Option<&'a str>,
    /// The only `[[bin]]`'s name and path.
    pub bin: Option<(&'a str, &'a str)>,
    /// The only dependencies allowed a `path`, each with that path.
    pub path_dependencies: &'a [(&'a str, &'a str)],
}

fn keys(table: &toml::Table) -> BTreeSet<&str> {
    table.keys().map(String::as_str).collect()
}

/// Parses `text` back and fails unless it has exactly the expected shape.
pub fn check(file: &str, text: &str, expected: &Expected) -> Result<(), Error> {
    let fail = |message: String| Error::Internal {
        file: file.into(),
        message,
    };
    let table: toml::Table =
        toml::from_str(text).map_err(|e| fail(format!("the manifest is not valid TOML: {e}")))?;
    let same = |t: &toml::Table, want: &[&str], what: &str| {
        let want: BTreeSet<&str> = want.iter().copied().collect();
        let got = keys(t);
        if got == want {
            Ok(())
        } else {
            Err(fail(format!(
                "{what} has the keys {got:?}, expected {want:?}"
            )))
        }
    };
    same(&table, expected.tables, "the manifest")?;
    let sub = |name: &str| {
        table
            .get(name)
            .and_then(toml::Value::as_table)
            .ok_or_else(|| fail(format!("`{name}` is not a table")))
    };
    let string =
        |t: &toml::Table, key: &str| t.get(key).and_then(toml::Value::as_str).map(str::to_owned);
    let package = sub("package")?;
    same(package, expected.package_keys, "[package]")?;
    if string(package, "name").as_deref() != Some(expected.package_name) {
        return Err(fail(format!(
            "package.name is not {:?}",
            expected.package_name
        )));
    }
    if let Some(lib) = expected.lib_name {
        let got = sub("lib")?;
        if keys(got) != BTreeSet::from(["name"]) || string(got, "name").as_deref() != Some(lib) {
            return Err(fail(format!("[lib] is not just name = {lib:?}")));
        }
    }
    if let Some((name, path)) = expected.bin {
        let bins = table.get("bin").and_then(toml::Value::as_array);
        let ok = bins.is_some_and(|bins| {
            bins.len() == 1
                && bins[0].as_table().is_some_and(|b| {
                    keys(b) == BTreeSet::from(["name", "path"])
                        && string(b, "name").as_deref() == Some(name)
                        && string(b, "path").as_deref() == Some(path)
                })
        });
        if !ok {
            return Err(fail(format!("[[bin]] is not just {name:?} at {path:?}")));
        }
    }
    for section in ["dependencies", "dev-dependencies"] {
        let Some(deps) = table.get(section).and_then(toml::Value::as_table) else {
            continue;
        };
        for (dep, spec) in deps {
            let path = spec.as_table().and_then(|t| t.get("path"));
            let allowed = section == "dependencies"
                && expected
                    .path_dependencies
                    .iter()
                    .any(|(d, p)| d == dep && path.and_then(toml::Value::as_str) == Some(*p));
            if path.is_some() && !allowed {
                return Err(fail(format!("{section}.{dep} has a path")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that would end the literal, the line or the table if pasted.
    const TRICKY: &[&str] = &[
        "",
        "plain",
        "\"",
        "\\",
        "\\\"",
        "\"\"\"",
        "a\"\nbuild = \"x.rs\"\n[dependencies]\nevil = { path = \"..\" }\n#",
        "'''",
        "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1b}\u{1f}\u{7f}\u{80}\u{9f}",
        "\\u0041 \\n",
        "é ü 日本 🦀 \u{2028}\u{2029}\u{feff}\u{202e}",
        "]]\n[[bin]]\nname = \"x\"",
        "${x} {{ y }} {% z %}",
    ];

    #[test]
    fn toml_strings_round_trip_through_the_toml_parser() {
        let mut all: Vec<String> = TRICKY.iter().map(|s| s.to_string()).collect();
        // Every character below 0x100 alone, and every pair of the tricky ones.
        all.extend((0u32..0x100).filter_map(char::from_u32).map(String::from));
        for a in TRICKY {
            for b in TRICKY {
                all.push(format!("{a}{b}"));
            }
        }
        for value in &all {
            let text = format!("key = {}\nafter = 1\n", toml_string(value));
            let table: toml::Table =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{value:?}: {e}\n{text}"));
            assert_eq!(table.len(), 2, "{value:?}");
            assert_eq!(table["key"].as_str(), Some(value.as_str()));
            assert!(!toml_string(value).contains('\n'), "{value:?}");
        }
    }

    #[test]
    fn keywords_follow_cargos_rules() {
        assert_eq!(keyword("photoslibrary").as_deref(), Some("photoslibrary"));
        assert_eq!(keyword("My API\"\n[x]").as_deref(), Some("myapix"));
        assert_eq!(keyword("1st-api").as_deref(), Some("st-api"));
        assert_eq!(
            keyword("averyveryverylongapinamehere").as_deref(),
            Some("averyveryverylongapi")
        );
        assert_eq!(keyword("\"\n123"), None);
        assert_eq!(keyword(""), None);
    }

    fn expected() -> Expected<'static> {
        Expected {
            tables: &["package", "lib", "dependencies"],
            package_keys: &["name"],
            package_name: "a",
            lib_name: Some("a"),
            bin: None,
            path_dependencies: &[],
        }
    }

    #[test]
    fn the_check_rejects_any_other_shape() {
        let good = "[package]\nname = \"a\"\n[lib]\nname = \"a\"\n[dependencies]\nx = \"1\"\n";
        check("Cargo.toml", good, &expected()).unwrap();
        for bad in [
            "[package]\nname = \"a\"\nbuild = \"x.rs\"\n[lib]\nname = \"a\"\n[dependencies]\n",
            "[package]\nname = \"b\"\n[lib]\nname = \"a\"\n[dependencies]\n",
            "[package]\nname = \"a\"\n[lib]\nname = \"b\"\n[dependencies]\n",
            "[package]\nname = \"a\"\n[lib]\nname = \"a\"\n[dependencies]\nx = { path = \"..\" }\n",
            "[package]\nname = \"a\"\n[lib]\nname = \"a\"\n[dependencies]\n[build-dependencies]\n",
            "[package]\nname = \"a\"\n[lib]\nname = \"a\"\n",
            "[package]\nname = \"a\"\n[lib]\nname = \"a\"\n[dependencies]\nx = \"1\n",
        ] {
            assert!(
                matches!(
                    check("Cargo.toml", bad, &expected()),
                    Err(Error::Internal { .. })
                ),
                "{bad}"
            );
        }
    }
}
