//! Plan -> ordered AWS changes, with a report of each: applied, failed, or not attempted.
//! Stops at the first hard failure; a re-run plans only what is left, so it converges.

use std::collections::HashMap;

use serde::Serialize;

use crate::aws::{AwsError, Clients, Write, perform};
use crate::plan::{Action, Change, Plan};
use crate::resource::{Kind, Record, Records};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", content = "error", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    Failed(String),
    NotAttempted,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeReport {
    pub action: Action,
    pub kind: Kind,
    pub resource_id: String,
    pub name: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// What else this change required, e.g. re-pointing an alarm at a new policy ARN.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub changes: Vec<ChangeReport>,
    /// The run's time limit ran out before every change was attempted.
    pub deadline_reached: bool,
    /// Changes a fresh plan still finds after everything was applied (0 = AWS matches). None
    /// when no check ran (a change failed, or time ran out). Non-zero means AWS changed while
    /// applying, e.g. another run at the same time.
    pub remaining: Option<usize>,
    /// Why the check after applying could not run, if it could not.
    pub check_error: Option<String>,
}

impl ApplyReport {
    pub fn failed(&self) -> bool {
        self.deadline_reached
            || self.remaining.is_some_and(|n| n > 0)
            || self
                .changes
                .iter()
                .any(|c| matches!(c.outcome, Outcome::Failed(_)))
    }

    pub fn count(&self, pred: impl Fn(&Outcome) -> bool) -> usize {
        self.changes.iter().filter(|c| pred(&c.outcome)).count()
    }
}

/// Applies `plan`. `desired` is the full desired state (for re-pointing alarms that did not
/// change themselves); `policy_arns` are the ARNs read with the current state.
pub async fn apply(
    clients: &Clients,
    plan: &Plan,
    desired: &Records,
    mut policy_arns: HashMap<(String, String), String>,
    deadline: Option<tokio::time::Instant>,
) -> ApplyReport {
    let mut reports: Vec<ChangeReport> = plan
        .changes
        .iter()
        .map(|c| ChangeReport {
            action: c.action,
            kind: c.kind,
            resource_id: c.resource_id.clone(),
            name: c.name.clone(),
            outcome: Outcome::NotAttempted,
            notes: Vec::new(),
        })
        .collect();
    let mut deadline_reached = false;
    for (i, change) in plan.changes.iter().enumerate() {
        // Stop between changes, never in the middle of one: what is reported is what happened.
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            deadline_reached = true;
            break;
        }
        let result = apply_one(
            clients,
            plan,
            change,
            desired,
            &mut policy_arns,
            &mut reports[i].notes,
        )
        .await;
        match result {
            Ok(()) => reports[i].outcome = Outcome::Applied,
            Err(e) => {
                let mut message = e.to_string();
                if let Some(hint) = e.hint() {
                    message.push_str(&format!(" (hint: {hint})"));
                }
                reports[i].outcome = Outcome::Failed(message);
                break;
            }
        }
    }
    ApplyReport {
        changes: reports,
        deadline_reached,
        remaining: None,
        check_error: None,
    }
}

