//! The server's lifecycle: bind a random port, serve every connection with
//! [`handle`], stop when the handle is dropped.

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::handle::handle;
use crate::state::Inner;

/// A running fake Bot API. Stops when dropped.
///
/// Its methods, by concern: the update queue ([`push`](Self::push),
/// [`redeliver`](Self::redeliver), ...), recorded calls ([`calls`](Self::calls),
/// [`wait_for`](Self::wait_for), ...), faults ([`trouble`](Self::trouble),
/// [`trouble_chat`](Self::trouble_chat), [`enforce_send_limit`](Self::enforce_send_limit),
/// ...) and method answers ([`set_member_status`](Self::set_member_status)).
#[derive(Debug)]
pub struct FakeBotApi {
    url: String,
    pub(crate) inner: Arc<Inner>,
    task: JoinHandle<()>,
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeBotApi {
    /// Starts the fake on a random port of 127.0.0.1 (needs a Tokio runtime).
    pub async fn start() -> std::io::Result<FakeBotApi> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/", listener.local_addr()?);
        let inner = Arc::new(Inner::default());
        {
            let mut s = inner.lock();
            s.next_update_id = 1000;
            s.next_message_id = 5000;
        }
        let serving = inner.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let inner = serving.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(inner.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(FakeBotApi { url, inner, task })
    }

    /// The base URL to give the bot (`TELOXIDE_API_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }
}
