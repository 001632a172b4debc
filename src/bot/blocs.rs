//! Getting a bloc going: /start and /help, blocs, admins, units, invites
//! and joining a unit.

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{ChatAction, Me};

use super::Tg;
use super::context::{
    App, Fail, Out, Req, admin_bloc, bloc_of, commit, open_period, readable_bloc,
};
use crate::domain::args::{AddUnit, parse_code, parse_name};
use crate::domain::{CommandKind, Refusal};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::{blocs, units};
use crate::text::{Lang, UnitLine};

/// How long an invite works.
pub const INVITE_DAYS: i64 = 7;

pub(super) fn start(req: &Req) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let name = req.sender.as_ref().map_or("", |s| s.name.as_str());
    Ok(vec![Out::to(req.chat_id, req.t().welcome(name))])
}

pub(super) async fn help(bot: &Tg, app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    use CommandKind as K;
    let mut conn = app.db.pool().acquire().await?;
    let bloc = bloc_of(app, &mut conn, req).await.ok();
    // Someone posting on behalf of the group can only read.
    let writer = req.sender.is_some();
    let in_some_bloc = match &req.sender {
        Some(s) => !blocs::of_user(&mut conn, s.id).await?.is_empty(),
        None => false,
    };
    // Only a Telegram admin of a group that is not a bloc yet may run /newbloc.
    let may_create = match (&req.sender, &bloc) {
        (Some(s), None) if req.group => bot
            .get_chat_member(ChatId(req.chat_id), UserId(s.id as u64))
            .await
            .is_ok_and(|m| m.is_privileged()),
        _ => false,
    };
    let (admin, head) = match (&bloc, &req.sender) {
        (Some(b), Some(s)) => (
            blocs::is_admin(&mut conn, b.id, s.id).await?,
            units::headed_by(&mut conn, b.id, s.id).await?.is_some(),
        ),
        _ => (false, false),
    };
    let member = admin || head;
    let kinds: Vec<K> = K::ALL
        .into_iter()
        .filter(|k| match k {
            K::Start | K::Join => req.private,
            K::Bloc => req.private && in_some_bloc,
            K::Help => true,
            K::Lang => writer,
            K::NewBloc => may_create,
            K::AddAdmin => req.group && admin,
            K::AddUnit
            | K::Invite
            | K::TargetAdd
            | K::TargetSet
            | K::TargetRemove
            | K::TargetRestore => admin,
            K::Units | K::TargetList | K::Pledges | K::Standings => {
                member || (req.group && bloc.is_some())
            }
            K::Pledge | K::PledgeSign | K::Report | K::Status => req.private && head,
            K::TargetConfirm
            | K::ScheduleSet
            | K::ScheduleRemind
            | K::ScheduleTime
            | K::ScheduleTz => admin,
            K::Schedule | K::Chart => member || (req.group && bloc.is_some()),
            K::Titles => true,
            K::Register | K::Cancel | K::Submit => req.private && head,
            K::Export | K::History => admin,
            K::Review | K::Approve | K::Return | K::Exempt | K::Points => admin,
            K::Correct => req.private && head,
            K::Corrections | K::Accept | K::Reject => admin,
            K::Evidence => req.private && member,
            K::Ballot | K::Proposals => member || (req.group && bloc.is_some()),
            K::BallotOpen => req.group && admin,
            K::BallotClose | K::Propose | K::Minutes => admin,
            K::Vote => req.private && head,
            K::Target => false,
        })
        .collect();
    let t = req.t();
    let mut s = t.help_header().to_owned();
    for k in kinds {
        s.push_str(&format!("\n• {} — {}", t.usage(k), t.describe(k)));
    }
    Ok(vec![Out::to(req.chat_id, s)])
}

