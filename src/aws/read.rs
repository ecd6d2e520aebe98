//! Reading what AWS holds for the configured scalable targets, with as few calls as AWS
//! allows: the namespace whole or target by target, whichever costs fewer calls (`cost`),
//! alarms 100 per call, independent calls run concurrently with a bound.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_applicationautoscaling::types as aas;
use aws_sdk_cloudwatch::types as cw;
use futures::{StreamExt, TryStreamExt, stream};

use super::pages::{paginate, paginate_until};
use super::{AwsError, Clients, call_error, cost};
use crate::keywords::{
    AdjustmentType, Aggregation, Comparison, Keyword, MetricStatistic, PredefinedMetric, TreatMissingData,
    Unit,
};
use crate::model::{
    Alarm, AlarmStatistic, CustomMetric, Dimension, MetricQuery, MetricSpec, QueryMetric, ScalableDimension,
    ScheduledAction, StepAdjustment, SuspendedState, TargetTracking,
};
use crate::ownership::{OwnershipRead, TagsRead};
use crate::resource::{
    ALARM_MARK, AlarmKept, AlarmRecord, Key, Kind, PolicyRecord, Record, Records, StepRecord, TargetRecord,
    normalise_schedule,
};
use crate::tags::{Tags, managed, owned_by};
use crate::timestamp::format_utc;

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

struct Policy {
    resource_id: String,
    name: String,
    arn: String,
    record: PolicyRecord,
    alarm_names: Vec<String>,
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
    let is_candidate = |t: &aas::ScalableTarget| {
        let dimension = ScalableDimension::parse(t.scalable_dimension().as_str());
        if ownership.scan {
            return dimension.is_some() && !is_configured(t);
        }
        ownership
            .candidates
            .iter()
            .any(|(rid, d)| rid == t.resource_id() && Some(*d) == dimension)
    };

    // Tags: of the configured targets asked for, and of every candidate AWS holds.
    let tag_reads: Vec<(String, Option<String>)> = found
        .iter()
        .filter(|t| {
            is_candidate(t)
                || (is_configured(t) && (ownership.scan || ownership.check.contains(t.resource_id())))
        })
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
    let mut read_in_full: Vec<(String, ScalableDimension)> = targets.to_vec();
    for t in found.iter().filter(|t| is_candidate(t)) {
        let Some(dimension) = ScalableDimension::parse(t.scalable_dimension().as_str()) else {
            continue;
        };
        let rid = t.resource_id().to_string();
        match state.tags.get(&rid) {
            Some(TagsRead::Tags(tags)) if owned_by(tags, &ownership.stack) => {
                state.pruned.push((rid.clone(), dimension));
                read_in_full.push((rid, dimension));
            }
            // A scan meets every other team's targets: only a removal from the config is news.
            _ if ownership.scan => {}
            read => state.not_owned.push((rid, read.cloned())),
        }
    }
    // The alarms the config before this change named for a target this stack owns go with it,
    // written by this tool or not (an imported alarm keeps its own description).
    let mut alarm_owners = alarm_owners.clone();
    for (name, rid) in &ownership.candidate_alarms {
        if state.pruned.iter().any(|(r, _)| r == rid) {
            alarm_owners.entry(name.clone()).or_insert_with(|| rid.clone());
        }
    }
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
        // Not in the config and not written by this tool: an operator's alarm on one of our
        // policies. Never planned, so never deleted.
        let ours = a.alarm_description().is_some_and(|d| d.starts_with(ALARM_MARK));
        if configured || ours {
            state.records.insert(key, record);
        } else {
            state.foreign_alarms.insert(key, record);
        }
    }
    state.calls = calls.load(Ordering::Relaxed);
    Ok(state)
}

