//! What the bot says: each language gives its words (the required methods and
//! a [`Words`] table, so a missing one is a compile error); the layout of every
//! multi-line message (emoji, bold, escaping, loops, line breaks) is written
//! once here, as provided methods. Phrases get their arguments already
//! escaped.

use super::{
    BallotView, BlocLine, FlowTarget, HeadReminder, HistoryView, Missing, Outstanding, Overdue,
    PledgeView, ProposalLine, ScheduleView, StandingsView, StatusView, Summary, TargetLine,
    UnitLine, esc, format_goal, format_number, format_score, format_value,
};
use crate::domain::schedule::Deadline;
use crate::domain::title::{TITLES, Title};
use crate::domain::{CommandKind, Period, Refusal, ReviewState};

/// The dashboard page's words: the page shows what the server sends, so
/// that its text lives here with the bot's.
#[derive(Debug, serde::Serialize)]
pub struct Dashboard {
    /// Page title.
    pub title: &'static str,
    /// The user's blocs, heading.
    pub blocs: &'static str,
    /// The user heads or administers no bloc.
    pub no_blocs: &'static str,
    /// Standings heading.
    pub standings: &'static str,
    /// Column: rank.
    pub rank: &'static str,
    /// Column: unit.
    pub unit: &'static str,
    /// Column: score.
    pub score: &'static str,
    /// Column: bonus and penalty points.
    pub points: &'static str,
    /// Column: review state.
    pub review: &'static str,
    /// Targets heading.
    pub targets: &'static str,
    /// Column: goal.
    pub goal: &'static str,
    /// Column: value.
    pub value: &'static str,
    /// Column: achievement.
    pub achievement: &'static str,
    /// Mark: reported after the deadline.
    pub late: &'static str,
    /// Column: evidence files.
    pub evidence: &'static str,
    /// Mark: exempt from the target.
    pub exempt: &'static str,
    /// Nothing reported yet.
    pub not_reported: &'static str,
    /// Mid-year to year-end change.
    pub change: &'static str,
    /// Back to the previous view.
    pub back: &'static str,
    /// The chart's heading.
    pub chart: &'static str,
    /// A unit with no rank yet.
    pub unranked: &'static str,
    /// Loading.
    pub loading: &'static str,
    /// Review states, by code.
    pub state_open: &'static str,
    /// See `state_open`.
    pub state_submitted: &'static str,
    /// See `state_open`.
    pub state_approved: &'static str,
    /// See `state_open`.
    pub state_returned: &'static str,
    /// The `web_app` button under `/standings`.
    pub button: &'static str,
}

/// The words a language puts into the shared layouts.
pub struct Words {
    /// Decimal separator.
    pub decimal: char,
    /// "unit", before a unit's code.
    pub unit: &'static str,
    /// A unit has no head.
    pub no_head: &'static str,
    /// A unit's pledge is signed.
    pub signed: &'static str,
    /// A unit's pledge is not signed.
    pub unsigned: &'static str,
    /// `/status`: the pledge is not signed.
    pub pledge_unsigned: &'static str,
    /// Before "reported/targets" counts.
    pub reports: &'static str,
    /// `/units` of a bloc with none, after its name.
    pub units_none: &'static str,
    /// `/units` title, before the bloc.
    pub units_of: &'static str,
    /// `/targets` title, before the year.
    pub targets_of: &'static str,
    /// `/targets`: before the sum of weights.
    pub total_weight: &'static str,
    /// Before a target's weight.
    pub weight: &'static str,
    /// `/targets`: how drafts get confirmed.
    pub drafts_note: &'static str,
    /// `/pledge` title, before the year.
    pub pledge_of: &'static str,
    /// A unit's own goal.
    pub own_goal: &'static str,
    /// Before the titles a unit registered.
    pub titles_registered: &'static str,
    /// `/pledge`: before the signing time.
    pub signed_at: &'static str,
    /// `/pledge`: not signed yet, and how to sign.
    pub sign_hint: &'static str,
    /// `/pledges` title, before the year.
    pub pledges_of: &'static str,
    /// `/pledges`: the signed list.
    pub signed_list: &'static str,
    /// `/pledges`: the unsigned list.
    pub unsigned_list: &'static str,
    /// `/pledges`: nobody has signed.
    pub none_signed: &'static str,
    /// `/pledges`: everybody has signed.
    pub none_unsigned: &'static str,
    /// A target without a value.
    pub not_reported: &'static str,
    /// `/status`: before the score.
    pub score: &'static str,
    /// `/status`: before the rank.
    pub rank: &'static str,
    /// Standings title, before the period.
    pub standings_of: &'static str,
    /// Standings without units.
    pub no_units: &'static str,
    /// After a score in the standings.
    pub points: &'static str,
    /// `/bloc` title.
    pub your_blocs: &'static str,
    /// `/bloc`: how to pick one.
    pub pick_bloc: &'static str,
    /// `/schedule` title, before the year.
    pub schedule_of: &'static str,
    /// `/schedule`: before the send time.
    pub send_time: &'static str,
    /// `/schedule`: before the next send.
    pub next_send: &'static str,
    /// `/schedule`: nothing left to send this year.
    pub no_more_sends: &'static str,
    /// Reminder: the pledge is unsigned.
    pub pledge_missing: &'static str,
    /// Reminder: how to report.
    pub report_hint: &'static str,
    /// Summary: before "done/total".
    pub done: &'static str,
    /// Summary: the units not done.
    pub outstanding: &'static str,
    /// Summary: the standings so far.
    pub standings_so_far: &'static str,
    /// Overdue list title, before the deadline.
    pub overdue: &'static str,
    /// `/titles` title.
    pub titles: &'static str,
    /// `/titles`: how to register.
    pub register_hint: &'static str,
    /// `/history` title, before the bloc.
    pub history_of: &'static str,
    /// `/history`: before the page.
    pub page: &'static str,
    /// `/history`: no entries.
    pub no_changes: &'static str,
    /// `/history`: a value removed.
    pub removed: &'static str,
    /// Guided report title, before the period.
    pub report_of: &'static str,
    /// Guided report: how to stop.
    pub cancel_hint: &'static str,
}

