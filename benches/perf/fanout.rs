//! Section 5, `fanout`: reminders to every head in one scheduler tick.

use anyhow::ensure;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

use crate::common::reminders::{UNITS_PER_BLOC, remind_all};
use crate::figures::round;

#[derive(Debug, Serialize)]
pub struct FanoutSection {
    pub blocs: usize,
    pub heads: usize,
    pub messages: usize,
    pub seconds: f64,
    pub messages_per_sec: f64,
    pub ceiling_per_sec: u32,
    pub ratio_to_ceiling: f64,
    pub http_429: u64,
}

/// One scheduler tick reminding every head of `n` blocs × 15 units, through
/// the limiter, in-process against `fake_bot_api` enforcing 30/s (the
/// scenario that `benches/fanout.rs` runs alone).
pub async fn fanout_section(heads: usize, dir: &Path) -> anyhow::Result<FanoutSection> {
    let n = heads.div_ceil(UNITS_PER_BLOC);
    let url = crate::seed::database(dir, "fanout").await?;
    eprintln!("fanout: {} heads and {n} groups", n * UNITS_PER_BLOC);
    let tick = remind_all(&url, n).await?;
    let reached: HashSet<i64> = tick.chats.iter().copied().collect();
    let expected = n * UNITS_PER_BLOC + n;
    ensure!(
        tick.report.sent == expected && tick.sends == expected && reached.len() == expected,
        "expected {expected} reminders once each, got {:?}, {} sends to {} chats",
        tick.report,
        tick.sends,
        reached.len()
    );
    let per_sec = tick.sends as f64 / tick.seconds;
    Ok(FanoutSection {
        blocs: n,
        heads: n * UNITS_PER_BLOC,
        messages: tick.sends,
        seconds: round(tick.seconds, 2),
        messages_per_sec: round(per_sec, 2),
        ceiling_per_sec: tick.ceiling,
        ratio_to_ceiling: round(per_sec / f64::from(tick.ceiling), 3),
        http_429: tick.http_429,
    })
}
