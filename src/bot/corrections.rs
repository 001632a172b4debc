//! Corrections after approval: `/correct`, `/corrections`, `/accept`,
//! `/reject`, and the Accept and Reject buttons.
//!
//! A decision reads the request inside its write transaction, so that two
//! admins deciding at once give one winner and one refusal. An accepted
//! value is a new report row written as `/report` writes one (history
//! kept, the cached board patched).

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::Callback;
use super::context::{App, Fail, Out, Req, admin_bloc, commit, head_unit, lang_of, open_period};
use super::report::parse_value;
use crate::domain::correction::{CorrectArgs, parse_reject, parse_request_no};
use crate::domain::{Bloc, Patch, Refusal, ReviewState};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::corrections::{self, Correction, Decision, NewCorrection};
use crate::storage::reports::{self, NewReport};
use crate::storage::{Source, Write, blocs};
use crate::text::{CorrectionView, Texts};

/// How long a pressed Reject waits for its reason.
const REASON_WAIT: chrono::Duration = chrono::Duration::minutes(30);

/// `/correct <TARGET> [mid|final] <value> <reason>`: the head asks; each
/// bloc admin gets the request with Accept and Reject.
pub(super) async fn correct(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let a = CorrectArgs::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, unit, sender) = head_unit(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    let period = match a.period {
        Some(p) => p,
        None => open_period(app, &mut tx, &bloc, req.now).await?,
    };
    let board = tx.board(bloc.id, year, period).await?;
    if board.review(unit.id) != ReviewState::Approved {
        return Err(Refusal::NotApprovedYet.into());
    }
    let target = board
        .targets
        .iter()
        .find(|t| t.code == a.target.as_str())
        .cloned()
        .ok_or_else(|| Refusal::UnknownTarget(a.target.to_string()))?;
    drop(board);
    let value = parse_value(&target, &a.value)?;
    let old = corrections::current_raw(&mut tx, unit.id, target.id, period).await?;
    let new = NewCorrection {
        bloc_id: bloc.id,
        unit_id: unit.id,
        target_id: target.id,
        year,
        period,
        old_raw: old.as_deref(),
        value,
        raw: &a.value,
        reason: &a.reason,
        by: sender.id,
    };
    let (id, no) = corrections::insert(&mut tx, &new, req.now).await?;
    let subject = format!(
        "{}/{}/{}/{year} #{no}",
        unit.code,
        target.code,
        period.as_str()
    );
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::CorrectionRequest, subject)
            .unit(unit.id)
            .values(old.clone(), Some(with_reason(&a.value, &a.reason))),
    )
    .await?;
    let view = CorrectionView {
        no,
        unit: unit.code.clone(),
        target: target.code.clone(),
        period,
        old,
        new: a.value.clone(),
        reason: a.reason.clone(),
    };
    let mut outs = vec![Out::to(req.chat_id, req.t().correction_asked(&view))];
    for admin in blocs::admin_ids(&mut tx, bloc.id).await? {
        if admin == sender.id {
            continue;
        }
        let t = lang_of(&mut tx, admin).await?.texts();
        let mut out = Out::to(admin, t.correction_notice(&view));
        // The buttons carry the row id: numbers are per bloc.
        out.keyboard = Some(buttons(t, id));
        outs.push(out);
    }
    commit(tx, req, outs).await
}

/// The Accept and Reject buttons of a request.
fn buttons(t: &dyn Texts, id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(t.accept_button(), Callback::Accept(id).data()),
        InlineKeyboardButton::callback(t.reject_button(), Callback::Reject(id).data()),
    ]])
}

/// `/corrections`: the bloc's pending requests, numbered.
pub(super) async fn list(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut conn = app.db.reader();
    let (bloc, _) = admin_bloc(app, &mut conn, req).await?;
    let rows: Vec<CorrectionView> = corrections::pending(conn.conn().await?, bloc.id)
        .await?
        .iter()
        .map(view)
        .collect();
    Ok(vec![Out::to(req.chat_id, req.t().corrections_list(&rows))])
}

