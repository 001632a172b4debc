//! Operations on the database: `thidua backup`, `thidua restore`,
//! `thidua check`, the daily backup that `thidua run` takes, and the file
//! permissions of the database.
//!
//! One file per concern: `schema` (migrations recorded against embedded),
//! `files` (paths, modes, atomic install), `backup` (backup, restore),
//! `daily` (the daily backup's names, timing and rotation), `check`, and
//! `error`, the one error type they share.

mod backup;
mod check;
mod daily;
mod error;
mod files;
mod schema;

pub use backup::{backup, backup_into, restore};
pub use check::{CheckLine, check, health};
pub use daily::{
    DAILY_BACKUP_AT, DAILY_BACKUPS_KEPT, backup_due, backups_to_delete, daily_backup,
    daily_backup_name,
};
pub use error::{OpsError, Result};
pub use files::{db_path, secure_db_file};
pub use schema::{
    Applied, SchemaError, SchemaState, applied_migrations, embedded_migrations, schema_state,
};
