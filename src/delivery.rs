//! Outgoing replies: a queue per chat, marks in the outbox.
//!
//! A handler commits, hands its messages here and returns: the poller is
//! never held by a send. Each chat's messages go out in order from its own
//! queue; a 429 makes that queue alone wait `retry_after`, so a group over
//! Telegram's 20 messages a minute holds up no other chat.
//!
//! A message of an applied update carries its place in the update's stored
//! outbox. Once Telegram accepted it (or refused it for good) it is marked in
//! the database; a redelivered update, or a start after a crash, sends only
//! what is unmarked and not already queued here. What remains: a crash
//! between Telegram's answer and the mark's commit sends that message once
//! more after the restart.
//!
//! Memory is bounded: a chat holds at most [`QUEUE_CAP`] queued messages
//! and [`QUEUE_BYTES`] of them.
//! Past that, a stored message stays unmarked in the outbox and goes out at
//! the next start (or redelivery); a read's answer (never stored) is dropped,
//! with a warning in the log.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use teloxide::payloads::{SendDocumentSetters, SendMessageSetters, SendPhotoSetters};
use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardMarkup, InputFile, LinkPreviewOptions, MessageId, ParseMode, ThreadId,
};
use teloxide::{ApiError, RequestError};
use tokio::sync::Notify;

use crate::metrics::{Metrics, Replied};
use crate::storage::{Db, Scope, updates};
use crate::telemetry::Secrets;
use crate::text::{self, MAX_MESSAGE_CHARS};

/// A message to send after the commit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Out {
    /// Chat to send to.
    pub chat_id: i64,
    /// Forum topic of the chat (`message_thread_id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<i32>,
    /// HTML text.
    pub text: String,
    /// Inline keyboard, if any.
    pub keyboard: Option<InlineKeyboardMarkup>,
    /// A photo or document sent with `text` as its caption. Only read
    /// commands send files, so they are never stored in the outbox.
    #[serde(skip)]
    pub file: Option<OutFile>,
    /// Its place in its update's stored outbox, once committed there.
    #[serde(skip)]
    pub stored: Option<u32>,
}

/// A file to send.
#[derive(Debug, Clone, PartialEq)]
pub struct OutFile {
    /// Send as a photo (else as a document).
    pub photo: bool,
    /// File name shown to the user.
    pub file_name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

impl Out {
    /// A plain message.
    pub fn to(chat_id: i64, text: impl Into<String>) -> Out {
        Out {
            chat_id,
            thread: None,
            text: text.into(),
            keyboard: None,
            file: None,
            stored: None,
        }
    }

    /// A photo or document with `text` as its caption.
    pub fn file(chat_id: i64, text: impl Into<String>, file: OutFile) -> Out {
        Out {
            file: Some(file),
            ..Out::to(chat_id, text)
        }
    }
}

/// Messages queued for one chat at most (more than ten minutes of a
/// group's limit); see the module doc for what happens past it.
pub const QUEUE_CAP: usize = 256;

/// Bytes (texts and files) queued for one chat at most: a group flooding
/// `/chart` cannot hold more than this of pictures.
pub const QUEUE_BYTES: usize = 4 << 20;

/// How long a mark waits for a report batch's commit to carry it before
/// it is written on its own.
const MARK_DELAY: Duration = Duration::from_millis(5);

/// Tries of a message that fails for a passing reason (network, 5xx).
const ATTEMPTS: u32 = 3;

/// 429s answered for one message before it is left for the next start.
const MOST_429: u32 = 30;

/// Sends replies through per-chat queues and marks them in the outbox.
#[derive(Clone)]
pub struct Delivery {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the bot: its Debug output holds the token.
        f.debug_struct("Delivery").finish_non_exhaustive()
    }
}

struct Inner {
    bot: Bot,
    db: Db,
    secrets: Secrets,
    metrics: Metrics,
    state: Mutex<State>,
    marks_ready: Arc<Notify>,
    /// Told whenever a queue empties or marks are written.
    progress: Notify,
}

