//! The daily backup that `thidua run` takes: its file names, when it is
//! due, and which old ones go.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use super::error::{Result, io};
use super::files::list_names;
use crate::storage::Db;

/// Local time of day from which the daily backup is due.
pub const DAILY_BACKUP_AT: NaiveTime = match NaiveTime::from_hms_opt(2, 0, 0) {
    Some(t) => t,
    None => panic!("02:00 is a time"),
};
/// How many daily backups are kept.
pub const DAILY_BACKUPS_KEPT: usize = 14;

/// The name of the daily backup of `date`.
pub fn daily_backup_name(date: NaiveDate) -> String {
    format!("thidua-{}.db", date.format("%Y-%m-%d"))
}

/// The date of a daily backup's file name; `None` for any other file.
fn daily_backup_date(name: &str) -> Option<NaiveDate> {
    let date = name.strip_prefix("thidua-")?.strip_suffix(".db")?;
    // Exactly YYYY-MM-DD: chrono alone would also take `2026-3-2`.
    let shape_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// The daily backup to write now, if any: from 02:00 local time, once a day
/// (the day's file existing means done; a day the bot was down at 02:00 is
/// caught up when it runs again).
pub fn backup_due(now_local: NaiveDateTime, existing: &[String]) -> Option<String> {
    if now_local.time() < DAILY_BACKUP_AT {
        return None;
    }
    let name = daily_backup_name(now_local.date());
    (!existing.contains(&name)).then_some(name)
}

/// The daily backups to delete so that the newest `keep` remain; other
/// files are never touched.
pub fn backups_to_delete(existing: &[String], keep: usize) -> Vec<String> {
    let mut daily: Vec<(NaiveDate, &String)> = existing
        .iter()
        .filter_map(|n| daily_backup_date(n).map(|d| (d, n)))
        .collect();
    daily.sort();
    let excess = daily.len().saturating_sub(keep);
    daily[..excess].iter().map(|(_, n)| (*n).clone()).collect()
}

/// Writes today's daily backup into `dir` if it is due, then deletes the
/// oldest beyond the last 14. Returns the file written, if any.
pub async fn daily_backup(
    database: &Db,
    dir: &Path,
    now_local: NaiveDateTime,
) -> Result<Option<PathBuf>> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(format!("creating {}", dir.display())))?;
    let Some(name) = backup_due(now_local, &list_names(dir)?) else {
        return Ok(None);
    };
    let dest = dir.join(&name);
    copy_into(database, &dest).await?;
    for old in backups_to_delete(&list_names(dir)?, DAILY_BACKUPS_KEPT) {
        let old = dir.join(old);
        fs::remove_file(&old).map_err(io(format!("deleting {}", old.display())))?;
    }
    Ok(Some(dest))
}

/// Writes the copy of the live database.
#[cfg(not(feature = "postgres"))]
async fn copy_into(database: &Db, dest: &Path) -> Result<()> {
    let mut conn = database
        .pool()
        .acquire()
        .await
        .map_err(super::error::db("taking a connection for the backup"))?;
    super::backup::backup_into(&mut conn, dest).await
}

/// PostgreSQL is backed up with its own tools: the configuration refuses
/// `THIDUA_BACKUP_DIR` there, so this is never asked.
#[cfg(feature = "postgres")]
async fn copy_into(_database: &Db, dest: &Path) -> Result<()> {
    Err(super::error::OpsError::NotSqlite(dest.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_backup_is_due_before_two_in_the_morning() {
        assert_eq!(backup_due(at("2026-03-02", "01:59"), &[]), None);
        assert_eq!(backup_due(at("2026-03-02", "00:00"), &[]), None);
    }

    #[test]
    fn the_days_backup_is_due_from_two_until_written() {
        assert_eq!(
            backup_due(at("2026-03-02", "02:00"), &[]).as_deref(),
            Some("thidua-2026-03-02.db")
        );
        // Yesterday's file does not count for today.
        let yesterday = names(&["thidua-2026-03-01.db"]);
        assert_eq!(
            backup_due(at("2026-03-02", "23:59"), &yesterday).as_deref(),
            Some("thidua-2026-03-02.db")
        );
        let today = names(&["thidua-2026-03-02.db"]);
        assert_eq!(backup_due(at("2026-03-02", "02:01"), &today), None);
    }

    #[test]
    fn a_day_missed_at_two_is_caught_up_later_that_day() {
        // The bot was down at 02:00 and started at 15:30.
        assert_eq!(
            backup_due(at("2026-03-02", "15:30"), &names(&["thidua-2026-02-28.db"])).as_deref(),
            Some("thidua-2026-03-02.db")
        );
    }

    #[test]
    fn only_the_newest_fourteen_daily_backups_are_kept() {
        let mut all: Vec<String> = (1..=20)
            .map(|d| daily_backup_name(NaiveDate::from_ymd_opt(2026, 3, d).unwrap()))
            .collect();
        all.reverse(); // the directory's order is not the date order
        let mut gone = backups_to_delete(&all, 14);
        gone.sort();
        let want: Vec<String> = (1..=6)
            .map(|d| daily_backup_name(NaiveDate::from_ymd_opt(2026, 3, d).unwrap()))
            .collect();
        assert_eq!(gone, want);
        assert!(backups_to_delete(&all[..14], 14).is_empty());
    }

    #[test]
    fn files_not_named_like_a_daily_backup_are_never_deleted() {
        let existing = names(&[
            "thidua-2020-01-01.db",
            "thidua-2020-01-02.db",
            "thidua.db",
            "thidua-2019-1-1.db",
            "thidua-2019-01-01.db.tmp",
            ".thidua-2019-01-01.db.backup-7.tmp",
            "thidua-2019-02-30.db",
            "manual-2019-01-01.db",
            "thidua-2019-01-01.db-wal",
        ]);
        assert_eq!(
            backups_to_delete(&existing, 1),
            names(&["thidua-2020-01-01.db"])
        );
        assert!(backups_to_delete(&existing, 2).is_empty());
    }
}
