//! The AWS objects this tool manages, one record each, in the shape the planner compares.
//! Desired state is flattened into these records; AWS's current state is read into them; the
//! plan is the difference. Both sides are normalised the same way, so "applied" plans as
//! "no changes".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::keywords::{AdjustmentType, Aggregation};
use crate::model::{
    Alarm, DesiredState, PolicyConfig, ScheduledAction, StepAdjustment, SuspendedState, TargetTracking,
};
use crate::tags::Tags;

/// The kind of AWS object a record stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An Application Auto Scaling scalable target (RegisterScalableTarget).
    ScalableTarget,
    /// A scaling policy (PutScalingPolicy).
    ScalingPolicy,
    /// A CloudWatch alarm that fires a step policy (PutMetricAlarm).
    Alarm,
    /// A scheduled action (PutScheduledAction).
    ScheduledAction,
}

impl Kind {
    /// The kind's name in plans and reports, e.g. `scaling_policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ScalableTarget => "scalable_target",
            Kind::ScalingPolicy => "scaling_policy",
            Kind::Alarm => "alarm",
            Kind::ScheduledAction => "scheduled_action",
        }
    }
}

/// Which object: its kind, the scalable target it belongs to, and its name. A scalable
/// target's name is its scalable dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    /// Scalable target, scaling policy, alarm or scheduled action.
    pub kind: Kind,
    /// The ResourceId of the scalable target it belongs to.
    pub resource_id: String,
    /// The object's name (the scalable dimension for a target).
    pub name: String,
}

/// One managed AWS object as the planner compares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Record {
    /// A scalable target's capacity bounds and suspended state.
    Target(TargetRecord),
    /// A scaling policy.
    Policy(PolicyRecord),
    /// A step policy's alarm.
    Alarm(AlarmRecord),
    /// A scheduled action, time zone normalised.
    Schedule(ScheduledAction),
}

/// A scalable target's settings RegisterScalableTarget sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    /// MinCapacity.
    pub min_capacity: i32,
    /// MaxCapacity.
    pub max_capacity: i32,
    /// SuspendedState.
    pub suspended: SuspendedState,
    /// The tags this tool manages (`tags::tags`): set by RegisterScalableTarget when it
    /// creates the target, by TagResource after. Empty where they were not read.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// A scaling policy by type, as AWS holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy_type")]
pub enum PolicyRecord {
    /// A target-tracking policy's configuration.
    #[serde(rename = "TargetTrackingScaling")]
    TargetTracking(TargetTracking),
    /// A step policy's configuration, without its alarm.
    #[serde(rename = "StepScaling")]
    Step(StepRecord),
}

impl PolicyRecord {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            PolicyRecord::TargetTracking(_) => "TargetTrackingScaling",
            PolicyRecord::Step(_) => "StepScaling",
        }
    }
}

/// A step policy without its alarm (the alarm is a record of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// AdjustmentType: how each step's adjustment is read.
    pub adjustment_type: AdjustmentType,
    /// Cooldown in seconds.
    pub cooldown: i32,
    /// MetricAggregationType.
    pub metric_aggregation_type: Aggregation,
    /// MinAdjustmentMagnitude; None: not set.
    pub min_adjustment_magnitude: Option<i32>,
    /// The step adjustments, sorted by lower bound.
    pub steps: Vec<StepAdjustment>,
}

/// An alarm, and which of the target's policies it triggers (by name; a stale ARN of one
/// as the raw ARN). Actions that are not the target's policies are someone else's: kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRecord {
    /// The alarm's settings.
    #[serde(flatten)]
    pub alarm: Alarm,
    /// The AlarmActions this tool manages: policy names on the same target, raw ARNs for a
    /// policy of the target that no longer exists (others' actions are in `kept`).
    pub triggers: Vec<String>,
    /// Managed: an operator who disabled the actions sees it in the plan as drift.
    #[serde(default = "enabled")]
    pub actions_enabled: bool,
    /// What the config does not manage but PutMetricAlarm would reset: kept as AWS holds it
    /// and sent again with every update.
    #[serde(default, skip_serializing_if = "AlarmKept::is_empty")]
    pub kept: AlarmKept,
}

fn enabled() -> bool {
    true
}