/// The targets among `ids` (every target with `scan`), and the namespace's size when it was
/// listed whole. The namespace is listed while it is small enough for whole reads to pay off;
/// what the listing did not reach is looked up by id.
async fn find_targets(
    clients: &Clients,
    ids: &BTreeSet<&String>,
    scan: bool,
    calls: &AtomicUsize,
) -> Result<(Vec<aas::ScalableTarget>, Option<usize>), AwsError> {
    let per_target_only = std::env::var(crate::inputs::Env::READS).is_ok_and(|v| v == "per-target");
    let listing = if per_target_only && !scan {
        Listing {
            targets: Vec::new(),
            complete: false,
        }
    } else {
        let bound = (!scan).then(|| cost::listing_bound(ids.len(), ids.len()));
        match list_namespace(clients, bound, calls).await {
            Ok(listing) => listing,
            // Not the namespace: every target is looked up by id instead. A scan needs every
            // target of the namespace, so it fails.
            Err(e @ AwsError::Unfinished { .. }) if !scan => {
                fell_back(&e, "looking the targets up by id instead");
                Listing {
                    targets: Vec::new(),
                    complete: false,
                }
            }
            Err(e) => return Err(e),
        }
    };
    if listing.complete {
        let size = listing.targets.len();
        return Ok((listing.targets, Some(size)));
    }
    let seen: BTreeSet<&str> = listing.targets.iter().map(|t| t.resource_id()).collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|rid| !seen.contains(rid.as_str()))
        .map(|rid| rid.to_string())
        .collect();
    let mut found = in_chunks(&missing, cost::TARGETS_PAGE, |chunk| {
        describe_targets(clients, chunk, calls)
    })
    .await?;
    found.extend(
        listing
            .targets
            .into_iter()
            .filter(|t| ids.contains(&t.resource_id().to_string())),
    );
    Ok((found, None))
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
                    .map(|(rid, d)| objects(rid, &super::sdk_dimension(*d), &policies, &schedules))
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
            let dimension = super::sdk_dimension(*d);
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

/// Target-tracking policies own `TargetTracking-...` alarms; AWS says never to touch them.
fn is_aws_owned(a: &cw::MetricAlarm) -> bool {
    a.alarm_name().is_some_and(|n| n.starts_with("TargetTracking-"))
        || a.alarm_description()
            .is_some_and(|d| d.starts_with("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy"))
}

/// Every SageMaker scalable target in the region of a dimension this tool manages, for
/// `import`.
pub async fn list_targets(clients: &Clients) -> Result<(Vec<(String, ScalableDimension)>, usize), AwsError> {
    let calls = AtomicUsize::new(0);
    let all = describe_targets(clients, &[], &calls).await?;
    let ids: BTreeSet<(String, ScalableDimension)> = all
        .iter()
        .filter_map(|t| {
            let dimension = ScalableDimension::parse(t.scalable_dimension().as_str())?;
            Some((t.resource_id().to_string(), dimension))
        })
        .collect();
    Ok((ids.into_iter().collect(), calls.load(Ordering::Relaxed)))
}

/// The namespace's targets as far as they were listed.
struct Listing {
    targets: Vec<aas::ScalableTarget>,
    /// Every target of the namespace is in `targets`.
    complete: bool,
}

/// Lists the namespace's targets, stopping once more than `bound` are seen with more to come
/// (None: to the end).
async fn list_namespace(
    clients: &Clients,
    bound: Option<usize>,
    calls: &AtomicUsize,
) -> Result<Listing, AwsError> {
    let enough = |so_far: &[aas::ScalableTarget]| bound.is_some_and(|b| so_far.len() > b);
    let (targets, complete) = describe_targets_until(clients, &[], calls, enough).await?;
    Ok(Listing { targets, complete })
}

/// `resource_ids` empty: every target in the namespace. Every dimension: the caller keeps the
/// (resource id, dimension) pairs it wants.
async fn describe_targets(
    clients: &Clients,
    resource_ids: &[String],
    calls: &AtomicUsize,
) -> Result<Vec<aas::ScalableTarget>, AwsError> {
    Ok(describe_targets_until(clients, resource_ids, calls, |_| false)
        .await?
        .0)
}

