//! A bloc's board for one year and period: its units, targets, goals and
//! latest values, what the review adds (exempt targets, points, states),
//! and the ranking made of them. Storage loads it; a board
//! kept in memory takes each committed report as a [`Patch`]; every score a
//! handler shows comes from here, through [`super::score`].

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

use super::period::Period;
use super::review::ReviewState;
use super::score::{ScoreLine, Standing, StandingInput, completed_at, rank, reorder, score};
use super::target::{Goal, Target};
use super::unit::Unit;

/// A bloc's year and period, ranked.
#[derive(Debug, Clone)]
pub struct Board {
    /// Units by code.
    pub units: Vec<Unit>,
    /// Targets in order.
    pub targets: Vec<Target>,
    /// Units' own goals.
    pub goals: HashMap<(i64, i64), Goal>,
    /// Latest values by (unit, target).
    pub values: HashMap<(i64, i64), f64>,
    /// Signing times by unit.
    pub signed: HashMap<i64, DateTime<Utc>>,
    /// By (unit, target): the latest report and when the first one came.
    pub reports: HashMap<(i64, i64), Reports>,
    /// What the review adds.
    pub reviewed: Reviewed,
    /// The ranking.
    pub standings: Vec<Standing>,
}

/// A unit's reports of one target in the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reports {
    /// Row id of the latest.
    pub last_id: i64,
    /// When the first came (completion time, for ties).
    pub first_at: DateTime<Utc>,
    /// When the latest came (late marks).
    pub last_at: DateTime<Utc>,
}

/// What the review adds to a board: targets that do not apply to a unit,
/// its points, where its review stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reviewed {
    /// (unit, target) pairs exempt for the period.
    pub exempt: HashSet<(i64, i64)>,
    /// Points per unit, summed, in tenths.
    pub points: HashMap<i64, i64>,
    /// Review state per unit; a unit not here is open.
    pub states: HashMap<i64, ReviewState>,
}

/// A report just committed, to apply to a loaded board.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Patch {
    /// Board year.
    pub year: i32,
    /// Board period.
    pub period: Period,
    /// Unit.
    pub unit_id: i64,
    /// Target.
    pub target_id: i64,
    /// Value.
    pub value: f64,
    /// Report row id: reports apply in id order, whatever order they come.
    pub report_id: i64,
    /// When it was reported.
    pub at: DateTime<Utc>,
}

impl Board {
    /// The board of these facts, ranked.
    pub fn new(
        units: Vec<Unit>,
        targets: Vec<Target>,
        goals: HashMap<(i64, i64), Goal>,
        values: HashMap<(i64, i64), f64>,
        signed: HashMap<i64, DateTime<Utc>>,
        reports: HashMap<(i64, i64), Reports>,
        reviewed: Reviewed,
    ) -> Board {
        let mut board = Board {
            units,
            targets,
            goals,
            values,
            signed,
            reports,
            reviewed,
            standings: Vec::new(),
        };
        board.rank();
        board
    }

    /// Applies a report committed after this board was loaded; one older
    /// than what the board holds changes nothing.
    pub fn apply(&mut self, p: &Patch) {
        if !self.targets.iter().any(|t| t.id == p.target_id)
            || !self.units.iter().any(|u| u.id == p.unit_id)
        {
            return;
        }
        let key = (p.unit_id, p.target_id);
        match self.reports.get_mut(&key) {
            Some(r) if r.last_id >= p.report_id => return,
            Some(r) => {
                r.last_id = p.report_id;
                r.first_at = r.first_at.min(p.at);
                r.last_at = p.at;
            }
            None => {
                self.reports.insert(
                    key,
                    Reports {
                        last_id: p.report_id,
                        first_at: p.at,
                        last_at: p.at,
                    },
                );
            }
        }
        self.values.insert(key, p.value);
        // Only this unit's row changes: no need to rebuild every row.
        let lines = self.lines(p.unit_id, None);
        let completed = self.completed_at(p.unit_id);
        match self.standings.iter_mut().find(|s| s.unit_id == p.unit_id) {
            Some(row) => {
                row.base = score(&lines);
                row.score = row.base + row.points;
                row.reported = lines.iter().filter(|l| l.value.is_some()).count();
                row.completed_at = completed;
                reorder(&mut self.standings);
            }
            None => self.rank(),
        }
    }

