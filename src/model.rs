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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredState {
    /// None: use the region of the AWS credential chain.
    pub region: Option<String>,
    pub targets: Vec<ScalableTarget>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ScalableDimension {
    #[serde(rename = "sagemaker:variant:DesiredInstanceCount")]
    VariantDesiredInstanceCount,
    /// Serverless variants.
    #[serde(rename = "sagemaker:variant:DesiredProvisionedConcurrency")]
    VariantDesiredProvisionedConcurrency,
    #[serde(rename = "sagemaker:inference-component:DesiredCopyCount")]
    InferenceComponentDesiredCopyCount,
}

impl ScalableDimension {
    pub const ALL: [ScalableDimension; 3] = [
        ScalableDimension::VariantDesiredInstanceCount,
        ScalableDimension::VariantDesiredProvisionedConcurrency,
        ScalableDimension::InferenceComponentDesiredCopyCount,
    ];

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
    Variant { endpoint: String, variant: String },
    InferenceComponent { inference_component: String },
}

impl Scaled {
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
    #[serde(flatten)]
    pub scaled: Scaled,
    /// `endpoint/<endpoint>/variant/<variant>` or `inference-component/<name>`
    pub resource_id: String,
    pub scalable_dimension: ScalableDimension,
    pub min_capacity: i32,
    pub max_capacity: i32,
    pub suspended: SuspendedState,
    /// Sorted by name.
    pub policies: Vec<ScalingPolicy>,
    /// Sorted by name.
    pub scheduled_actions: Vec<ScheduledAction>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspendedState {
    pub(crate) dynamic_scaling_in: bool,
    pub(crate) dynamic_scaling_out: bool,
    pub(crate) scheduled_scaling: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingPolicy {
    pub name: String,
    #[serde(flatten)]
    pub config: PolicyConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy_type")]
pub enum PolicyConfig {
    #[serde(rename = "TargetTrackingScaling")]
    TargetTracking(TargetTracking),
    #[serde(rename = "StepScaling")]
    Step(StepScaling),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetTracking {
    pub target_value: f64,
    pub metric: MetricSpec,
    /// None: not set, and AWS documents no default for this kind of target.
    pub scale_in_cooldown: Option<i32>,
    pub scale_out_cooldown: Option<i32>,
    pub disable_scale_in: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricSpec {
    Predefined(PredefinedMetric),
    Custom(CustomMetric),
    /// Metric math (CustomizedMetricSpecification.Metrics): the queries in order, exactly one
    /// of which returns the series tracked.
    Math(Vec<MetricQuery>),
}

/// One TargetTrackingMetricDataQuery: a metric with a statistic, or an expression over the
/// other queries' ids. Exactly one of `expression` and `metric` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<QueryMetric>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub return_data: bool,
}

/// TargetTrackingMetricStat: a CloudWatch metric and any statistic CloudWatch knows, extended
/// ones (`p90`, `tm99`, ...) included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryMetric {
    pub metric_name: String,
    pub namespace: String,
    /// Sorted by name.
    pub dimensions: Vec<Dimension>,
    pub stat: String,
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomMetric {
    pub metric_name: String,
    pub namespace: String,
    pub statistic: MetricStatistic,
    pub unit: Option<Unit>,
    /// Sorted by name.
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepScaling {
    pub adjustment_type: AdjustmentType,
    pub cooldown: i32,
    pub metric_aggregation_type: Aggregation,
    pub min_adjustment_magnitude: Option<i32>,
    /// Sorted by lower bound, minus infinity first.
    pub steps: Vec<StepAdjustment>,
    pub alarm: Alarm,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepAdjustment {
    pub lower_bound: Option<f64>,
    pub upper_bound: Option<f64>,
    pub scaling_adjustment: i32,
}

/// The CloudWatch alarm that fires a step policy. Created and owned by this tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub metric_name: String,
    pub namespace: String,
    pub statistic: AlarmStatistic,
    /// Sorted by name.
    pub dimensions: Vec<Dimension>,
    pub period: i32,
    pub evaluation_periods: i32,
    pub datapoints_to_alarm: i32,
    pub threshold: f64,
    pub comparison: Comparison,
    pub treat_missing_data: TreatMissingData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmStatistic {
    Statistic(MetricStatistic),
    /// A percentile such as `p99`, sent as ExtendedStatistic.
    Extended(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledAction {
    pub name: String,
    pub schedule: String,
    /// None means UTC.
    pub timezone: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub min_capacity: Option<i32>,
    pub max_capacity: Option<i32>,
}
