//! Test support: the real bot against the fake Bot API, with helpers that
//! read like the chat.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

pub use fake_bot_api::ApiCall;
pub use fake_bot_api::updates::{self, Person};
use thidua::harness::Harness;

pub const GROUP: i64 = -1_001_234_567_890;
pub const TITLE: &str = "Khối thi đua";
pub const OTHER_GROUP: i64 = -1_009_999_999_999;

/// 08:00 local (UTC+7) on a date of 2026.
pub fn local(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0)
        .single()
        .expect("valid date")
        - chrono::Duration::hours(7)
}

pub fn admin() -> Person {
    Person::new(100_001, "Nguyễn", "Văn An")
}

pub fn head(i: i64) -> Person {
    Person::new(200_001 + i, "Trưởng", &format!("Đơn vị {i}"))
}

/// A second bloc admin, once [`Bot::add_deputy`] made them one.
pub fn deputy() -> Person {
    Person::new(100_002, "Phó", "Khối")
}

pub fn outsider() -> Person {
    Person::new(900_001, "Người", "Ngoài")
}

pub struct Bot {
    pub h: Harness,
    _dir: TempDir,
}

/// A database of its own for one test: a SQLite file in a temporary
/// directory, or (PostgreSQL build) a new database on the server that
/// `THIDUA_TEST_POSTGRES` names (default: the local one `.ci/run` starts).
pub fn fresh_db(dir: &Path) -> String {
    #[cfg(feature = "postgres")]
    return {
        let _ = dir;
        fresh_postgres()
    };
    #[cfg(not(feature = "postgres"))]
    format!("sqlite://{}", dir.join("t.db").display())
}

/// The database that a test names by a file path: that SQLite file, or (in
/// a PostgreSQL build) a new database made the first time the path is
/// named and the same one after, so that a bot restarted "on the same
/// file" finds its data.
pub fn db_at(path: &Path) -> String {
    #[cfg(feature = "postgres")]
    return {
        use std::collections::HashMap;
        use std::sync::{LazyLock, Mutex};
        static MADE: LazyLock<Mutex<HashMap<PathBuf, String>>> = LazyLock::new(Mutex::default);
        let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
        made.entry(path.to_path_buf())
            .or_insert_with(fresh_postgres)
            .clone()
    };
    #[cfg(not(feature = "postgres"))]
    format!("sqlite://{}", path.display())
}

/// The server's administrative URL for tests.
#[cfg(feature = "postgres")]
pub fn postgres_admin_url() -> String {
    std::env::var("THIDUA_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Creates an empty database named after this process and a counter.
#[cfg(feature = "postgres")]
fn fresh_postgres() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "thidua_t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let admin = postgres_admin_url();
    // On a thread of its own: callers may be inside a runtime or not.
    let made = std::thread::spawn({
        let name = name.clone();
        let admin = admin.clone();
        move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&admin).await?;
                if NEXT.load(Ordering::Relaxed) == 1 {
                    drop_left_over(&mut c).await?;
                }
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await?;
                c.close().await
            })
        }
    })
    .join()
    .expect("creating the test database");
    made.unwrap_or_else(|e| panic!("creating database {name} on {admin}: {e}"));
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// Drops the test databases of test processes that have ended (the first
/// time a test process makes one), so that runs do not pile them up.
#[cfg(feature = "postgres")]
async fn drop_left_over(c: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(datname AS TEXT) FROM pg_database WHERE datname LIKE 'thidua\\_t%'",
    )
    .fetch_all(&mut *c)
    .await?;
    for name in names {
        let pid = name
            .strip_prefix("thidua_t")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *c)
                .await?;
        }
    }
    Ok(())
}

/// A table's rows where `filter` holds, each as JSON, in a stable order.
pub async fn table_rows(pool: &thidua::storage::Pool, table: &str, filter: &str) -> Vec<String> {
    #[cfg(not(feature = "postgres"))]
    let sql = {
        // WITHOUT ROWID tables have no rowid: their key orders them.
        let order = if table.starts_with("ballot_") {
            "ballot_id, unit_id"
        } else {
            "rowid"
        };
        let cols: Vec<String> = sqlx::query(&format!("PRAGMA table_info({table})"))
            .fetch_all(pool)
            .await
            .expect("columns")
            .iter()
            .map(|r| sqlx::Row::get::<String, _>(r, "name"))
            .collect();
        format!(
            "SELECT json_array({}) FROM {table} WHERE {filter} ORDER BY {order}",
            cols.join(", ")
        )
    };
    #[cfg(feature = "postgres")]
    // In the order the rows were written (an update moves a row to the end).
    let sql = format!(
        "SELECT CAST(row_to_json(t) AS TEXT) FROM {table} t WHERE {filter} ORDER BY t.ctid"
    );
    sqlx::query_scalar(&sql)
        .fetch_all(pool)
        .await
        .expect("rows")
}

