//! One `[[endpoint.policy]]` -> a target-tracking or step scaling policy.

use super::names::MetricField;
use super::{alarm, cooldown, int_in, names, required, steps};
use crate::config::raw::{Dimensions, Field, Located, RawCustomMetric, RawMetric, RawPolicy};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::{AdjustmentType, Aggregation, Inference, PolicyType, PredefinedMetric};
use crate::model::{
    ASYNC_METRICS, CustomMetric, Dimension, MetricSpec, PolicyConfig, STEP_DEFAULT_COOLDOWN,
    ScalableDimension, Scaled, ScalingPolicy, StepScaling, TargetTracking,
};

/// AWS's TargetValue range: "Values must be in the range of -2^360 to 2^360" (Application
/// Auto Scaling API reference, TargetTrackingScalingPolicyConfiguration).
pub const TARGET_LIMIT: f64 = 2.348_542_582_773_833_2e108;
pub const MAX_DIMENSIONS: usize = 30;

pub struct EndpointContext {
    pub scaled: Scaled,
    pub inference: Option<Inference>,
    pub dimension: ScalableDimension,
}

impl EndpointContext {
    /// The endpoint's or inference component's name.
    pub fn name(&self) -> &str {
        match &self.scaled {
            Scaled::Variant { endpoint, .. } => endpoint,
            Scaled::InferenceComponent { inference_component } => inference_component,
        }
    }
}

