//! Faults the fake serves instead of an answer: queued per method or per
//! chat, Telegram's overall send limit, and the "never started" refusal.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::FakeBotApi;
use crate::fault::{Fault, Trouble};
use crate::state::Inner;

impl FakeBotApi {
    /// Answers the next call of `method` with a fault instead.
    pub fn fail_next(&self, method: &str, fault: Fault) {
        self.trouble(method, Trouble::Answer(fault), 1);
    }

    /// The next `times` calls of `method` (after any troubles already queued
    /// for it) get `trouble` instead of an answer. `getUpdates` included: a
    /// troubled poll confirms nothing and delivers nothing.
    pub fn trouble(&self, method: &str, trouble: Trouble, times: usize) {
        if times == 0 {
            return;
        }
        self.inner
            .lock()
            .faults
            .entry(method.to_owned())
            .or_default()
            .push_back((trouble, times));
    }

    /// The next `times` sends (messages, files, chat actions) to `chat_id`
    /// get `trouble` instead of an answer: one chat over its limit, or one
    /// group that took the bot's rights.
    pub fn trouble_chat(&self, chat_id: i64, trouble: Trouble, times: usize) {
        if times == 0 {
            return;
        }
        self.inner
            .lock()
            .chat_faults
            .entry(chat_id)
            .or_default()
            .push_back((trouble, times));
    }

    /// From now on, as Telegram: a user who never wrote to the bot cannot
    /// be written to (403 "bot can't initiate conversation with a user").
    pub fn require_start(&self) {
        self.inner.lock().require_start = true;
    }

    /// Calls of `method` that will still get a queued trouble.
    pub fn troubles_left(&self, method: &str) -> usize {
        self.inner
            .lock()
            .faults
            .get(method)
            .map_or(0, |q| q.iter().map(|(_, n)| n).sum())
    }

    /// Troubles served so far, by [`Trouble::kind`].
    pub fn troubles_served(&self) -> HashMap<&'static str, u64> {
        self.inner.lock().served.clone()
    }

    /// Waits up to `limit` until `n` troubles of `kind` ([`Trouble::kind`])
    /// were served in all: e.g. until the sends a test stalls have reached
    /// the fake. True if they were.
    pub async fn wait_served(&self, kind: &str, n: u64, limit: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        let served = || self.inner.lock().served.get(kind).copied().unwrap_or(0) >= n;
        loop {
            let notified = self.inner.new_call.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if served() {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return served();
            }
        }
    }

    /// Answers 429 (retry_after 1) to sends beyond `per_sec` in any second,
    /// as Telegram does.
    pub fn enforce_send_limit(&self, per_sec: usize) {
        self.inner.lock().limit = Some((per_sec, VecDeque::new()));
    }

    /// How many 429s the fake has answered.
    pub fn too_many_requests(&self) -> u64 {
        self.inner.lock().too_many
    }
}

/// Takes the next trouble queued for sends to `chat`, counting it as served.
pub(crate) fn take_chat_trouble(inner: &Inner, chat: i64) -> Option<Trouble> {
    let mut s = inner.lock();
    let queue = s.chat_faults.get_mut(&chat)?;
    let (trouble, left) = queue.front_mut()?;
    let t = trouble.clone();
    *left -= 1;
    if *left == 0 {
        queue.pop_front();
    }
    *s.served.entry(t.kind()).or_default() += 1;
    drop(s);
    inner.new_call.notify_waiters();
    Some(t)
}

/// Takes the next trouble queued for `method`, counting it as served.
pub(crate) fn take_trouble(inner: &Inner, method: &str) -> Option<Trouble> {
    let mut s = inner.lock();
    let queue = s.faults.get_mut(method)?;
    let (trouble, left) = queue.front_mut()?;
    let t = trouble.clone();
    *left -= 1;
    if *left == 0 {
        queue.pop_front();
    }
    *s.served.entry(t.kind()).or_default() += 1;
    drop(s);
    inner.new_call.notify_waiters();
    Some(t)
}

/// Whether a send now goes over the enforced overall limit (counted as a 429
/// if so); a send within it is counted in the window.
pub(crate) fn over_limit(inner: &Inner) -> bool {
    let mut s = inner.lock();
    let now = Instant::now();
    let over = match &mut s.limit {
        None => false,
        Some((per_sec, window)) => {
            while window
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                window.pop_front();
            }
            if window.len() >= *per_sec {
                true
            } else {
                window.push_back(now);
                false
            }
        }
    };
    if over {
        s.too_many += 1;
    }
    over
}
