//! Plan -> ordered AWS changes, with a report of each: applied, failed, not attempted, or
//! removed with its target. A failure stops the rest of its own target's changes; the other
//! targets go on, unless the same permission error keeps coming back. A re-run plans only what
//! is left, so it converges.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use futures::{StreamExt, stream};

use serde::Serialize;

use crate::aws::{AwsError, Clients, Write, perform};
use crate::model::ScalableDimension;
use crate::plan::{Action, Change, Plan};
use crate::resource::{Kind, Record, Records};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", content = "error", rename_all = "snake_case")]
pub(crate) enum Outcome {
    Applied,
    Failed(String),
    NotAttempted,
    /// Done by AWS as part of another change: DeregisterScalableTarget deletes the target's
    /// scaling policies and scheduled actions with it.
    RemovedWithTarget,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChangeReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<String>,
    pub(crate) action: Action,
    pub(crate) kind: Kind,
    pub(crate) resource_id: String,
    pub(crate) name: String,
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
    /// What else this change required, e.g. re-pointing an alarm at a new policy ARN.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What an apply did: each change's outcome and the check that followed.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub(crate) changes: Vec<ChangeReport>,
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
    /// True when the apply did not leave AWS as planned: a change failed, time ran out, or changes remain.
    pub fn failed(&self) -> bool {
        self.deadline_reached
            || self.remaining.is_some_and(|n| n > 0)
            || self
                .changes
                .iter()
                .any(|c| matches!(c.outcome, Outcome::Failed(_)))
    }

    pub(crate) fn count(&self, pred: impl Fn(&Outcome) -> bool) -> usize {
        self.changes.iter().filter(|c| pred(&c.outcome)).count()
    }

    /// Why the run started no new change after some point, when one failure was going to
    /// repeat on every target: the note on the failure that stopped it.
    pub fn stopped_early(&self) -> Option<&str> {
        self.changes
            .iter()
            .flat_map(|c| &c.notes)
            .find_map(|n| n.strip_prefix(STOPPED_EARLY))
    }
}

/// Changes in flight at once unless told otherwise: measured in docs/benchmarks.md (more
/// gains little against Application Auto Scaling's throttling and costs retries).
pub const DEFAULT_PARALLELISM: u16 = 4;

/// What applying needs in one region: its clients, the full desired state there (for
/// re-pointing alarms that did not change themselves), and the policy ARNs read with the
/// current state.
pub struct Region {
    pub(crate) clients: Clients,
    pub(crate) desired: Records,
    pub(crate) policy_arns: HashMap<(String, String), String>,
    /// The stack whose tags new alarms get.
    pub(crate) stack: String,
    /// ScalableTargetARN by resource id (TagResource needs it).
    pub(crate) target_arns: HashMap<String, String>,
    /// Targets the plan deregisters: pruned (the config no longer names them) or detached.
    pub(crate) deregistered: Vec<(String, ScalableDimension)>,
}

/// Applies `plan`; each change goes to the region it is marked with.
///
/// Changes to one scalable target run in plan order; up to `parallelism` targets are worked
/// on at once. After a hard failure or when time runs out no further change starts, and the
/// changes already in flight finish, so the report says exactly what happened.
pub async fn apply(
    regions: &BTreeMap<Option<String>, Region>,
    plan: &Plan,
    deadline: Option<tokio::time::Instant>,
    parallelism: usize,
) -> ApplyReport {
    let mut reports: Vec<ChangeReport> = plan
        .changes
        .iter()
        .map(|c| ChangeReport {
            region: c.region.clone(),
            action: c.action,
            kind: c.kind,
            resource_id: c.resource_id.clone(),
            name: c.name.clone(),
            outcome: Outcome::NotAttempted,
            notes: Vec::new(),
        })
        .collect();
    let stop = Stop::default();
    let results: Vec<Vec<(usize, Outcome, Vec<String>)>> = stream::iter(lanes(plan))
        .map(|lane| run_lane(regions, plan, lane, deadline, &stop))
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    for (i, outcome, notes) in results.into_iter().flatten() {
        reports[i].outcome = outcome;
        reports[i].notes = notes;
    }
    ApplyReport {
        changes: reports,
        deadline_reached: stop.deadline_reached.load(Ordering::Relaxed),
        remaining: None,
        check_error: None,
    }
}

