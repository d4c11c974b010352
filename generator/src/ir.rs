//! The intermediate model between the discovery document and Rust code.
//!
//! Lowering ([`crate::lower`]) produces it; emission ([`crate::emit`]) only reads it.
//! Every named thing carries its wire name and its final, sanitized, collision-free
//! Rust name side by side, so emission never derives a name itself.

use std::fmt::Write as _;

/// A wire name and the Rust identifier chosen for it (raw identifiers keep `r#`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub wire: String,
    pub rust: String,
}

#[derive(Debug, Clone)]
pub struct Api {
    /// `name` of the document, e.g. `photoslibrary`.
    pub name: String,
    pub version: String,
    pub title: String,
    pub description: Option<String>,
    pub revision: Option<String>,
    pub documentation_link: Option<String>,
    /// Cargo package name, e.g. `photoslibrary-v1`.
    pub crate_name: String,
    /// Library name, e.g. `photoslibrary_v1`.
    pub lib_name: String,
    /// The service's base URL: `rootUrl` + `servicePath` (ends with `/`).
    pub base_url: String,
    /// `servicePath`: the part of `base_url` after the root URL.
    pub service_path: String,
    /// The `dataWrapper` feature: request and response bodies are wrapped in
    /// `{"data": ...}`.
    pub data_wrapper: bool,
    /// `fullyEncodeReservedExpansion`: `{+x}` is encoded like `{x}`.
    pub fully_encode_reserved_expansion: bool,
    pub scopes: Vec<Scope>,
    /// Methods directly on the document (not in a resource).
    pub methods: Vec<Method>,
    pub resources: Vec<Resource>,
    /// Named types, sorted by Rust name.
    pub types: Vec<TypeDef>,
    /// The root `endpoints` list: alternative (mostly regional) root URLs.
    pub endpoints: Vec<Endpoint>,
    /// `mtlsRootUrl`: the root URL for clients that authenticate with a
    /// client certificate (mutual TLS).
    pub mtls_root_url: Option<String>,
    /// The command-line tool's own names.
    pub tool: ToolNames,
}

/// What the command-line tool is called (settled in lowering, with the
/// names of its commands and flags).
#[derive(Debug, Clone, Default)]
pub struct ToolNames {
    /// The binary (`photoslibrary`).
    pub binary: String,
    /// The prefix of its environment variables (`PHOTOSLIBRARY`).
    pub env_prefix: String,
    /// The method `auth status` calls to show the credentials work: a GET
    /// that needs no argument, not deprecated.
    pub probe: Option<String>,
}

/// One of the service's alternative endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Its root URL (ends with `/`).
    pub url: String,
    /// The location it serves, e.g. `europe-west3`.
    pub location: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Scope {
    /// Constant name, e.g. `PHOTOSLIBRARY_READONLY`.
    pub const_name: String,
    pub url: String,
    pub description: Option<String>,
    /// `Some(note)` when the lifecycle data says the service no longer grants it.
    pub deprecated: Option<String>,
    /// The tool's name for it, as `auth login --scope` takes it
    /// (`readonly` for `.../auth/drive.readonly` of Drive).
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Resource {
    /// Wire name, and the snake_case accessor (`media_items`).
    pub name: Name,
    /// The module holding the resource's builders (`media_items`).
    pub module: String,
    /// The handle type returned by the accessor (`MediaItems`).
    pub type_name: String,
    pub methods: Vec<Method>,
    pub resources: Vec<Resource>,
    /// `Some(note)` when deprecated (see [`Method::deprecated`]).
    pub deprecated: Option<String>,
    /// The tool's subcommand (kebab-case, unique at its level).
    pub command: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Method {
    /// `id` of the method, e.g. `photoslibrary.albums.get`.
    pub id: String,
    /// Wire name and snake_case accessor (`batch_get`).
    pub name: Name,
    /// The request-builder type (`BatchGet`).
    pub builder: String,
    /// The method of the API's `stub` trait (`albums_batch_get`): the method
    /// id without the API's name, unique within the API.
    pub stub: String,
    pub http_method: HttpMethod,
    pub path: PathTemplate,
    /// The path is relative to the root URL, not to the service's base URL:
    /// the document's path starts with `/` (RFC 3986 §5.2 resolves such an
    /// absolute path against the host).
    pub from_root: bool,
    pub description: Option<String>,
    /// Path parameters in `parameterOrder` first, then the other required ones,
    /// then the optional ones sorted by wire name.
    pub params: Vec<Param>,
    /// The request body type and the Rust name of its constructor argument.
    pub request: Option<Body>,
    /// The response type; `None` for an empty response.
    pub response: Option<TypeRef>,
    pub scopes: Vec<String>,
    pub pagination: Option<Pagination>,
    pub supports_media_download: bool,
    /// Downloads go through the `download/` service path.
    pub use_media_download_service: bool,
    pub media_upload: Option<MediaUpload>,
    pub supports_subscription: bool,
    /// A paragraph the lifecycle data adds to the method's docs.
    pub note: Option<String>,
    /// `Some(note)` when deprecated: the document's `deprecated: true` (the
    /// note taken from the description) or the API's
    /// [`Options::lifecycle`](crate::Options::lifecycle).
    pub deprecated: Option<String>,
    /// The tool's subcommand (kebab-case, unique at its level).
    pub command: String,
    /// The tool's flags for scalar top-level fields of the request body.
    pub body_flags: Vec<BodyFlag>,
}

/// A flag of the tool that sets one field of a method's request body.
#[derive(Debug, Clone)]
pub struct BodyFlag {
    /// The flag, without its dashes (unique among the method's flags).
    pub flag: String,
    pub field: Name,
    pub ty: TypeRef,
}

impl Method {
    /// Parameters passed positionally to the method (in order).
    pub fn positional(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.positional)
    }
    /// Whether the media can be downloaded into a file (`download_to`, the
    /// CLI's `--download`): a `GET` without a body, which a resumed download
    /// repeats with a `Range` header.
    pub fn downloads_to_file(&self) -> bool {
        self.supports_media_download
            && self.http_method == HttpMethod::Get
            && self.request.is_none()
    }
    /// Parameters set through builder setters.
    pub fn optional(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| !p.positional)
    }
}

