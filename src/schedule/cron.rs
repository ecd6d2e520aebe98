//! AWS's six-field `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: the grammar,
//! and the search for the latest firing in a span of time, read in a time zone.
//!
//! The grammar is the EventBridge cron reference that the Application Auto Scaling user guide
//! points to (scheduled-scaling-using-cron-expressions.html, "Cron expressions reference"):
//!
//! | field        | values                     | wildcards        |
//! |--------------|----------------------------|------------------|
//! | Minutes      | 0-59                       | `, - * /`        |
//! | Hours        | 0-23                       | `, - * /`        |
//! | Day-of-month | 1-31                       | `, - * ? / L W`  |
//! | Month        | 1-12 or JAN-DEC            | `, - * /`        |
//! | Day-of-week  | 1-7 or SUN-SAT (1 = SUN)   | `, - * ? L #`    |
//! | Year         | 1970-2199                  | `, - * /`        |
//!
//! Exactly one of day-of-month and day-of-week is `?`. In day-of-month, `L` is the last day,
//! `LW` the last weekday and `nW` the weekday nearest day n, without leaving the month (a
//! day past the month's end counts as its last day). In day-of-week, `L` alone is Saturday
//! (the last day of the week), `nL` the last day n of the month and `n#k` the k-th day n of
//! the month. `L`, `W` and `#` stand alone in their field ("If you use a '#' character, you
//! can define only one expression in the day-of-week field"). Names are read in any case. A
//! range runs from low to high (no wrapping past the end of a field). Day-of-week takes no `/`:
//! the table above leaves it out, and AWS refuses it there.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

/// AWS cron: 1 = Sunday.
pub(crate) const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
/// The first and last years a cron year field takes.
const FIRST_YEAR: i64 = 1970;
const LAST_YEAR: i64 = 2199;

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: Set,
    hours: Set,
    days: Days,
    months: Set,
    /// Years as offsets from 1970.
    years: Set,
}

/// Which of day-of-month and day-of-week chooses the days (the other one is `?`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Days {
    OfMonth(DayOfMonth),
    OfWeek(DayOfWeek),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    Days(Set),
    /// `L`
    Last,
    /// `LW`
    LastWeekday,
    /// `nW`
    NearestWeekday(i8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    /// 1 = Sunday .. 7 = Saturday (`L` alone is 7).
    Days(Set),
    /// `nL`: the last day n of the month.
    Last(i8),
    /// `n#k`: the k-th day n of the month.
    Nth(i8, i8),
}

/// The values one cron field allows, as bits 0..256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Set([u64; 4]);

impl Set {
    fn insert(&mut self, v: i64) {
        if let Ok(v) = usize::try_from(v)
            && let Some(word) = self.0.get_mut(v / 64)
        {
            *word |= 1 << (v % 64);
        }
    }

    fn contains(&self, v: i64) -> bool {
        usize::try_from(v)
            .ok()
            .and_then(|v| self.0.get(v / 64).map(|word| word & (1 << (v % 64)) != 0))
            .unwrap_or(false)
    }

    /// The largest member at or below `v`.
    fn at_or_below(&self, v: i64) -> Option<i64> {
        (0..=v.min(255)).rev().find(|x| self.contains(*x))
    }

    #[cfg(test)]
    fn members(&self) -> impl DoubleEndedIterator<Item = i64> + '_ {
        (0..256).filter(|x| self.contains(*x))
    }
}

/// One field's name and the values it takes, for reading and for messages.
struct Field {
    name: &'static str,
    /// What the set holds for value v: v - base (years from 1970, so they fit).
    base: i64,
    lo: i64,
    hi: i64,
    names: &'static [&'static str],
    takes: &'static str,
}

const MINUTES: Field = Field {
    base: 0,
    name: "minutes",
    lo: 0,
    hi: 59,
    names: &[],
    takes: "0-59",
};
const HOURS: Field = Field {
    base: 0,
    name: "hours",
    lo: 0,
    hi: 23,
    names: &[],
    takes: "0-23",
};
const DAY_OF_MONTH: Field = Field {
    base: 0,
    name: "day-of-month",
    lo: 1,
    hi: 31,
    names: &[],
    takes: "1-31, L, LW or nW (the weekday nearest day n)",
};
const MONTH: Field = Field {
    base: 0,
    name: "month",
    lo: 1,
    hi: 12,
    names: &MONTHS,
    takes: "1-12 or JAN-DEC",
};
const DAY_OF_WEEK: Field = Field {
    base: 0,
    name: "day-of-week",
    lo: 1,
    hi: 7,
    names: &DAYS,
    takes: "1-7 or SUN-SAT (1 is Sunday), L, nL (the last day n of the month) or n#k (the k-th day n)",
};
const YEAR: Field = Field {
    base: FIRST_YEAR,
    name: "year",
    lo: FIRST_YEAR,
    hi: LAST_YEAR,
    names: &[],
    takes: "1970-2199",
};

