//! /titles, /register, /history, the command menu and per-user language.

use crate::support::*;

#[tokio::test]
async fn titles_lists_the_catalogue_to_anyone() {
    let mut b = Bot::start().await;
    let t = only_text(&b.private(&outsider(), "/titles").await);
    for code in [
        "TTLDTT", "TTLDXS", "GK", "BK_TINH", "CO_TINH", "BK_TTG", "CO_CP",
    ] {
        assert!(t.contains(&format!("<b>{code}</b>")), "{code} in {t}");
    }
    assert!(
        t.contains("Tập thể lao động xuất sắc") && t.contains("Thủ tướng Chính phủ"),
        "{t}"
    );
}

#[tokio::test]
async fn register_records_titles_shown_by_pledge_and_status() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let t = only_text(&b.private(&head(0), "/register ttldxs CO_TINH").await);
    assert!(
        t.contains("<b>TTLDXS</b> Tập thể lao động xuất sắc") && t.contains("<b>CO_TINH</b>"),
        "{t}"
    );
    b.private(&head(0), "/register TTLDXS").await;
    assert_eq!(
        b.count("SELECT COUNT(*) FROM registrations").await,
        2,
        "registering twice keeps one"
    );
    assert!(only_text(&b.private(&head(0), "/pledge").await).contains("Danh hiệu đăng ký"));
    assert!(only_text(&b.private(&head(0), "/status").await).contains("TTLDXS, CO_TINH"));
    b.refused(
        &head(0),
        false,
        "/register HUAN_CHUONG",
        "Không có danh hiệu",
    )
    .await;
    b.refused(
        &head(0),
        false,
        "/register TTLDXS NOPE",
        "Không có danh hiệu",
    )
    .await;
    b.refused(&head(0), false, "/register", "thiếu").await;
    b.refused(&admin(), false, "/register GK", "trưởng đơn vị")
        .await;
    b.refused(&head(0), true, "/register GK", "trò chuyện riêng")
        .await;
}

#[tokio::test]
async fn history_pages_newest_first_with_buttons() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    for v in 1..=12 {
        b.private(&head(0), &format!("/report THU {v}")).await;
    }
    // bloc.create, unit.add, 2 target.add, invite, head, 12 reports = 18 rows: 2 pages.
    let r = b.private(&admin(), "/history").await;
    let first = &r[0];
    assert!(first.text().contains("trang 1/2"), "{}", first.text());
    let lines: Vec<&str> = first.text().lines().skip(1).collect();
    assert_eq!(lines.len(), 10);
    assert!(
        lines[0].contains("Trưởng Đơn vị 0 (200001)")
            && lines[0].contains("report U0/THU/mid/2026: 11 → 12"),
        "{}",
        lines[0]
    );
    let older = first.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("older")
        .to_owned();
    let r = b
        .send(updates::callback(&admin(), first.result.clone(), &older))
        .await;
    let page2 = r
        .iter()
        .find(|c| c.method == "editMessageText")
        .expect("page turned");
    assert!(
        page2.text().contains("trang 2/2") && page2.text().contains("bloc.create"),
        "{}",
        page2.text()
    );
    // Someone else cannot turn the pages.
    let before = b.snapshot().await;
    let r = b
        .send(updates::callback(&head(0), first.result.clone(), &older))
        .await;
    assert!(!r.iter().any(|c| c.method == "editMessageText"));
    assert_eq!(before, b.snapshot().await);
    // Filtered by unit.
    let t = only_text(&b.private(&admin(), "/history U0").await);
    assert!(t.contains("đơn vị U0") && !t.contains("target.add"), "{t}");
    b.refused(&admin(), false, "/history NOPE", "Không có đơn vị")
        .await;
    b.refused(&head(0), false, "/history", "quản trị khối")
        .await;
}

#[tokio::test]
async fn the_menu_is_registered_in_both_languages_for_private_chats_and_groups() {
    let b = Bot::start().await;
    let menus: Vec<ApiCall> =
        b.h.api
            .calls()
            .into_iter()
            .filter(|c| c.method == "setMyCommands")
            .collect();
    assert_eq!(menus.len(), 4);
    let find = |lang: Option<&str>, scope: &str| {
        menus
            .iter()
            .find(|c| {
                c.body["scope"]["type"] == scope
                    && c.body.get("language_code").and_then(|l| l.as_str()) == lang
            })
            .unwrap_or_else(|| panic!("menu {lang:?} {scope}"))
    };
    let vi_private = find(None, "all_private_chats");
    let names: Vec<&str> = vi_private.body["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    assert!(
        names.contains(&"report") && names.contains(&"cancel") && !names.contains(&"newbloc"),
        "{names:?}"
    );
    let en_group = find(Some("en"), "all_group_chats");
    let cmds = en_group.body["commands"].as_array().expect("commands");
    assert!(
        cmds.iter().any(|c| c["command"] == "newbloc"
            && c["description"] == "make this group an emulation bloc"),
        "{cmds:?}"
    );
    assert!(!cmds.iter().any(|c| c["command"] == "report"));
    let vi_group = find(None, "all_group_chats");
    assert!(
        vi_group.body["commands"]
            .as_array()
            .expect("c")
            .iter()
            .any(|c| c["description"] == "bảng xếp hạng")
    );
}
