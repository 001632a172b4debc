//! Typed configuration from the environment (the contract's "Running" table).

use chrono_tz::Tz;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The bot token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Checks the shape Telegram gives tokens: `<bot id>:<secret>`.
    pub fn parse(raw: &str) -> Result<Token, ConfigError> {
        let raw = raw.trim();
        let (id, secret) = raw.split_once(':').ok_or(ConfigError::MalformedToken)?;
        let ok = !id.is_empty()
            && id.len() <= 20
            && id.bytes().all(|b| b.is_ascii_digit())
            && secret.len() >= 30
            && secret.len() <= 100
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Token(raw.to_owned()))
        } else {
            Err(ConfigError::MalformedToken)
        }
    }

    /// The secret itself, for the Bot API client and for redacting logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Why the configuration is unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// No token in the environment.
    #[error("TELOXIDE_TOKEN is not set: create a bot with @BotFather and export its token")]
    MissingToken,
    /// The token does not look like one.
    #[error("TELOXIDE_TOKEN is malformed: expected <bot id>:<secret> as given by @BotFather")]
    MalformedToken,
    /// `TELOXIDE_API_URL` is not a URL.
    #[error("TELOXIDE_API_URL is not a valid http(s) URL")]
    BadApiUrl,
    /// `THIDUA_TZ` is not an IANA zone.
    #[error("THIDUA_TZ is not an IANA time zone name (e.g. Asia/Ho_Chi_Minh)")]
    BadTimeZone,
    /// `THIDUA_LISTEN` is not an address to listen on.
    #[error("THIDUA_LISTEN is not an address and port to listen on (e.g. 127.0.0.1:8080)")]
    BadListen,
    /// `THIDUA_WEBHOOK_URL` is not one Telegram accepts, or its path is odd.
    #[error(
        "THIDUA_WEBHOOK_URL must be an https URL with a path of letters, digits, / _ - . (e.g. https://bot.example.vn/telegram)"
    )]
    BadWebhookUrl,
    /// `THIDUA_WEBAPP_URL` is not an https URL.
    #[error(
        "THIDUA_WEBAPP_URL must be an https URL of the dashboard (e.g. https://bot.example.vn/app)"
    )]
    BadWebAppUrl,
    /// `DATABASE_URL` names a database of the other kind than this build's.
    #[error(
        "DATABASE_URL must be a {} URL: this thidua is built for {} (see README \"Storage\")",
        crate::storage::backend::SCHEME,
        crate::storage::backend::NAME
    )]
    WrongDatabase,
    /// `THIDUA_BACKUP_DIR` with PostgreSQL, which has its own backups.
    #[error(
        "THIDUA_BACKUP_DIR backs up a SQLite file: back PostgreSQL up with its own tools (pg_dump)"
    )]
    BackupDirWithPostgres,
}

/// Everything the bot reads from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Bot token (required to run).
    pub token: Token,
    /// Bot API base URL, when not Telegram's.
    pub api_url: Option<url::Url>,
    /// The database's URL (`sqlite:` or, in a PostgreSQL build, `postgres:`).
    pub database_url: String,
    /// Default time zone of new blocs (and of the daily backup's 02:00).
    pub tz: Tz,
    /// Where `thidua run` writes a daily backup (`THIDUA_BACKUP_DIR`), if anywhere.
    pub backup_dir: Option<PathBuf>,
    /// Where the HTTP server listens (`THIDUA_LISTEN`).
    pub listen: SocketAddr,
    /// Webhook mode at this URL (`THIDUA_WEBHOOK_URL`); long polling without.
    pub webhook: Option<url::Url>,
    /// The dashboard's address (`THIDUA_WEBAPP_URL`): `/standings` opens it.
    pub webapp: Option<url::Url>,
}

/// Default database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://thidua.db";
/// Default address of the HTTP server: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default time zone.
pub const DEFAULT_TZ: Tz = crate::domain::bloc::DEFAULT_TZ;

/// A Bot API client for `token`, at `api_url` when not Telegram's.
pub fn bot(token: &str, api_url: Option<url::Url>) -> teloxide::Bot {
    let bot = teloxide::Bot::new(token);
    match api_url {
        Some(u) => bot.set_api_url(u),
        None => bot,
    }
}

