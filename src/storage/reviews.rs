//! Review of a unit's results (states per period), exemptions and points.
//! The board loads all three for its ranking (`board.rs`); these are the
//! reads and writes of the review commands.

use crate::storage::Conn;
use chrono::{DateTime, Utc};

use super::{Result, StorageError};
use crate::domain::{Period, Points, ReviewState};

/// Where a unit's review of a period stands (open when never submitted).
pub async fn state(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    period: Period,
) -> Result<ReviewState> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT state, reason FROM reviews WHERE unit_id = $1 AND year = $2 AND period = $3",
    )
    .bind(unit_id)
    .bind(year)
    .bind(period.as_str())
    .fetch_optional(conn)
    .await?;
    match row {
        None => Ok(ReviewState::Open),
        Some((s, reason)) => ReviewState::from_stored(&s, reason.as_deref())
            .ok_or_else(|| StorageError::Corrupt(format!("review state {s:?}"))),
    }
}

/// Moves a unit's review of a period to `to` (not open: a review never
/// goes back to never submitted). The reason of a return is kept.
pub async fn set(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    period: Period,
    to: &ReviewState,
    by: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(state) = to.stored() else {
        return Err(StorageError::Corrupt("a review cannot be reopened".into()));
    };
    let reason = match to {
        ReviewState::Returned(r) => Some(r.as_str()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO reviews (unit_id, year, period, state, reason, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (unit_id, year, period) DO UPDATE SET
             state = $4, reason = COALESCE(excluded.reason, reviews.reason), changed_by = $6, changed_at = $7",
    )
    .bind(unit_id)
    .bind(year)
    .bind(period.as_str())
    .bind(state)
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Exempts a unit from a target for a period; false if it was already.
pub async fn exempt(
    conn: &mut Conn,
    unit_id: i64,
    target_id: i64,
    period: Period,
    reason: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO exemptions (unit_id, target_id, period, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(period.as_str())
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends an exemption; false if there was none. The audit log keeps it.
pub async fn unexempt(
    conn: &mut Conn,
    unit_id: i64,
    target_id: i64,
    period: Period,
) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM exemptions WHERE unit_id = $1 AND target_id = $2 AND period = $3")
            .bind(unit_id)
            .bind(target_id)
            .bind(period.as_str())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// One bonus or penalty entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsEntry {
    /// The amount.
    pub points: Points,
    /// Why.
    pub reason: String,
    /// When it was added.
    pub at: DateTime<Utc>,
}

/// Adds a bonus or penalty entry.
#[allow(clippy::too_many_arguments)]
pub async fn add_points(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    period: Period,
    points: Points,
    reason: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO points (unit_id, year, period, tenths, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(unit_id)
    .bind(year)
    .bind(period.as_str())
    .bind(points.tenths())
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A unit's entries for a period, oldest first.
pub async fn points_of(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    period: Period,
) -> Result<Vec<PointsEntry>> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT tenths, reason, created_at FROM points
         WHERE unit_id = $1 AND year = $2 AND period = $3 ORDER BY id",
    )
    .bind(unit_id)
    .bind(year)
    .bind(period.as_str())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(tenths, reason, at)| PointsEntry {
            points: Points::from_tenths(tenths),
            reason,
            at,
        })
        .collect())
}

/// A Return waiting for its reason: (unit, year, period).
pub type Waiting = (i64, i32, Period);

/// Remembers that `user` pressed Return in `chat`: their next message there
/// is the reason, until `expires_at`.
#[allow(clippy::too_many_arguments)]
pub async fn await_reason(
    conn: &mut Conn,
    user: i64,
    chat: i64,
    unit_id: i64,
    year: i32,
    period: Period,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO return_reasons (user_id, chat_id, unit_id, year, period, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, chat_id) DO UPDATE SET
             unit_id = $3, year = $4, period = $5, expires_at = $6",
    )
    .bind(user)
    .bind(chat)
    .bind(unit_id)
    .bind(year)
    .bind(period.as_str())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The Return that `user` left waiting for its reason in `chat`, if it has
/// not lapsed at `now`.
pub async fn waiting_reason(
    conn: &mut Conn,
    user: i64,
    chat: i64,
    now: DateTime<Utc>,
) -> Result<Option<Waiting>> {
    let row: Option<(i64, i32, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT unit_id, year, period, expires_at FROM return_reasons
         WHERE user_id = $1 AND chat_id = $2",
    )
    .bind(user)
    .bind(chat)
    .fetch_optional(conn)
    .await?;
    Ok(row
        .filter(|r| r.3 > now)
        .and_then(|(u, y, p, _)| Some((u, y, Period::parse(&p)?))))
}

/// Forgets the Returns `user` left waiting (all chats); true if there was one.
pub async fn forget_reason(conn: &mut Conn, user: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM return_reasons WHERE user_id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Db, blocs, units};

    #[tokio::test]
    async fn a_review_moves_and_keeps_the_last_reason() {
        let (_dir, db) = Db::temp().await;
        let now = Utc::now();
        let mut tx = db.write().await.unwrap();
        let bloc = blocs::insert(&mut tx, -1, "K", "Asia/Ho_Chi_Minh", (1, "A"), now)
            .await
            .unwrap();
        let u = units::insert(&mut tx, bloc, "U", "Đơn vị", now)
            .await
            .unwrap();
        let p = Period::Mid;
        assert_eq!(state(&mut tx, u, 2026, p).await.unwrap(), ReviewState::Open);
        set(&mut tx, u, 2026, p, &ReviewState::Submitted, 2, now)
            .await
            .unwrap();
        let back = ReviewState::Returned("thiếu số liệu".into());
        set(&mut tx, u, 2026, p, &back, 1, now).await.unwrap();
        assert_eq!(state(&mut tx, u, 2026, p).await.unwrap(), back);
        set(&mut tx, u, 2026, p, &ReviewState::Submitted, 2, now)
            .await
            .unwrap();
        assert_eq!(
            state(&mut tx, u, 2026, Period::Final).await.unwrap(),
            ReviewState::Open,
            "periods apart"
        );
        assert!(
            set(&mut tx, u, 2026, p, &ReviewState::Open, 1, now)
                .await
                .is_err()
        );
        let reason: Option<String> = sqlx::query_scalar("SELECT reason FROM reviews")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(reason.as_deref(), Some("thiếu số liệu"));
    }
}
