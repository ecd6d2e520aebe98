//! Parsed TOML tree -> `RawConfig`, reporting every wrong type and unknown key, not just the
//! first. Serde would stop at the first error, so this walks the spanned tree by hand.

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::raw::*;
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::Keyword;
use crate::suggest::did_you_mean;

pub const CONFIG_KEYS: &[&str] = &["region", "ignore_warnings", "endpoint", "inference_component"];
/// `[[inference_component]]`: an endpoint's keys without `variant` and `inference`.
pub const COMPONENT_KEYS: &[&str] = &[
    "name",
    "region",
    "min_capacity",
    "max_capacity",
    "preset",
    "target",
    "scale_in_cooldown",
    "scale_out_cooldown",
    "suspended",
    "ignore_warnings",
    "policy",
    "schedule",
];
pub const ENDPOINT_KEYS: &[&str] = &[
    "name",
    "variant",
    "region",
    "min_capacity",
    "max_capacity",
    "inference",
    "preset",
    "target",
    "scale_in_cooldown",
    "scale_out_cooldown",
    "suspended",
    "ignore_warnings",
    "policy",
    "schedule",
];
pub const SUSPENDED_KEYS: &[&str] = &["dynamic_scaling_in", "dynamic_scaling_out", "scheduled_scaling"];
pub const POLICY_KEYS: &[&str] = &[
    "name",
    "type",
    "target",
    "metric",
    "scale_in_cooldown",
    "scale_out_cooldown",
    "disable_scale_in",
    "adjustment_type",
    "cooldown",
    "aggregation",
    "min_adjustment_magnitude",
    "steps",
    "alarm",
];
pub const METRIC_KEYS: &[&str] = &["predefined", "custom", "math"];
pub const METRIC_QUERY_KEYS: &[&str] = &[
    "id",
    "expression",
    "metric",
    "namespace",
    "stat",
    "unit",
    "dimensions",
    "label",
    "return_data",
];
pub const CUSTOM_METRIC_KEYS: &[&str] = &["name", "namespace", "statistic", "unit", "dimensions"];
pub const STEP_KEYS: &[&str] = &["lower", "upper", "adjustment"];
pub const ALARM_KEYS: &[&str] = &[
    "name",
    "metric",
    "namespace",
    "statistic",
    "period",
    "evaluation_periods",
    "datapoints_to_alarm",
    "threshold",
    "comparison",
    "treat_missing_data",
    "dimensions",
];
pub const SCHEDULE_KEYS: &[&str] = &[
    "name",
    "schedule",
    "timezone",
    "start_time",
    "end_time",
    "min_capacity",
    "max_capacity",
];

type Value<'i> = Spanned<DeValue<'i>>;

pub fn decode(root: &Spanned<DeTable<'_>>, d: &mut Diagnostics) -> RawConfig {
    let mut t = Table::new("the top level", CONFIG_KEYS, root.get_ref());
    let config = RawConfig {
        region: t.take("region").and_then(|v| string(v, "region", d)),
        endpoints: t
            .take("endpoint")
            .and_then(|v| array_of_tables(v, "endpoint", d, endpoint))
            .unwrap_or_default(),
        components: t
            .take("inference_component")
            .and_then(|v| array_of_tables(v, "inference_component", d, component))
            .unwrap_or_default(),
        ignore_warnings: t
            .take("ignore_warnings")
            .map(|v| strings(v, "ignore_warnings", d))
            .unwrap_or_default(),
    };
    t.finish(d);
    config
}

