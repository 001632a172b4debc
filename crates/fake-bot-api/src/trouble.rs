//! Faults the fake serves instead of an answer: queued per method or per
//! chat, Telegram's overall send limit, and the "never started" refusal.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::FakeBotApi;
use crate::handle::reply;
use crate::state::Inner;

/// A fault to answer instead of the real response.
#[derive(Debug, Clone)]
pub struct Fault {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

/// How the fake misbehaves on one call, instead of answering it.
#[derive(Debug, Clone)]
pub enum Trouble {
    /// Answers with this status and JSON body.
    Answer(Fault),
    /// Closes the connection without answering.
    Drop,
    /// Holds the request this long without answering (past the client's
    /// timeout, as a dead proxy does), then closes the connection.
    Stall(Duration),
    /// Answers with a body that is not the JSON the Bot API promises (a
    /// truncated document, a proxy's HTML page).
    Raw {
        /// HTTP status.
        status: u16,
        /// The body, as is.
        body: String,
    },
}

impl Trouble {
    /// 429 with `retry_after`, as Telegram answers a flood.
    pub fn too_many_requests(retry_after: u64) -> Trouble {
        Trouble::Answer(Fault {
            status: 429,
            body: json!({"ok": false, "error_code": 429,
                         "description": format!("Too Many Requests: retry after {retry_after}"),
                         "parameters": {"retry_after": retry_after}}),
        })
    }

    /// A 5xx with Telegram's JSON error body.
    pub fn server_error(status: u16) -> Trouble {
        Trouble::Answer(Fault {
            status,
            body: json!({"ok": false, "error_code": status, "description": "Internal Server Error"}),
        })
    }

    /// Its kind, for [`FakeBotApi::troubles_served`].
    pub fn kind(&self) -> &'static str {
        match self {
            Trouble::Answer(f) if f.status == 429 => "429",
            Trouble::Answer(f) if f.status >= 500 => "5xx",
            Trouble::Answer(_) => "error",
            Trouble::Drop => "drop",
            Trouble::Stall(_) => "stall",
            Trouble::Raw { .. } => "raw",
        }
    }
}

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

/// The connection is closed without an answer (a dropped or stalled call).
#[derive(Debug)]
pub(crate) struct Hangup;

impl std::fmt::Display for Hangup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fake on purpose")
    }
}

impl std::error::Error for Hangup {}

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

/// The response (or hang-up) a trouble stands for.
pub(crate) async fn serve_trouble(t: Trouble) -> Result<Response<Full<Bytes>>, Hangup> {
    match t {
        Trouble::Answer(f) => {
            let status =
                StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(reply(status, f.body))
        }
        Trouble::Drop => Err(Hangup),
        Trouble::Stall(d) => {
            tokio::time::sleep(d).await;
            Err(Hangup)
        }
        Trouble::Raw { status, body } => {
            let mut r = Response::new(Full::new(Bytes::from(body)));
            *r.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(r)
        }
    }
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
