//! The dashboard, a Telegram Mini App (`THIDUA_WEBAPP_URL`): the page at
//! `/app` (its script and styles embedded in the binary, nothing loaded
//! from another site) and its JSON API under `/app/api/v1/`. Every API
//! request carries Telegram's `initData` (`Authorization: tma <initData>`),
//! checked with the bot token; a user sees only the blocs they administer
//! or head a unit of.

mod view;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

use crate::bot::App;
use crate::domain::Bloc;
use crate::initdata::{self, InitDataError, WebAppUser};
use crate::text::Lang;
pub use view::VERSION;
use view::{ErrorBody, ErrorDetail};

const INDEX: &str = include_str!("web/index.html");
const SCRIPT: &str = include_str!("web/app.js");
const STYLE: &str = include_str!("web/app.css");

/// What the page is made of, for the size budget: the bytes a first load
/// transfers (page, script, styles) before any data.
pub fn first_load_bytes() -> usize {
    INDEX.len() + SCRIPT.len() + STYLE.len()
}

/// The dashboard's state: the bot and the token that signs `initData`.
#[derive(Clone)]
pub struct Dashboard {
    app: Arc<App>,
    token: Arc<str>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Dashboard").finish_non_exhaustive()
    }
}

impl Dashboard {
    /// The dashboard of `app`, checking `initData` against `token`.
    pub fn new(app: Arc<App>, token: &str) -> Dashboard {
        Dashboard {
            app,
            token: token.into(),
        }
    }

    /// The routes under `/app`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/app", get(index))
            .route("/app/", get(index))
            .route("/app/app.js", get(script))
            .route("/app/app.css", get(style))
            .route("/app/api/v1/me", get(me))
            .route("/app/api/v1/blocs/{bloc}", get(standings))
            .route("/app/api/v1/blocs/{bloc}/units/{unit}", get(unit))
            .with_state(self)
    }
}

/// Pages and files: cacheable for a short while; the page refuses to be framed
/// elsewhere than in Telegram and to load anything from another site.
fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors https://web.telegram.org https://*.telegram.org",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8")
}

async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

/// A JSON answer, never cached (it is one user's).
fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn error(status: StatusCode, code: &'static str, message: &'static str) -> Response {
    json(
        status,
        &ErrorBody {
            version: VERSION,
            error: ErrorDetail { code, message },
        },
    )
}

fn refused(e: InitDataError) -> Response {
    match e {
        InitDataError::Stale => error(
            StatusCode::UNAUTHORIZED,
            "stale",
            "Phiên đã quá 24 giờ: hãy mở lại bảng từ Telegram. / The session is over 24 hours old: open the dashboard again from Telegram.",
        ),
        InitDataError::Missing | InitDataError::BadHash | InitDataError::NoUser => error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Không xác thực được dữ liệu Telegram: hãy mở bảng từ nút trong Telegram. / Telegram's data could not be verified: open the dashboard from its button in Telegram.",
        ),
    }
}

fn internal(e: &dyn std::fmt::Display, app: &App) -> Response {
    tracing::error!(error = %app.redact(&e.to_string()), "dashboard request failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Lỗi máy chủ; không có gì bị thay đổi. Hãy thử lại. / Server error; nothing was changed. Please try again.",
    )
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không có khối hay đơn vị này. / No such bloc or unit.",
    )
}

/// The signed user of a request, and their language.
async fn user(d: &Dashboard, headers: &HeaderMap) -> Result<(WebAppUser, Lang), Response> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("tma "))
        .unwrap_or_default();
    let user = initdata::validate(raw, &d.token, d.app.clock.now()).map_err(refused)?;
    let mut conn = d.app.db.reader();
    let (stored, _) = d
        .app
        .db
        .cache()
        .user(&mut conn, user.id)
        .await
        .map_err(|e| internal(&e, &d.app))?;
    let lang = Lang::pick(stored.as_deref(), user.language_code.as_deref());
    Ok((user, lang))
}

/// The user's blocs.
async fn blocs_of(d: &Dashboard, user: &WebAppUser) -> Result<Vec<Bloc>, Response> {
    let mut conn = d.app.db.reader();
    d.app
        .db
        .cache()
        .blocs_of(&mut conn, user.id)
        .await
        .map_err(|e| internal(&e, &d.app))
}

/// The bloc `id` if the user is a member of it: 403 otherwise, whether it
/// exists or not, so that bloc ids cannot be probed.
async fn member_bloc(d: &Dashboard, user: &WebAppUser, id: i64) -> Result<Bloc, Response> {
    blocs_of(d, user)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| {
            error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Bạn không là thành viên của khối này. / You are not a member of this bloc.",
            )
        })
}

/// A handler's answer: the JSON, or the error the page shows.
type Answer = Result<Response, Response>;

async fn me(State(d): State<Dashboard>, headers: HeaderMap) -> Answer {
    let (user, lang) = user(&d, &headers).await?;
    let blocs = blocs_of(&d, &user).await?;
    Ok(json(
        StatusCode::OK,
        &view::me(lang, &blocs, d.app.clock.now()),
    ))
}

async fn standings(
    State(d): State<Dashboard>,
    Path(bloc): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let (user, lang) = user(&d, &headers).await?;
    let id = bloc.parse::<i64>().map_err(|_| not_found())?;
    let bloc = member_bloc(&d, &user, id).await?;
    let v = view::standings(&d.app, lang, &bloc, d.app.clock.now())
        .await
        .map_err(|e| internal(&e, &d.app))?;
    Ok(json(StatusCode::OK, &v))
}

async fn unit(
    State(d): State<Dashboard>,
    Path((bloc, unit)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let (user, lang) = user(&d, &headers).await?;
    let (Ok(id), Ok(unit)) = (bloc.parse::<i64>(), unit.parse::<i64>()) else {
        return Err(not_found());
    };
    let bloc = member_bloc(&d, &user, id).await?;
    let v = view::unit(&d.app, lang, &bloc, unit, d.app.clock.now())
        .await
        .map_err(|e| internal(&e, &d.app))?
        .ok_or_else(not_found)?;
    Ok(json(StatusCode::OK, &v))
}
