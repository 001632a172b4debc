//! The JSON printed on stdout, and the goals met or not.

use serde::Serialize;

use crate::args::Sizes;
use crate::compare::CompareSection;
use crate::fanout::FanoutSection;
use crate::figures::round;
use crate::load::{LoadSection, MemorySection};
use crate::mix::Kind;
use crate::scale::ScaleSection;
use crate::startup::StartupSection;

#[derive(Debug, Serialize)]
pub struct Goal {
    pub goal: String,
    pub value: f64,
    pub met: bool,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub arch: &'static str,
    pub cpu: String,
}

#[derive(Debug, Serialize)]
pub struct Output {
    pub bench: &'static str,
    pub quick: bool,
    /// Environment given to both bots (the Docker image's; see the Dockerfile).
    pub bot_env: Vec<String>,
    pub machine: Machine,
    pub sizes: Sizes,
    pub load: Option<LoadSection>,
    pub scale: Option<ScaleSection>,
    pub memory: MemorySection,
    pub startup: Option<StartupSection>,
    pub fanout: Option<FanoutSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareSection>,
    pub goals: Vec<Goal>,
}

pub fn machine() -> Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    Machine {
        nproc: std::thread::available_parallelism().map_or(0, usize::from),
        arch: std::env::consts::ARCH,
        cpu,
    }
}

pub fn goals(out: &Output) -> Vec<Goal> {
    let mut g = Vec::new();
    let mut goal = |goal: String, value: f64, met: bool| {
        g.push(Goal {
            goal,
            value: round(value, 3),
            met,
        })
    };
    if let Some(l) = &out.load {
        let t = l.ratio_throughput;
        goal("throughput thidua / floor >= 0.7".into(), t, t >= 0.7);
        let p = l.ratio_p99;
        goal("p99 latency thidua / floor <= 2".into(), p, p <= 2.0);
    }
    if let Some(s) = &out.scale {
        for k in Kind::ALL {
            if let Some(r) = s.ratio_large_small.get(k.name()) {
                let v = r.latency_p50;
                goal(
                    format!("/{} large / small (latency p50 alone) <= 1.2", k.name()),
                    v,
                    v <= 1.2,
                );
            }
        }
    }
    if let Some(s) = &out.scale {
        let (st, un, _) = s.dashboard_ratio_large_small;
        goal(
            "dashboard API standings large / small (p50) <= 1.2".into(),
            st,
            st <= 1.2,
        );
        goal(
            "dashboard API unit large / small (p50) <= 1.2".into(),
            un,
            un <= 1.2,
        );
    }
    if out.memory.thidua_large_db_kb > 0 {
        let mb = out.memory.thidua_large_db_kb as f64 / 1024.0;
        goal(
            "peak RSS under load with the large database <= 40 MB".into(),
            mb,
            mb <= 40.0,
        );
    }
    if let Some(s) = &out.startup {
        let ms = s.median_ms;
        goal(
            "start-up to the first getUpdates (median) <= 200 ms".into(),
            ms,
            ms <= 200.0,
        );
    }
    if let Some(f) = &out.fanout {
        let r = f.ratio_to_ceiling;
        goal("fan-out messages/s / ceiling >= 0.9".into(), r, r >= 0.9);
        let n = f.http_429 as f64;
        goal("fan-out 429s == 0".into(), n, f.http_429 == 0);
    }
    g
}
