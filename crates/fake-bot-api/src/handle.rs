//! One request, from the HTTP request to the response: method name and body
//! decoded, then in order the send limit, queued troubles, per-chat troubles
//! and the "never started" refusal, `getUpdates`, Telegram's HTML check, and
//! the method's answer, recorded.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::calls::ApiCall;
use crate::fault::{Hangup, reply, serve_trouble};
use crate::html;
use crate::methods::answer;
use crate::multipart::multipart;
use crate::polling::{get_updates, note_poll};
use crate::state::Inner;
use crate::trouble::{over_limit, take_chat_trouble, take_trouble};

/// Serves one Bot API request; `Err` closes the connection without an answer.
pub(crate) async fn handle(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Hangup> {
    // teloxide writes methods as `GetMe`; Telegram matches them case-insensitively.
    let raw = req.uri().path().rsplit('/').next().unwrap_or("");
    let mut chars = raw.chars();
    let method: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                json!({"ok": false, "error_code": 400, "description": "Bad Request"}),
            ));
        }
    };
    let (body, files) = match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.starts_with("multipart/form-data") => {
            multipart(&body, boundary.trim_matches('"'))
        }
        _ => (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        ),
    };
    if method == "getUpdates" {
        note_poll(&inner, &body);
    }
    if matches!(
        method.as_str(),
        "sendMessage" | "sendPhoto" | "sendDocument"
    ) && over_limit(&inner)
    {
        return Ok(reply(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
        ));
    }
    if let Some(t) = take_trouble(&inner, &method) {
        return serve_trouble(t).await;
    }
    if matches!(
        method.as_str(),
        "sendMessage" | "sendPhoto" | "sendDocument" | "sendChatAction"
    ) && let Some(chat) = body.get("chat_id").and_then(Value::as_i64)
    {
        if let Some(t) = take_chat_trouble(&inner, chat) {
            return serve_trouble(t).await;
        }
        let never_wrote = {
            let s = inner.lock();
            s.require_start && chat > 0 && !s.chats.contains_key(&chat)
        };
        if never_wrote {
            return Ok(reply(
                StatusCode::FORBIDDEN,
                json!({"ok": false, "error_code": 403, "description": "Forbidden: bot can't initiate conversation with a user"}),
            ));
        }
    }
    if matches!(method.as_str(), "sendPhoto" | "sendDocument") {
        let key = if method == "sendPhoto" {
            "photo"
        } else {
            "document"
        };
        let gone = body
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|id| inner.lock().gone_files.contains(id));
        if gone {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                json!({"ok": false, "error_code": 400, "description": "Bad Request: wrong file identifier/HTTP URL specified"}),
            ));
        }
    }
    if method == "getUpdates" {
        return Ok(reply(
            StatusCode::OK,
            json!({"ok": true, "result": get_updates(&inner, &body).await}),
        ));
    }
    if body.get("parse_mode").and_then(Value::as_str) == Some("HTML") {
        let text = body
            .get("text")
            .or_else(|| body.get("caption"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Err(why) = html::check(text) {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                json!({"ok": false, "error_code": 400, "description": format!("Bad Request: can't parse entities: {why}")}),
            ));
        }
    }
    let result = answer(&inner, &method, &body);
    let response = match &result {
        Some(r) => json!({"ok": true, "result": r}),
        None => {
            json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"})
        }
    };
    if method != "getMe" {
        inner.lock().calls.push(ApiCall {
            method,
            body,
            result: result.unwrap_or(Value::Null),
            files,
        });
        inner.new_call.notify_waiters();
    }
    Ok(reply(StatusCode::OK, response))
}