#[derive(Default)]
struct State {
    /// Chats with a worker, and its queue.
    chats: HashMap<i64, Queue>,
    /// Stored messages queued, in flight, or sent and not yet marked in the
    /// database: a redelivery must not queue them again.
    known: HashSet<(i64, u32)>,
    /// Marks to write, with their updates.
    marks: Vec<(i64, u32)>,
    /// When the oldest of `marks` came.
    marks_since: Option<std::time::Instant>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    bytes: usize,
}

struct Job {
    update: i64,
    out: Out,
}

impl Job {
    fn bytes(&self) -> usize {
        self.out.text.len() + self.out.file.as_ref().map_or(0, |f| f.bytes.len())
    }
}

impl Delivery {
    /// Delivery through `bot`, marking in `db`; `secrets` are kept out of logs.
    pub fn new(bot: Bot, db: Db, secrets: Secrets, metrics: Metrics) -> Delivery {
        let inner = Arc::new(Inner {
            bot,
            db,
            secrets,
            metrics,
            state: Mutex::new(State::default()),
            marks_ready: Arc::new(Notify::new()),
            progress: Notify::new(),
        });
        tokio::spawn(write_marks(
            Arc::downgrade(&inner),
            inner.marks_ready.clone(),
        ));
        Delivery { inner }
    }

    /// Queues `outs` of update `update` after the chats' earlier messages.
    pub fn send(&self, update: i64, outs: Vec<Out>) {
        let mut spawn = Vec::new();
        {
            let mut s = self.inner.lock();
            for out in outs {
                let key = out.stored.map(|seq| (update, seq));
                if let Some(k) = key
                    && !s.known.insert(k)
                {
                    continue;
                }
                let chat = out.chat_id;
                let job = Job { update, out };
                let (queued, bytes) = s
                    .chats
                    .get(&chat)
                    .map_or((0, 0), |q| (q.jobs.len(), q.bytes));
                if queued >= QUEUE_CAP || bytes + job.bytes() > QUEUE_BYTES {
                    if let Some(k) = key {
                        s.known.remove(&k);
                    }
                    tracing::warn!(
                        chat_id = chat,
                        stored = key.is_some(),
                        "a chat's send queue is full; message left for later"
                    );
                    continue;
                }
                if !s.chats.contains_key(&chat) {
                    spawn.push(chat);
                }
                let q = s.chats.entry(chat).or_default();
                q.bytes += job.bytes();
                q.jobs.push_back(job);
            }
        }
        for chat in spawn {
            tokio::spawn(work(self.inner.clone(), chat));
        }
    }

    /// Queues again what a redelivered update left unsent: the messages of
    /// its stored `outbox` neither `marked` nor queued here.
    pub fn resend(&self, update: i64, outbox: Vec<Out>, marked: &[u32]) {
        let unsent = (0u32..)
            .zip(outbox)
            .filter(|(seq, _)| !marked.contains(seq))
            .map(|(seq, out)| Out {
                stored: Some(seq),
                ..out
            })
            .collect();
        self.send(update, unsent);
    }

    /// Queues what a crash left unsent: stored messages of updates applied
    /// in the last day without a mark. Called at start; with PostgreSQL,
    /// also every few seconds, and only for replicas that stopped (see
    /// `updates::adopt`): a running replica's sends may be in flight.
    pub async fn resume(&self, now: chrono::DateTime<chrono::Utc>) {
        let since = now - chrono::Duration::days(1);
        #[cfg(not(feature = "postgres"))]
        let found = async {
            let mut c = self.inner.db.pool().acquire().await?;
            updates::with_unsent(&mut c, since).await
        };
        #[cfg(feature = "postgres")]
        let found = async {
            let db = &self.inner.db;
            // Most often there is nothing to take over: found by a read,
            // without holding up every replica's writes for it.
            let mut c = db.pool().acquire().await?;
            if updates::with_unsent_elsewhere(&mut c, db.instance(), since)
                .await?
                .is_empty()
            {
                return Ok(Vec::new());
            }
            drop(c);
            let mut tx = db.write_scoped(crate::storage::Scope::Uncached).await?;
            let rows = updates::adopt(&mut tx, db.instance(), since).await?;
            tx.commit().await?;
            Ok::<_, crate::storage::StorageError>(rows)
        };
        match found.await {
            Ok(rows) => {
                if !rows.is_empty() {
                    tracing::info!(updates = rows.len(), "sending replies a stop left unsent");
                }
                for (update, outbox, marked) in rows {
                    self.resend(update, outbox, &marked);
                }
            }
            Err(e) => {
                tracing::error!(error = %self.inner.redact(&e.to_string()), "looking for unsent replies")
            }
        }
    }

