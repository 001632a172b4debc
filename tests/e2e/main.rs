//! End-to-end tests: the real bot over HTTP against a fake Bot API on
//! 127.0.0.1. One test binary with modules, so it links once.

mod browser;
mod crash;
mod dashboard;
mod export;
mod faults;
mod friendly;
mod guide;
mod guided;
mod hostile;
mod misc;
mod ops;
mod permissions;
mod pictures;
mod pledge;
#[cfg(feature = "postgres")]
mod postgres;
mod process;
#[cfg(feature = "postgres")]
mod replicas;
mod report;
mod review;
mod review_more;
mod schedule;
mod scheduler;
mod serving;
mod setup;
mod support;
mod targets;
mod trust;
mod verdict;
