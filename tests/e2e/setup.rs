//! /newbloc, /addadmin, /addunit, /units, /invite, /join, /start.

use crate::support::*;

#[tokio::test]
async fn newbloc_by_a_group_admin_makes_the_group_a_bloc() {
    let mut b = Bot::with_bloc().await;
    let r = b.group(&admin(), "/units").await;
    assert!(only_text(&r).contains("chưa có đơn vị"), "{r:?}");
    assert_eq!(b.count("SELECT COUNT(*) FROM bloc_admins").await, 1);
    assert!(
        b.h.api.calls().iter().any(|c| c.method == "getChatMember"),
        "Telegram was not asked"
    );
}

#[tokio::test]
async fn newbloc_works_with_the_bot_name_and_an_administrator() {
    let mut b = Bot::start().await;
    b.h.api
        .set_member_status(GROUP, admin().id, "administrator");
    let r = b.group(&admin(), "/newbloc@thidua_bot Khối A").await;
    assert!(only_text(&r).contains("Khối A"), "{r:?}");
}

#[tokio::test]
async fn newbloc_by_a_plain_member_is_refused() {
    let mut b = Bot::start().await;
    b.refused(
        &outsider(),
        true,
        "/newbloc Khối A",
        "quản trị viên Telegram",
    )
    .await;
    assert_eq!(b.count("SELECT COUNT(*) FROM blocs").await, 0);
}

#[tokio::test]
async fn newbloc_in_private_or_twice_or_without_name_is_refused() {
    let mut b = Bot::with_bloc().await;
    b.refused(&admin(), false, "/newbloc Khối A", "trong nhóm")
        .await;
    b.refused(&admin(), true, "/newbloc Khối B", "đã là khối")
        .await;
    let mut c = Bot::start().await;
    c.h.api.set_member_status(GROUP, admin().id, "creator");
    c.refused(&admin(), true, "/newbloc", "Tên").await;
}

#[tokio::test]
async fn anonymous_admin_cannot_write() {
    let mut b = Bot::start().await;
    let before = b.snapshot().await;
    let r = b
        .send(updates::anonymous_admin(GROUP, TITLE, "/newbloc Khối A"))
        .await;
    assert!(only_text(&r).starts_with("⚠️"), "{r:?}");
    assert!(only_text(&r).contains("ẩn danh"));
    assert_eq!(before, b.snapshot().await);

    let mut b = Bot::with_bloc().await;
    let before = b.snapshot().await;
    let r = b
        .send(updates::anonymous_admin(
            GROUP,
            TITLE,
            "/addunit TNMT Sở Tài nguyên",
        ))
        .await;
    assert!(only_text(&r).contains("ẩn danh"), "{r:?}");
    assert_eq!(before, b.snapshot().await);
}

#[tokio::test]
async fn addunit_adds_a_unit_listed_by_units() {
    let mut b = Bot::with_bloc().await;
    let r = b
        .group(&admin(), "/addunit tnmt Sở Tài nguyên và Môi trường")
        .await;
    assert!(only_text(&r).contains("<b>TNMT</b>"), "{r:?}");
    let r = b.group(&admin(), "/units").await;
    let t = only_text(&r);
    assert!(t.contains("<b>TNMT</b> Sở Tài nguyên và Môi trường"), "{t}");
    assert!(t.contains("chưa có trưởng đơn vị"), "{t}");
    assert!(t.contains("chưa ký"), "{t}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'unit.add'")
            .await,
        1
    );
}

#[tokio::test]
async fn addunit_refusals_change_nothing() {
    let mut b = Bot::with_units(1).await;
    b.refused(&admin(), true, "/addunit U0 Trùng mã", "đã có")
        .await;
    b.refused(&admin(), true, "/addunit SỞ Tên", "không hợp lệ")
        .await;
    b.refused(
        &admin(),
        true,
        "/addunit ABCDEFGHIJKLMNOPQ Tên",
        "không hợp lệ",
    )
    .await;
    b.refused(&admin(), true, "/addunit U9", "thiếu").await;
    b.refused(&outsider(), true, "/addunit U9 Tên", "quản trị khối")
        .await;
    b.refused(&outsider(), false, "/addunit U9 Tên", "chưa thuộc khối")
        .await;
}

#[tokio::test]
async fn addunit_in_a_group_that_is_not_a_bloc_is_refused() {
    let mut b = Bot::start().await;
    b.refused(&admin(), true, "/addunit U1 Tên", "chưa là khối")
        .await;
}

#[tokio::test]
async fn addadmin_as_a_reply_makes_a_bloc_admin() {
    let mut b = Bot::with_bloc().await;
    let deputy = deputy();
    b.refused(&deputy, true, "/addunit U1 Tên", "quản trị khối")
        .await;
    let replied = updates::message(
        updates::group_chat(GROUP, TITLE),
        deputy.json(),
        "chào mọi người",
    );
    b.refused(&deputy, true, "/addadmin", "quản trị khối").await;
    let r = b
        .send(updates::group_reply(
            GROUP,
            TITLE,
            &admin(),
            "/addadmin",
            replied.clone(),
        ))
        .await;
    assert!(only_text(&r).contains("Phó Khối"), "{r:?}");
    let r = b.group(&deputy, "/addunit U1 Tên").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    let before = b.snapshot().await;
    let r = b
        .send(updates::group_reply(
            GROUP,
            TITLE,
            &admin(),
            "/addadmin",
            replied,
        ))
        .await;
    assert!(only_text(&r).contains("đã là quản trị"), "{r:?}");
    assert_eq!(before, b.snapshot().await);
}

