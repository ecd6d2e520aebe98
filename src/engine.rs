//! desired state + what AWS holds -> plan, and plan -> applied changes. The glue between
//! `aws` (I/O) and `plan` / `apply`.

use std::collections::{BTreeMap, HashMap};

use futures::future::try_join_all;
use jiff::Timestamp;

use crate::apply::{self, ApplyReport, Region};
use crate::aws::{AwsError, Clients, CurrentState, connect, read_current};
use crate::expected::schedules_in_force;
use crate::inputs::Env;
use crate::model::{DesiredState, ScalableDimension, ScalableTarget};
use crate::ownership::{self, OwnershipRead, Scope};
use crate::plan::{Blocked, Plan, diff};
use crate::resource::{Kind, Records, align_unmanaged, desired_records};

/// A plan and what is needed to apply it.
pub struct Planned {
    /// The plan over every region.
    pub plan: Plan,
    /// By the endpoints' own region (None: the config's).
    regions: BTreeMap<Option<String>, Region>,
    /// AWS calls made to read the current state.
    pub read_calls: usize,
}

/// What a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// Make AWS match the config.
    Converge,
    /// Remove the targets given (and their policies, scheduled actions and this tool's
    /// alarms), whatever the config says of them.
    Detach,
}

/// Reads every region the config names (and, under `scope`, every region the config before
/// this change named), concurrently, and plans the difference.
pub async fn plan(desired: &DesiredState, scope: &Scope) -> Result<Planned, AwsError> {
    plan_for(desired, scope, Goal::Converge).await
}

/// Plans the removal of `selected`'s targets with everything on them this tool manages, so
/// that SageMaker accepts an endpoint update; the next apply of the config restores them.
pub async fn plan_detach(selected: &DesiredState) -> Result<Planned, AwsError> {
    // Their tags are read: a target another stack tagged is not this config's to remove.
    plan_for(selected, &Scope::Tags, Goal::Detach).await
}

async fn plan_for(desired: &DesiredState, scope: &Scope, goal: Goal) -> Result<Planned, AwsError> {
    let mut groups: BTreeMap<Option<String>, Vec<ScalableTarget>> = BTreeMap::new();
    for t in &desired.targets {
        groups.entry(t.region.clone()).or_default().push(t.clone());
    }
    // A region only the config before this change named still has targets to prune.
    if let Scope::Since(base) = scope {
        for (region, _, _) in base.keys() {
            groups.entry(region.clone()).or_default();
        }
    }
    let now = schedule_clock()?;
    let parts = try_join_all(groups.into_iter().map(|(region, targets)| async move {
        let clients = connect(region.as_deref().or(desired.region.as_deref())).await?;
        let ids: Vec<(String, ScalableDimension)> = targets
            .iter()
            .map(|t| (t.resource_id.clone(), t.scalable_dimension))
            .collect();
        let owner = Owner {
            query: OwnershipRead::new(scope, &desired.stack, &region, &ids),
            prune: desired.prune,
        };
        let part = plan_region(clients, targets, &desired.stack, (owner, goal), now).await?;
        Ok::<_, AwsError>((region, part))
    }))
    .await?;
    let mut plans = Vec::new();
    let mut regions = BTreeMap::new();
    let mut read_calls = 0;
    let mut notes = Vec::new();
    let mut blocked = Vec::new();
    let mut drift = Vec::new();
    for (region, part) in parts {
        drift.extend(part.plan.drift.iter().cloned().map(|mut d| {
            d.region = region.clone();
            d
        }));
        plans.push((region.clone(), part.plan));
        notes.extend(part.notes);
        blocked.extend(part.blocked.into_iter().map(|mut b| {
            b.region = region.clone();
            b
        }));
        regions.insert(region, part.state);
        read_calls += part.calls;
    }
    let mut plan = Plan::merge(plans).with_blocked(blocked);
    plan.warnings.extend(notes);
    plan.drift = drift;
    Ok(Planned {
        plan,
        regions,
        read_calls,
    })
}

/// One region's plan and what applying it needs.
struct RegionPlan {
    plan: Plan,
    state: Region,
    calls: usize,
    notes: Vec<String>,
    blocked: Vec<Blocked>,
}

/// The time scheduled actions are evaluated at: `SAGEMAKER_AUTOSCALE_NOW` when set, else now.
fn schedule_clock() -> Result<Timestamp, AwsError> {
    match std::env::var(Env::NOW) {
        Ok(text) => text.parse().map_err(|e| AwsError::Invalid {
            operation: "plan",
            message: format!(
                "{} = {text:?} is not a time such as 2030-01-07T08:00:00Z: {e}",
                Env::NOW
            ),
        }),
        Err(_) => Ok(Timestamp::now()),
    }
}

/// What one region's plan must find out about ownership, and whether it may prune.
struct Owner {
    query: OwnershipRead,
    prune: bool,
}

