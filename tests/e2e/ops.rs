//! Operations with the real binary: `backup` under write load and `restore`,
//! refusals that leave the database untouched, the daily backup, the mode of
//! the database file, shutdown on SIGTERM/SIGINT, `check`, and the token
//! never showing in any output.
//!
//! Backup, restore, `check` of a file and the daily backup are about SQLite
//! files: in a PostgreSQL build only the shutdown tests run here, and the
//! helpers about files are not compiled.

use fake_bot_api::FakeBotApi;
use fake_bot_api::updates::{self, Person};
use sqlx::Connection;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
#[cfg(not(feature = "postgres"))]
use {
    fake_bot_api::Fault,
    sqlx::sqlite::SqliteConnectOptions,
    sqlx::{Row, SqliteConnection},
    std::os::unix::fs::PermissionsExt,
    std::path::PathBuf,
    std::sync::Arc,
    std::sync::atomic::{AtomicBool, Ordering},
    tempfile::TempDir,
};

const BIN: &str = env!("CARGO_BIN_EXE_thidua");
const TOKEN: &str = "555444333:AAOpsSecretOpsSecretOpsSecret_0123";
/// A part of the token unlikely to occur by chance.
const TOKEN_PART: &str = "OpsSecretOpsSecret";

fn url_of(db: &Path) -> String {
    crate::support::db_at(db)
}

/// The binary with a clean environment: only what each test sets.
fn thidua(args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(BIN);
    c.args(args);
    for k in [
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "DATABASE_URL",
        "THIDUA_TZ",
        "THIDUA_BACKUP_DIR",
        "THIDUA_LISTEN",
        "THIDUA_WEBHOOK_URL",
        "THIDUA_WEBAPP_URL",
        "RUST_LOG",
    ] {
        c.env_remove(k);
    }
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c
}

fn assert_no_token(out: &Output) {
    for text in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(text);
        assert!(
            !text.contains(TOKEN) && !text.contains(TOKEN_PART),
            "the token leaked: {text}"
        );
    }
}

/// Runs `thidua <args>` to completion (token in the environment, to prove it
/// never shows) and returns its output.
#[cfg(not(feature = "postgres"))]
async fn op(args: &[&str], db: &Path) -> Output {
    let out = thidua(args)
        .env("DATABASE_URL", url_of(db))
        .env("TELOXIDE_TOKEN", TOKEN)
        .output()
        .await
        .expect("runs");
    assert_no_token(&out);
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(not(feature = "postgres"))]
fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(not(feature = "postgres"))]
fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[cfg(not(feature = "postgres"))]
fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

#[cfg(not(feature = "postgres"))]
async fn open(path: &Path) -> SqliteConnection {
    let o = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(10));
    SqliteConnection::connect_with(&o).await.expect("opens")
}

#[cfg(not(feature = "postgres"))]
async fn integrity(path: &Path) -> String {
    let mut c = open(path).await;
    let r: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .expect("integrity_check");
    c.close().await.expect("close");
    r
}

async fn count(path: &Path, sql: &str) -> i64 {
    let mut c = thidua::storage::Conn::connect(&url_of(path))
        .await
        .expect("opens");
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(&mut c)
        .await
        .expect("count");
    c.close().await.expect("close");
    n
}

/// Every row of every table, in a stable order.
#[cfg(not(feature = "postgres"))]
async fn dump(path: &Path) -> String {
    let mut c = open(path).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut c)
    .await
    .expect("tables");
    let mut out = String::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query(&format!("PRAGMA table_info({t})"))
            .fetch_all(&mut c)
            .await
            .expect("columns")
            .iter()
            .map(|r| format!("quote({})", r.get::<String, _>("name")))
            .collect();
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {} FROM {t} ORDER BY 1",
            cols.join(" || '|' || ")
        ))
        .fetch_all(&mut c)
        .await
        .expect("rows");
        out.push_str(&format!("## {t} ({})\n{}\n", rows.len(), rows.join("\n")));
    }
    c.close().await.expect("close");
    out
}

/// A migrated database with a few rows, in rollback-journal mode (one file:
/// its bytes can be compared).
#[cfg(not(feature = "postgres"))]
async fn seeded(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let mut c = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true),
    )
    .await
    .expect("create");
    sqlx::migrate!("./migrations/sqlite")
        .run(&mut c)
        .await
        .expect("migrate");
    sqlx::query("INSERT INTO users (user_id, lang) VALUES (1, 'vi'), (2, 'en')")
        .execute(&mut c)
        .await
        .expect("seed");
    c.close().await.expect("close");
    path
}

