//! Reports, a unit's status and the standings.

use super::batch::{Job, Store};
use super::context::Sender;
use super::context::{App, Fail, Out, Req, head_unit, open_period, readable_bloc};
use super::targets::target_line;
use crate::domain::Bloc;
use crate::domain::args::{Report, StandingsArgs, shorten};
use crate::domain::{Board, Patch, Target, Unit};
use crate::domain::{Period, Refusal, TargetKind};
use crate::storage::Write;
use crate::storage::reports::{self, NewReport};
use crate::text::{StandingsView, StatusLine, StatusView};
use std::sync::Arc;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo};

pub(super) async fn report(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let a = Report::parse(args)?;
    let req = req.clone();
    let job: Job<App> =
        Box::new(move |app, tx| Box::pin(async move { report_in(app, tx, &req, &a).await }));
    let to = Store {
        db: &app.db,
        delivery: &app.delivery,
    };
    app.reports.run(app, to, job).await
}

/// The one-line `/report` inside a batch's transaction: every refusal comes
/// before the write.
async fn report_in(app: &App, tx: &mut Write, req: &Req, a: &Report) -> Result<Vec<Out>, Fail> {
    let (bloc, unit, sender) = head_unit(app, tx, req).await?;
    let year = bloc.year_at(req.now);
    let period = match a.period {
        Some(p) => p,
        None => open_period(app, tx, &bloc, req.now).await?,
    };
    let board = tx.board(bloc.id, year, period).await?;
    board.review(unit.id).reportable()?;
    let target = board
        .targets
        .iter()
        .find(|t| t.code == a.target.as_str())
        .cloned()
        .ok_or_else(|| Refusal::UnknownTarget(a.target.to_string()))?;
    let value = parse_value(&target, &a.value)?;
    let reported = Reported {
        bloc: &bloc,
        unit: &unit,
        sender: &sender,
        target: &target,
        period,
        year,
        value,
        raw: &a.value,
        note: &a.note,
    };
    record(tx, req, &reported, board, Applies::Here).await
}

/// Parses a value typed for `target`, or refuses naming it.
pub(super) fn parse_value(target: &Target, raw: &str) -> Result<f64, Refusal> {
    target
        .kind
        .parse_value(raw)
        .ok_or_else(|| Refusal::BadValue {
            raw: shorten(raw),
            yes_no: target.kind == TargetKind::YesNo,
        })
}

/// Who reports what for which period.
pub(super) struct Reported<'a> {
    pub bloc: &'a Bloc,
    pub unit: &'a Unit,
    pub sender: &'a Sender,
    pub target: &'a Target,
    pub period: Period,
    pub year: i32,
    /// The value, and as typed.
    pub value: f64,
    pub raw: &'a str,
    pub note: &'a str,
}

/// Whether [`record`] also records the update as applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Applies {
    /// In the same round trip as the report.
    Here,
    /// The caller does, with its own commit.
    Later,
}

/// Appends a report with its audit row inside `tx`; returns the reply.
/// `board` is the period's board as read in `tx`, before this report. The
/// caller commits.
pub(super) async fn record(
    tx: &mut Write,
    req: &Req,
    r: &Reported<'_>,
    board: Arc<Board>,
    applies: Applies,
) -> Result<Vec<Out>, Fail> {
    let value = r.value;
    let score = board.score_with(r.unit.id, r.target.id, value);
    let (goal, own) = board.goal(r.unit.id, r.target);
    // Let go of it before the patch below: the transaction's copy is then
    // patched in place instead of cloned.
    drop(board);
    let mut outs = vec![Out::to(
        req.chat_id,
        req.t()
            .reported(&target_line(r.target, goal, own), r.period, value, score),
    )];
    let outbox = match applies {
        Applies::Here => {
            crate::storage::updates::not_applied(tx, req.update_id).await?;
            Some(super::context::outbox(req, &mut outs)?)
        }
        Applies::Later => None,
    };
    let new = NewReport {
        unit_id: r.unit.id,
        target_id: r.target.id,
        period: r.period,
        value,
        raw: r.raw,
        note: r.note,
        reported_by: r.sender.id,
    };
    let subject = format!(
        "{}/{}/{}/{}",
        r.unit.code,
        r.target.code,
        r.period.as_str(),
        r.year
    );
    let applied = outbox.as_deref().map(|o| (req.update_id, o));
    let report_id =
        reports::insert_audited(tx, &new, req.now, r.bloc.id, &subject, applied).await?;
    if applied.is_some() {
        tx.applies(req.update_id);
    }
    tx.patch_board(
        r.bloc.id,
        Patch {
            year: r.year,
            period: r.period,
            unit_id: r.unit.id,
            target_id: r.target.id,
            value,
            report_id,
            at: req.now,
        },
    );
    Ok(outs)
}

pub(super) async fn status(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut conn = app.db.reader();
    let (bloc, unit, _) = head_unit(app, &mut conn, req).await?;
    let year = bloc.year_at(req.now);
    let period = open_period(app, &mut conn, &bloc, req.now).await?;
    let board = app
        .db
        .cache()
        .board(&mut conn, bloc.id, year, period)
        .await?;
    let schedule = app
        .db
        .cache()
        .schedule(&mut conn, bloc.id, year, bloc.tz)
        .await?;
    let lines = board
        .applying(unit.id)
        .map(|t| {
            let (goal, own) = board.goal(unit.id, t);
            let value = board.values.get(&(unit.id, t.id)).copied();
            StatusLine {
                target: target_line(t, goal, own),
                value,
                achievement: goal.achievement(value),
                late: board
                    .reported_at(unit.id, t.id)
                    .is_some_and(|at| schedule.late(period, at)),
            }
        })
        .collect();
    let st = board.standing(unit.id);
    let titles = super::titles::registered(app, &mut conn, unit.id, year).await?;
    let view = StatusView {
        titles,
        code: unit.code.clone(),
        unit: unit.name.clone(),
        year,
        period,
        signed: board.signed.contains_key(&unit.id),
        lines,
        score: st.map_or(0.0, |s| s.score),
        rank: (st.map_or(0, |s| s.rank), board.standings.len()),
    };
    Ok(vec![Out::to(req.chat_id, req.t().status(&view))])
}

pub(super) async fn standings(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = StandingsArgs::parse(args)?;
    let mut conn = app.db.reader();
    let bloc = readable_bloc(app, &mut conn, req).await?;
    let year = a.year.unwrap_or_else(|| bloc.year_at(req.now));
    let period = match a.period {
        Some(p) => p,
        None => open_period(app, &mut conn, &bloc, req.now).await?,
    };
    let board = app
        .db
        .cache()
        .board(&mut conn, bloc.id, year, period)
        .await?;
    let view = StandingsView {
        bloc: bloc.name.clone(),
        year,
        period,
        rows: board.standings.clone(),
    };
    let mut out = Out::to(req.chat_id, req.t().standings(&view));
    // In private, the dashboard opens as a Mini App (Telegram allows
    // `web_app` buttons only there).
    if let Some(url) = app.webapp.as_ref().filter(|_| req.private) {
        out.keyboard = Some(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::web_app(
                req.t().dashboard().button,
                WebAppInfo { url: url.clone() },
            ),
        ]]));
    }
    Ok(vec![out])
}
