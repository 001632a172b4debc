//! Why a handler produced no replies: a refusal the user sees, or a failure.

use crate::domain::Refusal;
use crate::storage::StorageError;

/// Why a handler did not produce replies.
#[derive(Debug, thiserror::Error)]
pub enum Fail {
    /// A refusal the user sees, with the usage of the command.
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// Something broke; the user is told to retry.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Telegram failed while we asked it something.
    #[error("telegram: {0}")]
    Telegram(String),
    /// A chart or workbook could not be made.
    #[error("render: {0}")]
    Render(String),
}

impl Fail {
    /// The update was applied by another replica, which answers it: this
    /// process sends nothing.
    pub fn applied_elsewhere(&self) -> bool {
        matches!(self, Fail::Storage(StorageError::Applied(_)))
    }
}

impl From<Refusal> for Fail {
    fn from(r: Refusal) -> Fail {
        Fail::Refused(r)
    }
}

impl From<sqlx::Error> for Fail {
    fn from(e: sqlx::Error) -> Fail {
        Fail::Storage(e.into())
    }
}
