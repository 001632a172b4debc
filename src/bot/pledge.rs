//! Pledges: showing, signing (command and button), and who has signed.

use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::Tg;
use super::blocs::unit_lines;
use super::callback::Callback;
use super::context::{App, Fail, Out, Req, Sender, commit, head_unit, readable_bloc};
use super::targets::target_line;
use crate::domain::Bloc;
use crate::domain::Unit;
use crate::domain::{CommandKind, Refusal};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::{pledges, targets, units};
use crate::text::{self, Lang, PledgeView};

async fn pledge_view(app: &App, bloc: &Bloc, unit: &Unit, year: i32) -> Result<PledgeView, Fail> {
    let mut conn = app.db.pool().acquire().await?;
    let list = targets::list(&mut conn, bloc.id, year).await?;
    let goals = targets::unit_goals(&mut conn, bloc.id, year).await?;
    let signed_at = pledges::signed_at(&mut conn, unit.id, year).await?;
    let titles = super::titles::registered(app, &mut conn, unit.id, year).await?;
    Ok(PledgeView {
        titles,
        bloc: bloc.name.clone(),
        year,
        code: unit.code.clone(),
        unit: unit.name.clone(),
        targets: list
            .iter()
            .map(|t| match goals.get(&(unit.id, t.id)) {
                Some(g) => target_line(t, *g, true),
                None => target_line(t, t.goal, false),
            })
            .collect(),
        signed_at: signed_at.map(|at| bloc.local_time(at)),
    })
}

pub(super) async fn show(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let (bloc, unit, _) = {
        let mut conn = app.db.pool().acquire().await?;
        head_unit(app, &mut conn, req).await?
    };
    let year = bloc.year_at(req.now);
    let view = pledge_view(app, &bloc, &unit, year).await?;
    let mut out = Out::to(req.chat_id, req.t().pledge(&view));
    if view.signed_at.is_none() && !view.targets.is_empty() {
        out.keyboard = Some(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback(
                req.t().sign_button(),
                Callback::Sign {
                    unit_id: unit.id,
                    year,
                }
                .data(),
            ),
        ]]));
    }
    Ok(vec![out])
}

/// Signs in one transaction; returns the replies (to the head and the group).
async fn sign(
    app: &App,
    req: &Req,
    bloc: &Bloc,
    unit: &Unit,
    sender: &Sender,
    year: i32,
) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    if pledges::signed_at(&mut tx, unit.id, year).await?.is_some() {
        return Err(Refusal::AlreadySigned.into());
    }
    if targets::list(&mut tx, bloc.id, year).await?.is_empty() {
        return Err(Refusal::NoTargets.into());
    }
    pledges::sign(&mut tx, unit.id, year, sender.id, req.now).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            bloc.id,
            Action::PledgeSign,
            format!("{}/{year}", unit.code),
        )
        .unit(unit.id)
        .values(None, Some("signed".into())),
    )
    .await?;
    let k = pledges::of_bloc(&mut tx, bloc.id, year).await?.len();
    let n = units::list(&mut tx, bloc.id).await?.len();
    let outs = vec![
        Out::to(req.chat_id, req.t().signed(&unit.code, year, k, n)),
        Out::to(
            bloc.chat_id,
            Lang::Vi
                .texts()
                .signed_group(&unit.code, &unit.name, year, k, n),
        ),
    ];
    commit(tx, req, outs).await
}

pub(super) async fn sign_command(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let (bloc, unit, sender) = {
        let mut conn = app.db.pool().acquire().await?;
        head_unit(app, &mut conn, req).await?
    };
    let year = bloc.year_at(req.now);
    sign(app, req, &bloc, &unit, &sender, year).await
}

pub(super) async fn pledges(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let bloc = readable_bloc(app, &mut app.db.reader(), req).await?;
    let lines = unit_lines(app, &bloc, req).await?;
    Ok(vec![Out::to(
        req.chat_id,
        req.t().pledges(&bloc.name, bloc.year_at(req.now), &lines),
    )])
}