#[derive(Debug, Clone)]
pub struct Body {
    pub ty: TypeRef,
    /// The constructor argument's name (`request`, or `request.parameterName`).
    pub arg: String,
}

#[derive(Debug, Clone)]
pub struct MediaUpload {
    /// Accepted MIME ranges.
    pub accept: Vec<String>,
    /// `maxSize` in bytes, when the document gives a readable one.
    pub max_size: Option<u64>,
    /// The `simple` protocol's path when it supports multipart (from the root URL).
    pub multipart: Option<PathTemplate>,
    /// The `resumable` protocol's path (from the root URL).
    pub resumable: Option<PathTemplate>,
}

/// How a paginated method is driven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// Where the request's page token goes.
    pub token_in: TokenLocation,
    /// The Rust name of the response's `nextPageToken` field.
    pub next_token: String,
    /// The repeated item field of the response, if there is exactly one obvious one.
    pub items: Option<ItemsField>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLocation {
    /// The `pageToken` query parameter (its Rust field name).
    Query(String),
    /// The `pageToken` field of the request body (its Rust field name).
    Body(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemsField {
    pub field: Name,
    pub item: TypeRef,
}

/// Where a parameter goes in the request. Lowering sets it in one place
/// (`lower/params.rs`, which also derives [`Param::positional`] from it).
/// Every emitter that reads it must match it exhaustively (no `_` arm, no
/// `==`), so that a new location fails to compile wherever it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
}

#[derive(Debug, Clone)]
pub struct Param {
    /// Wire name (`mediaItemIds`) and Rust name (`media_item_ids`).
    pub name: Name,
    pub location: Location,
    pub ty: TypeRef,
    /// `required: true`, or a description beginning with "Required."
    pub required: bool,
    pub repeated: bool,
    /// Taken as an argument of the accessor rather than through a setter.
    pub positional: bool,
    pub pattern: Option<String>,
    pub default: Option<String>,
    pub description: Option<String>,
    pub deprecated: Option<String>,
    /// The tool's name for it: the flag (without dashes) of a setter
    /// parameter, the value name (`ALBUM_ID`) of a positional one.
    pub flag: String,
}

/// A parsed path template, e.g. `v1/{+name}:cancel`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    pub template: String,
    pub parts: Vec<PathPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    Var(PathVar),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathVar {
    /// Wire name of the parameter.
    pub name: String,
    /// `{+x}`: reserved expansion (`/` and other reserved characters kept).
    pub reserved: bool,
    /// `{/x*}`: each element of a list becomes its own `/`-prefixed segment.
    pub slash_explode: bool,
}

/// A Rust type an API value maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    U32,
    /// `int64`: a JSON string on the wire.
    I64,
    /// `uint64`: a JSON string on the wire.
    U64,
    F32,
    F64,
    /// `google-fieldmask`: comma-joined paths.
    FieldMask,
    /// `google-datetime` / `date-time`: an RFC 3339 timestamp.
    DateTime,
    /// `date`: `YYYY-MM-DD`.
    Date,
    /// `google-duration`: `"3.5s"`.
    Duration,
    /// `byte`: base64.
    Bytes,
    /// `type: any`.
    Any,
    /// A schema-less `object` (no properties, no additionalProperties).
    Object,
    Array(Box<TypeRef>),
    /// `additionalProperties`: string keys.
    Map(Box<TypeRef>),
    /// A named type by its Rust name; `boxed` when it sits on a reference cycle.
    Named {
        name: String,
        boxed: bool,
    },
}