/// `thidua run` against the fake Bot API, stderr captured.
struct Served {
    child: tokio::process::Child,
    /// Reads stderr as it comes: a full pipe would block the bot's logging
    /// and with it the runtime threads.
    log: tokio::task::JoinHandle<Vec<u8>>,
}

impl Served {
    async fn start(api: &FakeBotApi, db: &Path, env: &[(&str, &str)]) -> Served {
        let mut c = thidua(&["run"]);
        c.env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api.url())
            .env("DATABASE_URL", url_of(db))
            .env("RUST_LOG", "debug")
            // Tests run side by side: each server on a port of its own.
            .env("THIDUA_LISTEN", "127.0.0.1:0");
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdout(Stdio::null());
        let mut child = c.spawn().expect("spawn");
        let mut stderr = child.stderr.take().expect("stderr");
        let log = tokio::spawn(async move {
            let mut buf = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut buf).await;
            buf
        });
        Served { child, log }
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.id().expect("running");
        let st = std::process::Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(pid.to_string())
            .status()
            .expect("kill runs");
        assert!(st.success());
    }

    /// Sends `sig` and waits for the exit, up to `limit`.
    async fn stop(mut self, sig: &str, limit: Duration) -> (Output, Duration) {
        self.signal(sig);
        let t = Instant::now();
        let status = tokio::time::timeout(limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("no exit within {limit:?} of SIG{sig}"))
            .expect("exit status");
        let out = Output {
            status,
            stdout: Vec::new(),
            stderr: self.log.await.expect("log"),
        };
        assert_no_token(&out);
        (out, t.elapsed())
    }
}

fn person(i: i64) -> Person {
    Person::new(300_000 + i, "Người", &format!("Thứ {i}"))
}

/// Waits until the bot answered `p` (a private chat) at or after call `from`.
async fn answered(api: &FakeBotApi, from: usize, p: &Person) -> bool {
    let id = p.id;
    api.wait_for(from, Duration::from_secs(30), move |c| {
        c.method == "sendMessage" && c.chat_id() == Some(id)
    })
    .await
    .is_some()
}

fn replied_chats(api: &FakeBotApi) -> std::collections::HashSet<i64> {
    api.calls()
        .iter()
        .filter(|c| c.method == "sendMessage")
        .filter_map(|c| c.chat_id())
        .collect()
}