/// As [`describe_targets`], stopping early once `enough`; with whether every page was read.
async fn describe_targets_until(
    clients: &Clients,
    resource_ids: &[String],
    calls: &AtomicUsize,
    enough: impl Fn(&[aas::ScalableTarget]) -> bool,
) -> Result<(Vec<aas::ScalableTarget>, bool), AwsError> {
    let page = |token| async move {
        let out = clients
            .autoscaling
            .describe_scalable_targets()
            .service_namespace(super::namespace())
            .set_resource_ids((!resource_ids.is_empty()).then(|| resource_ids.to_vec()))
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| call_error("DescribeScalableTargets", e))?;
        Ok((
            out.scalable_targets().to_vec(),
            out.next_token().map(str::to_string),
        ))
    };
    paginate_until(calls, "DescribeScalableTargets", page, enough).await
}

/// A scalable target's tags (ListTagsForResource, one target per call: AWS has no batch form);
/// None when the target no longer exists (ResourceNotFoundException).
async fn list_tags(clients: &Clients, arn: &str, calls: &AtomicUsize) -> Result<Option<Tags>, AwsError> {
    let out = super::with_retries(|| async {
        calls.fetch_add(1, Ordering::Relaxed);
        clients
            .autoscaling
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| call_error("ListTagsForResource", e))
    })
    .await;
    let out = match out {
        Ok(out) => out,
        Err(AwsError::Call { code: Some(code), .. }) if code == "ResourceNotFoundException" => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    Ok(Some(
        out.tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    ))
}

/// Whose policies or scheduled actions a Describe call lists.
#[derive(Clone, Copy)]
enum Among<'a> {
    /// One target's.
    Target(&'a str, &'a aas::ScalableDimension),
    /// Every target's in the namespace.
    Namespace,
}

async fn list_policies(
    clients: &Clients,
    among: Among<'_>,
    calls: &AtomicUsize,
) -> Result<Vec<aas::ScalingPolicy>, AwsError> {
    paginate(calls, "DescribeScalingPolicies", |token| async move {
        let req = clients
            .autoscaling
            .describe_scaling_policies()
            .service_namespace(super::namespace())
            .set_next_token(token);
        let req = match among {
            Among::Target(rid, dimension) => req.resource_id(rid).scalable_dimension(dimension.clone()),
            Among::Namespace => req,
        };
        let out = req
            .send()
            .await
            .map_err(|e| call_error("DescribeScalingPolicies", e))?;
        Ok((
            out.scaling_policies().to_vec(),
            out.next_token().map(str::to_string),
        ))
    })
    .await
}

/// The policies of one target among `raw`, each as a record or why it cannot be one.
fn policies_of(
    raw: &[aas::ScalingPolicy],
    resource_id: &str,
    dimension: &aas::ScalableDimension,
) -> Vec<Result<Policy, AwsError>> {
    raw.iter()
        .filter(|p| p.resource_id() == resource_id && p.scalable_dimension() == dimension)
        .map(|p| {
            let name = p.policy_name().to_string();
            Ok(Policy {
                resource_id: resource_id.to_string(),
                arn: p.policy_arn().to_string(),
                record: policy_from(p, &name)?,
                alarm_names: p.alarms().iter().map(|a| a.alarm_name().to_string()).collect(),
                name,
            })
        })
        .collect()
}

async fn list_schedules(
    clients: &Clients,
    among: Among<'_>,
    calls: &AtomicUsize,
) -> Result<Vec<aas::ScheduledAction>, AwsError> {
    paginate(calls, "DescribeScheduledActions", |token| async move {
        let req = clients
            .autoscaling
            .describe_scheduled_actions()
            .service_namespace(super::namespace())
            .set_next_token(token);
        let req = match among {
            Among::Target(rid, dimension) => req.resource_id(rid).scalable_dimension(dimension.clone()),
            Among::Namespace => req,
        };
        let out = req
            .send()
            .await
            .map_err(|e| call_error("DescribeScheduledActions", e))?;
        Ok((
            out.scheduled_actions().to_vec(),
            out.next_token().map(str::to_string),
        ))
    })
    .await
}

