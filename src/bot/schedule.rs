//! `/schedule`: the year's deadlines, reminder days, send time and zone.

use super::context::{App, Fail, Out, Req, admin_bloc, commit, readable_bloc};
use crate::domain::Bloc;
use crate::domain::Refusal;
use crate::domain::args::{ScheduleCmd, shorten, split_args};
use crate::domain::schedule::{
    Deadline, Schedule, format_remind, parse_date, parse_remind, parse_time, parse_tz,
};
use crate::storage::audit::{self, Action, Entry};
use crate::storage::schedules;
use crate::text::ScheduleView;

fn view(bloc: &Bloc, s: &Schedule, now: chrono::DateTime<chrono::Utc>) -> ScheduleView {
    let today = bloc.today(now);
    ScheduleView {
        bloc: bloc.name.clone(),
        year: s.year,
        tz: s.tz.name().to_owned(),
        send_time: s.send_time.format("%H:%M").to_string(),
        remind: format_remind(&s.remind),
        deadlines: Deadline::ALL
            .into_iter()
            .map(|d| {
                (
                    d,
                    s.date(d).format("%d/%m/%Y").to_string(),
                    s.date(d) < today,
                )
            })
            .collect(),
        next: s
            .next_after(now)
            .map(|slot| (slot.deadline, bloc.local_time(slot.at))),
    }
}

pub(super) async fn schedule(app: &App, req: &Req, cmd: ScheduleCmd<'_>) -> Result<Vec<Out>, Fail> {
    if cmd == ScheduleCmd::Show {
        let mut conn = app.db.pool().acquire().await?;
        let bloc = readable_bloc(app, &mut conn, req).await?;
        let s = schedules::get(&mut conn, bloc.id, bloc.year_at(req.now), bloc.tz).await?;
        return Ok(vec![Out::to(
            req.chat_id,
            req.t().schedule(&view(&bloc, &s, req.now)),
        )]);
    }
    let mut tx = app.db.write().await?;
    let (mut bloc, sender) = admin_bloc(app, &mut tx, req).await?;
    let year = bloc.year_at(req.now);
    let mut s = schedules::get(&mut tx, bloc.id, year, bloc.tz).await?;
    let (subject, old, new) = match cmd {
        ScheduleCmd::Set(rest) => {
            let [d, date] = split_args(rest, 2)[..] else {
                return Err(Refusal::BadUsage.into());
            };
            let d = Deadline::parse(d).ok_or_else(|| Refusal::BadDeadline(shorten(d)))?;
            let date = parse_date(date).ok_or_else(|| Refusal::BadDate(shorten(date)))?;
            let old = s.date(d);
            s.move_deadline(d, date)?;
            (
                format!("deadline {}", d.as_str()),
                old.to_string(),
                date.to_string(),
            )
        }
        ScheduleCmd::Remind(rest) => {
            if rest.is_empty() {
                return Err(Refusal::BadUsage.into());
            }
            let days = parse_remind(rest).ok_or_else(|| Refusal::BadRemind(shorten(rest)))?;
            let old = format_remind(&s.remind);
            s.remind = days;
            ("remind".to_owned(), old, format_remind(&s.remind))
        }
        ScheduleCmd::Time(rest) => {
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                return Err(Refusal::BadUsage.into());
            }
            let t = parse_time(rest).ok_or_else(|| Refusal::BadTime(shorten(rest)))?;
            let old = s.send_time.format("%H:%M").to_string();
            s.send_time = t;
            ("send time".to_owned(), old, t.format("%H:%M").to_string())
        }
        ScheduleCmd::Tz(rest) => {
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                return Err(Refusal::BadUsage.into());
            }
            let tz = parse_tz(rest).ok_or_else(|| Refusal::BadTimeZone(shorten(rest)))?;
            let old = s.tz.name().to_owned();
            schedules::set_tz(&mut tx, bloc.id, tz).await?;
            // The year is a calendar year in the bloc's zone: around New Year
            // the new zone may be in another year than the old one.
            bloc.tz = tz;
            s = schedules::get(&mut tx, bloc.id, bloc.year_at(req.now), bloc.tz).await?;
            ("time zone".to_owned(), old, tz.name().to_owned())
        }
        // Refused only now, as before: a non-admin hears that first.
        ScheduleCmd::Show | ScheduleCmd::Unknown => return Err(Refusal::BadUsage.into()),
    };
    let year = s.year;
    if !matches!(cmd, ScheduleCmd::Tz(_)) {
        schedules::put(&mut tx, bloc.id, &s).await?;
    }
    audit::append(
        &mut tx,
        req.now,
        Entry::new(
            sender.id,
            bloc.id,
            Action::Schedule,
            format!("{subject} {year}"),
        )
        .values(Some(old), Some(new)),
    )
    .await?;
    let text = format!(
        "{}\n{}",
        req.t().schedule_updated(),
        req.t().schedule(&view(&bloc, &s, req.now))
    );
    commit(tx, req, vec![Out::to(req.chat_id, text)]).await
}
