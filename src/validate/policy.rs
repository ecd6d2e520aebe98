//! One `[[endpoint.policy]]` -> a target-tracking or step scaling policy.

use super::metric::{EndpointContext, dimensions, metric_text, summed_across_cores};
use super::names::MetricField;
use super::{alarm, cooldown, int_in, names, required, steps};
use crate::config::raw::{Located, RawCustomMetric, RawMetric, RawPolicy};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::{AdjustmentType, Aggregation, Inference, PolicyType, PredefinedMetric};
use crate::model::{
    CustomMetric, MetricSpec, PolicyConfig, STEP_DEFAULT_COOLDOWN, Scaled, ScalingPolicy, StepScaling,
    TargetTracking,
};

/// AWS's TargetValue range: "Values must be in the range of -2^360 to 2^360" (Application
/// Auto Scaling API reference, TargetTrackingScalingPolicyConfiguration).
pub const TARGET_LIMIT: f64 = 2.348_542_582_773_833_2e108;

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