/// An https URL whose path the HTTP server can route as it is.
fn webhook_url(raw: &str) -> Option<url::Url> {
    let u = url::Url::parse(raw).ok()?;
    let path_ok = u.path().len() > 1
        && u.path()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-.".contains(&b));
    (u.scheme() == "https" && u.host().is_some() && u.query().is_none() && path_ok).then_some(u)
}

impl Config {
    /// The Bot API client this configuration names.
    pub fn bot(&self) -> teloxide::Bot {
        bot(self.token.expose(), self.api_url.clone())
    }

    /// Reads the configuration through `get` (the process environment in production).
    pub fn from_env_with(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let token = get("TELOXIDE_TOKEN")
            .filter(|t| !t.trim().is_empty())
            .ok_or(ConfigError::MissingToken)?;
        let token = Token::parse(&token)?;
        let api_url = get("TELOXIDE_API_URL")
            .filter(|u| !u.trim().is_empty())
            .map(|u| {
                url::Url::parse(u.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or(ConfigError::BadApiUrl)
            })
            .transpose()?;
        let database_url = database_url_with(&get);
        if !crate::storage::backend::accepts(&database_url) {
            return Err(ConfigError::WrongDatabase);
        }
        let tz = match get("THIDUA_TZ").filter(|t| !t.trim().is_empty()) {
            Some(t) => t
                .trim()
                .parse::<Tz>()
                .map_err(|_| ConfigError::BadTimeZone)?,
            None => DEFAULT_TZ,
        };
        let backup_dir = get("THIDUA_BACKUP_DIR")
            .filter(|d| !d.trim().is_empty())
            .map(|d| PathBuf::from(d.trim()));
        if backup_dir.is_some() && cfg!(feature = "postgres") {
            return Err(ConfigError::BackupDirWithPostgres);
        }
        let listen = get("THIDUA_LISTEN")
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned())
            .trim()
            .parse::<SocketAddr>()
            .map_err(|_| ConfigError::BadListen)?;
        let webhook = get("THIDUA_WEBHOOK_URL")
            .filter(|u| !u.trim().is_empty())
            .map(|u| webhook_url(u.trim()).ok_or(ConfigError::BadWebhookUrl))
            .transpose()?;
        let webapp = get("THIDUA_WEBAPP_URL")
            .filter(|u| !u.trim().is_empty())
            .map(|u| {
                url::Url::parse(u.trim())
                    .ok()
                    .filter(|u| u.scheme() == "https" && u.host().is_some())
                    .ok_or(ConfigError::BadWebAppUrl)
            })
            .transpose()?;
        Ok(Config {
            token,
            api_url,
            database_url,
            tz,
            backup_dir,
            listen,
            webhook,
            webapp,
        })
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_env_with(|k| std::env::var(k).ok())
    }
}

