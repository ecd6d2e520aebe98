//! The configs `tune` tries for one target: the knobs of its target-tracking policy, its
//! minimum, and (for async presets) the other preset's metric.

use serde::Serialize;

use crate::keywords::{AdjustmentType, PredefinedMetric, Preset};
use crate::model::{MetricSpec, PolicyConfig, ScalableTarget, ScalingPolicy, ScheduledAction};

/// Multiples of the starting target value tried on the coarse grid.
const TARGET_STEPS: [f64; 9] = [0.25, 0.4, 0.6, 0.8, 1.0, 1.25, 1.6, 2.0, 3.0];
const SCALE_IN_COOLDOWNS: [i32; 4] = [60, 300, 600, 900];
const SCALE_OUT_COOLDOWNS: [i32; 3] = [60, 120, 300];
/// Instances a scale-from-zero step adds, and its cooldowns.
const STEP_SIZES: [i32; 3] = [1, 2, 3];
const STEP_COOLDOWNS: [i32; 3] = [60, 120, 300];

/// One config to try: the values of the knobs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Knobs {
    /// The preset whose tracked metric is used; None: the target's own policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// The target-tracking policy's target value.
    pub target: f64,
    /// Its scale-in cooldown, seconds.
    pub scale_in_cooldown: Option<i32>,
    /// Its scale-out cooldown, seconds.
    pub scale_out_cooldown: Option<i32>,
    /// The scalable target's minimum.
    pub min_capacity: i32,
    /// Its maximum (equal to the minimum: a fixed size, no scaling).
    pub max_capacity: i32,
    /// A daily floor: two scheduled actions raising the minimum ahead of the daily peak and
    /// lowering it after (AWS has no predictive scaling for SageMaker).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
    /// The target-tracking policy's `disable_scale_in`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable_scale_in: bool,
    /// The step policy that adds capacity (the scale-from-zero `+1`), when the target has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Step>,
    /// The target-tracking policy tracks SageMaker's 10-second concurrency metric instead of
    /// its own (it scales out within a minute; docs/simulate.md).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub high_resolution: bool,
}

/// The knobs of a step policy with one step that adds capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Instances its step adds.
    pub adjustment: i32,
    /// Its cooldown, seconds.
    pub cooldown: i32,
    /// Its alarm's periods, every one breaching (N of N): how long the need must last.
    pub periods: i32,
}

/// A minimum held from one hour of the day (UTC) to another, on some days of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Floor {
    /// The minimum in the window.
    pub min: i32,
    /// First hour of the window, 0-23.
    pub from: u8,
    /// Hour the window ends, 1-24.
    pub to: u8,
    /// The days (UTC) the window opens: every day, or the busy days of a weekly cycle.
    #[serde(skip_serializing_if = "Days::is_every_day")]
    pub days: Days,
}

impl Floor {
    /// The two scheduled actions that make the floor, back to `base` after it. Only the
    /// raise keeps to the busy days: lowering to the minimum in force is harmless every day,
    /// and a window that crosses midnight ends on the next day.
    pub fn actions(&self, base: i32) -> [ScheduledAction; 2] {
        let at = |name: &str, schedule: String, min: i32| ScheduledAction {
            name: name.to_string(),
            schedule,
            timezone: None,
            start_time: None,
            end_time: None,
            min_capacity: Some(min),
            max_capacity: None,
        };
        [
            at(FLOOR_UP, self.days.cron_at(self.from), self.min),
            at(FLOOR_DOWN, Days::EVERY.cron_at(self.to), base),
        ]
    }
}

/// Days of the week, as a set (bit 0 = Sunday, as AWS cron's 1 = SUN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days(pub u8);

impl Days {
    /// Every day of the week.
    pub const EVERY: Days = Days(0x7f);

    /// Whether no day is left out.
    pub fn is_every_day(&self) -> bool {
        *self == Days::EVERY
    }

    /// Whether `day` (0 = Sunday) is one of them.
    pub fn contains(&self, day: usize) -> bool {
        self.0 & (1 << (day % 7)) != 0
    }

    /// The same days, one day earlier (a raise at 23:00 for a window opening at midnight).
    pub fn day_before(&self) -> Days {
        Days((self.0 >> 1) | ((self.0 & 1) << 6))
    }

    /// `cron(0 H * * ? *)` every day; else `cron(0 H ? * MON-FRI *)` with the days.
    fn cron_at(&self, hour: u8) -> String {
        if self.is_every_day() {
            format!("cron(0 {} * * ? *)", hour % 24)
        } else {
            format!("cron(0 {} ? * {} *)", hour % 24, self)
        }
    }
}

