//! Reporting periods and the default yearly deadlines.

use chrono::NaiveDate;

/// `mid` (sơ kết 6 tháng) or `final` (tổng kết năm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// Mid-year review.
    Mid,
    /// Year-end review.
    Final,
}

impl Period {
    /// Parses `mid` or `final` (any case).
    pub fn parse(raw: &str) -> Option<Period> {
        match raw.to_ascii_lowercase().as_str() {
            "mid" => Some(Period::Mid),
            "final" => Some(Period::Final),
            _ => None,
        }
    }

    /// The name stored in the database and typed in commands.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Mid => "mid",
            Period::Final => "final",
        }
    }

    /// The period open on `today` (the bloc's local date): `mid` until the
    /// mid-year deadline has passed, then `final`.
    pub fn open_on(today: NaiveDate, mid_deadline: NaiveDate) -> Period {
        if today <= mid_deadline {
            Period::Mid
        } else {
            Period::Final
        }
    }
}

/// The default mid-year deadline of a year (15 July).
pub fn default_mid_deadline(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 7, 15).unwrap_or(NaiveDate::MIN)
}

/// Years a user may name.
pub fn parse_year(raw: &str) -> Option<i32> {
    if raw.len() != 4 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok().filter(|y| (2000..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn mid_is_open_through_its_deadline_day_then_final() {
        let mid = default_mid_deadline(2026);
        assert_eq!(Period::open_on(d(1, 1), mid), Period::Mid);
        assert_eq!(Period::open_on(d(7, 15), mid), Period::Mid);
        assert_eq!(Period::open_on(d(7, 16), mid), Period::Final);
        assert_eq!(Period::open_on(d(12, 31), mid), Period::Final);
    }

    #[test]
    fn periods_and_years_parse_strictly() {
        assert_eq!(Period::parse("MID"), Some(Period::Mid));
        assert_eq!(Period::parse("final"), Some(Period::Final));
        assert_eq!(Period::parse("end"), None);
        assert_eq!(parse_year("2026"), Some(2026));
        for bad in ["26", "1999", "2101", "２０２６", "+202"] {
            assert_eq!(parse_year(bad), None, "{bad}");
        }
    }
}
