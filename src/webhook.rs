//! Webhook mode (`THIDUA_WEBHOOK_URL`): Telegram POSTs each update to the
//! HTTP server with the secret token given in `setWebhook`. A request is
//! answered only once its update is handled (its state committed, its
//! replies queued), as long polling confirms a batch only once it is
//! handled: a crash before the answer makes Telegram deliver it again, and
//! the processed-updates ledger turns the redelivery into a replay.

use futures::stream::{self, BoxStream, StreamExt};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;

use crate::inflight::Unhandled;
use crate::metrics::Metrics;

/// The header Telegram puts the secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// How long a request waits for its update to be handled; past it the
/// request is answered 503 and Telegram delivers the update again.
const HANDLING_LIMIT: Duration = Duration::from_secs(50);

/// Updates received and not yet taken by the dispatcher. Telegram opens at
/// most `MAX_CONNECTIONS` requests at once, each waiting for its update.
const QUEUE: usize = 256;

/// Requests Telegram may have open at once (`setWebhook`'s `max_connections`).
const MAX_CONNECTIONS: u8 = 40;

/// The secret token for the bot with `token`: HMAC-SHA256 of a fixed label
/// keyed by the token, as 64 hex digits (Telegram allows 1–256 of
/// `A-Z a-z 0-9 _ -`). Unguessable without the token, and the same in every
/// process of the bot: a restart, or several processes behind one address,
/// agree on it whichever called `setWebhook` last.
pub fn secret_for(token: &str) -> String {
    use hmac::{Hmac, Mac};
    match Hmac::<sha2::Sha256>::new_from_slice(token.as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"thidua webhook secret token v1");
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes a key of any length.
        Err(_) => String::new(),
    }
}

/// Tells Telegram to POST updates to `url` with `secret`, for the update
/// kinds the dispatcher handles.
pub async fn register(
    bot: &Bot,
    url: url::Url,
    secret: &str,
    allowed: Vec<AllowedUpdate>,
) -> Result<(), teloxide::RequestError> {
    use teloxide::payloads::SetWebhookSetters;
    bot.set_webhook(url)
        .secret_token(secret.to_owned())
        .allowed_updates(allowed)
        .max_connections(MAX_CONNECTIONS)
        .await
        .map(drop)
}

/// The dispatcher's side: a listener yielding the updates the HTTP server
/// received.
pub struct Webhook {
    rx: Option<mpsc::Receiver<Update>>,
    token: StopToken,
    flag: StopFlag,
}

/// The HTTP server's side: checks a request and hands its update over.
#[derive(Clone)]
pub struct Inlet {
    secret: Arc<str>,
    tx: mpsc::Sender<Update>,
    unhandled: Unhandled,
    metrics: Metrics,
}

impl std::fmt::Debug for Inlet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Inlet").finish_non_exhaustive()
    }
}

/// A listener and the inlet that feeds it, checking requests for `secret`.
pub fn channel(secret: &str, unhandled: Unhandled, metrics: Metrics) -> (Webhook, Inlet) {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (token, flag) = mk_stop_token();
    (
        Webhook {
            rx: Some(rx),
            token,
            flag,
        },
        Inlet {
            secret: secret.into(),
            tx,
            unhandled,
            metrics,
        },
    )
}

/// How a webhook request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 200: handled (or not ours to handle); Telegram forgets it.
    Handled,
    /// 401: no secret token, or a wrong one; nothing was read.
    Refused,
    /// 503: stopping, or not handled in time; Telegram delivers it again.
    Unavailable,
}

impl Inlet {
    /// Hands the update in `body` to the dispatcher if `secret` is the
    /// token, and waits until it is handled.
    pub async fn deliver(&self, secret: Option<&[u8]>, body: &[u8]) -> Answer {
        if !secret.is_some_and(|s| same(s, self.secret.as_bytes())) {
            self.metrics.webhook_refused();
            return Answer::Refused;
        }
        let update: Update = match serde_json::from_slice(body) {
            Ok(u) => u,
            Err(e) => {
                // Delivering it again would not make it readable.
                tracing::warn!(error = %e, bytes = body.len(), "a webhook update could not be read; dropped");
                return Answer::Handled;
            }
        };
        let done = self.unhandled.handed_out_awaited(&update);
        if self.tx.send(update).await.is_err() {
            return Answer::Unavailable;
        }
        match done {
            None => Answer::Handled,
            // Stopping, or stuck: Telegram tries again; the ledger replays
            // what was applied.
            Some(done) => tokio::select! {
                r = tokio::time::timeout(HANDLING_LIMIT, done) => match r {
                    Ok(Ok(())) => Answer::Handled,
                    Ok(Err(_)) | Err(_) => Answer::Unavailable,
                },
                // The dispatcher stopped taking updates.
                () = self.tx.closed() => Answer::Unavailable,
            },
        }
    }
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl UpdateListener for Webhook {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }
}

impl<'a> AsUpdateStream<'a> for Webhook {
    type StreamErr = Infallible;
    type Stream = BoxStream<'a, Result<Update, Infallible>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let Some(rx) = self.rx.take() else {
            return stream::empty().boxed();
        };
        stream::unfold((rx, self.flag.clone()), |(mut rx, flag)| async move {
            let update = tokio::select! {
                u = rx.recv() => u?,
                () = flag.clone() => return None,
            };
            Some((Ok(update), (rx, flag)))
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_64_hex_digits_one_per_token_and_not_the_token() {
        let token = "123456:AAbbccddeeffgghhiijjkkllmmnnoopp_qq";
        let a = secret_for(token);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, secret_for(token), "every process agrees");
        assert_ne!(a, secret_for("123456:AAbbccddeeffgghhiijjkkllmmnnoopp_qr"));
        assert!(!a.contains("123456"));
    }

    #[test]
    fn same_needs_every_byte_and_the_length() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }

    #[tokio::test]
    async fn any_body_with_the_secret_is_answered_without_a_panic() {
        let (_hook, inlet) = channel("s3cret", Unhandled::default(), Metrics::new());
        for body in [
            &b""[..],
            b"null",
            b"{}",
            b"[1,2]",
            b"{\"update_id\": \"x\"}",
            b"{\"update_id\": 1, \"unknown_kind\": {}}",
            &[0xff, 0xfe, 0x00][..],
        ] {
            // Unreadable: dropped (200); readable but of no kind we handle:
            // handed over and not waited for (200).
            assert_eq!(inlet.deliver(Some(b"s3cret"), body).await, Answer::Handled);
        }
    }

    #[tokio::test]
    async fn a_request_without_the_secret_hands_nothing_over() {
        let (mut hook, inlet) = channel("s3cret", Unhandled::default(), Metrics::new());
        let body = br#"{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private", "first_name": "A"}, "text": "/status"}}"#;
        assert_eq!(inlet.deliver(None, body).await, Answer::Refused);
        assert_eq!(inlet.deliver(Some(b"s3cre"), body).await, Answer::Refused);
        drop(inlet);
        let mut updates = hook.as_stream();
        assert!(updates.next().await.is_none(), "nothing was handed over");
    }
}
