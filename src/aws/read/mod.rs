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
use aws_sdk_cloudwatch::types as cw;
use futures::{StreamExt, TryStreamExt, stream};

use super::{AwsError, Clients, cost};
use crate::model::{Dimension, ScalableDimension, ScheduledAction, SuspendedState};
use crate::ownership::{OwnershipRead, TagsRead, plans_alarm};
use crate::resource::{AlarmRecord, Key, Kind, PolicyRecord, Record, Records, TargetRecord};
use crate::tags::{Tags, managed};
use alarms::{AlarmQuery, alarm_from, describe_alarms, is_aws_owned, is_policy_arn_of, kept_fields};
use policies::{Policy, list_policies, policies_of};
use schedules::{list_schedules, schedules_of};
use targets::{find_targets, list_tags};

pub use targets::list_targets;

/// Concurrent AWS calls while reading.
pub const READ_CONCURRENCY: usize = 8;

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
    let mut state = CurrentState::default();

    let configured: BTreeSet<(&str, &str)> = targets
        .iter()
        .map(|(rid, d)| (rid.as_str(), d.as_str()))
        .collect();
    let ids: BTreeSet<&String> = targets
        .iter()
        .chain(&ownership.candidates)
        .map(|(rid, _)| rid)
        .collect();
    let (found, namespace_size) = find_targets(clients, &ids, ownership.scan, &calls).await?;
    let is_configured =
        |t: &aas::ScalableTarget| configured.contains(&(t.resource_id(), t.scalable_dimension().as_str()));
    let dimension = |t: &aas::ScalableTarget| ScalableDimension::parse(t.scalable_dimension().as_str());
    let is_candidate =
        |t: &aas::ScalableTarget| ownership.is_candidate(t.resource_id(), dimension(t), is_configured(t));

    // Tags: of the configured targets asked for, and of every candidate AWS holds.
    let tag_reads: Vec<(String, Option<String>)> = found
        .iter()
        .filter(|t| ownership.reads_tags(t.resource_id(), dimension(t), is_configured(t)))
        .map(|t| {
            (
                t.resource_id().to_string(),
                t.scalable_target_arn().map(str::to_string),
            )
        })
        .collect();
    let tag_reads: Vec<(String, Option<TagsRead>)> = stream::iter(tag_reads)
        .map(|(rid, arn)| async {
            let read = match arn {
                Some(arn) => list_tags(clients, &arn, &calls).await?.map(TagsRead::Tags),
                None => Some(TagsRead::NoArn),
            };
            Ok::<_, AwsError>((rid, read))
        })
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    // Deregistered between the two reads (SageMaker's DeleteEndpoint does that): gone.
    let gone: BTreeSet<String> = tag_reads
        .iter()
        .filter(|(_, read)| read.is_none())
        .map(|(rid, _)| rid.clone())
        .collect();
    let found: Vec<aas::ScalableTarget> = found
        .into_iter()
        .filter(|t| !gone.contains(t.resource_id()))
        .collect();
    state.tags = tag_reads
        .into_iter()
        .filter_map(|(rid, read)| Some((rid, read?)))
        .collect();
    let candidates = found
        .iter()
        .filter(|t| is_candidate(t))
        .filter_map(|t| Some((t.resource_id().to_string(), dimension(t)?)));
    let pruning = ownership.sort(candidates, &state.tags);
    (state.pruned, state.not_owned) = (pruning.pruned, pruning.not_owned);
    let read_in_full: Vec<(String, ScalableDimension)> =
        targets.iter().chain(&state.pruned).cloned().collect();
    let alarm_owners = ownership.alarm_owners(alarm_owners, &state.pruned);
    let alarm_owners = &alarm_owners;
    let wanted: BTreeSet<(&str, &str)> = read_in_full
        .iter()
        .map(|(rid, d)| (rid.as_str(), d.as_str()))
        .collect();
    for t in &found {
        let (rid, dim) = (t.resource_id(), t.scalable_dimension().as_str());
        // Exact key match, as Terraform does: never adopt a target we were not asked about.
        if !wanted.contains(&(rid, dim)) {
            continue;
        }
        if let Some(arn) = t.scalable_target_arn() {
            state.target_arns.insert(rid.to_string(), arn.to_string());
        }
        let suspended = t
            .suspended_state()
            .map_or_else(SuspendedState::default, |s| SuspendedState {
                dynamic_scaling_in: s.dynamic_scaling_in_suspended().unwrap_or(false),
                dynamic_scaling_out: s.dynamic_scaling_out_suspended().unwrap_or(false),
                scheduled_scaling: s.scheduled_scaling_suspended().unwrap_or(false),
            });
        let tags = match state.tags.get(rid) {
            Some(TagsRead::Tags(tags)) => managed(tags),
            _ => Tags::new(),
        };
        state.records.insert(
            Key {
                kind: Kind::ScalableTarget,
                resource_id: rid.to_string(),
                name: dim.to_string(),
            },
            Record::Target(TargetRecord {
                min_capacity: t.min_capacity(),
                max_capacity: t.max_capacity(),
                suspended,
                tags,
            }),
        );
    }

    let per_target = read_objects(clients, &read_in_full, namespace_size, &calls).await?;

    let mut alarm_names: BTreeSet<String> = alarm_owners.keys().cloned().collect();
    let mut unlinked_step_arns = Vec::new();
    let mut arn_owner: HashMap<String, (String, String)> = HashMap::new();
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
                    state.blocked.push((resource_id.clone(), e));
                    continue;
                }
            };
            if matches!(p.record, PolicyRecord::Step(_)) {
                if p.alarm_names.is_empty() {
                    unlinked_step_arns.push(p.arn.clone());
                }
                alarm_names.extend(p.alarm_names.iter().cloned());
            }
            arn_owner.insert(p.arn.clone(), (p.resource_id.clone(), p.name.clone()));
            state
                .policy_arns
                .insert((p.resource_id.clone(), p.name.clone()), p.arn);
            state.records.insert(
                Key {
                    kind: Kind::ScalingPolicy,
                    resource_id: p.resource_id,
                    name: p.name,
                },
                Record::Policy(p.record),
            );
        }
        for (s, created) in schedules {
            state
                .schedule_created
                .insert((resource_id.clone(), s.name.clone()), created);
            state.records.insert(
                Key {
                    kind: Kind::ScheduledAction,
                    resource_id: resource_id.clone(),
                    name: s.name.clone(),
                },
                Record::Schedule(s),
            );
        }
    }

    // Alarms by name, then (where AWS did not list a step policy's alarms, as moto never
    // does) by the policy ARN in their actions.
    let names: Vec<String> = alarm_names.into_iter().collect();
    let mut found: Vec<cw::MetricAlarm> = in_chunks(&names, 100, |chunk| {
        describe_alarms(clients, AlarmQuery::Names(chunk.to_vec()), &calls)
    })
    .await?;
    let by_action: Vec<Vec<cw::MetricAlarm>> = stream::iter(unlinked_step_arns)
        .map(|arn| describe_alarms(clients, AlarmQuery::ActionPrefix(arn), &calls))
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    found.extend(by_action.into_iter().flatten());

    for a in found {
        let Some(name) = a.alarm_name().map(str::to_string) else {
            continue;
        };
        if is_aws_owned(&a) {
            continue;
        }
        let configured = alarm_owners.contains_key(&name);
        let owner = alarm_owners.get(&name).cloned().or_else(|| {
            a.alarm_actions()
                .iter()
                .find_map(|arn| arn_owner.get(arn).map(|(rid, _)| rid.clone()))
        });
        let Some(rid) = owner else { continue };
        // Only this target's policies are ours to manage; any other action (an SNS topic, a
        // policy of another target) is someone else's and is kept as it is.
        let (triggers, others): (Vec<String>, Vec<String>) = a
            .alarm_actions()
            .iter()
            .map(|arn| match arn_owner.get(arn) {
                Some((r, policy)) if *r == rid => Ok(policy.clone()),
                _ if is_policy_arn_of(arn, &rid) => Ok(arn.clone()),
                _ => Err(arn.clone()),
            })
            .fold((Vec::new(), Vec::new()), |(mut ours, mut others), action| {
                match action {
                    Ok(t) => ours.push(t),
                    Err(o) => others.push(o),
                }
                (ours, others)
            });
        let alarm = match alarm_from(&a, &name) {
            Ok(alarm) => alarm,
            // Someone else's alarm on one of our policies that we cannot represent (metric math,
            // say): leave it alone rather than stop, or delete what we cannot show in a plan.
            Err(e) if !configured => {
                state.skipped_alarms.push(e.to_string());
                continue;
            }
            // Ours by name, but holding what a put would lose: leave its target out.
            Err(e) => {
                state.blocked.push((rid, e));
                continue;
            }
        };
        let record = Record::Alarm(AlarmRecord {
            alarm,
            triggers,
            actions_enabled: a.actions_enabled().unwrap_or(true),
            kept: kept_fields(&a, others),
        });
        let key = Key {
            kind: Kind::Alarm,
            resource_id: rid,
            name,
        };
        if plans_alarm(configured, a.alarm_description()) {
            state.records.insert(key, record);
        } else {
            state.foreign_alarms.insert(key, record);
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

/// Says on stderr that a whole-namespace listing did not finish and what is read instead: the
/// plan is still complete, at the cost of more calls.
fn fell_back(unfinished: &AwsError, instead: &str) {
    eprintln!("note: {unfinished}; {instead}");
}

/// `read` over `items` in chunks of `size` (what one call takes), concurrently, flattened.
async fn in_chunks<'a, I, T, F, Fut>(items: &'a [I], size: usize, read: F) -> Result<Vec<T>, AwsError>
where
    F: Fn(&'a [I]) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, AwsError>>,
{
    let pages: Vec<Vec<T>> = stream::iter(items.chunks(size))
        .map(read)
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(pages.into_iter().flatten().collect())
}

/// Whose policies or scheduled actions a Describe call lists.
#[derive(Clone, Copy)]
enum Among<'a> {
    /// One target's.
    Target(&'a str, &'a aas::ScalableDimension),
    /// Every target's in the namespace.
    Namespace,
}

fn unsupported(operation: &'static str, what: String) -> AwsError {
    AwsError::Invalid {
        operation,
        message: what,
    }
}

/// CloudWatch dimensions as the records compare them: sorted by name.
fn sorted_dimensions<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Dimension> {
    let mut dimensions: Vec<Dimension> = pairs
        .map(|(name, value)| Dimension {
            name: name.to_string(),
            value: value.to_string(),
        })
        .collect();
    dimensions.sort();
    dimensions
}
