//! Plan -> text for a terminal, markdown for the PR comment and job summary, JSON for
//! machines. Pure functions of the plan.

mod markdown;
mod text;
mod validation;
pub(crate) mod words;

pub(crate) use markdown::change_line;
pub(crate) use markdown::text as escape_markdown;
pub use markdown::{Layout, MAX_SUMMARY, endpoint as endpoint_name, markdown, markdown_with};
pub use text::{apply_report, text};
pub use validation::{diagnostics_markdown, validation_json, validation_summary, warnings_markdown};

use crate::plan::{Plan, Summary};

pub(crate) fn summary_line(s: &Summary) -> String {
    format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        s.add, s.change, s.destroy
    )
}

/// The plan as pretty-printed JSON (the format `plan --out` saves).
pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).unwrap_or_default()
}

/// A JSON value as it reads in a plan: strings unquoted when simple, numbers as numbers.
pub(crate) fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        serde_json::Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

/// Changes grouped by scalable target (sorted), each group in apply order. The plan itself is
/// in apply order, which interleaves targets.
pub(crate) fn by_target(plan: &Plan) -> Vec<(String, Vec<&crate::plan::Change>)> {
    let mut groups: std::collections::BTreeMap<(Option<&str>, &str), Vec<&crate::plan::Change>> =
        Default::default();
    for c in &plan.changes {
        groups
            .entry((c.region.as_deref(), c.resource_id.as_str()))
            .or_default()
            .push(c);
    }
    groups
        .into_iter()
        .map(|((region, rid), changes)| (target_label(region, rid), changes))
        .collect()
}

/// Each scalable target the plan deregisters, with what goes with it in words: "its 2 scaling
/// policies, 1 alarm and 1 scheduled action".
pub(crate) fn destroyed(plan: &Plan) -> Vec<(String, String)> {
    use crate::plan::Action;
    use crate::resource::Kind;
    plan.deregistrations()
        .map(|t| {
            let count = |kind: Kind| {
                plan.changes
                    .iter()
                    .filter(|c| {
                        c.kind == kind
                            && c.action == Action::Delete
                            && c.region == t.region
                            && c.resource_id == t.resource_id
                    })
                    .count()
            };
            let parts: Vec<String> = [
                (count(Kind::ScalingPolicy), "scaling policy", "scaling policies"),
                (count(Kind::Alarm), "alarm", "alarms"),
                (
                    count(Kind::ScheduledAction),
                    "scheduled action",
                    "scheduled actions",
                ),
            ]
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
            .collect();
            let what = match parts.as_slice() {
                [] => "nothing else on it".to_string(),
                [one] => format!("its {one}"),
                [init @ .., last] => format!("its {} and {last}", init.join(", ")),
            };
            (target_label(t.region.as_deref(), &t.resource_id), what)
        })
        .collect()
}

/// A drifted bound as one sentence: what AWS holds, what was expected, and why it stays.
pub(crate) fn drift_sentence(d: &crate::plan::Drift) -> String {
    format!(
        "{}: {} is {}, which neither the config nor any scheduled action sets (expected {}, {}); left as it is: a schedule owns this bound and its next run sets it",
        target_label(d.region.as_deref(), &d.resource_id),
        d.field,
        d.actual,
        d.expected,
        d.expected_from
    )
}

/// What an empty plan says: nothing to do, and whether AWS still differs in ways apply leaves.
pub(crate) fn no_changes(plan: &Plan) -> &'static str {
    if plan.drift.is_empty() {
        "No changes. AWS matches the configuration."
    } else {
        "No changes to apply. The drift above is left as it is."
    }
}

/// A scalable target as shown: its resource id, and its region when it has its own.
pub(crate) fn target_label(region: Option<&str>, resource_id: &str) -> String {
    match region {
        Some(r) => format!("{resource_id} ({r})"),
        None => resource_id.to_string(),
    }
}

/// The fields of a change with their before and after values.
pub(crate) fn field_rows(c: &crate::plan::Change) -> Vec<(String, Option<String>, Option<String>)> {
    let mut before = std::collections::BTreeMap::new();
    let mut after = std::collections::BTreeMap::new();
    if let Some(v) = &c.before {
        crate::plan::flatten("", v, &mut before);
    }
    if let Some(v) = &c.after {
        crate::plan::flatten("", v, &mut after);
    }
    c.fields
        .iter()
        .map(|f| (f.clone(), before.get(f).map(show), after.get(f).map(show)))
        .collect()
}
