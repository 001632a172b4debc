//! Sending replies: HTML, split at Telegram's limit, errors logged without the token.

use std::time::Duration;
use teloxide::RequestError;
use teloxide::payloads::SendMessageSetters;
use teloxide::payloads::{SendDocumentSetters, SendPhotoSetters};
use teloxide::prelude::*;
use teloxide::types::{InputFile, LinkPreviewOptions, ParseMode};

use super::Tg;
use super::context::{App, Fail, Out, OutFile, Req};
use crate::domain::CommandKind;
use crate::text::{self, MAX_MESSAGE_CHARS};

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Sends one message (in parts if it is too long). Returns whether Telegram accepted every part.
pub async fn out(bot: &Tg, app: &App, out: &Out) -> bool {
    if let Some(f) = &out.file {
        return file(bot, app, out, f).await;
    }
    let parts = text::split_message(&out.text, MAX_MESSAGE_CHARS);
    let last = parts.len().saturating_sub(1);
    let mut ok = true;
    for (i, part) in parts.into_iter().enumerate() {
        let mut req = bot
            .send_message(ChatId(out.chat_id), part)
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview());
        if let Some(k) = out.keyboard.as_ref().filter(|_| i == last) {
            req = req.reply_markup(k.clone());
        }
        // The write behind this reply is committed: a reply lost to a passing
        // network fault would leave the user guessing, so retry those.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match req.send_ref().await {
                Ok(_) => break,
                Err(e) if attempt < ATTEMPTS && transient(&e) => {
                    let wait = match &e {
                        RequestError::RetryAfter(s) => s.duration(),
                        _ => Duration::from_millis(200 * u64::from(attempt)),
                    };
                    tracing::debug!(
                        chat_id = out.chat_id,
                        attempt,
                        "sendMessage failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    ok = false;
                    tracing::warn!(chat_id = out.chat_id, error = %app.redact(&e.to_string()), "sendMessage failed");
                    break;
                }
            }
        }
    }
    ok
}

/// Tries per reply: the first and two retries.
const ATTEMPTS: u32 = 3;

/// Whether a failed send may succeed if tried again.
fn transient(e: &RequestError) -> bool {
    matches!(
        e,
        RequestError::Network(_)
            | RequestError::Io(_)
            | RequestError::RetryAfter(_)
            | RequestError::InvalidJson { .. }
    )
}

/// Sends a photo or document with the text as its caption.
async fn file(bot: &Tg, app: &App, out: &Out, f: &OutFile) -> bool {
    let input = InputFile::memory(f.bytes.clone()).file_name(f.file_name.clone());
    // A caption is at most 1,024 characters.
    let caption: String = out.text.chars().take(1024).collect();
    let result = if f.photo {
        bot.send_photo(ChatId(out.chat_id), input)
            .caption(caption)
            .parse_mode(ParseMode::Html)
            .await
    } else {
        bot.send_document(ChatId(out.chat_id), input)
            .caption(caption)
            .parse_mode(ParseMode::Html)
            .await
    };
    match result {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(chat_id = out.chat_id, error = %app.redact(&e.to_string()), "sending a file failed");
            false
        }
    }
}

/// Sends what a command produced: its replies, its refusal, or an apology.
pub async fn outcome(
    bot: &Tg,
    app: &App,
    req: &Req,
    kind: CommandKind,
    result: Result<Vec<Out>, Fail>,
) {
    match result {
        Ok(outs) => {
            for o in &outs {
                out(bot, app, o).await;
            }
        }
        Err(Fail::Refused(r)) => {
            out(
                bot,
                app,
                &Out::to(req.chat_id, text::refusal(req.lang, &r, kind)),
            )
            .await;
        }
        Err(e) => {
            tracing::error!(update_id = req.update_id, error = %app.redact(&e.to_string()), "command failed");
            out(bot, app, &Out::to(req.chat_id, req.t().internal_error())).await;
        }
    }
}
