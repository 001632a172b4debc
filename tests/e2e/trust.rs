//! Issue 12's guarantees: an invite cannot take a unit, a reply is sent
//! once, one chat's flood holds up no other, forum topics, a muted group
//! comes back, a group that refuses the bot is retried with backoff.

use crate::support::*;
use fake_bot_api::{BOT_ID, BOT_USERNAME, Fault, Trouble};
use serde_json::{Value, json};
use thidua::harness::STUCK;

fn invite_rows_sql() -> &'static str {
    "SELECT COUNT(*) FROM invites"
}

// ------------------------------------------------------------- invites

#[tokio::test]
async fn an_invite_asked_in_the_group_goes_to_the_admin_privately() {
    let mut b = Bot::with_units(1).await;
    b.h.api.require_start();
    b.private(&admin(), "/start").await;
    let r = b.group(&admin(), "/invite U0").await;
    let in_group = sent_to(&r, GROUP);
    assert_eq!(in_group.len(), 1, "{r:?}");
    assert!(
        !in_group[0].contains("start=") && !in_group[0].contains("/join"),
        "the group sees no link: {}",
        in_group[0]
    );
    assert!(in_group[0].contains("riêng"), "{}", in_group[0]);
    let private = sent_to(&r, admin().id);
    assert_eq!(private.len(), 1, "{r:?}");
    let start = private[0].find("?start=").expect("link") + "?start=".len();
    let token: String = private[0][start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let r = b.private(&head(0), &format!("/join {token}")).await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("✅"), "{r:?}");
}

#[tokio::test]
async fn an_invite_in_the_group_for_an_admin_without_a_private_chat_shows_no_link() {
    let mut b = Bot::with_units(1).await;
    b.h.api.require_start();
    let reply = b.refused(&admin(), true, "/invite U0", BOT_USERNAME).await;
    assert!(!reply.contains("start="), "{reply}");
    assert_eq!(b.count(invite_rows_sql()).await, 0);
    // Once the admin opened the private chat, it works.
    b.private(&admin(), "/start").await;
    let r = b.group(&admin(), "/invite U0").await;
    assert_eq!(sent_to(&r, admin().id).len(), 1, "{r:?}");
    assert_eq!(b.count(invite_rows_sql()).await, 1);
}

#[tokio::test]
async fn a_new_invite_revokes_the_units_older_unused_ones() {
    let mut b = Bot::with_units(2).await;
    let old = invite_token(&b.private(&admin(), "/invite U0").await);
    let other_unit = invite_token(&b.private(&admin(), "/invite U1").await);
    let new = invite_token(&b.private(&admin(), "/invite U0").await);
    b.refused(&head(0), false, &format!("/join {old}"), "hết hạn")
        .await;
    let r = b.private(&head(0), &format!("/join {new}")).await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("✅"), "{r:?}");
    // Another unit's invite is untouched.
    let r = b.private(&head(1), &format!("/join {other_unit}")).await;
    assert!(sent_to(&r, head(1).id)[0].starts_with("✅"), "{r:?}");
    // The revoked invite is kept, not deleted.
    assert_eq!(b.count(invite_rows_sql()).await, 3);
}

// ------------------------------------------------------- sent once

/// The last applied update: its id, and the update to deliver again.
async fn last_applied(b: &Bot, mut update: Value) -> Value {
    let id = b
        .count("SELECT MAX(update_id) FROM processed_updates")
        .await;
    update["update_id"] = json!(id);
    update
}

