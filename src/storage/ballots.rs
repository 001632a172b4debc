//! Secret ballots: who voted and the counts, kept apart (see
//! `migrations/sqlite/0011_verdict.sql`); proposals for commendation.

use crate::storage::Conn;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::Result;
use crate::domain::Unit;

/// A ballot as stored.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct Ballot {
    /// Row id.
    pub id: i64,
    /// Its bloc.
    pub bloc_id: i64,
    /// The emulation year it belongs to.
    pub year: i32,
    /// What is asked.
    pub question: String,
    /// Most units a voter may pick.
    #[sqlx(try_from = "i64")]
    pub picks: u32,
    /// When it opened.
    pub opened_at: DateTime<Utc>,
    /// When it closes itself.
    pub closes_at: DateTime<Utc>,
    /// When it closed, if it has.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Ballot {
    /// Whether it takes votes at `now`: not closed, and not past its time
    /// (a ballot past its time waits only for the scheduler's close).
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_none() && now < self.closes_at
    }
}

/// A unit on a ballot: its place (button, bit of the picks) and its votes.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct Candidate {
    /// The unit.
    pub unit_id: i64,
    /// Its place on the ballot, from 0.
    #[sqlx(try_from = "i64")]
    pub slot: u8,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Votes so far: shown only once the ballot is closed.
    #[sqlx(try_from = "i64")]
    pub votes: u32,
}

const COLS: &str = "id, bloc_id, year, question, picks, opened_at, closes_at, closed_at";

/// Opens a ballot over `units` (at most 64, in their order on the ballot).
#[allow(clippy::too_many_arguments)]
pub async fn open(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    question: &str,
    picks: u32,
    by: i64,
    now: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    units: &[Unit],
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ballots (bloc_id, year, question, picks, opened_by, opened_at, closes_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(bloc_id)
    .bind(year)
    .bind(question)
    .bind(i64::from(picks))
    .bind(by)
    .bind(now)
    .bind(closes_at)
    .fetch_one(&mut *conn)
    .await?;
    for (slot, u) in units.iter().enumerate() {
        sqlx::query("INSERT INTO ballot_counts (ballot_id, unit_id, slot) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(u.id)
            .bind(slot as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// A ballot by id.
pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Ballot>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLS} FROM ballots WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The bloc's ballot not yet closed, if any (it may be past its time).
pub async fn unclosed(conn: &mut Conn, bloc_id: i64) -> Result<Option<Ballot>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM ballots WHERE bloc_id = $1 AND closed_at IS NULL"
    ))
    .bind(bloc_id)
    .fetch_optional(conn)
    .await?)
}

/// The bloc's closed ballots of a year, oldest first.
pub async fn closed_of_year(conn: &mut Conn, bloc_id: i64, year: i32) -> Result<Vec<Ballot>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM ballots WHERE bloc_id = $1 AND year = $2 AND closed_at IS NOT NULL
         ORDER BY closed_at, id"
    ))
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// A ballot's candidates, in their order on the ballot.
pub async fn candidates(conn: &mut Conn, ballot_id: i64) -> Result<Vec<Candidate>> {
    Ok(sqlx::query_as(
        "SELECT c.unit_id, c.slot, u.code, u.name, c.votes FROM ballot_counts c
         JOIN units u ON u.id = c.unit_id WHERE c.ballot_id = $1 ORDER BY c.slot",
    )
    .bind(ballot_id)
    .fetch_all(conn)
    .await?)
}

/// How many units voted.
pub async fn voted(conn: &mut Conn, ballot_id: i64) -> Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballot_voters WHERE ballot_id = $1")
        .bind(ballot_id)
        .fetch_one(conn)
        .await?;
    u32::try_from(n).map_err(|_| super::StorageError::Corrupt(format!("{n} voters")))
}

/// Whether `unit` voted.
pub async fn has_voted(conn: &mut Conn, ballot_id: i64, unit: i64) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM ballot_voters WHERE ballot_id = $1 AND unit_id = $2)",
    )
    .bind(ballot_id)
    .bind(unit)
    .fetch_one(conn)
    .await?)
}

