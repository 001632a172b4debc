//! Replicas on one PostgreSQL (issue 16): two bots on one database. In
//! process with a simulated clock, both ticking: each reminder goes out
//! once, and a replica that dies between claiming and sending hands its
//! claims to the other. As real processes in webhook mode: a burst of
//! reports split between them, some delivered to both at once (Telegram
//! retrying on another address), one replica killed with SIGKILL mid-burst,
//! with the day's reminders due as both start: each reminder sent once,
//! every acknowledged update stored, every update applied once, every reply
//! sent, by the replica that applied it or, for what the killed one left
//! unsent, by the survivor; twice only where the kill fell between
//! Telegram's accepting a reply and its mark being written.

use crate::faults::Thidua;
use crate::serving::{deliver, http_addr};
use crate::support::*;
use chrono::{Datelike, Utc};
use fake_bot_api::FakeBotApi;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use thidua::harness::Harness;

const HOOK: &str = "https://bot.example.vn/tg/hook";

fn sends(api: &FakeBotApi, from: usize) -> Vec<ApiCall> {
    api.calls_since(from)
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .collect()
}

fn per_recipient(calls: &[ApiCall]) -> BTreeMap<i64, usize> {
    let mut m = BTreeMap::new();
    for c in calls {
        *m.entry(c.chat_id().expect("chat")).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn two_replicas_ticking_together_send_each_reminder_once_and_hand_over_claims() {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    // The second replica: same database, its own runtime and Bot API view.
    let due = local(3, 17, 8);
    let second = Harness::start(&b.h.db_url, due).await.expect("replica 2");
    b.h.clock.set(due);
    let (from1, from2) = (b.h.api.call_count(), second.api.call_count());
    // Telegram never answers the first replica: it dies with its sends in
    // flight, after claiming them.
    b.h.api.trouble(
        "sendMessage",
        fake_bot_api::Trouble::Stall(Duration::from_secs(60)),
        3,
    );
    let _cut = b.h.tick_later().expect("running");
    assert!(
        b.h.api
            .wait_served("stall", 3, Duration::from_secs(20))
            .await,
        "the first replica claimed the three sends and is sending them"
    );
    // Meanwhile the second ticks at the same minute: not its turn.
    let report = second.tick().await.expect("tick");
    assert_eq!(report.sent + report.pending, 0, "{report:?}");
    assert!(
        sends(&second.api, from2).is_empty(),
        "only one replica sends"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL")
            .await,
        3,
        "claimed once, by the first"
    );
    // The first dies: its connection, and with it the scheduler's lock, go.
    b.h.restart().await.expect("the first replica comes back");
    let handed = second.tick().await.expect("tick");
    assert_eq!(handed.sent, 3, "{handed:?}");
    assert_eq!(
        per_recipient(&sends(&second.api, from2)),
        BTreeMap::from([(GROUP, 1), (head(0).id, 1), (head(1).id, 1)]),
        "the second replica sent the claims of the first, once each"
    );
    assert!(
        sends(&b.h.api, from1).is_empty(),
        "nothing accepted from the first"
    );
    // Both tick again, together: nothing more, from either.
    let (a, c) = tokio::join!(b.h.tick(), second.tick());
    assert_eq!(a.expect("tick").sent + c.expect("tick").sent, 0);
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL")
            .await,
        0
    );
    second.stop().await;
}

const HEADS: i64 = 20;
const WRITES: i64 = 300;
const FIRST_UPDATE: i64 = 50_000;

/// A replica: `thidua run` in webhook mode on `url`; its hook's address.
async fn replica(api: &FakeBotApi, url: &str) -> (Thidua, String) {
    let bot = Thidua::start(
        api,
        Path::new("/nonexistent/unused.db"),
        &[("DATABASE_URL", url), ("THIDUA_WEBHOOK_URL", HOOK)],
    )
    .await;
    let hook = format!("{}/tg/hook", http_addr(&bot).await);
    (bot, hook)
}

/// The value of a ✅ reply to `/report THU <n>` ("… (kỳ): n% — …").
fn replied_value(text: &str) -> Option<i64> {
    if !text.starts_with('✅') {
        return None;
    }
    let rest = &text[text.find("): ")? + 3..];
    rest[..rest.find('%')?].parse().ok()
}

/// How many ✅ replies each reported value got.
fn replies(api: &FakeBotApi) -> HashMap<i64, usize> {
    let mut out = HashMap::new();
    for c in api.calls() {
        if c.method == "sendMessage"
            && let Some(n) = replied_value(c.text())
        {
            *out.entry(n).or_default() += 1;
        }
    }
    out
}

async fn column(url: &str, sql: &str) -> Vec<i64> {
    use sqlx::Connection;
    let mut c = thidua::storage::Conn::connect(url).await.expect("db");
    let v = sqlx::query_scalar(sql)
        .fetch_all(&mut c)
        .await
        .expect("query");
    let _ = c.close().await;
    v
}

/// The three deadlines of the bloc's year today, at 00:00 local: as a
/// replica starts, a reminder of each is due for every head (nothing is
/// signed or reported) and a summary for the group.
async fn due_today(url: &str) {
    use sqlx::Connection;
    let today = Utc::now()
        .with_timezone(&thidua::config::DEFAULT_TZ)
        .date_naive();
    let mut c = thidua::storage::Conn::connect(url).await.expect("db");
    sqlx::query(
        "INSERT INTO schedules (bloc_id, year, pledge_date, mid_date, final_date, remind_days, send_time)
         SELECT id, $1, $2, $2, $2, '1', '00:00' FROM blocs",
    )
    .bind(today.year())
    .bind(today.format("%Y-%m-%d").to_string())
    .execute(&mut c)
    .await
    .expect("schedule");
    let _ = c.close().await;
}

/// Every reminder in the ledger was sent, by one replica or the other, once:
/// the messages that are not replies (✅) are exactly the ledger's.
async fn assert_reminders_sent_once(url: &str, api1: &FakeBotApi, api2: &FakeBotApi) -> usize {
    use sqlx::Connection;
    let mut c = thidua::storage::Conn::connect(url).await.expect("db");
    let mut ledger: Vec<(i64, String)> =
        sqlx::query_as("SELECT recipient, text FROM reminders WHERE sent_at IS NOT NULL")
            .fetch_all(&mut c)
            .await
            .expect("ledger");
    let _ = c.close().await;
    let mut sent: Vec<(i64, String)> = [api1, api2]
        .iter()
        .flat_map(|api| api.calls())
        .filter(|c| c.method == "sendMessage" && !c.text().starts_with('✅'))
        .map(|c| (c.chat_id().expect("chat"), c.text().to_owned()))
        .collect();
    ledger.sort();
    sent.sort();
    assert!(
        (0..HEADS).all(|i| ledger.iter().any(|(to, _)| *to == head(i).id)),
        "every head was reminded"
    );
    assert_eq!(sent, ledger, "each reminder sent once, by one replica");
    sent.len()
}

fn report_update(i: i64) -> Value {
    let mut u = updates::private(&head(i % HEADS), &format!("/report THU {}", 1_000 + i));
    u["update_id"] = json!(FIRST_UPDATE + i);
    u
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replica_processes_apply_a_split_burst_once_through_a_sigkill() {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_db(dir.path());
    seed_heads(&url, HEADS).await;
    due_today(&url).await;
    // Each replica talks to a Bot API of its own, to tell who sent what.
    let (api1, api2) = (
        FakeBotApi::start().await.expect("fake api"),
        FakeBotApi::start().await.expect("fake api"),
    );
    let (one, hook1) = replica(&api1, &url).await;
    let (two, hook2) = replica(&api2, &url).await;
    let mut secrets = Vec::new();
    for api in [&api1, &api2] {
        let set = api
            .wait_for(0, Duration::from_secs(20), |c| c.method == "setWebhook")
            .await
            .expect("each replica sets the webhook");
        secrets.push(
            set.body["secret_token"]
                .as_str()
                .expect("secret")
                .to_owned(),
        );
    }
    assert_eq!(secrets[0], secrets[1], "with the same secret");
    let secret = secrets[0].clone();
    // Both replicas tick as they start, with the reminders of today due:
    // one claims and sends them.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Claims may come in several steps: done once every head has its
        // three reminders sent and nothing claimed waits.
        let left = column(&url, "SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL").await;
        let heads = column(
            &url,
            "SELECT COUNT(*) FROM reminders WHERE kind = 'head' AND sent_at IS NOT NULL",
        )
        .await;
        if left == vec![0] && heads == vec![3 * HEADS] {
            break;
        }
        assert!(Instant::now() < deadline, "the reminders did not go out");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_reminders_sent_once(&url, &api1, &api2).await;

    // Odd updates to one replica, even to the other; every fifth to both at
    // once, as Telegram retrying on the other address while the first
    // still handles it. At most 40 requests open, as Telegram.
    let client = reqwest::Client::new();
    let acked: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let gate = Arc::new(tokio::sync::Semaphore::new(40));
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..WRITES {
        let u = report_update(i);
        let mut hooks = vec![if i % 2 == 0 { &hook1 } else { &hook2 }.clone()];
        if i % 5 == 0 {
            hooks.push(if i % 2 == 0 { &hook2 } else { &hook1 }.clone());
        }
        for hook in hooks {
            let (client, secret, acked, gate, u) = (
                client.clone(),
                secret.clone(),
                acked.clone(),
                gate.clone(),
                u.clone(),
            );
            requests.spawn(async move {
                let _open = gate.acquire_owned().await.expect("gate");
                if deliver(&client, &hook, &secret, &u).await == Some(200) {
                    acked.lock().expect("acked").insert(FIRST_UPDATE + i);
                }
            });
        }
    }
    // The first replica is killed once a third of the burst is acknowledged.
    let deadline = Instant::now() + Duration::from_secs(60);
    while (acked.lock().expect("acked").len() as i64) < WRITES / 3 {
        assert!(Instant::now() < deadline, "the burst stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    one.kill().await;
    while requests.join_next().await.is_some() {}
    let acked: HashSet<i64> = acked.lock().expect("acked").clone();
    assert!((acked.len() as i64) < WRITES, "the kill cut the burst");
    let stored: HashSet<i64> = column(&url, "SELECT update_id FROM processed_updates")
        .await
        .into_iter()
        .collect();
    let lost: Vec<&i64> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");

    // Telegram delivers to the surviving replica what it got no 200 for,
    // then, to be sure, everything once more: nothing is applied twice.
    for i in 0..WRITES {
        if !acked.contains(&(FIRST_UPDATE + i)) {
            let r = deliver(&client, &hook2, &secret, &report_update(i)).await;
            assert_eq!(r, Some(200), "update {i} redelivered");
        }
    }
    for i in 0..WRITES {
        let r = deliver(&client, &hook2, &secret, &report_update(i)).await;
        assert_eq!(r, Some(200), "update {i} delivered again");
    }
    let ids = column(
        &url,
        "SELECT update_id FROM processed_updates ORDER BY update_id",
    )
    .await;
    assert_eq!(
        ids,
        (FIRST_UPDATE..FIRST_UPDATE + WRITES).collect::<Vec<_>>(),
        "every update applied, once"
    );
    let values = column(
        &url,
        "SELECT CAST(value AS BIGINT) FROM reports ORDER BY value",
    )
    .await;
    assert_eq!(
        values,
        (1_000..1_000 + WRITES).collect::<Vec<_>>(),
        "one report per update"
    );
    let audited = column(
        &url,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'report'",
    )
    .await;
    assert_eq!(audited, vec![WRITES], "one audit row per report");
    // The kill, the survivor's ticks and the takeover repeated no reminder.
    let reminders = assert_reminders_sent_once(&url, &api1, &api2).await;

    // Every report answered: the survivor sends what the killed replica
    // committed but had not sent (it looks every few seconds).
    let deadline = Instant::now() + Duration::from_secs(60);
    let (by_one, by_two) = loop {
        let (r1, r2) = (replies(&api1), replies(&api2));
        let all = (1_000..1_000 + WRITES).all(|v| r1.contains_key(&v) || r2.contains_key(&v));
        if all || Instant::now() > deadline {
            break (r1, r2);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let unanswered: Vec<i64> = (1_000..1_000 + WRITES)
        .filter(|v| !by_one.contains_key(v) && !by_two.contains_key(v))
        .collect();
    assert!(unanswered.is_empty(), "never answered: {unanswered:?}");
    // No replica sends a reply twice. Both sent one only where the killed
    // replica's send was accepted but not yet marked: the survivor cannot
    // tell it from one never sent (Telegram has no idempotency key).
    for (who, r) in [("the killed replica", &by_one), ("the survivor", &by_two)] {
        let twice: Vec<(&i64, &usize)> = r.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{who} answered twice: {twice:?}");
    }
    let both = by_one.keys().filter(|v| by_two.contains_key(v)).count();
    let log = two.kill().await;
    eprintln!(
        "replicas: {reminders} reminders, each sent once; {} of {WRITES} acknowledged before the kill; \
         replies by the killed replica {}, by the survivor {}, by both (accepted, not yet marked at \
         the kill) {both}; {} survivor log lines",
        acked.len(),
        by_one.len(),
        by_two.len(),
        log.len()
    );
}
