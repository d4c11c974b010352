//! Whether our tool and Google's Python client built the same request, and
//! the short list of differences we make on purpose, each with its reason.

use serde_json::Value;

use super::cases::{Call, Expect};

/// A difference we make on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// `?` or `#` in a `{+x}` value: we encode them (`%3F`, `%23`), so the
    /// value stays in the path. Google's client (uritemplate) keeps them, and
    /// the rest of the value becomes a query string or a fragment.
    ReservedDelimiters,
    /// A valid `%XX` triplet in a `{+x}` value: we encode its `%` (`%25XX`),
    /// so the server decodes the path back to exactly the value given.
    /// Google's client sends a value holding a valid triplet without
    /// encoding anything in it (spaces and non-ASCII included).
    ReservedTriplet,
    /// An empty path value: we refuse it (the request would name another
    /// resource, or the collection); Google's client sends it.
    EmptyPathValue,
    /// A document that sets `fullyEncodeReservedExpansion`: we encode `{+x}`
    /// values like `{x}` values but for their `/` (the service decodes
    /// them fully); Google's Python client ignores the flag.
    FullyEncoded,
    /// A method path that starts with `/` (`admin.channels.stop`): we
    /// resolve it against the root URL, as RFC 3986 §5.2 resolves an
    /// absolute path; Google's Python client appends it to the service path.
    RootRelativePath,
    /// A method with `useMediaDownloadService`: we download through
    /// `{root}download/{service path}...` as the document says; Google's
    /// Python client ignores the flag.
    MediaDownloadService,
    /// The query of an upload: we send it as given; Google's Python client
    /// takes it apart to add `uploadType` (`parse_qsl` into a dict), which
    /// drops empty values and refuses a repeated parameter.
    UploadQuery,
    /// A request body on a method other than POST, PUT and PATCH (civicinfo's
    /// `divisions.search` is a GET with one): we send it as the document
    /// describes; Google's Python client takes no body there.
    BodyWithoutPayloadMethod,
    /// A method named like a resource beside it: Google's Python client makes
    /// only one of the two callable.
    MethodNamedLikeResource,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::ReservedDelimiters,
        Rule::ReservedTriplet,
        Rule::EmptyPathValue,
        Rule::FullyEncoded,
        Rule::RootRelativePath,
        Rule::MediaDownloadService,
        Rule::UploadQuery,
        Rule::BodyWithoutPayloadMethod,
        Rule::MethodNamedLikeResource,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::ReservedDelimiters => "`?` or `#` in {+x}: encoded by us, kept by Google's client",
            Rule::ReservedTriplet => "%XX in {+x}: `%` encoded by us, the value sent raw by Google's client",
            Rule::EmptyPathValue => "an empty path value: refused by us, sent by Google's client",
            Rule::FullyEncoded => "fullyEncodeReservedExpansion: honoured by us, ignored by Google's Python client",
            Rule::RootRelativePath => "a path starting with `/`: from the root URL by us, from the service path by Google's client",
            Rule::MediaDownloadService => "useMediaDownloadService: honoured by us, ignored by Google's Python client",
            Rule::UploadQuery => "an upload's empty or repeated query values: sent by us, dropped or refused by Google's Python client",
            Rule::BodyWithoutPayloadMethod => "a body on a GET or DELETE: sent by us, refused by Google's Python client",
            Rule::MethodNamedLikeResource => "a method named like a resource beside it: only one callable in Google's Python client",
        }
    }
}

