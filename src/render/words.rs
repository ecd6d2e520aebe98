//! A change in the config's words: the keys of `autoscaling.toml` (`target`, not
//! `target_value`), values with their units, and nothing the config left at its default. Built
//! from the typed records of a change, never from its JSON paths. `before → after` for updates.

use crate::keywords::{AdjustmentType, Aggregation, Keyword, TreatMissingData};
use crate::model::{AlarmStatistic, MetricSpec, StepAdjustment};
use crate::plan::{Action, Change};
use crate::resource::{Kind, PolicyRecord, Record};

/// One setting of an object as the config names it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Setting {
    /// The config's key, e.g. `target` or `scale_in_cooldown`.
    pub(crate) key: &'static str,
    /// The value as the config would write it, with its unit.
    pub(crate) value: String,
    /// Left at its default: not worth a reviewer's attention on a new object.
    pub(crate) default: bool,
}

fn setting(key: &'static str, value: impl Into<String>) -> Setting {
    Setting {
        key,
        value: value.into(),
        default: false,
    }
}

fn default_if(mut s: Setting, default: bool) -> Setting {
    s.default = default;
    s
}

/// A number as the config writes it: `50`, `0.5`, `1e-9`.
pub(crate) fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

fn seconds(n: i32) -> String {
    format!("{n} s")
}

/// The settings of `record`, in the order the config lists them.
pub(crate) fn settings(record: &Record) -> Vec<Setting> {
    match record {
        Record::Target(t) => target(t),
        Record::Policy(PolicyRecord::TargetTracking(tt)) => tracking(tt),
        Record::Policy(PolicyRecord::Step(s)) => step(s),
        Record::Alarm(a) => alarm(a),
        Record::Schedule(s) => schedule(s),
    }
}

fn target(t: &crate::resource::TargetRecord) -> Vec<Setting> {
    let mut out = vec![setting(
        "capacity",
        format!("{}..{}", t.min_capacity, t.max_capacity),
    )];
    let s = t.suspended;
    for (key, on) in [
        ("suspended.dynamic_scaling_in", s.dynamic_scaling_in),
        ("suspended.dynamic_scaling_out", s.dynamic_scaling_out),
        ("suspended.scheduled_scaling", s.scheduled_scaling),
    ] {
        out.push(default_if(setting(key, on.to_string()), !on));
    }
    let tag = |key: &str| t.tags.get(key).cloned().unwrap_or_default();
    out.push(default_if(
        setting("stack tag", tag(crate::tags::STACK_TAG)),
        true,
    ));
    out.push(default_if(
        setting("managed-by tag", tag(crate::tags::MANAGED_BY.0)),
        true,
    ));
    out
}

fn tracking(tt: &crate::model::TargetTracking) -> Vec<Setting> {
    let cooldown = |c: Option<i32>| c.map_or("(not set)".to_string(), seconds);
    vec![
        setting("metric", metric(&tt.metric)),
        setting("target", number(tt.target_value)),
        setting("scale_in_cooldown", cooldown(tt.scale_in_cooldown)),
        setting("scale_out_cooldown", cooldown(tt.scale_out_cooldown)),
        default_if(
            setting("disable_scale_in", tt.disable_scale_in.to_string()),
            !tt.disable_scale_in,
        ),
    ]
}

fn step(s: &crate::resource::StepRecord) -> Vec<Setting> {
    vec![
        setting("steps", steps(&s.steps, s.adjustment_type)),
        default_if(
            setting("adjustment_type", s.adjustment_type.as_str()),
            s.adjustment_type == AdjustmentType::ChangeInCapacity,
        ),
        setting("cooldown", seconds(s.cooldown)),
        default_if(
            setting("aggregation", s.metric_aggregation_type.as_str()),
            s.metric_aggregation_type == Aggregation::Average,
        ),
        default_if(
            setting(
                "min_adjustment_magnitude",
                s.min_adjustment_magnitude
                    .map_or("(not set)".into(), |m| m.to_string()),
            ),
            s.min_adjustment_magnitude.is_none(),
        ),
    ]
}

fn alarm(a: &crate::resource::AlarmRecord) -> Vec<Setting> {
    let alarm = &a.alarm;
    let statistic = match &alarm.statistic {
        AlarmStatistic::Statistic(s) => s.as_str().to_string(),
        AlarmStatistic::Extended(p) => p.clone(),
    };
    let dims: Vec<String> = alarm
        .dimensions
        .iter()
        .map(|d| format!("{}={}", d.name, d.value))
        .collect();
    vec![
        setting("metric", format!("{} {statistic}", alarm.metric_name)),
        setting(
            "threshold",
            format!("{} {}", alarm.comparison.symbol(), number(alarm.threshold)),
        ),
        setting(
            "breaching",
            format!(
                "{} of {} periods of {}",
                alarm.datapoints_to_alarm,
                alarm.evaluation_periods,
                seconds(alarm.period)
            ),
        ),
        default_if(setting("namespace", alarm.namespace.clone()), true),
        default_if(setting("dimensions", dims.join(", ")), true),
        default_if(
            setting("treat_missing_data", alarm.treat_missing_data.as_str()),
            alarm.treat_missing_data == TreatMissingData::Missing,
        ),
        setting("fires", a.triggers.join(", ")),
        default_if(
            setting("actions enabled", a.actions_enabled.to_string()),
            a.actions_enabled,
        ),
        default_if(
            setting("unit (kept)", a.kept.unit.clone().unwrap_or_default()),
            true,
        ),
    ]
}

