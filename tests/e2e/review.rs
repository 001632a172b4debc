//! Review (thẩm định): submit, return with a reason, approve, the buttons,
//! exemptions and points, and the lock on reports.

use crate::support::*;
use fake_bot_api::ApiCall;

/// Two units with the two standard targets (TSVM yes/no 40, THU ≥100 % 60);
/// U0 headed by head(0).
async fn bloc() -> Bot {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b
}

/// Head 0 reports both targets and submits.
async fn report_and_submit(b: &mut Bot) -> Vec<ApiCall> {
    for cmd in ["/report TSVM yes", "/report THU 60"] {
        let r = b.private(&head(0), cmd).await;
        assert!(only_text(&r).starts_with("✅"), "{r:?}");
    }
    b.private(&head(0), "/submit").await
}

#[tokio::test]
async fn a_unit_submits_is_returned_with_a_reason_submits_again_and_is_approved() {
    let mut b = bloc().await;
    // Not everything reported: refused, naming what is missing.
    let r = b.private(&head(0), "/report TSVM yes").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    b.refused(&head(0), false, "/submit", "THU").await;

    let r = report_and_submit(&mut b).await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("📨"), "{r:?}");
    let notice = sent_to(&r, admin().id);
    assert!(
        notice[0].contains("U0") && notice[0].contains("/review U0 mid"),
        "{notice:?}"
    );
    // Locked for the head while submitted.
    b.refused(&head(0), false, "/report THU 70", "tạm khóa")
        .await;
    b.refused(&head(0), false, "/submit", "đã được gửi").await;

    // The admin sees who waits, then the unit's sheet with its buttons.
    let r = b.group(&admin(), "/review").await;
    let list = only_text(&r);
    assert!(list.contains("📨 <b>U0</b>"), "{list}");
    assert!(list.contains("📝 <b>U1</b>"), "{list}");
    let r = b.group(&admin(), "/review U0").await;
    let sheet = only_text(&r);
    assert!(sheet.contains("<b>THU</b>: 60%"), "{sheet}");
    let labels: Vec<String> = buttons(&r[0]).into_iter().map(|b| b.0).collect();
    assert_eq!(labels, ["✅ Duyệt", "↩️ Trả lại"]);

    // Return needs a reason; with one, the head hears it privately.
    b.refused(&admin(), true, "/return U0", "lý do").await;
    let r = b.group(&admin(), "/return U0 Thiếu minh chứng").await;
    assert!(sent_to(&r, GROUP)[0].starts_with("↩️"), "{r:?}");
    let told = sent_to(&r, head(0).id);
    assert!(told[0].contains("Lý do: Thiếu minh chứng"), "{told:?}");
    b.refused(&admin(), true, "/approve U0", "chưa gửi").await;

    // Open again: the head corrects and submits again.
    let r = b.private(&head(0), "/report THU 75").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    let r = b.private(&head(0), "/submit mid").await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("📨"), "{r:?}");
    let r = b.group(&admin(), "/approve U0").await;
    assert!(sent_to(&r, GROUP)[0].starts_with("✅"), "{r:?}");
    assert!(
        sent_to(&r, head(0).id)[0].contains("đã được duyệt"),
        "{r:?}"
    );
    b.refused(&admin(), true, "/approve U0", "đã được duyệt")
        .await;
    b.refused(&head(0), false, "/report THU 80", "đã được duyệt")
        .await;

    // The audit log has every move, the return with its reason.
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review.submit'")
            .await,
        2
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'review.return' AND new_value = 'Thiếu minh chứng'"
        )
        .await,
        1
    );
    // The standings show the state.
    let r = b.group(&admin(), "/standings").await;
    assert!(only_text(&r).contains("✅ đã duyệt"), "{r:?}");
}

#[tokio::test]
async fn approve_and_return_pressed_at_once_by_two_admins_one_wins() {
    let mut b = bloc().await;
    b.add_deputy().await;
    report_and_submit(&mut b).await;
    let r = b.group(&admin(), "/review U0").await;
    let sheet = r[0].result.clone();
    let data: Vec<String> = buttons(&r[0]).into_iter().map(|b| b.1).collect();
    let r =
        b.h.send_all(vec![
            updates::callback(&admin(), sheet.clone(), &data[0]),
            updates::callback(&deputy(), sheet, &data[1]),
        ])
        .await
        .expect("handled");
    // Whichever ran second is told: the Return at once, or, if it ran
    // first and asked for the reason, when that reason comes too late.
    let asked = sent_to(&r, GROUP).iter().any(|t| t.contains("gửi lý do"));
    if asked {
        let r = b.group(&deputy(), "Số liệu chưa khớp").await;
        assert!(only_text(&r).starts_with("⚠️"), "{r:?}");
        assert!(only_text(&r).contains("đã được duyệt"), "{r:?}");
    } else {
        assert!(toast(&r).contains("đã được duyệt"), "{r:?}");
    }
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reviews WHERE state = 'approved'")
            .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'review.%' AND action != 'review.submit'")
            .await,
        1,
        "one decision"
    );
    // A second press of Approve is told, in a toast.
    let r = b.group(&admin(), "/review U0").await;
    assert!(buttons(&r[0]).is_empty(), "no buttons once decided");
    let r = b
        .send(updates::callback(&admin(), r[0].result.clone(), &data[0]))
        .await;
    assert!(toast(&r).starts_with("⚠️"), "{r:?}");
}

