//! SQLite through sqlx: one module per aggregate. Functions take a connection
//! (usually a transaction) so the caller owns the commit.

pub mod audit;
pub mod blocs;
pub mod board;
pub mod dialogues;
pub mod pledges;
pub mod registrations;
pub mod reminders;
pub mod reports;
pub mod schedules;
pub mod targets;
pub mod units;
pub mod updates;
pub mod users;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that cannot be read back (should never happen).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// Result of storage calls.
pub type Result<T> = std::result::Result<T, StorageError>;

/// The database: a pool of connections with our pragmas.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Db> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL can lose the last commits on power loss: a lost "sent" mark is a repeat.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // sqlx pings a connection before lending it: a round trip to the
            // connection's thread each time (several per update), useless for
            // a file that cannot drop a connection the way a server can.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Db { pool })
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a write transaction. `BEGIN IMMEDIATE` takes the write lock up
    /// front: a deferred transaction that reads then writes can fail with
    /// SQLITE_BUSY regardless of the busy timeout.
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
