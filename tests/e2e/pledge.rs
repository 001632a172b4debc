//! /pledge, the sign button, /pledge sign, /pledges.

use crate::support::*;
use serde_json::Value;

async fn ready() -> Bot {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    b
}

#[tokio::test]
async fn pledge_shows_targets_and_a_sign_button() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/pledge").await;
    let t = only_text(&r);
    assert!(
        t.contains("Giao ước thi đua năm 2026")
            && t.contains("<b>THU</b>")
            && t.contains("Chưa ký"),
        "{t}"
    );
    let button = &r[0].body["reply_markup"]["inline_keyboard"][0][0];
    assert_eq!(button["text"], "✍️ Ký giao ước");
    assert!(
        button["callback_data"]
            .as_str()
            .is_some_and(|d| d.starts_with("sign:") && d.len() <= 64)
    );
}

#[tokio::test]
async fn the_sign_button_signs_answers_and_edits_the_message() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/pledge").await;
    let data = r[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("data")
        .to_owned();
    let msg = r[0].result.clone();
    let r = b.send(updates::callback(&head(0), msg, &data)).await;
    let answer = r
        .iter()
        .find(|c| c.method == "answerCallbackQuery")
        .expect("callback answered");
    assert_eq!(answer.body["text"], "✍️ Đã ký giao ước");
    let edit = r
        .iter()
        .find(|c| c.method == "editMessageText")
        .expect("message edited");
    assert!(
        edit.text().contains("Đã ký lúc 02/03/2026 08:00"),
        "{}",
        edit.text()
    );
    assert!(
        edit.body.get("reply_markup").is_none_or(Value::is_null),
        "button removed"
    );
    assert!(sent_to(&r, GROUP)[0].contains("đã ký 1/3"), "{r:?}");
    assert_eq!(b.count("SELECT COUNT(*) FROM pledges").await, 1);
}

