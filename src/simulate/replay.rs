//! A deterministic, minute-by-minute model of Application Auto Scaling for one scalable
//! target: target tracking, step scaling with its alarm, cooldowns, min/max, scheduled
//! actions and instance start-up time. docs/simulate.md states each rule and its limits.

use std::collections::VecDeque;

use jiff::Timestamp;

use super::signals::{MetricId, Signals};
use super::step::{AlarmState, adjusted, aggregate, evaluate, step_for};
use crate::keywords::{MetricStatistic, PredefinedMetric};
use crate::model::{
    Alarm, AlarmStatistic, MetricSpec, PolicyConfig, ScalableTarget, ScheduledAction, StepScaling,
    TargetTracking,
};
use crate::schedule::{InForce, Schedule};

/// Target tracking's alarms as Application Auto Scaling creates them: high after 3 one-minute
/// datapoints above the target, low after 15 below 90 % of it.
pub const HIGH_DATAPOINTS: usize = 3;
pub(crate) const LOW_DATAPOINTS: usize = 15;
pub(crate) const LOW_FRACTION: f64 = 0.9;

/// How the replay models the endpoint.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Minutes from a launch until the new capacity serves (and shows in metrics).
    pub startup_minutes: usize,
    /// Capacity at the start; default the target's min_capacity.
    pub initial: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub(crate) minute: usize,
    pub(crate) from: i32,
    pub(crate) to: i32,
    /// The policy or scheduled action that caused it.
    pub cause: String,
}

/// A replay's capacity minute by minute, and what changed it.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Capacity asked for (and billed) at the end of each minute.
    pub desired: Vec<i32>,
    /// Capacity in service during each minute.
    pub serving: Vec<i32>,
    pub(crate) events: Vec<Event>,
    /// Minutes with requests waiting and nothing in service.
    pub backlog_without_capacity: usize,
    /// What could not be simulated as configured.
    pub notes: Vec<String>,
}

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