/// The icon of a review state, before its words.
pub fn review_icon(s: &ReviewState) -> &'static str {
    match s {
        ReviewState::Open => "📝",
        ReviewState::Submitted => "📨",
        ReviewState::Approved => "✅",
        ReviewState::Returned(_) => "↩️",
    }
}

/// Points with their sign: "+2,5", "−3".
pub fn signed_points<T: Texts + ?Sized>(t: &T, p: f64) -> String {
    let sign = if p < 0.0 { '−' } else { '+' };
    format!("{sign}{}", t.score(p.abs()))
}

/// `/review` for a period.
#[derive(Debug, Clone)]
pub struct ReviewListView {
    /// Bloc name.
    pub bloc: String,
    /// Year.
    pub year: i32,
    /// Period.
    pub period: Period,
    /// (code, name, state) per unit.
    pub rows: Vec<(String, String, ReviewState)>,
}

/// One target of `/review <UNIT>`.
#[derive(Debug, Clone)]
pub struct ReviewLine {
    /// The target, with the unit's goal.
    pub target: TargetLine,
    /// Exempt for the unit.
    pub exempt: bool,
    /// The latest value.
    pub value: Option<f64>,
    /// Its note.
    pub note: String,
    /// Recorded after the period's deadline day.
    pub late: bool,
    /// Evidence files attached to it.
    pub evidence: usize,
}

/// `/review <UNIT>`.
#[derive(Debug, Clone)]
pub struct ReviewSheetView {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Year.
    pub year: i32,
    /// Period.
    pub period: Period,
    /// Where the review stands.
    pub state: ReviewState,
    /// Its targets.
    pub lines: Vec<ReviewLine>,
    /// Score from the targets that apply.
    pub base: f64,
    /// Points.
    pub points: f64,
}

/// A correction request, as shown.
#[derive(Debug, Clone)]
pub struct CorrectionView {
    /// Its number within the bloc.
    pub no: i64,
    /// Unit code.
    pub unit: String,
    /// Target code.
    pub target: String,
    /// Period.
    pub period: Period,
    /// The value before, as typed.
    pub old: Option<String>,
    /// The value asked for, as typed.
    pub new: String,
    /// Why.
    pub reason: String,
}

/// What the bot says, in one language.
pub trait Texts: Sync {
    /// The words the layouts below put together.
    fn words(&self) -> &'static Words;
    /// Why a command was refused (one sentence, no usage).
    fn refusal(&self, r: &Refusal) -> String;
    /// Usage of a command with an example (HTML).
    fn usage(&self, k: CommandKind) -> &'static str;
    /// What a command does, for `/help`.
    fn describe(&self, k: CommandKind) -> &'static str;
    /// "Usage" label.
    fn usage_label(&self) -> &'static str;
    /// The bot failed inside; nothing was changed.
    fn internal_error(&self) -> String;
    /// An unknown command in a private chat.
    fn unknown_command(&self) -> String;
    /// `/start` without an invite.
    fn welcome(&self, name: &str) -> String;
    /// Header of `/help`.
    fn help_header(&self) -> &'static str;
    /// `/newbloc` done.
    fn bloc_created(&self, bloc: &str) -> String;
    /// `/addadmin` done.
    fn admin_added(&self, name: &str) -> String;
    /// `/addunit` done.
    fn unit_added(&self, code: &str, name: &str) -> String;
    /// `/invite` done.
    fn invite(&self, code: &str, unit: &str, link: &str, token: &str, expires: &str) -> String;
    /// `/invite` asked in a group: the link went to the admin privately.
    fn invite_sent(&self, code: &str, unit: &str) -> String;
    /// `/join` done, to the new head.
    fn joined(&self, code: &str, unit: &str, bloc: &str) -> String;
    /// `/join` done, to the bloc group.
    fn joined_group(&self, who: &str, code: &str, unit: &str) -> String;
    /// `/target add` done.
    fn target_added(&self, t: &TargetLine, year: i32) -> String;
    /// `/target set` done.
    fn target_goal_set(&self, unit: &str, t: &TargetLine) -> String;
    /// `/target remove` done: deleted (nothing was reported for it).
    fn target_removed(&self, code: &str) -> String;
    /// `/target remove` done: archived with its `reports` report rows kept.
    fn target_archived(&self, code: &str, reports: i64) -> String;
    /// `/target restore` done.
    fn target_restored(&self, code: &str) -> String;
    /// Label of the sign button.
    fn sign_button(&self) -> &'static str;
    /// `/pledge sign` done, to the head.
    fn signed(&self, code: &str, year: i32, k: usize, n: usize) -> String;
    /// Pledge signed, to the bloc group.
    fn signed_group(&self, code: &str, unit: &str, year: i32, k: usize, n: usize) -> String;
    /// Callback answer after signing.
    fn signed_toast(&self) -> &'static str;
    /// `/report` done.
    fn reported(&self, t: &TargetLine, period: Period, value: f64, score: f64) -> String;
    /// `/bloc <x>` done.
    fn bloc_picked(&self, bloc: &str) -> String;
    /// `/lang` done.
    fn lang_set(&self) -> &'static str;
    /// Name of a period.
    fn period(&self, p: Period) -> &'static str;
    /// The dashboard's words (sent to the page with its data).
    fn dashboard(&self) -> &'static Dashboard;
    /// Yes / no.
    fn yes_no(&self, b: bool) -> &'static str;
    /// Name of a deadline.
    fn deadline(&self, d: Deadline) -> &'static str;
    /// Prefix of a reply to a schedule change.
    fn schedule_updated(&self) -> &'static str;
    /// `/target confirm` done.
    fn targets_confirmed(&self, n: u64, year: i32) -> String;
    /// Marker of a draft target.
    fn draft(&self) -> &'static str;
    /// A bloc's group, named in a notice to its admins.
    fn bloc_group(&self, bloc: &str) -> String;
    /// A chat refused our messages (403), told once to the admins.
    fn unreachable(&self, who: &str) -> String;
    /// To the admins, once: Telegram keeps refusing the bot's messages to a
    /// chat it is still in (no right to post, a closed topic).
    fn send_refused(&self, who: &str, reason: &str) -> String;
    /// History button: older entries.
    fn older(&self) -> &'static str;
    /// History button: newer entries.
    fn newer(&self) -> &'static str;
    /// Guided report: type the value.
    fn flow_ask_value(&self, t: &TargetLine) -> String;

