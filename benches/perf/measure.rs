//! Sending updates to running bots and measuring the replies: all queued
//! at once (a burst) or one at a time, several bots taking turns.

use anyhow::{Context, ensure};
use serde::Serialize;
use std::ops::Range;
use std::time::Duration;

use crate::fake::Fake;
use crate::figures::{Latency, round};
use crate::mix::Msg;
use crate::process::Proc;

/// Waiting longer than this for a reply means the bot is stuck.
const STUCK: Duration = Duration::from_secs(60);

/// A run of updates all queued at once.
#[derive(Debug, Clone, Serialize)]
pub struct Burst {
    pub updates: usize,
    pub seconds: f64,
    pub updates_per_sec: f64,
    pub latency_ms: Latency,
    pub cpu_ms_per_update: f64,
    pub peak_rss_kb: u64,
    /// RSS at the end, anonymous (heap, stacks) and file-backed (the binary).
    pub rss_anon_kb: u64,
    pub rss_file_kb: u64,
    /// Threads of the process at the end.
    pub threads: u64,
}

/// Queues `msgs` at once and waits for every reply.
pub async fn burst(fake: &Fake, bot: &mut Proc, msgs: &[Msg]) -> anyhow::Result<Burst> {
    let mut lanes = [Lane {
        fake,
        bot,
        msgs: msgs.to_vec(),
    }];
    let mut b = bursts(&mut lanes, 1).await?;
    b.pop().context("one lane")
}

/// Each lane's updates in `rounds` parts, each part queued at once and
/// answered before the next lane's part: both bots meet the same background
/// load of a shared machine.
pub async fn bursts(lanes: &mut [Lane<'_>], rounds: usize) -> anyhow::Result<Vec<Burst>> {
    let mut done: Vec<(Vec<Range<usize>>, f64, f64)> = vec![(Vec::new(), 0.0, 0.0); lanes.len()];
    for r in 0..rounds {
        for (l, (ranges, seconds, cpu)) in lanes.iter_mut().zip(done.iter_mut()) {
            let part = l.msgs.len().div_ceil(rounds);
            let msgs = &l.msgs[(r * part).min(l.msgs.len())..((r + 1) * part).min(l.msgs.len())];
            if msgs.is_empty() {
                continue;
            }
            let range = l.fake.load(msgs);
            let before = l.bot.cpu_ms();
            l.fake.release_to(range.end);
            let waited = l.fake.answered(range.end, STUCK).await;
            if waited.is_err() {
                l.bot.alive()?;
            }
            waited?;
            *cpu += l.bot.cpu_ms() - before;
            let t = l.fake.timings(range.clone());
            if let (Some(a), Some(b)) = (t.first_served, t.last_reply) {
                *seconds += b.duration_since(a).as_secs_f64();
            }
            ranges.push(range);
        }
    }
    let mut out = Vec::new();
    for (l, (ranges, seconds, cpu)) in lanes.iter().zip(done) {
        let mut all = Vec::new();
        let mut refused = 0;
        for range in &ranges {
            let t = l.fake.timings(range.clone());
            all.extend(t.all);
            refused += t.refused;
        }
        let n: usize = ranges.iter().map(Range::len).sum();
        ensure!(
            refused == 0,
            "{}: {refused} of {n} commands were refused or failed; samples: {:?}",
            l.bot.name,
            l.fake.samples()
        );
        out.push(Burst {
            updates: n,
            seconds: round(seconds, 3),
            updates_per_sec: round(n as f64 / seconds, 1),
            latency_ms: Latency::of(&all),
            cpu_ms_per_update: round(cpu / n as f64, 4),
            peak_rss_kb: l.bot.peak_rss_kb(),
            rss_anon_kb: l.bot.status_kb("RssAnon").unwrap_or(0),
            rss_file_kb: l.bot.status_kb("RssFile").unwrap_or(0),
            threads: l.bot.status_kb("Threads").unwrap_or(0),
        });
    }
    Ok(out)
}

/// One kind of command sent alone, one update at a time.
#[derive(Debug, Clone, Serialize)]
pub struct Alone {
    pub updates: usize,
    pub latency_ms: Latency,
    pub cpu_ms_per_update: f64,
}

/// A bot with its fake and the updates it is to get.
pub struct Lane<'a> {
    pub fake: &'a Fake,
    pub bot: &'a mut Proc,
    pub msgs: Vec<Msg>,
}

/// Sends each lane's updates one at a time, taking turns between the lanes
/// (one to the first bot, its reply, one to the second…), so that both bots
/// meet the same background load of a shared machine.
pub async fn one_by_one(lanes: &mut [Lane<'_>]) -> anyhow::Result<Vec<Alone>> {
    let mut ranges = Vec::new();
    let mut cpu = Vec::new();
    for l in lanes.iter() {
        ranges.push(l.fake.load(&l.msgs));
        cpu.push(l.bot.cpu_ms());
    }
    let longest = ranges.iter().map(Range::len).max().unwrap_or(0);
    for k in 0..longest {
        for (l, range) in lanes.iter_mut().zip(&ranges) {
            if k >= range.len() {
                continue;
            }
            let i = range.start + k;
            l.fake.release_to(i + 1);
            let waited = l.fake.answered(i + 1, STUCK).await;
            if waited.is_err() {
                l.bot.alive()?;
            }
            waited?;
        }
    }
    let mut out = Vec::new();
    for ((l, range), cpu) in lanes.iter().zip(ranges).zip(cpu) {
        let cpu = l.bot.cpu_ms() - cpu;
        let t = l.fake.timings(range.clone());
        ensure!(
            t.refused == 0,
            "{}: {} commands refused or failed; samples: {:?}",
            l.bot.name,
            t.refused,
            l.fake.samples()
        );
        out.push(Alone {
            updates: range.len(),
            latency_ms: Latency::of(&t.all),
            cpu_ms_per_update: round(cpu / range.len() as f64, 4),
        });
    }
    Ok(out)
}
