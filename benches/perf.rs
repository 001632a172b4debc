//! Performance benchmark (issue 6): the real `thidua run` binary and a minimal
//! teloxide bot (`examples/floor.rs`, "the floor"), both as processes, against
//! one fast fake Bot API on 127.0.0.1 that lives in this process and serves
//! `getUpdates` from a queue as fast as the bot asks.
//!
//! Prints one JSON object on stdout (progress on stderr):
//! 1. `load`: 20,000 updates from 1,000 heads (40% `/report`, 30% `/status`,
//!    20% `/standings`, 10% `/pledges`), in 10 rounds of 2,000 queued at once,
//!    the floor and thidua taking turns: updates/s and the
//!    latency from the update being handed out in `getUpdates` to its reply
//!    (`sendMessage`) arriving, p50/p99/max; thidua and the floor in the same
//!    run, and their ratios.
//! 2. `scale`: the same mix against a database of 10 blocs and one of 5,000
//!    blocs × 15 units × 6 targets × 3 years of history; per command, the cost
//!    of one update sent alone (latency p50, mean, bot CPU) and large / small.
//! 3. `memory`: peak RSS (VmHWM) of the bot idle, after the load, and with the
//!    large database.
//! 4. `startup`: process start to the first `getUpdates` on the existing large
//!    database (migrations checked at every start).
//! 5. `fanout`: reminders to 5,000 heads in one scheduler tick through the
//!    limiter, in-process against `fake_bot_api` enforcing 30/s: messages/s
//!    ÷ 30 and the 429s received (about 3 minutes).
//!
//! ```text
//! cargo build --release --example floor
//! cargo bench --bench perf                       # full run, about 10 minutes
//! cargo bench --bench perf -- --quick            # every size 10× smaller
//! cargo bench --bench perf -- --no-fanout        # all but the 3-minute fan-out
//! cargo bench --bench perf -- --only load,scale  # some sections
//! cargo bench --bench perf -- --compare /tmp/thidua-before  # this build vs another
//! ```
//! Both bots run with the environment the Docker image sets for performance
//! (`MALLOC_ARENA_MAX=2`, see the Dockerfile); `--bare-env` runs them without.
//! The floor must be built first (a bench cannot run cargo: cargo holds the
//! build directory's lock while the bench runs). No assertions on timing: the
//! replies are counted and checked (every update answered once, none with a
//! refusal or an error), the figures are only reported, with each goal of the
//! issue marked met or not.
//!
//! To look closer: `THIDUA_PERF_KEEP=1` keeps the databases and the bots'
//! logs, `THIDUA_PERF_BOT_LOG` is the bot's `RUST_LOG`, and
//! `THIDUA_PERF_WRAP="/usr/bin/perf record -g -o /tmp/{name}.data --"` runs
//! every thidua process under a profiler.

use anyhow::{Context, bail, ensure};
use bytes::Bytes;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use thidua::domain::args::TargetAdd;
use thidua::harness::{FAKE_TOKEN, Harness};
use thidua::scheduler::telegram_limits;
use thidua::storage::targets::NewTarget;
use thidua::storage::{Db, blocs, targets, units};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tracing_subscriber::EnvFilter;

const TZ: &str = "Asia/Ho_Chi_Minh";
const UNITS_PER_BLOC: usize = 15;
const TARGETS_PER_YEAR: usize = 6;
const YEARS: i32 = 3;
/// Waiting longer than this for a reply means the bot is stuck.
const STUCK: Duration = Duration::from_secs(60);

/// utime + stime of a `/proc/.../stat` file, in USER_HZ = 100 ticks/s
/// (fields 14 and 15); 0 if it cannot be read.
fn stat_ticks(path: &str) -> u64 {
    let Ok(s) = std::fs::read_to_string(path) else {
        return 0;
    };
    let Some((_, rest)) = s.rsplit_once(')') else {
        return 0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    ticks(11) + ticks(12)
}

// ---------------------------------------------------------------- sizes

/// Every size of the run; `--quick` divides each by 10.
#[derive(Debug, Clone, Copy, Serialize)]
struct Sizes {
    /// Updates of the load test (and of the mixed runs of the scale test).
    updates: usize,
    /// Heads sending them.
    heads: usize,
    /// Updates handled before each measured run (not measured).
    warmup: usize,
    /// Blocs of the load test's database (enough for `heads`).
    load_blocs: usize,
    /// Blocs of the scale test's small database.
    small_blocs: usize,
    /// Blocs of the scale test's large database.
    large_blocs: usize,
    /// Updates sent one at a time, per scale database, over the four commands.
    per_command: usize,
    /// Heads reminded in the fan-out test.
    fanout_heads: usize,
    /// Start-ups timed on the large database.
    startup_runs: usize,
}

impl Sizes {
    fn new(quick: bool) -> Sizes {
        let d = if quick { 10 } else { 1 };
        let heads = 1_000 / d;
        Sizes {
            updates: 20_000 / d,
            heads,
            warmup: 1_000 / d,
            load_blocs: heads.div_ceil(UNITS_PER_BLOC),
            // Already small: kept at 10 blocs in both modes.
            small_blocs: 10,
            large_blocs: 5_000 / d,
            per_command: 4_000 / d,
            fanout_heads: 5_000 / d,
            startup_runs: 5,
        }
    }
}

struct Args {
    quick: bool,
    /// Sections to run; all when empty.
    only: Vec<String>,
    fanout: bool,
    /// Another thidua binary to compare this build with.
    compare: Option<PathBuf>,
    /// Run the bots without the Docker image's environment.
    bare_env: bool,
}

impl Args {
    fn runs(&self, section: &str) -> bool {
        self.compare.is_none()
            && (self.only.is_empty() || self.only.iter().any(|s| s == section))
            && (section != "fanout" || self.fanout)
    }
}

/// `--quick`, `--no-fanout`, `--only load,scale,startup,fanout`,
/// `--compare <thidua binary>` (only that comparison), `--bare-env`.
fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        quick: false,
        only: Vec::new(),
        fanout: true,
        compare: None,
        bare_env: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let only = match arg.as_str() {
            "--quick" => {
                a.quick = true;
                continue;
            }
            "--no-fanout" => {
                a.fanout = false;
                continue;
            }
            "--bare-env" => {
                a.bare_env = true;
                continue;
            }
            "--compare" => {
                let bin = args.next().context("--compare needs a thidua binary")?;
                a.compare = Some(PathBuf::from(bin));
                continue;
            }
            "--only" => args.next().context("--only needs a list of sections")?,
            other => match other.strip_prefix("--only=") {
                Some(v) => v.to_owned(),
                // Anything else (cargo's `--bench`) is ignored.
                None => continue,
            },
        };
        for s in only.split(',') {
            ensure!(
                ["load", "scale", "startup", "fanout"].contains(&s),
                "--only: unknown section {s:?} (load, scale, startup, fanout)"
            );
            a.only.push(s.to_owned());
        }
    }
    Ok(a)
}

