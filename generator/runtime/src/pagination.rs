//! `pages()` and `items()` streams for paginated methods.

use std::collections::{HashSet, VecDeque};
use std::future::Future;

use futures_core::Stream;

use crate::error::{Error, Result};

/// Pages in a row without an item after which `items()` gives up: a server
/// that hands out new tokens for empty pages would otherwise page for ever.
const MAX_EMPTY_PAGES: usize = 1000;

struct State<B> {
    builder: B,
    /// Hashes of the tokens already requested, to stop a server that hands one
    /// out again (hashes: a long listing must not keep every token).
    seen: HashSet<u64>,
    hasher: std::collections::hash_map::RandomState,
    next: Option<String>,
    done: bool,
    pending: Option<Error>,
}

/// Every page of a paginated call, starting from the builder's own page token.
/// The stream ends after a response without a (non-empty) next page token, and
/// fails with [`Error::RepeatedPageToken`] if the server repeats one.
pub fn pages<B, R, Fut>(
    builder: B,
    first_token: Option<String>,
    set_token: fn(&mut B, Option<String>),
    send: fn(B) -> Fut,
    next_token: fn(&R) -> Option<&str>,
) -> impl Stream<Item = Result<R>> + Send + 'static
where
    B: Clone + Send + 'static,
    R: Send + 'static,
    Fut: Future<Output = Result<R>> + Send + 'static,
{
    let hasher = std::collections::hash_map::RandomState::new();
    let mut seen = HashSet::new();
    seen.extend(first_token.as_deref().map(|t| hash(&hasher, t)));
    let state = State {
        builder,
        seen,
        hasher,
        next: first_token,
        done: false,
        pending: None,
    };
    futures_util::stream::unfold(state, move |mut state| async move {
        if let Some(error) = state.pending.take() {
            state.done = true;
            return Some((Err(error), state));
        }
        if state.done {
            return None;
        }
        let mut builder = state.builder.clone();
        set_token(&mut builder, state.next.take());
        match send(builder).await {
            Err(error) => {
                state.done = true;
                Some((Err(error), state))
            }
            Ok(page) => {
                match next_token(&page).filter(|t| !t.is_empty()) {
                    None => state.done = true,
                    Some(token) if !state.seen.insert(hash(&state.hasher, token)) => {
                        state.pending = Some(Error::RepeatedPageToken {
                            token: token.to_owned(),
                        });
                    }
                    Some(token) => state.next = Some(token.to_owned()),
                }
                Some((Ok(page), state))
            }
        }
    })
}

fn hash(hasher: &std::collections::hash_map::RandomState, token: &str) -> u64 {
    use std::hash::BuildHasher;
    hasher.hash_one(token)
}

/// The items of every page, in order; an error after `MAX_EMPTY_PAGES`
/// pages in a row without one.
pub fn items<R, T, S>(
    pages: S,
    take: fn(R) -> Vec<T>,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    S: Stream<Item = Result<R>> + Send + 'static,
    R: Send + 'static,
    T: Send + 'static,
{
    let pages = Box::pin(pages);
    futures_util::stream::unfold(
        (pages, VecDeque::new(), 0usize),
        move |(mut pages, mut buffer, mut empty)| async move {
            use futures_util::StreamExt;
            loop {
                if empty > MAX_EMPTY_PAGES {
                    return None;
                }
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (pages, buffer, empty)));
                }
                match pages.next().await? {
                    Ok(page) => {
                        buffer.extend(take(page));
                        empty = if buffer.is_empty() { empty + 1 } else { 0 };
                        if empty == MAX_EMPTY_PAGES {
                            let error = Error::protocol(format!(
                                "the server returned {MAX_EMPTY_PAGES} pages in a row without \
                                 items, each with a new page token; stopped paging"
                            ));
                            return Some((Err(error), (pages, buffer, empty + 1)));
                        }
                    }
                    Err(error) => return Some((Err(error), (pages, buffer, empty))),
                }
            }
        },
    )
}
