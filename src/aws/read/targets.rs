//! Targets and their tags: the namespace listed while that pays off, the rest looked up by id;
//! tags one target per call.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_applicationautoscaling::types as aas;
use futures::{StreamExt, TryStreamExt, stream};

use crate::aws::pages::{READ_CONCURRENCY, fell_back, in_chunks, paginate_until};
use crate::aws::{AwsError, Clients};
use crate::aws::{call_error, cost};
use crate::model::{ScalableDimension, SuspendedState};
use crate::ownership::{OwnershipRead, TagsRead};
use crate::resource::{Key, Kind, Record, TargetRecord};
use crate::tags::{Tags, managed};

/// The targets a read asks about: the configured ones, and what `ownership` asks of those AWS
/// holds.
pub(super) struct Asked<'a> {
    targets: &'a [(String, ScalableDimension)],
    configured: BTreeSet<(&'a str, ScalableDimension)>,
    ownership: &'a OwnershipRead,
}

impl<'a> Asked<'a> {
    pub(super) fn new(targets: &'a [(String, ScalableDimension)], ownership: &'a OwnershipRead) -> Asked<'a> {
        let configured = targets.iter().map(|(rid, d)| (rid.as_str(), *d)).collect();
        Asked {
            targets,
            configured,
            ownership,
        }
    }

    /// The resource ids to find: the configured targets' and the candidates for pruning.
    pub(super) fn ids(&self) -> BTreeSet<&'a String> {
        self.targets
            .iter()
            .chain(&self.ownership.candidates)
            .map(|(rid, _)| rid)
            .collect()
    }

    /// Whether the tags of `t` are read.
    pub(super) fn reads_tags(&self, t: &aas::ScalableTarget) -> bool {
        let (rid, dimension, configured) = self.facts(t);
        self.ownership.reads_tags(rid, dimension, configured)
    }

    /// `t` as a candidate for pruning, if it is one.
    pub(super) fn candidate(&self, t: &aas::ScalableTarget) -> Option<(String, ScalableDimension)> {
        let (rid, dimension, configured) = self.facts(t);
        let dimension = dimension.filter(|_| self.ownership.is_candidate(rid, dimension, configured))?;
        Some((rid.to_string(), dimension))
    }

    /// What ownership asks of a target AWS holds: its resource id, its dimension (None: one this
    /// tool does not manage), whether the config names it.
    fn facts<'t>(&self, t: &'t aas::ScalableTarget) -> (&'t str, Option<ScalableDimension>, bool) {
        let dimension = ScalableDimension::parse(t.scalable_dimension().as_str());
        let configured = dimension.is_some_and(|d| self.configured.contains(&(t.resource_id(), d)));
        (t.resource_id(), dimension, configured)
    }
}

/// The targets among `ids` (every target with `scan`), and the namespace's size when it was
/// listed whole. The namespace is listed while it is small enough for whole reads to pay off;
/// what the listing did not reach is looked up by id.
pub(super) async fn find_targets(
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
            .service_namespace(crate::aws::namespace())
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

/// The tags of the targets among `found` that `wanted` picks, by resource id; `found` without
/// the targets deregistered between the two reads (SageMaker's DeleteEndpoint does that).
pub(super) async fn read_tags(
    clients: &Clients,
    found: Vec<aas::ScalableTarget>,
    wanted: impl Fn(&aas::ScalableTarget) -> bool,
    calls: &AtomicUsize,
) -> Result<(Vec<aas::ScalableTarget>, HashMap<String, TagsRead>), AwsError> {
    let tag_reads: Vec<(String, Option<String>)> = found
        .iter()
        .filter(|t| wanted(t))
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
                Some(arn) => list_tags(clients, &arn, calls).await?.map(TagsRead::Tags),
                None => Some(TagsRead::NoArn),
            };
            Ok::<_, AwsError>((rid, read))
        })
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    let gone: BTreeSet<String> = tag_reads
        .iter()
        .filter(|(_, read)| read.is_none())
        .map(|(rid, _)| rid.clone())
        .collect();
    let found = found
        .into_iter()
        .filter(|t| !gone.contains(t.resource_id()))
        .collect();
    let tags = tag_reads
        .into_iter()
        .filter_map(|(rid, read)| Some((rid, read?)))
        .collect();
    Ok((found, tags))
}

/// A target as a record; its tags those this tool manages among `tags` (none when not read).
pub(super) fn target_record(t: &aas::ScalableTarget, tags: Option<&TagsRead>) -> (Key, Record) {
    let suspended = t
        .suspended_state()
        .map_or_else(SuspendedState::default, |s| SuspendedState {
            dynamic_scaling_in: s.dynamic_scaling_in_suspended().unwrap_or(false),
            dynamic_scaling_out: s.dynamic_scaling_out_suspended().unwrap_or(false),
            scheduled_scaling: s.scheduled_scaling_suspended().unwrap_or(false),
        });
    let tags = match tags {
        Some(TagsRead::Tags(tags)) => managed(tags),
        _ => Tags::new(),
    };
    let key = Key {
        kind: Kind::ScalableTarget,
        resource_id: t.resource_id().to_string(),
        name: t.scalable_dimension().as_str().to_string(),
    };
    let record = Record::Target(TargetRecord {
        min_capacity: t.min_capacity(),
        max_capacity: t.max_capacity(),
        suspended,
        tags,
    });
    (key, record)
}

/// A scalable target's tags (ListTagsForResource, one target per call: AWS has no batch form);
/// None when the target no longer exists (ResourceNotFoundException).
async fn list_tags(clients: &Clients, arn: &str, calls: &AtomicUsize) -> Result<Option<Tags>, AwsError> {
    let out = crate::aws::with_retries(|| async {
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
