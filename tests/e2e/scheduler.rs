//! The scheduler in simulated time: a whole year, restarts, downtime, time
//! zones and Telegram's faults.

use crate::support::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fake_bot_api::Fault;
use serde_json::json;
use std::collections::BTreeMap;
use thidua::clock::Clock;
use thidua::demo::{TARGETS, UNITS};

fn hcm_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive()
}

/// Codes in "  • <b>CODE</b>" lines: the items a reminder names.
fn bullet_codes(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.trim_start().starts_with("• <b>"))
        .map(|l| between(l, "<b>", "</b>"))
        .collect()
}

/// A reminder summarised: "pledge", the missing target codes, "k/N" for a
/// summary, or the overdue unit codes.
fn gist(text: &str) -> String {
    if text.contains("chưa ký giao ước") {
        "pledge".to_owned()
    } else if text.starts_with("📣") {
        between(text, "đã xong ", ".")
    } else {
        bullet_codes(text).join(",")
    }
}

/// The next instant a send of any bloc may be due after `now`, read from
/// the stored schedules as the scheduler reads them.
async fn next_wakeup(b: &Bot, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    use thidua::storage::{blocs, schedules};
    let pool = b.h.app().expect("running").db.pool().clone();
    let mut conn = pool.acquire().await.expect("connection");
    let mut next: Option<DateTime<Utc>> = None;
    for bloc in blocs::all(&mut conn).await.expect("blocs") {
        let year = bloc.year_at(now);
        for y in [year - 1, year, year + 1] {
            let s = schedules::get(&mut conn, bloc.id, y, bloc.tz)
                .await
                .expect("schedule");
            if let Some(slot) = s.next_after(now) {
                next = Some(next.map_or(slot.at, |n| n.min(slot.at)));
            }
        }
    }
    next
}

async fn eleven_units_ten_heads() -> Bot {
    let mut b = Bot::with_bloc().await;
    for (code, name) in UNITS {
        b.group(&admin(), &format!("/addunit {code} {name}")).await;
    }
    for t in TARGETS {
        b.group(&admin(), &format!("/target add {t}")).await;
    }
    for (i, (code, _)) in UNITS.iter().enumerate().take(10) {
        b.join(code, &head(i as i64)).await;
    }
    b
}

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    local(m, d, h)
}

