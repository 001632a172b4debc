//! The verdict: a secret ballot over the bloc (concurrent casts, a double
//! press, a redelivery, a vote after close, a close across a restart), its
//! secrecy read off the whole database, proposals, and the minutes.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use serde_json::Value;

use crate::support::*;

/// A bloc of `n` units U0.. with the standard targets, each headed by head(i).
async fn bloc_with_heads(n: i64) -> (Bot, Vec<String>) {
    let mut b = Bot::with_units(n).await;
    b.add_targets().await;
    let mut tokens = Vec::new();
    for i in 0..n {
        tokens.push(b.join(&format!("U{i}"), &head(i)).await);
    }
    (b, tokens)
}

/// A head's ballot card: the message (to press its buttons on) and its buttons.
struct Card {
    message: Value,
    buttons: Vec<(String, String)>,
}

/// Opens a ballot in the group; every head's card, by head index.
async fn open(b: &mut Bot, args: &str, heads: i64) -> HashMap<i64, Card> {
    let r = b.group(&admin(), &format!("/ballot open {args}")).await;
    let notice = sent_to(&r, GROUP);
    assert!(
        notice.len() == 1 && notice[0].starts_with("🗳 <b>Đã mở bỏ phiếu kín</b>"),
        "{r:?}"
    );
    (0..heads)
        .map(|i| {
            let call = r
                .iter()
                .find(|c| is_send(c) && c.chat_id() == Some(head(i).id))
                .unwrap_or_else(|| panic!("head {i} gets a card: {r:?}"));
            let card = Card {
                message: call.result.clone(),
                buttons: buttons(call),
            };
            (i, card)
        })
        .collect()
}

/// Presses the button of unit `code` on `card` as head `i`; the card is
/// edited in place with the new picks.
async fn pick(b: &mut Bot, i: i64, card: &mut Card, code: &str) -> Vec<ApiCall> {
    let data = card
        .buttons
        .iter()
        .find(|(label, _)| label.contains(&format!(" {code} — ")))
        .unwrap_or_else(|| panic!("no button for {code}: {:?}", card.buttons))
        .1
        .clone();
    let r = b
        .send(updates::callback(&head(i), card.message.clone(), &data))
        .await;
    if let Some(edit) = r.iter().find(|c| c.method == "editMessageText") {
        card.buttons = buttons(edit);
    }
    r
}

/// Heads `0..n` each pick `code` on their card and cast.
async fn vote_all(b: &mut Bot, cards: &mut HashMap<i64, Card>, n: i64, code: &str) {
    for i in 0..n {
        let mut card = cards.remove(&i).expect("card");
        pick(b, i, &mut card, code).await;
        let cast = updates::callback(&head(i), card.message.clone(), &cast_data(&card));
        let r = b.send(cast).await;
        assert!(sent_to(&r, head(i).id)[0].starts_with("✅"), "{r:?}");
    }
}

/// The cast button's data.
fn cast_data(card: &Card) -> String {
    card.buttons.last().expect("a cast button").1.clone()
}

fn votes_of(result: &str) -> Vec<(String, u32)> {
    result
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| {
            let code = between(l, "<b>", "</b>");
            let n = between(l, "— <b>", " phiếu</b>");
            (code, n.parse().expect("a vote count"))
        })
        .collect()
}

async fn count_votes(b: &Bot, code: &str) -> i64 {
    b.count(&format!(
        "SELECT CAST(COALESCE(SUM(c.votes), 0) AS BIGINT) FROM ballot_counts c JOIN units u ON u.id = c.unit_id WHERE u.code = '{code}'"
    ))
    .await
}

