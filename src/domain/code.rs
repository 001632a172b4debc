//! Codes of units and targets: 1–16 of `A-Z 0-9 _ -`, case-insensitive, shown upper-case.

use std::fmt;

/// A unit or target code, always upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

/// Longest code the contract allows.
pub const MAX_CODE_LEN: usize = 16;

impl Code {
    /// Parses a code as typed by a user; the only way to build one.
    pub fn parse(raw: &str) -> Option<Code> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_CODE_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| Code(raw.to_ascii_uppercase()))
    }

    /// The code as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_case_insensitive_and_shown_upper_case() {
        assert_eq!(Code::parse("tnmt").map(|c| c.0), Some("TNMT".into()));
        assert_eq!(Code::parse("So_CT-2").map(|c| c.0), Some("SO_CT-2".into()));
    }

    #[test]
    fn codes_outside_the_alphabet_or_length_are_refused() {
        for bad in ["", "A B", "Sở", "ABCDEFGHIJKLMNOPQ", "A.B", "<b>", "١٢٣"] {
            assert!(Code::parse(bad).is_none(), "{bad:?} should be refused");
        }
        assert!(Code::parse("ABCDEFGHIJKLMNOP").is_some());
    }
}
