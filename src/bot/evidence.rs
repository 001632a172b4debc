//! Evidence (minh chứng): `/evidence <TARGET>` with or replying to a photo
//! or document attaches it to a value; `/evidence <UNIT> <TARGET>` sends a
//! value's files again. Only Telegram's file ids are kept.

use teloxide::prelude::*;
use teloxide::types::{InputFile, Message};
use teloxide::{ApiError, RequestError};

use super::Tg;
use super::context::{App, Fail, Out, Req, head_unit, period_or_open, readable_bloc};
use crate::domain::Refusal;
use crate::domain::code::Code;
use crate::domain::correction::{EvidenceArgs, MAX_EVIDENCE};
use crate::domain::{Bloc, Period, Target};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::evidence::{self, File};
use crate::storage::{Source, targets, units};

/// `/evidence ...`: attach or send again, by the shape of the arguments.
pub(super) async fn evidence(
    bot: &Tg,
    app: &App,
    req: &Req,
    msg: &Message,
    args: &str,
) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    match EvidenceArgs::parse(args)? {
        EvidenceArgs::Attach { target, period } => attach(app, req, msg, &target, period).await,
        EvidenceArgs::List {
            unit,
            target,
            period,
        } => send_again(bot, app, req, &unit, &target, period).await,
    }
}

/// The photo (largest size) or document of a message, with its unique id.
fn file_of(msg: &Message) -> Option<(File, String)> {
    if let Some(p) = msg.photo().and_then(|sizes| sizes.last()) {
        let f = File {
            photo: true,
            file_id: p.file.id.to_string(),
        };
        return Some((f, p.file.unique_id.to_string()));
    }
    msg.document().map(|d| {
        let f = File {
            photo: false,
            file_id: d.file.id.to_string(),
        };
        (f, d.file.unique_id.to_string())
    })
}

/// The head's unit's value gets the file the message carries or answers.
async fn attach(
    app: &App,
    req: &Req,
    msg: &Message,
    code: &Code,
    named: Option<Period>,
) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, unit, sender) = head_unit(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    let period = period_or_open(app, &mut tx, &bloc, req, named).await?;
    let target = target_of(&mut tx, &bloc, year, code).await?;
    let (file, unique) = file_of(msg)
        .or_else(|| msg.reply_to_message().and_then(file_of))
        .ok_or(Refusal::EvidenceNoFile)?;
    let n = evidence::count(&mut tx, unit.id, target.id, period).await?;
    if n >= MAX_EVIDENCE {
        return Err(Refusal::EvidenceFull { max: MAX_EVIDENCE }.into());
    }
    let added = evidence::add(
        &mut tx, unit.id, target.id, period, &file, &unique, sender.id, req.now,
    )
    .await?;
    if !added {
        return Err(Refusal::EvidenceAlready.into());
    }
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            bloc.id,
            Action::EvidenceAdd,
            format!("{}/{}/{}/{year}", unit.code, target.code, period.as_str()),
        )
        .unit(unit.id)
        .values(None, Some(file.file_id.clone())),
    )
    .await?;
    let text = req
        .t()
        .evidence_added(&target.code, period, n + 1, MAX_EVIDENCE);
    super::context::commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}

/// Sends a unit's value's files again by their ids; the reply says how many
/// went, and which Telegram refused (gone), never skipping them silently.
async fn send_again(
    bot: &Tg,
    app: &App,
    req: &Req,
    unit: &Code,
    code: &Code,
    named: Option<Period>,
) -> Result<Vec<Out>, Fail> {
    let mut conn = app.db.reader();
    // In private, the sender's bloc: members only (admins and heads).
    let bloc = readable_bloc(app, &mut conn, req).await?;
    let year = bloc.year_at(req.now);
    let u = units::by_code(conn.conn().await?, bloc.id, unit.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownUnit(unit.to_string()))?;
    let period = period_or_open(app, &mut conn, &bloc, req, named).await?;
    let target = target_of(conn.conn().await?, &bloc, year, code).await?;
    let files = evidence::files(conn.conn().await?, u.id, target.id, period).await?;
    drop(conn);
    let t = req.t();
    if files.is_empty() {
        let text = t.no_evidence(&u.code, &target.code, period);
        return Ok(vec![Out::to(req.chat_id, text)]);
    }
    let chat = ChatId(req.chat_id);
    let mut gone = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let input = InputFile::file_id(f.file_id.clone().into());
        let sent = if f.photo {
            bot.send_photo(chat, input).await.map(drop)
        } else {
            bot.send_document(chat, input).await.map(drop)
        };
        match sent {
            Ok(()) => {}
            // Telegram refused this file (expired, deleted, wrong id).
            Err(RequestError::Api(e)) if refused_file(&e) => gone.push(i + 1),
            Err(e) => return Err(Fail::Telegram(app.redact(&e.to_string()))),
        }
    }
    let text = t.evidence_sent(
        &u.code,
        &target.code,
        period,
        files.len() - gone.len(),
        &gone,
    );
    Ok(vec![Out::to(req.chat_id, text)])
}

/// An error about the file itself, not the chat or the bot.
fn refused_file(e: &ApiError) -> bool {
    !matches!(
        e,
        ApiError::BotBlocked
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::ChatNotFound
            | ApiError::UserDeactivated
            | ApiError::CantInitiateConversation
    )
}

/// A target of the bloc's year by code.
async fn target_of(
    conn: &mut crate::storage::Conn,
    bloc: &Bloc,
    year: i32,
    code: &Code,
) -> Result<Target, Fail> {
    Ok(targets::by_code(conn, bloc.id, year, code.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(code.to_string()))?)
}
