//! What the benches share, included by each with `#[path]` (a bench is its
//! own crate): the reminder fan-out scenario, which `benches/fanout.rs` runs
//! alone and the perf bench as its `fanout` section, and a bench process's
//! set-up.

pub mod reminders;

use anyhow::Context;
use thidua::harness::FAKE_TOKEN;
use tracing_subscriber::EnvFilter;

/// Logs to stderr (`RUST_LOG`, else `default_log`) with the fake token
/// redacted, and runs `work` on a multi-threaded runtime, as the bot does.
pub fn block_on<T>(
    default_log: &str,
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_log)),
        )
        .with_writer(thidua::telemetry::Redacting::new(vec![
            FAKE_TOKEN.to_owned(),
        ]))
        .with_target(false)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    runtime.block_on(work)
}
