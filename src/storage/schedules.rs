//! A bloc's schedule per year; no row means the defaults.

use crate::storage::Conn;
use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::{Result, StorageError};
use crate::domain::schedule::{Schedule, format_remind, parse_remind};

type Row = (String, String, String, String, String);

/// The bloc's schedule for `year` in time zone `tz`.
pub async fn get(conn: &mut Conn, bloc_id: i64, year: i32, tz: Tz) -> Result<Schedule> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT pledge_date, mid_date, final_date, remind_days, send_time FROM schedules WHERE bloc_id = $1 AND year = $2",
    )
    .bind(bloc_id)
    .bind(year)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((p, m, f, r, t)) = row else {
        // A new year keeps the bloc's reminder days and send time; only the
        // dates start again from the defaults.
        let mut s = Schedule::default_for(year, tz);
        let last: Option<(String, String)> = sqlx::query_as(
            "SELECT remind_days, send_time FROM schedules WHERE bloc_id = $1 AND year < $2 ORDER BY year DESC LIMIT 1",
        )
        .bind(bloc_id)
        .bind(year)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((r, t)) = last {
            s.remind = parse_remind(&r).unwrap_or(s.remind);
            s.send_time = NaiveTime::parse_from_str(&t, "%H:%M").unwrap_or(s.send_time);
        }
        return Ok(s);
    };
    let corrupt = || StorageError::Corrupt(format!("schedule {bloc_id}/{year}"));
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt());
    Ok(Schedule {
        year,
        pledge: date(&p)?,
        mid: date(&m)?,
        final_: date(&f)?,
        remind: parse_remind(&r).ok_or_else(corrupt)?,
        send_time: NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| corrupt())?,
        tz,
    })
}

/// Stores the bloc's schedule for its year (the time zone lives on the bloc).
pub async fn put(conn: &mut Conn, bloc_id: i64, s: &Schedule) -> Result<()> {
    sqlx::query(
        "INSERT INTO schedules (bloc_id, year, pledge_date, mid_date, final_date, remind_days, send_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (bloc_id, year) DO UPDATE SET pledge_date = excluded.pledge_date,
            mid_date = excluded.mid_date, final_date = excluded.final_date,
            remind_days = excluded.remind_days, send_time = excluded.send_time",
    )
    .bind(bloc_id)
    .bind(s.year)
    .bind(s.pledge.format("%Y-%m-%d").to_string())
    .bind(s.mid.format("%Y-%m-%d").to_string())
    .bind(s.final_.format("%Y-%m-%d").to_string())
    .bind(format_remind(&s.remind))
    .bind(s.send_time.format("%H:%M").to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a bloc's time zone.
pub async fn set_tz(conn: &mut Conn, bloc_id: i64, tz: Tz) -> Result<()> {
    sqlx::query("UPDATE blocs SET tz = $1 WHERE id = $2")
        .bind(tz.name())
        .bind(bloc_id)
        .execute(conn)
        .await?;
    Ok(())
}
