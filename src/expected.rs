//! What a plan expects AWS to hold *now* where AWS changes things itself: the capacity that
//! scheduled actions put in force. "A scheduled action sets the MinCapacity and MaxCapacity to
//! what is specified by the scheduled action" when it runs (Application Auto Scaling user
//! guide, scheduled scaling); comparing the target against the config's own values afterwards
//! would report drift, and applying them would undo the schedule.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use crate::model::ScheduledAction;
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
    for (key, record) in desired.iter_mut() {
        let Record::Target(want) = record else { continue };
        let Some(Record::Target(have)) = current.get(key) else {
            continue; // not registered yet: no schedule of it has run
        };
        let rid = &key.resource_id;
        let actions: Vec<_> = schedules_of(current, rid)
            .map(|a| {
                let at = created
                    .get(&(rid.clone(), a.name.clone()))
                    .and_then(|t| Timestamp::from_second(*t).ok());
                (a.clone(), at)
            })
            .collect();
        if actions.is_empty() {
            continue;
        }
        let in_force = capacity_in_force(want.min_capacity, want.max_capacity, &actions, now);
        notes
            .problems
            .extend(in_force.notes.iter().map(|n| format!("{rid}: {n}")));
        let bounds = [
            Bound::MIN.expect(want, have, &actions, in_force.min, in_force.min_from.as_deref()),
            Bound::MAX.expect(want, have, &actions, in_force.max, in_force.max_from.as_deref()),
        ];
        let mut said = Vec::new();
        for (bound, (value, note)) in [Bound::MIN, Bound::MAX].into_iter().zip(bounds) {
            (bound.set)(want, value);
            match note {
                Note::Explain(n) => said.push(format!("{rid}: {n}")),
                Note::Problem(n) => notes.problems.push(format!("{rid}: {n}")),
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
        actions: &[(ScheduledAction, Option<Timestamp>)],
        expected: i32,
        from: Option<&str>,
    ) -> (i32, Note) {
        let (name, base, held) = (self.name, (self.of_target)(config), (self.of_target)(aws));
        let set_by = |v: i32| {
            actions
                .iter()
                .find(|(a, _)| (self.of_action)(a) == Some(v))
                .map(|(a, _)| a.name.as_str())
        };
        if actions.iter().all(|(a, _)| (self.of_action)(a).is_none()) {
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
            let by = set_by(held).map_or("the config".to_string(), |a| format!("scheduled action `{a}`"));
            Note::Problem(format!(
                "{name} is {held}, a value {by} sets, where the latest runs would leave {latest}: left as it is, since a schedule owns this bound and its next run sets it"
            ))
        } else {
            Note::Problem(format!(
                "drift: {name} is {held}, which neither the config nor any scheduled action sets (expected {latest}); left as it is, since a schedule owns this bound and its next run sets it"
            ))
        };
        (held, note)
    }
}

fn schedules_of<'a>(current: &'a Records, rid: &'a str) -> impl Iterator<Item = &'a ScheduledAction> {
    let from = Key {
        kind: Kind::ScheduledAction,
        resource_id: rid.to_string(),
        name: String::new(),
    };
    current
        .range(from..)
        .take_while(move |(k, _)| k.kind == Kind::ScheduledAction && k.resource_id == rid)
        .filter_map(|(_, r)| match r {
            Record::Schedule(s) => Some(s),
            _ => None,
        })
}
