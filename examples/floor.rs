//! The floor of thidua's stack (issue 6): a minimal teloxide bot with the same
//! teloxide features, long polling with teloxide's default listener, that
//! answers every command with a fixed text. No database, no state.
//!
//! `benches/perf/` runs it as a process next to `thidua run`, against the
//! same fake Bot API and the same updates, and prints thidua's figures as
//! ratios of these.
//!
//! ```text
//! cargo build --release --example floor
//! TELOXIDE_TOKEN=123:abc TELOXIDE_API_URL=http://127.0.0.1:8081/ target/release/examples/floor
//! ```

use teloxide::prelude::*;

/// The one answer.
const ANSWER: &str = "OK";

async fn answer(bot: Bot, msg: Message) -> ResponseResult<()> {
    if msg.text().is_some_and(|t| t.starts_with('/')) {
        bot.send_message(msg.chat.id, ANSWER).await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    // TELOXIDE_TOKEN and TELOXIDE_API_URL, as thidua reads them.
    let bot = Bot::from_env();
    Dispatcher::builder(bot, Update::filter_message().endpoint(answer))
        .enable_ctrlc_handler()
        .build()
        .dispatch()
        .await;
}
