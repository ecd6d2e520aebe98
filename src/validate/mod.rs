//! Raw config -> desired state, or every problem found. Nothing here touches the network.

mod advice;
mod alarm;
mod endpoint;
mod goal;
mod math;
mod metric;
mod names;
mod policy;
mod preset;
mod schedule;
mod statistic;
mod steps;

use std::collections::HashMap;

use crate::config::raw::{Field, Located, RawConfig, RawEndpoint};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::model::{DEFAULT_VARIANT, DesiredState};

/// AWS quotas that are not adjustable.
pub const MAX_POLICIES_PER_TARGET: usize = 50;
pub(crate) const MAX_SCHEDULES_PER_TARGET: usize = 200;
/// Adjustable ("Step adjustments per scaling policy", Application Auto Scaling service
/// quotas): the default every account starts with, so more is a warning, not an error.
pub const MAX_STEPS_PER_POLICY: usize = 20;

/// The desired state, if there was no error. Warnings are added to `d` either way.
pub fn validate(mut raw: RawConfig, d: &mut Diagnostics) -> Option<DesiredState> {
    let errors_before = d.count(crate::diagnostic::Severity::Error);
    check_file_keys(&raw, d);

    let everywhere = advice::ignore_list(&raw.ignore_warnings, d);
    let mut targets = Vec::new();
    let mut seen: HashMap<(String, String, Option<String>), Origin> = HashMap::new();
    let mut alarms = Vec::new();
    for e in raw.endpoints.iter_mut().chain(raw.components.iter_mut()) {
        if configured_twice(e, &mut seen, d) {
            continue;
        }
        let here = advice::ignore_list(&e.ignore_warnings, d);
        let from = d.len();
        let errors = d.count(crate::diagnostic::Severity::Error);
        preset::expand(e, d);
        let target = endpoint::validate(e, &mut alarms, d);
        // Advice on an endpoint with errors would be noise: it may be about the error.
        if let Some(t) = &target
            && d.count(crate::diagnostic::Severity::Error) == errors
        {
            advice::check(e, t, d);
        }
        advice::drop_ignored(d, from, &[everywhere.as_slice(), here.as_slice()].concat());
        targets.extend(target);
    }
    check_alarm_names_unique(&alarms, d);

    if d.count(crate::diagnostic::Severity::Error) > errors_before {
        return None;
    }
    let region = raw.region.map(|r| r.value);
    // An endpoint's `region` equal to the file's is no region of its own.
    for t in &mut targets {
        if t.region.is_some() && t.region == region {
            t.region = None;
        }
    }
    Some(DesiredState {
        region,
        targets,
        // Empty: not set; `check` fills in the default, which depends on where it runs.
        stack: raw.stack.map(|s| s.value).unwrap_or_default(),
        prune: raw.prune.is_none_or(|p| p.value),
    })
}

/// The file's own keys: its region and stack, and that it names at least one target.
fn check_file_keys(raw: &RawConfig, d: &mut Diagnostics) {
    if let Some(r) = &raw.region {
        region(r, d);
    }
    if let Some(s) = &raw.stack
        && let Some(why) = crate::tags::stack_problem(&s.value)
    {
        d.push(
            Diagnostic::new(
                &codes::INVALID_NAME,
                &s.origin,
                format!("stack {:?} {why}", s.value),
            )
            .help("the stack is a tag value: e.g. stack = \"acme/models:prod\""),
        );
    }
    if raw.endpoints.is_empty() && raw.components.is_empty() {
        d.push(
            Diagnostic::new(&codes::NO_ENDPOINTS, &Origin::Unlocated, "the config has no [[endpoint]] (nor [[inference_component]])")
                .help("add an [[endpoint]] table with `name`, `max_capacity` and a `preset` or policies (see examples/seed.toml)"),
        );
    }
}

