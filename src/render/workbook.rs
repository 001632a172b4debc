//! Standings of both periods, pledges, titles, ballots, proposals and the
//! audit log as an XLSX workbook that prints as it reads: every sheet on A4,
//! one page wide.

use chrono::{NaiveDateTime, TimeDelta};
use rust_xlsxwriter::{
    ColNum, Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use super::{
    RenderError, UNRANKED, WbAudit, WbBallot, WbPledgeLine, WbProposal, WbStanding, WbTitle,
    WorkbookInput, nfc, review_words,
};

/// Longest text Excel keeps in one cell; longer strings make the writer fail.
const MAX_CELL_CHARS: usize = 32_767;
/// Date-time display in the day-first order Vietnamese readers expect.
const DATETIME_FORMAT: &str = "dd/mm/yyyy hh:mm:ss";
/// Excel's paper size code for A4, the paper of Vietnamese administration.
const PAPER_A4: u8 = 9;
/// Widest sheet (sum of column widths, in characters) that still reads well
/// on a portrait A4 page; wider sheets print landscape.
const PORTRAIT_MAX_WIDTH: f64 = 100.0;
/// Room for the bloc name (UTF-16 units) in the printed page header: Excel
/// drops a header longer than 255 altogether, and the sheet's heading and
/// the control codes need the rest.
const MAX_HEADER_BLOC: usize = 160;
/// Room for a sheet's heading in the printed page header.
const MAX_HEADER_HEADING: usize = 80;

/// Renders the bloc's workbook as XLSX bytes.
///
/// Seven sheets: "Xếp hạng sơ kết", "Xếp hạng tổng kết", "Giao ước", "Danh
/// hiệu", "Bỏ phiếu", "Đề nghị", "Nhật ký" (the audit log stays last).
/// CPU-bound for large blocs: from async code call it inside
/// `tokio::task::spawn_blocking`.
pub fn standings_xlsx(w: &WorkbookInput) -> Result<Vec<u8>, RenderError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let title = format!("{} — {}", nfc(&w.bloc), w.year);
    book.set_properties(&DocProperties::new().set_title(&title));
    let page = Page::new(&w.bloc);
    let year = w.year;
    book.push_worksheet(standings_sheet(
        (
            "Xếp hạng sơ kết",
            &format!("Xếp hạng sơ kết 6 tháng {year}"),
        ),
        &w.mid,
        &f,
        &page,
    )?);
    book.push_worksheet(standings_sheet(
        (
            "Xếp hạng tổng kết",
            &format!("Xếp hạng tổng kết năm {year}"),
        ),
        &w.final_,
        &f,
        &page,
    )?);
    book.push_worksheet(pledges_sheet(&w.pledges, year, &f, &page)?);
    book.push_worksheet(titles_sheet(&w.titles, year, &f, &page)?);
    book.push_worksheet(ballots_sheet(&w.ballots, year, &f, &page)?);
    book.push_worksheet(proposals_sheet(&w.proposals, year, &f, &page)?);
    book.push_worksheet(audit_sheet(&w.audit, &f, &page)?);
    Ok(book.save_to_buffer()?)
}

/// Cell formats shared by every sheet.
struct Formats {
    header: Format,
    rank: Format,
    one_decimal: Format,
    percent: Format,
    integer: Format,
    datetime: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00DD_EBF7))
                .set_border_bottom(FormatBorder::Thin),
            // Centred, so a rank number and "chưa xếp hạng" line up alike.
            rank: Format::new().set_align(FormatAlign::Center),
            one_decimal: Format::new().set_num_format("0.0"),
            percent: Format::new().set_num_format("0.0%"),
            // Telegram ids reach 13 digits; without a format Excel shows them
            // in scientific notation.
            integer: Format::new().set_num_format("0"),
            datetime: Format::new().set_num_format(DATETIME_FORMAT),
        }
    }
}

/// What every printed page carries besides the sheet's own heading.
struct Page {
    /// The bloc name, escaped for Excel's header codes.
    bloc: String,
}

impl Page {
    fn new(bloc: &str) -> Self {
        Self {
            bloc: header_text(bloc, MAX_HEADER_BLOC),
        }
    }

