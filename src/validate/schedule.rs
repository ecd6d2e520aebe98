//! `[[endpoint.schedule]]` -> a scheduled action, with AWS's schedule expression rules.

use super::{int_in, names, required};
use crate::config::raw::{Located, RawSchedule};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::ScheduledAction;
use crate::timestamp::{days_from_civil, format_utc};

pub fn validate(s: &RawSchedule, d: &mut Diagnostics) -> Option<ScheduledAction> {
    let name = required(&s.name, "name", &s.origin, "[[endpoint.schedule]]", d)?;
    let what = format!("scheduled action `{}`", name.value);
    let name_ok = match names::scheduled_action_name(&name.value) {
        Some(why) => {
            d.push(Diagnostic::error(
                "invalid-name",
                &name.origin,
                format!("scheduled action name {why}"),
            ));
            false
        }
        None => true,
    };
    let schedule = required(&s.schedule, "schedule", &s.origin, &what, d).and_then(|e| expression(e, d));
    let timezone = s.timezone.as_ref().map(|tz| timezone(tz, d));
    let start = s.start_time.as_ref().map(|t| timestamp(t, "start_time", d));
    let end = s.end_time.as_ref().map(|t| timestamp(t, "end_time", d));
    if let (Some(Some((a, _))), Some(Some((b, _))), Some(end_field)) = (&start, &end, &s.end_time)
        && b <= a
    {
        d.push(Diagnostic::error(
            "schedule-window",
            &end_field.origin,
            "end_time must be after start_time",
        ));
    }
    let cap = |f: &Option<Located<i64>>, key: &str, d: &mut Diagnostics| match f {
        Some(v) => int_in(v, key, 0, i64::from(i32::MAX), d).map(Some),
        None => Some(None),
    };
    let min = cap(&s.min_capacity, "min_capacity", d);
    let max = cap(&s.max_capacity, "max_capacity", d);
    match (min, max) {
        (Some(None), Some(None)) => d.push(
            Diagnostic::error(
                "schedule-capacity",
                &s.origin,
                format!("{what} sets neither `min_capacity` nor `max_capacity`"),
            )
            .help("set one or both; that is all a scheduled action can change"),
        ),
        (Some(Some(lo)), Some(Some(hi))) if lo > hi => {
            if let Some(f) = &s.min_capacity {
                d.push(Diagnostic::error(
                    "min-above-max",
                    &f.origin,
                    format!("min_capacity ({lo}) is greater than max_capacity ({hi})"),
                ));
            }
        }
        _ => {}
    }
    let timezone = match timezone {
        Some(Some(tz)) => Some(tz),
        Some(None) => return None,
        None => None,
    };
    let start_time = match start {
        Some(Some((_, text))) => Some(text),
        Some(None) => return None,
        None => None,
    };
    let end_time = match end {
        Some(Some((_, text))) => Some(text),
        Some(None) => return None,
        None => None,
    };
    if !name_ok {
        return None;
    }
    Some(ScheduledAction {
        name: name.value.clone(),
        schedule: schedule?,
        timezone,
        start_time,
        end_time,
        min_capacity: min?,
        max_capacity: max?,
    })
}

/// `at(yyyy-mm-ddThh:mm:ss)`, `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)`.
fn expression(e: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    let text = e.value.trim();
    let problem = if let Some(inner) = text.strip_prefix("at(").and_then(|t| t.strip_suffix(')')) {
        at(inner)
    } else if let Some(inner) = text.strip_prefix("rate(").and_then(|t| t.strip_suffix(')')) {
        rate(inner)
    } else if let Some(inner) = text.strip_prefix("cron(").and_then(|t| t.strip_suffix(')')) {
        cron(inner)
    } else {
        Some("must be at(...), rate(...) or cron(...)".to_string())
    };
    match problem {
        Some(why) => {
            d.push(
                Diagnostic::error(
                    "schedule-expression",
                    &e.origin,
                    format!("schedule \"{}\" {why}", e.value),
                )
                .help("e.g. \"cron(0 8 ? * MON-FRI *)\", \"rate(6 hours)\" or \"at(2026-12-24T18:00:00)\""),
            );
            None
        }
        None => Some(text.to_string()),
    }
}

fn at(inner: &str) -> Option<String> {
    let ok = inner.len() == 19
        && inner
            .parse::<toml::value::Datetime>()
            .is_ok_and(|dt| dt.date.is_some() && dt.time.is_some() && dt.offset.is_none())
        && inner.as_bytes()[10] == b'T';
    (!ok).then(|| "needs a date and time as yyyy-mm-ddThh:mm:ss (no offset; set `timezone`)".into())
}

