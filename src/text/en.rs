//! English.

use super::{
    BlocLine, FlowTarget, HeadReminder, HistoryView, Missing, Outstanding, Overdue, PledgeView,
    ScheduleView, StandingsView, StatusView, Summary, TargetLine, Texts, UnitLine, esc,
    format_goal, format_number, format_score, format_value,
};
use crate::domain::schedule::Deadline;
use crate::domain::title::TITLES;
use crate::domain::{CommandKind as K, Period, Refusal as R};

fn outstanding_lines(s: &mut String, units: &[Outstanding]) {
    for u in units {
        let no_head = if u.no_head { " (no head yet)" } else { "" };
        s.push_str(&format!(
            "\n  • <b>{}</b> {}{no_head}",
            esc(&u.code),
            esc(&u.name)
        ));
    }
}

fn days_left(n: u32) -> String {
    match n {
        0 => "due today".to_owned(),
        1 => "1 day left".to_owned(),
        n => format!("{n} days left"),
    }
}

/// English texts.
pub struct En;

impl Texts for En {
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
            R::StaleSignButton { year: Some(y) } => format!("This sign button is for the {y} pledge and no longer works; nothing was changed. Type /pledge to see and sign this year's pledge."),
            R::StaleSignButton { year: None } => "This sign button is outdated and no longer works; nothing was changed. Type /pledge to get a new one.".into(),
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
            K::Cancel => "cancel the report in progress",
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

