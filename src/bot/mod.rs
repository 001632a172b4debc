//! teloxide: the commands, the dptree schema and one handler module per area.
//! Handlers translate chat <-> domain; they never compute scores or dates.

mod batch;
mod blocs;
mod callback;
mod context;
mod corrections;
mod evidence;
mod fail;
mod files;
mod flow;
mod history;
mod pledge;
mod prefs;
mod report;
mod review;
mod schedule;
mod send;
mod targets;
mod titles;
mod turns;
mod verdict;

use turns::Turns;

pub use context::{App, Out};

use std::sync::Arc;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Me, Update, UpdateId, UpdateKind};
use teloxide::utils::command::{BotCommands, ParseError};

use crate::domain::args::{ScheduleCmd, TargetCmd};
use crate::domain::verdict::BallotCmd;
use crate::domain::{CommandKind, Refusal};
use crate::inflight::Unhandled;
use callback::Callback;
use context::{Fail, Req};
use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, SetMyCommandsSetters,
};
use teloxide::types::ParseMode;

/// The bot type handlers receive.
pub type Tg = Bot;

/// Every command of the contract. Help text lives in `text/`, per language.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start [invite]`
    Start(String),
    /// `/help`
    Help,
    /// `/newbloc <name>`
    NewBloc(String),
    /// `/addadmin` (as a reply)
    AddAdmin,
    /// `/addunit <CODE> <name>`
    AddUnit(String),
    /// `/units`
    Units,
    /// `/invite <CODE>`
    Invite(String),
    /// `/join <invite>`
    Join(String),
    /// `/target add|set|remove|list ...`
    Target(String),
    /// `/targets`
    Targets,
    /// `/pledge [sign]`
    Pledge(String),
    /// `/pledges`
    Pledges,
    /// `/report [mid|final] <TARGET> <value> [note]`
    Report(String),
    /// `/status`
    Status,
    /// `/standings [mid|final] [year]`
    Standings(String),
    /// `/bloc [name or id]`
    Bloc(String),
    /// `/lang <vi|en>`
    Lang(String),
    /// `/schedule [set|remind|time|tz ...]`
    Schedule(String),
    /// `/titles`
    Titles,
    /// `/register <TITLE>...`
    Register(String),
    /// `/chart [mid|final]`
    Chart(String),
    /// `/export [year]`
    Export(String),
    /// `/history [UNIT]`
    History(String),
    /// `/cancel`
    Cancel,
    /// `/submit [mid|final]`
    Submit(String),
    /// `/review [UNIT] [mid|final]`
    Review(String),
    /// `/approve <UNIT> [mid|final]`
    Approve(String),
    /// `/return <UNIT> [mid|final] <reason>`
    Return(String),
    /// `/exempt [remove] <UNIT> <TARGET> [mid|final] [reason]`
    Exempt(String),
    /// `/points <UNIT> [±N] [mid|final] [reason]`
    Points(String),
    /// `/correct <TARGET> [mid|final] <value> <reason>`
    Correct(String),
    /// `/corrections`
    Corrections,
    /// `/accept <N>`
    Accept(String),
    /// `/reject <N> <reason>`
    Reject(String),
    /// `/evidence [UNIT] <TARGET> [mid|final]`
    Evidence(String),
    /// `/ballot [open <K> <hours> <question> | close]`
    Ballot(String),
    /// `/propose [remove] <UNIT> <TITLE> [reason]`
    Propose(String),
    /// `/proposals [year]`
    Proposals(String),
    /// `/minutes [year]`
    Minutes(String),
}

/// What a message's text asks of the bot.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// A command of ours.
    Command(Command),
    /// A command this bot does not know.
    Unknown,
    /// Not for us: plain text, or a command for another bot.
    Ignore,
}

