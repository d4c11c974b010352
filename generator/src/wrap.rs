//! Wraps the prose lines of doc comments (`///`, `//!`) in formatted Rust at a
//! column limit, indentation and comment marker included.
//!
//! A doc line is split only at a space outside code spans, links and
//! autolinks, so each piece renders as the same Markdown paragraph: never in
//! a fenced code block, never a line that is not plain paragraph text
//! (headings, table rows, indented lines), never before a word that could
//! start a block (a list item, a heading, a quote, a fence, a thematic break
//! or setext underline, a table or an HTML block) and never after a trailing
//! backslash (a hard line break). A piece too long to split stays long.

use crate::markdown;

/// The column limit of generated doc comments.
pub const WIDTH: usize = 100;

/// `text` (formatted Rust) with its long doc-comment lines wrapped at `width`.
pub fn doc_comments(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    // The open fence of the current comment block, and that block's prefix.
    let mut fence: Option<(char, usize)> = None;
    let mut block: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let indent = body.len() - body.trim_start().len();
        let rest = &body[indent..];
        let is_doc =
            (rest.starts_with("///") && !rest.starts_with("////")) || rest.starts_with("//!");
        if !is_doc {
            fence = None;
            block = None;
            out.push_str(line);
            continue;
        }
        let prefix = &body[..indent + 3];
        if block != Some(prefix) {
            fence = None;
            block = Some(prefix);
        }
        let content = &rest[3..];
        let (sep, md) = match content.strip_prefix(' ') {
            Some(md) => (" ", md),
            None => ("", content),
        };
        let trimmed = md.trim_start();
        let lead = md.len() - trimmed.len();
        if let Some((ch, len)) = fence {
            if lead <= 3 && markdown::is_closing(trimmed, ch, len) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if lead <= 3 {
            if let Some(opened) = markdown::opens_fence(trimmed) {
                fence = Some(opened);
                out.push_str(line);
                continue;
            }
        }
        if body.chars().count() <= width || lead > 0 || md.starts_with(['#', '|']) {
            out.push_str(line);
            continue;
        }
        let newline = &line[body.len()..];
        let first = format!("{prefix}{sep}");
        // Continuation lines of a list item are indented to its text.
        let (markers, _) = markdown::list_markers(md);
        let next = format!("{first}{}", " ".repeat(markers.len()));
        for (i, piece) in wrap(md, width, first.chars().count(), next.chars().count())
            .iter()
            .enumerate()
        {
            out.push_str(if i == 0 { &first } else { &next });
            out.push_str(piece);
            out.push_str(newline);
        }
    }
    out
}

/// `md` (one Markdown line) as lines of at most `width` columns after the
/// first line's prefix of `first` columns and the others' of `next`.
fn wrap(md: &str, width: usize, first: usize, next: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut prefix = first;
    let columns = |atoms: &[&str]| {
        atoms.iter().map(|a| a.chars().count()).sum::<usize>() + atoms.len().saturating_sub(1)
    };
    for atom in atoms(md) {
        let fits = prefix + columns(&current) + 1 + atom.chars().count() <= width;
        let after_break = current.last().is_some_and(|a| a.ends_with('\\'));
        if current.is_empty() || fits || after_break {
            current.push(atom);
        } else if can_start_line(atom) {
            lines.push(current.join(" "));
            current = vec![atom];
            prefix = next;
        } else if current.len() > 1
            && can_start_line(current[current.len() - 1])
            && !current[current.len() - 2].ends_with('\\')
        {
            // The word before goes down with it.
            let last = current.pop().unwrap_or_default();
            lines.push(current.join(" "));
            current = vec![last, atom];
            prefix = next;
        } else {
            current.push(atom);
        }
    }
    lines.push(current.join(" "));
    lines
}

