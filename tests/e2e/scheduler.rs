//! The scheduler in simulated time.

#[allow(unused_imports)]
use crate::support::*;
