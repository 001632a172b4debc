//! A bloc's board for one year and period: its units, targets, goals and
//! latest values, and the ranking made of them. Storage loads it; a board
//! kept in memory takes each committed report as a [`Patch`]; every score a
//! handler shows comes from here, through [`super::score`].

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::period::Period;
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
    /// By (unit, target): the id of the latest report and when the first
    /// one came.
    pub reports: HashMap<(i64, i64), (i64, DateTime<Utc>)>,
    /// The ranking.
    pub standings: Vec<Standing>,
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
        reports: HashMap<(i64, i64), (i64, DateTime<Utc>)>,
    ) -> Board {
        let mut board = Board {
            units,
            targets,
            goals,
            values,
            signed,
            reports,
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
            Some((last, _)) if *last >= p.report_id => return,
            Some((last, first)) => {
                *last = p.report_id;
                *first = (*first).min(p.at);
            }
            None => {
                self.reports.insert(key, (p.report_id, p.at));
            }
        }
        self.values.insert(key, p.value);
        // Only this unit's row changes: no need to rebuild every row.
        let lines = self.lines(p.unit_id, None);
        let completed = self.completed_at(p.unit_id);
        match self.standings.iter_mut().find(|s| s.unit_id == p.unit_id) {
            Some(row) => {
                row.score = score(&lines);
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
            })
            .collect();
        self.standings = rank(inputs);
    }

    /// When a unit first had a value for every target, if it has.
    fn completed_at(&self, unit_id: i64) -> Option<DateTime<Utc>> {
        completed_at(
            &self
                .targets
                .iter()
                .map(|t| self.reports.get(&(unit_id, t.id)).map(|r| r.1))
                .collect::<Vec<_>>(),
        )
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

    /// A unit's score lines, with `with` = (target id, value) in place of
    /// that target's latest value.
    pub fn lines(&self, unit_id: i64, with: Option<(i64, f64)>) -> Vec<ScoreLine> {
        self.targets
            .iter()
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

    /// A unit's score from its latest values.
    pub fn score(&self, unit_id: i64) -> f64 {
        score(&self.lines(unit_id, None))
    }

    /// A unit's score were `value` its latest for the target: what a report
    /// would make of it, before it is committed.
    pub fn score_with(&self, unit_id: i64, target_id: i64, value: f64) -> f64 {
        score(&self.lines(unit_id, Some((target_id, value))))
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
        assert_eq!(b.reports[&(1, 10)], (7, at(5)));
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
            let mut reports: HashMap<(i64, i64), (i64, DateTime<Utc>)> = HashMap::new();
            for p in &all {
                let key = (p.unit_id, p.target_id);
                values.insert(key, p.value);
                let first = reports.get(&key).map_or(p.at, |r| r.1.min(p.at));
                reports.insert(key, (p.report_id, first));
            }
            let e = empty();
            let fresh = Board::new(e.units, e.targets, e.goals, values, e.signed, reports);
            assert_eq!(kept.values, fresh.values, "round {round}");
            assert_eq!(kept.reports, fresh.reports, "round {round}");
            assert_eq!(kept.standings, fresh.standings, "round {round}");
        }
        assert!(kept.values.len() > 6, "the rounds reported something");
    }
}
