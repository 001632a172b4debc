//! The guided `/report`: pick a target by button, type the value, confirm
//! with the effect on the score. State lives in SQLite so it survives a
//! restart; it lapses after 30 minutes; `/cancel` ends it.

use chrono::Duration;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::Callback;
use super::context::Sender;
use super::context::{App, Fail, Out, Req, commit, head_unit, open_period};
use super::report::{Applies, Reported, parse_value, record};
use super::targets::target_line;
use crate::domain::Bloc;
use crate::domain::{Board, Unit};
use crate::domain::{Period, Refusal};
use crate::storage::Scope;
use crate::storage::dialogues::{self, Dialogue};
use crate::text::FlowTarget;
use std::sync::Arc;

/// How long a flow waits for the next step.
pub const FLOW_MINUTES: i64 = 30;

fn cancel_row(req: &Req) -> Vec<InlineKeyboardButton> {
    vec![InlineKeyboardButton::callback(
        req.t().cancel_button(),
        Callback::FlowCancel.data(),
    )]
}

/// `/report` with no arguments: offers the targets.
pub(super) async fn start(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let (bloc, unit, sender) = head_unit(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    let period = open_period(app, &mut tx, &bloc, req.now).await?;
    let board = app.db.cache().board(&mut tx, bloc.id, year, period).await?;
    if board.targets.is_empty() {
        return Err(Refusal::NoTargets.into());
    }
    board.review(unit.id).reportable()?;
    dialogues::start(
        &mut tx,
        sender.id,
        unit.id,
        period.as_str(),
        req.now + Duration::minutes(FLOW_MINUTES),
    )
    .await?;
    let offered: Vec<FlowTarget> = board
        .applying(unit.id)
        .map(|t| {
            let (goal, own) = board.goal(unit.id, t);
            FlowTarget {
                target: target_line(t, goal, own),
                value: board.values.get(&(unit.id, t.id)).copied(),
            }
        })
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = board
        .applying(unit.id)
        .zip(&offered)
        .map(|(t, f)| {
            let mark = if f.value.is_some() { "✅" } else { "⏳" };
            vec![InlineKeyboardButton::callback(
                format!("{mark} {}", t.code),
                Callback::FlowPick(t.id).data(),
            )]
        })
        .collect();
    rows.push(cancel_row(req));
    let mut out = Out::to(req.chat_id, req.t().flow_pick(period, &offered));
    out.keyboard = Some(InlineKeyboardMarkup::new(rows));
    commit(tx, req, vec![out]).await
}

/// The user's flow: `Err(NoFlow)` when none, `Err(FlowExpired)` when it lapsed.
async fn current(conn: &mut crate::storage::Conn, req: &Req) -> Result<Dialogue, Fail> {
    let sender = req.writer()?;
    let far_past = req.now - Duration::days(36_500);
    match dialogues::active(conn, sender.id, far_past).await? {
        None => Err(Refusal::NoFlow.into()),
        Some(d) if d.expires_at <= req.now => {
            dialogues::clear(conn, sender.id).await?;
            Err(Refusal::FlowExpired.into())
        }
        Some(d) => Ok(d),
    }
}

/// What each step of a flow works on: the head's unit, the period's board
/// and the picked target (an index into `board.targets`).
struct Step {
    bloc: Bloc,
    unit: Unit,
    sender: Sender,
    year: i32,
    period: Period,
    board: Arc<Board>,
    target: usize,
}

/// Loads a step of flow `d` for `target_id`: only the flow's own unit, only a
/// confirmed target of the period.
async fn step(
    app: &App,
    tx: &mut crate::storage::Conn,
    req: &Req,
    d: &Dialogue,
    target_id: i64,
) -> Result<Step, Fail> {
    let (bloc, unit, sender) = head_unit(app, tx, req).await?;
    if d.unit_id != unit.id {
        return Err(Refusal::NotYourUnit.into());
    }
    let year = bloc.year_at(req.now);
    let period = Period::parse(&d.period).unwrap_or(Period::Mid);
    let board = app.db.cache().board(tx, bloc.id, year, period).await?;
    // A button or a typed value after the unit submitted changes nothing.
    board.review(unit.id).reportable()?;
    let target = board
        .targets
        .iter()
        .position(|t| t.id == target_id)
        .ok_or(Refusal::NoFlow)?;
    Ok(Step {
        bloc,
        unit,
        sender,
        year,
        period,
        board,
        target,
    })
}

/// A target button: ask for the value.
pub(super) async fn pick(app: &App, req: &Req, target_id: i64) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let d = match current(&mut tx, req).await {
        Err(Fail::Refused(Refusal::FlowExpired)) => {
            tx.commit().await?;
            return Err(Refusal::FlowExpired.into());
        }
        other => other?,
    };
    let Step {
        unit,
        sender,
        board,
        target,
        ..
    } = step(app, &mut tx, req, &d, target_id).await?;
    let target = &board.targets[target];
    dialogues::pick(
        &mut tx,
        sender.id,
        target.id,
        req.now + Duration::minutes(FLOW_MINUTES),
    )
    .await?;
    let (goal, own) = board.goal(unit.id, target);
    let mut out = Out::to(
        req.chat_id,
        req.t().flow_ask_value(&target_line(target, goal, own)),
    );
    out.keyboard = Some(InlineKeyboardMarkup::new([cancel_row(req)]));
    commit(tx, req, vec![out]).await
}

