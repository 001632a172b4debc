//! Long polling that confirms a batch of updates to Telegram only once the
//! batch is handled, and logs polling failures once per burst.
//!
//! Telegram forgets every update below the `offset` of a `getUpdates` call.
//! teloxide's `Polling` asks for the next batch as soon as the dispatcher has
//! queued the current one, before its handlers run: a crash then loses the
//! whole queue (in a burst, hundreds of reports that were never applied nor
//! answered). [`Poller`] asks for the next batch only when every update of
//! the current one has been handled (or after `HANDLING_LIMIT`), so a crash
//! at any point makes Telegram deliver again whatever was not finished; the
//! processed-updates ledger turns those redeliveries into replays.

use futures::stream::{self, BoxStream, StreamExt};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use crate::inflight::Unhandled;
use crate::telemetry::Secrets;

/// The Bot API client polled.
type Tg = Bot;

/// How long the next batch waits for the current one to be handled; past
/// it (a handler stuck on a network call), polling goes on.
const HANDLING_LIMIT: Duration = Duration::from_secs(60);

/// On shutdown, how long the last batch may take before polling stops
/// without confirming it (it is then delivered again after the restart).
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(10);

/// Long polling that confirms a batch only once it is handled.
pub struct Poller {
    bot: Tg,
    timeout: u32,
    allowed: Option<Vec<AllowedUpdate>>,
    unhandled: Unhandled,
    errors: PollErrors,
    token: StopToken,
    flag: StopFlag,
}

impl Poller {
    /// Removes a webhook if one is set (Telegram refuses `getUpdates`
    /// while one is), and prepares long polls of `timeout` (at most 10 s:
    /// the HTTP client gives up on any request after 17 s).
    pub async fn new(
        bot: Tg,
        secrets: &Secrets,
        timeout: Duration,
        unhandled: Unhandled,
        errors: PollErrors,
    ) -> Poller {
        match bot.get_webhook_info().await {
            Ok(info) if info.url.is_some() => {
                if let Err(e) = bot.delete_webhook().await {
                    tracing::error!(error = %secrets.redact(&e.to_string()), "deleting the webhook failed");
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %secrets.redact(&e.to_string()), "getWebhookInfo failed")
            }
        }
        let (token, flag) = mk_stop_token();
        Poller {
            bot,
            timeout: u32::try_from(timeout.min(MAX_POLL_TIMEOUT).as_secs()).unwrap_or(10),
            allowed: None,
            unhandled,
            errors,
            token,
            flag,
        }
    }
}

impl UpdateListener for Poller {
    type Err = RequestError;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.allowed = Some(hint.collect());
    }
}

/// Where the stream is.
struct Polling {
    bot: Tg,
    timeout: u32,
    allowed: Option<Vec<AllowedUpdate>>,
    unhandled: Unhandled,
    errors: PollErrors,
    flag: StopFlag,
    /// Confirms everything below it, sent with the next poll.
    offset: i32,
    /// The current batch, not yet handed out.
    batch: VecDeque<Update>,
    /// Failures without `retry_after` since the last good poll.
    failures: u32,
    /// Wait before the next poll.
    delay: Option<Duration>,
    done: bool,
}

impl<'a> AsUpdateStream<'a> for Poller {
    type StreamErr = RequestError;
    type Stream = BoxStream<'a, Result<Update, RequestError>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let state = Polling {
            bot: self.bot.clone(),
            timeout: self.timeout,
            allowed: self.allowed.clone(),
            unhandled: self.unhandled.clone(),
            errors: self.errors.clone(),
            flag: self.flag.clone(),
            offset: 0,
            batch: VecDeque::new(),
            failures: 0,
            delay: None,
            done: false,
        };
        stream::unfold(state, |mut p| async move {
            let item = p.next().await?;
            Some((item, p))
        })
        .boxed()
    }
}

