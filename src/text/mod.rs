//! Every user-facing string. One module per language behind one trait, so a
//! missing text is a compile error, not a silent miss at run time; the layout
//! of each multi-line message is written once, in `layout.rs`.

mod en;
mod layout;
mod vi;

pub use layout::{
    CorrectionView, Dashboard, ReviewLine, ReviewListView, ReviewSheetView, Texts, Words,
    review_icon, signed_points,
};

use crate::domain::Bloc;
use crate::domain::schedule::Deadline;
use crate::domain::{CommandKind, Goal, Period, Refusal, Standing, TargetKind};
use crate::storage::audit::Action;
use crate::storage::ballots::{Ballot, Candidate};

/// A reply language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Parses `vi` or `en`.
    pub fn parse(raw: &str) -> Option<Lang> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The language for a user: stored choice, else Telegram's `language_code`
    /// when it is `vi` or `en`, else Vietnamese.
    pub fn pick(stored: Option<&str>, telegram: Option<&str>) -> Lang {
        stored
            .and_then(Lang::parse)
            .or_else(|| telegram.and_then(|t| Lang::parse(t.split('-').next().unwrap_or(t))))
            .unwrap_or_default()
    }

    /// The texts of this language.
    pub fn texts(self) -> &'static dyn Texts {
        match self {
            Lang::Vi => &vi::Vi,
            Lang::En => &en::En,
        }
    }
}

/// One unit in `/units`.
#[derive(Debug, Clone)]
pub struct UnitLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Head's display name.
    pub head: Option<String>,
    /// Pledge signed this year.
    pub signed: bool,
    /// Targets reported for the open period.
    pub reported: usize,
    /// Targets in all.
    pub targets: usize,
}

/// One target as a unit sees it.
#[derive(Debug, Clone)]
pub struct TargetLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: TargetKind,
    /// The goal that applies (the unit's own, or the bloc's).
    pub goal: Goal,
    /// Whether the goal is the unit's own.
    pub own_goal: bool,
    /// Weight.
    pub weight: u32,
    /// Copied from last year, awaiting an admin's confirmation.
    pub draft: bool,
}

/// `/pledge`
#[derive(Debug, Clone)]
pub struct PledgeView {
    /// Bloc name.
    pub bloc: String,
    /// Year.
    pub year: i32,
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub unit: String,
    /// Targets with this unit's goals.
    pub targets: Vec<TargetLine>,
    /// Local date and time of signing.
    pub signed_at: Option<String>,
    /// Titles registered for the year: (code, name).
    pub titles: Vec<(String, String)>,
}

/// A unit's line in `/status`.
#[derive(Debug, Clone)]
pub struct StatusLine {
    /// Target.
    pub target: TargetLine,
    /// Latest value.
    pub value: Option<f64>,
    /// Achievement in [0, 1].
    pub achievement: f64,
    /// Recorded after the period's deadline day.
    pub late: bool,
}

/// `/status`
#[derive(Debug, Clone)]
pub struct StatusView {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub unit: String,
    /// Year.
    pub year: i32,
    /// Period shown.
    pub period: Period,
    /// Pledge signed.
    pub signed: bool,
    /// One line per target.
    pub lines: Vec<StatusLine>,
    /// Score.
    pub score: f64,
    /// Rank and number of units.
    pub rank: (usize, usize),
    /// Titles registered for the year: (code, name).
    pub titles: Vec<(String, String)>,
}

/// One line of `/history`.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// Local date and time.
    pub at: String,
    /// Who: name, if known.
    pub who: Option<String>,
    /// Who: Telegram id.
    pub user_id: i64,
    /// What was done (`report`, `unit.add`...).
    pub action: String,
    /// To what.
    pub subject: String,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

/// A page of `/history`.
#[derive(Debug, Clone)]
pub struct HistoryView {
    /// Bloc name.
    pub bloc: String,
    /// Unit code when filtered.
    pub unit: Option<String>,
    /// Lines, newest first.
    pub lines: Vec<HistoryLine>,
    /// 1-based page and page count.
    pub page: (i64, i64),
}

