//! The min and max capacity that scheduled actions leave in force, and the one-sided actions
//! that AWS could fail.

use jiff::Timestamp;

use super::Schedule;
use crate::model::ScheduledAction;
use crate::timestamp::format_utc;

/// The bounds in force and where each came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    pub(crate) min: i32,
    pub(crate) max: i32,
    /// The scheduled action whose run set `min`; None: the base value.
    pub min_from: Option<String>,
    pub(crate) max_from: Option<String>,
    /// What the bounds leave out: actions that could not be evaluated, runs that AWS fails.
    pub notes: Vec<String>,
}

impl InForce {
    /// The scalable target's own bounds, before any scheduled action has run.
    pub fn base(min: i32, max: i32) -> InForce {
        InForce {
            min,
            max,
            min_from: None,
            max_from: None,
            notes: Vec::new(),
        }
    }

    /// `capacity` held within the bounds (a max below min counts as min), as every scaling
    /// result is.
    pub fn clamp(&self, capacity: i32) -> i32 {
        capacity.clamp(self.min, self.max.max(self.min))
    }

    /// One run of `action`: it sets the bounds it names and keeps the other. Err (and nothing
    /// changes) when that would leave min above max, which AWS fails at run time.
    pub fn apply(&mut self, action: &ScheduledAction) -> Result<(), String> {
        let min = action.min_capacity.unwrap_or(self.min);
        let max = action.max_capacity.unwrap_or(self.max);
        if min > max {
            return Err(format!(
                "it would set min_capacity {min} above max_capacity {max}, so AWS fails it and nothing changes"
            ));
        }
        if action.min_capacity.is_some() {
            self.min = min;
            self.min_from = Some(action.name.clone());
        }
        if action.max_capacity.is_some() {
            self.max = max;
            self.max_from = Some(action.name.clone());
        }
        Ok(())
    }

    /// The bounds after `runs` (the time of each action's latest run), applied in time order
    /// from the base; runs at the same time in the order given.
    pub fn after_runs(base_min: i32, base_max: i32, runs: &[(Timestamp, &ScheduledAction)]) -> InForce {
        let mut order: Vec<usize> = (0..runs.len()).collect();
        order.sort_by_key(|i| runs[*i].0);
        let mut bounds = InForce::base(base_min, base_max);
        for (t, action) in order.into_iter().map(|i| runs[i]) {
            if let Err(why) = bounds.apply(action) {
                bounds.notes.push(format!(
                    "scheduled action `{}` ran at {}, but {why}",
                    action.name,
                    format_utc(t.as_second())
                ));
            }
        }
        bounds
    }
}

/// The min and max capacity in force at `now`: for each bound, the value of the latest run (at
/// or before `now`) of any action that sets it; the base value until one has run. Each action
/// comes with the time it was created: a `rate(...)` without `start_time` counts from it, and
/// no run before it counts (None: unknown; a `rate` without a start time is then left out with
/// a note).
///
/// Simplification: only each action's latest run counts. Those runs are applied in time order
/// from the base, and one that would leave min above max is skipped (AWS fails it), so that
/// bound stays with the previous run's value. Earlier runs are not replayed: when an action's
/// latest run fails, an earlier run of the same action that succeeded is not looked for, and
/// a run that failed only because an earlier run of another action was in force at the time
/// counts as succeeded. Replaying every run would need the whole history since the target was
/// registered, which also resets the bounds.
pub fn capacity_in_force(
    base_min: i32,
    base_max: i32,
    actions: &[(ScheduledAction, Option<Timestamp>)],
    now: Timestamp,
) -> InForce {
    let mut notes = Vec::new();
    let mut runs = Vec::new();
    for (action, created) in actions {
        match Schedule::new(action, *created) {
            // A run before the action existed never happened.
            Ok(schedule) => runs.extend(
                schedule
                    .last_run_at_or_before(now)
                    .filter(|t| created.is_none_or(|c| *t >= c))
                    .map(|t| (t, action)),
            ),
            Err(e) => notes.push(format!("scheduled action `{}` is left out: {e}", action.name)),
        }
    }
    let mut bounds = InForce::after_runs(base_min, base_max, &runs);
    notes.append(&mut bounds.notes);
    bounds.notes = notes;
    bounds
}

/// A one-sided scheduled action that AWS fails whenever it runs while the other bound in
/// force is on the wrong side of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundConflict {
    /// The one-sided action.
    pub action: String,
    pub(crate) message: String,
}

/// The one-sided actions (setting only min, or only max) whose value can meet a bound from
/// the base or from another action that would put min above max, so that AWS fails the run.
/// Whether the two can be in force at the same time depends on the schedules; this says
/// they may (the base is in force before any action has run, and again whenever the target
/// is registered anew).
pub fn bound_conflicts(base_min: i32, base_max: i32, actions: &[ScheduledAction]) -> Vec<BoundConflict> {
    let mut conflicts = Vec::new();
    for a in actions {
        // The other bound's values that can be in force, with where they come from.
        let (own, others, base, set, other_bound) = match (a.min_capacity, a.max_capacity) {
            (Some(min), None) => (
                min,
                values_of(actions, &a.name, |b| b.max_capacity),
                base_max,
                "min_capacity",
                "max_capacity",
            ),
            (None, Some(max)) => (
                max,
                values_of(actions, &a.name, |b| b.min_capacity),
                base_min,
                "max_capacity",
                "min_capacity",
            ),
            _ => continue,
        };
        let sets_min = set == "min_capacity";
        let clashes = |v: i32| if sets_min { v < own } else { v > own };
        let mut worst: Option<(i32, String)> =
            clashes(base).then(|| (base, format!("the target's {other_bound}")));
        for (v, name) in others {
            let tighter = worst
                .as_ref()
                .is_none_or(|(w, _)| if sets_min { v < *w } else { v > *w });
            if clashes(v) && tighter {
                worst = Some((v, format!("scheduled action `{name}`")));
            }
        }
        if let Some((v, from)) = worst {
            let (rel, fix) = if sets_min {
                ("above", "max_capacity")
            } else {
                ("below", "min_capacity")
            };
            conflicts.push(BoundConflict {
                action: a.name.clone(),
                message: format!(
                    "scheduled action `{}` sets only {set} ({own}); when it runs while {other_bound} is {v} (from {from}), \
                     that would put {set} {rel} it and AWS fails the run; set {fix} in `{}` too",
                    a.name, a.name
                ),
            });
        }
    }
    conflicts
}

/// The values of one bound that actions other than `except` set, with their names.
fn values_of<'a>(
    actions: &'a [ScheduledAction],
    except: &str,
    bound: fn(&ScheduledAction) -> Option<i32>,
) -> Vec<(i32, &'a str)> {
    actions
        .iter()
        .filter(|b| b.name != except)
        .filter_map(|b| bound(b).map(|v| (v, b.name.as_str())))
        .collect()
}
