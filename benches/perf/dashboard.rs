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

/// What one side measured so far.
#[derive(Default)]
struct Times {
    first: Vec<f64>,
    standings: Vec<f64>,
    unit: Vec<f64>,
}

/// Asks one head's bloc (twice) and its first unit at `base`.
async fn ask(client: &reqwest::Client, base: &str, head: i64, t: &mut Times) -> anyhow::Result<()> {
    let init = thidua::initdata::sign(head, "Head", FAKE_TOKEN, chrono::Utc::now());
    let me = get(client, &format!("{base}/me"), &init).await?;
    let bloc = me["blocs"][0]["id"].as_i64().context("the head's bloc")?;
    let mut s = serde_json::Value::Null;
    for times in [&mut t.first, &mut t.standings] {
        let at = std::time::Instant::now();
        s = get(client, &format!("{base}/blocs/{bloc}"), &init).await?;
        times.push(at.elapsed().as_secs_f64() * 1e3);
    }
    let u = s["periods"][0]["rows"][0]["unit_id"]
        .as_i64()
        .context("a unit")?;
    let at = std::time::Instant::now();
    get(client, &format!("{base}/blocs/{bloc}/units/{u}"), &init).await?;
    t.unit.push(at.elapsed().as_secs_f64() * 1e3);
    Ok(())
}

/// Asks each side's dashboard for each of its heads' bloc and first unit,
/// the sides taking turns head by head, so that a shared machine's
/// background load (or one bot's scheduler tick) falls on both.
pub async fn measure(sides: &[(&Proc, &[i64])]) -> anyhow::Result<Vec<DashboardSide>> {
    let client = reqwest::Client::new();
    let mut bases = Vec::new();
    for (bot, _) in sides {
        let addr = bot.http_addr().context("no HTTP server in the log")?;
        bases.push(format!("http://{addr}/app/api/v1"));
    }
    let mut times: Vec<Times> = sides.iter().map(|_| Times::default()).collect();
    let most = sides.iter().map(|(_, h)| h.len()).max().unwrap_or(0);
    for i in 0..most {
        for ((base, (_, heads)), t) in bases.iter().zip(sides).zip(&mut times) {
            if let Some(&head) = heads.get(i) {
                ask(&client, base, head, t).await?;
            }
        }
    }
    Ok(sides
        .iter()
        .zip(times)
        .map(|((_, heads), t)| DashboardSide {
            heads: heads.len(),
            standings_first_ms: Latency::of(&t.first),
            standings_ms: Latency::of(&t.standings),
            unit_ms: Latency::of(&t.unit),
        })
        .collect())
}