/// Targets that fail with the same permission error (operation and code) before the run stops:
/// one or two may be denied by a policy scoped to some resources, three are the role lacking
/// the permission, which would fail on every target. With the default `--parallelism` of 4
/// the run stops within its first round of targets.
pub const SAME_DENIALS_TO_STOP: usize = 3;

/// How the note on the failure that stopped the run begins.
const STOPPED_EARLY: &str = "stopped the run: ";

#[derive(Default)]
struct Stop {
    deadline_reached: AtomicBool,
    /// Set once: why no further change starts.
    stopped: OnceLock<String>,
    /// Targets that failed with each permission error, by (operation, code).
    denials: Mutex<HashMap<(&'static str, String), usize>>,
}

impl Stop {
    fn should_stop(&self, deadline: Option<tokio::time::Instant>) -> bool {
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            self.deadline_reached.store(true, Ordering::Relaxed);
        }
        self.stopped.get().is_some() || self.deadline_reached.load(Ordering::Relaxed)
    }

    /// A target's failure (each target fails at most once): the same permission error on
    /// SAME_DENIALS_TO_STOP targets stops the run. The note for the failure that stopped it.
    fn failed(&self, e: &AwsError) -> Option<String> {
        let (operation, code) = e.permission_denial()?;
        let mut denials = self.denials.lock().unwrap_or_else(|p| p.into_inner());
        let count = denials.entry((operation, code.to_string())).or_default();
        *count += 1;
        if *count < SAME_DENIALS_TO_STOP {
            return None;
        }
        let why = format!(
            "{operation} was denied ({code}) on {count} targets: it would fail on every target, so no further change was started"
        );
        self.stopped.set(why.clone()).ok()?;
        Some(format!("{STOPPED_EARLY}{why}"))
    }
}

/// Indexes of `plan.changes` that must run one after another: those of one scalable target,
/// joined with any other target's that touch an alarm of the same name (alarm names are
/// unique per region in CloudWatch). Lanes keep plan order inside and come out in plan order.
fn lanes(plan: &Plan) -> Vec<Vec<usize>> {
    let mut lane_of_target: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut lane_of_alarm: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut lane_of_change: Vec<usize> = Vec::with_capacity(plan.changes.len());
    // Union-find over lane numbers, so that a late alarm can join two earlier lanes.
    let mut parent: Vec<usize> = Vec::new();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for change in &plan.changes {
        let region = change.region.as_deref();
        let lane = *lane_of_target
            .entry((region, &change.resource_id))
            .or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            });
        if change.kind == Kind::Alarm {
            match lane_of_alarm.get(&(region, change.name.as_str())) {
                Some(&other) => {
                    let (a, b) = (root(&mut parent, lane), root(&mut parent, other));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    lane_of_alarm.insert((region, &change.name), lane);
                }
            }
        }
        lane_of_change.push(lane);
    }
    let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); parent.len()];
    for (i, lane) in lane_of_change.into_iter().enumerate() {
        by_root[root(&mut parent, lane)].push(i);
    }
    by_root.into_iter().filter(|lane| !lane.is_empty()).collect()
}

