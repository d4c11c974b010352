//! A document whose every string is hostile (tests/fixtures/documents/hostile.json:
//! quotes and newlines with `[dependencies]`, `build = ...` and `path = ...`
//! lines, code fences of every kind, indented code, `*/`, HTML, lone carriage
//! returns, control characters) must not change the manifests' shape nor put
//! its text into a code block that rustdoc would compile as a doctest. Every
//! hostile string holds the marker `PWNED`, which the scans look for.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use generator::{File, Options};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

const MARKER: &str = "PWNED";
const LIBRARY_PATH: &str = "../hostile-lib";

fn document() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/documents/hostile.json");
    fs::read_to_string(path).unwrap()
}

fn library() -> Vec<File> {
    generator::generate(&document(), &Options::default()).unwrap()
}

fn cli() -> Vec<File> {
    generator::generate_cli(&document(), &Options::default(), LIBRARY_PATH).unwrap()
}

fn file<'a>(files: &'a [File], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap().contents
}

fn manifest(text: &str) -> toml::Table {
    toml::from_str(text).unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

fn keys(table: &toml::Table) -> BTreeSet<&str> {
    table.keys().map(String::as_str).collect()
}

/// Dependencies (of every kind) that have a `path`, with it.
fn path_dependencies(table: &toml::Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(deps) = table.get(section).and_then(toml::Value::as_table) else {
            continue;
        };
        for (name, spec) in deps {
            if let Some(path) = spec.as_table().and_then(|t| t.get("path")) {
                out.push((
                    name.clone(),
                    path.as_str().unwrap_or("(not a string)").to_string(),
                ));
            }
        }
    }
    out
}

#[test]
fn the_library_manifest_has_exactly_our_keys() {
    let files = library();
    let table = manifest(file(&files, "Cargo.toml"));
    assert_eq!(
        keys(&table),
        BTreeSet::from([
            "package",
            "lib",
            "dependencies",
            "dev-dependencies",
            "features"
        ])
    );
    let package = table["package"].as_table().unwrap();
    assert_eq!(
        keys(package),
        BTreeSet::from([
            "name",
            "version",
            "edition",
            "rust-version",
            "description",
            "license",
            "readme",
            "keywords",
            "categories",
            "metadata"
        ])
    );
    assert!(!package.contains_key("build"));
    // The only metadata is docs.rs's, exactly as we write it.
    let metadata: toml::Table =
        toml::from_str("[docs.rs]\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]\n")
            .unwrap();
    assert_eq!(package["metadata"].as_table(), Some(&metadata));
    // The only path is the runtime's, as the options name it.
    assert_eq!(
        path_dependencies(&table),
        [(
            "discovery-runtime".to_string(),
            generator::Options::default().runtime_path
        )]
    );
    // The hostile text is there, as the value it was meant to be.
    let description = package["description"].as_str().unwrap();
    assert!(description.contains(MARKER), "{description}");
    assert!(!description.contains('\n'), "{description:?}");
    for keyword in package["keywords"].as_array().unwrap() {
        let k = keyword.as_str().unwrap();
        assert!(
            k.len() <= 20
                && k.starts_with(|c: char| c.is_ascii_alphabetic())
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{k:?}"
        );
    }
    let lib = table["lib"].as_table().unwrap();
    assert_eq!(keys(lib), BTreeSet::from(["name"]));
}

#[test]
fn the_cli_manifest_has_exactly_our_keys() {
    let lib_name = manifest(file(&library(), "Cargo.toml"))["package"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let files = cli();
    let table = manifest(file(&files, "Cargo.toml"));
    assert_eq!(
        keys(&table),
        BTreeSet::from(["package", "bin", "dependencies"])
    );
    let package = table["package"].as_table().unwrap();
    assert!(!package.contains_key("build"));
    assert!(package["description"].as_str().unwrap().contains(MARKER));
    let bins = table["bin"].as_array().unwrap();
    assert_eq!(bins.len(), 1);
    assert_eq!(bins[0]["path"].as_str(), Some("src/main.rs"));
    // The library and the CLI runtime, nothing else.
    assert_eq!(
        path_dependencies(&table),
        [
            (
                "discovery-cli".to_string(),
                "../../generator/cli".to_string()
            ),
            (lib_name, LIBRARY_PATH.to_string())
        ]
    );
}

/// Whether rustdoc would compile a code block with this info string.
fn is_doctest(kind: &CodeBlockKind) -> bool {
    match kind {
        CodeBlockKind::Indented => true,
        CodeBlockKind::Fenced(info) => info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .all(|t| {
                matches!(
                    t,
                    "rust"
                        | "no_run"
                        | "should_panic"
                        | "compile_fail"
                        | "test_harness"
                        | "standalone_crate"
                ) || t.starts_with("edition")
            }),
    }
}

/// What rustdoc would see in `markdown`: the text of doctests, the text of
/// every other code block, and raw HTML.
#[derive(Default)]
struct Scan {
    doctests: Vec<String>,
    other_blocks: Vec<String>,
    html: Vec<String>,
}

fn scan(markdown: &str, into: &mut Scan) {
    use pulldown_cmark::Options as O;
    // rustdoc's options for finding doctests.
    let options = O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_SMART_PUNCTUATION;
    let mut block: Option<(bool, String)> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => block = Some((is_doctest(&kind), String::new())),
            Event::End(TagEnd::CodeBlock) => match block.take() {
                Some((true, text)) => into.doctests.push(text),
                Some((false, text)) => into.other_blocks.push(text),
                None => {}
            },
            Event::Text(text) => {
                if let Some((_, code)) = &mut block {
                    code.push_str(&text);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => into.html.push(html.to_string()),
            _ => {}
        }
    }
}

/// The docs of a Rust file as rustdoc assembles them: each run of `///` (or
/// `//!`) lines, without the prefix, unindented by the smallest indentation.
fn doc_blocks(rust: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut kind = "";
    for line in rust.lines().chain([""]) {
        let trimmed = line.trim_start();
        let prefix = ["///", "//!"]
            .into_iter()
            .find(|p| trimmed.starts_with(p) && !trimmed.starts_with("////"));
        match prefix {
            Some(p) if p == kind || current.is_empty() => {
                kind = p;
                current.push(&trimmed[3..]);
            }
            _ => {
                if !current.is_empty() {
                    let indent = current
                        .iter()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| l.len() - l.trim_start().len())
                        .min()
                        .unwrap_or(0);
                    let text: Vec<&str> = current
                        .iter()
                        .map(|l| l.get(indent..).unwrap_or(""))
                        .collect();
                    blocks.push(text.join("\n"));
                    current.clear();
                }
                if let Some(p) = prefix {
                    kind = p;
                    current.push(&trimmed[3..]);
                }
            }
        }
    }
    blocks
}

