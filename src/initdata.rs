//! Telegram Mini App `initData`: who opened the dashboard, signed by
//! Telegram with the bot's token (HMAC-SHA256, as Telegram documents under
//! "Validating data received via the Mini App"). Nothing else identifies a
//! dashboard request.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How old signed data may be.
pub const MAX_AGE: Duration = Duration::hours(24);

/// The user a valid `initData` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAppUser {
    /// Telegram user id.
    pub id: i64,
    /// The Telegram app's language, e.g. `vi` (the bot's `/lang` wins).
    pub language_code: Option<String>,
}

/// Why `initData` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    /// No `initData` at all.
    #[error("no initData")]
    Missing,
    /// No hash, or not the one this bot's token gives.
    #[error("initData is not signed for this bot")]
    BadHash,
    /// Signed more than [`MAX_AGE`] ago (or in the future).
    #[error("initData is too old")]
    Stale,
    /// Signed, but without a usable `user` or `auth_date`.
    #[error("initData names no user")]
    NoUser,
}

/// The key Telegram derives from a bot token for Mini App data.
fn secret_key(token: &str) -> Option<HmacSha256> {
    let mut derive = HmacSha256::new_from_slice(b"WebAppData").ok()?;
    derive.update(token.as_bytes());
    HmacSha256::new_from_slice(&derive.finalize().into_bytes()).ok()
}

/// The fields but `hash`, sorted by key, as `key=value` lines.
fn check_string(fields: &[(String, String)]) -> String {
    let mut lines: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k != "hash")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.sort_unstable();
    lines.join("\n")
}