/// The names of the database's tables, but sqlx's own.
pub async fn table_names(pool: &thidua::storage::Pool) -> Vec<String> {
    let sql = if cfg!(feature = "postgres") {
        "SELECT CAST(table_name AS TEXT) AS n FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' ORDER BY n"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name"
    };
    sqlx::query_scalar(sql)
        .fetch_all(pool)
        .await
        .expect("tables")
}

impl Bot {
    pub async fn start() -> Bot {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_db(dir.path());
        let h = Harness::start(&url, local(3, 2, 8))
            .await
            .expect("bot starts");
        Bot { h, _dir: dir }
    }

    pub async fn send(&mut self, update: Value) -> Vec<ApiCall> {
        self.h.send(update).await.expect("update handled")
    }

    pub async fn group(&mut self, p: &Person, text: &str) -> Vec<ApiCall> {
        self.send(updates::group(GROUP, TITLE, p, text)).await
    }

    pub async fn private(&mut self, p: &Person, text: &str) -> Vec<ApiCall> {
        self.send(updates::private(p, text)).await
    }

    /// A bloc in GROUP with `admin()` as its admin.
    pub async fn with_bloc() -> Bot {
        let mut b = Bot::start().await;
        b.h.api.set_member_status(GROUP, admin().id, "creator");
        let r = b.group(&admin(), "/newbloc Khối thi đua kinh tế").await;
        assert!(only_text(&r).starts_with("✅"), "{r:?}");
        b
    }

    /// A bloc with units U0..Un and one yes/no target and one percent target.
    pub async fn with_units(n: i64) -> Bot {
        let mut b = Bot::with_bloc().await;
        for i in 0..n {
            let r = b
                .group(&admin(), &format!("/addunit U{i} Đơn vị số {i}"))
                .await;
            assert!(only_text(&r).starts_with("✅"), "{r:?}");
        }
        b
    }

    pub async fn add_targets(&mut self) {
        for t in [
            "TSVM yesno yes 40 Chi bộ trong sạch vững mạnh",
            "THU percent >=100 60 Thu ngân sách",
        ] {
            let r = self.group(&admin(), &format!("/target add {t}")).await;
            assert!(only_text(&r).starts_with("✅"), "{r:?}");
        }
    }

    /// `admin()` makes a second bloc, in OTHER_GROUP.
    pub async fn add_second_bloc(&mut self) {
        self.h
            .api
            .set_member_status(OTHER_GROUP, admin().id, "creator");
        self.send(updates::group(
            OTHER_GROUP,
            "Khối hai",
            &admin(),
            "/newbloc Khối văn hóa, xã hội",
        ))
        .await;
    }

    /// Invites `p` as head of `code` and has them join; returns the token.
    pub async fn join(&mut self, code: &str, p: &Person) -> String {
        let r = self.private(&admin(), &format!("/invite {code}")).await;
        let token = invite_token(&r);
        let r = self.private(p, &format!("/join {token}")).await;
        // The group hears of it too, from its own queue: in either order.
        assert!(sent_to(&r, p.id)[0].starts_with("✅"), "{r:?}");
        token
    }

    /// Makes `deputy()` a second bloc admin (`/addadmin` as a reply).
    pub async fn add_deputy(&mut self) {
        let replied = updates::message(
            updates::group_chat(GROUP, TITLE),
            deputy().json(),
            "chào mọi người",
        );
        let r = self
            .send(updates::group_reply(
                GROUP,
                TITLE,
                &admin(),
                "/addadmin",
                replied,
            ))
            .await;
        assert!(only_text(&r).contains("Phó Khối"), "{r:?}");
    }

    /// Every table's rows, to prove a refused command changed nothing.
    pub async fn snapshot(&self) -> String {
        let pool = self.h.app().expect("running").db.pool().clone();
        let mut out = String::new();
        for t in table_names(&pool).await {
            let rows = table_rows(&pool, &t, "TRUE").await;
            out.push_str(&format!("{t}: {}\n", rows.join(" ")));
        }
        out
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let pool = self.h.app().expect("running").db.pool().clone();
        sqlx::query_scalar(sql)
            .fetch_one(&pool)
            .await
            .expect("count")
    }

    /// Sends `text` from `p` (in the group when `in_group`) and asserts a
    /// single ⚠️ reply containing `expect` and no state change.
    pub async fn refused(
        &mut self,
        p: &Person,
        in_group: bool,
        text: &str,
        expect: &str,
    ) -> String {
        let before = self.snapshot().await;
        let r = if in_group {
            self.group(p, text).await
        } else {
            self.private(p, text).await
        };
        let reply = only_text(&r);
        assert!(
            reply.starts_with("⚠️"),
            "{text}: expected a refusal, got {reply}"
        );
        assert!(
            reply.contains(expect),
            "{text}: expected {expect:?} in {reply}"
        );
        assert!(
            reply.contains("Cách dùng") || reply.contains("Usage"),
            "{text}: no usage in {reply}"
        );
        assert_eq!(before, self.snapshot().await, "{text} changed state");
        reply
    }
}

