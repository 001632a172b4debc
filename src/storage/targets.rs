//! Targets of a bloc's year and units' own goals.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use std::collections::HashMap;

use super::{Result, StorageError};
use crate::domain::{Goal, Target, TargetKind};

/// A target as stored.
#[derive(Debug, Clone, FromRow)]
pub struct TargetRow {
    /// Row id.
    pub id: i64,
    /// Code, upper-case.
    pub code: String,
    /// `percent`, `number` or `yesno`.
    pub kind: String,
    /// `>=`, `<=` or `=`.
    pub op: String,
    /// Goal number (1/0 for yes/no).
    pub goal: f64,
    /// Weight in points.
    pub weight: i64,
    /// Name.
    pub name: String,
}

impl TryFrom<TargetRow> for Target {
    type Error = StorageError;
    fn try_from(r: TargetRow) -> Result<Target> {
        let corrupt = || StorageError::Corrupt(format!("target {}", r.id));
        Ok(Target {
            id: r.id,
            kind: TargetKind::parse(&r.kind).ok_or_else(corrupt)?,
            goal: Goal::from_parts(&r.op, r.goal).ok_or_else(corrupt)?,
            weight: u32::try_from(r.weight).map_err(|_| corrupt())?,
            code: r.code,
            name: r.name,
        })
    }
}

const COLS: &str = "id, code, kind, op, goal, weight, name";

/// The confirmed targets in use of a bloc's year (not archived), in the
/// order they were added.
pub async fn list(conn: &mut Conn, bloc_id: i64, year: i32) -> Result<Vec<Target>> {
    let rows: Vec<TargetRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM targets
         WHERE bloc_id = $1 AND year = $2 AND draft = FALSE AND archived_at IS NULL ORDER BY id"
    ))
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Target::try_from).collect()
}

/// A confirmed target in use (not archived) by code.
pub async fn by_code(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    code: &str,
) -> Result<Option<Target>> {
    let row: Option<TargetRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM targets
         WHERE bloc_id = $1 AND year = $2 AND code = $3 AND draft = FALSE AND archived_at IS NULL"
    ))
    .bind(bloc_id)
    .bind(year)
    .bind(code)
    .fetch_optional(conn)
    .await?;
    row.map(Target::try_from).transpose()
}

/// What a new target is made of.
#[derive(Debug, Clone)]
pub struct NewTarget<'a> {
    /// Code.
    pub code: &'a str,
    /// Kind.
    pub kind: TargetKind,
    /// Goal.
    pub goal: Goal,
    /// Weight.
    pub weight: u32,
    /// Name.
    pub name: &'a str,
}

/// Adds a target to a bloc's year.
pub async fn insert(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    t: &NewTarget<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (op, goal) = t.goal.to_parts();
    Ok(sqlx::query_scalar(
        "INSERT INTO targets (bloc_id, year, code, kind, op, goal, weight, name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(bloc_id)
    .bind(year)
    .bind(t.code)
    .bind(t.kind.as_str())
    .bind(op)
    .bind(goal)
    .bind(i64::from(t.weight))
    .bind(t.name)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Removes a target with its goals and reports (the audit log keeps the
/// record). Only for a target without reports: one with reports is
/// [`archive`]d instead, so that no reported value is ever lost.
pub async fn delete(conn: &mut Conn, target_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM targets WHERE id = $1")
        .bind(target_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a unit's own goal for a target.
pub async fn set_unit_goal(
    conn: &mut Conn,
    unit_id: i64,
    target_id: i64,
    goal: Goal,
) -> Result<()> {
    let (op, g) = goal.to_parts();
    sqlx::query(
        "INSERT INTO unit_goals (unit_id, target_id, op, goal) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit_id, target_id) DO UPDATE SET op = excluded.op, goal = excluded.goal",
    )
    .bind(unit_id)
    .bind(target_id)
    .bind(op)
    .bind(g)
    .execute(conn)
    .await?;
    Ok(())
}

/// Units' own goals for a bloc's year, by (unit, target).
pub async fn unit_goals(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
) -> Result<HashMap<(i64, i64), Goal>> {
    let rows: Vec<(i64, i64, String, f64)> = sqlx::query_as(
        "SELECT g.unit_id, g.target_id, g.op, g.goal FROM unit_goals g
         JOIN targets t ON t.id = g.target_id
         WHERE t.bloc_id = $1 AND t.year = $2 AND t.archived_at IS NULL",
    )
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(u, t, op, g)| {
            Goal::from_parts(&op, g)
                .map(|goal| ((u, t), goal))
                .ok_or_else(|| StorageError::Corrupt(format!("unit goal {u}/{t}")))
        })
        .collect()
}

/// Every target in use of a bloc's year (not archived) with whether it is a
/// draft awaiting confirmation.
pub async fn list_with_drafts(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
) -> Result<Vec<(Target, bool)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        target: TargetRow,
        draft: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLS}, draft FROM targets
         WHERE bloc_id = $1 AND year = $2 AND archived_at IS NULL ORDER BY id"
    ))
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Target::try_from(r.target).map(|t| (t, r.draft)))
        .collect()
}

