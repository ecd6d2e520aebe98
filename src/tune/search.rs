//! The search: every config of the coarse grid replayed over the whole history, the cheapest
//! that meets the goal in every week and under 1.2 x the load kept, then refined around it.

use std::ops::Range;

use super::goal::{Goal, Measured, WEEK_MINUTES};
use super::space::{Knobs, Space};
use crate::model::ScalableTarget;
use crate::simulate::queue::Queue;
use crate::simulate::replay::{self, Model, Trace};
use crate::simulate::signals::{MetricId, Signals};

/// The load a recommendation must also survive, as a multiple of the recorded one.
pub const STRESS: f64 = 1.2;
/// Rounds of refinement around the best config.
const ROUNDS: usize = 3;
/// Configs (the cheapest of each metric and minimum) whose cooldowns are searched in full.
const LEADERS: usize = 4;

/// Everything a replay of one target needs besides the config.
pub struct Setup<'a> {
    /// The recorded history.
    pub signals: &'a Signals,
    /// The capacity it was recorded under, minute by minute.
    pub recorded: Option<&'a [i32]>,
    /// Capacity at the first minute: what was in service then (a replay from the minimum
    /// would start every config with a made-up scale-out).
    pub initial: Option<i32>,
    /// The async queue, when the endpoint has one and it can be modelled.
    pub queue: Option<Queue>,
    /// Minutes from a launch until the instance serves.
    pub startup_minutes: usize,
    /// The per-instance concurrency metric, when the goal caps it.
    pub concurrency: Option<MetricId>,
    /// Price of an instance-hour (1 when none is given: costs are then instance-hours).
    pub price: f64,
}

/// One config and how it did.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The values tried.
    pub knobs: Knobs,
    /// Over the whole history.
    pub whole: Measured,
    /// Each week's worst of the recorded and the stressed load, for the goal.
    pub worst: Vec<Measured>,
    /// The goal was met in every week, under both loads (None: not checked under stress yet).
    pub meets: Option<bool>,
    /// How far the worst week is from the goal (0: met).
    pub shortfall: f64,
}

impl Scored {
    /// What the search minimises: the cost, plus each scaling event's start-up time billed
    /// while the instance did not serve yet (a penalty for churn).
    pub fn score(&self, setup: &Setup<'_>) -> f64 {
        let hours = self.whole.instance_hours
            + self.whole.scaling_events as f64 * setup.startup_minutes as f64 / 60.0;
        hours * setup.price
    }
}

/// The search's outcome: every config scored, best first among those that meet the goal.
pub struct Outcome {
    /// Configs that met the goal, cheapest first.
    pub feasible: Vec<Scored>,
    /// The config closest to the goal, when none met it.
    pub closest: Option<Scored>,
    /// Configs replayed.
    pub tried: usize,
    /// Cheaper configs than the best, that failed the goal (to say what binds).
    pub cheaper_failing: Vec<Scored>,
}

/// Replays `target` under `factor` times the recorded load.
pub fn replay(setup: &Setup<'_>, target: &ScalableTarget, factor: f64) -> (Trace, Option<Signals>) {
    let queue = setup.queue.as_ref().map(|q| {
        if factor == 1.0 {
            q.clone()
        } else {
            q.scaled(factor)
        }
    });
    let model = Model {
        startup_minutes: setup.startup_minutes,
        initial: setup
            .initial
            .map(|c| c.clamp(target.min_capacity, target.max_capacity)),
        queue,
    };
    if factor == 1.0 {
        (replay::run(target, setup.signals, setup.recorded, &model), None)
    } else {
        let scaled = setup.signals.scaled(factor);
        (replay::run(target, &scaled, setup.recorded, &model), Some(scaled))
    }
}

/// What `trace` did over `range`.
pub fn measure(setup: &Setup<'_>, signals: &Signals, trace: &Trace, range: Range<usize>) -> Measured {
    let has_backlog = |m: usize| match trace.queue.get(m) {
        Some(q) => *q > 0.0,
        None => signals.has_backlog(m) == Some(true),
    };
    let concurrency = setup.concurrency.as_ref().map_or(0.0, |id| {
        range
            .clone()
            .filter_map(|m| {
                signals.value(
                    id,
                    m,
                    trace.serving[m],
                    setup.recorded.and_then(|r| r.get(m).copied()),
                )
            })
            .fold(0.0, f64::max)
    });
    Measured {
        minutes: range.len(),
        instance_hours: f64::from(trace.desired[range.clone()].iter().sum::<i32>()) / 60.0,
        backlog_without_capacity: range
            .clone()
            .filter(|&m| trace.serving[m] == 0 && has_backlog(m))
            .count(),
        max_backlog: trace
            .queue
            .get(range.clone())
            .map_or(0.0, |q| q.iter().copied().fold(0.0, f64::max)),
        max_concurrency: concurrency,
        scaling_events: trace.events.iter().filter(|e| range.contains(&e.minute)).count(),
    }
}

