//! The bots as processes: finding the binaries, spawning one against a
//! fake, and reading its memory and CPU time from /proc.

use anyhow::{Context, bail, ensure};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use thidua::harness::FAKE_TOKEN;

use crate::fake::Fake;
use crate::figures::round;
use crate::seed::Seeded;

/// The environment the Docker image gives the bot (see the Dockerfile),
/// for both bots; empty with `--bare-env`.
pub static BOT_ENV: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();

/// The Dockerfile's runtime `ENV` that concerns performance.
pub const IMAGE_ENV: [(&str, &str); 1] = [("MALLOC_ARENA_MAX", "2")];

/// A bot running as a process against the fake.
pub struct Proc {
    pub name: &'static str,
    child: tokio::process::Child,
    pid: u32,
    pub spawned: Instant,
    log: PathBuf,
}

impl Proc {
    pub async fn spawn(
        name: &'static str,
        bin: &Path,
        fake: &Fake,
        db_url: Option<&str>,
        dir: &Path,
    ) -> anyhow::Result<Proc> {
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = dir.join(format!("{name}-{run}.log"));
        let file = std::fs::File::create(&log)?;
        // Profiling: THIDUA_PERF_WRAP="/usr/bin/perf record -o /tmp/{name}.data --"
        // runs thidua under the profiler, `{name}` naming the run (the RSS
        // and CPU figures are then the wrapper's).
        let wrap: Vec<String> = std::env::var("THIDUA_PERF_WRAP")
            .ok()
            .filter(|_| db_url.is_some())
            .map(|w| {
                w.split_whitespace()
                    .map(|a| a.replace("{name}", &format!("{name}-{run}")))
                    .collect()
            })
            .unwrap_or_default();
        let mut cmd = match wrap.split_first() {
            Some((first, rest)) => {
                let mut c = tokio::process::Command::new(first);
                c.args(rest).arg(bin);
                c
            }
            None => tokio::process::Command::new(bin),
        };
        cmd.env_clear()
            .env("TELOXIDE_TOKEN", FAKE_TOKEN)
            .env("TELOXIDE_API_URL", &fake.url)
            // Bots of a run may overlap: each server on a port of its own.
            .env("THIDUA_LISTEN", "127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .kill_on_drop(true);
        if let Some(url) = db_url {
            cmd.arg("run")
                .env("DATABASE_URL", url)
                .env("THIDUA_WEBAPP_URL", "https://bench.example/app");
        }
        for (k, v) in BOT_ENV.get().map(Vec::as_slice).unwrap_or_default() {
            cmd.env(k, v);
        }
        // THIDUA_PERF_BOT_LOG=sqlx::query=debug: the bot's RUST_LOG (its log
        // is in the kept directory, see THIDUA_PERF_KEEP).
        if let Ok(filter) = std::env::var("THIDUA_PERF_BOT_LOG") {
            cmd.env("RUST_LOG", filter);
        }
        let spawned = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id().context("no pid")?;
        Ok(Proc {
            name,
            child,
            pid,
            spawned,
            log,
        })
    }

    /// A field of /proc/<pid>/status, in kB.
    pub fn status_kb(&self, key: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        s.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    }

    pub fn peak_rss_kb(&self) -> u64 {
        self.status_kb("VmHWM").unwrap_or(0)
    }

    /// CPU time of the whole process (every thread), user + system, in ms.
    /// Live threads are counted in nanoseconds (`task/*/schedstat`), threads
    /// that have exited in the 10 ms ticks of `stat` (all that is left of
    /// them): a difference of two readings is then exact to a few µs unless
    /// a thread exited in between.
    pub fn cpu_ms(&self) -> f64 {
        let proc_ticks = stat_ticks(&format!("/proc/{}/stat", self.pid));
        let (mut live_ticks, mut live_ns) = (0, 0);
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) {
            for t in tasks.flatten() {
                let dir = t.path();
                let ns = std::fs::read_to_string(dir.join("schedstat"))
                    .ok()
                    .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
                // A thread that exits between the two reads is left to `stat`.
                if let Some(ns) = ns {
                    live_ticks += stat_ticks(&dir.join("stat").to_string_lossy());
                    live_ns += ns;
                }
            }
        }
        proc_ticks.saturating_sub(live_ticks) as f64 * 10.0 + live_ns as f64 / 1e6
    }

    pub fn alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{} exited ({status}); log:\n{}", self.name, self.log_tail());
        }
        Ok(())
    }

    /// Where its HTTP server listens, from its log.
    pub fn http_addr(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.log).ok()?;
        text.lines()
            .find_map(|l| l.split("HTTP server listening on ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Waits until the process has used no CPU for 300 ms (start-up work
    /// such as the scheduler's catch-up tick is over), up to `limit`.
    pub async fn settle(&mut self, limit: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + limit;
        let mut last = self.cpu_ms();
        let mut quiet = 0;
        while Instant::now() < deadline && quiet < 3 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.alive()?;
            let now = self.cpu_ms();
            quiet = if now > last { 0 } else { quiet + 1 };
            last = now;
        }
        Ok(())
    }

    /// SIGTERM (a graceful shutdown; a profiler wrapping the bot writes
    /// its data), SIGKILL after 10 s.
    pub async fn stop(mut self) {
        let _ = tokio::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.start_kill();
            let _ = self.child.wait().await;
        }
    }
}

/// utime + stime of a `/proc/.../stat` file, in USER_HZ = 100 ticks/s
/// (fields 14 and 15); 0 if it cannot be read.
fn stat_ticks(path: &str) -> u64 {
    let Ok(s) = std::fs::read_to_string(path) else {
        return 0;
    };
    let Some((_, rest)) = s.rsplit_once(')') else {
        return 0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    ticks(11) + ticks(12)
}

pub struct Bins {
    pub thidua: PathBuf,
    pub floor: PathBuf,
}

pub fn bins() -> anyhow::Result<Bins> {
    let thidua = PathBuf::from(env!("CARGO_BIN_EXE_thidua"));
    let floor = thidua
        .parent()
        .context("binary directory")?
        .join("examples")
        .join("floor");
    ensure!(
        floor.exists(),
        "{} is missing: run `cargo build --release --example floor` first (with the same CARGO_TARGET_DIR)",
        floor.display()
    );
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/floor.rs");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(b), Some(s)) = (modified(&floor), modified(&source))
        && b < s
    {
        eprintln!(
            "warning: {} is older than examples/floor.rs: rebuild it",
            floor.display()
        );
    }
    Ok(Bins { thidua, floor })
}

/// A bot process against its own fake, started and settled.
pub async fn start_bot(
    name: &'static str,
    bin: &Path,
    db: Option<&Seeded>,
    dir: &Path,
) -> anyhow::Result<(Fake, Proc, f64)> {
    let fake = Fake::start().await?;
    let mut bot = Proc::spawn(name, bin, &fake, db.map(|d| d.url.as_str()), dir).await?;
    let first = match fake.first_poll(Duration::from_secs(60)).await {
        Ok(t) => t,
        Err(e) => {
            bot.alive()?;
            return Err(e);
        }
    };
    let startup_ms = first.duration_since(bot.spawned).as_secs_f64() * 1e3;
    bot.settle(Duration::from_secs(60)).await?;
    Ok((fake, bot, round(startup_ms, 1)))
}
