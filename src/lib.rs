//! thidua: a Telegram bot for the yearly emulation pledge (giao ước thi đua)
//! of Vietnamese government units.
//!
//! With the `demo` feature (on by default) the library also has [`demo`] and
//! [`harness`]: the real bot wired to the fake Bot API of the `fake-bot-api`
//! crate, for `thidua demo`, the end-to-end tests and the benchmarks. A
//! production build can leave them out with `--no-default-features`.

pub mod app;
pub mod bot;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod delivery;
#[cfg(feature = "demo")]
pub mod demo;
pub mod domain;
#[cfg(feature = "demo")]
pub mod harness;
pub mod inflight;
pub mod initdata;
pub mod metrics;
pub mod ops;
pub mod polling;
pub mod render;
pub mod scheduler;
pub mod serve;
pub mod storage;
pub mod telemetry;
pub mod text;
pub mod webhook;
