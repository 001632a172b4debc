//! Operations on the database: `thidua backup`, `thidua restore`,
//! `thidua check`, the daily backup that `thidua run` takes, and the file
//! permissions of the database.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use teloxide::prelude::Requester;

use crate::config::Config;
use crate::storage::Db;

/// Local time of day from which the daily backup is due.
pub const DAILY_BACKUP_AT: NaiveTime = match NaiveTime::from_hms_opt(2, 0, 0) {
    Some(t) => t,
    None => panic!("02:00 is a time"),
};
/// How many daily backups are kept.
pub const DAILY_BACKUPS_KEPT: usize = 14;

/// Why an operation failed: each renders as one line.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// `DATABASE_URL` names no file.
    #[error("DATABASE_URL {0:?} is not a SQLite file")]
    NotAFile(String),
    /// SQLite takes file names as UTF-8 text.
    #[error("{} is not a UTF-8 path", .0.display())]
    NotUtf8(PathBuf),
    /// The database to back up does not exist.
    #[error("database not found: {}", .0.display())]
    Missing(PathBuf),
    /// The backup would overwrite a file.
    #[error("{} already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// The file is not a SQLite database.
    #[error("{} is not a SQLite database", .0.display())]
    NotSqlite(PathBuf),
    /// `PRAGMA integrity_check` did not answer `ok`.
    #[error("{} failed the integrity check: {detail}", .path.display())]
    Corrupt {
        /// The file checked.
        path: PathBuf,
        /// SQLite's first complaint.
        detail: String,
    },
    /// The file's schema is not one this binary can run.
    #[error("{}: {problem}", .path.display())]
    Schema {
        /// The file checked.
        path: PathBuf,
        /// What is wrong with its schema.
        problem: SchemaError,
    },
    /// A file system call failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("{context}: {source}")]
    Db {
        /// What was being done.
        context: String,
        /// The cause.
        source: sqlx::Error,
    },
}

/// Result of operations.
pub type Result<T> = std::result::Result<T, OpsError>;

fn io(context: impl fmt::Display) -> impl FnOnce(std::io::Error) -> OpsError {
    let context = context.to_string();
    move |source| OpsError::Io { context, source }
}

fn db(context: impl fmt::Display) -> impl FnOnce(sqlx::Error) -> OpsError {
    let context = context.to_string();
    move |source| OpsError::Db { context, source }
}

/// How a database's recorded migrations differ from those in this binary.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SchemaError {
    /// No `_sqlx_migrations` table, or no migration in it.
    #[error("not a thidua database (no migrations recorded)")]
    Unmigrated,
    /// A version beyond the newest this binary has.
    #[error(
        "schema version {found} is newer than this binary knows (up to {known}): run a newer thidua"
    )]
    Newer {
        /// The newest version recorded.
        found: i64,
        /// The newest version embedded.
        known: i64,
    },
    /// A version this binary never had.
    #[error("schema version {0} is unknown to this binary")]
    Unknown(i64),
    /// A migration recorded with another checksum than ours.
    #[error("migration {0} differs from the one in this binary")]
    Modified(i64),
    /// A migration that failed part-way.
    #[error("migration {0} failed part-way")]
    Dirty(i64),
}

/// One migration recorded in a database's `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Applied {
    /// Its version.
    pub version: i64,
    /// Its checksum.
    pub checksum: Vec<u8>,
    /// Whether it completed.
    pub success: bool,
}

/// A database whose schema this binary can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaState {
    /// Every embedded migration is applied.
    Current {
        /// How many.
        applied: usize,
    },
    /// Older: `thidua run` applies these on start.
    Behind {
        /// The versions not applied yet.
        pending: Vec<i64>,
    },
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The migrations embedded in this binary: (version, checksum).
pub fn embedded_migrations() -> Vec<(i64, Vec<u8>)> {
    MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| (m.version, m.checksum.to_vec()))
        .collect()
}

/// Compares recorded migrations with embedded ones (pure).
pub fn schema_state(
    applied: &[Applied],
    embedded: &[(i64, Vec<u8>)],
) -> std::result::Result<SchemaState, SchemaError> {
    if applied.is_empty() {
        return Err(SchemaError::Unmigrated);
    }
    let known = embedded.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if let Some(found) = applied
        .iter()
        .map(|a| a.version)
        .max()
        .filter(|&v| v > known)
    {
        return Err(SchemaError::Newer { found, known });
    }
    for a in applied {
        match embedded.iter().find(|(v, _)| *v == a.version) {
            None => return Err(SchemaError::Unknown(a.version)),
            Some(_) if !a.success => return Err(SchemaError::Dirty(a.version)),
            Some((_, sum)) if *sum != a.checksum => return Err(SchemaError::Modified(a.version)),
            Some(_) => {}
        }
    }
    let pending: Vec<i64> = embedded
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| !applied.iter().any(|a| a.version == *v))
        .collect();
    Ok(if pending.is_empty() {
        SchemaState::Current {
            applied: applied.len(),
        }
    } else {
        SchemaState::Behind { pending }
    })
}

