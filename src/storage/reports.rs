//! Reported values: append-only, the latest per (unit, target, period) counts.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use std::sync::LazyLock;

use super::Result;
use super::audit::Action;
use crate::domain::Period;

/// A new report.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    /// Unit.
    pub unit_id: i64,
    /// Target.
    pub target_id: i64,
    /// Period.
    pub period: Period,
    /// Parsed value.
    pub value: f64,
    /// What the user typed.
    pub raw: &'a str,
    /// Note.
    pub note: &'a str,
    /// Telegram user id.
    pub reported_by: i64,
}

#[cfg(test)]
impl NewReport<'static> {
    /// A report typed as "x", without a note, for tests.
    pub(crate) fn test(
        unit_id: i64,
        target_id: i64,
        period: Period,
        value: f64,
        reported_by: i64,
    ) -> Self {
        NewReport {
            unit_id,
            target_id,
            period,
            value,
            raw: "x",
            note: "",
            reported_by,
        }
    }
}

/// Appends a report with its audit row (the value before it, as typed, and
/// the value now) and, when `applied` = (update id, outbox) is given, the
/// processed-update row, in one round trip to the connection's thread;
/// returns the report's id.
pub async fn insert_audited(
    conn: &mut Conn,
    r: &NewReport<'_>,
    now: DateTime<Utc>,
    bloc_id: i64,
    subject: &str,
    applied: Option<(i64, &str)>,
) -> Result<i64> {
    // The action is bound ($13), not spelled in the SQL: it is
    // `Action::Report`'s code, like every other audit entry's. The audit
    // row reads the value before the report: SQLite runs the statements in
    // turn; PostgreSQL runs them as one (a data-changing WITH), all seeing
    // the rows as they were before it.
    const AUDIT: &str = "INSERT INTO audit_log (at, user_id, bloc_id, unit_id, action, subject, old_value, new_value)
         VALUES ($1, $8, $9, $2, $13, $10,
                 (SELECT raw FROM reports WHERE unit_id = $2 AND target_id = $3 AND period = $4
                  ORDER BY id DESC LIMIT 1),
                 $6)";
    const APPLIED: &str =
        "INSERT INTO processed_updates (update_id, processed_at, outbox) VALUES ($11, $1, $12)";
    const REPORT: &str = "INSERT INTO reports (unit_id, target_id, period, value, raw, note, reported_by, reported_at)
         VALUES ($2, $3, $4, $5, $6, $7, $8, $1)";
    static WITH_APPLIED: LazyLock<String> = LazyLock::new(|| statements(&[AUDIT, APPLIED, REPORT]));
    static ALONE: LazyLock<String> = LazyLock::new(|| statements(&[AUDIT, REPORT]));
    let sql: &'static str = match applied {
        Some(_) => &WITH_APPLIED,
        None => &ALONE,
    };
    let (update_id, outbox) = applied.unzip();
    let q = sqlx::query(sql)
        .bind(now)
        .bind(r.unit_id)
        .bind(r.target_id)
        .bind(r.period.as_str())
        .bind(r.value)
        .bind(r.raw)
        .bind(r.note)
        .bind(r.reported_by)
        .bind(bloc_id)
        .bind(subject)
        .bind(update_id)
        .bind(outbox)
        .bind(Action::Report.as_str());
    // The report goes last: SQLite gives its rowid without a RETURNING (a
    // row read back costs /report a few percent); PostgreSQL returns it.
    #[cfg(not(feature = "postgres"))]
    let id = q.execute(conn).await?.last_insert_rowid();
    #[cfg(feature = "postgres")]
    let id = sqlx::Row::try_get(&q.fetch_one(conn).await?, 0)?;
    Ok(id)
}

/// Statements that run as one round trip, the report's id last.
fn statements(each: &[&str]) -> String {
    if cfg!(feature = "postgres") {
        // PostgreSQL prepares one statement: the others go in its WITH.
        let (last, before) = each.split_last().map_or((&"", &[][..]), |(l, b)| (l, b));
        let with: Vec<String> = before
            .iter()
            .enumerate()
            .map(|(i, s)| format!("w{i} AS ({s})"))
            .collect();
        format!("WITH {} {last} RETURNING id", with.join(", "))
    } else {
        each.join(";\n")
    }
}

/// The latest value of one (unit, target) and when the first value came.
#[derive(Debug, Clone, FromRow)]
pub struct Latest {
    /// Unit.
    pub unit_id: i64,
    /// Target.
    pub target_id: i64,
    /// Latest value.
    pub value: f64,
    /// What was typed for it.
    pub raw: String,
    /// First report time for this (unit, target, period).
    pub first_at: DateTime<Utc>,
}

/// Latest values of every unit of a bloc for a year's period, for its
/// confirmed targets in use (not archived).
pub async fn latest(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    period: Period,
) -> Result<Vec<Latest>> {
    Ok(sqlx::query_as(
        "SELECT g.unit_id, g.target_id, r.value, r.raw, g.first_at FROM (
            SELECT unit_id, target_id, MAX(id) AS last_id, MIN(reported_at) AS first_at
            FROM reports
            WHERE period = $1 AND target_id IN (SELECT id FROM targets
                WHERE bloc_id = $2 AND year = $3 AND draft = FALSE AND archived_at IS NULL)
            GROUP BY unit_id, target_id) g
         JOIN reports r ON r.id = g.last_id",
    )
    .bind(period.as_str())
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// A unit's latest report per target for a year's period: its note (empty
/// when none) and when it was recorded.
pub async fn latest_of_unit(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    period: Period,
) -> Result<std::collections::HashMap<i64, (String, DateTime<Utc>)>> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT r.target_id, r.note, r.reported_at FROM reports r
         JOIN (SELECT target_id, MAX(id) AS last_id FROM reports
               WHERE unit_id = $1 AND period = $2
                 AND target_id IN (SELECT id FROM targets WHERE year = $3)
               GROUP BY target_id) g ON r.id = g.last_id",
    )
    .bind(unit_id)
    .bind(period.as_str())
    .bind(year)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(t, n, at)| (t, (n, at))).collect())
}

/// Number of report rows (history included).
pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(conn)
        .await?)
}
