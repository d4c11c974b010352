//! How results are printed: one enum, whose names clap takes and shows.

use std::io::Write;

use serde_json::Value;

use crate::printable;

/// The `--output` (`-o`) formats: their names are [`Output::name`], and
/// [`Printer::print`] prints each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Pretty JSON.
    Json,
    /// One JSON value per line.
    JsonLines,
    /// Tab-separated columns, the scalar fields of the first row.
    Table,
    /// Comma-separated values (RFC 4180): the table's columns, quoted where
    /// needed, and safe to open in a spreadsheet.
    Csv,
}

impl Output {
    /// Every format, in the order `--help` lists them.
    pub const ALL: &'static [Output] =
        &[Output::Json, Output::JsonLines, Output::Table, Output::Csv];

    /// The name `--output` takes.
    pub fn name(self) -> &'static str {
        match self {
            Output::Json => "json",
            Output::JsonLines => "json-lines",
            Output::Table => "table",
            Output::Csv => "csv",
        }
    }
}

impl clap::ValueEnum for Output {
    fn value_variants<'a>() -> &'a [Self] {
        Output::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// Prints results in one format, keeping what a table needs between rows
/// (its columns, fixed by the first row).
#[derive(Debug)]
pub struct Printer {
    output: Output,
    header: Option<Vec<String>>,
}

impl Printer {
    pub fn new(output: Output) -> Printer {
        Printer {
            output,
            header: None,
        }
    }

    /// Prints one result (a response, or one item with `--all`).
    pub fn print(&mut self, value: &Value) {
        let mut out = std::io::stdout().lock();
        let _ = match self.output {
            Output::Json => writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            ),
            Output::JsonLines => writeln!(out, "{value}"),
            Output::Table | Output::Csv => {
                let (separator, field): (&str, fn(&str) -> String) = match self.output {
                    Output::Csv => (",", csv_field),
                    _ => ("\t", str::to_owned),
                };
                for row in rows(value) {
                    let columns = self.header.get_or_insert_with(|| {
                        let columns = columns(row);
                        let shown: Vec<String> =
                            columns.iter().map(|c| field(&printable(c))).collect();
                        let _ = writeln!(out, "{}", shown.join(separator));
                        columns
                    });
                    let cells: Vec<String> = columns.iter().map(|c| field(&cell(row, c))).collect();
                    let _ = writeln!(out, "{}", cells.join(separator));
                }
                Ok(())
            }
        };
    }
}

/// The rows of a result: the items of its (first) list, else itself.
fn rows(value: &Value) -> Vec<&Value> {
    match value {
        Value::Object(map) => match map.values().find(|v| v.is_array()) {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => vec![value],
        },
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// A row's scalar fields, in order.
fn columns(row: &Value) -> Vec<String> {
    match row {
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .map(|(k, _)| k.clone())
            .collect(),
        _ => vec!["value".into()],
    }
}

/// One cell: server text made printable (tabs and line breaks would break
/// the table too).
fn cell(row: &Value, column: &str) -> String {
    match row.get(column).unwrap_or(row) {
        Value::String(s) => printable(s),
        Value::Null => String::new(),
        v if row.get(column).is_some() => v.to_string(),
        _ => String::new(),
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a
/// space at either end, quotes doubled. Text a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-` or `@`) gets a leading `'`, so a
/// server's text stays text.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Prints one result in `output` (a [`Printer`] of one row).
pub fn print(output: Output, value: &Value) {
    Printer::new(output).print(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_format_has_its_name_and_comes_back_from_it() {
        for output in Output::ALL {
            assert_eq!(Output::from_str(output.name(), false), Ok(*output));
        }
        assert!(Output::from_str("yaml", false).is_err());
        let page = serde_json::json!({"items": [{"a": 1}, {"a": 2}], "next": "t"});
        let rows = rows(&page);
        assert_eq!(rows.len(), 2);
        assert_eq!(columns(rows[0]), ["a"]);
        assert_eq!(cell(&serde_json::json!({"a": "x\ty\u{1b}"}), "a"), "x y ");
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(" padded "), "\" padded \"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        // Numbers are numbers.
        assert_eq!(csv_field("-5"), "-5");
        assert_eq!(csv_field("+1.5"), "+1.5");
    }
}