/// Whether an endpoint (or inference component) of the same name, variant and region came
/// before `e` (an error); else `e` is remembered in `seen`.
fn configured_twice(
    e: &RawEndpoint,
    seen: &mut HashMap<(String, String, Option<String>), Origin>,
    d: &mut Diagnostics,
) -> bool {
    if let Some(name) = &e.name {
        // An inference component and an endpoint may share a name: different resources.
        let variant = match (&e.variant, e.component) {
            (_, true) => "inference-component/",
            (Some(v), false) => v.value.as_str(),
            (None, false) => DEFAULT_VARIANT,
        };
        let region = e.region.as_ref().map(|r| r.value.clone());
        let key = (name.value.clone(), variant.to_string(), region);
        if seen.contains_key(&key) {
            d.push(
                Diagnostic::new(
                    &codes::DUPLICATE_ENDPOINT,
                    &e.origin,
                    if e.component {
                        format!("inference component `{}` is configured twice", key.0)
                    } else {
                        format!("endpoint `{}` variant `{}` is configured twice", key.0, key.1)
                    },
                )
                .help(if e.component {
                    "merge the two [[inference_component]] tables into one"
                } else {
                    "merge the two [[endpoint]] tables into one"
                }),
            );
            return true;
        }
        seen.insert(key, e.origin.clone());
    }
    false
}

/// Alarm names are unique per region, so two step policies may not share one.
fn check_alarm_names_unique(alarms: &[AlarmUse], d: &mut Diagnostics) {
    let mut seen: HashMap<(&str, Option<&str>), &AlarmUse> = HashMap::new();
    for a in alarms {
        match seen.get(&(a.name.as_str(), a.region.as_deref())) {
            Some(first) => d.push(
                Diagnostic::new(
                    &codes::DUPLICATE_ALARM,
                    &a.origin,
                    format!(
                        "alarm name `{}` is already used by policy `{}` of {}",
                        a.name, first.policy, first.resource_id
                    ),
                )
                .help("alarm names are unique per region: set a distinct `alarm.name`"),
            ),
            None => {
                seen.insert((&a.name, a.region.as_deref()), a);
            }
        }
    }
}

/// Where a step policy's alarm name was set, for the uniqueness check across endpoints.
pub(crate) struct AlarmUse {
    pub name: String,
    pub origin: Origin,
    pub policy: String,
    pub resource_id: String,
    /// The endpoint's own region, if any: alarm names are unique per region.
    pub region: Option<String>,
}

/// A region name, or an `invalid-name` error where it was written.
fn region(field: &Located<String>, d: &mut Diagnostics) -> Option<String> {
    match names::region(&field.value) {
        Some(why) => {
            d.push(Diagnostic::new(
                &codes::INVALID_NAME,
                &field.origin,
                format!("region \"{}\" {why}", field.value),
            ));
            None
        }
        None => Some(field.value.clone()),
    }
}

/// The value of a field that must be set, or a `missing-key` error on its table.
fn required<'a, T>(
    field: &'a Field<T>,
    key: &str,
    owner: &Origin,
    what: &str,
    d: &mut Diagnostics,
) -> Option<&'a Located<T>> {
    if field.is_none() {
        d.push(
            Diagnostic::new(&codes::MISSING_KEY, owner, format!("{what} has no `{key}`"))
                .help(format!("add `{key} = ...`")),
        );
    }
    field.as_ref()
}

/// An integer within AWS's bounds, as the i32 the API takes.
fn int_in(field: &Located<i64>, key: &str, min: i64, max: i64, d: &mut Diagnostics) -> Option<i32> {
    if field.value < min || field.value > max {
        d.push(Diagnostic::new(
            &codes::OUT_OF_RANGE,
            &field.origin,
            format!("`{key}` must be between {min} and {max}, not {}", field.value),
        ));
        return None;
    }
    i32::try_from(field.value).ok()
}

/// Cooldowns in seconds: AWS takes any non-negative int.
fn cooldown(field: &Located<i64>, key: &str, d: &mut Diagnostics) -> Option<i32> {
    int_in(field, key, 0, i64::from(i32::MAX), d)
}
