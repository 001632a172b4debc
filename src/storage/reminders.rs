//! The send ledger: a row per (bloc, year, deadline, day, recipient),
//! claimed before sending and marked sent after Telegram accepted it.

use crate::storage::Conn;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::Result;
use crate::domain::schedule::Deadline;

/// The key of one send.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Bloc.
    pub bloc_id: i64,
    /// Emulation year of the schedule.
    pub year: i32,
    /// Deadline.
    pub deadline: Deadline,
    /// Local day of the send.
    pub day: NaiveDate,
}

/// A claimed send.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    /// Row id.
    pub id: i64,
    /// Chat to send to.
    pub recipient: i64,
    /// `head`, `summary` or `overdue`.
    pub kind: String,
    /// The message.
    pub text: String,
    /// Tries Telegram refused (400) so far.
    pub attempts: i64,
}

/// Claims a send unless a row exists; returns whether this call claimed it.
pub async fn claim(
    conn: &mut Conn,
    k: Key,
    recipient: i64,
    kind: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO reminders (bloc_id, year, deadline, day, recipient, kind, text, claimed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(k.bloc_id)
    .bind(k.year)
    .bind(k.deadline.as_str())
    .bind(k.day.format("%Y-%m-%d").to_string())
    .bind(recipient)
    .bind(kind)
    .bind(text)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Recipients with a row for this send (sent, pending or failed).
pub async fn recipients(conn: &mut Conn, k: Key) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT recipient FROM reminders WHERE bloc_id = $1 AND year = $2 AND deadline = $3 AND day = $4")
        .bind(k.bloc_id)
        .bind(k.year)
        .bind(k.deadline.as_str())
        .bind(k.day.format("%Y-%m-%d").to_string())
        .fetch_all(conn)
        .await?)
}

/// Claimed but not yet sent (nor failed for good) sends of this slot whose
/// backoff, if any, is over.
pub async fn pending(conn: &mut Conn, k: Key, now: DateTime<Utc>) -> Result<Vec<Claimed>> {
    Ok(sqlx::query_as(
        "SELECT id, recipient, kind, text, attempts FROM reminders
         WHERE bloc_id = $1 AND year = $2 AND deadline = $3 AND day = $4 AND sent_at IS NULL AND failed_at IS NULL
           AND (retry_at IS NULL OR retry_at <= $5)
         ORDER BY id",
    )
    .bind(k.bloc_id)
    .bind(k.year)
    .bind(k.deadline.as_str())
    .bind(k.day.format("%Y-%m-%d").to_string())
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// How long a send Telegram refused (400) waits before its next try:
/// 10 minutes, doubling, at most 6 hours.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let doublings = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    (chrono::Duration::minutes(10) * 2i32.pow(doublings)).min(chrono::Duration::hours(6))
}

/// A send Telegram refused (400): tried again after [`backoff`].
pub async fn defer(
    conn: &mut Conn,
    id: i64,
    attempts: i64,
    error: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE reminders SET attempts = $1, retry_at = $2, error = $3 WHERE id = $4")
        .bind(attempts)
        .bind(now + backoff(attempts))
        .bind(error)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that Telegram refuses sends to a chat; true the first time
/// (tell the admins once).
pub async fn mark_trouble(
    conn: &mut Conn,
    bloc_id: i64,
    chat_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query("INSERT INTO send_trouble (bloc_id, chat_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(bloc_id)
        .bind(chat_id)
        .bind(reason)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a send accepted by Telegram.
pub async fn mark_sent(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE reminders SET sent_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a send that can never succeed (403).
pub async fn mark_failed(conn: &mut Conn, id: i64, error: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE reminders SET failed_at = $1, error = $2 WHERE id = $3")
        .bind(now)
        .bind(error)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Older unsent rows of a deadline are superseded by a newer send: never sent late.
pub async fn skip_older(conn: &mut Conn, k: Key, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE reminders SET failed_at = $1, error = 'superseded'
         WHERE bloc_id = $2 AND year = $3 AND deadline = $4 AND day < $5 AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(now)
    .bind(k.bloc_id)
    .bind(k.year)
    .bind(k.deadline.as_str())
    .bind(k.day.format("%Y-%m-%d").to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a chat as unreachable; returns true the first time (tell the admins once).
pub async fn mark_unreachable(
    conn: &mut Conn,
    bloc_id: i64,
    chat_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query("INSERT INTO unreachable (bloc_id, chat_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(bloc_id)
        .bind(chat_id)
        .bind(reason)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Chats of a bloc marked unreachable: reminders skip them.
pub async fn unreachable_of(
    conn: &mut Conn,
    bloc_id: i64,
) -> Result<std::collections::HashSet<i64>> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT chat_id FROM unreachable WHERE bloc_id = $1")
            .bind(bloc_id)
            .fetch_all(conn)
            .await?
            .into_iter()
            .collect(),
    )
}

/// A chat wrote to the bot or took it back: reachable again in every bloc.
pub async fn reachable_again(conn: &mut Conn, chat_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM unreachable WHERE chat_id = $1")
        .bind(chat_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A chat answered again: a later refusal is news worth telling.
pub async fn clear_unreachable(conn: &mut Conn, bloc_id: i64, chat_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM unreachable WHERE bloc_id = $1 AND chat_id = $2")
        .bind(bloc_id)
        .bind(chat_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM send_trouble WHERE bloc_id = $1 AND chat_id = $2")
        .bind(bloc_id)
        .bind(chat_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The latest day already claimed for a deadline: a send due for an earlier
/// day (one that appeared when the reminder days changed) is stale.
pub async fn latest_day(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    deadline: Deadline,
) -> Result<Option<NaiveDate>> {
    let day: Option<String> = sqlx::query_scalar(
        "SELECT MAX(day) FROM reminders WHERE bloc_id = $1 AND year = $2 AND deadline = $3",
    )
    .bind(bloc_id)
    .bind(year)
    .bind(deadline.as_str())
    .fetch_one(conn)
    .await?;
    Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}
