//! The query that loads a bloc's [`Board`] for one year and period, in
//! one round trip; the domain ranks it and keeps it up to date.

use crate::storage::Conn;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::HashMap;

use super::targets::TargetRow;
use super::{Result, StorageError};
use crate::domain::{Board, Goal, Period, Reports, ReviewState, Reviewed, Target, Unit};

/// A bloc's board for a year and period, loaded in one query and ranked.
pub async fn load(conn: &mut Conn, bloc_id: i64, year: i32, period: Period) -> Result<Board> {
    let sections: Sections = sqlx::query_as(LOAD)
        .bind(bloc_id)
        .bind(year)
        .bind(period.as_str())
        .fetch_one(conn)
        .await?;
    let (units, targets, goals, latest, signed, exempt, points, states) = sections;
    let corrupt = |what: &str| StorageError::Corrupt(format!("board {bloc_id}/{year}: {what}"));
    let units: Vec<UnitJson> = serde_json::from_str(&units).map_err(|e| corrupt(&e.to_string()))?;
    let units = units
        .into_iter()
        .map(|(id, bloc_id, code, name, head_user_id, head_name)| Unit {
            id,
            bloc_id,
            code,
            name,
            head_user_id,
            head_name,
        })
        .collect();
    let targets: Vec<TargetJson> =
        serde_json::from_str(&targets).map_err(|e| corrupt(&e.to_string()))?;
    let targets = targets
        .into_iter()
        .map(|(id, code, kind, op, goal, weight, name)| {
            Target::try_from(TargetRow {
                id,
                code,
                kind,
                op,
                goal: real(&goal).ok_or_else(|| corrupt("target goal"))?,
                weight,
                name,
            })
        })
        .collect::<Result<Vec<Target>>>()?;
    let goals: Vec<(i64, i64, String, String)> =
        serde_json::from_str(&goals).map_err(|e| corrupt(&e.to_string()))?;
    let goals = goals
        .into_iter()
        .map(|(u, t, op, g)| {
            real(&g)
                .and_then(|g| Goal::from_parts(&op, g))
                .map(|goal| ((u, t), goal))
                .ok_or_else(|| StorageError::Corrupt(format!("unit goal {u}/{t}")))
        })
        .collect::<Result<HashMap<(i64, i64), Goal>>>()?;
    let latest: Vec<(i64, i64, String, String, i64, String)> =
        serde_json::from_str(&latest).map_err(|e| corrupt(&e.to_string()))?;
    let signed: Vec<(i64, String)> =
        serde_json::from_str(&signed).map_err(|e| corrupt(&e.to_string()))?;
    let signed = signed
        .into_iter()
        .map(|(u, at)| Ok((u, instant(&at).ok_or_else(|| corrupt("signed_at"))?)))
        .collect::<Result<HashMap<i64, DateTime<Utc>>>>()?;
    let mut values = HashMap::with_capacity(latest.len());
    let mut reports = HashMap::with_capacity(latest.len());
    for (u, t, value, first_at, last_id, last_at) in latest {
        let value = real(&value).ok_or_else(|| corrupt("report value"))?;
        let first_at = instant(&first_at).ok_or_else(|| corrupt("reported_at"))?;
        let last_at = instant(&last_at).ok_or_else(|| corrupt("reported_at"))?;
        values.insert((u, t), value);
        reports.insert(
            (u, t),
            Reports {
                last_id,
                first_at,
                last_at,
            },
        );
    }
    let exempt: Vec<(i64, i64)> =
        serde_json::from_str(&exempt).map_err(|e| corrupt(&e.to_string()))?;
    let points: Vec<(i64, i64)> =
        serde_json::from_str(&points).map_err(|e| corrupt(&e.to_string()))?;
    let states: Vec<(i64, String, Option<String>)> =
        serde_json::from_str(&states).map_err(|e| corrupt(&e.to_string()))?;
    let states = states
        .into_iter()
        .map(|(u, state, reason)| {
            ReviewState::from_stored(&state, reason.as_deref())
                .map(|s| (u, s))
                .ok_or_else(|| corrupt("review state"))
        })
        .collect::<Result<HashMap<i64, ReviewState>>>()?;
    let reviewed = Reviewed {
        exempt: exempt.into_iter().collect(),
        points: points.into_iter().collect(),
        states,
    };
    Ok(Board::new(
        units, targets, goals, values, signed, reports, reviewed,
    ))
}

