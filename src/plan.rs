//! plan = diff(desired, current): pure, no I/O. The plan is complete and serialisable; its
//! fingerprint hashes the canonical form of the changes, so the same situation always gives
//! the same fingerprint and a reviewed plan can be recognised later.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::resource::{Key, Kind, Record, Records};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    /// Delete, then create: AWS cannot change a policy between target tracking and step.
    Replace,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The endpoint's own `region`, when it has one; None: the config's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub action: Action,
    pub kind: Kind,
    pub resource_id: String,
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// Dotted paths of the fields that differ (all of them on create and delete).
    pub fields: Vec<String>,
}

impl Change {
    pub fn key(&self) -> Key {
        Key {
            kind: self.kind,
            resource_id: self.resource_id.clone(),
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub summary: Summary,
    pub fingerprint: String,
    pub changes: Vec<Change>,
    /// Things a reviewer should know that are not changes (e.g. capacity that will move).
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

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
    Plan::of(changes)
}

impl Plan {
    /// The plan made of `changes`, in apply order.
    pub fn of(mut changes: Vec<Change>) -> Plan {
        changes.sort_by_key(|c| (phase(c), c.region.clone(), c.resource_id.clone(), c.name.clone()));
        Plan {
            summary: summarise(&changes),
            fingerprint: fingerprint(&changes),
            warnings: capacity_warnings(&changes),
            changes,
        }
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

/// The order apply performs changes in: register targets, put policies (target tracking
/// first), put alarms wired to the step policies, put scheduled actions; then prune in
/// reverse: alarms before the policies they trigger, then policies, then scheduled actions.
pub fn phase(c: &Change) -> u8 {
    let step = |v: &Option<Value>| v.as_ref().is_some_and(|v| v["policy_type"] == "StepScaling");
    match (c.kind, c.action) {
        (Kind::ScalableTarget, Action::Delete) => 9,
        (Kind::ScalableTarget, _) => 0,
        (Kind::ScalingPolicy, Action::Delete) => 7,
        (Kind::ScalingPolicy, _) if step(&c.after) => 2,
        (Kind::ScalingPolicy, _) => 1,
        (Kind::Alarm, Action::Delete) => 6,
        (Kind::Alarm, _) => 3,
        (Kind::ScheduledAction, Action::Delete) => 8,
        (Kind::ScheduledAction, _) => 4,
    }
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

pub fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
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

fn summarise(changes: &[Change]) -> Summary {
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

/// sha256 over the canonical JSON of the changes: keys sorted (serde_json's default map),
/// no whitespace, warnings and rendering left out.
pub fn fingerprint(changes: &[Change]) -> String {
    let canonical: Vec<Value> = changes
        .iter()
        .map(|c| {
            let mut v = serde_json::json!({
                "action": c.action, "kind": c.kind, "resource_id": c.resource_id, "name": c.name,
                "before": c.before, "after": c.after,
            });
            // Only when set, so single-region fingerprints stay what they were.
            if let Some(region) = &c.region {
                v["region"] = Value::from(region.as_str());
            }
            v
        })
        .collect();
    let text = serde_json::to_string(&canonical).unwrap_or_default();
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
