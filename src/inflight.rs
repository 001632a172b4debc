//! Updates handed to the dispatcher and not yet handled: long polling
//! confirms a batch to Telegram only once every update of it is handled,
//! and a webhook request is answered only once its update is.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use teloxide::types::{Update, UpdateId, UpdateKind};
use tokio::sync::oneshot;

/// Updates handed to the dispatcher and not yet handled.
#[derive(Clone, Debug, Default)]
pub struct Unhandled(Arc<UnhandledInner>);

#[derive(Debug, Default)]
struct UnhandledInner {
    /// Update id → its handlers not yet finished (a redelivery can bring
    /// the same id twice) and who waits for it.
    ids: std::sync::Mutex<HashMap<u32, Pending>>,
    drained: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct Pending {
    handlers: u32,
    waiters: Vec<oneshot::Sender<()>>,
}

/// Marks its update handled when dropped: when the handler returns, fails
/// or panics.
#[derive(Debug)]
pub struct Handling {
    unhandled: Unhandled,
    id: u32,
}

impl Drop for Handling {
    fn drop(&mut self) {
        let mut ids = self.unhandled.lock();
        if let Some(p) = ids.get_mut(&self.id) {
            p.handlers = p.handlers.saturating_sub(1);
            if p.handlers == 0
                && let Some(done) = ids.remove(&self.id)
            {
                for w in done.waiters {
                    let _ = w.send(());
                }
            }
        }
        if ids.is_empty() {
            self.unhandled.0.drained.notify_waiters();
        }
    }
}

impl Unhandled {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Pending>> {
        self.0.ids.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Held by the handler of `update` while it runs.
    pub fn handling(&self, update: UpdateId) -> Handling {
        Handling {
            unhandled: self.clone(),
            id: update.0,
        }
    }

    /// `update` is about to be handed to the dispatcher: counted until
    /// handled, if a handler waited for holds it (see [`waited_for`]).
    pub fn handed_out(&self, update: &Update) {
        if waited_for(update) {
            self.lock().entry(update.id.0).or_default().handlers += 1;
        }
    }

    /// As [`Unhandled::handed_out`], and returns what resolves once the
    /// update is handled (`None`: no handler waited for holds it).
    pub fn handed_out_awaited(&self, update: &Update) -> Option<oneshot::Receiver<()>> {
        if !waited_for(update) {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        let mut ids = self.lock();
        let p = ids.entry(update.id.0).or_default();
        p.handlers += 1;
        p.waiters.push(tx);
        Some(rx)
    }

    /// Gives up waiting for every update handed out (a stuck handler);
    /// returns their ids.
    pub fn forget(&self) -> Vec<u32> {
        self.lock().drain().map(|(id, _)| id).collect()
    }

    /// Waits until every update handed out is handled, up to `limit`.
    pub async fn drained(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.0.drained.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock().is_empty() {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.lock().is_empty();
            }
        }
    }
}

/// Whether the dispatcher hands `update` to a handler that holds a
/// [`Handling`] (the schema's message, callback and membership branches);
/// others are not waited for.
fn waited_for(update: &Update) -> bool {
    matches!(
        update.kind,
        UpdateKind::Message(_) | UpdateKind::CallbackQuery(_) | UpdateKind::MyChatMember(_)
    )
}
