//! Review, second part: corrections after approval (requests that an admin
//! accepts or rejects) and evidence files kept by Telegram file id.

use crate::support::*;
use fake_bot_api::ApiCall;

/// Two units with the two standard targets (TSVM yes/no 40, THU ≥100 % 60);
/// U0 headed by head(0), U1 by head(1).
async fn bloc() -> Bot {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    b
}

/// Head 0 reports TSVM yes and THU 60, submits, and the admin approves.
async fn approved(b: &mut Bot) {
    for cmd in ["/report TSVM yes", "/report THU 60", "/submit"] {
        let r = b.private(&head(0), cmd).await;
        assert!(!sent_to(&r, head(0).id)[0].starts_with("⚠️"), "{r:?}");
    }
    let r = b.group(&admin(), "/approve U0").await;
    assert!(sent_to(&r, GROUP)[0].starts_with("✅"), "{r:?}");
}

/// Head 0 asks to change THU to 75; returns the calls.
async fn ask(b: &mut Bot) -> Vec<ApiCall> {
    let r = b
        .private(&head(0), "/correct THU 75 Số liệu kho bạc đã chốt")
        .await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("✏️"), "{r:?}");
    r
}

/// The request as an admin got it privately, with its buttons.
fn notice(calls: &[ApiCall], admin: i64) -> &ApiCall {
    calls
        .iter()
        .find(|c| is_send(c) && c.chat_id() == Some(admin))
        .expect("the admin gets the request")
}

async fn thu_score(b: &mut Bot) -> String {
    let rows = standings_rows(&only_text(&b.group(&admin(), "/standings").await));
    rows.into_iter()
        .find(|r| r.0 == "U0")
        .map(|r| r.1)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_correction_is_refused_until_approval_then_accepted_with_history_kept() {
    let mut b = bloc().await;
    b.private(&head(0), "/report TSVM yes").await;
    b.private(&head(0), "/report THU 60").await;
    // Open: /report still applies.
    b.refused(&head(0), false, "/correct THU 75 Sửa", "/report")
        .await;
    b.private(&head(0), "/submit").await;
    b.refused(&head(0), false, "/correct THU 75 Sửa", "đã được duyệt")
        .await;
    b.group(&admin(), "/approve U0").await;

    // Bad input changes nothing.
    b.refused(&head(0), false, "/correct THU 75", "lý do").await;
    b.refused(&head(0), false, "/correct THU", "Cách dùng")
        .await;
    b.refused(&head(0), false, "/correct THU nhiều Sửa", "nhiều")
        .await;
    b.refused(&head(0), false, "/correct XYZ 75 Sửa", "XYZ")
        .await;
    b.refused(&head(0), true, "/correct THU 75 Sửa", "trò chuyện riêng")
        .await;
    b.refused(&admin(), false, "/correct THU 75 Sửa", "trưởng đơn vị")
        .await;
    // The head of U1 has nothing approved.
    b.refused(&head(1), false, "/correct THU 75 Sửa", "/report")
        .await;
    assert_eq!(b.count("SELECT COUNT(*) FROM corrections").await, 0);

    // Asked: the admin gets it privately, with Accept and Reject.
    let r = ask(&mut b).await;
    assert!(sent_to(&r, head(0).id)[0].contains("#1"), "{r:?}");
    let n = notice(&r, admin().id);
    assert!(
        n.text().contains("60 → <b>75</b>") && n.text().contains("Số liệu kho bạc"),
        "{n:?}"
    );
    let labels: Vec<String> = buttons(n).into_iter().map(|b| b.0).collect();
    assert_eq!(labels, ["✅ Chấp nhận", "✖️ Từ chối"]);
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'correction.request'
             AND old_value = '60' AND new_value = '75 — Số liệu kho bạc đã chốt'"
        )
        .await,
        1
    );

    // Listed, numbered, in any chat of the bloc's admin.
    let list = only_text(&b.group(&admin(), "/corrections").await);
    assert!(list.contains("#1 <b>U0</b> THU"), "{list}");
    let list = only_text(&b.private(&admin(), "/corrections").await);
    assert!(list.contains("#1"), "{list}");
    b.refused(&head(0), false, "/corrections", "quản trị khối")
        .await;

    // Bad decisions change nothing.
    b.refused(&admin(), true, "/accept", "Cách dùng").await;
    b.refused(&admin(), true, "/accept x", "không phải số thứ tự")
        .await;
    b.refused(&admin(), true, "/accept 9", "#9").await;
    b.refused(&admin(), true, "/reject 1", "lý do").await;
    b.refused(&head(0), false, "/accept 1", "quản trị khối")
        .await;

    // Accepted: a new report row, the board follows, the head is told.
    assert_eq!(thu_score(&mut b).await, "76,0");
    let r = b.group(&admin(), "/accept 1").await;
    assert!(sent_to(&r, GROUP)[0].starts_with("✅"), "{r:?}");
    assert!(
        sent_to(&r, head(0).id)[0].contains("đã được chấp nhận"),
        "{r:?}"
    );
    assert_eq!(thu_score(&mut b).await, "85,0");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reports WHERE raw IN ('60', '75')")
            .await,
        2,
        "history kept"
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'correction.accept'
             AND old_value = '60' AND new_value = '75 — Số liệu kho bạc đã chốt'"
        )
        .await,
        1
    );
    // Still approved; the sheet shows the new value.
    let sheet = only_text(&b.group(&admin(), "/review U0").await);
    assert!(sheet.contains("<b>THU</b>: 75%"), "{sheet}");
    // Deciding twice is told.
    b.refused(&admin(), true, "/accept 1", "đã được chấp nhận rồi")
        .await;
    b.refused(&admin(), true, "/reject 1 Muộn", "đã được chấp nhận rồi")
        .await;
    let list = only_text(&b.group(&admin(), "/corrections").await);
    assert!(list.contains("Không có đề nghị"), "{list}");
}

