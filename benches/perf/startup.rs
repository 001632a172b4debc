//! Section 4, `startup`: process start to the first `getUpdates` on the
//! large database.

use serde::Serialize;
use std::path::Path;
use std::time::Duration;

use crate::args::Sizes;
use crate::fake::Fake;
use crate::figures::{percentile, round};
use crate::process::{Bins, Proc};
use crate::seed::Seeded;

#[derive(Debug, Serialize)]
pub struct StartupSection {
    pub database_blocs: usize,
    pub runs_ms: Vec<f64>,
    pub median_ms: f64,
    pub max_ms: f64,
    /// The floor's, on no database (measured in the load section).
    pub floor_ms: Option<f64>,
}

pub async fn startup_section(
    sizes: &Sizes,
    bins: &Bins,
    db: &Seeded,
    dir: &Path,
    floor_ms: Option<f64>,
) -> anyhow::Result<StartupSection> {
    let mut runs = Vec::new();
    for _ in 0..sizes.startup_runs {
        let fake = Fake::start().await?;
        let mut bot =
            Proc::spawn("thidua-startup", &bins.thidua, &fake, Some(&db.url), dir).await?;
        let first = match fake.first_poll(Duration::from_secs(60)).await {
            Ok(t) => t,
            Err(e) => {
                bot.alive()?;
                return Err(e);
            }
        };
        runs.push(round(
            first.duration_since(bot.spawned).as_secs_f64() * 1e3,
            1,
        ));
        // Let the catch-up tick finish so that runs do not overlap.
        bot.settle(Duration::from_secs(60)).await?;
        bot.stop().await;
    }
    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    eprintln!("startup on {} blocs: {runs:?} ms", db.blocs);
    Ok(StartupSection {
        database_blocs: db.blocs,
        median_ms: percentile(&sorted, 0.5),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        runs_ms: runs,
        floor_ms,
    })
}