/// Parses a message text. `/cmd@thisbot` and `/cmd` both work; any white
/// space may separate the command from its arguments.
pub fn parse(text: &str, bot_username: &str) -> Parsed {
    if !text.starts_with('/') {
        return Parsed::Ignore;
    }
    let (head, rest) = match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    };
    let normalized = if rest.is_empty() {
        head.to_owned()
    } else {
        format!("{head} {rest}")
    };
    match Command::parse(&normalized, bot_username) {
        Ok(c) => Parsed::Command(c),
        Err(ParseError::WrongBotName(_)) => Parsed::Ignore,
        Err(_) => Parsed::Unknown,
    }
}

/// The update kinds [`schema`] handles: what `setWebhook` names (long
/// polling takes them from the dispatcher; a test checks they agree).
pub const ALLOWED_UPDATES: [AllowedUpdate; 3] = [
    AllowedUpdate::Message,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::MyChatMember,
];

/// The whole handler tree.
pub fn schema() -> teloxide::dispatching::UpdateHandler<anyhow::Error> {
    dptree::entry()
        .branch(
            // As `Update::filter_message`, which the allowed updates are
            // taken from, but the message comes with its update's id and
            // is shared, not copied, on its way to the handler.
            dptree::filter_map_with_description(
                <Update as UpdateFilterExt<()>>::filter_message()
                    .description()
                    .clone(),
                |upd: Update| match upd.kind {
                    UpdateKind::Message(msg) => Some(Arc::new(Incoming { id: upd.id, msg })),
                    _ => None,
                },
            )
            .endpoint(on_message),
        )
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_my_chat_member().endpoint(on_member))
}

/// The bot's own membership changed: put back in a group (or unblocked in
/// private), it can be reached again and gets its summaries.
async fn on_member(
    app: Arc<App>,
    upd: Update,
    change: teloxide::types::ChatMemberUpdated,
    unhandled: Unhandled,
) -> anyhow::Result<()> {
    let _handling = unhandled.handling(upd.id);
    let started = std::time::Instant::now();
    if change.new_chat_member.is_present() {
        context::reachable_again(&app, change.chat.id.0).await;
    }
    app.metrics.update("my_chat_member", started.elapsed());
    Ok(())
}

/// A message and the id of the update that brought it. Both are about
/// 2 kB, and teloxide hands its handlers a copy of each value they ask for.
#[derive(Debug)]
struct Incoming {
    id: UpdateId,
    msg: Message,
}

/// Builds the dispatcher for `bot` over `app`. Each handler holds a
/// [`crate::inflight::Handling`] from `unhandled` while it runs: the poller
/// confirms a batch to Telegram only once all are dropped. All updates go
/// to teloxide's default worker, where one chat's updates wait for their
/// turn ([`Turns`]); each is then handled in a task of its own.
pub fn dispatcher(
    bot: Tg,
    app: Arc<App>,
    unhandled: Unhandled,
) -> Dispatcher<Tg, anyhow::Error, i64> {
    Dispatcher::builder(bot, schema())
        .distribution_function(|_| None)
        .dependencies(dptree::deps![app, unhandled, Turns::default()])
        .default_handler(|_| async {})
        .error_handler(Arc::new(context::log_error))
        .build()
}

async fn on_message(
    bot: Tg,
    incoming: Arc<Incoming>,
    me: Me,
    app: Arc<App>,
    unhandled: Unhandled,
    turns: Turns,
) -> anyhow::Result<()> {
    let handling = unhandled.handling(incoming.id);
    // Before any other await: see `Turns::take`.
    let turn = turns.take(incoming.msg.chat.id.0).await;
    let update_id = i64::from(incoming.id.0);
    spawn(
        (app.metrics.clone(), "message"),
        handling,
        Some(turn),
        async move {
            handle_message(&bot, &app, &me, update_id, &incoming.msg).await;
        },
    );
    Ok(())
}