    /// Takes the marks waiting to be written, for a transaction about to
    /// commit anyway (the group commit of reports): under load they then
    /// cost no commit of their own. Hand them back with [`Delivery::marked`].
    pub fn take_marks(&self) -> Vec<(i64, u32)> {
        self.inner.lock().take_marks()
    }

    /// Marks taken with [`Delivery::take_marks`] were committed, or were not
    /// (then they wait for the next write).
    pub fn marked(&self, marks: Vec<(i64, u32)>, committed: bool) {
        if marks.is_empty() {
            return;
        }
        let mut s = self.inner.lock();
        if committed {
            for k in marks {
                s.known.remove(&k);
            }
            drop(s);
            self.inner.progress.notify_waiters();
        } else {
            if s.push_marks(marks) {
                drop(s);
                self.inner.marks_ready.notify_one();
            }
        }
    }

    /// Waits until every queue is empty and every mark written: what a
    /// graceful shutdown lets finish.
    pub async fn idle(&self) {
        loop {
            let notified = self.inner.progress.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let s = self.inner.lock();
                if s.chats.is_empty() && s.marks.is_empty() && s.known.is_empty() {
                    return;
                }
            }
            notified.await;
        }
    }
}

impl State {
    /// Adds marks to write; true when they are the first waiting, and the
    /// mark writer must be woken (later ones find it awake).
    fn push_marks(&mut self, marks: impl IntoIterator<Item = (i64, u32)>) -> bool {
        let before = self.marks.len();
        self.marks.extend(marks);
        let first = before == 0 && !self.marks.is_empty();
        if first {
            self.marks_since = Some(std::time::Instant::now());
        }
        first
    }

