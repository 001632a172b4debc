//! A bloc's targets: /target add|set|remove|restore|list|confirm and
//! /targets.

use super::context::{App, Fail, Out, Req, Sender, admin_bloc, commit, readable_bloc};
use crate::domain::Bloc;
use crate::domain::Target;
use crate::domain::args::{TargetAdd, TargetSet, parse_target_code, shorten};
use crate::domain::{Goal, Refusal};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::targets::{NewTarget, TargetState};
use crate::storage::{Scope, Write, targets, units};
use crate::text::{Lang, TargetLine, format_goal};

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

pub(super) async fn target_add(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let a = TargetAdd::parse(args)?;
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
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
    targets::insert(&mut tx, bloc.id, year, &new, req.now).await?;
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
        Entry::new(
            sender.id,
            bloc.id,
            Action::TargetAdd,
            format!("{}/{year}", a.code),
        )
        .values(
            None,
            Some(format!(
                "{} {} w{} {}",
                a.kind.as_str(),
                format_goal(Lang::En.texts(), a.kind, a.goal),
                a.weight,
                a.name
            )),
        ),
    )
    .await?;
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
    let year = bloc.year_at(req.now);
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
        Entry::new(
            sender.id,
            bloc.id,
            Action::TargetGoal,
            format!("{}/{}", unit.code, target.code),
        )
        .unit(unit.id)
        .values(
            Some(format_goal(en, target.kind, old)),
            Some(format_goal(en, target.kind, goal)),
        ),
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

/// A target of this year named by `args` (one code), archived or not, in
/// a bloc the sender administers.
async fn admin_target(
    app: &App,
    tx: &mut Write,
    req: &Req,
    args: &str,
) -> Result<(Bloc, Sender, i32, Target, TargetState), Fail> {
    let code = one_target_code(args)?;
    let (bloc, sender) = admin_bloc(app, tx, req).await?;
    let year = bloc.year_at(req.now);
    let (target, state) = targets::with_state(tx, bloc.id, year, code.as_str())
        .await?
        .ok_or_else(|| Refusal::UnknownTarget(code.to_string()))?;
    Ok((bloc, sender, year, target, state))
}

/// `/target remove`: a target with reported values (any period) is archived,
/// never deleted, so that no value is lost and `/target restore` can bring it
/// back; one without values (a draft, or one added by mistake) is deleted as
/// before, which frees its code for `/target add`.
///
/// The write is `Scope::All`: the cached boards, which hold this year's
/// targets, must drop it.
pub(super) async fn target_remove(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, sender, year, target, state) = admin_target(app, &mut tx, req, args).await?;
    if state == TargetState::Archived {
        return Err(Refusal::TargetArchived(target.code).into());
    }
    let reports = targets::report_count(&mut tx, target.id).await?;
    let subject = format!("{}/{year}", target.code);
    let (action, reply) = if reports > 0 {
        targets::archive(&mut tx, target.id, req.now).await?;
        (
            Action::TargetArchive,
            req.t().target_archived(&target.code, reports),
        )
    } else {
        targets::delete(&mut tx, target.id).await?;
        (Action::TargetRemove, req.t().target_removed(&target.code))
    };
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, action, subject).values(
            Some(target.name.clone()),
            (reports > 0).then(|| format!("archived, {reports} reports kept")),
        ),
    )
    .await?;
    commit(tx, req, vec![Out::to(req.chat_id, reply)]).await
}

/// `/target restore`: an archived target of this year comes back with its
/// values, unit goals and all; the scores count it again.
pub(super) async fn target_restore(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, sender, year, target, state) = admin_target(app, &mut tx, req, args).await?;
    if state != TargetState::Archived {
        return Err(Refusal::TargetNotArchived(target.code).into());
    }
    targets::restore(&mut tx, target.id).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            bloc.id,
            Action::TargetRestore,
            format!("{}/{year}", target.code),
        )
        .values(None, Some(target.name.clone())),
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
    let year = bloc.year_at(req.now);
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

pub(super) async fn target_confirm(app: &App, req: &Req) -> Result<Vec<Out>, Fail> {
    let mut tx = app.db.write().await?;
    let (bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    targets::roll_over(&mut tx, bloc.id, year, req.now).await?;
    let n = targets::confirm_drafts(&mut tx, bloc.id, year).await?;
    if n == 0 {
        return Err(Refusal::NoDrafts.into());
    }
    audit::append(
        &mut tx,
        req.now,
        Entry::new(sender.id, bloc.id, Action::TargetConfirm, format!("{year}"))
            .values(None, Some(format!("{n} targets"))),
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().targets_confirmed(n, year))],
    )
    .await
}
