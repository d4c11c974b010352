//! Discovery document -> IR: naming, hoisting inline schemas, parameter order,
//! path templates, recursion boxing and pagination detection.

use std::collections::{BTreeMap, BTreeSet};

use crate::discovery::{self, Document, Schema};
use crate::ir::*;
use crate::names::{bare, sanitize, Case, NamePool};
use crate::{Error, Options};

mod cli;
pub use cli::{RESERVED_COMMANDS, RESERVED_FLAGS};

/// The field of every model that keeps JSON fields the document does not know.
pub const UNKNOWN_FIELDS: &str = "unknown_fields";

/// Methods of the hand-written `Client`; resource accessors must not take them.
/// (The runtime client's methods that generated builders call through `Deref`
/// are reserved too, so an accessor cannot shadow them.)
const CLIENT_RESERVED: &[&str] = &[
    "builder",
    "clone",
    "base_url",
    "uploads",
    "from_stub",
    "stub",
    "api",
    "execute",
    "execute_empty",
    "execute_bytes",
    "send",
    "request",
    "upload",
    "download",
    "deref",
    "as_ref",
    "from",
    "into",
];
/// Fields and methods of every request builder besides its parameters.
const BUILDER_RESERVED: &[&str] = &[
    "client",
    "opts",
    "request",
    "send",
    "pages",
    "items",
    "new",
    "fields",
    "quota_user",
    "pretty_print",
    "xgafv",
    "timeout",
    "header",
    "upload",
    "download",
    "into_call",
    "into_upload",
    "retry_policy",
    "request_preview",
    "upload_preview",
    "download_preview",
    "download_to",
];

pub fn lower(doc: &Document, options: &Options) -> Result<Api, Error> {
    let mut cx = Lower {
        types: Vec::new(),
        type_pool: NamePool::new(),
        schema_names: BTreeMap::new(),
    };

    // Named schemas take their names first, in id order, so hoisted types can never
    // steal a schema's name and the choice is stable.
    for id in doc.schemas.keys() {
        let rust = cx.type_pool.claim(&sanitize(id, Case::Pascal), "");
        cx.schema_names.insert(id.clone(), rust);
    }
    for (id, schema) in &doc.schemas {
        let name = cx.schema_names[id].clone();
        let path = child("$.schemas", id);
        let kind = cx.type_kind(schema, &name, &path)?;
        cx.types.push(TypeDef {
            name,
            origin: id.clone(),
            description: schema.description.clone(),
            kind,
            deprecated: deprecation(schema.deprecated, schema.description.as_deref()),
        });
    }

    let scopes = lower_scopes(doc);
    let mut client_pool = NamePool::with_reserved(CLIENT_RESERVED.iter().copied());
    let mut module_pool = NamePool::new();
    let mut type_pool = NamePool::new();
    let methods = cx.methods(&doc.methods, "$.methods", &mut client_pool, &mut type_pool)?;
    let resources = cx.resources(
        &doc.resources,
        "$.resources",
        &mut client_pool,
        &mut module_pool,
    )?;

    break_alias_cycles(&mut cx.types);
    box_cycles(&mut cx.types);
    let kinds: BTreeMap<String, TypeKind> = cx
        .types
        .iter()
        .map(|t| (t.name.clone(), t.kind.clone()))
        .collect();
    let mut types = cx.types;
    types.sort_by(|a, b| a.name.cmp(&b.name));

    let crate_name = options
        .crate_name
        .clone()
        .unwrap_or_else(|| default_crate_name(&doc.name, &doc.version));
    let valid = crate_name.starts_with(|c: char| c.is_ascii_alphabetic())
        && crate_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::Invalid {
            path: if options.crate_name.is_some() { "(options.crate_name)".into() } else { "$.name".into() },
            message: format!(
                "{crate_name:?} is not a usable crate name (from `name` {:?} and `version` {:?}); it must start with a letter",
                doc.name, doc.version
            ),
        });
    }
    let lib_name = crate_name.replace('-', "_");
    let mut api = Api {
        name: doc.name.clone(),
        version: doc.version.clone(),
        title: doc.title.clone().unwrap_or_else(|| doc.name.clone()),
        description: doc.description.clone(),
        revision: doc.revision.clone(),
        documentation_link: doc.documentation_link.clone(),
        crate_name,
        lib_name,
        base_url: base_url(doc),
        service_path: if doc.root_url.is_some() {
            doc.service_path.clone().unwrap_or_default()
        } else {
            String::new()
        },
        data_wrapper: doc.features.iter().any(|f| f == "dataWrapper"),
        fully_encode_reserved_expansion: doc.fully_encode_reserved_expansion.unwrap_or(false),
        scopes,
        methods,
        resources,
        types,
        endpoints: endpoints(doc)?,
        mtls_root_url: doc.mtls_root_url.clone().filter(|u| is_https_url(u)),
        tool: ToolNames::default(),
    };
    // Pagination needs the final struct shapes.
    detect_pagination_all(&mut api, &kinds);
    name_stub_methods(&mut api);
    apply_lifecycle(&mut api, &options.lifecycle)?;
    cli::name_tool(&mut api, options)?;
    Ok(api)
}

