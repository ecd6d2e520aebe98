//! Every diagnostic code, in one registry: its name (the `error[name]` of the output and the
//! word `ignore_warnings` takes), its severity, a one-line summary and the section of
//! docs/config.md that documents it. A diagnostic is made from one of these statics, never
//! from a string, so the tests and the docs can read the full list from [`ALL`].

use super::Severity;

/// One diagnostic code.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// Stable, kebab-case name: `unknown-key`, `min-above-max`, ...
    pub name: &'static str,
    pub(crate) severity: Severity,
    /// What it is about, in one line.
    pub summary: &'static str,
    /// The heading of docs/config.md whose table lists it, as a link anchor.
    pub docs: &'static str,
}

/// docs/config.md: the table of every code.
const RULES: &str = "validation-rules";
/// docs/config.md: the table of warnings, with why they matter and how to switch them off.
const ADVICE: &str = "advice-warnings-and-how-to-switch-them-off";

macro_rules! codes {
    ($($(#[$doc:meta])* $id:ident = $name:literal, $severity:ident, $docs:ident, $summary:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) static $id: Code = Code {
                name: $name,
                severity: Severity::$severity,
                summary: $summary,
                docs: $docs,
            };
        )*
        /// Every code, errors first; the warnings in the order `ignore_warnings` lists them.
        pub static ALL: &[&Code] = &[$(&$id),*];
    };
}

