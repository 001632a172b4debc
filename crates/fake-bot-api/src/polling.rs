//! The update queue and `getUpdates` long polling, with Telegram's
//! confirm-by-offset rule.

use serde_json::{Value, json};
use std::time::Duration;

use crate::FakeBotApi;
use crate::state::{Inner, Queued};

impl FakeBotApi {
    /// Queues an update; assigns the next `update_id` unless it has one. Returns the id.
    pub fn push(&self, mut update: Value) -> i64 {
        let mut s = self.inner.lock();
        let id = match update.get("update_id").and_then(Value::as_i64) {
            Some(id) => id,
            None => {
                s.next_update_id += 1;
                let id = s.next_update_id;
                update["update_id"] = json!(id);
                id
            }
        };
        s.remember_chats(&update);
        s.confirmed.remove(&id);
        s.updates.push_back(Queued {
            update,
            force: false,
        });
        drop(s);
        self.inner.new_update.notify_waiters();
        id
    }

    /// Delivers an update again with the same id, as Telegram does after a crash.
    pub fn redeliver(&self, update: Value) {
        let mut s = self.inner.lock();
        if let Some(id) = update.get("update_id").and_then(Value::as_i64) {
            s.confirmed.remove(&id);
        }
        s.updates.push_back(Queued {
            update,
            force: true,
        });
        drop(s);
        self.inner.new_update.notify_waiters();
    }

    /// Waits up to `limit` until the bot confirmed update `id` (queued with
    /// [`FakeBotApi::push`] or [`FakeBotApi::redeliver`]): a `getUpdates`
    /// after the one that handed it out came with an `offset` above it. A
    /// bot that confirms a batch only once it is handled is then done with
    /// it. True if confirmed.
    pub async fn wait_confirmed(&self, id: i64, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.inner.new_confirm.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.inner.lock().confirmed.contains(&id) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.inner.lock().confirmed.contains(&id);
            }
        }
    }

    /// Updates still queued (not yet confirmed by the bot).
    pub fn pending_updates(&self) -> usize {
        self.inner.lock().updates.len()
    }

    /// Hands out at most `n` updates per `getUpdates` (Telegram's own
    /// batches are often small): a test then sees the bot between batches.
    pub fn hand_out_at_most(&self, n: usize) {
        self.inner.lock().batch = Some(n.max(1));
    }

    /// `getUpdates` requests received so far, troubled ones included.
    pub fn polls(&self) -> u64 {
        self.inner.lock().polls
    }

    /// The update kinds the bot last asked for (`allowed_updates`), sorted.
    pub fn allowed_updates(&self) -> Vec<String> {
        let mut kinds: Vec<String> = match &self.inner.lock().allowed {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        kinds.sort();
        kinds
    }
}

/// Counts a `getUpdates` request and remembers its `allowed_updates`.
pub(crate) fn note_poll(inner: &Inner, body: &Value) {
    let mut i = inner.lock();
    i.polls += 1;
    if let Some(a) = body.get("allowed_updates") {
        i.allowed = Some(a.clone());
    }
}

/// Answers `getUpdates`: forgets what `offset` confirms, then hands out what is
/// queued, waiting up to the request's `timeout` for something to arrive.
pub(crate) async fn get_updates(inner: &Inner, body: &Value) -> Vec<Value> {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let timeout = body
        .get("timeout")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(60);
    // Telegram hands out at most `limit` (1–100, default 100) at a time.
    let limit = body
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(100, |l| l.clamp(1, 100)) as usize;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    confirm(inner, offset);
    loop {
        let notified = inner.new_update.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut s = inner.lock();
            // Telegram forgets updates once a later offset confirms them.
            s.updates
                .retain(|q| q.force || q.update["update_id"].as_i64().unwrap_or(0) >= offset);
            if !s.updates.is_empty() {
                let n = s.updates.len().min(limit).min(s.batch.unwrap_or(limit));
                let out: Vec<Value> = s.updates.iter().take(n).map(|q| q.update.clone()).collect();
                let poll = s.polls;
                for u in &out {
                    if let Some(id) = u["update_id"].as_i64() {
                        s.handed.insert(id, poll);
                    }
                }
                // Forced redeliveries go out once; ordinary ones stay until confirmed.
                let mut i = 0;
                s.updates.retain(|q| {
                    i += 1;
                    i > n || !q.force
                });
                return out;
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return Vec::new();
        }
    }
}

/// Records what this `getUpdates` (the latest counted) confirms: updates
/// handed out by an earlier request, below `offset`.
fn confirm(inner: &Inner, offset: i64) {
    let mut s = inner.lock();
    let poll = s.polls;
    let done: Vec<i64> = s
        .handed
        .iter()
        .filter(|&(&id, &by)| by < poll && id < offset)
        .map(|(&id, _)| id)
        .collect();
    if done.is_empty() {
        return;
    }
    for id in done {
        s.handed.remove(&id);
        s.confirmed.insert(id);
    }
    drop(s);
    inner.new_confirm.notify_waiters();
}