/// The pieces of `md` between the spaces a line may break at: spaces outside
/// code spans, `[text](target)` links and `<url>` autolinks.
fn atoms(md: &str) -> Vec<&str> {
    let mut atoms = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let bytes = md.as_bytes();
    while i < bytes.len() {
        let rest = &md[i..];
        match bytes[i] {
            b'\\' => i += 1 + rest[1..].chars().next().map_or(0, char::len_utf8),
            b'`' => {
                i += markdown::code_span_len(rest)
                    .unwrap_or_else(|| rest.bytes().take_while(|b| *b == b'`').count())
            }
            b'[' => i += link_len(rest).unwrap_or(1),
            b'<' => {
                i += markdown::url_len(&rest[1..])
                    .filter(|len| rest[1 + len..].starts_with('>'))
                    .map_or(1, |len| len + 2)
            }
            b' ' => {
                if start < i {
                    atoms.push(&md[start..i]);
                }
                i += 1;
                start = i;
            }
            _ => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if start < md.len() {
        atoms.push(&md[start..]);
    }
    atoms
}

/// The length of a link `[text](target)` at the start of `rest` whose target
/// has no space (the document's links, and our intra-doc links).
fn link_len(rest: &str) -> Option<usize> {
    let close = rest.find("](")?;
    if rest[1..close].contains(['[', ']']) {
        return None;
    }
    let target = rest[close + 2..].find(')')?;
    let url = &rest[close + 2..close + 2 + target];
    (!url.contains(char::is_whitespace)).then_some(close + 2 + target + 1)
}

/// Whether a line may start with `atom` and still continue the paragraph:
/// not if it could open a block (a quote, a table, a fence, an HTML block, a
/// list item, a heading, a thematic break or a setext underline).
fn can_start_line(atom: &str) -> bool {
    let Some(c) = atom.chars().next() else {
        return false;
    };
    let only = |set: &str| atom.chars().all(|c| set.contains(c));
    if c == '>' || c == '|' || only("#") || only("-*+=_:|") {
        return false;
    }
    if atom.starts_with("```") || atom.starts_with("~~~") {
        return false;
    }
    if c == '<' {
        return atom.starts_with("<http://") || atom.starts_with("<https://");
    }
    // `1.` or `1)` followed by a space: an ordered list item.
    let digits = atom.chars().take_while(char::is_ascii_digit).count();
    !(digits > 0 && atom.len() == digits + 1 && atom.ends_with(['.', ')']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, width: usize) -> String {
        doc_comments(text, width)
    }

    #[test]
    fn prose_wraps_at_the_width_including_indentation() {
        let text = "    /// aaa bbb ccc ddd eee\nfn f() {}\n";
        assert_eq!(
            w(text, 20),
            "    /// aaa bbb ccc\n    /// ddd eee\nfn f() {}\n"
        );
        assert!(w(text, 20).lines().all(|l| l.chars().count() <= 20));
        assert_eq!(w("//! aaa bbb ccc\n", 12), "//! aaa bbb\n//! ccc\n");
    }

    #[test]
    fn code_spans_links_and_urls_stay_whole() {
        let text = "/// a `b c d` [e f g](https://x.example/y) <https://z.example/q> h\n";
        assert_eq!(
            w(text, 10),
            "/// a\n/// `b c d`\n/// [e f g](https://x.example/y)\n/// <https://z.example/q>\n/// h\n"
        );
        // An unclosed backtick is not a span: spaces after it break.
        assert_eq!(w("/// a \\` b `c d\n", 9), "/// a \\`\n/// b `c\n/// d\n");
    }

    #[test]
    fn fences_headings_tables_and_indented_lines_are_kept() {
        let text = "/// ```text\n/// aaa bbb ccc ddd\n/// ```\n/// # aaa bbb ccc\n/// | a | b | c |\n///     aaa bbb ccc\n";
        assert_eq!(w(text, 12), text);
        // The fence ends with the comment block.
        let text = "/// ```\nfn f() {}\n/// aaa bbb\n";
        assert_eq!(w(text, 10), "/// ```\nfn f() {}\n/// aaa\n/// bbb\n");
    }

    #[test]
    fn no_line_starts_a_block_or_follows_a_hard_break() {
        for word in [
            "-", "*", "+", "#", ">", "=", "===", "---", "1.", "2)", "```x", "<div>", "|", "~~~",
            "___",
        ] {
            let text = format!("/// aaa {word} bbb\n");
            let out = w(&text, 8);
            assert!(
                out.lines().all(|l| !l.starts_with(&format!("/// {word}"))),
                "{word}: {out}"
            );
        }
        assert_eq!(w("/// aa\\ bb\n", 7), "/// aa\\ bb\n");
        // The word before a `1.` goes to the next line with it.
        assert_eq!(w("/// aa bb 1.\n", 10), "/// aa\n/// bb 1.\n");
        assert_eq!(
            w("/// aa 2021 50.5 #x *y* <https://a.example>\n", 7),
            "/// aa\n/// 2021\n/// 50.5\n/// #x\n/// *y*\n/// <https://a.example>\n"
        );
    }

    #[test]
    fn list_items_continue_at_their_text() {
        assert_eq!(w("/// - aaa bbb\n", 11), "/// - aaa\n///   bbb\n");
        assert_eq!(w("/// 1. aaa bbb\n", 12), "/// 1. aaa\n///    bbb\n");
    }
}
