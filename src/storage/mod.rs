//! The database through sqlx (SQLite, or PostgreSQL: see [`backend`]): one
//! module per aggregate. Functions take a connection (usually a transaction)
//! so the caller owns the commit.

pub mod audit;
pub mod backend;
pub mod ballots;
pub mod blocs;
pub mod board;
pub mod cache;
pub mod corrections;
pub mod dialogues;
pub mod evidence;
pub mod pledges;
pub mod registrations;
pub mod reminders;
pub mod reports;
pub mod reviews;
pub mod schedules;
pub mod targets;
pub mod units;
pub mod updates;
pub mod users;

use crate::domain::{Board, Patch, Period};
pub use backend::{Backend, Conn, Pool};
use sqlx::Connection;
use sqlx::pool::PoolConnection;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

use cache::Done;
pub use cache::{Cache, Scope};

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
    /// Another write of the same group commit failed, so none was stored.
    #[error("write batch failed: {0}")]
    Batch(String),
    /// The database was closed.
    #[error("the database is closed")]
    Closed,
    /// The update was applied already, by another process of the bot (a
    /// replica Telegram delivered it to as well): nothing more to do here.
    #[error("update {0} was applied by another process")]
    Applied(i64),
}

/// Result of storage calls.
pub type Result<T> = std::result::Result<T, StorageError>;

/// The database: one connection that every write goes through, a pool of
/// connections for reads, all with our pragmas.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    writer: Arc<Mutex<Option<Writer>>>,
    cache: Arc<Cache>,
    scheduler: Arc<backend::SchedulerTurn>,
    instance: backend::Instance,
}

/// The connection of every write. Writes queue for it anyway (SQLite has one
/// writer at a time), and owning it outside the pool saves two round trips
/// to its thread per write (the pool's hand-out and its ping on return) and
/// keeps its page cache: a connection drops its cached pages whenever
/// another connection has written.
#[derive(Debug)]
struct Writer {
    conn: Conn,
    /// A transaction may be open on it: a write that ended without COMMIT
    /// (an error, a refusal, a dropped future) is rolled back by the next.
    open: bool,
}

impl Db {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Db> {
        let (pool, conn, instance) = backend::connect(url).await?;
        let writer = Writer { conn, open: false };
        Ok(Db {
            pool,
            writer: Arc::new(Mutex::new(Some(writer))),
            cache: Arc::default(),
            scheduler: Arc::default(),
            instance,
        })
    }

    /// A connection taken from the pool only if a read needs one: most
    /// reads are answered by the cache, and every connection handed back to
    /// sqlx's pool costs a ping to its thread.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            pool: &self.pool,
            conn: None,
        }
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Whether this process runs the scheduler now (see
    /// [`backend::SchedulerTurn`]).
    pub async fn scheduler_turn(&self) -> Result<bool> {
        self.scheduler.mine(&self.pool).await
    }

    /// This process among the database's replicas (see [`backend::Instance`]).
    pub fn instance(&self) -> backend::Instance {
        self.instance
    }

    /// What most commands read, kept in memory.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Starts a write transaction that may change anything; see
    /// [`backend::begin`] for how writes take turns.
    pub async fn write(&self) -> Result<Write> {
        self.write_scoped(Scope::All).await
    }

    /// Starts a write transaction that changes only what `scope` says.
    pub async fn write_scoped(&self, scope: Scope) -> Result<Write> {
        // The guard exists before BEGIN: if BEGIN fails, the cache still
        // hears that the write ended.
        let guard = Guard {
            cache: Arc::clone(&self.cache),
            scope,
            boards: Vec::new(),
            patches: Vec::new(),
            applied: Vec::new(),
            committed: false,
        };
        self.cache.begin(scope);
        let mut conn =
            OwnedMutexGuard::try_map(Arc::clone(&self.writer).lock_owned().await, Option::as_mut)
                .map_err(|_| StorageError::Closed)?;
        if conn.open {
            // Left open by a write that did not commit: undo it. An error
            // here means there was nothing to undo.
            let _ = sqlx::query("ROLLBACK").execute(&mut conn.conn).await;
        }
        // Marked before BEGIN: a BEGIN cut short may still have run.
        conn.open = true;
        backend::begin(&mut conn.conn, &self.pool, self.instance).await?;
        Ok(Write {
            conn,
            guard,
            boards: HashMap::new(),
        })
    }

    /// A database in a fresh temporary directory, for tests; the directory
    /// goes when the returned guard is dropped.
    #[cfg(test)]
    pub(crate) async fn temp() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::open(&url).await.expect("temporary database");
        (dir, db)
    }

    /// Closes every connection; a write begun after this fails.
    pub async fn close(&self) {
        self.scheduler.release().await;
        let writer = self.writer.lock().await.take();
        if let Some(w) = writer
            && let Err(e) = w.conn.close().await
        {
            tracing::warn!(error = %e, "closing the write connection");
        }
        self.pool.close().await;
    }
}

