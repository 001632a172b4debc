//! The dashboard's API on the small and the large database (issue 17):
//! a head's bloc standings and one of its units, one request at a time,
//! signed as Telegram signs `initData`.

use anyhow::{Context, ensure};
use serde::Serialize;

use crate::figures::Latency;
use crate::process::Proc;
use thidua::harness::FAKE_TOKEN;

/// One database's answers.
#[derive(Debug, Serialize)]
pub struct DashboardSide {
    /// Heads asked, each twice per request kind.
    pub heads: usize,
    /// `GET /app/api/v1/blocs/{bloc}`: both periods' standings, the first
    /// time a bloc is asked for (its year-end board not yet in memory).
    pub standings_first_ms: Latency,
    /// The same, asked again.
    pub standings_ms: Latency,
    /// `GET /app/api/v1/blocs/{bloc}/units/{unit}`: a unit's targets.
    pub unit_ms: Latency,
}

async fn get(client: &reqwest::Client, url: &str, init: &str) -> anyhow::Result<serde_json::Value> {
    let r = client
        .get(url)
        .header("Authorization", format!("tma {init}"))
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    ensure!(r.status().is_success(), "GET {url}: {}", r.status());
    Ok(r.json().await?)
}

/// Asks `bot`'s dashboard for each head's bloc and first unit.
pub async fn measure(bot: &Proc, heads: &[i64]) -> anyhow::Result<DashboardSide> {
    let base = format!(
        "http://{}/app/api/v1",
        bot.http_addr().context("no HTTP server in the log")?
    );
    let client = reqwest::Client::new();
    let (mut first, mut standings, mut unit) = (Vec::new(), Vec::new(), Vec::new());
    for &head in heads {
        let init = thidua::initdata::sign(head, "Head", FAKE_TOKEN, chrono::Utc::now());
        let me = get(&client, &format!("{base}/me"), &init).await?;
        let bloc = me["blocs"][0]["id"].as_i64().context("the head's bloc")?;
        let mut s = serde_json::Value::Null;
        for times in [&mut first, &mut standings] {
            let t = std::time::Instant::now();
            s = get(&client, &format!("{base}/blocs/{bloc}"), &init).await?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let u = s["periods"][0]["rows"][0]["unit_id"]
            .as_i64()
            .context("a unit")?;
        let t = std::time::Instant::now();
        get(&client, &format!("{base}/blocs/{bloc}/units/{u}"), &init).await?;
        unit.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(DashboardSide {
        heads: heads.len(),
        standings_first_ms: Latency::of(&first),
        standings_ms: Latency::of(&standings),
        unit_ms: Latency::of(&unit),
    })
}
