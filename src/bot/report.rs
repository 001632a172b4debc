//! Reports, a unit's status and the standings.

use super::context::{App, Fail, Out, Req, commit, head_unit, open_period, readable_bloc, year_of};
use super::setup::target_line;
use crate::domain::args::{Report, StandingsArgs, shorten};
use crate::domain::{Refusal, TargetKind};
use crate::storage::audit::{self, Entry};
use crate::storage::board::Board;
use crate::storage::reports::{self, NewReport};
use crate::storage::targets;
use crate::text::{StandingsView, StatusLine, StatusView};

pub(super) async fn report(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let a = Report::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, unit, sender) = head_unit(&mut tx, req).await?;
    let year = year_of(&bloc, req.now);
    let period = match a.period {
        Some(p) => p,
        None => open_period(&mut tx, &bloc, req.now).await?,
    };
    let target = targets::by_code(&mut tx, bloc.id, year, a.target.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(a.target.to_string()))?;
    let value = target
        .kind
        .parse_value(&a.value)
        .ok_or_else(|| Refusal::BadValue {
            raw: shorten(&a.value),
            yes_no: target.kind == TargetKind::YesNo,
        })?;
    let old = reports::latest_raw(&mut tx, unit.id, target.id, period).await?;
    let new = NewReport {
        unit_id: unit.id,
        target_id: target.id,
        period,
        value,
        raw: &a.value,
        note: &a.note,
        reported_by: sender.id,
    };
    reports::insert(&mut tx, &new, req.now).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: Some(bloc.id),
            unit_id: Some(unit.id),
            action: "report",
            subject: format!("{}/{}/{}/{year}", unit.code, target.code, period.as_str()),
            old,
            new: Some(a.value.clone()),
        },
    )
    .await?;
    let board = Board::load(&mut tx, bloc.id, year, period).await?;
    let score = board.standing(unit.id).map_or(0.0, |s| s.score);
    let (goal, own) = board.goal(unit.id, &target);
    let text = req
        .t()
        .reported(&target_line(&target, goal, own), period, value, score);
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}

pub(super) async fn status(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut conn = app.db.pool().acquire().await?;
    let (bloc, unit, _) = head_unit(&mut conn, req).await?;
    let year = year_of(&bloc, req.now);
    let period = open_period(&mut conn, &bloc, req.now).await?;
    let board = Board::load(&mut conn, bloc.id, year, period).await?;
    let lines = board
        .targets
        .iter()
        .map(|t| {
            let (goal, own) = board.goal(unit.id, t);
            let value = board.values.get(&(unit.id, t.id)).copied();
            StatusLine {
                target: target_line(t, goal, own),
                value,
                achievement: goal.achievement(value),
            }
        })
        .collect();
    let st = board.standing(unit.id);
    let view = StatusView {
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
    let mut conn = app.db.pool().acquire().await?;
    let bloc = readable_bloc(&mut conn, req).await?;
    let year = a.year.unwrap_or_else(|| year_of(&bloc, req.now));
    let period = match a.period {
        Some(p) => p,
        None => open_period(&mut conn, &bloc, req.now).await?,
    };
    let board = Board::load(&mut conn, bloc.id, year, period).await?;
    let view = StandingsView {
        bloc: bloc.name.clone(),
        year,
        period,
        rows: board.standings,
    };
    Ok(vec![Out::to(req.chat_id, req.t().standings(&view))])
}
