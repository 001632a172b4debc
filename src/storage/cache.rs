//! An in-memory copy of what nearly every command reads: who a user is, which
//! bloc a chat is, who heads what, a bloc's schedule and its standings board.
//!
//! Each read through sqlx is a round trip to the connection's own thread;
//! profiling showed those thread switches, not SQLite, were most of the cost
//! of a command. Here a command that reads finds its answers in memory.
//!
//! The copy never shows what was not committed and never outlives a commit:
//! - a write transaction says up front what it may change ([`Scope`]); while
//!   it is open and until its changes are dropped from here, reads of that
//!   part go to the database (inside the transaction itself they see its own
//!   uncommitted rows, as before);
//! - except a bloc's boards while reports are written to it: readers keep
//!   the board as last committed, and the commit patches it before the
//!   reports are answered. A read overlapping that write may show the board
//!   without its reports, as if it had come a moment earlier; a read after
//!   a report's answer shows it. (Reloading the board instead cost a
//!   query for every read of a bloc with a report in flight.)
//! - a value loaded from the database is kept only if no write of its part
//!   started or ended while it was being loaded (epochs).
//!
//! Each map is bounded; a full map starts over.
//!
//! With PostgreSQL another replica may write at any time, unseen from here:
//! then nothing is kept (see [`KEEPS`]) and every read goes to the database.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use super::blocs;
use super::board;
use super::units;
use super::{Result, Source};
use super::{registrations, schedules, users};
use crate::domain::Period;
use crate::domain::schedule::Schedule;
use crate::domain::{Bloc, Board, Patch, Unit};
use crate::storage::Conn;

/// Whether anything is kept: only when this process is the database's one
/// writer.
const KEEPS: bool = !super::backend::SHARED;

/// Entries per map before it starts over.
const CAP: usize = 16_384;
/// Blocs whose boards are kept (a board is about 10 kB for 15 units).
const BOARD_BLOCS: usize = 256;
/// Processed update ids remembered before the oldest half is handed back to
/// the database.
const PROCESSED: usize = 65_536;

/// What a write transaction may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anything: every cached value is dropped at the end.
    All,
    /// Reports only: the boards of the blocs it names with
    /// [`super::Write::touch_board`].
    Reports,
    /// Which chats are unreachable (and the reminder ledger).
    Unreachable,
    /// Nothing kept here: the reminder ledger, dialogues, draft targets.
    Uncached,
}

/// How a write ended and what it changed.
#[derive(Debug)]
pub struct Done<'a> {
    /// It committed.
    pub committed: bool,
    /// Blocs whose boards it touched.
    pub boards: &'a [i64],
    /// Reports it added, by bloc.
    pub patches: &'a [(i64, Patch)],
    /// Updates it applied.
    pub applied: &'a [i64],
}

/// A user's stored language and picked bloc.
pub type UserPrefs = (Option<String>, Option<i64>);

#[derive(Debug, Default)]
struct State {
    /// Bumped when an `All` write ends.
    epoch: u64,
    /// `All` writes open.
    writing: usize,
    users: HashMap<i64, UserPrefs>,
    chats: HashMap<i64, Option<Bloc>>,
    memberships: HashMap<i64, Vec<Bloc>>,
    admins: HashMap<(i64, i64), bool>,
    heads: HashMap<(i64, i64), Option<Unit>>,
    schedules: HashMap<(i64, i32), Schedule>,
    titles: HashMap<(i64, i32), Vec<String>>,
    unreachable: Option<Arc<HashSet<i64>>>,
    unreachable_epoch: u64,
    unreachable_writing: usize,
    boards: HashMap<i64, HashMap<(i32, Period), Arc<Board>>>,
    /// Per bloc, bumped when a report write on it ends; kept until an `All`
    /// write so that a bloc's count never goes back.
    board_epochs: HashMap<i64, u64>,
    board_writing: HashMap<i64, usize>,
    /// Update ids above `known_above` that were applied: exactly those.
    processed: BTreeSet<i64>,
    known_above: Option<i64>,
}