#[tokio::test]
async fn eleven_heads_vote_at_once_and_the_result_is_posted_once() {
    let (mut b, _) = bloc_with_heads(11).await;
    let mut cards = open(&mut b, "2 48 Suy tôn đơn vị dẫn đầu khối năm 2026", 11).await;
    let labels: Vec<&str> = cards[&0].buttons.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(labels.len(), 12, "a button per unit and Cast: {labels:?}");
    assert!(labels[0].starts_with("⬜ U0 — Đơn vị số 0"), "{labels:?}");
    assert_eq!(labels[11], "🗳 Bỏ phiếu (0/2)");

    // Each head picks U0 and one of U1..U3; head 0 first tries a third.
    for i in 0..11 {
        let mut card = cards.remove(&i).expect("card");
        pick(&mut b, i, &mut card, "U0").await;
        let r = pick(&mut b, i, &mut card, &format!("U{}", 1 + i % 3)).await;
        assert!(
            r.iter()
                .any(|c| c.method == "editMessageText" && c.text().contains("Đã chọn: <b>U0, U")),
            "{r:?}"
        );
        if i == 0 {
            let before = b.snapshot().await;
            let r = pick(&mut b, i, &mut card, "U9").await;
            assert!(toast(&r).contains("tối đa 2"), "{r:?}");
            assert!(sent_to(&r, head(0).id)[0].starts_with("⚠️"), "{r:?}");
            assert_eq!(before, b.snapshot().await, "a refused pick changes nothing");
        }
        assert_eq!(
            card.buttons.last().map(|x| x.0.as_str()),
            Some("🗳 Bỏ phiếu (2/2)")
        );
        cards.insert(i, card);
    }
    // Picking wrote nothing.
    assert_eq!(
        b.count("SELECT CAST(SUM(votes) AS BIGINT) FROM ballot_counts")
            .await,
        0
    );

    // Every head casts at once.
    let casts: Vec<Value> = (0..11)
        .map(|i| updates::callback(&head(i), cards[&i].message.clone(), &cast_data(&cards[&i])))
        .collect();
    let r = b.h.send_all(casts).await.expect("handled");
    // Head 0's cast as Telegram would deliver it again.
    let mut first_cast =
        updates::callback(&head(0), cards[&0].message.clone(), &cast_data(&cards[&0]));
    first_cast["update_id"] = serde_json::json!(
        b.count(&format!(
            "SELECT MAX(update_id) FROM processed_updates WHERE outbox LIKE '%\"chat_id\":{}%'",
            head(0).id
        ))
        .await
    );
    for i in 0..11 {
        let told = sent_to(&r, head(i).id);
        assert!(
            told.len() == 1 && told[0].starts_with("✅ Đã ghi nhận phiếu"),
            "{i}: {told:?}"
        );
    }
    // Each card lost its buttons, and with them the picks.
    let edits: Vec<&ApiCall> = r.iter().filter(|c| c.method == "editMessageText").collect();
    assert_eq!(edits.len(), 11, "{r:?}");
    assert!(
        edits
            .iter()
            .all(|e| e.body.get("reply_markup").is_none() && !e.text().contains("U0"))
    );

    // While open: turnout, never counts.
    let status = only_text(&b.group(&outsider(), "/ballot").await);
    assert!(
        status.contains("11/11") && !status.contains("phiếu</b>"),
        "{status}"
    );

    // A second press of Cast, a redelivered cast: nothing counted twice.
    let r = b
        .send(updates::callback(
            &head(0),
            cards[&0].message.clone(),
            &cast_data(&cards[&0]),
        ))
        .await;
    assert!(toast(&r).contains("đã bỏ phiếu"), "{r:?}");
    let r = b.h.redeliver(first_cast).await.expect("handled");
    assert!(
        texts(&r).is_empty(),
        "a redelivered cast sends nothing again: {r:?}"
    );
    assert_eq!(b.count("SELECT COUNT(*) FROM ballot_voters").await, 11);
    assert_eq!(count_votes(&b, "U0").await, 11);
    assert_eq!(
        b.count("SELECT CAST(SUM(votes) AS BIGINT) FROM ballot_counts")
            .await,
        22
    );

    // Closed by an admin in private: the result goes to the group, once.
    let r = b.private(&admin(), "/ballot close").await;
    assert!(
        sent_to(&r, admin().id)[0].starts_with("✅ Đã đóng"),
        "{r:?}"
    );
    let posted = sent_to(&r, GROUP);
    assert_eq!(posted.len(), 1, "{r:?}");
    assert!(
        posted[0].contains("Đơn vị đã bỏ phiếu: <b>11/11</b>"),
        "{}",
        posted[0]
    );
    let votes = votes_of(&posted[0]);
    assert_eq!(
        votes[..4],
        [
            ("U0".to_owned(), 11),
            ("U1".to_owned(), 4),
            ("U2".to_owned(), 4),
            ("U3".to_owned(), 3)
        ]
    );
    assert_eq!(votes.len(), 11, "every unit listed, with its 0");
    assert!(posted[0].contains("\n2. <b>U1</b>") && posted[0].contains("\n2. <b>U2</b>"));
    assert!(
        tick(&b).await.is_empty(),
        "the scheduler does not post it again"
    );

    // A press after close: the ballot is closed; nothing changes.
    let before = b.snapshot().await;
    let mut card = cards.remove(&5).expect("card");
    let r = pick(&mut b, 5, &mut card, "U4").await;
    assert!(toast(&r).contains("đã đóng"), "{r:?}");
    let r = b
        .send(updates::callback(
            &head(5),
            card.message.clone(),
            &cast_data(&card),
        ))
        .await;
    assert!(toast(&r).contains("đã đóng"), "{r:?}");
    assert_eq!(before, b.snapshot().await);
    // /ballot now shows the result.
    let shown = only_text(&b.private(&head(3), "/ballot").await);
    assert!(
        shown.contains("Kết quả bỏ phiếu kín") && shown.contains("11 phiếu"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_ballot_closes_at_its_time_across_a_restart_and_posts_its_result_once() {
    let (mut b, _) = bloc_with_heads(3).await;
    let mut cards = open(&mut b, "1 1 Đơn vị dẫn đầu", 3).await;
    vote_all(&mut b, &mut cards, 2, "U2").await;
    // Only the unit's head votes with its card.
    let before = b.snapshot().await;
    let r = b
        .send(updates::callback(
            &admin(),
            cards[&2].message.clone(),
            &cast_data(&cards[&2]),
        ))
        .await;
    assert!(toast(&r).contains("trưởng đơn vị"), "{r:?}");
    assert_eq!(before, b.snapshot().await);
    // Down across its closing time; the first tick after the start closes it.
    b.h.clock.set(local(3, 2, 10));
    b.h.restart().await.expect("restart");
    // Before the tick, a late head cannot vote: its time is over.
    let mut card = cards.remove(&2).expect("card");
    let r = pick(&mut b, 2, &mut card, "U0").await;
    assert!(toast(&r).contains("đã đóng"), "{r:?}");
    let status = only_text(&b.group(&admin(), "/ballot").await);
    assert!(
        status.contains("Đã hết giờ") && !status.contains("phiếu</b>"),
        "{status}"
    );

    let sent = tick(&b).await;
    let posted: Vec<&ApiCall> = sent.iter().filter(|c| c.chat_id() == Some(GROUP)).collect();
    assert_eq!(posted.len(), 1, "{sent:?}");
    assert!(posted[0].text().contains("2/3"), "{}", posted[0].text());
    assert_eq!(votes_of(posted[0].text())[0], ("U2".to_owned(), 2));
    // Closed at its time, not at the tick's.
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM ballots WHERE closed_at = closes_at AND announced_at IS NOT NULL"
        )
        .await,
        1
    );
    assert!(tick(&b).await.is_empty());
    b.h.restart().await.expect("restart");
    assert!(tick(&b).await.is_empty(), "posted once across restarts");
    // A new ballot may open now.
    let r = b.group(&admin(), "/ballot open 1 24 Lần hai").await;
    assert!(sent_to(&r, GROUP)[0].starts_with("🗳"), "{r:?}");
}

/// The same voters, the same totals, different choices: if the databases
/// are the same, nothing in them can tell who voted for whom.
#[tokio::test]
async fn the_database_after_a_ballot_links_no_voter_to_a_choice() {
    async fn world(choices: [&str; 4], detour: &str) -> String {
        let (mut b, tokens) = bloc_with_heads(4).await;
        let mut cards = open(&mut b, "1 24 Suy tôn", 4).await;
        for (i, choice) in (0..4).zip(choices) {
            let mut card = cards.remove(&i).expect("card");
            if i == 0 {
                // Picked and unpicked before the final choice: no trace either.
                pick(&mut b, i, &mut card, detour).await;
                pick(&mut b, i, &mut card, detour).await;
            }
            pick(&mut b, i, &mut card, choice).await;
            let r = b
                .send(updates::callback(
                    &head(i),
                    card.message.clone(),
                    &cast_data(&card),
                ))
                .await;
            assert!(sent_to(&r, head(i).id)[0].starts_with("✅"), "{r:?}");
        }
        let r = b.group(&admin(), "/ballot close").await;
        let result = only_text(&r);
        assert_eq!(
            votes_of(&result)[..2],
            [("U1".to_owned(), 2), ("U2".to_owned(), 2)],
            "{result}"
        );
        // Invite codes are random, and so is the process's number among
        // replicas (PostgreSQL): the only differences allowed.
        let mut dump = b.snapshot().await;
        for (n, t) in tokens.iter().enumerate() {
            dump = dump.replace(t, &format!("INVITE{n}"));
        }
        let instance = b.h.app().expect("running").db.instance();
        dump.replace(&format!("\"instance\":{instance}"), "\"instance\":I")
    }
    // Heads 0 and 1 swap their choices; head 0 hesitates over another unit.
    let one = world(["U1", "U2", "U1", "U2"], "U3").await;
    let two = world(["U2", "U1", "U1", "U2"], "U0").await;
    assert!(one.contains("ballot_voters: ") && one.contains("ballot_counts: "));
    for (a, b) in one.lines().zip(two.lines()) {
        assert_eq!(a, b, "the database tells the two ballots apart");
    }
    assert_eq!(one, two);
}

#[tokio::test]
async fn proposals_show_rank_score_registration_and_votes() {
    let (mut b, _) = bloc_with_heads(3).await;
    let r = b.private(&head(0), "/register CO_TINH").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    b.h.clock.set(local(12, 10, 8));
    for (i, thu) in [(0, "120"), (1, "80")] {
        for cmd in [
            "/report final TSVM có".to_owned(),
            format!("/report final THU {thu}"),
        ] {
            let r = b.private(&head(i), &cmd).await;
            assert!(sent_to(&r, head(i).id)[0].starts_with("✅"), "{r:?}");
        }
    }
    let mut cards = open(&mut b, "1 24 Suy tôn", 3).await;
    vote_all(&mut b, &mut cards, 3, "U0").await;
    b.group(&admin(), "/ballot close").await;

    let r = b.group(&admin(), "/propose U0 CO_TINH Dẫn đầu khối").await;
    let done = only_text(&r);
    assert!(
        done.starts_with("🏅") && !done.contains("chưa đăng ký"),
        "{done}"
    );
    let r = b.group(&admin(), "/propose u1 bk_tinh").await;
    assert!(
        only_text(&r).contains("chưa đăng ký danh hiệu này"),
        "{r:?}"
    );
    b.refused(&admin(), true, "/propose U1 BK_TINH", "đã được đề nghị")
        .await;

    let list = only_text(&b.private(&head(2), "/proposals").await);
    let u0 = &list[list.find("<b>U0</b>").expect("U0")..];
    assert!(
        u0.starts_with("<b>U0</b> Đơn vị số 0 — <b>Cờ thi đua của UBND tỉnh</b>\n   hạng tổng kết 1 · 100,0 điểm · 3 phiếu · đã đăng ký danh hiệu\n   Lý do: Dẫn đầu khối"),
        "{list}"
    );
    assert!(
        list.contains("hạng tổng kết 2 · ") && list.contains("0 phiếu · chưa đăng ký"),
        "{list}"
    );

    let r = b.private(&admin(), "/propose remove U1 BK_TINH").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    b.refused(
        &admin(),
        false,
        "/propose remove U1 BK_TINH",
        "Không có đề nghị",
    )
    .await;
    assert_eq!(
        b.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('proposal.add', 'proposal.remove')"
        )
        .await,
        3
    );
    let list = only_text(&b.group(&outsider(), "/proposals 2026").await);
    assert!(!list.contains("U1"), "{list}");
}

