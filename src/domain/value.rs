//! Numbers and yes/no answers as users type them.

/// Largest magnitude the contract accepts.
pub const MAX_ABS: f64 = 1e15;

/// Parses `60.9`, `60,9`, `60.9%`, `-3`: ASCII digits only, one optional
/// decimal separator, an optional trailing `%`; no exponents, `NaN` or `inf`,
/// nothing beyond ±10^15.
pub fn parse_number(raw: &str) -> Option<f64> {
    let s = raw.strip_suffix('%').unwrap_or(raw);
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match digits.find([',', '.']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    // Longer than this cannot be within ±10^15 and would only cost parse time.
    if int.trim_start_matches('0').len() > 16 || frac.is_some_and(|f| f.len() > 30) {
        return None;
    }
    let text = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int.to_owned(),
    };
    let v: f64 = text.parse().ok()?;
    let v = if neg { -v } else { v };
    // `-0` is zero; never store a negative zero.
    let v = if v == 0.0 { 0.0 } else { v };
    (v.is_finite() && v.abs() <= MAX_ABS).then_some(v)
}

/// Parses `yes/no`, `có/không`, `co/khong`, `1/0` (any case). Diacritics may
/// come composed or decomposed (`o` + U+0301, as some Vietnamese keyboards send).
pub fn parse_yes_no(raw: &str) -> Option<bool> {
    use unicode_normalization::UnicodeNormalization;
    match raw.to_lowercase().nfc().collect::<String>().as_str() {
        "yes" | "có" | "co" | "1" | "y" => Some(true),
        "no" | "không" | "khong" | "0" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_comma_point_and_percent_sign_are_accepted() {
        assert_eq!(parse_number("60,9"), Some(60.9));
        assert_eq!(parse_number("60.9"), Some(60.9));
        assert_eq!(parse_number("60.9%"), Some(60.9));
        assert_eq!(parse_number("100"), Some(100.0));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("+3,50"), Some(3.5));
        assert_eq!(parse_number("1000000000000000"), Some(1e15));
    }

    #[test]
    fn negative_zero_is_stored_as_zero() {
        let v = parse_number("-0").unwrap();
        assert_eq!(v, 0.0);
        assert!(v.is_sign_positive());
    }

    #[test]
    fn exponents_non_ascii_digits_and_huge_values_are_refused() {
        for bad in [
            "",
            "%",
            "1e3",
            "1e309",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "١٢٣",
            "６０",
            "60.",
            ".5",
            "1,000,000",
            "1 000",
            "60%%",
            "--1",
            "0x10",
            "1000000000000001",
            "12a",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?} should be refused");
        }
        assert_eq!(parse_number(&"9".repeat(10_000)), None);
    }

    #[test]
    fn yes_no_accepts_vietnamese_with_and_without_diacritics() {
        for yes in ["yes", "Có", "co", "1", "YES"] {
            assert_eq!(parse_yes_no(yes), Some(true), "{yes}");
        }
        for no in ["no", "không", "KHONG", "0"] {
            assert_eq!(parse_yes_no(no), Some(false), "{no}");
        }
        assert_eq!(parse_yes_no("maybe"), None);
    }

    #[test]
    fn yes_no_accepts_decomposed_diacritics() {
        assert_eq!(parse_yes_no("co\u{301}"), Some(true));
        assert_eq!(parse_yes_no("CO\u{301}"), Some(true));
        assert_eq!(parse_yes_no("kho\u{302}ng"), Some(false));
        assert_eq!(parse_yes_no("co\u{300}"), None);
    }
}
