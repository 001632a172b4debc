//! The bench's own minimal Bot API over HTTP: serves `getUpdates` from a
//! queue as fast as the bot asks and times each reply. Faster than
//! `fake_bot_api`, which records every call: here the fake must not be what
//! is measured.

use anyhow::{bail, ensure};
use bytes::Bytes;
use chrono::Utc;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::mix::{Kind, Msg};

/// The bot's user in the fake.
const BOT_USER: &str = r#"{"id":7000000001,"is_bot":true,"first_name":"Thi đua","username":"thidua_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,"can_connect_to_business":false,"has_main_web_app":false}"#;

#[derive(Default)]
struct FakeState {
    /// Every update loaded, serialised; update i has id `i + 1`.
    updates: Vec<Bytes>,
    chats: Vec<i64>,
    kinds: Vec<Kind>,
    /// Updates that `getUpdates` may hand out (a prefix of `updates`).
    released: usize,
    /// Confirmed by an `offset` (a prefix).
    confirmed: usize,
    served_at: Vec<Option<Instant>>,
    replied_at: Vec<Option<Instant>>,
    refused: Vec<bool>,
    /// Per chat, updates handed out and not yet answered, in order.
    waiting: HashMap<i64, VecDeque<usize>>,
    replies: usize,
    unmatched: usize,
    first_poll: Option<Instant>,
    polls: u64,
    next_message_id: i64,
    /// First reply text per kind, to show what was answered.
    samples: HashMap<&'static str, String>,
}

struct FakeInner {
    state: Mutex<FakeState>,
    released: Notify,
    replied: Notify,
}

