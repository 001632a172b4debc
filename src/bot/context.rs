//! What every handler needs: the app, who is asking, where, and in which
//! language; how a bloc and a role are resolved; how a write commits.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::sync::Arc;
use teloxide::types::{Message, User};

pub use super::fail::Fail;
pub use crate::delivery::{Out, OutFile};

use crate::clock::Clock;
use crate::domain::Bloc;
use crate::domain::Unit;
use crate::domain::{Period, Refusal};
use crate::storage::{Db, Scope, Source, StorageError, Write, blocs, updates};
use crate::text::{Lang, Texts};

/// Shared state of the running bot.
#[derive(Debug)]
pub struct App {
    /// The database.
    pub db: Db,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Time zone of new blocs.
    pub default_tz: Tz,
    /// Strings to keep out of logs (the token).
    pub secrets: crate::telemetry::Secrets,
    /// Group commit of reports.
    pub reports: super::batch::Batcher<App>,
    /// Per-chat send queues and the outbox marks.
    pub delivery: crate::delivery::Delivery,
    /// What `GET /metrics` shows.
    pub metrics: crate::metrics::Metrics,
    /// The dashboard's address, if served: `/standings` in private opens it.
    pub webapp: Option<url::Url>,
}

impl App {
    /// Removes secrets from a text bound for the logs.
    pub fn redact(&self, s: &str) -> String {
        self.secrets.redact(s)
    }

