//! RFC 6570 expansion of path parameters, made safe: no value can leave its
//! place in the path or add a query string.

use crate::error::{Error, Result};

/// Characters kept as they are by reserved expansion (`{+x}`), besides the
/// unreserved ones: RFC 3986's reserved set without `?` and `#`, which would
/// end the path.
const RESERVED: &[u8] = b":/[]@!$&'()*+,;=";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// How a value is expanded into the path (RFC 6570 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expansion {
    /// `{x}` (§3.2.2): everything but unreserved characters is encoded.
    Simple,
    /// `{+x}` (§3.2.3): reserved characters stay, so a resource name keeps its
    /// `/`; `?` and `#` are encoded all the same.
    Reserved,
    /// `{+x}` of an API whose document sets `fullyEncodeReservedExpansion`:
    /// its servers decode reserved characters in such values fully (the
    /// service's `fully_decode_reserved_expansion`), so only `/`, which
    /// separates the name's segments, stays; everything else is encoded as
    /// in simple expansion.
    SlashesOnly,
}

/// Appends `value` to `path`, percent-encoding every byte that `expansion`
/// does not keep. `%` is always encoded, valid triplet or not: the server
/// decodes the path back to exactly `value` (RFC 6570 would let a valid
/// triplet through in reserved expansion, which makes `a%2Fb` and `a/b` the
/// same name).
pub fn encode_into(path: &mut String, value: &str, expansion: Expansion) {
    for &b in value.as_bytes() {
        let kept = is_unreserved(b)
            || match expansion {
                Expansion::Simple => false,
                Expansion::Reserved => RESERVED.contains(&b),
                Expansion::SlashesOnly => b == b'/',
            };
        if kept {
            path.push(char::from(b));
        } else {
            push_pct(path, b);
        }
    }
}

/// Appends one path parameter's value, expanded as `expansion` says.
/// Empty values and values that would form `.` or `..` segments are
/// rejected, since they change which resource the path names.
pub fn push_var(
    path: &mut String,
    name: &'static str,
    value: &str,
    expansion: Expansion,
) -> Result<()> {
    push_joined(path, name, &[value], expansion)
}

/// Appends a list given to `{x}` or `{+x}` (§3.2.2): each element encoded,
/// joined with a literal `,`. Checked like [`push_var`].
pub fn push_joined<S: AsRef<str>>(
    path: &mut String,
    name: &'static str,
    values: &[S],
    expansion: Expansion,
) -> Result<()> {
    let start = path.len();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            path.push(',');
        }
        encode_into(path, value.as_ref(), expansion);
    }
    // Checked on what was written: only a kept `/` can start a segment, and
    // `.` is never encoded.
    let written = &path[start..];
    if written.is_empty() {
        return Err(Error::invalid_argument(name, "must not be empty"));
    }
    if written.split('/').any(|s| s == "." || s == "..") {
        let value: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
        return Err(Error::invalid_argument(
            name,
            format!("{:?} would change the request path", value.join(",")),
        ));
    }
    Ok(())
}

fn push_pct(path: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    path.push('%');
    path.push(char::from(HEX[usize::from(b >> 4)]));
    path.push(char::from(HEX[usize::from(b & 15)]));
}

/// Appends a `{/x*}` list (§3.2.6, exploded): each element becomes its own
/// `/`-prefixed segment, simply expanded.
pub fn push_list<S: AsRef<str>>(path: &mut String, name: &'static str, values: &[S]) -> Result<()> {
    for value in values {
        path.push('/');
        push_var(path, name, value.as_ref(), Expansion::Simple)?;
    }
    Ok(())
}

/// Checks a path parameter against the `pattern` the document gives it.
/// Patterns beyond the supported subset (groups, alternation, counted
/// repetition) are not enforced; expansion stays safe without them.
pub fn check_pattern(name: &'static str, value: &str, pattern: &str) -> Result<()> {
    // The pattern of nearly every resource id, checked without the matcher.
    let ok = if pattern == "^[^/]+$" {
        Some(!value.is_empty() && !value.contains('/'))
    } else {
        matches(pattern, value)
    };
    match ok {
        Some(false) => Err(Error::invalid_argument(
            name,
            format!("{value:?} does not match the pattern {pattern}"),
        )),
        _ => Ok(()),
    }
}

