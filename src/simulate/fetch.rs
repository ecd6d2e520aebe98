//! The metric history the policies use, from CloudWatch GetMetricData: one-minute data,
//! batched as many queries per call as CloudWatch's 100,800-datapoint limit allows.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types as cw;

use super::replay::{alarm_metric, metric_of, predefined};
use super::signals::{MetricId, Signals};
use crate::aws::{AwsError, Clients, call_error, with_retries};
use crate::keywords::Keyword;
use crate::model::{AlarmStatistic, Dimension, MetricSpec, PolicyConfig, ScalableTarget, Scaled};

/// CloudWatch's limits per GetMetricData call.
const MAX_DATAPOINTS: usize = 100_800;
const MAX_QUERIES: usize = 500;

/// One metric to fetch: what it is, with which dimensions and statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub id: MetricId,
    pub dimensions: Vec<Dimension>,
    pub stat: String,
}

/// The metric a metric-math policy tracks when the query it returns is a plain metric (a
/// percentile, say); None when it is an expression, which the simulator does not evaluate.
pub fn returned(queries: &[crate::model::MetricQuery]) -> Option<&crate::model::QueryMetric> {
    queries
        .iter()
        .find(|q| q.return_data)
        .and_then(|q| q.metric.as_ref())
}

/// The metrics the targets' policies and alarms read, plus the queue size of endpoint
/// variants (it decides HasBacklogWithoutCapacity under another capacity). First use wins
/// when two policies read one metric with different statistics.
pub fn queries(targets: &[&ScalableTarget]) -> Vec<Query> {
    let mut out: BTreeMap<MetricId, Query> = BTreeMap::new();
    for t in targets {
        let own = t.scaled.own_dimensions();
        for p in &t.policies {
            let q = match &p.config {
                PolicyConfig::TargetTracking(tt) => match &tt.metric {
                    MetricSpec::Custom(c) => Query {
                        id: metric_of(tt),
                        dimensions: c.dimensions.clone(),
                        stat: c.statistic.as_str().to_string(),
                    },
                    MetricSpec::Predefined(p) => {
                        let (id, stat) = predefined(*p);
                        Query {
                            id,
                            dimensions: own.clone(),
                            stat: stat.as_str().to_string(),
                        }
                    }
                    MetricSpec::Math(queries) => match returned(queries) {
                        Some(m) => Query {
                            id: metric_of(tt),
                            dimensions: m.dimensions.clone(),
                            stat: m.stat.clone(),
                        },
                        None => continue,
                    },
                },
                PolicyConfig::Step(s) => Query {
                    id: alarm_metric(&s.alarm),
                    dimensions: s.alarm.dimensions.clone(),
                    stat: match &s.alarm.statistic {
                        AlarmStatistic::Statistic(st) => st.as_str().to_string(),
                        AlarmStatistic::Extended(p) => p.clone(),
                    },
                },
            };
            out.entry(q.id.clone()).or_insert(q);
        }
        if let Scaled::Variant { endpoint, .. } = &t.scaled {
            let id = ("AWS/SageMaker".to_string(), "ApproximateBacklogSize".to_string());
            out.entry(id.clone()).or_insert(Query {
                id,
                dimensions: vec![Dimension {
                    name: "EndpointName".into(),
                    value: endpoint.clone(),
                }],
                stat: "Average".into(),
            });
        }
    }
    out.into_values().collect()
}

/// Fetches one-minute values of `queries` for `minutes` minutes from `start`. Returns the
/// signals and the number of calls made.
pub async fn fetch(
    clients: &Clients,
    queries: &[Query],
    start: i64,
    minutes: usize,
) -> Result<(Signals, usize), AwsError> {
    let mut signals = Signals::new(start, minutes);
    let per_call = (MAX_DATAPOINTS / minutes.max(1)).clamp(1, MAX_QUERIES);
    let mut calls = 0;
    for batch in queries.chunks(per_call) {
        let mut values: Vec<Vec<Option<f64>>> = vec![vec![None; minutes]; batch.len()];
        let mut token: Option<String> = None;
        loop {
            let request = || {
                calls += 1;
                let mut req = clients
                    .cloudwatch
                    .get_metric_data()
                    .start_time(DateTime::from_secs(start))
                    .end_time(DateTime::from_secs(start + 60 * minutes as i64))
                    .scan_by(cw::ScanBy::TimestampAscending)
                    .set_next_token(token.clone());
                for (i, q) in batch.iter().enumerate() {
                    req = req.metric_data_queries(query(i, q));
                }
                async move { req.send().await.map_err(|e| call_error("GetMetricData", e)) }
            };
            let out = with_retries(request).await?;
            for result in out.metric_data_results() {
                let Some(i) = result
                    .id()
                    .and_then(|id| id.strip_prefix('m'))
                    .and_then(|n| n.parse::<usize>().ok())
                else {
                    continue;
                };
                let Some(series) = values.get_mut(i) else { continue };
                for (ts, v) in result.timestamps().iter().zip(result.values()) {
                    let minute = (ts.secs() - start).div_euclid(60);
                    if let Some(slot) = usize::try_from(minute).ok().and_then(|m| series.get_mut(m)) {
                        *slot = Some(*v);
                    }
                }
            }
            // A repeated or empty token ends it (the same guard as the readers' pagination).
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() != Some(t) => token = Some(t.to_string()),
                _ => break,
            }
        }
        for (q, series) in batch.iter().zip(values) {
            if series.iter().any(Option::is_some) {
                signals.record(&q.id.0, &q.id.1, series);
            }
        }
    }
    Ok((signals, calls))
}

fn query(i: usize, q: &Query) -> cw::MetricDataQuery {
    let dimensions: Vec<cw::Dimension> = q
        .dimensions
        .iter()
        .map(|d| cw::Dimension::builder().name(&d.name).value(&d.value).build())
        .collect();
    let metric = cw::Metric::builder()
        .namespace(&q.id.0)
        .metric_name(&q.id.1)
        .set_dimensions(Some(dimensions))
        .build();
    let stat = cw::MetricStat::builder()
        .metric(metric)
        .period(60)
        .stat(&q.stat)
        .build();
    cw::MetricDataQuery::builder()
        .id(format!("m{i}"))
        .metric_stat(stat)
        .return_data(true)
        .build()
}
