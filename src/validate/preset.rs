//! Presets: a named bundle of policies and endpoint defaults, expanded into the same raw
//! form a user could have written, so everything after this step sees one shape.
//!
//! Precedence, highest first: a field of an explicit `[[endpoint.policy]]` with the preset
//! policy's name; the endpoint's `target` / `scale_in_cooldown` / `scale_out_cooldown` (for
//! the preset's target-tracking policy); the preset's value.

use crate::config::raw::{
    Field, Located, RawAlarm, RawCustomMetric, RawEndpoint, RawMetric, RawPolicy, RawStep,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::{
    AdjustmentType, Aggregation, Comparison, Inference, Keyword, MetricStatistic, PolicyType,
    PredefinedMetric, Preset, TreatMissingData, Unit,
};

macro_rules! at {
    ($origin:expr, $value:expr) => {
        Some(Located::new($value, $origin.clone()))
    };
}

pub(crate) const CPU_POLICY: &str = "CPUUtil-ScalingPolicy";
pub(crate) const BACKLOG_POLICY: &str = "ApproximateBacklogSizePerInstance-ScalingPolicy";
pub(crate) const FROM_ZERO_POLICY: &str = "HasBacklogWithoutCapacity-ScalingPolicy";
pub(crate) const INVOCATIONS_POLICY: &str = "SageMakerEndpointInvocationScalingPolicy";
pub const COPY_INVOCATIONS_POLICY: &str = "InvocationsPerCopy-ScalingPolicy";
pub const NO_CAPACITY_POLICY: &str = "NoCapacityInvocationFailures-ScalingPolicy";

/// Expands the endpoint's preset in place. Without a preset, checks that no preset-only
/// field is set.
pub fn expand(e: &mut RawEndpoint, d: &mut Diagnostics) {
    let Some(preset) = e.preset.clone() else {
        preset_fields_without_preset(e, d);
        return;
    };
    let at = Origin::Preset {
        preset: preset.value.as_str(),
        span: match &preset.origin {
            Origin::File { span } => Some(span.clone()),
            _ => None,
        },
    };
    if !preset_fits(e, &preset, d) {
        return;
    }
    let (inference, min, mut policies) = match preset.value {
        Preset::AsyncCpu => (
            Some(Inference::Async),
            0,
            vec![cpu_policy(&at), from_zero_policy(&at)],
        ),
        Preset::AsyncBacklog => (
            Some(Inference::Async),
            0,
            vec![backlog_policy(&at), from_zero_policy(&at)],
        ),
        Preset::RealtimeInvocations => (Some(Inference::RealTime), 1, vec![invocations_policy(&at)]),
        Preset::ComponentFromZero => (
            None,
            0,
            vec![copy_invocations_policy(&at), no_capacity_policy(&at)],
        ),
    };
    if let Some(inference) = inference {
        e.inference = e.inference.take().or(at!(at, inference));
    }
    e.min_capacity = e.min_capacity.take().or(at!(at, min));

    // Endpoint-level overrides land on the preset's (first, target-tracking) policy.
    let tracking = &mut policies[0];
    override_with(&mut tracking.target, &e.target);
    override_with(&mut tracking.scale_in_cooldown, &e.scale_in_cooldown);
    override_with(&mut tracking.scale_out_cooldown, &e.scale_out_cooldown);

    merge_policies(e, policies, &preset, d);
}

/// Without a preset, a preset-only field set on the endpoint is an error.
fn preset_fields_without_preset(e: &RawEndpoint, d: &mut Diagnostics) {
    for (field, key) in [
        (e.target.as_ref().map(|f| &f.origin), "target"),
        (
            e.scale_in_cooldown.as_ref().map(|f| &f.origin),
            "scale_in_cooldown",
        ),
        (
            e.scale_out_cooldown.as_ref().map(|f| &f.origin),
            "scale_out_cooldown",
        ),
    ] {
        if let Some(origin) = field {
            d.push(
                Diagnostic::new(&codes::NEEDS_PRESET, origin, format!("`{key}` on an endpoint sets the preset's target-tracking policy, but this endpoint has no `preset`"))
                    .help(format!("add `preset = \"async-cpu\"` (or another preset), or move `{key}` into a [[endpoint.policy]]")),
            );
        }
    }
}

/// Whether the preset is for this kind of target (variant or inference component); an error
/// if not.
fn preset_fits(e: &RawEndpoint, preset: &Located<Preset>, d: &mut Diagnostics) -> bool {
    let for_component = preset.value == Preset::ComponentFromZero;
    if for_component != e.component {
        let (this, other) = if e.component {
            ("an [[inference_component]]", "endpoint variants")
        } else {
            ("an [[endpoint]]", "inference components")
        };
        d.push(
            Diagnostic::new(
                &codes::PRESET_NOT_FOR_KIND,
                &preset.origin,
                format!("preset `{}` is for {other}, and this is {this}", preset.value),
            )
            .help(if e.component {
                "use preset \"component-from-zero\", or write the policies out"
            } else {
                "use \"async-cpu\", \"async-backlog\" or \"realtime-invocations\""
            }),
        );
        return false;
    }
    true
}

/// The preset's policies, each overlaid with the endpoint's explicit policy of its name (which
/// may not change its type), then the other explicit policies.
fn merge_policies(
    e: &mut RawEndpoint,
    policies: Vec<RawPolicy>,
    preset: &Located<Preset>,
    d: &mut Diagnostics,
) {
    let mut merged = Vec::new();
    for base in policies {
        let name = base.name.as_ref().map(|n| n.value.clone());
        let explicit = e
            .policies
            .iter()
            .position(|p| p.name.as_ref().map(|n| &n.value) == name.as_ref());
        match explicit {
            Some(i) => {
                let p = e.policies.remove(i);
                if let (Some(kind), Some(base_kind)) = (&p.kind, &base.kind)
                    && kind.value != base_kind.value
                {
                    d.push(
                        Diagnostic::new(&codes::PRESET_COLLISION,
                            &kind.origin,
                            format!(
                                "policy `{}` is a {} policy in preset `{}`; an explicit policy of that name can override its fields but not change its type",
                                name.unwrap_or_default(),
                                base_kind.value,
                                preset.value
                            ),
                        )
                        .help("give your policy another name, or remove `type` to override the preset's policy"),
                    );
                    merged.push(base);
                    continue;
                }
                merged.push(overlay(p, base));
            }
            None => merged.push(base),
        }
    }
    merged.append(&mut e.policies);
    e.policies = merged;
}

fn override_with<T: Clone>(field: &mut Field<T>, value: &Field<T>) {
    if value.is_some() {
        field.clone_from(value);
    }
}

/// `top`'s fields where set, else `base`'s.
fn overlay(top: RawPolicy, base: RawPolicy) -> RawPolicy {
    RawPolicy {
        origin: top.origin,
        name: top.name.or(base.name),
        kind: top.kind.or(base.kind),
        target: top.target.or(base.target),
        metric: top.metric.or(base.metric),
        scale_in_cooldown: top.scale_in_cooldown.or(base.scale_in_cooldown),
        scale_out_cooldown: top.scale_out_cooldown.or(base.scale_out_cooldown),
        disable_scale_in: top.disable_scale_in.or(base.disable_scale_in),
        adjustment_type: top.adjustment_type.or(base.adjustment_type),
        cooldown: top.cooldown.or(base.cooldown),
        aggregation: top.aggregation.or(base.aggregation),
        min_adjustment_magnitude: top.min_adjustment_magnitude.or(base.min_adjustment_magnitude),
        steps: top.steps.or(base.steps),
        alarm: match (top.alarm, base.alarm) {
            (Some(t), Some(b)) => Some(Located::new(overlay_alarm(t.value, b.value), t.origin)),
            (t, b) => t.or(b),
        },
    }
}

fn overlay_alarm(top: RawAlarm, base: RawAlarm) -> RawAlarm {
    RawAlarm {
        name: top.name.or(base.name),
        metric: top.metric.or(base.metric),
        namespace: top.namespace.or(base.namespace),
        statistic: top.statistic.or(base.statistic),
        period: top.period.or(base.period),
        evaluation_periods: top.evaluation_periods.or(base.evaluation_periods),
        datapoints_to_alarm: top.datapoints_to_alarm.or(base.datapoints_to_alarm),
        threshold: top.threshold.or(base.threshold),
        comparison: top.comparison.or(base.comparison),
        treat_missing_data: top.treat_missing_data.or(base.treat_missing_data),
        dimensions: top.dimensions.or(base.dimensions),
    }
}

/// Target tracking on the endpoint's summed CPUUtilization, as the seed document sets it up.
fn cpu_policy(at: &Origin) -> RawPolicy {
    RawPolicy {
        origin: at.clone(),
        name: at!(at, CPU_POLICY.to_string()),
        kind: at!(at, PolicyType::TargetTracking),
        target: at!(at, 50.0),
        metric: at!(
            at,
            custom_metric(
                at,
                "CPUUtilization",
                "/aws/sagemaker/Endpoints",
                Some(Unit::Percent)
            )
        ),
        scale_in_cooldown: at!(at, 300),
        scale_out_cooldown: at!(at, 300),
        ..RawPolicy::default()
    }
}

/// AWS's recommended async policy (SageMaker guide, "Autoscale an asynchronous endpoint").
fn backlog_policy(at: &Origin) -> RawPolicy {
    RawPolicy {
        origin: at.clone(),
        name: at!(at, BACKLOG_POLICY.to_string()),
        kind: at!(at, PolicyType::TargetTracking),
        target: at!(at, 5.0),
        metric: at!(
            at,
            custom_metric(at, "ApproximateBacklogSizePerInstance", "AWS/SageMaker", None)
        ),
        scale_in_cooldown: at!(at, 600),
        scale_out_cooldown: at!(at, 300),
        ..RawPolicy::default()
    }
}

/// Target tracking on a predefined metric with 300 s cooldowns both ways.
fn predefined_policy(at: &Origin, name: &str, metric: PredefinedMetric, target: f64) -> RawPolicy {
    RawPolicy {
        origin: at.clone(),
        name: at!(at, name.to_string()),
        kind: at!(at, PolicyType::TargetTracking),
        target: at!(at, target),
        metric: at!(
            at,
            RawMetric {
                predefined: at!(at, metric),
                custom: None,
                math: None,
            }
        ),
        scale_in_cooldown: at!(at, 300),
        scale_out_cooldown: at!(at, 300),
        ..RawPolicy::default()
    }
}

/// Target tracking on invocations per instance, for real-time endpoints.
fn invocations_policy(at: &Origin) -> RawPolicy {
    predefined_policy(
        at,
        INVOCATIONS_POLICY,
        PredefinedMetric::VariantInvocationsPerInstance,
        5.0,
    )
}

/// Target tracking on invocations per copy, as the SageMaker guide's scale-to-zero example
/// for inference components sets it up (target 1, cooldowns 300).
fn copy_invocations_policy(at: &Origin) -> RawPolicy {
    predefined_policy(
        at,
        COPY_INVOCATIONS_POLICY,
        PredefinedMetric::InferenceComponentInvocationsPerCopy,
        1.0,
    )
}

/// What differs between the two scale-from-zero step policies the SageMaker guide documents.
struct FromZero {
    name: &'static str,
    cooldown: i64,
    aggregation: Aggregation,
    metric: &'static str,
    statistic: MetricStatistic,
    evaluation_periods: i64,
    comparison: Comparison,
}

/// A step policy adding one when its alarm (`AWS/SageMaker`, 60 s periods, threshold 1, all
/// datapoints breaching, missing data missing) fires.
fn plus_one_from_zero(at: &Origin, p: &FromZero) -> RawPolicy {
    RawPolicy {
        origin: at.clone(),
        name: at!(at, p.name.to_string()),
        kind: at!(at, PolicyType::Step),
        adjustment_type: at!(at, AdjustmentType::ChangeInCapacity),
        cooldown: at!(at, p.cooldown),
        aggregation: at!(at, p.aggregation),
        steps: at!(
            at,
            vec![RawStep {
                origin: at.clone(),
                lower: at!(at, 0.0),
                upper: None,
                adjustment: at!(at, 1)
            }]
        ),
        alarm: at!(
            at,
            RawAlarm {
                name: None,
                metric: at!(at, p.metric.to_string()),
                namespace: at!(at, "AWS/SageMaker".to_string()),
                statistic: at!(at, p.statistic.to_string()),
                period: at!(at, 60),
                evaluation_periods: at!(at, p.evaluation_periods),
                datapoints_to_alarm: at!(at, p.evaluation_periods),
                threshold: at!(at, 1.0),
                comparison: at!(at, p.comparison),
                treat_missing_data: at!(at, TreatMissingData::Missing),
                dimensions: None,
            }
        ),
        ..RawPolicy::default()
    }
}

/// Scale from zero: +1 instance when requests wait and no instance runs, with the alarm
/// exactly as the SageMaker guide documents it for async endpoints.
fn from_zero_policy(at: &Origin) -> RawPolicy {
    plus_one_from_zero(
        at,
        &FromZero {
            name: FROM_ZERO_POLICY,
            cooldown: 300,
            aggregation: Aggregation::Average,
            metric: "HasBacklogWithoutCapacity",
            statistic: MetricStatistic::Average,
            evaluation_periods: 2,
            comparison: Comparison::GreaterThanOrEqualToThreshold,
        },
    )
}

/// Scale an inference component from zero copies: +1 copy when invocations fail for lack of
/// capacity (the step policy and NoCapacityInvocationFailures alarm of SageMaker's guide "Scale
/// an endpoint to zero instances", endpoint-auto-scaling-zero-instances.html). The alarm fires
/// on the first failed request, Sum >= 1 over 60 s: the guide's `GreaterThanThreshold` 1 needs
/// two failures in one minute, and a component at zero often gets one request a minute.
fn no_capacity_policy(at: &Origin) -> RawPolicy {
    plus_one_from_zero(
        at,
        &FromZero {
            name: NO_CAPACITY_POLICY,
            cooldown: 60,
            aggregation: Aggregation::Maximum,
            metric: "NoCapacityInvocationFailures",
            statistic: MetricStatistic::Sum,
            evaluation_periods: 1,
            comparison: Comparison::GreaterThanOrEqualToThreshold,
        },
    )
}

fn custom_metric(at: &Origin, name: &str, namespace: &str, unit: Option<Unit>) -> RawMetric {
    RawMetric {
        predefined: None,
        custom: at!(
            at,
            RawCustomMetric {
                name: at!(at, name.to_string()),
                namespace: at!(at, namespace.to_string()),
                statistic: at!(at, MetricStatistic::Average),
                unit: unit.map(|u| Located::new(u, at.clone())),
                dimensions: None,
            }
        ),
        math: None,
    }
}
