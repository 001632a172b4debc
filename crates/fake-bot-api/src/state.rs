//! What the fake remembers between requests, behind one lock.

use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::Notify;

use crate::calls::ApiCall;
use crate::fault::Trouble;

/// An update waiting for `getUpdates`.
#[derive(Debug)]
pub(crate) struct Queued {
    pub(crate) update: Value,
    /// Delivered even if the bot's offset has passed it (a redelivery).
    pub(crate) force: bool,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) updates: VecDeque<Queued>,
    pub(crate) next_update_id: i64,
    pub(crate) calls: Vec<ApiCall>,
    pub(crate) next_message_id: i64,
    /// Chats seen in updates, by id: what a sent message's `chat` says.
    pub(crate) chats: HashMap<i64, Value>,
    /// `getChatMember` statuses by (chat, user).
    pub(crate) members: HashMap<(i64, i64), String>,
    /// Per method: runs of (trouble, how many more calls get it).
    pub(crate) faults: HashMap<String, VecDeque<(Trouble, usize)>>,
    /// Per chat: runs of troubles for sends to it.
    pub(crate) chat_faults: HashMap<i64, VecDeque<(Trouble, usize)>>,
    /// Sends to a private chat that never wrote to the bot are refused.
    pub(crate) require_start: bool,
    /// Troubles served so far, by kind.
    pub(crate) served: HashMap<&'static str, u64>,
    /// `getUpdates` requests received (troubled ones included).
    pub(crate) polls: u64,
    /// `allowed_updates` of the last `getUpdates` that had one.
    pub(crate) allowed: Option<Value>,
    /// The webhook's URL, from `setWebhook` until `deleteWebhook`.
    pub(crate) webhook: Option<String>,
    /// Telegram's overall send limit, when enforced: sends in the last second.
    pub(crate) limit: Option<(usize, VecDeque<Instant>)>,
    pub(crate) too_many: u64,
    /// At most this many updates per `getUpdates`, whatever the bot asks.
    pub(crate) batch: Option<usize>,
    /// Update id → the `getUpdates` request (by number) that last handed it out.
    pub(crate) handed: HashMap<i64, u64>,
    /// Updates a later `getUpdates` confirmed by its `offset`: the bot is done
    /// with them (a bot that confirms only what it handled, as thidua does).
    pub(crate) confirmed: HashSet<i64>,
    /// File ids Telegram no longer knows: sending one answers 400.
    pub(crate) gone_files: HashSet<String>,
}

impl State {
    /// Remembers the chats an update comes from, so replies to them carry the
    /// same chat object.
    pub(crate) fn remember_chats(&mut self, update: &Value) {
        for key in ["message", "edited_message"] {
            if let Some(chat) = update.get(key).and_then(|m| m.get("chat"))
                && let Some(id) = chat.get("id").and_then(Value::as_i64)
            {
                self.chats.insert(id, chat.clone());
            }
        }
    }
}

/// The state shared by the server's connections and the [`crate::FakeBotApi`] handle.
#[derive(Debug, Default)]
pub(crate) struct Inner {
    state: Mutex<State>,
    /// Wakes `getUpdates` long polls.
    pub(crate) new_update: Notify,
    /// Wakes [`crate::FakeBotApi::wait_for`].
    pub(crate) new_call: Notify,
    /// Wakes [`crate::FakeBotApi::wait_confirmed`].
    pub(crate) new_confirm: Notify,
}

impl Inner {
    /// The state; a panic elsewhere while it was held does not poison it for the test.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