impl TypeRef {
    /// A compact human-readable form for the IR dump.
    pub fn display(&self) -> String {
        match self {
            TypeRef::String => "String".into(),
            TypeRef::Bool => "bool".into(),
            TypeRef::I32 => "i32".into(),
            TypeRef::U32 => "u32".into(),
            TypeRef::I64 => "i64 (string)".into(),
            TypeRef::U64 => "u64 (string)".into(),
            TypeRef::F32 => "f32".into(),
            TypeRef::F64 => "f64".into(),
            TypeRef::FieldMask => "FieldMask".into(),
            TypeRef::DateTime => "DateTime".into(),
            TypeRef::Date => "Date".into(),
            TypeRef::Duration => "Duration".into(),
            TypeRef::Bytes => "Bytes".into(),
            TypeRef::Any => "any".into(),
            TypeRef::Object => "object".into(),
            TypeRef::Array(t) => format!("[{}]", t.display()),
            TypeRef::Map(t) => format!("{{String: {}}}", t.display()),
            TypeRef::Named { name, boxed: true } => format!("Box<{name}>"),
            TypeRef::Named { name, boxed: false } => name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// Where the type came from: a schema id, or `Parent.property` for hoisted
    /// inline schemas and enums.
    pub origin: String,
    pub description: Option<String>,
    pub kind: TypeKind,
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Vec<Field>),
    Enum(Vec<Variant>),
    /// A named schema that is not an object (an array, a string, ...).
    Alias(TypeRef),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Name,
    pub ty: TypeRef,
    pub description: Option<String>,
    pub read_only: bool,
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: Name,
    pub description: Option<String>,
    pub deprecated: Option<String>,
}

impl Api {
    /// Every method, depth first: document methods, then each resource's.
    pub fn all_methods(&self) -> Vec<&Method> {
        fn walk<'a>(resources: &'a [Resource], out: &mut Vec<&'a Method>) {
            for r in resources {
                out.extend(&r.methods);
                walk(&r.resources, out);
            }
        }
        let mut out: Vec<&Method> = self.methods.iter().collect();
        walk(&self.resources, &mut out);
        out
    }

    /// Whether anything in the API is deprecated.
    pub fn has_deprecations(&self) -> bool {
        fn resources(rs: &[Resource]) -> bool {
            rs.iter()
                .any(|r| r.deprecated.is_some() || methods(&r.methods) || resources(&r.resources))
        }
        fn methods(ms: &[Method]) -> bool {
            ms.iter()
                .any(|m| m.deprecated.is_some() || m.params.iter().any(|p| p.deprecated.is_some()))
        }
        methods(&self.methods)
            || resources(&self.resources)
            || self.scopes.iter().any(|s| s.deprecated.is_some())
            || self.types.iter().any(|t| {
                t.deprecated.is_some()
                    || match &t.kind {
                        TypeKind::Struct(fields) => fields.iter().any(|f| f.deprecated.is_some()),
                        TypeKind::Enum(variants) => variants.iter().any(|v| v.deprecated.is_some()),
                        TypeKind::Alias(_) => false,
                    }
            })
    }

    /// Whether any method uploads or downloads media.
    pub fn has_media(&self) -> bool {
        self.all_methods()
            .iter()
            .any(|m| m.media_upload.is_some() || m.supports_media_download)
    }

    /// A stable, readable dump of the IR for snapshot tests: names, wire names,
    /// types and detected features, without descriptions.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "api {} {} (crate {}, lib {})",
            self.name, self.version, self.crate_name, self.lib_name
        );
        let _ = writeln!(w, "base_url {}", self.base_url);
        if self.data_wrapper {
            let _ = writeln!(w, "feature dataWrapper");
        }
        let _ = writeln!(
            w,
            "tool {} (env {}_*, status probe {})",
            self.tool.binary,
            self.tool.env_prefix,
            self.tool.probe.as_deref().unwrap_or("none")
        );
        for s in &self.scopes {
            let _ = writeln!(w, "scope {} = {} (--scope {})", s.const_name, s.url, s.name);
        }
        if let Some(url) = &self.mtls_root_url {
            let _ = writeln!(w, "mtls_root_url {url}");
        }
        for e in &self.endpoints {
            let _ = writeln!(w, "endpoint {} = {}", e.location, e.url);
        }
        for m in &self.methods {
            dump_method(w, m, 0);
        }
        for r in &self.resources {
            dump_resource(w, r, 0);
        }
        for t in &self.types {
            match &t.kind {
                TypeKind::Struct(fields) => {
                    let _ = writeln!(w, "struct {} <- {}{}", t.name, t.origin, dep(&t.deprecated));
                    for f in fields {
                        let ro = if f.read_only { " read-only" } else { "" };
                        let _ = writeln!(
                            w,
                            "  {} ({}): {}{}{}",
                            f.name.rust,
                            f.name.wire,
                            f.ty.display(),
                            ro,
                            dep(&f.deprecated)
                        );
                    }
                }
                TypeKind::Enum(variants) => {
                    let _ = writeln!(w, "enum {} <- {}{}", t.name, t.origin, dep(&t.deprecated));
                    for v in variants {
                        let _ = writeln!(
                            w,
                            "  {} = {:?}{}",
                            v.name.rust,
                            v.name.wire,
                            dep(&v.deprecated)
                        );
                    }
                }
                TypeKind::Alias(ty) => {
                    let _ = writeln!(
                        w,
                        "alias {} <- {} = {}{}",
                        t.name,
                        t.origin,
                        ty.display(),
                        dep(&t.deprecated)
                    );
                }
            }
        }
        out
    }
}

