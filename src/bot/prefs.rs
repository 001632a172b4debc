//! A user's own settings: the current bloc (/bloc) and language (/lang).

use super::context::{App, Fail, Out, Req, commit};
use crate::domain::Refusal;
use crate::domain::args::shorten;
use crate::storage::audit::{self, Action, Entry};
use crate::storage::{blocs, users};
use crate::text::{BlocLine, Lang};

pub(super) async fn bloc(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    req.private_only()?;
    let sender = req.writer()?.clone();
    let mut tx = app.db.write().await?;
    let mine = blocs::of_user(&mut tx, sender.id).await?;
    if mine.is_empty() {
        return Err(Refusal::NoBloc.into());
    }
    let (_, current) = users::get(&mut tx, sender.id).await?;
    if args.is_empty() {
        let only = mine.len() == 1;
        let lines: Vec<_> = mine
            .iter()
            .map(|b| BlocLine {
                id: b.id,
                name: b.name.clone(),
                current: only || Some(b.id) == current,
            })
            .collect();
        return Ok(vec![Out::to(req.chat_id, req.t().blocs(&lines))]);
    }
    let wanted = args.to_lowercase();
    let by_id = args
        .parse::<i64>()
        .ok()
        .and_then(|id| mine.iter().find(|b| b.id == id));
    let by_name = || {
        let exact: Vec<_> = mine
            .iter()
            .filter(|b| b.name.to_lowercase() == wanted)
            .collect();
        let partial: Vec<_> = mine
            .iter()
            .filter(|b| b.name.to_lowercase().contains(&wanted))
            .collect();
        match (exact.len(), partial.len()) {
            (1, _) => Some(exact[0]),
            (0, 1) => Some(partial[0]),
            _ => None,
        }
    };
    let picked = by_id
        .or_else(by_name)
        .ok_or_else(|| Refusal::UnknownBloc(shorten(args)))?
        .clone();
    users::set_current_bloc(&mut tx, sender.id, picked.id).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            picked.id,
            Action::UserBloc,
            format!("user {}", sender.id),
        )
        .values(current.map(|c| c.to_string()), Some(picked.id.to_string())),
    )
    .await?;
    commit(
        tx,
        req,
        vec![Out::to(req.chat_id, req.t().bloc_picked(&picked.name))],
    )
    .await
}

pub(super) async fn lang(app: &App, req: &Req, args: &str) -> Result<Vec<Out>, Fail> {
    let sender = req.writer()?.clone();
    if args.is_empty() {
        return Err(Refusal::BadUsage.into());
    }
    let lang = Lang::parse(args).ok_or_else(|| Refusal::BadLang(shorten(args)))?;
    let mut tx = app.db.write().await?;
    let (old, _) = users::get(&mut tx, sender.id).await?;
    users::set_lang(&mut tx, sender.id, lang.code()).await?;
    audit::append(
        &mut tx,
        req.now,
        Entry {
            user_id: sender.id,
            bloc_id: None,
            unit_id: None,
            action: Action::UserLang,
            subject: format!("user {}", sender.id),
            old,
            new: Some(lang.code().to_owned()),
        },
    )
    .await?;
    commit(tx, req, vec![Out::to(req.chat_id, lang.texts().lang_set())]).await
}
