//! plan = diff(desired, current): pure, no I/O. The plan is complete and serialisable; its
//! fingerprint hashes the canonical form of the changes, so the same situation always gives
//! the same fingerprint and a reviewed plan can be recognised later.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::ScheduledAction;
use crate::resource::{Key, Kind, Record, Records};

/// What a change does to one AWS object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The object is new.
    Create,
    /// The object exists and some of its fields change.
    Update,
    /// Delete, then create: AWS cannot change a policy between target tracking and step.
    Replace,
    /// The object goes.
    Delete,
}

impl Action {
    /// The action's name in plans, e.g. `create`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

/// One AWS object's change: which object, what is done, and its fields before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The endpoint's own `region`, when it has one; None: the config's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What is done to the object.
    pub action: Action,
    /// Scalable target, scaling policy, alarm or scheduled action.
    pub kind: Kind,
    /// The ResourceId of its scalable target.
    pub resource_id: String,
    /// The object's name.
    pub name: String,
    /// The record as AWS holds it now, as JSON; None on create.
    pub before: Option<Value>,
    /// The record as the config wants it, as JSON; None on delete.
    pub after: Option<Value>,
    /// Dotted paths of the fields that differ (all of them on create and delete).
    pub fields: Vec<String>,
    /// On a replace under a new name: the policy deleted first (AWS allows one
    /// target-tracking policy per metric on a target, so a rename cannot create first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

impl Change {
    /// The key of the object changed.
    pub fn key(&self) -> Key {
        Key {
            kind: self.kind,
            resource_id: self.resource_id.clone(),
            name: self.name.clone(),
        }
    }

    /// Whether this change deregisters a scalable target (its policies and scheduled actions
    /// go with it).
    pub fn deregisters(&self) -> bool {
        self.kind == Kind::ScalableTarget && self.action == Action::Delete
    }

    /// Why a replace deletes before it creates, as the plan shows it.
    pub fn replace_reason(&self) -> Option<String> {
        if self.action != Action::Replace {
            return None;
        }
        if let Some(old) = &self.replaces {
            return Some(format!(
                "replaces {old}: one target-tracking policy per metric, so delete, then create"
            ));
        }
        let schedule = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|v| serde_json::from_value::<ScheduledAction>(v.clone()).ok())
        };
        if self.kind == Kind::ScheduledAction
            && let (Some(have), Some(want)) = (schedule(&self.before), schedule(&self.after))
        {
            return Some(format!(
                "{} removed: an update keeps a bound it leaves out, so delete, then create",
                dropped_bounds(&have, &want).join(" and ")
            ));
        }
        let t = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|v| v["policy_type"].as_str())
                .unwrap_or("?")
                .to_string()
        };
        Some(format!(
            "type {} -> {}: delete, then create",
            t(&self.before),
            t(&self.after)
        ))
    }

    /// The metric of a target-tracking policy this change removes or puts.
    fn tracked_metric(v: &Option<Value>) -> Option<&Value> {
        v.as_ref()
            .filter(|v| v["policy_type"] == "TargetTrackingScaling")
            .map(|v| &v["metric"])
    }
}

/// Counts of the changes, as `N to add, N to change, N to destroy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Objects created (a replace counts here too).
    pub add: usize,
    /// Objects updated in place.
    pub change: usize,
    /// Objects deleted (a replace counts here too).
    pub destroy: usize,
}

/// What an apply would change, with the fingerprint that identifies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// How many objects are added, changed and destroyed.
    pub summary: Summary,
    /// Hex sha256 of the canonical changes (see [`fingerprint`]).
    pub fingerprint: String,
    /// The changes, in the order apply performs them.
    pub changes: Vec<Change>,
    /// Things a reviewer should know that are not changes (e.g. capacity that will move).
    pub warnings: Vec<String>,
    /// Scalable targets left out of the plan, each with why: nothing of theirs is changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<Blocked>,
    /// Capacity bounds AWS holds that neither the config nor a scheduled action explains, on
    /// bounds a schedule owns: shown, never repaired (the schedule's next run sets the bound).
    /// Not part of the fingerprint: apply does nothing about them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
}