/// The migrations recorded in the database behind `conn` (none without the table).
pub async fn applied_migrations(conn: &mut SqliteConnection) -> sqlx::Result<Vec<Applied>> {
    let table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if table.is_none() {
        return Ok(Vec::new());
    }
    sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(conn)
        .await
}

/// The file behind a `sqlite:` URL; in-memory databases have none.
pub fn db_path(database_url: &str) -> Result<PathBuf> {
    let not_a_file = || OpsError::NotAFile(database_url.to_owned());
    if database_url.contains(":memory:") || database_url.contains("mode=memory") {
        return Err(not_a_file());
    }
    let options = SqliteConnectOptions::from_str(database_url).map_err(|_| not_a_file())?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() {
        return Err(not_a_file());
    }
    Ok(path.to_path_buf())
}

/// `<db>-wal`, `<db>-shm` and `<db>-journal`: SQLite's files beside `db`.
fn sidecars(db: &Path) -> [PathBuf; 3] {
    ["-wal", "-shm", "-journal"].map(|s| {
        let mut p = db.as_os_str().to_owned();
        p.push(s);
        PathBuf::from(p)
    })
}

/// Creates the database file readable by its owner only (SQLite gives its
/// -wal and -shm the mode of the database), and narrows an existing
/// database and its side files to that mode.
pub fn secure_db_file(database_url: &str) -> Result<()> {
    let Ok(path) = db_path(database_url) else {
        return Ok(()); // in memory: no file to protect
    };
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(format!("creating {}", path.display()))(e)),
    }
    let [wal, shm, _] = sidecars(&path);
    for p in [path, wal, shm] {
        if p.exists() {
            fs::set_permissions(&p, fs::Permissions::from_mode(0o600))
                .map_err(io(format!("restricting {} to its owner", p.display())))?;
        }
    }
    Ok(())
}

async fn connect(path: &Path) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10));
    SqliteConnection::connect_with(&options)
        .await
        .map_err(db(format!("opening {}", path.display())))
}

/// A file next to `target` for writing before the rename.
fn temp_beside(target: &Path, purpose: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{purpose}-{}.tmp", std::process::id()))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn create_private(path: &Path) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(format!("creating {}", path.display())))
}

fn remove_with_sidecars(path: &Path) {
    let _ = fs::remove_file(path);
    for s in sidecars(path) {
        let _ = fs::remove_file(s);
    }
}

/// fsyncs `file`, renames it to `target`, and fsyncs the directory so the
/// rename survives a power loss.
fn install(file: &Path, target: &Path) -> Result<()> {
    File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("syncing {}", file.display())))?;
    fs::rename(file, target).map_err(io(format!("renaming to {}", target.display())))?;
    File::open(parent_dir(target))
        .and_then(|d| d.sync_all())
        .map_err(io(format!("syncing {}", parent_dir(target).display())))
}

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

/// The name of the daily backup of `date`.
pub fn daily_backup_name(date: NaiveDate) -> String {
    format!("thidua-{}.db", date.format("%Y-%m-%d"))
}

/// The date of a daily backup's file name; `None` for any other file.
fn daily_backup_date(name: &str) -> Option<NaiveDate> {
    let date = name.strip_prefix("thidua-")?.strip_suffix(".db")?;
    // Exactly YYYY-MM-DD: chrono alone would also take `2026-3-2`.
    let shape_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// The daily backup to write now, if any: from 02:00 local time, once a day
/// (the day's file existing means done; a day the bot was down at 02:00 is
/// caught up when it runs again).
pub fn backup_due(now_local: NaiveDateTime, existing: &[String]) -> Option<String> {
    if now_local.time() < DAILY_BACKUP_AT {
        return None;
    }
    let name = daily_backup_name(now_local.date());
    (!existing.contains(&name)).then_some(name)
}

/// The daily backups to delete so that the newest `keep` remain; other
/// files are never touched.
pub fn backups_to_delete(existing: &[String], keep: usize) -> Vec<String> {
    let mut daily: Vec<(NaiveDate, &String)> = existing
        .iter()
        .filter_map(|n| daily_backup_date(n).map(|d| (d, n)))
        .collect();
    daily.sort();
    let excess = daily.len().saturating_sub(keep);
    daily[..excess].iter().map(|(_, n)| (*n).clone()).collect()
}

fn list_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(format!("listing {}", dir.display())))? {
        let entry = entry.map_err(io(format!("listing {}", dir.display())))?;
        if let Ok(name) = entry.file_name().into_string() {
            names.push(name);
        }
    }
    Ok(names)
}

