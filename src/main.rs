//! `thidua [run|demo|backup|restore|check]`: parse configuration, start
//! telemetry, hand over.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use thidua::config::{self, Config};
use thidua::ops;

const USAGE: &str = "usage: thidua [run|demo|backup <file>|restore <file>|check|help]";

const HELP: &str = "  run             serve Telegram (needs TELOXIDE_TOKEN)
  demo            play a scripted year against a fake Bot API, no token needed
  backup <file>   write a consistent copy of the database (safe while the bot runs)
  restore <file>  replace the database with a checked backup (stop the bot first)
  check           health: database opens, migrations current, token accepted (exit 0/1)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["run"] => run(),
        [cmd @ ("demo" | "backup" | "restore"), ..] if thidua::storage::backend::SHARED => {
            eprintln!(
                "thidua: {cmd} works on SQLite; this thidua is built for PostgreSQL \
                 (back it up with pg_dump and pg_restore; the demo runs in the default build)"
            );
            ExitCode::from(2)
        }
        ["demo"] => demo(),
        ["backup", file] => backup(PathBuf::from(file)),
        ["restore", file] => restore(PathBuf::from(file)),
        ["check"] => check(),
        ["help" | "-h" | "--help"] => {
            println!("{USAGE}\n{HELP}");
            ExitCode::SUCCESS
        }
        [cmd @ ("run" | "demo" | "backup" | "restore" | "check"), ..] => {
            eprintln!("thidua: wrong arguments for {cmd}; {USAGE}");
            ExitCode::from(2)
        }
        [other, ..] => {
            eprintln!("thidua: unknown command {other:?}; {USAGE}");
            ExitCode::from(2)
        }
    }
}

/// A panic message can quote a request URL or a `Bot`: print it without the token.
fn redact_panics(secret: String) {
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let text = format!(
            "thidua: thread '{}' {info}",
            thread.name().unwrap_or("<unnamed>")
        );
        eprintln!("{}", text.replace(secret.as_str(), "***"));
        let trace = std::backtrace::Backtrace::capture();
        if trace.status() == std::backtrace::BacktraceStatus::Captured {
            eprintln!("{}", trace.to_string().replace(secret.as_str(), "***"));
        }
    }));
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

fn run() -> ExitCode {
    let cfg = match Config::from_env() {
        Ok(c) => c,
        // Every setting refused is the operator's to fix: exit 2.
        Err(e) => {
            eprintln!("thidua: error: {e}");
            return ExitCode::from(2);
        }
    };
    redact_panics(cfg.token.expose().to_owned());
    thidua::telemetry::init(vec![cfg.token.expose().to_owned()]);
    let result = runtime().map_err(anyhow::Error::from).and_then(|rt| {
        let done = rt.block_on(thidua::app::run(cfg));
        // run() has waited for what must finish; do not hang on a stray task.
        rt.shutdown_timeout(Duration::from_secs(2));
        done
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thidua: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

#[cfg(feature = "demo")]
fn demo() -> ExitCode {
    let result = runtime().map_err(anyhow::Error::from).and_then(|rt| {
        rt.block_on(async {
            let mut stdout = std::io::stdout();
            thidua::demo::run(&mut stdout).await
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thidua: demo failed: {e:#}");
            ExitCode::from(1)
        }
    }
}

#[cfg(not(feature = "demo"))]
fn demo() -> ExitCode {
    eprintln!("thidua: this build has no demo (built without the `demo` feature)");
    ExitCode::from(2)
}

/// Runs an operation to completion and turns its error into one line and exit code 1.
fn operation<T>(
    what: &str,
    work: impl std::future::Future<Output = ops::Result<T>>,
) -> Result<T, ExitCode> {
    let result = match runtime() {
        Ok(rt) => rt.block_on(work),
        Err(e) => {
            eprintln!("thidua: {what} failed: {e}");
            return Err(ExitCode::from(1));
        }
    };
    result.map_err(|e| {
        eprintln!("thidua: {what} failed: {e}");
        ExitCode::from(1)
    })
}

fn backup(dest: PathBuf) -> ExitCode {
    let url = config::database_url_from_env();
    match operation("backup", ops::backup(&url, &dest)) {
        Ok(()) => {
            println!("thidua: backup written to {}", dest.display());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn restore(src: PathBuf) -> ExitCode {
    let url = config::database_url_from_env();
    match operation("restore", ops::restore(&url, &src)) {
        Ok(state) => {
            let note = match state {
                ops::SchemaState::Current { .. } => String::new(),
                ops::SchemaState::Behind { pending } => {
                    format!("; {} migration(s) will be applied on start", pending.len())
                }
            };
            println!("thidua: database restored from {}{note}", src.display());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Exit codes 0 and 1 only: Docker's HEALTHCHECK reserves 2.
fn check() -> ExitCode {
    let url = config::database_url_from_env();
    let cfg = Config::from_env().map_err(|e| e.to_string());
    if let Ok(c) = &cfg {
        redact_panics(c.token.expose().to_owned());
    }
    let lines = match runtime() {
        Ok(rt) => rt.block_on(ops::check(&url, cfg.as_ref().map_err(Clone::clone))),
        Err(e) => {
            println!("check: FAILED: {e}");
            return ExitCode::from(1);
        }
    };
    for line in &lines {
        println!("{line}");
    }
    if lines.iter().all(ops::CheckLine::passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
