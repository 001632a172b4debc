//! The error every operation returns: each renders as one line on stderr.

use std::fmt;
use std::path::PathBuf;

use super::schema::SchemaError;

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

pub(super) fn io(context: impl fmt::Display) -> impl FnOnce(std::io::Error) -> OpsError {
    let context = context.to_string();
    move |source| OpsError::Io { context, source }
}

pub(super) fn db(context: impl fmt::Display) -> impl FnOnce(sqlx::Error) -> OpsError {
    let context = context.to_string();
    move |source| OpsError::Db { context, source }
}
