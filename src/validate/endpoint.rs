//! One `[[endpoint]]` -> one scalable target with its policies and scheduled actions.

use std::collections::HashMap;

use super::metric::EndpointContext;
use super::policy;
use super::{AlarmUse, MAX_POLICIES_PER_TARGET, MAX_SCHEDULES_PER_TARGET, int_in, names, required, schedule};
use crate::config::raw::{Located, RawEndpoint};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, Severity, codes};
use crate::keywords::{AdjustmentType, Inference};
use crate::model::{
    DEFAULT_VARIANT, MetricSpec, PolicyConfig, ScalableDimension, ScalableTarget, Scaled, ScalingPolicy,
    ScheduledAction, SuspendedState,
};

pub fn validate(e: &RawEndpoint, alarms: &mut Vec<AlarmUse>, d: &mut Diagnostics) -> Option<ScalableTarget> {
    let (what, noun) = if e.component {
        ("[[inference_component]]", "inference component name")
    } else {
        ("[[endpoint]]", "endpoint name")
    };
    let name = required(&e.name, "name", &e.origin, what, d)?;
    let scaled = scaled(e, name, noun, d);
    let inference = e.inference.as_ref().map(|i| i.value);
    let scalable_dimension = dimension(&scaled, inference);
    let ctx = EndpointContext {
        scaled: scaled.clone(),
        inference,
        dimension: scalable_dimension,
    };

    let (min, max) = bounds(e, &ctx, what, d);
    if let Some(goal) = &e.goal {
        super::goal::validate(&goal.value, d);
    }

    let suspended = suspended(e);

    let resource_id = scaled.resource_id();
    let errors_before = d.count(Severity::Error);
    let policies = validate_policies(e, &ctx, &resource_id, alarms, d);
    let schedules = validate_schedules(e, d);

    // A policy that failed validation is missing here; judging the rest would mislead.
    let all_valid = d.count(Severity::Error) == errors_before;
    // Real-time variants cannot be at zero (checked above); serverless ones serve on demand
    // at zero provisioned concurrency, so they need no way back.
    let needs_way_back = !matches!(ctx.inference, Some(Inference::RealTime | Inference::Serverless));
    if min == Some(0) && needs_way_back && all_valid {
        check_scale_from_zero(e, &policies, &schedules, d);
    }

    let mut policies = policies;
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    let mut scheduled_actions = schedules;
    scheduled_actions.sort_by(|a, b| a.name.cmp(&b.name));
    let region = e.region.as_ref().and_then(|r| super::region(r, d));
    Some(ScalableTarget {
        region,
        scaled,
        resource_id,
        scalable_dimension,
        min_capacity: min?,
        max_capacity: max?,
        suspended,
        policies,
        scheduled_actions,
    })
}

/// What the endpoint scales: a variant of an endpoint, or an inference component; their names
/// checked.
fn scaled(e: &RawEndpoint, name: &Located<String>, noun: &str, d: &mut Diagnostics) -> Scaled {
    if let Some(why) = names::sagemaker_name(&name.value) {
        d.push(Diagnostic::new(
            &codes::INVALID_NAME,
            &name.origin,
            format!("{noun} \"{}\" {why}", name.value),
        ));
    }
    if e.component {
        Scaled::InferenceComponent {
            inference_component: name.value.clone(),
        }
    } else {
        let variant = match &e.variant {
            Some(v) => {
                if let Some(why) = names::sagemaker_name(&v.value) {
                    d.push(Diagnostic::new(
                        &codes::INVALID_NAME,
                        &v.origin,
                        format!("variant name \"{}\" {why}", v.value),
                    ));
                }
                v.value.clone()
            }
            None => DEFAULT_VARIANT.to_string(),
        };
        Scaled::Variant {
            endpoint: name.value.clone(),
            variant,
        }
    }
}

/// The scalable dimension of what is scaled, with its inference type.
fn dimension(scaled: &Scaled, inference: Option<Inference>) -> ScalableDimension {
    match (scaled, inference) {
        (Scaled::InferenceComponent { .. }, _) => ScalableDimension::InferenceComponentDesiredCopyCount,
        (Scaled::Variant { .. }, Some(Inference::Serverless)) => {
            ScalableDimension::VariantDesiredProvisionedConcurrency
        }
        (Scaled::Variant { .. }, _) => ScalableDimension::VariantDesiredInstanceCount,
    }
}

fn suspended(e: &RawEndpoint) -> SuspendedState {
    e.suspended
        .as_ref()
        .map_or_else(SuspendedState::default, |s| SuspendedState {
            dynamic_scaling_in: s.value.dynamic_scaling_in.as_ref().is_some_and(|v| v.value),
            dynamic_scaling_out: s.value.dynamic_scaling_out.as_ref().is_some_and(|v| v.value),
            scheduled_scaling: s.value.scheduled_scaling.as_ref().is_some_and(|v| v.value),
        })
}

