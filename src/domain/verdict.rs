//! The verdict (bình xét): the secret ballot's picks and the arguments of
//! `/ballot`, `/propose`, `/proposals` and `/minutes`.

use super::args::{parse_code, parse_name, shorten, split_args};
use super::code::Code;
use super::period::parse_year;
use super::refusal::{CommandKind, Refusal};
use super::title::{Title, by_code};

/// The most candidates a ballot can have: one bit of [`Picks`] each, and
/// well under Telegram's 100 buttons a message.
pub const MAX_CANDIDATES: usize = 64;

/// The longest a ballot stays open, in hours (two weeks).
pub const MAX_HOURS: u32 = 336;

/// `/ballot …`
#[derive(Debug, Clone, PartialEq)]
pub enum BallotCmd {
    /// `/ballot`: the open ballot, or the last result.
    Show,
    /// `/ballot open <K> <hours> <question>`.
    Open {
        /// Most units a voter may pick.
        picks: u32,
        /// Hours until it closes itself.
        hours: u32,
        /// What is asked.
        question: String,
    },
    /// `/ballot close`.
    Close,
}

impl BallotCmd {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<BallotCmd, Refusal> {
        let words = split_args(args, 4);
        match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
            None => Ok(BallotCmd::Show),
            Some("close") if words.len() == 1 => Ok(BallotCmd::Close),
            Some("open") => {
                let [_, k, h, q] = words[..] else {
                    return Err(Refusal::BadUsage);
                };
                let picks = k
                    .parse()
                    .ok()
                    .filter(|k| (1..=MAX_CANDIDATES as u32).contains(k))
                    .ok_or_else(|| Refusal::BadPicks(shorten(k)))?;
                let hours = h
                    .parse()
                    .ok()
                    .filter(|h| (1..=MAX_HOURS).contains(h))
                    .ok_or_else(|| Refusal::BadHours(shorten(h)))?;
                Ok(BallotCmd::Open {
                    picks,
                    hours,
                    question: parse_name(q)?,
                })
            }
            Some(_) => Err(Refusal::BadUsage),
        }
    }

    /// The command kind whose usage a refusal shows.
    pub fn kind(args: &str) -> CommandKind {
        match split_args(args, 2)
            .first()
            .map(|w| w.to_ascii_lowercase())
            .as_deref()
        {
            Some("open") => CommandKind::BallotOpen,
            Some("close") => CommandKind::BallotClose,
            _ => CommandKind::Ballot,
        }
    }
}

/// The units a voter picked, as bits of their slots on the ballot. It
/// travels in the ballot's buttons, never in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Picks(u64);

impl Picks {
    /// No pick yet.
    pub const NONE: Picks = Picks(0);

    /// Whether the unit in `slot` is picked.
    pub fn has(self, slot: u8) -> bool {
        slot < 64 && self.0 & (1 << slot) != 0
    }

    /// How many units are picked.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// The picked slots, in order.
    pub fn slots(self) -> impl Iterator<Item = u8> {
        (0u8..64).filter(move |s| self.has(*s))
    }

    /// Picks or unpicks `slot` of a ballot with `candidates` units, where
    /// at most `most` may be picked.
    pub fn toggle(self, slot: u8, candidates: usize, most: u32) -> Result<Picks, Refusal> {
        if usize::from(slot) >= candidates.min(MAX_CANDIDATES) {
            return Err(Refusal::BallotStale);
        }
        let next = Picks(self.0 ^ (1 << slot));
        if next.count() > most {
            return Err(Refusal::TooManyPicks { most });
        }
        Ok(next)
    }

    /// Checks picks that came back from a button: only slots of the
    /// ballot, at most `most` of them.
    pub fn valid(self, candidates: usize, most: u32) -> Result<Picks, Refusal> {
        if self.slots().any(|s| usize::from(s) >= candidates) {
            return Err(Refusal::BallotStale);
        }
        if self.count() > most {
            return Err(Refusal::TooManyPicks { most });
        }
        Ok(self)
    }

