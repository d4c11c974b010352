//! The calls the oracle makes for each method: the required parameters, then
//! every parameter, with values chosen to be awkward (characters that need
//! encoding, `%` alone and in triplets, non-ASCII, astral characters, empty
//! strings, numbers at their limits, every scalar format, nested bodies with
//! maps and arrays); and calls that exercise each documented difference.

use std::collections::BTreeMap;

use generator::ir::{Api, Method, Param, PathPart, TypeDef, TypeKind, TypeRef};
use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{json, Map, Value};

/// What a call expects beyond agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The two clients must build the same request.
    Agree,
    /// A reserved (`{+x}`) value holds `?` or `#` ([`super::compare::Rule::ReservedDelimiters`]).
    ReservedDelimiters,
    /// A reserved value holds a valid `%XX` triplet ([`super::compare::Rule::ReservedTriplet`]).
    ReservedTriplet,
    /// A path value is empty ([`super::compare::Rule::EmptyPathValue`]).
    EmptyPathValue,
    /// A `{+x}` value with reserved characters in a document that sets
    /// `fullyEncodeReservedExpansion` ([`super::compare::Rule::FullyEncoded`]).
    FullyEncoded,
}

/// How a path parameter's value is expanded by our client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expansion {
    /// `{x}`, or a setter parameter.
    Simple,
    /// `{+x}`.
    Reserved,
    /// `{+x}` in a document with `fullyEncodeReservedExpansion`: encoded
    /// like `{x}` by us (and Google's Go client), like `{+x}` by Python's.
    FullyEncoded,
}

/// One call, as both clients are given it.
#[derive(Clone, Debug)]
pub struct Call {
    pub id: String,
    /// The tool's arguments after the binary (`--dry-run` and the body flag
    /// included).
    pub args: Vec<String>,
    /// The body the tool reads from standard input, if any.
    pub stdin: Option<String>,
    /// The Python client's view: parameters by wire name, body, media.
    pub python: Value,
    pub expect: Expect,
    /// What the call is, for reports (`required`, `every parameter`, ...).
    pub label: &'static str,
    /// Why Google's client cannot make this call at all, if it cannot.
    pub google_cannot: Option<super::compare::Rule>,
    /// The call uploads media; its query may hold empty values.
    pub upload: bool,
    /// The call downloads through the media download service.
    pub download_service: bool,
    /// The method's path is relative to the root URL.
    pub root_relative: bool,
    /// The path value that shows a documented difference, if any.
    pub special: Option<String>,
}

/// Text values for simple path and query parameters: every character that
/// needs encoding, `%` alone, doubled, in valid and invalid triplets,
/// non-ASCII and astral characters, a bidirectional override.
const TEXT: &[&str] = &[
    "a b/c?d#e&f=g+h;i,j:k@l$m!n'o(p)q*r[s]t~u-v_w.x",
    "100%/日本語 %41%zz%%%4",
    "é😀\u{202e}\"<>\\^`{|}",
];

/// Text for reserved (`{+x}`) values in calls that must agree: no `?`, `#`
/// or valid `%XX` triplet (those are documented differences, exercised on
/// their own).
const RESERVED_TEXT: &[&str] = &[
    "projects/100%/日本語 x",
    "a:b@c!d$e&f'g(h)i*j+k,l;m=n[o]p~q",
    "é😀/%%zz/\u{202e}\"<>^`{|}",
];

/// Pieces a generated value is built from when it must match a pattern
/// (each piece kept only where the pattern's class accepts all of it).
const PIECES: &[&str] = &[
    "a", "Z", "0", " ", "%", "%41", "日本", "é", "😀", ":", "@", "!", "$", "&", "'", "(", ")", "*",
    "+", ",", ";", "=", "~", "-", "_", ".", "?", "#", "/",
];

/// Text for `{+x}` values in documents with `fullyEncodeReservedExpansion`,
/// in calls that must agree: no reserved character (RFC 3986 §2.2), no
/// valid triplet.
const FULL_TEXT: &[&str] = &["日本語 100%", "é😀\u{202e}\"<>^`{|}~", "a b%zz%%-_.~"];

/// [`PIECES`] for [`FULL_TEXT`] values.
const FULL_PIECES: &[&str] = &[
    "a", "Z", "0", " ", "%", "日本", "é", "😀", "~", "-", "_", ".",
];

