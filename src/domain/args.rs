//! Splitting and parsing command arguments.

use super::code::Code;
use super::period::{Period, parse_year};
use super::refusal::{CommandKind, Refusal};
use super::target::{Goal, TargetKind};

/// Longest unit, target or bloc name.
pub const MAX_NAME: usize = 200;
/// Longest note on a report.
pub const MAX_NOTE: usize = 500;

/// Splits on white space into at most `n` parts; the last part keeps the rest
/// of the text (with its inner spaces).
pub fn split_args(s: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(n);
    let mut rest = s.trim();
    while !rest.is_empty() {
        if out.len() + 1 == n {
            out.push(rest);
            break;
        }
        match rest.find(char::is_whitespace) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = rest[i..].trim_start();
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

/// A name: not empty, at most `MAX_NAME` characters, control characters removed.
pub fn parse_name(raw: &str) -> Result<String, Refusal> {
    clean_text(raw, MAX_NAME)
        .filter(|s| !s.is_empty())
        .ok_or(Refusal::BadText { max: MAX_NAME })
}

/// A report note: may be empty.
pub fn parse_note(raw: &str) -> Result<String, Refusal> {
    clean_text(raw, MAX_NOTE).ok_or(Refusal::BadText { max: MAX_NOTE })
}

fn clean_text(raw: &str, max: usize) -> Option<String> {
    let s: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (s.chars().count() <= max).then_some(s)
}

/// Parses a code or refuses naming what was typed.
pub fn parse_code(raw: &str) -> Result<Code, Refusal> {
    Code::parse(raw).ok_or_else(|| Refusal::BadCode(shorten(raw)))
}

/// Cuts what a user typed to a length fit to quote back.
pub fn shorten(raw: &str) -> String {
    const MAX: usize = 40;
    if raw.chars().count() <= MAX {
        raw.to_owned()
    } else {
        let mut s: String = raw.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// `/addunit <CODE> <name>`
#[derive(Debug, Clone, PartialEq)]
pub struct AddUnit {
    /// Unit code.
    pub code: Code,
    /// Full name.
    pub name: String,
}

impl AddUnit {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<AddUnit, Refusal> {
        let [code, name] = split_args(args, 2)[..] else {
            return Err(Refusal::BadUsage);
        };
        Ok(AddUnit {
            code: parse_code(code)?,
            name: parse_name(name)?,
        })
    }
}

/// `/target add <CODE> <kind> <goal> <weight> <name>`
#[derive(Debug, Clone, PartialEq)]
pub struct TargetAdd {
    /// Target code.
    pub code: Code,
    /// Kind.
    pub kind: TargetKind,
    /// Bloc-wide goal.
    pub goal: Goal,
    /// Weight in points.
    pub weight: u32,
    /// Name.
    pub name: String,
}

/// Largest weight accepted; far above any real score sheet.
pub const MAX_WEIGHT: u32 = 1000;

impl TargetAdd {
    /// Parses the arguments after `add`.
    pub fn parse(args: &str) -> Result<TargetAdd, Refusal> {
        let [code, kind, goal, weight, name] = split_args(args, 5)[..] else {
            return Err(Refusal::BadUsage);
        };
        let code = parse_target_code(code)?;
        let kind = TargetKind::parse(kind).ok_or_else(|| Refusal::BadKind(shorten(kind)))?;
        let goal = Goal::parse(kind, goal).ok_or_else(|| Refusal::BadGoal(shorten(goal)))?;
        let weight = weight
            .parse::<u32>()
            .ok()
            .filter(|w| (1..=MAX_WEIGHT).contains(w) && weight.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Refusal::BadWeight(shorten(weight)))?;
        Ok(TargetAdd {
            code,
            kind,
            goal,
            weight,
            name: parse_name(name)?,
        })
    }
}

/// A target code: a code that is not a period name (so `/report mid X 1` is never ambiguous).
pub fn parse_target_code(raw: &str) -> Result<Code, Refusal> {
    let code = parse_code(raw)?;
    if Period::parse(code.as_str()).is_some() {
        return Err(Refusal::ReservedCode(code.to_string()));
    }
    Ok(code)
}

/// `/target set <UNIT> <TARGET> <goal>`: the goal is parsed once the target's kind is known.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSet {
    /// Unit code.
    pub unit: Code,
    /// Target code.
    pub target: Code,
    /// Goal as typed.
    pub goal: String,
}

impl TargetSet {
    /// Parses the arguments after `set`.
    pub fn parse(args: &str) -> Result<TargetSet, Refusal> {
        let [unit, target, goal] = split_args(args, 3)[..] else {
            return Err(Refusal::BadUsage);
        };
        if goal.contains(char::is_whitespace) {
            return Err(Refusal::BadGoal(shorten(goal)));
        }
        Ok(TargetSet {
            unit: parse_code(unit)?,
            target: parse_code(target)?,
            goal: goal.to_owned(),
        })
    }
}

/// `/report [mid|final] <TARGET> <value> [note]`: the value is parsed once the
/// target's kind is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Named period, or `None` for the open one.
    pub period: Option<Period>,
    /// Target code.
    pub target: Code,
    /// Value as typed.
    pub value: String,
    /// Optional note.
    pub note: String,
}

impl Report {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<Report, Refusal> {
        let first = split_args(args, 2);
        let (period, rest) = match first.first().and_then(|w| Period::parse(w)) {
            Some(p) => (Some(p), first.get(1).copied().unwrap_or("")),
            None => (None, args),
        };
        let parts = split_args(rest, 3);
        let (target, value, note) = match parts[..] {
            [t, v] => (t, v, ""),
            [t, v, n] => (t, v, n),
            _ => return Err(Refusal::BadUsage),
        };
        Ok(Report {
            period,
            target: parse_code(target)?,
            value: value.to_owned(),
            note: parse_note(note)?,
        })
    }
}

/// `/standings [mid|final] [year]`
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StandingsArgs {
    /// Named period.
    pub period: Option<Period>,
    /// Named year.
    pub year: Option<i32>,
}

impl StandingsArgs {
    /// Parses the arguments, in either order.
    pub fn parse(args: &str) -> Result<StandingsArgs, Refusal> {
        let mut out = StandingsArgs::default();
        let words = split_args(args, 3);
        if words.len() > 2 {
            return Err(Refusal::BadUsage);
        }
        for w in words {
            if let Some(p) = Period::parse(w).filter(|_| out.period.is_none()) {
                out.period = Some(p);
            } else if w.bytes().all(|b| b.is_ascii_digit()) && out.year.is_none() {
                out.year = Some(parse_year(w).ok_or_else(|| Refusal::BadYear(shorten(w)))?);
            } else {
                return Err(Refusal::BadPeriod(shorten(w)));
            }
        }
        Ok(out)
    }
}

/// The first word of `args`, lower-cased, and what follows it.
fn sub_command(args: &str) -> (Option<String>, &str) {
    let sub = args.split_whitespace().next().map(str::to_ascii_lowercase);
    let rest = args
        .trim_start()
        .split_once(char::is_whitespace)
        .map_or("", |(_, r)| r);
    (sub, rest)
}

/// `/target add|set|remove|restore|list|confirm ...`, split once: each
/// sub-command carries the rest of the text for its own parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetCmd<'a> {
    /// `add <CODE> ...`: see [`TargetAdd`].
    Add(&'a str),
    /// `set <UNIT> <TARGET> <goal>`: see [`TargetSet`].
    Set(&'a str),
    /// `remove <TARGET>`
    Remove(&'a str),
    /// `restore <TARGET>`
    Restore(&'a str),
    /// `list` (anything after it is ignored)
    List,
    /// `confirm`
    Confirm,
    /// `confirm` followed by arguments, which it does not take.
    ConfirmWithArgs,
    /// No sub-command, or one not known.
    Unknown,
}

impl<'a> TargetCmd<'a> {
    /// Reads the sub-command; the case of its word does not matter.
    pub fn parse(args: &'a str) -> TargetCmd<'a> {
        let (sub, rest) = sub_command(args);
        match sub.as_deref() {
            Some("add") => TargetCmd::Add(rest),
            Some("set") => TargetCmd::Set(rest),
            Some("remove") => TargetCmd::Remove(rest),
            Some("restore") => TargetCmd::Restore(rest),
            Some("list") => TargetCmd::List,
            Some("confirm") if rest.trim().is_empty() => TargetCmd::Confirm,
            Some("confirm") => TargetCmd::ConfirmWithArgs,
            _ => TargetCmd::Unknown,
        }
    }

    /// The command whose usage a refusal shows.
    pub fn kind(&self) -> CommandKind {
        match self {
            TargetCmd::Add(_) => CommandKind::TargetAdd,
            TargetCmd::Set(_) => CommandKind::TargetSet,
            TargetCmd::Remove(_) => CommandKind::TargetRemove,
            TargetCmd::Restore(_) => CommandKind::TargetRestore,
            TargetCmd::List => CommandKind::TargetList,
            TargetCmd::Confirm | TargetCmd::ConfirmWithArgs => CommandKind::TargetConfirm,
            TargetCmd::Unknown => CommandKind::Target,
        }
    }
}

/// `/schedule [set|remind|time|tz ...]`, split once: each sub-command
/// carries the rest of the text for its own parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleCmd<'a> {
    /// No sub-command: show the schedule.
    Show,
    /// `set <deadline> <date>`
    Set(&'a str),
    /// `remind <days>`
    Remind(&'a str),
    /// `time <HH:MM>`
    Time(&'a str),
    /// `tz <zone>`
    Tz(&'a str),
    /// A sub-command not known.
    Unknown,
}

impl<'a> ScheduleCmd<'a> {
    /// Reads the sub-command; the case of its word does not matter.
    pub fn parse(args: &'a str) -> ScheduleCmd<'a> {
        let (sub, rest) = sub_command(args);
        // As `split_args`: the last argument has no white space around it.
        let rest = rest.trim();
        match sub.as_deref() {
            None => ScheduleCmd::Show,
            Some("set") => ScheduleCmd::Set(rest),
            Some("remind") => ScheduleCmd::Remind(rest),
            Some("time") => ScheduleCmd::Time(rest),
            Some("tz") => ScheduleCmd::Tz(rest),
            Some(_) => ScheduleCmd::Unknown,
        }
    }

    /// The command whose usage a refusal shows.
    pub fn kind(&self) -> CommandKind {
        match self {
            ScheduleCmd::Show | ScheduleCmd::Unknown => CommandKind::Schedule,
            ScheduleCmd::Set(_) => CommandKind::ScheduleSet,
            ScheduleCmd::Remind(_) => CommandKind::ScheduleRemind,
            ScheduleCmd::Time(_) => CommandKind::ScheduleTime,
            ScheduleCmd::Tz(_) => CommandKind::ScheduleTz,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_argument_keeps_its_spaces() {
        assert_eq!(
            split_args("  TNMT  Sở Tài nguyên  và Môi trường ", 2),
            ["TNMT", "Sở Tài nguyên  và Môi trường"]
        );
        assert_eq!(split_args("a\tb\nc d", 3), ["a", "b", "c d"]);
        assert!(split_args("   ", 2).is_empty());
    }

    #[test]
    fn addunit_needs_a_code_and_a_name() {
        let u = AddUnit::parse("tnmt Sở Tài nguyên và Môi trường").unwrap();
        assert_eq!(u.code.as_str(), "TNMT");
        assert_eq!(u.name, "Sở Tài nguyên và Môi trường");
        assert_eq!(AddUnit::parse("TNMT"), Err(Refusal::BadUsage));
        assert_eq!(
            AddUnit::parse("T.N Sở"),
            Err(Refusal::BadCode("T.N".into()))
        );
        assert_eq!(
            AddUnit::parse(&format!("A {}", "x".repeat(201))),
            Err(Refusal::BadText { max: 200 })
        );
    }

    #[test]
    fn target_add_parses_every_field() {
        let t = TargetAdd::parse("HTNV percent >=100 20 Tỷ lệ CBCCVC hoàn thành nhiệm vụ").unwrap();
        assert_eq!(t.code.as_str(), "HTNV");
        assert_eq!(t.kind, TargetKind::Percent);
        assert_eq!(t.goal, Goal::AtLeast(100.0));
        assert_eq!(t.weight, 20);
        assert_eq!(t.name, "Tỷ lệ CBCCVC hoàn thành nhiệm vụ");
    }

    #[test]
    fn target_add_refuses_each_bad_field() {
        assert_eq!(
            TargetAdd::parse("X money 5 1 n"),
            Err(Refusal::BadKind("money".into()))
        );
        assert_eq!(
            TargetAdd::parse("X percent lots 1 n"),
            Err(Refusal::BadGoal("lots".into()))
        );
        assert_eq!(
            TargetAdd::parse("X yesno 5 1 n"),
            Err(Refusal::BadGoal("5".into()))
        );
        assert_eq!(
            TargetAdd::parse("X percent 5 0 n"),
            Err(Refusal::BadWeight("0".into()))
        );
        assert_eq!(
            TargetAdd::parse("X percent 5 -1 n"),
            Err(Refusal::BadWeight("-1".into()))
        );
        assert_eq!(
            TargetAdd::parse("X percent 5 +1 n"),
            Err(Refusal::BadWeight("+1".into()))
        );
        assert_eq!(
            TargetAdd::parse("X percent 5 1.5 n"),
            Err(Refusal::BadWeight("1.5".into()))
        );
        assert_eq!(
            TargetAdd::parse("MID percent 5 1 n"),
            Err(Refusal::ReservedCode("MID".into()))
        );
        assert_eq!(TargetAdd::parse("X percent 5 1"), Err(Refusal::BadUsage));
    }

    #[test]
    fn report_takes_an_optional_period_and_note() {
        let r = Report::parse("THU 60,9").unwrap();
        assert_eq!(
            (
                r.period,
                r.target.as_str(),
                r.value.as_str(),
                r.note.as_str()
            ),
            (None, "THU", "60,9", "")
        );
        let r = Report::parse("final thu 98% theo báo cáo quý").unwrap();
        assert_eq!(r.period, Some(Period::Final));
        assert_eq!(r.note, "theo báo cáo quý");
        assert_eq!(Report::parse("mid THU"), Err(Refusal::BadUsage));
        assert_eq!(Report::parse(""), Err(Refusal::BadUsage));
    }

    #[test]
    fn standings_args_take_period_and_year_in_any_order() {
        assert_eq!(StandingsArgs::parse("").unwrap(), StandingsArgs::default());
        let a = StandingsArgs::parse("2025 final").unwrap();
        assert_eq!((a.period, a.year), (Some(Period::Final), Some(2025)));
        assert_eq!(
            StandingsArgs::parse("1999"),
            Err(Refusal::BadYear("1999".into()))
        );
        assert_eq!(
            StandingsArgs::parse("soon"),
            Err(Refusal::BadPeriod("soon".into()))
        );
        assert_eq!(
            StandingsArgs::parse("mid mid"),
            Err(Refusal::BadPeriod("mid".into()))
        );
    }

    #[test]
    fn target_sub_commands_are_read_once_whatever_their_case() {
        assert_eq!(TargetCmd::parse("ADD  X  y z"), TargetCmd::Add(" X  y z"));
        assert_eq!(TargetCmd::parse("  set\tA B 5"), TargetCmd::Set("A B 5"));
        assert_eq!(TargetCmd::parse("remove X"), TargetCmd::Remove("X"));
        assert_eq!(TargetCmd::parse("Restore X"), TargetCmd::Restore("X"));
        assert_eq!(TargetCmd::parse("list whatever"), TargetCmd::List);
        assert_eq!(TargetCmd::parse("confirm  "), TargetCmd::Confirm);
        assert_eq!(TargetCmd::parse("confirm now"), TargetCmd::ConfirmWithArgs);
        assert_eq!(TargetCmd::parse(""), TargetCmd::Unknown);
        assert_eq!(TargetCmd::parse("drop X"), TargetCmd::Unknown);
    }

    #[test]
    fn a_refused_target_sub_command_shows_its_own_usage() {
        assert_eq!(TargetCmd::parse("add").kind(), CommandKind::TargetAdd);
        assert_eq!(
            TargetCmd::parse("confirm x").kind(),
            CommandKind::TargetConfirm
        );
        assert_eq!(TargetCmd::parse("drop").kind(), CommandKind::Target);
        assert_eq!(TargetCmd::parse("").kind(), CommandKind::Target);
    }

    #[test]
    fn schedule_sub_commands_are_read_once_whatever_their_case() {
        assert_eq!(ScheduleCmd::parse("   "), ScheduleCmd::Show);
        assert_eq!(
            ScheduleCmd::parse("SET  mid 15/06/2026 "),
            ScheduleCmd::Set("mid 15/06/2026")
        );
        assert_eq!(ScheduleCmd::parse("remind 7,3"), ScheduleCmd::Remind("7,3"));
        assert_eq!(ScheduleCmd::parse("time"), ScheduleCmd::Time(""));
        assert_eq!(
            ScheduleCmd::parse("tz\nAsia/Ho_Chi_Minh"),
            ScheduleCmd::Tz("Asia/Ho_Chi_Minh")
        );
        assert_eq!(ScheduleCmd::parse("later 1"), ScheduleCmd::Unknown);
        assert_eq!(ScheduleCmd::parse("later").kind(), CommandKind::Schedule);
        assert_eq!(ScheduleCmd::parse("tz x").kind(), CommandKind::ScheduleTz);
    }
}
