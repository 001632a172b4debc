//! Crash safety of the real binary: a burst of 1,000 reports from 50 unit
//! heads while `thidua run` is killed with SIGKILL at random points and
//! restarted on the same database. Every write whose ✅ reply went out is
//! stored, none is applied twice, the database stays intact, and in the end
//! every write is applied (a batch is confirmed to Telegram only once handled).

use crate::faults::{Thidua, url_of};
use crate::support::*;
use fake_bot_api::FakeBotApi;
use sqlx::Connection;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const HEADS: i64 = 50;
const WRITES: i64 = 1000;
const MIN_KILLS: usize = 20;

/// SplitMix64: a small deterministic PRNG, so a failing run can be replayed
/// with `THIDUA_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// A write: head `h` reports value `n` (unique) in update `update_id`.
#[derive(Debug, Clone, Copy)]
struct Write {
    update_id: i64,
    head: i64,
}

/// The value of a ✅ reply to `/report THU <n>` ("… (kỳ): n% — …").
fn replied_value(text: &str) -> Option<i64> {
    if !text.starts_with('✅') {
        return None;
    }
    let rest = &text[text.find("): ")? + 3..];
    rest[..rest.find('%')?].parse().ok()
}

/// Values with a ✅ reply sent so far, each with the chat it went to.
fn replied(api: &FakeBotApi) -> HashMap<i64, HashSet<i64>> {
    let mut out: HashMap<i64, HashSet<i64>> = HashMap::new();
    for c in api.calls() {
        if c.method == "sendMessage"
            && let (Some(n), Some(chat)) = (replied_value(c.text()), c.chat_id())
        {
            out.entry(n).or_default().insert(chat);
        }
    }
    out
}

