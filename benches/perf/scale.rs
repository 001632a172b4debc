//! Section 2, `scale`: each command on a small and a large database.

use anyhow::{Context, ensure};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

use crate::args::Sizes;
use crate::dashboard::{DashboardSide, measure};
use crate::figures::round;
use crate::measure::{Alone, Burst, Lane, burst, one_by_one};
use crate::mix::{Kind, Msg, Rng, mix, only};
use crate::process::{Bins, Proc, start_bot};
use crate::seed::{Seeded, UNITS_PER_BLOC};

#[derive(Debug, Serialize)]
pub struct ScaleDb {
    pub blocs: usize,
    pub units: usize,
    pub reports: i64,
    pub megabytes: f64,
    pub seed_seconds: f64,
    /// Heads sending the mix.
    pub heads: usize,
    /// The mix, all queued at once.
    pub mixed: Burst,
    /// Each command sent alone, one update at a time.
    pub per_command: BTreeMap<&'static str, Alone>,
    /// The dashboard's API, one request at a time.
    pub dashboard: DashboardSide,
}

#[derive(Debug, Serialize)]
pub struct Ratio {
    /// large / small of the median latency of one update sent alone.
    pub latency_p50: f64,
    /// large / small of the mean latency.
    pub latency_mean: f64,
    /// large / small of the bot's CPU time per update.
    pub cpu: f64,
}

#[derive(Debug, Serialize)]
pub struct ScaleSection {
    /// Heads sending each command alone, on either database.
    pub alone_heads: usize,
    pub small: ScaleDb,
    pub large: ScaleDb,
    pub ratio_large_small: BTreeMap<&'static str, Ratio>,
    /// large / small of the dashboard's median latency: standings asked
    /// again, a unit, standings asked the first time (reported, no goal).
    pub dashboard_ratio_large_small: (f64, f64, f64),
}

/// Both scale databases, each with its own bot running at the same time:
/// each command alone, taking turns between the two bots, then the mix all
/// queued at once on one then the other. Returns the large bot's peak RSS.
pub async fn scale_section(
    sizes: &Sizes,
    bins: &Bins,
    small_db: &Seeded,
    large_db: &Seeded,
    dir: &Path,
    startups: &mut Vec<(&'static str, f64)>,
) -> anyhow::Result<(ScaleSection, u64)> {
    let mut rng = Rng(7);
    // Each command alone goes to as many heads on both sides (all the small
    // database's, spread over the large one), first, so that both databases
    // have the same report history per unit when they are compared.
    let alone_heads = small_db.heads(sizes.heads).len();
    let mut sides = Vec::new();
    for (name, db) in [("thidua-small", small_db), ("thidua-large", large_db)] {
        let heads = db.heads(alone_heads);
        let (fake, bot, ms) = start_bot(name, &bins.thidua, Some(db), dir).await?;
        startups.push((name, ms));
        sides.push((db, heads, fake, bot));
    }
    let warm = sizes.warmup / 10;
    for (_, heads, fake, bot) in &mut sides {
        let msgs: Vec<Msg> = Kind::ALL
            .iter()
            .flat_map(|k| only(*k, warm, heads, &mut rng))
            .collect();
        one_by_one(&mut [Lane { fake, bot, msgs }]).await?;
    }
    eprintln!(
        "scale: {} updates one at a time to each of 10 and {} blocs ({alone_heads} heads each), taking turns",
        sizes.per_command, large_db.blocs
    );
    let mut per_command = [BTreeMap::new(), BTreeMap::new()];
    for kind in Kind::ALL {
        let n = sizes.per_command * kind.share() / 100;
        let mut lanes: Vec<Lane> = sides
            .iter_mut()
            .map(|(_, heads, fake, bot)| Lane {
                msgs: only(kind, n, heads, &mut rng),
                fake,
                bot,
            })
            .collect();
        let alone = one_by_one(&mut lanes).await?;
        for (side, a) in alone.into_iter().enumerate() {
            eprintln!("  {} {}: {a:?}", ["small", "large"][side], kind.name());
            per_command[side].insert(kind.name(), a);
        }
    }
    // The dashboard, same heads on either side, taking turns.
    let asked: Vec<(&Proc, &[i64])> = sides
        .iter()
        .map(|(_, heads, _, bot)| (bot, heads.as_slice()))
        .collect();
    let dashboard = measure(&asked).await?;
    for d in &dashboard {
        eprintln!("  dashboard: {d:?}");
    }
    // Then the load: every head of the small database, 1,000 heads of the large.
    let mut mixed = Vec::new();
    for (db, heads, fake, bot) in &mut sides {
        *heads = db.heads(sizes.heads);
        let msgs = mix(sizes.updates, heads, &mut rng);
        eprintln!(
            "scale: thidua on {} blocs ({} heads), {} updates",
            db.blocs,
            heads.len(),
            msgs.len()
        );
        let b = burst(fake, bot, &msgs).await?;
        eprintln!("  mixed: {b:?}");
        mixed.push(b);
    }
    let mut dbs = Vec::new();
    let mut rss = 0;
    for ((((db, heads, fake, bot), mixed), per_command), dashboard) in
        sides.into_iter().zip(mixed).zip(per_command).zip(dashboard)
    {
        ensure!(
            fake.unmatched() == 0,
            "{}: replies to unknown chats",
            bot.name
        );
        rss = bot.peak_rss_kb();
        bot.stop().await;
        dbs.push(ScaleDb {
            blocs: db.blocs,
            units: db.blocs * UNITS_PER_BLOC,
            reports: db.reports,
            megabytes: db.megabytes(),
            seed_seconds: db.seconds,
            heads: heads.len(),
            mixed,
            per_command,
            dashboard,
        });
    }
    let large = dbs.pop().context("large")?;
    let small = dbs.pop().context("small")?;
    let r = |a: f64, b: f64| if b > 0.0 { round(a / b, 3) } else { 0.0 };
    let dashboard_ratio_large_small = (
        r(
            large.dashboard.standings_ms.p50,
            small.dashboard.standings_ms.p50,
        ),
        r(large.dashboard.unit_ms.p50, small.dashboard.unit_ms.p50),
        r(
            large.dashboard.standings_first_ms.p50,
            small.dashboard.standings_first_ms.p50,
        ),
    );
    let ratio_large_small = Kind::ALL
        .iter()
        .filter_map(|k| {
            let s = small.per_command.get(k.name())?;
            let l = large.per_command.get(k.name())?;
            let r = |a: f64, b: f64| if b > 0.0 { round(a / b, 3) } else { 0.0 };
            Some((
                k.name(),
                Ratio {
                    latency_p50: r(l.latency_ms.p50, s.latency_ms.p50),
                    latency_mean: r(l.latency_ms.mean, s.latency_ms.mean),
                    cpu: r(l.cpu_ms_per_update, s.cpu_ms_per_update),
                },
            ))
        })
        .collect();
    Ok((
        ScaleSection {
            alone_heads,
            small,
            large,
            ratio_large_small,
            dashboard_ratio_large_small,
        },
        rss,
    ))
}
