//! Processed updates: Telegram redelivers after a crash, so a write records its
//! update id in the same transaction, with the messages it produced (its
//! outbox, stored as a JSON array; a message is known by its place in it).

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Result, StorageError};

/// An outbox as stored.
pub fn encode<T: Serialize>(messages: &[T]) -> Result<String> {
    serde_json::to_string(messages).map_err(|e| StorageError::Corrupt(e.to_string()))
}

fn decode<T: DeserializeOwned>(update_id: i64, outbox: &str) -> Result<Vec<T>> {
    serde_json::from_str(outbox)
        .map_err(|e| StorageError::Corrupt(format!("outbox of update {update_id}: {e}")))
}

/// Messages per update that can carry a mark (bits of `sent`); a later
/// one is never marked, so it may be sent again after a crash.
pub const MARKABLE: u32 = 62;

/// The seqs marked in a `sent` bit set.
fn marked_seqs(sent: i64) -> Vec<u32> {
    (0..MARKABLE).filter(|i| sent & (1 << i) != 0).collect()
}

/// The stored outbox of an applied update and which of its messages are
/// marked (accepted by Telegram or refused for good).
pub async fn unsent<T: DeserializeOwned>(
    conn: &mut Conn,
    update_id: i64,
) -> Result<Option<(Vec<T>, Vec<u32>)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT outbox, sent FROM processed_updates WHERE update_id = $1")
            .bind(update_id)
            .fetch_optional(conn)
            .await?;
    row.map(|(outbox, sent)| Ok((decode(update_id, &outbox)?, marked_seqs(sent))))
        .transpose()
}

/// The replica that applied the update and sends its messages
/// (PostgreSQL), if another than `me`: then a redelivery of it to this
/// replica sends nothing. `None` with SQLite, which has one process.
pub async fn applied_elsewhere(conn: &mut Conn, update_id: i64, me: i64) -> Result<Option<i64>> {
    if !super::backend::SHARED {
        return Ok(None);
    }
    let by: Option<Option<i64>> =
        sqlx::query_scalar("SELECT instance FROM processed_updates WHERE update_id = $1")
            .bind(update_id)
            .fetch_optional(conn)
            .await?;
    Ok(by.flatten().filter(|by| *by != me))
}

/// Updates applied since `since` with a message not yet marked: what a
/// crash left unsent. (update id, outbox, marked seqs), oldest first; an
/// outbox that does not read is logged and left out.
pub async fn with_unsent<T: DeserializeOwned>(
    conn: &mut Conn,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, Vec<T>, Vec<u32>)>> {
    // Every message marked: bit n for the n-th, up to 62.
    #[cfg(not(feature = "postgres"))]
    const UNSENT: &str = "SELECT update_id, outbox, sent FROM processed_updates
         WHERE processed_at >= $1 AND sent != (1 << min(json_array_length(outbox), 62)) - 1
         ORDER BY update_id";
    #[cfg(feature = "postgres")]
    const UNSENT: &str = "SELECT update_id, outbox, sent FROM processed_updates
         WHERE processed_at >= $1
           AND sent != (CAST(1 AS BIGINT) << LEAST(json_array_length(CAST(outbox AS JSON)), 62)) - 1
         ORDER BY update_id";
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(UNSENT).bind(since).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, outbox, sent)| match decode(id, &outbox) {
            Ok(messages) => Some((id, messages, marked_seqs(sent))),
            Err(e) => {
                tracing::error!(error = %e, "a stored outbox does not read");
                None
            }
        })
        .collect())
}

