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

use super::context::{App, Fail, Out};
use crate::storage::{Scope, StorageError, Write};

/// Jobs taken into one transaction at most.
const MOST: usize = 256;

/// What a job returns.
pub type Outcome = Result<Vec<Out>, Fail>;

/// A write run inside the batch's transaction.
pub type Job = Box<
    dyn for<'a> FnOnce(&'a App, &'a mut Write) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>
        + Send,
>;

struct Queued {
    job: Job,
    done: oneshot::Sender<Outcome>,
}

/// The queue and the leader's turn.
#[derive(Default)]
pub struct Batcher {
    queue: Mutex<Vec<Queued>>,
    leader: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Batcher {
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

impl Batcher {
    fn lock_queue(&self) -> MutexGuard<'_, Vec<Queued>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `job` in a batch of reports; returns once its batch committed.
    pub async fn run(&self, app: &App, job: Job) -> Outcome {
        let (done, mut result) = oneshot::channel();
        self.lock_queue().push(Queued { job, done });
        let turn = self.leader.lock().await;
        match result.try_recv() {
            Ok(r) => return r,
            Err(oneshot::error::TryRecvError::Closed) => {
                return Err(failed("the batch was abandoned"));
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        loop {
            let jobs: Vec<Queued> = {
                let mut q = self.lock_queue();
                let n = q.len().min(MOST);
                q.drain(..n).collect()
            };
            if jobs.is_empty() {
                break;
            }
            commit_batch(app, jobs).await;
            // Ours may be among the jobs left for the next batch.
            match result.try_recv() {
                Ok(r) => return r,
                Err(oneshot::error::TryRecvError::Closed) => break,
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
        }
        drop(turn);
        result
            .await
            .unwrap_or_else(|_| Err(failed("the batch was abandoned")))
    }
}

/// Runs `jobs` in one transaction and answers each.
async fn commit_batch(app: &App, jobs: Vec<Queued>) {
    let mut tx = match app.db.write_scoped(Scope::Reports).await {
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
        let outcome = (q.job)(app, &mut tx).await;
        match outcome {
            Err(Fail::Refused(r)) => answers.push((q.done, Some(Err(Fail::Refused(r))))),
            Err(e) => {
                broken = Some(e.to_string());
                answers.push((q.done, Some(Err(e))));
            }
            Ok(outs) => answers.push((q.done, Some(Ok(outs)))),
        }
    }
    let broken = match broken {
        Some(why) => {
            drop(tx); // rolled back
            Some(why)
        }
        None => tx.commit().await.err().map(|e| e.to_string()),
    };
    for (done, outcome) in answers {
        let outcome = match (&broken, outcome) {
            (_, Some(Err(Fail::Refused(r)))) => Err(Fail::Refused(r)),
            (None, Some(o)) => o,
            (Some(why), _) => Err(failed(why)),
            (None, None) => Err(failed("not run")),
        };
        let _ = done.send(outcome);
    }
}
