//! Which metric each policy and alarm watches, as the history names it.

use super::signals::MetricId;
use crate::keywords::{MetricStatistic, PredefinedMetric};
use crate::model::{Alarm, MetricQuery, MetricSpec, QueryMetric, TargetTracking};

/// The metric (and the per-minute statistic) a predefined metric type stands for.
pub fn predefined(p: PredefinedMetric) -> (MetricId, MetricStatistic) {
    let (name, stat) = match p {
        PredefinedMetric::VariantInvocationsPerInstance => ("InvocationsPerInstance", MetricStatistic::Sum),
        PredefinedMetric::VariantProvisionedConcurrencyUtilization => (
            "ServerlessProvisionedConcurrencyUtilization",
            MetricStatistic::Average,
        ),
        PredefinedMetric::VariantConcurrentRequestsPerModelHighResolution => {
            ("ConcurrentRequestsPerModel", MetricStatistic::Average)
        }
        PredefinedMetric::InferenceComponentInvocationsPerCopy => {
            ("InvocationsPerCopy", MetricStatistic::Sum)
        }
        PredefinedMetric::InferenceComponentConcurrentRequestsPerCopyHighResolution => {
            ("ConcurrentRequestsPerCopy", MetricStatistic::Average)
        }
    };
    (("AWS/SageMaker".to_string(), name.to_string()), stat)
}

/// The metric a target-tracking policy follows.
pub(crate) fn metric_of(tt: &TargetTracking) -> MetricId {
    match &tt.metric {
        MetricSpec::Predefined(p) => predefined(*p).0,
        MetricSpec::Custom(c) => (c.namespace.clone(), c.metric_name.clone()),
        MetricSpec::Math(queries) => match returned(queries) {
            Some(m) => (m.namespace.clone(), m.metric_name.clone()),
            // An expression is not evaluated: its series is never recorded, so the policy is
            // reported among the missing metrics.
            None => (
                "metric math".to_string(),
                queries
                    .iter()
                    .map(|q| q.id.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        },
    }
}

/// The metric a step policy's alarm watches.
pub(crate) fn alarm_metric(a: &Alarm) -> MetricId {
    (a.namespace.clone(), a.metric_name.clone())
}

/// The metric a metric-math policy tracks when the query it returns is a plain metric (a
/// percentile, say); None when it is an expression, which the simulator does not evaluate.
pub fn returned(queries: &[MetricQuery]) -> Option<&QueryMetric> {
    queries
        .iter()
        .find(|q| q.return_data)
        .and_then(|q| q.metric.as_ref())
}
