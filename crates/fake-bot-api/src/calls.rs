//! The requests the bot made, as recorded by the fake, and how to wait for one.

use serde_json::Value;
use std::time::Duration;

use crate::FakeBotApi;

/// One request the bot made (`getUpdates` and `getMe` are not recorded).
#[derive(Debug, Clone)]
pub struct ApiCall {
    /// Bot API method, e.g. `sendMessage`.
    pub method: String,
    /// The JSON body (a multipart body's text fields, decoded).
    pub body: Value,
    /// What the fake answered (`result`).
    pub result: Value,
    /// Files uploaded with the request (multipart), e.g. a photo.
    pub files: Vec<FilePart>,
}

/// A file uploaded in a multipart request.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// Form field, e.g. `photo` or `document`.
    pub field: String,
    /// File name as sent.
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl ApiCall {
    /// `chat_id` of the request, if any.
    pub fn chat_id(&self) -> Option<i64> {
        self.body.get("chat_id").and_then(Value::as_i64)
    }

    /// `text` of the request, if any.
    pub fn text(&self) -> &str {
        // A photo's or document's caption is its text.
        self.body
            .get("text")
            .or_else(|| self.body.get("caption"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

impl FakeBotApi {
    /// Every call recorded so far (getUpdates excluded).
    pub fn calls(&self) -> Vec<ApiCall> {
        self.inner.lock().calls.clone()
    }

    /// Number of calls recorded so far.
    pub fn call_count(&self) -> usize {
        self.inner.lock().calls.len()
    }

    /// Calls recorded from index `from` on.
    pub fn calls_since(&self, from: usize) -> Vec<ApiCall> {
        self.inner
            .lock()
            .calls
            .get(from..)
            .map(<[ApiCall]>::to_vec)
            .unwrap_or_default()
    }

    /// Waits until a call matching `pred` is recorded at index ≥ `from`, up to `limit`.
    pub async fn wait_for(
        &self,
        from: usize,
        limit: Duration,
        pred: impl Fn(&ApiCall) -> bool,
    ) -> Option<ApiCall> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.inner.new_call.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(c) = self.calls_since(from).into_iter().find(|c| pred(c)) {
                return Some(c);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }
}