/// A capacity bound that has drifted: AWS holds a value that neither the config nor any
/// scheduled action sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The endpoint's own region; None: the config's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The ResourceId of the scalable target.
    pub resource_id: String,
    /// `min_capacity` or `max_capacity`.
    pub field: String,
    /// What AWS holds.
    pub actual: i32,
    /// What the latest scheduled runs (or the config) would leave.
    pub expected: i32,
    /// Where `expected` comes from, e.g. "set by scheduled action `office-hours` when it last ran".
    pub expected_from: String,
}

/// A scalable target AWS holds something on that this tool cannot represent (a policy with a
/// metric it does not know, say). Only this target is left out; the rest of the plan stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// The endpoint's own region; None: the config's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The ResourceId of the target left out.
    pub resource_id: String,
    /// Why it is left out, for the reviewer.
    pub reason: String,
}

impl Plan {
    /// The changes that deregister scalable targets.
    pub fn deregistrations(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.deregisters())
    }

    /// True when there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether `fresh` is this (saved, reviewed) plan: the same fingerprint.
    pub fn same_as(&self, fresh: &Plan) -> Result<(), PlanDiffers> {
        if self.fingerprint != fresh.fingerprint {
            return Err(PlanDiffers {
                saved: self.fingerprint.clone(),
                fresh: fresh.fingerprint.clone(),
            });
        }
        Ok(())
    }
}

/// A saved (reviewed) plan that is not what a fresh plan would do.
#[derive(Debug, thiserror::Error)]
#[error(
    "the saved plan ({saved}) no longer matches AWS and the config (now {fresh}): something changed since it was made"
)]
pub struct PlanDiffers {
    /// The saved plan's fingerprint.
    pub saved: String,
    /// The fingerprint a plan made now has.
    pub fresh: String,
}

impl PlanDiffers {
    /// What the user can do about a saved plan that no longer matches.
    pub const HINT: &str = "run `plan --out FILE` again, review it, and apply that";
}

impl crate::error::Hint for PlanDiffers {
    fn hint(&self) -> Option<&str> {
        Some(Self::HINT)
    }
}

/// The plan that turns `current` into `desired`: creates, updates, replaces and deletes.
pub fn diff(desired: &Records, current: &Records) -> Plan {
    let mut changes = Vec::new();
    for (key, want) in desired {
        match current.get(key) {
            None => changes.push(change(Action::Create, key, None, Some(want))),
            Some(have) if have == want => {}
            Some(have) => {
                let action = match (have, want) {
                    (Record::Policy(a), Record::Policy(b)) if a.type_name() != b.type_name() => {
                        Action::Replace
                    }
                    (Record::Schedule(a), Record::Schedule(b)) if !dropped_bounds(a, b).is_empty() => {
                        Action::Replace
                    }
                    _ => Action::Update,
                };
                changes.push(change(action, key, Some(have), Some(want)));
            }
        }
    }
    for (key, have) in current {
        if !desired.contains_key(key) {
            changes.push(change(Action::Delete, key, Some(have), None));
        }
    }
    Plan::of(pair_renamed_target_tracking(changes))
}

/// The capacity bounds `have` sets and `want` no longer does. PutScheduledAction keeps what an
/// update leaves out ("To update a scheduled action, specify the parameters that you want to
/// change", API_PutScheduledAction), so only a new action loses a bound.
fn dropped_bounds(have: &ScheduledAction, want: &ScheduledAction) -> Vec<&'static str> {
    let mut out = Vec::new();
    if have.min_capacity.is_some() && want.min_capacity.is_none() {
        out.push("min_capacity");
    }
    if have.max_capacity.is_some() && want.max_capacity.is_none() {
        out.push("max_capacity");
    }
    out
}

