//! `[[endpoint.schedule]]` -> a scheduled action, with AWS's schedule expression rules.

use super::{int_in, names, required};
use crate::config::raw::{Located, RawSchedule};
use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::model::ScheduledAction;
use crate::schedule::{Expression, time_zone};
use crate::timestamp::{LAST_SECOND, format_utc, utc_seconds};

pub fn validate(s: &RawSchedule, d: &mut Diagnostics) -> Option<ScheduledAction> {
    let name = required(&s.name, "name", &s.origin, "[[endpoint.schedule]]", d)?;
    let what = format!("scheduled action `{}`", name.value);
    let name_ok = name_ok(name, d);
    let schedule = required(&s.schedule, "schedule", &s.origin, &what, d).and_then(|e| expression(e, d));
    let timezone = s.timezone.as_ref().map(|tz| timezone(tz, d));
    let start = s.start_time.as_ref().map(|t| timestamp(t, "start_time", d));
    let end = s.end_time.as_ref().map(|t| timestamp(t, "end_time", d));
    if let (Some(Some((a, _))), Some(Some((b, _))), Some(end_field)) = (&start, &end, &s.end_time)
        && b <= a
    {
        d.push(Diagnostic::new(
            &codes::SCHEDULE_WINDOW,
            &end_field.origin,
            "end_time must be after start_time",
        ));
    }
    let (min, max) = capacities(s, &what, d);
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

/// Whether the name is one AWS accepts (an error if not).
fn name_ok(name: &Located<String>, d: &mut Diagnostics) -> bool {
    match names::scheduled_action_name(&name.value) {
        Some(why) => {
            d.push(Diagnostic::new(
                &codes::INVALID_NAME,
                &name.origin,
                format!("scheduled action name {why}"),
            ));
            false
        }
        None => true,
    }
}

/// `min_capacity` and `max_capacity` (None: a bad value; Some(None): not set): at least one,
/// in range, min not above max.
fn capacities(
    s: &RawSchedule,
    what: &str,
    d: &mut Diagnostics,
) -> (Option<Option<i32>>, Option<Option<i32>>) {
    let cap = |f: &Option<Located<i64>>, key: &str, d: &mut Diagnostics| match f {
        Some(v) => int_in(v, key, 0, i64::from(i32::MAX), d).map(Some),
        None => Some(None),
    };
    let min = cap(&s.min_capacity, "min_capacity", d);
    let max = cap(&s.max_capacity, "max_capacity", d);
    match (min, max) {
        (Some(None), Some(None)) => d.push(
            Diagnostic::new(
                &codes::SCHEDULE_CAPACITY,
                &s.origin,
                format!("{what} sets neither `min_capacity` nor `max_capacity`"),
            )
            .help("set one or both; that is all a scheduled action can change"),
        ),
        (Some(Some(lo)), Some(Some(hi))) if lo > hi => {
            if let Some(f) = &s.min_capacity {
                d.push(Diagnostic::new(
                    &codes::MIN_ABOVE_MAX,
                    &f.origin,
                    format!("min_capacity ({lo}) is greater than max_capacity ({hi})"),
                ));
            }
        }
        _ => {}
    }
    (min, max)
}

/// `at(yyyy-mm-ddThh:mm:ss)`, `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)`,
/// read by the evaluator that plan and simulate use (`crate::schedule`), so the grammar is
/// stated once.
fn expression(e: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    match Expression::parse(&e.value) {
        Ok(_) => Some(e.value.trim().to_string()),
        Err(why) => {
            d.push(
                Diagnostic::new(
                    &codes::SCHEDULE_EXPRESSION,
                    &e.origin,
                    format!("schedule \"{}\" {why}", e.value),
                )
                .help("e.g. \"cron(0 8 ? * MON-FRI *)\", \"rate(6 hours)\" or \"at(2026-12-24T18:00:00)\""),
            );
            None
        }
    }
}

/// IANA names like "Europe/Berlin" or "UTC", looked up in the time zone database bundled
/// with the binary (the one the schedule evaluator reads them with).
fn timezone(tz: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    match time_zone(Some(&tz.value)) {
        Ok(_) => Some(tz.value.clone()),
        Err(why) => {
            d.push(
                Diagnostic::new(&codes::INVALID_TIMEZONE, &tz.origin, why)
                    .help("e.g. \"UTC\", \"Europe/Berlin\", \"America/New_York\""),
            );
            None
        }
    }
}

/// RFC 3339 with an offset -> (seconds since the epoch, `YYYY-MM-DDTHH:MM:SSZ`).
fn timestamp(t: &Located<String>, key: &str, d: &mut Diagnostics) -> Option<(i64, String)> {
    let not_a_time = |d: &mut Diagnostics| {
        d.push(
            Diagnostic::new(
                &codes::INVALID_TIME,
                &t.origin,
                format!("`{key}` \"{}\" is not an RFC 3339 date-time", t.value),
            )
            .help(format!("e.g. `{key} = 2026-12-24T18:00:00Z`")),
        );
    };
    let Ok(dt) = t.value.parse::<toml::value::Datetime>() else {
        not_a_time(d);
        return None;
    };
    if dt.date.is_none() || dt.time.is_none() || dt.offset.is_none() {
        d.push(
            Diagnostic::new(
                &codes::INVALID_TIME,
                &t.origin,
                format!("`{key}` needs a date, a time and an offset"),
            )
            .help(format!("add `Z` for UTC, e.g. `{key} = 2026-12-24T18:00:00Z`")),
        );
        return None;
    }
    let (Some(date), Some(time), Some(offset)) = (dt.date, dt.time, dt.offset) else {
        not_a_time(d);
        return None;
    };
    // By hand rather than through jiff's Timestamp, which ends on 9999-12-30 (AWS takes an
    // end_time of 9999-12-31T23:59:59Z). jiff's civil DateTime checks the date (no 30 February).
    let Ok(civil) = jiff::civil::DateTime::new(
        i16::try_from(date.year).unwrap_or(i16::MAX),
        i8::try_from(date.month).unwrap_or(0),
        i8::try_from(date.day).unwrap_or(0),
        i8::try_from(time.hour).unwrap_or(-1),
        i8::try_from(time.minute).unwrap_or(-1),
        // A leap second (:60) is the second before the next minute, as RFC 3339 readers take it.
        i8::try_from(time.second.unwrap_or(0).min(59)).unwrap_or(-1),
        0,
    ) else {
        not_a_time(d);
        return None;
    };
    let minutes = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i64::from(minutes),
    };
    let secs = utc_seconds(civil) - minutes * 60;
    if secs > LAST_SECOND {
        d.push(
            Diagnostic::new(
                &codes::INVALID_TIME,
                &t.origin,
                format!(
                    "`{key}` \"{}\" is after 9999-12-31T23:59:59Z, the last time AWS takes",
                    t.value
                ),
            )
            .help(format!("e.g. `{key} = 9999-12-31T23:59:59Z`")),
        );
        return None;
    }
    Some((secs, format_utc(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Origin;

    fn ts(s: &str) -> Option<(i64, String)> {
        timestamp(
            &Located::new(s.into(), Origin::Unlocated),
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
        assert_eq!(
            ts("9999-12-31T23:59:59Z").map(|t| t.1),
            Some("9999-12-31T23:59:59Z".into()),
            "AWS takes the last second of year 9999"
        );
        assert_eq!(ts("9999-12-31T23:59:59-01:00"), None, "past the last UTC second");
        assert_eq!(ts("2026-02-30T00:00:00Z"), None, "no 30 February");
    }

    /// Every message keeps the wording it had before the grammar moved to `crate::schedule`.
    #[test]
    fn expressions() {
        let problem = |text: &str| {
            let mut d = Diagnostics::default();
            let kept = expression(&Located::new(text.into(), Origin::Unlocated), &mut d);
            let messages: Vec<String> = d.into_sorted().into_iter().map(|d| d.message).collect();
            assert_eq!(kept.is_none(), messages.len() == 1, "{text}: {messages:?}");
            messages.into_iter().next()
        };
        let cases: &[(&str, Option<&str>)] = &[
            ("cron(0 8 ? * MON-FRI *)", None),
            (" cron(0 8 L * ? *) ", None),
            (
                "cron(0 8 * * MON-FRI *)",
                Some(
                    "schedule \"cron(0 8 * * MON-FRI *)\" must have `?` in exactly one of day-of-month and day-of-week",
                ),
            ),
            (
                "cron(0 8 * *)",
                Some(
                    "schedule \"cron(0 8 * *)\" has 4 fields; AWS cron needs 6: minutes hours day-of-month month day-of-week year",
                ),
            ),
            (
                "cron(0 25 * * ? *)",
                Some("schedule \"cron(0 25 * * ? *)\" has \"25\" in hours, which takes 0-23"),
            ),
            ("rate(1 hour)", None),
            (
                "rate(0 hours)",
                Some("schedule \"rate(0 hours)\" has \"0\" where a positive whole number belongs"),
            ),
            (
                "rate(5 weeks)",
                Some("schedule \"rate(5 weeks)\" has unit \"weeks\"; use minute(s), hour(s) or day(s)"),
            ),
            (
                "rate(5)",
                Some("schedule \"rate(5)\" needs a number and a unit, as rate(5 minutes)"),
            ),
            ("at(2026-12-24T18:00:00)", None),
            (
                "at(2026-12-24 18:00)",
                Some(
                    "schedule \"at(2026-12-24 18:00)\" needs a date and time as yyyy-mm-ddThh:mm:ss (no offset; set `timezone`)",
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(problem(text).as_deref(), *expected, "{text}");
        }
        assert!(problem("at(2026-02-30T18:00:00)").is_some(), "no 30 February");
        assert_eq!(
            problem("every day").as_deref(),
            Some("schedule \"every day\" must be at(...), rate(...) or cron(...)")
        );
    }

    #[test]
    fn time_zones_come_from_the_database() {
        let check = |name: &str| {
            let mut d = Diagnostics::default();
            let kept = timezone(&Located::new(name.into(), Origin::Unlocated), &mut d);
            (kept, d.into_sorted().into_iter().map(|d| d.message).next())
        };
        assert_eq!(check("Europe/Berlin"), (Some("Europe/Berlin".into()), None));
        assert_eq!(check("UTC"), (Some("UTC".into()), None));
        assert_eq!(
            check("Europe Berlin").1.as_deref(),
            Some("\"Europe Berlin\" is not an IANA time zone name")
        );
        assert_eq!(
            check("Mars/Olympus_Mons").1.as_deref(),
            Some("\"Mars/Olympus_Mons\" is not an IANA time zone name")
        );
        assert_eq!(
            check("europe/berlin").1.as_deref(),
            Some(
                "\"europe/berlin\" is not an IANA time zone name; the time zone database spells it \"Europe/Berlin\""
            )
        );
    }
}