#[tokio::test]
async fn a_simulated_year_sends_each_head_exactly_what_it_owes() {
    let mut b = eleven_units_ten_heads().await;
    let all = "HTNV,XS,TSVM,CQVH,THU";
    // (when, unit index, command)
    let mut events: Vec<(DateTime<Utc>, i64, String)> = Vec::new();
    for i in 0..6 {
        events.push((at(3, 10, 9), i, "/pledge sign".into()));
    }
    events.push((at(3, 20, 9), 6, "/pledge sign".into()));
    events.push((at(3, 29, 9), 7, "/pledge sign".into()));
    events.push((at(3, 31, 12), 8, "/pledge sign".into()));
    let full = ["HTNV 100", "XS 15", "TSVM có", "CQVH có", "THU 60,9"];
    for i in 0..5 {
        for (k, r) in full.iter().enumerate() {
            events.push((
                at(7, 5, 9) + chrono::Duration::minutes(k as i64),
                i,
                format!("/report {r}"),
            ));
        }
    }
    for (k, r) in full.iter().take(3).enumerate() {
        events.push((
            at(6, 20, 9) + chrono::Duration::minutes(k as i64),
            5,
            format!("/report {r}"),
        ));
    }
    for (k, r) in full.iter().skip(3).enumerate() {
        events.push((
            at(7, 13, 9) + chrono::Duration::minutes(k as i64),
            5,
            format!("/report {r}"),
        ));
    }
    for (k, r) in full.iter().enumerate() {
        events.push((
            at(6, 25, 9) + chrono::Duration::minutes(k as i64),
            6,
            format!("/report {r}"),
        ));
    }
    events.push((at(7, 10, 9), 7, "/report THU 40".into()));
    for (k, r) in full.iter().enumerate() {
        events.push((
            at(11, 1, 9) + chrono::Duration::minutes(k as i64),
            0,
            format!("/report final {r}"),
        ));
    }
    events.sort_by_key(|e| e.0);
    let mut events = events.into_iter().peekable();

    let end = at(12, 31, 23);
    // recipient label -> [(day, gist)]
    let mut got: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let label = |chat: i64| -> String {
        if chat == GROUP {
            "group".into()
        } else if chat == admin().id {
            "admin".into()
        } else {
            UNITS[(chat - head(0).id) as usize].0.to_owned()
        }
    };
    loop {
        let wake = next_wakeup(&b, b.h.clock.now()).await;
        let next_event = events.peek().map(|e| e.0);
        let t = match (wake, next_event) {
            (Some(w), Some(e)) => w.min(e),
            (Some(w), None) => w,
            (None, Some(e)) => e,
            (None, None) => break,
        };
        if t > end {
            break;
        }
        b.h.clock.set(t);
        if next_event == Some(t) {
            let Some((_, i, cmd)) = events.next() else {
                break;
            };
            let r = b.private(&head(i), &cmd).await;
            let mine = sent_to(&r, head(i).id);
            assert!(
                mine[0].starts_with("✅") || mine[0].starts_with("✍️"),
                "{cmd}: {r:?}"
            );
            continue;
        }
        for c in tick(&b).await {
            let day = hcm_day(t).format("%m-%d").to_string();
            got.entry(label(c.chat_id().expect("chat")))
                .or_default()
                .push((day, gist(c.text())));
        }
        // A second tick at the same moment sends nothing more.
        assert!(tick(&b).await.is_empty(), "a tick repeated itself at {t}");
    }

    let expect = |rows: &[(&str, &str)]| -> Vec<(String, String)> {
        rows.iter()
            .map(|(d, g)| (d.to_string(), g.to_string()))
            .collect()
    };
    let final_days = [
        ("11-21", all),
        ("11-28", all),
        ("12-02", all),
        ("12-04", all),
        ("12-05", all),
    ];
    let mut want: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for code in ["TNMT", "SCT", "NNPTNT", "GTVT", "TTTT"] {
        let mut rows = vec![("07-01", all)];
        if code != "TNMT" {
            rows.extend(final_days);
        }
        want.insert(code.into(), expect(&rows));
    }
    let mut sxd = vec![
        ("07-01", "CQVH,THU"),
        ("07-08", "CQVH,THU"),
        ("07-12", "CQVH,THU"),
    ];
    sxd.extend(final_days);
    want.insert("SXD".into(), expect(&sxd));
    let mut bql = vec![("03-17", "pledge")];
    bql.extend(final_days);
    want.insert("BQLKCN".into(), expect(&bql));
    let some = "HTNV,XS,TSVM,CQVH";
    let mut lm = vec![
        ("03-17", "pledge"),
        ("03-24", "pledge"),
        ("03-28", "pledge"),
        ("07-01", all),
        ("07-08", all),
        ("07-12", some),
        ("07-14", some),
        ("07-15", some),
    ];
    lm.extend(final_days);
    want.insert("LMHTX".into(), expect(&lm));
    let mut cd = vec![
        ("03-17", "pledge"),
        ("03-24", "pledge"),
        ("03-28", "pledge"),
        ("03-30", "pledge"),
        ("03-31", "pledge"),
    ];
    cd.extend([
        ("07-01", all),
        ("07-08", all),
        ("07-12", all),
        ("07-14", all),
        ("07-15", all),
    ]);
    cd.extend(final_days);
    want.insert("CDTNN".into(), expect(&cd));
    let mut qd = vec![
        ("03-17", "pledge"),
        ("03-24", "pledge"),
        ("03-28", "pledge"),
        ("03-30", "pledge"),
        ("03-31", "pledge"),
    ];
    qd.extend([
        ("07-01", all),
        ("07-08", all),
        ("07-12", all),
        ("07-14", all),
        ("07-15", all),
    ]);
    qd.extend(final_days);
    want.insert("QDTPT".into(), expect(&qd));
    want.insert(
        "group".into(),
        expect(&[
            ("03-17", "6/11"),
            ("03-24", "7/11"),
            ("03-28", "7/11"),
            ("03-30", "8/11"),
            ("03-31", "8/11"),
            ("07-01", "1/11"),
            ("07-08", "6/11"),
            ("07-12", "6/11"),
            ("07-14", "7/11"),
            ("07-15", "7/11"),
            ("11-21", "1/11"),
            ("11-28", "1/11"),
            ("12-02", "1/11"),
            ("12-04", "1/11"),
            ("12-05", "1/11"),
        ]),
    );
    // The overdue lists are by unit code.
    let rest = "BQLKCN,CDTNN,GTVT,LMHTX,NNPTNT,QDTPT,QPTD,SCT,SXD,TTTT";
    want.insert(
        "admin".into(),
        expect(&[
            ("04-01", "QDTPT,QPTD"),
            ("07-16", "CDTNN,LMHTX,QDTPT,QPTD"),
            ("12-06", rest),
        ]),
    );
    for (who, rows) in &want {
        assert_eq!(got.get(who), Some(rows), "messages to {who}");
    }
    assert_eq!(
        got.len(),
        want.len(),
        "unexpected recipients: {:?}",
        got.keys().collect::<Vec<_>>()
    );
    // The summaries name the unit without a head, and mid/final summaries carry standings.
    let group: Vec<ApiCall> =
        b.h.api
            .calls()
            .into_iter()
            .filter(|c| c.chat_id() == Some(GROUP) && c.text().starts_with("📣"))
            .collect();
    assert!(
        group[0]
            .text()
            .contains("<b>QPTD</b> Quỹ phát triển đất tỉnh (chưa có trưởng đơn vị)"),
        "{}",
        group[0].text()
    );
    assert!(
        group[5].text().contains("Xếp hạng tạm thời")
            && group[5].text().contains("1. <b>BQLKCN</b> 92,2"),
        "{}",
        group[5].text()
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL")
            .await,
        0
    );
}

