//! English.

use super::{Dashboard, TargetLine, Texts, Words, esc, format_goal, format_value};
use crate::domain::schedule::Deadline;
use crate::domain::title::Title;
use crate::domain::{CommandKind as K, Period, Refusal as R, ReviewState};

/// The words the shared layouts put together.
const WORDS: Words = Words {
    decimal: '.',
    unit: "unit",
    no_head: "no head yet",
    signed: "signed",
    unsigned: "not signed",
    pledge_unsigned: "pledge not signed",
    reports: "reports",
    units_none: "has no units yet. Add them with /addunit.",
    units_of: "Units of",
    targets_of: "Targets",
    total_weight: "total weight",
    weight: "weight",
    drafts_note: "Draft targets copied from last year: a bloc admin confirms them with /target confirm or edits them with /target remove and /target add.",
    pledge_of: "Emulation pledge",
    own_goal: "own goal",
    titles_registered: "Titles registered",
    signed_at: "Signed at",
    sign_hint: "Not signed. Press the button below or type /pledge sign.",
    pledges_of: "Pledges",
    signed_list: "Signed",
    unsigned_list: "Not signed",
    none_signed: "none yet",
    none_unsigned: "none",
    not_reported: "not reported",
    score: "Score",
    rank: "rank",
    standings_of: "Standings,",
    no_units: "No units yet.",
    points: "points",
    your_blocs: "Your blocs",
    pick_bloc: "Pick one: /bloc &lt;number or name&gt;",
    schedule_of: "Schedule",
    send_time: "Send time",
    next_send: "Next send",
    no_more_sends: "No more sends this year.",
    pledge_missing: "Your unit has not signed its pledge: type /pledge to read and sign it.",
    report_hint: "Report with /report &lt;CODE&gt; &lt;value&gt;.",
    done: "done",
    outstanding: "Outstanding",
    standings_so_far: "Standings so far",
    overdue: "Overdue:",
    titles: "Collective titles",
    register_hint: "register with /register &lt;CODE&gt;",
    history_of: "Audit log of",
    page: "page",
    no_changes: "No changes yet.",
    removed: "removed",
    report_of: "Report,",
    cancel_hint: "Type /cancel to stop.",
};

/// English texts.
/// The dashboard's words.
const DASHBOARD: Dashboard = Dashboard {
    title: "Emulation standings",
    blocs: "Your blocs",
    no_blocs: "You are not an admin or a unit head of any bloc yet.",
    standings: "Standings",
    rank: "Rank",
    unit: "Unit",
    score: "Score",
    points: "Bonus/penalty",
    review: "Review",
    targets: "Targets",
    goal: "Goal",
    value: "Value",
    achievement: "Achieved",
    late: "late",
    evidence: "Evidence",
    exempt: "exempt",
    not_reported: "not reported",
    change: "Change from mid-year to year-end",
    back: "‹ Back",
    chart: "Scores chart",
    unranked: "not ranked",
    loading: "Loading…",
    state_open: "not submitted",
    state_submitted: "awaiting review",
    state_approved: "approved",
    state_returned: "returned",
    button: "📊 Standings",
};

pub struct En;