fn endpoint(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> RawEndpoint {
    scaled(table, origin, d, false)
}

fn component(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> RawEndpoint {
    scaled(table, origin, d, true)
}

/// An `[[endpoint]]` or (with `component`) an `[[inference_component]]`.
fn scaled(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics, component: bool) -> RawEndpoint {
    let mut t = if component {
        Table::new("[[inference_component]]", COMPONENT_KEYS, table)
    } else {
        Table::new("[[endpoint]]", ENDPOINT_KEYS, table)
    };
    let e = RawEndpoint {
        component,
        name: t.take("name").and_then(|v| string(v, "name", d)),
        // Not keys of an [[inference_component]]: left untaken, so they are unknown there.
        variant: (!component)
            .then(|| t.take("variant").and_then(|v| string(v, "variant", d)))
            .flatten(),
        region: t.take("region").and_then(|v| string(v, "region", d)),
        min_capacity: t.take("min_capacity").and_then(|v| integer(v, "min_capacity", d)),
        max_capacity: t.take("max_capacity").and_then(|v| integer(v, "max_capacity", d)),
        inference: (!component)
            .then(|| t.take("inference").and_then(|v| keyword(v, "inference", d)))
            .flatten(),
        preset: t.take("preset").and_then(|v| keyword(v, "preset", d)),
        target: t.take("target").and_then(|v| float(v, "target", d)),
        scale_in_cooldown: t
            .take("scale_in_cooldown")
            .and_then(|v| integer(v, "scale_in_cooldown", d)),
        scale_out_cooldown: t
            .take("scale_out_cooldown")
            .and_then(|v| integer(v, "scale_out_cooldown", d)),
        suspended: t
            .take("suspended")
            .and_then(|v| sub_table(v, "suspended", d, suspended)),
        policies: t
            .take("policy")
            .and_then(|v| array_of_tables(v, "policy", d, policy))
            .unwrap_or_default(),
        schedules: t
            .take("schedule")
            .and_then(|v| array_of_tables(v, "schedule", d, schedule))
            .unwrap_or_default(),
        ignore_warnings: t
            .take("ignore_warnings")
            .map(|v| strings(v, "ignore_warnings", d))
            .unwrap_or_default(),
        origin: origin.clone(),
    };
    t.require(&e.name, "name", &origin, d);
    t.finish(d);
    e
}

fn suspended(table: &DeTable<'_>, _origin: Origin, d: &mut Diagnostics) -> RawSuspended {
    let mut t = Table::new("`suspended`", SUSPENDED_KEYS, table);
    let s = RawSuspended {
        dynamic_scaling_in: t
            .take("dynamic_scaling_in")
            .and_then(|v| boolean(v, "dynamic_scaling_in", d)),
        dynamic_scaling_out: t
            .take("dynamic_scaling_out")
            .and_then(|v| boolean(v, "dynamic_scaling_out", d)),
        scheduled_scaling: t
            .take("scheduled_scaling")
            .and_then(|v| boolean(v, "scheduled_scaling", d)),
    };
    t.finish(d);
    s
}

fn policy(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> RawPolicy {
    let mut t = Table::new("[[endpoint.policy]]", POLICY_KEYS, table);
    let p = RawPolicy {
        name: t.take("name").and_then(|v| string(v, "name", d)),
        kind: t.take("type").and_then(|v| keyword(v, "type", d)),
        target: t.take("target").and_then(|v| float(v, "target", d)),
        metric: t.take("metric").and_then(|v| sub_table(v, "metric", d, metric)),
        scale_in_cooldown: t
            .take("scale_in_cooldown")
            .and_then(|v| integer(v, "scale_in_cooldown", d)),
        scale_out_cooldown: t
            .take("scale_out_cooldown")
            .and_then(|v| integer(v, "scale_out_cooldown", d)),
        disable_scale_in: t
            .take("disable_scale_in")
            .and_then(|v| boolean(v, "disable_scale_in", d)),
        adjustment_type: t
            .take("adjustment_type")
            .and_then(|v| keyword(v, "adjustment_type", d)),
        cooldown: t.take("cooldown").and_then(|v| integer(v, "cooldown", d)),
        aggregation: t.take("aggregation").and_then(|v| keyword(v, "aggregation", d)),
        min_adjustment_magnitude: t
            .take("min_adjustment_magnitude")
            .and_then(|v| integer(v, "min_adjustment_magnitude", d)),
        steps: t.take("steps").and_then(|v| {
            array_of_tables(v, "steps", d, step).map(|items| Located::new(items, Origin::file(v.span())))
        }),
        alarm: t.take("alarm").and_then(|v| sub_table(v, "alarm", d, alarm)),
        origin: origin.clone(),
    };
    t.require(&p.name, "name", &origin, d);
    t.finish(d);
    p
}

fn metric(table: &DeTable<'_>, _origin: Origin, d: &mut Diagnostics) -> RawMetric {
    let mut t = Table::new("`metric`", METRIC_KEYS, table);
    let m = RawMetric {
        predefined: t.take("predefined").and_then(|v| keyword(v, "predefined", d)),
        custom: t
            .take("custom")
            .and_then(|v| sub_table(v, "custom", d, custom_metric)),
        math: t.take("math").and_then(|v| {
            array_of_tables(v, "math", d, metric_query)
                .map(|items| Located::new(items, Origin::file(v.span())))
        }),
    };
    t.finish(d);
    m
}

fn metric_query(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> RawMetricQuery {
    let mut t = Table::new("a `math` query", METRIC_QUERY_KEYS, table);
    let q = RawMetricQuery {
        id: t.take("id").and_then(|v| string(v, "id", d)),
        expression: t.take("expression").and_then(|v| string(v, "expression", d)),
        metric: t.take("metric").and_then(|v| string(v, "metric", d)),
        namespace: t.take("namespace").and_then(|v| string(v, "namespace", d)),
        stat: t.take("stat").and_then(|v| string(v, "stat", d)),
        unit: t.take("unit").and_then(|v| keyword(v, "unit", d)),
        dimensions: t.take("dimensions").and_then(|v| dimensions(v, d)),
        label: t.take("label").and_then(|v| string(v, "label", d)),
        return_data: t.take("return_data").and_then(|v| boolean(v, "return_data", d)),
        origin: origin.clone(),
    };
    t.require(&q.id, "id", &origin, d);
    t.finish(d);
    q
}

fn custom_metric(table: &DeTable<'_>, _origin: Origin, d: &mut Diagnostics) -> RawCustomMetric {
    let mut t = Table::new("`custom` metric", CUSTOM_METRIC_KEYS, table);
    let m = RawCustomMetric {
        name: t.take("name").and_then(|v| string(v, "name", d)),
        namespace: t.take("namespace").and_then(|v| string(v, "namespace", d)),
        statistic: t.take("statistic").and_then(|v| keyword(v, "statistic", d)),
        unit: t.take("unit").and_then(|v| keyword(v, "unit", d)),
        dimensions: t.take("dimensions").and_then(|v| dimensions(v, d)),
    };
    t.finish(d);
    m
}

fn step(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> RawStep {
    let mut t = Table::new("a step", STEP_KEYS, table);
    let s = RawStep {
        lower: t.take("lower").and_then(|v| float(v, "lower", d)),
        upper: t.take("upper").and_then(|v| float(v, "upper", d)),
        adjustment: t.take("adjustment").and_then(|v| integer(v, "adjustment", d)),
        origin: origin.clone(),
    };
    t.require(&s.adjustment, "adjustment", &origin, d);
    t.finish(d);
    s
}

fn alarm(table: &DeTable<'_>, _origin: Origin, d: &mut Diagnostics) -> RawAlarm {
    let mut t = Table::new("`alarm`", ALARM_KEYS, table);
    let a = RawAlarm {
        name: t.take("name").and_then(|v| string(v, "name", d)),
        metric: t.take("metric").and_then(|v| string(v, "metric", d)),
        namespace: t.take("namespace").and_then(|v| string(v, "namespace", d)),
        statistic: t.take("statistic").and_then(|v| string(v, "statistic", d)),
        period: t.take("period").and_then(|v| integer(v, "period", d)),
        evaluation_periods: t
            .take("evaluation_periods")
            .and_then(|v| integer(v, "evaluation_periods", d)),
        datapoints_to_alarm: t
            .take("datapoints_to_alarm")
            .and_then(|v| integer(v, "datapoints_to_alarm", d)),
        threshold: t.take("threshold").and_then(|v| float(v, "threshold", d)),
        comparison: t.take("comparison").and_then(|v| keyword(v, "comparison", d)),
        treat_missing_data: t
            .take("treat_missing_data")
            .and_then(|v| keyword(v, "treat_missing_data", d)),
        dimensions: t.take("dimensions").and_then(|v| dimensions(v, d)),
    };
    t.finish(d);
    a
}

fn schedule(table: &DeTable<'_>, origin: Origin, d: &mut Diagnostics) -> RawSchedule {
    let mut t = Table::new("[[endpoint.schedule]]", SCHEDULE_KEYS, table);
    let s = RawSchedule {
        name: t.take("name").and_then(|v| string(v, "name", d)),
        schedule: t.take("schedule").and_then(|v| string(v, "schedule", d)),
        timezone: t.take("timezone").and_then(|v| string(v, "timezone", d)),
        start_time: t.take("start_time").and_then(|v| datetime(v, "start_time", d)),
        end_time: t.take("end_time").and_then(|v| datetime(v, "end_time", d)),
        min_capacity: t.take("min_capacity").and_then(|v| integer(v, "min_capacity", d)),
        max_capacity: t.take("max_capacity").and_then(|v| integer(v, "max_capacity", d)),
        origin: origin.clone(),
    };
    t.require(&s.name, "name", &origin, d);
    t.finish(d);
    s
}

/// The keys of one TOML table, handed out one by one; whatever is left is unknown.
struct Table<'a, 'i> {
    what: &'static str,
    keys: &'static [&'static str],
    entries: &'a DeTable<'i>,
}

impl<'a, 'i> Table<'a, 'i> {
    fn new(what: &'static str, keys: &'static [&'static str], entries: &'a DeTable<'i>) -> Self {
        Table { what, keys, entries }
    }

    fn take(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        debug_assert!(
            self.keys.contains(&key),
            "{key} missing from the key list of {}",
            self.what
        );
        self.entries.get(key)
    }

    fn require<T>(&self, field: &Field<T>, key: &str, origin: &Origin, d: &mut Diagnostics) {
        if field.is_none() && self.entries.get(key).is_none() {
            d.push(
                Diagnostic::new(
                    &codes::MISSING_KEY,
                    origin,
                    format!("{} has no `{key}`", self.what),
                )
                .help(format!("add `{key} = ...` to this table")),
            );
        }
    }

    fn finish(self, d: &mut Diagnostics) {
        for (key, _) in self.entries.iter() {
            let name: &str = key.get_ref();
            if self.keys.contains(&name) {
                continue;
            }
            let diag = Diagnostic::new(
                &codes::UNKNOWN_KEY,
                &Origin::file(key.span()),
                format!("unknown key `{name}` in {}", self.what),
            );
            let help = match did_you_mean(name, self.keys.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", self.keys.join(", ")),
            };
            d.push(diag.help(help));
        }
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn wrong_type(v: &Value<'_>, key: &str, expected: &str, d: &mut Diagnostics) {
    let mut diag = Diagnostic::new(
        &codes::WRONG_TYPE,
        &Origin::file(v.span()),
        format!("`{key}` must be {expected}, found {}", type_name(v.get_ref())),
    );
    // A quoted number is the most common slip; say how to write it.
    if let DeValue::String(s) = v.get_ref()
        && s.trim().parse::<f64>().is_ok()
        && (expected.contains("number"))
    {
        diag = diag.help(format!("remove the quotes: `{key} = {}`", s.trim()));
    }
    d.push(diag);
}

fn string(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<String> {
    match v.get_ref() {
        DeValue::String(s) => Some(Located::new(s.to_string(), Origin::file(v.span()))),
        _ => {
            wrong_type(v, key, "a string", d);
            None
        }
    }
}

fn boolean(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<bool> {
    match v.get_ref() {
        DeValue::Boolean(b) => Some(Located::new(*b, Origin::file(v.span()))),
        _ => {
            wrong_type(v, key, "true or false", d);
            None
        }
    }
}

fn integer(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<i64> {
    match v.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Some(Located::new(n, Origin::file(v.span()))),
            Err(_) => {
                d.push(Diagnostic::new(
                    &codes::OUT_OF_RANGE,
                    &Origin::file(v.span()),
                    format!("`{key}` is too large to be a number here"),
                ));
                None
            }
        },
        DeValue::Float(f)
            if f.as_str()
                .parse::<f64>()
                .is_ok_and(|x| x.fract() == 0.0 && x.abs() < 1e15) =>
        {
            let n = f.as_str().parse::<f64>().unwrap_or_default() as i64;
            d.push(
                Diagnostic::new(
                    &codes::WRONG_TYPE,
                    &Origin::file(v.span()),
                    format!("`{key}` must be a whole number, found a decimal number"),
                )
                .help(format!("write `{key} = {n}`")),
            );
            None
        }
        _ => {
            wrong_type(v, key, "a whole number", d);
            None
        }
    }
}

fn float(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<f64> {
    let parsed = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        _ => {
            wrong_type(v, key, "a number", d);
            return None;
        }
    };
    match parsed {
        Some(x) => Some(Located::new(x, Origin::file(v.span()))),
        None => {
            d.push(Diagnostic::new(
                &codes::OUT_OF_RANGE,
                &Origin::file(v.span()),
                format!("`{key}` is not a number this tool can represent"),
            ));
            None
        }
    }
}

fn keyword<K: Keyword>(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<K> {
    let DeValue::String(s) = v.get_ref() else {
        wrong_type(v, key, &format!("a string (a {})", K::WHAT), d);
        return None;
    };
    parse_keyword(s, Origin::file(v.span()), d)
}

/// A keyword from text, or an `unknown-value` error with the closest spelling.
pub(super) fn parse_keyword<K: Keyword>(s: &str, origin: Origin, d: &mut Diagnostics) -> Field<K> {
    if let Some(k) = K::parse(s) {
        return Some(Located::new(k, origin));
    }
    let help = match did_you_mean(s, K::SPELLINGS.iter().map(|(k, _)| *k)) {
        Some(m) => format!("did you mean \"{m}\"?"),
        None => format!("expected one of: {}", K::canonical_names().join(", ")),
    };
    d.push(
        Diagnostic::new(
            &codes::UNKNOWN_VALUE,
            &origin,
            format!("\"{s}\" is not a {}", K::WHAT),
        )
        .help(help),
    );
    None
}

/// A date-time, written as a TOML date-time or as a string; kept as text, checked in `validate`.
fn datetime(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Field<String> {
    match v.get_ref() {
        DeValue::Datetime(dt) => Some(Located::new(dt.to_string(), Origin::file(v.span()))),
        DeValue::String(s) => Some(Located::new(s.to_string(), Origin::file(v.span()))),
        _ => {
            wrong_type(v, key, "a date-time such as 2026-12-24T18:00:00Z", d);
            None
        }
    }
}

fn array<'a, 'i>(v: &'a Value<'i>, key: &str, d: &mut Diagnostics) -> Option<&'a DeArray<'i>> {
    match v.get_ref() {
        DeValue::Array(a) => Some(a),
        DeValue::Table(_) if matches!(key, "endpoint" | "inference_component" | "policy" | "schedule") => {
            let header = if matches!(key, "endpoint" | "inference_component") {
                format!("[[{key}]]")
            } else {
                format!("[[endpoint.{key}]]")
            };
            d.push(
                Diagnostic::new(
                    &codes::WRONG_TYPE,
                    &Origin::file(v.span()),
                    format!("`{key}` must be an array of tables, found a table"),
                )
                .help(format!(
                    "write {header} with double brackets: there can be several"
                )),
            );
            None
        }
        _ => {
            wrong_type(v, key, "an array", d);
            None
        }
    }
}

fn strings(v: &Value<'_>, key: &str, d: &mut Diagnostics) -> Vec<Located<String>> {
    let Some(items) = array(v, key, d) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| string(item, &format!("each entry of `{key}`"), d))
        .collect()
}

fn sub_table<T>(
    v: &Value<'_>,
    key: &str,
    d: &mut Diagnostics,
    decode: impl Fn(&DeTable<'_>, Origin, &mut Diagnostics) -> T,
) -> Field<T> {
    match v.get_ref() {
        DeValue::Table(t) => {
            let origin = Origin::file(v.span());
            Some(Located::new(decode(t, origin.clone(), d), origin))
        }
        _ => {
            wrong_type(v, key, "a table", d);
            None
        }
    }
}

fn array_of_tables<T>(
    v: &Value<'_>,
    key: &str,
    d: &mut Diagnostics,
    decode: impl Fn(&DeTable<'_>, Origin, &mut Diagnostics) -> T,
) -> Option<Vec<T>> {
    let items = array(v, key, d)?;
    let mut out = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::Table(t) => out.push(decode(t, Origin::file(item.span()), d)),
            _ => wrong_type(item, &format!("each entry of `{key}`"), "a table", d),
        }
    }
    Some(out)
}

fn dimensions(v: &Value<'_>, d: &mut Diagnostics) -> Field<Dimensions> {
    let DeValue::Table(t) = v.get_ref() else {
        wrong_type(v, "dimensions", "a table of name = \"value\"", d);
        return None;
    };
    let mut out = Vec::new();
    for (k, val) in t.iter() {
        let name = Located::new(k.get_ref().to_string(), Origin::file(k.span()));
        if let Some(value) = string(val, &format!("dimension `{}`", name.value), d) {
            out.push((name, value));
        }
    }
    Some(Located::new(out, Origin::file(v.span())))
}
