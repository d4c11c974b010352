//! Media upload: the accepted types, the size limit and the path of each
//! upload protocol. (Media download is a pair of flags on the method.)

use crate::discovery;
use crate::ir::*;
use crate::Error;

use super::child;
use super::paths::{check_placeholders, parse_path};

/// A method's `mediaUpload`, if it has one.
pub(super) fn upload(m: &discovery::Method, path: &str) -> Result<Option<MediaUpload>, Error> {
    let Some(u) = &m.media_upload else {
        return Ok(None);
    };
    let upath = format!("{path}.mediaUpload.protocols");
    Ok(Some(MediaUpload {
        accept: u.accept.clone(),
        max_size: u.max_size.as_deref().and_then(parse_size),
        multipart: protocol_path(m, u, "simple", &upath)?,
        resumable: protocol_path(m, u, "resumable", &upath)?,
    }))
}

/// The path template of the upload protocol `name`; none when the document
/// gives no path, or a `simple` protocol that is not multipart.
fn protocol_path(
    m: &discovery::Method,
    u: &discovery::MediaUpload,
    name: &str,
    upath: &str,
) -> Result<Option<PathTemplate>, Error> {
    let Some(protocol) = u.protocols.get(name) else {
        return Ok(None);
    };
    if name == "simple" && protocol.multipart == Some(false) {
        return Ok(None);
    }
    let Some(p) = &protocol.path else {
        return Ok(None);
    };
    let ppath = child(upath, name) + ".path";
    let t = parse_path(p.trim_start_matches('/'), &ppath)?;
    check_placeholders(&t, m, &ppath)?;
    Ok(Some(t))
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
