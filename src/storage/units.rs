//! Units, their heads and invites.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::Result;
use crate::domain::Unit;

/// A unit as stored.
#[derive(Debug, Clone, FromRow)]
struct UnitRow {
    id: i64,
    bloc_id: i64,
    code: String,
    name: String,
    head_user_id: Option<i64>,
    head_name: Option<String>,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Unit {
        Unit {
            id: r.id,
            bloc_id: r.bloc_id,
            code: r.code,
            name: r.name,
            head_user_id: r.head_user_id,
            head_name: r.head_name,
        }
    }
}

const COLS: &str = "id, bloc_id, code, name, head_user_id, head_name";

/// All units of a bloc, by code.
pub async fn list(conn: &mut Conn, bloc_id: i64) -> Result<Vec<Unit>> {
    let rows: Vec<UnitRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM units WHERE bloc_id = $1 ORDER BY code"
    ))
    .bind(bloc_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Unit::from).collect())
}

/// A unit by code.
pub async fn by_code(conn: &mut Conn, bloc_id: i64, code: &str) -> Result<Option<Unit>> {
    let row: Option<UnitRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM units WHERE bloc_id = $1 AND code = $2"
    ))
    .bind(bloc_id)
    .bind(code)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Unit::from))
}

/// A unit by id.
pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Unit>> {
    let row: Option<UnitRow> = sqlx::query_as(&format!("SELECT {COLS} FROM units WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Unit::from))
}

/// The unit this user heads in this bloc.
pub async fn headed_by(conn: &mut Conn, bloc_id: i64, user_id: i64) -> Result<Option<Unit>> {
    let row: Option<UnitRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM units WHERE bloc_id = $1 AND head_user_id = $2 ORDER BY code LIMIT 1"
    ))
    .bind(bloc_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Unit::from))
}

/// Adds a unit.
pub async fn insert(
    conn: &mut Conn,
    bloc_id: i64,
    code: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO units (bloc_id, code, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(bloc_id)
    .bind(code)
    .bind(name)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Binds a head to a unit, replacing any previous one.
pub async fn set_head(conn: &mut Conn, unit_id: i64, user_id: i64, name: &str) -> Result<()> {
    sqlx::query("UPDATE units SET head_user_id = $1, head_name = $2 WHERE id = $3")
        .bind(user_id)
        .bind(name)
        .bind(unit_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An invite as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Invite {
    /// The secret.
    pub token: String,
    /// Unit it binds to.
    pub unit_id: i64,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Who used it, if anyone.
    pub used_by: Option<i64>,
}

/// Stores a new invite.
pub async fn insert_invite(
    conn: &mut Conn,
    token: &str,
    unit_id: i64,
    created_by: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO invites (token, unit_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token)
        .bind(unit_id)
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes the unit's unused invites that are still valid: a new invite
/// replaces them. They are kept, expired now, not deleted.
pub async fn revoke_invites(conn: &mut Conn, unit_id: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE invites SET expires_at = $1 WHERE unit_id = $2 AND used_by IS NULL AND expires_at > $3",
    )
    .bind(now)
    .bind(unit_id)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected())
}

/// An invite by its secret.
pub async fn invite(conn: &mut Conn, token: &str) -> Result<Option<Invite>> {
    Ok(
        sqlx::query_as("SELECT token, unit_id, expires_at, used_by FROM invites WHERE token = $1")
            .bind(token)
            .fetch_optional(conn)
            .await?,
    )
}

/// Marks an invite used.
pub async fn use_invite(
    conn: &mut Conn,
    token: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE invites SET used_by = $1, used_at = $2 WHERE token = $3")
        .bind(user_id)
        .bind(now)
        .bind(token)
        .execute(conn)
        .await?;
    Ok(())
}
