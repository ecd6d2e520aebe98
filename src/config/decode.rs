//! Parsed TOML tree -> `RawConfig`, reporting every wrong type and unknown key, not just the
//! first. Serde would stop at the first error, so this walks the spanned tree by hand.
//!
//! Each key is written once: a decoder asks its [`Table`] for a key with the type it wants,
//! and the keys it asked for are the keys the table knows. Whatever else the table holds is
//! an `unknown-key` error, with "did you mean" among the keys asked for; [`Section::keys`]
//! lists them by decoding an empty table.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::raw::*;
pub(super) use super::value::parse_keyword;
use super::value::{FromValue, Value, array, strings, wrong_type};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::suggest::did_you_mean;

/// One kind of table: what messages call it, and the decoder that asks for its keys.
struct TableKind<T> {
    what: &'static str,
    decode: fn(&mut Table<'_, '_>, &mut Diagnostics) -> T,
}

impl<T> TableKind<T> {
    const fn new(what: &'static str, decode: fn(&mut Table<'_, '_>, &mut Diagnostics) -> T) -> Self {
        TableKind { what, decode }
    }
}

const CONFIG: TableKind<RawConfig> = TableKind::new("the top level", config);
const ENDPOINT: TableKind<RawEndpoint> = TableKind::new("[[endpoint]]", endpoint);
const COMPONENT: TableKind<RawEndpoint> = TableKind::new("[[inference_component]]", component);
const SUSPENDED: TableKind<RawSuspended> = TableKind::new("`suspended`", suspended);
const GOAL: TableKind<RawGoal> = TableKind::new("`goal`", goal);
const POLICY: TableKind<RawPolicy> = TableKind::new("[[endpoint.policy]]", policy);
const METRIC: TableKind<RawMetric> = TableKind::new("`metric`", metric);
const METRIC_QUERY: TableKind<RawMetricQuery> = TableKind::new("a `math` query", metric_query);
const CUSTOM_METRIC: TableKind<RawCustomMetric> = TableKind::new("`custom` metric", custom_metric);
const STEP: TableKind<RawStep> = TableKind::new("a step", step);
const ALARM: TableKind<RawAlarm> = TableKind::new("`alarm`", alarm);
const SCHEDULE: TableKind<RawSchedule> = TableKind::new("[[endpoint.schedule]]", schedule);

/// The tables of the config, to list the keys each accepts (the schema test, fuzzing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The top level of the file.
    Config,
    /// An `[[endpoint]]` table.
    Endpoint,
    /// `[[inference_component]]`: an endpoint's keys without `variant` and `inference`.
    Component,
    /// A `suspended` table.
    Suspended,
    /// A `goal` table (what `tune` must meet).
    Goal,
    /// A `[[...policy]]` table.
    Policy,
    /// A target-tracking policy's `metric` table.
    Metric,
    /// One entry of a metric's `math` list (a metric or an expression).
    MetricQuery,
    /// A `custom` metric table.
    CustomMetric,
    /// One entry of a step policy's `steps`.
    Step,
    /// A step policy's `alarm` table.
    Alarm,
    /// A `[[...schedule]]` table.
    Schedule,
}

impl Section {
    /// The keys this table accepts, in the order its decoder asks for them: what decoding an
    /// empty table of this kind asks for.
    pub fn keys(self) -> Vec<&'static str> {
        match self {
            Section::Config => keys_of(&CONFIG),
            Section::Endpoint => keys_of(&ENDPOINT),
            Section::Component => keys_of(&COMPONENT),
            Section::Suspended => keys_of(&SUSPENDED),
            Section::Goal => keys_of(&GOAL),
            Section::Policy => keys_of(&POLICY),
            Section::Metric => keys_of(&METRIC),
            Section::MetricQuery => keys_of(&METRIC_QUERY),
            Section::CustomMetric => keys_of(&CUSTOM_METRIC),
            Section::Step => keys_of(&STEP),
            Section::Alarm => keys_of(&ALARM),
            Section::Schedule => keys_of(&SCHEDULE),
        }
    }
}

