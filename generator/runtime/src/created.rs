//! Calls that make something on the server (a session, a device) must not
//! lose it: [`create_then`] runs such a call to its end even when its caller
//! stops waiting, and hands what it made to a clean-up when nobody takes it.

use std::future::Future;

use crate::error::{Error, Result};
use crate::transport::BoxFuture;

/// Runs `create` on the current Tokio runtime to its end and returns its
/// result. If the returned future is dropped first (the caller was
/// cancelled, a `select!` took another branch), the value `create` makes is
/// passed to `undo` instead (deleting it, say), so the server is not left
/// with something nobody knows about. Without a Tokio runtime, `create` runs
/// in the caller's future.
pub async fn create_then<T, C, U>(create: C, undo: U) -> Result<T>
where
    T: Send + 'static,
    C: Future<Output = Result<T>> + Send + 'static,
    U: FnOnce(T) -> BoxFuture<()> + Send + 'static,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return create.await;
    };
    let (sender, receiver) = tokio::sync::oneshot::channel();
    runtime.spawn(async move {
        let result = create.await;
        // `send` hands the value back when the receiver is gone: then it is
        // ours to undo. Either the caller gets it or `undo` does, never both.
        if let Err(Ok(made)) = sender.send(result) {
            undo(made).await;
        }
    });
    receiver.await.unwrap_or_else(|_| {
        Err(Error::protocol(
            "the create call's task ended without a result",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[tokio::test]
    async fn a_value_nobody_waits_for_is_undone_and_one_returned_is_not() {
        let undone = Arc::new(Mutex::new(Vec::new()));
        let record = |undone: &Arc<Mutex<Vec<u32>>>| {
            let undone = undone.clone();
            move |value: u32| -> BoxFuture<()> {
                Box::pin(async move { undone.lock().unwrap().push(value) })
            }
        };
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let slow = async move {
            let _ = wait.await;
            Ok(7)
        };
        // The caller gives up while the call is in flight.
        let cancelled =
            tokio::time::timeout(Duration::from_millis(1), create_then(slow, record(&undone)))
                .await;
        assert!(cancelled.is_err());
        release.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), async {
            while undone.lock().unwrap().is_empty() {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the value is undone");
        assert_eq!(*undone.lock().unwrap(), [7]);

        let got = create_then(async { Ok(8) }, record(&undone)).await.unwrap();
        assert_eq!(got, 8);
        assert_eq!(
            *undone.lock().unwrap(),
            [7],
            "a value returned is not undone"
        );
    }
}
