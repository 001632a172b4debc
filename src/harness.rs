//! The real bot wired to the in-process fake Bot API over HTTP: what
//! `thidua demo` and the end-to-end tests drive. An update goes in through
//! `getUpdates`; the requests the bot makes come out.
//!
//! The bot is assembled by [`app::build`], as `thidua run` assembles it, and
//! runs on a tokio runtime of its own: a restart drops that runtime with
//! every task of the bot in it, as a crash would. The harness sees the bot
//! only from outside: an update is handled once the bot confirmed it to the
//! fake (a bot that confirms a batch only when it is handled), and its
//! replies are out once the bot's send queues are idle.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

use crate::app::{self, Parts, Thidua};
use crate::bot::App;
use crate::clock::ManualClock;
use crate::scheduler::{self, Scheduler, TickReport};
use crate::storage::Db;
use crate::telemetry::Secrets;
use fake_bot_api::{ApiCall, FakeBotApi};
use teloxide::adaptors::throttle::Limits;

/// A token of the right shape; the fake accepts any.
pub const FAKE_TOKEN: &str = "123456789:AAFakeTokenForTestsOnly_xxxxxxxxxxxxxx";

/// How long to wait for the bot before declaring it stuck (a failure guard,
/// not a synchronisation: `send` returns as soon as the update is handled).
pub const STUCK: Duration = Duration::from_secs(20);

/// A running bot against a fake Bot API.
#[derive(Debug)]
pub struct Harness {
    /// The fake Bot API.
    pub api: FakeBotApi,
    /// The simulated clock.
    pub clock: Arc<ManualClock>,
    /// The database URL.
    pub db_url: String,
    running: Option<Running>,
    limits: Limits,
    webapp: Option<url::Url>,
}

/// The bot, on its own runtime.
struct Running {
    runtime: tokio::runtime::Runtime,
    thidua: Thidua,
    _polling: app::Running,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").finish_non_exhaustive()
    }
}

impl Running {
    /// Drops the runtime and every task on it, as a crash would.
    fn crash(self) {
        self.runtime.shutdown_background();
    }
}

/// Limits far above any test's volume: tests measure behaviour, not pacing.
pub fn unpaced() -> Limits {
    Limits {
        messages_per_sec_chat: 10_000,
        messages_per_min_chat: 1_000_000,
        messages_per_min_channel_or_supergroup: 1_000_000,
        messages_per_sec_overall: 10_000,
    }
}

impl Harness {
    /// Starts the fake API and the bot on the database at `db_url`, at time `now`.
    pub async fn start(db_url: &str, now: DateTime<Utc>) -> anyhow::Result<Harness> {
        Harness::start_with(db_url, now, unpaced()).await
    }

    /// Starts with the scheduler's sends paced by `limits`.
    pub async fn start_with(
        db_url: &str,
        now: DateTime<Utc>,
        limits: Limits,
    ) -> anyhow::Result<Harness> {
        let api = FakeBotApi::start()
            .await
            .context("starting the fake Bot API")?;
        let clock = Arc::new(ManualClock::new(now));
        let mut h = Harness {
            api,
            clock,
            db_url: db_url.to_owned(),
            running: None,
            limits,
            webapp: None,
        };
        h.running = Some(h.spawn().await?);
        Ok(h)
    }

