//! The config as written: every value optional and tagged with where it came from.
//! Required-ness and AWS rules are checked later, in `validate`, after presets and inputs
//! have been merged in. The JSON Schema of the file is generated from these types.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::diagnostic::Origin;
use crate::keywords::{
    AdjustmentType, Aggregation, Comparison, Inference, MetricStatistic, PolicyType, PredefinedMetric,
    Preset, TreatMissingData, Unit,
};

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub(crate) value: T,
    pub(crate) origin: Origin,
}

impl<T> Located<T> {
    pub(crate) fn new(value: T, origin: Origin) -> Self {
        Located { value, origin }
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

pub(crate) type Field<T> = Option<Located<T>>;

/// `name = value` pairs of CloudWatch metric dimensions, in file order.
pub type Dimensions = Vec<(Located<String>, Located<String>)>;

/// `autoscaling.toml`: autoscaling of Amazon SageMaker endpoints, managed by sagemaker-autoscale.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(title = "sagemaker-autoscale config", rename = "Config", deny_unknown_fields)]
pub struct RawConfig {
    /// AWS region, e.g. "us-west-2". Default: the action input `region`, then AWS_REGION and the
    /// credential chain's region.
    pub region: Field<String>,
    /// Names what this file manages, in the `sagemaker-autoscale:stack` tag of every scalable
    /// target and alarm it creates; a target is pruned only when this tag names this stack.
    /// Default: `<GITHUB_REPOSITORY>:<config path>`, or the config path outside Actions.
    pub stack: Field<String>,
    /// Deregister scalable targets tagged with this stack that the file no longer names
    /// (default true); false: a removal is a warning and nothing is deregistered.
    pub prune: Field<bool>,
    /// One entry per endpoint variant whose autoscaling this file manages.
    #[schemars(rename = "endpoint", default)]
    pub endpoints: Vec<RawEndpoint>,
    /// One entry per inference component whose copy count this file scales.
    #[schemars(
        rename = "inference_component",
        default,
        with = "Vec<InferenceComponentSchema>"
    )]
    pub components: Vec<RawEndpoint>,
    /// Warning codes to switch off for every endpoint (docs/config.md lists them).
    #[schemars(default)]
    pub ignore_warnings: Vec<Located<String>>,
}

/// An endpoint variant: its scalable target, policies and scheduled actions.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Endpoint", deny_unknown_fields)]
pub struct RawEndpoint {
    #[schemars(skip)]
    pub(crate) origin: Origin,
    /// An `[[inference_component]]` (its copy count scales), not an `[[endpoint]]` variant.
    #[schemars(skip)]
    pub component: bool,
    /// SageMaker endpoint name (1-63 letters, digits and hyphens).
    #[schemars(required)]
    pub name: Field<String>,
    /// Production variant. Default "AllTraffic".
    pub variant: Field<String>,
    /// Fewest instances. 0 is allowed for async endpoints that have a scale-from-zero policy.
    #[schemars(range(min = 0))]
    pub min_capacity: Field<i64>,
    /// Most instances.
    #[schemars(range(min = 0))]
    pub max_capacity: Field<i64>,
    /// "async", "real-time" or "serverless". Presets set it; it decides which metrics and
    /// minimums are valid, and "serverless" scales provisioned concurrency.
    pub inference: Field<Inference>,
    /// A bundle of policies and defaults. Explicit policies of the same name override its fields.
    pub preset: Field<Preset>,
    /// Target value of the preset's target-tracking policy.
    pub target: Field<f64>,
    /// Scale-in cooldown (seconds) of the preset's target-tracking policy.
    #[schemars(range(min = 0))]
    pub scale_in_cooldown: Field<i64>,
    /// Scale-out cooldown (seconds) of the preset's target-tracking policy.
    #[schemars(range(min = 0))]
    pub scale_out_cooldown: Field<i64>,
    /// Suspend parts of scaling without deleting anything (the scalable target's SuspendedState).
    pub suspended: Field<RawSuspended>,
    /// This endpoint's AWS region when it differs from the file's `region`.
    pub region: Field<String>,
    /// Warning codes to switch off for this endpoint (docs/config.md lists them).
    #[schemars(default)]
    pub ignore_warnings: Vec<Located<String>>,
    /// What `tune` must meet for this endpoint (plan and apply ignore it).
    pub goal: Field<RawGoal>,
    /// Scaling policies.
    #[schemars(rename = "policy", default)]
    pub policies: Vec<RawPolicy>,
    /// Scheduled actions.
    #[schemars(rename = "schedule", default)]
    pub schedules: Vec<RawSchedule>,
}