/// A target by code, draft, archived or not.
pub async fn by_code_any(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    code: &str,
) -> Result<Option<Target>> {
    let row: Option<TargetRow> = sqlx::query_as(&format!(
        "SELECT {COLS} FROM targets WHERE bloc_id = $1 AND year = $2 AND code = $3"
    ))
    .bind(bloc_id)
    .bind(year)
    .bind(code)
    .fetch_optional(conn)
    .await?;
    row.map(Target::try_from).transpose()
}

/// Where a target of a bloc's year stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    /// Copied from last year, awaiting an admin's confirmation.
    Draft,
    /// In the pledge, the scores and the reminders.
    Active,
    /// Removed after values were reported: out of everything this year's
    /// targets feed, its reports kept.
    Archived,
}

/// A target by code, whatever its state, with that state.
pub async fn with_state(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    code: &str,
) -> Result<Option<(Target, TargetState)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        target: TargetRow,
        draft: bool,
        archived: bool,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLS}, draft, archived_at IS NOT NULL AS archived FROM targets
         WHERE bloc_id = $1 AND year = $2 AND code = $3"
    ))
    .bind(bloc_id)
    .bind(year)
    .bind(code)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let state = match (r.archived, r.draft) {
            (true, _) => TargetState::Archived,
            (false, true) => TargetState::Draft,
            (false, false) => TargetState::Active,
        };
        Target::try_from(r.target).map(|t| (t, state))
    })
    .transpose()
}

