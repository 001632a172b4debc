//! The user guide (`docs/guide.vi.md`, `docs/guide.en.md`) kept in step
//! with the bot: every command `/help` shows, to a bloc admin, a unit head
//! and an outsider, in the group and in private, in Vietnamese and English,
//! is documented in the guide of that language (a sub-command such as
//! `/target add` as its own entry); every command the guide documents is one
//! the bot knows, and every command the bot knows is documented; both guides
//! document the same entries; and every example in them is a command the
//! bot parses, with arguments its parsers accept (or refuse, when the guide
//! shows the ⚠️ reply).
//!
//! A documented entry is a Markdown heading naming the command in backticks,
//! e.g. ``#### `/target restore <MÃ>` ``: `/target` is the command and
//! `restore` its sub-command, so the guide may document a sub-command
//! before `/help` names it.

use std::collections::BTreeSet;

use fake_bot_api::BOT_USERNAME;
use teloxide::utils::command::BotCommands;
use thidua::bot::{Command, Parsed, parse};
use thidua::domain::args::{
    AddUnit, Report, StandingsArgs, TargetAdd, TargetSet, parse_name, parse_target_code,
};
use thidua::domain::period::parse_year;
use thidua::domain::schedule::{Deadline, parse_date, parse_remind, parse_time, parse_tz};
use thidua::domain::value::{parse_number, parse_yes_no};
use thidua::domain::{Code, Period, title};
use thidua::text::{Lang, plain};

use crate::support::*;

/// A command and its sub-command: `("target", Some("add"))`, `("report", None)`.
type Entry = (String, Option<String>);

