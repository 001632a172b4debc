//! Signed pledges.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::Result;

/// When the unit signed its pledge for the year, if it did.
pub async fn signed_at(conn: &mut Conn, unit_id: i64, year: i32) -> Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT signed_at FROM pledges WHERE unit_id = $1 AND year = $2")
            .bind(unit_id)
            .bind(year)
            .fetch_optional(conn)
            .await?,
    )
}

/// Signs the unit's pledge for the year.
pub async fn sign(
    conn: &mut Conn,
    unit_id: i64,
    year: i32,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO pledges (unit_id, year, signed_by, signed_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(unit_id)
    .bind(year)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Signing times of a bloc's units for the year, by unit id.
pub async fn of_bloc(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
) -> Result<HashMap<i64, DateTime<Utc>>> {
    let rows: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT p.unit_id, p.signed_at FROM pledges p JOIN units u ON u.id = p.unit_id
         WHERE u.bloc_id = $1 AND p.year = $2",
    )
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}
