//! Where the API lives and what it asks for: the base URL, the service path,
//! the regional and mTLS endpoints, and the OAuth scopes.

use crate::discovery::Document;
use crate::ir::*;
use crate::names::{bare, sanitize, Case, NamePool};
use crate::Error;

/// `rootUrl` + `servicePath`, else the legacy `baseUrl`; always ends in `/`.
pub(super) fn base_url(doc: &Document) -> String {
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

/// The service path, which only means something beside a `rootUrl`.
pub(super) fn service_path(doc: &Document) -> String {
    if doc.root_url.is_some() {
        doc.service_path.clone().unwrap_or_default()
    } else {
        String::new()
    }
}

/// `mtlsRootUrl`, when it is a plain https URL.
pub(super) fn mtls_root_url(doc: &Document) -> Option<String> {
    doc.mtls_root_url.clone().filter(|u| is_https_url(u))
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
pub(super) fn endpoints(doc: &Document) -> Result<Vec<Endpoint>, Error> {
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

/// The OAuth scopes, each with a constant name from its URL's tail
/// (`.../auth/photoslibrary.readonly` -> `PHOTOSLIBRARY_READONLY`).
pub(super) fn scopes(doc: &Document) -> Vec<Scope> {
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
