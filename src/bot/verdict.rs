//! The verdict (bình xét): `/ballot` and its cards, `/propose`,
//! `/proposals`, and what `/minutes` and `/export` show of them.
//!
//! A ballot is secret by construction: a head's picks travel only in the
//! buttons of the card in their private chat (each press edits the card,
//! nothing is stored); the cast records that the unit voted and adds one to
//! each picked unit's count, in one transaction, with nothing joining the
//! two. Every write here touches nothing the cache holds.

use crate::storage::Conn;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::Callback;
use super::context::{App, Fail, Out, Req, admin_bloc, commit, lang_of, readable_bloc};
use crate::domain::verdict::{BallotCmd, MAX_CANDIDATES, Picks, ProposeArgs, parse_year_arg};
use crate::domain::{Bloc, Board, Refusal, title};
use crate::render::{WbBallot, WbProposal};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::ballots::{self, Ballot, Candidate};
use crate::storage::{Scope, Source, blocs, registrations, units};
use crate::text::{BallotView, ProposalLine, Texts};

/// `/ballot`, `/ballot open …`, `/ballot close`.
pub(super) async fn ballot(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    match BallotCmd::parse(args)? {
        BallotCmd::Show => show(app, req).await,
        BallotCmd::Open {
            picks,
            hours,
            question,
        } => open(app, req, picks, hours, &question).await,
        BallotCmd::Close => close(app, req).await,
    }
}

/// The open ballot (turnout, never counts) with, for a head who has not
/// voted, a card; else the year's last result.
async fn show(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut conn = app.db.reader();
    let bloc = readable_bloc(app, &mut conn, req).await?;
    let c = conn.conn().await?;
    let t = req.t();
    let Some(b) = ballots::unclosed(c, bloc.id).await? else {
        let last = ballots::closed_of_year(c, bloc.id, bloc.year_at(req.now))
            .await?
            .pop();
        let text = match last {
            Some(b) => t.ballot_result(&view(c, &bloc, &b).await?),
            None => t.no_ballot().to_owned(),
        };
        return Ok(vec![Out::to(req.chat_id, text)]);
    };
    let cands = ballots::candidates(c, b.id).await?;
    let v = BallotView::of(&bloc, &b, &cands, ballots::voted(c, b.id).await?);
    if !b.is_open(req.now) {
        let text = format!("{}\n{}", t.ballot_status(&v), t.ballot_ended());
        return Ok(vec![Out::to(req.chat_id, text)]);
    }
    let mut outs = vec![Out::to(req.chat_id, t.ballot_status(&v))];
    if let Some(s) = req.sender.as_ref().filter(|_| req.private)
        && let Some(unit) = units::headed_by(c, bloc.id, s.id).await?
        && cands.iter().any(|x| x.unit_id == unit.id)
        && !ballots::has_voted(c, b.id, unit.id).await?
    {
        outs.push(card(t, &b, &v, &cands, Picks::NONE, req.chat_id));
    }
    Ok(outs)
}

/// `/ballot open <K> <hours> <question>`, in the bloc group: every head
/// gets a card in private.
async fn open(
    app: &App,
    req: &Req,
    picks: u32,
    hours: u32,
    question: &str,
) -> Result<Vec<Out>, Fail> {
    req.group_only()?;
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    if ballots::unclosed(&mut tx, bloc.id).await?.is_some() {
        return Err(Refusal::BallotOpen.into());
    }
    let list = units::list(&mut tx, bloc.id).await?;
    if !(2..=MAX_CANDIDATES).contains(&list.len()) {
        return Err(Refusal::BallotSize { units: list.len() }.into());
    }
    if picks as usize >= list.len() {
        return Err(Refusal::PicksAboveUnits { units: list.len() }.into());
    }
    let closes = req.now + chrono::Duration::hours(i64::from(hours));
    let year = bloc.year_at(req.now);
    let id = ballots::open(
        &mut tx, bloc.id, year, question, picks, sender.id, req.now, closes, &list,
    )
    .await?;
    let b = ballots::by_id(&mut tx, id)
        .await?
        .ok_or(Refusal::BallotStale)?;
    let cands = ballots::candidates(&mut tx, id).await?;
    let v = BallotView::of(&bloc, &b, &cands, 0);
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::BallotOpen, question)
            .values(None, Some(format!("K={picks}; {}", v.closes))),
    )
    .await?;
    let mut outs = vec![Out::to(req.chat_id, req.t().ballot_opened(&v))];
    for head in list.iter().filter_map(|u| u.head_user_id) {
        let th = lang_of(&mut tx, head).await?.texts();
        outs.push(card(th, &b, &v, &cands, Picks::NONE, head));
    }
    commit(tx, req, outs).await
}

