//! /report, /status, /standings — with a bloc of 11 units scored by hand.

use crate::support::*;
use thidua::demo::{TARGETS, UNITS};

/// Sets up the domain doc's bloc: 11 units, 5 targets, a head for each.
async fn eleven() -> Bot {
    let mut b = Bot::with_bloc().await;
    for (code, name) in UNITS {
        b.group(&admin(), &format!("/addunit {code} {name}")).await;
    }
    for t in TARGETS {
        b.group(&admin(), &format!("/target add {t}")).await;
    }
    for (i, (code, _)) in UNITS.iter().enumerate() {
        b.join(code, &head(i as i64)).await;
    }
    b
}

/// A unit, the day of July it reports, and its (target, value) reports.
type Plan = (&'static str, u32, &'static [(&'static str, &'static str)]);

fn unit_index(code: &str) -> i64 {
    UNITS.iter().position(|(c, _)| *c == code).expect("unit") as i64
}

#[tokio::test]
async fn eleven_units_rank_as_worked_out_by_hand() {
    let mut b = eleven().await;
    // Weights: HTNV 30, XS 20, TSVM 20, CQVH 10, THU 20 (total 100).
    // (unit, day of July it reports, reports)
    let plan: [Plan; 9] = [
        // 30 + 20 + 20 + 10 + 20·0.609 = 92.18
        (
            "TNMT",
            1,
            &[
                ("HTNV", "100"),
                ("XS", "18,5"),
                ("TSVM", "có"),
                ("CQVH", "có"),
                ("THU", "60,9"),
            ],
        ),
        // 30·0.985 + 20 + 20 + 10 + 20·0.609 = 29.55 + 50 + 12.18 = 91.73
        (
            "SCT",
            1,
            &[
                ("HTNV", "98.5%"),
                ("XS", "15"),
                ("TSVM", "yes"),
                ("CQVH", "1"),
                ("THU", "60.9%"),
            ],
        ),
        // 30 + 20 + 20 + 10 + 20·0.71 = 94.2
        (
            "TTTT",
            2,
            &[
                ("HTNV", "100"),
                ("XS", "20"),
                ("TSVM", "có"),
                ("CQVH", "có"),
                ("THU", "71"),
            ],
        ),
        // 30 + 20 + 20 + 10 + 20·0.5 = 90.0, completed on the 5th
        (
            "GTVT",
            5,
            &[
                ("HTNV", "100"),
                ("XS", "15"),
                ("TSVM", "có"),
                ("CQVH", "có"),
                ("THU", "50"),
            ],
        ),
        // the same 90.0, completed on the 3rd: ranks above GTVT
        (
            "SXD",
            3,
            &[
                ("HTNV", "100"),
                ("XS", "15"),
                ("TSVM", "co"),
                ("CQVH", "có"),
                ("THU", "50"),
            ],
        ),
        // 30 + 20·12/15 + 20 + 0 + 20·0.55 = 30 + 16 + 20 + 11 = 77.0
        (
            "NNPTNT",
            2,
            &[
                ("HTNV", "100"),
                ("XS", "12"),
                ("TSVM", "có"),
                ("CQVH", "không"),
                ("THU", "55"),
            ],
        ),
        // incomplete: 30·0.99 + 20·10/15 + 20 = 29.7 + 13.333 + 20 = 63.03
        ("BQLKCN", 4, &[("HTNV", "99"), ("XS", "10"), ("TSVM", "có")]),
        // 30·0.95 + 20·8/15 + 0 + 10 + 20·0.4 = 28.5 + 10.667 + 10 + 8 = 57.17
        (
            "LMHTX",
            4,
            &[
                ("HTNV", "95"),
                ("XS", "8"),
                ("TSVM", "khong"),
                ("CQVH", "có"),
                ("THU", "40"),
            ],
        ),
        // THU first 30 then corrected to 62: 30 + 20 + 20 + 10 + 12.4 = 92.4
        (
            "CDTNN",
            6,
            &[
                ("THU", "30"),
                ("HTNV", "100"),
                ("XS", "17"),
                ("TSVM", "có"),
                ("CQVH", "có"),
                ("THU", "62"),
            ],
        ),
    ];
    for (code, day, reports) in plan {
        let who = head(unit_index(code));
        for (k, (target, value)) in reports.iter().enumerate() {
            b.h.clock
                .set(local(7, day, 8) + chrono::Duration::minutes(k as i64));
            let r = b.private(&who, &format!("/report {target} {value}")).await;
            assert!(
                only_text(&r).starts_with("✅"),
                "{code} {target} {value}: {r:?}"
            );
        }
    }
    b.h.clock.set(local(7, 16, 9));
    let r = b.group(&outsider(), "/standings mid").await;
    let rows = standings_rows(&only_text(&r));
    let expected = [
        ("TTTT", "94,2"),
        ("CDTNN", "92,4"),
        ("TNMT", "92,2"),
        ("SCT", "91,7"),
        ("SXD", "90,0"),
        ("GTVT", "90,0"),
        ("NNPTNT", "77,0"),
        ("BQLKCN", "63,0"),
        ("LMHTX", "57,2"),
        ("QDTPT", "0,0"),
        ("QPTD", "0,0"),
    ];
    let got: Vec<(&str, &str)> = rows.iter().map(|(c, s)| (c.as_str(), s.as_str())).collect();
    assert_eq!(got, expected);
    assert!(
        only_text(&r).contains("báo cáo 3/5"),
        "BQLKCN reported 3 of 5"
    );

    // The latest report counts; the earlier one is kept as history.
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, 5 * 8 + 3 + 1);

    // The open period is now final: nothing reported for it yet.
    let t = only_text(&b.group(&outsider(), "/standings").await);
    assert!(t.contains("tổng kết năm 2026"), "{t}");
    assert!(standings_rows(&t).iter().all(|(_, s)| s == "0,0"), "{t}");

    // In English, with a point.
    b.private(&head(unit_index("TTTT")), "/lang en").await;
    let t = only_text(
        &b.private(&head(unit_index("TTTT")), "/standings mid 2026")
            .await,
    );
    assert!(
        t.contains("Standings, mid-year review 2026") && t.contains("94.2"),
        "{t}"
    );

    // A year without targets.
    let t = only_text(&b.group(&outsider(), "/standings 2025 mid").await);
    assert!(standings_rows(&t).iter().all(|(_, s)| s == "0,0"), "{t}");
}