/// How one call came out.
#[derive(Debug)]
pub enum Outcome {
    Agree,
    /// A documented difference, seen where the call expected it.
    Known(Rule),
    /// Anything else: a failure of the oracle, by kind (`path`, `query`,
    /// `body`, ...), and what differed.
    Differ(&'static str, String),
}

/// Our tool's answer to a call: its exit code, and its standard output and
/// error.
pub struct Ours {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Compares our request with Google's for `call`.
pub fn compare(call: &Call, ours: &Ours, google: &Value) -> Outcome {
    if let (Some(rule), Some(_)) = (call.google_cannot, google.get("error")) {
        // Our side must still build the call (the empty-value calls are
        // refused by us anyway).
        let ours_ok = ours.code == Some(0) || call.expect == Expect::EmptyPathValue;
        return if ours_ok {
            Outcome::Known(rule)
        } else {
            Outcome::Differ(
                "our refusal",
                format!(
                    "our tool failed (exit {:?}): {}",
                    ours.code,
                    ours.stderr.trim()
                ),
            )
        };
    }
    if call.expect == Expect::EmptyPathValue {
        return match (ours.code, google.get("error")) {
            (Some(2), None) if ours.stderr.contains("must not be empty") => {
                Outcome::Known(Rule::EmptyPathValue)
            }
            _ => Outcome::Differ("empty path value", format!(
                "an empty path value: expected our refusal (exit 2) and Google's request; got exit {:?} ({}) and {google}",
                ours.code,
                ours.stderr.trim()
            )),
        };
    }
    let preview: Value = match (ours.code, serde_json::from_str(ours.stdout.trim())) {
        (Some(0), Ok(preview)) => preview,
        _ => {
            return Outcome::Differ(
                "our refusal",
                format!(
                    "our tool failed (exit {:?}): {}; Google's client: {}",
                    ours.code,
                    ours.stderr.trim(),
                    short(google)
                ),
            )
        }
    };
    if let Some(error) = google.get("error") {
        if call.upload && error.as_str().is_some_and(|e| e.contains("repeated value")) {
            return Outcome::Known(Rule::UploadQuery);
        }
        return Outcome::Differ(
            "Google's refusal",
            format!(
                "Google's client refused the call ({error}); ours built {}",
                short(&preview)
            ),
        );
    }
    let mut problems: Vec<String> = Vec::new();
    let mut kind = None;
    let method = |v: &Value| v["method"].as_str().unwrap_or_default().to_owned();
    if method(&preview) != method(google) {
        kind.get_or_insert("method");
        problems.push(format!("method {} vs {}", method(&preview), method(google)));
    }
    let ours_url = Url::parse(preview["url"].as_str().unwrap_or_default());
    let google_url = Url::parse(google["url"].as_str().unwrap_or_default());
    let mut known = None;
    if ours_url.base != google_url.base {
        let rule = match call.expect {
            Expect::ReservedDelimiters => Some(Rule::ReservedDelimiters),
            Expect::ReservedTriplet => Some(Rule::ReservedTriplet),
            Expect::FullyEncoded => Some(Rule::FullyEncoded),
            _ => None,
        };
        let split = |url: &str| {
            url.split_once("://")
                .and_then(|(_, rest)| rest.split_once('/'))
                .map(|(host, path)| (host.to_owned(), path.to_owned()))
                .unwrap_or_default()
        };
        let ((our_host, our_path), (google_host, google_path)) =
            (split(&ours_url.base), split(&google_url.base));
        // Google's client put our root-relative path below the service path.
        let root_relative = call.root_relative
            && our_host == google_host
            && !our_path.starts_with('/')
            && google_path.ends_with(&format!("/{our_path}"));
        // Ours is Google's path below `download/`.
        let download_service = call.download_service
            && our_host == google_host
            && our_path == format!("download/{google_path}");
        match rule {
            // Our side of a documented difference: the value comes back whole.
            Some(rule) if round_trips(&ours_url.base, call) => known = Some(rule),
            None if root_relative => known = Some(Rule::RootRelativePath),
            None if download_service => known = Some(Rule::MediaDownloadService),
            _ => {
                kind.get_or_insert("path");
                problems.push(format!(
                    "path\n      ours:   {}\n      Google: {}",
                    ours_url.base, google_url.base
                ))
            }
        }
    }
    // A `?` or `#` Google's client left in the path cut its URL there: its
    // query is the rest of the value.
    let cut = known == Some(Rule::ReservedDelimiters);
    // Python drops empty values when it adds `uploadType` to an upload's URL.
    let mut google_query = google_url.query.clone();
    let mut ours_query = ours_url.query.clone();
    if call.upload {
        let empty = |q: &mut std::collections::BTreeMap<String, Vec<String>>| {
            let before = q.values().map(Vec::len).sum::<usize>();
            q.values_mut().for_each(|v| v.retain(|x| !x.is_empty()));
            q.retain(|_, v| !v.is_empty());
            before != q.values().map(Vec::len).sum::<usize>()
        };
        if empty(&mut ours_query) && !empty(&mut google_query) && ours_query == google_query {
            known.get_or_insert(Rule::UploadQuery);
        }
    }
    if ours_query != google_query && !cut {
        kind.get_or_insert("query");
        problems.push(format!(
            "query\n      ours:   {:?}\n      Google: {:?}",
            ours_url.query, google_url.query
        ));
    }
    // Bodies are compared as JSON; media (multipart) bodies are not.
    let upload = call.python.get("media").is_some_and(|m| !m.is_null());
    if !upload {
        let google_body: Value = match google["body"].as_str() {
            Some(text) => serde_json::from_str(text).unwrap_or(Value::String(text.into())),
            None => Value::Null,
        };
        if preview["body"] != google_body {
            kind.get_or_insert("body");
            problems.push(format!(
                "body\n      ours:   {}\n      Google: {}",
                preview["body"], google_body
            ));
        }
        let ours_type = preview["headers"]["content-type"].as_str();
        let google_type = google["content_type"].as_str();
        if preview["body"] != Value::Null && ours_type != google_type {
            kind.get_or_insert("content type");
            problems.push(format!("content type {ours_type:?} vs {google_type:?}"));
        }
    }
    match (problems.is_empty(), known) {
        (true, Some(rule)) => Outcome::Known(rule),
        (true, None) if call.expect != Expect::Agree => {
            // A documented difference that did not happen is news too.
            Outcome::Differ(
                "no documented difference",
                format!(
                    "expected a documented difference ({:?}), but both built the same request",
                    call.expect
                ),
            )
        }
        (true, None) => Outcome::Agree,
        (false, _) => Outcome::Differ(kind.unwrap_or("request"), problems.join("; ")),
    }
}

/// Whether our path, percent-decoded, holds the call's special value
/// exactly as given (what our side of the rule promises).
fn round_trips(path: &str, call: &Call) -> bool {
    call.special
        .as_deref()
        .is_some_and(|v| percent_decode(path).contains(v))
}

fn percent_decode(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

/// A URL split for comparison: everything before the query, and the query's
/// pairs grouped by name in order (the order of names does not matter to a
/// server, the order of one name's values does). `alt=json` (Google's
/// client; JSON is the default) and `prettyPrint=false` (ours: compact
/// answers) say nothing about the call and are left out.
#[derive(Debug, PartialEq)]
struct Url {
    base: String,
    query: std::collections::BTreeMap<String, Vec<String>>,
}

impl Url {
    fn parse(url: &str) -> Url {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut pairs: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if (name, value) == ("alt", "json") || (name, value) == ("prettyPrint", "false") {
                continue;
            }
            pairs
                .entry(name.to_owned())
                .or_default()
                .push(value.to_owned());
        }
        Url {
            base: base.to_owned(),
            query: pairs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(expect: Expect, special: Option<&str>) -> Call {
        Call {
            id: "x.things.get".into(),
            args: Vec::new(),
            stdin: None,
            python: json!({"params": {}}),
            expect,
            label: "test",
            google_cannot: None,
            upload: false,
            download_service: false,
            root_relative: false,
            special: special.map(str::to_owned),
        }
    }

    fn ours(url: &str) -> Ours {
        Ours {
            code: Some(0),
            stdout: json!({"method": "GET", "url": url, "headers": {}, "body": null}).to_string(),
            stderr: String::new(),
        }
    }

    fn google(url: &str) -> Value {
        json!({"method": "GET", "url": url, "body": null, "content_type": null})
    }

    #[test]
    fn the_same_request_agrees_whatever_the_order_of_names() {
        let outcome = compare(
            &call(Expect::Agree, None),
            &ours("https://h/v1/t/a%20b?b=2&a=1&a=3&prettyPrint=false"),
            &google("https://h/v1/t/a%20b?a=1&b=2&a=3&alt=json"),
        );
        assert!(matches!(outcome, Outcome::Agree), "{outcome:?}");
    }

    #[test]
    fn any_other_difference_fails_with_its_kind() {
        for (ours_url, google_url, kind) in [
            ("https://h/v1/t/a%20b", "https://h/v1/t/a+b", "path"),
            ("https://h/v1/t?a=1&a=3", "https://h/v1/t?a=3&a=1", "query"),
            ("https://h/v1/t?a=*", "https://h/v1/t?a=%2A", "query"),
        ] {
            let outcome = compare(
                &call(Expect::Agree, None),
                &ours(ours_url),
                &google(google_url),
            );
            assert!(
                matches!(outcome, Outcome::Differ(k, _) if k == kind),
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn a_documented_difference_counts_only_where_the_call_shows_it() {
        let special = call(Expect::ReservedDelimiters, Some("a?b"));
        let outcome = compare(
            &special,
            &ours("https://h/v1/a%3Fb"),
            &google("https://h/v1/a?b"),
        );
        assert!(
            matches!(outcome, Outcome::Known(Rule::ReservedDelimiters)),
            "{outcome:?}"
        );
        // Our side must keep its promise: the value back whole.
        let outcome = compare(
            &special,
            &ours("https://h/v1/ab"),
            &google("https://h/v1/a?b"),
        );
        assert!(matches!(outcome, Outcome::Differ("path", _)), "{outcome:?}");
        // And a difference that did not happen is reported too.
        let outcome = compare(&special, &ours("https://h/v1/x"), &google("https://h/v1/x"));
        assert!(
            matches!(outcome, Outcome::Differ("no documented difference", _)),
            "{outcome:?}"
        );
        // The same difference in a call that expects agreement fails.
        let outcome = compare(
            &call(Expect::Agree, None),
            &ours("https://h/v1/a%3Fb"),
            &google("https://h/v1/a?b"),
        );
        assert!(matches!(outcome, Outcome::Differ("path", _)), "{outcome:?}");
    }
}
