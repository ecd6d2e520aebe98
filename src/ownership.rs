//! Which scalable targets this tool owns. Every target it registers carries two tags: the
//! tool's, and the *stack*'s (the config that manages it: `stack = "..."`, or the repository and
//! config path). A target is pruned (deregistered because the config no longer names it) only
//! when its tags name this stack; an untagged target, or another stack's, is never planned.
//!
//! Tags cost one ListTagsForResource per target (AWS has no batch form), so a plan reads them
//! only where they decide something: see [`Scope`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{DesiredState, ScalableDimension};
use crate::resource::{ALARM_MARK, Record, Records};
use crate::tags::{STACK_TAG, Tags, owned_by};

/// A scalable target by its identity: region (None: the config's), resource id, dimension.
pub type TargetId = (Option<String>, String, ScalableDimension);

/// Which targets a plan reads the tags of, besides the configured ones it creates (those are
/// tagged at registration and need no read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Nothing removed is looked for and no existing target's tags are read: `plan` and `apply`
    /// without `--base` or `--scan`, and the action's manual re-apply.
    #[default]
    Config,
    /// The targets of the config before this change (the pull request's base, the commit before
    /// a push): those the config no longer names are pruned when tagged as this stack's; those
    /// it adds that AWS already holds get their tags checked (and added, for an import).
    /// Each with the names of the alarms the config named for it (found again to be deleted).
    Since(BTreeMap<TargetId, Vec<String>>),
    /// Every configured target's tags are read (and corrected); nothing is pruned: the action's
    /// manual re-apply, which must be able to repair what the drift check reports.
    Tags,
    /// Every target in the namespace: orphans tagged as this stack's are pruned and every
    /// configured target's tags are checked. One call per target in the account: the
    /// scheduled drift check and `--scan` only.
    Scan,
}

impl Scope {
    /// `Since` the config `base` (as validated), its targets keyed by region the way the
    /// config `now` groups them (None: `now`'s region).
    pub fn since(base: &DesiredState, now: &DesiredState) -> Scope {
        let ids = base.targets.iter().map(|t| {
            let region = t.region.clone().or_else(|| base.region.clone());
            let region = region.filter(|r| Some(r) != now.region.as_ref());
            let alarms = t
                .policies
                .iter()
                .filter_map(|p| match &p.config {
                    crate::model::PolicyConfig::Step(s) => Some(s.alarm.name.clone()),
                    crate::model::PolicyConfig::TargetTracking(_) => None,
                })
                .collect();
            ((region, t.resource_id.clone(), t.scalable_dimension), alarms)
        });
        Scope::Since(ids.collect())
    }

    /// `Since` the config as it was: `text` of the file `name` (None: there was no such file,
    /// so nothing to prune), or why what it named is unknown.
    pub fn since_text(name: &str, text: Option<&str>, now: &DesiredState) -> Result<Scope, String> {
        let Some(text) = text else {
            return Ok(Scope::Since(BTreeMap::new()));
        };
        let checked = crate::check_text(name, text);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .collect();
        match &checked.desired {
            Some(base) => Ok(Scope::since(base, now)),
            // A config without endpoints yet named nothing to prune.
            None if errors
                .iter()
                .all(|d| d.code == crate::diagnostic::codes::NO_ENDPOINTS.name) =>
            {
                Ok(Scope::Since(BTreeMap::new()))
            }
            None => Err(format!(
                "{name} as it was before this change is invalid ({} errors: {}), so which endpoints it named is unknown",
                errors.len(),
                errors.first().map_or("", |d| d.message.as_str())
            )),
        }
    }
}

/// What one region's read must find out about ownership.
#[derive(Debug, Clone, Default)]
pub struct OwnershipRead {
    /// The stack the config manages.
    pub stack: String,
    /// Targets the config no longer names: pruned when tagged as this stack's.
    pub candidates: Vec<(String, ScalableDimension)>,
    /// The alarms the config before this change named, by name, with their target's resource
    /// id: deleted with a pruned target even when not written by this tool (imported ones).
    pub candidate_alarms: HashMap<String, String>,
    /// Configured targets whose tags are read (those that exist).
    pub check: BTreeSet<String>,
    /// Every target in the namespace is a candidate and every configured one is checked.
    pub scan: bool,
}

