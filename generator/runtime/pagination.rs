//! `pages()` and `items()` streams for paginated methods.

use std::collections::{HashSet, VecDeque};
use std::future::Future;

use futures_core::Stream;

use crate::error::{Error, Result};

struct State<B> {
    builder: B,
    /// Tokens already requested, to stop a server that hands one out again.
    seen: HashSet<String>,
    next: Option<String>,
    done: bool,
    pending: Option<Error>,
}

/// Every page of a paginated call, starting from the builder's own page token.
/// The stream ends after a response without a (non-empty) next page token, and
/// fails with [`Error::RepeatedPageToken`] if the server repeats one.
pub(crate) fn pages<B, R, Fut>(
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
    let mut seen = HashSet::new();
    seen.extend(first_token.clone());
    let state = State {
        builder,
        seen,
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
                    Some(token) if !state.seen.insert(token.to_owned()) => {
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

/// The items of every page, in order.
pub(crate) fn items<R, T, S>(
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
        (pages, VecDeque::new()),
        move |(mut pages, mut buffer)| async move {
            use futures_util::StreamExt;
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (pages, buffer)));
                }
                match pages.next().await? {
                    Ok(page) => buffer.extend(take(page)),
                    Err(error) => return Some((Err(error), (pages, buffer))),
                }
            }
        },
    )
}
