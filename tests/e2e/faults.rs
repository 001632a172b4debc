//! Network faults, with the real binary against the fake Bot API: dropped
//! connections, a getUpdates stalled past its timeout, 500, 502, 429 with
//! retry_after and malformed JSON. The bot keeps polling, loses no update,
//! answers every command once, logs each kind of fault once per burst, and
//! its memory stays flat over 10,000 faulted polls.

use crate::support::*;
use fake_bot_api::{FakeBotApi, Trouble};
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

const BIN: &str = env!("CARGO_BIN_EXE_thidua");
const TOKEN: &str = "987654321:AAHsecretSecretSecretSecretSecret_xyz";

/// The database a test names by a file path (see [`db_at`]).
pub(crate) fn url_of(db: &Path) -> String {
    db_at(db)
}

/// `thidua run` against a fake Bot API, its stderr collected line by line.
pub(crate) struct Thidua {
    child: tokio::process::Child,
    pid: u32,
    log: Arc<Mutex<Vec<String>>>,
}

/// Resident memory of a process in kB (`VmRSS` in /proc/<pid>/status).
fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Removes terminal colour codes.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Thidua {
    pub(crate) async fn start(api: &FakeBotApi, db: &Path, env: &[(&str, &str)]) -> Thidua {
        let mut c = tokio::process::Command::new(BIN);
        c.arg("run")
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api.url())
            .env("DATABASE_URL", url_of(db))
            .env_remove("RUST_LOG")
            .env_remove("THIDUA_BACKUP_DIR")
            // Tests run side by side: each server on a port of its own.
            .env("THIDUA_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("spawn thidua");
        let pid = child.id().expect("pid");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let lines = log.clone();
        tokio::spawn(async move {
            let mut r = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(l)) = r.next_line().await {
                lines.lock().expect("log").push(plain(&l));
            }
        });
        Thidua { child, pid, log }
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Resident memory, from /proc.
    pub(crate) fn rss_kb(&self) -> u64 {
        rss_of(self.pid)
    }

    /// Waits until a log line satisfies `pred`.
    pub(crate) async fn wait_log(&self, limit: Duration, pred: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.log().iter().any(|l| pred(l)) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// SIGKILL; returns the log.
    pub(crate) async fn kill(mut self) -> Vec<String> {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        // The reader sees the pipe close.
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.log()
    }
}

/// Lines about polling failures, by the `kind` they name; the recovery lines
/// under "recovered".
fn polling_lines(log: &[String]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for l in log {
        let key = if l.contains("polling recovered") {
            "recovered".to_owned()
        } else if l.contains("polling still failing") {
            "still failing".to_owned()
        } else if l.contains("polling failed") {
            l.split("kind=")
                .nth(1)
                .and_then(|k| k.split_whitespace().next())
                .unwrap_or("?")
                .trim_matches('"')
                .to_owned()
        } else if l.contains("retrying getting updates") {
            "teloxide retry line".to_owned()
        } else {
            continue;
        };
        *out.entry(key).or_default() += 1;
    }
    out
}

/// Everyone who wrote `/start` got exactly one greeting.
fn greeted_once(api: &FakeBotApi, people: &[Person]) -> Result<(), String> {
    let calls = api.calls();
    for p in people {
        let n = sent_to(&calls, p.id).len();
        if n != 1 {
            return Err(format!("{} got {n} replies", p.id));
        }
    }
    Ok(())
}

fn guest(i: i64) -> Person {
    Person::new(300_001 + i, "Khách", &format!("Số {i}"))
}

/// Starts the bot and waits for its first long poll.
async fn serve(api: &FakeBotApi, db: &Path) -> Thidua {
    let bot = Thidua::start(api, db, &[]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while api.polls() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(api.polls() > 0, "the bot polls: {:#?}", bot.log());
    bot
}

/// Queues `faults` on getUpdates, then 5 commands (the first wakes the idle
/// long poll, the rest wait behind the faults); waits until every command
/// is answered and the burst's closing line is logged. Returns the people.
async fn burst(
    api: &FakeBotApi,
    bot: &Thidua,
    faults: &[(Trouble, usize)],
    first: i64,
) -> Vec<Person> {
    for (t, n) in faults {
        api.trouble("getUpdates", t.clone(), *n);
    }
    let people: Vec<Person> = (first..first + 5).map(guest).collect();
    let recovered_before = polling_lines(&bot.log())
        .get("recovered")
        .copied()
        .unwrap_or(0);
    for p in &people {
        api.push(updates::private(p, "/start"));
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    for p in &people {
        let got = api
            .wait_for(0, Duration::from_secs(120), |c| {
                c.method == "sendMessage" && c.chat_id() == Some(p.id)
            })
            .await;
        assert!(got.is_some(), "{} never answered: {:#?}", p.id, bot.log());
    }
    assert_eq!(api.troubles_left("getUpdates"), 0, "every fault was served");
    if faults.is_empty() {
        return people;
    }
    let closed = bot
        .wait_log(Duration::from_secs(30), |_| {
            polling_lines(&bot.log())
                .get("recovered")
                .copied()
                .unwrap_or(0)
                > recovered_before
        })
        .await;
    assert!(closed, "the burst's closing line: {:#?}", bot.log());
    people
}

/// Waits until Telegram (the fake) has had every update confirmed: the poll
/// after a batch is handled confirms it.
async fn all_confirmed(api: &FakeBotApi) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    while api.pending_updates() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    api.pending_updates() == 0
}

fn assert_quiet_log(log: &[String], expected: &[(&str, usize)]) {
    for l in log.iter().filter(|l| l.contains("polling")) {
        eprintln!("  log: {l}");
    }
    let lines = polling_lines(log);
    let mut want: HashMap<String, usize> = expected
        .iter()
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect();
    want.retain(|_, n| *n > 0);
    assert_eq!(lines, want, "log lines about polling:\n{}", log.join("\n"));
    assert!(
        !log.iter()
            .any(|l| l.contains(TOKEN) || l.contains("AAHsecret")),
        "the token leaked into the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_and_stalled_polls_are_ridden_out_and_each_command_answered_once() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let mut bot = serve(&api, &dir.path().join("f.db")).await;
    let t = Instant::now();
    // A retry_after 0 between faults resets teloxide's backoff (1 s, 2 s, 4 s…).
    let people = burst(
        &api,
        &bot,
        &[
            (Trouble::Drop, 1),
            (Trouble::too_many_requests(0), 1),
            (Trouble::Drop, 1),
            (Trouble::too_many_requests(0), 1),
            // Past the poll's own timeout and the client's 17 s.
            (Trouble::Stall(Duration::from_secs(40)), 1),
        ],
        0,
    )
    .await;
    let elapsed = t.elapsed();
    assert!(bot.alive(), "still running");
    assert!(all_confirmed(&api).await, "every update confirmed");
    greeted_once(&api, &people).unwrap();
    let log = bot.kill().await;
    eprintln!(
        "faults: drop×2 429×2 stall×1 ridden out in {:.1}s; polling log lines {:?}",
        elapsed.as_secs_f64(),
        polling_lines(&log)
    );
    assert_quiet_log(
        &log,
        &[
            ("network", 1),
            ("retry_after", 1),
            ("timeout", 1),
            ("recovered", 1),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_rate_limits_and_malformed_answers_are_ridden_out() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let mut bot = serve(&api, &dir.path().join("f.db")).await;
    let t = Instant::now();
    // teloxide waits 10 s before reading any 5xx answer: two of them.
    let people = burst(
        &api,
        &bot,
        &[
            (
                Trouble::Raw {
                    status: 502,
                    body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>".into(),
                },
                1,
            ),
            (Trouble::too_many_requests(1), 1),
            (Trouble::server_error(500), 1),
            (Trouble::too_many_requests(1), 1),
            (
                Trouble::Raw {
                    status: 200,
                    body: r#"{"ok":true,"result":[{"update_id":"#.into(),
                },
                1,
            ),
        ],
        100,
    )
    .await;
    let elapsed = t.elapsed();
    assert!(bot.alive(), "still running");
    assert!(all_confirmed(&api).await, "every update confirmed");
    greeted_once(&api, &people).unwrap();
    let log = bot.kill().await;
    eprintln!(
        "faults: 502×1 500×1 429(retry_after 1)×2 malformed×1 ridden out in {:.1}s; polling log lines {:?}",
        elapsed.as_secs_f64(),
        polling_lines(&log)
    );
    // The 502 page and the truncated JSON are both invalid JSON: one line.
    assert_quiet_log(
        &log,
        &[
            ("invalid_json", 1),
            ("retry_after", 1),
            ("api", 1),
            ("recovered", 1),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_faulted_polls_keep_memory_flat_and_the_log_short() {
    const FAULTS: usize = 10_000;
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let mut bot = serve(&api, &dir.path().join("f.db")).await;
    // Warm up: commands answered, connections open.
    let mut people = burst(&api, &bot, &[], 200).await;
    let before = bot.rss_kb();
    let t = Instant::now();
    // Mostly cheap faults (429 with retry_after 0 costs no wait); a dropped
    // connection or malformed answer costs teloxide's 1 s backoff, so ten
    // of those, each followed by a 429 that resets the backoff.
    let mut faults = Vec::new();
    for i in 0..10 {
        let odd = if i % 2 == 0 {
            Trouble::Drop
        } else {
            Trouble::Raw {
                status: 200,
                body: "{\"ok\":tru".into(),
            }
        };
        faults.push((odd, 1));
        faults.push((Trouble::too_many_requests(0), FAULTS / 10 - 1));
    }
    let polls_before = api.polls();
    // Memory half-way, to tell a trend from a one-off.
    let halfway = {
        let left = || api.troubles_left("getUpdates");
        let pid = bot.pid;
        let api = &api;
        async move {
            while left() == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            while api.troubles_left("getUpdates") > FAULTS / 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            rss_of(pid)
        }
    };
    let (more, half) = tokio::join!(burst(&api, &bot, &faults, 400), halfway);
    people.extend(more);
    let elapsed = t.elapsed();
    let after = bot.rss_kb();
    let served = api.troubles_served();
    let polls = api.polls() - polls_before;
    assert!(bot.alive(), "still running");
    assert!(all_confirmed(&api).await, "every update confirmed");
    greeted_once(&api, &people).unwrap();
    let log = bot.kill().await;
    let lines = polling_lines(&log);
    eprintln!(
        "faults: {FAULTS} faulted polls ({served:?} served in all) in {:.1}s, {polls} polls; \
         RSS before {before} kB, half-way {half} kB, after {after} kB ({:+} kB); polling log lines {lines:?}; {} log lines in all",
        elapsed.as_secs_f64(),
        after as i64 - before as i64,
        log.len()
    );
    assert!(
        polls as usize >= FAULTS,
        "{polls} polls for {FAULTS} faults"
    );
    assert!(
        after < before + 20 * 1024,
        "RSS grew from {before} kB to {after} kB over {FAULTS} faulted polls"
    );
    // One burst: its first 429, drop and malformed answer once each, then
    // one closing line with the counts.
    assert_quiet_log(
        &log,
        &[
            ("retry_after", 1),
            ("network", 1),
            ("invalid_json", 1),
            ("recovered", 1),
        ],
    );
    let summary = log
        .iter()
        .rfind(|l| l.contains("polling recovered"))
        .expect("closing line");
    assert!(
        summary.contains("retry_after×9990")
            && summary.contains("network×5")
            && summary.contains("invalid_json×5"),
        "{summary}"
    );
    assert!(log.len() < 40, "a short log: {}", log.join("\n"));
}