    // ------------------------------------------------------------ review
    /// A review state in a few words (`returned` with its reason).
    fn review_state(&self, s: &ReviewState) -> String;
    /// `/submit` done, to the head.
    fn submitted(&self, code: &str, period: Period) -> String;
    /// A unit submitted, to each bloc admin.
    fn submitted_notice(&self, code: &str, unit: &str, period: Period) -> String;
    /// `/approve` done, to the admin.
    fn approved(&self, code: &str, period: Period) -> String;
    /// The head is told the results were approved.
    fn approved_head(&self, period: Period) -> String;
    /// `/return` done, to the admin.
    fn returned(&self, code: &str, period: Period, reason: &str) -> String;
    /// The head is told the results came back, and why.
    fn returned_head(&self, period: Period, reason: &str) -> String;
    /// `/cancel` of a Return waiting for its reason.
    fn return_cancelled(&self) -> &'static str;
    /// Title of `/review` (who waits), before the period and year.
    fn review_title(&self) -> &'static str;
    /// Label of the Approve button.
    fn approve_button(&self) -> &'static str;
    /// Label of the Return button.
    fn return_button(&self) -> &'static str;
    /// The Return button: the reason is asked as the next message.
    fn ask_return_reason(&self, code: &str, period: Period) -> String;
    /// `/exempt` done (`periods`: one, or both).
    fn exempted(&self, unit: &str, target: &str, periods: &[Period], reason: &str) -> String;
    /// `/exempt remove` done.
    fn unexempted(&self, unit: &str, target: &str, periods: &[Period]) -> String;
    /// Marker of a target exempt for the unit.
    fn exempt_mark(&self) -> &'static str;
    /// Marker of a value recorded after the period's deadline day.
    fn late_mark(&self) -> &'static str;
    /// In a head's reminder: the results came back with `reason`.
    fn resubmit_reminder(&self, reason: &str) -> String;
    /// To each admin on reminder days after a deadline: `k` units wait.
    fn waiting_review(&self, k: usize, period: Period) -> String;
    /// `/points` adding an entry done; `total` is the period's sum.
    fn points_added(&self, unit: &str, points: f64, period: Period, total: f64) -> String;
    /// Title of `/points <UNIT>`.
    fn points_title(&self, unit: &str, period: Period) -> String;
    /// `/points <UNIT>` with no entries.
    fn no_points(&self) -> &'static str;
    /// "Total" of `/points`.
    fn points_total(&self) -> &'static str;

    // ------------------------------------------- corrections and evidence
    /// `/correct` done, to the head: request `no` waits for an admin.
    fn correction_asked(&self, c: &CorrectionView) -> String;
    /// A correction request, to each bloc admin, above Accept and Reject.
    fn correction_notice(&self, c: &CorrectionView) -> String;
    /// Title of `/corrections`.
    fn corrections_title(&self) -> &'static str;
    /// `/corrections` with none pending.
    fn no_corrections(&self) -> &'static str;
    /// Label of the Accept button.
    fn accept_button(&self) -> &'static str;
    /// Label of the Reject button.
    fn reject_button(&self) -> &'static str;
    /// Accepted, to the admin.
    fn correction_accepted(&self, c: &CorrectionView) -> String;
    /// Accepted, to the head.
    fn correction_accepted_head(&self, c: &CorrectionView) -> String;
    /// Rejected, to the admin.
    fn correction_rejected(&self, c: &CorrectionView, reason: &str) -> String;
    /// Rejected, to the head, with why.
    fn correction_rejected_head(&self, c: &CorrectionView, reason: &str) -> String;
    /// The Reject button: the reason is asked as the next message.
    fn ask_reject_reason(&self, no: i64) -> String;
    /// `/cancel` of a Reject waiting for its reason.
    fn reject_cancelled(&self) -> &'static str;
    /// Evidence attached: the value has `n` files of at most `max`.
    fn evidence_added(&self, target: &str, period: Period, n: usize, max: usize) -> String;
    /// `/evidence <UNIT> <TARGET>` of a value without files.
    fn no_evidence(&self, unit: &str, target: &str, period: Period) -> String;
    /// `/evidence <UNIT> <TARGET>` done: `sent` files sent again; `gone`
    /// lists (from 1) those Telegram would not send.
    fn evidence_sent(
        &self,
        unit: &str,
        target: &str,
        period: Period,
        sent: usize,
        gone: &[usize],
    ) -> String;