/// An alarm's fields that someone else may have set (PutMetricAlarm overwrites every field
/// it is given and resets every one it is not: API reference, PutMetricAlarm).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmKept {
    /// A description this tool did not write (its own is rewritten on every put).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// AlarmActions other than this target's scaling policies (an SNS topic someone added):
    /// resent after the policy ARNs, never removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    /// OKActions someone else set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// InsufficientDataActions someone else set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insufficient_data_actions: Vec<String>,
    /// The Unit AWS holds for the alarm's metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) evaluate_low_sample_count_percentile: Option<String>,
}

impl AlarmKept {
    /// True when nothing outside the config is kept.
    pub fn is_empty(&self) -> bool {
        *self == AlarmKept::default()
    }
}

/// Every alarm this tool writes has a description starting with this: its mark of ownership.
/// An alarm without it that fires a managed policy is someone else's and is never deleted.
pub const ALARM_MARK: &str = "Managed by sagemaker-autoscale";

/// What the config leaves to AWS is not compared: desired alarms keep what AWS holds of their
/// unmanaged fields (so an update resends them instead of resetting them), and a cooldown the
/// config leaves unset where AWS documents no default is whatever AWS holds.
pub fn align_unmanaged(desired: &mut Records, current: &mut Records) {
    for (key, record) in desired.iter_mut() {
        match (record, current.get_mut(key)) {
            (Record::Alarm(want), Some(Record::Alarm(have))) => {
                want.kept = have.kept.clone();
                // A unit kept for another metric would leave the alarm in INSUFFICIENT_DATA
                // (PutMetricAlarm: "We recommend omitting Unit"): it goes, visibly.
                let same_metric = (
                    &want.alarm.metric_name,
                    &want.alarm.namespace,
                    &want.alarm.dimensions,
                ) == (
                    &have.alarm.metric_name,
                    &have.alarm.namespace,
                    &have.alarm.dimensions,
                );
                if !same_metric {
                    want.kept.unit = None;
                }
            }
            (
                Record::Policy(PolicyRecord::TargetTracking(want)),
                Some(Record::Policy(PolicyRecord::TargetTracking(have))),
            ) => {
                if want.scale_in_cooldown.is_none() {
                    have.scale_in_cooldown = None;
                }
                if want.scale_out_cooldown.is_none() {
                    have.scale_out_cooldown = None;
                }
            }
            _ => {}
        }
    }
}

/// Records keyed and ordered for diffing.
pub type Records = BTreeMap<Key, Record>;

/// The desired state as records.
pub fn desired_records(desired: &DesiredState) -> Records {
    let mut out = Records::new();
    for t in &desired.targets {
        let rid = &t.resource_id;
        let key = |kind, name: &str| Key {
            kind,
            resource_id: rid.clone(),
            name: name.to_string(),
        };
        out.insert(
            key(Kind::ScalableTarget, t.scalable_dimension.as_str()),
            Record::Target(TargetRecord {
                min_capacity: t.min_capacity,
                max_capacity: t.max_capacity,
                suspended: t.suspended,
                tags: crate::tags::tags(&desired.stack),
            }),
        );
        for p in &t.policies {
            let record = match &p.config {
                PolicyConfig::TargetTracking(tt) => PolicyRecord::TargetTracking(tt.clone()),
                PolicyConfig::Step(s) => {
                    out.insert(
                        key(Kind::Alarm, &s.alarm.name),
                        Record::Alarm(AlarmRecord {
                            alarm: s.alarm.clone(),
                            triggers: vec![p.name.clone()],
                            actions_enabled: true,
                            kept: AlarmKept::default(),
                        }),
                    );
                    PolicyRecord::Step(StepRecord {
                        adjustment_type: s.adjustment_type,
                        cooldown: s.cooldown,
                        metric_aggregation_type: s.metric_aggregation_type,
                        min_adjustment_magnitude: s.min_adjustment_magnitude,
                        steps: s.steps.clone(),
                    })
                }
            };
            out.insert(key(Kind::ScalingPolicy, &p.name), Record::Policy(record));
        }
        for s in &t.scheduled_actions {
            out.insert(
                key(Kind::ScheduledAction, &s.name),
                Record::Schedule(normalise_schedule(s.clone())),
            );
        }
    }
    out
}

/// AWS treats an absent time zone as UTC; so do we, on both sides.
pub fn normalise_schedule(mut s: ScheduledAction) -> ScheduledAction {
    if s.timezone
        .as_deref()
        .is_some_and(|tz| tz.eq_ignore_ascii_case("UTC") || tz == "Etc/UTC")
    {
        s.timezone = None;
    }
    s
}
