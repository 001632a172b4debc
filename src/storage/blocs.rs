//! Blocs and their admins.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::Result;
use crate::domain::bloc::{Bloc, DEFAULT_TZ};
use crate::domain::schedule::parse_tz;

/// A bloc as stored: its zone is still the text of the column.
#[derive(Debug, Clone, FromRow)]
struct BlocRow {
    id: i64,
    chat_id: i64,
    name: String,
    tz: String,
}

impl From<BlocRow> for Bloc {
    /// Parses the zone once, here. A stored zone that does not parse cannot
    /// come from `/schedule tz` (it validates) and is never fatal: the bloc
    /// keeps working in [`DEFAULT_TZ`], as it always did, and the log says
    /// which bloc each time its row is loaded (the cache loads it rarely).
    fn from(r: BlocRow) -> Bloc {
        let tz = parse_tz(&r.tz).unwrap_or_else(|| {
            tracing::warn!(bloc = r.id, tz = %r.tz, fallback = DEFAULT_TZ.name(), "stored time zone does not parse");
            DEFAULT_TZ
        });
        Bloc {
            id: r.id,
            chat_id: r.chat_id,
            name: r.name,
            tz,
        }
    }
}

const COLS: &str = "id, chat_id, name, tz";

/// The bloc of a group chat.
pub async fn by_chat(conn: &mut Conn, chat_id: i64) -> Result<Option<Bloc>> {
    let row: Option<BlocRow> =
        sqlx::query_as(&format!("SELECT {COLS} FROM blocs WHERE chat_id = $1"))
            .bind(chat_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(Bloc::from))
}

/// A bloc by id.
pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Bloc>> {
    let row: Option<BlocRow> = sqlx::query_as(&format!("SELECT {COLS} FROM blocs WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Bloc::from))
}

/// Blocs where the user is an admin or a unit head, by name.
pub async fn of_user(conn: &mut Conn, user_id: i64) -> Result<Vec<Bloc>> {
    let rows: Vec<BlocRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM blocs WHERE id IN (
            SELECT bloc_id FROM bloc_admins WHERE user_id = $1
            UNION SELECT bloc_id FROM units WHERE head_user_id = $1)
         ORDER BY name, id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Bloc::from).collect())
}

/// Creates a bloc with its first admin.
pub async fn insert(
    conn: &mut Conn,
    chat_id: i64,
    name: &str,
    tz: &str,
    admin: (i64, &str),
    now: DateTime<Utc>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO blocs (chat_id, name, tz, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
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
pub async fn is_admin(conn: &mut Conn, bloc_id: i64, user_id: i64) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT CAST(1 AS BIGINT) FROM bloc_admins WHERE bloc_id = $1 AND user_id = $2",
    )
    .bind(bloc_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// Makes the user an admin of the bloc.
pub async fn add_admin(
    conn: &mut Conn,
    bloc_id: i64,
    user_id: i64,
    name: &str,
    added_by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO bloc_admins (bloc_id, user_id, name, added_by, added_at) VALUES ($1, $2, $3, $4, $5)")
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
pub async fn admin_ids(conn: &mut Conn, bloc_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM bloc_admins WHERE bloc_id = $1 ORDER BY added_at")
            .bind(bloc_id)
            .fetch_all(conn)
            .await?,
    )
}

/// Every bloc.
pub async fn all(conn: &mut Conn) -> Result<Vec<Bloc>> {
    let rows: Vec<BlocRow> = sqlx::query_as(&format!("SELECT {COLS} FROM blocs ORDER BY id"))
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(Bloc::from).collect())
}

/// A group became a supergroup: the bloc follows it to its new chat id.
/// Returns whether a bloc moved.
pub async fn move_chat(conn: &mut Conn, old: i64, new: i64) -> Result<bool> {
    let moved = sqlx::query("UPDATE blocs SET chat_id = $1 WHERE chat_id = $2")
        .bind(new)
        .bind(old)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE reminders SET recipient = $1 WHERE recipient = $2 AND kind = 'summary'")
        .bind(new)
        .bind(old)
        .execute(conn)
        .await?;
    Ok(moved.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Db;

    #[tokio::test]
    async fn a_stored_zone_is_parsed_once_and_a_bad_one_falls_back_to_the_default() {
        let (_dir, db) = Db::temp().await;
        let now = Utc::now();
        let mut tx = db.write().await.unwrap();
        let paris = insert(&mut tx, -1, "P", "Europe/Paris", (1, "An"), now)
            .await
            .unwrap();
        let bad = insert(&mut tx, -2, "B", "Mars/Olympus", (1, "An"), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = db.pool().acquire().await.unwrap();
        let paris = by_id(&mut conn, paris).await.unwrap().unwrap();
        assert_eq!(paris.tz, chrono_tz::Europe::Paris);
        let fallen_back = by_chat(&mut conn, -2).await.unwrap().unwrap();
        assert_eq!((fallen_back.id, fallen_back.tz), (bad, DEFAULT_TZ));
        assert_eq!(all(&mut conn).await.unwrap().len(), 2);
        drop(conn);
        db.close().await;
    }
}