/// A target offered in the guided report flow.
#[derive(Debug, Clone)]
pub struct FlowTarget {
    /// The target.
    pub target: TargetLine,
    /// Its current value for the period, if reported.
    pub value: Option<f64>,
}

/// `/standings`
#[derive(Debug, Clone)]
pub struct StandingsView {
    /// Bloc name.
    pub bloc: String,
    /// Year.
    pub year: i32,
    /// Period.
    pub period: Period,
    /// Ranked rows.
    pub rows: Vec<Standing>,
}

/// A bloc in `/bloc`.
#[derive(Debug, Clone)]
pub struct BlocLine {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Picked for private chats.
    pub current: bool,
}

/// `/schedule`
#[derive(Debug, Clone)]
pub struct ScheduleView {
    /// Bloc name.
    pub bloc: String,
    /// Year.
    pub year: i32,
    /// IANA zone.
    pub tz: String,
    /// `HH:MM`.
    pub send_time: String,
    /// Reminder days, e.g. `14,7,3,1`.
    pub remind: String,
    /// Each deadline with its local date (dd/mm/yyyy) and whether it has passed.
    pub deadlines: Vec<(Deadline, String, bool)>,
    /// The next send: deadline and local date-time.
    pub next: Option<(Deadline, String)>,
}

/// A unit still owing something.
#[derive(Debug, Clone, PartialEq)]
pub struct Outstanding {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// No head has joined yet.
    pub no_head: bool,
}

/// What a head still owes.
#[derive(Debug, Clone, PartialEq)]
pub enum Missing {
    /// The pledge is unsigned.
    Pledge,
    /// These targets (code, name) have no value for the period.
    Targets(Vec<(String, String)>),
    /// The results were returned with this reason: fix and submit again.
    Returned(String),
}

/// A private reminder to a unit head.
#[derive(Debug, Clone)]
pub struct HeadReminder {
    /// Bloc name.
    pub bloc: String,
    /// Unit code.
    pub code: String,
    /// Deadline.
    pub deadline: Deadline,
    /// Its local date, dd/mm/yyyy.
    pub date: String,
    /// Days left (0 on the day).
    pub days_left: u32,
    /// What is missing.
    pub missing: Missing,
}

/// The summary posted to the bloc group.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Bloc name.
    pub bloc: String,
    /// Deadline.
    pub deadline: Deadline,
    /// Its local date.
    pub date: String,
    /// Days left.
    pub days_left: u32,
    /// Units done.
    pub done: usize,
    /// Units in all.
    pub total: usize,
    /// Units not done.
    pub outstanding: Vec<Outstanding>,
    /// Standings so far (mid and final only).
    pub standings: Vec<Standing>,
}

/// The overdue list sent to admins the day after a deadline.
#[derive(Debug, Clone)]
pub struct Overdue {
    /// Bloc name.
    pub bloc: String,
    /// Deadline.
    pub deadline: Deadline,
    /// Its local date.
    pub date: String,
    /// Units not done.
    pub outstanding: Vec<Outstanding>,
}

/// A ballot as its announcement, its card, `/ballot` and its result show it.
#[derive(Debug, Clone)]
pub struct BallotView {
    /// Bloc name.
    pub bloc: String,
    /// What is asked.
    pub question: String,
    /// Most units a voter may pick.
    pub picks: u32,
    /// Units that voted.
    pub voted: u32,
    /// Units that may vote.
    pub electorate: u32,
    /// Local time it closes (or closed), `dd/mm/yyyy HH:MM`.
    pub closes: String,
    /// (code, name, votes), most votes first; empty until it is closed.
    pub results: Vec<(String, String, u32)>,
}

impl BallotView {
    /// The view of `ballot` of `bloc`; counts only once it is closed.
    pub fn of(bloc: &Bloc, ballot: &Ballot, candidates: &[Candidate], voted: u32) -> BallotView {
        let closes = ballot
            .closed_at
            .unwrap_or(ballot.closes_at)
            .with_timezone(&bloc.tz)
            .format("%d/%m/%Y %H:%M")
            .to_string();
        let mut results: Vec<(String, String, u32)> = match ballot.closed_at {
            Some(_) => candidates
                .iter()
                .map(|c| (c.code.clone(), c.name.clone(), c.votes))
                .collect(),
            None => Vec::new(),
        };
        results.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        BallotView {
            bloc: bloc.name.clone(),
            question: ballot.question.clone(),
            picks: ballot.picks,
            voted,
            electorate: u32::try_from(candidates.len()).unwrap_or(u32::MAX),
            closes,
            results,
        }
    }
}