impl Cron {
    /// The text between `cron(` and `)`. An error completes the sentence
    /// `schedule "cron(...)" ...`.
    pub fn parse(inner: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields[..] else {
            return Err(format!(
                "has {} fields; AWS cron needs 6: minutes hours day-of-month month day-of-week year",
                fields.len()
            ));
        };
        if (dom == "?") == (dow == "?") {
            return Err("must have `?` in exactly one of day-of-month and day-of-week".into());
        }
        let minutes = values(minutes, &MINUTES)?;
        let hours = values(hours, &HOURS)?;
        let of_month = (dow == "?").then(|| day_of_month(dom)).transpose()?;
        let months = values(month, &MONTH)?;
        let days = match of_month {
            Some(d) => Days::OfMonth(d),
            None => Days::OfWeek(day_of_week(dow)?),
        };
        let years = values(year, &YEAR)?;
        Ok(Cron {
            minutes,
            hours,
            days,
            months,
            years,
        })
    }

    /// Whether the cron's day rules (year, month, day-of-month or day-of-week) allow `d`.
    fn day_matches(&self, d: Date) -> bool {
        if !(self.years.contains(i64::from(d.year()) - FIRST_YEAR) && self.months.contains(d.month().into()))
        {
            return false;
        }
        let day = d.day();
        let weekday = d.weekday().to_sunday_one_offset();
        match &self.days {
            Days::OfMonth(DayOfMonth::Days(s)) => s.contains(day.into()),
            Days::OfMonth(DayOfMonth::Last) => day == d.days_in_month(),
            Days::OfMonth(DayOfMonth::LastWeekday) => day == nearest_weekday(d, d.days_in_month()),
            Days::OfMonth(DayOfMonth::NearestWeekday(n)) => day == nearest_weekday(d, *n),
            Days::OfWeek(DayOfWeek::Days(s)) => s.contains(weekday.into()),
            Days::OfWeek(DayOfWeek::Last(w)) => weekday == *w && day + 7 > d.days_in_month(),
            Days::OfWeek(DayOfWeek::Nth(w, k)) => weekday == *w && (day - 1) / 7 + 1 == *k,
        }
    }

    /// The latest firing in `lo..=hi` (epoch seconds), the fields read as wall-clock time in
    /// `tz`. Walks back day by day from `hi`, skipping years and months the cron excludes;
    /// within a day it goes straight to the latest allowed hour and minute. It stops at `lo`
    /// and at 1970 (the cron's first year), so it never walks more than the span asked for.
    ///
    /// A wall-clock time that does not exist (skipped by a daylight-saving change) runs as
    /// long after the change as it was meant to be after the previous whole offset (02:30 on
    /// the day clocks go from 02:00 to 03:00 runs at 03:30); one that occurs twice runs once,
    /// the first time. This is jiff's "compatible" disambiguation (RFC 5545, Temporal, Java's
    /// `ZonedDateTime.of`); AWS does not document what it does.
    pub(crate) fn latest(&self, tz: &TimeZone, lo: i64, hi: i64) -> Option<i64> {
        // The cron's years bound the walk; the slack of a day covers wall-clock times that
        // fall on the next date (a fold past midnight).
        let lo = lo.max(civil_start(FIRST_YEAR) - 2 * 86_400);
        let hi = hi.min(civil_start(LAST_YEAR + 1) + 2 * 86_400);
        if lo > hi {
            return None;
        }
        let date_of = |t: i64| Timestamp::from_second(t).ok().map(|ts| tz.to_datetime(ts).date());
        let last = date_of(hi)?.tomorrow().ok()?;
        let first = date_of(lo)?.yesterday().ok()?;
        for year in (first.year()..=last.year()).rev() {
            if !self.years.contains(i64::from(year) - FIRST_YEAR) {
                continue;
            }
            let top_month = if year == last.year() { last.month() } else { 12 };
            for month in (1..=top_month).rev() {
                if !self.months.contains(month.into()) {
                    continue;
                }
                let Ok(first_of_month) = Date::new(year, month, 1) else {
                    continue;
                };
                let top_day = if (year, month) == (last.year(), last.month()) {
                    last.day()
                } else {
                    first_of_month.days_in_month()
                };
                for day in (1..=top_day).rev() {
                    let Ok(date) = Date::new(year, month, day) else {
                        continue;
                    };
                    if date < first {
                        return None;
                    }
                    if self.day_matches(date)
                        && let Some(t) = self.latest_on(tz, date, lo, hi)
                    {
                        return Some(t);
                    }
                }
            }
        }
        None
    }