impl State {
    fn clear_all(&mut self) {
        self.epoch += 1;
        self.users.clear();
        self.chats.clear();
        self.memberships.clear();
        self.admins.clear();
        self.heads.clear();
        self.schedules.clear();
        self.titles.clear();
        self.unreachable = None;
        self.unreachable_epoch += 1;
        self.boards.clear();
        // Kept: a board load that began before this write carries the old
        // global epoch and is refused anyway.
    }
}

/// The cache; one per database.
#[derive(Debug, Default)]
pub struct Cache {
    state: Mutex<State>,
}

/// A map of [`State`].
type Pick<K, V> = fn(&mut State) -> &mut HashMap<K, V>;

/// A load from the database on a miss.
type Load<'c, V> = std::pin::Pin<Box<dyn Future<Output = Result<V>> + Send + 'c>>;

impl Cache {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-made entry:
        // every change under it is a single insert or clear.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A kept value, or one loaded by `load` and kept if nothing was written
    /// meanwhile. Boxed: only a miss pays for it.
    async fn memo<K, V>(
        &self,
        map: Pick<K, V>,
        key: K,
        src: &mut impl Source,
        load: impl for<'c> FnOnce(&'c mut Conn) -> Load<'c, V>,
    ) -> Result<V>
    where
        K: Eq + Hash,
        V: Clone,
    {
        let epoch = {
            let mut s = self.lock();
            if s.writing == 0
                && let Some(v) = map(&mut s).get(&key)
            {
                return Ok(v.clone());
            }
            s.epoch
        };
        let v = load(src.conn().await?).await?;
        let mut s = self.lock();
        if KEEPS && s.writing == 0 && s.epoch == epoch {
            let m = map(&mut s);
            if m.len() >= CAP {
                m.clear();
            }
            m.insert(key, v.clone());
        }
        Ok(v)
    }

    /// [`users::get`].
    pub async fn user(&self, src: &mut impl Source, user_id: i64) -> Result<UserPrefs> {
        self.memo(
            |s| &mut s.users,
            user_id,
            src,
            |c| Box::pin(users::get(c, user_id)),
        )
        .await
    }

    /// [`blocs::by_chat`].
    pub async fn bloc_by_chat(&self, src: &mut impl Source, chat_id: i64) -> Result<Option<Bloc>> {
        self.memo(
            |s| &mut s.chats,
            chat_id,
            src,
            |c| Box::pin(blocs::by_chat(c, chat_id)),
        )
        .await
    }

    /// [`blocs::of_user`].
    pub async fn blocs_of(&self, src: &mut impl Source, user_id: i64) -> Result<Vec<Bloc>> {
        self.memo(
            |s| &mut s.memberships,
            user_id,
            src,
            |c| Box::pin(blocs::of_user(c, user_id)),
        )
        .await
    }

    /// [`blocs::is_admin`].
    pub async fn is_admin(
        &self,
        src: &mut impl Source,
        bloc_id: i64,
        user_id: i64,
    ) -> Result<bool> {
        self.memo(
            |s| &mut s.admins,
            (bloc_id, user_id),
            src,
            |c| Box::pin(blocs::is_admin(c, bloc_id, user_id)),
        )
        .await
    }

    /// [`units::headed_by`].
    pub async fn headed_by(
        &self,
        src: &mut impl Source,
        bloc_id: i64,
        user_id: i64,
    ) -> Result<Option<Unit>> {
        self.memo(
            |s| &mut s.heads,
            (bloc_id, user_id),
            src,
            |c| Box::pin(units::headed_by(c, bloc_id, user_id)),
        )
        .await
    }

    /// [`schedules::get`].
    pub async fn schedule(
        &self,
        src: &mut impl Source,
        bloc_id: i64,
        year: i32,
        tz: chrono_tz::Tz,
    ) -> Result<Schedule> {
        self.memo(
            |s| &mut s.schedules,
            (bloc_id, year),
            src,
            |c| Box::pin(schedules::get(c, bloc_id, year, tz)),
        )
        .await
    }

    /// [`registrations::of_unit`].
    pub async fn titles(
        &self,
        src: &mut impl Source,
        unit_id: i64,
        year: i32,
    ) -> Result<Vec<String>> {
        self.memo(
            |s| &mut s.titles,
            (unit_id, year),
            src,
            |c| Box::pin(registrations::of_unit(c, unit_id, year)),
        )
        .await
    }

    /// Whether a chat is marked unreachable.
    pub async fn unreachable(&self, src: &mut impl Source, chat_id: i64) -> Result<bool> {
        let epoch = {
            let s = self.lock();
            if s.unreachable_writing == 0
                && s.writing == 0
                && let Some(set) = &s.unreachable
            {
                return Ok(set.contains(&chat_id));
            }
            (s.epoch, s.unreachable_epoch)
        };
        let set: HashSet<i64> =
            sqlx::query_scalar::<_, i64>("SELECT DISTINCT chat_id FROM unreachable")
                .fetch_all(src.conn().await?)
                .await?
                .into_iter()
                .collect();
        let found = set.contains(&chat_id);
        let mut s = self.lock();
        if KEEPS
            && s.unreachable_writing == 0
            && s.writing == 0
            && (s.epoch, s.unreachable_epoch) == epoch
        {
            s.unreachable = Some(Arc::new(set));
        }
        Ok(found)
    }

    /// [`board::load`].
    pub async fn board(
        &self,
        src: &mut impl Source,
        bloc_id: i64,
        year: i32,
        period: Period,
    ) -> Result<Arc<Board>> {
        let epoch = {
            let s = self.lock();
            // Reports being written to this bloc do not hide its boards.
            if s.writing == 0
                && let Some(b) = s.boards.get(&bloc_id).and_then(|m| m.get(&(year, period)))
            {
                return Ok(Arc::clone(b));
            }
            (s.epoch, s.board_epochs.get(&bloc_id).copied().unwrap_or(0))
        };
        let board = Arc::new(board::load(src.conn().await?, bloc_id, year, period).await?);
        let mut s = self.lock();
        let open = s.writing > 0 || s.board_writing.get(&bloc_id).is_some_and(|n| *n > 0);
        let now = (s.epoch, s.board_epochs.get(&bloc_id).copied().unwrap_or(0));
        if KEEPS && !open && now == epoch {
            if !s.boards.contains_key(&bloc_id) && s.boards.len() >= BOARD_BLOCS {
                s.boards.clear();
            }
            s.boards
                .entry(bloc_id)
                .or_default()
                .insert((year, period), Arc::clone(&board));
        }
        Ok(board)
    }

    /// Whether this update was applied: `Some(true)`/`Some(false)` when
    /// known here, `None` when the database must be asked.
    pub fn processed(&self, update_id: i64) -> Option<bool> {
        if !KEEPS {
            return None;
        }
        let s = self.lock();
        match s.known_above {
            Some(m) if update_id > m => Some(s.processed.contains(&update_id)),
            _ => None,
        }
    }

    /// Learns the highest update id applied before this process started:
    /// every id above it that was applied since is remembered here.
    pub async fn know_processed(&self, src: &mut impl Source) -> Result<()> {
        if !KEEPS || self.lock().known_above.is_some() {
            return Ok(());
        }
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(update_id) FROM processed_updates")
            .fetch_one(src.conn().await?)
            .await?;
        let mut s = self.lock();
        if s.known_above.is_none() {
            // Ids applied by this process meanwhile are in `processed` and
            // at most `max`, or above it and remembered.
            s.known_above = Some(max.unwrap_or(i64::MIN));
        }
        Ok(())
    }

    // ------------------------------------------------------ write side

    /// A write of `scope` starts: its part is read from the database until
    /// [`Cache::end`].
    pub(super) fn begin(&self, scope: Scope) {
        let mut s = self.lock();
        match scope {
            Scope::All => s.writing += 1,
            Scope::Unreachable => s.unreachable_writing += 1,
            Scope::Reports | Scope::Uncached => {}
        }
    }

    /// A report write will change this bloc's boards.
    pub(super) fn begin_board(&self, bloc_id: i64) {
        *self.lock().board_writing.entry(bloc_id).or_default() += 1;
    }

    /// A write ended (committed or not): drops what it may have changed and
    /// remembers the updates it applied.
    pub(super) fn end(&self, scope: Scope, done: &Done<'_>) {
        let mut s = self.lock();
        match scope {
            Scope::All => {
                s.clear_all();
                s.writing = s.writing.saturating_sub(1);
            }
            Scope::Unreachable => {
                s.unreachable = None;
                s.unreachable_epoch += 1;
                s.unreachable_writing = s.unreachable_writing.saturating_sub(1);
            }
            Scope::Reports | Scope::Uncached => {}
        }
        for b in done.boards {
            // A load that overlapped this write is not kept; what is kept
            // gets this write's reports, or is dropped if it did not commit.
            *s.board_epochs.entry(*b).or_default() += 1;
            if !done.committed {
                s.boards.remove(b);
            } else if let Some(kept) = s.boards.get_mut(b) {
                for (_, p) in done.patches.iter().filter(|(bloc, _)| bloc == b) {
                    if let Some(board) = kept.get_mut(&(p.year, p.period)) {
                        Arc::make_mut(board).apply(p);
                    }
                }
            }
            if let Some(n) = s.board_writing.get_mut(b) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    s.board_writing.remove(b);
                }
            }
        }
        if done.committed {
            s.processed.extend(done.applied.iter().copied());
        }
        if s.processed.len() > PROCESSED
            && let Some(&middle) = s.processed.iter().nth(PROCESSED / 2)
        {
            // The older half is handed back to the database.
            let newer = s.processed.split_off(&middle);
            let older = std::mem::replace(&mut s.processed, newer);
            if let (Some(mark), Some(&last)) = (s.known_above, older.last()) {
                s.known_above = Some(mark.max(last));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(ids: &[i64]) -> Done<'_> {
        Done {
            committed: true,
            boards: &[],
            patches: &[],
            applied: ids,
        }
    }

    #[test]
    fn processed_ids_are_known_only_above_the_mark() {
        let c = Cache::default();
        assert_eq!(c.processed(5), None, "unknown until the mark is learnt");
        c.lock().known_above = Some(10);
        c.end(Scope::Uncached, &applied(&[11, 13]));
        assert_eq!(c.processed(9), None);
        assert_eq!(c.processed(10), None);
        assert_eq!(c.processed(11), Some(true));
        assert_eq!(c.processed(12), Some(false));
        assert_eq!(c.processed(13), Some(true));
    }

    #[test]
    fn forgetting_old_processed_ids_raises_the_mark() {
        let c = Cache::default();
        c.lock().known_above = Some(0);
        let ids: Vec<i64> = (1..=PROCESSED as i64 + 1).collect();
        c.end(Scope::Uncached, &applied(&ids));
        let s = c.lock();
        assert!(s.processed.len() <= PROCESSED / 2 + 1);
        let mark = s.known_above.unwrap_or(0);
        drop(s);
        assert!(mark > 0);
        assert_eq!(c.processed(mark), None, "forgotten ids go to the database");
        assert_eq!(c.processed(PROCESSED as i64 + 1), Some(true));
    }

    #[test]
    fn an_all_write_hides_and_then_drops_everything() {
        let c = Cache::default();
        c.lock().users.insert(1, (Some("en".into()), None));
        c.begin(Scope::All);
        assert_eq!(c.lock().writing, 1);
        c.end(Scope::All, &applied(&[]));
        let s = c.lock();
        assert_eq!(s.writing, 0);
        assert!(s.users.is_empty());
        assert_eq!(s.epoch, 1);
    }

    #[test]
    fn a_report_write_drops_only_its_blocs_boards() {
        let c = Cache::default();
        c.lock().users.insert(1, (None, None));
        c.begin(Scope::Reports);
        c.begin_board(7);
        assert_eq!(c.lock().board_writing.get(&7), Some(&1));
        c.end(
            Scope::Reports,
            &Done {
                committed: true,
                boards: &[7],
                patches: &[],
                applied: &[],
            },
        );
        let s = c.lock();
        assert!(s.board_writing.is_empty());
        assert_eq!(s.board_epochs.get(&7), Some(&1));
        assert_eq!(s.users.len(), 1, "a report changes no user");
    }
}