async fn apply_one(
    clients: &Clients,
    plan: &Plan,
    change: &Change,
    desired: &Records,
    arns: &mut HashMap<(String, String), String>,
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let rid = change.resource_id.as_str();
    let name = change.name.as_str();
    let after = match (&change.after, change.action) {
        (Some(v), Action::Create | Action::Update | Action::Replace) => {
            Some(Record::from_value(change.kind, v).map_err(|e| AwsError::Invalid {
                operation: "apply",
                message: format!("{name}: {e}"),
            })?)
        }
        _ => None,
    };
    let write = match (change.kind, change.action, &after) {
        (Kind::ScalingPolicy, action, Some(Record::Policy(policy))) if action != Action::Delete => {
            return put_policy(clients, plan, change, policy, desired, arns, notes).await;
        }
        (Kind::ScalableTarget, _, Some(Record::Target(target))) => Write::RegisterTarget {
            resource_id: rid,
            target,
        },
        (Kind::ScalingPolicy, Action::Delete, _) => Write::DeletePolicy {
            resource_id: rid,
            name,
        },
        (Kind::Alarm, Action::Delete, _) => Write::DeleteAlarm { name },
        (Kind::Alarm, _, Some(Record::Alarm(alarm))) => Write::PutAlarm {
            resource_id: rid,
            alarm,
            actions: alarm_actions(rid, alarm, arns)?,
        },
        (Kind::ScheduledAction, Action::Delete, _) => Write::DeleteSchedule {
            resource_id: rid,
            name,
        },
        (Kind::ScheduledAction, _, Some(Record::Schedule(schedule))) => Write::PutSchedule {
            resource_id: rid,
            schedule,
        },
        (kind, action, _) => {
            return Err(AwsError::Invalid {
                operation: "apply",
                message: format!("cannot {action:?} a {} from this plan", kind.as_str()),
            });
        }
    };
    retrying(clients, &write).await?;
    if let Write::DeletePolicy { .. } = write {
        arns.remove(&(rid.to_string(), name.to_string()));
    }
    Ok(())
}

/// Puts a policy (deleting it first on a replace) and keeps its new ARN; alarms that fire it
/// follow the ARN if it changed.
async fn put_policy(
    clients: &Clients,
    plan: &Plan,
    change: &Change,
    policy: &crate::resource::PolicyRecord,
    desired: &Records,
    arns: &mut HashMap<(String, String), String>,
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let (rid, name) = (change.resource_id.as_str(), change.name.as_str());
    if change.action == Action::Replace {
        retrying(
            clients,
            &Write::DeletePolicy {
                resource_id: rid,
                name,
            },
        )
        .await?;
    }
    let key = (rid.to_string(), name.to_string());
    let old_arn = arns.get(&key).cloned();
    let arn = retrying(
        clients,
        &Write::PutPolicy {
            resource_id: rid,
            name,
            policy,
        },
    )
    .await?
    .unwrap_or_default();
    arns.insert(key, arn.clone());
    if old_arn.is_some() && old_arn.as_deref() != Some(arn.as_str()) {
        repoint_alarms(clients, plan, rid, name, desired, arns, notes).await?;
    }
    Ok(())
}

/// An unchanged alarm whose policy got a new ARN would keep firing at nothing: put it again.
async fn repoint_alarms(
    clients: &Clients,
    plan: &Plan,
    rid: &str,
    policy: &str,
    desired: &Records,
    arns: &HashMap<(String, String), String>,
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    for (key, record) in desired {
        let Record::Alarm(alarm) = record else { continue };
        if key.resource_id != rid || !alarm.triggers.iter().any(|t| t == policy) {
            continue;
        }
        let planned = plan
            .changes
            .iter()
            .any(|c| c.key() == *key && c.action != Action::Delete);
        if planned {
            continue;
        }
        let actions = alarm_actions(rid, alarm, arns)?;
        retrying(
            clients,
            &Write::PutAlarm {
                resource_id: rid,
                alarm,
                actions,
            },
        )
        .await?;
        notes.push(format!("re-pointed alarm {} at the policy's new ARN", key.name));
    }
    Ok(())
}

fn alarm_actions(
    rid: &str,
    alarm: &crate::resource::AlarmRecord,
    arns: &HashMap<(String, String), String>,
) -> Result<Vec<String>, AwsError> {
    alarm
        .triggers
        .iter()
        .map(|t| {
            if t.starts_with("arn:") {
                return Ok(t.clone());
            }
            arns.get(&(rid.to_string(), t.clone()))
                .cloned()
                .ok_or_else(|| AwsError::Invalid {
                    operation: "PutMetricAlarm",
                    message: format!(
                        "alarm {} triggers policy {t}, which has no ARN yet",
                        alarm.alarm.name
                    ),
                })
        })
        .collect()
}

/// `perform`, retrying transient errors (see `AwsError::is_transient`).
async fn retrying(clients: &Clients, write: &Write<'_>) -> Result<Option<String>, AwsError> {
    crate::aws::with_retries(|| perform(clients, write)).await
}
