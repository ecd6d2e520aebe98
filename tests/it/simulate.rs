//! simulate end to end: metric data put into the stand-in (PutMetricData), read back with
//! GetMetricData, replayed through the applied seed (baseline "current") and a proposal.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types as cw;
use serde_json::Value;

use crate::common::{Case, SEED, block_on};
use crate::standin::Aws;

/// 2026-11-29T12:00:00Z: the end of the simulated day.
const UNTIL: i64 = 1_795_953_600;
pub(crate) const UNTIL_TEXT: &str = "2026-11-29T12:00:00Z";

/// Minutes 120..61 before UNTIL: 100 requests queued and CPU at 150 (per instance, summed
/// over cores), as recorded under the live config of `endpoint`'s `variant`.
pub(crate) fn put_burst(aws: &Aws, endpoint: &str, variant: &str) {
    block_on(async {
        let (_, cw_client) = aws.clients().await;
        let dim = |n: &str, v: &str| cw::Dimension::builder().name(n).value(v).build();
        for m in 61..=120 {
            let at = DateTime::from_secs(UNTIL - 60 * m);
            let datum = |name: &str, dims: Vec<cw::Dimension>, value: f64| {
                cw::MetricDatum::builder()
                    .metric_name(name)
                    .set_dimensions(Some(dims))
                    .timestamp(at)
                    .value(value)
                    .build()
            };
            cw_client
                .put_metric_data()
                .namespace("AWS/SageMaker")
                .metric_data(datum(
                    "ApproximateBacklogSize",
                    vec![dim("EndpointName", endpoint)],
                    100.0,
                ))
                .send()
                .await
                .expect("backlog");
            cw_client
                .put_metric_data()
                .namespace("/aws/sagemaker/Endpoints")
                .metric_data(datum(
                    "CPUUtilization",
                    vec![dim("EndpointName", endpoint), dim("VariantName", variant)],
                    150.0,
                ))
                .send()
                .await
                .expect("cpu");
        }
    });
}

