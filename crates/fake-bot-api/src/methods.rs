//! Answers to the Bot API methods the fake knows: what Telegram would return
//! in `result` (`None` for an unknown method).

use serde_json::{Value, json};

use crate::state::{Inner, State};
use crate::{BOT_ID, BOT_USERNAME, FakeBotApi};

impl FakeBotApi {
    /// Makes `getChatMember(chat, user)` answer with this status
    /// (`creator`, `administrator`, `member`, `left`).
    pub fn set_member_status(&self, chat_id: i64, user_id: i64, status: &str) {
        self.inner
            .lock()
            .members
            .insert((chat_id, user_id), status.to_owned());
    }

    /// Makes `sendPhoto`/`sendDocument` with this file id (as a string)
    /// answer 400 "wrong file identifier", as Telegram does for a file it
    /// no longer has.
    pub fn forget_file(&self, file_id: &str) {
        self.inner.lock().gone_files.insert(file_id.to_owned());
    }
}

/// The fake's bot as a Telegram `User` (`getMe`, `from` of what it sends).
fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Thi đua", "username": BOT_USERNAME,
           "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
           "can_connect_to_business": false, "has_main_web_app": false})
}

/// The chat object for `id`: as seen in an update, else a plain one.
fn chat_json(s: &State, id: i64) -> Value {
    s.chats.get(&id).cloned().unwrap_or_else(|| {
        if id > 0 {
            json!({"id": id, "type": "private", "first_name": "User"})
        } else {
            json!({"id": id, "type": "supergroup", "title": "Group"})
        }
    })
}

/// The `result` for a `method` call with `body`; `None` if the fake does not know it.
pub(crate) fn answer(inner: &Inner, method: &str, body: &Value) -> Option<Value> {
    let mut s = inner.lock();
    let now = crate::unix_now();
    Some(match method {
        "getMe" => bot_user(),
        "setWebhook" => {
            s.webhook = body.get("url").and_then(Value::as_str).map(str::to_owned);
            json!(true)
        }
        "deleteWebhook" => {
            s.webhook = None;
            json!(true)
        }
        "setMyCommands" | "answerCallbackQuery" | "deleteMessage" | "close" | "sendChatAction" => {
            json!(true)
        }
        // The URL of the last setWebhook, until a deleteWebhook.
        "getWebhookInfo" => json!({"url": s.webhook.clone().unwrap_or_default(),
                                   "has_custom_certificate": false,
                                   "pending_update_count": s.updates.len()}),
        "sendMessage" | "sendPhoto" | "sendDocument" => {
            let chat_id = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            s.next_message_id += 1;
            let mut m = json!({"message_id": s.next_message_id, "date": now, "chat": chat_json(&s, chat_id), "from": bot_user()});
            if let Some(t) = body.get("text") {
                m["text"] = t.clone();
            }
            if let Some(k) = body.get("reply_markup") {
                m["reply_markup"] = k.clone();
            }
            if let Some(c) = body.get("caption") {
                m["caption"] = c.clone();
            }
            let id = format!("file{}", s.next_message_id);
            if method == "sendPhoto" {
                m["photo"] =
                    json!([{"file_id": id, "file_unique_id": id, "width": 1080, "height": 720}]);
            }
            if method == "sendDocument" {
                m["document"] = json!({"file_id": id, "file_unique_id": id});
            }
            m
        }
        "editMessageText" => {
            let chat_id = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            json!({"message_id": body.get("message_id").cloned().unwrap_or(json!(0)), "date": now,
                   "edit_date": now, "chat": chat_json(&s, chat_id), "from": bot_user(),
                   "text": body.get("text").cloned().unwrap_or(json!(""))})
        }
        "getChatMember" => {
            let chat_id = body.get("chat_id").and_then(Value::as_i64).unwrap_or(0);
            let user_id = body.get("user_id").and_then(Value::as_i64).unwrap_or(0);
            let status = s
                .members
                .get(&(chat_id, user_id))
                .cloned()
                .unwrap_or_else(|| "member".into());
            let user = json!({"id": user_id, "is_bot": false, "first_name": "User"});
            match status.as_str() {
                "creator" => json!({"status": "creator", "user": user, "is_anonymous": false}),
                "administrator" => {
                    json!({"status": "administrator", "user": user, "can_be_edited": false,
                    "is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true,
                    "can_manage_video_chats": true, "can_restrict_members": true, "can_promote_members": false,
                    "can_change_info": true, "can_invite_users": true, "can_pin_messages": true,
                    "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false})
                }
                other => json!({"status": other, "user": user}),
            }
        }
        _ => return None,
    })
}
