//! Group commit: reports that arrive together are written in one
//! transaction, so that a burst of reports at the deadline pays for one
//! `BEGIN`, one `COMMIT` (one fsync) and one connection per batch instead of
//! per report.
//!
//! A handler queues its job and waits to lead. The leader takes every job
//! queued so far, runs them one after another in one transaction, commits
//! and hands each its result; a handler whose job an earlier leader took
//! finds its result waiting. Replies are still sent only after the commit
//! that holds their write.
//!
//! A job refuses (⚠️) before it writes anything; a job that fails after
//! writing fails the whole batch, which is rolled back: every job in it is
//! answered with the error and nothing of it is stored.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::oneshot;

use super::fail::Fail;
use crate::delivery::{Delivery, Out};
use crate::storage::{Db, Scope, StorageError, Write, updates};

/// Jobs taken into one transaction at most.
const MOST: usize = 256;

/// What a job returns.
pub type Outcome = Result<Vec<Out>, Fail>;

/// A write run inside the batch's transaction, given the handlers' context
/// `C` (the bot's `App`).
pub type Job<C> = Box<
    dyn for<'a> FnOnce(&'a C, &'a mut Write) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>
        + Send,
>;

struct Queued<C> {
    job: Job<C>,
    done: oneshot::Sender<Outcome>,
}

/// The queue and the leader's turn.
pub struct Batcher<C> {
    queue: Mutex<Vec<Queued<C>>>,
    leader: tokio::sync::Mutex<()>,
}

impl<C> Default for Batcher<C> {
    fn default() -> Self {
        Batcher {
            queue: Mutex::new(Vec::new()),
            leader: tokio::sync::Mutex::new(()),
        }
    }
}

impl<C> std::fmt::Debug for Batcher<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("queued", &self.lock_queue().len())
            .finish()
    }
}

/// The error every job of a failed batch gets.
fn failed(why: &str) -> Fail {
    Fail::Storage(StorageError::Batch(why.to_owned()))
}

/// Where a batch writes: the database, and the delivery whose waiting
/// outbox marks ride on its commit.
#[derive(Clone, Copy)]
pub struct Store<'a> {
    /// The database.
    pub db: &'a Db,
    /// The send queues.
    pub delivery: &'a Delivery,
}

