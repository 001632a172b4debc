//! Wires storage, bot and dispatcher together; graceful shutdown.

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
use crate::scheduler::{self, Scheduler};
use crate::storage::Db;

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
    /// Stops polling and waits for in-flight handlers.
    pub async fn stop(self) {
        if let Ok(f) = self.shutdown.shutdown() {
            let _ = tokio::time::timeout(Duration::from_secs(10), f).await;
        }
        self.task.abort();
    }

    /// Stops at once, as a crash would: in-flight work is lost.
    pub fn kill(self) {
        self.task.abort();
    }
}

/// Starts long polling with `bot` over `app` in the background. A batch of
/// updates is confirmed to Telegram only once it is handled (see
/// [`crate::polling`]).
pub async fn spawn(bot: Tg, app: Arc<App>, poll_timeout: Duration) -> Running {
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
    let listener = Poller::new(bot, &app, poll_timeout, unhandled, errors.clone()).await;
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
    let bot = cfg.bot();
    let secrets = vec![cfg.token.expose().to_owned()];
    let app = Arc::new(App {
        db: db.clone(),
        clock: Arc::new(SystemClock) as Arc<dyn Clock>,
        default_tz: cfg.tz,
        observer: None,
        secrets: secrets.clone(),
        reports: Default::default(),
        delivery: Delivery::new(bot.clone(), db.clone(), secrets),
    });
    let me = tokio::select! {
        me = bot.get_me() => me,
        () = &mut stop => {
            db.close().await;
            return Ok(());
        }
    };
    let me = match me {
        Ok(me) => me,
        Err(e) => {
            db.close().await;
            return Err(anyhow::anyhow!(app.redact(&e.to_string())))
                .context("checking the token with getMe");
        }
    };
    tracing::info!(bot = %me.username(), "thidua started");
    let scheduler = Arc::new(
        Scheduler::new(
            app.clone(),
            scheduler::sender(bot.clone(), scheduler::telegram_limits()),
        )
        .paced(scheduler::SEND_CEILING),
    );
    // Long polls of 10 s: teloxide's HTTP client gives up on any request after 17 s.
    let running = spawn(bot, app.clone(), Duration::from_secs(10)).await;
    let ticker = match scheduler::start_ticker(scheduler.clone()).await {
        Ok(t) => t,
        Err(e) => {
            running.stop().await;
            db.close().await;
            return Err(e.context("starting the scheduler"));
        }
    };
    let backup = cfg.backup_dir.clone().map(|dir| {
        Arc::new(DailyBackup {
            app: app.clone(),
            dir,
            tz: cfg.tz,
            busy: tokio::sync::Mutex::new(()),
            failed_on: std::sync::Mutex::new(None),
        })
    });
    let scheduled = match &backup {
        Some(b) => schedule_backups(&ticker, b.clone()).await,
        None => Ok(()),
    };
    if scheduled.is_ok() {
        stop.await;
        tracing::info!("shutting down");
    }
    shut_down(running, ticker, scheduler, backup, db).await;
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
            Some(b) => tokio::time::timeout(GRACE, b.busy.lock()).await.ok(),
            None => None,
        }
    };
    let app = running.app.clone();
    let (_, _, _held) = tokio::join!(
        async {
            running.stop().await;
            // Replies of the last handled updates are queued: let them go out.
            if tokio::time::timeout(GRACE, app.delivery.idle())
                .await
                .is_err()
            {
                tracing::warn!(
                    "some replies were still queued at shutdown; sent at the next start"
                );
            }
        },
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

/// The daily backup into `THIDUA_BACKUP_DIR`.
struct DailyBackup {
    app: Arc<App>,
    dir: std::path::PathBuf,
    tz: chrono_tz::Tz,
    /// Held while a backup runs, and from shutdown on.
    busy: tokio::sync::Mutex<()>,
    /// The local day a failure was last logged: once a day, not every minute.
    failed_on: std::sync::Mutex<Option<chrono::NaiveDate>>,
}

impl DailyBackup {
    async fn run_if_due(&self) {
        let Ok(_running) = self.busy.try_lock() else {
            return;
        };
        let now = self.app.clock.now().with_timezone(&self.tz).naive_local();
        match crate::ops::daily_backup(&self.app.db, &self.dir, now).await {
            Ok(Some(file)) => tracing::info!(file = %file.display(), "daily backup written"),
            Ok(None) => {}
            Err(e) => {
                let mut failed_on = self.failed_on.lock().unwrap_or_else(|p| p.into_inner());
                if *failed_on != Some(now.date()) {
                    *failed_on = Some(now.date());
                    tracing::error!(error = %e, "daily backup failed; retrying every minute");
                } else {
                    tracing::debug!(error = %e, "daily backup failed again");
                }
            }
        }
    }
}

/// Checks every minute whether the day's backup is due (the ticker's time
/// zone offset is fixed when a job is created, so the local time is computed
/// at each tick instead), and once now to catch up after downtime.
async fn schedule_backups(
    jobs: &tokio_cron_scheduler::JobScheduler,
    backup: Arc<DailyBackup>,
) -> anyhow::Result<()> {
    let b = backup.clone();
    jobs.add(tokio_cron_scheduler::Job::new_async(
        "0 * * * * *",
        move |_, _| {
            let b = b.clone();
            Box::pin(async move { b.run_if_due().await })
        },
    )?)
    .await?;
    tokio::spawn(async move { backup.run_if_due().await });
    Ok(())
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
