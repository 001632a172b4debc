//! What `GET /metrics` shows: counters, gauges and a histogram that one bot
//! keeps for itself (its own registry, not a global one, so that bots
//! sharing a process count apart), in the OpenMetrics text format that
//! Prometheus scrapes.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::CommandKind;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Handled {
    /// Done, or answered.
    Ok,
    /// Refused with a ⚠️ reply; nothing changed.
    Refused,
    /// Failed on our side (database, network); the user was told.
    Error,
}

/// How a reply to a user ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Replied {
    /// Telegram accepted it.
    Accepted,
    /// Telegram refused it for good.
    Refused,
    /// Still failing after retries; left for a redelivery or the next start.
    GaveUp,
}

/// How a scheduled send (reminder, summary, ballot result) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reminded {
    /// Telegram accepted it.
    Sent,
    /// The chat refuses the bot (403); recorded, not retried.
    Forbidden,
    /// Telegram refused this send (400); retried with backoff.
    Refused,
    /// The group became a supergroup; sent again to its new id.
    Migrated,
    /// A transient failure; retried on the next tick.
    Later,
}

/// A label value written in snake case from its `Debug` name:
/// `pledge_sign` for `CommandKind::PledgeSign`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Snake<T>(T);

impl<T: std::fmt::Debug> EncodeLabelValue for Snake<T> {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        for (i, c) in format!("{:?}", self.0).chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                encoder.write_char('_')?;
            }
            encoder.write_char(c.to_ascii_lowercase())?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CommandLabels {
    kind: Snake<CommandKind>,
    outcome: Snake<Handled>,
}

/// One label: its name and value.
type Label<V> = [(&'static str, V); 1];

/// The bot's metrics; cheap to clone (one registry behind an `Arc`).
#[derive(Clone, Debug)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    registry: Registry,
    updates: Family<Label<&'static str>, Counter>,
    commands: Family<CommandLabels, Counter>,
    handling: Histogram,
    replies: Family<Label<Snake<Replied>>, Counter>,
    too_many: Family<Label<&'static str>, Counter>,
    reminders: Family<Label<Snake<Reminded>>, Counter>,
    webhook_refused: Counter,
    connections: Family<Label<&'static str>, Gauge>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("thidua");
        let updates = Family::<Label<&'static str>, Counter>::default();
        registry.register(
            "updates",
            "Updates handled, by kind (message, callback_query, my_chat_member)",
            updates.clone(),
        );
        let commands = Family::<CommandLabels, Counter>::default();
        registry.register(
            "commands",
            "Commands handled, by kind and outcome (ok, refused, error)",
            commands.clone(),
        );
        // 0.5 ms to about 8 s.
        let handling = Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        registry.register(
            "update_handling_seconds",
            "Time from an update reaching its handler to its replies being queued",
            handling.clone(),
        );
        let replies = Family::<Label<Snake<Replied>>, Counter>::default();
        registry.register(
            "replies",
            "Replies to users, by outcome (accepted, refused, gave_up)",
            replies.clone(),
        );
        let too_many = Family::<Label<&'static str>, Counter>::default();
        registry.register(
            "telegram_429",
            "Telegram's 429 Too Many Requests answers met by replies (the scheduler's are absorbed by its throttle)",
            too_many.clone(),
        );
        let reminders = Family::<Label<Snake<Reminded>>, Counter>::default();
        registry.register(
            "scheduled_sends",
            "Reminders, summaries and ballot results sent by the scheduler, by outcome",
            reminders.clone(),
        );
        let webhook_refused = Counter::default();
        registry.register(
            "webhook_refused",
            "Webhook requests refused for a missing or wrong secret token",
            webhook_refused.clone(),
        );
        let connections = Family::<Label<&'static str>, Gauge>::default();
        registry.register(
            "db_connections",
            "Database pool connections, by state (busy, idle), at the scrape",
            connections.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            updates,
            commands,
            handling,
            replies,
            too_many,
            reminders,
            webhook_refused,
            connections,
        }))
    }

    /// An update of `kind` (`message`, `callback_query`) was handled, in `took`.
    pub fn update(&self, kind: &'static str, took: Duration) {
        self.0.updates.get_or_create(&[("kind", kind)]).inc();
        self.0.handling.observe(took.as_secs_f64());
    }

    /// A command of `kind` ended as `outcome`.
    pub fn command(&self, kind: CommandKind, outcome: Handled) {
        self.0
            .commands
            .get_or_create(&CommandLabels {
                kind: Snake(kind),
                outcome: Snake(outcome),
            })
            .inc();
    }

    /// A reply ended as `outcome`.
    pub fn reply(&self, outcome: Replied) {
        self.0
            .replies
            .get_or_create(&[("outcome", Snake(outcome))])
            .inc();
    }

    /// Telegram answered a reply with 429.
    pub fn too_many_requests(&self) {
        self.0.too_many.get_or_create(&[("source", "reply")]).inc();
    }

    /// A scheduled send ended as `outcome`.
    pub fn scheduled(&self, outcome: Reminded) {
        self.0
            .reminders
            .get_or_create(&[("outcome", Snake(outcome))])
            .inc();
    }

    /// A webhook request came without the right secret.
    pub fn webhook_refused(&self) {
        self.0.webhook_refused.inc();
    }

    /// The text for `GET /metrics`, with the pool's `busy` and `idle`
    /// connections as of now.
    pub fn render(&self, busy: u32, idle: u32) -> String {
        let set = |state, n: u32| {
            self.0
                .connections
                .get_or_create(&[("state", state)])
                .set(i64::from(n));
        };
        set("busy", busy);
        set("idle", idle);
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.0.registry) {
            tracing::error!(error = %e, "encoding the metrics failed");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_show_with_snake_case_labels() {
        let m = Metrics::new();
        m.command(CommandKind::PledgeSign, Handled::Refused);
        m.command(CommandKind::PledgeSign, Handled::Refused);
        m.reply(Replied::GaveUp);
        m.update("message", Duration::from_millis(3));
        let text = m.render(1, 3);
        assert!(
            text.contains(r#"thidua_commands_total{kind="pledge_sign",outcome="refused"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"thidua_replies_total{outcome="gave_up"} 1"#));
        assert!(text.contains(r#"thidua_updates_total{kind="message"} 1"#));
        assert!(text.contains("thidua_update_handling_seconds_count 1"));
        assert!(text.contains(r#"thidua_db_connections{state="idle"} 3"#));
        assert!(text.ends_with("# EOF\n"));
    }
}
