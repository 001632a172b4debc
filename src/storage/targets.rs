//! Targets of a bloc's year and units' own goals.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};
use std::collections::HashMap;

use super::{Result, StorageError};
use crate::domain::{Goal, TargetKind};

/// A target as stored.
#[derive(Debug, Clone, FromRow)]
pub struct TargetRow {
    /// Row id.
    pub id: i64,
    /// Code, upper-case.
    pub code: String,
    /// `percent`, `number` or `yesno`.
    pub kind: String,
    /// `>=`, `<=` or `=`.
    pub op: String,
    /// Goal number (1/0 for yes/no).
    pub goal: f64,
    /// Weight in points.
    pub weight: i64,
    /// Name.
    pub name: String,
}

/// A target with its domain types.
#[derive(Debug, Clone)]
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

impl TryFrom<TargetRow> for Target {
    type Error = StorageError;
    fn try_from(r: TargetRow) -> Result<Target> {
        let corrupt = || StorageError::Corrupt(format!("target {}", r.id));
        Ok(Target {
            id: r.id,
            kind: TargetKind::parse(&r.kind).ok_or_else(corrupt)?,
            goal: Goal::from_parts(&r.op, r.goal).ok_or_else(corrupt)?,
            weight: u32::try_from(r.weight).map_err(|_| corrupt())?,
            code: r.code,
            name: r.name,
        })
    }
}

const COLS: &str = "id, code, kind, op, goal, weight, name";

/// The confirmed targets of a bloc's year, in the order they were added.
pub async fn list(conn: &mut SqliteConnection, bloc_id: i64, year: i32) -> Result<Vec<Target>> {
    let rows: Vec<TargetRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM targets WHERE bloc_id = ? AND year = ? AND draft = 0 ORDER BY id"
    ))
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Target::try_from).collect()
}

/// A confirmed target by code.
pub async fn by_code(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    year: i32,
    code: &str,
) -> Result<Option<Target>> {
    let row: Option<TargetRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM targets WHERE bloc_id = ? AND year = ? AND code = ? AND draft = 0"
    ))
    .bind(bloc_id)
    .bind(year)
    .bind(code)
    .fetch_optional(conn)
    .await?;
    row.map(Target::try_from).transpose()
}

/// What a new target is made of.
#[derive(Debug, Clone)]
pub struct NewTarget<'a> {
    /// Code.
    pub code: &'a str,
    /// Kind.
    pub kind: TargetKind,
    /// Goal.
    pub goal: Goal,
    /// Weight.
    pub weight: u32,
    /// Name.
    pub name: &'a str,
}

/// Adds a target to a bloc's year.
pub async fn insert(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    year: i32,
    t: &NewTarget<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (op, goal) = t.goal.to_parts();
    Ok(sqlx::query_scalar(
        "INSERT INTO targets (bloc_id, year, code, kind, op, goal, weight, name, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(bloc_id)
    .bind(year)
    .bind(t.code)
    .bind(t.kind.as_str())
    .bind(op)
    .bind(goal)
    .bind(t.weight)
    .bind(t.name)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Removes a target with its goals and reports (the audit log keeps the record).
pub async fn delete(conn: &mut SqliteConnection, target_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM targets WHERE id = ?")
        .bind(target_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a unit's own goal for a target.
pub async fn set_unit_goal(
    conn: &mut SqliteConnection,
    unit_id: i64,
    target_id: i64,
    goal: Goal,
) -> Result<()> {
    let (op, g) = goal.to_parts();
    sqlx::query(
        "INSERT INTO unit_goals (unit_id, target_id, op, goal) VALUES (?, ?, ?, ?)
         ON CONFLICT (unit_id, target_id) DO UPDATE SET op = excluded.op, goal = excluded.goal",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(op)
    .bind(g)
    .execute(conn)
    .await?;
    Ok(())
}

/// Units' own goals for a bloc's year, by (unit, target).
pub async fn unit_goals(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    year: i32,
) -> Result<HashMap<(i64, i64), Goal>> {
    let rows: Vec<(i64, i64, String, f64)> = sqlx::query_as(
        "SELECT g.unit_id, g.target_id, g.op, g.goal FROM unit_goals g
         JOIN targets t ON t.id = g.target_id WHERE t.bloc_id = ? AND t.year = ?",
    )
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(u, t, op, g)| {
            Goal::from_parts(&op, g)
                .map(|goal| ((u, t), goal))
                .ok_or_else(|| StorageError::Corrupt(format!("unit goal {u}/{t}")))
        })
        .collect()
}

/// Every target of a bloc's year with whether it is a draft awaiting confirmation.
pub async fn list_with_drafts(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    year: i32,
) -> Result<Vec<(Target, bool)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        target: TargetRow,
        draft: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS}, draft FROM targets WHERE bloc_id = ? AND year = ? ORDER BY id"
    ))
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Target::try_from(r.target).map(|t| (t, r.draft)))
        .collect()
}

/// A target by code, draft or not.
pub async fn by_code_any(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    year: i32,
    code: &str,
) -> Result<Option<Target>> {
    let row: Option<TargetRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM targets WHERE bloc_id = ? AND year = ? AND code = ?"
    ))
    .bind(bloc_id)
    .bind(year)
    .bind(code)
    .fetch_optional(conn)
    .await?;
    row.map(Target::try_from).transpose()
}

/// Confirms the year's draft targets; returns how many.
pub async fn confirm_drafts(conn: &mut SqliteConnection, bloc_id: i64, year: i32) -> Result<u64> {
    Ok(
        sqlx::query("UPDATE targets SET draft = 0 WHERE bloc_id = ? AND year = ? AND draft = 1")
            .bind(bloc_id)
            .bind(year)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Prepares a bloc's year once: when it has no targets, the previous year's
/// are copied as drafts for an admin to confirm. Returns how many were copied
/// the first time, `None` when the year was prepared before.
pub async fn roll_over(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Option<u64>> {
    let done: Option<i64> =
        sqlx::query_scalar("SELECT copied FROM rollovers WHERE bloc_id = ? AND year = ?")
            .bind(bloc_id)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
    if done.is_some() {
        return Ok(None);
    }
    let has: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM targets WHERE bloc_id = ? AND year = ?")
            .bind(bloc_id)
            .bind(year)
            .fetch_one(&mut *conn)
            .await?;
    let copied = if has == 0 {
        sqlx::query(
            "INSERT INTO targets (bloc_id, year, code, kind, op, goal, weight, name, created_at, draft)
             SELECT bloc_id, ?, code, kind, op, goal, weight, name, ?, 1 FROM targets
             WHERE bloc_id = ? AND year = ? AND draft = 0 ORDER BY id",
        )
        .bind(year)
        .bind(now)
        .bind(bloc_id)
        .bind(year - 1)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    } else {
        0
    };
    sqlx::query("INSERT INTO rollovers (bloc_id, year, copied, at) VALUES (?, ?, ?, ?)")
        .bind(bloc_id)
        .bind(year)
        .bind(copied as i64)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(Some(copied))
}
