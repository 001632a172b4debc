//! The one database this build runs on: SQLite by default, PostgreSQL with
//! the `postgres` feature. Everything that differs between the two is here
//! (how to connect, how a write begins, which migrations, whether the
//! in-memory cache may keep what it read); the queries themselves are the
//! same text for both (see README "Storage").

use super::Result;
use std::str::FromStr;

#[cfg(not(feature = "postgres"))]
pub use sqlx::{Sqlite as Backend, SqliteConnection as Conn, SqlitePool as Pool};

#[cfg(feature = "postgres")]
pub use sqlx::{PgConnection as Conn, PgPool as Pool, Postgres as Backend};

/// The migrations of this backend, embedded in the binary.
#[cfg(not(feature = "postgres"))]
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// The migrations of this backend, embedded in the binary.
#[cfg(feature = "postgres")]
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database's name in messages.
pub const NAME: &str = if cfg!(feature = "postgres") {
    "PostgreSQL"
} else {
    "SQLite"
};

/// The scheme of this backend's URLs.
pub const SCHEME: &str = if cfg!(feature = "postgres") {
    "postgres://"
} else {
    "sqlite://"
};

/// Whether another process may write to the same database (PostgreSQL:
/// replicas). Then nothing read is kept in memory past its read, and the
/// scheduler runs in one process at a time.
pub const SHARED: bool = cfg!(feature = "postgres");

/// Whether `url` names a database of this build's kind.
pub fn accepts(url: &str) -> bool {
    let scheme = url.split(':').next().unwrap_or_default();
    if SHARED {
        matches!(scheme, "postgres" | "postgresql")
    } else {
        scheme == "sqlite"
    }
}

/// Connects: a pool for reads and the one connection of every write.
#[cfg(not(feature = "postgres"))]
pub async fn connect(url: &str) -> Result<(Pool, Conn, Instance)> {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    use std::time::Duration;
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
        .connect_with(options.clone())
        .await?;
    MIGRATOR.run(&pool).await?;
    let writer = options.connect().await?;
    Ok((pool, writer, 0))
}

/// Which process of the bot this is, among the replicas on one database
/// (PostgreSQL): random, for the process's lifetime. 0 with SQLite.
pub type Instance = i64;

/// Connects: a pool for reads and the one connection of every write, which
/// stamps the updates it applies with this process's [`Instance`] and holds
/// an advisory lock on it for as long as the process lives (so that other
/// replicas can tell it is alive; see `updates::adopt`).
#[cfg(feature = "postgres")]
pub async fn connect(url: &str) -> Result<(Pool, Conn, Instance)> {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    // Migrations take their own lock: replicas starting together apply
    // each once.
    MIGRATOR.run(&pool).await?;
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| super::StorageError::Corrupt(e.to_string()))?;
    // Positive and clear of the lock numbers below.
    let instance = (i64::from_le_bytes(bytes) & 0x0fff_ffff_ffff_ffff) | 1;
    let writer = writer(&pool, instance).await?;
    Ok((pool, writer, instance))
}

/// The write connection of `instance` (PostgreSQL): stamps what it applies
/// and holds the instance's lock.
#[cfg(feature = "postgres")]
async fn writer(pool: &Pool, instance: Instance) -> Result<Conn> {
    use sqlx::ConnectOptions;
    let mut writer = pool.connect_options().connect().await?;
    sqlx::query(&format!("SET thidua.instance = '{instance}'"))
        .execute(&mut writer)
        .await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(instance)
        .execute(&mut writer)
        .await?;
    Ok(writer)
}

/// Begins a write transaction on the write connection.
///
/// SQLite: `BEGIN IMMEDIATE` takes the write lock up front (a deferred
/// transaction that reads then writes can fail with SQLITE_BUSY whatever
/// the busy timeout). PostgreSQL: a transaction-scoped advisory lock makes
/// the writes of every replica take turns, as SQLite's one writer does, so
/// that what a write reads (is this update applied? is this reminder sent?)
/// stays true until it commits.
///
/// A server's connection can break (the server restarted, the network
/// failed): then the write connection is made again, once, before giving up.
#[cfg(not(feature = "postgres"))]
pub async fn begin(conn: &mut Conn, _pool: &Pool, _instance: Instance) -> Result<()> {
    sqlx::query("BEGIN IMMEDIATE").execute(conn).await?;
    Ok(())
}

/// Begins a write transaction on the write connection; see above.
#[cfg(feature = "postgres")]
pub async fn begin(conn: &mut Conn, pool: &Pool, instance: Instance) -> Result<()> {
    async fn turn(conn: &mut Conn) -> sqlx::Result<()> {
        sqlx::query("BEGIN").execute(&mut *conn).await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(conn)
            .await?;
        Ok(())
    }
    match turn(conn).await {
        Ok(()) => Ok(()),
        Err(e) if broken(&e) => {
            tracing::warn!(error = %e, "the write connection broke; connecting again");
            *conn = writer(pool, instance).await?;
            Ok(turn(conn).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the connection is gone: closed under us, or ended by the server
/// (SQLSTATE class 08, connection exception; 57P, operator intervention:
/// a shutdown or restart, a terminated backend).
#[cfg(feature = "postgres")]
fn broken(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// The advisory lock every write transaction holds (PostgreSQL).
#[cfg(feature = "postgres")]
const WRITE_LOCK: i64 = 0x7468_6964_7561_0001;

/// The advisory lock the replica that runs the scheduler holds (PostgreSQL).
#[cfg(feature = "postgres")]
pub const SCHEDULER_LOCK: i64 = 0x7468_6964_7561_0002;

/// Whether this process runs the scheduler: with SQLite always (one
/// process per file); with PostgreSQL, the one replica that holds a
/// session-level advisory lock on a connection of its own. If that replica
/// dies, its connection closes, the server frees the lock, and another
/// replica takes it at its next tick: the reminder ledger in the database
/// makes the hand-over neither repeat nor drop a send, as after a restart.
#[derive(Debug, Default)]
pub struct SchedulerTurn {
    #[cfg(feature = "postgres")]
    held: tokio::sync::Mutex<Option<Conn>>,
}

impl SchedulerTurn {
    /// Whether the scheduler's turn is this process's now.
    #[cfg(not(feature = "postgres"))]
    pub async fn mine(&self, _pool: &Pool) -> Result<bool> {
        Ok(true)
    }

    /// Whether the scheduler's turn is this process's now.
    #[cfg(feature = "postgres")]
    pub async fn mine(&self, pool: &Pool) -> Result<bool> {
        use sqlx::ConnectOptions;
        let mut held = self.held.lock().await;
        if let Some(c) = held.as_mut() {
            if sqlx::query("SELECT 1").execute(&mut *c).await.is_ok() {
                return Ok(true);
            }
            // The connection broke: the lock went with it.
            *held = None;
        }
        let mut c = pool.connect_options().connect().await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(SCHEDULER_LOCK)
            .fetch_one(&mut c)
            .await?;
        if got {
            *held = Some(c);
        }
        Ok(got)
    }

    /// Lets the turn go (at shutdown): another replica takes it at once.
    pub async fn release(&self) {
        #[cfg(feature = "postgres")]
        if let Some(c) = self.held.lock().await.take() {
            let _ = sqlx::Connection::close(c).await;
        }
    }
}