#[tokio::test]
async fn report_reply_shows_the_value_and_the_new_score() {
    let mut b = Bot::with_units(1).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let t = only_text(
        &b.private(&head(0), "/report THU 60,9% theo số liệu quý II")
            .await,
    );
    // 60·0.609 = 36.54 of 100
    assert!(
        t.contains("60,9%") && t.contains("36,5/100") && t.contains("sơ kết 6 tháng"),
        "{t}"
    );
    let t = only_text(&b.private(&head(0), "/report final TSVM có").await);
    assert!(t.contains("tổng kết năm") && t.contains("40,0/100"), "{t}");
    assert_eq!(
        b.count("SELECT COUNT(*) FROM reports WHERE note = 'theo số liệu quý II'")
            .await,
        1
    );
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report'")
            .await,
        2
    );
}

#[tokio::test]
async fn report_refusals_change_nothing() {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    let h = head(0);
    for bad in ["1e3", "NaN", "inf", "١٢٣", "60,9,1", "1000000000000001"] {
        b.refused(&h, false, &format!("/report THU {bad}"), "không phải là số")
            .await;
    }
    b.refused(&h, false, "/report TSVM maybe", "có/không").await;
    b.refused(&h, false, "/report NOPE 5", "Không có chỉ tiêu")
        .await;
    b.refused(&h, false, "/report THU", "thiếu").await;
    b.refused(&h, true, "/report THU 5", "trò chuyện riêng")
        .await;
    b.refused(&admin(), false, "/report THU 5", "trưởng đơn vị")
        .await;
    b.refused(&outsider(), false, "/report THU 5", "chưa thuộc khối")
        .await;
}

#[tokio::test]
async fn status_shows_goals_values_score_and_rank() {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    b.private(&head(1), "/report THU 100").await;
    b.private(&head(0), "/report TSVM có").await;
    let t = only_text(&b.private(&head(0), "/status").await);
    assert!(t.contains("✅ <b>TSVM</b>: có / có → 100%"), "{t}");
    assert!(
        t.contains("⏳ <b>THU</b>: chưa báo cáo / ≥ 100% → 0%"),
        "{t}"
    );
    assert!(t.contains("<b>40,0</b>/100 · hạng 2/2"), "{t}");
    b.refused(&outsider(), false, "/status", "chưa thuộc khối")
        .await;
    b.refused(&head(0), true, "/status", "trò chuyện riêng")
        .await;
}