/// The schema of `[[inference_component]]` (decoded into a `RawEndpoint` with `component`).
#[derive(JsonSchema)]
#[schemars(rename = "InferenceComponent", deny_unknown_fields)]
#[allow(dead_code)]
pub struct InferenceComponentSchema {
    /// SageMaker inference component name (1-63 letters, digits and hyphens).
    #[schemars(required)]
    name: Field<String>,
    /// Fewest copies. 0 needs a scale-from-zero policy (preset "component-from-zero").
    #[schemars(range(min = 0))]
    min_capacity: Field<i64>,
    /// Most copies.
    #[schemars(range(min = 0))]
    max_capacity: Field<i64>,
    /// A bundle of policies and defaults. Explicit policies of the same name override its fields.
    preset: Field<Preset>,
    /// Target value of the preset's target-tracking policy.
    target: Field<f64>,
    /// Scale-in cooldown (seconds) of the preset's target-tracking policy.
    #[schemars(range(min = 0))]
    scale_in_cooldown: Field<i64>,
    /// Scale-out cooldown (seconds) of the preset's target-tracking policy.
    #[schemars(range(min = 0))]
    scale_out_cooldown: Field<i64>,
    /// Suspend parts of scaling without deleting anything.
    suspended: Field<RawSuspended>,
    /// This component's AWS region when it differs from the file's `region`.
    region: Field<String>,
    /// Warning codes to switch off for this component.
    #[schemars(default)]
    ignore_warnings: Vec<Located<String>>,
    /// What `tune` must meet for this component (plan and apply ignore it).
    goal: Field<RawGoal>,
    /// Scaling policies.
    #[schemars(rename = "policy", default)]
    policies: Vec<RawPolicy>,
    /// Scheduled actions.
    #[schemars(rename = "schedule", default)]
    schedules: Vec<RawSchedule>,
}

/// Which scaling activities are suspended. All default to false.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Suspended", deny_unknown_fields)]
pub struct RawSuspended {
    pub(crate) dynamic_scaling_in: Field<bool>,
    pub(crate) dynamic_scaling_out: Field<bool>,
    pub(crate) scheduled_scaling: Field<bool>,
}

/// The goal `tune` holds every candidate config to (docs/tune.md); every key is optional.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Goal", deny_unknown_fields)]
pub struct RawGoal {
    /// Most minutes a week with requests queued and no instance in service (async endpoints).
    #[schemars(range(min = 0))]
    pub(crate) backlog_minutes_per_week: Field<f64>,
    /// Most requests queued at the end of any minute (async endpoints).
    #[schemars(range(min = 0))]
    pub(crate) max_backlog: Field<f64>,
    /// Most concurrent requests per instance (or copy) in any minute.
    #[schemars(range(min = 0))]
    pub(crate) max_concurrency_per_instance: Field<f64>,
    /// Most scaling events a day.
    #[schemars(range(min = 0))]
    pub(crate) max_scaling_events_per_day: Field<f64>,
}

impl RawGoal {
    /// Each key with its value, in the order `tune` lists them.
    pub fn entries(&self) -> [(&'static str, &Field<f64>); 4] {
        [
            ("backlog_minutes_per_week", &self.backlog_minutes_per_week),
            ("max_backlog", &self.max_backlog),
            ("max_concurrency_per_instance", &self.max_concurrency_per_instance),
            ("max_scaling_events_per_day", &self.max_scaling_events_per_day),
        ]
    }
}

/// A scaling policy: target tracking or step scaling.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Policy", deny_unknown_fields)]
pub struct RawPolicy {
    #[schemars(skip)]
    pub(crate) origin: Origin,
    /// Policy name (1-256 printable characters). Renaming deletes and recreates the policy.
    #[schemars(required)]
    pub name: Field<String>,
    /// "target-tracking" or "step". May be left out when overriding a preset's policy.
    #[schemars(rename = "type")]
    pub kind: Field<PolicyType>,

    /// Target tracking: the metric value to hold.
    pub target: Field<f64>,
    /// Target tracking: the metric to track.
    pub metric: Field<RawMetric>,
    /// Target tracking: seconds after a scale-in before another (default 300).
    #[schemars(range(min = 0))]
    pub scale_in_cooldown: Field<i64>,
    /// Target tracking: seconds after a scale-out before another (default 300).
    #[schemars(range(min = 0))]
    pub scale_out_cooldown: Field<i64>,
    /// Target tracking: never scale in (default false).
    pub disable_scale_in: Field<bool>,

