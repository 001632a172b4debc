//! The databases the bots run on: blocs × 15 units × 6 targets × 3 years,
//! written directly with SQL, fast enough for 5,000 blocs.

use anyhow::Context;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use std::path::{Path, PathBuf};
use std::time::Instant;
use thidua::storage::Db;

use crate::figures::round;

/// Every bloc's time zone.
const TZ: &str = "Asia/Ho_Chi_Minh";
/// Units of a bloc, each with a head.
pub const UNITS_PER_BLOC: usize = 15;
const TARGETS_PER_YEAR: usize = 6;
/// Years of history, this one included.
const YEARS: i32 = 3;

/// The six targets of every bloc's year: code, kind, op, goal, weight, name.
pub const TARGETS: [(&str, &str, &str, f64, i64, &str); TARGETS_PER_YEAR] = [
    (
        "HTNV",
        "percent",
        ">=",
        100.0,
        25,
        "Tỷ lệ CBCCVC hoàn thành nhiệm vụ trở lên",
    ),
    (
        "XS",
        "percent",
        ">=",
        15.0,
        15,
        "Tỷ lệ CBCCVC hoàn thành xuất sắc nhiệm vụ",
    ),
    (
        "TSVM",
        "yesno",
        "=",
        1.0,
        15,
        "Chi bộ, Đảng bộ đạt \"Trong sạch vững mạnh\"",
    ),
    (
        "CQVH",
        "yesno",
        "=",
        1.0,
        10,
        "Cơ quan đạt chuẩn \"Cơ quan văn hóa\"",
    ),
    (
        "THU",
        "percent",
        ">=",
        100.0,
        20,
        "Thu ngân sách đạt dự toán (% dự toán)",
    ),
    ("SK", "number", ">=", 5.0, 15, "Số sáng kiến được công nhận"),
];