/// `/accept <N>`.
pub(super) async fn accept(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let no = parse_request_no(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let c = corrections::by_no(&mut tx, bloc.id, no)
        .await?
        .ok_or(Refusal::UnknownCorrection(no))?;
    let outs = decide(&mut tx, req, &bloc, &c, sender.id, None).await?;
    commit(tx, req, outs).await
}

/// `/reject <N> <reason>`.
pub(super) async fn reject(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let (no, reason) = parse_reject(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let c = corrections::by_no(&mut tx, bloc.id, no)
        .await?
        .ok_or(Refusal::UnknownCorrection(no))?;
    let outs = decide(&mut tx, req, &bloc, &c, sender.id, Some(&reason)).await?;
    commit(tx, req, outs).await
}

/// Accepts (`reason` none) or rejects a pending request inside `tx`; the
/// replies: to the admin, and to the head who asked, privately.
async fn decide(
    tx: &mut Write,
    req: &Req,
    bloc: &Bloc,
    c: &Correction,
    by: i64,
    reason: Option<&str>,
) -> Result<Vec<Out>, Fail> {
    match c.state {
        Decision::Pending => {}
        Decision::Accepted => return Err(Refusal::CorrectionDecided { accepted: true }.into()),
        Decision::Rejected => return Err(Refusal::CorrectionDecided { accepted: false }.into()),
    }
    let subject = format!(
        "{}/{}/{}/{} #{}",
        c.unit_code,
        c.target_code,
        c.period.as_str(),
        c.year,
        c.no
    );
    // The value now, which the request may not have seen (kept in the log).
    let old = corrections::current_raw(tx, c.unit_id, c.target_id, c.period).await?;
    if reason.is_none() {
        let board = tx.board(bloc.id, c.year, c.period).await?;
        if !board.targets.iter().any(|t| t.id == c.target_id) {
            return Err(Refusal::UnknownTarget(c.target_code.clone()).into());
        }
        drop(board);
        let new = NewReport {
            unit_id: c.unit_id,
            target_id: c.target_id,
            period: c.period,
            value: c.value,
            raw: &c.raw,
            note: &c.reason,
            reported_by: by,
        };
        let report_id = reports::insert_audited(tx, &new, req.now, bloc.id, &subject, None).await?;
        tx.patch_board(
            bloc.id,
            Patch {
                year: c.year,
                period: c.period,
                unit_id: c.unit_id,
                target_id: c.target_id,
                value: c.value,
                report_id,
                at: req.now,
            },
        );
    }
    if !corrections::decide(tx, c.id, reason.is_none(), reason, by, req.now).await? {
        // Not reached: the state was read in this transaction.
        return Err(Refusal::CorrectionDecided { accepted: false }.into());
    }
    let (action, why) = match reason {
        None => (Action::CorrectionAccept, c.reason.as_str()),
        Some(r) => (Action::CorrectionReject, r),
    };
    audit::append(
        tx,
        req.now,
        Entry::new(by, bloc.id, action, subject)
            .unit(c.unit_id)
            .values(old, Some(with_reason(&c.raw, why))),
    )
    .await?;
    let v = view(c);
    let t = req.t();
    let mut outs = vec![Out::to(
        req.chat_id,
        match reason {
            None => t.correction_accepted(&v),
            Some(r) => t.correction_rejected(&v, r),
        },
    )];
    if c.requested_by != req.chat_id {
        let th = lang_of(tx, c.requested_by).await?.texts();
        outs.push(Out::to(
            c.requested_by,
            match reason {
                None => th.correction_accepted_head(&v),
                Some(r) => th.correction_rejected_head(&v, r),
            },
        ));
    }
    Ok(outs)
}

/// The Accept button.
pub(super) async fn accept_button(app: &App, req: &Req, id: i64) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, c, by) = pressed_by_admin(&mut tx, req, id).await?;
    let outs = decide(&mut tx, req, &bloc, &c, by, None).await?;
    commit(tx, req, outs).await
}