impl Polling {
    async fn next(&mut self) -> Option<Result<Update, RequestError>> {
        loop {
            if let Some(update) = self.batch.pop_front() {
                self.unhandled.handed_out(&update);
                return Some(Ok(update));
            }
            if self.done {
                return None;
            }
            if self.flag.is_stopped() {
                // Confirm the last batch only if it was handled in time;
                // otherwise Telegram delivers it again after the restart.
                self.done = true;
                if self.unhandled.drained(SHUTDOWN_LIMIT).await {
                    let confirm = self
                        .bot
                        .get_updates()
                        .offset(self.offset)
                        .limit(1)
                        .timeout(0);
                    if let Err(e) = confirm.await {
                        return Some(Err(e));
                    }
                }
                return None;
            }
            if let Some(d) = self.delay.take() {
                tokio::select! {
                    () = tokio::time::sleep(d) => {}
                    () = self.flag.clone() => continue,
                }
            }
            // The next poll confirms the current batch: not before it is handled.
            let handled = tokio::select! {
                h = self.unhandled.drained(HANDLING_LIMIT) => h,
                () = self.flag.clone() => continue,
            };
            if !handled {
                // Not waited for again: one stuck handler must not slow every batch.
                let stuck = self.unhandled.forget();
                tracing::warn!(
                    ?stuck,
                    "updates still being handled after {}s; polling goes on",
                    HANDLING_LIMIT.as_secs()
                );
            }
            let mut poll = self
                .bot
                .get_updates()
                .offset(self.offset)
                .timeout(self.timeout)
                .limit(100);
            if let Some(a) = &self.allowed {
                poll = poll.allowed_updates(a.clone());
            }
            let result = tokio::select! {
                r = poll.send() => r,
                () = self.flag.clone() => continue,
            };
            match result {
                Ok(updates) => {
                    self.failures = 0;
                    self.errors.recovered();
                    if let Some(last) = updates.last() {
                        self.offset = last.id.as_offset();
                    }
                    self.batch.extend(updates);
                }
                Err(e) => {
                    self.delay = Some(match &e {
                        RequestError::RetryAfter(s) => {
                            self.failures = 0;
                            s.duration()
                        }
                        // teloxide's backoff: 1 s, doubling up to 64 s.
                        _ => {
                            let d = teloxide::backoff::exponential_backoff_strategy(self.failures);
                            self.failures = self.failures.saturating_add(1);
                            d
                        }
                    });
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The longest long poll. teloxide's HTTP client cuts every request after
/// 17 s (`default_reqwest_settings`): a longer poll fails whenever no update
/// comes, and the backoff then grows to a minute between polls.
const MAX_POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// While polling keeps failing, a reminder at most this often.
const STILL_FAILING_EVERY: Duration = Duration::from_secs(600);

/// Logs polling failures without flooding: the first failure of each kind in
/// a burst is a warning, repeats are counted (at debug level), a reminder
/// comes every 10 minutes while it lasts, and the first good poll closes the
/// burst with one line of counts.
#[derive(Clone, Debug, Default)]
pub struct PollErrors(Arc<std::sync::Mutex<PollBurst>>);

#[derive(Debug, Default)]
struct PollBurst {
    /// When the burst began; `None` while polling is healthy.
    since: Option<tokio::time::Instant>,
    /// Failures of the burst by kind (a handful of kinds: bounded).
    counts: Vec<(&'static str, u64)>,
    /// The last warning or reminder of the burst.
    reported: Option<tokio::time::Instant>,
}

impl PollErrors {
    fn lock(&self) -> std::sync::MutexGuard<'_, PollBurst> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Logs a failed poll (the listener's error handler).
    pub fn failed(&self, e: &RequestError, redact: impl Fn(&str) -> String) {
        use RequestError as E;
        let kind = match e {
            E::RetryAfter(_) => "retry_after",
            E::Network(n) if n.is_timeout() => "timeout",
            E::Network(_) => "network",
            E::InvalidJson { .. } => "invalid_json",
            E::Api(teloxide::ApiError::TerminatedByOtherGetUpdates) => "conflict",
            E::Api(_) => "api",
            E::Io(_) => "io",
            _ => "other",
        };
        let now = tokio::time::Instant::now();
        let mut b = self.lock();
        if b.since.is_none() {
            b.since = Some(now);
            b.reported = Some(now);
            b.counts.clear();
        }
        let first = match b.counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                false
            }
            None => {
                b.counts.push((kind, 1));
                true
            }
        };
        // Redacted, then cut: a malformed answer is quoted whole.
        let text = || redact(&e.to_string()).chars().take(300).collect::<String>();
        if first {
            b.reported = Some(now);
            tracing::warn!(kind, error = %text(), "polling failed; repeats are counted until it recovers");
        } else if b
            .reported
            .is_none_or(|r| now.duration_since(r) >= STILL_FAILING_EVERY)
        {
            b.reported = Some(now);
            let since = b.since.map_or(0, |s| now.duration_since(s).as_secs());
            tracing::warn!(failures = %tally(&b.counts), seconds = since, "polling still failing");
        } else {
            tracing::debug!(kind, error = %text(), "polling failed again");
        }
    }

    /// A good poll: closes the burst, if any, in one line.
    fn recovered(&self) {
        let mut b = self.lock();
        if let Some(since) = b.since.take() {
            let counts = std::mem::take(&mut b.counts);
            b.reported = None;
            drop(b);
            tracing::info!(
                failures = %tally(&counts),
                seconds = since.elapsed().as_secs(),
                "polling recovered"
            );
        }
    }
}

/// `retry_after×9990 network×5`.
fn tally(counts: &[(&'static str, u64)]) -> String {
    counts
        .iter()
        .map(|(k, n)| format!("{k}×{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}