/// The scheduled actions of one target among `raw`, with their creation time (epoch seconds).
fn schedules_of(
    raw: &[aas::ScheduledAction],
    resource_id: &str,
    dimension: &aas::ScalableDimension,
) -> Vec<(ScheduledAction, i64)> {
    raw.iter()
        .filter(|s| s.resource_id() == resource_id && s.scalable_dimension() == Some(dimension))
        .map(|s| {
            let action = s.scalable_target_action();
            let schedule = ScheduledAction {
                name: s.scheduled_action_name().to_string(),
                schedule: s.schedule().to_string(),
                timezone: s.timezone().map(str::to_string),
                start_time: s.start_time().map(|t| format_utc(t.secs())),
                end_time: s.end_time().map(|t| format_utc(t.secs())),
                min_capacity: action.and_then(|a| a.min_capacity()),
                max_capacity: action.and_then(|a| a.max_capacity()),
            };
            (normalise_schedule(schedule), s.creation_time().secs())
        })
        .collect()
}

enum AlarmQuery {
    Names(Vec<String>),
    ActionPrefix(String),
}

async fn describe_alarms(
    clients: &Clients,
    query: AlarmQuery,
    calls: &AtomicUsize,
) -> Result<Vec<cw::MetricAlarm>, AwsError> {
    let query = &query;
    paginate(calls, "DescribeAlarms", |token| async move {
        let mut req = clients
            .cloudwatch
            .describe_alarms()
            .max_records(100)
            .set_next_token(token);
        req = match query {
            AlarmQuery::Names(names) => req.set_alarm_names(Some(names.clone())),
            AlarmQuery::ActionPrefix(arn) => req.action_prefix(arn),
        };
        let out = req.send().await.map_err(|e| call_error("DescribeAlarms", e))?;
        Ok((out.metric_alarms().to_vec(), out.next_token().map(str::to_string)))
    })
    .await
}

fn unsupported(operation: &'static str, what: String) -> AwsError {
    AwsError::Invalid {
        operation,
        message: what,
    }
}

