//! One scheduler tick that sends the first pledge reminder of 2026 to every
//! unit head and every group of N blocs × 15 units, through the real
//! scheduler and the limiter, against the in-process fake Bot API enforcing
//! Telegram's overall limit (30/s).

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use std::time::Instant;
use thidua::domain::args::TargetAdd;
use thidua::harness::Harness;
use thidua::scheduler::{TickReport, telegram_limits};
use thidua::storage::targets::NewTarget;
use thidua::storage::{blocs, targets, units};

/// Units of a bloc, each with a head.
pub const UNITS_PER_BLOC: usize = 15;
const YEAR: i32 = 2026;
const TZ: &str = "Asia/Ho_Chi_Minh";

/// What the tick did, as the scheduler and the fake saw it.
pub struct Reminded {
    /// The scheduler's own count.
    pub report: TickReport,
    /// How long the tick took.
    pub seconds: f64,
    /// `sendMessage` calls the fake accepted.
    pub sends: usize,
    /// Their chats: heads above 0, groups below.
    pub chats: Vec<i64>,
    /// 429s the fake answered.
    pub http_429: u64,
    /// The limiter's overall ceiling, messages per second.
    pub ceiling: u32,
}

/// 08:00 in Asia/Ho_Chi_Minh (UTC+7, no DST) on a day of 2026, as UTC.
fn local_8am(month: u32, day: u32) -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(YEAR, month, day, 1, 0, 0)
        .single()
        .context("valid date")
}

fn group_chat(bloc: usize) -> i64 {
    -1_000_000_000_000 - bloc as i64
}

fn admin_id(bloc: usize) -> i64 {
    500_000_000 + bloc as i64
}

fn head_id(bloc: usize, unit: usize) -> i64 {
    600_000_000 + (bloc * 1_000 + unit) as i64
}

/// `n` blocs × 15 units, each with a head; the demo's targets; nobody signed.
async fn seed(h: &Harness, n: usize, now: DateTime<Utc>) -> anyhow::Result<()> {
    let app = h.app().context("bot is stopped")?;
    let targets_2026: Vec<TargetAdd> = thidua::demo::TARGETS
        .iter()
        .map(|t| TargetAdd::parse(t).map_err(|e| anyhow::anyhow!("demo target {t}: {e:?}")))
        .collect::<anyhow::Result<_>>()?;
    // One transaction: 100 × (1 + 15 × 2 + 5) statements commit in one fsync.
    let mut tx = app.db.write().await?;
    for b in 0..n {
        let bloc_id = blocs::insert(
            &mut tx,
            group_chat(b),
            &format!("Khối thi đua {:04}", b + 1),
            TZ,
            (admin_id(b), "Nguyễn Văn An"),
            now,
        )
        .await?;
        for u in 0..UNITS_PER_BLOC {
            let unit_id = units::insert(
                &mut tx,
                bloc_id,
                &format!("DV{:02}", u + 1),
                &format!("Đơn vị {:02} khối {:04}", u + 1, b + 1),
                now,
            )
            .await?;
            units::set_head(
                &mut tx,
                unit_id,
                head_id(b, u),
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
            targets::insert(&mut tx, bloc_id, YEAR, &new, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Seeds `n` blocs into a new database at `db_url` and times the tick that
/// reminds them all.
pub async fn remind_all(db_url: &str, n: usize) -> anyhow::Result<Reminded> {
    let t0 = local_8am(3, 2)?;
    let limits = telegram_limits();
    let h = Harness::start_with(db_url, t0, limits).await?;
    h.api
        .enforce_send_limit(limits.messages_per_sec_overall as usize);
    let seeding = Instant::now();
    seed(&h, n, t0).await?;
    eprintln!(
        "seeded {n} blocs × {UNITS_PER_BLOC} units in {:.2}s; reminding {} heads and {n} groups at {}/s",
        seeding.elapsed().as_secs_f64(),
        n * UNITS_PER_BLOC,
        limits.messages_per_sec_overall
    );

    // The first pledge reminder: 14 days before 31 March, 08:00 local.
    h.clock.set(local_8am(3, 17)?);
    let from = h.api.call_count();
    let scheduler = h.scheduler()?;
    let started = Instant::now();
    let report = scheduler.tick().await?;
    let seconds = started.elapsed().as_secs_f64();

    let sends: Vec<_> = h
        .api
        .calls_since(from)
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .collect();
    let chats = sends.iter().filter_map(|c| c.chat_id()).collect();
    let http_429 = h.api.too_many_requests();
    h.stop().await;
    Ok(Reminded {
        report,
        seconds,
        sends: sends.len(),
        chats,
        http_429,
        ceiling: limits.messages_per_sec_overall,
    })
}
