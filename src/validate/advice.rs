//! Advice: warnings about configs AWS accepts but that will not behave as intended. Each has
//! a code that `ignore_warnings` (top level or per endpoint) switches off: the warnings of
//! the registry, `crate::diagnostic::codes`.

use crate::config::raw::{Located, RawEndpoint, RawPolicy};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, codes};
use crate::keywords::{AdjustmentType, TreatMissingData};
use crate::model::{PolicyConfig, ScalableTarget};
use crate::schedule::bound_conflicts;

/// The advice that needs the validated target (the rest is given where the field is read).
pub fn check(e: &RawEndpoint, target: &ScalableTarget, d: &mut Diagnostics) {
    for p in &target.policies {
        let PolicyConfig::Step(step) = &p.config else {
            continue;
        };
        let raw = raw_policy(e, &p.name);
        let alarm = &step.alarm;
        let window = i64::from(alarm.period) * i64::from(alarm.evaluation_periods);
        let cooldown = step.cooldown;
        if i64::from(cooldown) < window {
            let origin = raw
                .and_then(|r| r.cooldown.as_ref().map(|c| c.origin.clone()))
                .or_else(|| raw.map(|r| r.origin.clone()))
                .unwrap_or_else(|| e.origin.clone());
            d.push(
                Diagnostic::new(&codes::COOLDOWN_SHORTER_THAN_ALARM,
                    &origin,
                    format!(
                        "policy `{}`: cooldown {} s is shorter than its alarm's window ({} x {} s = {window} s); the alarm is still in ALARM when the cooldown ends, so the policy fires again before its last change shows in the metric",
                        p.name, cooldown, alarm.evaluation_periods, alarm.period
                    ),
                )
                .help(format!("set `cooldown = {window}` or more, or shorten the alarm's period x evaluation_periods")),
            );
        }
        if target.min_capacity == 0
            && alarm.treat_missing_data == TreatMissingData::Breaching
            && super::endpoint::absent_at_zero(&alarm.namespace, &alarm.metric_name)
        {
            let origin = raw
                .and_then(|r| r.alarm.as_ref())
                .and_then(|a| a.value.treat_missing_data.as_ref().map(|t| t.origin.clone()))
                .unwrap_or_else(|| e.origin.clone());
            d.push(
                Diagnostic::new(&codes::BREACHING_WHEN_ABSENT,
                    &origin,
                    format!(
                        "alarm `{}` treats missing data as breaching, but {} is not published while no instance runs: at 0 instances the alarm stays in ALARM and policy `{}` keeps firing",
                        alarm.name, alarm.metric_name, p.name
                    ),
                )
                .help("use treat_missing_data = \"missing\" or \"notBreaching\", or watch a metric published at zero (HasBacklogWithoutCapacity)"),
            );
        }
    }
    let tracking = target
        .policies
        .iter()
        .any(|p| matches!(p.config, PolicyConfig::TargetTracking(_)));
    if tracking && !can_scale_in(target) {
        d.push(
            Diagnostic::new(&codes::NO_SCALE_IN,
                &e.origin,
                format!(
                    "scale-in is disabled everywhere on {}: every target-tracking policy has disable_scale_in and no step policy or scheduled action removes capacity, so capacity that goes up stays up",
                    target.resource_id
                ),
            )
            .help("let one target-tracking policy scale in (remove `disable_scale_in`), or add a step policy with a negative adjustment"),
        );
    }
    one_sided_schedules(e, target, d);
}

/// A scheduled action that sets only min (or max) fails when it runs while the other bound in
/// force is on the wrong side of it: AWS advises that "in some cases you must include both
/// sizes to ensure that the new minimum capacity is not greater than the maximum" (user guide,
/// scheduled scaling), and a failed run is visible only in DescribeScalingActivities.
fn one_sided_schedules(e: &RawEndpoint, target: &ScalableTarget, d: &mut Diagnostics) {
    for conflict in bound_conflicts(
        target.min_capacity,
        target.max_capacity,
        &target.scheduled_actions,
    ) {
        let origin = e
            .schedules
            .iter()
            .find(|s| s.name.as_ref().is_some_and(|n| n.value == conflict.action))
            .map_or(&e.origin, |s| &s.origin);
        d.push(
            Diagnostic::new(&codes::ONE_SIDED_SCHEDULE, origin, conflict.message).help(
                "give the action both min_capacity and max_capacity, so its run never meets the other bound",
            ),
        );
    }
}

/// Some policy or scheduled action can bring capacity down.
fn can_scale_in(target: &ScalableTarget) -> bool {
    let policy = target.policies.iter().any(|p| match &p.config {
        PolicyConfig::TargetTracking(tt) => !tt.disable_scale_in,
        PolicyConfig::Step(s) => {
            s.adjustment_type == AdjustmentType::ExactCapacity
                || s.steps.iter().any(|st| st.scaling_adjustment < 0)
        }
    });
    let schedule = target
        .scheduled_actions
        .iter()
        .any(|s| s.max_capacity.is_some_and(|m| m < target.max_capacity));
    policy || schedule
}

fn raw_policy<'a>(e: &'a RawEndpoint, name: &str) -> Option<&'a RawPolicy> {
    e.policies
        .iter()
        .find(|p| p.name.as_ref().is_some_and(|n| n.value == name))
}

/// Checks the codes of an `ignore_warnings` list; returns the valid ones.
pub fn ignore_list(list: &[Located<String>], d: &mut Diagnostics) -> Vec<String> {
    let mut out = Vec::new();
    for code in list {
        if codes::find(&code.value).is_some_and(|c| c.severity == Severity::Warning) {
            out.push(code.value.clone());
            continue;
        }
        let known: Vec<&str> = codes::warnings().map(|c| c.name).collect();
        let mut diag = Diagnostic::new(
            &codes::UNKNOWN_WARNING_CODE,
            &code.origin,
            format!("`{}` is not a warning code that can be ignored", code.value),
        );
        diag = match crate::suggest::did_you_mean(&code.value, known.iter().copied()) {
            Some(s) => diag.help(format!("did you mean `{s}`?")),
            None => diag.help(format!(
                "warning codes: {}; errors cannot be ignored",
                known.join(", ")
            )),
        };
        d.push(diag);
    }
    out
}

/// Drops the warnings from index `from` on whose code is in `codes`.
pub fn drop_ignored(d: &mut Diagnostics, from: usize, codes: &[String]) {
    if codes.is_empty() {
        return;
    }
    d.retain_from(from, |diag| {
        diag.severity != Severity::Warning || !codes.iter().any(|c| c == diag.code)
    });
}