impl OwnershipRead {
    /// The query for the configured `targets` of one region (`region`: its key, None for the
    /// config's region) under `scope`.
    pub fn new(
        scope: &Scope,
        stack: &str,
        region: &Option<String>,
        targets: &[(String, ScalableDimension)],
    ) -> OwnershipRead {
        let mut q = OwnershipRead {
            stack: stack.to_string(),
            ..OwnershipRead::default()
        };
        match scope {
            Scope::Config => {}
            Scope::Tags => q.check = targets.iter().map(|(rid, _)| rid.clone()).collect(),
            Scope::Scan => q.scan = true,
            Scope::Since(base) => {
                let configured: BTreeSet<(&str, ScalableDimension)> =
                    targets.iter().map(|(rid, d)| (rid.as_str(), *d)).collect();
                let here = || base.iter().filter(|((r, _, _), _)| r == region);
                let before: BTreeSet<(&str, ScalableDimension)> =
                    here().map(|((_, rid, d), _)| (rid.as_str(), *d)).collect();
                q.candidates = before
                    .difference(&configured)
                    .map(|(rid, d)| (rid.to_string(), *d))
                    .collect();
                q.check = configured
                    .difference(&before)
                    .map(|(rid, _)| rid.to_string())
                    .collect();
                q.candidate_alarms = here()
                    .filter(|((_, rid, d), _)| !configured.contains(&(rid.as_str(), *d)))
                    .flat_map(|((_, rid, _), alarms)| alarms.iter().map(|a| (a.clone(), rid.clone())))
                    .collect();
            }
        }
        q
    }
}

impl OwnershipRead {
    /// Whether a target AWS holds is a candidate for pruning: `dimension` None for one this
    /// tool does not manage; `configured`, the config names it.
    pub fn is_candidate(
        &self,
        resource_id: &str,
        dimension: Option<ScalableDimension>,
        configured: bool,
    ) -> bool {
        if self.scan {
            return dimension.is_some() && !configured;
        }
        self.candidates
            .iter()
            .any(|(rid, d)| rid == resource_id && Some(*d) == dimension)
    }

    /// Whether a read asks for a target's tags: every candidate's, and those of the configured
    /// targets it checks.
    pub fn reads_tags(
        &self,
        resource_id: &str,
        dimension: Option<ScalableDimension>,
        configured: bool,
    ) -> bool {
        self.is_candidate(resource_id, dimension, configured)
            || (configured && (self.scan || self.check.contains(resource_id)))
    }

    /// The `candidates` AWS holds sorted by their tags (`read`: those read): this stack's are
    /// pruned, the others left alone and named. A scan meets every other team's targets: there
    /// only a removal from the config is news, so the others go unnamed.
    pub fn sort(
        &self,
        candidates: impl IntoIterator<Item = (String, ScalableDimension)>,
        read: &HashMap<String, TagsRead>,
    ) -> Pruning {
        let mut pruning = Pruning::default();
        for (rid, dimension) in candidates {
            match read.get(&rid) {
                Some(TagsRead::Tags(tags)) if owned_by(tags, &self.stack) => {
                    pruning.pruned.push((rid, dimension))
                }
                _ if self.scan => {}
                read => pruning.not_owned.push((rid, read.cloned())),
            }
        }
        pruning
    }

    /// Each alarm's target by the alarm's name: those `configured` names, and the alarms the
    /// config before this change named for a target that is `pruned`, which go with it, written
    /// by this tool or not (an imported alarm keeps its own description).
    pub fn alarm_owners(
        &self,
        configured: &HashMap<String, String>,
        pruned: &[(String, ScalableDimension)],
    ) -> HashMap<String, String> {
        let mut owners = configured.clone();
        for (name, rid) in &self.candidate_alarms {
            if pruned.iter().any(|(r, _)| r == rid) {
                owners.entry(name.clone()).or_insert_with(|| rid.clone());
            }
        }
        owners
    }
}

/// The candidates for pruning that AWS holds, by what their tags prove.
#[derive(Debug, Default)]
pub struct Pruning {
    /// This stack's: read in full, planned for destruction.
    pub pruned: Vec<(String, ScalableDimension)>,
    /// Not this stack's, with their tags: left alone.
    pub not_owned: Vec<(String, Option<TagsRead>)>,
}

