//! One send with Telegram's failure modes sorted out: 429 is retried by the
//! Throttle adaptor, 5xx and network errors are retried with backoff and then
//! left for the next tick, 403 is final, a migrated group gives its new id.

use std::time::Duration;
use teloxide::RequestError;
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, ParseMode};

use super::{Env, Sender};
use crate::delivery::is_forbidden;
use crate::metrics::Reminded;
use crate::telemetry::Secrets;
use crate::text::{self, MAX_MESSAGE_CHARS};

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Telegram accepted every part.
    Sent,
    /// The group is now a supergroup with this id.
    Migrated(i64),
    /// The chat refuses us for good (blocked, kicked, never started).
    Forbidden(String),
    /// Telegram refuses this send (400: no right to post, a closed topic)
    /// though the bot is still in the chat; retried with backoff.
    Refused(String),
    /// A transient failure; try again on the next tick.
    Later(String),
}

const ATTEMPTS: u32 = 3;

/// Whether Telegram refused the request itself (400), which trying again
/// at once will not change.
fn is_bad_request(e: &teloxide::ApiError) -> bool {
    match e {
        teloxide::ApiError::Unknown(d) => d.starts_with("Bad Request"),
        // Every error teloxide names is one of Telegram's 400s or 403s.
        _ => true,
    }
}

/// Sends `text` (split if long) to `chat`, and counts how it ended.
pub(super) async fn send(
    bot: &Sender,
    env: &Env,
    chat: i64,
    text: &str,
    backoff: Duration,
) -> Outcome {
    let outcome = send_parts(bot, &env.secrets, chat, text, backoff).await;
    env.metrics.scheduled(match outcome {
        Outcome::Sent => Reminded::Sent,
        Outcome::Forbidden(_) => Reminded::Forbidden,
        Outcome::Refused(_) => Reminded::Refused,
        Outcome::Migrated(_) => Reminded::Migrated,
        Outcome::Later(_) => Reminded::Later,
    });
    outcome
}

async fn send_parts(
    bot: &Sender,
    secrets: &Secrets,
    chat: i64,
    text: &str,
    backoff: Duration,
) -> Outcome {
    for part in text::split_message(text, MAX_MESSAGE_CHARS) {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let req = bot
                .send_message(ChatId(chat), part.clone())
                .parse_mode(ParseMode::Html)
                .link_preview_options(LinkPreviewOptions {
                    is_disabled: true,
                    url: None,
                    prefer_small_media: false,
                    prefer_large_media: false,
                    show_above_text: false,
                });
            match req.await {
                Ok(_) => break,
                Err(RequestError::MigrateToChatId(new)) => return Outcome::Migrated(new.0),
                Err(RequestError::Api(e)) if is_forbidden(&e) => {
                    return Outcome::Forbidden(e.to_string());
                }
                Err(RequestError::Api(e)) if is_bad_request(&e) => {
                    return Outcome::Refused(e.to_string());
                }
                Err(e) => {
                    let reason = secrets.redact(&e.to_string());
                    if attempt >= ATTEMPTS {
                        return Outcome::Later(reason);
                    }
                    tracing::debug!(chat, attempt, reason = %reason, "send failed; retrying");
                    tokio::time::sleep(backoff * 2u32.pow(attempt - 1)).await;
                }
            }
        }
    }
    Outcome::Sent
}
