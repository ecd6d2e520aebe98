//! Timestamps as the config, AWS and the command line write them, read and written with jiff:
//! UTC as `YYYY-MM-DDTHH:MM:SSZ`, wall-clock time as `YYYY-MM-DDTHH:MM:SS`.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`, the one form timestamps are compared in.
/// Beyond jiff's years -9999..=9999 it writes the nearest end of that range.
pub fn format_utc(secs: i64) -> String {
    let t = Timestamp::from_second(secs).unwrap_or(if secs < 0 { Timestamp::MIN } else { Timestamp::MAX });
    let dt = TimeZone::UTC.to_datetime(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` -> seconds since the epoch.
pub fn parse_utc(s: &str) -> Result<i64, String> {
    s.strip_suffix('Z')
        .and_then(parse_civil)
        .and_then(|dt| dt.to_zoned_datetime(TimeZone::UTC).ok())
        .map(|z| z.timestamp().as_second())
        .ok_or_else(|| format!("\"{s}\" is not yyyy-mm-ddThh:mm:ssZ"))
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
}