fn sends(calls: &[ApiCall]) -> Vec<(i64, String)> {
    calls
        .iter()
        .filter(|c| is_send(c))
        .map(|c| (c.chat_id().unwrap_or(0), c.text().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_redelivered_update_sends_only_the_replies_telegram_did_not_accept() {
    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    let join = updates::private(&head(0), &format!("/join {token}"));
    let first = b.send(join.clone()).await;
    assert_eq!(sends(&first).len(), 2, "the head and the group: {first:?}");
    let join = last_applied(&b, join).await;
    let before = b.snapshot().await;

    // Both were accepted: a redelivery sends nothing and changes nothing.
    let again = b.h.redeliver(join.clone()).await.expect("handled");
    assert_eq!(sends(&again), Vec::new(), "nothing is sent twice");
    assert_eq!(before, b.snapshot().await);

    // As if the bot had died before the group's message was accepted.
    // The join's outbox is [the head's reply, the group's notice].
    let id = join["update_id"].as_i64().expect("id");
    forget_mark(&b, id, 1).await;
    let again = b.h.redeliver(join.clone()).await.expect("handled");
    assert_eq!(
        sends(&again),
        vec![(GROUP, sent_to(&first, GROUP)[0].clone())],
        "only the unaccepted message goes out"
    );
    let again = b.h.redeliver(join).await.expect("handled");
    assert_eq!(sends(&again), Vec::new(), "and then it is marked");
}

#[tokio::test]
async fn a_restart_sends_what_a_crash_left_unsent_once() {
    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    let join = updates::private(&head(0), &format!("/join {token}"));
    let first = b.send(join.clone()).await;
    let join = last_applied(&b, join).await;
    let id = join["update_id"].as_i64().expect("id");
    // The group's notice, second in the outbox, was never accepted.
    forget_mark(&b, id, 1).await;
    let from = b.h.api.call_count();
    b.h.restart().await.expect("restart");
    let resent =
        b.h.api
            .wait_for(from, STUCK, |c| is_send(c) && c.chat_id() == Some(GROUP))
            .await
            .expect("the unsent group message goes out after the restart");
    assert_eq!(resent.text(), sent_to(&first, GROUP)[0]);
    // Telegram delivers the update again: nothing more is sent.
    let again = b.h.redeliver(join).await.expect("handled");
    assert_eq!(sends(&again), Vec::new());
    assert_eq!(
        sends(&b.h.api.calls_since(from))
            .iter()
            .filter(|(c, _)| *c == GROUP)
            .count(),
        1
    );
}

async fn forget_mark(b: &Bot, update_id: i64, seq: i64) {
    let pool = b.h.app().expect("running").db.pool().clone();
    let gone = sqlx::query(
        "UPDATE processed_updates SET sent = sent & ~(CAST(1 AS BIGINT) << CAST($1 AS INTEGER)) WHERE update_id = $2 AND sent & (CAST(1 AS BIGINT) << CAST($3 AS INTEGER)) != 0",
    )
    .bind(seq)
    .bind(update_id)
    .bind(seq)
        .execute(&pool)
        .await
        .expect("delete mark")
        .rows_affected();
    assert_eq!(gone, 1, "the message was marked once accepted");
}

// -------------------------------------------------- per-chat queues

#[tokio::test]
async fn a_flooded_group_holds_up_no_private_chat() {
    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    // One update per poll, as Telegram often hands them out: the second
    // comes only once the bot has taken the first.
    b.h.api.hand_out_at_most(1);
    b.h.api
        .trouble_chat(GROUP, Trouble::too_many_requests(2), 1);
    let r =
        b.h.send_all(vec![
            updates::private(&head(0), &format!("/join {token}")),
            updates::private(&admin(), "/units"),
        ])
        .await
        .expect("handled");
    let order: Vec<i64> = r
        .iter()
        .filter(|c| is_send(c))
        .filter_map(ApiCall::chat_id)
        .collect();
    let group_at = order.iter().position(|c| *c == GROUP).expect("group told");
    let admin_at = order
        .iter()
        .position(|c| *c == admin().id)
        .expect("admin answered");
    assert!(
        admin_at < group_at,
        "the admin's answer did not wait for the group's 429: {order:?}"
    );
    assert_eq!(
        order.iter().filter(|c| **c == GROUP).count(),
        1,
        "the group's message is sent once, after its wait"
    );
    assert_eq!(b.h.api.troubles_served().get("429"), Some(&1));
}

#[tokio::test]
async fn a_flooded_chat_gets_all_its_messages_in_order() {
    let mut b = Bot::with_units(0).await;
    b.h.api
        .trouble_chat(GROUP, Trouble::too_many_requests(1), 2);
    let cmds: Vec<String> = (0..6)
        .map(|i| format!("/addunit Q{i} Đơn vị {i}"))
        .collect();
    let r =
        b.h.send_all(
            cmds.iter()
                .map(|c| updates::group(GROUP, TITLE, &admin(), c))
                .collect(),
        )
        .await
        .expect("handled");
    let got: Vec<String> = sent_to(&r, GROUP)
        .iter()
        .map(|t| between(t, "<b>", "</b>"))
        .collect();
    assert_eq!(got, ["Q0", "Q1", "Q2", "Q3", "Q4", "Q5"]);
}

// ------------------------------------------------------ forum topics

fn in_topic(mut update: Value, thread: i64) -> Value {
    update["message"]["is_topic_message"] = json!(true);
    update["message"]["message_thread_id"] = json!(thread);
    update
}

#[tokio::test]
async fn replies_go_to_the_topic_the_command_came_from() {
    let mut b = Bot::with_units(1).await;
    let r = b
        .send(in_topic(
            updates::group(GROUP, TITLE, &admin(), "/addunit U9 Đơn vị chín"),
            77,
        ))
        .await;
    let sent: Vec<&ApiCall> = r.iter().filter(|c| is_send(c)).collect();
    assert_eq!(sent.len(), 1, "{r:?}");
    assert_eq!(sent[0].body["message_thread_id"], json!(77));
    let r = b
        .send(in_topic(
            updates::group(GROUP, TITLE, &admin(), "/units"),
            77,
        ))
        .await;
    assert_eq!(r[0].body["message_thread_id"], json!(77), "{r:?}");
    // Refusals too.
    let r = b
        .send(in_topic(
            updates::group(GROUP, TITLE, &outsider(), "/addunit U8 Tám"),
            77,
        ))
        .await;
    assert!(only_text(&r).starts_with("⚠️"));
    assert_eq!(r[0].body["message_thread_id"], json!(77));
    // Outside a topic, no thread.
    let r = b.group(&admin(), "/units").await;
    assert!(r[0].body.get("message_thread_id").is_none(), "{r:?}");
}

#[tokio::test]
async fn addadmin_in_a_topic_without_a_reply_promotes_nobody() {
    let mut b = Bot::with_bloc().await;
    // Telegram shows a topic message as a reply to the topic's creation
    // message, made by whoever opened the topic.
    let mut m = updates::group(GROUP, TITLE, &admin(), "/addadmin");
    m = in_topic(m, 55);
    m["message"]["reply_to_message"] = json!({
        "message_id": 55, "date": 0, "chat": updates::group_chat(GROUP, TITLE),
        "from": outsider().json(), "message_thread_id": 55, "is_topic_message": true,
        "forum_topic_created": {"name": "Báo cáo", "icon_color": 7_322_096}
    });
    let before = b.snapshot().await;
    let r = b.send(m).await;
    let t = only_text(&r);
    assert!(t.starts_with("⚠️") && t.contains("trả lời"), "{t}");
    assert_eq!(before, b.snapshot().await, "nobody became an admin");
}

// ---------------------------------------------------- muted groups

async fn bloc_with_heads() -> Bot {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b
}

fn kicked() -> Trouble {
    Trouble::Answer(Fault {
        status: 403,
        body: json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was kicked from the supergroup chat"}),
    })
}

#[tokio::test]
async fn a_group_that_removed_the_bot_gets_its_summaries_again_once_it_writes() {
    let mut b = bloc_with_heads().await;
    b.h.clock.set(local(3, 17, 8));
    b.h.api.trouble_chat(GROUP, kicked(), 1);
    tick(&b).await;
    assert_eq!(
        b.count("SELECT COUNT(*) FROM unreachable").await,
        1,
        "the group is marked after the 403"
    );
    // Someone in the group writes to the bot: it is back.
    b.group(&head(0), "/standings").await;
    assert_eq!(b.count("SELECT COUNT(*) FROM unreachable").await, 0);
    b.h.clock.set(local(3, 24, 8));
    let sent = tick(&b).await;
    assert_eq!(
        sent.iter().filter(|c| c.chat_id() == Some(GROUP)).count(),
        1,
        "the next summary reaches the group: {sent:?}"
    );
}

#[tokio::test]
async fn a_group_that_adds_the_bot_back_gets_its_summaries_again() {
    let mut b = bloc_with_heads().await;
    b.h.clock.set(local(3, 17, 8));
    b.h.api.trouble_chat(GROUP, kicked(), 1);
    tick(&b).await;
    assert_eq!(b.count("SELECT COUNT(*) FROM unreachable").await, 1);
    b.h.clock.set(local(3, 24, 8));
    assert!(
        tick(&b).await.iter().all(|c| c.chat_id() != Some(GROUP)),
        "no summary while the bot is out"
    );
    // The bot is added back: Telegram says so with my_chat_member.
    let bot_user =
        json!({"id": BOT_ID, "is_bot": true, "first_name": "Thi đua", "username": BOT_USERNAME});
    b.send(json!({"my_chat_member": {
        "chat": updates::group_chat(GROUP, TITLE), "from": admin().json(), "date": 0,
        "old_chat_member": {"user": bot_user, "status": "left"},
        "new_chat_member": {"user": bot_user, "status": "member"}
    }}))
    .await;
    assert_eq!(b.count("SELECT COUNT(*) FROM unreachable").await, 0);
    b.h.clock.set(local(3, 28, 8));
    let sent = tick(&b).await;
    assert_eq!(
        sent.iter().filter(|c| c.chat_id() == Some(GROUP)).count(),
        1,
        "{sent:?}"
    );
}

fn no_rights() -> Trouble {
    Trouble::Answer(Fault {
        status: 400,
        body: json!({"ok": false, "error_code": 400, "description": "Bad Request: not enough rights to send text messages to the chat"}),
    })
}

#[tokio::test]
async fn a_group_refusing_the_bot_is_retried_with_backoff_and_the_admins_told_once() {
    let b = bloc_with_heads().await;
    let at8 = local(3, 17, 8);
    b.h.clock.set(at8);
    b.h.api.trouble_chat(GROUP, no_rights(), 2);
    let told = |calls: &[ApiCall]| {
        calls
            .iter()
            .filter(|c| c.chat_id() == Some(admin().id) && c.text().contains("từ chối"))
            .count()
    };
    let sent = tick(&b).await;
    assert_eq!(told(&sent), 1, "the admins are told: {sent:?}");
    assert_eq!(b.h.api.troubles_served().get("error"), Some(&1));
    // A minute later: not tried again yet.
    b.h.clock.set(at8 + chrono::Duration::minutes(1));
    let sent = tick(&b).await;
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(b.h.api.troubles_served().get("error"), Some(&1));
    // After the backoff: tried, refused again, the admins not told again.
    b.h.clock.set(at8 + chrono::Duration::minutes(11));
    let sent = tick(&b).await;
    assert_eq!(told(&sent), 0, "{sent:?}");
    assert_eq!(b.h.api.troubles_served().get("error"), Some(&2));
    // The backoff doubles; the rights come back and the summary goes out once.
    b.h.clock.set(at8 + chrono::Duration::minutes(25));
    assert!(tick(&b).await.is_empty());
    b.h.clock.set(at8 + chrono::Duration::minutes(32));
    let sent = tick(&b).await;
    assert_eq!(
        sent.iter().filter(|c| c.chat_id() == Some(GROUP)).count(),
        1,
        "{sent:?}"
    );
    assert_eq!(b.count("SELECT COUNT(*) FROM send_trouble").await, 0);
    b.h.clock.set(at8 + chrono::Duration::hours(3));
    assert!(tick(&b).await.is_empty(), "sent once");
}