/// Runs an update's handling as a task of its own, holding its turn and
/// its [`crate::inflight::Handling`] until done (or panicked). Its replies
/// are then queued, not sent: the poller and the chat's next update go on.
///
/// teloxide runs every handler of its default worker inside one task
/// (`for_each_concurrent`), so only one thread at a time could run them;
/// as tasks, they run on every worker thread. The turn is taken before:
/// tasks do not start in the order they are spawned.
fn spawn(
    (metrics, kind): (crate::metrics::Metrics, &'static str),
    handling: crate::inflight::Handling,
    turn: Option<turns::Turn>,
    work: impl Future<Output = ()> + Send + 'static,
) {
    tokio::spawn(async move {
        let _held = (handling, turn);
        let started = std::time::Instant::now();
        work.await;
        metrics.update(kind, started.elapsed());
    });
}

async fn handle_message(bot: &Tg, app: &App, me: &Me, update_id: i64, msg: &Message) {
    // A group upgraded to a supergroup: the bloc follows it to the new id.
    if let Some(new) = msg.migrate_to_chat_id().or(msg.migrate_from_chat_id()) {
        let (old, new) = match msg.migrate_to_chat_id() {
            Some(to) => (msg.chat.id.0, to.0),
            None => (new.0, msg.chat.id.0),
        };
        context::migrate(app, old, new).await;
        return;
    }
    // Any update from a chat marked unreachable shows it is back.
    context::reachable_again(app, msg.chat.id.0).await;
    // A photo or document brings its command in its caption: only
    // `/evidence` is read there.
    let Some(text) = msg.text().or_else(|| {
        msg.caption().filter(|c| {
            matches!(
                parse(c, me.username()),
                Parsed::Command(Command::Evidence(_))
            )
        })
    }) else {
        return;
    };
    let cmd = match parse(text, me.username()) {
        Parsed::Command(c) => c,
        Parsed::Ignore
            if !text.starts_with('/') && (msg.chat.is_private() || msg.from.is_some()) =>
        {
            // Plain text may be the reason a pressed Return waits for, or in
            // private the value a guided report waits for.
            if app.replay_if_processed(update_id).await {
                return;
            }
            let req = Req::from_message(app, update_id, msg).await;
            if answered_reason(app, &req, text).await {
                return;
            }
            if !msg.chat.is_private() {
                return;
            }
            match flow::value(app, &req, text).await {
                Ok(None) => {}
                Ok(Some(outs)) => send::outcome(app, &req, CommandKind::Report, Ok(outs)),
                Err(e) => send::outcome(app, &req, CommandKind::Report, Err(e)),
            }
            return;
        }
        Parsed::Ignore => return,
        Parsed::Unknown => {
            if msg.chat.is_private() {
                let req = Req::from_message(app, update_id, msg).await;
                send::out(
                    app,
                    update_id,
                    Out::to(msg.chat.id.0, req.t().unknown_command()),
                );
            }
            return;
        }
    };
    if app.replay_if_processed(update_id).await {
        return;
    }
    let req = Req::from_message(app, update_id, msg).await;
    let kind = command_kind(&cmd);
    let result = run(bot, app, me, &req, msg, cmd).await;
    send::outcome(app, &req, kind, result);
}

/// Plain text as the reason a pressed Return (or Reject) waits for from
/// its sender in this chat; true if it was one, and was answered.
async fn answered_reason(app: &App, req: &Req, text: &str) -> bool {
    let (kind, done) = match review::reason(app, req, text).await {
        Ok(None) => (
            CommandKind::Reject,
            corrections::reason(app, req, text).await,
        ),
        done => (CommandKind::Return, done),
    };
    match done {
        Ok(None) => false,
        done => {
            send::outcome(app, req, kind, done.map(Option::unwrap_or_default));
            true
        }
    }
}

fn command_kind(cmd: &Command) -> CommandKind {
    match cmd {
        Command::Start(_) => CommandKind::Start,
        Command::Help => CommandKind::Help,
        Command::NewBloc(_) => CommandKind::NewBloc,
        Command::AddAdmin => CommandKind::AddAdmin,
        Command::AddUnit(_) => CommandKind::AddUnit,
        Command::Units => CommandKind::Units,
        Command::Invite(_) => CommandKind::Invite,
        Command::Join(_) => CommandKind::Join,
        Command::Target(a) => TargetCmd::parse(a).kind(),
        Command::Targets => CommandKind::TargetList,
        Command::Pledge(a) if a.trim().eq_ignore_ascii_case("sign") => CommandKind::PledgeSign,
        Command::Pledge(_) => CommandKind::Pledge,
        Command::Pledges => CommandKind::Pledges,
        Command::Report(_) => CommandKind::Report,
        Command::Status => CommandKind::Status,
        Command::Standings(_) => CommandKind::Standings,
        Command::Bloc(_) => CommandKind::Bloc,
        Command::Lang(_) => CommandKind::Lang,
        Command::Schedule(a) => ScheduleCmd::parse(a).kind(),
        Command::Titles => CommandKind::Titles,
        Command::Register(_) => CommandKind::Register,
        Command::Chart(_) => CommandKind::Chart,
        Command::Export(_) => CommandKind::Export,
        Command::History(_) => CommandKind::History,
        Command::Cancel => CommandKind::Cancel,
        Command::Submit(_) => CommandKind::Submit,
        Command::Review(_) => CommandKind::Review,
        Command::Approve(_) => CommandKind::Approve,
        Command::Return(_) => CommandKind::Return,
        Command::Exempt(_) => CommandKind::Exempt,
        Command::Points(_) => CommandKind::Points,
        Command::Correct(_) => CommandKind::Correct,
        Command::Corrections => CommandKind::Corrections,
        Command::Accept(_) => CommandKind::Accept,
        Command::Reject(_) => CommandKind::Reject,
        Command::Evidence(_) => CommandKind::Evidence,
        Command::Ballot(a) => BallotCmd::kind(a),
        Command::Propose(_) => CommandKind::Propose,
        Command::Proposals(_) => CommandKind::Proposals,
        Command::Minutes(_) => CommandKind::Minutes,
    }
}

async fn run(
    bot: &Tg,
    app: &App,
    me: &Me,
    req: &Req,
    msg: &Message,
    cmd: Command,
) -> Result<Vec<Out>, Fail> {
    let kind = command_kind(&cmd);
    match cmd {
        Command::Start(a) if a.trim().is_empty() => blocs::start(req),
        Command::Start(a) => blocs::join(app, req, a.trim()).await,
        Command::Help => blocs::help(bot, app, req).await,
        Command::NewBloc(a) => blocs::new_bloc(bot, app, req, &a).await,
        Command::AddAdmin => blocs::add_admin(app, req, msg).await,
        Command::AddUnit(a) => blocs::add_unit(app, req, &a).await,
        Command::Units => blocs::units(app, req).await,
        Command::Invite(a) => blocs::invite(bot, app, req, me, &a).await,
        Command::Join(a) => blocs::join(app, req, a.trim()).await,
        Command::Target(a) => match TargetCmd::parse(&a) {
            TargetCmd::Add(rest) => targets::target_add(app, req, rest).await,
            TargetCmd::Set(rest) => targets::target_set(app, req, rest).await,
            TargetCmd::Remove(rest) => targets::target_remove(app, req, rest).await,
            TargetCmd::Restore(rest) => targets::target_restore(app, req, rest).await,
            TargetCmd::List => targets::targets(app, req).await,
            TargetCmd::Confirm => targets::target_confirm(app, req).await,
            TargetCmd::ConfirmWithArgs | TargetCmd::Unknown => {
                Err(Fail::Refused(Refusal::BadUsage))
            }
        },
        Command::Targets => targets::targets(app, req).await,
        Command::Pledge(_) if kind == CommandKind::PledgeSign => {
            pledge::sign_command(app, req).await
        }
        Command::Pledge(a) if a.trim().is_empty() => pledge::show(app, req).await,
        Command::Pledge(_) => Err(Fail::Refused(Refusal::BadUsage)),
        Command::Pledges => pledge::pledges(app, req).await,
        // `/report` alone asks for each value in turn.
        Command::Report(a) if a.trim().is_empty() => flow::start(app, req).await,
        Command::Report(a) => report::report(app, req, &a).await,
        Command::Status => report::status(app, req).await,
        Command::Standings(a) => report::standings(app, req, &a).await,
        Command::Bloc(a) => prefs::bloc(app, req, a.trim()).await,
        Command::Lang(a) => prefs::lang(app, req, a.trim()).await,
        Command::Schedule(a) => schedule::schedule(app, req, ScheduleCmd::parse(&a)).await,
        Command::Titles => titles::titles(req),
        Command::Register(a) => titles::register(app, req, &a).await,
        Command::Chart(a) => files::chart(app, req, &a).await,
        Command::Export(a) => files::export(app, req, &a).await,
        Command::History(a) => history::history(app, req, &a).await,
        Command::Cancel => match review::cancel(app, req).await? {
            Some(outs) => Ok(outs),
            None => match corrections::cancel(app, req).await? {
                Some(outs) => Ok(outs),
                None => flow::cancel(app, req).await,
            },
        },
        Command::Submit(a) => review::submit(app, req, &a).await,
        Command::Review(a) => review::review(app, req, &a).await,
        Command::Approve(a) => review::approve(app, req, &a).await,
        Command::Return(a) => review::send_back(app, req, &a).await,
        Command::Exempt(a) => review::exempt(app, req, &a).await,
        Command::Points(a) => review::points(app, req, &a).await,
        Command::Correct(a) => corrections::correct(app, req, &a).await,
        Command::Corrections => corrections::list(app, req).await,
        Command::Accept(a) => corrections::accept(app, req, &a).await,
        Command::Reject(a) => corrections::reject(app, req, &a).await,
        Command::Evidence(a) => evidence::evidence(bot, app, req, msg, &a).await,
        Command::Ballot(a) => verdict::ballot(app, req, &a).await,
        Command::Propose(a) => verdict::propose(app, req, &a).await,
        Command::Proposals(a) => verdict::proposals(app, req, &a).await,
        Command::Minutes(a) => files::minutes(app, req, &a).await,
    }
}

/// The commands Telegram's menu offers, per chat type.
fn menu(private: bool) -> &'static [(&'static str, CommandKind)] {
    use CommandKind as K;
    if private {
        &[
            ("report", K::Report),
            ("status", K::Status),
            ("pledge", K::Pledge),
            ("standings", K::Standings),
            ("chart", K::Chart),
            ("register", K::Register),
            ("titles", K::Titles),
            ("units", K::Units),
            ("targets", K::TargetList),
            ("pledges", K::Pledges),
            ("schedule", K::Schedule),
            ("history", K::History),
            ("export", K::Export),
            ("invite", K::Invite),
            ("addunit", K::AddUnit),
            ("join", K::Join),
            ("bloc", K::Bloc),
            ("lang", K::Lang),
            ("submit", K::Submit),
            ("evidence", K::Evidence),
            ("correct", K::Correct),
            ("review", K::Review),
            ("corrections", K::Corrections),
            ("ballot", K::Ballot),
            ("proposals", K::Proposals),
            ("propose", K::Propose),
            ("minutes", K::Minutes),
            ("cancel", K::Cancel),
            ("help", K::Help),
            ("start", K::Start),
        ]
    } else {
        &[
            ("standings", K::Standings),
            ("chart", K::Chart),
            ("pledges", K::Pledges),
            ("units", K::Units),
            ("targets", K::TargetList),
            ("schedule", K::Schedule),
            ("titles", K::Titles),
            ("newbloc", K::NewBloc),
            ("addadmin", K::AddAdmin),
            ("addunit", K::AddUnit),
            ("history", K::History),
            ("export", K::Export),
            ("review", K::Review),
            ("corrections", K::Corrections),
            ("ballot", K::Ballot),
            ("proposals", K::Proposals),
            ("propose", K::Propose),
            ("minutes", K::Minutes),
            ("lang", K::Lang),
            ("help", K::Help),
        ]
    }
}