/// A write transaction. Reads through it see its own changes; the cache
/// hides what it may change until it has ended (see [`cache`]).
#[derive(Debug)]
pub struct Write {
    conn: OwnedMappedMutexGuard<Option<Writer>, Writer>,
    guard: Guard,
    /// Boards read in this transaction, each with how many of its patches
    /// (`guard.patches`) were looked at for it.
    boards: HashMap<(i64, i32, Period), (Arc<Board>, usize)>,
}

impl Write {
    /// This transaction will change the boards of `bloc_id`: until it has
    /// ended, a board of it loaded from the database is not kept (it may
    /// hold this transaction's reports, or miss them once committed).
    fn touch_board(&mut self, bloc_id: i64) {
        if !self.guard.boards.contains(&bloc_id) {
            self.guard.cache.begin_board(bloc_id);
            self.guard.boards.push(bloc_id);
        }
    }

    /// A report this transaction adds to a board of `bloc_id`, applied to
    /// the cached board once committed.
    pub fn patch_board(&mut self, bloc_id: i64, patch: Patch) {
        self.touch_board(bloc_id);
        self.guard.patches.push((bloc_id, patch));
    }

    /// A board as this transaction sees it: the cached or stored board with
    /// the reports this transaction added, without a query for each.
    ///
    /// The board read is shared with the cache; it is copied to apply this
    /// transaction's reports only when asked for again after one (in a
    /// group commit, most reports are the only one of their bloc).
    pub async fn board(&mut self, bloc_id: i64, year: i32, period: Period) -> Result<Arc<Board>> {
        let key = (bloc_id, year, period);
        let patches = &self.guard.patches;
        let (board, seen) = match self.boards.get_mut(&key) {
            Some(entry) => entry,
            None => {
                let cache = Arc::clone(&self.guard.cache);
                let b = cache
                    .board(&mut self.conn.conn, bloc_id, year, period)
                    .await?;
                // The cache's board lacks this transaction's reports; one
                // read through the transaction has them already and
                // applying them again changes nothing.
                self.boards.entry(key).or_insert((b, 0))
            }
        };
        for (bloc, p) in &patches[*seen..] {
            if (*bloc, p.year, p.period) == key {
                Arc::make_mut(board).apply(p);
            }
        }
        *seen = patches.len();
        Ok(Arc::clone(board))
    }

    /// The update this transaction applies: remembered once committed.
    pub fn applies(&mut self, update_id: i64) {
        self.guard.applied.push(update_id);
    }

    /// Commits; the cache drops what changed before this returns.
    pub async fn commit(self) -> Result<()> {
        let Write {
            mut conn,
            mut guard,
            boards,
        } = self;
        // Its copies go first, so that the cache patches its boards in place.
        drop(boards);
        sqlx::query("COMMIT").execute(&mut conn.conn).await?;
        conn.open = false;
        guard.committed = true;
        Ok(())
    }
}

impl Deref for Write {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn.conn
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn.conn
    }
}

/// Tells the cache a write ended, however it ended (commit, rollback, error,
/// or the future dropped).
#[derive(Debug)]
struct Guard {
    cache: Arc<Cache>,
    scope: Scope,
    boards: Vec<i64>,
    patches: Vec<(i64, Patch)>,
    applied: Vec<i64>,
    committed: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let done = Done {
            committed: self.committed,
            boards: &self.boards,
            patches: &self.patches,
            applied: &self.applied,
        };
        self.cache.end(self.scope, &done);
    }
}

/// Where a read gets its connection: a transaction, a pooled connection, or
/// a [`Reader`] that takes one only when asked.
pub trait Source: Send {
    /// The connection.
    fn conn(&mut self) -> impl Future<Output = Result<&mut Conn>> + Send;
}

impl Source for Conn {
    async fn conn(&mut self) -> Result<&mut Conn> {
        Ok(self)
    }
}

impl Source for PoolConnection<Backend> {
    async fn conn(&mut self) -> Result<&mut Conn> {
        Ok(&mut **self)
    }
}

impl Source for Write {
    async fn conn(&mut self) -> Result<&mut Conn> {
        Ok(&mut self.conn.conn)
    }
}