    /// Ranks the units from the values held.
    fn rank(&mut self) {
        let inputs = self
            .units
            .iter()
            .map(|u| StandingInput {
                unit_id: u.id,
                code: u.code.clone(),
                name: u.name.clone(),
                signed: self.signed.contains_key(&u.id),
                lines: self.lines(u.id, None),
                completed_at: self.completed_at(u.id),
                points: self.points(u.id),
                review: self.review(u.id),
            })
            .collect();
        self.standings = rank(inputs);
    }

    /// When a unit first had a value for every target that applies to it,
    /// if it has.
    fn completed_at(&self, unit_id: i64) -> Option<DateTime<Utc>> {
        completed_at(
            &self
                .applying(unit_id)
                .map(|t| self.reports.get(&(unit_id, t.id)).map(|r| r.first_at))
                .collect::<Vec<_>>(),
        )
    }

    /// The targets that apply to a unit: all but its exempt ones.
    pub fn applying(&self, unit_id: i64) -> impl Iterator<Item = &Target> {
        self.targets
            .iter()
            .filter(move |t| !self.is_exempt(unit_id, t.id))
    }

    /// Whether a target does not apply to a unit this period.
    pub fn is_exempt(&self, unit_id: i64, target_id: i64) -> bool {
        self.reviewed.exempt.contains(&(unit_id, target_id))
    }

    /// When a unit's latest value of a target was recorded, if it has one.
    pub fn reported_at(&self, unit_id: i64, target_id: i64) -> Option<DateTime<Utc>> {
        self.reports.get(&(unit_id, target_id)).map(|r| r.last_at)
    }

    /// A unit's points for the period, summed.
    pub fn points(&self, unit_id: i64) -> f64 {
        self.reviewed.points.get(&unit_id).copied().unwrap_or(0) as f64 / 10.0
    }

