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

/// The stored outbox (JSON) of an applied update and which of its messages
/// are marked (accepted by Telegram or refused for good).
pub async fn unsent(
    conn: &mut SqliteConnection,
    update_id: i64,
) -> Result<Option<(String, Vec<u32>)>> {
    let Some(outbox) = outbox(&mut *conn, update_id).await? else {
        return Ok(None);
    };
    let marked: Vec<i64> = sqlx::query_scalar("SELECT seq FROM outbox_sent WHERE update_id = ?")
        .bind(update_id)
        .fetch_all(conn)
        .await?;
    Ok(Some((
        outbox,
        marked
            .into_iter()
            .filter_map(|s| u32::try_from(s).ok())
            .collect(),
    )))
}

/// Updates applied since `since` with a message not yet marked: what a
/// crash left unsent. (update id, outbox JSON, marked seqs), oldest first.
pub async fn with_unsent(
    conn: &mut SqliteConnection,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, String, Vec<u32>)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT p.update_id, p.outbox FROM processed_updates p
         WHERE p.processed_at >= ?
           AND json_array_length(p.outbox) >
               (SELECT COUNT(*) FROM outbox_sent s WHERE s.update_id = p.update_id)
         ORDER BY p.update_id",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, outbox) in rows {
        let marked: Vec<i64> =
            sqlx::query_scalar("SELECT seq FROM outbox_sent WHERE update_id = ?")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        out.push((
            id,
            outbox,
            marked
                .into_iter()
                .filter_map(|s| u32::try_from(s).ok())
                .collect(),
        ));
    }
    Ok(out)
}

/// Marks messages of applied updates as delivered (or refused for good).
pub async fn mark_sent(conn: &mut SqliteConnection, marks: &[(i64, u32)]) -> Result<()> {
    // SQLite binds at most 32,766 parameters; two per mark.
    for chunk in marks.chunks(1_000) {
        let mut sql = String::from("INSERT INTO outbox_sent (update_id, seq) VALUES ");
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(?, ?)" } else { ", (?, ?)" });
        }
        sql.push_str(" ON CONFLICT DO NOTHING");
        let mut q = sqlx::query(&sql);
        for (id, seq) in chunk {
            q = q.bind(*id).bind(i64::from(*seq));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
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
    let pruned = sqlx::query("DELETE FROM processed_updates WHERE processed_at < ?")
        .bind(now - chrono::Duration::days(7))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if pruned > 0 {
        sqlx::query(
            "DELETE FROM outbox_sent WHERE update_id NOT IN (SELECT update_id FROM processed_updates)",
        )
        .execute(conn)
        .await?;
    }
    Ok(pruned)
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