/// The Reject button: the reason is asked as the admin's next message here.
pub(super) async fn reject_button(app: &App, req: &Req, id: i64) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (_, c, by) = pressed_by_admin(&mut tx, req, id).await?;
    // Refused now rather than after the reason is typed.
    match c.state {
        Decision::Pending => {}
        Decision::Accepted => return Err(Refusal::CorrectionDecided { accepted: true }.into()),
        Decision::Rejected => return Err(Refusal::CorrectionDecided { accepted: false }.into()),
    }
    corrections::await_reason(&mut tx, by, req.chat_id, c.id, req.now + REASON_WAIT).await?;
    let text = req.t().ask_reject_reason(c.no);
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}

/// A message from an admin who pressed Reject in this chat: the reason.
/// `None` when no Reject waits for one.
pub(super) async fn reason(app: &App, req: &Req, text: &str) -> Result<Option<Vec<Out>>, Fail> {
    let Some(sender) = req.sender.as_ref() else {
        return Ok(None);
    };
    // Read first: most messages answer no Reject, and need no write lock.
    let mut conn = app.db.reader();
    let waiting = corrections::waiting_reason(conn.conn().await?, sender.id, req.chat_id, req.now);
    if waiting.await?.is_none() {
        return Ok(None);
    }
    drop(conn);
    let mut tx = app.db.write().await?;
    let Some(id) = corrections::waiting_reason(&mut tx, sender.id, req.chat_id, req.now).await?
    else {
        return Ok(None);
    };
    let reason = crate::domain::args::parse_name(text)?;
    let (bloc, c, by) = pressed_by_admin(&mut tx, req, id).await?;
    corrections::forget_reason(&mut tx, by).await?;
    let outs = decide(&mut tx, req, &bloc, &c, by, Some(&reason)).await?;
    commit(tx, req, outs).await.map(Some)
}

/// `/cancel` of a Reject waiting for its reason; `None` if there was none.
pub(super) async fn cancel(app: &App, req: &Req) -> Result<Option<Vec<Out>>, Fail> {
    let Some(sender) = req.sender.as_ref() else {
        return Ok(None);
    };
    let mut tx = app.db.write().await?;
    if !corrections::forget_reason(&mut tx, sender.id).await? {
        return Ok(None);
    }
    let text = req.t().reject_cancelled();
    commit(tx, req, vec![Out::to(req.chat_id, text)])
        .await
        .map(Some)
}

/// The request a button names, with its bloc, if the one who pressed it is
/// an admin of that bloc.
async fn pressed_by_admin(
    tx: &mut Write,
    req: &Req,
    id: i64,
) -> Result<(Bloc, Correction, i64), Fail> {
    let sender = req.writer()?.id;
    let c = corrections::by_id(tx, id)
        .await?
        .ok_or(Refusal::UnknownCorrection(id))?;
    let bloc = blocs::by_id(tx, c.bloc_id)
        .await?
        .ok_or(Refusal::NotABloc)?;
    if !blocs::is_admin(tx, bloc.id, sender).await? {
        return Err(Refusal::NotBlocAdmin.into());
    }
    Ok((bloc, c, sender))
}

/// A request as shown.
fn view(c: &Correction) -> CorrectionView {
    CorrectionView {
        no: c.no,
        unit: c.unit_code.clone(),
        target: c.target_code.clone(),
        period: c.period,
        old: c.old_raw.clone(),
        new: c.raw.clone(),
        reason: c.reason.clone(),
    }
}

/// A value with why, as the audit log keeps it.
fn with_reason(raw: &str, reason: &str) -> String {
    format!("{raw} — {reason}")
}