#[tokio::test]
async fn standings_refuse_bad_arguments_and_outsiders_in_private() {
    let mut b = Bot::with_units(1).await;
    b.refused(&admin(), true, "/standings soon", "Kỳ").await;
    b.refused(&admin(), true, "/standings 1999", "Năm").await;
    b.refused(&admin(), true, "/standings mid 2026 extra", "thiếu")
        .await;
    b.refused(&outsider(), false, "/standings", "chưa thuộc khối")
        .await;
    let t = only_text(&b.group(&outsider(), "/standings@thidua_bot").await);
    assert!(
        t.contains("<b>U0</b>"),
        "anyone in the bloc group may read: {t}"
    );
}

/// Reports that arrive together are committed together (group commit):
/// each is answered once in its own chat, a refused one with ⚠️ and nothing
/// stored for it, and the standings shown afterwards (from memory, patched
/// by each batch) are those a fresh process reads from the database.
#[tokio::test]
async fn a_burst_of_reports_is_stored_and_answered_once_each() {
    let mut b = Bot::with_units(12).await;
    b.add_targets().await;
    for i in 0..12 {
        b.join(&format!("U{i}"), &head(i)).await;
    }
    // Standings read before the burst are kept in memory by the bot.
    let before = standings_rows(&only_text(&b.group(&admin(), "/standings").await));
    assert_eq!(before.len(), 12);
    let mut burst = Vec::new();
    for i in 0..12 {
        burst.push(updates::private(
            &head(i),
            &format!("/report THU {}", 10 * i),
        ));
        let second = if i % 3 == 0 {
            "/report TSVM có"
        } else {
            "/report XYZ 5"
        };
        burst.push(updates::private(&head(i), second));
        burst.push(updates::private(
            &head(i),
            &format!("/report THU {}", 10 * i + 5),
        ));
    }
    let calls = b.h.send_all(burst).await.expect("burst handled");
    for i in 0..12 {
        let to = sent_to(&calls, head(i).id);
        assert_eq!(to.len(), 3, "head {i}: {to:?}");
        let refused = to.iter().filter(|t| t.starts_with("⚠️")).count();
        assert_eq!(refused, usize::from(i % 3 != 0), "head {i}: {to:?}");
        // The correction came last in this chat and is what counts.
        assert!(
            to[2].contains(&format!("{}%", 10 * i + 5)),
            "head {i}: {to:?}"
        );
    }
    assert_eq!(b.count("SELECT COUNT(*) FROM reports").await, 28);
    assert_eq!(
        b.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report'")
            .await,
        28
    );
    let shown = standings_rows(&only_text(&b.group(&admin(), "/standings").await));
    assert_ne!(shown, before, "the burst changed the standings");
    b.h.restart().await.expect("restart");
    let fresh = standings_rows(&only_text(&b.group(&admin(), "/standings").await));
    assert_eq!(shown, fresh);
    // U9: THU 95% of 60 points + TSVM 40 points.
    assert_eq!(fresh[0], ("U9".to_owned(), "97,0".to_owned()));
}

/// On a multi-threaded runtime, as in production, each chat's updates are
/// handled in the order they came even though every update is handled in a
/// task of its own: the replies in each chat come in the order sent, and
/// the value stored is the last one sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_chat_is_answered_in_the_order_it_wrote_on_many_threads() {
    let mut b = Bot::with_units(12).await;
    b.add_targets().await;
    for i in 0..12 {
        b.join(&format!("U{i}"), &head(i)).await;
    }
    let mut burst = Vec::new();
    for round in 1..=8 {
        for i in 0..12 {
            burst.push(updates::private(
                &head(i),
                &format!("/report THU {}", 10 * round + i),
            ));
        }
    }
    let calls = b.h.send_all(burst).await.expect("burst handled");
    for i in 0..12 {
        let to = sent_to(&calls, head(i).id);
        let expected: Vec<String> = (1..=8).map(|r| format!("{}%", 10 * r + i)).collect();
        assert_eq!(to.len(), expected.len(), "head {i}: {to:?}");
        for (reply, value) in to.iter().zip(&expected) {
            assert!(reply.contains(value.as_str()), "head {i}: {to:?}");
        }
    }
    let status = only_text(&b.private(&head(3), "/status").await);
    assert!(status.contains("83%"), "{status}");
}
