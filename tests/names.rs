//! Properties of the safe local names every download uses, over arbitrary
//! server-supplied text.

use std::path::{Component, Path};

use photoslibrary_v1::files::{
    partial_path, path_in, safe_component, unique_file_name, MAX_NAME_BYTES,
};
use proptest::prelude::*;

/// Text with the characters that matter here over-represented.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_owned()),
        Just("\\".to_owned()),
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just(" ".to_owned()),
        Just("\0".to_owned()),
        Just("CON".to_owned()),
        Just("COM".to_owned()),
        Just("lpt".to_owned()),
        Just("\u{b9}".to_owned()),
        Just("\u{b2}".to_owned()),
        Just("\u{b3}".to_owned()),
        Just("\u{202E}".to_owned()),
        Just(":".to_owned()),
        Just("é".to_owned()),
        Just(".part".to_owned()),
        "[a-zA-Z0-9_-]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn is_one_safe_component(name: &str) {
    assert!(!name.is_empty());
    assert!(name.len() <= MAX_NAME_BYTES, "{} bytes", name.len());
    assert!(
        !name.contains(['/', '\\', '\0', ':', '*', '?', '"', '<', '>', '|']),
        "{name:?}"
    );
    assert!(!name.chars().any(char::is_control), "{name:?}");
    assert!(
        !name.starts_with(['.', ' ']) && !name.ends_with(['.', ' ']),
        "{name:?}"
    );
    let mut components = Path::new(name).components();
    assert!(
        matches!(components.next(), Some(Component::Normal(_))),
        "{name:?}"
    );
    assert!(components.next().is_none(), "{name:?}");
    // Windows's device names, superscript digits included (`COM¹`).
    let stem = name
        .split('.')
        .next()
        .unwrap()
        .trim_end()
        .to_ascii_uppercase();
    let device_number = |rest: &str| {
        let mut chars = rest.chars();
        matches!(
            (chars.next(), chars.next()),
            (Some('0'..='9' | '¹' | '²' | '³'), None)
        )
    };
    assert!(
        !["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"].contains(&stem.as_str())
            && !stem.strip_prefix("COM").is_some_and(device_number)
            && !stem.strip_prefix("LPT").is_some_and(device_number),
        "{name:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn safe_components_are_one_portable_component(name in hostile_text()) {
        is_one_safe_component(&safe_component(&name));
    }

    #[test]
    fn unique_names_are_safe_stay_inside_and_never_equal_their_temporary_name(
        name in hostile_text(),
        id in hostile_text(),
    ) {
        let file = unique_file_name(&name, &id);
        is_one_safe_component(&file);
        let dir = Path::new("out");
        let path = path_in(dir, &file).unwrap();
        prop_assert_eq!(path.parent(), Some(dir));
        let part = partial_path(&path);
        prop_assert_eq!(part.parent(), Some(dir));
        prop_assert_ne!(&part, &path);
        // No final name starts with a dot, every temporary name does.
        prop_assert!(part.file_name().unwrap().to_string_lossy().starts_with('.'));
        prop_assert_eq!(unique_file_name(&name, &id), file);
    }

    #[test]
    fn different_ids_never_share_a_name_even_ignoring_case(
        name in hostile_text(),
        a in hostile_text(),
        b in hostile_text(),
    ) {
        prop_assume!(a != b);
        prop_assert_ne!(
            unique_file_name(&name, &a).to_lowercase(),
            unique_file_name(&name, &b).to_lowercase()
        );
    }

    #[test]
    fn path_in_accepts_only_what_stays_in_the_folder(name in hostile_text()) {
        if let Ok(path) = path_in(Path::new("out"), &name) {
            prop_assert_eq!(path.parent(), Some(Path::new("out")));
            prop_assert!(!name.contains(['/', '\\']) && name != "." && name != "..");
        }
    }
}