/// A plain message while a flow waits for a value. `Ok(None)` when no flow
/// waits for one (the message is then not for us).
pub(super) async fn value(app: &App, req: &Req, raw: &str) -> Result<Option<Vec<Out>>, Fail> {
    let Some(sender) = req.sender.as_ref() else {
        return Ok(None);
    };
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let far_past = req.now - Duration::days(36_500);
    let Some(d) = dialogues::active(&mut tx, sender.id, far_past).await? else {
        return Ok(None);
    };
    let Some(target_id) = d.target_id else {
        return Ok(None);
    };
    if d.expires_at <= req.now {
        dialogues::clear(&mut tx, sender.id).await?;
        tx.commit().await?;
        return Err(Refusal::FlowExpired.into());
    }
    let Step {
        unit,
        board,
        target,
        ..
    } = step(app, &mut tx, req, &d, target_id).await?;
    let target = &board.targets[target];
    let raw = raw.trim();
    let v = parse_value(target, raw)?;
    dialogues::set_value(
        &mut tx,
        sender.id,
        raw,
        req.now + Duration::minutes(FLOW_MINUTES),
    )
    .await?;
    let before = board.score(unit.id);
    let after = board.score_with(unit.id, target_id, v);
    let (goal, own) = board.goal(unit.id, target);
    let mut out = Out::to(
        req.chat_id,
        req.t()
            .flow_confirm(&target_line(target, goal, own), v, before, after),
    );
    out.keyboard = Some(InlineKeyboardMarkup::new([vec![
        InlineKeyboardButton::callback(req.t().confirm_button(), Callback::FlowConfirm.data()),
        InlineKeyboardButton::callback(req.t().cancel_button(), Callback::FlowCancel.data()),
    ]]));
    commit(tx, req, vec![out]).await.map(Some)
}

/// The confirm button: records the report exactly as the one-line form does.
pub(super) async fn confirm(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write_scoped(Scope::Reports).await?;
    let d = match current(&mut tx, req).await {
        Err(Fail::Refused(Refusal::FlowExpired)) => {
            tx.commit().await?;
            return Err(Refusal::FlowExpired.into());
        }
        other => other?,
    };
    let (Some(target_id), Some(raw)) = (d.target_id, d.value_raw.clone()) else {
        return Err(Refusal::NoFlow.into());
    };
    let Step {
        bloc,
        unit,
        sender,
        year,
        period,
        board,
        target,
    } = step(app, &mut tx, req, &d, target_id).await?;
    let target = board.targets[target].clone();
    let value = parse_value(&target, &raw)?;
    let reported = Reported {
        bloc: &bloc,
        unit: &unit,
        sender: &sender,
        target: &target,
        period,
        year,
        value,
        raw: &raw,
        note: "",
    };
    let outs = record(&mut tx, req, &reported, board, Applies::Later).await?;
    dialogues::clear(&mut tx, sender.id).await?;
    commit(tx, req, outs).await
}

/// `/cancel` and the cancel button.
pub(super) async fn cancel(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let sender = req.writer()?;
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    if !dialogues::clear(&mut tx, sender.id).await? {
        return Err(Refusal::NoFlow.into());
    }
    commit(tx, req, vec![Out::to(req.chat_id, req.t().cancelled())]).await
}
