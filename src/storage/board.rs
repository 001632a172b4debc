//! Everything a ranking needs for one bloc, year and period, loaded in a few
//! queries; the domain ranks it.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use std::collections::HashMap;

use super::targets::Target;
use super::units::Unit;
use super::{Result, pledges, reports, targets, units};
use crate::domain::score::{ScoreLine, completed_at, rank};
use crate::domain::{Goal, Period, Standing, StandingInput};

/// A bloc's year and period, loaded and ranked.
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
    /// The ranking.
    pub standings: Vec<Standing>,
}

impl Board {
    /// Loads and ranks.
    pub async fn load(
        conn: &mut SqliteConnection,
        bloc_id: i64,
        year: i32,
        period: Period,
    ) -> Result<Board> {
        let units = units::list(conn, bloc_id).await?;
        let targets = targets::list(conn, bloc_id, year).await?;
        let goals = targets::unit_goals(conn, bloc_id, year).await?;
        let latest = reports::latest(conn, bloc_id, year, period).await?;
        let signed = pledges::of_bloc(conn, bloc_id, year).await?;
        let mut values = HashMap::with_capacity(latest.len());
        let mut first = HashMap::with_capacity(latest.len());
        for l in latest {
            values.insert((l.unit_id, l.target_id), l.value);
            first.insert((l.unit_id, l.target_id), l.first_at);
        }
        let inputs = units
            .iter()
            .map(|u| StandingInput {
                unit_id: u.id,
                code: u.code.clone(),
                name: u.name.clone(),
                signed: signed.contains_key(&u.id),
                lines: targets
                    .iter()
                    .map(|t| ScoreLine {
                        weight: t.weight,
                        goal: goals.get(&(u.id, t.id)).copied().unwrap_or(t.goal),
                        value: values.get(&(u.id, t.id)).copied(),
                    })
                    .collect(),
                completed_at: completed_at(
                    &targets
                        .iter()
                        .map(|t| first.get(&(u.id, t.id)).copied())
                        .collect::<Vec<_>>(),
                ),
            })
            .collect();
        let standings = rank(inputs);
        Ok(Board {
            units,
            targets,
            goals,
            values,
            signed,
            standings,
        })
    }

    /// The goal that applies to a unit for a target.
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
}
