//! The desired state: what AWS should hold, free of config syntax and of the AWS SDK.
//! `validate` produces it; later the planner diffs it against what AWS holds.

use serde::{Deserialize, Serialize};

use crate::keywords::{
    AdjustmentType, Aggregation, Comparison, MetricStatistic, PredefinedMetric, TreatMissingData, Unit,
};

pub(crate) const SERVICE_NAMESPACE: &str = "sagemaker";
/// The variant an endpoint has when its config names none (SageMaker's own default name).
pub const DEFAULT_VARIANT: &str = "AllTraffic";
/// Metrics SageMaker publishes for asynchronous endpoints only, with EndpointName alone as
/// their dimension (the rest of `AWS/SageMaker` carries the variant too).
pub const ASYNC_METRICS: &[&str] = &[
    "ApproximateBacklogSize",
    "ApproximateBacklogSizePerInstance",
    "ApproximateAgeOfOldestRequest",
    "HasBacklogWithoutCapacity",
];

/// AWS's default target-tracking cooldowns for SageMaker endpoint variants: what an absent
/// value means there (user guide, target tracking, "Define cooldown periods"). Inference
/// components and serverless provisioned concurrency are not in AWS's list, so there an
/// absent target-tracking cooldown stays absent.
pub const VARIANT_DEFAULT_COOLDOWN: i32 = 300;
/// A step policy's cooldown when none is given, on every target: "If not specified, the
/// default value is 300" (API reference, StepScalingPolicyConfiguration).
pub const STEP_DEFAULT_COOLDOWN: i32 = 300;

/// Every scalable target the config declares, as AWS should hold it after an apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredState {
    /// None: use the region of the AWS credential chain.
    pub region: Option<String>,
    /// The scalable targets, each with its policies and scheduled actions.
    pub targets: Vec<ScalableTarget>,
    /// The stack named in the tags of what this config creates (see `ownership`).
    pub stack: String,
    /// Deregister this stack's targets the config no longer names.
    pub prune: bool,
}

impl DesiredState {
    /// The config's targets of the endpoints (or inference components) named in `names`, e.g.
    /// for `detach`; every name must be in the config.
    pub fn only(&self, names: &[String]) -> Result<DesiredState, UnknownEndpoint> {
        let known: Vec<String> = self.targets.iter().map(|t| t.scaled.name().to_string()).collect();
        if let Some(missing) = names.iter().find(|n| !known.contains(n)) {
            let suggestion = crate::suggest::did_you_mean(missing, known.iter().map(String::as_str));
            return Err(UnknownEndpoint {
                name: missing.clone(),
                hint: match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the config names: {}", known.join(", ")),
                },
            });
        }
        Ok(DesiredState {
            targets: self
                .targets
                .iter()
                .filter(|t| names.iter().any(|n| n == t.scaled.name()))
                .cloned()
                .collect(),
            ..self.clone()
        })
    }
}

/// A name `detach` was given that the config does not have.
#[derive(Debug, thiserror::Error)]
#[error("`{name}` is not an [[endpoint]] or [[inference_component]] of the config")]
pub struct UnknownEndpoint {
    name: String,
    hint: String,
}

impl crate::error::Hint for UnknownEndpoint {
    fn hint(&self) -> Option<&str> {
        Some(&self.hint)
    }
}

/// What a scalable target scales (Application Auto Scaling's ScalableDimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ScalableDimension {
    /// An instance-backed variant's instance count.
    #[serde(rename = "sagemaker:variant:DesiredInstanceCount")]
    VariantDesiredInstanceCount,
    /// Serverless variants.
    #[serde(rename = "sagemaker:variant:DesiredProvisionedConcurrency")]
    VariantDesiredProvisionedConcurrency,
    /// An inference component's copy count.
    #[serde(rename = "sagemaker:inference-component:DesiredCopyCount")]
    InferenceComponentDesiredCopyCount,
}

impl ScalableDimension {
    /// Every dimension this tool manages, in declaration order.
    pub const ALL: [ScalableDimension; 3] = [
        ScalableDimension::VariantDesiredInstanceCount,
        ScalableDimension::VariantDesiredProvisionedConcurrency,
        ScalableDimension::InferenceComponentDesiredCopyCount,
    ];

    /// The AWS string, e.g. `sagemaker:variant:DesiredInstanceCount`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalableDimension::VariantDesiredInstanceCount => "sagemaker:variant:DesiredInstanceCount",
            ScalableDimension::VariantDesiredProvisionedConcurrency => {
                "sagemaker:variant:DesiredProvisionedConcurrency"
            }
            ScalableDimension::InferenceComponentDesiredCopyCount => {
                "sagemaker:inference-component:DesiredCopyCount"
            }
        }
    }

    /// The dimension an AWS string names; None for one this tool does not manage.
    pub fn parse(s: &str) -> Option<ScalableDimension> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The target-tracking cooldown AWS documents for an absent one on this kind of target,
    /// if any.
    pub fn tracking_cooldown(self) -> Option<i32> {
        (self == ScalableDimension::VariantDesiredInstanceCount).then_some(VARIANT_DEFAULT_COOLDOWN)
    }
}