    /// The page header: the bloc on the left, the sheet's heading in bold on
    /// the right.
    fn header(&self, heading: &str) -> String {
        format!(
            "&L{}&R&\"-,Bold\"{}",
            self.bloc,
            header_text(heading, MAX_HEADER_HEADING)
        )
    }
}

/// `s` as literal text in an Excel page header: `&` starts a control code
/// there, so it is doubled; control characters are dropped; cut (ending in
/// "…") to at most `max` UTF-16 units, so the whole header stays within
/// Excel's 255.
fn header_text(s: &str, max: usize) -> String {
    let escaped = nfc(s)
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .replace('&', "&&");
    if escaped.encode_utf16().count() <= max {
        return escaped;
    }
    let mut out = String::new();
    let mut units = 1; // the "…"
    for c in escaped.chars() {
        units += c.len_utf16();
        if units > max {
            break;
        }
        out.push(c);
    }
    // The cut may split a doubled "&": a lone one would start a control code.
    if out.chars().rev().take_while(|c| *c == '&').count() % 2 == 1 {
        out.pop();
    }
    out.push('…');
    out
}

/// A sheet named `name` with a bold, frozen header row, the given column
/// widths and its print setup: A4, landscape when wide, one page wide, the
/// header row repeated on every page, the bloc and `heading` above each
/// page and its number below.
fn sheet(
    (name, heading): (&str, &str),
    columns: &[(&str, f64)],
    f: &Formats,
    page: &Page,
) -> Result<Worksheet, RenderError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    for (col, (header, width)) in (0..).zip(columns) {
        ws.write_string_with_format(0, col, *header, &f.header)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_paper_size(PAPER_A4);
    if columns.iter().map(|c| c.1).sum::<f64>() > PORTRAIT_MAX_WIDTH {
        ws.set_landscape();
    }
    // One page wide, as many pages tall as the rows need.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_print_gridlines(true);
    ws.set_print_center_horizontally(true);
    ws.set_header(page.header(heading));
    ws.set_footer("&CTrang &P/&N");
    Ok(ws)
}

/// Adds a filter to the header row once there is data, so readers can sort.
fn filter(ws: &mut Worksheet, last_row: u32, columns: usize) -> Result<(), RenderError> {
    let last_col = ColNum::try_from(columns.saturating_sub(1)).unwrap_or(0);
    if last_row > 0 {
        ws.autofilter(0, 0, last_row, last_col)?;
    }
    Ok(())
}

/// One period's standings: ranked units first, then the unranked ones.
fn standings_sheet(
    names: (&str, &str),
    rows: &[WbStanding],
    f: &Formats,
    page: &Page,
) -> Result<Worksheet, RenderError> {
    let columns = [
        ("Hạng", 14.0),
        ("Mã", 12.0),
        ("Đơn vị", 45.0),
        ("Điểm", 9.0),
        ("Đã ký", 9.0),
        ("Báo cáo", 10.0),
        ("Điểm cộng/trừ", 14.0),
        ("Thẩm định", 30.0),
    ];
    let mut ws = sheet(names, &columns, f, page)?;
    let mut last = 0;
    for (r, s) in (1u32..).zip(rows) {
        match s.rank {
            Some(rank) => ws.write_number_with_format(r, 0, rank, &f.rank)?,
            None => ws.write_string_with_format(r, 0, UNRANKED, &f.rank)?,
        };
        text(&mut ws, r, 1, &s.code)?;
        text(&mut ws, r, 2, &s.name)?;
        // An unranked unit has no score, only the 0 of an empty sheet.
        let score = s.rank.map(|_| s.score);
        number(&mut ws, r, 3, score, &f.one_decimal)?;
        ws.write_string(r, 4, if s.signed { "có" } else { "không" })?;
        text(&mut ws, r, 5, &s.reports)?;
        let points = (s.points != 0.0).then_some(s.points);
        number(&mut ws, r, 6, points, &f.one_decimal)?;
        text(&mut ws, r, 7, &review_words(&s.review))?;
        last = r;
    }
    filter(&mut ws, last, columns.len())?;
    Ok(ws)
}

