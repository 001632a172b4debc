//! Which migrations a database has, against those embedded in this binary:
//! the one question `thidua restore` and `thidua check` both ask.

use sqlx::SqliteConnection;

/// How a database's recorded migrations differ from those in this binary.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SchemaError {
    /// No `_sqlx_migrations` table, or no migration in it.
    #[error("not a thidua database (no migrations recorded)")]
    Unmigrated,
    /// A version beyond the newest this binary has.
    #[error(
        "schema version {found} is newer than this binary knows (up to {known}): run a newer thidua"
    )]
    Newer {
        /// The newest version recorded.
        found: i64,
        /// The newest version embedded.
        known: i64,
    },
    /// A version this binary never had.
    #[error("schema version {0} is unknown to this binary")]
    Unknown(i64),
    /// A migration recorded with another checksum than ours.
    #[error("migration {0} differs from the one in this binary")]
    Modified(i64),
    /// A migration that failed part-way.
    #[error("migration {0} failed part-way")]
    Dirty(i64),
}

/// One migration recorded in a database's `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Applied {
    /// Its version.
    pub version: i64,
    /// Its checksum.
    pub checksum: Vec<u8>,
    /// Whether it completed.
    pub success: bool,
}

/// A database whose schema this binary can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaState {
    /// Every embedded migration is applied.
    Current {
        /// How many.
        applied: usize,
    },
    /// Older: `thidua run` applies these on start.
    Behind {
        /// The versions not applied yet.
        pending: Vec<i64>,
    },
}

/// The migrations embedded in this binary: (version, checksum).
pub fn embedded_migrations() -> Vec<(i64, Vec<u8>)> {
    crate::storage::backend::MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| (m.version, m.checksum.to_vec()))
        .collect()
}

/// Compares recorded migrations with embedded ones (pure).
pub fn schema_state(
    applied: &[Applied],
    embedded: &[(i64, Vec<u8>)],
) -> Result<SchemaState, SchemaError> {
    if applied.is_empty() {
        return Err(SchemaError::Unmigrated);
    }
    let known = embedded.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if let Some(found) = applied
        .iter()
        .map(|a| a.version)
        .max()
        .filter(|&v| v > known)
    {
        return Err(SchemaError::Newer { found, known });
    }
    for a in applied {
        match embedded.iter().find(|(v, _)| *v == a.version) {
            None => return Err(SchemaError::Unknown(a.version)),
            Some(_) if !a.success => return Err(SchemaError::Dirty(a.version)),
            Some((_, sum)) if *sum != a.checksum => return Err(SchemaError::Modified(a.version)),
            Some(_) => {}
        }
    }
    let pending: Vec<i64> = embedded
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| !applied.iter().any(|a| a.version == *v))
        .collect();
    Ok(if pending.is_empty() {
        SchemaState::Current {
            applied: applied.len(),
        }
    } else {
        SchemaState::Behind { pending }
    })
}

/// The migrations recorded in the bot's own database, which has the table.
pub async fn recorded_migrations(conn: &mut crate::storage::Conn) -> sqlx::Result<Vec<Applied>> {
    sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(conn)
        .await
}

/// The migrations recorded in the SQLite file behind `conn` (none without the table).
pub async fn applied_migrations(conn: &mut SqliteConnection) -> sqlx::Result<Vec<Applied>> {
    let table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if table.is_none() {
        return Ok(Vec::new());
    }
    sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(v: &[(i64, &[u8])]) -> Vec<Applied> {
        v.iter()
            .map(|(version, sum)| Applied {
                version: *version,
                checksum: sum.to_vec(),
                success: true,
            })
            .collect()
    }

    fn ours() -> Vec<(i64, Vec<u8>)> {
        vec![(1, b"a".to_vec()), (2, b"b".to_vec())]
    }

    #[test]
    fn all_embedded_migrations_applied_is_current() {
        assert_eq!(
            schema_state(&applied(&[(1, b"a"), (2, b"b")]), &ours()),
            Ok(SchemaState::Current { applied: 2 })
        );
    }

    #[test]
    fn an_older_schema_is_behind_with_its_pending_versions() {
        assert_eq!(
            schema_state(&applied(&[(1, b"a")]), &ours()),
            Ok(SchemaState::Behind { pending: vec![2] })
        );
    }

    #[test]
    fn newer_unknown_modified_dirty_and_empty_schemas_are_refused() {
        assert_eq!(
            schema_state(&applied(&[(1, b"a"), (2, b"b"), (3, b"c")]), &ours()),
            Err(SchemaError::Newer { found: 3, known: 2 })
        );
        let theirs = vec![(1, b"a".to_vec()), (3, b"c".to_vec())];
        assert_eq!(
            schema_state(&applied(&[(1, b"a"), (2, b"b")]), &theirs),
            Err(SchemaError::Unknown(2))
        );
        assert_eq!(
            schema_state(&applied(&[(1, b"x")]), &ours()),
            Err(SchemaError::Modified(1))
        );
        let mut dirty = applied(&[(1, b"a")]);
        dirty[0].success = false;
        assert_eq!(schema_state(&dirty, &ours()), Err(SchemaError::Dirty(1)));
        assert_eq!(schema_state(&[], &ours()), Err(SchemaError::Unmigrated));
    }

    #[test]
    fn this_binary_embeds_its_migrations() {
        let embedded = embedded_migrations();
        assert!(!embedded.is_empty());
        assert!(embedded.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
