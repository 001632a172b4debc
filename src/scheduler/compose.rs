//! What each recipient of a send is told, from the state at send time: a
//! reminder names only what is still missing.

use chrono::{DateTime, Utc};

use crate::domain::Unit;
use crate::domain::schedule::{Deadline, Schedule, Slot, SlotKind};
use crate::domain::{Bloc, Period, ReviewState};
use crate::storage::blocs;
use crate::storage::board;
use crate::storage::{Db, Result, pledges, users};
use crate::text::{HeadReminder, Lang, Missing, Outstanding, Overdue, Summary};

/// One message to claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Chat id.
    pub recipient: i64,
    /// `head`, `summary` or `overdue`.
    pub kind: &'static str,
    /// HTML text.
    pub text: String,
}

async fn lang_of(conn: &mut crate::storage::Conn, user: i64) -> Result<Lang> {
    let (stored, _) = users::get(conn, user).await?;
    Ok(Lang::pick(stored.as_deref(), None))
}

/// What each unit still owes for a deadline (`None` when done), and the standings for mid/final.
async fn owed(
    conn: &mut crate::storage::Conn,
    bloc: &Bloc,
    year: i32,
    d: Deadline,
) -> Result<(Vec<(Unit, Option<Missing>)>, Vec<crate::domain::Standing>)> {
    match d.period() {
        None => {
            let signed = pledges::of_bloc(conn, bloc.id, year).await?;
            let units = crate::storage::units::list(conn, bloc.id).await?;
            Ok((
                units
                    .into_iter()
                    .map(|u| {
                        let m = (!signed.contains_key(&u.id)).then_some(Missing::Pledge);
                        (u, m)
                    })
                    .collect(),
                Vec::new(),
            ))
        }
        Some(period) => {
            let board = board::load(conn, bloc.id, year, period).await?;
            let owed = board
                .units
                .iter()
                .map(|u| {
                    // A unit that submitted (or was approved) owes nothing
                    // more; a returned one owes a new submit; an exempt
                    // target is never asked for.
                    let owes = match board.review(u.id) {
                        ReviewState::Submitted | ReviewState::Approved => None,
                        ReviewState::Returned(reason) => Some(Missing::Returned(reason)),
                        ReviewState::Open => {
                            let missing: Vec<(String, String)> = board
                                .applying(u.id)
                                .filter(|t| !board.values.contains_key(&(u.id, t.id)))
                                .map(|t| (t.code.clone(), t.name.clone()))
                                .collect();
                            (!missing.is_empty()).then_some(Missing::Targets(missing))
                        }
                    };
                    (u.clone(), owes)
                })
                .collect();
            Ok((owed, board.standings))
        }
    }
}

/// The messages of one send of one bloc.
pub async fn messages(
    db: &Db,
    bloc: &Bloc,
    schedule: &Schedule,
    slot: Slot,
    now: DateTime<Utc>,
) -> Result<Vec<Message>> {
    let mut conn = db.pool().acquire().await?;
    let skip = crate::storage::reminders::unreachable_of(&mut conn, bloc.id).await?;
    let (owed, standings) = owed(&mut conn, bloc, schedule.year, slot.deadline).await?;
    let date = schedule.date(slot.deadline).format("%d/%m/%Y").to_string();
    let outstanding: Vec<Outstanding> = owed
        .iter()
        .filter(|(_, m)| m.is_some())
        .map(|(u, _)| Outstanding {
            code: u.code.clone(),
            name: u.name.clone(),
            no_head: u.head_user_id.is_none(),
        })
        .collect();
    let mut out = Vec::new();
    match slot.kind {
        SlotKind::Reminder { .. } => {
            // Counted from today, not from the send's day: a catch-up after
            // downtime must not say "14 days left" on the 13th day.
            let today = bloc.today(now);
            let days_left =
                u32::try_from((schedule.date(slot.deadline) - today).num_days()).unwrap_or(0);
            for (u, missing) in &owed {
                let (Some(head), Some(missing)) = (u.head_user_id, missing) else {
                    continue;
                };
                if skip.contains(&head) {
                    continue;
                }
                let r = HeadReminder {
                    bloc: bloc.name.clone(),
                    code: u.code.clone(),
                    deadline: slot.deadline,
                    date: date.clone(),
                    days_left,
                    missing: missing.clone(),
                };
                out.push(Message {
                    recipient: head,
                    kind: "head",
                    text: lang_of(&mut conn, head).await?.texts().head_reminder(&r),
                });
            }
            if !skip.contains(&bloc.chat_id) {
                let s = Summary {
                    bloc: bloc.name.clone(),
                    deadline: slot.deadline,
                    date,
                    days_left,
                    done: owed.len() - outstanding.len(),
                    total: owed.len(),
                    outstanding,
                    standings,
                };
                out.push(Message {
                    recipient: bloc.chat_id,
                    kind: "summary",
                    text: Lang::Vi.texts().summary(&s),
                });
            }
        }
        SlotKind::Overdue if !outstanding.is_empty() => {
            let o = Overdue {
                bloc: bloc.name.clone(),
                deadline: slot.deadline,
                date,
                outstanding,
            };
            for admin in blocs::admin_ids(&mut conn, bloc.id).await? {
                if !skip.contains(&admin) {
                    out.push(Message {
                        recipient: admin,
                        kind: "overdue",
                        text: lang_of(&mut conn, admin).await?.texts().overdue(&o),
                    });
                }
            }
        }
        SlotKind::Overdue => {}
    }
    waiting_review(&mut conn, bloc, schedule, now, &skip, &mut out).await?;
    Ok(out)
}

