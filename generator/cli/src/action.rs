//! What a method's run function hands back: the request it would send (for
//! `--dry-run`) and the call itself, its answer turned into JSON.

use std::future::Future;
use std::pin::Pin;

use discovery_runtime::files::Downloaded;
use discovery_runtime::{RequestPreview, Result};
use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::Value;

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'static>>;
type Items = Pin<Box<dyn Stream<Item = Result<Value>> + Send + 'static>>;

/// One method call, ready to preview or to send.
pub struct Action {
    pub(crate) preview: Result<RequestPreview>,
    pub(crate) run: Run,
}

pub(crate) enum Run {
    /// One answer (`null`: an empty one, printed as nothing).
    One(Boxed<Value>),
    /// One page, or with `--all` every item (or page) as it arrives.
    Paged {
        one: Boxed<Value>,
        all: Items,
    },
    Download(Boxed<Downloaded>),
}

impl Action {
    /// A call whose answer is printed.
    pub fn send<T, F>(preview: Result<RequestPreview>, call: F) -> Action
    where
        T: serde::Serialize + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        Action {
            preview,
            run: Run::One(json(call)),
        }
    }

    /// A paginated call: `one` is the first page; `all` the stream of what
    /// `--all` prints ([`items`] makes it from a builder's `items()` or
    /// `pages()`).
    pub fn paged<T, F>(preview: Result<RequestPreview>, one: F, all: Items) -> Action
    where
        T: serde::Serialize + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        Action {
            preview,
            run: Run::Paged {
                one: json(one),
                all,
            },
        }
    }

    /// `--download FILE`.
    pub fn download<F>(preview: Result<RequestPreview>, download: F) -> Action
    where
        F: Future<Output = Result<Downloaded>> + Send + 'static,
    {
        Action {
            preview,
            run: Run::Download(Box::pin(download)),
        }
    }
}

/// The JSON of a call's answer.
fn json<T, F>(call: F) -> Boxed<Value>
where
    T: serde::Serialize + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    Box::pin(async move {
        let answer = call.await?;
        Ok(serde_json::to_value(&answer).unwrap_or(Value::Null))
    })
}

/// A builder's `items()` or `pages()` stream as JSON values.
pub fn items<T, S>(stream: S) -> Items
where
    T: serde::Serialize,
    S: Stream<Item = Result<T>> + Send + 'static,
{
    stream
        .map_ok(|item| serde_json::to_value(&item).unwrap_or(Value::Null))
        .boxed()
}
