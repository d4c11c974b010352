//! Snapshots of the IR of the Photos document, of the code generated for small
//! fixture documents (one edge case each), and of the errors for malformed ones.
//! Review changes with `cargo insta review`.

use std::fs;
use std::path::PathBuf;

use generator::Options;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn options(source: &str) -> Options {
    Options {
        crate_name: None,
        source: source.into(),
        command: "cargo xtask regenerate".into(),
        ..Options::default()
    }
}

/// The API-specific files of a generated crate (the runtime is the same for
/// every document and is covered by its own tests).
fn generated_code(name: &str) -> String {
    let files = generator::generate(&fixture(&format!("documents/{name}")), &options(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = String::new();
    for file in files
        .iter()
        .filter(|f| f.path.starts_with("src/api") || f.path == "src/models.rs")
    {
        out.push_str(&format!("===== {} =====\n{}\n", file.path, file.contents));
    }
    out
}

#[test]
fn photos_ir() {
    let text = fs::read_to_string(xtask::workspace_root().join("discovery/photoslibrary.v1.json"))
        .unwrap();
    let api = generator::to_ir(&text, &options("discovery/photoslibrary.v1.json")).unwrap();
    insta::assert_snapshot!("photos_ir", api.dump());
}

/// The fixtures of a folder under `tests/fixtures/`, sorted: a new fixture
/// is one dropped-in file.
fn fixtures_in(folder: &str) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(folder);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// Each fixture document's generated code (`code_<fixture>`: the API's
/// modules; for the hostile one also its manifest and README) and tool
/// (`tool_<fixture>`).
#[test]
fn fixture_documents_code_and_tools() {
    for name in fixtures_in("documents") {
        let stem = name.trim_end_matches(".json");
        let mut code = generated_code(&name);
        if name == "hostile.json" {
            // Every string hostile (tests/hostile_document.rs checks the
            // properties; this pins what the docs and manifests look like).
            let files =
                generator::generate(&fixture(&format!("documents/{name}")), &options(&name))
                    .unwrap();
            for path in ["Cargo.toml", "README.md"] {
                let file = files.iter().find(|f| f.path == path).unwrap();
                code.push_str(&format!("===== {path} =====\n{}\n", file.contents));
            }
        }
        insta::assert_snapshot!(format!("code_{stem}"), code);
        insta::assert_snapshot!(format!("tool_{stem}"), generated_cli(&name));
    }
}

#[test]
fn the_data_wrapper_feature() {
    let text = fixture("documents/data_wrapper.json");
    let api = generator::to_ir(&text, &options("data_wrapper.json")).unwrap();
    assert!(api.data_wrapper);
    let files = generator::generate(&text, &options("data_wrapper.json")).unwrap();
    let lib = files.iter().find(|f| f.path == "src/lib.rs").unwrap();
    assert!(
        lib.contents.contains("const DATA_WRAPPER: bool = true;"),
        "{}",
        lib.contents
    );
    let photos = generated_code("keywords.json");
    assert!(!photos.contains("DATA_WRAPPER: bool = true"));
}

/// Every fixture document has a snapshot test above, and the IR dump of each
/// is pinned too (readable: names, wire names, types, detected features).
#[test]
fn fixture_documents_ir() {
    let names = fixtures_in("documents");
    let mut dump = String::new();
    for name in &names {
        let api = generator::to_ir(&fixture(&format!("documents/{name}")), &options(name)).unwrap();
        dump.push_str(&format!("===== {name} =====\n{}\n", api.dump()));
    }
    insta::assert_snapshot!("fixture_documents_ir", dump);
}

fn error_of(name: &str) -> String {
    match generator::generate(&fixture(&format!("malformed/{name}")), &options(name)) {
        Ok(_) => panic!("{name} generated without an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_documents_name_the_problem_and_where() {
    let report: String = fixtures_in("malformed")
        .iter()
        .map(|name| format!("{name}: {}\n", error_of(name)))
        .collect();
    insta::assert_snapshot!("malformed", report);
}

/// The tool's generated commands for a fixture (its `src/commands.rs`).
fn generated_cli(name: &str) -> String {
    let files = generator::generate_cli(
        &fixture(&format!("documents/{name}")),
        &options(name),
        "../lib",
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let file = files.iter().find(|f| f.path == "src/commands.rs").unwrap();
    file.contents.clone()
}

/// The parts of `lib.rs` that carry document data (endpoints, mTLS URL).
fn generated_lib(name: &str) -> String {
    let files = generator::generate(&fixture(&format!("documents/{name}")), &options(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    files
        .iter()
        .find(|f| f.path == "src/lib.rs")
        .unwrap()
        .contents
        .clone()
}

#[test]
fn regional_endpoints() {
    insta::assert_snapshot!("endpoints_lib", generated_lib("endpoints.json"));
}

/// A lifecycle deprecation note reaches the same emission as the
/// document's; one for a method the document lacks is refused.
#[test]
fn lifecycle_deprecations() {
    let text = fixture("documents/endpoints.json");
    let mut opts = options("endpoints.json");
    opts.lifecycle = generator::Lifecycle::default().deprecate(
        "regional.things.get",
        "Withdrawn by the service; use things.list.",
    );
    let files = generator::generate(&text, &opts).unwrap();
    let things = files
        .iter()
        .find(|f| f.path == "src/api/things.rs")
        .unwrap();
    assert!(
        things
            .contents
            .contains("#[deprecated(note = \"Withdrawn by the service; use things.list.\")]"),
        "{}",
        things.contents
    );
    let lib = files.iter().find(|f| f.path == "src/lib.rs").unwrap();
    assert!(lib.contents.contains("#![allow(deprecated)]"));
    opts.lifecycle = generator::Lifecycle::default().deprecate("regional.things.nope", "x");
    assert!(matches!(
        generator::generate(&text, &opts),
        Err(generator::Error::Lifecycle { .. })
    ));
}

/// Mounted, the generated code is one module of a hand-written crate: no
/// manifest, every file under `src/<module>/`, every path from the crate
/// root re-rooted there (doc links stay the public paths).
#[test]
fn a_mounted_module_names_its_root() {
    let text = fixture("documents/nested_resources.json");
    let mut opts = options("nested_resources.json");
    opts.module = Some("generated".into());
    let files = generator::generate(&text, &opts).unwrap();
    assert!(
        files.iter().all(|f| f.path.starts_with("src/generated/")),
        "{:?}",
        files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
    let root = files
        .iter()
        .find(|f| f.path == "src/generated/mod.rs")
        .unwrap();
    assert!(!root.contents.contains("#![doc"), "{}", root.contents);
    assert!(!root.contents.contains("#![forbid"), "{}", root.contents);
    let code: String = files
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
        .flat_map(|f| f.contents.lines())
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(code.contains("crate::generated::transport::Call"), "{code}");
    assert!(!code.contains(" crate::transport"), "{code}");
    assert!(!code.contains("(crate::transport"), "{code}");
    assert!(code.contains("pub(crate)"), "visibility is left alone");
    for bad in ["Generated", "r#type", "a-b", "self", ""] {
        opts.module = Some(bad.into());
        assert!(
            matches!(
                generator::generate(&text, &opts),
                Err(generator::Error::Option { .. })
            ),
            "{bad:?}"
        );
    }
}
