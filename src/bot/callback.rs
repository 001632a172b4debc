//! Inline buttons' data: one enum, built and parsed here only. The wire
//! format is the one earlier versions wrote, so that buttons left in old
//! messages keep working.

use crate::domain::Period;
use crate::domain::verdict::Picks;

/// Telegram's limit on a button's callback data, in bytes.
pub const MAX_DATA: usize = 64;

/// What an inline button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Callback {
    /// Sign a unit's pledge: `sign:<unit id>:<year>`. The year is the
    /// pledge's: a button left in an old message must not sign another
    /// year's pledge.
    Sign { unit_id: i64, year: i32 },
    /// The guided report's target: `flow:t:<target id>`.
    FlowPick(i64),
    /// The guided report's confirm button: `flow:ok`.
    FlowConfirm,
    /// The guided report's cancel button: `flow:x`.
    FlowCancel,
    /// A page of `/history`: `hist:<bloc>:<unit or 0>:<offset>`.
    History {
        bloc: i64,
        unit: Option<i64>,
        offset: i64,
    },
    /// Approve a submitted unit's period: `rv:a:<unit id>:<year>:<mid|final>`.
    Approve {
        unit_id: i64,
        year: i32,
        period: Period,
    },
    /// Return it (the reason follows as a message): `rv:r:<unit>:<year>:<period>`.
    Return {
        unit_id: i64,
        year: i32,
        period: Period,
    },
    /// Accept a correction request: `cr:a:<request row id>`.
    Accept(i64),
    /// Reject it (the reason follows as a message): `cr:r:<request row id>`.
    Reject(i64),
    /// A unit's button on a ballot card: `bl:v:<ballot>:<picks>:<slot>`,
    /// with the card's picks before the press (hexadecimal). The picks
    /// live only in the card: the database never holds them.
    Pick {
        /// The ballot.
        ballot: i64,
        /// The card's picks.
        picks: Picks,
        /// The unit's place on the ballot.
        slot: u8,
    },
    /// The card's cast button: `bl:c:<ballot>:<picks>`.
    Cast {
        /// The ballot.
        ballot: i64,
        /// The picks cast.
        picks: Picks,
    },
}

impl Callback {
    /// Reads a button's data; `None` for data this version cannot read.
    pub fn parse(data: &str) -> Option<Callback> {
        if let Some(rest) = data.strip_prefix("sign:") {
            let (u, y) = rest.split_once(':')?;
            return Some(Callback::Sign {
                unit_id: u.parse().ok()?,
                year: y.parse().ok()?,
            });
        }
        if let Some(id) = data.strip_prefix("flow:t:") {
            return id.parse().ok().map(Callback::FlowPick);
        }
        if let Some(rest) = data.strip_prefix("hist:") {
            let mut it = rest.split(':');
            let bloc = it.next()?.parse().ok()?;
            let unit: i64 = it.next()?.parse().ok()?;
            let offset: i64 = it.next()?.parse().ok()?;
            return (it.next().is_none() && offset >= 0).then_some(Callback::History {
                bloc,
                unit: (unit != 0).then_some(unit),
                offset,
            });
        }
        if let Some(rest) = data.strip_prefix("rv:") {
            let mut it = rest.split(':');
            let approve = match it.next()? {
                "a" => true,
                "r" => false,
                _ => return None,
            };
            let unit_id = it.next()?.parse().ok()?;
            let year = it.next()?.parse().ok()?;
            let period = Period::parse(it.next()?)?;
            if it.next().is_some() {
                return None;
            }
            return Some(if approve {
                Callback::Approve {
                    unit_id,
                    year,
                    period,
                }
            } else {
                Callback::Return {
                    unit_id,
                    year,
                    period,
                }
            });
        }
        if let Some(rest) = data.strip_prefix("cr:") {
            let (what, id) = rest.split_once(':')?;
            let id = id.parse().ok().filter(|i: &i64| *i > 0)?;
            return match what {
                "a" => Some(Callback::Accept(id)),
                "r" => Some(Callback::Reject(id)),
                _ => None,
            };
        }
        if let Some(rest) = data.strip_prefix("bl:") {
            let mut it = rest.split(':');
            let what = it.next()?;
            let ballot = it.next()?.parse().ok().filter(|i: &i64| *i > 0)?;
            let picks = Picks::from_hex(it.next()?)?;
            let cb = match what {
                "v" => Callback::Pick {
                    ballot,
                    picks,
                    slot: it.next()?.parse().ok().filter(|s: &u8| *s < 64)?,
                },
                "c" => Callback::Cast { ballot, picks },
                _ => return None,
            };
            return it.next().is_none().then_some(cb);
        }
        match data {
            "flow:ok" => Some(Callback::FlowConfirm),
            "flow:x" => Some(Callback::FlowCancel),
            _ => None,
        }
    }

    /// The button's data, at most [`MAX_DATA`] bytes: the longest, a history
    /// page with every number at `i64::MAX` (ids are row ids, never
    /// negative), is exactly 64.
    pub fn data(&self) -> String {
        let d = match self {
            Callback::Sign { unit_id, year } => format!("sign:{unit_id}:{year}"),
            Callback::FlowPick(id) => format!("flow:t:{id}"),
            Callback::FlowConfirm => "flow:ok".to_owned(),
            Callback::FlowCancel => "flow:x".to_owned(),
            Callback::History { bloc, unit, offset } => {
                format!("hist:{bloc}:{}:{offset}", unit.unwrap_or(0))
            }
            Callback::Approve {
                unit_id,
                year,
                period,
            } => format!("rv:a:{unit_id}:{year}:{}", period.as_str()),
            Callback::Return {
                unit_id,
                year,
                period,
            } => format!("rv:r:{unit_id}:{year}:{}", period.as_str()),
            Callback::Accept(id) => format!("cr:a:{id}"),
            Callback::Reject(id) => format!("cr:r:{id}"),
            Callback::Pick {
                ballot,
                picks,
                slot,
            } => format!("bl:v:{ballot}:{}:{slot}", picks.to_hex()),
            Callback::Cast { ballot, picks } => format!("bl:c:{ballot}:{}", picks.to_hex()),
        };
        debug_assert!(d.len() <= MAX_DATA, "callback data too long: {d}");
        d
    }