    /// The latest firing on the wall-clock date `date` within `lo..=hi`. The day's instants
    /// split at its daylight-saving changes into spans of one offset each; the latest span
    /// at or before `hi` that holds a firing holds the answer. In a span, wall-clock time is
    /// the instant plus the offset, so the latest allowed hour and minute is found directly.
    fn latest_on(&self, tz: &TimeZone, date: Date, lo: i64, hi: i64) -> Option<i64> {
        let instant = |t: i64| Timestamp::from_second(t).ok();
        let midnight = |d: Date| -> Option<i64> {
            Some(
                tz.to_ambiguous_timestamp(d.at(0, 0, 0, 0))
                    .compatible()
                    .ok()?
                    .as_second(),
            )
        };
        let offset = |t: i64| instant(t).map(|t| i64::from(tz.to_offset(t).seconds()));
        let (start, next) = (midnight(date)?, midnight(date.tomorrow().ok()?)?);
        // The wall clock's midnight, as if it were UTC: wall seconds of the day = t + offset - wall0.
        let wall0 = Offset::UTC.to_timestamp(date.at(0, 0, 0, 0)).ok()?.as_second();
        let mut spans = vec![start];
        spans.extend(
            tz.following(instant(start)?)
                .map(|t| t.timestamp().as_second())
                .take_while(|t| *t < next),
        );
        let hi = hi.min(next - 1);
        for (k, &from) in spans.iter().enumerate().rev() {
            if from > hi {
                continue;
            }
            let to = spans.get(k + 1).map_or(hi, |n| hi.min(n - 1));
            let (off, before) = (offset(from)?, offset(from - 1)?);
            // Clocks went back at `from`: its first (before - off) seconds repeat wall-clock
            // times that already ran, once, before it.
            let first = lo.max(from + (before - off).max(0));
            let mut best = self
                .latest_wall(first + off - wall0, to + off - wall0)
                .map(|w| w + wall0 - off);
            // Clocks went forward at `from`: the skipped wall-clock times run in its first
            // (off - before) seconds, as wall-clock time minus the offset before.
            if before < off {
                let (a, b) = (lo.max(from), to.min(from + off - before - 1));
                let skipped = self
                    .latest_wall(a + before - wall0, b + before - wall0)
                    .map(|w| w + wall0 - before);
                best = best.max(skipped);
            }
            if best.is_some() {
                return best;
            }
        }
        None
    }

    /// The latest allowed hour and minute, as seconds of the day, in `from..=to` (seconds of
    /// the day, clamped to the day).
    fn latest_wall(&self, from: i64, to: i64) -> Option<i64> {
        let (from, to) = (from.max(0), to.min(86_399));
        if from > to {
            return None;
        }
        let (top_hour, top_minute) = (to / 3600, to % 3600 / 60);
        let mut hour = self.hours.at_or_below(top_hour);
        while let Some(h) = hour {
            let minute = self
                .minutes
                .at_or_below(if h == top_hour { top_minute } else { 59 });
            if let Some(m) = minute {
                let t = h * 3600 + m * 60;
                return (t >= from).then_some(t);
            }
            hour = self.hours.at_or_below(h - 1);
        }
        None
    }
}

/// Epoch seconds of 1 January of `year`, UTC (for clamping only).
fn civil_start(year: i64) -> i64 {
    i16::try_from(year)
        .ok()
        .and_then(|y| Date::new(y, 1, 1).ok())
        .and_then(|d| Offset::UTC.to_timestamp(d.at(0, 0, 0, 0)).ok())
        .map_or(0, Timestamp::as_second)
}

/// The day of `d`'s month that is the weekday nearest day `n` (past the end: the last day),
/// without leaving the month.
fn nearest_weekday(d: Date, n: i8) -> i8 {
    let last = d.days_in_month();
    let day = n.clamp(1, last);
    match d.weekday().wrapping_add(day - d.day()).to_sunday_one_offset() {
        // Saturday: the Friday before, or the Monday after when that Friday is last month.
        7 if day > 1 => day - 1,
        7 => day + 2,
        // Sunday: the Monday after, or the Friday before when that Monday is next month.
        1 if day < last => day + 1,
        1 => day - 2,
        _ => day,
    }
}

