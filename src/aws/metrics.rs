//! One-minute metric history from CloudWatch GetMetricData, for the simulator: as many
//! metrics per call as CloudWatch's limits allow, pages followed with the readers' pagination
//! and retries.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types as cw;

use super::pages::paginate;
use super::{AwsError, Clients, call_error};
use crate::model::Dimension;

/// CloudWatch's limits per GetMetricData call.
const MAX_DATAPOINTS: usize = 100_800;
const MAX_QUERIES: usize = 500;

/// One metric to read: namespace, name, dimensions and statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRequest {
    pub(crate) namespace: String,
    pub(crate) metric_name: String,
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) stat: String,
}

/// Each request's value for each minute from `start` (epoch seconds, a whole minute), in
/// request order (None: no datapoint), and the calls made.
pub async fn minute_history(
    clients: &Clients,
    requests: &[MetricRequest],
    start: i64,
    minutes: usize,
) -> Result<(Vec<Vec<Option<f64>>>, usize), AwsError> {
    let calls = AtomicUsize::new(0);
    let per_call = (MAX_DATAPOINTS / minutes.max(1)).clamp(1, MAX_QUERIES);
    let mut history = Vec::with_capacity(requests.len());
    for batch in requests.chunks(per_call) {
        let results = paginate(&calls, "GetMetricData", |token| async move {
            let mut req = clients
                .cloudwatch
                .get_metric_data()
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(start + 60 * minutes as i64))
                .scan_by(cw::ScanBy::TimestampAscending)
                .set_next_token(token);
            for (i, r) in batch.iter().enumerate() {
                req = req.metric_data_queries(query(i, r));
            }
            let out = req.send().await.map_err(|e| call_error("GetMetricData", e))?;
            Ok((
                out.metric_data_results().to_vec(),
                out.next_token().map(str::to_string),
            ))
        })
        .await?;
        let mut values: Vec<Vec<Option<f64>>> = vec![vec![None; minutes]; batch.len()];
        for result in results {
            let index = result
                .id()
                .and_then(|id| id.strip_prefix('m')?.parse::<usize>().ok());
            let Some(series) = index.and_then(|i| values.get_mut(i)) else {
                continue;
            };
            for (ts, v) in result.timestamps().iter().zip(result.values()) {
                let minute = (ts.secs() - start).div_euclid(60);
                if let Some(slot) = usize::try_from(minute).ok().and_then(|m| series.get_mut(m)) {
                    *slot = Some(*v);
                }
            }
        }
        history.append(&mut values);
    }
    Ok((history, calls.load(Ordering::Relaxed)))
}

fn query(i: usize, r: &MetricRequest) -> cw::MetricDataQuery {
    let dimensions: Vec<cw::Dimension> = r
        .dimensions
        .iter()
        .map(|d| cw::Dimension::builder().name(&d.name).value(&d.value).build())
        .collect();
    let metric = cw::Metric::builder()
        .namespace(&r.namespace)
        .metric_name(&r.metric_name)
        .set_dimensions(Some(dimensions))
        .build();
    let stat = cw::MetricStat::builder()
        .metric(metric)
        .period(60)
        .stat(&r.stat)
        .build();
    cw::MetricDataQuery::builder()
        .id(format!("m{i}"))
        .metric_stat(stat)
        .return_data(true)
        .build()
}
