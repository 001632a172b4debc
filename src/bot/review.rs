//! Review (thẩm định): `/submit`, `/review`, `/approve`, `/return`,
//! `/exempt`, `/points`, and the Approve and Return buttons.
//!
//! Every move reads the state inside its write transaction, so that two
//! admins pressing Approve and Return at once give one winner and one
//! refusal; every write takes the whole cache's scope, since the boards
//! carry the states, exemptions and points.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::Callback;
use super::context::{
    App, Fail, Out, Req, admin_bloc, commit, head_unit, lang_of, open_period, period_or_open,
};
use super::targets::target_line;
use crate::domain::review::{ExemptArgs, PointsArgs, ReviewArgs, UnitArgs, parse_submit};
use crate::domain::{Bloc, Period, Points, Refusal, ReviewState, Unit};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::{Source, Write, blocs, reports, reviews, targets, units};
use crate::text::{ReviewLine, ReviewListView, ReviewSheetView};

/// `/submit [mid|final]`: the head sends the period's values for review.
pub(super) async fn submit(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let named = parse_submit(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, unit, sender) = head_unit(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    let period = match named {
        Some(p) => p,
        None => open_period(app, &mut tx, &bloc, req.now).await?,
    };
    let board = tx.board(bloc.id, year, period).await?;
    if board.targets.is_empty() {
        return Err(Refusal::NoTargets.into());
    }
    let missing: Vec<String> = board
        .applying(unit.id)
        .filter(|t| !board.values.contains_key(&(unit.id, t.id)))
        .map(|t| t.code.clone())
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::SubmitMissing(missing).into());
    }
    drop(board);
    let next = reviews::state(&mut tx, unit.id, year, period)
        .await?
        .submit()?;
    reviews::set(&mut tx, unit.id, year, period, &next, sender.id, req.now).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            bloc.id,
            Action::ReviewSubmit,
            subject(&unit, period, year),
        )
        .unit(unit.id),
    )
    .await?;
    let mut outs = vec![Out::to(req.chat_id, req.t().submitted(&unit.code, period))];
    for (admin, t) in admins(&mut tx, &bloc).await? {
        if admin != sender.id {
            outs.push(Out::to(
                admin,
                t.submitted_notice(&unit.code, &unit.name, period),
            ));
        }
    }
    commit(tx, req, outs).await
}

/// `/review [UNIT] [mid|final]`: who waits, or one unit's sheet with the
/// Approve and Return buttons.
pub(super) async fn review(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let args = ReviewArgs::parse(args)?;
    let mut conn = app.db.reader();
    let (bloc, _) = admin_bloc(app, &mut conn, req).await?;
    let year = bloc.year_at(req.now);
    let named = match &args {
        ReviewArgs::List(p) | ReviewArgs::Unit(_, p) => *p,
    };
    let period = match named {
        Some(p) => p,
        None => open_period(app, &mut conn, &bloc, req.now).await?,
    };
    let board = app
        .db
        .cache()
        .board(&mut conn, bloc.id, year, period)
        .await?;
    let t = req.t();
    match args {
        ReviewArgs::List(_) => {
            let view = ReviewListView {
                bloc: bloc.name.clone(),
                year,
                period,
                rows: board
                    .units
                    .iter()
                    .map(|u| (u.code.clone(), u.name.clone(), board.review(u.id)))
                    .collect(),
            };
            Ok(vec![Out::to(req.chat_id, t.review_list(&view))])
        }
        ReviewArgs::Unit(code, _) => {
            let unit = board
                .units
                .iter()
                .find(|u| u.code == code.as_str())
                .cloned()
                .ok_or_else(|| Refusal::UnknownUnit(code.to_string()))?;
            let latest = reports::latest_of_unit(conn.conn().await?, unit.id, year, period).await?;
            let schedule = app
                .db
                .cache()
                .schedule(&mut conn, bloc.id, year, bloc.tz)
                .await?;
            let files =
                crate::storage::evidence::counts(conn.conn().await?, unit.id, period).await?;
            let lines = board
                .targets
                .iter()
                .map(|target| {
                    let (goal, own_goal) = board.goal(unit.id, target);
                    ReviewLine {
                        target: target_line(target, goal, own_goal),
                        exempt: board.is_exempt(unit.id, target.id),
                        value: board.values.get(&(unit.id, target.id)).copied(),
                        note: latest
                            .get(&target.id)
                            .map(|l| l.0.clone())
                            .unwrap_or_default(),
                        late: latest
                            .get(&target.id)
                            .is_some_and(|l| schedule.late(period, l.1)),
                        evidence: files.get(&target.id).copied().unwrap_or(0),
                    }
                })
                .collect();
            let base = board.score(unit.id) - board.points(unit.id);
            let state = board.review(unit.id);
            let view = ReviewSheetView {
                code: unit.code.clone(),
                name: unit.name.clone(),
                year,
                period,
                state: state.clone(),
                lines,
                base,
                points: board.points(unit.id),
            };
            let mut out = Out::to(req.chat_id, t.review_sheet(&view));
            if state == ReviewState::Submitted {
                out.keyboard = Some(buttons(t, unit.id, year, period));
            }
            Ok(vec![out])
        }
    }
}