// ---------------------------------------------------------------- the mix

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Report,
    Status,
    Standings,
    Pledges,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Report, Kind::Status, Kind::Standings, Kind::Pledges];

    /// Share of the mix, in percent.
    fn share(self) -> usize {
        match self {
            Kind::Report => 40,
            Kind::Status => 30,
            Kind::Standings => 20,
            Kind::Pledges => 10,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Report => "report",
            Kind::Status => "status",
            Kind::Standings => "standings",
            Kind::Pledges => "pledges",
        }
    }
}

/// splitmix64: a fixed, dependency-free sequence, so every run sends the
/// same updates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The six targets of every bloc's year: code, kind, op, goal, weight, name.
const TARGETS: [(&str, &str, &str, f64, i64, &str); TARGETS_PER_YEAR] = [
    (
        "HTNV",
        "percent",
        ">=",
        100.0,
        25,
        "Tỷ lệ CBCCVC hoàn thành nhiệm vụ trở lên",
    ),
    (
        "XS",
        "percent",
        ">=",
        15.0,
        15,
        "Tỷ lệ CBCCVC hoàn thành xuất sắc nhiệm vụ",
    ),
    (
        "TSVM",
        "yesno",
        "=",
        1.0,
        15,
        "Chi bộ, Đảng bộ đạt \"Trong sạch vững mạnh\"",
    ),
    (
        "CQVH",
        "yesno",
        "=",
        1.0,
        10,
        "Cơ quan đạt chuẩn \"Cơ quan văn hóa\"",
    ),
    (
        "THU",
        "percent",
        ">=",
        100.0,
        20,
        "Thu ngân sách đạt dự toán (% dự toán)",
    ),
    ("SK", "number", ">=", 5.0, 15, "Số sáng kiến được công nhận"),
];

/// What a head types for one command.
fn command_text(kind: Kind, rng: &mut Rng) -> String {
    match kind {
        Kind::Report => {
            let (code, k, ..) = TARGETS[rng.below(TARGETS.len())];
            let value = match k {
                "percent" => (60 + rng.below(60)).to_string(),
                "yesno" => if rng.below(4) == 0 { "không" } else { "có" }.to_owned(),
                _ => rng.below(12).to_string(),
            };
            format!("/report {code} {value}")
        }
        Kind::Status => "/status".into(),
        Kind::Standings => "/standings".into(),
        Kind::Pledges => "/pledges".into(),
    }
}

/// `n` commands in the issue's proportions (exact counts), shuffled, each
/// from a head picked at random.
fn mix(n: usize, heads: &[i64], rng: &mut Rng) -> Vec<Msg> {
    let mut kinds = Vec::with_capacity(n);
    for k in Kind::ALL {
        kinds.extend(std::iter::repeat_n(k, n * k.share() / 100));
    }
    while kinds.len() < n {
        kinds.push(Kind::Report);
    }
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i + 1));
    }
    kinds
        .into_iter()
        .map(|kind| Msg {
            kind,
            chat: heads[rng.below(heads.len())],
            text: command_text(kind, rng),
        })
        .collect()
}

/// `n` commands of one kind.
fn only(kind: Kind, n: usize, heads: &[i64], rng: &mut Rng) -> Vec<Msg> {
    (0..n)
        .map(|_| Msg {
            kind,
            chat: heads[rng.below(heads.len())],
            text: command_text(kind, rng),
        })
        .collect()
}

/// One message of a head to the bot in private.
#[derive(Debug, Clone)]
struct Msg {
    kind: Kind,
    chat: i64,
    text: String,
}

fn head_user(unit_id: i64) -> i64 {
    600_000_000 + unit_id
}