fn scan_crate(files: &[File]) -> Scan {
    let mut found = Scan::default();
    for f in files {
        if f.path.ends_with(".md") {
            scan(&f.contents, &mut found);
        } else if f.path.ends_with(".rs") {
            for block in doc_blocks(&f.contents) {
                scan(&block, &mut found);
            }
        }
    }
    found
}

fn assert_no_marker(what: &str, texts: &[String]) {
    for text in texts {
        assert!(
            !text.contains(MARKER),
            "{what} holds document text:\n{text}"
        );
    }
}

#[test]
fn no_document_text_reaches_a_doctest_or_raw_html() {
    for (name, files) in [("library", library()), ("cli", cli())] {
        let found = scan_crate(&files);
        assert_no_marker(&format!("a doctest of the {name}"), &found.doctests);
        assert_no_marker(&format!("raw HTML of the {name}"), &found.html);
        if name == "library" {
            // The fences of the document did arrive, as text blocks.
            assert!(
                found.other_blocks.iter().any(|b| b.contains(MARKER)),
                "no text block holds document text"
            );
            // The README's own examples are still doctests.
            assert!(!found.doctests.is_empty());
        }
    }
}

/// Docs only reach the API's files as `///`/`//!` lines (which `doc_blocks`
/// reads): no `#[doc = ...]` or block doc comment that could hide text from
/// the scan, or end early.
#[test]
fn generated_docs_are_line_comments() {
    let files = library();
    for f in files.iter().filter(|f| {
        f.path.starts_with("src/api")
            || ["src/models.rs", "src/scopes.rs", "src/lib.rs"].contains(&f.path.as_str())
    }) {
        for line in f.contents.lines() {
            let line = line.trim_start();
            let allowed = line == "#![doc = include_str!(\"../README.md\")]";
            assert!(
                allowed
                    || !(line.starts_with("#[doc")
                        || line.starts_with("#![doc")
                        || line.starts_with("/**")
                        || line.starts_with("/*!")),
                "{}: {line}",
                f.path
            );
        }
    }
    // The marker reached the doc comments at all.
    assert!(file(&files, "src/models.rs").contains(MARKER));
}

#[test]
fn the_readme_keeps_only_a_safe_documentation_link() {
    let readme = file(&library(), "README.md").to_string();
    assert!(readme.contains(MARKER));
    // `documentationLink` is not a plain absolute URL: it is left out.
    assert!(!readme.contains("API documentation:"), "{readme}");
}

/// The scan itself finds what it must: a test that could not fail would
/// prove nothing.
#[test]
fn the_scan_finds_doctests_and_html() {
    for doctest in [
        "```\nPWNED\n```",
        "~~~rust,no_run\nPWNED\n~~~",
        "text\n\n    PWNED",
        "- ```edition2021\n  PWNED\n  ```",
        "> ```\n> PWNED",
    ] {
        let mut found = Scan::default();
        scan(doctest, &mut found);
        assert!(
            found.doctests.iter().any(|d| d.contains(MARKER)),
            "{doctest}"
        );
    }
    for safe in ["```text\nPWNED\n```", "```ignore\nPWNED\n```", "`PWNED`"] {
        let mut found = Scan::default();
        scan(safe, &mut found);
        assert!(found.doctests.is_empty(), "{safe}");
    }
    let mut found = Scan::default();
    scan("a <b>PWNED</b>", &mut found);
    assert!(!found.html.is_empty());
    let rust = "/// a\n///\n///     PWNED\nstruct S;\n//! b\n";
    let mut found = Scan::default();
    for block in doc_blocks(rust) {
        scan(&block, &mut found);
    }
    assert_eq!(found.doctests.len(), 1);
}

proptest::proptest! {
    /// Any string, as the `toml` filter renders it, parses back as itself and
    /// stays on one line.
    #[test]
    fn any_string_round_trips_through_the_toml_filter(value in "\\PC*|[\\x00-\\x7f]*|(.|\n|\r|\"|\\\\)*") {
        let literal = generator::manifest::toml_string(&value);
        proptest::prop_assert!(!literal.contains('\n') && !literal.contains('\r'));
        let table: toml::Table = toml::from_str(&format!("key = {literal}\nafter = 1\n")).unwrap();
        proptest::prop_assert_eq!(table.len(), 2);
        proptest::prop_assert_eq!(table["key"].as_str(), Some(value.as_str()));
    }
}
