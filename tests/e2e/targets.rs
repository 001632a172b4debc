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
