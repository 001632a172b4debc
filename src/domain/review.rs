//! Review (thẩm định) of a unit's results for one period: the states, the
//! moves between them, and the bonus and penalty points (điểm cộng, điểm
//! trừ) that the score adds.

use super::args::{parse_code, parse_name, shorten, split_args};
use super::code::Code;
use super::period::Period;
use super::refusal::Refusal;

/// Where a unit's results for a period stand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReviewState {
    /// The head reports (also: a bloc that never uses `/submit`).
    #[default]
    Open,
    /// Submitted for review: locked for the head.
    Submitted,
    /// Approved: final; a change goes through a correction.
    Approved,
    /// Sent back with a reason: the head reports and submits again.
    Returned(String),
}

impl ReviewState {
    /// The state as stored: `state` is one of `submitted`, `approved`,
    /// `returned` (no row: open); `reason` is the last return's.
    pub fn from_stored(state: &str, reason: Option<&str>) -> Option<ReviewState> {
        match state {
            "submitted" => Some(ReviewState::Submitted),
            "approved" => Some(ReviewState::Approved),
            "returned" => Some(ReviewState::Returned(reason.unwrap_or_default().to_owned())),
            _ => None,
        }
    }

    /// The stored name of the state; `None` for open (no row).
    pub fn stored(&self) -> Option<&'static str> {
        match self {
            ReviewState::Open => None,
            ReviewState::Submitted => Some("submitted"),
            ReviewState::Approved => Some("approved"),
            ReviewState::Returned(_) => Some("returned"),
        }
    }

    /// Whether the head may still report values for the period.
    pub fn reportable(&self) -> Result<(), Refusal> {
        match self {
            ReviewState::Open | ReviewState::Returned(_) => Ok(()),
            ReviewState::Submitted => Err(Refusal::ReportLocked { approved: false }),
            ReviewState::Approved => Err(Refusal::ReportLocked { approved: true }),
        }
    }

    /// `/submit`: from open or returned.
    pub fn submit(&self) -> Result<ReviewState, Refusal> {
        match self {
            ReviewState::Open | ReviewState::Returned(_) => Ok(ReviewState::Submitted),
            ReviewState::Submitted => Err(Refusal::AlreadySubmitted),
            ReviewState::Approved => Err(Refusal::AlreadyApproved),
        }
    }

    /// `/approve`: a submitted unit only.
    pub fn approve(&self) -> Result<ReviewState, Refusal> {
        match self {
            ReviewState::Submitted => Ok(ReviewState::Approved),
            ReviewState::Approved => Err(Refusal::AlreadyApproved),
            ReviewState::Open | ReviewState::Returned(_) => Err(Refusal::NotSubmitted),
        }
    }

    /// `/return` with `reason`: a submitted unit only.
    pub fn send_back(&self, reason: &str) -> Result<ReviewState, Refusal> {
        match self {
            ReviewState::Submitted => Ok(ReviewState::Returned(reason.to_owned())),
            ReviewState::Approved => Err(Refusal::AlreadyApproved),
            ReviewState::Open | ReviewState::Returned(_) => Err(Refusal::NotSubmitted),
        }
    }
}

/// A bonus or penalty in tenths of a point: one decimal, 0 < |N| ≤ 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Points(i64);

/// The most one entry may add or take.
const MOST_TENTHS: i64 = 1000;