/// On a send after a deadline, each admin hears how many units wait for
/// the review of that period (beside any other message of this send).
async fn waiting_review(
    conn: &mut crate::storage::Conn,
    bloc: &Bloc,
    schedule: &Schedule,
    now: DateTime<Utc>,
    skip: &std::collections::HashSet<i64>,
    out: &mut Vec<Message>,
) -> Result<()> {
    let today = bloc.today(now);
    for (period, deadline) in [
        (Period::Mid, schedule.mid),
        (Period::Final, schedule.final_),
    ] {
        if today <= deadline {
            continue;
        }
        let board = board::load(conn, bloc.id, schedule.year, period).await?;
        let k = board
            .units
            .iter()
            .filter(|u| board.review(u.id) == ReviewState::Submitted)
            .count();
        if k == 0 {
            continue;
        }
        for admin in blocs::admin_ids(conn, bloc.id).await? {
            if skip.contains(&admin) {
                continue;
            }
            let text = lang_of(conn, admin)
                .await?
                .texts()
                .waiting_review(k, period);
            // One message per recipient and send: joined to theirs if any.
            match out.iter_mut().find(|m| m.recipient == admin) {
                Some(m) => {
                    m.text.push_str("\n\n");
                    m.text.push_str(&text);
                }
                // The ledger's kinds predate the review: an admin's notice
                // after a deadline is filed as 'overdue'.
                None => out.push(Message {
                    recipient: admin,
                    kind: "overdue",
                    text,
                }),
            }
        }
    }
    Ok(())
}

/// Notices to the bloc's admins that `chat` refuses our messages.
pub async fn unreachable_notices(db: &Db, bloc: &Bloc, chat: i64) -> Result<Vec<(i64, String)>> {
    notices(db, bloc, chat, |t, who| t.unreachable(who)).await
}

/// Notices to the bloc's admins that Telegram refuses our messages to
/// `chat` (400) though the bot is still there.
pub async fn refused_notices(
    db: &Db,
    bloc: &Bloc,
    chat: i64,
    reason: &str,
) -> Result<Vec<(i64, String)>> {
    notices(db, bloc, chat, |t, who| t.send_refused(who, reason)).await
}

async fn notices(
    db: &Db,
    bloc: &Bloc,
    chat: i64,
    text: impl Fn(&dyn crate::text::Texts, &str) -> String,
) -> Result<Vec<(i64, String)>> {
    let mut conn = db.pool().acquire().await?;
    let head = if chat == bloc.chat_id {
        None
    } else {
        Some(
            match crate::storage::units::headed_by(&mut conn, bloc.id, chat).await? {
                Some(u) => format!("{} ({})", u.head_name.unwrap_or_default(), u.code),
                None => format!("Telegram id {chat}"),
            },
        )
    };
    let mut out = Vec::new();
    for admin in blocs::admin_ids(&mut conn, bloc.id).await? {
        if admin != chat {
            let t = lang_of(&mut conn, admin).await?.texts();
            let who = head.clone().unwrap_or_else(|| t.bloc_group(&bloc.name));
            out.push((admin, text(t, &who)));
        }
    }
    Ok(out)
}