    /// As written in a button's data: hexadecimal.
    pub fn to_hex(self) -> String {
        format!("{:x}", self.0)
    }

    /// Reads [`Picks::to_hex`].
    pub fn from_hex(s: &str) -> Option<Picks> {
        if s.is_empty() || s.len() > 16 {
            return None;
        }
        u64::from_str_radix(s, 16).ok().map(Picks)
    }
}

/// `/propose <UNIT> <TITLE> [reason]` or `/propose remove <UNIT> <TITLE>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposeArgs {
    /// Withdraw the proposal rather than make it.
    pub remove: bool,
    /// The unit proposed.
    pub unit: Code,
    /// The title proposed for.
    pub title: &'static Title,
    /// Why; may be empty.
    pub reason: String,
}

impl ProposeArgs {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<ProposeArgs, Refusal> {
        let (remove, args) = match split_args(args, 2)[..] {
            [w, rest] if w.eq_ignore_ascii_case("remove") => (true, rest),
            _ => (false, args),
        };
        let words = split_args(args, 3);
        let (unit, title, reason) = match (remove, &words[..]) {
            (_, [u, t]) => (u, t, ""),
            (false, [u, t, r]) => (u, t, *r),
            _ => return Err(Refusal::BadUsage),
        };
        let unit = parse_code(unit)?;
        let title = by_code(title).ok_or_else(|| Refusal::UnknownTitle(shorten(title)))?;
        let reason = if reason.is_empty() {
            String::new()
        } else {
            parse_name(reason)?
        };
        Ok(ProposeArgs {
            remove,
            unit,
            title,
            reason,
        })
    }
}

