//! What a method's run function reads: its arguments, typed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use clap::ArgMatches;
use discovery_runtime::media::Media;
use serde_json::Value;

use crate::exit::usage;
use crate::spec::BodyField;

/// The arguments of one method's command.
pub struct Args<'a> {
    pub(crate) matches: &'a ArgMatches,
    pub(crate) body_fields: &'static [BodyField],
    pub(crate) media: Option<Media>,
    pub(crate) download: Option<PathBuf>,
}

impl Args<'_> {
    /// A path parameter given as text (clap requires it).
    pub fn text(&self, id: &str) -> String {
        self.matches
            .get_one::<String>(id)
            .cloned()
            .unwrap_or_default()
    }

    /// A repeated path parameter's values.
    pub fn texts(&self, id: &str) -> Vec<String> {
        self.matches
            .get_many::<String>(id)
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    }

    /// A path parameter of another type than text, parsed.
    pub fn parsed<T: FromStr>(&self, id: &str) -> Result<T, ExitCode>
    where
        T::Err: std::fmt::Display,
    {
        self.value(id)?
            .ok_or_else(|| usage(&format!("{id} is required")))
    }

    /// A flag's value, parsed with its type's `FromStr`, if given.
    pub fn value<T: FromStr>(&self, id: &str) -> Result<Option<T>, ExitCode>
    where
        T::Err: std::fmt::Display,
    {
        match self.matches.get_one::<String>(id) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|e| usage(&format!("--{id}: {e}"))),
        }
    }

    /// A repeated flag's values, each parsed, if given.
    pub fn values<T: FromStr>(&self, id: &str) -> Result<Option<Vec<T>>, ExitCode>
    where
        T::Err: std::fmt::Display,
    {
        match self.matches.get_many::<String>(id) {
            None => Ok(None),
            Some(texts) => texts
                .map(|t| t.parse())
                .collect::<Result<Vec<T>, _>>()
                .map(Some)
                .map_err(|e| usage(&format!("--{id}: {e}"))),
        }
    }

    /// The request body: `--body` JSON (a file, or `-` for standard input),
    /// with the body field flags set on top.
    pub fn body<T: serde::de::DeserializeOwned>(&self) -> Result<T, ExitCode> {
        let mut value: Value = match self.matches.get_one::<String>("body") {
            Some(path) => {
                let text = read_body(path).map_err(|e| usage(&e))?;
                serde_json::from_str(&text)
                    .map_err(|e| usage(&format!("--body is not JSON: {e}")))?
            }
            None => serde_json::json!({}),
        };
        for field in self.body_fields {
            if let Some(text) = self.matches.get_one::<String>(field.flag) {
                let json = if field.quoted {
                    Value::String(text.clone())
                } else {
                    serde_json::from_str(text)
                        .map_err(|e| usage(&format!("--{}: {e}", field.flag)))?
                };
                if let Some(object) = value.as_object_mut() {
                    object.insert(field.wire.to_owned(), json);
                }
            }
        }
        serde_json::from_value(value).map_err(|e| usage(&format!("the request body: {e}")))
    }

    /// The media of `--upload`, once.
    pub fn take_media(&mut self) -> Option<Media> {
        self.media.take()
    }

    /// The file of `--download`.
    pub fn download_path(&self) -> Option<PathBuf> {
        self.download.clone()
    }
}

/// A JSON body from a file, or from standard input for `-`.
pub fn read_body(path: &str) -> Result<String, String> {
    use std::io::Read;
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the body from standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the body from {path}: {e}"))
    }
}