#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_is_consistent_and_restores_exactly() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let live = dir.path().join("live.db");
    let bot = Served::start(&api, &live, &[]).await;
    api.push(updates::private(&person(0), "/start"));
    assert!(answered(&api, 0, &person(0)).await, "the bot serves");

    // 500 heads set their language (three writes in one transaction each),
    // in waves of 50, while backups are taken one after another.
    const WRITERS: i64 = 500;
    const WAVE: i64 = 50;
    let writing = Arc::new(AtomicBool::new(true));
    let backups = tokio::spawn({
        let (live, dir, writing) = (live.clone(), dir.path().to_owned(), writing.clone());
        async move {
            let mut taken = Vec::new();
            while writing.load(Ordering::SeqCst) {
                let dest = dir.join(format!("during-{}.db", taken.len()));
                let out = op(&["backup", dest.to_str().expect("utf-8")], &live).await;
                assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
                assert!(stdout(&out).contains("backup written"), "{}", stdout(&out));
                taken.push(dest);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            taken
        }
    });
    for wave in 0..WRITERS / WAVE {
        let people: Vec<Person> = (wave * WAVE + 1..=(wave + 1) * WAVE).map(person).collect();
        for p in &people {
            api.push(updates::private(p, "/lang vi"));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while people.iter().any(|p| !replied_chats(&api).contains(&p.id)) {
            assert!(Instant::now() < deadline, "wave {wave} was not answered");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    writing.store(false, Ordering::SeqCst);
    let backups = backups.await.expect("backups");
    assert!(backups.len() >= 3, "only {} backups", backups.len());

    // Each backup is a snapshot: whole transactions only, never half of one.
    let mut seen = Vec::new();
    for b in &backups {
        assert_eq!(mode(b), 0o600, "{}", b.display());
        assert_eq!(integrity(b).await, "ok", "{}", b.display());
        let users = count(b, "SELECT COUNT(*) FROM users WHERE lang = 'vi'").await;
        let audited = count(
            b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'user.lang'",
        )
        .await;
        assert_eq!(users, audited, "{} is torn", b.display());
        seen.push(users);
    }
    eprintln!(
        "{} backups during {WRITERS} writes saw {seen:?} rows",
        backups.len()
    );
    assert!(
        seen.iter().any(|&n| n > 0 && n < WRITERS),
        "some backup was taken mid-load: {seen:?}"
    );

    // After the writes: a backup equals the live database, and restoring it
    // into a fresh path gives the same rows.
    let last = dir.path().join("after.db");
    let out = op(&["backup", last.to_str().expect("utf-8")], &live).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (out, _) = bot.stop("TERM", Duration::from_secs(15)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let source = dump(&live).await;
    assert_eq!(
        count(&live, "SELECT COUNT(*) FROM users WHERE lang = 'vi'").await,
        WRITERS
    );

    let fresh = dir.path().join("fresh").join("restored.db");
    std::fs::create_dir(fresh.parent().expect("parent")).expect("mkdir");
    let out = op(&["restore", last.to_str().expect("utf-8")], &fresh).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("restored"), "{}", stdout(&out));
    assert_eq!(mode(&fresh), 0o600);
    assert_eq!(integrity(&fresh).await, "ok");
    assert_eq!(dump(&fresh).await, source, "the restored database differs");

    // A backup taken mid-load restores too, over an existing database.
    let mid = &backups[backups.len() / 2];
    let out = op(&["restore", mid.to_str().expect("utf-8")], &fresh).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(dump(&fresh).await, dump(mid).await);
    assert!(!sidecar(&fresh, "-wal").exists());
    let stray: Vec<_> = std::fs::read_dir(fresh.parent().expect("parent"))
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// Bytes that are not SQLite (a fixed xorshift stream: reproducible).
#[cfg(not(feature = "postgres"))]
fn junk(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[cfg(not(feature = "postgres"))]
fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[cfg(not(feature = "postgres"))]
#[tokio::test]
async fn restore_refuses_corrupt_foreign_and_newer_files_and_leaves_the_database_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let target = seeded(dir.path(), "live.db").await;
    let before = std::fs::read(&target).expect("read");
    let files_before = files_in(dir.path());
    let inputs = tempfile::tempdir().expect("inputs");

    let random = inputs.path().join("random.db");
    std::fs::write(&random, junk(64 * 1024)).expect("write");

    let mut headed = b"SQLite format 3\0".to_vec();
    headed.extend(junk(8 * 1024));
    let headed_path = inputs.path().join("headed.db");
    std::fs::write(&headed_path, headed).expect("write");

    let newer = inputs.path().join("newer.db");
    std::fs::copy(&target, &newer).expect("copy");
    let mut c = open(&newer).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut c)
    .await
    .expect("fake newer version");
    c.close().await.expect("close");

    let modified = inputs.path().join("modified.db");
    std::fs::copy(&target, &modified).expect("copy");
    let mut c = open(&modified).await;
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = (SELECT MIN(version) FROM _sqlx_migrations)")
        .execute(&mut c)
        .await
        .expect("edit checksum");
    c.close().await.expect("close");

    let foreign = inputs.path().join("foreign.db");
    let mut c = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(&foreign)
            .create_if_missing(true),
    )
    .await
    .expect("create");
    sqlx::query("CREATE TABLE t (x)")
        .execute(&mut c)
        .await
        .expect("table");
    c.close().await.expect("close");

    let empty = inputs.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");

    for (file, why) in [
        (&random, "not a SQLite database"),
        (&headed_path, ""),
        (&newer, "newer than this binary"),
        (&modified, "differs"),
        (&foreign, "not a thidua database"),
        (&empty, "not a SQLite database"),
        (&inputs.path().join("missing.db"), "not found"),
    ] {
        let out = op(&["restore", file.to_str().expect("utf-8")], &target).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", file.display());
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(why), "{}: {err}", file.display());
        assert_eq!(
            std::fs::read(&target).expect("read"),
            before,
            "{} changed the database",
            file.display()
        );
        assert_eq!(files_in(dir.path()), files_before, "{}", file.display());
    }
    assert_eq!(
        count(&target, "SELECT COUNT(*) FROM users").await,
        2,
        "still the old rows"
    );
}

#[cfg(not(feature = "postgres"))]
#[tokio::test]
async fn usage_errors_exit_2_and_failures_exit_1() {
    let dir = tempfile::tempdir().expect("dir");
    let db = seeded(dir.path(), "live.db").await;
    for args in [
        &["backup"][..],
        &["restore"],
        &["backup", "a", "b"],
        &["check", "x"],
        &["frobnicate"],
    ] {
        let out = op(args, &db).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The backup never overwrites, and never creates a database.
    let dest = dir.path().join("b.db");
    std::fs::write(&dest, b"keep me").expect("write");
    let out = op(&["backup", dest.to_str().expect("utf-8")], &db).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&dest).expect("read"), b"keep me");
    let nowhere = dir.path().join("nowhere.db");
    let out = op(&["backup", "x.db"], &nowhere).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
    assert!(!nowhere.exists());
}