/// The eight JSON arrays of [`LOAD`].
type Sections = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// The units, confirmed targets in use, unit goals, latest reports,
/// signed pledges, exemptions, summed points and review states of a bloc's
/// year and period, one JSON array each, in one row. An archived target, its goals and its reports are left out: it
/// counts nowhere until restored.
///
/// Every standings load (most commands) reads all of these: as separate
/// queries they cost five round trips to the connection's thread and one
/// message per row (about 140 for 15 units × 6 targets); here, one of each.
/// REALs travel as `printf('%!.17g')` text, which gives back the exact
/// double (SQLite's JSON writes only 15 significant digits); instants as
/// stored.
#[cfg(not(feature = "postgres"))]
const LOAD: &str = "SELECT
    (SELECT json_group_array(json_array(id, bloc_id, code, name, head_user_id, head_name) ORDER BY code)
        FROM units WHERE bloc_id = $1),
    (SELECT json_group_array(json_array(id, code, kind, op, printf('%!.17g', goal), weight, name) ORDER BY id)
        FROM targets WHERE bloc_id = $1 AND year = $2 AND draft = FALSE AND archived_at IS NULL),
    (SELECT json_group_array(json_array(g.unit_id, g.target_id, g.op, printf('%!.17g', g.goal)))
        FROM unit_goals g JOIN targets t ON t.id = g.target_id
        WHERE t.bloc_id = $1 AND t.year = $2 AND t.archived_at IS NULL),
    (SELECT json_group_array(json_array(g.unit_id, g.target_id, printf('%!.17g', r.value), g.first_at, g.last_id, r.reported_at))
        FROM (SELECT unit_id, target_id, MAX(id) AS last_id, MIN(reported_at) AS first_at
              FROM reports
              WHERE period = $3 AND target_id IN (SELECT id FROM targets
                  WHERE bloc_id = $1 AND year = $2 AND draft = FALSE AND archived_at IS NULL)
              GROUP BY unit_id, target_id) g
        JOIN reports r ON r.id = g.last_id),
    (SELECT json_group_array(json_array(p.unit_id, p.signed_at))
        FROM pledges p JOIN units u ON u.id = p.unit_id WHERE u.bloc_id = $1 AND p.year = $2),
    (SELECT json_group_array(json_array(e.unit_id, e.target_id))
        FROM exemptions e JOIN targets t ON t.id = e.target_id
        WHERE t.bloc_id = $1 AND t.year = $2 AND e.period = $3),
    (SELECT json_group_array(json_array(p.unit_id, p.total))
        FROM (SELECT p.unit_id, SUM(p.tenths) AS total
              FROM points p JOIN units u ON u.id = p.unit_id
              WHERE u.bloc_id = $1 AND p.year = $2 AND p.period = $3
              GROUP BY p.unit_id) p),
    (SELECT json_group_array(json_array(r.unit_id, r.state, r.reason))
        FROM reviews r JOIN units u ON u.id = r.unit_id
        WHERE u.bloc_id = $1 AND r.year = $2 AND r.period = $3)";

