//! Records of one scalable target -> the `[[endpoint]]` text that describes them, in the
//! explicit form (`preset.rs` in this folder tries the short form first).

use std::fmt::Write as _;

use crate::keywords::{AdjustmentType, Aggregation, Keyword, TreatMissingData};
use crate::model::{
    ASYNC_METRICS, AlarmStatistic, Dimension, MetricQuery, MetricSpec, ScalableDimension, Scaled,
    ScheduledAction, TargetTracking,
};
use crate::resource::{AlarmRecord, PolicyRecord, StepRecord, TargetRecord};

/// What AWS holds for one endpoint variant, grouped for writing.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub scaled: Scaled,
    pub dimension: ScalableDimension,
    pub target: TargetRecord,
    /// Sorted by name.
    pub policies: Vec<(String, PolicyRecord)>,
    /// Alarms by name, with what they trigger.
    pub alarms: Vec<(String, AlarmRecord)>,
    pub schedules: Vec<ScheduledAction>,
}

impl Endpoint {
    /// Async when a variant with instances scales to zero or watches a metric only async
    /// endpoints have; unknown (left out) otherwise, since the scaling objects cannot tell.
    pub fn looks_async(&self) -> bool {
        if self.dimension != ScalableDimension::VariantDesiredInstanceCount {
            return false;
        }
        let tracks_async = self.policies.iter().any(|(_, p)| match p {
            PolicyRecord::TargetTracking(tt) => match &tt.metric {
                MetricSpec::Custom(c) => ASYNC_METRICS.contains(&c.metric_name.as_str()),
                MetricSpec::Math(queries) => queries
                    .iter()
                    .filter_map(|q| q.metric.as_ref())
                    .any(|m| ASYNC_METRICS.contains(&m.metric_name.as_str())),
                MetricSpec::Predefined(_) => false,
            },
            PolicyRecord::Step(_) => false,
        });
        let alarms_async = self
            .alarms
            .iter()
            .any(|(_, a)| ASYNC_METRICS.contains(&a.alarm.metric_name.as_str()));
        self.target.min_capacity == 0 || tracks_async || alarms_async
    }

    /// The alarm that fires `policy`, and what writing it as that policy's alarm leaves out.
    /// Err when no alarm fires it.
    pub fn alarm_of(&self, policy: &str) -> Result<(&(String, AlarmRecord), Vec<String>), String> {
        let firing: Vec<&(String, AlarmRecord)> = self
            .alarms
            .iter()
            .filter(|(_, a)| a.triggers.iter().any(|t| t == policy))
            .collect();
        let Some(first) = firing.first() else {
            return Err("no CloudWatch alarm fires it, and a step policy needs one".into());
        };
        let mut lost = Vec::new();
        let others: Vec<&str> = first
            .1
            .triggers
            .iter()
            .filter(|t| *t != policy)
            .map(String::as_str)
            .collect();
        if !others.is_empty() {
            lost.push(format!(
                "alarm {} also fires {}; this tool gives each alarm one action, so a plan drops the rest",
                first.0,
                others.join(", ")
            ));
        }
        for (name, _) in &firing[1..] {
            lost.push(format!(
                "alarm {name} also fires step policy `{policy}`; only {} is written",
                first.0
            ));
        }
        Ok((first, lost))
    }
}

/// The `[[endpoint]]` / `[[inference_component]]` header lines shared by both forms.
pub fn header(e: &Endpoint, out: &mut String) {
    match &e.scaled {
        Scaled::Variant { endpoint, variant } => {
            let _ = writeln!(out, "[[endpoint]]");
            let _ = writeln!(out, "name = {}", string(endpoint));
            let _ = writeln!(out, "variant = {}", string(variant));
            if e.dimension == ScalableDimension::VariantDesiredProvisionedConcurrency {
                let _ = writeln!(out, "inference = \"serverless\"");
            } else if e.looks_async() {
                let _ = writeln!(out, "inference = \"async\"");
            }
        }
        Scaled::InferenceComponent { inference_component } => {
            let _ = writeln!(out, "[[inference_component]]");
            let _ = writeln!(out, "name = {}", string(inference_component));
        }
    }
    let _ = writeln!(out, "min_capacity = {}", e.target.min_capacity);
    let _ = writeln!(out, "max_capacity = {}", e.target.max_capacity);
    let s = e.target.suspended;
    if s.dynamic_scaling_in || s.dynamic_scaling_out || s.scheduled_scaling {
        let _ = writeln!(
            out,
            "suspended = {{ dynamic_scaling_in = {}, dynamic_scaling_out = {}, scheduled_scaling = {} }}",
            s.dynamic_scaling_in, s.dynamic_scaling_out, s.scheduled_scaling
        );
    }
}

