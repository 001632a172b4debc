//! /target add|set|remove|list and /targets.

use crate::support::*;

#[tokio::test]
async fn target_add_then_list_shows_goal_and_weight() {
    let mut b = Bot::with_bloc().await;
    let r = b
        .group(
            &admin(),
            "/target add HTNV percent >=100 30 Tỷ lệ CBCCVC hoàn thành nhiệm vụ",
        )
        .await;
    assert!(only_text(&r).contains("≥ 100%"), "{r:?}");
    b.group(
        &admin(),
        "/target add KL number <=0 10 Số CBCCVC bị kỷ luật",
    )
    .await;
    b.group(
        &admin(),
        "/target add TSVM yesno có 20 Chi bộ trong sạch vững mạnh",
    )
    .await;
    for cmd in ["/targets", "/target list"] {
        let t = only_text(&b.group(&outsider(), cmd).await);
        assert!(
            t.contains("năm 2026") && t.contains("tổng trọng số 60"),
            "{t}"
        );
        assert!(
            t.contains("<b>HTNV</b> Tỷ lệ CBCCVC hoàn thành nhiệm vụ — ≥ 100% · trọng số 30"),
            "{t}"
        );
        assert!(
            t.contains("<b>KL</b> Số CBCCVC bị kỷ luật — ≤ 0 · trọng số 10"),
            "{t}"
        );
        assert!(
            t.contains("<b>TSVM</b> Chi bộ trong sạch vững mạnh — có · trọng số 20"),
            "{t}"
        );
    }
}

#[tokio::test]
async fn target_add_refusals_change_nothing() {
    let mut b = Bot::with_bloc().await;
    b.group(&admin(), "/target add HTNV percent >=100 30 Tỷ lệ")
        .await;
    b.refused(
        &admin(),
        true,
        "/target add X money 5 1 Tên",
        "Loại chỉ tiêu",
    )
    .await;
    b.refused(
        &admin(),
        true,
        "/target add X percent nhiều 1 Tên",
        "Mục tiêu",
    )
    .await;
    b.refused(&admin(), true, "/target add X yesno 100 1 Tên", "Mục tiêu")
        .await;
    b.refused(
        &admin(),
        true,
        "/target add X percent >=-5 1 Tên",
        "Mục tiêu",
    )
    .await;
    b.refused(&admin(), true, "/target add X percent 5 0 Tên", "Trọng số")
        .await;
    b.refused(
        &admin(),
        true,
        "/target add X percent 5 2.5 Tên",
        "Trọng số",
    )
    .await;
    b.refused(&admin(), true, "/target add htnv percent 5 1 Tên", "đã có")
        .await;
    b.refused(
        &admin(),
        true,
        "/target add MID percent 5 1 Tên",
        "kỳ báo cáo",
    )
    .await;
    b.refused(&admin(), true, "/target add X percent 5 1", "thiếu")
        .await;
    b.refused(&admin(), true, "/target", "thiếu").await;
    b.refused(&admin(), true, "/target frobnicate", "thiếu")
        .await;
    b.refused(
        &outsider(),
        true,
        "/target add X percent 5 1 Tên",
        "quản trị khối",
    )
    .await;
}

#[tokio::test]
async fn target_set_gives_a_unit_its_own_goal() {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let r = b.private(&admin(), "/target set U0 THU >=80").await;
    assert!(only_text(&r).contains("≥ 80%"), "{r:?}");
    let t = only_text(&b.private(&head(0), "/pledge").await);
    assert!(t.contains("≥ 80% (mục tiêu riêng)"), "{t}");
    // The bloc goal is unchanged for everyone else.
    assert!(only_text(&b.group(&admin(), "/targets").await).contains("≥ 100%"));
    assert_eq!(b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'target.goal' AND old_value = '≥ 100%' AND new_value = '≥ 80%'").await, 1);
}

#[tokio::test]
async fn target_set_refusals_change_nothing() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.refused(&admin(), true, "/target set NOPE THU 80", "Không có đơn vị")
        .await;
    b.refused(
        &admin(),
        true,
        "/target set U0 NOPE 80",
        "Không có chỉ tiêu",
    )
    .await;
    b.refused(&admin(), true, "/target set U0 TSVM 80", "Mục tiêu")
        .await;
    b.refused(&admin(), true, "/target set U0 THU", "thiếu")
        .await;
    b.refused(&head(0), false, "/target set U0 THU 80", "chưa thuộc khối")
        .await;
}