    fn units(&self, bloc: &str, units: &[UnitLine]) -> String {
        if units.is_empty() {
            return format!(
                "🏢 <b>{}</b> has no units yet. Add them with /addunit.",
                esc(bloc)
            );
        }
        let mut s = format!("🏢 <b>Units of {}</b> ({})", esc(bloc), units.len());
        for u in units {
            let head = u
                .head
                .as_deref()
                .map_or("no head yet".to_owned(), |h| format!("👤 {}", esc(h)));
            let signed = if u.signed {
                "✍️ signed"
            } else {
                "⏳ not signed"
            };
            s.push_str(&format!(
                "\n<b>{}</b> {} — {} · {} · reports {}/{}",
                esc(&u.code),
                esc(&u.name),
                head,
                signed,
                u.reported,
                u.targets
            ));
        }
        s
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

    fn targets(&self, bloc: &str, year: i32, targets: &[TargetLine]) -> String {
        if targets.is_empty() {
            return format!(
                "🎯 {} has no targets for {year}. Add them with /target add.",
                esc(bloc)
            );
        }
        let total: u32 = targets.iter().map(|t| t.weight).sum();
        let mut s = format!(
            "🎯 <b>Targets {year} — {}</b> (total weight {total})",
            esc(bloc)
        );
        for t in targets {
            s.push_str(&format!(
                "\n<b>{}</b> {} — {} · weight {}{}",
                esc(&t.code),
                esc(&t.name),
                format_goal(self, t.kind, t.goal),
                t.weight,
                if t.draft { self.draft() } else { "" }
            ));
        }
        if targets.iter().any(|t| t.draft) {
            s.push_str("\nDraft targets copied from last year: a bloc admin confirms them with /target confirm or edits them with /target remove and /target add.");
        }
        s
    }

    fn pledge(&self, p: &PledgeView) -> String {
        let mut s = format!(
            "📜 <b>Emulation pledge {}</b>\n{} — <b>{}</b> {}",
            p.year,
            esc(&p.bloc),
            esc(&p.code),
            esc(&p.unit)
        );
        for (i, t) in p.targets.iter().enumerate() {
            let own = if t.own_goal { " (own goal)" } else { "" };
            s.push_str(&format!(
                "\n{}. <b>{}</b> {}: {}{own} · weight {}",
                i + 1,
                esc(&t.code),
                esc(&t.name),
                format_goal(self, t.kind, t.goal),
                t.weight
            ));
        }
        if !p.titles.is_empty() {
            s.push_str("\n🏅 Titles registered:");
            for (code, name) in &p.titles {
                s.push_str(&format!("\n  • <b>{}</b> {}", esc(code), esc(name)));
            }
        }
        match &p.signed_at {
            Some(at) => s.push_str(&format!("\n\n✍️ Signed at {}.", esc(at))),
            None => s.push_str("\n\n⏳ Not signed. Press the button below or type /pledge sign."),
        }
        s
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

    fn pledges(&self, bloc: &str, year: i32, units: &[UnitLine]) -> String {
        let signed: Vec<_> = units.iter().filter(|u| u.signed).collect();
        let unsigned: Vec<_> = units.iter().filter(|u| !u.signed).collect();
        let mut s = format!(
            "📜 <b>Pledges {year} — {}</b>: {}/{} signed",
            esc(bloc),
            signed.len(),
            units.len()
        );
        s.push_str("\n✍️ Signed:");
        if signed.is_empty() {
            s.push_str(" none yet");
        }
        for u in signed {
            s.push_str(&format!("\n  <b>{}</b> {}", esc(&u.code), esc(&u.name)));
        }
        s.push_str("\n⏳ Not signed:");
        if unsigned.is_empty() {
            s.push_str(" none");
        }
        for u in unsigned {
            s.push_str(&format!("\n  <b>{}</b> {}", esc(&u.code), esc(&u.name)));
        }
        s
    }

    fn reported(&self, t: &TargetLine, period: Period, value: f64, score: f64) -> String {
        format!(
            "✅ Recorded <b>{}</b> ({}): {} — goal {}.\nYour {} score now: {}/100.",
            esc(&t.code),
            self.period(period),
            format_value(self, t.kind, value),
            format_goal(self, t.kind, t.goal),
            self.period(period),
            format_score(score, '.')
        )
    }

    fn status(&self, v: &StatusView) -> String {
        let mut s = format!(
            "📊 <b>{}</b> {} — {} {}{}",
            esc(&v.code),
            esc(&v.unit),
            self.period(v.period),
            v.year,
            if v.signed {
                " · ✍️ signed"
            } else {
                " · ⏳ pledge not signed"
            }
        );
        for l in &v.lines {
            let value = l.value.map_or("not reported".to_owned(), |x| {
                format_value(self, l.target.kind, x)
            });
            s.push_str(&format!(
                "\n{} <b>{}</b>: {} / {} → {}%",
                if l.value.is_some() { "✅" } else { "⏳" },
                esc(&l.target.code),
                value,
                format_goal(self, l.target.kind, l.target.goal),
                format_number(l.achievement * 100.0, '.')
            ));
        }
        if !v.titles.is_empty() {
            let names: Vec<String> = v.titles.iter().map(|(c, _)| esc(c)).collect();
            s.push_str(&format!("\n🏅 Titles registered: {}", names.join(", ")));
        }
        s.push_str(&format!(
            "\n\nScore: <b>{}</b>/100 · rank {}/{}",
            format_score(v.score, '.'),
            v.rank.0,
            v.rank.1
        ));
        s
    }

    fn standings(&self, v: &StandingsView) -> String {
        let mut s = format!(
            "🏆 <b>Standings, {} {} — {}</b>",
            self.period(v.period),
            v.year,
            esc(&v.bloc)
        );
        if v.rows.is_empty() {
            s.push_str("\nNo units yet.");
        }
        for r in &v.rows {
            s.push_str(&format!(
                "\n{}. <b>{}</b> {} — <b>{}</b> points · {} · reports {}/{}",
                r.rank,
                esc(&r.code),
                esc(&r.name),
                format_score(r.score, '.'),
                if r.signed { "✍️" } else { "⏳" },
                r.reported,
                r.targets
            ));
        }
        s
    }

    fn blocs(&self, blocs: &[BlocLine]) -> String {
        let mut s = "🏢 <b>Your blocs</b>".to_owned();
        for b in blocs {
            s.push_str(&format!(
                "\n{} {} — {}",
                if b.current { "👉" } else { "•" },
                b.id,
                esc(&b.name)
            ));
        }
        s.push_str("\nPick one: /bloc &lt;number or name&gt;");
        s
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

    fn period(&self, p: Period) -> &'static str {
        match p {
            Period::Mid => "mid-year review",
            Period::Final => "year-end review",
        }
    }

    fn number(&self, v: f64) -> String {
        format_number(v, '.')
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

    fn schedule(&self, v: &ScheduleView) -> String {
        let mut s = format!("🗓 <b>Schedule {} — {}</b>", v.year, esc(&v.bloc));
        for (d, date, passed) in &v.deadlines {
            let mark = if *passed { "✔️" } else { "⏰" };
            s.push_str(&format!(
                "\n{mark} {} deadline: {}",
                self.deadline(*d),
                esc(date)
            ));
        }
        s.push_str(&format!(
            "\nReminders {} days before, on the deadline day and the day after (overdue list to admins).\nSend time: {} ({}).",
            esc(&v.remind),
            esc(&v.send_time),
            esc(&v.tz)
        ));
        match &v.next {
            Some((d, at)) => s.push_str(&format!(
                "\n👉 Next send: {} — {}.",
                esc(at),
                self.deadline(*d)
            )),
            None => s.push_str("\nNo more sends this year."),
        }
        s
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

    fn head_reminder(&self, r: &HeadReminder) -> String {
        let mut s = format!(
            "⏰ <b>{} deadline</b> ({}, {}) — unit <b>{}</b>, {}.",
            self.deadline(r.deadline),
            esc(&r.date),
            days_left(r.days_left),
            esc(&r.code),
            esc(&r.bloc)
        );
        match &r.missing {
            Missing::Pledge => s.push_str(
                "\nYour unit has not signed its pledge: type /pledge to read and sign it.",
            ),
            Missing::Targets(ts) => {
                s.push_str(&format!("\n{} target(s) not reported yet:", ts.len()));
                for (code, name) in ts {
                    s.push_str(&format!("\n  • <b>{}</b> {}", esc(code), esc(name)));
                }
                s.push_str("\nReport with /report &lt;CODE&gt; &lt;value&gt;.");
            }
        }
        s
    }

    fn summary(&self, v: &Summary) -> String {
        let mut s = format!(
            "📣 <b>{} deadline</b>: {} ({}) — done {}/{}.",
            self.deadline(v.deadline),
            esc(&v.date),
            days_left(v.days_left),
            v.done,
            v.total
        );
        if !v.outstanding.is_empty() {
            s.push_str("\nOutstanding:");
            outstanding_lines(&mut s, &v.outstanding);
        }
        if !v.standings.is_empty() {
            s.push_str("\n🏆 Standings so far:");
            for r in &v.standings {
                s.push_str(&format!(
                    "\n  {}. <b>{}</b> {}",
                    r.rank,
                    esc(&r.code),
                    format_score(r.score, '.')
                ));
            }
        }
        s
    }

    fn overdue(&self, v: &Overdue) -> String {
        let mut s = format!(
            "🚩 <b>Overdue: {}</b> ({}) — {}:",
            self.deadline(v.deadline),
            esc(&v.date),
            esc(&v.bloc)
        );
        outstanding_lines(&mut s, &v.outstanding);
        s
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

    fn titles(&self) -> String {
        let mut s = "🏅 <b>Collective titles</b> (register with /register &lt;CODE&gt;)".to_owned();
        for t in TITLES {
            s.push_str(&format!(
                "\n<b>{}</b> {} — {}",
                t.code, t.name, t.awarded_by_en
            ));
        }
        s
    }

    fn registered(&self, code: &str, year: i32, titles: &[(String, String)]) -> String {
        let mut s = format!("✅ Unit <b>{}</b> registered for {year}:", esc(code));
        for (c, n) in titles {
            s.push_str(&format!("\n  • <b>{}</b> {}", esc(c), esc(n)));
        }
        s
    }

    fn history(&self, h: &HistoryView) -> String {
        let scope = h
            .unit
            .as_deref()
            .map_or(String::new(), |u| format!(" — unit {}", esc(u)));
        let mut s = format!(
            "📒 <b>Audit log of {}</b>{scope} (page {}/{})",
            esc(&h.bloc),
            h.page.0,
            h.page.1.max(1)
        );
        if h.lines.is_empty() {
            s.push_str("\nNo changes yet.");
        }
        for l in &h.lines {
            let who = l.who.as_deref().map_or(format!("id {}", l.user_id), |n| {
                format!("{} ({})", esc(n), l.user_id)
            });
            let change = match (&l.old, &l.new) {
                (Some(o), Some(n)) => format!(": {} → {}", esc(o), esc(n)),
                (None, Some(n)) => format!(": {}", esc(n)),
                (Some(o), None) => format!(": removed {}", esc(o)),
                (None, None) => String::new(),
            };
            s.push_str(&format!(
                "\n{} · {} · {} {}{change}",
                esc(&l.at),
                who,
                esc(&l.action),
                esc(&l.subject)
            ));
        }
        s
    }

    fn older(&self) -> &'static str {
        "◀️ Older"
    }

    fn newer(&self) -> &'static str {
        "Newer ▶️"
    }

    fn flow_pick(&self, period: Period, targets: &[FlowTarget]) -> String {
        let missing = targets.iter().filter(|t| t.value.is_none()).count();
        let mut s = format!(
            "📝 <b>Report, {}</b>: pick a target ({missing} not reported yet).",
            self.period(period)
        );
        for t in targets {
            let v = t.value.map_or("⏳ not reported".to_owned(), |x| {
                format!("✅ {}", format_value(self, t.target.kind, x))
            });
            s.push_str(&format!(
                "\n<b>{}</b> {} — {}",
                esc(&t.target.code),
                esc(&t.target.name),
                v
            ));
        }
        s.push_str("\nType /cancel to stop.");
        s
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
            format_score(before, '.'),
            format_score(after, '.')
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

    fn chart_caption(&self, bloc: &str, period: Period, year: i32) -> String {
        format!(
            "📊 Standings, {} {year} — {}",
            self.period(period),
            esc(bloc)
        )
    }

    fn chart_subtitle(&self, period: Period, year: i32, date: &str) -> String {
        format!("Standings, {} {year} — {date}", self.period(period))
    }

    fn export_caption(&self, bloc: &str, year: i32) -> String {
        format!("📎 Emulation workbook {year} — {}", esc(bloc))
    }
}
