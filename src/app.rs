//! The one wiring of storage, bot, scheduler and polling ([`build`]), what
//! `thidua run` adds to it (ticker, daily backup, signals) and the graceful
//! shutdown.

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::ShutdownToken;
use teloxide::prelude::*;
use tokio::task::JoinHandle;

use crate::bot::{self, App, Tg};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::delivery::Delivery;
use crate::polling::{PollErrors, Poller, Unhandled};
use crate::scheduler::{self, DailyBackup, Scheduler};
use crate::storage::Db;
use crate::telemetry::Secrets;
use teloxide::adaptors::throttle::Limits;

/// What a bot is assembled from: everything that differs between
/// `thidua run`, `thidua demo` and the tests.
pub struct Parts {
    /// The Bot API client: Telegram's, or a fake's.
    pub bot: Tg,
    /// The database, open and migrated.
    pub db: Db,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Time zone of new blocs.
    pub default_tz: chrono_tz::Tz,
    /// Kept out of every log line (the token).
    pub secrets: Secrets,
    /// Limits of the scheduler's sends, and their overall pace per second
    /// (0: as fast as the limits let).
    pub limits: Limits,
    /// See `limits`.
    pub pace: u32,
    /// How long one long poll waits for updates.
    pub poll_timeout: Duration,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the bot: its Debug output holds the token.
        f.debug_struct("Parts").finish_non_exhaustive()
    }
}

/// A bot assembled and not yet polling: its handlers' state and its
/// scheduler (ticked every minute by `thidua run`, by hand in the demo).
pub struct Thidua {
    /// The handlers' shared state.
    pub app: Arc<App>,
    /// Reminders and summaries.
    pub scheduler: Arc<Scheduler>,
    bot: Tg,
    poll_timeout: Duration,
}

impl std::fmt::Debug for Thidua {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thidua").finish_non_exhaustive()
    }
}

/// The one wiring of storage, delivery, handlers and scheduler. Call it
/// inside the runtime the bot will run on: the send queues and the mark
/// writer are spawned there.
pub fn build(parts: Parts) -> Thidua {
    let Parts {
        bot,
        db,
        clock,
        default_tz,
        secrets,
        limits,
        pace,
        poll_timeout,
    } = parts;
    let app = Arc::new(App {
        db: db.clone(),
        clock: clock.clone(),
        default_tz,
        secrets: secrets.clone(),
        reports: Default::default(),
        delivery: Delivery::new(bot.clone(), db.clone(), secrets.clone()),
    });
    let scheduler = Arc::new(
        Scheduler::new(db, clock, secrets, scheduler::sender(bot.clone(), limits)).paced(pace),
    );
    Thidua {
        app,
        scheduler,
        bot,
        poll_timeout,
    }
}

impl Thidua {
    /// Registers the command menus and starts long polling in the
    /// background. A batch of updates is confirmed to Telegram only once it
    /// is handled (see [`crate::polling`]).
    pub async fn start(&self) -> Running {
        let (bot, app) = (self.bot.clone(), self.app.clone());
        bot::register_commands(&bot, &app).await;
        // What a stop left unsent goes out, beside the new replies: looking
        // for it must not hold up the start.
        let resuming = app.clone();
        tokio::spawn(async move {
            let now = resuming.clock.now();
            resuming.delivery.resume(now).await;
        });
        let unhandled = Unhandled::default();
        let mut dispatcher = bot::dispatcher(bot.clone(), app.clone(), unhandled.clone());
        let shutdown = dispatcher.shutdown_token();
        let errors = PollErrors::default();
        let listener = Poller::new(
            bot,
            &app.secrets,
            self.poll_timeout,
            unhandled,
            errors.clone(),
        )
        .await;
        let redactor = app.clone();
        let task = tokio::spawn(async move {
            dispatcher
                .dispatch_with_listener(
                    listener,
                    Arc::new(move |e: teloxide::RequestError| {
                        errors.failed(&e, |s| redactor.redact(s));
                        std::future::ready(())
                    }),
                )
                .await;
        });
        Running {
            app,
            shutdown,
            task,
        }
    }
}

/// A dispatcher running in the background.
pub struct Running {
    /// Its shared state.
    pub app: Arc<App>,
    shutdown: ShutdownToken,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").finish_non_exhaustive()
    }
}

