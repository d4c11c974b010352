//! Helpers every concern uses: pairing the items of two revisions by key,
//! and the short texts changes are reported with.

use std::collections::BTreeMap;

use generator::ir::TypeRef;

/// Keys present only in `old`, only in `new`, and in both, each in key order.
pub(super) type Split<'m, K, V> = (
    Vec<(&'m K, &'m V)>,
    Vec<(&'m K, &'m V)>,
    Vec<(&'m K, &'m V, &'m V)>,
);

pub(super) fn split<'m, K: Ord, V>(
    old: &'m BTreeMap<K, V>,
    new: &'m BTreeMap<K, V>,
) -> Split<'m, K, V> {
    let removed = old.iter().filter(|(k, _)| !new.contains_key(*k)).collect();
    let added = new.iter().filter(|(k, _)| !old.contains_key(*k)).collect();
    let both = old
        .iter()
        .filter_map(|(k, o)| new.get(k).map(|n| (k, o, n)))
        .collect();
    (removed, added, both)
}

/// Keys items by `key`; a key seen twice (two methods with one `id`, which
/// the lowering does not reject) gets `#2`, `#3`, ... so no item is dropped.
pub(super) fn keyed<T>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    for item in items {
        let base = key(&item);
        let mut k = base.clone();
        let mut n = 1;
        while out.contains_key(&k) {
            n += 1;
            k = format!("{base}#{n}");
        }
        out.insert(k, item);
    }
    out
}

/// Marks an added item that is deprecated from the start.
pub(super) fn dep_note(deprecated: &Option<String>) -> &'static str {
    if deprecated.is_some() {
        " (deprecated)"
    } else {
        ""
    }
}

/// The Rust type a `TypeRef` becomes, in short (as `emit::types` maps it;
/// model fields wrap it in `Option`).
pub(super) fn rust(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::U32 => "u32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::U64 => "u64".into(),
        TypeRef::F32 => "f32".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::FieldMask => "FieldMask".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::Duration => "Duration".into(),
        TypeRef::Bytes => "Bytes".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Object => "Map<String, Value>".into(),
        TypeRef::Array(t) => format!("Vec<{}>", rust(t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", rust(t)),
        TypeRef::Named { name, boxed: true } => format!("Box<{name}>"),
        TypeRef::Named { name, boxed: false } => name.clone(),
    }
}
