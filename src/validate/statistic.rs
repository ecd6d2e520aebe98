//! CloudWatch's extended statistics, with the grammar the PutMetricAlarm API reference gives
//! for `ExtendedStatistic`: p90, tm90, tc90, ts90, wm90, IQM, PR(n:m) where n and m are
//! values of the metric, and TC/TM/TS/WM(X%:X%) where X is between 10 and 90 inclusive
//! (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
//! Percentiles go from p0.0 to p100 (DescribeAlarms, MetricAlarm ExtendedStatistic).
//! Target tracking's `MetricStat.Stat` takes "any CloudWatch statistic or extended statistic"
//! (TargetTrackingMetricStat), so the same grammar serves both.

/// Where a statistic goes: an alarm's ExtendedStatistic takes the narrower grammar of the
/// PutMetricAlarm reference; target tracking's MetricStat.Stat takes any CloudWatch
/// statistic, whose ranges may be open on one side and in absolute values or percentages
/// (CloudWatch user guide, "Statistics definitions": TM(2%:98%), TM(150:1000), TM(:95%)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    Alarm,
    MetricStat,
}

/// Why `s` is not an extended statistic; None when it is one.
pub fn extended_statistic_error(s: &str) -> Option<String> {
    statistic_error(s, Grammar::Alarm)
}

/// Why `s` is not an extended statistic in `grammar`; None when it is one.
pub fn statistic_error(s: &str, grammar: Grammar) -> Option<String> {
    if s == "IQM" {
        return None;
    }
    if let Some(error) = short_form_error(s) {
        return error;
    }
    let call = s
        .split_once('(')
        .and_then(|(f, rest)| Some((f, rest.strip_suffix(')')?)));
    let Some((function, args)) = call else {
        return Some(
            "expected Average, Sum, Minimum, Maximum, SampleCount, or an extended statistic such as p99, tm90, tc90, ts90, wm90, IQM, PR(n:m), TM(10%:90%)".into(),
        );
    };
    let Some((low, high)) = args.split_once(':') else {
        return Some(format!("{s}: write the range as (low:high)"));
    };
    range_error(s, function, low, high, grammar)
}

/// For a short form (`p90`, `tm99.9`, ...): why it is not a statistic, None when it is one.
/// None for anything else.
fn short_form_error(s: &str) -> Option<Option<String>> {
    for prefix in ["p", "tm", "tc", "ts", "wm"] {
        if let Some(n) = s.strip_prefix(prefix)
            && n.starts_with(|c: char| c.is_ascii_digit())
        {
            let lowest_excluded = prefix != "p";
            return Some(match number(n) {
                Some(x) if x <= 100.0 && !(lowest_excluded && x == 0.0) => None,
                Some(_) if lowest_excluded => Some(format!(
                    "{prefix}{n}: the percentage must be above 0 and at most 100"
                )),
                Some(_) => Some(format!("{prefix}{n}: the percentile must be within 0 to 100")),
                None => Some(format!(
                    "{prefix}{n}: `{n}` is not a plain number such as 90 or 99.9"
                )),
            });
        }
    }
    None
}

