//! What the fake can answer instead of the real response: the faults and
//! troubles a test queues, and the HTTP responses they stand for.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// A JSON response with `status`.
pub(crate) fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

/// A fault to answer instead of the real response.
#[derive(Debug, Clone)]
pub struct Fault {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

/// How the fake misbehaves on one call, instead of answering it.
#[derive(Debug, Clone)]
pub enum Trouble {
    /// Answers with this status and JSON body.
    Answer(Fault),
    /// Closes the connection without answering.
    Drop,
    /// Holds the request this long without answering (past the client's
    /// timeout, as a dead proxy does), then closes the connection.
    Stall(Duration),
    /// Answers with a body that is not the JSON the Bot API promises (a
    /// truncated document, a proxy's HTML page).
    Raw {
        /// HTTP status.
        status: u16,
        /// The body, as is.
        body: String,
    },
}

impl Trouble {
    /// 429 with `retry_after`, as Telegram answers a flood.
    pub fn too_many_requests(retry_after: u64) -> Trouble {
        Trouble::Answer(Fault {
            status: 429,
            body: json!({"ok": false, "error_code": 429,
                         "description": format!("Too Many Requests: retry after {retry_after}"),
                         "parameters": {"retry_after": retry_after}}),
        })
    }

    /// A 5xx with Telegram's JSON error body.
    pub fn server_error(status: u16) -> Trouble {
        Trouble::Answer(Fault {
            status,
            body: json!({"ok": false, "error_code": status, "description": "Internal Server Error"}),
        })
    }

    /// Its kind, for [`FakeBotApi::troubles_served`].
    pub fn kind(&self) -> &'static str {
        match self {
            Trouble::Answer(f) if f.status == 429 => "429",
            Trouble::Answer(f) if f.status >= 500 => "5xx",
            Trouble::Answer(_) => "error",
            Trouble::Drop => "drop",
            Trouble::Stall(_) => "stall",
            Trouble::Raw { .. } => "raw",
        }
    }
}

/// The connection is closed without an answer (a dropped or stalled call).
#[derive(Debug)]
pub(crate) struct Hangup;

impl std::fmt::Display for Hangup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fake on purpose")
    }
}

impl std::error::Error for Hangup {}

/// The response (or hang-up) a trouble stands for.
pub(crate) async fn serve_trouble(t: Trouble) -> Result<Response<Full<Bytes>>, Hangup> {
    match t {
        Trouble::Answer(f) => {
            let status =
                StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(reply(status, f.body))
        }
        Trouble::Drop => Err(Hangup),
        Trouble::Stall(d) => {
            tokio::time::sleep(d).await;
            Err(Hangup)
        }
        Trouble::Raw { status, body } => {
            let mut r = Response::new(Full::new(Bytes::from(body)));
            *r.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(r)
        }
    }
}