    /// If this update was applied before (a redelivery), queues the replies
    /// of it not yet accepted by Telegram and returns true: the state
    /// changes once, and a reply is sent once.
    pub async fn replay_if_processed(&self, update_id: i64) -> bool {
        let cache = self.db.cache();
        if cache.processed(update_id) == Some(false) {
            return false;
        }
        let mut reader = self.db.reader();
        let stored = match cache.know_processed(&mut reader).await {
            Ok(()) if cache.processed(update_id) == Some(false) => Ok(None),
            Ok(()) => match reader.conn().await {
                Ok(c) => match updates::applied_elsewhere(c, update_id, self.db.instance()).await {
                    // Another replica applied it: it sends the replies, or
                    // if it stopped, whoever takes its updates over does.
                    Ok(Some(by)) => {
                        tracing::info!(update_id, by, "update applied by another replica");
                        return true;
                    }
                    Ok(None) => updates::unsent(c, update_id).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match stored {
            Ok(Some((outbox, marked))) => {
                tracing::info!(
                    update_id,
                    "update delivered again; sending only its unsent replies"
                );
                self.delivery.resend(update_id, outbox, &marked);
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::error!(error = %self.redact(&e.to_string()), "checking processed updates");
                false
            }
        }
    }
}

/// The sender of a message.
#[derive(Debug, Clone)]
pub struct Sender {
    /// Telegram user id.
    pub id: i64,
    /// Display name.
    pub name: String,
}

/// One request: who, where, when, in which language.
#[derive(Debug, Clone)]
pub struct Req {
    /// The update being handled.
    pub update_id: i64,
    /// Chat of the message.
    pub chat_id: i64,
    /// The forum topic the message came from, where replies go.
    pub thread: Option<i32>,
    /// Private chat with the bot.
    pub private: bool,
    /// Group or supergroup.
    pub group: bool,
    /// The human sender; `None` when sent on behalf of a chat.
    pub sender: Option<Sender>,
    /// Reply language.
    pub lang: Lang,
    /// Now.
    pub now: DateTime<Utc>,
}

/// The forum topic of a message, if it was sent in one.
pub fn topic_of(msg: &Message) -> Option<i32> {
    if msg.is_topic_message {
        msg.thread_id.map(|t| t.0.0)
    } else {
        None
    }
}

/// Telegram's placeholder users for messages sent on behalf of a chat.
const ANONYMOUS_ADMIN: u64 = 1_087_968_824;
const CHANNEL_BOT: u64 = 777_000;

fn human(user: Option<&User>) -> Option<Sender> {
    let u = user?;
    if u.is_bot || u.id.0 == ANONYMOUS_ADMIN || u.id.0 == CHANNEL_BOT {
        return None;
    }
    i64::try_from(u.id.0).ok().map(|id| Sender {
        id,
        name: u.full_name(),
    })
}

impl Req {
    /// Builds the request of a message.
    pub async fn from_message(app: &App, update_id: i64, msg: &Message) -> Req {
        let sender = if msg.sender_chat.is_some() {
            None
        } else {
            human(msg.from.as_ref())
        };
        let mut req = Req::new(
            app,
            update_id,
            msg.chat.id.0,
            msg.chat.is_private(),
            msg.chat.is_group() || msg.chat.is_supergroup(),
            sender,
            msg.from.as_ref(),
        )
        .await;
        req.thread = topic_of(msg);
        req
    }

    /// Sends replies to this chat into the topic the request came from.
    pub fn in_thread(&self, outs: &mut [Out]) {
        if self.thread.is_some() {
            for o in outs.iter_mut() {
                if o.chat_id == self.chat_id && o.thread.is_none() {
                    o.thread = self.thread;
                }
            }
        }
    }

    /// Builds a request.
    pub async fn new(
        app: &App,
        update_id: i64,
        chat_id: i64,
        private: bool,
        group: bool,
        sender: Option<Sender>,
        user: Option<&User>,
    ) -> Req {
        let stored = match &sender {
            Some(s) => app
                .db
                .cache()
                .user(&mut app.db.reader(), s.id)
                .await
                .ok()
                .and_then(|(l, _)| l),
            None => None,
        };
        let lang = Lang::pick(
            stored.as_deref(),
            user.and_then(|u| u.language_code.as_deref()),
        );
        Req {
            update_id,
            chat_id,
            thread: None,
            private,
            group,
            sender,
            lang,
            now: app.clock.now(),
        }
    }

    /// The texts of the user's language.
    pub fn t(&self) -> &'static dyn Texts {
        self.lang.texts()
    }

    /// The sender, refusing messages sent on behalf of a chat: every write needs one.
    pub fn writer(&self) -> Result<&Sender, Refusal> {
        self.sender.as_ref().ok_or(Refusal::Anonymous)
    }

    /// Refuses outside private chats.
    pub fn private_only(&self) -> Result<(), Refusal> {
        if self.private {
            Ok(())
        } else {
            Err(Refusal::PrivateOnly)
        }
    }

    /// Refuses outside groups.
    pub fn group_only(&self) -> Result<(), Refusal> {
        if self.group {
            Ok(())
        } else {
            Err(Refusal::GroupOnly)
        }
    }
}

/// The bloc a request is about: the group's own bloc, or in private the
/// user's single bloc or the one picked with `/bloc`.
pub async fn bloc_of(app: &App, conn: &mut impl Source, req: &Req) -> Result<Bloc, Fail> {
    let cache = app.db.cache();
    if !req.private {
        return Ok(cache
            .bloc_by_chat(conn, req.chat_id)
            .await?
            .ok_or(Refusal::NotABloc)?);
    }
    let sender = req.writer()?;
    let mine = cache.blocs_of(conn, sender.id).await?;
    match mine.len() {
        0 => Err(Refusal::NoBloc.into()),
        1 => Ok(mine.into_iter().next().ok_or(Refusal::NoBloc)?),
        _ => {
            let (_, current) = cache.user(conn, sender.id).await?;
            mine.into_iter()
                .find(|b| Some(b.id) == current)
                .ok_or(Fail::Refused(Refusal::ChooseBloc))
        }
    }
}

/// A bloc for reading: in the bloc group anyone may read; in private only members.
pub async fn readable_bloc(app: &App, conn: &mut impl Source, req: &Req) -> Result<Bloc, Fail> {
    if !req.private && !req.group {
        return Err(Refusal::GroupOnly.into());
    }
    bloc_of(app, conn, req).await
}

/// A bloc the sender administers.
pub async fn admin_bloc(
    app: &App,
    conn: &mut impl Source,
    req: &Req,
) -> Result<(Bloc, Sender), Fail> {
    let sender = req.writer()?.clone();
    let bloc = bloc_of(app, conn, req).await?;
    if !app.db.cache().is_admin(conn, bloc.id, sender.id).await? {
        return Err(Refusal::NotBlocAdmin.into());
    }
    Ok((bloc, sender))
}

/// The unit the sender heads, in a private chat.
pub async fn head_unit(
    app: &App,
    conn: &mut impl Source,
    req: &Req,
) -> Result<(Bloc, Unit, Sender), Fail> {
    req.private_only()?;
    let sender = req.writer()?.clone();
    let bloc = bloc_of(app, conn, req).await?;
    let unit = app
        .db
        .cache()
        .headed_by(conn, bloc.id, sender.id)
        .await?
        .ok_or(Refusal::NotUnitHead)?;
    Ok((bloc, unit, sender))
}

/// The open period now: `mid` until the bloc's mid-year deadline has passed.
pub async fn open_period(
    app: &App,
    conn: &mut impl Source,
    bloc: &Bloc,
    now: DateTime<Utc>,
) -> Result<Period, Fail> {
    let s = app
        .db
        .cache()
        .schedule(conn, bloc.id, bloc.year_at(now), bloc.tz)
        .await?;
    Ok(s.open_period(bloc.today(now)))
}

/// The period named, or the open one.
pub async fn period_or_open(
    app: &App,
    conn: &mut impl Source,
    bloc: &Bloc,
    req: &Req,
    named: Option<Period>,
) -> Result<Period, Fail> {
    match named {
        Some(p) => Ok(p),
        None => open_period(app, conn, bloc, req.now).await,
    }
}

/// The language a user chose (Vietnamese by default), for a message sent
/// to them rather than as a reply.
pub async fn lang_of(conn: &mut crate::storage::Conn, user: i64) -> Result<Lang, Fail> {
    let (stored, _) = crate::storage::users::get(conn, user).await?;
    Ok(Lang::pick(stored.as_deref(), None))
}

/// Records the update as applied, with its replies, and commits. Replies are
/// sent only after this returns.
pub async fn commit(mut tx: Write, req: &Req, mut outs: Vec<Out>) -> Result<Vec<Out>, Fail> {
    let outbox = outbox(req, &mut outs)?;
    updates::record(&mut tx, req.update_id, &outbox, req.now).await?;
    tx.applies(req.update_id);
    tx.commit().await?;
    Ok(outs)
}

/// The outbox of an update as stored (JSON); each reply learns its place
/// in it, by which it is marked once sent.
pub fn outbox(req: &Req, outs: &mut [Out]) -> Result<String, StorageError> {
    req.in_thread(outs);
    for (seq, o) in (0u32..).zip(outs.iter_mut()) {
        o.stored = Some(seq);
    }
    updates::encode(outs)
}

/// Moves a bloc from a group to the supergroup it became.
pub async fn migrate(app: &App, old: i64, new: i64) {
    let moved = async {
        let mut tx = app.db.write().await?;
        let moved = blocs::move_chat(&mut tx, old, new).await?;
        tx.commit().await?;
        Ok::<bool, StorageError>(moved)
    };
    match moved.await {
        Ok(true) => tracing::info!(old, new, "group became a supergroup; bloc moved"),
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = %app.redact(&e.to_string()), "moving a bloc to its supergroup")
        }
    }
}

/// A chat wrote to the bot, or took it back: it can be reached again.
pub async fn reachable_again(app: &App, chat: i64) {
    let result = async {
        // Almost always nothing to clear: ask the cache first so that every
        // private message does not take SQLite's write lock.
        if app
            .db
            .cache()
            .unreachable(&mut app.db.reader(), chat)
            .await?
        {
            let mut tx = app.db.write_scoped(Scope::Unreachable).await?;
            crate::storage::reminders::reachable_again(&mut tx, chat).await?;
            tx.commit().await?;
        }
        Ok::<(), StorageError>(())
    };
    if let Err(e) = result.await {
        tracing::warn!(error = %app.redact(&e.to_string()), "clearing an unreachable mark");
    }
}

/// Logs dispatcher errors; the log writer redacts the token anyway.
pub async fn log_error(error: anyhow::Error) {
    tracing::error!(error = %error, "handler failed");
}