#[tokio::test]
async fn target_remove_drops_it_from_the_list() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    let r = b.group(&admin(), "/target remove tsvm").await;
    assert!(only_text(&r).contains("<b>TSVM</b>"), "{r:?}");
    let t = only_text(&b.group(&admin(), "/targets").await);
    assert!(!t.contains("TSVM") && t.contains("THU"), "{t}");
    b.refused(&admin(), true, "/target remove TSVM", "Không có chỉ tiêu")
        .await;
    b.refused(&admin(), true, "/target remove", "thiếu").await;
    b.refused(&outsider(), true, "/target remove THU", "quản trị khối")
        .await;
}

/// Units U0..U2 headed by head(0..2); TSVM (40) and THU (60). U0 reported
/// both for mid, U1 only TSVM, U2 nothing.
async fn reported_world() -> Bot {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    for i in 0..3 {
        b.join(&format!("U{i}"), &head(i)).await;
    }
    for (i, r) in [(0, "TSVM có"), (0, "THU 50"), (1, "TSVM có")] {
        let t = only_text(&b.private(&head(i), &format!("/report mid {r}")).await);
        assert!(t.starts_with("✅"), "{t}");
    }
    b
}

#[tokio::test]
async fn removing_a_reported_target_archives_it_out_of_every_count_and_restore_gives_the_score_back()
 {
    let mut b = reported_world().await;
    let standings = "/standings mid 2026";
    let before = only_text(&b.group(&admin(), standings).await);
    assert_eq!(
        standings_rows(&before),
        [("U0", "70,0"), ("U1", "40,0"), ("U2", "0,0")].map(|(c, s)| (c.into(), s.into()))
    );
    let status_before = only_text(&b.private(&head(1), "/status").await);
    assert!(status_before.contains("TSVM"), "{status_before}");
    let reports = b.count("SELECT COUNT(*) FROM reports").await;
    assert_eq!(reports, 3);

    let t = only_text(&b.group(&admin(), "/target remove TSVM").await);
    assert!(t.contains("<b>TSVM</b>") && t.contains("lưu trữ"), "{t}");
    // Nothing reported is lost: the values stay, the target row too.
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, reports);
    assert_eq!(
        b.count("SELECT COUNT(*) FROM targets WHERE code = 'TSVM' AND archived_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'target.archive' AND subject = 'TSVM/2026'"
        )
        .await,
        1
    );
    // Out of the score, standings and k/T: only THU (weight 60) counts.
    let after = only_text(&b.group(&admin(), standings).await);
    assert_eq!(
        standings_rows(&after),
        [("U0", "50,0"), ("U1", "0,0"), ("U2", "0,0")].map(|(c, s)| (c.into(), s.into()))
    );
    assert!(
        after.contains("báo cáo 1/1") && !after.contains("/2"),
        "{after}"
    );
    let units = only_text(&b.group(&admin(), "/units").await);
    assert!(!units.contains("/2"), "{units}");
    // Out of /status, /targets, the pledge and the guided report.
    let status = only_text(&b.private(&head(1), "/status").await);
    assert!(
        !status.contains("TSVM") && status.contains("THU"),
        "{status}"
    );
    let targets = only_text(&b.group(&admin(), "/targets").await);
    assert!(
        !targets.contains("TSVM") && targets.contains("THU"),
        "{targets}"
    );
    let pledge = only_text(&b.private(&head(2), "/pledge").await);
    assert!(
        !pledge.contains("TSVM") && pledge.contains("THU"),
        "{pledge}"
    );
    let r = b.private(&head(2), "/report").await;
    let offered = r[0].body["reply_markup"].to_string();
    assert!(
        !offered.contains("TSVM") && offered.contains("THU"),
        "{offered}"
    );
    b.private(&head(2), "/cancel").await;
    b.refused(&head(1), false, "/report mid TSVM có", "Không có chỉ tiêu")
        .await;
    // Still in the audit log /history shows.
    let history = only_text(&b.private(&admin(), "/history U1").await);
    assert!(history.contains("TSVM"), "{history}");

    // The mid reminders, 14 days before 15 July, ask only for THU.
    b.h.clock.set(local(7, 1, 8));
    let sent = tick(&b).await;
    let to = |p: &Person| {
        sent.iter()
            .filter(|c| c.chat_id() == Some(p.id))
            .map(|c| c.text().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(to(&head(0)).is_empty(), "U0 owes nothing: {sent:?}");
    let u1 = to(&head(1));
    assert_eq!(u1.len(), 1, "{sent:?}");
    assert!(
        u1[0].contains("<b>THU</b>") && !u1[0].contains("TSVM"),
        "{}",
        u1[0]
    );
    let u2 = to(&head(2));
    assert_eq!(u2.len(), 1, "{sent:?}");
    assert!(
        u2[0].contains("Còn 1 chỉ tiêu") && !u2[0].contains("TSVM"),
        "{}",
        u2[0]
    );
    let summary = sent
        .iter()
        .find(|c| c.chat_id() == Some(GROUP))
        .expect("summary");
    assert!(summary.text().contains("đã xong 1/3"), "{}", summary.text());

    // Restored: the same values count again, exactly as before.
    let t = only_text(&b.private(&admin(), "/target restore tsvm").await);
    assert!(t.starts_with("♻️") && t.contains("<b>TSVM</b>"), "{t}");
    assert_eq!(only_text(&b.group(&admin(), standings).await), before);
    assert_eq!(
        only_text(&b.private(&head(1), "/status").await),
        status_before
    );
    assert!(only_text(&b.group(&admin(), "/targets").await).contains("TSVM"));
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, reports);
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'target.restore' AND subject = 'TSVM/2026'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn archive_and_restore_refusals_change_nothing() {
    let mut b = reported_world().await;
    let restore_usage = "/target restore &lt;MÃ&gt;";
    for (cmd, why) in [
        ("/target restore THU", "đang được dùng"),
        ("/target restore NOPE", "Không có chỉ tiêu"),
        ("/target restore", "thiếu"),
        ("/target restore TSVM THU", "thiếu"),
        ("/target restore mid", "kỳ báo cáo"),
    ] {
        let reply = b.refused(&admin(), true, cmd, why).await;
        assert!(reply.contains(restore_usage), "{cmd}: {reply}");
    }
    b.refused(&head(0), false, "/target restore TSVM", "quản trị khối")
        .await;
    let t = only_text(&b.group(&admin(), "/target remove TSVM").await);
    assert!(t.contains("lưu trữ"), "{t}");
    let reply = b
        .refused(&admin(), true, "/target remove TSVM", "đã được lưu trữ")
        .await;
    assert!(reply.contains("/target remove &lt;MÃ&gt;"), "{reply}");
    let reply = b
        .refused(
            &admin(),
            false,
            "/target add TSVM yesno yes 40 Chi bộ",
            "/target restore TSVM",
        )
        .await;
    assert!(reply.contains("/target add &lt;MÃ&gt;"), "{reply}");
    b.refused(&outsider(), true, "/target restore TSVM", "quản trị khối")
        .await;
    b.refused(&head(0), false, "/target restore TSVM", "quản trị khối")
        .await;
    // A target nothing was reported for is still deleted outright.
    b.group(&admin(), "/target add DOT number >=1 10 Đợt").await;
    let t = only_text(&b.group(&admin(), "/target remove DOT").await);
    assert!(t.contains("Đã xóa"), "{t}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM targets WHERE code = 'DOT'")
            .await,
        0
    );
    b.refused(&admin(), true, "/target restore DOT", "Không có chỉ tiêu")
        .await;
}

#[tokio::test]
async fn help_lists_target_restore_for_admins_only() {
    let mut b = reported_world().await;
    let t = only_text(&b.private(&admin(), "/help").await);
    assert!(t.contains("/target restore"), "{t}");
    let t = only_text(&b.private(&head(0), "/help").await);
    assert!(!t.contains("/target restore"), "{t}");
    b.private(&admin(), "/lang en").await;
    let t = only_text(&b.private(&admin(), "/help").await);
    assert!(t.contains("/target restore &lt;CODE&gt;"), "{t}");
}
