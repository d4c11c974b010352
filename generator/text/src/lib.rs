//! Text that comes from outside (a discovery document, a server's answer, a
//! file name) is shown in terminals, written into file names and into
//! generated Rust source. Some characters there hide or reorder what is
//! shown: control characters (terminal escape sequences), bidirectional
//! controls (text that displays other than it reads, "Trojan Source") and
//! invisible format characters. [`is_hidden`] is the one list of them that
//! the generator, the runtime and the command-line runtime share.
#![forbid(unsafe_code)]

/// Whether `c` hides or reorders text: a control character (C0, DEL, C1),
/// a bidirectional control (ALM, LRM, RLM, the embeddings and overrides
/// U+202A-U+202E, the isolates U+2066-U+2069), or an invisible format
/// character (soft hyphen, zero-width space, non-joiner and joiner, word
/// joiner and invisible operators U+2060-U+2064, the byte order mark).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `text` safe to print on one line of a terminal: every [`is_hidden`]
/// character (line breaks and tabs among them) and the Unicode line and
/// paragraph separators become a space.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_hidden(c) || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `text` safe to print as lines: line breaks are kept, every other
/// [`is_hidden`] character is dropped.
pub fn printable_lines(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\n' || !is_hidden(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_found_and_others_kept() {
        for c in [
            '\0', '\u{1b}', '\n', '\t', '\u{7f}', '\u{85}', '\u{200B}', '\u{200E}', '\u{200F}',
            '\u{061C}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{2060}', '\u{FEFF}', '\u{00AD}',
        ] {
            assert!(is_hidden(c), "{:?}", c);
        }
        for c in ['a', 'é', '日', '😀', ' ', '\u{2070}', '\u{2028}'] {
            assert!(!is_hidden(c), "{:?}", c);
        }
        assert_eq!(
            printable("a\u{1b}[2Jb\u{202E}c\nd\u{2028}e"),
            "a [2Jb c d e"
        );
        assert_eq!(printable_lines("a\u{1b}[2Jb\u{202E}c\nd"), "a[2Jbc\nd");
    }
}