    /// Step: how `adjustment` is applied (default "ChangeInCapacity").
    pub adjustment_type: Field<AdjustmentType>,
    /// Step: seconds after a scaling activity before another (default 300).
    #[schemars(range(min = 0))]
    pub cooldown: Field<i64>,
    /// Step: how the alarm's data points are aggregated (default "Average").
    pub aggregation: Field<Aggregation>,
    /// Step: smallest change in instances, PercentChangeInCapacity only.
    #[schemars(range(min = 1))]
    pub min_adjustment_magnitude: Field<i64>,
    /// Step: intervals relative to the alarm threshold, and the adjustment for each.
    pub steps: Field<Vec<RawStep>>,
    /// Step: the CloudWatch alarm that triggers the policy (created and owned by this tool).
    pub alarm: Field<RawAlarm>,
}

/// Exactly one of `predefined`, `custom` or `math`.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Metric", deny_unknown_fields)]
pub struct RawMetric {
    /// A predefined SageMaker metric type.
    pub predefined: Field<PredefinedMetric>,
    /// A CloudWatch metric.
    pub custom: Field<RawCustomMetric>,
    /// Metric math: metrics and expressions; the last query (or the one with
    /// `return_data = true`) is the series tracked.
    pub math: Field<Vec<RawMetricQuery>>,
}

/// One query of metric math: `metric` + `namespace` + `stat`, or `expression`.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "MetricQuery", deny_unknown_fields)]
pub struct RawMetricQuery {
    #[schemars(skip)]
    pub(crate) origin: Origin,
    /// Starts with a lowercase letter; letters, digits and `_`.
    #[schemars(required)]
    pub id: Field<String>,
    /// A metric math expression over other queries' ids, e.g. "backlog / 2".
    pub expression: Field<String>,
    /// Metric name, e.g. "ApproximateBacklogSize".
    pub metric: Field<String>,
    pub(crate) namespace: Field<String>,
    /// Any CloudWatch statistic: "Average", "p90", "tm99", "TM(10%:90%)", ...
    pub stat: Field<String>,
    pub(crate) unit: Field<Unit>,
    /// Dimension name = value. Default as for custom metrics.
    #[schemars(with = "BTreeMap<String, String>")]
    pub dimensions: Field<Dimensions>,
    pub(crate) label: Field<String>,
    /// Whether this query is the series tracked (default: the last query only).
    pub return_data: Field<bool>,
}

/// One CloudWatch metric and its statistic, for target tracking (CustomizedMetricSpecification).
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "CustomMetric", deny_unknown_fields)]
pub struct RawCustomMetric {
    /// Metric name, e.g. "CPUUtilization".
    pub name: Field<String>,
    /// Namespace, e.g. "/aws/sagemaker/Endpoints" or "AWS/SageMaker".
    pub namespace: Field<String>,
    pub(crate) statistic: Field<MetricStatistic>,
    pub(crate) unit: Field<Unit>,
    /// Dimension name = value. Default: EndpointName (+ VariantName for per-variant metrics).
    #[schemars(with = "BTreeMap<String, String>")]
    pub dimensions: Field<Dimensions>,
}

/// One interval of a step policy. Bounds are relative to the alarm threshold; a missing
/// lower bound is minus infinity, a missing upper bound is plus infinity.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Step", deny_unknown_fields)]
pub struct RawStep {
    #[schemars(skip)]
    pub(crate) origin: Origin,
    pub(crate) lower: Field<f64>,
    pub(crate) upper: Field<f64>,
    /// Instances (or percent, or exact count) to add; negative removes.
    #[schemars(required)]
    pub adjustment: Field<i64>,
}

/// The CloudWatch alarm of a step policy.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Alarm", deny_unknown_fields)]
pub struct RawAlarm {
    /// Alarm name, unique in the region. Default "<endpoint>-<variant>-<policy name>".
    pub name: Field<String>,
    /// Metric name, e.g. "HasBacklogWithoutCapacity".
    pub metric: Field<String>,
    pub(crate) namespace: Field<String>,
    /// "Average", "Sum", "Minimum", "Maximum", "SampleCount" or a percentile such as "p99".
    pub statistic: Field<String>,
    /// Seconds: 10, 20, 30 or a multiple of 60.
    pub period: Field<i64>,
    #[schemars(range(min = 1))]
    pub(crate) evaluation_periods: Field<i64>,
    /// M of the N evaluation periods (default: all of them).
    #[schemars(range(min = 1))]
    pub datapoints_to_alarm: Field<i64>,
    pub(crate) threshold: Field<f64>,
    /// AWS name or one of ">", ">=", "<", "<=".
    pub comparison: Field<Comparison>,
    /// Default "missing".
    pub treat_missing_data: Field<TreatMissingData>,
    /// Dimension name = value. Default as for custom metrics.
    #[schemars(with = "BTreeMap<String, String>")]
    pub dimensions: Field<Dimensions>,
}

/// A scheduled action: set min and/or max capacity at a time or on a schedule.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(rename = "Schedule", deny_unknown_fields)]
pub struct RawSchedule {
    #[schemars(skip)]
    pub(crate) origin: Origin,
    /// Name, unique per endpoint variant (no ':', '/', '|').
    #[schemars(required)]
    pub name: Field<String>,
    /// "at(yyyy-mm-ddThh:mm:ss)", "rate(5 minutes)" or "cron(min hour dom month dow year)".
    pub schedule: Field<String>,
    /// IANA time zone for at() and cron(), e.g. "Europe/Berlin". Default "UTC".
    pub timezone: Field<String>,
    /// RFC 3339 date-time before which the action does not run.
    #[schemars(with = "String")]
    pub start_time: Field<String>,
    /// RFC 3339 date-time after which the action no longer runs.
    #[schemars(with = "String")]
    pub end_time: Field<String>,
    #[schemars(range(min = 0))]
    pub(crate) min_capacity: Field<i64>,
    #[schemars(range(min = 0))]
    pub(crate) max_capacity: Field<i64>,
}
