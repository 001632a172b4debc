//! What the dashboard's API answers: typed, versioned JSON built from the
//! same boards, schedules and words as `/standings` and `/status`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::bot::App;
use crate::domain::{Bloc, Board, Period, ReviewState};
use crate::storage::{self, Source, evidence};
use crate::text::{self, Dashboard, Lang};

/// The version of every answer's shape; a page built for another refuses it.
pub const VERSION: u32 = 1;

/// `GET /app/api/v1/me`: the user's language, the page's words, their blocs.
#[derive(Debug, Serialize)]
pub struct Me {
    /// [`VERSION`].
    pub version: u32,
    /// `vi` or `en`, as `/lang`.
    pub lang: &'static str,
    /// The page's words in that language.
    pub words: &'static Dashboard,
    /// Blocs the user administers or heads a unit of, by name.
    pub blocs: Vec<BlocItem>,
}

/// A bloc in the list.
#[derive(Debug, Serialize)]
pub struct BlocItem {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its emulation year now.
    pub year: i32,
}

/// `GET /app/api/v1/blocs/{id}`: the standings of both periods.
#[derive(Debug, Serialize)]
pub struct Standings {
    /// [`VERSION`].
    pub version: u32,
    /// The bloc.
    pub bloc: BlocItem,
    /// The period open now (`mid` or `final`).
    pub open: &'static str,
    /// Mid-year, then year-end.
    pub periods: Vec<PeriodStandings>,
}

/// One period's standings.
#[derive(Debug, Serialize)]
pub struct PeriodStandings {
    /// `mid` or `final`.
    pub period: &'static str,
    /// Its name in the user's language.
    pub label: &'static str,
    /// By rank.
    pub rows: Vec<Row>,
}

/// A unit's line in the standings.
#[derive(Debug, Serialize)]
pub struct Row {
    /// 1-based rank.
    pub rank: usize,
    /// Unit row id (the unit view's address).
    pub unit_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Score with points, unrounded (the chart).
    pub score: f64,
    /// As `/standings` writes it.
    pub score_text: String,
    /// Bonus and penalty points, summed.
    pub points: f64,
    /// Review state.
    pub review: Review,
}

/// A review state, as a code and as words.
#[derive(Debug, Serialize)]
pub struct Review {
    /// `open`, `submitted`, `approved` or `returned`.
    pub state: &'static str,
    /// In the user's language.
    pub label: &'static str,
    /// Why it was returned, if it was.
    pub reason: Option<String>,
}

/// `GET /app/api/v1/blocs/{id}/units/{unit}`: a unit's targets in both periods.
#[derive(Debug, Serialize)]
pub struct UnitView {
    /// [`VERSION`].
    pub version: u32,
    /// The bloc.
    pub bloc: BlocItem,
    /// Unit row id.
    pub unit_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Mid-year, then year-end: score, rank, review.
    pub periods: Vec<UnitPeriod>,
    /// Year-end score minus mid-year score, once the unit reported for the
    /// year's end; as the bot writes it, with its sign.
    pub change: Option<Change>,
    /// Each target with its values in both periods.
    pub targets: Vec<TargetView>,
}

/// A change of score.
#[derive(Debug, Serialize)]
pub struct Change {
    /// Points.
    pub by: f64,
    /// As the bot writes it, with its sign.
    pub text: String,
}

/// A unit's standing in one period.
#[derive(Debug, Serialize)]
pub struct UnitPeriod {
    /// `mid` or `final`.
    pub period: &'static str,
    /// Its name.
    pub label: &'static str,
    /// Score with points.
    pub score: f64,
    /// As `/standings` writes it.
    pub score_text: String,
    /// Rank; `None` before the unit's first report of the period.
    pub rank: Option<usize>,
    /// Units ranked.
    pub of: usize,
    /// Review state.
    pub review: Review,
}

/// A target of the unit.
#[derive(Debug, Serialize)]
pub struct TargetView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Weight in points.
    pub weight: u32,
    /// The unit's goal, as the bot writes it.
    pub goal: String,
    /// Mid-year, then year-end.
    pub periods: Vec<TargetPeriod>,
}

/// A target's value in one period.
#[derive(Debug, Serialize)]
pub struct TargetPeriod {
    /// `mid` or `final`.
    pub period: &'static str,
    /// The latest value, as the bot writes it; `None` if not reported.
    pub value: Option<String>,
    /// Achievement, 0–100.
    pub achievement: f64,
    /// Reported after the period's deadline.
    pub late: bool,
    /// Left out of the score by the review.
    pub exempt: bool,
    /// Evidence files backing the value.
    pub evidence: usize,
}

/// An error as the page shows it.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// [`VERSION`].
    pub version: u32,
    /// What went wrong.
    pub error: ErrorDetail,
}

/// See [`ErrorBody`].
#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    /// A stable code: `unauthorized`, `stale`, `forbidden`, `not_found`, `internal`.
    pub code: &'static str,
    /// One sentence, Vietnamese then English.
    pub message: &'static str,
}

const PERIODS: [Period; 2] = [Period::Mid, Period::Final];

fn review(t: &Dashboard, s: &ReviewState) -> Review {
    let (state, label, reason) = match s {
        ReviewState::Open => ("open", t.state_open, None),
        ReviewState::Submitted => ("submitted", t.state_submitted, None),
        ReviewState::Approved => ("approved", t.state_approved, None),
        ReviewState::Returned(r) => ("returned", t.state_returned, Some(r.clone())),
    };
    Review {
        state,
        label,
        reason,
    }
}