/// One element of a pattern.
#[derive(Debug, Clone)]
enum Atom {
    Any,
    Char(char),
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Atom {
    fn accepts(&self, c: char) -> bool {
        match self {
            Atom::Any => c != '\n',
            Atom::Char(x) => *x == c,
            Atom::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Repeat {
    One,
    ZeroOrOne,
    ZeroOrMore,
    OneOrMore,
}

/// Whether `value` matches the regular expression `pattern`, for the subset
/// discovery documents use: anchors, literals, `.`, classes (`[^/]`, `[a-z0-9-]`,
/// `\d`, `\w`, `\s`), and `*`, `+`, `?`. `None` for anything else.
pub fn matches(pattern: &str, value: &str) -> Option<bool> {
    let mut chars = pattern.chars().peekable();
    let anchored_start = chars.next_if_eq(&'^').is_some();
    let mut atoms: Vec<(Atom, Repeat)> = Vec::new();
    let mut anchored_end = false;
    while let Some(c) = chars.next() {
        let atom = match c {
            '$' if chars.peek().is_none() => {
                anchored_end = true;
                break;
            }
            '.' => Atom::Any,
            '\\' => escape(chars.next()?)?,
            '[' => {
                let negated = chars.next_if_eq(&'^').is_some();
                let mut ranges = Vec::new();
                let mut first = true;
                loop {
                    let c = chars.next()?;
                    if c == ']' && !first {
                        break;
                    }
                    first = false;
                    let lo = if c == '\\' {
                        match escape(chars.next()?)? {
                            Atom::Char(x) => x,
                            Atom::Class {
                                ranges: r,
                                negated: false,
                            } => {
                                ranges.extend(r);
                                continue;
                            }
                            _ => return None,
                        }
                    } else {
                        c
                    };
                    if chars.peek() == Some(&'-') {
                        chars.next();
                        match chars.peek() {
                            Some(']') | None => {
                                ranges.push((lo, lo));
                                ranges.push(('-', '-'));
                            }
                            Some(_) => {
                                let hi = chars.next()?;
                                ranges.push((lo, hi));
                            }
                        }
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                Atom::Class { negated, ranges }
            }
            '(' | ')' | '|' | '{' | '}' | '*' | '+' | '?' | '^' | '$' => return None,
            other => Atom::Char(other),
        };
        let repeat = match chars.peek() {
            Some('*') => Repeat::ZeroOrMore,
            Some('+') => Repeat::OneOrMore,
            Some('?') => Repeat::ZeroOrOne,
            _ => Repeat::One,
        };
        if repeat != Repeat::One {
            chars.next();
            if matches!(chars.peek(), Some('*' | '+' | '?' | '{')) {
                return None;
            }
        }
        atoms.push((atom, repeat));
    }
    let text: Vec<char> = value.chars().collect();
    let starts: Box<dyn Iterator<Item = usize>> = if anchored_start {
        Box::new(0..1)
    } else {
        Box::new(0..=text.len())
    };
    for start in starts {
        if match_here(&atoms, &text[start..], anchored_end) {
            return Some(true);
        }
    }
    Some(false)
}

fn escape(c: char) -> Option<Atom> {
    let class = |ranges: &[(char, char)]| Atom::Class {
        negated: false,
        ranges: ranges.to_vec(),
    };
    Some(match c {
        'd' => class(&[('0', '9')]),
        'w' => class(&[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]),
        's' => class(&[(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')]),
        c if c.is_ascii_alphanumeric() => return None,
        c => Atom::Char(c),
    })
}

/// Backtracking match of `atoms` at the start of `text`.
fn match_here(atoms: &[(Atom, Repeat)], text: &[char], anchored_end: bool) -> bool {
    let Some(((atom, repeat), rest)) = atoms.split_first() else {
        return !anchored_end || text.is_empty();
    };
    let (min, max) = match repeat {
        Repeat::One => (1, 1),
        Repeat::ZeroOrOne => (0, 1),
        Repeat::ZeroOrMore => (0, usize::MAX),
        Repeat::OneOrMore => (1, usize::MAX),
    };
    let available = text
        .iter()
        .take(max)
        .take_while(|c| atom.accepts(**c))
        .count();
    (min..=available)
        .rev()
        .any(|n| match_here(rest, &text[n..], anchored_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(value: &str, reserved: bool) -> Result<String> {
        let mut path = String::from("v1/albums/");
        let expansion = if reserved {
            Expansion::Reserved
        } else {
            Expansion::Simple
        };
        push_var(&mut path, "albumId", value, expansion)?;
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
        // `%` is always encoded: the server decodes back to the value given.
        assert_eq!(expand("a%2Fb%zz", true).unwrap(), "v1/albums/a%252Fb%25zz");
        // A bare `%` far from the end of a value that grows when encoded.
        assert_eq!(
            expand("projects/100%/serviceAccounts/日本語", true).unwrap(),
            "v1/albums/projects/100%25/serviceAccounts/%E6%97%A5%E6%9C%AC%E8%AA%9E"
        );
    }

    #[test]
    fn fully_encoded_reserved_expansion_keeps_only_slashes() {
        let mut path = String::from("v2/");
        push_var(
            &mut path,
            "name",
            "projects/p:1/agent@x?y",
            Expansion::SlashesOnly,
        )
        .unwrap();
        assert_eq!(path, "v2/projects/p%3A1/agent%40x%3Fy");
    }

    #[test]
    fn patterns() {
        assert_eq!(matches("^[^/]+$", "abc"), Some(true));
        assert_eq!(matches("^[^/]+$", "a/b"), Some(false));
        assert_eq!(matches("^[^/]+$", ""), Some(false));
        let p = "^projects/[^/]+/locations/[^/]+$";
        assert_eq!(matches(p, "projects/p1/locations/us-east1"), Some(true));
        assert_eq!(matches(p, "projects/p1/locations/us/x"), Some(false));
        assert_eq!(matches("^[a-z][a-z0-9-]*$", "my-bucket-1"), Some(true));
        assert_eq!(matches("^[a-z][a-z0-9-]*$", "1bucket"), Some(false));
        assert_eq!(matches("\\d+", "id 42"), Some(true));
        assert_eq!(matches("^.*$", "anything/at all"), Some(true));
        assert_eq!(matches("^v1\\.(a|b)$", "v1.a"), None);
        assert!(check_pattern("albumId", "a/b", "^[^/]+$").is_err());
        assert!(check_pattern("albumId", "a", "^(x|y)$").is_ok());
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
