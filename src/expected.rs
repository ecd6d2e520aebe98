//! What a plan expects AWS to hold *now* where AWS changes things itself: the capacity that
//! scheduled actions put in force. "A scheduled action sets the MinCapacity and MaxCapacity to
//! what is specified by the scheduled action" when it runs (Application Auto Scaling user
//! guide, scheduled scaling); comparing the target against the config's own values afterwards
//! would report drift, and applying them would undo the schedule.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;

use crate::model::ScheduledAction;
use crate::plan::Drift;
use crate::resource::{Key, Kind, Record, Records, TargetRecord};
use crate::schedule::capacity_in_force;

/// What a reviewer should know about the capacity schedules put in force.
#[derive(Debug, Default)]
pub struct InForceNotes {
    /// By resource id: where each expected bound comes from, worth reading next to a change of
    /// that target.
    pub explanations: BTreeMap<String, Vec<String>>,
    /// Runs AWS fails, actions that could not be evaluated, bounds left as a schedule set
    /// them: worth reading always.
    pub problems: Vec<String>,
    /// Targets whose expected bounds cross (min above max), each with why: left out of the
    /// plan, since RegisterScalableTarget would refuse them.
    pub blocked: Vec<(String, String)>,
    /// Bounds a schedule owns whose value neither the config nor a schedule sets: left as
    /// they are (the schedule's next run sets them), and shown.
    pub drift: Vec<Drift>,
}

/// Sets each desired target's bounds to what AWS should hold now, for the bounds a scheduled
/// action sets (the others stay the config's). The schedules are those AWS holds (`current`),
/// since only they can have run, with their creation times (`created`, epoch seconds, by
/// resource id and name).
///
/// A bound a schedule sets is never changed by the plan: it keeps what AWS holds, and a value
/// other than the expected one is reported. The expected value rests on facts the tool cannot
/// see (an action edited after it was created keeps its creation time; runs that fell while
/// scheduled scaling was suspended never happened), so a "repair" could be wrong, and it
/// would change capacity at once (RegisterScalableTarget clamps it); the next run sets the
/// bound anyway.
pub fn schedules_in_force(
    desired: &mut Records,
    current: &Records,
    created: &HashMap<(String, String), i64>,
    now: Timestamp,
) -> InForceNotes {
    let mut notes = InForceNotes::default();
    let kept: BTreeSet<Key> = desired
        .keys()
        .filter(|k| k.kind == Kind::ScheduledAction)
        .cloned()
        .collect();
    for (key, record) in desired.iter_mut() {
        let Record::Target(want) = record else { continue };
        let Some(Record::Target(have)) = current.get(key) else {
            continue; // not registered yet: no schedule of it has run
        };
        let rid = &key.resource_id;
        let (actions, deleted) = actions_of(current, rid, &kept, created);
        if actions.is_empty() {
            continue;
        }
        let in_force = capacity_in_force(want.min_capacity, want.max_capacity, &actions, now);
        notes
            .problems
            .extend(in_force.notes.iter().map(|n| format!("{rid}: {n}")));
        let schedules = Schedules {
            kept: &actions,
            deleted: &deleted,
        };
        let bounds = [
            Bound::MIN.expect(want, have, &schedules, in_force.min, in_force.min_from.as_deref()),
            Bound::MAX.expect(want, have, &schedules, in_force.max, in_force.max_from.as_deref()),
        ];
        let mut said = Vec::new();
        for (bound, (value, note)) in [Bound::MIN, Bound::MAX].into_iter().zip(bounds) {
            (bound.set)(want, value);
            match note {
                Note::Explain(n) => said.push(format!("{rid}: {n}")),
                Note::Problem(n) => notes.problems.push(format!("{rid}: {n}")),
                Note::Drift(d) => notes.drift.push(Drift {
                    resource_id: rid.clone(),
                    ..d
                }),
                Note::None => {}
            }
        }
        if want.min_capacity > want.max_capacity {
            notes.blocked.push((
                rid.clone(),
                format!(
                    "with its scheduled actions it would be registered with min_capacity {} above max_capacity {}, which AWS refuses; give the one-sided action both bounds, or change the config's",
                    want.min_capacity, want.max_capacity
                ),
            ));
        }
        if !said.is_empty() {
            notes.explanations.insert(rid.clone(), said);
        }
    }
    notes
}

