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

/// Records an update as applied.
pub async fn record(
    conn: &mut SqliteConnection,
    update_id: i64,
    outbox: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO processed_updates (update_id, processed_at, outbox) VALUES (?, ?, ?)")
        .bind(update_id)
        .bind(now)
        .bind(outbox)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets updates applied more than a week ago. update_id can jump
/// randomly after a week without updates, so old rows are pruned rather than
/// kept as a high-water mark. Run by the scheduler's tick, not by every
/// write: one statement a minute instead of one per command.
pub async fn prune(conn: &mut SqliteConnection, now: DateTime<Utc>) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM processed_updates WHERE processed_at < ?")
            .bind(now - chrono::Duration::days(7))
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Db, Scope};

    #[tokio::test]
    async fn prune_forgets_only_updates_older_than_a_week() {
        let (_dir, db) = Db::temp().await;
        let now = Utc::now();
        let mut tx = db.write_scoped(Scope::Uncached).await.unwrap();
        record(&mut tx, 1, "[]", now - chrono::Duration::days(8))
            .await
            .unwrap();
        record(&mut tx, 2, "[]", now - chrono::Duration::days(6))
            .await
            .unwrap();
        record(&mut tx, 3, "[]", now).await.unwrap();
        assert_eq!(prune(&mut tx, now).await.unwrap(), 1);
        assert_eq!(outbox(&mut tx, 1).await.unwrap(), None);
        assert_eq!(outbox(&mut tx, 2).await.unwrap().as_deref(), Some("[]"));
        tx.commit().await.unwrap();
        db.close().await;
    }
}