/// One proposal in `/proposals`.
#[derive(Debug, Clone)]
pub struct ProposalLine {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Title name.
    pub title: String,
    /// Why; may be empty.
    pub reason: String,
    /// The unit registered this title for the year.
    pub registered: bool,
    /// Year-end rank and score, when ranked.
    pub ranked: Option<(usize, f64)>,
    /// Votes in the year's last closed ballot, if there was one.
    pub votes: Option<u32>,
}

/// A refusal with its usage: `⚠️ why` then the right usage and an example.
pub fn refusal(lang: Lang, r: &Refusal, k: CommandKind) -> String {
    let t = lang.texts();
    format!("⚠️ {}\n{}: {}", t.refusal(r), t.usage_label(), t.usage(k))
}

/// An audit-log action in Vietnamese words (`UnitAdd` → "Thêm đơn vị"), for
/// the exported log.
pub fn audit_action_vi(a: Action) -> &'static str {
    vi::audit_action(a)
}

/// A stored audit-log code as the exported log shows it: in Vietnamese
/// words, or as the code itself when this version does not know it (a row
/// from a newer version), rather than disappearing.
pub fn audit_code_vi(code: &str) -> &str {
    match Action::parse(code) {
        Some(a) => audit_action_vi(a),
        None => code,
    }
}

/// Escapes a user-supplied string for Telegram's HTML parse mode.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Removes HTML tags and the entities `esc` makes: for callback answers
/// (which Telegram shows as plain text) and transcripts.
pub fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Formats a number with at most two decimals and `sep` as decimal separator.
pub fn format_number(v: f64, sep: char) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    s.replace('.', &sep.to_string())
}

/// Formats a score with one decimal.
pub fn format_score(v: f64, sep: char) -> String {
    format!("{:.1}", v).replace('.', &sep.to_string())
}

/// A goal as shown: `≥ 100%`, `≤ 0`, `có`.
pub fn format_goal<T: Texts + ?Sized>(t: &T, kind: TargetKind, goal: Goal) -> String {
    let pct = if kind == TargetKind::Percent { "%" } else { "" };
    match goal {
        Goal::AtLeast(g) => format!("≥ {}{pct}", t.number(g)),
        Goal::AtMost(g) => format!("≤ {}{pct}", t.number(g)),
        Goal::Is(b) => t.yes_no(b).to_owned(),
    }
}

/// A value as shown.
pub fn format_value<T: Texts + ?Sized>(t: &T, kind: TargetKind, v: f64) -> String {
    match kind {
        TargetKind::YesNo => t.yes_no(v != 0.0).to_owned(),
        TargetKind::Percent => format!("{}%", t.number(v)),
        TargetKind::Number => t.number(v),
    }
}