#[tokio::test]
async fn a_rejected_correction_tells_the_head_why_and_survives_a_restart() {
    let mut b = bloc().await;
    approved(&mut b).await;
    let r = ask(&mut b).await;
    let n = notice(&r, admin().id);
    let data = buttons(n).remove(1).1;
    let r = b
        .send(updates::callback(&admin(), n.result.clone(), &data))
        .await;
    assert!(sent_to(&r, admin().id)[0].contains("gửi lý do"), "{r:?}");
    b.h.restart().await.expect("restart");
    let r = b.private(&admin(), "Chưa có chứng từ kèm theo").await;
    assert!(sent_to(&r, admin().id)[0].starts_with("✖️"), "{r:?}");
    assert!(
        sent_to(&r, head(0).id)[0].contains("Lý do: Chưa có chứng từ kèm theo"),
        "{r:?}"
    );
    // The value stays; the log has old, new and the reason.
    assert_eq!(thu_score(&mut b).await, "76,0");
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'correction.reject'
             AND old_value = '60' AND new_value = '75 — Chưa có chứng từ kèm theo'"
        )
        .await,
        1
    );
    // The reason was used: the next message is plain text again.
    let r = b.private(&admin(), "cảm ơn").await;
    assert!(r.iter().all(|c| !is_send(c)), "{r:?}");
    // An old Accept button is answered with a refusal.
    let accept = buttons(n).remove(0).1;
    let before = b.snapshot().await;
    let r = b
        .send(updates::callback(&admin(), n.result.clone(), &accept))
        .await;
    assert!(toast(&r).contains("đã bị từ chối"), "{r:?}");
    assert_eq!(before, b.snapshot().await);

    // A second request; a pressed Reject can be cancelled.
    let r = b.private(&head(0), "/correct TSVM final no Chưa đạt").await;
    assert!(
        sent_to(&r, head(0).id)[0].starts_with("⚠️"),
        "final is open: {r:?}"
    );
    let r = b.private(&head(0), "/correct THU mid 80 Có chứng từ").await;
    assert!(sent_to(&r, head(0).id)[0].contains("#2"), "{r:?}");
    let n = notice(&r, admin().id);
    let data = buttons(n).remove(1).1;
    b.send(updates::callback(&admin(), n.result.clone(), &data))
        .await;
    let r = b.private(&admin(), "/cancel").await;
    assert!(only_text(&r).contains("Đã thôi từ chối"), "{r:?}");
    let r = b.group(&admin(), "/reject 2 Vẫn thiếu").await;
    assert!(sent_to(&r, head(0).id)[0].contains("Vẫn thiếu"), "{r:?}");
}