impl<C> Batcher<C> {
    fn lock_queue(&self) -> MutexGuard<'_, Vec<Queued<C>>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<C: Sync> Batcher<C> {
    /// Runs `job` on `ctx` in a batch of reports written to `to`; returns
    /// once its batch committed.
    pub async fn run(&self, ctx: &C, to: Store<'_>, job: Job<C>) -> Outcome {
        let (done, mut result) = oneshot::channel();
        self.lock_queue().push(Queued { job, done });
        // Done by a leader already, or our turn to lead: whichever comes first.
        let turn = tokio::select! {
            biased;
            r = &mut result => {
                return r.unwrap_or_else(|_| Err(failed("the batch was abandoned")));
            }
            turn = self.leader.lock() => turn,
        };
        // Lead until our job is done: it may be beyond the first batch.
        loop {
            match result.try_recv() {
                Ok(r) => return r,
                Err(oneshot::error::TryRecvError::Closed) => break,
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let jobs: Vec<Queued<C>> = {
                let mut q = self.lock_queue();
                let n = q.len().min(MOST);
                q.drain(..n).collect()
            };
            if jobs.is_empty() {
                break;
            }
            commit_batch(ctx, to, jobs).await;
        }
        drop(turn);
        Err(failed("the batch was abandoned"))
    }
}

/// Runs `jobs` in one transaction and answers each.
async fn commit_batch<C>(ctx: &C, to: Store<'_>, jobs: Vec<Queued<C>>) {
    let mut tx = match to.db.write_scoped(Scope::Reports).await {
        Ok(tx) => tx,
        Err(e) => {
            let why = e.to_string();
            for q in jobs {
                let _ = q.done.send(Err(failed(&why)));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    let mut broken: Option<String> = None;
    for q in jobs {
        if broken.is_some() {
            answers.push((q.done, None));
            continue;
        }
        let outcome = (q.job)(ctx, &mut tx).await;
        match outcome {
            Err(Fail::Refused(r)) => answers.push((q.done, Some(Err(Fail::Refused(r))))),
            // Found applied before writing: the batch goes on without it.
            Err(e) if e.applied_elsewhere() => answers.push((q.done, Some(Err(e)))),
            Err(e) => {
                broken = Some(e.to_string());
                answers.push((q.done, Some(Err(e))));
            }
            Ok(outs) => answers.push((q.done, Some(Ok(outs)))),
        }
    }
    // Replies already accepted by Telegram are marked in this commit too:
    // under load their marks cost no commit of their own.
    let marks = match broken {
        None => to.delivery.take_marks(),
        Some(_) => Vec::new(),
    };
    let marked = marks.is_empty() || updates::mark_sent(&mut tx, &marks).await.is_ok();
    let broken = match broken {
        Some(why) => {
            drop(tx); // rolled back
            Some(why)
        }
        None => tx.commit().await.err().map(|e| e.to_string()),
    };
    to.delivery.marked(marks, marked && broken.is_none());
    for (done, outcome) in answers {
        let outcome = match (&broken, outcome) {
            (_, Some(Err(Fail::Refused(r)))) => Err(Fail::Refused(r)),
            (_, Some(Err(e))) if e.applied_elsewhere() => Err(e),
            (None, Some(o)) => o,
            (Some(why), _) => Err(failed(why)),
            (None, None) => Err(failed("not run")),
        };
        let _ = done.send(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Refusal;
    use crate::storage::users;
    use std::sync::Arc;

    /// What the jobs of these tests run on: nothing but the batch.
    struct App {
        db: Db,
        delivery: Delivery,
        reports: Batcher<()>,
    }

    impl App {
        fn to(&self) -> Store<'_> {
            Store {
                db: &self.db,
                delivery: &self.delivery,
            }
        }
    }

    type Job = super::Job<()>;
    type Queued = super::Queued<()>;

    async fn app() -> (App, tempfile::TempDir) {
        let (dir, db) = Db::temp().await;
        let app = App {
            db: db.clone(),
            // Never sends: these tests only commit.
            delivery: Delivery::new(
                teloxide::Bot::new("0:x"),
                db,
                Default::default(),
                Default::default(),
            ),
            reports: Batcher::default(),
        };
        (app, dir)
    }

    /// A job that stores user `id`'s language.
    fn store(id: i64) -> (Queued, oneshot::Receiver<Outcome>) {
        let (done, rx) = oneshot::channel();
        let job: Job = Box::new(move |_, tx| {
            Box::pin(async move {
                users::set_lang(tx, id, "en").await?;
                Ok(vec![Out::to(id, "ok")])
            })
        });
        (Queued { job, done }, rx)
    }

    fn refuse() -> (Queued, oneshot::Receiver<Outcome>) {
        let (done, rx) = oneshot::channel();
        let job: Job = Box::new(|_, _| Box::pin(async { Err(Refusal::NotUnitHead.into()) }));
        (Queued { job, done }, rx)
    }

    /// Writes, then fails: as a full disk would.
    fn break_after_writing() -> (Queued, oneshot::Receiver<Outcome>) {
        let (done, rx) = oneshot::channel();
        let job: Job = Box::new(|_, tx| {
            Box::pin(async move {
                users::set_lang(tx, 99, "en").await?;
                sqlx::query("INSERT INTO no_such_table VALUES (1)")
                    .execute(&mut **tx)
                    .await?;
                Ok(Vec::new())
            })
        });
        (Queued { job, done }, rx)
    }

    async fn stored(app: &App) -> i64 {
        let mut c = app.db.pool().acquire().await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_batch_commits_its_jobs_and_passes_refusals_through() {
        let (app, _dir) = app().await;
        let (a, ra) = store(1);
        let (b, rb) = refuse();
        let (c, rc) = store(2);
        commit_batch(&(), app.to(), vec![a, b, c]).await;
        assert_eq!(ra.await.unwrap().unwrap()[0].chat_id, 1);
        assert!(matches!(
            rb.await.unwrap(),
            Err(Fail::Refused(Refusal::NotUnitHead))
        ));
        assert_eq!(rc.await.unwrap().unwrap()[0].chat_id, 2);
        assert_eq!(stored(&app).await, 2);
    }

    #[tokio::test]
    async fn a_job_failing_after_a_write_rolls_back_its_whole_batch() {
        let (app, _dir) = app().await;
        let (a, ra) = store(1);
        let (b, rb) = refuse();
        let (c, rc) = break_after_writing();
        let (d, rd) = store(2);
        commit_batch(&(), app.to(), vec![a, b, c, d]).await;
        for r in [ra, rc, rd] {
            assert!(matches!(r.await.unwrap(), Err(Fail::Storage(_))));
        }
        assert!(matches!(rb.await.unwrap(), Err(Fail::Refused(_))));
        assert_eq!(stored(&app).await, 0, "nothing of the batch is stored");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_jobs_all_commit_once() {
        let (app, _dir) = app().await;
        let app = Arc::new(app);
        let mut tasks = tokio::task::JoinSet::new();
        for id in 0..200_i64 {
            let app = Arc::clone(&app);
            tasks.spawn(async move {
                let job: Job = Box::new(move |_, tx| {
                    Box::pin(async move {
                        users::set_lang(tx, id, "vi").await?;
                        Ok(vec![Out::to(id, "ok")])
                    })
                });
                app.reports.run(&(), app.to(), job).await
            });
        }
        let mut answered = Vec::new();
        while let Some(r) = tasks.join_next().await {
            answered.push(r.unwrap().unwrap()[0].chat_id);
        }
        answered.sort_unstable();
        assert_eq!(answered, (0..200).collect::<Vec<_>>());
        assert_eq!(stored(&app).await, 200);
    }
}
