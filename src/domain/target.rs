//! Targets (chỉ tiêu): kinds, goals and the values reported against them.

use super::value::{parse_number, parse_yes_no};

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A percentage, e.g. share of staff rated excellent.
    Percent,
    /// A count or an amount.
    Number,
    /// Achieved or not, e.g. Party cell rated "Trong sạch vững mạnh".
    YesNo,
}

impl TargetKind {
    /// Parses `percent`, `number` or `yesno`.
    pub fn parse(raw: &str) -> Option<TargetKind> {
        match raw.to_ascii_lowercase().as_str() {
            "percent" | "%" => Some(TargetKind::Percent),
            "number" => Some(TargetKind::Number),
            "yesno" => Some(TargetKind::YesNo),
            _ => None,
        }
    }

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Percent => "percent",
            TargetKind::Number => "number",
            TargetKind::YesNo => "yesno",
        }
    }

    /// Parses a reported value for a target of this kind; yes/no is 1 or 0.
    pub fn parse_value(self, raw: &str) -> Option<f64> {
        match self {
            TargetKind::YesNo => parse_yes_no(raw).map(|b| if b { 1.0 } else { 0.0 }),
            TargetKind::Percent | TargetKind::Number => parse_number(raw),
        }
    }
}

/// A confirmed target of a bloc's year.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Row id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Kind.
    pub kind: TargetKind,
    /// The bloc-wide goal.
    pub goal: Goal,
    /// Weight in points.
    pub weight: u32,
    /// Name.
    pub name: String,
}

/// A goal: at least, at most, or exactly yes/no.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// `>=N` (or plain `N`).
    AtLeast(f64),
    /// `<=N`.
    AtMost(f64),
    /// `yes` or `no` for a yes/no target.
    Is(bool),
}

impl Goal {
    /// Parses a goal for a target of `kind`. Numeric goals must not be negative.
    pub fn parse(kind: TargetKind, raw: &str) -> Option<Goal> {
        if kind == TargetKind::YesNo {
            return parse_yes_no(raw).map(Goal::Is);
        }
        let raw = raw.replace('≥', ">=").replace('≤', "<=");
        let (make, rest): (fn(f64) -> Goal, &str) = if let Some(r) = raw.strip_prefix(">=") {
            (Goal::AtLeast, r)
        } else if let Some(r) = raw.strip_prefix("<=") {
            (Goal::AtMost, r)
        } else {
            (Goal::AtLeast, raw.as_str())
        };
        parse_number(rest).filter(|v| *v >= 0.0).map(make)
    }

    /// Stored form: operator and number.
    pub fn to_parts(self) -> (&'static str, f64) {
        match self {
            Goal::AtLeast(g) => (">=", g),
            Goal::AtMost(g) => ("<=", g),
            Goal::Is(b) => ("=", if b { 1.0 } else { 0.0 }),
        }
    }

    /// Rebuilds a goal from its stored form.
    pub fn from_parts(op: &str, goal: f64) -> Option<Goal> {
        match op {
            ">=" => Some(Goal::AtLeast(goal)),
            "<=" => Some(Goal::AtMost(goal)),
            "=" => Some(Goal::Is(goal != 0.0)),
            _ => None,
        }
    }

