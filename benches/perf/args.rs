//! Command-line arguments and the sizes of a run.

use anyhow::{Context, ensure};
use serde::Serialize;
use std::path::PathBuf;

use crate::seed::UNITS_PER_BLOC;

/// Every size of the run; `--quick` divides each by 10.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sizes {
    /// Updates of the load test (and of the mixed runs of the scale test).
    pub updates: usize,
    /// Heads sending them.
    pub heads: usize,
    /// Updates handled before each measured run (not measured).
    pub warmup: usize,
    /// Blocs of the load test's database (enough for `heads`).
    pub load_blocs: usize,
    /// Blocs of the scale test's small database.
    pub small_blocs: usize,
    /// Blocs of the scale test's large database.
    pub large_blocs: usize,
    /// Updates sent one at a time, per scale database, over the four commands.
    pub per_command: usize,
    /// Heads reminded in the fan-out test.
    pub fanout_heads: usize,
    /// Start-ups timed on the large database.
    pub startup_runs: usize,
}

impl Sizes {
    pub fn new(quick: bool) -> Sizes {
        let d = if quick { 10 } else { 1 };
        let heads = 1_000 / d;
        Sizes {
            updates: 20_000 / d,
            heads,
            warmup: 1_000 / d,
            load_blocs: heads.div_ceil(UNITS_PER_BLOC),
            // Already small: kept at 10 blocs in both modes.
            small_blocs: 10,
            large_blocs: 5_000 / d,
            per_command: 4_000 / d,
            fanout_heads: 5_000 / d,
            startup_runs: 5,
        }
    }
}

pub struct Args {
    pub quick: bool,
    /// Sections to run; all when empty.
    pub only: Vec<String>,
    pub fanout: bool,
    /// Another thidua binary to compare this build with.
    pub compare: Option<PathBuf>,
    /// Run the bots without the Docker image's environment.
    pub bare_env: bool,
}

impl Args {
    pub fn runs(&self, section: &str) -> bool {
        self.compare.is_none()
            && (self.only.is_empty() || self.only.iter().any(|s| s == section))
            && (section != "fanout" || self.fanout)
    }
}

/// `--quick`, `--no-fanout`, `--only load,scale,startup,fanout`,
/// `--compare <thidua binary>` (only that comparison), `--bare-env`.
pub fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        quick: false,
        only: Vec::new(),
        fanout: true,
        compare: None,
        bare_env: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let only = match arg.as_str() {
            "--quick" => {
                a.quick = true;
                continue;
            }
            "--no-fanout" => {
                a.fanout = false;
                continue;
            }
            "--bare-env" => {
                a.bare_env = true;
                continue;
            }
            "--compare" => {
                let bin = args.next().context("--compare needs a thidua binary")?;
                a.compare = Some(PathBuf::from(bin));
                continue;
            }
            "--only" => args.next().context("--only needs a list of sections")?,
            other => match other.strip_prefix("--only=") {
                Some(v) => v.to_owned(),
                // Anything else (cargo's `--bench`) is ignored.
                None => continue,
            },
        };
        for s in only.split(',') {
            ensure!(
                ["load", "scale", "startup", "fanout"].contains(&s),
                "--only: unknown section {s:?} (load, scale, startup, fanout)"
            );
            a.only.push(s.to_owned());
        }
    }
    Ok(a)
}