fn simulate(case: &Case, extra: &[&str]) -> crate::Run {
    std::fs::write(
        case.dir().join("proposed.toml"),
        format!(
            "region = \"{}\"\n{}",
            case.aws.region,
            SEED.replace("max_capacity = 4", "max_capacity = 4\ntarget = 100")
        ),
    )
    .expect("proposed");
    let mut args = vec![
        "simulate",
        "--config",
        "proposed.toml",
        "--days",
        "1",
        "--until",
        UNTIL_TEXT,
        "--startup",
        "0",
        "--price",
        "2",
    ];
    args.extend_from_slice(extra);
    let r = case.run(&args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r
}

/// The burst starts at minute b = 1440 - 120 of the day.
/// Current (target 50, replayed as recorded): HasBacklogWithoutCapacity at b, b+1 -> +1 at
/// b+1; CPU 150 at b+2..b+4 -> 3 at b+4; cooldown to b+9 -> ceil(3 x 150 / 50) = 9, max 4.
/// CPU is absent after the burst, so nothing scales in: 3x1 + 5x3 + 111x4 = 462 minutes.
/// Proposed (target 100; CPU load 150 x current capacity / own capacity): +1 at b+1;
/// 150 at b+2..b+4 -> ceil(150 / 100) = 2 at b+4; 150 x 3 / 2 = 225 -> at b+9 (cooldown)
/// ceil(2 x 225 / 100) = 5, max 4: 3x1 + 5x2 + 111x4 = 457 minutes.
#[test]
fn simulate_replays_recorded_metrics_through_both_configs() {
    let case = Case::new(SEED);
    case.apply();
    put_burst(&case.aws, "infer-endpoint-c356f91", "prod");
    let writes_before = case.aws.writes().len();
    let r = simulate(&case, &["--json"]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    assert_eq!(report["minutes"], 1440);
    let t = &report["targets"][0];
    assert_eq!(t["target"], "endpoint/infer-endpoint-c356f91/variant/prod");
    assert_eq!(t["missing_metrics"], serde_json::json!([]), "{t:#}");
    assert!(
        !t["notes"].to_string().contains("queue is simulated"),
        "no processed requests: {t:#}"
    );
    let hours = |o: &Value| o["instance_hours"].as_f64().expect("hours");
    assert!((hours(&t["baseline"]) - 462.0 / 60.0).abs() < 1e-9, "{t:#}");
    assert!((hours(&t["proposed"]) - 457.0 / 60.0).abs() < 1e-9, "{t:#}");
    assert!((t["proposed"]["cost"].as_f64().expect("cost") - 2.0 * 457.0 / 60.0).abs() < 1e-9);
    for side in ["baseline", "proposed"] {
        assert_eq!(t[side]["backlog_without_capacity_minutes"], 2, "{side}: {t:#}");
        assert_eq!(t[side]["scaling_events"], 3, "{side}: {t:#}");
    }
    assert_eq!(case.aws.writes().len(), writes_before, "simulate writes nothing");

    let text = simulate(&case, &[]).stdout;
    assert!(text.contains("instance-hours"), "{text}");
    assert!(text.contains("7.7") && text.contains("7.6"), "{text}");
    let md = simulate(&case, &["--markdown"]).stdout;
    assert!(
        md.contains("| time with backlog and no capacity | 2 min | 2 min |"),
        "{md}"
    );
    crate::assert_contains(
        &md,
        "**Last 1 day(s), current → proposed**: instance-hours 7.7 → **7.6** · cost $15.40 → **$15.23** · minutes with backlog and no capacity 2 → **2**.",
    );
    crate::assert_contains(&md, "\"plotColorPalette\": \"#2f81f7, #f0883e\"");
    crate::assert_contains(&md, "\nxychart-beta\n");
    crate::assert_contains(&md, "\n    line \"current\" [");
    crate::assert_contains(&md, "\n    line \"proposed\" [");
    crate::assert_contains(&md, "Blue: current config · orange: proposed (where they agree");
    // Whole instances on the axis: its top is at least 8 (mermaid picks ten ticks).
    crate::assert_contains(&md, "y-axis \"instances\" 0 --> 8");
    assert!(
        !md.contains("](docs/"),
        "no link relative to the user's repository: {md}"
    );
}

#[test]
fn simulate_against_a_baseline_file_and_bad_input() {
    let case = Case::new(SEED);
    put_burst(&case.aws, "infer-endpoint-c356f91", "prod");
    // Nothing applied: the baseline is a file, not AWS.
    std::fs::write(
        case.dir().join("main.toml"),
        format!("region = \"{}\"\n{SEED}", case.aws.region),
    )
    .expect("main");
    let r = simulate(&case, &["--baseline", "main.toml", "--json"]);
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    assert!(
        (report["targets"][0]["baseline"]["instance_hours"]
            .as_f64()
            .expect("h")
            - 462.0 / 60.0)
            .abs()
            < 1e-9
    );

    for (args, message) in [
        (vec!["simulate", "--days", "16"], "16"),
        (vec!["simulate", "--until", "yesterday"], "--until"),
        (vec!["simulate", "--price=-1"], "--price"),
        (vec!["simulate", "--baseline", "missing.toml"], "missing.toml"),
    ] {
        let r = case.run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
}

/// Two endpoints in one region read their own metrics: the same metric of two endpoints is
/// two series (the replay of one never uses the other's history).
#[test]
fn each_endpoint_replays_its_own_metrics() {
    let other = SEED.replace("infer-endpoint-c356f91", "quiet-endpoint");
    let case = Case::new(&format!("{SEED}\n{other}"));
    // Only the seed endpoint was busy.
    put_burst(&case.aws, "infer-endpoint-c356f91", "prod");
    let args = [
        "simulate",
        "--days",
        "1",
        "--until",
        UNTIL_TEXT,
        "--startup",
        "0",
        "--baseline",
        "autoscaling.toml",
        "--json",
    ];
    let r = case.run(&args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("json");
    let target = |name: &str| {
        report["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .find(|t| t["target"].as_str().is_some_and(|id| id.contains(name)))
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {report:#}"))
    };
    let hours = |t: &Value| t["proposed"]["instance_hours"].as_f64().expect("hours");
    assert!(hours(&target("infer-endpoint-c356f91")) > 1.0, "{report:#}");
    assert_eq!(
        hours(&target("quiet-endpoint")),
        0.0,
        "the quiet endpoint never scaled: {report:#}"
    );
    assert_eq!(target("quiet-endpoint")["no_data"], true, "{report:#}");
}

/// With the requests taken from the queue in the history, the queue is simulated under each
/// config's capacity instead of replayed as recorded (docs/simulate.md, "The queue"), and the
/// report says at what rate an instance drains it. Without them (the other tests' bursts)
/// nothing says so: the backlog is replayed as recorded.
#[test]
fn an_async_queue_with_its_processed_requests_is_simulated_not_replayed() {
    let case = Case::new(SEED);
    case.apply();
    crate::tune::put_bursts(&case.aws, "infer-endpoint-c356f91", "prod");
    let r = simulate(&case, &["--json"]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    let t = &report["targets"][0];
    let notes = t["notes"].to_string();
    // 40 requests taken a minute by the 4 instances the live config had in the bursts.
    assert!(
        notes.contains("the queue is simulated under each config's capacity at 10.0 requests a minute per instance (the median of the minutes with a standing queue)"),
        "{t:#}"
    );
    let text = simulate(&case, &[]).stdout;
    assert!(text.contains("note: the queue is simulated"), "{text}");
}