impl Points {
    /// `+5`, `-2.5`, `+0,5` (a comma as decimal point too). The sign is
    /// required: an entry says whether it adds or takes.
    pub fn parse(raw: &str) -> Option<Points> {
        let raw = raw.trim();
        let first = raw.chars().next()?;
        let sign = match first {
            '+' => 1,
            '-' | '−' => -1,
            _ => return None,
        };
        let digits = &raw[first.len_utf8()..];
        let digits = digits.replace(',', ".");
        let (whole, tenth) = match digits.split_once('.') {
            Some((w, t)) if t.len() == 1 => (w, t),
            Some(_) => return None,
            None => (digits.as_str(), "0"),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 3 {
            return None;
        }
        let tenth: i64 = tenth
            .parse()
            .ok()
            .filter(|_| tenth.bytes().all(|b| b.is_ascii_digit()))?;
        let tenths = whole.parse::<i64>().ok()? * 10 + tenth;
        (tenths > 0 && tenths <= MOST_TENTHS).then_some(Points(sign * tenths))
    }

    /// From stored tenths.
    pub fn from_tenths(tenths: i64) -> Points {
        Points(tenths)
    }

    /// In tenths, as stored.
    pub fn tenths(self) -> i64 {
        self.0
    }

    /// In points.
    pub fn value(self) -> f64 {
        self.0 as f64 / 10.0
    }
}

// ------------------------------------------- the review commands' arguments

/// `/submit [mid|final]`: the period named, if any.
pub fn parse_submit(args: &str) -> Result<Option<Period>, Refusal> {
    match split_args(args, 2)[..] {
        [] => Ok(None),
        [p] => Period::parse(p)
            .map(Some)
            .ok_or_else(|| Refusal::BadPeriod(shorten(p))),
        _ => Err(Refusal::BadUsage),
    }
}

/// `<UNIT> [mid|final] [text]`: `/review <UNIT>`, `/approve`, `/return`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitArgs {
    /// The unit.
    pub unit: Code,
    /// The period named, if any.
    pub period: Option<Period>,
    /// What follows (a reason), cleaned; may be empty.
    pub rest: String,
}

impl UnitArgs {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<UnitArgs, Refusal> {
        let words = split_args(args, 2);
        let Some(unit) = words.first() else {
            return Err(Refusal::BadUsage);
        };
        let (period, rest) = period_then_rest(words.get(1).copied().unwrap_or(""));
        Ok(UnitArgs {
            unit: parse_code(unit)?,
            period,
            rest: clean_reason(rest)?,
        })
    }
}

/// `/review [UNIT] [mid|final]`: a unit's sheet, or who waits.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewArgs {
    /// Every unit's state for the period.
    List(Option<Period>),
    /// One unit.
    Unit(Code, Option<Period>),
}

impl ReviewArgs {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<ReviewArgs, Refusal> {
        let words = split_args(args, 3);
        match words[..] {
            [] => Ok(ReviewArgs::List(None)),
            [p] if Period::parse(p).is_some() => Ok(ReviewArgs::List(Period::parse(p))),
            [u] => Ok(ReviewArgs::Unit(parse_code(u)?, None)),
            [u, p] => Ok(ReviewArgs::Unit(
                parse_code(u)?,
                Some(Period::parse(p).ok_or_else(|| Refusal::BadPeriod(shorten(p)))?),
            )),
            _ => Err(Refusal::BadUsage),
        }
    }
}

/// `/exempt <UNIT> <TARGET> [mid|final] <reason>` and
/// `/exempt remove <UNIT> <TARGET> [mid|final]`. No period: both.
#[derive(Debug, Clone, PartialEq)]
pub struct ExemptArgs {
    /// Ends the exemption instead.
    pub remove: bool,
    /// The unit.
    pub unit: Code,
    /// The target.
    pub target: Code,
    /// The period named; none means both.
    pub period: Option<Period>,
    /// Why (required to exempt).
    pub reason: String,
}

impl ExemptArgs {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<ExemptArgs, Refusal> {
        let first = split_args(args, 2);
        let (remove, args) = match first[..] {
            [w, rest] if w.eq_ignore_ascii_case("remove") => (true, rest),
            [w] if w.eq_ignore_ascii_case("remove") => return Err(Refusal::BadUsage),
            _ => (false, args),
        };
        let words = split_args(args, 3);
        let (unit, target) = match words[..] {
            [u, t, ..] => (parse_code(u)?, parse_code(t)?),
            _ => return Err(Refusal::BadUsage),
        };
        let (period, rest) = period_then_rest(words.get(2).copied().unwrap_or(""));
        let reason = clean_reason(rest)?;
        match (remove, reason.is_empty()) {
            (false, true) => Err(Refusal::ReasonRequired),
            (true, false) => Err(Refusal::BadUsage),
            _ => Ok(ExemptArgs {
                remove,
                unit,
                target,
                period,
                reason,
            }),
        }
    }
}