/// [`PIECES`] for reserved values that must agree: no `?`, `#` or valid
/// `%XX` triplet.
const RESERVED_PIECES: &[&str] = &[
    "a", "Z", "0", " ", "%", "日本", "é", "😀", ":", "@", "!", "$", "&", "'", "(", ")", "*", "+",
    ",", ";", "=", "~", "-", "_", ".", "/",
];

pub fn calls(api: &Api, binary_args: &[String]) -> Vec<Call> {
    let types: BTreeMap<&str, &TypeDef> = api.types.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut out = Vec::new();
    let mut walk = Vec::new();
    level(&api.methods, &api.resources, &mut Vec::new(), &mut walk);
    for (path, m, clashes_with_resource) in walk {
        let mut command: Vec<String> = binary_args.to_vec();
        command.extend(path);
        command.push(m.command.clone());
        let builder = Builder {
            api,
            types: &types,
            m,
            command,
            clashes_with_resource,
        };
        builder.push_calls(&mut out);
    }
    out
}

/// Every method with its command path, and whether a resource beside it has
/// its name as Python spells names.
fn level<'a>(
    methods: &'a [Method],
    resources: &'a [generator::ir::Resource],
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'a Method, bool)>,
) {
    let python = |wire: &str| wire.replace(['$', '-'], "_");
    for m in methods {
        let clash = resources
            .iter()
            .any(|r| python(&r.name.wire) == python(&m.name.wire));
        out.push((path.clone(), m, clash));
    }
    for r in resources {
        path.push(r.command.clone());
        level(&r.methods, &r.resources, path, out);
        path.pop();
    }
}

struct Builder<'a> {
    api: &'a Api,
    types: &'a BTreeMap<&'a str, &'a TypeDef>,
    m: &'a Method,
    command: Vec<String>,
    /// A resource beside the method has its (Python) name: Google's client
    /// makes only one of them callable.
    clashes_with_resource: bool,
}

/// How one parameter is set in a call.
enum Value2 {
    One(String),
    Many(Vec<String>),
}

