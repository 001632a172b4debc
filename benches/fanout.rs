//! Fan-out benchmark (issue 3, "Measured"): one scheduler tick sends the
//! first pledge reminder of 2026 to every unit head and every group of N blocs
//! × 15 units, through the real scheduler and the Throttle limiter, against
//! the in-process fake Bot API enforcing Telegram's overall limit (30/s).
//!
//! Prints one JSON object on stdout: messages per second against the
//! limiter's configured ceiling, and how many 429s the fake answered.
//!
//! `cargo bench --bench fanout -- --blocs 10` for a quick run (default 100).
//! Logs go to stderr (`RUST_LOG`, default `warn`). No assertions on timing:
//! the counts are checked, the rate is only reported.

use anyhow::{Context, ensure};
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;
use thidua::domain::args::TargetAdd;
use thidua::harness::{FAKE_TOKEN, Harness};
use thidua::scheduler::telegram_limits;
use thidua::storage::targets::NewTarget;
use thidua::storage::{blocs, targets, units};
use tracing_subscriber::EnvFilter;

const DEFAULT_BLOCS: usize = 100;
const UNITS_PER_BLOC: usize = 15;
const YEAR: i32 = 2026;
const TZ: &str = "Asia/Ho_Chi_Minh";

/// `--blocs N` or `--blocs=N`; anything else (cargo's `--bench`) is ignored.
fn blocs_arg() -> anyhow::Result<usize> {
    let mut blocs = DEFAULT_BLOCS;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = if a == "--blocs" {
            args.next().context("--blocs needs a number")?
        } else if let Some(v) = a.strip_prefix("--blocs=") {
            v.to_owned()
        } else {
            continue;
        };
        blocs = value
            .parse()
            .with_context(|| format!("--blocs: not a number: {value}"))?;
    }
    ensure!(blocs > 0, "--blocs must be at least 1");
    Ok(blocs)
}

/// A fresh directory under the system temp dir, removed when dropped
/// (the database has -wal and -shm companions).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "thidua-bench-fanout-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 08:00 in Asia/Ho_Chi_Minh (UTC+7, no DST) on a day of 2026, as UTC.
fn local_8am(month: u32, day: u32) -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(YEAR, month, day, 1, 0, 0)
        .single()
        .context("valid date")
}

fn group_chat(bloc: usize) -> i64 {
    -1_000_000_000_000 - bloc as i64
}

fn admin_id(bloc: usize) -> i64 {
    500_000_000 + bloc as i64
}

fn head_id(bloc: usize, unit: usize) -> i64 {
    600_000_000 + (bloc * 1_000 + unit) as i64
}