pub(super) async fn new_bloc(bot: &Tg, app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.group_only()?;
    let sender = req.writer()?.clone();
    let name = parse_name(args)?;
    {
        let mut conn = app.db.pool().acquire().await?;
        if let Some(b) = blocs::by_chat(&mut conn, req.chat_id).await? {
            return Err(Refusal::AlreadyABloc(b.name).into());
        }
    }
    // Ask Telegram, not our records: only a group admin may turn the group into a bloc.
    let member = bot
        .get_chat_member(ChatId(req.chat_id), UserId(sender.id as u64))
        .await
        .map_err(|e| Fail::Telegram(app.redact(&e.to_string())))?;
    if !member.is_privileged() {
        return Err(Refusal::NotGroupAdmin.into());
    }
    let mut tx = app.db.write().await?;
    if let Some(b) = blocs::by_chat(&mut tx, req.chat_id).await? {
        return Err(Refusal::AlreadyABloc(b.name).into());
    }
    let tz = app.default_tz.name();
    let id = blocs::insert(
        &mut tx,
        req.chat_id,
        &name,
        tz,
        (sender.id, &sender.name),
        req.now,
    )
    .await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            id,
            Action::BlocCreate,
            format!("chat {}", req.chat_id),
        )
        .values(None, Some(name.clone())),
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().bloc_created(&name))],
    )
    .await
}

pub(super) async fn add_admin(app: &App, req: &Req, msg: &Message) -> Result<Vec<Out>, Fail> {
    req.group_only()?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    // In a forum topic every message seems to reply to the topic's creation
    // message: that is no choice of a person.
    let replied = msg
        .reply_to_message()
        .filter(|r| r.forum_topic_created().is_none())
        .ok_or(Refusal::NotAReply)?;
    if replied.sender_chat.is_some() {
        return Err(Refusal::CannotPromote.into());
    }
    let user = replied.from.as_ref().ok_or(Refusal::CannotPromote)?;
    if user.is_bot {
        return Err(Refusal::CannotPromote.into());
    }
    let uid = i64::try_from(user.id.0).map_err(|_| Refusal::CannotPromote)?;
    if blocs::is_admin(&mut tx, bloc.id, uid).await? {
        return Err(Refusal::AlreadyAdmin.into());
    }
    let name = user.full_name();
    blocs::add_admin(&mut tx, bloc.id, uid, &name, sender.id, req.now).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::AdminAdd, format!("user {uid}"))
            .values(None, Some(name.clone())),
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().admin_added(&name))],
    )
    .await
}

pub(super) async fn add_unit(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = AddUnit::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    if units::by_code(&mut tx, bloc.id, a.code.as_str())
        .await?
        .is_some()
    {
        return Err(Refusal::DuplicateUnit(a.code.to_string()).into());
    }
    let id = units::insert(&mut tx, bloc.id, a.code.as_str(), &a.name, req.now).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::UnitAdd, a.code.to_string())
            .unit(id)
            .values(None, Some(a.name.clone())),
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(
            req.chat_id,
            req.t().unit_added(a.code.as_str(), &a.name),
        )],
    )
    .await
}

pub(super) async fn unit_lines(
    app: &App,
    bloc: &crate::domain::Bloc,
    req: &Req,
) -> Result<Vec<UnitLine>, Fail> {
    let mut conn = app.db.reader();
    let period = open_period(app, &mut conn, bloc, req.now).await?;
    let board = app
        .db
        .cache()
        .board(&mut conn, bloc.id, bloc.year_at(req.now), period)
        .await?;
    Ok(board
        .units
        .iter()
        .map(|u| {
            let st = board.standing(u.id);
            UnitLine {
                code: u.code.clone(),
                name: u.name.clone(),
                head: u.head_name.clone(),
                signed: board.signed.contains_key(&u.id),
                reported: st.map_or(0, |s| s.reported),
                targets: board.targets.len(),
            }
        })
        .collect())
}

pub(super) async fn units(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let bloc = {
        let mut conn = app.db.pool().acquire().await?;
        readable_bloc(app, &mut conn, req).await?
    };
    let lines = unit_lines(app, &bloc, req).await?;
    Ok(vec![Out::to(
        req.chat_id,
        req.t().units(&bloc.name, &lines),
    )])
}

