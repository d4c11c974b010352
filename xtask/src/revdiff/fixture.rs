//! The document the unit tests edit, and how they read a report.

use generator::Options;

use super::{diff_apis, Report};

/// A small API: `items.get` (a path parameter), `items.list` (paginated)
/// and `items.delete`, an `Item` with an enum field.
pub(crate) const BASE: &str = r#"{
      "kind": "discovery#restDescription",
      "name": "demo",
      "version": "v1",
      "revision": "20240101",
      "rootUrl": "https://demo.example.com/",
      "servicePath": "",
      "description": "A demo API.",
      "auth": {"oauth2": {"scopes": {"https://example.com/auth/demo": {"description": "All."}}}},
      "schemas": {
        "Item": {
          "id": "Item",
          "type": "object",
          "description": "An item.",
          "properties": {
            "name": {"type": "string", "description": "Its name."},
            "size": {"type": "integer", "format": "int32"},
            "state": {"type": "string", "enum": ["ON", "OFF"], "enumDescriptions": ["On.", "Off."]}
          }
        },
        "ItemList": {
          "id": "ItemList",
          "type": "object",
          "properties": {
            "items": {"type": "array", "items": {"$ref": "Item"}},
            "nextPageToken": {"type": "string"}
          }
        }
      },
      "resources": {
        "items": {
          "methods": {
            "get": {
              "id": "demo.items.get",
              "httpMethod": "GET",
              "path": "v1/items/{name}",
              "description": "Gets an item.",
              "parameters": {"name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["name"],
              "response": {"$ref": "Item"},
              "scopes": ["https://example.com/auth/demo"]
            },
            "list": {
              "id": "demo.items.list",
              "httpMethod": "GET",
              "path": "v1/items",
              "parameters": {"pageToken": {"type": "string", "location": "query"}},
              "response": {"$ref": "ItemList"}
            },
            "delete": {
              "id": "demo.items.delete",
              "httpMethod": "DELETE",
              "path": "v1/items/{name}",
              "parameters": {"name": {"type": "string", "location": "path", "required": true}},
              "parameterOrder": ["name"]
            }
          }
        }
      }
    }"#;

/// `BASE` with each `(from, to)` replaced; each `from` must occur.
pub(crate) fn edited(edits: &[(&str, &str)]) -> String {
    let mut doc = BASE.to_string();
    for (from, to) in edits {
        assert!(doc.contains(from), "{from:?} is not in the document");
        doc = doc.replacen(from, to, 1);
    }
    doc
}

pub(super) fn report(new: &str) -> Report {
    let lower = |text: &str| generator::to_ir(text, &Options::default()).unwrap();
    diff_apis(&lower(BASE), &lower(new))
}

pub(super) fn lines(r: &Report) -> Vec<String> {
    let text = r.render();
    let all: Vec<&str> = text.lines().collect();
    all[1..all.len() - 1]
        .iter()
        .map(|l| l.to_string())
        .collect()
}