fn pledges_sheet(
    rows: &[WbPledgeLine],
    year: i32,
    f: &Formats,
    page: &Page,
) -> Result<Worksheet, RenderError> {
    let columns = [
        ("Mã đơn vị", 12.0),
        ("Đơn vị", 36.0),
        ("Mã chỉ tiêu", 12.0),
        ("Chỉ tiêu", 40.0),
        ("Mục tiêu", 24.0),
        ("Sơ kết 6 tháng", 15.0),
        ("Đạt sơ kết", 11.0),
        ("Tổng kết năm", 14.0),
        ("Đạt tổng kết", 13.0),
        ("Được miễn", 18.0),
        ("Nộp muộn", 18.0),
        ("Minh chứng sơ kết", 18.0),
        ("Minh chứng tổng kết", 20.0),
    ];
    let heading = format!("Giao ước thi đua năm {year}");
    let mut ws = sheet(("Giao ước", &heading), &columns, f, page)?;
    let mut last = 0;
    for (r, p) in (1u32..).zip(rows) {
        text(&mut ws, r, 0, &p.unit_code)?;
        text(&mut ws, r, 1, &p.unit_name)?;
        text(&mut ws, r, 2, &p.target_code)?;
        text(&mut ws, r, 3, &p.target_name)?;
        text(&mut ws, r, 4, &p.goal)?;
        number(&mut ws, r, 5, p.mid, &f.one_decimal)?;
        number(&mut ws, r, 6, p.mid_achievement, &f.percent)?;
        number(&mut ws, r, 7, p.final_, &f.one_decimal)?;
        number(&mut ws, r, 8, p.final_achievement, &f.percent)?;
        text(&mut ws, r, 9, &p.exempt)?;
        text(&mut ws, r, 10, &p.late)?;
        let files = |n: usize| (n > 0).then_some(n as f64);
        number(&mut ws, r, 11, files(p.evidence.0), &f.integer)?;
        number(&mut ws, r, 12, files(p.evidence.1), &f.integer)?;
        last = r;
    }
    filter(&mut ws, last, columns.len())?;
    Ok(ws)
}

fn titles_sheet(
    rows: &[WbTitle],
    year: i32,
    f: &Formats,
    page: &Page,
) -> Result<Worksheet, RenderError> {
    let columns = [
        ("Mã đơn vị", 12.0),
        ("Đơn vị", 40.0),
        ("Mã danh hiệu", 14.0),
        ("Danh hiệu", 50.0),
    ];
    let heading = format!("Đăng ký danh hiệu thi đua năm {year}");
    let mut ws = sheet(("Danh hiệu", &heading), &columns, f, page)?;
    let mut last = 0;
    for (r, t) in (1u32..).zip(rows) {
        text(&mut ws, r, 0, &t.unit_code)?;
        text(&mut ws, r, 1, &t.unit_name)?;
        text(&mut ws, r, 2, &t.title_code)?;
        text(&mut ws, r, 3, &t.title_name)?;
        last = r;
    }
    filter(&mut ws, last, columns.len())?;
    Ok(ws)
}

/// One row per candidate of each ballot; a ballot without candidates still
/// gets a row, so that it is not lost from the record.
fn ballots_sheet(
    rows: &[WbBallot],
    year: i32,
    f: &Formats,
    page: &Page,
) -> Result<Worksheet, RenderError> {
    let columns = [
        ("Câu hỏi", 40.0),
        ("Mở lúc", 20.0),
        ("Đóng lúc", 20.0),
        ("Đơn vị đã bỏ phiếu", 19.0),
        ("Mã đơn vị", 12.0),
        ("Tên đơn vị", 36.0),
        ("Số phiếu", 10.0),
    ];
    let heading = format!("Bỏ phiếu suy tôn năm {year}");
    let mut ws = sheet(("Bỏ phiếu", &heading), &columns, f, page)?;
    let mut r = 0;
    for b in rows {
        let turnout = format!("{}/{}", b.voted, b.electorate);
        let candidates: Vec<Option<&(String, String, u32)>> = if b.results.is_empty() {
            vec![None]
        } else {
            b.results.iter().map(Some).collect()
        };
        for candidate in candidates {
            r += 1;
            text(&mut ws, r, 0, &b.question)?;
            ws.write_datetime_with_format(r, 1, b.opened_at, &f.datetime)?;
            ws.write_datetime_with_format(r, 2, b.closed_at, &f.datetime)?;
            text(&mut ws, r, 3, &turnout)?;
            if let Some((code, name, votes)) = candidate {
                text(&mut ws, r, 4, code)?;
                text(&mut ws, r, 5, name)?;
                ws.write_number_with_format(r, 6, *votes, &f.integer)?;
            }
        }
    }
    filter(&mut ws, r, columns.len())?;
    Ok(ws)
}

