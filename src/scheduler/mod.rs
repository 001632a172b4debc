//! The scheduler: reminders and summaries before each deadline, the overdue
//! list after it. What is due comes from `domain::schedule` (pure); what each
//! recipient is told comes from the database at send time; every send goes
//! through the ledger (claim, send, mark) so a restart neither repeats nor
//! drops one. `tick` is driven every minute by tokio-cron-scheduler in
//! production and by a simulated clock in tests.

mod backup;
mod ballots;
mod compose;
mod deliver;

use std::sync::Arc;
use std::time::Duration;
use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinSet;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::clock::Clock;
use crate::domain::Bloc;
use crate::domain::schedule::{Schedule, Slot};
use crate::metrics::Metrics;
use crate::storage::reminders::{self, Key};
use crate::storage::{Db, Result, Scope, StorageError, blocs, schedules, targets, updates};
use crate::telemetry::Secrets;

pub use backup::DailyBackup;
pub use deliver::Outcome;

/// The bot the scheduler sends with: paced to Telegram's limits.
pub type Sender = Throttle<Bot>;

/// Telegram's published overall limit, messages per second.
pub const TELEGRAM_CEILING: u32 = 30;

/// Our overall pace for a fan-out, one send every 1/28 s. Throttle alone
/// releases its queue in bursts (up to its whole per-second budget at once,
/// every 250 ms), and bursts that reach Telegram a little late overlap the
/// next second's: the fan-out bench saw 6 × 429 at Throttle's 30/s, 18 at
/// 28/s and 24 at 25/s. Spacing the sends evenly keeps every second under 30.
pub const SEND_CEILING: u32 = 28;

/// Telegram's published limits: about 1 message/s per chat, 20/min per
/// group, 30/s overall. Throttle would otherwise pace groups at 10/min.
pub fn telegram_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 1,
        messages_per_min_chat: 20,
        messages_per_min_channel_or_supergroup: 20,
        messages_per_sec_overall: TELEGRAM_CEILING,
    }
}

/// Wraps `bot` in the limiter. Throttle keeps the per-chat and per-group
/// limits; the overall pace is the scheduler's own (`Scheduler::paced`):
/// with a full queue Throttle releases requests every 250 ms, in bunches
/// that a strict per-second window sees as bursts (the fan-out bench got 23
/// × 429 with even spacing at 28/s behind Throttle's 30/s). Its overall
/// limit stays as a backstop, well above our pace.
pub fn sender(bot: Bot, limits: Limits) -> Sender {
    let backstop = limits.messages_per_sec_overall.saturating_mul(4);
    Throttle::new_spawn(
        bot,
        Limits {
            messages_per_sec_overall: backstop,
            ..limits
        },
    )
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    /// Messages accepted by Telegram.
    pub sent: usize,
    /// Sends that can never succeed (403), recorded.
    pub failed: usize,
    /// Sends left for the next tick (network or server errors).
    pub pending: usize,
}

impl std::ops::AddAssign for TickReport {
    fn add_assign(&mut self, o: TickReport) {
        self.sent += o.sent;
        self.failed += o.failed;
        self.pending += o.pending;
    }
}

/// What the scheduler works with: the database, the clock, and what to keep
/// out of its logs.
#[derive(Clone, Debug)]
struct Env {
    db: Db,
    clock: Arc<dyn Clock>,
    secrets: Secrets,
    metrics: Metrics,
}

impl Env {
    fn redact(&self, s: &str) -> String {
        self.secrets.redact(s)
    }
}

/// The scheduler of one running bot.
#[derive(Debug)]
pub struct Scheduler {
    env: Env,
    bot: Sender,
    // One tick at a time: two overlapping ticks would race on the same claims.
    lock: Mutex<()>,
    /// Pause before retrying a failed send within a tick.
    backoff: Duration,
    // Time between two sends of a fan-out; zero sends as fast as Throttle lets.
    pace: Duration,
}

/// Sends in flight at once: enough to keep the ceiling busy, and under
/// Throttle's queue of 30. Throttle releases queued sends in batches every
/// 250 ms: one at a time would cap a fan-out at 4 messages/s.
pub const CONCURRENCY: usize = 24;