/// Why the range form `function(low:high)`, written `s`, is not a statistic in `grammar`;
/// None when it is one.
fn range_error(s: &str, function: &str, low: &str, high: &str, grammar: Grammar) -> Option<String> {
    match function {
        "PR" => {
            let value = |v: &str| (v.is_empty()).then_some(None).or_else(|| signed(v).map(Some));
            match (value(low), value(high)) {
                (Some(None), Some(None)) => Some(format!("{s}: give at least one bound")),
                (Some(Some(a)), Some(Some(b))) if a >= b => {
                    Some(format!("{s}: the low bound must be below the high one"))
                }
                (Some(_), Some(_)) => None,
                _ => Some(format!(
                    "{s}: the bounds must be values of the metric, such as PR(100:2000)"
                )),
            }
        }
        "TC" | "TM" | "TS" | "WM" if grammar == Grammar::MetricStat => {
            let bound = |v: &str| match v.strip_suffix('%') {
                Some(p) => number(p).filter(|x| (0.0..=100.0).contains(x)).map(|x| (true, x)),
                None => signed(v).map(|x| (false, x)),
            };
            let parse = |v: &str| (v.is_empty()).then_some(None).or_else(|| bound(v).map(Some));
            match (parse(low), parse(high)) {
                (Some(None), Some(None)) => Some(format!("{s}: give at least one bound")),
                (Some(Some((pa, a))), Some(Some((pb, b)))) if pa == pb && a >= b => {
                    Some(format!("{s}: the low bound must be below the high one"))
                }
                (Some(_), Some(_)) => None,
                _ => Some(format!(
                    "{s}: the bounds are percentages or values of the metric, such as {function}(10%:90%) or {function}(150:1000)"
                )),
            }
        }
        "TC" | "TM" | "TS" | "WM" => {
            let percent = |v: &str| {
                v.strip_suffix('%')
                    .and_then(number)
                    .filter(|x| (10.0..=90.0).contains(x))
            };
            match (percent(low), percent(high)) {
                (Some(a), Some(b)) if a < b => None,
                (Some(_), Some(_)) => Some(format!("{s}: the low percentage must be below the high one")),
                _ => Some(format!(
                    "{s}: CloudWatch alarms take {function}(X%:X%) with X between 10 and 90, such as {function}(10%:90%)"
                )),
            }
        }
        other => Some(format!(
            "{s}: `{other}` is not a CloudWatch statistic function (PR, TC, TM, TS, WM)"
        )),
    }
}

/// A plain decimal number: digits, optionally a point and more digits.
fn number(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    (!int.is_empty() && digits(int) && digits(frac) && !(s.ends_with('.'))).then(|| s.parse().ok())?
}

fn signed(s: &str) -> Option<f64> {
    match s.strip_prefix('-') {
        Some(rest) => number(rest).map(|x| -x),
        None => number(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_forms_are_accepted() {
        for s in [
            "p90",
            "p0.0",
            "p99.99",
            "p100",
            "tm90",
            "tc99.9",
            "ts50",
            "wm90",
            "IQM",
            "PR(100:2000)",
            "PR(:300)",
            "PR(-5:)",
            "TM(10%:90%)",
            "TC(25%:75%)",
            "TS(10%:90%)",
            "WM(10.5%:89%)",
        ] {
            assert_eq!(extended_statistic_error(s), None, "{s}");
        }
    }

    #[test]
    fn target_tracking_takes_open_and_absolute_ranges_that_alarms_refuse() {
        for s in [
            "TM(2%:98%)",
            "TM(150:1000)",
            "TM(:95%)",
            "WM(5%:)",
            "TC(0.005:0.030)",
        ] {
            assert_eq!(statistic_error(s, Grammar::MetricStat), None, "{s}");
            assert!(statistic_error(s, Grammar::Alarm).is_some(), "{s} on an alarm");
        }
        for s in ["TM(:)", "TM(90%:10%)", "TM(a:b)", "TM(101%:)"] {
            assert!(statistic_error(s, Grammar::MetricStat).is_some(), "{s}");
        }
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for (s, why) in [
            ("p101", "0 to 100"),
            ("p-1", "expected Average"),
            ("p9e1", "plain number"),
            ("p90.", "plain number"),
            ("tm0", "above 0"),
            ("iqm", "expected Average"),
            ("PR(:)", "at least one bound"),
            ("PR(300:100)", "below"),
            ("PR(a:b)", "values of the metric"),
            ("TM(5%:90%)", "between 10 and 90"),
            ("TM(10:90)", "between 10 and 90"),
            ("TM(90%:10%)", "below"),
            ("XX(10%:90%)", "not a CloudWatch statistic function"),
            ("TM(10%)", "(low:high)"),
            ("Avg", "expected Average"),
        ] {
            let e = extended_statistic_error(s).unwrap_or_default();
            assert!(e.contains(why), "{s}: {e}");
        }
    }
}