    /// Where a unit's review stands.
    pub fn review(&self, unit_id: i64) -> ReviewState {
        self.reviewed
            .states
            .get(&unit_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The goal that applies to a unit for a target, and whether it is the
    /// unit's own.
    pub fn goal(&self, unit_id: i64, t: &Target) -> (Goal, bool) {
        match self.goals.get(&(unit_id, t.id)) {
            Some(g) => (*g, true),
            None => (t.goal, false),
        }
    }

    /// A unit's standing.
    pub fn standing(&self, unit_id: i64) -> Option<&Standing> {
        self.standings.iter().find(|s| s.unit_id == unit_id)
    }

    /// A unit's score lines (the targets that apply to it), with `with` =
    /// (target id, value) in place of that target's latest value.
    pub fn lines(&self, unit_id: i64, with: Option<(i64, f64)>) -> Vec<ScoreLine> {
        self.applying(unit_id)
            .map(|t| ScoreLine {
                weight: t.weight,
                goal: self.goal(unit_id, t).0,
                value: match with {
                    Some((id, v)) if id == t.id => Some(v),
                    _ => self.values.get(&(unit_id, t.id)).copied(),
                },
            })
            .collect()
    }

    /// A unit's score from its latest values, with its points.
    pub fn score(&self, unit_id: i64) -> f64 {
        score(&self.lines(unit_id, None)) + self.points(unit_id)
    }

    /// A unit's score were `value` its latest for the target: what a report
    /// would make of it, before it is committed.
    pub fn score_with(&self, unit_id: i64, target_id: i64, value: f64) -> f64 {
        score(&self.lines(unit_id, Some((target_id, value)))) + self.points(unit_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TargetKind;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap() + chrono::Duration::minutes(minute)
    }

    fn unit(id: i64, code: &str) -> Unit {
        Unit {
            id,
            bloc_id: 1,
            code: code.into(),
            name: code.into(),
            head_user_id: None,
            head_name: None,
        }
    }

    fn target(id: i64, kind: TargetKind, goal: Goal, weight: u32) -> Target {
        Target {
            id,
            code: format!("T{id}"),
            kind,
            goal,
            weight,
            name: format!("T{id}"),
        }
    }

    /// Units 1..=4 (A..D); targets 10 (≥100 %, 30 points), 11 (yes, 20),
    /// 12 (≤10, 50); unit 1 has its own goal ≤5 for target 12.
    fn empty() -> Board {
        Board::new(
            vec![unit(1, "A"), unit(2, "B"), unit(3, "C"), unit(4, "D")],
            vec![
                target(10, TargetKind::Percent, Goal::AtLeast(100.0), 30),
                target(11, TargetKind::YesNo, Goal::Is(true), 20),
                target(12, TargetKind::Number, Goal::AtMost(10.0), 50),
            ],
            HashMap::from([((1, 12), Goal::AtMost(5.0))]),
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
            Reviewed::default(),
        )
    }

    fn patch(unit_id: i64, target_id: i64, value: f64, report_id: i64, minute: i64) -> Patch {
        Patch {
            year: 2026,
            period: Period::Mid,
            unit_id,
            target_id,
            value,
            report_id,
            at: at(minute),
        }
    }

    #[test]
    fn a_units_own_goal_replaces_the_blocs() {
        let b = empty();
        let t = &b.targets[2];
        assert_eq!(b.goal(1, t), (Goal::AtMost(5.0), true));
        assert_eq!(b.goal(2, t), (Goal::AtMost(10.0), false));
        // 8 meets the bloc's ≤10 but not unit 1's own ≤5.
        assert!(b.score_with(2, 12, 8.0) > b.score_with(1, 12, 8.0));
    }

    #[test]
    fn the_score_after_a_change_counts_the_new_value_in_place_of_the_latest() {
        let mut b = empty();
        b.apply(&patch(2, 10, 100.0, 1, 0));
        b.apply(&patch(2, 11, 1.0, 2, 1));
        assert_eq!(b.score(2), 50.0);
        assert_eq!(b.score_with(2, 12, 10.0), 100.0);
        // Replacing a value, not adding to it.
        assert_eq!(b.score_with(2, 11, 0.0), 30.0);
        // Asking changes nothing.
        assert_eq!(b.score(2), 50.0);
        assert_eq!(b.standing(2).map(|s| s.score), Some(50.0));
    }

    #[test]
    fn a_report_older_than_the_board_holds_changes_nothing() {
        let mut b = empty();
        b.apply(&patch(1, 10, 100.0, 7, 5));
        b.apply(&patch(1, 10, 0.0, 3, 1));
        assert_eq!(b.values[&(1, 10)], 100.0);
        assert_eq!(
            b.reports[&(1, 10)],
            Reports {
                last_id: 7,
                first_at: at(5),
                last_at: at(5)
            }
        );
        b.apply(&patch(1, 10, 0.0, 7, 9));
        assert_eq!(b.values[&(1, 10)], 100.0);
    }

    #[test]
    fn a_report_for_a_target_or_unit_not_on_the_board_is_ignored() {
        let mut b = empty();
        b.apply(&patch(1, 99, 100.0, 1, 0));
        b.apply(&patch(99, 10, 100.0, 2, 0));
        assert!(b.values.is_empty() && b.reports.is_empty());
        assert_eq!(b.standings, empty().standings);
    }

    /// A board patched with each report, in whatever order the patches
    /// arrive, is the board built afresh from every report.
    #[test]
    fn patched_boards_equal_boards_built_afresh() {
        // A small LCG: repeatable, no dependency.
        let mut seed: u64 = 20_261_130;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        };
        let mut kept = empty();
        let mut all: Vec<Patch> = Vec::new();
        let mut id = 0;
        for round in 0..30 {
            let mut patches = Vec::new();
            for k in 0..(1 + next(5)) {
                id += 1;
                let value = [0.0, 1.0, 5.0, 10.0, 12.5, 99.9, 100.0][next(7)];
                let (u, t) = (1 + next(4) as i64, 10 + next(3) as i64);
                patches.push(patch(u, t, value, id, (round * 10 + k) as i64));
            }
            all.extend(&patches);
            for i in (1..patches.len()).rev() {
                patches.swap(i, next(i + 1));
            }
            for p in &patches {
                kept.apply(p);
            }
            let mut values = HashMap::new();
            let mut reports: HashMap<(i64, i64), Reports> = HashMap::new();
            for p in &all {
                let key = (p.unit_id, p.target_id);
                values.insert(key, p.value);
                let first_at = reports.get(&key).map_or(p.at, |r| r.first_at.min(p.at));
                reports.insert(
                    key,
                    Reports {
                        last_id: p.report_id,
                        first_at,
                        last_at: p.at,
                    },
                );
            }
            let e = empty();
            let fresh = Board::new(
                e.units,
                e.targets,
                e.goals,
                values,
                e.signed,
                reports,
                Reviewed::default(),
            );
            assert_eq!(kept.values, fresh.values, "round {round}");
            assert_eq!(kept.reports, fresh.reports, "round {round}");
            assert_eq!(kept.standings, fresh.standings, "round {round}");
        }
        assert!(kept.values.len() > 6, "the rounds reported something");
    }

    #[test]
    fn an_exempt_target_leaves_the_score_and_points_add_to_it() {
        // Unit B (2): target 10 (≥100 %, weight 30) at 60 %, 11 (yes, 20)
        // met, 12 (≤10, 50) at 20 → 10/20 = 0.5.
        // All apply: (30·0.6 + 20·1 + 50·0.5) / 100 = (18 + 20 + 25) / 100 = 63.0.
        // 12 exempt: (18 + 20) / 50 = 76.0; with +5 and −2.5 points: 78.5.
        let mut b = empty();
        for (i, (t, v)) in [(10, 60.0), (11, 1.0), (12, 20.0)].into_iter().enumerate() {
            b.apply(&patch(2, t, v, i as i64 + 1, i as i64));
        }
        assert!((b.score(2) - 63.0).abs() < 1e-9, "{}", b.score(2));
        let mut reviewed = Reviewed::default();
        reviewed.exempt.insert((2, 12));
        reviewed.points.insert(2, 50 - 25);
        let b = Board::new(
            b.units, b.targets, b.goals, b.values, b.signed, b.reports, reviewed,
        );
        assert!((b.score(2) - 78.5).abs() < 1e-9, "{}", b.score(2));
        let row = b.standing(2).unwrap();
        assert!((row.base - 76.0).abs() < 1e-9);
        assert!((row.points - 2.5).abs() < 1e-9);
        assert_eq!(
            (row.reported, row.targets),
            (2, 2),
            "k/T without the exempt one"
        );
        assert_eq!(row.rank, 1);
        assert!(
            row.completed_at.is_some(),
            "complete once the two that apply have values"
        );
    }

    #[test]
    fn all_targets_exempt_scores_zero_plus_points_and_points_may_pass_100() {
        let mut reviewed = Reviewed::default();
        for t in [10, 11, 12] {
            reviewed.exempt.insert((3, t));
        }
        reviewed.points.insert(3, -30);
        reviewed.points.insert(1, 100);
        let e = empty();
        let mut b = Board::new(
            e.units, e.targets, e.goals, e.values, e.signed, e.reports, reviewed,
        );
        assert!(
            (b.score(3) + 3.0).abs() < 1e-9,
            "0 − 3 = −3: {}",
            b.score(3)
        );
        for (i, t) in [10, 11].into_iter().enumerate() {
            b.apply(&patch(
                1,
                t,
                if t == 10 { 100.0 } else { 1.0 },
                i as i64 + 1,
                0,
            ));
        }
        b.apply(&patch(1, 12, 0.0, 3, 0));
        assert!(
            (b.score(1) - 110.0).abs() < 1e-9,
            "100 + 10: {}",
            b.score(1)
        );
        assert_eq!(b.standings[0].unit_id, 1);
        assert!(
            (b.standings[0].score - 110.0).abs() < 1e-9,
            "the patched row keeps its points"
        );
    }
}
