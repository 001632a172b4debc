//! A bloc (khối thi đua): a group of units competing over calendar years
//! that begin and end in the bloc's own time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// The zone of a bloc that names none (and the product's default zone).
pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// A bloc, with its time zone already parsed: every local date of the bloc
/// (its year, its today, the times it shows) comes from here.
#[derive(Debug, Clone, PartialEq)]
pub struct Bloc {
    /// Row id.
    pub id: i64,
    /// Its Telegram group.
    pub chat_id: i64,
    /// Name.
    pub name: String,
    /// Its time zone.
    pub tz: Tz,
}

impl Bloc {
    /// The bloc's local date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    /// The emulation year at `now`: the calendar year in the bloc's zone, so
    /// that a bloc in Hà Nội enters the new year at its own midnight.
    pub fn year_at(&self, now: DateTime<Utc>) -> i32 {
        self.today(now).year()
    }

    /// `at` in the bloc's zone, as shown to its members.
    pub fn local_time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn bloc(tz: Tz) -> Bloc {
        Bloc {
            id: 1,
            chat_id: -1,
            name: "K".into(),
            tz,
        }
    }

    #[test]
    fn the_year_turns_at_midnight_in_the_blocs_zone() {
        // 31 Dec 17:30 UTC is 1 Jan 00:30 in Hồ Chí Minh City (UTC+7).
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 17, 30, 0).unwrap();
        assert_eq!(bloc(DEFAULT_TZ).year_at(now), 2027);
        assert_eq!(bloc(chrono_tz::Europe::Paris).year_at(now), 2026);
        assert_eq!(
            bloc(DEFAULT_TZ).today(now),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
    }

    #[test]
    fn local_times_are_shown_in_the_blocs_zone() {
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 2, 5, 0).unwrap();
        assert_eq!(bloc(DEFAULT_TZ).local_time(at), "01/07/2026 09:05");
        assert_eq!(
            bloc(chrono_tz::Europe::Paris).local_time(at),
            "01/07/2026 04:05"
        );
    }
}
