//! What only a database server does to a bot (PostgreSQL build): it goes
//! away and comes back, and drops the bot's connections.

use crate::support::*;
use std::time::{Duration, Instant};

async fn healthz(addr: std::net::SocketAddr) -> (u16, String) {
    let r = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .expect("GET /healthz");
    let status = r.status().as_u16();
    (status, r.text().await.expect("body"))
}

/// Runs `sql` on the server as its administrator.
async fn as_admin(sql: &str) {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .expect("admin connection");
    sqlx::query(sql).execute(&mut c).await.expect(sql);
    let _ = c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_while_the_database_refuses_connections_and_200_once_it_is_back() {
    let mut b = Bot::with_units(1).await;
    let http = b.h.serve_dashboard().await.expect("server");
    let (status, body) = healthz(http.addr).await;
    assert_eq!(status, 200, "{body}");
    let name =
        b.h.db_url
            .rsplit('/')
            .next()
            .expect("database name")
            .to_owned();
    // The database goes away for the bot: no new connection, and the ones
    // it has are ended.
    as_admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    as_admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;
    let (status, body) = healthz(http.addr).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("database: FAILED"), "{body}");
    as_admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = healthz(http.addr).await;
        if status == 200 {
            assert!(body.contains("migrations: ok"), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "still {status}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = b.group(&admin(), "/addunit U9 Đơn vị chín").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    http.stop().await;
}

#[tokio::test]
async fn the_bot_writes_again_after_the_server_dropped_its_connections() {
    let mut b = Bot::with_units(1).await;
    // What a restart of the server (or a failover to its standby) does to
    // every connection the bot holds, its write connection among them.
    let dropped = b
        .count(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t",
        )
        .await;
    assert!(dropped >= 1, "the bot's connections were dropped");
    let r = b.group(&admin(), "/addunit U9 Đơn vị chín").await;
    assert!(only_text(&r).starts_with("✅"), "{r:?}");
    assert_eq!(b.count("SELECT COUNT(*) FROM units").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_the_postgres_database_and_its_migrations_and_fails_without_it() {
    let b = Bot::with_units(1).await;
    let check = |url: String| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
            .arg("check")
            .env("DATABASE_URL", url)
            .env("TELOXIDE_TOKEN", thidua::harness::FAKE_TOKEN)
            .env("TELOXIDE_API_URL", b.h.api.url())
            .env_remove("THIDUA_BACKUP_DIR")
            .output()
    };
    let out = check(b.h.db_url.clone()).await.expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let name = b.h.db_url.rsplit('/').next().expect("name");
    assert!(
        text.contains(&format!("database: ok (PostgreSQL database {name})")),
        "{text}"
    );
    assert!(text.contains("migrations: ok (1 applied)"), "{text}");
    // A database that does not exist: both lines fail, exit 1.
    let gone = b.h.db_url.replace(name, "thidua_no_such_database");
    let out = check(gone).await.expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("database: FAILED") && text.contains("migrations: FAILED"),
        "{text}"
    );
}
