//! The one sanitizer for document text that reaches Markdown: doc comments,
//! the README (which is also the crate's docs) and the CLI's help. Document
//! text is untrusted: rustdoc runs code blocks as doctests and renders raw
//! HTML, so no code block (fenced or indented) and no HTML tag from the
//! document may survive; what is left should read as the author wrote it.

/// Multi-line text as Markdown lines: fences from the document (``` or `~~~`,
/// any indentation or list marker, any info string) become ```` ```text ````
/// and are closed at the end; lines are de-indented, so none is an indented
/// code block; HTML is escaped outside code spans; bare URLs become autolinks.
pub fn block(text: &str) -> Vec<String> {
    let text = plain(text);
    let mut out = Vec::new();
    // The document's open fence: its character and length.
    let mut fence: Option<(char, usize)> = None;
    for raw in text.split('\n') {
        let line = raw.trim();
        if let Some((ch, len)) = fence {
            if is_closing(line, ch, len) {
                out.push("```".to_string());
                fence = None;
            } else if opens_fence(line).is_some() {
                // Indented by four, a fence-like line cannot close ours.
                out.push(format!("    {line}"));
            } else {
                out.push(raw.trim_end().to_string());
            }
            continue;
        }
        let (markers, rest) = list_markers(line);
        if let Some(opened) = opens_fence(rest) {
            out.push("```text".to_string());
            fence = Some(opened);
            continue;
        }
        let mut escaped = markers;
        // `>` only means something at the start of a line (a block quote,
        // which could hold a fence); elsewhere, with every `<` escaped, it
        // cannot be part of a tag, so `a -> b` stays as written.
        let rest = match rest.strip_prefix('>') {
            Some(quoted) => {
                escaped.push_str("&gt;");
                quoted
            }
            None => rest,
        };
        escaped.push_str(&escape(rest));
        out.push(escaped.trim_end().to_string());
    }
    if fence.is_some() {
        out.push("```".to_string());
    }
    out
}

/// A single-line field (title, name, version, revision) for inline Markdown:
/// one line, with every character Markdown could read as syntax escaped.
pub fn inline(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        if "\\`*_[]<>&|~!#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Document text for the inside of a code span: one line, and no backtick
/// (which would end the span; escapes do not work inside one).
pub fn code(text: &str) -> String {
    one_line(text).replace('`', "'")
}

/// Text on one line: line breaks and control characters become spaces, runs
/// of spaces one space.
pub fn one_line(text: &str) -> String {
    plain(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `url` if it can be used as a link target as it is: absolute http(s), no
/// whitespace, no control characters, no `<`, `>` or `"`.
pub fn link(url: &str) -> Option<&str> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"`\\".contains(c));
    ok.then_some(url)
}

/// Line breaks as `\n` (Markdown also breaks lines at a lone `\r`), every
/// other character that hides or reorders text (`discovery_text::is_hidden`:
/// controls, the bidirectional controls rustc rejects in comments, invisible
/// format characters) as a space.
fn plain(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' => '\n',
            '\n' | '\t' => c,
            c if discovery_text::is_hidden(c) => ' ',
            c => c,
        })
        .collect()
}

/// A fence opener at the start of `line`: three or more backticks (whose info
/// string has no backtick, else it is a code span) or tildes.
pub(crate) fn opens_fence(line: &str) -> Option<(char, usize)> {
    let ch = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = line.chars().take_while(|c| *c == ch).count();
    let info = &line[len..];
    (len >= 3 && !(ch == '`' && info.contains('`'))).then_some((ch, len))
}

/// Whether `line` (trimmed) closes a fence of `len` `ch`s.
pub(crate) fn is_closing(line: &str, ch: char, len: usize) -> bool {
    line.chars().count() >= len && line.chars().all(|c| c == ch)
}

/// Leading list markers (`-`, `*`, `+`, `1.`, `1)`) of a trimmed line, each
/// followed by one space (more would start an indented code block inside the
/// item), and the rest of the line.
pub(crate) fn list_markers(line: &str) -> (String, &str) {
    let mut markers = String::new();
    let mut rest = line;
    loop {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let len = match rest[digits..].chars().next() {
            Some('-' | '*' | '+') if digits == 0 => 1,
            Some('.' | ')') if (1..=9).contains(&digits) => digits + 1,
            _ => break,
        };
        let after = &rest[len..];
        let trimmed = after.trim_start();
        if after.is_empty() || trimmed.len() == after.len() {
            break;
        }
        markers.push_str(&rest[..len]);
        markers.push(' ');
        rest = trimmed;
    }
    (markers, rest)
}

