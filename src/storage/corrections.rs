//! Correction requests after approval, and the Rejects waiting for their
//! reason.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Result, StorageError};
use crate::domain::Period;

/// A request as asked.
#[derive(Debug, Clone)]
pub struct NewCorrection<'a> {
    /// Its bloc.
    pub bloc_id: i64,
    /// The unit.
    pub unit_id: i64,
    /// The target.
    pub target_id: i64,
    /// The year of the target.
    pub year: i32,
    /// The period.
    pub period: Period,
    /// The value as typed before, if any.
    pub old_raw: Option<&'a str>,
    /// The new value.
    pub value: f64,
    /// As typed.
    pub raw: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The head who asked.
    pub by: i64,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Waits for an admin.
    Pending,
    /// The value was replaced.
    Accepted,
    /// Turned down with a reason.
    Rejected,
}

/// A request with its unit's and target's codes.
#[derive(Debug, Clone)]
pub struct Correction {
    /// Row id (what the buttons carry).
    pub id: i64,
    /// Its bloc.
    pub bloc_id: i64,
    /// Its number within the bloc.
    pub no: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its code.
    pub unit_code: String,
    /// The target.
    pub target_id: i64,
    /// Its code.
    pub target_code: String,
    /// The year.
    pub year: i32,
    /// The period.
    pub period: Period,
    /// The value as typed before, if any.
    pub old_raw: Option<String>,
    /// The new value.
    pub value: f64,
    /// As typed.
    pub raw: String,
    /// Why.
    pub reason: String,
    /// The head who asked.
    pub requested_by: i64,
    /// Where it stands.
    pub state: Decision,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    bloc_id: i64,
    no: i64,
    unit_id: i64,
    unit_code: String,
    target_id: i64,
    target_code: String,
    year: i32,
    period: String,
    old_raw: Option<String>,
    value: f64,
    raw: String,
    reason: String,
    requested_by: i64,
    state: String,
}

impl TryFrom<Row> for Correction {
    type Error = StorageError;

    fn try_from(r: Row) -> Result<Correction> {
        let period = Period::parse(&r.period)
            .ok_or_else(|| StorageError::Corrupt(format!("correction period {:?}", r.period)))?;
        let state = match r.state.as_str() {
            "pending" => Decision::Pending,
            "accepted" => Decision::Accepted,
            "rejected" => Decision::Rejected,
            other => return Err(StorageError::Corrupt(format!("correction state {other:?}"))),
        };
        Ok(Correction {
            id: r.id,
            bloc_id: r.bloc_id,
            no: r.no,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            target_id: r.target_id,
            target_code: r.target_code,
            year: r.year,
            period,
            old_raw: r.old_raw,
            value: r.value,
            raw: r.raw,
            reason: r.reason,
            requested_by: r.requested_by,
            state,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.bloc_id, c.no, c.unit_id, u.code AS unit_code, c.target_id,
        t.code AS target_code, c.year, c.period, c.old_raw, c.value, c.raw, c.reason,
        c.requested_by, c.state
    FROM corrections c JOIN units u ON u.id = c.unit_id JOIN targets t ON t.id = c.target_id";

/// The latest value of a unit's target in a period, as typed.
pub async fn current_raw(
    conn: &mut Conn,
    unit_id: i64,
    target_id: i64,
    period: Period,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT raw FROM reports WHERE unit_id = $1 AND target_id = $2 AND period = $3
         ORDER BY id DESC LIMIT 1",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(period.as_str())
    .fetch_optional(conn)
    .await?)
}

/// Records a request; returns its row id and its number within the bloc.
pub async fn insert(
    conn: &mut Conn,
    c: &NewCorrection<'_>,
    at: DateTime<Utc>,
) -> Result<(i64, i64)> {
    // The write transaction holds the lock: the next number is ours.
    Ok(sqlx::query_as(
        "INSERT INTO corrections (bloc_id, no, unit_id, target_id, year, period, old_raw,
             value, raw, reason, requested_by, requested_at)
         VALUES ($1, (SELECT COALESCE(MAX(no), 0) + 1 FROM corrections WHERE bloc_id = $1),
                 $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING id, no",
    )
    .bind(c.bloc_id)
    .bind(c.unit_id)
    .bind(c.target_id)
    .bind(c.year)
    .bind(c.period.as_str())
    .bind(c.old_raw)
    .bind(c.value)
    .bind(c.raw)
    .bind(c.reason)
    .bind(c.by)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// Request `no` of a bloc.
pub async fn by_no(conn: &mut Conn, bloc_id: i64, no: i64) -> Result<Option<Correction>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE c.bloc_id = $1 AND c.no = $2"))
        .bind(bloc_id)
        .bind(no)
        .fetch_optional(conn)
        .await?;
    row.map(Correction::try_from).transpose()
}

/// A request by its row id (a button's).
pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Correction>> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Correction::try_from).transpose()
}

/// A bloc's pending requests, oldest first.
pub async fn pending(conn: &mut Conn, bloc_id: i64) -> Result<Vec<Correction>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE c.bloc_id = $1 AND c.state = 'pending' ORDER BY c.no"
    ))
    .bind(bloc_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Correction::try_from).collect()
}

/// Decides a pending request; false if it was decided already.
pub async fn decide(
    conn: &mut Conn,
    id: i64,
    accepted: bool,
    reason: Option<&str>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE corrections SET state = $1, decision_reason = $2, decided_by = $3, decided_at = $4
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(if accepted { "accepted" } else { "rejected" })
    .bind(reason)
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Remembers that `user` pressed Reject on request `id` in `chat`: their
/// next message there is the reason, until `expires_at`.
pub async fn await_reason(
    conn: &mut Conn,
    user: i64,
    chat: i64,
    id: i64,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO reject_reasons (user_id, chat_id, correction_id, expires_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, chat_id) DO UPDATE SET correction_id = $3, expires_at = $4",
    )
    .bind(user)
    .bind(chat)
    .bind(id)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The request whose Reject `user` left waiting for its reason in `chat`,
/// if it has not lapsed at `now`.
pub async fn waiting_reason(
    conn: &mut Conn,
    user: i64,
    chat: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let row: Option<(i64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT correction_id, expires_at FROM reject_reasons WHERE user_id = $1 AND chat_id = $2",
    )
    .bind(user)
    .bind(chat)
    .fetch_optional(conn)
    .await?;
    Ok(row.filter(|r| r.1 > now).map(|r| r.0))
}

/// Forgets the Rejects `user` left waiting (all chats); true if there was one.
pub async fn forget_reason(conn: &mut Conn, user: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM reject_reasons WHERE user_id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
