//! The real bot wired to the in-process fake Bot API over HTTP: what
//! `thidua demo` and the end-to-end tests drive. An update goes in through
//! `getUpdates`; the requests the bot makes come out.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::app::{self, Running};
use crate::bot::App;
use crate::clock::{Clock, ManualClock};
use crate::scheduler::{self, Scheduler};
use crate::storage::Db;
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
    running: Option<(Running, Arc<Scheduler>)>,
    handled: UnboundedReceiver<i64>,
    limits: Limits,
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
        let (tx, rx) = unbounded_channel();
        let mut h = Harness {
            api,
            clock,
            db_url: db_url.to_owned(),
            running: None,
            handled: rx,
            limits,
        };
        h.running = Some(h.spawn(tx).await?);
        Ok(h)
    }

    async fn spawn(
        &self,
        observer: tokio::sync::mpsc::UnboundedSender<i64>,
    ) -> anyhow::Result<(Running, Arc<Scheduler>)> {
        let db = Db::open(&self.db_url)
            .await
            .context("opening the database")?;
        let url = url::Url::parse(self.api.url()).context("fake API URL")?;
        let bot = crate::config::bot(FAKE_TOKEN, Some(url));
        let app = Arc::new(App {
            db: db.clone(),
            clock: self.clock.clone() as Arc<dyn Clock>,
            default_tz: crate::config::DEFAULT_TZ,
            observer: Some(observer),
            secrets: vec![FAKE_TOKEN.to_owned()],
            reports: Default::default(),
            delivery: crate::delivery::Delivery::new(bot.clone(), db, vec![FAKE_TOKEN.to_owned()]),
        });
        // Paced like production when the limits are Telegram's (benchmarks);
        // tests run unpaced.
        let overall = self.limits.messages_per_sec_overall;
        let pace = if overall <= scheduler::TELEGRAM_CEILING {
            scheduler::SEND_CEILING.min(overall)
        } else {
            0
        };
        let scheduler = Arc::new(
            Scheduler::new(app.clone(), scheduler::sender(bot.clone(), self.limits)).paced(pace),
        );
        Ok((
            app::spawn(bot, app, Duration::from_secs(5)).await,
            scheduler,
        ))
    }

    /// The running bot's state.
    pub fn app(&self) -> Option<&Arc<App>> {
        self.running.as_ref().map(|(r, _)| &r.app)
    }

    /// The running bot's scheduler (ticked by hand with the simulated clock).
    pub fn scheduler(&self) -> anyhow::Result<Arc<Scheduler>> {
        self.running
            .as_ref()
            .map(|(_, s)| s.clone())
            .context("bot is stopped")
    }

    /// Delivers `update` and returns every request the bot made while handling it.
    pub async fn send(&mut self, update: Value) -> anyhow::Result<Vec<ApiCall>> {
        let from = self.api.call_count();
        let id = self.api.push(update);
        self.wait_handled(id).await?;
        Ok(self.api.calls_since(from))
    }

    /// Delivers `updates` at once, as the burst Telegram holds for a bot,
    /// and returns every request the bot made until all were handled.
    pub async fn send_all(&mut self, updates: Vec<Value>) -> anyhow::Result<Vec<ApiCall>> {
        let from = self.api.call_count();
        let mut left: std::collections::HashSet<i64> =
            updates.into_iter().map(|u| self.api.push(u)).collect();
        let wait = async {
            while !left.is_empty() {
                match self.handled.recv().await {
                    Some(done) => {
                        left.remove(&done);
                    }
                    None => return false,
                }
            }
            true
        };
        match tokio::time::timeout(STUCK, wait).await {
            Ok(true) => Ok(self.api.calls_since(from)),
            _ => anyhow::bail!("a burst of updates was not handled"),
        }
    }

    /// Delivers `update` again with its id, as Telegram does after a crash.
    pub async fn redeliver(&mut self, update: Value) -> anyhow::Result<Vec<ApiCall>> {
        let id = update
            .get("update_id")
            .and_then(Value::as_i64)
            .context("update has no id")?;
        let from = self.api.call_count();
        self.api.redeliver(update);
        self.wait_handled(id).await?;
        Ok(self.api.calls_since(from))
    }

    async fn wait_handled(&mut self, id: i64) -> anyhow::Result<()> {
        let wait = async {
            while let Some(done) = self.handled.recv().await {
                if done == id {
                    return true;
                }
            }
            false
        };
        match tokio::time::timeout(STUCK, wait).await {
            Ok(true) => Ok(()),
            _ => anyhow::bail!("update {id} was not handled"),
        }
    }

    /// Kills the bot (as a crash would) and starts a new one on the same database.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if let Some((r, _)) = self.running.take() {
            r.kill();
        }
        let (tx, rx) = unbounded_channel();
        self.handled = rx;
        self.running = Some(self.spawn(tx).await?);
        Ok(())
    }

    /// Stops the bot.
    pub async fn stop(mut self) {
        if let Some((r, _)) = self.running.take() {
            r.kill();
        }
    }
}