impl Builder<'_> {
    fn push_calls(&self, out: &mut Vec<Call>) {
        let body = self.m.request.as_ref().map(|b| {
            let mut value = body_value(self.types, &b.ty, 0);
            if let Value::Object(fields) = &mut value {
                // Unknown fields survive the typed round trip.
                fields.insert("oracleExtra".into(), json!({"kept": [1, "two"]}));
            }
            value
        });
        // Uploads and downloads are their own calls: the request a client
        // builds for them is a different one.
        let upload = self.m.media_upload.is_some();
        let download = self.m.downloads_to_file();
        let modes: &[Mode] = match (upload, download) {
            (true, true) => &[Mode::Plain, Mode::Upload, Mode::Download],
            (true, false) => &[Mode::Plain, Mode::Upload],
            (false, true) => &[Mode::Plain, Mode::Download],
            (false, false) => &[Mode::Plain],
        };
        for (round, label) in [(0, "required parameters"), (1, "every parameter")] {
            for &mode in modes {
                let every = round == 1;
                out.push(self.call(label, round, every, body.clone(), mode, Expect::Agree, None));
            }
        }
        out.push(self.call(
            "other values",
            2,
            true,
            body.clone(),
            Mode::Plain,
            Expect::Agree,
            None,
        ));
        // The documented differences, each on its own.
        if let Some(p) = self.reserved_param() {
            let specials: &[(Expect, &str, &'static str)] =
                if self.expansion(p) == Expansion::FullyEncoded {
                    &[(
                        Expect::FullyEncoded,
                        "a:b@c!d$e&f=g+h,i;j",
                        "reserved characters in a fully encoded {+x}",
                    )]
                } else {
                    &[
                        (Expect::ReservedDelimiters, "a?b#c", "`?` and `#` in {+x}"),
                        (Expect::ReservedTriplet, "a%2Fb", "a %XX triplet in {+x}"),
                    ]
                };
            for &(expect, text, label) in specials {
                let pieces = if expect == Expect::FullyEncoded {
                    FULL_PIECES
                } else {
                    RESERVED_PIECES
                };
                let value = pattern_value(p.pattern.as_deref(), &[text], pieces);
                let shows = |v: &String| match expect {
                    Expect::ReservedDelimiters => v.contains(['?', '#']),
                    Expect::ReservedTriplet => has_triplet(v),
                    _ => v.contains([':', '@', '!', '$', '&', '=', '+', ',', ';']),
                };
                // A pattern may leave no room for the characters (`^v1/x$`).
                if let Some(value) = value.filter(shows) {
                    let special = (p.name.wire.clone(), value);
                    out.push(self.call(
                        label,
                        0,
                        false,
                        body.clone(),
                        Mode::Plain,
                        expect,
                        Some(special),
                    ));
                }
            }
        }
        if let Some(p) = self
            .m
            .positional()
            .find(|p| !p.repeated && p.ty == TypeRef::String && p.pattern.is_none())
        {
            let special = (p.name.wire.clone(), String::new());
            out.push(self.call(
                "an empty path value",
                0,
                false,
                body,
                Mode::Plain,
                Expect::EmptyPathValue,
                Some(special),
            ));
        }
    }

    /// A `{+x}` parameter of the path.
    fn reserved_param(&self) -> Option<&Param> {
        self.m.path.parts.iter().find_map(|part| match part {
            PathPart::Var(v) if v.reserved && !v.slash_explode => self
                .m
                .params
                .iter()
                .find(|p| p.name.wire == v.name && !p.repeated && p.ty == TypeRef::String),
            _ => None,
        })
    }

    fn expansion(&self, p: &Param) -> Expansion {
        let reserved =
            self.m.path.parts.iter().any(
                |part| matches!(part, PathPart::Var(v) if v.name == p.name.wire && v.reserved),
            );
        match (reserved, self.api.fully_encode_reserved_expansion) {
            (false, _) => Expansion::Simple,
            (true, false) => Expansion::Reserved,
            (true, true) => Expansion::FullyEncoded,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        label: &'static str,
        round: usize,
        every: bool,
        body: Option<Value>,
        mode: Mode,
        expect: Expect,
        special: Option<(String, String)>,
    ) -> Call {
        let mut args = vec!["--dry-run".to_string()];
        args.extend(self.command.iter().cloned());
        let mut positional = Vec::new();
        let mut params = Map::new();
        let mut special_value = None;
        for (i, p) in self.m.params.iter().enumerate() {
            if !(p.positional || p.required || every) {
                continue;
            }
            let value = match &special {
                Some((wire, v)) if *wire == p.name.wire => Value2::One(v.clone()),
                _ => self.value(p, round + i),
            };
            // Google's client checks a pattern on the value as given: a
            // number with a pattern goes in as text (its cast allows that).
            let as_python = |v: &str| match p.pattern {
                Some(_) => Value::String(v.to_owned()),
                None => python_value(self.types, &p.ty, v),
            };
            let python = match &value {
                Value2::One(v) => as_python(v),
                Value2::Many(vs) => Value::Array(vs.iter().map(|v| as_python(v)).collect()),
            };
            if let Some((wire, v)) = &special {
                if *wire == p.name.wire {
                    special_value = Some(v.clone());
                }
            }
            params.insert(p.name.wire.clone(), python);
            let texts = match value {
                Value2::One(v) => vec![v],
                Value2::Many(vs) => vs,
            };
            if p.positional {
                positional.extend(texts);
            } else {
                for v in texts {
                    args.push(format!("--{}={v}", p.flag));
                }
            }
        }
        let stdin = body.as_ref().map(Value::to_string);
        if stdin.is_some() {
            args.push("--body=-".into());
        }
        let mut python = json!({
            "id": self.m.id,
            "params": params,
            "body": body,
            "download": mode == Mode::Download,
        });
        match mode {
            Mode::Plain => {}
            Mode::Upload => {
                let mime = self.media_type();
                args.push(format!("--upload={}", super::MEDIA_FILE.display()));
                args.push(format!("--content-type={mime}"));
                python["media"] =
                    json!({"file": super::MEDIA_FILE.display().to_string(), "mime": mime});
            }
            Mode::Download => {
                args.push(format!("--download={}", super::DOWNLOAD_FILE.display()));
            }
        }
        // Positional values may start like a flag would: after `--`.
        args.push("--".into());
        args.extend(positional);
        Call {
            id: self.m.id.clone(),
            args,
            stdin,
            python,
            expect,
            label,
            google_cannot: self.google_cannot(),
            upload: mode == Mode::Upload,
            download_service: mode == Mode::Download && self.m.use_media_download_service,
            root_relative: self.m.from_root,
            special: special_value,
        }
    }

    /// Why Google's Python client cannot make calls of this method at all.
    fn google_cannot(&self) -> Option<super::compare::Rule> {
        use super::compare::Rule;
        // It takes no body for other methods than POST, PUT and PATCH.
        let payload = matches!(
            self.m.http_method,
            generator::ir::HttpMethod::Post
                | generator::ir::HttpMethod::Put
                | generator::ir::HttpMethod::Patch
        );
        if self.m.request.is_some() && !payload {
            return Some(Rule::BodyWithoutPayloadMethod);
        }
        if self.clashes_with_resource {
            return Some(Rule::MethodNamedLikeResource);
        }
        None
    }

    /// A media type the method accepts (a concrete one for a range).
    fn media_type(&self) -> String {
        let accept = self.m.media_upload.as_ref().and_then(|u| u.accept.first());
        match accept.map(String::as_str) {
            None | Some("*/*") => "application/octet-stream".into(),
            Some(range) => match range.strip_suffix("/*") {
                Some("message") => "message/rfc822".into(),
                Some(kind) => format!("{kind}/x-oracle"),
                None => range.to_owned(),
            },
        }
    }

    /// The value of `p` in a call (`salt` varies it between calls).
    fn value(&self, p: &Param, salt: usize) -> Value2 {
        let one = |salt: usize| {
            if (p.positional || p.pattern.is_some()) && p.ty == TypeRef::String {
                let (pool, pieces) = match self.expansion(p) {
                    Expansion::Simple => (TEXT, PIECES),
                    Expansion::Reserved => (RESERVED_TEXT, RESERVED_PIECES),
                    Expansion::FullyEncoded => (FULL_TEXT, FULL_PIECES),
                };
                let text = pool[salt % pool.len()];
                match &p.pattern {
                    Some(pattern) => pattern_value(Some(pattern), &[text], pieces)
                        .unwrap_or_else(|| "x".to_string()),
                    None => text.to_string(),
                }
            } else {
                scalar_text(self.types, &p.ty, salt)
            }
        };
        if p.repeated {
            Value2::Many(vec![one(salt), one(salt + 1)])
        } else {
            Value2::One(one(salt))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Plain,
    Upload,
    Download,
}

/// A parameter's text form for the tool.
fn scalar_text(types: &BTreeMap<&str, &TypeDef>, ty: &TypeRef, salt: usize) -> String {
    let pick = |values: &[&str]| values[salt % values.len()].to_string();
    match ty {
        TypeRef::String | TypeRef::Any | TypeRef::Object | TypeRef::Array(_) | TypeRef::Map(_) => {
            // The empty string is a value too.
            let mut pool: Vec<&str> = TEXT.to_vec();
            pool.push("");
            pick(&pool)
        }
        TypeRef::Bool => pick(&["true", "false"]),
        TypeRef::I32 => pick(&["-2147483648", "2147483647", "0"]),
        TypeRef::U32 => pick(&["4294967295", "0"]),
        TypeRef::I64 => pick(&[
            "-9223372036854775808",
            "9223372036854775807",
            "9007199254740993",
        ]),
        TypeRef::U64 => pick(&["18446744073709551615", "9007199254740993"]),
        TypeRef::F32 => pick(&["0.5", "-2.25"]),
        TypeRef::F64 => pick(&["1.5", "-0.125", "1e-7"]),
        TypeRef::FieldMask => pick(&["a.b,cD.eF", "x"]),
        TypeRef::DateTime => pick(&["2024-02-29T23:59:59.123456789Z", "1970-01-01T00:00:00Z"]),
        TypeRef::Date => pick(&["2024-02-29", "0001-01-01"]),
        // Canonical forms (proto3 JSON): what our client writes back.
        TypeRef::Duration => pick(&["3.500s", "-0.000000001s", "0s"]),
        TypeRef::Bytes => pick(&["3q2+7w==", "+/8="]),
        TypeRef::Named { name, .. } => match types.get(name.as_str()).map(|t| &t.kind) {
            Some(TypeKind::Enum(variants)) if !variants.is_empty() => {
                variants[salt % variants.len()].name.wire.clone()
            }
            Some(TypeKind::Alias(inner)) => scalar_text(types, inner, salt),
            _ => pick(TEXT),
        },
    }
}

/// The same value as the Python client takes it: numbers and booleans
/// where the document's type is `integer`, `number` or `boolean`.
fn python_value(types: &BTreeMap<&str, &TypeDef>, ty: &TypeRef, text: &str) -> Value {
    match ty {
        TypeRef::Bool => Value::Bool(text == "true"),
        TypeRef::I32 | TypeRef::U32 => text.parse::<i64>().map(Value::from).unwrap_or(json!(text)),
        TypeRef::F32 | TypeRef::F64 => text
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
            .unwrap_or(json!(text)),
        TypeRef::Named { name, .. } => match types.get(name.as_str()).map(|t| &t.kind) {
            Some(TypeKind::Alias(inner)) => python_value(types, inner, text),
            _ => Value::String(text.into()),
        },
        _ => Value::String(text.into()),
    }
}

/// A JSON value of type `ty` for a request body: every field of a struct
/// (scalars only below the second level, so bodies stay small), arrays of
/// two and maps of two elements (one below the first level).
fn body_value(types: &BTreeMap<&str, &TypeDef>, ty: &TypeRef, depth: usize) -> Value {
    let n = if depth == 0 { 2 } else { 1 };
    match ty {
        TypeRef::String => json!("s é\"\\/<>&'\u{2028}😀"),
        TypeRef::Bool => json!(true),
        TypeRef::I32 => json!(-7),
        TypeRef::U32 => json!(4294967295u32),
        TypeRef::I64 => json!("-9223372036854775808"),
        TypeRef::U64 => json!("18446744073709551615"),
        TypeRef::F32 => json!(0.5),
        TypeRef::F64 => json!(-0.00125),
        TypeRef::FieldMask => json!("a.b,cD"),
        TypeRef::DateTime => json!("2024-02-29T23:59:59.123456789Z"),
        TypeRef::Date => json!("2024-02-29"),
        TypeRef::Duration => json!("3.500s"),
        TypeRef::Bytes => json!("3q2+7w=="),
        TypeRef::Any => json!({"k": [1, "two", null, true]}),
        TypeRef::Object => json!({"k": "v"}),
        TypeRef::Array(inner) => {
            if depth > 2 {
                return json!([]);
            }
            Value::Array(
                (0..n)
                    .map(|_| body_value(types, inner, depth + 1))
                    .collect(),
            )
        }
        TypeRef::Map(inner) => {
            if depth > 2 {
                return json!({});
            }
            let keys = ["key one", "ké/y"];
            Value::Object(
                keys[..n]
                    .iter()
                    .map(|k| (k.to_string(), body_value(types, inner, depth + 1)))
                    .collect(),
            )
        }
        TypeRef::Named { name, .. } => match types.get(name.as_str()).map(|t| &t.kind) {
            Some(TypeKind::Enum(variants)) => {
                let v = variants
                    .iter()
                    .find(|v| !v.name.wire.ends_with("UNSPECIFIED"))
                    .or(variants.first());
                v.map(|v| json!(v.name.wire)).unwrap_or(json!("X"))
            }
            Some(TypeKind::Alias(inner)) => body_value(types, inner, depth),
            Some(TypeKind::Struct(fields)) => {
                let mut object = Map::new();
                for f in fields.iter().take(60) {
                    let scalar = !matches!(
                        f.ty,
                        TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Named { .. }
                    ) || is_enum(types, &f.ty);
                    if depth >= 2 && !scalar {
                        continue;
                    }
                    object.insert(f.name.wire.clone(), body_value(types, &f.ty, depth + 1));
                }
                Value::Object(object)
            }
            None => json!({}),
        },
    }
}

fn is_enum(types: &BTreeMap<&str, &TypeDef>, ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named { name, .. }
        if matches!(types.get(name.as_str()).map(|t| &t.kind), Some(TypeKind::Enum(_))))
}

/// A value matching `pattern` (the regular-expression subset discovery
/// documents use), built from `texts` and `pieces` where the pattern has
/// room for them; `None` when the pattern is beyond that subset. Without a
/// pattern, the first text. A `%` that would start a valid triplet with
/// what follows it is left out unless `pieces` has triplets of its own.
pub fn pattern_value(pattern: Option<&str>, texts: &[&str], pieces: &[&str]) -> Option<String> {
    let value = pattern_value_from(pattern, texts, pieces)?;
    let triplets_wanted = texts.iter().chain(pieces).any(|t| has_triplet(t));
    if has_triplet(&value) && !triplets_wanted {
        let fewer: Vec<&str> = pieces
            .iter()
            .copied()
            .filter(|p| !p.contains('%'))
            .collect();
        return pattern_value_from(pattern, texts, &fewer);
    }
    Some(value)
}

/// Whether `text` holds a valid `%XX` triplet.
pub fn has_triplet(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'%'
            && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    })
}

fn pattern_value_from(pattern: Option<&str>, texts: &[&str], pieces: &[&str]) -> Option<String> {
    let Some(pattern) = pattern else {
        return texts.first().map(|t| t.to_string());
    };
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    generate(&hir, texts, pieces, &mut out)?;
    Some(out)
}

/// Appends text that `hir` matches: awkward text where a class repeats,
/// the first alternative of an alternation, at least one repetition where
/// one is allowed.
fn generate(hir: &Hir, texts: &[&str], pieces: &[&str], out: &mut String) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(std::str::from_utf8(&literal.0).ok()?),
        HirKind::Class(class) => out.push(first_in(class, texts, pieces)?),
        HirKind::Capture(capture) => generate(&capture.sub, texts, pieces, out)?,
        HirKind::Concat(parts) => {
            for part in parts {
                generate(part, texts, pieces, out)?;
            }
        }
        HirKind::Alternation(choices) => generate(choices.first()?, texts, pieces, out)?,
        HirKind::Repetition(repetition) => {
            let (min, max) = (repetition.min as usize, repetition.max.map(|m| m as usize));
            if max == Some(0) {
                return Some(());
            }
            match repetition.sub.kind() {
                // A run of one class: as much awkward text as it accepts.
                HirKind::Class(class) => {
                    let mut run: Vec<char> = Vec::new();
                    for piece in texts.iter().chain(pieces) {
                        if piece.chars().all(|c| accepts(class, c)) {
                            run.extend(piece.chars());
                        }
                    }
                    if let Some(max) = max {
                        run.truncate(max);
                    }
                    let fill = first_in(class, texts, pieces)?;
                    while run.len() < min.max(1) {
                        run.push(fill);
                    }
                    out.extend(run);
                }
                _ => {
                    for _ in 0..min.max(1) {
                        generate(&repetition.sub, texts, pieces, out)?;
                    }
                }
            }
        }
    }
    Some(())
}

