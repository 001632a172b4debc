//! `/history [UNIT]`: the audit log, newest first, ten lines a page, with
//! older/newer buttons.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::Callback;
use super::context::{App, Fail, Out, Req, admin_bloc};
use crate::domain::Bloc;
use crate::domain::Refusal;
use crate::domain::args::{parse_code, split_args};
use crate::storage::blocs;
use crate::storage::{audit, units};
use crate::text::{HistoryLine, HistoryView};

/// Lines per page.
pub const PAGE: i64 = 10;

/// Callback data of a page.
fn data(bloc: i64, unit: Option<i64>, offset: i64) -> String {
    Callback::History { bloc, unit, offset }.data()
}

/// One page as text and buttons.
pub(super) async fn page(
    app: &App,
    req: &Req,
    bloc: &Bloc,
    unit: Option<(i64, String)>,
    offset: i64,
) -> Result<Out, Fail> {
    let mut conn = app.db.pool().acquire().await?;
    let unit_id = unit.as_ref().map(|u| u.0);
    let (rows, total) = audit::page(&mut conn, bloc.id, unit_id, offset, PAGE).await?;
    let names = audit::names(&mut conn, bloc.id).await?;
    let view = HistoryView {
        bloc: bloc.name.clone(),
        unit: unit.as_ref().map(|u| u.1.clone()),
        lines: rows
            .into_iter()
            .map(|r| HistoryLine {
                at: bloc.local_time(r.at),
                who: names.get(&r.user_id).cloned(),
                user_id: r.user_id,
                action: r.action,
                subject: r.subject,
                old: r.old_value,
                new: r.new_value,
            })
            .collect(),
        page: (offset / PAGE + 1, (total + PAGE - 1) / PAGE),
    };
    let mut buttons = Vec::new();
    if offset + PAGE < total {
        buttons.push(InlineKeyboardButton::callback(
            req.t().older(),
            data(bloc.id, unit_id, offset + PAGE),
        ));
    }
    if offset > 0 {
        buttons.push(InlineKeyboardButton::callback(
            req.t().newer(),
            data(bloc.id, unit_id, (offset - PAGE).max(0)),
        ));
    }
    let mut out = Out::to(req.chat_id, req.t().history(&view));
    if !buttons.is_empty() {
        out.keyboard = Some(InlineKeyboardMarkup::new([buttons]));
    }
    Ok(out)
}

pub(super) async fn history(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let words = split_args(args, 2);
    if words.len() > 1 {
        return Err(Refusal::BadUsage.into());
    }
    let (bloc, unit) = {
        let mut conn = app.db.pool().acquire().await?;
        let (bloc, _) = admin_bloc(app, &mut conn, req).await?;
        let unit = match words.first() {
            Some(w) => {
                let code = parse_code(w)?;
                let u = units::by_code(&mut conn, bloc.id, code.as_str())
                    .await?
                    .ok_or_else(|| Refusal::UnknownUnit(code.to_string()))?;
                Some((u.id, u.code))
            }
            None => None,
        };
        (bloc, unit)
    };
    Ok(vec![page(app, req, &bloc, unit, 0).await?])
}

/// A page button: only an admin of that bloc may turn pages.
pub(super) async fn turn(
    app: &App,
    req: &Req,
    bloc_id: i64,
    unit_id: Option<i64>,
    offset: i64,
) -> Result<Out, Fail> {
    let sender = req.writer()?;
    let (bloc, unit) = {
        let mut conn = app.db.pool().acquire().await?;
        let bloc = blocs::by_id(&mut conn, bloc_id)
            .await?
            .ok_or(Refusal::NotBlocAdmin)?;
        if !blocs::is_admin(&mut conn, bloc.id, sender.id).await? {
            return Err(Refusal::NotBlocAdmin.into());
        }
        let unit = match unit_id {
            Some(id) => units::by_id(&mut conn, id)
                .await?
                .filter(|u| u.bloc_id == bloc.id)
                .map(|u| (u.id, u.code)),
            None => None,
        };
        (bloc, unit)
    };
    page(app, req, &bloc, unit, offset).await
}
