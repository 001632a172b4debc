//! The year-end meeting's minutes (biên bản họp bình xét) as a DOCX the
//! bloc's secretary can edit, print and sign.
//!
//! Laid out as Vietnamese administrative documents are (Nghị định
//! 30/2020/NĐ-CP): A4 portrait, Times New Roman 13 pt, margins of 2 cm and
//! 3 cm on the binding (left) side, the national header at the top and the
//! signatures at the end.

use std::io::Cursor;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use docx_rs::{
    AlignmentType, BorderType, Docx, Header, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, Run, RunFonts, Shading, Table, TableBorder, TableBorderPosition, TableBorders,
    TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::{
    MinutesInput, RenderError, UNRANKED, WbBallot, WbProposal, WbStanding, nfc, review_words, slug,
};

/// A4 in twips (1/1440 inch), portrait.
const PAGE_WIDTH: u32 = 11_906;
/// A4 height in twips.
const PAGE_HEIGHT: u32 = 16_838;
/// 2 cm: top, bottom and right margins.
const MARGIN: i32 = 1_134;
/// 3 cm on the left, where the pages are bound.
const MARGIN_LEFT: i32 = 1_701;
/// Width of the text between the margins, in twips: every table spans it.
const TEXT_WIDTH: usize = (PAGE_WIDTH - MARGIN_LEFT as u32 - MARGIN as u32) as usize;
/// The font of Vietnamese administrative documents; it has every
/// Vietnamese letter.
const FONT: &str = "Times New Roman";
/// 13 pt body text, in half-points.
const BODY_SIZE: usize = 26;
/// 12 pt inside tables, so that eight columns fit the page's width.
const TABLE_SIZE: usize = 24;
/// 12 pt for the country's name, so that it holds on one line.
const NATION_SIZE: usize = 24;
/// 14 pt for the word "BIÊN BẢN".
const TITLE_SIZE: usize = 28;
/// Indent of list items, in twips (1 cm).
const LIST_INDENT: i32 = 567;
/// Empty lines left under each signature heading for the signature itself.
const SIGNATURE_LINES: usize = 4;
/// Width of the national header's left column (the bloc), in twips: the
/// right one must hold "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" on one line.
const HEADER_LEFT: usize = 3_400;
/// Padding inside table cells, in twips: top and bottom, left and right.
const CELL_PADDING: (usize, usize) = (40, 70);
/// Fill of table header cells: a light grey that photocopies well.
const HEADER_FILL: &str = "E7E6E6";

/// Renders the minutes of the year-end meeting as DOCX bytes.
///
/// Sections: I. attendance, II. year-end scores, III. the ballot, IV. the
/// proposals for commendation, then the signatures. CPU-bound for large
/// blocs: from async code call it inside `tokio::task::spawn_blocking`.
pub fn minutes_docx(m: &MinutesInput) -> Result<Vec<u8>, RenderError> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut doc = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN_LEFT)
                .right(MARGIN)
                .header(MARGIN / 2)
                .footer(MARGIN / 2),
        )
        .default_fonts(fonts)
        .default_size(BODY_SIZE)
        .default_line_spacing(spacing(120, 288))
        // Page numbers at the top centre from the second page on, as the
        // decree asks.
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .add_page_num(PageNum::new())
                    .align(AlignmentType::Center),
            ),
        )
        .first_header(Header::new())
        .title_pg();
    doc = doc.add_table(national_header(&m.bloc));
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(bold("BIÊN BẢN").size(TITLE_SIZE)).line_spacing(spacing(0, 240)))
        .add_paragraph(
            centred(bold(&format!("Họp bình xét thi đua năm {}", m.year)))
                .line_spacing(spacing(0, 240)),
        )
        .add_paragraph(centred(bold(&m.bloc)))
        .add_paragraph(body(&format!(
            "Hôm nay, {}, {} họp bình xét, suy tôn thi đua năm {}.",
            long_date(m.date),
            m.bloc,
            m.year
        )));
    doc = attendance(doc, m);
    doc = standings(doc, &m.standings);
    doc = ballot(doc, m.ballot.as_ref());
    doc = proposals(doc, &m.proposals);
    doc = doc
        .add_paragraph(
            body("Biên bản được lập và thông qua tại cuộc họp.")
                .line_spacing(spacing(120, 288).before(240)),
        )
        .add_paragraph(Paragraph::new())
        .add_table(signatures())
        // Word always keeps a paragraph after a table, even at the end of the
        // body; end as a file saved by Word does.
        .add_paragraph(Paragraph::new());
    let mut out = Cursor::new(Vec::new());
    doc.pack(&mut out)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// ASCII file name for a bloc's minutes, e.g. `bien-ban-khoi-thi-dua-kinh-te-ky-thuat-2026.docx`.
