//! Pure rendering of standings into files the bot sends: a PNG bar chart
//! (`/chart`), an XLSX workbook (`/export`) and the DOCX minutes of the
//! year-end meeting.
//!
//! Nothing here touches Telegram or SQL: the bot maps its data onto the plain
//! input structs below and sends the returned bytes. Rendering is CPU-bound
//! (tens of milliseconds for a chart, more for a large workbook), so async
//! callers must run it in `tokio::task::spawn_blocking` and await the handle,
//! never directly on the runtime.

use unicode_normalization::UnicodeNormalization;

use crate::domain::ReviewState;

pub mod chart;
pub mod minutes;
pub mod workbook;

pub use chart::standings_png;
pub use minutes::{minutes_docx, minutes_file_name};
pub use workbook::standings_xlsx;

/// Everything the standings chart shows.
#[derive(Debug, Clone)]
pub struct ChartInput {
    /// Heading, e.g. "Khối thi đua kinh tế, kỹ thuật".
    pub title: String,
    /// Second line, e.g. "Xếp hạng sơ kết 6 tháng 2026 — 16/07/2026".
    pub subtitle: String,
    /// One bar per unit, already sorted best first.
    pub rows: Vec<ChartRow>,
}

/// One unit's bar in the standings chart.
#[derive(Debug, Clone)]
pub struct ChartRow {
    /// Unit code, shown before the name.
    pub code: String,
    /// Unit name; truncated with "…" when too long for the picture.
    pub name: String,
    /// Score on the 0..=100 scale.
    pub score: f64,
}

/// Everything the standings workbook contains.
#[derive(Debug, Clone)]
pub struct WorkbookInput {
    /// Name of the emulation bloc (khối thi đua).
    pub bloc: String,
    /// Pledge year.
    pub year: i32,
    /// Rows of the "Xếp hạng sơ kết" sheet (mid-year), in ranking order.
    pub mid: Vec<WbStanding>,
    /// Rows of the "Xếp hạng tổng kết" sheet (year end), in ranking order.
    pub final_: Vec<WbStanding>,
    /// Rows of the "Giao ước" sheet.
    pub pledges: Vec<WbPledgeLine>,
    /// Rows of the "Danh hiệu" sheet.
    pub titles: Vec<WbTitle>,
    /// Rows of the "Nhật ký" sheet.
    pub audit: Vec<WbAudit>,
    /// Every closed ballot of the year, oldest first ("Bỏ phiếu" sheet).
    pub ballots: Vec<WbBallot>,
    /// The year's proposals for commendation ("Đề nghị" sheet).
    pub proposals: Vec<WbProposal>,
}

/// One unit's place in the standings of one period.
#[derive(Debug, Clone)]
pub struct WbStanding {
    /// Rank, 1 = best; `None` for a unit that reported nothing for the
    /// period, listed unranked after the ranked ones.
    pub rank: Option<u32>,
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Score on the 0..=100 scale.
    pub score: f64,
    /// Whether the unit has signed its pledge.
    pub signed: bool,
    /// Reports received out of due, e.g. "5/5".
    pub reports: String,
    /// Bonus and penalty points, summed (already in `score`).
    pub points: f64,
    /// Where the unit's review stands.
    pub review: crate::domain::ReviewState,
}

/// One target of one unit's pledge.
#[derive(Debug, Clone)]
pub struct WbPledgeLine {
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Target code.
    pub target_code: String,
    /// Target name.
    pub target_name: String,
    /// The pledged goal as the unit wrote it.
    pub goal: String,
    /// Value reported at the mid-year review, if any.
    pub mid: Option<f64>,
    /// Value reported at the year-end review, if any.
    pub final_: Option<f64>,
    /// Share of the goal achieved by the mid-year value, 0..=1.
    pub mid_achievement: Option<f64>,
    /// Share of the goal achieved by the year-end value, 0..=1.
    pub final_achievement: Option<f64>,
    /// The periods in which the target does not apply to the unit, in
    /// words; empty when it applies to both.
    pub exempt: String,
    /// The periods whose value came after the deadline day, in words.
    pub late: String,
    /// Evidence files attached: (mid-year, year-end).
    pub evidence: (usize, usize),
}

/// One emulation title a unit registered for.
#[derive(Debug, Clone)]
pub struct WbTitle {
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Title code.
    pub title_code: String,
    /// Title name.
    pub title_name: String,
}