/// Ticks the scheduler once and returns the messages it sent.
pub async fn tick(b: &Bot) -> Vec<ApiCall> {
    let from = b.h.api.call_count();
    b.h.tick().await.expect("tick");
    b.h.api
        .calls_since(from)
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .collect()
}

/// A message sent: text, photo or document.
pub fn is_send(c: &ApiCall) -> bool {
    matches!(
        c.method.as_str(),
        "sendMessage" | "sendPhoto" | "sendDocument"
    )
}

pub fn texts(calls: &[ApiCall]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| is_send(c))
        .map(|c| c.text().to_owned())
        .collect()
}

/// The text of the one message sent; fails if there is not exactly one.
pub fn only_text(calls: &[ApiCall]) -> String {
    let t = texts(calls);
    assert_eq!(t.len(), 1, "expected one message, got {calls:#?}");
    t[0].clone()
}

pub fn sent_to(calls: &[ApiCall], chat: i64) -> Vec<String> {
    calls
        .iter()
        .filter(|c| is_send(c) && c.chat_id() == Some(chat))
        .map(|c| c.text().to_owned())
        .collect()
}

pub fn invite_token(calls: &[ApiCall]) -> String {
    let text = only_text(calls);
    let start = text.find("?start=").expect("deep link in invite") + "?start=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// (code, score text) of each standings line.
pub fn standings_rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| {
            let code = between(l, "<b>", "</b>");
            let rest = &l[l.find("— <b>").expect("score") + "— <b>".len()..];
            let score = rest[..rest.find("</b>").expect("score end")].to_owned();
            (code, score)
        })
        .collect()
}

pub fn between(s: &str, a: &str, b: &str) -> String {
    let i = s.find(a).expect("start marker") + a.len();
    let j = s[i..].find(b).expect("end marker") + i;
    s[i..j].to_owned()
}

/// The inline buttons of a reply, as (label, data).
pub fn buttons(call: &ApiCall) -> Vec<(String, String)> {
    call.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The first callback answer with a text (a refusal's toast).
pub fn toast(calls: &[ApiCall]) -> String {
    calls
        .iter()
        .filter(|c| c.method == "answerCallbackQuery")
        .find_map(|c| c.body["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// `cmd` as found on PATH.
pub fn on_path(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(cmd))
            .find(|p| p.is_file())
    })
}

/// Runs a tool to completion; LibreOffice's first start builds a profile
/// (about 30 s), so the bound is generous, but a hung tool fails the test.
pub async fn run(program: &Path, args: &[&str]) -> String {
    let child = tokio::process::Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(240), child)
        .await
        .unwrap_or_else(|_| panic!("{} {args:?} timed out", program.display()))
        .unwrap_or_else(|e| panic!("{} {args:?}: {e}", program.display()));
    assert!(
        out.status.success(),
        "{} {args:?}: {}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Prints `file` to PDF with LibreOffice into `dir` (a profile of its own
/// there, so parallel runs do not share LibreOffice's lock); the PDF's path.
pub async fn to_pdf(soffice: &Path, file: &Path, dir: &Path) -> PathBuf {
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.display());
    let out = dir.to_str().expect("utf-8 temp path");
    let file_arg = file.to_str().expect("utf-8 temp path");
    run(
        soffice,
        &[
            "--headless",
            &profile,
            "--convert-to",
            "pdf",
            "--outdir",
            out,
            file_arg,
        ],
    )
    .await;
    dir.join(file.with_extension("pdf").file_name().expect("a file name"))
}

/// A bloc in GROUP with `heads` units U0… (each with its head, `head(i)`)
/// and one percent target, THU, this year: written with the library's
/// storage functions, for tests that start the binary on it.
pub async fn seed_heads(url: &str, heads: i64) {
    use chrono::Datelike;
    use thidua::domain::{Goal, TargetKind};
    use thidua::storage::{Db, blocs, targets, units};
    let db = Db::open(url).await.expect("db opens");
    let now = chrono::Utc::now();
    let year = now.with_timezone(&thidua::config::DEFAULT_TZ).year();
    let mut tx = db.write().await.expect("tx");
    let a = admin();
    let bloc = blocs::insert(
        &mut tx,
        GROUP,
        "Khối thi đua kinh tế",
        thidua::config::DEFAULT_TZ.name(),
        (a.id, &a.full_name()),
        now,
    )
    .await
    .expect("bloc");
    for i in 0..heads {
        let unit = units::insert(&mut tx, bloc, &format!("U{i}"), &format!("Đơn vị {i}"), now)
            .await
            .expect("unit");
        let h = head(i);
        units::set_head(&mut tx, unit, h.id, &h.full_name())
            .await
            .expect("head");
    }
    let target = targets::NewTarget {
        code: "THU",
        kind: TargetKind::Percent,
        goal: Goal::AtLeast(100.0),
        weight: 60,
        name: "Thu ngân sách",
    };
    targets::insert(&mut tx, bloc, year, &target, now)
        .await
        .expect("target");
    tx.commit().await.expect("commit");
    db.close().await;
}
