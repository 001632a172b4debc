//! Processed updates: Telegram redelivers after a crash, so a write records its
//! update id in the same transaction, with the messages it produced.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::Result;

/// The stored outbox (JSON) of an update already applied.
pub async fn outbox(conn: &mut SqliteConnection, update_id: i64) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT outbox FROM processed_updates WHERE update_id = ?")
            .bind(update_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Records an update as applied. update_id can jump randomly after a week
/// without updates, so rows older than that are pruned rather than kept as a
/// high-water mark.
pub async fn record(
    conn: &mut SqliteConnection,
    update_id: i64,
    outbox: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("DELETE FROM processed_updates WHERE processed_at < ?")
        .bind(now - chrono::Duration::days(7))
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO processed_updates (update_id, processed_at, outbox) VALUES (?, ?, ?)")
        .bind(update_id)
        .bind(now)
        .bind(outbox)
        .execute(conn)
        .await?;
    Ok(())
}