fn accepts(class: &Class, c: char) -> bool {
    match class {
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .any(|r| (r.start()..=r.end()).contains(&c)),
        Class::Bytes(b) => {
            c.is_ascii()
                && b.ranges()
                    .iter()
                    .any(|r| (r.start()..=r.end()).contains(&(c as u8)))
        }
    }
}

/// The first character of the texts or pieces the class accepts, else any
/// printable ASCII one, else the first of the class.
fn first_in(class: &Class, texts: &[&str], pieces: &[&str]) -> Option<char> {
    texts
        .iter()
        .chain(pieces)
        .flat_map(|p| p.chars())
        .chain((32u8..127).map(char::from))
        .find(|c| accepts(class, *c))
        .or_else(|| match class {
            Class::Unicode(u) => u.ranges().first().map(|r| r.start()),
            Class::Bytes(b) => b.ranges().first().map(|r| char::from(r.start())),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_values_match_their_pattern() {
        for pattern in [
            "^projects/[^/]+/topics/[^/]+$",
            "^[a-z][a-z0-9-]*$",
            "^v1\\.\\d+$",
            "^.*$",
            "^users/[^/]+/items/[A-Za-z0-9_]+$",
        ] {
            let value = pattern_value(Some(pattern), &["a b"], PIECES).unwrap();
            assert_eq!(
                discovery_runtime_matches(pattern, &value),
                Some(true),
                "{pattern}: {value:?}"
            );
        }
        // Beyond the runtime's subset: Python's `re` checks them, so they
        // must match too (checked here by construction).
        assert_eq!(
            pattern_value(Some("^(a|b)$"), &["x"], PIECES).as_deref(),
            Some("a")
        );
        assert_eq!(
            pattern_value(Some("UA-(\\d+)-(\\d+)"), &["x"], PIECES).as_deref(),
            Some("UA-0-0")
        );
        let reserved = pattern_value(Some("^[^/]+$"), &["x"], RESERVED_PIECES).unwrap();
        assert!(
            !has_triplet(&reserved) && !reserved.contains(['?', '#']),
            "{reserved}"
        );
    }

    /// The runtime's own matcher, as the client checks patterns.
    fn discovery_runtime_matches(pattern: &str, value: &str) -> Option<bool> {
        discovery_runtime::path::matches(pattern, value)
    }
}
