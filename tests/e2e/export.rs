//! /export as a director uses it: after the mid-year deadline, printed.
//! The workbook is read back with calamine, its XML parts with zip, and its
//! printout through LibreOffice's PDF export.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use unicode_normalization::UnicodeNormalization;

use crate::support::*;

const MID: &str = "Xếp hạng sơ kết";
const FINAL: &str = "Xếp hạng tổng kết";
const AUDIT: &str = "Nhật ký";
const SHEETS: [&str; 7] = [
    MID,
    FINAL,
    "Giao ước",
    "Danh hiệu",
    "Bỏ phiếu",
    "Đề nghị",
    AUDIT,
];
const UNRANKED: &str = "chưa xếp hạng";

/// Units with the diacritics a printout must keep. STNMT sorts before SXD
/// but reports nothing: it must not take a 0-tied place above SXD, whose
/// one report scores 0.
const UNITS: [(&str, &str); 4] = [
    ("SNV", "Sở Nội vụ"),
    ("STC", "Sở Tài chính"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SXD", "Sở Xây dựng"),
];

/// A bloc whose mid-year reports are in, seen on 16 July (the day after
/// the mid-year deadline), when one unit has already reported for the year
/// end; `extra` more units make the audit log long.
async fn after_mid_deadline(extra: usize) -> Bot {
    let mut b = Bot::with_bloc().await;
    for (code, name) in UNITS {
        let r = b.group(&admin(), &format!("/addunit {code} {name}")).await;
        assert!(only_text(&r).starts_with("✅"), "{r:?}");
    }
    for i in 0..extra {
        let code = format!("PGD{i}");
        let r = b
            .group(
                &admin(),
                &format!("/addunit {code} Phòng Giáo dục và Đào tạo số {i}"),
            )
            .await;
        assert!(only_text(&r).starts_with("✅"), "{r:?}");
        let r = b.private(&admin(), &format!("/invite {code}")).await;
        assert!(texts(&r).iter().any(|t| t.contains("?start=")), "{r:?}");
    }
    b.add_targets().await;
    b.join("SNV", &head(0)).await;
    b.join("STC", &head(1)).await;
    b.join("SXD", &head(2)).await;
    let r = b.private(&head(0), "/register TTLDXS").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    b.h.clock.set(local(7, 10, 8));
    for (who, report) in [
        (0, "/report TSVM có"),
        (0, "/report THU 60,9"),
        (1, "/report THU 100"),
        (2, "/report TSVM không"),
    ] {
        let r = b.private(&head(who), report).await;
        assert!(only_text(&r).contains("sơ kết 6 tháng"), "{report}: {r:?}");
    }
    b.h.clock.set(local(7, 16, 9));
    let r = b.private(&head(0), "/report THU 80").await;
    assert!(only_text(&r).contains("tổng kết năm"), "{r:?}");
    b
}

/// The workbook `/export` sends.
async fn export(b: &mut Bot) -> Vec<u8> {
    let r = b.private(&admin(), "/export").await;
    let doc = r
        .iter()
        .find(|c| c.method == "sendDocument")
        .unwrap_or_else(|| panic!("sendDocument: {r:?}"));
    doc.files
        .iter()
        .find(|f| f.field == "document")
        .expect("document file")
        .bytes
        .clone()
}

fn rows(xlsx: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx.to_vec())).expect("xlsx opens");
    let range = wb
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn string(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// (rank, code, score) rows of a `/standings` reply.
async fn standings(b: &mut Bot, period: &str) -> Vec<(f64, String, f64)> {
    let text = only_text(&b.group(&outsider(), &format!("/standings {period}")).await);
    standings_rows(&text)
        .into_iter()
        .zip(1..)
        .map(|((code, score), rank)| {
            let score = score.replace(',', ".").parse().expect("score");
            (f64::from(rank), code, score)
        })
        .collect()
}

/// Asserts a standings sheet: the ranked units as `/standings` ranks them
/// (same rank, code, score to one decimal), then exactly `unranked`, each
/// without rank or score.
fn assert_sheet_matches(
    sheet: &[Vec<Data>],
    chat: &[(f64, String, f64)],
    ranked: usize,
    unranked: &[&str],
) {
    assert_eq!(
        sheet[0].iter().map(string).collect::<Vec<_>>(),
        [
            "Hạng",
            "Mã",
            "Đơn vị",
            "Điểm",
            "Đã ký",
            "Báo cáo",
            "Điểm cộng/trừ",
            "Thẩm định"
        ]
    );
    let body = &sheet[1..];
    assert_eq!(body.len(), ranked + unranked.len(), "{sheet:?}");
    for (row, (rank, code, score)) in body.iter().zip(chat).take(ranked) {
        assert_eq!(row[0], Data::Float(*rank), "{row:?}");
        assert_eq!(string(&row[1]), *code, "{row:?}");
        let Data::Float(got) = row[3] else {
            panic!("score of {code}: {row:?}");
        };
        assert!((got - score).abs() < 0.051, "{code}: {got} vs {score}");
    }
    let tail: Vec<String> = body[ranked..].iter().map(|r| string(&r[1])).collect();
    assert_eq!(tail, unranked, "{sheet:?}");
    for row in &body[ranked..] {
        assert_eq!(string(&row[0]), UNRANKED, "{row:?}");
        assert_eq!(
            row[3],
            Data::Empty,
            "an unranked unit has no score: {row:?}"
        );
        assert!(string(&row[5]).starts_with("0/"), "{row:?}");
    }
}

#[tokio::test]
async fn export_after_the_mid_deadline_ranks_both_periods_and_speaks_vietnamese() {
    let mut b = after_mid_deadline(0).await;
    let mid = standings(&mut b, "mid").await;
    let fin = standings(&mut b, "final").await;
    let xlsx = export(&mut b).await;

    let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx.clone())).expect("xlsx opens");
    assert_eq!(wb.sheet_names(), SHEETS);

    // Mid-year: SNV 40 + 60×0.609 = 76.5, STC 60.0, SXD 0.0 on one report;
    // STNMT reported nothing and comes last, unranked.
    let sheet = rows(&xlsx, MID);
    assert_eq!(
        mid.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["SNV", "STC", "SXD", "STNMT"],
        "/standings mid"
    );
    assert!((mid[0].2 - 76.5).abs() < 0.051, "{mid:?}");
    assert_sheet_matches(&sheet, &mid, 3, &["STNMT"]);
    assert_eq!(string(&sheet[1][2]), "Sở Nội vụ");
    assert_eq!(string(&sheet[1][5]), "2/2");
    assert_eq!(string(&sheet[3][5]), "1/2");

    // Year end so far: only SNV has reported (THU 80 → 48.0).
    let sheet = rows(&xlsx, FINAL);
    assert_eq!(fin[0].1, "SNV", "/standings final: {fin:?}");
    assert!((fin[0].2 - 48.0).abs() < 0.051, "{fin:?}");
    assert_sheet_matches(&sheet, &fin, 1, &["STC", "STNMT", "SXD"]);

    // Pledge values and achievement of both periods.
    let pledges = rows(&xlsx, "Giao ước");
    let thu_snv = pledges
        .iter()
        .find(|r| string(&r[0]) == "SNV" && string(&r[2]) == "THU")
        .expect("SNV THU line");
    assert_eq!(thu_snv[5], Data::Float(60.9), "{thu_snv:?}");
    assert_eq!(thu_snv[7], Data::Float(80.0), "{thu_snv:?}");
    assert!(matches!(thu_snv[6], Data::Float(a) if (a - 0.609).abs() < 1e-9));
    assert!(matches!(thu_snv[8], Data::Float(a) if (a - 0.8).abs() < 1e-9));

    // The log in Vietnamese words, never the code names.
    let log = rows(&xlsx, AUDIT);
    assert_eq!(string(&log[0][3]), "Hành động");
    let actions: Vec<String> = log[1..].iter().map(|r| string(&r[3])).collect();
    for words in [
        "Tạo khối thi đua",
        "Thêm đơn vị",
        "Thêm chỉ tiêu",
        "Tạo mã mời",
        "Nhận làm trưởng đơn vị",
        "Báo cáo kết quả",
    ] {
        assert!(actions.iter().any(|a| a == words), "{words}: {actions:?}");
    }
    let looks_like_code = |a: &str| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
    };
    assert!(
        !actions.iter().any(|a| looks_like_code(a)),
        "code names in the log: {actions:?}"
    );
}

