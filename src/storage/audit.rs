//! The audit log: who changed what, when, from what to what.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::Result;

/// One change to record.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    /// Telegram user id of who made the change.
    pub user_id: i64,
    /// Bloc concerned, if any.
    pub bloc_id: Option<i64>,
    /// Unit concerned, if any.
    pub unit_id: Option<i64>,
    /// What was done, e.g. `report`, `unit.add`.
    pub action: &'a str,
    /// What it was done to, e.g. `THU/mid`.
    pub subject: String,
    /// Value before, if any.
    pub old: Option<String>,
    /// Value after, if any.
    pub new: Option<String>,
}

/// Appends an entry; call inside the transaction of the change.
pub async fn append(conn: &mut SqliteConnection, at: DateTime<Utc>, e: Entry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, bloc_id, unit_id, action, subject, old_value, new_value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(at)
    .bind(e.user_id)
    .bind(e.bloc_id)
    .bind(e.unit_id)
    .bind(e.action)
    .bind(e.subject)
    .bind(e.old)
    .bind(e.new)
    .execute(conn)
    .await?;
    Ok(())
}

/// Number of audit rows (for tests and checks).
pub async fn count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(conn)
        .await?)
}

/// One audit row as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    /// Row id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (Telegram id).
    pub user_id: i64,
    /// Unit concerned, if any.
    pub unit_id: Option<i64>,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: Option<String>,
}

/// A page of a bloc's audit log, newest first, optionally for one unit.
pub async fn page(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    unit_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Row>, i64)> {
    let rows = sqlx::query_as(
        "SELECT id, at, user_id, unit_id, action, subject, old_value, new_value FROM audit_log
         WHERE bloc_id = ?1 AND (?2 IS NULL OR unit_id = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4",
    )
    .bind(bloc_id)
    .bind(unit_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE bloc_id = ?1 AND (?2 IS NULL OR unit_id = ?2)",
    )
    .bind(bloc_id)
    .bind(unit_id)
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// Display names of the people of a bloc (admins and heads), by Telegram id.
pub async fn names(
    conn: &mut SqliteConnection,
    bloc_id: i64,
) -> Result<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT user_id, name FROM bloc_admins WHERE bloc_id = ?1
         UNION ALL SELECT head_user_id, head_name FROM units WHERE bloc_id = ?1 AND head_user_id IS NOT NULL AND head_name IS NOT NULL",
    )
    .bind(bloc_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}