    fn take_marks(&mut self) -> Vec<(i64, u32)> {
        self.marks_since = None;
        std::mem::take(&mut self.marks)
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change under the lock is a whole insert or remove.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn redact(&self, s: &str) -> String {
        self.secrets.redact(s)
    }
}

/// Sends a chat's queue in order until it is empty.
async fn work(inner: Arc<Inner>, chat: i64) {
    loop {
        let job = {
            let mut s = inner.lock();
            match s.chats.get_mut(&chat).and_then(|q| {
                let j = q.jobs.pop_front()?;
                q.bytes = q.bytes.saturating_sub(j.bytes());
                Some(j)
            }) {
                Some(j) => j,
                None => {
                    s.chats.remove(&chat);
                    drop(s);
                    inner.progress.notify_waiters();
                    return;
                }
            }
        };
        let sent = send_one(&inner, &job.out).await;
        inner.metrics.reply(sent);
        let mut s = inner.lock();
        match (job.out.stored, sent) {
            (Some(seq), Replied::Accepted | Replied::Refused) => {
                // Settled once the mark is written.
                if s.push_marks([(job.update, seq)]) {
                    drop(s);
                    inner.marks_ready.notify_one();
                }
            }
            (Some(seq), Replied::GaveUp) => {
                s.known.remove(&(job.update, seq));
            }
            (None, _) => {}
        }
    }
}

/// Writes marks as they come, many per transaction under load, then
/// forgets their messages. Ends when the delivery is dropped.
async fn write_marks(inner: std::sync::Weak<Inner>, ready: Arc<Notify>) {
    loop {
        let Some(i) = inner.upgrade() else { return };
        let since = i.lock().marks_since;
        match since {
            None => {
                drop(i);
                // A mark pushed since the check left a permit: no wake-up is lost.
                ready.notified().await;
                continue;
            }
            // Under load a batch of reports takes them before they are this
            // old; written here, they would cost a commit of their own.
            Some(t) if t.elapsed() < MARK_DELAY => {
                drop(i);
                tokio::time::sleep(MARK_DELAY.saturating_sub(t.elapsed())).await;
                continue;
            }
            Some(_) => {}
        }
        let marks = i.lock().take_marks();
        let written = async {
            let mut tx = i.db.write_scoped(Scope::Uncached).await?;
            updates::mark_sent(&mut tx, &marks).await?;
            tx.commit().await
        };
        if let Err(e) = written.await {
            // Left unmarked: a redelivery or the next start sends them
            // again, the window the module doc names.
            tracing::error!(error = %i.redact(&e.to_string()), "marking sent replies");
        }
        let mut s = i.lock();
        for k in marks {
            s.known.remove(&k);
        }
        drop(s);
        i.progress.notify_waiters();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets the mark writer see that the delivery is gone.
        self.marks_ready.notify_one();
    }
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Sends one message (in parts if long), waiting out this chat's 429s.
async fn send_one(inner: &Inner, out: &Out) -> Replied {
    let mut chat = out.chat_id;
    let parts = match &out.file {
        Some(_) => vec![String::new()],
        None => text::split_message(&out.text, MAX_MESSAGE_CHARS),
    };
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.into_iter().enumerate() {
        let (mut failures, mut floods) = (0, 0);
        loop {
            let result = match &out.file {
                Some(f) => send_file(&inner.bot, chat, out, f).await,
                None => {
                    let mut req = inner
                        .bot
                        .send_message(ChatId(chat), part.as_str())
                        .parse_mode(ParseMode::Html)
                        .link_preview_options(no_preview());
                    if let Some(t) = out.thread {
                        req = req.message_thread_id(ThreadId(MessageId(t)));
                    }
                    if let Some(k) = out.keyboard.as_ref().filter(|_| i == last) {
                        req = req.reply_markup(k.clone());
                    }
                    req.await.map(drop)
                }
            };
            match result {
                Ok(()) => break,
                Err(RequestError::RetryAfter(s)) if floods < MOST_429 => {
                    floods += 1;
                    inner.metrics.too_many_requests();
                    tracing::debug!(chat_id = chat, wait = ?s.duration(), "429; this chat waits");
                    tokio::time::sleep(s.duration()).await;
                }
                Err(RequestError::MigrateToChatId(new)) => chat = new.0,
                Err(e) if transient(&e) && failures + 1 < ATTEMPTS => {
                    failures += 1;
                    tracing::debug!(chat_id = chat, failures, "send failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200) * 2u32.pow(failures)).await;
                }
                Err(e) => {
                    let permanent = matches!(e, RequestError::Api(_));
                    tracing::warn!(chat_id = chat, permanent, error = %inner.redact(&e.to_string()), "a reply could not be sent");
                    return if permanent {
                        Replied::Refused
                    } else {
                        Replied::GaveUp
                    };
                }
            }
        }
    }
    Replied::Accepted
}

/// Whether an API error means the chat will never accept our messages.
pub fn is_forbidden(e: &ApiError) -> bool {
    match e {
        ApiError::BotBlocked
        | ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::ChatNotFound
        | ApiError::UserDeactivated
        | ApiError::CantInitiateConversation
        | ApiError::CantTalkWithBots
        | ApiError::GroupDeactivated => true,
        // Newer Telegram wording lands in Unknown: match the description.
        ApiError::Unknown(d) => {
            let d = d.to_ascii_lowercase();
            d.contains("forbidden")
                || d.contains("can't initiate conversation")
                || d.contains("blocked")
        }
        _ => false,
    }
}

/// Whether a failed send may succeed if tried again.
fn transient(e: &RequestError) -> bool {
    match e {
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => true,
        RequestError::Api(ApiError::Unknown(d)) => d.contains("Internal Server Error"),
        _ => false,
    }
}

/// Sends a photo or document with the text as its caption.
async fn send_file(bot: &Bot, chat: i64, out: &Out, f: &OutFile) -> Result<(), RequestError> {
    let input = InputFile::memory(f.bytes.clone()).file_name(f.file_name.clone());
    // A caption is at most 1,024 characters.
    let caption: String = out.text.chars().take(1024).collect();
    let thread = out.thread.map(|t| ThreadId(MessageId(t)));
    if f.photo {
        let mut r = bot
            .send_photo(ChatId(chat), input)
            .caption(caption)
            .parse_mode(ParseMode::Html);
        if let Some(t) = thread {
            r = r.message_thread_id(t);
        }
        r.await.map(drop)
    } else {
        let mut r = bot
            .send_document(ChatId(chat), input)
            .caption(caption)
            .parse_mode(ParseMode::Html);
        if let Some(t) = thread {
            r = r.message_thread_id(t);
        }
        r.await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_kicked_and_never_started_are_forbidden_for_good() {
        assert!(is_forbidden(&ApiError::BotBlocked));
        assert!(is_forbidden(&ApiError::Unknown(
            "Forbidden: bot can't initiate conversation with a user".into()
        )));
        assert!(!is_forbidden(&ApiError::Unknown(
            "Internal Server Error".into()
        )));
        assert!(!is_forbidden(&ApiError::MessageTextIsEmpty));
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;
    use crate::storage::Db;
    use fake_bot_api::{FakeBotApi, Trouble};

    #[tokio::test]
    async fn a_stuck_chat_holds_at_most_its_bound_and_keeps_no_claim_on_the_rest() {
        let api = FakeBotApi::start().await.expect("fake");
        let (_dir, db) = Db::temp().await;
        let url = url::Url::parse(api.url()).expect("url");
        let d = Delivery::new(
            Bot::new("1:x").set_api_url(url),
            db,
            Secrets::default(),
            Default::default(),
        );
        // The chat's first send hangs: everything after it waits.
        api.trouble_chat(-5, Trouble::Stall(Duration::from_secs(30)), 1);
        let outs: Vec<Out> = (0u32..QUEUE_CAP as u32 + 10)
            .map(|seq| Out {
                stored: Some(seq),
                ..Out::to(-5, format!("m{seq}"))
            })
            .collect();
        d.send(1, outs);
        d.send(2, vec![Out::to(-6, "another chat")]);
        // The other chat's worker ends once its queue is sent.
        loop {
            let served = d.inner.progress.notified();
            tokio::pin!(served);
            served.as_mut().enable();
            if !d.inner.lock().chats.contains_key(&-6) {
                break;
            }
            tokio::time::timeout(Duration::from_secs(10), served)
                .await
                .expect("the other chat was served");
        }
        let s = d.inner.lock();
        let queued = s.chats.get(&-5).map_or(0, |q| q.jobs.len());
        assert!(queued <= QUEUE_CAP, "{queued}");
        assert!(queued >= QUEUE_CAP - 1, "{queued}");
        assert_eq!(
            s.known.len(),
            QUEUE_CAP,
            "the ten past the bound are not held"
        );
        assert!(!s.known.contains(&(1, QUEUE_CAP as u32 + 9)));
    }

    #[tokio::test]
    async fn a_chat_over_its_bytes_takes_no_more() {
        let api = FakeBotApi::start().await.expect("fake");
        let (_dir, db) = Db::temp().await;
        let url = url::Url::parse(api.url()).expect("url");
        let d = Delivery::new(
            Bot::new("1:x").set_api_url(url),
            db,
            Secrets::default(),
            Default::default(),
        );
        api.trouble_chat(-5, Trouble::Stall(Duration::from_secs(30)), 1);
        let picture = |i: usize| {
            Out::file(
                -5,
                format!("p{i}"),
                OutFile {
                    photo: true,
                    file_name: "p.png".into(),
                    bytes: vec![0; 1 << 20],
                },
            )
        };
        d.send(1, (0..8).map(picture).collect());
        let s = d.inner.lock();
        let q = s.chats.get(&-5).expect("queue");
        assert!(q.bytes <= QUEUE_BYTES, "{}", q.bytes);
        assert!(q.jobs.len() < 8);
    }
}
