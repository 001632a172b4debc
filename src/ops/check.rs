//! `thidua check`: one line per thing a running bot needs (the database,
//! its migrations, the token), for people and for Docker's HEALTHCHECK.

use sqlx::Connection;
use std::fmt;
use std::time::Duration;
use teloxide::prelude::Requester;

use super::schema::{Applied, SchemaState, embedded_migrations, recorded_migrations, schema_state};
use crate::config::Config;
use crate::storage::Db;

/// One line of `thidua check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    /// What was checked.
    pub name: &'static str,
    /// `Ok(detail)` or `Err(why)`.
    pub outcome: Result<String, String>,
}

impl CheckLine {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

impl fmt::Display for CheckLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(detail) => write!(f, "{}: ok ({detail})", self.name),
            Err(why) => write!(f, "{}: FAILED: {why}", self.name),
        }
    }
}

/// Whether the migrations applied to the database are exactly the ones in
/// this binary.
fn migrations(recorded: sqlx::Result<Vec<Applied>>) -> Result<String, String> {
    match recorded {
        Err(e) => Err(e.to_string()),
        Ok(applied) => match schema_state(&applied, &embedded_migrations()) {
            Ok(SchemaState::Current { applied }) => Ok(format!("{applied} applied")),
            Ok(SchemaState::Behind { pending }) => Err(format!(
                "{} pending: {pending:?} (thidua run applies them)",
                pending.len()
            )),
            Err(e) => Err(e.to_string()),
        },
    }
}

/// How long `GET /healthz` waits for a database connection.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);

/// `GET /healthz` of a running bot: its database answers through the
/// bot's own pool, and its migrations are current.
pub async fn health(db: &Db) -> Vec<CheckLine> {
    let conn = match tokio::time::timeout(HEALTH_TIMEOUT, db.pool().acquire()).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no connection within {} s",
            HEALTH_TIMEOUT.as_secs()
        )),
    };
    let mut conn = match conn {
        Ok(c) => c,
        Err(why) => {
            return vec![
                CheckLine {
                    name: "database",
                    outcome: Err(why),
                },
                CheckLine {
                    name: "migrations",
                    outcome: Err("not checked: no database".into()),
                },
            ];
        }
    };
    let database = sqlx::query("SELECT 1")
        .execute(&mut *conn)
        .await
        .map(|_| "answers".to_owned())
        .map_err(|e| e.to_string());
    let migrations = migrations(recorded_migrations(&mut conn).await);
    vec![
        CheckLine {
            name: "database",
            outcome: database,
        },
        CheckLine {
            name: "migrations",
            outcome: migrations,
        },
    ]
}

/// How long `getMe` may take: Docker's HEALTHCHECK gives the whole check 10 s.
const GET_ME_TIMEOUT: Duration = Duration::from_secs(6);

/// `thidua check`: the database opens, its migrations are exactly the ones
/// in this binary (nothing pending, nothing applied by this check), and the
/// token is accepted by `getMe`. `config` is the configuration, or why it
/// could not be read.
pub async fn check(database_url: &str, config: Result<&Config, String>) -> Vec<CheckLine> {
    let mut lines = Vec::new();
    match open_for_check(database_url).await {
        Ok((name, recorded)) => {
            lines.push(CheckLine {
                name: "database",
                outcome: Ok(name),
            });
            lines.push(CheckLine {
                name: "migrations",
                outcome: migrations(recorded),
            });
        }
        Err(why) => {
            lines.push(CheckLine {
                name: "database",
                outcome: Err(why),
            });
            lines.push(CheckLine {
                name: "migrations",
                outcome: Err("not checked: no database".into()),
            });
        }
    }
    let telegram = match config {
        Err(why) => Err(why),
        Ok(cfg) => {
            let token = cfg.token.expose();
            let bot = cfg.bot();
            match tokio::time::timeout(GET_ME_TIMEOUT, bot.get_me()).await {
                Ok(Ok(me)) => Ok(format!("@{}", me.username())),
                // The request URL, and so the error, contains the token.
                Ok(Err(e)) => Err(format!("getMe: {}", e.to_string().replace(token, "***"))),
                Err(_) => Err(format!(
                    "getMe: no answer within {} s",
                    GET_ME_TIMEOUT.as_secs()
                )),
            }
        }
    };
    lines.push(CheckLine {
        name: "telegram",
        outcome: telegram,
    });
    lines
}

/// Opens an existing SQLite file without creating it: what it is called
/// and the migrations recorded in it.
#[cfg(not(feature = "postgres"))]
async fn open_for_check(
    database_url: &str,
) -> Result<(String, sqlx::Result<Vec<Applied>>), String> {
    use super::{error::OpsError, files, schema};
    let path = files::db_path(database_url).map_err(|e| e.to_string())?;
    if !path.is_file() {
        return Err(OpsError::Missing(path).to_string());
    }
    let mut conn = files::connect(&path).await.map_err(|e| e.to_string())?;
    sqlx::query("SELECT 1")
        .execute(&mut conn)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let recorded = schema::applied_migrations(&mut conn).await;
    let _ = conn.close().await;
    Ok((path.display().to_string(), recorded))
}

/// Connects to the PostgreSQL server: which database it is and the
/// migrations recorded in it.
#[cfg(feature = "postgres")]
async fn open_for_check(
    database_url: &str,
) -> Result<(String, sqlx::Result<Vec<Applied>>), String> {
    let mut conn = sqlx::PgConnection::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let recorded = recorded_migrations(&mut conn).await;
    let _ = conn.close().await;
    Ok((format!("PostgreSQL database {name}"), recorded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_lines_read_as_one_line_each() {
        let ok = CheckLine {
            name: "database",
            outcome: Ok("/data/thidua.db".into()),
        };
        let bad = CheckLine {
            name: "telegram",
            outcome: Err("getMe: 401 Unauthorized".into()),
        };
        assert_eq!(ok.to_string(), "database: ok (/data/thidua.db)");
        assert_eq!(bad.to_string(), "telegram: FAILED: getMe: 401 Unauthorized");
        assert!(ok.passed() && !bad.passed());
    }
}