/// `/ballot close`: closes it now; the result goes to the bloc group once,
/// with this command's replies.
async fn close(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let Some(b) = ballots::unclosed(&mut tx, bloc.id).await? else {
        return Err(Refusal::NoOpenBallot.into());
    };
    ballots::close(&mut tx, b.id, req.now, true).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::BallotClose, b.question.clone()),
    )
    .await?;
    let closed = ballots::by_id(&mut tx, b.id)
        .await?
        .ok_or(Refusal::BallotStale)?;
    let v = view(&mut tx, &bloc, &closed).await?;
    let t = req.t();
    let outs = if req.chat_id == bloc.chat_id {
        vec![Out::to(req.chat_id, t.ballot_result(&v))]
    } else {
        vec![
            Out::to(req.chat_id, t.ballot_closed_here()),
            Out::to(
                bloc.chat_id,
                crate::text::Lang::Vi.texts().ballot_result(&v),
            ),
        ]
    };
    commit(tx, req, outs).await
}

/// A ballot's view, with its counts once it is closed.
async fn view(c: &mut Conn, bloc: &Bloc, b: &Ballot) -> Result<BallotView, Fail> {
    let cands = ballots::candidates(c, b.id).await?;
    Ok(BallotView::of(
        bloc,
        b,
        &cands,
        ballots::voted(c, b.id).await?,
    ))
}

/// A head's card: the ballot, one button per unit (☑ picked), and Cast.
fn card(
    t: &dyn Texts,
    b: &Ballot,
    v: &BallotView,
    cands: &[Candidate],
    picks: Picks,
    chat: i64,
) -> Out {
    let picked: Vec<String> = cands
        .iter()
        .filter(|c| picks.has(c.slot))
        .map(|c| c.code.clone())
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = cands
        .iter()
        .map(|c| {
            let mark = if picks.has(c.slot) { "☑️" } else { "⬜" };
            let label: String = format!("{mark} {} — {}", c.code, c.name)
                .chars()
                .take(48)
                .collect();
            let data = Callback::Pick {
                ballot: b.id,
                picks,
                slot: c.slot,
            };
            vec![InlineKeyboardButton::callback(label, data.data())]
        })
        .collect();
    let cast = Callback::Cast {
        ballot: b.id,
        picks,
    };
    rows.push(vec![InlineKeyboardButton::callback(
        t.cast_button(picks.count(), b.picks),
        cast.data(),
    )]);
    Out {
        keyboard: Some(InlineKeyboardMarkup::new(rows)),
        ..Out::to(chat, t.ballot_card(v, &picked))
    }
}

/// The ballot a card's button names, if its presser may still vote in it:
/// open, a head of a unit on it that has not voted.
async fn voter(
    c: &mut Conn,
    req: &Req,
    ballot_id: i64,
) -> Result<(Bloc, Ballot, Vec<Candidate>, i64), Fail> {
    req.private_only()?;
    let sender = req.writer()?;
    let b = ballots::by_id(c, ballot_id)
        .await?
        .ok_or(Refusal::BallotStale)?;
    if !b.is_open(req.now) {
        return Err(Refusal::BallotClosed.into());
    }
    let bloc = blocs::by_id(c, b.bloc_id).await?.ok_or(Refusal::NotABloc)?;
    let unit = units::headed_by(c, bloc.id, sender.id)
        .await?
        .ok_or(Refusal::NotUnitHead)?;
    let cands = ballots::candidates(c, b.id).await?;
    if !cands.iter().any(|x| x.unit_id == unit.id) {
        return Err(Refusal::NotOnBallot.into());
    }
    if ballots::has_voted(c, b.id, unit.id).await? {
        return Err(Refusal::AlreadyVoted.into());
    }
    Ok((bloc, b, cands, unit.id))
}

/// A unit's button on a card: the card again with that unit (un)picked.
/// Nothing is written: the picks live in the card.
pub(super) async fn pick(
    app: &App,
    req: &Req,
    ballot_id: i64,
    picks: Picks,
    slot: u8,
) -> Result<Vec<Out>, Fail> {
    let mut conn = app.db.reader();
    let (bloc, b, cands, _) = voter(conn.conn().await?, req, ballot_id).await?;
    let next = picks
        .valid(cands.len(), b.picks)?
        .toggle(slot, cands.len(), b.picks)?;
    let v = BallotView::of(&bloc, &b, &cands, 0);
    Ok(vec![card(req.t(), &b, &v, &cands, next, req.chat_id)])
}

/// The cast button: the unit's vote, final.
pub(super) async fn cast(
    app: &App,
    req: &Req,
    ballot_id: i64,
    picks: Picks,
) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let (_, b, cands, unit) = voter(&mut tx, req, ballot_id).await?;
    let slots: Vec<u8> = picks.valid(cands.len(), b.picks)?.slots().collect();
    if !ballots::cast(&mut tx, b.id, unit, &slots).await? {
        return Err(Refusal::AlreadyVoted.into());
    }
    commit(tx, req, vec![Out::to(req.chat_id, req.t().vote_cast())]).await
}

