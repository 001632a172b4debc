//! `/chart` and `/export`: the standings as a picture and as a workbook.
//! Rendering is CPU-heavy, so it runs on the blocking pool.

use chrono::Offset;

use super::context::{App, Fail, Out, OutFile, Req, admin_bloc, open_period, readable_bloc};
use crate::domain::Board;
use crate::domain::Period;
use crate::domain::args::{StandingsArgs, shorten, split_args};
use crate::domain::period::parse_year;
use crate::domain::{Refusal, title};
use crate::render::{
    self, ChartInput, ChartRow, MinutesInput, WbAudit, WbPledgeLine, WbStanding, WbTitle,
    WorkbookInput,
};
use crate::storage::board;
use crate::storage::{audit, evidence, registrations};
use crate::text::{Lang, audit_code_vi, format_goal};
use std::collections::HashMap;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, render::RenderError> + Send + 'static,
) -> Result<T, Fail> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Fail::Render(e.to_string()))?
        .map_err(|e| Fail::Render(e.to_string()))
}

pub(super) async fn chart(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = StandingsArgs::parse(args)?;
    let mut conn = app.db.pool().acquire().await?;
    let bloc = readable_bloc(app, &mut conn, req).await?;
    let year = a.year.unwrap_or_else(|| bloc.year_at(req.now));
    let period = match a.period {
        Some(p) => p,
        None => open_period(app, &mut conn, &bloc, req.now).await?,
    };
    let board = board::load(&mut conn, bloc.id, year, period).await?;
    drop(conn);
    let t = req.t();
    let date = bloc.today(req.now).format("%d/%m/%Y").to_string();
    let input = ChartInput {
        title: bloc.name.clone(),
        subtitle: t.chart_subtitle(period, year, &date),
        rows: board
            .standings
            .iter()
            .map(|s| ChartRow {
                code: s.code.clone(),
                name: s.name.clone(),
                score: s.score,
            })
            .collect(),
    };
    let png = blocking(move || render::standings_png(&input)).await?;
    Ok(vec![Out {
        file: Some(OutFile {
            photo: true,
            file_name: format!("thidua-{}-{year}.png", period.as_str()),
            bytes: png,
        }),
        ..Out::to(req.chat_id, t.chart_caption(&bloc.name, period, year))
    }])
}