    // ------------------------------------------------------------ verdict
    /// Heading of a ballot's card and status.
    fn ballot_title(&self) -> &'static str;
    /// Heading of the group's notice that a ballot opened.
    fn ballot_opened_title(&self) -> &'static str;
    /// Heading of a ballot's result.
    fn ballot_result_title(&self) -> &'static str;
    /// The rules of an opened ballot, for the group.
    fn ballot_rules(&self, picks: u32, electorate: u32) -> String;
    /// On the card: how to vote, and that the vote is secret and final.
    fn ballot_pick_hint(&self, picks: u32) -> String;
    /// When it closes (`when` escaped).
    fn ballot_closes(&self, when: &str) -> String;
    /// When it closed (`when` escaped).
    fn ballot_closed_at(&self, when: &str) -> String;
    /// Turnout.
    fn ballot_turnout(&self, voted: u32, electorate: u32) -> String;
    /// On the card: before the units picked so far.
    fn ballot_picked(&self) -> &'static str;
    /// Label of the cast button.
    fn cast_button(&self, picked: u32, most: u32) -> String;
    /// `n` votes.
    fn votes(&self, n: u32) -> String;
    /// `/ballot` past its time, before the scheduler closed it.
    fn ballot_ended(&self) -> &'static str;
    /// `/ballot` in a bloc that never voted this year.
    fn no_ballot(&self) -> &'static str;
    /// To the voter: the vote is in.
    fn vote_cast(&self) -> &'static str;
    /// The card once its unit voted (its buttons are gone).
    fn vote_done(&self) -> &'static str;
    /// `/ballot close` outside the group: the result went there.
    fn ballot_closed_here(&self) -> &'static str;
    /// `/propose` done; `registered`: the unit registered that title.
    fn proposed(&self, unit: &str, title: &str, registered: bool) -> String;
    /// `/propose remove` done.
    fn proposal_withdrawn(&self, unit: &str, title: &str) -> String;
    /// Title of `/proposals`.
    fn proposals_title(&self, year: i32) -> String;
    /// `/proposals` of a year without any.
    fn no_proposals(&self) -> &'static str;
    /// Whether a proposed unit registered the title.
    fn registered_mark(&self, registered: bool) -> &'static str;
    /// A proposed unit's year-end rank (`None`: not ranked).
    fn final_rank(&self, rank: Option<usize>) -> String;
    /// Before a proposal's reason.
    fn reason_label(&self) -> &'static str;
    /// Caption of the minutes' document.
    fn minutes_caption(&self, bloc: &str, year: i32) -> String;

    /// The group's notice of an opened ballot.
    fn ballot_opened(&self, v: &BallotView) -> String {
        format!(
            "🗳 <b>{}</b> — {}\n<b>{}</b>\n{}\n{}",
            self.ballot_opened_title(),
            esc(&v.bloc),
            esc(&v.question),
            self.ballot_rules(v.picks, v.electorate),
            self.ballot_closes(&esc(&v.closes))
        )
    }

    /// A head's ballot card, above one button per unit.
    fn ballot_card(&self, v: &BallotView, picked: &[String]) -> String {
        let picked = if picked.is_empty() {
            "—".to_owned()
        } else {
            picked.iter().map(|c| esc(c)).collect::<Vec<_>>().join(", ")
        };
        format!(
            "🗳 <b>{}</b> — {}\n<b>{}</b>\n{}\n{}\n{}: <b>{}</b>",
            self.ballot_title(),
            esc(&v.bloc),
            esc(&v.question),
            self.ballot_pick_hint(v.picks),
            self.ballot_closes(&esc(&v.closes)),
            self.ballot_picked(),
            picked
        )
    }

    /// The card once its unit voted.
    fn ballot_card_done(&self, v: &BallotView) -> String {
        format!(
            "🗳 <b>{}</b> — {}\n<b>{}</b>\n{}",
            self.ballot_title(),
            esc(&v.bloc),
            esc(&v.question),
            self.vote_done()
        )
    }

    /// `/ballot` while it is open: turnout, never counts.
    fn ballot_status(&self, v: &BallotView) -> String {
        format!(
            "🗳 <b>{}</b> — {}\n<b>{}</b>\n{}\n{}",
            self.ballot_title(),
            esc(&v.bloc),
            esc(&v.question),
            self.ballot_turnout(v.voted, v.electorate),
            self.ballot_closes(&esc(&v.closes))
        )
    }

    /// A closed ballot's result: votes per unit, ranked, and turnout.
    fn ballot_result(&self, v: &BallotView) -> String {
        let mut s = format!(
            "🗳 <b>{}</b> — {}\n<b>{}</b>\n{}\n{}",
            self.ballot_result_title(),
            esc(&v.bloc),
            esc(&v.question),
            self.ballot_closed_at(&esc(&v.closes)),
            self.ballot_turnout(v.voted, v.electorate)
        );
        for (code, name, votes) in &v.results {
            let rank = 1 + v.results.iter().filter(|r| r.2 > *votes).count();
            s.push_str(&format!(
                "\n{rank}. <b>{}</b> {} — <b>{}</b>",
                esc(code),
                esc(name),
                self.votes(*votes)
            ));
        }
        s
    }