async fn three_units() -> Bot {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    b
}

fn per_recipient(calls: &[ApiCall]) -> BTreeMap<i64, usize> {
    let mut m = BTreeMap::new();
    for c in calls {
        *m.entry(c.chat_id().expect("chat")).or_default() += 1;
    }
    m
}

#[tokio::test]
async fn a_restart_between_claim_and_send_sends_each_reminder_once() {
    let mut b = three_units().await;
    b.h.clock.set(at(3, 17, 8));
    let from = b.h.api.call_count();
    // Telegram never answers: the bot dies with the three sends in flight.
    b.h.api.trouble(
        "sendMessage",
        fake_bot_api::Trouble::Stall(std::time::Duration::from_secs(60)),
        3,
    );
    let _cut = b.h.tick_later().expect("running");
    assert!(
        b.h.api
            .wait_served("stall", 3, std::time::Duration::from_secs(20))
            .await,
        "the three sends reached Telegram"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL")
            .await,
        3,
        "two heads and the group claimed"
    );
    assert!(
        b.h.api
            .calls_since(from)
            .iter()
            .all(|c| c.method != "sendMessage"),
        "nothing accepted before the crash"
    );
    b.h.restart().await.expect("restart");
    let sent = tick(&b).await;
    assert_eq!(
        per_recipient(&sent),
        BTreeMap::from([(GROUP, 1), (head(0).id, 1), (head(1).id, 1)])
    );
    b.h.restart().await.expect("restart");
    assert!(tick(&b).await.is_empty());
}