#[tokio::test]
async fn a_return_waiting_for_its_reason_survives_a_restart() {
    let mut b = bloc().await;
    report_and_submit(&mut b).await;
    let r = b.private(&admin(), "/review U0").await;
    let data = buttons(&r[0]).remove(1).1;
    let r = b
        .send(updates::callback(&admin(), r[0].result.clone(), &data))
        .await;
    assert!(sent_to(&r, admin().id)[0].contains("gửi lý do"), "{r:?}");
    b.h.restart().await.expect("restart");
    let r = b.private(&admin(), "Thiếu số liệu quý II").await;
    assert!(sent_to(&r, admin().id)[0].starts_with("↩️"), "{r:?}");
    assert!(
        sent_to(&r, head(0).id)[0].contains("Thiếu số liệu quý II"),
        "{r:?}"
    );
    // The reason was used: the next message is plain text again.
    let r = b.private(&admin(), "cảm ơn").await;
    assert!(r.iter().all(|c| !is_send(c)), "{r:?}");
}

#[tokio::test]
async fn a_redelivered_approve_changes_state_once_and_replies_once() {
    let mut b = bloc().await;
    report_and_submit(&mut b).await;
    let mut update = updates::group(GROUP, TITLE, &admin(), "/approve U0");
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
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'review.approve'")
            .await,
        1
    );
}

#[tokio::test]
async fn exemptions_and_points_change_the_score_as_the_formula_says() {
    let mut b = bloc().await;
    for cmd in ["/report TSVM yes", "/report THU 50"] {
        b.private(&head(0), cmd).await;
    }
    // TSVM 40·1 + THU 60·0.5 = 70 of 100.
    let rows = standings_rows(&only_text(&b.group(&admin(), "/standings").await));
    assert_eq!(rows[0], ("U0".into(), "70,0".into()), "{rows:?}");
    // THU does not apply to U0: 40 / 40 = 100.
    let r = b
        .group(&admin(), "/exempt U0 THU Không có nhiệm vụ thu")
        .await;
    assert!(only_text(&r).starts_with("➖"), "{r:?}");
    b.refused(&admin(), true, "/exempt U0 THU mid lại", "đã được miễn")
        .await;
    b.refused(&admin(), true, "/exempt U0 THU", "lý do").await;
    // +5 and −2.5: 102.5, shown with the base apart.
    b.group(&admin(), "/points U0 +5 Cờ thi đua").await;
    let r = b.group(&admin(), "/points U0 -2,5 Nộp chậm").await;
    assert!(only_text(&r).contains("+2,5"), "total of the period: {r:?}");
    b.refused(
        &admin(),
        true,
        "/points U0 5 Không dấu",
        "không phải số điểm",
    )
    .await;
    b.refused(&admin(), true, "/points U0 +101 Quá", "không phải số điểm")
        .await;
    let text = only_text(&b.group(&admin(), "/standings").await);
    assert!(text.contains("<b>102,5</b>"), "{text}");
    assert!(text.contains("(100,0 +2,5)"), "{text}");
    assert!(
        text.contains("1/1"),
        "k/T leaves the exempt target out: {text}"
    );
    // The head's /status no longer lists THU, and /submit needs only TSVM.
    let status = only_text(&b.private(&head(0), "/status").await);
    assert!(!status.contains("<b>THU</b>"), "{status}");
    let list = only_text(&b.group(&admin(), "/points U0").await);
    assert!(list.contains("+5") && list.contains("−2,5"), "{list}");
    // Ending the exemption brings THU back: 70 + 2.5.
    let r = b.group(&admin(), "/exempt remove U0 THU").await;
    assert!(only_text(&r).starts_with("➕"), "{r:?}");
    let rows = standings_rows(&only_text(&b.group(&admin(), "/standings").await));
    assert_eq!(rows[0], ("U0".into(), "72,5".into()), "{rows:?}");
    b.refused(&admin(), true, "/exempt remove U0 THU", "không được miễn")
        .await;
    // Only admins.
    b.refused(&head(0), false, "/points U0 +1 Tự cộng", "quản trị khối")
        .await;
    b.refused(&head(0), false, "/exempt U0 THU Tự miễn", "quản trị khối")
        .await;
}