/// ` deprecated: <note>` for the dump, or nothing.
fn dep(deprecated: &Option<String>) -> String {
    deprecated
        .as_ref()
        .map(|note| format!(" deprecated: {note}"))
        .unwrap_or_default()
}

fn dump_resource(w: &mut String, r: &Resource, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        w,
        "{pad}resource {} -> {}() [{}::{}] command {}{}",
        r.name.wire,
        r.name.rust,
        r.module,
        r.type_name,
        r.command,
        dep(&r.deprecated)
    );
    for m in &r.methods {
        dump_method(w, m, depth + 1);
    }
    for sub in &r.resources {
        dump_resource(w, sub, depth + 1);
    }
}

fn dump_method(w: &mut String, m: &Method, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        w,
        "{pad}method {} -> {}() [{}] {} {}{} command {}{}",
        m.id,
        m.name.rust,
        m.builder,
        m.http_method.as_str(),
        if m.from_root { "(from the root) " } else { "" },
        m.path.template,
        m.command,
        dep(&m.deprecated)
    );
    for p in &m.params {
        let mut flags = Vec::new();
        flags.push(match p.location {
            Location::Path => "path",
            Location::Query => "query",
        });
        if p.positional {
            flags.push("positional");
        }
        if p.required {
            flags.push("required");
        }
        if p.repeated {
            flags.push("repeated");
        }
        let pattern = p
            .pattern
            .as_deref()
            .map(|p| format!(" pattern {p}"))
            .unwrap_or_default();
        let cli = if p.positional {
            format!(" {}", p.flag)
        } else {
            format!(" --{}", p.flag)
        };
        let _ = writeln!(
            w,
            "{pad}  param {} ({}): {} [{}]{}{}{}",
            p.name.rust,
            p.name.wire,
            p.ty.display(),
            flags.join(", "),
            pattern,
            cli,
            dep(&p.deprecated)
        );
    }
    if let Some(b) = &m.request {
        let _ = writeln!(w, "{pad}  request {}: {}", b.arg, b.ty.display());
    }
    if !m.body_flags.is_empty() {
        let flags: Vec<String> = m
            .body_flags
            .iter()
            .map(|f| format!("--{} ({})", f.flag, f.field.wire))
            .collect();
        let _ = writeln!(w, "{pad}  body flags {}", flags.join(", "));
    }
    let _ = writeln!(
        w,
        "{pad}  response {}",
        m.response
            .as_ref()
            .map(TypeRef::display)
            .unwrap_or_else(|| "(empty)".into())
    );
    if let Some(p) = &m.pagination {
        let token = match &p.token_in {
            TokenLocation::Query(f) => format!("query {f}"),
            TokenLocation::Body(f) => format!("body {f}"),
        };
        let items = p
            .items
            .as_ref()
            .map(|i| format!("{}: {}", i.field.rust, i.item.display()))
            .unwrap_or_else(|| "(none)".into());
        let _ = writeln!(w, "{pad}  pagination token in {token}, items {items}");
    }
    if m.supports_media_download {
        let service = if m.use_media_download_service {
            " (download service)"
        } else {
            ""
        };
        let _ = writeln!(w, "{pad}  media download{service}");
    }
    if let Some(u) = &m.media_upload {
        let mut protocols = Vec::new();
        if let Some(t) = &u.multipart {
            protocols.push(format!("multipart {}", t.template));
        }
        if let Some(t) = &u.resumable {
            protocols.push(format!("resumable {}", t.template));
        }
        let max = u
            .max_size
            .map(|m| format!(", max {m} bytes"))
            .unwrap_or_default();
        let _ = writeln!(
            w,
            "{pad}  media upload [{}] accept [{}]{max}",
            protocols.join(", "),
            u.accept.join(", ")
        );
    }
    if m.supports_subscription {
        let _ = writeln!(w, "{pad}  subscription");
    }
}