pub(crate) fn metric_of(tt: &TargetTracking) -> MetricId {
    match &tt.metric {
        MetricSpec::Predefined(p) => predefined(*p).0,
        MetricSpec::Custom(c) => (c.namespace.clone(), c.metric_name.clone()),
        MetricSpec::Math(queries) => match crate::simulate::fetch::returned(queries) {
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

pub(crate) fn alarm_metric(a: &Alarm) -> MetricId {
    (a.namespace.clone(), a.metric_name.clone())
}

struct Tracking<'a> {
    name: &'a str,
    tt: &'a TargetTracking,
    metric: MetricId,
    high: usize,
    low: usize,
    out_until: usize,
    in_until: usize,
}

struct Stepping<'a> {
    name: &'a str,
    step: &'a StepScaling,
    metric: MetricId,
    period: usize,
    datapoints: VecDeque<Option<f64>>,
    state: AlarmState,
    /// Until when a scale-out's cooldown lasts, and the capacity before that scale-out.
    out_cooldown: Option<(usize, i32)>,
    /// Until when no scale-in by this policy.
    in_until: usize,
}

enum Winner {
    Tracking(usize),
    Step(usize),
}

/// Simulates `target` over `signals`. `recorded_capacity`: the capacity the history was
/// recorded under, minute by minute (None: replay per-capacity metrics as recorded).
pub fn run(
    target: &ScalableTarget,
    signals: &Signals,
    recorded_capacity: Option<&[i32]>,
    opts: &Options,
) -> Trace {
    let mut trace = Trace::default();
    let instant = |secs: i64| Timestamp::from_second(secs).unwrap_or(Timestamp::MAX);
    // A rate(...) without a start time counts from the first simulated minute, as if the
    // action had been created then.
    let schedules: Vec<(usize, Schedule)> = target
        .scheduled_actions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match Schedule::new(s, Some(instant(signals.start))) {
            Ok(w) => Some((i, w)),
            Err(e) => {
                trace
                    .notes
                    .push(format!("scheduled action `{}` not simulated: {e}", s.name));
                None
            }
        })
        .collect();
    let suspended = target.suspended;
    // The bounds the actions' latest runs before the first minute left in force.
    let mut bounds = InForce::base(target.min_capacity, target.max_capacity);
    if !suspended.scheduled_scaling {
        let before = instant(signals.start - 1);
        let runs: Vec<(Timestamp, &ScheduledAction)> = schedules
            .iter()
            .filter_map(|(i, w)| Some((w.last_run_at_or_before(before)?, &target.scheduled_actions[*i])))
            .collect();
        bounds = InForce::after_runs(target.min_capacity, target.max_capacity, &runs);
        trace.notes.append(&mut bounds.notes);
    }
    let mut desired = opts
        .initial
        .unwrap_or(bounds.min)
        .clamp(bounds.min, bounds.max.max(bounds.min));
    let mut pending: VecDeque<(usize, i32)> = VecDeque::new();
    let mut tracking: Vec<Tracking> = Vec::new();
    let mut stepping: Vec<Stepping> = Vec::new();
    for p in &target.policies {
        match &p.config {
            PolicyConfig::TargetTracking(tt) => tracking.push(Tracking {
                name: &p.name,
                tt,
                metric: metric_of(tt),
                high: 0,
                low: 0,
                out_until: 0,
                in_until: 0,
            }),
            PolicyConfig::Step(step) => {
                if step.alarm.period % 60 != 0 {
                    trace.notes.push(format!(
                        "alarm `{}`: its {} s period is simulated as 60 s (the history is per minute)",
                        step.alarm.name, step.alarm.period
                    ));
                }
                if let AlarmStatistic::Extended(p) = &step.alarm.statistic {
                    trace.notes.push(format!(
                        "alarm `{}`: percentile {p} is simulated as Maximum",
                        step.alarm.name
                    ));
                }
                stepping.push(Stepping {
                    name: &p.name,
                    step,
                    metric: alarm_metric(&step.alarm),
                    period: usize::try_from(step.alarm.period / 60).unwrap_or(1).max(1),
                    datapoints: VecDeque::new(),
                    state: AlarmState::Insufficient,
                    out_cooldown: None,
                    in_until: 0,
                })
            }
        }
    }

    for t in 0..signals.minutes {
        let now = signals.start + 60 * t as i64;
        pending.retain(|(ready, _)| *ready > t);
        let serving = desired - pending.iter().map(|(_, n)| n).sum::<i32>();
        let recorded = recorded_capacity.and_then(|c| c.get(t).copied());
        let value = |id: &MetricId| signals.value(id, t, serving, recorded);

        // Scheduled actions first: they move min and max, and capacity follows.
        if !suspended.scheduled_scaling {
            for (i, when) in &schedules {
                let s = &target.scheduled_actions[*i];
                if !when.fires(instant(now)) {
                    continue;
                }
                match bounds.apply(s) {
                    Ok(()) => {
                        let clamped = desired.clamp(bounds.min, bounds.max.max(bounds.min));
                        change(&mut trace, &mut desired, &mut pending, t, clamped, opts, &s.name);
                    }
                    Err(why) => {
                        let note = format!("scheduled action `{}` fails when it runs: {why}", s.name);
                        if !trace.notes.contains(&note) {
                            trace.notes.push(note);
                        }
                    }
                }
            }
        }

        // Target tracking: each policy's wish.
        let mut out: Vec<(i32, Winner)> = Vec::new();
        let mut tracking_in: Vec<Option<(i32, usize)>> = Vec::new();
        for (i, p) in tracking.iter_mut().enumerate() {
            let v = value(&p.metric);
            let target_value = p.tt.target_value;
            match v {
                Some(v) if v > target_value => {
                    p.high += 1;
                    p.low = 0;
                }
                Some(v) if v < LOW_FRACTION * target_value => {
                    p.low += 1;
                    p.high = 0;
                }
                _ => {
                    p.high = 0;
                    p.low = 0;
                }
            }
            // The epsilon keeps float noise (3 x 200/3 / 50 = 4.000000000000001) from adding one.
            let wish = v.map(|v| (f64::from(desired.max(1)) * v / target_value - 1e-9).ceil() as i32);
            if p.high >= HIGH_DATAPOINTS
                && t >= p.out_until
                && let Some(w) = wish.filter(|w| *w > desired)
            {
                out.push((w, Winner::Tracking(i)));
            }
            if !p.tt.disable_scale_in {
                let ready = p.low >= LOW_DATAPOINTS && t >= p.in_until;
                let down = wish.filter(|w| *w < desired).map(|w| (w, i));
                tracking_in.push(if ready { down } else { None });
            }
        }

        // Step scaling: alarms evaluate at the end of each period; in ALARM the policy runs.
        let mut step_in: Vec<(i32, Winner)> = Vec::new();
        for (i, p) in stepping.iter_mut().enumerate() {
            if (t + 1) % p.period != 0 {
                continue;
            }
            let first = t + 1 - p.period;
            let samples: Vec<f64> = (first..=t)
                .filter_map(|m| {
                    // Each minute of the period as it was served (this one is not recorded yet).
                    let served = trace.serving.get(m).copied().unwrap_or(serving);
                    signals.value(
                        &p.metric,
                        m,
                        served,
                        recorded_capacity.and_then(|c| c.get(m).copied()),
                    )
                })
                .collect();
            p.datapoints
                .push_back(aggregate(&p.step.alarm.statistic, &samples));
            let n = usize::try_from(p.step.alarm.evaluation_periods)
                .unwrap_or(1)
                .max(1);
            while p.datapoints.len() > n {
                p.datapoints.pop_front();
            }
            p.state = evaluate(&p.step.alarm, &p.datapoints, p.state);
            if p.state != AlarmState::Alarm {
                continue;
            }
            let Some(latest) = p.datapoints.iter().rev().find_map(|d| *d) else {
                continue;
            };
            let Some(adjustment) = step_for(p.step, &p.step.alarm, latest - p.step.alarm.threshold) else {
                continue;
            };
            let in_cooldown = p.out_cooldown.filter(|(until, _)| t < *until);
            let base = in_cooldown.map_or(desired, |(_, before)| before);
            let wanted = adjusted(p.step, base, adjustment);
            if wanted > desired {
                out.push((wanted, Winner::Step(i)));
            } else if wanted < desired && in_cooldown.is_none() && t >= p.in_until {
                step_in.push((wanted, Winner::Step(i)));
            }
        }

        // Out beats in; among outs the largest wins, among ins the smallest step down.
        let decision = if let Some(best) = out.into_iter().max_by_key(|(w, _)| *w) {
            (!suspended.dynamic_scaling_out).then_some(best)
        } else if suspended.dynamic_scaling_in {
            None
        } else {
            let tracking_agrees = !tracking_in.is_empty() && tracking_in.iter().all(Option::is_some);
            // Target tracking scales in only when every policy that may scale in wants to, and
            // then no further than the most cautious of them.
            let tracked = tracking_agrees
                .then(|| tracking_in.iter().flatten().max_by_key(|(w, _)| *w).copied())
                .flatten()
                .map(|(w, i)| (w, Winner::Tracking(i)));
            step_in.into_iter().chain(tracked).max_by_key(|(w, _)| *w)
        };
        if let Some((wanted, winner)) = decision {
            let clamped = wanted.clamp(bounds.min, bounds.max.max(bounds.min));
            let before = desired;
            let cause = match &winner {
                Winner::Tracking(i) => tracking.get(*i).map_or("target tracking", |p| p.name),
                Winner::Step(i) => stepping[*i].name,
            }
            .to_string();
            change(&mut trace, &mut desired, &mut pending, t, clamped, opts, &cause);
            // AWS documents no default cooldown for inference components and serverless
            // variants: the model assumes the variants' 300 s there (docs/simulate.md).
            let minutes = |secs: Option<i32>| {
                let secs = secs.unwrap_or(crate::model::VARIANT_DEFAULT_COOLDOWN);
                t + usize::try_from(secs / 60).unwrap_or(0)
            };
            // A scale-out ends every scale-in cooldown (Application Auto Scaling API reference,
            // TargetTrackingScalingPolicyConfiguration.ScaleInCooldown).
            if desired > before {
                tracking.iter_mut().for_each(|p| p.in_until = t);
                stepping.iter_mut().for_each(|p| p.in_until = t);
            }
            match winner {
                Winner::Tracking(i) if desired > before => {
                    if let Some(p) = tracking.get_mut(i) {
                        p.out_until = minutes(p.tt.scale_out_cooldown);
                    }
                }
                Winner::Tracking(_) if desired < before => {
                    for p in tracking.iter_mut() {
                        p.in_until = minutes(p.tt.scale_in_cooldown);
                    }
                }
                Winner::Step(i) if desired > before => {
                    let p = &mut stepping[i];
                    if p.out_cooldown.is_none_or(|(until, _)| t >= until) {
                        p.out_cooldown = Some((minutes(Some(p.step.cooldown)), before));
                    }
                }
                Winner::Step(i) if desired < before => {
                    stepping[i].in_until = minutes(Some(stepping[i].step.cooldown));
                }
                _ => {}
            }
        }

        if signals.has_backlog(t) == Some(true) && serving == 0 {
            trace.backlog_without_capacity += 1;
        }
        trace.desired.push(desired);
        trace.serving.push(serving);
    }
    trace
}