fn validate_policies(
    e: &RawEndpoint,
    ctx: &EndpointContext,
    resource_id: &str,
    alarms: &mut Vec<AlarmUse>,
    d: &mut Diagnostics,
) -> Vec<ScalingPolicy> {
    if e.policies.len() > MAX_POLICIES_PER_TARGET {
        let extra = &e.policies[MAX_POLICIES_PER_TARGET];
        d.push(Diagnostic::new(
            &codes::TOO_MANY_POLICIES,
            &extra.origin,
            format!(
                "{} policies on one endpoint variant; AWS allows at most {MAX_POLICIES_PER_TARGET}",
                e.policies.len()
            ),
        ));
    }
    let mut by_name: HashMap<&str, &Origin> = HashMap::new();
    let mut by_metric: Vec<(MetricSpec, &str)> = Vec::new();
    let mut out = Vec::new();
    for p in &e.policies {
        if let Some(n) = &p.name
            && by_name.insert(&n.value, &n.origin).is_some()
        {
            d.push(
                Diagnostic::new(
                    &codes::DUPLICATE_POLICY,
                    &n.origin,
                    format!("policy `{}` is defined twice on `{}`", n.value, ctx.name()),
                )
                .help("policy names are unique per endpoint variant; rename or merge one of them"),
            );
            continue;
        }
        let Some((policy, alarm_origin)) = policy::validate(p, ctx, d) else {
            continue;
        };
        if let PolicyConfig::TargetTracking(tt) = &policy.config {
            if let Some((_, other)) = by_metric.iter().find(|(m, _)| *m == tt.metric) {
                let origin = p.metric.as_ref().map_or(&p.origin, |m| &m.origin);
                d.push(
                    Diagnostic::new(&codes::DUPLICATE_METRIC,
                        origin,
                        format!("policies `{other}` and `{}` track the same metric; AWS allows one target-tracking policy per metric", policy.name),
                    )
                    .help(format!("remove one of them, or name yours `{other}` to override that policy's fields")),
                );
            }
            by_metric.push((
                tt.metric.clone(),
                p.name.as_ref().map_or("", |n| n.value.as_str()),
            ));
        }
        if let (PolicyConfig::Step(step), Some(origin)) = (&policy.config, alarm_origin) {
            alarms.push(AlarmUse {
                name: step.alarm.name.clone(),
                origin,
                policy: policy.name.clone(),
                resource_id: resource_id.to_string(),
                region: e.region.as_ref().map(|r| r.value.clone()),
            });
        }
        out.push(policy);
    }
    out
}

fn validate_schedules(e: &RawEndpoint, d: &mut Diagnostics) -> Vec<ScheduledAction> {
    if e.schedules.len() > MAX_SCHEDULES_PER_TARGET {
        d.push(Diagnostic::new(
            &codes::TOO_MANY_SCHEDULES,
            &e.schedules[MAX_SCHEDULES_PER_TARGET].origin,
            format!(
                "{} scheduled actions on one endpoint variant; AWS allows at most {MAX_SCHEDULES_PER_TARGET}",
                e.schedules.len()
            ),
        ));
    }
    let mut by_name: HashMap<&str, ()> = HashMap::new();
    let mut out = Vec::new();
    for s in &e.schedules {
        if let Some(n) = &s.name
            && by_name.insert(&n.value, ()).is_some()
        {
            d.push(Diagnostic::new(
                &codes::DUPLICATE_SCHEDULE,
                &n.origin,
                format!("scheduled action `{}` is defined twice", n.value),
            ));
            continue;
        }
        out.extend(schedule::validate(s, d));
    }
    out
}

/// Metrics that AWS publishes while an async endpoint has no instance. Instance metrics
/// (CPU, GPU, memory) and invocation metrics are absent at zero, so alarms and target
/// tracking on them never fire there.
const PUBLISHED_AT_ZERO: &[&str] = &[
    "HasBacklogWithoutCapacity",
    "ApproximateBacklogSize",
    "ApproximateAgeOfOldestRequest",
    // Inference components: requests that failed because no copy was running.
    "NoCapacityInvocationFailures",
];

/// Whether a metric is known to be absent at zero instances. Metrics of other namespaces
/// (an SQS queue, your own) are the user's call.
pub(super) fn absent_at_zero(namespace: &str, metric: &str) -> bool {
    match namespace {
        "/aws/sagemaker/Endpoints" => true,
        "AWS/SageMaker" => {
            !PUBLISHED_AT_ZERO.contains(&metric) && metric != "ApproximateBacklogSizePerInstance"
        }
        _ => false,
    }
}