/// Registers the command menu: Vietnamese by default, English for users whose
/// Telegram is in English; one list for private chats, one for groups.
pub async fn register_commands(bot: &Tg, app: &App) {
    use teloxide::types::{BotCommand, BotCommandScope};
    for (code, lang) in [
        (None, crate::text::Lang::Vi),
        (Some("en"), crate::text::Lang::En),
    ] {
        for private in [true, false] {
            let commands: Vec<BotCommand> = menu(private)
                .iter()
                .map(|(name, k)| BotCommand::new(*name, lang.texts().describe(*k)))
                .collect();
            let scope = if private {
                BotCommandScope::AllPrivateChats
            } else {
                BotCommandScope::AllGroupChats
            };
            let mut req = bot.set_my_commands(commands).scope(scope);
            if let Some(c) = code {
                req = req.language_code(c);
            }
            if let Err(e) = req.await {
                tracing::warn!(error = %app.redact(&e.to_string()), "setMyCommands failed");
            }
        }
    }
}

/// Every inline button lands here and is routed by its parsed [`Callback`].
async fn on_callback(
    bot: Tg,
    upd: Update,
    q: CallbackQuery,
    app: Arc<App>,
    unhandled: Unhandled,
    turns: Turns,
) -> anyhow::Result<()> {
    let handling = unhandled.handling(upd.id);
    let turn = match upd.chat() {
        Some(chat) => Some(turns.take(chat.id.0).await),
        None => None,
    };
    let update_id = i64::from(upd.id.0);
    spawn(
        (app.metrics.clone(), "callback_query"),
        handling,
        turn,
        async move {
            let data = q.data.as_deref().unwrap_or_default();
            match Callback::parse(data) {
                Some(Callback::Sign { unit_id, year }) => {
                    pledge::handle_callback(&bot, &app, update_id, &q, Some((unit_id, year))).await;
                }
                None if Callback::is_unreadable_sign(data) => {
                    pledge::handle_callback(&bot, &app, update_id, &q, None).await;
                }
                other => buttons(&bot, &app, update_id, &q, other).await,
            }
        },
    );
    Ok(())
}