/// A connection taken from the pool on first use; see [`Db::reader`].
#[derive(Debug)]
pub struct Reader<'a> {
    pool: &'a Pool,
    conn: Option<PoolConnection<Backend>>,
}

impl Source for Reader<'_> {
    async fn conn(&mut self) -> Result<&mut Conn> {
        if self.conn.is_none() {
            self.conn = Some(self.pool.acquire().await?);
        }
        self.conn
            .as_deref_mut()
            .ok_or_else(|| StorageError::Corrupt("no connection".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn user_ids(db: &Db) -> Vec<i64> {
        sqlx::query_scalar("SELECT user_id FROM users ORDER BY user_id")
            .fetch_all(db.pool())
            .await
            .expect("users")
    }

    #[tokio::test]
    async fn a_write_ended_without_commit_is_undone_by_the_next() {
        let (_dir, db) = Db::temp().await;
        let mut w = db.write().await.expect("write");
        users::set_lang(&mut w, 1, "en").await.expect("set");
        drop(w);
        assert!(user_ids(&db).await.is_empty(), "never committed");
        let mut w = db.write().await.expect("the next write begins");
        users::set_lang(&mut w, 2, "vi").await.expect("set");
        w.commit().await.expect("commit");
        assert_eq!(user_ids(&db).await, vec![2], "only the committed write");
    }

    #[tokio::test]
    async fn a_transaction_sees_its_own_reports_on_its_boards_and_the_cache_after_commit() {
        use crate::domain::{Goal, TargetKind};
        let (_dir, db) = Db::temp().await;
        let now = chrono::Utc::now();
        let mut tx = db.write().await.expect("write");
        let bloc = blocs::insert(&mut tx, -1, "K", "Asia/Ho_Chi_Minh", (1, "An"), now)
            .await
            .expect("bloc");
        let unit = units::insert(&mut tx, bloc, "A", "A", now)
            .await
            .expect("unit");
        let t = targets::NewTarget {
            code: "HT",
            kind: TargetKind::Percent,
            goal: Goal::AtLeast(100.0),
            weight: 100,
            name: "HT",
        };
        let target = targets::insert(&mut tx, bloc, 2026, &t, now)
            .await
            .expect("target");
        tx.commit().await.expect("commit");
        let cached = |db: &Db| {
            let db = db.clone();
            async move {
                db.cache()
                    .board(&mut db.reader(), bloc, 2026, Period::Mid)
                    .await
                    .expect("board")
            }
        };
        let committed = cached(&db).await;
        assert!(committed.values.is_empty());

        let mut tx = db.write_scoped(Scope::Reports).await.expect("write");
        for value in [10.0, 20.0, 30.0] {
            // First read after the first report: the cached board, patched.
            if value != 10.0 {
                let seen = tx.board(bloc, 2026, Period::Mid).await.expect("board");
                assert_eq!(seen.values.get(&(unit, target)), Some(&(value - 10.0)));
            }
            let r = reports::NewReport::test(unit, target, Period::Mid, value, 7);
            let report_id = reports::insert_audited(&mut tx, &r, now, bloc, "s", None)
                .await
                .expect("report");
            tx.patch_board(
                bloc,
                Patch {
                    year: 2026,
                    period: Period::Mid,
                    unit_id: unit,
                    target_id: target,
                    value,
                    report_id,
                    at: now,
                },
            );
        }
        let seen = tx.board(bloc, 2026, Period::Mid).await.expect("board");
        assert_eq!(seen.values.get(&(unit, target)), Some(&30.0));
        drop(seen);
        // Meanwhile readers keep the board as committed, without loading it again.
        let during = cached(&db).await;
        assert!(Arc::ptr_eq(&during, &committed), "the kept board");
        assert!(during.values.is_empty(), "nothing uncommitted");
        drop((during, committed));
        tx.commit().await.expect("commit");
        let after = cached(&db).await;
        assert_eq!(after.values.get(&(unit, target)), Some(&30.0));
        let mut c = db.pool().acquire().await.expect("conn");
        let fresh = board::load(&mut c, bloc, 2026, Period::Mid)
            .await
            .expect("load");
        assert_eq!(after.reports, fresh.reports);
        assert_eq!(after.standings, fresh.standings);
    }

    #[tokio::test]
    async fn no_write_begins_once_closed() {
        let (_dir, db) = Db::temp().await;
        db.close().await;
        assert!(matches!(db.write().await, Err(StorageError::Closed)));
    }
}
