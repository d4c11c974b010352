//! Discovery document -> IR, one module per concern. The passes run in this
//! order, which matters:
//!
//! 1. `types`: every named schema claims its Rust name (in id order, so a
//!    hoisted type never takes one), then lowers.
//! 2. The document's scopes (`endpoints::scopes`, which methods refer to),
//!    then `methods`: root methods, then resources depth-first; `params`,
//!    `paths`, `bodies` and `media` lower each method's parts, hoisting
//!    inline schemas as they go (hoisted names depend on this order).
//! 3. `cycles`: aliases that reach themselves become free JSON, then
//!    by-value cycles are boxed; types are sorted by name.
//! 4. `names` and `endpoints`: the crate name is checked; the base URL and
//!    endpoints are settled.
//! 5. `pagination` (it needs the final struct shapes), stub names (`names`),
//!    what the API's `lifecycle.json` says (`lifecycle`), then the tool's
//!    names (`cli`).

use std::collections::BTreeMap;

use crate::discovery::Document;
use crate::ir::*;
use crate::names::NamePool;
use crate::{Error, Options};

mod bodies;
mod cli;
mod cycles;
mod endpoints;
mod lifecycle;
mod media;
mod methods;
mod names;
mod pagination;
mod params;
mod paths;
mod types;

pub use cli::{RESERVED_COMMANDS, RESERVED_FLAGS};
pub use lifecycle::{deprecation, deprecation_note};
pub use media::parse_size;
pub use names::{default_crate_name, UNKNOWN_FIELDS};
pub use pagination::detect_pagination;
pub use paths::parse_path;

/// Lowers `doc` in the passes above.
pub fn lower(doc: &Document, options: &Options) -> Result<Api, Error> {
    let mut cx = Lower {
        types: Vec::new(),
        type_pool: NamePool::new(),
        schema_names: BTreeMap::new(),
    };
    cx.schemas(doc)?;

    let scopes = endpoints::scopes(doc);
    let mut client_pool = NamePool::with_reserved(names::CLIENT_RESERVED.iter().copied());
    let mut module_pool = NamePool::new();
    let mut type_pool = NamePool::new();
    let methods = cx.methods(&doc.methods, "$.methods", &mut client_pool, &mut type_pool)?;
    let resources = cx.resources(
        &doc.resources,
        "$.resources",
        &mut client_pool,
        &mut module_pool,
    )?;

    cycles::break_alias_cycles(&mut cx.types);
    cycles::box_cycles(&mut cx.types);
    let kinds: BTreeMap<String, TypeKind> = cx
        .types
        .iter()
        .map(|t| (t.name.clone(), t.kind.clone()))
        .collect();
    let mut types = cx.types;
    types.sort_by(|a, b| a.name.cmp(&b.name));

    let crate_name = names::crate_name(doc, options)?;
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
        base_url: endpoints::base_url(doc),
        service_path: endpoints::service_path(doc),
        data_wrapper: doc.features.iter().any(|f| f == "dataWrapper"),
        fully_encode_reserved_expansion: doc.fully_encode_reserved_expansion.unwrap_or(false),
        scopes,
        methods,
        resources,
        types,
        endpoints: endpoints::endpoints(doc)?,
        mtls_root_url: endpoints::mtls_root_url(doc),
        tool: ToolNames::default(),
    };
    pagination::detect_pagination_all(&mut api, &kinds);
    names::name_stub_methods(&mut api);
    lifecycle::apply_lifecycle(&mut api, &options.lifecycle)?;
    cli::name_tool(&mut api, options)?;
    Ok(api)
}

/// The types lowered so far: methods, parameters and bodies hoist their
/// inline schemas into it as they lower.
struct Lower {
    types: Vec<TypeDef>,
    type_pool: NamePool,
    /// Schema id -> Rust name, settled before anything is lowered.
    schema_names: BTreeMap<String, String>,
}

/// `path.key`, or `path["key"]` when the key is not a plain identifier.
pub(crate) fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}