#[tokio::test]
async fn the_sign_button_pressed_by_someone_else_is_refused() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/pledge").await;
    let data = r[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("data")
        .to_owned();
    let before = b.snapshot().await;
    let r = b
        .send(updates::callback(&head(1), r[0].result.clone(), &data))
        .await;
    let answer = r
        .iter()
        .find(|c| c.method == "answerCallbackQuery")
        .expect("answered");
    assert!(
        answer.body["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("⚠️")),
        "{answer:?}"
    );
    assert!(!r.iter().any(|c| c.method == "editMessageText"));
    assert_eq!(before, b.snapshot().await);
}

#[tokio::test]
async fn pledge_sign_signs_once_and_tells_the_group() {
    let mut b = ready().await;
    let r = b.private(&head(1), "/pledge sign").await;
    assert!(
        sent_to(&r, head(1).id)[0].contains("đã ký giao ước"),
        "{r:?}"
    );
    assert!(
        sent_to(&r, GROUP)[0].contains("<b>U1</b>") && sent_to(&r, GROUP)[0].contains("1/3"),
        "{r:?}"
    );
    b.refused(&head(1), false, "/pledge sign", "đã được ký")
        .await;
    let t = only_text(&b.private(&head(1), "/pledge").await);
    assert!(t.contains("Đã ký lúc"), "{t}");
}

#[tokio::test]
async fn pledge_refusals_change_nothing() {
    let mut b = ready().await;
    b.refused(&outsider(), false, "/pledge", "chưa thuộc khối")
        .await;
    b.refused(&admin(), false, "/pledge sign", "trưởng đơn vị")
        .await;
    b.refused(&head(0), true, "/pledge sign", "trò chuyện riêng")
        .await;
    b.refused(&head(0), false, "/pledge now", "thiếu").await;
}

#[tokio::test]
async fn signing_without_targets_is_refused() {
    let mut b = Bot::with_units(1).await;
    b.join("U0", &head(0)).await;
    b.refused(&head(0), false, "/pledge sign", "chưa có chỉ tiêu")
        .await;
}

#[tokio::test]
async fn pledges_lists_signed_and_unsigned_units() {
    let mut b = ready().await;
    b.private(&head(1), "/pledge sign").await;
    let t = only_text(&b.group(&outsider(), "/pledges").await);
    assert!(t.contains("đã ký 1/3"), "{t}");
    let signed =
        &t[t.find("Đã ký:").expect("signed part")..t.find("Chưa ký:").expect("unsigned part")];
    assert!(signed.contains("U1") && !signed.contains("U0"), "{t}");
    let t = only_text(&b.private(&head(0), "/pledges").await);
    assert!(t.contains("đã ký 1/3"), "{t}");
    b.refused(&outsider(), false, "/pledges", "chưa thuộc khối")
        .await;
}

fn sign_data(r: &[ApiCall]) -> String {
    r[0].body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("data")
        .to_owned()
}

#[tokio::test]
async fn a_sign_button_of_last_years_pledge_is_stale_in_the_new_year_and_signs_nothing() {
    let mut b = ready().await;
    let old = b.private(&head(0), "/pledge").await;
    let old_data = sign_data(&old);
    assert!(old_data.ends_with(":2026"), "{old_data}");
    // 5 January 2027, 08:00 in Hà Nội; the admin confirms the copied targets.
    b.h.clock.set(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 5, 1, 0, 0)
            .single()
            .expect("time"),
    );
    let t = only_text(&b.group(&admin(), "/target confirm").await);
    assert!(t.starts_with("✅"), "{t}");

    let before = b.snapshot().await;
    let r = b
        .send(updates::callback(
            &head(0),
            old[0].result.clone(),
            &old_data,
        ))
        .await;
    let answer = r
        .iter()
        .find(|c| c.method == "answerCallbackQuery")
        .expect("answered");
    let toast = answer.body["text"].as_str().unwrap_or_default();
    assert!(
        toast.starts_with("⚠️") && toast.contains("2026") && toast.contains("/pledge"),
        "{toast}"
    );
    assert!(!r.iter().any(|c| c.method == "editMessageText"), "{r:?}");
    let said = sent_to(&r, head(0).id);
    assert_eq!(said.len(), 1, "{r:?}");
    assert!(
        said[0].starts_with("⚠️") && said[0].contains("/pledge"),
        "{}",
        said[0]
    );
    assert!(
        sent_to(&r, GROUP).is_empty(),
        "the group hears of no signing"
    );
    assert_eq!(before, b.snapshot().await, "nothing signed");
    assert_eq!(b.count("SELECT COUNT(*) FROM pledges").await, 0);

    // The current year's button still signs, the current year's pledge.
    let new = b.private(&head(0), "/pledge").await;
    let new_data = sign_data(&new);
    assert!(
        new_data.ends_with(":2027") && new_data.len() <= 64,
        "{new_data}"
    );
    let r = b
        .send(updates::callback(
            &head(0),
            new[0].result.clone(),
            &new_data,
        ))
        .await;
    assert!(r.iter().any(|c| c.method == "editMessageText"), "{r:?}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM pledges WHERE year = 2027")
            .await,
        1
    );
    assert_eq!(b.count("SELECT COUNT(*) FROM pledges").await, 1);
}

#[tokio::test]
async fn a_sign_button_whose_data_names_no_year_is_refused_and_signs_nothing() {
    let mut b = ready().await;
    let r = b.private(&head(0), "/pledge").await;
    let unit = sign_data(&r).split(':').nth(1).expect("unit id").to_owned();
    let before = b.snapshot().await;
    let r = b
        .send(updates::callback(
            &head(0),
            r[0].result.clone(),
            &format!("sign:{unit}"),
        ))
        .await;
    let answer = r
        .iter()
        .find(|c| c.method == "answerCallbackQuery")
        .expect("answered");
    let toast = answer.body["text"].as_str().unwrap_or_default();
    assert!(
        toast.starts_with("⚠️") && toast.contains("/pledge"),
        "{toast}"
    );
    assert!(!r.iter().any(|c| c.method == "editMessageText"));
    assert_eq!(before, b.snapshot().await);
}