/// `[year]` of `/proposals` and `/minutes`.
pub fn parse_year_arg(args: &str) -> Result<Option<i32>, Refusal> {
    match split_args(args, 2)[..] {
        [] => Ok(None),
        [y] => parse_year(y)
            .map(Some)
            .ok_or_else(|| Refusal::BadYear(shorten(y))),
        _ => Err(Refusal::BadUsage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ballot_opens_with_picks_hours_and_a_question() {
        assert_eq!(
            BallotCmd::parse("open 3 48 Suy tôn đơn vị dẫn đầu khối"),
            Ok(BallotCmd::Open {
                picks: 3,
                hours: 48,
                question: "Suy tôn đơn vị dẫn đầu khối".into()
            })
        );
        assert_eq!(BallotCmd::parse(""), Ok(BallotCmd::Show));
        assert_eq!(BallotCmd::parse(" CLOSE "), Ok(BallotCmd::Close));
    }

    #[test]
    fn a_ballot_with_bad_picks_hours_or_no_question_is_refused() {
        assert_eq!(
            BallotCmd::parse("open 0 48 Q"),
            Err(Refusal::BadPicks("0".into()))
        );
        assert_eq!(
            BallotCmd::parse("open 65 48 Q"),
            Err(Refusal::BadPicks("65".into()))
        );
        assert_eq!(
            BallotCmd::parse("open 1 0 Q"),
            Err(Refusal::BadHours("0".into()))
        );
        assert_eq!(
            BallotCmd::parse("open 1 337 Q"),
            Err(Refusal::BadHours("337".into()))
        );
        assert_eq!(
            BallotCmd::parse("open 1 x Q"),
            Err(Refusal::BadHours("x".into()))
        );
        assert_eq!(BallotCmd::parse("open 1 24"), Err(Refusal::BadUsage));
        assert_eq!(BallotCmd::parse("close now"), Err(Refusal::BadUsage));
        assert_eq!(BallotCmd::parse("start"), Err(Refusal::BadUsage));
        assert_eq!(BallotCmd::kind("open"), CommandKind::BallotOpen);
        assert_eq!(BallotCmd::kind("Close"), CommandKind::BallotClose);
        assert_eq!(BallotCmd::kind("x"), CommandKind::Ballot);
    }

    #[test]
    fn picks_toggle_within_the_ballot_and_its_limit() {
        let p = Picks::NONE.toggle(0, 11, 2).unwrap();
        let p = p.toggle(10, 11, 2).unwrap();
        assert_eq!(p.slots().collect::<Vec<_>>(), vec![0, 10]);
        assert_eq!(p.toggle(5, 11, 2), Err(Refusal::TooManyPicks { most: 2 }));
        assert_eq!(p.toggle(11, 11, 2), Err(Refusal::BallotStale));
        assert_eq!(
            p.toggle(0, 11, 2).unwrap().slots().collect::<Vec<_>>(),
            vec![10]
        );
        assert_eq!(Picks::from_hex(&p.to_hex()), Some(p));
        assert_eq!(Picks::from_hex("10000000000000000"), None);
        assert_eq!(Picks::from_hex(""), None);
        assert_eq!(Picks::from_hex("xyz"), None);
        assert_eq!(
            Picks::from_hex("ffff").unwrap().valid(11, 64),
            Err(Refusal::BallotStale)
        );
        assert_eq!(
            Picks::from_hex("7").unwrap().valid(11, 2),
            Err(Refusal::TooManyPicks { most: 2 })
        );
        assert!(Picks::from_hex("63").unwrap().toggle(63, 64, 64).is_ok());
    }

    #[test]
    fn a_proposal_names_a_unit_and_a_title_of_the_catalogue() {
        let p = ProposeArgs::parse("tnmt co_tinh Dẫn đầu khối hai năm liền").unwrap();
        assert!(!p.remove);
        assert_eq!(p.unit.as_str(), "TNMT");
        assert_eq!(p.title.code, "CO_TINH");
        assert_eq!(p.reason, "Dẫn đầu khối hai năm liền");
        let r = ProposeArgs::parse("remove TNMT CO_TINH").unwrap();
        assert!(r.remove && r.reason.is_empty());
        assert_eq!(
            ProposeArgs::parse("TNMT HUAN_CHUONG"),
            Err(Refusal::UnknownTitle("HUAN_CHUONG".into()))
        );
        assert_eq!(ProposeArgs::parse("TNMT"), Err(Refusal::BadUsage));
        assert_eq!(
            ProposeArgs::parse("remove TNMT CO_TINH x"),
            Err(Refusal::BadUsage)
        );
        assert!(matches!(
            ProposeArgs::parse("T!NMT CO_TINH"),
            Err(Refusal::BadCode(_))
        ));
    }

    proptest::proptest! {
        /// Any text: a refusal or arguments within their bounds, never a panic.
        #[test]
        fn any_text_parses_within_bounds_or_is_refused(s in "\\PC{0,80}|open \\PC{0,40}|remove \\PC{0,40}") {
            if let Ok(BallotCmd::Open { picks, hours, question }) = BallotCmd::parse(&s) {
                proptest::prop_assert!((1..=64).contains(&picks) && (1..=MAX_HOURS).contains(&hours));
                proptest::prop_assert!(!question.is_empty() && question.chars().count() <= 200);
            }
            if let Ok(p) = ProposeArgs::parse(&s) {
                proptest::prop_assert!(by_code(p.title.code).is_some());
                proptest::prop_assert!(p.reason.chars().all(|c| !c.is_control()));
            }
            if let Some(p) = Picks::from_hex(&s) {
                proptest::prop_assert_eq!(Picks::from_hex(&p.to_hex()), Some(p));
            }
            let _ = parse_year_arg(&s);
        }
    }

    #[test]
    fn a_year_argument_is_a_year_or_nothing() {
        assert_eq!(parse_year_arg(""), Ok(None));
        assert_eq!(parse_year_arg("2026"), Ok(Some(2026)));
        assert_eq!(parse_year_arg("26"), Err(Refusal::BadYear("26".into())));
        assert_eq!(parse_year_arg("2026 x"), Err(Refusal::BadUsage));
    }
}
