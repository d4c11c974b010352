//! Resources and methods: their Rust names (accessors, modules, handle and
//! builder types), and each method assembled from its parts.

use std::collections::BTreeMap;

use crate::discovery;
use crate::ir::*;
use crate::names::{bare, sanitize, Case, NamePool};
use crate::Error;

use super::lifecycle::deprecation;
use super::{child, media, paths, Lower};

impl Lower {
    /// The resources at `path`; `accessors` holds the names of the level's
    /// methods and accessors, `modules` those of its resources' modules.
    pub(super) fn resources(
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
            let name = Name {
                wire: wire.clone(),
                rust: accessor,
            };
            out.extend(self.resource(name, module, res, &rpath)?);
        }
        Ok(out)
    }

    /// One resource, named already; `None` when nothing below it can be
    /// called (it would be an accessor to nothing).
    fn resource(
        &mut self,
        name: Name,
        module: String,
        res: &discovery::Resource,
        rpath: &str,
    ) -> Result<Option<Resource>, Error> {
        // The handle lives in the resource's own module, beside its builders,
        // which yield to it (a method `albums` of `albums` becomes `AlbumsCall`).
        let type_name = sanitize(&name.wire, Case::Pascal);
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
        if methods.is_empty() && resources.is_empty() {
            return Ok(None);
        }
        Ok(Some(Resource {
            name,
            module,
            type_name,
            methods,
            resources,
            deprecated: deprecation(res.deprecated, None),
            command: String::new(),
        }))
    }

    /// The methods at `path`; `accessors` holds the level's accessor names,
    /// `types` its builder type names.
    pub(super) fn methods(
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

    /// One method; pagination, stub and command names come in later passes.
    fn method(
        &mut self,
        wire: &str,
        m: &discovery::Method,
        path: &str,
        rust: String,
        builder: String,
    ) -> Result<Method, Error> {
        let id = m.id.clone().unwrap_or_else(|| wire.to_string());
        let http_method = http_method(m, path)?;
        let (template, from_root) = paths::method_path(m, path)?;
        // Parameters, then bodies: the order their inline types are hoisted in.
        let params = self.params(m, &id, path)?;
        let request = self.request(m, &builder, &params, path)?;
        let response = self.response(m, &builder, path)?;
        let media_upload = media::upload(m, path)?;
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
}

/// The HTTP verb, in any case.
fn http_method(m: &discovery::Method, path: &str) -> Result<HttpMethod, Error> {
    match m.http_method.to_ascii_uppercase().as_str() {
        "GET" => Ok(HttpMethod::Get),
        "POST" => Ok(HttpMethod::Post),
        "PUT" => Ok(HttpMethod::Put),
        "PATCH" => Ok(HttpMethod::Patch),
        "DELETE" => Ok(HttpMethod::Delete),
        other => Err(Error::Invalid {
            path: format!("{path}.httpMethod"),
            message: format!("unsupported HTTP method {other:?}"),
        }),
    }
}