/// Writes today's daily backup into `dir` if it is due, then deletes the
/// oldest beyond the last 14. Returns the file written, if any.
pub async fn daily_backup(
    database: &Db,
    dir: &Path,
    now_local: NaiveDateTime,
) -> Result<Option<PathBuf>> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(format!("creating {}", dir.display())))?;
    let Some(name) = backup_due(now_local, &list_names(dir)?) else {
        return Ok(None);
    };
    let dest = dir.join(&name);
    let mut conn = database
        .pool()
        .acquire()
        .await
        .map_err(db("taking a connection for the backup"))?;
    backup_into(&mut conn, &dest).await?;
    drop(conn);
    for old in backups_to_delete(&list_names(dir)?, DAILY_BACKUPS_KEPT) {
        let old = dir.join(old);
        fs::remove_file(&old).map_err(io(format!("deleting {}", old.display())))?;
    }
    Ok(Some(dest))
}

/// One line of `thidua check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    /// What was checked.
    pub name: &'static str,
    /// `Ok(detail)` or `Err(why)`.
    pub outcome: std::result::Result<String, String>,
}

impl CheckLine {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

impl fmt::Display for CheckLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(detail) => write!(f, "{}: ok ({detail})", self.name),
            Err(why) => write!(f, "{}: FAILED: {why}", self.name),
        }
    }
}

/// How long `getMe` may take: Docker's HEALTHCHECK gives the whole check 10 s.
const GET_ME_TIMEOUT: Duration = Duration::from_secs(6);

