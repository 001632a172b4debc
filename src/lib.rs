//! thidua: a Telegram bot for the yearly emulation pledge (giao ước thi đua)
//! of Vietnamese government units.

pub mod app;
pub mod bot;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod fakeapi;
pub mod harness;
pub mod ops;
pub mod polling;
pub mod render;
pub mod scheduler;
pub mod storage;
pub mod telemetry;
pub mod text;
