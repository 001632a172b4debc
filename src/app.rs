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
use crate::dashboard::Dashboard;
use crate::delivery::Delivery;
use crate::inflight::Unhandled;
use crate::metrics::Metrics;
use crate::polling::{PollErrors, Poller};
use crate::scheduler::{self, DailyBackup, Scheduler};
use crate::serve::{self, Http};
use crate::storage::Db;
use crate::telemetry::Secrets;
use crate::webhook::{self, Inlet, Webhook};
use teloxide::adaptors::throttle::Limits;
use teloxide::update_listeners::UpdateListener;

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
    /// The dashboard's address, if served.
    pub webapp: Option<url::Url>,
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
    unhandled: Unhandled,
}

impl std::fmt::Debug for Thidua {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thidua").finish_non_exhaustive()
    }
}

/// How often a replica looks for replies that a stopped replica left unsent
/// (PostgreSQL).
const ADOPT_EVERY: Duration = Duration::from_secs(5);

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
        webapp,
    } = parts;
    let metrics = Metrics::new();
    let app = Arc::new(App {
        db: db.clone(),
        clock: clock.clone(),
        default_tz,
        secrets: secrets.clone(),
        reports: Default::default(),
        delivery: Delivery::new(bot.clone(), db.clone(), secrets.clone(), metrics.clone()),
        metrics: metrics.clone(),
        webapp,
    });
    let scheduler = Arc::new(
        Scheduler::new(
            db,
            clock,
            secrets,
            metrics,
            scheduler::sender(bot.clone(), limits),
        )
        .paced(pace),
    );
    Thidua {
        app,
        scheduler,
        bot,
        poll_timeout,
        unhandled: Unhandled::default(),
    }
}

impl Thidua {
    /// Registers the command menus and starts long polling in the
    /// background. A batch of updates is confirmed to Telegram only once it
    /// is handled (see [`crate::polling`]).
    pub async fn start(&self) -> Running {
        let errors = PollErrors::default();
        let listener = Poller::new(
            self.bot.clone(),
            &self.app.secrets,
            self.poll_timeout,
            self.unhandled.clone(),
            errors.clone(),
        )
        .await;
        let redactor = self.app.clone();
        self.dispatch(listener, move |e: teloxide::RequestError| {
            errors.failed(&e, |s| redactor.redact(s));
        })
        .await
    }

    /// Webhook mode: a listener fed by the returned [`Inlet`] (which the
    /// HTTP server serves), checking requests for `secret`. A request is
    /// answered once its update is handled.
    pub fn webhook(&self, secret: &str) -> (Webhook, Inlet) {
        webhook::channel(secret, self.unhandled.clone(), self.app.metrics.clone())
    }

    /// Registers the command menus and dispatches the updates of `hook`
    /// (from [`Thidua::webhook`]) in the background.
    pub async fn start_webhook(&self, hook: Webhook) -> Running {
        self.dispatch(hook, |e: std::convert::Infallible| match e {})
            .await
    }

    async fn dispatch<L>(
        &self,
        listener: L,
        on_error: impl Fn(L::Err) + Send + Sync + 'static,
    ) -> Running
    where
        L: UpdateListener + Send + 'static,
        L::Err: std::fmt::Debug + Send,
    {
        let (bot, app) = (self.bot.clone(), self.app.clone());
        bot::register_commands(&bot, &app).await;
        // What a stop left unsent goes out, beside the new replies: looking
        // for it must not hold up the start.
        let resuming = app.clone();
        tokio::spawn(async move {
            let now = resuming.clock.now();
            resuming.delivery.resume(now).await;
            // Replicas: a replica may stop at any time, leaving replies unsent.
            if crate::storage::backend::SHARED {
                let mut every = tokio::time::interval(ADOPT_EVERY);
                every.tick().await;
                loop {
                    every.tick().await;
                    resuming.delivery.resume(resuming.clock.now()).await;
                }
            }
        });
        let mut dispatcher = bot::dispatcher(bot, app.clone(), self.unhandled.clone());
        let shutdown = dispatcher.shutdown_token();
        let task = tokio::spawn(async move {
            dispatcher
                .dispatch_with_listener(
                    listener,
                    Arc::new(move |e| {
                        on_error(e);
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
    if !crate::storage::backend::SHARED {
        crate::ops::secure_db_file(&cfg.database_url).context("creating the database file")?;
    }
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
        webapp: cfg.webapp.clone(),
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
    let (running, http) = match serve_updates(&cfg, &thidua).await {
        Ok(r) => r,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let ticker = match scheduler::start_ticker(thidua.scheduler.clone()).await {
        Ok(t) => t,
        Err(e) => {
            http.stop().await;
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
    // Open webhook requests finish before their dispatcher stops.
    http.stop().await;
    shut_down(running, ticker, thidua.scheduler, backup, db).await;
    scheduled.context("scheduling the daily backup")
}

/// The dashboard, when `THIDUA_WEBAPP_URL` asks for it.
fn dashboard(cfg: &Config, thidua: &Thidua) -> Option<Dashboard> {
    cfg.webapp
        .as_ref()
        .map(|_| Dashboard::new(thidua.app.clone(), cfg.token.expose()))
}

/// Starts the HTTP server and takes updates: by long polling, or in
/// webhook mode through the server (listening before `setWebhook`, so that
/// Telegram's first request finds it).
async fn serve_updates(cfg: &Config, thidua: &Thidua) -> anyhow::Result<(Running, Http)> {
    let listening = |e: std::io::Error| {
        anyhow::Error::from(e).context(format!("listening on THIDUA_LISTEN={}", cfg.listen))
    };
    let Some(url) = &cfg.webhook else {
        let http = serve::start(cfg.listen, thidua.app.clone(), None, dashboard(cfg, thidua))
            .await
            .map_err(listening)?;
        return Ok((thidua.start().await, http));
    };
    let secret = webhook::secret_for(cfg.token.expose());
    let (listener, inlet) = thidua.webhook(&secret);
    let hook = serve::Hook {
        path: url.path().to_owned(),
        inlet,
    };
    let http = serve::start(
        cfg.listen,
        thidua.app.clone(),
        Some(hook),
        dashboard(cfg, thidua),
    )
    .await
    .map_err(listening)?;
    let running = thidua.start_webhook(listener).await;
    let registered = webhook::register(
        &thidua.bot,
        url.clone(),
        &secret,
        bot::ALLOWED_UPDATES.to_vec(),
    )
    .await;
    if let Err(e) = registered {
        http.stop().await;
        running.stop().await;
        return Err(anyhow::anyhow!(thidua.app.redact(&e.to_string())))
            .context("setting the webhook (setWebhook)");
    }
    tracing::info!(path = %url.path(), "webhook set; Telegram posts updates to it");
    Ok((running, http))
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