#[tokio::test]
async fn a_send_left_pending_by_a_failure_is_sent_after_a_restart_and_only_it() {
    let mut b = three_units().await;
    b.h.clock.set(at(3, 17, 8));
    // A passing failure (a 400 is Telegram refusing for a reason, retried
    // with backoff instead: see trust.rs), on every try of one head's send.
    let bad = Fault {
        status: 502,
        body: json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
    };
    b.h.api
        .trouble_chat(head(0).id, fake_bot_api::Trouble::Answer(bad), 3);
    let first = tick(&b).await;
    let pending = b
        .count("SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL")
        .await;
    assert_eq!(pending, 1, "the failed send stays claimed");
    b.h.restart().await.expect("restart");
    let second = tick(&b).await;
    let mut all = first.clone();
    all.extend(second.iter().cloned());
    let ok: Vec<ApiCall> = all
        .into_iter()
        .filter(|c| c.result.get("message_id").is_some())
        .collect();
    assert_eq!(
        per_recipient(&ok),
        BTreeMap::from([(GROUP, 1), (head(0).id, 1), (head(1).id, 1)])
    );
    assert_eq!(
        second.len(),
        1,
        "only the pending one is sent after the restart"
    );
}

#[tokio::test]
async fn a_bot_down_across_a_send_catches_up_once_per_recipient() {
    let b = three_units().await;
    // Off from 2 March; started again on 18 March, a day after the first send.
    b.h.clock.set(at(3, 18, 10));
    let sent = tick(&b).await;
    assert_eq!(
        per_recipient(&sent),
        BTreeMap::from([(GROUP, 1), (head(0).id, 1), (head(1).id, 1)])
    );
    assert!(
        sent.iter().all(|c| !c.text().contains("còn 7 ngày")),
        "it is the 14-day reminder"
    );
    assert!(tick(&b).await.is_empty());
    assert_eq!(
        b.count("SELECT COUNT(DISTINCT day) FROM reminders").await,
        1
    );
}

#[tokio::test]
async fn after_a_long_outage_only_the_latest_missed_send_goes_out() {
    let b = three_units().await;
    b.h.clock.set(at(3, 29, 10));
    let sent = tick(&b).await;
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter()
            .all(|c| c.text().contains("28/03") || c.text().contains("31/03/2026")),
        "{sent:?}"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders WHERE day = '2026-03-28'")
            .await,
        3
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders").await,
        3,
        "no stale reminders claimed"
    );
}

#[tokio::test]
async fn a_bot_started_five_days_after_a_deadline_sends_nothing() {
    let b = three_units().await;
    b.h.clock.set(at(4, 5, 10));
    assert!(tick(&b).await.is_empty());
    assert_eq!(b.count("SELECT COUNT(*) FROM reminders").await, 0);
}

#[tokio::test]
async fn two_blocs_get_their_reminders_at_their_own_eight_oclock() {
    let mut b = three_units().await;
    b.h.api
        .set_member_status(OTHER_GROUP, admin().id, "creator");
    b.send(updates::group(
        OTHER_GROUP,
        "Paris",
        &admin(),
        "/newbloc Khối Paris",
    ))
    .await;
    b.send(updates::group(
        OTHER_GROUP,
        "Paris",
        &admin(),
        "/addunit P1 Đơn vị Paris",
    ))
    .await;
    let r = b
        .send(updates::group(
            OTHER_GROUP,
            "Paris",
            &admin(),
            "/schedule tz Europe/Paris",
        ))
        .await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    // 16 March 23:30 UTC is already 17 March 06:30 in Ho Chi Minh City: not yet 08:00.
    b.h.clock.set(
        Utc.with_ymd_and_hms(2026, 3, 16, 23, 30, 0)
            .single()
            .expect("t"),
    );
    assert!(tick(&b).await.is_empty());
    b.h.clock.set(
        Utc.with_ymd_and_hms(2026, 3, 17, 1, 0, 0)
            .single()
            .expect("t"),
    );
    assert_eq!(
        per_recipient(&tick(&b).await)
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![GROUP, head(0).id, head(1).id]
    );
    b.h.clock.set(
        Utc.with_ymd_and_hms(2026, 3, 17, 6, 59, 0)
            .single()
            .expect("t"),
    );
    assert!(tick(&b).await.is_empty(), "Paris is at 07:59");
    b.h.clock.set(
        Utc.with_ymd_and_hms(2026, 3, 17, 7, 0, 0)
            .single()
            .expect("t"),
    );
    let paris = tick(&b).await;
    assert_eq!(paris.len(), 1);
    assert_eq!(paris[0].chat_id(), Some(OTHER_GROUP));
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_nothing_is_doubled() {
    let b = three_units().await;
    b.h.clock.set(at(3, 17, 8));
    b.h.api.fail_next(
        "sendMessage",
        Fault { status: 429, body: json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}) },
    );
    let sent = tick(&b).await;
    let ok: Vec<ApiCall> = sent
        .iter()
        .filter(|c| c.result.get("message_id").is_some())
        .cloned()
        .collect();
    assert_eq!(
        per_recipient(&ok),
        BTreeMap::from([(GROUP, 1), (head(0).id, 1), (head(1).id, 1)])
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reminders WHERE sent_at IS NOT NULL")
            .await,
        3
    );
}