/// Casts `unit`'s vote for the candidates in `slots`: records that it
/// voted and adds one to each pick's count, nothing that joins the two.
/// False (and nothing changed) if it voted already.
pub async fn cast(conn: &mut Conn, ballot_id: i64, unit: i64, slots: &[u8]) -> Result<bool> {
    let first = sqlx::query(
        "INSERT INTO ballot_voters (ballot_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(ballot_id)
    .bind(unit)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !first {
        return Ok(false);
    }
    // Every count of the ballot is written, the picked ones one higher:
    // which rows a vote changed, and in which order, shows nowhere (not in
    // PostgreSQL's row versions, nor in which pages SQLite wrote).
    let picked = slots
        .iter()
        .filter(|s| **s < 64)
        .fold(0u64, |m, s| m | (1 << s));
    sqlx::query(
        "UPDATE ballot_counts SET votes = votes + ((CAST($2 AS BIGINT) >> CAST(slot AS INTEGER)) & 1)
         WHERE ballot_id = $1",
    )
    .bind(ballot_id)
    .bind(picked.cast_signed())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Closes a ballot at `now` unless it is closed already (then false).
/// `announced`: its result goes out with the closing command's replies.
pub async fn close(
    conn: &mut Conn,
    ballot_id: i64,
    now: DateTime<Utc>,
    announced: bool,
) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE ballots SET closed_at = $1, announced_at = CASE WHEN $2 THEN $1 END
         WHERE id = $3 AND closed_at IS NULL",
    )
    .bind(now)
    .bind(announced)
    .bind(ballot_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Ballots past their time and not yet closed, of every bloc.
pub async fn due(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<Ballot>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM ballots WHERE announced_at IS NULL AND closed_at IS NULL
         AND closes_at <= $1 ORDER BY id"
    ))
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Closed ballots whose result has not reached the bloc group yet.
pub async fn unannounced(conn: &mut Conn) -> Result<Vec<Ballot>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLS} FROM ballots WHERE announced_at IS NULL AND closed_at IS NOT NULL
         ORDER BY id"
    ))
    .fetch_all(conn)
    .await?)
}

/// The result reached the bloc group (or can never reach it).
pub async fn announced(conn: &mut Conn, ballot_id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE ballots SET announced_at = $1 WHERE id = $2 AND announced_at IS NULL")
        .bind(now)
        .bind(ballot_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A proposal for commendation as stored, with its unit.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct Proposal {
    /// The unit proposed.
    pub unit_id: i64,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The title's code.
    pub title: String,
    /// Why; may be empty.
    pub reason: String,
    /// Display name of the admin who proposed it.
    pub proposer: String,
    /// When.
    pub proposed_at: DateTime<Utc>,
}

/// Proposes a unit for a title; false if it is proposed for it already.
#[allow(clippy::too_many_arguments)]
pub async fn propose(
    conn: &mut Conn,
    bloc_id: i64,
    year: i32,
    unit: i64,
    title: &str,
    reason: &str,
    by: (i64, &str),
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO proposals (bloc_id, year, unit_id, title, reason, proposed_by, proposer, proposed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(bloc_id)
    .bind(year)
    .bind(unit)
    .bind(title)
    .bind(reason)
    .bind(by.0)
    .bind(by.1)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Withdraws a proposal; false if there was none.
pub async fn withdraw(conn: &mut Conn, unit: i64, year: i32, title: &str) -> Result<bool> {
    Ok(
        sqlx::query("DELETE FROM proposals WHERE unit_id = $1 AND year = $2 AND title = $3")
            .bind(unit)
            .bind(year)
            .bind(title)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// A bloc's proposals of a year, by unit code then as made.
pub async fn proposals(conn: &mut Conn, bloc_id: i64, year: i32) -> Result<Vec<Proposal>> {
    Ok(sqlx::query_as(
        "SELECT p.unit_id, u.code, u.name, p.title, p.reason, p.proposer, p.proposed_at
         FROM proposals p JOIN units u ON u.id = p.unit_id
         WHERE p.bloc_id = $1 AND p.year = $2 ORDER BY u.code, p.id",
    )
    .bind(bloc_id)
    .bind(year)
    .fetch_all(conn)
    .await?)
}