#[tokio::test]
async fn every_bad_verdict_command_is_refused_and_changes_nothing() {
    let (mut b, _) = bloc_with_heads(3).await;
    for (who, group, cmd, why) in [
        (admin(), false, "/ballot open 1 24 Q", "trong nhóm"),
        (head(0), true, "/ballot open 1 24 Q", "quản trị khối"),
        (admin(), true, "/ballot open 0 24 Q", "từ 1 đến 64"),
        (admin(), true, "/ballot open 3 24 Q", "nhỏ hơn 3"),
        (admin(), true, "/ballot open 1 400 Q", "từ 1 đến 336"),
        (admin(), true, "/ballot open 1 24", "thiếu hoặc sai"),
        (admin(), true, "/ballot stop", "thiếu hoặc sai"),
        (admin(), true, "/ballot close", "không có cuộc bỏ phiếu"),
        (head(0), false, "/ballot close", "quản trị khối"),
        (admin(), true, "/propose U0 HUAN_CHUONG", "HUAN_CHUONG"),
        (admin(), true, "/propose U9 CO_TINH", "U9"),
        (admin(), true, "/propose U0", "thiếu hoặc sai"),
        (head(0), false, "/propose U0 CO_TINH", "quản trị khối"),
        (admin(), true, "/proposals 26", "26"),
        (admin(), false, "/minutes 2026 x", "thiếu hoặc sai"),
        (head(0), false, "/minutes", "quản trị khối"),
        (outsider(), false, "/ballot", "chưa thuộc khối"),
    ] {
        b.refused(&who, group, cmd, why).await;
    }
    open(&mut b, "1 24 Suy tôn", 3).await;
    b.refused(
        &admin(),
        true,
        "/ballot open 1 24 Lần nữa",
        "đang có một cuộc",
    )
    .await;
}