fn head_user(unit_id: i64) -> i64 {
    600_000_000 + unit_id
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> anyhow::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("thidua-bench-perf-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // THIDUA_PERF_KEEP=1 keeps the databases and the bots' logs to look at.
        if std::env::var_os("THIDUA_PERF_KEEP").is_some() {
            eprintln!("kept {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A seeded database.
pub struct Seeded {
    pub url: String,
    bytes: u64,
    pub blocs: usize,
    pub reports: i64,
    pub seconds: f64,
}

impl Seeded {
    pub fn megabytes(&self) -> f64 {
        round(self.bytes as f64 / 1e6, 1)
    }

    /// Heads of `n` units spread evenly over the database.
    pub fn heads(&self, n: usize) -> Vec<i64> {
        let units = self.blocs * UNITS_PER_BLOC;
        let n = n.min(units);
        let step = units / n;
        (0..n).map(|i| head_user((i * step + 1) as i64)).collect()
    }
}

/// `blocs` blocs × 15 units (each with a head) × 6 targets × 3 years: the
/// two past years fully reported (mid and final) and signed, this year's
/// mid reported, two units in three signed, one unit goal per unit and
/// year, an audit row per report. Written with a few INSERT … SELECT in
/// one transaction.
///
/// Every bloc's deadlines this year are moved months ahead, with one
/// reminder day: the scheduler, which ticks inside `thidua run`, then has
/// nothing due and sends no reminder during the measures.
pub async fn seed(
    dir: &Path,
    name: &str,
    blocs: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let url = database(dir, name).await?;
    let db = Db::open(&url).await?;
    let tz: chrono_tz::Tz = TZ.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let today = now.with_timezone(&tz).date_naive();
    let year = today.year();
    let n = blocs as i64;
    let at = |y: i32, m: u32, d: u32| -> anyhow::Result<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, m, d, 2, 0, 0)
            .single()
            .context("date")
    };
    let mut tx = db.write().await?;
    sqlx::query(&format!(
        "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < $1)
         INSERT INTO blocs (id, chat_id, name, tz, created_by, created_at)
         SELECT i + 1, -1000000000000 - i, 'Khối thi đua ' || {}, $2, 500000000 + i, $3 FROM s",
        pad("i + 1", 4)
    ))
    .bind(n)
    .bind(TZ)
    .bind(at(year - YEARS + 1, 1, 5)?)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO bloc_admins (bloc_id, user_id, name, added_by, added_at)
         SELECT id, created_by, 'Nguyễn Văn An', created_by, created_at FROM blocs",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "WITH RECURSIVE u(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM u WHERE j + 1 < $1)
         INSERT INTO units (id, bloc_id, code, name, head_user_id, head_name, created_at)
         SELECT (b.id - 1) * $1 + j + 1, b.id, 'DV' || {j},
                'Đơn vị ' || {j} || ' khối ' || {b},
                600000000 + (b.id - 1) * $1 + j + 1, 'Trưởng đơn vị ' || {j}, b.created_at
         FROM blocs b, u ORDER BY b.id, j",
        j = pad("j + 1", 2),
        b = pad("b.id", 4)
    ))
    .bind(UNITS_PER_BLOC as i64)
    .execute(&mut *tx)
    .await?;
    for (k, (code, kind, op, goal, weight, tname)) in TARGETS.iter().enumerate() {
        sqlx::query(
            "WITH RECURSIVE y(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM y WHERE n + 1 < $1)
             INSERT INTO targets (id, bloc_id, year, code, kind, op, goal, weight, name, created_at, draft)
             SELECT ((y.n * $2) + b.id - 1) * $3 + $4 + 1, b.id, $5 + y.n, $6, $7, $8, $9, $10, $11, b.created_at, FALSE
             FROM y, blocs b",
        )
        .bind(YEARS)
        .bind(n)
        .bind(TARGETS_PER_YEAR as i64)
        .bind(k as i64)
        .bind(year - YEARS + 1)
        .bind(code)
        .bind(kind)
        .bind(op)
        .bind(goal)
        .bind(weight)
        .bind(tname)
        .execute(&mut *tx)
        .await?;
    }
    // One own goal per unit and year, on a numeric target.
    sqlx::query(
        "INSERT INTO unit_goals (unit_id, target_id, op, goal)
         SELECT u.id, t.id, '>=', t.goal * 0.9 FROM units u JOIN targets t ON t.bloc_id = u.bloc_id
         WHERE t.code = CASE u.id % 4 WHEN 0 THEN 'HTNV' WHEN 1 THEN 'XS' WHEN 2 THEN 'THU' ELSE 'SK' END",
    )
    .execute(&mut *tx)
    .await?;
    for y in (year - YEARS + 1)..=year {
        sqlx::query(
            "INSERT INTO pledges (unit_id, year, signed_by, signed_at)
             SELECT id, $1, head_user_id, $2 FROM units WHERE $1 < $3 OR id % 3 <> 0",
        )
        .bind(y)
        .bind(at(y, 3, 20)?)
        .bind(year)
        .execute(&mut *tx)
        .await?;
        let periods: &[(&str, u32)] = if y < year {
            &[("mid", 7), ("final", 12)]
        } else {
            &[("mid", 7)]
        };
        for (period, month) in periods {
            sqlx::query(
                "INSERT INTO reports (unit_id, target_id, period, value, raw, note, reported_by, reported_at)
                 SELECT unit_id, target_id, $2, value, CASE kind WHEN 'yesno' THEN 'có' ELSE CAST(CAST(value AS INTEGER) AS TEXT) END,
                        '', reported_by, $3
                 FROM (SELECT u.id AS unit_id, t.id AS target_id, t.kind AS kind, u.head_user_id AS reported_by,
                              CASE t.kind WHEN 'yesno' THEN 1.0
                                          WHEN 'percent' THEN 70 + (u.id * 7 + t.id * 13) % 50
                                          ELSE (u.id + t.id) % 12 END AS value
                       FROM units u JOIN targets t ON t.bloc_id = u.bloc_id AND t.year = $1
                       ORDER BY u.id, t.id) AS v",
            )
            .bind(y)
            .bind(period)
            .bind(at(y, *month, 1)?)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO rollovers (bloc_id, year, copied, at) SELECT id, $1, 0, $2 FROM blocs",
        )
        .bind(y)
        .bind(at(y, 1, 1)?)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, bloc_id, unit_id, action, subject, old_value, new_value)
         SELECT r.reported_at, r.reported_by, u.bloc_id, r.unit_id, 'report',
                u.code || '/' || t.code || '/' || r.period || '/' || t.year, NULL, r.raw
         FROM reports r JOIN units u ON u.id = r.unit_id JOIN targets t ON t.id = r.target_id ORDER BY r.id",
    )
    .execute(&mut *tx)
    .await?;
    let ahead = |days: i64| today + chrono::Duration::days(days);
    sqlx::query(
        "INSERT INTO schedules (bloc_id, year, pledge_date, mid_date, final_date, remind_days, send_time)
         SELECT id, $1, $2, $3, $4, '1', '08:00' FROM blocs",
    )
    .bind(year)
    .bind(ahead(100))
    .bind(ahead(200))
    .bind(ahead(300))
    .execute(&mut *tx)
    .await?;
    let reports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(&mut *tx)
        .await?;
    #[cfg(feature = "postgres")]
    for table in ["blocs", "units", "targets"] {
        // Ids written above: the identity goes on from the last.
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let bytes = settle(&db, dir, name).await?;
    db.close().await;
    let seeded = Seeded {
        url,
        bytes,
        blocs,
        reports,
        seconds: round(started.elapsed().as_secs_f64(), 2),
    };
    eprintln!(
        "seeded {name}: {blocs} blocs, {} reports, {} MB in {:.1}s",
        seeded.reports,
        seeded.megabytes(),
        seeded.seconds
    );
    Ok(seeded)
}