/// History pages and the guided report's buttons.
async fn buttons(bot: &Tg, app: &App, update_id: i64, q: &CallbackQuery, cb: Option<Callback>) {
    if app.replay_if_processed(update_id).await {
        let _ = bot.answer_callback_query(q.id.clone()).await;
        return;
    }
    let sender = i64::try_from(q.from.id.0).ok().map(|id| context::Sender {
        id,
        name: q.from.full_name(),
    });
    let chat = q
        .regular_message()
        .map_or(q.from.id.0 as i64, |m| m.chat.id.0);
    let mut req = Req::new(
        app,
        update_id,
        chat,
        chat > 0,
        chat < 0,
        sender,
        Some(&q.from),
    )
    .await;
    req.thread = q.regular_message().and_then(context::topic_of);
    let (kind, result, edit) = match cb {
        Some(Callback::History { bloc, unit, offset }) => (
            CommandKind::History,
            history::turn(app, &req, bloc, unit, offset)
                .await
                .map(|o| vec![o]),
            true,
        ),
        Some(Callback::FlowPick(id)) => {
            (CommandKind::Report, flow::pick(app, &req, id).await, false)
        }
        Some(Callback::FlowConfirm) => (CommandKind::Report, flow::confirm(app, &req).await, true),
        Some(Callback::FlowCancel) => (CommandKind::Cancel, flow::cancel(app, &req).await, true),
        Some(Callback::Approve {
            unit_id,
            year,
            period,
        }) => (
            CommandKind::Approve,
            review::approve_button(app, &req, unit_id, year, period).await,
            false,
        ),
        Some(Callback::Return {
            unit_id,
            year,
            period,
        }) => (
            CommandKind::Return,
            review::return_button(app, &req, unit_id, year, period).await,
            false,
        ),
        Some(Callback::Accept(id)) => (
            CommandKind::Accept,
            corrections::accept_button(app, &req, id).await,
            false,
        ),
        Some(Callback::Reject(id)) => (
            CommandKind::Reject,
            corrections::reject_button(app, &req, id).await,
            false,
        ),
        Some(Callback::Pick {
            ballot,
            picks,
            slot,
        }) => (
            CommandKind::Vote,
            verdict::pick(app, &req, ballot, picks, slot).await,
            true,
        ),
        Some(Callback::Cast { ballot, picks }) => {
            let result = verdict::cast(app, &req, ballot, picks).await;
            if result.is_ok()
                && let Some(m) = q.regular_message()
            {
                // The card's picks leave the chat with its buttons.
                let done = bot
                    .edit_message_text(m.chat.id, m.id, req.t().vote_done())
                    .parse_mode(ParseMode::Html);
                if let Err(e) = done.await {
                    tracing::warn!(error = %app.redact(&e.to_string()), "editMessageText failed");
                }
            }
            (CommandKind::Vote, result, false)
        }
        // Sign buttons are routed before; data from elsewhere is only answered.
        Some(Callback::Sign { .. }) | None => {
            let _ = bot.answer_callback_query(q.id.clone()).await;
            return;
        }
    };
    let toast = match &result {
        Err(Fail::Refused(r)) => Some(format!("⚠️ {}", req.t().refusal(r))),
        _ => None,
    };
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(t) = &toast {
        answer = answer.text(pledge::strip_tags(t)).show_alert(true);
    }
    if let Err(e) = answer.await {
        tracing::warn!(error = %app.redact(&e.to_string()), "answerCallbackQuery failed");
    }
    match (result, q.regular_message()) {
        // Page turns and the last step replace the message they were pressed on.
        (Ok(outs), Some(m)) if edit && outs.len() == 1 => {
            app.metrics.command(kind, crate::metrics::Handled::Ok);
            let o = &outs[0];
            let mut e = bot
                .edit_message_text(m.chat.id, m.id, o.text.clone())
                .parse_mode(ParseMode::Html);
            if let Some(k) = &o.keyboard {
                e = e.reply_markup(k.clone());
            }
            match e.await {
                // A stored reply that went out as this edit is marked, so
                // that a restart does not send it again as a message.
                Ok(_) => {
                    if let Some(seq) = o.stored {
                        app.delivery.marked(vec![(update_id, seq)], false);
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %app.redact(&err.to_string()), "editMessageText failed")
                }
            }
        }
        (result, _) => send::outcome(app, &req, kind, result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_and_without_the_bot_name() {
        assert_eq!(
            parse("/units", "thidua_bot"),
            Parsed::Command(Command::Units)
        );
        assert_eq!(
            parse("/units@Thidua_Bot", "thidua_bot"),
            Parsed::Command(Command::Units)
        );
        assert_eq!(parse("/units@other_bot", "thidua_bot"), Parsed::Ignore);
        assert_eq!(parse("hello", "thidua_bot"), Parsed::Ignore);
        assert_eq!(parse("/nope", "thidua_bot"), Parsed::Unknown);
        assert_eq!(parse("/", "thidua_bot"), Parsed::Unknown);
    }

    #[test]
    fn any_white_space_separates_arguments() {
        assert_eq!(
            parse("/addunit\nTNMT  Sở Tài nguyên", "b"),
            Parsed::Command(Command::AddUnit("TNMT  Sở Tài nguyên".into()))
        );
        assert_eq!(
            parse("/report\tTHU 60,9", "b"),
            Parsed::Command(Command::Report("THU 60,9".into()))
        );
    }

    #[test]
    fn target_sub_commands_have_their_own_usage() {
        assert_eq!(
            command_kind(&Command::Target("ADD X".into())),
            CommandKind::TargetAdd
        );
        assert_eq!(
            command_kind(&Command::Target("".into())),
            CommandKind::Target
        );
        assert_eq!(
            command_kind(&Command::Pledge(" Sign ".into())),
            CommandKind::PledgeSign
        );
    }
}