/// What the API's lifecycle data says: deprecations (its note replaces
/// the document's), doc notes and current scopes of methods; removed scopes.
fn apply_lifecycle(api: &mut Api, lifecycle: &crate::Lifecycle) -> Result<(), Error> {
    fn walk(
        methods: &mut [Method],
        resources: &mut [Resource],
        id: &str,
        data: &crate::MethodLifecycle,
    ) -> bool {
        let mut found = false;
        for m in methods.iter_mut().filter(|m| m.id == id) {
            if let Some(note) = &data.deprecated {
                m.deprecated = Some(note.clone());
            }
            if let Some(note) = &data.note {
                m.note = Some(note.clone());
            }
            if let Some(scopes) = &data.scopes {
                m.scopes = scopes.clone();
            }
            found = true;
        }
        for r in resources {
            found |= walk(&mut r.methods, &mut r.resources, id, data);
        }
        found
    }
    for (id, data) in &lifecycle.methods {
        if !walk(&mut api.methods, &mut api.resources, id, data) {
            return Err(Error::Lifecycle {
                path: id.clone(),
                message: "the lifecycle data names a method the document does not have".into(),
            });
        }
        for scope in data.scopes.iter().flatten() {
            if !api.scopes.iter().any(|s| &s.url == scope) {
                return Err(Error::Lifecycle {
                    path: format!("{id}.scopes"),
                    message: format!("{scope:?} is not a scope of the document"),
                });
            }
        }
    }
    for (url, note) in &lifecycle.scopes {
        match api.scopes.iter_mut().find(|s| &s.url == url) {
            Some(scope) => scope.deprecated = Some(note.clone()),
            None => {
                return Err(Error::Lifecycle {
                    path: url.clone(),
                    message: "the lifecycle data names a scope the document does not have".into(),
                })
            }
        }
    }
    Ok(())
}

/// Names every method in the API's `stub` trait after its id (`albums.get`
/// -> `albums_get`), unique across the API, in document order.
fn name_stub_methods(api: &mut Api) {
    fn walk(methods: &mut [Method], resources: &mut [Resource], prefix: &str, pool: &mut NamePool) {
        for m in methods {
            let local =
                m.id.strip_prefix(prefix)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .unwrap_or(&m.id)
                    .replace('.', "_");
            m.stub = pool.claim(&sanitize(&local, Case::Snake), "method");
        }
        for r in resources {
            walk(&mut r.methods, &mut r.resources, prefix, pool);
        }
    }
    // Dispatch is fully qualified, but keep the names a reader would confuse
    // with `Arc`'s own methods free anyway.
    let mut pool =
        NamePool::with_reserved(["fmt", "clone", "clone_from", "to_owned", "into", "as_ref"]);
    let prefix = api.name.clone();
    walk(&mut api.methods, &mut api.resources, &prefix, &mut pool);
}

/// `photoslibrary` + `v1` -> `photoslibrary-v1`; `dfareporting` + `v3.4` -> `dfareporting-v3-4`.
pub fn default_crate_name(name: &str, version: &str) -> String {
    let raw = format!("{name}-{version}").to_ascii_lowercase();
    let mut out: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').to_string()
}

fn base_url(doc: &Document) -> String {
    let mut url = match (&doc.root_url, &doc.base_url) {
        (Some(root), _) => format!("{root}{}", doc.service_path.as_deref().unwrap_or("")),
        (None, Some(base)) => base.clone(),
        (None, None) => String::new(),
    };
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

fn lower_scopes(doc: &Document) -> Vec<Scope> {
    let mut pool = NamePool::new();
    let Some(oauth) = doc.auth.as_ref().and_then(|a| a.oauth2.as_ref()) else {
        return Vec::new();
    };
    oauth
        .scopes
        .iter()
        .map(|(url, info)| {
            let tail = match url.split_once("/auth/") {
                Some((_, tail)) => tail.to_string(),
                None => url
                    .split("://")
                    .last()
                    .unwrap_or(url)
                    .trim_end_matches('/')
                    .to_string(),
            };
            let base = bare(&sanitize(&tail, Case::Snake))
                .trim_start_matches('_')
                .to_ascii_uppercase();
            let base = if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
                format!("SCOPE_{base}")
            } else {
                base
            };
            Scope {
                const_name: pool.claim(&base, ""),
                url: url.clone(),
                description: info.description.clone(),
                deprecated: None,
                name: String::new(),
            }
        })
        .collect()
}

struct Lower {
    types: Vec<TypeDef>,
    type_pool: NamePool,
    schema_names: BTreeMap<String, String>,
}

impl Lower {
    fn type_kind(&mut self, schema: &Schema, name: &str, path: &str) -> Result<TypeKind, Error> {
        if let Some(values) = &schema.enum_values {
            if schema.reference.is_none() && schema.type_.as_deref().unwrap_or("string") == "string"
            {
                return Ok(TypeKind::Enum(variants(
                    values,
                    schema.enum_descriptions.as_deref(),
                    schema.enum_deprecated.as_deref(),
                )));
            }
        }
        let is_object = schema.type_.as_deref() == Some("object")
            || (schema.type_.is_none() && !schema.properties.is_empty());
        if is_object && (!schema.properties.is_empty() || schema.additional_properties.is_none()) {
            // Properties whose wire name is already the Rust name (`type`, `title`)
            // claim first, so a colliding `@type` or `Title` yields to them.
            let mut pool = NamePool::with_reserved([UNKNOWN_FIELDS]);
            let mut rust_names = BTreeMap::new();
            for natural in [true, false] {
                for wire in schema.properties.keys() {
                    let wanted = sanitize(wire, Case::Snake);
                    if (bare(&wanted) == wire) == natural {
                        rust_names.insert(wire, pool.claim(&wanted, ""));
                    }
                }
            }
            let mut fields = Vec::new();
            for (wire, prop) in &schema.properties {
                let ppath = child(&format!("{path}.properties"), wire);
                let hint = format!("{name}{}", bare(&sanitize(wire, Case::Pascal)));
                let ty = self.type_ref(prop, &hint, &format!("{name}.{wire}"), &ppath)?;
                let rust = rust_names[wire].clone();
                fields.push(Field {
                    name: Name {
                        wire: wire.clone(),
                        rust,
                    },
                    ty,
                    description: prop.description.clone(),
                    read_only: prop.read_only,
                    deprecated: deprecation(prop.deprecated, prop.description.as_deref()),
                });
            }
            return Ok(TypeKind::Struct(fields));
        }
        Ok(TypeKind::Alias(
            self.type_ref_inner(schema, name, name, path)?,
        ))
    }