/// The history's weeks: whole weeks, the last one taking a remainder under a day; a history
/// shorter than a week is one window.
pub fn windows(minutes: usize) -> Vec<Range<usize>> {
    let week = WEEK_MINUTES as usize;
    let mut out: Vec<Range<usize>> = (0..minutes / week).map(|w| w * week..(w + 1) * week).collect();
    let done = out.last().map_or(0, |r| r.end);
    if minutes > done {
        match out.last_mut() {
            Some(last) if minutes - done < 1440 => last.end = minutes,
            _ => out.push(done..minutes),
        }
    }
    out
}

/// Scores `knobs` on the recorded load.
fn score(setup: &Setup<'_>, space: &Space, goal: &Goal, knobs: Knobs) -> Scored {
    let target = space.target(&knobs);
    on_recorded(setup, goal, &target, knobs)
}

/// Scores `target` (labelled with `knobs`) on the recorded load and, when it meets the goal
/// there, on the stressed one.
pub fn evaluate(setup: &Setup<'_>, goal: &Goal, target: &ScalableTarget, knobs: Knobs) -> Scored {
    let mut s = on_recorded(setup, goal, target, knobs);
    if s.meets.is_none() {
        stress_target(setup, goal, target, &mut s);
    }
    s
}

fn on_recorded(setup: &Setup<'_>, goal: &Goal, target: &ScalableTarget, knobs: Knobs) -> Scored {
    let (trace, _) = replay(setup, target, 1.0);
    let whole = measure(setup, setup.signals, &trace, 0..trace.desired.len());
    let worst: Vec<Measured> = windows(trace.desired.len())
        .into_iter()
        .map(|w| measure(setup, setup.signals, &trace, w))
        .collect();
    let shortfall = worst.iter().map(|m| goal.shortfall(m)).fold(0.0, f64::max);
    Scored {
        knobs,
        whole,
        worst,
        meets: (shortfall > 0.0).then_some(false),
        shortfall,
    }
}

/// Checks a config that met the goal on the recorded load under the stressed one.
fn stress(setup: &Setup<'_>, space: &Space, goal: &Goal, s: &mut Scored) {
    let target = space.target(&s.knobs);
    stress_target(setup, goal, &target, s);
}

fn stress_target(setup: &Setup<'_>, goal: &Goal, target: &ScalableTarget, s: &mut Scored) {
    let (trace, scaled) = replay(setup, target, STRESS);
    let signals = scaled.as_ref().unwrap_or(setup.signals);
    for (i, w) in windows(trace.desired.len()).into_iter().enumerate() {
        let m = measure(setup, signals, &trace, w);
        if goal.shortfall(&m) > goal.shortfall(&s.worst[i]) {
            s.worst[i] = m;
        }
    }
    s.shortfall = s.worst.iter().map(|m| goal.shortfall(m)).fold(0.0, f64::max);
    s.meets = Some(s.shortfall == 0.0);
}

/// Searches `space` for the cheapest config meeting `goal`; `progress` hears each replay of
/// the coarse grid.
pub fn search(
    setup: &Setup<'_>,
    space: &Space,
    goal: &Goal,
    progress: &mut dyn FnMut(usize, usize),
) -> Outcome {
    let grid = space.grid();
    let total = grid.len();
    let mut scored: Vec<Scored> = Vec::with_capacity(total);
    for (i, k) in grid.into_iter().enumerate() {
        scored.push(score(setup, space, goal, k));
        progress(i + 1, total);
    }
    rank(setup, space, goal, &mut scored);
    for (i, k) in leaders(&scored).iter().enumerate() {
        let mut variants = if i < LEADERS {
            space.cooldowns(k)
        } else {
            Vec::new()
        };
        variants.extend(space.daily_floors(k));
        variants.extend(space.scale_in_and_steps(k));
        add(setup, space, goal, &mut scored, variants);
    }
    for _ in 0..ROUNDS {
        rank(setup, space, goal, &mut scored);
        let Some(best) = scored
            .iter()
            .find(|s| s.meets == Some(true))
            .map(|s| s.knobs.clone())
        else {
            break;
        };
        let mut near = space.around(&best);
        near.extend(space.scale_in_and_steps(&best));
        if add(setup, space, goal, &mut scored, near) == 0 {
            break;
        }
    }
    rank(setup, space, goal, &mut scored);
    outcome(setup, scored)
}

