//! Blocs and their admins.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::Result;

/// A bloc as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Bloc {
    /// Row id.
    pub id: i64,
    /// Its Telegram group.
    pub chat_id: i64,
    /// Name.
    pub name: String,
    /// IANA time zone.
    pub tz: String,
}

const COLS: &str = "id, chat_id, name, tz";

/// The bloc of a group chat.
pub async fn by_chat(conn: &mut SqliteConnection, chat_id: i64) -> Result<Option<Bloc>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM blocs WHERE chat_id = ?"))
            .bind(chat_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// A bloc by id.
pub async fn by_id(conn: &mut SqliteConnection, id: i64) -> Result<Option<Bloc>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM blocs WHERE id = ?"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Blocs where the user is an admin or a unit head, by name.
pub async fn of_user(conn: &mut SqliteConnection, user_id: i64) -> Result<Vec<Bloc>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM blocs WHERE id IN (
            SELECT bloc_id FROM bloc_admins WHERE user_id = ?1
            UNION SELECT bloc_id FROM units WHERE head_user_id = ?1)
         ORDER BY name, id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// Creates a bloc with its first admin.
pub async fn insert(
    conn: &mut SqliteConnection,
    chat_id: i64,
    name: &str,
    tz: &str,
    admin: (i64, &str),
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO blocs (chat_id, name, tz, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(chat_id)
    .bind(name)
    .bind(tz)
    .bind(admin.0)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    add_admin(conn, id, admin.0, admin.1, admin.0, now).await?;
    Ok(id)
}

/// Whether the user is an admin of the bloc.
pub async fn is_admin(conn: &mut SqliteConnection, bloc_id: i64, user_id: i64) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM bloc_admins WHERE bloc_id = ? AND user_id = ?")
            .bind(bloc_id)
            .bind(user_id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Makes the user an admin of the bloc.
pub async fn add_admin(
    conn: &mut SqliteConnection,
    bloc_id: i64,
    user_id: i64,
    name: &str,
    added_by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO bloc_admins (bloc_id, user_id, name, added_by, added_at) VALUES (?, ?, ?, ?, ?)")
        .bind(bloc_id)
        .bind(user_id)
        .bind(name)
        .bind(added_by)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ids of the bloc's admins.
pub async fn admin_ids(conn: &mut SqliteConnection, bloc_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM bloc_admins WHERE bloc_id = ? ORDER BY added_at")
            .bind(bloc_id)
            .fetch_all(conn)
            .await?,
    )
}

/// Every bloc.
pub async fn all(conn: &mut SqliteConnection) -> Result<Vec<Bloc>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM blocs ORDER BY id"))
            .fetch_all(conn)
            .await?,
    )
}

/// A group became a supergroup: the bloc follows it to its new chat id.
/// Returns whether a bloc moved.
pub async fn move_chat(conn: &mut SqliteConnection, old: i64, new: i64) -> Result<bool> {
    let moved = sqlx::query("UPDATE blocs SET chat_id = ? WHERE chat_id = ?")
        .bind(new)
        .bind(old)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE reminders SET recipient = ? WHERE recipient = ? AND kind = 'summary'")
        .bind(new)
        .bind(old)
        .execute(conn)
        .await?;
    Ok(moved.rows_affected() > 0)
}