/// The Approve and Return buttons of a submitted unit's sheet.
fn buttons(
    t: &dyn crate::text::Texts,
    unit_id: i64,
    year: i32,
    period: Period,
) -> InlineKeyboardMarkup {
    let button = |label: &str, cb: Callback| InlineKeyboardButton::callback(label, cb.data());
    InlineKeyboardMarkup::new([[
        button(
            t.approve_button(),
            Callback::Approve {
                unit_id,
                year,
                period,
            },
        ),
        button(
            t.return_button(),
            Callback::Return {
                unit_id,
                year,
                period,
            },
        ),
    ]])
}

/// `/approve <UNIT> [mid|final]`.
pub(super) async fn approve(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = UnitArgs::parse(args)?;
    if !a.rest.is_empty() {
        return Err(Refusal::BadUsage.into());
    }
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let unit = unit_of(&mut tx, &bloc, a.unit.as_str()).await?;
    let year = bloc.year_at(req.now);
    let period = period_or_open(app, &mut tx, &bloc, req, a.period).await?;
    let outs = decide(&mut tx, req, &bloc, &unit, sender.id, year, period, None).await?;
    commit(tx, req, outs).await
}

/// `/return <UNIT> [mid|final] <reason>`.
pub(super) async fn send_back(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = UnitArgs::parse(args)?;
    if a.rest.is_empty() {
        return Err(Refusal::ReasonRequired.into());
    }
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let unit = unit_of(&mut tx, &bloc, a.unit.as_str()).await?;
    let year = bloc.year_at(req.now);
    let period = period_or_open(app, &mut tx, &bloc, req, a.period).await?;
    let outs = decide(
        &mut tx,
        req,
        &bloc,
        &unit,
        sender.id,
        year,
        period,
        Some(&a.rest),
    )
    .await?;
    commit(tx, req, outs).await
}

/// Approves (`reason` none) or returns a submitted unit inside `tx`; the
/// replies: to the admin, and to the unit's head privately.
#[allow(clippy::too_many_arguments)]
pub(super) async fn decide(
    tx: &mut Write,
    req: &Req,
    bloc: &Bloc,
    unit: &Unit,
    by: i64,
    year: i32,
    period: Period,
    reason: Option<&str>,
) -> Result<Vec<Out>, Fail> {
    let now = reviews::state(tx, unit.id, year, period).await?;
    let (next, action) = match reason {
        None => (now.approve()?, Action::ReviewApprove),
        Some(r) => (now.send_back(r)?, Action::ReviewReturn),
    };
    reviews::set(tx, unit.id, year, period, &next, by, req.now).await?;
    audit::append(
        tx,
        req.now,
        Entry::new(by, bloc.id, action, subject(unit, period, year))
            .unit(unit.id)
            .values(None, reason.map(str::to_owned)),
    )
    .await?;
    let t = req.t();
    let mut outs = vec![Out::to(
        req.chat_id,
        match reason {
            None => t.approved(&unit.code, period),
            Some(r) => t.returned(&unit.code, period, r),
        },
    )];
    if let Some(head) = unit.head_user_id.filter(|h| *h != req.chat_id) {
        let th = lang_of(tx, head).await?.texts();
        outs.push(Out::to(
            head,
            match reason {
                None => th.approved_head(period),
                Some(r) => th.returned_head(period, r),
            },
        ));
    }
    Ok(outs)
}

