//! RFC 6570 expansion of path parameters, made safe: no value can leave its
//! place in the path or add a query string.

use crate::error::{Error, Result};

/// Characters kept as they are by reserved expansion (`{+x}`), besides the
/// unreserved ones. `?` and `#` are left out on purpose: they would end the path.
const RESERVED: &[u8] = b":/[]@!$&'()*+,;=";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends one path parameter's value.
///
/// `reserved` is `{+x}` expansion; the generator passes `false` when the
/// document sets `fullyEncodeReservedExpansion`. Empty values and values that
/// would form `.` or `..` segments are rejected, since they change which
/// resource the path names.
pub(crate) fn push_var(
    path: &mut String,
    name: &'static str,
    value: &str,
    reserved: bool,
) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_argument(name, "must not be empty"));
    }
    let segments: Box<dyn Iterator<Item = &str>> = if reserved {
        Box::new(value.split('/'))
    } else {
        Box::new(std::iter::once(value))
    };
    for segment in segments {
        if segment == "." || segment == ".." {
            return Err(Error::invalid_argument(
                name,
                format!("{value:?} would change the request path"),
            ));
        }
    }
    for &b in value.as_bytes() {
        if is_unreserved(b) || (reserved && RESERVED.contains(&b)) {
            path.push(b as char);
        } else if reserved && b == b'%' {
            // Reserved expansion passes existing percent-triplets through; a bare
            // `%` is encoded. Checked below once the whole value is known.
            path.push('%');
        } else {
            push_pct(path, b);
        }
    }
    if reserved {
        fix_bare_percents(path, value.len());
    }
    Ok(())
}

fn push_pct(path: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    path.push('%');
    path.push(HEX[usize::from(b >> 4)] as char);
    path.push(HEX[usize::from(b & 15)] as char);
}

/// Encodes `%` signs in the last `len` bytes of `path` that do not start a
/// valid `%XX` triplet.
fn fix_bare_percents(path: &mut String, len: usize) {
    let start = path.len() - len.min(path.len());
    if !path[start..].contains('%') {
        return;
    }
    let tail = path.split_off(start);
    let bytes = tail.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let triplet = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if b == b'%' && !triplet {
            path.push_str("%25");
        } else {
            path.push(b as char);
        }
    }
}

/// Appends a `{/x*}` list: each element becomes its own `/`-prefixed segment.
pub(crate) fn push_list(path: &mut String, name: &'static str, values: &[String]) -> Result<()> {
    for value in values {
        path.push('/');
        push_var(path, name, value, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(value: &str, reserved: bool) -> Result<String> {
        let mut path = String::from("v1/albums/");
        push_var(&mut path, "albumId", value, reserved)?;
        Ok(path)
    }

    #[test]
    fn simple_expansion_encodes_everything_reserved() {
        assert_eq!(expand("abc-_.~09", false).unwrap(), "v1/albums/abc-_.~09");
        assert_eq!(
            expand("../mediaItems", false).unwrap(),
            "v1/albums/..%2FmediaItems"
        );
        assert_eq!(expand("a?b#c", false).unwrap(), "v1/albums/a%3Fb%23c");
        assert_eq!(expand("%2F", false).unwrap(), "v1/albums/%252F");
        assert_eq!(expand("é", false).unwrap(), "v1/albums/%C3%A9");
    }

    #[test]
    fn reserved_expansion_keeps_slashes_but_never_query_or_fragment() {
        assert_eq!(
            expand("projects/p/locations/l", true).unwrap(),
            "v1/albums/projects/p/locations/l"
        );
        assert_eq!(expand("a?b#c", true).unwrap(), "v1/albums/a%3Fb%23c");
        assert_eq!(expand("a%2Fb%zz", true).unwrap(), "v1/albums/a%2Fb%25zz");
    }

    #[test]
    fn rejects_values_that_move_the_path() {
        for bad in ["", ".", ".."] {
            assert!(
                matches!(expand(bad, false), Err(Error::InvalidArgument { .. })),
                "{bad:?}"
            );
        }
        assert!(expand("a/../b", true).is_err());
        assert!(expand("a/../b", false).is_ok());
    }
}