    /// The type of a property or item; inline objects and enums are hoisted into
    /// named types called `hint` (made unique).
    fn type_ref(
        &mut self,
        schema: &Schema,
        hint: &str,
        origin: &str,
        path: &str,
    ) -> Result<TypeRef, Error> {
        let hoist_enum = schema.enum_values.is_some()
            && schema.reference.is_none()
            && schema.type_.as_deref().unwrap_or("string") == "string";
        let hoist_struct = schema.reference.is_none()
            && (schema.type_.as_deref() == Some("object") || schema.type_.is_none())
            && !schema.properties.is_empty();
        if hoist_enum || hoist_struct {
            let name = self.type_pool.claim(hint, "");
            let kind = self.type_kind(schema, &name, path)?;
            self.types.push(TypeDef {
                name: name.clone(),
                origin: origin.to_string(),
                description: schema.description.clone(),
                kind,
                // The field or parameter that holds it carries the deprecation.
                deprecated: None,
            });
            return Ok(TypeRef::Named { name, boxed: false });
        }
        self.type_ref_inner(schema, hint, origin, path)
    }

    fn type_ref_inner(
        &mut self,
        schema: &Schema,
        hint: &str,
        origin: &str,
        path: &str,
    ) -> Result<TypeRef, Error> {
        if let Some(reference) = &schema.reference {
            return match self.schema_names.get(reference) {
                Some(name) => Ok(TypeRef::Named {
                    name: name.clone(),
                    boxed: false,
                }),
                None => Err(Error::Invalid {
                    path: format!("{path}.$ref"),
                    message: format!(
                        "`$ref` names the schema {reference:?}, which the document does not define"
                    ),
                }),
            };
        }
        let format = schema.format.as_deref();
        Ok(match schema.type_.as_deref() {
            None | Some("any") => TypeRef::Any,
            Some("string") => match format {
                Some("int64") => TypeRef::I64,
                Some("uint64") => TypeRef::U64,
                Some("google-fieldmask") => TypeRef::FieldMask,
                Some("google-datetime" | "date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                Some("google-duration") => TypeRef::Duration,
                Some("byte") => TypeRef::Bytes,
                _ => TypeRef::String,
            },
            Some("integer") => match format {
                Some("uint32") => TypeRef::U32,
                Some("int64") => TypeRef::I64,
                Some("uint64") => TypeRef::U64,
                _ => TypeRef::I32,
            },
            Some("number") => match format {
                Some("float") => TypeRef::F32,
                _ => TypeRef::F64,
            },
            Some("boolean") => TypeRef::Bool,
            Some("array") => {
                let items = schema.items.as_deref().ok_or_else(|| Error::Invalid {
                    path: path.to_string(),
                    message: "an `array` schema has no `items`".into(),
                })?;
                TypeRef::Array(Box::new(self.type_ref(items, hint, &format!("{origin}[]"), &format!("{path}.items"))?))
            }
            Some("object") => match &schema.additional_properties {
                Some(values) => {
                    let value_hint = format!("{hint}Value");
                    TypeRef::Map(Box::new(self.type_ref(values, &value_hint, &format!("{origin}{{}}"), &format!("{path}.additionalProperties"))?))
                }
                None => TypeRef::Object,
            },
            Some("null") => TypeRef::Any,
            Some(other) => {
                return Err(Error::Invalid {
                    path: format!("{path}.type"),
                    message: format!(
                        "unknown type {other:?} (expected one of any, array, boolean, integer, number, object, string)"
                    ),
                })
            }
        })
    }

    fn resources(
        &mut self,
        resources: &BTreeMap<String, discovery::Resource>,
        path: &str,
        accessors: &mut NamePool,
        modules: &mut NamePool,
    ) -> Result<Vec<Resource>, Error> {
        let mut out = Vec::new();
        for (wire, res) in resources {
            let rpath = child(path, wire);
            let snake = sanitize(wire, Case::Snake);
            let module = modules.try_claim(&snake).ok_or_else(|| Error::Invalid {
                path: rpath.clone(),
                message: format!(
                    "resource {wire:?} collides with resource {:?}: both are named `{}` in Rust",
                    resources
                        .keys()
                        .find(|other| *other != wire && sanitize(other, Case::Snake) == snake)
                        .map(String::as_str)
                        .unwrap_or("?"),
                    bare(&snake)
                ),
            })?;
            // A method named like a sub-resource keeps its name; the resource accessor yields.
            let accessor = accessors.claim(&snake, "resource");
            // The handle lives in the resource's own module, beside its builders,
            // which yield to it (a method `albums` of `albums` becomes `AlbumsCall`).
            let type_name = sanitize(wire, Case::Pascal);
            let mut inner_accessors = NamePool::new();
            let mut inner_types = NamePool::with_reserved([type_name.as_str()]);
            let methods = self.methods(
                &res.methods,
                &format!("{rpath}.methods"),
                &mut inner_accessors,
                &mut inner_types,
            )?;
            let mut inner_modules = NamePool::new();
            let resources = self.resources(
                &res.resources,
                &format!("{rpath}.resources"),
                &mut inner_accessors,
                &mut inner_modules,
            )?;
            // A resource with nothing to call anywhere below it would be an
            // accessor to nothing.
            if methods.is_empty() && resources.is_empty() {
                continue;
            }
            out.push(Resource {
                name: Name {
                    wire: wire.clone(),
                    rust: accessor,
                },
                module,
                type_name,
                methods,
                resources,
                deprecated: deprecation(res.deprecated, None),
                command: String::new(),
            });
        }
        Ok(out)
    }

    fn methods(
        &mut self,
        methods: &BTreeMap<String, discovery::Method>,
        path: &str,
        accessors: &mut NamePool,
        types: &mut NamePool,
    ) -> Result<Vec<Method>, Error> {
        let mut out = Vec::new();
        for (wire, m) in methods {
            let mpath = child(path, wire);
            let snake = sanitize(wire, Case::Snake);
            let colliding = methods
                .keys()
                .find(|other| *other != wire && sanitize(other, Case::Snake) == snake);
            let rust = match (accessors.try_claim(&snake), colliding) {
                (Some(rust), _) => rust,
                // Two of the document's methods: the user could not tell them apart.
                (None, Some(other)) => {
                    return Err(Error::Invalid {
                        path: mpath,
                        message: format!(
                            "method {wire:?} collides with method {other:?}: both are named `{}` in Rust",
                            bare(&snake)
                        ),
                    })
                }
                // A hand-written item of the same scope (`Client::builder`): step aside.
                (None, None) => accessors.claim(&snake, "method"),
            };
            let builder = types.claim(&sanitize(wire, Case::Pascal), "Call");
            out.push(self.method(wire, m, &mpath, rust, builder)?);
        }
        Ok(out)
    }

    fn method(
        &mut self,
        wire: &str,
        m: &discovery::Method,
        path: &str,
        rust: String,
        builder: String,
    ) -> Result<Method, Error> {
        let id = m.id.clone().unwrap_or_else(|| wire.to_string());
        let http_method = match m.http_method.to_ascii_uppercase().as_str() {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            "DELETE" => HttpMethod::Delete,
            other => {
                return Err(Error::Invalid {
                    path: format!("{path}.httpMethod"),
                    message: format!("unsupported HTTP method {other:?}"),
                })
            }
        };
        // A path that starts with `/` is relative to the root URL, not to the
        // service's base (RFC 3986 §5.2: an absolute path replaces the base's).
        let from_root = m.path.starts_with('/');
        let template = parse_path(m.path.trim_start_matches('/'), &format!("{path}.path"))?;
        check_placeholders(&template, m, &format!("{path}.path"))?;
        for (i, name) in m.parameter_order.iter().enumerate() {
            if !m.parameters.contains_key(name) {
                return Err(Error::Invalid {
                    path: format!("{path}.parameterOrder[{i}]"),
                    message: format!(
                        "names the parameter {name:?}, which the method does not define"
                    ),
                });
            }
        }

        // Order: path parameters in parameterOrder, other path parameters, then
        // required query parameters in parameterOrder, then the rest by name.
        let mut order: Vec<&String> = Vec::new();
        let is_path = |n: &str| m.parameters[n].location.as_deref() == Some("path");
        order.extend(m.parameter_order.iter().filter(|n| is_path(n)));
        order.extend(
            m.parameters
                .keys()
                .filter(|n| is_path(n) && !m.parameter_order.contains(n)),
        );
        order.extend(m.parameter_order.iter().filter(|n| !is_path(n)));
        let rest: Vec<&String> = m.parameters.keys().filter(|n| !order.contains(n)).collect();
        order.extend(rest);

        let mut pool = NamePool::with_reserved(BUILDER_RESERVED.iter().copied());
        let mut params = Vec::new();
        for wire_name in order {
            let p = &m.parameters[wire_name];
            let ppath = child(&format!("{path}.parameters"), wire_name);
            let location = match p.location.as_deref() {
                Some("path") => Location::Path,
                Some("query") | None => Location::Query,
                Some(other) => {
                    return Err(Error::Invalid {
                        path: format!("{ppath}.location"),
                        message: format!(
                            "unsupported parameter location {other:?} (expected path or query)"
                        ),
                    })
                }
            };
            let hint = format!(
                "{}{}",
                pascal_id(&id),
                bare(&sanitize(wire_name, Case::Pascal))
            );
            let schema = &p.schema;
            let ty = if schema.type_.as_deref() == Some("array") {
                // Some documents spell a repeated parameter as an array schema.
                let items = schema.items.as_deref().cloned().unwrap_or_default();
                self.type_ref(
                    &items,
                    &hint,
                    &format!("{id}.{wire_name}"),
                    &format!("{ppath}.items"),
                )?
            } else {
                self.type_ref(schema, &hint, &format!("{id}.{wire_name}"), &ppath)?
            };
            if let Some(what) = self.not_a_parameter_value(&ty) {
                return Err(Error::Invalid {
                    path: ppath,
                    message: format!(
                        "a {} parameter of type {what} has no text form in a URL (only strings, \
                         numbers, booleans, enums and formatted strings, or lists of them)",
                        if location == Location::Path {
                            "path"
                        } else {
                            "query"
                        }
                    ),
                });
            }
            let description = schema.description.clone();
            let required = schema.required
                || description
                    .as_deref()
                    .is_some_and(|d| d.trim_start().starts_with("Required."));
            params.push(Param {
                name: Name {
                    wire: wire_name.clone(),
                    rust: pool.claim(&sanitize(wire_name, Case::Snake), "param"),
                },
                location,
                ty,
                required,
                repeated: schema.repeated || schema.type_.as_deref() == Some("array"),
                positional: location == Location::Path,
                pattern: schema.pattern.clone(),
                default: schema.default.as_ref().map(|d| match d {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                deprecated: deprecation(schema.deprecated, description.as_deref()),
                description,
                flag: String::new(),
            });
        }

        let request = match &m.request {
            Some(body) => {
                let ty = self.body_type(
                    body,
                    &format!("{builder}Request"),
                    &format!("{path}.request"),
                )?;
                let wanted = body
                    .parameter_name
                    .as_deref()
                    .map(|n| sanitize(n, Case::Snake))
                    .unwrap_or_else(|| "request".into());
                // The argument sits beside the positional parameters.
                let mut arg_pool = NamePool::with_reserved(
                    params
                        .iter()
                        .filter(|p| p.positional)
                        .map(|p| p.name.rust.as_str()),
                );
                Some(Body {
                    ty,
                    arg: arg_pool.claim(&wanted, "body"),
                })
            }
            None => None,
        };
        let response = match &m.response {
            Some(body) => Some(self.body_type(
                body,
                &format!("{builder}Response"),
                &format!("{path}.response"),
            )?),
            None => None,
        };
        let media_upload = match &m.media_upload {
            None => None,
            Some(u) => {
                let upath = format!("{path}.mediaUpload.protocols");
                let template = |name: &str| -> Result<Option<PathTemplate>, Error> {
                    let Some(protocol) = u.protocols.get(name) else {
                        return Ok(None);
                    };
                    if name == "simple" && protocol.multipart == Some(false) {
                        return Ok(None);
                    }
                    let Some(p) = &protocol.path else {
                        return Ok(None);
                    };
                    let ppath = child(&upath, name) + ".path";
                    let t = parse_path(p.trim_start_matches('/'), &ppath)?;
                    check_placeholders(&t, m, &ppath)?;
                    Ok(Some(t))
                };
                Some(MediaUpload {
                    accept: u.accept.clone(),
                    max_size: u.max_size.as_deref().and_then(parse_size),
                    multipart: template("simple")?,
                    resumable: template("resumable")?,
                })
            }
        };
        Ok(Method {
            stub: String::new(),
            id,
            name: Name {
                wire: wire.to_string(),
                rust,
            },
            builder,
            http_method,
            path: template,
            from_root,
            description: m.description.clone(),
            params,
            request,
            response,
            scopes: m.scopes.clone(),
            pagination: None,
            supports_media_download: m.supports_media_download,
            use_media_download_service: m.use_media_download_service,
            media_upload,
            supports_subscription: m.supports_subscription,
            note: None,
            deprecated: deprecation(m.deprecated, m.description.as_deref()),
            command: String::new(),
            body_flags: Vec::new(),
        })
    }

    /// What makes `ty` unusable as a parameter value (objects, maps, free
    /// JSON, nested lists), or `None` when it has a text form.
    fn not_a_parameter_value(&self, ty: &TypeRef) -> Option<String> {
        let mut seen = BTreeSet::new();
        let mut ty = ty;
        loop {
            return match ty {
                TypeRef::Any => Some("any (free JSON)".into()),
                TypeRef::Object => Some("object".into()),
                TypeRef::Map(_) => Some("map".into()),
                TypeRef::Array(_) => Some("list of lists".into()),
                TypeRef::Named { name, .. } => {
                    let t = self.types.iter().find(|t| &t.name == name)?;
                    match &t.kind {
                        TypeKind::Enum(_) => None,
                        TypeKind::Struct(_) => Some(format!("object ({name})")),
                        TypeKind::Alias(inner) if seen.insert(name.clone()) => {
                            ty = inner;
                            continue;
                        }
                        TypeKind::Alias(_) => Some(format!("a cyclic alias ({name})")),
                    }
                }
                _ => None,
            };
        }
    }

    /// What makes `ty` unusable as a whole body: a timestamp, date or 64-bit
    /// integer outside a model (through aliases, lists and maps).
    fn not_a_body(&self, ty: &TypeRef) -> Option<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![ty];
        while let Some(ty) = stack.pop() {
            match ty {
                TypeRef::DateTime => return Some("timestamp".into()),
                TypeRef::Date => return Some("date".into()),
                TypeRef::I64 | TypeRef::U64 => return Some("64-bit integer".into()),
                TypeRef::Array(inner) | TypeRef::Map(inner) => stack.push(inner),
                TypeRef::Named { name, .. } if seen.insert(name.clone()) => {
                    if let Some(TypeDef {
                        kind: TypeKind::Alias(inner),
                        ..
                    }) = self.types.iter().find(|t| &t.name == name)
                    {
                        stack.push(inner);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A request or response body: its `$ref`, else an inline schema (hoisted
    /// as `hint`), else (`{}`, or only a `parameterName`) free JSON.
    fn body_type(
        &mut self,
        body: &discovery::BodyRef,
        hint: &str,
        path: &str,
    ) -> Result<TypeRef, Error> {
        let Some(reference) = body.reference.as_ref() else {
            let value = serde_json::Value::Object(body.extra.clone().into_iter().collect());
            let schema: Schema = serde_json::from_value(value).map_err(|e| Error::Invalid {
                path: path.to_string(),
                message: format!("not a schema: {e}"),
            })?;
            // An inline body is an object or free JSON; a bare scalar body
            // would need the wire forms only model fields get.
            let object = matches!(schema.type_.as_deref(), None | Some("object" | "any"));
            if !object || schema.items.is_some() {
                return Err(Error::Invalid {
                    path: path.to_string(),
                    message: "an inline request or response schema must be an object (or `{}`)"
                        .into(),
                });
            }
            return self.type_ref(&schema, hint, hint, path);
        };
        match self.schema_names.get(reference) {
            Some(name) => {
                let ty = TypeRef::Named {
                    name: name.clone(),
                    boxed: false,
                };
                if let Some(what) = self.not_a_body(&ty) {
                    return Err(Error::Invalid {
                        path: format!("{path}.$ref"),
                        message: format!(
                            "a request or response of type {what} is not supported (its JSON \
                             form differs from serde's; only model fields carry it)"
                        ),
                    });
                }
                Ok(ty)
            }
            None => Err(Error::Invalid {
                path: format!("{path}.$ref"),
                message: format!(
                    "`$ref` names the schema {reference:?}, which the document does not define"
                ),
            }),
        }
    }
}

fn variants(
    values: &[String],
    descriptions: Option<&[String]>,
    deprecated: Option<&[bool]>,
) -> Vec<Variant> {
    // `UnknownValue` is the fallback variant every enum carries.
    let mut pool = NamePool::with_reserved(["UnknownValue"]);
    let mut seen = BTreeSet::new();
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| seen.insert(v.as_str()))
        .map(|(i, v)| Variant {
            name: Name {
                wire: v.clone(),
                rust: pool.claim(&sanitize(v, Case::Pascal), ""),
            },
            description: descriptions
                .and_then(|d| d.get(i))
                .filter(|d| !d.is_empty())
                .cloned(),
            deprecated: deprecation(
                deprecated.and_then(|d| d.get(i)).copied().unwrap_or(false),
                descriptions.and_then(|d| d.get(i)).map(String::as_str),
            ),
        })
        .collect()
}

/// `Some(note)` for a deprecated item: the sentences of its description that
/// say why or what to use instead, else a plain note.
pub fn deprecation(deprecated: bool, description: Option<&str>) -> Option<String> {
    deprecated.then(|| deprecation_note(description.unwrap_or("")))
}

/// The longest note taken from a description, in characters.
const MAX_NOTE: usize = 300;

pub fn deprecation_note(description: &str) -> String {
    const HINTS: [&str; 8] = [
        "deprecat",
        "instead",
        "use ",
        "replaced",
        "no longer",
        "removed",
        "obsolete",
        "migrate",
    ];
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut note = String::new();
    for sentence in text.split_inclusive(". ") {
        let lower = sentence.to_lowercase();
        if HINTS.iter().any(|h| lower.contains(h)) {
            note.push_str(sentence);
        }
    }
    let mut note = note.trim();
    // rustdoc and the CLI already say "Deprecated".
    for prefix in ["deprecated:", "deprecated.", "deprecated -", "deprecated,"] {
        if note.len() >= prefix.len()
            && note.is_char_boundary(prefix.len())
            && note[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            note = note[prefix.len()..].trim_start();
            break;
        }
    }
    if note.is_empty() {
        return "Deprecated by the API.".into();
    }
    match note.char_indices().nth(MAX_NOTE) {
        Some((end, _)) => format!("{}...", &note[..end]),
        None => note.to_string(),
    }
}

/// An absolute https URL with nothing that could escape a string, a doc line
/// or a path: no whitespace, controls, quotes, backslashes, query or fragment.
fn is_https_url(url: &str) -> bool {
    url.len() <= 2048
        && url.strip_prefix("https://").is_some_and(|rest| {
            !rest.is_empty()
                && !rest.starts_with('/')
                && rest.chars().all(|c| {
                    c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '?' | '#' | '`' | '<' | '>')
                })
        })
}

/// The root `endpoints` list; each needs a location and a plain https URL.
fn endpoints(doc: &Document) -> Result<Vec<Endpoint>, Error> {
    let mut out: Vec<Endpoint> = Vec::new();
    for (i, e) in doc.endpoints.iter().enumerate() {
        let path = format!("$.endpoints[{i}]");
        let (Some(url), Some(location)) = (&e.endpoint_url, &e.location) else {
            return Err(Error::Invalid {
                path,
                message: "an endpoint needs an `endpointUrl` and a `location`".into(),
            });
        };
        if !is_https_url(url) {
            return Err(Error::Invalid {
                path: format!("{path}.endpointUrl"),
                message: format!("{url:?} is not a plain https URL"),
            });
        }
        let valid = !location.is_empty()
            && location.len() <= 64
            && location
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(Error::Invalid {
                path: format!("{path}.location"),
                message: format!("{location:?} is not a location name"),
            });
        }
        // The first entry for a location wins.
        if out.iter().any(|o| &o.location == location) {
            continue;
        }
        let mut url = url.clone();
        if !url.ends_with('/') {
            url.push('/');
        }
        out.push(Endpoint {
            url,
            location: location.clone(),
            description: e.description.clone(),
        });
    }
    Ok(out)
}

/// `photoslibrary.albums.list` -> `AlbumsList` (the API name is dropped).
fn pascal_id(id: &str) -> String {
    let rest = id.split_once('.').map(|(_, r)| r).unwrap_or(id);
    bare(&sanitize(rest, Case::Pascal)).to_string()
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(crate) fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

/// Every placeholder of `template` must name a path parameter of `m`.
fn check_placeholders(
    template: &PathTemplate,
    m: &discovery::Method,
    path: &str,
) -> Result<(), Error> {
    for part in &template.parts {
        if let PathPart::Var(v) = part {
            match m.parameters.get(&v.name) {
                Some(p) if p.location.as_deref() == Some("path") => {}
                _ => {
                    return Err(Error::Invalid {
                        path: path.to_string(),
                        message: format!(
                            "the path placeholder {{{}}} has no path parameter of that name",
                            v.name
                        ),
                    })
                }
            }
        }
    }
    Ok(())
}

/// `maxSize` as bytes: `"5TB"`, `"10MB"`, `"52428800"` (binary units).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..digits].parse().ok()?;
    let unit = match text[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1u64,
        "KB" | "K" => 1 << 10,
        "MB" | "M" => 1 << 20,
        "GB" | "G" => 1 << 30,
        "TB" | "T" => 1 << 40,
        _ => return None,
    };
    number.checked_mul(unit)
}

/// Parses `v1/{+name}:cancel`, `{/x*}` and friends.
pub fn parse_path(template: &str, path: &str) -> Result<PathTemplate, Error> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(PathPart::Literal(rest[..open].to_string()));
        }
        let close = rest[open..].find('}').ok_or_else(|| Error::Invalid {
            path: path.to_string(),
            message: format!("unclosed `{{` in the path template {template:?}"),
        })? + open;
        let mut expr = &rest[open + 1..close];
        let mut reserved = false;
        let mut slash = false;
        if let Some(e) = expr.strip_prefix('+') {
            reserved = true;
            expr = e;
        } else if let Some(e) = expr.strip_prefix('/') {
            slash = true;
            expr = e;
        }
        let explode = expr.ends_with('*');
        let name = expr.trim_end_matches('*');
        if name.is_empty() || name.contains(|c: char| "{}+/#?&;.=,!@|*".contains(c)) {
            return Err(Error::Invalid {
                path: path.to_string(),
                message: format!(
                    "unsupported expression {{{}}} in the path template {template:?}",
                    &rest[open + 1..close]
                ),
            });
        }
        parts.push(PathPart::Var(PathVar {
            name: name.to_string(),
            reserved,
            slash_explode: slash && explode,
        }));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        if rest.contains('}') {
            return Err(Error::Invalid {
                path: path.to_string(),
                message: format!("unmatched `}}` in the path template {template:?}"),
            });
        }
        parts.push(PathPart::Literal(rest.to_string()));
    }
    Ok(PathTemplate {
        template: template.to_string(),
        parts,
    })
}

/// A type alias that reaches itself through aliases only (`A = B`, `B = A`;
/// `List = [List]`) cannot be written in Rust; such aliases become
/// `serde_json::Value`. Cycles through a struct are fine (structs are nominal).
fn break_alias_cycles(types: &mut [TypeDef]) {
    fn names(ty: &TypeRef, out: &mut Vec<String>) {
        match ty {
            TypeRef::Named { name, .. } => out.push(name.clone()),
            TypeRef::Array(inner) | TypeRef::Map(inner) => names(inner, out),
            _ => {}
        }
    }
    let aliases: BTreeMap<String, Vec<String>> = types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Alias(ty) => {
                let mut out = Vec::new();
                names(ty, &mut out);
                Some((t.name.clone(), out))
            }
            _ => None,
        })
        .collect();
    let cyclic: BTreeSet<String> = aliases
        .keys()
        .filter(|start| {
            let mut stack = aliases[*start].clone();
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if &n == *start {
                    return true;
                }
                if seen.insert(n.clone()) {
                    stack.extend(aliases.get(&n).into_iter().flatten().cloned());
                }
            }
            false
        })
        .cloned()
        .collect();
    for t in types.iter_mut().filter(|t| cyclic.contains(&t.name)) {
        t.kind = TypeKind::Alias(TypeRef::Any);
    }
}