/// The policy, and where its alarm's name was set (for the uniqueness check).
pub fn validate(
    p: &RawPolicy,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<(ScalingPolicy, Option<Origin>)> {
    let name = required(&p.name, "name", &p.origin, "[[endpoint.policy]]", d)?;
    if let Some(why) = names::policy_name(&name.value) {
        d.push(Diagnostic::new(
            &codes::INVALID_NAME,
            &name.origin,
            format!("policy name {why}"),
        ));
    }
    let what = format!("policy `{}`", name.value);
    let Some(kind) = &p.kind else {
        d.push(
            Diagnostic::new(&codes::MISSING_KEY, &p.origin, format!("{what} has no `type`"))
                .help("add `type = \"target-tracking\"` or `type = \"step\"`"),
        );
        return None;
    };
    match kind.value {
        PolicyType::TargetTracking => {
            reject_fields(
                kind,
                &[
                    ("adjustment_type", p.adjustment_type.as_ref().map(|f| &f.origin)),
                    ("cooldown", p.cooldown.as_ref().map(|f| &f.origin)),
                    ("aggregation", p.aggregation.as_ref().map(|f| &f.origin)),
                    (
                        "min_adjustment_magnitude",
                        p.min_adjustment_magnitude.as_ref().map(|f| &f.origin),
                    ),
                    ("steps", p.steps.as_ref().map(|f| &f.origin)),
                    ("alarm", p.alarm.as_ref().map(|f| &f.origin)),
                ],
                d,
            );
            let tt = target_tracking(p, &what, ctx, d)?;
            Some((
                ScalingPolicy {
                    name: name.value.clone(),
                    config: PolicyConfig::TargetTracking(tt),
                },
                None,
            ))
        }
        PolicyType::Step => {
            reject_fields(
                kind,
                &[
                    ("target", p.target.as_ref().map(|f| &f.origin)),
                    ("metric", p.metric.as_ref().map(|f| &f.origin)),
                    (
                        "scale_in_cooldown",
                        p.scale_in_cooldown.as_ref().map(|f| &f.origin),
                    ),
                    (
                        "scale_out_cooldown",
                        p.scale_out_cooldown.as_ref().map(|f| &f.origin),
                    ),
                    ("disable_scale_in", p.disable_scale_in.as_ref().map(|f| &f.origin)),
                ],
                d,
            );
            let (step, alarm_origin) = step_scaling(p, &name.value, &what, ctx, d)?;
            Some((
                ScalingPolicy {
                    name: name.value.clone(),
                    config: PolicyConfig::Step(step),
                },
                Some(alarm_origin),
            ))
        }
    }
}

fn reject_fields(kind: &Located<PolicyType>, fields: &[(&str, Option<&Origin>)], d: &mut Diagnostics) {
    let other = match kind.value {
        PolicyType::TargetTracking => "step",
        PolicyType::Step => "target-tracking",
    };
    for (key, origin) in fields {
        if let Some(origin) = origin {
            d.push(
                Diagnostic::new(
                    &codes::FIELD_NOT_FOR_TYPE,
                    origin,
                    format!(
                        "`{key}` belongs to {other} policies, but this policy is {}",
                        kind.value
                    ),
                )
                .help(format!(
                    "remove `{key}`, or change `type` if this should be a {other} policy"
                )),
            );
        }
    }
}

fn target_tracking(
    p: &RawPolicy,
    what: &str,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<TargetTracking> {
    let target = required(&p.target, "target", &p.origin, what, d).and_then(|t| target_value(t, d));
    let metric = required(&p.metric, "metric", &p.origin, what, d).and_then(|m| metric(m, target, ctx, d));
    let scale_in = p
        .scale_in_cooldown
        .as_ref()
        .map_or(Some(ctx.dimension.tracking_cooldown()), |c| {
            cooldown(c, "scale_in_cooldown", d).map(Some)
        });
    let scale_out = p
        .scale_out_cooldown
        .as_ref()
        .map_or(Some(ctx.dimension.tracking_cooldown()), |c| {
            cooldown(c, "scale_out_cooldown", d).map(Some)
        });
    Some(TargetTracking {
        target_value: target?,
        metric: metric?,
        scale_in_cooldown: scale_in?,
        scale_out_cooldown: scale_out?,
        disable_scale_in: p.disable_scale_in.as_ref().is_some_and(|b| b.value),
    })
}

/// A number as a reader takes it in: very large or very small ones in exponent form.
fn show_number(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

fn target_value(t: &Located<f64>, d: &mut Diagnostics) -> Option<f64> {
    if !(t.value.is_finite() && (-TARGET_LIMIT..=TARGET_LIMIT).contains(&t.value)) {
        d.push(
            Diagnostic::new(
                &codes::OUT_OF_RANGE,
                &t.origin,
                format!(
                    "target {} is outside AWS's range (-2^360 to 2^360)",
                    show_number(t.value)
                ),
            )
            .help("use a target value of the metric, e.g. `target = 50.0`"),
        );
        return None;
    }
    if t.value <= 0.0 {
        // AWS takes it; but a utilization, a count or a backlog is never below zero, so the
        // metric always sits at or above the target and the policy only ever scales out.
        d.push(
            Diagnostic::new(
                &codes::TARGET_NOT_POSITIVE,
                &t.origin,
                format!("target {} is not above zero: the metrics that scale an endpoint never go below zero, so this policy would only ever scale out", show_number(t.value)),
            )
            .help("use a positive target value of the metric, e.g. `target = 50.0`; ignore this warning if your own metric can be negative"),
        );
    }
    Some(t.value)
}

fn metric(
    m: &Located<RawMetric>,
    target: Option<f64>,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<MetricSpec> {
    let RawMetric {
        predefined: pre,
        custom: cus,
        math: queries,
    } = &m.value;
    match (pre, cus, queries) {
        (Some(p), None, None) => predefined(p, ctx, d).map(MetricSpec::Predefined),
        (None, Some(c), None) => custom(c, target, ctx, d).map(MetricSpec::Custom),
        (None, None, Some(q)) => super::math::queries(q, ctx, d).map(MetricSpec::Math),
        (None, None, None) => {
            d.push(
                Diagnostic::new(
                    &codes::METRIC_CHOICE,
                    &m.origin,
                    "`metric` needs `predefined`, `custom` or `math`",
                )
                .help("e.g. `metric = { predefined = \"SageMakerVariantInvocationsPerInstance\" }`"),
            );
            None
        }
        _ => {
            let given: Vec<&str> = [
                pre.is_some().then_some("`predefined`"),
                cus.is_some().then_some("`custom`"),
                queries.is_some().then_some("`math`"),
            ]
            .into_iter()
            .flatten()
            .collect();
            d.push(
                Diagnostic::new(&codes::METRIC_CHOICE,
                    &m.origin,
                    match given.as_slice() {
                        [a, b] => format!("`metric` has both {a} and {b}"),
                        _ => format!("`metric` has {}", given.join(", ")),
                    },
                )
                .help(
                    "keep one: `{ predefined = \"...\" }`, `{ custom = { name, namespace, statistic } }` or `{ math = [...] }`",
                ),
            );
            None
        }
    }
}

fn predefined(
    p: &Located<PredefinedMetric>,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<PredefinedMetric> {
    let component = matches!(ctx.scaled, Scaled::InferenceComponent { .. });
    let serverless = ctx.inference == Some(Inference::Serverless);
    let provisioned = p.value == PredefinedMetric::VariantProvisionedConcurrencyUtilization;
    let wrong = if p.value.is_inference_component() != component {
        Some(if component {
            (
                "an endpoint variant",
                "an inference component",
                "use SageMakerInferenceComponentInvocationsPerCopy or SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
            )
        } else {
            (
                "an inference component",
                "an endpoint variant",
                "use a SageMakerVariant* metric for an endpoint variant",
            )
        })
    } else if !component && provisioned != serverless {
        Some(if serverless {
            (
                "a variant with instances",
                "a serverless variant (provisioned concurrency)",
                "use SageMakerVariantProvisionedConcurrencyUtilization",
            )
        } else {
            (
                "a serverless variant",
                "a variant with instances",
                "set `inference = \"serverless\"` on a serverless endpoint, or use another metric",
            )
        })
    } else {
        None
    };
    if let Some((of, this, help)) = wrong {
        d.push(
            Diagnostic::new(
                &codes::WRONG_TARGET_METRIC,
                &p.origin,
                format!("{} is a metric of {of}, and this is {this}", p.value),
            )
            .help(help),
        );
        return None;
    }
    if p.value == PredefinedMetric::VariantInvocationsPerInstance && ctx.inference == Some(Inference::Async) {
        d.push(not_published_on_async(
            &p.origin,
            "SageMakerVariantInvocationsPerInstance",
        ));
        return None;
    }
    Some(p.value)
}

fn not_published_on_async(origin: &Origin, metric: &str) -> Diagnostic {
    Diagnostic::new(
        &codes::METRIC_NOT_PUBLISHED,
        origin,
        format!(
            "async endpoints do not publish invocation metrics, so {metric} would never scale this endpoint"
        ),
    )
    .help("track ApproximateBacklogSizePerInstance instead (preset \"async-backlog\")")
}

fn custom(
    c: &Located<RawCustomMetric>,
    target: Option<f64>,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<CustomMetric> {
    let what = "`custom` metric";
    let name = required(&c.value.name, "name", &c.origin, what, d)
        .and_then(|n| metric_text(n, MetricField::Name, false, d));
    let namespace = required(&c.value.namespace, "namespace", &c.origin, what, d)
        .and_then(|n| metric_text(n, MetricField::Namespace, false, d));
    let statistic = required(&c.value.statistic, "statistic", &c.origin, what, d).map(|s| s.value);
    let (name, namespace) = (name?, namespace?);
    if ctx.inference == Some(Inference::Async)
        && namespace == "AWS/SageMaker"
        && matches!(name.as_str(), "Invocations" | "InvocationsPerInstance")
        && let Some(n) = &c.value.name
    {
        d.push(not_published_on_async(&n.origin, &name));
    }
    if let Some(n) = &c.value.name {
        summed_across_cores(&namespace, &name, &n.origin, target, d);
    }
    let dimensions = dimensions(&c.value.dimensions, &namespace, &name, ctx, d)?;
    Some(CustomMetric {
        metric_name: name,
        namespace,
        statistic: statistic?,
        unit: c.value.unit.as_ref().map(|u| u.value),
        dimensions,
    })
}

/// SageMaker's instance metrics add up all cores (or GPUs): 0-100 x vCPUs.
pub fn summed_across_cores(
    namespace: &str,
    metric: &str,
    origin: &Origin,
    target: Option<f64>,
    d: &mut Diagnostics,
) {
    let unit = match metric {
        "CPUUtilization" => "vCPU",
        "GPUUtilization" | "GPUMemoryUtilization" => "GPU",
        _ => return,
    };
    if namespace != "/aws/sagemaker/Endpoints" {
        return;
    }
    let example = target.map_or(String::new(), |t| format!(": {t} means {}% of one {unit}", t));
    d.push(
        Diagnostic::new(&codes::SUMMED_ACROSS_CORES,
            origin,
            format!("{metric} is the sum over all {unit}s of an instance (0 to 100 x {unit}s){example}"),
        )
        .help(format!("multiply the per-{unit} percentage you want by the instance's {unit} count, e.g. 4 {unit}s at 50% each = 200")),
    );
}

/// A metric name or namespace, or an `invalid-name` error where it was written. `in_math`: the
/// metric of a metric math query (see `names::metric_text`).
pub(super) fn metric_text(
    field: &Located<String>,
    kind: MetricField,
    in_math: bool,
    d: &mut Diagnostics,
) -> Option<String> {
    let what = match kind {
        MetricField::Name => "metric name",
        MetricField::Namespace => "namespace",
    };
    match names::metric_text(&field.value, kind, in_math) {
        Some(why) => {
            d.push(
                Diagnostic::new(
                    &codes::INVALID_NAME,
                    &field.origin,
                    format!("{what} {:?} {why}", field.value),
                )
                .help("CloudWatch metric names and namespaces have 1 to 255 characters, none of them a control character in metric math; a namespace may not start with ':' nor hold a line break"),
            );
            None
        }
        None => Some(field.value.clone()),
    }
}

/// The dimensions as written, or the ones SageMaker publishes the metric with, sorted by name.
pub(super) fn dimensions(
    field: &Field<Dimensions>,
    namespace: &str,
    metric: &str,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<Vec<Dimension>> {
    let dim = |name: &str, value: &str| Dimension {
        name: name.into(),
        value: value.into(),
    };
    let Some(given) = field else {
        let mut dims = match (&ctx.scaled, namespace) {
            (Scaled::InferenceComponent { .. }, "AWS/SageMaker" | "/aws/sagemaker/InferenceComponents")
            | (Scaled::Variant { .. }, "/aws/sagemaker/Endpoints") => ctx.scaled.own_dimensions(),
            (Scaled::Variant { endpoint, .. }, "AWS/SageMaker") if ASYNC_METRICS.contains(&metric) => {
                vec![dim("EndpointName", endpoint)]
            }
            (Scaled::Variant { .. }, "AWS/SageMaker") => ctx.scaled.own_dimensions(),
            _ => Vec::new(),
        };
        dims.sort();
        return Some(dims);
    };
    if given.value.len() > MAX_DIMENSIONS {
        d.push(Diagnostic::new(
            &codes::OUT_OF_RANGE,
            &given.origin,
            format!(
                "{} dimensions; CloudWatch allows at most {MAX_DIMENSIONS}",
                given.value.len()
            ),
        ));
        return None;
    }
    let mut ok = true;
    let mut dims = Vec::new();
    for (name, value) in &given.value {
        for (text, is_name) in [(name, true), (value, false)] {
            if let Some(why) = names::dimension_text(&text.value, is_name) {
                d.push(
                    Diagnostic::new(
                        &codes::INVALID_NAME,
                        &text.origin,
                        format!(
                            "dimension {} {:?} {why}",
                            if is_name { "name" } else { "value" },
                            text.value
                        ),
                    )
                    .help("CloudWatch dimensions are ASCII text without control characters, not only spaces; a name may not start with ':'"),
                );
                ok = false;
            }
        }
        dims.push(dim(&name.value, &value.value));
    }
    dims.sort();
    ok.then_some(dims)
}

fn step_scaling(
    p: &RawPolicy,
    policy_name: &str,
    what: &str,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<(StepScaling, Origin)> {
    let adjustment_type = p
        .adjustment_type
        .as_ref()
        .map_or(AdjustmentType::ChangeInCapacity, |a| a.value);
    let cooldown = p
        .cooldown
        .as_ref()
        .map_or(Some(STEP_DEFAULT_COOLDOWN), |c| cooldown(c, "cooldown", d));
    let min_magnitude = match &p.min_adjustment_magnitude {
        None => Some(None),
        Some(m) if adjustment_type != AdjustmentType::PercentChangeInCapacity => {
            d.push(
                Diagnostic::new(&codes::MIN_ADJUSTMENT_MAGNITUDE, &m.origin, format!("`min_adjustment_magnitude` only applies to PercentChangeInCapacity, not {adjustment_type}"))
                    .help("remove it, or set `adjustment_type = \"PercentChangeInCapacity\"`"),
            );
            None
        }
        Some(m) => int_in(m, "min_adjustment_magnitude", 1, i64::from(i32::MAX), d).map(Some),
    };
    let steps =
        required(&p.steps, "steps", &p.origin, what, d).and_then(|s| steps::validate(s, adjustment_type, d));
    let alarm =
        required(&p.alarm, "alarm", &p.origin, what, d).and_then(|a| alarm::validate(a, policy_name, ctx, d));
    let (alarm, alarm_origin) = alarm?;
    Some((
        StepScaling {
            adjustment_type,
            cooldown: cooldown?,
            metric_aggregation_type: p.aggregation.as_ref().map_or(Aggregation::Average, |a| a.value),
            min_adjustment_magnitude: min_magnitude?,
            steps: steps?,
            alarm,
        },
        alarm_origin,
    ))
}