/// `DATABASE_URL` or the default: all that `backup` and `restore` need (no token).
pub fn database_url_with(get: impl Fn(&str) -> Option<String>) -> String {
    get("DATABASE_URL")
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// `DATABASE_URL` of the process environment, or the default.
pub fn database_url_from_env() -> String {
    database_url_with(|k| std::env::var(k).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";

    fn cfg(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_env_with(|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_apply_when_only_the_token_is_set() {
        let c = cfg(&[("TELOXIDE_TOKEN", TOKEN)]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.tz, chrono_tz::Asia::Ho_Chi_Minh);
        assert!(c.api_url.is_none());
        assert!(c.backup_dir.is_none());
    }

    #[test]
    fn the_server_listens_on_this_machine_by_default_and_polls_without_a_webhook() {
        let c = cfg(&[("TELOXIDE_TOKEN", TOKEN)]).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert!(c.webhook.is_none());
        let c = cfg(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("THIDUA_LISTEN", "0.0.0.0:9000"),
            ("THIDUA_WEBHOOK_URL", "https://bot.example.vn/tg/hook-1"),
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(
            c.webhook.map(|u| u.path().to_owned()),
            Some("/tg/hook-1".into())
        );
    }

    #[test]
    fn a_bad_listen_address_or_webhook_url_is_an_error() {
        for listen in ["8080", "localhost", "1.2.3.4:99999"] {
            let e = cfg(&[("TELOXIDE_TOKEN", TOKEN), ("THIDUA_LISTEN", listen)]);
            assert_eq!(e.unwrap_err(), ConfigError::BadListen, "{listen}");
        }
        for url in [
            "http://bot.example.vn/hook",
            "https://bot.example.vn",
            "https://bot.example.vn/",
            "https://bot.example.vn/a?b=c",
            "https://bot.example.vn/{x}",
            "https://bot.example.vn/a:b",
            "not a url",
        ] {
            let e = cfg(&[("TELOXIDE_TOKEN", TOKEN), ("THIDUA_WEBHOOK_URL", url)]);
            assert_eq!(e.unwrap_err(), ConfigError::BadWebhookUrl, "{url}");
        }
        for url in ["http://bot.example.vn/app", "/app", "https://"] {
            let e = cfg(&[("TELOXIDE_TOKEN", TOKEN), ("THIDUA_WEBAPP_URL", url)]);
            assert_eq!(e.unwrap_err(), ConfigError::BadWebAppUrl, "{url}");
        }
        let c = cfg(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("THIDUA_WEBAPP_URL", "https://bot.example.vn/app"),
        ])
        .unwrap();
        assert_eq!(
            c.webapp.map(|u| u.to_string()),
            Some("https://bot.example.vn/app".into())
        );
    }

    #[test]
    fn the_backup_dir_is_read_when_set_and_not_empty() {
        let c = cfg(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("THIDUA_BACKUP_DIR", "/data/backups"),
        ])
        .unwrap();
        assert_eq!(c.backup_dir, Some(PathBuf::from("/data/backups")));
        let c = cfg(&[("TELOXIDE_TOKEN", TOKEN), ("THIDUA_BACKUP_DIR", "  ")]).unwrap();
        assert!(c.backup_dir.is_none());
    }

    #[test]
    fn the_database_url_needs_no_token() {
        assert_eq!(database_url_with(|_| None), DEFAULT_DATABASE_URL);
        assert_eq!(
            database_url_with(|k| (k == "DATABASE_URL").then(|| "sqlite:///x.db".to_owned())),
            "sqlite:///x.db"
        );
    }

    #[test]
    fn missing_or_malformed_token_is_an_error() {
        assert_eq!(cfg(&[]).unwrap_err(), ConfigError::MissingToken);
        for bad in [
            "abc",
            "123:short",
            "x123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
            "123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 x",
        ] {
            assert_eq!(
                cfg(&[("TELOXIDE_TOKEN", bad)]).unwrap_err(),
                ConfigError::MalformedToken,
                "{bad}"
            );
        }
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let c = cfg(&[("TELOXIDE_TOKEN", TOKEN)]).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("AAHdqTcv"), "{dbg}");
        let err = format!("{}", cfg(&[("TELOXIDE_TOKEN", "123:AAH")]).unwrap_err());
        assert!(!err.contains("AAH"));
    }

    #[test]
    fn bad_zone_and_url_are_errors() {
        assert_eq!(
            cfg(&[("TELOXIDE_TOKEN", TOKEN), ("THIDUA_TZ", "Mars/Base")]).unwrap_err(),
            ConfigError::BadTimeZone
        );
        assert_eq!(
            cfg(&[("TELOXIDE_TOKEN", TOKEN), ("TELOXIDE_API_URL", "not a url")]).unwrap_err(),
            ConfigError::BadApiUrl
        );
        let c = cfg(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("THIDUA_TZ", "Europe/Paris"),
            ("TELOXIDE_API_URL", "http://127.0.0.1:9/"),
        ])
        .unwrap();
        assert_eq!(c.tz, chrono_tz::Europe::Paris);
        assert!(c.api_url.is_some());
    }

    #[test]
    fn a_database_url_of_the_other_kind_is_refused() {
        let other = if cfg!(feature = "postgres") {
            "sqlite://thidua.db"
        } else {
            "postgres://thidua@127.0.0.1/thidua"
        };
        assert!(matches!(
            cfg(&[("TELOXIDE_TOKEN", TOKEN), ("DATABASE_URL", other)]),
            Err(ConfigError::WrongDatabase)
        ));
    }
}