#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_created_by_run_is_readable_by_its_owner_only() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    // A permissive directory: the mode must come from thidua, not the umask.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let db = dir.path().join("new.db");
    let bot = Served::start(&api, &db, &[]).await;
    api.push(updates::private(&person(1), "/lang en"));
    assert!(answered(&api, 0, &person(1)).await);
    assert_eq!(mode(&db), 0o600);
    for s in ["-wal", "-shm"] {
        let p = sidecar(&db, s);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
    let (out, _) = bot.stop("TERM", Duration::from_secs(15)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A burst of writes, then the signal while they are handled: the bot exits
/// 0 within the bound, and every update it took is answered and stored.
async fn stops_cleanly_on(sig: &str) {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("s.db");
    let bot = Served::start(&api, &db, &[]).await;
    api.push(updates::private(&person(0), "/start"));
    assert!(answered(&api, 0, &person(0)).await, "the bot serves");

    const N: i64 = 40;
    for i in 1..=N {
        api.push(updates::private(&person(i), "/lang vi"));
    }
    // The signal as soon as the bot has taken the whole burst.
    let deadline = Instant::now() + Duration::from_secs(20);
    while api.pending_updates() > 0 {
        assert!(Instant::now() < deadline, "the bot did not take the burst");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let in_flight = N
        - (1..=N)
            .filter(|i| replied_chats(&api).contains(&person(*i).id))
            .count() as i64;
    let (out, took) = bot.stop(sig, Duration::from_secs(15)).await;
    eprintln!("SIG{sig}: {in_flight} of {N} writes unanswered at the signal; exit after {took:?}");
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "SIG{sig}: {log}");
    assert!(took < Duration::from_secs(11), "SIG{sig} took {took:?}");
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );
    let replied = replied_chats(&api);
    let missing: Vec<i64> = (1..=N)
        .filter(|i| !replied.contains(&person(*i).id))
        .collect();
    assert!(
        missing.is_empty(),
        "SIG{sig}: no reply for {missing:?} ({in_flight} were in flight)"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE lang = 'vi'").await,
        N
    );
    #[cfg(not(feature = "postgres"))]
    assert_eq!(integrity(&db).await, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_replies_go_out_and_exits_0() {
    stops_cleanly_on("TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_lets_in_flight_replies_go_out_and_exits_0() {
    stops_cleanly_on("INT").await;
}

#[cfg(not(feature = "postgres"))]
async fn check(db: &Path, api_url: &str, token: Option<&str>) -> Output {
    let mut c = thidua(&["check"]);
    c.env("DATABASE_URL", url_of(db))
        .env("TELOXIDE_API_URL", api_url);
    if let Some(t) = token {
        c.env("TELOXIDE_TOKEN", t);
    }
    let out = tokio::time::timeout(Duration::from_secs(10), c.output())
        .await
        .expect("check answers within Docker's 10 s")
        .expect("runs");
    assert_no_token(&out);
    out
}

#[cfg(not(feature = "postgres"))]
fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} line in {out}"))
}

#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_with_a_current_database_and_an_accepted_token() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let db = seeded(dir.path(), "c.db").await;
    let before = dump(&db).await;
    let out = check(&db, api.url(), Some(TOKEN)).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        line(&text, "database").starts_with("database: ok"),
        "{text}"
    );
    assert!(
        line(&text, "migrations").starts_with("migrations: ok"),
        "{text}"
    );
    assert!(line(&text, "telegram").contains("@thidua_bot"), "{text}");
    assert_eq!(dump(&db).await, before, "check changed nothing");
}

