//! /schedule and /target confirm.

#[allow(unused_imports)]
use crate::support::*;