/// How many report rows (history included) a target has, every period.
pub async fn report_count(conn: &mut Conn, target_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE target_id = $1")
            .bind(target_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Archives a target: its reports and unit goals stay, for [`restore`].
pub async fn archive(conn: &mut Conn, target_id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE targets SET archived_at = $1 WHERE id = $2 AND archived_at IS NULL")
        .bind(now)
        .bind(target_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Brings an archived target back, with its reports and unit goals.
pub async fn restore(conn: &mut Conn, target_id: i64) -> Result<()> {
    sqlx::query("UPDATE targets SET archived_at = NULL WHERE id = $1")
        .bind(target_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Confirms the year's draft targets; returns how many.
pub async fn confirm_drafts(conn: &mut Conn, bloc_id: i64, year: i32) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE targets SET draft = FALSE WHERE bloc_id = $1 AND year = $2 AND draft = TRUE",
    )
    .bind(bloc_id)
    .bind(year)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Prepares a bloc's year once: when it has no targets, the previous year's
/// are copied as drafts for an admin to confirm. Returns how many were copied
/// the first time, `None` when the year was prepared before.
pub async fn roll_over(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    now: DateTime<Utc>,
) -> Result<Option<u64>> {
    let done: Option<i64> =
        sqlx::query_scalar("SELECT copied FROM rollovers WHERE bloc_id = $1 AND year = $2")
            .bind(bloc_id)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
    if done.is_some() {
        return Ok(None);
    }
    let has: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM targets WHERE bloc_id = $1 AND year = $2")
            .bind(bloc_id)
            .bind(year)
            .fetch_one(&mut *conn)
            .await?;
    let copied = if has == 0 {
        sqlx::query(
            "INSERT INTO targets (bloc_id, year, code, kind, op, goal, weight, name, created_at, draft)
             SELECT bloc_id, $1, code, kind, op, goal, weight, name, $2, TRUE FROM targets
             WHERE bloc_id = $3 AND year = $4 AND draft = FALSE AND archived_at IS NULL ORDER BY id",
        )
        .bind(year)
        .bind(now)
        .bind(bloc_id)
        .bind(year - 1)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    } else {
        0
    };
    sqlx::query("INSERT INTO rollovers (bloc_id, year, copied, at) VALUES ($1, $2, $3, $4)")
        .bind(bloc_id)
        .bind(year)
        .bind(copied as i64)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(Some(copied))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Period;
    use crate::storage::board;
    use crate::storage::reports::{self, NewReport};
    use crate::storage::{Db, blocs, units};
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;

    fn target(code: &str) -> NewTarget<'_> {
        NewTarget {
            code,
            kind: TargetKind::Percent,
            goal: Goal::AtLeast(100.0),
            weight: 50,
            name: code,
        }
    }

    /// A database made by the migrations before 0007, with a target that has
    /// a report, keeps both when 0007 is applied, and the target is in use.
    #[tokio::test]
    async fn the_archive_migration_keeps_targets_and_reports_in_use() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .expect("url")
            .create_if_missing(true);
        let mut c = opts.connect().await.expect("connect");
        let mut before = sqlx::migrate!("./migrations/sqlite");
        before.migrations = before
            .migrations
            .iter()
            .filter(|m| m.version < 7)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        before.run(&mut c).await.expect("migrations 1-6");
        for sql in [
            "INSERT INTO blocs (id, chat_id, name, tz, created_by, created_at)
             VALUES (1, -1, 'K', 'Asia/Ho_Chi_Minh', 1, '2026-03-01T00:00:00Z')",
            "INSERT INTO units (id, bloc_id, code, name, created_at)
             VALUES (1, 1, 'A', 'A', '2026-03-01T00:00:00Z')",
            "INSERT INTO targets (id, bloc_id, year, code, kind, op, goal, weight, name, created_at)
             VALUES (1, 1, 2026, 'HT', 'percent', '>=', 100, 50, 'HT', '2026-03-01T00:00:00Z')",
            "INSERT INTO reports (unit_id, target_id, period, value, raw, note, reported_by, reported_at)
             VALUES (1, 1, 'mid', 60, '60', '', 1, '2026-03-02T00:00:00Z')",
        ] {
            sqlx::query(sql).execute(&mut c).await.expect("seed");
        }
        c.close().await.expect("close");

        let db = Db::open(&url).await.expect("migrated to the latest");
        let mut conn = db.pool().acquire().await.expect("conn");
        let archived: Option<String> =
            sqlx::query_scalar("SELECT archived_at FROM targets WHERE id = 1")
                .fetch_one(&mut *conn)
                .await
                .expect("column added");
        assert_eq!(archived, None, "existing targets stay in use");
        assert_eq!(list(&mut conn, 1, 2026).await.expect("list").len(), 1);
        assert_eq!(report_count(&mut conn, 1).await.expect("count"), 1);
        let board = board::load(&mut conn, 1, 2026, Period::Mid)
            .await
            .expect("board");
        assert_eq!(board.values.get(&(1, 1)), Some(&60.0));
        drop(conn);
        db.close().await;
    }

    #[tokio::test]
    async fn an_archived_target_counts_nowhere_keeps_its_reports_and_comes_back() {
        let (_dir, db) = Db::temp().await;
        let now = Utc::now();
        let mut tx = db.write().await.expect("write");
        let bloc = blocs::insert(&mut tx, -1, "K", "Asia/Ho_Chi_Minh", (1, "An"), now)
            .await
            .expect("bloc");
        let unit = units::insert(&mut tx, bloc, "A", "A", now)
            .await
            .expect("unit");
        let kept = insert(&mut tx, bloc, 2026, &target("HT"), now)
            .await
            .expect("target");
        let gone = insert(&mut tx, bloc, 2026, &target("TS"), now)
            .await
            .expect("target");
        set_unit_goal(&mut tx, unit, gone, Goal::AtLeast(50.0))
            .await
            .expect("goal");
        for (t, v) in [(kept, 100.0), (gone, 50.0)] {
            let r = NewReport::test(unit, t, Period::Mid, v, 1);
            reports::insert_audited(&mut tx, &r, now, bloc, "s", None)
                .await
                .expect("report");
        }
        tx.commit().await.expect("commit");
        let mut conn = db.pool().acquire().await.expect("conn");
        let full = board::load(&mut conn, bloc, 2026, Period::Mid)
            .await
            .expect("board");
        assert_eq!(full.standings[0].score, 100.0);
        drop(conn);

        let mut tx = db.write().await.expect("write");
        archive(&mut tx, gone, now).await.expect("archive");
        tx.commit().await.expect("commit");
        let mut conn = db.pool().acquire().await.expect("conn");
        let codes = |ts: Vec<Target>| ts.into_iter().map(|t| t.code).collect::<Vec<_>>();
        assert_eq!(
            codes(list(&mut conn, bloc, 2026).await.expect("list")),
            ["HT"]
        );
        let drafts = list_with_drafts(&mut conn, bloc, 2026).await.expect("list");
        assert_eq!(drafts.len(), 1);
        assert!(
            by_code(&mut conn, bloc, 2026, "TS")
                .await
                .expect("by code")
                .is_none()
        );
        assert!(matches!(
            with_state(&mut conn, bloc, 2026, "TS")
                .await
                .expect("state"),
            Some((_, TargetState::Archived))
        ));
        assert!(
            unit_goals(&mut conn, bloc, 2026)
                .await
                .expect("goals")
                .is_empty()
        );
        let board = board::load(&mut conn, bloc, 2026, Period::Mid)
            .await
            .expect("board");
        assert_eq!(board.targets.len(), 1);
        assert!(!board.values.contains_key(&(unit, gone)));
        assert_eq!(board.standings[0].reported, 1);
        assert_eq!(
            reports::latest(&mut conn, bloc, 2026, Period::Mid)
                .await
                .expect("latest")
                .len(),
            1
        );
        assert_eq!(
            report_count(&mut conn, gone).await.expect("count"),
            1,
            "kept"
        );
        drop(conn);

        // An archived target does not roll over into the next year.
        let mut tx = db.write().await.expect("write");
        assert_eq!(
            roll_over(&mut tx, bloc, 2027, now).await.expect("roll"),
            Some(1)
        );
        restore(&mut tx, gone).await.expect("restore");
        tx.commit().await.expect("commit");
        let mut conn = db.pool().acquire().await.expect("conn");
        let back = board::load(&mut conn, bloc, 2026, Period::Mid)
            .await
            .expect("board");
        assert_eq!(back.standings, full.standings);
        assert_eq!(back.goals, full.goals, "the unit's own goal came back too");
        drop(conn);
        db.close().await;
    }
}