/// Telegram's limit on one message.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// Splits a reply longer than Telegram's limit at line boundaries (a single
/// overlong line is cut at a character boundary).
pub fn split_message(text: &str, max: usize) -> Vec<String> {
    // Most replies: no more bytes than the limit, so no more characters
    // (and no leading empty line for the loop below to drop).
    if text.len() <= max && !text.starts_with('\n') {
        return vec![text.to_owned()];
    }
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for line in text.split('\n') {
        let mut line = line;
        loop {
            let len = line.chars().count();
            let extra = if cur.is_empty() { len } else { len + 1 };
            if cur_len + extra <= max {
                if !cur.is_empty() {
                    cur.push('\n');
                }
                cur.push_str(line);
                cur_len += extra;
                break;
            }
            if !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
                cur_len = 0;
                continue;
            }
            // A line longer than a whole message.
            let cut = line.char_indices().nth(max).map_or(line.len(), |(i, _)| i);
            parts.push(line[..cut].to_owned());
            line = &line[cut..];
            if line.is_empty() {
                break;
            }
        }
    }
    if !cur.is_empty() || parts.is_empty() {
        parts.push(cur);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_strings_are_escaped() {
        assert_eq!(esc("<b>Sở & Ban</b>"), "&lt;b&gt;Sở &amp; Ban&lt;/b&gt;");
    }

    #[test]
    fn plain_text_drops_tags_and_unescapes_once() {
        assert_eq!(
            plain(&format!("<b>{}</b>", esc("<b>Sở & Ban</b>"))),
            "<b>Sở & Ban</b>"
        );
        assert_eq!(plain("a &amp;lt; b"), "a &lt; b");
    }

    #[test]
    fn numbers_use_the_language_separator() {
        assert_eq!(format_number(60.9, ','), "60,9");
        assert_eq!(format_number(100.0, '.'), "100");
        assert_eq!(format_number(-0.001, '.'), "0");
        assert_eq!(format_score(67.87, ','), "67,9");
        assert_eq!(Lang::En.texts().number(60.9), "60.9");
        assert_eq!(Lang::Vi.texts().number(60.9), "60,9");
    }

    #[test]
    fn language_defaults_from_telegram_then_vietnamese() {
        assert_eq!(Lang::pick(None, Some("en-US")), Lang::En);
        assert_eq!(Lang::pick(None, Some("fr")), Lang::Vi);
        assert_eq!(Lang::pick(Some("vi"), Some("en")), Lang::Vi);
        assert_eq!(Lang::pick(None, None), Lang::Vi);
    }

    #[test]
    fn long_replies_split_at_line_boundaries() {
        let line = "x".repeat(100);
        let text = vec![line.as_str(); 100].join("\n");
        let parts = split_message(&text, 4096);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= 4096));
        assert!(parts.iter().all(|p| p.split('\n').all(|l| l == line)));
        assert_eq!(parts.join("\n"), text);
    }

    #[test]
    fn an_overlong_line_is_cut_at_char_boundaries() {
        let text = "ệ".repeat(5000);
        let parts = split_message(&text, 4096);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts.concat(), text);
        assert_eq!(split_message("", 10), vec![String::new()]);
    }

    #[test]
    fn audit_actions_read_as_vietnamese_and_unknown_ones_as_their_code() {
        assert_eq!(audit_code_vi("invite.create"), "Tạo mã mời");
        assert_eq!(audit_code_vi("target.archive"), "Lưu trữ chỉ tiêu");
        assert_eq!(audit_code_vi("target.restore"), "Khôi phục chỉ tiêu");
        assert_eq!(audit_code_vi("award.grant"), "award.grant");
        assert_eq!(audit_code_vi("ballot.close"), "Đóng bỏ phiếu kín");
        assert_eq!(audit_code_vi(""), "");
        assert_eq!(audit_action_vi(Action::InviteCreate), "Tạo mã mời");
    }

    /// Every action the bot writes to the audit log (the [`Action`]s, `report`
    /// included, which the report insert's SQL binds) has Vietnamese words
    /// that read as words, not as its code: the export shows them.
    #[test]
    fn every_audit_action_written_has_vietnamese_words() {
        assert!(Action::ALL.len() >= 15, "found only {:?}", Action::ALL);
        for &a in Action::ALL {
            let code = a.as_str();
            let words = audit_code_vi(code);
            assert!(
                words != code && !words.is_ascii(),
                "audit action {code:?} has no Vietnamese words"
            );
        }
    }

    #[test]
    fn every_refusal_and_usage_exists_in_both_languages() {
        for k in CommandKind::ALL {
            for l in [Lang::Vi, Lang::En] {
                assert!(!l.texts().usage(k).is_empty());
                assert!(!l.texts().describe(k).is_empty());
            }
            assert_ne!(Lang::Vi.texts().describe(k), Lang::En.texts().describe(k));
        }
        let r = refusal(Lang::En, &Refusal::NotBlocAdmin, CommandKind::AddUnit);
        assert!(r.starts_with("⚠️ "));
        assert!(r.contains("/addunit"));
    }
}