pub(super) async fn export(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let words = split_args(args, 2);
    let year = match words[..] {
        [] => None,
        [y] => Some(parse_year(y).ok_or_else(|| Refusal::BadYear(shorten(y)))?),
        _ => return Err(Refusal::BadUsage.into()),
    };
    let mut conn = app.db.pool().acquire().await?;
    let (bloc, _) = admin_bloc(app, &mut conn, req).await?;
    let year = year.unwrap_or_else(|| bloc.year_at(req.now));
    // Both periods, whatever the date: after the mid-year deadline the open
    // period is the (still empty) final one, and a director then needs the
    // mid-year standings just closed.
    let mid = board::load(&mut conn, bloc.id, year, Period::Mid).await?;
    let fin = board::load(&mut conn, bloc.id, year, Period::Final).await?;
    let schedule = crate::storage::schedules::get(&mut conn, bloc.id, year, bloc.tz).await?;
    let regs = registrations::of_bloc(&mut conn, bloc.id, year).await?;
    let names = audit::names(&mut conn, bloc.id).await?;
    let (log, _) = audit::page(&mut conn, bloc.id, None, 0, 100_000).await?;
    let verdict = super::verdict::of_year(&mut conn, &bloc, year, &fin).await?;

    let vi = Lang::Vi.texts();
    let tz = bloc.tz;
    // Units, targets and goals are the year's, the same on both boards.
    let unit_name = |id: i64| {
        mid.units
            .iter()
            .find(|u| u.id == id)
            .map(|u| (u.code.clone(), u.name.clone()))
    };
    let mut files = HashMap::new();
    for u in &mid.units {
        for p in [Period::Mid, Period::Final] {
            for (t, n) in evidence::counts(&mut conn, u.id, p).await? {
                files.insert((u.id, t, p), n);
            }
        }
    }
    drop(conn);
    let mut pledges = Vec::new();
    for u in &mid.units {
        for t in &mid.targets {
            let (goal, _) = mid.goal(u.id, t);
            let mid_v = mid.values.get(&(u.id, t.id)).copied();
            let fin_v = fin.values.get(&(u.id, t.id)).copied();
            // Which periods: "sơ kết 6 tháng, tổng kết năm", or empty.
            let periods = |of: &dyn Fn(&Board, Period) -> bool| {
                [(&mid, Period::Mid), (&fin, Period::Final)]
                    .into_iter()
                    .filter(|(b, p)| of(b, *p))
                    .map(|(_, p)| vi.period(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let exempt = periods(&|b, _| b.is_exempt(u.id, t.id));
            let late = periods(&|b, p| {
                b.reported_at(u.id, t.id)
                    .is_some_and(|at| schedule.late(p, at))
            });
            pledges.push(WbPledgeLine {
                unit_code: u.code.clone(),
                unit_name: u.name.clone(),
                target_code: t.code.clone(),
                target_name: t.name.clone(),
                goal: format_goal(vi, t.kind, goal),
                mid: mid_v,
                final_: fin_v,
                mid_achievement: mid_v.map(|v| goal.achievement(Some(v))),
                final_achievement: fin_v.map(|v| goal.achievement(Some(v))),
                exempt,
                late,
                evidence: (
                    files.get(&(u.id, t.id, Period::Mid)).copied().unwrap_or(0),
                    files
                        .get(&(u.id, t.id, Period::Final))
                        .copied()
                        .unwrap_or(0),
                ),
            });
        }
    }
    let input = WorkbookInput {
        bloc: bloc.name.clone(),
        year,
        mid: standings_rows(&mid),
        final_: standings_rows(&fin),
        pledges,
        titles: regs
            .into_iter()
            .filter_map(|(unit, code)| {
                let (unit_code, unit_name) = unit_name(unit)?;
                let title_name =
                    title::by_code(&code).map_or_else(|| code.clone(), |t| t.name.to_owned());
                Some(WbTitle {
                    unit_code,
                    unit_name,
                    title_code: code,
                    title_name,
                })
            })
            .collect(),
        audit: log
            .into_iter()
            .map(|r| WbAudit {
                at: r.at,
                local_offset_minutes: r.at.with_timezone(&tz).offset().fix().local_minus_utc() / 60,
                who: names.get(&r.user_id).cloned().unwrap_or_default(),
                user_id: r.user_id,
                action: audit_code_vi(&r.action).to_owned(),
                subject: r.subject,
                old: r.old_value,
                new: r.new_value,
            })
            .collect(),
        ballots: verdict.ballots,
        proposals: verdict.proposals,
    };
    let file_name = render::ascii_file_name(&bloc.name, year);
    let xlsx = blocking(move || render::standings_xlsx(&input)).await?;
    Ok(vec![Out {
        file: Some(OutFile {
            photo: false,
            file_name,
            bytes: xlsx,
        }),
        ..Out::to(req.chat_id, req.t().export_caption(&bloc.name, year))
    }])
}

/// A board's standings as workbook rows, in ranking order; the domain
/// decides who is ranked (see `Standing::ranked`).
fn standings_rows(board: &Board) -> Vec<WbStanding> {
    board
        .standings
        .iter()
        .map(|s| WbStanding {
            rank: s
                .ranked()
                .then(|| u32::try_from(s.rank).unwrap_or(u32::MAX)),
            code: s.code.clone(),
            name: s.name.clone(),
            score: s.score,
            signed: s.signed,
            reports: format!("{}/{}", s.reported, s.targets),
            points: s.points,
            review: s.review.clone(),
        })
        .collect()
}

/// `/minutes [year]`: the year-end meeting's minutes (biên bản) as DOCX.
pub(super) async fn minutes(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let year = crate::domain::verdict::parse_year_arg(args)?;
    let mut conn = app.db.pool().acquire().await?;
    let (bloc, _) = admin_bloc(app, &mut conn, req).await?;
    let year = year.unwrap_or_else(|| bloc.year_at(req.now));
    let fin = board::load(&mut conn, bloc.id, year, Period::Final).await?;
    let verdict = super::verdict::of_year(&mut conn, &bloc, year, &fin).await?;
    drop(conn);
    let input = MinutesInput {
        bloc: bloc.name.clone(),
        year,
        date: bloc.today(req.now),
        present: fin
            .standings
            .iter()
            .filter(|s| s.signed)
            .map(|s| (s.code.clone(), s.name.clone()))
            .collect(),
        units: u32::try_from(fin.units.len()).unwrap_or(u32::MAX),
        standings: standings_rows(&fin),
        ballot: verdict.ballots.last().cloned(),
        proposals: verdict.proposals,
    };
    let file_name = render::minutes_file_name(&bloc.name, year);
    let docx = blocking(move || render::minutes_docx(&input)).await?;
    Ok(vec![Out {
        file: Some(OutFile {
            photo: false,
            file_name,
            bytes: docx,
        }),
        ..Out::to(req.chat_id, req.t().minutes_caption(&bloc.name, year))
    }])
}
