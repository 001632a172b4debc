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
