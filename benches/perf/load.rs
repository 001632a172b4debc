//! Section 1, `load`: thidua and the floor under the same mix, taking turns.

use anyhow::{Context, ensure};
use serde::Serialize;
use std::path::Path;

use crate::args::Sizes;
use crate::figures::round;
use crate::measure::{Burst, Lane, burst, bursts};
use crate::mix::{Rng, mix};
use crate::process::{Bins, start_bot};
use crate::seed::Seeded;

#[derive(Debug, Serialize)]
pub struct LoadSection {
    pub updates: usize,
    pub heads: usize,
    pub mix: &'static str,
    pub database_blocs: usize,
    pub thidua: Burst,
    pub floor: Burst,
    /// thidua / floor.
    pub ratio_throughput: f64,
    /// thidua / floor.
    pub ratio_p99: f64,
}

#[derive(Debug, Serialize)]
pub struct MemorySection {
    pub thidua_idle_kb: u64,
    pub thidua_load_kb: u64,
    pub thidua_large_db_kb: u64,
    pub floor_idle_kb: u64,
    pub floor_load_kb: u64,
}

/// Parts of the load, each bot answering one before the other gets its own.
const LOAD_ROUNDS: usize = 10;

pub async fn load_section(
    sizes: &Sizes,
    bins: &Bins,
    db: &Seeded,
    dir: &Path,
    memory: &mut MemorySection,
    startups: &mut Vec<(&'static str, f64)>,
) -> anyhow::Result<LoadSection> {
    let heads = db.heads(sizes.heads);
    let mut rng = Rng(6);
    let warm = mix(sizes.warmup, &heads, &mut rng);
    let msgs = mix(sizes.updates, &heads, &mut rng);

    let (floor_fake, mut floor_bot, ms) = start_bot("floor", &bins.floor, None, dir).await?;
    startups.push(("floor", ms));
    memory.floor_idle_kb = floor_bot.peak_rss_kb();
    let (fake, mut bot, ms) = start_bot("thidua", &bins.thidua, Some(db), dir).await?;
    startups.push(("thidua-load", ms));
    memory.thidua_idle_kb = bot.peak_rss_kb();
    burst(&floor_fake, &mut floor_bot, &warm).await?;
    burst(&fake, &mut bot, &warm).await?;
    // Taking turns, so that a shared machine's background load falls on both
    // (the floor alone moved between 13,000 and 19,000 updates/s from one run
    // to the next when each bot had its own minute).
    eprintln!(
        "load: floor and thidua, {} updates each in {LOAD_ROUNDS} rounds, taking turns",
        msgs.len()
    );
    let mut lanes = [
        Lane {
            fake: &floor_fake,
            bot: &mut floor_bot,
            msgs: msgs.clone(),
        },
        Lane {
            fake: &fake,
            bot: &mut bot,
            msgs: msgs.clone(),
        },
    ];
    let mut b = bursts(&mut lanes, LOAD_ROUNDS).await?;
    let thidua = b.pop().context("thidua")?;
    let floor = b.pop().context("floor")?;
    memory.floor_load_kb = floor.peak_rss_kb;
    memory.thidua_load_kb = thidua.peak_rss_kb;
    ensure!(
        floor_fake.unmatched() == 0,
        "floor: replies to unknown chats"
    );
    ensure!(fake.unmatched() == 0, "thidua: replies to unknown chats");
    eprintln!("  floor:  {floor:?}\n  thidua: {thidua:?}");
    for (k, t) in fake.samples() {
        eprintln!("  {k}: {t:?}");
    }
    floor_bot.stop().await;
    bot.stop().await;

    Ok(LoadSection {
        updates: msgs.len(),
        heads: heads.len(),
        mix: "40% /report, 30% /status, 20% /standings, 10% /pledges",
        database_blocs: db.blocs,
        ratio_throughput: round(thidua.updates_per_sec / floor.updates_per_sec, 3),
        ratio_p99: round(thidua.latency_ms.p99 / floor.latency_ms.p99, 3),
        thidua,
        floor,
    })
}