///
/// Stripped of diacritics for the same reason as [`super::ascii_file_name`].
pub fn minutes_file_name(bloc: &str, year: i32) -> String {
    format!("bien-ban-{}-{year}.docx", slug(bloc))
}

/// The national header: the bloc on the left, the country's name and motto
/// on the right, side by side in a borderless table as on every official
/// document.
fn national_header(bloc: &str) -> Table {
    let left = TableCell::new()
        .width(HEADER_LEFT, WidthType::Dxa)
        .add_paragraph(tight(centred(bold(&clean(bloc).to_uppercase()))));
    let right = TableCell::new()
        .width(TEXT_WIDTH - HEADER_LEFT, WidthType::Dxa)
        .add_paragraph(tight(centred(
            bold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").size(NATION_SIZE),
        )))
        .add_paragraph(tight(centred(
            bold("Độc lập - Tự do - Hạnh phúc").underline("single"),
        )));
    Table::without_borders(vec![TableRow::new(vec![left, right])])
        .set_grid(vec![HEADER_LEFT, TEXT_WIDTH - HEADER_LEFT])
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// I. The units present: those that signed the year's pledge.
fn attendance(doc: Docx, m: &MinutesInput) -> Docx {
    let mut doc = doc
        .add_paragraph(heading("I. Thành phần"))
        .add_paragraph(body(&format!(
            "Đơn vị có mặt (đã ký giao ước): {}/{}.",
            m.present.len(),
            m.units
        )));
    for (i, (code, name)) in (1..).zip(&m.present) {
        doc = doc.add_paragraph(body(&format!("{i}. {code} — {name}")).indent(
            Some(LIST_INDENT),
            None,
            None,
            None,
        ));
    }
    doc
}

/// II. The year-end standings, ranked units first.
fn standings(doc: Docx, rows: &[WbStanding]) -> Docx {
    let doc = doc.add_paragraph(heading("II. Kết quả chấm điểm tổng kết"));
    if rows.is_empty() {
        return doc.add_paragraph(body("Chưa có đơn vị nào được chấm điểm."));
    }
    let columns = [
        ("Hạng", 1_250),
        ("Mã", 1_200),
        ("Đơn vị", 2_621),
        ("Điểm", 1_000),
        ("Điểm cộng/trừ", 1_300),
        ("Thẩm định", 1_700),
    ];
    let rows = rows.iter().map(|s| {
        vec![
            (rank(s.rank), AlignmentType::Center),
            (s.code.clone(), AlignmentType::Left),
            (s.name.clone(), AlignmentType::Left),
            // An unranked unit has no score, only the 0 of an empty sheet.
            (
                s.rank.map(|_| decimal(s.score)).unwrap_or_default(),
                AlignmentType::Right,
            ),
            (signed(s.points), AlignmentType::Right),
            (review_words(&s.review), AlignmentType::Left),
        ]
    });
    doc.add_table(table(&columns, rows))
}

/// III. The year's last closed ballot, or that there was none.
fn ballot(doc: Docx, ballot: Option<&WbBallot>) -> Docx {
    let doc = doc.add_paragraph(heading("III. Kết quả bỏ phiếu suy tôn"));
    let Some(b) = ballot else {
        return doc.add_paragraph(body("Không tổ chức bỏ phiếu."));
    };
    let doc = doc
        .add_paragraph(body(&format!(
            "Nội dung: {} (chọn tối đa {} đơn vị).",
            b.question, b.picks
        )))
        .add_paragraph(body(&format!(
            "Số đơn vị bỏ phiếu: {}/{}.",
            b.voted, b.electorate
        )))
        .add_paragraph(body(&format!(
            "Thời gian: mở lúc {}, đóng lúc {}.",
            date_time(b.opened_at),
            date_time(b.closed_at)
        )));
    if b.results.is_empty() {
        return doc.add_paragraph(body("Không có đơn vị nào trong danh sách bỏ phiếu."));
    }
    let columns = [("Mã", 1_500), ("Đơn vị", 5_771), ("Số phiếu", 1_800)];
    let rows = b.results.iter().map(|(code, name, votes)| {
        vec![
            (code.clone(), AlignmentType::Left),
            (name.clone(), AlignmentType::Left),
            (votes.to_string(), AlignmentType::Right),
        ]
    });
    doc.add_paragraph(body("Kết quả:"))
        .add_table(table(&columns, rows))
}

/// IV. The proposals for commendation, or that there were none.
fn proposals(doc: Docx, rows: &[WbProposal]) -> Docx {
    let doc = doc.add_paragraph(heading("IV. Đề nghị khen thưởng"));
    if rows.is_empty() {
        return doc.add_paragraph(body("Không có đề nghị."));
    }
    let columns = [
        ("STT", 600),
        ("Đơn vị", 1_900),
        ("Danh hiệu", 1_750),
        ("Lý do", 1_371),
        ("Đã đăng ký", 1_000),
        ("Hạng", 850),
        ("Điểm", 800),
        ("Số phiếu", 800),
    ];
    let rows = (1..).zip(rows).map(|(i, p): (u32, _)| {
        vec![
            (i.to_string(), AlignmentType::Center),
            (
                format!("{} — {}", p.unit_code, p.unit_name),
                AlignmentType::Left,
            ),
            (p.title_name.clone(), AlignmentType::Left),
            (p.reason.clone(), AlignmentType::Left),
            (
                if p.registered { "Có" } else { "Không" }.to_owned(),
                AlignmentType::Center,
            ),
            (rank(p.rank), AlignmentType::Center),
            (
                p.score.map(decimal).unwrap_or_default(),
                AlignmentType::Right,
            ),
            (
                p.votes.map(|v| v.to_string()).unwrap_or_default(),
                AlignmentType::Right,
            ),
        ]
    });
    doc.add_table(table(&columns, rows))
}

/// The signature block: the secretary on the left and the chair on the
/// right, as Vietnamese minutes place them, with room to sign.
fn signatures() -> Table {
    let width = TEXT_WIDTH / 2;
    let cell = |role: &str| {
        let mut cell = TableCell::new()
            .width(width, WidthType::Dxa)
            .add_paragraph(tight(centred(bold(role))))
            .add_paragraph(tight(centred(run("(Ký, ghi rõ họ tên)").italic())));
        for _ in 0..SIGNATURE_LINES {
            cell = cell.add_paragraph(Paragraph::new());
        }
        cell
    };
    Table::without_borders(vec![
        TableRow::new(vec![cell("THƯ KÝ"), cell("CHỦ TRÌ")]).cant_split(),
    ])
    .set_grid(vec![width, width])
    .width(TEXT_WIDTH, WidthType::Dxa)
    .layout(TableLayoutType::Fixed)
}

/// A bordered table spanning the text width: `columns` are (header,
/// width in twips); the header row is bold on grey.
fn table(
    columns: &[(&str, usize)],
    rows: impl Iterator<Item = Vec<(String, AlignmentType)>>,
) -> Table {
    let header = columns
        .iter()
        .map(|(name, width)| {
            TableCell::new()
                .width(*width, WidthType::Dxa)
                .shading(Shading::new().fill(HEADER_FILL))
                .vertical_align(VAlignType::Center)
                .add_paragraph(tight(centred(bold(name).size(TABLE_SIZE))))
        })
        .collect();
    let mut rows_out = vec![TableRow::new(header).cant_split()];
    for row in rows {
        let cells = columns
            .iter()
            .zip(row)
            .map(|((_, width), (value, align))| {
                TableCell::new()
                    .width(*width, WidthType::Dxa)
                    .add_paragraph(tight(
                        Paragraph::new()
                            .add_run(run(&value).size(TABLE_SIZE))
                            .align(align),
                    ))
            })
            .collect();
        rows_out.push(TableRow::new(cells).cant_split());
    }
    let border = |position| {
        TableBorder::new(position)
            .border_type(BorderType::Single)
            .size(4)
            .color("000000")
    };
    let borders = [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::new(), |b, p| b.set(border(p)));
    let (v, h) = CELL_PADDING;
    Table::new(rows_out)
        .set_borders(borders)
        .margins(TableCellMargins::new().margin(v, h, v, h))
        .set_grid(columns.iter().map(|c| c.1).collect())
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// A run of user or fixed text, made safe for XML.
fn run(text: &str) -> Run {
    Run::new().add_text(clean(text))
}

/// A bold run.
fn bold(text: &str) -> Run {
    run(text).bold()
}

/// A centred paragraph of one run.
fn centred(r: Run) -> Paragraph {
    Paragraph::new().add_run(r).align(AlignmentType::Center)
}

/// A justified body paragraph.
fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text))
        .align(AlignmentType::Both)
}