/// Inline text, escaped: code spans and Markdown links to http(s) or `/` kept,
/// bare URLs as autolinks, `[`/`]` escaped (no intra-doc links), `<` and `&`
/// (unless it starts an entity) as entities, no images.
fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while let Some(c) = line[i..].chars().next() {
        let rest = &line[i..];
        let next = rest[c.len_utf8()..].chars().next();
        // A backslash escape stays one.
        if c == '\\' && next.is_some_and(|n| n.is_ascii_punctuation()) {
            out.push_str(&rest[..2]);
            i += 2;
            continue;
        }
        if c == '`' {
            let run = rest.bytes().take_while(|b| *b == b'`').count();
            match code_span_len(rest) {
                Some(len) => {
                    out.push_str(&rest[..len]);
                    i += len;
                }
                // An unclosed run is escaped: rustdoc joins the lines of a
                // paragraph, and a span left open here could close on the next
                // line and swallow the escaping between (raw HTML included).
                None => {
                    out.push_str(&"\\`".repeat(run));
                    i += run;
                }
            }
            continue;
        }
        if let Some((text, url, len)) = (c == '[').then(|| markdown_link(rest)).flatten() {
            out.push('[');
            out.push_str(&escape(text));
            out.push_str("](");
            out.push_str(url);
            out.push(')');
            i += len;
            continue;
        }
        if let Some(len) = url_len(rest) {
            out.push('<');
            out.push_str(&rest[..len]);
            out.push('>');
            i += len;
            continue;
        }
        // The document's own autolink `<https://...>`.
        if let Some(len) = (c == '<').then(|| url_len(&rest[1..])).flatten() {
            if rest[1 + len..].starts_with('>') {
                out.push_str(&rest[..len + 2]);
                i += len + 2;
                continue;
            }
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '!' if next == Some('[') => out.push_str("\\!"),
            '<' => out.push_str("&lt;"),
            '&' if entity_len(rest).is_none() => out.push_str("&amp;"),
            _ => out.push(c),
        }
        i += c.len_utf8();
    }
    out
}

/// The length of the code span at the start of `rest` (a run of backticks
/// closed by a run of the same length on this line), or `None` when the run
/// is not closed on this line.
pub(crate) fn code_span_len(rest: &str) -> Option<usize> {
    let run = rest.bytes().take_while(|b| *b == b'`').count();
    let mut j = run;
    while let Some(start) = rest[j..].find('`').map(|k| j + k) {
        let close = rest[start..].bytes().take_while(|b| *b == b'`').count();
        if close == run {
            return Some(start + close);
        }
        j = start + close;
    }
    None
}

/// A Markdown link `[text](url)` at the start of `rest` whose target is an
/// http(s) URL or a path: its text, URL and length.
fn markdown_link(rest: &str) -> Option<(&str, &str, usize)> {
    let close = rest.find("](")?;
    let text = &rest[1..close];
    if text.contains(['[', ']']) {
        return None;
    }
    let after = &rest[close + 2..];
    let url = &after[..after.find(')')?];
    let path = url.starts_with('/') && !url.starts_with("//");
    let safe = !url
        .chars()
        .any(|c| c.is_whitespace() || "<>\"`\\(".contains(c));
    ((link(url).is_some() || path) && safe).then_some((text, url, close + 2 + url.len() + 1))
}

/// The length of a bare http(s) URL at the start of `rest`, without trailing
/// punctuation.
pub(crate) fn url_len(rest: &str) -> Option<usize> {
    if !(rest.starts_with("http://") || rest.starts_with("https://")) {
        return None;
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || "<>\"'`)\\".contains(c))
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches(['.', ',', ';', ':']).len())
}