/// [`LOAD`] in PostgreSQL's words: `json_agg` for `json_group_array`, and
/// REALs as text (PostgreSQL's shortest exact form), the sum cast back from
/// NUMERIC.
#[cfg(feature = "postgres")]
const LOAD: &str = "SELECT
    (SELECT COALESCE(json_agg(json_build_array(id, bloc_id, code, name, head_user_id, head_name) ORDER BY code), '[]')::text
        FROM units WHERE bloc_id = $1),
    (SELECT COALESCE(json_agg(json_build_array(id, code, kind, op, CAST(goal AS TEXT), weight, name) ORDER BY id), '[]')::text
        FROM targets WHERE bloc_id = $1 AND year = $2 AND draft = FALSE AND archived_at IS NULL),
    (SELECT COALESCE(json_agg(json_build_array(g.unit_id, g.target_id, g.op, CAST(g.goal AS TEXT))), '[]')::text
        FROM unit_goals g JOIN targets t ON t.id = g.target_id
        WHERE t.bloc_id = $1 AND t.year = $2 AND t.archived_at IS NULL),
    (SELECT COALESCE(json_agg(json_build_array(g.unit_id, g.target_id, CAST(r.value AS TEXT), g.first_at, g.last_id, r.reported_at)), '[]')::text
        FROM (SELECT unit_id, target_id, MAX(id) AS last_id, MIN(reported_at) AS first_at
              FROM reports
              WHERE period = $3 AND target_id IN (SELECT id FROM targets
                  WHERE bloc_id = $1 AND year = $2 AND draft = FALSE AND archived_at IS NULL)
              GROUP BY unit_id, target_id) g
        JOIN reports r ON r.id = g.last_id),
    (SELECT COALESCE(json_agg(json_build_array(p.unit_id, p.signed_at)), '[]')::text
        FROM pledges p JOIN units u ON u.id = p.unit_id WHERE u.bloc_id = $1 AND p.year = $2),
    (SELECT COALESCE(json_agg(json_build_array(e.unit_id, e.target_id)), '[]')::text
        FROM exemptions e JOIN targets t ON t.id = e.target_id
        WHERE t.bloc_id = $1 AND t.year = $2 AND e.period = $3),
    (SELECT COALESCE(json_agg(json_build_array(p.unit_id, p.total)), '[]')::text
        FROM (SELECT p.unit_id, CAST(SUM(p.tenths) AS BIGINT) AS total
              FROM points p JOIN units u ON u.id = p.unit_id
              WHERE u.bloc_id = $1 AND p.year = $2 AND p.period = $3
              GROUP BY p.unit_id) p),
    (SELECT COALESCE(json_agg(json_build_array(r.unit_id, r.state, r.reason)), '[]')::text
        FROM reviews r JOIN units u ON u.id = r.unit_id
        WHERE u.bloc_id = $1 AND r.year = $2 AND r.period = $3)";

/// A unit in [`LOAD`]: id, bloc, code, name, head's id and name.
type UnitJson = (i64, i64, String, String, Option<i64>, Option<String>);

/// A target in [`LOAD`]: id, code, kind, op, goal, weight, name.
type TargetJson = (i64, String, String, String, String, i64, String);

/// A REAL written by `printf('%!.17g')`.
fn real(text: &str) -> Option<f64> {
    text.parse().ok().filter(|v: &f64| v.is_finite())
}

