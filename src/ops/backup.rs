//! `thidua backup` and `thidua restore`: a copy is checked before it counts,
//! and is renamed into place, so a file is either whole or absent.

use sqlx::{Connection, SqliteConnection};
use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use super::error::{OpsError, Result, db, io};
use super::files::{
    connect, create_private, db_path, install, remove_with_sidecars, sidecars, temp_beside,
};
use super::schema::{SchemaState, applied_migrations, embedded_migrations, schema_state};

/// `PRAGMA integrity_check` of the open database; `shown` names it in errors.
async fn integrity(conn: &mut SqliteConnection, shown: &Path) -> Result<()> {
    let corrupt = |detail: String| OpsError::Corrupt {
        path: shown.to_path_buf(),
        detail,
    };
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.message().contains("not a database") => {
                OpsError::NotSqlite(shown.to_path_buf())
            }
            _ => corrupt(e.to_string()),
        })?;
    match rows.first() {
        Some(ok) if rows.len() == 1 && ok == "ok" => Ok(()),
        Some(first) => Err(corrupt(first.clone())),
        None => Err(corrupt("no answer".into())),
    }
}

/// Writes a consistent copy of the database behind `conn` to `dest` with
/// `VACUUM INTO` (a read transaction: the bot keeps writing meanwhile),
/// checks it, and renames it into place: `dest` is whole or absent.
pub async fn backup_into(conn: &mut SqliteConnection, dest: &Path) -> Result<()> {
    let tmp = temp_beside(dest, "backup");
    let tmp_str = tmp
        .to_str()
        .ok_or_else(|| OpsError::NotUtf8(dest.to_path_buf()))?
        .to_owned();
    // Created empty with mode 0600 first: VACUUM INTO accepts an empty file
    // and keeps its mode, and a backup holds everything the database does.
    drop(create_private(&tmp)?);
    let written = async {
        sqlx::query("VACUUM INTO ?")
            .bind(&tmp_str)
            .execute(&mut *conn)
            .await
            .map_err(db(format!("writing the backup {}", dest.display())))?;
        let mut copy = connect(&tmp).await?;
        let checked = integrity(&mut copy, dest).await;
        let _ = copy.close().await;
        checked?;
        install(&tmp, dest)
    }
    .await;
    if written.is_err() {
        remove_with_sidecars(&tmp);
    } else {
        for s in sidecars(&tmp) {
            let _ = fs::remove_file(s);
        }
    }
    written
}

/// `thidua backup <dest>`: a consistent copy of the database at
/// `database_url`, safe while the bot runs.
pub async fn backup(database_url: &str, dest: &Path) -> Result<()> {
    let src = db_path(database_url)?;
    if !src.is_file() {
        return Err(OpsError::Missing(src));
    }
    if fs::symlink_metadata(dest).is_ok() {
        return Err(OpsError::Exists(dest.to_path_buf()));
    }
    let mut conn = connect(&src).await?;
    let done = backup_into(&mut conn, dest).await;
    let _ = conn.close().await;
    done
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn looks_like_sqlite(path: &Path) -> Result<bool> {
    let mut head = [0u8; 16];
    let mut f = File::open(path).map_err(io(format!("opening {}", path.display())))?;
    match f.read_exact(&mut head) {
        Ok(()) => Ok(&head == SQLITE_MAGIC),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(io(format!("reading {}", path.display()))(e)),
    }
}

/// Checks a copy about to be restored: integrity, then a schema this binary
/// runs; leaves it a single self-contained file (rollback journal).
async fn verify_restorable(copy: &Path, shown: &Path) -> Result<SchemaState> {
    let mut conn = connect(copy).await?;
    let verdict = async {
        integrity(&mut conn, shown).await?;
        let applied = applied_migrations(&mut conn).await.map_err(db(format!(
            "reading the schema version of {}",
            shown.display()
        )))?;
        let state =
            schema_state(&applied, &embedded_migrations()).map_err(|problem| OpsError::Schema {
                path: shown.to_path_buf(),
                problem,
            })?;
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(&mut conn)
            .await
            .map_err(db(format!("preparing {}", shown.display())))?;
        Ok(state)
    }
    .await;
    let _ = conn.close().await;
    verdict
}

/// `thidua restore <src>`: replaces the database at `database_url` with
/// `src` once `src` passes the integrity check and has a schema this binary
/// knows. The bot must be stopped: a running one keeps writing to the
/// replaced file. On refusal the database is untouched.
pub async fn restore(database_url: &str, src: &Path) -> Result<SchemaState> {
    let target = db_path(database_url)?;
    if !src.is_file() {
        return Err(OpsError::Missing(src.to_path_buf()));
    }
    if !looks_like_sqlite(src)? {
        return Err(OpsError::NotSqlite(src.to_path_buf()));
    }
    // The copy is checked, not the source: what is checked is what is installed.
    let tmp = temp_beside(&target, "restore");
    let restored = async {
        let mut out = create_private(&tmp)?;
        let mut input = File::open(src).map_err(io(format!("opening {}", src.display())))?;
        std::io::copy(&mut input, &mut out).map_err(io(format!(
            "copying {} beside {}",
            src.display(),
            target.display()
        )))?;
        drop(out);
        let state = verify_restorable(&tmp, src).await?;
        // The old database's WAL or journal would be replayed into the new
        // file: remove them before it takes the old one's place.
        for s in sidecars(&target) {
            match fs::remove_file(&s) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(format!("removing {}", s.display()))(e)),
            }
        }
        install(&tmp, &target)?;
        Ok(state)
    }
    .await;
    if restored.is_err() {
        remove_with_sidecars(&tmp);
    }
    restored
}

#[cfg(all(test, not(feature = "postgres")))]
mod tests {
    use super::*;
    use crate::ops::files::{list_names, secure_db_file};
    use crate::storage::Db;
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn a_backup_restores_to_an_identical_database() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        secure_db_file(&url).unwrap();
        let live = Db::open(&url).await.unwrap();
        sqlx::query("INSERT INTO users (user_id, lang) VALUES (1, 'vi'), (2, 'en')")
            .execute(live.pool())
            .await
            .unwrap();
        let copy = dir.path().join("copy.db");
        let mut conn = live.pool().acquire().await.unwrap();
        backup_into(&mut conn, &copy).await.unwrap();
        drop(conn);
        live.close().await;
        let mode = fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let other = format!("sqlite://{}", dir.path().join("b.db").display());
        let state = restore(&other, &copy).await.unwrap();
        assert!(matches!(state, SchemaState::Current { .. }), "{state:?}");
        let b = Db::open(&other).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(b.pool())
            .await
            .unwrap();
        assert_eq!(n, 2);
        b.close().await;
        let leftovers: Vec<String> = list_names(dir.path())
            .unwrap()
            .into_iter()
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
