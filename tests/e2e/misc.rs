//! /start, /help, /lang, /bloc, unknown commands, redelivery, audit.

use crate::support::*;

#[tokio::test]
async fn start_welcomes_in_private_and_refuses_in_groups() {
    let mut b = Bot::start().await;
    let t = only_text(&b.private(&outsider(), "/start").await);
    assert!(
        t.contains("Xin chào Người Ngoài") && t.contains("/join"),
        "{t}"
    );
    let t = only_text(&b.private(&outsider().with_lang("en"), "/start").await);
    assert!(
        t.contains("Hello"),
        "Telegram's language_code picks English: {t}"
    );
    b.refused(&outsider(), true, "/start", "trò chuyện riêng")
        .await;
}

/// Telegram is asked only for the kinds of update the bot handles:
/// messages, button presses and changes of the bot's own membership.
#[tokio::test]
async fn the_bot_asks_telegram_for_messages_button_presses_and_its_membership_only() {
    let mut b = Bot::start().await;
    b.private(&outsider(), "/start").await;
    assert_eq!(
        b.h.api.allowed_updates(),
        ["callback_query", "message", "my_chat_member"]
    );
}

#[tokio::test]
async fn help_lists_what_this_user_may_run_here() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let admin_help = only_text(&b.group(&admin(), "/help").await);
    assert!(
        admin_help.contains("/addunit")
            && admin_help.contains("/addadmin")
            && admin_help.contains("ví dụ"),
        "{admin_help}"
    );
    let head_help = only_text(&b.private(&head(0), "/help").await);
    assert!(
        head_help.contains("/report")
            && head_help.contains("/pledge")
            && !head_help.contains("/addunit"),
        "{head_help}"
    );
    let outsider_help = only_text(&b.private(&outsider(), "/help").await);
    assert!(
        !outsider_help.contains("/report") && outsider_help.contains("/join"),
        "{outsider_help}"
    );
    let group_help = only_text(&b.group(&outsider(), "/help").await);
    assert!(
        group_help.contains("/standings") && !group_help.contains("/addunit"),
        "{group_help}"
    );
}

#[tokio::test]
async fn lang_switches_replies_to_english_and_back() {
    let mut b = Bot::with_units(1).await;
    let t = only_text(&b.private(&admin(), "/lang en").await);
    assert_eq!(t, "✅ Language set to English.");
    let t = only_text(&b.private(&admin(), "/units").await);
    assert!(t.contains("Units of") && t.contains("no head yet"), "{t}");
    let t = only_text(&b.private(&admin(), "/addunit U0 again").await);
    assert!(
        t.starts_with("⚠️ Unit U0 is already") && t.contains("Usage: /addunit"),
        "{t}"
    );
    b.private(&admin(), "/lang vi").await;
    assert!(only_text(&b.private(&admin(), "/units").await).contains("Đơn vị của khối"));
    b.refused(&admin(), false, "/lang fr", "Ngôn ngữ").await;
    b.refused(&admin(), false, "/lang", "thiếu").await;
}

#[tokio::test]
async fn bloc_lists_and_picks_among_several_blocs() {
    let mut b = Bot::with_units(1).await;
    b.add_second_bloc().await;
    b.refused(&admin(), false, "/units", "nhiều khối").await;
    let t = only_text(&b.private(&admin(), "/bloc").await);
    assert!(
        t.contains("Khối thi đua kinh tế") && t.contains("Khối văn hóa, xã hội"),
        "{t}"
    );
    let t = only_text(&b.private(&admin(), "/bloc văn hóa").await);
    assert!(t.contains("Khối văn hóa, xã hội"), "{t}");
    assert!(only_text(&b.private(&admin(), "/units").await).contains("chưa có đơn vị"));
    b.private(&admin(), "/bloc 1").await;
    assert!(only_text(&b.private(&admin(), "/units").await).contains("<b>U0</b>"));
    b.refused(&admin(), false, "/bloc Khối ma", "không thuộc khối")
        .await;
    b.refused(&outsider(), false, "/bloc", "chưa thuộc khối")
        .await;
    b.refused(&admin(), true, "/bloc 1", "trò chuyện riêng")
        .await;
}

#[tokio::test]
async fn unknown_commands_get_help_in_private_and_silence_in_groups() {
    let mut b = Bot::with_bloc().await;
    let t = only_text(&b.private(&admin(), "/frobnicate").await);
    assert!(t.starts_with("⚠️") && t.contains("/help"), "{t}");
    assert!(b.group(&admin(), "/frobnicate").await.is_empty());
    assert!(b.group(&admin(), "/units@some_other_bot").await.is_empty());
    assert!(b.group(&admin(), "just chatting").await.is_empty());
}

#[tokio::test]
async fn a_redelivered_update_changes_state_once() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let mut update = updates::private(&head(0), "/report THU 60,9");
    let first = b.send(update.clone()).await;
    let id = b
        .count("SELECT MAX(update_id) FROM processed_updates")
        .await;
    update["update_id"] = serde_json::json!(id);
    let before = b.snapshot().await;
    let again = b.h.redeliver(update.clone()).await.expect("handled");
    assert_eq!(before, b.snapshot().await, "redelivery changed state");
    assert_eq!(texts(&first).len(), 1);
    assert!(
        texts(&again).is_empty(),
        "the reply was accepted by Telegram: not sent again"
    );
    // Also after a crash and restart on the same database.
    b.h.restart().await.expect("restart");
    b.h.redeliver(update).await.expect("handled");
    assert_eq!(before, b.snapshot().await);
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, 1);
}

#[tokio::test]
async fn a_redelivered_button_press_signs_once() {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let r = b.private(&head(0), "/pledge").await;
    let data = r[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("data")
        .to_owned();
    let mut press = updates::callback(&head(0), r[0].result.clone(), &data);
    b.send(press.clone()).await;
    press["update_id"] = serde_json::json!(
        b.count("SELECT MAX(update_id) FROM processed_updates")
            .await
    );
    let before = b.snapshot().await;
    let r = b.h.redeliver(press).await.expect("handled");
    assert_eq!(before, b.snapshot().await);
    assert!(
        r.iter().any(|c| c.method == "answerCallbackQuery"),
        "the press is still answered"
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'pledge.sign'")
            .await,
        1
    );
}

#[tokio::test]
async fn every_write_is_audited_with_who_and_what() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.private(&head(0), "/report THU 50").await;
    b.private(&head(0), "/report THU 70").await;
    let n = b.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'report' AND user_id = {} AND old_value = '50' AND new_value = '70'",
        head(0).id
    ))
    .await;
    assert_eq!(n, 1);
    // bloc.create, unit.add, 2 × target.add, invite.create, unit.head, 2 × report
    assert_eq!(b.count("SELECT COUNT(*) FROM audit_log").await, 8);
    assert_eq!(b.count("SELECT COUNT(*) FROM processed_updates").await, 8);
}

#[tokio::test]
async fn a_reply_lost_to_a_dropped_connection_is_sent_again() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.h.api
        .trouble("sendMessage", fake_bot_api::Trouble::Drop, 1);
    let r = b.private(&head(0), "/report THU 50").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    assert_eq!(
        b.h.api.troubles_left("sendMessage"),
        0,
        "the first attempt was dropped"
    );
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, 1);
}
