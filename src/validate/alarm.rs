//! The CloudWatch alarm of a step policy, with PutMetricAlarm's rules.

use super::metric::{EndpointContext, dimensions, metric_text};
use super::names::MetricField;
use super::statistic::extended_statistic_error;
use super::{int_in, names};
use crate::config::raw::{Located, RawAlarm};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::{Keyword, MetricStatistic, TreatMissingData};
use crate::model::{Alarm, AlarmStatistic, Scaled};
use crate::suggest::did_you_mean;

const WEEK: i64 = 7 * 24 * 3600;
const DAY: i64 = 24 * 3600;

/// The alarm, and where its name came from.
pub fn validate(
    a: &Located<RawAlarm>,
    policy: &str,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<(Alarm, Origin)> {
    let raw = &a.value;
    let name = name(a, policy, ctx, d);
    missing_keys(a, d);
    let metric = raw
        .metric
        .as_ref()
        .and_then(|m| metric_text(m, MetricField::Name, false, d));
    let namespace = raw
        .namespace
        .as_ref()
        .and_then(|n| metric_text(n, MetricField::Namespace, false, d));
    let statistic = raw.statistic.as_ref().and_then(|s| statistic(s, d));
    let period = raw.period.as_ref().and_then(|p| period(p, d));
    let evaluation = raw
        .evaluation_periods
        .as_ref()
        .and_then(|e| int_in(e, "evaluation_periods", 1, WEEK / 10, d));
    let threshold = raw.threshold.as_ref().and_then(|t| threshold(t, d));
    let comparison = raw.comparison.as_ref().map(|c| c.value);

    if let (Some(p), Some(n), Some(field)) = (period, evaluation, &raw.evaluation_periods) {
        check_window(p, n, &field.origin, d);
    }
    let datapoints = match (&raw.datapoints_to_alarm, evaluation) {
        (Some(m), Some(n)) => int_in(m, "datapoints_to_alarm", 1, i64::from(n), d),
        (None, n) => n,
        (Some(_), None) => None,
    };
    if let (Some(ns), Some(m), Some(field)) = (&namespace, &metric, &raw.metric) {
        super::metric::summed_across_cores(ns, m, &field.origin, None, d);
    }
    let dims = match (&namespace, &metric) {
        (Some(ns), Some(m)) => dimensions(&raw.dimensions, ns, m, ctx, d),
        _ => None,
    };
    Some((
        Alarm {
            name: name.value,
            metric_name: metric?,
            namespace: namespace?,
            statistic: statistic?,
            dimensions: dims?,
            period: period?,
            evaluation_periods: evaluation?,
            datapoints_to_alarm: datapoints?,
            threshold: threshold?,
            comparison: comparison?,
            treat_missing_data: raw
                .treat_missing_data
                .as_ref()
                .map_or(TreatMissingData::Missing, |t| t.value),
        },
        name.origin,
    ))
}

/// The alarm's name (by default `<endpoint>-<variant>-<policy>`, or
/// `<component>-<policy>`), checked against CloudWatch's rules.
fn name(a: &Located<RawAlarm>, policy: &str, ctx: &EndpointContext, d: &mut Diagnostics) -> Located<String> {
    let raw = &a.value;
    let name = match &raw.name {
        Some(n) => n.clone(),
        None => Located::new(
            match &ctx.scaled {
                Scaled::Variant { endpoint, variant } => format!("{endpoint}-{variant}-{policy}"),
                Scaled::InferenceComponent { inference_component } => {
                    format!("{inference_component}-{policy}")
                }
            },
            a.origin.clone(),
        ),
    };
    if let Some(why) = names::alarm_name(&name.value) {
        let help = if raw.name.is_none() {
            "the default name is <endpoint>-<variant>-<policy> (<component>-<policy> for an inference component); set `alarm.name`"
        } else {
            "choose another `name`"
        };
        d.push(
            Diagnostic::new(
                &codes::INVALID_NAME,
                &name.origin,
                format!("alarm name \"{}\" {why}", name.value),
            )
            .help(help),
        );
    }
    name
}

/// The keys every alarm needs, one diagnostic naming those missing.
fn missing_keys(a: &Located<RawAlarm>, d: &mut Diagnostics) {
    let what = "`alarm`";
    let raw = &a.value;
    let missing: Vec<String> = [
        ("metric", raw.metric.is_none()),
        ("namespace", raw.namespace.is_none()),
        ("statistic", raw.statistic.is_none()),
        ("period", raw.period.is_none()),
        ("evaluation_periods", raw.evaluation_periods.is_none()),
        ("threshold", raw.threshold.is_none()),
        ("comparison", raw.comparison.is_none()),
    ]
    .into_iter()
    .filter(|(_, absent)| *absent)
    .map(|(key, _)| format!("`{key}`"))
    .collect();
    if !missing.is_empty() {
        d.push(
            Diagnostic::new(&codes::MISSING_KEY, &a.origin, format!("{what} is missing {}", missing.join(", ")))
                .help("an alarm needs metric, namespace, statistic, period, evaluation_periods, threshold and comparison"),
        );
    }
}

fn threshold(t: &Located<f64>, d: &mut Diagnostics) -> Option<f64> {
    if t.value.is_finite() {
        Some(t.value)
    } else {
        d.push(Diagnostic::new(
            &codes::OUT_OF_RANGE,
            &t.origin,
            format!("threshold must be a finite number, not {}", t.value),
        ));
        None
    }
}

/// CloudWatch's limit on period x evaluation_periods: 1 day for periods under an hour, else 7.
fn check_window(p: i32, n: i32, origin: &Origin, d: &mut Diagnostics) {
    let window = i64::from(p) * i64::from(n);
    let limit = if p < 3600 { DAY } else { WEEK };
    if window > limit {
        d.push(
            Diagnostic::new(&codes::ALARM_WINDOW,
                origin,
                format!("period x evaluation_periods = {window} s, more than CloudWatch's limit of {limit} s for a {p} s period"),
            )
            .help("evaluate over at most 1 day (periods under 1 hour) or 7 days"),
        );
    }
}

/// A standard statistic, or an extended one (`p99`, `tm90`, `TM(10%:90%)`, ...) sent as
/// ExtendedStatistic.
fn statistic(s: &Located<String>, d: &mut Diagnostics) -> Option<AlarmStatistic> {
    if let Some(stat) = MetricStatistic::parse(&s.value) {
        return Some(AlarmStatistic::Statistic(stat));
    }
    let Some(why) = extended_statistic_error(&s.value) else {
        return Some(AlarmStatistic::Extended(s.value.clone()));
    };
    let help = match did_you_mean(&s.value, MetricStatistic::SPELLINGS.iter().map(|(k, _)| *k)) {
        Some(m) => format!("did you mean \"{m}\"?"),
        None => why,
    };
    d.push(
        Diagnostic::new(
            &codes::UNKNOWN_VALUE,
            &s.origin,
            format!("\"{}\" is not a statistic", s.value),
        )
        .help(help),
    );
    None
}

/// CloudWatch periods: 10, 20 or 30 s (high resolution), or a multiple of 60.
fn period(p: &Located<i64>, d: &mut Diagnostics) -> Option<i32> {
    let ok = matches!(p.value, 10 | 20 | 30) || (p.value > 0 && p.value % 60 == 0 && p.value <= WEEK);
    if ok {
        return i32::try_from(p.value).ok();
    }
    let nearest = if p.value < 45 {
        30
    } else {
        ((p.value + 30) / 60).clamp(1, WEEK / 60) * 60
    };
    d.push(
        Diagnostic::new(
            &codes::ALARM_PERIOD,
            &p.origin,
            format!("alarm period {} s is not one CloudWatch accepts", p.value),
        )
        .help(format!("use 10, 20, 30 or a multiple of 60, e.g. {nearest}")),
    );
    None
}