fn policy_from(p: &aas::ScalingPolicy, name: &str) -> Result<PolicyRecord, AwsError> {
    let op = "DescribeScalingPolicies";
    // An absent cooldown is AWS's documented default where there is one, else stays absent.
    let default_cooldown = ScalableDimension::parse(p.scalable_dimension().as_str())
        .and_then(ScalableDimension::tracking_cooldown);
    if let Some(tt) = p.target_tracking_scaling_policy_configuration() {
        let metric = if let Some(pre) = tt.predefined_metric_specification() {
            let kind = pre.predefined_metric_type().as_str();
            MetricSpec::Predefined(PredefinedMetric::parse(kind).ok_or_else(|| {
                unsupported(
                    op,
                    format!(
                        "policy `{name}` tracks predefined metric {kind}, which this version cannot manage"
                    ),
                )
            })?)
        } else if let Some(c) = tt.customized_metric_specification() {
            if !c.metrics().is_empty() {
                let queries = c.metrics().iter().map(metric_query).collect();
                return Ok(PolicyRecord::TargetTracking(target_tracking(
                    tt,
                    MetricSpec::Math(queries),
                    default_cooldown,
                )));
            }
            let statistic = c.statistic().map(|s| s.as_str()).unwrap_or_default();
            let dimensions = sorted_dimensions(c.dimensions().iter().map(|d| (d.name(), d.value())));
            MetricSpec::Custom(CustomMetric {
                metric_name: c.metric_name().unwrap_or_default().to_string(),
                namespace: c.namespace().unwrap_or_default().to_string(),
                statistic: MetricStatistic::parse(statistic).ok_or_else(|| {
                    unsupported(op, format!("policy `{name}` uses statistic {statistic:?}"))
                })?,
                unit: c.unit().and_then(Unit::parse),
                dimensions,
            })
        } else {
            return Err(unsupported(op, format!("policy `{name}` has no metric")));
        };
        return Ok(PolicyRecord::TargetTracking(target_tracking(
            tt,
            metric,
            default_cooldown,
        )));
    }
    let Some(step) = p.step_scaling_policy_configuration() else {
        return Err(unsupported(
            op,
            format!("policy `{name}` has no configuration this version understands"),
        ));
    };
    let mut steps: Vec<StepAdjustment> = step
        .step_adjustments()
        .iter()
        .map(|s| StepAdjustment {
            lower_bound: s.metric_interval_lower_bound(),
            upper_bound: s.metric_interval_upper_bound(),
            scaling_adjustment: s.scaling_adjustment(),
        })
        .collect();
    steps.sort_by(|a, b| {
        a.lower_bound
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.lower_bound.unwrap_or(f64::NEG_INFINITY))
    });
    Ok(PolicyRecord::Step(StepRecord {
        adjustment_type: step
            .adjustment_type()
            .and_then(|a| AdjustmentType::parse(a.as_str()))
            .unwrap_or(AdjustmentType::ChangeInCapacity),
        cooldown: step.cooldown().unwrap_or(crate::model::STEP_DEFAULT_COOLDOWN),
        metric_aggregation_type: step
            .metric_aggregation_type()
            .and_then(|a| Aggregation::parse(a.as_str()))
            .unwrap_or(Aggregation::Average),
        // Terraform sends it only when > 0; 0 and absent mean the same.
        min_adjustment_magnitude: step.min_adjustment_magnitude().filter(|m| *m > 0),
        steps,
    }))
}

/// Whether `arn` is an Application Auto Scaling policy ARN of the SageMaker target `rid`
/// (one that no longer exists, say: a stale action of ours, which the plan then removes).
/// Form: `arn:<partition>:autoscaling:<region>:<account>:scalingPolicy:<id>:resource/sagemaker/<resource
/// id>:policyName/<name>` (API reference, ScalingPolicy: PolicyARN; the user guide's examples).
fn is_policy_arn_of(arn: &str, rid: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [_, _, "autoscaling", _, _, "scalingPolicy", rest] = parts.as_slice() else {
        return false;
    };
    rest.split_once(":resource/sagemaker/")
        .and_then(|(_, r)| r.rsplit_once(":policyName/"))
        .is_some_and(|(r, _)| r == rid)
}

/// The fields of an alarm the config does not manage; this tool's own description is not kept
/// (it is written anew); `alarm_actions`: those that are not the target's policies.
fn kept_fields(a: &cw::MetricAlarm, alarm_actions: Vec<String>) -> AlarmKept {
    AlarmKept {
        alarm_actions,
        description: a
            .alarm_description()
            .filter(|d| !d.is_empty() && !d.starts_with(ALARM_MARK))
            .map(str::to_string),
        ok_actions: a.ok_actions().to_vec(),
        insufficient_data_actions: a.insufficient_data_actions().to_vec(),
        unit: a.unit().map(|u| u.as_str().to_string()),
        evaluate_low_sample_count_percentile: a.evaluate_low_sample_count_percentile().map(str::to_string),
    }
}

fn target_tracking(
    tt: &aas::TargetTrackingScalingPolicyConfiguration,
    metric: MetricSpec,
    default_cooldown: Option<i32>,
) -> TargetTracking {
    TargetTracking {
        target_value: tt.target_value(),
        metric,
        scale_in_cooldown: tt.scale_in_cooldown().or(default_cooldown),
        scale_out_cooldown: tt.scale_out_cooldown().or(default_cooldown),
        disable_scale_in: tt.disable_scale_in().unwrap_or(false),
    }
}

