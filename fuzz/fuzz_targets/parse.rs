//! Every parser that sees user text, on arbitrary bytes (as lossy UTF-8).
//! A panic or a failed assertion is a finding. The same properties, with a
//! fixed 100,000-input corpus, run in `tests/e2e/hostile.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

use thidua::bot::{self, Parsed};
use thidua::domain::args::{
    AddUnit, MAX_NAME, MAX_NOTE, MAX_WEIGHT, Report, StandingsArgs, TargetAdd, TargetSet,
    parse_code, parse_name, parse_note, parse_target_code, split_args,
};
use thidua::domain::period::parse_year;
use thidua::domain::schedule::{parse_date, parse_remind, parse_time, parse_tz};
use thidua::domain::title::by_code;
use thidua::domain::value::{MAX_ABS, parse_number, parse_yes_no};
use thidua::domain::{Goal, TargetKind};
use fake_bot_api::BOT_USERNAME;
use thidua::text::{MAX_MESSAGE_CHARS, esc, split_message};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    check(&s);
});

fn check(s: &str) {
    let parsed = bot::parse(s, BOT_USERNAME);
    if !s.starts_with('/') {
        assert_eq!(parsed, Parsed::Ignore);
    }
    let args = split_args(s, 2).get(1).copied().unwrap_or("");
    arguments(args);
    arguments(split_args(args, 2).get(1).copied().unwrap_or(""));
    word(s);
    for w in args.split_whitespace().take(8) {
        word(w);
    }
    let e = esc(s);
    assert!(!e.contains(['<', '>', '"']));
    for max in [MAX_MESSAGE_CHARS, 1 + s.len() % 64] {
        let parts = split_message(s, max);
        assert!(parts.iter().all(|p| p.chars().count() <= max));
        assert_eq!(parts.concat().replace('\n', ""), s.replace('\n', ""));
    }
}

fn value(v: f64) {
    assert!(v.is_finite() && v.abs() <= MAX_ABS, "{v}");
    assert!(!(v == 0.0 && v.is_sign_negative()), "negative zero");
}

fn code(c: &str) {
    assert!((1..=16).contains(&c.len()), "{c:?}");
    assert!(
        c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-'),
        "{c:?}"
    );
}

fn text(t: &str, max: usize) {
    assert!(!t.chars().any(char::is_control), "{t:?}");
    assert!(t.chars().count() <= max);
}

fn word(w: &str) {
    if let Some(v) = parse_number(w) {
        value(v);
        let grammar = w.strip_suffix('%').unwrap_or(w);
        let grammar = grammar.strip_prefix(['+', '-']).unwrap_or(grammar);
        assert!(
            grammar
                .split_once(['.', ','])
                .map_or(grammar, |(i, _)| i)
                .bytes()
                .all(|b| b.is_ascii_digit()),
            "{w:?}"
        );
    }
    let _ = parse_yes_no(w);
    for kind in [TargetKind::Percent, TargetKind::Number, TargetKind::YesNo] {
        if let Some(v) = kind.parse_value(w) {
            value(v);
        }
        if let Some(Goal::AtLeast(g) | Goal::AtMost(g)) = Goal::parse(kind, w) {
            value(g);
            assert!(g >= 0.0);
        }
    }
    if let Ok(c) = parse_code(w) {
        code(c.as_str());
        assert_eq!(c.as_str(), w.to_ascii_uppercase());
    }
    if let Ok(c) = parse_target_code(w) {
        code(c.as_str());
    }
    if let Some(d) = parse_date(w) {
        assert_eq!(d.format("%Y-%m-%d").to_string(), w);
    }
    let _ = parse_time(w);
    if let Some(days) = parse_remind(w) {
        assert!((1..=10).contains(&days.len()));
        assert!(days.iter().all(|d| (1..=365).contains(d)));
    }
    let _ = parse_tz(w);
    if let Some(y) = parse_year(w) {
        assert!((2000..=2100).contains(&y));
    }
    let _ = by_code(w);
}

fn arguments(args: &str) {
    if let Ok(u) = AddUnit::parse(args) {
        code(u.code.as_str());
        text(&u.name, MAX_NAME);
    }
    if let Ok(t) = TargetAdd::parse(args) {
        code(t.code.as_str());
        text(&t.name, MAX_NAME);
        assert!((1..=MAX_WEIGHT).contains(&t.weight));
        if let Goal::AtLeast(g) | Goal::AtMost(g) = t.goal {
            value(g);
        }
    }
    if let Ok(t) = TargetSet::parse(args) {
        code(t.unit.as_str());
        code(t.target.as_str());
    }
    if let Ok(r) = Report::parse(args) {
        code(r.target.as_str());
        text(&r.note, MAX_NOTE);
    }
    if let Ok(a) = StandingsArgs::parse(args) {
        assert!(a.year.is_none_or(|y| (2000..=2100).contains(&y)));
    }
    if let Ok(n) = parse_name(args) {
        assert!(!n.is_empty());
        text(&n, MAX_NAME);
    }
    if let Ok(n) = parse_note(args) {
        text(&n, MAX_NOTE);
    }
}
