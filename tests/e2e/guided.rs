//! The guided /report: buttons, a typed value, a confirmation; survives a
//! restart, lapses after 30 minutes, ends with /cancel.

use crate::support::*;

async fn ready() -> Bot {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    b
}

fn button(call: &ApiCall, label_starts: &str) -> String {
    call.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .find(|b| {
            b["text"]
                .as_str()
                .is_some_and(|t| t.starts_with(label_starts) || t.contains(label_starts))
        })
        .and_then(|b| b["callback_data"].as_str())
        .unwrap_or_else(|| panic!("no button {label_starts} in {:?}", call.body))
        .to_owned()
}

fn sent(calls: &[ApiCall]) -> &ApiCall {
    calls
        .iter()
        .find(|c| c.method == "sendMessage")
        .expect("a message")
}

#[tokio::test]
async fn guided_report_records_after_confirmation() {
    let mut b = ready().await;
    b.private(&head(0), "/report TSVM có").await;
    let r = b.private(&head(0), "/report").await;
    let pick = sent(&r);
    assert!(
        pick.text().contains("còn 1 chưa báo cáo"),
        "{}",
        pick.text()
    );
    assert!(
        button(pick, "✅ TSVM").starts_with("flow:t:"),
        "reported targets are marked"
    );
    let thu = button(pick, "⏳ THU");
    let r = b
        .send(updates::callback(&head(0), pick.result.clone(), &thu))
        .await;
    assert!(sent(&r).text().contains("Gõ giá trị"), "{r:?}");
    let before = b.count("SELECT COUNT(*) FROM reports").await;
    let r = b.private(&head(0), "60,9").await;
    let confirm = sent(&r);
    // 40 (TSVM) + 60 × 0.609 = 76.54
    assert!(
        confirm.text().contains("từ 40,0 thành <b>76,5</b>"),
        "{}",
        confirm.text()
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reports").await,
        before,
        "nothing recorded before confirming"
    );
    let ok = button(confirm, "✅ Xác nhận");
    let r = b
        .send(updates::callback(&head(0), confirm.result.clone(), &ok))
        .await;
    let edit = r
        .iter()
        .find(|c| c.method == "editMessageText")
        .expect("confirmation replaced");
    assert!(edit.text().contains("76,5/100"), "{}", edit.text());
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reports WHERE raw = '60,9' AND period = 'mid'")
            .await,
        1
    );
    assert_eq!(b.count("SELECT COUNT(*) FROM dialogues").await, 0);
    // The confirmation went out as the edit: a restart does not send it again.
    let from = b.h.api.call_count();
    b.h.restart().await.expect("restart");
    b.private(&head(0), "/status").await;
    let again: Vec<String> = texts(&b.h.api.calls_since(from))
        .into_iter()
        .filter(|t| t.contains("76,5/100") && !t.contains("📊"))
        .collect();
    assert!(again.is_empty(), "sent again after a restart: {again:?}");
}

#[tokio::test]
async fn a_bad_value_in_the_flow_is_refused_and_can_be_typed_again() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/report").await;
    let thu = button(sent(&r), "⏳ THU");
    b.send(updates::callback(&head(0), sent(&r).result.clone(), &thu))
        .await;
    b.refused(&head(0), false, "sáu mươi", "không phải là số")
        .await;
    let r = b.private(&head(0), "61").await;
    assert!(sent(&r).text().contains("Ghi <b>THU</b> = 61%"), "{r:?}");
}

#[tokio::test]
async fn the_flow_survives_a_restart() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/report").await;
    let tsvm = button(sent(&r), "⏳ TSVM");
    b.send(updates::callback(&head(0), sent(&r).result.clone(), &tsvm))
        .await;
    b.h.restart().await.expect("restart");
    let r = b.private(&head(0), "có").await;
    let confirm = sent(&r);
    let ok = button(confirm, "✅");
    b.send(updates::callback(&head(0), confirm.result.clone(), &ok))
        .await;
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reports WHERE value = 1")
            .await,
        1
    );
}

#[tokio::test]
async fn the_flow_lapses_after_thirty_minutes() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/report").await;
    let thu = button(sent(&r), "⏳ THU");
    b.send(updates::callback(&head(0), sent(&r).result.clone(), &thu))
        .await;
    b.h.clock.advance(chrono::Duration::minutes(31));
    let r = b.private(&head(0), "50").await;
    assert!(
        sent(&r).text().starts_with("⚠️") && sent(&r).text().contains("30 phút"),
        "{r:?}"
    );
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, 0);
    assert_eq!(b.count("SELECT COUNT(*) FROM dialogues").await, 0);
    // After that, plain text is not for the bot.
    assert!(b.private(&head(0), "50").await.is_empty());
}

#[tokio::test]
async fn cancel_ends_the_flow_and_nothing_is_recorded() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/report").await;
    let thu = button(sent(&r), "⏳ THU");
    b.send(updates::callback(&head(0), sent(&r).result.clone(), &thu))
        .await;
    b.private(&head(0), "50").await;
    let r = b.private(&head(0), "/cancel").await;
    assert!(only_text(&r).contains("Đã hủy"), "{r:?}");
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, 0);
    b.refused(&head(0), false, "/cancel", "Không có báo cáo")
        .await;
    // The cancel button works too.
    let r = b.private(&head(0), "/report").await;
    let x = button(sent(&r), "✖️");
    let r = b
        .send(updates::callback(&head(0), sent(&r).result.clone(), &x))
        .await;
    assert!(
        r.iter()
            .any(|c| c.method == "editMessageText" && c.text().contains("Đã hủy")),
        "{r:?}"
    );
}

#[tokio::test]
async fn one_line_reports_still_work_during_a_flow_and_others_cannot_press_its_buttons() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/report").await;
    let thu = button(sent(&r), "⏳ THU");
    let before = b.snapshot().await;
    let r2 = b
        .send(updates::callback(&head(1), sent(&r).result.clone(), &thu))
        .await;
    assert!(
        r2.iter().any(|c| c.method == "answerCallbackQuery"
            && c.body["text"].as_str().is_some_and(|t| t.starts_with("⚠️"))),
        "{r2:?}"
    );
    assert_eq!(before, b.snapshot().await);
    let r = b.private(&head(0), "/report THU 70").await;
    assert!(only_text(&r).starts_with("✅"));
}