/// `/points <UNIT> <+N|-N> [mid|final] <reason>` and `/points <UNIT> [mid|final]`.
#[derive(Debug, Clone, PartialEq)]
pub enum PointsArgs {
    /// Adds an entry.
    Add {
        /// The unit.
        unit: Code,
        /// The amount.
        points: Points,
        /// The period named, if any.
        period: Option<Period>,
        /// Why.
        reason: String,
    },
    /// Lists the unit's entries.
    List {
        /// The unit.
        unit: Code,
        /// The period named, if any.
        period: Option<Period>,
    },
}

impl PointsArgs {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<PointsArgs, Refusal> {
        let words = split_args(args, 3);
        let (unit, second) = match words[..] {
            [u] => {
                return Ok(PointsArgs::List {
                    unit: parse_code(u)?,
                    period: None,
                });
            }
            [u, s, ..] => (parse_code(u)?, s),
            _ => return Err(Refusal::BadUsage),
        };
        if let Some(p) = Period::parse(second) {
            if words.len() > 2 {
                return Err(Refusal::BadUsage);
            }
            return Ok(PointsArgs::List {
                unit,
                period: Some(p),
            });
        }
        let points = Points::parse(second).ok_or_else(|| Refusal::BadPoints(shorten(second)))?;
        let (period, rest) = period_then_rest(words.get(2).copied().unwrap_or(""));
        let reason = clean_reason(rest)?;
        if reason.is_empty() {
            return Err(Refusal::ReasonRequired);
        }
        Ok(PointsArgs::Add {
            unit,
            points,
            period,
            reason,
        })
    }
}

/// An optional leading `mid`/`final`, then the rest of the text.
fn period_then_rest(text: &str) -> (Option<Period>, &str) {
    let words = split_args(text, 2);
    match words.first().and_then(|w| Period::parse(w)) {
        Some(p) => (Some(p), words.get(1).copied().unwrap_or("")),
        None => (None, text),
    }
}