impl Scheduler {
    /// A scheduler over `db` at `clock`'s time, sending with `bot`; `secrets`
    /// are kept out of its logs.
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        secrets: Secrets,
        metrics: Metrics,
        bot: Sender,
    ) -> Scheduler {
        Scheduler {
            env: Env {
                db,
                clock,
                secrets,
                metrics,
            },
            bot,
            lock: Mutex::new(()),
            backoff: Duration::from_millis(200),
            pace: Duration::ZERO,
        }
    }

    /// Spaces a fan-out's sends evenly at `per_sec` (0: no spacing).
    pub fn paced(mut self, per_sec: u32) -> Scheduler {
        self.pace = if per_sec == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1) / per_sec
        };
        self
    }

    /// Waits until no tick is running (for a graceful shutdown).
    pub async fn idle(&self) {
        drop(self.lock.lock().await);
    }

    /// Claims and sends everything due now; sends what earlier ticks claimed
    /// but could not send.
    pub async fn tick(&self) -> Result<TickReport> {
        let _one_at_a_time = self.lock.lock().await;
        // One replica sends (PostgreSQL); the others wait for its turn.
        if !self.env.db.scheduler_turn().await? {
            return Ok(TickReport::default());
        }
        let now = self.env.clock.now();
        let mut report = TickReport::default();
        {
            let mut tx = self.env.db.write_scoped(Scope::Uncached).await?;
            updates::prune(&mut tx, now).await?;
            tx.commit().await?;
        }
        match ballots::close_due(&self.env, &self.bot, self.backoff).await {
            Ok(r) => report += r,
            Err(e) => {
                tracing::error!(error = %self.env.redact(&e.to_string()), "closing ballots failed")
            }
        }
        let all = {
            let mut conn = self.env.db.pool().acquire().await?;
            blocs::all(&mut conn).await?
        };
        let mut due = Vec::new();
        for bloc in all {
            match self.bloc_tick(&bloc, now).await {
                Ok(keys) => due.extend(keys.into_iter().map(|k| (bloc.clone(), k))),
                // One bad bloc must not stop every other bloc's reminders.
                Err(e) => {
                    tracing::error!(bloc = bloc.id, error = %self.env.redact(&e.to_string()), "scheduler tick failed")
                }
            }
        }
        report += self.flush(due).await?;
        Ok(report)
    }

    /// Claims what is due for one bloc; returns the sends to flush.
    async fn bloc_tick(&self, bloc: &Bloc, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Key>> {
        let (tz, year) = (bloc.tz, bloc.year_at(now));
        {
            // Adds only draft targets, which nothing cached shows.
            let mut tx = self.env.db.write_scoped(Scope::Uncached).await?;
            targets::roll_over(&mut tx, bloc.id, year, now).await?;
            tx.commit().await?;
        }
        let mut keys = Vec::new();
        for y in [year - 1, year] {
            let schedule = {
                let mut conn = self.env.db.pool().acquire().await?;
                schedules::get(&mut conn, bloc.id, y, tz).await?
            };
            for slot in schedule.due(now) {
                let key = Key {
                    bloc_id: bloc.id,
                    year: y,
                    deadline: slot.deadline,
                    day: slot.day,
                };
                let latest = {
                    let mut conn = self.env.db.pool().acquire().await?;
                    reminders::latest_day(&mut conn, bloc.id, y, slot.deadline).await?
                };
                if latest.is_some_and(|d| d > slot.day) {
                    // Appeared only because the reminder days changed after a later send.
                    continue;
                }
                self.claim(bloc, &schedule, slot, key, now).await?;
                keys.push(key);
            }
        }
        Ok(keys)
    }

    async fn claim(
        &self,
        bloc: &Bloc,
        schedule: &Schedule,
        slot: Slot,
        key: Key,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let messages = compose::messages(&self.env.db, bloc, schedule, slot, now).await?;
        let mut tx = self.env.db.write_scoped(Scope::Uncached).await?;
        reminders::skip_older(&mut tx, key, now).await?;
        let existing = reminders::recipients(&mut tx, key).await?;
        for m in messages.iter().filter(|m| !existing.contains(&m.recipient)) {
            reminders::claim(&mut tx, key, m.recipient, m.kind, &m.text, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sends every claimed, unsent message of these sends, several at a
    /// time; Throttle paces them to Telegram's limits.
    async fn flush(&self, due: Vec<(Bloc, Key)>) -> Result<TickReport> {
        let mut rows = Vec::new();
        {
            let mut conn = self.env.db.pool().acquire().await?;
            for (bloc, key) in due {
                for row in reminders::pending(&mut conn, key, self.env.clock.now()).await? {
                    rows.push((bloc.clone(), row));
                }
            }
        }
        let limit = Arc::new(Semaphore::new(CONCURRENCY));
        let mut tasks = JoinSet::new();
        let mut pace = (!self.pace.is_zero()).then(|| {
            let mut i = tokio::time::interval(self.pace);
            i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            i
        });
        for (bloc, row) in rows {
            if let Some(p) = pace.as_mut() {
                p.tick().await;
            }
            let permit = limit
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let (env, bot, backoff) = (self.env.clone(), self.bot.clone(), self.backoff);
            tasks.spawn(async move {
                let r = deliver_row(&env, &bot, &bloc, row, backoff).await;
                drop(permit);
                r
            });
        }
        let mut report = TickReport::default();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(r)) => report += r,
                Ok(Err(e)) => {
                    tracing::error!(error = %self.env.redact(&e.to_string()), "recording a send failed");
                    report.pending += 1;
                }
                Err(e) => {
                    tracing::error!(error = %e, "a send task failed");
                    report.pending += 1;
                }
            }
        }
        Ok(report)
    }
}