/// AWS allows one target-tracking policy per metric specification on a target ("Only one
/// TargetTrackingScaling policy for a given metric specification is allowed."): a policy
/// renamed with its metric kept is one replace, the old name deleted before the new is put.
fn pair_renamed_target_tracking(mut changes: Vec<Change>) -> Vec<Change> {
    let mut i = 0;
    while i < changes.len() {
        let created = &changes[i];
        let old = (created.kind == Kind::ScalingPolicy && created.action == Action::Create)
            .then(|| Change::tracked_metric(&created.after))
            .flatten()
            .and_then(|metric| {
                changes.iter().position(|d| {
                    d.kind == Kind::ScalingPolicy
                        && d.action == Action::Delete
                        && d.resource_id == created.resource_id
                        && Change::tracked_metric(&d.before) == Some(metric)
                })
            });
        if let Some(j) = old {
            let old = changes.remove(j);
            let at = if j < i { i - 1 } else { i };
            let new = &mut changes[at];
            new.action = Action::Replace;
            new.before = old.before;
            new.fields = changed_fields(new.before.as_ref(), new.after.as_ref());
            new.replaces = Some(old.name);
            i = at;
        }
        i += 1;
    }
    changes
}

impl Plan {
    /// The plan made of `changes`, in apply order.
    pub fn of(mut changes: Vec<Change>) -> Plan {
        let tracking_puts = targets_putting_tracking(&changes);
        changes.sort_by_key(|c| {
            (
                phase(c, &tracking_puts),
                c.region.clone(),
                c.resource_id.clone(),
                c.name.clone(),
            )
        });
        Plan {
            summary: Summary::of(&changes),
            fingerprint: fingerprint(&changes, &[]),
            warnings: capacity_warnings(&changes),
            changes,
            blocked: Vec::new(),
            drift: Vec::new(),
        }
    }

    /// The plan with targets left out of it named; they count in the fingerprint, so a
    /// reviewed plan stops matching once they can be planned.
    pub fn with_blocked(mut self, mut blocked: Vec<Blocked>) -> Plan {
        blocked.sort_by(|a, b| (&a.region, &a.resource_id).cmp(&(&b.region, &b.resource_id)));
        self.fingerprint = fingerprint(&self.changes, &blocked);
        self.blocked = blocked;
        self
    }

    /// Several regions' plans as one: each change marked with its region.
    pub fn merge(parts: Vec<(Option<String>, Plan)>) -> Plan {
        let changes = parts
            .into_iter()
            .flat_map(|(region, plan)| {
                plan.changes.into_iter().map(move |mut c| {
                    c.region = region.clone();
                    c
                })
            })
            .collect();
        Plan::of(changes)
    }
}

/// The order apply performs changes in: register targets; delete the target-tracking
/// policies of every target that also puts one (AWS allows one per metric specification and
/// does not say exactly what makes two the same, so every such delete goes first); put
/// policies (target tracking first), put alarms wired to the step policies, put scheduled
/// actions; then prune in reverse: alarms before the policies they trigger, then deregister
/// targets (AWS deletes their policies and scheduled actions with them, so those deletes come
/// after and find nothing left to do), then policies, then scheduled actions.
fn phase(c: &Change, tracking_puts: &BTreeSet<(Option<String>, String)>) -> u8 {
    let step = |v: &Option<Value>| v.as_ref().is_some_and(|v| v["policy_type"] == "StepScaling");
    let frees = || {
        Change::tracked_metric(&c.before).is_some()
            && tracking_puts.contains(&(c.region.clone(), c.resource_id.clone()))
    };
    match (c.kind, c.action) {
        (Kind::ScalableTarget, Action::Delete) => 8,
        (Kind::ScalableTarget, _) => 0,
        (Kind::ScalingPolicy, Action::Delete) if frees() => 1,
        (Kind::ScalingPolicy, Action::Delete) => 9,
        (Kind::ScalingPolicy, _) if step(&c.after) => 3,
        (Kind::ScalingPolicy, _) => 2,
        (Kind::Alarm, Action::Delete) => 7,
        (Kind::Alarm, _) => 4,
        (Kind::ScheduledAction, Action::Delete) => 10,
        (Kind::ScheduledAction, _) => 5,
    }
}

/// (region, resource id) of every target a change puts a target-tracking policy on.
fn targets_putting_tracking(changes: &[Change]) -> BTreeSet<(Option<String>, String)> {
    changes
        .iter()
        .filter(|c| c.kind == Kind::ScalingPolicy && c.action != Action::Delete)
        .filter(|c| Change::tracked_metric(&c.after).is_some())
        .map(|c| (c.region.clone(), c.resource_id.clone()))
        .collect()
}

