//! `--compare`: this build against another binary, taking turns.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

use crate::args::Sizes;
use crate::fake::Fake;
use crate::figures::round;
use crate::measure::{Alone, Burst, Lane, burst, bursts, one_by_one};
use crate::mix::{Kind, Msg, Rng, mix, only};
use crate::process::{Bins, Proc, start_bot};
use crate::seed::seed;

/// `--compare <thidua binary>`: the load of section 1 and each command
/// alone, on this build and on another (before and after a change), both
/// running at the same time and taking turns, so that the background load
/// of a shared machine falls on both alike.
#[derive(Debug, Serialize)]
pub struct CompareSection {
    /// The other binary ("before").
    pub before_bin: String,
    pub before: Burst,
    pub after: Burst,
    /// after / before.
    pub ratio_throughput: f64,
    pub ratio_p99: f64,
    pub ratio_cpu: f64,
    /// Per command, one update at a time: before and after.
    pub per_command: BTreeMap<&'static str, [Alone; 2]>,
}

/// A lane per side, each to get the same `msgs`.
fn same_to_each<'a>(sides: &'a mut [(Vec<i64>, Fake, Proc)], msgs: &[Msg]) -> Vec<Lane<'a>> {
    sides
        .iter_mut()
        .map(|(_, fake, bot)| Lane {
            fake,
            bot,
            msgs: msgs.to_vec(),
        })
        .collect()
}

pub async fn compare_section(
    sizes: &Sizes,
    before_bin: &Path,
    bins: &Bins,
    now: DateTime<Utc>,
    dir: &Path,
) -> anyhow::Result<CompareSection> {
    let mut rng = Rng(8);
    let mut sides = Vec::new();
    for (name, bin) in [("before", before_bin), ("after", bins.thidua.as_path())] {
        let db = seed(dir, name, sizes.load_blocs, now).await?;
        let heads = db.heads(sizes.heads);
        let (fake, bot, _) = start_bot(name, bin, Some(&db), dir).await?;
        sides.push((heads, fake, bot));
    }
    let warm = mix(sizes.warmup, &sides[0].0, &mut rng);
    let msgs = mix(sizes.updates, &sides[0].0, &mut rng);
    for (_, fake, bot) in &mut sides {
        burst(fake, bot, &warm).await?;
    }
    eprintln!(
        "compare: {} updates to each in 10 rounds, taking turns",
        msgs.len()
    );
    let mut b = bursts(&mut same_to_each(&mut sides, &msgs), 10).await?;
    let after = b.pop().context("after")?;
    let before = b.pop().context("before")?;
    eprintln!("  before: {before:?}\n  after:  {after:?}");
    let mut per_command = BTreeMap::new();
    for kind in Kind::ALL {
        let n = sizes.per_command * kind.share() / 100;
        let msgs = only(kind, n, &sides[0].0, &mut rng);
        let mut a = one_by_one(&mut same_to_each(&mut sides, &msgs)).await?;
        let after = a.pop().context("after")?;
        let before = a.pop().context("before")?;
        eprintln!(
            "  {}: {before:?}\n  {:w$}  {after:?}",
            kind.name(),
            "",
            w = kind.name().len()
        );
        per_command.insert(kind.name(), [before, after]);
    }
    for (_, _, bot) in sides {
        bot.stop().await;
    }
    let r = |a: f64, b: f64| if b > 0.0 { round(a / b, 3) } else { 0.0 };
    Ok(CompareSection {
        before_bin: before_bin.display().to_string(),
        ratio_throughput: r(after.updates_per_sec, before.updates_per_sec),
        ratio_p99: r(after.latency_ms.p99, before.latency_ms.p99),
        ratio_cpu: r(after.cpu_ms_per_update, before.cpu_ms_per_update),
        before,
        after,
        per_command,
    })
}