    /// Sign-button data this version cannot read. It names no year for
    /// sure, so it is answered as a stale sign button rather than ignored:
    /// signing could sign the wrong year.
    pub fn is_unreadable_sign(data: &str) -> bool {
        data.starts_with("sign:") && Callback::parse(data).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_sign_data(d: &str) -> Option<(i64, i32)> {
        match Callback::parse(d)? {
            Callback::Sign { unit_id, year } => Some((unit_id, year)),
            _ => None,
        }
    }

    fn parse_page_data(d: &str) -> Option<(i64, Option<i64>, i64)> {
        match Callback::parse(d)? {
            Callback::History { bloc, unit, offset } => Some((bloc, unit, offset)),
            _ => None,
        }
    }

    #[test]
    fn every_kind_of_button_round_trips_and_fits_telegram() {
        let all = [
            Callback::Sign {
                unit_id: i64::MIN,
                year: i32::MIN,
            },
            Callback::Sign {
                unit_id: i64::MAX,
                year: 2026,
            },
            Callback::FlowPick(i64::MIN),
            Callback::FlowPick(7),
            Callback::FlowConfirm,
            Callback::FlowCancel,
            Callback::History {
                bloc: i64::MAX,
                unit: Some(i64::MAX),
                offset: i64::MAX,
            },
            Callback::History {
                bloc: 1,
                unit: None,
                offset: 0,
            },
            Callback::Accept(i64::MAX),
            Callback::Reject(1),
            Callback::Pick {
                ballot: i64::MAX,
                picks: Picks::from_hex("ffffffffffffffff").unwrap(),
                slot: 63,
            },
            Callback::Cast {
                ballot: 1,
                picks: Picks::NONE,
            },
        ];
        for c in all {
            let d = c.data();
            assert!(d.len() <= MAX_DATA, "{d:?} is {} bytes", d.len());
            assert_eq!(Callback::parse(&d), Some(c), "{d:?}");
        }
    }

    #[test]
    fn the_wire_format_is_the_one_old_buttons_carry() {
        assert_eq!(
            Callback::parse("sign:5:2026"),
            Some(Callback::Sign {
                unit_id: 5,
                year: 2026
            })
        );
        assert_eq!(Callback::parse("flow:t:12"), Some(Callback::FlowPick(12)));
        assert_eq!(Callback::parse("flow:ok"), Some(Callback::FlowConfirm));
        assert_eq!(Callback::parse("flow:x"), Some(Callback::FlowCancel));
        assert_eq!(
            Callback::parse("hist:3:4:20"),
            Some(Callback::History {
                bloc: 3,
                unit: Some(4),
                offset: 20
            })
        );
    }

    #[test]
    fn sign_data_round_trips_and_fits_telegram() {
        let d = Callback::Sign {
            unit_id: i64::MAX,
            year: 2026,
        }
        .data();
        assert!(d.len() <= 64);
        assert_eq!(parse_sign_data(&d), Some((i64::MAX, 2026)));
        assert_eq!(parse_sign_data("sign:x:2026"), None);
        assert_eq!(parse_sign_data("sign:5"), None, "no year: never guessed");
        assert_eq!(parse_sign_data("sign:5:2026:1"), None);
        assert_eq!(parse_sign_data("other"), None);
    }

    #[test]
    fn page_data_round_trips_and_fits_telegram() {
        let d = Callback::History {
            bloc: i64::MAX,
            unit: Some(i64::MAX),
            offset: 1_000_000,
        }
        .data();
        assert!(d.len() <= 64);
        assert_eq!(
            parse_page_data(&d),
            Some((i64::MAX, Some(i64::MAX), 1_000_000))
        );
        assert_eq!(parse_page_data("hist:1:0:10"), Some((1, None, 10)));
        assert_eq!(parse_page_data("hist:1:0:-10"), None);
        assert_eq!(parse_page_data("hist:1:0"), None);
    }

    #[test]
    fn malformed_data_is_none() {
        for d in [
            "",
            "sign:",
            "sign:1:",
            "sign::2026",
            "flow:t:",
            "flow:t:x",
            "flow:t:1:2",
            "flow:ok ",
            "flow:",
            "FLOW:OK",
            "hist:1:0:10:0",
            "hist:a:0:10",
            "cr:a:",
            "cr:x:1",
            "cr:r:-1",
            "cr:a:1:2",
            "bl:v:1:0",
            "bl:v:1:0:64",
            "bl:v:0:0:1",
            "bl:c:1:",
            "bl:c:1:10000000000000000",
            "bl:c:1:3:1",
            "bl:x:1:3",
            "nope",
        ] {
            assert_eq!(Callback::parse(d), None, "{d:?}");
        }
    }

    #[test]
    fn only_sign_data_that_cannot_be_read_is_a_stale_sign_button() {
        assert!(Callback::is_unreadable_sign("sign:5"));
        assert!(!Callback::is_unreadable_sign("sign:5:2026"));
        assert!(!Callback::is_unreadable_sign("flow:x"));
        assert!(!Callback::is_unreadable_sign("nope"));
    }
}