/// `MON-FRI`, `SUN,TUE-THU`: runs of three or more days as ranges (AWS cron ranges do not
/// wrap past SAT).
impl std::fmt::Display for Days {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        let mut d = 0;
        while d < 7 {
            if !self.contains(d) {
                d += 1;
                continue;
            }
            let start = d;
            while d + 1 < 7 && self.contains(d + 1) {
                d += 1;
            }
            let name = |d: usize| crate::schedule::CRON_DAYS[d];
            parts.push(match d - start {
                0 => name(start).to_string(),
                1 => format!("{},{}", name(start), name(d)),
                _ => format!("{}-{}", name(start), name(d)),
            });
            d += 1;
        }
        f.write_str(&parts.join(","))
    }
}

impl Serialize for Days {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The load's busy hours (UTC) and the days they come back on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peak {
    /// First busy hour, 0-23.
    pub from: u8,
    /// Hour the busy time ends, 1-24.
    pub to: u8,
    /// The days (UTC) the busy hours begin on.
    pub days: Days,
}

/// The name `tune` gives the scheduled action that raises the minimum.
pub const FLOOR_UP: &str = "tune-daily-floor-up";
/// The name of the one that lowers it again.
pub const FLOOR_DOWN: &str = "tune-daily-floor-down";

impl Knobs {
    /// How many values differ from `other`'s.
    pub fn changes_from(&self, other: &Knobs) -> usize {
        [
            self.preset != other.preset,
            self.target != other.target,
            self.scale_in_cooldown != other.scale_in_cooldown,
            self.scale_out_cooldown != other.scale_out_cooldown,
            self.min_capacity != other.min_capacity,
            self.max_capacity != other.max_capacity,
            self.floor != other.floor,
            self.disable_scale_in != other.disable_scale_in,
            self.step != other.step,
            self.high_resolution != other.high_resolution,
        ]
        .iter()
        .filter(|d| **d)
        .count()
    }
}

/// A target-tracking policy `tune` can swap in: another preset's.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// The preset it comes from.
    pub preset: Preset,
    /// Its target-tracking policy, with the preset's target value.
    pub policy: ScalingPolicy,
}

/// The search space of one target.
#[derive(Debug, Clone)]
pub struct Space {
    /// The target as configured.
    pub base: ScalableTarget,
    /// Index of its (first) target-tracking policy, the one tuned.
    pub tracked: usize,
    /// Index of its step policy that adds capacity with one step, when it has one.
    pub stepped: Option<usize>,
    /// Whether the step's alarm periods can be written into the file (else they stay).
    pub step_periods: bool,
    /// The preset the config uses, when it uses one.
    pub preset: Option<Preset>,
    /// Other presets' policies that may replace the tracked one.
    pub alternatives: Vec<Alternative>,
    /// Minimums to try besides the configured one and one more, and fixed sizes to try:
    /// floors the load needed (its median, 90th percentile, and that plus 15 %), found by the
    /// caller.
    pub floors: Vec<i32>,
    /// The daily peak's hours (UTC) and its days, when the load has one and the target has no
    /// scheduled actions of its own: daily floors are tried there.
    pub peak: Option<Peak>,
    /// SageMaker's 10-second concurrency metric for this kind of target and a target value to
    /// start from, when the history has the metric and the policy tracks another one.
    pub high_resolution: Option<(PredefinedMetric, f64)>,
}

impl Space {
    /// The space of `base`; None when it has no target-tracking policy to tune.
    pub fn new(
        base: &ScalableTarget,
        preset: Option<Preset>,
        alternatives: Vec<Alternative>,
    ) -> Option<Space> {
        let tracked = base
            .policies
            .iter()
            .position(|p| matches!(p.config, PolicyConfig::TargetTracking(_)))?;
        let stepped = base.policies.iter().position(|p| one_step_up(p).is_some());
        Some(Space {
            base: base.clone(),
            tracked,
            stepped,
            step_periods: false,
            preset,
            alternatives,
            floors: Vec::new(),
            peak: None,
            high_resolution: None,
        })
    }

    /// The knobs as configured.
    pub fn current(&self) -> Knobs {
        let tt = self.tracking(&self.base.policies[self.tracked]);
        Knobs {
            preset: self.preset,
            target: tt.map_or(1.0, |t| t.target_value),
            scale_in_cooldown: tt.and_then(|t| t.scale_in_cooldown),
            scale_out_cooldown: tt.and_then(|t| t.scale_out_cooldown),
            min_capacity: self.base.min_capacity,
            max_capacity: self.base.max_capacity,
            floor: None,
            disable_scale_in: tt.is_some_and(|t| t.disable_scale_in),
            step: self.stepped.and_then(|i| one_step_up(&self.base.policies[i])),
            high_resolution: false,
        }
    }