/// How long a pressed Return waits for its reason.
const REASON_WAIT: chrono::Duration = chrono::Duration::minutes(30);

/// The Approve button of a submitted unit's sheet.
pub(super) async fn approve_button(
    app: &App,
    req: &Req,
    unit_id: i64,
    year: i32,
    period: Period,
) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, unit, by) = pressed_by_admin(&mut tx, req, unit_id).await?;
    let outs = decide(&mut tx, req, &bloc, &unit, by, year, period, None).await?;
    commit(tx, req, outs).await
}

/// The Return button: the reason is asked as the admin's next message here.
pub(super) async fn return_button(
    app: &App,
    req: &Req,
    unit_id: i64,
    year: i32,
    period: Period,
) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (_, unit, by) = pressed_by_admin(&mut tx, req, unit_id).await?;
    // Refused now rather than after the reason is typed.
    reviews::state(&mut tx, unit.id, year, period)
        .await?
        .send_back("-")?;
    let until = req.now + REASON_WAIT;
    reviews::await_reason(&mut tx, by, req.chat_id, unit.id, year, period, until).await?;
    let text = req.t().ask_return_reason(&unit.code, period);
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}

/// A message from an admin who pressed Return in this chat: the reason.
/// `None` when no Return waits for one.
pub(super) async fn reason(app: &App, req: &Req, text: &str) -> Result<Option<Vec<Out>>, Fail> {
    let Some(sender) = req.sender.as_ref() else {
        return Ok(None);
    };
    // Read first: most messages answer no Return, and need no write lock.
    let mut conn = app.db.reader();
    let waiting = reviews::waiting_reason(conn.conn().await?, sender.id, req.chat_id, req.now);
    if waiting.await?.is_none() {
        return Ok(None);
    }
    drop(conn);
    let mut tx = app.db.write().await?;
    let Some((unit_id, year, period)) =
        reviews::waiting_reason(&mut tx, sender.id, req.chat_id, req.now).await?
    else {
        return Ok(None);
    };
    let reason = crate::domain::args::parse_name(text)?;
    let (bloc, unit, by) = pressed_by_admin(&mut tx, req, unit_id).await?;
    reviews::forget_reason(&mut tx, by).await?;
    let outs = decide(&mut tx, req, &bloc, &unit, by, year, period, Some(&reason)).await?;
    commit(tx, req, outs).await.map(Some)
}

/// `/cancel` of a Return waiting for its reason; `None` if there was none.
pub(super) async fn cancel(app: &App, req: &Req) -> Result<Option<Vec<Out>>, Fail> {
    let Some(sender) = req.sender.as_ref() else {
        return Ok(None);
    };
    let mut tx = app.db.write().await?;
    if !reviews::forget_reason(&mut tx, sender.id).await? {
        return Ok(None);
    }
    let text = req.t().return_cancelled();
    commit(tx, req, vec![Out::to(req.chat_id, text)])
        .await
        .map(Some)
}

/// The unit a button names, with its bloc, if the one who pressed it is
/// an admin of that bloc.
async fn pressed_by_admin(
    tx: &mut Write,
    req: &Req,
    unit_id: i64,
) -> Result<(Bloc, Unit, i64), Fail> {
    let sender = req.writer()?.id;
    let unit = units::by_id(tx, unit_id)
        .await?
        .ok_or(Refusal::UnknownUnit(unit_id.to_string()))?;
    let bloc = blocs::by_id(tx, unit.bloc_id)
        .await?
        .ok_or(Refusal::NotABloc)?;
    if !blocs::is_admin(tx, bloc.id, sender).await? {
        return Err(Refusal::NotBlocAdmin.into());
    }
    Ok((bloc, unit, sender))
}