    /// `/proposals`: each proposal with its unit's rank, score, registration and votes.
    fn proposals(&self, bloc: &str, year: i32, rows: &[ProposalLine]) -> String {
        let mut s = format!("🏅 <b>{}</b> — {}", self.proposals_title(year), esc(bloc));
        if rows.is_empty() {
            s.push_str(&format!("\n{}", self.no_proposals()));
        }
        for p in rows {
            let mut facts = vec![self.final_rank(p.ranked.map(|r| r.0))];
            if let Some((_, score)) = p.ranked {
                facts.push(format!("{} {}", self.score(score), self.words().points));
            }
            if let Some(n) = p.votes {
                facts.push(self.votes(n));
            }
            facts.push(self.registered_mark(p.registered).to_owned());
            s.push_str(&format!(
                "\n• <b>{}</b> {} — <b>{}</b>\n   {}",
                esc(&p.code),
                esc(&p.name),
                esc(&p.title),
                facts.join(" · ")
            ));
            if !p.reason.is_empty() {
                s.push_str(&format!("\n   {}: {}", self.reason_label(), esc(&p.reason)));
            }
        }
        s
    }

    /// One request: `#N UNIT TARGET (period): old → new — reason`.
    fn correction_line(&self, c: &CorrectionView) -> String {
        format!(
            "#{} <b>{}</b> {} ({}): {} → <b>{}</b> — {}",
            c.no,
            esc(&c.unit),
            esc(&c.target),
            self.period(c.period),
            esc(c.old.as_deref().unwrap_or(self.words().not_reported)),
            esc(&c.new),
            esc(&c.reason)
        )
    }

    /// `/corrections`: the pending requests, numbered.
    fn corrections_list(&self, rows: &[CorrectionView]) -> String {
        let mut s = format!("✏️ <b>{}</b>", self.corrections_title());
        if rows.is_empty() {
            s.push_str(&format!("\n{}", self.no_corrections()));
        }
        for c in rows {
            s.push_str(&format!("\n• {}", self.correction_line(c)));
        }
        if !rows.is_empty() {
            s.push_str("\n\n/accept N · /reject N …");
        }
        s
    }

    /// `/review` for a period: every unit and where its review stands.
    fn review_list(&self, v: &ReviewListView) -> String {
        let mut s = format!(
            "🗂 <b>{} {} {} — {}</b>",
            self.review_title(),
            self.period(v.period),
            v.year,
            esc(&v.bloc)
        );
        if v.rows.is_empty() {
            s.push_str(&format!("\n{}", self.words().no_units));
        }
        for (code, name, state) in &v.rows {
            s.push_str(&format!(
                "\n{} <b>{}</b> {} — {}",
                review_icon(state),
                esc(code),
                esc(name),
                self.review_state(state)
            ));
        }
        s
    }

    /// `/points <UNIT>`: (amount, reason, date) per entry.
    fn points_list(&self, unit: &str, period: Period, entries: &[(f64, String, String)]) -> String {
        let mut s = self.points_title(unit, period);
        if entries.is_empty() {
            s.push_str(&format!("\n{}", self.no_points()));
            return s;
        }
        let mut total = 0.0;
        for (points, reason, date) in entries {
            total += points;
            s.push_str(&format!(
                "\n• {} — {} <i>({})</i>",
                signed_points(self, *points),
                esc(reason),
                esc(date)
            ));
        }
        s.push_str(&format!(
            "\n{}: <b>{}</b>",
            self.points_total(),
            signed_points(self, total)
        ));
        s
    }

    /// `/review <UNIT>`: the unit's values against its goals.
    fn review_sheet(&self, v: &ReviewSheetView) -> String {
        let w = self.words();
        let mut s = format!(
            "🔎 <b>{} {}</b> — {} {}\n{} {}",
            esc(&v.code),
            esc(&v.name),
            self.period(v.period),
            v.year,
            review_icon(&v.state),
            self.review_state(&v.state)
        );
        for l in &v.lines {
            if l.exempt {
                s.push_str(&format!(
                    "\n➖ <b>{}</b>: {}",
                    esc(&l.target.code),
                    self.exempt_mark()
                ));
                continue;
            }
            let value = l.value.map_or(w.not_reported.to_owned(), |x| {
                format_value(self, l.target.kind, x)
            });
            s.push_str(&format!(
                "\n{} <b>{}</b>: {} / {}",
                if l.value.is_some() { "✅" } else { "⏳" },
                esc(&l.target.code),
                value,
                format_goal(self, l.target.kind, l.target.goal),
            ));
            if l.late {
                s.push_str(&format!(" ⏰ {}", self.late_mark()));
            }
            if !l.note.is_empty() {
                s.push_str(&format!(" <i>({})</i>", esc(&l.note)));
            }
            if l.evidence > 0 {
                s.push_str(&format!(" 📎{}", l.evidence));
            }
        }
        s.push_str(&format!(
            "\n\n{}: <b>{}</b>",
            w.score,
            self.score(v.base + v.points)
        ));
        if v.points != 0.0 {
            s.push_str(&format!(
                " ({} {})",
                self.score(v.base),
                signed_points(self, v.points)
            ));
        }
        s
    }
    /// Guided report: confirm, with the effect on the score.
    fn flow_confirm(&self, t: &TargetLine, value: f64, before: f64, after: f64) -> String;
    /// Label of the confirm button.
    fn confirm_button(&self) -> &'static str;
    /// Label of the cancel button.
    fn cancel_button(&self) -> &'static str;
    /// `/cancel` done.
    fn cancelled(&self) -> &'static str;
    /// Caption of `/export`.
    fn export_caption(&self, bloc: &str, year: i32) -> String;

    // Templates the layouts fill in.