/// Boxes the by-value references (through `Option` only; `Vec` and maps
/// already allocate) that close a cycle: a depth-first walk in name order boxes
/// each edge back to a type still on the walk's stack, which breaks every cycle
/// with few boxes, deterministically.
fn box_cycles(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let mut order: Vec<usize> = (0..types.len()).collect();
    order.sort_by(|a, b| types[*a].name.cmp(&types[*b].name));
    // 0: unvisited, 1: on the stack, 2: done.
    let mut state = vec![0u8; types.len()];
    let mut to_box: BTreeSet<(usize, usize)> = BTreeSet::new();
    for root in order {
        if state[root] != 0 {
            continue;
        }
        // Iterative DFS: (type, next field position).
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((node, pos)) = stack.last().copied() {
            let targets = direct_targets(&types[node]);
            if pos >= targets.len() {
                state[node] = 2;
                stack.pop();
                continue;
            }
            stack.last_mut().expect("non-empty").1 += 1;
            let (field, target) = &targets[pos];
            let Some(&t) = index.get(target) else {
                continue;
            };
            match state[t] {
                0 => {
                    state[t] = 1;
                    stack.push((t, 0));
                }
                1 => {
                    to_box.insert((node, *field));
                }
                _ => {}
            }
        }
    }
    for (node, field) in to_box {
        let ty = match &mut types[node].kind {
            TypeKind::Struct(fields) => &mut fields[field].ty,
            TypeKind::Alias(ty) => ty,
            TypeKind::Enum(_) => continue,
        };
        if let TypeRef::Named { boxed, .. } = ty {
            *boxed = true;
        }
    }
}