/// The sign button: checks the presser heads that unit and that the button
/// is for the current year's pledge, signs, answers the callback, then edits
/// the pledge message to show it signed. `parsed` is the button's unit and
/// year, `None` when its data could not be read.
pub(super) async fn handle_callback(
    bot: &Tg,
    app: &App,
    update_id: i64,
    q: &CallbackQuery,
    parsed: Option<(i64, i32)>,
) {
    if app.replay_if_processed(update_id).await {
        let _ = bot.answer_callback_query(q.id.clone()).await;
        return;
    }
    let sender = i64::try_from(q.from.id.0).ok().map(|id| Sender {
        id,
        name: q.from.full_name(),
    });
    let req = Req::new(
        app,
        update_id,
        q.from.id.0 as i64,
        true,
        false,
        sender,
        Some(&q.from),
    )
    .await;
    let result = match parsed {
        Some((unit_id, year)) => sign_from_button(app, &req, unit_id, year).await,
        // Data this version cannot read names no year for sure: signing
        // could sign the wrong one, so the head is asked to send /pledge.
        None => Err(Refusal::StaleSignButton { year: None }.into()),
    };
    if let Err(e) = &result
        && e.applied_elsewhere()
    {
        // The replica that applied it answers the button.
        return;
    }
    let toast = match &result {
        Ok(_) => req.t().signed_toast().to_owned(),
        Err(Fail::Refused(r)) => format!("⚠️ {}", req.t().refusal(r)),
        Err(_) => req.t().internal_error(),
    };
    if let Err(e) = bot
        .answer_callback_query(q.id.clone())
        .text(strip_tags(&toast))
        .show_alert(result.is_err())
        .await
    {
        tracing::warn!(error = %app.redact(&e.to_string()), "answerCallbackQuery failed");
    }
    if let Ok((outs, view)) = result {
        if let Some(m) = q.regular_message() {
            let edit = bot
                .edit_message_text(m.chat.id, m.id, req.t().pledge(&view))
                .parse_mode(ParseMode::Html);
            if let Err(e) = edit.await {
                tracing::warn!(error = %app.redact(&e.to_string()), "editMessageText failed");
            }
        }
        app.delivery.send(req.update_id, outs);
    } else if let Err(Fail::Refused(r)) = &result {
        // Also in the chat, so the reason stays visible after the alert closes.
        super::send::out(
            app,
            req.update_id,
            Out::to(
                req.chat_id,
                text::refusal(req.lang, r, CommandKind::PledgeSign),
            ),
        );
    }
}

async fn sign_from_button(
    app: &App,
    req: &Req,
    unit_id: i64,
    year: i32,
) -> Result<(Vec<Out>, PledgeView), Fail> {
    let sender = req.writer()?.clone();
    let (unit, bloc) = {
        let mut conn = app.db.pool().acquire().await?;
        let unit = units::by_id(&mut conn, unit_id)
            .await?
            .ok_or(Refusal::NotUnitHead)?;
        let bloc = crate::storage::blocs::by_id(&mut conn, unit.bloc_id)
            .await?
            .ok_or(Refusal::NotUnitHead)?;
        (unit, bloc)
    };
    if unit.head_user_id != Some(sender.id) {
        return Err(Refusal::NotYourUnit.into());
    }
    // The year in the bloc's zone by the app's clock, as /pledge sign uses.
    if year != bloc.year_at(req.now) {
        return Err(Refusal::StaleSignButton { year: Some(year) }.into());
    }
    let outs = sign(app, req, &bloc, &unit, &sender, year).await?;
    let view = pledge_view(app, &bloc, &unit, year).await?;
    Ok((outs, view))
}

/// A callback answer: plain text, at most 200 characters.
pub(super) fn strip_tags(s: &str) -> String {
    crate::text::plain(s).chars().take(200).collect()
}
