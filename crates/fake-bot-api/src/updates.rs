//! Updates shaped as Telegram sends them, for the fake Bot API.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicI64, Ordering};

static NEXT_MESSAGE_ID: AtomicI64 = AtomicI64::new(1);

/// Telegram's user id for anonymous group admins.
pub const ANONYMOUS_ADMIN_ID: i64 = 1_087_968_824;

/// A Telegram user.
#[derive(Debug, Clone)]
pub struct Person {
    /// Telegram user id.
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// `language_code`.
    pub lang: Option<String>,
}

impl Person {
    /// A person with a first and last name, language `vi`.
    pub fn new(id: i64, first: &str, last: &str) -> Person {
        Person {
            id,
            first_name: first.into(),
            last_name: Some(last.into()),
            lang: Some("vi".into()),
        }
    }

    /// The same person with another `language_code`.
    pub fn with_lang(mut self, lang: &str) -> Person {
        self.lang = Some(lang.into());
        self
    }

    /// The display name.
    pub fn full_name(&self) -> String {
        match &self.last_name {
            Some(l) => format!("{} {}", self.first_name, l),
            None => self.first_name.clone(),
        }
    }

    /// As a Telegram `User` object.
    pub fn json(&self) -> Value {
        let mut u = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(l) = &self.last_name {
            u["last_name"] = json!(l);
        }
        if let Some(l) = &self.lang {
            u["language_code"] = json!(l);
        }
        u
    }
}

/// A private chat with `p`.
pub fn private_chat(p: &Person) -> Value {
    json!({"id": p.id, "type": "private", "first_name": p.first_name})
}

/// A group chat.
pub fn group_chat(id: i64, title: &str) -> Value {
    json!({"id": id, "type": if id < -1_000_000_000_000 { "supergroup" } else { "group" }, "title": title})
}

fn entities(text: &str) -> Value {
    if !text.starts_with('/') {
        return json!([]);
    }
    let cmd = text.split(char::is_whitespace).next().unwrap_or(text);
    json!([{"type": "bot_command", "offset": 0, "length": cmd.encode_utf16().count()}])
}

/// A message object (not yet an update).
pub fn message(chat: Value, from: Value, text: &str) -> Value {
    let id = NEXT_MESSAGE_ID.fetch_add(1, Ordering::Relaxed);
    json!({"message_id": id, "date": crate::unix_now(), "chat": chat, "from": from,
           "text": text, "entities": entities(text)})
}

/// An update carrying a message.
pub fn update(message: Value) -> Value {
    json!({"message": message})
}

/// `p` writes `text` to the bot in private.
pub fn private(p: &Person, text: &str) -> Value {
    update(message(private_chat(p), p.json(), text))
}

/// `p` writes `text` in a group.
pub fn group(chat_id: i64, title: &str, p: &Person, text: &str) -> Value {
    update(message(group_chat(chat_id, title), p.json(), text))
}

/// `p` answers `replied_to` (a message object) with `text` in a group.
pub fn group_reply(chat_id: i64, title: &str, p: &Person, text: &str, replied_to: Value) -> Value {
    let mut m = message(group_chat(chat_id, title), p.json(), text);
    m["reply_to_message"] = replied_to;
    update(m)
}

/// An anonymous group admin writes `text` (sent on behalf of the group).
pub fn anonymous_admin(chat_id: i64, title: &str, text: &str) -> Value {
    let from = json!({"id": ANONYMOUS_ADMIN_ID, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot"});
    let mut m = message(group_chat(chat_id, title), from, text);
    m["sender_chat"] = group_chat(chat_id, title);
    update(m)
}

/// `p` presses an inline button with `data` under `message` (as the bot sent it).
pub fn callback(p: &Person, message: Value, data: &str) -> Value {
    let id = NEXT_MESSAGE_ID.fetch_add(1, Ordering::Relaxed);
    json!({"callback_query": {"id": format!("cb{id}"), "from": p.json(), "message": message,
           "chat_instance": "ci", "data": data}})
}

/// The message of `update` as a photo (`file_id`, two sizes) whose caption
/// is the message's text: a command in a caption.
pub fn with_photo(mut update: Value, file_id: &str, unique_id: &str) -> Value {
    if let Some(m) = update.get_mut("message") {
        into_caption(m);
        m["photo"] = json!([
            {"file_id": format!("{file_id}-small"), "file_unique_id": format!("{unique_id}-small"), "width": 90, "height": 60},
            {"file_id": file_id, "file_unique_id": unique_id, "width": 1280, "height": 853}
        ]);
    }
    update
}

/// The message of `update` as a document whose caption is its text.
pub fn with_document(mut update: Value, file_id: &str, unique_id: &str) -> Value {
    if let Some(m) = update.get_mut("message") {
        into_caption(m);
        m["document"] = json!({"file_id": file_id, "file_unique_id": unique_id,
                               "file_name": "minh-chung.pdf", "mime_type": "application/pdf"});
    }
    update
}

/// A message's text becomes its caption (none if it was empty).
fn into_caption(m: &mut Value) {
    let Some(obj) = m.as_object_mut() else { return };
    let text = obj.remove("text");
    let entities = obj.remove("entities");
    if let Some(t) = text.filter(|t| t.as_str().is_some_and(|s| !s.is_empty())) {
        obj.insert("caption".into(), t);
        if let Some(e) = entities {
            obj.insert("caption_entities".into(), e);
        }
    }
}
