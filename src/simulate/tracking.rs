//! Target tracking as Application Auto Scaling runs it (docs/simulate.md, "target tracking"):
//! its two alarms, the capacity it asks for, and its cooldowns.

use super::signals::MetricId;
use crate::model::TargetTracking;

/// Target tracking's alarms as Application Auto Scaling creates them: high after 3 one-minute
/// datapoints above the target, low after 15 below 90 % of it.
const HIGH_DATAPOINTS: usize = 3;
/// On SageMaker's high-resolution metrics (a datapoint every 10 s) the high alarm fires within
/// the first minute above the target: "the policy responds by scaling out much faster ...
/// However, as traffic decreases, the policy scales in at the same speed as for standard
/// metrics" (SageMaker guide, endpoint-auto-scaling-add-code-define). One minute is the finest
/// step of this one-minute model.
const HIGH_DATAPOINTS_HIGH_RESOLUTION: usize = 1;
const LOW_DATAPOINTS: usize = 15;
const LOW_FRACTION: f64 = 0.9;

/// One target-tracking policy's state during a replay.
pub(super) struct Tracking<'a> {
    pub(super) name: &'a str,
    pub(super) tt: &'a TargetTracking,
    pub(super) metric: MetricId,
    /// Minutes above the target that make its high alarm fire.
    high_after: usize,
    /// Consecutive datapoints above the target, and below 90 % of it.
    high: usize,
    low: usize,
    /// Until when (minute) no scale-out, and no scale-in, by this policy.
    out_until: usize,
    pub(super) in_until: usize,
}

/// What a policy wants this minute.
pub(super) struct Wish {
    /// A larger capacity, when its high alarm fires and its scale-out cooldown is over.
    pub(super) out: Option<i32>,
    /// Its vote on scaling in, when it may scale in at all (no `disable_scale_in`): a smaller
    /// capacity when its low alarm fires and its scale-in cooldown is over, else None.
    pub(super) scale_in: Option<Option<i32>>,
}

impl<'a> Tracking<'a> {
    pub(super) fn new(name: &'a str, tt: &'a TargetTracking) -> Tracking<'a> {
        Tracking {
            name,
            tt,
            metric: super::watched::metric_of(tt),
            high_after: if high_resolution(tt) {
                HIGH_DATAPOINTS_HIGH_RESOLUTION
            } else {
                HIGH_DATAPOINTS
            },
            high: 0,
            low: 0,
            out_until: 0,
            in_until: 0,
        }
    }

    /// Takes minute `t`'s datapoint `v` (None: missing, INSUFFICIENT_DATA resets both
    /// streaks) with `desired` capacity, and says what the policy wants.
    pub(super) fn observe(&mut self, v: Option<f64>, desired: i32, t: usize) -> Wish {
        let target = self.tt.target_value;
        match v {
            Some(v) if v > target => {
                self.high += 1;
                self.low = 0;
            }
            Some(v) if v < LOW_FRACTION * target => {
                self.low += 1;
                self.high = 0;
            }
            _ => {
                self.high = 0;
                self.low = 0;
            }
        }
        // The epsilon keeps float noise (3 x 200/3 / 50 = 4.000000000000001) from adding one.
        let wish = v.map(|v| (f64::from(desired.max(1)) * v / target - 1e-9).ceil() as i32);
        let out = wish.filter(|w| *w > desired && self.high >= self.high_after && t >= self.out_until);
        let scale_in = (!self.tt.disable_scale_in).then(|| {
            let ready = self.low >= LOW_DATAPOINTS && t >= self.in_until;
            wish.filter(|w| *w < desired && ready)
        });
        Wish { out, scale_in }
    }

    /// Its scale-out cooldown starts at minute `t`.
    pub(super) fn scaled_out(&mut self, t: usize) {
        self.out_until = t + cooldown_minutes(self.tt.scale_out_cooldown);
    }

    /// Its scale-in cooldown starts at minute `t`.
    pub(super) fn scaled_in(&mut self, t: usize) {
        self.in_until = t + cooldown_minutes(self.tt.scale_in_cooldown);
    }
}

/// Whether the policy tracks one of SageMaker's 10-second metrics.
fn high_resolution(tt: &TargetTracking) -> bool {
    use crate::keywords::PredefinedMetric::*;
    matches!(
        tt.metric,
        crate::model::MetricSpec::Predefined(
            VariantConcurrentRequestsPerModelHighResolution
                | InferenceComponentConcurrentRequestsPerCopyHighResolution
        )
    )
}

/// A cooldown in whole minutes. AWS documents no default cooldown for inference components and
/// serverless variants: the model assumes the variants' 300 s there (docs/simulate.md).
pub(super) fn cooldown_minutes(secs: Option<i32>) -> usize {
    let secs = secs.unwrap_or(crate::model::VARIANT_DEFAULT_COOLDOWN);
    usize::try_from(secs / 60).unwrap_or(0)
}
