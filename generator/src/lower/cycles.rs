//! Cycles among the types: Rust cannot write an alias that reaches itself,
//! nor a struct that holds itself by value.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::*;

/// A type alias that reaches itself through aliases only (`A = B`, `B = A`;
/// `List = [List]`) cannot be written in Rust; such aliases become
/// `serde_json::Value`. Cycles through a struct are fine (structs are nominal).
pub(super) fn break_alias_cycles(types: &mut [TypeDef]) {
    fn names(ty: &TypeRef, out: &mut Vec<String>) {
        match ty {
            TypeRef::Named { name, .. } => out.push(name.clone()),
            TypeRef::Array(inner) | TypeRef::Map(inner) => names(inner, out),
            _ => {}
        }
    }
    let aliases: BTreeMap<String, Vec<String>> = types
        .iter()
        .filter_map(|t| match &t.kind {
            TypeKind::Alias(ty) => {
                let mut out = Vec::new();
                names(ty, &mut out);
                Some((t.name.clone(), out))
            }
            _ => None,
        })
        .collect();
    let cyclic: BTreeSet<String> = aliases
        .keys()
        .filter(|start| {
            let mut stack = aliases[*start].clone();
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if &n == *start {
                    return true;
                }
                if seen.insert(n.clone()) {
                    stack.extend(aliases.get(&n).into_iter().flatten().cloned());
                }
            }
            false
        })
        .cloned()
        .collect();
    for t in types.iter_mut().filter(|t| cyclic.contains(&t.name)) {
        t.kind = TypeKind::Alias(TypeRef::Any);
    }
}

/// Boxes the by-value references (through `Option` only; `Vec` and maps
/// already allocate) that close a cycle: a depth-first walk in name order boxes
/// each edge back to a type still on the walk's stack, which breaks every cycle
/// with few boxes, deterministically.
pub(super) fn box_cycles(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let mut order: Vec<usize> = (0..types.len()).collect();
    order.sort_by(|a, b| types[*a].name.cmp(&types[*b].name));
    // 0: unvisited, 1: on the stack, 2: done.
    let mut state = vec![0u8; types.len()];
    let mut to_box: BTreeSet<(usize, usize)> = BTreeSet::new();
    for root in order {
        if state[root] != 0 {
            continue;
        }
        // Iterative DFS: (type, next field position).
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((node, pos)) = stack.last().copied() {
            let targets = direct_targets(&types[node]);
            if pos >= targets.len() {
                state[node] = 2;
                stack.pop();
                continue;
            }
            stack.last_mut().expect("non-empty").1 += 1;
            let (field, target) = &targets[pos];
            let Some(&t) = index.get(target) else {
                continue;
            };
            match state[t] {
                0 => {
                    state[t] = 1;
                    stack.push((t, 0));
                }
                1 => {
                    to_box.insert((node, *field));
                }
                _ => {}
            }
        }
    }
    for (node, field) in to_box {
        let ty = match &mut types[node].kind {
            TypeKind::Struct(fields) => &mut fields[field].ty,
            TypeKind::Alias(ty) => ty,
            TypeKind::Enum(_) => continue,
        };
        if let TypeRef::Named { boxed, .. } = ty {
            *boxed = true;
        }
    }
}

/// The named types a type holds by value, with the field position.
fn direct_targets(t: &TypeDef) -> Vec<(usize, String)> {
    match &t.kind {
        TypeKind::Struct(fields) => fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| direct_target(&f.ty).map(|n| (i, n)))
            .collect(),
        TypeKind::Alias(ty) => direct_target(ty).map(|n| (0, n)).into_iter().collect(),
        TypeKind::Enum(_) => Vec::new(),
    }
}

fn direct_target(ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Named { name, .. } => Some(name.clone()),
        _ => None,
    }
}
