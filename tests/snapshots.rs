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

#[test]
fn keyword_and_symbol_names() {
    insta::assert_snapshot!("keywords", generated_code("keywords.json"));
}

#[test]
fn nested_resources() {
    insta::assert_snapshot!("nested_resources", generated_code("nested_resources.json"));
}

#[test]
fn repeated_query_parameter() {
    insta::assert_snapshot!("repeated_query", generated_code("repeated_query.json"));
}

#[test]
fn int64_as_string() {
    insta::assert_snapshot!("int64", generated_code("int64.json"));
}

#[test]
fn enums() {
    insta::assert_snapshot!("enums", generated_code("enums.json"));
}

#[test]
fn recursive_refs() {
    insta::assert_snapshot!("recursive", generated_code("recursive.json"));
}

#[test]
fn top_level_methods_and_empty_bodies() {
    insta::assert_snapshot!(
        "top_level_methods",
        generated_code("top_level_methods.json")
    );
}

#[test]
fn maps_any_nested_arrays_inline_objects_and_formats() {
    insta::assert_snapshot!("shapes", generated_code("shapes.json"));
}

#[test]
fn schema_names_that_collide_or_shadow_std() {
    insta::assert_snapshot!(
        "schema_name_collisions",
        generated_code("schema_name_collisions.json")
    );
}

#[test]
fn a_method_named_like_a_sub_resource() {
    insta::assert_snapshot!(
        "method_named_like_subresource",
        generated_code("method_named_like_subresource.json")
    );
}

#[test]
fn aliases_that_refer_to_themselves() {
    insta::assert_snapshot!("alias_cycles", generated_code("alias_cycles.json"));
}

/// Every string hostile (tests/hostile_document.rs checks the properties;
/// this pins what the docs and manifests look like).
#[test]
fn a_hostile_document() {
    let files =
        generator::generate(&fixture("documents/hostile.json"), &options("hostile.json")).unwrap();
    let mut out = generated_code("hostile.json");
    for path in ["Cargo.toml", "README.md"] {
        let file = files.iter().find(|f| f.path == path).unwrap();
        out.push_str(&format!("===== {path} =====\n{}\n", file.contents));
    }
    insta::assert_snapshot!("hostile", out);
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
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/documents");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
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
    let report: String = [
        "invalid_json.json",
        "dangling_ref.json",
        "unknown_type.json",
        "wrong_shape.json",
        "placeholder_without_parameter.json",
        "parameter_order_missing.json",
        "colliding_methods.json",
        "colliding_resources.json",
    ]
    .iter()
    .map(|name| format!("{name}: {}\n", error_of(name)))
    .collect();
    insta::assert_snapshot!("malformed", report);
}
