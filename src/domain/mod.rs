//! Pure domain logic: no I/O, no Telegram, no SQL.

pub mod args;
pub mod bloc;
pub mod board;
pub mod code;
pub mod correction;
pub mod period;
pub mod refusal;
pub mod review;
pub mod schedule;
pub mod score;
pub mod target;
pub mod title;
pub mod unit;
pub mod value;
pub mod verdict;

pub use bloc::Bloc;
pub use board::{Board, Patch, Reports, Reviewed};
pub use code::Code;
pub use period::Period;
pub use refusal::{CommandKind, Refusal};
pub use review::{Points, ReviewState};
pub use score::{Standing, StandingInput};
pub use target::{Goal, Target, TargetKind};
pub use unit::Unit;