fn item(bloc: &Bloc, now: DateTime<Utc>) -> BlocItem {
    BlocItem {
        id: bloc.id,
        name: bloc.name.clone(),
        year: bloc.year_at(now),
    }
}

/// The list: the user's blocs.
pub fn me(lang: Lang, blocs: &[Bloc], now: DateTime<Utc>) -> Me {
    Me {
        version: VERSION,
        lang: lang.code(),
        words: lang.texts().dashboard(),
        blocs: blocs.iter().map(|b| item(b, now)).collect(),
    }
}

async fn boards(
    app: &App,
    conn: &mut storage::Reader<'_>,
    bloc: &Bloc,
    year: i32,
) -> storage::Result<Vec<std::sync::Arc<Board>>> {
    let mut out = Vec::with_capacity(2);
    for p in PERIODS {
        out.push(app.db.cache().board(conn, bloc.id, year, p).await?);
    }
    Ok(out)
}

/// A bloc's standings in both periods.
pub async fn standings(
    app: &App,
    lang: Lang,
    bloc: &Bloc,
    now: DateTime<Utc>,
) -> storage::Result<Standings> {
    let t = lang.texts();
    let year = bloc.year_at(now);
    let mut conn = app.db.reader();
    let open = app
        .db
        .cache()
        .schedule(&mut conn, bloc.id, year, bloc.tz)
        .await?
        .open_period(bloc.today(now));
    let boards = boards(app, &mut conn, bloc, year).await?;
    let periods = PERIODS
        .iter()
        .zip(&boards)
        .map(|(&p, board)| PeriodStandings {
            period: p.as_str(),
            label: t.period(p),
            rows: board
                .standings
                .iter()
                .map(|s| Row {
                    rank: s.rank,
                    unit_id: s.unit_id,
                    code: s.code.clone(),
                    name: s.name.clone(),
                    score: s.score,
                    score_text: t.score(s.score),
                    points: board.points(s.unit_id),
                    review: review(t.dashboard(), &board.review(s.unit_id)),
                })
                .collect(),
        })
        .collect();
    Ok(Standings {
        version: VERSION,
        bloc: item(bloc, now),
        open: open.as_str(),
        periods,
    })
}

/// A unit's targets in both periods; `None` if the unit is not the bloc's.
pub async fn unit(
    app: &App,
    lang: Lang,
    bloc: &Bloc,
    unit_id: i64,
    now: DateTime<Utc>,
) -> storage::Result<Option<UnitView>> {
    let t = lang.texts();
    let year = bloc.year_at(now);
    let mut conn = app.db.reader();
    let boards = boards(app, &mut conn, bloc, year).await?;
    let Some(unit) = boards[0].units.iter().find(|u| u.id == unit_id).cloned() else {
        return Ok(None);
    };
    let schedule = app
        .db
        .cache()
        .schedule(&mut conn, bloc.id, year, bloc.tz)
        .await?;
    let mut files = Vec::with_capacity(2);
    for p in PERIODS {
        files.push(evidence::counts(conn.conn().await?, unit.id, p).await?);
    }
    let periods: Vec<UnitPeriod> = PERIODS
        .iter()
        .zip(&boards)
        .map(|(&p, board)| {
            let st = board.standing(unit.id);
            let score = st.map_or_else(|| board.score(unit.id), |s| s.score);
            UnitPeriod {
                period: p.as_str(),
                label: t.period(p),
                score,
                score_text: t.score(score),
                // As the workbook says: not ranked before a first report.
                rank: st
                    .filter(|_| board.values.keys().any(|&(u, _)| u == unit.id))
                    .map(|s| s.rank),
                of: board.standings.len(),
                review: review(t.dashboard(), &board.review(unit.id)),
            }
        })
        .collect();
    let targets = boards[0]
        .targets
        .iter()
        .map(|target| {
            let (goal, _) = boards[0].goal(unit.id, target);
            TargetView {
                code: target.code.clone(),
                name: target.name.clone(),
                weight: target.weight,
                goal: text::format_goal(t, target.kind, goal),
                periods: PERIODS
                    .iter()
                    .zip(&boards)
                    .zip(&files)
                    .map(|((&p, board), files)| {
                        let value = board.values.get(&(unit.id, target.id)).copied();
                        TargetPeriod {
                            period: p.as_str(),
                            value: value.map(|v| text::format_value(t, target.kind, v)),
                            achievement: 100.0 * goal.achievement(value),
                            late: board
                                .reported_at(unit.id, target.id)
                                .is_some_and(|at| schedule.late(p, at)),
                            exempt: board.is_exempt(unit.id, target.id),
                            evidence: files.get(&target.id).copied().unwrap_or(0),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let reported_final = boards[1].values.keys().any(|&(u, _)| u == unit.id);
    let change = reported_final.then(|| {
        let by = periods[1].score - periods[0].score;
        let sign = if by > 0.0 { "+" } else { "" };
        Change {
            by,
            text: format!("{sign}{}", t.score(by)),
        }
    });
    Ok(Some(UnitView {
        version: VERSION,
        bloc: item(bloc, now),
        unit_id: unit.id,
        code: unit.code,
        name: unit.name,
        periods,
        change,
        targets,
    }))
}