    /// `/targets` of a bloc with none.
    fn no_targets(&self, bloc: &str, year: i32) -> String;
    /// `/pledges`: `k` of `n` units signed.
    fn signed_count(&self, k: usize, n: usize) -> String;
    /// "Deadline for `d`", as a title.
    fn deadline_of(&self, d: Deadline) -> String;
    /// Reminder title for `d`.
    fn reminder_of(&self, d: Deadline) -> String;
    /// `/schedule`: the reminder days.
    fn remind_days(&self, days: &str) -> String;
    /// Days left before a deadline (0 on the day).
    fn days_left(&self, n: u32) -> String;
    /// Reminder: `n` targets not reported.
    fn targets_missing(&self, n: usize) -> String;
    /// `/register` done, before the titles.
    fn registered_heading(&self, code: &str, year: i32) -> String;
    /// Guided report: pick a target, `missing` not reported.
    fn pick_target(&self, missing: usize) -> String;
    /// Who awards a title.
    fn awarded_by(&self, t: &Title) -> &'static str;

    // The layouts, written once.

    /// A number as this language writes it.
    fn number(&self, v: f64) -> String {
        format_number(v, self.words().decimal)
    }

    /// A score with one decimal.
    fn score(&self, v: f64) -> String {
        format_score(v, self.words().decimal)
    }

    /// `/units`.
    fn units(&self, bloc: &str, units: &[UnitLine]) -> String {
        let w = self.words();
        if units.is_empty() {
            return format!("🏢 <b>{}</b> {}", esc(bloc), w.units_none);
        }
        let mut s = format!("🏢 <b>{} {}</b> ({})", w.units_of, esc(bloc), units.len());
        for u in units {
            let head = u
                .head
                .as_deref()
                .map_or(w.no_head.to_owned(), |h| format!("👤 {}", esc(h)));
            let signed = if u.signed {
                format!("✍️ {}", w.signed)
            } else {
                format!("⏳ {}", w.unsigned)
            };
            s.push_str(&format!(
                "\n<b>{}</b> {} — {head} · {signed} · {} {}/{}",
                esc(&u.code),
                esc(&u.name),
                w.reports,
                u.reported,
                u.targets
            ));
        }
        s
    }

    /// `/targets`.
    fn targets(&self, bloc: &str, year: i32, targets: &[TargetLine]) -> String {
        let w = self.words();
        if targets.is_empty() {
            return format!("🎯 {}", self.no_targets(&esc(bloc), year));
        }
        let total: u32 = targets.iter().map(|t| t.weight).sum();
        let mut s = format!(
            "🎯 <b>{} {year} — {}</b> ({} {total})",
            w.targets_of,
            esc(bloc),
            w.total_weight
        );
        for t in targets {
            s.push_str(&format!(
                "\n<b>{}</b> {} — {} · {} {}{}",
                esc(&t.code),
                esc(&t.name),
                format_goal(self, t.kind, t.goal),
                w.weight,
                t.weight,
                if t.draft { self.draft() } else { "" }
            ));
        }
        if targets.iter().any(|t| t.draft) {
            s.push_str(&format!("\n{}", w.drafts_note));
        }
        s
    }

    /// `/pledge`.
    fn pledge(&self, p: &PledgeView) -> String {
        let w = self.words();
        let mut s = format!(
            "📜 <b>{} {}</b>\n{} — <b>{}</b> {}",
            w.pledge_of,
            p.year,
            esc(&p.bloc),
            esc(&p.code),
            esc(&p.unit)
        );
        for (i, t) in p.targets.iter().enumerate() {
            let own = if t.own_goal {
                format!(" ({})", w.own_goal)
            } else {
                String::new()
            };
            s.push_str(&format!(
                "\n{}. <b>{}</b> {}: {}{own} · {} {}",
                i + 1,
                esc(&t.code),
                esc(&t.name),
                format_goal(self, t.kind, t.goal),
                w.weight,
                t.weight
            ));
        }
        if !p.titles.is_empty() {
            s.push_str(&format!("\n🏅 {}:", w.titles_registered));
            bullets(&mut s, &p.titles);
        }
        match &p.signed_at {
            Some(at) => s.push_str(&format!("\n\n✍️ {} {}.", w.signed_at, esc(at))),
            None => s.push_str(&format!("\n\n⏳ {}", w.sign_hint)),
        }
        s
    }

    /// `/pledges`.
    fn pledges(&self, bloc: &str, year: i32, units: &[UnitLine]) -> String {
        let w = self.words();
        let (signed, unsigned): (Vec<_>, Vec<_>) = units.iter().partition(|u| u.signed);
        let mut s = format!(
            "📜 <b>{} {year} — {}</b>: {}",
            w.pledges_of,
            esc(bloc),
            self.signed_count(signed.len(), units.len())
        );
        let lists = [
            ("✍️", w.signed_list, w.none_signed, signed),
            ("⏳", w.unsigned_list, w.none_unsigned, unsigned),
        ];
        for (mark, heading, none, list) in lists {
            s.push_str(&format!("\n{mark} {heading}:"));
            if list.is_empty() {
                s.push_str(&format!(" {none}"));
            }
            for u in list {
                s.push_str(&format!("\n  <b>{}</b> {}", esc(&u.code), esc(&u.name)));
            }
        }
        s
    }