#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_with_pending_migrations_or_none_and_never_migrates() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");

    // One migration recorded fewer than this binary has: pending.
    let db = seeded(dir.path(), "behind.db").await;
    let mut c = open(&db).await;
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(&mut c)
    .await
    .expect("forget one");
    c.close().await.expect("close");
    let out = check(&db, api.url(), Some(TOKEN)).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(line(&text, "database").contains(": ok"), "{text}");
    assert!(line(&text, "migrations").contains("1 pending"), "{text}");
    assert!(line(&text, "telegram").contains(": ok"), "{text}");
    let out = check(&db, api.url(), Some(TOKEN)).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "still pending: check applied nothing"
    );

    // An empty file: opens, but nothing is migrated.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    let out = check(&empty, api.url(), Some(TOKEN)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        line(&stdout(&out), "migrations").contains("FAILED"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::metadata(&empty).expect("exists").len(), 0);

    // No file: the check does not create one.
    let missing = dir.path().join("missing.db");
    let out = check(&missing, api.url(), Some(TOKEN)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(line(&stdout(&out), "database").contains("FAILED"));
    assert!(!missing.exists());
}

#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_when_get_me_fails_without_showing_the_token() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir = tempfile::tempdir().expect("dir");
    let db = seeded(dir.path(), "c.db").await;

    // Nothing listens there.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/", l.local_addr().expect("addr"))
    };
    let out = check(&db, &closed, Some(TOKEN)).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(line(&text, "telegram").contains("FAILED"), "{text}");
    assert!(line(&text, "migrations").contains(": ok"), "{text}");

    // Telegram refuses the token.
    api.fail_next(
        "getMe",
        Fault {
            status: 401,
            body: serde_json::json!({"ok": false, "error_code": 401, "description": "Unauthorized"}),
        },
    );
    let out = check(&db, api.url(), Some(TOKEN)).await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(line(&stdout(&out), "telegram").contains("FAILED"));

    // No token at all: unhealthy (1), not Docker's reserved 2.
    let out = check(&db, api.url(), None).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        line(&stdout(&out), "telegram").contains("TELOXIDE_TOKEN"),
        "{}",
        stdout(&out)
    );
}

/// A zone where it is now between 03:00 and 21:00, so the day's backup is due.
#[cfg(not(feature = "postgres"))]
fn zone_past_two_am() -> (String, chrono::NaiveDate) {
    use chrono::Timelike;
    let now = chrono::Utc::now();
    for offset in -12i32..=14 {
        let local = now + chrono::Duration::hours(i64::from(offset));
        if (3..21).contains(&local.hour()) {
            // POSIX sign: Etc/GMT-7 is UTC+7.
            let name = match offset {
                0 => "Etc/GMT".to_owned(),
                o if o > 0 => format!("Etc/GMT-{o}"),
                o => format!("Etc/GMT+{}", -o),
            };
            return (name, local.date_naive());
        }
    }
    unreachable!("some offset has a daytime hour")
}

#[cfg(not(feature = "postgres"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_backup_is_written_and_only_fourteen_are_kept() {
    let api = FakeBotApi::start().await.expect("fake api");
    let dir: TempDir = tempfile::tempdir().expect("dir");
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).expect("mkdir");
    // Fifteen older daily backups, and files that are not daily backups.
    for d in 1..=15 {
        std::fs::write(backups.join(format!("thidua-2020-01-{d:02}.db")), b"old").expect("write");
    }
    for other in ["notes.txt", "thidua-latest.db", "thidua-2019-1-1.db"] {
        std::fs::write(backups.join(other), b"mine").expect("write");
    }
    let (tz, today) = zone_past_two_am();
    let db = dir.path().join("d.db");
    let bot = Served::start(
        &api,
        &db,
        &[
            ("THIDUA_BACKUP_DIR", backups.to_str().expect("utf-8")),
            ("THIDUA_TZ", &tz),
        ],
    )
    .await;
    let name = format!("thidua-{}.db", today.format("%Y-%m-%d"));
    let file = backups.join(&name);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !file.exists() {
        assert!(Instant::now() < deadline, "no {name} in {tz}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Pruning follows the write.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (out, _) = bot.stop("TERM", Duration::from_secs(15)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("daily backup written"),
        "{}",
        stderr(&out)
    );

    assert_eq!(mode(&file), 0o600);
    assert_eq!(integrity(&file).await, "ok");
    assert!(count(&file, "SELECT COUNT(*) FROM _sqlx_migrations").await > 0);
    let mut want: Vec<String> = (3..=15)
        .map(|d| format!("thidua-2020-01-{d:02}.db"))
        .collect();
    want.extend([
        name,
        "notes.txt".into(),
        "thidua-latest.db".into(),
        "thidua-2019-1-1.db".into(),
    ]);
    want.sort();
    assert_eq!(files_in(&backups), want);
}
