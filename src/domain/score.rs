//! The score and the standings: the one place that computes them.

use chrono::{DateTime, Utc};
use std::cmp::Ordering;

use super::review::ReviewState;
use super::target::Goal;

/// Scores closer than this are equal (they print the same and only differ by
/// floating-point noise), so the tie rules decide.
const SCORE_EPSILON: f64 = 1e-9;

/// One target as it counts for one unit: weight, this unit's goal, latest value.
#[derive(Debug, Clone, Copy)]
pub struct ScoreLine {
    /// Weight in points (positive).
    pub weight: u32,
    /// This unit's goal (bloc goal or the unit's override).
    pub goal: Goal,
    /// The unit's latest value for the period, if any.
    pub value: Option<f64>,
}

/// score = 100 × Σ w·a / Σ w over the lines given (the targets that apply
/// to the unit: an exempt one is left out by the caller); 0 when there
/// are none. Points are added to it by the standings.
pub fn score(lines: &[ScoreLine]) -> f64 {
    let total: f64 = lines.iter().map(|l| f64::from(l.weight)).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let got: f64 = lines
        .iter()
        .map(|l| f64::from(l.weight) * l.goal.achievement(l.value))
        .sum();
    100.0 * got / total
}

/// What the ranking needs to know of one unit.
#[derive(Debug, Clone)]
pub struct StandingInput {
    /// Unit id in storage.
    pub unit_id: i64,
    /// Unit code (upper-case).
    pub code: String,
    /// Unit full name.
    pub name: String,
    /// Whether its pledge for the year is signed.
    pub signed: bool,
    /// Its score lines for the period.
    pub lines: Vec<ScoreLine>,
    /// When every target first had a value for the period, if ever.
    pub completed_at: Option<DateTime<Utc>>,
    /// Its bonus and penalty points for the period, summed.
    pub points: f64,
    /// Where its review stands.
    pub review: ReviewState,
}

/// One row of the standings.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// 1-based rank; no two units share one.
    pub rank: usize,
    /// Unit id in storage.
    pub unit_id: i64,
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Score: the base plus the points, unrounded; may pass 100 or fall
    /// below 0 with points.
    pub score: f64,
    /// Score out of 100 from the targets that apply, unrounded.
    pub base: f64,
    /// Bonus and penalty points, summed.
    pub points: f64,
    /// Where its review stands.
    pub review: ReviewState,
    /// Pledge signed.
    pub signed: bool,
    /// Targets with a value (of those that apply).
    pub reported: usize,
    /// Targets that apply to the unit (not exempt).
    pub targets: usize,
    /// Completion time used to break ties.
    pub completed_at: Option<DateTime<Utc>>,
}

impl Standing {
    /// Whether the unit has earned a place: a unit that reported nothing for
    /// the period has no score to compare, only the 0 of an empty sheet, so
    /// it is listed unranked (after every ranked unit) rather than tied at 0.
    pub fn ranked(&self) -> bool {
        self.reported > 0
    }
}

/// Ranks units: score descending; ties by earlier completion (never-completed
/// last), then units that reported something before those that reported
/// nothing (see [`Standing::ranked`]), then by code.
pub fn rank(units: Vec<StandingInput>) -> Vec<Standing> {
    let mut rows: Vec<Standing> = units
        .into_iter()
        .map(|u| Standing {
            rank: 0,
            unit_id: u.unit_id,
            score: score(&u.lines) + u.points,
            base: score(&u.lines),
            points: u.points,
            review: u.review,
            reported: u.lines.iter().filter(|l| l.value.is_some()).count(),
            targets: u.lines.len(),
            code: u.code,
            name: u.name,
            signed: u.signed,
            completed_at: u.completed_at,
        })
        .collect();
    reorder(&mut rows);
    rows
}

/// Sorts and numbers rows as [`rank`] does, after some of their scores changed.
pub fn reorder(rows: &mut [Standing]) {
    rows.sort_by(compare);
    for (i, row) in rows.iter_mut().enumerate() {
        row.rank = i + 1;
    }
}

fn compare(a: &Standing, b: &Standing) -> Ordering {
    let by_score = if (a.score - b.score).abs() < SCORE_EPSILON {
        Ordering::Equal
    } else {
        b.score.total_cmp(&a.score)
    };
    let by_completion = match (a.completed_at, b.completed_at) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_score
        .then(by_completion)
        .then_with(|| b.ranked().cmp(&a.ranked()))
        .then_with(|| a.code.cmp(&b.code))
}