impl Running {
    /// Stops polling, waits for in-flight handlers (bounded), then for the
    /// replies they queued (bounded).
    pub async fn stop(self) {
        if let Ok(f) = self.shutdown.shutdown() {
            let _ = tokio::time::timeout(GRACE, f).await;
        }
        self.task.abort();
        // Replies of the last handled updates are queued: let them go out.
        if tokio::time::timeout(GRACE, self.app.delivery.idle())
            .await
            .is_err()
        {
            tracing::warn!("some replies were still queued at shutdown; sent at the next start");
        }
    }
}

/// `thidua run`: serves Telegram until Ctrl-C or SIGTERM, then lets
/// in-flight work finish (bounded) and returns `Ok`.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    // Listening from the start: a signal during start-up still ends cleanly.
    let signal = shutdown_signal().context("listening for SIGTERM and SIGINT")?;
    let mut stop = std::pin::pin!(signal);
    crate::ops::secure_db_file(&cfg.database_url).context("creating the database file")?;
    let db = Db::open(&cfg.database_url)
        .await
        .context("opening the database")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let thidua = build(Parts {
        bot: cfg.bot(),
        db: db.clone(),
        clock: clock.clone(),
        default_tz: cfg.tz,
        secrets: Secrets::new(vec![cfg.token.expose().to_owned()]),
        limits: scheduler::telegram_limits(),
        pace: scheduler::SEND_CEILING,
        // teloxide's HTTP client gives up on any request after 17 s.
        poll_timeout: Duration::from_secs(10),
    });
    let me = tokio::select! {
        me = thidua.bot.get_me() => me,
        () = &mut stop => {
            db.close().await;
            return Ok(());
        }
    };
    let me = match me {
        Ok(me) => me,
        Err(e) => {
            db.close().await;
            return Err(anyhow::anyhow!(thidua.app.redact(&e.to_string())))
                .context("checking the token with getMe");
        }
    };
    tracing::info!(bot = %me.username(), "thidua started");
    let running = thidua.start().await;
    let ticker = match scheduler::start_ticker(thidua.scheduler.clone()).await {
        Ok(t) => t,
        Err(e) => {
            running.stop().await;
            db.close().await;
            return Err(e.context("starting the scheduler"));
        }
    };
    let backup = cfg
        .backup_dir
        .clone()
        .map(|dir| Arc::new(DailyBackup::new(db.clone(), clock, dir, cfg.tz)));
    let scheduled = match &backup {
        Some(b) => b.clone().schedule(&ticker).await,
        None => Ok(()),
    };
    if scheduled.is_ok() {
        stop.await;
        tracing::info!("shutting down");
    }
    shut_down(running, ticker, thidua.scheduler, backup, db).await;
    scheduled.context("scheduling the daily backup")
}

/// How long in-flight handlers, scheduler sends and a backup may take to
/// finish once a shutdown is asked for.
const GRACE: Duration = Duration::from_secs(10);

/// Stops polling and ticking, lets what is in flight finish (each within
/// `GRACE`, concurrently), then closes the pool.
async fn shut_down(
    running: Running,
    mut ticker: tokio_cron_scheduler::JobScheduler,
    scheduler: Arc<Scheduler>,
    backup: Option<Arc<DailyBackup>>,
    db: Db,
) {
    // No new ticks or backups from here on.
    if let Err(e) = ticker.shutdown().await {
        tracing::warn!(error = %e, "stopping the ticker failed");
    }
    let backup_finished = async {
        match &backup {
            // Kept until the end: a late catch-up run must not start.
            Some(b) => b.finished(GRACE).await,
            None => None,
        }
    };
    let (_, _, _held) = tokio::join!(
        running.stop(),
        // A tick cut between send and mark repeats a reminder after restart.
        tokio::time::timeout(GRACE, scheduler.idle()),
        backup_finished
    );
    // Connections still checked out past the grace are dropped with the runtime.
    if tokio::time::timeout(Duration::from_secs(3), db.close())
        .await
        .is_err()
    {
        tracing::warn!("closing the database timed out");
    }
    tracing::info!("stopped");
}

/// Registers SIGTERM and SIGINT (Ctrl-C) handlers now, so that a signal
/// arriving during start-up is not lost; resolves at the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}