/// A section heading, bold, kept with what follows it.
fn heading(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(bold(text))
        .keep_next(true)
        .line_spacing(spacing(120, 288).before(120))
}

/// `p` without the space after body paragraphs, for table cells and
/// stacked header lines.
fn tight(p: Paragraph) -> Paragraph {
    p.line_spacing(spacing(0, 240))
}

/// Spacing after a paragraph (twips) and line height (240ths of a line).
fn spacing(after: u32, line: i32) -> LineSpacing {
    LineSpacing::new()
        .after(after)
        .line(line)
        .line_rule(LineSpacingType::Auto)
}

/// NFC text without the characters XML 1.0 forbids: docx-rs escapes markup
/// but passes control characters through, and Word refuses such a file.
fn clean(s: &str) -> String {
    nfc(s)
        .chars()
        .map(|c| match c {
            '\u{FFFE}' | '\u{FFFF}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// A rank, or the words for a unit without one.
fn rank(r: Option<u32>) -> String {
    r.map_or_else(|| UNRANKED.to_owned(), |r| r.to_string())
}

/// One decimal with a decimal comma (87,5), as Vietnamese write numbers;
/// empty for a value that is not a number.
fn decimal(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    // Below half a tenth it rounds to zero: never print "-0,0".
    let x = if x.abs() < 0.05 { 0.0 } else { x };
    format!("{x:.1}").replace('.', ",").replace('-', "\u{2212}")
}

/// Bonus or penalty points with their sign (+2,0, −1,5); empty for none,
/// as in the workbook.
fn signed(x: f64) -> String {
    match decimal(x).as_str() {
        "" | "0,0" => String::new(),
        s if s.starts_with('\u{2212}') => s.to_owned(),
        s => format!("+{s}"),
    }
}

/// A date as Vietnamese documents write it: "ngày 05 tháng 02 năm 2026".
/// The decree asks for a leading zero on days below 10 and on months 1 and
/// 2 (so that nobody can add a digit), and none on the other months.
fn long_date(d: NaiveDate) -> String {
    let month = if d.month() < 3 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// A local date-time as "08:30 ngày 16/12/2026".
fn date_time(at: NaiveDateTime) -> String {
    at.format("%H:%M ngày %d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::domain::ReviewState;
    use crate::render::samples;

    fn standing(rank: Option<u32>, code: &str, name: &str, score: f64) -> WbStanding {
        WbStanding {
            rank,
            code: code.into(),
            name: name.into(),
            score,
            signed: true,
            reports: "5/5".into(),
            points: 0.0,
            review: ReviewState::Open,
        }
    }

    fn sample() -> MinutesInput {
        let mut first = standing(Some(1), "SKHĐT", "Sở Kế hoạch và Đầu tư", 92.44);
        first.points = 2.0;
        first.review = ReviewState::Approved;
        let mut second = standing(Some(2), "STC", "Sở Tài chính", 87.5);
        second.points = -1.5;
        second.review = ReviewState::Returned("thiếu minh chứng".into());
        MinutesInput {
            bloc: "Khối thi đua kinh tế, kỹ thuật".into(),
            year: 2026,
            date: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            present: vec![
                ("SKHĐT".into(), "Sở Kế hoạch và Đầu tư".into()),
                ("STC".into(), "Sở Tài chính".into()),
                ("SXD".into(), "Sở Xây dựng".into()),
            ],
            units: 4,
            standings: vec![first, second, standing(None, "SXD", "Sở Xây dựng", 0.0)],
            ballot: Some(samples::ballot()),
            proposals: samples::proposals(),
        }
    }

    /// `word/document.xml` of the rendered minutes.
    fn document(m: &MinutesInput) -> String {
        let bytes = minutes_docx(m).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    /// The document's text: every `<w:t>`'s content, paragraphs and table
    /// rows on lines of their own, cells separated by " | ".
    fn text(xml: &str) -> String {
        let mut out = String::new();
        let mut rest = xml;
        while let Some(start) = rest.find('<') {
            let end = start + rest[start..].find('>').unwrap();
            let tag = &rest[start + 1..end];
            if tag.starts_with("w:t>") || tag.starts_with("w:t ") {
                let close = end + rest[end..].find("</w:t>").unwrap();
                out.push_str(&rest[end + 1..close]);
                rest = &rest[close..];
                continue;
            }
            match tag {
                "/w:p" => out.push('\n'),
                "/w:tc" => {
                    out.pop();
                    out.push_str(" | ");
                }
                "/w:tr" => {
                    out.truncate(out.len() - " | ".len());
                    out.push('\n');
                }
                _ => {}
            }
            rest = &rest[end + 1..];
        }
        out
    }

    fn count(xml: &str, what: &str) -> usize {
        xml.matches(what).count()
    }

    #[test]
    fn minutes_carry_the_national_header_title_and_opening_sentence() {
        let t = text(&document(&sample()));
        assert!(t.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "{t}");
        assert!(t.contains("Độc lập - Tự do - Hạnh phúc"), "{t}");
        assert!(t.contains("KHỐI THI ĐUA KINH TẾ, KỸ THUẬT"), "{t}");
        assert!(t.contains("\nBIÊN BẢN\n"), "{t}");
        assert!(t.contains("\nHọp bình xét thi đua năm 2026\n"), "{t}");
        assert!(t.contains("\nKhối thi đua kinh tế, kỹ thuật\n"), "{t}");
        assert!(
            t.contains(
                "Hôm nay, ngày 18 tháng 12 năm 2026, Khối thi đua kinh tế, kỹ thuật họp \
                 bình xét, suy tôn thi đua năm 2026."
            ),
            "{t}"
        );
    }

    #[test]
    fn attendance_counts_signed_units_out_of_all_and_lists_them() {
        let t = text(&document(&sample()));
        assert!(t.contains("\nI. Thành phần\n"), "{t}");
        assert!(t.contains("Đơn vị có mặt (đã ký giao ước): 3/4."), "{t}");
        assert!(t.contains("\n1. SKHĐT — Sở Kế hoạch và Đầu tư\n"), "{t}");
        assert!(t.contains("\n3. SXD — Sở Xây dựng\n"), "{t}");
    }

    #[test]
    fn standings_table_shows_scores_with_a_decimal_comma_and_signed_points() {
        let t = text(&document(&sample()));
        assert!(t.contains("\nII. Kết quả chấm điểm tổng kết\n"), "{t}");
        assert!(
            t.contains("\nHạng | Mã | Đơn vị | Điểm | Điểm cộng/trừ | Thẩm định\n"),
            "{t}"
        );
        assert!(
            t.contains("\n1 | SKHĐT | Sở Kế hoạch và Đầu tư | 92,4 | +2,0 | đã duyệt\n"),
            "{t}"
        );
        assert!(
            t.contains(
                "\n2 | STC | Sở Tài chính | 87,5 | \u{2212}1,5 | bị trả lại: thiếu minh chứng\n"
            ),
            "{t}"
        );
        // Unranked: the words instead of a rank, and no score.
        assert!(
            t.contains("\nchưa xếp hạng | SXD | Sở Xây dựng |  |  | \n"),
            "{t}"
        );
        assert!(!t.contains("92.4") && !t.contains("87.5"), "{t}");
    }

    #[test]
    fn ballot_section_gives_question_turnout_times_and_votes() {
        let t = text(&document(&sample()));
        assert!(t.contains("\nIII. Kết quả bỏ phiếu suy tôn\n"), "{t}");
        assert!(
            t.contains("Nội dung: Suy tôn đơn vị dẫn đầu khối (chọn tối đa 2 đơn vị)."),
            "{t}"
        );
        assert!(t.contains("Số đơn vị bỏ phiếu: 3/4."), "{t}");
        assert!(
            t.contains("mở lúc 08:00 ngày 10/12/2026, đóng lúc 17:30 ngày 12/12/2026"),
            "{t}"
        );
        assert!(t.contains("\nKết quả:\nMã | Đơn vị | Số phiếu\n"), "{t}");
        assert!(t.contains("\nSKHĐT | Sở Kế hoạch và Đầu tư | 3\n"), "{t}");
        assert!(t.contains("\nSTC | Sở Tài chính | 1\n"), "{t}");
        assert!(!t.contains("Không tổ chức bỏ phiếu"), "{t}");
    }

    #[test]
    fn proposals_table_lists_every_proposal() {
        let t = text(&document(&sample()));
        assert!(t.contains("\nIV. Đề nghị khen thưởng\n"), "{t}");
        assert!(
            t.contains(
                "\nIV. Đề nghị khen thưởng\nSTT | Đơn vị | Danh hiệu | Lý do | Đã đăng ký | Hạng | Điểm | Số phiếu\n"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "\n1 | SKHĐT — Sở Kế hoạch và Đầu tư | Cờ thi đua của Ủy ban nhân dân tỉnh | \
                 Dẫn đầu khối | Có | 1 | 92,4 | 3\n"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "\n2 | SXD — Sở Xây dựng | Bằng khen của Chủ tịch UBND tỉnh |  | Không | \
                 chưa xếp hạng |  | \n"
            ),
            "{t}"
        );
        assert!(!t.contains("Không có đề nghị"), "{t}");
    }

    #[test]
    fn minutes_close_with_adoption_and_both_signatures() {
        let t = text(&document(&sample()));
        let closing = t
            .find("Biên bản được lập và thông qua tại cuộc họp.")
            .unwrap();
        let signatures = t.find("THƯ KÝ\n(Ký, ghi rõ họ tên)\n").unwrap();
        assert!(closing < signatures, "{t}");
        assert!(t.contains("CHỦ TRÌ\n(Ký, ghi rõ họ tên)\n"), "{t}");
        // The chair signs on the right, last: nothing after but blank lines.
        let chair = "CHỦ TRÌ\n(Ký, ghi rõ họ tên)";
        let end = t.find(chair).unwrap() + chair.len();
        assert!(signatures < end, "{t}");
        let tail = &t[end..];
        assert!(
            tail.chars().all(|c| c.is_whitespace() || c == '|'),
            "{tail:?}"
        );
        // A paragraph between the last table and the section properties.
        let xml = document(&sample());
        let after = &xml[xml.rfind("</w:tbl>").unwrap()..];
        let section = after.find("<w:sectPr").unwrap();
        assert!(after[..section].contains("<w:p"), "{after}");
    }

    #[test]
    fn the_page_is_a4_portrait_with_a_wide_left_margin() {
        let xml = document(&sample());
        assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "{xml}");
        assert!(!xml.contains("w:orient"), "{xml}");
        assert!(xml.contains(r#"w:left="1701""#), "{xml}");
        assert!(xml.contains(r#"w:right="1134""#), "{xml}");
    }

    #[test]
    fn pages_after_the_first_are_numbered_at_the_top() {
        let bytes = minutes_docx(&sample()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = zip
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .filter(|n| n.starts_with("word/header") && n.ends_with(".xml"))
            .collect();
        let headers: Vec<String> = names
            .iter()
            .map(|name| {
                let mut xml = String::new();
                zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
                xml
            })
            .collect();
        assert_eq!(headers.len(), 2, "a default and an empty first-page header");
        assert_eq!(
            headers.iter().filter(|h| h.contains("PAGE")).count(),
            1,
            "{headers:?}"
        );
        let xml = document(&sample());
        assert!(xml.contains("<w:titlePg"), "{xml}");
        assert!(xml.contains(r#"w:type="first""#), "{xml}");
    }

    #[test]
    fn body_text_is_times_new_roman_13_pt() {
        let bytes = minutes_docx(&sample()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut styles = String::new();
        zip.by_name("word/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        let defaults = &styles[styles.find("<w:docDefaults>").unwrap()..];
        let defaults = &defaults[..defaults.find("</w:docDefaults>").unwrap()];
        assert!(
            defaults.contains(r#"w:ascii="Times New Roman""#)
                && defaults.contains(r#"w:hAnsi="Times New Roman""#),
            "{defaults}"
        );
        assert!(defaults.contains(r#"<w:sz w:val="26""#), "{defaults}");
    }

    #[test]
    fn every_section_with_data_has_its_bordered_table() {
        let xml = document(&sample());
        // National header, standings, ballot, proposals, signatures.
        assert_eq!(count(&xml, "<w:tbl>"), 5, "{xml}");
        // The three result tables have borders; the header and signature
        // tables none.
        assert_eq!(count(&xml, r#"<w:top w:val="single""#), 3, "{xml}");
        // Header rows are bold on grey.
        assert_eq!(count(&xml, r#"w:fill="E7E6E6""#), 6 + 3 + 8, "{xml}");
    }

    #[test]
    fn without_ballot_or_proposals_the_minutes_say_so() {
        let mut m = sample();
        m.ballot = None;
        m.proposals.clear();
        let xml = document(&m);
        let t = text(&xml);
        assert!(
            t.contains("\nIII. Kết quả bỏ phiếu suy tôn\nKhông tổ chức bỏ phiếu.\n"),
            "{t}"
        );
        assert!(
            t.contains("\nIV. Đề nghị khen thưởng\nKhông có đề nghị.\n"),
            "{t}"
        );
        assert!(!t.contains("Số phiếu"), "{t}");
        // National header, standings, signatures.
        assert_eq!(count(&xml, "<w:tbl>"), 3, "{xml}");
    }

    #[test]
    fn an_empty_bloc_still_renders_every_section() {
        let m = MinutesInput {
            bloc: String::new(),
            year: 2026,
            date: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            present: vec![],
            units: 0,
            standings: vec![],
            ballot: None,
            proposals: vec![],
        };
        let t = text(&document(&m));
        assert!(t.contains("Đơn vị có mặt (đã ký giao ước): 0/0."), "{t}");
        assert!(t.contains("Chưa có đơn vị nào được chấm điểm."), "{t}");
        assert!(t.contains("Không tổ chức bỏ phiếu."), "{t}");
        assert!(t.contains("THƯ KÝ") && t.contains("CHỦ TRÌ"), "{t}");
    }

    #[test]
    fn a_ballot_without_candidates_says_so_instead_of_an_empty_table() {
        let mut m = sample();
        if let Some(b) = m.ballot.as_mut() {
            b.results.clear();
        }
        let xml = document(&m);
        let t = text(&xml);
        assert!(
            t.contains("Không có đơn vị nào trong danh sách bỏ phiếu."),
            "{t}"
        );
        assert_eq!(count(&xml, "<w:tbl>"), 4, "{xml}");
    }

    #[test]
    fn markup_in_names_is_escaped_and_survives() {
        let mut m = sample();
        m.bloc = "Sở <Nội vụ> & Ban".into();
        m.present[0].1 = "Phòng \"A\" & <B>".into();
        m.proposals[0].reason = "Vượt <100%> & hơn".into();
        let xml = document(&m);
        assert!(xml.contains("Sở &lt;Nội vụ&gt; &amp; Ban"), "{xml}");
        assert!(xml.contains("Vượt &lt;100%&gt; &amp; hơn"), "{xml}");
        assert!(!xml.contains("<Nội vụ>") && !xml.contains("<B>"), "{xml}");
        let t = text(&xml);
        assert!(t.contains("SỞ &lt;NỘI VỤ&gt; &amp; BAN"), "{t}");
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        let mut m = sample();
        m.bloc = "Khối\u{1}A\u{b}B\u{FFFF}".into();
        m.proposals[0].reason = "dòng 1\ndòng 2\ttab".into();
        let xml = document(&m);
        let bad = |c: char| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || c == '\u{FFFF}';
        assert!(!xml.chars().any(bad), "{xml:?}");
        assert!(xml.contains("Khối A B "), "{xml}");
        assert!(xml.contains("dòng 1 dòng 2 tab"), "{xml}");
    }

    #[test]
    fn decomposed_input_is_written_precomposed() {
        let mut m = sample();
        m.bloc = "Khối thi đua kinh tế".chars().collect::<String>();
        m.bloc = unicode_normalization::UnicodeNormalization::nfd(m.bloc.as_str()).collect();
        let xml = document(&m);
        assert!(xml.contains("Khối thi đua kinh tế"), "{xml}");
        assert!(!xml.contains(m.bloc.as_str()), "{xml}");
    }

    #[test]
    fn the_date_follows_the_decree_leading_zeros() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(long_date(d(2026, 2, 5)), "ngày 05 tháng 02 năm 2026");
        assert_eq!(long_date(d(2026, 1, 31)), "ngày 31 tháng 01 năm 2026");
        assert_eq!(long_date(d(2026, 3, 9)), "ngày 09 tháng 3 năm 2026");
        assert_eq!(long_date(d(2026, 12, 18)), "ngày 18 tháng 12 năm 2026");
    }

    #[test]
    fn numbers_use_a_decimal_comma_and_a_true_minus() {
        assert_eq!(decimal(87.5), "87,5");
        assert_eq!(decimal(92.44), "92,4");
        assert_eq!(decimal(100.0), "100,0");
        assert_eq!(decimal(-0.04), "0,0");
        assert_eq!(decimal(f64::NAN), "");
        assert_eq!(signed(2.0), "+2,0");
        assert_eq!(signed(-1.5), "\u{2212}1,5");
        assert_eq!(signed(0.0), "");
        assert_eq!(signed(-0.01), "");
        assert_eq!(signed(f64::INFINITY), "");
    }

    #[test]
    fn file_name_is_ascii_with_the_bloc_slug_and_year() {
        assert_eq!(
            minutes_file_name("Khối thi đua kinh tế, kỹ thuật", 2026),
            "bien-ban-khoi-thi-dua-kinh-te-ky-thuat-2026.docx"
        );
        assert_eq!(minutes_file_name("", 2026), "bien-ban-bloc-2026.docx");
        assert_eq!(
            minutes_file_name("ĐẢNG ỦY <Đồng Nai>", 2025),
            "bien-ban-dang-uy-dong-nai-2025.docx"
        );
    }

    /// Run with `--ignored`, then open the file or convert it with
    /// `soffice --headless --convert-to pdf`.
    #[test]
    #[ignore = "writes minutes.docx to the temporary directory, to look at"]
    fn sample_minutes_are_written_for_a_visual_check() {
        let path = std::env::temp_dir().join("minutes.docx");
        std::fs::write(&path, minutes_docx(&sample()).unwrap()).unwrap();
        eprintln!("{}", path.display());
    }
}