codes! {
    // Reading the file.
    TOML_SYNTAX = "toml-syntax", Error, RULES, "the file is not valid TOML";
    NOT_UTF8 = "not-utf8", Error, RULES, "the file is not UTF-8 text";
    CONFIG_NOT_FOUND = "config-not-found", Error, RULES, "the config file cannot be read";
    CONFIG_OUTSIDE_WORKSPACE = "config-outside-workspace", Error, RULES, "the `config` input points outside the repository";
    INPUT_NEEDS_ENDPOINT = "input-needs-endpoint", Error, RULES, "endpoint inputs without `endpoint-name` and several endpoints";
    // Decoding keys and values.
    UNKNOWN_KEY = "unknown-key", Error, RULES, "a key this version does not know";
    WRONG_TYPE = "wrong-type", Error, RULES, "a value of the wrong type";
    OUT_OF_RANGE = "out-of-range", Error, RULES, "a value outside AWS's range";
    UNKNOWN_VALUE = "unknown-value", Error, RULES, "a value not in a closed set";
    MISSING_KEY = "missing-key", Error, RULES, "a required key is absent";
    INVALID_NAME = "invalid-name", Error, RULES, "a name breaks AWS's pattern or length";
    // Endpoints and capacity.
    NO_ENDPOINTS = "no-endpoints", Error, RULES, "no `[[endpoint]]` at all";
    DUPLICATE_ENDPOINT = "duplicate-endpoint", Error, RULES, "an endpoint variant or inference component configured twice";
    DUPLICATE_POLICY = "duplicate-policy", Error, RULES, "a policy name used twice on one target";
    DUPLICATE_SCHEDULE = "duplicate-schedule", Error, RULES, "a scheduled action name used twice on one target";
    DUPLICATE_ALARM = "duplicate-alarm", Error, RULES, "an alarm name used twice in one region";
    MIN_ABOVE_MAX = "min-above-max", Error, RULES, "min_capacity > max_capacity";
    MIN_ZERO_REAL_TIME = "min-zero-real-time", Error, RULES, "a real-time endpoint with min_capacity 0";
    NO_SCALE_FROM_ZERO = "no-scale-from-zero", Error, RULES, "min_capacity 0 with nothing that can bring the first instance back";
    NEEDS_PRESET = "needs-preset", Error, RULES, "endpoint-level `target` / cooldowns without a preset";
    PRESET_COLLISION = "preset-collision", Error, RULES, "an explicit policy changes the type of a preset policy";
    PRESET_NOT_FOR_KIND = "preset-not-for-kind", Error, RULES, "an endpoint preset on an inference component or the reverse";
    // Policies and metrics.
    FIELD_NOT_FOR_TYPE = "field-not-for-type", Error, RULES, "a target-tracking key on a step policy or the reverse";
    METRIC_CHOICE = "metric-choice", Error, RULES, "`metric` needs exactly one of `predefined` / `custom` / `math`";
    METRIC_MATH = "metric-math", Error, RULES, "a metric math query that CloudWatch would reject";
    DUPLICATE_METRIC = "duplicate-metric", Error, RULES, "two target-tracking policies on one metric";
    METRIC_NOT_PUBLISHED = "metric-not-published", Error, RULES, "invocation metrics on an async endpoint";
    WRONG_TARGET_METRIC = "wrong-target-metric", Error, RULES, "a metric for another kind of scalable target";
    TOO_MANY_POLICIES = "too-many-policies", Error, RULES, "more than 50 policies on one target";
    // Steps and alarms.
    NO_STEPS = "no-steps", Error, RULES, "a step policy without steps";
    STEP_BOUNDS = "step-bounds", Error, RULES, "a step with no bounds, or an upper bound not above its lower bound";
    STEP_GAP = "step-gap", Error, RULES, "a gap between two steps";
    STEP_OVERLAP = "step-overlap", Error, RULES, "two steps that overlap";
    STEP_OPEN_LOWER = "step-open-lower", Error, RULES, "the lowest step bound missing, or more than one step open below";
    STEP_OPEN_UPPER = "step-open-upper", Error, RULES, "the highest step bound missing, or more than one step open above";
    MIN_ADJUSTMENT_MAGNITUDE = "min-adjustment-magnitude", Error, RULES, "min_adjustment_magnitude without PercentChangeInCapacity";
    ALARM_PERIOD = "alarm-period", Error, RULES, "an alarm period CloudWatch does not accept";
    ALARM_WINDOW = "alarm-window", Error, RULES, "an alarm evaluation window CloudWatch does not accept";
    // Scheduled actions.
    TOO_MANY_SCHEDULES = "too-many-schedules", Error, RULES, "more than 200 scheduled actions on one target";
    SCHEDULE_EXPRESSION = "schedule-expression", Error, RULES, "an at/rate/cron expression AWS would reject";
    SCHEDULE_CAPACITY = "schedule-capacity", Error, RULES, "a scheduled action that sets no capacity";
    SCHEDULE_WINDOW = "schedule-window", Error, RULES, "a scheduled action that ends before it starts";
    INVALID_TIME = "invalid-time", Error, RULES, "a start or end time that is not an RFC 3339 date-time";
    INVALID_TIMEZONE = "invalid-timezone", Error, RULES, "a time zone not in the bundled database";
    UNKNOWN_WARNING_CODE = "unknown-warning-code", Error, RULES, "`ignore_warnings` names a code that is not a warning";
    // Advice: warnings `ignore_warnings` can switch off.
    MAX_ZERO = "max-zero", Warning, ADVICE, "max_capacity is 0";
    MIN_ZERO_UNKNOWN_KIND = "min-zero-unknown-kind", Warning, ADVICE, "min_capacity 0 on an endpoint whose kind is not declared";
    SUMMED_ACROSS_CORES = "summed-across-cores", Warning, ADVICE, "a CPU/GPU target on a metric summed across cores";
    SLOW_SCALE_FROM_ZERO = "slow-scale-from-zero", Warning, ADVICE, "min 0 where only target tracking can scale out from zero";
    COOLDOWN_SHORTER_THAN_ALARM = "cooldown-shorter-than-alarm", Warning, ADVICE, "a step policy's cooldown ends before its alarm can reset";
    BREACHING_WHEN_ABSENT = "breaching-when-absent", Warning, ADVICE, "missing data as breaching on a metric absent at zero instances";
    NO_SCALE_IN = "no-scale-in", Warning, ADVICE, "no policy can ever scale in";
    ONE_SIDED_SCHEDULE = "one-sided-schedule", Warning, ADVICE, "a scheduled action that sets one bound can meet the other and fail";
    TOO_MANY_STEPS = "too-many-steps", Warning, ADVICE, "more than 20 steps in one policy, AWS's default (adjustable) quota";
    TARGET_NOT_POSITIVE = "target-not-positive", Warning, ADVICE, "a target-tracking target of zero or less";
}

/// The codes `ignore_warnings` accepts.
pub fn warnings() -> impl Iterator<Item = &'static Code> {
    ALL.iter().copied().filter(|c| c.severity == Severity::Warning)
}

/// The code of this name, if there is one.
pub fn find(name: &str) -> Option<&'static Code> {
    ALL.iter().copied().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = BTreeSet::new();
        for c in ALL {
            assert!(seen.insert(c.name), "{} listed twice", c.name);
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                c.name
            );
            assert_eq!(c.docs == ADVICE, c.severity == Severity::Warning, "{}", c.name);
        }
    }
}