fn proposals_sheet(
    rows: &[WbProposal],
    year: i32,
    f: &Formats,
    page: &Page,
) -> Result<Worksheet, RenderError> {
    let columns = [
        ("STT", 6.0),
        ("Mã đơn vị", 12.0),
        ("Tên đơn vị", 32.0),
        ("Danh hiệu", 32.0),
        ("Lý do", 36.0),
        ("Đã đăng ký", 11.0),
        ("Hạng tổng kết", 14.0),
        ("Điểm", 9.0),
        ("Số phiếu", 10.0),
        ("Người đề nghị", 24.0),
        ("Thời gian", 20.0),
    ];
    let heading = format!("Đề nghị khen thưởng năm {year}");
    let mut ws = sheet(("Đề nghị", &heading), &columns, f, page)?;
    let mut last = 0;
    for (r, p) in (1u32..).zip(rows) {
        ws.write_number_with_format(r, 0, r, &f.integer)?;
        text(&mut ws, r, 1, &p.unit_code)?;
        text(&mut ws, r, 2, &p.unit_name)?;
        text(&mut ws, r, 3, &p.title_name)?;
        text(&mut ws, r, 4, &p.reason)?;
        ws.write_string(r, 5, if p.registered { "Có" } else { "Không" })?;
        match p.rank {
            Some(rank) => ws.write_number_with_format(r, 6, rank, &f.rank)?,
            None => ws.write_string_with_format(r, 6, UNRANKED, &f.rank)?,
        };
        number(&mut ws, r, 7, p.score, &f.one_decimal)?;
        number(&mut ws, r, 8, p.votes.map(f64::from), &f.integer)?;
        text(&mut ws, r, 9, &p.proposed_by)?;
        ws.write_datetime_with_format(r, 10, p.at, &f.datetime)?;
        last = r;
    }
    filter(&mut ws, last, columns.len())?;
    Ok(ws)
}

fn audit_sheet(rows: &[WbAudit], f: &Formats, page: &Page) -> Result<Worksheet, RenderError> {
    let columns = [
        ("Thời gian", 21.0),
        ("Người thực hiện", 24.0),
        ("ID người dùng", 14.0),
        ("Hành động", 28.0),
        ("Đối tượng", 30.0),
        ("Giá trị cũ", 30.0),
        ("Giá trị mới", 30.0),
    ];
    let mut ws = sheet(("Nhật ký", "Nhật ký thay đổi"), &columns, f, page)?;
    let mut last = 0;
    for (r, a) in (1u32..).zip(rows) {
        ws.write_datetime_with_format(r, 0, local_time(a), &f.datetime)?;
        text(&mut ws, r, 1, &a.who)?;
        // Telegram promises ids fit in 52 bits, so f64 holds them exactly.
        ws.write_number_with_format(r, 2, a.user_id as f64, &f.integer)?;
        text(&mut ws, r, 3, &a.action)?;
        text(&mut ws, r, 4, &a.subject)?;
        if let Some(old) = &a.old {
            text(&mut ws, r, 5, old)?;
        }
        if let Some(new) = &a.new {
            text(&mut ws, r, 6, new)?;
        }
        last = r;
    }
    filter(&mut ws, last, columns.len())?;
    Ok(ws)
}

/// Wall-clock time of an audit entry in the bloc's zone: Excel dates carry no
/// zone, so readers must see the time they lived, not UTC.
fn local_time(a: &WbAudit) -> NaiveDateTime {
    let utc = a.at.naive_utc();
    utc.checked_add_signed(TimeDelta::minutes(i64::from(a.local_offset_minutes)))
        .unwrap_or(utc)
}

/// Writes user text as NFC (so search in Excel matches typed text), cut to
/// what a cell can hold.
fn text(ws: &mut Worksheet, row: u32, col: ColNum, s: &str) -> Result<(), RenderError> {
    let s = nfc(s);
    let s = match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((cut, _)) => &s[..cut],
        None => &s,
    };
    ws.write_string(row, col, s)?;
    Ok(())
}