/// The explicit form: every policy and alarm spelled out. Returns the notes for what could
/// not be written.
pub fn policies(e: &Endpoint, out: &mut String) -> Vec<String> {
    let mut notes = Vec::new();
    for (name, policy) in &e.policies {
        match policy {
            PolicyRecord::TargetTracking(tt) => target_tracking(table(e), name, tt, out),
            PolicyRecord::Step(step) => match e.alarm_of(name) {
                Ok(((alarm_name, alarm), lost)) => {
                    step_policy(table(e), name, step, alarm_name, alarm, out);
                    notes.extend(lost);
                }
                Err(why) => notes.push(format!("step policy `{name}` is left out: {why}")),
            },
        }
    }
    notes
}

fn target_tracking(table: &str, name: &str, tt: &TargetTracking, out: &mut String) {
    let _ = writeln!(out, "\n[[{table}.policy]]");
    let _ = writeln!(out, "name = {}", string(name));
    let _ = writeln!(out, "type = \"target-tracking\"");
    let _ = writeln!(out, "target = {}", float(tt.target_value));
    let metric = match &tt.metric {
        MetricSpec::Predefined(p) => format!("{{ predefined = {} }}", string(p.as_str())),
        MetricSpec::Custom(c) => {
            let unit = c
                .unit
                .map(|u| format!(", unit = {}", string(u.as_str())))
                .unwrap_or_default();
            format!(
                "{{ custom = {{ name = {}, namespace = {}, statistic = {}{unit}, dimensions = {} }} }}",
                string(&c.metric_name),
                string(&c.namespace),
                string(c.statistic.as_str()),
                dimensions(&c.dimensions)
            )
        }
        // Tables of their own, after every key of the policy.
        MetricSpec::Math(_) => String::new(),
    };
    if !metric.is_empty() {
        let _ = writeln!(out, "metric = {metric}");
    }
    // An absent cooldown is written as absent: no default is invented where AWS has none.
    if let Some(c) = tt.scale_in_cooldown {
        let _ = writeln!(out, "scale_in_cooldown = {c}");
    }
    if let Some(c) = tt.scale_out_cooldown {
        let _ = writeln!(out, "scale_out_cooldown = {c}");
    }
    if tt.disable_scale_in {
        let _ = writeln!(out, "disable_scale_in = true");
    }
    if let MetricSpec::Math(queries) = &tt.metric {
        for q in queries {
            let _ = writeln!(out, "\n[[{table}.policy.metric.math]]\n{}", math_query(q));
        }
    }
}

/// One metric-math query's keys; `return_data` always written (the config's default, the
/// last query only, may not be what AWS holds).
fn math_query(q: &MetricQuery) -> String {
    let mut parts = vec![format!("id = {}", string(&q.id))];
    if let Some(e) = &q.expression {
        parts.push(format!("expression = {}", string(e)));
    }
    if let Some(m) = &q.metric {
        parts.push(format!("metric = {}", string(&m.metric_name)));
        parts.push(format!("namespace = {}", string(&m.namespace)));
        parts.push(format!("stat = {}", string(&m.stat)));
        if let Some(u) = m.unit {
            parts.push(format!("unit = {}", string(u.as_str())));
        }
        parts.push(format!("dimensions = {}", dimensions(&m.dimensions)));
    }
    if let Some(l) = &q.label {
        parts.push(format!("label = {}", string(l)));
    }
    parts.push(format!("return_data = {}", q.return_data));
    parts.join("\n")
}