fn keys_of<T>(kind: &TableKind<T>) -> Vec<&'static str> {
    let empty = DeTable::new();
    let mut t = Table::new(kind.what, Origin::default(), &empty);
    (kind.decode)(&mut t, &mut Diagnostics::default());
    t.asked
}

pub fn decode(root: &Spanned<DeTable<'_>>, d: &mut Diagnostics) -> RawConfig {
    read(&CONFIG, root.get_ref(), Origin::default(), d)
}

/// Decodes one table of `kind`, then reports what it lacks and what it has that is unknown.
fn read<T>(kind: &TableKind<T>, entries: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> T {
    let mut t = Table::new(kind.what, origin, entries);
    let value = (kind.decode)(&mut t, d);
    t.finish(d);
    value
}

fn config(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawConfig {
    RawConfig {
        region: t.get("region", d),
        stack: t.get("stack", d),
        prune: t.get("prune", d),
        ignore_warnings: t.strings("ignore_warnings", d),
        endpoints: t.tables("endpoint", &ENDPOINT, d).unwrap_or_default(),
        components: t.tables("inference_component", &COMPONENT, d).unwrap_or_default(),
    }
}

fn endpoint(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawEndpoint {
    scaled(t, d, false)
}

fn component(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawEndpoint {
    scaled(t, d, true)
}

/// An `[[endpoint]]` or (with `component`) an `[[inference_component]]`.
fn scaled(t: &mut Table<'_, '_>, d: &mut Diagnostics, component: bool) -> RawEndpoint {
    RawEndpoint {
        component,
        name: t.required("name", d),
        // Not keys of an [[inference_component]]: not asked for, so they are unknown there.
        variant: if component { None } else { t.get("variant", d) },
        region: t.get("region", d),
        min_capacity: t.get("min_capacity", d),
        max_capacity: t.get("max_capacity", d),
        inference: if component { None } else { t.get("inference", d) },
        preset: t.get("preset", d),
        target: t.get("target", d),
        scale_in_cooldown: t.get("scale_in_cooldown", d),
        scale_out_cooldown: t.get("scale_out_cooldown", d),
        suspended: t.table("suspended", &SUSPENDED, d),
        ignore_warnings: t.strings("ignore_warnings", d),
        goal: t.table("goal", &GOAL, d),
        policies: t.tables("policy", &POLICY, d).unwrap_or_default(),
        schedules: t.tables("schedule", &SCHEDULE, d).unwrap_or_default(),
        origin: t.origin.clone(),
    }
}

fn suspended(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawSuspended {
    RawSuspended {
        dynamic_scaling_in: t.get("dynamic_scaling_in", d),
        dynamic_scaling_out: t.get("dynamic_scaling_out", d),
        scheduled_scaling: t.get("scheduled_scaling", d),
    }
}

fn goal(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawGoal {
    RawGoal {
        backlog_minutes_per_week: t.get("backlog_minutes_per_week", d),
        max_backlog: t.get("max_backlog", d),
        max_concurrency_per_instance: t.get("max_concurrency_per_instance", d),
        max_scaling_events_per_day: t.get("max_scaling_events_per_day", d),
    }
}

fn policy(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawPolicy {
    RawPolicy {
        name: t.required("name", d),
        kind: t.get("type", d),
        target: t.get("target", d),
        metric: t.table("metric", &METRIC, d),
        scale_in_cooldown: t.get("scale_in_cooldown", d),
        scale_out_cooldown: t.get("scale_out_cooldown", d),
        disable_scale_in: t.get("disable_scale_in", d),
        adjustment_type: t.get("adjustment_type", d),
        cooldown: t.get("cooldown", d),
        aggregation: t.get("aggregation", d),
        min_adjustment_magnitude: t.get("min_adjustment_magnitude", d),
        steps: t.located_tables("steps", &STEP, d),
        alarm: t.table("alarm", &ALARM, d),
        origin: t.origin.clone(),
    }
}

fn metric(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawMetric {
    RawMetric {
        predefined: t.get("predefined", d),
        custom: t.table("custom", &CUSTOM_METRIC, d),
        math: t.located_tables("math", &METRIC_QUERY, d),
    }
}

fn metric_query(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawMetricQuery {
    RawMetricQuery {
        id: t.required("id", d),
        expression: t.get("expression", d),
        metric: t.get("metric", d),
        namespace: t.get("namespace", d),
        stat: t.get("stat", d),
        unit: t.get("unit", d),
        dimensions: t.get("dimensions", d),
        label: t.get("label", d),
        return_data: t.get("return_data", d),
        origin: t.origin.clone(),
    }
}

fn custom_metric(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawCustomMetric {
    RawCustomMetric {
        name: t.get("name", d),
        namespace: t.get("namespace", d),
        statistic: t.get("statistic", d),
        unit: t.get("unit", d),
        dimensions: t.get("dimensions", d),
    }
}

fn step(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawStep {
    RawStep {
        lower: t.get("lower", d),
        upper: t.get("upper", d),
        adjustment: t.required("adjustment", d),
        origin: t.origin.clone(),
    }
}

fn alarm(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawAlarm {
    RawAlarm {
        name: t.get("name", d),
        metric: t.get("metric", d),
        namespace: t.get("namespace", d),
        statistic: t.get("statistic", d),
        period: t.get("period", d),
        evaluation_periods: t.get("evaluation_periods", d),
        datapoints_to_alarm: t.get("datapoints_to_alarm", d),
        threshold: t.get("threshold", d),
        comparison: t.get("comparison", d),
        treat_missing_data: t.get("treat_missing_data", d),
        dimensions: t.get("dimensions", d),
    }
}

fn schedule(t: &mut Table<'_, '_>, d: &mut Diagnostics) -> RawSchedule {
    RawSchedule {
        name: t.required("name", d),
        schedule: t.get("schedule", d),
        timezone: t.get("timezone", d),
        start_time: t.datetime("start_time", d),
        end_time: t.datetime("end_time", d),
        min_capacity: t.get("min_capacity", d),
        max_capacity: t.get("max_capacity", d),
        origin: t.origin.clone(),
    }
}

/// The keys of one TOML table, asked for one by one with the type wanted; the keys asked for
/// are the ones the table knows, whatever else it holds is unknown.
struct Table<'a, 'i> {
    what: &'static str,
    /// Where the table is, for the struct decoded from it and for `missing-key`.
    origin: Origin,
    entries: &'a DeTable<'i>,
    /// Every key asked for, in order: the known keys.
    asked: Vec<&'static str>,
    /// Required keys that are absent.
    missing: Vec<&'static str>,
}

impl<'a, 'i> Table<'a, 'i> {
    fn new(what: &'static str, origin: Origin, entries: &'a DeTable<'i>) -> Self {
        Table {
            what,
            origin,
            entries,
            asked: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// The value of `key`, if present; from now on `key` is a known key of this table.
    fn value(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        debug_assert!(
            !self.asked.contains(&key),
            "{key} asked for twice in {}",
            self.what
        );
        self.asked.push(key);
        self.entries.get(key)
    }

    /// `key` as a `T`, or a `wrong-type` (`out-of-range`, `unknown-value`) error.
    fn get<T: FromValue>(&mut self, key: &'static str, d: &mut Diagnostics) -> Field<T> {
        self.value(key).and_then(|v| T::from_value(v, key, d))
    }

    /// As [`Table::get`], and a `missing-key` error when the table has no `key`.
    fn required<T: FromValue>(&mut self, key: &'static str, d: &mut Diagnostics) -> Field<T> {
        let Some(v) = self.value(key) else {
            self.missing.push(key);
            return None;
        };
        T::from_value(v, key, d)
    }

    /// A date-time, written as a TOML date-time or as a string; kept as text, checked in
    /// `validate`.
    fn datetime(&mut self, key: &'static str, d: &mut Diagnostics) -> Field<String> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::Datetime(dt) => Some(Located::new(dt.to_string(), Origin::file(v.span()))),
            DeValue::String(s) => Some(Located::new(s.to_string(), Origin::file(v.span()))),
            _ => {
                wrong_type(v, key, "a date-time such as 2026-12-24T18:00:00Z", d);
                None
            }
        }
    }

    /// An array of strings; the entries that are strings when some are not.
    fn strings(&mut self, key: &'static str, d: &mut Diagnostics) -> Vec<Located<String>> {
        self.value(key).map(|v| strings(v, key, d)).unwrap_or_default()
    }

    /// A table of `kind`.
    fn table<T>(&mut self, key: &'static str, kind: &TableKind<T>, d: &mut Diagnostics) -> Field<T> {
        let v = self.value(key)?;
        match v.get_ref() {
            DeValue::Table(t) => {
                let origin = Origin::file(v.span());
                Some(Located::new(read(kind, t, origin.clone(), d), origin))
            }
            _ => {
                wrong_type(v, key, "a table", d);
                None
            }
        }
    }

    /// An array of tables of `kind` (`[[...]]` or `[{...}]`), skipping entries that are not
    /// tables.
    fn tables<T>(&mut self, key: &'static str, kind: &TableKind<T>, d: &mut Diagnostics) -> Option<Vec<T>> {
        self.value(key).and_then(|v| array_of_tables(v, key, kind, d))
    }

    /// As [`Table::tables`], located at the array.
    fn located_tables<T>(
        &mut self,
        key: &'static str,
        kind: &TableKind<T>,
        d: &mut Diagnostics,
    ) -> Field<Vec<T>> {
        let v = self.value(key)?;
        array_of_tables(v, key, kind, d).map(|items| Located::new(items, Origin::file(v.span())))
    }

    /// Reports the required keys that are absent, then every key not asked for.
    fn finish(self, d: &mut Diagnostics) {
        for key in &self.missing {
            d.push(
                Diagnostic::new(
                    &codes::MISSING_KEY,
                    &self.origin,
                    format!("{} has no `{key}`", self.what),
                )
                .help(format!("add `{key} = ...` to this table")),
            );
        }
        for (key, _) in self.entries.iter() {
            let name: &str = key.get_ref();
            if self.asked.contains(&name) {
                continue;
            }
            let diag = Diagnostic::new(
                &codes::UNKNOWN_KEY,
                &Origin::file(key.span()),
                format!("unknown key `{name}` in {}", self.what),
            );
            let help = match did_you_mean(name, self.asked.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", self.asked.join(", ")),
            };
            d.push(diag.help(help));
        }
    }
}

fn array_of_tables<T>(v: &Value<'_>, key: &str, kind: &TableKind<T>, d: &mut Diagnostics) -> Option<Vec<T>> {
    let items = array(v, key, d)?;
    let mut out = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::Table(t) => out.push(read(kind, t, Origin::file(item.span()), d)),
            _ => wrong_type(item, &format!("each entry of `{key}`"), "a table", d),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_knows_the_endpoint_keys_but_variant_and_inference() {
        let component = Section::Component.keys();
        let only_endpoint: Vec<&str> = Section::Endpoint
            .keys()
            .into_iter()
            .filter(|k| !component.contains(k))
            .collect();
        assert_eq!(only_endpoint, ["variant", "inference"]);
    }

    #[test]
    fn a_required_key_of_the_wrong_type_is_not_also_missing() {
        let (root, errors) = DeTable::parse_recoverable("[[endpoint]]\nname = 1\nnmae = \"x\"\n");
        assert!(errors.is_empty());
        let mut d = Diagnostics::default();
        decode(&root, &mut d);
        let codes: Vec<&str> = d.into_sorted().iter().map(|x| x.code).collect();
        assert_eq!(codes, ["wrong-type", "unknown-key"]);
    }
}
