//! Corrections after approval (giải trình, sửa số liệu) and evidence
//! (minh chứng): the commands' arguments.

use super::args::{parse_code, parse_name, shorten, split_args};
use super::code::Code;
use super::period::Period;
use super::refusal::Refusal;

/// The most evidence files one value may have.
pub const MAX_EVIDENCE: usize = 10;

/// `/correct <TARGET> [mid|final] <value> <reason>`.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectArgs {
    /// The target.
    pub target: Code,
    /// The period named, if any.
    pub period: Option<Period>,
    /// The new value as typed (parsed for the target's kind by the caller).
    pub value: String,
    /// Why (required).
    pub reason: String,
}

impl CorrectArgs {
    /// Parses the arguments.
    pub fn parse(args: &str) -> Result<CorrectArgs, Refusal> {
        let words = split_args(args, 2);
        let Some(target) = words.first() else {
            return Err(Refusal::BadUsage);
        };
        let target = parse_code(target)?;
        let (period, rest) = period_then_rest(words.get(1).copied().unwrap_or(""));
        let (value, reason) = match split_args(rest, 2)[..] {
            [v, r] => (v.to_owned(), r),
            [_] => return Err(Refusal::ReasonNeeded),
            _ => return Err(Refusal::BadUsage),
        };
        Ok(CorrectArgs {
            target,
            period,
            value,
            reason: parse_name(reason)?,
        })
    }
}

/// `/accept <N>`: a request's number.
pub fn parse_request_no(args: &str) -> Result<i64, Refusal> {
    match split_args(args, 2)[..] {
        [n] => request_no(n),
        _ => Err(Refusal::BadUsage),
    }
}

/// `/reject <N> <reason>`.
pub fn parse_reject(args: &str) -> Result<(i64, String), Refusal> {
    match split_args(args, 2)[..] {
        [n, reason] => Ok((request_no(n)?, parse_name(reason)?)),
        [n] => {
            request_no(n)?;
            Err(Refusal::ReasonNeeded)
        }
        _ => Err(Refusal::BadUsage),
    }
}

fn request_no(raw: &str) -> Result<i64, Refusal> {
    let raw = raw.strip_prefix('#').unwrap_or(raw);
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| Refusal::BadRequestNo(shorten(raw)))
}

/// `/evidence <TARGET> [mid|final]` (attach the file it comes with) or
/// `/evidence <UNIT> <TARGET> [mid|final]` (send a value's files again).
#[derive(Debug, Clone, PartialEq)]
pub enum EvidenceArgs {
    /// Attach to the head's own unit's value.
    Attach {
        /// The target.
        target: Code,
        /// The period named, if any.
        period: Option<Period>,
    },
    /// Send the files of a unit's value.
    List {
        /// The unit.
        unit: Code,
        /// The target.
        target: Code,
        /// The period named, if any.
        period: Option<Period>,
    },
}

impl EvidenceArgs {
    /// Parses the arguments: a second word that is a period makes the
    /// first a target; otherwise two codes are a unit and a target.
    pub fn parse(args: &str) -> Result<EvidenceArgs, Refusal> {
        let period = |p: &str| Period::parse(p).ok_or_else(|| Refusal::BadPeriod(shorten(p)));
        match split_args(args, 4)[..] {
            [t] => Ok(EvidenceArgs::Attach {
                target: parse_code(t)?,
                period: None,
            }),
            [t, p] if Period::parse(p).is_some() => Ok(EvidenceArgs::Attach {
                target: parse_code(t)?,
                period: Period::parse(p),
            }),
            [u, t] => Ok(EvidenceArgs::List {
                unit: parse_code(u)?,
                target: parse_code(t)?,
                period: None,
            }),
            [u, t, p] => Ok(EvidenceArgs::List {
                unit: parse_code(u)?,
                target: parse_code(t)?,
                period: Some(period(p)?),
            }),
            _ => Err(Refusal::BadUsage),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> Code {
        Code::parse(c).unwrap()
    }

    #[test]
    fn a_correction_names_target_period_value_and_reason() {
        assert_eq!(
            CorrectArgs::parse("THU final 75,5 Số liệu kho bạc  đã chốt"),
            Ok(CorrectArgs {
                target: code("THU"),
                period: Some(Period::Final),
                value: "75,5".into(),
                reason: "Số liệu kho bạc đã chốt".into(),
            })
        );
        let c = CorrectArgs::parse("tsvm yes Đã có quyết định").unwrap();
        assert_eq!((c.period, c.value.as_str()), (None, "yes"));
        assert_eq!(CorrectArgs::parse("THU 75"), Err(Refusal::ReasonNeeded));
        assert_eq!(CorrectArgs::parse("THU mid"), Err(Refusal::BadUsage));
        assert_eq!(CorrectArgs::parse(""), Err(Refusal::BadUsage));
    }

    #[test]
    fn request_numbers_are_positive_integers() {
        assert_eq!(parse_request_no("3"), Ok(3));
        assert_eq!(parse_request_no("#12"), Ok(12));
        for bad in ["0", "-1", "x", "+3", "1.5"] {
            assert_eq!(
                parse_request_no(bad),
                Err(Refusal::BadRequestNo(bad.trim_start_matches('#').into())),
                "{bad}"
            );
        }
        assert_eq!(parse_request_no(""), Err(Refusal::BadUsage));
        assert_eq!(parse_request_no("1 2"), Err(Refusal::BadUsage));
        assert_eq!(
            parse_reject("2 Không có chứng từ"),
            Ok((2, "Không có chứng từ".into()))
        );
        assert_eq!(parse_reject("2"), Err(Refusal::ReasonNeeded));
        assert_eq!(
            parse_reject("x lý do"),
            Err(Refusal::BadRequestNo("x".into()))
        );
    }

    #[test]
    fn evidence_attaches_with_a_target_and_lists_with_a_unit_and_a_target() {
        assert_eq!(
            EvidenceArgs::parse("THU"),
            Ok(EvidenceArgs::Attach {
                target: code("THU"),
                period: None
            })
        );
        assert_eq!(
            EvidenceArgs::parse("THU final"),
            Ok(EvidenceArgs::Attach {
                target: code("THU"),
                period: Some(Period::Final)
            })
        );
        assert_eq!(
            EvidenceArgs::parse("U0 THU"),
            Ok(EvidenceArgs::List {
                unit: code("U0"),
                target: code("THU"),
                period: None
            })
        );
        assert_eq!(
            EvidenceArgs::parse("U0 THU mid"),
            Ok(EvidenceArgs::List {
                unit: code("U0"),
                target: code("THU"),
                period: Some(Period::Mid)
            })
        );
        assert_eq!(
            EvidenceArgs::parse("U0 THU soon"),
            Err(Refusal::BadPeriod("soon".into()))
        );
        assert_eq!(EvidenceArgs::parse(""), Err(Refusal::BadUsage));
        assert_eq!(EvidenceArgs::parse("a b c d"), Err(Refusal::BadUsage));
    }
}
