//! Reading what AWS holds for the configured scalable targets, with as few calls as AWS
//! allows: the namespace whole or target by target, whichever costs fewer calls (`cost`),
//! alarms 100 per call, independent calls run concurrently with a bound.

mod alarms;
mod policies;
mod schedules;
mod targets;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_applicationautoscaling::types as aas;

use super::pages::{Among, READ_CONCURRENCY, fell_back};
use super::{AwsError, Clients, cost};
use crate::model::{ScalableDimension, ScheduledAction};
use crate::ownership::{OwnershipRead, TagsRead};
use crate::resource::{Key, Kind, Record, Records};
use alarms::{Linked, PolicyLinks, find_alarms, link};
use futures::{StreamExt, TryStreamExt, stream};
use policies::{Policy, list_policies, policies_of};
use schedules::{list_schedules, schedules_of};
use targets::{Asked, find_targets, read_tags, target_record};

pub use targets::list_targets;

/// What AWS holds for the managed targets, as records, with what could not be read.
#[derive(Debug, Default)]
pub struct CurrentState {
    pub(crate) records: Records,
    /// Policy ARN by (resource id, policy name): alarms are wired to these.
    pub policy_arns: HashMap<(String, String), String>,
    /// AWS calls made to read this state.
    pub calls: usize,
    /// Targets holding a policy, or a configured alarm, this tool cannot represent (or keep
    /// through an update), each with why: the plan leaves them out; `import` lists them in the
    /// file it writes.
    pub blocked: Vec<(String, AwsError)>,
    /// Alarms on these targets' policies that cannot be represented and are not configured:
    /// left alone.
    pub skipped_alarms: Vec<String>,
    /// Alarms that fire these targets' policies, neither configured nor created by this tool:
    /// never planned (import adopts them).
    pub foreign_alarms: Records,
    /// When each scheduled action was created (epoch seconds), by (resource id, name): a
    /// `rate(...)` without a start time counts from it.
    pub schedule_created: HashMap<(String, String), i64>,
    /// What ListTagsForResource said, by resource id, for the targets whose tags were read.
    pub tags: HashMap<String, TagsRead>,
    /// ScalableTargetARN by resource id, for the targets read (TagResource needs it).
    pub target_arns: HashMap<String, String>,
    /// Candidates for pruning this stack owns: read in full, planned for destruction.
    pub pruned: Vec<(String, ScalableDimension)>,
    /// Candidates for pruning AWS holds that this stack does not own, with their tags.
    pub not_owned: Vec<(String, Option<TagsRead>)>,
}

impl CurrentState {
    /// What a reviewer should know about objects the plan leaves alone.
    pub fn notes(&self) -> Vec<String> {
        let foreign = self.foreign_alarms.iter().map(|(key, record)| {
            let fires = match record {
                Record::Alarm(a) => a.triggers.join(", "),
                _ => String::new(),
            };
            format!(
                "alarm {} fires {fires} of {} but was not created by sagemaker-autoscale: left alone (add it to the config, or delete it yourself)",
                key.name, key.resource_id
            )
        });
        foreign
            .chain(self.skipped_alarms.iter().map(|s| format!("left alone: {s}")))
            .collect()
    }
}

impl CurrentState {
    /// The records and ARNs of the targets among `found` that are read in full.
    fn add_targets(&mut self, found: &[aas::ScalableTarget], read_in_full: &[(String, ScalableDimension)]) {
        let wanted: BTreeSet<(&str, &str)> = read_in_full
            .iter()
            .map(|(rid, d)| (rid.as_str(), d.as_str()))
            .collect();
        for t in found {
            // Exact key match, as Terraform does: never adopt a target we were not asked about.
            if !wanted.contains(&(t.resource_id(), t.scalable_dimension().as_str())) {
                continue;
            }
            if let Some(arn) = t.scalable_target_arn() {
                self.target_arns
                    .insert(t.resource_id().to_string(), arn.to_string());
            }
            let (key, record) = target_record(t, self.tags.get(t.resource_id()));
            self.records.insert(key, record);
        }
    }

    /// Each target's policies (or why one cannot be read: its target is left out) and
    /// scheduled actions; returns what the policies say about their alarms.
    fn add_objects(&mut self, per_target: Vec<TargetObjects>) -> PolicyLinks {
        let mut links = PolicyLinks::default();
        for TargetObjects {
            resource_id,
            policies,
            schedules,
        } in per_target
        {
            for p in policies {
                let p = match p {
                    Ok(p) => p,
                    Err(e) => {
                        self.blocked.push((resource_id.clone(), e));
                        continue;
                    }
                };
                links.add(&p);
                self.policy_arns
                    .insert((p.resource_id.clone(), p.name.clone()), p.arn);
                self.records.insert(
                    Key {
                        kind: Kind::ScalingPolicy,
                        resource_id: p.resource_id,
                        name: p.name,
                    },
                    Record::Policy(p.record),
                );
            }
            for (s, created) in schedules {
                self.schedule_created
                    .insert((resource_id.clone(), s.name.clone()), created);
                self.records.insert(
                    Key {
                        kind: Kind::ScheduledAction,
                        resource_id: resource_id.clone(),
                        name: s.name.clone(),
                    },
                    Record::Schedule(s),
                );
            }
        }
        links
    }
}