/// The named types a type holds by value, with the field position.
fn direct_targets(t: &TypeDef) -> Vec<(usize, String)> {
    match &t.kind {
        TypeKind::Struct(fields) => fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| direct_target(&f.ty).map(|n| (i, n)))
            .collect(),
        TypeKind::Alias(ty) => direct_target(ty).map(|n| (0, n)).into_iter().collect(),
        TypeKind::Enum(_) => Vec::new(),
    }
}

fn direct_target(ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Named { name, .. } => Some(name.clone()),
        _ => None,
    }
}

fn detect_pagination_all(api: &mut Api, types: &BTreeMap<String, TypeKind>) {
    fn walk(
        methods: &mut [Method],
        resources: &mut [Resource],
        types: &BTreeMap<String, TypeKind>,
    ) {
        for m in methods {
            m.pagination = detect_pagination(m, types);
        }
        for r in resources {
            walk(&mut r.methods, &mut r.resources, types);
        }
    }
    walk(&mut api.methods, &mut api.resources, types);
}

fn struct_fields<'t>(ty: &TypeRef, types: &'t BTreeMap<String, TypeKind>) -> Option<&'t [Field]> {
    match ty {
        TypeRef::Named { name, .. } => match types.get(name)? {
            TypeKind::Struct(fields) => Some(fields),
            _ => None,
        },
        _ => None,
    }
}