    async fn spawn(&self) -> anyhow::Result<Running> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("thidua-bot")
            .enable_all()
            .build()
            .context("starting the bot's runtime")?;
        let url = url::Url::parse(self.api.url()).context("fake API URL")?;
        // Paced like production when the limits are Telegram's (benchmarks);
        // tests run unpaced.
        let overall = self.limits.messages_per_sec_overall;
        let pace = if overall <= scheduler::TELEGRAM_CEILING {
            scheduler::SEND_CEILING.min(overall)
        } else {
            0
        };
        let (db_url, clock, limits) = (self.db_url.clone(), self.clock.clone(), self.limits);
        let webapp = self.webapp.clone();
        let thidua = runtime
            .spawn(async move {
                let db = Db::open(&db_url).await.context("opening the database")?;
                let thidua = app::build(Parts {
                    bot: crate::config::bot(FAKE_TOKEN, Some(url)),
                    db,
                    clock,
                    default_tz: crate::config::DEFAULT_TZ,
                    secrets: Secrets::new(vec![FAKE_TOKEN.to_owned()]),
                    limits,
                    pace,
                    poll_timeout: Duration::from_secs(5),
                    webapp,
                });
                // Polls until the runtime is dropped.
                let polling = thidua.start().await;
                anyhow::Ok((thidua, polling))
            })
            .await
            .context("the bot's start panicked")??;
        Ok(Running {
            runtime,
            thidua: thidua.0,
            _polling: thidua.1,
        })
    }

    fn running(&self) -> anyhow::Result<&Running> {
        self.running.as_ref().context("bot is stopped")
    }

    /// The running bot's state.
    pub fn app(&self) -> Option<&Arc<App>> {
        self.running.as_ref().map(|r| &r.thidua.app)
    }

    /// The running bot's scheduler.
    pub fn scheduler(&self) -> anyhow::Result<Arc<Scheduler>> {
        Ok(self.running()?.thidua.scheduler.clone())
    }

    /// Ticks the scheduler once at the simulated clock's time, on the bot's
    /// runtime (a restart cuts it where it is, as a crash would).
    pub async fn tick(&self) -> anyhow::Result<TickReport> {
        let tick = self.tick_later()?;
        Ok(tick.await.context("the tick panicked or was cut")??)
    }

    /// Starts a tick on the bot's runtime and returns at once.
    pub fn tick_later(
        &self,
    ) -> anyhow::Result<tokio::task::JoinHandle<crate::storage::Result<TickReport>>> {
        let r = self.running()?;
        let scheduler = r.thidua.scheduler.clone();
        Ok(r.runtime.spawn(async move { scheduler.tick().await }))
    }

    /// Delivers `update` and returns every request the bot made while handling it.
    pub async fn send(&mut self, update: Value) -> anyhow::Result<Vec<ApiCall>> {
        let from = self.api.call_count();
        let id = self.api.push(update);
        self.wait_handled(&[id]).await?;
        Ok(self.api.calls_since(from))
    }

    /// Delivers `updates` at once, as the burst Telegram holds for a bot,
    /// and returns every request the bot made until all were handled.
    pub async fn send_all(&mut self, updates: Vec<Value>) -> anyhow::Result<Vec<ApiCall>> {
        let from = self.api.call_count();
        let ids: Vec<i64> = updates.into_iter().map(|u| self.api.push(u)).collect();
        self.wait_handled(&ids).await?;
        Ok(self.api.calls_since(from))
    }

    /// Delivers `update` again with its id, as Telegram does after a crash.
    pub async fn redeliver(&mut self, update: Value) -> anyhow::Result<Vec<ApiCall>> {
        let id = update
            .get("update_id")
            .and_then(Value::as_i64)
            .context("update has no id")?;
        let from = self.api.call_count();
        self.api.redeliver(update);
        self.wait_handled(&[id]).await?;
        Ok(self.api.calls_since(from))
    }

    /// Waits until the bot confirmed `ids` to the fake and sent what they
    /// queued (sent, and marked in the outbox).
    async fn wait_handled(&self, ids: &[i64]) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + STUCK;
        for &id in ids {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !self.api.wait_confirmed(id, left).await {
                anyhow::bail!("update {id} was not handled");
            }
        }
        let delivery = self.running()?.thidua.app.delivery.clone();
        tokio::time::timeout_at(deadline, delivery.idle())
            .await
            .context("the replies were not sent")
    }

    /// Restarts the bot with the dashboard at `url` (its `/standings` button).
    pub async fn with_webapp(&mut self, url: url::Url) -> anyhow::Result<()> {
        self.webapp = Some(url);
        self.restart().await
    }

    /// Serves the HTTP server with the dashboard on 127.0.0.1 (any free
    /// port), on the bot's runtime, until the returned server is stopped.
    pub async fn serve_dashboard(&self) -> anyhow::Result<crate::serve::Http> {
        let r = self.running.as_ref().context("the bot is not running")?;
        let app = r.thidua.app.clone();
        let dashboard = crate::dashboard::Dashboard::new(app.clone(), FAKE_TOKEN);
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        r.runtime
            .spawn(crate::serve::start(addr, app, None, Some(dashboard)))
            .await
            .context("the server task")?
            .context("listening")
    }

    /// Kills the bot (as a crash would) and starts a new one on the same database.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if let Some(r) = self.running.take() {
            r.crash();
        }
        self.running = Some(self.spawn().await?);
        Ok(())
    }

    /// Stops the bot.
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.crash();
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // A runtime may not be dropped where blocking is not allowed (inside
        // the test's own runtime): let it go in the background.
        if let Some(r) = self.running.take() {
            r.crash();
        }
    }
}
