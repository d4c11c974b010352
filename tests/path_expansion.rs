//! RFC 6570 path expansion (`discovery_runtime::path`), checked against an
//! independent encoder and decoder (the `percent-encoding` crate) on random
//! text rich in the characters that matter: `%` alone, doubled, in valid and
//! invalid triplets, delimiters and astral characters.

use discovery_runtime::path::{push_joined, push_list, push_var, Expansion};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use proptest::prelude::*;

/// RFC 3986 §2.3: what simple expansion keeps.
const SIMPLE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What reserved expansion keeps: the reserved set (§2.2) without `?` and
/// `#`, which would end the path, and without `%` (a value's `%` is data).
const RESERVED: &AsciiSet = &SIMPLE
    .remove(b':')
    .remove(b'/')
    .remove(b'[')
    .remove(b']')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// What reserved expansion keeps where the document sets
/// `fullyEncodeReservedExpansion`: the unreserved characters and `/`.
const SLASHES: &AsciiSet = &SIMPLE.remove(b'/');

fn hostile_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("%".to_owned()),
        Just("%%".to_owned()),
        Just("%4".to_owned()),
        Just("%zz".to_owned()),
        Just("%2F".to_owned()),
        Just("%2f".to_owned()),
        Just("%41".to_owned()),
        Just("%E6%97%A5".to_owned()),
        Just("/".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just(":".to_owned()),
        Just("+".to_owned()),
        Just("@".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("日本語".to_owned()),
        Just("😀".to_owned()),
        "[a-zA-Z0-9]{1,4}",
        // Any scalar value: Rust's `char` has no surrogates.
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn expand(value: &str, reserved: bool) -> Option<String> {
    let mut path = String::from("v1/");
    let expansion = if reserved {
        Expansion::Reserved
    } else {
        Expansion::Simple
    };
    push_var(&mut path, "name", value, expansion).ok()?;
    Some(path["v1/".len()..].to_owned())
}

/// Whether a value names another place than its own: empty, or with a `.`
/// or `..` segment where `/` is kept.
fn moves_the_path(value: &str, reserved: bool) -> bool {
    let dots = |s: &str| s == "." || s == "..";
    value.is_empty()
        || if reserved {
            value.split('/').any(dots)
        } else {
            dots(value)
        }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn simple_expansion_is_the_reference_encoding_and_round_trips(value in hostile_value()) {
        match expand(&value, false) {
            None => prop_assert!(moves_the_path(&value, false), "{value:?} refused"),
            Some(out) => {
                prop_assert!(!moves_the_path(&value, false));
                prop_assert_eq!(&out, &utf8_percent_encode(&value, SIMPLE).to_string());
                prop_assert_eq!(percent_decode_str(&out).decode_utf8().unwrap(), value.as_str());
                // One segment, no query, no fragment.
                prop_assert!(!out.contains(['/', '?', '#']), "{}", out);
            }
        }
    }

    #[test]
    fn reserved_expansion_keeps_only_delimiters_and_round_trips(value in hostile_value()) {
        match expand(&value, true) {
            None => prop_assert!(moves_the_path(&value, true), "{value:?} refused"),
            Some(out) => {
                prop_assert!(!moves_the_path(&value, true));
                prop_assert_eq!(&out, &utf8_percent_encode(&value, RESERVED).to_string());
                prop_assert_eq!(percent_decode_str(&out).decode_utf8().unwrap(), value.as_str());
                // The value's own segments, no more; never a query or fragment.
                prop_assert!(!out.contains(['?', '#']), "{}", out);
                prop_assert_eq!(out.matches('/').count(), value.matches('/').count());
            }
        }
    }

    #[test]
    fn fully_encoded_reserved_expansion_keeps_only_slashes(value in hostile_value()) {
        let mut path = String::new();
        match push_var(&mut path, "name", &value, Expansion::SlashesOnly) {
            Err(_) => prop_assert!(moves_the_path(&value, true), "{value:?} refused"),
            Ok(()) => {
                prop_assert!(!moves_the_path(&value, true));
                prop_assert_eq!(&path, &utf8_percent_encode(&value, SLASHES).to_string());
                prop_assert_eq!(percent_decode_str(&path).decode_utf8().unwrap(), value.as_str());
                prop_assert_eq!(path.matches('/').count(), value.matches('/').count());
            }
        }
    }

    #[test]
    fn lists_join_their_encoded_elements(values in prop::collection::vec(hostile_value(), 1..4)) {
        let mut joined = String::new();
        let simple = push_joined(&mut joined, "names", &values, Expansion::Simple);
        let mut exploded = String::new();
        let segments = push_list(&mut exploded, "names", &values);
        let all = values.join(",");
        if moves_the_path(&all, false) {
            prop_assert!(simple.is_err());
        } else {
            prop_assert!(simple.is_ok());
            // `,` inside an element is encoded, so the elements come back.
            let back: Vec<String> = joined
                .split(',')
                .map(|e| percent_decode_str(e).decode_utf8().unwrap().into_owned())
                .collect();
            prop_assert_eq!(&back, &values);
        }
        if values.iter().any(|v| moves_the_path(v, false)) {
            prop_assert!(segments.is_err());
        } else {
            prop_assert!(segments.is_ok());
            let back: Vec<String> = exploded
                .split('/')
                .skip(1)
                .map(|e| percent_decode_str(e).decode_utf8().unwrap().into_owned())
                .collect();
            prop_assert_eq!(&back, &values);
        }
    }
}

/// The examples of RFC 6570 §3.2.2, §3.2.3 and §3.2.6 that apply to one
/// path value (`{x}`, `{+x}`, `{/list*}`), with `%` read as data.
#[test]
fn rfc_6570_examples() {
    assert_eq!(expand("Hello World!", false).unwrap(), "Hello%20World%21");
    assert_eq!(expand("Hello World!", true).unwrap(), "Hello%20World!");
    assert_eq!(expand("/foo/bar", true).unwrap(), "/foo/bar");
    assert_eq!(expand("/foo/bar", false).unwrap(), "%2Ffoo%2Fbar");
    assert_eq!(expand("50%", false).unwrap(), "50%25");
    assert_eq!(expand("50%", true).unwrap(), "50%25");
    let mut path = String::new();
    push_list(&mut path, "list", &["red", "green", "blue"]).unwrap();
    assert_eq!(path, "/red/green/blue");
    let mut path = String::new();
    push_joined(
        &mut path,
        "list",
        &["red", "green", "blue"],
        Expansion::Simple,
    )
    .unwrap();
    assert_eq!(path, "red,green,blue");
}