/// A method pages when its response has a string `nextPageToken` and its request
/// carries a string `pageToken`, as a query parameter or as a body field.
pub fn detect_pagination(m: &Method, types: &BTreeMap<String, TypeKind>) -> Option<Pagination> {
    let response = struct_fields(m.response.as_ref()?, types)?;
    let next_token = response
        .iter()
        .find(|f| f.name.wire == "nextPageToken" && f.ty == TypeRef::String)?
        .name
        .rust
        .clone();
    let token_in = if let Some(p) = m.params.iter().find(|p| {
        p.name.wire == "pageToken"
            && p.location == Location::Query
            && !p.repeated
            && p.ty == TypeRef::String
    }) {
        TokenLocation::Query(p.name.rust.clone())
    } else {
        let body = struct_fields(&m.request.as_ref()?.ty, types)?;
        let f = body
            .iter()
            .find(|f| f.name.wire == "pageToken" && f.ty == TypeRef::String)?;
        TokenLocation::Body(f.name.rust.clone())
    };
    let arrays: Vec<&Field> = response
        .iter()
        .filter(|f| matches!(f.ty, TypeRef::Array(_)))
        .collect();
    let pick = match arrays.as_slice() {
        [one] => Some(*one),
        many => many.iter().copied().find(|f| f.name.wire == "items"),
    };
    let items = pick.map(|f| ItemsField {
        field: f.name.clone(),
        item: match &f.ty {
            TypeRef::Array(inner) => (**inner).clone(),
            other => other.clone(),
        },
    });
    Some(Pagination {
        token_in,
        next_token,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_path_templates() {
        let t = parse_path("v1/{+name}:cancel", "$").unwrap();
        assert_eq!(
            t.parts,
            vec![
                PathPart::Literal("v1/".into()),
                PathPart::Var(PathVar {
                    name: "name".into(),
                    reserved: true,
                    slash_explode: false
                }),
                PathPart::Literal(":cancel".into()),
            ]
        );
        let t = parse_path("b/{bucket}/o{/object*}", "$").unwrap();
        assert_eq!(
            t.parts[3],
            PathPart::Var(PathVar {
                name: "object".into(),
                reserved: false,
                slash_explode: true
            })
        );
        assert!(parse_path("a/{b", "$.p")
            .unwrap_err()
            .to_string()
            .contains("$.p"));
        assert!(parse_path("a/{}", "$").is_err());
        assert!(parse_path("a}", "$").is_err());
    }

    #[test]
    fn crate_names() {
        assert_eq!(
            default_crate_name("photoslibrary", "v1"),
            "photoslibrary-v1"
        );
        assert_eq!(
            default_crate_name("dfareporting", "v3.4"),
            "dfareporting-v3-4"
        );
        assert_eq!(
            default_crate_name("admin", "directory_v1"),
            "admin-directory-v1"
        );
    }
}
