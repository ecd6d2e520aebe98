//! When a scheduled action fires: `at(...)`, `rate(...)` and AWS's six-field `cron(...)`,
//! evaluated minute by minute in UTC.

use crate::model::ScheduledAction;
use crate::timestamp;

/// A schedule the simulator can evaluate, or why it cannot.
#[derive(Debug, Clone)]
pub enum When {
    At(i64),
    /// First firing and the interval, in seconds.
    Rate(i64, i64),
    Cron(Box<[Field; 6]>),
}

/// One cron field as the set of values it allows.
#[derive(Debug, Clone)]
pub struct Field(Vec<bool>);

impl When {
    /// `anchor`: where a `rate(...)` without a start time counts from (the simulation start).
    pub fn parse(s: &ScheduledAction, anchor: i64) -> Result<When, String> {
        let text = s.schedule.trim();
        if let Some(inner) = text.strip_prefix("at(").and_then(|t| t.strip_suffix(')')) {
            return parse_at(inner).map(When::At);
        }
        if let Some(inner) = text.strip_prefix("rate(").and_then(|t| t.strip_suffix(')')) {
            let mut parts = inner.split_whitespace();
            let n: i64 = parts
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("cannot read {text}"))?;
            let unit = match parts.next() {
                Some("minute" | "minutes") => 60,
                Some("hour" | "hours") => 3600,
                Some("day" | "days") => 86_400,
                _ => return Err(format!("cannot read {text}")),
            };
            let first = s
                .start_time
                .as_deref()
                .and_then(|t| parse_at(t.trim_end_matches('Z')).ok());
            return Ok(When::Rate(first.unwrap_or(anchor), n * unit));
        }
        if let Some(inner) = text.strip_prefix("cron(").and_then(|t| t.strip_suffix(')')) {
            let f: Vec<&str> = inner.split_whitespace().collect();
            if f.len() != 6 {
                return Err(format!("cannot read {text}"));
            }
            let fields = [
                field(f[0], 0, 59, &[])?,
                field(f[1], 0, 23, &[])?,
                field(f[2], 1, 31, &[])?,
                field(f[3], 1, 12, &MONTHS)?,
                field(f[4], 1, 7, &DAYS)?,
                field(f[5], 1970, 2199, &[])?,
            ];
            return Ok(When::Cron(Box::new(fields)));
        }
        Err(format!("cannot read {text}"))
    }

    /// Whether it fires in the minute starting at `t` (epoch seconds, a whole minute).
    pub fn fires(&self, t: i64) -> bool {
        match self {
            When::At(at) => *at == t,
            When::Rate(first, every) => t >= *first && (t - first) % every < 60,
            When::Cron(f) => {
                let (y, mo, d, h, mi, dow) = civil(t);
                let allowed = |field: &Field, v: i64, lo: i64| {
                    usize::try_from(v - lo).is_ok_and(|i| field.0.get(i).copied().unwrap_or(false))
                };
                allowed(&f[0], mi, 0)
                    && allowed(&f[1], h, 0)
                    && allowed(&f[3], mo, 1)
                    && allowed(&f[5], y, 1970)
                    // One of day-of-month and day-of-week is `?` (always true).
                    && allowed(&f[2], d, 1)
                    && allowed(&f[4], dow, 1)
            }
        }
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
/// AWS cron: 1 = Sunday.
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn field(text: &str, lo: i64, hi: i64, names: &[&str]) -> Result<Field, String> {
    let mut allowed = vec![false; usize::try_from(hi - lo + 1).unwrap_or(0)];
    let value = |s: &str| -> Result<i64, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(lo + i as i64);
        }
        s.parse::<i64>()
            .ok()
            .filter(|v| (lo..=hi).contains(v))
            .ok_or_else(|| format!("cron value \"{s}\" is not simulated (L, W and # are not)"))
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<i64>().map_err(|_| format!("cron step \"{s}\""))?),
            None => (part, 1),
        };
        let (a, b) = match range {
            "*" | "?" => (lo, hi),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, hi),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        let mut v = a;
        while v <= b {
            if let Some(slot) = usize::try_from(v - lo).ok().and_then(|i| allowed.get_mut(i)) {
                *slot = true;
            }
            v += step.max(1);
        }
    }
    Ok(Field(allowed))
}

/// `yyyy-mm-ddThh:mm:ssZ` -> epoch seconds.
pub fn parse_utc(s: &str) -> Result<i64, String> {
    s.strip_suffix('Z')
        .and_then(timestamp::parse_utc)
        .ok_or_else(|| format!("\"{s}\" is not yyyy-mm-ddThh:mm:ssZ"))
}

/// `yyyy-mm-ddThh:mm:ss` (UTC) -> epoch seconds.
fn parse_at(s: &str) -> Result<i64, String> {
    timestamp::parse_utc(s).ok_or_else(|| format!("cannot read the time \"{s}\""))
}

/// (year, month, day, hour, minute, AWS day of week 1 = Sunday) of epoch seconds, UTC.
fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (y, mo, d, h, mi, _) = timestamp::civil(t);
    // 1970-01-01 was a Thursday (AWS 5).
    let dow = (t.div_euclid(86_400) + 4).rem_euclid(7) + 1;
    (y, mo, d, h, mi, dow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(schedule: &str) -> ScheduledAction {
        ScheduledAction {
            name: "s".into(),
            schedule: schedule.into(),
            timezone: None,
            start_time: None,
            end_time: None,
            min_capacity: Some(1),
            max_capacity: None,
        }
    }

    const MON_2026_11_30: i64 = 1_795_996_800;

    #[test]
    fn cron_weekdays_at_eight() {
        let w = When::parse(&action("cron(0 8 ? * MON-FRI *)"), 0).unwrap();
        assert!(w.fires(MON_2026_11_30 + 8 * 3600));
        assert!(!w.fires(MON_2026_11_30 + 8 * 3600 + 60));
        assert!(!w.fires(MON_2026_11_30 - 86_400 + 8 * 3600), "Sunday");
        assert!(w.fires(MON_2026_11_30 + 4 * 86_400 + 8 * 3600), "Friday");
    }

    #[test]
    fn rate_and_at() {
        let r = When::parse(&action("rate(2 hours)"), MON_2026_11_30).unwrap();
        assert!(r.fires(MON_2026_11_30));
        assert!(r.fires(MON_2026_11_30 + 7200));
        assert!(!r.fires(MON_2026_11_30 + 3600));
        let a = When::parse(&action("at(2026-11-30T12:30:00)"), 0).unwrap();
        assert!(a.fires(MON_2026_11_30 + 12 * 3600 + 1800));
        assert!(!a.fires(MON_2026_11_30 + 12 * 3600));
    }

    #[test]
    fn unsimulated_cron_features_are_named() {
        let e = When::parse(&action("cron(0 8 L * ? *)"), 0).unwrap_err();
        assert!(e.contains("L, W and #"), "{e}");
    }
}