/// Sends one claimed message and records the outcome.
async fn deliver_row(
    env: &Env,
    bot: &Sender,
    bloc: &Bloc,
    row: reminders::Claimed,
    backoff: Duration,
) -> Result<TickReport> {
    let mut report = TickReport::default();
    // Send first, then mark as sent: a crash in between repeats one message
    // at worst; marking first could lose it.
    match deliver::send(bot, env, row.recipient, &row.text, backoff).await {
        Outcome::Sent => {
            let mut tx = env.db.write_scoped(Scope::Unreachable).await?;
            reminders::mark_sent(&mut tx, row.id, env.clock.now()).await?;
            reminders::clear_unreachable(&mut tx, bloc.id, row.recipient).await?;
            tx.commit().await?;
            report.sent += 1;
        }
        Outcome::Migrated(new_chat) => {
            {
                let mut tx = env.db.write().await?;
                blocs::move_chat(&mut tx, row.recipient, new_chat).await?;
                tx.commit().await?;
            }
            tracing::info!(
                bloc = bloc.id,
                new_chat,
                "group became a supergroup; bloc moved"
            );
            if let Outcome::Sent = deliver::send(bot, env, new_chat, &row.text, backoff).await {
                let mut tx = env.db.write_scoped(Scope::Uncached).await?;
                reminders::mark_sent(&mut tx, row.id, env.clock.now()).await?;
                tx.commit().await?;
                report.sent += 1;
            } else {
                report.pending += 1;
            }
        }
        Outcome::Forbidden(reason) => {
            report.failed += 1;
            let first = {
                let mut tx = env.db.write_scoped(Scope::Unreachable).await?;
                reminders::mark_failed(&mut tx, row.id, &reason, env.clock.now()).await?;
                let first = reminders::mark_unreachable(
                    &mut tx,
                    bloc.id,
                    row.recipient,
                    &reason,
                    env.clock.now(),
                )
                .await?;
                tx.commit().await?;
                first
            };
            if first {
                let notices = compose::unreachable_notices(&env.db, bloc, row.recipient).await?;
                tell_admins(env, bot, bloc, notices, backoff).await;
            }
        }
        Outcome::Refused(reason) => {
            report.pending += 1;
            let now = env.clock.now();
            let first = {
                let mut tx = env.db.write_scoped(Scope::Uncached).await?;
                reminders::defer(&mut tx, row.id, row.attempts + 1, &reason, now).await?;
                let first =
                    reminders::mark_trouble(&mut tx, bloc.id, row.recipient, &reason, now).await?;
                tx.commit().await?;
                first
            };
            tracing::warn!(bloc = bloc.id, recipient = row.recipient, reason = %reason, attempts = row.attempts + 1, "Telegram refused a send; retrying with backoff");
            if first {
                let notices =
                    compose::refused_notices(&env.db, bloc, row.recipient, &reason).await?;
                tell_admins(env, bot, bloc, notices, backoff).await;
            }
        }
        Outcome::Later(reason) => {
            tracing::warn!(bloc = bloc.id, recipient = row.recipient, reason = %reason, "send failed; will retry next tick");
            report.pending += 1;
        }
    }
    Ok(report)
}

/// Sends the bloc's admins a notice each; one that fails is logged, not retried.
async fn tell_admins(
    env: &Env,
    bot: &Sender,
    bloc: &Bloc,
    notices: Vec<(i64, String)>,
    backoff: Duration,
) {
    for (admin, text) in notices {
        if !matches!(
            deliver::send(bot, env, admin, &text, backoff).await,
            Outcome::Sent
        ) {
            tracing::warn!(
                bloc = bloc.id,
                admin,
                "could not tell an admin about a chat"
            );
        }
    }
}

/// Ticks `scheduler` every minute (and once now, to catch up after downtime)
/// until the returned scheduler is shut down.
pub async fn start_ticker(scheduler: Arc<Scheduler>) -> anyhow::Result<JobScheduler> {
    if let Err(e) = scheduler.tick().await {
        tracing::error!(error = %e, "catch-up tick failed");
    }
    let jobs = JobScheduler::new().await?;
    let s = scheduler.clone();
    // Seconds first: every minute at second 0. Used only as a ticker: time
    // zones and missed runs are handled by our own schedule and ledger.
    jobs.add(Job::new_async("0 * * * * *", move |_, _| {
        let s = s.clone();
        Box::pin(async move {
            if let Err(e) = s.tick().await {
                tracing::error!(error = %e, "scheduler tick failed");
            }
        })
    })?)
    .await?;
    jobs.start().await?;
    Ok(jobs)
}