/// Reads a number or a name of `field`.
fn value(text: &str, field: &Field) -> Option<i64> {
    if let Some(i) = field.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return i64::try_from(i).ok().map(|i| field.lo + i);
    }
    let digits = !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse::<i64>().ok())
        .flatten()
        .filter(|v| (field.lo..=field.hi).contains(v))
}

/// A list of values, ranges and steps (`*`, `a`, `a-b`, `a/n`, `*/n`, `a-b/n`).
fn values(text: &str, field: &Field) -> Result<Set, String> {
    let mut set = Set::default();
    for item in text.split(',') {
        let bad = || format!("has \"{item}\" in {}, which takes {}", field.name, field.takes);
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step = step.parse::<i64>().ok().filter(|s| *s >= 1).ok_or_else(|| {
                    format!(
                        "has \"{item}\" in {}; the step after / must be a whole number from 1",
                        field.name
                    )
                })?;
                (range, step)
            }
            None => (item, 1),
        };
        let (from, to) = match range {
            "*" => (field.lo, field.hi),
            r => match r.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (value(a, field).ok_or_else(bad)?, value(b, field).ok_or_else(bad)?);
                    if a > b {
                        return Err(format!(
                            "has \"{item}\" in {}; a range runs from low to high (write two ranges to wrap around)",
                            field.name
                        ));
                    }
                    (a, b)
                }
                None => {
                    let v = value(r, field).ok_or_else(bad)?;
                    (v, if item.contains('/') { field.hi } else { v })
                }
            },
        };
        let mut v = from;
        while v <= to {
            set.insert(v - field.base);
            v += step;
        }
    }
    Ok(set)
}

/// `L`, `LW`, `nW` or a list.
fn day_of_month(text: &str) -> Result<DayOfMonth, String> {
    let upper = text.to_ascii_uppercase();
    if upper == "L" {
        return Ok(DayOfMonth::Last);
    }
    if upper == "LW" {
        return Ok(DayOfMonth::LastWeekday);
    }
    if upper.contains(['L', 'W']) {
        if let Some(n) = upper.strip_suffix('W')
            && let Some(n) = value(n, &DAY_OF_MONTH).and_then(|n| i8::try_from(n).ok())
        {
            return Ok(DayOfMonth::NearestWeekday(n));
        }
        return Err(standalone(text, &DAY_OF_MONTH, "L and W"));
    }
    values(text, &DAY_OF_MONTH).map(DayOfMonth::Days)
}

/// `L`, `nL`, `n#k` or a list.
fn day_of_week(text: &str) -> Result<DayOfWeek, String> {
    let upper = text.to_ascii_uppercase();
    let day = |t: &str| value(t, &DAY_OF_WEEK).and_then(|d| i8::try_from(d).ok());
    if text.contains('/') {
        return Err(format!(
            "has \"{text}\" in day-of-week, which takes , - * ? L # but no / (list the days instead, as MON,WED,FRI)"
        ));
    }
    if upper == "L" {
        let mut saturday = Set::default();
        saturday.insert(7);
        return Ok(DayOfWeek::Days(saturday));
    }
    if let Some((d, k)) = upper.split_once('#') {
        let k = k.parse::<i8>().ok().filter(|k| (1..=5).contains(k));
        return match (day(d), k) {
            (Some(d), Some(k)) => Ok(DayOfWeek::Nth(d, k)),
            _ if text.contains(',') => Err(standalone(text, &DAY_OF_WEEK, "#")),
            _ => Err(format!(
                "has \"{text}\" in day-of-week; # takes a day 1-7 or SUN-SAT and an occurrence 1-5, as 2#1 (the first Monday)"
            )),
        };
    }
    if let Some(d) = upper.strip_suffix('L') {
        return day(d)
            .map(DayOfWeek::Last)
            .ok_or_else(|| standalone(text, &DAY_OF_WEEK, "L"));
    }
    values(text, &DAY_OF_WEEK).map(DayOfWeek::Days)
}

