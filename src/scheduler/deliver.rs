//! One send with Telegram's failure modes sorted out: 429 is retried by the
//! Throttle adaptor, 5xx and network errors are retried with backoff and then
//! left for the next tick, 403 is final, a migrated group gives its new id.

use std::time::Duration;
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, ParseMode};
use teloxide::{ApiError, RequestError};

use super::Sender;
use crate::bot::App;
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
    /// A transient failure; try again on the next tick.
    Later(String),
}

const ATTEMPTS: u32 = 3;

/// Whether an API error means the chat will never accept our messages.
pub fn is_forbidden(e: &ApiError) -> bool {
    match e {
        ApiError::BotBlocked
        | ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::ChatNotFound
        | ApiError::UserDeactivated
        | ApiError::CantInitiateConversation
        | ApiError::CantTalkWithBots
        | ApiError::GroupDeactivated => true,
        // Newer Telegram wording lands in Unknown: match the description.
        ApiError::Unknown(d) => {
            let d = d.to_ascii_lowercase();
            d.contains("forbidden")
                || d.contains("can't initiate conversation")
                || d.contains("blocked")
        }
        _ => false,
    }
}

/// Sends `text` (split if long) to `chat`.
pub async fn send(bot: &Sender, app: &App, chat: i64, text: &str, backoff: Duration) -> Outcome {
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
                Err(e) => {
                    let reason = app.redact(&e.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_kicked_and_never_started_are_forbidden_for_good() {
        assert!(is_forbidden(&ApiError::BotBlocked));
        assert!(is_forbidden(&ApiError::Unknown(
            "Forbidden: bot can't initiate conversation with a user".into()
        )));
        assert!(!is_forbidden(&ApiError::Unknown(
            "Internal Server Error".into()
        )));
        assert!(!is_forbidden(&ApiError::MessageTextIsEmpty));
    }
}