fn change(action: Action, key: &Key, before: Option<&Record>, after: Option<&Record>) -> Change {
    let before = before.map(to_value);
    let after = after.map(to_value);
    let fields = changed_fields(before.as_ref(), after.as_ref());
    Change {
        region: None,
        action,
        kind: key.kind,
        resource_id: key.resource_id.clone(),
        name: key.name.clone(),
        before,
        after,
        fields,
        replaces: None,
    }
}

fn to_value(r: &Record) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Dotted paths of leaves that differ; arrays count as one leaf, null counts as absent.
pub fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let mut a = BTreeMap::new();
    let mut b = BTreeMap::new();
    if let Some(v) = before {
        flatten("", v, &mut a);
    }
    if let Some(v) = after {
        flatten("", v, &mut b);
    }
    let mut keys: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().filter(|k| a.get(k) != b.get(k)).collect()
}

pub(crate) fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        // An absent optional field and a null one are the same thing.
        Value::Null => {}
        _ => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

impl Summary {
    /// The counts of `changes` (a replace adds one and destroys one).
    pub fn of<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Summary {
        let mut s = Summary::default();
        for c in changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => {
                    s.add += 1;
                    s.destroy += 1;
                }
                Action::Delete => s.destroy += 1,
            }
        }
        s
    }
}

/// sha256 over the canonical JSON of the changes (and of the targets left out, when there
/// are any): keys sorted (serde_json's default map), no whitespace, warnings and rendering
/// left out.
pub fn fingerprint(changes: &[Change], blocked: &[Blocked]) -> String {
    let canonical: Vec<Value> = changes
        .iter()
        .map(|c| {
            let mut v = serde_json::json!({
                "action": c.action, "kind": c.kind, "resource_id": c.resource_id, "name": c.name,
                "before": c.before, "after": c.after,
            });
            if let Some(old) = &c.replaces {
                v["replaces"] = Value::from(old.as_str());
            }
            // Only when set, so single-region fingerprints stay what they were.
            if let Some(region) = &c.region {
                v["region"] = Value::from(region.as_str());
            }
            v
        })
        .collect();
    let mut text = serde_json::to_string(&canonical).unwrap_or_default();
    if !blocked.is_empty() {
        text.push_str(&serde_json::to_string(blocked).unwrap_or_default());
    }
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// RegisterScalableTarget clamps the live instance count into [min, max]: a higher minimum
/// launches instances now, a lower maximum terminates them.
fn capacity_warnings(changes: &[Change]) -> Vec<String> {
    let mut out = Vec::new();
    for c in changes.iter().filter(|c| c.kind == Kind::ScalableTarget) {
        let get = |v: &Option<Value>, k: &str| v.as_ref().and_then(|v| v[k].as_i64());
        let (min_before, min_after) = (get(&c.before, "min_capacity"), get(&c.after, "min_capacity"));
        let (max_before, max_after) = (get(&c.before, "max_capacity"), get(&c.after, "max_capacity"));
        match c.action {
            Action::Create if min_after.unwrap_or(0) > 0 => out.push(format!(
                "{}: registering the target with min_capacity {} starts that many instances if fewer run",
                c.resource_id,
                min_after.unwrap_or(0)
            )),
            Action::Update => {
                if let (Some(a), Some(b)) = (min_before, min_after)
                    && b > a
                {
                    out.push(format!(
                        "{}: raising min_capacity from {a} to {b} starts instances now if fewer than {b} run",
                        c.resource_id
                    ));
                }
                if let (Some(a), Some(b)) = (max_before, max_after)
                    && b < a
                {
                    out.push(format!(
                        "{}: lowering max_capacity from {a} to {b} stops instances now if more than {b} run",
                        c.resource_id
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

impl Record {
    /// A record of `kind` from its JSON form (a plan's `after`).
    pub fn from_value(kind: Kind, v: &Value) -> Result<Record, serde_json::Error> {
        Ok(match kind {
            Kind::ScalableTarget => Record::Target(serde_json::from_value(v.clone())?),
            Kind::ScalingPolicy => Record::Policy(serde_json::from_value(v.clone())?),
            Kind::Alarm => Record::Alarm(serde_json::from_value(v.clone())?),
            Kind::ScheduledAction => Record::Schedule(serde_json::from_value(v.clone())?),
        })
    }
}
