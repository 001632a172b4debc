//! Section 5, `fanout`: reminders to every head in one scheduler tick.

use anyhow::{Context, ensure};
use chrono::{TimeZone, Utc};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;
use thidua::domain::args::TargetAdd;
use thidua::harness::Harness;
use thidua::scheduler::telegram_limits;
use thidua::storage::targets::NewTarget;
use thidua::storage::{blocs, targets, units};

use crate::figures::round;
use crate::seed::{TZ, UNITS_PER_BLOC};

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
/// approach of `benches/fanout.rs`).
pub async fn fanout_section(heads: usize, dir: &Path) -> anyhow::Result<FanoutSection> {
    let n = heads.div_ceil(UNITS_PER_BLOC);
    let url = format!("sqlite://{}", dir.join("fanout.db").display());
    let local_8am = |month: u32, day: u32| {
        Utc.with_ymd_and_hms(2026, month, day, 1, 0, 0)
            .single()
            .context("date")
    };
    let t0 = local_8am(3, 2)?;
    let limits = telegram_limits();
    let h = Harness::start_with(&url, t0, limits).await?;
    h.api
        .enforce_send_limit(limits.messages_per_sec_overall as usize);
    {
        let app = h.app().context("bot is stopped")?;
        let targets_2026: Vec<TargetAdd> = thidua::demo::TARGETS
            .iter()
            .map(|t| TargetAdd::parse(t).map_err(|e| anyhow::anyhow!("demo target {t}: {e:?}")))
            .collect::<anyhow::Result<_>>()?;
        let mut tx = app.db.write().await?;
        for b in 0..n {
            let bloc_id = blocs::insert(
                &mut tx,
                -1_000_000_000_000 - b as i64,
                &format!("Khối thi đua {:04}", b + 1),
                TZ,
                (500_000_000 + b as i64, "Nguyễn Văn An"),
                t0,
            )
            .await?;
            for u in 0..UNITS_PER_BLOC {
                let unit_id = units::insert(
                    &mut tx,
                    bloc_id,
                    &format!("DV{:02}", u + 1),
                    &format!("Đơn vị {:02} khối {:04}", u + 1, b + 1),
                    t0,
                )
                .await?;
                units::set_head(
                    &mut tx,
                    unit_id,
                    600_000_000 + (b * 1_000 + u) as i64,
                    &format!("Trưởng đơn vị {:02}", u + 1),
                )
                .await?;
            }
            for t in &targets_2026 {
                let new = NewTarget {
                    code: t.code.as_str(),
                    kind: t.kind,
                    goal: t.goal,
                    weight: t.weight,
                    name: &t.name,
                };
                targets::insert(&mut tx, bloc_id, 2026, &new, t0).await?;
            }
        }
        tx.commit().await?;
    }
    // The first pledge reminder: 14 days before 31 March, 08:00 local.
    h.clock.set(local_8am(3, 17)?);
    let from = h.api.call_count();
    let scheduler = h.scheduler()?;
    eprintln!(
        "fanout: {} heads and {n} groups at {}/s",
        n * UNITS_PER_BLOC,
        limits.messages_per_sec_overall
    );
    let started = Instant::now();
    let report = scheduler.tick().await?;
    let seconds = started.elapsed().as_secs_f64();
    let sends: Vec<_> = h
        .api
        .calls_since(from)
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .collect();
    let reached: HashSet<i64> = sends.iter().filter_map(|c| c.chat_id()).collect();
    let http_429 = h.api.too_many_requests();
    h.stop().await;
    let expected = n * UNITS_PER_BLOC + n;
    ensure!(
        report.sent == expected && sends.len() == expected && reached.len() == expected,
        "expected {expected} reminders once each, got {report:?}, {} sends to {} chats",
        sends.len(),
        reached.len()
    );
    let ceiling = limits.messages_per_sec_overall;
    let per_sec = sends.len() as f64 / seconds;
    Ok(FanoutSection {
        blocs: n,
        heads: n * UNITS_PER_BLOC,
        messages: sends.len(),
        seconds: round(seconds, 2),
        messages_per_sec: round(per_sec, 2),
        ceiling_per_sec: ceiling,
        ratio_to_ceiling: round(per_sec / f64::from(ceiling), 3),
        http_429,
    })
}
