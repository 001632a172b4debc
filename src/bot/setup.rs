//! Setting a bloc up: blocs, admins, units, invites, targets; and the
//! per-user commands (/start, /help, /bloc, /lang).

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{ChatAction, Me};

use super::Tg;
use super::context::{
    App, Fail, Out, Req, admin_bloc, bloc_of, commit, local_time, open_period, readable_bloc,
    year_of,
};
use crate::domain::args::{
    AddUnit, TargetAdd, TargetSet, parse_code, parse_name, parse_target_code, shorten,
};
use crate::domain::{CommandKind, Goal, Refusal};
use crate::storage::audit::{self, Entry};
use crate::storage::targets::{NewTarget, Target, TargetState};
use crate::storage::{Scope, blocs, targets, units, users};
use crate::text::{BlocLine, Lang, TargetLine, UnitLine, format_goal};

/// How long an invite works.
pub const INVITE_DAYS: i64 = 7;

pub(super) fn target_line(t: &Target, goal: Goal, own_goal: bool) -> TargetLine {
    TargetLine {
        code: t.code.clone(),
        name: t.name.clone(),
        kind: t.kind,
        goal,
        own_goal,
        weight: t.weight,
        draft: false,
    }
}

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
            K::Register | K::Cancel => req.private && head,
            K::Export | K::History => admin,
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
        Entry {
            user_id: sender.id,
            bloc_id: Some(id),
            action: "bloc.create",
            subject: format!("chat {}", req.chat_id),
            new: Some(name.clone()),
            ..Entry::default()
        },
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
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            action: "admin.add",
            subject: format!("user {uid}"),
            new: Some(name.clone()),
            ..Entry::default()
        },
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
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            unit_id: Some(id),
            action: "unit.add",
            subject: a.code.to_string(),
            new: Some(a.name.clone()),
            ..Entry::default()
        },
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
    bloc: &crate::storage::blocs::Bloc,
    req: &Req,
) -> Result<Vec<UnitLine>, Fail> {
    let mut conn = app.db.reader();
    let period = open_period(app, &mut conn, bloc, req.now).await?;
    let board = app
        .db
        .cache()
        .board(&mut conn, bloc.id, year_of(bloc, req.now), period)
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
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            unit_id: Some(unit.id),
            action: "invite.create",
            subject: unit.code.clone(),
            ..Entry::default()
        },
    )
    .await?;
    let link = format!("https://t.me/{}?start={token}", me.username());
    let text = req.t().invite(
        &unit.code,
        &unit.name,
        &link,
        &token,
        &local_time(&bloc, expires),
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
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            unit_id: Some(unit.id),
            action: "unit.head",
            subject: unit.code.clone(),
            old: unit
                .head_user_id
                .map(|h| format!("{} ({h})", unit.head_name.clone().unwrap_or_default())),
            new: Some(format!("{} ({})", sender.name, sender.id)),
        },
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

pub(super) async fn target_add(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = TargetAdd::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    match targets::with_state(&mut tx, bloc.id, year, a.code.as_str()).await? {
        // Adding it again would hit the unique code; its values wait in the archive.
        Some((_, TargetState::Archived)) => {
            return Err(Refusal::TargetArchivedExists(a.code.to_string()).into());
        }
        Some(_) => return Err(Refusal::DuplicateTarget(a.code.to_string()).into()),
        None => {}
    }
    let new = NewTarget {
        code: a.code.as_str(),
        kind: a.kind,
        goal: a.goal,
        weight: a.weight,
        name: &a.name,
    };
    let id = targets::insert(&mut tx, bloc.id, year, &new, req.now).await?;
    let line = TargetLine {
        code: a.code.to_string(),
        name: a.name.clone(),
        kind: a.kind,
        goal: a.goal,
        own_goal: false,
        weight: a.weight,
        draft: false,
    };
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            action: "target.add",
            subject: format!("{}/{year}", a.code),
            new: Some(format!(
                "{} {} w{} {}",
                a.kind.as_str(),
                format_goal(Lang::En.texts(), a.kind, a.goal),
                a.weight,
                a.name
            )),
            ..Entry::default()
        },
    )
    .await?;
    let _ = id;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().target_added(&line, year))],
    )
    .await
}

pub(super) async fn target_set(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = TargetSet::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    let unit = units::by_code(&mut tx, bloc.id, a.unit.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownUnit(a.unit.to_string()))?;
    let target = targets::by_code(&mut tx, bloc.id, year, a.target.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(a.target.to_string()))?;
    let goal =
        Goal::parse(target.kind, &a.goal).ok_or_else(|| Refusal::BadGoal(shorten(&a.goal)))?;
    let old = targets::unit_goals(&mut tx, bloc.id, year)
        .await?
        .get(&(unit.id, target.id))
        .copied()
        .unwrap_or(target.goal);
    targets::set_unit_goal(&mut tx, unit.id, target.id, goal).await?;
    let en = Lang::En.texts();
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            unit_id: Some(unit.id),
            action: "target.goal",
            subject: format!("{}/{}", unit.code, target.code),
            old: Some(format_goal(en, target.kind, old)),
            new: Some(format_goal(en, target.kind, goal)),
        },
    )
    .await?;
    let line = target_line(&target, goal, true);
    commit(
        tx,
        req,
        vec![Out::to(
            req.chat_id,
            req.t().target_goal_set(&unit.code, &line),
        )],
    )
    .await
}

