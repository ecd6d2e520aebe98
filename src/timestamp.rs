//! UTC timestamps without a date-time crate: the two conversions the config and AWS need.

// Howard Hinnant's days_from_civil / civil_from_days.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch as (year, month, day, hour, minute, second), UTC.
pub fn civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`, the one form timestamps are compared in.
pub fn format_utc(secs: i64) -> String {
    let (year, month, day, hour, minute, second) = civil(secs);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC, no offset) -> seconds since the epoch. None when it is not
/// that shape or a field is out of range.
pub fn parse_utc(s: &str) -> Option<i64> {
    if s.len() != 19 || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i64>().ok());
    match (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16), n(17..19)) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se))
            if (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && se < 60 =>
        {
            Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
        }
        _ => None,
    }
}

/// Seconds since the epoch now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format_round_trip() {
        for s in [
            "1970-01-01T00:00:00",
            "2026-11-30T08:00:00",
            "2030-02-28T23:59:59",
            "2024-02-29T12:30:05",
        ] {
            let t = parse_utc(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(format_utc(t), format!("{s}Z"));
        }
        for bad in [
            "2026-13-01T00:00:00",
            "2026-11-30 08:00:00",
            "2026-11-30T24:00:00",
            "2026-11-30T08:00",
            "é026-11-30T08:00:0",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
