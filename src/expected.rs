//! What a plan expects AWS to hold *now* where AWS changes things itself: the capacity that
//! scheduled actions put in force. "A scheduled action sets the MinCapacity and MaxCapacity to
//! what is specified by the scheduled action" when it runs (Application Auto Scaling user
//! guide, scheduled scaling); comparing the target against the config's own values afterwards
//! would report drift, and applying them would undo the schedule.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use crate::resource::{Key, Kind, Record, Records};
use crate::schedule::capacity_in_force;

/// Sets each desired target's bounds to what its scheduled actions put in force at `now`, for
/// the bounds a schedule has set (the config's values until the first run). The schedules are
/// those AWS holds (`current`), since only they can have run, with their creation times
/// (`created`, epoch seconds, by resource id and name). A target whose scheduled scaling is
/// suspended keeps the config's values.
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
        if have.suspended.scheduled_scaling {
            continue;
        }
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
        let mut said = Vec::new();
        for (bound, value, from, base) in [
            (
                "min_capacity",
                in_force.min,
                &in_force.min_from,
                want.min_capacity,
            ),
            (
                "max_capacity",
                in_force.max,
                &in_force.max_from,
                want.max_capacity,
            ),
        ] {
            if let Some(action) = from {
                said.push(format!(
                    "{rid}: {bound} {value} is expected because scheduled action `{action}` set it when it last ran (the config says {base})"
                ));
            }
        }
        want.min_capacity = in_force.min;
        want.max_capacity = in_force.max;
        if !said.is_empty() {
            notes.explanations.insert(rid.clone(), said);
        }
    }
    notes
}

/// What a reviewer should know about the capacity schedules put in force.
#[derive(Debug, Default)]
pub struct InForceNotes {
    /// By resource id: where each expected bound comes from, worth reading next to a change of
    /// that target.
    pub explanations: BTreeMap<String, Vec<String>>,
    /// Runs AWS fails and actions that could not be evaluated: worth reading always.
    pub problems: Vec<String>,
}

fn schedules_of<'a>(
    current: &'a Records,
    rid: &'a str,
) -> impl Iterator<Item = &'a crate::model::ScheduledAction> {
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