fn standalone(text: &str, field: &Field, what: &str) -> String {
    if text.contains(',') || (text.contains('-') && !text.starts_with('L')) {
        format!(
            "has \"{text}\" in {}; {what} must stand alone in the field, without lists or ranges",
            field.name
        )
    } else {
        format!("has \"{text}\" in {}, which takes {}", field.name, field.takes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(s: &str) -> Cron {
        Cron::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn utc(s: &str) -> i64 {
        crate::timestamp::parse_utc(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn fields_and_wildcards() {
        let c = cron("0/15 8-9,17 ? JAN,mar-MAY 2-6 2026-2030/2");
        assert_eq!(c.minutes.members().collect::<Vec<_>>(), [0, 15, 30, 45]);
        assert_eq!(c.hours.members().collect::<Vec<_>>(), [8, 9, 17]);
        assert_eq!(c.months.members().collect::<Vec<_>>(), [1, 3, 4, 5]);
        assert_eq!(
            c.years.members().map(|y| y + 1970).collect::<Vec<_>>(),
            [2026, 2028, 2030]
        );
        assert_eq!(
            cron("5/20 * * * ? *").minutes.members().collect::<Vec<_>>(),
            [5, 25, 45]
        );
        assert_eq!(
            cron("*/20 * * * ? *").minutes.members().collect::<Vec<_>>(),
            [0, 20, 40]
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = |s: &str| Cron::parse(s).expect_err(s);
        assert_eq!(e("60 8 * * ? *"), "has \"60\" in minutes, which takes 0-59");
        assert_eq!(
            e("0 8 * 13 ? *"),
            "has \"13\" in month, which takes 1-12 or JAN-DEC"
        );
        assert!(e("0 8 ? * 0 *").starts_with("has \"0\" in day-of-week, which takes 1-7 or SUN-SAT"));
        assert_eq!(e("0 8 * * ? 1969"), "has \"1969\" in year, which takes 1970-2199");
        assert_eq!(
            e("0 22-2 * * ? *"),
            "has \"22-2\" in hours; a range runs from low to high (write two ranges to wrap around)"
        );
        assert_eq!(
            e("0/0 8 * * ? *"),
            "has \"0/0\" in minutes; the step after / must be a whole number from 1"
        );
        assert_eq!(
            e("0 8 ? * 2#1,3 *"),
            "has \"2#1,3\" in day-of-week; # must stand alone in the field, without lists or ranges"
        );
        assert!(e("0 8 ? * 2#6 *").contains("an occurrence 1-5"));
        assert_eq!(
            e("0 8 L,15 * ? *"),
            "has \"L,15\" in day-of-month; L and W must stand alone in the field, without lists or ranges"
        );
        assert!(e("0 8 32W * ? *").starts_with("has \"32W\" in day-of-month, which takes"));
        assert!(e("? 8 * * MON *").starts_with("must have `?` in exactly one"));
        assert!(e("? 8 * * ? *").starts_with("has \"?\" in minutes"));
        assert!(e("0 8 * *").starts_with("has 4 fields"));
        assert_eq!(
            e("0 8 ? * 2/2 *"),
            "has \"2/2\" in day-of-week, which takes , - * ? L # but no / (list the days instead, as MON,WED,FRI)"
        );
        assert!(e("0 8 ? * */2 *").contains("but no /"));
        assert!(
            Cron::parse("0 0/2 1/3 * ? *").is_ok(),
            "/ stays fine in the other fields"
        );
    }

    /// Day rules on hand-checked dates of 2026.
    #[test]
    fn l_w_and_hash() {
        let days = |s: &str, y: i16, m: i8| -> Vec<i8> {
            let c = cron(s);
            (1..=Date::new(y, m, 1).unwrap().days_in_month())
                .filter(|d| c.day_matches(Date::new(y, m, *d).unwrap()))
                .collect()
        };
        // February 2026 has 28 days, the 28th a Saturday.
        assert_eq!(days("0 8 L * ? *", 2026, 2), [28]);
        assert_eq!(days("0 8 LW * ? *", 2026, 2), [27], "last weekday: Friday 27th");
        // 2026-08-01 is a Saturday: 1W does not leave the month, it is Monday the 3rd.
        assert_eq!(days("0 8 1W * ? *", 2026, 8), [3]);
        // 2026-03-15 is a Sunday: Monday 16th. 2026-02-14 is a Saturday: Friday 13th.
        assert_eq!(days("0 8 15W * ? *", 2026, 3), [16]);
        assert_eq!(days("0 8 14W * ? *", 2026, 2), [13]);
        // 31W in February: the last day, Saturday 28th -> Friday 27th.
        assert_eq!(days("0 8 31W * ? *", 2026, 2), [27]);
        // May 2026: 31 days, Friday the 1st. Last Friday: 29th; second Tuesday: 12th.
        assert_eq!(days("0 8 ? * 6L *", 2026, 5), [29]);
        assert_eq!(days("0 8 ? * FRIL *", 2026, 5), [29]);
        assert_eq!(days("0 8 ? * 3#2 *", 2026, 5), [12]);
        assert_eq!(days("0 8 ? * tue#2 *", 2026, 5), [12]);
        assert_eq!(days("0 8 ? * 6#5 *", 2026, 5), [29]);
        assert_eq!(
            days("0 8 ? * 2#5 *", 2026, 5),
            Vec::<i8>::new(),
            "no fifth Monday"
        );
        // `L` alone in day-of-week: Saturday.
        assert_eq!(days("0 8 ? * L *", 2026, 5), [2, 9, 16, 23, 30]);
        assert_eq!(days("0 8 ? * MON-FRI 2027", 2026, 5), Vec::<i8>::new());
    }

    #[test]
    fn latest_in_utc() {
        let c = cron("30 8 ? * MON-FRI *");
        // Monday 2026-11-30.
        let mon = utc("2026-11-30T08:30:00Z");
        assert_eq!(c.latest(&TimeZone::UTC, 0, mon), Some(mon));
        assert_eq!(
            c.latest(&TimeZone::UTC, 0, mon - 1),
            Some(utc("2026-11-27T08:30:00Z")),
            "Friday"
        );
        assert_eq!(c.latest(&TimeZone::UTC, mon - 1, mon - 1), None);
        assert_eq!(
            c.latest(&TimeZone::UTC, 0, mon + 86_400 * 2),
            Some(mon + 86_400 * 2)
        );
        // Never: 30 February. The walk stops at 1970 and finds nothing.
        assert_eq!(cron("0 0 30 2 ? *").latest(&TimeZone::UTC, i64::MIN, mon), None);
        // A year field in the past.
        assert_eq!(
            cron("0 12 L 12 ? 2020").latest(&TimeZone::UTC, i64::MIN, mon),
            Some(utc("2020-12-31T12:00:00Z"))
        );
    }

    /// The search agrees with a brute force over every minute of two days from a daylight
    /// saving change: Berlin (one hour), Lord Howe (half an hour), America/Santiago (at
    /// midnight) and UTC.
    #[test]
    fn latest_agrees_with_brute_force_around_changes() {
        let cases = [
            ("Europe/Berlin", "2026-03-29"),
            ("Europe/Berlin", "2026-10-25"),
            ("Australia/Lord_Howe", "2026-10-04"),
            ("America/Santiago", "2026-04-04"),
            ("America/Santiago", "2026-09-05"),
            ("UTC", "2026-02-28"),
        ];
        let expressions = ["0/15 * * * ? *", "30 2 * * ? *", "0,59 0,1,2,23 ? * * *"];
        for (zone, day) in cases {
            let tz = TimeZone::get(zone).unwrap();
            let day = day.parse::<Date>().unwrap();
            let midnight = |d: Date| {
                tz.to_ambiguous_timestamp(d.at(0, 0, 0, 0))
                    .compatible()
                    .unwrap()
                    .as_second()
            };
            // The change's day and the next one.
            let (lo, hi) = (
                midnight(day),
                midnight(day.tomorrow().unwrap().tomorrow().unwrap()),
            );
            for text in expressions {
                let c = cron(text);
                // Every run: each matching wall-clock minute from the day before to the day
                // after, resolved as `latest` documents.
                let mut runs = Vec::new();
                let mut d = day.yesterday().unwrap();
                for _ in 0..4 {
                    if c.day_matches(d) {
                        for h in c.hours.members() {
                            for m in c.minutes.members() {
                                let dt = d.at(h as i8, m as i8, 0, 0);
                                runs.push(tz.to_ambiguous_timestamp(dt).compatible().unwrap().as_second());
                            }
                        }
                    }
                    d = d.tomorrow().unwrap();
                }
                for minute in (lo..hi).step_by(60) {
                    let t = minute + 59;
                    let want = runs.iter().filter(|r| (lo..=t).contains(*r)).max().copied();
                    assert_eq!(c.latest(&tz, lo, t), want, "{zone} {text} at {t}");
                    let any = runs.iter().any(|r| (minute..=t).contains(r));
                    assert_eq!(
                        c.latest(&tz, minute, t).is_some(),
                        any,
                        "{zone} {text} at {minute}"
                    );
                }
            }
        }
    }
}
