//! No input makes the loader or the validator panic: arbitrary text, mutations of a real
//! config, and random configs built from the real keys with hostile values. The number of
//! cases is PROPTEST_CASES (scripts/fuzz.sh runs many more than CI).

use proptest::prelude::*;
use sagemaker_autoscale::check_text;

const SEED: &str = include_str!("../../examples/seed-explicit.toml");

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every key the config knows, and some it does not.
fn key() -> impl Strategy<Value = &'static str> {
    use sagemaker_autoscale::config::Section;
    let mut keys: Vec<&'static str> = [
        Section::Config,
        Section::Endpoint,
        Section::Policy,
        Section::Alarm,
        Section::Step,
        Section::Schedule,
        Section::CustomMetric,
    ]
    .into_iter()
    .flat_map(Section::keys)
    .collect();
    keys.extend(["bogus", "dimensions", "predefined", "custom"]);
    prop::sample::select(keys)
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "0",
            "-1",
            "1",
            "60",
            "2147483648",
            "9223372036854775807",
            "nan",
            "inf",
            "-inf",
            "0.5",
            "1e300",
            "-0.0",
            "true",
            "false",
            "\"\"",
            "\"async-cpu\"",
            "\">=\"",
            "\"target-tracking\"",
            "\"step\"",
            "\"Average\"",
            "\"p99\"",
            "\"cron(0 8 ? * * *)\"",
            "\"rate(0 days)\"",
            "2026-12-24T18:00:00Z",
            "2026-12-24T18:00:00",
            "1979-05-27",
            "\"AWS/SageMaker\"",
            "\"/aws/sagemaker/Endpoints\"",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9 _/:|-]{0,300}".prop_map(|s| format!("{s:?}")),
    ]
}

fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => prop::sample::select(vec![
            "[[endpoint]]", "[[endpoint.policy]]", "[endpoint.policy.alarm]", "[[endpoint.schedule]]",
            "[endpoint.suspended]", "[endpoint]", "[[endpoint.policy.steps]]", "[endpoint.policy.metric.custom]",
        ])
        .prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        let _ = check_text("fuzz.toml", &text);
    }

    #[test]
    fn mutated_seed(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = SEED.as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = check_text("fuzz.toml", &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn configs_built_from_real_keys(lines in prop::collection::vec(line(), 0..40)) {
        let text = format!("[[endpoint]]\n{}\n", lines.join("\n"));
        let checked = check_text("fuzz.toml", &text);
        // Rendering must not panic either, whatever the spans.
        let renderer = sagemaker_autoscale::diagnostic::Renderer { source: checked.source.as_ref(), color: false };
        for d in &checked.diagnostics {
            let _ = renderer.render(d);
            let _ = renderer.annotation(d);
        }
        prop_assert_eq!(checked.desired.is_some(), checked.errors() == 0);
    }

    /// The simulator on a template with the numbers that matter drawn at random.
    #[test]
    fn simulating_random_numbers(
        (min, extra) in (0i32..4, 0i32..8),
        target in 0.01f64..500.0,
        (cd_in, cd_step) in (0i32..900, 0i32..900),
        disable in any::<bool>(),
        kind in prop::sample::select(vec!["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"]),
        (a1, a2, upper) in (-200i32..200, -200i32..200, 0.5f64..1000.0),
        (period, evaluations, threshold) in (prop::sample::select(vec![60, 120, 300]), 1i32..5, -10.0f64..10.0),
        missing in prop::sample::select(vec!["missing", "breaching", "notBreaching", "ignore"]),
        (minute, hour, scheduled_min) in (0u32..60, 0u32..24, 0i32..4),
        values in prop::collection::vec(prop::option::of(-1e4f64..1e4), 1..400),
        startup in 0usize..15,
    ) {
        use sagemaker_autoscale::simulate::{replay, signals::Signals};
        let magnitude = if kind == "PercentChangeInCapacity" { "min_adjustment_magnitude = 1\n" } else { "" };
        let text = format!(r#"
[[endpoint]]
name = "ep"
inference = "async"
min_capacity = {min}
max_capacity = {max}
[[endpoint.policy]]
name = "tt"
type = "target-tracking"
target = {target}
metric = {{ custom = {{ name = "CPUUtilization", namespace = "/aws/sagemaker/Endpoints", statistic = "Average" }} }}
scale_in_cooldown = {cd_in}
disable_scale_in = {disable}
[[endpoint.policy]]
name = "step"
type = "step"
adjustment_type = "{kind}"
{magnitude}cooldown = {cd_step}
steps = [{{ lower = 0.0, upper = {upper:?}, adjustment = {a1} }}, {{ lower = {upper:?}, adjustment = {a2} }}]
alarm = {{ metric = "HasBacklogWithoutCapacity", namespace = "AWS/SageMaker", statistic = "Average", period = {period}, evaluation_periods = {evaluations}, threshold = {threshold:?}, comparison = ">=", treat_missing_data = "{missing}" }}
[[endpoint.schedule]]
name = "s"
schedule = "cron({minute} {hour} ? * * *)"
min_capacity = {scheduled_min}
"#, max = min + extra);
        let Some(desired) = check_text("fuzz.toml", &text).desired else { return Ok(()) };
        let t = &desired.targets[0];
        let mut s = Signals::new(1_795_996_800, values.len());
        s.record("AWS/SageMaker", "ApproximateBacklogSize", values.clone());
        s.record("/aws/sagemaker/Endpoints", "CPUUtilization", values.clone());
        let opts = replay::Model { startup_minutes: startup, initial: None, queue: None };
        let trace = replay::run(t, &s, Some(&vec![2; values.len()]), &opts);
        for (i, d) in trace.desired.iter().enumerate() {
            prop_assert!(*d >= 0 && *d <= (min + extra).max(scheduled_min), "minute {}: {}", i, d);
            // In service during a minute: at most what was asked for by the end of the last.
            // At the start: the bounds the schedule's runs before it put in force (AWS does
            // not revert them), so its minimum or the target's.
            let before = if i == 0 { min.max(scheduled_min) } else { trace.desired[i - 1] };
            prop_assert!(trace.serving[i] <= before && trace.serving[i] >= 0);
        }
    }

    /// The simulator on whatever valid config the real keys give, and hostile metric values.
    #[test]
    fn simulating_any_valid_config(
        lines in prop::collection::vec(line(), 0..40),
        values in prop::collection::vec(prop::option::of(prop_oneof![
            -1e6f64..1e6,
            Just(0.0),
            Just(1e300),
            Just(-1e300),
            Just(f64::MIN_POSITIVE),
        ]), 1..180),
        startup in 0usize..20,
    ) {
        use sagemaker_autoscale::simulate::{replay, signals::Signals};
        let text = format!("[[endpoint]]\n{}\n", lines.join("\n"));
        let Some(desired) = check_text("fuzz.toml", &text).desired else { return Ok(()) };
        for t in &desired.targets {
            let mut s = Signals::new(1_795_996_800, values.len());
            for metric in ["ApproximateBacklogSize", "HasBacklogWithoutCapacity", "ApproximateBacklogSizePerInstance"] {
                s.record("AWS/SageMaker", metric, values.clone());
            }
            s.record("/aws/sagemaker/Endpoints", "CPUUtilization", values.clone());
            for p in &t.policies {
                if let sagemaker_autoscale::model::PolicyConfig::Step(step) = &p.config {
                    s.record(&step.alarm.namespace, &step.alarm.metric_name, values.clone());
                }
            }
            let opts = replay::Model { startup_minutes: startup, initial: None, queue: None };
            let trace = replay::run(t, &s, Some(&vec![1; values.len()]), &opts);
            prop_assert_eq!(trace.desired.len(), values.len());
            for d in &trace.desired {
                prop_assert!(*d >= 0);
            }
        }
    }
}

const MARKER: &str = "<!-- sagemaker-autoscale {\"v\":1,\"config\":\"autoscaling.toml\",\"fingerprint\":\"sha256:00\",\"status\":\"planned\",\"changes\":[\"create alarm x y\"]} -->\nbody";

proptest! {
    #![proptest_config(config())]

    /// A comment body is untrusted: anyone can write or edit one.
    #[test]
    fn comment_marker_parser(text in any::<String>()) {
        let _ = sagemaker_autoscale::github::comment::parse_marker(&text);
    }

    #[test]
    fn mutated_comment_marker(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = MARKER.as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Some(m) = sagemaker_autoscale::github::comment::parse_marker(&text) {
            // Whatever parses is a marker of our own format and version.
            prop_assert_eq!(m.v, 1);
        }
    }
}
