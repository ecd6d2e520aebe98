//! A deterministic, minute-by-minute model of Application Auto Scaling for one scalable
//! target: target tracking, step scaling with its alarm, cooldowns, min/max, scheduled
//! actions and instance start-up time. docs/simulate.md states each rule and its limits; each
//! rule is a function or a small state type the loop below calls: scheduled actions
//! ([`run_schedules`]), target tracking ([`Tracking`]), step scaling ([`Stepping`]), several
//! policies ([`decide`]), cooldowns ([`start_cooldowns`]), min/max ([`InForce::clamp`]) and
//! start-up ([`Capacity`]).

use std::borrow::Cow;

use jiff::Timestamp;

use super::capacity::Capacity;
use super::queue::Queue;
use super::signals::Signals;
use super::stepping::{Ask, Stepping};
use super::tracking::Tracking;
use crate::model::{AlarmStatistic, PolicyConfig, ScalableTarget, ScheduledAction, SuspendedState};
use crate::schedule::{InForce, Schedule};

/// How the replay models the endpoint.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Minutes from a launch until the new capacity serves (and shows in metrics).
    pub startup_minutes: usize,
    /// Capacity at the start; default the target's min_capacity.
    pub initial: Option<i32>,
    /// An async endpoint's queue, simulated under the replayed capacity instead of replayed
    /// as recorded.
    pub queue: Option<Queue>,
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
    /// The simulated queue at the end of each minute (empty when the queue is replayed as
    /// recorded).
    pub queue: Vec<f64>,
    /// What could not be simulated as configured.
    pub notes: Vec<String>,
}

impl Trace {
    /// Moves `capacity` to `to` at minute `t`, recording the event and its cause.
    fn change(&mut self, capacity: &mut Capacity, t: usize, to: i32, cause: &str) {
        let from = capacity.desired;
        if capacity.set(t, to) {
            self.events.push(Event {
                minute: t,
                from,
                to,
                cause: cause.to_string(),
            });
        }
    }
}

/// Which policy a decision comes from.
enum Winner {
    Tracking(usize),
    Step(usize),
}

/// The policies' wishes in one minute.
#[derive(Default)]
struct Wishes {
    /// Scale-outs, by policy.
    out: Vec<(i32, Winner)>,
    /// Each target-tracking policy that may scale in: its scale-in, or None when it does not
    /// want one now.
    tracking_in: Vec<Option<(i32, usize)>>,
    /// Step policies' scale-ins.
    step_in: Vec<(i32, Winner)>,
}

/// Simulates `target` over `signals`. `recorded_capacity`: the capacity the history was
/// recorded under, minute by minute (None: replay per-capacity metrics as recorded).
pub fn run(
    target: &ScalableTarget,
    signals: &Signals,
    recorded_capacity: Option<&[i32]>,
    opts: &Model,
) -> Trace {
    let mut trace = Trace::default();
    let mut signals = match &opts.queue {
        Some(_) => Cow::Owned(signals.with_simulated_queue()),
        None => Cow::Borrowed(signals),
    };
    let mut queued = opts.queue.as_ref().map_or(0.0, |q| q.initial);
    let schedules = schedules(target, signals.start, &mut trace.notes);
    let suspended = target.suspended;
    let mut bounds = bounds_at_start(target, &schedules, signals.start, &mut trace.notes);
    let initial = opts.initial.unwrap_or(bounds.min);
    let mut capacity = Capacity::new(bounds.clamp(initial), opts.startup_minutes);
    let (mut tracking, mut stepping) = policies(target, &mut trace.notes);

    for t in 0..signals.minutes {
        let serving = capacity.serving_at(t);
        if let Some(q) = &opts.queue {
            queued = q.next(queued, t, serving);
            signals.to_mut().set_queue(t, queued);
            trace.queue.push(queued);
        }
        let recorded = |m: usize| recorded_capacity.and_then(|c| c.get(m).copied());
        if !suspended.scheduled_scaling {
            let now = instant(signals.start + 60 * t as i64);
            run_schedules(target, &schedules, now, t, &mut bounds, &mut capacity, &mut trace);
        }

        let mut wishes = Wishes::default();
        let desired = capacity.desired;
        for (i, p) in tracking.iter_mut().enumerate() {
            let wish = p.observe(signals.value(&p.metric, t, serving, recorded(t)), desired, t);
            wishes.out.extend(wish.out.map(|w| (w, Winner::Tracking(i))));
            wishes
                .tracking_in
                .extend(wish.scale_in.map(|w| w.map(|w| (w, i))));
        }
        for (i, p) in stepping.iter_mut().enumerate() {
            let served = |m: usize| (trace.serving.get(m).copied().unwrap_or(serving), recorded(m));
            match p.at_minute(t, desired, &signals, served) {
                Some(Ask::Out(w)) => wishes.out.push((w, Winner::Step(i))),
                Some(Ask::In(w)) => wishes.step_in.push((w, Winner::Step(i))),
                None => {}
            }
        }

        if let Some((wanted, winner)) = decide(wishes, suspended) {
            let before = capacity.desired;
            let cause = match &winner {
                Winner::Tracking(i) => tracking[*i].name,
                Winner::Step(i) => stepping[*i].name,
            };
            trace.change(&mut capacity, t, bounds.clamp(wanted), cause);
            let moved = capacity.desired.cmp(&before);
            start_cooldowns(moved, &winner, t, before, &mut tracking, &mut stepping);
        }

        if signals.has_backlog(t) == Some(true) && serving == 0 {
            trace.backlog_without_capacity += 1;
        }
        trace.desired.push(capacity.desired);
        trace.serving.push(serving);
    }
    trace
}