#[tokio::test]
async fn accept_and_reject_at_once_by_two_admins_one_wins() {
    let mut b = bloc().await;
    b.add_deputy().await;
    approved(&mut b).await;
    let r = ask(&mut b).await;
    let n = notice(&r, admin().id);
    let accept = buttons(n).remove(0).1;
    let r =
        b.h.send_all(vec![
            updates::callback(&admin(), n.result.clone(), &accept),
            updates::group(GROUP, TITLE, &deputy(), "/reject 1 Không đủ căn cứ"),
        ])
        .await
        .expect("handled");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM corrections WHERE state != 'pending'")
            .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('correction.accept', 'correction.reject')")
            .await,
        1,
        "one decision"
    );
    // The loser is told, in a toast or in the group.
    let told = toast(&r).contains("đã bị từ chối")
        || sent_to(&r, GROUP)
            .iter()
            .any(|t| t.starts_with("⚠️") && t.contains("đã được chấp nhận"));
    assert!(told, "{r:?}");
    // The head hears one outcome.
    assert_eq!(sent_to(&r, head(0).id).len(), 1, "{r:?}");

    // Two Accepts at once: one report row.
    let r = b.private(&head(0), "/correct THU 90 Lần hai").await;
    let n = notice(&r, admin().id);
    let accept = buttons(n).remove(0).1;
    let before = b.count("SELECT COUNT(*) FROM reports").await;
    let r =
        b.h.send_all(vec![
            updates::callback(&admin(), n.result.clone(), &accept),
            updates::group(GROUP, TITLE, &deputy(), "/accept 2"),
        ])
        .await
        .expect("handled");
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, before + 1);
    assert_eq!(sent_to(&r, head(0).id).len(), 1, "{r:?}");
}

#[tokio::test]
async fn a_redelivered_accept_changes_state_once_and_replies_once() {
    let mut b = bloc().await;
    approved(&mut b).await;
    ask(&mut b).await;
    let mut update = updates::group(GROUP, TITLE, &admin(), "/accept 1");
    let first = b.send(update.clone()).await;
    assert_eq!(sent_to(&first, head(0).id).len(), 1, "{first:?}");
    let id = b
        .count("SELECT MAX(update_id) FROM processed_updates")
        .await;
    update["update_id"] = serde_json::json!(id);
    let before = b.snapshot().await;
    let again = b.h.redeliver(update).await.expect("handled");
    assert!(again.iter().all(|c| !is_send(c)), "{again:?}");
    assert_eq!(before, b.snapshot().await, "redelivery changed state");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'correction.accept'")
            .await,
        1
    );
}

/// Head 0 sends a photo captioned `caption`.
async fn photo(b: &mut Bot, caption: &str, id: &str) -> Vec<ApiCall> {
    b.send(updates::with_photo(
        updates::private(&head(0), caption),
        id,
        &format!("u-{id}"),
    ))
    .await
}

