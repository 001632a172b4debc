//! `/titles` and `/register`: the titles a unit aims for this year.

use crate::storage::Source;

use super::context::{App, Fail, Out, Req, commit, head_unit};
use crate::domain::Refusal;
use crate::domain::args::{shorten, split_args};
use crate::domain::title;
use crate::storage::audit::{self, Action, Entry};
use crate::storage::registrations;

/// (code, name) of the titles a unit registered for the year.
pub(super) async fn registered(
    app: &App,
    conn: &mut impl Source,
    unit_id: i64,
    year: i32,
) -> Result<Vec<(String, String)>, Fail> {
    Ok(app
        .db
        .cache()
        .titles(conn, unit_id, year)
        .await?
        .into_iter()
        .map(|code| {
            let name = title::by_code(&code).map_or_else(|| code.clone(), |t| t.name.to_owned());
            (code, name)
        })
        .collect())
}

pub(super) fn titles(req: &Req) -> Result<Vec<Out>, Fail> {
    Ok(vec![Out::to(req.chat_id, req.t().titles())])
}

pub(super) async fn register(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let words = split_args(args, 20);
    if words.is_empty() || words.len() > 7 {
        return Err(Refusal::BadUsage.into());
    }
    let mut wanted = Vec::new();
    for w in words {
        let t = title::by_code(w).ok_or_else(|| Refusal::UnknownTitle(shorten(w)))?;
        if !wanted.contains(&t.code) {
            wanted.push(t.code);
        }
    }
    let mut tx = app.db.write().await?;
    let (bloc, unit, sender) = head_unit(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    for code in wanted {
        if registrations::register(&mut tx, unit.id, year, code, sender.id, req.now).await? {
            audit::append(
                &mut tx,
                req.now,
                Entry::new(
                    sender.id,
                    bloc.id,
                    Action::TitleRegister,
                    format!("{}/{year}", unit.code),
                )
                .unit(unit.id)
                .values(None, Some(code.to_owned())),
            )
            .await?;
        }
    }
    let all = registered(app, &mut tx, unit.id, year).await?;
    let text = req.t().registered(&unit.code, year, &all);
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}