/// Whether an alarm that fires one of a managed target's policies is planned: the config names
/// it (`configured`), or this tool wrote it (its `description` starts with [`ALARM_MARK`]).
/// Any other is an operator's, foreign: never planned, so never deleted.
pub fn plans_alarm(configured: bool, description: Option<&str>) -> bool {
    configured || description.is_some_and(|d| d.starts_with(ALARM_MARK))
}

/// What AWS said about one target's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagsRead {
    /// ListTagsForResource's answer.
    Tags(Tags),
    /// The target has no ARN (registered before Application Auto Scaling had tags, March
    /// 2023), so it cannot be tagged, nor proven ours.
    NoArn,
}

/// Makes the current targets' tags comparable with the desired ones: where they were not read
/// (or cannot be, for a target without an ARN) they count as desired, so only a difference AWS
/// reported is planned. Returns what a reviewer should know.
pub fn align(desired: &Records, current: &mut Records, read: &HashMap<String, TagsRead>) -> Vec<String> {
    let mut notes = Vec::new();
    for (key, want) in desired {
        let (Record::Target(want), Some(Record::Target(have))) = (want, current.get_mut(key)) else {
            continue;
        };
        match read.get(&key.resource_id) {
            Some(TagsRead::Tags(tags)) => {
                let theirs = tags
                    .get(STACK_TAG)
                    .filter(|s| Some(*s) != want.tags.get(STACK_TAG));
                if let Some(other) = theirs {
                    notes.push(format!(
                        "{} is tagged as stack {other:?}'s; this plan tags it as this config's ({:?}): two configs managing one endpoint undo each other",
                        key.resource_id,
                        want.tags.get(STACK_TAG).map_or("", String::as_str)
                    ));
                }
            }
            Some(TagsRead::NoArn) => {
                have.tags = want.tags.clone();
                notes.push(format!(
                    "{} has no ARN (registered before Application Auto Scaling had tags), so it cannot be tagged and will not be pruned when removed from the config",
                    key.resource_id
                ));
            }
            None => have.tags = want.tags.clone(),
        }
    }
    notes
}

/// The targets whose tags name a stack other than `stack`, each with why it is not this
/// config's to remove.
pub fn tagged_by_others(read: &HashMap<String, TagsRead>, stack: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = read
        .iter()
        .filter_map(|(rid, read)| match read {
            TagsRead::Tags(tags) => tags.get(STACK_TAG).filter(|s| *s != stack).map(|other| {
                (
                    rid.clone(),
                    format!("tagged as stack {other:?}'s, not this config's ({stack:?}): only that stack removes it"),
                )
            }),
            TagsRead::NoArn => None,
        })
        .collect();
    out.sort();
    out
}