/// Checks `raw` (the query string Telegram hands the page) against `token`
/// at `now`, and returns its user.
pub fn validate(raw: &str, token: &str, now: DateTime<Utc>) -> Result<WebAppUser, InitDataError> {
    if raw.trim().is_empty() {
        return Err(InitDataError::Missing);
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let hash = fields
        .iter()
        .find(|(k, _)| k == "hash")
        .and_then(|(_, v)| hex::decode(v).ok())
        .ok_or(InitDataError::BadHash)?;
    let mut mac = secret_key(token).ok_or(InitDataError::BadHash)?;
    mac.update(check_string(&fields).as_bytes());
    // Constant time.
    mac.verify_slice(&hash)
        .map_err(|_| InitDataError::BadHash)?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let signed = field("auth_date")
        .and_then(|d| d.parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or(InitDataError::NoUser)?;
    // A minute of clock skew either way.
    if now - signed > MAX_AGE || signed - now > Duration::minutes(1) {
        return Err(InitDataError::Stale);
    }
    let user: serde_json::Value = field("user")
        .and_then(|u| serde_json::from_str(u).ok())
        .ok_or(InitDataError::NoUser)?;
    let id = user
        .get("id")
        .and_then(serde_json::Value::as_i64)
        .ok_or(InitDataError::NoUser)?;
    Ok(WebAppUser {
        id,
        language_code: user
            .get("language_code")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
    })
}

/// `initData` for `user_id` signed with `token` at `at`, as Telegram makes
/// it: what `thidua demo` opens its dashboard with.
pub fn sign(user_id: i64, first_name: &str, token: &str, at: DateTime<Utc>) -> String {
    let user = serde_json::json!({"id": user_id, "first_name": first_name}).to_string();
    let mut fields = vec![
        ("auth_date".to_owned(), at.timestamp().to_string()),
        ("user".to_owned(), user),
    ];
    let hash = match secret_key(token) {
        Some(mut mac) => {
            mac.update(check_string(&fields).as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        None => String::new(),
    };
    fields.push(("hash".to_owned(), hash));
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TOKEN: &str = "123456:AAbbccddeeffgghhiijjkkllmmnnoopp_qq";
    const OTHER: &str = "654321:AAbbccddeeffgghhiijjkkllmmnnoopp_qq";

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, h, 0, 0).unwrap()
    }

    #[test]
    fn a_valid_one_names_its_user() {
        let data = sign(42, "Lan", TOKEN, at(8));
        let user = validate(&data, TOKEN, at(9)).unwrap();
        assert_eq!(user.id, 42);
    }

    /// Worked by hand from Telegram's algorithm, independently of `sign`:
    /// key = HMAC("WebAppData", token); hash = HMAC(key, sorted lines).
    #[test]
    fn the_hash_is_telegrams_algorithm() {
        let user = r#"{"id":7,"first_name":"A","language_code":"en"}"#;
        let lines = format!("auth_date=1764835200\nquery_id=AAA\nuser={user}");
        let mut k = HmacSha256::new_from_slice(b"WebAppData").unwrap();
        k.update(TOKEN.as_bytes());
        let mut m = HmacSha256::new_from_slice(&k.finalize().into_bytes()).unwrap();
        m.update(lines.as_bytes());
        let hash = hex::encode(m.finalize().into_bytes());
        // Telegram's order of fields is not sorted; encoding is form encoding.
        let raw = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query_id", "AAA")
            .append_pair("user", user)
            .append_pair("auth_date", "1764835200")
            .append_pair("hash", &hash)
            .finish();
        let now = DateTime::from_timestamp(1_764_835_200 + 60, 0).unwrap();
        let u = validate(&raw, TOKEN, now).unwrap();
        assert_eq!((u.id, u.language_code.as_deref()), (7, Some("en")));
    }

    #[test]
    fn a_wrong_hash_is_refused() {
        let data = sign(42, "Lan", TOKEN, at(8));
        let flipped = data.replace("hash=", "hash=0");
        assert_eq!(
            validate(&flipped, TOKEN, at(9)),
            Err(InitDataError::BadHash)
        );
        // Another user id under the same hash.
        let forged = data.replace("%3A42", "%3A43");
        assert_ne!(forged, data);
        assert_eq!(validate(&forged, TOKEN, at(9)), Err(InitDataError::BadHash));
        let no_hash: String = data
            .split('&')
            .filter(|f| !f.starts_with("hash="))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            validate(&no_hash, TOKEN, at(9)),
            Err(InitDataError::BadHash)
        );
        assert_eq!(validate("", TOKEN, at(9)), Err(InitDataError::Missing));
        assert_eq!(
            validate("hash=zz", TOKEN, at(9)),
            Err(InitDataError::BadHash)
        );
    }

    #[test]
    fn another_bots_data_is_refused() {
        let data = sign(42, "Lan", OTHER, at(8));
        assert_eq!(validate(&data, TOKEN, at(9)), Err(InitDataError::BadHash));
    }

    proptest::proptest! {
        /// Any text, or a signed one with a field cut or changed, is refused
        /// without a panic; only the untouched one passes.
        #[test]
        fn nothing_but_the_signed_text_passes(
            junk in ".{0,300}",
            cut in 0usize..400,
            id in proptest::num::i64::ANY,
        ) {
            proptest::prop_assert!(validate(&junk, TOKEN, at(9)).is_err());
            let data = sign(id, "Lan", TOKEN, at(8));
            proptest::prop_assert_eq!(validate(&data, TOKEN, at(9)).map(|u| u.id), Ok(id));
            let mut short = data.clone();
            short.truncate(cut.min(data.len().saturating_sub(1)));
            proptest::prop_assert!(validate(&short, TOKEN, at(9)).is_err());
        }
    }

    #[test]
    fn data_older_than_a_day_or_from_the_future_is_refused() {
        let data = sign(42, "Lan", TOKEN, at(0));
        assert!(validate(&data, TOKEN, at(0) + Duration::hours(24)).is_ok());
        assert_eq!(
            validate(
                &data,
                TOKEN,
                at(0) + Duration::hours(24) + Duration::seconds(1)
            ),
            Err(InitDataError::Stale)
        );
        assert_eq!(
            validate(&data, TOKEN, at(0) - Duration::minutes(5)),
            Err(InitDataError::Stale)
        );
    }
}