/// What a scalable target scales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scaled {
    /// A production variant of an endpoint.
    Variant {
        /// The EndpointName.
        endpoint: String,
        /// The VariantName, `AllTraffic` unless the config names another.
        variant: String,
    },
    /// An inference component.
    InferenceComponent {
        /// The InferenceComponentName.
        inference_component: String,
    },
}

impl Scaled {
    /// The endpoint's or inference component's name.
    pub fn name(&self) -> &str {
        match self {
            Scaled::Variant { endpoint, .. } => endpoint,
            Scaled::InferenceComponent { inference_component } => inference_component,
        }
    }

    /// The Application Auto Scaling ResourceId: `endpoint/<e>/variant/<v>` or `inference-component/<name>`.
    pub fn resource_id(&self) -> String {
        match self {
            Scaled::Variant { endpoint, variant } => format!("endpoint/{endpoint}/variant/{variant}"),
            Scaled::InferenceComponent { inference_component } => {
                format!("inference-component/{inference_component}")
            }
        }
    }

    /// The dimensions SageMaker publishes this variant's (or component's) own metrics with,
    /// sorted by name.
    pub fn own_dimensions(&self) -> Vec<Dimension> {
        let dim = |name: &str, value: &str| Dimension {
            name: name.into(),
            value: value.into(),
        };
        match self {
            Scaled::Variant { endpoint, variant } => {
                vec![dim("EndpointName", endpoint), dim("VariantName", variant)]
            }
            Scaled::InferenceComponent { inference_component } => {
                vec![dim("InferenceComponentName", inference_component)]
            }
        }
    }

    /// The scaled object from a resource id this tool manages.
    pub fn from_resource_id(resource_id: &str) -> Option<Scaled> {
        if let Some(name) = resource_id.strip_prefix("inference-component/") {
            return (!name.is_empty() && !name.contains('/')).then(|| Scaled::InferenceComponent {
                inference_component: name.to_string(),
            });
        }
        let rest = resource_id.strip_prefix("endpoint/")?;
        let (endpoint, variant) = rest.split_once("/variant/")?;
        let ok = !endpoint.is_empty() && !variant.is_empty() && !variant.contains('/');
        ok.then(|| Scaled::Variant {
            endpoint: endpoint.to_string(),
            variant: variant.to_string(),
        })
    }
}

/// One endpoint variant's scalable target, with everything attached to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalableTarget {
    /// The endpoint's own region; None: the config's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The variant or inference component scaled.
    #[serde(flatten)]
    pub scaled: Scaled,
    /// `endpoint/<endpoint>/variant/<variant>` or `inference-component/<name>`
    pub resource_id: String,
    /// What is scaled: instances, provisioned concurrency or copies.
    pub scalable_dimension: ScalableDimension,
    /// MinCapacity: the fewest instances (or copies) scaling may leave.
    pub min_capacity: i32,
    /// MaxCapacity: the most instances (or copies) scaling may add.
    pub max_capacity: i32,
    /// Which kinds of scaling AWS is told to hold off (SuspendedState).
    pub suspended: SuspendedState,
    /// Sorted by name.
    pub policies: Vec<ScalingPolicy>,
    /// Sorted by name.
    pub scheduled_actions: Vec<ScheduledAction>,
}

/// Application Auto Scaling's SuspendedState: each true flag stops that kind of scaling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspendedState {
    pub(crate) dynamic_scaling_in: bool,
    pub(crate) dynamic_scaling_out: bool,
    pub(crate) scheduled_scaling: bool,
}

/// One scaling policy attached to a target (PutScalingPolicy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingPolicy {
    /// PolicyName, unique on its target.
    pub name: String,
    /// The policy's type and its configuration.
    #[serde(flatten)]
    pub config: PolicyConfig,
}

/// A policy's type (PolicyType) with the configuration that type takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy_type")]
pub enum PolicyConfig {
    /// Target tracking: keep a metric near a target value.
    #[serde(rename = "TargetTrackingScaling")]
    TargetTracking(TargetTracking),
    /// Step scaling: adjust capacity by steps when a CloudWatch alarm fires.
    #[serde(rename = "StepScaling")]
    Step(StepScaling),
}

/// TargetTrackingScalingPolicyConfiguration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetTracking {
    /// TargetValue: the metric value the policy keeps the target near.
    pub target_value: f64,
    /// The metric tracked.
    pub metric: MetricSpec,
    /// None: not set, and AWS documents no default for this kind of target.
    pub scale_in_cooldown: Option<i32>,
    /// ScaleOutCooldown in seconds; None: not set (see `scale_in_cooldown`).
    pub scale_out_cooldown: Option<i32>,
    /// DisableScaleIn: when true the policy only adds capacity.
    pub disable_scale_in: bool,
}

/// The metric a target-tracking policy follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricSpec {
    /// A metric AWS predefines (PredefinedMetricSpecification), e.g. invocations per instance.
    Predefined(PredefinedMetric),
    /// One CloudWatch metric with a statistic (CustomizedMetricSpecification).
    Custom(CustomMetric),
    /// Metric math (CustomizedMetricSpecification.Metrics): the queries in order, exactly one
    /// of which returns the series tracked.
    Math(Vec<MetricQuery>),
}

