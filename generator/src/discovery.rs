//! Lossless serde model of a Google discovery document (`discovery#restDescription`).
//!
//! Every struct keeps the keys it does not model in `extra`, so parsing never
//! fails on a key added to the format later and nothing read is thrown away.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::Error;

/// Extra keys of an object that the model does not name.
pub type Extra = BTreeMap<String, Value>;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Document {
    pub kind: Option<String>,
    pub discovery_version: Option<String>,
    pub id: Option<String>,
    pub name: String,
    pub version: String,
    pub revision: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub canonical_name: Option<String>,
    pub documentation_link: Option<String>,
    pub protocol: Option<String>,
    pub root_url: Option<String>,
    pub mtls_root_url: Option<String>,
    pub service_path: Option<String>,
    pub base_url: Option<String>,
    pub base_path: Option<String>,
    pub batch_path: Option<String>,
    pub fully_encode_reserved_expansion: Option<bool>,
    pub features: Vec<String>,
    pub labels: Vec<String>,
    pub auth: Option<Auth>,
    pub parameters: BTreeMap<String, Parameter>,
    pub schemas: BTreeMap<String, Schema>,
    pub resources: BTreeMap<String, Resource>,
    pub methods: BTreeMap<String, Method>,
    /// Regional (or otherwise alternative) endpoints of the service.
    pub endpoints: Vec<Endpoint>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of the root `endpoints` list.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Endpoint {
    pub endpoint_url: Option<String>,
    pub location: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Auth {
    pub oauth2: Option<OAuth2>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OAuth2 {
    pub scopes: BTreeMap<String, ScopeInfo>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ScopeInfo {
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Resource {
    pub methods: BTreeMap<String, Method>,
    pub resources: BTreeMap<String, Resource>,
    pub deprecated: bool,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Method {
    pub id: Option<String>,
    pub path: String,
    pub flat_path: Option<String>,
    pub http_method: String,
    pub description: Option<String>,
    pub parameters: BTreeMap<String, Parameter>,
    pub parameter_order: Vec<String>,
    pub request: Option<BodyRef>,
    pub response: Option<BodyRef>,
    pub scopes: Vec<String>,
    pub supports_media_download: bool,
    pub use_media_download_service: bool,
    pub supports_media_upload: bool,
    pub supports_subscription: bool,
    pub media_upload: Option<MediaUpload>,
    pub deprecated: bool,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `request` / `response` of a method.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BodyRef {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// The name the body takes as a parameter in other generators (`request.parameterName`).
    pub parameter_name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MediaUpload {
    pub accept: Vec<String>,
    pub max_size: Option<String>,
    pub protocols: BTreeMap<String, MediaProtocol>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MediaProtocol {
    pub multipart: Option<bool>,
    pub path: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A method or document-level parameter: a schema with a `location`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Parameter {
    pub location: Option<String>,
    #[serde(flatten)]
    pub schema: Schema,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schema {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    pub format: Option<String>,
    pub description: Option<String>,
    pub default: Option<Value>,
    pub pattern: Option<String>,
    pub minimum: Option<String>,
    pub maximum: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    pub enum_descriptions: Option<Vec<String>>,
    /// Parallel to `enum`: which values are deprecated.
    pub enum_deprecated: Option<Vec<bool>>,
    pub deprecated: bool,
    pub properties: BTreeMap<String, Schema>,
    pub additional_properties: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    pub required: bool,
    pub repeated: bool,
    pub read_only: bool,
    pub annotations: Option<Annotations>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Annotations {
    pub required: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Document {
    /// Parses a discovery document. Errors name the JSON path of the offending value
    /// (or the line and column when the input is not JSON at all).
    pub fn parse(text: &str) -> Result<Document, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = message
                .strip_suffix(&suffix)
                .unwrap_or(&message)
                .to_string();
            Error::NotJson {
                line: e.line(),
                column: e.column(),
                message,
            }
        })?;
        if !value.is_object() {
            return Err(Error::Invalid {
                path: "$".into(),
                message: "a discovery document must be a JSON object".into(),
            });
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = json_path(&e.path().to_string());
            Error::Invalid {
                path,
                message: e.into_inner().to_string(),
            }
        })
    }
}

/// Turns serde_path_to_error's `a.b[0].c` into `$.a.b[0].c`, quoting keys that are
/// not plain identifiers (`$.parameters["$.xgafv"]`).
fn json_path(p: &str) -> String {
    if p == "." || p.is_empty() {
        "$".to_string()
    } else {
        format!("$.{p}")
    }
}