/// A metric-math query as the config writes it: dimensions sorted, an absent ReturnData is
/// AWS's default, true.
fn metric_query(q: &aas::TargetTrackingMetricDataQuery) -> MetricQuery {
    let metric = q.metric_stat().map(|s| {
        let m = s.metric();
        let dims = m.map(|m| m.dimensions()).unwrap_or_default();
        let dimensions = sorted_dimensions(dims.iter().map(|d| (d.name(), d.value())));
        QueryMetric {
            metric_name: m.and_then(|m| m.metric_name()).unwrap_or_default().to_string(),
            namespace: m.and_then(|m| m.namespace()).unwrap_or_default().to_string(),
            dimensions,
            stat: s.stat().to_string(),
            unit: s.unit().and_then(Unit::parse),
        }
    });
    MetricQuery {
        id: q.id().to_string(),
        expression: q.expression().map(str::to_string),
        metric,
        label: q.label().map(str::to_string),
        return_data: q.return_data().unwrap_or(true),
    }
}

fn alarm_from(a: &cw::MetricAlarm, name: &str) -> Result<Alarm, AwsError> {
    let op = "DescribeAlarms";
    // PutMetricAlarm resets what it is not sent, and these are not kept (yet).
    let unkept = [
        ("an evaluation window", a.evaluation_window().is_some()),
        ("a warm-up configuration", a.warm_up_configuration().is_some()),
        ("an action configuration", a.action_configuration().is_some()),
        ("evaluation criteria", a.evaluation_criteria().is_some()),
    ];
    if let Some((what, _)) = unkept.iter().find(|(_, set)| *set) {
        return Err(unsupported(
            op,
            format!("alarm {name} has {what}, which an update by this version would reset"),
        ));
    }
    let statistic = match (a.statistic(), a.extended_statistic()) {
        (_, Some(ext)) => AlarmStatistic::Extended(ext.to_string()),
        (Some(s), None) => AlarmStatistic::Statistic(
            MetricStatistic::parse(s.as_str())
                .ok_or_else(|| unsupported(op, format!("alarm {name} uses statistic {s}")))?,
        ),
        (None, None) => {
            return Err(unsupported(
                op,
                format!("alarm {name} has no statistic (a metric-math alarm?)"),
            ));
        }
    };
    let comparison = a.comparison_operator().map(|c| c.as_str()).unwrap_or_default();
    let evaluation_periods = a.evaluation_periods().unwrap_or(1);
    let dimensions = sorted_dimensions(
        a.dimensions()
            .iter()
            .map(|d| (d.name().unwrap_or_default(), d.value().unwrap_or_default())),
    );
    Ok(Alarm {
        name: name.to_string(),
        metric_name: a.metric_name().unwrap_or_default().to_string(),
        namespace: a.namespace().unwrap_or_default().to_string(),
        statistic,
        dimensions,
        period: a.period().unwrap_or_default(),
        evaluation_periods,
        datapoints_to_alarm: a.datapoints_to_alarm().unwrap_or(evaluation_periods),
        threshold: a.threshold().unwrap_or_default(),
        comparison: Comparison::parse(comparison)
            .ok_or_else(|| unsupported(op, format!("alarm {name} uses comparison {comparison}")))?,
        treat_missing_data: a
            .treat_missing_data()
            .and_then(TreatMissingData::parse)
            .unwrap_or(TreatMissingData::Missing),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_arn_is_recognised_by_its_target() {
        let rid = "endpoint/ep/variant/prod";
        let arn = "arn:aws-us-gov:autoscaling:us-gov-west-1:123456789012:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:resource/sagemaker/endpoint/ep/variant/prod:policyName/scale-out";
        assert!(is_policy_arn_of(arn, rid));
        assert!(!is_policy_arn_of(arn, "endpoint/ep/variant/other"));
        assert!(!is_policy_arn_of("arn:aws:sns:us-east-1:123456789012:pager", rid));
        assert!(!is_policy_arn_of(
            "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:autoScalingGroupName/g:policyName/p",
            rid
        ));
    }
}