fn schedule(s: &crate::model::ScheduledAction) -> Vec<Setting> {
    let bound = |b: Option<i32>| b.map_or("(unchanged)".to_string(), |n| n.to_string());
    let optional =
        |key, v: &Option<String>| default_if(setting(key, v.clone().unwrap_or_default()), v.is_none());
    vec![
        setting("schedule", s.schedule.clone()),
        default_if(
            setting("timezone", s.timezone.clone().unwrap_or_else(|| "UTC".into())),
            s.timezone.is_none(),
        ),
        optional("start_time", &s.start_time),
        optional("end_time", &s.end_time),
        setting(
            "sets capacity",
            format!("min {}, max {}", bound(s.min_capacity), bound(s.max_capacity)),
        ),
    ]
}

/// A tracked metric, briefly: its name and statistic, or the series a math query returns.
fn metric(m: &MetricSpec) -> String {
    match m {
        MetricSpec::Predefined(p) => p.as_str().to_string(),
        MetricSpec::Custom(c) => {
            let dims: Vec<String> = c
                .dimensions
                .iter()
                .map(|d| format!("{}={}", d.name, d.value))
                .collect();
            format!(
                "{} {} ({}; {})",
                c.metric_name,
                c.statistic.as_str(),
                c.namespace,
                dims.join(", ")
            )
        }
        MetricSpec::Math(queries) => {
            let returned = queries.iter().find(|q| q.return_data);
            let what = returned.map_or(String::new(), |q| {
                q.expression
                    .clone()
                    .or_else(|| q.metric.as_ref().map(|m| format!("{} {}", m.metric_name, m.stat)))
                    .unwrap_or_default()
            });
            format!("math over {} queries: {what}", queries.len())
        }
    }
}

/// Steps as the metric's distance from the threshold and what each does: `0..: +1`.
fn steps(steps: &[StepAdjustment], kind: AdjustmentType) -> String {
    let bound = |b: Option<f64>| b.map_or(String::new(), number);
    let adjust = |n: i32| match kind {
        AdjustmentType::ChangeInCapacity => format!("{n:+}"),
        AdjustmentType::PercentChangeInCapacity => format!("{n:+}%"),
        AdjustmentType::ExactCapacity => format!("={n}"),
    };
    steps
        .iter()
        .map(|s| {
            format!(
                "{}..{}: {}",
                bound(s.lower_bound),
                bound(s.upper_bound),
                adjust(s.scaling_adjustment)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a change does, in the config's words: the key settings of what it creates (or what a
/// delete removes), the settings it changes (`key: before → after`).
pub(crate) fn describe(c: &Change) -> Vec<String> {
    let record = |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| Record::from_value(c.kind, v).ok());
    let (before, after) = (record(&c.before), record(&c.after));
    // What a reviewer needs of a whole object: its settings that are not defaults.
    let key_settings = |r: &Record| {
        settings(r)
            .into_iter()
            .filter(|s| !s.default)
            .map(|s| format!("{} {}", s.key, s.value))
    };
    match (c.action, before, after) {
        (Action::Delete, Some(before), _) => key_settings(&before).collect(),
        (Action::Create, _, Some(after)) => key_settings(&after).collect(),
        (Action::Replace, _, Some(after)) => c
            .replace_reason()
            .into_iter()
            .chain(key_settings(&after))
            .collect(),
        (_, Some(before), Some(after)) => {
            let old = settings(&before);
            settings(&after)
                .into_iter()
                .zip(old)
                .filter(|(new, old)| new.value != old.value)
                .map(|(new, old)| format!("{}: {} → {}", new.key, shown(&old.value), shown(&new.value)))
                .collect()
        }
        _ => Vec::new(),
    }
}

fn shown(v: &str) -> &str {
    if v.is_empty() { "(none)" } else { v }
}

/// The kind of object in the config's words.
pub(crate) fn kind(c: &Change) -> &'static str {
    let policy_type = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| v["policy_type"].as_str().map(str::to_string))
    };
    match c.kind {
        Kind::ScalableTarget => "scalable target",
        Kind::ScalingPolicy => match policy_type(&c.after)
            .or_else(|| policy_type(&c.before))
            .as_deref()
        {
            Some("StepScaling") => "step policy",
            _ => "target-tracking policy",
        },
        Kind::Alarm => "alarm",
        Kind::ScheduledAction => "schedule",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(number(50.0), "50");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-3.0), "-3");
    }

    #[test]
    fn steps_read_as_intervals_with_their_effect() {
        let s = [
            StepAdjustment {
                lower_bound: None,
                upper_bound: Some(0.0),
                scaling_adjustment: -1,
            },
            StepAdjustment {
                lower_bound: Some(0.0),
                upper_bound: None,
                scaling_adjustment: 2,
            },
        ];
        assert_eq!(steps(&s, AdjustmentType::ChangeInCapacity), "..0: -1, 0..: +2");
        assert_eq!(steps(&s[1..], AdjustmentType::ExactCapacity), "0..: =2");
    }
}
