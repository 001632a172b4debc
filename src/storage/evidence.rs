//! Evidence (minh chứng) of a value: Telegram file ids, never the files.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::Result;
use crate::domain::Period;

/// A file as Telegram knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Sent as a photo (else as a document).
    pub photo: bool,
    /// What the bot sends again.
    pub file_id: String,
}

/// How many files back a unit's value.
pub async fn count(conn: &mut Conn, unit_id: i64, target_id: i64, period: Period) -> Result<usize> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM evidence WHERE unit_id = $1 AND target_id = $2 AND period = $3",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(period.as_str())
    .fetch_one(conn)
    .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Attaches a file; false if it backs that value already.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    conn: &mut Conn,
    unit_id: i64,
    target_id: i64,
    period: Period,
    file: &File,
    unique_id: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO evidence (unit_id, target_id, period, kind, file_id, file_unique_id,
             added_by, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(period.as_str())
    .bind(if file.photo { "photo" } else { "document" })
    .bind(&file.file_id)
    .bind(unique_id)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The files of a unit's value, oldest first.
pub async fn files(
    conn: &mut Conn,
    unit_id: i64,
    target_id: i64,
    period: Period,
) -> Result<Vec<File>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, file_id FROM evidence
         WHERE unit_id = $1 AND target_id = $2 AND period = $3 ORDER BY id",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(period.as_str())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kind, file_id)| File {
            photo: kind == "photo",
            file_id,
        })
        .collect())
}

/// How many files back each target's value of a unit in a period.
pub async fn counts(conn: &mut Conn, unit_id: i64, period: Period) -> Result<HashMap<i64, usize>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT target_id, COUNT(*) FROM evidence WHERE unit_id = $1 AND period = $2
         GROUP BY target_id",
    )
    .bind(unit_id)
    .bind(period.as_str())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(t, n)| (t, usize::try_from(n).unwrap_or(0)))
        .collect())
}
