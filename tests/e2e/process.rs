//! The real binary as a process: configuration errors and the token in logs.

use crate::support::db_at;
use fake_bot_api::{FakeBotApi, updates};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_thidua");
const TOKEN: &str = "987654321:AAHsecretSecretSecretSecretSecret_xyz";

#[test]
fn a_missing_token_is_one_line_and_exit_code_2() {
    let out = Command::new(BIN)
        .arg("run")
        .env_remove("TELOXIDE_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("TELOXIDE_TOKEN"), "{err}");
}

#[test]
fn a_malformed_token_is_refused_without_echoing_it() {
    let out = Command::new(BIN)
        .env("TELOXIDE_TOKEN", "not-a-token-SECRETPART")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("SECRETPART"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_appears_in_logs_even_at_trace() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let mut child = tokio::process::Command::new(BIN)
        .arg("run")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url())
        .env("DATABASE_URL", db_at(&dir.path().join("p.db")))
        .env("RUST_LOG", "trace")
        .env("THIDUA_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let p = updates::Person::new(42, "Khách", "Thử");
    api.push(updates::private(&p, "/start"));
    let reply = api
        .wait_for(0, Duration::from_secs(30), |c| c.method == "sendMessage")
        .await;
    assert!(
        reply.is_some_and(|c| c.text().contains("Xin chào")),
        "the binary served the update"
    );
    child.start_kill().expect("kill");
    let out = child.wait_with_output().await.expect("output");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.lines().count() > 5,
        "trace logging produced output: {log}"
    );
    assert!(
        !log.contains(TOKEN) && !log.contains("AAHsecret"),
        "token leaked into logs"
    );
}

/// A bad THIDUA_LISTEN, THIDUA_WEBHOOK_URL or THIDUA_WEBAPP_URL: one line
/// naming it, exit code 2, and no database created (SQLite: no file;
/// PostgreSQL: nothing migrated into the empty database it names).
#[tokio::test]
async fn a_bad_server_setting_is_one_line_and_exit_code_2_and_touches_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("never.db");
    let mut bad = vec![
        ("THIDUA_LISTEN", "localhost"),
        ("THIDUA_LISTEN", "127.0.0.1:99999"),
        ("THIDUA_WEBHOOK_URL", "http://bot.example.vn/hook"),
        ("THIDUA_WEBHOOK_URL", "https://bot.example.vn/a?b=c"),
        ("THIDUA_WEBAPP_URL", "http://bot.example.vn/app"),
    ];
    // A SQLite file's daily backup, asked of a PostgreSQL build.
    if cfg!(feature = "postgres") {
        bad.push(("THIDUA_BACKUP_DIR", "/tmp/thidua-backups"));
    }
    for (var, value) in bad {
        let out = Command::new(BIN)
            .arg("run")
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("DATABASE_URL", db_at(&db))
            .env(var, value)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(var), "{err}");
        assert!(!err.contains("AAHsecret"), "{err}");
        #[cfg(not(feature = "postgres"))]
        assert!(!db.exists(), "{var}={value} created the database");
    }
    #[cfg(feature = "postgres")]
    {
        use sqlx::Connection;
        let mut c = thidua::storage::Conn::connect(&db_at(&db))
            .await
            .expect("the test database");
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(&mut c)
        .await
        .expect("tables");
        assert_eq!(tables, 0, "a refused start migrated the database");
        c.close().await.expect("close");
    }
}

/// THIDUA_LISTEN on a port another program holds: exit code 1 with one
/// line naming it, before any update is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_address_in_use_stops_the_start_before_any_update_is_taken() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = held.local_addr().expect("addr").to_string();
    let run = tokio::process::Command::new(BIN)
        .arg("run")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url())
        .env("DATABASE_URL", db_at(&dir.path().join("p.db")))
        .env("THIDUA_LISTEN", &addr)
        .env_remove("RUST_LOG")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("exits")
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.contains("THIDUA_LISTEN") && last.contains(&addr),
        "{err}"
    );
    assert_eq!(api.polls(), 0, "no update taken");
    drop(held);
}

/// `thidua demo` with no token and no network plays its whole year, and
/// keeps what the bot sent (and, with Chromium, the dashboard as a phone
/// shows it) where `THIDUA_DEMO_SAVE` says. (It runs on a SQLite file: the
/// PostgreSQL build says so instead, below.)
#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plays_its_year_without_a_token_and_saves_what_the_bot_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let run = tokio::process::Command::new(BIN)
        .arg("demo")
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("TELOXIDE_API_URL")
        .env_remove("DATABASE_URL")
        .env("THIDUA_DEMO_SAVE", dir.path())
        .current_dir(dir.path())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the demo ends")
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for section in 1..=9 {
        assert!(
            text.contains(&format!("=== {section}. ")),
            "section {section}"
        );
    }
    assert!(text.trim_end().ends_with("Hết demo."), "{text}");
    assert!(
        text.contains("[ 📊 Bảng xếp hạng ]"),
        "the dashboard button"
    );
    let saved: Vec<String> = std::fs::read_dir(dir.path())
        .expect("saved")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    for ext in [".png", ".xlsx", ".docx"] {
        assert!(saved.iter().any(|f| f.ends_with(ext)), "{ext} in {saved:?}");
    }
    if crate::support::on_path("chromium").is_some() {
        assert!(saved.contains(&"dashboard.png".to_owned()), "{saved:?}");
        assert!(
            saved.contains(&"dashboard-don-vi.png".to_owned()),
            "{saved:?}"
        );
    }
    // Nothing left in the working directory but what it was asked to save.
    assert!(!saved.iter().any(|f| f.ends_with(".db")), "{saved:?}");
}

/// A PostgreSQL build: the demo and the SQLite file operations say in one
/// line that they are for SQLite, exit 2, and touch no database; a SQLite
/// `DATABASE_URL` is refused the same way.
#[cfg(feature = "postgres")]
#[test]
fn a_postgres_build_refuses_what_is_for_sqlite_in_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    for args in [&["demo"][..], &["backup", "x.db"], &["restore", "x.db"]] {
        let out = Command::new(BIN)
            .args(args)
            .env("DATABASE_URL", db_at(&dir.path().join("p.db")))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("PostgreSQL"), "{err}");
    }
    let out = Command::new(BIN)
        .arg("run")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("p.db").display()),
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("DATABASE_URL") && err.contains("postgres://"),
        "{err}"
    );
    assert!(!dir.path().join("p.db").exists(), "no file made");
}

/// The default build with a PostgreSQL `DATABASE_URL`: one line saying it
/// is built for SQLite, exit 2, and no database file made anywhere.
#[cfg(not(feature = "postgres"))]
#[test]
fn a_sqlite_build_refuses_a_postgres_url_in_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(BIN)
        .arg("run")
        .current_dir(dir.path())
        .env("TELOXIDE_TOKEN", TOKEN)
        .env(
            "DATABASE_URL",
            "postgres://thidua:secret@127.0.0.1:5432/thidua",
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("DATABASE_URL") && err.contains("sqlite://") && err.contains("SQLite"),
        "{err}"
    );
    assert!(!err.contains("AAHsecret"), "{err}");
    let made: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(made.is_empty(), "nothing made: {made:?}");
}
