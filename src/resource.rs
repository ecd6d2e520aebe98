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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ScalableTarget,
    ScalingPolicy,
    Alarm,
    ScheduledAction,
}

impl Kind {
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
    pub kind: Kind,
    pub resource_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Record {
    Target(TargetRecord),
    Policy(PolicyRecord),
    Alarm(AlarmRecord),
    Schedule(ScheduledAction),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub min_capacity: i32,
    pub max_capacity: i32,
    pub suspended: SuspendedState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "policy_type")]
pub enum PolicyRecord {
    #[serde(rename = "TargetTrackingScaling")]
    TargetTracking(TargetTracking),
    #[serde(rename = "StepScaling")]
    Step(StepRecord),
}

impl PolicyRecord {
    pub fn type_name(&self) -> &'static str {
        match self {
            PolicyRecord::TargetTracking(_) => "TargetTrackingScaling",
            PolicyRecord::Step(_) => "StepScaling",
        }
    }
}

/// A step policy without its alarm (the alarm is a record of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub adjustment_type: AdjustmentType,
    pub cooldown: i32,
    pub metric_aggregation_type: Aggregation,
    pub min_adjustment_magnitude: Option<i32>,
    pub steps: Vec<StepAdjustment>,
}

/// An alarm, and what it triggers: policy names of the same scalable target, or raw ARNs
/// when an action points anywhere else (another policy, a stale ARN, an SNS topic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRecord {
    #[serde(flatten)]
    pub alarm: Alarm,
    pub triggers: Vec<String>,
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
