//! What is due when: deadlines, reminder days, send time, in the bloc's
//! time zone. Pure functions of (now, schedule), testable without waiting.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use super::Refusal;

/// The three deadlines of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deadline {
    /// Every unit's pledge signed.
    Pledge,
    /// Every target reported for `mid`.
    Mid,
    /// Every target reported for `final`.
    Final,
}

impl Deadline {
    /// All three, in yearly order.
    pub const ALL: [Deadline; 3] = [Deadline::Pledge, Deadline::Mid, Deadline::Final];

    /// Parses `pledge`, `mid` or `final`.
    pub fn parse(raw: &str) -> Option<Deadline> {
        match raw.to_ascii_lowercase().as_str() {
            "pledge" => Some(Deadline::Pledge),
            "mid" => Some(Deadline::Mid),
            "final" => Some(Deadline::Final),
            _ => None,
        }
    }

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Deadline::Pledge => "pledge",
            Deadline::Mid => "mid",
            Deadline::Final => "final",
        }
    }

    /// The reporting period a deadline closes, if any.
    pub fn period(self) -> Option<super::Period> {
        match self {
            Deadline::Pledge => None,
            Deadline::Mid => Some(super::Period::Mid),
            Deadline::Final => Some(super::Period::Final),
        }
    }
}

/// Days before a deadline to remind, by default.
pub const DEFAULT_REMIND: [u32; 4] = [14, 7, 3, 1];
/// Reminders missed while the bot was down are sent on start only while the
/// deadline is ahead or passed fewer than this many days ago.
pub const CATCH_UP_DAYS: i64 = 3;

/// A bloc's plan for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The emulation year.
    pub year: i32,
    /// Pledge deadline.
    pub pledge: NaiveDate,
    /// Mid-year deadline.
    pub mid: NaiveDate,
    /// Year-end deadline.
    pub final_: NaiveDate,
    /// Days before each deadline to remind (the deadline day is always a send day).
    pub remind: Vec<u32>,
    /// Local send time.
    pub send_time: NaiveTime,
    /// The bloc's time zone.
    pub tz: Tz,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl Schedule {
    /// The contract's defaults: 31 March, 15 July, 5 December; 14, 7, 3, 1 days; 08:00.
    pub fn default_for(year: i32, tz: Tz) -> Schedule {
        Schedule {
            year,
            pledge: ymd(year, 3, 31),
            mid: ymd(year, 7, 15),
            final_: ymd(year, 12, 5),
            remind: DEFAULT_REMIND.to_vec(),
            send_time: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            tz,
        }
    }

    /// The date of a deadline.
    pub fn date(&self, d: Deadline) -> NaiveDate {
        match d {
            Deadline::Pledge => self.pledge,
            Deadline::Mid => self.mid,
            Deadline::Final => self.final_,
        }
    }

    /// Moves a deadline.
    pub fn set_date(&mut self, d: Deadline, date: NaiveDate) {
        match d {
            Deadline::Pledge => self.pledge = date,
            Deadline::Mid => self.mid = date,
            Deadline::Final => self.final_ = date,
        }
    }

    /// Moves a deadline, or refuses (changing nothing) a date outside the
    /// schedule's year or one that would break pledge ≤ mid ≤ final.
    ///
    /// Only the moved deadline is checked against the others: a schedule
    /// stored out of order before this rule existed can still be put right,
    /// one deadline at a time. The nearest deadline it would cross is named.
    pub fn move_deadline(&mut self, d: Deadline, date: NaiveDate) -> Result<(), Refusal> {
        if date.year() != self.year {
            return Err(Refusal::DateOutsideYear {
                date,
                year: self.year,
            });
        }
        let earlier = Deadline::ALL.into_iter().rev().filter(|o| *o < d);
        let later = Deadline::ALL.into_iter().filter(|o| *o > d);
        let crossed = earlier
            .filter(|o| date < self.date(*o))
            .chain(later.filter(|o| date > self.date(*o)))
            .next();
        if let Some(other) = crossed {
            return Err(Refusal::DeadlineOrder {
                moved: d,
                date,
                other,
                other_date: self.date(other),
            });
        }
        self.set_date(d, date);
        Ok(())
    }

    /// The instant of a local date at the send time (DST gaps move forward).
    pub fn instant(&self, day: NaiveDate) -> DateTime<Utc> {
        local_instant(self.tz, day.and_time(self.send_time))
    }

    /// Every send of one deadline, in time order: reminder days, the deadline
    /// day, then the overdue notice the day after.
    pub fn slots(&self, d: Deadline) -> Vec<Slot> {
        let date = self.date(d);
        let mut days: Vec<u32> = self.remind.iter().copied().filter(|n| *n > 0).collect();
        days.push(0);
        days.sort_unstable_by(|a, b| b.cmp(a));
        days.dedup();
        let mut out: Vec<Slot> = days
            .into_iter()
            .filter_map(|n| {
                let day = date.checked_sub_signed(Duration::days(i64::from(n)))?;
                Some(Slot {
                    deadline: d,
                    day,
                    at: self.instant(day),
                    kind: SlotKind::Reminder { days_left: n },
                })
            })
            .collect();
        if let Some(day) = date.succ_opt() {
            out.push(Slot {
                deadline: d,
                day,
                at: self.instant(day),
                kind: SlotKind::Overdue,
            });
        }
        out
    }

    /// What is due at `now`: per deadline, the latest send at or before now,
    /// as long as the deadline is ahead or passed fewer than 3 days ago. Older
    /// missed sends are never returned (no burst of stale reminders).
    pub fn due(&self, now: DateTime<Utc>) -> Vec<Slot> {
        let today = now.with_timezone(&self.tz).date_naive();
        Deadline::ALL
            .into_iter()
            .filter(|d| (today - self.date(*d)).num_days() < CATCH_UP_DAYS)
            .filter_map(|d| self.slots(d).into_iter().rev().find(|s| s.at <= now))
            .collect()
    }

    /// The first send strictly after `now`, if any.
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<Slot> {
        Deadline::ALL
            .into_iter()
            .flat_map(|d| self.slots(d))
            .filter(|s| s.at > now)
            .min_by_key(|s| s.at)
    }

    /// The period open on a local date: `mid` until the mid deadline has passed.
    pub fn open_period(&self, today: NaiveDate) -> super::Period {
        super::Period::open_on(today, self.mid)
    }

    /// Whether a value recorded `at` for `period` is late: recorded after
    /// the period's deadline day, in the bloc's zone. (The score does not
    /// change for it; it is marked wherever the value is shown.)
    pub fn late(&self, period: super::Period, at: chrono::DateTime<chrono::Utc>) -> bool {
        let deadline = match period {
            super::Period::Mid => self.mid,
            super::Period::Final => self.final_,
        };
        at.with_timezone(&self.tz).date_naive() > deadline
    }
}

