//! teloxide: the commands, the dptree schema and one handler module per area.
//! Handlers translate chat <-> domain; they never compute scores or dates.

mod context;
mod pledge;
mod report;
mod schedule;
mod send;
mod setup;

pub use context::{App, Out, tz_of};

use std::sync::Arc;
use teloxide::dispatching::{DefaultKey, Dispatcher, UpdateFilterExt};
use teloxide::prelude::*;
use teloxide::types::{Me, Update};
use teloxide::utils::command::{BotCommands, ParseError};

use crate::domain::{CommandKind, Refusal};
use context::{Fail, Req};

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

/// The whole handler tree.
pub fn schema() -> teloxide::dispatching::UpdateHandler<anyhow::Error> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(pledge::on_callback))
}

/// Builds the dispatcher for `bot` over `app`.
pub fn dispatcher(bot: Tg, app: Arc<App>) -> Dispatcher<Tg, anyhow::Error, DefaultKey> {
    Dispatcher::builder(bot, schema())
        .dependencies(dptree::deps![app])
        .default_handler(|_| async {})
        .error_handler(Arc::new(context::log_error))
        .build()
}

async fn on_message(
    bot: Tg,
    upd: Update,
    msg: Message,
    me: Me,
    app: Arc<App>,
) -> anyhow::Result<()> {
    let update_id = i64::from(upd.id.0);
    handle_message(&bot, &app, &me, update_id, &msg).await;
    app.handled(update_id);
    Ok(())
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
    let Some(text) = msg.text() else { return };
    if msg.chat.is_private() {
        context::reachable_again(app, msg.chat.id.0).await;
    }
    let cmd = match parse(text, me.username()) {
        Parsed::Command(c) => c,
        Parsed::Ignore => return,
        Parsed::Unknown => {
            if msg.chat.is_private() {
                let req = Req::from_message(app, update_id, msg).await;
                send::out(bot, app, &Out::to(msg.chat.id.0, req.t().unknown_command())).await;
            }
            return;
        }
    };
    if app.replay_if_processed(bot, update_id).await {
        return;
    }
    let req = Req::from_message(app, update_id, msg).await;
    let kind = command_kind(&cmd);
    let result = run(bot, app, me, &req, msg, cmd).await;
    send::outcome(bot, app, &req, kind, result).await;
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
        Command::Target(a) => match a
            .split_whitespace()
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("add") => CommandKind::TargetAdd,
            Some("set") => CommandKind::TargetSet,
            Some("remove") => CommandKind::TargetRemove,
            Some("list") => CommandKind::TargetList,
            Some("confirm") => CommandKind::TargetConfirm,
            _ => CommandKind::Target,
        },
        Command::Targets => CommandKind::TargetList,
        Command::Pledge(a) if a.trim().eq_ignore_ascii_case("sign") => CommandKind::PledgeSign,
        Command::Pledge(_) => CommandKind::Pledge,
        Command::Pledges => CommandKind::Pledges,
        Command::Report(_) => CommandKind::Report,
        Command::Status => CommandKind::Status,
        Command::Standings(_) => CommandKind::Standings,
        Command::Bloc(_) => CommandKind::Bloc,
        Command::Lang(_) => CommandKind::Lang,
        Command::Schedule(a) => match a
            .split_whitespace()
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => CommandKind::Schedule,
            Some("set") => CommandKind::ScheduleSet,
            Some("remind") => CommandKind::ScheduleRemind,
            Some("time") => CommandKind::ScheduleTime,
            Some("tz") => CommandKind::ScheduleTz,
            Some(_) => CommandKind::Schedule,
        },
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
        Command::Start(a) if a.trim().is_empty() => setup::start(req),
        Command::Start(a) => setup::join(app, req, a.trim()).await,
        Command::Help => setup::help(app, req).await,
        Command::NewBloc(a) => setup::new_bloc(bot, app, req, &a).await,
        Command::AddAdmin => setup::add_admin(app, req, msg).await,
        Command::AddUnit(a) => setup::add_unit(app, req, &a).await,
        Command::Units => setup::units(app, req).await,
        Command::Invite(a) => setup::invite(app, req, me, &a).await,
        Command::Join(a) => setup::join(app, req, a.trim()).await,
        Command::Target(a) => {
            let rest = a
                .trim_start()
                .split_once(char::is_whitespace)
                .map_or("", |(_, r)| r);
            match kind {
                CommandKind::TargetAdd => setup::target_add(app, req, rest).await,
                CommandKind::TargetSet => setup::target_set(app, req, rest).await,
                CommandKind::TargetRemove => setup::target_remove(app, req, rest).await,
                CommandKind::TargetList => setup::targets(app, req).await,
                CommandKind::TargetConfirm if rest.trim().is_empty() => {
                    setup::target_confirm(app, req).await
                }
                _ => Err(Fail::Refused(Refusal::BadUsage)),
            }
        }
        Command::Targets => setup::targets(app, req).await,
        Command::Pledge(_) if kind == CommandKind::PledgeSign => {
            pledge::sign_command(app, req).await
        }
        Command::Pledge(a) if a.trim().is_empty() => pledge::show(app, req).await,
        Command::Pledge(_) => Err(Fail::Refused(Refusal::BadUsage)),
        Command::Pledges => pledge::pledges(app, req).await,
        Command::Report(a) => report::report(app, req, &a).await,
        Command::Status => report::status(app, req).await,
        Command::Standings(a) => report::standings(app, req, &a).await,
        Command::Bloc(a) => setup::bloc(app, req, a.trim()).await,
        Command::Lang(a) => setup::lang(app, req, a.trim()).await,
        Command::Schedule(a) => schedule::schedule(app, req, &a).await,
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