    /// How much of this goal a value achieves, in [0, 1]; the contract's formula.
    pub fn achievement(self, value: Option<f64>) -> f64 {
        let Some(v) = value else { return 0.0 };
        let a = match self {
            Goal::AtLeast(0.0) => {
                if v >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Goal::AtLeast(g) => (v / g).min(1.0),
            Goal::AtMost(g) if v <= g => 1.0,
            Goal::AtMost(0.0) => 0.0,
            Goal::AtMost(g) => g / v,
            Goal::Is(b) => {
                if (v != 0.0) == b {
                    1.0
                } else {
                    0.0
                }
            }
        };
        // A negative value (a loss against a profit goal) earns nothing rather
        // than taking points away from other targets.
        a.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_parse_with_operator_or_plain_number() {
        let p = TargetKind::Percent;
        assert_eq!(Goal::parse(p, ">=100"), Some(Goal::AtLeast(100.0)));
        assert_eq!(Goal::parse(p, "15"), Some(Goal::AtLeast(15.0)));
        assert_eq!(Goal::parse(p, "≥98%"), Some(Goal::AtLeast(98.0)));
        assert_eq!(
            Goal::parse(TargetKind::Number, "<=0"),
            Some(Goal::AtMost(0.0))
        );
        assert_eq!(Goal::parse(TargetKind::YesNo, "yes"), Some(Goal::Is(true)));
        assert_eq!(
            Goal::parse(TargetKind::YesNo, "không"),
            Some(Goal::Is(false))
        );
    }

    #[test]
    fn bad_goals_are_refused() {
        assert_eq!(Goal::parse(TargetKind::Percent, ">=-5"), None);
        assert_eq!(Goal::parse(TargetKind::Percent, "=>5"), None);
        assert_eq!(Goal::parse(TargetKind::Percent, "yes"), None);
        assert_eq!(Goal::parse(TargetKind::YesNo, "100"), None);
        assert_eq!(Goal::parse(TargetKind::Number, ">="), None);
    }

    #[test]
    fn at_least_goal_is_the_share_achieved_capped_at_one() {
        assert_eq!(Goal::AtLeast(100.0).achievement(Some(60.9)), 0.609);
        assert_eq!(Goal::AtLeast(15.0).achievement(Some(30.0)), 1.0);
        assert_eq!(Goal::AtLeast(2.0).achievement(Some(1.0)), 0.5);
    }

    #[test]
    fn at_least_zero_is_met_by_any_non_negative_value() {
        assert_eq!(Goal::AtLeast(0.0).achievement(Some(0.0)), 1.0);
        assert_eq!(Goal::AtLeast(0.0).achievement(Some(-1.0)), 0.0);
    }

    #[test]
    fn at_most_goal_is_met_at_or_below_and_scaled_above() {
        assert_eq!(Goal::AtMost(4.0).achievement(Some(4.0)), 1.0);
        assert_eq!(Goal::AtMost(4.0).achievement(Some(2.0)), 1.0);
        assert_eq!(Goal::AtMost(4.0).achievement(Some(5.0)), 0.8);
        assert_eq!(Goal::AtMost(0.0).achievement(Some(0.0)), 1.0);
        assert_eq!(Goal::AtMost(0.0).achievement(Some(1.0)), 0.0);
    }

    #[test]
    fn yes_no_goal_is_all_or_nothing() {
        assert_eq!(Goal::Is(true).achievement(Some(1.0)), 1.0);
        assert_eq!(Goal::Is(true).achievement(Some(0.0)), 0.0);
        assert_eq!(Goal::Is(false).achievement(Some(0.0)), 1.0);
        assert_eq!(Goal::Is(false).achievement(Some(1.0)), 0.0);
    }

    #[test]
    fn a_missing_value_achieves_nothing() {
        assert_eq!(Goal::AtLeast(100.0).achievement(None), 0.0);
        assert_eq!(Goal::AtMost(0.0).achievement(None), 0.0);
        assert_eq!(Goal::Is(false).achievement(None), 0.0);
    }

    #[test]
    fn negative_values_against_a_positive_goal_earn_zero() {
        assert_eq!(Goal::AtLeast(10.0).achievement(Some(-5.0)), 0.0);
    }

    #[test]
    fn values_parse_by_kind() {
        assert_eq!(TargetKind::YesNo.parse_value("có"), Some(1.0));
        assert_eq!(TargetKind::Percent.parse_value("60,9%"), Some(60.9));
        assert_eq!(TargetKind::Number.parse_value("yes"), None);
    }

    #[test]
    fn stored_parts_round_trip() {
        for g in [
            Goal::AtLeast(15.0),
            Goal::AtMost(0.0),
            Goal::Is(true),
            Goal::Is(false),
        ] {
            let (op, n) = g.to_parts();
            assert_eq!(Goal::from_parts(op, n), Some(g));
        }
    }
}
