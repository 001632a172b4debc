//! `thidua [run|demo]`: parse configuration, start telemetry, hand over.

use std::process::ExitCode;

use thidua::config::{Config, ConfigError};

const USAGE: &str = "usage: thidua [run|demo|help]";

fn main() -> ExitCode {
    let sub = std::env::args().nth(1).unwrap_or_else(|| "run".into());
    match sub.as_str() {
        "run" => run(),
        "demo" => demo(),
        "help" | "-h" | "--help" => {
            println!(
                "{USAGE}\n  run   serve Telegram (needs TELOXIDE_TOKEN)\n  demo  play a scripted year against a fake Bot API, no token needed"
            );
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("thidua: unknown command {other:?}; {USAGE}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

fn run() -> ExitCode {
    let cfg = match Config::from_env() {
        Ok(c) => c,
        Err(
            e @ (ConfigError::MissingToken
            | ConfigError::MalformedToken
            | ConfigError::BadApiUrl
            | ConfigError::BadTimeZone),
        ) => {
            eprintln!("thidua: error: {e}");
            return ExitCode::from(2);
        }
    };
    thidua::telemetry::init(vec![cfg.token.expose().to_owned()]);
    let result = runtime()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(thidua::app::run(cfg)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thidua: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

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