/// The length of an HTML entity (`&amp;`, `&#38;`, `&#x26;`) at the start of `rest`.
fn entity_len(rest: &str) -> Option<usize> {
    let end = rest.find(';')?;
    let body = &rest[1..end];
    let ok = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        (1..=6).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit())
    } else if let Some(dec) = body.strip_prefix('#') {
        (1..=7).contains(&dec.len()) && dec.chars().all(|c| c.is_ascii_digit())
    } else {
        (2..=32).contains(&body.len())
            && body.starts_with(|c: char| c.is_ascii_alphabetic())
            && body.chars().all(|c| c.is_ascii_alphanumeric())
    };
    ok.then_some(end + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_span_text_stays_in_its_span() {
        assert_eq!(
            code("x`\n```\nfn main(){}\n```\u{202e}"),
            "x' ''' fn main(){} '''"
        );
        assert_eq!(code("albums.get"), "albums.get");
    }

    #[test]
    fn code_spans_cannot_cross_lines() {
        // rustdoc would pair the first backtick with the second line's and
        // render the `<img>` between as HTML; escaped, every span closes on
        // its own line (here the `<img>` is inside one, shown as code).
        assert_eq!(
            block("a `b\nc` <img src=x onerror=alert(1)> `d`"),
            ["a \\`b", "c` <img src=x onerror=alert(1)> `d\\`"]
        );
    }

    use super::*;

    fn b(text: &str) -> Vec<String> {
        block(text)
    }

    #[test]
    fn fences_become_text_whatever_their_info_string_or_indentation() {
        for open in [
            "```",
            "```rust",
            "  ```rust,no_run",
            "~~~",
            "~~~~ rust",
            "\t```",
        ] {
            let text = format!("Run:\n{open}\nstd::process::Command::new(\"touch\");\n```\nDone.");
            let out = b(&text);
            assert_eq!(out[1], "```text", "{open:?}: {out:?}");
            assert_eq!(out[2], "std::process::Command::new(\"touch\");");
        }
        assert_eq!(
            b("```rust\nx\n```\nafter"),
            ["```text", "x", "```", "after"]
        );
    }

    #[test]
    fn fences_in_list_items_are_fences_too() {
        assert_eq!(b("- ```rust\nx\n```"), ["```text", "x", "```"]);
        assert_eq!(b("1.   ~~~\nx"), ["```text", "x", "```"]);
    }

    #[test]
    fn unclosed_fences_are_closed() {
        assert_eq!(b("```\nfn main() {}"), ["```text", "fn main() {}", "```"]);
    }

    #[test]
    fn fence_like_lines_inside_a_fence_cannot_close_it() {
        // A `~~~` fence holding ``` lines, and a shorter closer.
        assert_eq!(
            b("~~~~\n```\nrun\n~~~\n~~~~~\nafter"),
            ["```text", "    ```", "run", "    ~~~", "```", "after"]
        );
    }

    #[test]
    fn inline_triple_backticks_are_a_code_span_not_a_fence() {
        assert_eq!(b("```x``` is code"), ["```x``` is code"]);
    }

    #[test]
    fn indented_code_blocks_are_de_indented() {
        assert_eq!(
            b("Example:\n\n    let x = 1;\n\tlet y = 2;"),
            ["Example:", "", "let x = 1;", "let y = 2;"]
        );
        // After a list marker, more than one space would start a code block.
        assert_eq!(
            b("-     code\n1.\tcode\n- -    x"),
            ["- code", "1. code", "- - x"]
        );
    }

    #[test]
    fn html_is_escaped_outside_code_spans_and_entities_are_kept() {
        assert_eq!(
            b("<script>alert(1)</script> & </details> a -> b &amp; &#38; `<b>` \\<"),
            ["&lt;script>alert(1)&lt;/script> &amp; &lt;/details> a -> b &amp; &#38; `<b>` \\<"]
        );
        // An escaped backtick does not open a code span (and the unclosed one
        // after it is escaped too).
        assert_eq!(b("\\`<b>`"), ["\\`&lt;b>\\`"]);
        // A blockquote marker is escaped, so it cannot hold a fence.
        assert_eq!(
            b("> ```rust\n>     x\n- > y"),
            ["&gt; \\`\\`\\`rust", "&gt;     x", "- &gt; y"]
        );
    }

    #[test]
    fn links_and_urls() {
        assert_eq!(
            b("See https://example.com/a?b=1&c=2. Or [the guide](https://example.com/g) or [x](/p)."),
            ["See <https://example.com/a?b=1&c=2>. Or [the guide](https://example.com/g) or [x](/p)."]
        );
        assert_eq!(b("<https://example.com>"), ["<https://example.com>"]);
        // Not a link target we keep: brackets escaped, the rest is text.
        assert_eq!(
            b("[x](javascript:alert(1)) [y](https://a<b>) ![i](https://t.example/p.png)"),
            ["\\[x\\](javascript:alert(1)) \\[y\\](<https://a>&lt;b>) \\![i](https://t.example/p.png)"]
        );
        // Link text is escaped like any text.
        assert_eq!(
            b("[<i>](https://a.example)"),
            ["[&lt;i>](https://a.example)"]
        );
        assert_eq!(
            link("https://developers.google.com/photos/"),
            Some("https://developers.google.com/photos/")
        );
        for bad in [
            "javascript:alert(1)",
            "//x",
            "https://a b",
            "https://a\n",
            "https://a<b>",
            "ftp://x",
            "",
        ] {
            assert_eq!(link(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn control_characters_and_lone_carriage_returns() {
        // Markdown breaks lines at a lone `\r`: it must not hide a fence.
        assert_eq!(b("a\r```rust\rx"), ["a", "```text", "x", "```"]);
        assert_eq!(b("a\u{1b}[31mb\u{202E}c"), ["a \\[31mb c"]);
    }

    #[test]
    fn single_line_fields_are_collapsed_and_escaped() {
        assert_eq!(
            one_line(" Photos\n [dependencies]\r\n\tx \u{0} "),
            "Photos [dependencies] x"
        );
        assert_eq!(
            inline("My *API*\n```rust\n<b>_x_ [a](b) #1 `c` & | ~ \\"),
            "My \\*API\\* \\`\\`\\`rust \\<b\\>\\_x\\_ \\[a\\](b) \\#1 \\`c\\` \\& \\| \\~ \\\\"
        );
        assert_eq!(inline("Photos Library API"), "Photos Library API");
    }
}