/// A reason: may be empty here (the caller says whether it is required).
fn clean_reason(raw: &str) -> Result<String, Refusal> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    parse_name(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_moves_open_submitted_returned_submitted_approved() {
        let open = ReviewState::Open;
        assert!(open.reportable().is_ok());
        let submitted = open.submit().unwrap();
        assert_eq!(
            submitted.reportable(),
            Err(Refusal::ReportLocked { approved: false })
        );
        let returned = submitted.send_back("thiếu minh chứng").unwrap();
        assert_eq!(returned, ReviewState::Returned("thiếu minh chứng".into()));
        assert!(returned.reportable().is_ok());
        let approved = returned.submit().unwrap().approve().unwrap();
        assert_eq!(
            approved.reportable(),
            Err(Refusal::ReportLocked { approved: true })
        );
    }

    #[test]
    fn moves_out_of_turn_are_refused() {
        assert_eq!(ReviewState::Open.approve(), Err(Refusal::NotSubmitted));
        assert_eq!(ReviewState::Open.send_back("x"), Err(Refusal::NotSubmitted));
        assert_eq!(
            ReviewState::Submitted.submit(),
            Err(Refusal::AlreadySubmitted)
        );
        assert_eq!(
            ReviewState::Approved.submit(),
            Err(Refusal::AlreadyApproved)
        );
        assert_eq!(
            ReviewState::Approved.approve(),
            Err(Refusal::AlreadyApproved)
        );
        assert_eq!(
            ReviewState::Approved.send_back("x"),
            Err(Refusal::AlreadyApproved)
        );
    }

    #[test]
    fn states_round_trip_through_storage() {
        for s in [
            ReviewState::Submitted,
            ReviewState::Approved,
            ReviewState::Returned("lý do".into()),
        ] {
            let reason = match &s {
                ReviewState::Returned(r) => Some(r.as_str()),
                _ => None,
            };
            assert_eq!(
                ReviewState::from_stored(s.stored().unwrap(), reason),
                Some(s.clone())
            );
        }
        assert_eq!(ReviewState::Open.stored(), None);
        assert_eq!(ReviewState::from_stored("open", None), None);
    }

    #[test]
    fn points_need_a_sign_one_decimal_and_at_most_100() {
        assert_eq!(Points::parse("+5").map(Points::tenths), Some(50));
        assert_eq!(Points::parse("-2.5").map(Points::tenths), Some(-25));
        assert_eq!(Points::parse("+0,5").map(Points::tenths), Some(5));
        assert_eq!(Points::parse("+100").map(Points::tenths), Some(1000));
        assert_eq!(Points::parse("−3").map(Points::tenths), Some(-30));
        for bad in [
            "5", "+0", "-0.0", "+100.1", "+1.25", "+", "+abc", "++1", "+1e2", "", "+1000", "--3",
        ] {
            assert_eq!(Points::parse(bad), None, "{bad}");
        }
        assert_eq!(Points::from_tenths(-25).value(), -2.5);
    }

    #[test]
    fn review_arguments_parse_as_the_contract_writes_them() {
        let code = |c: &str| Code::parse(c).unwrap();
        assert_eq!(parse_submit(""), Ok(None));
        assert_eq!(parse_submit("final"), Ok(Some(Period::Final)));
        assert_eq!(parse_submit("soon"), Err(Refusal::BadPeriod("soon".into())));
        assert_eq!(ReviewArgs::parse(""), Ok(ReviewArgs::List(None)));
        assert_eq!(
            ReviewArgs::parse("mid"),
            Ok(ReviewArgs::List(Some(Period::Mid)))
        );
        assert_eq!(
            ReviewArgs::parse("tnmt final"),
            Ok(ReviewArgs::Unit(code("TNMT"), Some(Period::Final)))
        );
        let r = UnitArgs::parse("TNMT mid Thiếu  số liệu\nquý II").unwrap();
        assert_eq!(r.unit, code("TNMT"));
        assert_eq!(r.period, Some(Period::Mid));
        assert_eq!(r.rest, "Thiếu số liệu quý II");
        assert_eq!(UnitArgs::parse("TNMT").unwrap().rest, "");
        assert_eq!(UnitArgs::parse(""), Err(Refusal::BadUsage));
        let e = ExemptArgs::parse("QPT THU Quỹ không thu").unwrap();
        assert!(!e.remove && e.period.is_none() && e.reason == "Quỹ không thu");
        let e = ExemptArgs::parse("remove QPT THU final").unwrap();
        assert!(e.remove && e.period == Some(Period::Final));
        assert_eq!(ExemptArgs::parse("QPT THU"), Err(Refusal::ReasonRequired));
        assert_eq!(
            ExemptArgs::parse("remove QPT THU why"),
            Err(Refusal::BadUsage)
        );
        assert_eq!(ExemptArgs::parse("QPT"), Err(Refusal::BadUsage));
        assert_eq!(
            PointsArgs::parse("TNMT +5 final Cờ thi đua"),
            Ok(PointsArgs::Add {
                unit: code("TNMT"),
                points: Points(50),
                period: Some(Period::Final),
                reason: "Cờ thi đua".into()
            })
        );
        assert_eq!(
            PointsArgs::parse("TNMT mid"),
            Ok(PointsArgs::List {
                unit: code("TNMT"),
                period: Some(Period::Mid)
            })
        );
        assert_eq!(PointsArgs::parse("TNMT +5"), Err(Refusal::ReasonRequired));
        assert_eq!(
            PointsArgs::parse("TNMT 5 x"),
            Err(Refusal::BadPoints("5".into()))
        );
    }
}
