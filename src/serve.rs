//! The HTTP server of `thidua run` (`THIDUA_LISTEN`): `GET /healthz`,
//! `GET /metrics` and, in webhook mode, the webhook's path.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::bot::App;
use crate::dashboard::Dashboard;
use crate::metrics::CONTENT_TYPE;
use crate::webhook::{Answer, Inlet, SECRET_HEADER};

/// The webhook's path on this server and where its requests go.
#[derive(Debug, Clone)]
pub struct Hook {
    /// The path of `THIDUA_WEBHOOK_URL`.
    pub path: String,
    /// Hands requests to the dispatcher.
    pub inlet: Inlet,
}

#[derive(Clone)]
struct Served {
    app: Arc<App>,
    inlet: Option<Inlet>,
}

/// A running HTTP server.
#[derive(Debug)]
pub struct Http {
    /// Where it listens (the port chosen, if `THIDUA_LISTEN` asked for 0).
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// How long open requests may take once the server is asked to stop.
const GRACE: Duration = Duration::from_secs(10);

/// Listens on `listen` and serves in the background, with the webhook and
/// the dashboard when given.
pub async fn start(
    listen: SocketAddr,
    app: Arc<App>,
    hook: Option<Hook>,
    dashboard: Option<Dashboard>,
) -> std::io::Result<Http> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics));
    if let Some(h) = &hook {
        router = router.route(&h.path, post(webhook));
    }
    let inlet = hook.map(|h| h.inlet);
    let mut router = router.with_state(Served { app, inlet });
    if let Some(d) = dashboard {
        router = router.merge(d.router());
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serving.await {
            tracing::error!(error = %e, "the HTTP server stopped");
        }
    });
    // In the message, not a field: scripts read the port from it.
    tracing::info!("HTTP server listening on {addr}");
    Ok(Http { addr, stop, task })
}

impl Http {
    /// Stops accepting connections and lets open requests finish (bounded).
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        if tokio::time::timeout(GRACE, &mut task).await.is_err() {
            task.abort();
        }
    }
}

/// 200 when the database answers and its migrations are current, else 503;
/// one line per check either way.
async fn healthz(State(s): State<Served>) -> impl IntoResponse {
    let lines = crate::ops::health(&s.app.db).await;
    let status = if lines.iter().all(crate::ops::CheckLine::passed) {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
}

async fn metrics(State(s): State<Served>) -> impl IntoResponse {
    let pool = s.app.db.pool();
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
    let busy = pool.size().saturating_sub(idle);
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        s.app.metrics.render(busy, idle),
    )
}

async fn webhook(State(s): State<Served>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(inlet) = &s.inlet else {
        return StatusCode::NOT_FOUND;
    };
    let secret = headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    match inlet.deliver(secret, &body).await {
        Answer::Handled => StatusCode::OK,
        Answer::Refused => StatusCode::UNAUTHORIZED,
        Answer::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}
