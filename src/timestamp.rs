//! Timestamps as the config, AWS and the command line write them, read and written with jiff:
//! UTC as `YYYY-MM-DDTHH:MM:SSZ`, wall-clock time as `YYYY-MM-DDTHH:MM:SS`.

use jiff::Timestamp;
use jiff::civil::DateTime;

/// The last second a timestamp of the config (and AWS's `date-time`) can name.
pub const LAST_SECOND: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`, the one form timestamps are compared in.
/// Beyond the years -9999..=9999 it writes the nearest end of that range. Computed by hand:
/// jiff's `Timestamp` ends at 9999-12-30T22:00Z, a day short of the last UTC time (an `end_time`
/// of 9999-12-31T23:59:59Z is valid on AWS).
pub fn format_utc(secs: i64) -> String {
    const FIRST_SECOND: i64 = -377_705_116_800; // -9999-01-01T00:00:00Z
    let secs = secs.clamp(FIRST_SECOND, LAST_SECOND);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` -> seconds since the epoch.
pub fn parse_utc(s: &str) -> Result<i64, String> {
    s.strip_suffix('Z')
        .and_then(parse_civil)
        .map(utc_seconds)
        .ok_or_else(|| format!("\"{s}\" is not yyyy-mm-ddThh:mm:ssZ"))
}

/// A wall-clock date and time read as UTC -> seconds since the epoch, for every year jiff's
/// civil types hold (-9999..=9999).
pub fn utc_seconds(dt: DateTime) -> i64 {
    let days = days_from_civil(i64::from(dt.year()), i64::from(dt.month()), i64::from(dt.day()));
    days * 86_400 + i64::from(dt.hour()) * 3600 + i64::from(dt.minute()) * 60 + i64::from(dt.second())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible
/// Low-Level Date Algorithms", days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil` (civil_from_days of the same paper).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DDTHH:MM:SS` (no offset) -> a wall-clock date and time. None when it is not that
/// shape or names a date or time that does not exist (2026-02-29, 24:00:00).
pub fn parse_civil(s: &str) -> Option<DateTime> {
    let shape = s.len() == 19
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i8>().ok());
    let year = s.get(0..4)?.parse::<i16>().ok()?;
    DateTime::new(year, n(5..7)?, n(8..10)?, n(11..13)?, n(14..16)?, n(17..19)?, 0).ok()
}

/// Seconds since the epoch now.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format_round_trip() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2026-11-30T08:00:00Z",
            "2030-02-28T23:59:59Z",
            "2024-02-29T12:30:05Z",
        ] {
            let t = parse_utc(s).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(format_utc(t), s);
        }
        assert_eq!(parse_utc("1970-01-02T00:00:01Z"), Ok(86_401));
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-30 08:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T08:00Z",
            "2026-11-30T08:00:00",
            "2026-11-30T08:00:00+01:00",
            "é026-11-30T08:00:0Z",
            "+026-11-30T08:00:00Z",
        ] {
            assert!(parse_utc(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_utc("x").unwrap_err(), "\"x\" is not yyyy-mm-ddThh:mm:ssZ");
    }

    /// jiff's Timestamp stops at 9999-12-30T22:00Z; AWS takes the whole of year 9999.
    #[test]
    fn the_last_second_of_9999_reads_and_writes() {
        assert_eq!(parse_utc("9999-12-31T23:59:59Z"), Ok(LAST_SECOND));
        assert_eq!(format_utc(LAST_SECOND), "9999-12-31T23:59:59Z");
        assert_eq!(format_utc(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(format_utc(i64::MIN), "-9999-01-01T00:00:00Z");
        // Agrees with jiff wherever jiff reaches.
        for secs in [
            -62_135_596_800,
            -1,
            0,
            951_782_400,
            1_700_000_000,
            253_402_207_200,
        ] {
            let t = Timestamp::from_second(secs).expect("in jiff's range");
            assert_eq!(
                format_utc(secs),
                t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "{secs}"
            );
        }
    }
}