/// One TargetTrackingMetricDataQuery: a metric with a statistic, or an expression over the
/// other queries' ids. Exactly one of `expression` and `metric` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// The query's Id, which expressions refer to.
    pub id: String,
    /// A metric-math expression over other queries' ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// The metric and statistic this query reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<QueryMetric>,
    /// A human-readable Label for the series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// ReturnData: true for the one query whose series is tracked.
    pub return_data: bool,
}

/// TargetTrackingMetricStat: a CloudWatch metric and any statistic CloudWatch knows, extended
/// ones (`p90`, `tm99`, ...) included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryMetric {
    /// The CloudWatch MetricName.
    pub metric_name: String,
    /// The CloudWatch Namespace, e.g. `AWS/SageMaker`.
    pub namespace: String,
    /// Sorted by name.
    pub dimensions: Vec<Dimension>,
    /// The statistic (Stat), standard or extended such as `p90`.
    pub stat: String,
    /// The metric's CloudWatch Unit; None: not given.
    pub unit: Option<Unit>,
}

/// CustomizedMetricSpecification with a single metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomMetric {
    /// The CloudWatch MetricName.
    pub metric_name: String,
    /// The CloudWatch Namespace, e.g. `AWS/SageMaker`.
    pub namespace: String,
    /// The Statistic applied to the metric.
    pub statistic: MetricStatistic,
    /// The metric's CloudWatch Unit; None: not given.
    pub unit: Option<Unit>,
    /// Sorted by name.
    pub dimensions: Vec<Dimension>,
}

/// A CloudWatch metric dimension: a name and its value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Dimension {
    /// The dimension's name, e.g. `EndpointName`.
    pub name: String,
    /// The dimension's value, e.g. the endpoint's name.
    pub value: String,
}

/// StepScalingPolicyConfiguration plus the alarm that fires it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepScaling {
    /// AdjustmentType: how a step's adjustment is read (change, exact or percent).
    pub adjustment_type: AdjustmentType,
    /// Cooldown in seconds after a scaling activity; default 300.
    pub cooldown: i32,
    /// MetricAggregationType: how the alarm's datapoints are aggregated.
    pub metric_aggregation_type: Aggregation,
    /// MinAdjustmentMagnitude: the smallest change a percent adjustment makes; None: not set.
    pub min_adjustment_magnitude: Option<i32>,
    /// Sorted by lower bound, minus infinity first.
    pub steps: Vec<StepAdjustment>,
    /// The CloudWatch alarm whose breach applies the steps.
    pub alarm: Alarm,
}

/// One StepAdjustment: a range of the metric (relative to the alarm threshold) and the change it makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepAdjustment {
    /// MetricIntervalLowerBound, relative to the threshold; None: minus infinity.
    pub lower_bound: Option<f64>,
    /// MetricIntervalUpperBound, relative to the threshold; None: plus infinity.
    pub upper_bound: Option<f64>,
    /// ScalingAdjustment: the capacity change (or new capacity) this step makes.
    pub scaling_adjustment: i32,
}

/// The CloudWatch alarm that fires a step policy. Created and owned by this tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// The AlarmName.
    pub name: String,
    /// The CloudWatch MetricName the alarm watches.
    pub metric_name: String,
    /// The CloudWatch Namespace of that metric.
    pub namespace: String,
    /// The Statistic or ExtendedStatistic the alarm evaluates.
    pub statistic: AlarmStatistic,
    /// Sorted by name.
    pub dimensions: Vec<Dimension>,
    /// Period in seconds of each datapoint.
    pub period: i32,
    /// EvaluationPeriods: how many recent periods the alarm looks at.
    pub evaluation_periods: i32,
    /// DatapointsToAlarm: how many of those must breach for the alarm to fire.
    pub datapoints_to_alarm: i32,
    /// Threshold the statistic is compared with.
    pub threshold: f64,
    /// ComparisonOperator between the statistic and the threshold.
    pub comparison: Comparison,
    /// TreatMissingData: how periods without data count.
    pub treat_missing_data: TreatMissingData,
}

/// The statistic an alarm evaluates: a standard one or an extended (percentile) one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmStatistic {
    /// A standard statistic, sent as Statistic.
    Statistic(MetricStatistic),
    /// A percentile such as `p99`, sent as ExtendedStatistic.
    Extended(String),
}

/// A scheduled action (PutScheduledAction) that sets a target's capacity bounds at given times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledAction {
    /// ScheduledActionName, unique on its target.
    pub name: String,
    /// Schedule: `at(...)`, `rate(...)` or `cron(...)`, as AWS takes it.
    pub schedule: String,
    /// None means UTC.
    pub timezone: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub start_time: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`; None: no end.
    pub end_time: Option<String>,
    /// The MinCapacity the action sets; None: left as it is.
    pub min_capacity: Option<i32>,
    /// The MaxCapacity the action sets; None: left as it is.
    pub max_capacity: Option<i32>,
}