impl Texts for En {
    fn words(&self) -> &'static Words {
        &WORDS
    }

    fn refusal(&self, r: &R) -> String {
        match r {
            R::BadUsage => "Missing or malformed arguments.".into(),
            R::BadCode(c) => format!("Code “{}” is not valid: use 1–16 of A-Z, 0-9, _ or -.", esc(c)),
            R::ReservedCode(c) => format!("“{}” cannot be a target code: it is the name of a period.", esc(c)),
            R::BadKind(k) => format!("Target kind “{}” is not valid: choose percent, number or yesno.", esc(k)),
            R::BadGoal(g) => format!("Goal “{}” is not valid: use &gt;=N, &lt;=N, N (not negative) or yes/no.", esc(g)),
            R::BadWeight(w) => format!("Weight “{}” is not valid: a whole number from 1 to 1000.", esc(w)),
            R::BadValue { raw, yes_no: true } => format!("Value “{}” is not valid: answer yes/no (có/không, 1/0).", esc(raw)),
            R::BadValue { raw, .. } => format!("Value “{}” is not a valid number: use digits, a , or . and % if needed.", esc(raw)),
            R::BadPeriod(p) => format!("Period “{}” is not valid: choose mid (mid-year review) or final (year-end review).", esc(p)),
            R::BadYear(y) => format!("Year “{}” is not valid: from 2000 to 2100.", esc(y)),
            R::BadLang(l) => format!("Language “{}” is not supported: choose vi or en.", esc(l)),
            R::BadText { max } => format!("A name or note must not be empty and must be at most {max} characters."),
            R::DuplicateUnit(c) => format!("Unit {} is already in this bloc.", esc(c)),
            R::DuplicateTarget(c) => format!("Target {} already exists this year.", esc(c)),
            R::UnknownUnit(c) => format!("There is no unit {} in this bloc.", esc(c)),
            R::UnknownTarget(c) => format!("There is no target {} this year.", esc(c)),
            R::UnknownBloc(b) => format!("You belong to no bloc named or numbered “{}”.", esc(b)),
            R::InviteUnknown => "This invite is not valid. Ask your bloc admin for a new one.".into(),
            R::InviteUsed => "This invite was used already. Each invite works once.".into(),
            R::InviteExpired => "This invite has expired (7 days) or a newer one replaced it. Ask your bloc admin for a new one.".into(),
            R::NeedPrivateChat { bot } => format!("Invites are sent to you privately, but you have not opened a private chat with the bot yet. Open @{}, press Start, then send the command again; the group never sees the invite.", esc(bot)),
            R::AlreadyHead { unit } => format!("You are already the head of unit {} in this bloc.", esc(unit)),
            R::NotGroupAdmin => "Only a Telegram admin of this group can create a bloc.".into(),
            R::NotBlocAdmin => "Only a bloc admin can do this.".into(),
            R::NotUnitHead => "Only a unit head (joined with an invite) can do this.".into(),
            R::NotYourUnit => "You can only sign and report for your own unit.".into(),
            R::Anonymous => "Messages sent on behalf of a group or channel (anonymous admin) cannot change anything. Send it from your own account.".into(),
            R::GroupOnly => "Use this command in the bloc's Telegram group.".into(),
            R::PrivateOnly => "Use this command in a private chat with the bot.".into(),
            R::NotABloc => "This group is not an emulation bloc yet. A group admin types /newbloc &lt;bloc name&gt;.".into(),
            R::AlreadyABloc(b) => format!("This group is already the bloc “{}”.", esc(b)),
            R::NoBloc => "You do not belong to any bloc yet. Use the invite your bloc admin sent you.".into(),
            R::ChooseBloc => "You belong to several blocs: pick one with /bloc first.".into(),
            R::NotAReply => "Reply to a message of the person to make admin.".into(),
            R::CannotPromote => "A bot or an anonymous account cannot be a bloc admin.".into(),
            R::AlreadyAdmin => "This person is already a bloc admin.".into(),
            R::AlreadySigned => "Your unit's pledge is already signed.".into(),
            R::NoTargets => "The bloc has no targets for this year yet.".into(),
            R::UnknownCommand => "Unknown command.".into(),
            R::BadDeadline(d) => format!("Deadline “{}” is not valid: choose pledge, mid or final.", esc(d)),
            R::BadDate(d) => format!("Date “{}” is not valid: write YYYY-MM-DD, e.g. 2026-07-20.", esc(d)),
            R::BadTime(t) => format!("Time “{}” is not valid: write HH:MM (24-hour), e.g. 08:00.", esc(t)),
            R::BadRemind(d) => format!("Reminder days “{}” are not valid: distinct whole days from 1 to 365, separated by commas.", esc(d)),
            R::BadTimeZone(z) => format!("Time zone “{}” is not valid: use an IANA name, e.g. Asia/Ho_Chi_Minh.", esc(z)),
            R::NoDrafts => "There are no draft targets to confirm.".into(),
            R::UnknownTitle(t) => format!("There is no title “{}”. See the list with /titles.", esc(t)),
            R::NoFlow => "There is no report in progress.".into(),
            R::FlowExpired => "The report in progress lapsed after 30 minutes. Type /report to start again.".into(),
            R::TargetArchived(c) => format!("Target {} is archived already. Bring it back with /target restore {}.", esc(c), esc(c)),
            R::TargetArchivedExists(c) => format!("Target {} of this year is archived with its reported values. Use /target restore {} to bring it back instead of adding it again.", esc(c), esc(c)),
            R::TargetNotArchived(c) => format!("Target {} is in use, not archived.", esc(c)),
            R::DateOutsideYear { date, year } => format!("Date {} is not in {year}: the deadlines of the {year} schedule must lie in that year.", date.format("%Y-%m-%d")),
            R::DeadlineOrder { moved, date, other, other_date } => format!(
                "Date {} is not valid: the {} deadline cannot be {} the {} deadline ({}). The order is: pledge, mid-year, year-end.",
                date.format("%Y-%m-%d"),
                self.deadline(*moved),
                if moved > other { "earlier than" } else { "later than" },
                self.deadline(*other),
                other_date.format("%d/%m/%Y"),
            ),
            R::ReportLocked { approved: false } => "The unit's results for this period were submitted for review and are locked; nothing was changed. Wait for the admins to approve or return them.".into(),
            R::ReportLocked { approved: true } => "The unit's results for this period are approved; nothing was changed. To change a value, ask a bloc admin to return them.".into(),
            R::SubmitMissing(codes) => format!("Not submitted: some targets have no value yet ({}). Report them, then submit again.", esc(&codes.join(", "))),
            R::AlreadySubmitted => "The results for this period were submitted already; nothing was changed.".into(),
            R::AlreadyApproved => "The results for this period are approved already; nothing was changed.".into(),
            R::NotSubmitted => "The unit has not submitted its results for this period; nothing was changed.".into(),
            R::ReasonRequired => "Give the reason for returning, so that the head knows what to fix.".into(),
            R::BadPoints(raw) => format!("«{}» is not a valid amount: it needs a + or − sign, at most one decimal, from 0.1 to 100.", esc(raw)),
            R::AlreadyExempt(c) => format!("Target {} is exempt for this unit in that period already.", esc(c)),
            R::NotExempt(c) => format!("Target {} is not exempt for this unit in that period.", esc(c)),
            R::NotApprovedYet => "A correction can be asked only once this period's results are approved; nothing was changed. Until then, report again with /report (if submitted, wait for the bloc admin to approve or return them).".into(),
            R::ReasonNeeded => "A reason is required; nothing was changed.".into(),
            R::BadRequestNo(raw) => format!("“{}” is not a request number: a positive whole number as in /corrections.", esc(raw)),
            R::UnknownCorrection(n) => format!("There is no correction request #{n} in this bloc. Type /corrections for the pending ones."),
            R::CorrectionDecided { accepted: true } => "This request was accepted already; nothing was changed.".into(),
            R::CorrectionDecided { accepted: false } => "This request was rejected already; nothing was changed.".into(),
            R::EvidenceNoFile => "No file: send a photo or document with the caption /evidence &lt;TARGET&gt;, or reply to one with that command.".into(),
            R::EvidenceFull { max } => format!("This value has {max} evidence files already, the most allowed; nothing was changed."),
            R::EvidenceAlready => "This file is evidence of that value already; nothing was changed.".into(),
            R::StaleSignButton { year: Some(y) } => format!("This sign button is for the {y} pledge and no longer works; nothing was changed. Type /pledge to see and sign this year's pledge."),
            R::StaleSignButton { year: None } => "This sign button is outdated and no longer works; nothing was changed. Type /pledge to get a new one.".into(),
            R::BadPicks(k) => format!("The number of units to pick «{}» is invalid: a whole number from 1 to 64.", esc(k)),
            R::BadHours(h) => format!("The time open «{}» is invalid: a number of hours from 1 to 336 (two weeks).", esc(h)),
            R::PicksAboveUnits { units } => format!("The bloc has {units} units: the number to pick must be below {units}."),
            R::BallotSize { units } => format!("The bloc has {units} units: a ballot needs 2 to 64."),
            R::BallotOpen => "A ballot is open in this bloc already: /ballot shows it, /ballot close closes it.".into(),
            R::NoOpenBallot => "No ballot is open in this bloc.".into(),
            R::BallotClosed => "This ballot is closed: no more votes. Type /ballot for the result.".into(),
            R::AlreadyVoted => "Your unit has voted: a cast vote is final.".into(),
            R::NotOnBallot => "Your unit was added after the ballot opened, so it has no vote in this one.".into(),
            R::TooManyPicks { most } => format!("You may pick at most {most} units: unpick one first."),
            R::BallotStale => "This button is not of the current ballot; nothing was changed. Type /ballot for a new one.".into(),
            R::ProposalExists { unit, title } => format!("Unit {} is proposed for {} this year already.", esc(unit), esc(title)),
            R::NoProposal { unit, title } => format!("There is no proposal of {} for unit {} this year.", esc(title), esc(unit)),
        }
    }

    fn usage(&self, k: K) -> &'static str {
        match k {
            K::Start => "/start — e.g. /start",
            K::Help => "/help",
            K::NewBloc => "/newbloc &lt;bloc name&gt; — e.g. /newbloc Economic and technical bloc",
            K::AddAdmin => "reply to that person's message with /addadmin",
            K::AddUnit => {
                "/addunit &lt;CODE&gt; &lt;unit name&gt; — e.g. /addunit TNMT Department of Natural Resources"
            }
            K::Units => "/units",
            K::Invite => "/invite &lt;UNIT CODE&gt; — e.g. /invite TNMT",
            K::Join => "/join &lt;invite&gt; — e.g. /join Xy3_kP9...",
            K::TargetAdd => {
                "/target add &lt;CODE&gt; &lt;percent|number|yesno&gt; &lt;goal&gt; &lt;weight&gt; &lt;name&gt; — e.g. /target add HTNV percent &gt;=100 20 Staff completing their duties"
            }
            K::TargetSet => {
                "/target set &lt;UNIT&gt; &lt;TARGET&gt; &lt;goal&gt; — e.g. /target set TC THU &gt;=105"
            }
            K::TargetRemove => "/target remove &lt;CODE&gt; — e.g. /target remove DOT",
            K::TargetRestore => "/target restore &lt;CODE&gt; — e.g. /target restore DOT",
            K::TargetList => "/targets (or /target list)",
            K::Target => "/target add|set|remove|restore|list … — e.g. /target list",
            K::Pledge => "/pledge",
            K::PledgeSign => "/pledge sign",
            K::Pledges => "/pledges",
            K::Report => {
                "/report [mid|final] &lt;TARGET&gt; &lt;value&gt; [note] — e.g. /report THU 60.9%"
            }
            K::Status => "/status",
            K::Standings => "/standings [mid|final] [year] — e.g. /standings mid 2026",
            K::Bloc => "/bloc [bloc name or number] — e.g. /bloc 1",
            K::Lang => "/lang &lt;vi|en&gt; — e.g. /lang vi",
            K::Schedule => "/schedule [set|remind|time|tz …] — e.g. /schedule set mid 2026-07-20",
            K::ScheduleSet => {
                "/schedule set &lt;pledge|mid|final&gt; &lt;YYYY-MM-DD&gt; — e.g. /schedule set mid 2026-07-20"
            }
            K::ScheduleRemind => {
                "/schedule remind &lt;d1,d2,...&gt; — e.g. /schedule remind 14,7,3,1"
            }
            K::ScheduleTime => "/schedule time &lt;HH:MM&gt; — e.g. /schedule time 08:00",
            K::ScheduleTz => "/schedule tz &lt;IANA zone&gt; — e.g. /schedule tz Asia/Ho_Chi_Minh",
            K::TargetConfirm => "/target confirm",
            K::Titles => "/titles",
            K::Register => "/register &lt;TITLE&gt; … — e.g. /register TTLDXS CO_TINH",
            K::Chart => "/chart [mid|final] — e.g. /chart mid",
            K::Export => "/export [year] — e.g. /export 2026",
            K::History => "/history [UNIT] — e.g. /history TNMT",
            K::Cancel => "/cancel",
            K::Submit => "/submit [mid|final] — e.g. /submit mid",
            K::Review => "/review [UNIT] [mid|final] — e.g. /review TNMT mid",
            K::Approve => "/approve &lt;UNIT&gt; [mid|final] — e.g. /approve TNMT mid",
            K::Return => {
                "/return &lt;UNIT&gt; [mid|final] &lt;reason&gt; — e.g. /return TNMT mid Q2 figures missing"
            }
            K::Exempt => {
                "/exempt &lt;UNIT&gt; &lt;TARGET&gt; [mid|final] &lt;reason&gt; or /exempt remove &lt;UNIT&gt; &lt;TARGET&gt; [mid|final] — e.g. /exempt QPT THU The fund collects no revenue"
            }
            K::Points => {
                "/points &lt;UNIT&gt; &lt;+N|-N&gt; [mid|final] &lt;reason&gt; or /points &lt;UNIT&gt; [mid|final] — e.g. /points TNMT +5 final Provincial emulation flag"
            }
            K::Correct => {
                "/correct &lt;TARGET&gt; [mid|final] &lt;value&gt; &lt;reason&gt; — e.g. /correct THU mid 75.5 Treasury figures closed"
            }
            K::Corrections => "/corrections",
            K::Accept => "/accept &lt;request number&gt; — e.g. /accept 3",
            K::Reject => {
                "/reject &lt;request number&gt; &lt;reason&gt; — e.g. /reject 3 No voucher yet"
            }
            K::Evidence => {
                "/evidence &lt;TARGET&gt; [mid|final] as the caption of a photo or document (or replying to one), or /evidence &lt;UNIT&gt; &lt;TARGET&gt; [mid|final] — e.g. /evidence TNMT THU"
            }
            K::Ballot => "/ballot",
            K::BallotOpen => {
                "/ballot open &lt;K&gt; &lt;hours&gt; &lt;question&gt; — e.g. /ballot open 1 48 Name the bloc's leading unit of 2026"
            }
            K::BallotClose => "/ballot close",
            K::Vote => "press the ballot's buttons in your private chat, then Cast",
            K::Propose => {
                "/propose &lt;UNIT&gt; &lt;TITLE&gt; [reason] or /propose remove &lt;UNIT&gt; &lt;TITLE&gt; — e.g. /propose TNMT CO_TINH Led the bloc"
            }
            K::Proposals => "/proposals [year] — e.g. /proposals 2026",
            K::Minutes => "/minutes [year] — e.g. /minutes 2026",
        }
    }

    fn describe(&self, k: K) -> &'static str {
        match k {
            K::Start => "start, or join with an invite",
            K::Help => "the commands you can use here",
            K::NewBloc => "make this group an emulation bloc",
            K::AddAdmin => "add a bloc admin",
            K::AddUnit => "add a unit",
            K::Units => "the bloc's units",
            K::Invite => "invite a unit head",
            K::Join => "join as a unit head",
            K::TargetAdd => "add a target",
            K::TargetSet => "a unit's own goal",
            K::TargetRemove => "remove a target (archived, values kept, once reported)",
            K::TargetRestore => "bring back an archived target with its values",
            K::TargetList => "this year's targets",
            K::Target => "manage targets",
            K::Pledge => "your unit's pledge",
            K::PledgeSign => "sign the pledge",
            K::Pledges => "signed and unsigned units",
            K::Report => "report a target's value",
            K::Status => "your unit's results, score and rank",
            K::Standings => "the ranking",
            K::Bloc => "pick a bloc when you belong to several",
            K::Lang => "change language",
            K::Schedule => "this year's deadlines, reminder days and send time",
            K::ScheduleSet => "move a deadline",
            K::ScheduleRemind => "days before a deadline to remind",
            K::ScheduleTime => "time reminders are sent",
            K::ScheduleTz => "the bloc's time zone",
            K::TargetConfirm => "confirm draft targets copied from last year",
            K::Titles => "the catalogue of collective titles",
            K::Register => "register titles your unit aims for",
            K::Chart => "the standings as a chart",
            K::Export => "an Excel (XLSX) workbook for the report",
            K::History => "the audit log",
            K::Cancel => "cancel the report in progress, or a return waiting for its reason",
            K::Submit => "submit the unit's results for review",
            K::Review => "review: who waits, one unit's results",
            K::Approve => "approve a unit's submitted results",
            K::Return => "return results with a reason",
            K::Exempt => "exempt a unit from a target",
            K::Points => "a unit's bonus and penalty points",
            K::Correct => "ask to change an approved value",
            K::Corrections => "pending correction requests",
            K::Accept => "accept a correction request",
            K::Reject => "reject a correction request, with a reason",
            K::Evidence => "a value's evidence: attach it or get it back",
            K::Ballot => "the open secret ballot, or the last result",
            K::BallotOpen => "open a secret ballot",
            K::BallotClose => "close the ballot and post its result",
            K::Vote => "cast a secret vote",
            K::Propose => "propose a unit for commendation",
            K::Proposals => "the year's proposals for commendation",
            K::Minutes => "the meeting's minutes (Word, DOCX)",
        }
    }

    fn usage_label(&self) -> &'static str {
        "Usage"
    }

    fn internal_error(&self) -> String {
        "⚠️ The bot failed while handling this command; nothing was changed. Please try again in a few minutes.".into()
    }

    fn unknown_command(&self) -> String {
        "⚠️ Unknown command. Type /help to see the commands you can use.".into()
    }

    fn welcome(&self, name: &str) -> String {
        format!(
            "Hello {}! 👋\nI am <b>thidua</b>, your bloc's emulation pledge assistant.\n\n\
             • Unit heads: open your invite link or type /join &lt;invite&gt;, then /pledge to sign and /report to report.\n\
             • Bloc admins: add me to the bloc's group and type /newbloc &lt;bloc name&gt;.\n\
             Type /help to see the commands.",
            esc(name)
        )
    }

    fn help_header(&self) -> &'static str {
        "📖 <b>Commands you can use here</b>"
    }

    fn bloc_created(&self, bloc: &str) -> String {
        format!(
            "✅ Emulation bloc <b>{}</b> created. You are its admin.\nNext: /addunit to add units, /target add to add targets, /invite to invite unit heads.",
            esc(bloc)
        )
    }

    fn admin_added(&self, name: &str) -> String {
        format!("✅ {} is now a bloc admin.", esc(name))
    }

    fn unit_added(&self, code: &str, name: &str) -> String {
        format!(
            "✅ Unit <b>{}</b> — {} added.\nInvite its head: /invite {}",
            esc(code),
            esc(name),
            esc(code)
        )
    }

    fn invite(&self, code: &str, unit: &str, link: &str, token: &str, expires: &str) -> String {
        format!(
            "🔑 Invite for the head of <b>{}</b> — {}:\n{}\nOr type in a private chat with the bot: <code>/join {}</code>\nWorks once, expires {}.",
            esc(code),
            esc(unit),
            esc(link),
            esc(token),
            esc(expires)
        )
    }

    fn invite_sent(&self, code: &str, unit: &str) -> String {
        format!(
            "🔑 The invite for the head of unit <b>{}</b> — {} was sent to you privately. The unit's older unused invites, if any, no longer work.",
            esc(code),
            esc(unit)
        )
    }

    fn joined(&self, code: &str, unit: &str, bloc: &str) -> String {
        format!(
            "✅ You are the head of <b>{}</b> — {} in {}.\nType /pledge to read and sign the pledge, /report to report.",
            esc(code),
            esc(unit),
            esc(bloc)
        )
    }

    fn joined_group(&self, who: &str, code: &str, unit: &str) -> String {
        format!(
            "👤 {} is the head of <b>{}</b> — {}.",
            esc(who),
            esc(code),
            esc(unit)
        )
    }

    fn target_added(&self, t: &TargetLine, year: i32) -> String {
        format!(
            "✅ Target added for {year}: <b>{}</b> {} — goal {}, weight {}.",
            esc(&t.code),
            esc(&t.name),
            format_goal(self, t.kind, t.goal),
            t.weight
        )
    }

    fn target_goal_set(&self, unit: &str, t: &TargetLine) -> String {
        format!(
            "✅ {}'s own goal for <b>{}</b>: {}.",
            esc(unit),
            esc(&t.code),
            format_goal(self, t.kind, t.goal)
        )
    }

    fn target_removed(&self, code: &str) -> String {
        format!(
            "🗑 Target <b>{}</b> deleted (nothing was reported for it; the audit log keeps the record).",
            esc(code)
        )
    }

    fn target_archived(&self, code: &str, reports: i64) -> String {
        format!(
            "🗄 Target <b>{}</b> archived: it is out of the pledge, the scores, the standings and the reminders. Its {reports} reports are kept (see /history).\nBring it back: /target restore {}",
            esc(code),
            esc(code)
        )
    }

    fn target_restored(&self, code: &str) -> String {
        format!(
            "♻️ Target <b>{}</b> restored with its reported values: it counts again in the pledge, the scores and the reminders.",
            esc(code)
        )
    }

    fn sign_button(&self) -> &'static str {
        "✍️ Sign the pledge"
    }

    fn signed(&self, code: &str, year: i32, k: usize, n: usize) -> String {
        format!(
            "✍️ Unit <b>{}</b> signed its {year} emulation pledge. Signed in the bloc: {k}/{n}.",
            esc(code)
        )
    }

    fn signed_group(&self, code: &str, unit: &str, year: i32, k: usize, n: usize) -> String {
        format!(
            "✍️ <b>{}</b> {} signed the {year} pledge — {k}/{n} signed.",
            esc(code),
            esc(unit)
        )
    }

    fn signed_toast(&self) -> &'static str {
        "✍️ Pledge signed"
    }

    fn reported(&self, t: &TargetLine, period: Period, value: f64, score: f64) -> String {
        format!(
            "✅ Recorded <b>{}</b> ({}): {} — goal {}.\nYour {} score now: {}/100.",
            esc(&t.code),
            self.period(period),
            format_value(self, t.kind, value),
            format_goal(self, t.kind, t.goal),
            self.period(period),
            self.score(score)
        )
    }

    fn bloc_picked(&self, bloc: &str) -> String {
        format!(
            "✅ Private commands now apply to the bloc <b>{}</b>.",
            esc(bloc)
        )
    }

    fn lang_set(&self) -> &'static str {
        "✅ Language set to English."
    }

    fn dashboard(&self) -> &'static Dashboard {
        &DASHBOARD
    }

    fn period(&self, p: Period) -> &'static str {
        match p {
            Period::Mid => "mid-year review",
            Period::Final => "year-end review",
        }
    }

    fn yes_no(&self, b: bool) -> &'static str {
        if b { "yes" } else { "no" }
    }

    fn deadline(&self, d: Deadline) -> &'static str {
        match d {
            Deadline::Pledge => "pledge signing",
            Deadline::Mid => "mid-year report",
            Deadline::Final => "year-end report",
        }
    }

    fn schedule_updated(&self) -> &'static str {
        "✅ Schedule updated."
    }

    fn targets_confirmed(&self, n: u64, year: i32) -> String {
        format!("✅ {n} targets confirmed for {year}. Units can sign their pledges.")
    }

    fn draft(&self) -> &'static str {
        " · 📝 draft"
    }

    fn bloc_group(&self, bloc: &str) -> String {
        format!("the bloc group «{bloc}»")
    }

    fn unreachable(&self, who: &str) -> String {
        format!(
            "⚠️ The bot cannot message {}: they blocked the bot, never pressed Start in a private chat with it, or the bot was removed from the group.",
            esc(who)
        )
    }

    fn send_refused(&self, who: &str, reason: &str) -> String {
        format!(
            "⚠️ Telegram refuses the bot's messages to {} ({}). Give the bot the right to post (or reopen the topic); it retries less and less often and will not tell you again.",
            esc(who),
            esc(reason)
        )
    }

    fn older(&self) -> &'static str {
        "◀️ Older"
    }

    fn newer(&self) -> &'static str {
        "Newer ▶️"
    }

    fn flow_ask_value(&self, t: &TargetLine) -> String {
        let hint = match t.kind {
            crate::domain::TargetKind::YesNo => "yes or no",
            crate::domain::TargetKind::Percent => "a number, e.g. 60.9",
            crate::domain::TargetKind::Number => "a number, e.g. 3",
        };
        format!(
            "✏️ <b>{}</b> {} — goal {}.\nType the value ({hint}), or /cancel to stop.",
            esc(&t.code),
            esc(&t.name),
            format_goal(self, t.kind, t.goal)
        )
    }

    fn flow_confirm(&self, t: &TargetLine, value: f64, before: f64, after: f64) -> String {
        format!(
            "❓ Record <b>{}</b> = {}?\nYour score goes from {} to <b>{}</b>/100.",
            esc(&t.code),
            format_value(self, t.kind, value),
            self.score(before),
            self.score(after)
        )
    }

    fn confirm_button(&self) -> &'static str {
        "✅ Confirm"
    }

    fn cancel_button(&self) -> &'static str {
        "✖️ Cancel"
    }

    fn cancelled(&self) -> &'static str {
        "✖️ The report in progress was cancelled."
    }

    fn export_caption(&self, bloc: &str, year: i32) -> String {
        format!("📎 Emulation workbook {year} — {}", esc(bloc))
    }

    fn no_targets(&self, bloc: &str, year: i32) -> String {
        format!("{bloc} has no targets for {year}. Add them with /target add.")
    }

    fn signed_count(&self, k: usize, n: usize) -> String {
        format!("{k}/{n} signed")
    }

    fn deadline_of(&self, d: Deadline) -> String {
        format!("{} deadline", self.deadline(d))
    }

    fn reminder_of(&self, d: Deadline) -> String {
        self.deadline_of(d)
    }

    fn remind_days(&self, days: &str) -> String {
        format!(
            "Reminders {days} days before, on the deadline day and the day after (overdue list to admins)."
        )
    }

    fn days_left(&self, n: u32) -> String {
        match n {
            0 => "due today".to_owned(),
            1 => "1 day left".to_owned(),
            n => format!("{n} days left"),
        }
    }

    fn targets_missing(&self, n: usize) -> String {
        format!("{n} target(s) not reported yet:")
    }

    fn registered_heading(&self, code: &str, year: i32) -> String {
        format!("Unit <b>{code}</b> registered for {year}:")
    }

    fn pick_target(&self, missing: usize) -> String {
        format!("pick a target ({missing} not reported yet).")
    }

    fn awarded_by(&self, t: &Title) -> &'static str {
        t.awarded_by_en
    }

    fn review_state(&self, s: &ReviewState) -> String {
        match s {
            ReviewState::Open => "not submitted".into(),
            ReviewState::Submitted => "submitted, awaiting review".into(),
            ReviewState::Approved => "approved".into(),
            ReviewState::Returned(r) => format!("returned: {}", esc(r)),
        }
    }

    fn submitted(&self, code: &str, period: Period) -> String {
        format!(
            "📨 Unit <b>{}</b>'s {} results were submitted for review. They are locked until a bloc admin approves or returns them.",
            esc(code),
            self.period(period)
        )
    }

    fn submitted_notice(&self, code: &str, unit: &str, period: Period) -> String {
        format!(
            "📨 Unit <b>{}</b> {} submitted its {} results for review. See: /review {} {}",
            esc(code),
            esc(unit),
            self.period(period),
            esc(code),
            period.as_str()
        )
    }

    fn approved(&self, code: &str, period: Period) -> String {
        format!(
            "✅ Unit <b>{}</b>'s {} results are approved.",
            esc(code),
            self.period(period)
        )
    }

    fn approved_head(&self, period: Period) -> String {
        format!(
            "✅ Your unit's {} results were approved.",
            self.period(period)
        )
    }

    fn returned(&self, code: &str, period: Period, reason: &str) -> String {
        format!(
            "↩️ Unit <b>{}</b>'s {} results were returned. Reason: {}",
            esc(code),
            self.period(period),
            esc(reason)
        )
    }

    fn returned_head(&self, period: Period, reason: &str) -> String {
        format!(
            "↩️ Your unit's {} results were returned. Reason: {}\nFix them with /report, then submit again with /submit {}.",
            self.period(period),
            esc(reason),
            period.as_str()
        )
    }

    fn return_cancelled(&self) -> &'static str {
        "✖️ The return was cancelled."
    }

    fn review_title(&self) -> &'static str {
        "Review"
    }

    fn approve_button(&self) -> &'static str {
        "✅ Approve"
    }

    fn return_button(&self) -> &'static str {
        "↩️ Return"
    }

    fn ask_return_reason(&self, code: &str, period: Period) -> String {
        format!(
            "↩️ Returning unit <b>{}</b>'s {} results: send the reason as your next message (or /cancel).",
            esc(code),
            self.period(period)
        )
    }

    fn exempted(&self, unit: &str, target: &str, periods: &[Period], reason: &str) -> String {
        let periods: Vec<&str> = periods.iter().map(|p| self.period(*p)).collect();
        format!(
            "➖ Target <b>{}</b> no longer applies to unit <b>{}</b> ({}). Reason: {}",
            esc(target),
            esc(unit),
            periods.join(", "),
            esc(reason)
        )
    }

    fn unexempted(&self, unit: &str, target: &str, periods: &[Period]) -> String {
        let periods: Vec<&str> = periods.iter().map(|p| self.period(*p)).collect();
        format!(
            "➕ Target <b>{}</b> counts again for unit <b>{}</b> ({}).",
            esc(target),
            esc(unit),
            periods.join(", ")
        )
    }

    fn exempt_mark(&self) -> &'static str {
        "exempt"
    }

    fn late_mark(&self) -> &'static str {
        "late"
    }

    fn resubmit_reminder(&self, reason: &str) -> String {
        format!(
            "↩️ The unit's results were returned. Reason: {}\nFix them with /report, then submit again with /submit.",
            esc(reason)
        )
    }

    fn waiting_review(&self, k: usize, period: Period) -> String {
        format!(
            "📥 {k} units wait for the review of their {} results. See: /review {}",
            self.period(period),
            period.as_str()
        )
    }

    fn points_added(&self, unit: &str, points: f64, period: Period, total: f64) -> String {
        format!(
            "🎖 Recorded {} points for unit <b>{}</b> ({}). Bonus and penalty this period: {}.",
            super::layout::signed_points(self, points),
            esc(unit),
            self.period(period),
            super::layout::signed_points(self, total)
        )
    }

    fn points_title(&self, unit: &str, period: Period) -> String {
        format!(
            "🎖 <b>Bonus and penalty points of {} — {}</b>",
            esc(unit),
            self.period(period)
        )
    }

    fn no_points(&self) -> &'static str {
        "No bonus or penalty points yet."
    }

    fn points_total(&self) -> &'static str {
        "Total"
    }

    fn correction_asked(&self, c: &super::CorrectionView) -> String {
        format!(
            "✏️ Correction request #{} sent: {}. A bloc admin will accept or reject it; you will be told.",
            c.no,
            self.correction_line(c)
        )
    }

    fn correction_notice(&self, c: &super::CorrectionView) -> String {
        format!(
            "✏️ Request to correct an approved value:\n{}",
            self.correction_line(c)
        )
    }

    fn corrections_title(&self) -> &'static str {
        "Pending correction requests"
    }

    fn no_corrections(&self) -> &'static str {
        "No request is pending."
    }

    fn accept_button(&self) -> &'static str {
        "✅ Accept"
    }

    fn reject_button(&self) -> &'static str {
        "✖️ Reject"
    }

    fn correction_accepted(&self, c: &super::CorrectionView) -> String {
        format!(
            "✅ Request #{} accepted: {} of unit <b>{}</b> ({}) is now <b>{}</b>.",
            c.no,
            esc(&c.target),
            esc(&c.unit),
            self.period(c.period),
            esc(&c.new)
        )
    }

    fn correction_accepted_head(&self, c: &super::CorrectionView) -> String {
        format!(
            "✅ Correction request #{} was accepted: {} ({}) is now <b>{}</b>.",
            c.no,
            esc(&c.target),
            self.period(c.period),
            esc(&c.new)
        )
    }

    fn correction_rejected(&self, c: &super::CorrectionView, reason: &str) -> String {
        format!(
            "✖️ Request #{} rejected ({} of unit <b>{}</b>). Reason: {}",
            c.no,
            esc(&c.target),
            esc(&c.unit),
            esc(reason)
        )
    }

    fn correction_rejected_head(&self, c: &super::CorrectionView, reason: &str) -> String {
        format!(
            "✖️ Correction request #{} ({}, {}) was rejected; the value stays as it was. Reason: {}",
            c.no,
            esc(&c.target),
            self.period(c.period),
            esc(reason)
        )
    }

    fn ask_reject_reason(&self, no: i64) -> String {
        format!("✖️ Rejecting request #{no}: send the reason as your next message (or /cancel).")
    }

    fn reject_cancelled(&self) -> &'static str {
        "Rejection cancelled; the request is still pending."
    }

    fn evidence_added(&self, target: &str, period: Period, n: usize, max: usize) -> String {
        format!(
            "📎 Evidence added to target <b>{}</b> ({}): {n}/{max} files.",
            esc(target),
            self.period(period)
        )
    }

    fn no_evidence(&self, unit: &str, target: &str, period: Period) -> String {
        format!(
            "📎 Target <b>{}</b> of unit <b>{}</b> ({}) has no evidence yet.",
            esc(target),
            esc(unit),
            self.period(period)
        )
    }

    fn evidence_sent(
        &self,
        unit: &str,
        target: &str,
        period: Period,
        sent: usize,
        gone: &[usize],
    ) -> String {
        let mut s = format!(
            "📎 Evidence of target <b>{}</b>, unit <b>{}</b> ({}): {sent} files sent again.",
            esc(target),
            esc(unit),
            self.period(period)
        );
        if !gone.is_empty() {
            let nos: Vec<String> = gone.iter().map(|n| format!("#{n}")).collect();
            s.push_str(&format!(
                "\n⚠️ Telegram can no longer send {} files ({}): they are gone and must be attached again.",
                gone.len(),
                nos.join(", ")
            ));
        }
        s
    }

    fn ballot_title(&self) -> &'static str {
        "Secret ballot"
    }

    fn ballot_opened_title(&self) -> &'static str {
        "Secret ballot opened"
    }

    fn ballot_result_title(&self) -> &'static str {
        "Secret ballot result"
    }

    fn ballot_rules(&self, picks: u32, electorate: u32) -> String {
        format!(
            "Each unit picks up to {picks} of {electorate} units. Unit heads get their ballot in their private chat with the bot (or type /ballot there)."
        )
    }

    fn ballot_pick_hint(&self, picks: u32) -> String {
        format!(
            "Pick up to {picks} units, then press «Cast». The vote is secret: no one, bloc admins included, learns whom your unit picked; a cast vote is final."
        )
    }

    fn ballot_closes(&self, when: &str) -> String {
        format!("Closes at {when}.")
    }

    fn ballot_closed_at(&self, when: &str) -> String {
        format!("Closed at {when}.")
    }

    fn ballot_turnout(&self, voted: u32, electorate: u32) -> String {
        format!("Units that voted: <b>{voted}/{electorate}</b>")
    }

    fn ballot_picked(&self) -> &'static str {
        "Picked"
    }

    fn cast_button(&self, picked: u32, most: u32) -> String {
        format!("🗳 Cast ({picked}/{most})")
    }

    fn votes(&self, n: u32) -> String {
        if n == 1 {
            "1 vote".into()
        } else {
            format!("{n} votes")
        }
    }

    fn ballot_ended(&self) -> &'static str {
        "⏳ Voting time is over; the result will be posted in the bloc group within minutes."
    }

    fn no_ballot(&self) -> &'static str {
        "The bloc has held no ballot this year. A bloc admin opens one with /ballot open in the group."
    }

    fn vote_cast(&self) -> &'static str {
        "✅ Your unit's vote is in. It is secret: only the fact that your unit voted is kept, not whom it picked. The result is posted in the group when the ballot closes."
    }

    fn vote_done(&self) -> &'static str {
        "✅ Your unit has voted."
    }

    fn ballot_closed_here(&self) -> &'static str {
        "✅ The ballot is closed; its result was posted in the bloc group."
    }

    fn proposed(&self, unit: &str, title: &str, registered: bool) -> String {
        let note = if registered {
            ""
        } else {
            "\nNote: the unit did not register this title for the year."
        };
        format!("🏅 Unit <b>{unit}</b> proposed for <b>{title}</b>.{note}")
    }

    fn proposal_withdrawn(&self, unit: &str, title: &str) -> String {
        format!("✅ The proposal of <b>{title}</b> for unit <b>{unit}</b> was withdrawn.")
    }

    fn proposals_title(&self, year: i32) -> String {
        format!("Proposals for commendation {year}")
    }

    fn no_proposals(&self) -> &'static str {
        "No proposals yet. Bloc admins propose with /propose."
    }

    fn registered_mark(&self, registered: bool) -> &'static str {
        if registered {
            "registered the title"
        } else {
            "did not register this title"
        }
    }

    fn final_rank(&self, rank: Option<usize>) -> String {
        match rank {
            Some(r) => format!("year-end rank {r}"),
            None => "not ranked at year end".into(),
        }
    }

    fn reason_label(&self) -> &'static str {
        "Reason"
    }

    fn minutes_caption(&self, bloc: &str, year: i32) -> String {
        format!("📄 Minutes of the {year} emulation review meeting — {bloc}")
    }
}