async fn run_lane(
    regions: &BTreeMap<Option<String>, Region>,
    plan: &Plan,
    lane: Vec<usize>,
    deadline: Option<tokio::time::Instant>,
    stop: &Stop,
) -> Vec<(usize, Outcome, Vec<String>)> {
    let mut done = Vec::new();
    // Every change of a lane is in one region (lanes are keyed by it).
    let Some(region) = lane.first().and_then(|&i| regions.get(&plan.changes[i].region)) else {
        for i in lane {
            let place = plan.changes[i].region.as_deref().unwrap_or("the config's region");
            done.push((
                i,
                Outcome::Failed(format!("no connection to {place}")),
                Vec::new(),
            ));
        }
        return done;
    };
    // A lane only reads and writes the ARNs of its own targets' policies.
    let targets: HashSet<&str> = lane
        .iter()
        .map(|&i| plan.changes[i].resource_id.as_str())
        .collect();
    let mut arns: HashMap<(String, String), String> = region
        .policy_arns
        .iter()
        .filter(|((rid, _), _)| targets.contains(rid.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Deletes a deregistration does itself: never sent, reported after the lane.
    let mut with_target = Vec::new();
    for i in lane {
        if removed_with_target(plan, &plan.changes[i]) {
            with_target.push(i);
            continue;
        }
        // Stop between changes, never in the middle of one: what is reported is what happened.
        if stop.should_stop(deadline) {
            break;
        }
        let mut notes = Vec::new();
        let result = apply_one(region, plan, &plan.changes[i], &mut arns, &mut notes).await;
        match result {
            Ok(()) => done.push((i, Outcome::Applied, notes)),
            // The rest of this target's changes depend on this one; other targets go on.
            Err(e) => {
                let message = crate::error::with_hint(&e);
                notes.extend(stop.failed(&e));
                done.push((i, Outcome::Failed(message), notes));
                break;
            }
        }
    }
    let deregistered: HashSet<&str> = done
        .iter()
        .filter(|(i, outcome, _)| *outcome == Outcome::Applied && plan.changes[*i].deregisters())
        .map(|(i, _, _)| plan.changes[*i].resource_id.as_str())
        .collect();
    for i in with_target {
        let outcome = if deregistered.contains(plan.changes[i].resource_id.as_str()) {
            Outcome::RemovedWithTarget
        } else {
            Outcome::NotAttempted
        };
        done.push((i, outcome, Vec::new()));
    }
    done
}

/// A policy or scheduled action delete that the plan's deregistration of its target does:
/// DeregisterScalableTarget deletes them with it (API reference, DeregisterScalableTarget:
/// "Deregistering a scalable target deletes the scaling policies and the scheduled actions
/// that are associated with it").
fn removed_with_target(plan: &Plan, change: &Change) -> bool {
    change.action == Action::Delete
        && matches!(change.kind, Kind::ScalingPolicy | Kind::ScheduledAction)
        && plan
            .deregistrations()
            .any(|c| c.region == change.region && c.resource_id == change.resource_id)
}

/// The record a change creates, updates or replaces to (None for a delete).
fn after_record(change: &Change) -> Result<Option<Record>, AwsError> {
    match (&change.after, change.action) {
        (Some(v), Action::Create | Action::Update | Action::Replace) => {
            let record = Record::from_value(change.kind, v).map_err(|e| AwsError::Invalid {
                operation: "apply",
                message: format!("{}: {e}", change.name),
            })?;
            Ok(Some(record))
        }
        _ => Ok(None),
    }
}

/// One change: its write (a policy and a target update are several), retried.
async fn apply_one(
    region: &Region,
    plan: &Plan,
    change: &Change,
    arns: &mut HashMap<(String, String), String>,
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let clients = &region.clients;
    let rid = change.resource_id.as_str();
    let name = change.name.as_str();
    let dimension = dimension_of(region, rid)?;
    let after = after_record(change)?;
    let write = match (change.kind, change.action, &after) {
        (Kind::ScalingPolicy, action, Some(Record::Policy(policy))) if action != Action::Delete => {
            return put_policy(region, plan, change, policy, arns, notes).await;
        }
        (Kind::ScalableTarget, Action::Update, Some(Record::Target(target))) => {
            return update_target(region, change, dimension, target).await;
        }
        (Kind::ScalableTarget, Action::Delete, _) => Write::DeregisterTarget {
            resource_id: rid,
            dimension,
        },
        (Kind::ScalableTarget, _, Some(Record::Target(target))) => Write::register(rid, dimension, target),
        (Kind::ScalingPolicy, Action::Delete, _) => Write::DeletePolicy {
            resource_id: rid,
            dimension,
            name,
        },
        (Kind::Alarm, Action::Delete, _) => Write::DeleteAlarm { name },
        (Kind::Alarm, _, Some(Record::Alarm(alarm))) => Write::PutAlarm {
            resource_id: rid,
            alarm,
            actions: alarm_actions(rid, alarm, arns)?,
            stack: &region.stack,
        },
        (Kind::ScheduledAction, Action::Delete, _) => Write::DeleteSchedule {
            resource_id: rid,
            dimension,
            name,
        },
        // An update cannot drop a bound (AWS keeps what it leaves out): delete, then put.
        (Kind::ScheduledAction, Action::Replace, Some(Record::Schedule(schedule))) => {
            let delete = Write::DeleteSchedule {
                resource_id: rid,
                dimension,
                name,
            };
            retrying(clients, &delete).await?;
            Write::PutSchedule {
                resource_id: rid,
                dimension,
                schedule,
            }
        }
        (Kind::ScheduledAction, _, Some(Record::Schedule(schedule))) => Write::PutSchedule {
            resource_id: rid,
            dimension,
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

/// RegisterScalableTarget with the bounds or suspension that changed (only those: a bound
/// left out stays as AWS holds it), TagResource for tags (AWS rejects `Tags` on
/// RegisterScalableTarget of an existing target): each only when it changed.
async fn update_target(
    region: &Region,
    change: &Change,
    dimension: ScalableDimension,
    target: &crate::resource::TargetRecord,
) -> Result<(), AwsError> {
    let rid = change.resource_id.as_str();
    let (tags, settings): (Vec<&String>, Vec<&String>) =
        change.fields.iter().partition(|f| f.starts_with("tags."));
    if !settings.is_empty() {
        let write = Write::reregister(rid, dimension, target, &settings);
        retrying(&region.clients, &write).await?;
    }
    if !tags.is_empty() {
        let arn = region.target_arns.get(rid).ok_or_else(|| AwsError::Invalid {
            operation: "TagResource",
            message: format!("{rid} has no ScalableTargetARN to tag"),
        })?;
        retrying(
            &region.clients,
            &Write::TagTarget {
                arn,
                tags: &target.tags,
            },
        )
        .await?;
    }
    Ok(())
}

/// Puts a policy (deleting it first on a replace) and keeps its new ARN; alarms that fire it
/// follow the ARN if it changed.
async fn put_policy(
    region: &Region,
    plan: &Plan,
    change: &Change,
    policy: &crate::resource::PolicyRecord,
    arns: &mut HashMap<(String, String), String>,
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let clients = &region.clients;
    let (rid, name) = (change.resource_id.as_str(), change.name.as_str());
    let dimension = dimension_of(region, rid)?;
    if change.action == Action::Replace {
        let old = change.replaces.as_deref().unwrap_or(name);
        retrying(
            clients,
            &Write::DeletePolicy {
                resource_id: rid,
                dimension,
                name: old,
            },
        )
        .await?;
        arns.remove(&(rid.to_string(), old.to_string()));
    }
    let key = (rid.to_string(), name.to_string());
    let old_arn = arns.get(&key).cloned();
    let arn = retrying(
        clients,
        &Write::PutPolicy {
            resource_id: rid,
            dimension,
            name,
            policy,
        },
    )
    .await?
    .unwrap_or_default();
    arns.insert(key, arn.clone());
    if old_arn.is_some() && old_arn.as_deref() != Some(arn.as_str()) {
        repoint_alarms(region, plan, change, arns, notes).await?;
    }
    Ok(())
}

/// An unchanged alarm whose policy got a new ARN would keep firing at nothing: put it again.
async fn repoint_alarms(
    region: &Region,
    plan: &Plan,
    policy_change: &Change,
    arns: &HashMap<(String, String), String>,
    notes: &mut Vec<String>,
) -> Result<(), AwsError> {
    let (clients, desired, stack) = (&region.clients, &region.desired, &region.stack);
    let (rid, policy) = (policy_change.resource_id.as_str(), policy_change.name.as_str());
    for (key, record) in desired {
        let Record::Alarm(alarm) = record else { continue };
        if key.resource_id != rid || !alarm.triggers.iter().any(|t| t == policy) {
            continue;
        }
        let planned = plan
            .changes
            .iter()
            .any(|c| c.region == policy_change.region && c.key() == *key && c.action != Action::Delete);
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
                stack,
            },
        )
        .await?;
        notes.push(format!("re-pointed alarm {} at the policy's new ARN", key.name));
    }
    Ok(())
}

/// The alarm's AlarmActions: the ARNs of the policies it triggers, then the actions someone
/// else added (kept: PutMetricAlarm replaces the whole list).
fn alarm_actions(
    rid: &str,
    alarm: &crate::resource::AlarmRecord,
    arns: &HashMap<(String, String), String>,
) -> Result<Vec<String>, AwsError> {
    let others = alarm.kept.alarm_actions.iter().cloned().map(Ok);
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
        .chain(others)
        .collect()
}

/// The scalable dimension of a configured or deregistered target (every change in a plan
/// belongs to one).
fn dimension_of(region: &Region, rid: &str) -> Result<ScalableDimension, AwsError> {
    let gone = region
        .deregistered
        .iter()
        .find(|(r, _)| r == rid)
        .map(|(_, d)| *d);
    gone.map_or_else(|| configured_dimension(&region.desired, rid), Ok)
}

fn configured_dimension(desired: &Records, rid: &str) -> Result<ScalableDimension, AwsError> {
    // Records sort by (kind, resource id, name): the target's key is the first at or after
    // this one, found without walking every target.
    let from = crate::resource::Key {
        kind: Kind::ScalableTarget,
        resource_id: rid.to_string(),
        name: String::new(),
    };
    desired
        .range(from..)
        .next()
        .map(|(k, _)| k)
        .filter(|k| k.kind == Kind::ScalableTarget && k.resource_id == rid)
        .and_then(|k| ScalableDimension::parse(&k.name))
        .ok_or_else(|| AwsError::Invalid {
            operation: "apply",
            message: format!("{rid} is not a configured scalable target"),
        })
}

/// `perform`, retrying transient errors and waiting out propagation (see
/// `AwsError::is_transient`, `AwsError::is_propagating`).
async fn retrying(clients: &Clients, write: &Write<'_>) -> Result<Option<String>, AwsError> {
    crate::aws::with_retries_waiting(write.subject(), || perform(clients, write)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Change, Summary};

    fn change(kind: Kind, rid: &str, name: &str) -> Change {
        Change {
            region: None,
            action: Action::Create,
            kind,
            resource_id: rid.into(),
            name: name.into(),
            before: None,
            after: None,
            fields: Vec::new(),
            replaces: None,
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            summary: Summary {
                add: changes.len(),
                change: 0,
                destroy: 0,
            },
            fingerprint: String::new(),
            changes,
            warnings: Vec::new(),
            blocked: Vec::new(),
            drift: Vec::new(),
        }
    }

    #[test]
    fn what_a_deregistration_deleted_reads_removed_with_the_target_in_every_rendering() {
        let delete = |kind, name: &str| Change {
            action: Action::Delete,
            ..change(kind, "endpoint/gone/variant/v", name)
        };
        let p = plan(vec![
            delete(Kind::ScalableTarget, "sagemaker:variant:DesiredInstanceCount"),
            delete(Kind::ScalingPolicy, "cpu"),
        ]);
        assert!(removed_with_target(&p, &p.changes[1]));
        assert!(!removed_with_target(&p, &p.changes[0]));
        let report = ApplyReport {
            changes: p
                .changes
                .iter()
                .zip([Outcome::Applied, Outcome::RemovedWithTarget])
                .map(|(c, outcome)| ChangeReport {
                    region: None,
                    action: c.action,
                    kind: c.kind,
                    resource_id: c.resource_id.clone(),
                    name: c.name.clone(),
                    outcome,
                    notes: Vec::new(),
                })
                .collect(),
            deadline_reached: false,
            remaining: Some(0),
            check_error: None,
        };
        let text = crate::render::apply_report(&report, false);
        assert!(text.contains("cpu: removed with the target"), "{text}");
        assert!(
            text.contains("Apply: 1 applied, 0 failed, 0 not attempted, 1 removed with their target."),
            "{text}"
        );
        let options = crate::render::Layout {
            advice: "",
            limit: usize::MAX,
            whole_plan: "",
            report: Some(&report),
        };
        let markdown = crate::render::markdown_with(&p, &options);
        assert!(markdown.contains("removed with the target"), "{markdown}");
        let json = serde_json::to_value(&report.changes[1]).expect("json");
        assert_eq!(json["status"], "removed_with_target");
        assert!(!report.failed());
    }

    #[test]
    fn each_target_is_a_lane_in_plan_order() {
        let p = plan(vec![
            change(Kind::ScalableTarget, "a", "t"),
            change(Kind::ScalableTarget, "b", "t"),
            change(Kind::ScalingPolicy, "a", "p"),
            change(Kind::ScalingPolicy, "b", "p"),
            change(Kind::Alarm, "a", "alarm-a"),
        ]);
        assert_eq!(lanes(&p), vec![vec![0, 2, 4], vec![1, 3]]);
    }

    #[test]
    fn targets_that_share_an_alarm_name_share_a_lane() {
        let p = plan(vec![
            change(Kind::ScalableTarget, "a", "t"),
            change(Kind::ScalableTarget, "b", "t"),
            change(Kind::ScalableTarget, "c", "t"),
            change(Kind::Alarm, "c", "same"),
            change(Kind::Alarm, "a", "same"),
        ]);
        assert_eq!(lanes(&p), vec![vec![0, 2, 3, 4], vec![1]]);
    }
}