/// `/target remove`: a target with reported values (any period) is archived,
/// never deleted, so that no value is lost and `/target restore` can bring it
/// back; one without values (a draft, or one added by mistake) is deleted as
/// before, which frees its code for `/target add`.
///
/// The write is `Scope::All`: the cached boards, which hold this year's
/// targets, must drop it.
pub(super) async fn target_remove(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let code = one_target_code(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    let (target, state) = targets::with_state(&mut tx, bloc.id, year, code.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(code.to_string()))?;
    if state == TargetState::Archived {
        return Err(Refusal::TargetArchived(target.code).into());
    }
    let reports = targets::report_count(&mut tx, target.id).await?;
    let subject = format!("{}/{year}", target.code);
    let (action, reply) = if reports > 0 {
        targets::archive(&mut tx, target.id, req.now).await?;
        (
            "target.archive",
            req.t().target_archived(&target.code, reports),
        )
    } else {
        targets::delete(&mut tx, target.id).await?;
        ("target.remove", req.t().target_removed(&target.code))
    };
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            action,
            subject,
            old: Some(target.name.clone()),
            new: (reports > 0).then(|| format!("archived, {reports} reports kept")),
            ..Entry::default()
        },
    )
    .await?;
    commit(tx, req, vec![Out::to(req.chat_id, reply)]).await
}

/// `/target restore`: an archived target of this year comes back with its
/// values, unit goals and all; the scores count it again.
pub(super) async fn target_restore(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let code = one_target_code(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    let (target, state) = targets::with_state(&mut tx, bloc.id, year, code.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(code.to_string()))?;
    if state != TargetState::Archived {
        return Err(Refusal::TargetNotArchived(target.code).into());
    }
    targets::restore(&mut tx, target.id).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            action: "target.restore",
            subject: format!("{}/{year}", target.code),
            new: Some(target.name.clone()),
            ..Entry::default()
        },
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().target_restored(&target.code))],
    )
    .await
}

/// The one target code of `/target remove` and `/target restore`.
fn one_target_code(args: &str) -> Result<crate::domain::Code, Refusal> {
    let raw = args.trim();
    if raw.is_empty() || raw.contains(char::is_whitespace) {
        return Err(Refusal::BadUsage);
    }
    parse_target_code(raw)
}

pub(super) async fn targets(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    // Only the roll-over writes, and it adds drafts, which nothing cached
    // shows: reading the targets must not empty the cache.
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let bloc = readable_bloc(app, &mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    // A new year shows last year's targets as drafts even before the scheduler ticked.
    targets::roll_over(&mut tx, bloc.id, year, req.now).await?;
    let list = targets::list_with_drafts(&mut tx, bloc.id, year).await?;
    tx.commit().await?;
    let lines: Vec<_> = list
        .iter()
        .map(|(t, draft)| TargetLine {
            draft: *draft,
            ..target_line(t, t.goal, false)
        })
        .collect();
    Ok(vec![Out::to(
        req.chat_id,
        req.t().targets(&bloc.name, year, &lines),
    )])
}

pub(super) async fn bloc(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let sender = req.writer()?.clone();
    let mut tx = app.db.write().await?;
    let mine = blocs::of_user(&mut tx, sender.id).await?;
    if mine.is_empty() {
        return Err(Refusal::NoBloc.into());
    }
    let (_, current) = users::get(&mut tx, sender.id).await?;
    if args.is_empty() {
        let only = mine.len() == 1;
        let lines: Vec<_> = mine
            .iter()
            .map(|b| BlocLine {
                id: b.id,
                name: b.name.clone(),
                current: only || Some(b.id) == current,
            })
            .collect();
        return Ok(vec![Out::to(req.chat_id, req.t().blocs(&lines))]);
    }
    let wanted = args.to_lowercase();
    let by_id = args
        .parse::<i64>()
        .ok()
        .and_then(|id| mine.iter().find(|b| b.id == id));
    let by_name = || {
        let exact: Vec<_> = mine
            .iter()
            .filter(|b| b.name.to_lowercase() == wanted)
            .collect();
        let partial: Vec<_> = mine
            .iter()
            .filter(|b| b.name.to_lowercase().contains(&wanted))
            .collect();
        match (exact.len(), partial.len()) {
            (1, _) => Some(exact[0]),
            (0, 1) => Some(partial[0]),
            _ => None,
        }
    };
    let picked = by_id
        .or_else(by_name)
        .ok_or_else(|| Refusal::UnknownBloc(shorten(args)))?
        .clone();
    users::set_current_bloc(&mut tx, sender.id, picked.id).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(picked.id),
            action: "user.bloc",
            subject: format!("user {}", sender.id),
            old: current.map(|c| c.to_string()),
            new: Some(picked.id.to_string()),
            ..Entry::default()
        },
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().bloc_picked(&picked.name))],
    )
    .await
}

pub(super) async fn lang(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let sender = req.writer()?.clone();
    if args.is_empty() {
        return Err(Refusal::BadUsage.into());
    }
    let lang = Lang::parse(args).ok_or_else(|| Refusal::BadLang(shorten(args)))?;
    let mut tx = app.db.write().await?;
    let (old, _) = users::get(&mut tx, sender.id).await?;
    users::set_lang(&mut tx, sender.id, lang.code()).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            action: "user.lang",
            subject: format!("user {}", sender.id),
            old,
            new: Some(lang.code().to_owned()),
            ..Entry::default()
        },
    )
    .await?;
    commit(tx, req, vec![Out::to(req.chat_id, lang.texts().lang_set())]).await
}

pub(super) async fn target_confirm(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    targets::roll_over(&mut tx, bloc.id, year, req.now).await?;
    let n = targets::confirm_drafts(&mut tx, bloc.id, year).await?;
    if n == 0 {
        return Err(Refusal::NoDrafts.into());
    }
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            action: "target.confirm",
            subject: format!("{year}"),
            new: Some(format!("{n} targets")),
            ..Entry::default()
        },
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().targets_confirmed(n, year))],
    )
    .await
}