fn step_policy(
    table: &str,
    name: &str,
    step: &StepRecord,
    alarm_name: &str,
    alarm: &AlarmRecord,
    out: &mut String,
) {
    let _ = writeln!(out, "\n[[{table}.policy]]");
    let _ = writeln!(out, "name = {}", string(name));
    let _ = writeln!(out, "type = \"step\"");
    if step.adjustment_type != AdjustmentType::ChangeInCapacity {
        let _ = writeln!(out, "adjustment_type = {}", string(step.adjustment_type.as_str()));
    }
    let _ = writeln!(out, "cooldown = {}", step.cooldown);
    if step.metric_aggregation_type != Aggregation::Average {
        let _ = writeln!(
            out,
            "aggregation = {}",
            string(step.metric_aggregation_type.as_str())
        );
    }
    if let Some(m) = step.min_adjustment_magnitude {
        let _ = writeln!(out, "min_adjustment_magnitude = {m}");
    }
    let steps: Vec<String> = step
        .steps
        .iter()
        .map(|s| {
            let mut parts = Vec::new();
            if let Some(l) = s.lower_bound {
                parts.push(format!("lower = {}", float(l)));
            }
            if let Some(u) = s.upper_bound {
                parts.push(format!("upper = {}", float(u)));
            }
            parts.push(format!("adjustment = {}", s.scaling_adjustment));
            format!("{{ {} }}", parts.join(", "))
        })
        .collect();
    let _ = writeln!(out, "steps = [{}]", steps.join(", "));
    let a = &alarm.alarm;
    let _ = writeln!(out, "\n[{table}.policy.alarm]");
    let _ = writeln!(out, "name = {}", string(alarm_name));
    let _ = writeln!(out, "metric = {}", string(&a.metric_name));
    let _ = writeln!(out, "namespace = {}", string(&a.namespace));
    let statistic = match &a.statistic {
        AlarmStatistic::Statistic(s) => s.as_str().to_string(),
        AlarmStatistic::Extended(p) => p.clone(),
    };
    let _ = writeln!(out, "statistic = {}", string(&statistic));
    let _ = writeln!(out, "dimensions = {}", dimensions(&a.dimensions));
    let _ = writeln!(out, "period = {}", a.period);
    let _ = writeln!(out, "evaluation_periods = {}", a.evaluation_periods);
    let _ = writeln!(out, "datapoints_to_alarm = {}", a.datapoints_to_alarm);
    let _ = writeln!(out, "threshold = {}", float(a.threshold));
    let _ = writeln!(out, "comparison = {}", string(a.comparison.symbol()));
    if a.treat_missing_data != TreatMissingData::Missing {
        let _ = writeln!(
            out,
            "treat_missing_data = {}",
            string(a.treat_missing_data.as_str())
        );
    }
}

pub fn schedules(e: &Endpoint, out: &mut String) {
    for s in &e.schedules {
        let _ = writeln!(out, "\n[[{}.schedule]]", table(e));
        let _ = writeln!(out, "name = {}", string(&s.name));
        let _ = writeln!(out, "schedule = {}", string(&s.schedule));
        if let Some(tz) = &s.timezone {
            let _ = writeln!(out, "timezone = {}", string(tz));
        }
        for (key, value) in [("start_time", &s.start_time), ("end_time", &s.end_time)] {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {}", string(v));
            }
        }
        for (key, value) in [("min_capacity", s.min_capacity), ("max_capacity", s.max_capacity)] {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {v}");
            }
        }
    }
}

/// The TOML table an endpoint's or inference component's objects go under.
fn table(e: &Endpoint) -> &'static str {
    match e.scaled {
        Scaled::Variant { .. } => "endpoint",
        Scaled::InferenceComponent { .. } => "inference_component",
    }
}

/// A TOML basic string.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML float that reads back as the same f64.
pub fn float(v: f64) -> String {
    if v == 0.0 || (1e-5..1e15).contains(&v.abs()) {
        let s = format!("{v}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        format!("{v:e}")
    }
}

fn key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { k.to_string() } else { string(k) }
}

fn dimensions(dims: &[Dimension]) -> String {
    if dims.is_empty() {
        return "{}".into();
    }
    let parts: Vec<String> = dims
        .iter()
        .map(|d| format!("{} = {}", key(&d.name), string(&d.value)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_back_exactly() {
        for v in [
            0.0,
            1.0,
            50.0,
            0.5,
            -3.25,
            1e-7,
            8.515920e-109,
            1.174271e108,
            123456789012.5,
        ] {
            let text = format!("x = {}", float(v));
            let table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(table["x"].as_float(), Some(v), "{text}");
        }
    }

    #[test]
    fn strings_and_keys_read_back_exactly() {
        for s in [
            "plain",
            "with \"quotes\"",
            "back\\slash",
            "tab\tnew\nline",
            "bell\u{7}",
            "é",
        ] {
            let text = format!("{} = {}", key(s), string(s));
            let table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(table[s].as_str(), Some(s), "{text}");
        }
    }
}
