//! Wires storage, bot and dispatcher together; graceful shutdown.

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::ShutdownToken;
use teloxide::prelude::*;
use teloxide::update_listeners::Polling;
use tokio::task::JoinHandle;

use crate::bot::{self, App, Tg};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
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

/// Starts long polling with `bot` over `app` in the background.
pub async fn spawn(bot: Tg, app: Arc<App>, poll_timeout: Duration) -> Running {
    bot::register_commands(&bot, &app).await;
    let mut dispatcher = bot::dispatcher(bot.clone(), app.clone());
    let shutdown = dispatcher.shutdown_token();
    let listener = Polling::builder(bot)
        .timeout(poll_timeout)
        .delete_webhook()
        .await
        .build();
    let redactor = app.clone();
    let task = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(
                listener,
                Arc::new(move |e: teloxide::RequestError| {
                    let msg = redactor.redact(&e.to_string());
                    async move { tracing::warn!(error = %msg, "polling failed") }
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

/// Builds a bot client for the token and optional API URL.
pub fn bot(token: &str, api_url: Option<url::Url>) -> Tg {
    let bot = Bot::new(token);
    match api_url {
        Some(u) => bot.set_api_url(u),
        None => bot,
    }
}

/// `thidua run`: serves Telegram until Ctrl-C or SIGTERM.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let db = Db::open(&cfg.database_url)
        .await
        .context("opening the database")?;
    let app = Arc::new(App {
        db: db.clone(),
        clock: Arc::new(SystemClock) as Arc<dyn Clock>,
        default_tz: cfg.tz,
        observer: None,
        secrets: vec![cfg.token.expose().to_owned()],
    });
    let bot = bot(cfg.token.expose(), cfg.api_url.clone());
    let me = bot
        .get_me()
        .await
        .map_err(|e| anyhow::anyhow!(app.redact(&e.to_string())))
        .context("checking the token with getMe")?;
    tracing::info!(bot = %me.username(), "thidua started");
    let scheduler = Arc::new(Scheduler::new(
        app.clone(),
        scheduler::sender(bot.clone(), scheduler::telegram_limits()),
    ));
    let running = spawn(bot, app, Duration::from_secs(30)).await;
    let mut ticker = scheduler::start_ticker(scheduler)
        .await
        .context("starting the scheduler")?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    let _ = ticker.shutdown().await;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