/// The named part of the XLSX (a zip) as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("xlsx is a zip");
    let mut file = zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut s = String::new();
    file.read_to_string(&mut s).expect("utf-8 xml");
    s
}

#[tokio::test]
async fn every_sheet_prints_on_a4_one_page_wide_with_its_header_row_on_each_page() {
    let mut b = after_mid_deadline(0).await;
    let xlsx = export(&mut b).await;
    let book = part(&xlsx, "xl/workbook.xml");
    let mut last = 0;
    for (i, name) in SHEETS.iter().enumerate() {
        // Sheets are listed, and their parts numbered, in workbook order.
        let at = book
            .find(&format!("<sheet name=\"{name}\" sheetId=\"{}\"", i + 1))
            .unwrap_or_else(|| panic!("{name} in {book}"));
        assert!(at > last, "{name} out of order");
        last = at;
        // Row 1 printed on every page of this sheet.
        let titles = format!(
            "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">'{name}'!$1:$1</definedName>"
        );
        assert!(book.contains(&titles), "{titles} in {book}");

        let ws = part(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(ws.contains("<pageSetup paperSize=\"9\""), "{name}: {ws}");
        // One page wide (OOXML's default width of 1 is left out), any
        // number of pages tall.
        assert!(ws.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{name}");
        assert!(ws.contains("fitToHeight=\"0\""), "{name}");
        assert!(
            !ws.contains("fitToWidth=") || ws.contains("fitToWidth=\"1\""),
            "{name}"
        );
        // Every sheet is wide (the standings carry points and the review
        // state since the review came).
        let orientation = "landscape";
        assert!(
            ws.contains(&format!("orientation=\"{orientation}\"")),
            "{name}: {orientation}"
        );
        assert!(ws.contains("gridLines=\"1\""), "{name}");
        assert!(ws.contains("<oddFooter>&amp;CTrang &amp;P/&amp;N</oddFooter>"));
        // What a reader on screen had before stays: frozen header row, filter.
        assert!(ws.contains("ySplit=\"1\""), "{name}: frozen header");
        // No ballot nor proposal in this world: a header row alone has
        // nothing to filter.
        if !["Bỏ phiếu", "Đề nghị"].contains(name) {
            assert!(ws.contains("<autoFilter ref=\"A1:"), "{name}: filter");
        }
    }
}

#[tokio::test]
async fn the_printed_workbook_is_a4_keeps_diacritics_and_repeats_headers() {
    let Some(soffice) = on_path("soffice") else {
        eprintln!(
            "SKIPPED the_printed_workbook_is_a4_keeps_diacritics_and_repeats_headers: \
             `soffice` is not on PATH (Debian: apt-get install libreoffice-calc-nogui poppler-utils)"
        );
        return;
    };
    let pdfinfo = on_path("pdfinfo").expect("pdfinfo (poppler-utils) beside soffice");
    let pdftotext = on_path("pdftotext").expect("pdftotext (poppler-utils) beside soffice");
    // 30 more units with invites: an audit log of about 80 rows, 2+ pages.
    let mut b = after_mid_deadline(30).await;
    let xlsx = export(&mut b).await;

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("thidua.xlsx");
    std::fs::write(&file, &xlsx).expect("write xlsx");
    let pdf = to_pdf(&soffice, &file, dir.path()).await;
    let pdf = pdf.to_str().expect("utf-8 temp path");
    let info = run(&pdfinfo, &["-f", "1", "-l", "1000", pdf]).await;
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let dims = l.split(" size: ").nth(1).expect("size");
            let mut it = dims.split_whitespace();
            let w: f64 = it.next().and_then(|w| w.parse().ok()).expect("width");
            let h: f64 = it.nth(1).and_then(|h| h.parse().ok()).expect("height");
            (w, h)
        })
        .collect();
    assert!(sizes.len() >= 6, "{info}");

    // Each page by the heading its page header carries.
    let headings = [
        (MID, "Xếp hạng sơ kết 6 tháng 2026", true),
        (FINAL, "Xếp hạng tổng kết năm 2026", true),
        ("Giao ước", "Giao ước thi đua năm 2026", true),
        ("Danh hiệu", "Đăng ký danh hiệu thi đua năm 2026", true),
        ("Bỏ phiếu", "Bỏ phiếu suy tôn năm 2026", true),
        ("Đề nghị", "Đề nghị khen thưởng năm 2026", true),
        (AUDIT, "Nhật ký thay đổi", true),
    ];
    let mut pages: HashMap<&str, Vec<String>> = HashMap::new();
    for (n, (w, h)) in (1..).zip(&sizes) {
        let page = n.to_string();
        let text = run(&pdftotext, &["-layout", "-f", &page, "-l", &page, pdf, "-"]).await;
        let text: String = text.nfc().collect();
        let (sheet, _, landscape) = headings
            .iter()
            .find(|(_, heading, _)| text.contains(heading))
            .unwrap_or_else(|| panic!("page {n} has no sheet heading:\n{text}"));
        // A4 is 595 × 842 points.
        let (short, long) = if *landscape { (h, w) } else { (w, h) };
        assert!(
            (short - 595.0).abs() < 1.5 && (long - 842.0).abs() < 1.5,
            "page {n} ({sheet}) is {w} × {h}, landscape {landscape}"
        );
        assert!(text.contains("Khối thi đua kinh tế"), "page {n}: bloc name");
        assert!(text.contains("Trang "), "page {n}: page number footer");
        pages.entry(sheet).or_default().push(text);
    }
    for (sheet, ..) in headings {
        assert!(pages.contains_key(sheet), "no page for {sheet}");
    }

    let mid = pages[MID].join("\n");
    for (code, name) in UNITS {
        assert!(mid.contains(code) && mid.contains(name), "{name}:\n{mid}");
    }
    assert!(mid.contains("Phòng Giáo dục và Đào tạo số 29"), "{mid}");
    assert!(mid.contains(UNRANKED), "{mid}");

    // The log spans pages; each repeats the header row and shows its first
    // and last column (one page wide).
    let log = &pages[AUDIT];
    assert!(log.len() >= 2, "the audit log fits one page: {log:?}");
    for (i, page) in log.iter().enumerate() {
        let header = page
            .lines()
            .find(|l| l.contains("Thời gian"))
            .unwrap_or_else(|| panic!("audit page {i}: no header row\n{page}"));
        for col in ["Người thực hiện", "Hành động", "Đối tượng", "Giá trị mới"]
        {
            assert!(header.contains(col), "audit page {i}: {col} in {header}");
        }
        assert!(
            ["Thêm đơn vị", "Tạo mã mời", "Báo cáo kết quả"]
                .iter()
                .any(|w| page.contains(w)),
            "audit page {i}: no action in words\n{page}"
        );
    }
}