#[tokio::test]
async fn a_value_recorded_after_the_deadline_day_is_marked_late_and_scores_the_same() {
    let mut b = bloc().await;
    b.private(&head(0), "/report TSVM yes").await;
    // The mid-year deadline is 15 July (the default schedule): on the
    // 16th, a mid-year value is late.
    b.h.clock.set(local(7, 16, 9));
    let r = b.private(&head(0), "/report mid THU 50").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    let sheet = only_text(&b.group(&admin(), "/review U0 mid").await);
    let late_lines: Vec<&str> = sheet.lines().filter(|l| l.contains("⏰")).collect();
    assert_eq!(late_lines.len(), 1, "{sheet}");
    assert!(late_lines[0].contains("<b>THU</b>"), "{sheet}");
    assert!(late_lines[0].contains("nộp muộn"), "{sheet}");
    // 40·1 + 60·0.5 = 70: the mark changes no score.
    let rows = standings_rows(&only_text(&b.group(&admin(), "/standings mid").await));
    assert_eq!(rows[0], ("U0".into(), "70,0".into()), "{rows:?}");
}

#[tokio::test]
async fn reminders_skip_a_submitted_unit_remind_a_returned_one_and_tell_admins_who_waits() {
    let mut b = bloc().await;
    b.join("U1", &head(1)).await;
    report_and_submit(&mut b).await;
    for cmd in ["/report TSVM yes", "/report THU 40", "/submit"] {
        b.private(&head(1), cmd).await;
    }
    b.group(&admin(), "/return U1 Sai số liệu thu").await;
    // The day before the mid-year deadline (15 July), at the send time.
    b.h.clock.set(local(7, 14, 8));
    let sent = tick(&b).await;
    assert!(sent_to(&sent, head(0).id).is_empty(), "submitted: {sent:?}");
    let told = sent_to(&sent, head(1).id);
    assert_eq!(told.len(), 1, "{sent:?}");
    assert!(told[0].contains("Sai số liệu thu"), "{told:?}");
    assert!(told[0].contains("/submit"), "{told:?}");
    // The day after: the admin hears that one unit waits for review.
    b.h.clock.set(local(7, 16, 8));
    let sent = tick(&b).await;
    let admin_got = sent_to(&sent, admin().id);
    assert!(
        admin_got
            .iter()
            .any(|t| t.contains("1 đơn vị đang chờ thẩm định")),
        "{sent:?}"
    );
    // Sent once: a second tick the same day sends nothing again.
    assert!(tick(&b).await.is_empty());
}

#[tokio::test]
async fn malformed_and_out_of_turn_review_commands_are_refused_and_change_nothing() {
    let mut b = bloc().await;
    for (who, in_group, text, why) in [
        (head(0), false, "/submit soon", "Kỳ «soon» không hợp lệ"),
        (head(0), false, "/submit mid final", "sai tham số"),
        (admin(), false, "/submit", "Chỉ trưởng đơn vị"),
        (head(0), false, "/review", "quản trị khối"),
        (admin(), true, "/review ZZ", "Không có đơn vị mã ZZ"),
        (admin(), true, "/review U0 soon", "Kỳ «soon» không hợp lệ"),
        (admin(), true, "/review U0 mid x", "sai tham số"),
        (admin(), true, "/approve", "sai tham số"),
        (admin(), true, "/approve U0 mid thêm chữ", "sai tham số"),
        (admin(), true, "/approve ZZ", "Không có đơn vị mã ZZ"),
        (admin(), true, "/approve U0", "chưa gửi"),
        (admin(), true, "/return U0 mid Chưa gửi mà trả", "chưa gửi"),
        (admin(), true, "/return", "sai tham số"),
        (
            admin(),
            true,
            "/exempt U0 XX Không áp dụng",
            "Không có chỉ tiêu mã XX",
        ),
        (
            admin(),
            true,
            "/exempt ZZ THU Không áp dụng",
            "Không có đơn vị mã ZZ",
        ),
        (admin(), true, "/exempt remove", "sai tham số"),
        (admin(), true, "/points", "sai tham số"),
        (admin(), true, "/points U0 +5 mid", "lý do"),
        (admin(), true, "/points U0 +0 Không", "không phải số điểm"),
        (
            admin(),
            true,
            "/points ZZ +1 Thưởng",
            "Không có đơn vị mã ZZ",
        ),
    ] {
        b.refused(&who, in_group, text, why).await;
    }
}
