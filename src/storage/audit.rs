//! The audit log: who changed what, when, from what to what.

use crate::storage::Conn;
use chrono::{DateTime, Utc};

use super::Result;

/// Defines [`Action`], its stored codes and [`Action::ALL`] from one list,
/// so that no action can be left out of any of them.
macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// What an audit entry records. The stored codes ([`Action::as_str`])
        /// are the ones earlier versions wrote: the log keeps them, and
        /// exports and `/history` read them back.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// Every action.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The code stored in `audit_log.action`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $code,)*
                }
            }
        }
    };
}

actions! {
    /// `/newbloc`
    BlocCreate = "bloc.create",
    /// `/addadmin`
    AdminAdd = "admin.add",
    /// `/addunit`
    UnitAdd = "unit.add",
    /// `/invite`
    InviteCreate = "invite.create",
    /// `/join`: someone became a unit's head.
    UnitHead = "unit.head",
    /// `/target add`
    TargetAdd = "target.add",
    /// `/target set`: a unit's own goal.
    TargetGoal = "target.goal",
    /// `/target remove` of a target without values: deleted.
    TargetRemove = "target.remove",
    /// `/target confirm`
    TargetConfirm = "target.confirm",
    /// `/target remove` of a target with values: archived.
    TargetArchive = "target.archive",
    /// `/target restore`
    TargetRestore = "target.restore",
    /// `/register`
    TitleRegister = "title.register",
    /// `/pledge sign` or its button.
    PledgeSign = "pledge.sign",
    /// A report, written by the report insert's own SQL.
    Report = "report",
    /// `/schedule set|remind|time|tz`
    Schedule = "schedule",
    /// `/bloc`
    UserBloc = "user.bloc",
    /// `/lang`
    UserLang = "user.lang",
    /// `/submit`
    ReviewSubmit = "review.submit",
    /// `/approve` or its button.
    ReviewApprove = "review.approve",
    /// `/return` or its button, with the reason.
    ReviewReturn = "review.return",
    /// `/exempt`
    Exempt = "exempt.add",
    /// `/exempt remove`
    ExemptRemove = "exempt.remove",
    /// `/points` adding an entry.
    Points = "points.add",
    /// `/correct`: a head asks to change an approved value.
    CorrectionRequest = "correction.request",
    /// `/accept` or its button: the value was replaced.
    CorrectionAccept = "correction.accept",
    /// `/reject` or its button, with the reason.
    CorrectionReject = "correction.reject",
    /// `/evidence` attached a file to a value.
    EvidenceAdd = "evidence.add",
    /// `/ballot open`: the question, K and the closing time; never a vote.
    BallotOpen = "ballot.open",
    /// `/ballot close`: closed before its time by an admin.
    BallotClose = "ballot.close",
    /// `/propose`
    ProposalAdd = "proposal.add",
    /// `/propose remove`
    ProposalRemove = "proposal.remove",
}

impl Action {
    /// Reads a stored code; `None` for one this version does not write
    /// (a newer version's, or a row edited by hand).
    pub fn parse(code: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == code)
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Telegram user id of who made the change.
    pub user_id: i64,
    /// Bloc concerned, if any.
    pub bloc_id: Option<i64>,
    /// Unit concerned, if any.
    pub unit_id: Option<i64>,
    /// What was done.
    pub action: Action,
    /// What it was done to, e.g. `THU/mid`.
    pub subject: String,
    /// Value before, if any.
    pub old: Option<String>,
    /// Value after, if any.
    pub new: Option<String>,
}

impl Entry {
    /// `user` did `action` to `subject` in `bloc`; no unit, no values.
    pub fn new(user: i64, bloc: i64, action: Action, subject: impl Into<String>) -> Entry {
        Entry {
            user_id: user,
            bloc_id: Some(bloc),
            unit_id: None,
            action,
            subject: subject.into(),
            old: None,
            new: None,
        }
    }

    /// The unit concerned.
    pub fn unit(self, unit: i64) -> Entry {
        Entry {
            unit_id: Some(unit),
            ..self
        }
    }

    /// The values before and after, where there are any.
    pub fn values(self, old: Option<String>, new: Option<String>) -> Entry {
        Entry { old, new, ..self }
    }
}

/// Appends an entry; call inside the transaction of the change.
pub async fn append(conn: &mut Conn, at: DateTime<Utc>, e: Entry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, bloc_id, unit_id, action, subject, old_value, new_value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(e.user_id)
    .bind(e.bloc_id)
    .bind(e.unit_id)
    .bind(e.action.as_str())
    .bind(e.subject)
    .bind(e.old)
    .bind(e.new)
    .execute(conn)
    .await?;
    Ok(())
}

/// Number of audit rows (for tests and checks).
pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(conn)
        .await?)
}

/// One audit row as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    /// Row id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (Telegram id).
    pub user_id: i64,
    /// Unit concerned, if any.
    pub unit_id: Option<i64>,
    /// What: an [`Action`]'s code, or one this version does not know.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: Option<String>,
}

/// A page of a bloc's audit log, newest first, optionally for one unit.
pub async fn page(
    conn: &mut Conn,
    bloc_id: i64,
    unit_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Row>, i64)> {
    let rows = sqlx::query_as(
        "SELECT id, at, user_id, unit_id, action, subject, old_value, new_value FROM audit_log
         WHERE bloc_id = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY id DESC LIMIT $3 OFFSET $4",
    )
    .bind(bloc_id)
    .bind(unit_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE bloc_id = $1 AND ($2 IS NULL OR unit_id = $2)",
    )
    .bind(bloc_id)
    .bind(unit_id)
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// Display names of the people of a bloc (admins and heads), by Telegram id.
pub async fn names(
    conn: &mut Conn,
    bloc_id: i64,
) -> Result<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT user_id, name FROM bloc_admins WHERE bloc_id = $1
         UNION ALL SELECT head_user_id, head_name FROM units WHERE bloc_id = $1 AND head_user_id IS NOT NULL AND head_name IS NOT NULL",
    )
    .bind(bloc_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_code() {
        for &a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        let codes: std::collections::HashSet<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(codes.len(), Action::ALL.len(), "two actions share a code");
    }

    #[test]
    fn the_stored_codes_are_the_ones_already_in_databases() {
        assert_eq!(Action::InviteCreate.as_str(), "invite.create");
        assert_eq!(Action::TargetArchive.as_str(), "target.archive");
        assert_eq!(Action::Report.as_str(), "report");
        assert_eq!(Action::UserLang.as_str(), "user.lang");
    }

    #[test]
    fn a_code_this_version_does_not_write_is_not_an_action() {
        assert_eq!(Action::parse("award.grant"), None);
        assert_eq!(Action::parse(""), None);
        assert_eq!(Action::parse("Report"), None);
    }
}