/// `printf('%0Nd', expr)`, in the words of this build's database.
fn pad(expr: &str, n: usize) -> String {
    if cfg!(feature = "postgres") {
        format!("lpad(CAST({expr} AS TEXT), {n}, '0')")
    } else {
        format!("printf('%0{n}d', {expr})")
    }
}

/// A new, empty database: a file in `dir`, or (PostgreSQL build) a database
/// `thidua_bench_<name>` made again on the server `THIDUA_BENCH_POSTGRES`
/// names (default: the local one, as the tests').
#[cfg(not(feature = "postgres"))]
pub async fn database(dir: &Path, name: &str) -> anyhow::Result<String> {
    Ok(format!(
        "sqlite://{}",
        dir.join(format!("{name}.db")).display()
    ))
}

#[cfg(feature = "postgres")]
pub async fn database(_dir: &Path, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let admin = std::env::var("THIDUA_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".to_owned());
    let db = format!("thidua_bench_{name}");
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .with_context(|| format!("connecting to {admin} (THIDUA_BENCH_POSTGRES)"))?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .execute(&mut c)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(&mut c)
        .await?;
    c.close().await?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Ok(format!("{base}/{db}"))
}

/// Makes the seeded database as a running one would be (SQLite: the WAL
/// written back; PostgreSQL: statistics for the planner) and returns its size.
#[cfg(not(feature = "postgres"))]
async fn settle(db: &Db, dir: &Path, name: &str) -> anyhow::Result<u64> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.pool())
        .await?;
    let path = dir.join(format!("{name}.db"));
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    Ok(size(&path) + size(&wal))
}

#[cfg(feature = "postgres")]
async fn settle(db: &Db, _dir: &Path, _name: &str) -> anyhow::Result<u64> {
    sqlx::query("VACUUM ANALYZE").execute(db.pool()).await?;
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(db.pool())
        .await?;
    Ok(u64::try_from(bytes).unwrap_or(0))
}
