//! A fake Telegram Bot API for testing teloxide bots.
//!
//! [`FakeBotApi`] is a small HTTP server on `127.0.0.1` that answers the Bot API
//! methods a bot typically uses, so a test (or a demo) drives the *real* bot
//! over HTTP, exactly as Telegram would:
//!
//! - updates queued with [`FakeBotApi::push`] are handed out through
//!   `getUpdates` long polling, and forgotten once a later offset confirms them,
//!   as Telegram does ([`FakeBotApi::redeliver`] plays a redelivery after a crash);
//! - every request the bot makes is recorded as an [`ApiCall`] (JSON or multipart
//!   body, uploaded files, what the fake answered) to assert on;
//! - faults are injected per method or per chat ([`Trouble`]: 429 with
//!   `retry_after`, 5xx, 403, dropped or stalled connections, garbage bodies), and
//!   Telegram's overall send limit can be enforced;
//! - a message in HTML parse mode that Telegram would refuse is refused
//!   ([`html::check`]);
//! - [`updates`] builds updates shaped as Telegram sends them.
//!
//! The fake's bot is [`BOT_USERNAME`] (id [`BOT_ID`]); any token is accepted.
//!
//! # Example
//!
//! ```
//! use fake_bot_api::updates::{self, Person};
//! use fake_bot_api::{FakeBotApi, Trouble};
//!
//! # #[tokio::main]
//! # async fn main() -> std::io::Result<()> {
//! let api = FakeBotApi::start().await?;
//! // Give the bot this address instead of https://api.telegram.org/, e.g.
//! // teloxide's `Bot::new(token).set_api_url(api.url().parse()?)` or the
//! // `TELOXIDE_API_URL` environment variable.
//! let base_url: &str = api.url();
//! assert!(base_url.starts_with("http://127.0.0.1:"));
//!
//! // A user writes to the bot; the bot's next `getUpdates` receives it.
//! let ada = Person::new(42, "Ada", "Lovelace");
//! let update_id = api.push(updates::private(&ada, "/start"));
//! assert_eq!(api.pending_updates(), 1);
//!
//! // The bot's first reply will be refused with a 429, as in a flood.
//! api.trouble("sendMessage", Trouble::too_many_requests(3), 1);
//!
//! // ... run the bot against `base_url`, then assert on what it sent, e.g.
//! // `api.wait_for(0, timeout, |c| c.method == "sendMessage" && c.chat_id() == Some(42))`.
//! assert!(api.calls().is_empty());
//! # let _ = update_id;
//! # Ok(())
//! # }
//! ```

mod calls;
mod fault;
mod handle;
pub mod html;
mod methods;
mod multipart;
mod polling;
mod server;
mod state;
mod trouble;
pub mod updates;

pub use calls::{ApiCall, FilePart};
pub use fault::{Fault, Trouble};
pub use server::FakeBotApi;

/// The fake bot's user id (what `getMe` answers).
pub const BOT_ID: i64 = 7_000_000_001;
/// The fake bot's username (what `getMe` answers).
pub const BOT_USERNAME: &str = "thidua_bot";

/// Seconds since the Unix epoch, for Telegram's `date` fields.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