#[tokio::test]
async fn a_500_is_retried_and_nothing_is_lost_or_doubled() {
    let b = three_units().await;
    b.h.clock.set(at(3, 17, 8));
    b.h.api.fail_next(
        "sendMessage",
        Fault {
            status: 500,
            body: json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}),
        },
    );
    let sent = tick(&b).await;
    let ok: Vec<ApiCall> = sent
        .iter()
        .filter(|c| c.result.get("message_id").is_some())
        .cloned()
        .collect();
    assert_eq!(
        per_recipient(&ok),
        BTreeMap::from([(GROUP, 1), (head(0).id, 1), (head(1).id, 1)])
    );
    assert!(tick(&b).await.is_empty());
}

#[tokio::test]
async fn a_403_is_recorded_and_the_admins_told_once() {
    let b = three_units().await;
    b.h.clock.set(at(3, 17, 8));
    let blocked = Fault {
        status: 403,
        body: json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    };
    b.h.api
        .trouble_chat(head(0).id, fake_bot_api::Trouble::Answer(blocked), 1);
    let sent = tick(&b).await;
    let notices: Vec<&ApiCall> = sent
        .iter()
        .filter(|c| c.chat_id() == Some(admin().id))
        .collect();
    assert_eq!(notices.len(), 1, "{sent:?}");
    assert!(
        notices[0].text().contains("Trưởng Đơn vị 0 (U0)"),
        "{}",
        notices[0].text()
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM reminders WHERE failed_at IS NOT NULL AND error LIKE '%blocked%'"
        )
        .await,
        1
    );
    // The next send skips the blocked head and does not tell the admins again.
    b.h.clock.set(at(3, 24, 8));
    let sent = tick(&b).await;
    assert_eq!(
        per_recipient(&sent),
        BTreeMap::from([(GROUP, 1), (head(1).id, 1)])
    );
}

#[tokio::test]
async fn a_group_upgraded_to_a_supergroup_moves_the_bloc() {
    let mut b = Bot::with_units(1).await;
    b.h.clock.set(at(3, 17, 8));
    let new_id = -1_002_000_000_001_i64;
    b.h.api.fail_next(
        "sendMessage",
        Fault {
            status: 400,
            body: json!({"ok": false, "error_code": 400, "description": "Bad Request: group chat was upgraded to a supergroup chat", "parameters": {"migrate_to_chat_id": new_id}}),
        },
    );
    let sent = tick(&b).await;
    assert_eq!(
        sent.last().and_then(|c| c.chat_id()),
        Some(new_id),
        "{sent:?}"
    );
    let r = b
        .send(updates::group(new_id, TITLE, &admin(), "/units"))
        .await;
    assert!(only_text(&r).contains("<b>U0</b>"), "{r:?}");
}

#[tokio::test]
async fn a_migration_message_moves_the_bloc_too() {
    let mut b = Bot::with_units(1).await;
    let new_id = -1_002_000_000_002_i64;
    let mut m = updates::message(updates::group_chat(GROUP, TITLE), admin().json(), "");
    m.as_object_mut().expect("object").remove("text");
    m.as_object_mut().expect("object").remove("entities");
    m["migrate_to_chat_id"] = json!(new_id);
    b.send(updates::update(m)).await;
    let r = b
        .send(updates::group(new_id, TITLE, &admin(), "/units"))
        .await;
    assert!(only_text(&r).contains("<b>U0</b>"), "{r:?}");
}