fn new_invite_token() -> Result<String, Fail> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        Fail::Storage(crate::storage::StorageError::Corrupt(format!(
            "no randomness: {e}"
        )))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A one-time invite, always delivered to the admin privately: a link seen
/// in a group could be used by anyone there to take the unit.
pub(super) async fn invite(
    bot: &Tg,
    app: &App,
    req: &Req,
    me: &Me,
    args: &str,
) -> Result<Vec<Out>, Fail> {
    let code = parse_code(args.trim()).map_err(|e| {
        if args.trim().is_empty() {
            Refusal::BadUsage
        } else {
            e
        }
    })?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let unit = units::by_code(&mut tx, bloc.id, code.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownUnit(code.to_string()))?;
    if !req.private {
        // Asked in a group: the bot can write to the admin only if the
        // admin ever opened a private chat with it. A typing action is
        // the cheapest way to ask Telegram, and shows nothing.
        match bot
            .send_chat_action(ChatId(sender.id), ChatAction::Typing)
            .await
        {
            Ok(_) => {}
            Err(RequestError::Api(e)) if crate::delivery::is_forbidden(&e) => {
                return Err(Refusal::NeedPrivateChat {
                    bot: me.username().to_owned(),
                }
                .into());
            }
            Err(e) => return Err(Fail::Telegram(app.redact(&e.to_string()))),
        }
    }
    let token = new_invite_token()?;
    let expires = req.now + chrono::Duration::days(INVITE_DAYS);
    units::revoke_invites(&mut tx, unit.id, req.now).await?;
    units::insert_invite(&mut tx, &token, unit.id, sender.id, req.now, expires).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::InviteCreate, unit.code.clone()).unit(unit.id),
    )
    .await?;
    let link = format!("https://t.me/{}?start={token}", me.username());
    let text = req.t().invite(
        &unit.code,
        &unit.name,
        &link,
        &token,
        &bloc.local_time(expires),
    );
    let mut outs = vec![Out::to(sender.id, text)];
    if !req.private {
        outs.push(Out::to(
            req.chat_id,
            req.t().invite_sent(&unit.code, &unit.name),
        ));
    }
    commit(tx, req, outs).await
}

pub(super) async fn join(app: &App, req: &Req, token: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let sender = req.writer()?.clone();
    if token.is_empty() {
        return Err(Refusal::BadUsage.into());
    }
    let mut tx = app.db.write().await?;
    let invite = units::invite(&mut tx, token)
        .await?
        .ok_or(Refusal::InviteUnknown)?;
    if invite.used_by.is_some() {
        return Err(Refusal::InviteUsed.into());
    }
    if invite.expires_at <= req.now {
        return Err(Refusal::InviteExpired.into());
    }
    let unit = units::by_id(&mut tx, invite.unit_id)
        .await?
        .ok_or(Refusal::InviteUnknown)?;
    let bloc = blocs::by_id(&mut tx, unit.bloc_id)
        .await?
        .ok_or(Refusal::InviteUnknown)?;
    if let Some(other) = units::headed_by(&mut tx, bloc.id, sender.id).await?
        && other.id != unit.id
    {
        return Err(Refusal::AlreadyHead { unit: other.code }.into());
    }
    units::set_head(&mut tx, unit.id, sender.id, &sender.name).await?;
    units::use_invite(&mut tx, token, sender.id, req.now).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::UnitHead, unit.code.clone())
            .unit(unit.id)
            .values(
                unit.head_user_id
                    .map(|h| format!("{} ({h})", unit.head_name.clone().unwrap_or_default())),
                Some(format!("{} ({})", sender.name, sender.id)),
            ),
    )
    .await?;
    let outs = vec![
        Out::to(
            req.chat_id,
            req.t().joined(&unit.code, &unit.name, &bloc.name),
        ),
        Out::to(
            bloc.chat_id,
            Lang::Vi
                .texts()
                .joined_group(&sender.name, &unit.code, &unit.name),
        ),
    ];
    commit(tx, req, outs).await
}