/// Marks messages of applied updates as delivered (or refused for good),
/// in one statement.
pub async fn mark_sent(conn: &mut Conn, marks: &[(i64, u32)]) -> Result<()> {
    let mut bits: Vec<(i64, i64)> = Vec::new();
    for (id, seq) in marks.iter().filter(|(_, s)| *s < MARKABLE) {
        match bits.iter_mut().find(|(u, _)| u == id) {
            Some((_, b)) => *b |= 1 << seq,
            None => bits.push((*id, 1 << seq)),
        }
    }
    // SQLite binds at most 32,766 parameters; two per update (the id is
    // named twice: `$1` in the CASE and in the IN list).
    for chunk in bits.chunks(1_000) {
        let mut sql = String::from("UPDATE processed_updates SET sent = sent | CASE update_id");
        for i in 0..chunk.len() {
            sql.push_str(&format!(" WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2));
        }
        sql.push_str(" ELSE 0 END WHERE update_id IN (");
        for i in 0..chunk.len() {
            let sep = if i == 0 { "" } else { ", " };
            sql.push_str(&format!("{sep}${}", 2 * i + 1));
        }
        sql.push(')');
        let mut q = sqlx::query(&sql);
        for (id, b) in chunk {
            q = q.bind(*id).bind(*b);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records an update as applied; [`StorageError::Applied`] if it was
/// already (by another replica: in one process, a redelivery is caught
/// before it is handled).
pub async fn record(
    conn: &mut Conn,
    update_id: i64,
    outbox: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let stored = sqlx::query(
        "INSERT INTO processed_updates (update_id, processed_at, outbox) VALUES ($1, $2, $3)
         ON CONFLICT (update_id) DO NOTHING",
    )
    .bind(update_id)
    .bind(now)
    .bind(outbox)
    .execute(conn)
    .await?
    .rows_affected();
    match stored {
        0 => Err(StorageError::Applied(update_id)),
        _ => Ok(()),
    }
}

/// Fails with [`StorageError::Applied`] if the update was applied: asked
/// inside a write, before it writes anything, where another replica may
/// have applied it meanwhile (PostgreSQL; SQLite has one process).
pub async fn not_applied(conn: &mut Conn, update_id: i64) -> Result<()> {
    if !super::backend::SHARED {
        return Ok(());
    }
    let applied: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = $1)")
            .bind(update_id)
            .fetch_one(conn)
            .await?;
    match applied {
        true => Err(StorageError::Applied(update_id)),
        false => Ok(()),
    }
}

/// The replicas other than `me` with updates applied since `since` whose
/// messages are not all marked (PostgreSQL): alive or not. Read before
/// taking a write's turn for [`adopt`], which is then most often not needed.
#[cfg(feature = "postgres")]
pub async fn with_unsent_elsewhere(
    conn: &mut Conn,
    me: i64,
    since: DateTime<Utc>,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT instance FROM processed_updates
         WHERE processed_at >= $1 AND instance IS NOT NULL AND instance <> $2
           AND sent != (CAST(1 AS BIGINT) << LEAST(json_array_length(CAST(outbox AS JSON)), 62)) - 1",
    )
    .bind(since)
    .bind(me)
    .fetch_all(conn)
    .await?)
}

/// Takes over the updates of replicas that stopped (PostgreSQL): updates
/// applied since `since` by an instance other than `me` that no longer
/// holds its advisory lock become `me`'s, and those with a message not yet
/// marked are returned, as [`with_unsent`] does, for `me` to send. Run in a
/// write, whose turn makes two replicas never take over the same rows; a
/// replica that is alive keeps its own (its sends may be in flight).
#[cfg(feature = "postgres")]
pub async fn adopt<T: DeserializeOwned>(
    conn: &mut Conn,
    me: i64,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, Vec<T>, Vec<u32>)>> {
    let mut adopted = Vec::new();
    for other in with_unsent_elsewhere(conn, me, since).await? {
        let stopped: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(other)
            .fetch_one(&mut *conn)
            .await?;
        if !stopped {
            continue;
        }
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "UPDATE processed_updates SET instance = $1
             WHERE instance = $2 AND processed_at >= $3
             RETURNING update_id, outbox, sent",
        )
        .bind(me)
        .bind(other)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        for (id, outbox, sent) in rows {
            match decode::<T>(id, &outbox) {
                Ok(messages) => {
                    let marked = marked_seqs(sent);
                    let markable = messages.len().min(MARKABLE as usize);
                    if marked.len() < markable {
                        adopted.push((id, messages, marked));
                    }
                }
                Err(e) => tracing::error!(error = %e, "a stored outbox does not read"),
            }
        }
    }
    adopted.sort_by_key(|(id, _, _)| *id);
    Ok(adopted)
}

/// Forgets updates applied more than a week ago. update_id can jump
/// randomly after a week without updates, so old rows are pruned rather than
/// kept as a high-water mark. Run by the scheduler's tick, not by every
/// write: one statement a minute instead of one per command.
pub async fn prune(conn: &mut Conn, now: DateTime<Utc>) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM processed_updates WHERE processed_at < $1")
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
        assert_eq!(unsent::<String>(&mut tx, 1).await.unwrap(), None);
        assert_eq!(
            unsent::<String>(&mut tx, 2).await.unwrap(),
            Some((vec![], vec![]))
        );
        mark_sent(&mut tx, &[(2, 0), (3, 1), (3, 4), (2, 63)])
            .await
            .unwrap();
        assert_eq!(
            unsent::<String>(&mut tx, 2).await.unwrap().map(|u| u.1),
            Some(vec![0])
        );
        assert_eq!(
            unsent::<String>(&mut tx, 3).await.unwrap().map(|u| u.1),
            Some(vec![1, 4])
        );
        tx.commit().await.unwrap();
        db.close().await;
    }
}
