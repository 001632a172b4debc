//! The HTTP server (issue 16): `/healthz`, `/metrics` and webhook mode, with
//! the real binary (and, for a database gone from under a running bot, the
//! real wiring in process) talking to it as Prometheus and Telegram would.

use crate::faults::{Thidua, url_of};
use crate::support::*;
use fake_bot_api::{FakeBotApi, Trouble};
use serde_json::{Value, json};
use sqlx::Connection;
use std::path::Path;
use std::time::Duration;
use thidua::storage::Conn;

const HOOK: &str = "https://bot.example.vn/tg/hook";
const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// The address the bot's HTTP server logged (it listens on port 0 in tests).
pub(crate) async fn http_addr(bot: &Thidua) -> String {
    let listening = |l: &str| l.contains("HTTP server listening");
    assert!(
        bot.wait_log(Duration::from_secs(20), listening).await,
        "no HTTP server: {:?}",
        bot.log()
    );
    let line = bot.log().into_iter().find(|l| listening(l)).expect("line");
    let addr = line
        .split("HTTP server listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the address in the line");
    format!("http://{addr}")
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.expect("GET");
    let status = r.status().as_u16();
    (status, r.text().await.expect("body"))
}

async fn post(url: &str, secret: Option<&str>, body: &Value) -> u16 {
    let mut r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = secret {
        r = r.header(SECRET_HEADER, s);
    }
    r.send().await.expect("POST").status().as_u16()
}

/// The value of the sample `name` (with its labels) in a metrics text; 0 if absent.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

async fn processed(db: &Path, update_id: i64) -> i64 {
    let mut c = Conn::connect(&url_of(db)).await.expect("db");
    sqlx::query_scalar("SELECT COUNT(*) FROM processed_updates WHERE update_id = $1")
        .bind(update_id)
        .fetch_one(&mut c)
        .await
        .expect("count")
}

