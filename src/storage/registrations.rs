//! Titles registered by units for a year.

use crate::storage::Conn;
use chrono::{DateTime, Utc};

use super::Result;

/// Registers a title; returns false when it was registered already.
pub async fn register(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    title: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO registrations (unit_id, year, title, registered_by, registered_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(unit_id)
    .bind(year)
    .bind(title)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Title codes a unit registered for the year, in registration order.
pub async fn of_unit(conn: &mut Conn, unit_id: i64, year: i32) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT title FROM registrations WHERE unit_id = $1 AND year = $2 ORDER BY rowid",
    )
    .bind(unit_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// (unit id, title code) of every registration of a bloc's year.
pub async fn of_bloc(conn: &mut Conn, bloc_id: i64, year: i32) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT r.unit_id, r.title FROM registrations r JOIN units u ON u.id = r.unit_id
         WHERE u.bloc_id = $1 AND r.year = $2 ORDER BY u.code, r.rowid",
    )
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}