/// Moves capacity to `to`, recording the event; new capacity serves after the start-up time.
fn change(
    trace: &mut Trace,
    desired: &mut i32,
    pending: &mut VecDeque<(usize, i32)>,
    t: usize,
    to: i32,
    opts: &Options,
    cause: &str,
) {
    if to == *desired {
        return;
    }
    if to > *desired {
        pending.push_back((t + 1 + opts.startup_minutes, to.saturating_sub(*desired)));
    } else {
        // Scale-in cancels launches still starting first, newest first.
        let mut remove = desired.saturating_sub(to);
        while remove > 0 {
            let Some((ready, n)) = pending.pop_back() else {
                break;
            };
            let taken = n.min(remove);
            remove -= taken;
            if n > taken {
                pending.push_back((ready, n - taken));
            }
        }
    }
    trace.events.push(Event {
        minute: t,
        from: *desired,
        to,
        cause: cause.to_string(),
    });
    *desired = to;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component at zero copies that gets one request a minute, each failing for lack of
    /// capacity, must wake up: the preset's alarm fires on the first failure.
    #[test]
    fn component_from_zero_wakes_on_one_failed_request_a_minute() {
        let checked = crate::check::check_text(
            "autoscaling.toml",
            "[[inference_component]]\nname = \"ic\"\nmax_capacity = 2\npreset = \"component-from-zero\"\n",
        );
        let desired = checked.desired.expect("valid config");
        let mut signals = Signals::new(0, 10);
        signals.record(
            "AWS/SageMaker",
            "NoCapacityInvocationFailures",
            vec![Some(1.0); 10],
        );
        let trace = run(&desired.targets[0], &signals, None, &Options::default());
        assert_eq!(trace.serving[0], 0, "starts at zero: {trace:?}");
        assert!(
            trace.desired.iter().any(|&c| c >= 1),
            "one failed request a minute wakes the component: {trace:?}"
        );
    }
}