fn with_id(mut update: Value, id: i64) -> Value {
    update["update_id"] = json!(id);
    update
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_refuses_requests_without_the_secret_and_answers_after_the_commit() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("w.db");
    let mut bot = Thidua::start(&api, &db, &[("THIDUA_WEBHOOK_URL", HOOK)]).await;
    let base = http_addr(&bot).await;
    let set = api
        .wait_for(0, Duration::from_secs(20), |c| c.method == "setWebhook")
        .await
        .expect("setWebhook called");
    assert_eq!(set.body["url"], HOOK);
    let secret = set.body["secret_token"].as_str().expect("a secret token");
    assert!(
        secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit()),
        "{secret}"
    );
    let mut kinds: Vec<&str> = set.body["allowed_updates"]
        .as_array()
        .expect("allowed_updates")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["callback_query", "message", "my_chat_member"]);
    assert!(
        !bot.log().iter().any(|l| l.contains(secret)),
        "the secret is never logged"
    );

    let hook = format!("{base}/tg/hook");
    let p = head(1);
    let lang = with_id(updates::private(&p, "/lang en"), 501);
    // Without the token, or with a wrong one: refused, nothing applied.
    assert_eq!(post(&hook, None, &lang).await, 401);
    assert_eq!(post(&hook, Some("0".repeat(64).as_str()), &lang).await, 401);
    assert_eq!(post(&hook, Some(&secret[1..]), &lang).await, 401);
    assert_eq!(
        processed(&db, 501).await,
        0,
        "a refused request changes nothing"
    );
    assert!(sent_to(&api.calls(), p.id).is_empty(), "and gets no reply");
    // Elsewhere than the hook's path: not found.
    assert_eq!(
        post(&format!("{base}/other"), Some(secret), &lang).await,
        404
    );

    // With it: answered only once the update is committed.
    assert_eq!(post(&hook, Some(secret), &lang).await, 200);
    assert_eq!(processed(&db, 501).await, 1, "committed before the answer");
    let reply = api
        .wait_for(0, Duration::from_secs(10), |c| c.chat_id() == Some(p.id))
        .await
        .expect("a reply");
    assert!(reply.text().contains("English"), "{}", reply.text());
    // Telegram retrying the same update (say, to another replica's address):
    // applied once, answered once.
    assert_eq!(post(&hook, Some(secret), &lang).await, 200);
    let status = with_id(updates::private(&p, "/help"), 502);
    assert_eq!(post(&hook, Some(secret), &status).await, 200);
    api.wait_for(0, Duration::from_secs(10), |c| {
        c.chat_id() == Some(p.id) && c.text() != reply.text()
    })
    .await
    .expect("the /help reply");
    assert_eq!(processed(&db, 501).await, 1);
    assert_eq!(
        sent_to(&api.calls(), p.id)
            .iter()
            .filter(|t| **t == reply.text())
            .count(),
        1,
        "the redelivered update is not answered again"
    );
    // The bot never polled: Telegram refuses getUpdates while a webhook is set.
    assert_eq!(api.polls(), 0);
    let (_, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(
        sample(&metrics, "thidua_webhook_refused_total"),
        3.0,
        "{metrics}"
    );
    assert!(bot.alive());
    bot.kill().await;

    // Back to polling: the webhook is deleted first.
    let from = api.call_count();
    let bot = Thidua::start(&api, &db, &[]).await;
    api.wait_for(from, Duration::from_secs(20), |c| {
        c.method == "deleteWebhook"
    })
    .await
    .expect("deleteWebhook when polling again");
    let q = head(2);
    api.push(updates::private(&q, "/help"));
    api.wait_for(from, Duration::from_secs(20), |c| c.chat_id() == Some(q.id))
        .await
        .expect("answered by polling");
    bot.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_commands_replies_429s_and_handling_time_in_polling_mode() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("m.db");
    let bot = Thidua::start(&api, &db, &[]).await;
    let base = http_addr(&bot).await;
    let (status, before) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(before.ends_with("# EOF\n"), "{before}");
    assert!(
        before.contains(r#"thidua_db_connections{state="idle"}"#),
        "{before}"
    );

    let (p, q) = (head(1), head(2));
    // q's first reply meets a 429: it waits, then goes out.
    api.trouble_chat(q.id, Trouble::too_many_requests(1), 1);
    api.push(updates::private(&p, "/help"));
    api.push(updates::private(&p, "/report A 1"));
    api.push(updates::private(&q, "/help"));
    let answered = |who: i64, warned: bool| {
        api.wait_for(0, Duration::from_secs(20), move |c| {
            is_send(c) && c.chat_id() == Some(who) && c.text().starts_with('⚠') == warned
        })
    };
    answered(p.id, false).await.expect("p's /help answered");
    answered(p.id, true).await.expect("p's /report refused");
    answered(q.id, false)
        .await
        .expect("q's /help answered after its 429");
    // A counter moves just after what it counts: read until the last reply
    // and the last update are counted (bounded), then check every counter.
    let counted = |text: &str| {
        [
            r#"thidua_updates_total{kind="message"}"#,
            r#"thidua_replies_total{outcome="accepted"}"#,
        ]
        .iter()
        .all(|name| sample(text, name) - sample(&before, name) >= 3.0)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut after = get(&format!("{base}/metrics")).await.1;
    while !counted(&after) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        after = get(&format!("{base}/metrics")).await.1;
    }
    let moved = |name: &str| sample(&after, name) - sample(&before, name);
    assert_eq!(
        moved(r#"thidua_commands_total{kind="help",outcome="ok"}"#),
        2.0,
        "{after}"
    );
    assert_eq!(
        moved(r#"thidua_commands_total{kind="report",outcome="refused"}"#),
        1.0,
        "{after}"
    );
    assert_eq!(
        moved(r#"thidua_updates_total{kind="message"}"#),
        3.0,
        "{after}"
    );
    assert_eq!(
        moved("thidua_update_handling_seconds_count"),
        3.0,
        "{after}"
    );
    assert_eq!(
        moved(r#"thidua_replies_total{outcome="accepted"}"#),
        3.0,
        "{after}"
    );
    assert_eq!(
        moved(r#"thidua_telegram_429_total{source="reply"}"#),
        1.0,
        "{after}"
    );
    bot.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_ok_then_503_when_the_migrations_are_not_ours_or_the_database_is_gone() {
    let b = Bot::start().await;
    let app = b.h.app().expect("running").clone();
    let http = thidua::serve::start(
        "127.0.0.1:0".parse().expect("addr"),
        app.clone(),
        None,
        None,
    )
    .await
    .expect("listening");
    let url = format!("http://{}/healthz", http.addr);
    let (status, body) = get(&url).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("database: ok") && body.contains("migrations: ok"),
        "{body}"
    );

    // A migration this binary does not know (a newer replica migrated).
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (9999, 'from a newer thidua', CURRENT_TIMESTAMP, TRUE, $1, 0)",
    )
    .bind(vec![0u8])
    .execute(app.db.pool())
    .await
    .expect("insert");
    let (status, body) = get(&url).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("migrations: FAILED"), "{body}");

    // The database gone: 503, and the server still answers.
    app.db.pool().close().await;
    let (status, body) = get(&url).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("database: FAILED"), "{body}");
    let (status, _) = get(&format!("http://{}/metrics", http.addr)).await;
    assert_eq!(status, 200, "metrics need no database");
    http.stop().await;
}

/// One webhook request as Telegram makes it; `None` if the connection failed
/// (the bot was killed).
pub(crate) async fn deliver(
    client: &reqwest::Client,
    hook: &str,
    secret: &str,
    body: &Value,
) -> Option<u16> {
    let r = client
        .post(hook)
        .header("content-type", "application/json")
        .header(SECRET_HEADER, secret)
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    Some(r.status().as_u16())
}

async fn processed_ids(db: &Path) -> std::collections::HashSet<i64> {
    let mut c = Conn::connect(&url_of(db)).await.expect("db");
    sqlx::query_scalar::<_, i64>("SELECT update_id FROM processed_updates")
        .fetch_all(&mut c)
        .await
        .expect("ids")
        .into_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_bot_killed_mid_burst_loses_no_acknowledged_update_and_applies_none_twice() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("k.db");
    let bot = Thidua::start(&api, &db, &[("THIDUA_WEBHOOK_URL", HOOK)]).await;
    let hook = format!("{}/tg/hook", http_addr(&bot).await);
    let secret = api
        .wait_for(0, Duration::from_secs(20), |c| c.method == "setWebhook")
        .await
        .and_then(|c| c.body["secret_token"].as_str().map(str::to_owned))
        .expect("secret");
    const N: i64 = 400;
    let burst: Vec<Value> = (0..N)
        .map(|i| with_id(updates::private(&head(1_000 + i), "/lang en"), 10_000 + i))
        .collect();
    // Telegram keeps at most 40 requests open at once.
    let client = reqwest::Client::new();
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(40));
    let mut sends = tokio::task::JoinSet::new();
    for u in burst.clone() {
        let (client, hook, secret, acked, gate) = (
            client.clone(),
            hook.clone(),
            secret.clone(),
            acked.clone(),
            gate.clone(),
        );
        sends.spawn(async move {
            let _open = gate.acquire_owned().await.expect("gate");
            if deliver(&client, &hook, &secret, &u).await == Some(200) {
                let id = u["update_id"].as_i64().expect("id");
                acked.lock().expect("acked").push(id);
            }
        });
    }
    // Killed once a quarter of the burst is acknowledged, the rest in flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while acked.lock().expect("acked").len() < (N / 4) as usize {
        assert!(std::time::Instant::now() < deadline, "the burst stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bot.kill().await;
    while sends.join_next().await.is_some() {}
    let acked: Vec<i64> = acked.lock().expect("acked").clone();
    assert!(
        (acked.len() as i64) < N,
        "killed mid-burst: {} acknowledged",
        acked.len()
    );
    let stored = processed_ids(&db).await;
    let lost: Vec<&i64> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");

    // Telegram delivers again what was not acknowledged (and, to be sure,
    // everything): each update is applied once. The restarted bot sets the
    // same secret: requests Telegram retries with it are not refused.
    let from = api.call_count();
    let bot = Thidua::start(&api, &db, &[("THIDUA_WEBHOOK_URL", HOOK)]).await;
    let hook = format!("{}/tg/hook", http_addr(&bot).await);
    let again = api
        .wait_for(from, Duration::from_secs(20), |c| c.method == "setWebhook")
        .await
        .and_then(|c| c.body["secret_token"].as_str().map(str::to_owned))
        .expect("setWebhook again");
    assert_eq!(again, secret);
    for u in &burst {
        assert_eq!(deliver(&client, &hook, &secret, u).await, Some(200));
    }
    let stored = processed_ids(&db).await;
    assert_eq!(stored.len() as i64, N, "every update applied");
    assert!((10_000..10_000 + N).all(|id| stored.contains(&id)));
    bot.kill().await;
}