#[tokio::test]
async fn evidence_is_attached_counted_sent_again_and_a_gone_file_is_reported() {
    let mut b = bloc().await;
    b.private(&head(0), "/report THU 60").await;
    // A photo with the command as its caption.
    let r = photo(&mut b, "/evidence THU", "ph1").await;
    assert!(only_text(&r).contains("1/10"), "{r:?}");
    // A document answered with the command.
    let doc = updates::with_document(updates::private(&head(0), ""), "doc1", "u-doc1");
    let mut reply = updates::private(&head(0), "/evidence THU mid");
    reply["message"]["reply_to_message"] = doc["message"].clone();
    let r = b.send(reply).await;
    assert!(only_text(&r).contains("2/10"), "{r:?}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM evidence WHERE file_id IN ('ph1', 'doc1')")
            .await,
        2,
        "the largest photo size and the document, by file id"
    );

    // Refusals change nothing.
    b.refused(&head(0), false, "/evidence THU", "Chưa có tệp")
        .await;
    b.refused(&head(0), false, "/evidence XYZ", "XYZ").await;
    b.refused(&head(0), false, "/evidence U0 THU soon", "soon")
        .await;
    let before = b.snapshot().await;
    let r = photo(&mut b, "/evidence THU", "ph1").await;
    assert!(only_text(&r).contains("đã là minh chứng"), "{r:?}");
    let r = b
        .send(updates::with_photo(
            updates::group(GROUP, TITLE, &head(0), "/evidence THU"),
            "ph9",
            "u-ph9",
        ))
        .await;
    assert!(only_text(&r).contains("trò chuyện riêng"), "{r:?}");
    let r = b
        .send(updates::with_photo(
            updates::private(&admin(), "/evidence THU"),
            "ph9",
            "u-ph9",
        ))
        .await;
    assert!(only_text(&r).starts_with("⚠️"), "{r:?}");
    // A photo with another command as caption is not read.
    let r = b
        .send(updates::with_photo(
            updates::private(&head(0), "/report THU 99"),
            "ph8",
            "u-ph8",
        ))
        .await;
    assert!(r.iter().all(|c| !is_send(c)), "{r:?}");
    assert_eq!(before, b.snapshot().await);

    // Ten at most.
    for i in 3..=10 {
        let r = photo(&mut b, "/evidence THU", &format!("ph{i}")).await;
        assert!(only_text(&r).contains(&format!("{i}/10")), "{r:?}");
    }
    let before = b.snapshot().await;
    let r = photo(&mut b, "/evidence THU", "ph11").await;
    assert!(only_text(&r).starts_with("⚠️"), "{r:?}");
    assert!(only_text(&r).contains("đủ 10"), "{r:?}");
    assert_eq!(before, b.snapshot().await);

    // The review sheet counts them.
    let sheet = only_text(&b.group(&admin(), "/review U0").await);
    assert!(sheet.contains("📎10"), "{sheet}");

    // Sent again by file id, to an admin and to another unit's head.
    for who in [admin(), head(1)] {
        let r = b.private(&who, "/evidence U0 THU").await;
        let photos: Vec<&str> = r
            .iter()
            .filter(|c| c.method == "sendPhoto")
            .filter_map(|c| c.body["photo"].as_str())
            .collect();
        assert_eq!(photos.len(), 9, "{r:?}");
        assert_eq!(photos[0], "ph1");
        let docs = r.iter().filter(|c| c.method == "sendDocument").count();
        assert_eq!(docs, 1, "{r:?}");
        let summary = sent_to(&r, who.id);
        assert!(
            summary.last().is_some_and(|s| s.contains("10 tệp")),
            "{summary:?}"
        );
    }
    // A file Telegram no longer has is reported as gone.
    b.h.api.forget_file("ph1");
    let r = b.private(&admin(), "/evidence U0 THU mid").await;
    let summary = sent_to(&r, admin().id);
    let last = summary.last().cloned().unwrap_or_default();
    assert!(last.contains("9 tệp") && last.contains("#1"), "{last}");
    assert!(last.contains("không còn gửi được"), "{last}");

    // No files yet; not a member.
    let r = b.private(&admin(), "/evidence U0 TSVM").await;
    assert!(only_text(&r).contains("chưa có minh chứng"), "{r:?}");
    b.refused(&outsider(), false, "/evidence U0 THU", "khối")
        .await;
    b.refused(&admin(), true, "/evidence U0 THU", "trò chuyện riêng")
        .await;
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.add'")
            .await,
        10
    );
}
