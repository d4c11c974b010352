//! The build script of every library overlay crate (`build = "../build.rs"`).
//! Writes `$OUT_DIR/generated_lib.rs`: the generated crate's root
//! (`generated/<crate>/src/lib.rs`, `<crate>` from the overlay manifest's
//! `[package.metadata] generated-crate`) as items `src/lib.rs` can
//! `include!`. Its inner attributes go (an included file cannot have them),
//! the generated modules get a `#[path]` to the generated files, and the
//! overlay's modules go: `src/lib.rs` declares them from their sources here.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let here = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let generated = here
        .join("../../../generated")
        .join(generated_crate(&here))
        .join("src");
    let root = generated.join("lib.rs");
    println!("cargo::rerun-if-changed={}", root.display());
    println!("cargo::rerun-if-changed=src");
    let text =
        fs::read_to_string(&root).unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()));
    let mut out = String::new();
    // Attributes wait for their item: they go with it.
    let mut attributes = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("#![") {
            continue;
        }
        if trimmed.starts_with("#[") && trimmed.ends_with(']') {
            attributes.push_str(line);
            attributes.push('\n');
            continue;
        }
        let module = trimmed
            .strip_prefix("pub mod ")
            .or_else(|| trimmed.strip_prefix("mod "))
            .and_then(|rest| rest.strip_suffix(';'));
        match module {
            // An overlay module: `src/lib.rs` declares it from its source.
            Some(name) if here.join("src").join(format!("{name}.rs")).is_file() => {}
            Some(name) => {
                let file = module_file(&generated, name);
                out.push_str(&attributes);
                out.push_str(&format!(
                    "#[path = {:?}]\n{line}\n",
                    file.display().to_string()
                ));
            }
            None => {
                out.push_str(&attributes);
                out.push_str(line);
                out.push('\n');
            }
        }
        attributes.clear();
    }
    let dest =
        PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("generated_lib.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// The `generated-crate = "..."` line of the overlay's `Cargo.toml`.
fn generated_crate(here: &Path) -> String {
    let manifest = here.join("Cargo.toml");
    println!("cargo::rerun-if-changed={}", manifest.display());
    let text = fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    text.lines()
        .find_map(|line| {
            let value = line.trim().strip_prefix("generated-crate")?.trim_start();
            let value = value.strip_prefix('=')?.trim();
            Some(value.strip_prefix('"')?.strip_suffix('"')?.to_owned())
        })
        .filter(|name| !name.is_empty() && !name.contains(['/', '\\', '.']))
        .unwrap_or_else(|| {
            panic!(
                "{} has no `generated-crate = \"<crate>\"` under [package.metadata]",
                manifest.display()
            )
        })
}

/// `name.rs` or `name/mod.rs` in `dir`, absolute.
fn module_file(dir: &Path, name: &str) -> PathBuf {
    let flat = dir.join(format!("{name}.rs"));
    let file = if flat.is_file() {
        flat
    } else {
        dir.join(name).join("mod.rs")
    };
    fs::canonicalize(&file).unwrap_or_else(|e| panic!("cannot find {}: {e}", file.display()))
}