async fn plan_region(
    clients: Clients,
    targets: Vec<ScalableTarget>,
    stack: &str,
    (owner, goal): (Owner, Goal),
    now: Timestamp,
) -> Result<RegionPlan, AwsError> {
    let mut records = desired_records(&DesiredState {
        region: None,
        targets,
        stack: stack.to_string(),
        prune: owner.prune,
    });
    let mut current = read_current(
        &clients,
        &target_ids(&records),
        &alarm_owners(&records),
        &owner.query,
    )
    .await?;
    let mut notes = ownership::align(&records, &mut current.records, &current.tags);
    notes.extend(prune_notes(&mut current, owner.prune, stack));
    align_unmanaged(&mut records, &mut current.records);
    let in_force = schedules_in_force(&mut records, &current.records, &current.schedule_created, now);
    // A target holding what this tool cannot represent, or whose bounds would cross, is left
    // out whole; the rest is planned.
    let policies = current.blocked.iter().map(|(rid, e)| (rid.clone(), e.detail()));
    let foreign = if goal == Goal::Detach {
        ownership::tagged_by_others(&current.tags, stack)
    } else {
        Vec::new()
    };
    let blocked: Vec<Blocked> = policies
        .chain(in_force.blocked.iter().cloned())
        .chain(foreign)
        .map(|(resource_id, reason)| Blocked {
            region: None,
            resource_id,
            reason,
        })
        .collect();
    for b in &blocked {
        records.retain(|k, _| k.resource_id != b.resource_id);
        current.records.retain(|k, _| k.resource_id != b.resource_id);
    }
    let mut deregistered = std::mem::take(&mut current.pruned);
    deregistered.retain(|(rid, _)| !blocked.iter().any(|b| b.resource_id == *rid));
    if goal == Goal::Detach {
        deregistered.extend(target_ids(&records));
        records.clear();
    }
    let mut plan = diff(&records, &current.records);
    notes.extend(current.notes());
    notes.extend(in_force.problems);
    for c in plan.changes.iter().filter(|c| c.kind == Kind::ScalableTarget) {
        notes.extend(
            in_force
                .explanations
                .get(&c.resource_id)
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    plan.drift = in_force.drift;
    Ok(RegionPlan {
        plan,
        notes,
        blocked,
        calls: current.calls,
        state: Region {
            clients,
            desired: records,
            policy_arns: current.policy_arns,
            stack: stack.to_string(),
            target_arns: current.target_arns,
            deregistered,
        },
    })
}

/// Notes on the targets the config no longer names; with `prune = false`, those this stack
/// owns leave the plan (and become a note) instead of being destroyed.
fn prune_notes(current: &mut CurrentState, prune: bool, stack: &str) -> Vec<String> {
    let mut notes: Vec<String> = current
        .not_owned
        .iter()
        .map(|(rid, read)| ownership::left_alone(rid, read.as_ref(), stack))
        .collect();
    if !prune {
        for (rid, _) in std::mem::take(&mut current.pruned) {
            current.records.retain(|k, _| k.resource_id != rid);
            notes.push(format!(
                "{rid} is no longer in the config: `prune = false`, so its scaling stays (deregister it yourself, or set prune = true)"
            ));
        }
    }
    notes
}

/// Reads after an apply before a remaining difference is believed.
const CHECK_ATTEMPTS: u32 = 3;

/// Applies, then plans again to check that AWS now matches (it may not if something else
/// changed it meanwhile, such as a second run at the same time).
pub async fn apply_planned(
    planned: Planned,
    deadline: Option<tokio::time::Instant>,
    parallelism: usize,
) -> ApplyReport {
    let mut report = apply::apply(&planned.regions, &planned.plan, deadline, parallelism).await;
    if report.failed() {
        return report;
    }
    // Application Auto Scaling is eventually consistent: a read right after a write may not
    // show it yet, so a difference is only reported once it persists.
    for attempt in 0..CHECK_ATTEMPTS {
        if attempt > 0 {
            let base = crate::aws::retry_base().unwrap_or(std::time::Duration::from_secs(1));
            tokio::time::sleep(base * attempt).await;
        }
        match remaining(&planned.regions).await {
            Ok(remaining) => {
                report.remaining = Some(remaining);
                report.check_error = None;
                if remaining == 0 {
                    break;
                }
            }
            Err(e) => report.check_error = Some(e.to_string()),
        }
    }
    report
}

/// Changes a fresh read still finds, over all regions.
async fn remaining(regions: &BTreeMap<Option<String>, Region>) -> Result<usize, AwsError> {
    let counts = try_join_all(regions.values().map(|r| async move {
        // Deregistered targets are read again: they must be gone.
        let mut ids = target_ids(&r.desired);
        ids.extend(r.deregistered.iter().cloned());
        let mut current = read_current(
            &r.clients,
            &ids,
            &alarm_owners(&r.desired),
            &OwnershipRead::default(),
        )
        .await?;
        let mut desired = r.desired.clone();
        ownership::align(&desired, &mut current.records, &current.tags);
        align_unmanaged(&mut desired, &mut current.records);
        Ok::<_, AwsError>(diff(&desired, &current.records).changes.len())
    }))
    .await?;
    Ok(counts.into_iter().sum())
}

/// The configured targets: resource id and scalable dimension (a target's record name).
fn target_ids(records: &Records) -> Vec<(String, ScalableDimension)> {
    records
        .keys()
        .filter(|k| k.kind == Kind::ScalableTarget)
        .filter_map(|k| Some((k.resource_id.clone(), ScalableDimension::parse(&k.name)?)))
        .collect()
}

fn alarm_owners(records: &Records) -> HashMap<String, String> {
    records
        .keys()
        .filter(|k| k.kind == Kind::Alarm)
        .map(|k| (k.name.clone(), k.resource_id.clone()))
        .collect()
}