#[tokio::test]
async fn addadmin_without_a_reply_is_refused() {
    let mut b = Bot::with_bloc().await;
    b.refused(&admin(), true, "/addadmin", "trả lời").await;
}

#[tokio::test]
async fn invite_and_join_bind_a_head_and_tell_the_group() {
    let mut b = Bot::with_units(1).await;
    let r = b.private(&admin(), "/invite u0").await;
    let text = only_text(&r);
    assert!(text.contains("https://t.me/thidua_bot?start="), "{text}");
    let token = invite_token(&r);
    assert_eq!(token.len(), 32, "128 bits as hex");
    let h = head(0);
    let r = b.private(&h, &format!("/join {token}")).await;
    assert!(sent_to(&r, h.id)[0].contains("<b>U0</b>"), "{r:?}");
    assert!(sent_to(&r, GROUP)[0].contains("Trưởng Đơn vị 0"), "{r:?}");
    let r = b.group(&admin(), "/units").await;
    assert!(only_text(&r).contains("👤 Trưởng Đơn vị 0"), "{r:?}");
}

#[tokio::test]
async fn start_with_an_invite_is_a_deep_link_join() {
    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    let r = b.private(&head(0), &format!("/start {token}")).await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("✅"), "{r:?}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM units WHERE head_user_id IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn used_unknown_and_expired_invites_are_refused() {
    let mut b = Bot::with_units(2).await;
    let token = b.join("U0", &head(0)).await;
    b.refused(&head(5), false, &format!("/join {token}"), "đã được dùng")
        .await;
    b.refused(
        &head(5),
        false,
        "/join deadbeefdeadbeefdeadbeefdeadbeef",
        "không đúng",
    )
    .await;
    b.refused(&head(5), false, "/join", "thiếu").await;
    let fresh = invite_token(&b.private(&admin(), "/invite U1").await);
    b.h.clock.advance(chrono::Duration::days(8));
    b.refused(&head(1), false, &format!("/join {fresh}"), "hết hạn")
        .await;
}

#[tokio::test]
async fn join_in_a_group_is_refused() {
    let mut b = Bot::with_units(1).await;
    let token = invite_token(&b.private(&admin(), "/invite U0").await);
    b.refused(
        &head(0),
        true,
        &format!("/join {token}"),
        "trò chuyện riêng",
    )
    .await;
}

#[tokio::test]
async fn a_head_cannot_head_two_units_of_one_bloc() {
    let mut b = Bot::with_units(2).await;
    b.join("U0", &head(0)).await;
    let token = invite_token(&b.private(&admin(), "/invite U1").await);
    b.refused(
        &head(0),
        false,
        &format!("/join {token}"),
        "đã là trưởng đơn vị U0",
    )
    .await;
}

#[tokio::test]
async fn a_new_invite_used_replaces_the_head() {
    let mut b = Bot::with_units(1).await;
    b.join("U0", &head(0)).await;
    b.join("U0", &head(7)).await;
    let r = b.group(&admin(), "/units").await;
    assert!(
        only_text(&r).contains("Đơn vị 7") && !only_text(&r).contains("Đơn vị 0 ·"),
        "{r:?}"
    );
    b.refused(&head(0), false, "/status", "chưa thuộc khối")
        .await;
}

#[tokio::test]
async fn invite_refusals_change_nothing() {
    let mut b = Bot::with_units(1).await;
    b.refused(&admin(), false, "/invite NOPE", "Không có đơn vị")
        .await;
    b.refused(&admin(), false, "/invite", "thiếu").await;
    b.refused(&head(0), false, "/invite U0", "chưa thuộc khối")
        .await;
}

#[tokio::test]
async fn user_strings_are_escaped_in_html() {
    let mut b = Bot::with_bloc().await;
    let r = b.group(&admin(), "/addunit SB <b>Sở & Ban</b>").await;
    assert!(
        only_text(&r).contains("&lt;b&gt;Sở &amp; Ban&lt;/b&gt;"),
        "{r:?}"
    );
    let r = b.group(&admin(), "/units").await;
    assert!(
        only_text(&r).contains("&lt;b&gt;Sở &amp; Ban&lt;/b&gt;"),
        "{r:?}"
    );
    assert!(r.iter().all(|c| c.body["parse_mode"] == "HTML"));
}

#[tokio::test]
async fn a_long_reply_is_split_at_line_boundaries() {
    let mut b = Bot::with_bloc().await;
    let long_name = "Đơn vị có tên rất dài ".repeat(9);
    for i in 0..30 {
        b.group(&admin(), &format!("/addunit L{i:02} {long_name}"))
            .await;
    }
    let r = b.group(&admin(), "/units").await;
    let parts = texts(&r);
    assert!(
        parts.len() >= 2,
        "expected a split, got {} part(s)",
        parts.len()
    );
    for p in &parts {
        assert!(p.chars().count() <= 4096);
    }
    let lines: Vec<&str> = parts
        .iter()
        .flat_map(|p| p.lines())
        .filter(|l| l.starts_with("<b>L"))
        .collect();
    assert_eq!(lines.len(), 30, "every unit on one whole line");
}