/// Writes a number, leaving the cell empty when there is none; NaN and
/// infinities would make Excel reject the file, so they are left empty too.
fn number(
    ws: &mut Worksheet,
    row: u32,
    col: ColNum,
    value: Option<f64>,
    format: &Format,
) -> Result<(), RenderError> {
    if let Some(v) = value.filter(|v| v.is_finite()) {
        ws.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::domain::ReviewState;
    use crate::render::samples::{self, local};

    fn sample() -> WorkbookInput {
        WorkbookInput {
            bloc: "Khối thi đua kinh tế, kỹ thuật".into(),
            year: 2026,
            mid: vec![
                WbStanding {
                    rank: Some(1),
                    code: "SKHĐT".into(),
                    name: "Sở Kế hoạch và Đầu tư".into(),
                    score: 92.4,
                    signed: true,
                    reports: "5/5".into(),
                    points: 2.5,
                    review: ReviewState::Approved,
                },
                WbStanding {
                    rank: Some(2),
                    code: "STC".into(),
                    name: "Sở Tài chính".into(),
                    score: 88.0,
                    signed: false,
                    reports: "4/5".into(),
                    points: 0.0,
                    review: ReviewState::Returned("thiếu minh chứng".into()),
                },
                WbStanding {
                    rank: None,
                    code: "SXD".into(),
                    name: "Sở Xây dựng".into(),
                    score: 0.0,
                    signed: true,
                    reports: "0/5".into(),
                    points: 0.0,
                    review: ReviewState::Open,
                },
            ],
            final_: vec![WbStanding {
                rank: None,
                code: "SKHĐT".into(),
                name: "Sở Kế hoạch và Đầu tư".into(),
                score: 0.0,
                signed: true,
                reports: "0/5".into(),
                points: 0.0,
                review: ReviewState::Open,
            }],
            pledges: vec![
                WbPledgeLine {
                    unit_code: "SKHĐT".into(),
                    unit_name: "Sở Kế hoạch và Đầu tư".into(),
                    target_code: "CT01".into(),
                    target_name: "Tỷ lệ giải ngân vốn đầu tư công".into(),
                    goal: "≥ 95%".into(),
                    mid: Some(48.5),
                    final_: None,
                    mid_achievement: Some(0.512),
                    final_achievement: None,
                    exempt: String::new(),
                    late: "sơ kết 6 tháng".into(),
                    evidence: (2, 0),
                },
                WbPledgeLine {
                    unit_code: "STC".into(),
                    unit_name: "Sở Tài chính".into(),
                    target_code: "CT02".into(),
                    target_name: "Thu ngân sách".into(),
                    goal: "1 200 tỷ đồng".into(),
                    mid: Some(f64::NAN),
                    final_: Some(1250.0),
                    mid_achievement: None,
                    final_achievement: Some(1.0),
                    exempt: "sơ kết 6 tháng".into(),
                    late: String::new(),
                    evidence: (0, 0),
                },
            ],
            titles: vec![WbTitle {
                unit_code: "SKHĐT".into(),
                unit_name: "Sở Kế hoạch và Đầu tư".into(),
                title_code: "CTTĐ".into(),
                title_name: "Cờ thi đua của Ủy ban nhân dân tỉnh".into(),
            }],
            audit: vec![WbAudit {
                at: Utc.with_ymd_and_hms(2026, 7, 16, 1, 30, 0).unwrap(),
                local_offset_minutes: 7 * 60,
                who: "Nguyễn Thị Hương".into(),
                user_id: 5_123_456_789,
                action: "report".into(),
                subject: "SKHĐT/CT01".into(),
                old: None,
                new: Some("48,5".into()),
            }],
            ballots: vec![
                samples::ballot(),
                WbBallot {
                    question: "Bỏ phiếu lại".into(),
                    picks: 1,
                    opened_at: local(2026, 12, 14, 9, 0),
                    closed_at: local(2026, 12, 14, 11, 0),
                    voted: 0,
                    electorate: 4,
                    results: vec![],
                },
            ],
            proposals: samples::proposals(),
        }
    }

    /// Excel's serial number of a local date-time (days from 1899-12-30).
    fn serial(at: NaiveDateTime) -> f64 {
        let epoch = local(1899, 12, 30, 0, 0);
        (at - epoch).num_seconds() as f64 / 86_400.0
    }

    fn assert_datetime(value: Data, expected: NaiveDateTime) {
        let Data::DateTime(at) = value else {
            panic!("not a date: {value:?}");
        };
        assert!(
            (at.as_f64() - serial(expected)).abs() < 1e-6,
            "{} vs {expected}",
            at.as_f64()
        );
    }

    fn read(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).unwrap()
    }

    fn cell(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, row: u32, col: u32) -> Data {
        let range = book.worksheet_range(sheet).unwrap();
        range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    fn s(v: &str) -> Data {
        Data::String(v.into())
    }

    const MID: &str = "Xếp hạng sơ kết";
    const FINAL: &str = "Xếp hạng tổng kết";

    #[test]
    fn workbook_has_the_seven_sheets_in_order_with_the_audit_log_last() {
        let book = read(standings_xlsx(&sample()).unwrap());
        assert_eq!(
            book.sheet_names(),
            [
                MID,
                FINAL,
                "Giao ước",
                "Danh hiệu",
                "Bỏ phiếu",
                "Đề nghị",
                "Nhật ký"
            ]
        );
    }

    #[test]
    fn standings_sheet_reads_back_with_numbers_as_numbers() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        for sheet in [MID, FINAL] {
            let headers: Vec<Data> = (0..6).map(|c| cell(&mut book, sheet, 0, c)).collect();
            assert_eq!(
                headers,
                ["Hạng", "Mã", "Đơn vị", "Điểm", "Đã ký", "Báo cáo"].map(s)
            );
        }
        assert_eq!(cell(&mut book, MID, 1, 0), Data::Float(1.0));
        assert_eq!(cell(&mut book, MID, 1, 1), s("SKHĐT"));
        assert_eq!(cell(&mut book, MID, 1, 2), s("Sở Kế hoạch và Đầu tư"));
        assert_eq!(cell(&mut book, MID, 1, 3), Data::Float(92.4));
        assert_eq!(cell(&mut book, MID, 1, 4), s("có"));
        assert_eq!(cell(&mut book, MID, 2, 4), s("không"));
        assert_eq!(cell(&mut book, MID, 2, 5), s("4/5"));
    }

    #[test]
    fn a_unit_without_rank_says_so_and_shows_no_score() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        assert_eq!(cell(&mut book, MID, 3, 0), s("chưa xếp hạng"));
        assert_eq!(cell(&mut book, MID, 3, 1), s("SXD"));
        assert_eq!(cell(&mut book, MID, 3, 3), Data::Empty);
        assert_eq!(cell(&mut book, MID, 3, 5), s("0/5"));
        assert_eq!(cell(&mut book, FINAL, 1, 0), s("chưa xếp hạng"));
        assert_eq!(cell(&mut book, FINAL, 1, 1), s("SKHĐT"));
        assert_eq!(cell(&mut book, FINAL, 1, 3), Data::Empty);
    }

    #[test]
    fn page_header_text_escapes_ampersands_and_is_bounded() {
        assert_eq!(header_text("Sở & Ban\n", 80), "Sở && Ban");
        assert_eq!(header_text("Khối", 4), "Khối");
        assert_eq!(header_text("Khối 1", 4), "Khố…");
        let long = "Khối ".repeat(100);
        let cut = header_text(&long, 160);
        assert_eq!(cut.encode_utf16().count(), 160);
        assert!(cut.ends_with('…'));
        // The cut never leaves half of an escaped "&&".
        assert_eq!(header_text("ab&&&&", 4), "ab…");
        assert_eq!(header_text("a&b", 4), "a&&b");
        assert_eq!(header_text("a&b", 3), "a…");
        assert_eq!(header_text("&&b", 4), "&&…");
    }

    #[test]
    fn the_longest_page_header_stays_within_excel_limit() {
        let header = Page::new(&"&".repeat(300)).header(&"Đ".repeat(300));
        assert!(header.encode_utf16().count() <= 255, "{header}");
    }

    #[test]
    fn pledge_sheet_keeps_missing_and_bad_values_empty() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        assert_eq!(cell(&mut book, "Giao ước", 0, 6), s("Đạt sơ kết"));
        assert_eq!(cell(&mut book, "Giao ước", 0, 8), s("Đạt tổng kết"));
        assert_eq!(cell(&mut book, "Giao ước", 1, 4), s("≥ 95%"));
        assert_eq!(cell(&mut book, "Giao ước", 1, 5), Data::Float(48.5));
        assert_eq!(cell(&mut book, "Giao ước", 1, 6), Data::Float(0.512));
        assert_eq!(cell(&mut book, "Giao ước", 1, 7), Data::Empty);
        assert_eq!(cell(&mut book, "Giao ước", 1, 8), Data::Empty);
        assert_eq!(cell(&mut book, "Giao ước", 2, 5), Data::Empty);
        assert_eq!(cell(&mut book, "Giao ước", 2, 7), Data::Float(1250.0));
        assert_eq!(cell(&mut book, "Giao ước", 2, 8), Data::Float(1.0));
    }

    #[test]
    fn titles_sheet_lists_registrations() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        assert_eq!(cell(&mut book, "Danh hiệu", 0, 3), s("Danh hiệu"));
        assert_eq!(
            cell(&mut book, "Danh hiệu", 1, 3),
            s("Cờ thi đua của Ủy ban nhân dân tỉnh")
        );
    }

    #[test]
    fn audit_times_are_excel_dates_in_local_time() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        assert_eq!(cell(&mut book, "Nhật ký", 0, 0), s("Thời gian"));
        let Data::DateTime(at) = cell(&mut book, "Nhật ký", 1, 0) else {
            panic!("not a date");
        };
        // 01:30 UTC is 08:30 in UTC+7; Excel counts days from 1899-12-30.
        let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 7, 16).unwrap();
        let expected = (day - epoch).num_days() as f64 + 8.5 / 24.0;
        assert!((at.as_f64() - expected).abs() < 1e-6, "{}", at.as_f64());
        assert_eq!(cell(&mut book, "Nhật ký", 1, 1), s("Nguyễn Thị Hương"));
        assert_eq!(
            cell(&mut book, "Nhật ký", 1, 2),
            Data::Float(5_123_456_789.0)
        );
        assert_eq!(cell(&mut book, "Nhật ký", 1, 5), Data::Empty);
        assert_eq!(cell(&mut book, "Nhật ký", 1, 6), s("48,5"));
    }

    #[test]
    fn empty_workbook_still_has_headers() {
        let input = WorkbookInput {
            bloc: String::new(),
            year: 2026,
            mid: vec![],
            final_: vec![],
            pledges: vec![],
            titles: vec![],
            audit: vec![],
            ballots: vec![],
            proposals: vec![],
        };
        let mut book = read(standings_xlsx(&input).unwrap());
        assert_eq!(book.sheet_names().len(), 7);
        assert_eq!(cell(&mut book, "Nhật ký", 0, 6), s("Giá trị mới"));
        for sheet in ["Bỏ phiếu", "Đề nghị"] {
            let range = book.worksheet_range(sheet).unwrap();
            assert_eq!(range.height(), 1, "{sheet} has more than its header");
        }
        assert_eq!(cell(&mut book, "Bỏ phiếu", 0, 6), s("Số phiếu"));
        assert_eq!(cell(&mut book, "Đề nghị", 0, 10), s("Thời gian"));
    }

    #[test]
    fn ballot_sheet_has_a_row_per_candidate_with_real_times() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        const B: &str = "Bỏ phiếu";
        let headers: Vec<Data> = (0..7).map(|c| cell(&mut book, B, 0, c)).collect();
        assert_eq!(
            headers,
            [
                "Câu hỏi",
                "Mở lúc",
                "Đóng lúc",
                "Đơn vị đã bỏ phiếu",
                "Mã đơn vị",
                "Tên đơn vị",
                "Số phiếu"
            ]
            .map(s)
        );
        for row in [1, 2] {
            assert_eq!(cell(&mut book, B, row, 0), s("Suy tôn đơn vị dẫn đầu khối"));
            assert_datetime(cell(&mut book, B, row, 1), local(2026, 12, 10, 8, 0));
            assert_datetime(cell(&mut book, B, row, 2), local(2026, 12, 12, 17, 30));
            assert_eq!(cell(&mut book, B, row, 3), s("3/4"));
        }
        assert_eq!(cell(&mut book, B, 1, 4), s("SKHĐT"));
        assert_eq!(cell(&mut book, B, 1, 5), s("Sở Kế hoạch và Đầu tư"));
        assert_eq!(cell(&mut book, B, 1, 6), Data::Float(3.0));
        assert_eq!(cell(&mut book, B, 2, 4), s("STC"));
        assert_eq!(cell(&mut book, B, 2, 6), Data::Float(1.0));
    }

    /// The XML of the workbook's `n`th sheet (1-based), for the print setup
    /// calamine does not expose.
    fn sheet_xml(bytes: &[u8], n: usize) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn ballot_and_proposal_sheets_print_landscape_on_a4_one_page_wide() {
        let bytes = standings_xlsx(&sample()).unwrap();
        for n in [5, 6] {
            let xml = sheet_xml(&bytes, n);
            assert!(xml.contains(r#"paperSize="9""#), "sheet {n}: {xml}");
            assert!(xml.contains(r#"orientation="landscape""#), "sheet {n}");
            assert!(xml.contains(r#"fitToHeight="0""#), "sheet {n}");
        }
    }

    #[test]
    fn a_ballot_without_candidates_keeps_its_own_row() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        const B: &str = "Bỏ phiếu";
        assert_eq!(cell(&mut book, B, 3, 0), s("Bỏ phiếu lại"));
        assert_datetime(cell(&mut book, B, 3, 1), local(2026, 12, 14, 9, 0));
        assert_eq!(cell(&mut book, B, 3, 3), s("0/4"));
        assert_eq!(cell(&mut book, B, 3, 4), Data::Empty);
        assert_eq!(cell(&mut book, B, 3, 6), Data::Empty);
        assert_eq!(book.worksheet_range(B).unwrap().height(), 4);
    }

    #[test]
    fn proposal_sheet_reads_back_with_rank_score_votes_and_time() {
        let mut book = read(standings_xlsx(&sample()).unwrap());
        const P: &str = "Đề nghị";
        let headers: Vec<Data> = (0..11).map(|c| cell(&mut book, P, 0, c)).collect();
        assert_eq!(
            headers,
            [
                "STT",
                "Mã đơn vị",
                "Tên đơn vị",
                "Danh hiệu",
                "Lý do",
                "Đã đăng ký",
                "Hạng tổng kết",
                "Điểm",
                "Số phiếu",
                "Người đề nghị",
                "Thời gian"
            ]
            .map(s)
        );
        assert_eq!(cell(&mut book, P, 1, 0), Data::Float(1.0));
        assert_eq!(cell(&mut book, P, 1, 1), s("SKHĐT"));
        assert_eq!(cell(&mut book, P, 1, 2), s("Sở Kế hoạch và Đầu tư"));
        assert_eq!(
            cell(&mut book, P, 1, 3),
            s("Cờ thi đua của Ủy ban nhân dân tỉnh")
        );
        assert_eq!(cell(&mut book, P, 1, 4), s("Dẫn đầu khối"));
        assert_eq!(cell(&mut book, P, 1, 5), s("Có"));
        assert_eq!(cell(&mut book, P, 1, 6), Data::Float(1.0));
        assert_eq!(cell(&mut book, P, 1, 7), Data::Float(92.44));
        assert_eq!(cell(&mut book, P, 1, 8), Data::Float(3.0));
        assert_eq!(cell(&mut book, P, 1, 9), s("Nguyễn Thị Hương"));
        assert_datetime(cell(&mut book, P, 1, 10), local(2026, 12, 15, 10, 5));
        assert_eq!(cell(&mut book, P, 2, 0), Data::Float(2.0));
        assert_eq!(cell(&mut book, P, 2, 4), Data::Empty);
        assert_eq!(cell(&mut book, P, 2, 5), s("Không"));
        assert_eq!(cell(&mut book, P, 2, 6), s("chưa xếp hạng"));
        assert_eq!(cell(&mut book, P, 2, 7), Data::Empty);
        assert_eq!(cell(&mut book, P, 2, 8), Data::Empty);
    }
}