fn guide(lang: &str) -> String {
    let path = format!("{}/docs/guide.{lang}.md", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every `/command` in `s` with what follows it: a `/` at the start or after
/// white space, `(` or a backtick, then lower-case letters up to a
/// character that cannot continue a command (so `Asia/Ho_Chi_Minh` and
/// `</b>` are not commands).
fn commands_in(s: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices('/') {
        let before = s[..i].chars().next_back();
        if !before.is_none_or(|c| c.is_whitespace() || c == '(' || c == '`') {
            continue;
        }
        let rest = &s[i + 1..];
        let len = rest
            .find(|c: char| !c.is_ascii_lowercase())
            .unwrap_or(rest.len());
        let after = rest[len..].chars().next();
        if len == 0 || after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        out.push((rest[..len].to_owned(), &rest[len..]));
    }
    out
}

/// The entries named in `s`: a command, and its sub-command when a
/// lower-case word follows it (`/pledge sign`, `/target list)`), not a
/// placeholder or an alternative (`/lang <vi|en>`, `/schedule [set|…]`).
fn entries_in(s: &str) -> Vec<Entry> {
    commands_in(s)
        .into_iter()
        .map(|(cmd, rest)| {
            let sub = rest.strip_prefix(' ').and_then(|r| {
                let len = r.find(|c: char| !c.is_ascii_lowercase()).unwrap_or(r.len());
                let after = r[len..].chars().next();
                (len > 0 && after.is_none_or(|c| c.is_whitespace() || c == ')' || c == '`'))
                    .then(|| r[..len].to_owned())
            });
            (cmd, sub)
        })
        .collect()
}

/// The entries a guide documents: the commands its headings name.
fn documented(guide: &str) -> BTreeSet<Entry> {
    guide
        .lines()
        .filter(|l| l.starts_with('#'))
        .flat_map(entries_in)
        .collect()
}

fn commands(entries: &BTreeSet<Entry>) -> BTreeSet<String> {
    entries.iter().map(|(c, _)| c.clone()).collect()
}

fn show(e: &Entry) -> String {
    match e {
        (c, Some(s)) => format!("/{c} {s}"),
        (c, None) => format!("/{c}"),
    }
}

/// What one `/help` reply names: every command anywhere in it, and the
/// entries of its usage lines (`• usage — example — what it does`).
fn help_names(reply: &str) -> (BTreeSet<String>, BTreeSet<Entry>) {
    let text = plain(reply);
    let cmds = commands_in(&text).into_iter().map(|(c, _)| c).collect();
    let entries = text
        .lines()
        .filter_map(|l| l.strip_prefix("• "))
        .flat_map(|l| entries_in(l.split(" — ").next().unwrap_or(l)))
        .collect();
    (cmds, entries)
}

/// The commands the bot knows, from its `Command` enum.
fn bot_commands() -> BTreeSet<String> {
    Command::bot_commands()
        .into_iter()
        .map(|c| c.command.trim_start_matches('/').to_owned())
        .collect()
}

/// What the guide documents, against what `/help` names and the bot knows;
/// one line per gap.
fn gaps(
    lang: &str,
    guide: &BTreeSet<Entry>,
    help_cmds: &BTreeSet<String>,
    help_entries: &BTreeSet<Entry>,
    known: &BTreeSet<String>,
) -> Vec<String> {
    let documented = commands(guide);
    let mut out = Vec::new();
    for c in help_cmds.difference(&documented) {
        out.push(format!(
            "guide.{lang}.md: /help names /{c}, the guide has no entry"
        ));
    }
    for e in help_entries.difference(guide) {
        out.push(format!(
            "guide.{lang}.md: /help shows {}, the guide has no entry",
            show(e)
        ));
    }
    for c in documented.difference(known) {
        out.push(format!(
            "guide.{lang}.md documents /{c}, which the bot does not know"
        ));
    }
    for c in known.difference(&documented) {
        out.push(format!(
            "guide.{lang}.md: the bot knows /{c}, the guide has no entry"
        ));
    }
    out
}

#[tokio::test]
async fn the_guide_documents_every_command_help_shows_and_only_those_the_bot_knows() {
    let mut b = Bot::start().await;
    b.h.api.set_member_status(GROUP, admin().id, "creator");
    // A group that is not a bloc yet: where /help offers /newbloc.
    b.h.api
        .set_member_status(OTHER_GROUP, admin().id, "creator");
    let r = b
        .group(
            &admin(),
            "/newbloc Khối thi đua các sở, ban, ngành kinh tế, kỹ thuật",
        )
        .await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    for cmd in [
        "/addunit TNMT Sở Tài nguyên và Môi trường",
        "/addunit CT Sở Công thương",
        "/target add HTNV percent >=100 30 Tỷ lệ CBCCVC hoàn thành nhiệm vụ trở lên",
        "/target add THU percent >=100 20 Thu ngân sách đạt dự toán",
        "/target add TSVM yesno yes 20 Chi bộ đạt \"Trong sạch vững mạnh\"",
    ] {
        let r = b.group(&admin(), cmd).await;
        assert!(only_text(&r).starts_with("✅"), "{cmd}: {r:?}");
    }
    b.join("TNMT", &head(0)).await;

    let known = bot_commands();
    let mut guides = Vec::new();
    for lang in ["vi", "en"] {
        let people = [admin(), head(0), outsider()];
        if lang == "en" {
            for p in &people {
                let r = b.private(p, "/lang en").await;
                assert!(only_text(&r).starts_with("✅"), "{r:?}");
            }
        }
        let header = Lang::parse(lang).expect("vi or en").texts().help_header();
        let mut replies = Vec::new();
        for p in &people {
            replies.push(only_text(&b.group(p, "/help").await));
            replies.push(only_text(&b.private(p, "/help").await));
        }
        let r = b
            .send(updates::group(OTHER_GROUP, "Nhóm mới", &admin(), "/help"))
            .await;
        replies.push(only_text(&r));

        let mut help_cmds = BTreeSet::new();
        let mut help_entries = BTreeSet::new();
        for reply in &replies {
            assert!(reply.starts_with(header), "not a {lang} /help: {reply}");
            let (c, e) = help_names(reply);
            help_cmds.extend(c);
            help_entries.extend(e);
        }
        // The scenario reaches what each role sees: group-only, private-only,
        // admin, head, and the not-yet-a-bloc group's commands.
        for c in [
            "newbloc", "addadmin", "invite", "target", "join", "report", "bloc", "lang",
        ] {
            assert!(help_cmds.contains(c), "{lang}: no /{c} in {replies:#?}");
        }
        for (c, sub) in [
            ("pledge", "sign"),
            ("target", "add"),
            ("target", "list"),
            ("schedule", "tz"),
        ] {
            assert!(
                help_entries.contains(&(c.to_owned(), Some(sub.to_owned()))),
                "{lang}: no /{c} {sub} read from {replies:#?}"
            );
        }

        let text = guide(lang);
        let documented = documented(&text);
        let gaps = gaps(lang, &documented, &help_cmds, &help_entries, &known);
        assert!(
            gaps.is_empty(),
            "the guide is out of step:\n{}",
            gaps.join("\n")
        );
        guides.push(documented);
    }
    let (vi, en) = (&guides[0], &guides[1]);
    assert_eq!(
        vi,
        en,
        "guide.vi.md and guide.en.md document different commands: only vi {:?}, only en {:?}",
        vi.difference(en).map(show).collect::<Vec<_>>(),
        en.difference(vi).map(show).collect::<Vec<_>>()
    );
}

/// Whether the bot's parsers accept an example's arguments (a value's kind
/// and anything stored, such as whether a unit exists, are left to the bot).
fn accepted(cmd: &Command) -> Result<(), String> {
    fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> Result<(), String> {
        r.map(|_| ()).map_err(|e| format!("{e:?}"))
    }
    fn some<T>(o: Option<T>, what: &str) -> Result<(), String> {
        o.map(|_| ()).ok_or_else(|| format!("not {what}"))
    }
    let words = |a: &str| a.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    match cmd {
        Command::NewBloc(a) => ok(parse_name(a)),
        Command::AddUnit(a) => ok(AddUnit::parse(a)),
        Command::Invite(a) => some(Code::parse(a.trim()), "a unit code"),
        Command::History(a) if !a.trim().is_empty() => some(Code::parse(a.trim()), "a unit code"),
        Command::Join(a) => some((!a.trim().is_empty()).then_some(()), "an invite"),
        Command::Target(a) => {
            let (sub, rest) = a.trim().split_once(' ').unwrap_or((a.trim(), ""));
            match sub {
                "add" => ok(TargetAdd::parse(rest)),
                "set" => ok(TargetSet::parse(rest)),
                "remove" | "restore" => ok(parse_target_code(rest.trim())),
                "list" | "confirm" if rest.is_empty() => Ok(()),
                _ => Err(format!("no sub-command {sub:?}")),
            }
        }
        Command::Pledge(a) => some(matches!(a.trim(), "" | "sign").then_some(()), "sign"),
        Command::Report(a) if !a.trim().is_empty() => {
            let r = Report::parse(a).map_err(|e| format!("{e:?}"))?;
            some(
                parse_number(&r.value).or(parse_yes_no(&r.value).map(f64::from)),
                "a value",
            )
        }
        Command::Standings(a) => ok(StandingsArgs::parse(a)),
        Command::Chart(a) if !a.trim().is_empty() => some(Period::parse(a.trim()), "a period"),
        Command::Export(a) if !a.trim().is_empty() => some(parse_year(a.trim()), "a year"),
        Command::Register(a) => {
            let titles = words(a);
            some((!titles.is_empty()).then_some(()), "a title")?;
            titles
                .iter()
                .try_for_each(|t| some(title::by_code(t), "a title"))
        }
        Command::Lang(a) => some(Lang::parse(a), "vi or en"),
        Command::Schedule(a) => match words(a).iter().map(String::as_str).collect::<Vec<_>>()[..] {
            [] => Ok(()),
            ["set", d, date] => some(
                Deadline::parse(d).zip(parse_date(date)),
                "a deadline and date",
            ),
            ["remind", days] => some(parse_remind(days), "reminder days"),
            ["time", t] => some(parse_time(t), "a time"),
            ["tz", z] => some(parse_tz(z), "a zone"),
            _ => Err("no such /schedule".to_owned()),
        },
        _ => Ok(()),
    }
}

#[test]
fn every_example_in_the_guides_is_a_command_the_bot_accepts() {
    for lang in ["vi", "en"] {
        let text = guide(lang);
        let mut in_block = false;
        let lines: Vec<&str> = text.lines().collect();
        let mut examples = 0;
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("```") {
                in_block = !in_block;
                continue;
            }
            if !in_block || !line.starts_with('/') {
                continue;
            }
            examples += 1;
            let Parsed::Command(cmd) = parse(line, BOT_USERNAME) else {
                panic!(
                    "guide.{lang}.md line {}: {line} is not a command of the bot",
                    i + 1
                );
            };
            // An example whose reply the guide shows as a refusal must be one.
            let refused = lines[i + 1..]
                .iter()
                .find(|l| !l.starts_with('/'))
                .is_some_and(|l| l.starts_with("→ ⚠️"));
            match (accepted(&cmd), refused) {
                (Ok(()), true) => {
                    panic!(
                        "guide.{lang}.md line {}: {line} is shown refused, but parses",
                        i + 1
                    )
                }
                (Err(e), false) => {
                    panic!("guide.{lang}.md line {}: {line} is refused: {e}", i + 1)
                }
                _ => {}
            }
        }
        assert!(
            examples > 40,
            "guide.{lang}.md: only {examples} examples found"
        );
    }
}

#[test]
fn a_command_missing_from_the_guide_is_a_gap() {
    let text = guide("vi");
    let full = documented(&text);
    assert!(full.contains(&("target".to_owned(), Some("restore".to_owned()))));
    assert!(full.contains(&("targets".to_owned(), None)));
    // Prose and placeholders are not entries.
    assert!(!commands(&full).contains("b"));
    assert!(!full.iter().any(|(_, s)| s.as_deref() == Some("mid")));
    // A sub-command /help names is an entry of its own, its example is not.
    let (cmds, entries) = help_names(
        "📖 <b>Các lệnh</b>\n• /target restore &lt;MÃ&gt; — ví dụ: /target restore DOT — khôi phục chỉ tiêu",
    );
    assert_eq!(cmds, ["target".to_owned()].into());
    assert_eq!(
        entries,
        [("target".to_owned(), Some("restore".to_owned()))].into()
    );
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("#### `/cancel`"))
        .map(|l| format!("{l}\n"))
        .collect();
    let help: BTreeSet<String> = ["cancel".to_owned()].into();
    let g = gaps(
        "vi",
        &documented(&without),
        &help,
        &BTreeSet::new(),
        &bot_commands(),
    );
    assert!(
        g.iter().any(|l| l.contains("/help names /cancel"))
            && g.iter().any(|l| l.contains("bot knows /cancel")),
        "{g:?}"
    );
}