/// `thidua check`: the database opens, its migrations are exactly the ones
/// in this binary (nothing pending, nothing applied by this check), and the
/// token is accepted by `getMe`. `config` is the configuration, or why it
/// could not be read.
pub async fn check(
    database_url: &str,
    config: std::result::Result<&Config, String>,
) -> Vec<CheckLine> {
    let mut lines = Vec::new();
    let opened = async {
        let path = db_path(database_url).map_err(|e| e.to_string())?;
        if !path.is_file() {
            return Err(OpsError::Missing(path).to_string());
        }
        let mut conn = connect(&path).await.map_err(|e| e.to_string())?;
        sqlx::query("SELECT 1")
            .execute(&mut conn)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok((path, conn))
    }
    .await;
    match opened {
        Ok((path, mut conn)) => {
            lines.push(CheckLine {
                name: "database",
                outcome: Ok(path.display().to_string()),
            });
            let migrations = match applied_migrations(&mut conn).await {
                Err(e) => Err(e.to_string()),
                Ok(applied) => match schema_state(&applied, &embedded_migrations()) {
                    Ok(SchemaState::Current { applied }) => Ok(format!("{applied} applied")),
                    Ok(SchemaState::Behind { pending }) => Err(format!(
                        "{} pending: {pending:?} (thidua run applies them)",
                        pending.len()
                    )),
                    Err(e) => Err(e.to_string()),
                },
            };
            let _ = conn.close().await;
            lines.push(CheckLine {
                name: "migrations",
                outcome: migrations,
            });
        }
        Err(why) => {
            lines.push(CheckLine {
                name: "database",
                outcome: Err(why),
            });
            lines.push(CheckLine {
                name: "migrations",
                outcome: Err("not checked: no database".into()),
            });
        }
    }
    let telegram = match config {
        Err(why) => Err(why),
        Ok(cfg) => {
            let token = cfg.token.expose();
            let bot = cfg.bot();
            match tokio::time::timeout(GET_ME_TIMEOUT, bot.get_me()).await {
                Ok(Ok(me)) => Ok(format!("@{}", me.username())),
                // The request URL, and so the error, contains the token.
                Ok(Err(e)) => Err(format!("getMe: {}", e.to_string().replace(token, "***"))),
                Err(_) => Err(format!(
                    "getMe: no answer within {} s",
                    GET_ME_TIMEOUT.as_secs()
                )),
            }
        }
    };
    lines.push(CheckLine {
        name: "telegram",
        outcome: telegram,
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_backup_is_due_before_two_in_the_morning() {
        assert_eq!(backup_due(at("2026-03-02", "01:59"), &[]), None);
        assert_eq!(backup_due(at("2026-03-02", "00:00"), &[]), None);
    }

    #[test]
    fn the_days_backup_is_due_from_two_until_written() {
        assert_eq!(
            backup_due(at("2026-03-02", "02:00"), &[]).as_deref(),
            Some("thidua-2026-03-02.db")
        );
        // Yesterday's file does not count for today.
        let yesterday = names(&["thidua-2026-03-01.db"]);
        assert_eq!(
            backup_due(at("2026-03-02", "23:59"), &yesterday).as_deref(),
            Some("thidua-2026-03-02.db")
        );
        let today = names(&["thidua-2026-03-02.db"]);
        assert_eq!(backup_due(at("2026-03-02", "02:01"), &today), None);
    }

    #[test]
    fn a_day_missed_at_two_is_caught_up_later_that_day() {
        // The bot was down at 02:00 and started at 15:30.
        assert_eq!(
            backup_due(at("2026-03-02", "15:30"), &names(&["thidua-2026-02-28.db"])).as_deref(),
            Some("thidua-2026-03-02.db")
        );
    }

    #[test]
    fn only_the_newest_fourteen_daily_backups_are_kept() {
        let mut all: Vec<String> = (1..=20)
            .map(|d| daily_backup_name(NaiveDate::from_ymd_opt(2026, 3, d).unwrap()))
            .collect();
        all.reverse(); // the directory's order is not the date order
        let mut gone = backups_to_delete(&all, 14);
        gone.sort();
        let want: Vec<String> = (1..=6)
            .map(|d| daily_backup_name(NaiveDate::from_ymd_opt(2026, 3, d).unwrap()))
            .collect();
        assert_eq!(gone, want);
        assert!(backups_to_delete(&all[..14], 14).is_empty());
    }

    #[test]
    fn files_not_named_like_a_daily_backup_are_never_deleted() {
        let existing = names(&[
            "thidua-2020-01-01.db",
            "thidua-2020-01-02.db",
            "thidua.db",
            "thidua-2019-1-1.db",
            "thidua-2019-01-01.db.tmp",
            ".thidua-2019-01-01.db.backup-7.tmp",
            "thidua-2019-02-30.db",
            "manual-2019-01-01.db",
            "thidua-2019-01-01.db-wal",
        ]);
        assert_eq!(
            backups_to_delete(&existing, 1),
            names(&["thidua-2020-01-01.db"])
        );
        assert!(backups_to_delete(&existing, 2).is_empty());
    }

    fn applied(v: &[(i64, &[u8])]) -> Vec<Applied> {
        v.iter()
            .map(|(version, sum)| Applied {
                version: *version,
                checksum: sum.to_vec(),
                success: true,
            })
            .collect()
    }

    fn ours() -> Vec<(i64, Vec<u8>)> {
        vec![(1, b"a".to_vec()), (2, b"b".to_vec())]
    }

    #[test]
    fn all_embedded_migrations_applied_is_current() {
        assert_eq!(
            schema_state(&applied(&[(1, b"a"), (2, b"b")]), &ours()),
            Ok(SchemaState::Current { applied: 2 })
        );
    }

    #[test]
    fn an_older_schema_is_behind_with_its_pending_versions() {
        assert_eq!(
            schema_state(&applied(&[(1, b"a")]), &ours()),
            Ok(SchemaState::Behind { pending: vec![2] })
        );
    }

    #[test]
    fn newer_unknown_modified_dirty_and_empty_schemas_are_refused() {
        assert_eq!(
            schema_state(&applied(&[(1, b"a"), (2, b"b"), (3, b"c")]), &ours()),
            Err(SchemaError::Newer { found: 3, known: 2 })
        );
        let theirs = vec![(1, b"a".to_vec()), (3, b"c".to_vec())];
        assert_eq!(
            schema_state(&applied(&[(1, b"a"), (2, b"b")]), &theirs),
            Err(SchemaError::Unknown(2))
        );
        assert_eq!(
            schema_state(&applied(&[(1, b"x")]), &ours()),
            Err(SchemaError::Modified(1))
        );
        let mut dirty = applied(&[(1, b"a")]);
        dirty[0].success = false;
        assert_eq!(schema_state(&dirty, &ours()), Err(SchemaError::Dirty(1)));
        assert_eq!(schema_state(&[], &ours()), Err(SchemaError::Unmigrated));
    }

    #[test]
    fn this_binary_embeds_its_migrations() {
        let embedded = embedded_migrations();
        assert!(!embedded.is_empty());
        assert!(embedded.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn database_urls_map_to_files_and_memory_has_none() {
        assert_eq!(
            db_path("sqlite://thidua.db").unwrap(),
            PathBuf::from("thidua.db")
        );
        assert_eq!(
            db_path("sqlite:///data/thidua.db").unwrap(),
            PathBuf::from("/data/thidua.db")
        );
        assert!(db_path("sqlite::memory:").is_err());
    }

    #[test]
    fn check_lines_read_as_one_line_each() {
        let ok = CheckLine {
            name: "database",
            outcome: Ok("/data/thidua.db".into()),
        };
        let bad = CheckLine {
            name: "telegram",
            outcome: Err("getMe: 401 Unauthorized".into()),
        };
        assert_eq!(ok.to_string(), "database: ok (/data/thidua.db)");
        assert_eq!(bad.to_string(), "telegram: FAILED: getMe: 401 Unauthorized");
        assert!(ok.passed() && !bad.passed());
    }

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