/// One audit-log entry.
#[derive(Debug, Clone)]
pub struct WbAudit {
    /// When it happened (UTC).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The bloc's UTC offset at that instant, in minutes, for display.
    pub local_offset_minutes: i32,
    /// Display name of who did it.
    pub who: String,
    /// Telegram user id of who did it.
    pub user_id: i64,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub subject: String,
    /// Value before, if any.
    pub old: Option<String>,
    /// Value after, if any.
    pub new: Option<String>,
}

/// One closed secret ballot (bỏ phiếu suy tôn) and its result.
#[derive(Debug, Clone)]
pub struct WbBallot {
    /// The question put to the vote.
    pub question: String,
    /// Most units a voter could pick.
    pub picks: u32,
    /// When it opened, in the bloc's local time.
    pub opened_at: chrono::NaiveDateTime,
    /// When it closed, in the bloc's local time.
    pub closed_at: chrono::NaiveDateTime,
    /// Units that voted.
    pub voted: u32,
    /// Units that could vote (the bloc's units when it opened).
    pub electorate: u32,
    /// Every candidate unit: (code, name, votes), most votes first.
    pub results: Vec<(String, String, u32)>,
}

/// One proposal for commendation (đề nghị khen thưởng).
#[derive(Debug, Clone)]
pub struct WbProposal {
    /// Code of the proposed unit.
    pub unit_code: String,
    /// Name of the proposed unit.
    pub unit_name: String,
    /// Code of the title proposed.
    pub title_code: String,
    /// Name of the title proposed.
    pub title_name: String,
    /// Why; may be empty.
    pub reason: String,
    /// Whether the unit registered that title for the year.
    pub registered: bool,
    /// The unit's year-end rank; `None` when unranked.
    pub rank: Option<u32>,
    /// The unit's year-end score; `None` when unranked.
    pub score: Option<f64>,
    /// Its votes in the year's last closed ballot; `None` when there was none.
    pub votes: Option<u32>,
    /// Display name of the admin who proposed it.
    pub proposed_by: String,
    /// When it was proposed, in the bloc's local time.
    pub at: chrono::NaiveDateTime,
}

/// Everything the year-end meeting's minutes (biên bản họp bình xét) show.
#[derive(Debug, Clone)]
pub struct MinutesInput {
    /// Name of the emulation bloc (khối thi đua).
    pub bloc: String,
    /// Pledge year.
    pub year: i32,
    /// The local date the minutes are made (the meeting's date).
    pub date: chrono::NaiveDate,
    /// Units present: those that signed the year's pledge, (code, name).
    pub present: Vec<(String, String)>,
    /// Units of the bloc in all.
    pub units: u32,
    /// Year-end standings, in ranking order.
    pub standings: Vec<WbStanding>,
    /// The year's last closed ballot, if any.
    pub ballot: Option<WbBallot>,
    /// The year's proposals.
    pub proposals: Vec<WbProposal>,
}

/// Why a chart, workbook or minutes could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The embedded font could not be loaded.
    #[error("embedded font could not be loaded")]
    Font,
    /// plotters failed while drawing.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The chart would exceed what Telegram accepts for a photo.
    #[error("too many rows for one chart: {rows} (at most {max})")]
    TooManyRows {
        /// Rows asked for.
        rows: usize,
        /// Rows that fit.
        max: usize,
    },
    /// PNG encoding failed.
    #[error("PNG encoding failed")]
    Png(#[from] png::EncodingError),
    /// Building the workbook failed.
    #[error("building the workbook failed")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Writing the minutes' DOCX archive failed. A string, because docx-rs
    /// reports zip's error from a zip version we do not depend on.
    #[error("building the minutes failed: {0}")]
    Docx(String),
}

/// What a rank cell says for a unit with nothing reported in the period.
const UNRANKED: &str = "chưa xếp hạng";

/// A review state in words (open: empty, as for a bloc that does not
/// review), the same in the workbook and the minutes.
fn review_words(s: &ReviewState) -> String {
    match s {
        ReviewState::Open => String::new(),
        ReviewState::Submitted => "đã gửi, chờ thẩm định".into(),
        ReviewState::Approved => "đã duyệt".into(),
        ReviewState::Returned(reason) => format!("bị trả lại: {reason}"),
    }
}

/// Longest slug kept in a file name, so names stay readable in chat.
const MAX_SLUG: usize = 40;

/// ASCII file name for a bloc's workbook, e.g. `thidua-khoi-thi-dua-kinh-te-ky-thuat-2026.xlsx`.
///
/// Telegram clients and Windows mangle non-ASCII attachment names, so the
/// diacritics are stripped rather than kept.
pub fn ascii_file_name(bloc: &str, year: i32) -> String {
    format!("thidua-{}-{year}.xlsx", slug(bloc))
}

