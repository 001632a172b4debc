//! Sending replies: HTML, split at Telegram's limit, errors logged without the token.

use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, ParseMode};

use super::Tg;
use super::context::{App, Fail, Out, Req};
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
        if let Err(e) = req.await {
            ok = false;
            tracing::warn!(chat_id = out.chat_id, error = %app.redact(&e.to_string()), "sendMessage failed");
        }
    }
    ok
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