/// An instant as sqlx stores `DateTime<Utc>` (RFC 3339), or in any of the
/// other text forms sqlx reads back.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    const FORMATS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    FORMATS.iter().find_map(|f| {
        DateTime::parse_from_str(text, f)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(text, f).map(|t| t.and_utc()))
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_back_as_sqlx_writes_them() {
        let t = Utc::now();
        let written = t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
        assert_eq!(instant(&written), Some(t));
        assert_eq!(
            instant("2026-07-01 02:00:00"),
            DateTime::parse_from_rfc3339("2026-07-01T02:00:00Z")
                .ok()
                .map(|t| t.with_timezone(&Utc))
        );
        assert_eq!(instant("not a time"), None);
    }

    #[test]
    fn reals_read_back_exactly() {
        assert_eq!(real("0.30000000000000004"), Some(0.1 + 0.2));
        assert_eq!(real("100.0"), Some(100.0));
        assert_eq!(real("nan"), None);
    }

    /// What the one query returns is what the per-table queries return.
    #[tokio::test]
    async fn one_query_loads_what_the_tables_hold() {
        use crate::storage::{Db, blocs, pledges, reports, targets, units};
        let (_dir, db) = Db::temp().await;
        let now = Utc::now();
        let mut tx = db.write().await.unwrap();
        let bloc = blocs::insert(
            &mut tx,
            -100,
            "Khối «A» \"1\"",
            "Asia/Ho_Chi_Minh",
            (1, "An"),
            now,
        )
        .await
        .unwrap();
        let other = blocs::insert(&mut tx, -200, "B", "Asia/Ho_Chi_Minh", (1, "An"), now)
            .await
            .unwrap();
        let mut ids = Vec::new();
        for (b, code) in [(bloc, "ZZ"), (bloc, "AA"), (bloc, "MM"), (other, "AA")] {
            let u = units::insert(&mut tx, b, code, &format!("Đơn vị {code}"), now)
                .await
                .unwrap();
            ids.push(u);
        }
        units::set_head(&mut tx, ids[1], 42, "Trưởng \\ \"x\"")
            .await
            .unwrap();
        let t1 = targets::insert(
            &mut tx,
            bloc,
            2026,
            &targets::NewTarget {
                code: "THU",
                kind: crate::domain::TargetKind::Percent,
                goal: Goal::AtLeast(0.1 + 0.2),
                weight: 60,
                name: "Thu ngân sách",
            },
            now,
        )
        .await
        .unwrap();
        let t2 = targets::insert(
            &mut tx,
            bloc,
            2026,
            &targets::NewTarget {
                code: "TSVM",
                kind: crate::domain::TargetKind::YesNo,
                goal: Goal::Is(true),
                weight: 40,
                name: "Trong sạch",
            },
            now,
        )
        .await
        .unwrap();
        targets::set_unit_goal(&mut tx, ids[0], t1, Goal::AtMost(1.0 / 3.0))
            .await
            .unwrap();
        let earlier = now - chrono::Duration::days(3);
        for (unit, target, value, at) in [
            (ids[0], t1, 99.999_999_999_999_99, earlier),
            (ids[0], t1, 2.0 / 3.0, now),
            (ids[1], t2, 1.0, now),
        ] {
            let r = reports::NewReport::test(unit, target, Period::Mid, value, 42);
            reports::insert_audited(&mut tx, &r, at, bloc, "test", None)
                .await
                .unwrap();
        }
        pledges::sign(&mut tx, ids[1], 2026, 42, earlier)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut conn = db.pool().acquire().await.unwrap();
        let b = load(&mut conn, bloc, 2026, Period::Mid).await.unwrap();
        let listed = units::list(&mut conn, bloc).await.unwrap();
        let codes = |u: &[Unit]| {
            u.iter()
                .map(|u| (u.id, u.code.clone(), u.head_name.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&b.units), codes(&listed));
        let t = targets::list(&mut conn, bloc, 2026).await.unwrap();
        assert_eq!(
            b.targets
                .iter()
                .map(|t| (t.id, t.goal, t.weight, t.name.clone()))
                .collect::<Vec<_>>(),
            t.iter()
                .map(|t| (t.id, t.goal, t.weight, t.name.clone()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            b.goals,
            targets::unit_goals(&mut conn, bloc, 2026).await.unwrap()
        );
        assert_eq!(
            b.signed,
            pledges::of_bloc(&mut conn, bloc, 2026).await.unwrap()
        );
        let latest = reports::latest(&mut conn, bloc, 2026, Period::Mid)
            .await
            .unwrap();
        assert_eq!(b.values.len(), latest.len());
        for l in latest {
            assert_eq!(
                b.values[&(l.unit_id, l.target_id)].to_bits(),
                l.value.to_bits()
            );
        }
        assert_eq!(b.values[&(ids[0], t1)], 2.0 / 3.0);
        assert_eq!(b.standings.len(), 3);
        // Nothing of the other bloc or of another year or period.
        let empty = load(&mut conn, bloc, 2025, Period::Mid).await.unwrap();
        assert!(empty.targets.is_empty() && empty.values.is_empty() && empty.signed.is_empty());
        let fin = load(&mut conn, bloc, 2026, Period::Final).await.unwrap();
        assert!(fin.values.is_empty());
        drop(conn);
        db.close().await;
    }

    /// The standings load and a target's deletion find reports through the
    /// index, never by reading the whole table.
    #[tokio::test]
    async fn loading_a_board_and_deleting_a_target_search_reports_by_index() {
        use crate::storage::Db;
        let (_dir, db) = Db::temp().await;
        let mut conn = db.pool().acquire().await.unwrap();
        for (what, sql) in [
            ("board", format!("EXPLAIN QUERY PLAN {LOAD}")),
            (
                "delete",
                "EXPLAIN QUERY PLAN DELETE FROM reports WHERE target_id = $1".into(),
            ),
        ] {
            let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&sql)
                .bind(1_i64)
                .bind(2026)
                .bind("mid")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
            let steps: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
            assert!(
                steps
                    .iter()
                    .any(|s| s.starts_with("SEARCH reports USING")
                        && s.contains("reports_by_target")),
                "{what}: {steps:?}"
            );
            assert!(
                !steps.iter().any(|s| s.starts_with("SCAN reports")),
                "{what}: {steps:?}"
            );
        }
    }

    /// A board kept in memory and patched with each committed report, in
    /// whatever order the patches arrive, is the board loaded afresh.
    #[tokio::test]
    async fn patched_boards_equal_fresh_loads() {
        use crate::domain::{Patch, TargetKind};
        use crate::storage::{Db, blocs, reports, targets, units};
        let (_dir, db) = Db::temp().await;
        let start = DateTime::parse_from_rfc3339("2026-06-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut tx = db.write().await.unwrap();
        let bloc = blocs::insert(&mut tx, -1, "K", "Asia/Ho_Chi_Minh", (1, "An"), start)
            .await
            .unwrap();
        let mut unit_ids = Vec::new();
        for code in ["A", "B", "C", "D"] {
            unit_ids.push(
                units::insert(&mut tx, bloc, code, code, start)
                    .await
                    .unwrap(),
            );
        }
        let mut target_ids = Vec::new();
        for (code, kind, goal, weight) in [
            ("HT", TargetKind::Percent, Goal::AtLeast(100.0), 30),
            ("TSVM", TargetKind::YesNo, Goal::Is(true), 20),
            ("SL", TargetKind::Number, Goal::AtMost(10.0), 50),
        ] {
            let t = targets::NewTarget {
                code,
                kind,
                goal,
                weight,
                name: code,
            };
            target_ids.push(
                targets::insert(&mut tx, bloc, 2026, &t, start)
                    .await
                    .unwrap(),
            );
        }
        tx.commit().await.unwrap();

        // A small LCG: repeatable, no dependency.
        let mut seed: u64 = 20_261_130;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        };
        let mut kept = {
            let mut conn = db.pool().acquire().await.unwrap();
            load(&mut conn, bloc, 2026, Period::Mid).await.unwrap()
        };
        for round in 0..30 {
            let mut patches = Vec::new();
            let mut tx = db.write().await.unwrap();
            for k in 0..(1 + next(5)) {
                let at = start + chrono::Duration::minutes((round * 10 + k) as i64);
                let (unit_id, target_id) = (unit_ids[next(4)], target_ids[next(3)]);
                let period = if next(4) == 0 {
                    Period::Final
                } else {
                    Period::Mid
                };
                let value = [0.0, 1.0, 5.0, 10.0, 12.5, 99.9, 100.0][next(7)];
                let r = reports::NewReport::test(unit_id, target_id, period, value, 1);
                let report_id = reports::insert_audited(&mut tx, &r, at, bloc, "test", None)
                    .await
                    .unwrap();
                patches.push(Patch {
                    year: 2026,
                    period,
                    unit_id,
                    target_id,
                    value,
                    report_id,
                    at,
                });
            }
            tx.commit().await.unwrap();
            // Any order: a later write may be applied before an earlier one.
            for i in (1..patches.len()).rev() {
                patches.swap(i, next(i + 1));
            }
            for p in patches.iter().filter(|p| p.period == Period::Mid) {
                kept.apply(p);
            }
            let mut conn = db.pool().acquire().await.unwrap();
            let fresh = load(&mut conn, bloc, 2026, Period::Mid).await.unwrap();
            assert_eq!(kept.values, fresh.values, "round {round}");
            assert_eq!(kept.reports, fresh.reports, "round {round}");
            assert_eq!(kept.standings, fresh.standings, "round {round}");
        }
        assert!(kept.values.len() > 6, "the rounds reported something");
        db.close().await;
    }
}