    /// `/status`.
    fn status(&self, v: &StatusView) -> String {
        let w = self.words();
        let signed = if v.signed {
            format!("✍️ {}", w.signed)
        } else {
            format!("⏳ {}", w.pledge_unsigned)
        };
        let mut s = format!(
            "📊 <b>{}</b> {} — {} {} · {signed}",
            esc(&v.code),
            esc(&v.unit),
            self.period(v.period),
            v.year
        );
        for l in &v.lines {
            let value = l.value.map_or(w.not_reported.to_owned(), |x| {
                format_value(self, l.target.kind, x)
            });
            s.push_str(&format!(
                "\n{} <b>{}</b>: {} / {} → {}%",
                if l.value.is_some() { "✅" } else { "⏳" },
                esc(&l.target.code),
                value,
                format_goal(self, l.target.kind, l.target.goal),
                self.number(l.achievement * 100.0)
            ));
            if l.late {
                s.push_str(&format!(" ⏰ {}", self.late_mark()));
            }
        }
        if !v.titles.is_empty() {
            let names: Vec<String> = v.titles.iter().map(|(c, _)| esc(c)).collect();
            s.push_str(&format!(
                "\n🏅 {}: {}",
                w.titles_registered,
                names.join(", ")
            ));
        }
        s.push_str(&format!(
            "\n\n{}: <b>{}</b>/100 · {} {}/{}",
            w.score,
            self.score(v.score),
            w.rank,
            v.rank.0,
            v.rank.1
        ));
        s
    }

    /// `/standings`.
    fn standings(&self, v: &StandingsView) -> String {
        let w = self.words();
        let mut s = format!(
            "🏆 <b>{} {} {} — {}</b>",
            w.standings_of,
            self.period(v.period),
            v.year,
            esc(&v.bloc)
        );
        if v.rows.is_empty() {
            s.push_str(&format!("\n{}", w.no_units));
        }
        for r in &v.rows {
            s.push_str(&format!(
                "\n{}. <b>{}</b> {} — <b>{}</b> {}",
                r.rank,
                esc(&r.code),
                esc(&r.name),
                self.score(r.score),
                w.points,
            ));
            if r.points != 0.0 {
                // The base and the points apart: "78,5 điểm (76,0 +2,5)".
                s.push_str(&format!(
                    " ({} {})",
                    self.score(r.base),
                    signed_points(self, r.points)
                ));
            }
            s.push_str(&format!(
                " · {} · {} {}/{}",
                if r.signed { "✍️" } else { "⏳" },
                w.reports,
                r.reported,
                r.targets
            ));
            if r.review != ReviewState::Open {
                s.push_str(&format!(
                    " · {} {}",
                    review_icon(&r.review),
                    self.review_state(&r.review)
                ));
            }
        }
        s
    }

    /// `/bloc` list.
    fn blocs(&self, blocs: &[BlocLine]) -> String {
        let w = self.words();
        let mut s = format!("🏢 <b>{}</b>", w.your_blocs);
        for b in blocs {
            s.push_str(&format!(
                "\n{} {} — {}",
                if b.current { "👉" } else { "•" },
                b.id,
                esc(&b.name)
            ));
        }
        s.push_str(&format!("\n{}", w.pick_bloc));
        s
    }

    /// `/schedule`.
    fn schedule(&self, v: &ScheduleView) -> String {
        let w = self.words();
        let mut s = format!("🗓 <b>{} {} — {}</b>", w.schedule_of, v.year, esc(&v.bloc));
        for (d, date, passed) in &v.deadlines {
            let mark = if *passed { "✔️" } else { "⏰" };
            s.push_str(&format!("\n{mark} {}: {}", self.deadline_of(*d), esc(date)));
        }
        s.push_str(&format!(
            "\n{}\n{}: {} ({}).",
            self.remind_days(&esc(&v.remind)),
            w.send_time,
            esc(&v.send_time),
            esc(&v.tz)
        ));
        match &v.next {
            Some((d, at)) => s.push_str(&format!(
                "\n👉 {}: {} — {}.",
                w.next_send,
                esc(at),
                self.deadline(*d)
            )),
            None => s.push_str(&format!("\n{}", w.no_more_sends)),
        }
        s
    }

    /// A reminder to a unit head.
    fn head_reminder(&self, r: &HeadReminder) -> String {
        let w = self.words();
        let mut s = format!(
            "⏰ <b>{}</b> ({}, {}) — {} <b>{}</b>, {}.",
            self.reminder_of(r.deadline),
            esc(&r.date),
            self.days_left(r.days_left),
            w.unit,
            esc(&r.code),
            esc(&r.bloc)
        );
        match &r.missing {
            Missing::Pledge => s.push_str(&format!("\n{}", w.pledge_missing)),
            Missing::Targets(ts) => {
                s.push_str(&format!("\n{}", self.targets_missing(ts.len())));
                bullets(&mut s, ts);
                s.push_str(&format!("\n{}", w.report_hint));
            }
            Missing::Returned(reason) => {
                s.push_str(&format!("\n{}", self.resubmit_reminder(reason)));
            }
        }
        s
    }

    /// The group summary.
    fn summary(&self, v: &Summary) -> String {
        let w = self.words();
        let mut s = format!(
            "📣 <b>{}</b>: {} ({}) — {} {}/{}.",
            self.deadline_of(v.deadline),
            esc(&v.date),
            self.days_left(v.days_left),
            w.done,
            v.done,
            v.total
        );
        if !v.outstanding.is_empty() {
            s.push_str(&format!("\n{}:", w.outstanding));
            outstanding_lines(w, &mut s, &v.outstanding);
        }
        if !v.standings.is_empty() {
            s.push_str(&format!("\n🏆 {}:", w.standings_so_far));
            for r in &v.standings {
                s.push_str(&format!(
                    "\n  {}. <b>{}</b> {}",
                    r.rank,
                    esc(&r.code),
                    self.score(r.score)
                ));
            }
        }
        s
    }