/// `/propose <UNIT> <TITLE> [reason]` and `/propose remove <UNIT> <TITLE>`.
pub(super) async fn propose(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = ProposeArgs::parse(args)?;
    let mut tx = app.db.write_scoped(Scope::Uncached).await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let unit = units::by_code(&mut tx, bloc.id, a.unit.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownUnit(a.unit.to_string()))?;
    let year = bloc.year_at(req.now);
    let (code, title) = (crate::text::esc(&unit.code), crate::text::esc(a.title.name));
    let subject = format!("{}/{}/{year}", unit.code, a.title.code);
    let t = req.t();
    let (action, text) = if a.remove {
        if !ballots::withdraw(&mut tx, unit.id, year, a.title.code).await? {
            return Err(Refusal::NoProposal {
                unit: unit.code,
                title: a.title.code.to_owned(),
            }
            .into());
        }
        (Action::ProposalRemove, t.proposal_withdrawn(&code, &title))
    } else {
        let registered = registrations::of_unit(&mut tx, unit.id, year)
            .await?
            .iter()
            .any(|c| c == a.title.code);
        let by = (sender.id, sender.name.as_str());
        let made = ballots::propose(
            &mut tx,
            bloc.id,
            year,
            unit.id,
            a.title.code,
            &a.reason,
            by,
            req.now,
        )
        .await?;
        if !made {
            return Err(Refusal::ProposalExists {
                unit: unit.code,
                title: a.title.code.to_owned(),
            }
            .into());
        }
        (Action::ProposalAdd, t.proposed(&code, &title, registered))
    };
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, action, subject)
            .unit(unit.id)
            .values(None, (!a.reason.is_empty()).then(|| a.reason.clone())),
    )
    .await?;
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}

/// `/proposals [year]`.
pub(super) async fn proposals(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let year = parse_year_arg(args)?;
    let mut conn = app.db.reader();
    let bloc = readable_bloc(app, &mut conn, req).await?;
    let year = year.unwrap_or_else(|| bloc.year_at(req.now));
    let c = conn.conn().await?;
    let fin = crate::storage::board::load(c, bloc.id, year, crate::domain::Period::Final).await?;
    let verdict = of_year(c, &bloc, year, &fin).await?;
    let lines: Vec<ProposalLine> = verdict
        .proposals
        .into_iter()
        .map(|p| ProposalLine {
            code: p.unit_code,
            name: p.unit_name,
            title: p.title_name,
            reason: p.reason,
            registered: p.registered,
            ranked: p.rank.zip(p.score).map(|(r, s)| (r as usize, s)),
            votes: p.votes,
        })
        .collect();
    Ok(vec![Out::to(
        req.chat_id,
        req.t().proposals(&bloc.name, year, &lines),
    )])
}

/// A year's verdict as the documents show it.
pub(super) struct YearVerdict {
    /// Every closed ballot of the year, oldest first.
    pub ballots: Vec<WbBallot>,
    /// The proposals, with their unit's year-end place and votes.
    pub proposals: Vec<WbProposal>,
}

/// The year's closed ballots and proposals; `fin` is the year-end board.
pub(super) async fn of_year(
    c: &mut Conn,
    bloc: &Bloc,
    year: i32,
    fin: &Board,
) -> Result<YearVerdict, Fail> {
    let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&bloc.tz).naive_local();
    let mut closed = Vec::new();
    let mut last_votes = std::collections::HashMap::new();
    for b in ballots::closed_of_year(c, bloc.id, year).await? {
        let v = view(c, bloc, &b).await?;
        last_votes = ballots::candidates(c, b.id)
            .await?
            .into_iter()
            .map(|x| (x.unit_id, x.votes))
            .collect();
        closed.push(WbBallot {
            question: b.question.clone(),
            picks: b.picks,
            opened_at: local(b.opened_at),
            closed_at: local(b.closed_at.unwrap_or(b.closes_at)),
            voted: v.voted,
            electorate: v.electorate,
            results: v.results,
        });
    }
    let regs = registrations::of_bloc(c, bloc.id, year).await?;
    let proposals = ballots::proposals(c, bloc.id, year)
        .await?
        .into_iter()
        .map(|p| {
            let standing = fin
                .standings
                .iter()
                .find(|s| s.unit_id == p.unit_id && s.ranked());
            WbProposal {
                registered: regs.iter().any(|(u, t)| *u == p.unit_id && *t == p.title),
                title_name: title::by_code(&p.title)
                    .map_or_else(|| p.title.clone(), |t| t.name.to_owned()),
                unit_code: p.code,
                unit_name: p.name,
                title_code: p.title,
                reason: p.reason,
                rank: standing.map(|s| u32::try_from(s.rank).unwrap_or(u32::MAX)),
                score: standing.map(|s| s.score),
                votes: (!closed.is_empty())
                    .then(|| last_votes.get(&p.unit_id).copied().unwrap_or(0)),
                proposed_by: p.proposer,
                at: local(p.proposed_at),
            }
        })
        .collect();
    Ok(YearVerdict {
        ballots: closed,
        proposals,
    })
}