/// `/exempt [remove] <UNIT> <TARGET> [mid|final] [reason]`.
pub(super) async fn exempt(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = ExemptArgs::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let unit = unit_of(&mut tx, &bloc, a.unit.as_str()).await?;
    let year = bloc.year_at(req.now);
    let target = targets::by_code(&mut tx, bloc.id, year, a.target.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(a.target.to_string()))?;
    let periods: Vec<Period> = match a.period {
        Some(p) => vec![p],
        None => vec![Period::Mid, Period::Final],
    };
    let mut changed = Vec::new();
    for p in &periods {
        let done = if a.remove {
            reviews::unexempt(&mut tx, unit.id, target.id, *p).await?
        } else {
            reviews::exempt(
                &mut tx, unit.id, target.id, *p, &a.reason, sender.id, req.now,
            )
            .await?
        };
        if done {
            changed.push(*p);
        }
    }
    if changed.is_empty() {
        let code = target.code.clone();
        return Err(if a.remove {
            Refusal::NotExempt(code)
        } else {
            Refusal::AlreadyExempt(code)
        }
        .into());
    }
    for p in &changed {
        audit::append(
            &mut tx,
            req.now,
            Entry::new(
                sender.id,
                bloc.id,
                if a.remove {
                    Action::ExemptRemove
                } else {
                    Action::Exempt
                },
                format!("{}/{}/{}/{year}", unit.code, target.code, p.as_str()),
            )
            .unit(unit.id)
            .values(None, (!a.reason.is_empty()).then(|| a.reason.clone())),
        )
        .await?;
    }
    let t = req.t();
    let text = if a.remove {
        t.unexempted(&unit.code, &target.code, &changed)
    } else {
        t.exempted(&unit.code, &target.code, &changed, &a.reason)
    };
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}

/// `/points <UNIT> <±N> [mid|final] <reason>` and `/points <UNIT> [mid|final]`.
pub(super) async fn points(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = PointsArgs::parse(args)?;
    let t = req.t();
    match a {
        PointsArgs::List { unit, period } => {
            let mut conn = app.db.reader();
            let (bloc, _) = admin_bloc(app, &mut conn, req).await?;
            let year = bloc.year_at(req.now);
            let u = unit_of(conn.conn().await?, &bloc, unit.as_str()).await?;
            let period = period_or_open(app, &mut conn, &bloc, req, period).await?;
            let entries: Vec<(f64, String, String)> =
                reviews::points_of(conn.conn().await?, u.id, year, period)
                    .await?
                    .into_iter()
                    .map(|e| {
                        let date = e.at.with_timezone(&bloc.tz).format("%d/%m/%Y");
                        (e.points.value(), e.reason, date.to_string())
                    })
                    .collect();
            let s = t.points_list(&u.code, period, &entries);
            Ok(vec![Out::to(req.chat_id, s)])
        }
        PointsArgs::Add {
            unit,
            points,
            period,
            reason,
        } => {
            let mut tx = app.db.write().await?;
            let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
            let u = unit_of(&mut tx, &bloc, unit.as_str()).await?;
            let year = bloc.year_at(req.now);
            let period = period_or_open(app, &mut tx, &bloc, req, period).await?;
            reviews::add_points(
                &mut tx, u.id, year, period, points, &reason, sender.id, req.now,
            )
            .await?;
            audit::append(
                &mut tx,
                req.now,
                Entry::new(
                    sender.id,
                    bloc.id,
                    Action::Points,
                    subject(&u, period, year),
                )
                .unit(u.id)
                .values(None, Some(format!("{:+.1} {reason}", points.value()))),
            )
            .await?;
            let total: i64 = reviews::points_of(&mut tx, u.id, year, period)
                .await?
                .iter()
                .map(|e| e.points.tenths())
                .sum();
            let text = t.points_added(
                &u.code,
                points.value(),
                period,
                Points::from_tenths(total).value(),
            );
            commit(tx, req, vec![Out::to(req.chat_id, text)]).await
        }
    }
}

/// The audit subject of a unit's period.
fn subject(unit: &Unit, period: Period, year: i32) -> String {
    format!("{}/{}/{year}", unit.code, period.as_str())
}

/// A unit of the bloc by code, or the refusal naming it.
async fn unit_of(conn: &mut crate::storage::Conn, bloc: &Bloc, code: &str) -> Result<Unit, Fail> {
    Ok(units::by_code(conn, bloc.id, code)
        .await?
        .ok_or_else(|| Refusal::UnknownUnit(code.to_owned()))?)
}

/// The bloc's admins, each with the texts of their language.
async fn admins(
    conn: &mut crate::storage::Conn,
    bloc: &Bloc,
) -> Result<Vec<(i64, &'static dyn crate::text::Texts)>, Fail> {
    let mut out = Vec::new();
    for admin in blocs::admin_ids(conn, bloc.id).await? {
        out.push((admin, lang_of(conn, admin).await?.texts()));
    }
    Ok(out)
}
