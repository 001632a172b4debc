//! The guided `/report` flow's state, one per user, persisted so that it
//! survives a restart.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::Result;

/// A flow in progress.
#[derive(Debug, Clone, FromRow)]
pub struct Dialogue {
    /// The head.
    pub user_id: i64,
    /// Their unit.
    pub unit_id: i64,
    /// `mid` or `final`.
    pub period: String,
    /// The picked target, once picked.
    pub target_id: Option<i64>,
    /// The typed value, once typed.
    pub value_raw: Option<String>,
    /// When the flow lapses.
    pub expires_at: DateTime<Utc>,
}

/// The user's flow, if one is active at `now` (a lapsed one is removed).
pub async fn active(conn: &mut Conn, user_id: i64, now: DateTime<Utc>) -> Result<Option<Dialogue>> {
    let d: Option<Dialogue> = sqlx::query_as(
        "SELECT user_id, unit_id, period, target_id, value_raw, expires_at FROM dialogues WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    match d {
        Some(d) if d.expires_at > now => Ok(Some(d)),
        Some(_) => {
            clear(conn, user_id).await?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Starts (or restarts) a flow.
pub async fn start(
    conn: &mut Conn,
    user_id: i64,
    unit_id: i64,
    period: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO dialogues (user_id, unit_id, period, target_id, value_raw, expires_at) VALUES ($1, $2, $3, NULL, NULL, $4)
         ON CONFLICT (user_id) DO UPDATE SET unit_id = excluded.unit_id, period = excluded.period,
            target_id = NULL, value_raw = NULL, expires_at = excluded.expires_at",
    )
    .bind(user_id)
    .bind(unit_id)
    .bind(period)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the picked target (and forgets any typed value).
pub async fn pick(
    conn: &mut Conn,
    user_id: i64,
    target_id: i64,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE dialogues SET target_id = $1, value_raw = NULL, expires_at = $2 WHERE user_id = $3",
    )
    .bind(target_id)
    .bind(expires_at)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the typed value.
pub async fn set_value(
    conn: &mut Conn,
    user_id: i64,
    raw: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE dialogues SET value_raw = $1, expires_at = $2 WHERE user_id = $3")
        .bind(raw)
        .bind(expires_at)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the user's flow; returns whether one existed.
pub async fn clear(conn: &mut Conn, user_id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM dialogues WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}