fn instant(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::MAX)
}

/// The target's scheduled actions that can be simulated, by index. A rate(...) without a start
/// time counts from the first simulated minute, as if the action had been created then.
fn schedules(target: &ScalableTarget, start: i64, notes: &mut Vec<String>) -> Vec<(usize, Schedule)> {
    target
        .scheduled_actions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match Schedule::new(s, Some(instant(start))) {
            Ok(w) => Some((i, w)),
            Err(e) => {
                notes.push(format!("scheduled action `{}` not simulated: {e}", s.name));
                None
            }
        })
        .collect()
}

/// The bounds the actions' latest runs before the first minute left in force.
fn bounds_at_start(
    target: &ScalableTarget,
    schedules: &[(usize, Schedule)],
    start: i64,
    notes: &mut Vec<String>,
) -> InForce {
    if target.suspended.scheduled_scaling {
        return InForce::base(target.min_capacity, target.max_capacity);
    }
    let before = instant(start - 1);
    let runs: Vec<(Timestamp, &ScheduledAction)> = schedules
        .iter()
        .filter_map(|(i, w)| Some((w.last_run_at_or_before(before)?, &target.scheduled_actions[*i])))
        .collect();
    let mut bounds = InForce::after_runs(target.min_capacity, target.max_capacity, &runs);
    notes.append(&mut bounds.notes);
    bounds
}

/// The target's policies as replay state, with notes on what is simulated differently.
fn policies<'a>(
    target: &'a ScalableTarget,
    notes: &mut Vec<String>,
) -> (Vec<Tracking<'a>>, Vec<Stepping<'a>>) {
    let mut tracking = Vec::new();
    let mut stepping = Vec::new();
    for p in &target.policies {
        match &p.config {
            PolicyConfig::TargetTracking(tt) => tracking.push(Tracking::new(&p.name, tt)),
            PolicyConfig::Step(step) => {
                if step.alarm.period % 60 != 0 {
                    notes.push(format!(
                        "alarm `{}`: its {} s period is simulated as 60 s (the history is per minute)",
                        step.alarm.name, step.alarm.period
                    ));
                }
                if let AlarmStatistic::Extended(p) = &step.alarm.statistic {
                    notes.push(format!(
                        "alarm `{}`: percentile {p} is simulated as Maximum",
                        step.alarm.name
                    ));
                }
                stepping.push(Stepping::new(&p.name, step));
            }
        }
    }
    (tracking, stepping)
}

/// Scheduled actions due at `now` move min and max, and capacity follows at once; a run that
/// would put min above max fails and changes nothing, as on AWS.
fn run_schedules(
    target: &ScalableTarget,
    schedules: &[(usize, Schedule)],
    now: Timestamp,
    t: usize,
    bounds: &mut InForce,
    capacity: &mut Capacity,
    trace: &mut Trace,
) {
    for (i, when) in schedules {
        let s = &target.scheduled_actions[*i];
        if !when.fires(now) {
            continue;
        }
        match bounds.apply(s) {
            Ok(()) => {
                let clamped = bounds.clamp(capacity.desired);
                trace.change(capacity, t, clamped, &s.name);
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

/// Several policies: a scale-out beats any scale-in and the largest wins; target tracking scales
/// in only when every policy that may scale in wants to, and then no further than the most
/// cautious of them; among scale-ins the smallest step down wins. Suspended directions do not
/// scale.
fn decide(wishes: Wishes, suspended: SuspendedState) -> Option<(i32, Winner)> {
    if let Some(best) = wishes.out.into_iter().max_by_key(|(w, _)| *w) {
        return (!suspended.dynamic_scaling_out).then_some(best);
    }
    if suspended.dynamic_scaling_in {
        return None;
    }
    let tracking_in = wishes.tracking_in;
    let tracking_agrees = !tracking_in.is_empty() && tracking_in.iter().all(Option::is_some);
    let tracked = tracking_agrees
        .then(|| tracking_in.iter().flatten().max_by_key(|(w, _)| *w).copied())
        .flatten()
        .map(|(w, i)| (w, Winner::Tracking(i)));
    wishes.step_in.into_iter().chain(tracked).max_by_key(|(w, _)| *w)
}

/// Cooldowns after a decision moved capacity from `before` (`moved`: which way): the winner's
/// own, and a scale-out ends every scale-in cooldown (Application Auto Scaling API reference,
/// TargetTrackingScalingPolicyConfiguration.ScaleInCooldown).
fn start_cooldowns(
    moved: std::cmp::Ordering,
    winner: &Winner,
    t: usize,
    before: i32,
    tracking: &mut [Tracking<'_>],
    stepping: &mut [Stepping<'_>],
) {
    use std::cmp::Ordering::{Greater, Less};
    if moved == Greater {
        tracking.iter_mut().for_each(|p| p.in_until = t);
        stepping.iter_mut().for_each(|p| p.in_until = t);
    }
    match (moved, winner) {
        (Greater, Winner::Tracking(i)) => tracking[*i].scaled_out(t),
        (Less, Winner::Tracking(_)) => tracking.iter_mut().for_each(|p| p.scaled_in(t)),
        (Greater, Winner::Step(i)) => stepping[*i].scaled_out(t, before),
        (Less, Winner::Step(i)) => stepping[*i].scaled_in(t),
        _ => {}
    }
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
        let trace = run(&desired.targets[0], &signals, None, &Model::default());
        assert_eq!(trace.serving[0], 0, "starts at zero: {trace:?}");
        assert!(
            trace.desired.iter().any(|&c| c >= 1),
            "one failed request a minute wakes the component: {trace:?}"
        );
    }
}