/// min_capacity 0 needs something that brings the first instance back.
fn check_scale_from_zero(
    e: &RawEndpoint,
    policies: &[ScalingPolicy],
    schedules: &[ScheduledAction],
    d: &mut Diagnostics,
) {
    let step_path = policies.iter().any(|p| match &p.config {
        PolicyConfig::Step(s) => {
            let adds = s.steps.iter().any(|st| match s.adjustment_type {
                AdjustmentType::ChangeInCapacity | AdjustmentType::ExactCapacity => st.scaling_adjustment > 0,
                // A percentage of zero instances is zero, unless a minimum magnitude lifts it.
                AdjustmentType::PercentChangeInCapacity => {
                    st.scaling_adjustment > 0 && s.min_adjustment_magnitude.unwrap_or(0) >= 1
                }
            });
            adds && !absent_at_zero(&s.alarm.namespace, &s.alarm.metric_name)
        }
        PolicyConfig::TargetTracking(_) => false,
    });
    let schedule_path = schedules.iter().any(|s| s.min_capacity.unwrap_or(0) >= 1);
    if step_path || schedule_path {
        return;
    }
    let origin = e.min_capacity.as_ref().map_or(&e.origin, |m| &m.origin);
    let slow_path = policies.iter().find(|p| match &p.config {
        PolicyConfig::TargetTracking(tt) => match &tt.metric {
            MetricSpec::Custom(c) => !absent_at_zero(&c.namespace, &c.metric_name),
            MetricSpec::Math(queries) => queries
                .iter()
                .filter_map(|q| q.metric.as_ref())
                .any(|m| !absent_at_zero(&m.namespace, &m.metric_name)),
            MetricSpec::Predefined(_) => false,
        },
        PolicyConfig::Step(_) => false,
    });
    match slow_path {
        Some(p) => d.push(
            Diagnostic::new(&codes::SLOW_SCALE_FROM_ZERO,
                origin,
                format!("min_capacity is 0 and only target tracking (`{}`) can scale out from zero; it starts only after the backlog exceeds the target", p.name),
            )
            .help("add the scale-from-zero step policy on HasBacklogWithoutCapacity (preset \"async-backlog\" includes it)"),
        ),
        None => d.push(
            Diagnostic::new(&codes::NO_SCALE_FROM_ZERO,
                origin,
                if e.component {
                    "min_capacity is 0 but nothing can scale this inference component out from zero: its metrics are not published while no copy runs"
                } else {
                    "min_capacity is 0 but nothing can scale this endpoint out from zero: its metrics are not published while no instance runs"
                },
            )
            .help(if e.component {
                "add a step policy whose alarm watches NoCapacityInvocationFailures (preset \"component-from-zero\"), or set min_capacity = 1"
            } else {
                "add a step policy whose alarm watches HasBacklogWithoutCapacity (preset \"async-cpu\" or \"async-backlog\"), or set min_capacity = 1"
            }),
        ),
    }
}

/// The endpoint's min and max capacity, each None when missing or out of range, with what is
/// wrong with them: min above max, max 0, min 0 where the endpoint cannot sit at zero.
fn bounds(
    e: &RawEndpoint,
    ctx: &EndpointContext,
    what: &str,
    d: &mut Diagnostics,
) -> (Option<i32>, Option<i32>) {
    let min = required(&e.min_capacity, "min_capacity", &e.origin, what, d)
        .and_then(|m| int_in(m, "min_capacity", 0, i64::from(i32::MAX), d));
    let max = required(&e.max_capacity, "max_capacity", &e.origin, what, d)
        .and_then(|m| int_in(m, "max_capacity", 0, i64::from(i32::MAX), d));
    if let (Some(lo), Some(hi), Some(min_field)) = (min, max, &e.min_capacity)
        && lo > hi
    {
        d.push(
            Diagnostic::new(
                &codes::MIN_ABOVE_MAX,
                &min_field.origin,
                format!("min_capacity ({lo}) is greater than max_capacity ({hi})"),
            )
            .help("lower min_capacity or raise max_capacity"),
        );
    }
    if let (Some(0), Some(max_field)) = (max, &e.max_capacity) {
        d.push(
            Diagnostic::new(
                &codes::MAX_ZERO,
                &max_field.origin,
                "max_capacity is 0: this endpoint can never run an instance",
            )
            .help("set max_capacity to the most instances the endpoint may use"),
        );
    }
    // Only asynchronous endpoints (and inference components) can sit at zero instances; the
    // config cannot tell an undeclared endpoint's kind, and a real-time one refuses 0.
    if let (Some(0), Scaled::Variant { .. }, None, Some(min_field)) =
        (min, &ctx.scaled, ctx.inference, &e.min_capacity)
    {
        d.push(
            Diagnostic::new(
                &codes::MIN_ZERO_UNKNOWN_KIND,
                &min_field.origin,
                "min_capacity is 0, but only asynchronous endpoints can scale to 0 instances and this endpoint does not say which kind it is",
            )
            .help("add `inference = \"async\"` if it is an asynchronous endpoint; a real-time endpoint needs min_capacity = 1"),
        );
    }
    if let (Some(0), Some(Inference::RealTime), Some(min_field)) = (min, ctx.inference, &e.min_capacity) {
        d.push(
            Diagnostic::new(&codes::MIN_ZERO_REAL_TIME, &min_field.origin, "a real-time endpoint cannot scale to 0 instances")
                .help("set min_capacity to at least 1; only async endpoints and inference components can scale to zero"),
        );
    }
    (min, max)
}