/// The scheduled actions AWS holds for `rid`: those the plan keeps, each with when it was
/// created (from `created`), and those it deletes. An action this plan deletes no longer
/// explains a bound: when no remaining action sets it, the plan goes back to the config's
/// value now, not one plan later.
fn actions_of<'a>(
    current: &'a Records,
    rid: &'a str,
    kept: &BTreeSet<Key>,
    created: &HashMap<(String, String), i64>,
) -> (
    Vec<(ScheduledAction, Option<Timestamp>)>,
    Vec<&'a ScheduledAction>,
) {
    let (actions, deleted): (Vec<&ScheduledAction>, Vec<&ScheduledAction>) =
        schedules_of(current, rid).partition(|a| kept.contains(&schedule_key(rid, &a.name)));
    let actions = actions
        .into_iter()
        .map(|a| {
            let at = created
                .get(&(rid.to_string(), a.name.clone()))
                .and_then(|t| Timestamp::from_second(*t).ok());
            (a.clone(), at)
        })
        .collect();
    (actions, deleted)
}

/// One of a target's two bounds.
#[derive(Clone, Copy)]
struct Bound {
    name: &'static str,
    of_target: fn(&TargetRecord) -> i32,
    set: fn(&mut TargetRecord, i32),
    of_action: fn(&ScheduledAction) -> Option<i32>,
}

enum Note {
    None,
    Explain(String),
    Problem(String),
    Drift(Drift),
}

impl Bound {
    const MIN: Bound = Bound {
        name: "min_capacity",
        of_target: |t| t.min_capacity,
        set: |t, v| t.min_capacity = v,
        of_action: |a| a.min_capacity,
    };
    const MAX: Bound = Bound {
        name: "max_capacity",
        of_target: |t| t.max_capacity,
        set: |t, v| t.max_capacity = v,
        of_action: |a| a.max_capacity,
    };

    /// The value to plan for this bound, and what to say about it. A bound some scheduled
    /// action sets is never written by the plan: it stays what AWS holds, and its next run
    /// sets it. When AWS holds another value than the schedules' latest runs would leave, the
    /// plan says so (drift, when neither an action nor the config sets that value).
    fn expect(
        self,
        config: &TargetRecord,
        aws: &TargetRecord,
        schedules: &Schedules<'_>,
        expected: i32,
        from: Option<&str>,
    ) -> (i32, Note) {
        let (name, base, held) = (self.name, (self.of_target)(config), (self.of_target)(aws));
        let sets = |a: &ScheduledAction, v: i32| (self.of_action)(a) == Some(v);
        let set_by = |v: i32| {
            let kept = schedules.kept.iter().find(|(a, _)| sets(a, v));
            let deleted = schedules.deleted.iter().find(|a| sets(a, v));
            kept.map(|(a, _)| format!("scheduled action `{}`", a.name))
                .or_else(|| deleted.map(|a| format!("scheduled action `{}` (deleted by this plan)", a.name)))
        };
        if schedules.kept.iter().all(|(a, _)| (self.of_action)(a).is_none()) {
            return (base, Note::None); // no schedule sets this bound
        }
        let latest = from.map_or(format!("the config's {base}"), |action| {
            format!("{expected}, set by scheduled action `{action}` when it last ran")
        });
        let note = if held == expected {
            match from {
                Some(_) => Note::Explain(format!("{name} {held} is {latest} (the config says {base})")),
                None => Note::None,
            }
        } else if held == base || set_by(held).is_some() {
            let by = set_by(held).unwrap_or_else(|| "the config".to_string());
            Note::Problem(format!(
                "{name} is {held}, a value {by} sets, where the latest runs would leave {latest}: left as it is, since a schedule owns this bound and its next run sets it"
            ))
        } else {
            Note::Drift(Drift {
                region: None,
                resource_id: String::new(),
                field: name.to_string(),
                actual: held,
                expected,
                expected_from: from.map_or("the config's".to_string(), |action| {
                    format!("set by scheduled action `{action}` when it last ran")
                }),
            })
        };
        (held, note)
    }
}

/// A target's scheduled actions that AWS holds: those the plan keeps (with their creation
/// time), which own bounds, and those it deletes, which only explain a value they set.
struct Schedules<'a> {
    kept: &'a [(ScheduledAction, Option<Timestamp>)],
    deleted: &'a [&'a ScheduledAction],
}

fn schedule_key(rid: &str, name: &str) -> Key {
    Key {
        kind: Kind::ScheduledAction,
        resource_id: rid.to_string(),
        name: name.to_string(),
    }
}

fn schedules_of<'a>(current: &'a Records, rid: &'a str) -> impl Iterator<Item = &'a ScheduledAction> {
    let from = schedule_key(rid, "");
    current
        .range(from..)
        .take_while(move |(k, _)| k.kind == Kind::ScheduledAction && k.resource_id == rid)
        .filter_map(|(_, r)| match r {
            Record::Schedule(s) => Some(s),
            _ => None,
        })
}
