//! A fake Telegram Bot API on 127.0.0.1: serves queued updates through
//! `getUpdates` long polling and records every request the bot makes. Used by
//! `thidua demo` and by the tests, so both drive the real bot over HTTP.

pub mod html;
pub mod updates;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The bot's own user id and username in the fake.
pub const BOT_ID: i64 = 7_000_000_001;
/// The bot's username in the fake.
pub const BOT_USERNAME: &str = "thidua_bot";

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct ApiCall {
    /// Bot API method, e.g. `sendMessage`.
    pub method: String,
    /// The JSON body.
    pub body: Value,
    /// What the fake answered (`result`).
    pub result: Value,
    /// Files uploaded with the request (multipart), e.g. a photo.
    pub files: Vec<FilePart>,
}

/// A file uploaded in a multipart request.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// Form field, e.g. `photo` or `document`.
    pub field: String,
    /// File name as sent.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl ApiCall {
    /// `chat_id` of the request, if any.
    pub fn chat_id(&self) -> Option<i64> {
        self.body.get("chat_id").and_then(Value::as_i64)
    }

    /// `text` of the request, if any.
    pub fn text(&self) -> &str {
        // A photo's or document's caption is its text.
        self.body
            .get("text")
            .or_else(|| self.body.get("caption"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

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

/// The connection is closed without an answer (a dropped or stalled call).
#[derive(Debug)]
struct Hangup;

impl std::fmt::Display for Hangup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fake on purpose")
    }
}

impl std::error::Error for Hangup {}

#[derive(Debug)]
struct Queued {
    update: Value,
    /// Delivered even if the bot's offset has passed it (a redelivery).
    force: bool,
}

#[derive(Debug, Default)]
struct State {
    updates: VecDeque<Queued>,
    next_update_id: i64,
    calls: Vec<ApiCall>,
    next_message_id: i64,
    chats: HashMap<i64, Value>,
    members: HashMap<(i64, i64), String>,
    /// Per method: runs of (trouble, how many more calls get it).
    faults: HashMap<String, VecDeque<(Trouble, usize)>>,
    /// Per chat: runs of troubles for sends to it.
    chat_faults: HashMap<i64, VecDeque<(Trouble, usize)>>,
    /// Sends to a private chat that never wrote to the bot are refused.
    require_start: bool,
    /// Troubles served so far, by kind.
    served: HashMap<&'static str, u64>,
    /// `getUpdates` requests received (troubled ones included).
    polls: u64,
    /// `allowed_updates` of the last `getUpdates` that had one.
    allowed: Option<Value>,
    /// Telegram's overall send limit, when enforced: sends in the last second.
    limit: Option<(usize, VecDeque<std::time::Instant>)>,
    too_many: u64,
    /// At most this many updates per `getUpdates`, whatever the bot asks.
    batch: Option<usize>,
}

#[derive(Debug, Default)]
struct Inner {
    state: Mutex<State>,
    new_update: Notify,
    new_call: Notify,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake Bot API. Stops when dropped.
#[derive(Debug)]
pub struct FakeBotApi {
    url: String,
    inner: Arc<Inner>,
    task: JoinHandle<()>,
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeBotApi {
    /// Starts the fake on a random port of 127.0.0.1.
    pub async fn start() -> std::io::Result<FakeBotApi> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/", listener.local_addr()?);
        let inner = Arc::new(Inner::default());
        {
            let mut s = inner.lock();
            s.next_update_id = 1000;
            s.next_message_id = 5000;
        }
        let serving = inner.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let inner = serving.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(inner.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(FakeBotApi { url, inner, task })
    }

    /// The base URL to give the bot (`TELOXIDE_API_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }

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
        remember_chats(&mut s, &update);
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
        self.inner.lock().updates.push_back(Queued {
            update,
            force: true,
        });
        self.inner.new_update.notify_waiters();
    }

    /// Makes `getChatMember(chat, user)` answer with this status
    /// (`creator`, `administrator`, `member`, `left`).
    pub fn set_member_status(&self, chat_id: i64, user_id: i64, status: &str) {
        self.inner
            .lock()
            .members
            .insert((chat_id, user_id), status.to_owned());
    }

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

    /// Answers 429 (retry_after 1) to sends beyond `per_sec` in any second,
    /// as Telegram does.
    pub fn enforce_send_limit(&self, per_sec: usize) {
        self.inner.lock().limit = Some((per_sec, VecDeque::new()));
    }

    /// Hands out at most `n` updates per `getUpdates` (Telegram's own
    /// batches are often small): a test then sees the bot between batches.
    pub fn hand_out_at_most(&self, n: usize) {
        self.inner.lock().batch = Some(n.max(1));
    }

    /// How many 429s the fake has answered.
    pub fn too_many_requests(&self) -> u64 {
        self.inner.lock().too_many
    }

    /// Every call recorded so far (getUpdates excluded).
    pub fn calls(&self) -> Vec<ApiCall> {
        self.inner.lock().calls.clone()
    }

    /// Number of calls recorded so far.
    pub fn call_count(&self) -> usize {
        self.inner.lock().calls.len()
    }

    /// Calls recorded from index `from` on.
    pub fn calls_since(&self, from: usize) -> Vec<ApiCall> {
        self.inner
            .lock()
            .calls
            .get(from..)
            .map(<[ApiCall]>::to_vec)
            .unwrap_or_default()
    }

    /// Waits until a call matching `pred` is recorded at index ≥ `from`, up to `limit`.
    pub async fn wait_for(
        &self,
        from: usize,
        limit: Duration,
        pred: impl Fn(&ApiCall) -> bool,
    ) -> Option<ApiCall> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.inner.new_call.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(c) = self.calls_since(from).into_iter().find(|c| pred(c)) {
                return Some(c);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    /// Updates still queued (not yet confirmed by the bot).
    pub fn pending_updates(&self) -> usize {
        self.inner.lock().updates.len()
    }
}

fn remember_chats(s: &mut State, update: &Value) {
    for key in ["message", "edited_message"] {
        if let Some(chat) = update.get(key).and_then(|m| m.get("chat"))
            && let Some(id) = chat.get("id").and_then(Value::as_i64)
        {
            s.chats.insert(id, chat.clone());
        }
    }
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn handle(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Hangup> {
    // teloxide writes methods as `GetMe`; Telegram matches them case-insensitively.
    let raw = req.uri().path().rsplit('/').next().unwrap_or("");
    let mut chars = raw.chars();
    let method: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                json!({"ok": false, "error_code": 400, "description": "Bad Request"}),
            ));
        }
    };
    let (body, files) = match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.starts_with("multipart/form-data") => {
            multipart(&body, boundary.trim_matches('"'))
        }
        _ => (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        ),
    };
    if method == "getUpdates" {
        let mut i = inner.lock();
        i.polls += 1;
        if let Some(a) = body.get("allowed_updates") {
            i.allowed = Some(a.clone());
        }
    }
    if matches!(
        method.as_str(),
        "sendMessage" | "sendPhoto" | "sendDocument"
    ) && over_limit(&inner)
    {
        return Ok(reply(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
        ));
    }
    if let Some(t) = take_trouble(&inner, &method) {
        return serve_trouble(t).await;
    }
    if matches!(
        method.as_str(),
        "sendMessage" | "sendPhoto" | "sendDocument" | "sendChatAction"
    ) && let Some(chat) = body.get("chat_id").and_then(Value::as_i64)
    {
        if let Some(t) = take_chat_trouble(&inner, chat) {
            return serve_trouble(t).await;
        }
        let never_wrote = {
            let s = inner.lock();
            s.require_start && chat > 0 && !s.chats.contains_key(&chat)
        };
        if never_wrote {
            return Ok(reply(
                StatusCode::FORBIDDEN,
                json!({"ok": false, "error_code": 403, "description": "Forbidden: bot can't initiate conversation with a user"}),
            ));
        }
    }
    if method == "getUpdates" {
        return Ok(reply(
            StatusCode::OK,
            json!({"ok": true, "result": get_updates(&inner, &body).await}),
        ));
    }
    if body.get("parse_mode").and_then(Value::as_str) == Some("HTML") {
        let text = body
            .get("text")
            .or_else(|| body.get("caption"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Err(why) = html::check(text) {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                json!({"ok": false, "error_code": 400, "description": format!("Bad Request: can't parse entities: {why}")}),
            ));
        }
    }
    let result = answer(&inner, &method, &body);
    let response = match &result {
        Some(r) => json!({"ok": true, "result": r}),
        None => {
            json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"})
        }
    };
    if method != "getMe" {
        inner.lock().calls.push(ApiCall {
            method,
            body,
            result: result.unwrap_or(Value::Null),
            files,
        });
        inner.new_call.notify_waiters();
    }
    Ok(reply(StatusCode::OK, response))
}