/// The moment a unit completed its reports: the latest of the first report
/// times of each target, or `None` while a target has no value.
pub fn completed_at(first_reports: &[Option<DateTime<Utc>>]) -> Option<DateTime<Utc>> {
    if first_reports.is_empty() {
        return None;
    }
    first_reports.iter().try_fold(None, |latest, t| {
        let t = (*t)?;
        Some(Some(latest.map_or(t, |l: DateTime<Utc>| l.max(t))))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn line(weight: u32, goal: Goal, value: Option<f64>) -> ScoreLine {
        ScoreLine {
            weight,
            goal,
            value,
        }
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 1, h, 0, 0).unwrap()
    }

    fn unit(code: &str, lines: Vec<ScoreLine>, done: Option<u32>) -> StandingInput {
        StandingInput {
            unit_id: 0,
            code: code.into(),
            name: code.into(),
            signed: true,
            lines,
            completed_at: done.map(at),
            points: 0.0,
            review: ReviewState::Open,
        }
    }

    #[test]
    fn score_is_the_weighted_share_of_goals_met() {
        // 20·(98/100) + 20·1 + 10·1 + 30·(60.9/100) + 20·0 = 19.6+20+10+18.27+0 = 67.87 of 100.
        let lines = [
            line(20, Goal::AtLeast(100.0), Some(98.0)),
            line(20, Goal::AtLeast(15.0), Some(16.0)),
            line(10, Goal::Is(true), Some(1.0)),
            line(30, Goal::AtLeast(100.0), Some(60.9)),
            line(20, Goal::AtMost(0.0), Some(2.0)),
        ];
        assert!((score(&lines) - 67.87).abs() < 1e-9, "{}", score(&lines));
    }

    #[test]
    fn missing_values_count_as_zero_and_no_targets_score_zero() {
        let lines = [
            line(1, Goal::AtLeast(10.0), Some(10.0)),
            line(3, Goal::Is(true), None),
        ];
        assert!((score(&lines) - 25.0).abs() < 1e-9);
        assert_eq!(score(&[]), 0.0);
    }

    #[test]
    fn higher_score_ranks_first() {
        let rows = rank(vec![
            unit("A", vec![line(1, Goal::AtLeast(10.0), Some(5.0))], Some(1)),
            unit("B", vec![line(1, Goal::AtLeast(10.0), Some(9.0))], Some(2)),
        ]);
        assert_eq!(rows[0].code, "B");
        assert_eq!((rows[0].rank, rows[1].rank), (1, 2));
    }

    #[test]
    fn equal_scores_rank_by_earlier_completion_then_code() {
        let full = || vec![line(1, Goal::Is(true), Some(1.0))];
        let rows = rank(vec![
            unit("C", full(), Some(9)),
            unit("B", full(), None),
            unit("A", full(), None),
            unit("D", full(), Some(3)),
        ]);
        let order: Vec<_> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(order, ["D", "C", "A", "B"]);
    }

    #[test]
    fn scores_equal_up_to_float_noise_are_ties() {
        // 0.1+0.2 vs 0.3 style noise must not beat the completion rule.
        let a = vec![
            line(3, Goal::AtLeast(3.0), Some(0.1 + 0.2)),
            line(7, Goal::Is(true), Some(1.0)),
        ];
        let b = vec![
            line(3, Goal::AtLeast(3.0), Some(0.3)),
            line(7, Goal::Is(true), Some(1.0)),
        ];
        let rows = rank(vec![unit("Z", a, Some(1)), unit("A", b, Some(2))]);
        assert_eq!(rows[0].code, "Z");
    }

    #[test]
    fn units_that_reported_nothing_come_after_every_unit_that_reported() {
        // A reported zero (e.g. "no" on a yes/no target) still earns a place;
        // "A" sorts first by code but has nothing to be ranked on.
        let two = |a, b| vec![line(1, Goal::Is(true), a), line(1, Goal::Is(true), b)];
        let rows = rank(vec![
            unit("A", two(None, None), None),
            unit("Z", two(Some(0.0), None), None),
            unit("M", two(Some(1.0), None), None),
            unit("B", vec![], None),
        ]);
        let order: Vec<_> = rows
            .iter()
            .map(|r| (r.code.as_str(), r.rank, r.ranked()))
            .collect();
        assert_eq!(
            order,
            [
                ("M", 1, true),
                ("Z", 2, true),
                ("A", 3, false),
                ("B", 4, false)
            ]
        );
    }

    #[test]
    fn reported_counts_targets_with_values() {
        let rows = rank(vec![unit(
            "A",
            vec![
                line(1, Goal::Is(true), Some(0.0)),
                line(1, Goal::Is(true), None),
            ],
            None,
        )]);
        assert_eq!((rows[0].reported, rows[0].targets), (1, 2));
    }

    #[test]
    fn completion_is_the_last_first_report_and_needs_every_target() {
        assert_eq!(
            completed_at(&[Some(at(3)), Some(at(5)), Some(at(1))]),
            Some(at(5))
        );
        assert_eq!(completed_at(&[Some(at(3)), None]), None);
        assert_eq!(completed_at(&[]), None);
    }
}