    fn tracking<'a>(&self, p: &'a ScalingPolicy) -> Option<&'a crate::model::TargetTracking> {
        match &p.config {
            PolicyConfig::TargetTracking(tt) => Some(tt),
            PolicyConfig::Step(_) => None,
        }
    }

    /// The coarse grid: each metric's target values around its starting one, the minimum as
    /// configured, one more and the load's floors (0 only where the config already allows
    /// it), the configured scale-in cooldown and a short one; fixed sizes at the floors. The
    /// cooldowns are searched in full around the best of these ([`Space::cooldowns`]).
    pub fn grid(&self) -> Vec<Knobs> {
        let current = self.current();
        let mut starts = vec![(self.preset, false, current.target)];
        for a in &self.alternatives {
            if let Some(tt) = self.tracking(&a.policy) {
                starts.push((Some(a.preset), false, tt.target_value));
            }
        }
        if let Some((_, start)) = self.high_resolution {
            starts.push((self.preset, true, start));
        }
        let mut mins = vec![current.min_capacity, current.min_capacity + 1];
        for f in &self.floors {
            if !mins.contains(f) {
                mins.push(*f);
            }
        }
        let mut out = Vec::new();
        for (preset, high_resolution, start) in starts {
            for step in TARGET_STEPS {
                for scale_in in with([SCALE_IN_COOLDOWNS[0]], current.scale_in_cooldown) {
                    for scale_out in with([SCALE_OUT_COOLDOWNS[2]], current.scale_out_cooldown) {
                        for &min in mins.iter().filter(|m| **m <= self.base.max_capacity) {
                            out.push(Knobs {
                                preset,
                                target: round(start * step),
                                scale_in_cooldown: Some(scale_in),
                                scale_out_cooldown: Some(scale_out),
                                min_capacity: min,
                                max_capacity: current.max_capacity,
                                floor: None,
                                disable_scale_in: false,
                                step: current.step,
                                high_resolution,
                            });
                        }
                    }
                }
            }
        }
        // Fixed sizes at the floors: no scaling at all can be the cheapest way to a goal.
        for &f in self
            .floors
            .iter()
            .filter(|f| **f >= 1 && **f <= self.base.max_capacity)
        {
            out.push(Knobs {
                min_capacity: f,
                max_capacity: f,
                ..current.clone()
            });
        }
        out.push(current);
        out
    }

    /// `k` with every pair of cooldowns on the grid.
    pub fn cooldowns(&self, k: &Knobs) -> Vec<Knobs> {
        let mut out = Vec::new();
        for scale_in in with(SCALE_IN_COOLDOWNS, k.scale_in_cooldown) {
            for scale_out in with(SCALE_OUT_COOLDOWNS, k.scale_out_cooldown) {
                out.push(Knobs {
                    scale_in_cooldown: Some(scale_in),
                    scale_out_cooldown: Some(scale_out),
                    ..k.clone()
                });
            }
        }
        out
    }

    /// `k` with a daily floor at each of the load's floors over its peak, starting an hour
    /// early (an instance needs its start-up time before the peak), on the peak's days.
    pub fn daily_floors(&self, k: &Knobs) -> Vec<Knobs> {
        let Some(peak) = self.peak else {
            return Vec::new();
        };
        // A peak at midnight is prepared for at 23:00 the day before.
        let days = if peak.from == 0 {
            peak.days.day_before()
        } else {
            peak.days
        };
        self.floors
            .iter()
            .filter(|f| **f > k.min_capacity && **f <= k.max_capacity)
            .map(|&min| Knobs {
                floor: Some(Floor {
                    min,
                    from: (peak.from + 23) % 24,
                    to: peak.to,
                    days,
                }),
                ..k.clone()
            })
            .collect()
    }

    /// `k` with scale-in switched the other way, and (when it can reach zero) with the step
    /// policy's other sizes, cooldowns and alarm periods: the knobs that matter after the
    /// target-tracking ones are chosen.
    pub fn scale_in_and_steps(&self, k: &Knobs) -> Vec<Knobs> {
        let mut out = vec![Knobs {
            disable_scale_in: !k.disable_scale_in,
            ..k.clone()
        }];
        let (Some(step), Some(i)) = (k.step, self.stepped) else {
            return out;
        };
        // The step policy wakes an endpoint at zero; above zero its alarm never fires.
        if k.min_capacity > 0 {
            return out;
        }
        let period = match &self.base.policies[i].config {
            PolicyConfig::Step(sp) => sp.alarm.period.max(60),
            PolicyConfig::TargetTracking(_) => 60,
        };
        let periods: Vec<i32> = if self.step_periods {
            with([1, 2], Some(step.periods))
        } else {
            vec![step.periods]
        };
        for adjustment in with(STEP_SIZES, Some(step.adjustment)) {
            for cooldown in with(STEP_COOLDOWNS, Some(step.cooldown)) {
                for &n in &periods {
                    // The cooldown outlasts the alarm (config warning `cooldown-shorter-than-alarm`).
                    if adjustment <= k.max_capacity && cooldown >= period * n {
                        out.push(Knobs {
                            step: Some(Step {
                                adjustment,
                                cooldown,
                                periods: n,
                            }),
                            ..k.clone()
                        });
                    }
                }
            }
        }
        out.retain(|c| c != k);
        out
    }

    /// Finer target values between `best`'s neighbours on the grid, and its cooldowns' neighbours.
    pub fn around(&self, best: &Knobs) -> Vec<Knobs> {
        let mut out = Vec::new();
        for f in [0.8, 0.9, 1.1, 1.2] {
            out.push(Knobs {
                target: round(best.target * f),
                ..best.clone()
            });
        }
        for s in [
            best.scale_in_cooldown.map(|c| c / 2),
            best.scale_in_cooldown.map(|c| c + c / 2),
        ] {
            out.push(Knobs {
                scale_in_cooldown: s,
                ..best.clone()
            });
        }
        out
    }

    /// The target with `k`'s values.
    pub fn target(&self, k: &Knobs) -> ScalableTarget {
        let mut t = self.base.clone();
        if k.preset != self.preset
            && let Some(a) = self.alternatives.iter().find(|a| Some(a.preset) == k.preset)
        {
            t.policies[self.tracked] = a.policy.clone();
        }
        if let PolicyConfig::TargetTracking(tt) = &mut t.policies[self.tracked].config {
            tt.target_value = k.target;
            tt.scale_in_cooldown = k.scale_in_cooldown;
            tt.scale_out_cooldown = k.scale_out_cooldown;
            tt.disable_scale_in = k.disable_scale_in;
            if let (true, Some((metric, _))) = (k.high_resolution, self.high_resolution) {
                tt.metric = MetricSpec::Predefined(metric);
            }
        }
        if let (Some(step), Some(i)) = (k.step, self.stepped)
            && let PolicyConfig::Step(sp) = &mut t.policies[i].config
        {
            sp.cooldown = step.cooldown;
            sp.steps[0].scaling_adjustment = step.adjustment;
            sp.alarm.evaluation_periods = step.periods;
            sp.alarm.datapoints_to_alarm = step.periods;
        }
        t.min_capacity = k.min_capacity;
        t.max_capacity = k.max_capacity;
        if let Some(f) = &k.floor {
            t.scheduled_actions.extend(f.actions(k.min_capacity));
            // As validation leaves them: by name.
            t.scheduled_actions.sort_by(|a, b| a.name.cmp(&b.name));
        }
        t
    }
}

/// A step policy's knobs, when it adds capacity with one ChangeInCapacity step whose alarm
/// fires on every period breaching (N of N).
pub fn one_step_up(p: &ScalingPolicy) -> Option<Step> {
    let PolicyConfig::Step(sp) = &p.config else {
        return None;
    };
    let [only] = sp.steps.as_slice() else {
        return None;
    };
    let fits = sp.adjustment_type == AdjustmentType::ChangeInCapacity
        && only.scaling_adjustment > 0
        && sp.alarm.evaluation_periods == sp.alarm.datapoints_to_alarm;
    fits.then_some(Step {
        adjustment: only.scaling_adjustment,
        cooldown: sp.cooldown,
        periods: sp.alarm.evaluation_periods,
    })
}

/// The grid's values, with the configured one among them.
fn with<const N: usize>(grid: [i32; N], configured: Option<i32>) -> Vec<i32> {
    let mut v = grid.to_vec();
    if let Some(c) = configured
        && !v.contains(&c)
    {
        v.push(c);
    }
    v
}

/// Target values are written with at most two decimals, as a person would.
fn round(v: f64) -> f64 {
    let digits = if v.abs() >= 10.0 { 1.0 } else { 100.0 };
    (v * digits).round() / digits
}