fn take_chat_trouble(inner: &Inner, chat: i64) -> Option<Trouble> {
    let mut s = inner.lock();
    let queue = s.chat_faults.get_mut(&chat)?;
    let (trouble, left) = queue.front_mut()?;
    let t = trouble.clone();
    *left -= 1;
    if *left == 0 {
        queue.pop_front();
    }
    *s.served.entry(t.kind()).or_default() += 1;
    Some(t)
}

fn take_trouble(inner: &Inner, method: &str) -> Option<Trouble> {
    let mut s = inner.lock();
    let queue = s.faults.get_mut(method)?;
    let (trouble, left) = queue.front_mut()?;
    let t = trouble.clone();
    *left -= 1;
    if *left == 0 {
        queue.pop_front();
    }
    *s.served.entry(t.kind()).or_default() += 1;
    Some(t)
}

async fn serve_trouble(t: Trouble) -> Result<Response<Full<Bytes>>, Hangup> {
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

/// Parses a multipart/form-data body: text fields into a JSON object (numbers
/// and JSON values decoded), files aside.
fn multipart(body: &[u8], boundary: &str) -> (Value, Vec<FilePart>) {
    let mut fields = serde_json::Map::new();
    let mut files = Vec::new();
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + d.len() <= body.len() {
        if &body[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    for w in starts.windows(2) {
        let part = &body[w[0] + d.len()..w[1]];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = part.windows(4).position(|x| x == b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let attr = |name: &str| -> Option<String> {
            let key = format!("{name}=\"");
            let start = headers.find(&key)? + key.len();
            let end = headers[start..].find('"')? + start;
            Some(headers[start..end].to_owned())
        };
        let Some(field) = attr("name") else { continue };
        match attr("filename") {
            Some(file_name) => files.push(FilePart {
                field,
                file_name,
                bytes: content.to_vec(),
            }),
            None => {
                let text = String::from_utf8_lossy(content).to_string();
                let value = text
                    .parse::<i64>()
                    .map(Value::from)
                    .ok()
                    .or_else(|| {
                        serde_json::from_str::<Value>(&text)
                            .ok()
                            .filter(|v| v.is_object() || v.is_array())
                    })
                    .unwrap_or(Value::String(text));
                fields.insert(field, value);
            }
        }
    }
    // teloxide sends `photo: "attach://<id>"` with the file in a part named <id>.
    for (key, value) in &fields {
        if let Some(id) = value.as_str().and_then(|v| v.strip_prefix("attach://")) {
            for f in files.iter_mut().filter(|f| f.field == id) {
                f.field = key.clone();
            }
        }
    }
    (Value::Object(fields), files)
}

fn over_limit(inner: &Inner) -> bool {
    let mut s = inner.lock();
    let now = std::time::Instant::now();
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

async fn get_updates(inner: &Inner, body: &Value) -> Vec<Value> {
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

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Thi đua", "username": BOT_USERNAME,
           "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
           "can_connect_to_business": false, "has_main_web_app": false})
}

fn chat_json(s: &State, id: i64) -> Value {
    s.chats.get(&id).cloned().unwrap_or_else(|| {
        if id > 0 {
            json!({"id": id, "type": "private", "first_name": "User"})
        } else {
            json!({"id": id, "type": "supergroup", "title": "Group"})
        }
    })
}

fn answer(inner: &Inner, method: &str, body: &Value) -> Option<Value> {
    let mut s = inner.lock();
    let now = chrono::Utc::now().timestamp();
    Some(match method {
        "getMe" => bot_user(),
        "deleteWebhook"
        | "setMyCommands"
        | "answerCallbackQuery"
        | "deleteMessage"
        | "close"
        | "sendChatAction" => {
            json!(true)
        }
        // No webhook: the bot polls.
        "getWebhookInfo" => json!({"url": "", "has_custom_certificate": false,
                                   "pending_update_count": s.updates.len()}),
        "sendMessage" | "sendPhoto" | "sendDocument" => {
            let chat_id = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            s.next_message_id += 1;
            let mut m = json!({"message_id": s.next_message_id, "date": now, "chat": chat_json(&s, chat_id), "from": bot_user()});
            if let Some(t) = body.get("text") {
                m["text"] = t.clone();
            }
            if let Some(k) = body.get("reply_markup") {
                m["reply_markup"] = k.clone();
            }
            if let Some(c) = body.get("caption") {
                m["caption"] = c.clone();
            }
            let id = format!("file{}", s.next_message_id);
            if method == "sendPhoto" {
                m["photo"] =
                    json!([{"file_id": id, "file_unique_id": id, "width": 1080, "height": 720}]);
            }
            if method == "sendDocument" {
                m["document"] = json!({"file_id": id, "file_unique_id": id});
            }
            m
        }
        "editMessageText" => {
            let chat_id = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            json!({"message_id": body.get("message_id").cloned().unwrap_or(json!(0)), "date": now,
                   "edit_date": now, "chat": chat_json(&s, chat_id), "from": bot_user(),
                   "text": body.get("text").cloned().unwrap_or(json!(""))})
        }
        "getChatMember" => {
            let chat_id = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            let user_id = body.get("user_id").and_then(Value::as_i64).unwrap_or(0);
            let status = s
                .members
                .get(&(chat_id, user_id))
                .cloned()
                .unwrap_or_else(|| "member".into());
            let user = json!({"id": user_id, "is_bot": false, "first_name": "User"});
            match status.as_str() {
                "creator" => json!({"status": "creator", "user": user, "is_anonymous": false}),
                "administrator" => {
                    json!({"status": "administrator", "user": user, "can_be_edited": false,
                    "is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true,
                    "can_manage_video_chats": true, "can_restrict_members": true, "can_promote_members": false,
                    "can_change_info": true, "can_invite_users": true, "can_pin_messages": true,
                    "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false})
                }
                other => json!({"status": other, "user": user}),
            }
        }
        _ => return None,
    })
}