#[tokio::test]
async fn the_workbook_carries_review_states_points_exemptions_and_late_marks() {
    let mut b = Bot::with_units(2).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.private(&head(0), "/report TSVM yes").await;
    for id in ["qd-1", "qd-2"] {
        let photo = updates::with_photo(
            updates::private(&head(0), "/evidence TSVM mid"),
            id,
            &format!("u-{id}"),
        );
        let r = b.send(photo).await;
        assert!(!only_text(&r).starts_with("⚠️"), "{r:?}");
    }
    b.group(&admin(), "/exempt U0 THU mid Không có nhiệm vụ thu")
        .await;
    b.group(&admin(), "/points U0 +2,5 mid Cờ thi đua").await;
    let r = b.private(&head(0), "/submit mid").await;
    assert!(sent_to(&r, head(0).id)[0].starts_with("📨"), "{r:?}");
    b.group(&admin(), "/approve U0 mid").await;
    // A year-end value after the year-end deadline (5 December): late.
    b.h.clock.set(local(12, 6, 9));
    b.private(&head(0), "/report final THU 90").await;
    let xlsx = export(&mut b).await;
    let mid = rows(&xlsx, MID);
    let u0 = mid.iter().find(|r| string(&r[1]) == "U0").expect("U0 row");
    assert_eq!(string(&u0[3]), "102.5", "100 over TSVM alone, +2.5");
    assert_eq!(string(&u0[6]), "2.5");
    assert_eq!(string(&u0[7]), "đã duyệt");
    let pledges = rows(&xlsx, "Giao ước");
    let thu = pledges
        .iter()
        .find(|r| string(&r[0]) == "U0" && string(&r[2]) == "THU")
        .expect("U0 THU row");
    assert_eq!(string(&thu[9]), "sơ kết 6 tháng");
    assert_eq!(string(&thu[10]), "tổng kết năm");
    let tsvm = pledges
        .iter()
        .find(|r| string(&r[0]) == "U0" && string(&r[2]) == "TSVM")
        .expect("U0 TSVM row");
    assert_eq!(
        (string(&tsvm[9]), string(&tsvm[10])),
        (String::new(), String::new())
    );
}