/// N blocs × 15 units, each with a head; 5 targets per bloc; nobody signed.
async fn seed(h: &Harness, n: usize, now: DateTime<Utc>) -> anyhow::Result<()> {
    let app = h.app().context("bot is stopped")?;
    let targets_2026: Vec<TargetAdd> = thidua::demo::TARGETS
        .iter()
        .map(|t| TargetAdd::parse(t).map_err(|e| anyhow::anyhow!("demo target {t}: {e:?}")))
        .collect::<anyhow::Result<_>>()?;
    // One transaction: 100 × (1 + 15 × 2 + 5) statements commit in one fsync.
    let mut tx = app.db.write().await?;
    for b in 0..n {
        let bloc_id = blocs::insert(
            &mut tx,
            group_chat(b),
            &format!("Khối thi đua {:03}", b + 1),
            TZ,
            (admin_id(b), "Nguyễn Văn An"),
            now,
        )
        .await?;
        for u in 0..UNITS_PER_BLOC {
            let unit_id = units::insert(
                &mut tx,
                bloc_id,
                &format!("DV{:02}", u + 1),
                &format!("Đơn vị {:02} khối {:03}", u + 1, b + 1),
                now,
            )
            .await?;
            units::set_head(
                &mut tx,
                unit_id,
                head_id(b, u),
                &format!("Trưởng đơn vị {:02}", u + 1),
            )
            .await?;
        }
        for t in &targets_2026 {
            let new = NewTarget {
                code: t.code.as_str(),
                kind: t.kind,
                goal: t.goal,
                weight: t.weight,
                name: &t.name,
            };
            targets::insert(&mut tx, bloc_id, YEAR, &new, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The result line; fields print in this order.
#[derive(Debug, Serialize)]
struct Output {
    bench: &'static str,
    blocs: usize,
    units_per_bloc: usize,
    messages: usize,
    seconds: f64,
    messages_per_sec: f64,
    ceiling_per_sec: u32,
    ratio_to_ceiling: f64,
    http_429: u64,
    sent: usize,
    pending: usize,
    failed: usize,
}

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

async fn run(n: usize) -> anyhow::Result<Output> {
    let dir = TempDir::new()?;
    let url = format!("sqlite://{}", dir.0.join("fanout.db").display());
    let t0 = local_8am(3, 2)?;
    let limits = telegram_limits();
    let h = Harness::start_with(&url, t0, limits).await?;
    h.api
        .enforce_send_limit(limits.messages_per_sec_overall as usize);

    let seeding = Instant::now();
    seed(&h, n, t0).await?;
    eprintln!(
        "seeded {n} blocs × {UNITS_PER_BLOC} units in {:.2}s",
        seeding.elapsed().as_secs_f64()
    );

    // The first pledge reminder: 14 days before 31 March, 08:00 local.
    h.clock.set(local_8am(3, 17)?);
    let from = h.api.call_count();
    let scheduler = h.scheduler()?;
    let started = Instant::now();
    let report = scheduler.tick().await?;
    let seconds = started.elapsed().as_secs_f64();

    let sends: Vec<_> = h
        .api
        .calls_since(from)
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .collect();
    let heads: HashSet<i64> = sends
        .iter()
        .filter_map(|c| c.chat_id())
        .filter(|&c| c > 0)
        .collect();
    let groups: HashSet<i64> = sends
        .iter()
        .filter_map(|c| c.chat_id())
        .filter(|&c| c < 0)
        .collect();
    let http_429 = h.api.too_many_requests();
    h.stop().await;

    let expected_heads = n * UNITS_PER_BLOC;
    let expected = expected_heads + n;
    eprintln!(
        "tick: sent {} failed {} pending {}; sendMessage accepted by the fake: {} \
         ({} heads, {} groups); 429s: {http_429}",
        report.sent,
        report.failed,
        report.pending,
        sends.len(),
        heads.len(),
        groups.len()
    );
    ensure!(
        report.sent == expected && report.failed == 0 && report.pending == 0,
        "expected {expected} sent, got {report:?}"
    );
    ensure!(
        heads.len() == expected_heads && groups.len() == n,
        "expected every head ({expected_heads}) and every group ({n}) reminded once, \
         got {} heads and {} groups",
        heads.len(),
        groups.len()
    );
    ensure!(
        sends.len() == expected,
        "expected {expected} sendMessage calls, got {} (repeats or split messages)",
        sends.len()
    );

    let ceiling = limits.messages_per_sec_overall;
    let per_sec = sends.len() as f64 / seconds;
    Ok(Output {
        bench: "fanout",
        blocs: n,
        units_per_bloc: UNITS_PER_BLOC,
        messages: sends.len(),
        seconds: round(seconds, 3),
        messages_per_sec: round(per_sec, 2),
        ceiling_per_sec: ceiling,
        ratio_to_ceiling: round(per_sec / f64::from(ceiling), 3),
        http_429,
        sent: report.sent,
        pending: report.pending,
        failed: report.failed,
    })
}

fn main() -> anyhow::Result<()> {
    let n = blocs_arg()?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(thidua::telemetry::Redacting::new(vec![
            FAKE_TOKEN.to_owned(),
        ]))
        .with_target(false)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let out = runtime.block_on(run(n))?;
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
