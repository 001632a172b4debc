//! Per-user preferences: language and the bloc picked for private chats.

use crate::storage::Conn;

use super::Result;

/// The user's stored language and picked bloc.
pub async fn get(conn: &mut Conn, user_id: i64) -> Result<(Option<String>, Option<i64>)> {
    Ok(
        sqlx::query_as("SELECT lang, current_bloc_id FROM users WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?
            .unwrap_or((None, None)),
    )
}

/// Stores the user's language.
pub async fn set_lang(conn: &mut Conn, user_id: i64, lang: &str) -> Result<()> {
    sqlx::query("INSERT INTO users (user_id, lang) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang")
        .bind(user_id)
        .bind(lang)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores the bloc the user picked for private chats.
pub async fn set_current_bloc(conn: &mut Conn, user_id: i64, bloc_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (user_id, current_bloc_id) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET current_bloc_id = excluded.current_bloc_id",
    )
    .bind(user_id)
    .bind(bloc_id)
    .execute(conn)
    .await?;
    Ok(())
}