/// `bloc` as lowercase ASCII words joined by dashes, at most [`MAX_SLUG`]
/// long, for file names; "bloc" when nothing is left.
fn slug(bloc: &str) -> String {
    let mut slug = String::new();
    // đ/Đ are letters of their own, not d plus a mark, so NFD would keep them.
    let folded = bloc.replace('đ', "d").replace('Đ', "D");
    for c in folded.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // The slug is ASCII, so byte truncation cannot split a character.
    slug.truncate(MAX_SLUG);
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "bloc".into()
    } else {
        slug.into()
    }
}

/// NFC form of `s`: precomposed letters, so stacked Vietnamese marks draw and search right.
pub(crate) fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Sample inputs shared by the workbook's and the minutes' tests.
#[cfg(test)]
pub(crate) mod samples {
    use super::{WbBallot, WbProposal};
    use chrono::{NaiveDate, NaiveDateTime};

    /// A local date-time.
    pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    /// A closed ballot: 3 of 4 units voted, two picks each at most.
    pub fn ballot() -> WbBallot {
        WbBallot {
            question: "Suy tôn đơn vị dẫn đầu khối".into(),
            picks: 2,
            opened_at: local(2026, 12, 10, 8, 0),
            closed_at: local(2026, 12, 12, 17, 30),
            voted: 3,
            electorate: 4,
            results: vec![
                ("SKHĐT".into(), "Sở Kế hoạch và Đầu tư".into(), 3),
                ("STC".into(), "Sở Tài chính".into(), 1),
            ],
        }
    }

    /// Two proposals: a ranked unit that registered its title and got
    /// votes; an unranked one that did not register, without a reason.
    pub fn proposals() -> Vec<WbProposal> {
        vec![
            WbProposal {
                unit_code: "SKHĐT".into(),
                unit_name: "Sở Kế hoạch và Đầu tư".into(),
                title_code: "CTTĐ".into(),
                title_name: "Cờ thi đua của Ủy ban nhân dân tỉnh".into(),
                reason: "Dẫn đầu khối".into(),
                registered: true,
                rank: Some(1),
                score: Some(92.44),
                votes: Some(3),
                proposed_by: "Nguyễn Thị Hương".into(),
                at: local(2026, 12, 15, 10, 5),
            },
            WbProposal {
                unit_code: "SXD".into(),
                unit_name: "Sở Xây dựng".into(),
                title_code: "BK".into(),
                title_name: "Bằng khen của Chủ tịch UBND tỉnh".into(),
                reason: String::new(),
                registered: false,
                rank: None,
                score: None,
                votes: None,
                proposed_by: "Trần Văn Nam".into(),
                at: local(2026, 12, 15, 10, 6),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_strips_vietnamese_diacritics() {
        assert_eq!(
            ascii_file_name("Khối thi đua kinh tế, kỹ thuật", 2026),
            "thidua-khoi-thi-dua-kinh-te-ky-thuat-2026.xlsx"
        );
    }

    #[test]
    fn file_name_maps_capital_d_with_stroke() {
        assert_eq!(
            ascii_file_name("ĐẢNG ỦY Đồng Nai", 2025),
            "thidua-dang-uy-dong-nai-2025.xlsx"
        );
    }

    #[test]
    fn file_name_collapses_markup_and_symbols() {
        assert_eq!(
            ascii_file_name("<b>Sở & Ban</b>", 2026),
            "thidua-b-so-ban-b-2026.xlsx"
        );
    }

    #[test]
    fn file_name_of_empty_or_symbol_only_bloc_is_generic() {
        assert_eq!(ascii_file_name("", 2026), "thidua-bloc-2026.xlsx");
        assert_eq!(ascii_file_name(" — !!", 2026), "thidua-bloc-2026.xlsx");
    }

    #[test]
    fn file_name_slug_is_at_most_40_chars_without_trailing_dash() {
        let name = ascii_file_name(
            "Khối thi đua các cơ quan tham mưu, giúp việc Tỉnh ủy và Ủy ban nhân dân tỉnh",
            2026,
        );
        let slug = name
            .strip_prefix("thidua-")
            .and_then(|s| s.strip_suffix("-2026.xlsx"))
            .unwrap();
        assert!(slug.len() <= 40, "{slug}");
        assert!(!slug.ends_with('-') && !slug.starts_with('-'), "{slug}");
        assert!(name.is_ascii());
    }

    #[test]
    fn file_name_accepts_decomposed_input() {
        // "Khối" typed with combining marks (NFD), as some keyboards send it.
        let nfd: String = "Khối".nfd().collect();
        assert_eq!(ascii_file_name(&nfd, 2026), "thidua-khoi-2026.xlsx");
    }
}