/// `PRAGMA integrity_check` on a copy of the database as the kill left it
/// (the WAL included), so that the next start recovers the original itself.
/// (SQLite: PostgreSQL's own recovery is the server's.)
#[cfg(not(feature = "postgres"))]
async fn integrity_of_copy(db: &std::path::Path, scratch: &std::path::Path) -> String {
    for suffix in ["", "-wal", "-shm"] {
        let from = format!("{}{suffix}", db.display());
        let to = format!("{}{suffix}", scratch.display());
        let _ = std::fs::remove_file(&to);
        if std::path::Path::new(&from).exists() {
            std::fs::copy(&from, &to).expect("copy db");
        }
    }
    use sqlx::ConnectOptions;
    let mut c = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(scratch)
        .connect()
        .await
        .expect("open copy");
    let r: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .expect("integrity_check");
    let _ = c.close().await;
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_of_1000_reports_loses_no_acknowledged_write_and_applies_none_twice()
{
    let seed_value = std::env::var("THIDUA_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_125_u64);
    let mut rng = Rng(seed_value);
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crash.db");
    seed_heads(&url_of(&db), HEADS).await;
    let api = FakeBotApi::start().await.expect("fake api");
    // Small batches, as Telegram often hands out: a batch's replies arrive
    // together after its commit, and kill points must land between them
    // however fast the bot is.
    api.hand_out_at_most(10);

    // The burst: 10 rounds of one report from each of the 50 heads, queued
    // at once as Telegram would hold them for a bot that is down.
    let mut writes: HashMap<i64, Write> = HashMap::new();
    for round in 0..WRITES / HEADS {
        for h in 0..HEADS {
            let n = round * HEADS + h + 1;
            let update_id = api.push(updates::private(&head(h), &format!("/report THU {n}")));
            writes.insert(n, Write { update_id, head: h });
        }
    }

    let mut kills: Vec<String> = Vec::new();
    let context = |kills: &[String], extra: &str| {
        format!(
            "seed {seed_value} (THIDUA_CRASH_SEED), {} kill points survived: {}; {extra}",
            kills.len(),
            kills.join(", ")
        )
    };
    let last_log = loop {
        let mut bot = Thidua::start(&api, &db, &[]).await;
        let acknowledged = replied(&api).len() as u64;
        let remaining = WRITES as u64 - acknowledged;
        if kills.len() >= MIN_KILLS + 12 || api.pending_updates() == 0 || remaining == 0 {
            // Let this one finish what is left.
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut stable_since = Instant::now();
            let mut last = (usize::MAX, 0);
            while Instant::now() < deadline {
                let now = (api.pending_updates(), api.call_count());
                if now != last {
                    last = now;
                    stable_since = Instant::now();
                }
                if now.0 == 0 && stable_since.elapsed() > Duration::from_millis(1500) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(bot.alive(), "{}", context(&kills, "the last run died"));
            break bot.kill().await;
        }
        // A kill point: after a random number of new acknowledged writes
        // (in the middle of handling), or a random time after the start
        // (during migrations, getMe, the first poll).
        let point = if rng.range(0, 3) == 0 {
            // Start-up (migrations, getMe, the first poll) takes about 10 ms.
            let ms = rng.range(0, 60);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            format!("{ms}ms after start")
        } else {
            // Spread about 32 kill points over the work left: on average
            // half of an even share, since a batch in flight acknowledges
            // more before the kill lands.
            let left = (MIN_KILLS + 12 - kills.len()) as u64;
            let k = rng.range(1, (remaining / left).clamp(1, 15)).min(remaining);
            let deadline = Instant::now() + Duration::from_secs(20);
            while (replied(&api).len() as u64) < acknowledged + k && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            format!("+{k} acks")
        };
        assert!(
            bot.alive(),
            "{}",
            context(&kills, "the bot died on its own")
        );
        let log = bot.kill().await;
        if let Some(l) = log.iter().find(|l| l.contains("panicked")) {
            panic!("{}", context(&kills, &format!("panic: {l}")));
        }
        #[cfg(not(feature = "postgres"))]
        assert_eq!(
            integrity_of_copy(&db, &dir.path().join("copy.db")).await,
            "ok",
            "{}",
            context(&kills, &format!("integrity after kill at {point}"))
        );
        kills.push(point);
    };

    // The verdict, on the database as the last run left it.
    let mut c = thidua::storage::Conn::connect(&url_of(&db))
        .await
        .expect("open db");
    #[cfg(not(feature = "postgres"))]
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .expect("integrity");
    let reports: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT raw, unit_id, reported_by FROM reports ORDER BY id")
            .fetch_all(&mut c)
            .await
            .expect("reports");
    let processed: HashSet<i64> =
        sqlx::query_scalar::<_, i64>("SELECT update_id FROM processed_updates")
            .fetch_all(&mut c)
            .await
            .expect("processed")
            .into_iter()
            .collect();
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report'")
        .fetch_one(&mut c)
        .await
        .expect("audit");
    let doubles: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM reports GROUP BY unit_id, target_id, raw HAVING COUNT(*) > 1) AS d",
    )
    .fetch_one(&mut c)
    .await
    .expect("doubles");
    let _ = c.close().await;

    let stored: HashMap<i64, i64> = reports
        .iter()
        .map(|(raw, _, by)| (raw.parse::<i64>().expect("raw is a number"), *by))
        .collect();
    let acked = replied(&api);
    let applied: HashSet<i64> = writes
        .values()
        .map(|w| w.update_id)
        .filter(|id| processed.contains(id))
        .collect();
    let lost: Vec<i64> = {
        let mut l: Vec<i64> = writes
            .keys()
            .copied()
            .filter(|n| !stored.contains_key(n))
            .collect();
        l.sort_unstable();
        l
    };
    let figures = format!(
        "{} writes, {} acknowledged, {} stored, {} never applied (no reply sent) {:?}, {:.1}s",
        WRITES,
        acked.len(),
        stored.len(),
        lost.len(),
        lost,
        started.elapsed().as_secs_f64()
    );
    eprintln!("crash: {}", context(&kills, &figures));
    let fail = |what: &str| {
        format!(
            "{what}\n{}\nlast run's log tail:\n{}",
            context(&kills, &figures),
            last_log[last_log.len().saturating_sub(30)..].join("\n")
        )
    };

    assert!(kills.len() >= MIN_KILLS, "{}", fail("too few kill points"));
    #[cfg(not(feature = "postgres"))]
    assert_eq!(check, "ok", "{}", fail("integrity_check"));
    for (n, chats) in &acked {
        let w = writes[n];
        assert!(
            stored.get(n) == Some(&head(w.head).id),
            "{}",
            fail(&format!("write {n} was acknowledged but is not stored"))
        );
        assert_eq!(
            chats.iter().copied().collect::<Vec<_>>(),
            vec![head(w.head).id],
            "{}",
            fail(&format!("write {n} acknowledged to the wrong chat"))
        );
    }
    assert_eq!(doubles, 0, "{}", fail("a report row applied twice"));
    assert_eq!(
        reports.len(),
        stored.len(),
        "{}",
        fail("a value stored twice")
    );
    assert_eq!(
        reports.len(),
        applied.len(),
        "{}",
        fail("reports and applied updates differ: one applied twice or without its record")
    );
    for (n, w) in &writes {
        assert_eq!(
            stored.contains_key(n),
            processed.contains(&w.update_id),
            "{}",
            fail(&format!("write {n}: report and processed mark disagree"))
        );
    }
    assert_eq!(audited as usize, reports.len(), "{}", fail("audit rows"));
    // Nothing was confirmed to Telegram before it was handled: once the last
    // run is done, every write of the burst is applied and acknowledged.
    assert!(lost.is_empty(), "{}", fail("writes never applied"));
    assert_eq!(
        acked.len(),
        WRITES as usize,
        "{}",
        fail("writes never acknowledged")
    );
}