/// What one scalable target holds besides itself.
struct TargetObjects {
    resource_id: String,
    policies: Vec<Result<Policy, AwsError>>,
    /// With their creation time, epoch seconds.
    schedules: Vec<(ScheduledAction, i64)>,
}

/// Reads the targets, policies, scheduled actions and step alarms of `targets` (resource id
/// and scalable dimension), and what `ownership` asks: the tags of some, and which candidates
/// for pruning this stack owns (those are read in full too). `alarm_owners` maps each desired
/// alarm name to its resource id.
pub async fn read_current(
    clients: &Clients,
    targets: &[(String, ScalableDimension)],
    alarm_owners: &HashMap<String, String>,
    ownership: &OwnershipRead,
) -> Result<CurrentState, AwsError> {
    let calls = AtomicUsize::new(0);
    let asked = Asked::new(targets, ownership);
    let (found, namespace_size) = find_targets(clients, &asked.ids(), ownership.scan, &calls).await?;
    let (found, tags) = read_tags(clients, found, |t| asked.reads_tags(t), &calls).await?;
    let pruning = ownership.sort(found.iter().filter_map(|t| asked.candidate(t)), &tags);
    let read_in_full: Vec<(String, ScalableDimension)> =
        targets.iter().chain(&pruning.pruned).cloned().collect();
    let alarm_owners = ownership.alarm_owners(alarm_owners, &pruning.pruned);
    let mut state = CurrentState {
        tags,
        pruned: pruning.pruned,
        not_owned: pruning.not_owned,
        ..CurrentState::default()
    };
    state.add_targets(&found, &read_in_full);

    let objects = read_objects(clients, &read_in_full, namespace_size, &calls).await?;
    let links = state.add_objects(objects);

    let names: BTreeSet<&String> = alarm_owners.keys().chain(&links.alarm_names).collect();
    let alarms = find_alarms(clients, names, &links.unlisted, &calls).await?;
    for alarm in &alarms {
        match link(alarm, &alarm_owners, &links.by_arn) {
            Some(Linked::Planned(key, record)) => {
                state.records.insert(key, record);
            }
            Some(Linked::Foreign(key, record)) => {
                state.foreign_alarms.insert(key, record);
            }
            Some(Linked::Skipped(why)) => state.skipped_alarms.push(why),
            Some(Linked::Blocked(rid, e)) => state.blocked.push((rid, e)),
            None => {}
        }
    }
    state.calls = calls.load(Ordering::Relaxed);
    Ok(state)
}

/// The policies and scheduled actions of `targets`: from the whole namespace's (two page chains
/// side by side) when it was listed and that is cheaper, else target by target.
async fn read_objects(
    clients: &Clients,
    targets: &[(String, ScalableDimension)],
    namespace_size: Option<usize>,
    calls: &AtomicUsize,
) -> Result<Vec<TargetObjects>, AwsError> {
    let objects = |rid: &String,
                   dimension: &aas::ScalableDimension,
                   policies: &[aas::ScalingPolicy],
                   schedules: &[aas::ScheduledAction]| TargetObjects {
        resource_id: rid.clone(),
        policies: policies_of(policies, rid, dimension),
        schedules: schedules_of(schedules, rid, dimension),
    };
    if namespace_size.is_some_and(|size| cost::namespace_objects_cheaper(size, targets.len())) {
        let whole = futures::try_join!(
            list_policies(clients, Among::Namespace, calls),
            list_schedules(clients, Among::Namespace, calls)
        );
        match whole {
            Ok((policies, schedules)) => {
                return Ok(targets
                    .iter()
                    .map(|(rid, d)| objects(rid, &crate::aws::sdk_dimension(*d), &policies, &schedules))
                    .collect());
            }
            // Part of the namespace's policies is not all of them: read target by target.
            Err(e @ AwsError::Unfinished { .. }) => {
                fell_back(&e, "reading each target's policies and scheduled actions instead");
            }
            Err(e) => return Err(e),
        }
    }
    stream::iter(targets)
        .map(|(rid, d)| async move {
            let dimension = crate::aws::sdk_dimension(*d);
            let among = Among::Target(rid, &dimension);
            let (policies, schedules) = futures::try_join!(
                list_policies(clients, among, calls),
                list_schedules(clients, among, calls)
            )?;
            Ok::<_, AwsError>(objects(rid, &dimension, &policies, &schedules))
        })
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await
}
