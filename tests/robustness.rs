//! No input may make the generator panic or report an internal error:
//! inputs the fuzzer found interesting (tests/fixtures/fuzz/, where crashing
//! inputs are committed as regressions) and a systematic mutation of the
//! fixture documents, replacing every value in turn with every other JSON kind.

use std::fs;
use std::path::PathBuf;

use generator::{Error, Options};
use serde_json::{json, Value};

fn check(name: &str, text: &str) {
    let result = std::panic::catch_unwind(|| generator::generate(text, &Options::default()));
    match result {
        Err(_) => panic!("{name}: the generator panicked"),
        Ok(Err(e @ Error::Internal { .. })) => panic!("{name}: internal error: {e}"),
        Ok(_) => {}
    }
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz");
    let mut count = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        check(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
        count += 1;
    }
    assert!(count > 0, "no regression inputs in {}", dir.display());
}

/// Every path to a value in `value`.
fn paths(value: &Value, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let mut p = prefix.clone();
                p.push(k.clone());
                paths(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut p = prefix.clone();
                p.push(i.to_string());
                paths(v, p, out);
            }
        }
        _ => {}
    }
}

fn replace(value: &mut Value, path: &[String], with: Value) {
    let mut target = value;
    for key in path {
        target = match target {
            Value::Object(map) => map.get_mut(key).unwrap(),
            Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => unreachable!("paths only lead through containers"),
        };
    }
    *target = with;
}

#[test]
fn every_value_replaced_by_every_json_kind_never_panics() {
    let replacements = [
        json!(null),
        json!(true),
        json!(-1),
        json!(""),
        json!("{+x}"),
        json!("r#type"),
        json!([]),
        json!({}),
        json!({"$ref": "Missing"}),
        json!({"type": "array"}),
    ];
    for name in [
        "keywords.json",
        "nested_resources.json",
        "enums.json",
        "recursive.json",
        "shapes.json",
    ] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/documents")
            .join(name);
        let original: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        let mut all = Vec::new();
        paths(&original, Vec::new(), &mut all);
        for p in &all {
            for with in &replacements {
                let mut doc = original.clone();
                replace(&mut doc, p, with.clone());
                check(
                    &format!("{name} with {} = {with}", p.join(".")),
                    &doc.to_string(),
                );
            }
        }
    }
}