/// The configs whose cooldowns (the first `LEADERS`), daily floors, scale-in and step policy
/// are searched: the
/// cheapest of each metric and minimum that met the goal, then the two cheapest that missed
/// it, which a floor ahead of the daily ramp can make meet it.
fn leaders(scored: &[Scored]) -> Vec<Knobs> {
    let mut classes = Vec::new();
    let mut out: Vec<Knobs> = Vec::new();
    for s in scored.iter().filter(|s| s.meets == Some(true)) {
        let class = (
            s.knobs.preset,
            s.knobs.high_resolution,
            s.knobs.min_capacity,
            s.knobs.max_capacity,
        );
        if out.len() < LEADERS && !classes.contains(&class) {
            classes.push(class);
            out.push(s.knobs.clone());
        }
    }
    let missed: Vec<Knobs> = scored
        .iter()
        .filter(|s| s.meets == Some(false) && !out.contains(&s.knobs))
        .take(2)
        .map(|s| s.knobs.clone())
        .collect();
    out.extend(missed);
    out
}

/// Scores the configs of `candidates` not scored yet; how many were new.
fn add(
    setup: &Setup<'_>,
    space: &Space,
    goal: &Goal,
    scored: &mut Vec<Scored>,
    candidates: Vec<Knobs>,
) -> usize {
    let fresh: Vec<Knobs> = candidates
        .into_iter()
        .filter(|k| !scored.iter().any(|s| &s.knobs == k))
        .collect();
    let n = fresh.len();
    scored.extend(fresh.into_iter().map(|k| score(setup, space, goal, k)));
    n
}

/// What the ranked configs say: those that met the goal, the cheaper ones that did not, and
/// the closest when none did.
fn outcome(setup: &Setup<'_>, scored: Vec<Scored>) -> Outcome {
    let tried = scored.len();
    let best_score = scored
        .iter()
        .find(|s| s.meets == Some(true))
        .map(|s| s.score(setup));
    let cheaper_failing = scored
        .iter()
        .filter(|s| best_score.is_some_and(|b| s.score(setup) < b) && s.meets == Some(false))
        .cloned()
        .collect();
    let feasible: Vec<Scored> = scored.iter().filter(|s| s.meets == Some(true)).cloned().collect();
    let closest = feasible.is_empty().then(|| {
        scored
            .iter()
            .min_by(|a, b| {
                a.shortfall
                    .total_cmp(&b.shortfall)
                    .then(a.score(setup).total_cmp(&b.score(setup)))
            })
            .cloned()
    });
    Outcome {
        feasible,
        closest: closest.flatten(),
        tried,
        cheaper_failing,
    }
}

/// Orders by score and checks under stress, cheapest first, until a few configs that meet
/// the goal are known, and the cheapest of each metric and minimum (the alternatives).
fn rank(setup: &Setup<'_>, space: &Space, goal: &Goal, scored: &mut [Scored]) {
    // Equal cost: the config that changes fewer values wins (a smaller diff to review).
    let current = space.current();
    scored.sort_by(|a, b| {
        a.score(setup).total_cmp(&b.score(setup)).then(
            a.knobs
                .changes_from(&current)
                .cmp(&b.knobs.changes_from(&current)),
        )
    });
    let class = |k: &Knobs| (k.preset, k.high_resolution, k.min_capacity);
    let mut met = 0;
    let mut classes = Vec::new();
    for s in scored.iter_mut() {
        if met >= 8 && classes.contains(&class(&s.knobs)) {
            continue;
        }
        if s.meets.is_none() {
            stress(setup, space, goal, s);
        }
        if s.meets == Some(true) {
            met += 1;
            classes.push(class(&s.knobs));
        }
    }
}