#[tokio::test]
async fn the_minutes_are_a_docx_with_the_standings_ballot_and_proposals_that_libreoffice_opens() {
    let (mut b, _) = bloc_with_heads(3).await;
    b.h.clock.set(local(12, 10, 8));
    for cmd in ["/report final TSVM có", "/report final THU 110"] {
        b.private(&head(1), cmd).await;
    }
    let mut cards = open(&mut b, "1 24 Suy tôn đơn vị dẫn đầu", 3).await;
    vote_all(&mut b, &mut cards, 2, "U1").await;
    b.group(&admin(), "/ballot close").await;
    b.group(&admin(), "/propose U1 CO_TINH Dẫn đầu khối & vượt thu")
        .await;

    // The export carries the ballot and the proposal.
    let r = b.private(&admin(), "/export").await;
    let xlsx = r
        .iter()
        .find(|c| c.method == "sendDocument")
        .and_then(|c| c.files.iter().find(|f| f.field == "document"))
        .expect("the workbook")
        .bytes
        .clone();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(xlsx)).expect("xlsx opens");
    let cells = |wb: &mut calamine::Xlsx<_>, sheet: &str| -> Vec<Vec<String>> {
        wb.worksheet_range(sheet)
            .expect("sheet")
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    };
    use calamine::Reader;
    let ballot = cells(&mut wb, "Bỏ phiếu");
    let u1 = ballot
        .iter()
        .find(|r| r[4] == "U1")
        .expect("U1 in Bỏ phiếu");
    assert_eq!(
        (u1[0].as_str(), u1[3].as_str(), u1[6].as_str()),
        ("Suy tôn đơn vị dẫn đầu", "2/3", "2")
    );
    assert_eq!(ballot.len(), 4, "a header and the three units: {ballot:?}");
    let proposals = cells(&mut wb, "Đề nghị");
    assert_eq!(proposals.len(), 2, "{proposals:?}");
    assert_eq!(
        proposals[1][1..6],
        [
            "U1",
            "Đơn vị số 1",
            "Cờ thi đua của UBND tỉnh",
            "Dẫn đầu khối & vượt thu",
            "Không"
        ]
    );

    let r = b.private(&admin(), "/minutes").await;
    let doc = r
        .iter()
        .find(|c| c.method == "sendDocument")
        .unwrap_or_else(|| panic!("sendDocument: {r:?}"));
    let file = doc
        .files
        .iter()
        .find(|f| f.field == "document")
        .expect("document");
    assert!(file.file_name.ends_with("-2026.docx"), "{}", file.file_name);
    assert!(doc.text().contains("Biên bản"), "{}", doc.text());

    let mut zip = zip::ZipArchive::new(Cursor::new(file.bytes.clone())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let text = xml_text(&xml);
    for want in [
        "BIÊN BẢN",
        "Khối thi đua kinh tế",
        "Suy tôn đơn vị dẫn đầu",
        "2/3",
        "Cờ thi đua của UBND tỉnh",
        "Dẫn đầu khối & vượt thu",
        "CHỦ TRÌ",
        "THƯ KÝ",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    assert!(
        xml.matches("<w:tbl>").count() >= 3,
        "standings, ballot, proposals"
    );
    assert!(
        xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""),
        "A4"
    );

    let Some(soffice) = on_path("soffice") else {
        eprintln!(
            "SKIPPED the LibreOffice half of the minutes test: `soffice` is not on PATH \
             (Debian: apt-get install libreoffice-writer-nogui poppler-utils)"
        );
        return;
    };
    let pdftotext = on_path("pdftotext").expect("pdftotext (poppler-utils) beside soffice");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bien-ban.docx");
    std::fs::write(&path, &file.bytes).expect("write docx");
    let pdf = to_pdf(&soffice, &path, dir.path()).await;
    let printed = run(&pdftotext, &[pdf.to_str().expect("utf-8 path"), "-"]).await;
    // Justified lines and narrow cells break words apart: compare without spaces.
    let squeeze = |s: &str| -> String {
        unicode_normalization::UnicodeNormalization::nfc(s)
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let printed = squeeze(&printed);
    for want in [
        "BIÊN BẢN",
        "Cờ thi đua của UBND tỉnh",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "U1",
        "2/3",
    ] {
        assert!(
            printed.contains(&squeeze(want)),
            "{want:?} not in the PDF:\n{printed}"
        );
    }
}

/// The text runs of a WordprocessingML part, joined.
fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    for part in xml.split("<w:t").skip(1) {
        let Some(start) = part.find('>') else {
            continue;
        };
        let Some(end) = part.find("</w:t>") else {
            continue;
        };
        if start < end {
            out.push_str(&part[start + 1..end]);
            out.push(' ');
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}
