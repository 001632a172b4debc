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

#[path = "common/mod.rs"]
mod common;

use anyhow::{Context, ensure};
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;

use common::reminders::{UNITS_PER_BLOC, remind_all};

const DEFAULT_BLOCS: usize = 100;

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
    let tick = remind_all(&url, n).await?;
    let heads: HashSet<i64> = tick.chats.iter().copied().filter(|&c| c > 0).collect();
    let groups: HashSet<i64> = tick.chats.iter().copied().filter(|&c| c < 0).collect();
    let (report, sends) = (&tick.report, tick.sends);

    let expected_heads = n * UNITS_PER_BLOC;
    let expected = expected_heads + n;
    eprintln!(
        "tick: sent {} failed {} pending {}; sendMessage accepted by the fake: {} \
         ({} heads, {} groups); 429s: {}",
        report.sent,
        report.failed,
        report.pending,
        sends,
        heads.len(),
        groups.len(),
        tick.http_429
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
        sends == expected,
        "expected {expected} sendMessage calls, got {sends} (repeats or split messages)"
    );

    let per_sec = sends as f64 / tick.seconds;
    Ok(Output {
        bench: "fanout",
        blocs: n,
        units_per_bloc: UNITS_PER_BLOC,
        messages: sends,
        seconds: round(tick.seconds, 3),
        messages_per_sec: round(per_sec, 2),
        ceiling_per_sec: tick.ceiling,
        ratio_to_ceiling: round(per_sec / f64::from(tick.ceiling), 3),
        http_429: tick.http_429,
        sent: report.sent,
        pending: report.pending,
        failed: report.failed,
    })
}

fn main() -> anyhow::Result<()> {
    let n = blocs_arg()?;
    let out = common::block_on("warn", run(n))?;
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