fn rate(inner: &str) -> Option<String> {
    let mut parts = inner.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Some("needs a number and a unit, as rate(5 minutes)".into());
    };
    if !n.parse::<u32>().is_ok_and(|n| n > 0) {
        return Some(format!("has \"{n}\" where a positive whole number belongs"));
    }
    if !matches!(unit, "minute" | "minutes" | "hour" | "hours" | "day" | "days") {
        return Some(format!("has unit \"{unit}\"; use minute(s), hour(s) or day(s)"));
    }
    None
}

fn cron(inner: &str) -> Option<String> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    if fields.len() != 6 {
        return Some(format!(
            "has {} fields; AWS cron needs 6: minutes hours day-of-month month day-of-week year",
            fields.len()
        ));
    }
    let (dom, dow) = (fields[2], fields[4]);
    if (dom == "?") == (dow == "?") {
        return Some("must have `?` in exactly one of day-of-month and day-of-week".into());
    }
    None
}

/// IANA names like "Europe/Berlin" or "UTC". Without a time zone database only the shape is
/// checked; AWS rejects unknown names at apply time.
fn timezone(tz: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    let ok = !tz.value.is_empty()
        && tz.value.len() <= 64
        && tz.value.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        });
    if ok {
        return Some(tz.value.clone());
    }
    d.push(
        Diagnostic::error(
            "invalid-timezone",
            &tz.origin,
            format!("\"{}\" is not an IANA time zone name", tz.value),
        )
        .help("e.g. \"UTC\", \"Europe/Berlin\", \"America/New_York\""),
    );
    None
}

/// RFC 3339 with an offset -> (seconds since the epoch, `YYYY-MM-DDTHH:MM:SSZ`).
fn timestamp(t: &Located<String>, key: &str, d: &mut Diagnostics) -> Option<(i64, String)> {
    let parsed = t.value.parse::<toml::value::Datetime>().ok();
    let Some(dt) = parsed else {
        d.push(
            Diagnostic::error(
                "invalid-time",
                &t.origin,
                format!("`{key}` \"{}\" is not an RFC 3339 date-time", t.value),
            )
            .help(format!("e.g. `{key} = 2026-12-24T18:00:00Z`")),
        );
        return None;
    };
    let (Some(date), Some(time), Some(offset)) = (dt.date, dt.time, dt.offset) else {
        d.push(
            Diagnostic::error(
                "invalid-time",
                &t.origin,
                format!("`{key}` needs a date, a time and an offset"),
            )
            .help(format!("add `Z` for UTC, e.g. `{key} = 2026-12-24T18:00:00Z`")),
        );
        return None;
    };
    let offset_minutes = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i64::from(minutes),
    };
    let days = days_from_civil(i64::from(date.year), i64::from(date.month), i64::from(date.day));
    let secs = days * 86_400
        + i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second.unwrap_or(0))
        - offset_minutes * 60;
    Some((secs, format_utc(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Origin;

    fn ts(s: &str) -> Option<(i64, String)> {
        timestamp(
            &Located::new(s.into(), Origin::Default),
            "t",
            &mut Diagnostics::default(),
        )
    }

    #[test]
    fn timestamps_normalise_to_utc() {
        assert_eq!(
            ts("1970-01-01T00:00:00Z"),
            Some((0, "1970-01-01T00:00:00Z".into()))
        );
        assert_eq!(
            ts("2026-03-01T01:30:00+02:00").map(|t| t.1),
            Some("2026-02-28T23:30:00Z".into())
        );
        assert_eq!(
            ts("2024-02-29T12:00:00Z").map(|t| t.1),
            Some("2024-02-29T12:00:00Z".into())
        );
        assert_eq!(ts("2026-12-24T18:00:00"), None, "no offset");
    }

    #[test]
    fn expressions() {
        assert_eq!(cron("0 8 ? * MON-FRI *"), None);
        assert!(cron("0 8 * * MON-FRI *").is_some());
        assert!(cron("0 8 * *").is_some());
        assert_eq!(rate("1 hour"), None);
        assert!(rate("0 hours").is_some());
        assert!(rate("5 weeks").is_some());
        assert_eq!(at("2026-12-24T18:00:00"), None);
        assert!(at("2026-12-24 18:00").is_some());
    }
}
