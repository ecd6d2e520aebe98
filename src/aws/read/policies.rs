//! Scaling policies: listed for one target or the namespace, and converted to records (or why
//! one cannot be).

use std::sync::atomic::AtomicUsize;

use aws_sdk_applicationautoscaling::types as aas;

use crate::aws::pages::{Among, describe_among};
use crate::aws::{AwsError, Clients};
use crate::keywords::{AdjustmentType, Aggregation, Keyword, MetricStatistic, PredefinedMetric, Unit};
use crate::model::{
    CustomMetric, Dimension, MetricQuery, MetricSpec, QueryMetric, ScalableDimension, StepAdjustment,
    TargetTracking,
};
use crate::resource::{PolicyRecord, StepRecord};

pub(super) struct Policy {
    pub(super) resource_id: String,
    pub(super) name: String,
    pub(super) arn: String,
    pub(super) record: PolicyRecord,
    pub(super) alarm_names: Vec<String>,
}

/// The scaling policies AWS holds `among` one target or the namespace, every page.
pub(super) async fn list_policies(
    clients: &Clients,
    among: Among<'_>,
    calls: &AtomicUsize,
) -> Result<Vec<aas::ScalingPolicy>, AwsError> {
    describe_among!(
        clients,
        among,
        calls,
        "DescribeScalingPolicies",
        describe_scaling_policies,
        scaling_policies
    )
}

/// The policies of one target among `raw`, each as a record or why it cannot be one.
pub(super) fn policies_of(
    raw: &[aas::ScalingPolicy],
    resource_id: &str,
    dimension: &aas::ScalableDimension,
) -> Vec<Result<Policy, AwsError>> {
    raw.iter()
        .filter(|p| p.resource_id() == resource_id && p.scalable_dimension() == dimension)
        .map(|p| {
            let name = p.policy_name().to_string();
            Ok(Policy {
                resource_id: resource_id.to_string(),
                arn: p.policy_arn().to_string(),
                record: policy_from(p, &name)?,
                alarm_names: p.alarms().iter().map(|a| a.alarm_name().to_string()).collect(),
                name,
            })
        })
        .collect()
}

fn policy_from(p: &aas::ScalingPolicy, name: &str) -> Result<PolicyRecord, AwsError> {
    let op = "DescribeScalingPolicies";
    // An absent cooldown is AWS's documented default where there is one, else stays absent.
    let default_cooldown = ScalableDimension::parse(p.scalable_dimension().as_str())
        .and_then(ScalableDimension::tracking_cooldown);
    if let Some(tt) = p.target_tracking_scaling_policy_configuration() {
        let metric = if let Some(pre) = tt.predefined_metric_specification() {
            let kind = pre.predefined_metric_type().as_str();
            MetricSpec::Predefined(PredefinedMetric::parse(kind).ok_or_else(|| {
                unsupported(
                    op,
                    format!(
                        "policy `{name}` tracks predefined metric {kind}, which this version cannot manage"
                    ),
                )
            })?)
        } else if let Some(c) = tt.customized_metric_specification() {
            if !c.metrics().is_empty() {
                let queries = c.metrics().iter().map(metric_query).collect();
                return Ok(PolicyRecord::TargetTracking(target_tracking(
                    tt,
                    MetricSpec::Math(queries),
                    default_cooldown,
                )));
            }
            let statistic = c.statistic().map(|s| s.as_str()).unwrap_or_default();
            let dimensions = sorted_dimensions(c.dimensions().iter().map(|d| (d.name(), d.value())));
            MetricSpec::Custom(CustomMetric {
                metric_name: c.metric_name().unwrap_or_default().to_string(),
                namespace: c.namespace().unwrap_or_default().to_string(),
                statistic: MetricStatistic::parse(statistic).ok_or_else(|| {
                    unsupported(op, format!("policy `{name}` uses statistic {statistic:?}"))
                })?,
                unit: c.unit().and_then(Unit::parse),
                dimensions,
            })
        } else {
            return Err(unsupported(op, format!("policy `{name}` has no metric")));
        };
        return Ok(PolicyRecord::TargetTracking(target_tracking(
            tt,
            metric,
            default_cooldown,
        )));
    }
    let Some(step) = p.step_scaling_policy_configuration() else {
        return Err(unsupported(
            op,
            format!("policy `{name}` has no configuration this version understands"),
        ));
    };
    let mut steps: Vec<StepAdjustment> = step
        .step_adjustments()
        .iter()
        .map(|s| StepAdjustment {
            lower_bound: s.metric_interval_lower_bound(),
            upper_bound: s.metric_interval_upper_bound(),
            scaling_adjustment: s.scaling_adjustment(),
        })
        .collect();
    steps.sort_by(|a, b| {
        a.lower_bound
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.lower_bound.unwrap_or(f64::NEG_INFINITY))
    });
    Ok(PolicyRecord::Step(StepRecord {
        adjustment_type: step
            .adjustment_type()
            .and_then(|a| AdjustmentType::parse(a.as_str()))
            .unwrap_or(AdjustmentType::ChangeInCapacity),
        cooldown: step.cooldown().unwrap_or(crate::model::STEP_DEFAULT_COOLDOWN),
        metric_aggregation_type: step
            .metric_aggregation_type()
            .and_then(|a| Aggregation::parse(a.as_str()))
            .unwrap_or(Aggregation::Average),
        // Terraform sends it only when > 0; 0 and absent mean the same.
        min_adjustment_magnitude: step.min_adjustment_magnitude().filter(|m| *m > 0),
        steps,
    }))
}

fn target_tracking(
    tt: &aas::TargetTrackingScalingPolicyConfiguration,
    metric: MetricSpec,
    default_cooldown: Option<i32>,
) -> TargetTracking {
    TargetTracking {
        target_value: tt.target_value(),
        metric,
        scale_in_cooldown: tt.scale_in_cooldown().or(default_cooldown),
        scale_out_cooldown: tt.scale_out_cooldown().or(default_cooldown),
        disable_scale_in: tt.disable_scale_in().unwrap_or(false),
    }
}

/// A metric-math query as the config writes it: dimensions sorted, an absent ReturnData is
/// AWS's default, true.
fn metric_query(q: &aas::TargetTrackingMetricDataQuery) -> MetricQuery {
    let metric = q.metric_stat().map(|s| {
        let m = s.metric();
        let dims = m.map(|m| m.dimensions()).unwrap_or_default();
        let dimensions = sorted_dimensions(dims.iter().map(|d| (d.name(), d.value())));
        QueryMetric {
            metric_name: m.and_then(|m| m.metric_name()).unwrap_or_default().to_string(),
            namespace: m.and_then(|m| m.namespace()).unwrap_or_default().to_string(),
            dimensions,
            stat: s.stat().to_string(),
            unit: s.unit().and_then(Unit::parse),
        }
    });
    MetricQuery {
        id: q.id().to_string(),
        expression: q.expression().map(str::to_string),
        metric,
        label: q.label().map(str::to_string),
        return_data: q.return_data().unwrap_or(true),
    }
}

pub(super) fn unsupported(operation: &'static str, what: String) -> AwsError {
    AwsError::Invalid {
        operation,
        message: what,
    }
}

/// CloudWatch dimensions as the records compare them: sorted by name.
pub(super) fn sorted_dimensions<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Dimension> {
    let mut dimensions: Vec<Dimension> = pairs
        .map(|(name, value)| Dimension {
            name: name.to_string(),
            value: value.to_string(),
        })
        .collect();
    dimensions.sort();
    dimensions
}