impl FakeInner {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A fast fake Bot API: updates loaded ahead, released to `getUpdates` on
/// demand; records when each is handed out and when its reply arrives (the
/// n-th reply to a chat answers the n-th update handed out from it: teloxide
/// handles one chat's updates in order).
pub struct Fake {
    pub url: String,
    inner: Arc<FakeInner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Fake {
    pub async fn start() -> anyhow::Result<Fake> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/", listener.local_addr()?);
        let inner = Arc::new(FakeInner {
            state: Mutex::new(FakeState {
                next_message_id: 1,
                ..FakeState::default()
            }),
            released: Notify::new(),
            replied: Notify::new(),
        });
        let serving = inner.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let inner = serving.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(inner.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(Fake { url, inner, task })
    }

    /// Queues `msgs` (not yet released); returns their indexes.
    pub fn load(&self, msgs: &[Msg]) -> Range<usize> {
        let mut s = self.inner.lock();
        let start = s.updates.len();
        let date = Utc::now().timestamp();
        for (i, m) in msgs.iter().enumerate() {
            let id = start + i + 1;
            let cmd_len = m
                .text
                .split(' ')
                .next()
                .unwrap_or("")
                .encode_utf16()
                .count();
            let body = format!(
                r#"{{"update_id":{id},"message":{{"message_id":{id},"date":{date},"chat":{{"id":{chat},"type":"private","first_name":"Trưởng","last_name":"đơn vị"}},"from":{{"id":{chat},"is_bot":false,"first_name":"Trưởng","last_name":"đơn vị","language_code":"vi"}},"text":{text},"entities":[{{"type":"bot_command","offset":0,"length":{cmd_len}}}]}}}}"#,
                chat = m.chat,
                text = Value::String(m.text.clone()),
            );
            s.updates.push(Bytes::from(body));
            s.chats.push(m.chat);
            s.kinds.push(m.kind);
            s.served_at.push(None);
            s.replied_at.push(None);
            s.refused.push(false);
        }
        start..s.updates.len()
    }

    /// Lets `getUpdates` hand out everything loaded up to `end`.
    pub fn release_to(&self, end: usize) {
        {
            let mut s = self.inner.lock();
            s.released = s.released.max(end.min(s.updates.len()));
        }
        self.inner.released.notify_waiters();
    }

    /// Waits until every update below `end` is answered; fails when no
    /// reply comes for `limit`.
    pub async fn answered(&self, end: usize, limit: Duration) -> anyhow::Result<()> {
        let mut deadline = tokio::time::Instant::now() + limit;
        let mut replies = self.inner.lock().replies;
        loop {
            let notified = self.inner.replied.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let s = self.inner.lock();
                // Only updates below `end` were released: each has one reply.
                if s.replies >= end {
                    return Ok(());
                }
                if s.replies > replies {
                    replies = s.replies;
                    deadline = tokio::time::Instant::now() + limit;
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let s = self.inner.lock();
                let missing = s.replied_at[..end].iter().filter(|r| r.is_none()).count();
                bail!(
                    "{missing} of {end} updates unanswered, none for {}s ({} replies, {} unmatched, {} polls)",
                    limit.as_secs(),
                    s.replies,
                    s.unmatched,
                    s.polls
                );
            }
        }
    }

    pub async fn first_poll(&self, limit: Duration) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(t) = self.inner.lock().first_poll {
                return Ok(t);
            }
            ensure!(Instant::now() < deadline, "no getUpdates within {limit:?}");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Timings of the updates in `range`.
    pub fn timings(&self, range: Range<usize>) -> Timings {
        let s = self.inner.lock();
        let mut t = Timings::default();
        for i in range {
            if let (Some(a), Some(b)) = (s.served_at[i], s.replied_at[i]) {
                t.first_served = Some(t.first_served.map_or(a, |f: Instant| f.min(a)));
                t.last_reply = Some(t.last_reply.map_or(b, |l: Instant| l.max(b)));
                let ms = b.duration_since(a).as_secs_f64() * 1e3;
                t.by_kind.entry(s.kinds[i]).or_default().push(ms);
                t.all.push(ms);
            }
            if s.refused[i] {
                t.refused += 1;
            }
        }
        t
    }

    pub fn unmatched(&self) -> usize {
        self.inner.lock().unmatched
    }

    pub fn samples(&self) -> Vec<(&'static str, String)> {
        let s = self.inner.lock();
        let mut v: Vec<_> = s
            .samples
            .iter()
            .map(|(k, t)| (*k, t.chars().take(160).collect::<String>()))
            .collect();
        v.sort();
        v
    }
}

#[derive(Default)]
pub struct Timings {
    pub first_served: Option<Instant>,
    pub last_reply: Option<Instant>,
    pub all: Vec<f64>,
    pub by_kind: HashMap<Kind, Vec<f64>>,
    pub refused: usize,
}

fn json_response(body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn handle(
    inner: Arc<FakeInner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let method = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let mut r =
                json_response(r#"{"ok":false,"error_code":400,"description":"Bad Request"}"#);
            *r.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(r);
        }
    };
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Ok(match method.as_str() {
        "getupdates" => json_response(get_updates(&inner, &json).await),
        "sendmessage" => json_response(send_message(&inner, &json)),
        "getme" => json_response(format!(r#"{{"ok":true,"result":{BOT_USER}}}"#)),
        "getwebhookinfo" => json_response(
            r#"{"ok":true,"result":{"url":"","has_custom_certificate":false,"pending_update_count":0}}"#,
        ),
        _ => json_response(r#"{"ok":true,"result":true}"#),
    })
}

async fn get_updates(inner: &FakeInner, body: &Value) -> Vec<u8> {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let limit = body
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(100, |l| l.clamp(1, 100)) as usize;
    let timeout = body
        .get("timeout")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(60);
    {
        let mut s = inner.lock();
        s.polls += 1;
        if s.first_poll.is_none() {
            s.first_poll = Some(Instant::now());
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = inner.released.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut s = inner.lock();
            // Update i has id i + 1: an offset confirms every id below it.
            let below = usize::try_from(offset.saturating_sub(1)).unwrap_or(0);
            s.confirmed = s.confirmed.max(below.min(s.released));
            let start = s.confirmed;
            let end = s.released.min(start + limit);
            if end > start {
                let now = Instant::now();
                let mut out = Vec::with_capacity(64 + (end - start) * 400);
                out.extend_from_slice(br#"{"ok":true,"result":["#);
                for i in start..end {
                    if i > start {
                        out.push(b',');
                    }
                    out.extend_from_slice(&s.updates[i]);
                    if s.served_at[i].is_none() {
                        s.served_at[i] = Some(now);
                        let chat = s.chats[i];
                        s.waiting.entry(chat).or_default().push_back(i);
                    }
                }
                out.extend_from_slice(b"]}");
                return out;
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return br#"{"ok":true,"result":[]}"#.to_vec();
        }
    }
}

fn send_message(inner: &FakeInner, body: &Value) -> String {
    let now = Instant::now();
    let chat = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
    let text = body.get("text").and_then(Value::as_str).unwrap_or("");
    let (id, date) = {
        let mut s = inner.lock();
        s.next_message_id += 1;
        let id = s.next_message_id;
        match s.waiting.get_mut(&chat).and_then(VecDeque::pop_front) {
            Some(i) => {
                s.replied_at[i] = Some(now);
                s.refused[i] = text.starts_with('⚠');
                s.replies += 1;
                let kind = s.kinds[i].name();
                if !s.samples.contains_key(kind) {
                    s.samples.insert(kind, text.to_owned());
                }
            }
            None => s.unmatched += 1,
        }
        (id, Utc::now().timestamp())
    };
    inner.replied.notify_waiters();
    let chat_json = if chat > 0 {
        format!(r#"{{"id":{chat},"type":"private","first_name":"Trưởng"}}"#)
    } else {
        format!(r#"{{"id":{chat},"type":"supergroup","title":"Khối"}}"#)
    };
    format!(
        r#"{{"ok":true,"result":{{"message_id":{id},"date":{date},"chat":{chat_json},"from":{BOT_USER},"text":"ok"}}}}"#
    )
}
