//! Performance benchmark (issue 6): the real `thidua run` binary and a minimal
//! teloxide bot (`examples/floor.rs`, "the floor"), both as processes, against
//! one fast fake Bot API on 127.0.0.1 that lives in this process and serves
//! `getUpdates` from a queue as fast as the bot asks.
//!
//! Prints one JSON object on stdout (progress on stderr):
//! 1. `load`: 20,000 updates from 1,000 heads (40% `/report`, 30% `/status`,
//!    20% `/standings`, 10% `/pledges`), in 10 rounds of 2,000 queued at once,
//!    the floor and thidua taking turns: updates/s and the
//!    latency from the update being handed out in `getUpdates` to its reply
//!    (`sendMessage`) arriving, p50/p99/max; thidua and the floor in the same
//!    run, and their ratios.
//! 2. `scale`: the same mix against a database of 10 blocs and one of 5,000
//!    blocs × 15 units × 6 targets × 3 years of history; per command, the cost
//!    of one update sent alone (latency p50, mean, bot CPU) and large / small.
//! 3. `memory`: peak RSS (VmHWM) of the bot idle, after the load, and with the
//!    large database.
//! 4. `startup`: process start to the first `getUpdates` on the existing large
//!    database (migrations checked at every start).
//! 5. `fanout`: reminders to 5,000 heads in one scheduler tick through the
//!    limiter, in-process against `fake_bot_api` enforcing 30/s: messages/s
//!    ÷ 30 and the 429s received (about 3 minutes).
//!
//! ```text
//! cargo build --release --example floor
//! cargo bench --bench perf                       # full run, about 10 minutes
//! cargo bench --bench perf -- --quick            # every size 10× smaller
//! cargo bench --bench perf -- --no-fanout        # all but the 3-minute fan-out
//! cargo bench --bench perf -- --only load,scale  # some sections
//! cargo bench --bench perf -- --compare /tmp/thidua-before  # this build vs another
//! ```
//! Both bots run with the environment the Docker image sets for performance
//! (`MALLOC_ARENA_MAX=2`, see the Dockerfile); `--bare-env` runs them without.
//! The floor must be built first (a bench cannot run cargo: cargo holds the
//! build directory's lock while the bench runs). No assertions on timing: the
//! replies are counted and checked (every update answered once, none with a
//! refusal or an error), the figures are only reported, with each goal of the
//! issue marked met or not.
//!
//! To look closer: `THIDUA_PERF_KEEP=1` keeps the databases and the bots'
//! logs, `THIDUA_PERF_BOT_LOG` is the bot's `RUST_LOG`, and
//! `THIDUA_PERF_WRAP="/usr/bin/perf record -g -o /tmp/{name}.data --"` runs
//! every thidua process under a profiler.

// Shared with benches/fanout.rs: the fan-out scenario and the process set-up.
#[path = "../common/mod.rs"]
mod common;

// One module per section (`load`, `scale`, `startup`, `fanout`, `compare`),
// on top of what they share: the bench's own fast fake Bot API (`fake`), the
// bots as processes (`process`), the updates sent (`mix`) and how they are
// timed (`measure`), the seeded databases (`seed`), the dashboard's API
// (`dashboard`, asked within `scale`), and what is printed
// (`output`, `figures`).
mod args;
mod compare;
mod dashboard;
mod fake;
mod fanout;
mod figures;
mod load;
mod measure;
mod mix;
mod output;
mod process;
mod scale;
mod seed;
mod startup;

use chrono::Utc;

use crate::args::{Args, Sizes, args};
use crate::compare::compare_section;
use crate::fanout::fanout_section;
use crate::load::{MemorySection, load_section};
use crate::output::{Output, goals, machine};
use crate::process::{BOT_ENV, IMAGE_ENV, bins};
use crate::scale::scale_section;
use crate::seed::{TempDir, seed};
use crate::startup::startup_section;

async fn run(a: Args) -> anyhow::Result<Output> {
    let sizes = Sizes::new(a.quick);
    let bins = bins()?;
    let dir = TempDir::new()?;
    let now = Utc::now();
    let mut out = Output {
        bench: "perf",
        quick: a.quick,
        bot_env: BOT_ENV
            .get()
            .map(|e| e.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default(),
        machine: machine(),
        sizes,
        load: None,
        scale: None,
        memory: MemorySection {
            thidua_idle_kb: 0,
            thidua_load_kb: 0,
            thidua_large_db_kb: 0,
            floor_idle_kb: 0,
            floor_load_kb: 0,
        },
        startup: None,
        fanout: None,
        compare: None,
        goals: Vec::new(),
    };
    let mut startups = Vec::new();

    if a.runs("load") {
        let db = seed(&dir.0, "load", sizes.load_blocs, now).await?;
        let load = load_section(&sizes, &bins, &db, &dir.0, &mut out.memory, &mut startups);
        out.load = Some(load.await?);
    }
    let large_db = if a.runs("scale") || a.runs("startup") {
        Some(seed(&dir.0, "large", sizes.large_blocs, now).await?)
    } else {
        None
    };
    if let (true, Some(large_db)) = (a.runs("scale"), &large_db) {
        let small_db = seed(&dir.0, "small", sizes.small_blocs, now).await?;
        let (scale, rss) =
            scale_section(&sizes, &bins, &small_db, large_db, &dir.0, &mut startups).await?;
        out.memory.thidua_large_db_kb = rss;
        out.scale = Some(scale);
    }
    eprintln!("start-ups while measuring: {startups:?}");
    if let (true, Some(large_db)) = (a.runs("startup"), &large_db) {
        let floor_ms = startups
            .iter()
            .find(|(n, _)| *n == "floor")
            .map(|(_, ms)| *ms);
        out.startup = Some(startup_section(&sizes, &bins, large_db, &dir.0, floor_ms).await?);
    }
    if a.runs("fanout") {
        out.fanout = Some(fanout_section(sizes.fanout_heads, &dir.0).await?);
    }
    if let Some(before) = &a.compare {
        out.compare = Some(compare_section(&sizes, before, &bins, now, &dir.0).await?);
    }
    out.goals = goals(&out);
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let env = if a.bare_env { &[][..] } else { &IMAGE_ENV[..] };
    let _ = BOT_ENV.set(
        env.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    // The seeding's INSERT … SELECT are slow statements on purpose.
    let out = common::block_on("warn,sqlx::query=error", run(a))?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