    /// The admins' overdue list.
    fn overdue(&self, o: &Overdue) -> String {
        let w = self.words();
        let mut s = format!(
            "🚩 <b>{} {}</b> ({}) — {}:",
            w.overdue,
            self.deadline(o.deadline),
            esc(&o.date),
            esc(&o.bloc)
        );
        outstanding_lines(w, &mut s, &o.outstanding);
        s
    }

    /// `/titles`.
    fn titles(&self) -> String {
        let w = self.words();
        let mut s = format!("🏅 <b>{}</b> ({})", w.titles, w.register_hint);
        for t in &TITLES {
            let by = self.awarded_by(t);
            s.push_str(&format!("\n<b>{}</b> {} — {by}", t.code, t.name));
        }
        s
    }

    /// `/register` done: the titles now registered.
    fn registered(&self, code: &str, year: i32, titles: &[(String, String)]) -> String {
        let mut s = format!("✅ {}", self.registered_heading(&esc(code), year));
        bullets(&mut s, titles);
        s
    }

    /// `/history`.
    fn history(&self, h: &HistoryView) -> String {
        let w = self.words();
        let scope = h
            .unit
            .as_deref()
            .map_or(String::new(), |u| format!(" — {} {}", w.unit, esc(u)));
        let mut s = format!(
            "📒 <b>{} {}</b>{scope} ({} {}/{})",
            w.history_of,
            esc(&h.bloc),
            w.page,
            h.page.0,
            h.page.1.max(1)
        );
        if h.lines.is_empty() {
            s.push_str(&format!("\n{}", w.no_changes));
        }
        for l in &h.lines {
            let who = l.who.as_deref().map_or(format!("id {}", l.user_id), |n| {
                format!("{} ({})", esc(n), l.user_id)
            });
            let change = match (&l.old, &l.new) {
                (Some(o), Some(n)) => format!(": {} → {}", esc(o), esc(n)),
                (None, Some(n)) => format!(": {}", esc(n)),
                (Some(o), None) => format!(": {} {}", w.removed, esc(o)),
                (None, None) => String::new(),
            };
            s.push_str(&format!(
                "\n{} · {who} · {} {}{change}",
                esc(&l.at),
                esc(&l.action),
                esc(&l.subject)
            ));
        }
        s
    }

    /// Guided report: pick a target.
    fn flow_pick(&self, period: Period, targets: &[FlowTarget]) -> String {
        let w = self.words();
        let missing = targets.iter().filter(|t| t.value.is_none()).count();
        let mut s = format!(
            "📝 <b>{} {}</b>: {}",
            w.report_of,
            self.period(period),
            self.pick_target(missing)
        );
        for t in targets {
            let v = t.value.map_or(format!("⏳ {}", w.not_reported), |x| {
                format!("✅ {}", format_value(self, t.target.kind, x))
            });
            s.push_str(&format!(
                "\n<b>{}</b> {} — {v}",
                esc(&t.target.code),
                esc(&t.target.name)
            ));
        }
        s.push_str(&format!("\n{}", w.cancel_hint));
        s
    }

    /// Caption of `/chart`.
    fn chart_caption(&self, bloc: &str, period: Period, year: i32) -> String {
        let of = self.words().standings_of;
        format!("📊 {of} {} {year} — {}", self.period(period), esc(bloc))
    }

    /// Subtitle drawn on the chart.
    fn chart_subtitle(&self, period: Period, year: i32, date: &str) -> String {
        let of = self.words().standings_of;
        format!("{of} {} {year} — {date}", self.period(period))
    }
}

/// Lines of `• <b>code</b> name`.
fn bullets(s: &mut String, items: &[(String, String)]) {
    for (code, name) in items {
        s.push_str(&format!("\n  • <b>{}</b> {}", esc(code), esc(name)));
    }
}

/// The units still owing something, with those lacking a head marked.
fn outstanding_lines(w: &Words, s: &mut String, units: &[Outstanding]) {
    for u in units {
        let no_head = if u.no_head {
            format!(" ({})", w.no_head)
        } else {
            String::new()
        };
        s.push_str(&format!(
            "\n  • <b>{}</b> {}{no_head}",
            esc(&u.code),
            esc(&u.name)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::Lang;
    use super::*;
    use crate::domain::{Goal, TargetKind};

    /// The layouts escape what users typed, once for both languages.
    #[test]
    fn layouts_escape_user_text_in_both_languages() {
        let x = "<i>&";
        let unit = UnitLine {
            code: x.into(),
            name: x.into(),
            head: Some(x.into()),
            signed: false,
            reported: 0,
            targets: 1,
        };
        let target = TargetLine {
            code: x.into(),
            name: x.into(),
            kind: TargetKind::Percent,
            goal: Goal::AtLeast(100.0),
            own_goal: false,
            weight: 1,
            draft: true,
        };
        let pair = vec![(x.to_owned(), x.to_owned())];
        for lang in [Lang::Vi, Lang::En] {
            let t = lang.texts();
            for text in [
                t.units(x, std::slice::from_ref(&unit)),
                t.pledges(x, 2026, std::slice::from_ref(&unit)),
                t.targets(x, 2026, std::slice::from_ref(&target)),
                t.targets(x, 2026, &[]),
                t.registered(x, 2026, &pair),
                t.chart_caption(x, Period::Mid, 2026),
            ] {
                assert!(!text.contains(x), "{lang:?}: {text}");
                assert!(text.contains("&lt;i&gt;&amp;"), "{lang:?}: {text}");
            }
        }
    }
}