/// A local wall-clock time as an instant; a time skipped by a DST change is
/// taken an hour later, an ambiguous one at its first occurrence.
pub fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => local_instant(tz, local + Duration::hours(1)),
    }
}

/// What a send is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// To heads with something outstanding, and a summary to the group.
    Reminder {
        /// Days until the deadline (0 on the day).
        days_left: u32,
    },
    /// The day after: the overdue list to the bloc admins.
    Overdue,
}

/// One send time of one deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Which deadline.
    pub deadline: Deadline,
    /// The local day of the send.
    pub day: NaiveDate,
    /// The instant of the send.
    pub at: DateTime<Utc>,
    /// Reminder or overdue notice.
    pub kind: SlotKind,
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    // Exactly this shape: chrono alone also takes ` 2026-7-20` or `+2026-7-20`.
    let shape = |(i, b): (usize, u8)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    };
    if raw.len() != 10 || !raw.bytes().enumerate().all(shape) {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2101).contains(&d.year()))
}

/// Parses `HH:MM` (24-hour).
pub fn parse_time(raw: &str) -> Option<NaiveTime> {
    let (h, m) = raw.split_once(':')?;
    if !(1..=2).contains(&h.len())
        || m.len() != 2
        || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Parses `14,7,3,1`: distinct whole days from 1 to 365, at most 10 of them.
pub fn parse_remind(raw: &str) -> Option<Vec<u32>> {
    let mut days = Vec::new();
    for part in raw.split(',') {
        let p = part.trim();
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        if !(1..=365).contains(&n) || days.contains(&n) {
            return None;
        }
        days.push(n);
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    (!days.is_empty() && days.len() <= 10).then_some(days)
}

/// Formats reminder days as typed: `14,7,3,1`.
pub fn format_remind(days: &[u32]) -> String {
    days.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses an IANA zone name.
pub fn parse_tz(raw: &str) -> Option<Tz> {
    raw.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HCM: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn a_deadline_moves_within_its_year_and_between_its_neighbours() {
        let mut s = Schedule::default_for(2026, HCM);
        assert_eq!(s.move_deadline(Deadline::Mid, ymd(2026, 7, 20)), Ok(()));
        assert_eq!(s.mid, ymd(2026, 7, 20));
        // Equal to a neighbour is in order (pledge ≤ mid ≤ final).
        assert_eq!(s.move_deadline(Deadline::Pledge, ymd(2026, 7, 20)), Ok(()));
        assert_eq!(s.move_deadline(Deadline::Final, ymd(2026, 7, 20)), Ok(()));
        assert_eq!(
            (s.pledge, s.mid, s.final_),
            (ymd(2026, 7, 20), ymd(2026, 7, 20), ymd(2026, 7, 20))
        );
    }

    #[test]
    fn a_deadline_in_another_year_is_refused_and_nothing_moves() {
        let mut s = Schedule::default_for(2026, HCM);
        let before = s.clone();
        for date in [ymd(2027, 1, 10), ymd(2025, 12, 31)] {
            assert_eq!(
                s.move_deadline(Deadline::Mid, date),
                Err(Refusal::DateOutsideYear { date, year: 2026 })
            );
        }
        assert_eq!(s, before);
    }

    #[test]
    fn a_mid_deadline_before_the_pledge_deadline_is_refused_naming_it() {
        let mut s = Schedule::default_for(2026, HCM);
        let before = s.clone();
        assert_eq!(
            s.move_deadline(Deadline::Mid, ymd(2026, 3, 1)),
            Err(Refusal::DeadlineOrder {
                moved: Deadline::Mid,
                date: ymd(2026, 3, 1),
                other: Deadline::Pledge,
                other_date: ymd(2026, 3, 31),
            })
        );
        assert_eq!(s, before);
    }

    #[test]
    fn a_deadline_crossing_two_others_names_the_nearest() {
        let mut s = Schedule::default_for(2026, HCM);
        let refused = |r: Result<(), Refusal>| match r {
            Err(Refusal::DeadlineOrder { other, .. }) => Some(other),
            _ => None,
        };
        assert_eq!(
            refused(s.move_deadline(Deadline::Pledge, ymd(2026, 12, 20))),
            Some(Deadline::Mid)
        );
        assert_eq!(
            refused(s.move_deadline(Deadline::Final, ymd(2026, 1, 2))),
            Some(Deadline::Mid)
        );
        assert_eq!(
            refused(s.move_deadline(Deadline::Mid, ymd(2026, 12, 6))),
            Some(Deadline::Final)
        );
        assert_eq!(s, Schedule::default_for(2026, HCM));
    }

    #[test]
    fn a_schedule_stored_out_of_order_can_be_put_right_one_deadline_at_a_time() {
        let mut s = Schedule::default_for(2026, HCM);
        s.pledge = ymd(2026, 8, 1);
        // Final is not next to the broken pair: it moves freely.
        assert_eq!(s.move_deadline(Deadline::Final, ymd(2026, 12, 1)), Ok(()));
        assert_eq!(s.move_deadline(Deadline::Pledge, ymd(2026, 3, 31)), Ok(()));
        assert_eq!(s.pledge, ymd(2026, 3, 31));
    }

    #[test]
    fn eight_in_ho_chi_minh_is_one_utc() {
        let s = Schedule::default_for(2026, HCM);
        assert_eq!(s.instant(ymd(2026, 3, 31)), utc(2026, 3, 31, 1, 0));
    }

    #[test]
    fn slots_are_reminder_days_the_deadline_and_the_day_after() {
        let s = Schedule::default_for(2026, HCM);
        let days: Vec<_> = s
            .slots(Deadline::Mid)
            .iter()
            .map(|x| (x.day, x.kind))
            .collect();
        assert_eq!(
            days,
            vec![
                (ymd(2026, 7, 1), SlotKind::Reminder { days_left: 14 }),
                (ymd(2026, 7, 8), SlotKind::Reminder { days_left: 7 }),
                (ymd(2026, 7, 12), SlotKind::Reminder { days_left: 3 }),
                (ymd(2026, 7, 14), SlotKind::Reminder { days_left: 1 }),
                (ymd(2026, 7, 15), SlotKind::Reminder { days_left: 0 }),
                (ymd(2026, 7, 16), SlotKind::Overdue),
            ]
        );
    }

    #[test]
    fn nothing_is_due_before_the_first_send() {
        let s = Schedule::default_for(2026, HCM);
        assert!(s.due(utc(2026, 3, 17, 0, 59)).is_empty());
        let due = s.due(utc(2026, 3, 17, 1, 0));
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].deadline, due[0].day),
            (Deadline::Pledge, ymd(2026, 3, 17))
        );
    }

    #[test]
    fn only_the_latest_missed_send_is_due() {
        let s = Schedule::default_for(2026, HCM);
        // Down from before the 14-day send until after the 3-day one.
        let due = s.due(utc(2026, 3, 29, 5, 0));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].kind, SlotKind::Reminder { days_left: 3 });
    }

    #[test]
    fn catch_up_stops_three_days_after_the_deadline() {
        let s = Schedule::default_for(2026, HCM);
        let due = s.due(utc(2026, 4, 2, 12, 0));
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].kind, due[0].day),
            (SlotKind::Overdue, ymd(2026, 4, 1))
        );
        // 3 April local is 3 days after 31 March: nothing any more.
        assert!(s.due(utc(2026, 4, 2, 17, 0)).is_empty());
        assert!(s.due(utc(2026, 4, 5, 1, 0)).is_empty());
    }

    #[test]
    fn the_day_boundary_is_the_blocs_midnight() {
        // 23:30 UTC on 16 March is already 17 March 06:30 in Ho Chi Minh City,
        // before the 08:00 send; in UTC it would still be the 16th.
        let s = Schedule::default_for(2026, HCM);
        assert!(s.due(utc(2026, 3, 16, 23, 30)).is_empty());
        let paris = Schedule::default_for(2026, chrono_tz::Europe::Paris);
        assert_eq!(paris.instant(ymd(2026, 3, 17)), utc(2026, 3, 17, 7, 0));
        // After the spring change Paris is UTC+2.
        assert_eq!(paris.instant(ymd(2026, 3, 31)), utc(2026, 3, 31, 6, 0));
    }

    #[test]
    fn next_after_finds_the_following_send() {
        let s = Schedule::default_for(2026, HCM);
        let n = s.next_after(utc(2026, 1, 1, 0, 0)).unwrap();
        assert_eq!((n.deadline, n.day), (Deadline::Pledge, ymd(2026, 3, 17)));
        let n = s.next_after(n.at).unwrap();
        assert_eq!(n.day, ymd(2026, 3, 24));
        assert!(s.next_after(utc(2026, 12, 6, 1, 0)).is_none());
    }

    #[test]
    fn dates_times_days_and_zones_parse_strictly() {
        assert_eq!(parse_date("2026-07-20"), Some(ymd(2026, 7, 20)));
        for bad in [
            "2026-02-30",
            "20-07-2026",
            "2026/07/20",
            "2026-7-2",
            "１２３",
            " 2026-7-20",
            "+2026-7-20",
            "2026-7-020",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_time("7:30"), NaiveTime::from_hms_opt(7, 30, 0));
        for bad in ["24:00", "07:60", "0730", "7h30", "-1:00"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(parse_remind("7, 14,1"), Some(vec![14, 7, 1]));
        for bad in ["", "0", "7,7", "a", "400", "1,,2", "-1"] {
            assert_eq!(parse_remind(bad), None, "{bad}");
        }
        assert_eq!(parse_tz("Europe/Paris"), Some(chrono_tz::Europe::Paris));
        assert_eq!(parse_tz("Mars/Olympus"), None);
    }

    #[test]
    fn a_value_is_late_only_after_the_deadline_day_in_the_blocs_zone() {
        let s = Schedule::default_for(2026, chrono_tz::Asia::Ho_Chi_Minh);
        let mid = s.mid;
        // 23:30 local on the deadline day is 16:30 UTC: on time.
        let last_minute =
            s.tz.from_local_datetime(&mid.and_hms_opt(23, 30, 0).unwrap())
                .unwrap();
        assert!(!s.late(
            super::super::Period::Mid,
            last_minute.with_timezone(&chrono::Utc)
        ));
        let next_day = last_minute + chrono::Duration::hours(1);
        assert!(s.late(
            super::super::Period::Mid,
            next_day.with_timezone(&chrono::Utc)
        ));
        assert!(!s.late(
            super::super::Period::Final,
            next_day.with_timezone(&chrono::Utc)
        ));
    }
}