/// Why a target the config no longer names is left in place.
pub fn left_alone(resource_id: &str, read: Option<&TagsRead>, stack: &str) -> String {
    let why = match read {
        Some(TagsRead::Tags(tags)) => match tags.get(STACK_TAG) {
            Some(other) => format!("it is tagged as stack {other:?}'s"),
            None => format!("it is not tagged as stack {stack:?}'s"),
        },
        Some(TagsRead::NoArn) => "it has no ARN, so no tags to prove it is this stack's".to_string(),
        None => "its tags could not be read".to_string(),
    };
    format!(
        "{resource_id} is no longer in the config, but {why}: left alone (deregister it yourself if it should go)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::{MANAGED_BY, managed, owned_by, tags};

    #[test]
    fn only_this_stacks_tags_prove_ownership() {
        let ours = tags("s");
        assert!(owned_by(&ours, "s"));
        assert!(!owned_by(&ours, "t"));
        let mut no_tool = ours.clone();
        no_tool.remove(MANAGED_BY.0);
        assert!(!owned_by(&no_tool, "s"));
        let mut extra = ours.clone();
        extra.insert("team".into(), "ml".into());
        assert_eq!(managed(&extra), ours);
    }

    fn target(tags: Tags) -> (crate::resource::Key, Record) {
        let key = crate::resource::Key {
            kind: crate::resource::Kind::ScalableTarget,
            resource_id: "endpoint/e/variant/v".into(),
            name: "sagemaker:variant:DesiredInstanceCount".into(),
        };
        let record = Record::Target(crate::resource::TargetRecord {
            min_capacity: 0,
            max_capacity: 1,
            suspended: Default::default(),
            tags,
        });
        (key, record)
    }

    #[test]
    fn tags_not_read_count_as_desired_and_a_target_without_an_arn_is_named() {
        let desired = Records::from([target(tags("s"))]);
        let unread = Records::from([target(Tags::new())]);
        let mut current = unread.clone();
        assert!(align(&desired, &mut current, &HashMap::new()).is_empty());
        assert_eq!(current, desired);

        let mut current = unread.clone();
        let read = HashMap::from([("endpoint/e/variant/v".to_string(), TagsRead::NoArn)]);
        let notes = align(&desired, &mut current, &read);
        assert_eq!(current, desired, "nothing to plan: it cannot be tagged");
        assert!(notes[0].contains("has no ARN"), "{notes:?}");

        let mut current = Records::from([target(tags("other"))]);
        let read = HashMap::from([("endpoint/e/variant/v".to_string(), TagsRead::Tags(tags("other")))]);
        let notes = align(&desired, &mut current, &read);
        assert_ne!(current, desired, "re-tagged by the plan");
        assert!(notes[0].contains("tagged as stack \"other\"'s"), "{notes:?}");
    }

    #[test]
    fn since_prunes_what_the_base_named_and_checks_what_is_new() {
        let d = ScalableDimension::VariantDesiredInstanceCount;
        let base = BTreeMap::from([
            ((None, "gone".to_string(), d), vec!["gone-alarm".to_string()]),
            ((None, "kept".to_string(), d), vec!["kept-alarm".to_string()]),
            (
                (Some("eu-west-1".to_string()), "elsewhere".to_string(), d),
                vec![],
            ),
        ]);
        let now = vec![("kept".to_string(), d), ("new".to_string(), d)];
        let q = OwnershipRead::new(&Scope::Since(base), "s", &None, &now);
        assert_eq!(q.candidates, vec![("gone".to_string(), d)]);
        assert_eq!(q.check, BTreeSet::from(["new".to_string()]));
        assert_eq!(
            q.candidate_alarms,
            HashMap::from([("gone-alarm".to_string(), "gone".to_string())])
        );
        assert!(!q.scan);
    }

    #[test]
    fn only_candidates_tagged_as_this_stacks_are_pruned_and_a_scan_names_no_others() {
        let d = ScalableDimension::VariantDesiredInstanceCount;
        let read = HashMap::from([
            ("ours".to_string(), TagsRead::Tags(tags("s"))),
            ("theirs".to_string(), TagsRead::Tags(tags("t"))),
            ("old".to_string(), TagsRead::NoArn),
        ]);
        let candidates = || ["ours", "theirs", "old", "unread"].map(|rid| (rid.to_string(), d));
        let since = OwnershipRead {
            stack: "s".into(),
            candidates: candidates().to_vec(),
            ..OwnershipRead::default()
        };
        let pruning = since.sort(candidates(), &read);
        assert_eq!(pruning.pruned, vec![("ours".to_string(), d)]);
        assert_eq!(
            pruning.not_owned,
            vec![
                ("theirs".to_string(), Some(TagsRead::Tags(tags("t")))),
                ("old".to_string(), Some(TagsRead::NoArn)),
                ("unread".to_string(), None),
            ]
        );
        let scan = OwnershipRead {
            scan: true,
            ..since.clone()
        };
        let pruning = scan.sort(candidates(), &read);
        assert_eq!(pruning.pruned, vec![("ours".to_string(), d)]);
        assert!(pruning.not_owned.is_empty());
        assert!(scan.is_candidate("any", Some(d), false) && !scan.is_candidate("any", None, false));
        assert!(!since.is_candidate("any", Some(d), false) && since.is_candidate("ours", Some(d), true));
    }

    #[test]
    fn only_configured_alarms_and_this_tools_own_are_planned() {
        assert!(plans_alarm(true, None));
        assert!(plans_alarm(false, Some(&format!("{ALARM_MARK}: scale out"))));
        assert!(!plans_alarm(false, Some("paging the on-call")));
        assert!(!plans_alarm(false, None));
    }
}
