//! `metric = { math = [...] }` -> TargetTrackingMetricDataQuery list, with the rules of the
//! Application Auto Scaling API reference (TargetTrackingMetricDataQuery,
//! TargetTrackingMetricStat) and the user guide's "Create a target tracking scaling policy
//! using metric math": each query has an Id (1-255, starting with a lowercase letter; letters,
//! digits, `_`), exactly one of Expression (1-2048) and MetricStat; exactly one query returns
//! data, the series tracked.

use std::collections::HashSet;

use super::metric::{EndpointContext, dimensions, metric_text};
use super::names::{self, MetricField};
use super::required;
use super::statistic::{Grammar, statistic_error};
use crate::config::raw::{Located, RawMetricQuery};
use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::keywords::{Keyword, MetricStatistic};
use crate::model::{MetricQuery, QueryMetric};

const MAX_ID: usize = 255;
const MAX_EXPRESSION: usize = 2048;
const MAX_STAT: usize = 100;
/// CloudWatch service quotas (cloudwatch_limits.html): "Alarms based on metric math
/// expressions can have up to 10 metrics" (alarm-limits.html: "a hard limit"), and target
/// tracking makes such an alarm. No page limits the expressions.
const MAX_METRICS: usize = 10;

pub fn queries(
    list: &Located<Vec<RawMetricQuery>>,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<Vec<MetricQuery>> {
    if list.value.is_empty() {
        d.push(
            Diagnostic::new(&codes::METRIC_MATH, &list.origin, "`math` has no queries")
                .help("add a metric query and an expression over it, e.g. `{ id = \"m\", metric = \"...\", namespace = \"...\", stat = \"Average\" }`"),
        );
        return None;
    }
    let last = list.value.len() - 1;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    let mut ok = true;
    for (i, q) in list.value.iter().enumerate() {
        if let Some(id) = &q.id
            && !seen.insert(&id.value)
        {
            d.push(
                Diagnostic::new(
                    &codes::METRIC_MATH,
                    &id.origin,
                    format!("query id `{}` is used twice", id.value),
                )
                .help("give each query its own id"),
            );
            ok = false;
        }
        match query(q, i == last, ctx, d) {
            Some(q) => out.push(q),
            None => ok = false,
        }
    }
    let metrics = out.iter().filter(|q| q.metric.is_some()).count();
    if ok && metrics > MAX_METRICS {
        d.push(
            Diagnostic::new(
                &codes::METRIC_MATH,
                &list.origin,
                format!("{metrics} metric queries; the CloudWatch alarm that target tracking creates from them may have at most {MAX_METRICS}"),
            )
            .help(format!("use at most {MAX_METRICS} `metric` queries; expressions over them do not count")),
        );
        return None;
    }
    let returning: Vec<&MetricQuery> = out.iter().filter(|q| q.return_data).collect();
    if ok && returning.len() != 1 {
        let ids: Vec<&str> = returning.iter().map(|q| q.id.as_str()).collect();
        d.push(
            Diagnostic::new(
                &codes::METRIC_MATH,
                &list.origin,
                if ids.is_empty() {
                    "no query has `return_data = true`: nothing would be tracked".to_string()
                } else {
                    format!(
                        "{} queries return data ({}); exactly one may",
                        ids.len(),
                        ids.join(", ")
                    )
                },
            )
            .help("set `return_data = true` on the expression to track only (the default is the last query)"),
        );
        return None;
    }
    ok.then_some(out)
}

fn query(
    q: &RawMetricQuery,
    is_last: bool,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<MetricQuery> {
    let id = q.id.as_ref().and_then(|id| query_id(id, d));
    let source = match (&q.expression, &q.metric) {
        (Some(e), None) => expression_query(q, e, d).map(|e| (Some(e), None)),
        (None, Some(m)) => metric(q, m, ctx, d).map(|m| (None, Some(m))),
        (Some(e), Some(_)) => {
            d.push(
                Diagnostic::new(
                    &codes::METRIC_MATH,
                    &e.origin,
                    "a query has both `expression` and `metric`",
                )
                .help("keep one: a query is a metric or an expression over other queries"),
            );
            None
        }
        (None, None) => {
            d.push(
                Diagnostic::new(
                    &codes::METRIC_MATH,
                    &q.origin,
                    "a query has neither `expression` nor `metric`",
                )
                .help("add `metric`, `namespace` and `stat`, or an `expression` over other queries' ids"),
            );
            None
        }
    };
    let label = match &q.label {
        Some(l) => Some(free_text(l, "label", d)?),
        None => None,
    };
    let (expression, metric) = source?;
    Some(MetricQuery {
        id: id?,
        expression,
        metric,
        label,
        return_data: q.return_data.as_ref().map_or(is_last, |r| r.value),
    })
}

/// An expression query: the expression, and none of a metric query's keys.
fn expression_query(q: &RawMetricQuery, e: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    let metric_keys = [
        ("namespace", q.namespace.as_ref().map(|f| &f.origin)),
        ("stat", q.stat.as_ref().map(|f| &f.origin)),
        ("unit", q.unit.as_ref().map(|f| &f.origin)),
        ("dimensions", q.dimensions.as_ref().map(|f| &f.origin)),
    ];
    if let Some((key, Some(origin))) = metric_keys.into_iter().find(|(_, given)| given.is_some()) {
        d.push(
            Diagnostic::new(
                &codes::METRIC_MATH,
                origin,
                format!("`{key}` belongs to a metric query, and this one is an expression"),
            )
            .help(format!(
                "remove `{key}`, or split this into a metric query and an expression"
            )),
        );
        return None;
    }
    expression(e, d)
}

fn query_id(id: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    let s = &id.value;
    let valid = s.len() <= MAX_ID
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        return Some(s.clone());
    }
    d.push(
        Diagnostic::new(
            &codes::INVALID_NAME,
            &id.origin,
            format!("query id \"{s}\" is not valid"),
        )
        .help("start with a lowercase letter; then letters, digits and `_`, at most 255 characters"),
    );
    None
}

fn expression(e: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    let len = names::aws_len(&e.value);
    if !(1..=MAX_EXPRESSION).contains(&len) || e.value.trim().is_empty() {
        d.push(Diagnostic::new(
            &codes::OUT_OF_RANGE,
            &e.origin,
            format!("an expression has 1 to {MAX_EXPRESSION} characters; this one has {len}"),
        ));
        return None;
    }
    free_text(e, "expression", d)
}

/// Text AWS takes in an expression or a label (`names::free_text`), or a `metric-math` error.
fn free_text(field: &Located<String>, what: &str, d: &mut Diagnostics) -> Option<String> {
    match names::free_text(&field.value) {
        None => Some(field.value.clone()),
        Some(why) => {
            d.push(
                Diagnostic::new(&codes::METRIC_MATH, &field.origin, format!("the {what} {why}"))
                    .help("remove the control character; tabs and line breaks are fine"),
            );
            None
        }
    }
}

fn metric(
    q: &RawMetricQuery,
    name: &Located<String>,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<QueryMetric> {
    let what = "a metric query";
    let metric_name = metric_text(name, MetricField::Name, true, d);
    let namespace = required(&q.namespace, "namespace", &q.origin, what, d)
        .and_then(|n| metric_text(n, MetricField::Namespace, true, d));
    let stat = required(&q.stat, "stat", &q.origin, what, d).and_then(|s| stat(s, d));
    let (metric_name, namespace) = (metric_name?, namespace?);
    let dimensions = dimensions(&q.dimensions, &namespace, &metric_name, ctx, d)?;
    Some(QueryMetric {
        metric_name,
        namespace,
        dimensions,
        stat: stat?,
        unit: q.unit.as_ref().map(|u| u.value),
    })
}

/// Any CloudWatch statistic, extended ones included (TargetTrackingMetricStat.Stat).
fn stat(s: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    if let Some(standard) = MetricStatistic::parse(&s.value) {
        return Some(standard.as_str().to_string());
    }
    let why = if s.value.len() > MAX_STAT {
        Some(format!("at most {MAX_STAT} characters"))
    } else {
        statistic_error(&s.value, Grammar::MetricStat)
    };
    let Some(why) = why else {
        return Some(s.value.clone());
    };
    d.push(
        Diagnostic::new(
            &codes::UNKNOWN_VALUE,
            &s.origin,
            format!("\"{}\" is not a statistic", s.value),
        )
        .help(why),
    );
    None
}