// ---------------------------------------------------------------- the fake

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
struct Fake {
    url: String,
    inner: Arc<FakeInner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Fake {
    async fn start() -> anyhow::Result<Fake> {
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
    fn load(&self, msgs: &[Msg]) -> Range<usize> {
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
    fn release_to(&self, end: usize) {
        {
            let mut s = self.inner.lock();
            s.released = s.released.max(end.min(s.updates.len()));
        }
        self.inner.released.notify_waiters();
    }

    /// Waits until every update below `end` is answered; fails when no
    /// reply comes for `limit`.
    async fn answered(&self, end: usize, limit: Duration) -> anyhow::Result<()> {
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

    async fn first_poll(&self, limit: Duration) -> anyhow::Result<Instant> {
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
    fn timings(&self, range: Range<usize>) -> Timings {
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

    fn unmatched(&self) -> usize {
        self.inner.lock().unmatched
    }

    fn samples(&self) -> Vec<(&'static str, String)> {
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
struct Timings {
    first_served: Option<Instant>,
    last_reply: Option<Instant>,
    all: Vec<f64>,
    by_kind: HashMap<Kind, Vec<f64>>,
    refused: usize,
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

// ---------------------------------------------------------------- processes

/// The environment the Docker image gives the bot (see the Dockerfile),
/// for both bots; empty with `--bare-env`.
static BOT_ENV: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();

/// The Dockerfile's runtime `ENV` that concerns performance.
const IMAGE_ENV: [(&str, &str); 1] = [("MALLOC_ARENA_MAX", "2")];

/// A bot running as a process against the fake.
struct Proc {
    name: &'static str,
    child: tokio::process::Child,
    pid: u32,
    spawned: Instant,
    log: PathBuf,
}

impl Proc {
    async fn spawn(
        name: &'static str,
        bin: &Path,
        fake: &Fake,
        db_url: Option<&str>,
        dir: &Path,
    ) -> anyhow::Result<Proc> {
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = dir.join(format!("{name}-{run}.log"));
        let file = std::fs::File::create(&log)?;
        // Profiling: THIDUA_PERF_WRAP="/usr/bin/perf record -o /tmp/{name}.data --"
        // runs thidua under the profiler, `{name}` naming the run (the RSS
        // and CPU figures are then the wrapper's).
        let wrap: Vec<String> = std::env::var("THIDUA_PERF_WRAP")
            .ok()
            .filter(|_| db_url.is_some())
            .map(|w| {
                w.split_whitespace()
                    .map(|a| a.replace("{name}", &format!("{name}-{run}")))
                    .collect()
            })
            .unwrap_or_default();
        let mut cmd = match wrap.split_first() {
            Some((first, rest)) => {
                let mut c = tokio::process::Command::new(first);
                c.args(rest).arg(bin);
                c
            }
            None => tokio::process::Command::new(bin),
        };
        cmd.env_clear()
            .env("TELOXIDE_TOKEN", FAKE_TOKEN)
            .env("TELOXIDE_API_URL", &fake.url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .kill_on_drop(true);
        if let Some(url) = db_url {
            cmd.arg("run").env("DATABASE_URL", url);
        }
        for (k, v) in BOT_ENV.get().map(Vec::as_slice).unwrap_or_default() {
            cmd.env(k, v);
        }
        // THIDUA_PERF_BOT_LOG=sqlx::query=debug: the bot's RUST_LOG (its log
        // is in the kept directory, see THIDUA_PERF_KEEP).
        if let Ok(filter) = std::env::var("THIDUA_PERF_BOT_LOG") {
            cmd.env("RUST_LOG", filter);
        }
        let spawned = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id().context("no pid")?;
        Ok(Proc {
            name,
            child,
            pid,
            spawned,
            log,
        })
    }

    /// A field of /proc/<pid>/status, in kB.
    fn status_kb(&self, key: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        s.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    }

    fn peak_rss_kb(&self) -> u64 {
        self.status_kb("VmHWM").unwrap_or(0)
    }

    /// CPU time of the whole process (every thread), user + system, in ms.
    /// Live threads are counted in nanoseconds (`task/*/schedstat`), threads
    /// that have exited in the 10 ms ticks of `stat` (all that is left of
    /// them): a difference of two readings is then exact to a few µs unless
    /// a thread exited in between.
    fn cpu_ms(&self) -> f64 {
        let proc_ticks = stat_ticks(&format!("/proc/{}/stat", self.pid));
        let (mut live_ticks, mut live_ns) = (0, 0);
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) {
            for t in tasks.flatten() {
                let dir = t.path();
                let ns = std::fs::read_to_string(dir.join("schedstat"))
                    .ok()
                    .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
                // A thread that exits between the two reads is left to `stat`.
                if let Some(ns) = ns {
                    live_ticks += stat_ticks(&dir.join("stat").to_string_lossy());
                    live_ns += ns;
                }
            }
        }
        proc_ticks.saturating_sub(live_ticks) as f64 * 10.0 + live_ns as f64 / 1e6
    }

    fn alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{} exited ({status}); log:\n{}", self.name, self.log_tail());
        }
        Ok(())
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Waits until the process has used no CPU for 300 ms (start-up work
    /// such as the scheduler's catch-up tick is over), up to `limit`.
    async fn settle(&mut self, limit: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + limit;
        let mut last = self.cpu_ms();
        let mut quiet = 0;
        while Instant::now() < deadline && quiet < 3 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.alive()?;
            let now = self.cpu_ms();
            quiet = if now > last { 0 } else { quiet + 1 };
            last = now;
        }
        Ok(())
    }

    /// SIGTERM (a graceful shutdown; a profiler wrapping the bot writes
    /// its data), SIGKILL after 10 s.
    async fn stop(mut self) {
        let _ = tokio::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.start_kill();
            let _ = self.child.wait().await;
        }
    }
}

// ---------------------------------------------------------------- figures

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[derive(Debug, Clone, Serialize)]
struct Latency {
    p50: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

impl Latency {
    fn of(values: &[f64]) -> Latency {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let mean = if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        };
        Latency {
            p50: round(percentile(&v, 0.50), 3),
            p99: round(percentile(&v, 0.99), 3),
            max: round(v.last().copied().unwrap_or(0.0), 3),
            mean: round(mean, 3),
        }
    }
}

/// A run of updates all queued at once.
#[derive(Debug, Clone, Serialize)]
struct Burst {
    updates: usize,
    seconds: f64,
    updates_per_sec: f64,
    latency_ms: Latency,
    cpu_ms_per_update: f64,
    peak_rss_kb: u64,
    /// RSS at the end, anonymous (heap, stacks) and file-backed (the binary).
    rss_anon_kb: u64,
    rss_file_kb: u64,
    /// Threads of the process at the end.
    threads: u64,
}

/// Queues `msgs` at once and waits for every reply.
async fn burst(fake: &Fake, bot: &mut Proc, msgs: &[Msg]) -> anyhow::Result<Burst> {
    let mut lanes = [Lane {
        fake,
        bot,
        msgs: msgs.to_vec(),
    }];
    let mut b = bursts(&mut lanes, 1).await?;
    b.pop().context("one lane")
}

/// Each lane's updates in `rounds` parts, each part queued at once and
/// answered before the next lane's part: both bots meet the same background
/// load of a shared machine.
async fn bursts(lanes: &mut [Lane<'_>], rounds: usize) -> anyhow::Result<Vec<Burst>> {
    let mut done: Vec<(Vec<Range<usize>>, f64, f64)> = vec![(Vec::new(), 0.0, 0.0); lanes.len()];
    for r in 0..rounds {
        for (l, (ranges, seconds, cpu)) in lanes.iter_mut().zip(done.iter_mut()) {
            let part = l.msgs.len().div_ceil(rounds);
            let msgs = &l.msgs[(r * part).min(l.msgs.len())..((r + 1) * part).min(l.msgs.len())];
            if msgs.is_empty() {
                continue;
            }
            let range = l.fake.load(msgs);
            let before = l.bot.cpu_ms();
            l.fake.release_to(range.end);
            let waited = l.fake.answered(range.end, STUCK).await;
            if waited.is_err() {
                l.bot.alive()?;
            }
            waited?;
            *cpu += l.bot.cpu_ms() - before;
            let t = l.fake.timings(range.clone());
            if let (Some(a), Some(b)) = (t.first_served, t.last_reply) {
                *seconds += b.duration_since(a).as_secs_f64();
            }
            ranges.push(range);
        }
    }
    let mut out = Vec::new();
    for (l, (ranges, seconds, cpu)) in lanes.iter().zip(done) {
        let mut all = Vec::new();
        let mut refused = 0;
        for range in &ranges {
            let t = l.fake.timings(range.clone());
            all.extend(t.all);
            refused += t.refused;
        }
        let n: usize = ranges.iter().map(Range::len).sum();
        ensure!(
            refused == 0,
            "{}: {refused} of {n} commands were refused or failed; samples: {:?}",
            l.bot.name,
            l.fake.samples()
        );
        out.push(Burst {
            updates: n,
            seconds: round(seconds, 3),
            updates_per_sec: round(n as f64 / seconds, 1),
            latency_ms: Latency::of(&all),
            cpu_ms_per_update: round(cpu / n as f64, 4),
            peak_rss_kb: l.bot.peak_rss_kb(),
            rss_anon_kb: l.bot.status_kb("RssAnon").unwrap_or(0),
            rss_file_kb: l.bot.status_kb("RssFile").unwrap_or(0),
            threads: l.bot.status_kb("Threads").unwrap_or(0),
        });
    }
    Ok(out)
}

/// One kind of command sent alone, one update at a time.
#[derive(Debug, Clone, Serialize)]
struct Alone {
    updates: usize,
    latency_ms: Latency,
    cpu_ms_per_update: f64,
}

/// A bot with its fake and the updates it is to get.
struct Lane<'a> {
    fake: &'a Fake,
    bot: &'a mut Proc,
    msgs: Vec<Msg>,
}

/// Sends each lane's updates one at a time, taking turns between the lanes
/// (one to the first bot, its reply, one to the second…), so that both bots
/// meet the same background load of a shared machine.
async fn one_by_one(lanes: &mut [Lane<'_>]) -> anyhow::Result<Vec<Alone>> {
    let mut ranges = Vec::new();
    let mut cpu = Vec::new();
    for l in lanes.iter() {
        ranges.push(l.fake.load(&l.msgs));
        cpu.push(l.bot.cpu_ms());
    }
    let longest = ranges.iter().map(Range::len).max().unwrap_or(0);
    for k in 0..longest {
        for (l, range) in lanes.iter_mut().zip(&ranges) {
            if k >= range.len() {
                continue;
            }
            let i = range.start + k;
            l.fake.release_to(i + 1);
            let waited = l.fake.answered(i + 1, STUCK).await;
            if waited.is_err() {
                l.bot.alive()?;
            }
            waited?;
        }
    }
    let mut out = Vec::new();
    for ((l, range), cpu) in lanes.iter().zip(ranges).zip(cpu) {
        let cpu = l.bot.cpu_ms() - cpu;
        let t = l.fake.timings(range.clone());
        ensure!(
            t.refused == 0,
            "{}: {} commands refused or failed; samples: {:?}",
            l.bot.name,
            t.refused,
            l.fake.samples()
        );
        out.push(Alone {
            updates: range.len(),
            latency_ms: Latency::of(&t.all),
            cpu_ms_per_update: round(cpu / range.len() as f64, 4),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- seeding

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("thidua-bench-perf-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // THIDUA_PERF_KEEP=1 keeps the databases and the bots' logs to look at.
        if std::env::var_os("THIDUA_PERF_KEEP").is_some() {
            eprintln!("kept {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A seeded database.
struct Seeded {
    url: String,
    path: PathBuf,
    blocs: usize,
    reports: i64,
    seconds: f64,
}

impl Seeded {
    fn megabytes(&self) -> f64 {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        round((size(&self.path) + size(&wal)) as f64 / 1e6, 1)
    }

    /// Heads of `n` units spread evenly over the database.
    fn heads(&self, n: usize) -> Vec<i64> {
        let units = self.blocs * UNITS_PER_BLOC;
        let n = n.min(units);
        let step = units / n;
        (0..n).map(|i| head_user((i * step + 1) as i64)).collect()
    }
}

/// `blocs` blocs × 15 units (each with a head) × 6 targets × 3 years: the
/// two past years fully reported (mid and final) and signed, this year's
/// mid reported, two units in three signed, one unit goal per unit and
/// year, an audit row per report. Written with a few INSERT … SELECT in
/// one transaction.
///
/// Every bloc's deadlines this year are moved months ahead, with one
/// reminder day: the scheduler, which ticks inside `thidua run`, then has
/// nothing due and sends no reminder during the measures.
async fn seed(dir: &Path, name: &str, blocs: usize, now: DateTime<Utc>) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let path = dir.join(format!("{name}.db"));
    let url = format!("sqlite://{}", path.display());
    let db = Db::open(&url).await?;
    let tz: chrono_tz::Tz = TZ.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let today = now.with_timezone(&tz).date_naive();
    let year = today.year();
    let n = blocs as i64;
    let at = |y: i32, m: u32, d: u32| -> anyhow::Result<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, m, d, 2, 0, 0)
            .single()
            .context("date")
    };
    let mut tx = db.write().await?;
    sqlx::query(
        "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?1)
         INSERT INTO blocs (id, chat_id, name, tz, created_by, created_at)
         SELECT i + 1, -1000000000000 - i, printf('Khối thi đua %04d', i + 1), ?2, 500000000 + i, ?3 FROM s",
    )
    .bind(n)
    .bind(TZ)
    .bind(at(year - YEARS + 1, 1, 5)?)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO bloc_admins (bloc_id, user_id, name, added_by, added_at)
         SELECT id, created_by, 'Nguyễn Văn An', created_by, created_at FROM blocs",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH RECURSIVE u(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM u WHERE j + 1 < ?1)
         INSERT INTO units (id, bloc_id, code, name, head_user_id, head_name, created_at)
         SELECT (b.id - 1) * ?1 + j + 1, b.id, printf('DV%02d', j + 1),
                printf('Đơn vị %02d khối %04d', j + 1, b.id),
                600000000 + (b.id - 1) * ?1 + j + 1, printf('Trưởng đơn vị %02d', j + 1), b.created_at
         FROM blocs b, u ORDER BY b.id, j",
    )
    .bind(UNITS_PER_BLOC as i64)
    .execute(&mut *tx)
    .await?;
    for (k, (code, kind, op, goal, weight, tname)) in TARGETS.iter().enumerate() {
        sqlx::query(
            "WITH RECURSIVE y(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM y WHERE n + 1 < ?1)
             INSERT INTO targets (id, bloc_id, year, code, kind, op, goal, weight, name, created_at, draft)
             SELECT ((y.n * ?2) + b.id - 1) * ?3 + ?4 + 1, b.id, ?5 + y.n, ?6, ?7, ?8, ?9, ?10, ?11, b.created_at, 0
             FROM y, blocs b",
        )
        .bind(YEARS)
        .bind(n)
        .bind(TARGETS_PER_YEAR as i64)
        .bind(k as i64)
        .bind(year - YEARS + 1)
        .bind(code)
        .bind(kind)
        .bind(op)
        .bind(goal)
        .bind(weight)
        .bind(tname)
        .execute(&mut *tx)
        .await?;
    }
    // One own goal per unit and year, on a numeric target.
    sqlx::query(
        "INSERT INTO unit_goals (unit_id, target_id, op, goal)
         SELECT u.id, t.id, '>=', t.goal * 0.9 FROM units u JOIN targets t ON t.bloc_id = u.bloc_id
         WHERE t.code = CASE u.id % 4 WHEN 0 THEN 'HTNV' WHEN 1 THEN 'XS' WHEN 2 THEN 'THU' ELSE 'SK' END",
    )
    .execute(&mut *tx)
    .await?;
    for y in (year - YEARS + 1)..=year {
        sqlx::query(
            "INSERT INTO pledges (unit_id, year, signed_by, signed_at)
             SELECT id, ?1, head_user_id, ?2 FROM units WHERE ?1 < ?3 OR id % 3 <> 0",
        )
        .bind(y)
        .bind(at(y, 3, 20)?)
        .bind(year)
        .execute(&mut *tx)
        .await?;
        let periods: &[(&str, u32)] = if y < year {
            &[("mid", 7), ("final", 12)]
        } else {
            &[("mid", 7)]
        };
        for (period, month) in periods {
            sqlx::query(
                "INSERT INTO reports (unit_id, target_id, period, value, raw, note, reported_by, reported_at)
                 SELECT unit_id, target_id, ?2, value, CASE kind WHEN 'yesno' THEN 'có' ELSE CAST(CAST(value AS INTEGER) AS TEXT) END,
                        '', reported_by, ?3
                 FROM (SELECT u.id AS unit_id, t.id AS target_id, t.kind AS kind, u.head_user_id AS reported_by,
                              CASE t.kind WHEN 'yesno' THEN 1.0
                                          WHEN 'percent' THEN 70 + (u.id * 7 + t.id * 13) % 50
                                          ELSE (u.id + t.id) % 12 END AS value
                       FROM units u JOIN targets t ON t.bloc_id = u.bloc_id AND t.year = ?1
                       ORDER BY u.id, t.id)",
            )
            .bind(y)
            .bind(period)
            .bind(at(y, *month, 1)?)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO rollovers (bloc_id, year, copied, at) SELECT id, ?1, 0, ?2 FROM blocs",
        )
        .bind(y)
        .bind(at(y, 1, 1)?)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, bloc_id, unit_id, action, subject, old_value, new_value)
         SELECT r.reported_at, r.reported_by, u.bloc_id, r.unit_id, 'report',
                u.code || '/' || t.code || '/' || r.period || '/' || t.year, NULL, r.raw
         FROM reports r JOIN units u ON u.id = r.unit_id JOIN targets t ON t.id = r.target_id ORDER BY r.id",
    )
    .execute(&mut *tx)
    .await?;
    let ahead = |days: i64| today + chrono::Duration::days(days);
    sqlx::query(
        "INSERT INTO schedules (bloc_id, year, pledge_date, mid_date, final_date, remind_days, send_time)
         SELECT id, ?1, ?2, ?3, ?4, '1', '08:00' FROM blocs",
    )
    .bind(year)
    .bind(ahead(100))
    .bind(ahead(200))
    .bind(ahead(300))
    .execute(&mut *tx)
    .await?;
    let reports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.pool())
        .await?;
    db.close().await;
    let seeded = Seeded {
        url,
        path,
        blocs,
        reports,
        seconds: round(started.elapsed().as_secs_f64(), 2),
    };
    eprintln!(
        "seeded {name}: {blocs} blocs, {} reports, {} MB in {:.1}s",
        seeded.reports,
        seeded.megabytes(),
        seeded.seconds
    );
    Ok(seeded)
}

// ---------------------------------------------------------------- sections

#[derive(Debug, Serialize)]
struct LoadSection {
    updates: usize,
    heads: usize,
    mix: &'static str,
    database_blocs: usize,
    thidua: Burst,
    floor: Burst,
    /// thidua / floor.
    ratio_throughput: f64,
    /// thidua / floor.
    ratio_p99: f64,
}

#[derive(Debug, Serialize)]
struct ScaleDb {
    blocs: usize,
    units: usize,
    reports: i64,
    megabytes: f64,
    seed_seconds: f64,
    /// Heads sending the mix.
    heads: usize,
    /// The mix, all queued at once.
    mixed: Burst,
    /// Each command sent alone, one update at a time.
    per_command: BTreeMap<&'static str, Alone>,
}

#[derive(Debug, Serialize)]
struct Ratio {
    /// large / small of the median latency of one update sent alone.
    latency_p50: f64,
    /// large / small of the mean latency.
    latency_mean: f64,
    /// large / small of the bot's CPU time per update.
    cpu: f64,
}

#[derive(Debug, Serialize)]
struct ScaleSection {
    /// Heads sending each command alone, on either database.
    alone_heads: usize,
    small: ScaleDb,
    large: ScaleDb,
    ratio_large_small: BTreeMap<&'static str, Ratio>,
}

#[derive(Debug, Serialize)]
struct MemorySection {
    thidua_idle_kb: u64,
    thidua_load_kb: u64,
    thidua_large_db_kb: u64,
    floor_idle_kb: u64,
    floor_load_kb: u64,
}

#[derive(Debug, Serialize)]
struct StartupSection {
    database_blocs: usize,
    runs_ms: Vec<f64>,
    median_ms: f64,
    max_ms: f64,
    /// The floor's, on no database (measured in the load section).
    floor_ms: Option<f64>,
}

#[derive(Debug, Serialize)]
struct FanoutSection {
    blocs: usize,
    heads: usize,
    messages: usize,
    seconds: f64,
    messages_per_sec: f64,
    ceiling_per_sec: u32,
    ratio_to_ceiling: f64,
    http_429: u64,
}

#[derive(Debug, Serialize)]
struct Goal {
    goal: String,
    value: f64,
    met: bool,
}

#[derive(Debug, Serialize)]
struct Machine {
    nproc: usize,
    arch: &'static str,
    cpu: String,
}

#[derive(Debug, Serialize)]
struct Output {
    bench: &'static str,
    quick: bool,
    /// Environment given to both bots (the Docker image's; see the Dockerfile).
    bot_env: Vec<String>,
    machine: Machine,
    sizes: Sizes,
    load: Option<LoadSection>,
    scale: Option<ScaleSection>,
    memory: MemorySection,
    startup: Option<StartupSection>,
    fanout: Option<FanoutSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compare: Option<CompareSection>,
    goals: Vec<Goal>,
}

fn machine() -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    Machine {
        nproc: std::thread::available_parallelism().map_or(0, usize::from),
        arch: std::env::consts::ARCH,
        cpu,
    }
}

struct Bins {
    thidua: PathBuf,
    floor: PathBuf,
}

fn bins() -> anyhow::Result<Bins> {
    let thidua = PathBuf::from(env!("CARGO_BIN_EXE_thidua"));
    let floor = thidua
        .parent()
        .context("binary directory")?
        .join("examples")
        .join("floor");
    ensure!(
        floor.exists(),
        "{} is missing: run `cargo build --release --example floor` first (with the same CARGO_TARGET_DIR)",
        floor.display()
    );
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/floor.rs");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(b), Some(s)) = (modified(&floor), modified(&source))
        && b < s
    {
        eprintln!(
            "warning: {} is older than examples/floor.rs: rebuild it",
            floor.display()
        );
    }
    Ok(Bins { thidua, floor })
}

/// A bot process against its own fake, started and settled.
async fn start_bot(
    name: &'static str,
    bin: &Path,
    db: Option<&Seeded>,
    dir: &Path,
) -> anyhow::Result<(Fake, Proc, f64)> {
    let fake = Fake::start().await?;
    let mut bot = Proc::spawn(name, bin, &fake, db.map(|d| d.url.as_str()), dir).await?;
    let first = match fake.first_poll(Duration::from_secs(60)).await {
        Ok(t) => t,
        Err(e) => {
            bot.alive()?;
            return Err(e);
        }
    };
    let startup_ms = first.duration_since(bot.spawned).as_secs_f64() * 1e3;
    bot.settle(Duration::from_secs(60)).await?;
    Ok((fake, bot, round(startup_ms, 1)))
}

/// Parts of the load, each bot answering one before the other gets its own.
const LOAD_ROUNDS: usize = 10;

async fn load_section(
    sizes: &Sizes,
    bins: &Bins,
    db: &Seeded,
    dir: &Path,
    memory: &mut MemorySection,
    startups: &mut Vec<(&'static str, f64)>,
) -> anyhow::Result<LoadSection> {
    let heads = db.heads(sizes.heads);
    let mut rng = Rng(6);
    let warm = mix(sizes.warmup, &heads, &mut rng);
    let msgs = mix(sizes.updates, &heads, &mut rng);

    let (floor_fake, mut floor_bot, ms) = start_bot("floor", &bins.floor, None, dir).await?;
    startups.push(("floor", ms));
    memory.floor_idle_kb = floor_bot.peak_rss_kb();
    let (fake, mut bot, ms) = start_bot("thidua", &bins.thidua, Some(db), dir).await?;
    startups.push(("thidua-load", ms));
    memory.thidua_idle_kb = bot.peak_rss_kb();
    burst(&floor_fake, &mut floor_bot, &warm).await?;
    burst(&fake, &mut bot, &warm).await?;
    // Taking turns, so that a shared machine's background load falls on both
    // (the floor alone moved between 13,000 and 19,000 updates/s from one run
    // to the next when each bot had its own minute).
    eprintln!(
        "load: floor and thidua, {} updates each in {LOAD_ROUNDS} rounds, taking turns",
        msgs.len()
    );
    let mut lanes = [
        Lane {
            fake: &floor_fake,
            bot: &mut floor_bot,
            msgs: msgs.clone(),
        },
        Lane {
            fake: &fake,
            bot: &mut bot,
            msgs: msgs.clone(),
        },
    ];
    let mut b = bursts(&mut lanes, LOAD_ROUNDS).await?;
    let thidua = b.pop().context("thidua")?;
    let floor = b.pop().context("floor")?;
    memory.floor_load_kb = floor.peak_rss_kb;
    memory.thidua_load_kb = thidua.peak_rss_kb;
    ensure!(
        floor_fake.unmatched() == 0,
        "floor: replies to unknown chats"
    );
    ensure!(fake.unmatched() == 0, "thidua: replies to unknown chats");
    eprintln!("  floor:  {floor:?}\n  thidua: {thidua:?}");
    for (k, t) in fake.samples() {
        eprintln!("  {k}: {t:?}");
    }
    floor_bot.stop().await;
    bot.stop().await;

    Ok(LoadSection {
        updates: msgs.len(),
        heads: heads.len(),
        mix: "40% /report, 30% /status, 20% /standings, 10% /pledges",
        database_blocs: db.blocs,
        ratio_throughput: round(thidua.updates_per_sec / floor.updates_per_sec, 3),
        ratio_p99: round(thidua.latency_ms.p99 / floor.latency_ms.p99, 3),
        thidua,
        floor,
    })
}

/// Both scale databases, each with its own bot running at the same time:
/// each command alone, taking turns between the two bots, then the mix all
/// queued at once on one then the other. Returns the large bot's peak RSS.
async fn scale_section(
    sizes: &Sizes,
    bins: &Bins,
    small_db: &Seeded,
    large_db: &Seeded,
    dir: &Path,
    startups: &mut Vec<(&'static str, f64)>,
) -> anyhow::Result<(ScaleSection, u64)> {
    let mut rng = Rng(7);
    // Each command alone goes to as many heads on both sides (all the small
    // database's, spread over the large one), first, so that both databases
    // have the same report history per unit when they are compared.
    let alone_heads = small_db.heads(sizes.heads).len();
    let mut sides = Vec::new();
    for (name, db) in [("thidua-small", small_db), ("thidua-large", large_db)] {
        let heads = db.heads(alone_heads);
        let (fake, bot, ms) = start_bot(name, &bins.thidua, Some(db), dir).await?;
        startups.push((name, ms));
        sides.push((db, heads, fake, bot));
    }
    let warm = sizes.warmup / 10;
    for (_, heads, fake, bot) in &mut sides {
        let msgs: Vec<Msg> = Kind::ALL
            .iter()
            .flat_map(|k| only(*k, warm, heads, &mut rng))
            .collect();
        one_by_one(&mut [Lane { fake, bot, msgs }]).await?;
    }
    eprintln!(
        "scale: {} updates one at a time to each of 10 and {} blocs ({alone_heads} heads each), taking turns",
        sizes.per_command, large_db.blocs
    );
    let mut per_command = [BTreeMap::new(), BTreeMap::new()];
    for kind in Kind::ALL {
        let n = sizes.per_command * kind.share() / 100;
        let mut lanes: Vec<Lane> = sides
            .iter_mut()
            .map(|(_, heads, fake, bot)| Lane {
                msgs: only(kind, n, heads, &mut rng),
                fake,
                bot,
            })
            .collect();
        let alone = one_by_one(&mut lanes).await?;
        for (side, a) in alone.into_iter().enumerate() {
            eprintln!("  {} {}: {a:?}", ["small", "large"][side], kind.name());
            per_command[side].insert(kind.name(), a);
        }
    }
    // Then the load: every head of the small database, 1,000 heads of the large.
    let mut mixed = Vec::new();
    for (db, heads, fake, bot) in &mut sides {
        *heads = db.heads(sizes.heads);
        let msgs = mix(sizes.updates, heads, &mut rng);
        eprintln!(
            "scale: thidua on {} blocs ({} heads), {} updates",
            db.blocs,
            heads.len(),
            msgs.len()
        );
        let b = burst(fake, bot, &msgs).await?;
        eprintln!("  mixed: {b:?}");
        mixed.push(b);
    }
    let mut dbs = Vec::new();
    let mut rss = 0;
    for (((db, heads, fake, bot), mixed), per_command) in
        sides.into_iter().zip(mixed).zip(per_command)
    {
        ensure!(
            fake.unmatched() == 0,
            "{}: replies to unknown chats",
            bot.name
        );
        rss = bot.peak_rss_kb();
        bot.stop().await;
        dbs.push(ScaleDb {
            blocs: db.blocs,
            units: db.blocs * UNITS_PER_BLOC,
            reports: db.reports,
            megabytes: db.megabytes(),
            seed_seconds: db.seconds,
            heads: heads.len(),
            mixed,
            per_command,
        });
    }
    let large = dbs.pop().context("large")?;
    let small = dbs.pop().context("small")?;
    let ratio_large_small = Kind::ALL
        .iter()
        .filter_map(|k| {
            let s = small.per_command.get(k.name())?;
            let l = large.per_command.get(k.name())?;
            let r = |a: f64, b: f64| if b > 0.0 { round(a / b, 3) } else { 0.0 };
            Some((
                k.name(),
                Ratio {
                    latency_p50: r(l.latency_ms.p50, s.latency_ms.p50),
                    latency_mean: r(l.latency_ms.mean, s.latency_ms.mean),
                    cpu: r(l.cpu_ms_per_update, s.cpu_ms_per_update),
                },
            ))
        })
        .collect();
    Ok((
        ScaleSection {
            alone_heads,
            small,
            large,
            ratio_large_small,
        },
        rss,
    ))
}

async fn startup_section(
    sizes: &Sizes,
    bins: &Bins,
    db: &Seeded,
    dir: &Path,
    floor_ms: Option<f64>,
) -> anyhow::Result<StartupSection> {
    let mut runs = Vec::new();
    for _ in 0..sizes.startup_runs {
        let fake = Fake::start().await?;
        let mut bot =
            Proc::spawn("thidua-startup", &bins.thidua, &fake, Some(&db.url), dir).await?;
        let first = match fake.first_poll(Duration::from_secs(60)).await {
            Ok(t) => t,
            Err(e) => {
                bot.alive()?;
                return Err(e);
            }
        };
        runs.push(round(
            first.duration_since(bot.spawned).as_secs_f64() * 1e3,
            1,
        ));
        // Let the catch-up tick finish so that runs do not overlap.
        bot.settle(Duration::from_secs(60)).await?;
        bot.stop().await;
    }
    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    eprintln!("startup on {} blocs: {runs:?} ms", db.blocs);
    Ok(StartupSection {
        database_blocs: db.blocs,
        median_ms: percentile(&sorted, 0.5),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        runs_ms: runs,
        floor_ms,
    })
}

/// `--compare <thidua binary>`: the load of section 1 and each command
/// alone, on this build and on another (before and after a change), both
/// running at the same time and taking turns, so that the background load
/// of a shared machine falls on both alike.
#[derive(Debug, Serialize)]
struct CompareSection {
    /// The other binary ("before").
    before_bin: String,
    before: Burst,
    after: Burst,
    /// after / before.
    ratio_throughput: f64,
    ratio_p99: f64,
    ratio_cpu: f64,
    /// Per command, one update at a time: before and after.
    per_command: BTreeMap<&'static str, [Alone; 2]>,
}

async fn compare_section(
    sizes: &Sizes,
    before_bin: &Path,
    bins: &Bins,
    now: DateTime<Utc>,
    dir: &Path,
) -> anyhow::Result<CompareSection> {
    let mut rng = Rng(8);
    let mut sides = Vec::new();
    for (name, bin) in [("before", before_bin), ("after", bins.thidua.as_path())] {
        let db = seed(dir, name, sizes.load_blocs, now).await?;
        let heads = db.heads(sizes.heads);
        let (fake, bot, _) = start_bot(name, bin, Some(&db), dir).await?;
        sides.push((heads, fake, bot));
    }
    let warm = mix(sizes.warmup, &sides[0].0, &mut rng);
    let msgs = mix(sizes.updates, &sides[0].0, &mut rng);
    for (_, fake, bot) in &mut sides {
        burst(fake, bot, &warm).await?;
    }
    eprintln!(
        "compare: {} updates to each in 10 rounds, taking turns",
        msgs.len()
    );
    let mut lanes: Vec<Lane> = sides
        .iter_mut()
        .map(|(_, fake, bot)| Lane {
            fake,
            bot,
            msgs: msgs.clone(),
        })
        .collect();
    let mut b = bursts(&mut lanes, 10).await?;
    let after = b.pop().context("after")?;
    let before = b.pop().context("before")?;
    eprintln!("  before: {before:?}\n  after:  {after:?}");
    let mut per_command = BTreeMap::new();
    for kind in Kind::ALL {
        let n = sizes.per_command * kind.share() / 100;
        let msgs = only(kind, n, &sides[0].0, &mut rng);
        let mut lanes: Vec<Lane> = sides
            .iter_mut()
            .map(|(_, fake, bot)| Lane {
                fake,
                bot,
                msgs: msgs.clone(),
            })
            .collect();
        let mut a = one_by_one(&mut lanes).await?;
        let after = a.pop().context("after")?;
        let before = a.pop().context("before")?;
        eprintln!(
            "  {}: {before:?}\n  {:w$}  {after:?}",
            kind.name(),
            "",
            w = kind.name().len()
        );
        per_command.insert(kind.name(), [before, after]);
    }
    for (_, _, bot) in sides {
        bot.stop().await;
    }
    let r = |a: f64, b: f64| if b > 0.0 { round(a / b, 3) } else { 0.0 };
    Ok(CompareSection {
        before_bin: before_bin.display().to_string(),
        ratio_throughput: r(after.updates_per_sec, before.updates_per_sec),
        ratio_p99: r(after.latency_ms.p99, before.latency_ms.p99),
        ratio_cpu: r(after.cpu_ms_per_update, before.cpu_ms_per_update),
        before,
        after,
        per_command,
    })
}

// ---------------------------------------------------------------- fan-out

/// One scheduler tick reminding every head of `n` blocs × 15 units, through
/// the limiter, in-process against `fake_bot_api` enforcing 30/s (the
/// approach of `benches/fanout.rs`).
async fn fanout_section(heads: usize, dir: &Path) -> anyhow::Result<FanoutSection> {
    let n = heads.div_ceil(UNITS_PER_BLOC);
    let url = format!("sqlite://{}", dir.join("fanout.db").display());
    let local_8am = |month: u32, day: u32| {
        Utc.with_ymd_and_hms(2026, month, day, 1, 0, 0)
            .single()
            .context("date")
    };
    let t0 = local_8am(3, 2)?;
    let limits = telegram_limits();
    let h = Harness::start_with(&url, t0, limits).await?;
    h.api
        .enforce_send_limit(limits.messages_per_sec_overall as usize);
    {
        let app = h.app().context("bot is stopped")?;
        let targets_2026: Vec<TargetAdd> = thidua::demo::TARGETS
            .iter()
            .map(|t| TargetAdd::parse(t).map_err(|e| anyhow::anyhow!("demo target {t}: {e:?}")))
            .collect::<anyhow::Result<_>>()?;
        let mut tx = app.db.write().await?;
        for b in 0..n {
            let bloc_id = blocs::insert(
                &mut tx,
                -1_000_000_000_000 - b as i64,
                &format!("Khối thi đua {:04}", b + 1),
                TZ,
                (500_000_000 + b as i64, "Nguyễn Văn An"),
                t0,
            )
            .await?;
            for u in 0..UNITS_PER_BLOC {
                let unit_id = units::insert(
                    &mut tx,
                    bloc_id,
                    &format!("DV{:02}", u + 1),
                    &format!("Đơn vị {:02} khối {:04}", u + 1, b + 1),
                    t0,
                )
                .await?;
                units::set_head(
                    &mut tx,
                    unit_id,
                    600_000_000 + (b * 1_000 + u) as i64,
                    &format!("Trưởng đơn vị {:02}", u + 1),
                )
                .await?;
            }
            for t in &targets_2026 {
                let new = NewTarget {
                    code: t.code.as_str(),
                    kind: t.kind,
                    goal: t.goal,
                    weight: t.weight,
                    name: &t.name,
                };
                targets::insert(&mut tx, bloc_id, 2026, &new, t0).await?;
            }
        }
        tx.commit().await?;
    }
    // The first pledge reminder: 14 days before 31 March, 08:00 local.
    h.clock.set(local_8am(3, 17)?);
    let from = h.api.call_count();
    let scheduler = h.scheduler()?;
    eprintln!(
        "fanout: {} heads and {n} groups at {}/s",
        n * UNITS_PER_BLOC,
        limits.messages_per_sec_overall
    );
    let started = Instant::now();
    let report = scheduler.tick().await?;
    let seconds = started.elapsed().as_secs_f64();
    let sends: Vec<_> = h
        .api
        .calls_since(from)
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .collect();
    let reached: HashSet<i64> = sends.iter().filter_map(|c| c.chat_id()).collect();
    let http_429 = h.api.too_many_requests();
    h.stop().await;
    let expected = n * UNITS_PER_BLOC + n;
    ensure!(
        report.sent == expected && sends.len() == expected && reached.len() == expected,
        "expected {expected} reminders once each, got {report:?}, {} sends to {} chats",
        sends.len(),
        reached.len()
    );
    let ceiling = limits.messages_per_sec_overall;
    let per_sec = sends.len() as f64 / seconds;
    Ok(FanoutSection {
        blocs: n,
        heads: n * UNITS_PER_BLOC,
        messages: sends.len(),
        seconds: round(seconds, 2),
        messages_per_sec: round(per_sec, 2),
        ceiling_per_sec: ceiling,
        ratio_to_ceiling: round(per_sec / f64::from(ceiling), 3),
        http_429,
    })
}

// ---------------------------------------------------------------- main

fn goals(out: &Output) -> Vec<Goal> {
    let mut g = Vec::new();
    let mut goal = |goal: String, value: f64, met: bool| {
        g.push(Goal {
            goal,
            value: round(value, 3),
            met,
        })
    };
    if let Some(l) = &out.load {
        let t = l.ratio_throughput;
        goal("throughput thidua / floor >= 0.7".into(), t, t >= 0.7);
        let p = l.ratio_p99;
        goal("p99 latency thidua / floor <= 2".into(), p, p <= 2.0);
    }
    if let Some(s) = &out.scale {
        for k in Kind::ALL {
            if let Some(r) = s.ratio_large_small.get(k.name()) {
                let v = r.latency_p50;
                goal(
                    format!("/{} large / small (latency p50 alone) <= 1.2", k.name()),
                    v,
                    v <= 1.2,
                );
            }
        }
    }
    if out.memory.thidua_large_db_kb > 0 {
        let mb = out.memory.thidua_large_db_kb as f64 / 1024.0;
        goal(
            "peak RSS under load with the large database <= 40 MB".into(),
            mb,
            mb <= 40.0,
        );
    }
    if let Some(s) = &out.startup {
        let ms = s.median_ms;
        goal(
            "start-up to the first getUpdates (median) <= 200 ms".into(),
            ms,
            ms <= 200.0,
        );
    }
    if let Some(f) = &out.fanout {
        let r = f.ratio_to_ceiling;
        goal("fan-out messages/s / ceiling >= 0.9".into(), r, r >= 0.9);
        let n = f.http_429 as f64;
        goal("fan-out 429s == 0".into(), n, f.http_429 == 0);
    }
    g
}

async fn run(a: Args) -> anyhow::Result<Output> {
    let sizes = Sizes::new(a.quick);
    let bins = bins()?;
    let dir = TempDir::new()?;
    let now = Utc::now();
    let mut out = Output {
        bench: "perf",
        quick: a.quick,
        bot_env: BOT_ENV
            .get()
            .map(|e| e.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default(),
        machine: machine(),
        sizes,
        load: None,
        scale: None,
        memory: MemorySection {
            thidua_idle_kb: 0,
            thidua_load_kb: 0,
            thidua_large_db_kb: 0,
            floor_idle_kb: 0,
            floor_load_kb: 0,
        },
        startup: None,
        fanout: None,
        compare: None,
        goals: Vec::new(),
    };
    let mut startups = Vec::new();

    if a.runs("load") {
        let db = seed(&dir.0, "load", sizes.load_blocs, now).await?;
        let load = load_section(&sizes, &bins, &db, &dir.0, &mut out.memory, &mut startups);
        out.load = Some(load.await?);
    }
    let large_db = if a.runs("scale") || a.runs("startup") {
        Some(seed(&dir.0, "large", sizes.large_blocs, now).await?)
    } else {
        None
    };
    if let (true, Some(large_db)) = (a.runs("scale"), &large_db) {
        let small_db = seed(&dir.0, "small", sizes.small_blocs, now).await?;
        let (scale, rss) =
            scale_section(&sizes, &bins, &small_db, large_db, &dir.0, &mut startups).await?;
        out.memory.thidua_large_db_kb = rss;
        out.scale = Some(scale);
    }
    eprintln!("start-ups while measuring: {startups:?}");
    if let (true, Some(large_db)) = (a.runs("startup"), &large_db) {
        let floor_ms = startups
            .iter()
            .find(|(n, _)| *n == "floor")
            .map(|(_, ms)| *ms);
        out.startup = Some(startup_section(&sizes, &bins, large_db, &dir.0, floor_ms).await?);
    }
    if a.runs("fanout") {
        out.fanout = Some(fanout_section(sizes.fanout_heads, &dir.0).await?);
    }
    if let Some(before) = &a.compare {
        out.compare = Some(compare_section(&sizes, before, &bins, now, &dir.0).await?);
    }
    out.goals = goals(&out);
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let env = if a.bare_env { &[][..] } else { &IMAGE_ENV[..] };
    let _ = BOT_ENV.set(
        env.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            // The seeding's INSERT … SELECT are slow statements on purpose.
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,sqlx::query=error")),
        )
        .with_writer(thidua::telemetry::Redacting::new(vec![
            FAKE_TOKEN.to_owned(),
        ]))
        .with_target(false)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let out = runtime.block_on(run(a))?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
